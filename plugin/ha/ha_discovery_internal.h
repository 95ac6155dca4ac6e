/*
 * What ha_discovery.c (the writer of one config) shares with ha_devices.c
 * (which entities each kind of device has). Not part of the module's promise.
 */
#ifndef HA_DISCOVERY_INTERNAL_H
#define HA_DISCOVERY_INTERNAL_H

#include <stdbool.h>

#include "ha_discovery.h"

/*
 * "energy_bridge_venus_" + a type of 64 encoded (64 + "_x" + 128 hex) + '_' +
 * an id of 96 (letters and digits) is 311: room to spare, so no id is cut.
 */
#define HA_NODE_ID_MAX 384
#define HA_OBJECT_ID_MAX 48

#define HA_TWC_AVAILABILITY "%s/twc/%04X"
#define HA_VENUS_AVAILABILITY "%s/venus/%s/%s"

/* One entity: what Home Assistant shows, and where it reads and writes. */
struct ha_entity {
	const char *component;		/* sensor, binary_sensor, number, select, switch, button */
	const char *object_id;
	const char *name;
	const char *state_topic;	/* NULL: none */
	const char *json_path;		/* the state is JSON: the value is value_json.<path> */
	const char *value_template;	/* a template of its own, instead of json_path */
	const char *command_topic;	/* NULL: none */
	const char *device_class;
	const char *unit;
	const char *state_class;
	const char *category;		/* "diagnostic" or NULL */
	const char *icon;
	const char *const *options;	/* select: NULL-terminated */
	bool has_range;			/* number: min, max, step */
	double min, max, step;
	const char *payload_on, *payload_off;	/* switch, binary_sensor */
	const char *payload_press;	/* button */
};

/* The device every entity of one builder belongs to. */
struct ha_device {
	const struct ha_discovery_topics *t;
	const char *node_id;
	const char *name;
	const char *manufacturer;	/* NULL: not known */
	const char *model;
	const char *via_device;		/* NULL: none */
	const char *availability;	/* the device's own topic; NULL: only the plugin's */
};

#define HA_SENSOR(obj, label, dc, u, sc) .component = "sensor", .object_id = obj, .name = label, \
					 .device_class = dc, .unit = u, .state_class = sc

/* vasprintf: the text, or NULL when memory ran out. */
char *ha_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Empties the set for the next device. */
void ha_set_clear(struct ha_discovery_set *s);
/* The builders' end: true, or false with an empty set when anything failed. */
bool ha_set_finish(struct ha_discovery_set *s);
/* Appends the entity's config; a failure is remembered in the set. */
void ha_add_entity(struct ha_discovery_set *s, const struct ha_device *d, const struct ha_entity *e);
/* Appends raw to out (a node id being built) in node id characters, encoded when it has others (one-to-one). */
void ha_append_id(char *out, size_t size, const char *raw);

#endif
