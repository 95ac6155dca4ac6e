#include "telemetry_time.h"

#include <string.h>

#include "civil_time.h"

/* Years that both ends of the conversion may hold: four digits, after year 0. */
#define YEAR_MIN 1
#define YEAR_MAX 9999

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits at *p; advances *p. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Consumes sep when the text is in the extended form. */
static bool read_separator(const char **p, bool extended, char sep)
{
	if (!extended)
		return true;
	if (**p != sep)
		return false;
	(*p)++;
	return true;
}

static const char *parse_offset(const char *p, int *offset_minutes)
{
	*offset_minutes = 0;
	if (*p == '\0')
		return NULL;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return NULL;
	if (*p != '+' && *p != '-')
		return "unexpected text after the time";
	int sign = *p == '-' ? -1 : 1;
	p++;
	int hh, mm;
	if (!read_digits(&p, 2, &hh))
		return "malformed UTC offset";
	if (*p == ':')
		p++;
	if (!read_digits(&p, 2, &mm) || *p != '\0')
		return "malformed UTC offset";
	if (hh > 23 || mm > 59)
		return "UTC offset out of range";
	*offset_minutes = sign * (hh * 60 + mm);
	return NULL;
}

const char *telemetry_time_parse(const char *text, struct telemetry_time *out)
{
	const char *p = text;
	int year, month, day, hour, minute, second;

	if (!read_digits(&p, 4, &year))
		return "expected a date YYYYMMDD or YYYY-MM-DD";
	bool extended = *p == '-';
	if (!read_separator(&p, extended, '-') || !read_digits(&p, 2, &month) ||
	    !read_separator(&p, extended, '-') || !read_digits(&p, 2, &day))
		return "expected a date YYYYMMDD or YYYY-MM-DD";
	if (*p != 'T' && *p != 't')
		return "expected T between date and time";
	p++;
	if (!read_digits(&p, 2, &hour) || !read_separator(&p, extended, ':') ||
	    !read_digits(&p, 2, &minute) || !read_separator(&p, extended, ':') ||
	    !read_digits(&p, 2, &second))
		return extended ? "expected a time hh:mm:ss" : "expected a time hhmmss";

	int fraction = 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return "expected digits after the decimal point";
		/* Any number of digits; the first four count, the rest are truncated. */
		int digits = 0;
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 4)
				fraction = fraction * 10 + (*p - '0');
		for (; digits < 4; digits++)
			fraction *= 10;
	}
	const char *err = parse_offset(p, &out->offset_minutes);
	if (err)
		return err;

	if (year < YEAR_MIN || month < 1 || month > 12)
		return "impossible date";
	if (day < 1 || day > days_in_month(year, month))
		return "impossible date";
	if (hour > 23 || minute > 59 || second > 59)
		return "impossible time of day";

	int64_t local = civil_days_from_date(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	out->utc_seconds = local - (int64_t)out->offset_minutes * 60;
	int64_t y;
	int m, d;
	civil_date_from_days(out->utc_seconds / 86400 - (out->utc_seconds % 86400 < 0), &y, &m, &d);
	if (y < YEAR_MIN || y > YEAR_MAX)
		return "time out of range once converted to UTC";
	out->fraction_e4 = fraction;
	return NULL;
}

/* Writes v as exactly n digits, zero-padded (v < 10^n). */
static char *put_digits(char *p, int64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/*
 * By hand rather than with snprintf: every translated message carries two of
 * these, and snprintf cost more than the rest of a sample's formatting.
 */
size_t telemetry_time_format_utc(int64_t utc_seconds, int fraction_e4, char *buf)
{
	int64_t days = utc_seconds / 86400;
	int64_t secs = utc_seconds % 86400;
	if (secs < 0) {
		secs += 86400;
		days -= 1;
	}
	int64_t y;
	int m, d;
	civil_date_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) /* outside what parsing accepts: the clock or a caller gone wrong */
		y = y < 0 ? 0 : 9999;
	char *p = put_digits(buf, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = ' ';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	*p++ = '.';
	p = put_digits(p, fraction_e4 < 0 || fraction_e4 > 9999 ? 0 : fraction_e4, 4);
	*p = '\0';
	return (size_t)(p - buf);
}

size_t telemetry_time_format_offset(int offset_minutes, char *buf)
{
	int abs_minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
	char *p = buf;
	*p++ = offset_minutes < 0 ? '-' : '+';
	p = put_digits(p, abs_minutes / 60 % 100, 2);
	*p++ = ':';
	p = put_digits(p, abs_minutes % 60, 2);
	*p = '\0';
	return (size_t)(p - buf);
}
