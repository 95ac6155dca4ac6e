/*
 * Faults with the real broker: clients that publish a mix of valid and
 * malformed MPPT and Venus messages at QoS 1 while others work, SIGHUP
 * reloads under that traffic, and the TWC link cut again and again on a noisy
 * line with a charger flooding the bus, all at once.
 *
 * What must hold each time: the broker keeps serving; every valid message is
 * delivered exactly once to each observer (itself, and what the plugin makes
 * of it); every malformed one is refused (0x87 to a v5 publisher, an error
 * report, nothing delivered); the plugin's counters (energy-bridge/stats)
 * moved by exactly what the traffic must have moved them by; the broker stops
 * cleanly (under the sanitizers or valgrind: no error, no leak).
 *
 * The traffic and its tracing live in mix.c. TWC faults on their own are in
 * itest_twc.c: the link lost and restored a hundred times
 * (test_hundred_drops_while_the_broker_serves_others), noise between and
 * inside frames (test_noise_on_the_line_leaves_the_topics_right), a flooding
 * charger (test_flooding_charger_changes_nothing); here they come together,
 * under MQTT traffic, with the link counters checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mix.h"
#include "twc_rig.h"

#define WORKERS 2		/* worker 0 speaks MQTT v5 (reason codes), worker 1 v3.1.1 */
#define OBSERVERS 2		/* one v5, one v3.1.1 */
#define MIXED_MESSAGES 800	/* per worker, in the plain mixed test */
#define RELOADS 5
#define RELOAD_STRETCH 400	/* messages (all workers) before each reload and after the last */
#define DROPS 10
#define UNTIL_STOPPED 40000	/* the most a worker sends while the faults go on (a bound, not a target) */
#define PAUSE_US 2000		/* then: so that an observer's queue (100 000 in the harness) cannot overflow */
#define QUIET_MS 300		/* how long "nothing more arrives" is watched */
#define MESSAGE_MS 5000		/* the longest wait for the next expected message */
#define SETTLE_MS 10000
#define REPORT_MAX 8		/* discrepancies described in a failure, the first ones */

static const char options[] = "plugin_opt_stats_interval 1\n"
			      "plugin_opt_venus_command_interval 0\n"; /* every valid command passes, however fast */

/* ---- workers: clients publishing the mix at QoS 1, each on its own thread ---- */

struct worker {
	int index;
	long max;			/* messages 0 .. max-1 at most */
	int pause_us;			/* between two messages: a steady load rather than the most it can */
	atomic_bool stop;		/* stop early (the TWC test) */
	atomic_long sent;		/* progress, read by the test's thread */
	struct eb_client *client;
	pthread_t thread;
	bool running;
	long counts[MIX_KINDS];
	long wrong;			/* a reason code other than the one due */
	char first_wrong[200];
};

static struct worker workers[WORKERS];

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	bool v5 = w->index == 0;
	for (long seq = 0; seq < w->max && !atomic_load(&w->stop); seq++) {
		struct mix_message m;
		mix_message(w->index, seq, &m);
		int rc = eb_client_publish(w->client, m.topic, m.payload, m.len, 1, false, NULL);
		/* v3.1.1 has no reason codes: its refusals show only at the observers. */
		int due = v5 && m.refused ? MQTT_RC_NOT_AUTHORIZED : 0;
		if (rc != due && w->wrong++ == 0)
			snprintf(w->first_wrong, sizeof(w->first_wrong), "message %ld (%s) on %s: reason code %d, expected %d",
				 seq, mix_kind_name(m.kind), m.topic, rc, due);
		w->counts[m.kind]++;
		atomic_store(&w->sent, seq + 1);
		if (w->pause_us)
			usleep((useconds_t)w->pause_us);
	}
	return NULL;
}

static void workers_start(int port, long max, int pause_us)
{
	for (int i = 0; i < WORKERS; i++) {
		struct worker *w = &workers[i];
		memset(w, 0, sizeof(*w));
		w->index = i;
		w->max = max;
		w->pause_us = pause_us;
		atomic_init(&w->stop, false);
		atomic_init(&w->sent, 0);
		char id[16];
		mix_client_id(i, id, sizeof(id));
		w->client = eb_client_simple(port, id, "mixer", i == 0 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
		assert_non_null(w->client);
		w->running = pthread_create(&w->thread, NULL, worker_run, w) == 0;
		assert_true(w->running);
	}
}

static void workers_join(void)
{
	for (int i = 0; i < WORKERS; i++) {
		struct worker *w = &workers[i];
		if (w->running)
			pthread_join(w->thread, NULL);
		w->running = false;
		eb_client_disconnect(w->client);
		w->client = NULL;
	}
}

static void workers_stop(void)
{
	for (int i = 0; i < WORKERS; i++)
		atomic_store(&workers[i].stop, true);
	workers_join();
}

static long workers_sent(void)
{
	long n = 0;
	for (int i = 0; i < WORKERS; i++)
		n += atomic_load(&workers[i].sent);
	return n;
}

/* A failed test must not leave threads publishing into the next test's broker. */
static int workers_down(void)
{
	for (int i = 0; i < WORKERS; i++)
		atomic_store(&workers[i].stop, true);
	for (int i = 0; i < WORKERS; i++) {
		if (workers[i].running)
			pthread_join(workers[i].thread, NULL);
		eb_client_disconnect(workers[i].client);
	}
	memset(workers, 0, sizeof(workers));
	return 0;
}

static void check_reason_codes(void)
{
	for (int i = 0; i < WORKERS; i++)
		if (workers[i].wrong > 0)
			fail_msg("worker %d: %ld publishes got the wrong reason code, the first: %s", i, workers[i].wrong,
				 workers[i].first_wrong);
}

/* ---- observers: subscribed to every output of the mix ---- */

struct observer {
	struct eb_client *client;
	unsigned char *got;	/* [worker][seq][sink] */
	long error_cursor[WORKERS];	/* where to look for the refused request the next report answers */
	long unexpected;
	char first_unexpected[300];
};

static struct observer observers[OBSERVERS];

static void observers_up(int port)
{
	for (int i = 0; i < OBSERVERS; i++) {
		struct observer *o = &observers[i];
		memset(o, 0, sizeof(*o));
		o->client = eb_client_simple(port, NULL, NULL, i == 0 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
		assert_non_null(o->client);
		for (size_t f = 0; mix_filters[f]; f++)
			assert_true(eb_client_subscribe(o->client, mix_filters[f], 1) >= 0);
	}
}

static int observers_down(void)
{
	for (int i = 0; i < OBSERVERS; i++) {
		eb_client_disconnect(observers[i].client);
		free(observers[i].got);
	}
	memset(observers, 0, sizeof(observers));
	return 0;
}

static long sent_by(int w)
{
	return atomic_load(&workers[w].sent);
}

static unsigned char *cell(struct observer *o, int w, long seq, enum mix_sink sink, long per_worker)
{
	return &o->got[((size_t)w * (size_t)per_worker + (size_t)seq) * MIX_SINKS + sink];
}

/* The refused MPPT request of worker w that the next report of its client answers: they come in order. */
static long next_refused_mppt(struct observer *o, int w)
{
	for (long seq = o->error_cursor[w]; seq < sent_by(w); seq++)
		if (mix_expected(mix_kind_of(seq), MIX_SINK_MPPT_ERROR)) {
			o->error_cursor[w] = seq + 1;
			return seq;
		}
	return -1;
}

static void note_unexpected(struct observer *o, const struct eb_message *m, const char *why)
{
	if (o->unexpected++ == 0)
		snprintf(o->first_unexpected, sizeof(o->first_unexpected), "%s: %s \"%.160s\"", why, m->topic,
			 (char *)m->payload);
}

static void take(struct observer *o, const struct eb_message *m, long per_worker)
{
	enum mix_sink sink;
	int w;
	long seq;
	if (!mix_trace(m->topic, m->payload, &sink, &w, &seq) || w >= WORKERS) {
		note_unexpected(o, m, "not caused by the traffic");
		return;
	}
	if (sink == MIX_SINK_MPPT_ERROR) {
		seq = next_refused_mppt(o, w);
		char error[64];
		snprintf(error, sizeof(error), "\"error\":\"%s", seq >= 0 ? mix_mppt_error(mix_kind_of(seq)) : "");
		if (seq < 0 || !strstr(m->payload, error)) {
			note_unexpected(o, m, "an MPPT error report out of turn");
			return;
		}
	}
	if (seq >= sent_by(w)) {
		note_unexpected(o, m, "a message never sent");
		return;
	}
	unsigned char *n = cell(o, w, seq, sink, per_worker);
	if (*n < 255)
		(*n)++;
}

static long expected_total(void)
{
	long total = 0;
	for (int w = 0; w < WORKERS; w++)
		for (long seq = 0; seq < sent_by(w); seq++)
			for (int s = 0; s < MIX_SINKS; s++)
				total += mix_expected(mix_kind_of(seq), (enum mix_sink)s);
	return total;
}

/* Describes every message whose outputs on this observer are not exactly what its kind gives. */
static long count_discrepancies(struct observer *o, long per_worker, char *report, size_t size)
{
	long bad = 0;
	size_t used = 0;
	report[0] = '\0';
	for (int w = 0; w < WORKERS; w++)
		for (long seq = 0; seq < sent_by(w); seq++)
			for (int s = 0; s < MIX_SINKS; s++) {
				enum mix_kind kind = mix_kind_of(seq);
				int due = mix_expected(kind, (enum mix_sink)s), got = *cell(o, w, seq, (enum mix_sink)s, per_worker);
				if (got == due)
					continue;
				if (bad++ < REPORT_MAX && used < size) {
					int n = snprintf(report + used, size - used, "\n  worker %d message %ld (%s): %d on %s, expected %d",
							 w, seq, mix_kind_name(kind), got, mix_sink_name((enum mix_sink)s), due);
					used += n > 0 ? (size_t)n : 0;
				}
			}
	return bad;
}

/*
 * Each observer must get every output of what the workers sent, exactly once,
 * and nothing else; per_worker bounds the message numbers.
 */
static void check_deliveries(long per_worker)
{
	long total = expected_total();
	for (int i = 0; i < OBSERVERS; i++) {
		struct observer *o = &observers[i];
		o->got = calloc((size_t)WORKERS * (size_t)per_worker * MIX_SINKS, 1);
		assert_non_null(o->got);
		long received = 0;
		for (; received < total; received++) {
			struct eb_message *m = eb_client_next(o->client, MESSAGE_MS);
			if (!m)
				break;
			take(o, m, per_worker);
			eb_message_free(m);
		}
		/* Anything after the expected number is a duplicate or worse. */
		struct eb_message *m;
		while ((m = eb_client_next(o->client, QUIET_MS))) {
			take(o, m, per_worker);
			eb_message_free(m);
			received++;
		}
		char report[2048];
		long bad = count_discrepancies(o, per_worker, report, sizeof(report));
		printf("observer %d (%s): %ld messages for %ld sent, %ld expected\n", i, i == 0 ? "v5" : "v3.1.1", received,
		       workers_sent(), total);
		if (o->unexpected > 0)
			fail_msg("observer %d got %ld messages the traffic cannot explain, the first: %s", i, o->unexpected,
				 o->first_unexpected);
		if (bad > 0)
			fail_msg("observer %d: %ld outputs not delivered exactly as due:%s%s", i, bad, report,
				 bad > REPORT_MAX ? "\n  ..." : "");
	}
}

/* ---- counters ---- */

static struct eb_client *stats_client(int port)
{
	struct eb_client *c = eb_client_simple(port, "stats-reader", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(c);
	assert_true(eb_client_subscribe(c, "energy-bridge/stats", 0) >= 0);
	return c;
}

static void settled(struct eb_client *c, struct mix_stats *out)
{
	if (!mix_stats_settled(c, out, SETTLE_MS))
		fail_msg("the plugin's counters did not settle within %d s", SETTLE_MS / 1000);
}

static void check_counters(const struct mix_stats *before, const struct mix_stats *after)
{
	long counts[MIX_KINDS] = {0};
	for (int w = 0; w < WORKERS; w++)
		for (int k = 0; k < MIX_KINDS; k++)
			counts[k] += workers[w].counts[k];
	struct mix_stats expected;
	mix_stats_expected(counts, &expected);
	char why[1024];
	if (!mix_stats_match(before, after, &expected, why, sizeof(why)))
		fail_msg("the counters do not match the traffic: %s", why);
	/* One battery per worker, named by its commands and its replies alike. */
	assert_int_equal(after->venus_devices, WORKERS);
	printf("counters: %lld requests translated, %lld refused, %lld commands passed, %lld refused, %lld replies, "
	       "%lld forgeries refused\n",
	       after->mppt_translated, after->mppt_refused, after->venus_passed, after->venus_refused,
	       after->venus_replies, after->forgeries_refused);
}

/* The broker still serves a client that was not there during the faults. */
static void check_serving(int port)
{
	struct eb_client *c = eb_client_simple(port, "newcomer", NULL, MQTT_PROTOCOL_V5);
	assert_non_null(c);
	assert_true(eb_client_subscribe(c, "after/faults", 1) >= 0);
	assert_int_equal(eb_client_publish_str(c, "after/faults", "still here", 1), 0);
	struct eb_message *m = eb_client_next(c, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "still here");
	eb_message_free(m);
	eb_client_disconnect(c);
}

/* ---- one broker per test ---- */

static struct eb_broker broker;
static bool broker_up;
static struct eb_client *stats;

static int broker_down(void **state)
{
	(void)state;
	workers_down();
	observers_down();
	eb_client_disconnect(stats);
	stats = NULL;
	if (!broker_up)
		return 0;
	broker_up = false;
	return eb_broker_stop(&broker) == 0 ? 0 : -1;
}

static void broker_with_observers(void)
{
	assert_int_equal(eb_broker_start(&broker, options), 0);
	broker_up = true;
	stats = stats_client(broker.port);
	observers_up(broker.port);
}

static void test_mixed_traffic_valid_once_malformed_refused(void **state)
{
	(void)state;
	broker_with_observers();
	struct mix_stats before, after;
	settled(stats, &before);
	workers_start(broker.port, MIXED_MESSAGES, 0);
	workers_join();
	check_reason_codes();
	check_deliveries(MIXED_MESSAGES);
	settled(stats, &after);
	check_counters(&before, &after);
	check_serving(broker.port);
}

static bool progress_reached(void *n)
{
	return workers_sent() >= *(long *)n;
}

static bool reloads_logged(void *n)
{
	char *log = eb_broker_log(&broker);
	bool logged = (long)eb_count(log, "Reloading config.") >= *(long *)n;
	free(log);
	return logged;
}

/*
 * Mosquitto 2.0 rereads its configuration on SIGHUP but keeps its plugins as
 * they are (the plugin registers no MOSQ_EVT_RELOAD): the traffic must be
 * translated and gated the same before, between and after the reloads, with
 * the options of the start (command interval 0, statistics every second).
 */
static void test_sighup_reloads_under_traffic(void **state)
{
	(void)state;
	broker_with_observers();
	struct mix_stats before, after;
	settled(stats, &before);
	workers_start(broker.port, UNTIL_STOPPED, PAUSE_US);
	/* Traffic before, between and after the reloads; each reload is awaited in the log. */
	for (int r = 1; r <= RELOADS + 1; r++) {
		long progress = workers_sent() + RELOAD_STRETCH, reloads = r;
		if (!eb_poll(progress_reached, &progress, eb_timeout_ms(60000)))
			fail_msg("the traffic stalled at %ld messages before reload %d", workers_sent(), r);
		if (r > RELOADS)
			break;
		eb_broker_signal(&broker, SIGHUP);
		if (!eb_poll(reloads_logged, &reloads, eb_timeout_ms(10000)))
			fail_msg("the broker did not log reload %d", r);
	}
	workers_stop();
	printf("%d reloads while %ld messages were sent\n", RELOADS, workers_sent());
	check_reason_codes();
	check_deliveries(UNTIL_STOPPED);
	settled(stats, &after);
	check_counters(&before, &after);
	check_serving(broker.port);
}

/* ---- the TWC link cut, noisy and flooded, under the same traffic ---- */

static int twc_down(void **state)
{
	workers_down();
	observers_down();
	eb_client_disconnect(stats);
	stats = NULL;
	return rig_down(state);
}

/*
 * Cuts the link and waits until the master is back and serving the chargers
 * again (a heartbeat to each), so that the noise and the flood meet a working
 * link between two cuts, not only its linkready burst.
 */
static void drop_and_reconnect(int i)
{
	size_t cursor = eb_sim_mark(rig_sim());
	rig_do("drop");
	if (!eb_sim_wait(rig_sim(), &cursor, "disconnected", 3000, NULL) ||
	    !eb_sim_wait(rig_sim(), &cursor, "connected", 5000, NULL) ||
	    !eb_sim_wait(rig_sim(), &cursor, "rx FCE1 from 7777", 3000, NULL))
		fail_msg("drop %d: the master did not come back on a new connection", i + 1);
	size_t hb_4085 = cursor, hb_2433 = cursor;
	if (!eb_sim_wait(rig_sim(), &hb_4085, "hb 4085 ", 5000, NULL) ||
	    !eb_sim_wait(rig_sim(), &hb_2433, "hb 2433 ", 5000, NULL))
		fail_msg("drop %d: the master did not heartbeat both chargers on the new connection", i + 1);
}

static void test_twc_link_cut_noisy_and_flooded_under_traffic(void **state)
{
	(void)state;
	struct rig_setup rs = {.options = options};
	rig_up(&rs);
	rig_join();
	stats = stats_client(rig_broker()->port);
	observers_up(rig_broker()->port);
	struct mix_stats before, noisy, clean, later;
	settled(stats, &before);
	assert_true(before.twc);
	assert_int_equal(before.twc_slaves, 2);

	size_t flood_from = eb_sim_mark(rig_sim());
	rig_do("noise on");		/* junk between frames, now and then a bit flipped inside one */
	rig_do("flood 2433 on");	/* a heartbeat every 20 ms, unasked */
	workers_start(rig_broker()->port, UNTIL_STOPPED, PAUSE_US);
	for (int i = 0; i < DROPS; i++)
		drop_and_reconnect(i);
	long during = workers_sent();
	size_t sim_frames = eb_sim_count(rig_sim(), flood_from, "tx ");
	workers_stop();
	printf("%d drops while %ld messages were sent\n", DROPS, during);
	if (during >= (long)WORKERS * UNTIL_STOPPED)
		fail_msg("the traffic ended before the last drop: nothing was tested under it");
	settled(stats, &noisy);
	rig_do("noise off");
	rig_do("flood 2433 off");
	check_reason_codes();
	check_deliveries(UNTIL_STOPPED);
	check_counters(&before, &noisy);

	/* The link counters: every cut counted once, both chargers still known, the noise seen. */
	printf("TWC: %lld reconnects, %lld good frames, %lld bad, %lld sent, %lld slaves\n",
	       noisy.twc_reconnects - before.twc_reconnects, noisy.twc_good - before.twc_good,
	       noisy.twc_bad - before.twc_bad, noisy.twc_sent - before.twc_sent, noisy.twc_slaves);
	assert_int_equal(noisy.twc_reconnects - before.twc_reconnects, DROPS);
	assert_int_equal(noisy.twc_slaves, 2);
	assert_true(noisy.twc_bad > before.twc_bad);
	/*
	 * The master kept reading the flooded bus: most of what the simulator sent
	 * meanwhile was taken as good frames (not all: noise corrupts some, a cut
	 * loses what was on the wire).
	 */
	printf("the simulator sent %zu frames meanwhile\n", sim_frames);
	if (noisy.twc_good - before.twc_good < (long long)sim_frames / 2)
		fail_msg("%lld good frames of the %zu the simulator sent", noisy.twc_good - before.twc_good, sim_frames);
	assert_int_equal(noisy.twc_pool_refusals, 0);
	assert_int_equal(noisy.twc_outbox_refused, 0);

	/* On a clean line the chargers are served as before, and no bad frame is counted any more. */
	rig_do("plug 4085 " VIN_A);
	rig_do("charge 4085 12");
	rig_expect("4085/ampsInUse", "12", 3 * RIG_CHANGE_MS);
	rig_expect("all/totalAmpsInUse", "12", RIG_CHANGE_MS);
	settled(stats, &clean);
	settled(stats, &later);
	if (later.twc_bad != clean.twc_bad)
		fail_msg("%lld bad frames counted on a clean line", later.twc_bad - clean.twc_bad);
	assert_true(later.twc_good > clean.twc_good);
	assert_int_equal(later.twc_reconnects, noisy.twc_reconnects);
	check_serving(rig_broker()->port);
}

/* usage: itest_faults [pattern]   runs only the tests whose names match (cmocka's * and ?) */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mixed_traffic_valid_once_malformed_refused, broker_down),
		cmocka_unit_test_teardown(test_sighup_reloads_under_traffic, broker_down),
		cmocka_unit_test_teardown(test_twc_link_cut_noisy_and_flooded_under_traffic, twc_down),
	};
	return cmocka_run_group_tests_name("integration_faults", tests, NULL, NULL);
}
