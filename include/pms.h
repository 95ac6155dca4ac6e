/*
 * pms: Sundaya battery pack telemetry (the pack management system) in, one
 * `monitoring.pms` message per pack sample out (docs/sundaya.md).
 *
 * Each sample is one pack: its 14 cell blocks, 3 temperatures, 2 FETs and
 * current; the message adds the pack's volts and watts, its lowest and
 * highest cell and each cell's millivolts above the lowest. The request
 * comes as JSON or as CSV (one pack sample per row); both give the same
 * messages, all or nothing, with the batch, limits and rounding of every
 * Sundaya translator (telemetry.h).
 */
#ifndef PMS_H
#define PMS_H

#include "telemetry.h"

#define PMS_CELLS 14
#define PMS_PACK_TEMPS 3
#define PMS_FETS 2
#define PMS_DOCK_MAX 48		/* busbar docks of one PMS: 12 per cabinet */
#define PMS_CSV_COLUMNS_MAX 256	/* a longer CSV header is refused */

/* A telemetry_translate_fn: the JSON request of docs/sundaya.md. */
bool pms_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		   struct timespec now, const struct telemetry_limits *limits);

/* A telemetry_translate_fn: the CSV request (limits->max_items counts rows). */
bool pms_translate_csv(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		       struct timespec now, const struct telemetry_limits *limits);

#endif
