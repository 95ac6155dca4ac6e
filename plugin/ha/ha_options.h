/* ha_options: Home Assistant discovery's plugin_opt_ha_* options (docs/home-assistant.md). */
#ifndef HA_OPTIONS_H
#define HA_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct eb_ha_config {
	bool enabled;
	char *prefix;		/* Home Assistant's discovery prefix */
};

extern const struct eb_option ha_options[];
extern const size_t ha_option_count;

#endif
