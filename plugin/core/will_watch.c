#include "will_watch.h"

#include <string.h>

/* FNV-1a: the id only has to be told apart from the few others of one loop turn. */
static uint64_t id_hash(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)(id ? id : ""); *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void will_watch_init(struct will_watch *w)
{
	memset(w, 0, sizeof(*w));
}

static void arm(struct will_watch *w, enum will_watch_armed how, const void *client, const char *client_id)
{
	w->armed = how;
	w->client = client;
	w->client_id = id_hash(client_id);
}

void will_watch_disconnected(struct will_watch *w, const void *client, const char *client_id)
{
	arm(w, WILL_WATCH_DISCONNECTED, client, client_id);
}

void will_watch_connecting(struct will_watch *w, const void *client, const char *client_id)
{
	arm(w, WILL_WATCH_TAKEOVER, client, client_id);
}

bool will_watch_is_will(struct will_watch *w, const void *client, const char *client_id)
{
	bool same_id = w->armed != WILL_WATCH_IDLE && id_hash(client_id) == w->client_id;
	bool will = (w->armed == WILL_WATCH_DISCONNECTED && same_id && client == w->client) ||
		    (w->armed == WILL_WATCH_TAKEOVER && same_id && client != w->client);
	w->armed = WILL_WATCH_IDLE;
	w->wills_seen += will;
	return will;
}

void will_watch_tick(struct will_watch *w)
{
	w->armed = WILL_WATCH_IDLE;
}
