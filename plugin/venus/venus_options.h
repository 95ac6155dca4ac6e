/* venus_options: the Venus job's plugin_opt_venus* options (README, "Configuration"). */
#ifndef VENUS_OPTIONS_H
#define VENUS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct eb_venus_config {
	bool enabled;
	char *vendors;		/* topic prefixes, separated by spaces */
	bool strict_types;	/* refuse commands to types no family table describes (default); off: pass them raw */
	char *admin_users;	/* who may send dangerous commands, separated by spaces */
	long command_interval;	/* seconds between settings per device; 0: no limit */
	char *state_prefix;
	long poll_interval;	/* seconds; 0: no polling */
};

extern const struct eb_option venus_options[];
extern const size_t venus_option_count;

#endif
