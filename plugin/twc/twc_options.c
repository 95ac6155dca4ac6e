#include "twc_options.h"

#include <string.h>

#include "twc_energy.h"
#include "twc_schedule.h"

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
	{"energy_mode", EB_OPTION_CHOICE, FIELD(energy_mode), 0, 0, "charge_now", TWC_ENERGY_MODES},
	{"energy_grid_topic", EB_OPTION_OPTIONAL_TOPIC, FIELD(energy_grid_topic), 0, 0, "", NULL},
	{"energy_grid_field", EB_OPTION_TEXT, FIELD(energy_grid_field), 0, 0, "", NULL},
	{"energy_grid_import_positive", EB_OPTION_SWITCH, FIELD(energy_grid_import_positive), 0, 0, "on", NULL},
	{"energy_grid_venus", EB_OPTION_TEXT, FIELD(energy_grid_venus), 0, 0, "", NULL},
	{"energy_margin_w", EB_OPTION_INTEGER, FIELD(energy_margin_w), 0, 100000, "100", NULL},
	{"energy_phases", EB_OPTION_INTEGER, FIELD(energy_phases), 1, 3, "1", NULL},
	{"energy_voltage", EB_OPTION_INTEGER, FIELD(energy_voltage), 0, 1000, "0", NULL},
	{"energy_start_s", EB_OPTION_INTEGER, FIELD(energy_start_s), 0, 3600, "60", NULL},
	{"energy_stop_s", EB_OPTION_INTEGER, FIELD(energy_stop_s), 0, 3600, "180", NULL},
	{"energy_meter_timeout_s", EB_OPTION_INTEGER, FIELD(energy_meter_timeout_s), 1, 3600, "30", NULL},
	{"energy_battery", EB_OPTION_TEXT, FIELD(energy_battery), 0, 0, "", NULL},
	{"energy_battery_priority_soc", EB_OPTION_INTEGER, FIELD(energy_battery_priority_soc), 0, 100, "100", NULL},
	{"energy_battery_buffer_soc", EB_OPTION_INTEGER, FIELD(energy_battery_buffer_soc), 0, 100, "100", NULL},
	{"energy_schedule", EB_OPTION_TEXT, FIELD(energy_schedule), 0, 0, "", NULL},
};

const size_t twc_option_count = sizeof(twc_options) / sizeof(twc_options[0]);

/* "<type>/<id>": two non-empty levels of letters, digits, '-', '_' and '.'. */
static bool battery_name_is_valid(const char *v)
{
	const char *slash = strchr(v, '/');
	const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
	return slash && slash > v && slash[1] != '\0' && strspn(v, ok) == (size_t)(slash - v) &&
	       strspn(slash + 1, ok) == strlen(slash + 1);
}

/* A dotted path of JSON keys and array indexes: non-empty parts of letters, digits, '_' and '-'. */
static bool field_path_is_valid(const char *v)
{
	const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (const char *p = v;;) {
		size_t n = strspn(p, ok);
		if (n == 0 || n > 64)
			return false;
		p += n;
		if (*p == '\0')
			return true;
		if (*p++ != '.')
			return false;
	}
}

int twc_energy_options_check(const struct eb_twc_config *c, char *err, size_t errsz)
{
	if (c->energy_phases == 2)
		return eb_error(err, errsz, "option plugin_opt_energy_phases: expected 1 or 3, got '2'");
	if (c->energy_grid_field[0] != '\0' && !field_path_is_valid(c->energy_grid_field))
		return eb_error(err, errsz,
				"option plugin_opt_energy_grid_field: expected a dotted path such as ENERGY.Power or "
				"emeters.0.power, got '%s'",
				c->energy_grid_field);
	if (c->energy_grid_field[0] != '\0' && c->energy_grid_topic[0] == '\0')
		return eb_error(err, errsz, "option plugin_opt_energy_grid_field: needs plugin_opt_energy_grid_topic");
	if (c->energy_grid_venus[0] != '\0' && !battery_name_is_valid(c->energy_grid_venus))
		return eb_error(err, errsz, "option plugin_opt_energy_grid_venus: expected <type>/<id>, got '%s'",
				c->energy_grid_venus);
	if (c->energy_grid_venus[0] != '\0' && c->energy_grid_topic[0] != '\0')
		return eb_error(err, errsz,
				"option plugin_opt_energy_grid_venus: only one grid meter, and "
				"plugin_opt_energy_grid_topic is set");
	if (c->energy_battery[0] != '\0' && !battery_name_is_valid(c->energy_battery))
		return eb_error(err, errsz, "option plugin_opt_energy_battery: expected <type>/<id>, got '%s'",
				c->energy_battery);
	struct twc_schedule sched;
	char why[160];
	if (twc_schedule_parse(c->energy_schedule, &sched, why, sizeof(why)) != 0)
		return eb_error(err, errsz, "option plugin_opt_energy_schedule: %s", why);
	bool meter = c->energy_grid_topic[0] != '\0' || c->energy_grid_venus[0] != '\0';
	if ((c->energy_mode == TWC_ENERGY_SURPLUS || c->energy_mode == TWC_ENERGY_MIN_SURPLUS) && !meter)
		return eb_error(err, errsz,
				"option plugin_opt_energy_mode: %s needs a grid meter (plugin_opt_energy_grid_topic "
				"or plugin_opt_energy_grid_venus)",
				c->energy_mode == TWC_ENERGY_SURPLUS ? "surplus" : "min_surplus");
	if (c->energy_mode == TWC_ENERGY_SCHEDULE && sched.count == 0)
		return eb_error(err, errsz, "option plugin_opt_energy_mode: schedule needs plugin_opt_energy_schedule");
	return 0;
}
