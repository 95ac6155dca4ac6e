#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twc_rig.h"

#define TOPICS_MAX 96
#define SEEN_MAX 16		/* distinct values remembered per topic */
#define VALUE_MAX 512
#define SLAVES_MAX 3
#define PUMP_SLICE_MS 50
/* The total goes out in the same broker tick as the ampsInUse it sums. */
#define TOTAL_FOLLOWS_MS 1000

struct topic_state {
	char topic[128];
	char value[VALUE_MAX];
	unsigned updates;
	int64_t arrived_us;	/* of the latest message */
	char seen[SEEN_MAX][32];
	size_t seen_count;
};

static struct {
	struct eb_sim *sim;
	struct eb_broker broker;
	bool broker_up;
	struct eb_client *watch;
	char prefix[64];
	int qos;
	char slaves[SLAVES_MAX][5];
	size_t slave_count;
	struct topic_state topics[TOPICS_MAX];
	size_t topic_count;
	bool total_due;		/* a charger's ampsInUse or the total changed: they must agree again */
	int64_t total_deadline_us;
	unsigned total_checks;
} rig;

static const char *const slave_topics[] = {
	"ampsInUse", "ampsMax", "carsCharging", "currentVehicleVIN", "lastVehicleVIN", "lifetimekWh",
	"power", "state", "voltagePhaseA", "voltagePhaseB", "voltagePhaseC",
};

static int64_t deadline_after(int ms)
{
	return eb_now_us() + (int64_t)eb_timeout_ms(ms) * 1000;
}

struct eb_sim *rig_sim(void)
{
	return rig.sim;
}

struct eb_broker *rig_broker(void)
{
	return &rig.broker;
}

size_t rig_slave_count(void)
{
	return rig.slave_count;
}

const char *rig_slave(size_t i)
{
	return rig.slaves[i];
}

/* ---- payload forms (docs/twc.md) ---- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "0", "32", "8.5", "8.52": no leading zeros, at most 2 decimals, no trailing zero. */
static bool amps_form(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '\0')
		return true;
	if (*s++ != '.')
		return false;
	size_t decimals = strlen(s);
	return decimals >= 1 && decimals <= 2 && all_digits(s) && s[decimals - 1] != '0';
}

static bool vin_form(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (; *s; s++)
		if (!(isdigit((unsigned char)*s) || (isupper((unsigned char)*s) && !strchr("IOQ", *s))))
			return false;
	return true;
}

/* Hundredths of an amp from a payload of amps_form. */
static long centiamps(const char *s)
{
	long whole = strtol(s, NULL, 10);
	const char *dot = strchr(s, '.');
	long frac = 0;
	if (dot)
		frac = (dot[1] - '0') * 10 + (dot[2] ? dot[2] - '0' : 0);
	return whole * 100 + frac;
}

static bool is_slave(const char *id, size_t len)
{
	for (size_t i = 0; i < rig.slave_count; i++)
		if (len == 4 && strncmp(rig.slaves[i], id, 4) == 0)
			return true;
	return false;
}

/* Fails unless topic (after the prefix) and payload are what docs/twc.md allows. */
static void check_status_message(const char *suffix, const char *value, int qos)
{
	bool amps = false, integer = false, vin = false;
	if (strcmp(suffix, "config/error") == 0 || strcmp(suffix, "config/maxAmpsForSlaves/set") == 0)
		return; /* a client's set (delivered as any message) and the plugin's error report */
	if (strcmp(suffix, "all/totalAmpsInUse") == 0) {
		amps = true;
	} else if (strcmp(suffix, "config/maxAmpsForSlaves") == 0 || strcmp(suffix, "config/minAmpsPerTWC") == 0) {
		integer = true;
	} else {
		const char *slash = strchr(suffix, '/');
		if (!slash || !is_slave(suffix, (size_t)(slash - suffix)))
			fail_msg("a status topic of no charger of the simulator: %s/%s = \"%s\"", rig.prefix, suffix, value);
		const char *name = slash + 1;
		size_t t = 0;
		while (t < sizeof(slave_topics) / sizeof(slave_topics[0]) && strcmp(name, slave_topics[t]) != 0)
			t++;
		if (t == sizeof(slave_topics) / sizeof(slave_topics[0]))
			fail_msg("a topic outside the seed's table: %s/%s = \"%s\"", rig.prefix, suffix, value);
		amps = strcmp(name, "ampsInUse") == 0 || strcmp(name, "ampsMax") == 0 || strcmp(name, "power") == 0;
		vin = strstr(name, "VehicleVIN") != NULL;
		integer = !amps && !vin;
		if (strcmp(name, "carsCharging") == 0 && strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			fail_msg("%s/%s = \"%s\": expected 0 or 1", rig.prefix, suffix, value);
		if (vin && !vin_form(value) && !(value[0] == '\0' && strcmp(name, "currentVehicleVIN") == 0))
			fail_msg("%s/%s = \"%s\": expected a VIN of 17 characters%s", rig.prefix, suffix, value,
				 strcmp(name, "currentVehicleVIN") == 0 ? " or nothing" : "");
	}
	if (amps && !amps_form(value))
		fail_msg("%s/%s = \"%s\": expected amps with at most 2 decimals and no trailing zeros", rig.prefix,
			 suffix, value);
	if (integer && !all_digits(value))
		fail_msg("%s/%s = \"%s\": expected a whole number", rig.prefix, suffix, value);
	if (qos != rig.qos)
		fail_msg("%s/%s came at QoS %d, plugin_opt_twc_qos is %d", rig.prefix, suffix, qos, rig.qos);
}

/* ---- the board ---- */

static const char *suffix_of(const char *topic)
{
	size_t n = strlen(rig.prefix);
	if (strncmp(topic, rig.prefix, n) == 0 && topic[n] == '/')
		return topic + n + 1;
	return NULL;
}

static struct topic_state *topic_state(const char *suffix, bool create)
{
	for (size_t i = 0; i < rig.topic_count; i++)
		if (strcmp(rig.topics[i].topic, suffix) == 0)
			return &rig.topics[i];
	if (!create)
		return NULL;
	if (rig.topic_count == TOPICS_MAX)
		fail_msg("more than %d topics under %s/", TOPICS_MAX, rig.prefix);
	struct topic_state *t = &rig.topics[rig.topic_count++];
	memset(t, 0, sizeof(*t));
	snprintf(t->topic, sizeof(t->topic), "%s", suffix);
	return t;
}

static void remember_seen(struct topic_state *t, const char *value)
{
	for (size_t i = 0; i < t->seen_count; i++)
		if (strcmp(t->seen[i], value) == 0)
			return;
	if (t->seen_count < SEEN_MAX)
		snprintf(t->seen[t->seen_count++], sizeof(t->seen[0]), "%.*s", (int)sizeof(t->seen[0]) - 1, value);
}

static bool is_amps_in_use(const char *suffix)
{
	const char *slash = strchr(suffix, '/');
	return slash && slash - suffix == 4 && strcmp(slash + 1, "ampsInUse") == 0;
}

static bool totals_agree(void)
{
	const struct topic_state *total = topic_state("all/totalAmpsInUse", false);
	if (!total)
		return false;
	long sum = 0;
	for (size_t i = 0; i < rig.topic_count; i++)
		if (is_amps_in_use(rig.topics[i].topic))
			sum += centiamps(rig.topics[i].value);
	return sum == centiamps(total->value);
}

static void describe_amps(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < rig.topic_count && used < size; i++)
		if (is_amps_in_use(rig.topics[i].topic) || strcmp(rig.topics[i].topic, "all/totalAmpsInUse") == 0)
			used += (size_t)snprintf(buf + used, size - used, " %s=%s", rig.topics[i].topic,
						 rig.topics[i].value);
}

static void total_did_not_follow(void)
{
	char amps[512];
	describe_amps(amps, sizeof(amps));
	fail_msg("all/totalAmpsInUse is not the sum of the chargers' ampsInUse %d ms after a change:%s", TOTAL_FOLLOWS_MS,
		 amps);
}

static void take(struct eb_message *m)
{
	/* The total is checked after every message: one still due now came too late. */
	if (rig.total_due && m->arrived_us > rig.total_deadline_us)
		total_did_not_follow();
	const char *suffix = suffix_of(m->topic);
	if (!suffix) { /* a sentinel the test subscribed to besides */
		struct topic_state *t = topic_state(m->topic, true);
		snprintf(t->value, sizeof(t->value), "%s", (char *)m->payload);
		t->updates++;
		t->arrived_us = m->arrived_us;
		eb_message_free(m);
		return;
	}
	check_status_message(suffix, m->payload, m->qos);
	struct topic_state *t = topic_state(suffix, true);
	bool changed = t->updates == 0 || strcmp(t->value, m->payload) != 0;
	snprintf(t->value, sizeof(t->value), "%s", (char *)m->payload);
	t->updates++;
	t->arrived_us = m->arrived_us;
	remember_seen(t, t->value);
	if (changed && (is_amps_in_use(suffix) || strcmp(suffix, "all/totalAmpsInUse") == 0)) {
		rig.total_due = true;
		rig.total_deadline_us = m->arrived_us + (int64_t)eb_timeout_ms(TOTAL_FOLLOWS_MS) * 1000;
	}
	eb_message_free(m);
}

static void settle_total(void)
{
	if (rig.total_due && totals_agree()) {
		rig.total_due = false;
		rig.total_checks++;
	}
}

/*
 * After a change of an ampsInUse or of the total, the total must equal the
 * sum again within TOTAL_FOLLOWS_MS. Judged by arrival times, so a test that
 * looked elsewhere for a while is not blamed for messages waiting unread.
 */
static void check_total(void)
{
	settle_total();
	if (!rig.total_due || eb_now_us() <= rig.total_deadline_us)
		return;
	/* Past the deadline: only messages that arrived in time may still settle it (take() fails on others). */
	struct eb_message *m;
	while (rig.total_due && (m = eb_client_next(rig.watch, 0)) != NULL) {
		take(m);
		settle_total();
	}
	if (rig.total_due)
		total_did_not_follow();
}

/* Takes at most one message, waiting up to the deadline; then checks the total. */
static void pump(int64_t deadline_us)
{
	int64_t left_us = deadline_us - eb_now_us();
	int slice = left_us <= 0 ? 0 : left_us / 1000 < PUMP_SLICE_MS ? (int)(left_us / 1000) + 1 : PUMP_SLICE_MS;
	struct eb_message *m = eb_client_next(rig.watch, slice);
	if (m)
		take(m);
	check_total();
}

const char *rig_value(const char *suffix)
{
	while (eb_client_pending(rig.watch) > 0)
		pump(0);
	const struct topic_state *t = topic_state(suffix, false);
	return t ? t->value : NULL;
}

unsigned rig_updates(const char *suffix)
{
	rig_value(suffix);
	const struct topic_state *t = topic_state(suffix, false);
	return t ? t->updates : 0;
}

bool rig_seen(const char *suffix, const char *value)
{
	rig_value(suffix);
	const struct topic_state *t = topic_state(suffix, false);
	if (!t)
		return false;
	for (size_t i = 0; i < t->seen_count; i++)
		if (strcmp(t->seen[i], value) == 0)
			return true;
	return false;
}

void rig_expect_only(const char *suffix, const char *const *allowed)
{
	rig_value(suffix);
	const struct topic_state *t = topic_state(suffix, false);
	for (size_t i = 0; t && i < t->seen_count; i++) {
		bool ok = false;
		for (size_t k = 0; allowed[k]; k++)
			ok |= strcmp(allowed[k], t->seen[i]) == 0;
		if (!ok)
			fail_msg("%s/%s showed \"%s\"", rig.prefix, suffix, t->seen[i]);
	}
	if (t && t->seen_count == SEEN_MAX)
		fail_msg("%s/%s showed %d different values or more", rig.prefix, suffix, SEEN_MAX);
}

/* Fails when what a wait was for arrived, but after its deadline (it was found among waiting messages). */
static void in_time(const struct topic_state *t, int64_t deadline, int within_ms)
{
	if (t->arrived_us > deadline)
		fail_msg("%s/%s: \"%s\" came %.0f ms later than the %d ms allowed", rig.prefix, t->topic, t->value,
			 (double)(t->arrived_us - deadline) / 1000.0, within_ms);
}

void rig_expect(const char *suffix, const char *value, int within_ms)
{
	int64_t deadline = deadline_after(within_ms);
	for (;;) {
		const struct topic_state *t = topic_state(suffix, false);
		if (t && t->updates > 0 && strcmp(t->value, value) == 0) {
			in_time(t, deadline, within_ms);
			return;
		}
		if (eb_now_us() > deadline && eb_client_pending(rig.watch) == 0)
			fail_msg("%s/%s: expected \"%s\" within %d ms, got %s%s%s", rig.prefix, suffix, value, within_ms,
				 t ? "\"" : "nothing", t ? t->value : "", t ? "\"" : "");
		pump(deadline);
	}
}

const char *rig_expect_update(const char *suffix, unsigned after, int within_ms)
{
	int64_t deadline = deadline_after(within_ms);
	for (;;) {
		const struct topic_state *t = topic_state(suffix, false);
		if (t && t->updates > after) {
			in_time(t, deadline, within_ms);
			return t->value;
		}
		if (eb_now_us() > deadline && eb_client_pending(rig.watch) == 0)
			fail_msg("%s/%s: no message within %d ms", rig.prefix, suffix, within_ms);
		pump(deadline);
	}
}

void rig_pump_until(const char *topic, int within_ms)
{
	unsigned before = 0;
	const struct topic_state *t = topic_state(topic, false);
	if (t)
		before = t->updates;
	int64_t deadline = deadline_after(within_ms);
	for (;;) {
		t = topic_state(topic, false);
		if (t && t->updates > before)
			return;
		if (eb_now_us() > deadline && eb_client_pending(rig.watch) == 0)
			fail_msg("the watcher got nothing on %s within %d ms", topic, within_ms);
		pump(deadline);
	}
}

void rig_join(void)
{
	for (size_t i = 0; i < rig.slave_count; i++) {
		char suffix[32];
		snprintf(suffix, sizeof(suffix), "%s/ampsInUse", rig.slaves[i]);
		rig_expect(suffix, "0", RIG_JOIN_MS);
	}
}

unsigned rig_total_checks(void)
{
	return rig.total_checks;
}

void rig_watch_also(const char *filter)
{
	assert_true(eb_client_subscribe(rig.watch, filter, 2) >= 0);
}

/* ---- the simulator ---- */

void rig_do(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (eb_sim_command(rig.sim, "%s", line) != 0)
		fail_msg("the simulator refused \"%s\"", line);
}

int rig_last_limit(const char *id)
{
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "limit %s ", id);
	size_t cursor = 0;
	struct eb_sim_event e;
	int last = -1;
	while (eb_sim_wait(rig.sim, &cursor, prefix, 0, &e))
		last = atoi(e.line + strlen(prefix));
	return last;
}

void rig_expect_limit(const char *id, int centiamps_wanted, int within_ms)
{
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "limit %s ", id);
	int64_t deadline = deadline_after(within_ms);
	size_t cursor = 0;
	struct eb_sim_event e;
	int last = -1;
	for (;;) {
		while (eb_sim_wait(rig.sim, &cursor, prefix, 0, &e))
			last = atoi(e.line + strlen(prefix));
		if (last == centiamps_wanted)
			return;
		int64_t left_ms = (deadline - eb_now_us()) / 1000;
		if (left_ms <= 0)
			fail_msg("the simulator's charger %s was offered %d centiamps at last, expected %d within %d ms", id,
				 last, centiamps_wanted, within_ms);
		if (eb_sim_wait(rig.sim, &cursor, prefix, (int)left_ms, &e))
			last = atoi(e.line + strlen(prefix));
	}
}

struct offered {
	char id[5];
	long centiamps;
};

/* Applies one "limit <id> <centiamps>" event to the table; returns the sum offered. */
static long offer(struct offered *table, size_t *n, const char *line)
{
	char id[5] = "";
	long ca = 0;
	if (sscanf(line, "limit %4s %ld", id, &ca) != 2)
		fail_msg("unreadable simulator event: %s", line);
	size_t i = 0;
	while (i < *n && strcmp(table[i].id, id) != 0)
		i++;
	if (i == *n) {
		if (*n == 8)
			fail_msg("limits offered to more than 8 chargers");
		snprintf(table[(*n)++].id, sizeof(table[0].id), "%s", id);
	}
	table[i].centiamps = ca;
	long sum = 0;
	for (size_t k = 0; k < *n; k++)
		sum += table[k].centiamps;
	return sum;
}

void rig_check_limits_fit(size_t from, int pool_before, int pool_after)
{
	struct offered table[8];
	size_t n = 0;
	long sum = 0;
	long in_force = (long)(pool_before > pool_after ? pool_before : pool_after) * 100;
	bool at_from = false;
	struct eb_sim_event e;
	for (size_t i = 0; eb_sim_get(rig.sim, i, &e); i++) {
		if (!at_from && i >= from) {
			at_from = true;
			if (sum <= (long)pool_after * 100) /* the limits already fit the new pool */
				in_force = (long)pool_after * 100;
		}
		if (strncmp(e.line, "limit ", 6) != 0)
			continue;
		sum = offer(table, &n, e.line);
		if (i < from)
			continue;
		if (sum > in_force)
			fail_msg("the limits offered add up to %ld centiamps, above the pool of %ld in force (event %zu: %s)",
				 sum, in_force, i, e.line);
		if (sum <= (long)pool_after * 100)
			in_force = (long)pool_after * 100; /* the new pool is in force from now on */
	}
}

void rig_check_heartbeat_gaps(int max_ms)
{
	for (size_t s = 0; s < rig.slave_count; s++) {
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "hb %s ", rig.slaves[s]);
		size_t cursor = 0;
		struct eb_sim_event e;
		int64_t previous = -1, worst = 0;
		unsigned count = 0;
		while (eb_sim_wait(rig.sim, &cursor, prefix, 0, &e)) {
			int64_t t = eb_sim_event_time_us(&e);
			if (previous >= 0 && t - previous > worst)
				worst = t - previous;
			previous = t;
			count++;
		}
		if (count < 2)
			fail_msg("charger %s heard %u heartbeats", rig.slaves[s], count);
		if (worst > (int64_t)max_ms * 1000)
			fail_msg("charger %s waited %.3f s for a heartbeat (at most %d ms allowed)", rig.slaves[s],
				 (double)worst / 1e6, max_ms);
	}
}

int rig_log_lines_with(const char *a, const char *b)
{
	char *log = eb_broker_log(&rig.broker);
	int n = (int)eb_lines_with(log, a, b);
	free(log);
	return n;
}

/* ---- up and down ---- */

/* The ids of the --slave arguments, as the topics spell them: 4 upper-case hex digits. */
static void note_slaves(const char *const *args)
{
	rig.slave_count = 0;
	for (size_t i = 0; args && args[i]; i++) {
		if (strcmp(args[i], "--slave") != 0 || !args[i + 1] || rig.slave_count == SLAVES_MAX)
			continue;
		unsigned id = (unsigned)strtoul(args[i + 1], NULL, 16);
		snprintf(rig.slaves[rig.slave_count++], sizeof(rig.slaves[0]), "%04X", id & 0xFFFF);
	}
	if (rig.slave_count == 0) { /* the simulator's defaults */
		snprintf(rig.slaves[0], sizeof(rig.slaves[0]), "4085");
		snprintf(rig.slaves[1], sizeof(rig.slaves[1]), "2433");
		rig.slave_count = 2;
	}
}

static void note_prefix(const char *options)
{
	const char *p = options ? strstr(options, "plugin_opt_twc_prefix ") : NULL;
	if (!p) {
		snprintf(rig.prefix, sizeof(rig.prefix), "TWC");
		return;
	}
	p += strlen("plugin_opt_twc_prefix ");
	snprintf(rig.prefix, sizeof(rig.prefix), "%.*s", (int)strcspn(p, " \n"), p);
}

void rig_up(const struct rig_setup *setup)
{
	memset(&rig, 0, sizeof(rig));
	note_slaves(setup->sim_args);
	note_prefix(setup->options);
	rig.qos = setup->qos;
	rig.sim = eb_sim_start(setup->sim_args);
	if (!rig.sim)
		fail_msg("the simulator did not start");
	for (size_t i = 0; setup->sim_commands && setup->sim_commands[i]; i++)
		rig_do("%s", setup->sim_commands[i]);

	char extra[2048];
	snprintf(extra, sizeof(extra), "plugin_opt_twc_port tcp://127.0.0.1:%d\n%s", eb_sim_port(rig.sim),
		 setup->options ? setup->options : "");
	if (eb_broker_start(&rig.broker, extra) != 0)
		fail_msg("the broker did not start with:\n%s", extra);
	rig.broker_up = true;
	rig.watch = eb_client_simple(rig.broker.port, "twc-watcher", NULL, MQTT_PROTOCOL_V311);
	if (!rig.watch)
		fail_msg("the watcher could not connect");
	char filter[80];
	snprintf(filter, sizeof(filter), "%s/#", rig.prefix);
	assert_true(eb_client_subscribe(rig.watch, filter, 2) >= 0);
}

/* What the master must never put on the bus: corrupt frames and docs/twc.md's dangerous codes. */
static int count_bad_frames(void)
{
	static const char *const bad[] = {"badframe", "rx FC19 ", "rx FC1A ", "rx FBE8 "};
	int problems = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = eb_sim_count(rig.sim, 0, bad[i]);
		if (n > 0) {
			fprintf(stderr, "the master sent %zu frame(s) the simulator reports as \"%s\"\n", n, bad[i]);
			problems++;
		}
	}
	return problems;
}

/* EB_SIM_EVENTS=<file>: every test's simulator events are appended there, for a post-mortem. */
static void save_events(void)
{
	const char *path = getenv("EB_SIM_EVENTS");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	struct eb_sim_event e;
	fprintf(f, "---- simulator events of a test (seen_us line)\n");
	for (size_t i = 0; eb_sim_get(rig.sim, i, &e); i++)
		fprintf(f, "%lld %s\n", (long long)e.seen_us, e.line);
	fclose(f);
}

int rig_down(void **state)
{
	(void)state;
	int problems = 0;
	eb_broker_config_head(NULL);
	if (rig.watch)
		eb_client_disconnect(rig.watch);
	if (rig.broker_up) {
		int status = eb_broker_stop(&rig.broker);
		if (status != 0) {
			char *log = eb_broker_log(&rig.broker);
			fprintf(stderr, "the broker stopped with status %d; its log:\n%s\n", status, log);
			free(log);
			problems++;
		}
	}
	if (rig.sim) {
		save_events();
		problems += count_bad_frames();
		if (eb_sim_stop(rig.sim) != 0) {
			fprintf(stderr, "the simulator did not exit cleanly\n");
			problems++;
		}
	}
	memset(&rig, 0, sizeof(rig));
	return problems ? -1 : 0;
}
