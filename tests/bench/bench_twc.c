/*
 * Benchmark: how fast a wall connector's status reaches an MQTT subscriber,
 * and how steadily the master heartbeats each one, with three simulated wall
 * connectors (tests/twc_sim) on the plugin's TCP link.
 *
 * (a) Latency: every round changes the current each charger draws. The
 *     simulator stamps the heartbeat reply that first carries the new value
 *     (its "tx FDE0 <id> t=<us>" line) and the subscriber stamps the
 *     ampsInUse message that shows it, both on CLOCK_MONOTONIC: three samples
 *     a round. Target: p99 <= 150 ms on Mosquitto 2.0 (its loop waits up to
 *     100 ms before the plugin's TICK), <= 20 ms on 2.1 (woken for it).
 * (b) Heartbeat intervals: the gaps between the "hb <id>" lines of each
 *     charger over the same time. Target: <= 1.2 s.
 *
 * usage: bench_twc [rounds]    (default 55: 165 samples, about 65 s)
 * e.g.   cmake --build build --target bench_twc && build/tests/bench_twc
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"
#include "sim.h"

#define SLAVES 3
#define ROUND_MS 5000		/* a round's three messages come within about a second */
#define LATENCY_TARGET_MS_2_0 150.0
#define LATENCY_TARGET_MS_2_1 20.0
#define HEARTBEAT_TARGET_MS 1200.0

static const char *const slave_ids[SLAVES] = {"4085", "2433", "3344"};

static void print_load(const char *when)
{
	char text[128] = "unknown";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(text, sizeof(text), f))
			snprintf(text, sizeof(text), "unknown\n");
		fclose(f);
	}
	printf("machine load %s: %s", when, text);
}

/* The demand of round r, in hundredths of an amp: 7 to 15 A, never the same twice in a row. */
static int demand_of_round(int round, int slave)
{
	return 700 + ((round * 7 + slave * 131) % 800);
}

static void amps_text(int centiamps, char *buf, size_t size)
{
	if (centiamps % 100 == 0)
		snprintf(buf, size, "%d", centiamps / 100);
	else if (centiamps % 10 == 0)
		snprintf(buf, size, "%d.%d", centiamps / 100, centiamps % 100 / 10);
	else
		snprintf(buf, size, "%d.%02d", centiamps / 100, centiamps % 100);
}

/*
 * Sets the demand and returns the simulator's time stamp of the first
 * heartbeat reply of that charger after the command: the first frame that
 * carries the new current. -1 when none came in time.
 */
static int64_t change_demand(struct eb_sim *sim, const char *id, const char *amps)
{
	size_t cursor = eb_sim_mark(sim);
	if (eb_sim_command(sim, "charge %s %s", id, amps) != 0)
		return -1;
	/* The answers come in order: the first "ok" after the mark is this command's. */
	if (!eb_sim_wait(sim, &cursor, "ok", 1000, NULL))
		return -1;
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "tx FDE0 %s ", id);
	struct eb_sim_event e;
	if (!eb_sim_wait(sim, &cursor, prefix, ROUND_MS, &e))
		return -1;
	return eb_sim_event_time_us(&e);
}

/* Takes messages until every charger's ampsInUse shows its expected text; stores the arrival times. */
static bool await_round(struct eb_client *sub, char expected[SLAVES][16], int64_t arrived_us[SLAVES])
{
	bool got[SLAVES] = {false};
	int missing = SLAVES;
	while (missing > 0) {
		struct eb_message *m = eb_client_next(sub, ROUND_MS);
		if (!m)
			return false;
		for (int s = 0; s < SLAVES; s++) {
			char topic[32];
			snprintf(topic, sizeof(topic), "TWC/%s/ampsInUse", slave_ids[s]);
			if (!got[s] && strcmp(m->topic, topic) == 0 && strcmp(m->payload, expected[s]) == 0) {
				got[s] = true;
				arrived_us[s] = m->arrived_us;
				missing--;
			}
		}
		eb_message_free(m);
	}
	return true;
}

static void report_heartbeats(struct eb_sim *sim, size_t from, size_t to)
{
	for (int s = 0; s < SLAVES; s++) {
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "hb %s ", slave_ids[s]);
		size_t n = 0, capacity = 256;
		double *gaps = malloc(capacity * sizeof(*gaps));
		int64_t previous = -1;
		struct eb_sim_event e;
		for (size_t i = from; i < to && eb_sim_get(sim, i, &e); i++) {
			if (!eb_starts_with(e.line, prefix))
				continue;
			int64_t t = eb_sim_event_time_us(&e);
			if (previous >= 0) {
				if (n == capacity)
					gaps = realloc(gaps, (capacity *= 2) * sizeof(*gaps));
				gaps[n++] = (double)(t - previous) / 1000.0;
			}
			previous = t;
		}
		if (n == 0) {
			printf("heartbeats of %s: none\n", slave_ids[s]);
		} else {
			eb_sort_doubles(gaps, n);
			double max = gaps[n - 1];
			printf("heartbeat interval of %s: median %.0f ms, p99 %.0f ms, max %.0f ms over %zu intervals "
			       "(target <= %.0f ms: %s)\n",
			       slave_ids[s], eb_quantile(gaps, n, 0.5), eb_quantile(gaps, n, 0.99), max, n,
			       HEARTBEAT_TARGET_MS, max <= HEARTBEAT_TARGET_MS ? "met" : "MISSED");
		}
		free(gaps);
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 55;
	if (rounds <= 0)
		return 1;
	static const char *const args[] = {"--slave", "4085:2:32", "--slave", "2433:2:32", "--slave", "3344:1:32", NULL};
	struct eb_sim *sim = eb_sim_start(args);
	if (!sim)
		return 1;
	char extra[256];
	snprintf(extra, sizeof(extra),
		 "log_type error\nlog_type warning\nplugin_opt_twc_port tcp://127.0.0.1:%d\n"
		 "plugin_opt_twc_max_amps_for_slaves 48\n",
		 eb_sim_port(sim));
	struct eb_broker broker;
	if (eb_broker_start(&broker, extra) != 0) {
		eb_sim_stop(sim);
		return 1;
	}
	struct eb_client *sub = eb_client_simple(broker.port, "bench-twc", NULL, MQTT_PROTOCOL_V311);
	if (!sub || eb_client_subscribe(sub, "TWC/+/ampsInUse", 0) < 0)
		return 1;

	print_load("before");
	/* Three cars without VIN (no VIN queries on the bus), each getting 16 A of the 48 A pool. */
	for (int s = 0; s < SLAVES; s++)
		if (eb_sim_command(sim, "plug %s -", slave_ids[s]) != 0 ||
		    eb_sim_command(sim, "charge %s 6", slave_ids[s]) != 0)
			return 1;
	char expected[SLAVES][16];
	int64_t arrived[SLAVES];
	for (int s = 0; s < SLAVES; s++)
		snprintf(expected[s], sizeof(expected[s]), "6");
	if (!await_round(sub, expected, arrived)) {
		fprintf(stderr, "the three chargers did not show up on TWC/+/ampsInUse\n");
		return 1;
	}

	size_t samples_max = (size_t)rounds * SLAVES, n = 0;
	double *latency_ms = malloc(samples_max * sizeof(*latency_ms));
	size_t hb_from = eb_sim_mark(sim);
	for (int r = 0; r < rounds; r++) {
		int64_t sent[SLAVES];
		for (int s = 0; s < SLAVES; s++) {
			amps_text(demand_of_round(r, s), expected[s], sizeof(expected[s]));
			sent[s] = change_demand(sim, slave_ids[s], expected[s]);
			if (sent[s] < 0) {
				fprintf(stderr, "round %d: no heartbeat reply from %s after the change\n", r + 1, slave_ids[s]);
				return 1;
			}
		}
		if (!await_round(sub, expected, arrived)) {
			fprintf(stderr, "round %d: not every change reached the subscriber\n", r + 1);
			return 1;
		}
		for (int s = 0; s < SLAVES; s++)
			latency_ms[n++] = (double)(arrived[s] - sent[s]) / 1000.0;
	}
	size_t hb_to = eb_sim_mark(sim);

	eb_sort_doubles(latency_ms, n);
	double p99 = eb_quantile(latency_ms, n, 0.99);
	struct eb_version v = eb_broker_version();
	double target = eb_version_compare(v, (struct eb_version){2, 1, 0}) >= 0 ? LATENCY_TARGET_MS_2_1
										 : LATENCY_TARGET_MS_2_0;
	printf("TWC status latency on Mosquitto %d.%d.%d, frame leaving the simulator to MQTT subscriber: median "
	       "%.1f ms, p99 %.1f ms, max %.1f ms over %zu samples (target p99 <= %.0f ms: %s)\n",
	       v.major, v.minor, v.revision, eb_quantile(latency_ms, n, 0.5), p99, latency_ms[n - 1], n, target,
	       p99 <= target ? "met" : "MISSED");
	report_heartbeats(sim, hb_from, hb_to);
	print_load("after");
	free(latency_ms);

	eb_client_disconnect(sub);
	int broker_status = eb_broker_stop(&broker);
	int sim_status = eb_sim_stop(sim);
	return broker_status == 0 && sim_status == 0 ? 0 : 1;
}
