/*
 * civil_time: proleptic Gregorian dates <-> days since 1970-01-01, in UTC.
 *
 * The plugin formats and converts timestamps without the C library's time
 * zone machinery (global state, the TZ variable, the broker's locale): all
 * it needs is this arithmetic (H. Hinnant's algorithms), valid for any year.
 */
#ifndef CIVIL_TIME_H
#define CIVIL_TIME_H

#include <stdint.h>

int64_t civil_days_from_date(int64_t year, int month, int day);
void civil_date_from_days(int64_t days, int64_t *year, int *month, int *day);

#endif
