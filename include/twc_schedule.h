/*
 * twc_schedule: the charging windows of plugin_opt_energy_schedule, parsed
 * once and asked "are we inside a window now?".
 *
 * Text: windows separated by spaces, each `HH:MM-HH:MM[@amps][/days]`;
 * days are a comma-separated list of day names or ranges (`mon-fri`,
 * `sat,sun`, `fri-mon` wraps round the week); without days, every day. A
 * window whose end is before its start crosses midnight: it belongs to the
 * day it starts on, so `22:00-06:00/fri` covers Friday 22:00 to Saturday
 * 06:00. Times are the broker's local time, passed in by the caller.
 *
 * The parser refuses, with a precise reason, anything else: hours above 23,
 * minutes above 59, a window of no length, amps outside 0-1000, an unknown
 * day, more than TWC_SCHEDULE_MAX windows. Pure: no clock, no allocation.
 */
#ifndef TWC_SCHEDULE_H
#define TWC_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#define TWC_SCHEDULE_MAX 16

struct twc_schedule_window {
	int start_min;		/* minutes after midnight, 0-1439 */
	int end_min;		/* end < start: crosses midnight */
	int amps;		/* -1: the pool */
	unsigned days;		/* bit d: day d (0 = Sunday) on which the window starts */
};

struct twc_schedule {
	size_t count;
	struct twc_schedule_window window[TWC_SCHEDULE_MAX];
};

/* Returns 0, or -1 with the reason in err (sched then holds no window). "" is no window. */
int twc_schedule_parse(const char *text, struct twc_schedule *sched, char *err, size_t errsz);

/*
 * Whether (weekday 0-6, Sunday 0; minute 0-1439 of the day) is inside a
 * window; *amps gets the first matching window's amps (-1: the pool).
 */
bool twc_schedule_match(const struct twc_schedule *sched, int weekday, int minute, int *amps);

#endif
