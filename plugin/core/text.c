#include "eb_text.h"

#include <stdio.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int eb_hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum eb_int_status eb_parse_int(const char *s, size_t n, const struct eb_int_rule *rule, long long *value)
{
	bool negative = n > 0 && s[0] == '-';
	size_t first = negative ? 1 : 0;
	if (first == n)
		return EB_INT_NOT_A_NUMBER;
	/* One pass reads and checks (every reply's numbers come here); a number too long wraps, refused below. */
	unsigned long long u = 0;
	for (size_t i = first; i < n; i++) {
		if (!is_digit(s[i]))
			return EB_INT_NOT_A_NUMBER;
		u = u * 10 + (unsigned)(s[i] - '0');
	}
	size_t digits = n - first;
	if (rule->refuse_leading_zeros && digits > 1 && s[first] == '0')
		return EB_INT_NOT_A_NUMBER;
	unsigned max_digits = rule->max_digits;
	if (max_digits == 0 || max_digits > EB_INT_DIGITS_MAX)
		max_digits = EB_INT_DIGITS_MAX;
	if (digits > max_digits)
		return EB_INT_TOO_LONG;
	if (negative && rule->min >= 0)
		return EB_INT_OUT_OF_RANGE;
	long long v = (long long)u; /* at most 18 digits: exact */
	if (negative)
		v = -v;
	if (v < rule->min || v > rule->max)
		return EB_INT_OUT_OF_RANGE;
	*value = v;
	return EB_INT_OK;
}

int eb_verror(char *err, size_t errsz, const char *fmt, va_list ap)
{
	if (err && errsz > 0)
		vsnprintf(err, errsz, fmt, ap);
	return -1;
}

int eb_error(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	eb_verror(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}
