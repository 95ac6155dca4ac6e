#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "utf8.h"

/* The buffer's first size: a pass of a busy broker rarely publishes more. */
#define JOURNAL_FIRST_CAP (64 * 1024)

static void put16(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put32(unsigned char *p, size_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, (v >> 16) & 0xffff);
}

static size_t get16(const unsigned char *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8;
}

static size_t get32(const unsigned char *p)
{
	return get16(p) | get16(p + 2) << 16;
}

void eb_journal_init(struct eb_journal *j, size_t max_bytes)
{
	memset(j, 0, sizeof(*j));
	j->max_bytes = max_bytes;
}

void eb_journal_free(struct eb_journal *j)
{
	free(j->buf);
	j->buf = NULL;
	j->used = j->older_end = j->cap = 0;
}

/* Room for need more bytes, growing the buffer by doubling within max_bytes; false when there is none. */
static bool reserve(struct eb_journal *j, size_t need)
{
	if (need > j->max_bytes - j->used)
		return false;
	if (need <= j->cap - j->used)
		return true;
	size_t cap = j->cap ? j->cap : JOURNAL_FIRST_CAP;
	while (cap < j->used + need)
		cap = cap > j->max_bytes / 2 ? j->max_bytes : cap * 2;
	if (cap > j->max_bytes)
		cap = j->max_bytes;
	unsigned char *grown = realloc(j->buf, cap);
	if (!grown)
		return false;
	j->buf = grown;
	j->cap = cap;
	return true;
}

bool eb_journal_add(struct eb_journal *j, const struct eb_journal_entry *e)
{
	size_t need = EB_JOURNAL_RECORD_HEAD + e->clientid_len + e->topic_len + e->correlation_len + e->payload_len;
	if (e->clientid_len > 0xffff || e->topic_len > 0xffff || e->correlation_len > 0xffff ||
	    e->payload_len > 0xffffffffu || !reserve(j, need)) {
		j->full++;
		return false;
	}
	unsigned char *p = j->buf + j->used;
	p[0] = (unsigned char)e->qos;
	p[1] = e->retain ? 1 : 0;
	put16(p + 2, e->clientid_len);
	put16(p + 4, e->topic_len);
	put16(p + 6, e->correlation_len);
	put32(p + 8, e->payload_len);
	p += EB_JOURNAL_RECORD_HEAD;
	if (e->clientid_len)
		memcpy(p, e->clientid, e->clientid_len);
	p += e->clientid_len;
	memcpy(p, e->topic, e->topic_len);
	p += e->topic_len;
	if (e->correlation_len)
		memcpy(p, e->correlation, e->correlation_len);
	p += e->correlation_len;
	if (e->payload_len)
		memcpy(p, e->payload, e->payload_len);
	j->used += need;
	j->journaled++;
	return true;
}

void eb_journal_tick(struct eb_journal *j)
{
	size_t newer = j->used - j->older_end;
	if (j->older_end > 0 && newer > 0)
		memmove(j->buf, j->buf + j->older_end, newer);
	j->used = newer;
	j->older_end = newer;
}

size_t eb_journal_pending(const struct eb_journal *j, const unsigned char **records)
{
	*records = j->buf;
	return j->used;
}

/* FNV-1a, 32 bits: catches a torn or altered file, not an adversary (the file is the broker's own). */
static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

void eb_spool_header(unsigned char header[EB_SPOOL_HEADER_SIZE], const unsigned char *records, size_t len)
{
	size_t count = 0;
	for (size_t off = 0; off < len;) {
		const unsigned char *r = records + off;
		off += EB_JOURNAL_RECORD_HEAD + get16(r + 2) + get16(r + 4) + get16(r + 6) + get32(r + 8);
		count++;
	}
	memcpy(header, EB_SPOOL_MAGIC, 8);
	put32(header + 8, count);
	put32(header + 12, len);
	put32(header + 16, checksum(records, len));
}

/* The record at off, checked: 0, or -1 with the reason in err. */
static int check_record(const unsigned char *records, size_t len, size_t off, size_t index, size_t *next, char *err,
			size_t errsz)
{
	if (len - off < EB_JOURNAL_RECORD_HEAD)
		return eb_error(err, errsz, "record %zu at byte %zu: its head needs %d bytes, %zu left", index, off,
				EB_JOURNAL_RECORD_HEAD, len - off);
	const unsigned char *r = records + off;
	size_t id_len = get16(r + 2), topic_len = get16(r + 4), corr_len = get16(r + 6), payload_len = get32(r + 8);
	size_t body = id_len + topic_len + corr_len + payload_len;
	if (r[0] < 1 || r[0] > 2)
		return eb_error(err, errsz, "record %zu at byte %zu: QoS %u (only 1 and 2 are spooled)", index, off, r[0]);
	if (r[1] > 1)
		return eb_error(err, errsz, "record %zu at byte %zu: retain flag %u", index, off, r[1]);
	if (body > len - off - EB_JOURNAL_RECORD_HEAD)
		return eb_error(err, errsz, "record %zu at byte %zu: needs %zu bytes, %zu left", index, off,
				EB_JOURNAL_RECORD_HEAD + body, len - off);
	const char *id = (const char *)r + EB_JOURNAL_RECORD_HEAD;
	const char *topic = id + id_len;
	if (topic_len == 0)
		return eb_error(err, errsz, "record %zu at byte %zu: empty topic", index, off);
	if (memchr(id, 0, id_len) || utf8_invalid_at(id, id_len) != id_len)
		return eb_error(err, errsz, "record %zu at byte %zu: the client id is not UTF-8 text", index, off);
	if (memchr(topic, 0, topic_len) || utf8_invalid_at(topic, topic_len) != topic_len)
		return eb_error(err, errsz, "record %zu at byte %zu: the topic is not UTF-8 text", index, off);
	*next = off + EB_JOURNAL_RECORD_HEAD + body;
	return 0;
}

long eb_spool_check(const unsigned char *file, size_t file_len, const unsigned char **records, size_t *len,
		    char *err, size_t errsz)
{
	if (file_len < EB_SPOOL_HEADER_SIZE)
		return eb_error(err, errsz, "%zu bytes: shorter than the %d-byte header", file_len,
				EB_SPOOL_HEADER_SIZE);
	if (memcmp(file, EB_SPOOL_MAGIC, 8) != 0)
		return eb_error(err, errsz, "not a spool file (its first 8 bytes are not \"" EB_SPOOL_MAGIC "\")");
	size_t count = get32(file + 8), body = get32(file + 12);
	if (body != file_len - EB_SPOOL_HEADER_SIZE)
		return eb_error(err, errsz, "the header announces %zu bytes of records, the file has %zu (%s)", body,
				file_len - EB_SPOOL_HEADER_SIZE,
				body > file_len - EB_SPOOL_HEADER_SIZE ? "truncated" : "trailing bytes");
	const unsigned char *r = file + EB_SPOOL_HEADER_SIZE;
	if (checksum(r, body) != (uint32_t)get32(file + 16))
		return eb_error(err, errsz, "the checksum of the %zu bytes of records does not match", body);
	size_t off = 0, index = 0;
	while (off < body) {
		if (check_record(r, body, off, index, &off, err, errsz) != 0)
			return -1;
		index++;
	}
	if (index != count)
		return eb_error(err, errsz, "the header announces %zu records, the file has %zu", count, index);
	*records = r;
	*len = body;
	return (long)index;
}

bool eb_spool_next(const unsigned char *records, size_t len, size_t *offset, struct eb_journal_entry *e)
{
	if (*offset >= len)
		return false;
	const unsigned char *r = records + *offset;
	e->qos = r[0];
	e->retain = r[1] != 0;
	e->clientid_len = get16(r + 2);
	e->topic_len = get16(r + 4);
	e->correlation_len = get16(r + 6);
	e->payload_len = get32(r + 8);
	e->clientid = (const char *)r + EB_JOURNAL_RECORD_HEAD;
	e->topic = e->clientid + e->clientid_len;
	e->correlation = e->correlation_len ? e->topic + e->topic_len : NULL;
	e->payload = e->topic + e->topic_len + e->correlation_len;
	*offset += EB_JOURNAL_RECORD_HEAD + e->clientid_len + e->topic_len + e->correlation_len + e->payload_len;
	return true;
}
