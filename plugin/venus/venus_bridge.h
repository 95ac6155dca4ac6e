/*
 * venus_bridge: the Venus job inside the broker (docs/venus.md).
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

#include "broker.h"

#include "device_events.h"
#include "json_out.h"
#include "log_limit.h"
#include "qos2_dedup.h"
#include "venus_gate.h"
#include "venus_reply.h"
#include "venus_state.h"
#include "venus_options.h"
#include "venus_topic.h"

/*
 * A home has a handful of batteries. The table tracks at most this many;
 * when it is full, a battery not seen for VENUS_DEVICE_IDLE_MS makes room
 * (its retained state is cleared), and otherwise a newcomer is not tracked:
 * its replies are delivered but not translated (devices_untracked).
 */
#define VENUS_DEVICES_MAX 32
#define VENUS_DEVICE_IDLE_MS (10 * 60 * 1000)
/* The largest reply read; a longer one is not delivered (replies_refused). */
#define VENUS_REPLY_BYTES_MAX 8192

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
	uint64_t commands_refused;	/* all refusals, of which: */
	uint64_t refused_invalid;	/* malformed or out of range */
	uint64_t refused_dangerous;	/* dangerous, from a user who is not an admin */
	uint64_t refused_too_fast;	/* the per-device rate limit */
	uint64_t refused_busy;		/* the rate limiter full of batteries within their interval */
	uint64_t reads_collapsed;
	uint64_t replies_translated;
	uint64_t replies_refused;	/* longer than VENUS_REPLY_BYTES_MAX */
	uint64_t devices_untracked;	/* replies of batteries the full table could not take */
	int64_t untracked_logged_ms;
	uint64_t qos2_resends;		/* QoS 2 messages taken for a possible retransmission */
	struct eb_device_observer observer;	/* told of every reply translated */
	struct log_limit *refusal_log;		/* the plugin's limiter of client-caused log lines */
};

/* Starts the job when cfg says it is on, and does nothing otherwise: 0, or -1 with the reason in err. */
int venus_bridge_start(struct venus_bridge *v, const struct eb_venus_config *cfg, char *err, size_t errsz);
/* Stops the job and frees what it holds; safe on a zeroed bridge and after a failed start. */
void venus_bridge_stop(struct venus_bridge *v);

/*
 * Handles a client's publish when its topic is a Venus command, reply or
 * friendly command: returns true and sets *verdict to what the MESSAGE
 * callback must return; false otherwise (the plugin's own topics are refused
 * by the caller, see venus_bridge_owns_topic).
 */
bool venus_bridge_on_message(struct venus_bridge *v, struct mosquitto_evt_message *ed, int *verdict);

/* True for topics only the plugin publishes to: everything under the state prefix but set/ commands. */
bool venus_bridge_owns_topic(const struct venus_bridge *v, const char *topic);

/*
 * The ACL check of a write (plugin_opt_acl_guard on), which runs before the
 * acl_file has said whether the client may write there at all: so nothing it
 * does is seen by other clients (no report on the error topic, no count, no
 * log line). MOSQ_ERR_ACL_DENIED or MOSQ_ERR_PLUGIN_DEFER.
 * - A will on a command or friendly set/ topic is refused: a command has no
 *   business in a will (is_will: the caller recognised a will).
 * - Any other write to a command topic gets the stateless part of the gate
 *   (well formed, in range, dangerous only for admins, not retained), since
 *   a will the caller could not recognise reaches the battery without
 *   passing the MESSAGE callback. A refused one gets its report addressed to
 *   the sender alone (mosquitto_broker_publish to its client id). An empty
 *   retained command (it clears one) is deferred.
 */
int venus_bridge_check_write(struct venus_bridge *v, const struct mosquitto *client, const char *topic,
			     const void *payload, size_t len, int qos, bool retain, bool is_will);

/* Polls the known batteries when the poll interval has passed (broker thread, TICK). */
void venus_bridge_on_tick(struct venus_bridge *v, int64_t now_ms);

#endif
