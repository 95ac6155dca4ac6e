#include "venus_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker_io.h"
#include "clock.h"
#include "eb_text.h"
#include "hame_family.h"
#include "hame_id.h"
#include "venus_command.h"
#include "venus_friendly.h"

#define RETRANSMISSION_WINDOW_MS (120 * 1000)
/* What a refusal report quotes of the command, at most. */
#define REPORT_QUOTE_MAX 256
/* Beyond this the JSON scratch buffer is given back after each document. */
#define JSON_KEEP_BYTES (64 * 1024)
/* A battery the table cannot take is logged at most this often. */
#define UNTRACKED_LOG_MS (60 * 1000)

#define RETAINED_COMMAND "commands must not be retained: the battery would run it again at every reconnect"

/* The outcome of the command gate for one command. */
enum gate_outcome { GATE_PASS, GATE_REFUSED, GATE_COLLAPSED };

/* Who sent a command and what it was, for the gate and its reports. */
struct command_source {
	const struct venus_topic *topic;
	const struct mosquitto *client;
	const char *raw;
	size_t raw_len;
	int qos;
	bool quiet; /* a possible QoS 2 retransmission: refused without a second report */
	const struct hame_family *family; /* whose command table judges it; NULL: none does */
};

int venus_bridge_start(struct venus_bridge *v, const struct eb_venus_config *cfg, char *err, size_t errsz)
{
	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	if (!cfg->enabled)
		return 0;
	json_out_init(&v->out);
	v->devices = calloc(VENUS_DEVICES_MAX, sizeof(*v->devices));
	if (!v->devices || !venus_gate_init(&v->gate, 0, cfg->command_interval * 1000) ||
	    !qos2_dedup_init(&v->retransmissions, RETRANSMISSION_WINDOW_MS, 0))
		return eb_error(err, errsz, "out of memory");
	return 0;
}

void venus_bridge_stop(struct venus_bridge *v)
{
	venus_gate_free(&v->gate);
	qos2_dedup_free(&v->retransmissions);
	json_out_free(&v->out);
	free(v->devices);
	v->devices = NULL;
}

/* Appends text to buf[*len..size), cut to fit and NUL-terminated. */
static void append_text(char *buf, size_t size, size_t *len, const char *text)
{
	size_t n = strlen(text);
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
}

/* <prefix>/<type>/<id>/<leaf>, as snprintf would cut it: once per reply, so without printf. */
static void topic_of(char *buf, size_t size, const char *prefix, const struct venus_topic *t, const char *leaf)
{
	size_t len = 0;
	buf[0] = '\0';
	const char *parts[] = {prefix, "/", t->type, "/", t->id, "/", leaf};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		append_text(buf, size, &len, parts[i]);
}

static struct venus_device *find_device(struct venus_bridge *v, const struct venus_topic *t)
{
	for (size_t i = 0; i < v->device_count; i++)
		if (strcmp(v->devices[i].type, t->type) == 0 && strcmp(v->devices[i].id, t->id) == 0)
			return &v->devices[i];
	return NULL;
}

/* The first word of plugin_opt_venus_vendors: where a battery not seen yet is reached. */
static void first_vendor(const struct venus_bridge *v, char *buf, size_t size)
{
	const char *words = v->cfg->vendors + strspn(v->cfg->vendors, " ");
	snprintf(buf, size, "%.*s", (int)strcspn(words, " "), words);
}

/*
 * Makes room in a full table: the least recently seen battery, if it has
 * been silent for VENUS_DEVICE_IDLE_MS. Its retained state is cleared, so the
 * broker keeps the state of at most VENUS_DEVICES_MAX batteries. NULL when
 * every battery was seen more recently: a newcomer must not push out a
 * battery that is in use.
 */
static void clear_leaf(const struct venus_bridge *v, const struct venus_device *d, const char *leaf)
{
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/%s/%s/%s", v->cfg->state_prefix, d->type, d->id, leaf);
	eb_publish(NULL, topic, NULL, 0, 0, true, NULL);
}

/* Every retained topic the plugin keeps for a device: its state and its family's other leaves. */
static void clear_retained(const struct venus_bridge *v, const struct venus_device *d)
{
	clear_leaf(v, d, "state");
	const struct hame_family *f = hame_family_of(d->type);
	if (!f)
		return;
	for (size_t i = 0; i < f->n_replies; i++)
		if (strcmp(f->replies[i].leaf, "state") != 0)
			clear_leaf(v, d, f->replies[i].leaf);
	for (size_t i = 0; i < f->n_venus_extra; i++)
		clear_leaf(v, d, f->venus_extra[i].leaf);
}

static struct venus_device *evict_idle(struct venus_bridge *v, int64_t now_ms)
{
	struct venus_device *oldest = NULL;
	for (size_t i = 0; i < v->device_count; i++)
		if (!oldest || v->devices[i].last_seen_ms < oldest->last_seen_ms)
			oldest = &v->devices[i];
	if (!oldest || now_ms - oldest->last_seen_ms < VENUS_DEVICE_IDLE_MS)
		return NULL;
	clear_retained(v, oldest);
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: venus: %s/%s silent for %d s: forgotten, its state "
					      "cleared, to make room for another battery",
			     oldest->type, oldest->id, (int)((now_ms - oldest->last_seen_ms) / 1000));
	return oldest;
}

/* The battery's entry, taken when new; NULL when the table is full of batteries in use. */
static struct venus_device *track_device(struct venus_bridge *v, const struct venus_topic *t, int64_t now_ms)
{
	struct venus_device *d = find_device(v, t);
	if (!d) {
		d = v->device_count < VENUS_DEVICES_MAX ? &v->devices[v->device_count++] : evict_idle(v, now_ms);
		if (!d)
			return NULL;
		memset(d, 0, sizeof(*d));
		venus_state_init(&d->state);
		snprintf(d->type, sizeof(d->type), "%s", t->type);
		snprintf(d->id, sizeof(d->id), "%s", t->id);
		first_vendor(v, d->vendor, sizeof(d->vendor));
	}
	if (t->vendor[0]) {
		size_t len = 0;
		append_text(d->vendor, sizeof(d->vendor), &len, t->vendor);
	}
	d->last_seen_ms = now_ms;
	return d;
}

/*
 * Only a reply puts a battery in the table (commands name any id a client
 * invents); a command that passes refreshes the entry of one that replied.
 */
static struct venus_device *refresh_device(struct venus_bridge *v, const struct venus_topic *t, int64_t now_ms)
{
	struct venus_device *d = find_device(v, t);
	if (d) {
		if (t->vendor[0])
			snprintf(d->vendor, sizeof(d->vendor), "%s", t->vendor);
		d->last_seen_ms = now_ms;
	}
	return d;
}

static void note_untracked(struct venus_bridge *v, const struct venus_topic *t, int64_t now_ms)
{
	v->devices_untracked++;
	if (v->devices_untracked > 1 && now_ms - v->untracked_logged_ms < UNTRACKED_LOG_MS)
		return;
	v->untracked_logged_ms = now_ms;
	mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: venus: %d batteries seen within %d s already: the "
					       "reply of %s/%s is delivered but not translated (%llu so far)",
			     VENUS_DEVICES_MAX, VENUS_DEVICE_IDLE_MS / 1000, t->type, t->id,
			     (unsigned long long)v->devices_untracked);
}

static int refuse(struct venus_bridge *v, const struct command_source *src, const char *why)
{
	const char *client_id = eb_client_id(src->client), *user = eb_client_username(src->client);
	struct eb_quoted_client q;
	char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE], reason[LOG_QUOTE_SIZE];
	eb_quote_client(src->client, &q);
	log_quote_str(type, src->topic->type);
	log_quote_str(id, src->topic->id);
	log_quote_str(reason, why);
	v->commands_refused++;
	if (src->quiet) {
		eb_log_limited(v->refusal_log, src->client, MOSQ_LOG_INFO,
			       "energy-bridge: venus: refused a QoS 2 resend for %s/%s from client '%s' (user '%s'), "
			       "not reported again: %s",
			       type, id, q.id, q.user, reason);
		return MOSQ_ERR_ACL_DENIED;
	}
	struct json_out *o = &v->out;
	json_out_reset(o);
	json_out_begin_object(o);
	json_out_text_prefix(o, "command", src->raw, src->raw_len, REPORT_QUOTE_MAX);
	json_out_key(o, "error");
	json_out_string(o, why);
	json_out_key(o, "client_id");
	json_out_string(o, client_id);
	json_out_key(o, "user");
	json_out_string(o, user);
	json_out_end_object(o);
	char topic[256];
	topic_of(topic, sizeof(topic), v->cfg->state_prefix, src->topic, "error");
	if (!json_out_failed(o))
		eb_publish(NULL, topic, o->buf, o->len, src->qos, false, NULL);
	json_out_shrink(o, JSON_KEEP_BYTES);
	eb_log_limited(v->refusal_log, src->client, MOSQ_LOG_WARNING,
		       "energy-bridge: venus: refused command for %s/%s from client '%s' (user '%s'): %s", type, id,
		       q.id, q.user, reason);
	return MOSQ_ERR_ACL_DENIED;
}

enum stateless_verdict { STATELESS_PASS, STATELESS_INVALID, STATELESS_DANGEROUS };

/*
 * What the gate decides without state: well formed, in range, dangerous
 * only for admins. No side effect; on a refusal, why says why.
 */
static enum stateless_verdict judge(const struct venus_bridge *v, const struct hame_family *family,
				    const struct mosquitto *client, const void *raw, size_t len, struct venus_command *cmd,
				    char *why, size_t size)
{
	if (!hame_command_parse(family ? family->commands : NULL, raw, len, cmd)) {
		snprintf(why, size, "%s", cmd->error);
		return STATELESS_INVALID;
	}
	/* A user name is only as good as the broker's authentication: plugin.c makes Mosquitto check it. */
	const char *user = mosquitto_client_username(client);
	if (cmd->cls == VENUS_DANGEROUS && (!user || !venus_words_contain(v->cfg->admin_users, user))) {
		snprintf(why, size, "cd=%d is dangerous: only plugin_opt_venus_admin_users may send it", cmd->cd);
		return STATELESS_DANGEROUS;
	}
	return STATELESS_PASS;
}

static bool command_is_allowed(struct venus_bridge *v, const struct command_source *src, struct venus_command *cmd)
{
	char why[VENUS_ERROR_MAX];
	switch (judge(v, src->family, src->client, src->raw, src->raw_len, cmd, why, sizeof(why))) {
	case STATELESS_PASS:
		return true;
	case STATELESS_INVALID:
		v->refused_invalid++;
		break;
	case STATELESS_DANGEROUS:
		v->refused_dangerous++;
		break;
	}
	refuse(v, src, why);
	return false;
}

/* The whole gate of docs/venus.md; on GATE_PASS, cmd holds the normalised command. */
static enum gate_outcome gate_command(struct venus_bridge *v, const struct command_source *src,
				      struct venus_command *cmd, int64_t now_ms)
{
	if (!command_is_allowed(v, src, cmd))
		return GATE_REFUSED;
	char key[VENUS_TYPE_MAX + VENUS_ID_MAX + 2]; /* <type>/<id>, once per command: without printf */
	size_t key_len = 0;
	append_text(key, sizeof(key), &key_len, src->topic->type);
	append_text(key, sizeof(key), &key_len, "/");
	append_text(key, sizeof(key), &key_len, src->topic->id);
	int64_t wait_ms = 0;
	enum venus_gate_result r = venus_gate_admit(&v->gate, key, cmd, now_ms, &wait_ms);
	if (r == VENUS_GATE_PASS) {
		v->commands_passed++;
		return GATE_PASS;
	}
	char why[VENUS_ERROR_MAX];
	venus_gate_describe(&v->gate, r, wait_ms, why, sizeof(why));
	if (r == VENUS_GATE_TOO_FAST || r == VENUS_GATE_BUSY) {
		if (r == VENUS_GATE_TOO_FAST)
			v->refused_too_fast++;
		else
			v->refused_busy++;
		refuse(v, src, why);
		return GATE_REFUSED;
	}
	/* The same read within the interval: the answer to the first one serves this one too. */
	v->reads_collapsed++;
	char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE], reason[LOG_QUOTE_SIZE];
	eb_log_limited(v->refusal_log, src->client, MOSQ_LOG_INFO, "energy-bridge: venus: %s/%s: %s",
		       log_quote_str(type, src->topic->type), log_quote_str(id, src->topic->id),
		       log_quote_str(reason, why));
	return GATE_COLLAPSED;
}

/* The refusal of a command to a type no family table describes (hame_family.h). */
static int refuse_undescribed(struct venus_bridge *v, const struct command_source *src)
{
	char why[VENUS_ERROR_MAX];
	snprintf(why, sizeof(why), "no command table describes type %.64s: refused (plugin_opt_venus_strict_types)",
		 src->topic->type);
	return refuse(v, src, why);
}

/*
 * A QoS 2 resend (resend: the same sender sent these bytes here within the
 * window) passes the whole gate again, rate limit included, because it may
 * as well be a new command; only its refusal is not reported again. What
 * passes is delivered normalised exactly as the first time, so that
 * Mosquitto, which compares a retransmission with the copy it holds under
 * the packet id, keeps one copy; a resend refused (within the interval)
 * leaves the broker's first copy as the only one.
 */
static int on_command(struct venus_bridge *v, const struct venus_topic *t, struct mosquitto_evt_message *ed,
		      int64_t now_ms, bool resend)
{
	struct command_source src = {t, ed->client, ed->payload, ed->payloadlen, ed->qos, resend, hame_family_of(t->type)};
	if (!src.family) {
		if (!v->cfg->strict_types)
			return MOSQ_ERR_SUCCESS; /* the owner opted out: raw pass-through */
		return refuse_undescribed(v, &src);
	}
	struct venus_command cmd;
	if (ed->retain) {
		if (ed->payloadlen == 0)
			return MOSQ_ERR_SUCCESS; /* clears a retained command that predates the gate */
		if (!command_is_allowed(v, &src, &cmd))
			return MOSQ_ERR_ACL_DENIED;
		return refuse(v, &src, RETAINED_COMMAND);
	}
	enum gate_outcome outcome = gate_command(v, &src, &cmd, now_ms);
	if (outcome != GATE_PASS)
		return MOSQ_ERR_ACL_DENIED;
	refresh_device(v, t, now_ms);
	if (cmd.payload_len != ed->payloadlen || memcmp(cmd.payload, ed->payload, cmd.payload_len) != 0) {
		/*
		 * The broker frees the payload it had and delivers this one, which it
		 * owns from now on: Mosquitto 2.0 always, 2.1 because this callback
		 * returns success (2.1 applies a change only then). NUL-terminated,
		 * as the broker keeps every payload.
		 */
		char *normalised = mosquitto_malloc(cmd.payload_len + 1);
		if (!normalised)
			return MOSQ_ERR_ACL_DENIED; /* never deliver the unnormalised command */
		memcpy(normalised, cmd.payload, cmd.payload_len);
		normalised[cmd.payload_len] = '\0';
		ed->payload = normalised;
		ed->payloadlen = (uint32_t)cmd.payload_len;
	}
	return MOSQ_ERR_SUCCESS;
}

static void send_command(const struct venus_device *d, const struct venus_command *cmd, int qos)
{
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/%s/App/%s/ctrl", d->vendor, d->type, d->id);
	eb_publish(NULL, topic, cmd->payload, cmd->payload_len, qos, false, NULL);
}

#define FRIENDLY_RESENT                                                                                      \
	"the same friendly command at QoS 2 again within 120 s is taken for a retransmission of one already "   \
	"sent, and not sent again (publish at QoS 0 or 1 to repeat a command)"

/*
 * The vendor command a friendly command becomes is the plugin's own publish,
 * which Mosquitto cannot match with its copy of a retransmitted set/
 * message: a QoS 2 resend of a friendly command that was sent is refused
 * (the safe side: never sent twice); a resend of a refused one passes the
 * gate again (it may be a retry), reported only once.
 */
static int on_friendly(struct venus_bridge *v, const struct venus_topic *t, struct mosquitto_evt_message *ed,
		       int64_t now_ms, bool resend, int prior)
{
	struct command_source src = {t, ed->client, ed->payload, ed->payloadlen, ed->qos, false, hame_family_of(t->type)};
	if (resend && prior == MOSQ_ERR_SUCCESS)
		return refuse(v, &src, FRIENDLY_RESENT);
	src.quiet = resend;
	if (!src.family)
		return refuse_undescribed(v, &src);
	struct venus_friendly friendly;
	time_t wall = time(NULL);
	struct tm local;
	localtime_r(&wall, &local);
	bool written = src.family->settings
			       ? hame_friendly_command(src.family, t->setting, ed->payload, ed->payloadlen, &friendly)
			       : venus_friendly_command(t->setting, ed->payload, ed->payloadlen, &local, &friendly);
	if (!written)
		return refuse(v, &src, friendly.error);
	/* The gate judges the vendor command that the plugin is about to send. */
	src.raw = friendly.command;
	src.raw_len = strlen(friendly.command);
	struct venus_command cmd;
	if (gate_command(v, &src, &cmd, now_ms) != GATE_PASS)
		return MOSQ_ERR_ACL_DENIED;
	struct venus_device *d = refresh_device(v, t, now_ms);
	struct venus_device untracked = {0};
	if (!d) { /* a battery that has not replied yet: reached under the first vendor */
		d = &untracked;
		first_vendor(v, d->vendor, sizeof(d->vendor));
		snprintf(d->type, sizeof(d->type), "%s", t->type);
		snprintf(d->id, sizeof(d->id), "%s", t->id);
	}
	send_command(d, &cmd, ed->qos);
	return MOSQ_ERR_SUCCESS;
}

/* Logs, limited per client, that part of a reply did not fit the device's state. */
static void note_not_kept(struct venus_bridge *v, const struct venus_topic *t, const struct mosquitto *client,
			  const char *why)
{
	char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE], reason[LOG_QUOTE_SIZE];
	eb_log_limited(v->refusal_log, client, MOSQ_LOG_WARNING, "energy-bridge: venus: %s/%s: part of a reply not kept: %s",
		       log_quote_str(type, t->type), log_quote_str(id, t->id), log_quote_str(reason, why));
}

/*
 * A reply of a family with its own reply kinds (hame_translate.h): the kind
 * it is, rendered into v->out, with the topic leaf in *leaf; false when it
 * is none of them (it then goes to .../reply).
 */
static bool translate_family_reply(struct venus_bridge *v, struct venus_device *d, const struct venus_topic *t,
				   const struct mosquitto *client, const struct hame_family *family, const char **leaf)
{
	const struct hame_reply_kind *kind = NULL;
	if (family && family->replies)
		kind = hame_reply_kind_of(family->replies, family->n_replies, &v->reply);
	else if (family)
		kind = hame_reply_kind_of(family->venus_extra, family->n_venus_extra, &v->reply);
	if (!kind)
		return false;
	char mac[HAME_MAC_LEN + 1];
	const char *decoded = family->aes_ids && hame_id_decode(t->id, mac) ? mac : NULL;
	int64_t wall_ms = eb_wall_clock().tv_sec * 1000;
	if (kind->merged) {
		char why[VENUS_ERROR_MAX];
		if (venus_state_merge(&d->state, &v->reply, wall_ms, why, sizeof(why)) > 0)
			note_not_kept(v, t, client, why);
		hame_translate_state(kind, &d->state, t->type, t->id, decoded, &v->out);
	} else {
		hame_translate_reply(kind, &v->reply, t->type, t->id, decoded, wall_ms, &v->out);
	}
	*leaf = kind->leaf;
	return true;
}

/* Delivered as is, and translated when the battery has (or gets) an entry in the table. */
static int on_reply(struct venus_bridge *v, const struct venus_topic *t, const struct mosquitto_evt_message *ed,
		    int64_t now_ms)
{
	if (ed->payloadlen > VENUS_REPLY_BYTES_MAX) {
		v->replies_refused++;
		struct eb_quoted_client q;
		char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE];
		eb_quote_client(ed->client, &q);
		eb_log_limited(v->refusal_log, ed->client, MOSQ_LOG_WARNING,
			       "energy-bridge: venus: refused a reply of %lu bytes for %s/%s from client '%s': longer "
			       "than %d bytes",
			       (unsigned long)ed->payloadlen, log_quote_str(type, t->type), log_quote_str(id, t->id),
			       q.id, VENUS_REPLY_BYTES_MAX);
		return MOSQ_ERR_ACL_DENIED;
	}
	struct venus_device *d = track_device(v, t, now_ms);
	if (!d) {
		note_untracked(v, t, now_ms);
		return MOSQ_ERR_SUCCESS;
	}
	venus_reply_parse(ed->payload, ed->payloadlen, &v->reply);
	struct json_out *o = &v->out;
	json_out_reset(o);
	char topic[256];
	const struct hame_family *family = hame_family_of(t->type);
	const char *leaf = NULL;
	bool venus_information = (!family || !family->replies) && v->reply.kind == VENUS_REPLY_INFORMATION;
	bool retain = venus_information;
	if (!venus_information && translate_family_reply(v, d, t, ed->client, family, &leaf)) {
		retain = true;
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, leaf);
	} else if (retain) {
		char why[VENUS_ERROR_MAX];
		if (venus_state_merge(&d->state, &v->reply, eb_wall_clock().tv_sec * 1000, why, sizeof(why)) > 0)
			note_not_kept(v, t, ed->client, why);
		venus_state_render(&d->state, t->type, t->id, o);
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, "state");
	} else {
		venus_reply_render(&v->reply, o);
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, "reply");
	}
	if (!json_out_failed(o)) {
		eb_publish(NULL, topic, o->buf, o->len, ed->qos, retain, NULL);
		v->replies_translated++;
		bool state = venus_information || (leaf && strcmp(leaf, "state") == 0);
		struct venus_readings readings;
		venus_reply_readings(&v->reply, &readings);
		eb_device_report(&v->observer,
				 &(struct eb_device_event){.kind = EB_DEVICE_VENUS, .vendor = d->vendor, .type = t->type,
							   .id = t->id, .has_state = state,
							   .family = family ? family->name : NULL,
							   .has_soc = readings.has_soc, .soc_percent = readings.soc_percent,
							   .has_battery_w = readings.has_battery_w,
							   .battery_w = readings.battery_w,
							   .has_grid_w = readings.has_grid_w, .grid_w = readings.grid_w});
	}
	json_out_shrink(o, JSON_KEEP_BYTES);
	return MOSQ_ERR_SUCCESS;
}

bool venus_bridge_owns_topic(const struct venus_bridge *v, const char *topic)
{
	struct venus_topic t;
	venus_topic_parse(topic, v->cfg->vendors, v->cfg->state_prefix, &t);
	return t.kind == VENUS_TOPIC_OUTPUT;
}

int venus_bridge_check_write(struct venus_bridge *v, const struct mosquitto *client, const char *topic,
			     const void *payload, size_t len, int qos, bool retain, bool is_will)
{
	struct venus_topic t;
	venus_topic_parse(topic, v->cfg->vendors, v->cfg->state_prefix, &t);
	if (t.kind != VENUS_TOPIC_COMMAND && t.kind != VENUS_TOPIC_SET)
		return MOSQ_ERR_PLUGIN_DEFER;
	if (is_will)
		return MOSQ_ERR_ACL_DENIED; /* a command has no business in a will */
	const struct hame_family *family = hame_family_of(t.type);
	if (t.kind == VENUS_TOPIC_SET || !family || len == 0)
		return MOSQ_ERR_PLUGIN_DEFER; /* the MESSAGE callback decides; an empty one clears a retained command */
	struct venus_command cmd;
	char why[VENUS_ERROR_MAX];
	if (judge(v, family, client, payload, len, &cmd, why, sizeof(why)) == STATELESS_PASS) {
		if (!retain)
			return MOSQ_ERR_PLUGIN_DEFER;
		snprintf(why, sizeof(why), "%s", RETAINED_COMMAND);
	}
	if (retain)
		return MOSQ_ERR_ACL_DENIED; /* a retained check may come from the broker on a subscription */
	/* Told to the sender alone: whether it may write here at all is not known yet. */
	struct json_out *o = &v->out;
	json_out_reset(o);
	json_out_begin_object(o);
	json_out_text_prefix(o, "command", payload, len, REPORT_QUOTE_MAX);
	json_out_key(o, "error");
	json_out_string(o, why);
	json_out_end_object(o);
	char report_topic[256];
	topic_of(report_topic, sizeof(report_topic), v->cfg->state_prefix, &t, "error");
	const char *client_id = mosquitto_client_id(client);
	if (client_id && !json_out_failed(o))
		eb_publish(client_id, report_topic, o->buf, o->len, qos, false, NULL);
	json_out_shrink(o, JSON_KEEP_BYTES);
	return MOSQ_ERR_ACL_DENIED;
}

bool venus_bridge_on_message(struct venus_bridge *v, struct mosquitto_evt_message *ed, int *verdict)
{
	struct venus_topic t;
	venus_topic_parse(ed->topic, v->cfg->vendors, v->cfg->state_prefix, &t);
	if (t.kind == VENUS_TOPIC_NONE)
		return false;
	if (t.kind == VENUS_TOPIC_OUTPUT)
		return false; /* the plugin's own topics: refused before this is called */

	int64_t now_ms = eb_monotonic_ms();
	struct qos2_fingerprint fp;
	bool resend = false;
	int prior = MOSQ_ERR_ACL_DENIED;
	if (ed->qos == 2) {
		/* The sender is the client id and the user: another user may take the id. */
		fp = qos2_fingerprint(eb_client_id(ed->client), mosquitto_client_username(ed->client), ed->topic,
				      ed->payload, ed->payloadlen);
		resend = qos2_dedup_lookup(&v->retransmissions, fp, now_ms, &prior);
		v->qos2_resends += resend;
	}
	switch (t.kind) {
	case VENUS_TOPIC_COMMAND:
		*verdict = on_command(v, &t, ed, now_ms, resend);
		break;
	case VENUS_TOPIC_SET:
		*verdict = on_friendly(v, &t, ed, now_ms, resend, prior);
		break;
	default:
		/* A reply is delivered untouched, so Mosquitto keeps one copy of a retransmission; translate once. */
		*verdict = resend ? prior : on_reply(v, &t, ed, now_ms);
		break;
	}
	if (ed->qos == 2)
		qos2_dedup_record(&v->retransmissions, fp, *verdict, now_ms);
	return true;
}

bool venus_bridge_poll(void *ctx, const char *type, const char *id, const char *command)
{
	struct venus_bridge *v = ctx;
	struct venus_command cmd;
	if (!venus_command_parse(command, strlen(command), &cmd) || !venus_type_is_first_generation(type))
		return false;
	char key[VENUS_TYPE_MAX + VENUS_ID_MAX + 2];
	snprintf(key, sizeof(key), "%s/%s", type, id);
	if (venus_gate_admit(&v->gate, key, &cmd, eb_monotonic_ms(), NULL) != VENUS_GATE_PASS)
		return false;
	for (size_t i = 0; i < v->device_count; i++) {
		const struct venus_device *d = &v->devices[i];
		if (strcmp(d->type, type) == 0 && strcmp(d->id, id) == 0) {
			send_command(d, &cmd, 0);
			return true;
		}
	}
	/* Not heard from yet: its vendor is unknown, so ask under each vendor configured. */
	struct venus_device unknown;
	memset(&unknown, 0, sizeof(unknown));
	snprintf(unknown.type, sizeof(unknown.type), "%s", type);
	snprintf(unknown.id, sizeof(unknown.id), "%s", id);
	for (const char *p = v->cfg->vendors; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n > 0 && n <= VENUS_VENDOR_MAX) {
			snprintf(unknown.vendor, sizeof(unknown.vendor), "%.*s", (int)n, p);
			send_command(&unknown, &cmd, 0);
		}
		p += n;
	}
	return true;
}

void venus_bridge_on_tick(struct venus_bridge *v, int64_t now_ms)
{
	if (v->cfg->poll_interval <= 0 || now_ms < v->next_poll_ms)
		return;
	v->next_poll_ms = now_ms + v->cfg->poll_interval * 1000;
	struct venus_command cmd;
	venus_command_parse("cd=1", 4, &cmd);
	for (size_t i = 0; i < v->device_count; i++) {
		const struct venus_device *d = &v->devices[i];
		char key[VENUS_TYPE_MAX + VENUS_ID_MAX + 2];
		snprintf(key, sizeof(key), "%s/%s", d->type, d->id);
		/* A read a client sent a moment ago is answered already. */
		if (hame_family_of(d->type) &&
		    venus_gate_admit(&v->gate, key, &cmd, now_ms, NULL) == VENUS_GATE_PASS)
			send_command(d, &cmd, 0);
	}
}
