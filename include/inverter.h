/*
 * inverter: Sundaya inverter telemetry requests in, one
 * `monitoring.inverter` message per sample out (docs/sundaya.md).
 *
 * The MPPT sample shape (PV strings, battery, AC loads) plus the grid side,
 * one entry per phase with its power factor. All or nothing, with the batch,
 * limits and rounding of every Sundaya translator (telemetry.h).
 */
#ifndef INVERTER_H
#define INVERTER_H

#include "telemetry.h"

/* The largest grid: three phases. */
#define INVERTER_PHASES_MAX 3

/* A telemetry_translate_fn: the JSON request of docs/sundaya.md. */
bool inverter_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
			struct timespec now, const struct telemetry_limits *limits);

#endif
