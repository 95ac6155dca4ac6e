#include "ha_discovery.h"
#include "ha_discovery_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "{{ value_json.<path> | default(None) }}" with the longest path, "status.chgfet_antirev". */
#define TEMPLATE_MAX 96

char *ha_format(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : text;
}

void ha_discovery_set_init(struct ha_discovery_set *s)
{
	memset(s, 0, sizeof(*s));
	json_out_init(&s->text);
}

void ha_set_clear(struct ha_discovery_set *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->messages[i].topic);
	s->count = 0;
	s->failed = false;
	json_out_reset(&s->text);
}

void ha_discovery_set_free(struct ha_discovery_set *s)
{
	ha_set_clear(s);
	free(s->messages);
	json_out_free(&s->text);
	memset(s, 0, sizeof(*s));
}

const char *ha_discovery_payload(const struct ha_discovery_set *s, size_t i)
{
	return s->text.buf + s->messages[i].offset;
}

/* Takes topic (may be NULL: out of memory). */
static void push_message(struct ha_discovery_set *s, char *topic, size_t offset)
{
	if (!topic || json_out_failed(&s->text)) {
		free(topic);
		s->failed = true;
		return;
	}
	if (s->count == s->capacity) {
		size_t cap = s->capacity ? s->capacity * 2 : 64;
		struct ha_discovery_message *m = realloc(s->messages, cap * sizeof(*m));
		if (!m) {
			free(topic);
			s->failed = true;
			return;
		}
		s->messages = m;
		s->capacity = cap;
	}
	s->messages[s->count++] = (struct ha_discovery_message){topic, offset, s->text.len - offset};
}

bool ha_set_finish(struct ha_discovery_set *s)
{
	if (s->failed || json_out_failed(&s->text)) {
		ha_set_clear(s);
		return false;
	}
	return true;
}

static void write_string(struct json_out *o, const char *key, const char *value)
{
	if (!value)
		return;
	json_out_key(o, key);
	json_out_text(o, value, strlen(value)); /* ids come from devices: keep the JSON valid whatever they hold */
}

static void write_availability(struct json_out *o, const char *topic)
{
	json_out_begin_object(o);
	write_string(o, "topic", topic);
	write_string(o, "payload_available", HA_PAYLOAD_ONLINE);
	write_string(o, "payload_not_available", HA_PAYLOAD_OFFLINE);
	json_out_end_object(o);
}

static void write_device(struct json_out *o, const struct ha_device *d)
{
	json_out_key(o, "device");
	json_out_begin_object(o);
	json_out_key(o, "identifiers");
	json_out_begin_array(o);
	json_out_string(o, d->node_id);
	json_out_end_array(o);
	write_string(o, "name", d->name);
	write_string(o, "manufacturer", d->manufacturer);
	write_string(o, "model", d->model);
	write_string(o, "via_device", d->via_device);
	json_out_end_object(o);
}

static void write_controls(struct json_out *o, const struct ha_entity *e)
{
	if (e->options) {
		json_out_key(o, "options");
		json_out_begin_array(o);
		for (const char *const *option = e->options; *option; option++)
			json_out_string(o, *option);
		json_out_end_array(o);
	}
	if (e->has_range) {
		json_out_key(o, "min");
		json_out_number(o, e->min);
		json_out_key(o, "max");
		json_out_number(o, e->max);
		json_out_key(o, "step");
		json_out_number(o, e->step);
		write_string(o, "mode", "box"); /* watts and amps are typed, not slid to */
	}
	write_string(o, "payload_on", e->payload_on);
	write_string(o, "payload_off", e->payload_off);
	if (strcmp(e->component, "switch") == 0) {
		/* The state template renders the same words the commands take. */
		write_string(o, "state_on", e->payload_on);
		write_string(o, "state_off", e->payload_off);
	}
	write_string(o, "payload_press", e->payload_press);
}

void ha_add_entity(struct ha_discovery_set *s, const struct ha_device *d, const struct ha_entity *e)
{
	char unique_id[HA_NODE_ID_MAX + HA_OBJECT_ID_MAX + 2], template[TEMPLATE_MAX];
	snprintf(unique_id, sizeof(unique_id), "%s_%s", d->node_id, e->object_id);
	const char *value_template = e->value_template;
	if (!value_template && e->json_path) {
		snprintf(template, sizeof(template), "{{ value_json.%s | default(None) }}", e->json_path);
		value_template = template;
	}
	struct json_out *o = &s->text;
	size_t start = json_out_begin_document(o);
	json_out_begin_object(o);
	write_string(o, "name", e->name);
	write_string(o, "unique_id", unique_id);
	write_device(o, d);
	json_out_key(o, "origin");
	json_out_begin_object(o);
	write_string(o, "name", "energy-bridge");
	json_out_end_object(o);
	json_out_key(o, "availability");
	json_out_begin_array(o);
	write_availability(o, d->t->availability);
	if (d->availability)
		write_availability(o, d->availability);
	json_out_end_array(o);
	write_string(o, "availability_mode", "all");
	write_string(o, "state_topic", e->state_topic);
	write_string(o, "value_template", value_template);
	write_string(o, "command_topic", e->command_topic);
	write_string(o, "device_class", e->device_class);
	write_string(o, "unit_of_measurement", e->unit);
	write_string(o, "state_class", e->state_class);
	write_string(o, "entity_category", e->category);
	write_string(o, "icon", e->icon);
	write_controls(o, e);
	json_out_end_object(o);
	push_message(s, ha_format("%s/%s/%s/%s/config", d->t->ha_prefix, e->component, d->node_id, e->object_id), start);
}

static bool is_node_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* True when raw could be read as an encoded id: it ends in "_x" and lower-case hex digits. */
static bool looks_encoded(const char *raw)
{
	const char *end = raw + strlen(raw);
	const char *p = end;
	while (p > raw && ((p[-1] >= '0' && p[-1] <= '9') || (p[-1] >= 'a' && p[-1] <= 'f')))
		p--;
	return p - raw >= 2 && p[-1] == 'x' && p[-2] == '_';
}

/*
 * An id made of node id characters is kept as it is, unless it ends like an
 * encoded one. Any other id is encoded: each character that is not a node id
 * character becomes '_', and "_x" follows with, in hex, the original byte
 * under every '_' of that text, in order. Nothing is lost, so two ids never
 * share a node id: the split point is the one "_x" followed by hex alone,
 * the text before it gives the length and every kept character, and the hex
 * gives the rest. (A hash would not do: an attacker can find a collision.)
 */
void ha_append_id(char *out, size_t size, const char *raw)
{
	static const char hex[] = "0123456789abcdef";
	bool plain = !looks_encoded(raw);
	for (const char *p = raw; *p && plain; p++)
		plain = is_node_char(*p);
	size_t n = strlen(out);
	for (const char *p = raw; *p && n + 1 < size; p++)
		out[n++] = is_node_char(*p) && *p != '_' ? *p : '_';
	if (!plain) {
		for (const char *p = "_x"; *p && n + 1 < size; p++)
			out[n++] = *p;
		for (const char *p = raw; *p && n + 2 < size; p++) {
			if (is_node_char(*p) && *p != '_')
				continue;
			out[n++] = hex[(unsigned char)*p >> 4];
			out[n++] = hex[(unsigned char)*p & 15];
		}
	}
	out[n] = '\0';
}

bool ha_availability_topic_twc(char *buf, size_t size, const char *availability, unsigned slave_id)
{
	int n = snprintf(buf, size, HA_TWC_AVAILABILITY, availability, slave_id & 0xFFFFu);
	return n >= 0 && (size_t)n < size;
}

bool ha_availability_topic_venus(char *buf, size_t size, const char *availability, const char *type, const char *id)
{
	int n = snprintf(buf, size, HA_VENUS_AVAILABILITY, availability, type, id);
	return n >= 0 && (size_t)n < size;
}

