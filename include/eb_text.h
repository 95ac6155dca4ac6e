/*
 * eb_text: the small text tools every module shares. Pure: no broker, no
 * thread, no clock, no allocation.
 *
 * One integer parser. eb_parse_int reads s[0..n) (not NUL-terminated) as a
 * decimal integer and promises:
 *   - decimal digits only, at least one and at most rule->max_digits of
 *     them (leading zeros count; 0 or more than EB_INT_DIGITS_MAX means
 *     EB_INT_DIGITS_MAX, so that every accepted value fits a long long);
 *   - an optional leading '-', which is a number only when rule->min < 0:
 *     with min >= 0 any '-' is out of range, "-0" included;
 *   - nothing else: no '+', no spaces, no point, nothing before or after;
 *   - leading zeros are accepted ("007" is 7) unless
 *     rule->refuse_leading_zeros, which refuses "00", "07" and "-07" as
 *     not a number ("0" stays a number);
 *   - the value lies within [rule->min, rule->max].
 * The statuses, judged in this order:
 *   EB_INT_NOT_A_NUMBER  empty, '-' alone, or any byte but a digit after
 *                        the optional '-' (or a leading zero refused);
 *   EB_INT_TOO_LONG      digits only, but more than max_digits of them;
 *   EB_INT_OUT_OF_RANGE  a number, but below min or above max, or negative
 *                        where min >= 0;
 *   EB_INT_OK            *value is set; it is left alone otherwise.
 *
 * eb_hex_digit: the value of one hexadecimal digit, either case, or -1
 * for any other byte.
 *
 * One way to format an error into a caller's buffer: eb_error is snprintf
 * that returns -1, so that a refusal reads
 * `return eb_error(err, errsz, "...", ...);`. The text is always
 * terminated and cut to fit; err may be NULL when errsz is 0.
 */
#ifndef EB_TEXT_H
#define EB_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* 18 digits: the most that always fit a long long. */
#define EB_INT_DIGITS_MAX 18

enum eb_int_status {
	EB_INT_OK,
	EB_INT_NOT_A_NUMBER,
	EB_INT_TOO_LONG,
	EB_INT_OUT_OF_RANGE,
};

struct eb_int_rule {
	long long min, max;		/* inclusive bounds */
	unsigned max_digits;		/* 1..EB_INT_DIGITS_MAX; 0: EB_INT_DIGITS_MAX */
	bool refuse_leading_zeros;	/* false: "007" is 7 */
};

enum eb_int_status eb_parse_int(const char *s, size_t n, const struct eb_int_rule *rule, long long *value);

int eb_hex_digit(char c);

int eb_error(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int eb_verror(char *err, size_t errsz, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
