/*
 * outbox: what the TWC link thread hands to the broker's thread.
 *
 * Only the broker's thread may call broker functions: mosquitto_broker_publish
 * appends to a list that the main loop drains without a lock, and the log
 * goes through the broker's own state. So the link thread never publishes or
 * logs itself; it queues messages and log lines here, and the TICK callback
 * takes them all at once and acts on them in order.
 *
 * Bounded: when the broker's thread falls behind by `capacity` items the
 * newest are refused and counted rather than growing without limit (status
 * values are republished on change and on refresh, so none is lost for good).
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum outbox_kind {
	OUTBOX_PUBLISH,
	OUTBOX_LOG,
};

struct outbox_item {
	struct outbox_item *next;
	enum outbox_kind kind;
	int log_level;		/* OUTBOX_LOG: a MOSQ_LOG_* level */
	bool retain;		/* OUTBOX_PUBLISH */
	char *topic;		/* OUTBOX_PUBLISH */
	char *text;		/* the payload, or the log line */
	size_t text_len;
};

struct outbox {
	pthread_mutex_t lock;
	struct outbox_item *head;
	struct outbox_item *tail;
	size_t count;
	size_t capacity;
	uint64_t refused;
	/*
	 * Called (by the queuing thread, outside the lock) after each item is
	 * queued, when set: lets the broker's thread be woken (wake.h).
	 */
	void (*notify)(void);
};

int outbox_init(struct outbox *ob, size_t capacity);
void outbox_destroy(struct outbox *ob);

/* Both return false when the outbox is full or memory ran out (counted in refused). */
bool outbox_publish(struct outbox *ob, const char *topic, const char *payload, size_t len, bool retain);
bool outbox_log(struct outbox *ob, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* How many items were refused so far (full or out of memory). */
uint64_t outbox_refused(struct outbox *ob);

/* Everything queued, oldest first; release with outbox_free(). */
struct outbox_item *outbox_take_all(struct outbox *ob);
void outbox_free(struct outbox_item *items);

#endif
