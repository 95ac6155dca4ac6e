/*
 * config: the plugin's `plugin_opt_*` options, read once at start.
 *
 * Every option has a default that passes through the same validation as a
 * configured value, and a bad or unknown option is an error that names the
 * option and what it expected: the broker must refuse to start rather than
 * run with a value nobody chose. Pure: the caller logs the error.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct mosquitto_opt;

#define CONFIG_ERROR_MAX 256

struct eb_mppt_config {
	bool enabled;
	char *request_topic;	/* what data loggers publish to */
	char *errors_topic;	/* <request topic>/errors */
	char *output_prefix;	/* translated messages go to <prefix>/<mppt_id> */
	long max_payload;	/* bytes */
	long max_items;
};

struct eb_venus_config {
	bool enabled;
	char *vendors;		/* topic prefixes, separated by spaces */
	bool strict_types;	/* refuse commands to types the command table does not describe */
	char *admin_users;	/* who may send dangerous commands, separated by spaces */
	long command_interval;	/* seconds between settings per device; 0: no limit */
	char *state_prefix;
	long poll_interval;	/* seconds; 0: no polling */
};

struct eb_twc_config {
	bool enabled;		/* derived: a port is set */
	char *port;		/* a serial device or tcp://host:port; "" when TWC is off */
	long monitor;		/* 0: master, 1: monitor (index into "master monitor") */
	long master_id;
	long max_amps_for_slaves;
	long min_amps_per_twc;
	long wiring_max_amps_per_twc;
	long wiring_max_amps_all;	/* 0: the pool */
	char *prefix;
	long qos;
	long refresh;
};

/* Home Assistant discovery (ha_bridge.h) */
struct eb_ha_config {
	bool enabled;
	char *prefix;		/* Home Assistant's discovery prefix */
};

struct eb_config {
	bool acl_guard;		/* refuse writes (wills too) to plugin topics in the ACL check */
	char *stats_topic;
	long stats_interval;	/* seconds; 0: no statistics */
	struct eb_mppt_config mppt;
	struct eb_venus_config venus;
	struct eb_twc_config twc;
	struct eb_ha_config ha;
};

/*
 * Fills c from the options. Returns 0, or -1 with a message in err (the
 * option's full name, what it expected, what it got). c is valid either way
 * and must be released with eb_config_free().
 */
int eb_config_load(struct eb_config *c, const struct mosquitto_opt *opts, int count, char *err, size_t errsz);
void eb_config_free(struct eb_config *c);

/* True when topic is prefix itself or lies below it ("a/b" is below "a"). */
bool eb_topic_under(const char *topic, const char *prefix);

#endif
