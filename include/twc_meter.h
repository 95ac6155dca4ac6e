/*
 * twc_meter: a grid meter's MQTT payload read as watts, without trusting it.
 *
 * Without a field, the payload is a plain number: an optional '-', 1 to 9
 * digits, an optional fraction of 1 to 6 digits, and nothing else (a
 * trailing CR or LF is allowed). With a field ("total_act_power",
 * "ENERGY.Power", "emeters.0.power"), the payload is JSON (at most
 * TWC_METER_PAYLOAD_MAX bytes) and the field a dotted path of object keys
 * and array indexes leading to a JSON number. The result is rounded to
 * whole watts and turned import-positive when the meter counts export as
 * positive. Anything else is refused with a precise reason; nothing crashes.
 */
#ifndef TWC_METER_H
#define TWC_METER_H

#include <stdbool.h>
#include <stddef.h>

#define TWC_METER_PAYLOAD_MAX 65536
/* A house connection is far below this; a larger number is a broken meter. */
#define TWC_METER_WATTS_MAX 10000000L

/* 0 with *watts set, or -1 with the reason in err. field: NULL or "" for a plain number. */
int twc_meter_parse(const void *payload, size_t len, const char *field, bool import_positive, long *watts, char *err,
		    size_t errsz);

#endif
