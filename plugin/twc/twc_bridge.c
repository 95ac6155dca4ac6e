#include "twc_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_io.h"
#include "eb_text.h"
#include "json_out.h"

/* The most of a refused pool value that its report quotes. */
#define POOL_VALUE_QUOTE_MAX 32
/* Far more than the link thread queues between two ticks (10 a second at least). */
#define OUTBOX_CAPACITY 10000

static void master_config_of(const struct eb_twc_config *cfg, struct twc_master_config *mc)
{
	twc_master_config_defaults(mc);
	mc->mode = cfg->monitor ? TWC_MODE_MONITOR : TWC_MODE_MASTER;
	mc->master_id = (uint16_t)cfg->master_id;
	mc->sign = (uint8_t)cfg->master_id;
	mc->max_amps_for_slaves = (int)cfg->max_amps_for_slaves;
	mc->min_amps_per_twc = (int)cfg->min_amps_per_twc;
	mc->wiring_max_amps_per_twc = (int)cfg->wiring_max_amps_per_twc;
	mc->wiring_max_amps_all = (int)cfg->wiring_max_amps_all;
	mc->refresh_s = (int)cfg->refresh;
}

int twc_bridge_start(struct twc_bridge *t, const struct eb_twc_config *cfg, char *err, size_t errsz)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	if (!cfg->enabled)
		return 0;
	struct twc_master_config mc;
	master_config_of(cfg, &mc);
	char problem[160];
	if (twc_master_config_check(&mc, problem, sizeof(problem)) != 0)
		return eb_error(err, errsz, "option %s", problem);
	t->circuit_amps = mc.wiring_max_amps_all ? mc.wiring_max_amps_all : mc.max_amps_for_slaves;
	if (asprintf(&t->set_topic, "%s/config/maxAmpsForSlaves/set", cfg->prefix) < 0)
		t->set_topic = NULL;
	if (asprintf(&t->error_topic, "%s/config/error", cfg->prefix) < 0)
		t->error_topic = NULL;
	if (!t->set_topic || !t->error_topic || outbox_init(&t->outbox, OUTBOX_CAPACITY) != 0) {
		return eb_error(err, errsz, "out of memory");
	}
	t->link = twc_link_start(cfg->port, &mc, cfg->prefix, &t->outbox);
	if (!t->link) {
		outbox_destroy(&t->outbox);
		return eb_error(err, errsz, "could not start the TWC link thread");
	}
	return 0;
}

void twc_bridge_stop(struct twc_bridge *t)
{
	if (t->link) {
		twc_link_stop(t->link);
		outbox_destroy(&t->outbox);
	}
	t->link = NULL;
	free(t->set_topic);
	free(t->error_topic);
	t->set_topic = t->error_topic = NULL;
}

/* "<ID>/<leaf>" after the prefix: the wall connector's id, or -1 for config/ and all/ topics. */
static long slave_of(const char *suffix)
{
	if (strspn(suffix, "0123456789ABCDEF") != 4 || suffix[4] != '/')
		return -1;
	return strtol(suffix, NULL, 16);
}

/* A status topic went out: the circuit is there, and so is the wall connector it names, if any. */
static void report_device(struct twc_bridge *t, const char *topic)
{
	long amps = t->cfg->monitor ? -1 : t->circuit_amps;
	eb_device_report(&t->observer, &(struct eb_device_event){.kind = EB_DEVICE_TWC_CIRCUIT, .amps = amps});
	size_t n = strlen(t->cfg->prefix);
	long id = strncmp(topic, t->cfg->prefix, n) == 0 && topic[n] == '/' ? slave_of(topic + n + 1) : -1;
	if (id >= 0)
		eb_device_report(&t->observer,
				 &(struct eb_device_event){.kind = EB_DEVICE_TWC_SLAVE, .number = (unsigned)id});
}

void twc_bridge_on_tick(struct twc_bridge *t)
{
	struct outbox_item *items = outbox_take_all(&t->outbox);
	for (struct outbox_item *i = items; i; i = i->next) {
		if (i->kind == OUTBOX_LOG)
			mosquitto_log_printf(i->log_level, "%s", i->text);
		else
			eb_publish(NULL, i->topic, i->text, i->text_len, (int)t->cfg->qos, i->retain, NULL);
		if (i->kind == OUTBOX_PUBLISH)
			report_device(t, i->topic);
	}
	outbox_free(items);
}

/* A whole number of amps from 0 to the circuit's capacity, or -1. */
static int parse_amps(const char *text, size_t len, int circuit)
{
	int amps = 0;
	if (len == 0 || len > 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		amps = amps * 10 + (text[i] - '0');
	}
	return amps <= circuit ? amps : -1;
}

static int refuse_pool(struct twc_bridge *t, const struct mosquitto_evt_message *ed)
{
	char why[128];
	if (t->cfg->monitor)
		snprintf(why, sizeof(why), "in monitor mode the real master shares the current, not the plugin");
	else
		snprintf(why, sizeof(why), "maxAmpsForSlaves must be a whole number of amps from 0 to %d",
			 t->circuit_amps);
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "error");
	json_out_string(&o, why);
	/* Quoted, not copied: a good value has at most 4 digits, and a megabyte refused leaves a short report. */
	json_out_text_prefix(&o, "value", ed->payload, ed->payloadlen, POOL_VALUE_QUOTE_MAX);
	const char *client_id = eb_client_id(ed->client), *user = eb_client_username(ed->client);
	json_out_text_prefix(&o, "client_id", client_id, strlen(client_id), JSON_OUT_QUOTE_MAX);
	json_out_text_prefix(&o, "user", user, strlen(user), JSON_OUT_QUOTE_MAX);
	json_out_end_object(&o);
	if (!json_out_failed(&o))
		eb_publish(NULL, t->error_topic, o.buf, o.len, ed->qos, false, NULL);
	json_out_free(&o);
	struct eb_quoted_client q;
	eb_quote_client(ed->client, &q);
	eb_log_limited(t->refusal_log, ed->client, MOSQ_LOG_WARNING,
		       "energy-bridge: twc: refused %s from client '%s' (user '%s'): %s", t->set_topic, q.id, q.user,
		       why);
	t->pool_refusals++;
	return MOSQ_ERR_ACL_DENIED;
}

bool twc_bridge_owns_topic(const struct twc_bridge *t, const char *topic)
{
	return eb_topic_under(topic, t->cfg->prefix) && strcmp(topic, t->set_topic) != 0;
}

bool twc_bridge_on_message(struct twc_bridge *t, const struct mosquitto_evt_message *ed, int *verdict)
{
	if (strcmp(ed->topic, t->set_topic) != 0)
		return false; /* the plugin's own topics: refused before this is called */
	int amps = parse_amps(ed->payload, ed->payloadlen, t->circuit_amps);
	if (amps < 0 || t->cfg->monitor) {
		*verdict = refuse_pool(t, ed);
		return true;
	}
	twc_link_request_pool(t->link, amps);
	t->pool_changes++;
	struct eb_quoted_client q;
	eb_quote_client(ed->client, &q);
	/* A client setting the pool in a loop is rate-limited in the log like a refused one. */
	eb_log_limited(t->refusal_log, ed->client, MOSQ_LOG_NOTICE,
		       "energy-bridge: twc: client '%s' (user '%s') sets maxAmpsForSlaves to %d", q.id, q.user, amps);
	*verdict = MOSQ_ERR_SUCCESS;
	return true;
}
