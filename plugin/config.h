/*
 * config: every `plugin_opt_*` option of the plugin, read once at start.
 *
 * Each job owns its options (plugin/<job>/<job>_options.c); this module
 * puts their tables together with the plugin's own, so that an unknown or
 * repeated option is caught whichever job it would belong to, and checks
 * what no single option can (topics of different jobs that overlap).
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

#include "ha_options.h"
#include "mppt_options.h"
#include "options.h"
#include "twc_options.h"
#include "venus_options.h"

struct mosquitto_opt;

#define CONFIG_ERROR_MAX EB_ERROR_MAX

struct eb_config {
	bool acl_guard;		/* refuse writes (wills too) to plugin topics in the ACL check */
	char *stats_topic;
	long stats_interval;	/* seconds; 0: no statistics */
	char *spool_file;	/* "": beside the broker's persistence file, "off": none (journal.h) */
	long spool_max_bytes;	/* the journal's bound */
	struct eb_telemetry_config mppt, pms, inverter;	/* the Sundaya telemetry datasets */
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

#endif
