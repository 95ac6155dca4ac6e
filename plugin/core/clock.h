/*
 * clock: the glue's two clocks. The pure cores never read a clock: the glue
 * reads one here and passes the time in as an argument.
 */
#ifndef EB_CLOCK_H
#define EB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds of CLOCK_MONOTONIC: for intervals and deadlines. */
int64_t eb_monotonic_ms(void);
/* CLOCK_REALTIME: for timestamps in what the plugin publishes. */
struct timespec eb_wall_clock(void);

#endif
