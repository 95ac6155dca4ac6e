/* Unit tests of will_watch: a will told from a publish by the order of the broker's events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "will_watch.h"

static int a, b, c; /* stand-ins for three connections */

static void test_a_write_right_after_its_disconnect_is_a_will(void **state)
{
	(void)state;
	struct will_watch w;
	will_watch_init(&w);
	assert_false(will_watch_is_will(&w, &a, "tablet")); /* a publish: nothing armed */
	will_watch_disconnected(&w, &a, "tablet");
	assert_true(will_watch_is_will(&w, &a, "tablet"));
	/* Disarmed by the check: the next write is a publish. */
	assert_false(will_watch_is_will(&w, &a, "tablet"));
	assert_int_equal(w.wills_seen, 1);
}

static void test_another_clients_write_is_not_a_will_and_disarms(void **state)
{
	(void)state;
	struct will_watch w;
	will_watch_init(&w);
	will_watch_disconnected(&w, &a, "tablet"); /* a had no will */
	assert_false(will_watch_is_will(&w, &b, "phone"));
	/* A new connection at a's memory with a's id, later: not a will. */
	assert_false(will_watch_is_will(&w, &a, "tablet"));
	will_watch_disconnected(&w, &a, "tablet");
	will_watch_tick(&w);
	assert_false(will_watch_is_will(&w, &a, "tablet"));
	assert_int_equal(w.wills_seen, 0);
}

static void test_the_old_connections_will_on_a_takeover(void **state)
{
	(void)state;
	struct will_watch w;
	will_watch_init(&w);
	will_watch_connecting(&w, &b, "tablet"); /* b logs in with a's id */
	assert_true(will_watch_is_will(&w, &a, "tablet"));
	/* The new connection's own writes are publishes. */
	will_watch_connecting(&w, &b, "tablet");
	assert_false(will_watch_is_will(&w, &b, "tablet"));
	/* A connection with another id is not the one taken over. */
	will_watch_connecting(&w, &b, "tablet");
	assert_false(will_watch_is_will(&w, &c, "phone"));
	assert_int_equal(w.wills_seen, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_write_right_after_its_disconnect_is_a_will),
		cmocka_unit_test(test_another_clients_write_is_not_a_will_and_disarms),
		cmocka_unit_test(test_the_old_connections_will_on_a_takeover),
	};
	return cmocka_run_group_tests_name("will_watch", tests, NULL, NULL);
}
