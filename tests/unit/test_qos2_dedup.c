/* Unit tests of the QoS 2 retransmission memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "qos2_dedup.h"

static struct qos2_dedup d;

static void test_same_client_same_message_is_a_retransmission(void **state)
{
	(void)state;
	qos2_dedup_init(&d, 1000);
	struct qos2_fingerprint fp = qos2_fingerprint("logger", "dataset/mppt", "{}", 2);
	int verdict = -1;
	assert_false(qos2_dedup_lookup(&d, fp, 0, &verdict));
	qos2_dedup_record(&d, fp, 12, 0);
	assert_true(qos2_dedup_lookup(&d, fp, 1000, &verdict));
	assert_int_equal(verdict, 12);
	/* Past the window it is a new message. */
	assert_false(qos2_dedup_lookup(&d, fp, 1001, &verdict));
}

static void test_other_client_topic_or_payload_is_new(void **state)
{
	(void)state;
	qos2_dedup_init(&d, 1000);
	qos2_dedup_record(&d, qos2_fingerprint("a", "t", "x", 1), 0, 0);
	int verdict;
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("b", "t", "x", 1), 1, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "u", "x", 1), 1, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "t", "y", 1), 1, &verdict));
	/* Topic and payload boundaries matter. */
	qos2_dedup_record(&d, qos2_fingerprint("a", "ab", "c", 1), 0, 0);
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "a", "bc", 2), 1, &verdict));
}

static void test_memory_is_bounded_oldest_forgotten(void **state)
{
	(void)state;
	qos2_dedup_init(&d, 1000000);
	for (int i = 0; i <= QOS2_DEDUP_SLOTS; i++)
		qos2_dedup_record(&d, qos2_fingerprint("c", "t", &i, sizeof(i)), i, i);
	int verdict, first = 0, last = QOS2_DEDUP_SLOTS;
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("c", "t", &first, sizeof(first)), 500, &verdict));
	assert_true(qos2_dedup_lookup(&d, qos2_fingerprint("c", "t", &last, sizeof(last)), 500, &verdict));
	assert_int_equal(verdict, QOS2_DEDUP_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_client_same_message_is_a_retransmission),
		cmocka_unit_test(test_other_client_topic_or_payload_is_new),
		cmocka_unit_test(test_memory_is_bounded_oldest_forgotten),
	};
	return cmocka_run_group_tests_name("qos2_dedup", tests, NULL, NULL);
}
