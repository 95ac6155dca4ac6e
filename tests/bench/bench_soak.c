/*
 * Soak benchmark: a million mixed messages (mix.c: valid and malformed MPPT
 * requests, Venus commands and replies, forgeries, plain traffic) through one
 * broker with every job on (MPPT, Venus with polling, TWC on the simulator,
 * Home Assistant discovery), watching the broker's memory: its resident set
 * (VmRSS of /proc/<pid>/status) and the heap mosquitto tracks
 * ($SYS/broker/heap/current, sys_interval 1), before, during and after.
 *
 * "Before" is taken after a warm-up of the same traffic, once everything is
 * delivered and the broker idles: its caches (topic tree, retained messages,
 * client sessions, the plugin's device tables) are then as full as they will
 * get, since the traffic names the same few topics and devices all along.
 * From there, growth means something is kept per message: the verdict fails
 * when "after" exceeds "before" by more than the limits below. The heap
 * mosquitto tracks leaves out what the plugin allocates with malloc() (its
 * JSON, its buffers): the resident set covers both, and its growth over the
 * second half of the run, when the allocator has found its level, bounds
 * what could be kept per message.
 *
 * Flow control: publishers never run more than WINDOW outputs ahead of the
 * slowest observer, so the broker's queues (and memory) stay bounded by design.
 *
 * usage: bench_soak [messages]    (default 1000000; 1 to 5 minutes on 2 cores)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mix.h"
#include "sim.h"

#define WORKERS 2		/* publishers: worker 0 MQTT v5, worker 1 v3.1.1 */
#define OBSERVERS 2		/* subscribers to every output: one v5, one v3.1.1 */
#define BATCH 500		/* messages queued between two looks at the observers */
#define WINDOW 2000		/* outputs the publishers may run ahead of the slowest observer */
#define WARMUP_SHARE 10		/* the warm-up: a tenth of the messages, at least 20 000 */
#define SAMPLES 10		/* "during" samples */
#define DRAIN_MS 120000
#define IDLE_MS 3000		/* idling before a before/after sample */
#define HEAP_LIMIT (256 * 1024LL)	/* bytes of $SYS/broker/heap/current growth allowed */
#define RSS_LIMIT_KB (4 * 1024LL)	/* kB of resident growth allowed from before to after (allocator slack) */
#define RSS_HALF_LIMIT_KB 512LL		/* ... over the second half: under about a byte per message */

static struct eb_broker broker;
static struct eb_sim *sim;

static void die(const char *what)
{
	fprintf(stderr, "bench_soak: %s\n", what);
	exit(1);
}

/* ---- observers: count what arrives, on their own threads ---- */

struct counter {
	enum { COUNT_TRAFFIC, COUNT_ALL, COUNT_HEAP } mode;
	struct eb_client *client;
	pthread_t thread;
	atomic_long received;	/* outputs of the traffic */
	atomic_long polls;	/* the plugin's own cd=1 polls */
	atomic_long unexplained;
	atomic_long last_value;	/* the heap watcher: the latest $SYS/broker/heap/current */
	atomic_long values;	/* ... and how many came */
};

static atomic_bool stopping;
static struct counter observers[OBSERVERS], twc_watch, heap_watch;

static void count(struct counter *c, const struct eb_message *m)
{
	if (c->mode == COUNT_HEAP) {
		atomic_store(&c->last_value, atol(m->payload));
		atomic_fetch_add(&c->values, 1);
		return;
	}
	if (c->mode == COUNT_ALL) {
		atomic_fetch_add(&c->received, 1);
		return;
	}
	enum mix_sink sink;
	int worker;
	long seq;
	if (mix_trace(m->topic, m->payload, &sink, &worker, &seq))
		atomic_fetch_add(&c->received, 1);
	else if (strcmp(m->payload, "cd=1") == 0 && strstr(m->topic, "/App/"))
		atomic_fetch_add(&c->polls, 1);
	else if (atomic_fetch_add(&c->unexplained, 1) == 0)
		fprintf(stderr, "unexplained message on %s: %.120s\n", m->topic, (char *)m->payload);
}

static void *count_run(void *arg)
{
	struct counter *c = arg;
	while (!atomic_load(&stopping)) {
		struct eb_message *m = eb_client_next(c->client, 100);
		if (m)
			count(c, m);
		eb_message_free(m);
	}
	return NULL;
}

static void counter_start(struct counter *c, int protocol, const char *const *filters)
{
	c->client = eb_client_simple(broker.port, NULL, NULL, protocol);
	if (!c->client)
		die("an observer could not connect");
	for (size_t i = 0; filters[i]; i++)
		if (eb_client_subscribe(c->client, filters[i], 1) < 0)
			die("an observer could not subscribe");
	if (pthread_create(&c->thread, NULL, count_run, c) != 0)
		die("no thread");
}

static long slowest_observer(void)
{
	long n = atomic_load(&observers[0].received);
	for (int i = 1; i < OBSERVERS; i++) {
		long m = atomic_load(&observers[i].received);
		n = m < n ? m : n;
	}
	return n;
}

/* ---- publishers ---- */

static atomic_long outputs_due;	/* outputs of everything sent so far, per observer */

struct worker {
	int index;
	struct eb_client *client;
	long next_seq, until;	/* messages next_seq .. until-1 in the current stretch */
	long counts[MIX_KINDS];
	pthread_t thread;
};

static struct worker workers[WORKERS];

static int qos_of(long seq)
{
	return seq % 10 == 0 ? 2 : seq % 10 < 4 ? 0 : 1;
}

static void wait_for_observers(long behind)
{
	double deadline = eb_now_s() + DRAIN_MS / 1000.0;
	while (slowest_observer() < atomic_load(&outputs_due) - behind) {
		if (eb_now_s() > deadline)
			die("the observers stopped receiving");
		eb_sleep_ms(1);
	}
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	for (; w->next_seq < w->until; w->next_seq++) {
		long seq = w->next_seq;
		struct mix_message m;
		mix_message(w->index, seq, &m);
		long outputs = 0;
		for (int s = 0; s < MIX_SINKS; s++)
			outputs += mix_expected(m.kind, (enum mix_sink)s);
		atomic_fetch_add(&outputs_due, outputs);
		w->counts[m.kind]++;
		/*
		 * Not one publish waiting for its acknowledgement: the harness's blocking
		 * publish assumes nothing else in flight, and QoS 2 completes late.
		 */
		if (eb_client_publish_nowait(w->client, m.topic, m.payload, m.len, qos_of(seq)) != 0)
			die("a publish failed");
		if ((seq + 1) % BATCH == 0)
			wait_for_observers(WINDOW);
	}
	return NULL;
}

/* Sends messages up to `until` per worker, all workers at once, and waits until every output arrived. */
static void run_traffic(long until)
{
	for (int i = 0; i < WORKERS; i++) {
		workers[i].until = until;
		if (pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]) != 0)
			die("no thread");
	}
	for (int i = 0; i < WORKERS; i++)
		pthread_join(workers[i].thread, NULL);
	wait_for_observers(0);
}

/* ---- memory ---- */

static long rss_kb(void)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)broker.pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* The broker's tracked heap, as published after this call (it publishes each second, when it changed). */
static long heap_now(void)
{
	long seen = atomic_load(&heap_watch.values);
	for (int waited = 0; waited < 2500 && atomic_load(&heap_watch.values) == seen; waited += 10)
		eb_sleep_ms(10);
	return atomic_load(&heap_watch.last_value);
}

struct sample {
	char name[16];
	long messages, rss_kb, heap;
	double at;
};

static void print_sample(const struct sample *s, double start)
{
	printf("%-8s %9ld messages %7.1f s   VmRSS %7ld kB   heap %9ld B\n", s->name, s->messages, s->at - start,
	       s->rss_kb, s->heap);
}

static struct sample take_sample(const char *name, long messages, double start)
{
	struct sample s = {.messages = messages, .rss_kb = rss_kb(), .heap = heap_now(), .at = eb_now_s()};
	snprintf(s.name, sizeof(s.name), "%s", name);
	print_sample(&s, start);
	return s;
}

/* ---- set-up ---- */

static void start_broker(void)
{
	if (eb_broker_prepare(&broker) != 0)
		die("no broker directory");
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.conf", broker.dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write the configuration");
	fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\n", broker.port);
	if (geteuid() == 0)
		fprintf(f, "user root\n");
	/* Errors only: a million messages would write gigabytes of log, and the refusals are warnings. */
	fprintf(f, "log_dest file %s/mosquitto.log\nlog_type error\n", broker.dir);
	fprintf(f, "persistence false\nmax_queued_messages 100000\nsys_interval 1\n");
	fprintf(f, "plugin %s\n", EB_PLUGIN_PATH);
	fprintf(f, "plugin_opt_stats_interval 1\nplugin_opt_venus_command_interval 0\nplugin_opt_venus_poll_interval 5\n"
		   "plugin_opt_ha_discovery on\nplugin_opt_twc_port tcp://127.0.0.1:%d\n",
		eb_sim_port(sim));
	fclose(f);
	if (eb_broker_start_prepared(&broker) != 0)
		die("the broker did not start");
}

static void sim_do(const char *command)
{
	if (eb_sim_command(sim, "%s", command) != 0)
		die("a simulator command failed");
}

/* Every stretch changes what a car draws: the TWC job publishes status all along. */
static void twc_change(int stretch)
{
	char command[64];
	snprintf(command, sizeof(command), "charge 4085 %d", 6 + stretch % 10);
	sim_do(command);
}

static bool counters_match(struct eb_client *stats, const struct mix_stats *before)
{
	long counts[MIX_KINDS] = {0};
	for (int i = 0; i < WORKERS; i++)
		for (int k = 0; k < MIX_KINDS; k++)
			counts[k] += workers[i].counts[k];
	struct mix_stats after, expected;
	mix_stats_expected(counts, &expected);
	if (!mix_stats_settled(stats, &after, 10000)) {
		printf("counters: did not settle\n");
		return false;
	}
	char why[1024];
	bool ok = mix_stats_match(before, &after, &expected, why, sizeof(why));
	printf("counters: %lld requests translated, %lld refused, %lld commands passed, %lld refused, %lld replies, "
	       "%lld forgeries refused; TWC %lld good frames, %lld reconnects: %s%s\n",
	       after.mppt_translated - before->mppt_translated, after.mppt_refused - before->mppt_refused,
	       after.venus_passed - before->venus_passed, after.venus_refused - before->venus_refused,
	       after.venus_replies - before->venus_replies, after.forgeries_refused - before->forgeries_refused,
	       after.twc_good - before->twc_good, after.twc_reconnects - before->twc_reconnects,
	       ok ? "as the traffic" : "MISMATCH: ", why);
	return ok;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	long total = argc > 1 ? atol(argv[1]) : 1000000;
	if (total < WORKERS * SAMPLES)
		die("usage: bench_soak [messages]");
	long warmup = total / WARMUP_SHARE < 20000 ? 20000 : total / WARMUP_SHARE;

	sim = eb_sim_start(NULL);
	if (!sim)
		die("the simulator did not start");
	start_broker();
	static const char *const sys_filter[] = {"$SYS/broker/heap/current", NULL};
	static const char *const twc_filter[] = {"TWC/#", NULL};
	heap_watch.mode = COUNT_HEAP;
	twc_watch.mode = COUNT_ALL;
	counter_start(&heap_watch, MQTT_PROTOCOL_V311, sys_filter);
	counter_start(&twc_watch, MQTT_PROTOCOL_V311, twc_filter);
	for (int i = 0; i < OBSERVERS; i++)
		counter_start(&observers[i], i == 0 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311, mix_filters);
	struct eb_client *stats = eb_client_simple(broker.port, "soak-stats", NULL, MQTT_PROTOCOL_V311);
	if (!stats || eb_client_subscribe(stats, "energy-bridge/stats", 0) < 0)
		die("no statistics");
	for (int i = 0; i < WORKERS; i++) {
		char id[16];
		mix_client_id(i, id, sizeof(id));
		workers[i].index = i;
		workers[i].client = eb_client_simple(broker.port, id, "soak", i == 0 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
		if (!workers[i].client)
			die("a publisher could not connect");
	}
	sim_do("plug 4085 5YJ3E1EA2KF317000");
	sim_do("plug 2433 5YJSA1E22MF123456");
	sim_do("charge 2433 10");

	printf("soak: %ld mixed messages after a warm-up of %ld, %d publishers, %d observers, QoS 0/1/2\n", total,
	       warmup, WORKERS, OBSERVERS);
	double start = eb_now_s();
	take_sample("start", 0, start);
	run_traffic(warmup / WORKERS);
	eb_sleep_ms(IDLE_MS);
	struct mix_stats counters_before;
	if (!mix_stats_settled(stats, &counters_before, 10000))
		die("the counters did not settle after the warm-up");
	memset(workers[0].counts, 0, sizeof(workers[0].counts));
	memset(workers[1].counts, 0, sizeof(workers[1].counts));
	struct sample before = take_sample("before", 0, start);

	double traffic_start = eb_now_s();
	long per_worker = total / WORKERS, base = warmup / WORKERS;
	struct sample during[SAMPLES];
	for (int s = 0; s < SAMPLES; s++) {
		twc_change(s);
		run_traffic(base + per_worker * (s + 1) / SAMPLES);
		during[s] = take_sample("during", (long)WORKERS * per_worker * (s + 1) / SAMPLES, start);
	}
	double traffic_s = eb_now_s() - traffic_start;
	eb_sleep_ms(IDLE_MS);
	struct sample after = take_sample("after", (long)WORKERS * per_worker, start);

	long sent = (long)WORKERS * per_worker;
	printf("throughput: %.0f messages/s over %.0f s (%ld outputs per observer)\n", (double)sent / traffic_s, traffic_s,
	       atomic_load(&observers[0].received));
	bool counted = counters_match(stats, &counters_before);
	long unexplained = 0;
	for (int i = 0; i < OBSERVERS; i++)
		unexplained += atomic_load(&observers[i].unexplained);
	long long heap_growth = after.heap - before.heap, rss_growth = after.rss_kb - before.rss_kb;
	long long rss_half = after.rss_kb - during[SAMPLES / 2 - 1].rss_kb;
	long long rss_peak = before.rss_kb;
	for (int s = 0; s < SAMPLES; s++)
		rss_peak = during[s].rss_kb > rss_peak ? during[s].rss_kb : rss_peak;
	printf("growth from before to after: heap %+lld B (limit %lld), VmRSS %+lld kB (limit %lld); peak VmRSS %lld kB\n",
	       heap_growth, HEAP_LIMIT, rss_growth, RSS_LIMIT_KB, rss_peak);
	printf("growth over the second half (%ld messages): VmRSS %+lld kB (limit %lld), %.2f bytes per message\n",
	       sent - during[SAMPLES / 2 - 1].messages, rss_half, RSS_HALF_LIMIT_KB,
	       (double)rss_half * 1024 / (double)(sent - during[SAMPLES / 2 - 1].messages));
	printf("TWC status messages: %ld; Venus polls seen: %ld; unexplained messages: %ld\n",
	       atomic_load(&twc_watch.received), atomic_load(&observers[0].polls), unexplained);
	/* Exactly the outputs due: none lost (the drain would have timed out), none twice. */
	long due = atomic_load(&outputs_due);
	bool delivered = true;
	for (int i = 0; i < OBSERVERS; i++)
		if (atomic_load(&observers[i].received) != due) {
			printf("observer %d received %ld outputs, %ld were due\n", i, atomic_load(&observers[i].received), due);
			delivered = false;
		}

	atomic_store(&stopping, true);
	for (int i = 0; i < WORKERS; i++)
		eb_client_disconnect(workers[i].client);
	struct counter *all[] = {&observers[0], &observers[1], &twc_watch, &heap_watch};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		pthread_join(all[i]->thread, NULL);
		eb_client_disconnect(all[i]->client);
	}
	eb_client_disconnect(stats);
	int status = eb_broker_stop(&broker);
	eb_sim_stop(sim);

	bool grew = heap_growth > HEAP_LIMIT || rss_growth > RSS_LIMIT_KB || rss_half > RSS_HALF_LIMIT_KB;
#ifdef EB_SANITIZER_RUNTIME
	/* AddressSanitizer keeps freed memory in quarantine: the resident set says nothing here. */
	printf("sanitizer build: VmRSS not judged (ASan's quarantine); judge memory on the normal build\n");
	grew = heap_growth > HEAP_LIMIT;
#endif
	bool ok = !grew && counted && delivered && unexplained == 0 && status == 0;
	printf("verdict: %s (%s; every output delivered once: %s; counters %s; broker exit status %d)\n",
	       ok ? "PASS" : "FAIL", grew ? "memory grew" : "no growth beyond the broker's caches", delivered ? "yes" : "no",
	       counted ? "match" : "do not match", status);
	return ok ? 0 : 1;
}
