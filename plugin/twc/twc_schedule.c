#include "twc_schedule.h"

#include <stdio.h>
#include <string.h>

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* Exactly `digits` decimal digits at *p, moved past them. */
static bool take_digits(const char **p, const char *end, size_t digits, int *value)
{
	int v = 0;
	for (size_t i = 0; i < digits; i++) {
		if (*p + i >= end || (*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*value = v;
	return true;
}

static bool take_time(const char **p, const char *end, int *minutes)
{
	int h, m;
	if (!take_digits(p, end, 2, &h) || *p >= end || **p != ':')
		return false;
	(*p)++;
	if (!take_digits(p, end, 2, &m) || h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
}

static int day_index(const char *p, size_t len)
{
	for (int d = 0; d < 7; d++)
		if (len == 3 && strncmp(p, day_names[d], 3) == 0)
			return d;
	return -1;
}

/* "mon-fri,sun": a bit per day; 0 when malformed. */
static unsigned parse_days(const char *p, const char *end)
{
	unsigned days = 0;
	while (p < end) {
		const char *item_end = memchr(p, ',', (size_t)(end - p));
		if (!item_end)
			item_end = end;
		const char *dash = memchr(p, '-', (size_t)(item_end - p));
		int from = day_index(p, (size_t)((dash ? dash : item_end) - p));
		int to = dash ? day_index(dash + 1, (size_t)(item_end - dash - 1)) : from;
		if (from < 0 || to < 0)
			return 0;
		for (int d = from;; d = (d + 1) % 7) {
			days |= 1u << d;
			if (d == to)
				break;
		}
		p = item_end + (item_end < end);
		if (item_end < end && p == end)
			return 0; /* a trailing comma */
	}
	return days;
}

static int parse_window(const char *p, const char *end, struct twc_schedule_window *w, char *why, size_t whysz)
{
	bool ok = take_time(&p, end, &w->start_min) && p < end && *p == '-';
	if (ok) {
		p++;
		ok = take_time(&p, end, &w->end_min);
	}
	if (!ok) {
		snprintf(why, whysz, "expected HH:MM-HH:MM with hours 00-23 and minutes 00-59");
		return -1;
	}
	if (w->start_min == w->end_min) {
		snprintf(why, whysz, "a window needs an end different from its start");
		return -1;
	}
	w->amps = -1;
	w->days = 0x7F;
	if (p < end && *p == '@') {
		p++;
		int amps = 0;
		size_t n = 0;
		while (p < end && *p >= '0' && *p <= '9' && n < 5) {
			amps = amps * 10 + (*p++ - '0');
			n++;
		}
		if (n == 0 || n > 4 || amps > 1000 || (p < end && *p != '/')) {
			snprintf(why, whysz, "expected @amps, a whole number from 0 to 1000");
			return -1;
		}
		w->amps = amps;
	}
	if (p < end && *p == '/') {
		w->days = parse_days(p + 1, end);
		if (w->days == 0) {
			snprintf(why, whysz, "expected days like mon-fri or sat,sun (sun mon tue wed thu fri sat)");
			return -1;
		}
		p = end;
	}
	if (p != end) {
		snprintf(why, whysz, "unexpected text after the window");
		return -1;
	}
	return 0;
}

int twc_schedule_parse(const char *text, struct twc_schedule *sched, char *err, size_t errsz)
{
	memset(sched, 0, sizeof(*sched));
	const char *p = text;
	while (*p) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == 0)
			break;
		char why[128];
		if (sched->count == TWC_SCHEDULE_MAX) {
			snprintf(err, errsz, "at most %d windows", TWC_SCHEDULE_MAX);
			sched->count = 0;
			return -1;
		}
		if (parse_window(p, p + len, &sched->window[sched->count], why, sizeof(why)) != 0) {
			snprintf(err, errsz, "window '%.*s': %s", len > 40 ? 40 : (int)len, p, why);
			sched->count = 0;
			return -1;
		}
		sched->count++;
		p += len;
	}
	return 0;
}

bool twc_schedule_match(const struct twc_schedule *sched, int weekday, int minute, int *amps)
{
	if (weekday < 0 || weekday > 6 || minute < 0 || minute > 1439)
		return false;
	int yesterday = (weekday + 6) % 7;
	for (size_t i = 0; i < sched->count; i++) {
		const struct twc_schedule_window *w = &sched->window[i];
		bool in;
		if (w->start_min < w->end_min)
			in = (w->days & (1u << weekday)) && minute >= w->start_min && minute < w->end_min;
		else
			in = ((w->days & (1u << weekday)) && minute >= w->start_min) ||
			     ((w->days & (1u << yesterday)) && minute < w->end_min);
		if (in) {
			if (amps)
				*amps = w->amps;
			return true;
		}
	}
	return false;
}
