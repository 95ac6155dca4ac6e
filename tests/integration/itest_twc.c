/*
 * The TWC job in a real broker: the plugin's link thread is the load-sharing
 * master of simulated wall connectors (tests/twc_sim) reached over loopback
 * TCP, as an RS-485-to-Ethernet converter would present them; real MQTT
 * clients watch the status topics, change the pool and try to forge.
 *
 * Every test has its own simulator and broker (twc_rig.h), because what a
 * link went through (drops, a charger gone) would leak into the next test.
 * After each one the broker must stop cleanly and the master must not have
 * sent a corrupt frame or one that docs/twc.md forbids.
 *
 * Monitor mode is covered only as far as "the plugin sends nothing": the
 * simulator plays slaves, not a master, so there is no master's traffic for
 * a monitor to decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log_limit.h"
#include "twc_rig.h"

#define GONE_MS 26000
#define DROPS 100
#define CHATTER_PAUSE_US 20000	/* the unrelated client publishes about 50 times a second */
#define SLOWEST_ACK_US 1000000	/* the broker's main loop is never held up this long */

static const char *const two_protocols[] = {"--slave", "4085:2:32", "--slave", "2433:1:32", NULL};

static struct eb_client *client_v5(const char *id, const char *user)
{
	struct eb_client *c = eb_client_simple(rig_broker()->port, id, user, MQTT_PROTOCOL_V5);
	if (!c)
		fail_msg("client %s could not connect", id);
	return c;
}

static void plug_and_charge(const char *id, const char *vin, const char *amps)
{
	rig_do("plug %s %s", id, vin);
	rig_do("charge %s %s", id, amps);
}

/* ---- every topic of the seed's table ---- */

static void expect_idle_charger(const char *id, const char *kwh, const char *const volts[3])
{
	static const char *const zero_topics[] = {"ampsInUse", "power", "ampsMax", "carsCharging", "state"};
	static const char *const phases[] = {"voltagePhaseA", "voltagePhaseB", "voltagePhaseC"};
	char topic[64];
	for (size_t i = 0; i < sizeof(zero_topics) / sizeof(zero_topics[0]); i++) {
		snprintf(topic, sizeof(topic), "%s/%s", id, zero_topics[i]);
		rig_expect(topic, "0", RIG_JOIN_MS);
	}
	snprintf(topic, sizeof(topic), "%s/currentVehicleVIN", id);
	rig_expect(topic, "", RIG_CHANGE_MS);
	snprintf(topic, sizeof(topic), "%s/lifetimekWh", id);
	rig_expect(topic, kwh, RIG_JOIN_MS);
	for (int p = 0; p < 3; p++) {
		snprintf(topic, sizeof(topic), "%s/%s", id, phases[p]);
		rig_expect(topic, volts[p], RIG_JOIN_MS);
	}
	snprintf(topic, sizeof(topic), "%s/lastVehicleVIN", id);
	if (rig_value(topic))
		fail_msg("%s has a lastVehicleVIN before any car: %s", id, rig_value(topic));
}

/* A late subscriber gets every non-empty value retained, at the option's QoS, and no empty VIN. */
static void expect_retained_like_the_board(const char *const *suffixes, size_t n)
{
	struct eb_client *late = eb_client_simple(rig_broker()->port, "late", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(late);
	assert_true(eb_client_subscribe(late, "TWC/#", 2) >= 0);
	size_t got = 0;
	while (got < n) {
		struct eb_message *m = eb_client_next(late, 2000);
		if (!m)
			fail_msg("a late subscriber got %zu of %zu retained values", got, n);
		const char *suffix = m->topic + strlen("TWC/");
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= strcmp(suffixes[i], suffix) == 0;
		if (!known)
			fail_msg("a late subscriber got %s = \"%s\"", m->topic, (char *)m->payload);
		if (!m->retain || m->qos != 1)
			fail_msg("%s came back with retain %d and QoS %d, expected retained at QoS 1", m->topic, m->retain,
				 m->qos);
		if (strcmp(m->payload, rig_value(suffix)) != 0)
			fail_msg("%s retained \"%s\", the last published was \"%s\"", m->topic, (char *)m->payload,
				 rig_value(suffix));
		eb_message_free(m);
		got++;
	}
	eb_client_disconnect(late);
}

static void test_every_topic_carries_the_simulators_values(void **state)
{
	(void)state;
	static const char *const setup[] = {"kwh 4085 159", "volts 4085 243 244 245", "kwh 2433 4242",
					    "volts 2433 230 0 0", NULL};
	struct rig_setup rs = {.sim_commands = setup,
			       .options = "plugin_opt_twc_max_amps_for_slaves 30\nplugin_opt_twc_min_amps_per_twc 7\n"
					  "plugin_opt_twc_wiring_max_amps_all 40\nplugin_opt_twc_qos 1\n",
			       .qos = 1};
	rig_up(&rs);
	rig_expect("config/maxAmpsForSlaves", "30", RIG_JOIN_MS);
	rig_expect("config/minAmpsPerTWC", "7", RIG_JOIN_MS);
	rig_expect("all/totalAmpsInUse", "0", RIG_JOIN_MS);
	expect_idle_charger("4085", "159", (const char *const[]){"243", "244", "245"});
	expect_idle_charger("2433", "4242", (const char *const[]){"230", "0", "0"});

	/* A car plugs in: state 4, it wants current and gets all of the pool. */
	rig_do("plug 4085 " VIN_A);
	rig_expect("4085/state", "4", RIG_CHANGE_MS);
	rig_expect_limit("4085", 3000, 2 * RIG_CHANGE_MS);
	rig_expect("4085/ampsMax", "30", RIG_CHANGE_MS);

	/* It draws 12.34 A: ampsInUse, power, carsCharging, state 1, the total, then its VIN. */
	rig_do("charge 4085 12.34");
	rig_expect("4085/ampsInUse", "12.34", RIG_CHANGE_MS);
	rig_expect("4085/power", "12.34", RIG_CHANGE_MS);
	rig_expect("4085/carsCharging", "1", RIG_CHANGE_MS);
	rig_expect("4085/state", "1", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "12.34", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", VIN_A, RIG_VIN_MS);

	/* The other one reports state 8 (starting to charge): the pool is split 15/15. */
	rig_do("state 2433 8");
	rig_expect("2433/state", "8", RIG_CHANGE_MS);
	rig_expect_limit("2433", 1500, 3 * RIG_CHANGE_MS);
	rig_expect("2433/ampsMax", "15", RIG_CHANGE_MS);
	rig_expect("4085/ampsMax", "15", RIG_CHANGE_MS);
	assert_string_equal(rig_value("4085/ampsInUse"), "12.34");
	assert_int_equal(rig_last_limit("4085"), 1500);

	/* The car is done: no current, no VIN, the VIN becomes the last one. */
	rig_do("stop 4085");
	rig_expect("4085/state", "3", RIG_CHANGE_MS);
	rig_expect("4085/ampsInUse", "0", RIG_CHANGE_MS);
	rig_expect("4085/power", "0", RIG_CHANGE_MS);
	rig_expect("4085/carsCharging", "0", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", "", RIG_CHANGE_MS);
	rig_expect("4085/lastVehicleVIN", VIN_A, RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "0", RIG_CHANGE_MS);
	rig_expect_limit("2433", 3000, 3 * RIG_CHANGE_MS); /* 4085 no longer wants current */
	rig_expect("2433/ampsMax", "30", RIG_CHANGE_MS);

	static const char *const retained[] = {
		"config/maxAmpsForSlaves", "config/minAmpsPerTWC", "all/totalAmpsInUse",
		"4085/ampsInUse", "4085/ampsMax", "4085/carsCharging", "4085/lastVehicleVIN", "4085/lifetimekWh",
		"4085/power", "4085/state", "4085/voltagePhaseA", "4085/voltagePhaseB", "4085/voltagePhaseC",
		"2433/ampsInUse", "2433/ampsMax", "2433/carsCharging", "2433/lifetimekWh", "2433/power", "2433/state",
		"2433/voltagePhaseA", "2433/voltagePhaseB", "2433/voltagePhaseC", "energy/mode", "energy/status"};
	expect_retained_like_the_board(retained, sizeof(retained) / sizeof(retained[0]));
	rig_check_limits_fit(0, 30, 30);
	/* docs/twc.md: never two seconds apart (plus scheduling slack of a loaded machine). */
	rig_check_heartbeat_gaps(2100);
}

/* ---- a car session, the total sampled at every change ---- */

static void test_car_session_total_follows_the_draws(void **state)
{
	(void)state;
	struct rig_setup rs = {.sim_args = two_protocols}; /* 2433 speaks protocol 1 */
	rig_up(&rs);
	rig_join();
	rig_expect("all/totalAmpsInUse", "0", RIG_CHANGE_MS);

	rig_do("plug 4085 " VIN_A);
	rig_do("plug 2433 " VIN_B);
	rig_expect_limit("4085", 1600, 4 * RIG_CHANGE_MS);
	rig_expect_limit("2433", 1600, 4 * RIG_CHANGE_MS);
	rig_expect("4085/ampsMax", "16", RIG_CHANGE_MS);
	rig_expect("2433/ampsMax", "16", RIG_CHANGE_MS);
	rig_expect("4085/state", "4", RIG_CHANGE_MS);
	rig_expect("2433/state", "4", RIG_CHANGE_MS);

	rig_do("charge 4085 16");
	rig_expect("4085/ampsInUse", "16", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "16", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", VIN_A, RIG_VIN_MS);

	rig_do("charge 2433 10.5");
	rig_expect("2433/ampsInUse", "10.5", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "26.5", RIG_CHANGE_MS);
	rig_expect("2433/currentVehicleVIN", VIN_B, RIG_VIN_MS);
	rig_expect("2433/carsCharging", "1", RIG_CHANGE_MS);

	rig_do("charge 4085 8.52");
	rig_expect("4085/ampsInUse", "8.52", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "19.02", RIG_CHANGE_MS);
	assert_string_equal(rig_value("4085/currentVehicleVIN"), VIN_A); /* the same session */

	rig_do("stop 4085");
	rig_expect("4085/ampsInUse", "0", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", "", RIG_CHANGE_MS);
	rig_expect("4085/lastVehicleVIN", VIN_A, RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "10.5", RIG_CHANGE_MS);
	rig_expect_limit("2433", 3200, 3 * RIG_CHANGE_MS);
	rig_expect("2433/ampsMax", "32", RIG_CHANGE_MS);

	rig_do("unplug 4085");
	rig_expect("4085/state", "0", RIG_CHANGE_MS);
	assert_string_equal(rig_value("4085/lastVehicleVIN"), VIN_A);

	rig_do("charge 2433 20");
	rig_expect("2433/ampsInUse", "20", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "20", RIG_CHANGE_MS);

	rig_do("unplug 2433"); /* pulled out while drawing current */
	rig_expect("2433/ampsInUse", "0", RIG_CHANGE_MS);
	rig_expect("2433/currentVehicleVIN", "", RIG_CHANGE_MS);
	rig_expect("2433/lastVehicleVIN", VIN_B, RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "0", RIG_CHANGE_MS);

	/* Seven changes of an ampsInUse above, each followed by the right total. */
	if (rig_total_checks() < 7)
		fail_msg("the total was checked against the draws %u times, expected at least 7", rig_total_checks());
	rig_check_limits_fit(0, 32, 32);
}

/* ---- a charger that stops answering ---- */

static void test_silent_charger_is_gone_after_26_s_and_comes_back(void **state)
{
	(void)state;
	struct rig_setup rs = {0};
	rig_up(&rs);
	rig_join();
	plug_and_charge("4085", VIN_A, "16");
	plug_and_charge("2433", VIN_B, "10.5");
	rig_expect("all/totalAmpsInUse", "26.5", 3 * RIG_CHANGE_MS);
	rig_expect("2433/currentVehicleVIN", VIN_B, RIG_VIN_MS);

	int64_t silent_since = eb_now_us();
	rig_do("silence 2433 on");
	rig_expect("2433/ampsInUse", "0", GONE_MS + 4000);
	double after_s = (double)(eb_now_us() - silent_since) / 1e6;
	printf("charger 2433 was declared gone %.1f s after it fell silent\n", after_s);
	/* Its last answer came at most a heartbeat before the silence. */
	if (after_s < (GONE_MS - 2000) / 1000.0)
		fail_msg("charger 2433 declared gone after %.1f s of silence, expected about 26 s", after_s);
	rig_expect("2433/power", "0", RIG_CHANGE_MS);
	rig_expect("2433/carsCharging", "0", RIG_CHANGE_MS);
	rig_expect("2433/currentVehicleVIN", "", RIG_CHANGE_MS);
	rig_expect("2433/lastVehicleVIN", VIN_B, RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "16", RIG_CHANGE_MS);
	assert_string_equal(rig_value("4085/ampsInUse"), "16");

	/* It speaks again: no master looks after it, so it announces itself within 20 s and starts afresh. */
	rig_do("silence 2433 off");
	rig_expect("2433/ampsInUse", "10.5", 25000);
	rig_expect("all/totalAmpsInUse", "26.5", RIG_CHANGE_MS);
	rig_expect("2433/currentVehicleVIN", VIN_B, RIG_VIN_MS);
}

/* ---- the link cut and restored ---- */

/* Waits for the simulator to see the master again after a drop; returns the delay in ms. */
static double reconnect_after_drop(size_t *cursor)
{
	struct eb_sim_event gone, back;
	rig_do("drop");
	if (!eb_sim_wait(rig_sim(), cursor, "disconnected", 2000, &gone))
		fail_msg("the simulator did not report the drop");
	if (!eb_sim_wait(rig_sim(), cursor, "connected", 5000, &back))
		fail_msg("the master did not reconnect within 5 s of a drop");
	return (double)(back.seen_us - gone.seen_us) / 1000.0;
}

static void test_link_drop_reconnects_with_linkready_burst(void **state)
{
	(void)state;
	struct rig_setup rs = {0};
	rig_up(&rs);
	rig_join();
	plug_and_charge("4085", VIN_A, "16");
	rig_expect("4085/ampsInUse", "16", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", VIN_A, RIG_VIN_MS);

	size_t cursor = eb_sim_mark(rig_sim());
	double delay_ms = reconnect_after_drop(&cursor);
	printf("reconnected %.0f ms after the drop\n", delay_ms);
	if (delay_ms < 100 || delay_ms > 1500)
		fail_msg("reconnected %.0f ms after the drop, expected a backoff of about 250 ms", delay_ms);

	/*
	 * docs/twc.md: after every reconnect, five FC E1 then five FB E2, about
	 * 100 ms apart. The chargers it knows keep getting their heartbeats in
	 * between (heartbeats go first), but nothing else, and no two frames
	 * closer than the 100 ms pacing (less 10 ms of scheduling jitter).
	 */
	int64_t previous_us = -1;
	for (int linkready = 0; linkready < 10;) {
		struct eb_sim_event e;
		if (!eb_sim_wait(rig_sim(), &cursor, "rx ", 3000, &e))
			fail_msg("the master sent %d frames of its linkready burst after reconnecting", linkready);
		int64_t t = eb_sim_event_time_us(&e);
		if (previous_us >= 0 && t - previous_us < 90000)
			fail_msg("two frames %.0f ms apart, expected at most one per 100 ms", (t - previous_us) / 1000.0);
		previous_us = t;
		if (strncmp(e.line, "rx FBE0 from 7777 to ", 21) == 0)
			continue;
		const char *expected = linkready < 5 ? "rx FCE1 from 7777 to all" : "rx FBE2 from 7777 to all";
		if (!eb_starts_with(e.line, expected))
			fail_msg("linkready frame %d after reconnecting: expected \"%s\", got \"%s\"", linkready + 1,
				 expected, e.line);
		linkready++;
	}

	/* The topics are right again: a change after the reconnection shows as usual. */
	rig_do("charge 4085 20");
	rig_expect("4085/ampsInUse", "20", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "20", RIG_CHANGE_MS);
	assert_string_equal(rig_value("2433/ampsInUse"), "0");
	/* The session went on through the drop: same VIN, nothing moved to lastVehicleVIN. */
	assert_string_equal(rig_value("4085/currentVehicleVIN"), VIN_A);
	assert_null(rig_value("4085/lastVehicleVIN"));
}

/* An unrelated client publishing at QoS 1 all along; counts what the broker acknowledged. */
struct chatter {
	pthread_t thread;
	atomic_bool stop;
	struct eb_client *publisher;
	unsigned long sent, failed;
	int64_t slowest_ack_us;
	bool running;
};
static struct chatter chat;

static void *chatter_run(void *arg)
{
	struct chatter *c = arg;
	char payload[32];
	while (!atomic_load(&c->stop)) {
		snprintf(payload, sizeof(payload), "%lu", c->sent);
		int64_t start = eb_now_us();
		if (eb_client_publish_str(c->publisher, "house/chatter", payload, 1) == 0)
			c->sent++;
		else
			c->failed++;
		int64_t ack_us = eb_now_us() - start;
		if (ack_us > c->slowest_ack_us)
			c->slowest_ack_us = ack_us;
		usleep(CHATTER_PAUSE_US); /* a steady rate, not as fast as possible */
	}
	return NULL;
}

static void chatter_stop(void)
{
	if (!chat.running)
		return;
	atomic_store(&chat.stop, true);
	pthread_join(chat.thread, NULL);
	chat.running = false;
}

/* The chatter must not outlive a failed test: it would talk to the next test's broker. */
static int chatter_down(void **state)
{
	chatter_stop();
	if (chat.publisher)
		eb_client_disconnect(chat.publisher);
	memset(&chat, 0, sizeof(chat));
	return rig_down(state);
}

static void test_hundred_drops_while_the_broker_serves_others(void **state)
{
	(void)state;
	struct rig_setup rs = {0};
	rig_up(&rs);
	rig_join();
	struct eb_client *listener = eb_client_simple(rig_broker()->port, "chat-listener", NULL, MQTT_PROTOCOL_V5);
	assert_non_null(listener);
	assert_true(eb_client_subscribe(listener, "house/chatter", 1) >= 0);
	chat.publisher = client_v5("chatter", NULL);
	atomic_init(&chat.stop, false);
	chat.running = pthread_create(&chat.thread, NULL, chatter_run, &chat) == 0;
	assert_true(chat.running);

	size_t cursor = eb_sim_mark(rig_sim());
	double worst_ms = 0, total_ms = 0;
	for (int i = 0; i < DROPS; i++) {
		double delay_ms = reconnect_after_drop(&cursor);
		total_ms += delay_ms;
		if (delay_ms > worst_ms)
			worst_ms = delay_ms;
		/* The master talks on the new connection before it is cut again. */
		if (!eb_sim_wait(rig_sim(), &cursor, "rx FCE1 from 7777", 3000, NULL))
			fail_msg("drop %d: no linkready on the new connection", i + 1);
	}
	chatter_stop();
	printf("%d drops: reconnected after %.0f ms on average, %.0f ms at worst; meanwhile %lu publishes "
	       "acknowledged, slowest after %.1f ms\n",
	       DROPS, total_ms / DROPS, worst_ms, chat.sent, chat.slowest_ack_us / 1000.0);
	if (chat.failed > 0)
		fail_msg("%lu of %lu publishes of an unrelated client were not acknowledged", chat.failed,
			 chat.failed + chat.sent);
	if (chat.slowest_ack_us > (int64_t)eb_timeout_ms(SLOWEST_ACK_US / 1000) * 1000)
		fail_msg("a publish waited %.0f ms for its acknowledgement", chat.slowest_ack_us / 1000.0);
	assert_true(chat.sent > 0);
	if (!eb_client_drain(listener, (int)chat.sent, 5000))
		fail_msg("the unrelated subscriber did not get all %lu messages", chat.sent);
	eb_client_disconnect(chat.publisher);
	chat.publisher = NULL;
	eb_client_disconnect(listener);

	/* Both chargers are still served and the topics follow the simulator. */
	plug_and_charge("4085", VIN_A, "16");
	rig_expect("4085/ampsInUse", "16", 2 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "16", RIG_CHANGE_MS);
	rig_expect("4085/currentVehicleVIN", VIN_A, RIG_VIN_MS);
	plug_and_charge("2433", VIN_B, "7.25");
	rig_expect("2433/ampsInUse", "7.25", 2 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "23.25", RIG_CHANGE_MS);
	rig_check_limits_fit(0, 32, 32);
}

/* ---- garbage on the line, a charger that talks too much ---- */

static void test_noise_on_the_line_leaves_the_topics_right(void **state)
{
	(void)state;
	/* C0DB: an id whose both bytes are escaped on the wire. */
	static const char *const args[] = {"--slave", "4085:2:32", "--slave", "C0DB:2:32", "--seed", "20240611", NULL};
	static const char *const setup[] = {"noise on", NULL};
	struct rig_setup rs = {.sim_args = args, .sim_commands = setup};
	rig_up(&rs);
	rig_join();
	plug_and_charge("4085", VIN_A, "16");
	rig_expect("4085/ampsInUse", "16", 3 * RIG_CHANGE_MS);
	plug_and_charge("C0DB", VIN_B, "10.5");
	rig_expect("C0DB/ampsInUse", "10.5", 3 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "26.5", 3 * RIG_CHANGE_MS);
	rig_expect_limit("4085", 1600, 4 * RIG_CHANGE_MS);
	rig_expect_limit("C0DB", 1600, 4 * RIG_CHANGE_MS);
	rig_expect("4085/ampsMax", "16", 3 * RIG_CHANGE_MS);
	rig_expect("C0DB/ampsMax", "16", 3 * RIG_CHANGE_MS);
	rig_do("noise off");
	printf("%zu frames from the simulator on the noisy line, about one in eight corrupted\n",
	       eb_sim_count(rig_sim(), 0, "tx "));

	/* No value but the simulator's ever showed: a corrupt frame never got through. */
	rig_expect_only("4085/ampsInUse", (const char *const[]){"0", "16", NULL});
	rig_expect_only("C0DB/ampsInUse", (const char *const[]){"0", "10.5", NULL});
	rig_expect_only("4085/state", (const char *const[]){"0", "4", "1", NULL});
	rig_expect_only("C0DB/state", (const char *const[]){"0", "4", "1", NULL});
	rig_expect_only("4085/ampsMax", (const char *const[]){"0", "16", "32", NULL});
	rig_expect_only("C0DB/ampsMax", (const char *const[]){"0", "16", NULL});
	rig_expect_only("all/totalAmpsInUse", (const char *const[]){"0", "16", "26.5", NULL});
	rig_expect_only("4085/currentVehicleVIN", (const char *const[]){"", VIN_A, NULL});
	rig_expect_only("C0DB/currentVehicleVIN", (const char *const[]){"", VIN_B, NULL});
	/* Asked for once when a charger joins and then every 60 s: a corrupted reply leaves them unknown a while. */
	rig_expect_only("4085/lifetimekWh", (const char *const[]){"56", NULL});
	rig_expect_only("C0DB/lifetimekWh", (const char *const[]){"56", NULL});
	rig_expect_only("4085/voltagePhaseA", (const char *const[]){"230", NULL});
	rig_expect_only("C0DB/voltagePhaseC", (const char *const[]){"232", NULL});
	printf("lifetimekWh known for 4085: %s, for C0DB: %s\n", rig_value("4085/lifetimekWh") ? "yes" : "no",
	       rig_value("C0DB/lifetimekWh") ? "yes" : "no");

	/* On a clean line again, changes show as usual. */
	rig_do("charge 4085 12");
	rig_expect("4085/ampsInUse", "12", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "22.5", RIG_CHANGE_MS);
}

static void test_flooding_charger_changes_nothing(void **state)
{
	(void)state;
	struct rig_setup rs = {0};
	rig_up(&rs);
	rig_join();
	plug_and_charge("4085", VIN_A, "16");
	rig_expect("4085/ampsInUse", "16", RIG_CHANGE_MS);
	rig_do("flood 4085 on"); /* a heartbeat every 20 ms, unasked */
	size_t cursor = eb_sim_mark(rig_sim());
	rig_do("charge 4085 12");
	rig_expect("4085/ampsInUse", "12", RIG_CHANGE_MS);
	plug_and_charge("2433", VIN_B, "6");
	rig_expect("2433/ampsInUse", "6", 3 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "18", RIG_CHANGE_MS);
	/* The other charger still hears its heartbeats. */
	size_t hb_cursor = cursor;
	for (int i = 0; i < 3; i++)
		if (!eb_sim_wait(rig_sim(), &hb_cursor, "hb 2433 ", 2500, NULL))
			fail_msg("charger 2433 heard %d heartbeats while 4085 flooded the bus", i);
	rig_do("flood 4085 off");
	rig_do("charge 4085 9");
	rig_expect("4085/ampsInUse", "9", RIG_CHANGE_MS);
	rig_check_limits_fit(0, 32, 32);
}

/* ---- the pool at run time ---- */

/* Publishes a new pool and checks the sharing invariant while it comes into force. */
static void set_pool(struct eb_client *setter, int from_amps, int to_amps)
{
	char text[16];
	snprintf(text, sizeof(text), "%d", to_amps);
	unsigned before = rig_updates("config/maxAmpsForSlaves");
	size_t from = eb_sim_mark(rig_sim());
	assert_int_equal(eb_client_publish_str(setter, "TWC/config/maxAmpsForSlaves/set", text, 1), 0);
	const char *shown = rig_expect_update("config/maxAmpsForSlaves", before, RIG_CHANGE_MS);
	assert_string_equal(shown, text);
	/* Two chargers want current and can take 32 A each. */
	int each = to_amps / 2 > 32 ? 32 : to_amps / 2;
	if (each < 6)
		each = 0;
	/* A raise waits up to 5 s after the charger's last change (twc.md, "Sharing the pool"). */
	rig_expect_limit("4085", each * 100, 4 * RIG_CHANGE_MS + 5000);
	rig_expect_limit("2433", each * 100, 4 * RIG_CHANGE_MS + 5000);
	rig_check_limits_fit(from, from_amps, to_amps);
}

static void refused_pool(struct eb_client *setter, const char *client_id, const char *value)
{
	unsigned errors = rig_updates("config/error");
	int rc = eb_client_publish_str(setter, "TWC/config/maxAmpsForSlaves/set", value, 1);
	if (rc != MQTT_RC_NOT_AUTHORIZED)
		fail_msg("maxAmpsForSlaves \"%s\": expected reason code 0x87, got %d", value, rc);
	const char *report = rig_expect_update("config/error", errors, 2000);
	char part[64];
	snprintf(part, sizeof(part), "\"value\":\"%s\"", value);
	char client_part[64];
	snprintf(client_part, sizeof(client_part), "\"client_id\":\"%s\"", client_id);
	const char *const parts[] = {"{\"error\":\"", client_part, "\"user\":\"operator\"}"};
	for (size_t i = 0; i < 3; i++)
		if (!strstr(report, parts[i]))
			fail_msg("maxAmpsForSlaves \"%s\": the report %s lacks %s", value, report, parts[i]);
	if (!strstr(report, part))
		fail_msg("maxAmpsForSlaves \"%s\": the report %s lacks %s", value, report, part);
}

static void test_pool_set_at_run_time(void **state)
{
	(void)state;
	/* A charger stopped by the pool starts again 2 s later at the earliest (the default is 60 s). */
	struct rig_setup rs = {.options = "plugin_opt_twc_wiring_max_amps_all 40\nplugin_opt_energy_start_s 2\n"};
	rig_up(&rs);
	rig_join();
	rig_expect("config/maxAmpsForSlaves", "32", RIG_CHANGE_MS);
	plug_and_charge("4085", VIN_A, "16");
	plug_and_charge("2433", VIN_B, "16");
	rig_expect_limit("4085", 1600, 4 * RIG_CHANGE_MS);
	rig_expect_limit("2433", 1600, 4 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "32", 2 * RIG_CHANGE_MS);
	rig_watch_also("house/#");

	struct eb_client *setter = client_v5("pool-setter", "operator");
	set_pool(setter, 32, 20); /* lowered: each charger is lowered before any is raised */
	rig_expect("4085/ampsInUse", "10", RIG_CHANGE_MS);
	rig_expect("2433/ampsInUse", "10", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "20", RIG_CHANGE_MS);
	set_pool(setter, 20, 40); /* the circuit's capacity: 20 A each, the cars take their 16 */
	rig_expect("all/totalAmpsInUse", "32", 2 * RIG_CHANGE_MS);
	set_pool(setter, 40, 0);
	rig_expect("4085/ampsInUse", "0", RIG_CHANGE_MS);
	rig_expect("2433/ampsInUse", "0", RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "0", RIG_CHANGE_MS);
	set_pool(setter, 0, 32);
	rig_expect("all/totalAmpsInUse", "32", 2 * RIG_CHANGE_MS + 5000);

	/* Refused: the pool, the limits and the config topic stay as they are. */
	unsigned config_updates = rig_updates("config/maxAmpsForSlaves");
	size_t from = eb_sim_mark(rig_sim());
	/* A client of its own, so that its share of log lines is whole (the setter's sets used some). */
	struct eb_client *refused = client_v5("pool-refused", "operator");
	unsigned errors;
	int logged = rig_log_lines_with("energy-bridge", "pool-refused");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	static const char *const bad[] = {"abc", "-1", "1000", "", "41", "20A"};
	size_t n_bad = sizeof(bad) / sizeof(bad[0]);
	for (size_t i = 0; i < n_bad; i++)
		refused_pool(refused, "pool-refused", bad[i]);
	/* A megabyte refused: the report quotes a bounded prefix and says how long the value was. */
	size_t big_len = 1 << 20;
	char *big = malloc(big_len);
	assert_non_null(big);
	memset(big, '\x01', big_len);
	errors = rig_updates("config/error");
	assert_int_equal(eb_client_publish(refused, "TWC/config/maxAmpsForSlaves/set", big, (int)big_len, 1, false, NULL),
			 MQTT_RC_NOT_AUTHORIZED);
	free(big);
	const char *big_report = rig_expect_update("config/error", errors, 2000);
	if (strlen(big_report) > 400 || !strstr(big_report, "\"value_bytes\":1048576"))
		fail_msg("the report of a 1 MB value is %zu bytes: %.300s", strlen(big_report), big_report);
	/* An MQTT v3.1.1 publisher has no reason code, but gets the same report. */
	struct eb_client *old = eb_client_simple(rig_broker()->port, "old-setter", "operator", MQTT_PROTOCOL_V311);
	assert_non_null(old);
	errors = rig_updates("config/error");
	assert_int_equal(eb_client_publish_str(old, "TWC/config/maxAmpsForSlaves/set", "many", 1), 0);
	const char *report = rig_expect_update("config/error", errors, 2000);
	if (!strstr(report, "\"client_id\":\"old-setter\""))
		fail_msg("the report for a v3.1.1 publisher: %s", report);
	eb_client_disconnect(old);

	/* Sentinel: whatever the refusals caused has reached the watcher by now. */
	assert_int_equal(eb_client_publish_str(setter, "house/sentinel", "after refusals", 1), 0);
	rig_pump_until("house/sentinel", 2000);
	assert_int_equal(rig_updates("config/maxAmpsForSlaves"), config_updates);
	assert_string_equal(rig_value("config/maxAmpsForSlaves"), "32");
	assert_int_equal(eb_sim_count(rig_sim(), from, "limit "), 0);
	/* Each refusal is logged up to the client's share of lines; the rest are counted, not logged. */
	int lines = rig_log_lines_with("energy-bridge", "pool-refused") - logged;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* A slow run (valgrind) earns a line per interval after the burst. */
	int most = LOG_LIMIT_BURST + (int)(((t1.tv_sec - t0.tv_sec) * 1000 + 999) / LOG_LIMIT_INTERVAL_MS);
	if (lines < LOG_LIMIT_BURST || lines > most)
		fail_msg("%zu refusals gave %d log lines naming the client, expected %d to %d", n_bad + 1, lines,
			 LOG_LIMIT_BURST, most);
	eb_client_disconnect(refused);
	eb_client_disconnect(setter);
}

/*
 * A pool that flaps (0, 32, 0, 32... every 100 ms for 10 s) must not flap a
 * charging car's contactor: the first 0 stops it at once, and nothing starts
 * it again within plugin_opt_energy_start_s (60 s by default). Before the
 * raise limit, this changed the limit 69 times in 10 s.
 */
static void test_flapping_pool_does_not_flap_the_contactor(void **state)
{
	(void)state;
	struct rig_setup rs = {.sim_args = (const char *const[]){"--slave", "4085:2:32", NULL}};
	rig_up(&rs);
	rig_join();
	plug_and_charge("4085", VIN_A, "32");
	rig_expect_limit("4085", 3200, 4 * RIG_CHANGE_MS);
	rig_expect("4085/ampsInUse", "32", RIG_CHANGE_MS);
	struct eb_client *setter = client_v5("flapper", "operator");
	size_t from = eb_sim_mark(rig_sim());
	int64_t until = eb_now_us() + 10 * 1000000LL;
	int sets = 0;
	while (eb_now_us() < until) {
		assert_int_equal(eb_client_publish_str(setter, "TWC/config/maxAmpsForSlaves/set", sets % 2 ? "32" : "0", 1),
				 0);
		sets++;
		usleep(100 * 1000);
	}
	usleep(1500 * 1000);
	size_t changes = eb_sim_count(rig_sim(), from, "limit 4085 ");
	size_t stops = eb_sim_count(rig_sim(), from, "rx FCB2 ");
	size_t starts = eb_sim_count(rig_sim(), from, "rx FCB1 ");
	printf("flapping pool: %d sets in 10 s, %zu limit changes, %zu FC B2, %zu FC B1\n", sets, changes, stops, starts);
	if (changes != 1 || stops != 1 || starts != 0)
		fail_msg("%d pool sets changed the limit %zu times (FC B2 %zu, FC B1 %zu); expected one stop", sets,
			 changes, stops, starts);
	/* Positive control: the stop did happen, and the car no longer draws. */
	assert_int_equal(rig_last_limit("4085"), 0);
	rig_expect("4085/ampsInUse", "0", RIG_CHANGE_MS);
	eb_client_disconnect(setter);
}

/* ---- forgery ---- */

static void test_forged_status_is_refused(void **state)
{
	(void)state;
	struct rig_setup rs = {0};
	rig_up(&rs);
	rig_join();
	rig_expect("4085/state", "0", RIG_CHANGE_MS);
	rig_watch_also("house/#");
	struct eb_client *forger = client_v5("forger", "mallory");
	static const struct {
		const char *topic, *payload;
		bool retain;
	} forgeries[] = {
		{"TWC/4085/ampsInUse", "99", false},
		{"TWC/4085/state", "2", true},
		{"TWC/4085/currentVehicleVIN", VIN_C, true},
		{"TWC/all/totalAmpsInUse", "99", false},
		{"TWC/config/maxAmpsForSlaves", "5", true},
		{"TWC/config/minAmpsPerTWC", "1", false},
		{"TWC/config/error", "{\"error\":\"forged\"}", false},
		{"TWC/config/maxAmpsForSlaves/set/more", "5", false},
		{"TWC/BEEF/ampsInUse", "99", true},
	};
	for (size_t i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
		const char *p = forgeries[i].payload;
		int rc = eb_client_publish(forger, forgeries[i].topic, p, (int)strlen(p), 1, forgeries[i].retain, NULL);
		if (rc != MQTT_RC_NOT_AUTHORIZED)
			fail_msg("%s%s: expected reason code 0x87, got %d", forgeries[i].retain ? "retained " : "",
				 forgeries[i].topic, rc);
	}
	struct eb_client *old = eb_client_simple(rig_broker()->port, "old-forger", "mallory", MQTT_PROTOCOL_V311);
	assert_non_null(old);
	assert_int_equal(eb_client_publish(old, "TWC/2433/state", "2", 1, 1, true, NULL), 0);
	eb_client_disconnect(old);

	/* Nothing reached the watcher: the board fails on an unknown charger, and saw no forged value. */
	assert_int_equal(eb_client_publish_str(forger, "house/sentinel", "after forgeries", 1), 0);
	rig_pump_until("house/sentinel", 2000);
	assert_false(rig_seen("4085/ampsInUse", "99"));
	assert_false(rig_seen("4085/state", "2"));
	assert_false(rig_seen("2433/state", "2"));
	assert_false(rig_seen("4085/currentVehicleVIN", VIN_C));
	assert_false(rig_seen("all/totalAmpsInUse", "99"));
	assert_false(rig_seen("config/maxAmpsForSlaves", "5"));
	assert_false(rig_seen("config/minAmpsPerTWC", "1"));
	assert_int_equal(rig_updates("config/error"), 0);

	/* Nothing was retained: a late subscriber gets the plugin's values only. */
	struct eb_client *late = eb_client_simple(rig_broker()->port, "late", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(late);
	assert_true(eb_client_subscribe(late, "TWC/#", 1) >= 0);
	assert_true(eb_client_subscribe(late, "house/#", 1) >= 0);
	assert_int_equal(eb_client_publish_str(forger, "house/sentinel", "late", 1), 0);
	for (;;) {
		struct eb_message *m = eb_client_next(late, 2000);
		if (!m)
			fail_msg("the late subscriber did not get the sentinel");
		bool sentinel = strcmp(m->topic, "house/sentinel") == 0;
		const char *published = sentinel ? NULL : rig_value(m->topic + strlen("TWC/"));
		if (!sentinel && (!published || strcmp(m->payload, published) != 0))
			fail_msg("retained %s = \"%s\", the plugin published %s", m->topic, (char *)m->payload,
				 published ? published : "nothing there");
		eb_message_free(m);
		if (sentinel)
			break;
	}
	eb_client_disconnect(late);
	if (rig_log_lines_with("energy-bridge", "forger") < 1)
		fail_msg("the refusals were not logged");
	eb_client_disconnect(forger);
}

/* ---- options ---- */

static void test_bad_options_stop_the_broker_naming_them(void **state)
{
	(void)state;
	static const struct {
		const char *line, *message;
	} cases[] = {
		{"plugin_opt_twc_mode slave", "energy-bridge: option plugin_opt_twc_mode: expected"},
		{"plugin_opt_twc_master_id 77777", "energy-bridge: option plugin_opt_twc_master_id: expected"},
		{"plugin_opt_twc_master_id 7g77", "energy-bridge: option plugin_opt_twc_master_id: expected"},
		{"plugin_opt_twc_max_amps_for_slaves lots", "energy-bridge: option plugin_opt_twc_max_amps_for_slaves: expected"},
		{"plugin_opt_twc_min_amps_per_twc 0", "energy-bridge: option plugin_opt_twc_min_amps_per_twc: expected"},
		{"plugin_opt_twc_wiring_max_amps_per_twc 81",
		 "energy-bridge: option plugin_opt_twc_wiring_max_amps_per_twc: expected"},
		{"plugin_opt_twc_wiring_max_amps_all -1", "energy-bridge: option plugin_opt_twc_wiring_max_amps_all: expected"},
		{"plugin_opt_twc_prefix TWC/#", "energy-bridge: option plugin_opt_twc_prefix: expected"},
		{"plugin_opt_twc_qos 3", "energy-bridge: option plugin_opt_twc_qos: expected"},
		{"plugin_opt_twc_refresh 0", "energy-bridge: option plugin_opt_twc_refresh: expected"},
		/* A pool above the circuit's capacity. */
		{"plugin_opt_twc_max_amps_for_slaves 40\nplugin_opt_twc_wiring_max_amps_all 32",
		 "plugin_opt_twc_max_amps_for_slaves: expected 0 to 32"},
	};
	char extra[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(extra, sizeof(extra), "plugin_opt_twc_port tcp://127.0.0.1:9\n%s\n", cases[i].line);
		assert_true(eb_broker_refuses_to_start(extra, cases[i].message));
	}
	assert_true(eb_broker_refuses_to_start("plugin_opt_twc_port ttyUSB0\n",
					       "energy-bridge: option plugin_opt_twc_port: expected"));
	assert_true(eb_broker_refuses_to_start("plugin_opt_twc_port tcp://127.0.0.1\n",
					       "energy-bridge: option plugin_opt_twc_port: expected"));
}

static bool log_says_link_retrying(void *arg)
{
	char *log = eb_broker_log(arg);
	bool seen = log && strstr(log, "energy-bridge: twc: cannot open");
	free(log);
	return seen;
}

/*
 * Mosquitto 2.0.0 to 2.0.14 never run TICK for a plugin loaded under
 * per_listener_settings true: there the plugin refuses TWC, naming the
 * setting. From 2.0.15 on (and in 2.1) it runs, and so does the link: its log
 * lines reach the broker's log through the TICK callback only.
 */
static void test_per_listener_settings_with_twc(void **state)
{
	(void)state;
	struct eb_version v = eb_broker_version();
	eb_broker_config_head("per_listener_settings true");
	if (!eb_broker_ticks_listener_plugins()) {
		int status;
		char *log = eb_broker_run_to_exit("plugin_opt_twc_port tcp://127.0.0.1:9\n", &status);
		bool named = eb_lines_with(log, "energy-bridge", "per_listener_settings") > 0;
		if (status == 0 || !named)
			fail_msg("per_listener_settings with TWC on %d.%d.%d: expected exit with a line naming it, "
				 "got status %d",
				 v.major, v.minor, v.revision, status);
		free(log);
	} else {
		struct eb_broker b;
		if (eb_broker_start(&b, "plugin_opt_twc_port tcp://127.0.0.1:9\n") != 0)
			fail_msg("per_listener_settings with TWC on %d.%d.%d: the broker did not start", v.major,
				 v.minor, v.revision);
		bool ticked = eb_poll(log_says_link_retrying, &b, eb_timeout_ms(10000));
		eb_broker_stop(&b);
		if (!ticked)
			fail_msg("per_listener_settings with TWC on %d.%d.%d: the link's log never reached the broker's "
				 "log (TICK does not run)",
				 v.major, v.minor, v.revision);
	}
	/* Without TWC the same configuration starts: a refusal is the plugin's, not a misplaced line. */
	struct eb_broker b;
	if (eb_broker_start(&b, NULL) != 0)
		fail_msg("per_listener_settings without TWC: the broker did not start");
	/*
	 * Its exit status is not judged: mosquitto 2.0.11 itself does not free a
	 * listener's plugin configuration at exit (LeakSanitizer reports the
	 * plugin's path, strdup'ed by mosquitto's config code).
	 */
	eb_broker_stop(&b);
	eb_broker_config_head(NULL);
}

static void test_options_shape_the_link_and_topics(void **state)
{
	(void)state;
	struct rig_setup rs = {.options = "plugin_opt_twc_prefix garage/twc\nplugin_opt_twc_master_id 12AB\n"
					  "plugin_opt_twc_wiring_max_amps_per_twc 20\nplugin_opt_twc_refresh 1\n"};
	rig_up(&rs);
	struct eb_client *old_prefix = eb_client_simple(rig_broker()->port, "old-prefix", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(old_prefix);
	assert_true(eb_client_subscribe(old_prefix, "TWC/#", 0) >= 0);
	size_t cursor = 0;
	if (!eb_sim_wait(rig_sim(), &cursor, "rx FCE1 from 12AB to all", 3000, NULL))
		fail_msg("no linkready from master 12AB");
	rig_join();

	rig_do("plug 4085 " VIN_A);
	rig_expect_limit("4085", 2000, 3 * RIG_CHANGE_MS); /* the wiring's 20 A, not the charger's 32 */
	rig_expect("4085/ampsMax", "20", RIG_CHANGE_MS);

	/* Unchanged values go out again every second. */
	unsigned volts = rig_updates("4085/voltagePhaseA");
	rig_expect_update("4085/voltagePhaseA", volts + 1, 3500);
	assert_string_equal(rig_value("4085/voltagePhaseA"), "230");
	assert_int_equal(eb_client_pending(old_prefix), 0);
	eb_client_disconnect(old_prefix);
}

/* ---- the link not there at start ---- */

/*
 * The converter appears appear_ms after the broker started; the master must
 * find it within found_ms of that moment.
 */
static void converter_appears_after(int appear_ms, int found_ms)
{
	int port = eb_free_port();
	assert_true(port > 0);
	char extra[128];
	snprintf(extra, sizeof(extra), "plugin_opt_twc_port tcp://127.0.0.1:%d\n", port);
	struct eb_broker b;
	if (eb_broker_start(&b, extra) != 0)
		fail_msg("the broker did not start while its TWC link is missing");
	struct eb_client *c = eb_client_simple(b.port, "meanwhile", NULL, MQTT_PROTOCOL_V5);
	assert_non_null(c);
	assert_int_equal(eb_client_publish_str(c, "house/meanwhile", "served", 1), 0);

	/* The converter appears later, on the configured port. */
	eb_sleep_ms(appear_ms);
	char port_text[16];
	snprintf(port_text, sizeof(port_text), "%d", port);
	struct eb_sim *sim = eb_sim_start((const char *const[]){"--port", port_text, NULL});
	assert_non_null(sim);
	size_t cursor = 0;
	bool linked = eb_sim_wait(sim, &cursor, "connected", found_ms, NULL) &&
		      eb_sim_wait(sim, &cursor, "hb 4085 ", 5000, NULL);
	eb_client_disconnect(c);
	int sim_status = eb_sim_stop(sim);
	int broker_status = eb_broker_stop(&b);
	if (!linked)
		fail_msg("the master did not find, within %d ms, the converter that appeared %d ms after it started",
			 found_ms, appear_ms);
	assert_int_equal(sim_status, 0);
	assert_int_equal(broker_status, 0);
}

static void test_link_missing_at_start_is_waited_for(void **state)
{
	(void)state;
	converter_appears_after(2000, 15000);
}

/*
 * A converter back after a long outage is found within the backoff's cap
 * (2 s, and a margin), so its wall connectors are heard again before they
 * count as gone (26 s). With a backoff grown to 30 s, one back after 9 s
 * waited until 15.75 s, and one back after 20 s until 31.75 s.
 */
static void test_converter_back_after_an_outage_is_found_before_chargers_are_gone(void **state)
{
	(void)state;
	converter_appears_after(9000, 3500);
}

/* ---- monitor mode ---- */

static void test_monitor_mode_sends_nothing(void **state)
{
	(void)state;
	struct rig_setup rs = {.options = "plugin_opt_twc_mode monitor\n"};
	rig_up(&rs);
	size_t cursor = 0;
	if (!eb_sim_wait(rig_sim(), &cursor, "connected", 5000, NULL))
		fail_msg("the monitor did not connect");
	/* Unattended, the chargers announce themselves after 10 s: a master would answer at once. */
	size_t announced = cursor;
	if (!eb_sim_wait(rig_sim(), &announced, "tx FDE2 4085", 15000, NULL) ||
	    !eb_sim_wait(rig_sim(), &announced, "tx FDE2 2433", 2000, NULL))
		fail_msg("the chargers did not announce themselves");
	if (eb_sim_wait(rig_sim(), &announced, "rx ", 1500, NULL))
		fail_msg("the monitor answered a linkready");
	assert_int_equal(eb_sim_count(rig_sim(), 0, "rx "), 0);
	assert_int_equal(eb_sim_count(rig_sim(), 0, "hb "), 0);
}

#define RIG_TEST(f) cmocka_unit_test_teardown(f, rig_down)

/* usage: itest_twc [pattern]   runs only the tests whose names match (cmocka's * and ?) */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		RIG_TEST(test_every_topic_carries_the_simulators_values),
		RIG_TEST(test_car_session_total_follows_the_draws),
		RIG_TEST(test_link_drop_reconnects_with_linkready_burst),
		cmocka_unit_test(test_converter_back_after_an_outage_is_found_before_chargers_are_gone),
		cmocka_unit_test_teardown(test_hundred_drops_while_the_broker_serves_others, chatter_down),
		RIG_TEST(test_noise_on_the_line_leaves_the_topics_right),
		RIG_TEST(test_flooding_charger_changes_nothing),
		RIG_TEST(test_pool_set_at_run_time),
		RIG_TEST(test_flapping_pool_does_not_flap_the_contactor),
		RIG_TEST(test_forged_status_is_refused),
		RIG_TEST(test_bad_options_stop_the_broker_naming_them),
		RIG_TEST(test_per_listener_settings_with_twc),
		RIG_TEST(test_options_shape_the_link_and_topics),
		RIG_TEST(test_link_missing_at_start_is_waited_for),
		RIG_TEST(test_monitor_mode_sends_nothing),
		RIG_TEST(test_silent_charger_is_gone_after_26_s_and_comes_back),
	};
	return cmocka_run_group_tests_name("integration_twc", tests, NULL, NULL);
}
