/*
 * MPPT translation in a real broker: the plugin loaded by the mosquitto
 * binary, driven by real MQTT clients (v3.1.1 and v5) and, for the QoS 2
 * retransmission, by a client written byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "log_limit.h"
#include "raw_mqtt.h"
#include "spec_examples.h"
#include "telemetry_expect.h"

#define QUIET_MS 300 /* how long "nothing more arrives" is watched */

static struct eb_broker broker;

/* The lines a client may cause over ms (log_limit.h): its burst, and one per interval after it. */
static int lines_allowed_over(int64_t ms)
{
	return LOG_LIMIT_BURST + (int)(ms / LOG_LIMIT_INTERVAL_MS);
}

static const char spec_request[] = MPPT_SPEC_REQUEST;

static const char spec_message[] = MPPT_SPEC_MESSAGE;

static int start_broker(void **state)
{
	(void)state;
	return eb_broker_start(&broker, NULL);
}

static int stop_broker(void **state)
{
	(void)state;
	return eb_broker_stop(&broker) == 0 ? 0 : -1;
}

static void test_spec_example_translated_exactly(void **state)
{
	(void)state;
	struct eb_client *sub = eb_subscriber(broker.port, "monitoring.mppt/+", 1);
	struct eb_client *logger = eb_client_simple(broker.port, "logger-1", "S001", MQTT_PROTOCOL_V311);
	assert_non_null(logger);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", spec_request, 1), 0);

	struct eb_message *m = eb_client_next(sub, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "monitoring.mppt/IT6415AD-01-001");
	assert_int_equal(m->qos, 1);
	assert_false(m->retain);
	/* The spec's message up to the broker's clock, which is now. */
	size_t head = (size_t)(strstr(spec_message, MPPT_SPEC_TIME_PROCESSING_KEY) - spec_message) +
		      strlen(MPPT_SPEC_TIME_PROCESSING_KEY);
	if (strncmp(m->payload, spec_message, head) != 0)
		fail_msg("got      %s\nexpected %.*s...", (char *)m->payload, (int)head, spec_message);
	eb_expect_time_processing((char *)m->payload + head);
	eb_message_free(m);
	eb_expect_nothing(sub, QUIET_MS);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
}

static void test_accepted_request_is_delivered_as_is(void **state)
{
	(void)state;
	struct eb_client *audit = eb_subscriber(broker.port, "dataset/mppt", 0);
	struct eb_client *logger = eb_client_simple(broker.port, NULL, "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", spec_request, 1), 0);
	struct eb_message *m = eb_client_next(audit, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, spec_request);
	eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(audit);
}

static void test_sender_is_client_id_without_username(void **state)
{
	(void)state;
	struct eb_client *sub = eb_subscriber(broker.port, "monitoring.mppt/B1", 0);
	struct eb_client *logger = eb_client_simple(broker.port, "logger-no-user", NULL, MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt",
					       "{\"datasets\":[{\"mppt_id\":\"B1\",\"status\":{\"code\":\"0801\"},\"data\":["
					       "{\"time_local\":\"2020-02-08T15:00:07.032+07:00\",\"pv\":{\"volts\":[48],"
					       "\"amps\":[6]},\"battery\":{\"volts\":55.1,\"amps\":-1},\"load\":{\"volts\":[48],"
					       "\"amps\":[1.2]}}]}]}",
					       0),
			 0);
	struct eb_message *m = eb_client_next(sub, 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "\"sender\":\"logger-no-user\""));
	assert_non_null(strstr(m->payload, "\"charging\":\"float\""));
	eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
}

/* A request of `items` samples for device M-A, then an empty dataset for M-B. */
static char *many_items_request(int items)
{
	char *req = malloc((size_t)items * 200 + 100), *p = req;
	p += sprintf(p, "{\"datasets\":[{\"mppt_id\":\"M-A\",\"data\":[");
	for (int i = 0; i < items; i++)
		p += sprintf(p, "%s{\"time_local\":\"20200101T00%02d%02d\",\"pv\":{\"volts\":[%d],\"amps\":[1]},"
				"\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}",
			     i ? "," : "", i / 60, i % 60, i);
	sprintf(p, "]},{\"mppt_id\":\"M-B\",\"data\":[]}]}");
	return req;
}

static void expect_items_in_order(int items, int qos)
{
	struct eb_client *sub = eb_subscriber(broker.port, "monitoring.mppt/#", 2);
	struct eb_client *logger = eb_client_simple(broker.port, NULL, "S002", MQTT_PROTOCOL_V5);
	char *req = many_items_request(items);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", req, qos), 0);
	for (int i = 0; i < items; i++) {
		struct eb_message *m = eb_client_next(sub, 5000);
		if (!m)
			fail_msg("message %d of %d did not arrive", i, items);
		assert_string_equal(m->topic, "monitoring.mppt/M-A");
		assert_int_equal(m->qos, qos);
		char volts[32];
		snprintf(volts, sizeof(volts), "\"pv\":[{\"volts\":%d,", i);
		assert_non_null(strstr(m->payload, volts));
		eb_message_free(m);
	}
	eb_expect_nothing(sub, QUIET_MS);
	free(req);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
}

static void test_one_message_per_item_in_order_at_request_qos(void **state)
{
	(void)state;
	expect_items_in_order(500, 1); /* plugin_opt_mppt_max_items by default */
	expect_items_in_order(3, 0);
	/* Few at QoS 2: 2.0.11 overruns a v5 subscriber's receive maximum of 20 with QoS 2 messages. */
	expect_items_in_order(10, 2);
}

/* Each kind of bad input of docs/mppt.md ("All or nothing"), with the error report it must produce. */
static const struct bad_request {
	const char *payload;
	const char *error;
	const char *path;
} bad_requests[] = {
	{"not json", "invalid JSON (byte 0)", ""},
	{"{\"datasets\":[\"\xff\"]}", "payload is not valid UTF-8 (byte 14)", ""},
	{"{}", "missing required key", "datasets"},
	{"{\"datasets\":1}", "must be an array", "datasets"},
	{"{\"datasets\":[{\"data\":[]}]}", "missing the device id (mppt.id or mppt_id)", "datasets[0]"},
	{"{\"datasets\":[{\"mppt_id\":\"a/b\",\"data\":[]}]}", "must not contain '/', '+', '#' or control characters",
	 "datasets[0].mppt_id"},
	{"{\"datasets\":[{\"mppt_id\":\"x\"}]}", "missing required key", "datasets[0].data"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1}}]}]}",
	 "missing required key", "datasets[0].data[0].load"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1,1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
	 "volts and amps differ in length (2 and 1)", "datasets[0].data[0].pv"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1,1,1,1,1],"
	 "\"amps\":[1,1,1,1,1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
	 "must be an array of 1 to 4 numbers", "datasets[0].data[0].pv.volts"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[-6]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
	 "must not be negative", "datasets[0].data[0].pv.amps[0]"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1e999,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
	 "must be a finite number", "datasets[0].data[0].battery.volts"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20190230T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
	 "impossible date", "datasets[0].data[0].time_local"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]},\"status\":\"XYZ1\"}]}]}",
	 "must be 4 hexadecimal digits", "datasets[0].data[0].status"},
	{"{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	 "\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]},\"tempC\":4}]}]}",
	 "unknown key", "datasets[0].data[0].tempC"},
};

static const char valid_request[] =
	"{\"datasets\":[{\"mppt_id\":\"GOOD\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
	"\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}";

static void expect_error_report(struct eb_message *m, const struct bad_request *bad, const char *sender,
				const char *client_id)
{
	char expected[1024];
	snprintf(expected, sizeof(expected),
		 "{\"status\":400,\"error\":\"%s\",\"path\":\"%s\",\"sender\":\"%s\",\"client_id\":\"%s\"}", bad->error,
		 bad->path, sender, client_id);
	assert_non_null(m);
	assert_string_equal(m->payload, expected);
}

static void test_every_bad_input_refused_with_report_valid_traffic_unaffected(void **state)
{
	(void)state;
	struct eb_client *out = eb_subscriber(broker.port, "monitoring.mppt/#", 1);
	struct eb_client *requests = eb_subscriber(broker.port, "dataset/mppt", 1);
	struct eb_client *errors = eb_subscriber(broker.port, "dataset/mppt/errors", 1);
	struct eb_client *other = eb_subscriber(broker.port, "house/meter", 1);
	struct eb_client *v5 = eb_client_simple(broker.port, "logger-7", "S001", MQTT_PROTOCOL_V5);
	struct eb_client *v311 = eb_client_simple(broker.port, "logger-8", "S008", MQTT_PROTOCOL_V311);
	struct eb_client *neighbour = eb_client_simple(broker.port, "meter", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(v5);
	assert_non_null(v311);
	int64_t t0 = eb_now_ms();

	for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		const struct bad_request *bad = &bad_requests[i];
		int qos = 1 + (int)(i % 2);
		/* v5 at QoS 1 and 2: the refusal is the reason code 0x87, not authorized. */
		assert_int_equal(eb_client_publish_str(v5, "dataset/mppt", bad->payload, qos), MQTT_RC_NOT_AUTHORIZED);
		struct eb_message *m = eb_client_next(errors, 2000);
		expect_error_report(m, bad, "S001", "logger-7");
		eb_message_free(m);
		/* v3.1.1 gets no reason code, but the same refusal and report. */
		assert_int_equal(eb_client_publish_str(v311, "dataset/mppt", bad->payload, 1), 0);
		m = eb_client_next(errors, 2000);
		expect_error_report(m, bad, "S008", "logger-8");
		eb_message_free(m);
		/* Valid traffic between the bad requests goes through. */
		assert_int_equal(eb_client_publish_str(neighbour, "house/meter", "230.1", 1), 0);
		assert_int_equal(eb_client_publish_str(v311, "dataset/mppt", valid_request, 1), 0);
		m = eb_client_next(out, 2000);
		assert_non_null(m);
		assert_string_equal(m->topic, "monitoring.mppt/GOOD");
		eb_message_free(m);
		m = eb_client_next(requests, 2000);
		assert_non_null(m);
		assert_string_equal(m->payload, valid_request); /* only the valid request reached subscribers */
		eb_message_free(m);
		m = eb_client_next(other, 2000);
		assert_non_null(m);
		assert_string_equal(m->payload, "230.1");
		eb_message_free(m);
	}
	eb_expect_nothing(out, QUIET_MS);
	eb_expect_nothing(requests, QUIET_MS);
	eb_expect_nothing(errors, QUIET_MS);

	/* Logged up to each client's share of lines (log_limit.h); the rest are counted. */
	char *log = eb_broker_log(&broker);
	int refusals = eb_count(log, "energy-bridge: mppt: refused request");
	assert_true(sizeof(bad_requests) / sizeof(bad_requests[0]) > LOG_LIMIT_BURST);
	int most = 2 * lines_allowed_over(eb_now_ms() - t0); /* a slow run (valgrind) earns more */
	if (refusals < 2 * LOG_LIMIT_BURST || refusals > most)
		fail_msg("%d refusal lines logged, expected %d to %d", refusals, 2 * LOG_LIMIT_BURST, most);
	assert_non_null(strstr(log, "refused request from client 'logger-7' (user 'S001'): datasets: missing required key"));
	free(log);
	eb_client_disconnect(v5);
	eb_client_disconnect(v311);
	eb_client_disconnect(neighbour);
	eb_client_disconnect(out);
	eb_client_disconnect(requests);
	eb_client_disconnect(errors);
	eb_client_disconnect(other);
}

static void expect_correlation(const struct eb_message *m, const char *correlation)
{
	void *data = NULL;
	uint16_t len = 0;
	assert_non_null(mosquitto_property_read_binary(m->props, MQTT_PROP_CORRELATION_DATA, &data, &len, false));
	assert_int_equal(len, strlen(correlation));
	assert_memory_equal(data, correlation, len);
	free(data);
}

static void test_v5_response_topic_gets_the_outcome(void **state)
{
	(void)state;
	struct eb_client *logger = eb_client_simple(broker.port, "logger-9", "S009", MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(logger, "replies/logger-9", 1) >= 0);
	struct eb_client *bystander = eb_subscriber(broker.port, "replies/#", 1);

	assert_int_equal(eb_client_publish(logger, "dataset/mppt", spec_request, (int)strlen(spec_request), 1, false,
					   eb_request_properties("replies/logger-9", "req-1")),
			 0);
	struct eb_message *m = eb_client_next_on(logger, "replies/logger-9", 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"status\":200,\"datasets\":1,\"items\":1}");
	expect_correlation(m, "req-1");
	eb_message_free(m);

	assert_int_equal(eb_client_publish(logger, "dataset/mppt", "{}", 2, 1, false,
					   eb_request_properties("replies/logger-9", "req-2")),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next_on(logger, "replies/logger-9", 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"status\":400,\"error\":\"missing required key\",\"path\":\"datasets\","
					"\"sender\":\"S009\",\"client_id\":\"logger-9\"}");
	expect_correlation(m, "req-2");
	eb_message_free(m);
	/* The reply goes to the requester only: it cannot be used to publish elsewhere. */
	eb_expect_nothing(bystander, QUIET_MS);
	eb_client_disconnect(bystander);
	eb_client_disconnect(logger);
}

static void test_plugin_topics_cannot_be_forged(void **state)
{
	(void)state;
	struct eb_client *sub = eb_subscriber(broker.port, "monitoring.mppt/#", 1);
	struct eb_client *errors = eb_subscriber(broker.port, "dataset/mppt/errors", 1);
	struct eb_client *forger = eb_client_simple(broker.port, "forger", "mallory", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(forger, "monitoring.mppt/IT6415AD-01-001", "{\"fake\":1}", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish(forger, "monitoring.mppt/X", "{}", 2, 1, true, NULL), MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(forger, "dataset/mppt/errors", "{\"status\":400}", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	eb_expect_nothing(sub, QUIET_MS);
	eb_expect_nothing(errors, QUIET_MS);
	/* Nothing was retained either. */
	struct eb_client *late = eb_subscriber(broker.port, "monitoring.mppt/#", 1);
	eb_expect_nothing(late, QUIET_MS);
	char *log = eb_broker_log(&broker);
	assert_non_null(strstr(log, "refused publish from client 'forger' (user 'mallory') to 'monitoring.mppt/X'"));
	free(log);
	eb_client_disconnect(late);
	eb_client_disconnect(forger);
	eb_client_disconnect(errors);
	eb_client_disconnect(sub);
}

/* ---- QoS 2 retransmission, with a client written byte by byte (raw_mqtt.h) ---- */

static void test_qos2_retransmission_translated_once(void **state)
{
	(void)state;
	struct eb_client *out = eb_subscriber(broker.port, "monitoring.mppt/#", 2);
	struct eb_client *audit = eb_subscriber(broker.port, "dataset/mppt", 2);

	eb_raw_qos2_twice(broker.port, "raw-q2", "S001", "dataset/mppt", spec_request);

	struct eb_message *m = eb_client_next(out, 2000);
	assert_non_null(m);
	eb_message_free(m);
	m = eb_client_next(audit, 2000);
	assert_non_null(m);
	eb_message_free(m);
	eb_expect_nothing(out, QUIET_MS);
	eb_expect_nothing(audit, QUIET_MS);
	eb_client_disconnect(audit);
	eb_client_disconnect(out);
}

/* ---- options ---- */

static void test_bad_options_stop_the_broker_naming_them(void **state)
{
	(void)state;
	assert_true(eb_broker_refuses_to_start("plugin_opt_mppt_max_items many",
					       "energy-bridge: option plugin_opt_mppt_max_items: expected an integer "
					       "from 1 to 1000000, got 'many'"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_mppt_request_topic dataset/+",
					       "energy-bridge: option plugin_opt_mppt_request_topic: expected a topic "
					       "without wildcards"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_mppt maybe",
					       "energy-bridge: option plugin_opt_mppt: expected on or off, got 'maybe'"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_mpt_max_items 5",
					       "energy-bridge: unknown option plugin_opt_mpt_max_items"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_mppt_request_topic monitoring.mppt/in",
					       "options plugin_opt_mppt_output_prefix and plugin_opt_mppt_request_topic"));
}

static void test_options_change_topics_and_limits(void **state)
{
	(void)state;
	struct eb_broker custom;
	assert_int_equal(eb_broker_start(&custom, "plugin_opt_mppt_request_topic site/mppt/in\n"
						  "plugin_opt_mppt_output_prefix site/mppt/out\n"
						  "plugin_opt_mppt_max_payload 300\n"),
			 0);
	struct eb_client *sub = eb_client_simple(custom.port, NULL, NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(sub, "site/mppt/#", 1) >= 0);
	struct eb_client *logger = eb_client_simple(custom.port, "l", "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "site/mppt/in", valid_request, 1), 0);
	struct eb_message *m = eb_client_next_on(sub, "site/mppt/out/GOOD", 2000);
	assert_non_null(m);
	eb_message_free(m);
	/* spec_request is over 300 bytes. */
	assert_int_equal(eb_client_publish_str(logger, "site/mppt/in", spec_request, 1), MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next_on(sub, "site/mppt/in/errors", 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "is over the limit of 300"));
	eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
	assert_int_equal(eb_broker_stop(&custom), 0);
}

static void test_mppt_off_passes_requests_through(void **state)
{
	(void)state;
	struct eb_broker off;
	assert_int_equal(eb_broker_start(&off, "plugin_opt_mppt off\n"), 0);
	struct eb_client *sub = eb_client_simple(off.port, NULL, NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(sub, "dataset/#", 1) >= 0);
	assert_true(eb_client_subscribe(sub, "monitoring.mppt/#", 1) >= 0);
	struct eb_client *logger = eb_client_simple(off.port, "l", "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", "not json", 1), 0);
	struct eb_message *m = eb_client_next(sub, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "dataset/mppt");
	eb_message_free(m);
	m = eb_client_next(sub, QUIET_MS);
	assert_null(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
	assert_int_equal(eb_broker_stop(&off), 0);
}

/* ---- what an adversary tries ---- */

/* A broker with Mosquitto's own defaults (no max_queued_messages line) and `extra` lines. */
static void start_plain(struct eb_broker *b, const char *extra)
{
	assert_int_equal(eb_broker_prepare(b), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", b->port);
	if (geteuid() == 0)
		fprintf(f, "user root\n");
	fprintf(f, "log_dest file %s/mosquitto.log\nlog_type all\n", b->dir);
	fprintf(f, "plugin %s\n%s\n", EB_PLUGIN_PATH, extra);
	fclose(f);
	assert_int_equal(eb_broker_start_prepared(b), 0);
}

/* Publishes a request of `items` samples; returns how many translations a QoS 1 subscriber got. */
static int translations_received(int port, int items, int *rc, char **report)
{
	struct eb_client *sub = eb_client_simple(port, NULL, NULL, MQTT_PROTOCOL_V311);
	assert_non_null(sub);
	assert_true(eb_client_subscribe(sub, "monitoring.mppt/#", 1) >= 0);
	struct eb_client *errors = eb_client_simple(port, NULL, NULL, MQTT_PROTOCOL_V311);
	assert_true(eb_client_subscribe(errors, "dataset/mppt/errors", 1) >= 0);
	struct eb_client *logger = eb_client_simple(port, NULL, "S003", MQTT_PROTOCOL_V5);
	char *req = many_items_request(items);
	*rc = eb_client_publish_str(logger, "dataset/mppt", req, 1);
	free(req);
	int got = 0;
	struct eb_message *m;
	while ((m = eb_client_next(sub, 1000)) != NULL) {
		got++;
		eb_message_free(m);
	}
	m = eb_client_next(errors, QUIET_MS);
	*report = m ? strdup(m->payload) : NULL;
	if (m)
		eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(errors);
	eb_client_disconnect(sub);
	return got;
}

/*
 * 3,000 items under Mosquitto's defaults (max_queued_messages 1000): the
 * plugin used to accept the request and the subscriber got about 1,020. An
 * accepted request must reach it whole, or be refused with a reason.
 */
static void test_large_request_is_delivered_whole_or_refused(void **state)
{
	(void)state;
	struct eb_broker plain;
	start_plain(&plain, "");
	int rc;
	char *report;
	int got = translations_received(plain.port, 3000, &rc, &report);
	if (rc == 0 && got != 3000)
		fail_msg("3000 items accepted, %d delivered", got);
	assert_int_equal(rc, MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(got, 0);
	assert_non_null(report);
	assert_non_null(strstr(report, "request holds more than 500 data items"));
	free(report);
	/* Positive control: the default limit is delivered whole. */
	assert_int_equal(translations_received(plain.port, 500, &rc, &report), 500);
	assert_int_equal(rc, 0);
	assert_null(report);
	assert_int_equal(eb_broker_stop(&plain), 0);

	/* The shipped configuration's pair: max_queued_messages 2000, plugin_opt_mppt_max_items 1000. */
	struct eb_broker shipped;
	start_plain(&shipped, "max_queued_messages 2000\nplugin_opt_mppt_max_items 1000\n");
	assert_int_equal(translations_received(shipped.port, 1000, &rc, &report), 1000);
	assert_int_equal(rc, 0);
	assert_int_equal(translations_received(shipped.port, 1001, &rc, &report), 0);
	assert_int_equal(rc, MQTT_RC_NOT_AUTHORIZED);
	assert_non_null(report);
	free(report);
	assert_int_equal(eb_broker_stop(&shipped), 0);
}

/* Reads one packet: its first byte, and its body into buf (up to size). False when none came within ms. */
static bool read_packet(int fd, int ms, unsigned char *type, unsigned char *buf, size_t size, size_t *len)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (read(fd, type, 1) != 1)
		return false;
	size_t n = 0, shift = 0;
	unsigned char b;
	do {
		eb_raw_read_exactly(fd, &b, 1);
		n |= (size_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	assert_true(n <= size);
	eb_raw_read_exactly(fd, buf, n);
	*len = n;
	return true;
}

/* A v5 QoS 1 request whose Response Topic property is response (possibly empty). */
static void send_request_v5(int fd, const char *response, unsigned mid)
{
	unsigned char body[2048], *p = body;
	eb_raw_put16(&p, 12);
	memcpy(p, "dataset/mppt", 12);
	p += 12;
	eb_raw_put16(&p, mid);
	*p++ = (unsigned char)(3 + strlen(response)); /* properties: Response Topic only */
	*p++ = 0x08;
	eb_raw_put16(&p, (unsigned)strlen(response));
	memcpy(p, response, strlen(response));
	p += strlen(response);
	memcpy(p, spec_request, strlen(spec_request));
	p += strlen(spec_request);
	eb_raw_send_packet(fd, 0x32, body, (size_t)(p - body));
}

/*
 * An empty Response Topic asks for no response: the plugin used to answer
 * with a PUBLISH on an empty topic, a protocol error for the requester.
 * (libmosquitto cannot send an empty one: a client written byte by byte.)
 * From Mosquitto 2.0.20 on, the broker refuses such a PUBLISH itself.
 */
static void test_empty_response_topic_is_ignored(void **state)
{
	(void)state;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)broker.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	/* CONNECT, MQTT 5, clean start, username S010, no properties. */
	unsigned char connect_body[64], *p = connect_body;
	eb_raw_put16(&p, 4);
	memcpy(p, "MQTT", 4);
	p += 4;
	*p++ = 5;
	*p++ = 0x82;
	eb_raw_put16(&p, 60);
	*p++ = 0;
	eb_raw_put16(&p, 6);
	memcpy(p, "raw-v5", 6);
	p += 6;
	eb_raw_put16(&p, 4);
	memcpy(p, "S010", 4);
	p += 4;
	eb_raw_send_packet(fd, 0x10, connect_body, (size_t)(p - connect_body));
	unsigned char type, buf[4096];
	size_t len;
	assert_true(read_packet(fd, 2000, &type, buf, sizeof(buf), &len));
	assert_int_equal(type, 0x20);
	assert_int_equal(buf[1], 0);

	send_request_v5(fd, "", 1);
	assert_true(read_packet(fd, 2000, &type, buf, sizeof(buf), &len));
	if (eb_version_compare(eb_broker_version(), (struct eb_version){2, 0, 20}) >= 0) {
		/*
		 * Mosquitto 2.0.20 and later (2.1 too) refuse an invalid Response
		 * Topic themselves, as a protocol error, before any plugin sees the
		 * PUBLISH: the requester is disconnected by the broker's own rule.
		 */
		assert_int_equal(type, 0xe0); /* DISCONNECT */
		close(fd);
		return;
	}
	assert_int_equal(type, 0x40); /* PUBACK: accepted */
	if (read_packet(fd, QUIET_MS, &type, buf, sizeof(buf), &len))
		fail_msg("an empty Response Topic got a packet of type 0x%02x (%zu bytes) back", type, len);

	/* Positive control: a Response Topic gets its response on the same session. */
	send_request_v5(fd, "replies/raw-v5", 2);
	bool answered = false;
	for (int i = 0; i < 2 && read_packet(fd, 2000, &type, buf, sizeof(buf), &len); i++)
		answered |= (type & 0xF0) == 0x30 && len > 16 && memcmp(buf, "\0\x0ereplies/raw-v5", 16) == 0;
	close(fd);
	assert_true(answered);
}

static long broker_rss_kb(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * A large request's translations (tens of megabytes) do not stay with the
 * broker once published: its memory returns to about where it was.
 */
static void test_large_request_leaves_no_memory_behind(void **state)
{
	(void)state;
	if (getenv("EB_BROKER_WRAPPER") && getenv("EB_BROKER_WRAPPER")[0])
		skip(); /* memcheck's own memory hides the broker's */
#ifdef EB_SANITIZER_RUNTIME
	skip(); /* the sanitizer keeps freed memory in quarantine */
#endif
	struct eb_broker big;
	/* Mosquitto 2.1 refuses packets over 2,000,000 bytes unless told otherwise; 2.0 allows 256 MB. */
	start_plain(&big, "max_packet_size 16777216\n"
			  "plugin_opt_mppt_max_items 40000\nplugin_opt_mppt_max_payload 16777216\n");
	struct eb_client *logger = eb_client_simple(big.port, NULL, "S004", MQTT_PROTOCOL_V5);
	char *small = many_items_request(10);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", small, 1), 0);
	free(small);
	long before = broker_rss_kb(big.pid);
	char *req = malloc(30000 * 200 + 100), *p = req;
	p += sprintf(p, "{\"datasets\":[{\"mppt_id\":\"M-A\",\"data\":[");
	for (int i = 0; i < 30000; i++)
		p += sprintf(p, "%s{\"time_local\":\"20200101T%02d%02d%02d\",\"pv\":{\"volts\":[%d],\"amps\":[1]},"
				"\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}",
			     i ? "," : "", i / 3600, i / 60 % 60, i % 60, i);
	sprintf(p, "]}]}");
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", req, 1), 0);
	free(req);
	/* The broker frees its copies of the request and of the translations after the plugin's callback. */
	usleep(300000);
	small = many_items_request(10);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", small, 1), 0);
	free(small);
	long after = broker_rss_kb(big.pid);
	printf("broker resident memory: %ld kB before, %ld kB after a request of 30000 items\n", before, after);
	eb_client_disconnect(logger);
	assert_int_equal(eb_broker_stop(&big), 0);
	if (after - before > 8 * 1024)
		fail_msg("the broker kept %ld kB after a large request", after - before);
}

/*
 * Refusals flood nothing: 2,000 from one client give a handful of log lines,
 * and a request key holding a newline cannot forge a log line.
 */
static void test_refusal_logs_are_limited_and_escaped(void **state)
{
	(void)state;
	struct eb_broker b;
	start_plain(&b, "");
	struct eb_client *forger = eb_client_simple(b.port, "forger-log", "S005", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(forger, "dataset/mppt",
					       "{\"datasets\":[{\"mppt_id\":\"x\",\"data\":[],"
					       "\"k\\n1970-01-01 energy-bridge: forged line\":1}]}",
					       1),
			 MQTT_RC_NOT_AUTHORIZED);
	struct eb_client *flood = eb_client_simple(b.port, "flood", "S006", MQTT_PROTOCOL_V311);
	int64_t t0 = eb_now_ms();
	for (int i = 0; i < 2000; i++)
		assert_int_equal(eb_client_publish_nowait(flood, "dataset/mppt", "not json", 8, 0), 0);
	/* Sentinel: every refusal above has been handled once this is acknowledged. */
	assert_int_equal(eb_client_publish_str(flood, "house/sentinel", "done", 1), 0);
	int most = lines_allowed_over(eb_now_ms() - t0);
	char *log = eb_broker_log(&b);
	int flood_lines = 0, forged_lines = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		flood_lines += strstr(line, "client 'flood'") != NULL;
		forged_lines += strncmp(line, "1970-01-01 energy-bridge: forged", 32) == 0;
	}
	free(log);
	log = eb_broker_log(&b);
	assert_non_null(strstr(log, "refused request from client 'forger-log' (user 'S005'): datasets[0].k\\x0a1970"));
	free(log);
	eb_client_disconnect(flood);
	eb_client_disconnect(forger);
	assert_int_equal(eb_broker_stop(&b), 0);
	assert_int_equal(forged_lines, 0);
	if (flood_lines < LOG_LIMIT_BURST || flood_lines > most)
		fail_msg("2000 refusals from one client gave %d log lines, expected %d to %d", flood_lines,
			 LOG_LIMIT_BURST, most);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example_translated_exactly),
		cmocka_unit_test(test_accepted_request_is_delivered_as_is),
		cmocka_unit_test(test_sender_is_client_id_without_username),
		cmocka_unit_test(test_one_message_per_item_in_order_at_request_qos),
		cmocka_unit_test(test_every_bad_input_refused_with_report_valid_traffic_unaffected),
		cmocka_unit_test(test_v5_response_topic_gets_the_outcome),
		cmocka_unit_test(test_plugin_topics_cannot_be_forged),
		cmocka_unit_test(test_qos2_retransmission_translated_once),
		cmocka_unit_test(test_bad_options_stop_the_broker_naming_them),
		cmocka_unit_test(test_options_change_topics_and_limits),
		cmocka_unit_test(test_mppt_off_passes_requests_through),
		cmocka_unit_test(test_large_request_is_delivered_whole_or_refused),
		cmocka_unit_test(test_empty_response_topic_is_ignored),
		cmocka_unit_test(test_large_request_leaves_no_memory_behind),
		cmocka_unit_test(test_refusal_logs_are_limited_and_escaped),
	};
	return cmocka_run_group_tests_name("integration_mppt", tests, start_broker, stop_broker);
}
