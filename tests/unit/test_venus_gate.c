/* Unit tests of the per-device Venus rate limit (docs/venus.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "venus_command.h"
#include "venus_gate.h"

static struct venus_command command(const char *text)
{
	struct venus_command c;
	assert_true(venus_command_parse(text, strlen(text), &c));
	return c;
}

static enum venus_gate_result admit(struct venus_gate *g, const char *device, const char *text,
				    int64_t now_ms)
{
	struct venus_command c = command(text);
	return venus_gate_admit(g, device, &c, now_ms, NULL);
}

static int teardown_gate(void **state)
{
	venus_gate_free(*state);
	return 0;
}

static struct venus_gate gate;

static int setup_gate(void **state)
{
	assert_true(venus_gate_init(&gate, 0, 1000));
	*state = &gate;
	return 0;
}

static void test_one_setting_per_interval(void **state)
{
	struct venus_gate *g = *state;
	struct venus_command cp = command("cd=16,cp=800");
	int64_t wait = -1;
	assert_int_equal(venus_gate_admit(g, "HMG-50/a", &cp, 10000, &wait), VENUS_GATE_PASS);
	assert_int_equal(wait, 0);
	assert_int_equal(venus_gate_admit(g, "HMG-50/a", &cp, 10500, &wait), VENUS_GATE_TOO_FAST);
	assert_int_equal(wait, 500);
	assert_int_equal(venus_gate_admit(g, "HMG-50/a", &cp, 10999, &wait), VENUS_GATE_TOO_FAST);
	assert_int_equal(wait, 1);
	assert_int_equal(venus_gate_admit(g, "HMG-50/a", &cp, 11000, &wait), VENUS_GATE_PASS);
	assert_int_equal(wait, 0);
	/* Any other setting counts too, and so do dangerous commands. */
	assert_int_equal(admit(g, "HMG-50/a", "cd=2,md=1", 11001), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, "HMG-50/a", "cd=5,rs=2", 11999), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, "HMG-50/a", "cd=5,rs=2", 12000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "HMG-50/a", "cd=11,bc=1", 12500), VENUS_GATE_TOO_FAST);
}

static void test_refusals_do_not_consume_the_slot(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=16,cp=900", 600), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, "d", "cd=16,cp=900", 900), VENUS_GATE_TOO_FAST);
	/* Measured from the last pass (0), not from the refusals. */
	assert_int_equal(admit(g, "d", "cd=16,cp=900", 1000), VENUS_GATE_PASS);
}

static void test_devices_are_independent(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(admit(g, "HMG-50/a", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "HMG-50/b", "cd=16,cp=800", 1), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "HMG-25/a", "cd=16,cp=800", 2), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "HMG-50/a", "cd=16,cp=800", 3), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, "HMG-50/b", "cd=16,cp=800", 4), VENUS_GATE_TOO_FAST);
}

static void test_reads_are_not_limited_and_do_not_limit(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(admit(g, "d", "cd=1", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 1), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=19", 2), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 3), VENUS_GATE_TOO_FAST);
}

static void test_identical_reads_collapse_within_the_interval(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(admit(g, "d", "cd=1", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=1", 500), VENUS_GATE_DUPLICATE_READ);
	/* cd=01 is the same read. */
	assert_int_equal(admit(g, "d", "cd=01", 600), VENUS_GATE_DUPLICATE_READ);
	/* Another read, or the same read for another device, is not a duplicate. */
	assert_int_equal(admit(g, "d", "cd=19", 700), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "e", "cd=1", 700), VENUS_GATE_PASS);
	/* The duplicates did not restart the interval. */
	assert_int_equal(admit(g, "d", "cd=1", 1000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=1", 1999), VENUS_GATE_DUPLICATE_READ);
	assert_int_equal(admit(g, "d", "cd=19", 1699), VENUS_GATE_DUPLICATE_READ);
	assert_int_equal(admit(g, "d", "cd=19", 1700), VENUS_GATE_PASS);
}

static void test_table_is_bounded_only_idle_entries_make_room(void **state)
{
	(void)state;
	struct venus_gate small;
	assert_true(venus_gate_init(&small, 2, 1000));
	assert_int_equal(admit(&small, "A", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(&small, "B", "cd=16,cp=800", 10), VENUS_GATE_PASS);
	/* Both still limit their battery: a third is refused, and neither is forgotten. */
	assert_int_equal(admit(&small, "C", "cd=16,cp=800", 20), VENUS_GATE_BUSY);
	assert_int_equal(admit(&small, "C", "cd=1", 20), VENUS_GATE_BUSY);
	assert_int_equal(admit(&small, "A", "cd=16,cp=800", 30), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(&small, "B", "cd=16,cp=800", 30), VENUS_GATE_TOO_FAST);
	/* Once A's interval has passed, A limits nothing and makes room for C. */
	assert_int_equal(admit(&small, "C", "cd=16,cp=800", 1000), VENUS_GATE_PASS);
	assert_int_equal(admit(&small, "B", "cd=16,cp=800", 1001), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(&small, "C", "cd=16,cp=800", 1002), VENUS_GATE_TOO_FAST);
	/* A read within the interval holds an entry as well (it collapses the same read). */
	assert_int_equal(admit(&small, "B", "cd=1", 1500), VENUS_GATE_PASS);
	assert_int_equal(admit(&small, "D", "cd=16,cp=800", 1600), VENUS_GATE_BUSY);
	assert_int_equal(admit(&small, "B", "cd=1", 1700), VENUS_GATE_DUPLICATE_READ);
	assert_int_equal(small.capacity, 2);
	venus_gate_free(&small);
}

/* The attack: commands to invented batteries must not reset a real battery's limit. */
static void test_invented_batteries_never_reset_a_real_ones_limit(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(g->capacity, VENUS_GATE_DEFAULT_CAPACITY);
	assert_int_equal(admit(g, "HMG-50/real", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	char key[32];
	int busy = 0;
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "HMG-50/fake%d", i);
		enum venus_gate_result r = admit(g, key, "cd=16,cp=800", 1 + i / 100);
		assert_true(r == VENUS_GATE_PASS || r == VENUS_GATE_BUSY);
		busy += r == VENUS_GATE_BUSY;
	}
	assert_int_equal(busy, 1000 - (VENUS_GATE_DEFAULT_CAPACITY - 1));
	assert_int_equal(admit(g, "HMG-50/real", "cd=16,cp=900", 500), VENUS_GATE_TOO_FAST);
	/* Positive control: after the interval, the table serves new batteries again. */
	assert_int_equal(admit(g, "HMG-50/new", "cd=16,cp=800", 1011), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "HMG-50/real", "cd=16,cp=900", 1011), VENUS_GATE_PASS);
	assert_int_equal(g->capacity, VENUS_GATE_DEFAULT_CAPACITY);
}

static void test_long_keys_are_told_apart(void **state)
{
	struct venus_gate *g = *state;
	char a[300], b[300];
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(a));
	b[sizeof(b) - 2] = 'y';
	assert_int_equal(admit(g, a, "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(g, b, "cd=16,cp=800", 1), VENUS_GATE_PASS);
	assert_int_equal(admit(g, a, "cd=16,cp=800", 2), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, b, "cd=16,cp=800", 3), VENUS_GATE_TOO_FAST);
	/* A key that is a prefix of another is another device. */
	a[VENUS_GATE_KEY_MAX] = '\0';
	assert_int_equal(admit(g, a, "cd=16,cp=800", 4), VENUS_GATE_PASS);
}

static void test_clock_going_back_does_not_block(void **state)
{
	struct venus_gate *g = *state;
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 100000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 5000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=16,cp=800", 5500), VENUS_GATE_TOO_FAST);
	assert_int_equal(admit(g, "d", "cd=1", 5000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=1", 4000), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "d", "cd=1", 4999), VENUS_GATE_DUPLICATE_READ);
	/* Times at the ends of the range do not overflow (UBSan would stop here). */
	assert_int_equal(admit(g, "e", "cd=16,cp=800", INT64_MIN), VENUS_GATE_PASS);
	assert_int_equal(admit(g, "e", "cd=16,cp=800", INT64_MAX), VENUS_GATE_PASS);
	int64_t wait = 0;
	struct venus_command c = command("cd=16,cp=800");
	assert_int_equal(venus_gate_admit(g, "e", &c, INT64_MAX, &wait), VENUS_GATE_TOO_FAST);
	assert_int_equal(wait, 1000);
	assert_int_equal(admit(g, "e", "cd=16,cp=800", INT64_MIN), VENUS_GATE_PASS);
}

static void test_zero_interval_limits_nothing(void **state)
{
	(void)state;
	struct venus_gate open;
	assert_true(venus_gate_init(&open, 4, 0));
	assert_int_equal(admit(&open, "d", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(&open, "d", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(&open, "d", "cd=1", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(&open, "d", "cd=1", 0), VENUS_GATE_PASS);
	venus_gate_free(&open);
	assert_true(venus_gate_init(&open, 4, -5));
	assert_int_equal(admit(&open, "d", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	assert_int_equal(admit(&open, "d", "cd=16,cp=800", 0), VENUS_GATE_PASS);
	venus_gate_free(&open);
}

static void test_descriptions(void **state)
{
	struct venus_gate *g = *state;
	char text[128];
	venus_gate_describe(g, VENUS_GATE_TOO_FAST, 250, text, sizeof(text));
	assert_string_equal(text, "too fast: one setting per 1000 ms for this device, next in 250 ms");
	venus_gate_describe(g, VENUS_GATE_DUPLICATE_READ, 0, text, sizeof(text));
	assert_string_equal(text, "same read already sent to this device within 1000 ms");
	venus_gate_describe(g, VENUS_GATE_PASS, 0, text, sizeof(text));
	assert_string_equal(text, "");
}

static void test_missing_inputs_limit_nothing(void **state)
{
	struct venus_gate *g = *state;
	struct venus_command c = command("cd=16,cp=800");
	int64_t wait = 7;
	assert_int_equal(venus_gate_admit(g, "d", NULL, 0, &wait), VENUS_GATE_PASS);
	assert_int_equal(wait, 0);
	assert_int_equal(venus_gate_admit(NULL, "d", &c, 0, NULL), VENUS_GATE_PASS);
	assert_int_equal(venus_gate_admit(g, NULL, &c, 0, NULL), VENUS_GATE_PASS);
	assert_int_equal(venus_gate_admit(g, NULL, &c, 1, NULL), VENUS_GATE_TOO_FAST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_setting_per_interval, setup_gate, teardown_gate),
		cmocka_unit_test_setup_teardown(test_refusals_do_not_consume_the_slot, setup_gate,
						teardown_gate),
		cmocka_unit_test_setup_teardown(test_devices_are_independent, setup_gate, teardown_gate),
		cmocka_unit_test_setup_teardown(test_reads_are_not_limited_and_do_not_limit, setup_gate,
						teardown_gate),
		cmocka_unit_test_setup_teardown(test_identical_reads_collapse_within_the_interval,
						setup_gate, teardown_gate),
		cmocka_unit_test(test_table_is_bounded_only_idle_entries_make_room),
		cmocka_unit_test_setup_teardown(test_invented_batteries_never_reset_a_real_ones_limit, setup_gate,
						teardown_gate),
		cmocka_unit_test_setup_teardown(test_long_keys_are_told_apart, setup_gate, teardown_gate),
		cmocka_unit_test_setup_teardown(test_clock_going_back_does_not_block, setup_gate,
						teardown_gate),
		cmocka_unit_test(test_zero_interval_limits_nothing),
		cmocka_unit_test_setup_teardown(test_descriptions, setup_gate, teardown_gate),
		cmocka_unit_test_setup_teardown(test_missing_inputs_limit_nothing, setup_gate,
						teardown_gate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
