/*
 * venus_bridge: the Venus job inside the broker (venus.md).
 *
 * Every command published to a battery's App topic passes the command gate
 * (parse, range check, admin-only dangerous commands, per-device rate limit)
 * before the broker delivers it, normalised; a refused command never reaches
 * the battery and leaves one error report and one log line. Every reply the
 * battery sends is delivered as is and also published as JSON under the state
 * prefix. Friendly set/<name> commands and polling go through the same gate.
 */
#ifndef VENUS_BRIDGE_H
#define VENUS_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <mosquitto_broker.h>

#include "config.h"
#include "json_out.h"
#include "qos2_dedup.h"
#include "venus_gate.h"
#include "venus_reply.h"
#include "venus_state.h"
#include "venus_topic.h"

/* A home has a handful of batteries; the table forgets the least recently seen beyond this. */
#define VENUS_DEVICES_MAX 32

struct venus_device {
	char vendor[VENUS_VENDOR_MAX + 1];
	char type[VENUS_TYPE_MAX + 1];
	char id[VENUS_ID_MAX + 1];
	int64_t last_seen_ms;
	struct venus_state state;
};

struct venus_bridge {
	const struct eb_venus_config *cfg;
	struct venus_gate gate;
	struct qos2_dedup retransmissions;
	struct venus_device *devices;	/* VENUS_DEVICES_MAX slots */
	size_t device_count;
	struct venus_reply reply;	/* scratch: too large for the stack */
	struct json_out out;		/* scratch for every JSON document */
	int64_t next_poll_ms;
	uint64_t commands_passed;
	uint64_t commands_refused;
	uint64_t reads_collapsed;
	uint64_t replies_translated;
};

bool venus_bridge_init(struct venus_bridge *v, const struct eb_venus_config *cfg);
void venus_bridge_cleanup(struct venus_bridge *v);

/*
 * Handles a client's publish when its topic is a Venus topic: returns true
 * and sets *verdict to what the MESSAGE callback must return; false when the
 * topic is not Venus's.
 */
bool venus_bridge_on_message(struct venus_bridge *v, struct mosquitto_evt_message *ed, int *verdict);

/* True for topics only the plugin publishes to: everything under the state prefix but set/ commands. */
bool venus_bridge_owns_topic(const struct venus_bridge *v, const char *topic);

/* Polls the known batteries when the poll interval has passed (broker thread, TICK). */
void venus_bridge_on_tick(struct venus_bridge *v, int64_t now_ms);

#endif
