#include "ha_options.h"

#define FIELD(f) offsetof(struct eb_ha_config, f)

const struct eb_option ha_options[] = {
	{"ha_discovery", EB_OPTION_SWITCH, FIELD(enabled), 0, 0, "off", NULL},
	{"ha_prefix", EB_OPTION_TOPIC, FIELD(prefix), 0, 0, "homeassistant", NULL},
};

const size_t ha_option_count = sizeof(ha_options) / sizeof(ha_options[0]);
