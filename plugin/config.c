#include "config.h"

#include <errno.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

enum option_kind {
	OPTION_SWITCH,	/* on/off */
	OPTION_INTEGER,	/* decimal within [min, max] */
	OPTION_TOPIC,	/* a topic one can publish to: no wildcards */
	OPTION_WORDS,	/* names separated by spaces, each fit to be a topic level */
	OPTION_CHOICE,	/* one of the words in `choices`; stores its index */
	OPTION_HEX_ID,	/* 4 hexadecimal digits */
	OPTION_LINK,	/* "", an absolute device path, or tcp://host:port */
};

struct option_spec {
	const char *name; /* without the plugin_opt_ prefix */
	enum option_kind kind;
	size_t offset;	  /* of the field in struct eb_config */
	long min, max;
	const char *default_value;
	const char *choices;	/* OPTION_CHOICE: the words, separated by spaces */
};

#define FIELD(f) offsetof(struct eb_config, f)

static const struct option_spec options[] = {
	{"acl_guard", OPTION_SWITCH, FIELD(acl_guard), 0, 0, "off", NULL},
	{"stats_topic", OPTION_TOPIC, FIELD(stats_topic), 0, 0, "energy-bridge/stats", NULL},
	{"stats_interval", OPTION_INTEGER, FIELD(stats_interval), 0, 86400, "60", NULL},
	{"mppt", OPTION_SWITCH, FIELD(mppt.enabled), 0, 0, "on", NULL},
	{"mppt_request_topic", OPTION_TOPIC, FIELD(mppt.request_topic), 0, 0, "dataset/mppt", NULL},
	{"mppt_output_prefix", OPTION_TOPIC, FIELD(mppt.output_prefix), 0, 0, "monitoring.mppt", NULL},
	{"mppt_max_payload", OPTION_INTEGER, FIELD(mppt.max_payload), 64, 256L << 20, "1048576", NULL},
	{"mppt_max_items", OPTION_INTEGER, FIELD(mppt.max_items), 1, 1000000, "10000", NULL},
	{"venus", OPTION_SWITCH, FIELD(venus.enabled), 0, 0, "on", NULL},
	{"venus_vendors", OPTION_WORDS, FIELD(venus.vendors), 1, 0, "hame_energy marstek_energy", NULL},
	{"venus_strict_types", OPTION_SWITCH, FIELD(venus.strict_types), 0, 0, "off", NULL},
	{"venus_admin_users", OPTION_WORDS, FIELD(venus.admin_users), 0, 0, "", NULL},
	{"venus_command_interval", OPTION_INTEGER, FIELD(venus.command_interval), 0, 3600, "1", NULL},
	{"venus_state_prefix", OPTION_TOPIC, FIELD(venus.state_prefix), 0, 0, "venus", NULL},
	{"venus_poll_interval", OPTION_INTEGER, FIELD(venus.poll_interval), 0, 86400, "0", NULL},
	{"twc_port", OPTION_LINK, FIELD(twc.port), 0, 0, "", NULL},
	{"twc_mode", OPTION_CHOICE, FIELD(twc.monitor), 0, 0, "master", "master monitor"},
	{"twc_master_id", OPTION_HEX_ID, FIELD(twc.master_id), 0, 0, "7777", NULL},
	{"twc_max_amps_for_slaves", OPTION_INTEGER, FIELD(twc.max_amps_for_slaves), 0, 1000, "32", NULL},
	{"twc_min_amps_per_twc", OPTION_INTEGER, FIELD(twc.min_amps_per_twc), 1, 80, "6", NULL},
	{"twc_wiring_max_amps_per_twc", OPTION_INTEGER, FIELD(twc.wiring_max_amps_per_twc), 1, 80, "32", NULL},
	{"twc_wiring_max_amps_all", OPTION_INTEGER, FIELD(twc.wiring_max_amps_all), 0, 1000, "0", NULL},
	{"twc_prefix", OPTION_TOPIC, FIELD(twc.prefix), 0, 0, "TWC", NULL},
	{"twc_qos", OPTION_INTEGER, FIELD(twc.qos), 0, 2, "0", NULL},
	{"twc_refresh", OPTION_INTEGER, FIELD(twc.refresh), 1, 3600, "60", NULL},
	{"ha_discovery", OPTION_SWITCH, FIELD(ha.enabled), 0, 0, "off", NULL},
	{"ha_prefix", OPTION_TOPIC, FIELD(ha.prefix), 0, 0, "homeassistant", NULL},
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

static int reject(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int reject(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_switch(const char *v, bool *out)
{
	static const char *const on[] = {"on", "true", "yes", "1"}, *const off[] = {"off", "false", "no", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, on[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, off[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_integer(const char *v, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || strchr(v, ' ') || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* A topic the plugin may publish to or match exactly: no wildcards, no empty levels at the ends. */
static bool topic_is_publishable(const char *t)
{
	size_t n = strlen(t);
	return n > 0 && n < 1024 && utf8_invalid_at(t, n) == n && !strpbrk(t, "+#") && t[0] != '/' &&
	       t[n - 1] != '/' && t[0] != '$';
}

/* min words at least; each word printable ASCII without topic separators or wildcards. */
static bool words_are_valid(const char *v, long min)
{
	long words = 0;
	for (const char *p = v; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		for (size_t i = 0; i < len; i++)
			if (p[i] <= ' ' || p[i] > '~' || p[i] == '/' || p[i] == '+' || p[i] == '#')
				return false;
		words += len > 0;
		p += len;
	}
	return words >= min;
}

/* An absolute device path, or tcp://host:port with a port from 1 to 65535. */
static bool link_is_valid(const char *v)
{
	if (v[0] == '\0' || v[0] == '/')
		return true;
	if (strncmp(v, "tcp://", 6) != 0)
		return false;
	const char *colon = strrchr(v + 6, ':');
	long port;
	return colon && colon > v + 6 && parse_integer(colon + 1, 1, 65535, &port) == 0;
}

static int choice_index(const char *choices, const char *v)
{
	int index = 0;
	for (const char *p = choices; *p; index++) {
		size_t len = strcspn(p, " ");
		if (len == strlen(v) && strncmp(p, v, len) == 0)
			return index;
		p += len + (p[len] == ' ');
	}
	return -1;
}

static int store_string(char **slot, const char *value, const char *name, char *err, size_t errsz)
{
	char *copy = strdup(value);
	if (!copy)
		return reject(err, errsz, "option plugin_opt_%s: out of memory", name);
	free(*slot);
	*slot = copy;
	return 0;
}

static int apply(struct eb_config *c, const struct option_spec *o, const char *value, char *err, size_t errsz)
{
	void *field = (char *)c + o->offset;
	switch (o->kind) {
	case OPTION_SWITCH:
		if (parse_switch(value, field) == 0)
			return 0;
		return reject(err, errsz, "option plugin_opt_%s: expected on or off, got '%s'", o->name, value);
	case OPTION_INTEGER:
		if (parse_integer(value, o->min, o->max, field) == 0)
			return 0;
		return reject(err, errsz, "option plugin_opt_%s: expected an integer from %ld to %ld, got '%s'",
			      o->name, o->min, o->max, value);
	case OPTION_TOPIC:
		if (!topic_is_publishable(value))
			return reject(err, errsz,
				      "option plugin_opt_%s: expected a topic without wildcards, without a leading "
				      "'$' and without a leading or trailing '/', got '%s'",
				      o->name, value);
		return store_string(field, value, o->name, err, errsz);
	case OPTION_WORDS:
		if (!words_are_valid(value, o->min))
			return reject(err, errsz,
				      "option plugin_opt_%s: expected %s separated by spaces, without '/', '+' or "
				      "'#', got '%s'",
				      o->name, o->min ? "one or more names" : "names", value);
		return store_string(field, value, o->name, err, errsz);
	case OPTION_CHOICE: {
		int index = choice_index(o->choices, value);
		if (index < 0)
			return reject(err, errsz, "option plugin_opt_%s: expected one of %s, got '%s'", o->name,
				      o->choices, value);
		*(long *)field = index;
		return 0;
	}
	case OPTION_HEX_ID:
		if (strlen(value) != 4 || strspn(value, "0123456789abcdefABCDEF") != 4)
			return reject(err, errsz, "option plugin_opt_%s: expected 4 hexadecimal digits, got '%s'",
				      o->name, value);
		*(long *)field = strtol(value, NULL, 16);
		return 0;
	case OPTION_LINK:
		if (!link_is_valid(value))
			return reject(err, errsz,
				      "option plugin_opt_%s: expected a serial device such as /dev/ttyUSB0 or "
				      "tcp://host:port, got '%s'",
				      o->name, value);
		return store_string(field, value, o->name, err, errsz);
	}
	return -1;
}

bool eb_topic_under(const char *topic, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(topic, prefix, n) == 0 && (topic[n] == '\0' || topic[n] == '/');
}

/* What single options cannot check on their own. */
static int check_combinations(struct eb_config *c, char *err, size_t errsz)
{
	struct eb_mppt_config *m = &c->mppt;
	const char *owned[] = {m->output_prefix, m->request_topic, c->venus.state_prefix, c->twc.prefix,
			       c->stats_topic, c->ha.prefix};
	const char *owner[] = {"plugin_opt_mppt_output_prefix", "plugin_opt_mppt_request_topic",
			       "plugin_opt_venus_state_prefix", "plugin_opt_twc_prefix", "plugin_opt_stats_topic",
			       "plugin_opt_ha_prefix"};
	size_t n = sizeof(owned) / sizeof(owned[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (eb_topic_under(owned[i], owned[k]) || eb_topic_under(owned[k], owned[i]))
				return reject(err, errsz,
					      "options %s and %s: expected topics that do not contain one another, got "
					      "'%s' and '%s'",
					      owner[i], owner[k], owned[i], owned[k]);
	c->twc.enabled = c->twc.port[0] != '\0';
	free(m->errors_topic);
	if (asprintf(&m->errors_topic, "%s/errors", m->request_topic) < 0) {
		m->errors_topic = NULL;
		return reject(err, errsz, "out of memory");
	}
	return 0;
}

int eb_config_load(struct eb_config *c, const struct mosquitto_opt *opts, int count, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (apply(c, &options[i], options[i].default_value, err, errsz) != 0)
			return -1;

	for (int i = 0; i < count; i++) {
		const struct option_spec *o = NULL;
		for (size_t k = 0; k < OPTION_COUNT && !o; k++)
			if (strcmp(opts[i].key, options[k].name) == 0)
				o = &options[k];
		if (!o)
			return reject(err, errsz, "unknown option plugin_opt_%s (the README lists the options)",
				      opts[i].key);
		for (int k = 0; k < i; k++)
			if (strcmp(opts[k].key, opts[i].key) == 0)
				return reject(err, errsz, "option plugin_opt_%s: given more than once", o->name);
		if (apply(c, o, opts[i].value ? opts[i].value : "", err, errsz) != 0)
			return -1;
	}
	return check_combinations(c, err, errsz);
}

void eb_config_free(struct eb_config *c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		if (options[i].kind == OPTION_TOPIC || options[i].kind == OPTION_WORDS || options[i].kind == OPTION_LINK) {
			char **slot = (char **)((char *)c + options[i].offset);
			free(*slot);
			*slot = NULL;
		}
	}
	free(c->mppt.errors_topic);
	c->mppt.errors_topic = NULL;
}
