/*
 * ha_bridge: Home Assistant discovery inside the broker (README, "Home
 * Assistant"), on with plugin_opt_ha_discovery.
 *
 * It observes the jobs through their device events (device_events.h,
 * connected by plugin.c): a wall connector's first status topic, a Venus
 * battery's first state, an MPPT controller's, a PMS pack's or an inverter's
 * first translated sample. It
 * then publishes the device's discovery configs
 * (ha_discovery.h) retained, once per device while the broker runs (again
 * when an MPPT controller or an inverter reports more PV strings, loads or
 * grid phases than announced).
 *
 * Availability is a heartbeat, not retained: "online" on the plugin's topic,
 * and the state of each device the plugin can judge on the device's own topic
 * below it, every HA_AVAILABILITY_REFRESH_MS, within a second when Home Assistant
 * announces itself on <ha prefix>/status, and at every change. Mosquitto 2.0
 * calls the plugin's cleanup only after it has stopped delivering and saved
 * its retained messages, so an "offline" published then would never arrive,
 * and a retained "online" would outlive the plugin; a heartbeat that stops
 * leaves Home Assistant, which reads a missing availability as unavailable,
 * with the truth after its next start or reconnection.
 *   - a wall connector is online while its status topics keep coming: the
 *     master refreshes every value each plugin_opt_twc_refresh seconds, so
 *     two refresh periods (and 5 s) without one means the charger is gone;
 *   - a Venus battery, with plugin_opt_venus_poll_interval set, is online
 *     while it answers: three poll intervals (and 5 s) without a reply mean
 *     it stopped. Without polling the plugin cannot tell, and the battery's
 *     entities follow the plugin's availability only;
 *   - MPPT controllers, PMS packs and inverters report when they like: the
 *     plugin's availability only.
 *
 * Broker thread only.
 */
#ifndef HA_BRIDGE_H
#define HA_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "broker.h"

#include "device_events.h"
#include "ha_discovery.h"
#include "ha_options.h"

/* The plugin's availability topic; the devices' are below it (ha_discovery.h). */
#define HA_AVAILABILITY_TOPIC "energy-bridge/status"
#define HA_AVAILABILITY_REFRESH_MS 30000
/* A device just announced: its availability again soon, once Home Assistant has subscribed. */
#define HA_AVAILABILITY_AFTER_ANNOUNCE_MS 2000

/*
 * Bounds of the tables of announced devices. Beyond them a new device is not
 * announced (and counted in devices_not_announced); a device once announced
 * is never evicted, so an invented one cannot take a real one's place.
 * MPPT, inverter, PMS and pack ids are whatever a data logger writes, so each
 * sender (user name, or client id without one) may fill only its share of a
 * table (HA_MPPT_PER_SENDER_MAX; a PMS's 48 packs for the pack table): a
 * logger that invents ids uses up its own share, not the other loggers'.
 */
#define HA_TWC_SLAVES_MAX 16
#define HA_VENUS_DEVICES_MAX 32
#define HA_MPPT_DEVICES_MAX 64
#define HA_MPPT_PER_SENDER_MAX 16	/* for inverters too */
#define HA_PMS_PACKS_MAX 96		/* two full PMS of 48 packs */
#define HA_PMS_PACKS_PER_SENDER_MAX 48
#define HA_INVERTER_DEVICES_MAX 64
/* The longest device type and id kept; a device with a longer one is not announced. */
#define HA_NAME_MAX 96

struct ha_twc_slave {
	unsigned id;
	bool online;
	int64_t last_ms;	/* its last status topic */
};

struct ha_venus_device {
	char type[HA_NAME_MAX + 1];
	char id[HA_NAME_MAX + 1];
	bool online;
	int64_t last_ms;	/* its last reply */
};

/* An MPPT controller or an inverter. */
struct ha_mppt_device {
	char id[HA_NAME_MAX + 1];
	uint64_t sender;		/* FNV-1a of who first reported it */
	unsigned pv_count, load_count, phase_count;	/* as announced */
};

struct ha_pms_pack {
	char pms_id[HA_NAME_MAX + 1];
	char pack_id[HA_NAME_MAX + 1];
	uint64_t sender;		/* FNV-1a of who first reported it */
};

/* What discovery needs to know of the jobs, filled in by plugin.c. */
struct ha_bridge_setup {
	const struct eb_ha_config *ha;
	const char *twc_prefix, *venus_state_prefix, *mppt_output_prefix, *pms_output_prefix, *inverter_output_prefix;
	unsigned twc_master_id;
	long twc_refresh_s;		/* a wall connector refreshes every value this often */
	long venus_poll_interval_s;	/* 0: nobody polls the batteries */
};

struct ha_bridge {
	bool enabled;
	struct ha_bridge_setup setup;
	struct ha_discovery_topics topics;
	struct ha_discovery_set set;	/* scratch for one device's configs */
	bool twc_pool_announced;
	struct ha_twc_slave twc[HA_TWC_SLAVES_MAX];
	size_t twc_count;
	struct ha_venus_device venus[HA_VENUS_DEVICES_MAX];
	size_t venus_count;
	struct ha_mppt_device mppt[HA_MPPT_DEVICES_MAX];
	size_t mppt_count;
	struct ha_pms_pack pms[HA_PMS_PACKS_MAX];
	size_t pms_count;
	struct ha_mppt_device inverter[HA_INVERTER_DEVICES_MAX];
	size_t inverter_count;
	bool twc_full_said, venus_full_said, mppt_full_said, pms_full_said, inverter_full_said, share_said;
	int64_t next_availability_ms;
	int64_t last_availability_ms;	/* when availability last went out in full */
	uint64_t configs_published;
	uint64_t devices_not_announced;	/* a table or a sender's share was full */
};

/*
 * Starts discovery when setup->ha says it is on; otherwise every hook does
 * nothing. 0, or -1 with the reason in err (nothing fails today).
 */
int ha_bridge_start(struct ha_bridge *h, const struct ha_bridge_setup *setup, char *err, size_t errsz);
/* Stops the job and frees what it holds; safe on a zeroed bridge and after a failed start. */
void ha_bridge_stop(struct ha_bridge *h);

/* Availability: changes and the heartbeat (TICK). */
void ha_bridge_on_tick(struct ha_bridge *h, int64_t now_ms);
/*
 * True for the topics only the plugin publishes: the availability topics
 * (whether discovery is on or not: the name is the plugin's), and with
 * discovery on its configs, <ha prefix>/<component>/energy_bridge_<...>/...
 */
bool ha_bridge_owns_topic(const struct ha_bridge *h, const char *topic);
/* Watches for Home Assistant's own "online" on <ha prefix>/status; never refuses anything. */
void ha_bridge_on_message(struct ha_bridge *h, const struct mosquitto_evt_message *ed);

/* The jobs' device events (an eb_device_observer's on_event, with the bridge as ctx). */
void ha_bridge_on_device(void *ha_bridge, const struct eb_device_event *event);

#endif
