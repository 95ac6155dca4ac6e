/*
 * Access control of the shipped configuration (access_rig.h): nobody gets in
 * anonymously, each role may do what it needs and nothing else, nobody forges
 * what the plugin publishes (by a publish, a retained publish or a will), and
 * only admins send dangerous Venus commands.
 *
 * Each protection is tested where it alone decides: the acl_file's rules on
 * the broker without the plugin (bare), the plugin's own refusals with a user
 * whom the acl_file lets write everywhere (the admin) on prod.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_rig.h"

#define QUIET_MS 300 /* how long "nothing more arrives" is watched */

static struct access_rig rig;
static struct eb_client *watch;	 /* alice on prod, subscribed to everything */
static struct eb_client *battery1; /* on prod, subscribed to its App topic */
static struct eb_client *battery2;

static const char mppt_request[] =
	"{\"datasets\": [{\"mppt\": {\"id\": \"IT6415AD-01-001\"}, \"data\": [{\"time_local\": "
	"\"20190209T150006.032+0700\", \"pv\": {\"volts\": [48.0], \"amps\": [6.0]}, \"battery\": {\"volts\": 55.1, "
	"\"amps\": 0.0}, \"load\": {\"volts\": [48.0], \"amps\": [1.2]}, \"status\": \"1A79\"}]}]}";

static const char info_reply[] = "tot_i=44785,tot_o=36889,grd_t=3,cel_c=27,wor_m=1,mcp_w=2500,mdp_w=800";

static const char *const dangerous[] = {"cd=5,rs=1", "cd=9,ot=1", "cd=20,le=27,url=http://fw.example/fc41d.bin"};

/* ---- helpers ---- */

static struct eb_client *connect_to(int port, const char *user)
{
	static int n;
	char id[64];
	snprintf(id, sizeof(id), "%s-%d", user, ++n);
	int reason = 0;
	struct eb_client *c = access_connect(port, user, id, NULL, &reason);
	if (!c)
		fail_msg("%s could not connect (reason %d)", user, reason);
	return c;
}

static struct eb_client *prod_as(const char *user)
{
	return connect_to(rig.prod.port, user);
}

static struct eb_client *bare_as(const char *user)
{
	return connect_to(rig.bare.port, user);
}

static void subscribe(struct eb_client *c, const char *filter)
{
	int granted = eb_client_subscribe(c, filter, 1);
	if (granted < 0 || granted >= 0x80)
		fail_msg("subscribing to %s: %d", filter, granted);
}

static int publish(struct eb_client *c, const char *topic, const char *payload, bool retain)
{
	return eb_client_publish(c, topic, payload, (int)strlen(payload), 1, retain, NULL);
}

static void published(struct eb_client *c, const char *topic, const char *payload)
{
	int rc = publish(c, topic, payload, false);
	if (rc != 0)
		fail_msg("publishing %s to %s: refused (%d)", payload, topic, rc);
}

static void refused(struct eb_client *c, const char *who, const char *topic, const char *payload, bool retain)
{
	int rc = publish(c, topic, payload, retain);
	if (rc != MQTT_RC_NOT_AUTHORIZED)
		fail_msg("%s publishing %s%s to %s: expected 0x87, got %d", who, retain ? "(retained) " : "", payload,
			 topic, rc);
}

/* The next message on topic must contain fragment (an empty fragment: any message). */
static void receives(struct eb_client *c, const char *who, const char *topic, const char *fragment)
{
	struct eb_message *m = eb_client_next_on(c, topic, 3000);
	if (!m) {
		fail_msg("%s got nothing on %s", who, topic);
		return; /* not reached: fail_msg ends the test */
	}
	if (fragment[0] != '\0' && !strstr(m->payload, fragment))
		fail_msg("%s got '%s' on %s, expected '%s' in it", who, (char *)m->payload, topic, fragment);
	eb_message_free(m);
}

/* Nothing whose payload starts with prefix arrives within QUIET_MS (others are discarded). */
static void nothing_from(struct eb_client *c, const char *who, const char *prefix)
{
	struct eb_message *m;
	while ((m = eb_client_next(c, QUIET_MS)) != NULL) {
		if (eb_starts_with(m->payload, prefix))
			fail_msg("%s got '%s' on %s%s", who, (char *)m->payload, m->topic, m->retain ? " (retained)" : "");
		eb_message_free(m);
	}
}

static void nothing_at_all(struct eb_client *c, const char *who)
{
	nothing_from(c, who, "");
}

/* Connects as user with a will, then drops the connection so that the broker sends it. */
static void will_and_drop(int port, const char *user, const char *topic, const char *payload, bool retain)
{
	char password[80];
	snprintf(password, sizeof(password), "pw-%s", user);
	struct eb_client_options o = {
		.username = user,
		.password = password,
		.protocol = MQTT_PROTOCOL_V5,
		.will_topic = topic,
		.will_payload = payload,
		.will_retain = retain,
	};
	/* Refusing the connection would protect as well; Mosquitto 2.0.11 accepts it and drops the will. */
	struct eb_client *c = eb_client_connect(port, &o, NULL);
	eb_client_drop(c);
}

/* The next message on topic, skipping others, is payload, retained or not as said. */
static void receives_exactly(struct eb_client *c, const char *who, const char *topic, const char *payload,
			     bool retained)
{
	struct eb_message *m = eb_client_next_on(c, topic, 3000);
	if (!m)
		fail_msg("%s got nothing on %s, expected '%s'", who, topic, payload);
	if (strcmp(m->payload, payload) != 0 || m->retain != retained)
		fail_msg("%s got '%s'%s on %s, expected '%s'%s", who, (char *)m->payload, m->retain ? " (retained)" : "",
			 topic, payload, retained ? " (retained)" : "");
	eb_message_free(m);
}

/*
 * The positive control of a will that must not arrive: user's retained will
 * on a topic it may write does arrive, to a subscriber and then as the
 * retained message of a new one, so that a will that does not arrive was
 * refused, not left unsent. An empty retained will clears it again.
 */
static void allowed_will_arrives(int port, const char *user, const char *topic)
{
	char payload[96];
	snprintf(payload, sizeof(payload), "allowed will of %s", user);
	struct eb_client *reader = connect_to(port, "alice");
	subscribe(reader, topic);
	will_and_drop(port, user, topic, payload, true);
	receives_exactly(reader, "a subscriber", topic, payload, false);
	eb_client_disconnect(reader);
	reader = connect_to(port, "alice");
	subscribe(reader, topic);
	receives_exactly(reader, "a new subscriber", topic, payload, true);
	eb_client_disconnect(reader);
	will_and_drop(port, user, topic, "", true);
}

/* Nothing arrives on topic within QUIET_MS (other topics are discarded). */
static void nothing_on(struct eb_client *c, const char *who, const char *topic)
{
	struct eb_message *m;
	while ((m = eb_client_next(c, QUIET_MS)) != NULL) {
		if (strcmp(m->topic, topic) == 0)
			fail_msg("%s got '%s' on %s", who, (char *)m->payload, m->topic);
		eb_message_free(m);
	}
}

/* Whatever is retained on the topics must not start with prefix (a fresh admin subscriber looks). */
static void nothing_retained(int port, const char *const *topics, size_t n, const char *prefix)
{
	struct eb_client *c = connect_to(port, "alice");
	for (size_t i = 0; i < n; i++)
		subscribe(c, topics[i]);
	nothing_from(c, "a new subscriber", prefix);
	eb_client_disconnect(c);
}

/* The App topic and a state topic of a battery known at run time (static buffers: use at once). */
static const char *app_topic_of(const char *id)
{
	static char topic[128];
	snprintf(topic, sizeof(topic), "hame_energy/HMG-50/App/%s/ctrl", id);
	return topic;
}

static const char *state_topic_of(const char *id, const char *leaf)
{
	static char topic[128];
	snprintf(topic, sizeof(topic), "venus/HMG-50/%s/%s", id, leaf);
	return topic;
}

/* ---- setup ---- */

static int start_rig(void **state)
{
	(void)state;
	if (access_rig_start(&rig) != 0)
		return -1;
	watch = prod_as("alice");
	battery1 = prod_as("battery1");
	battery2 = prod_as("battery2");
	subscribe(watch, "#");
	subscribe(battery1, APP_TOPIC(MINE));
	subscribe(battery2, APP_TOPIC(THEIRS));
	return 0;
}

static int stop_rig(void **state)
{
	(void)state;
	eb_client_disconnect(watch);
	eb_client_disconnect(battery1);
	eb_client_disconnect(battery2);
	return access_rig_stop(&rig);
}

/* ---- who gets in ---- */

static void test_anonymous_and_unknown_clients_are_refused(void **state)
{
	(void)state;
	int reason = 0;
	struct eb_client_options anonymous311 = {.protocol = MQTT_PROTOCOL_V311};
	assert_null(eb_client_connect(rig.prod.port, &anonymous311, &reason));
	assert_int_equal(reason, CONNACK_REFUSED_NOT_AUTHORIZED);
	assert_null(access_connect(rig.prod.port, NULL, NULL, NULL, &reason));
	assert_int_equal(reason, MQTT_RC_NOT_AUTHORIZED);
	assert_null(access_connect(rig.prod_tls_port, NULL, NULL, rig.cafile, &reason));
	assert_int_equal(reason, MQTT_RC_NOT_AUTHORIZED);

	/* Mosquitto 2.0.11 answers a wrong password and an unknown user with "not authorized" too. */
	struct eb_client_options wrong = {.username = "phone", .password = "pw-neighbour", .protocol = MQTT_PROTOCOL_V5};
	assert_null(eb_client_connect(rig.prod.port, &wrong, &reason));
	assert_int_equal(reason, MQTT_RC_NOT_AUTHORIZED);
	assert_null(access_connect(rig.prod.port, "mallory", NULL, NULL, &reason));
	assert_int_equal(reason, MQTT_RC_NOT_AUTHORIZED);
}

static void test_tls_listener_carries_sessions_for_clients_that_trust_its_ca(void **state)
{
	(void)state;
	int reason = 0;
	struct eb_client *panel = access_connect(rig.prod_tls_port, "panel", "panel-tls", rig.cafile, &reason);
	if (!panel)
		fail_msg("TLS connection refused (reason %d)", reason);
	subscribe(panel, "TWC/#");
	/* The pool value the plugin keeps retained arrives over TLS. */
	receives(panel, "panel over TLS", "TWC/config/maxAmpsForSlaves", "");
	eb_client_disconnect(panel);

	/* A client that does not trust the certificate, and plain MQTT on the TLS port, get nowhere. */
	assert_null(access_connect(rig.prod_tls_port, "panel", NULL, rig.other_cafile, &reason));
	assert_int_equal(reason, -1);
	assert_null(access_connect(rig.prod_tls_port, "panel", NULL, NULL, &reason));
	assert_int_equal(reason, -1);
}

/* ---- each role at work (prod) ---- */

static void test_logger_request_is_translated_and_answered(void **state)
{
	(void)state;
	struct eb_client *logger = prod_as("S001");
	struct eb_client *panel = prod_as("panel");
	subscribe(panel, "monitoring.mppt/#");
	subscribe(panel, "dataset/mppt/errors");

	/* The response reaches the logger although it may read nothing: the plugin sends it to it alone. */
	mosquitto_property *props = NULL;
	mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, "loggers/S001/response");
	assert_int_equal(eb_client_publish(logger, "dataset/mppt", mppt_request, (int)strlen(mppt_request), 1, false,
					   props),
			 0);
	receives(logger, "S001", "loggers/S001/response", "{\"status\":200");
	receives(panel, "panel", "monitoring.mppt/IT6415AD-01-001", "\"sender\":\"S001\"");

	refused(logger, "S001", "dataset/mppt", "{}", false);
	receives(panel, "panel", "dataset/mppt/errors", "\"sender\":\"S001\"");
	eb_client_disconnect(panel);
	eb_client_disconnect(logger);
}

static void test_battery_and_app_exchange_commands_replies_and_state(void **state)
{
	(void)state;
	struct eb_client *phone = prod_as("phone");
	struct eb_client *phone_raw = prod_as("phone"); /* the raw replies, apart from the state */
	struct eb_client *panel = prod_as("panel");
	subscribe(phone, STATE_PREFIX(MINE) "#");
	subscribe(phone_raw, DEVICE_TOPIC(MINE));
	subscribe(panel, "venus/+/+/state");
	subscribe(panel, "TWC/config/#");

	published(phone, APP_TOPIC(MINE), "cd=1");
	receives(battery1, "battery1", APP_TOPIC(MINE), "cd=1");
	published(battery1, DEVICE_TOPIC(MINE), info_reply);
	receives(phone_raw, "phone", DEVICE_TOPIC(MINE), info_reply);
	receives(phone, "phone", STATE_PREFIX(MINE) "state", "\"soc_percent\":27");
	receives(panel, "panel", STATE_PREFIX(MINE) "state", "\"soc_percent\":27");

	published(phone, STATE_PREFIX(MINE) "set/working_mode", "manual");
	receives(battery1, "battery1", APP_TOPIC(MINE), "cd=2,md=1");

	published(phone, "TWC/config/maxAmpsForSlaves/set", "20");
	struct eb_message *m;
	while ((m = eb_client_next_on(panel, "TWC/config/maxAmpsForSlaves", 3000)) && strcmp(m->payload, "20") != 0)
		eb_message_free(m); /* the retained value from before comes first */
	if (!m)
		fail_msg("the pool change of phone did not reach panel");
	eb_message_free(m);
	eb_client_disconnect(panel);
	eb_client_disconnect(phone_raw);
	eb_client_disconnect(phone);
}

/* ---- dangerous Venus commands ---- */

static void test_admin_sends_dangerous_commands_and_reads_sys(void **state)
{
	(void)state;
	struct eb_client *alice = prod_as("alice");
	for (size_t i = 0; i < sizeof(dangerous) / sizeof(dangerous[0]); i++) {
		/* A battery of its own per command: the rate limit is per battery. */
		char topic[128];
		snprintf(topic, sizeof(topic), "hame_energy/HMG-50/App/admin%zu/ctrl", i);
		published(alice, topic, dangerous[i]);
		receives(watch, "the admin watching", topic, dangerous[i]);
	}
	subscribe(alice, "$SYS/broker/version");
	receives(alice, "alice", "$SYS/broker/version", "mosquitto");
	eb_client_disconnect(alice);
}

static void test_dangerous_commands_are_refused_for_every_other_user(void **state)
{
	(void)state;
	/* Who else could send one, and the battery each controls (whose App topic the acl_file lets it write). */
	static const struct {
		const char *user, *controls;
	} others[] = {
		{"panel", NULL},  {"S001", NULL},	  {"battery1", NULL}, {"battery2", NULL},
		{"phone", MINE}, {"neighbour", THEIRS}, {"tablet", WILLED},
	};
	static const char *const batteries[] = {MINE, THEIRS};
	struct eb_client *errors = prod_as("alice");
	subscribe(errors, "venus/+/+/error");
	for (size_t u = 0; u < sizeof(others) / sizeof(others[0]); u++) {
		struct eb_client *c = prod_as(others[u].user);
		for (size_t i = 0; i < sizeof(dangerous) / sizeof(dangerous[0]); i++)
			for (size_t b = 0; b < 2; b++)
				for (int retain = 0; retain < 2; retain++) {
					refused(c, others[u].user, app_topic_of(batteries[b]), dangerous[i], retain);
					/*
					 * Where the acl_file lets the user write, the plugin must refuse for
					 * the right reason: a refusal for sending too fast would hide an
					 * admin right that should not be there.
					 */
					if (others[u].controls && strcmp(others[u].controls, batteries[b]) == 0 && !retain)
						receives(c, others[u].user, state_topic_of(batteries[b], "error"),
							 "is dangerous");
				}
		eb_client_disconnect(c);
	}
	/* The guard refuses in the ACL check, before the acl_file: its reports go to the sender alone. */
	nothing_at_all(errors, "alice watching the error topics");
	eb_client_disconnect(errors);
	nothing_at_all(battery1, "battery1");
	nothing_at_all(battery2, "battery2");
	static const char *const commands[] = {APP_TOPIC(MINE), APP_TOPIC(THEIRS)};
	nothing_retained(rig.prod.port, commands, 2, "cd=");
}

/*
 * A will is not a publish: it never passes the plugin's command check (the
 * MESSAGE callback), and a retained one is replayed to the battery each time
 * it subscribes. So no will on a command topic reaches the battery, however
 * valid, and its refusal tells nobody else anything. The app's own battery
 * and app are this test's alone.
 */
static void test_a_will_cannot_carry_a_dangerous_command(void **state)
{
	(void)state;
	/* The positive control: without the plugin, tablet's will reaches the battery (the acl_file allows it). */
	struct eb_client *bare_battery3 = bare_as("battery3");
	subscribe(bare_battery3, APP_TOPIC(WILLED));
	will_and_drop(rig.bare.port, "tablet", APP_TOPIC(WILLED), "cd=1", false);
	receives_exactly(bare_battery3, "battery3 on the bare broker", APP_TOPIC(WILLED), "cd=1", false);
	eb_client_disconnect(bare_battery3);

	struct eb_client *battery3 = prod_as("battery3");
	struct eb_client *errors = prod_as("alice");
	subscribe(battery3, APP_TOPIC(WILLED));
	subscribe(errors, STATE_PREFIX(WILLED) "error");
	will_and_drop(rig.prod.port, "tablet", APP_TOPIC(WILLED), "cd=1", false);
	nothing_at_all(battery3, "battery3 (from tablet's will with a read)");
	for (int retain = 0; retain < 2; retain++) {
		will_and_drop(rig.prod.port, "tablet", APP_TOPIC(WILLED), "cd=5,rs=1", retain);
		nothing_at_all(battery3, retain ? "battery3 (from tablet's retained will)" : "battery3 (from tablet's will)");
	}
	nothing_at_all(errors, "the admin (the ACL check tells nobody)");
	eb_client_disconnect(errors);
	eb_client_disconnect(battery3);

	battery3 = prod_as("battery3");
	subscribe(battery3, APP_TOPIC(WILLED));
	nothing_at_all(battery3, "battery3 (retained, on subscribing again)");
	eb_client_disconnect(battery3);
}

/*
 * Nor a valid setting (it would skip the rate limit and the normalisation),
 * nor a friendly command or the pool's set topic (they would reach
 * subscribers as plain messages and never be applied): a command has no
 * business in a will. The same commands published are delivered (control).
 */
static void test_no_will_carries_any_command(void **state)
{
	(void)state;
	struct eb_client *battery3 = prod_as("battery3");
	subscribe(battery3, APP_TOPIC(WILLED));
	will_and_drop(rig.prod.port, "tablet", APP_TOPIC(WILLED), "cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=1,as=0",
			 false);
	nothing_at_all(battery3, "battery3 (from tablet's setting will)");
	will_and_drop(rig.prod.port, "tablet", STATE_PREFIX(WILLED) "set/max_charging_power", "1234", false);
	nothing_on(watch, "alice (tablet's friendly will)", STATE_PREFIX(WILLED) "set/max_charging_power");
	nothing_at_all(battery3, "battery3 (from tablet's friendly will)");
	will_and_drop(rig.prod.port, "phone", "TWC/config/maxAmpsForSlaves/set", "7", false);
	nothing_on(watch, "alice (phone's pool will)", "TWC/config/maxAmpsForSlaves/set");

	/* Controls: without the plugin the same friendly will arrives; published, the setting is delivered. */
	struct eb_client *bare_watch = bare_as("alice");
	subscribe(bare_watch, STATE_PREFIX(WILLED) "set/max_charging_power");
	will_and_drop(rig.bare.port, "tablet", STATE_PREFIX(WILLED) "set/max_charging_power", "1234", false);
	receives_exactly(bare_watch, "alice on the bare broker", STATE_PREFIX(WILLED) "set/max_charging_power", "1234",
			 false);
	eb_client_disconnect(bare_watch);
	struct eb_client *tablet = prod_as("tablet");
	published(tablet, APP_TOPIC(WILLED), "cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=1,as=0");
	receives(battery3, "battery3", APP_TOPIC(WILLED), "bt=08:30");
	eb_client_disconnect(tablet);
	eb_client_disconnect(battery3);
}

/*
 * The guard's ACL check runs before the acl_file: it must leave no trace that
 * others see, or a dashboard without write rights could post text of its
 * choosing on a battery's error topic. Its sender alone hears of a refusal.
 */
static void test_a_refusal_in_the_acl_check_is_told_to_the_sender_alone(void **state)
{
	(void)state;
	struct eb_client *errors = prod_as("alice");
	subscribe(errors, "venus/+/+/error");
	struct eb_client *panel = prod_as("panel");
	refused(panel, "panel", APP_TOPIC(MINE), "Battery failure: call 0900-SCAM now", false);
	refused(panel, "panel", APP_TOPIC(THEIRS), "cd=5,rs=1", false);
	/* Positive control: the phone, which may write there, gets its own report. */
	struct eb_client *phone = prod_as("phone");
	refused(phone, "phone", APP_TOPIC(MINE), "cd=16,cp=5000", false);
	receives(phone, "phone", STATE_PREFIX(MINE) "error", "cp must be within 300..2500");
	nothing_at_all(errors, "alice watching the error topics");
	eb_client_disconnect(phone);
	eb_client_disconnect(panel);
	eb_client_disconnect(errors);
	nothing_at_all(battery1, "battery1");
	nothing_at_all(battery2, "battery2");
}

/* ---- forging what the plugin publishes ---- */

static const char *const plugin_topics[] = {
	"monitoring.mppt/IT6415AD-01-001", "dataset/mppt/errors", STATE_PREFIX(MINE) "state",
	STATE_PREFIX(MINE) "reply",	   "TWC/4085/state",	 "energy-bridge/status",
};
#define PLUGIN_TOPIC_COUNT (sizeof(plugin_topics) / sizeof(plugin_topics[0]))

/*
 * The roles that try, each with a topic it may write that the plugin leaves
 * to the acl_file: there its retained will arrives, the positive control of
 * the forged ones (a dashboard may write nowhere, so it has none).
 */
static const struct {
	const char *user, *writes;
} roles[] = {
	{"alice", "home/kitchen/light"},
	{"panel", NULL},
	{"S001", "dataset/mppt"},
	{"hass", "homeassistant/status"},
	{"battery1", DEVICE_TOPIC(MINE)},
	{"phone", STATE_PREFIX(MINE) "set/working_mode"},
};
#define ROLES (sizeof(roles) / sizeof(roles[0]))

/* Each role from the first one on tries every plugin topic by a publish, a retained publish and a will. */
static void forge_by_every_route(int port, size_t first_role)
{
	for (size_t u = first_role; u < ROLES; u++) {
		const char *user = roles[u].user;
		struct eb_client *c = connect_to(port, user);
		for (size_t t = 0; t < PLUGIN_TOPIC_COUNT; t++) {
			char payload[160];
			snprintf(payload, sizeof(payload), "forged by %s", user);
			refused(c, user, plugin_topics[t], payload, false);
			refused(c, user, plugin_topics[t], payload, true);
			snprintf(payload, sizeof(payload), "forged by the will of %s", user);
			will_and_drop(port, user, plugin_topics[t], payload, true);
		}
		eb_client_disconnect(c);
		/* With the plugin, no will reaches a command topic (test_no_will_carries_any_command). */
		bool command_topic = strstr(roles[u].writes ? roles[u].writes : "", "/set/") != NULL;
		if (roles[u].writes && !(port == rig.prod.port && command_topic))
			allowed_will_arrives(port, user, roles[u].writes);
	}
}

/* Every route, every user (admins included, whom only the plugin stops) on prod. */
static void test_nobody_forges_plugin_topics_by_publish_retain_or_will(void **state)
{
	(void)state;
	forge_by_every_route(rig.prod.port, 0);
	nothing_from(watch, "the admin watching", "forged");
	nothing_retained(rig.prod.port, plugin_topics, PLUGIN_TOPIC_COUNT, "forged");
}

/* The acl_file alone (no plugin) already stops every role but admin, by each route. */
static void test_acl_file_alone_stops_forging_by_every_other_role(void **state)
{
	(void)state;
	struct eb_client *bare_watch = bare_as("alice");
	subscribe(bare_watch, "#");
	forge_by_every_route(rig.bare.port, 1);
	nothing_from(bare_watch, "the admin watching the bare broker", "forged");
	nothing_retained(rig.bare.port, plugin_topics, PLUGIN_TOPIC_COUNT, "forged");
	eb_client_disconnect(bare_watch);
}

/* ---- the role boundaries of the acl_file (bare: nothing else decides) ---- */

static const char *const everyone[] = {"alice", "panel", "S001", "hass", "battery1", "battery2", "phone", "neighbour"};
#define EVERYONE (sizeof(everyone) / sizeof(everyone[0]))

/* Who may read and who may write each topic; every other user must be refused. */
static const struct {
	const char *topic, *readers, *writers;
} boundaries[] = {
	{"dataset/mppt", "alice", "alice S001"},
	{"dataset/mppt/errors", "alice panel", "alice"},
	{"monitoring.mppt/IT6415AD-01-001", "alice panel hass", "alice"},
	{APP_TOPIC(MINE), "alice battery1", "alice phone"},
	{DEVICE_TOPIC(MINE), "alice phone", "alice battery1"},
	{"marstek_energy/HMG-50/App/" MINE "/ctrl", "alice", "alice"},
	{"hame_energy/HMG-51/device/" MINE "/ctrl", "alice", "alice"},
	{APP_TOPIC(THEIRS), "alice battery2", "alice neighbour"},
	{DEVICE_TOPIC(THEIRS), "alice neighbour", "alice battery2"},
	{STATE_PREFIX(MINE) "state", "alice panel hass phone", "alice"},
	{STATE_PREFIX(MINE) "reply", "alice panel phone", "alice"},
	{STATE_PREFIX(MINE) "error", "alice panel phone", "alice"},
	{STATE_PREFIX(MINE) "set/working_mode", "alice phone", "alice hass phone"},
	{STATE_PREFIX(MINE) "set/time_period/3", "alice phone", "alice hass phone"},
	{STATE_PREFIX(THEIRS) "state", "alice panel hass neighbour", "alice"},
	{STATE_PREFIX(THEIRS) "set/working_mode", "alice neighbour", "alice hass neighbour"},
	{"TWC/4085/state", "alice panel hass phone", "alice"},
	{"TWC/config/maxAmpsForSlaves/set", "alice panel hass phone", "alice hass phone"},
	{"TWC/energy/mode/set", "alice panel hass phone", "alice hass phone"},
	{"TWC/energy/chargeNow/set", "alice panel hass phone", "alice hass phone"},
	{"TWC/energy/status", "alice panel hass phone", "alice"},
	{"energy-bridge/stats", "alice panel hass", "alice"},
	{"energy-bridge/status", "alice panel hass", "alice"},
	{"homeassistant/status", "alice hass", "alice hass"},
	{"homeassistant/sensor/energy_bridge_mppt_S001/pv_power/config", "alice hass", "alice"},
	{"homeassistant/light/kitchen/config", "alice hass", "alice"},
	{"home/kitchen/light", "alice", "alice"},
};
#define BOUNDARIES (sizeof(boundaries) / sizeof(boundaries[0]))

/* Appends a line to a report of every mismatch, so that one run shows them all. */
static void note(char *report, size_t size, const char *what, const char *user, const char *topic)
{
	size_t used = strlen(report);
	snprintf(report + used, size - used, "\n  %s %s %s", user, what, topic);
}

static void test_each_role_reads_and_writes_exactly_its_topics(void **state)
{
	(void)state;
	static char report[8192];
	report[0] = '\0';
	struct eb_client *clients[EVERYONE];
	for (size_t u = 0; u < EVERYONE; u++) {
		clients[u] = bare_as(everyone[u]);
		subscribe(clients[u], "#");
	}

	/* Reads: the admin publishes "read <i>" everywhere; each user must see exactly its topics. */
	struct eb_client *alice = bare_as("alice");
	char payload[64];
	for (size_t i = 0; i < BOUNDARIES; i++) {
		snprintf(payload, sizeof(payload), "read %zu", i);
		published(alice, boundaries[i].topic, payload);
	}
	for (size_t u = 0; u < EVERYONE; u++) {
		bool got[BOUNDARIES] = {false};
		struct eb_message *m;
		while ((m = eb_client_next(clients[u], QUIET_MS)) != NULL) {
			size_t i;
			if (sscanf(m->payload, "read %zu", &i) == 1 && i < BOUNDARIES)
				got[i] = true;
			eb_message_free(m);
		}
		for (size_t i = 0; i < BOUNDARIES; i++) {
			bool allowed = eb_word_in(boundaries[i].readers, everyone[u]);
			if (got[i] != allowed)
				note(report, sizeof(report), allowed ? "cannot read" : "CAN read", everyone[u],
				     boundaries[i].topic);
		}
	}

	/* Writes: each user publishes everywhere; the answer and what the admin sees must agree. */
	bool passed[EVERYONE][BOUNDARIES];
	for (size_t u = 0; u < EVERYONE; u++)
		for (size_t i = 0; i < BOUNDARIES; i++) {
			snprintf(payload, sizeof(payload), "write %zu %zu", u, i);
			int rc = publish(clients[u], boundaries[i].topic, payload, false);
			bool allowed = eb_word_in(boundaries[i].writers, everyone[u]);
			if (rc != (allowed ? 0 : MQTT_RC_NOT_AUTHORIZED))
				note(report, sizeof(report), allowed ? "cannot write" : "CAN write", everyone[u],
				     boundaries[i].topic);
			passed[u][i] = false;
		}
	struct eb_message *m;
	while ((m = eb_client_next(clients[0], QUIET_MS)) != NULL) {
		size_t u, i;
		if (sscanf(m->payload, "write %zu %zu", &u, &i) == 2 && u < EVERYONE && i < BOUNDARIES)
			passed[u][i] = true;
		eb_message_free(m);
	}
	for (size_t u = 0; u < EVERYONE; u++)
		for (size_t i = 0; i < BOUNDARIES; i++)
			if (passed[u][i] != eb_word_in(boundaries[i].writers, everyone[u]))
				note(report, sizeof(report), passed[u][i] ? "got a message through to" : "was not delivered on",
				     everyone[u], boundaries[i].topic);

	eb_client_disconnect(alice);
	for (size_t u = 0; u < EVERYONE; u++)
		eb_client_disconnect(clients[u]);
	if (report[0])
		fail_msg("the acl_file does not match the roles:%s", report);
}

/*
 * The rights follow the user name alone: phone connecting with client ids
 * that name battery2 or hold '/', '+' or '#' reads and writes what phone may,
 * and nothing of battery2's. (Mosquitto 2.0.11 substitutes '/' into %c and %u
 * of "pattern" lines as it is; the ACL has none.)
 */
static void test_client_ids_never_change_a_users_rights(void **state)
{
	(void)state;
	static const char *const ids[] = {THEIRS, "battery2-1", "+", "#", "a/" THEIRS, STATE_PREFIX(THEIRS) "state"};
	struct eb_client *alice = bare_as("alice");
	struct eb_client *bare_watch = bare_as("alice");
	subscribe(bare_watch, "#");
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int reason = 0;
		struct eb_client *c = access_connect(rig.bare.port, "phone", ids[i], NULL, &reason);
		if (!c)
			fail_msg("phone with client id '%s' refused (%d)", ids[i], reason);
		subscribe(c, "#");
		/* One publisher keeps its order: "mine" arrives before anything of battery2's could. */
		published(alice, STATE_PREFIX(MINE) "state", "mine");
		published(alice, STATE_PREFIX(THEIRS) "state", "theirs");
		published(alice, DEVICE_TOPIC(THEIRS), "theirs");
		receives(c, ids[i], STATE_PREFIX(MINE) "state", "mine");
		refused(c, ids[i], APP_TOPIC(THEIRS), "steered cd=1", false);
		refused(c, ids[i], STATE_PREFIX(THEIRS) "set/refresh", "steered refresh", false);
		published(c, APP_TOPIC(MINE), "cd=1 from phone");
		nothing_from(c, ids[i], "theirs");
		eb_client_disconnect(c);
	}
	nothing_from(bare_watch, "the admin watching", "steered");
	eb_client_disconnect(bare_watch);
	eb_client_disconnect(alice);
}

/* ---- adding and removing users (README): scripts/users, then a reload ---- */

static void test_users_added_and_removed_take_effect_on_reload(void **state)
{
	(void)state;
	/* Names that could steer a topic or a line never become users. */
	assert_int_not_equal(access_rig_users(&rig, "add app a/b hame_energy/HMG-50/" MINE), 0);
	assert_int_not_equal(access_rig_users(&rig, "add dashboard +"), 0);
	assert_int_not_equal(access_rig_users(&rig, "add device battery4 hame_energy/HMG-50/+"), 0);

	assert_int_equal(access_rig_users(&rig, "add device battery4 hame_energy/HMG-50/0f0f0f0f0f0f"), 0);
	int reason = 0;
	assert_null(access_connect(rig.prod.port, "battery4", NULL, NULL, &reason));
	eb_broker_signal(&rig.prod, SIGHUP);
	struct eb_client *battery4 = NULL;
	for (int tries = 0; tries < 50 && !battery4; tries++) {
		battery4 = access_connect(rig.prod.port, "battery4", NULL, NULL, &reason);
		if (!battery4)
			eb_sleep_ms(eb_timeout_ms(100)); /* the broker rereads the files in its own time */
	}
	if (!battery4)
		fail_msg("battery4 still refused after the reload (%d)", reason);
	subscribe(battery4, "hame_energy/HMG-50/App/0f0f0f0f0f0f/ctrl");
	struct eb_client *alice = prod_as("alice");
	published(alice, "hame_energy/HMG-50/App/0f0f0f0f0f0f/ctrl", "cd=1");
	receives(battery4, "battery4", "hame_energy/HMG-50/App/0f0f0f0f0f0f/ctrl", "cd=1");
	/* The plugin still guards its topics after the reload. */
	refused(alice, "alice", STATE_PREFIX(MINE) "state", "forged after the reload", false);
	eb_client_disconnect(alice);
	eb_client_disconnect(battery4);

	assert_int_equal(access_rig_users(&rig, "del battery4"), 0);
	eb_broker_signal(&rig.prod, SIGHUP);
	for (int tries = 0; tries < 50; tries++) {
		battery4 = access_connect(rig.prod.port, "battery4", NULL, NULL, &reason);
		if (!battery4)
			break;
		eb_client_disconnect(battery4);
		eb_sleep_ms(eb_timeout_ms(100));
	}
	assert_null(battery4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anonymous_and_unknown_clients_are_refused),
		cmocka_unit_test(test_tls_listener_carries_sessions_for_clients_that_trust_its_ca),
		cmocka_unit_test(test_logger_request_is_translated_and_answered),
		cmocka_unit_test(test_battery_and_app_exchange_commands_replies_and_state),
		cmocka_unit_test(test_admin_sends_dangerous_commands_and_reads_sys),
		cmocka_unit_test(test_dangerous_commands_are_refused_for_every_other_user),
		cmocka_unit_test(test_a_will_cannot_carry_a_dangerous_command),
		cmocka_unit_test(test_no_will_carries_any_command),
		cmocka_unit_test(test_a_refusal_in_the_acl_check_is_told_to_the_sender_alone),
		cmocka_unit_test(test_nobody_forges_plugin_topics_by_publish_retain_or_will),
		cmocka_unit_test(test_acl_file_alone_stops_forging_by_every_other_role),
		cmocka_unit_test(test_each_role_reads_and_writes_exactly_its_topics),
		cmocka_unit_test(test_client_ids_never_change_a_users_rights),
		cmocka_unit_test(test_users_added_and_removed_take_effect_on_reload),
	};
	return cmocka_run_group_tests(tests, start_rig, stop_rig);
}
