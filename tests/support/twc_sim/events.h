/*
 * events: the simulator's stdout, which tests read line by line. Every line
 * is flushed at once, so a test never waits on a buffer; timestamps are
 * eb_now_us() (util.h, CLOCK_MONOTONIC), the simulator's only clock, so that a
 * test on the same machine compares them with its own.
 */
#ifndef TWC_SIM_EVENTS_H
#define TWC_SIM_EVENTS_H

#include "util.h"

/* Prints one line (the newline is added) and flushes it. */
void sim_say(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
