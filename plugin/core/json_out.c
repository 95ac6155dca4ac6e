#include "json_out.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void json_out_init(struct json_out *o)
{
	memset(o, 0, sizeof(*o));
}

void json_out_free(struct json_out *o)
{
	free(o->buf);
	json_out_init(o);
}

void json_out_reset(struct json_out *o)
{
	o->len = 0;
	o->doc_start = 0;
	o->failed = false;
}

void json_out_shrink(struct json_out *o, size_t keep)
{
	if (o->cap > keep)
		json_out_free(o);
	else
		json_out_reset(o);
}

size_t json_out_begin_document(struct json_out *o)
{
	o->doc_start = o->len;
	return o->len;
}

bool json_out_failed(const struct json_out *o)
{
	return o->failed;
}

/* Keeps the text NUL-terminated so callers may log it directly. */
static bool reserve(struct json_out *o, size_t extra)
{
	if (o->failed)
		return false;
	if (o->len + extra + 1 <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 256;
	while (cap < o->len + extra + 1)
		cap *= 2;
	char *buf = realloc(o->buf, cap);
	if (!buf) {
		/* No capacity left: every later append takes the slow path and stops here. */
		o->failed = true;
		o->cap = 0;
		return false;
	}
	o->buf = buf;
	o->cap = cap;
	return true;
}

static inline void append(struct json_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap && !reserve(o, n))
		return;
	if (n > 0)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static inline void append_char(struct json_out *o, char c)
{
	if (o->len + 2 > o->cap && !reserve(o, 1))
		return;
	o->buf[o->len++] = c;
	o->buf[o->len] = '\0';
}

/* A value or key that follows a finished value in the same container needs a comma. */
static inline bool needs_comma(const struct json_out *o)
{
	if (o->len == o->doc_start)
		return false;
	char last = o->buf[o->len - 1];
	return last != '{' && last != '[' && last != ':';
}

static void separate(struct json_out *o)
{
	if (needs_comma(o))
		append_char(o, ',');
}

/* Bytes a JSON string holds as they are; escape() rewrites the others. */
static inline bool is_verbatim(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

/* Whether s[0..n) goes into a JSON string as it is; ascii_only also asks for no byte above 0x7f. */
static bool all_verbatim(const char *s, size_t n, bool ascii_only)
{
	unsigned char high = ascii_only ? 0x80 : 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_verbatim(c) || (c & high))
			return false;
	}
	return true;
}

/*
 * Appends "s" (or "s": for a key), s needing no escape, with the separating
 * comma when one is due: one reservation and one copy, the path of almost
 * every key and string.
 */
static void append_quoted(struct json_out *o, const char *s, size_t n, bool key)
{
	if (o->len + n + 5 > o->cap && !reserve(o, n + 4))
		return;
	char *p = o->buf + o->len;
	if (needs_comma(o))
		*p++ = ',';
	*p++ = '"';
	if (n > 0) /* an empty payload arrives as NULL: memcpy must not see it */
		memcpy(p, s, n);
	p += n;
	*p++ = '"';
	if (key)
		*p++ = ':';
	*p = '\0';
	o->len = (size_t)(p - o->buf);
}

void json_out_begin_object(struct json_out *o)
{
	separate(o);
	append_char(o, '{');
}

void json_out_end_object(struct json_out *o)
{
	append_char(o, '}');
}

void json_out_begin_array(struct json_out *o)
{
	separate(o);
	append_char(o, '[');
}

void json_out_end_array(struct json_out *o)
{
	append_char(o, ']');
}

void json_out_key(struct json_out *o, const char *key)
{
	json_out_key_n(o, key, strlen(key));
}

void json_out_key_n(struct json_out *o, const char *key, size_t n)
{
	if (all_verbatim(key, n, false)) {
		append_quoted(o, key, n, true);
		return;
	}
	json_out_string_n(o, key, n);
	append_char(o, ':');
}

void json_out_plain_key(struct json_out *o, const char *key, size_t n)
{
	append_quoted(o, key, n, true);
}

void json_out_string(struct json_out *o, const char *s)
{
	json_out_string_n(o, s, strlen(s));
}

/* Appends s[0..n) escaped for a JSON string, without the quotes. */
static void escape(struct json_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0; /* bytes copied verbatim in one append */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		append(o, s + run, i - run);
		run = i + 1;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		switch (c) {
		case '"': append(o, "\\\"", 2); break;
		case '\\': append(o, "\\\\", 2); break;
		case '\n': append(o, "\\n", 2); break;
		case '\r': append(o, "\\r", 2); break;
		case '\t': append(o, "\\t", 2); break;
		default: append(o, esc, 6); break;
		}
	}
	append(o, s + run, n - run);
}

void json_out_string_n(struct json_out *o, const char *s, size_t n)
{
	if (all_verbatim(s, n, false)) {
		append_quoted(o, s, n, false);
		return;
	}
	separate(o);
	append_char(o, '"');
	escape(o, s, n);
	append_char(o, '"');
}

void json_out_text(struct json_out *o, const char *s, size_t n)
{
	if (all_verbatim(s, n, true)) { /* ASCII without quotes or control bytes: valid UTF-8 as it is */
		append_quoted(o, s, n, false);
		return;
	}
	separate(o);
	append_char(o, '"');
	size_t i = 0;
	while (i < n) {
		size_t good = utf8_invalid_at(s + i, n - i);
		escape(o, s + i, good);
		i += good;
		if (i < n) {
			append(o, "\xef\xbf\xbd", 3); /* U+FFFD for the byte that is not UTF-8 */
			i++;
		}
	}
	append_char(o, '"');
}

void json_out_text_prefix(struct json_out *o, const char *key, const char *s, size_t n, size_t max)
{
	size_t keep = n < max ? n : max;
	/* A cut inside a UTF-8 sequence would show as U+FFFD: cut before its lead byte (at most 3 back). */
	if (keep < n)
		for (size_t back = 0; back < 3 && keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80; back++)
			keep--;
	json_out_key(o, key);
	json_out_text(o, s, keep);
	if (keep == n)
		return;
	char length_key[64];
	snprintf(length_key, sizeof(length_key), "%.48s_bytes", key);
	json_out_key(o, length_key);
	json_out_int(o, (long long)n);
}

/* Writes m / 10^decimals in fixed notation without trailing zeros: (551000, 4) -> "55.1". */
static size_t format_decimals(long long m, int decimals, char *buf)
{
	unsigned long long u = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
	/* The trailing zeros of the decimals are not written: drop them before writing any digit. */
	while (decimals > 0 && u % 10 == 0) {
		u /= 10;
		decimals--;
	}
	char text[32]; /* written from its end: the lowest digit first */
	size_t at = sizeof(text);
	for (int i = 0; i < decimals; i++) {
		text[--at] = (char)('0' + u % 10);
		u /= 10;
	}
	if (decimals > 0)
		text[--at] = '.';
	do { /* at least one integer digit before the decimals */
		text[--at] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (m < 0)
		text[--at] = '-';
	size_t len = sizeof(text) - at;
	memcpy(buf, text + at, len);
	buf[len] = '\0';
	return len;
}

size_t json_format_number(double v, char *buf)
{
	if (v == 0) { /* also folds negative zero */
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	/*
	 * Fast path for what sensors send, at most four decimals. m / 10^4 reads
	 * back as v exactly when the correctly rounded division gives v; with
	 * |m| < 10^15 that decimal has at most 15 significant digits, so no
	 * shorter one rounds to v too, and %.15g would print the same text.
	 */
	if (fabs(v) < 1e11 && fabs(v) >= 1e-4) {
		double m = nearbyint(v * 10000.0);
		if (m / 10000.0 == v)
			return format_decimals((long long)m, 4, buf);
		/* Up to eight decimals (a cell's 3.28125 V) by the same argument, while |m| < 10^15. */
		if (fabs(v) < 1e7) {
			m = nearbyint(v * 1e8);
			if (m / 1e8 == v)
				return format_decimals((long long)m, 8, buf);
		}
	}
	/*
	 * Any decimal of at most 15 significant digits survives a round trip
	 * through a normal double (DBL_DIG), and %.Ng gives the nearest N-digit
	 * decimal, so the first precision that reads back is the shortest.
	 * Subnormals hold fewer digits and may need fewer.
	 */
	int n = 0;
	for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return (size_t)n;
}

void json_out_number(struct json_out *o, double v)
{
	char buf[32];
	size_t n = json_format_number(v, buf);
	separate(o);
	append(o, buf, n);
}

void json_out_int(struct json_out *o, long long v)
{
	char buf[24];
	size_t n = sizeof(buf);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		buf[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--n] = '-';
	separate(o);
	append(o, buf + n, sizeof(buf) - n);
}

void json_out_bool(struct json_out *o, bool v)
{
	separate(o);
	if (v)
		append(o, "true", 4);
	else
		append(o, "false", 5);
}

void json_out_null(struct json_out *o)
{
	separate(o);
	append(o, "null", 4);
}

void json_out_verbatim(struct json_out *o, const char *text, size_t n)
{
	append(o, text, n);
}

void json_out_raw_value(struct json_out *o, const char *json, size_t n)
{
	separate(o);
	append(o, json, n);
}
