/*
 * The integration-test harness: a real mosquitto broker with the built plugin
 * on a free loopback port, and real MQTT clients (libmosquitto, v3.1.1 or v5)
 * with a blocking API that tests can read top to bottom.
 *
 * EB_BROKER_WRAPPER, when set, is put in front of the broker's command line
 * (for example "valgrind --error-exitcode=99"); waits then grow accordingly.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker.h" /* Mosquitto's headers, 2.0's or 2.1's (plugin/core/broker.h) */
#include "broker_conf.h"

#include "util.h" /* eb_free_port for a second listener, the clock, waits */

struct eb_broker {
	pid_t pid;
	int port;
	char dir[64];	/* a private temporary directory: config and log */
};

/*
 * Starts the broker with the plugin and `extra` configuration lines (plugin
 * options among them). Without "allow_anonymous" in extra, anonymous clients
 * are allowed. Returns 0 once it accepts connections; otherwise -1 after
 * printing its log.
 */
int eb_broker_start(struct eb_broker *b, const char *extra);
/*
 * For a configuration of the test's own making: eb_broker_prepare creates the
 * private directory (b->dir) and picks a free port (b->port) for the first
 * listener; the test writes b->dir/mosquitto.conf (logging to
 * b->dir/mosquitto.log for eb_broker_log); eb_broker_start_prepared starts the
 * broker on it and waits like eb_broker_start. Both return 0 or -1.
 */
int eb_broker_prepare(struct eb_broker *b);
int eb_broker_start_prepared(struct eb_broker *b);
/*
 * Stops it (SIGTERM) and returns its exit status, or -1. A clean stop is 0;
 * under the sanitizers a leak or error makes it non-zero.
 */
int eb_broker_stop(struct eb_broker *b);
/* Sends a signal to the broker (SIGHUP reloads its configuration). */
void eb_broker_signal(struct eb_broker *b, int sig);
/* The broker's log so far; free() it. */
char *eb_broker_log(const struct eb_broker *b);
/* Runs a broker that is expected to refuse to start; returns its log (free it) and sets *status. */
char *eb_broker_run_to_exit(const char *extra, int *status);
/*
 * Lines written at the very top of the configurations of the next starts
 * (NULL: none), for the settings mosquitto takes only before any listener or
 * security setting, such as "per_listener_settings true".
 */
void eb_broker_config_head(const char *lines);
/*
 * True when a broker with `extra` refuses to start and its log holds
 * message; otherwise false, after printing the exit status and the log.
 */
bool eb_broker_refuses_to_start(const char *extra, const char *message);
/*
 * The version of the broker the tests run (`mosquitto -h`, parsed as the
 * plugin does: broker_conf.h); aborts when it cannot be read.
 */
struct eb_version eb_broker_version(void);
/* True from Mosquitto 2.0.15 on: TICK runs for a plugin loaded under per_listener_settings true. */
bool eb_broker_ticks_listener_plugins(void);
/* Multiplies waits when the broker runs under a slow wrapper. */
int eb_timeout_ms(int ms);

struct eb_message {
	char *topic;
	void *payload;	/* NUL-terminated for convenience */
	int payloadlen;
	int qos;
	bool retain;
	mosquitto_property *props;
	int64_t arrived_us;	/* CLOCK_MONOTONIC when the client library handed it over (latency) */
};
void eb_message_free(struct eb_message *m);

struct eb_client;

struct eb_client_options {
	const char *id;		/* NULL: generated */
	const char *username;
	const char *password;
	int protocol;		/* MQTT_PROTOCOL_V311 (default) or MQTT_PROTOCOL_V5 */
	const char *will_topic;	/* optional will */
	const char *will_payload;
	bool will_retain;
	const char *cafile;	/* TLS when set */
	bool keep_session;	/* clean session false (needs an id): the broker keeps its subscriptions and queue */
};

/* Connects and waits for CONNACK; NULL when refused (*reason gets the CONNACK code). */
struct eb_client *eb_client_connect(int port, const struct eb_client_options *o, int *reason);
/* Convenience: anonymous-or-named client of the given protocol. */
struct eb_client *eb_client_simple(int port, const char *id, const char *username, int protocol);
void eb_client_disconnect(struct eb_client *c);
/* Drops the network connection without DISCONNECT, so the broker sends the will. */
void eb_client_drop(struct eb_client *c);

/* Subscribes and waits for SUBACK; returns the granted QoS or a failure code (>= 0x80). */
int eb_client_subscribe(struct eb_client *c, const char *topic, int qos);

/*
 * Publishes and waits until the exchange completes (PUBACK/PUBCOMP at QoS
 * 1/2). Returns 0 on success (v3.1.1 always; v5 codes below 0x80), the v5
 * failure reason code (>= 0x80), or -1 on timeout. props is consumed.
 */
int eb_client_publish(struct eb_client *c, const char *topic, const void *payload, int len, int qos, bool retain,
		      mosquitto_property *props);
int eb_client_publish_str(struct eb_client *c, const char *topic, const char *payload, int qos);
/* Queues a publish without waiting for its acknowledgement (for load); 0 when queued. */
int eb_client_publish_nowait(struct eb_client *c, const char *topic, const void *payload, int len, int qos);
/*
 * From now on messages are only counted, not kept: a benchmark's receiver
 * then costs the same whatever the size of what it receives.
 */
void eb_client_count_only(struct eb_client *c);
/* Waits until n messages have arrived in total since the last call, discarding them; false on timeout. */
bool eb_client_drain(struct eb_client *c, int n, int timeout_ms);

/* The next message received, waiting up to timeout_ms; NULL when none came. */
struct eb_message *eb_client_next(struct eb_client *c, int timeout_ms);
/* The next message on topic, discarding others; NULL when none came in time. */
struct eb_message *eb_client_next_on(struct eb_client *c, const char *topic, int timeout_ms);
/* How many messages are waiting. */
int eb_client_pending(struct eb_client *c);

#endif
