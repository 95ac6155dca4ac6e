#include "mppt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eb_text.h"
#include "mppt_time.h"
#include "utf8.h"

#define PV_STRINGS_MAX 4
#define LOAD_OUTPUTS_MAX 2

/* Where the walk through one request is, and where its output goes. */
struct walk {
	struct mppt_batch *b;
	const char *sender;
	char time_processing[32];
	size_t items;
	size_t max_items;
	char path[MPPT_PATH_MAX];
	size_t path_len;
	unsigned char channels[2];	/* PV strings and load outputs of the item being written */
};

static bool fail(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct walk *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	eb_verror(w->b->error, sizeof(w->b->error), fmt, ap);
	va_end(ap);
	snprintf(w->b->path, sizeof(w->b->path), "%s", w->path);
	return false;
}

/* Extends the path by text; returns the length to restore with path_pop(). */
static size_t path_append(struct walk *w, const char *text, size_t n)
{
	size_t mark = w->path_len;
	if (n > sizeof(w->path) - 1 - mark)
		n = sizeof(w->path) - 1 - mark; /* the walk is shallow: this only trims absurd keys */
	memcpy(w->path + mark, text, n);
	w->path_len = mark + n;
	w->path[w->path_len] = '\0';
	return mark;
}

static void path_pop(struct walk *w, size_t mark)
{
	w->path_len = mark;
	w->path[mark] = '\0';
}

static size_t push_key(struct walk *w, const char *key)
{
	size_t mark = w->path_len;
	if (mark)
		path_append(w, ".", 1);
	path_append(w, key, strlen(key));
	return mark;
}

/* Appends "[i]", or ".key[i]" when key is given. */
static size_t push_index(struct walk *w, const char *key, int i)
{
	char text[40];
	size_t n = 0;
	char digits[12];
	int d = 0;
	do {
		digits[d++] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	size_t mark = key ? push_key(w, key) : w->path_len;
	text[n++] = '[';
	while (d)
		text[n++] = digits[--d];
	text[n++] = ']';
	path_append(w, text, n);
	return mark;
}

/*
 * Refuses keys outside `allowed` (likely typos) and repeated keys (cJSON keeps
 * both, and which one counts would be an accident).
 */
static bool check_keys(struct walk *w, const cJSON *obj, const char *const *allowed)
{
	for (const cJSON *k = obj->child; k; k = k->next) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known = known || strcmp(k->string, *a) == 0;
		size_t mark = push_key(w, k->string);
		if (!known)
			return fail(w, "unknown key");
		for (const cJSON *prev = obj->child; prev != k; prev = prev->next)
			if (strcmp(prev->string, k->string) == 0)
				return fail(w, "duplicate key");
		path_pop(w, mark);
	}
	return true;
}

static const cJSON *require(struct walk *w, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v) {
		size_t mark = push_key(w, key);
		fail(w, "missing required key");
		path_pop(w, mark);
	}
	return v;
}

static bool require_object(struct walk *w, const cJSON *v)
{
	return cJSON_IsObject(v) || fail(w, "must be an object");
}

/* A finite JSON number, not below zero when non_negative. */
static bool read_number(struct walk *w, const cJSON *v, bool non_negative, double *out)
{
	if (!cJSON_IsNumber(v))
		return fail(w, "must be a number");
	if (!isfinite(v->valuedouble))
		return fail(w, "must be a finite number");
	if (non_negative && v->valuedouble < 0)
		return fail(w, "must not be negative");
	*out = v->valuedouble;
	return true;
}

/* {"volts":v,"amps":a,"watts":w}; refused when the product overflows a double (no JSON number for it). */
static bool write_measurement(struct walk *w, double volts, double amps)
{
	double watts = mppt_round_watts(volts * amps);
	if (!isfinite(watts))
		return fail(w, "volts x amps is too large to represent");
	struct json_out *o = &w->b->text;
	json_out_begin_object(o);
	json_out_key(o, "volts");
	json_out_number(o, volts);
	json_out_key(o, "amps");
	json_out_number(o, amps);
	json_out_key(o, "watts");
	json_out_number(o, watts);
	json_out_end_object(o);
	return true;
}

/* pv and load: {"volts": [..], "amps": [..]} of equal lengths 1..max. */
static bool write_channels(struct walk *w, const cJSON *item, const char *key, size_t max,
			   bool amps_non_negative)
{
	static const char *const keys[] = {"volts", "amps", NULL};
	const cJSON *obj = require(w, item, key);
	if (!obj)
		return false;
	size_t mark = push_key(w, key);
	if (!require_object(w, obj) || !check_keys(w, obj, keys))
		return false;
	const cJSON *volts = require(w, obj, "volts");
	const cJSON *amps = volts ? require(w, obj, "amps") : NULL;
	if (!amps)
		return false;
	const cJSON *arrays[2] = {volts, amps};
	for (int a = 0; a < 2; a++) {
		size_t m = push_key(w, keys[a]);
		int n = cJSON_GetArraySize(arrays[a]);
		if (!cJSON_IsArray(arrays[a]) || n < 1 || (size_t)n > max)
			return fail(w, "must be an array of 1 to %zu numbers", max);
		path_pop(w, m);
	}
	int nv = cJSON_GetArraySize(volts), na = cJSON_GetArraySize(amps);
	if (nv != na)
		return fail(w, "volts and amps differ in length (%d and %d)", nv, na);

	json_out_key(&w->b->text, key);
	json_out_begin_array(&w->b->text);
	const cJSON *v = volts->child, *a = amps->child;
	for (int i = 0; i < nv; i++, v = v->next, a = a->next) {
		double vv, av;
		size_t m = push_index(w, "volts", i);
		if (!read_number(w, v, true, &vv))
			return false;
		path_pop(w, m);
		m = push_index(w, "amps", i);
		if (!read_number(w, a, amps_non_negative, &av))
			return false;
		path_pop(w, m);
		m = push_index(w, NULL, i);
		if (!write_measurement(w, vv, av))
			return false;
		path_pop(w, m);
	}
	json_out_end_array(&w->b->text);
	w->channels[strcmp(key, "pv") == 0 ? 0 : 1] = (unsigned char)nv;
	path_pop(w, mark);
	return true;
}

static bool write_battery(struct walk *w, const cJSON *item)
{
	static const char *const keys[] = {"volts", "amps", NULL};
	const cJSON *obj = require(w, item, "battery");
	if (!obj)
		return false;
	size_t mark = push_key(w, "battery");
	if (!require_object(w, obj) || !check_keys(w, obj, keys))
		return false;
	const cJSON *volts = require(w, obj, "volts");
	const cJSON *amps = volts ? require(w, obj, "amps") : NULL;
	if (!amps)
		return false;
	double vv, av;
	size_t m = push_key(w, "volts");
	if (!read_number(w, volts, true, &vv))
		return false;
	path_pop(w, m);
	m = push_key(w, "amps");
	if (!read_number(w, amps, false, &av)) /* + charging, - discharging */
		return false;
	path_pop(w, m);
	json_out_key(&w->b->text, "battery");
	if (!write_measurement(w, vv, av))
		return false;
	path_pop(w, mark);
	return true;
}

/*
 * A status is 4 hex digits, either as a string (generation A, per item) or
 * as {"code": "0801"} (generation B, per dataset). -1 means none.
 */
static bool read_status(struct walk *w, const cJSON *v, int *status)
{
	*status = -1;
	if (!v || cJSON_IsNull(v))
		return true;
	if (cJSON_IsObject(v)) {
		static const char *const keys[] = {"code", NULL};
		if (!check_keys(w, v, keys))
			return false;
		const cJSON *code = require(w, v, "code");
		if (!code)
			return false;
		size_t mark = push_key(w, "code");
		bool ok = read_status(w, code, status);
		if (ok)
			path_pop(w, mark);
		return ok;
	}
	const char *s = cJSON_GetStringValue(v);
	if (!s || strlen(s) != 4 || strspn(s, "0123456789abcdefABCDEF") != 4)
		return fail(w, "must be 4 hexadecimal digits");
	*status = (int)strtol(s, NULL, 16);
	return true;
}

static bool bit(int s, int n)
{
	return (s >> n) & 1;
}

/* The reference system names a two-bit field (lo, hi): rows are lo*2 + hi. */
static const char *pair(int s, int lo, int hi, const char *const names[4])
{
	return names[bit(s, lo) * 2 + bit(s, hi)];
}

static void write_status(struct json_out *o, int s)
{
	static const char *const input[4] = {"normal", "no-power", "high-volt-input", "input-volt-error"};
	static const char *const load[4] = {"ok", "overcurrent", "short", "not-applicable"};
	static const char *const charging[4] = {"not-charging", "float", "boost", "equalisation"};

	json_out_key(o, "status");
	if (s < 0) {
		json_out_null(o);
		return;
	}
	json_out_begin_object(o);
	json_out_key(o, "bus_connect");
	json_out_bool(o, bit(s, 0));
	json_out_key(o, "input");
	json_out_string(o, pair(s, 1, 2, input));
	json_out_key(o, "chgfet");
	json_out_string(o, bit(s, 3) ? "short" : "ok");
	json_out_key(o, "chgfet_antirev");
	json_out_string(o, bit(s, 4) ? "short" : "ok");
	json_out_key(o, "fet_antirev");
	json_out_string(o, bit(s, 5) ? "short" : "ok");
	json_out_key(o, "input_current");
	json_out_string(o, bit(s, 6) ? "overcurrent" : "ok");
	json_out_key(o, "load");
	json_out_string(o, pair(s, 7, 8, load));
	json_out_key(o, "pv_input");
	json_out_string(o, bit(s, 9) ? "short" : "ok");
	json_out_key(o, "charging");
	json_out_string(o, pair(s, 10, 11, charging));
	json_out_key(o, "system");
	json_out_string(o, bit(s, 12) ? "fault" : "ok");
	json_out_key(o, "standby");
	json_out_string(o, bit(s, 13) ? "running" : "standby");
	json_out_end_object(o);
}

static bool add_message(struct walk *w, const char *mppt_id, size_t json_offset)
{
	struct mppt_batch *b = w->b;
	if (b->count == b->capacity) {
		size_t cap = b->capacity ? b->capacity * 2 : 16;
		struct mppt_message *m = realloc(b->messages, cap * sizeof(*m));
		if (!m)
			return fail(w, "out of memory");
		b->messages = m;
		b->capacity = cap;
	}
	struct mppt_message *m = &b->messages[b->count++];
	snprintf(m->mppt_id, sizeof(m->mppt_id), "%s", mppt_id);
	m->json_offset = json_offset;
	m->json_len = b->text.len - json_offset;
	m->pv_count = w->channels[0];
	m->load_count = w->channels[1];
	return true;
}

static bool translate_item(struct walk *w, const cJSON *item, const char *mppt_id, int dataset_status)
{
	static const char *const keys[] = {"time_local", "pv", "battery", "load", "status", NULL};
	struct json_out *o = &w->b->text;

	if (!require_object(w, item) || !check_keys(w, item, keys))
		return false;
	const cJSON *time_local = require(w, item, "time_local");
	if (!time_local)
		return false;
	struct mppt_time t;
	size_t mark = push_key(w, "time_local");
	const char *text = cJSON_GetStringValue(time_local);
	if (!text)
		return fail(w, "must be a string");
	const char *why = mppt_time_parse(text, &t);
	if (why)
		return fail(w, "%s", why);
	path_pop(w, mark);

	int status = dataset_status;
	const cJSON *own = cJSON_GetObjectItemCaseSensitive(item, "status");
	mark = push_key(w, "status");
	if (own && !cJSON_IsNull(own) && !read_status(w, own, &status))
		return false;
	path_pop(w, mark);

	size_t start = json_out_begin_document(o);
	json_out_begin_object(o);
	json_out_key(o, "mppt_id");
	json_out_string(o, mppt_id);
	if (!write_channels(w, item, "pv", PV_STRINGS_MAX, true) || !write_battery(w, item) ||
	    !write_channels(w, item, "load", LOAD_OUTPUTS_MAX, false))
		return false;
	write_status(o, status);
	char event[32], zone[8];
	mppt_time_format_utc(t.utc_seconds, t.fraction_e4, event);
	mppt_time_format_offset(t.offset_minutes, zone);
	json_out_key(o, "sender");
	json_out_string(o, w->sender);
	json_out_key(o, "time_event");
	json_out_string(o, event);
	json_out_key(o, "time_zone");
	json_out_string(o, zone);
	json_out_key(o, "time_processing");
	json_out_string(o, w->time_processing);
	json_out_end_object(o);
	if (json_out_failed(o))
		return fail(w, "out of memory");
	return add_message(w, mppt_id, start);
}

/* The id becomes a topic level: it must not be able to steer the topic. */
static bool check_mppt_id(struct walk *w, const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > MPPT_ID_MAX)
		return fail(w, "must be 1 to %d bytes long", MPPT_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7F)
			return fail(w, "must not contain '/', '+', '#' or control characters");
	}
	return true;
}

/* Generation A: "mppt": {"id": ...}; generation B: "mppt_id": ... */
static const char *read_mppt_id(struct walk *w, const cJSON *dataset)
{
	static const char *const keys[] = {"id", NULL};
	const cJSON *mppt = cJSON_GetObjectItemCaseSensitive(dataset, "mppt");
	const cJSON *flat = cJSON_GetObjectItemCaseSensitive(dataset, "mppt_id");
	const cJSON *id = flat;
	if (mppt && flat) {
		fail(w, "has both mppt.id and mppt_id");
		return NULL;
	}
	if (!mppt && !flat) {
		fail(w, "missing the device id (mppt.id or mppt_id)");
		return NULL;
	}
	size_t mark = push_key(w, mppt ? "mppt" : "mppt_id");
	if (mppt) {
		if (!require_object(w, mppt) || !check_keys(w, mppt, keys) || !(id = require(w, mppt, "id")))
			return NULL;
		push_key(w, "id");
	}
	const char *s = cJSON_GetStringValue(id);
	if (!s) {
		fail(w, "must be a string");
		return NULL;
	}
	if (!check_mppt_id(w, s))
		return NULL;
	path_pop(w, mark);
	return s;
}

static bool translate_dataset(struct walk *w, const cJSON *dataset)
{
	static const char *const keys[] = {"mppt", "mppt_id", "status", "data", NULL};
	if (!require_object(w, dataset) || !check_keys(w, dataset, keys))
		return false;
	const char *mppt_id = read_mppt_id(w, dataset);
	if (!mppt_id)
		return false;
	int status;
	size_t mark = push_key(w, "status");
	if (!read_status(w, cJSON_GetObjectItemCaseSensitive(dataset, "status"), &status))
		return false;
	path_pop(w, mark);
	const cJSON *data = require(w, dataset, "data");
	if (!data)
		return false;
	mark = push_key(w, "data");
	if (!cJSON_IsArray(data))
		return fail(w, "must be an array");
	size_t n = (size_t)cJSON_GetArraySize(data);
	if (w->items + n > w->max_items)
		return fail(w, "request holds more than %zu data items", w->max_items);
	w->items += n;
	int i = 0;
	for (const cJSON *item = data->child; item; item = item->next, i++) {
		size_t m = push_index(w, NULL, i);
		if (!translate_item(w, item, mppt_id, status))
			return false;
		path_pop(w, m);
	}
	path_pop(w, mark);
	return true;
}

/* JSON text is UTF-8 without raw control characters (cJSON lets both through). */
static bool check_text(struct walk *w, const char *payload, size_t len)
{
	size_t bad = utf8_invalid_at(payload, len);
	if (bad < len)
		return fail(w, "payload is not valid UTF-8 (byte %zu)", bad);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)payload[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return fail(w, "payload holds a control character (byte %zu)", i);
	}
	return true;
}

static bool translate_request(struct walk *w, const char *payload, size_t len, const struct mppt_limits *limits)
{
	static const char *const keys[] = {"datasets", NULL};
	if (len > limits->max_payload)
		return fail(w, "payload of %zu bytes is over the limit of %zu", len, limits->max_payload);
	if (!check_text(w, payload, len))
		return false;

	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(payload, len, &end, false);
	if (!root)
		return fail(w, "invalid JSON (byte %td)", end ? end - payload : (ptrdiff_t)0);
	bool ok = false;
	while (end < payload + len && strchr(" \t\r\n", *end))
		end++;
	if (end != payload + len) {
		fail(w, "unexpected data after the JSON value (byte %td)", end - payload);
		goto done;
	}
	if (!require_object(w, root) || !check_keys(w, root, keys))
		goto done;
	const cJSON *datasets = require(w, root, "datasets");
	if (!datasets)
		goto done;
	size_t mark = push_key(w, "datasets");
	if (!cJSON_IsArray(datasets)) {
		fail(w, "must be an array");
		goto done;
	}
	int i = 0;
	for (const cJSON *ds = datasets->child; ds; ds = ds->next, i++) {
		size_t m = push_index(w, NULL, i);
		if (!translate_dataset(w, ds))
			goto done;
		path_pop(w, m);
	}
	path_pop(w, mark);
	w->b->datasets = (size_t)i;
	ok = true;
done:
	cJSON_Delete(root);
	return ok;
}

bool mppt_translate(struct mppt_batch *b, const char *payload, size_t len, const char *sender,
		    struct timespec now, const struct mppt_limits *limits)
{
	struct walk w = {.b = b, .sender = sender ? sender : "", .max_items = limits->max_items};
	json_out_reset(&b->text);
	b->count = 0;
	b->datasets = 0;
	b->error[0] = '\0';
	b->path[0] = '\0';
	mppt_time_format_utc(now.tv_sec, (int)(now.tv_nsec / 100000), w.time_processing);

	if (translate_request(&w, payload, len, limits))
		return true;
	b->count = 0; /* all or nothing */
	return false;
}

const char *mppt_message_json(const struct mppt_batch *b, size_t i)
{
	return b->text.buf + b->messages[i].json_offset;
}

double mppt_round_watts(double watts)
{
	/* Beyond 2^53 / 10^4 a double has no fourth decimal left to round. */
	if (!(fabs(watts) < 9e11))
		return watts;
	return round(watts * 10000.0) / 10000.0;
}

void mppt_batch_init(struct mppt_batch *b)
{
	memset(b, 0, sizeof(*b));
	json_out_init(&b->text);
}

void mppt_batch_free(struct mppt_batch *b)
{
	json_out_free(&b->text);
	free(b->messages);
	mppt_batch_init(b);
}
