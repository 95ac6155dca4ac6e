#include "telemetry_expect.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct eb_client *eb_subscriber(int port, const char *topic, int qos)
{
	struct eb_client *c = eb_client_simple(port, NULL, NULL, MQTT_PROTOCOL_V5);
	assert_non_null(c);
	assert_true(eb_client_subscribe(c, topic, qos) >= 0);
	return c;
}

void eb_expect_nothing(struct eb_client *c, int quiet_ms)
{
	struct eb_message *m = eb_client_next(c, quiet_ms);
	if (m)
		fail_msg("unexpected message on %s: %s", m->topic, (char *)m->payload);
}

void eb_expect_time_processing(const char *value)
{
	struct tm tm = {0};
	const char *rest = strptime(value, "%Y-%m-%d %H:%M:%S", &tm);
	assert_non_null(rest);
	assert_int_equal(strlen(rest), 7); /* .SSSS"} */
	assert_true(rest[0] == '.' && rest[5] == '"' && rest[6] == '}');
	time_t t = timegm(&tm);
	assert_true(labs((long)(t - time(NULL))) <= 5);
}

mosquitto_property *eb_request_properties(const char *response_topic, const char *correlation)
{
	mosquitto_property *props = NULL;
	mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, response_topic);
	mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation, (uint16_t)strlen(correlation));
	return props;
}
