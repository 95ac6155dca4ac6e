/*
 * Energy management on the real broker and the simulator (docs/energy.md):
 * a compressed day of sun, clouds, a house and two cars whose chargers
 * follow their limits with a lag, the grid meter computed by this test from
 * the cars' draw on the TWC topics; then the run-time topics, a meter that
 * sends nonsense, and the options that must stop the broker.
 *
 * The day's figures (section "How it is checked") are judged at the end of
 * each phase, once the rule had time to act (a raise waits up to 5 s, a car
 * follows in 1.5 s), and printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twc_rig.h"

#define VOLTS 230
#define MARGIN_W 100
#define MIN_AMPS 6
#define POOL 32
#define PHASE_S 8
#define METER_PERIOD_MS 500

static const char *const day_sim[] = {"--slave", "4085:2:32", "--slave", "2433:1:32", "--car-lag-ms", "1500", NULL};
static const char day_options[] = "plugin_opt_energy_mode surplus\n"
				  "plugin_opt_energy_grid_topic house/grid\n"
				  "plugin_opt_energy_voltage 230\n"
				  "plugin_opt_energy_start_s 2\n"
				  "plugin_opt_energy_stop_s 4\n"
				  "plugin_opt_energy_meter_timeout_s 2\n";

struct phase {
	const char *clock;
	long solar_w, house_w;
	bool meter_silent;
	const char *plug;	/* a car plugs in at the start of the phase (demand 32 A) */
};

static const struct phase day[] = {
	{"08:00", 1500, 400, false, "4085"}, /* 4 A available: below the minimum */
	{"09:00", 3000, 400, false, NULL},   /* 10 A: the first car starts */
	{"11:00", 6500, 500, false, "2433"}, /* 25 A: shared by two cars */
	{"13:00", 1200, 500, false, NULL},   /* a cloud: held at the minimum, then stopped */
	{"13:30", 7000, 500, false, NULL},   /* the sun is back */
	{"15:00", 7000, 500, true, NULL},    /* the meter falls silent: stale, 0 */
	{"15:30", 4000, 600, false, NULL},   /* it is back */
	{"18:00", 800, 600, false, NULL},    /* evening: stopped */
};
#define PHASES (sizeof(day) / sizeof(day[0]))

static long amps_value(const char *suffix)
{
	const char *v = rig_value(suffix);
	return v ? (long)(atof(v) * 100 + 0.5) : 0; /* centiamps */
}

static long car_w(void)
{
	return (amps_value("4085/ampsInUse") + amps_value("2433/ampsInUse")) * VOLTS / 100;
}

/* A field of the last energy/status, as a number; def when absent or null. */
static long status_number(const char *key, long def)
{
	const char *s = rig_value("energy/status");
	char pattern[48];
	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	const char *at = s ? strstr(s, pattern) : NULL;
	if (!at || strncmp(at + strlen(pattern), "null", 4) == 0)
		return def;
	return strtol(at + strlen(pattern), NULL, 10);
}

static bool status_reason_is(const char *reason)
{
	const char *s = rig_value("energy/status");
	char pattern[48];
	snprintf(pattern, sizeof(pattern), "\"reason\":\"%s\"", reason);
	return s && strstr(s, pattern);
}

static void status_reason(char *out, size_t size)
{
	const char *s = rig_value("energy/status");
	const char *at = s ? strstr(s, "\"reason\":\"") : NULL;
	snprintf(out, size, "%.*s", at ? (int)strcspn(at + 10, "\"") : 1, at ? at + 10 : "?");
}

static void test_a_compressed_day(void **state)
{
	(void)state;
	struct rig_setup rs = {.sim_args = day_sim, .options = day_options};
	rig_up(&rs);
	rig_join();
	rig_watch_also("house/#");
	struct eb_client *meter = eb_client_simple(rig_broker()->port, "meter", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(meter);

	long worst_unused = 0, worst_import = 0;
	int judged_unused = 0, judged_import = 0;
	size_t from = eb_sim_mark(rig_sim());
	printf("%-6s %7s %7s %7s %7s %7s  %-14s %8s %8s\n", "time", "solar", "house", "cars", "grid", "offer",
	       "reason", "unused", "car imp");
	for (size_t p = 0; p < PHASES; p++) {
		const struct phase *ph = &day[p];
		if (ph->plug) {
			rig_do("plug %s %s", ph->plug, strcmp(ph->plug, "4085") == 0 ? VIN_A : VIN_B);
			rig_do("charge %s 32", ph->plug);
		}
		int64_t end = eb_now_us() + PHASE_S * 1000000LL;
		while (eb_now_us() < end) {
			if (!ph->meter_silent) {
				char grid[32];
				snprintf(grid, sizeof(grid), "%ld", ph->house_w - ph->solar_w + car_w());
				assert_int_equal(eb_client_publish_str(meter, "house/grid", grid, 0), 0);
				rig_pump_until("house/grid", 2000); /* the board now has the cars' latest draw */
			} else {
				rig_pump_for(0);
			}
			rig_pump_for(METER_PERIOD_MS);
		}
		/* Settled: the phase's figures. */
		long grid = ph->house_w - ph->solar_w + car_w();
		long offer = status_number("offered_amps", -1);
		char reason[32];
		status_reason(reason, sizeof(reason));
		bool could_charge = status_reason_is("surplus") && offer < POOL;
		long unused = could_charge && grid < 0 ? -grid : 0;
		long import = grid > 0 ? (grid < car_w() ? grid : car_w()) : 0;
		printf("%-6s %7ld %7ld %7ld %7ld %7ld  %-14s %8ld %8ld\n", ph->clock, ph->solar_w, ph->house_w, car_w(),
		       ph->meter_silent ? 0 : grid, offer, reason, unused, import);
		if (could_charge) {
			judged_unused++;
			worst_unused = unused > worst_unused ? unused : worst_unused;
		}
		if (!status_reason_is("stopping")) {
			judged_import++;
			worst_import = import > worst_import ? import : worst_import;
		}
		if (ph->meter_silent && (offer != 0 || !status_reason_is("meter_stale")))
			fail_msg("at %s the meter was silent for %d s, the offer is %ld (%s)", ph->clock, PHASE_S, offer,
				 reason);
	}
	size_t stops_a = eb_sim_count(rig_sim(), from, "rx FCB2 from 7777 to 4085");
	size_t zero_b = eb_sim_count(rig_sim(), from, "limit 2433 0 ");
	size_t limits = eb_sim_count(rig_sim(), from, "limit ");
	printf("unused export while a car could charge: worst %ld W over %d phases (bound %d W)\n", worst_unused,
	       judged_unused, MARGIN_W + VOLTS);
	printf("import caused by the cars outside stopping: worst %ld W over %d phases (bound %d W)\n", worst_import,
	       judged_import, MIN_AMPS * VOLTS);
	printf("stops: 4085 (protocol 2) %zu FC B2, 2433 (protocol 1) %zu limits of 0; %zu limit changes in all\n",
	       stops_a, zero_b, limits);
	assert_true(judged_unused >= 3); /* the figure was judged where it matters */
	if (worst_unused > MARGIN_W + VOLTS)
		fail_msg("%ld W exported while a car could have taken them", worst_unused);
	if (worst_import >= MIN_AMPS * VOLTS)
		fail_msg("the cars caused %ld W of import outside stopping", worst_import);
	/* The cloud, the silent meter and the evening: three stops each at most. */
	assert_true(stops_a >= 1 && stops_a <= 3);
	assert_true(zero_b >= 1 && zero_b <= 3);
	/* Positive control: the cars did charge from the sun. */
	assert_true(rig_seen("4085/carsCharging", "1"));
	assert_true(rig_seen("2433/carsCharging", "1"));
	eb_client_disconnect(meter);
}

static const char *const one_sim[] = {"--slave", "4085:2:32", NULL};

/* Waits until energy/status holds text. */
static void expect_status(const char *text, int within_ms)
{
	int64_t end = eb_now_us() + (int64_t)eb_timeout_ms(within_ms) * 1000;
	while (eb_now_us() < end) {
		const char *s = rig_value("energy/status");
		if (s && strstr(s, text))
			return;
		rig_pump_for(100);
	}
	fail_msg("energy/status never held %s within %d ms; last %s", text, within_ms, rig_value("energy/status"));
}

static void expect_refused(struct eb_client *c, const char *topic, const char *payload, const char *why)
{
	unsigned errors = rig_updates("energy/error");
	int rc = eb_client_publish_str(c, topic, payload, 1);
	if (rc != MQTT_RC_NOT_AUTHORIZED)
		fail_msg("%s \"%s\": expected 0x87, got %d", topic, payload, rc);
	const char *report = rig_expect_update("energy/error", errors, 2000);
	if (!strstr(report, why))
		fail_msg("%s \"%s\": the report %s does not say %s", topic, payload, report, why);
}

static void test_run_time_topics_and_a_bad_meter(void **state)
{
	(void)state;
	struct rig_setup rs = {.sim_args = one_sim,
			       .options = "plugin_opt_energy_grid_topic house/meter\n"
					  "plugin_opt_energy_grid_field emeters.0.power\n"
					  "plugin_opt_energy_grid_import_positive off\n"
					  "plugin_opt_energy_schedule 00:00-23:59@10\n"};
	rig_up(&rs);
	rig_join();
	rig_expect("energy/mode", "charge_now", RIG_CHANGE_MS);
	struct eb_client *app = eb_client_simple(rig_broker()->port, "app", "phone", MQTT_PROTOCOL_V5);
	assert_non_null(app);
	rig_do("plug 4085 " VIN_A);
	rig_do("charge 4085 32");
	rig_expect_limit("4085", 3200, 4 * RIG_CHANGE_MS);

	/* The meter's JSON, export positive: 2000 W exported. A bad reading is reported, and still delivered. */
	rig_watch_also("house/#");
	assert_int_equal(eb_client_publish_str(app, "house/meter", "{\"emeters\":[{\"power\":2000}]}", 1), 0);
	rig_pump_until("house/meter", 2000);
	unsigned errors = rig_updates("energy/error");
	assert_int_equal(eb_client_publish_str(app, "house/meter", "{\"emeters\":[{\"power\":\"lots\"}]}", 1), 0);
	const char *report = rig_expect_update("energy/error", errors, 2000);
	if (!strstr(report, "emeters.0.power"))
		fail_msg("the meter's refusal: %s", report);
	assert_true(rig_log_lines_with("grid meter reading", "refused") == 1);
	assert_int_equal(eb_client_publish_str(app, "house/meter", "not json", 1), 0);
	rig_expect_update("energy/error", errors + 1, 2000);
	assert_true(rig_log_lines_with("grid meter reading", "refused") == 1); /* once a minute at most */

	assert_int_equal(eb_client_publish_str(app, "TWC/energy/mode/set", "stop", 1), 0);
	rig_expect("energy/mode", "stop", RIG_CHANGE_MS);
	rig_expect_limit("4085", 0, 2 * RIG_CHANGE_MS);
	expect_status("\"reason\":\"stopped\"", RIG_CHANGE_MS);
	expect_status("\"grid_w\":-2000", 100);
	expect_refused(app, "TWC/energy/mode/set", "turbo", "the mode must be one of");
	expect_refused(app, "TWC/energy/chargeNow/set", "16", "chargeNow must be");
	expect_refused(app, "TWC/energy/chargeNow/set", "16,3600,1", "chargeNow must be");
	rig_expect("energy/mode", "stop", 100);

	/* Charge-now above the pool: clamped and said; the restart waits for the holdoff (60 s) of the stop. */
	assert_int_equal(eb_client_publish_str(app, "TWC/energy/chargeNow/set", "40,600", 1), 0);
	size_t cursor = eb_sim_mark(rig_sim());
	expect_status("\"charge_now_clamped\":true", 2000);
	expect_status("\"offered_amps\":32", 6000); /* a raise waits 5 s after the last change */
	assert_false(eb_sim_wait(rig_sim(), &cursor, "limit 4085 ", 2000, NULL)); /* the stop's 60 s holdoff */
	assert_int_equal(eb_client_publish_str(app, "TWC/energy/chargeNow/set", "0,0", 1), 0);
	assert_int_equal(eb_client_publish_str(app, "TWC/energy/mode/set", "schedule", 1), 0);
	rig_expect("energy/mode", "schedule", RIG_CHANGE_MS);
	expect_status("\"offered_amps\":10,", 7000); /* 0,0 stopped it a moment ago: the raise waits 5 s */
	expect_status("\"reason\":\"schedule\"", 100);
	/* Nobody may publish the plugin's own energy topics. */
	assert_int_equal(eb_client_publish_str(app, "TWC/energy/status", "{}", 1), MQTT_RC_NOT_AUTHORIZED);
	eb_client_disconnect(app);
}

static void test_bad_energy_options_stop_the_broker(void **state)
{
	(void)state;
	static const struct {
		const char *lines, *message;
	} cases[] = {
		{"plugin_opt_energy_mode surplus\n", "option plugin_opt_energy_mode: needs plugin_opt_twc_port"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_mode surplus\n",
		 "option plugin_opt_energy_mode: surplus needs a grid meter"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_phases 2\n", "plugin_opt_energy_phases: expected 1 or 3"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_schedule 22:00-22:00\n",
		 "plugin_opt_energy_schedule: window '22:00-22:00'"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_grid_topic TWC/grid\n",
		 "plugin_opt_energy_grid_topic: expected a topic outside the plugin's own"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_grid_field a..b\nplugin_opt_energy_grid_topic m\n",
		 "plugin_opt_energy_grid_field: expected a dotted path"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_battery HMG-50\n",
		 "plugin_opt_energy_battery: expected <type>/<id>"},
		{"plugin_opt_twc_port tcp://127.0.0.1:9\nplugin_opt_energy_start_s -1\n",
		 "plugin_opt_energy_start_s: expected an integer from 0 to 3600"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(eb_broker_refuses_to_start(cases[i].lines, cases[i].message));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_a_compressed_day, rig_down),
		cmocka_unit_test_teardown(test_run_time_topics_and_a_bad_meter, rig_down),
		cmocka_unit_test(test_bad_energy_options_stop_the_broker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
