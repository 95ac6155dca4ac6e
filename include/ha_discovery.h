/*
 * ha_discovery: the Home Assistant MQTT discovery messages of the plugin's
 * devices (a wall connector, the TWC load sharing, a Venus battery, an MPPT
 * controller, a PMS battery pack, an inverter).
 *
 * For one device it writes every (topic, config JSON) pair that Home
 * Assistant reads under <ha prefix>/<component>/<node_id>/<object_id>/config,
 * with full key names (no abbreviations), a unique_id and a device block on
 * every entity, and availability: the plugin's topic always, the device's own
 * topic when the plugin can tell whether the device is there. Every state
 * topic an entity names is one the plugin publishes; every command topic is
 * one the plugin accepts (the TWC pool's set topic, the Venus friendly
 * commands, which pass the command gate like any client's command).
 *
 * Templates read JSON state with `{{ value_json.<path> | default(None) }}`,
 * so that a key a battery has not sent yet, or an MPPT sample without
 * status, shows as unknown instead of breaking the template.
 *
 * Node ids and object ids keep to [A-Za-z0-9_-]; a device id with other
 * characters is written with '_' for them followed by "_x" and the original
 * bytes under every '_' in hex ("a b_c" gives "a_b_c_x205f"), an
 * encoding that is one-to-one, so that two ids never share a node id.
 *
 * Pure: no broker, no clock. The caller publishes the messages retained.
 */
#ifndef HA_DISCOVERY_H
#define HA_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "json_out.h"

#define HA_PAYLOAD_ONLINE "online"
#define HA_PAYLOAD_OFFLINE "offline"

/* Where the plugin's topics are (the configured prefixes). */
struct ha_discovery_topics {
	const char *ha_prefix;		/* plugin_opt_ha_prefix: "homeassistant" */
	const char *twc_prefix;		/* plugin_opt_twc_prefix: "TWC" */
	const char *venus_prefix;	/* plugin_opt_venus_state_prefix: "venus" */
	const char *mppt_prefix;	/* plugin_opt_mppt_output_prefix: "monitoring.mppt" */
	const char *availability;	/* the plugin's availability topic; devices' are below it */
	const char *pms_prefix;		/* plugin_opt_pms_output_prefix: "monitoring.pms" */
	const char *inverter_prefix;	/* plugin_opt_inverter_output_prefix: "monitoring.inverter" */
};

struct ha_discovery_message {
	char *topic;
	size_t offset;		/* of the config JSON in the set's text */
	size_t len;
};

/* The messages of one device. Reused from device to device. */
struct ha_discovery_set {
	struct json_out text;	/* every config, back to back */
	struct ha_discovery_message *messages;
	size_t count;
	size_t capacity;
	bool failed;
};

void ha_discovery_set_init(struct ha_discovery_set *s);
void ha_discovery_set_free(struct ha_discovery_set *s);
/* The config JSON of message i (not NUL-terminated; its length is messages[i].len). */
const char *ha_discovery_payload(const struct ha_discovery_set *s, size_t i);

/*
 * Each builder replaces the set's messages with the device's. They return
 * false, with an empty set, only when memory ran out or a topic does not fit.
 */

/* The load sharing of the wall connectors: the pool as a number (max pool_max_amps), or,
 * with pool_max_amps < 0 (monitor mode: a real master shares the current), as a sensor. */
bool ha_discovery_twc_pool(struct ha_discovery_set *s, const struct ha_discovery_topics *t, unsigned master_id,
			   int pool_max_amps);
/* One wall connector, by its id (0x0000-0xFFFF), attached to the load sharing of master_id. */
bool ha_discovery_twc_slave(struct ha_discovery_set *s, const struct ha_discovery_topics *t, unsigned slave_id,
			    unsigned master_id);
/* One Venus battery; own_availability: its availability topic is published (polling is on). */
bool ha_discovery_venus(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *vendor,
			const char *type, const char *id, bool own_availability);
/*
 * One Hame/Marstek device of family ("venus", "b2500", "jupiter", "ct002",
 * "ct003", "inverter"; NULL or another word: as a Venus), with that
 * family's sensors and the controls of its friendly settings.
 */
bool ha_discovery_hame(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *vendor,
		       const char *type, const char *id, const char *family, bool own_availability);
/* One MPPT controller with pv_count PV strings (1-4) and load_count load outputs (1-2). */
bool ha_discovery_mppt(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *mppt_id,
		       unsigned pv_count, unsigned load_count);

/*
 * One battery pack of a PMS. Every pack of a PMS publishes on the PMS's
 * topic, told apart by pack_id: each entity keeps its last value when a
 * message of another pack arrives. No state of charge: the messages carry
 * none, and the pack's volts do not give one without knowing its chemistry.
 */
bool ha_discovery_pms_pack(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *pms_id,
			   const char *pack_id);
/* One inverter with pv_count PV strings (1-4), load_count loads (1-2) and phase_count grid phases (1-3). */
bool ha_discovery_inverter(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *inverter_id,
			   unsigned pv_count, unsigned load_count, unsigned phase_count);

/*
 * The devices' own availability topics: <availability>/twc/<ID> and
 * <availability>/venus/<type>/<id>. Return false when buf is too small.
 */
bool ha_availability_topic_twc(char *buf, size_t size, const char *availability, unsigned slave_id);
bool ha_availability_topic_venus(char *buf, size_t size, const char *availability, const char *type,
				 const char *id);

#endif
