/*
 * mppt_bridge: the MPPT job inside the broker (docs/mppt.md).
 *
 * Takes a data logger's request from the MESSAGE callback, has the pure
 * translator validate and translate it whole, and then either publishes one
 * message per sample and lets the request through (an audit trail), or
 * refuses the request with one error report and one log line.
 */
#ifndef MPPT_BRIDGE_H
#define MPPT_BRIDGE_H

#include <stdint.h>

#include "broker.h"

#include "device_events.h"
#include "log_limit.h"
#include "mppt_options.h"
#include "mppt.h"
#include "qos2_dedup.h"

struct mppt_bridge {
	const struct eb_mppt_config *cfg;
	struct mppt_batch batch;	/* reused for every request */
	struct qos2_dedup retransmissions;
	char *topic;			/* reused buffer for <prefix>/<mppt_id> */
	size_t topic_cap;
	uint64_t requests_translated;
	uint64_t requests_refused;
	uint64_t messages_published;
	struct eb_device_observer observer;	/* told of every controller translated */
	struct log_limit *refusal_log;		/* the plugin's limiter of client-caused log lines */
	bool trim_pending;			/* a large request's memory is to be given back */
};

/* Starts the job when cfg says it is on, and does nothing otherwise: 0, or -1 with the reason in err. */
int mppt_bridge_start(struct mppt_bridge *m, const struct eb_mppt_config *cfg, char *err, size_t errsz);
/* Stops the job and frees what it holds; safe on a zeroed bridge and after a failed start. */
void mppt_bridge_stop(struct mppt_bridge *m);

/* Handles a publish to the request topic; returns what the MESSAGE callback should return. */
int mppt_bridge_on_request(struct mppt_bridge *m, struct mosquitto_evt_message *ed);

/* The topics that only the plugin may publish to: the output prefix and the error reports. */
bool mppt_bridge_owns_topic(const struct mppt_bridge *m, const char *topic);

#endif
