/* Unit tests of the QoS 2 retransmission memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "qos2_dedup.h"

static struct qos2_dedup d;

static int teardown(void **state)
{
	(void)state;
	qos2_dedup_free(&d);
	return 0;
}

static struct qos2_fingerprint fp_of(const char *client, const char *user, int n)
{
	char payload[32];
	int len = snprintf(payload, sizeof(payload), "message %d", n);
	return qos2_fingerprint(client, user, "t", payload, (size_t)len);
}

static void test_same_sender_same_message_is_a_retransmission(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 1000, 0));
	struct qos2_fingerprint fp = qos2_fingerprint("logger", "S001", "dataset/mppt", "{}", 2);
	int verdict = -1;
	assert_false(qos2_dedup_lookup(&d, fp, 0, &verdict));
	assert_true(qos2_dedup_record(&d, fp, 12, 0));
	assert_true(qos2_dedup_lookup(&d, fp, 1000, &verdict));
	assert_int_equal(verdict, 12);
	/* Past the window it is a new message. */
	assert_false(qos2_dedup_lookup(&d, fp, 1001, &verdict));
	qos2_dedup_free(&d);
}

static void test_other_client_user_topic_or_payload_is_new(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 1000, 0));
	qos2_dedup_record(&d, qos2_fingerprint("a", "u", "t", "x", 1), 0, 0);
	int verdict;
	assert_true(qos2_dedup_lookup(&d, qos2_fingerprint("a", "u", "t", "x", 1), 1, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("b", "u", "t", "x", 1), 1, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "u", "u", "x", 1), 1, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "u", "t", "y", 1), 1, &verdict));
	/* Topic and payload boundaries matter. */
	qos2_dedup_record(&d, qos2_fingerprint("a", "u", "ab", "c", 1), 0, 0);
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("a", "u", "a", "bc", 2), 1, &verdict));
	qos2_dedup_free(&d);
}

/* Mosquitto 2.0 lets another user take a client id: the user is part of who sent it. */
static void test_another_user_with_the_same_client_id_is_a_new_sender(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 120000, 0));
	qos2_dedup_record(&d, qos2_fingerprint("admin-1", "admin", "hame/HMG-50/App/x/ctrl", "cd=5,rs=1", 9), 0, 0);
	int verdict;
	assert_true(qos2_dedup_lookup(&d, qos2_fingerprint("admin-1", "admin", "hame/HMG-50/App/x/ctrl", "cd=5,rs=1", 9),
				      5, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("admin-1", "intruder", "hame/HMG-50/App/x/ctrl",
							    "cd=5,rs=1", 9),
				       5, &verdict));
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("admin-1", NULL, "hame/HMG-50/App/x/ctrl", "cd=5,rs=1", 9),
				       5, &verdict));
	/* No user name and an empty one are two senders; so are "a"+"bc" and "ab"+"c". */
	qos2_dedup_record(&d, qos2_fingerprint("c", NULL, "t", "p", 1), 0, 0);
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("c", "", "t", "p", 1), 5, &verdict));
	qos2_dedup_record(&d, qos2_fingerprint("a", "bc", "t", "p", 1), 0, 0);
	assert_false(qos2_dedup_lookup(&d, qos2_fingerprint("ab", "c", "t", "p", 1), 5, &verdict));
	qos2_dedup_free(&d);
}

/* However much other clients send, a sender's own recent messages stay remembered. */
static void test_other_clients_traffic_never_pushes_a_message_out(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 120000, 0));
	struct qos2_fingerprint mine = fp_of("mine", "logger", 0);
	qos2_dedup_record(&d, mine, 7, 0);
	char id[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "other-%d", i % 100);
		qos2_dedup_record(&d, fp_of(id, "x", i), 0, 10);
	}
	int verdict = -1;
	assert_true(qos2_dedup_lookup(&d, mine, 100, &verdict));
	assert_int_equal(verdict, 7);
	qos2_dedup_free(&d);
}

/* A sender's own memory is bounded: its oldest message goes first. */
static void test_a_senders_memory_is_bounded(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 1000000, 0));
	for (int i = 0; i <= QOS2_DEDUP_PER_CLIENT; i++)
		qos2_dedup_record(&d, fp_of("c", "u", i), i, i);
	int verdict;
	assert_false(qos2_dedup_lookup(&d, fp_of("c", "u", 0), 500, &verdict));
	assert_true(qos2_dedup_lookup(&d, fp_of("c", "u", 1), 500, &verdict));
	assert_true(qos2_dedup_lookup(&d, fp_of("c", "u", QOS2_DEDUP_PER_CLIENT), 500, &verdict));
	assert_int_equal(verdict, QOS2_DEDUP_PER_CLIENT);
	qos2_dedup_free(&d);
}

/* Full of senders within the window: newcomers are not remembered, nobody is evicted; later they are. */
static void test_when_full_newcomers_wait_and_nobody_is_evicted(void **state)
{
	(void)state;
	assert_true(qos2_dedup_init(&d, 1000, 4));
	char id[16];
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_true(qos2_dedup_record(&d, fp_of(id, "u", i), i, 0));
	}
	assert_int_equal(qos2_dedup_senders(&d, 0), 4);
	assert_false(qos2_dedup_record(&d, fp_of("newcomer", "u", 9), 9, 500));
	assert_int_equal(d.unremembered, 1);
	int verdict;
	assert_false(qos2_dedup_lookup(&d, fp_of("newcomer", "u", 9), 500, &verdict));
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_true(qos2_dedup_lookup(&d, fp_of(id, "u", i), 500, &verdict));
	}
	/* A known sender still records while the table is full. */
	assert_true(qos2_dedup_record(&d, fp_of("c0", "u", 100), 100, 600));
	/* Once the others' window has passed, their slots serve newcomers. */
	assert_true(qos2_dedup_record(&d, fp_of("newcomer", "u", 9), 9, 1200));
	assert_true(qos2_dedup_lookup(&d, fp_of("newcomer", "u", 9), 1200, &verdict));
	assert_true(qos2_dedup_lookup(&d, fp_of("c0", "u", 100), 1200, &verdict));
	assert_int_equal(qos2_dedup_senders(&d, 1200), 2);
	qos2_dedup_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_same_sender_same_message_is_a_retransmission, teardown),
		cmocka_unit_test_teardown(test_other_client_user_topic_or_payload_is_new, teardown),
		cmocka_unit_test_teardown(test_another_user_with_the_same_client_id_is_a_new_sender, teardown),
		cmocka_unit_test_teardown(test_other_clients_traffic_never_pushes_a_message_out, teardown),
		cmocka_unit_test_teardown(test_a_senders_memory_is_bounded, teardown),
		cmocka_unit_test_teardown(test_when_full_newcomers_wait_and_nobody_is_evicted, teardown),
	};
	return cmocka_run_group_tests_name("qos2_dedup", tests, NULL, NULL);
}
