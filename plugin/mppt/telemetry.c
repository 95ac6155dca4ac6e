/*
 * What the three Sundaya translators share (telemetry.h, telemetry_internal.h):
 * the batch, the text checks, the walk through a request with its error
 * paths, the fields that mean the same in every dataset (ids, status codes,
 * times, the MPPT sample shape), the message tail and the rounding.
 */
#include "telemetry.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_text.h"
#include "telemetry_internal.h"
#include "utf8.h"

/* ---- the batch ---- */

void telemetry_batch_init(struct telemetry_batch *b)
{
	memset(b, 0, sizeof(*b));
	json_out_init(&b->text);
	json_out_init(&b->tail);
}

void telemetry_batch_free(struct telemetry_batch *b)
{
	json_out_free(&b->text);
	json_out_free(&b->tail);
	free(b->messages);
	free(b->scratch);
	telemetry_batch_init(b);
}

const char *telemetry_message_json(const struct telemetry_batch *b, size_t i)
{
	return b->text.buf + b->messages[i].json_offset;
}

/* ---- rounding ---- */

double telemetry_round4(double x)
{
	if (!isfinite(x))
		return x;
	double t = x * 10000.0;
	if (!(fabs(t) < 0x1p52))
		return telemetry_round4_by_text(x); /* no fraction digits left to speak of: rare, so slow is fine */
	double k = round(t); /* ties away from zero */
	/*
	 * t is x × 10⁴ rounded to a double. Only when t lands exactly on a half
	 * can the exact product lie on the other side of it (44.01 × 0.125 × 10⁴
	 * is 55012.4999999999975, and t is 55012.5); elsewhere t and the exact
	 * product round alike. fma gives the exact remainder of the product.
	 */
	if (fabs(t - trunc(t)) == 0.5) {
		double e = fma(x, 10000.0, -t);
		if (e > 0)
			k = ceil(t);
		else if (e < 0)
			k = floor(t);
	}
	return k / 10000.0;
}

double telemetry_round4_by_text(double x)
{
	if (!isfinite(x))
		return x;
	char buf[400];
	/* x × 10⁴ = k + ½ exactly when the lowest set bit of x is 2⁻⁵: x × 32 is an odd integer. */
	double y = x * 32.0;
	bool tie = isfinite(y) && y == trunc(y) && fmod(y, 2.0) != 0;
	if (!tie) {
		snprintf(buf, sizeof(buf), "%.4f", x); /* glibc: the exact value, correctly rounded */
		return strtod(buf, NULL);
	}
	/* Five decimals, the last a 5: drop it and round the rest away from zero. */
	snprintf(buf, sizeof(buf), "%.5f", x);
	size_t n = strlen(buf) - 1;
	buf[n] = '\0';
	for (size_t i = n; i-- > 0;) {
		if (buf[i] == '.')
			continue;
		if (buf[i] == '-')
			break;
		if (buf[i] < '9') {
			buf[i]++;
			return strtod(buf, NULL);
		}
		buf[i] = '0';
	}
	size_t at = buf[0] == '-' ? 1 : 0; /* carried out of the first digit: 9.99995 -> 10.0000 */
	memmove(buf + at + 1, buf + at, n - at + 1);
	buf[at] = '1';
	return strtod(buf, NULL);
}

/* ---- the walk ---- */

static void render_path(const struct tw *w, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	int depth = w->depth < TW_DEPTH_MAX ? w->depth : TW_DEPTH_MAX;
	for (int i = 0; i < depth && len < size - 1; i++) {
		int n;
		if (w->seg[i].key)
			n = snprintf(out + len, size - len, "%s%s", len ? "." : "", w->seg[i].key);
		else
			n = snprintf(out + len, size - len, "[%zu]", w->seg[i].index);
		if (n < 0)
			break;
		len += (size_t)n < size - len ? (size_t)n : size - 1 - len;
	}
}

void tw_error(struct tw *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	eb_verror(w->b->error, sizeof(w->b->error), fmt, ap);
	va_end(ap);
	render_path(w, w->b->path, sizeof(w->b->path));
}

void tw_begin(struct tw *w, struct telemetry_batch *b, const char *sender, struct timespec now,
	      const struct telemetry_limits *limits)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->o = &b->text;
	w->max_items = limits->max_items;
	json_out_reset(&b->text);
	b->count = 0;
	b->datasets = 0;
	b->error[0] = '\0';
	b->path[0] = '\0';
	telemetry_time_format_utc(now.tv_sec, (int)(now.tv_nsec / 100000), w->time_processing);
	/* The sender is the same in every message of the request: escaped once. */
	json_out_reset(&b->tail);
	json_out_verbatim(&b->tail, ",\"sender\":", 10);
	json_out_string(&b->tail, sender ? sender : "");
	json_out_verbatim(&b->tail, ",\"time_event\":\"", 15);
}

bool tw_end(struct tw *w, bool ok)
{
	if (ok && (json_out_failed(w->o) || json_out_failed(&w->b->tail)))
		ok = tw_fail(w, "out of memory");
	if (!ok)
		w->b->count = 0; /* all or nothing */
	return ok;
}

/* Byte classes of the text scan; only the rare ones stop the loop. */
enum { PLAIN, QUOTE, BACKSLASH, ZERO, CONTROL, HIGH };

static const unsigned char byte_class[256] = {
	[0 ... 0x08] = CONTROL,	/* tab, LF and CR are white space */
	[0x0B ... 0x0C] = CONTROL,
	[0x0E ... 0x1F] = CONTROL,
	['"'] = QUOTE,
	['\\'] = BACKSLASH,
	['0'] = ZERO,
	[0x80 ... 0xFF] = HIGH,
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether the '0' at i begins a number's integer part (not a fraction or an exponent). */
static bool starts_number(const char *p, size_t i)
{
	if (i == 0)
		return true;
	char prev = p[i - 1];
	if (prev == '-')
		return i < 2 || (p[i - 2] != 'e' && p[i - 2] != 'E');
	return !(is_digit(prev) || prev == '.' || prev == 'e' || prev == 'E' || prev == '+');
}

struct scan {
	size_t control_at;	/* first raw control character, or len */
	size_t utf8_at;		/* first byte that is not UTF-8, or len */
	size_t token_at;	/* first \u0000 or leading zero, or len */
	const char *token_why;
};

/*
 * One pass over the text for everything the JSON parser does not check:
 * UTF-8, raw control characters, and, outside and inside strings,
 * a leading zero and a \u0000 escape (meaningful only once the text parsed).
 */
static void scan_text(const char *p, size_t len, struct scan *s)
{
	*s = (struct scan){len, len, len, NULL};
	bool in_string = false, utf8_checked = false;
	for (size_t i = 0; i < len; i++) {
		switch (byte_class[(unsigned char)p[i]]) {
		case PLAIN:
			break;
		case QUOTE:
			in_string = !in_string;
			break;
		case BACKSLASH:
			if (!in_string)
				break;
			if (s->token_at == len && len - i >= 6 && memcmp(p + i + 1, "u0000", 5) == 0) {
				s->token_at = i;
				s->token_why = "payload holds the escaped NUL character \\u0000";
			}
			if (i + 1 < len && byte_class[(unsigned char)p[i + 1]] != CONTROL &&
			    byte_class[(unsigned char)p[i + 1]] != HIGH)
				i++; /* the escaped character: \" does not end the string */
			break;
		case ZERO:
			if (!in_string && s->token_at == len && i + 1 < len && is_digit(p[i + 1]) && starts_number(p, i)) {
				s->token_at = i;
				s->token_why = "payload holds a number with a leading zero";
			}
			break;
		case CONTROL:
			if (s->control_at == len)
				s->control_at = i;
			break;
		case HIGH:
			if (!utf8_checked) { /* everything before is ASCII: the first bad byte anywhere is from here on */
				s->utf8_at = i + utf8_invalid_at(p + i, len - i);
				utf8_checked = true;
				if (s->utf8_at < len)
					return;
			}
			break;
		}
	}
}

static bool report_text(struct tw *w, const struct scan *s, size_t len)
{
	if (s->utf8_at < len)
		return tw_fail(w, "payload is not valid UTF-8 (byte %zu)", s->utf8_at);
	if (s->control_at < len)
		return tw_fail(w, "payload holds a control character (byte %zu)", s->control_at);
	return true;
}

bool tw_check_text(struct tw *w, const char *payload, size_t len, size_t max_payload)
{
	if (len > max_payload)
		return tw_fail(w, "payload of %zu bytes is over the limit of %zu", len, max_payload);
	struct scan s;
	scan_text(payload, len, &s);
	return report_text(w, &s, len);
}

cJSON *tw_parse_json(struct tw *w, const char *payload, size_t len, size_t max_payload)
{
	if (len > max_payload) {
		tw_error(w, "payload of %zu bytes is over the limit of %zu", len, max_payload);
		return NULL;
	}
	struct scan s;
	scan_text(payload, len, &s);
	if (!report_text(w, &s, len))
		return NULL;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(payload, len, &end, false);
	if (!root) {
		tw_error(w, "invalid JSON (byte %td)", end ? end - payload : (ptrdiff_t)0);
		return NULL;
	}
	while (end < payload + len && strchr(" \t\r\n", *end))
		end++;
	if (end != payload + len)
		tw_error(w, "unexpected data after the JSON value (byte %td)", end - payload);
	else if (s.token_at < len)
		tw_error(w, "%s (byte %zu)", s.token_why, s.token_at);
	else
		return root;
	cJSON_Delete(root);
	return NULL;
}

bool tw_members(struct tw *w, const cJSON *obj, const char *const *names, const cJSON **slots, size_t n)
{
	if (!cJSON_IsObject(obj))
		return tw_fail(w, "must be an object");
	for (size_t i = 0; i < n; i++)
		slots[i] = NULL;
	for (const cJSON *k = obj->child; k; k = k->next) {
		size_t i = 0;
		while (i < n && strcmp(k->string, names[i]) != 0)
			i++;
		if (i == n || slots[i]) {
			tw_push_key(w, k->string);
			return tw_fail(w, i == n ? "unknown key" : "duplicate key");
		}
		slots[i] = k;
	}
	return true;
}

bool tw_require(struct tw *w, const cJSON *v, const char *key)
{
	if (v)
		return true;
	int mark = tw_push_key(w, key);
	tw_error(w, "missing required key");
	tw_pop(w, mark);
	return false;
}

bool tw_number(struct tw *w, const cJSON *v, bool non_negative, double *out)
{
	if (!cJSON_IsNumber(v))
		return tw_fail(w, "must be a number");
	if (!isfinite(v->valuedouble))
		return tw_fail(w, "must be a finite number");
	if (non_negative && v->valuedouble < 0)
		return tw_fail(w, "must not be negative");
	*out = v->valuedouble;
	return true;
}

bool tw_check_id(struct tw *w, const char *s, size_t n)
{
	if (n == 0 || n > TELEMETRY_ID_MAX)
		return tw_fail(w, "must be 1 to %d bytes long", TELEMETRY_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7F)
			return tw_fail(w, "must not contain '/', '+', '#' or control characters");
	}
	return true;
}

bool tw_id(struct tw *w, const cJSON *v, const char **out)
{
	const char *s = cJSON_GetStringValue(v);
	if (!s)
		return tw_fail(w, "must be a string");
	*out = s;
	return tw_check_id(w, s, strlen(s));
}

bool tw_status_text(struct tw *w, const char *s, size_t n, int *status)
{
	int v = 0;
	for (size_t i = 0; i < n && i < 4; i++) {
		int d = eb_hex_digit(s[i]);
		if (d < 0)
			break;
		v = v * 16 + d;
		if (i == 3 && n == 4) {
			*status = v;
			return true;
		}
	}
	return tw_fail(w, "must be 4 hexadecimal digits");
}

bool tw_status_code(struct tw *w, const cJSON *v, int *status)
{
	const char *s = cJSON_GetStringValue(v);
	if (!s)
		return tw_fail(w, "must be 4 hexadecimal digits");
	return tw_status_text(w, s, strlen(s), status);
}

bool tw_time(struct tw *w, const cJSON *v, struct telemetry_time *t)
{
	const char *text = cJSON_GetStringValue(v);
	if (!text)
		return tw_fail(w, "must be a string");
	const char *why = telemetry_time_parse(text, t);
	return why ? tw_fail(w, "%s", why) : true;
}

bool tw_sample_time(struct tw *w, const cJSON *v, struct telemetry_time *t)
{
	if (!tw_require(w, v, "time_local"))
		return false;
	int mark = tw_push_key(w, "time_local");
	if (!tw_time(w, v, t))
		return false;
	tw_pop(w, mark);
	return true;
}

bool tw_device_id(struct tw *w, const char *kind, const cJSON *nested, const char *const *nested_names,
		  const cJSON **nested_slots, size_t n, const cJSON *flat, const char **id)
{
	if (nested && flat)
		return tw_fail(w, "has both %s.id and %s_id", kind, kind);
	if (!nested && !flat)
		return tw_fail(w, "missing the device id (%s.id or %s_id)", kind, kind);
	int mark = tw_push_key(w, flat ? flat->string : nested->string);
	if (nested) {
		if (!tw_members(w, nested, nested_names, nested_slots, n) || !tw_require(w, nested_slots[0], "id"))
			return false;
		tw_push_key(w, "id");
	}
	if (!tw_id(w, flat ? flat : nested_slots[0], id))
		return false;
	tw_pop(w, mark);
	return true;
}

bool tw_samples(struct tw *w, const cJSON *data, tw_sample_fn *translate_sample, const void *dataset)
{
	if (!tw_require(w, data, "data"))
		return false;
	int mark = tw_push_key(w, "data");
	if (!cJSON_IsArray(data))
		return tw_fail(w, "must be an array");
	size_t n = 0;
	for (const cJSON *item = data->child; item; item = item->next)
		n++;
	if (w->items + n > w->max_items)
		return tw_fail(w, "request holds more than %zu data items", w->max_items);
	w->items += n;
	size_t i = 0;
	for (const cJSON *item = data->child; item; item = item->next, i++) {
		tw_push_index(w, i);
		if (!translate_sample(w, item, dataset))
			return false;
		tw_pop(w, mark + 1);
	}
	tw_pop(w, mark);
	return true;
}

bool tw_translate_json(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		       struct timespec now, const struct telemetry_limits *limits, tw_dataset_fn *translate_dataset)
{
	static const char *const root_keys[] = {"datasets"};
	struct tw w;
	tw_begin(&w, b, sender, now, limits);
	cJSON *root = tw_parse_json(&w, payload, len, limits->max_payload);
	const cJSON *datasets;
	bool ok = root && tw_members(&w, root, root_keys, &datasets, 1) && tw_require(&w, datasets, "datasets");
	if (ok) {
		tw_push_key(&w, "datasets");
		ok = cJSON_IsArray(datasets) || tw_fail(&w, "must be an array");
		size_t i = 0;
		for (const cJSON *ds = ok ? datasets->child : NULL; ds && ok; ds = ds->next, i++) {
			tw_push_index(&w, i);
			ok = translate_dataset(&w, ds);
			tw_pop(&w, 1);
		}
		b->datasets = i;
	}
	cJSON_Delete(root);
	return tw_end(&w, ok);
}

/* ---- the MPPT sample shape (pv, battery, load), shared with the inverter ---- */

bool tw_measurement(struct tw *w, double volts, double amps)
{
	double watts = telemetry_round4(volts * amps);
	if (!isfinite(watts))
		return tw_fail(w, "volts x amps is too large to represent");
	tw_put(w, "{\"volts\":");
	tw_put_number(w, volts);
	tw_put(w, ",\"amps\":");
	tw_put_number(w, amps);
	tw_put(w, ",\"watts\":");
	tw_put_number(w, watts);
	tw_put(w, "}");
	return true;
}

static const char *const measurement_keys[] = {"volts", "amps"};

static size_t array_size(const cJSON *a)
{
	size_t n = 0;
	for (const cJSON *e = a->child; e; e = e->next)
		n++;
	return n;
}

bool tw_channels(struct tw *w, const cJSON *obj, const char *key, size_t max, bool amps_non_negative)
{
	if (!tw_require(w, obj, key))
		return false;
	int mark = tw_push_key(w, key);
	const cJSON *m[2];
	if (!tw_members(w, obj, measurement_keys, m, 2) || !tw_require(w, m[0], "volts") ||
	    !tw_require(w, m[1], "amps"))
		return false;
	size_t n[2];
	for (int a = 0; a < 2; a++) {
		int mk = tw_push_key(w, measurement_keys[a]);
		if (!cJSON_IsArray(m[a]) || (n[a] = array_size(m[a])) < 1 || n[a] > max)
			return tw_fail(w, "must be an array of 1 to %zu numbers", max);
		tw_pop(w, mk);
	}
	if (n[0] != n[1])
		return tw_fail(w, "volts and amps differ in length (%zu and %zu)", n[0], n[1]);

	tw_put(w, ",\"");
	tw_put(w, key);
	tw_put(w, "\":[");
	const cJSON *v = m[0]->child, *a = m[1]->child;
	for (size_t i = 0; i < n[0]; i++, v = v->next, a = a->next) {
		double vv, av;
		int mk = tw_push_key(w, "volts");
		tw_push_index(w, i);
		if (!tw_number(w, v, true, &vv))
			return false;
		tw_pop(w, mk);
		tw_push_key(w, "amps");
		tw_push_index(w, i);
		if (!tw_number(w, a, amps_non_negative, &av))
			return false;
		tw_pop(w, mk);
		tw_push_index(w, i);
		if (i)
			tw_put(w, ",");
		if (!tw_measurement(w, vv, av))
			return false;
		tw_pop(w, mk);
	}
	tw_put(w, "]");
	tw_pop(w, mark);
	if (strcmp(key, "pv") == 0)
		w->pv_count = (unsigned char)n[0];
	else
		w->load_count = (unsigned char)n[0];
	return true;
}

bool tw_battery(struct tw *w, const cJSON *obj)
{
	if (!tw_require(w, obj, "battery"))
		return false;
	int mark = tw_push_key(w, "battery");
	const cJSON *m[2];
	if (!tw_members(w, obj, measurement_keys, m, 2) || !tw_require(w, m[0], "volts") ||
	    !tw_require(w, m[1], "amps"))
		return false;
	double vv, av;
	int mk = tw_push_key(w, "volts");
	if (!tw_number(w, m[0], true, &vv))
		return false;
	tw_pop(w, mk);
	tw_push_key(w, "amps");
	if (!tw_number(w, m[1], false, &av)) /* + charging, - discharging */
		return false;
	tw_pop(w, mk);
	tw_put(w, ",\"battery\":");
	if (!tw_measurement(w, vv, av))
		return false;
	tw_pop(w, mark);
	return true;
}

/* ---- the end every message shares ---- */

static bool add_message(struct tw *w, const char *id, const char *part, size_t start)
{
	struct telemetry_batch *b = w->b;
	if (b->count == b->capacity) {
		size_t cap = b->capacity ? b->capacity * 2 : 16;
		struct telemetry_message *m = realloc(b->messages, cap * sizeof(*m));
		if (!m)
			return tw_fail(w, "out of memory");
		b->messages = m;
		b->capacity = cap;
	}
	struct telemetry_message *m = &b->messages[b->count++];
	/* Both passed the id rule: at most TELEMETRY_ID_MAX bytes. */
	size_t n = strnlen(id, TELEMETRY_ID_MAX);
	memcpy(m->id, id, n);
	m->id[n] = '\0';
	n = part ? strnlen(part, TELEMETRY_ID_MAX) : 0;
	memcpy(m->part, part ? part : "", n);
	m->part[n] = '\0';
	m->json_offset = start;
	m->json_len = b->text.len - start;
	m->pv_count = w->pv_count;
	m->load_count = w->load_count;
	m->phase_count = w->phase_count;
	return true;
}

bool tw_message_end(struct tw *w, size_t start, const struct telemetry_time *t, const char *id, const char *part)
{
	if (json_out_failed(&w->b->tail))
		return tw_fail(w, "out of memory");
	char event[32], zone[8];
	size_t ne = telemetry_time_format_utc(t->utc_seconds, t->fraction_e4, event);
	size_t nz = telemetry_time_format_offset(t->offset_minutes, zone);
	json_out_verbatim(w->o, w->b->tail.buf, w->b->tail.len); /* ,"sender":"…","time_event":" */
	json_out_verbatim(w->o, event, ne);
	json_out_verbatim(w->o, "\",\"time_zone\":\"", 15);
	json_out_verbatim(w->o, zone, nz);
	json_out_verbatim(w->o, "\",\"time_processing\":\"", 21);
	json_out_verbatim(w->o, w->time_processing, 24);
	json_out_verbatim(w->o, "\"}", 2);
	if (json_out_failed(w->o))
		return tw_fail(w, "out of memory");
	return add_message(w, id, part, start);
}
