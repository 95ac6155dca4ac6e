/*
 * qos2_dedup: recognises a QoS 2 PUBLISH that a client sends again (DUP).
 *
 * Mosquitto 2.0 runs the MESSAGE callback for a retransmitted QoS 2 PUBLISH
 * too, and only afterwards notices that it already holds that packet id, so
 * it delivers the message once while the plugin would act twice. The plugin
 * sees neither the packet id nor the DUP flag; what it can see is the same
 * client sending the same topic and payload again. This module remembers the
 * fingerprints of recent QoS 2 messages that had side effects, with the
 * verdict they got, for a window of time, so the retransmission gets the same
 * verdict and no second round of side effects.
 *
 * The cost of the heuristic: a client that deliberately publishes the very
 * same payload to the same topic twice at QoS 2 within the window is treated
 * as having sent it once. For MPPT that is the same samples again; the
 * window is kept short enough for commands to be repeated on purpose.
 *
 * Fixed memory (QOS2_DEDUP_SLOTS entries, oldest overwritten); time is an
 * argument.
 */
#ifndef QOS2_DEDUP_H
#define QOS2_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QOS2_DEDUP_SLOTS 256

struct qos2_fingerprint {
	uint64_t client;
	uint64_t message;
};

struct qos2_dedup {
	struct qos2_slot {
		struct qos2_fingerprint fp;
		int64_t seen_ms;
		int verdict;
		bool used;
	} slots[QOS2_DEDUP_SLOTS];
	size_t next;
	int64_t window_ms;
};

void qos2_dedup_init(struct qos2_dedup *d, int64_t window_ms);

struct qos2_fingerprint qos2_fingerprint(const char *client_id, const char *topic,
					 const void *payload, size_t len);

/* True when fp was recorded within the window; *verdict is what it got then. */
bool qos2_dedup_lookup(const struct qos2_dedup *d, struct qos2_fingerprint fp, int64_t now_ms,
		       int *verdict);

void qos2_dedup_record(struct qos2_dedup *d, struct qos2_fingerprint fp, int verdict, int64_t now_ms);

#endif
