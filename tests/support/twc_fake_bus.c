/* The fake RS-485 bus of the twc_master unit tests (twc_fake_bus.h). */
#include "twc_fake_bus.h"

#include <string.h>

void fake_put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)(v >> 8);
	b[off + 1] = (uint8_t)(v & 0xFF);
}

uint16_t fake_get16(const uint8_t *b, size_t off)
{
	return (uint16_t)((unsigned)b[off] << 8 | b[off + 1]);
}

void fake_bus_init(struct fake_bus *bus, struct twc_master *m, int64_t now)
{
	memset(bus, 0, sizeof(*bus));
	bus->m = m;
	bus->now = now;
}

struct fake_slave *fake_bus_add_slave(struct fake_bus *bus, uint16_t id, int protocol, int max_amps)
{
	struct fake_slave *s = &bus->slave[bus->nslaves++];
	memset(s, 0, sizeof(*s));
	s->attached = true;
	s->id = id;
	s->sign = (uint8_t)(id & 0xFF);
	s->protocol = protocol;
	s->reply_len = protocol == 1 ? 13 : 15;
	s->max_ca = (uint16_t)(max_amps * 100);
	s->answer_heartbeat = true;
	s->answer_kwh = true;
	s->answer_vin = true;
	s->kwh = 1234;
	s->volts[0] = 230;
	s->volts[1] = 231;
	s->volts[2] = 232;
	s->latency_ms = 20;
	s->last_heartbeat_ms = INT64_MIN;
	return s;
}

/* Queues a body from a slave: it starts after latency, after whatever is queued, and takes 20 ms. */
static void fake_bus_queue(struct fake_bus *bus, const uint8_t *body, size_t len, int latency_ms)
{
	if (bus->nqueue == FAKE_QUEUE)
		return;
	struct fake_reply *r = &bus->queue[bus->nqueue];
	int64_t start = bus->now + latency_ms;
	if (bus->nqueue > 0 && bus->queue[bus->nqueue - 1].end_ms > start)
		start = bus->queue[bus->nqueue - 1].end_ms;
	memset(r->body, 0, sizeof(r->body));
	memcpy(r->body, body, len);
	r->len = len;
	r->awaited = false;
	r->start_ms = start;
	r->end_ms = start + 20;
	bus->nqueue++;
}

void fake_slave_linkready(struct fake_bus *bus, struct fake_slave *s)
{
	uint8_t b[19] = { 0xFD, 0xE2 };
	fake_put16(b, 2, s->id);
	b[4] = s->sign;
	fake_put16(b, 5, s->max_ca);
	fake_bus_queue(bus, b, s->protocol == 1 ? 13 : 15, s->latency_ms);
}

static uint16_t fake_slave_drawn(const struct fake_slave *s)
{
	if (!s->car_draws || s->limit_ca < 100)
		return 0;
	return s->car_wants_ca < s->limit_ca ? s->car_wants_ca : s->limit_ca;
}

static void fake_slave_heartbeat_reply(struct fake_bus *bus, struct fake_slave *s)
{
	uint8_t b[19] = { 0xFD, 0xE0 };
	fake_put16(b, 2, s->id);
	fake_put16(b, 4, bus->m->cfg.master_id);
	b[6] = s->state;
	fake_put16(b, 7, s->limit_ca);
	fake_put16(b, 9, fake_slave_drawn(s));
	fake_bus_queue(bus, b, s->reply_len, s->latency_ms);
}

static void fake_bus_violation(struct fake_bus *bus, const char *what)
{
	if (bus->violation == NULL)
		bus->violation = what;
}

static void fake_bus_await_last(struct fake_bus *bus)
{
	if (bus->nqueue > 0) {
		bus->queue[bus->nqueue - 1].awaited = true;
		bus->reply_awaited = true;
	}
}

static bool fake_expects_reply(const uint8_t *b)
{
	return b[0] == 0xFB && (b[1] == 0xE0 || b[1] == 0xEB || b[1] == 0xEE || b[1] == 0xEF ||
				b[1] == 0xF1);
}

/* The bus rules every frame from the master must keep, then the slaves' answers. */
static void fake_bus_sent(struct fake_bus *bus, const uint8_t *b, size_t len)
{
	if (len != 13 && len != 15)
		fake_bus_violation(bus, "a body of a length the master never sends");
	if ((b[0] == 0xFC && (b[1] == 0x19 || b[1] == 0x1A)) || (b[0] == 0xFB && b[1] == 0xE8))
		fake_bus_violation(bus, "a forbidden message (FC 19, FC 1A or FB E8)");
	if (bus->sent_any && bus->now - bus->last_tx_ms < TWC_PACING_MS)
		fake_bus_violation(bus, "two frames less than 100 ms apart");
	if (bus->reply_awaited && bus->now - bus->last_tx_ms < TWC_REPLY_TIMEOUT_MS)
		fake_bus_violation(bus, "talked before the reply came or timed out");
	if (bus->nqueue > 0 && bus->queue[0].start_ms <= bus->now)
		fake_bus_violation(bus, "talked over a frame being received");
	bus->sent_any = true;
	bus->last_tx_ms = bus->now;
	bus->frames_sent++;
	bus->reply_awaited = false;
	if (bus->on_sent != NULL)
		bus->on_sent(bus, b, len);

	if (b[0] == 0xFB && b[1] == 0xE2) {
		for (size_t i = 0; i < bus->nslaves; i++) {
			if (bus->slave[i].attached)
				fake_slave_linkready(bus, &bus->slave[i]);
		}
		return;
	}
	if (!fake_expects_reply(b))
		return;
	uint16_t to = fake_get16(b, 4);
	for (size_t i = 0; i < bus->nslaves; i++) {
		struct fake_slave *s = &bus->slave[i];
		/* A detached slave still counts what was sent to it, but never answers. */
		if (s->id != to)
			continue;
		if (b[1] == 0xE0) {
			if (s->last_heartbeat_ms != INT64_MIN &&
			    bus->now - s->last_heartbeat_ms > s->max_heartbeat_gap_ms)
				s->max_heartbeat_gap_ms = bus->now - s->last_heartbeat_ms;
			s->last_heartbeat_ms = bus->now;
			s->heartbeats++;
			if (b[6] == 0x05 || b[6] == 0x09)
				s->limit_ca = fake_get16(b, 7);
			if (s->attached && s->answer_heartbeat) {
				fake_slave_heartbeat_reply(bus, s);
				fake_bus_await_last(bus);
			}
		} else if (b[1] == 0xEB) {
			s->kwh_queries++;
			if (!s->attached || !s->answer_kwh)
				continue;
			uint8_t r[19] = { 0xFD, 0xEB };
			fake_put16(r, 2, s->id);
			fake_put16(r, 4, (uint16_t)(s->kwh >> 16));
			fake_put16(r, 6, (uint16_t)(s->kwh & 0xFFFF));
			for (size_t p = 0; p < 3; p++)
				fake_put16(r, 8 + 2 * p, s->volts[p]);
			fake_bus_queue(bus, r, s->reply_len == 13 ? 15 : s->reply_len, s->latency_ms);
			fake_bus_await_last(bus);
		} else {
			s->vin_queries++;
			if (!s->attached || !s->answer_vin)
				continue;
			uint8_t r[19] = { 0xFD, b[1] };
			fake_put16(r, 2, s->id);
			size_t off = b[1] == 0xEE ? 0 : b[1] == 0xEF ? 7 : 14;
			size_t n = b[1] == 0xF1 ? 3 : 7;
			memcpy(r + 4, s->vin + off, n);
			fake_bus_queue(bus, r, s->reply_len, s->latency_ms);
			fake_bus_await_last(bus);
		}
	}
}

void fake_bus_record_status(struct fake_bus *bus)
{
	struct twc_status_update up[8];
	size_t n;
	while ((n = twc_master_take_status(bus->m, bus->now, up, 8)) > 0) {
		for (size_t k = 0; k < n; k++) {
			bus->updates++;
			size_t i = 0;
			while (i < bus->ntopics && strcmp(bus->topic[i].topic, up[k].topic) != 0)
				i++;
			if (i == bus->ntopics) {
				if (bus->ntopics == FAKE_TOPICS)
					continue;
				bus->ntopics++;
				memcpy(bus->topic[i].topic, up[k].topic, sizeof(up[k].topic));
			}
			memcpy(bus->topic[i].value, up[k].value, sizeof(up[k].value));
			bus->topic[i].count++;
			bus->topic[i].last_ms = bus->now;
		}
	}
}

const struct fake_topic *fake_bus_topic(const struct fake_bus *bus, const char *topic)
{
	for (size_t i = 0; i < bus->ntopics; i++) {
		if (strcmp(bus->topic[i].topic, topic) == 0)
			return &bus->topic[i];
	}
	return NULL;
}

const char *fake_bus_value(const struct fake_bus *bus, const char *topic)
{
	const struct fake_topic *t = fake_bus_topic(bus, topic);
	return t != NULL ? t->value : NULL;
}

void fake_bus_run_until(struct fake_bus *bus, int64_t end_ms)
{
	int stalls = 0;
	while (bus->now < end_ms && bus->violation == NULL) {
		while (bus->nqueue > 0 && bus->queue[0].end_ms <= bus->now) {
			struct fake_reply r = bus->queue[0];
			memmove(&bus->queue[0], &bus->queue[1], (bus->nqueue - 1) * sizeof(r));
			bus->nqueue--;
			if (r.awaited)
				bus->reply_awaited = false;
			twc_master_on_frame(bus->m, r.body, r.len, bus->now);
		}
		bool rx_busy = bus->nqueue > 0 && bus->queue[0].start_ms <= bus->now;
		uint8_t body[TWC_MASTER_BODY_MAX + 4];
		size_t len = twc_master_next_frame(bus->m, bus->now, rx_busy, body, sizeof(body));
		if (len > 0) {
			if (rx_busy)
				fake_bus_violation(bus, "next_frame answered while rx_busy");
			fake_bus_sent(bus, body, len);
			stalls = 0;
			continue;
		}
		fake_bus_record_status(bus);

		int64_t next;
		if (bus->step_ms > 0) {
			next = bus->now + bus->step_ms;
		} else {
			next = twc_master_next_deadline(bus->m, bus->now);
			if (rx_busy && next < bus->queue[0].end_ms)
				next = bus->queue[0].end_ms;
			if (bus->nqueue > 0) {
				int64_t q = bus->queue[0].start_ms > bus->now ? bus->queue[0].start_ms
									       : bus->queue[0].end_ms;
				if (q < next)
					next = q;
			}
		}
		if (next > end_ms)
			next = end_ms;
		if (next <= bus->now) {
			if (++stalls > 3) {
				fake_bus_violation(bus, "next_deadline is now but nothing happens");
				break;
			}
			continue;
		}
		stalls = 0;
		bus->now = next;
	}
}
