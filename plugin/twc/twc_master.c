/*
 * The receiving half of twc_master: configuration, frames in, slaves
 * joining and leaving, sessions, sharing targets and status values.
 * The sending half (what goes on the bus when) is twc_master_tx.c.
 */
#include "twc_master.h"
#include "twc_master_internal.h"

#include <stdio.h>
#include <string.h>

#include "eb_text.h"

#define TWC_TYPE_MASTER_BROADCAST 0xFC
#define TWC_TYPE_MASTER 0xFB
#define TWC_TYPE_SLAVE 0xFD

#define TWC_CODE_HEARTBEAT 0xE0
#define TWC_CODE_LINKREADY 0xE2
#define TWC_CODE_ENERGY 0xEB
#define TWC_CODE_IDLE 0x1D

/* A car draws current from 1.00 A on: below that a session has ended. */
#define TWC_CHARGING_CA 100

uint16_t twc_get16(const uint8_t *b, size_t off)
{
	return (uint16_t)((unsigned)b[off] << 8 | b[off + 1]);
}

void twc_master_config_defaults(struct twc_master_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = TWC_MODE_MASTER;
	cfg->master_id = 0x7777;
	cfg->sign = 0x77;
	cfg->max_amps_for_slaves = 32;
	cfg->min_amps_per_twc = 6;
	cfg->wiring_max_amps_per_twc = 32;
	cfg->wiring_max_amps_all = 32;
	cfg->refresh_s = 60;
	cfg->restart_holdoff_s = 60;
}

int twc_master_config_check(const struct twc_master_config *cfg, char *err, size_t errsz)
{
	if (cfg->mode != TWC_MODE_MASTER && cfg->mode != TWC_MODE_MONITOR)
		return eb_error(err, errsz, "plugin_opt_twc_mode: expected master or monitor");
	if (cfg->min_amps_per_twc < 0)
		return eb_error(err, errsz, "plugin_opt_twc_min_amps_per_twc: expected 0 or more amps");
	if (cfg->wiring_max_amps_per_twc < 1)
		return eb_error(err, errsz, "plugin_opt_twc_wiring_max_amps_per_twc: expected 1 or more amps");
	if (cfg->wiring_max_amps_all < 0)
		return eb_error(err, errsz, "plugin_opt_twc_wiring_max_amps_all: expected 1 or more amps");
	if (cfg->max_amps_for_slaves < 0 ||
	    (cfg->wiring_max_amps_all > 0 && cfg->max_amps_for_slaves > cfg->wiring_max_amps_all))
		return eb_error(err, errsz,
				"plugin_opt_twc_max_amps_for_slaves: expected 0 to %d amps "
				"(plugin_opt_twc_wiring_max_amps_all), got %d",
				cfg->wiring_max_amps_all, cfg->max_amps_for_slaves);
	if (cfg->refresh_s < 1)
		return eb_error(err, errsz, "plugin_opt_twc_refresh: expected 1 or more seconds");
	if (cfg->restart_holdoff_s < 0)
		return eb_error(err, errsz, "plugin_opt_energy_start_s: expected 0 or more seconds");
	return 0;
}

struct twc_slave *twc_slave_by_id(struct twc_master *m, uint16_t id)
{
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		if (m->slave[i].present && m->slave[i].id == id)
			return &m->slave[i];
	}
	return NULL;
}

const struct twc_slave *twc_master_find_slave(const struct twc_master *m, uint16_t id)
{
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		if (m->slave[i].present && m->slave[i].id == id)
			return &m->slave[i];
	}
	return NULL;
}

size_t twc_master_slave_count(const struct twc_master *m)
{
	size_t n = 0;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++)
		n += m->slave[i].present ? 1 : 0;
	return n;
}

static void publish_config(struct twc_master *m)
{
	char text[16];
	snprintf(text, sizeof(text), "%d", m->pool_amps);
	twc_status_set_global(&m->status, TWC_TOPIC_MAX_AMPS_FOR_SLAVES, text);
	snprintf(text, sizeof(text), "%d", m->cfg.min_amps_per_twc);
	twc_status_set_global(&m->status, TWC_TOPIC_MIN_AMPS_PER_TWC, text);
}

static void publish_total(struct twc_master *m)
{
	uint32_t total = 0;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		if (m->slave[i].present)
			total += m->slave[i].drawn_ca;
	}
	char text[TWC_STATUS_VALUE_MAX];
	twc_format_centiamps(total, text, sizeof(text));
	twc_status_set_global(&m->status, TWC_TOPIC_TOTAL_AMPS_IN_USE, text);
}

static void publish_slave(struct twc_master *m, const struct twc_slave *s)
{
	struct twc_status *st = &m->status;
	char text[TWC_STATUS_VALUE_MAX];
	static const enum twc_slave_topic volt_topic[3] = {
		TWC_TOPIC_VOLTAGE_A, TWC_TOPIC_VOLTAGE_B, TWC_TOPIC_VOLTAGE_C
	};

	if (s->have_heartbeat) {
		twc_format_centiamps(s->drawn_ca, text, sizeof(text));
		twc_status_set_slave(st, s->id, TWC_TOPIC_AMPS_IN_USE, text);
		twc_status_set_slave(st, s->id, TWC_TOPIC_POWER, text);
		twc_format_centiamps(s->limit_ca, text, sizeof(text));
		twc_status_set_slave(st, s->id, TWC_TOPIC_AMPS_MAX, text);
		snprintf(text, sizeof(text), "%u", (unsigned)s->state);
		twc_status_set_slave(st, s->id, TWC_TOPIC_STATE, text);
		twc_status_set_slave(st, s->id, TWC_TOPIC_CARS_CHARGING, s->charging ? "1" : "0");
		twc_status_set_slave(st, s->id, TWC_TOPIC_CURRENT_VIN, s->current_vin);
	}
	if (s->last_vin[0] != '\0')
		twc_status_set_slave(st, s->id, TWC_TOPIC_LAST_VIN, s->last_vin);
	if (s->have_kwh) {
		snprintf(text, sizeof(text), "%lu", (unsigned long)s->lifetime_kwh);
		twc_status_set_slave(st, s->id, TWC_TOPIC_LIFETIME_KWH, text);
	}
	for (int p = 0; p < 3; p++) {
		if (s->have_volts & (1u << p)) {
			snprintf(text, sizeof(text), "%u", (unsigned)s->volts[p]);
			twc_status_set_slave(st, s->id, volt_topic[p], text);
		}
	}
}

static int slave_cap_amps(const struct twc_master *m, const struct twc_slave *s)
{
	int own = s->max_ca / 100;
	return own < m->cfg.wiring_max_amps_per_twc ? own : m->cfg.wiring_max_amps_per_twc;
}

/* Where each slave's limit should end up; twc_master_tx.c gets it there safely. */
void twc_update_targets(struct twc_master *m)
{
	if (m->cfg.mode != TWC_MODE_MASTER)
		return;
	struct twc_share_slave in[TWC_MAX_SLAVES];
	int amps[TWC_MAX_SLAVES];
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		in[i].wants = s->present && s->wants;
		in[i].cap_amps = s->present ? slave_cap_amps(m, s) : 0;
		in[i].order = s->want_order;
	}
	if (twc_share_split(twc_master_sharing_amps(m), m->cfg.min_amps_per_twc, in, TWC_MAX_SLAVES, amps) != 0)
		return;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++)
		m->slave[i].target_ca = m->slave[i].present ? amps[i] * 100 : 0;
}

/* The pool asked for comes into force once the limits told fit it. */
void twc_update_pool_in_force(struct twc_master *m)
{
	long told = 0;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		if (m->slave[i].present)
			told += m->slave[i].told_ca;
	}
	if (told <= (long)m->pool_amps * 100)
		m->pool_in_force_amps = m->pool_amps;
}

void twc_master_init(struct twc_master *m, const struct twc_master_config *cfg, int64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	if (cfg != NULL)
		m->cfg = *cfg;
	else
		twc_master_config_defaults(&m->cfg);
	struct twc_master_config *c = &m->cfg;
	if (c->mode != TWC_MODE_MONITOR)
		c->mode = TWC_MODE_MASTER;
	if (c->max_amps_for_slaves < 0)
		c->max_amps_for_slaves = 0;
	if (c->wiring_max_amps_all <= 0)
		c->wiring_max_amps_all = c->max_amps_for_slaves;
	if (c->max_amps_for_slaves > c->wiring_max_amps_all)
		c->max_amps_for_slaves = c->wiring_max_amps_all;
	if (c->min_amps_per_twc < 0)
		c->min_amps_per_twc = 0;
	if (c->wiring_max_amps_per_twc < 0)
		c->wiring_max_amps_per_twc = 0;

	m->pool_amps = c->max_amps_for_slaves;
	m->pool_in_force_amps = m->pool_amps;
	m->offer_amps = -1;
	if (c->restart_holdoff_s < 0)
		c->restart_holdoff_s = 0;
	m->next_want_order = 1;
	m->burst_left = c->mode == TWC_MODE_MASTER ? 2 * TWC_BURST_EACH : 0;
	twc_status_init(&m->status, c->refresh_s);
	publish_config(m);
	publish_total(m);
	(void)now_ms;
}

static struct twc_slave *add_slave(struct twc_master *m, uint16_t id, int64_t now_ms)
{
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		struct twc_slave *s = &m->slave[i];
		if (s->present)
			continue;
		memset(s, 0, sizeof(*s));
		s->present = true;
		s->id = id;
		s->protocol = 2;
		s->last_rx_ms = now_ms;
		s->next_kwh_ms = now_ms;
		s->vin_settled = true;
		m->stats.slaves_joined++;
		s->joined = m->stats.slaves_joined;
		return s;
	}
	m->stats.slaves_refused++;
	return NULL;
}

static void start_session(struct twc_slave *s)
{
	twc_vin_parts_reset(&s->vin_parts);
	memset(s->vin_tries, 0, sizeof(s->vin_tries));
	s->vin_settled = false;
	s->current_vin[0] = '\0';
}

static void end_session(struct twc_slave *s)
{
	if (s->current_vin[0] != '\0') {
		memcpy(s->last_vin, s->current_vin, sizeof(s->last_vin));
		s->current_vin[0] = '\0';
	}
	s->vin_settled = true;
}

static void slave_gone(struct twc_master *m, struct twc_slave *s)
{
	struct twc_status *st = &m->status;
	end_session(s);
	s->charging = false;
	s->drawn_ca = 0;
	twc_status_set_slave(st, s->id, TWC_TOPIC_AMPS_IN_USE, "0");
	twc_status_set_slave(st, s->id, TWC_TOPIC_POWER, "0");
	twc_status_set_slave(st, s->id, TWC_TOPIC_CARS_CHARGING, "0");
	twc_status_set_slave(st, s->id, TWC_TOPIC_CURRENT_VIN, "");
	if (s->last_vin[0] != '\0')
		twc_status_set_slave(st, s->id, TWC_TOPIC_LAST_VIN, s->last_vin);
	twc_status_retire_slave(st, s->id);
	if (m->awaiting_reply && m->await_id == s->id)
		m->awaiting_reply = false;
	memset(s, 0, sizeof(*s));
	m->stats.slaves_gone++;
	twc_update_targets(m);
	twc_update_pool_in_force(m);
	publish_total(m);
}

void twc_advance(struct twc_master *m, int64_t now_ms)
{
	if (m->awaiting_reply && now_ms >= m->await_until_ms) {
		m->awaiting_reply = false;
		m->stats.reply_timeouts++;
	}
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		struct twc_slave *s = &m->slave[i];
		if (s->present && now_ms - s->last_rx_ms >= TWC_GONE_MS)
			slave_gone(m, s);
	}
}

static void start_burst(struct twc_master *m)
{
	m->burst_left = 2 * TWC_BURST_EACH;
}

void twc_master_link_up(struct twc_master *m, int64_t now_ms)
{
	twc_advance(m, now_ms);
	if (m->cfg.mode != TWC_MODE_MASTER)
		return;
	start_burst(m);
	m->awaiting_reply = false;
}

static void on_linkready(struct twc_master *m, const uint8_t *b, size_t len, int64_t now_ms)
{
	uint16_t id = twc_get16(b, 2);
	if (m->cfg.mode == TWC_MODE_MASTER && id == m->cfg.master_id) {
		m->stats.id_clashes++;
		bool held_off = m->clash_burst_ever &&
				now_ms - m->clash_burst_ms < TWC_CLASH_HOLDOFF_MS;
		if (m->burst_left == 0 && !held_off) {
			start_burst(m);
			m->clash_burst_ever = true;
			m->clash_burst_ms = now_ms;
		}
		return;
	}
	struct twc_slave *s = twc_slave_by_id(m, id);
	if (s == NULL)
		s = add_slave(m, id, now_ms);
	if (s == NULL)
		return;
	s->last_rx_ms = now_ms;
	s->sign = b[4];
	s->max_ca = twc_get16(b, 5);
	s->protocol = len == 13 ? 1 : 2;
	twc_update_targets(m);
}

static bool state_wants_current(uint8_t state)
{
	return state == 1 || (state >= 4 && state <= 10);
}

static void on_heartbeat(struct twc_master *m, struct twc_slave *s, const uint8_t *b)
{
	s->have_heartbeat = true;
	s->state = b[6];
	s->limit_ca = twc_get16(b, 7);
	s->drawn_ca = twc_get16(b, 9);

	bool charging = s->drawn_ca >= TWC_CHARGING_CA;
	if (charging && !s->charging)
		start_session(s);
	else if (!charging && s->charging)
		end_session(s);
	s->charging = charging;

	bool wants = charging || state_wants_current(s->state);
	if (wants && !s->wants)
		s->want_order = m->next_want_order++;
	s->wants = wants;
	twc_update_targets(m);
	publish_slave(m, s);
	publish_total(m);
}

static void on_energy(struct twc_master *m, struct twc_slave *s, const uint8_t *b, size_t len, int64_t now_ms)
{
	s->have_kwh = true;
	s->next_kwh_ms = now_ms + TWC_KWH_INTERVAL_MS;
	s->lifetime_kwh = (uint32_t)twc_get16(b, 4) << 16 | twc_get16(b, 6);
	/* The 13-byte form has no room for phase C. */
	for (size_t p = 0; p < 3; p++) {
		size_t off = 8 + 2 * p;
		if (off + 2 <= len) {
			s->volts[p] = twc_get16(b, off);
			s->have_volts |= (uint8_t)(1u << p);
		}
	}
	publish_slave(m, s);
}

static void on_vin_part(struct twc_master *m, struct twc_slave *s, int part, const uint8_t *b,
			size_t len)
{
	if (!s->charging || s->vin_settled)
		return;
	char vin[TWC_VIN_LEN + 1];
	switch (twc_vin_add_part(&s->vin_parts, part, b + 4, len - 4, vin)) {
	case TWC_VIN_INCOMPLETE:
		return;
	case TWC_VIN_VALID:
		memcpy(s->current_vin, vin, sizeof(s->current_vin));
		break;
	case TWC_VIN_NONE:
		break;
	case TWC_VIN_INVALID:
		m->stats.vins_discarded++;
		break;
	}
	s->vin_settled = true;
	publish_slave(m, s);
}

static void on_slave_frame(struct twc_master *m, const uint8_t *b, size_t len, int64_t now_ms)
{
	uint8_t code = b[1];
	uint16_t id = twc_get16(b, 2);
	if (m->awaiting_reply && id == m->await_id && code == m->await_code)
		m->awaiting_reply = false;
	if (code == TWC_CODE_LINKREADY) {
		on_linkready(m, b, len, now_ms);
		return;
	}
	bool master = m->cfg.mode == TWC_MODE_MASTER;
	int vin_part = twc_vin_part_of_code(code);
	if (code != TWC_CODE_HEARTBEAT && code != TWC_CODE_ENERGY && vin_part < 0) {
		m->stats.frames_ignored++;
		return;
	}
	/* A slave that answers another master is not ours. */
	if (master && code == TWC_CODE_HEARTBEAT && twc_get16(b, 4) != m->cfg.master_id) {
		m->stats.frames_ignored++;
		return;
	}
	struct twc_slave *s = twc_slave_by_id(m, id);
	/* A monitor may start listening mid-conversation; a master only knows slaves by linkready. */
	if (s == NULL && !master)
		s = add_slave(m, id, now_ms);
	if (s == NULL) {
		m->stats.frames_ignored++;
		return;
	}
	s->last_rx_ms = now_ms;
	if (code == TWC_CODE_HEARTBEAT)
		on_heartbeat(m, s, b);
	else if (code == TWC_CODE_ENERGY)
		on_energy(m, s, b, len, now_ms);
	else
		on_vin_part(m, s, vin_part, b, len);
}

void twc_master_on_frame(struct twc_master *m, const uint8_t *body, size_t len, int64_t now_ms)
{
	twc_advance(m, now_ms);
	m->stats.frames_in++;
	if (body == NULL || (len != 13 && len != 15 && len != 19)) {
		m->stats.frames_ignored++;
		return;
	}
	switch (body[0]) {
	case TWC_TYPE_SLAVE:
		on_slave_frame(m, body, len, now_ms);
		break;
	case TWC_TYPE_MASTER:
	case TWC_TYPE_MASTER_BROADCAST:
		if (body[0] == TWC_TYPE_MASTER_BROADCAST && body[1] == TWC_CODE_IDLE)
			break;
		/* Our own frames echoed by the converter are no news; another master is. */
		if (m->cfg.mode == TWC_MODE_MASTER && twc_get16(body, 2) != m->cfg.master_id)
			m->stats.foreign_master_frames++;
		break;
	default:
		m->stats.frames_ignored++;
		break;
	}
}

int twc_master_set_pool(struct twc_master *m, int amps, int64_t now_ms, char *err, size_t errsz)
{
	twc_advance(m, now_ms);
	if (m->cfg.mode != TWC_MODE_MASTER)
		return eb_error(err, errsz,
				"maxAmpsForSlaves cannot be set in monitor mode: the wall connector "
				"that is master shares the current");
	if (amps < 0 || amps > m->cfg.wiring_max_amps_all)
		return eb_error(err, errsz,
				"maxAmpsForSlaves %d refused: expected a whole number of amps from 0 to "
				"%d, the circuit's capacity (plugin_opt_twc_wiring_max_amps_all)",
				amps, m->cfg.wiring_max_amps_all);
	m->pool_amps = amps;
	/* Raising is safe at once; lowering waits until the slaves were told (tx). */
	if (amps > m->pool_in_force_amps)
		m->pool_in_force_amps = amps;
	twc_update_pool_in_force(m);
	twc_update_targets(m);
	publish_config(m);
	return 0;
}

int twc_master_sharing_amps(const struct twc_master *m)
{
	return m->offer_amps >= 0 && m->offer_amps < m->pool_amps ? m->offer_amps : m->pool_amps;
}

void twc_master_set_offer(struct twc_master *m, int amps, int64_t now_ms)
{
	twc_advance(m, now_ms);
	if (m->cfg.mode != TWC_MODE_MASTER)
		return;
	m->offer_amps = amps < 0 ? -1 : amps;
	twc_update_targets(m);
}

size_t twc_master_take_status(struct twc_master *m, int64_t now_ms, struct twc_status_update *out,
			      size_t cap)
{
	twc_advance(m, now_ms);
	if (out == NULL)
		return 0;
	return twc_status_take(&m->status, now_ms, out, cap);
}
