/* twc_energy and twc_schedule: the surplus rule and the charging windows (twc.md, "Energy management"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "twc_energy.h"
#include "twc_meter.h"
#include "twc_schedule.h"
#include "twc_share.h"

static struct twc_energy_config surplus_config(void)
{
	struct twc_energy_config c;
	memset(&c, 0, sizeof(c));
	c.mode = TWC_ENERGY_SURPLUS;
	c.min_amps = 6;
	c.margin_w = 100;
	c.phases = 1;
	c.volts = 230;
	c.start_s = 60;
	c.stop_s = 180;
	c.meter_timeout_s = 30;
	c.meter = true;
	c.priority_soc = 100;
	c.buffer_soc = 100;
	return c;
}

/* A house with a fresh meter reading at now; pool 32, one car plugged in. */
static struct twc_energy_readings house(long grid_w, long drawn_ca, int64_t now)
{
	struct twc_energy_readings r;
	memset(&r, 0, sizeof(r));
	r.pool_amps = 32;
	r.have_grid = true;
	r.grid_w = grid_w;
	r.grid_ms = now;
	r.drawn_ca = drawn_ca;
	r.grid_drawn_ca = drawn_ca;
	r.wanting = 1;
	r.charging = drawn_ca >= 100 ? 1 : 0;
	return r;
}

static struct twc_energy_result step(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now)
{
	struct twc_energy_result res;
	twc_energy_step(e, r, now, &res);
	return res;
}

/* Drives the rule through an active start: export of 2000 W for start_s. */
static int64_t started(struct twc_energy *e, const struct twc_energy_config *c)
{
	twc_energy_init(e, c);
	int64_t t = 0;
	struct twc_energy_readings r = house(-2000, 0, t);
	for (; t <= (int64_t)c->start_s * 1000; t += 1000) {
		r.grid_ms = t;
		step(e, &r, t);
	}
	assert_true(e->active);
	return t;
}

/* ---- available W and the target ---- */

static void test_available_is_charging_minus_grid_minus_margin(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	/* The car draws 8 A (1840 W) and 1840 W still go out: 3680 - 100 = 3580 W, 15 A. */
	struct twc_energy_readings r = house(-1840, 800, t);
	struct twc_energy_result res = step(&e, &r, t);
	assert_true(res.have_available);
	assert_int_equal(res.available_w, 1840 + 1840 - 100);
	assert_int_equal(res.target_amps, 15);
	/* Three phases: 3 x 230 W per amp; the draw counts three times too. */
	c.phases = 3;
	twc_energy_init(&e, &c);
	res = step(&e, &r, t);
	assert_int_equal(res.available_w, 3 * 1840 + 1840 - 100);
	assert_int_equal(res.target_amps, (3 * 1840 + 1840 - 100) / 690);
}

static void test_target_is_floored_and_bounded_by_the_pool(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(-(6 * 230 + 100 + 229), 0, 0);
	assert_int_equal(step(&e, &r, 0).target_amps, 6); /* 6.99 A is 6 */
	r = house(-20000, 0, 0);
	assert_int_equal(step(&e, &r, 0).target_amps, 32); /* the pool */
	r = house(5000, 0, 0);
	assert_int_equal(step(&e, &r, 0).target_amps, 0); /* import: 0, never negative */
}

static void test_volts_from_the_wall_connectors_then_230(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.volts = 0;
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(-(2400 + 100), 0, 0);
	assert_int_equal(step(&e, &r, 0).target_amps, 10); /* 2400/230 = 10.4 */
	r.volts = 240;
	assert_int_equal(step(&e, &r, 0).target_amps, 10); /* 2400/240 = 10 exactly */
	r.grid_w = -(2399 + 100);
	assert_int_equal(step(&e, &r, 0).target_amps, 9); /* 9.99 at 240 V; 10.4 at 230 V */
}

/* ---- the battery ---- */

static void test_battery_below_priority_charges_first(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.battery = true;
	c.priority_soc = 80;
	struct twc_energy e;
	twc_energy_init(&e, &c);
	/* 2000 W go into the battery, 500 W are exported. */
	struct twc_energy_readings r = house(-500, 0, 0);
	r.have_battery = true;
	r.battery_w = -2000;
	r.soc_percent = 50;
	assert_int_equal(step(&e, &r, 0).available_w, 400);
	/* At the priority SoC, what it charges with is the car's too. */
	r.soc_percent = 80;
	assert_int_equal(step(&e, &r, 0).available_w, 2400);
}

static void test_battery_discharge_is_not_surplus_unless_above_buffer(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.battery = true;
	c.priority_soc = 80;
	c.buffer_soc = 90;
	struct twc_energy e;
	int64_t t = started(&e, &c);
	/* The car draws 10 A; the battery covers 1500 W of it, the grid shows 0. */
	struct twc_energy_readings r = house(0, 1000, t);
	r.have_battery = true;
	r.battery_w = 1500;
	r.soc_percent = 85;
	struct twc_energy_result res = step(&e, &r, t);
	assert_int_equal(res.available_w, 2300 - 100 - 1500);
	r.soc_percent = 95; /* above the buffer: the discharge may go to the car */
	res = step(&e, &r, t);
	assert_int_equal(res.available_w, 2300 - 100);
}

static void test_battery_configured_but_silent_counts_as_0_and_says_so(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.battery = true;
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(-1000, 0, 0);
	struct twc_energy_result res = step(&e, &r, 0);
	assert_int_equal(res.available_w, 900);
	char json[TWC_ENERGY_STATUS_MAX];
	assert_true(twc_energy_status_json(&e, &r, &res, json, sizeof(json)) > 0);
	assert_non_null(strstr(json, "\"battery_w\":0,"));
	assert_non_null(strstr(json, "\"battery_reported\":false"));
}

/* ---- start and stop ---- */

static void test_start_only_after_start_s_above_minimum(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(-(8 * 230 + 100), 0, 0);
	struct twc_energy_result res = step(&e, &r, 0);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_STARTING);
	r.grid_ms = 59999;
	assert_int_equal(step(&e, &r, 59999).offer_amps, 0);
	r.grid_ms = 60000;
	res = step(&e, &r, 60000);
	assert_int_equal(res.offer_amps, 8);
	assert_int_equal(res.reason, TWC_REASON_SURPLUS);
	/* A dip below the minimum restarts the count. */
	twc_energy_init(&e, &c);
	step(&e, &r, 0);
	r.grid_w = 0;
	r.grid_ms = 30000;
	assert_int_equal(step(&e, &r, 30000).reason, TWC_REASON_BELOW_MINIMUM);
	r.grid_w = -(8 * 230 + 100);
	r.grid_ms = 31000;
	step(&e, &r, 31000);
	r.grid_ms = 61000;
	assert_int_equal(step(&e, &r, 61000).offer_amps, 0);
	r.grid_ms = 91000;
	assert_int_equal(step(&e, &r, 91000).offer_amps, 8);
}

static void test_stop_after_stop_s_held_at_minimum_until_then(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	/* The car draws 8 A and a cloud makes the house import 1000 W: 840 W available, 3 A. */
	struct twc_energy_readings r = house(1000, 800, t);
	struct twc_energy_result res = step(&e, &r, t);
	assert_int_equal(res.target_amps, 3);
	assert_int_equal(res.offer_amps, 6);
	assert_int_equal(res.reason, TWC_REASON_STOPPING);
	r.grid_ms = t + 179999;
	assert_int_equal(step(&e, &r, t + 179999).offer_amps, 6);
	r.grid_ms = t + 180000;
	res = step(&e, &r, t + 180000);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_BELOW_MINIMUM);
}

static void test_no_start_within_start_s_of_a_stop(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.stop_s = 0;
	c.start_s = 60;
	struct twc_energy e;
	int64_t t = started(&e, &c);
	struct twc_energy_readings r = house(3000, 600, t);
	assert_int_equal(step(&e, &r, t).offer_amps, 0); /* stop_s 0: stopped at once */
	int64_t stopped = t;
	/* The sun is back at once, and stays: the restart waits start_s from the stop. */
	r = house(-5000, 0, t + 1000);
	for (int64_t now = t + 1000; now < stopped + 60000; now += 1000) {
		r.grid_ms = now;
		assert_int_equal(step(&e, &r, now).offer_amps, 0);
	}
	r.grid_ms = stopped + 61000;
	assert_true(step(&e, &r, stopped + 61000).offer_amps > 0);
}

static void test_raise_at_most_every_5s_lower_at_once(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	struct twc_energy_readings r = house(-(10 * 230 + 100), 0, t);
	t += TWC_ENERGY_RAISE_INTERVAL_MS;
	r.grid_ms = t;
	assert_int_equal(step(&e, &r, t).offer_amps, 10);
	r.grid_w = -(20 * 230 + 100);
	r.grid_ms = t + 1000;
	assert_int_equal(step(&e, &r, t + 1000).offer_amps, 10); /* too soon */
	r.grid_ms = t + 5000;
	assert_int_equal(step(&e, &r, t + 5000).offer_amps, 20);
	r.grid_w = -(7 * 230 + 100);
	r.grid_ms = t + 5001;
	assert_int_equal(step(&e, &r, t + 5001).offer_amps, 7); /* lowered at once */
}

/* ---- faults ---- */

static void test_stale_meter_offers_0_at_once(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	struct twc_energy_readings r = house(-3000, 600, t);
	assert_true(step(&e, &r, t + 30000).offer_amps > 0); /* 30 s old: still fresh */
	struct twc_energy_result res = step(&e, &r, t + 30001);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_METER_STALE);
	assert_int_equal(res.meter_age_s, 30);
	/* No reading at all. */
	twc_energy_init(&e, &c);
	r.have_grid = false;
	res = step(&e, &r, 0);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_METER_STALE);
}

static void test_charge_now_clamped_to_the_pool_and_ends(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(500, 0, 0);
	twc_energy_charge_now(&e, 40, 10, 0);
	struct twc_energy_result res = step(&e, &r, 0);
	assert_int_equal(res.offer_amps, 32);
	assert_true(res.charge_now_clamped);
	assert_int_equal(res.reason, TWC_REASON_CHARGE_NOW);
	r.grid_ms = 9999;
	assert_int_equal(step(&e, &r, 9999).offer_amps, 32);
	/* Back to surplus: the car charging at 32 A is held at the minimum, then stopped. */
	r.drawn_ca = r.grid_drawn_ca = 3200;
	r.charging = 1;
	r.grid_w = 7000;
	r.grid_ms = 10000;
	res = step(&e, &r, 10000);
	assert_int_equal(res.reason, TWC_REASON_STOPPING);
	assert_int_equal(res.offer_amps, 6);
	/* 0,0 ends one early. */
	twc_energy_charge_now(&e, 16, 3600, 20000);
	assert_int_equal(step(&e, &r, 20000).reason, TWC_REASON_CHARGE_NOW);
	twc_energy_charge_now(&e, 0, 0, 21000);
	assert_int_not_equal(step(&e, &r, 21000).reason, TWC_REASON_CHARGE_NOW);
}

static void test_modes(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	c.mode = TWC_ENERGY_CHARGE_NOW;
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(3000, 0, 0);
	assert_int_equal(step(&e, &r, 0).offer_amps, 32);
	twc_energy_set_mode(&e, TWC_ENERGY_STOP);
	struct twc_energy_result res = step(&e, &r, 0);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_STOPPED);
	/* min_surplus: the minimum for each car that wants current, more when the sun allows. */
	twc_energy_set_mode(&e, TWC_ENERGY_MIN_SURPLUS);
	r.wanting = 2;
	assert_int_equal(step(&e, &r, 10000).offer_amps, 12);
	r.grid_w = -(20 * 230 + 100);
	assert_int_equal(step(&e, &r, 20000).offer_amps, 20);
	assert_int_equal(twc_energy_mode_parse("min_surplus", 11), TWC_ENERGY_MIN_SURPLUS);
	assert_int_equal(twc_energy_mode_parse("surplus ", 8), -1);
	assert_string_equal(twc_energy_mode_name(TWC_ENERGY_SCHEDULE), "schedule");
}

static void test_schedule_mode_windows_and_outside(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	char err[160];
	assert_int_equal(twc_schedule_parse("22:00-06:00@16/mon-fri", &c.schedule, err, sizeof(err)), 0);
	c.mode = TWC_ENERGY_SCHEDULE;
	c.meter = false;
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r = house(0, 0, 0);
	r.have_grid = false;
	r.weekday = 5; /* Friday 23:00 */
	r.minute = 23 * 60;
	struct twc_energy_result res = step(&e, &r, 0);
	assert_int_equal(res.offer_amps, 16);
	assert_int_equal(res.reason, TWC_REASON_SCHEDULE);
	r.weekday = 6; /* Saturday 05:59: Friday's window */
	r.minute = 5 * 60 + 59;
	assert_int_equal(step(&e, &r, 1000).offer_amps, 16);
	r.minute = 6 * 60; /* over; no meter: nothing */
	res = step(&e, &r, 2000);
	assert_int_equal(res.offer_amps, 0);
	assert_int_equal(res.reason, TWC_REASON_SCHEDULE);
	/* Outside with a stale meter: 0, meter_stale. */
	c.meter = true;
	twc_energy_init(&e, &c);
	res = step(&e, &r, 3000);
	assert_int_equal(res.reason, TWC_REASON_METER_STALE);
}

static void test_schedule_parser(void **state)
{
	(void)state;
	struct twc_schedule s;
	char err[160];
	int amps = 0;
	assert_int_equal(twc_schedule_parse("01:30-05:00 22:00-23:00@10/sat,sun fri-mon", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "fri-mon"));
	assert_int_equal(twc_schedule_parse("01:30-05:00 22:00-23:00@10/sat,sun 12:00-13:00/fri-mon", &s, err,
					    sizeof(err)),
			 0);
	assert_int_equal(s.count, 3);
	assert_true(twc_schedule_match(&s, 3, 90, &amps));
	assert_int_equal(amps, -1);
	assert_false(twc_schedule_match(&s, 3, 300, &amps));
	assert_true(twc_schedule_match(&s, 0, 22 * 60 + 30, &amps));
	assert_int_equal(amps, 10);
	assert_false(twc_schedule_match(&s, 1, 22 * 60 + 30, &amps));
	assert_true(twc_schedule_match(&s, 6, 12 * 60, &amps));  /* fri-mon wraps: Saturday */
	assert_false(twc_schedule_match(&s, 3, 12 * 60, &amps)); /* Wednesday is not in it */
	assert_int_equal(twc_schedule_parse("", &s, err, sizeof(err)), 0);
	assert_int_equal(s.count, 0);
	static const char *const bad[] = {"24:00-01:00", "10:60-11:00", "10:00-10:00", "1:00-02:00",
					  "10:00-11:00@", "10:00-11:00@1001", "10:00-11:00/funday",
					  "10:00-11:00/mon,", "10:00-11:00x", "10:00", "-"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (twc_schedule_parse(bad[i], &s, err, sizeof(err)) != -1 || err[0] == '\0')
			fail_msg("'%s' was not refused with a reason", bad[i]);
		assert_int_equal(s.count, 0);
	}
}

static void test_charge_now_parser(void **state)
{
	(void)state;
	int amps;
	long seconds;
	char err[200];
	assert_int_equal(twc_energy_parse_charge_now("16,3600", 7, &amps, &seconds, err, sizeof(err)), 0);
	assert_int_equal(amps, 16);
	assert_int_equal(seconds, 3600);
	assert_int_equal(twc_energy_parse_charge_now("0,0", 3, &amps, &seconds, err, sizeof(err)), 0);
	static const char *const bad[] = {"16", "16,", ",3600", "-1,10", "16,3600 ", " 16,3600", "16.5,10",
					  "1001,10", "16,604801", "16,36000000000", "", "a,b", "16;3600"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (twc_energy_parse_charge_now(bad[i], strlen(bad[i]), &amps, &seconds, err, sizeof(err)) != -1)
			fail_msg("'%s' was accepted", bad[i]);
}

/* A car that follows a lowered limit before the meter speaks again does not lower it again. */
static void test_a_lagging_meter_is_not_counted_twice(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	t += TWC_ENERGY_RAISE_INTERVAL_MS;
	/* The car draws 20 A and the house imports 1000 W: 20 * 230 - 1000 - 100 = 3500 W, 15 A. */
	struct twc_energy_readings r = house(1000, 2000, t);
	assert_int_equal(step(&e, &r, t).offer_amps, 15);
	/* The car follows to 15 A; the meter has not spoken since: still 15 A, not 10. */
	r.drawn_ca = 1500;
	assert_int_equal(step(&e, &r, t + 1000).offer_amps, 15);
	/* The meter's next reading sees the new draw: still 15 A. */
	r.grid_w = 1000 - 5 * 230;
	r.grid_drawn_ca = 1500;
	r.grid_ms = t + 2000;
	assert_int_equal(step(&e, &r, t + 2000).offer_amps, 15);
}

static void test_status_json_example(void **state)
{
	(void)state;
	struct twc_energy_config c = surplus_config();
	struct twc_energy e;
	int64_t t = started(&e, &c);
	t += TWC_ENERGY_RAISE_INTERVAL_MS;
	struct twc_energy_readings r = house(-1840, 0, t - 2000);
	struct twc_energy_result res = step(&e, &r, t);
	char json[TWC_ENERGY_STATUS_MAX];
	assert_true(twc_energy_status_json(&e, &r, &res, json, sizeof(json)) > 0);
	assert_string_equal(json, "{\"mode\":\"surplus\",\"grid_w\":-1840,\"battery_w\":null,\"available_w\":1740,"
				  "\"target_amps\":7,\"offered_amps\":7,\"charging\":false,\"meter_age_s\":2,"
				  "\"reason\":\"surplus\"}");
}

/* ---- the meter's payload ---- */

static long meter(const char *payload, const char *field, bool import_positive, int expect_rc)
{
	long w = 12345;
	char err[160] = "";
	int rc = twc_meter_parse(payload, strlen(payload), field, import_positive, &w, err, sizeof(err));
	if (rc != expect_rc)
		fail_msg("'%s' (field %s): rc %d, expected %d (%s)", payload, field ? field : "-", rc, expect_rc, err);
	if (rc != 0 && err[0] == '\0')
		fail_msg("'%s': refused without a reason", payload);
	return w;
}

static void test_meter_payloads(void **state)
{
	(void)state;
	assert_int_equal(meter("-1840", NULL, true, 0), -1840);
	assert_int_equal(meter("512.5\n", "", true, 0), 513);
	assert_int_equal(meter("1840", NULL, false, 0), -1840); /* export positive */
	assert_int_equal(meter("{\"total_act_power\":-230.4}", "total_act_power", true, 0), -230);
	assert_int_equal(meter("{\"ENERGY\":{\"Power\":450}}", "ENERGY.Power", true, 0), 450);
	assert_int_equal(meter("{\"emeters\":[{\"power\":1},{\"power\":-99}]}", "emeters.1.power", true, 0), -99);
	static const char *const bad_plain[] = {"", "-", "1e3", " 12", "12 ", "0x10", "1.", ".5", "1234567890",
						"1.1234567", "NaN", "inf", "--1", "12W"};
	for (size_t i = 0; i < sizeof(bad_plain) / sizeof(bad_plain[0]); i++)
		meter(bad_plain[i], NULL, true, -1);
	meter("{\"ENERGY\":{\"Power\":\"450\"}}", "ENERGY.Power", true, -1); /* a string, not a number */
	meter("{\"ENERGY\":{}}", "ENERGY.Power", true, -1);
	meter("{\"emeters\":[]}", "emeters.0.power", true, -1);
	meter("[1,2]", "a", true, -1);
	meter("{\"p\":1e300}", "p", true, -1); /* not a house */
	meter("{\"p\":1", "p", true, -1);
	meter("450", "p", true, -1);
}

/* ---- randomised: thousands of meter traces ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int rng_int(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

#define TRACES 3000

static void test_invariants_over_random_meter_traces(void **state)
{
	(void)state;
	unsigned long starts = 0, stops = 0, stale_steps = 0, raises_held = 0;
	for (uint64_t seed = 1; seed <= TRACES; seed++) {
		uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 7;
		struct twc_energy_config c = surplus_config();
		c.min_amps = rng_int(&rng, 1, 12);
		c.margin_w = rng_int(&rng, 0, 500);
		c.phases = rng_int(&rng, 0, 1) ? 3 : 1;
		c.start_s = rng_int(&rng, 0, 120);
		c.stop_s = rng_int(&rng, 0, 300);
		c.meter_timeout_s = rng_int(&rng, 5, 60);
		c.battery = rng_int(&rng, 0, 1);
		c.priority_soc = rng_int(&rng, 0, 100);
		c.buffer_soc = rng_int(&rng, 0, 100);
		struct twc_energy e;
		twc_energy_init(&e, &c);
		struct twc_energy_readings r = house(0, 0, 0);
		r.pool_amps = rng_int(&rng, 0, 48);
		r.have_grid = false;
		long solar = rng_int(&rng, 0, 12000), load = rng_int(&rng, 100, 3000);
		int last_offer = 0;
		int64_t last_change = INT64_MIN, last_stop = INT64_MIN;
		bool silent = false;
		for (int64_t now = 0; now < 1800000; now += rng_int(&rng, 200, 3000)) {
			/* The sun drifts, clouds pass, the meter falls silent now and then. */
			solar += rng_int(&rng, -400, 400);
			if (rng_int(&rng, 0, 50) == 0)
				solar /= 4;
			solar = solar < 0 ? 0 : solar > 15000 ? 15000 : solar;
			load = rng_int(&rng, 0, 20) == 0 ? rng_int(&rng, 100, 6000) : load;
			if (rng_int(&rng, 0, silent ? 30 : 400) == 0)
				silent = !silent;
			if (rng_int(&rng, 0, 200) == 0)
				r.pool_amps = rng_int(&rng, 0, 48);
			long per_amp = 230L * c.phases;
			if (!silent) {
				r.have_grid = true;
				r.grid_w = load - solar + r.drawn_ca * per_amp / 100 + rng_int(&rng, -50, 50);
				r.grid_ms = now;
				r.grid_drawn_ca = r.drawn_ca;
			}
			r.have_battery = c.battery && rng_int(&rng, 0, 5) != 0;
			r.soc_percent = rng_int(&rng, 0, 100);
			r.battery_w = rng_int(&rng, -3000, 3000);
			r.volts = rng_int(&rng, 0, 1) ? 0 : rng_int(&rng, 200, 250);
			struct twc_energy_result res;
			twc_energy_step(&e, &r, now, &res);
			int offer = res.offer_amps;
			/* The pool of the moment, shared: never more than the pool. */
			struct twc_share_slave cars[2] = {{true, 32, 1}, {rng_int(&rng, 0, 1) == 1, 16, 2}};
			int amps[2];
			assert_int_equal(twc_share_split(offer, c.min_amps, cars, 2, amps), 0);
			if (offer < 0 || offer > r.pool_amps || amps[0] + amps[1] > r.pool_amps)
				fail_msg("seed %llu: offer %d, shared %d+%d, pool %d", (unsigned long long)seed, offer,
					 amps[0], amps[1], r.pool_amps);
			if (offer > last_offer && last_change != INT64_MIN &&
			    now - last_change < TWC_ENERGY_RAISE_INTERVAL_MS)
				fail_msg("seed %llu at %lld: raised %lld ms after a change", (unsigned long long)seed,
					 (long long)now, (long long)(now - last_change));
			if (last_offer == 0 && offer > 0 && last_stop != INT64_MIN && now - last_stop < c.start_s * 1000L)
				fail_msg("seed %llu at %lld: started %lld ms after a stop", (unsigned long long)seed,
					 (long long)now, (long long)(now - last_stop));
			bool stale = !r.have_grid || now - r.grid_ms > c.meter_timeout_s * 1000L;
			if (stale) {
				stale_steps++;
				if (offer != 0)
					fail_msg("seed %llu: stale meter, offer %d", (unsigned long long)seed, offer);
			}
			if (res.target_amps > res.offer_amps && res.reason == TWC_REASON_SURPLUS)
				raises_held++;
			if (offer != last_offer) {
				if (offer == 0 && r.pool_amps > 0) { /* a pool of 0: the master's holdoff */
					last_stop = now;
					stops++;
				} else if (last_offer == 0) {
					starts++;
				}
				last_change = now;
			}
			last_offer = offer;
			/* The cars draw what they were offered, a step later (a car's lag). */
			r.drawn_ca = (long)(amps[0] + amps[1]) * 100;
			r.charging = (amps[0] > 0) + (amps[1] > 0);
			r.wanting = 1 + cars[1].wants;
		}
	}
	print_message("%d traces: %lu starts, %lu stops, %lu stale steps, %lu raises held back\n", TRACES, starts,
		      stops, stale_steps, raises_held);
	/* The traces went through what the invariants are about. */
	assert_true(starts > TRACES / 3);
	assert_true(stops > TRACES / 3);
	assert_true(stale_steps > 10UL * TRACES);
	assert_true(raises_held > TRACES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_available_is_charging_minus_grid_minus_margin),
		cmocka_unit_test(test_target_is_floored_and_bounded_by_the_pool),
		cmocka_unit_test(test_volts_from_the_wall_connectors_then_230),
		cmocka_unit_test(test_battery_below_priority_charges_first),
		cmocka_unit_test(test_battery_discharge_is_not_surplus_unless_above_buffer),
		cmocka_unit_test(test_battery_configured_but_silent_counts_as_0_and_says_so),
		cmocka_unit_test(test_start_only_after_start_s_above_minimum),
		cmocka_unit_test(test_stop_after_stop_s_held_at_minimum_until_then),
		cmocka_unit_test(test_no_start_within_start_s_of_a_stop),
		cmocka_unit_test(test_raise_at_most_every_5s_lower_at_once),
		cmocka_unit_test(test_stale_meter_offers_0_at_once),
		cmocka_unit_test(test_charge_now_clamped_to_the_pool_and_ends),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_schedule_mode_windows_and_outside),
		cmocka_unit_test(test_schedule_parser),
		cmocka_unit_test(test_charge_now_parser),
		cmocka_unit_test(test_a_lagging_meter_is_not_counted_twice),
		cmocka_unit_test(test_status_json_example),
		cmocka_unit_test(test_meter_payloads),
		cmocka_unit_test(test_invariants_over_random_meter_traces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
