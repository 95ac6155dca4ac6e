/*
 * fuzz_twc_energy: energy management's parsers and rule (twc_meter.h,
 * twc_schedule.h, twc_energy.h) on any input.
 *
 * Input: 1 selector byte, then
 *   selector % 3 == 0: the rest is a meter payload, read as a plain number
 *     and at three JSON paths; a reading is whole watts within
 *     TWC_METER_WATTS_MAX, a refusal has a reason;
 *   selector % 3 == 1: the rest is a schedule; a parsed one has at most
 *     TWC_SCHEDULE_MAX windows with times in the day, and matching any
 *     minute of the week never crashes;
 *   selector % 3 == 2: 8 configuration bytes, then steps of 6 bytes (clock
 *     step, grid, battery, draw, pool, flags) through twc_energy_step.
 * Checked after every step (a violation traps): the offer is within the
 * pool; in surplus a stale meter offers 0; a raise comes at least
 * TWC_ENERGY_RAISE_INTERVAL_MS after the last change; in surplus no start
 * within start_s of a stop of the rule's (a pool of 0 stops too; the
 * master's restart holdoff covers that one); the status JSON fits and is an object.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "twc_energy.h"
#include "twc_meter.h"
#include "twc_schedule.h"

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void fuzz_meter(const uint8_t *data, size_t size)
{
	static const char *const fields[] = {NULL, "total_act_power", "ENERGY.Power", "emeters.0.power"};
	for (size_t i = 0; i < 4; i++) {
		long w = 0;
		char err[160] = "";
		if (twc_meter_parse(data, size, fields[i], i % 2 == 0, &w, err, sizeof(err)) == 0)
			check(w >= -TWC_METER_WATTS_MAX - 1 && w <= TWC_METER_WATTS_MAX + 1);
		else
			check(err[0] != '\0');
	}
}

static void fuzz_schedule(const uint8_t *data, size_t size)
{
	char text[512];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct twc_schedule s;
	char err[160] = "";
	if (twc_schedule_parse(text, &s, err, sizeof(err)) != 0) {
		check(err[0] != '\0' && s.count == 0);
		return;
	}
	check(s.count <= TWC_SCHEDULE_MAX);
	for (size_t i = 0; i < s.count; i++)
		check(s.window[i].start_min >= 0 && s.window[i].start_min < 1440 && s.window[i].end_min >= 0 &&
		      s.window[i].end_min < 1440 && s.window[i].start_min != s.window[i].end_min &&
		      s.window[i].amps >= -1 && s.window[i].amps <= 1000 && s.window[i].days != 0);
	for (int day = 0; day < 7; day++)
		for (int minute = 0; minute < 1440; minute += 7) {
			int amps = -2;
			if (twc_schedule_match(&s, day, minute, &amps))
				check(amps >= -1 && amps <= 1000);
		}
}

static void fuzz_rule(const uint8_t *data, size_t size)
{
	if (size < 8)
		return;
	struct twc_energy_config c;
	memset(&c, 0, sizeof(c));
	c.mode = (enum twc_energy_mode)(data[0] % 5);
	c.min_amps = 1 + data[1] % 16;
	c.margin_w = data[2] * 4;
	c.phases = data[3] & 1 ? 3 : 1;
	c.volts = data[3] & 2 ? 0 : 200 + data[3] / 4;
	c.start_s = data[4] % 64;
	c.stop_s = data[5] % 128;
	c.meter_timeout_s = 1 + data[6] % 32;
	c.meter = true;
	c.battery = data[7] & 1;
	c.priority_soc = (data[7] >> 1) % 101;
	c.buffer_soc = data[2] % 101;
	char err[160];
	twc_schedule_parse("22:00-06:00@16 12:00-13:00/sat,sun", &c.schedule, err, sizeof(err));
	struct twc_energy e;
	twc_energy_init(&e, &c);
	struct twc_energy_readings r;
	memset(&r, 0, sizeof(r));
	int64_t now = 0, last_change = INT64_MIN, last_stop = INT64_MIN;
	int last = 0;
	for (size_t i = 8; i + 6 <= size; i += 6) {
		const uint8_t *b = data + i;
		now += b[0] * 100;
		uint8_t flags = b[5];
		if (flags & 1) {
			r.have_grid = true;
			r.grid_w = ((long)b[1] - 128) * 80;
			r.grid_ms = now;
			r.grid_drawn_ca = b[3] * 20;
		}
		if (flags & 2) {
			r.have_battery = true;
			r.battery_w = ((long)b[2] - 128) * 30;
			r.soc_percent = b[2] % 101;
		}
		r.drawn_ca = b[3] * 20;
		r.pool_amps = b[4] % 81 - (flags & 4 ? 3 : 0);
		r.volts = flags & 8 ? 0 : 230;
		r.wanting = flags >> 6;
		r.charging = (flags >> 4) & 3;
		r.weekday = b[2] % 7;
		r.minute = (b[1] * 6) % 1440;
		if ((flags & 0x38) == 0x38) {
			twc_energy_charge_now(&e, b[1] % 50, b[2] % 20, now);
			last_stop = INT64_MIN; /* a client's charge-now starts at once; the master holds the relay off */
		}
		struct twc_energy_result res;
		twc_energy_step(&e, &r, now, &res);
		int pool = r.pool_amps > 0 ? r.pool_amps : 0;
		check(res.offer_amps >= 0 && res.offer_amps <= pool);
		bool stale = !r.have_grid || now - r.grid_ms > (int64_t)c.meter_timeout_s * 1000;
		bool surplus = e.mode == TWC_ENERGY_SURPLUS && !e.boost;
		if (surplus && stale)
			check(res.offer_amps == 0);
		if (res.offer_amps > last && last_change != INT64_MIN)
			check(now - last_change >= TWC_ENERGY_RAISE_INTERVAL_MS);
		if (surplus && last == 0 && res.offer_amps > 0 && last_stop != INT64_MIN && res.reason == TWC_REASON_SURPLUS)
			check(now - last_stop >= (int64_t)c.start_s * 1000);
		if (res.offer_amps != last) {
			last_change = now;
			/* A pool of 0 is no stop of the rule's: the master holds the restart off per charger. */
			if (res.offer_amps == 0 && pool > 0)
				last_stop = now;
		}
		last = res.offer_amps;
		char json[TWC_ENERGY_STATUS_MAX];
		size_t n = twc_energy_status_json(&e, &r, &res, json, sizeof(json));
		check(n > 2 && json[0] == '{' && json[n - 1] == '}');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_meter(data + 1, size - 1);
		break;
	case 1:
		fuzz_schedule(data + 1, size - 1);
		break;
	default:
		fuzz_rule(data + 1, size - 1);
		break;
	}
	return 0;
}
