/*
 * ha_discovery: every config passes Home Assistant's schema (ha_schema.h),
 * and every topic it names is one the plugin publishes (the seed's TWC
 * status topics, the Venus state, the MPPT translation, the availability
 * topics) or accepts (the pool's set topic, the Venus friendly commands).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ha_discovery.h"
#include "hame_family.h"
#include "ha_schema.h"
#include "spec_examples.h"
#include "util.h"

static const struct ha_discovery_topics topics = {"homeassistant", "TWC", "venus", "monitoring.mppt",
						  "energy-bridge/status", "monitoring.pms", "monitoring.inverter"};

/* README's example translation: two PV strings, two loads, a status. */
static const char mppt_sample[] = MPPT_SPEC_MESSAGE;

/* The state fields of docs/venus.md (README's table), plus type, id and updated. */
static const char venus_fields[] =
	" total_charged_kwh total_discharged_kwh daily_charged_kwh monthly_charged_kwh daily_discharged_kwh"
	" monthly_discharged_kwh daily_income_eur monthly_income_eur total_income_eur off_grid_power_va"
	" combined_power_w working_status ct_status battery_status battery_energy_kwh soc_percent fault_code"
	" warning_code device_version bms_version communication_module_version grid_type working_mode"
	" ct_auto_switch backup trading_region_code trading_charge_price trading_discharge_price http_server_type"
	" regional_charge_price regional_discharge_price wifi_signal power_version max_charging_power_w"
	" max_discharge_power_w ct_type phase recharge_mode wifi_name type id updated ";

static struct ha_discovery_set set;

static int setup(void **state)
{
	(void)state;
	ha_discovery_set_init(&set);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ha_discovery_set_free(&set);
	return 0;
}

static bool in_list(const char *const *list, const char *topic)
{
	for (; *list; list++)
		if (strcmp(*list, topic) == 0)
			return true;
	return false;
}

/* Every message passes the schema; unique ids are unique; returns the configs (release each). */
static struct ha_config *check_set(const char *prefix, size_t expected_count)
{
	assert_int_equal(set.count, expected_count);
	struct ha_config *configs = calloc(set.count, sizeof(*configs));
	assert_non_null(configs);
	for (size_t i = 0; i < set.count; i++) {
		char err[200];
		if (!ha_schema_check(prefix, set.messages[i].topic, ha_discovery_payload(&set, i), set.messages[i].len,
				     &configs[i], err, sizeof(err)))
			fail_msg("%s: %s\n%.*s", set.messages[i].topic, err, (int)set.messages[i].len,
				 ha_discovery_payload(&set, i));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(ha_config_string(&configs[i], "unique_id"),
						ha_config_string(&configs[k], "unique_id"));
	}
	return configs;
}

static void release_all(struct ha_config *configs)
{
	for (size_t i = 0; i < set.count; i++)
		ha_config_release(&configs[i]);
	free(configs);
}

/* The availability list: the plugin's topic, then the device's own when it has one. */
static void expect_availability(const struct ha_config *c, const char *own)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->json, "availability");
	assert_int_equal(cJSON_GetArraySize(list), own ? 2 : 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(list->child, "topic")),
			    "energy-bridge/status");
	if (own)
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(list->child->next, "topic")),
				    own);
}

static void test_wall_connector(void **state)
{
	(void)state;
	static const char *const published[] = {
		"TWC/4085/ampsInUse", "TWC/4085/ampsMax", "TWC/4085/carsCharging", "TWC/4085/currentVehicleVIN",
		"TWC/4085/lastVehicleVIN", "TWC/4085/lifetimekWh", "TWC/4085/power", "TWC/4085/state",
		"TWC/4085/voltagePhaseA", "TWC/4085/voltagePhaseB", "TWC/4085/voltagePhaseC", NULL};
	assert_true(ha_discovery_twc_slave(&set, &topics, 0x4085, 0x7777));
	struct ha_config *configs = check_set("homeassistant", 11);
	bool named[11] = {false};
	for (size_t i = 0; i < set.count; i++) {
		struct ha_config *c = &configs[i];
		assert_string_equal(c->node_id, "energy_bridge_twc_4085");
		const char *state_topic = ha_config_string(c, "state_topic");
		if (!in_list(published, state_topic))
			fail_msg("%s reads %s, which the plugin does not publish", c->object_id, state_topic);
		for (size_t k = 0; published[k]; k++)
			named[k] |= strcmp(published[k], state_topic) == 0;
		assert_null(ha_config_string(c, "command_topic"));
		expect_availability(c, "energy-bridge/status/twc/4085");
		const cJSON *device = cJSON_GetObjectItemCaseSensitive(c->json, "device");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(device, "via_device")),
				    "energy_bridge_twc_pool_7777");
		if (strcmp(c->object_id, "lifetime_kwh") == 0) {
			assert_string_equal(ha_config_string(c, "state_class"), "total_increasing");
			assert_string_equal(ha_config_string(c, "unit_of_measurement"), "kWh");
		}
		if (strcmp(c->object_id, "state") == 0) /* the state code as text */
			assert_non_null(strstr(ha_config_string(c, "value_template"), "'1': 'Charging'"));
		if (strcmp(c->object_id, "cars_charging") == 0)
			assert_string_equal(c->component, "binary_sensor");
	}
	for (size_t k = 0; published[k]; k++)
		if (!named[k])
			fail_msg("no entity reads %s", published[k]);
	release_all(configs);
}

static void test_pool_is_a_number_in_master_mode_and_a_sensor_in_monitor_mode(void **state)
{
	(void)state;
	static const char *const published[] = {"TWC/config/maxAmpsForSlaves", "TWC/all/totalAmpsInUse",
						"TWC/config/minAmpsPerTWC", "TWC/energy/mode", "TWC/energy/status", NULL};
	assert_true(ha_discovery_twc_pool(&set, &topics, 0x7777, 40));
	/* The pool, the total, the minimum; energy management's mode, charge-now (number, button) and 3 sensors. */
	struct ha_config *configs = check_set("homeassistant", 9);
	for (size_t i = 0; i < set.count; i++) {
		const char *state_topic = ha_config_string(&configs[i], "state_topic");
		if (state_topic)
			assert_true(in_list(published, state_topic));
		else
			assert_string_equal(ha_config_string(&configs[i], "command_topic"), "TWC/energy/chargeNow/set");
		expect_availability(&configs[i], NULL);
	}
	assert_string_equal(configs[3].component, "select");
	assert_string_equal(ha_config_string(&configs[3], "command_topic"), "TWC/energy/mode/set");
	assert_string_equal(ha_config_string(&configs[4], "command_template"), "{{ value | int }},3600");
	assert_string_equal(configs[5].component, "button");
	assert_string_equal(ha_config_string(&configs[5], "payload_press"), "0,0");
	assert_string_equal(configs[0].component, "number");
	assert_string_equal(ha_config_string(&configs[0], "command_topic"), "TWC/config/maxAmpsForSlaves/set");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(configs[0].json, "min")), 0);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(configs[0].json, "max")), 40);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(configs[0].json, "step")), 1);
	release_all(configs);

	assert_true(ha_discovery_twc_pool(&set, &topics, 0x7777, -1));
	configs = check_set("homeassistant", 3);
	for (size_t i = 0; i < set.count; i++)
		assert_string_equal(configs[i].component, "sensor");
	release_all(configs);
}

static void test_venus_battery(void **state)
{
	(void)state;
	static const char *const commands[] = {
		"venus/HMG-50/0123456789ab/set/working_mode", "venus/HMG-50/0123456789ab/set/max_charging_power",
		"venus/HMG-50/0123456789ab/set/max_discharge_power", "venus/HMG-50/0123456789ab/set/backup",
		"venus/HMG-50/0123456789ab/set/refresh", "venus/HMG-50/0123456789ab/set/sync_time", NULL};
	assert_true(ha_discovery_venus(&set, &topics, "hame_energy", "HMG-50", "0123456789ab", true));
	size_t n = set.count;
	assert_true(n > 40);
	struct ha_config *configs = check_set("homeassistant", n);
	size_t controls = 0;
	for (size_t i = 0; i < n; i++) {
		struct ha_config *c = &configs[i];
		assert_string_equal(c->node_id, "energy_bridge_venus_HMG-50_0123456789ab");
		expect_availability(c, "energy-bridge/status/venus/HMG-50/0123456789ab");
		const cJSON *device = cJSON_GetObjectItemCaseSensitive(c->json, "device");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(device, "manufacturer")), "Hame");
		const char *state_topic = ha_config_string(c, "state_topic");
		if (state_topic) {
			assert_string_equal(state_topic, "venus/HMG-50/0123456789ab/state");
			char path[64];
			assert_true(ha_template_path(ha_config_string(c, "value_template"), path, sizeof(path)));
			if (!eb_word_in(venus_fields, path))
				fail_msg("%s reads %s, not a field of the state", c->object_id, path);
		} else {
			assert_string_equal(c->component, "button"); /* only buttons have no state */
		}
		const char *command = ha_config_string(c, "command_topic");
		if (command) {
			controls++;
			if (!in_list(commands, command))
				fail_msg("%s commands %s, not a friendly command", c->object_id, command);
		}
		if (strcmp(c->object_id, "max_charging_power") == 0) { /* within what the gate passes: cd=16 300..2500 */
			assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c->json, "min")), 300);
			assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c->json, "max")), 2500);
		}
		if (strcmp(c->object_id, "working_mode") == 0) {
			assert_string_equal(c->component, "select");
			assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c->json, "options")), 3);
		}
		if (strcmp(c->object_id, "backup") == 0) {
			assert_string_equal(c->component, "switch");
			assert_string_equal(ha_config_string(c, "payload_on"), "on");
			assert_string_equal(ha_config_string(c, "state_off"), "off");
		}
		if (strcmp(c->object_id, "soc_percent") == 0)
			assert_string_equal(ha_config_string(c, "value_template"),
					    "{{ value_json.soc_percent | default(None) }}");
	}
	assert_int_equal(controls, 6);
	release_all(configs);

	/* Without polling the plugin cannot tell whether the battery is there: only its own availability. */
	assert_true(ha_discovery_venus(&set, &topics, "marstek_energy", "VNSE3-2", "abc", false));
	configs = check_set("homeassistant", n);
	expect_availability(&configs[0], NULL);
	release_all(configs);
}

/* Every family's configs pass the schema, and every control's command topic is a friendly setting of the family. */
static void test_other_hame_families(void **state)
{
	(void)state;
	static const struct {
		const char *type, *family;
	} devices[] = {{"HMA-1", "b2500"}, {"JPLS-8H", "jupiter"}, {"HME-4", "ct002"}, {"HME-3", "ct003"},
		       {"HMI-1", "inverter"}};
	for (size_t d = 0; d < sizeof(devices) / sizeof(devices[0]); d++) {
		assert_true(ha_discovery_hame(&set, &topics, "hame_energy", devices[d].type, "ab12", devices[d].family,
					      false));
		size_t n = set.count;
		assert_true(n >= 5);
		struct ha_config *configs = check_set("homeassistant", n);
		size_t controls = 0;
		for (size_t i = 0; i < n; i++) {
			const char *command = ha_config_string(&configs[i], "command_topic");
			if (!command)
				continue;
			controls++;
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "venus/%s/ab12/set/", devices[d].type);
			assert_int_equal(strncmp(command, prefix, strlen(prefix)), 0);
			struct venus_friendly f;
			hame_friendly_command(hame_family_of(devices[d].type), command + strlen(prefix), "1", 1, &f);
			if (strncmp(f.error, "unknown setting", 15) == 0)
				fail_msg("%s: %s", command, f.error);
		}
		assert_true(controls >= 1);
		release_all(configs);
	}
	/* negative control: no family, or the Venus family, is the Venus battery's set */
	assert_true(ha_discovery_hame(&set, &topics, "hame_energy", "HMG-50", "ab12", NULL, false));
	assert_true(set.count > 40);
}

static void test_mppt_controller(void **state)
{
	(void)state;
	cJSON *sample = cJSON_Parse(mppt_sample);
	assert_non_null(sample);
	assert_true(ha_discovery_mppt(&set, &topics, "IT6415AD-01-001", 2, 1));
	/* 2 PV strings, the battery and 1 load, 3 measures each; the bus and 10 status fields. */
	struct ha_config *configs = check_set("homeassistant", 3 * 4 + 1 + 10);
	for (size_t i = 0; i < set.count; i++) {
		struct ha_config *c = &configs[i];
		assert_string_equal(c->node_id, "energy_bridge_mppt_IT6415AD-01-001");
		assert_string_equal(ha_config_string(c, "state_topic"), "monitoring.mppt/IT6415AD-01-001");
		expect_availability(c, NULL);
		char path[64];
		assert_true(ha_template_path(ha_config_string(c, "value_template"), path, sizeof(path)));
		if (!ha_json_at(sample, path))
			fail_msg("%s reads %s, not in the translation", c->object_id, path);
		assert_null(strstr(path, "pv[2]"));
		assert_null(strstr(path, "load[1]"));
	}
	release_all(configs);
	assert_true(ha_discovery_mppt(&set, &topics, "IT6415AD-01-001", 4, 2));
	configs = check_set("homeassistant", 3 * 7 + 1 + 10);
	release_all(configs);
	cJSON_Delete(sample);
}

/* docs/sundaya.md's examples: every entity reads a path its translation has. */
static void test_inverter_and_pms_pack(void **state)
{
	(void)state;
	static const char inverter_sample[] = INVERTER_SPEC_MESSAGE_HEAD "2026-11-22 02:49:41.9235\"}";
	cJSON *sample = cJSON_Parse(inverter_sample);
	assert_non_null(sample);
	assert_true(ha_discovery_inverter(&set, &topics, "KEHUA-3P-07", 4, 2, 3));
	/* 4 PV strings, the battery, 2 loads: 3 measures each; 3 phases: 4 each; the bus. */
	struct ha_config *configs = check_set("homeassistant", 3 * 7 + 4 * 3 + 1);
	for (size_t i = 0; i < set.count; i++) {
		struct ha_config *c = &configs[i];
		assert_string_equal(c->node_id, "energy_bridge_inverter_KEHUA-3P-07");
		assert_string_equal(ha_config_string(c, "state_topic"), "monitoring.inverter/KEHUA-3P-07");
		char path[64];
		assert_true(ha_template_path(ha_config_string(c, "value_template"), path, sizeof(path)));
		if (!ha_json_at(sample, path))
			fail_msg("%s reads %s, not in the translation", c->object_id, path);
	}
	release_all(configs);
	cJSON_Delete(sample);

	static const char pms_sample[] = PMS_SPEC_MESSAGE_HEAD "2026-11-22 02:49:41.9235\"}";
	sample = cJSON_Parse(pms_sample);
	assert_non_null(sample);
	assert_true(ha_discovery_pms_pack(&set, &topics, "PMS-02-007", "P7'01"));
	configs = check_set("homeassistant", 10);
	for (size_t i = 0; i < set.count; i++) {
		struct ha_config *c = &configs[i];
		assert_int_equal(strncmp(c->node_id, "energy_bridge_pms_PMS-02-007_P7_01_", 35), 0);
		assert_string_equal(ha_config_string(c, "state_topic"), "monitoring.pms/PMS-02-007");
		/* Read only for its own pack (the quote escaped for the template), the last value otherwise. */
		const char *template = ha_config_string(c, "value_template");
		assert_non_null(strstr(template, "{% if value_json.pack_id == 'P7\\'01' %}{{ value_json."));
		assert_non_null(strstr(template, "{{ this.state }}"));
		char path[64];
		const char *at = strstr(template, "{{ value_json.") + 14;
		snprintf(path, sizeof(path), "%.*s", (int)(strchr(at, ' ') - at), at);
		if (!ha_json_at(sample, path))
			fail_msg("%s reads %s, not in the translation", c->object_id, path);
	}
	release_all(configs);
	cJSON_Delete(sample);
}

static void test_ids_that_are_not_node_ids_stay_apart(void **state)
{
	(void)state;
	char first[256], second[256];
	assert_true(ha_discovery_mppt(&set, &topics, "a b.c", 1, 1));
	struct ha_config *configs = check_set("homeassistant", 3 * 3 + 11);
	snprintf(first, sizeof(first), "%s", configs[0].node_id);
	release_all(configs);
	assert_true(ha_discovery_mppt(&set, &topics, "a_b_c", 1, 1));
	configs = check_set("homeassistant", 3 * 3 + 11);
	snprintf(second, sizeof(second), "%s", configs[0].node_id);
	release_all(configs);
	assert_string_equal(second, "energy_bridge_mppt_a_b_c");
	assert_string_not_equal(first, second);
	assert_int_equal(strncmp(first, "energy_bridge_mppt_a_b_c_", 25), 0);

	/* Quotes and backslashes in an id still make valid JSON, and its own name. */
	assert_true(ha_discovery_mppt(&set, &topics, "x\"y\\z", 1, 1));
	configs = check_set("homeassistant", 3 * 3 + 11);
	const cJSON *device = cJSON_GetObjectItemCaseSensitive(configs[0].json, "device");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(device, "name")), "MPPT x\"y\\z");
	assert_string_equal(ha_config_string(&configs[0], "state_topic"), "monitoring.mppt/x\"y\\z");
	release_all(configs);
}

static void node_id_of(const char *mppt_id, char *out, size_t size)
{
	assert_true(ha_discovery_mppt(&set, &topics, mppt_id, 1, 1));
	struct ha_config *configs = check_set("homeassistant", 3 * 3 + 11);
	snprintf(out, size, "%s", configs[0].node_id);
	release_all(configs);
}

/*
 * Ids chosen to collide: a plain id that spells another's old sanitised
 * form (with its hash), one that spells its new encoded form, and ids that
 * differ only in the characters replaced. Every node id differs.
 */
static void test_no_two_ids_share_a_node_id(void **state)
{
	(void)state;
	static const char *const ids[] = {
		"a\"b\\c", "a_b_c_d573791d", "a_b_c_x225c", "a_b_c_x225c_x5f5f5f", "a\"b c", "a b\\c",
		"a_b_c", "a b c", "a_b c", "_x", "x", "_x_x5f", "\xc3\xa9", "\xc3\xa8", "S001", "S001_x",
	};
	enum { N = sizeof(ids) / sizeof(ids[0]) };
	char node[N][512];
	for (size_t i = 0; i < N; i++) {
		node_id_of(ids[i], node[i], sizeof(node[i]));
		for (size_t j = 0; j < i; j++)
			if (strcmp(node[i], node[j]) == 0)
				fail_msg("ids '%s' and '%s' share node id %s", ids[i], ids[j], node[i]);
	}
	/* Plain ids keep their node ids (positive control): what Home Assistant already knows stays. */
	assert_string_equal(node[6], "energy_bridge_mppt_a_b_c");
	assert_string_equal(node[14], "energy_bridge_mppt_S001");
	assert_string_equal(node[0], "energy_bridge_mppt_a_b_c_x225c");

	/* The longest ids fit whole: two 64-byte ids differing in their last byte stay apart. */
	char a[65], b[65];
	memset(a, '"', 64);
	a[64] = '\0';
	memcpy(b, a, sizeof(a));
	b[63] = ' ';
	char na[512], nb[512];
	node_id_of(a, na, sizeof(na));
	node_id_of(b, nb, sizeof(nb));
	assert_string_not_equal(na, nb);
}

static void test_configured_prefixes_are_used(void **state)
{
	(void)state;
	static const struct ha_discovery_topics custom = {"ha/discovery", "garage/twc", "home/venus", "solar/mppt",
							  "energy-bridge/status", "solar/pms", "solar/inverter"};
	assert_true(ha_discovery_twc_slave(&set, &custom, 0x2433, 0x12AB));
	struct ha_config *configs = check_set("ha/discovery", 11);
	for (size_t i = 0; i < set.count; i++)
		assert_int_equal(strncmp(ha_config_string(&configs[i], "state_topic"), "garage/twc/2433/", 16), 0);
	release_all(configs);
	assert_true(ha_discovery_twc_pool(&set, &custom, 0x12AB, 20));
	configs = check_set("ha/discovery", 9);
	assert_string_equal(ha_config_string(&configs[0], "command_topic"), "garage/twc/config/maxAmpsForSlaves/set");
	release_all(configs);
	assert_true(ha_discovery_venus(&set, &custom, "x", "HMG-50", "b1", true));
	assert_int_equal(strncmp(set.messages[0].topic, "ha/discovery/sensor/energy_bridge_venus_HMG-50_b1/", 50), 0);
	assert_non_null(strstr(ha_discovery_payload(&set, 0), "\"state_topic\":\"home/venus/HMG-50/b1/state\""));
	assert_true(ha_discovery_mppt(&set, &custom, "m1", 1, 1));
	assert_non_null(strstr(ha_discovery_payload(&set, 0), "\"state_topic\":\"solar/mppt/m1\""));
}

static void test_availability_topics(void **state)
{
	(void)state;
	char buf[64];
	assert_true(ha_availability_topic_twc(buf, sizeof(buf), "energy-bridge/status", 0x4085));
	assert_string_equal(buf, "energy-bridge/status/twc/4085");
	assert_true(ha_availability_topic_venus(buf, sizeof(buf), "energy-bridge/status", "HMG-50", "ab12"));
	assert_string_equal(buf, "energy-bridge/status/venus/HMG-50/ab12");
	assert_false(ha_availability_topic_venus(buf, 20, "energy-bridge/status", "HMG-50", "ab12"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wall_connector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_is_a_number_in_master_mode_and_a_sensor_in_monitor_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_venus_battery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mppt_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inverter_and_pms_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_hame_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_that_are_not_node_ids_stay_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_two_ids_share_a_node_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_prefixes_are_used, setup, teardown),
		cmocka_unit_test(test_availability_topics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
