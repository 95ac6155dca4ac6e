#include "qos2_dedup.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64 bits: fast, and a collision only matters within one sender's window. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

bool qos2_dedup_init(struct qos2_dedup *d, int64_t window_ms, size_t capacity)
{
	memset(d, 0, sizeof(*d));
	d->window_ms = window_ms;
	d->capacity = capacity ? capacity : QOS2_DEDUP_DEFAULT_CLIENTS;
	d->keys = calloc(d->capacity, sizeof(*d->keys));
	d->last_ms = calloc(d->capacity, sizeof(*d->last_ms));
	d->used = calloc(d->capacity, sizeof(*d->used));
	d->senders = calloc(d->capacity, sizeof(*d->senders));
	if (d->keys && d->last_ms && d->used && d->senders)
		return true;
	qos2_dedup_free(d);
	return false;
}

void qos2_dedup_free(struct qos2_dedup *d)
{
	free(d->keys);
	free(d->last_ms);
	free(d->used);
	free(d->senders);
	d->keys = NULL;
	d->last_ms = NULL;
	d->used = NULL;
	d->senders = NULL;
	d->capacity = 0;
}

struct qos2_fingerprint qos2_fingerprint(const char *client_id, const char *username, const char *topic,
					 const void *payload, size_t len)
{
	struct qos2_fingerprint fp;
	/* The NULs keep ("ab", "c") apart from ("a", "bc"); the marker keeps no user apart from "". */
	fp.sender = fnv1a(FNV_OFFSET, client_id, strlen(client_id) + 1);
	fp.sender = username ? fnv1a(fnv1a(fp.sender, "u", 1), username, strlen(username) + 1)
			     : fnv1a(fp.sender, "-", 1);
	fp.message = fnv1a(fnv1a(FNV_OFFSET, topic, strlen(topic) + 1), payload, len);
	return fp;
}

/* A sender whose last message is older than the window holds nothing worth keeping. */
static bool live(const struct qos2_dedup *d, size_t i, int64_t now_ms)
{
	return d->used[i] && (now_ms < d->last_ms[i] || now_ms - d->last_ms[i] <= d->window_ms);
}

static bool find_sender(const struct qos2_dedup *d, uint64_t sender, int64_t now_ms, size_t *at)
{
	for (size_t i = 0; i < d->capacity; i++)
		if (d->keys[i] == sender && live(d, i, now_ms)) {
			*at = i;
			return true;
		}
	return false;
}

bool qos2_dedup_lookup(const struct qos2_dedup *d, struct qos2_fingerprint fp, int64_t now_ms, int *verdict)
{
	size_t i;
	if (!find_sender(d, fp.sender, now_ms, &i))
		return false;
	for (size_t k = 0; k < QOS2_DEDUP_PER_CLIENT; k++) {
		const struct qos2_remembered *m = &d->senders[i].messages[k];
		if (m->used && m->message == fp.message && now_ms >= m->seen_ms &&
		    now_ms - m->seen_ms <= d->window_ms) {
			*verdict = m->verdict;
			return true;
		}
	}
	return false;
}

bool qos2_dedup_record(struct qos2_dedup *d, struct qos2_fingerprint fp, int verdict, int64_t now_ms)
{
	size_t i;
	if (!find_sender(d, fp.sender, now_ms, &i)) {
		for (i = 0; i < d->capacity && live(d, i, now_ms); i++)
			;
		if (i == d->capacity) {
			d->unremembered++;
			return false;
		}
		d->keys[i] = fp.sender;
		d->used[i] = true;
		memset(&d->senders[i], 0, sizeof(d->senders[i]));
	}
	d->last_ms[i] = now_ms;
	struct qos2_sender *s = &d->senders[i];
	struct qos2_remembered *slot = NULL;
	for (size_t k = 0; k < QOS2_DEDUP_PER_CLIENT && !slot; k++)
		if (s->messages[k].used && s->messages[k].message == fp.message)
			slot = &s->messages[k]; /* the same message again: its time and verdict are renewed */
	if (!slot) {
		slot = &s->messages[s->next];
		s->next = (s->next + 1) % QOS2_DEDUP_PER_CLIENT;
	}
	*slot = (struct qos2_remembered){fp.message, now_ms, verdict, true};
	return true;
}

size_t qos2_dedup_senders(const struct qos2_dedup *d, int64_t now_ms)
{
	size_t n = 0;
	for (size_t i = 0; i < d->capacity; i++)
		n += live(d, i, now_ms);
	return n;
}
