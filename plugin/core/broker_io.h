/*
 * broker_io: the few things every job does with the broker, done one way.
 *
 * Only the broker's thread may call these (mosquitto_broker_publish appends
 * to a list that the main loop drains without a lock). Payloads are copied
 * into memory from mosquitto_malloc, because the broker frees them with its
 * own allocator and accounts for them.
 */
#ifndef BROKER_IO_H
#define BROKER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "broker.h"

#include "journal.h"
#include "log_limit.h"

/*
 * Publishes a copy of payload to topic. clientid NULL: to every subscriber;
 * otherwise to that client only, subscribed or not. Takes ownership of props
 * (freed here when the broker refuses them).
 */
int eb_publish(const char *clientid, const char *topic, const void *payload, size_t len, int qos, bool retain,
	       mosquitto_property *props);

/*
 * From now on every publish at QoS 1 or 2 that the broker accepts is also
 * appended to j (journal.h); NULL: none is.
 */
void eb_publish_journal(struct eb_journal *j);
/* Publishes a journaled (spooled) message again, journaling it anew; MOSQ_ERR_SUCCESS or the broker's refusal. */
int eb_publish_entry(const struct eb_journal_entry *e);

/* The client's id and username, never NULL ("" when absent). */
const char *eb_client_id(const struct mosquitto *client);
const char *eb_client_username(const struct mosquitto *client);

/*
 * Logs, at level, a line that client caused (a refusal), unless the limiter says
 * the client (or all clients together) has had its share of lines; a logged
 * line says how many of the client's lines were left out before it. limit
 * NULL: always logged. Quote every outside text in fmt's arguments with
 * log_quote(); eb_quote_client() does the client's id and user name.
 */
void eb_log_limited(struct log_limit *limit, const struct mosquitto *client, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The client's id and user name, quoted for a log line. */
struct eb_quoted_client {
	char id[LOG_QUOTE_SIZE];
	char user[LOG_QUOTE_SIZE];
};
const struct eb_quoted_client *eb_quote_client(const struct mosquitto *client, struct eb_quoted_client *q);

/*
 * An MQTT v5 request's Response Topic and Correlation Data. Reading
 * properties needs symbols that not every 2.0 build exports; libmosquitto
 * has them then (broker_io.c). Without either there is no reply, and that is
 * logged once at start. eb_properties_source names where they come from.
 */
struct eb_response {
	char *topic;		/* NULL: the request asked for no reply (an empty Response Topic asks for none) */
	void *correlation;
	uint16_t correlation_len;
};
bool eb_properties_readable(void);
const char *eb_properties_source(void);
void eb_response_read(const mosquitto_property *props, struct eb_response *r);
/* Sends json to the requester only, on its response topic (nothing when it named none). */
void eb_response_send(const char *clientid, const struct eb_response *r, const char *json, size_t len, int qos);
void eb_response_release(struct eb_response *r);

#endif
