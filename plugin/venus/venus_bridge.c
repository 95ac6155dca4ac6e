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
	const struct hame_family *family; /* whose command table judges it; NULL: none does */
};

int venus_bridge_start(struct venus_bridge *v, const struct eb_venus_config *cfg, char *err, size_t errsz)
{
	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	if (!cfg->enabled)
		return 0;
	json_out_init(&v->out);
	qos2_dedup_init(&v->retransmissions, RETRANSMISSION_WINDOW_MS);
	v->devices = calloc(VENUS_DEVICES_MAX, sizeof(*v->devices));
	if (!v->devices || !venus_gate_init(&v->gate, 0, cfg->command_interval * 1000))
		return eb_error(err, errsz, "out of memory");
	return 0;
}

void venus_bridge_stop(struct venus_bridge *v)
{
	venus_gate_free(&v->gate);
	json_out_free(&v->out);
	free(v->devices);
	v->devices = NULL;
}

static void topic_of(char *buf, size_t size, const char *prefix, const struct venus_topic *t, const char *leaf)
{
	snprintf(buf, size, "%s/%s/%s/%s", prefix, t->type, t->id, leaf);
}

/* The device's slot, taken (or the least recently seen one recycled) when new. */
static struct venus_device *device_for(struct venus_bridge *v, const struct venus_topic *t, int64_t now_ms)
{
	struct venus_device *oldest = NULL;
	for (size_t i = 0; i < v->device_count; i++) {
		struct venus_device *d = &v->devices[i];
		if (strcmp(d->type, t->type) == 0 && strcmp(d->id, t->id) == 0) {
			if (t->vendor[0])
				snprintf(d->vendor, sizeof(d->vendor), "%s", t->vendor);
			d->last_seen_ms = now_ms;
			return d;
		}
		if (!oldest || d->last_seen_ms < oldest->last_seen_ms)
			oldest = d;
	}
	struct venus_device *d = v->device_count < VENUS_DEVICES_MAX ? &v->devices[v->device_count++] : oldest;
	memset(d, 0, sizeof(*d));
	venus_state_init(&d->state);
	snprintf(d->type, sizeof(d->type), "%s", t->type);
	snprintf(d->id, sizeof(d->id), "%s", t->id);
	/* A device first named by a friendly command is reached under the first vendor. */
	size_t first = strcspn(v->cfg->vendors + strspn(v->cfg->vendors, " "), " ");
	snprintf(d->vendor, sizeof(d->vendor), "%.*s", (int)first, v->cfg->vendors + strspn(v->cfg->vendors, " "));
	if (t->vendor[0])
		snprintf(d->vendor, sizeof(d->vendor), "%s", t->vendor);
	d->last_seen_ms = now_ms;
	return d;
}

static int refuse(struct venus_bridge *v, const struct command_source *src, const char *why)
{
	const char *client_id = eb_client_id(src->client), *user = eb_client_username(src->client);
	struct json_out *o = &v->out;
	json_out_reset(o);
	json_out_begin_object(o);
	json_out_key(o, "command");
	json_out_text(o, src->raw, src->raw_len);
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
	struct eb_quoted_client q;
	char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE], reason[LOG_QUOTE_SIZE];
	eb_quote_client(src->client, &q);
	eb_log_limited(v->refusal_log, src->client, MOSQ_LOG_WARNING,
		       "energy-bridge: venus: refused command for %s/%s from client '%s' (user '%s'): %s",
		       log_quote_str(type, src->topic->type), log_quote_str(id, src->topic->id), q.id, q.user,
		       log_quote_str(reason, why));
	v->commands_refused++;
	return MOSQ_ERR_ACL_DENIED;
}

/* What the gate decides without state: well formed, in range, dangerous only for admins. */
static bool command_is_allowed(struct venus_bridge *v, const struct command_source *src, struct venus_command *cmd)
{
	if (!hame_command_parse(src->family ? src->family->commands : NULL, src->raw, src->raw_len, cmd)) {
		v->refused_invalid++;
		refuse(v, src, cmd->error);
		return false;
	}
	if (cmd->cls == VENUS_DANGEROUS &&
	    !venus_words_contain(v->cfg->admin_users, eb_client_username(src->client))) {
		char why[VENUS_ERROR_MAX];
		snprintf(why, sizeof(why), "cd=%d is dangerous: only plugin_opt_venus_admin_users may send it", cmd->cd);
		v->refused_dangerous++;
		refuse(v, src, why);
		return false;
	}
	return true;
}

/* The whole gate of docs/venus.md; on GATE_PASS, cmd holds the normalised command. */
static enum gate_outcome gate_command(struct venus_bridge *v, const struct command_source *src,
				      struct venus_command *cmd, int64_t now_ms)
{
	if (!command_is_allowed(v, src, cmd))
		return GATE_REFUSED;
	char key[VENUS_TYPE_MAX + VENUS_ID_MAX + 2];
	snprintf(key, sizeof(key), "%s/%s", src->topic->type, src->topic->id);
	int64_t wait_ms = 0;
	enum venus_gate_result r = venus_gate_admit(&v->gate, key, cmd, now_ms, &wait_ms);
	if (r == VENUS_GATE_PASS) {
		v->commands_passed++;
		return GATE_PASS;
	}
	char why[VENUS_ERROR_MAX];
	venus_gate_describe(&v->gate, r, wait_ms, why, sizeof(why));
	if (r == VENUS_GATE_TOO_FAST) {
		v->refused_too_fast++;
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

static int on_command(struct venus_bridge *v, const struct venus_topic *t, struct mosquitto_evt_message *ed,
		      int64_t now_ms)
{
	struct command_source src = {t, ed->client, ed->payload, ed->payloadlen, ed->qos, hame_family_of(t->type)};
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
	device_for(v, t, now_ms);
	if (cmd.payload_len != ed->payloadlen || memcmp(cmd.payload, ed->payload, cmd.payload_len) != 0) {
		/* The broker frees the payload it had and delivers this one. */
		void *normalised = mosquitto_malloc(cmd.payload_len);
		if (!normalised)
			return MOSQ_ERR_ACL_DENIED; /* never deliver the unnormalised command */
		memcpy(normalised, cmd.payload, cmd.payload_len);
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

static int on_friendly(struct venus_bridge *v, const struct venus_topic *t, struct mosquitto_evt_message *ed,
		       int64_t now_ms)
{
	struct command_source src = {t, ed->client, ed->payload, ed->payloadlen, ed->qos, hame_family_of(t->type)};
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
	send_command(device_for(v, t, now_ms), &cmd, ed->qos);
	return MOSQ_ERR_SUCCESS;
}

/*
 * A reply of a family with its own reply kinds (hame_translate.h): the kind
 * it is, rendered into v->out, with the topic leaf in *leaf; false when it
 * is none of them (it then goes to .../reply).
 */
static bool translate_family_reply(struct venus_bridge *v, struct venus_device *d, const struct venus_topic *t,
				   const struct hame_family *family, const char **leaf)
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
			mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: venus: %s/%s: part of a reply not kept: %s",
					     t->type, t->id, why);
		hame_translate_state(kind, &d->state, t->type, t->id, decoded, &v->out);
	} else {
		hame_translate_reply(kind, &v->reply, t->type, t->id, decoded, wall_ms, &v->out);
	}
	*leaf = kind->leaf;
	return true;
}

static void on_reply(struct venus_bridge *v, const struct venus_topic *t, const struct mosquitto_evt_message *ed,
		     int64_t now_ms)
{
	struct venus_device *d = device_for(v, t, now_ms);
	venus_reply_parse(ed->payload, ed->payloadlen, &v->reply);
	struct json_out *o = &v->out;
	json_out_reset(o);
	char topic[256];
	const struct hame_family *family = hame_family_of(t->type);
	const char *leaf = NULL;
	bool venus_information = (!family || !family->replies) && v->reply.kind == VENUS_REPLY_INFORMATION;
	bool retain = venus_information;
	if (!venus_information && translate_family_reply(v, d, t, family, &leaf)) {
		retain = true;
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, leaf);
	} else if (retain) {
		char why[VENUS_ERROR_MAX];
		if (venus_state_merge(&d->state, &v->reply, eb_wall_clock().tv_sec * 1000, why, sizeof(why)) > 0) {
			char type[LOG_QUOTE_SIZE], id[LOG_QUOTE_SIZE], reason[LOG_QUOTE_SIZE];
			eb_log_limited(v->refusal_log, ed->client, MOSQ_LOG_WARNING,
				       "energy-bridge: venus: %s/%s: part of a reply not kept: %s",
				       log_quote_str(type, t->type), log_quote_str(id, t->id), log_quote_str(reason, why));
		}
		venus_state_render(&d->state, t->type, t->id, o);
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, "state");
	} else {
		venus_reply_render(&v->reply, o);
		topic_of(topic, sizeof(topic), v->cfg->state_prefix, t, "reply");
	}
	if (json_out_failed(o))
		return;
	eb_publish(NULL, topic, o->buf, o->len, ed->qos, retain, NULL);
	v->replies_translated++;
	bool state = venus_information || (leaf && strcmp(leaf, "state") == 0);
	eb_device_report(&v->observer, &(struct eb_device_event){.kind = EB_DEVICE_VENUS, .vendor = d->vendor,
							   .type = t->type, .id = t->id, .has_state = state,
							   .family = family ? family->name : NULL});
}

bool venus_bridge_owns_topic(const struct venus_bridge *v, const char *topic)
{
	struct venus_topic t;
	venus_topic_parse(topic, v->cfg->vendors, v->cfg->state_prefix, &t);
	return t.kind == VENUS_TOPIC_OUTPUT;
}

int venus_bridge_check_write(struct venus_bridge *v, const struct mosquitto *client, const char *topic,
			     const void *payload, size_t len, int qos, bool retain)
{
	struct venus_topic t;
	venus_topic_parse(topic, v->cfg->vendors, v->cfg->state_prefix, &t);
	if (t.kind != VENUS_TOPIC_COMMAND)
		return MOSQ_ERR_PLUGIN_DEFER;
	struct command_source src = {&t, client, payload, len, qos, hame_family_of(t.type)};
	struct venus_command cmd;
	if (len == 0)
		return MOSQ_ERR_PLUGIN_DEFER; /* nothing for the battery to run; clears a retained command */
	if (!src.family)
		return v->cfg->strict_types ? refuse_undescribed(v, &src) : MOSQ_ERR_PLUGIN_DEFER;
	if (!command_is_allowed(v, &src, &cmd))
		return MOSQ_ERR_ACL_DENIED;
	return retain ? refuse(v, &src, RETAINED_COMMAND) : MOSQ_ERR_PLUGIN_DEFER;
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
	if (ed->qos == 2) {
		fp = qos2_fingerprint(eb_client_id(ed->client), ed->topic, ed->payload, ed->payloadlen);
		if (qos2_dedup_lookup(&v->retransmissions, fp, now_ms, verdict))
			return true; /* a retransmission: acted on once already */
	}
	switch (t.kind) {
	case VENUS_TOPIC_COMMAND:
		*verdict = on_command(v, &t, ed, now_ms);
		break;
	case VENUS_TOPIC_SET:
		*verdict = on_friendly(v, &t, ed, now_ms);
		break;
	default:
		on_reply(v, &t, ed, now_ms);
		*verdict = MOSQ_ERR_SUCCESS;
		break;
	}
	if (ed->qos == 2)
		qos2_dedup_record(&v->retransmissions, fp, *verdict, now_ms);
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
