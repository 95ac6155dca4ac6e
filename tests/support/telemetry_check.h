/*
 * telemetry_check: what the unit tests of the telemetry translators (mppt,
 * pms, inverter) read back from a batch, written once. The checks fail the
 * test on any surprise.
 */
#ifndef TELEMETRY_CHECK_H
#define TELEMETRY_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "telemetry.h"

/*
 * The JSON of message i of b as a NUL-terminated string of at most
 * EB_BATCH_MESSAGE_MAX bytes with its NUL (a static buffer, the next call
 * overwrites it); a copy of it needs that much room.
 */
#define EB_BATCH_MESSAGE_MAX 8192
const char *eb_batch_message(const struct telemetry_batch *b, size_t i);

/*
 * ok is what translating request into b returned: a refusal with exactly
 * error at path, and nothing in the batch; the failure names what came instead.
 */
void eb_expect_refusal(const struct telemetry_batch *b, bool ok, const char *request, const char *error,
		       const char *path);

#endif
