/* twc_options: the TWC job's plugin_opt_twc_* options (README, "Configuration"). */
#ifndef TWC_OPTIONS_H
#define TWC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct eb_twc_config {
	bool enabled;		/* derived: a port is set */
	char *port;		/* a serial device or tcp://host:port; "" when TWC is off */
	long monitor;		/* 0: master, 1: monitor (index into "master monitor") */
	long master_id;
	long max_amps_for_slaves;
	long min_amps_per_twc;
	long wiring_max_amps_per_twc;
	long wiring_max_amps_all;	/* 0: the pool */
	char *prefix;
	long qos;
	long refresh;
	/* Energy management (docs/energy.md); checked as a whole by twc_energy_options_check. */
	long energy_mode;		/* index into TWC_ENERGY_MODES */
	char *energy_grid_topic;	/* "": none */
	char *energy_grid_field;	/* "": a plain number */
	bool energy_grid_import_positive;
	char *energy_grid_venus;	/* "<type>/<id>" or "" */
	long energy_margin_w;
	long energy_phases;
	long energy_voltage;
	long energy_start_s;
	long energy_stop_s;
	long energy_meter_timeout_s;
	char *energy_battery;		/* "<type>/<id>" or "" */
	long energy_battery_priority_soc;
	long energy_battery_buffer_soc;
	char *energy_schedule;
};

extern const struct eb_option twc_options[];
/*
 * What single energy options cannot check: phases 1 or 3, a JSON field
 * without a topic, surplus without a meter, the schedule's windows, the
 * battery names. 0, or -1 with err naming the option.
 */
int twc_energy_options_check(const struct eb_twc_config *c, char *err, size_t errsz);
extern const size_t twc_option_count;

#endif
