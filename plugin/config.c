#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

#define FIELD(f) offsetof(struct eb_config, f)

/* The plugin's own options: those of no job. */
static const struct eb_option plugin_options[] = {
	{"acl_guard", EB_OPTION_SWITCH, FIELD(acl_guard), 0, 0, "off", NULL},
	{"stats_topic", EB_OPTION_TOPIC, FIELD(stats_topic), 0, 0, "energy-bridge/stats", NULL},
	{"stats_interval", EB_OPTION_INTEGER, FIELD(stats_interval), 0, 86400, "60", NULL},
	{"spool_file", EB_OPTION_TEXT, FIELD(spool_file), 0, 0, "", NULL},
	{"spool_max_bytes", EB_OPTION_INTEGER, FIELD(spool_max_bytes), 4096, 268435456, "4194304", NULL},
};

/* Every table, with where its config struct sits in struct eb_config. */
struct option_table {
	const struct eb_option *rows;
	const size_t *count;
	size_t base;
};

static const size_t plugin_option_count = sizeof(plugin_options) / sizeof(plugin_options[0]);

static const struct option_table tables[] = {
	{plugin_options, &plugin_option_count, 0},
	{mppt_options, &mppt_option_count, FIELD(mppt)},
	{pms_options, &pms_option_count, FIELD(pms)},
	{inverter_options, &inverter_option_count, FIELD(inverter)},
	{venus_options, &venus_option_count, FIELD(venus)},
	{twc_options, &twc_option_count, FIELD(twc)},
	{ha_options, &ha_option_count, FIELD(ha)},
};

#define TABLE_COUNT (sizeof(tables) / sizeof(tables[0]))

/* The row named key, and the base of its config struct in c; NULL when no table has it. */
static const struct eb_option *find_option(struct eb_config *c, const char *key, void **base)
{
	for (size_t t = 0; t < TABLE_COUNT; t++)
		for (size_t i = 0; i < *tables[t].count; i++)
			if (strcmp(key, tables[t].rows[i].name) == 0) {
				*base = (char *)c + tables[t].base;
				return &tables[t].rows[i];
			}
	return NULL;
}

/* <request topic>/<leaf>, the topics a telemetry dataset derives from its request topic. */
static int derive(char **topic, const char *request_topic, const char *leaf, char *err, size_t errsz)
{
	free(*topic);
	if (asprintf(topic, "%s/%s", request_topic, leaf) < 0) {
		*topic = NULL;
		return eb_error(err, errsz, "out of memory");
	}
	return 0;
}

/* What single options cannot check on their own. */
static int check_combinations(struct eb_config *c, char *err, size_t errsz)
{
	const char *owned[] = {c->mppt.output_prefix, c->mppt.request_topic, c->pms.output_prefix,
			       c->pms.request_topic, c->inverter.output_prefix, c->inverter.request_topic,
			       c->venus.state_prefix, c->twc.prefix, c->stats_topic, c->ha.prefix};
	const char *owner[] = {"plugin_opt_mppt_output_prefix", "plugin_opt_mppt_request_topic",
			       "plugin_opt_pms_output_prefix", "plugin_opt_pms_request_topic",
			       "plugin_opt_inverter_output_prefix", "plugin_opt_inverter_request_topic",
			       "plugin_opt_venus_state_prefix", "plugin_opt_twc_prefix", "plugin_opt_stats_topic",
			       "plugin_opt_ha_prefix"};
	size_t n = sizeof(owned) / sizeof(owned[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (eb_topic_under(owned[i], owned[k]) || eb_topic_under(owned[k], owned[i]))
				return eb_error(err, errsz,
						"options %s and %s: expected topics that do not contain one another, "
						"got '%s' and '%s'",
						owner[i], owner[k], owned[i], owned[k]);
	const char *grid = c->twc.energy_grid_topic;
	for (size_t i = 0; i < n && grid[0] != '\0'; i++)
		if (eb_topic_under(grid, owned[i]))
			return eb_error(err, errsz,
					"option plugin_opt_energy_grid_topic: expected a topic outside the plugin's own "
					"(%s), got '%s'",
					owner[i], grid);
	c->twc.enabled = c->twc.port[0] != '\0';
	struct eb_telemetry_config *sets[] = {&c->mppt, &c->pms, &c->inverter};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (derive(&sets[i]->errors_topic, sets[i]->request_topic, "errors", err, errsz) != 0)
			return -1;
	/* Only pms has a CSV form (docs/sundaya.md). */
	return derive(&c->pms.csv_topic, c->pms.request_topic, "csv", err, errsz);
}

int eb_config_load(struct eb_config *c, const struct mosquitto_opt *opts, int count, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	for (size_t t = 0; t < TABLE_COUNT; t++)
		for (size_t i = 0; i < *tables[t].count; i++)
			if (eb_option_apply((char *)c + tables[t].base, &tables[t].rows[i],
					    tables[t].rows[i].default_value, err, errsz) != 0)
				return -1;

	for (int i = 0; i < count; i++) {
		void *base;
		const struct eb_option *o = find_option(c, opts[i].key, &base);
		if (!o)
			return eb_error(err, errsz, "unknown option plugin_opt_%s (the README lists the options)",
					opts[i].key);
		for (int k = 0; k < i; k++)
			if (strcmp(opts[k].key, opts[i].key) == 0)
				return eb_error(err, errsz, "option plugin_opt_%s: given more than once", o->name);
		if (eb_option_apply(base, o, opts[i].value ? opts[i].value : "", err, errsz) != 0)
			return -1;
	}
	/* Energy management runs on the TWC link: without it an energy option would do nothing. */
	for (int i = 0; i < count; i++)
		if (strncmp(opts[i].key, "energy_", 7) == 0 && c->twc.port[0] == '\0')
			return eb_error(err, errsz, "option plugin_opt_%s: needs plugin_opt_twc_port (energy management "
						    "shares the wall connectors' current)",
					opts[i].key);
	if (twc_energy_options_check(&c->twc, err, errsz) != 0)
		return -1;
	if (!c->venus.enabled && (c->twc.energy_grid_venus[0] != '\0' || c->twc.energy_battery[0] != '\0'))
		return eb_error(err, errsz, "option plugin_opt_%s: a Venus battery needs plugin_opt_venus on",
				c->twc.energy_battery[0] != '\0' ? "energy_battery" : "energy_grid_venus");
	/* "" picks the default (beside the broker's persistence file), "off" none, else an absolute path. */
	if (c->spool_file[0] != '\0' && strcmp(c->spool_file, "off") != 0 &&
	    c->spool_file[0] != '/')
		return eb_error(err, errsz,
				"option plugin_opt_spool_file: expected an absolute path, \"off\" or "
				"nothing, got '%s'",
				c->spool_file);
	return check_combinations(c, err, errsz);
}

void eb_config_free(struct eb_config *c)
{
	for (size_t t = 0; t < TABLE_COUNT; t++)
		for (size_t i = 0; i < *tables[t].count; i++)
			eb_option_free((char *)c + tables[t].base, &tables[t].rows[i]);
	struct eb_telemetry_config *sets[] = {&c->mppt, &c->pms, &c->inverter};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		free(sets[i]->errors_topic);
		free(sets[i]->csv_topic);
		sets[i]->errors_topic = sets[i]->csv_topic = NULL;
	}
}
