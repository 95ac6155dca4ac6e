#include "mppt_options.h"

#define FIELD(f) offsetof(struct eb_telemetry_config, f)

const struct eb_option mppt_options[] = {
	{"mppt", EB_OPTION_SWITCH, FIELD(enabled), 0, 0, "on", NULL},
	{"mppt_request_topic", EB_OPTION_TOPIC, FIELD(request_topic), 0, 0, "dataset/mppt", NULL},
	{"mppt_output_prefix", EB_OPTION_TOPIC, FIELD(output_prefix), 0, 0, "monitoring.mppt", NULL},
	{"mppt_max_payload", EB_OPTION_INTEGER, FIELD(max_payload), 64, 256L << 20, "1048576", NULL},
	{"mppt_max_items", EB_OPTION_INTEGER, FIELD(max_items), 1, 1000000, "500", NULL},
};

const size_t mppt_option_count = sizeof(mppt_options) / sizeof(mppt_options[0]);

const struct eb_option pms_options[] = {
	{"pms", EB_OPTION_SWITCH, FIELD(enabled), 0, 0, "on", NULL},
	{"pms_request_topic", EB_OPTION_TOPIC, FIELD(request_topic), 0, 0, "dataset/pms", NULL},
	{"pms_output_prefix", EB_OPTION_TOPIC, FIELD(output_prefix), 0, 0, "monitoring.pms", NULL},
	{"pms_max_payload", EB_OPTION_INTEGER, FIELD(max_payload), 64, 256L << 20, "1048576", NULL},
	{"pms_max_items", EB_OPTION_INTEGER, FIELD(max_items), 1, 1000000, "500", NULL},
};

const size_t pms_option_count = sizeof(pms_options) / sizeof(pms_options[0]);

const struct eb_option inverter_options[] = {
	{"inverter", EB_OPTION_SWITCH, FIELD(enabled), 0, 0, "on", NULL},
	{"inverter_request_topic", EB_OPTION_TOPIC, FIELD(request_topic), 0, 0, "dataset/inverter", NULL},
	{"inverter_output_prefix", EB_OPTION_TOPIC, FIELD(output_prefix), 0, 0, "monitoring.inverter", NULL},
	{"inverter_max_payload", EB_OPTION_INTEGER, FIELD(max_payload), 64, 256L << 20, "1048576", NULL},
	{"inverter_max_items", EB_OPTION_INTEGER, FIELD(max_items), 1, 1000000, "500", NULL},
};

const size_t inverter_option_count = sizeof(inverter_options) / sizeof(inverter_options[0]);
