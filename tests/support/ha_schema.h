/*
 * Home Assistant's MQTT discovery schema, as far as the plugin's configs use
 * it: shared by the unit test of ha_discovery and the integration test, so
 * that both hold the configs to the same rules.
 *
 * A config passes when it is a JSON object whose keys are all full key
 * names of the discovery documentation (no abbreviations, nothing unknown),
 * with the component's required keys (sensor: state_topic; binary_sensor:
 * state_topic and its payloads; number: command_topic, min < max, step > 0;
 * select: command_topic and options; switch: command_topic; button:
 * command_topic), a name, a unique_id of <node_id>_<object_id>, a device
 * with identifiers, an availability list (topic and payloads, mode "all"),
 * the unit that goes with its device_class and a state_class that class
 * takes; and its topic is <prefix>/<component>/<node_id>/<object_id>/config
 * with ids of [A-Za-z0-9_-].
 */
#ifndef HA_SCHEMA_H
#define HA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct ha_config {
	char component[24];
	char node_id[256];
	char object_id[64];
	cJSON *json;		/* the parsed config; ha_config_release() frees it */
};

/* true with *out filled, or false with the reason in err (and nothing to release). */
bool ha_schema_check(const char *prefix, const char *topic, const char *payload, size_t len, struct ha_config *out,
		     char *err, size_t errsz);
void ha_config_release(struct ha_config *c);

/* A string member, or NULL. */
const char *ha_config_string(const struct ha_config *c, const char *key);

/* The path after "value_json." in a template ("pv[0].volts"); false when it reads no JSON. */
bool ha_template_path(const char *value_template, char *path, size_t size);
/* The value at a path such as "pv[1].volts" or "status.charging"; NULL when there is none. */
const cJSON *ha_json_at(const cJSON *root, const char *path);

#endif
