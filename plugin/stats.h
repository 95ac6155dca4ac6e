/*
 * stats: the plugin's counters, published retained as one JSON document on
 * plugin_opt_stats_topic every plugin_opt_stats_interval seconds, so that an
 * operator sees what each job did and refused without reading the log.
 */
#ifndef STATS_H
#define STATS_H

#include <stdint.h>

struct eb_plugin;

/* Publishes when the interval has passed (broker thread, TICK). */
void eb_stats_on_tick(struct eb_plugin *p, int64_t now_ms);

#endif
