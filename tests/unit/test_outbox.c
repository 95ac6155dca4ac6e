/*
 * Unit tests of the outbox (plugin/core/outbox.c), the TWC link thread's
 * queue to the broker's thread: order, the capacity and what it refuses,
 * log lines, taking everything, and a producer and a consumer at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

static struct outbox ob;

static int teardown(void **state)
{
	(void)state;
	outbox_destroy(&ob);
	return 0;
}

static size_t length(const struct outbox_item *items)
{
	size_t n = 0;
	for (; items; items = items->next)
		n++;
	return n;
}

static void test_items_come_out_in_the_order_they_went_in(void **state)
{
	(void)state;
	assert_int_equal(outbox_init(&ob, 16), 0);
	assert_true(outbox_publish(&ob, "TWC/4085/state", "1", 1, true));
	assert_true(outbox_log(&ob, 3, "link %s", "up"));
	assert_true(outbox_publish(&ob, "TWC/all/totalAmpsInUse", "22.5", 4, false));

	struct outbox_item *items = outbox_take_all(&ob);
	assert_int_equal(length(items), 3);
	const struct outbox_item *i = items;
	assert_int_equal(i->kind, OUTBOX_PUBLISH);
	assert_string_equal(i->topic, "TWC/4085/state");
	assert_string_equal(i->text, "1");
	assert_true(i->retain);
	i = i->next;
	assert_int_equal(i->kind, OUTBOX_LOG);
	assert_string_equal(i->text, "link up");
	i = i->next;
	assert_int_equal(i->kind, OUTBOX_PUBLISH);
	assert_string_equal(i->topic, "TWC/all/totalAmpsInUse");
	assert_memory_equal(i->text, "22.5", 5);
	assert_int_equal(i->text_len, 4);
	assert_false(i->retain);
	outbox_free(items);
	assert_int_equal(outbox_refused(&ob), 0);
}

static void test_payloads_are_copied_whole(void **state)
{
	(void)state;
	assert_int_equal(outbox_init(&ob, 4), 0);
	char payload[] = {'a', '\0', 'b'};
	assert_true(outbox_publish(&ob, "t", payload, sizeof(payload), false));
	payload[0] = 'X'; /* the caller's buffer is its own again */
	assert_true(outbox_publish(&ob, "empty", "", 0, false));
	struct outbox_item *items = outbox_take_all(&ob);
	assert_int_equal(items->text_len, 3);
	assert_memory_equal(items->text, "a\0b", 4); /* and terminated */
	assert_int_equal(items->next->text_len, 0);
	assert_string_equal(items->next->text, "");
	outbox_free(items);
}

static void test_log_items_keep_their_level_and_line(void **state)
{
	(void)state;
	assert_int_equal(outbox_init(&ob, 4), 0);
	assert_true(outbox_log(&ob, 8, "energy-bridge: twc: slave %04X joined (%d A)", 0x4085, 32));
	struct outbox_item *items = outbox_take_all(&ob);
	assert_int_equal(items->kind, OUTBOX_LOG);
	assert_int_equal(items->log_level, 8);
	assert_string_equal(items->text, "energy-bridge: twc: slave 4085 joined (32 A)");
	assert_int_equal(items->text_len, strlen(items->text));
	assert_null(items->topic);
	assert_null(items->next);
	outbox_free(items);
}

static void test_a_full_outbox_refuses_the_newest_and_counts_them(void **state)
{
	(void)state;
	assert_int_equal(outbox_init(&ob, 3), 0);
	char payload[8];
	for (int n = 0; n < 5; n++) {
		snprintf(payload, sizeof(payload), "%d", n);
		assert_int_equal(outbox_publish(&ob, "t", payload, strlen(payload), false), n < 3);
	}
	assert_false(outbox_log(&ob, 3, "also refused"));
	assert_int_equal(outbox_refused(&ob), 3);

	struct outbox_item *items = outbox_take_all(&ob);
	assert_int_equal(length(items), 3);
	assert_string_equal(items->text, "0"); /* the oldest kept */
	assert_string_equal(items->next->next->text, "2");
	outbox_free(items);

	/* Taken: room again; the count of refusals stays. */
	assert_true(outbox_log(&ob, 3, "fits again"));
	assert_int_equal(outbox_refused(&ob), 3);
}

static void test_take_all_empties_it(void **state)
{
	(void)state;
	assert_int_equal(outbox_init(&ob, 2), 0);
	assert_null(outbox_take_all(&ob));
	assert_true(outbox_publish(&ob, "t", "1", 1, false));
	assert_true(outbox_publish(&ob, "t", "2", 1, false));
	outbox_free(outbox_take_all(&ob));
	assert_null(outbox_take_all(&ob));
	assert_int_equal(ob.count, 0);
	/* The whole capacity is free again. */
	assert_true(outbox_publish(&ob, "t", "3", 1, false));
	assert_true(outbox_publish(&ob, "t", "4", 1, false));
	struct outbox_item *items = outbox_take_all(&ob);
	assert_int_equal(length(items), 2);
	assert_string_equal(items->text, "3");
	outbox_free(items);
}

#define ITEMS 200000
#define SMALL_CAPACITY 64

struct producer {
	long refusals; /* how often the outbox was full and the item was sent again */
};

/* Sends 0 .. ITEMS-1 in order, every tenth as a log line; a refused item is sent again until it fits. */
static void *produce(void *arg)
{
	struct producer *p = arg;
	char text[24];
	for (long n = 0; n < ITEMS; n++) {
		int len = snprintf(text, sizeof(text), "%ld", n);
		while (!(n % 10 == 0 ? outbox_log(&ob, 3, "%s", text) : outbox_publish(&ob, "t", text, (size_t)len, false))) {
			p->refusals++;
			sched_yield();
		}
	}
	return NULL;
}

/* Takes everything until ITEMS arrived: each exactly once, in order, of the kind it was sent as. */
static void consume_all(void)
{
	long expected = 0;
	while (expected < ITEMS) {
		struct outbox_item *items = outbox_take_all(&ob);
		if (!items)
			sched_yield();
		for (const struct outbox_item *i = items; i; i = i->next, expected++) {
			char want[24];
			snprintf(want, sizeof(want), "%ld", expected);
			if (strcmp(i->text, want) != 0 || i->kind != (expected % 10 == 0 ? OUTBOX_LOG : OUTBOX_PUBLISH))
				fail_msg("item %ld: got '%s' (kind %d)", expected, i->text, (int)i->kind);
		}
		outbox_free(items);
	}
	assert_null(outbox_take_all(&ob));
}

static void run_producer_and_consumer(size_t capacity, struct producer *p)
{
	assert_int_equal(outbox_init(&ob, capacity), 0);
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, produce, p), 0);
	consume_all();
	assert_int_equal(pthread_join(thread, NULL), 0);
}

/* With room for everything, nothing is refused, lost or doubled. */
static void test_producer_and_consumer_at_once_lose_nothing(void **state)
{
	(void)state;
	struct producer p = {0};
	run_producer_and_consumer(ITEMS, &p);
	assert_int_equal(p.refusals, 0);
	assert_int_equal(outbox_refused(&ob), 0);
}

/* Full at times: what is refused is counted, and what went in comes out once, in order. */
static void test_a_small_outbox_refuses_only_what_it_counts(void **state)
{
	(void)state;
	struct producer p = {0};
	run_producer_and_consumer(SMALL_CAPACITY, &p);
	assert_int_equal(outbox_refused(&ob), (uint64_t)p.refusals);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_items_come_out_in_the_order_they_went_in, teardown),
		cmocka_unit_test_teardown(test_payloads_are_copied_whole, teardown),
		cmocka_unit_test_teardown(test_log_items_keep_their_level_and_line, teardown),
		cmocka_unit_test_teardown(test_a_full_outbox_refuses_the_newest_and_counts_them, teardown),
		cmocka_unit_test_teardown(test_take_all_empties_it, teardown),
		cmocka_unit_test_teardown(test_producer_and_consumer_at_once_lose_nothing, teardown),
		cmocka_unit_test_teardown(test_a_small_outbox_refuses_only_what_it_counts, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
