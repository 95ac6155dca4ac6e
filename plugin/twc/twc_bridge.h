/*
 * twc_bridge: the TWC job on the broker's side (docs/twc.md).
 *
 * Starts the link thread, publishes what it hands over (retained status
 * values, log lines) from the TICK callback, takes run-time changes of the
 * pool from <prefix>/config/maxAmpsForSlaves/set, and keeps clients from
 * publishing anything else under the prefix.
 */
#ifndef TWC_BRIDGE_H
#define TWC_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "broker.h"

#include "device_events.h"
#include "device_requests.h"
#include "log_limit.h"
#include "outbox.h"
#include "twc_link.h"
#include "twc_options.h"

struct twc_bridge {
	const struct eb_twc_config *cfg;
	struct outbox outbox;
	struct twc_link *link;
	char *set_topic;
	char *error_topic;
	int circuit_amps;	/* the most the pool may be set to */
	uint64_t pool_changes;
	uint64_t pool_refusals;
	struct eb_device_observer observer;	/* told of the circuit and of each wall connector heard */
	/* Energy management (docs/energy.md). */
	char *mode_topic;	/* <prefix>/energy/mode/set */
	char *charge_now_topic;	/* <prefix>/energy/chargeNow/set */
	char *energy_error_topic;	/* <prefix>/energy/error */
	int64_t next_meter_log_ms;	/* refused meter readings are logged once a minute at most */
	int64_t next_ct_poll_ms;
	struct eb_device_poller poller;	/* asks the Venus job for a battery's CT reading */
	uint64_t meter_readings;
	uint64_t meter_refusals;
	uint64_t energy_commands;
	uint64_t energy_refusals;
	struct log_limit *refusal_log;		/* the plugin's limiter of client-caused log lines */
};

/* Starts the job when cfg says it is on, and does nothing otherwise: 0, or -1 with the reason in err. */
int twc_bridge_start(struct twc_bridge *t, const struct eb_twc_config *cfg, char *err, size_t errsz);
/* Stops the job and frees what it holds; safe on a zeroed bridge and after a failed start. */
void twc_bridge_stop(struct twc_bridge *t);

/*
 * Publishes and logs what the link thread queued, polls the CT battery when
 * due (broker thread, TICK); true when it published anything.
 */
bool twc_bridge_on_tick(struct twc_bridge *t, int64_t now_ms);

/* A device event of another job: the configured batteries' readings feed energy management. */
void twc_bridge_on_device(void *ctx, const struct eb_device_event *event);

/* True for topics only the plugin publishes to: everything under the prefix but the three set topics. */
bool twc_bridge_owns_topic(const struct twc_bridge *t, const char *topic);

/*
 * Handles a publish to the pool's, the energy mode's or charge-now's set
 * topic, or the grid meter's topic (always delivered; a reading that is
 * not one is reported on <prefix>/energy/error): true with *verdict set,
 * false for any other topic.
 */
bool twc_bridge_on_message(struct twc_bridge *t, const struct mosquitto_evt_message *ed, int *verdict);

#endif
