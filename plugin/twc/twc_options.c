#include "twc_options.h"

#define FIELD(f) offsetof(struct eb_twc_config, f)

const struct eb_option twc_options[] = {
	{"twc_port", EB_OPTION_LINK, FIELD(port), 0, 0, "", NULL},
	{"twc_mode", EB_OPTION_CHOICE, FIELD(monitor), 0, 0, "master", "master monitor"},
	{"twc_master_id", EB_OPTION_HEX_ID, FIELD(master_id), 0, 0, "7777", NULL},
	{"twc_max_amps_for_slaves", EB_OPTION_INTEGER, FIELD(max_amps_for_slaves), 0, 1000, "32", NULL},
	{"twc_min_amps_per_twc", EB_OPTION_INTEGER, FIELD(min_amps_per_twc), 1, 80, "6", NULL},
	{"twc_wiring_max_amps_per_twc", EB_OPTION_INTEGER, FIELD(wiring_max_amps_per_twc), 1, 80, "32", NULL},
	{"twc_wiring_max_amps_all", EB_OPTION_INTEGER, FIELD(wiring_max_amps_all), 0, 1000, "0", NULL},
	{"twc_prefix", EB_OPTION_TOPIC, FIELD(prefix), 0, 0, "TWC", NULL},
	{"twc_qos", EB_OPTION_INTEGER, FIELD(qos), 0, 2, "0", NULL},
	{"twc_refresh", EB_OPTION_INTEGER, FIELD(refresh), 1, 3600, "60", NULL},
};

const size_t twc_option_count = sizeof(twc_options) / sizeof(twc_options[0]);
