#include "ha_bridge.h"

#include <stdio.h>
#include <string.h>

#include "broker_io.h"
#include "clock.h"
#include "log_limit.h"

#define GONE_MARGIN_MS 5000
/* Discovery configs are kept by the broker for Home Assistant's next start: QoS 1, retained. */
#define CONFIG_QOS 1

int ha_bridge_start(struct ha_bridge *h, const struct ha_bridge_setup *setup, char *err, size_t errsz)
{
	(void)err; /* nothing can fail: the config set grows with the first device */
	(void)errsz;
	memset(h, 0, sizeof(*h));
	h->setup = *setup;
	if (!setup->ha->enabled)
		return 0;
	h->enabled = true;
	h->topics = (struct ha_discovery_topics){.ha_prefix = setup->ha->prefix,
						 .twc_prefix = setup->twc_prefix,
						 .venus_prefix = setup->venus_state_prefix,
						 .mppt_prefix = setup->mppt_output_prefix,
						 .availability = HA_AVAILABILITY_TOPIC,
						 .pms_prefix = setup->pms_output_prefix,
						 .inverter_prefix = setup->inverter_output_prefix};
	ha_discovery_set_init(&h->set);
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "energy-bridge: ha: discovery under %s/, availability on %s",
			     setup->ha->prefix, HA_AVAILABILITY_TOPIC);
	return 0;
}

void ha_bridge_stop(struct ha_bridge *h)
{
	/* No "offline" here: Mosquitto 2.0 no longer delivers anything when it cleans plugins up. */
	ha_discovery_set_free(&h->set);
	h->enabled = false;
}

static void publish_availability(const char *topic, bool online)
{
	const char *payload = online ? HA_PAYLOAD_ONLINE : HA_PAYLOAD_OFFLINE;
	eb_publish(NULL, topic, payload, strlen(payload), 0, false, NULL);
}

static void publish_twc_availability(const struct ha_twc_slave *s)
{
	char topic[sizeof(HA_AVAILABILITY_TOPIC) + 16];
	if (ha_availability_topic_twc(topic, sizeof(topic), HA_AVAILABILITY_TOPIC, s->id))
		publish_availability(topic, s->online);
}

static void publish_venus_availability(const struct ha_venus_device *d)
{
	char topic[sizeof(HA_AVAILABILITY_TOPIC) + 2 * HA_NAME_MAX + 16];
	if (ha_availability_topic_venus(topic, sizeof(topic), HA_AVAILABILITY_TOPIC, d->type, d->id))
		publish_availability(topic, d->online);
}

/* Publishes what the builder left in the set, retained; what describes it goes to the log. */
static void publish_set(struct ha_bridge *h, bool built, const char *what)
{
	if (!built) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: ha: out of memory announcing %s", what);
		return;
	}
	for (size_t i = 0; i < h->set.count; i++) {
		const struct ha_discovery_message *m = &h->set.messages[i];
		if (eb_publish(NULL, m->topic, ha_discovery_payload(&h->set, i), m->len, CONFIG_QOS, true, NULL) ==
		    MOSQ_ERR_SUCCESS)
			h->configs_published++;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "energy-bridge: ha: announced %s (%zu entities)", what, h->set.count);
}

/* A device was announced: its availability again once Home Assistant has read the configs. */
static void availability_soon(struct ha_bridge *h)
{
	int64_t soon = eb_monotonic_ms() + HA_AVAILABILITY_AFTER_ANNOUNCE_MS;
	if (h->next_availability_ms > soon)
		h->next_availability_ms = soon;
}

void ha_bridge_on_tick(struct ha_bridge *h, int64_t now_ms)
{
	if (!h->enabled)
		return;
	bool heartbeat = now_ms >= h->next_availability_ms;
	if (heartbeat) {
		h->next_availability_ms = now_ms + HA_AVAILABILITY_REFRESH_MS;
		h->last_availability_ms = now_ms;
		publish_availability(HA_AVAILABILITY_TOPIC, true);
	}
	int64_t twc_gone_ms = 2 * h->setup.twc_refresh_s * 1000 + GONE_MARGIN_MS;
	for (size_t i = 0; i < h->twc_count; i++) {
		struct ha_twc_slave *s = &h->twc[i];
		bool online = now_ms - s->last_ms <= twc_gone_ms;
		if (online != s->online || heartbeat) {
			s->online = online;
			publish_twc_availability(s);
		}
	}
	/* Without polling nobody asks the batteries: silence says nothing, and they have no availability topic. */
	if (h->setup.venus_poll_interval_s <= 0)
		return;
	int64_t venus_gone_ms = 3 * h->setup.venus_poll_interval_s * 1000 + GONE_MARGIN_MS;
	for (size_t i = 0; i < h->venus_count; i++) {
		struct ha_venus_device *d = &h->venus[i];
		bool online = now_ms - d->last_ms <= venus_gone_ms;
		if (online != d->online || heartbeat) {
			d->online = online;
			publish_venus_availability(d);
		}
	}
}

/* <ha prefix>/<component>/energy_bridge_<...>/...: where the plugin's discovery configs are. */
static bool is_plugin_config(const struct ha_bridge *h, const char *topic)
{
	size_t n = strlen(h->setup.ha->prefix);
	if (strncmp(topic, h->setup.ha->prefix, n) != 0 || topic[n] != '/')
		return false;
	const char *component_end = strchr(topic + n + 1, '/');
	return component_end && strncmp(component_end + 1, "energy_bridge_", strlen("energy_bridge_")) == 0;
}

bool ha_bridge_owns_topic(const struct ha_bridge *h, const char *topic)
{
	return eb_topic_under(topic, HA_AVAILABILITY_TOPIC) || (h->enabled && is_plugin_config(h, topic));
}

void ha_bridge_on_message(struct ha_bridge *h, const struct mosquitto_evt_message *ed)
{
	if (!h->enabled || ed->payloadlen != strlen(HA_PAYLOAD_ONLINE) ||
	    memcmp(ed->payload, HA_PAYLOAD_ONLINE, ed->payloadlen) != 0)
		return;
	size_t n = strlen(h->setup.ha->prefix);
	/*
	 * Home Assistant (re)started: it learns the configs from the retained
	 * messages, availability now; at most once a second, whoever repeats it.
	 */
	int64_t soon = h->last_availability_ms + 1000;
	if (strncmp(ed->topic, h->setup.ha->prefix, n) == 0 && strcmp(ed->topic + n, "/status") == 0 &&
	    soon < h->next_availability_ms)
		h->next_availability_ms = soon;
}

/*
 * The tables do not forget: each device is announced once, and retained
 * configs stay until someone removes them, so a client inventing ids (an MPPT
 * logger may name any controller) must not fill the broker with them. Beyond
 * the bounds, a new device is not announced, and that is logged once.
 */
static bool table_has_room(struct ha_bridge *h, size_t count, size_t max, bool *said, const char *kind)
{
	if (count < max)
		return true;
	h->devices_not_announced++;
	if (!*said)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: ha: %zu %s announced already: no more are "
						       "announced until the broker restarts",
				     max, kind);
	*said = true;
	return false;
}

static void twc_circuit_seen(struct ha_bridge *h, long amps)
{
	if (h->twc_pool_announced)
		return;
	bool built = ha_discovery_twc_pool(&h->set, &h->topics, h->setup.twc_master_id, (int)amps);
	publish_set(h, built, "the wall connectors' load sharing");
	h->twc_pool_announced = built;
}

static void twc_slave_seen(struct ha_bridge *h, unsigned id)
{
	struct ha_twc_slave *s = NULL;
	for (size_t i = 0; i < h->twc_count && !s; i++)
		if (h->twc[i].id == id)
			s = &h->twc[i];
	if (!s) {
		if (!table_has_room(h, h->twc_count, HA_TWC_SLAVES_MAX, &h->twc_full_said, "wall connectors"))
			return;
		s = &h->twc[h->twc_count++];
		*s = (struct ha_twc_slave){.id = id};
		char what[48];
		snprintf(what, sizeof(what), "wall connector %04X", id);
		publish_set(h, ha_discovery_twc_slave(&h->set, &h->topics, s->id, h->setup.twc_master_id), what);
		availability_soon(h);
	}
	s->last_ms = eb_monotonic_ms();
	if (!s->online) {
		s->online = true;
		publish_twc_availability(s);
	}
}

static void venus_seen(struct ha_bridge *h, const char *vendor, const char *type, const char *id,
		       const char *family, bool state_published)
{
	if (strlen(type) > HA_NAME_MAX || strlen(id) > HA_NAME_MAX)
		return;
	struct ha_venus_device *d = NULL;
	for (size_t i = 0; i < h->venus_count && !d; i++)
		if (strcmp(h->venus[i].type, type) == 0 && strcmp(h->venus[i].id, id) == 0)
			d = &h->venus[i];
	if (!d) {
		/* Announced with its first state, so that the state topic its entities read carries data. */
		if (!state_published ||
		    !table_has_room(h, h->venus_count, HA_VENUS_DEVICES_MAX, &h->venus_full_said, "batteries"))
			return;
		d = &h->venus[h->venus_count++];
		*d = (struct ha_venus_device){0};
		snprintf(d->type, sizeof(d->type), "%s", type);
		snprintf(d->id, sizeof(d->id), "%s", id);
		char what[2 * LOG_QUOTE_SIZE + 16], quoted_type[LOG_QUOTE_SIZE], quoted_id[LOG_QUOTE_SIZE];
		snprintf(what, sizeof(what), "battery %s/%s", log_quote_str(quoted_type, type),
			 log_quote_str(quoted_id, id));
		bool own_availability = h->setup.venus_poll_interval_s > 0;
		publish_set(h, ha_discovery_hame(&h->set, &h->topics, vendor, type, id, family, own_availability), what);
		availability_soon(h);
	}
	d->last_ms = eb_monotonic_ms();
	if (!d->online && h->setup.venus_poll_interval_s > 0) {
		d->online = true;
		publish_venus_availability(d);
	}
}

static uint64_t sender_key(const char *sender)
{
	uint64_t k = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)(sender ? sender : ""); *p; p++)
		k = (k ^ *p) * 1099511628211ULL;
	return k;
}

/* Room for one more device of a sender who has `mine` in the table already: the table's bound and the sender's share. */
static bool sender_has_room(struct ha_bridge *h, size_t mine, size_t share, size_t count, size_t max, bool *said,
			    const char *kind)
{
	if (mine < share)
		return table_has_room(h, count, max, said, kind);
	h->devices_not_announced++;
	if (!h->share_said)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "energy-bridge: ha: a sender reported more than %zu %s: its "
						       "others are not announced until the broker restarts",
				     share, kind);
	h->share_said = true;
	return false;
}

/*
 * An MPPT controller or an inverter: announced at its first sample, again
 * when a sample shows more strings, loads or phases than announced.
 */
static void channels_seen(struct ha_bridge *h, const struct eb_device_event *e)
{
	bool mppt = e->kind == EB_DEVICE_MPPT;
	struct ha_mppt_device *table = mppt ? h->mppt : h->inverter;
	size_t *count = mppt ? &h->mppt_count : &h->inverter_count;
	if (strlen(e->id) > HA_NAME_MAX)
		return;
	struct ha_mppt_device *d = NULL;
	for (size_t i = 0; i < *count && !d; i++)
		if (strcmp(table[i].id, e->id) == 0)
			d = &table[i];
	if (!d) {
		uint64_t key = sender_key(e->source);
		size_t mine = 0;
		for (size_t i = 0; i < *count; i++)
			mine += table[i].sender == key;
		if (!sender_has_room(h, mine, HA_MPPT_PER_SENDER_MAX, *count,
				     mppt ? HA_MPPT_DEVICES_MAX : HA_INVERTER_DEVICES_MAX,
				     mppt ? &h->mppt_full_said : &h->inverter_full_said,
				     mppt ? "MPPT controllers" : "inverters"))
			return;
		d = &table[(*count)++];
		*d = (struct ha_mppt_device){.sender = key};
		snprintf(d->id, sizeof(d->id), "%s", e->id);
	}
	if (e->pv_count <= d->pv_count && e->load_count <= d->load_count && e->phase_count <= d->phase_count)
		return;
	/* First seen, or with more than announced: (re)announce with the most seen. */
	d->pv_count = e->pv_count > d->pv_count ? e->pv_count : d->pv_count;
	d->load_count = e->load_count > d->load_count ? e->load_count : d->load_count;
	d->phase_count = e->phase_count > d->phase_count ? e->phase_count : d->phase_count;
	char what[LOG_QUOTE_SIZE + 24], quoted[LOG_QUOTE_SIZE];
	snprintf(what, sizeof(what), "%s %s", mppt ? "MPPT controller" : "inverter", log_quote_str(quoted, e->id));
	bool built = mppt ? ha_discovery_mppt(&h->set, &h->topics, e->id, d->pv_count, d->load_count)
			  : ha_discovery_inverter(&h->set, &h->topics, e->id, d->pv_count, d->load_count,
						  d->phase_count);
	publish_set(h, built, what);
}

static void pms_pack_seen(struct ha_bridge *h, const char *pms_id, const char *pack_id, const char *sender)
{
	if (strlen(pms_id) > HA_NAME_MAX || strlen(pack_id) > HA_NAME_MAX)
		return;
	for (size_t i = 0; i < h->pms_count; i++)
		if (strcmp(h->pms[i].pms_id, pms_id) == 0 && strcmp(h->pms[i].pack_id, pack_id) == 0)
			return;
	uint64_t key = sender_key(sender);
	size_t mine = 0;
	for (size_t i = 0; i < h->pms_count; i++)
		mine += h->pms[i].sender == key;
	if (!sender_has_room(h, mine, HA_PMS_PACKS_PER_SENDER_MAX, h->pms_count, HA_PMS_PACKS_MAX, &h->pms_full_said,
			     "battery packs"))
		return;
	struct ha_pms_pack *d = &h->pms[h->pms_count++];
	*d = (struct ha_pms_pack){.sender = key};
	snprintf(d->pms_id, sizeof(d->pms_id), "%s", pms_id);
	snprintf(d->pack_id, sizeof(d->pack_id), "%s", pack_id);
	char what[2 * LOG_QUOTE_SIZE + 32], quoted_pms[LOG_QUOTE_SIZE], quoted_pack[LOG_QUOTE_SIZE];
	snprintf(what, sizeof(what), "battery pack %s of PMS %s", log_quote_str(quoted_pack, pack_id),
		 log_quote_str(quoted_pms, pms_id));
	publish_set(h, ha_discovery_pms_pack(&h->set, &h->topics, pms_id, pack_id), what);
}

void ha_bridge_on_device(void *ha_bridge, const struct eb_device_event *event)
{
	struct ha_bridge *h = ha_bridge;
	if (!h->enabled)
		return;
	switch (event->kind) {
	case EB_DEVICE_MPPT:
	case EB_DEVICE_INVERTER:
		channels_seen(h, event);
		break;
	case EB_DEVICE_PMS_PACK:
		pms_pack_seen(h, event->id, event->part, event->source);
		break;
	case EB_DEVICE_VENUS:
		venus_seen(h, event->vendor, event->type, event->id, event->family, event->has_state);
		break;
	case EB_DEVICE_TWC_CIRCUIT:
		twc_circuit_seen(h, event->amps);
		break;
	case EB_DEVICE_TWC_SLAVE:
		twc_slave_seen(h, event->number);
		break;
	}
}
