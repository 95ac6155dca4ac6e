#include "venus_gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: small, no table, good enough to tell a few keys apart. */
static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

bool venus_gate_init(struct venus_gate *gate, size_t capacity, int64_t interval_ms)
{
	memset(gate, 0, sizeof(*gate));
	if (capacity == 0)
		capacity = VENUS_GATE_DEFAULT_CAPACITY;
	gate->devices = calloc(capacity, sizeof(gate->devices[0]));
	if (!gate->devices)
		return false;
	gate->capacity = capacity;
	gate->interval_ms = interval_ms > 0 ? interval_ms : 0;
	return true;
}

void venus_gate_free(struct venus_gate *gate)
{
	free(gate->devices);
	memset(gate, 0, sizeof(*gate));
}

static bool same_key(const struct venus_gate_device *d, uint64_t hash, const char *key, size_t len)
{
	size_t stored = len > VENUS_GATE_KEY_MAX ? VENUS_GATE_KEY_MAX : len;
	return d->last_use != 0 && d->key_hash == hash && d->key_len == len &&
	       memcmp(d->key, key, stored) == 0;
}

static struct venus_gate_device *find_device(struct venus_gate *gate, const char *key)
{
	size_t len = strlen(key);
	uint64_t hash = hash_bytes(HASH_SEED, key, len);
	for (size_t i = 0; i < gate->capacity; i++)
		if (same_key(&gate->devices[i], hash, key, len))
			return &gate->devices[i];
	return NULL;
}

static bool within_interval(const struct venus_gate *gate, int64_t then_ms, int64_t now_ms);

/* An entry whose setting and reads are all older than the interval limits nothing. */
static bool still_limits(const struct venus_gate *gate, const struct venus_gate_device *d, int64_t now_ms)
{
	if (d->has_setting && within_interval(gate, d->setting_ms, now_ms))
		return true;
	for (size_t i = 0; i < VENUS_GATE_READS; i++)
		if (d->reads[i].used && within_interval(gate, d->reads[i].sent_ms, now_ms))
			return true;
	return false;
}

/*
 * A free entry, or else the least recently used one that limits nothing any
 * more, emptied and named key; NULL when every entry still limits its device.
 */
static struct venus_gate_device *claim_device(struct venus_gate *gate, const char *key, int64_t now_ms)
{
	struct venus_gate_device *victim = NULL;
	for (size_t i = 0; i < gate->capacity; i++) {
		struct venus_gate_device *d = &gate->devices[i];
		if (d->last_use == 0) {
			victim = d;
			break;
		}
		if (!still_limits(gate, d, now_ms) && (!victim || d->last_use < victim->last_use))
			victim = d;
	}
	if (!victim)
		return NULL;
	size_t len = strlen(key);
	size_t stored = len > VENUS_GATE_KEY_MAX ? VENUS_GATE_KEY_MAX : len;
	memset(victim, 0, sizeof(*victim));
	victim->key_hash = hash_bytes(HASH_SEED, key, len);
	victim->key_len = len;
	memcpy(victim->key, key, stored);
	victim->key[stored] = '\0';
	return victim;
}

/* cd as a number plus everything after it, so that cd=01 and cd=1 are one read. */
static uint64_t read_identity(const struct venus_command *command)
{
	char cd[16];
	int n = snprintf(cd, sizeof(cd), "%d", command->cd);
	uint64_t h = hash_bytes(HASH_SEED, cd, (size_t)n);
	const char *rest = memchr(command->payload, ',', command->payload_len);
	if (rest)
		h = hash_bytes(h, rest, command->payload_len - (size_t)(rest - command->payload));
	return h;
}

/* Within the interval after then_ms; a clock that went back counts as elapsed. */
static uint64_t elapsed_ms(int64_t then_ms, int64_t now_ms)
{
	return (uint64_t)now_ms - (uint64_t)then_ms; /* exact when now_ms >= then_ms */
}

static bool within_interval(const struct venus_gate *gate, int64_t then_ms, int64_t now_ms)
{
	return now_ms >= then_ms && elapsed_ms(then_ms, now_ms) < (uint64_t)gate->interval_ms;
}

static struct venus_gate_read *free_or_oldest_read(struct venus_gate_device *d)
{
	struct venus_gate_read *oldest = &d->reads[0];
	for (size_t i = 0; i < VENUS_GATE_READS; i++) {
		if (!d->reads[i].used)
			return &d->reads[i];
		if (d->reads[i].sent_ms < oldest->sent_ms)
			oldest = &d->reads[i];
	}
	return oldest;
}

static enum venus_gate_result admit_read(struct venus_gate *gate, struct venus_gate_device *d,
					 const struct venus_command *command, int64_t now_ms)
{
	uint64_t identity = read_identity(command);
	struct venus_gate_read *slot = NULL;
	for (size_t i = 0; i < VENUS_GATE_READS; i++) {
		struct venus_gate_read *r = &d->reads[i];
		if (r->used && r->hash == identity) {
			if (within_interval(gate, r->sent_ms, now_ms))
				return VENUS_GATE_DUPLICATE_READ;
			slot = r;
			break;
		}
	}
	if (!slot)
		slot = free_or_oldest_read(d);
	*slot = (struct venus_gate_read){identity, now_ms, true};
	return VENUS_GATE_PASS;
}

enum venus_gate_result venus_gate_admit(struct venus_gate *gate, const char *device_key,
					const struct venus_command *command, int64_t now_ms,
					int64_t *wait_ms)
{
	if (wait_ms)
		*wait_ms = 0;
	/* A gate that could not be set up, or no command, limits nothing. */
	if (!gate || !gate->devices || !command)
		return VENUS_GATE_PASS;
	if (!device_key)
		device_key = "";
	struct venus_gate_device *d = find_device(gate, device_key);

	if (d && command->cls != VENUS_READ && d->has_setting &&
	    within_interval(gate, d->setting_ms, now_ms)) {
		d->last_use = ++gate->use_clock;
		if (wait_ms)
			*wait_ms = gate->interval_ms - (int64_t)elapsed_ms(d->setting_ms, now_ms);
		return VENUS_GATE_TOO_FAST;
	}
	if (!d)
		d = claim_device(gate, device_key, now_ms);
	if (!d)
		return VENUS_GATE_BUSY;
	d->last_use = ++gate->use_clock;
	if (command->cls == VENUS_READ)
		return admit_read(gate, d, command, now_ms);
	d->has_setting = true;
	d->setting_ms = now_ms;
	return VENUS_GATE_PASS;
}

void venus_gate_describe(const struct venus_gate *gate, enum venus_gate_result result,
			 int64_t wait_ms, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	long long interval = gate ? (long long)gate->interval_ms : 0;
	switch (result) {
	case VENUS_GATE_PASS:
		buf[0] = '\0';
		return;
	case VENUS_GATE_TOO_FAST:
		snprintf(buf, size,
			 "too fast: one setting per %lld ms for this device, next in %lld ms",
			 interval, (long long)wait_ms);
		return;
	case VENUS_GATE_DUPLICATE_READ:
		snprintf(buf, size, "same read already sent to this device within %lld ms",
			 interval);
		return;
	case VENUS_GATE_BUSY:
		snprintf(buf, size,
			 "too many batteries commanded within %lld ms (%zu): try again in a moment",
			 interval, gate ? gate->capacity : 0);
		return;
	}
	snprintf(buf, size, "unknown gate result %d", (int)result);
}
