/*
 * will_watch: tells a will from a publish in the ACL check.
 *
 * Mosquitto 2.0 asks the ACL check about a client's PUBLISH and about its
 * will alike, with nothing that says which. A publish then passes the
 * MESSAGE callback, where the plugin's gates run; a will does not, so the ACL
 * check is the plugin's only chance to refuse one. This module recognises a
 * will from the order of the broker's events, which 2.0 fixes:
 *
 * - A connection that drops (error, keepalive, kicked) fires its DISCONNECT
 *   event, then the broker checks its will at once, before any other write
 *   is checked: a write checked for that client right after its DISCONNECT
 *   event is its will (a connection never publishes after it).
 * - A new connection that takes over a client id with a clean start fires
 *   its BASIC_AUTH event, then the broker checks the old connection's will
 *   before any other write: a write checked right after, for another
 *   connection with the same client id, is that will.
 *
 * Either event arms the watch; the first write checked afterwards disarms it,
 * whether it matched or not, and so does every TICK (a connection's memory
 * is reused only in a later turn of the broker's loop).
 *
 * Not recognised (the caller's other checks must cover them): a will sent
 * after an MQTT v5 Will Delay Interval or at session expiry, the wills the
 * broker sends when it shuts down, and a takeover on a listener where no
 * BASIC_AUTH event fires (TLS use_identity_as_username, extended
 * authentication).
 *
 * Pure: clients are compared as opaque pointers, never dereferenced.
 */
#ifndef WILL_WATCH_H
#define WILL_WATCH_H

#include <stdbool.h>
#include <stdint.h>

enum will_watch_armed { WILL_WATCH_IDLE, WILL_WATCH_DISCONNECTED, WILL_WATCH_TAKEOVER };

struct will_watch {
	enum will_watch_armed armed;
	const void *client;	/* DISCONNECTED: the client; TAKEOVER: the connection taking over */
	uint64_t client_id;	/* a hash of its client id */
	uint64_t wills_seen;	/* writes recognised as wills */
};

void will_watch_init(struct will_watch *w);
/* The DISCONNECT event of client. */
void will_watch_disconnected(struct will_watch *w, const void *client, const char *client_id);
/* The BASIC_AUTH event of a connection that is logging in. */
void will_watch_connecting(struct will_watch *w, const void *client, const char *client_id);
/* A write is being checked: true when it is a will. Disarms the watch. */
bool will_watch_is_will(struct will_watch *w, const void *client, const char *client_id);
/* TICK: a turn of the broker's loop is over. */
void will_watch_tick(struct will_watch *w);

#endif
