#include "ha_schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys each component takes (besides the common ones), and the ones it needs. */
static const struct {
	const char *component;
	const char *keys;	/* separated by spaces */
	const char *required;
} components[] = {
	{"sensor", "state_topic value_template device_class unit_of_measurement state_class", "state_topic"},
	{"binary_sensor", "state_topic value_template device_class payload_on payload_off", "state_topic"},
	{"number", "state_topic value_template command_topic command_template device_class unit_of_measurement min max step mode",
	 "command_topic min max step"},
	{"select", "state_topic value_template command_topic options", "command_topic options"},
	{"switch", "state_topic value_template command_topic device_class payload_on payload_off state_on state_off",
	 "command_topic"},
	{"button", "command_topic payload_press device_class", "command_topic"},
};

static const char common_keys[] = "name unique_id device origin availability availability_mode icon entity_category";
static const char device_keys[] = "identifiers name manufacturer model via_device sw_version hw_version";

/* The unit each numeric device class the plugin uses must have. */
static const struct {
	const char *device_class, *unit;
} units[] = {
	{"current", "A"}, {"voltage", "V"}, {"power", "W"}, {"apparent_power", "VA"}, {"energy", "kWh"},
	{"energy_storage", "kWh"}, {"battery", "%"}, {"monetary", "EUR"},
};

static bool fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return false;
}

static bool word_in(const char *words, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = words; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

static bool is_id(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", s[i]))
			return false;
	return true;
}

const char *ha_config_string(const struct ha_config *c, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->json, key));
}

/* <prefix>/<component>/<node_id>/<object_id>/config */
static bool split_topic(const char *prefix, const char *topic, struct ha_config *out, char *err, size_t errsz)
{
	size_t n = strlen(prefix);
	if (strncmp(topic, prefix, n) != 0 || topic[n] != '/')
		return fail(err, errsz, "not under the prefix %s", prefix);
	const char *level[4];
	size_t len[4];
	const char *p = topic + n + 1;
	for (int i = 0; i < 4; i++) {
		level[i] = p;
		len[i] = strcspn(p, "/");
		p += len[i] + (p[len[i]] == '/');
	}
	if (*p || len[3] != 6 || strncmp(level[3], "config", 6) != 0)
		return fail(err, errsz, "not <prefix>/<component>/<node_id>/<object_id>/config");
	if (!is_id(level[1], len[1]) || !is_id(level[2], len[2]) || len[0] >= sizeof(out->component) ||
	    len[1] >= sizeof(out->node_id) || len[2] >= sizeof(out->object_id))
		return fail(err, errsz, "node or object id not of [A-Za-z0-9_-]");
	snprintf(out->component, sizeof(out->component), "%.*s", (int)len[0], level[0]);
	snprintf(out->node_id, sizeof(out->node_id), "%.*s", (int)len[1], level[1]);
	snprintf(out->object_id, sizeof(out->object_id), "%.*s", (int)len[2], level[2]);
	return true;
}

static bool check_device(const cJSON *device, char *err, size_t errsz)
{
	if (!cJSON_IsObject(device))
		return fail(err, errsz, "no device object");
	for (const cJSON *k = device->child; k; k = k->next)
		if (!word_in(device_keys, k->string))
			return fail(err, errsz, "device key %s is not a full key name", k->string);
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(device, "identifiers");
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) < 1 || !cJSON_IsString(ids->child))
		return fail(err, errsz, "device.identifiers must be a list of strings");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(device, "name")))
		return fail(err, errsz, "device.name missing");
	return true;
}

static bool check_availability(const cJSON *json, char *err, size_t errsz)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "availability");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1)
		return fail(err, errsz, "availability must be a non-empty list");
	for (const cJSON *a = list->child; a; a = a->next) {
		const char *topic = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "topic"));
		const char *on = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "payload_available"));
		const char *off = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "payload_not_available"));
		if (!topic || !topic[0] || !on || !off || strcmp(on, off) == 0)
			return fail(err, errsz, "an availability entry lacks topic or payloads");
	}
	const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "availability_mode"));
	if (!mode || !word_in("all any latest", mode))
		return fail(err, errsz, "availability_mode must be all, any or latest");
	return true;
}

/* device_class, unit_of_measurement and state_class go together. */
static bool check_classes(const struct ha_config *c, char *err, size_t errsz)
{
	const char *dc = ha_config_string(c, "device_class"), *unit = ha_config_string(c, "unit_of_measurement");
	const char *sc = ha_config_string(c, "state_class");
	if (sc && !word_in("measurement total total_increasing", sc))
		return fail(err, errsz, "state_class %s unknown", sc);
	for (size_t i = 0; dc && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(dc, units[i].device_class) == 0 && (!unit || strcmp(unit, units[i].unit) != 0))
			return fail(err, errsz, "device_class %s needs unit %s, got %s", dc, units[i].unit,
				    unit ? unit : "none");
	if (dc && strcmp(dc, "energy") == 0 && strcmp(c->component, "sensor") == 0 &&
	    (!sc || !word_in("total total_increasing", sc)))
		return fail(err, errsz, "an energy sensor needs state_class total or total_increasing");
	if (dc && strcmp(dc, "monetary") == 0 && sc && strcmp(sc, "total") != 0)
		return fail(err, errsz, "a monetary sensor takes state_class total only");
	if (dc && strcmp(dc, "timestamp") == 0 && (unit || sc))
		return fail(err, errsz, "a timestamp takes neither unit nor state_class");
	const char *category = ha_config_string(c, "entity_category");
	bool reads = strcmp(c->component, "sensor") == 0 || strcmp(c->component, "binary_sensor") == 0;
	if (category && !word_in(reads ? "diagnostic" : "config diagnostic", category))
		return fail(err, errsz, "entity_category %s not allowed for a %s", category, c->component);
	return true;
}

static bool check_component(const struct ha_config *c, const char *keys, const char *required, char *err,
			    size_t errsz)
{
	for (const cJSON *k = c->json->child; k; k = k->next)
		if (!word_in(common_keys, k->string) && !word_in(keys, k->string))
			return fail(err, errsz, "key %s is not one a %s takes (in full)", k->string, c->component);
	for (const char *p = required; *p;) {
		size_t len = strcspn(p, " ");
		char key[32];
		snprintf(key, sizeof(key), "%.*s", (int)len, p);
		if (!cJSON_GetObjectItemCaseSensitive(c->json, key))
			return fail(err, errsz, "a %s needs %s", c->component, key);
		p += len + (p[len] == ' ');
	}
	if (strcmp(c->component, "number") == 0) {
		double min = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c->json, "min"));
		double max = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c->json, "max"));
		double step = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c->json, "step"));
		const char *mode = ha_config_string(c, "mode");
		if (!(min < max) || !(step > 0) || (mode && !word_in("auto box slider", mode)))
			return fail(err, errsz, "a number needs min < max, step > 0 and a known mode");
	}
	if (strcmp(c->component, "select") == 0) {
		const cJSON *options = cJSON_GetObjectItemCaseSensitive(c->json, "options");
		if (!cJSON_IsArray(options) || cJSON_GetArraySize(options) < 1)
			return fail(err, errsz, "a select needs options");
		for (const cJSON *o = options->child; o; o = o->next)
			if (!cJSON_IsString(o))
				return fail(err, errsz, "options must be strings");
	}
	for (const cJSON *k = c->json->child; k; k = k->next)
		if (strstr(k->string, "topic") && strcmp(k->string, "availability") != 0 &&
		    (!cJSON_IsString(k) || !k->valuestring[0] || strpbrk(k->valuestring, "+#")))
			return fail(err, errsz, "%s must be a topic without wildcards", k->string);
	return true;
}

bool ha_schema_check(const char *prefix, const char *topic, const char *payload, size_t len, struct ha_config *out,
		     char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!split_topic(prefix, topic, out, err, errsz))
		return false;
	out->json = cJSON_ParseWithLength(payload, len);
	if (!cJSON_IsObject(out->json)) {
		ha_config_release(out);
		return fail(err, errsz, "not a JSON object");
	}
	size_t i = 0;
	while (i < sizeof(components) / sizeof(components[0]) && strcmp(components[i].component, out->component) != 0)
		i++;
	char unique_id[sizeof(out->node_id) + sizeof(out->object_id) + 1];
	snprintf(unique_id, sizeof(unique_id), "%s_%s", out->node_id, out->object_id);
	const char *name = ha_config_string(out, "name"), *uid = ha_config_string(out, "unique_id");
	bool ok = i < sizeof(components) / sizeof(components[0]) ? true
								   : fail(err, errsz, "component %s unknown", out->component);
	ok = ok && ((name && name[0]) || fail(err, errsz, "no name"));
	ok = ok && ((uid && strcmp(uid, unique_id) == 0) || fail(err, errsz, "unique_id is not %s", unique_id));
	ok = ok && check_component(out, components[i].keys, components[i].required, err, errsz);
	ok = ok && check_device(cJSON_GetObjectItemCaseSensitive(out->json, "device"), err, errsz);
	ok = ok && check_availability(out->json, err, errsz);
	ok = ok && check_classes(out, err, errsz);
	if (!ok)
		ha_config_release(out);
	return ok;
}

void ha_config_release(struct ha_config *c)
{
	cJSON_Delete(c->json);
	c->json = NULL;
}

bool ha_template_path(const char *value_template, char *path, size_t size)
{
	const char *p = value_template ? strstr(value_template, "value_json.") : NULL;
	if (!p)
		return false;
	p += strlen("value_json.");
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]");
	if (n == 0 || n >= size)
		return false;
	snprintf(path, size, "%.*s", (int)n, p);
	return true;
}

const cJSON *ha_json_at(const cJSON *root, const char *path)
{
	const cJSON *at = root;
	for (const char *p = path; at && *p;) {
		size_t len = strcspn(p, ".[");
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)len, p);
		at = cJSON_GetObjectItemCaseSensitive(at, key);
		p += len;
		while (at && *p == '[') {
			char *end;
			long index = strtol(p + 1, &end, 10);
			at = *end == ']' ? cJSON_GetArrayItem(at, (int)index) : NULL;
			p = end + 1;
		}
		if (*p == '.')
			p++;
	}
	return at;
}
