/*
 * venus_gate: the per-device rate limit of docs/venus.md.
 *
 * A Venus battery takes settings slowly and a misbehaving client (or a
 * looping automation) can flood it. Per device, at most one setting or
 * dangerous command passes per interval; reads are never limited, but the
 * same read for the same device within the interval is a duplicate, which
 * the caller drops quietly (the answer to the first one serves both).
 *
 * Call venus_gate_admit last, after every other check (parse, admin users):
 * only a command that passes is recorded, so a refused command never uses up
 * the device's slot.
 *
 * Two reads are "the same" when their cd and the rest of their normalised
 * text are equal: cd=01 and cd=1 are one read. Reads are remembered as
 * 64-bit hashes, a few per device; a hash collision could at worst drop one
 * read within one interval.
 *
 * Memory is fixed at init: a table of `capacity` devices. A new device
 * takes a free entry, or the least recently used entry whose setting and
 * reads are all older than the interval (forgetting it changes nothing: its
 * next command would pass anyway). When every entry still limits its device,
 * the new device's command is refused (VENUS_GATE_BUSY) rather than
 * forgetting one: otherwise commands to invented devices would reset a real
 * battery's limit. A device key is any string (the caller uses
 * "<type>/<id>"); keys longer than VENUS_GATE_KEY_MAX are told apart by
 * length and a hash of the whole key as well as their first bytes.
 *
 * If the clock goes backwards (now_ms earlier than a recorded command), the
 * interval counts as elapsed: a stepped clock must not block a device for
 * the size of the step.
 *
 * Pure: time is an argument; allocation happens only in venus_gate_init.
 */
#ifndef VENUS_GATE_H
#define VENUS_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "venus_command.h"

#define VENUS_GATE_DEFAULT_CAPACITY 256
#define VENUS_GATE_DEFAULT_INTERVAL_MS 1000
#define VENUS_GATE_KEY_MAX 127
/* Distinct reads remembered per device: the table has two (cd=1, cd=19). */
#define VENUS_GATE_READS 4

enum venus_gate_result {
	VENUS_GATE_PASS,           /* deliver it; recorded */
	VENUS_GATE_TOO_FAST,       /* a setting within the interval: refuse */
	VENUS_GATE_DUPLICATE_READ, /* the same read within the interval: drop quietly */
	VENUS_GATE_BUSY,           /* a new device, and every entry limits its own: refuse */
};

struct venus_gate_read {
	uint64_t hash;
	int64_t sent_ms;
	bool used;
};

struct venus_gate_device {
	uint64_t last_use;  /* venus_gate.use_clock at the last access; 0 = free */
	uint64_t key_hash;
	size_t key_len;
	char key[VENUS_GATE_KEY_MAX + 1];
	bool has_setting;
	int64_t setting_ms;
	struct venus_gate_read reads[VENUS_GATE_READS];
};

struct venus_gate {
	struct venus_gate_device *devices;
	size_t capacity;
	int64_t interval_ms;
	uint64_t use_clock; /* counts accesses, orders devices by recency */
};

/*
 * capacity 0 means VENUS_GATE_DEFAULT_CAPACITY; interval_ms <= 0 lets
 * everything pass. Returns false if the table cannot be allocated.
 */
bool venus_gate_init(struct venus_gate *gate, size_t capacity, int64_t interval_ms);
void venus_gate_free(struct venus_gate *gate);

/*
 * Decides about one accepted command for one device at now_ms. On
 * VENUS_GATE_TOO_FAST, *wait_ms (if not NULL) is how long until the next
 * setting may pass (at least 1); otherwise it is 0.
 */
enum venus_gate_result venus_gate_admit(struct venus_gate *gate, const char *device_key,
					const struct venus_command *command, int64_t now_ms,
					int64_t *wait_ms);

/* Words for a log line or an error message; "" for VENUS_GATE_PASS. */
void venus_gate_describe(const struct venus_gate *gate, enum venus_gate_result result,
			 int64_t wait_ms, char *buf, size_t size);

#endif
