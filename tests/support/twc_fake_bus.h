/*
 * A fake RS-485 bus for the twc_master unit tests: up to four fake wall
 * connectors that answer the master's frames with decoded bodies after a
 * latency, an event loop that drives twc_master like the link thread
 * does, and a checker of the bus rules on every frame the master sends.
 *
 * The loop either jumps from event to event (next_deadline, replies,
 * the end) like the link thread, or steps a fixed number of ms, which
 * does not trust next_deadline. A rule broken on the bus is recorded in
 * bus->violation and stops the loop; tests assert it stays NULL.
 */
#ifndef TWC_FAKE_BUS_H
#define TWC_FAKE_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twc_master.h"

#define FAKE_MAX_SLAVES 4
#define FAKE_QUEUE 16
#define FAKE_TOPICS 96

struct fake_slave {
	bool attached;          /* on the bus and answering */
	uint16_t id;
	uint8_t sign;
	int protocol;           /* the form of its linkready: 1 = 13 bytes, 2 = 15 */
	size_t reply_len;       /* the form of its other replies (13, 15 or 19) */
	uint16_t max_ca;
	uint8_t state;
	bool car_draws;         /* a car takes what it is allowed, up to car_wants_ca */
	uint16_t car_wants_ca;
	uint16_t limit_ca;      /* what the master told it last */
	bool answer_heartbeat;
	bool answer_kwh;
	bool answer_vin;
	uint32_t kwh;
	uint16_t volts[3];
	uint8_t vin[17];
	int latency_ms;

	unsigned heartbeats;
	int64_t last_heartbeat_ms;
	int64_t max_heartbeat_gap_ms;
	unsigned kwh_queries;
	unsigned vin_queries;
};

struct fake_reply {
	uint8_t body[19];
	size_t len;
	int64_t start_ms;
	int64_t end_ms;
	bool awaited;           /* the answer the master waits for */
};

struct fake_topic {
	char topic[TWC_STATUS_TOPIC_MAX];
	char value[TWC_STATUS_VALUE_MAX];
	unsigned count;
	int64_t last_ms;
};

struct fake_bus;
typedef void (*fake_sent_fn)(struct fake_bus *bus, const uint8_t *body, size_t len);

struct fake_bus {
	struct twc_master *m;
	int64_t now;
	int step_ms;            /* 0: jump from event to event */
	struct fake_slave slave[FAKE_MAX_SLAVES];
	size_t nslaves;
	struct fake_reply queue[FAKE_QUEUE];
	size_t nqueue;
	bool reply_awaited;     /* the last frame sent expects an answer still queued */
	int64_t last_tx_ms;
	bool sent_any;
	unsigned frames_sent;
	const char *violation;
	fake_sent_fn on_sent;
	void *ctx;
	struct fake_topic topic[FAKE_TOPICS];
	size_t ntopics;
	unsigned updates;
};

void fake_put16(uint8_t *b, size_t off, uint16_t v);
uint16_t fake_get16(const uint8_t *b, size_t off);

void fake_bus_init(struct fake_bus *bus, struct twc_master *m, int64_t now);
/* Attaches a slave answering everything after 20 ms, with a protocol 1 (13-byte) or 2 (15-byte) linkready. */
struct fake_slave *fake_bus_add_slave(struct fake_bus *bus, uint16_t id, int protocol, int max_amps);
/* Queues s's linkready on the bus, as it says it when it joins. */
void fake_slave_linkready(struct fake_bus *bus, struct fake_slave *s);
/* Takes the master's pending status updates into bus->topic. */
void fake_bus_record_status(struct fake_bus *bus);
/* What was published on topic, or NULL when nothing was. */
const struct fake_topic *fake_bus_topic(const struct fake_bus *bus, const char *topic);
/* The last value published on topic, or NULL when nothing was. */
const char *fake_bus_value(const struct fake_bus *bus, const char *topic);
/* Runs the link thread's loop until end_ms (or a bus rule is broken). */
void fake_bus_run_until(struct fake_bus *bus, int64_t end_ms);

#endif
