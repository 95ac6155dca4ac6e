#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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
		return eb_error(err, errsz, "option plugin_opt_%s: out of memory", name);
	free(*slot);
	*slot = copy;
	return 0;
}

int eb_option_apply(void *base, const struct eb_option *o, const char *value, char *err, size_t errsz)
{
	void *field = (char *)base + o->offset;
	switch (o->kind) {
	case EB_OPTION_SWITCH:
		if (parse_switch(value, field) == 0)
			return 0;
		return eb_error(err, errsz, "option plugin_opt_%s: expected on or off, got '%s'", o->name, value);
	case EB_OPTION_INTEGER:
		if (parse_integer(value, o->min, o->max, field) == 0)
			return 0;
		return eb_error(err, errsz, "option plugin_opt_%s: expected an integer from %ld to %ld, got '%s'",
			      o->name, o->min, o->max, value);
	case EB_OPTION_TOPIC:
		if (!topic_is_publishable(value))
			return eb_error(err, errsz,
				      "option plugin_opt_%s: expected a topic without wildcards, without a leading "
				      "'$' and without a leading or trailing '/', got '%s'",
				      o->name, value);
		return store_string(field, value, o->name, err, errsz);
	case EB_OPTION_WORDS:
		if (!words_are_valid(value, o->min))
			return eb_error(err, errsz,
				      "option plugin_opt_%s: expected %s separated by spaces, without '/', '+' or "
				      "'#', got '%s'",
				      o->name, o->min ? "one or more names" : "names", value);
		return store_string(field, value, o->name, err, errsz);
	case EB_OPTION_CHOICE: {
		int index = choice_index(o->choices, value);
		if (index < 0)
			return eb_error(err, errsz, "option plugin_opt_%s: expected one of %s, got '%s'", o->name,
				      o->choices, value);
		*(long *)field = index;
		return 0;
	}
	case EB_OPTION_HEX_ID:
		if (strlen(value) != 4 || strspn(value, "0123456789abcdefABCDEF") != 4)
			return eb_error(err, errsz, "option plugin_opt_%s: expected 4 hexadecimal digits, got '%s'",
				      o->name, value);
		*(long *)field = strtol(value, NULL, 16);
		return 0;
	case EB_OPTION_OPTIONAL_TOPIC:
		if (value[0] != '\0' && !topic_is_publishable(value))
			return eb_error(err, errsz,
				      "option plugin_opt_%s: expected nothing or a topic without wildcards, without a "
				      "leading '$' and without a leading or trailing '/', got '%s'",
				      o->name, value);
		return store_string(field, value, o->name, err, errsz);
	case EB_OPTION_TEXT:
		for (const char *p = value; *p; p++)
			if (*p < ' ' || *p > '~')
				return eb_error(err, errsz, "option plugin_opt_%s: expected printable ASCII, got '%s'",
						o->name, value);
		return store_string(field, value, o->name, err, errsz);
	case EB_OPTION_LINK:
		if (!link_is_valid(value))
			return eb_error(err, errsz,
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

void eb_option_free(void *base, const struct eb_option *o)
{
	if (o->kind == EB_OPTION_TOPIC || o->kind == EB_OPTION_WORDS || o->kind == EB_OPTION_LINK ||
	    o->kind == EB_OPTION_OPTIONAL_TOPIC || o->kind == EB_OPTION_TEXT) {
		char **slot = (char **)((char *)base + o->offset);
		free(*slot);
		*slot = NULL;
	}
}
