/*
 * The sending half of twc_master: what goes on the bus when.
 *
 * One planner decides, for a moment t at which the bus is free, what to
 * send: a heartbeat that is due, else a heartbeat that carries a new limit
 * (lowering ones first, since raises wait for them), else a protocol 2
 * stop (FC B2) or start (FC B1), else the next frame of the linkready
 * burst, else a query (VIN parts, then kWh). Anything but a
 * due heartbeat goes out only if the bus is free again before the next
 * heartbeat is due, which is what keeps queries from starving heartbeats.
 * next_frame and next_deadline both ask the planner, so the deadline is
 * exactly when next_frame will have something to say.
 */
#include "twc_master.h"
#include "twc_master_internal.h"

#include <string.h>

#define TWC_TYPE_MASTER_BROADCAST 0xFC
#define TWC_TYPE_MASTER 0xFB
#define TWC_CODE_HEARTBEAT 0xE0
#define TWC_CODE_LINKREADY1 0xE1
#define TWC_CODE_LINKREADY2 0xE2
#define TWC_CODE_ENERGY 0xEB
#define TWC_SET_LIMIT_P1 0x05
#define TWC_SET_LIMIT_P2 0x09
#define TWC_CODE_START 0xB1
#define TWC_CODE_STOP 0xB2

enum twc_send_kind {
	TWC_SEND_NOTHING,
	TWC_SEND_HEARTBEAT,
	TWC_SEND_STOP_START,
	TWC_SEND_BURST,
	TWC_SEND_QUERY
};

struct twc_send_plan {
	enum twc_send_kind kind;
	size_t slave;
};

static void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)(v >> 8);
	b[off + 1] = (uint8_t)(v & 0xFF);
}

static size_t addressed_body_len(const struct twc_slave *s)
{
	return s->protocol == 1 ? 13 : 15;
}

/* A slave that was never told a limit is due at once. */
static int64_t heartbeat_due(const struct twc_slave *s)
{
	return s->ever_told ? s->last_heartbeat_ms + TWC_HEARTBEAT_INTERVAL_MS : INT64_MIN;
}

static int64_t bus_free_at(const struct twc_master *m)
{
	int64_t t = m->sent_any ? m->last_tx_ms + TWC_PACING_MS : INT64_MIN;
	if (m->awaiting_reply && m->await_until_ms > t)
		t = m->await_until_ms;
	return t;
}

/* Whether holding the bus from t for hold_ms delays no other slave's heartbeat. */
static bool heartbeats_allow(const struct twc_master *m, int64_t t, int64_t hold_ms,
			     const struct twc_slave *except)
{
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (s->present && s != except && heartbeat_due(s) < t + hold_ms)
			return false;
	}
	return true;
}

/*
 * The earliest moment a raise may go to s: TWC_RAISE_INTERVAL_MS after its
 * last change, and restart_holdoff_s after the master stopped it.
 */
static int64_t raise_allowed_at(const struct twc_master *m, const struct twc_slave *s)
{
	int64_t at = s->limit_changed_ever ? s->limit_changed_ms + TWC_RAISE_INTERVAL_MS : INT64_MIN;
	if (s->told_ca == 0 && s->stopped_ever) {
		int64_t restart = s->stopped_ms + (int64_t)m->cfg.restart_holdoff_s * 1000;
		if (restart > at)
			at = restart;
	}
	return at;
}

/*
 * The limit the next heartbeat to s carries at t, ignoring a pending FC B1.
 * Lowering is always safe. A raise waits for raise_allowed_at, and must fit
 * the pool next to what the others were last told: if their lowering is
 * not out yet, raise as far as fits (when that is still a useful limit) or
 * keep the old one. So the sum told never grows past the pool, and during a
 * pool lowering it only shrinks.
 */
static int limit_wanted(const struct twc_master *m, const struct twc_slave *s, int64_t t)
{
	if (s->target_ca <= s->told_ca)
		return s->target_ca;
	if (t < raise_allowed_at(m, s))
		return s->told_ca;
	long others = 0;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		if (m->slave[i].present && &m->slave[i] != s)
			others += m->slave[i].told_ca;
	}
	long allow = (long)twc_master_sharing_amps(m) * 100 - others;
	allow -= allow % 100;
	if (allow >= s->target_ca)
		return s->target_ca;
	if (allow > s->told_ca && allow >= (long)m->cfg.min_amps_per_twc * 100)
		return (int)allow;
	return s->told_ca;
}

/* A stopped protocol 2 slave stays at 0 until its FC B2, then its FC B1, are out. */
static int limit_to_send(const struct twc_master *m, const struct twc_slave *s, int64_t t)
{
	int limit = limit_wanted(m, s, t);
	return (s->halted || s->stop_frame_due) && limit > 0 ? s->told_ca : limit;
}

/* FC B2 after a stop's 0 A heartbeat; FC B1 once a halted slave may be raised. */
static bool stop_start_due(const struct twc_master *m, const struct twc_slave *s, int64_t t)
{
	return s->stop_frame_due || (s->halted && limit_wanted(m, s, t) > 0);
}

/* The first missing part; none once a part has used up its tries (the VIN is lost). */
static int vin_part_to_ask(const struct twc_slave *s)
{
	if (!s->charging || s->vin_settled)
		return -1;
	for (int p = 0; p < TWC_VIN_PARTS; p++) {
		if (s->vin_parts.have & (1u << p))
			continue;
		return s->vin_tries[p] < TWC_VIN_TRIES ? p : -1;
	}
	return -1;
}

static bool query_pending(const struct twc_slave *s, int64_t t)
{
	return vin_part_to_ask(s) >= 0 || t >= s->next_kwh_ms;
}

/* A heartbeat with a new limit, lowering first; SIZE_MAX when none may go at t. */
static size_t limit_change_slave(const struct twc_master *m, int64_t t)
{
	for (int lowering = 1; lowering >= 0; lowering--) {
		size_t pick = SIZE_MAX;
		for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
			const struct twc_slave *s = &m->slave[i];
			if (!s->present)
				continue;
			int limit = limit_to_send(m, s, t);
			if (limit == s->told_ca || (limit < s->told_ca) != (lowering == 1))
				continue;
			if (!heartbeats_allow(m, t, TWC_REPLY_TIMEOUT_MS, s))
				continue;
			if (pick == SIZE_MAX ||
			    s->last_heartbeat_ms < m->slave[pick].last_heartbeat_ms)
				pick = i;
		}
		if (pick != SIZE_MAX)
			return pick;
	}
	return SIZE_MAX;
}

/* What to send at t, taking the bus to be free then. */
static struct twc_send_plan plan_at(const struct twc_master *m, int64_t t)
{
	struct twc_send_plan plan = { TWC_SEND_NOTHING, 0 };
	size_t pick = SIZE_MAX;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (!s->present || heartbeat_due(s) > t)
			continue;
		if (pick == SIZE_MAX || heartbeat_due(s) < heartbeat_due(&m->slave[pick]))
			pick = i;
	}
	if (pick == SIZE_MAX)
		pick = limit_change_slave(m, t);
	if (pick != SIZE_MAX) {
		plan.kind = TWC_SEND_HEARTBEAT;
		plan.slave = pick;
		return plan;
	}
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (s->present && stop_start_due(m, s, t) && heartbeats_allow(m, t, TWC_PACING_MS, NULL)) {
			plan.kind = TWC_SEND_STOP_START;
			plan.slave = i;
			return plan;
		}
	}
	if (m->burst_left > 0 && heartbeats_allow(m, t, TWC_PACING_MS, NULL)) {
		plan.kind = TWC_SEND_BURST;
		return plan;
	}
	if (!heartbeats_allow(m, t, TWC_REPLY_TIMEOUT_MS, NULL))
		return plan;
	for (size_t k = 0; k < TWC_MAX_SLAVES; k++) {
		size_t i = (m->query_next + k) % TWC_MAX_SLAVES;
		if (m->slave[i].present && query_pending(&m->slave[i], t)) {
			plan.kind = TWC_SEND_QUERY;
			plan.slave = i;
			break;
		}
	}
	return plan;
}

static void mark_sent(struct twc_master *m, int64_t now_ms)
{
	m->sent_any = true;
	m->last_tx_ms = now_ms;
	m->stats.frames_out++;
}

static void expect_reply(struct twc_master *m, uint16_t id, uint8_t code, int64_t now_ms)
{
	m->awaiting_reply = true;
	m->await_id = id;
	m->await_code = code;
	m->await_until_ms = now_ms + TWC_REPLY_TIMEOUT_MS;
}

static size_t addressed_frame(const struct twc_master *m, const struct twc_slave *s, uint8_t code,
			      uint8_t *body)
{
	size_t len = addressed_body_len(s);
	memset(body, 0, len);
	body[0] = TWC_TYPE_MASTER;
	body[1] = code;
	put16(body, 2, m->cfg.master_id);
	put16(body, 4, s->id);
	return len;
}

static size_t send_heartbeat(struct twc_master *m, struct twc_slave *s, int64_t now_ms,
			     uint8_t *body)
{
	int limit = limit_to_send(m, s, now_ms);
	size_t len = addressed_frame(m, s, TWC_CODE_HEARTBEAT, body);
	body[6] = s->protocol == 1 ? TWC_SET_LIMIT_P1 : TWC_SET_LIMIT_P2;
	put16(body, 7, (uint16_t)limit);
	if (s->ever_told && limit != s->told_ca) {
		s->limit_changed_ms = now_ms;
		s->limit_changed_ever = true;
		m->stats.limit_changes++;
		/* Stopped by the master (a car that stops wanting current stops itself). */
		if (limit == 0 && s->wants) {
			s->stopped_ms = now_ms;
			s->stopped_ever = true;
			s->stops++;
			if (s->protocol == 2)
				s->stop_frame_due = true;
		} else if (s->told_ca == 0 && s->stopped_ever) {
			s->starts++;
		}
	} else if (!s->ever_told && limit > 0) {
		s->limit_changed_ms = now_ms;
		s->limit_changed_ever = true;
		m->stats.limit_changes++;
	}
	s->told_ca = limit;
	s->ever_told = true;
	s->last_heartbeat_ms = now_ms;
	twc_update_pool_in_force(m);
	expect_reply(m, s->id, TWC_CODE_HEARTBEAT, now_ms);
	return len;
}

/* FC B2 (stop) or FC B1 (start), addressed like a heartbeat; no reply comes. */
static size_t send_stop_start(struct twc_master *m, struct twc_slave *s, uint8_t *body)
{
	bool stop = s->stop_frame_due;
	size_t len = addressed_frame(m, s, stop ? TWC_CODE_STOP : TWC_CODE_START, body);
	body[0] = TWC_TYPE_MASTER_BROADCAST;
	s->stop_frame_due = false;
	s->halted = stop;
	m->stats.stop_start_frames++;
	return len;
}

/* Five FC E1, then five FB E2, in the 13-byte form of docs/twc.md's example. */
static size_t send_burst_frame(struct twc_master *m, uint8_t *body)
{
	int sent = 2 * TWC_BURST_EACH - m->burst_left;
	bool first_half = sent < TWC_BURST_EACH;
	memset(body, 0, 13);
	body[0] = first_half ? TWC_TYPE_MASTER_BROADCAST : TWC_TYPE_MASTER;
	body[1] = first_half ? TWC_CODE_LINKREADY1 : TWC_CODE_LINKREADY2;
	put16(body, 2, m->cfg.master_id);
	body[4] = m->cfg.sign;
	m->burst_left--;
	return 13;
}

static size_t send_query(struct twc_master *m, size_t index, int64_t now_ms, uint8_t *body)
{
	struct twc_slave *s = &m->slave[index];
	int part = vin_part_to_ask(s);
	uint8_t code;
	if (part >= 0) {
		code = twc_vin_code_of_part(part);
		s->vin_tries[part]++;
	} else {
		code = TWC_CODE_ENERGY;
		s->next_kwh_ms = now_ms + TWC_KWH_RETRY_MS; /* the reply moves it a full interval on */
	}
	m->query_next = (unsigned)((index + 1) % TWC_MAX_SLAVES);
	size_t len = addressed_frame(m, s, code, body);
	expect_reply(m, s->id, code, now_ms);
	return len;
}

size_t twc_master_next_frame(struct twc_master *m, int64_t now_ms, bool rx_busy, uint8_t *body,
			     size_t cap)
{
	twc_advance(m, now_ms);
	if (m->cfg.mode != TWC_MODE_MASTER || rx_busy || body == NULL || cap < TWC_MASTER_BODY_MAX)
		return 0;
	if (bus_free_at(m) > now_ms)
		return 0;
	struct twc_send_plan plan = plan_at(m, now_ms);
	size_t len = 0;
	switch (plan.kind) {
	case TWC_SEND_NOTHING:
		return 0;
	case TWC_SEND_HEARTBEAT:
		len = send_heartbeat(m, &m->slave[plan.slave], now_ms, body);
		break;
	case TWC_SEND_STOP_START:
		len = send_stop_start(m, &m->slave[plan.slave], body);
		break;
	case TWC_SEND_BURST:
		len = send_burst_frame(m, body);
		break;
	case TWC_SEND_QUERY:
		len = send_query(m, plan.slave, now_ms, body);
		break;
	}
	mark_sent(m, now_ms);
	return len;
}

/*
 * Between two of these moments nothing can become sendable: a guard that
 * refuses at t refuses until the heartbeat it protects is due.
 */
static int64_t next_send_time(const struct twc_master *m, int64_t start)
{
	int64_t candidate[1 + 3 * TWC_MAX_SLAVES];
	size_t n = 0;
	candidate[n++] = start;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (!s->present)
			continue;
		if (heartbeat_due(s) > start)
			candidate[n++] = heartbeat_due(s);
		if (s->next_kwh_ms > start)
			candidate[n++] = s->next_kwh_ms;
		if (s->target_ca > s->told_ca && raise_allowed_at(m, s) > start)
			candidate[n++] = raise_allowed_at(m, s);
	}
	int64_t best = INT64_MAX;
	for (size_t k = 0; k < n; k++) {
		if (candidate[k] < best && plan_at(m, candidate[k]).kind != TWC_SEND_NOTHING)
			best = candidate[k];
	}
	return best;
}

int64_t twc_master_next_deadline(const struct twc_master *m, int64_t now_ms)
{
	int64_t best = twc_status_next_deadline(&m->status, now_ms);
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (s->present && s->last_rx_ms + TWC_GONE_MS < best)
			best = s->last_rx_ms + TWC_GONE_MS;
	}
	if (m->cfg.mode == TWC_MODE_MASTER) {
		if (m->awaiting_reply && m->await_until_ms < best)
			best = m->await_until_ms;
		int64_t free_at = bus_free_at(m);
		int64_t send = next_send_time(m, free_at > now_ms ? free_at : now_ms);
		if (send < best)
			best = send;
	}
	return best < now_ms ? now_ms : best;
}
