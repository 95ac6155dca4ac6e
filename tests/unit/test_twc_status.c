/* twc_status: the status topics and when they are published (docs/twc.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "twc_status.h"

static const char *amps(uint32_t centiamps)
{
	static char buf[16];
	size_t len = twc_format_centiamps(centiamps, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	return buf;
}

static void test_amps_print_without_trailing_zeros(void **state)
{
	(void)state;
	assert_string_equal(amps(0), "0");
	assert_string_equal(amps(852), "8.52");
	assert_string_equal(amps(850), "8.5");
	assert_string_equal(amps(3200), "32");
	assert_string_equal(amps(5), "0.05");
	assert_string_equal(amps(1624), "16.24");
	assert_string_equal(amps(1451), "14.51");
	assert_string_equal(amps(65535), "655.35");
	assert_string_equal(amps(196605), "1966.05");
	char small[4];
	twc_format_centiamps(852, small, sizeof(small));
	assert_string_equal(small, "8.5");
}

/* Takes the updates due; returns how many, and the value of topic (or NULL). */
static size_t take(struct twc_status *st, int64_t now, const char *topic, const char **value)
{
	static struct twc_status_update up[128];
	size_t n = twc_status_take(st, now, up, 128);
	if (value != NULL) {
		*value = NULL;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(up[i].topic, topic) == 0)
				*value = up[i].value;
		}
	}
	return n;
}

static void test_unknown_values_are_never_published(void **state)
{
	(void)state;
	struct twc_status st;
	twc_status_init(&st, 60);
	assert_int_equal(take(&st, 0, "", NULL), 0);
	assert_int_equal(twc_status_next_deadline(&st, 0), INT64_MAX);
	assert_int_equal(twc_status_set_slave(&st, 0x4085, TWC_TOPIC_STATE, "1"), 0);
	const char *v;
	assert_int_equal(take(&st, 0, "4085/state", &v), 1);
	assert_string_equal(v, "1");
	/* The other ten topics of 4085 stay unpublished, even on refresh. */
	assert_int_equal(take(&st, 600000, "4085/state", &v), 1);
}

static void test_published_on_change_and_every_refresh(void **state)
{
	(void)state;
	struct twc_status st;
	const char *v;
	twc_status_init(&st, 60);
	twc_status_set_global(&st, TWC_TOPIC_MAX_AMPS_FOR_SLAVES, "32");
	assert_int_equal(twc_status_next_deadline(&st, 5), 5);
	assert_int_equal(take(&st, 5, "config/maxAmpsForSlaves", &v), 1);
	assert_string_equal(v, "32");
	/* Setting the same text is no change. */
	twc_status_set_global(&st, TWC_TOPIC_MAX_AMPS_FOR_SLAVES, "32");
	assert_int_equal(take(&st, 6, "", NULL), 0);
	assert_int_equal(twc_status_next_deadline(&st, 6), 60005);
	assert_int_equal(take(&st, 60004, "", NULL), 0);
	assert_int_equal(take(&st, 60005, "config/maxAmpsForSlaves", &v), 1);
	assert_string_equal(v, "32");
	/* A change goes out at once, and restarts the refresh clock. */
	twc_status_set_global(&st, TWC_TOPIC_MAX_AMPS_FOR_SLAVES, "20");
	assert_int_equal(twc_status_next_deadline(&st, 70000), 70000);
	assert_int_equal(take(&st, 70000, "config/maxAmpsForSlaves", &v), 1);
	assert_string_equal(v, "20");
	assert_int_equal(twc_status_next_deadline(&st, 70001), 130000);
}

static void test_refresh_period_is_configurable(void **state)
{
	(void)state;
	struct twc_status st;
	twc_status_init(&st, 5);
	twc_status_set_slave(&st, 0x0A1B, TWC_TOPIC_AMPS_IN_USE, "8.52");
	const char *v;
	assert_int_equal(take(&st, 0, "0A1B/ampsInUse", &v), 1);
	assert_int_equal(take(&st, 4999, "", NULL), 0);
	assert_int_equal(take(&st, 5000, "0A1B/ampsInUse", &v), 1);
	assert_string_equal(v, "8.52");
}

static void test_topic_names(void **state)
{
	(void)state;
	static const char *const expect[TWC_SLAVE_TOPIC_COUNT] = {
		"00AB/ampsInUse", "00AB/ampsMax", "00AB/carsCharging", "00AB/currentVehicleVIN",
		"00AB/lastVehicleVIN", "00AB/lifetimekWh", "00AB/power", "00AB/state",
		"00AB/voltagePhaseA", "00AB/voltagePhaseB", "00AB/voltagePhaseC",
	};
	struct twc_status st;
	twc_status_init(&st, 60);
	for (int t = 0; t < TWC_SLAVE_TOPIC_COUNT; t++)
		twc_status_set_slave(&st, 0x00AB, (enum twc_slave_topic)t, "1");
	twc_status_set_global(&st, TWC_TOPIC_TOTAL_AMPS_IN_USE, "0");
	twc_status_set_global(&st, TWC_TOPIC_MIN_AMPS_PER_TWC, "6");
	struct twc_status_update up[32];
	size_t n = twc_status_take(&st, 0, up, 32);
	assert_int_equal(n, TWC_SLAVE_TOPIC_COUNT + 2);
	assert_string_equal(up[0].topic, "all/totalAmpsInUse");
	assert_string_equal(up[1].topic, "config/minAmpsPerTWC");
	for (int t = 0; t < TWC_SLAVE_TOPIC_COUNT; t++)
		assert_string_equal(up[2 + t].topic, expect[t]);
}

static void test_empty_value_and_long_values(void **state)
{
	(void)state;
	struct twc_status st;
	const char *v;
	twc_status_init(&st, 60);
	assert_int_equal(twc_status_set_slave(&st, 1, TWC_TOPIC_CURRENT_VIN, "5YJ3E1EA2KF317000"), 0);
	take(&st, 0, "0001/currentVehicleVIN", &v);
	assert_string_equal(v, "5YJ3E1EA2KF317000");
	/* Session over: an empty value is a value, published like any other. */
	assert_int_equal(twc_status_set_slave(&st, 1, TWC_TOPIC_CURRENT_VIN, ""), 0);
	take(&st, 1, "0001/currentVehicleVIN", &v);
	assert_non_null(v);
	assert_string_equal(v, "");
	char too_long[TWC_STATUS_VALUE_MAX + 1];
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_int_equal(twc_status_set_slave(&st, 1, TWC_TOPIC_STATE, too_long), -1);
	assert_int_equal(twc_status_set_slave(&st, 1, TWC_SLAVE_TOPIC_COUNT, "1"), -1);
	assert_int_equal(twc_status_set_global(&st, TWC_GLOBAL_TOPIC_COUNT, "1"), -1);
}

static void test_what_does_not_fit_stays_due(void **state)
{
	(void)state;
	struct twc_status st;
	twc_status_init(&st, 60);
	for (int t = 0; t < TWC_SLAVE_TOPIC_COUNT; t++)
		twc_status_set_slave(&st, 0x4085, (enum twc_slave_topic)t, "7");
	struct twc_status_update up[4];
	size_t total = 0, n;
	while ((n = twc_status_take(&st, 0, up, 4)) > 0) {
		assert_true(n <= 4);
		total += n;
	}
	assert_int_equal(total, TWC_SLAVE_TOPIC_COUNT);
	assert_int_equal(twc_status_next_deadline(&st, 0), 60000);
}

static void test_retired_slave_flushes_then_stays_quiet(void **state)
{
	(void)state;
	struct twc_status st;
	const char *v;
	twc_status_init(&st, 60);
	twc_status_set_slave(&st, 0x4085, TWC_TOPIC_AMPS_IN_USE, "8.52");
	twc_status_set_slave(&st, 0x4085, TWC_TOPIC_STATE, "1");
	take(&st, 0, "", NULL);
	twc_status_set_slave(&st, 0x4085, TWC_TOPIC_AMPS_IN_USE, "0");
	twc_status_retire_slave(&st, 0x4085);
	/* The last change goes out; the unchanged state does not. */
	assert_int_equal(take(&st, 10, "4085/ampsInUse", &v), 1);
	assert_string_equal(v, "0");
	assert_int_equal(take(&st, 600000, "", NULL), 0);
	assert_int_equal(twc_status_next_deadline(&st, 600000), INT64_MAX);
	/* Back again: it starts afresh, its old values forgotten. */
	twc_status_set_slave(&st, 0x4085, TWC_TOPIC_AMPS_IN_USE, "0");
	assert_int_equal(take(&st, 600001, "4085/ampsInUse", &v), 1);
	assert_string_equal(v, "0");
}

static void test_slaves_coming_and_going_keep_their_last_change(void **state)
{
	(void)state;
	struct twc_status st;
	twc_status_init(&st, 60);
	/* Three on the bus, then three that left before anything was taken. */
	for (uint16_t id = 1; id <= 6; id++) {
		twc_status_set_slave(&st, id, TWC_TOPIC_AMPS_IN_USE, "1");
		if (id > 3)
			twc_status_retire_slave(&st, id);
	}
	assert_int_equal(take(&st, 0, "", NULL), 6);
	/* A seventh needs a place: a leaver that has said everything makes room. */
	assert_int_equal(twc_status_set_slave(&st, 7, TWC_TOPIC_STATE, "0"), 0);
	const char *v;
	assert_int_equal(take(&st, 1, "0007/state", &v), 1);
	assert_string_equal(v, "0");
	/* Even with every leaver's change still pending, a newcomer gets a place. */
	for (uint16_t id = 10; id < 40; id++) {
		assert_int_equal(twc_status_set_slave(&st, id, TWC_TOPIC_STATE, "0"), 0);
		twc_status_retire_slave(&st, id);
	}
	assert_int_equal(twc_status_set_slave(&st, 99, TWC_TOPIC_STATE, "0"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amps_print_without_trailing_zeros),
		cmocka_unit_test(test_unknown_values_are_never_published),
		cmocka_unit_test(test_published_on_change_and_every_refresh),
		cmocka_unit_test(test_refresh_period_is_configurable),
		cmocka_unit_test(test_topic_names),
		cmocka_unit_test(test_empty_value_and_long_values),
		cmocka_unit_test(test_what_does_not_fit_stays_due),
		cmocka_unit_test(test_retired_slave_flushes_then_stays_quiet),
		cmocka_unit_test(test_slaves_coming_and_going_keep_their_last_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
