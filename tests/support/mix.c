#include "mix.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One cycle of the traffic: a third plain messages and forgeries aside, as
 * many refused as valid ones, so that a refusal that leaks state into the
 * next message has every chance to show.
 */
static const enum mix_kind cycle[] = {
	MIX_MPPT_OK,	   MIX_PLAIN,	    MIX_COMMAND_OK,	 MIX_MPPT_NOT_JSON, MIX_REPLY_POWER, MIX_COMMAND_RANGE,
	MIX_MPPT_TWO,	   MIX_PLAIN,	    MIX_FORGE_MPPT,	 MIX_REPLY_INFO,    MIX_MPPT_NEGATIVE,
	MIX_COMMAND_UNKNOWN, MIX_PLAIN,    MIX_MPPT_TRUNCATED, MIX_FORGE_VENUS,   MIX_COMMAND_OK,
};
#define CYCLE (long)(sizeof(cycle) / sizeof(cycle[0]))

const char *const mix_filters[] = {
	"monitoring.mppt/#", "dataset/mppt", "dataset/mppt/errors", "hame_energy/HMG-50/App/+/ctrl",
	"hame_energy/HMG-50/device/+/ctrl", "venus/#", "house/#", NULL,
};

static const char *const kind_names[MIX_KINDS] = {
	"valid MPPT request", "valid MPPT request of two items", "MPPT request that is not JSON",
	"MPPT request with negative amps", "truncated MPPT request", "valid Venus command",
	"Venus command out of range", "unknown Venus command", "get_power reply", "information reply",
	"forgery on monitoring.mppt", "forgery on venus/", "plain message",
};

static const char *const sink_names[MIX_SINKS] = {
	"monitoring.mppt", "dataset/mppt", "dataset/mppt/errors", "the battery", "the device topic",
	"venus reply", "venus state", "venus error", "house",
};

/* [kind][sink]: how many messages one message of the kind gives there. */
static const unsigned char outputs[MIX_KINDS][MIX_SINKS] = {
	[MIX_MPPT_OK] = {[MIX_SINK_MPPT_OUT] = 1, [MIX_SINK_AUDIT] = 1},
	[MIX_MPPT_TWO] = {[MIX_SINK_MPPT_OUT] = 2, [MIX_SINK_AUDIT] = 1},
	[MIX_MPPT_NOT_JSON] = {[MIX_SINK_MPPT_ERROR] = 1},
	[MIX_MPPT_NEGATIVE] = {[MIX_SINK_MPPT_ERROR] = 1},
	[MIX_MPPT_TRUNCATED] = {[MIX_SINK_MPPT_ERROR] = 1},
	[MIX_COMMAND_OK] = {[MIX_SINK_BATTERY] = 1},
	[MIX_COMMAND_RANGE] = {[MIX_SINK_VENUS_ERROR] = 1},
	[MIX_COMMAND_UNKNOWN] = {[MIX_SINK_VENUS_ERROR] = 1},
	[MIX_REPLY_POWER] = {[MIX_SINK_DEVICE] = 1, [MIX_SINK_VENUS_REPLY] = 1},
	[MIX_REPLY_INFO] = {[MIX_SINK_DEVICE] = 1, [MIX_SINK_VENUS_STATE] = 1},
	[MIX_PLAIN] = {[MIX_SINK_PLAIN] = 1},
};

#define RANGE_BASE 100000L /* cp of a refused command: RANGE_BASE + seq */

enum mix_kind mix_kind_of(long seq)
{
	return cycle[seq % CYCLE];
}

int mix_expected(enum mix_kind kind, enum mix_sink sink)
{
	return outputs[kind][sink];
}

const char *mix_kind_name(enum mix_kind kind)
{
	return kind_names[kind];
}

const char *mix_sink_name(enum mix_sink sink)
{
	return sink_names[sink];
}

const char *mix_mppt_error(enum mix_kind kind)
{
	return kind == MIX_MPPT_NEGATIVE ? "must not be negative" : "invalid JSON";
}

void mix_client_id(int worker, char *buf, size_t size)
{
	snprintf(buf, size, "mix-%d", worker);
}

static int item(char *buf, size_t size, long seq, int battery_volts, int amps)
{
	return snprintf(buf, size,
			"{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[%ld],\"amps\":[%d]},"
			"\"battery\":{\"volts\":%d,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}",
			seq, amps, battery_volts);
}

static void mppt_request(struct mix_message *m, int worker, long seq, int items, int amps)
{
	char one[200], two[200];
	item(one, sizeof(one), seq, 1, amps);
	item(two, sizeof(two), seq, 2, amps);
	m->len = snprintf(m->payload, sizeof(m->payload), "{\"datasets\":[{\"mppt_id\":\"FLT%d\",\"data\":[%s%s%s]}]}",
			  worker, one, items > 1 ? "," : "", items > 1 ? two : "");
	snprintf(m->topic, sizeof(m->topic), "dataset/mppt");
}

static void venus(struct mix_message *m, const char *side, int worker)
{
	snprintf(m->topic, sizeof(m->topic), "hame_energy/HMG-50/%s/flt%d/ctrl", side, worker);
}

void mix_message(int worker, long seq, struct mix_message *m)
{
	memset(m, 0, sizeof(*m));
	m->kind = mix_kind_of(seq);
	char *p = m->payload;
	size_t size = sizeof(m->payload);
	switch (m->kind) {
	case MIX_MPPT_OK:
		mppt_request(m, worker, seq, 1, 1);
		return;
	case MIX_MPPT_TWO:
		mppt_request(m, worker, seq, 2, 1);
		return;
	case MIX_MPPT_NEGATIVE:
		mppt_request(m, worker, seq, 1, -1);
		break;
	case MIX_MPPT_TRUNCATED:
		mppt_request(m, worker, seq, 1, 1);
		m->len -= 3; /* "]}]" gone: JSON that ends too soon */
		p[m->len] = '\0';
		break;
	case MIX_MPPT_NOT_JSON:
		snprintf(m->topic, sizeof(m->topic), "dataset/mppt");
		m->len = snprintf(p, size, "not json %ld", seq);
		break;
	case MIX_COMMAND_OK:
		/* The clock command: yy, mm and rr together give every seq below 3 720 000 its own command. */
		venus(m, "App", worker);
		m->len = snprintf(p, size, "cd=4,yy=%ld,mm=%ld,rr=%ld,hh=12,mn=30", seq % 10000, seq / 10000 % 12,
				  1 + seq / 120000);
		return;
	case MIX_COMMAND_RANGE:
		venus(m, "App", worker);
		m->len = snprintf(p, size, "cd=16,cp=%ld", RANGE_BASE + seq);
		break;
	case MIX_COMMAND_UNKNOWN:
		venus(m, "App", worker);
		m->len = snprintf(p, size, "cd=77,sq=%ld", seq);
		break;
	case MIX_REPLY_POWER:
		venus(m, "device", worker);
		m->len = snprintf(p, size, "get_power=%ld|0|0|%ld|0", seq, seq);
		return;
	case MIX_REPLY_INFO:
		venus(m, "device", worker);
		m->len = snprintf(p, size, "cel_c=50,zzseq=%ld", seq);
		return;
	case MIX_FORGE_MPPT:
		snprintf(m->topic, sizeof(m->topic), "monitoring.mppt/FLT%d", worker);
		m->len = snprintf(p, size, "{\"forged\":%ld}", seq);
		break;
	case MIX_FORGE_VENUS:
		snprintf(m->topic, sizeof(m->topic), "venus/HMG-50/flt%d/state", worker);
		m->len = snprintf(p, size, "{\"forged\":%ld}", seq);
		break;
	case MIX_PLAIN:
	case MIX_KINDS:
		snprintf(m->topic, sizeof(m->topic), "house/%d", worker);
		m->len = snprintf(p, size, "%ld", seq);
		return;
	}
	m->refused = true;
}

/* ---- tracing outputs back ---- */

/* The number right after marker in s; -1 when there is none. */
static long number_after(const char *s, const char *marker)
{
	const char *at = strstr(s, marker);
	if (!at)
		return -1;
	at += strlen(marker);
	if (*at < '0' || *at > '9')
		return -1;
	errno = 0;
	char *end;
	long n = strtol(at, &end, 10);
	return errno ? -1 : n;
}

/* The worker digit after the first occurrence of tag ("FLT", "flt", "mix-"). */
static int worker_after(const char *s, const char *tag)
{
	const char *at = strstr(s, tag);
	if (!at)
		return -1;
	char d = at[strlen(tag)];
	return d >= '0' && d <= '9' ? d - '0' : -1;
}

static long command_seq(const char *payload)
{
	long yy = number_after(payload, ",yy="), mm = number_after(payload, ",mm="), rr = number_after(payload, ",rr=");
	if (yy < 0 || mm < 0 || rr < 1 || !eb_starts_with(payload, "cd=4,"))
		return -1;
	return (rr - 1) * 120000 + mm * 10000 + yy;
}

static long venus_error_seq(const char *payload)
{
	long cp = number_after(payload, "\"command\":\"cd=16,cp=");
	if (cp >= RANGE_BASE)
		return cp - RANGE_BASE;
	return strstr(payload, "\"command\":\"cd=77,") ? number_after(payload, ",sq=") : -1;
}

static bool trace_venus(const char *topic, const char *payload, enum mix_sink *sink, long *seq)
{
	const char *leaf = strrchr(topic, '/');
	if (!leaf)
		return false;
	if (strcmp(leaf, "/reply") == 0) {
		*sink = MIX_SINK_VENUS_REPLY;
		*seq = number_after(payload, "{\"get_power\":{\"phase_a_w\":");
	} else if (strcmp(leaf, "/state") == 0) {
		*sink = MIX_SINK_VENUS_STATE;
		*seq = number_after(payload, "\"zzseq\":\"");
	} else if (strcmp(leaf, "/error") == 0) {
		*sink = MIX_SINK_VENUS_ERROR;
		*seq = venus_error_seq(payload);
	} else {
		return false;
	}
	return true;
}

bool mix_trace(const char *topic, const char *payload, enum mix_sink *sink, int *worker, long *seq)
{
	*seq = -1;
	*worker = -1;
	if (eb_starts_with(topic, "monitoring.mppt/")) {
		*sink = MIX_SINK_MPPT_OUT;
		*worker = worker_after(topic, "/FLT");
		*seq = number_after(payload, "\"pv\":[{\"volts\":");
	} else if (strcmp(topic, "dataset/mppt/errors") == 0) {
		*sink = MIX_SINK_MPPT_ERROR;
		*worker = worker_after(payload, "\"client_id\":\"mix-");
		return *worker >= 0;
	} else if (strcmp(topic, "dataset/mppt") == 0) {
		*sink = MIX_SINK_AUDIT;
		*worker = worker_after(payload, "\"mppt_id\":\"FLT");
		*seq = number_after(payload, "\"pv\":{\"volts\":[");
	} else if (eb_starts_with(topic, "hame_energy/HMG-50/App/flt")) {
		*sink = MIX_SINK_BATTERY;
		*worker = worker_after(topic, "/flt");
		*seq = command_seq(payload);
	} else if (eb_starts_with(topic, "hame_energy/HMG-50/device/flt")) {
		*sink = MIX_SINK_DEVICE;
		*worker = worker_after(topic, "/flt");
		*seq = eb_starts_with(payload, "get_power=") ? number_after(payload, "get_power=") : number_after(payload, ",zzseq=");
	} else if (eb_starts_with(topic, "venus/HMG-50/flt")) {
		*worker = worker_after(topic, "/flt");
		if (!trace_venus(topic, payload, sink, seq))
			return false;
	} else if (eb_starts_with(topic, "house/")) {
		*sink = MIX_SINK_PLAIN;
		*worker = worker_after(topic, "house/");
		char *end;
		*seq = strtol(payload, &end, 10);
		if (end == payload || *end)
			*seq = -1;
	} else {
		return false;
	}
	return *worker >= 0 && *seq >= 0;
}

/* ---- counters ---- */

static bool read_counter(const cJSON *object, const char *name, long long *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
	if (!cJSON_IsNumber(item))
		return false;
	*out = (long long)item->valuedouble;
	return true;
}

bool mix_stats_parse(const char *json, struct mix_stats *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *root = cJSON_Parse(json);
	if (!root)
		return false;
	const cJSON *mppt = cJSON_GetObjectItemCaseSensitive(root, "mppt");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "venus");
	const cJSON *twc = cJSON_GetObjectItemCaseSensitive(root, "twc");
	bool ok = read_counter(root, "forgeries_refused", &out->forgeries_refused) &&
		  read_counter(mppt, "requests_translated", &out->mppt_translated) &&
		  read_counter(mppt, "requests_refused", &out->mppt_refused) &&
		  read_counter(mppt, "messages_published", &out->mppt_published) &&
		  read_counter(v, "commands_passed", &out->venus_passed) &&
		  read_counter(v, "commands_refused", &out->venus_refused) &&
		  read_counter(v, "refused_invalid", &out->venus_invalid) &&
		  read_counter(v, "refused_dangerous", &out->venus_dangerous) &&
		  read_counter(v, "refused_too_fast", &out->venus_too_fast) &&
		  read_counter(v, "reads_collapsed", &out->venus_collapsed) &&
		  read_counter(v, "replies_translated", &out->venus_replies) &&
		  read_counter(v, "devices", &out->venus_devices);
	out->twc = twc != NULL;
	if (ok && twc)
		ok = read_counter(twc, "frames_good", &out->twc_good) && read_counter(twc, "frames_bad", &out->twc_bad) &&
		     read_counter(twc, "frames_sent", &out->twc_sent) &&
		     read_counter(twc, "link_reconnects", &out->twc_reconnects) &&
		     read_counter(twc, "slaves", &out->twc_slaves) &&
		     read_counter(twc, "pool_changes", &out->twc_pool_changes) &&
		     read_counter(twc, "pool_refusals", &out->twc_pool_refusals) &&
		     read_counter(twc, "outbox_refused", &out->twc_outbox_refused);
	cJSON_Delete(root);
	return ok;
}

/* The counters that stand still when no client publishes (the TWC frame counters never do). */
/*
 * Every counter but the TWC frame counts, which move as long as the bus
 * talks. Member by member: an assignment need not copy the struct's padding
 * (after twc), so memcmp compared whatever the stack held there, and with
 * GCC 16 the counters never "settled".
 */
static bool same_quiet_counters(const struct mix_stats *a, const struct mix_stats *b)
{
	return a->forgeries_refused == b->forgeries_refused && a->mppt_translated == b->mppt_translated &&
	       a->mppt_refused == b->mppt_refused && a->mppt_published == b->mppt_published &&
	       a->venus_passed == b->venus_passed && a->venus_refused == b->venus_refused &&
	       a->venus_invalid == b->venus_invalid && a->venus_dangerous == b->venus_dangerous &&
	       a->venus_too_fast == b->venus_too_fast && a->venus_collapsed == b->venus_collapsed &&
	       a->venus_replies == b->venus_replies && a->venus_devices == b->venus_devices && a->twc == b->twc &&
	       a->twc_reconnects == b->twc_reconnects && a->twc_slaves == b->twc_slaves &&
	       a->twc_pool_changes == b->twc_pool_changes && a->twc_pool_refusals == b->twc_pool_refusals &&
	       a->twc_outbox_refused == b->twc_outbox_refused;
}

/* The next publication of the stats topic, parsed; false after 3 s without one or on one unreadable. */
static bool next_stats(struct eb_client *c, struct mix_stats *out)
{
	struct eb_message *m = eb_client_next(c, 3000);
	if (!m)
		return false;
	bool parsed = mix_stats_parse(m->payload, out);
	if (!parsed)
		fprintf(stderr, "unreadable statistics: %s\n", (char *)m->payload);
	eb_message_free(m);
	return parsed;
}

bool mix_stats_settled(struct eb_client *c, struct mix_stats *out, int timeout_ms)
{
	while (eb_client_pending(c) > 0) /* published before the caller's traffic ended */
		eb_message_free(eb_client_next(c, 0));
	/* One publication a second (plugin_opt_stats_interval 1). */
	struct mix_stats previous, now;
	if (!next_stats(c, &previous))
		return false;
	for (int reads = 1; reads < timeout_ms / 1000 + 2; reads++) {
		if (!next_stats(c, &now))
			return false;
		if (same_quiet_counters(&previous, &now)) {
			*out = now;
			return true;
		}
		previous = now;
	}
	return false;
}

void mix_stats_expected(const long counts[MIX_KINDS], struct mix_stats *e)
{
	memset(e, 0, sizeof(*e));
	e->mppt_translated = counts[MIX_MPPT_OK] + counts[MIX_MPPT_TWO];
	e->mppt_refused = counts[MIX_MPPT_NOT_JSON] + counts[MIX_MPPT_NEGATIVE] + counts[MIX_MPPT_TRUNCATED];
	e->mppt_published = counts[MIX_MPPT_OK] + 2 * counts[MIX_MPPT_TWO];
	e->venus_passed = counts[MIX_COMMAND_OK];
	e->venus_refused = e->venus_invalid = counts[MIX_COMMAND_RANGE] + counts[MIX_COMMAND_UNKNOWN];
	e->venus_replies = counts[MIX_REPLY_POWER] + counts[MIX_REPLY_INFO];
	e->forgeries_refused = counts[MIX_FORGE_MPPT] + counts[MIX_FORGE_VENUS];
}

static void compare(const char *name, long long before, long long after, long long expected, char **p, char *end)
{
	if (after - before == expected || *p >= end)
		return;
	int n = snprintf(*p, (size_t)(end - *p), "%s moved by %lld, expected %lld; ", name, after - before, expected);
	*p += n > 0 ? n : 0;
}

bool mix_stats_match(const struct mix_stats *b, const struct mix_stats *a, const struct mix_stats *e, char *why,
		     size_t size)
{
	char *p = why, *end = why + size;
	why[0] = '\0';
	compare("forgeries_refused", b->forgeries_refused, a->forgeries_refused, e->forgeries_refused, &p, end);
	compare("mppt.requests_translated", b->mppt_translated, a->mppt_translated, e->mppt_translated, &p, end);
	compare("mppt.requests_refused", b->mppt_refused, a->mppt_refused, e->mppt_refused, &p, end);
	compare("mppt.messages_published", b->mppt_published, a->mppt_published, e->mppt_published, &p, end);
	compare("venus.commands_passed", b->venus_passed, a->venus_passed, e->venus_passed, &p, end);
	compare("venus.commands_refused", b->venus_refused, a->venus_refused, e->venus_refused, &p, end);
	compare("venus.refused_invalid", b->venus_invalid, a->venus_invalid, e->venus_invalid, &p, end);
	compare("venus.refused_dangerous", b->venus_dangerous, a->venus_dangerous, e->venus_dangerous, &p, end);
	compare("venus.refused_too_fast", b->venus_too_fast, a->venus_too_fast, e->venus_too_fast, &p, end);
	compare("venus.reads_collapsed", b->venus_collapsed, a->venus_collapsed, e->venus_collapsed, &p, end);
	compare("venus.replies_translated", b->venus_replies, a->venus_replies, e->venus_replies, &p, end);
	return why[0] == '\0';
}
