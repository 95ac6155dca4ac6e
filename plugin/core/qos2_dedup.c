#include "qos2_dedup.h"

#include <string.h>

/* FNV-1a, 64 bits: fast, and collisions only matter within one client's window. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

void qos2_dedup_init(struct qos2_dedup *d, int64_t window_ms)
{
	memset(d, 0, sizeof(*d));
	d->window_ms = window_ms;
}

struct qos2_fingerprint qos2_fingerprint(const char *client_id, const char *topic,
					 const void *payload, size_t len)
{
	struct qos2_fingerprint fp;
	fp.client = fnv1a(FNV_OFFSET, client_id, strlen(client_id));
	/* The NUL keeps topic "a" + payload "bc" apart from topic "ab" + payload "c". */
	fp.message = fnv1a(fnv1a(FNV_OFFSET, topic, strlen(topic) + 1), payload, len);
	return fp;
}

bool qos2_dedup_lookup(const struct qos2_dedup *d, struct qos2_fingerprint fp, int64_t now_ms,
		       int *verdict)
{
	for (size_t i = 0; i < QOS2_DEDUP_SLOTS; i++) {
		const struct qos2_slot *s = &d->slots[i];
		if (s->used && s->fp.client == fp.client && s->fp.message == fp.message &&
		    now_ms - s->seen_ms <= d->window_ms) {
			*verdict = s->verdict;
			return true;
		}
	}
	return false;
}

void qos2_dedup_record(struct qos2_dedup *d, struct qos2_fingerprint fp, int verdict, int64_t now_ms)
{
	struct qos2_slot *s = &d->slots[d->next];
	d->next = (d->next + 1) % QOS2_DEDUP_SLOTS;
	s->fp = fp;
	s->seen_ms = now_ms;
	s->verdict = verdict;
	s->used = true;
}
