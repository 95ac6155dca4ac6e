#include "twc_status.h"

#include <stdio.h>
#include <string.h>

static const char *const slave_topic_name[TWC_SLAVE_TOPIC_COUNT] = {
	[TWC_TOPIC_AMPS_IN_USE] = "ampsInUse",
	[TWC_TOPIC_AMPS_MAX] = "ampsMax",
	[TWC_TOPIC_CARS_CHARGING] = "carsCharging",
	[TWC_TOPIC_CURRENT_VIN] = "currentVehicleVIN",
	[TWC_TOPIC_LAST_VIN] = "lastVehicleVIN",
	[TWC_TOPIC_LIFETIME_KWH] = "lifetimekWh",
	[TWC_TOPIC_POWER] = "power",
	[TWC_TOPIC_STATE] = "state",
	[TWC_TOPIC_VOLTAGE_A] = "voltagePhaseA",
	[TWC_TOPIC_VOLTAGE_B] = "voltagePhaseB",
	[TWC_TOPIC_VOLTAGE_C] = "voltagePhaseC",
};

static const char *const global_topic_name[TWC_GLOBAL_TOPIC_COUNT] = {
	[TWC_TOPIC_TOTAL_AMPS_IN_USE] = "all/totalAmpsInUse",
	[TWC_TOPIC_MAX_AMPS_FOR_SLAVES] = "config/maxAmpsForSlaves",
	[TWC_TOPIC_MIN_AMPS_PER_TWC] = "config/minAmpsPerTWC",
};

void twc_status_init(struct twc_status *st, int refresh_s)
{
	memset(st, 0, sizeof(*st));
	st->refresh_ms = (int64_t)(refresh_s < 1 ? 1 : refresh_s) * 1000;
}

static int set_value(struct twc_status_value *v, const char *text)
{
	size_t len = strlen(text);
	if (len >= sizeof(v->text))
		return -1;
	if (v->known && strcmp(v->text, text) == 0)
		return 0;
	memcpy(v->text, text, len + 1);
	v->known = true;
	v->dirty = true;
	return 0;
}

int twc_status_set_global(struct twc_status *st, enum twc_global_topic topic, const char *text)
{
	if ((unsigned)topic >= TWC_GLOBAL_TOPIC_COUNT || text == NULL)
		return -1;
	return set_value(&st->global[topic], text);
}

static struct twc_status_group *find_group(struct twc_status *st, uint16_t id)
{
	for (size_t i = 0; i < TWC_STATUS_GROUPS; i++) {
		if (st->group[i].used && st->group[i].id == id)
			return &st->group[i];
	}
	return NULL;
}

static bool group_has_dirty(const struct twc_status_group *g)
{
	for (size_t t = 0; t < TWC_SLAVE_TOPIC_COUNT; t++) {
		if (g->value[t].dirty)
			return true;
	}
	return false;
}

/*
 * A free group, else one whose leaver has nothing left to say, else the
 * first leaver (its last change is lost: only when chargers come and go
 * faster than the caller takes updates). At most three groups are in use
 * by chargers on the bus, so one of these always exists.
 */
static struct twc_status_group *claim_group(struct twc_status *st, uint16_t id)
{
	struct twc_status_group *pick = NULL;
	for (size_t i = 0; i < TWC_STATUS_GROUPS && pick == NULL; i++) {
		if (!st->group[i].used)
			pick = &st->group[i];
	}
	for (size_t i = 0; i < TWC_STATUS_GROUPS && pick == NULL; i++) {
		if (st->group[i].retiring && !group_has_dirty(&st->group[i]))
			pick = &st->group[i];
	}
	for (size_t i = 0; i < TWC_STATUS_GROUPS && pick == NULL; i++) {
		if (st->group[i].retiring)
			pick = &st->group[i];
	}
	if (pick == NULL)
		return NULL;
	memset(pick, 0, sizeof(*pick));
	pick->used = true;
	pick->id = id;
	return pick;
}

int twc_status_set_slave(struct twc_status *st, uint16_t id, enum twc_slave_topic topic,
			 const char *text)
{
	if ((unsigned)topic >= TWC_SLAVE_TOPIC_COUNT || text == NULL)
		return -1;
	struct twc_status_group *g = find_group(st, id);
	if (g == NULL)
		g = claim_group(st, id);
	if (g == NULL)
		return -1;
	g->retiring = false;
	return set_value(&g->value[topic], text);
}

void twc_status_retire_slave(struct twc_status *st, uint16_t id)
{
	struct twc_status_group *g = find_group(st, id);
	if (g != NULL)
		g->retiring = true;
}

static bool value_due(const struct twc_status *st, const struct twc_status_value *v,
		      bool refresh, int64_t now_ms)
{
	if (!v->known)
		return false;
	if (v->dirty || !v->ever_published)
		return true;
	return refresh && now_ms - v->published_ms >= st->refresh_ms;
}

static void mark_published(struct twc_status_value *v, int64_t now_ms)
{
	v->dirty = false;
	v->ever_published = true;
	v->published_ms = now_ms;
}

size_t twc_status_take(struct twc_status *st, int64_t now_ms, struct twc_status_update *out,
		       size_t cap)
{
	size_t n = 0;
	for (size_t t = 0; t < TWC_GLOBAL_TOPIC_COUNT && n < cap; t++) {
		struct twc_status_value *v = &st->global[t];
		if (!value_due(st, v, true, now_ms))
			continue;
		snprintf(out[n].topic, sizeof(out[n].topic), "%s", global_topic_name[t]);
		snprintf(out[n].value, sizeof(out[n].value), "%s", v->text);
		mark_published(v, now_ms);
		n++;
	}
	for (size_t i = 0; i < TWC_STATUS_GROUPS; i++) {
		struct twc_status_group *g = &st->group[i];
		if (!g->used)
			continue;
		for (size_t t = 0; t < TWC_SLAVE_TOPIC_COUNT && n < cap; t++) {
			struct twc_status_value *v = &g->value[t];
			if (!value_due(st, v, !g->retiring, now_ms))
				continue;
			snprintf(out[n].topic, sizeof(out[n].topic), "%04X/%s", (unsigned)g->id,
				 slave_topic_name[t]);
			snprintf(out[n].value, sizeof(out[n].value), "%s", v->text);
			mark_published(v, now_ms);
			n++;
		}
		if (g->retiring && !group_has_dirty(g))
			memset(g, 0, sizeof(*g));
	}
	return n;
}

static int64_t value_deadline(const struct twc_status *st, const struct twc_status_value *v,
			      bool refresh, int64_t now_ms)
{
	if (!v->known)
		return INT64_MAX;
	if (v->dirty || !v->ever_published)
		return now_ms;
	if (!refresh)
		return INT64_MAX;
	int64_t due = v->published_ms + st->refresh_ms;
	return due < now_ms ? now_ms : due;
}

int64_t twc_status_next_deadline(const struct twc_status *st, int64_t now_ms)
{
	int64_t best = INT64_MAX;
	for (size_t t = 0; t < TWC_GLOBAL_TOPIC_COUNT; t++) {
		int64_t d = value_deadline(st, &st->global[t], true, now_ms);
		if (d < best)
			best = d;
	}
	for (size_t i = 0; i < TWC_STATUS_GROUPS; i++) {
		const struct twc_status_group *g = &st->group[i];
		if (!g->used)
			continue;
		for (size_t t = 0; t < TWC_SLAVE_TOPIC_COUNT; t++) {
			int64_t d = value_deadline(st, &g->value[t], !g->retiring, now_ms);
			if (d < best)
				best = d;
		}
	}
	return best;
}

size_t twc_format_centiamps(uint32_t centiamps, char *buf, size_t size)
{
	unsigned long whole = (unsigned long)(centiamps / 100u);
	unsigned frac = (unsigned)(centiamps % 100u);
	int len;
	if (frac == 0)
		len = snprintf(buf, size, "%lu", whole);
	else if (frac % 10u == 0)
		len = snprintf(buf, size, "%lu.%u", whole, frac / 10u);
	else
		len = snprintf(buf, size, "%lu.%02u", whole, frac);
	if (len < 0 || size == 0)
		return 0;
	return (size_t)len < size ? (size_t)len : size - 1;
}
