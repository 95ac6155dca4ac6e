#include "twc_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_io.h"
#include "clock.h"
#include "eb_text.h"
#include "json_out.h"
#include "twc_meter.h"
#include "twc_schedule.h"
#include "wake.h"

/* The most of a refused pool value that its report quotes. */
#define POOL_VALUE_QUOTE_MAX 32
/* Far more than the link thread queues between two ticks (10 a second at least). */
#define OUTBOX_CAPACITY 10000
/* A battery's CT reading is asked for this often when it is the grid meter. */
#define CT_POLL_MS 2000
#define METER_LOG_MS 60000
/* Quoted in refusals: enough to recognise a payload, never a megabyte. */
#define QUOTE_MAX 200

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
	mc->restart_holdoff_s = (int)cfg->energy_start_s;
}

static void energy_config_of(const struct eb_twc_config *cfg, struct twc_energy_config *ec)
{
	memset(ec, 0, sizeof(*ec));
	ec->mode = (enum twc_energy_mode)cfg->energy_mode;
	ec->min_amps = (int)cfg->min_amps_per_twc;
	ec->margin_w = (int)cfg->energy_margin_w;
	ec->phases = (int)cfg->energy_phases;
	ec->volts = (int)cfg->energy_voltage;
	ec->start_s = (int)cfg->energy_start_s;
	ec->stop_s = (int)cfg->energy_stop_s;
	ec->meter_timeout_s = (int)cfg->energy_meter_timeout_s;
	ec->meter = cfg->energy_grid_topic[0] != '\0' || cfg->energy_grid_venus[0] != '\0';
	ec->battery = cfg->energy_battery[0] != '\0';
	ec->priority_soc = (int)cfg->energy_battery_priority_soc;
	ec->buffer_soc = (int)cfg->energy_battery_buffer_soc;
	char ignored[160];
	twc_schedule_parse(cfg->energy_schedule, &ec->schedule, ignored, sizeof(ignored)); /* checked with the options */
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
	if (asprintf(&t->mode_topic, "%s/energy/mode/set", cfg->prefix) < 0)
		t->mode_topic = NULL;
	if (asprintf(&t->charge_now_topic, "%s/energy/chargeNow/set", cfg->prefix) < 0)
		t->charge_now_topic = NULL;
	if (asprintf(&t->energy_error_topic, "%s/energy/error", cfg->prefix) < 0)
		t->energy_error_topic = NULL;
	if (!t->set_topic || !t->error_topic || !t->mode_topic || !t->charge_now_topic || !t->energy_error_topic ||
	    outbox_init(&t->outbox, OUTBOX_CAPACITY) != 0) {
		return eb_error(err, errsz, "out of memory");
	}
	struct twc_energy_config ec;
	energy_config_of(cfg, &ec);
	t->outbox.notify = eb_wake_request; /* the broker's thread is woken for what the link queues (2.1) */
	t->link = twc_link_start(cfg->port, &mc, &ec, cfg->prefix, &t->outbox);
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
	free(t->mode_topic);
	free(t->charge_now_topic);
	free(t->energy_error_topic);
	t->set_topic = t->error_topic = t->mode_topic = t->charge_now_topic = t->energy_error_topic = NULL;
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

/* "<type>/<id>" names this battery. */
static bool names_battery(const char *option, const char *type, const char *id)
{
	size_t n = strlen(type);
	return option[0] != '\0' && type && id && strncmp(option, type, n) == 0 && option[n] == '/' &&
	       strcmp(option + n + 1, id) == 0;
}

static void poll_ct(struct twc_bridge *t, int64_t now_ms)
{
	const char *venus = t->cfg->energy_grid_venus;
	if (venus[0] == '\0' || t->cfg->monitor || now_ms < t->next_ct_poll_ms)
		return;
	t->next_ct_poll_ms = now_ms + CT_POLL_MS;
	char type[128];
	const char *slash = strchr(venus, '/');
	snprintf(type, sizeof(type), "%.*s", (int)(slash - venus), venus);
	eb_device_poll(&t->poller, type, slash + 1, "cd=19");
}

void twc_bridge_on_device(void *ctx, const struct eb_device_event *event)
{
	struct twc_bridge *t = ctx;
	if (event->kind != EB_DEVICE_VENUS || !t->link || t->cfg->monitor)
		return;
	if (event->has_grid_w && names_battery(t->cfg->energy_grid_venus, event->type, event->id)) {
		twc_link_grid_reading(t->link, event->grid_w, eb_monotonic_ms());
		t->meter_readings++;
	}
	if ((event->has_soc || event->has_battery_w) && names_battery(t->cfg->energy_battery, event->type, event->id))
		twc_link_battery_reading(t->link, event->has_soc, event->soc_percent, event->has_battery_w,
					 event->battery_w);
}

bool twc_bridge_on_tick(struct twc_bridge *t, int64_t now_ms)
{
	poll_ct(t, now_ms);
	struct outbox_item *items = outbox_take_all(&t->outbox);
	bool published = false;
	for (struct outbox_item *i = items; i; i = i->next) {
		if (i->kind == OUTBOX_LOG)
			mosquitto_log_printf(i->log_level, "%s", i->text);
		else
			published |= eb_publish(NULL, i->topic, i->text, i->text_len, (int)t->cfg->qos, i->retain,
						NULL) == MOSQ_ERR_SUCCESS;
		if (i->kind == OUTBOX_PUBLISH)
			report_device(t, i->topic);
	}
	outbox_free(items);
	return published;
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
	return eb_topic_under(topic, t->cfg->prefix) && strcmp(topic, t->set_topic) != 0 &&
	       strcmp(topic, t->mode_topic) != 0 && strcmp(topic, t->charge_now_topic) != 0;
}

/* {"error":..., "value":..., "client_id":..., "user":...} on topic, at the message's QoS, not retained. */
static void report_refusal(const char *topic, const char *why, const struct mosquitto_evt_message *ed)
{
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "error");
	json_out_string(&o, why);
	json_out_text_prefix(&o, "topic", ed->topic, strlen(ed->topic), JSON_OUT_QUOTE_MAX);
	json_out_text_prefix(&o, "value", ed->payload, ed->payloadlen, QUOTE_MAX);
	const char *client_id = eb_client_id(ed->client), *user = eb_client_username(ed->client);
	json_out_text_prefix(&o, "client_id", client_id, strlen(client_id), JSON_OUT_QUOTE_MAX);
	json_out_text_prefix(&o, "user", user, strlen(user), JSON_OUT_QUOTE_MAX);
	json_out_end_object(&o);
	if (!json_out_failed(&o))
		eb_publish(NULL, topic, o.buf, o.len, ed->qos, false, NULL);
	json_out_free(&o);
}

/* The meter's reading goes to the link thread; a bad one is reported, and the meter's message still delivered. */
static void on_meter(struct twc_bridge *t, const struct mosquitto_evt_message *ed)
{
	long watts;
	char why[160];
	int64_t now = eb_monotonic_ms();
	if (twc_meter_parse(ed->payload, ed->payloadlen, t->cfg->energy_grid_field, t->cfg->energy_grid_import_positive,
			    &watts, why, sizeof(why)) == 0) {
		twc_link_grid_reading(t->link, watts, now);
		t->meter_readings++;
		return;
	}
	t->meter_refusals++;
	report_refusal(t->energy_error_topic, why, ed);
	if (now >= t->next_meter_log_ms) {
		t->next_meter_log_ms = now + METER_LOG_MS;
		char topic[JSON_OUT_QUOTE_MAX + 1];
		snprintf(topic, sizeof(topic), "%s", ed->topic);
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     "energy-bridge: twc: grid meter reading on %s refused: %s (%llu refused so far; "
				     "logged once a minute at most)",
				     topic, why, (unsigned long long)t->meter_refusals);
	}
}

static int refuse_energy(struct twc_bridge *t, const struct mosquitto_evt_message *ed, const char *why)
{
	t->energy_refusals++;
	report_refusal(t->energy_error_topic, why, ed);
	struct eb_quoted_client q;
	eb_quote_client(ed->client, &q);
	eb_log_limited(t->refusal_log, ed->client, MOSQ_LOG_WARNING,
		       "energy-bridge: twc: refused %s from client '%s' (user '%s'): %s", ed->topic, q.id, q.user, why);
	return MOSQ_ERR_ACL_DENIED;
}

static int on_energy_command(struct twc_bridge *t, const struct mosquitto_evt_message *ed)
{
	if (t->cfg->monitor)
		return refuse_energy(t, ed, "in monitor mode the real master shares the current, not the plugin");
	char what[64];
	if (strcmp(ed->topic, t->mode_topic) == 0) {
		int mode = twc_energy_mode_parse(ed->payload, ed->payloadlen);
		bool meter = t->cfg->energy_grid_topic[0] != '\0' || t->cfg->energy_grid_venus[0] != '\0';
		if (mode < 0)
			return refuse_energy(t, ed, "the mode must be one of " TWC_ENERGY_MODES);
		if ((mode == TWC_ENERGY_SURPLUS || mode == TWC_ENERGY_MIN_SURPLUS) && !meter)
			return refuse_energy(t, ed, "this mode needs a grid meter, and none is configured");
		if (mode == TWC_ENERGY_SCHEDULE && t->cfg->energy_schedule[strspn(t->cfg->energy_schedule, " ")] == '\0')
			return refuse_energy(t, ed, "the schedule mode needs plugin_opt_energy_schedule");
		twc_link_set_energy_mode(t->link, (enum twc_energy_mode)mode);
		snprintf(what, sizeof(what), "the energy mode to %s", twc_energy_mode_name((enum twc_energy_mode)mode));
	} else {
		int amps;
		long seconds;
		char why[200];
		if (twc_energy_parse_charge_now(ed->payload, ed->payloadlen, &amps, &seconds, why, sizeof(why)) != 0)
			return refuse_energy(t, ed, why);
		twc_link_charge_now(t->link, amps, seconds);
		snprintf(what, sizeof(what), "charge-now to %d A for %ld s", amps, seconds);
	}
	t->energy_commands++;
	struct eb_quoted_client q;
	eb_quote_client(ed->client, &q);
	eb_log_limited(t->refusal_log, ed->client, MOSQ_LOG_NOTICE, "energy-bridge: twc: client '%s' (user '%s') sets %s",
		       q.id, q.user, what);
	return MOSQ_ERR_SUCCESS;
}

bool twc_bridge_on_message(struct twc_bridge *t, const struct mosquitto_evt_message *ed, int *verdict)
{
	if (t->cfg->energy_grid_topic[0] != '\0' && strcmp(ed->topic, t->cfg->energy_grid_topic) == 0) {
		if (!t->cfg->monitor)
			on_meter(t, ed);
		*verdict = MOSQ_ERR_SUCCESS;
		return true;
	}
	if (strcmp(ed->topic, t->mode_topic) == 0 || strcmp(ed->topic, t->charge_now_topic) == 0) {
		*verdict = on_energy_command(t, ed);
		return true;
	}
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
