/* sim: the whole simulated bus: up to three slaves behind one TCP connection. */
#ifndef TWC_SIM_SIM_H
#define TWC_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "bus.h"
#include "slave.h"
#include "twc_frame.h"

#define SIM_MAX_SLAVES 3 /* the hardware limit of one master */

struct sim {
	struct slave slaves[SIM_MAX_SLAVES];
	size_t slave_count;
	struct bus bus;
	struct twc_frame_rx rx; /* frames from the master */
	unsigned energy_scale;
	bool quit;
};

#endif
