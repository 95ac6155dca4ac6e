/*
 * telemetry_bridge: the Sundaya telemetry job inside the broker
 * (docs/mppt.md, docs/sundaya.md).
 *
 * One bridge for the three datasets, each a row of its table: the request
 * topics it listens on (JSON, and CSV for pms), the output prefix its
 * messages go under, and the pure translator that reads it. A request is
 * validated and translated whole; then either every message is published
 * and the request passes (an audit trail), or the request is refused with
 * one error report and one log line. A QoS 2 retransmission gets the first
 * verdict again; an MQTT v5 request gets its answer on its Response Topic.
 * Broker thread only.
 */
#ifndef TELEMETRY_BRIDGE_H
#define TELEMETRY_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker.h"

#include "device_events.h"
#include "log_limit.h"
#include "mppt_options.h"
#include "qos2_dedup.h"
#include "telemetry.h"

enum telemetry_dataset_kind { TELEMETRY_MPPT, TELEMETRY_PMS, TELEMETRY_INVERTER, TELEMETRY_DATASETS };

/* One dataset: a row of the table, and its counters (the stats topic). */
struct telemetry_dataset {
	const char *name;			/* "mppt", "pms", "inverter": logs and stats */
	const struct eb_telemetry_config *cfg;
	telemetry_translate_fn *translate_json;
	telemetry_translate_fn *translate_csv;	/* NULL: no CSV form */
	enum eb_device_kind device_kind;	/* what its messages tell the observer */
	uint64_t requests_translated;
	uint64_t requests_refused;
	uint64_t messages_published;
};

struct telemetry_bridge {
	struct telemetry_dataset sets[TELEMETRY_DATASETS];
	struct telemetry_batch batch;		/* reused for every request */
	struct qos2_dedup retransmissions;
	char *topic;				/* reused buffer for <prefix>/<device id> */
	size_t topic_cap;
	struct eb_device_observer observer;	/* told of every device translated */
	struct log_limit *refusal_log;		/* the plugin's limiter of client-caused log lines */
	bool trim_pending;			/* a large request's memory is to be given back */
};

/*
 * Starts the job with the three datasets' configurations, each on or off on
 * its own (a dataset that is off owns and handles nothing): 0, or -1 with
 * the reason in err.
 */
int telemetry_bridge_start(struct telemetry_bridge *t, const struct eb_telemetry_config *mppt,
			   const struct eb_telemetry_config *pms, const struct eb_telemetry_config *inverter, char *err,
			   size_t errsz);
/* Stops the job and frees what it holds; safe on a zeroed bridge and after a failed start. */
void telemetry_bridge_stop(struct telemetry_bridge *t);

/*
 * Handles a publish to a request topic of a dataset that is on: true with
 * *verdict what the MESSAGE callback should return; false for other topics.
 */
bool telemetry_bridge_on_message(struct telemetry_bridge *t, struct mosquitto_evt_message *ed, int *verdict);

/* The topics only the plugin publishes to: each dataset's output prefix and error reports. */
bool telemetry_bridge_owns_topic(const struct telemetry_bridge *t, const char *topic);

#endif
