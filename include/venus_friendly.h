/*
 * venus_friendly: the readable commands of docs/venus.md, turned into
 * the vendor's command text.
 *
 * <state prefix>/<type>/<id>/set/<name> with a plain value becomes one
 * cd=... command. This module only writes the command; it does not decide
 * whether the command is acceptable. The caller passes the result through
 * venus_command_parse like any client's command, so ranges are checked in
 * one place: an out-of-range number here still produces a command, which the
 * parser then refuses with its usual message (max_charging_power 5000 gives
 * "cd=16,cp=5000", refused as "cp must be within 300..2500"). What is
 * refused here is only what cannot be written as a command at all: an
 * unknown name, a word that is not one of the choices, a number that is not
 * a whole number, a value that could smuggle in extra pairs.
 *
 * Names and values:
 *   working_mode         automatic | manual | trading   -> cd=2,md=0|1|2
 *   max_charging_power   watts                          -> cd=16,cp=N
 *   max_discharge_power  watts                          -> cd=15,vs=N
 *   backup               on | off (also true/false, 1/0) -> cd=11,bc=1|0
 *   time_period/<n>      JSON object, n 0..9            -> cd=3,md=1,nm=n,bt=..,et=..,wk=..,vv=..,as=..
 *   sync_time            ignored                        -> cd=4,yy=..,mm=..,rr=..,hh=..,mn=..
 *   refresh              ignored                        -> cd=1
 *
 * Plain values may be surrounded by white space; words are matched without
 * regard to case (home automation sends "ON"); watts may be written "800" or
 * "800.0" (number entities send floats), never "800.5".
 *
 * time_period takes the object that `state` shows in time_periods:
 *   {"start":"14:00","end":"17:00","weekdays":127,"power_w":800,"enabled":true}
 * start, end and power_w are required; weekdays defaults to 127 (every day)
 * and enabled to true. Unknown or repeated members are refused, so that a
 * typo ("power" for "power_w") is not silently ignored.
 *
 * sync_time: the vendor example "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56" is
 * 2023-02-02 23:56, so yy is struct tm's tm_year (years since 1900) and mm
 * is tm_mon (0 = January), both written as they are; rr is tm_mday, hh
 * tm_hour, mn tm_min. The caller passes the broker's local time.
 *
 * Pure apart from cJSON's own allocations while reading time_period.
 */
#ifndef VENUS_FRIENDLY_H
#define VENUS_FRIENDLY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "venus_command.h"

/* A time_period value longer than this is refused before it is parsed. */
#define VENUS_FRIENDLY_VALUE_MAX 1024

struct venus_friendly {
	char command[VENUS_COMMAND_MAX + 1]; /* the vendor command, "" on refusal */
	char error[VENUS_ERROR_MAX];         /* why not, "" on success */
};

/*
 * name is the topic's text after "set/" (e.g. "working_mode",
 * "time_period/3"); value[0..value_len) is the payload, not NUL-terminated.
 * local_now is needed only by sync_time. Returns true with out->command set,
 * or false with out->error set.
 */
bool venus_friendly_command(const char *name, const void *value, size_t value_len,
			    const struct tm *local_now, struct venus_friendly *out);

#endif
