#include "broker_io.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/*
 * The journal of what the broker may not have queued yet (journal.h), or
 * NULL. Not in the plugin's state: every job publishes through eb_publish()
 * without it, and what it mirrors, the broker's list of plugin messages, is
 * itself one list for the whole process.
 */
static struct eb_journal *journal;

void eb_publish_journal(struct eb_journal *j)
{
	journal = j;
}

static void journal_add(const char *clientid, const char *topic, const void *payload, size_t len, int qos,
			bool retain, const void *correlation, size_t correlation_len)
{
	if (!journal || qos < 1)
		return;
	struct eb_journal_entry e = {
		.clientid = clientid ? clientid : "",
		.clientid_len = clientid ? strlen(clientid) : 0,
		.topic = topic,
		.topic_len = strlen(topic),
		.correlation = correlation,
		.correlation_len = correlation ? correlation_len : 0,
		.payload = payload,
		.payload_len = len,
		.qos = qos,
		.retain = retain,
	};
	eb_journal_add(journal, &e);
}

/*
 * The MQTT v5 property readers. Mosquitto 2.1 brokers and Debian 12's 2.0.11
 * (which exports every symbol) have them; 2.0 builds that follow upstream's
 * linker.syms (Debian 13's 2.0.21) do not. There they come from libmosquitto,
 * the client library of the same source (Debian's mosquitto depends on
 * libmosquitto1 of its own version): the same code over the same structure,
 * documented API either way. What libmosquitto's readers return is freed with
 * free(), the broker's with mosquitto_free(). Weak references resolve to NULL
 * where the broker lacks them, instead of failing the plugin's load.
 */
#pragma weak mosquitto_property_read_string
#pragma weak mosquitto_property_read_binary

typedef const mosquitto_property *(*read_string_fn)(const mosquitto_property *, int, char **, bool);
typedef const mosquitto_property *(*read_binary_fn)(const mosquitto_property *, int, void **, uint16_t *, bool);

static struct {
	bool probed;
	read_string_fn read_string;
	read_binary_fn read_binary;
	void (*release)(void *);	/* frees what they return */
	void *library;			/* libmosquitto, when it was needed */
} readers;

static void release_broker(void *mem)
{
	mosquitto_free(mem);
}

bool eb_properties_readable(void)
{
	if (readers.probed)
		return readers.read_string && readers.read_binary;
	readers.probed = true;
	if (mosquitto_property_read_string && mosquitto_property_read_binary) {
		readers.read_string = mosquitto_property_read_string;
		readers.read_binary = mosquitto_property_read_binary;
		readers.release = release_broker;
		return true;
	}
	readers.library = dlopen("libmosquitto.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!readers.library)
		return false;
	*(void **)&readers.read_string = dlsym(readers.library, "mosquitto_property_read_string");
	*(void **)&readers.read_binary = dlsym(readers.library, "mosquitto_property_read_binary");
	readers.release = free;
	if (readers.read_string && readers.read_binary)
		return true;
	readers.read_string = NULL;
	readers.read_binary = NULL;
	dlclose(readers.library);
	readers.library = NULL;
	return false;
}

const char *eb_properties_source(void)
{
	if (!eb_properties_readable())
		return "none";
	return readers.library ? "libmosquitto.so.1" : "the broker";
}

/* eb_publish, journaling the publish with the response's Correlation Data (props holds it too) when it is one. */
static int publish(const char *clientid, const char *topic, const void *payload, size_t len, int qos, bool retain,
		   mosquitto_property *props, const void *correlation, size_t correlation_len)
{
	/* NUL-terminated, as the broker keeps every payload it receives. */
	char *copy = mosquitto_malloc(len + 1);
	if (!copy) {
		mosquitto_property_free_all(&props);
		return MOSQ_ERR_NOMEM;
	}
	if (len > 0)
		memcpy(copy, payload, len);
	copy[len] = '\0';
	/* The broker owns payload and properties only when it accepts them (2.1 says so; 2.0 does the same). */
	int rc = mosquitto_broker_publish(clientid, topic, (int)len, len > 0 ? copy : NULL, qos, retain, props);
	if (rc != MOSQ_ERR_SUCCESS || len == 0) {
		mosquitto_free(copy);
		if (rc != MOSQ_ERR_SUCCESS)
			mosquitto_property_free_all(&props);
	}
	if (rc == MOSQ_ERR_SUCCESS)
		journal_add(clientid, topic, payload, len, qos, retain, correlation, correlation_len);
	return rc;
}

int eb_publish(const char *clientid, const char *topic, const void *payload, size_t len, int qos, bool retain,
	       mosquitto_property *props)
{
	return publish(clientid, topic, payload, len, qos, retain, props, NULL, 0);
}

int eb_publish_entry(const struct eb_journal_entry *e)
{
	char clientid[0x10000], topic[0x10000];
	memcpy(clientid, e->clientid, e->clientid_len);
	clientid[e->clientid_len] = '\0';
	memcpy(topic, e->topic, e->topic_len);
	topic[e->topic_len] = '\0';
	if (mosquitto_pub_topic_check(topic) != MOSQ_ERR_SUCCESS)
		return MOSQ_ERR_INVAL;
	mosquitto_property *props = NULL;
	if (e->correlation &&
	    mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, e->correlation,
					  (uint16_t)e->correlation_len) != MOSQ_ERR_SUCCESS)
		return MOSQ_ERR_NOMEM;
	return publish(clientid[0] ? clientid : NULL, topic, e->payload, e->payload_len, e->qos, e->retain, props,
		       e->correlation, e->correlation_len);
}

const char *eb_client_id(const struct mosquitto *client)
{
	const char *id = client ? mosquitto_client_id(client) : NULL;
	return id ? id : "";
}

const char *eb_client_username(const struct mosquitto *client)
{
	const char *name = client ? mosquitto_client_username(client) : NULL;
	return name ? name : "";
}

void eb_log_limited(struct log_limit *limit, const struct mosquitto *client, int level, const char *fmt, ...)
{
	unsigned long left_out = 0;
	if (limit && !log_limit_allow(limit, eb_client_id(client), eb_monotonic_ms(), &left_out))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (left_out)
		mosquitto_log_printf(level, "%s (and %lu earlier lines of this client not logged)", line,
				     left_out);
	else
		mosquitto_log_printf(level, "%s", line);
}

const struct eb_quoted_client *eb_quote_client(const struct mosquitto *client, struct eb_quoted_client *q)
{
	log_quote_str(q->id, eb_client_id(client));
	log_quote_str(q->user, eb_client_username(client));
	return q;
}

void eb_response_read(const mosquitto_property *props, struct eb_response *r)
{
	memset(r, 0, sizeof(*r));
	if (!props || !eb_properties_readable())
		return;
	readers.read_string(props, MQTT_PROP_RESPONSE_TOPIC, &r->topic, false);
	readers.read_binary(props, MQTT_PROP_CORRELATION_DATA, &r->correlation, &r->correlation_len, false);
	if (r->topic && !r->topic[0]) {
		/* An empty Response Topic names no topic: a PUBLISH on "" would break the requester's session. */
		readers.release(r->topic);
		r->topic = NULL;
	}
}

void eb_response_send(const char *clientid, const struct eb_response *r, const char *json, size_t len, int qos)
{
	if (!r->topic || mosquitto_pub_topic_check(r->topic) != MOSQ_ERR_SUCCESS)
		return;
	mosquitto_property *props = NULL;
	if (r->correlation)
		mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, r->correlation, r->correlation_len);
	/* Addressed to the requester alone, so a response topic cannot be used to forge another topic. */
	publish(clientid, r->topic, json, len, qos, false, props, r->correlation, r->correlation_len);
}

void eb_response_release(struct eb_response *r)
{
	if (r->topic)
		readers.release(r->topic);
	if (r->correlation)
		readers.release(r->correlation);
	memset(r, 0, sizeof(*r));
}
