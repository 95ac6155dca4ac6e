/*
 * broker_release: which Mosquitto the plugin runs in, found out through the
 * broker's public faces only (its exported symbols, its command line, its
 * configuration file and its version line), never its private structures.
 *
 * Broker's thread, at mosquitto_plugin_init.
 */
#ifndef EB_BROKER_RELEASE_H
#define EB_BROKER_RELEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "broker_conf.h"

/* True in Mosquitto 2.1 and later: the broker exports mosquitto_plugin_set_info(). */
bool eb_broker_is_2_1(void);

/*
 * The running broker's version, from the first line of its own `-h` (run
 * from /proc/self/exe): true with *v set, false with the reason in err.
 */
bool eb_broker_version(struct eb_version *v, char *err, size_t errsz);

/*
 * Whether the broker's configuration (its -c file, with include_dir) sets
 * per_listener_settings true; a broker started without -c never does.
 */
enum eb_conf_setting eb_broker_per_listener_settings(char *err, size_t errsz);

/*
 * Whether the broker's configuration sets persistence true and, when it does,
 * its persistence_location in *location (free it; NULL when unset: the
 * broker's working directory). A broker started without -c has none.
 */
enum eb_conf_setting eb_broker_persistence(char **location, char *err, size_t errsz);

/*
 * Mosquitto 2.0.0 to 2.0.14 never run the TICK callbacks of a plugin loaded
 * under per_listener_settings true (2.0.15 runs them; so does 2.1). 0 when
 * the plugin's timers will run, -1 with the reason in err when they will not.
 */
int eb_broker_check_timers_run(char *err, size_t errsz);

#endif
