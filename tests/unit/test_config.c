/*
 * Unit tests of the options (plugin/config.c, core/options.c and the jobs'
 * tables): every kind of option accepted and refused with the message the
 * broker logs, the defaults, unknown and repeated options, the topics of two
 * jobs that overlap, and what is derived (TWC on from its port, the MPPT
 * errors topic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "config.h"

#define MAX_OPTIONS 8

static struct eb_config cfg;
static bool loaded;
static char err[CONFIG_ERROR_MAX];

/* Loads count options given as key, value, ... (a NULL value: a line without one). */
static int load_options(const char *const *kv, int count)
{
	struct mosquitto_opt opts[MAX_OPTIONS];
	assert_true(count <= MAX_OPTIONS);
	for (int i = 0; i < count; i++)
		opts[i] = (struct mosquitto_opt){(char *)kv[2 * i], (char *)kv[2 * i + 1]};
	if (loaded)
		eb_config_free(&cfg);
	loaded = true;
	err[0] = '\0';
	return eb_config_load(&cfg, opts, count, err, sizeof(err));
}

/* The same for key, value, ..., NULL. */
static int load_list(const char *const *kv)
{
	int n = 0;
	while (kv[2 * n])
		n++;
	return load_options(kv, n);
}

#define LOAD(...) load_list((const char *const[]){__VA_ARGS__, NULL})

/* The option is accepted: the configuration loads. */
static void accepted(const char *key, const char *value)
{
	if (LOAD(key, value) != 0)
		fail_msg("plugin_opt_%s '%s' refused: %s", key, value, err);
}

/* The option is refused with exactly this message. */
static void refused(const char *key, const char *value, const char *message)
{
	if (LOAD(key, value) == 0)
		fail_msg("plugin_opt_%s '%s' accepted", key, value);
	assert_string_equal(err, message);
}

static int teardown(void **state)
{
	(void)state;
	if (loaded)
		eb_config_free(&cfg);
	loaded = false;
	return 0;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(load_options(NULL, 0), 0);
	assert_false(cfg.acl_guard);
	assert_string_equal(cfg.stats_topic, "energy-bridge/stats");
	assert_int_equal(cfg.stats_interval, 60);

	assert_true(cfg.mppt.enabled);
	assert_string_equal(cfg.mppt.request_topic, "dataset/mppt");
	assert_string_equal(cfg.mppt.errors_topic, "dataset/mppt/errors");
	assert_string_equal(cfg.mppt.output_prefix, "monitoring.mppt");
	assert_int_equal(cfg.mppt.max_payload, 1048576);
	assert_int_equal(cfg.mppt.max_items, 500); /* at most half of Mosquitto's default max_queued_messages */

	assert_true(cfg.venus.enabled);
	assert_string_equal(cfg.venus.vendors, "hame_energy marstek_energy");
	assert_true(cfg.venus.strict_types); /* undescribed types get no command by default */
	assert_string_equal(cfg.venus.admin_users, "");
	assert_int_equal(cfg.venus.command_interval, 1);
	assert_string_equal(cfg.venus.state_prefix, "venus");
	assert_int_equal(cfg.venus.poll_interval, 0);

	assert_false(cfg.twc.enabled);
	assert_string_equal(cfg.twc.port, "");
	assert_int_equal(cfg.twc.monitor, 0);
	assert_int_equal(cfg.twc.master_id, 0x7777);
	assert_int_equal(cfg.twc.max_amps_for_slaves, 32);
	assert_int_equal(cfg.twc.min_amps_per_twc, 6);
	assert_int_equal(cfg.twc.wiring_max_amps_per_twc, 32);
	assert_int_equal(cfg.twc.wiring_max_amps_all, 0);
	assert_string_equal(cfg.twc.prefix, "TWC");
	assert_int_equal(cfg.twc.qos, 0);
	assert_int_equal(cfg.twc.refresh, 60);

	assert_false(cfg.ha.enabled);
	assert_string_equal(cfg.ha.prefix, "homeassistant");
}

static void test_switches(void **state)
{
	(void)state;
	static const char *const on[] = {"on", "true", "yes", "1"}, *const off[] = {"off", "false", "no", "0"};
	for (size_t i = 0; i < 4; i++) {
		accepted("acl_guard", on[i]);
		assert_true(cfg.acl_guard);
		accepted("mppt", off[i]);
		assert_false(cfg.mppt.enabled);
	}
	refused("acl_guard", "maybe", "option plugin_opt_acl_guard: expected on or off, got 'maybe'");
	refused("venus", "ON", "option plugin_opt_venus: expected on or off, got 'ON'");
	refused("ha_discovery", "", "option plugin_opt_ha_discovery: expected on or off, got ''");
}

static void test_integers_within_their_bounds(void **state)
{
	(void)state;
	accepted("twc_qos", "0");
	assert_int_equal(cfg.twc.qos, 0);
	accepted("twc_qos", "2");
	assert_int_equal(cfg.twc.qos, 2);
	accepted("mppt_max_payload", "268435456");
	assert_int_equal(cfg.mppt.max_payload, 256L << 20);
	accepted("stats_interval", "0");
	assert_int_equal(cfg.stats_interval, 0);

	refused("twc_qos", "3", "option plugin_opt_twc_qos: expected an integer from 0 to 2, got '3'");
	refused("twc_qos", "-1", "option plugin_opt_twc_qos: expected an integer from 0 to 2, got '-1'");
	refused("mppt_max_payload", "63",
		"option plugin_opt_mppt_max_payload: expected an integer from 64 to 268435456, got '63'");
	static const char *const malformed[] = {"", "one", "1.5", "1 ", " 1", "1x", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		char message[CONFIG_ERROR_MAX];
		snprintf(message, sizeof(message),
			 "option plugin_opt_stats_interval: expected an integer from 0 to 86400, got '%s'", malformed[i]);
		refused("stats_interval", malformed[i], message);
	}
}

static void test_topics_without_wildcards(void **state)
{
	(void)state;
	accepted("twc_prefix", "house/garage/TWC");
	assert_string_equal(cfg.twc.prefix, "house/garage/TWC");
	accepted("stats_topic", "caf\xc3\xa9/stats");
	assert_string_equal(cfg.stats_topic, "caf\xc3\xa9/stats");

	static const char *const bad[] = {"", "TWC/#", "TWC/+/x", "#", "/TWC", "TWC/", "$SYS/TWC", "caf\xc3/x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[CONFIG_ERROR_MAX];
		snprintf(message, sizeof(message),
			 "option plugin_opt_twc_prefix: expected a topic without wildcards, without a leading '$' and "
			 "without a leading or trailing '/', got '%s'",
			 bad[i]);
		refused("twc_prefix", bad[i], message);
	}
}

static void test_words(void **state)
{
	(void)state;
	accepted("venus_admin_users", "alice  bob");
	assert_string_equal(cfg.venus.admin_users, "alice  bob");
	accepted("venus_admin_users", "");
	assert_string_equal(cfg.venus.admin_users, "");
	accepted("venus_vendors", "hame_energy");
	assert_string_equal(cfg.venus.vendors, "hame_energy");

	refused("venus_admin_users", "alice a/b",
		"option plugin_opt_venus_admin_users: expected names separated by spaces, without '/', '+' or '#', "
		"got 'alice a/b'");
	refused("venus_admin_users", "al+ce",
		"option plugin_opt_venus_admin_users: expected names separated by spaces, without '/', '+' or '#', "
		"got 'al+ce'");
	refused("venus_admin_users", "alice\tbob",
		"option plugin_opt_venus_admin_users: expected names separated by spaces, without '/', '+' or '#', "
		"got 'alice\tbob'");
	/* The vendors need one at least. */
	refused("venus_vendors", " ",
		"option plugin_opt_venus_vendors: expected one or more names separated by spaces, without '/', '+' "
		"or '#', got ' '");
	refused("venus_vendors", "hame#",
		"option plugin_opt_venus_vendors: expected one or more names separated by spaces, without '/', '+' "
		"or '#', got 'hame#'");
}

static void test_choices(void **state)
{
	(void)state;
	accepted("twc_mode", "master");
	assert_int_equal(cfg.twc.monitor, 0);
	accepted("twc_mode", "monitor");
	assert_int_equal(cfg.twc.monitor, 1);
	refused("twc_mode", "slave", "option plugin_opt_twc_mode: expected one of master monitor, got 'slave'");
	refused("twc_mode", "mast", "option plugin_opt_twc_mode: expected one of master monitor, got 'mast'");
	refused("twc_mode", "", "option plugin_opt_twc_mode: expected one of master monitor, got ''");
}

static void test_hex_ids(void **state)
{
	(void)state;
	accepted("twc_master_id", "BEEF");
	assert_int_equal(cfg.twc.master_id, 0xBEEF);
	accepted("twc_master_id", "0a0b");
	assert_int_equal(cfg.twc.master_id, 0x0A0B);
	static const char *const bad[] = {"77777", "777", "7g77", "", "0x77"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[CONFIG_ERROR_MAX];
		snprintf(message, sizeof(message), "option plugin_opt_twc_master_id: expected 4 hexadecimal digits, got '%s'",
			 bad[i]);
		refused("twc_master_id", bad[i], message);
	}
}

static void test_links_and_twc_on_from_its_port(void **state)
{
	(void)state;
	static const char *const good[] = {"/dev/ttyUSB0", "tcp://192.168.1.20:8899", "tcp://rs485.local:1",
					   "tcp://[::1]:65535"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		accepted("twc_port", good[i]);
		assert_string_equal(cfg.twc.port, good[i]);
		assert_true(cfg.twc.enabled);
	}
	accepted("twc_port", "");
	assert_false(cfg.twc.enabled);

	static const char *const bad[] = {"ttyUSB0", "tcp://host", "tcp://host:0", "tcp://host:65536", "tcp://:80",
					  "udp://host:80", "tcp://host:80x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[CONFIG_ERROR_MAX];
		snprintf(message, sizeof(message),
			 "option plugin_opt_twc_port: expected a serial device such as /dev/ttyUSB0 or tcp://host:port, "
			 "got '%s'",
			 bad[i]);
		refused("twc_port", bad[i], message);
	}
}

/* A line without a value ("plugin_opt_x" alone) is the empty value, judged like any other. */
/* The spool file: the default (""), "off", or an absolute path; its journal's bound within limits. */
static void test_spool_file_and_bound(void **state)
{
	(void)state;
	accepted("spool_file", "");
	accepted("spool_file", "off");
	accepted("spool_file", "/var/lib/mosquitto/energy-bridge.spool");
	assert_string_equal(cfg.spool_file, "/var/lib/mosquitto/energy-bridge.spool");
	refused("spool_file", "energy-bridge.spool",
		"option plugin_opt_spool_file: expected an absolute path, \"off\" or nothing, got 'energy-bridge.spool'");
	accepted("spool_max_bytes", "4096");
	refused("spool_max_bytes", "4095",
		"option plugin_opt_spool_max_bytes: expected an integer from 4096 to 268435456, got '4095'");
}

static void test_option_without_a_value(void **state)
{
	(void)state;
	const char *const kv[] = {"stats_topic", NULL};
	assert_int_equal(load_options(kv, 1), -1);
	assert_string_equal(err, "option plugin_opt_stats_topic: expected a topic without wildcards, without a leading "
				 "'$' and without a leading or trailing '/', got ''");
	const char *const users[] = {"venus_admin_users", NULL};
	assert_int_equal(load_options(users, 1), 0);
	assert_string_equal(cfg.venus.admin_users, "");
}

static void test_unknown_and_repeated_options(void **state)
{
	(void)state;
	assert_int_equal(LOAD("twc_qos", "1", "twc_speed", "9"), -1);
	assert_string_equal(err, "unknown option plugin_opt_twc_speed (the README lists the options)");
	assert_int_equal(LOAD("plugin_opt_twc_qos", "1"), -1);
	assert_string_equal(err, "unknown option plugin_opt_plugin_opt_twc_qos (the README lists the options)");

	/* Even with the same value, and whichever job it belongs to. */
	assert_int_equal(LOAD("twc_qos", "1", "mppt", "on", "twc_qos", "1"), -1);
	assert_string_equal(err, "option plugin_opt_twc_qos: given more than once");
	assert_int_equal(LOAD("acl_guard", "on", "acl_guard", "off"), -1);
	assert_string_equal(err, "option plugin_opt_acl_guard: given more than once");
}

/* Options that are each fine, given together. */
static void test_every_job_configured_at_once(void **state)
{
	(void)state;
	assert_int_equal(LOAD("acl_guard", "on", "mppt_request_topic", "site/mppt/in", "venus_state_prefix", "site/venus",
			      "twc_port", "/dev/ttyUSB1", "twc_prefix", "site/TWC", "ha_discovery", "on", "ha_prefix",
			      "ha"),
			 0);
	assert_true(cfg.acl_guard);
	assert_string_equal(cfg.venus.state_prefix, "site/venus");
	assert_true(cfg.twc.enabled);
	assert_string_equal(cfg.twc.prefix, "site/TWC");
	assert_true(cfg.ha.enabled);
	assert_string_equal(cfg.ha.prefix, "ha");
	/* The defaults of the options not given stay. */
	assert_string_equal(cfg.mppt.output_prefix, "monitoring.mppt");
	assert_int_equal(cfg.twc.qos, 0);
}

static void test_errors_topic_follows_the_request_topic(void **state)
{
	(void)state;
	accepted("mppt_request_topic", "site/mppt/in");
	assert_string_equal(cfg.mppt.request_topic, "site/mppt/in");
	assert_string_equal(cfg.mppt.errors_topic, "site/mppt/in/errors");
}

static void test_topics_of_two_jobs_must_not_overlap(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value, *message;
	} cases[] = {
		{"mppt_output_prefix", "venus/mppt",
		 "options plugin_opt_mppt_output_prefix and plugin_opt_venus_state_prefix: expected topics that do not "
		 "contain one another, got 'venus/mppt' and 'venus'"},
		{"twc_prefix", "venus",
		 "options plugin_opt_venus_state_prefix and plugin_opt_twc_prefix: expected topics that do not contain "
		 "one another, got 'venus' and 'venus'"},
		{"stats_topic", "TWC/stats",
		 "options plugin_opt_twc_prefix and plugin_opt_stats_topic: expected topics that do not contain one "
		 "another, got 'TWC' and 'TWC/stats'"},
		{"ha_prefix", "dataset",
		 "options plugin_opt_mppt_request_topic and plugin_opt_ha_prefix: expected topics that do not contain "
		 "one another, got 'dataset/mppt' and 'dataset'"},
		{"mppt_request_topic", "monitoring.mppt/in",
		 "options plugin_opt_mppt_output_prefix and plugin_opt_mppt_request_topic: expected topics that do not "
		 "contain one another, got 'monitoring.mppt' and 'monitoring.mppt/in'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(cases[i].key, cases[i].value, cases[i].message);
	/* A name that begins like another is not below it. */
	accepted("twc_prefix", "venus2");
	accepted("stats_topic", "TWCstats");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_switches, teardown),
		cmocka_unit_test_teardown(test_integers_within_their_bounds, teardown),
		cmocka_unit_test_teardown(test_topics_without_wildcards, teardown),
		cmocka_unit_test_teardown(test_words, teardown),
		cmocka_unit_test_teardown(test_choices, teardown),
		cmocka_unit_test_teardown(test_hex_ids, teardown),
		cmocka_unit_test_teardown(test_links_and_twc_on_from_its_port, teardown),
		cmocka_unit_test_teardown(test_spool_file_and_bound, teardown),
		cmocka_unit_test_teardown(test_option_without_a_value, teardown),
		cmocka_unit_test_teardown(test_unknown_and_repeated_options, teardown),
		cmocka_unit_test_teardown(test_every_job_configured_at_once, teardown),
		cmocka_unit_test_teardown(test_errors_topic_follows_the_request_topic, teardown),
		cmocka_unit_test_teardown(test_topics_of_two_jobs_must_not_overlap, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
