/*
 * mppt: MPPT telemetry requests in, one `monitoring.mppt` message per data
 * item out (docs/mppt.md).
 *
 * A request is all or nothing: mppt_translate() validates it whole and either
 * returns every translated message or none, with one precise reason and the
 * JSON path where the request went wrong. The batch, the limits and the
 * rounding are those of every Sundaya translator (telemetry.h).
 */
#ifndef MPPT_H
#define MPPT_H

#include "telemetry.h"

/* A telemetry_translate_fn: the JSON request of docs/mppt.md. */
bool mppt_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		    struct timespec now, const struct telemetry_limits *limits);

#endif
