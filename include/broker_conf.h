/*
 * broker_conf: what the plugin reads of the broker it runs in through the
 * broker's public faces, its configuration file and its version line, and
 * never through its private structures. Pure: no broker, no thread, no clock.
 *
 * eb_mosquitto_version_parse reads the version a broker prints: the first
 * line of `mosquitto -h` ("mosquitto version 2.0.11", every 2.x) or of
 * `mosquitto --version` ("mosquitto 2.1.2", 2.0.22 and later); the version
 * may carry a suffix ("2.1.0-rc1"), which is ignored.
 *
 * eb_conf_per_listener_settings reads a mosquitto.conf the way the broker
 * does for that one option: lines "per_listener_settings true|false", the
 * last one read winning, following include_dir (its *.conf files in the
 * order of their names), comments and blank lines skipped.
 */
#ifndef EB_BROKER_CONF_H
#define EB_BROKER_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct eb_version {
	int major, minor, revision;
};

/* True with *v set when text starts with a version line as above. */
bool eb_mosquitto_version_parse(const char *text, struct eb_version *v);
/* <0, 0 or >0 as a is older than, the same as or newer than b. */
int eb_version_compare(struct eb_version a, struct eb_version b);

enum eb_conf_setting {
	EB_CONF_FALSE = 0,	/* set false, or never set (the broker's default) */
	EB_CONF_TRUE = 1,
	EB_CONF_UNREADABLE = -1,	/* a file could not be read: why is in err */
};
enum eb_conf_setting eb_conf_per_listener_settings(const char *path, char *err, size_t errsz);
/*
 * The same reading for "persistence true|false" (default false) and
 * "persistence_location": when persistence is true, *location is the last
 * persistence_location read (free it), or NULL when none is set (the broker
 * then writes its file in its working directory).
 */
enum eb_conf_setting eb_conf_persistence(const char *path, char **location, char *err, size_t errsz);

#endif
