/*
 * fuzz_telemetry: the invariants every telemetry translator keeps (mppt,
 * pms, inverter), checked once for fuzz_mppt and fuzz_sundaya. A violation
 * traps, so libFuzzer reports it as a crash.
 */
#ifndef FUZZ_TELEMETRY_H
#define FUZZ_TELEMETRY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "telemetry.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* A topic level that cannot reach another topic: 1 to TELEMETRY_ID_MAX bytes of UTF-8, no / + # or controls. */
void fuzz_check_topic_level(const char *id);

/*
 * What a translation that returned ok left in b: terminated error and path;
 * on failure no messages and a non-empty error, on success no error and at
 * most limits->max_items messages. Returns ok.
 */
bool fuzz_check_outcome(const struct telemetry_batch *b, bool ok, const struct telemetry_limits *limits);

/*
 * Message i of b, which must be non-empty, within the batch's text, valid
 * UTF-8 and exactly one JSON object: that object (the caller deletes it).
 */
cJSON *fuzz_read_message(const struct telemetry_batch *b, size_t i);

#endif
