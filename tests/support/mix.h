/*
 * The mixed traffic of the fault tests (itest_faults.c) and the soak
 * benchmark (bench_soak.c): valid and malformed MPPT requests, valid and
 * malformed Venus commands, Venus replies, forgeries of the plugin's output
 * and plain messages, in a fixed cycle, from numbered "workers" (one client
 * each). Every message is numbered (worker, seq) and carries that number in a
 * form that survives the plugin, so that every output it gives can be traced
 * back to it: an observer can then tell "exactly once" from "twice" or
 * "never", per message.
 *
 * Worker w uses the MPPT id FLT<w>, the Venus battery hame_energy/HMG-50/flt<w>
 * and the plain topic house/<w>; workers 0 to 9.
 *
 * The plugin's counters (energy-bridge/stats) are read here too, to compare
 * them with what the traffic must have moved.
 */
#ifndef MIX_H
#define MIX_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define MIX_WORKERS_MAX 10
#define MIX_PAYLOAD_MAX 400

enum mix_kind {
	MIX_MPPT_OK,		/* one item */
	MIX_MPPT_TWO,		/* two items: two translations */
	MIX_MPPT_NOT_JSON,
	MIX_MPPT_NEGATIVE,	/* negative amps */
	MIX_MPPT_TRUNCATED,	/* a valid request cut short */
	MIX_COMMAND_OK,		/* cd=4, the clock: every value distinct */
	MIX_COMMAND_RANGE,	/* cp out of range */
	MIX_COMMAND_UNKNOWN,	/* an unknown cd */
	MIX_REPLY_POWER,	/* get_power: venus/.../reply */
	MIX_REPLY_INFO,		/* an information reply: the retained venus/.../state */
	MIX_FORGE_MPPT,		/* a client publishing on monitoring.mppt/... */
	MIX_FORGE_VENUS,	/* a client publishing on venus/.../state */
	MIX_PLAIN,		/* a topic the plugin does not touch */
	MIX_KINDS
};

/* Where outputs are seen: one subscription each but the three under venus/#. */
enum mix_sink {
	MIX_SINK_MPPT_OUT,	/* monitoring.mppt/# */
	MIX_SINK_AUDIT,		/* dataset/mppt: accepted requests as they were */
	MIX_SINK_MPPT_ERROR,	/* dataset/mppt/errors (reports carry no number: matched in order) */
	MIX_SINK_BATTERY,	/* hame_energy/HMG-50/App/+/ctrl */
	MIX_SINK_DEVICE,	/* hame_energy/HMG-50/device/+/ctrl: replies as they were */
	MIX_SINK_VENUS_REPLY,	/* venus/HMG-50/+/reply */
	MIX_SINK_VENUS_STATE,	/* venus/HMG-50/+/state */
	MIX_SINK_VENUS_ERROR,	/* venus/HMG-50/+/error */
	MIX_SINK_PLAIN,		/* house/# */
	MIX_SINKS
};

/* The filters an observer subscribes to, to see every sink. NULL-terminated. */
extern const char *const mix_filters[];

struct mix_message {
	enum mix_kind kind;
	bool refused;	/* the plugin must refuse it (0x87 to a v5 publisher) */
	char topic[96];
	char payload[MIX_PAYLOAD_MAX];
	int len;
};

/* The message number seq of worker w. */
void mix_message(int worker, long seq, struct mix_message *out);
enum mix_kind mix_kind_of(long seq);
/* How many messages a message of this kind gives on the sink. */
int mix_expected(enum mix_kind kind, enum mix_sink sink);
/* The start of the error of an MPPT report on a refused request of this kind. */
const char *mix_mppt_error(enum mix_kind kind);
const char *mix_kind_name(enum mix_kind kind);
const char *mix_sink_name(enum mix_sink sink);

/*
 * Which sink a received message is on, and the worker and number of the
 * message that caused it (*seq is -1 on MIX_SINK_MPPT_ERROR, whose worker
 * comes from its client id "mix-<w>"). False for anything the traffic cannot
 * have caused: a forgery that got through, an unreadable number.
 */
bool mix_trace(const char *topic, const char *payload, enum mix_sink *sink, int *worker, long *seq);

/* The client id of worker w: "mix-<w>". */
void mix_client_id(int worker, char *buf, size_t size);

/* ---- the plugin's counters ---- */

struct mix_stats {
	long long forgeries_refused;
	long long mppt_translated, mppt_refused, mppt_published;
	long long venus_passed, venus_refused, venus_invalid, venus_dangerous, venus_too_fast, venus_collapsed,
		venus_replies, venus_devices;
	bool twc;	/* the twc part was there */
	long long twc_good, twc_bad, twc_sent, twc_reconnects, twc_slaves, twc_pool_changes, twc_pool_refusals,
		twc_outbox_refused;
};

/* Reads the JSON of energy-bridge/stats; false when a counter is missing. */
bool mix_stats_parse(const char *json, struct mix_stats *out);
/*
 * The counters once the MPPT and Venus ones stop moving: reads the stats
 * topic (c subscribed to it alone) until two publications in a row agree on
 * them. False when they did not within timeout_ms (scaled).
 */
bool mix_stats_settled(struct eb_client *c, struct mix_stats *out, int timeout_ms);
/* What counts of each kind must have added to the MPPT and Venus counters. */
void mix_stats_expected(const long counts[MIX_KINDS], struct mix_stats *out);
/*
 * Compares after - before with expected on the MPPT, Venus and forgery
 * counters; writes the differences to why (empty when they match).
 */
bool mix_stats_match(const struct mix_stats *before, const struct mix_stats *after,
		     const struct mix_stats *expected, char *why, size_t size);

#endif
