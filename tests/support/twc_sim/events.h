/*
 * events: the simulator's stdout, which tests read line by line. Every line
 * is flushed at once, so a test never waits on a buffer; timestamps come from
 * CLOCK_MONOTONIC so that a test on the same machine can compare them with
 * its own clock.
 */
#ifndef TWC_SIM_EVENTS_H
#define TWC_SIM_EVENTS_H

#include <stdint.h>

/* Microseconds of CLOCK_MONOTONIC: the simulator's only clock. */
int64_t sim_now_us(void);

/* Prints one line (the newline is added) and flushes it. */
void sim_say(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
