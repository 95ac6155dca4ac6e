/*
 * Home Assistant discovery in a real broker: the TWC simulator's two wall
 * connectors, a client playing a Venus battery (it answers with the vendor
 * document's information reply), and a data logger's MPPT request.
 *
 * A subscriber to homeassistant/# must get a complete set of configs, each
 * valid for its component (ha_schema.h) and retained, and every topic they
 * name must be one the plugin publishes or accepts: every state topic carries
 * data (a JSON one holds every key its templates read), every control reaches
 * the device through the command gate, every availability topic says online,
 * and says offline when the device goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ha_schema.h"
#include "harness.h"
#include "sim.h"
#include "spec_examples.h"

#define VIN_A "5YJ3E1EA2KF317000"
#define VIN_B "5YJSA1E22MF123456"
#define BATTERY "0123456789ab"
#define BATTERY_REPLIES "hame_energy/HMG-50/device/" BATTERY "/ctrl"
#define BATTERY_COMMANDS "hame_energy/HMG-50/App/" BATTERY "/ctrl"
#define VENUS_NODE "energy_bridge_venus_HMG-50_" BATTERY
#define PLUGIN_AVAILABILITY "energy-bridge/status"

/* The linkready burst, the chargers' answers, a tick: both chargers are known by then. */
#define JOIN_MS 10000
/* A car draws current, then the master asks for its VIN in three parts. */
#define VIN_MS 8000
#define CONFIGS_MAX 160
#define TOPICS_MAX 96
#define PAYLOAD_MAX 4096

static const char reply_sample[] = VENUS_REPLY_SAMPLE;

static const char mppt_request[] = MPPT_SPEC_REQUEST;

/* What each device's announcement holds (ha_devices.c); the set is exactly their sum. */
static const struct {
	const char *node_id;
	size_t configs;
} expected_devices[] = {
	{"energy_bridge_twc_pool_7777", 9}, /* the pool, the total, the minimum and energy management's 6 */
	{"energy_bridge_twc_4085", 11},
	{"energy_bridge_twc_2433", 11},
	{VENUS_NODE, 42},
	{"energy_bridge_mppt_IT6415AD-01-001", 26},
};
#define EXPECTED_CONFIGS (9 + 11 + 11 + 42 + 26)

static const char *const twc_leaves[] = {"ampsInUse", "ampsMax", "carsCharging", "currentVehicleVIN",
					 "lastVehicleVIN", "lifetimekWh", "power", "state", "voltagePhaseA",
					 "voltagePhaseB", "voltagePhaseC"};

struct rig {
	struct eb_sim *sim;
	struct eb_broker broker;
	struct eb_client *battery;	/* subscribed to the battery's App topic */
	struct eb_client *logger;	/* user S001, publishes MPPT requests */
	struct eb_client *app;		/* plays Home Assistant: MQTT v5, sees reason codes */
	struct eb_client *avail;	/* subscribed to the availability topics */
};

static struct rig main_rig;
static struct ha_config configs[CONFIGS_MAX];
static size_t config_count;

static struct eb_client *connect_as(const struct rig *r, const char *id, const char *user)
{
	struct eb_client *c = eb_client_simple(r->broker.port, id, user, MQTT_PROTOCOL_V5);
	assert_non_null(c);
	return c;
}

static int rig_start(struct rig *r, const char *options)
{
	memset(r, 0, sizeof(*r));
	r->sim = eb_sim_start(NULL); /* chargers 4085 and 2433 */
	if (!r->sim || eb_sim_command(r->sim, "kwh 4085 159") != 0 || eb_sim_command(r->sim, "kwh 2433 4242") != 0 ||
	    eb_sim_command(r->sim, "volts 4085 243 244 245") != 0 || eb_sim_command(r->sim, "volts 2433 230 0 0") != 0)
		return -1;
	char extra[512];
	snprintf(extra, sizeof(extra),
		 "plugin_opt_twc_port tcp://127.0.0.1:%d\nplugin_opt_ha_discovery on\n"
		 "plugin_opt_venus_command_interval 0\n%s",
		 eb_sim_port(r->sim), options);
	if (eb_broker_start(&r->broker, extra) != 0)
		return -1;
	r->battery = connect_as(r, "battery", "battery");
	r->logger = connect_as(r, "logger-7", "S001");
	r->app = connect_as(r, "home-assistant", "homeassistant");
	r->avail = connect_as(r, "availability", NULL);
	if (eb_client_subscribe(r->battery, BATTERY_COMMANDS, 1) < 0 ||
	    eb_client_subscribe(r->avail, PLUGIN_AVAILABILITY, 1) < 0 ||
	    eb_client_subscribe(r->avail, PLUGIN_AVAILABILITY "/#", 1) < 0)
		return -1;
	return 0;
}

static int rig_stop(struct rig *r)
{
	eb_client_disconnect(r->battery);
	eb_client_disconnect(r->logger);
	eb_client_disconnect(r->app);
	eb_client_disconnect(r->avail);
	int broker = eb_broker_stop(&r->broker);
	int sim = r->sim ? eb_sim_stop(r->sim) : -1;
	return broker == 0 && sim == 0 ? 0 : -1;
}

static int main_rig_start(void **state)
{
	(void)state;
	return rig_start(&main_rig, "");
}

static int main_rig_stop(void **state)
{
	(void)state;
	for (size_t i = 0; i < config_count; i++)
		ha_config_release(&configs[i]);
	return rig_stop(&main_rig);
}

static const struct ha_config *config_of(const char *node_id, const char *object_id)
{
	for (size_t i = 0; i < config_count; i++)
		if (strcmp(configs[i].node_id, node_id) == 0 && strcmp(configs[i].object_id, object_id) == 0)
			return &configs[i];
	fail_msg("no config for %s/%s", node_id, object_id);
	return NULL;
}

/* ---- the set ---- */

static void test_a_complete_valid_discovery_set_retained(void **state)
{
	(void)state;
	struct rig *r = &main_rig;
	struct eb_client *live = connect_as(r, "ha-live", NULL);
	assert_true(eb_client_subscribe(live, "homeassistant/#", 1) >= 0);
	/* The devices show themselves: the chargers join on their own, the battery answers, a logger reports. */
	assert_int_equal(eb_client_publish_str(r->battery, BATTERY_REPLIES, reply_sample, 1), 0);
	assert_int_equal(eb_client_publish_str(r->logger, "dataset/mppt", mppt_request, 1), 0);
	if (!eb_client_drain(live, EXPECTED_CONFIGS, JOIN_MS))
		fail_msg("fewer than %d discovery configs came within %d ms", EXPECTED_CONFIGS, JOIN_MS);
	struct eb_message *extra = eb_client_next(live, 500);
	if (extra)
		fail_msg("a config more than the expected set: %s", extra->topic);
	eb_client_disconnect(live);

	/* A subscriber that comes later (Home Assistant restarting) gets the same set, retained. */
	struct eb_client *late = connect_as(r, "ha-late", NULL);
	assert_true(eb_client_subscribe(late, "homeassistant/#", 1) >= 0);
	while (config_count < EXPECTED_CONFIGS) {
		struct eb_message *m = eb_client_next(late, 2000);
		if (!m)
			fail_msg("a late subscriber got %zu of %d configs", config_count, EXPECTED_CONFIGS);
		char err[256];
		if (!m->retain)
			fail_msg("%s is not retained", m->topic);
		if (!ha_schema_check("homeassistant", m->topic, m->payload, (size_t)m->payloadlen, &configs[config_count],
				     err, sizeof(err)))
			fail_msg("%s: %s\n%s", m->topic, err, (char *)m->payload);
		eb_message_free(m);
		config_count++;
	}
	struct eb_message *more = eb_client_next(late, 300);
	if (more)
		fail_msg("a retained config more than the expected set: %s", more->topic);
	eb_client_disconnect(late);

	for (size_t d = 0; d < sizeof(expected_devices) / sizeof(expected_devices[0]); d++) {
		size_t n = 0;
		for (size_t i = 0; i < config_count; i++)
			n += strcmp(configs[i].node_id, expected_devices[d].node_id) == 0;
		if (n != expected_devices[d].configs)
			fail_msg("%s: %zu configs, expected %zu", expected_devices[d].node_id, n, expected_devices[d].configs);
	}
	for (size_t i = 0; i < config_count; i++)
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(ha_config_string(&configs[i], "unique_id"),
						ha_config_string(&configs[k], "unique_id"));
	/* Every status topic of each charger is shown. */
	for (size_t s = 0; s < 2; s++)
		for (size_t l = 0; l < sizeof(twc_leaves) / sizeof(twc_leaves[0]); l++) {
			char topic[64];
			snprintf(topic, sizeof(topic), "TWC/%s/%s", s ? "2433" : "4085", twc_leaves[l]);
			bool named = false;
			for (size_t i = 0; i < config_count && !named; i++) {
				const char *t = ha_config_string(&configs[i], "state_topic");
				named = t && strcmp(t, topic) == 0;
			}
			if (!named)
				fail_msg("no entity shows %s", topic);
		}
}

/* ---- every state topic carries data ---- */

struct board {
	char topic[TOPICS_MAX][256];
	char *value[TOPICS_MAX];	/* the last non-empty payload, or NULL */
	size_t count;
};

static void board_take(struct board *b, struct eb_message *m)
{
	for (size_t i = 0; i < b->count; i++)
		if (strcmp(b->topic[i], m->topic) == 0 && m->payloadlen > 0) {
			free(b->value[i]);
			b->value[i] = strdup(m->payload);
		}
	eb_message_free(m);
}

static void board_pump(struct board *b, struct eb_client *c, int ms)
{
	int64_t until = eb_now_ms() + ms;
	for (;;) {
		int left = (int)(until - eb_now_ms());
		struct eb_message *m = left > 0 ? eb_client_next(c, left) : NULL;
		if (!m)
			return;
		board_take(b, m);
	}
}

static bool board_has(const struct board *b, const char *topic)
{
	for (size_t i = 0; i < b->count; i++)
		if (strcmp(b->topic[i], topic) == 0)
			return true;
	return false;
}

static const char *board_value(const struct board *b, const char *topic)
{
	for (size_t i = 0; i < b->count; i++)
		if (strcmp(b->topic[i], topic) == 0)
			return b->value[i];
	return NULL;
}

/* Adds topic to the board once; true when it is new. */
static bool board_add(struct board *b, const char *topic)
{
	if (board_has(b, topic))
		return false;
	assert_true(b->count < TOPICS_MAX);
	snprintf(b->topic[b->count], sizeof(b->topic[0]), "%s", topic);
	b->value[b->count++] = NULL;
	return true;
}

/* Pumps until topic holds value (or anything, when value is NULL). */
static void board_expect(struct board *b, struct eb_client *c, const char *topic, const char *value, int ms)
{
	for (int waited = 0; waited <= ms; waited += 100) {
		const char *v = board_value(b, topic);
		if (v && (!value || strcmp(v, value) == 0))
			return;
		board_pump(b, c, 100);
	}
	fail_msg("%s never held %s", topic, value ? value : "data");
}

static void test_every_state_topic_carries_data(void **state)
{
	(void)state;
	struct rig *r = &main_rig;
	assert_int_equal(config_count, EXPECTED_CONFIGS);
	static struct board b;
	struct eb_client *states = connect_as(r, "ha-states", NULL);
	for (size_t i = 0; i < config_count; i++) {
		const char *topic = ha_config_string(&configs[i], "state_topic");
		/* Once each: Mosquitto 2.0.11 leaks a little on every repeated SUBSCRIBE of a filter. */
		if (topic && board_add(&b, topic))
			assert_true(eb_client_subscribe(states, topic, 1) >= 0);
	}
	board_pump(&b, states, 500); /* the retained values */

	/* A car session on each charger, so that both VIN topics have something to say. */
	assert_int_equal(eb_sim_command(r->sim, "plug 4085 " VIN_A), 0);
	assert_int_equal(eb_sim_command(r->sim, "plug 2433 " VIN_B), 0);
	assert_int_equal(eb_sim_command(r->sim, "charge 4085 12"), 0);
	assert_int_equal(eb_sim_command(r->sim, "charge 2433 10"), 0);
	board_expect(&b, states, "TWC/4085/currentVehicleVIN", VIN_A, VIN_MS);
	board_expect(&b, states, "TWC/2433/currentVehicleVIN", VIN_B, VIN_MS);
	assert_int_equal(eb_sim_command(r->sim, "stop 4085"), 0);
	assert_int_equal(eb_sim_command(r->sim, "stop 2433"), 0);
	board_expect(&b, states, "TWC/4085/lastVehicleVIN", VIN_A, VIN_MS);
	board_expect(&b, states, "TWC/2433/lastVehicleVIN", VIN_B, VIN_MS);
	/* MPPT translations are not retained: a new sample. */
	assert_int_equal(eb_client_publish_str(r->logger, "dataset/mppt", mppt_request, 1), 0);
	board_pump(&b, states, 1000);

	for (size_t i = 0; i < b.count; i++)
		if (!b.value[i])
			fail_msg("the state topic %s carried no data", b.topic[i]);
	/* A JSON state holds every key its entities' templates read. */
	size_t paths = 0;
	for (size_t i = 0; i < config_count; i++) {
		char path[64];
		const char *topic = ha_config_string(&configs[i], "state_topic");
		if (!topic || !ha_template_path(ha_config_string(&configs[i], "value_template"), path, sizeof(path)))
			continue;
		cJSON *json = cJSON_Parse(board_value(&b, topic));
		if (!ha_json_at(json, path))
			fail_msg("%s reads %s from %s, which has no such key: %s", configs[i].object_id, path, topic,
				 board_value(&b, topic));
		cJSON_Delete(json);
		paths++;
	}
	assert_true(paths > 60);
	for (size_t i = 0; i < b.count; i++)
		free(b.value[i]);
	eb_client_disconnect(states);
}

/* ---- every availability topic says online ---- */

static void test_every_availability_topic_says_online(void **state)
{
	(void)state;
	struct rig *r = &main_rig;
	static struct board b;
	for (size_t i = 0; i < config_count; i++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(configs[i].json, "availability");
		for (const cJSON *a = list->child; a; a = a->next)
			board_add(&b, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "topic")));
	}
	/* The plugin's, and each charger's (the battery's too needs polling, tested below). */
	assert_int_equal(b.count, 3);
	/* Home Assistant says it is back: the plugin answers with every availability at once. */
	struct eb_message *m;
	while ((m = eb_client_next(r->avail, 200)) != NULL)
		eb_message_free(m);
	assert_int_equal(eb_client_publish_str(r->app, "homeassistant/status", "online", 1), 0);
	for (size_t i = 0; i < b.count; i++)
		board_expect(&b, r->avail, b.topic[i], "online", 1500);
	for (size_t i = 0; i < b.count; i++)
		free(b.value[i]);

	/* Only the plugin speaks there. */
	assert_int_equal(eb_client_publish_str(r->app, PLUGIN_AVAILABILITY, "offline", 1), MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(r->app, PLUGIN_AVAILABILITY "/twc/4085", "offline", 1),
			 MQTT_RC_NOT_AUTHORIZED);
}

/* ---- every control goes through the gate ---- */

/* The battery gets expected, or a command that begins with it when it ends in '=' (the clock). */
static void battery_receives(struct rig *r, const char *expected)
{
	struct eb_message *m = eb_client_next_on(r->battery, BATTERY_COMMANDS, 2000);
	if (!m)
		fail_msg("the battery got nothing, expected %s", expected);
	size_t n = strlen(expected);
	if (expected[n - 1] == '=' ? strncmp(m->payload, expected, n) != 0 : strcmp(m->payload, expected) != 0)
		fail_msg("the battery got %s, expected %s", (char *)m->payload, expected);
	eb_message_free(m);
}

static void test_every_control_reaches_the_device_through_the_gate(void **state)
{
	(void)state;
	struct rig *r = &main_rig;
	const struct ha_config *select = config_of(VENUS_NODE, "working_mode");
	const struct ha_config *toggle = config_of(VENUS_NODE, "backup");
	/* What Home Assistant sends: an option, a number as it prints it, payload_on, payload_press. */
	struct {
		const char *object_id, *payload, *expected;
	} presses[] = {
		{"working_mode", cJSON_GetStringValue(cJSON_GetArrayItem(
					 cJSON_GetObjectItemCaseSensitive(select->json, "options"), 1)), "cd=2,md=1"},
		{"max_charging_power", "800", "cd=16,cp=800"},
		{"max_discharge_power", "600.0", "cd=15,vs=600"},
		{"backup", ha_config_string(toggle, "payload_on"), "cd=11,bc=1"},
		{"refresh", ha_config_string(config_of(VENUS_NODE, "refresh"), "payload_press"), "cd=1"},
		{"sync_time", ha_config_string(config_of(VENUS_NODE, "sync_time"), "payload_press"), "cd=4,yy="},
	};
	for (size_t i = 0; i < sizeof(presses) / sizeof(presses[0]); i++) {
		const char *topic = ha_config_string(config_of(VENUS_NODE, presses[i].object_id), "command_topic");
		int rc = eb_client_publish_str(r->app, topic, presses[i].payload, 1);
		if (rc != 0)
			fail_msg("%s <- %s refused (%d)", topic, presses[i].payload, rc);
		battery_receives(r, presses[i].expected);
	}
	/* Out of the gate's range: refused, and the battery hears nothing. */
	const char *charging = ha_config_string(config_of(VENUS_NODE, "max_charging_power"), "command_topic");
	assert_int_equal(eb_client_publish_str(r->app, charging, "5000", 1), MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(r->battery, 300);
	if (m)
		fail_msg("the battery got %s", (char *)m->payload);

	/* The pool: the number's command changes the value its state topic shows. */
	const struct ha_config *pool = config_of("energy_bridge_twc_pool_7777", "max_amps_for_slaves");
	struct eb_client *watch = connect_as(r, "pool-watch", NULL);
	assert_true(eb_client_subscribe(watch, ha_config_string(pool, "state_topic"), 1) >= 0);
	assert_int_equal(eb_client_publish_str(r->app, ha_config_string(pool, "command_topic"), "20", 1), 0);
	bool changed = false;
	while (!changed && (m = eb_client_next(watch, 3000)) != NULL) {
		changed = strcmp(m->payload, "20") == 0;
		eb_message_free(m);
	}
	assert_true(changed);
	eb_client_disconnect(watch);
}

/* ---- availability follows the devices ---- */

/* Waits for payload on topic, answering the battery's polls while answer is set. */
static void expect_availability(struct rig *r, const char *topic, const char *payload, bool answer, int ms,
				const char *must_not_go_offline)
{
	int64_t until = eb_now_ms() + eb_timeout_ms(ms);
	for (;;) {
		struct eb_message *m = eb_client_next(r->battery, 20);
		if (m && answer && strcmp(m->payload, "cd=1") == 0)
			eb_client_publish_str(r->battery, BATTERY_REPLIES, reply_sample, 0);
		eb_message_free(m);
		while ((m = eb_client_next(r->avail, 20)) != NULL) {
			bool seen = strcmp(m->topic, topic) == 0 && strcmp(m->payload, payload) == 0;
			if (must_not_go_offline && strcmp(m->topic, must_not_go_offline) == 0 &&
			    strcmp(m->payload, "offline") == 0)
				fail_msg("%s went offline", must_not_go_offline);
			eb_message_free(m);
			if (seen)
				return;
		}
		if (eb_now_ms() > until)
			fail_msg("%s did not say %s within %d ms", topic, payload, ms);
	}
}

static void test_availability_follows_the_devices(void **state)
{
	(void)state;
	struct rig r;
	assert_int_equal(rig_start(&r, "plugin_opt_venus_poll_interval 1\nplugin_opt_twc_refresh 1\n"), 0);
	const char *venus = PLUGIN_AVAILABILITY "/venus/HMG-50/" BATTERY;
	expect_availability(&r, PLUGIN_AVAILABILITY "/twc/4085", "online", false, JOIN_MS, NULL);
	expect_availability(&r, PLUGIN_AVAILABILITY "/twc/2433", "online", false, JOIN_MS, NULL);

	/* With polling, a battery that answers is online, and its entities say where to look. */
	assert_int_equal(eb_client_publish_str(r.battery, BATTERY_REPLIES, reply_sample, 1), 0);
	expect_availability(&r, venus, "online", true, 3000, NULL);
	struct eb_client *late = connect_as(&r, "ha-late", NULL);
	assert_true(eb_client_subscribe(late, "homeassistant/sensor/" VENUS_NODE "/soc_percent/config", 1) >= 0);
	struct eb_message *m = eb_client_next(late, 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, venus));
	eb_message_free(m);
	eb_client_disconnect(late);

	/* It stops answering: offline after three poll intervals and the margin. */
	expect_availability(&r, venus, "offline", false, 12000, NULL);
	/* It answers again. */
	expect_availability(&r, venus, "online", true, 4000, NULL);

	/* A charger falls silent: gone after 26 s, offline once its topics stop; the other stays. */
	assert_int_equal(eb_sim_command(r.sim, "silence 2433 on"), 0);
	expect_availability(&r, PLUGIN_AVAILABILITY "/twc/2433", "offline", true, 45000,
			    PLUGIN_AVAILABILITY "/twc/4085");
	assert_int_equal(eb_sim_command(r.sim, "silence 2433 off"), 0);
	expect_availability(&r, PLUGIN_AVAILABILITY "/twc/2433", "online", true, 30000,
			    PLUGIN_AVAILABILITY "/twc/4085");
	assert_int_equal(rig_stop(&r), 0);
}

static void test_discovery_is_off_by_default(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, ""), 0);
	struct eb_client *c = eb_client_simple(b.port, "watch", NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(c, "homeassistant/#", 1) >= 0);
	assert_true(eb_client_subscribe(c, PLUGIN_AVAILABILITY "/#", 1) >= 0);
	struct eb_client *logger = eb_client_simple(b.port, "logger", "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", mppt_request, 1), 0);
	/* The availability topic is the plugin's whether discovery is on or not: nobody forges it. */
	assert_int_equal(eb_client_publish_str(logger, PLUGIN_AVAILABILITY, "online", 1), MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(logger, PLUGIN_AVAILABILITY "/venus/HMG-50/x", "online", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	/* With discovery off, configs under the prefix are anyone's (to clear old ones, say). */
	assert_int_equal(eb_client_publish_str(logger, "homeassistant/sensor/energy_bridge_mppt_X/pv_power/config", "", 1),
			 0);
	struct eb_message *m = eb_client_next(c, 500);
	assert_non_null(m);
	assert_string_equal(m->topic, "homeassistant/sensor/energy_bridge_mppt_X/pv_power/config");
	eb_message_free(m);
	m = eb_client_next(c, 500);
	if (m)
		fail_msg("discovery is off, yet %s came", m->topic);
	eb_client_disconnect(logger);
	eb_client_disconnect(c);
	assert_int_equal(eb_broker_stop(&b), 0);

	int status;
	char *log = eb_broker_run_to_exit("plugin_opt_ha_prefix home/#\n", &status);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(log, "option plugin_opt_ha_prefix: expected a topic without wildcards"));
	free(log);
	log = eb_broker_run_to_exit("plugin_opt_ha_discovery maybe\n", &status);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(log, "option plugin_opt_ha_discovery: expected on or off"));
	free(log);
	log = eb_broker_run_to_exit("plugin_opt_ha_prefix venus/ha\n", &status);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(log, "plugin_opt_ha_prefix: expected topics that do not contain one another"));
	free(log);
	/*
	 * Availability runs on the broker's timer, which 2.0.0 to 2.0.14 never
	 * call for a listener's plugin: refused there, accepted from 2.0.15 on.
	 */
	eb_broker_config_head("per_listener_settings true");
	if (!eb_broker_ticks_listener_plugins()) {
		log = eb_broker_run_to_exit("plugin_opt_ha_discovery on\n", &status);
		assert_int_not_equal(status, 0);
		assert_non_null(strstr(log, "plugin_opt_ha_discovery needs per_listener_settings false"));
		free(log);
	} else {
		struct eb_broker listener_b;
		assert_int_equal(eb_broker_start(&listener_b, "plugin_opt_ha_discovery on\n"), 0);
		eb_broker_stop(&listener_b);
	}
	eb_broker_config_head(NULL);
}

/* An MPPT request with one sample for each of the n ids (JSON-escaped already). */
static char *request_for_ids(const char *const *ids, size_t n)
{
	char *req = malloc(n * 400 + 32), *p = req;
	p += sprintf(p, "{\"datasets\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s{\"mppt_id\":\"%s\",\"data\":[{\"time_local\":\"20200101T000000\","
				"\"pv\":{\"volts\":[1],\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},"
				"\"load\":{\"volts\":[1],\"amps\":[1]}}]}",
			     i ? "," : "", ids[i]);
	sprintf(p, "]}");
	return req;
}

/* True when a config of node_id arrives on c within ms (others are discarded). */
static bool announced(struct eb_client *c, const char *node_id, int ms)
{
	char part[256];
	snprintf(part, sizeof(part), "/%s/", node_id);
	struct eb_message *m;
	bool seen = false;
	while (!seen && (m = eb_client_next(c, ms)) != NULL) {
		seen = strstr(m->topic, part) != NULL;
		eb_message_free(m);
	}
	return seen;
}

/*
 * What an adversary with a logger's rights tries: inventing 64 controllers
 * (it used to fill the table, so no real controller was announced until a
 * restart), ids whose node ids used to collide (a_b_c_d573791d was the
 * sanitised form of a"b\c), and forging the plugin's configs.
 */
static void test_invented_devices_cannot_crowd_out_or_overwrite_real_ones(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, "plugin_opt_ha_discovery on\nplugin_opt_stats_interval 1\n"), 0);
	struct eb_client *watch = eb_client_simple(b.port, "watch", NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(watch, "homeassistant/#", 1) >= 0);
	struct eb_client *stats = eb_client_simple(b.port, "stats", NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(stats, "energy-bridge/stats", 0) >= 0);

	struct eb_client *attacker = eb_client_simple(b.port, "attacker", "S666", MQTT_PROTOCOL_V5);
	static char names[64][16];
	const char *ids[64];
	for (size_t i = 0; i < 64; i++) {
		snprintf(names[i], sizeof(names[i]), "FAKE-%02zu", i);
		ids[i] = names[i];
	}
	char *req = request_for_ids(ids, 64);
	assert_int_equal(eb_client_publish_str(attacker, "dataset/mppt", req, 1), 0);
	free(req);
	/* The attacker's share is announced (positive control), the rest is not. */
	if (!announced(watch, "energy_bridge_mppt_FAKE-00", 2000))
		fail_msg("the first invented controller was not announced");
	struct eb_message *m;
	while ((m = eb_client_next(watch, 300)) != NULL)
		eb_message_free(m);

	/* A real controller of another logger is still announced. */
	struct eb_client *logger = eb_client_simple(b.port, "logger-1", "S001", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", mppt_request, 1), 0);
	if (!announced(watch, "energy_bridge_mppt_IT6415AD-01-001", 2000))
		fail_msg("a real controller was not announced after another logger invented 64");

	/* Two ids that used to share a node id each get their own configs. */
	const char *const pair[] = {"a_b_c_d573791d", "a\\\"b\\\\c"};
	req = request_for_ids(pair, 2);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", req, 1), 0);
	free(req);
	bool plain = false, encoded = false;
	while ((m = eb_client_next(watch, 500)) != NULL) {
		plain |= strstr(m->topic, "/energy_bridge_mppt_a_b_c_d573791d/") != NULL;
		encoded |= strstr(m->topic, "/energy_bridge_mppt_a_b_c_x225c/") != NULL;
		eb_message_free(m);
	}
	assert_true(plain && encoded);

	/* Nobody writes the plugin's configs, not even over an invented node; other configs pass. */
	assert_int_equal(eb_client_publish(logger, "homeassistant/sensor/energy_bridge_mppt_IT6415AD-01-001/pv_power/config",
					   "{}", 2, 1, true, NULL),
			 MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(logger, "homeassistant/sensor/energy_bridge_mppt_new/x/config", "{}", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(logger, "homeassistant/light/kitchen/config", "{}", 1), 0);
	assert_int_equal(eb_client_publish_str(logger, "homeassistant/status", "online", 1), 0);

	/* The stats count what was not announced. */
	bool counted = false;
	for (int i = 0; i < 4 && !counted && (m = eb_client_next(stats, 1500)) != NULL; i++) {
		counted = strstr(m->payload, "\"devices_not_announced\":48") != NULL;
		if (!counted && i == 3)
			fail_msg("stats: %s", (char *)m->payload);
		eb_message_free(m);
	}
	assert_true(counted);
	eb_client_disconnect(logger);
	eb_client_disconnect(attacker);
	eb_client_disconnect(stats);
	eb_client_disconnect(watch);
	assert_int_equal(eb_broker_stop(&b), 0);
}

int main(void)
{
	const struct CMUnitTest with_main_rig[] = {
		cmocka_unit_test(test_a_complete_valid_discovery_set_retained),
		cmocka_unit_test(test_every_state_topic_carries_data),
		cmocka_unit_test(test_every_availability_topic_says_online),
		cmocka_unit_test(test_every_control_reaches_the_device_through_the_gate),
	};
	const struct CMUnitTest on_their_own[] = {
		cmocka_unit_test(test_availability_follows_the_devices),
		cmocka_unit_test(test_discovery_is_off_by_default),
		cmocka_unit_test(test_invented_devices_cannot_crowd_out_or_overwrite_real_ones),
	};
	int failed = cmocka_run_group_tests(with_main_rig, main_rig_start, main_rig_stop);
	return failed + cmocka_run_group_tests(on_their_own, NULL, NULL);
}
