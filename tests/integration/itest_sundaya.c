/*
 * The pms and inverter datasets in a real broker (docs/sundaya.md): the
 * plugin loaded by the mosquitto binary, driven by real MQTT clients (v3.1.1
 * and v5) and, for the QoS 2 retransmission, by a client written byte by
 * byte. MPPT's own behaviour is itest_mppt.c; what the three share is
 * checked here again for the two new datasets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "raw_mqtt.h"
#include "spec_examples.h"
#include "telemetry_expect.h"

#define QUIET_MS 300 /* how long "nothing more arrives" is watched */

static struct eb_broker broker;

static int start_broker(void **state)
{
	(void)state;
	return eb_broker_start(&broker, "plugin_opt_stats_interval 1\n");
}

static int stop_broker(void **state)
{
	(void)state;
	return eb_broker_stop(&broker) == 0 ? 0 : -1;
}

/* One client subscribed to both datasets' output. */
static struct eb_client *output_subscriber(int qos)
{
	struct eb_client *c = eb_subscriber(broker.port, "monitoring.pms/#", qos);
	assert_true(eb_client_subscribe(c, "monitoring.inverter/#", qos) >= 0);
	return c;
}

/* The next message on c: on topic, its text up to time_processing as expected, then the broker's clock. */
static void expect_translation(struct eb_client *c, const char *topic, const char *head, int qos)
{
	struct eb_message *m = eb_client_next(c, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, topic);
	assert_int_equal(m->qos, qos);
	assert_false(m->retain);
	if (strncmp(m->payload, head, strlen(head)) != 0)
		fail_msg("got      %s\nexpected %s...", (char *)m->payload, head);
	eb_expect_time_processing((char *)m->payload + strlen(head));
	eb_message_free(m);
}

static void test_spec_examples_translated_exactly_v311_and_v5(void **state)
{
	(void)state;
	struct eb_client *pms = eb_subscriber(broker.port, "monitoring.pms/+", 1);
	struct eb_client *inverter = eb_subscriber(broker.port, "monitoring.inverter/+", 1);
	struct eb_client *v311 = eb_client_simple(broker.port, "logger-1", "S001", MQTT_PROTOCOL_V311);
	struct eb_client *v5 = eb_client_simple(broker.port, "logger-2", "S001", MQTT_PROTOCOL_V5);
	assert_non_null(v311);
	assert_non_null(v5);
	struct eb_client *clients[] = {v311, v5};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(eb_client_publish_str(clients[i], "dataset/pms", PMS_SPEC_REQUEST, 1), 0);
		expect_translation(pms, "monitoring.pms/PMS-02-007", PMS_SPEC_MESSAGE_HEAD, 1);
		/* The CSV form of the same sample gives the same message. */
		assert_int_equal(eb_client_publish_str(clients[i], "dataset/pms/csv", PMS_SPEC_CSV, 1), 0);
		expect_translation(pms, "monitoring.pms/PMS-02-007", PMS_SPEC_MESSAGE_HEAD, 1);
		assert_int_equal(eb_client_publish_str(clients[i], "dataset/inverter", INVERTER_SPEC_REQUEST, 0), 0);
		expect_translation(inverter, "monitoring.inverter/KEHUA-3P-07", INVERTER_SPEC_MESSAGE_HEAD, 0);
	}
	eb_expect_nothing(pms, QUIET_MS);
	eb_expect_nothing(inverter, QUIET_MS);
	eb_client_disconnect(v5);
	eb_client_disconnect(v311);
	eb_client_disconnect(inverter);
	eb_client_disconnect(pms);
}

/*
 * Bad input of each kind, with the report it must produce, per dataset. A
 * client's first LOG_LIMIT_BURST refusals are logged (log_limit.h): the log
 * checks below look at those.
 */
static const struct bad_request {
	const char *topic, *payload, *error, *path;
} bad_requests[] = {
	{"dataset/inverter", "{\"datasets\":[{\"inverter_id\":\"I\",\"data\":[{\"time_local\":\"20200101T000000\","
			     "\"pv\":{\"volts\":[1],\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],"
			     "\"amps\":[1]},\"grid\":{\"volts\":[230],\"amps\":[1],\"pf\":[1.5]}}]}]}",
	 "must be from 0 to 1", "datasets[0].data[0].grid.pf[0]"},
	{"dataset/pms", "{\"datasets\":[{\"pms_id\":\"a\\u0000b\",\"data\":[]}]}",
	 "payload holds the escaped NUL character \\u0000 (byte 25)", ""},
	{"dataset/pms", "{\"datasets\":[{\"pms_id\":\"P\",\"pms\":{\"id\":\"Q\"},\"data\":[]}]}",
	 "has both pms.id and pms_id", "datasets[0]"},
	{"dataset/pms", "{\"datasets\":[{\"pms_id\":\"P\",\"data\":[{\"time_local\":\"20200101T000000\",\"pack\":{\"id\":"
			"\"A\",\"dock\":0,\"amps\":1,\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}}]}]}",
	 "must be an integer from 1 to 48", "datasets[0].data[0].pack.dock"},
	{"dataset/pms/csv", "", "payload has no CSV header", "header"},
	{"dataset/pms/csv", "pms_id,volts\n", "unknown column 'volts'", "header"},
	{"dataset/pms/csv", PMS_SPEC_CSV "\"x\n", "unterminated quote", "rows[1]"},
	{"dataset/inverter", "{\"datasets\":[{\"inverter_id\":\"I\",\"data\":[{\"time_local\":\"20200101T000000\","
			     "\"pv\":{\"volts\":[01],\"amps\":[1]}}]}]}",
	 "payload holds a number with a leading zero (byte 87)", ""},
};

static void test_bad_input_refused_with_report_valid_traffic_unaffected(void **state)
{
	(void)state;
	struct eb_client *out = output_subscriber(1);
	struct eb_client *audit = eb_subscriber(broker.port, "dataset/+", 1);
	struct eb_client *csv_audit = eb_subscriber(broker.port, "dataset/pms/csv", 1);
	struct eb_client *errors = eb_subscriber(broker.port, "dataset/+/errors", 1);
	struct eb_client *v5 = eb_client_simple(broker.port, "logger-7", "S001", MQTT_PROTOCOL_V5);
	struct eb_client *v311 = eb_client_simple(broker.port, "logger-8", "S008", MQTT_PROTOCOL_V311);
	assert_non_null(v5);
	assert_non_null(v311);
	size_t count = sizeof(bad_requests) / sizeof(bad_requests[0]);
	for (size_t i = 0; i < count; i++) {
		const struct bad_request *bad = &bad_requests[i];
		char errors_topic[64], expected[1024];
		snprintf(errors_topic, sizeof(errors_topic), "%.*s/errors",
			 (int)(strstr(bad->topic, "/csv") ? strlen(bad->topic) - 4 : strlen(bad->topic)), bad->topic);
		struct eb_client *senders[] = {v5, v311};
		for (int k = 0; k < 2; k++) {
			int rc = eb_client_publish(senders[k], bad->topic, bad->payload, (int)strlen(bad->payload), 1 + (int)(i % 2),
						   false, NULL);
			/* v5 at QoS 1 and 2: reason code 0x87; v3.1.1 sees nothing, but the same report goes out. */
			assert_int_equal(rc, k == 0 ? MQTT_RC_NOT_AUTHORIZED : 0);
			struct eb_message *m = eb_client_next(errors, 2000);
			assert_non_null(m);
			assert_string_equal(m->topic, errors_topic);
			snprintf(expected, sizeof(expected),
				 "{\"status\":400,\"error\":\"%s\",\"path\":\"%s\",\"sender\":\"%s\",\"client_id\":\"%s\"}",
				 bad->error, bad->path, k == 0 ? "S001" : "S008", k == 0 ? "logger-7" : "logger-8");
			/* The JSON report escapes the backslash of \u0000. */
			char escaped[1024];
			size_t e = 0;
			for (const char *c = expected; *c && e < sizeof(escaped) - 2; c++) {
				if (*c == '\\')
					escaped[e++] = '\\';
				escaped[e++] = *c;
			}
			escaped[e] = '\0';
			assert_string_equal(m->payload, escaped);
			eb_message_free(m);
		}
		/* Valid traffic of the same dataset between the bad requests goes through. */
		const char *valid = strstr(bad->topic, "inverter") ? INVERTER_SPEC_REQUEST
				    : strstr(bad->topic, "csv")      ? PMS_SPEC_CSV
								     : PMS_SPEC_REQUEST;
		assert_int_equal(eb_client_publish_str(v311, bad->topic, valid, 1), 0);
		struct eb_message *m = eb_client_next(out, 2000);
		assert_non_null(m);
		eb_message_free(m);
		m = eb_client_next(strstr(bad->topic, "csv") ? csv_audit : audit, 2000);
		assert_non_null(m);
		assert_string_equal(m->payload, valid); /* only the valid request reached the request topic's subscribers */
		eb_message_free(m);
	}
	eb_expect_nothing(out, QUIET_MS);
	eb_expect_nothing(audit, QUIET_MS);
	eb_expect_nothing(csv_audit, QUIET_MS);
	eb_expect_nothing(errors, QUIET_MS);
	char *log = eb_broker_log(&broker);
	assert_non_null(strstr(log, "energy-bridge: inverter: refused request from client 'logger-7' (user 'S001'): "
				    "datasets[0].data[0].grid.pf[0]: must be from 0 to 1"));
	assert_non_null(strstr(log, "energy-bridge: pms: refused request from client 'logger-8' (user 'S008'): header: "
				    "payload has no CSV header"));
	free(log);
	eb_client_disconnect(v5);
	eb_client_disconnect(v311);
	eb_client_disconnect(out);
	eb_client_disconnect(audit);
	eb_client_disconnect(csv_audit);
	eb_client_disconnect(errors);
}

static void test_v5_response_topic_gets_the_outcome(void **state)
{
	(void)state;
	struct eb_client *logger = eb_client_simple(broker.port, "logger-9", "S009", MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(logger, "replies/logger-9", 1) >= 0);
	struct eb_client *bystander = eb_subscriber(broker.port, "replies/#", 1);
	/* Three CSV rows: two of one PMS, then another: D counts the runs. */
	char csv[4096];
	const char *row = strstr(PMS_SPEC_CSV, "\r\n") + 2;
	snprintf(csv, sizeof(csv), "%s%sPMS-X%s", PMS_SPEC_CSV, row, strchr(row, ','));
	assert_int_equal(eb_client_publish(logger, "dataset/pms/csv", csv, (int)strlen(csv), 1, false,
					   eb_request_properties("replies/logger-9", "req-1")),
			 0);
	struct eb_message *m = eb_client_next_on(logger, "replies/logger-9", 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"status\":200,\"datasets\":2,\"items\":3}");
	eb_message_free(m);
	assert_int_equal(eb_client_publish(logger, "dataset/inverter", "{\"datasets\":{}}", 15, 1, false,
					   eb_request_properties("replies/logger-9", "req-2")),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next_on(logger, "replies/logger-9", 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"status\":400,\"error\":\"must be an array\",\"path\":\"datasets\","
					"\"sender\":\"S009\",\"client_id\":\"logger-9\"}");
	eb_message_free(m);
	eb_expect_nothing(bystander, QUIET_MS); /* the reply goes to the requester only */
	eb_client_disconnect(bystander);
	eb_client_disconnect(logger);
}

static void test_plugin_topics_cannot_be_forged(void **state)
{
	(void)state;
	struct eb_client *watch = eb_subscriber(broker.port, "#", 1);
	struct eb_client *forger = eb_client_simple(broker.port, "forger", "mallory", MQTT_PROTOCOL_V5);
	const char *owned[] = {"dataset/inverter/errors", "monitoring.pms/PMS-02-007", "monitoring.inverter/X",
			       "dataset/pms/errors"};
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		assert_int_equal(eb_client_publish_str(forger, owned[i], "{\"fake\":1}", 1), MQTT_RC_NOT_AUTHORIZED);
		assert_int_equal(eb_client_publish(forger, owned[i], "{}", 2, 1, true, NULL), MQTT_RC_NOT_AUTHORIZED);
	}
	/* Positive control: the same client may publish beside them. */
	assert_int_equal(eb_client_publish_str(forger, "monitoring.pmsx/1", "ok", 1), 0);
	struct eb_message *m = eb_client_next_on(watch, "monitoring.pmsx/1", 2000);
	assert_non_null(m);
	eb_message_free(m);
	struct eb_client *late = output_subscriber(1);
	eb_expect_nothing(late, QUIET_MS); /* nothing was retained */
	char *log = eb_broker_log(&broker);
	assert_non_null(strstr(log, "refused publish from client 'forger' (user 'mallory') to 'dataset/inverter/errors'"));
	free(log);
	eb_client_disconnect(late);
	eb_client_disconnect(forger);
	eb_client_disconnect(watch);
}

static void test_qos2_retransmission_translated_once(void **state)
{
	(void)state;
	struct eb_client *out = output_subscriber(2);
	struct eb_client *audit = eb_subscriber(broker.port, "dataset/#", 2);
	eb_raw_qos2_twice(broker.port, "raw-q2", "S001", "dataset/inverter", INVERTER_SPEC_REQUEST);
	eb_raw_qos2_twice(broker.port, "raw-q2", "S001", "dataset/pms/csv", PMS_SPEC_CSV);
	for (int i = 0; i < 2; i++) {
		struct eb_message *m = eb_client_next(out, 2000);
		assert_non_null(m);
		eb_message_free(m);
		m = eb_client_next(audit, 2000);
		assert_non_null(m);
		eb_message_free(m);
	}
	eb_expect_nothing(out, QUIET_MS);
	eb_expect_nothing(audit, QUIET_MS);
	eb_client_disconnect(audit);
	eb_client_disconnect(out);
}

static void test_stats_count_each_dataset(void **state)
{
	(void)state;
	struct eb_client *stats = eb_subscriber(broker.port, "energy-bridge/stats", 0);
	struct eb_message *m = NULL;
	/* Earlier tests translated and refused requests of both datasets: wait for a publication that counts them. */
	for (int i = 0; i < 5; i++) {
		eb_message_free(m);
		m = eb_client_next(stats, 3000);
		assert_non_null(m);
		if (strstr(m->payload, "\"pms\":{\"requests_translated\":") &&
		    !strstr(m->payload, "\"inverter\":{\"requests_translated\":0"))
			break;
	}
	assert_non_null(strstr(m->payload, "\"mppt\":{\"requests_translated\":"));
	assert_non_null(strstr(m->payload, "\"pms\":{\"requests_translated\":"));
	assert_non_null(strstr(m->payload, "\"inverter\":{\"requests_translated\":"));
	assert_null(strstr(m->payload, "\"pms\":{\"requests_translated\":0,\"requests_refused\":0"));
	eb_message_free(m);
	eb_client_disconnect(stats);
}

static void test_options(void **state)
{
	(void)state;
	assert_true(eb_broker_refuses_to_start("plugin_opt_pms_max_items 0",
					       "energy-bridge: option plugin_opt_pms_max_items: expected an integer "
					       "from 1 to 1000000, got '0'"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_inverter_request_topic monitoring.pms/in",
					       "options plugin_opt_pms_output_prefix and "
					       "plugin_opt_inverter_request_topic"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_mppt_request_topic dataset/pms/csv",
					       "options plugin_opt_mppt_request_topic and plugin_opt_pms_request_topic"));
	/* pms off: its topics are ordinary topics; inverter with its own topics. */
	struct eb_broker custom;
	assert_int_equal(eb_broker_start(&custom, "plugin_opt_pms off\n"
						  "plugin_opt_inverter_request_topic site/inv/in\n"
						  "plugin_opt_inverter_output_prefix site/inv/out\n"),
			 0);
	struct eb_client *sub = eb_client_simple(custom.port, NULL, NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(sub, "#", 1) >= 0);
	struct eb_client *logger = eb_client_simple(custom.port, "l", "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/pms", "not json", 1), 0);
	struct eb_message *m = eb_client_next_on(sub, "dataset/pms", 2000);
	assert_non_null(m);
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(logger, "monitoring.pms/x", "anyone may", 1), 0);
	m = eb_client_next_on(sub, "monitoring.pms/x", 2000);
	assert_non_null(m);
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(logger, "site/inv/in", INVERTER_SPEC_REQUEST, 1), 0);
	m = eb_client_next_on(sub, "site/inv/out/KEHUA-3P-07", 2000);
	assert_non_null(m);
	eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
	assert_int_equal(eb_broker_stop(&custom), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_examples_translated_exactly_v311_and_v5),
		cmocka_unit_test(test_bad_input_refused_with_report_valid_traffic_unaffected),
		cmocka_unit_test(test_v5_response_topic_gets_the_outcome),
		cmocka_unit_test(test_plugin_topics_cannot_be_forged),
		cmocka_unit_test(test_qos2_retransmission_translated_once),
		cmocka_unit_test(test_stats_count_each_dataset),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests_name("integration_sundaya", tests, start_broker, stop_broker);
}
