/*
 * qos2_dedup: recognises a QoS 2 PUBLISH that a client sends again.
 *
 * Mosquitto 2.0 runs the MESSAGE callback for a retransmitted QoS 2 PUBLISH
 * (DUP) too, and only afterwards compares it with the copy it holds under
 * that packet id. The plugin sees neither the packet id nor the DUP flag;
 * what it can see is the same sender sending the same topic and payload
 * again. This module remembers, per sender, the fingerprints of its recent
 * QoS 2 messages with the verdict each got, for a window of time.
 *
 * The sender is the client id AND the user name: Mosquitto 2.0 lets any user
 * connect with another user's client id, so the id alone would let one user
 * inherit another's verdicts.
 *
 * A match says "this could be a retransmission"; it cannot say "this is
 * one": a client may also publish the very same payload to the same topic
 * again on purpose. Callers decide what a match may skip (a second report, a
 * second translation) and must never let a match deliver what they would
 * refuse now.
 *
 * Bounds: QOS2_DEDUP_PER_CLIENT messages per sender (its own older ones are
 * forgotten first, so other clients' traffic never pushes a sender's
 * messages out) and `capacity` senders at a time. A sender's memory is freed
 * once its last message is older than the window. When every sender slot is
 * in use within the window, a new sender is not remembered (counted in
 * `unremembered`): senders already remembered are never evicted.
 *
 * Pure: time is an argument; allocation happens only in qos2_dedup_init.
 */
#ifndef QOS2_DEDUP_H
#define QOS2_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Above Mosquitto's default of 20 QoS 2 messages in flight per client. */
#define QOS2_DEDUP_PER_CLIENT 32
#define QOS2_DEDUP_DEFAULT_CLIENTS 512

struct qos2_fingerprint {
	uint64_t sender;  /* client id and user name */
	uint64_t message; /* topic and payload */
};

struct qos2_remembered {
	uint64_t message;
	int64_t seen_ms;
	int verdict;
	bool used;
};

struct qos2_sender {
	struct qos2_remembered messages[QOS2_DEDUP_PER_CLIENT];
	size_t next; /* the slot its next new message overwrites */
};

struct qos2_dedup {
	uint64_t *keys;		    /* capacity sender fingerprints, scanned together */
	int64_t *last_ms;	    /* when each sender last had a message recorded */
	bool *used;
	struct qos2_sender *senders;
	size_t capacity;
	int64_t window_ms;
	uint64_t unremembered;	    /* messages not remembered: every sender slot busy */
};

/* capacity 0 means QOS2_DEDUP_DEFAULT_CLIENTS. False when out of memory. */
bool qos2_dedup_init(struct qos2_dedup *d, int64_t window_ms, size_t capacity);
void qos2_dedup_free(struct qos2_dedup *d);

/* username NULL (anonymous) differs from "". */
struct qos2_fingerprint qos2_fingerprint(const char *client_id, const char *username, const char *topic,
					 const void *payload, size_t len);

/* True when fp was recorded within the window; *verdict is what it got then. */
bool qos2_dedup_lookup(const struct qos2_dedup *d, struct qos2_fingerprint fp, int64_t now_ms, int *verdict);

/* Remembers fp with its verdict; false (and counted) when no sender slot is free. */
bool qos2_dedup_record(struct qos2_dedup *d, struct qos2_fingerprint fp, int verdict, int64_t now_ms);

/* Senders remembered at now_ms: how full the table is (the unit tests read it; the stats topic does not show it). */
size_t qos2_dedup_senders(const struct qos2_dedup *d, int64_t now_ms);

#endif
