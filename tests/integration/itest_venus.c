/*
 * The Venus job in a real broker: a client plays the battery (subscribed to
 * its App topic, answering on its device topic), others play apps, an admin
 * and intruders.
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
#include <unistd.h>

#include "harness.h"
#include "raw_mqtt.h"
#include "spec_examples.h"

#define QUIET_MS 300

static struct eb_broker broker;
static struct eb_client *battery;	/* subscribed to every HMG-50 App topic */
static struct eb_client *app;		/* user "app", MQTT v5 */
static struct eb_client *admin;		/* user "admin", MQTT v5 */
static struct eb_client *errors;	/* subscribed to venus/+/+/error */

static const char reply_sample[] = VENUS_REPLY_SAMPLE;

/* Every user's password is "pw-<name>" (admins make user names count: they must log in). */
static const char *const users[] = {"battery", "app", "admin", "mallory", "intruder"};
static char password_dir[64];

static const char *password_of(const char *user, char *buf, size_t size)
{
	snprintf(buf, size, "pw-%s", user);
	return buf;
}

/* Writes password_dir/passwd with every user of users[]; false on failure. */
static bool write_password_file(void)
{
	snprintf(password_dir, sizeof(password_dir), "/tmp/eb-venus-XXXXXX");
	if (!mkdtemp(password_dir))
		return false;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		char cmd[256], pw[64];
		snprintf(cmd, sizeof(cmd), "mosquitto_passwd %s -b %s/passwd %s %s", i == 0 ? "-c" : "", password_dir,
			 users[i], password_of(users[i], pw, sizeof(pw)));
		if (system(cmd) != 0)
			return false;
	}
	return true;
}

static struct eb_client *connect_with(int port, const char *id, const char *user, int protocol)
{
	char pw[64];
	struct eb_client_options o = {
		.id = id,
		.username = user,
		.password = user ? password_of(user, pw, sizeof(pw)) : NULL,
		.protocol = protocol,
	};
	return eb_client_connect(port, &o, NULL);
}

static struct eb_client *connect_as(const char *id, const char *user)
{
	struct eb_client *c = connect_with(broker.port, id, user, MQTT_PROTOCOL_V5);
	assert_non_null(c);
	return c;
}

static int start_broker(void **state)
{
	(void)state;
	if (!write_password_file())
		return -1;
	char extra[256];
	snprintf(extra, sizeof(extra), "password_file %s/passwd\nplugin_opt_venus_admin_users admin root\n",
		 password_dir);
	if (eb_broker_start(&broker, extra) != 0)
		return -1;
	battery = connect_as("battery", "battery");
	app = connect_as("app-1", "app");
	admin = connect_as("admin-1", "admin");
	errors = connect_as("errors", NULL);
	if (eb_client_subscribe(battery, "hame_energy/HMG-50/App/+/ctrl", 1) < 0 ||
	    eb_client_subscribe(battery, "marstek_energy/+/App/+/ctrl", 1) < 0 ||
	    eb_client_subscribe(errors, "venus/+/+/error", 1) < 0)
		return -1;
	return 0;
}

static int stop_broker(void **state)
{
	(void)state;
	eb_client_disconnect(battery);
	eb_client_disconnect(app);
	eb_client_disconnect(admin);
	eb_client_disconnect(errors);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", password_dir);
	if (system(cmd) != 0)
		return -1;
	return eb_broker_stop(&broker) == 0 ? 0 : -1;
}

static void expect_in(const char *json, const char *part);

static void command_topic(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "hame_energy/HMG-50/App/%s/ctrl", id);
}

/* The battery must receive exactly `expected` on its App topic for device id. */
static void battery_receives(const char *id, const char *expected)
{
	char topic[128];
	command_topic(topic, sizeof(topic), id);
	struct eb_message *m = eb_client_next(battery, 2000);
	if (!m)
		fail_msg("the battery %s got nothing, expected %s", id, expected);
	assert_string_equal(m->topic, topic);
	assert_string_equal(m->payload, expected);
	eb_message_free(m);
}

static void battery_receives_nothing(void)
{
	struct eb_message *m = eb_client_next(battery, QUIET_MS);
	if (m)
		fail_msg("the battery got %s on %s", (char *)m->payload, m->topic);
}

static void test_every_valid_vendor_example_reaches_the_battery(void **state)
{
	(void)state;
	static const struct { const char *command, *delivered; bool admin; } examples[] = {
		{"cd=01", "cd=01", false},
		{"cd=2,md=0", "cd=2,md=0", false},
		{"cd=2,md=1", "cd=2,md=1", false},
		{"cd=2,md=2", "cd=2,md=2", false},
		{"cd=3,md=1,nm=4,bt=8:30,et=20:30,wk=1,vv=123,as=0", "cd=3,md=1,nm=4,bt=08:30,et=20:30,wk=1,vv=123,as=0",
		 false},
		{"cd=3,md=1,nm=0,bt=0:05,et=9:00,wk=127,vv=-800,as=1", "cd=3,md=1,nm=0,bt=00:05,et=09:00,wk=127,vv=-800,as=1",
		 false},
		{"cd=3,md=2,id=41,in=40000,on=600000", "cd=3,md=2,id=41,in=40000,on=600000", false},
		{"cd=4,yy=123,mm=1,rr=2,hh=23,mn=56", "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56", false},
		{"cd=5,rs=1", "cd=5,rs=1", true},
		{"cd=5,rs=2", "cd=5,rs=2", true},
		{"cd=9,ot=0", "cd=9,ot=0", true},
		{"cd=9,ot=1", "cd=9,ot=1", true},
		{"cd=11,bc=0", "cd=11,bc=0", false},
		{"cd=11,bc=1", "cd=11,bc=1", false},
		{"cd=15,vs=800", "cd=15,vs=800", false},
		{"cd=15,vs=2500", "cd=15,vs=2500", false},
		{"cd=15,meter=0", "cd=15,meter=0", false},
		{"cd=15,meter=1", "cd=15,meter=1", false},
		{"cd=15,meter=2", "cd=15,meter=2", false},
		{"cd=15,dchrg=0", "cd=15,dchrg=0", false},
		{"cd=15,dchrg=1", "cd=15,dchrg=1", false},
		{"cd=16,cp=300", "cd=16,cp=300", false},
		{"cd=16,cp=2500", "cd=16,cp=2500", false},
		{"cd=19", "cd=19", false},
		{"cd=20,le=27,url=http://fw.example/fc41d.bin", "cd=20,le=27,url=http://fw.example/fc41d.bin", true},
	};
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		/* One device per example: the rate limit is per device and is tested on its own. */
		char id[16], topic[128];
		snprintf(id, sizeof(id), "valid%02zu", i);
		command_topic(topic, sizeof(topic), id);
		struct eb_client *sender = examples[i].admin ? admin : app;
		int rc = eb_client_publish_str(sender, topic, examples[i].command, 1);
		if (rc != 0)
			fail_msg("%s refused (%d)", examples[i].command, rc);
		battery_receives(id, examples[i].delivered);
	}
	battery_receives_nothing();
}

/* A refusal: reason code 0x87, nothing for the battery, one report on the error topic. */
static void refused(struct eb_client *sender, const char *user, const char *id, const char *command, const char *error)
{
	char topic[128], error_topic[128];
	command_topic(topic, sizeof(topic), id);
	snprintf(error_topic, sizeof(error_topic), "venus/HMG-50/%s/error", id);
	int rc = eb_client_publish_str(sender, topic, command, 1);
	if (rc != MQTT_RC_NOT_AUTHORIZED)
		fail_msg("%s: expected 0x87, got %d", command, rc);
	struct eb_message *m = eb_client_next(errors, 2000);
	if (!m)
		fail_msg("%s: no error report", command);
	assert_string_equal(m->topic, error_topic);
	if (!strstr(m->payload, error))
		fail_msg("%s: report %s lacks \"%s\"", command, (char *)m->payload, error);
	char who[160];
	snprintf(who, sizeof(who), "\"user\":\"%s\"}", user);
	assert_non_null(strstr(m->payload, who));
	eb_message_free(m);
	battery_receives_nothing();
}

static void test_each_refusal_reason(void **state)
{
	(void)state;
	char too_long[320];
	snprintf(too_long, sizeof(too_long), "cd=20,le=290,url=%0290d", 0);

	refused(app, "app", "refuse01", "cd=77", "unknown cd 77");
	refused(app, "app", "refuse02", "cd=2", "missing key md");
	refused(app, "app", "refuse03", "cd=16,cp=5000",
		"{\"command\":\"cd=16,cp=5000\",\"error\":\"cp must be within 300..2500\","
		"\"client_id\":\"app-1\",\"user\":\"app\"}");
	refused(app, "app", "refuse04", "cd=16,cp=800,cp=900", "repeated key cp");
	refused(app, "app", "refuse05", "cd=16,cp=800x", "cp must be an integer");
	/* A battery might read 016 or 0800 otherwise than the gate did. */
	refused(app, "app", "refuse15", "cd=016,cp=800", "cd must be written without leading zeros");
	refused(app, "app", "refuse16", "cd=16,cp=0800", "cp must be written without leading zeros");
	refused(app, "app", "refuse06", "cd=1,", "trailing comma");
	refused(app, "app", "refuse07", "cd=16,zz=1", "unknown key zz");
	refused(app, "app", "refuse08", "cd=3,md=1,nm=1,bt=24:00,et=20:30,wk=1,vv=123,as=0", "bt must be");
	refused(admin, "admin", "refuse09", too_long, "command longer than 256 bytes");
	refused(app, "app", "refuse10", "cd=5,rs=1", "cd=5 is dangerous: only plugin_opt_venus_admin_users may send it");
	refused(app, "app", "refuse11", "cd=20,le=8,url=http://x", "cd=20 is dangerous");
	refused(admin, "admin", "refuse12", "cd=20,le=5,url=http://x", "le must be the length of url");

	/* Too fast: a second setting for the same device within the interval (1 s). */
	char topic[128];
	command_topic(topic, sizeof(topic), "refuse13");
	assert_int_equal(eb_client_publish_str(app, topic, "cd=16,cp=800", 1), 0);
	battery_receives("refuse13", "cd=16,cp=800");
	refused(app, "app", "refuse13", "cd=16,cp=900", "");
	/* And a v3.1.1 client is refused the same way, only without a reason code. */
	struct eb_client *old = connect_with(broker.port, "old-app", "app", MQTT_PROTOCOL_V311);
	command_topic(topic, sizeof(topic), "refuse14");
	assert_int_equal(eb_client_publish_str(old, topic, "cd=16,cp=5000", 1), 0);
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "\"client_id\":\"old-app\""));
	eb_message_free(m);
	battery_receives_nothing();
	eb_client_disconnect(old);
}

static void test_retained_commands_are_refused(void **state)
{
	(void)state;
	char topic[128];
	command_topic(topic, sizeof(topic), "retain01");
	/* Retained, the broker would hand the command to the battery again at every reconnect. */
	assert_int_equal(eb_client_publish(app, topic, "cd=2,md=1", 9, 1, true, NULL), MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	expect_in(m->payload, "commands must not be retained");
	eb_message_free(m);
	battery_receives_nothing();
	/* An empty retained publish, which clears one stored before, is let through. */
	assert_int_equal(eb_client_publish(app, topic, "", 0, 1, true, NULL), 0);
	m = eb_client_next(battery, 2000);
	assert_non_null(m);
	assert_int_equal(m->payloadlen, 0);
	eb_message_free(m);
}

static void test_same_read_within_interval_collapses(void **state)
{
	(void)state;
	char topic[128];
	command_topic(topic, sizeof(topic), "reads01");
	assert_int_equal(eb_client_publish_str(app, topic, "cd=1", 1), 0);
	battery_receives("reads01", "cd=1");
	eb_client_publish_str(admin, topic, "cd=01", 1); /* the same read: answered by the first */
	battery_receives_nothing();
	assert_int_equal(eb_client_publish_str(app, topic, "cd=19", 1), 0); /* another read passes */
	battery_receives("reads01", "cd=19");
}

/* The retained state of a device, fetched by a fresh subscriber. */
static char *state_of(const char *id)
{
	char topic[128];
	snprintf(topic, sizeof(topic), "venus/HMG-50/%s/state", id);
	struct eb_client *c = connect_as(NULL, NULL);
	assert_true(eb_client_subscribe(c, topic, 1) >= 0);
	struct eb_message *m = eb_client_next(c, 2000);
	assert_non_null(m);
	assert_true(m->retain);
	char *json = strdup(m->payload);
	eb_message_free(m);
	eb_client_disconnect(c);
	return json;
}

static void expect_in(const char *json, const char *part)
{
	if (!strstr(json, part))
		fail_msg("%s not in %s", part, json);
}

static void test_reply_sample_becomes_state_and_is_delivered_as_is(void **state)
{
	(void)state;
	struct eb_client *watcher = connect_as(NULL, NULL);
	assert_true(eb_client_subscribe(watcher, "hame_energy/HMG-50/device/+/ctrl", 1) >= 0);
	char reply[2048];
	snprintf(reply, sizeof(reply), "%s,zzz_new=5", reply_sample);
	assert_int_equal(eb_client_publish_str(battery, "hame_energy/HMG-50/device/0123456789ab/ctrl", reply, 1), 0);
	struct eb_message *m = eb_client_next(watcher, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, reply); /* untouched */
	eb_message_free(m);

	char *json = state_of("0123456789ab");
	expect_in(json, "\"total_charged_kwh\":447.85");
	expect_in(json, "\"total_discharged_kwh\":368.89");
	expect_in(json, "\"working_status\":\"discharging\"");
	expect_in(json, "\"soc_percent\":27");
	expect_in(json, "\"monthly_income_eur\":-0.111");
	expect_in(json, "\"combined_power_w\":807");
	expect_in(json, "\"working_mode\":\"manual\"");
	expect_in(json, "\"max_charging_power_w\":2500");
	expect_in(json, "\"recharge_mode\":255");
	expect_in(json, "\"wifi_name\":\"Hame\"");
	expect_in(json, "\"time_periods\":[{\"start\":\"14:00\",\"end\":\"17:00\",\"weekdays\":127,\"power_w\":800,"
			"\"enabled\":true},{\"start\":\"17:01\",\"end\":\"20:00\",\"weekdays\":127,\"power_w\":-800,"
			"\"enabled\":true}");
	expect_in(json, "\"other\":{\"zzz_new\":\"5\"}");
	expect_in(json, "\"type\":\"HMG-50\"");
	expect_in(json, "\"id\":\"0123456789ab\"");
	free(json);

	/* A later partial reply merges over the state. */
	assert_int_equal(eb_client_publish_str(battery, "hame_energy/HMG-50/device/0123456789ab/ctrl", "cel_c=30", 1), 0);
	m = eb_client_next(watcher, 2000);
	eb_message_free(m);
	json = state_of("0123456789ab");
	expect_in(json, "\"soc_percent\":30");
	expect_in(json, "\"total_charged_kwh\":447.85");
	free(json);
	eb_client_disconnect(watcher);
}

static void test_other_replies_go_to_reply(void **state)
{
	(void)state;
	struct eb_client *c = connect_as(NULL, NULL);
	assert_true(eb_client_subscribe(c, "venus/HMG-50/0123456789ab/reply", 1) >= 0);
	eb_client_publish_str(battery, "hame_energy/HMG-50/device/0123456789ab/ctrl", "get_power=10|-20|30|20|800", 1);
	struct eb_message *m = eb_client_next(c, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"get_power\":{\"phase_a_w\":10,\"phase_b_w\":-20,\"phase_c_w\":30,\"total_w\":20,"
					"\"output_w\":800}}");
	assert_false(m->retain);
	eb_message_free(m);
	eb_client_publish_str(battery, "hame_energy/HMG-50/device/0123456789ab/ctrl", "ret=1", 1);
	m = eb_client_next(c, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "{\"ret\":1}");
	eb_message_free(m);
	eb_client_disconnect(c);
}

static void test_friendly_commands_pass_the_same_gate(void **state)
{
	(void)state;
	eb_client_publish_str(app, "venus/HMG-50/friendly01/set/max_charging_power", "800", 1);
	battery_receives("friendly01", "cd=16,cp=800");
	eb_client_publish_str(app, "venus/HMG-50/friendly02/set/working_mode", "manual", 1);
	battery_receives("friendly02", "cd=2,md=1");
	eb_client_publish_str(app, "venus/HMG-50/friendly03/set/backup", "on", 1);
	battery_receives("friendly03", "cd=11,bc=1");
	eb_client_publish_str(app, "venus/HMG-50/friendly04/set/time_period/3",
			      "{\"start\":\"8:30\",\"end\":\"20:30\",\"weekdays\":31,\"power_w\":600,\"enabled\":true}", 1);
	battery_receives("friendly04", "cd=3,md=1,nm=3,bt=08:30,et=20:30,wk=31,vv=600,as=1");
	eb_client_publish_str(app, "venus/HMG-50/friendly05/set/refresh", "", 1);
	battery_receives("friendly05", "cd=1");

	/* Out of range: refused by the command gate, with its report, and the battery hears nothing. */
	assert_int_equal(eb_client_publish_str(app, "venus/HMG-50/friendly06/set/max_charging_power", "5000", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "venus/HMG-50/friendly06/error");
	expect_in(m->payload, "cp must be within 300..2500");
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(app, "venus/HMG-50/friendly07/set/no_such_thing", "1", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next(errors, 2000);
	assert_non_null(m);
	eb_message_free(m);
	battery_receives_nothing();
}

static void test_plugin_output_cannot_be_forged(void **state)
{
	(void)state;
	struct eb_client *forger = connect_as("forger", "mallory");
	assert_int_equal(eb_client_publish(forger, "venus/HMG-50/0123456789ab/state", "{\"soc_percent\":100}", 19, 1, true,
					   NULL),
			 MQTT_RC_NOT_AUTHORIZED);
	assert_int_equal(eb_client_publish_str(forger, "venus/HMG-50/0123456789ab/error", "{}", 1), MQTT_RC_NOT_AUTHORIZED);
	char *json = state_of("0123456789ab");
	assert_null(strstr(json, "\"soc_percent\":100"));
	free(json);
	eb_client_disconnect(forger);
}

static void test_other_vendors_and_types(void **state)
{
	(void)state;
	/* The newer vendor prefix is gated the same way. */
	assert_int_equal(eb_client_publish_str(app, "marstek_energy/VNSE3-2/App/abc/ctrl", "cd=16,cp=5000", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "venus/VNSE3-2/abc/error");
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(app, "marstek_energy/VNSE3-2/App/abc/ctrl", "cd=16,cp=900", 1), 0);
	m = eb_client_next(battery, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "marstek_energy/VNSE3-2/App/abc/ctrl");
	eb_message_free(m);
	/* Other Hame families are gated by their own tables: a B2500's cd=99 does not exist. */
	assert_int_equal(eb_client_publish_str(app, "marstek_energy/HMJ-2/App/abc/ctrl", "cd=99,x=1", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next(errors, 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "\"error\":\"unknown cd 99\""));
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(app, "marstek_energy/HMJ-2/App/abc/ctrl", "cd=19,md=80", 1), 0);
	m = eb_client_next(battery, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "cd=19,md=80");
	eb_message_free(m);
}

/*
 * A type no family table describes (a Hame power station, HMD) gets no
 * command by default, dangerous ones least of all; the refusal names the
 * type. Controls: a described family's valid command passes; with
 * strict_types off, the same undescribed command passes raw.
 */
static void test_undescribed_types_are_refused_by_default(void **state)
{
	(void)state;
	assert_true(eb_client_subscribe(battery, "hame_energy/HMD-1/App/+/ctrl", 1) >= 0);
	assert_int_equal(eb_client_publish_str(app, "hame_energy/HMD-1/App/ps01/ctrl", "cd=11", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "venus/HMD-1/ps01/error");
	assert_non_null(strstr(m->payload, "no command table describes type HMD-1"));
	eb_message_free(m);
	/* even from an admin */
	assert_int_equal(eb_client_publish_str(admin, "hame_energy/HMD-1/App/ps01/ctrl", "cd=1", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	eb_message_free(eb_client_next(errors, 2000));
	assert_null(eb_client_next(battery, QUIET_MS));
	/* positive control: a described family's valid command passes */
	assert_true(eb_client_subscribe(battery, "hame_energy/HMA-1/App/+/ctrl", 1) >= 0);
	assert_int_equal(eb_client_publish_str(app, "hame_energy/HMA-1/App/b01/ctrl", "cd=1", 1), 0);
	m = eb_client_next(battery, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "hame_energy/HMA-1/App/b01/ctrl");
	eb_message_free(m);

	/* positive control: the owner who opts out gets raw pass-through */
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, "plugin_opt_venus_strict_types off\n"), 0);
	struct eb_client *dev = eb_client_simple(b.port, "dev", "battery", MQTT_PROTOCOL_V5);
	struct eb_client *a = eb_client_simple(b.port, "a", "app", MQTT_PROTOCOL_V5);
	assert_non_null(dev);
	assert_non_null(a);
	assert_true(eb_client_subscribe(dev, "hame_energy/HMD-1/App/+/ctrl", 1) >= 0);
	assert_int_equal(eb_client_publish_str(a, "hame_energy/HMD-1/App/ps01/ctrl", "cd=11", 1), 0);
	m = eb_client_next(dev, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "cd=11");
	eb_message_free(m);
	eb_client_disconnect(a);
	eb_client_disconnect(dev);
	assert_int_equal(eb_broker_stop(&b), 0);
}

static void test_polling_and_strict_types(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, "plugin_opt_venus_poll_interval 1\n"), 0);
	struct eb_client *bat = eb_client_simple(b.port, "bat", "battery", MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(bat, "hame_energy/+/App/+/ctrl", 1) >= 0);
	/* The battery answers once; from then on the plugin keeps its state fresh without any app. */
	eb_client_publish_str(bat, "hame_energy/HMG-50/device/poll01/ctrl", "cel_c=50", 1);
	for (int polls = 0; polls < 2; polls++) {
		struct eb_message *m = eb_client_next(bat, 3000);
		assert_non_null(m);
		assert_string_equal(m->topic, "hame_energy/HMG-50/App/poll01/ctrl");
		assert_string_equal(m->payload, "cd=1");
		eb_message_free(m);
	}
	struct eb_client *a = eb_client_simple(b.port, "a", "app", MQTT_PROTOCOL_V5);
	assert_int_equal(eb_client_publish_str(a, "hame_energy/HMD-2/App/abc/ctrl", "cd=1", 1), MQTT_RC_NOT_AUTHORIZED);
	eb_client_disconnect(a);
	eb_client_disconnect(bat);
	assert_int_equal(eb_broker_stop(&b), 0);
}

/* ---- QoS 2, with a client written byte by byte (it sends a genuine DUP) ---- */

/* An MQTT 3.1.1 connection (clean session) as user, with client id id; the socket. */
static int raw_connect(const char *id, const char *user)
{
	char pw[64];
	return eb_raw_connect(broker.port, id, user, password_of(user, pw, sizeof(pw)));
}

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void no_error_report(void)
{
	struct eb_message *m = eb_client_next(errors, QUIET_MS);
	if (m)
		fail_msg("unexpected report %s on %s", (char *)m->payload, m->topic);
}

/*
 * Mosquitto 2.0 lets another user connect with an admin's client id: an
 * earlier verdict for the same bytes must not carry over to that user.
 */
static void test_qos2_verdicts_never_pass_to_another_user(void **state)
{
	(void)state;
	char topic[128];
	command_topic(topic, sizeof(topic), "qos2id01");
	int fd = raw_connect("shared-id", "admin");
	eb_raw_publish_qos2(fd, topic, "cd=5,rs=1", 1, false);
	eb_raw_release(fd, 1);
	battery_receives("qos2id01", "cd=5,rs=1");
	close(fd);

	fd = raw_connect("shared-id", "intruder");
	eb_raw_publish_qos2(fd, topic, "cd=5,rs=1", 2, false);
	eb_raw_release(fd, 2);
	battery_receives_nothing();
	struct eb_message *m = eb_client_next(errors, 2000);
	assert_non_null(m);
	expect_in(m->payload, "cd=5 is dangerous");
	expect_in(m->payload, "\"user\":\"intruder\"");
	eb_message_free(m);
	close(fd);
}

/* A new identical command at QoS 2 meets the rate limit and is normalised, as at QoS 1. */
static void test_qos2_commands_meet_the_rate_limit_and_normalisation(void **state)
{
	(void)state;
	char topic[128];
	command_topic(topic, sizeof(topic), "qos2rate");
	int passed = 0;
	for (int i = 0; i < 10; i++)
		passed += eb_client_publish(app, topic, "cd=16,cp=900", 12, 2, false, NULL) == 0;
	assert_int_equal(passed, 1);
	battery_receives("qos2rate", "cd=16,cp=900");
	battery_receives_nothing();
	/* The nine may be retransmissions of the first, which passed: refused without a report. */
	no_error_report();
	/* The same time period twice, one interval apart: both reach the battery zero-padded. */
	const char *period = "cd=3,md=1,nm=1,bt=8:30,et=20:30,wk=1,vv=123,as=0";
	command_topic(topic, sizeof(topic), "qos2norm");
	for (int i = 0; i < 2; i++) {
		pause_ms(1100);
		assert_int_equal(eb_client_publish(app, topic, period, (int)strlen(period), 2, false, NULL), 0);
		battery_receives("qos2norm", "cd=3,md=1,nm=1,bt=08:30,et=20:30,wk=1,vv=123,as=0");
	}
	no_error_report();
}

/*
 * A genuine retransmission (DUP, same packet id, before PUBREL) is delivered
 * once, normalised, whether it comes within the rate interval or after it;
 * and it is not reported as a refusal.
 */
static void test_qos2_retransmission_delivers_the_first_copy_once(void **state)
{
	(void)state;
	const char *period = "cd=3,md=1,nm=2,bt=8:30,et=20:30,wk=1,vv=123,as=0";
	const char *normalised = "cd=3,md=1,nm=2,bt=08:30,et=20:30,wk=1,vv=123,as=0";
	char topic[128];
	int fd = raw_connect("dup-sender", "app");
	for (int later = 0; later < 2; later++) {
		char id[16];
		snprintf(id, sizeof(id), "qos2dup%d", later);
		command_topic(topic, sizeof(topic), id);
		eb_raw_publish_qos2(fd, topic, period, 7, false);
		if (later)
			pause_ms(1100); /* past the interval: the gate passes it again, the broker keeps one */
		eb_raw_publish_qos2(fd, topic, period, 7, true); /* the client did not see the PUBREC */
		eb_raw_release(fd, 7);
		battery_receives(id, normalised);
		battery_receives_nothing();
		no_error_report();
	}
	close(fd);
}

/* ---- sizes: quoted, never copied whole ---- */

static void test_large_commands_and_replies_are_quoted_not_copied(void **state)
{
	(void)state;
	size_t big = 1 << 20;
	char *payload = malloc(big);
	assert_non_null(payload);
	memset(payload, 0x01, big); /* each control byte would take six bytes in JSON */
	char topic[128];
	command_topic(topic, sizeof(topic), "size01");
	assert_int_equal(eb_client_publish(app, topic, payload, (int)big, 1, false, NULL), MQTT_RC_NOT_AUTHORIZED);
	struct eb_message *m = eb_client_next(errors, 3000);
	assert_non_null(m);
	assert_true(m->payloadlen < 2048);
	expect_in(m->payload, "\"command_bytes\":1048576");
	expect_in(m->payload, "command longer than 256 bytes");
	eb_message_free(m);
	battery_receives_nothing();

	/* A reply: up to 8 KiB delivered and its text quoted; beyond, not delivered at all. */
	struct eb_client *watcher = connect_as(NULL, NULL);
	assert_true(eb_client_subscribe(watcher, "hame_energy/HMG-50/device/size01/ctrl", 1) >= 0);
	assert_true(eb_client_subscribe(watcher, "venus/HMG-50/size01/reply", 1) >= 0);
	assert_int_equal(eb_client_publish(battery, "hame_energy/HMG-50/device/size01/ctrl", payload, 8192, 1, false,
					   NULL),
			 0);
	for (int i = 0; i < 2; i++) { /* the reply and its JSON, in either order */
		m = eb_client_next(watcher, 2000);
		assert_non_null(m);
		if (strcmp(m->topic, "venus/HMG-50/size01/reply") == 0) {
			assert_true(m->payloadlen < 2048);
			expect_in(m->payload, "\"raw_bytes\":8192");
		} else {
			assert_int_equal(m->payloadlen, 8192);
		}
		eb_message_free(m);
	}
	assert_int_equal(eb_client_publish(battery, "hame_energy/HMG-50/device/size01/ctrl", payload, 8193, 1, false,
					   NULL),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next(watcher, QUIET_MS);
	if (m)
		fail_msg("a reply over 8 KiB got through to %s", m->topic);
	eb_client_disconnect(watcher);
	free(payload);
}

/* ---- bounds ---- */

/*
 * Invented battery ids get no retained state beyond the table's bound, and
 * never push out a battery in use.
 */
static void test_invented_batteries_get_no_state_beyond_the_bound(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, "plugin_opt_stats_interval 1\n"), 0);
	struct eb_client *dev = eb_client_simple(b.port, "dev", NULL, MQTT_PROTOCOL_V5);
	struct eb_client *watch = eb_client_simple(b.port, "watch", NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(watch, "venus/+/+/state", 1) >= 0);
	char topic[128];
	int states = 0;
	for (int i = 0; i < 40; i++) {
		snprintf(topic, sizeof(topic), "hame_energy/HMG-50/device/fake%02d/ctrl", i);
		assert_int_equal(eb_client_publish_str(dev, topic, "cel_c=50", 1), 0);
	}
	struct eb_message *m;
	while ((m = eb_client_next(watch, 1000)) != NULL) {
		states++;
		eb_message_free(m);
	}
	assert_int_equal(states, 32);
	/* A battery in the table is still translated; a newcomer is not. */
	assert_int_equal(eb_client_publish_str(dev, "hame_energy/HMG-50/device/fake05/ctrl", "cel_c=51", 1), 0);
	m = eb_client_next(watch, 2000);
	assert_non_null(m);
	assert_string_equal(m->topic, "venus/HMG-50/fake05/state");
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(dev, "hame_energy/HMG-50/device/newcomer/ctrl", "cel_c=51", 1), 0);
	m = eb_client_next(watch, QUIET_MS);
	if (m)
		fail_msg("a state for %s beyond the bound", m->topic);
	struct eb_client *stats = eb_client_simple(b.port, "stats", NULL, MQTT_PROTOCOL_V5);
	assert_true(eb_client_subscribe(stats, "energy-bridge/stats", 0) >= 0);
	bool counted = false;
	for (int tries = 0; tries < 3 && !counted; tries++) {
		m = eb_client_next_on(stats, "energy-bridge/stats", 2500);
		assert_non_null(m);
		counted = strstr(m->payload, "\"devices_untracked\":9") != NULL;
		eb_message_free(m);
	}
	assert_true(counted);
	eb_client_disconnect(stats);
	eb_client_disconnect(watch);
	eb_client_disconnect(dev);
	assert_int_equal(eb_broker_stop(&b), 0);
}

/* ---- user names ---- */

/*
 * Without a password_file Mosquitto keeps whatever user name a client
 * claims; the plugin sees only the name. With admin users configured, the
 * broker must then refuse a client that claims a name (anonymous ones still
 * get in, and are never admins).
 */
static void test_admin_names_must_be_authenticated(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_start(&b, "plugin_opt_venus_admin_users admin\n"), 0);
	int reason = -1;
	struct eb_client_options claim = {.id = "claimer", .username = "admin", .protocol = MQTT_PROTOCOL_V5};
	struct eb_client *c = eb_client_connect(b.port, &claim, &reason);
	if (c)
		fail_msg("a client claiming the admin's name got in without a password_file");
	assert_int_equal(reason, MQTT_RC_NOT_AUTHORIZED);
	struct eb_client *anonymous = eb_client_simple(b.port, "anon", NULL, MQTT_PROTOCOL_V5);
	assert_non_null(anonymous);
	eb_client_disconnect(anonymous);
	char *log = eb_broker_log(&b);
	assert_non_null(strstr(log, "gets in only when the password_file (or an auth plugin) accepts the name"));
	free(log);
	assert_int_equal(eb_broker_stop(&b), 0);

	/* Control: without admin users the plugin leaves the names alone. */
	assert_int_equal(eb_broker_start(&b, ""), 0);
	c = eb_client_connect(b.port, &claim, &reason);
	assert_non_null(c);
	eb_client_disconnect(c);
	assert_int_equal(eb_broker_stop(&b), 0);
}

static void test_bad_venus_options_stop_the_broker(void **state)
{
	(void)state;
	assert_true(eb_broker_refuses_to_start("plugin_opt_venus_vendors hame/energy\n",
					       "option plugin_opt_venus_vendors: expected one or more names"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_venus_command_interval -1\n",
					       "option plugin_opt_venus_command_interval: expected an integer from 0 to 3600"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_valid_vendor_example_reaches_the_battery),
		cmocka_unit_test(test_each_refusal_reason),
		cmocka_unit_test(test_retained_commands_are_refused),
		cmocka_unit_test(test_same_read_within_interval_collapses),
		cmocka_unit_test(test_reply_sample_becomes_state_and_is_delivered_as_is),
		cmocka_unit_test(test_other_replies_go_to_reply),
		cmocka_unit_test(test_friendly_commands_pass_the_same_gate),
		cmocka_unit_test(test_plugin_output_cannot_be_forged),
		cmocka_unit_test(test_other_vendors_and_types),
		cmocka_unit_test(test_undescribed_types_are_refused_by_default),
		cmocka_unit_test(test_polling_and_strict_types),
		cmocka_unit_test(test_qos2_verdicts_never_pass_to_another_user),
		cmocka_unit_test(test_qos2_commands_meet_the_rate_limit_and_normalisation),
		cmocka_unit_test(test_qos2_retransmission_delivers_the_first_copy_once),
		cmocka_unit_test(test_large_commands_and_replies_are_quoted_not_copied),
		cmocka_unit_test(test_invented_batteries_get_no_state_beyond_the_bound),
		cmocka_unit_test(test_admin_names_must_be_authenticated),
		cmocka_unit_test(test_bad_venus_options_stop_the_broker),
	};
	return cmocka_run_group_tests_name("integration_venus", tests, start_broker, stop_broker);
}
