#include "twc_energy.h"

#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {"charge_now", "surplus", "min_surplus", "schedule", "stop"};
static const char *const reason_names[] = {"surplus",      "below_minimum", "starting", "stopping",
					   "meter_stale", "schedule",      "charge_now", "stopped"};

const char *twc_energy_mode_name(enum twc_energy_mode mode)
{
	return (unsigned)mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] : NULL;
}

int twc_energy_mode_parse(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strlen(mode_names[i]) == len && memcmp(mode_names[i], text, len) == 0)
			return (int)i;
	return -1;
}

const char *twc_energy_reason_name(enum twc_energy_reason reason)
{
	return (unsigned)reason < sizeof(reason_names) / sizeof(reason_names[0]) ? reason_names[reason] : "";
}

void twc_energy_init(struct twc_energy *e, const struct twc_energy_config *cfg)
{
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	if (e->cfg.phases != 3)
		e->cfg.phases = 1;
	e->mode = cfg->mode;
}

/* Cars that charge now keep charging (through stop_s) when the mode changes. */
static void restart_rule(struct twc_energy *e)
{
	e->active = e->offer >= e->cfg.min_amps && e->offer > 0;
	e->above = e->below = false;
}

void twc_energy_set_mode(struct twc_energy *e, enum twc_energy_mode mode)
{
	e->mode = mode;
	e->boost = false;
	restart_rule(e);
}

void twc_energy_charge_now(struct twc_energy *e, int amps, long seconds, int64_t now_ms)
{
	e->boost = seconds > 0;
	e->boost_amps = amps;
	e->boost_until_ms = now_ms + (int64_t)seconds * 1000;
	if (!e->boost)
		restart_rule(e);
}

/* Digits only, at most max_digits, no sign or space: the one form the topic takes. */
static bool take_number(const char **p, const char *end, size_t max_digits, long *value)
{
	long v = 0;
	size_t n = 0;
	while (*p < end && **p >= '0' && **p <= '9') {
		if (++n > max_digits)
			return false;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*value = v;
	return n > 0;
}

int twc_energy_parse_charge_now(const char *text, size_t len, int *amps, long *seconds, char *err, size_t errsz)
{
	const char *p = text, *end = text + len;
	long a = 0, s = 0;
	bool ok = take_number(&p, end, 4, &a) && p < end && *p == ',';
	if (ok) {
		p++;
		ok = take_number(&p, end, 6, &s) && p == end && a <= 1000 && s <= 604800;
	}
	if (!ok) {
		snprintf(err, errsz, "chargeNow must be <amps>,<seconds>: whole amps from 0 to 1000 and 0 to 604800 "
				     "seconds, e.g. 16,3600 (0,0 ends it)");
		return -1;
	}
	*amps = (int)a;
	*seconds = s;
	return 0;
}

static int volts_of(const struct twc_energy *e, const struct twc_energy_readings *r)
{
	if (e->cfg.volts > 0)
		return e->cfg.volts;
	return r->volts > 0 ? r->volts : TWC_ENERGY_DEFAULT_VOLTS;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* available W and the target amps it allows; false when the meter is stale or silent. */
static bool surplus_target(const struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
			   struct twc_energy_result *out)
{
	out->meter_age_s = r->have_grid ? (long)((now_ms - r->grid_ms) / 1000) : -1;
	if (!r->have_grid || now_ms - r->grid_ms > (int64_t)e->cfg.meter_timeout_s * 1000)
		return false;
	long long per_amp = (long long)volts_of(e, r) * e->cfg.phases;
	long long charging_w = (long long)r->grid_drawn_ca * per_amp / 100;
	long long avail = charging_w - r->grid_w - e->cfg.margin_w;
	if (e->cfg.battery && r->have_battery) {
		long long charge = r->battery_w < 0 ? -(long long)r->battery_w : 0;
		long long discharge = r->battery_w > 0 ? r->battery_w : 0;
		if (r->soc_percent >= e->cfg.priority_soc)
			avail += charge;
		/* The car must not empty the house battery: its output is not surplus. */
		if (r->soc_percent <= e->cfg.buffer_soc)
			avail -= discharge;
	}
	out->have_available = true;
	out->available_w = avail;
	long long amps = avail > 0 ? avail / per_amp : 0;
	out->target_amps = amps > r->pool_amps ? r->pool_amps : (int)amps;
	if (out->target_amps < 0)
		out->target_amps = 0;
	return true;
}

static void stop_now(struct twc_energy *e, int64_t now_ms)
{
	if (e->active) {
		e->stopped_ever = true;
		e->stopped_ms = now_ms;
	}
	e->active = false;
	e->above = e->below = false;
}

/* Start and stop delays around the target (section "the surplus rule"). */
static int surplus_rule(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
			struct twc_energy_result *out)
{
	int min = e->cfg.min_amps;
	if (!surplus_target(e, r, now_ms, out)) {
		stop_now(e, now_ms);
		out->reason = TWC_REASON_METER_STALE;
		return 0;
	}
	int target = out->target_amps;
	if (e->active) {
		e->above = false;
		if (target >= min) {
			e->below = false;
			out->reason = TWC_REASON_SURPLUS;
			return target;
		}
		if (!e->below) {
			e->below = true;
			e->below_since_ms = now_ms;
		}
		if (now_ms - e->below_since_ms >= (int64_t)e->cfg.stop_s * 1000) {
			stop_now(e, now_ms);
			out->reason = TWC_REASON_BELOW_MINIMUM;
			return 0;
		}
		/* Held at the minimum for each car charging until stop_s has passed. */
		int cars = r->charging > 0 ? r->charging : 1;
		int hold = min * cars > target ? min * cars : target;
		out->reason = TWC_REASON_STOPPING;
		return clamp(hold, 0, r->pool_amps);
	}
	e->below = false;
	if (target < min || target == 0) {
		e->above = false;
		out->reason = TWC_REASON_BELOW_MINIMUM;
		return 0;
	}
	if (!e->above) {
		e->above = true;
		e->above_since_ms = now_ms;
	}
	int64_t start_ms = (int64_t)e->cfg.start_s * 1000;
	if (now_ms - e->above_since_ms < start_ms || (e->stopped_ever && now_ms - e->stopped_ms < start_ms)) {
		out->reason = TWC_REASON_STARTING;
		return 0;
	}
	e->active = true;
	e->above = false;
	out->reason = TWC_REASON_SURPLUS;
	return target;
}

static int min_surplus_rule(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
			    struct twc_energy_result *out)
{
	int cars = r->wanting > 0 ? r->wanting : 1;
	int floor_amps = clamp(e->cfg.min_amps * cars, 0, r->pool_amps);
	e->active = true;
	if (!surplus_target(e, r, now_ms, out)) {
		out->reason = TWC_REASON_METER_STALE;
		return floor_amps;
	}
	out->reason = out->target_amps >= e->cfg.min_amps ? TWC_REASON_SURPLUS : TWC_REASON_BELOW_MINIMUM;
	return out->target_amps > floor_amps ? out->target_amps : floor_amps;
}

/* What the mode offers, before the raise limit. */
static int mode_offer(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
		      struct twc_energy_result *out)
{
	int pool = r->pool_amps;
	if (e->boost && now_ms >= e->boost_until_ms) {
		e->boost = false;
		restart_rule(e);
	}
	if (e->boost) {
		out->reason = TWC_REASON_CHARGE_NOW;
		out->charge_now_clamped = e->boost_amps > pool;
		surplus_target(e, r, now_ms, out); /* for the status only */
		e->active = true;
		return clamp(e->boost_amps, 0, pool);
	}
	int window_amps;
	switch (e->mode) {
	case TWC_ENERGY_STOP:
		stop_now(e, now_ms);
		out->reason = TWC_REASON_STOPPED;
		surplus_target(e, r, now_ms, out);
		return 0;
	case TWC_ENERGY_SURPLUS:
		return surplus_rule(e, r, now_ms, out);
	case TWC_ENERGY_MIN_SURPLUS:
		return min_surplus_rule(e, r, now_ms, out);
	case TWC_ENERGY_SCHEDULE:
		if (twc_schedule_match(&e->cfg.schedule, r->weekday, r->minute, &window_amps)) {
			surplus_target(e, r, now_ms, out);
			out->reason = TWC_REASON_SCHEDULE;
			e->active = true;
			return window_amps < 0 ? pool : clamp(window_amps, 0, pool);
		}
		if (e->cfg.meter)
			return surplus_rule(e, r, now_ms, out);
		stop_now(e, now_ms);
		out->reason = TWC_REASON_SCHEDULE;
		return 0;
	case TWC_ENERGY_CHARGE_NOW:
	default:
		e->active = true;
		surplus_target(e, r, now_ms, out);
		out->reason = TWC_REASON_CHARGE_NOW;
		return pool;
	}
}

void twc_energy_step(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
		     struct twc_energy_result *out)
{
	memset(out, 0, sizeof(*out));
	out->target_amps = -1;
	out->meter_age_s = -1;
	int pool = r->pool_amps > 0 ? r->pool_amps : 0;
	struct twc_energy_readings in = *r;
	in.pool_amps = pool;
	int offer = clamp(mode_offer(e, &in, now_ms, out), 0, pool);
	/* Lower at once, raise at most every TWC_ENERGY_RAISE_INTERVAL_MS. */
	if (offer > e->offer && e->offer_changed_ever && now_ms - e->offer_changed_ms < TWC_ENERGY_RAISE_INTERVAL_MS)
		offer = e->offer > pool ? pool : e->offer;
	if (offer != e->offer) {
		e->offer = offer;
		e->offer_changed_ever = true;
		e->offer_changed_ms = now_ms;
	}
	out->offer_amps = offer;
}

size_t twc_energy_status_json(const struct twc_energy *e, const struct twc_energy_readings *r,
			      const struct twc_energy_result *res, char *buf, size_t size)
{
	char grid[24] = "null", battery[24] = "null", available[24] = "null", target[16] = "null", age[24] = "null";
	if (r->have_grid)
		snprintf(grid, sizeof(grid), "%ld", r->grid_w);
	if (e->cfg.battery)
		snprintf(battery, sizeof(battery), "%ld", r->have_battery ? r->battery_w : 0);
	if (res->have_available)
		snprintf(available, sizeof(available), "%lld", res->available_w);
	if (res->target_amps >= 0)
		snprintf(target, sizeof(target), "%d", res->target_amps);
	if (res->meter_age_s >= 0)
		snprintf(age, sizeof(age), "%ld", res->meter_age_s);
	char extra[96] = "";
	size_t n = 0;
	if (e->cfg.battery && r->have_battery)
		n = (size_t)snprintf(extra, sizeof(extra), ",\"battery_soc\":%d,\"battery_reported\":true", r->soc_percent);
	else if (e->cfg.battery)
		n = (size_t)snprintf(extra, sizeof(extra), ",\"battery_soc\":null,\"battery_reported\":false");
	if (e->boost && n < sizeof(extra))
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, ",\"charge_now_amps\":%d,\"charge_now_clamped\":%s",
				      e->boost_amps, res->charge_now_clamped ? "true" : "false");
	int len = snprintf(buf, size,
			   "{\"mode\":\"%s\",\"grid_w\":%s,\"battery_w\":%s,\"available_w\":%s,\"target_amps\":%s,"
			   "\"offered_amps\":%d,\"charging\":%s,\"meter_age_s\":%s,\"reason\":\"%s\"%s}",
			   twc_energy_mode_name(e->mode), grid, battery, available, target, res->offer_amps,
			   r->charging > 0 ? "true" : "false", age, twc_energy_reason_name(res->reason), extra);
	return len > 0 && (size_t)len < size ? (size_t)len : 0;
}
