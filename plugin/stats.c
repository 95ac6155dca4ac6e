#include "stats.h"

#include "plugin_state.h"

#include "broker_io.h"
#include "json_out.h"

static void counter(struct json_out *o, const char *name, uint64_t value)
{
	json_out_key(o, name);
	json_out_int(o, (long long)value);
}

static void write_stats(struct json_out *o, struct eb_plugin *p, int64_t now_ms)
{
	json_out_begin_object(o);
	counter(o, "uptime_s", (uint64_t)((now_ms - p->started_ms) / 1000));
	counter(o, "forgeries_refused", p->forgeries_refused);
	counter(o, "log_lines_left_out", p->refusal_log.lines_left_out);
	for (int i = 0; i < TELEMETRY_DATASETS; i++) {
		const struct telemetry_dataset *d = &p->telemetry.sets[i];
		if (!d->cfg || !d->cfg->enabled)
			continue;
		json_out_key(o, d->name);
		json_out_begin_object(o);
		counter(o, "requests_translated", d->requests_translated);
		counter(o, "requests_refused", d->requests_refused);
		counter(o, "messages_published", d->messages_published);
		json_out_end_object(o);
	}
	if (p->cfg.venus.enabled) {
		const struct venus_bridge *v = &p->venus;
		json_out_key(o, "venus");
		json_out_begin_object(o);
		counter(o, "commands_passed", v->commands_passed);
		counter(o, "commands_refused", v->commands_refused);
		counter(o, "refused_invalid", v->refused_invalid);
		counter(o, "refused_dangerous", v->refused_dangerous);
		counter(o, "refused_too_fast", v->refused_too_fast);
		counter(o, "refused_busy", v->refused_busy);
		counter(o, "reads_collapsed", v->reads_collapsed);
		counter(o, "replies_translated", v->replies_translated);
		counter(o, "replies_refused", v->replies_refused);
		counter(o, "devices", v->device_count);
		counter(o, "devices_untracked", v->devices_untracked);
		counter(o, "qos2_resends", v->qos2_resends);
		counter(o, "qos2_unremembered", v->retransmissions.unremembered);
		json_out_end_object(o);
	}
	if (p->cfg.twc.enabled) {
		struct twc_link_counters c;
		twc_link_counters(p->twc.link, &c);
		json_out_key(o, "twc");
		json_out_begin_object(o);
		counter(o, "frames_good", c.frames_good);
		counter(o, "frames_bad", c.frames_bad);
		counter(o, "frames_sent", c.frames_sent);
		counter(o, "link_reconnects", c.reconnects);
		counter(o, "slaves", c.slaves);
		counter(o, "pool_changes", p->twc.pool_changes);
		counter(o, "pool_refusals", p->twc.pool_refusals);
		counter(o, "meter_readings", p->twc.meter_readings);
		counter(o, "meter_refusals", p->twc.meter_refusals);
		counter(o, "energy_commands", p->twc.energy_commands);
		counter(o, "energy_refusals", p->twc.energy_refusals);
		counter(o, "outbox_refused", outbox_refused(&p->twc.outbox));
		counter(o, "id_clashes", c.id_clashes);
		counter(o, "frames_ignored", c.frames_ignored);
		counter(o, "reply_timeouts", c.reply_timeouts);
		counter(o, "foreign_master_frames", c.foreign_master_frames);
		json_out_end_object(o);
	}
	if (p->spool_path) {
		json_out_key(o, "spool");
		json_out_begin_object(o);
		counter(o, "journaled", p->journal.journaled);
		counter(o, "journal_full", p->journal.full);
		counter(o, "journal_bytes", p->journal.used);
		counter(o, "replayed_at_start", p->spool_replayed);
		json_out_end_object(o);
	}
	if (p->ha.enabled) {
		const struct ha_bridge *h = &p->ha;
		json_out_key(o, "ha");
		json_out_begin_object(o);
		counter(o, "configs_published", h->configs_published);
		counter(o, "wall_connectors", h->twc_count);
		counter(o, "batteries", h->venus_count);
		counter(o, "mppt_controllers", h->mppt_count);
		counter(o, "battery_packs", h->pms_count);
		counter(o, "inverters", h->inverter_count);
		counter(o, "devices_not_announced", h->devices_not_announced);
		json_out_end_object(o);
	}
	json_out_end_object(o);
}

void eb_stats_on_tick(struct eb_plugin *p, int64_t now_ms)
{
	if (p->cfg.stats_interval <= 0 || now_ms < p->next_stats_ms)
		return;
	p->next_stats_ms = now_ms + p->cfg.stats_interval * 1000;
	struct json_out o;
	json_out_init(&o);
	write_stats(&o, p, now_ms);
	if (!json_out_failed(&o))
		eb_publish(NULL, p->cfg.stats_topic, o.buf, o.len, 0, true, NULL);
	json_out_free(&o);
}
