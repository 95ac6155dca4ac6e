/* Unit tests of the journal of unqueued publishes and of the spool file format (journal.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

static struct eb_journal_entry entry(const char *topic, const char *payload, int qos)
{
	return (struct eb_journal_entry){
		.clientid = "", .topic = topic, .topic_len = strlen(topic), .payload = payload,
		.payload_len = strlen(payload), .qos = qos,
	};
}

/* The topics of the journal's pending records, separated by spaces. */
static void pending_topics(const struct eb_journal *j, char *out, size_t outsz)
{
	const unsigned char *r;
	size_t len = eb_journal_pending(j, &r), off = 0;
	struct eb_journal_entry e;
	out[0] = '\0';
	while (eb_spool_next(r, len, &off, &e))
		snprintf(out + strlen(out), outsz - strlen(out), "%s%.*s", out[0] ? " " : "", (int)e.topic_len, e.topic);
}

/* What was journaled before the previous tick is dropped at the next one; what came since stays. */
static void test_a_publish_stays_until_two_ticks_have_passed(void **state)
{
	(void)state;
	struct eb_journal j;
	char topics[256];
	eb_journal_init(&j, 1 << 20);
	struct eb_journal_entry a = entry("t/a", "1", 1), b = entry("t/b", "2", 1), c = entry("t/c", "3", 2);
	assert_true(eb_journal_add(&j, &a));
	eb_journal_tick(&j); /* a: published before this tick, maybe not queued yet */
	pending_topics(&j, topics, sizeof(topics));
	assert_string_equal(topics, "t/a");
	assert_true(eb_journal_add(&j, &b));
	eb_journal_tick(&j); /* a: queued at the top of the pass between the two ticks */
	pending_topics(&j, topics, sizeof(topics));
	assert_string_equal(topics, "t/b");
	assert_true(eb_journal_add(&j, &c));
	pending_topics(&j, topics, sizeof(topics));
	assert_string_equal(topics, "t/b t/c");
	eb_journal_tick(&j);
	eb_journal_tick(&j);
	pending_topics(&j, topics, sizeof(topics));
	assert_string_equal(topics, "");
	assert_int_equal(j.journaled, 3);
	eb_journal_free(&j);
}

/* At the bound a publish is not journaled and is counted; after ticks there is room again. */
static void test_the_bound_counts_what_does_not_fit(void **state)
{
	(void)state;
	struct eb_journal j;
	eb_journal_init(&j, 4096);
	char payload[1000];
	memset(payload, 'x', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	struct eb_journal_entry e = entry("t", payload, 1);
	int kept = 0;
	for (int i = 0; i < 10; i++)
		kept += eb_journal_add(&j, &e);
	assert_int_equal(kept, 4096 / (EB_JOURNAL_RECORD_HEAD + 1 + 999));
	assert_int_equal(j.full, 10 - kept);
	assert_true(j.used <= 4096);
	eb_journal_tick(&j);
	eb_journal_tick(&j);
	assert_true(eb_journal_add(&j, &e)); /* positive control: room again */
	/* A message larger than the bound is never journaled. */
	char *big = malloc(5000);
	memset(big, 'y', 4999);
	big[4999] = '\0';
	struct eb_journal_entry huge = entry("t", big, 1);
	assert_false(eb_journal_add(&j, &huge));
	free(big);
	eb_journal_free(&j);
}

/* A spool file made from a journal reads back to the same messages, client id and correlation data too. */
static unsigned char *make_spool(size_t *len)
{
	struct eb_journal j;
	eb_journal_init(&j, 1 << 16);
	struct eb_journal_entry a = entry("monitoring.mppt/X1", "{\"v\":1}", 1);
	a.retain = true;
	struct eb_journal_entry b = entry("reply/here", "{}", 2);
	b.clientid = "logger-1";
	b.clientid_len = 8;
	b.correlation = "\x00\x01\x02";
	b.correlation_len = 3;
	struct eb_journal_entry c = entry("empty/payload", "", 1);
	eb_journal_add(&j, &a);
	eb_journal_add(&j, &b);
	eb_journal_add(&j, &c);
	const unsigned char *r;
	size_t n = eb_journal_pending(&j, &r);
	unsigned char *file = malloc(EB_SPOOL_HEADER_SIZE + n);
	eb_spool_header(file, r, n);
	memcpy(file + EB_SPOOL_HEADER_SIZE, r, n);
	*len = EB_SPOOL_HEADER_SIZE + n;
	eb_journal_free(&j);
	return file;
}

static void test_a_spool_file_reads_back(void **state)
{
	(void)state;
	size_t len;
	unsigned char *file = make_spool(&len);
	const unsigned char *r;
	size_t n;
	char err[256];
	assert_int_equal(eb_spool_check(file, len, &r, &n, err, sizeof(err)), 3);
	size_t off = 0;
	struct eb_journal_entry e;
	assert_true(eb_spool_next(r, n, &off, &e));
	assert_int_equal(e.qos, 1);
	assert_true(e.retain);
	assert_int_equal(e.clientid_len, 0);
	assert_memory_equal(e.topic, "monitoring.mppt/X1", e.topic_len);
	assert_memory_equal(e.payload, "{\"v\":1}", e.payload_len);
	assert_null(e.correlation);
	assert_true(eb_spool_next(r, n, &off, &e));
	assert_int_equal(e.qos, 2);
	assert_false(e.retain);
	assert_memory_equal(e.clientid, "logger-1", 8);
	assert_int_equal(e.correlation_len, 3);
	assert_memory_equal(e.correlation, "\x00\x01\x02", 3);
	assert_true(eb_spool_next(r, n, &off, &e));
	assert_int_equal(e.payload_len, 0);
	assert_false(eb_spool_next(r, n, &off, &e));
	free(file);
}

static void expect_refused(const unsigned char *file, size_t len, const char *reason)
{
	const unsigned char *r;
	size_t n;
	char err[256] = "";
	assert_int_equal(eb_spool_check(file, len, &r, &n, err, sizeof(err)), -1);
	if (!strstr(err, reason))
		fail_msg("expected a reason with \"%s\", got \"%s\"", reason, err);
}

/* Every truncation of a good file is refused with a reason, never read past its end. */
static void test_a_truncated_or_altered_spool_is_refused(void **state)
{
	(void)state;
	size_t len;
	unsigned char *file = make_spool(&len);
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees any read past them */
		memcpy(copy, file, cut);
		expect_refused(copy, cut, cut < EB_SPOOL_HEADER_SIZE ? "shorter than the" : "(truncated)");
		free(copy);
	}
	unsigned char *copy = malloc(len + 1);
	memcpy(copy, file, len);
	copy[len] = 0;
	expect_refused(copy, len + 1, "(trailing bytes)");
	memcpy(copy, file, len);
	copy[0] = 'X';
	expect_refused(copy, len, "not a spool file");
	memcpy(copy, file, len);
	copy[len - 1] ^= 1;
	expect_refused(copy, len, "checksum");
	free(copy);
	free(file);
}

/* The checksum of an altered file's records made right again (FNV-1a, as journal.c): only its records lie. */
static void reseal(unsigned char *file, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t k = EB_SPOOL_HEADER_SIZE; k < len; k++) {
		h ^= file[k];
		h *= 16777619u;
	}
	for (int k = 0; k < 4; k++)
		file[16 + k] = (unsigned char)(h >> (8 * k));
}

/* A file whose checksum matches but whose records lie is refused record by record. */
static void test_lying_records_are_refused(void **state)
{
	(void)state;
	size_t len;
	unsigned char *file = make_spool(&len);
	struct {
		size_t at;
		unsigned char value;
		const char *reason;
	} lies[] = {
		{0, 0, "QoS 0"},
		{0, 3, "QoS 3"},
		{1, 2, "retain flag 2"},
		{4, 0, "record 0 at byte 0: empty topic"},
		{8, 0xff, "record 0 at byte 0: needs"},	/* a payload longer than the file */
		{EB_JOURNAL_RECORD_HEAD, 0, "the topic is not UTF-8 text"}, /* a NUL in the topic */
		{EB_JOURNAL_RECORD_HEAD, 0xc0, "the topic is not UTF-8 text"},
	};
	unsigned char *copy = malloc(len);
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		memcpy(copy, file, len);
		copy[EB_SPOOL_HEADER_SIZE + lies[i].at] = lies[i].value;
		reseal(copy, len);
		expect_refused(copy, len, lies[i].reason);
	}
	/* The count in the header must match the records. */
	memcpy(copy, file, len);
	copy[8] = 4;
	expect_refused(copy, len, "announces 4 records, the file has 3");
	free(copy);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_publish_stays_until_two_ticks_have_passed),
		cmocka_unit_test(test_the_bound_counts_what_does_not_fit),
		cmocka_unit_test(test_a_spool_file_reads_back),
		cmocka_unit_test(test_a_truncated_or_altered_spool_is_refused),
		cmocka_unit_test(test_lying_records_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
