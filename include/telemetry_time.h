/*
 * telemetry_time: the sample timestamps of the Sundaya telemetry requests
 * (mppt, pms, inverter: docs/mppt.md, docs/sundaya.md).
 *
 * Parses `time_local` in the forms the field sends: compact
 * `YYYYMMDDThhmmss[.f…]` or RFC 3339 `YYYY-MM-DDThh:mm:ss[.f…]`, followed by
 * `±hhmm`, `±hh:mm`, `Z` or nothing (UTC). Impossible calendar values are
 * refused rather than normalised, because a normalised 30 February would file
 * a sample under the wrong day without anyone noticing.
 *
 * Formats instants in the warehouse's canonical `YYYY-MM-DD HH:mm:ss.SSSS`
 * (UTC, 4 fraction digits, truncated). No time zone database and no global C
 * library state are involved: the offset is in the text.
 */
#ifndef TELEMETRY_TIME_H
#define TELEMETRY_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct telemetry_time {
	int64_t utc_seconds;	/* seconds since 1970-01-01T00:00:00Z */
	int fraction_e4;	/* ten-thousandths of a second, truncated: 0..9999 */
	int offset_minutes;	/* local time minus UTC */
};

/* Returns NULL on success, or a static text saying what is wrong. */
const char *telemetry_time_parse(const char *text, struct telemetry_time *out);

/* "YYYY-MM-DD HH:mm:ss.SSSS" in UTC; buf holds at least 32 bytes. Returns the length. */
size_t telemetry_time_format_utc(int64_t utc_seconds, int fraction_e4, char *buf);

/* "+HH:MM" / "-HH:MM"; zero gives "+00:00". buf holds at least 8 bytes. */
size_t telemetry_time_format_offset(int offset_minutes, char *buf);

#endif
