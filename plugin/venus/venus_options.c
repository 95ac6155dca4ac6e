#include "venus_options.h"

#define FIELD(f) offsetof(struct eb_venus_config, f)

const struct eb_option venus_options[] = {
	{"venus", EB_OPTION_SWITCH, FIELD(enabled), 0, 0, "on", NULL},
	{"venus_vendors", EB_OPTION_WORDS, FIELD(vendors), 1, 0, "hame_energy marstek_energy", NULL},
	{"venus_strict_types", EB_OPTION_SWITCH, FIELD(strict_types), 0, 0, "on", NULL},
	{"venus_admin_users", EB_OPTION_WORDS, FIELD(admin_users), 0, 0, "", NULL},
	{"venus_command_interval", EB_OPTION_INTEGER, FIELD(command_interval), 0, 3600, "1", NULL},
	{"venus_state_prefix", EB_OPTION_TOPIC, FIELD(state_prefix), 0, 0, "venus", NULL},
	{"venus_poll_interval", EB_OPTION_INTEGER, FIELD(poll_interval), 0, 86400, "0", NULL},
};

const size_t venus_option_count = sizeof(venus_options) / sizeof(venus_options[0]);
