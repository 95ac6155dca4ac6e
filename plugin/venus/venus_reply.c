#include "venus_reply.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eb_text.h"
#include "utf8.h"
#include "venus_table.h"

/* Devices built in C sometimes count the string's NUL; MQTT tools add line ends. */
static bool is_trailing_junk(char c)
{
	return c == '\0' || c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* The bytes of a key: letters, digits and "_-.:" (a table: every byte of every key is looked up). */
static const bool key_chars[256] = {
	['a' ... 'z'] = true, ['A' ... 'Z'] = true, ['0' ... '9'] = true,
	['_'] = true, ['-'] = true, ['.'] = true, [':'] = true,
};

__attribute__((format(printf, 2, 3)))
static void skip_segment(struct venus_reply *out, const char *fmt, ...)
{
	if (out->ignored++ > 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	eb_verror(out->note, sizeof(out->note), fmt, ap);
	va_end(ap);
}

/*
 * Adds the segment s[0..seg_len) at offset. eq is its first '=' (NULL:
 * none); key_ok says whether the bytes before it are all key characters,
 * which the caller learnt on its one pass over the reply.
 */
static void add_segment(struct venus_reply *out, const char *seg, size_t seg_len, const char *eq, bool key_ok,
			size_t offset)
{
	if (seg_len == 0)
		return; /* a stray comma carries nothing */
	size_t key_len = eq ? (size_t)(eq - seg) : seg_len;
	if (!eq) {
		skip_segment(out, "segment at offset %zu has no '='", offset);
		return;
	}
	if (!key_ok || key_len == 0 || key_len > VENUS_REPLY_KEY_MAX) {
		skip_segment(out, "segment at offset %zu has no usable key", offset);
		return;
	}
	if (offset == 0 && key_len == 2 && memcmp(seg, "cd", 2) == 0)
		return; /* newer firmware names the reply first (cd=1,... cd=14,...): not a field */
	if (out->count == VENUS_REPLY_MAX_PAIRS) {
		skip_segment(out, "more than %d pairs", VENUS_REPLY_MAX_PAIRS);
		return;
	}
	out->pairs[out->count++] = (struct venus_reply_pair){
		seg, key_len, eq + 1, seg_len - key_len - 1};
}

static bool is_key(const struct venus_reply_pair *p, const char *key, size_t n)
{
	return p->key_len == n && memcmp(p->key, key, n) == 0;
}

/* One pass over the pairs: a reply that is not an information reply is read once, not once per kind. */
static enum venus_reply_kind classify(const struct venus_reply *r)
{
	bool ret = false, get_power = false;
	for (size_t i = 0; i < r->count; i++) {
		const struct venus_reply_pair *p = &r->pairs[i];
		if (venus_table_has_key(p->key, p->key_len))
			return VENUS_REPLY_INFORMATION;
		ret = ret || is_key(p, "ret", strlen("ret"));
		get_power = get_power || is_key(p, "get_power", strlen("get_power"));
	}
	if (ret)
		return VENUS_REPLY_RET;
	if (get_power)
		return VENUS_REPLY_GET_POWER;
	return VENUS_REPLY_OTHER;
}

void venus_reply_parse(const void *bytes, size_t len, struct venus_reply *out)
{
	/* Every field but the pairs beyond count: 4 kB the caller never reads, not cleared per reply. */
	out->kind = VENUS_REPLY_OTHER;
	out->count = 0;
	out->ignored = 0;
	out->note[0] = '\0';
	const char *s = bytes ? bytes : "";
	if (!bytes)
		len = 0;
	while (len > 0 && is_trailing_junk(s[len - 1]))
		len--;
	out->text = s;
	out->text_len = len;

	/* One pass: each segment's first '=', whether its key is usable, its end. */
	size_t start = 0;
	while (start < len) {
		bool key_ok = true;
		size_t end = start;
		for (; end < len && s[end] != '=' && s[end] != ','; end++)
			key_ok &= key_chars[(unsigned char)s[end]];
		const char *eq = end < len && s[end] == '=' ? s + end : NULL;
		if (eq) { /* the value: any bytes up to the next comma */
			const char *comma = memchr(eq + 1, ',', len - end - 1);
			end = comma ? (size_t)(comma - s) : len;
		}
		add_segment(out, s + start, end - start, eq, key_ok, start);
		start = end + 1;
	}
	out->kind = classify(out);
}

const char *venus_reply_kind_name(enum venus_reply_kind kind)
{
	switch (kind) {
	case VENUS_REPLY_INFORMATION: return "information";
	case VENUS_REPLY_RET: return "ret";
	case VENUS_REPLY_GET_POWER: return "get_power";
	case VENUS_REPLY_OTHER: return "other";
	}
	return "unknown";
}

bool venus_reply_integer(const char *s, size_t n, long long *value)
{
	static const struct eb_int_rule device_number = {LLONG_MIN, LLONG_MAX, 18, false};
	return eb_parse_int(s, n, &device_number, value) == EB_INT_OK;
}

/* Keys were checked by the parser: printable and short. */
static void key_out(struct json_out *o, const char *key, size_t key_len)
{
	json_out_key_n(o, key, key_len < VENUS_REPLY_KEY_MAX ? key_len : VENUS_REPLY_KEY_MAX);
}

static void integer_or_text(struct json_out *o, const char *s, size_t n)
{
	long long v;
	if (venus_reply_integer(s, n, &v))
		json_out_int(o, v);
	else
		json_out_text(o, s, n);
}

bool venus_reply_integers(const char *s, size_t n, long long *values, size_t count)
{
	size_t found = 0, start = 0;
	while (start <= n) {
		size_t end = start; /* parts are a few digits: a loop, not memchr */
		while (end < n && s[end] != '|')
			end++;
		if (found == count || !venus_reply_integer(s + start, end - start, &values[found]))
			return false;
		found++;
		start = end + 1;
	}
	return found == count;
}

size_t venus_clock_text(int hour, int minute, char *buf)
{
	buf[0] = (char)('0' + hour / 10);
	buf[1] = (char)('0' + hour % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + minute / 10);
	buf[4] = (char)('0' + minute % 10);
	buf[5] = '\0';
	return 5;
}

void venus_reply_period_out(struct json_out *o, const char *s, size_t n)
{
	long long v[7];
	bool ok = venus_reply_integers(s, n, v, 7);
	for (size_t i = 0; ok && i < 4; i++)
		ok = v[i] >= 0 && v[i] <= 99; /* two digits each in "HH:MM" */
	if (!ok) {
		json_out_text(o, s, n);
		return;
	}
	char start_text[6], end_text[6];
	json_out_begin_object(o);
	json_out_plain_key(o, "start", strlen("start"));
	json_out_string_n(o, start_text, venus_clock_text((int)v[0], (int)v[1], start_text));
	json_out_plain_key(o, "end", strlen("end"));
	json_out_string_n(o, end_text, venus_clock_text((int)v[2], (int)v[3], end_text));
	json_out_plain_key(o, "weekdays", strlen("weekdays"));
	json_out_int(o, v[4]);
	json_out_plain_key(o, "power_w", strlen("power_w"));
	json_out_int(o, v[5]);
	json_out_plain_key(o, "enabled", strlen("enabled"));
	if (v[6] == 0 || v[6] == 1)
		json_out_bool(o, v[6] == 1);
	else
		json_out_int(o, v[6]);
	json_out_end_object(o);
}

static void get_power_out(struct json_out *o, const char *s, size_t n)
{
	static const char *const names[] = {"phase_a_w", "phase_b_w", "phase_c_w", "total_w",
					    "output_w"};
	long long values[5];
	if (!venus_reply_integers(s, n, values, 5)) {
		json_out_text(o, s, n);
		return;
	}
	json_out_begin_object(o);
	for (size_t i = 0; i < 5; i++) {
		json_out_plain_key(o, names[i], strlen(names[i]));
		json_out_int(o, values[i]);
	}
	json_out_end_object(o);
}

/* The last pair with this key, so that a repeated key shows its last value once. */
static bool is_last_of_key(const struct venus_reply *r, size_t i)
{
	for (size_t j = i + 1; j < r->count; j++)
		if (r->pairs[j].key_len == r->pairs[i].key_len &&
		    memcmp(r->pairs[j].key, r->pairs[i].key, r->pairs[i].key_len) == 0)
			return false;
	return true;
}

bool venus_reply_render(const struct venus_reply *reply, struct json_out *o)
{
	json_out_begin_object(o);
	if (reply->count == 0 && reply->text_len > 0) {
		/* Quoted, not copied: a long reply without pairs must not grow into a longer report. */
		json_out_key(o, "raw");
		json_out_text(o, reply->text, reply->text_len < VENUS_REPLY_RAW_QUOTE ? reply->text_len : VENUS_REPLY_RAW_QUOTE);
		json_out_key(o, "raw_bytes");
		json_out_int(o, (long long)reply->text_len);
	}
	for (size_t i = 0; i < reply->count; i++) {
		const struct venus_reply_pair *p = &reply->pairs[i];
		if (!is_last_of_key(reply, i))
			continue;
		key_out(o, p->key, p->key_len);
		if (p->key_len == 3 && memcmp(p->key, "ret", 3) == 0)
			integer_or_text(o, p->value, p->value_len);
		else if (p->key_len == 9 && memcmp(p->key, "get_power", 9) == 0)
			get_power_out(o, p->value, p->value_len);
		else
			json_out_text(o, p->value, p->value_len);
	}
	json_out_end_object(o);
	return !json_out_failed(o);
}

static bool small_integer(const char *s, size_t n, long lo, long hi, long *out)
{
	long long v;
	if (!venus_reply_integer(s, n, &v) || v < lo || v > hi)
		return false;
	*out = (long)v;
	return true;
}

void venus_reply_readings(const struct venus_reply *reply, struct venus_readings *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < reply->count; i++) {
		const struct venus_reply_pair *p = &reply->pairs[i];
		long v;
		if (p->key_len == 5 && memcmp(p->key, "cel_c", 5) == 0 && small_integer(p->value, p->value_len, 0, 100, &v)) {
			out->has_soc = true;
			out->soc_percent = (int)v;
		} else if (p->key_len == 5 && memcmp(p->key, "grd_o", 5) == 0 &&
			   small_integer(p->value, p->value_len, -1000000, 1000000, &v)) {
			out->has_battery_w = true;
			out->battery_w = v;
		} else if (p->key_len == 9 && memcmp(p->key, "get_power", 9) == 0) {
			/* a|b|c|total|output: the total is the fourth of exactly five numbers. */
			const char *s = p->value, *end = p->value + p->value_len;
			long numbers[5];
			size_t k = 0;
			bool at_end = false;
			while (k < 5 && !at_end) {
				const char *bar = memchr(s, '|', (size_t)(end - s));
				const char *stop = bar ? bar : end;
				if (!small_integer(s, (size_t)(stop - s), -10000000, 10000000, &numbers[k]))
					break;
				k++;
				at_end = bar == NULL;
				s = bar ? bar + 1 : end;
			}
			if (k == 5 && at_end) {
				out->has_grid_w = true;
				out->grid_w = numbers[3];
			}
		}
	}
}
