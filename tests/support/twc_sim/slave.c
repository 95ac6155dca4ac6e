#include "slave.h"

#include <inttypes.h>
#include <string.h>

#include "events.h"
#include "twc_frame.h"

#define NEVER INT64_MIN
#define DEFAULT_MASTER_ID 0x7777 /* docs/twc.md: until a master is heard, flood heartbeats go here */

static void put16(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

static void put32(uint8_t *p, uint32_t value)
{
	put16(p, value >> 16);
	put16(p + 2, value & 0xFFFF);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void slave_init(struct slave *s, uint16_t id, int protocol, uint16_t max_centiamps, size_t order,
		int64_t now_us)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->protocol = protocol;
	s->max_centiamps = max_centiamps;
	s->sign = 0x1D;
	s->master_id = DEFAULT_MASTER_ID;
	s->last_master_heartbeat_us = NEVER;
	s->forced_state = -1;
	s->lifetime_kwh = 56;
	s->volts[0] = 230;
	s->volts[1] = 231;
	s->volts[2] = 232;
	s->metered_until_us = now_us;
	s->next_linkready_us = now_us + SLAVE_LINKREADY_INTERVAL_US + (int64_t)order * 300000;
	s->next_flood_us = now_us;
}

struct slave *slave_find(struct slave *slaves, size_t count, uint16_t id)
{
	for (size_t i = 0; i < count; i++)
		if (slaves[i].id == id)
			return &slaves[i];
	return NULL;
}

/* The slave never works to more than its own maximum, whatever it is offered. */
static uint16_t working_limit(const struct slave *s)
{
	return s->offered_centiamps < s->max_centiamps ? s->offered_centiamps : s->max_centiamps;
}

/* The car takes its new draw at once, or after its lag (a real car's charger ramps for seconds). */
static void draw(struct slave *s, uint16_t centiamps)
{
	if (s->lag_us == 0 || centiamps == s->drawn_centiamps) {
		s->drawn_centiamps = centiamps;
		s->settling = false;
		return;
	}
	if (!s->settling || s->settling_centiamps != centiamps) {
		s->settling = true;
		s->settling_centiamps = centiamps;
		s->settle_at_us = s->clock_us + s->lag_us;
	}
}

static void update_car(struct slave *s)
{
	uint16_t available = s->stopped_by_master ? 0 : working_limit(s);

	if (!s->plugged) {
		draw(s, 0);
		s->state = 0;
	} else if (s->finished) {
		draw(s, 0);
		s->state = 3;
	} else {
		draw(s, (uint16_t)(s->demand_centiamps < available ? s->demand_centiamps : available));
		s->state = s->drawn_centiamps > 0 ? 1 : 4;
	}
	if (s->forced_state >= 0)
		s->state = (uint8_t)s->forced_state;
}

static size_t short_length(const struct slave *s)
{
	return s->protocol == 1 ? TWC_FRAME_BODY_PROTOCOL1 : TWC_FRAME_BODY_PROTOCOL2;
}

/* Protocol 2 firmware sends its data replies in the long form; protocol 1 uses the shortest that fits. */
static size_t data_reply_length(const struct slave *s, size_t needed)
{
	if (s->protocol == 2)
		return TWC_FRAME_BODY_LONG;
	return needed <= TWC_FRAME_BODY_PROTOCOL1 ? TWC_FRAME_BODY_PROTOCOL1 : TWC_FRAME_BODY_PROTOCOL2;
}

static void start_reply(const struct slave *s, uint8_t *out, size_t len, uint8_t code)
{
	memset(out, 0, len);
	out[0] = 0xFD;
	out[1] = code;
	put16(out + 2, s->id);
}

static size_t build_linkready(struct slave *s, uint8_t *out)
{
	size_t len = short_length(s);

	start_reply(s, out, len, 0xE2);
	out[4] = s->sign;
	put16(out + 5, s->max_centiamps);
	s->announced = true;
	s->new_id_unannounced = false;
	return len;
}

static size_t build_heartbeat(const struct slave *s, uint8_t *out)
{
	size_t len = short_length(s);

	start_reply(s, out, len, 0xE0);
	put16(out + 4, s->master_id);
	out[6] = s->state;
	put16(out + 7, working_limit(s));
	put16(out + 9, s->drawn_centiamps);
	return len;
}

static size_t build_meter_reply(const struct slave *s, uint8_t *out)
{
	size_t len = data_reply_length(s, 14);

	start_reply(s, out, len, 0xEB);
	put32(out + 4, s->lifetime_kwh);
	for (int phase = 0; phase < 3; phase++)
		put16(out + 8 + 2 * phase, s->volts[phase]);
	return len;
}

/* part 0, 1, 2: VIN characters 1-7, 8-14, 15-17, NUL padded. */
static size_t build_vin_reply(const struct slave *s, uint8_t code, int part, uint8_t *out)
{
	static const size_t offsets[] = { 0, 7, 14 };
	static const size_t counts[] = { 7, 7, 3 };
	size_t len = data_reply_length(s, 11);
	size_t vin_len = strlen(s->vin);

	start_reply(s, out, len, code);
	for (size_t i = 0; i < counts[part]; i++) {
		size_t at = offsets[part] + i;
		out[4 + i] = at < vin_len ? (uint8_t)s->vin[at] : 0;
	}
	return len;
}

static bool has_master(const struct slave *s, int64_t now_us)
{
	return s->last_master_heartbeat_us != NEVER &&
	       now_us - s->last_master_heartbeat_us < SLAVE_LINKREADY_INTERVAL_US;
}

/*
 * A master with this slave's id, heard after the slave announced that id, is
 * a clash: the master repeats its linkready burst to make the slave move.
 */
static void hear_master_linkready(struct slave *s, uint16_t master_id, bool first_kind)
{
	if (master_id == s->id) {
		if (first_kind && s->announced)
			s->clash_heard = true;
		return;
	}
	s->master_id = master_id;
}

static void hear_heartbeat(struct slave *s, const uint8_t *body, int64_t now_us)
{
	uint8_t command = body[6];

	s->last_master_heartbeat_us = now_us;
	s->clock_us = now_us;
	sim_say("hb %04X t=%" PRId64, s->id, now_us);
	if (command != 0x05 && command != 0x09)
		return;
	uint16_t offered = get16(body + 7);
	if (offered != s->offered_centiamps) {
		s->offered_centiamps = offered;
		sim_say("limit %04X %u t=%" PRId64, s->id, (unsigned)offered, now_us);
	}
	update_car(s);
}

size_t slave_handle_frame(struct slave *s, const uint8_t *body, size_t len, int64_t now_us,
			  uint8_t *reply)
{
	uint16_t code = get16(body);
	uint16_t sender = get16(body + 2);
	uint16_t target = get16(body + 4);

	if (len < TWC_FRAME_BODY_PROTOCOL1)
		return 0;
	if (code == 0xFCE1) {
		hear_master_linkready(s, sender, true);
		return 0;
	}
	if (code == 0xFBE2) {
		hear_master_linkready(s, sender, false);
		if (s->silenced || s->new_id_unannounced || s->clash_heard)
			return 0;
		return build_linkready(s, reply);
	}
	if ((body[0] != 0xFB && body[0] != 0xFC) || target != s->id)
		return 0;
	if (sender != s->id)
		s->master_id = sender;

	size_t reply_len = 0;
	switch (code) {
	case 0xFBE0:
		hear_heartbeat(s, body, now_us);
		reply_len = build_heartbeat(s, reply);
		break;
	case 0xFBEB:
		reply_len = build_meter_reply(s, reply);
		break;
	case 0xFBEE:
		reply_len = build_vin_reply(s, 0xEE, 0, reply);
		break;
	case 0xFBEF:
		reply_len = build_vin_reply(s, 0xEF, 1, reply);
		break;
	case 0xFBF1:
		reply_len = build_vin_reply(s, 0xF1, 2, reply);
		break;
	case 0xFCB1:
		s->stopped_by_master = false;
		update_car(s);
		break;
	case 0xFCB2:
		s->stopped_by_master = true;
		update_car(s);
		break;
	default:
		break;
	}
	return s->silenced ? 0 : reply_len;
}

size_t slave_due_frame(struct slave *s, int64_t now_us, bool connected, uint8_t *frame)
{
	bool can_talk = connected && !s->silenced;

	if (now_us >= s->next_linkready_us) {
		s->next_linkready_us = now_us + SLAVE_LINKREADY_INTERVAL_US;
		if (can_talk && !has_master(s, now_us))
			return build_linkready(s, frame);
	}
	if (s->flooding && now_us >= s->next_flood_us) {
		s->next_flood_us = now_us + SLAVE_FLOOD_INTERVAL_US;
		if (can_talk)
			return build_heartbeat(s, frame);
	}
	return 0;
}

int64_t slave_next_due_us(const struct slave *s)
{
	if (s->settling && s->settle_at_us < s->next_linkready_us &&
	    (!s->flooding || s->settle_at_us < s->next_flood_us))
		return s->settle_at_us;
	if (s->flooding && s->next_flood_us < s->next_linkready_us)
		return s->next_flood_us;
	return s->next_linkready_us;
}

void slave_follow(struct slave *s, int64_t now_us)
{
	s->clock_us = now_us;
	if (s->settling && now_us >= s->settle_at_us) {
		s->drawn_centiamps = s->settling_centiamps;
		s->settling = false;
		update_car(s);
	}
}

void slave_run_meter(struct slave *s, int64_t now_us, unsigned energy_scale)
{
	/* The current is drawn on every phase that is present. */
	double volts = (double)s->volts[0] + s->volts[1] + s->volts[2];

	if (now_us <= s->metered_until_us)
		return;
	double hours = (double)(now_us - s->metered_until_us) / 3600e6;
	s->metered_until_us = now_us;
	s->wh_towards_next_kwh += s->drawn_centiamps / 100.0 * volts * hours * energy_scale;
	while (s->wh_towards_next_kwh >= 1000.0) {
		s->wh_towards_next_kwh -= 1000.0;
		s->lifetime_kwh++;
	}
}

void slave_change_id(struct slave *s, uint16_t new_id, int64_t now_us)
{
	if (s->offered_centiamps != 0)
		sim_say("limit %04X 0 t=%" PRId64, s->id, now_us);
	sim_say("newid %04X %04X t=%" PRId64, s->id, new_id, now_us);
	s->id = new_id;
	s->offered_centiamps = 0;
	s->last_master_heartbeat_us = NEVER;
	s->announced = false;
	s->clash_heard = false;
	s->new_id_unannounced = true;
	update_car(s);
}

void slave_plug(struct slave *s, const char *vin)
{
	s->plugged = true;
	s->finished = false;
	s->demand_centiamps = 0;
	s->forced_state = -1;
	memset(s->vin, 0, sizeof(s->vin));
	if (vin)
		memcpy(s->vin, vin, strnlen(vin, SLAVE_VIN_LENGTH));
	update_car(s);
}

bool slave_charge(struct slave *s, uint32_t demand_centiamps)
{
	if (!s->plugged)
		return false;
	s->finished = false;
	s->demand_centiamps = demand_centiamps;
	s->forced_state = -1;
	update_car(s);
	return true;
}

bool slave_stop(struct slave *s)
{
	if (!s->plugged)
		return false;
	s->finished = true;
	s->demand_centiamps = 0;
	s->forced_state = -1;
	update_car(s);
	return true;
}

void slave_unplug(struct slave *s)
{
	s->plugged = false;
	s->finished = false;
	s->demand_centiamps = 0;
	s->forced_state = -1;
	memset(s->vin, 0, sizeof(s->vin));
	update_car(s);
}

void slave_force_state(struct slave *s, uint8_t state)
{
	s->forced_state = state;
	update_car(s);
}

void slave_set_flood(struct slave *s, bool on, int64_t now_us)
{
	s->flooding = on;
	s->next_flood_us = now_us;
}
