/*
 * mppt_options: the Sundaya telemetry job's options, one table per dataset
 * (plugin_opt_mppt*, plugin_opt_pms*, plugin_opt_inverter*; README,
 * "Configuration"). The three datasets take the same options.
 */
#ifndef MPPT_OPTIONS_H
#define MPPT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* One dataset's configuration. */
struct eb_telemetry_config {
	bool enabled;
	char *request_topic;	/* what data loggers publish JSON to */
	char *errors_topic;	/* derived: <request topic>/errors (plugin/config.c) */
	char *csv_topic;	/* derived for pms: <request topic>/csv; NULL: no CSV form */
	char *output_prefix;	/* translated messages go to <prefix>/<device id> */
	long max_payload;	/* bytes */
	long max_items;		/* samples, or CSV rows */
};

extern const struct eb_option mppt_options[];
extern const size_t mppt_option_count;
extern const struct eb_option pms_options[];
extern const size_t pms_option_count;
extern const struct eb_option inverter_options[];
extern const size_t inverter_option_count;

#endif
