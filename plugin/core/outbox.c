#include "outbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int outbox_init(struct outbox *ob, size_t capacity)
{
	memset(ob, 0, sizeof(*ob));
	ob->capacity = capacity;
	return pthread_mutex_init(&ob->lock, NULL);
}

void outbox_destroy(struct outbox *ob)
{
	outbox_free(outbox_take_all(ob));
	pthread_mutex_destroy(&ob->lock);
}

static bool enqueue(struct outbox *ob, struct outbox_item *item)
{
	pthread_mutex_lock(&ob->lock);
	bool room = ob->count < ob->capacity;
	if (room) {
		if (ob->tail)
			ob->tail->next = item;
		else
			ob->head = item;
		ob->tail = item;
		ob->count++;
	} else {
		ob->refused++;
	}
	pthread_mutex_unlock(&ob->lock);
	if (!room)
		outbox_free(item);
	else if (ob->notify)
		ob->notify();
	return room;
}

static void count_refusal(struct outbox *ob)
{
	pthread_mutex_lock(&ob->lock);
	ob->refused++;
	pthread_mutex_unlock(&ob->lock);
}

bool outbox_publish(struct outbox *ob, const char *topic, const char *payload, size_t len, bool retain)
{
	struct outbox_item *item = calloc(1, sizeof(*item));
	char *copy = malloc(len + 1);
	char *topic_copy = strdup(topic);
	if (!item || !copy || !topic_copy) {
		free(item);
		free(copy);
		free(topic_copy);
		count_refusal(ob);
		return false;
	}
	memcpy(copy, payload, len);
	copy[len] = '\0';
	item->kind = OUTBOX_PUBLISH;
	item->topic = topic_copy;
	item->text = copy;
	item->text_len = len;
	item->retain = retain;
	return enqueue(ob, item);
}

bool outbox_log(struct outbox *ob, int level, const char *fmt, ...)
{
	struct outbox_item *item = calloc(1, sizeof(*item));
	char *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (!item || n < 0) {
		free(item);
		if (n >= 0)
			free(line);
		count_refusal(ob);
		return false;
	}
	item->kind = OUTBOX_LOG;
	item->log_level = level;
	item->text = line;
	item->text_len = (size_t)n;
	return enqueue(ob, item);
}

uint64_t outbox_refused(struct outbox *ob)
{
	pthread_mutex_lock(&ob->lock);
	uint64_t refused = ob->refused;
	pthread_mutex_unlock(&ob->lock);
	return refused;
}

struct outbox_item *outbox_take_all(struct outbox *ob)
{
	pthread_mutex_lock(&ob->lock);
	struct outbox_item *items = ob->head;
	ob->head = ob->tail = NULL;
	ob->count = 0;
	pthread_mutex_unlock(&ob->lock);
	return items;
}

void outbox_free(struct outbox_item *items)
{
	while (items) {
		struct outbox_item *next = items->next;
		free(items->topic);
		free(items->text);
		free(items);
		items = next;
	}
}
