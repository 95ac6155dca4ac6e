/* Unit tests of the refusal log limiter and of quoting outside text in a log line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log_limit.h"

static struct log_limit limit;

static int count_allowed(const char *client, int tries, int64_t now_ms)
{
	int allowed = 0;
	unsigned long left_out;
	for (int i = 0; i < tries; i++)
		allowed += log_limit_allow(&limit, client, now_ms, &left_out);
	return allowed;
}

/* 20,000 refusals of one client in one second: the burst is logged, the rest counted. */
static void test_one_client_gets_its_burst_then_counts(void **state)
{
	(void)state;
	log_limit_init(&limit);
	assert_int_equal(count_allowed("reader", 20000, 1000), LOG_LIMIT_BURST);
	assert_int_equal(limit.lines_left_out, 20000 - LOG_LIMIT_BURST);

	/* Another client is not silenced by the first (positive control). */
	assert_int_equal(count_allowed("other", 1, 1000), 1);

	/* After one interval the first client may log one line, which says how many were left out. */
	unsigned long left_out = 0;
	assert_true(log_limit_allow(&limit, "reader", 1000 + LOG_LIMIT_INTERVAL_MS, &left_out));
	assert_int_equal(left_out, 20000 - LOG_LIMIT_BURST);
	assert_false(log_limit_allow(&limit, "reader", 1000 + LOG_LIMIT_INTERVAL_MS, &left_out));
	/* A long quiet spell refills the burst, no more. */
	assert_int_equal(count_allowed("reader", 100, 1000 + 100 * LOG_LIMIT_INTERVAL_MS), LOG_LIMIT_BURST);
}

/* Many client ids together are bounded by the shared budget; the table never grows. */
static void test_many_clients_share_a_bounded_budget(void **state)
{
	(void)state;
	log_limit_init(&limit);
	int allowed = 0;
	char id[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		allowed += count_allowed(id, 1, 5000);
	}
	assert_int_equal(allowed, LOG_LIMIT_ALL_BURST);
	/* One interval later, one more line for everyone together. */
	assert_int_equal(count_allowed("late", 3, 5000 + LOG_LIMIT_ALL_INTERVAL_MS), 1);
}

/* A clock that steps back gives nothing and breaks nothing. */
static void test_time_stepping_back_is_safe(void **state)
{
	(void)state;
	log_limit_init(&limit);
	assert_int_equal(count_allowed("x", 10, 1000000), LOG_LIMIT_BURST);
	assert_int_equal(count_allowed("x", 10, -5000000), 0);
	assert_int_equal(count_allowed("x", 1, 1000000 + LOG_LIMIT_INTERVAL_MS), 1);
}

/* Quoted text cannot end a log line or forge one: control bytes, backslashes and non-ASCII are escaped. */
static void test_quotes_are_escaped_and_bounded(void **state)
{
	(void)state;
	char q[LOG_QUOTE_SIZE];
	assert_string_equal(log_quote_str(q, "S001"), "S001");
	assert_string_equal(log_quote_str(q, "a\nb\\n\r\x1b\xc3\xa9"), "a\\x0ab\\\\n\\x0d\\x1b\\xc3\\xa9");
	assert_string_equal(log_quote_str(q, NULL), "");
	assert_string_equal(log_quote(q, "a\0b", 3), "a\\x00b");

	char longest[4096];
	memset(longest, '\n', sizeof(longest));
	log_quote(q, longest, sizeof(longest));
	assert_int_equal(strlen(q), 4 * LOG_QUOTE_MAX + 3);
	assert_null(strchr(q, '\n'));
	assert_string_equal(q + 4 * LOG_QUOTE_MAX, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_client_gets_its_burst_then_counts),
		cmocka_unit_test(test_many_clients_share_a_bounded_budget),
		cmocka_unit_test(test_time_stepping_back_is_safe),
		cmocka_unit_test(test_quotes_are_escaped_and_bounded),
	};
	return cmocka_run_group_tests_name("log_limit", tests, NULL, NULL);
}
