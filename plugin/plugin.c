/*
 * The plugin's entry points: read the options, own the state, register the
 * callbacks and route each message to the job it belongs to. The jobs live
 * in their own files; nothing here decides what a message means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

#include "broker_io.h"
#include "broker_release.h"
#include "clock.h"
#include "eb_text.h"
#include "plugin_state.h"
#include "spool.h"
#include "stats.h"
#include "wake.h"

#define EXPORT __attribute__((visibility("default")))

/*
 * Mosquitto 2.1 calls a TICK callback again no sooner than the next_ms it
 * set, and (when built without websockets) sleeps no longer than that.
 * The timers' callback asks for its next due time, capped so that a timer
 * a message moved earlier (Home Assistant's availability) is late by at
 * most this much; the TWC outbox's callback asks for a short interval, or
 * for every turn of the loop when the broker is woken for it (wake.h).
 */
#define TIMERS_NEXT_MAX_MS 1000
#define OUTBOX_NEXT_MS 10

/* A client publishing where only the plugin publishes is refused, retained or not. */
static int refuse_forgery(struct eb_plugin *p, const struct mosquitto_evt_message *ed)
{
	p->forgeries_refused++;
	struct eb_quoted_client q;
	char topic[LOG_QUOTE_SIZE];
	eb_quote_client(ed->client, &q);
	eb_log_limited(&p->refusal_log, ed->client, MOSQ_LOG_WARNING,
		       "energy-bridge: refused publish from client '%s' (user '%s') to '%s': only the plugin "
		       "publishes there",
		       q.id, q.user, log_quote_str(topic, ed->topic));
	return MOSQ_ERR_ACL_DENIED;
}

static bool plugin_owns_topic(const struct eb_plugin *p, const char *topic)
{
	return strcmp(topic, p->cfg.stats_topic) == 0 || ha_bridge_owns_topic(&p->ha, topic) ||
	       telemetry_bridge_owns_topic(&p->telemetry, topic) ||
	       (p->cfg.venus.enabled && venus_bridge_owns_topic(&p->venus, topic)) ||
	       (p->cfg.twc.enabled && twc_bridge_owns_topic(&p->twc, topic));
}

static int on_message(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	struct mosquitto_evt_message *ed = event_data;

	/* One place refuses forgeries, for every job: the same test as the ACL guard's. */
	if (plugin_owns_topic(p, ed->topic))
		return refuse_forgery(p, ed);
	ha_bridge_on_message(&p->ha, ed); /* Home Assistant's own status: availability again */
	int verdict;
	if (telemetry_bridge_on_message(&p->telemetry, ed, &verdict))
		return verdict;
	if (p->cfg.venus.enabled && venus_bridge_on_message(&p->venus, ed, &verdict))
		return verdict;
	if (p->cfg.twc.enabled && twc_bridge_on_message(&p->twc, ed, &verdict))
		return verdict;
	return MOSQ_ERR_SUCCESS;
}

/*
 * Will messages never reach the MESSAGE callback: the broker checks them
 * against the ACL only when it sends them. With plugin_opt_acl_guard on, this
 * refuses any write to a plugin topic, any will on a command or set topic,
 * and any Venus command that fails the stateless part of the gate, and leaves
 * every other decision to the acl_file (which must exist: Mosquitto 2.0
 * denies everything that all ACL callbacks defer when there is none).
 *
 * It runs before the acl_file has said whether the client may write there at
 * all, so nothing it does is seen by other clients: no report on an error
 * topic, no counter, no log line (Mosquitto logs the denial of a publish at
 * debug level itself); a refused Venus command's report goes to its sender
 * alone. A client without write rights must not make the plugin say
 * anything to others.
 */
static int on_acl_check(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	struct mosquitto_evt_acl_check *ed = event_data;
	if (ed->access != MOSQ_ACL_WRITE)
		return MOSQ_ERR_PLUGIN_DEFER;
	bool is_will = will_watch_is_will(&p->wills, ed->client, eb_client_id(ed->client));
	if (plugin_owns_topic(p, ed->topic))
		return MOSQ_ERR_ACL_DENIED;
	if (is_will && p->cfg.twc.enabled && p->twc.set_topic && strcmp(ed->topic, p->twc.set_topic) == 0)
		return MOSQ_ERR_ACL_DENIED; /* a command has no business in a will */
	if (!p->cfg.venus.enabled)
		return MOSQ_ERR_PLUGIN_DEFER;
	return venus_bridge_check_write(&p->venus, ed->client, ed->topic, ed->payload, ed->payloadlen, ed->qos,
					ed->retain, is_will);
}

/* A connection's DISCONNECT event comes just before the broker checks its will (will_watch.h). */
static int on_disconnect(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	struct mosquitto_evt_disconnect *ed = event_data;
	will_watch_disconnected(&p->wills, ed->client, eb_client_id(ed->client));
	return MOSQ_ERR_SUCCESS;
}

/*
 * The plugin accepts nobody: it answers DEFER, so that the password_file (or
 * an auth plugin) decides. That this callback exists changes one thing in
 * Mosquitto 2.0: a client that gives a user name is let in only if something
 * accepts the name, even with allow_anonymous true. Without it, any client
 * could claim an admin's name when there is no password_file, and the plugin,
 * which sees only the name, could not tell. It also marks a takeover of a
 * client id, whose old connection's will is checked next (will_watch.h).
 */
static int on_basic_auth(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	struct mosquitto_evt_basic_auth *ed = event_data;
	if (p->cfg.acl_guard)
		will_watch_connecting(&p->wills, ed->client, eb_client_id(ed->client));
	return MOSQ_ERR_PLUGIN_DEFER;
}

/* User names decide who may send dangerous Venus commands, and the acl_file's rights with the guard on. */
static bool names_must_be_authenticated(const struct eb_plugin *p)
{
	const char *admins_list = p->cfg.venus.admin_users ? p->cfg.venus.admin_users : "";
	bool admins = p->cfg.venus.enabled && admins_list[strspn(admins_list, " ")];
	return admins || p->cfg.acl_guard;
}

/* Milliseconds until the earliest timer of the jobs is due, from 1 to TIMERS_NEXT_MAX_MS. */
static long next_timer_ms(const struct eb_plugin *p, int64_t now_ms)
{
	int64_t due = now_ms + TIMERS_NEXT_MAX_MS;
	if (p->cfg.venus.enabled && p->cfg.venus.poll_interval > 0 && p->venus.next_poll_ms < due)
		due = p->venus.next_poll_ms;
	if (p->cfg.stats_interval > 0 && p->next_stats_ms < due)
		due = p->next_stats_ms;
	if (p->ha.enabled && p->ha.next_availability_ms < due)
		due = p->ha.next_availability_ms;
	return due - now_ms < 1 ? 1 : (long)(due - now_ms);
}

/* Venus polling, the statistics and Home Assistant's availability: each on its own interval. */
static int on_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	int64_t now_ms = eb_monotonic_ms();
	if (p->cfg.venus.enabled)
		venus_bridge_on_tick(&p->venus, now_ms);
	eb_stats_on_tick(p, now_ms);
	ha_bridge_on_tick(&p->ha, now_ms); /* Home Assistant availability */
	eb_tick_set_next_ms(event_data, next_timer_ms(p, eb_monotonic_ms()));
	return MOSQ_ERR_SUCCESS;
}

/* The will watch (plugin_opt_acl_guard): disarmed at every turn of the broker's loop (will_watch.h). */
static int on_turn_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	will_watch_tick(&p->wills);
	eb_tick_set_next_ms(event_data, 0); /* every turn */
	return MOSQ_ERR_SUCCESS;
}

/* What the TWC link thread queued: as soon as the broker's thread comes round. */
static int on_twc_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	uint64_t begun = eb_wake_tick_begin();
	eb_wake_tick_end(begun, twc_bridge_on_tick(&p->twc, eb_monotonic_ms()));
	eb_tick_set_next_ms(event_data, p->woken ? 0 : OUTBOX_NEXT_MS);
	return MOSQ_ERR_SUCCESS;
}

/*
 * The journal (journal.h): registered after every other TICK callback of the
 * plugin, so that what they publish in a pass is journaled before the pass's
 * rotation, and called at every turn of the loop.
 */
static int on_journal_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	struct eb_plugin *p = userdata;
	eb_journal_tick(&p->journal);
	eb_tick_set_next_ms(event_data, 0); /* every turn */
	return MOSQ_ERR_SUCCESS;
}

/*
 * Where the spool file lives: plugin_opt_spool_file, or by default beside the
 * broker's persistence file when persistence is on (without it the broker
 * keeps no queue across a restart, and a spool could not keep more); NULL
 * with the reason logged when there is none.
 */
static char *spool_path(const struct eb_plugin *p)
{
	const char *opt = p->cfg.spool_file;
	char err[CONFIG_ERROR_MAX];
	if (strcmp(opt, "off") == 0)
		return NULL;
	if (eb_broker_check_timers_run(err, sizeof(err)) != 0) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: %s: no spool file (it needs TICK to learn what "
						       "the broker has queued), the plugin's publishes of a stop's last "
						       "loop may be lost",
				     err);
		return NULL;
	}
	if (opt[0] != '\0')
		return strdup(opt);
	char *location;
	enum eb_conf_setting persistence = eb_broker_persistence(&location, err, sizeof(err));
	if (persistence == EB_CONF_UNREADABLE)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: no spool file: %s", err);
	if (persistence != EB_CONF_TRUE)
		return NULL;
	const char *dir = location ? location : "";
	size_t n = strlen(dir);
	char *path = NULL;
	if (asprintf(&path, "%s%senergy-bridge.spool", dir, n > 0 && dir[n - 1] != '/' ? "/" : "") < 0)
		path = NULL;
	free(location);
	return path;
}

/* Publishes again what the previous stop spooled, then journals every publish from now on. */
static void spool_start(struct eb_plugin *p)
{
	p->spool_path = spool_path(p);
	if (!p->spool_path)
		return;
	eb_journal_init(&p->journal, (size_t)p->cfg.spool_max_bytes);
	eb_publish_journal(&p->journal);
	char err[CONFIG_ERROR_MAX];
	long n = eb_spool_replay(p->spool_path, p->journal.max_bytes, err, sizeof(err));
	if (n < 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: %s", err);
		return;
	}
	p->spool_replayed = (uint64_t)n;
	if (n > 0)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: published again the %ld messages that the "
						      "broker had not queued at its last stop (%s)",
				     n, p->spool_path);
}

/* At the plugin's cleanup, after the broker saved its database: what it never queued goes to the spool. */
static void spool_stop(struct eb_plugin *p)
{
	if (!p->spool_path)
		return;
	eb_publish_journal(NULL);
	char err[CONFIG_ERROR_MAX];
	long n = eb_spool_write(p->spool_path, &p->journal, err, sizeof(err));
	if (n < 0)
		mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: the messages the broker had not queued at its "
						   "stop are lost: %s",
				     err);
	else if (n > 0)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: %ld messages that the broker had not queued at "
						      "its stop written to %s",
				     n, p->spool_path);
	if (p->journal.full)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: %llu publishes found the journal full "
						       "(plugin_opt_spool_max_bytes %ld) and were not kept",
				     (unsigned long long)p->journal.full, p->cfg.spool_max_bytes);
	eb_journal_free(&p->journal);
	free(p->spool_path);
	p->spool_path = NULL;
}

/* Unregistering a callback that was never registered is harmless (MOSQ_ERR_NOT_FOUND). */
static void unregister_callbacks(const struct eb_plugin *p, mosquitto_plugin_id_t *identifier)
{
	(void)p;
	mosquitto_callback_unregister(identifier, EB_EVT_MESSAGE, on_message, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_TICK, on_tick, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_TICK, on_turn_tick, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_TICK, on_twc_tick, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_TICK, on_journal_tick, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_DISCONNECT, on_disconnect, NULL);
	mosquitto_callback_unregister(identifier, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
}

EXPORT int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

/* Every device event goes to each observer: Home Assistant, and TWC energy management (Venus readings). */
static void fan_out_device_event(void *ctx, const struct eb_device_event *event)
{
	struct eb_plugin *p = ctx;
	if (p->ha.enabled)
		ha_bridge_on_device(&p->ha, event);
	if (p->cfg.twc.enabled)
		twc_bridge_on_device(&p->twc, event);
}

/* The options the broker cannot honour as it loaded the plugin: 0, or -1 with the reason in err. */
static int check_loading(const struct eb_plugin *p, char *err, size_t errsz)
{
	const char *needs = NULL;
	if (p->cfg.ha.enabled) /* Home Assistant availability runs on TICK */
		needs = "plugin_opt_ha_discovery needs per_listener_settings false";
	else if (p->cfg.twc.enabled || (p->cfg.venus.enabled && p->cfg.venus.poll_interval > 0))
		needs = "TWC (plugin_opt_twc_port) and Venus polling (plugin_opt_venus_poll_interval) need "
			"per_listener_settings false";
	char why[CONFIG_ERROR_MAX];
	if (needs && eb_broker_check_timers_run(why, sizeof(why)) != 0)
		return eb_error(err, errsz, "%s: %s", why, needs);
	return 0;
}

/*
 * Starts the jobs (each does nothing when it is off), then lets Home
 * Assistant discovery observe them through their device events.
 */
static int start_jobs(struct eb_plugin *p, char *err, size_t errsz)
{
	const struct eb_config *c = &p->cfg;
	struct ha_bridge_setup ha_setup = {
		.ha = &c->ha,
		.twc_prefix = c->twc.prefix,
		.venus_state_prefix = c->venus.state_prefix,
		.mppt_output_prefix = c->mppt.output_prefix,
		.pms_output_prefix = c->pms.output_prefix,
		.inverter_output_prefix = c->inverter.output_prefix,
		.twc_master_id = (unsigned)c->twc.master_id,
		.twc_refresh_s = c->twc.refresh,
		.venus_poll_interval_s = c->venus.enabled ? c->venus.poll_interval : 0,
	};
	if (telemetry_bridge_start(&p->telemetry, &c->mppt, &c->pms, &c->inverter, err, errsz) != 0 ||
	    venus_bridge_start(&p->venus, &c->venus, err, errsz) != 0 ||
	    twc_bridge_start(&p->twc, &c->twc, err, errsz) != 0 || ha_bridge_start(&p->ha, &ha_setup, err, errsz) != 0)
		return -1;
	/* One limiter for every log line a client can cause, whichever job it reaches. */
	log_limit_init(&p->refusal_log);
	p->telemetry.refusal_log = &p->refusal_log;
	p->venus.refusal_log = &p->refusal_log;
	p->twc.refusal_log = &p->refusal_log;
	/* Home Assistant and TWC energy management (Venus readings) observe the jobs' device events. */
	struct eb_device_observer all = {fan_out_device_event, p};
	p->telemetry.observer = all;
	p->venus.observer = all;
	p->twc.observer = all;
	/* Energy management reads a battery's CT through the Venus job's gate. */
	if (c->twc.enabled && c->venus.enabled)
		p->twc.poller = (struct eb_device_poller){venus_bridge_poll, &p->venus};
	return 0;
}

static void free_plugin(struct eb_plugin *p)
{
	spool_stop(p);
	ha_bridge_stop(&p->ha);
	twc_bridge_stop(&p->twc);
	if (p->woken)
		eb_wake_stop();
	telemetry_bridge_stop(&p->telemetry);
	venus_bridge_stop(&p->venus);
	eb_config_free(&p->cfg);
	free(p);
}

EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
				 int option_count)
{
	struct eb_plugin *p = calloc(1, sizeof(*p));
	if (!p)
		return MOSQ_ERR_NOMEM;
	p->id = identifier;
	p->started_ms = eb_monotonic_ms();
	will_watch_init(&p->wills);

	char err[CONFIG_ERROR_MAX];
	if (eb_config_load(&p->cfg, options, option_count, err, sizeof(err)) != 0 ||
	    check_loading(p, err, sizeof(err)) != 0 || start_jobs(p, err, sizeof(err)) != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: %s", err);
		free_plugin(p);
		return MOSQ_ERR_INVAL;
	}

	bool broker_2_1 = eb_broker_is_2_1();
	if (broker_2_1)
		mosquitto_plugin_set_info(identifier, "energy-bridge", EB_VERSION);
	/* 2.1 does not wake for the TWC link thread by itself (wake.h); 2.0 keeps its 100 ms loop. */
	if (broker_2_1 && p->cfg.twc.enabled) {
		p->woken = eb_wake_start();
		if (!p->woken)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: twc: cannot wake the broker for the "
							       "link's status (its signal is taken): up to 200 ms late");
	}

	int rc = mosquitto_callback_register(identifier, EB_EVT_MESSAGE, on_message, NULL, p);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_tick, NULL, p);
	if (rc == MOSQ_ERR_SUCCESS && p->cfg.twc.enabled)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_twc_tick, NULL, p);
	if (rc == MOSQ_ERR_SUCCESS && p->cfg.acl_guard)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_turn_tick, NULL, p);
	if (rc == MOSQ_ERR_SUCCESS) {
		spool_start(p);
		if (p->spool_path) /* the last TICK callback (on_journal_tick) */
			rc = mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_journal_tick, NULL, p);
	}
	if (rc == MOSQ_ERR_SUCCESS && p->cfg.acl_guard)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, p);
	if (rc == MOSQ_ERR_SUCCESS && p->cfg.acl_guard)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_DISCONNECT, on_disconnect, NULL, p);
	p->checks_logins = rc == MOSQ_ERR_SUCCESS && names_must_be_authenticated(p);
	if (p->checks_logins)
		rc = mosquitto_callback_register(identifier, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, p);
	if (rc != MOSQ_ERR_SUCCESS) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: could not register the callbacks (%d)", rc);
		unregister_callbacks(p, identifier);
		free_plugin(p);
		return rc;
	}
	if (p->checks_logins)
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
				     "energy-bridge: %s: a client that gives a user name gets in only when the "
				     "password_file (or an auth plugin) accepts the name, even with allow_anonymous true",
				     p->cfg.acl_guard ? "plugin_opt_acl_guard is on" : "plugin_opt_venus_admin_users is set");
	if (!eb_properties_readable())
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: neither this broker nor libmosquitto.so.1 "
						       "has the MQTT v5 property readers: requests get no v5 response");
	if (p->cfg.mppt.enabled)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: mppt: translating %s into %s/<mppt_id>",
				     p->cfg.mppt.request_topic, p->cfg.mppt.output_prefix);
	if (p->cfg.pms.enabled)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: pms: translating %s and %s into %s/<pms_id>",
				     p->cfg.pms.request_topic, p->cfg.pms.csv_topic, p->cfg.pms.output_prefix);
	if (p->cfg.inverter.enabled)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: inverter: translating %s into %s/<inverter_id>",
				     p->cfg.inverter.request_topic, p->cfg.inverter.output_prefix);
	if (p->cfg.venus.enabled)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: venus: gating commands for %s, state under %s/",
				     p->cfg.venus.vendors, p->cfg.venus.state_prefix);
	if (p->cfg.twc.enabled)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: twc: %s on %s, status under %s/",
				     p->cfg.twc.monitor ? "monitoring" : "master", p->cfg.twc.port, p->cfg.twc.prefix);
	*userdata = p;
	return MOSQ_ERR_SUCCESS;
}

EXPORT int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)options;
	(void)option_count;
	struct eb_plugin *p = userdata;
	if (!p)
		return MOSQ_ERR_SUCCESS;
	unregister_callbacks(p, p->id);
	free_plugin(p);
	return MOSQ_ERR_SUCCESS;
}
