#include "broker_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

/*
 * Debian's broker exports the property readers; builds that follow the
 * upstream linker.syms strictly do not. Weak references resolve to NULL there
 * instead of failing the plugin's load.
 */
#pragma weak mosquitto_property_read_string
#pragma weak mosquitto_property_read_binary

int eb_publish(const char *clientid, const char *topic, const void *payload, size_t len, int qos, bool retain,
	       mosquitto_property *props)
{
	void *copy = NULL;
	if (len > 0) {
		copy = mosquitto_malloc(len);
		if (!copy) {
			mosquitto_property_free_all(&props);
			return MOSQ_ERR_NOMEM;
		}
		memcpy(copy, payload, len);
	}
	return mosquitto_broker_publish(clientid, topic, (int)len, copy, qos, retain, props);
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

bool eb_properties_readable(void)
{
	return mosquitto_property_read_string && mosquitto_property_read_binary;
}

void eb_response_read(const mosquitto_property *props, struct eb_response *r)
{
	memset(r, 0, sizeof(*r));
	if (!props || !eb_properties_readable())
		return;
	mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &r->topic, false);
	mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &r->correlation, &r->correlation_len,
				       false);
	if (r->topic && !r->topic[0]) {
		/* An empty Response Topic names no topic: a PUBLISH on "" would break the requester's session. */
		mosquitto_free(r->topic);
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
	eb_publish(clientid, r->topic, json, len, qos, false, props);
}

void eb_response_release(struct eb_response *r)
{
	mosquitto_free(r->topic);
	mosquitto_free(r->correlation);
	memset(r, 0, sizeof(*r));
}
