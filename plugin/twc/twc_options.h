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
};

extern const struct eb_option twc_options[];
extern const size_t twc_option_count;

#endif
