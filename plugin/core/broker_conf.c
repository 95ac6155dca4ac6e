#include "broker_conf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_text.h"

/* A component of a version: 1 to 4 digits; the end of them in *end. */
static bool version_part(const char *s, int *value, const char **end)
{
	size_t n = strspn(s, "0123456789");
	long long v;
	if (eb_parse_int(s, n, &(struct eb_int_rule){.min = 0, .max = 9999, .max_digits = 4}, &v) != EB_INT_OK)
		return false;
	*value = (int)v;
	*end = s + n;
	return true;
}

bool eb_mosquitto_version_parse(const char *text, struct eb_version *v)
{
	static const char *const prefixes[] = {"mosquitto version ", "mosquitto "};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(text, prefixes[i], n) != 0)
			continue;
		const char *s = text + n;
		struct eb_version r;
		if (!version_part(s, &r.major, &s) || *s++ != '.' || !version_part(s, &r.minor, &s) || *s++ != '.' ||
		    !version_part(s, &r.revision, &s))
			continue;
		if (*s != '\0' && *s != '\n' && *s != '\r' && *s != ' ' && *s != '-' && *s != '~' && *s != '+')
			continue;
		*v = r;
		return true;
	}
	return false;
}

int eb_version_compare(struct eb_version a, struct eb_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	if (a.revision != b.revision)
		return a.revision < b.revision ? -1 : 1;
	return 0;
}

/* The next word of *s (spaces and tabs between words), NUL-terminated in place; NULL at the end. */
static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t");
	if (*w == '\0')
		return NULL;
	char *e = w + strcspn(w, " \t");
	if (*e != '\0')
		*e++ = '\0';
	*s = e;
	return w;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "true" or "false" into *setting; anything else leaves it (the broker refuses such a file anyway). */
static void boolean(const char *value, enum eb_conf_setting *setting)
{
	if (strcmp(value, "true") == 0)
		*setting = EB_CONF_TRUE;
	else if (strcmp(value, "false") == 0)
		*setting = EB_CONF_FALSE;
}

/* Mosquitto 2.0 and 2.1 nest include_dir, but never deeper than this in any sane configuration. */
#define INCLUDE_DEPTH_MAX 8

/* What read_file gathers: the last value of each setting read. */
struct conf_seen {
	enum eb_conf_setting per_listener_settings;
	enum eb_conf_setting persistence;
	char *persistence_location;	/* NULL: never set */
};

static int read_file(const char *path, int depth, struct conf_seen *seen, char *err, size_t errsz);

/* Every *.conf file of dir, in the order of their names. */
static int read_dir(const char *dir, int depth, struct conf_seen *seen, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	if (!d)
		return eb_error(err, errsz, "cannot read the directory %s (%s)", dir, strerror(errno));
	char **names = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".conf") != 0)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				rc = eb_error(err, errsz, "out of memory");
				break;
			}
			names = grown;
		}
		if (!(names[count] = strdup(e->d_name)))
			rc = eb_error(err, errsz, "out of memory");
		else
			count++;
	}
	closedir(d);
	if (names)
		qsort(names, count, sizeof(*names), by_name);
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		if (rc == 0) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
				rc = eb_error(err, errsz, "a path under %s is too long", dir);
			else
				rc = read_file(path, depth + 1, seen, err, errsz);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int read_file(const char *path, int depth, struct conf_seen *seen, char *err, size_t errsz)
{
	if (depth > INCLUDE_DEPTH_MAX)
		return eb_error(err, errsz, "include_dir nested deeper than %d at %s", INCLUDE_DEPTH_MAX, path);
	FILE *f = fopen(path, "r");
	if (!f)
		return eb_error(err, errsz, "cannot read %s (%s)", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		char *s = line;
		char *key = next_word(&s);
		if (!key || key[0] == '#')
			continue;
		char *value = next_word(&s);
		if (strcmp(key, "per_listener_settings") == 0 && value) {
			boolean(value, &seen->per_listener_settings);
		} else if (strcmp(key, "persistence") == 0 && value) {
			boolean(value, &seen->persistence);
		} else if (strcmp(key, "persistence_location") == 0 && value) {
			free(seen->persistence_location);
			if (!(seen->persistence_location = strdup(value)))
				rc = eb_error(err, errsz, "out of memory");
		} else if (strcmp(key, "include_dir") == 0 && value) {
			rc = read_dir(value, depth, seen, err, errsz);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

enum eb_conf_setting eb_conf_per_listener_settings(const char *path, char *err, size_t errsz)
{
	struct conf_seen seen = {0};
	int rc = read_file(path, 0, &seen, err, errsz);
	free(seen.persistence_location);
	return rc != 0 ? EB_CONF_UNREADABLE : seen.per_listener_settings;
}

enum eb_conf_setting eb_conf_persistence(const char *path, char **location, char *err, size_t errsz)
{
	struct conf_seen seen = {0};
	*location = NULL;
	if (read_file(path, 0, &seen, err, errsz) != 0) {
		free(seen.persistence_location);
		return EB_CONF_UNREADABLE;
	}
	if (seen.persistence == EB_CONF_TRUE)
		*location = seen.persistence_location;
	else
		free(seen.persistence_location);
	return seen.persistence;
}
