/* mppt_options: the MPPT job's plugin_opt_mppt* options (README, "Configuration"). */
#ifndef MPPT_OPTIONS_H
#define MPPT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct eb_mppt_config {
	bool enabled;
	char *request_topic;	/* what data loggers publish to */
	char *errors_topic;	/* derived: <request topic>/errors (plugin/config.c) */
	char *output_prefix;	/* translated messages go to <prefix>/<mppt_id> */
	long max_payload;	/* bytes */
	long max_items;
};

extern const struct eb_option mppt_options[];
extern const size_t mppt_option_count;

#endif
