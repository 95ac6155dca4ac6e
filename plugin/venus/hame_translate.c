#include "hame_translate.h"

#include <stdio.h>
#include <string.h>

#include "eb_text.h"

#define MAX_VALUES (VENUS_REPLY_MAX_PAIRS > VENUS_STATE_MAX_KEYS ? VENUS_REPLY_MAX_PAIRS : VENUS_STATE_MAX_KEYS)
#define SLOTS 512 /* a power of two, over twice MAX_VALUES: short probes */
#define PATH_DEPTH 6
#define NAME_MAX_LEN 47
#define PATH_MAX_LEN 96

/* ---- the reply's values, found by (section, key) ---- */

struct value {
	const char *section, *key, *text;
	size_t section_len, key_len, text_len;
	bool used; /* a field named it: not "other" */
	struct venus_state_entry *entry; /* a merged state's entry it stands for; NULL for a reply's pair */
};

struct values {
	struct value items[MAX_VALUES];
	size_t count;
	/* A merged state is found through its own key index, items[i] standing for its entry i; else: */
	struct venus_state *state;
	/*
	 * Which entry each row of the kind reads, kept in the state (its
	 * entry_of_row): read when map_valid, else filled in by this render.
	 */
	bool map_valid;
	unsigned short slot[SLOTS]; /* item index + 1; 0: empty */
};

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t slot_of(const struct values *v, const char *sec, size_t sec_len, const char *key, size_t key_len)
{
	uint64_t h = fnv(fnv(0xcbf29ce484222325ULL, sec, sec_len), key, key_len);
	size_t s = (size_t)(h & (SLOTS - 1));
	for (;;) {
		unsigned short at = v->slot[s];
		if (at == 0)
			return s;
		const struct value *x = &v->items[at - 1];
		if (x->section_len == sec_len && x->key_len == key_len && memcmp(x->key, key, key_len) == 0 &&
		    memcmp(x->section, sec, sec_len) == 0)
			return s;
		s = (s + 1) & (SLOTS - 1);
	}
}

/* Adds a value; the last of a repeated key wins. */
static void put(struct values *v, const char *sec, size_t sec_len, const char *key, size_t key_len, const char *text,
		size_t text_len)
{
	size_t s = slot_of(v, sec, sec_len, key, key_len);
	if (v->slot[s]) {
		struct value *x = &v->items[v->slot[s] - 1];
		x->text = text;
		x->text_len = text_len;
		return;
	}
	if (v->count == MAX_VALUES)
		return;
	v->items[v->count] = (struct value){sec, key, text, sec_len, key_len, text_len, false, NULL};
	v->slot[s] = (unsigned short)(++v->count);
}

/* The value of raw ("key" or "section:key", NUL-terminated), or NULL. */
static struct value *find(struct values *v, const char *raw)
{
	size_t raw_len = strlen(raw);
	const char *colon = memchr(raw, ':', raw_len);
	if (v->state) { /* a state has no sections: a sectioned key is not in it */
		const struct venus_state_entry *e = colon ? NULL : venus_state_find(v->state, raw, raw_len);
		return e ? &v->items[e - v->state->entries] : NULL;
	}
	size_t sec_len = colon ? (size_t)(colon - raw) : 0;
	const char *key = colon ? colon + 1 : raw;
	size_t key_len = raw_len - (colon ? sec_len + 1 : 0);
	size_t s = slot_of(v, raw, sec_len, key, key_len);
	return v->slot[s] ? &v->items[v->slot[s] - 1] : NULL;
}

/*
 * The value row `row` of the kind reads (its raw key). A merged state keeps
 * the answer per row (venus_state.h, entry_of_row): a device sends the same
 * keys in every reply, so the lookups of one render serve the next ones
 * until a new key arrives, and a row costs an array read instead of a hash.
 */
static struct value *find_row(struct values *v, const struct hame_field *f, size_t row)
{
	if (!v->state || row >= VENUS_STATE_ROWS)
		return find(v, f->raw);
	unsigned char *at = &v->state->entry_of_row[row];
	if (v->map_valid)
		return *at ? &v->items[*at - 1] : NULL;
	struct value *x = find(v, f->raw);
	*at = x ? (unsigned char)(x - v->items + 1) : 0;
	return x;
}

static void values_from_reply(struct values *v, const struct venus_reply *r, bool sectioned)
{
	memset(v->slot, 0, sizeof(v->slot));
	v->count = 0;
	v->state = NULL;
	v->map_valid = false;
	const char *sec = "";
	size_t sec_len = 0;
	for (size_t i = 0; i < r->count; i++) {
		const struct venus_reply_pair *p = &r->pairs[i];
		const char *key = p->key;
		size_t key_len = p->key_len;
		const char *colon = memchr(key, ':', key_len);
		if (sectioned && colon) {
			sec = key;
			sec_len = (size_t)(colon - key);
			key = colon + 1;
			key_len -= sec_len + 1;
		}
		put(v, sectioned ? sec : "", sectioned ? sec_len : 0, key, key_len, p->value, p->value_len);
	}
}

/* The state's entries in its order; find() looks them up in the state's own key index. */
static void values_from_state(struct values *v, const struct hame_reply_kind *kind, struct venus_state *state)
{
	v->state = state;
	v->count = state->count;
	/* The merge only adds entries: while their count stays, every row reads the entry it read before. */
	v->map_valid = state->rows_of == kind->fields && state->rows_count == state->count;
	state->rows_of = kind->fields;
	state->rows_count = state->count;
	for (size_t i = 0; i < state->count; i++) {
		struct venus_state_entry *e = &state->entries[i];
		v->items[i] = (struct value){"", e->key, e->value, 0, e->key_len, e->value_len, false, e};
	}
}

/* ---- paths: "a.b[2].c" as segments ---- */

struct segment {
	char name[NAME_MAX_LEN + 1]; /* "" for an index */
	int index;                   /* -1 for a name */
};

/* Splits path into at most PATH_DEPTH segments; false when malformed. */
static bool split_path(const char *path, struct segment *seg, size_t *n)
{
	size_t count = 0;
	const char *p = path;
	while (*p) {
		size_t len = strcspn(p, ".[");
		if (len == 0 || len > NAME_MAX_LEN || count == PATH_DEPTH)
			return false;
		memcpy(seg[count].name, p, len);
		seg[count].name[len] = '\0';
		seg[count++].index = -1;
		p += len;
		while (*p == '[') {
			int idx = 0;
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9' && idx < 1000)
				idx = idx * 10 + (*p++ - '0');
			if (*p++ != ']' || count == PATH_DEPTH)
				return false;
			seg[count].name[0] = '\0';
			seg[count++].index = idx;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return false;
	}
	*n = count;
	return count > 0;
}

static bool same_segment(const struct segment *a, const struct segment *b)
{
	return a->index == b->index && strcmp(a->name, b->name) == 0;
}

/*
 * The containers open below the top-level object. Each is known by its path
 * text, which is where the fields of a table meet: the innermost one's text
 * is kept ("time_periods[0]"), and end[d] is where container d's text ends
 * in it. A field beside the one before it compares that text and writes a
 * key; none splits its path into copies of its segments.
 */
struct writer {
	struct json_out *o;
	size_t depth;
	bool is_array[PATH_DEPTH];
	int next_index[PATH_DEPTH]; /* for an open array: the next element's index */
	size_t end[PATH_DEPTH];
	char prefix[PATH_MAX_LEN + 1];
	size_t written_from; /* where the last enter() began to write, after the containers it closed */
	bool opened;	     /* the last enter() opened a container: it wrote more than a key or null padding */
};

static void close_to(struct writer *w, size_t depth)
{
	while (w->depth > depth) {
		w->depth--;
		if (w->is_array[w->depth])
			json_out_end_array(w->o);
		else
			json_out_end_object(w->o);
	}
}

/* Writes the null padding before element index of the innermost array. */
static void position_in_array(struct writer *w, int index)
{
	size_t d = w->depth - 1; /* the array */
	while (w->next_index[d] < index) {
		json_out_null(w->o);
		w->next_index[d]++;
	}
	w->next_index[d] = index + 1;
}

/* How many of the open containers path lies in: those whose text, then '.' or '[', begins it. */
static size_t common_depth(const struct writer *w, const char *path)
{
	if (w->depth > 0) { /* the common case, the innermost one: one strncmp, not a loop */
		size_t end = w->end[w->depth - 1];
		if (strncmp(path, w->prefix, end) == 0 && (path[end] == '.' || path[end] == '['))
			return w->depth;
	}
	size_t i = 0;
	for (size_t d = 0; d < w->depth; d++) {
		for (; i < w->end[d]; i++)
			if (path[i] != w->prefix[i]) /* (path's NUL differs too: the text holds none) */
				return d;
		if (path[i] != '.' && path[i] != '[')
			return d;
	}
	return w->depth;
}

/*
 * Positions at path[pos..)'s first segment, "[n]" or ".name" (a bare name at
 * the start), in the innermost open container: null padding or the key.
 * Returns where the segment ends, 0 when it is malformed or does not fit
 * the container (tables are checked by hame_fields_check).
 */
static size_t position_at(struct writer *w, const char *path, size_t pos)
{
	bool in_array = w->depth > 0 && w->is_array[w->depth - 1];
	if (path[pos] == '[') {
		int index = 0;
		size_t i = pos + 1;
		for (; path[i] >= '0' && path[i] <= '9' && i - pos <= 3; i++)
			index = index * 10 + (path[i] - '0');
		if (!in_array || i == pos + 1 || path[i] != ']')
			return 0;
		position_in_array(w, index);
		return i + 1;
	}
	if (pos > 0 && path[pos++] != '.')
		return 0;
	size_t n = strcspn(path + pos, ".[]");
	if (in_array || n == 0 || n > NAME_MAX_LEN)
		return 0;
	json_out_plain_key(w->o, path + pos, n); /* a table's path: plain (hame_fields_check) */
	return pos + n;
}

/* Opens the containers of path (all but its last segment) and positions at the last; false when malformed. */
static bool enter(struct writer *w, const char *path)
{
	close_to(w, common_depth(w, path));
	w->written_from = w->o->len;
	w->opened = false;
	size_t pos = w->depth > 0 ? w->end[w->depth - 1] : 0;
	for (;;) {
		size_t next = position_at(w, path, pos);
		if (next == 0)
			return false;
		if (path[next] == '\0')
			return true;
		/* a container: its text joins the kept one */
		if (w->depth == PATH_DEPTH || next > PATH_MAX_LEN)
			return false;
		w->opened = true;
		memcpy(w->prefix + pos, path + pos, next - pos);
		w->end[w->depth] = next;
		w->is_array[w->depth] = path[next] == '[';
		w->next_index[w->depth] = 0;
		w->depth++;
		if (path[next] == '[')
			json_out_begin_array(w->o);
		else
			json_out_begin_object(w->o);
		pos = next;
	}
}

/* ---- values ---- */

/* The n-th (1-based) '|'-separated part of s, or false when there is none. */
static bool part_of(const char *s, size_t n, int part, const char **out, size_t *out_len)
{
	size_t start = 0;
	for (int i = 1;; i++) {
		const char *bar = memchr(s + start, '|', n - start);
		size_t end = bar ? (size_t)(bar - s) : n;
		if (i == part) {
			*out = s + start;
			*out_len = end - start;
			return true;
		}
		if (!bar)
			return false;
		start = end + 1;
	}
}

static void scaled_out(struct json_out *o, long long v, long long divisor)
{
	if (divisor > 1)
		json_out_number(o, (double)v / (double)divisor);
	else
		json_out_int(o, v);
}

/* "H:M" with one or two digits each, hours up to 24, minutes up to 59. */
static void time_out(struct json_out *o, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	static const struct eb_int_rule hour_rule = {0, 24, 2, false}, minute_rule = {0, 59, 2, false};
	long long h = 0, m = 0;
	if (colon && eb_parse_int(s, (size_t)(colon - s), &hour_rule, &h) == EB_INT_OK &&
	    eb_parse_int(colon + 1, n - (size_t)(colon - s) - 1, &minute_rule, &m) == EB_INT_OK &&
	    (h < 24 || m == 0)) {
		char text[6];
		json_out_string_n(o, text, venus_clock_text((int)h, (int)m, text));
		return;
	}
	json_out_text(o, s, n);
}

static const char *choice(const struct hame_field *f, long long v)
{
	if (v >= 0 && (size_t)v < f->n_choices && f->choices[v])
		return f->choices[v];
	return NULL;
}

static void value_out(struct json_out *o, const struct hame_field *f, const char *s, size_t n)
{
	if (f->kind == HAME_FIELD_TEXT) {
		json_out_text(o, s, n);
		return;
	}
	if (f->kind == HAME_FIELD_PERIOD) {
		venus_reply_period_out(o, s, n);
		return;
	}
	if (f->kind == HAME_FIELD_TIME) {
		time_out(o, s, n);
		return;
	}
	long long v = 0;
	if (!venus_reply_integer(s, n, &v)) {
		json_out_text(o, s, n);
		return;
	}
	const char *name = NULL;
	switch (f->kind) {
	case HAME_FIELD_SCALED:
		scaled_out(o, v, f->divisor);
		return;
	case HAME_FIELD_ENUM:
		name = choice(f, v);
		if (!name && f->fallback)
			name = f->fallback;
		if (name)
			json_out_string(o, name);
		else
			json_out_int(o, v);
		return;
	case HAME_FIELD_BOOL:
		if (v == 0 || v == 1)
			json_out_bool(o, v == 1);
		else
			json_out_int(o, v);
		return;
	case HAME_FIELD_BIT:
		if (v < 0 || f->bit < 0 || f->bit > 62) {
			json_out_int(o, v);
			return;
		}
		v = (v >> f->bit) & 1;
		name = choice(f, v);
		if (name)
			json_out_string(o, name);
		else
			json_out_bool(o, v == 1);
		return;
	case HAME_FIELD_INT8:
		scaled_out(o, v >= 128 && v <= 255 ? v - 256 : v, f->divisor);
		return;
	case HAME_FIELD_RSSI:
		if (v == 0 || v == 32767)
			json_out_null(o);
		else
			json_out_int(o, v);
		return;
	default:
		json_out_int(o, v);
		return;
	}
}

/* min, max, spread and average (half up) of the non-zero cells named by f->raw; nulls when none. */
static bool cell_stats_out(struct writer *w, struct values *v, const struct hame_field *f)
{
	long long min = 0, max = 0, sum = 0, count = 0;
	static const char hex[] = "0123456789abcdef";
	char key[VENUS_REPLY_KEY_MAX + 3];
	size_t prefix = strlen(f->raw);
	bool possible = prefix <= VENUS_REPLY_KEY_MAX; /* else no reply has such keys: no cells */
	if (possible)
		memcpy(key, f->raw, prefix);
	for (int i = 0; possible && i < 16; i++) {
		size_t key_len = prefix;
		if (f->cells == HAME_CELLS_HEX) {
			key[key_len++] = hex[i];
		} else {
			if (i + 1 >= 10)
				key[key_len++] = '1';
			key[key_len++] = (char)('0' + (i + 1) % 10);
		}
		key[key_len] = '\0';
		const struct value *x = find(v, key);
		long long mv = 0;
		if (!x || !venus_reply_integer(x->text, x->text_len, &mv) || mv <= 0 || mv > 100000)
			continue;
		min = count == 0 || mv < min ? mv : min;
		max = count == 0 || mv > max ? mv : max;
		sum += mv;
		count++;
	}
	static const char *const names[] = {"cell_min_mv", "cell_max_mv", "cell_spread_mv", "cell_avg_mv"};
	long long stats[4] = {min, max, max - min, count ? (2 * sum + count) / (2 * count) : 0};
	size_t container = strlen(f->path);
	if (container + 16 > PATH_MAX_LEN)
		return false; /* the paths of the tables are far shorter (hame_fields_check) */
	char path[PATH_MAX_LEN + 1];
	memcpy(path, f->path, container);
	if (container > 0)
		path[container++] = '.';
	for (int i = 0; i < 4; i++) {
		size_t name = strlen(names[i]);
		memcpy(path + container, names[i], name + 1);
		if (!enter(w, path))
			return false;
		if (count)
			json_out_int(w->o, stats[i]);
		else
			json_out_null(w->o);
	}
	return true;
}

/* raw + plus, when both are integers; their own fields name them (not "used" here). */
static void sum_out(struct writer *w, struct values *v, const struct hame_field *f)
{
	const struct value *a = find(v, f->raw);
	const struct value *b = find(v, f->plus);
	long long x, y;
	if (!a || !b || !venus_reply_integer(a->text, a->text_len, &x) ||
	    !venus_reply_integer(b->text, b->text_len, &y))
		return;
	if (enter(w, f->path))
		json_out_int(w->o, x + y); /* at most 18 digits each: no overflow */
}

/*
 * Whether the writer is where a field's kept JSON was written: at the top
 * level (at 0; open containers are closed), or in the object whose path
 * text is path's first `at` bytes, as its innermost container.
 */
static bool in_kept_place(struct writer *w, const char *path, size_t at)
{
	if (at == 0) {
		close_to(w, 0);
		return true;
	}
	return w->depth > 0 && w->end[w->depth - 1] == at && strncmp(path, w->prefix, at) == 0;
}

static void field_out(struct writer *w, struct values *v, const struct hame_field *f, size_t row)
{
	if (f->kind == HAME_FIELD_CELL_STATS) {
		cell_stats_out(w, v, f);
		return;
	}
	if (f->kind == HAME_FIELD_SUM) {
		sum_out(w, v, f);
		return;
	}
	struct value *x = find_row(v, f, row);
	if (!x)
		return;
	x->used = true;
	/*
	 * A field of a merged state keeps its JSON, key and value, in the entry
	 * it reads (venus_state.h), for the next render while the value stays the
	 * same: most of a device's values do. It is written where it was kept:
	 * at the top level, or right after a field of the same object (the
	 * object's path text is the one kept with it, json_at); the first field
	 * of an object is written anew, with the object's opening.
	 */
	struct venus_state_entry *e = x->entry;
	if (e && e->json_of == f && e->json_len > 0 && in_kept_place(w, f->path, e->json_at)) {
		venus_state_replay(e, f, w->o);
		return;
	}
	const char *s = x->text;
	size_t n = x->text_len;
	if (f->part > 0 && !part_of(x->text, x->text_len, f->part, &s, &n))
		return; /* the part is missing: the whole value stays under "other" */
	if (!enter(w, f->path))
		return;
	value_out(w->o, f, s, n);
	size_t at = w->depth > 0 ? w->end[w->depth - 1] : 0;
	/*
	 * Kept: what follows a name's key only (an array's element would need
	 * its null padding, an object opened here its opening); the containers
	 * closed before it are not part of it. An entry whose JSON another row
	 * keeps stays with that row: several rows read one value (the bits of a
	 * status word), and each taking the entry over from the row before
	 * would leave none to replay.
	 */
	bool kept_by_other_row = e && e->json_len > 0 && e->json_of != f;
	if (e && !kept_by_other_row && !w->opened && (at == 0 || f->path[at] == '.')) {
		venus_state_keep(e, f, w->o, w->written_from);
		if (e->json_of == f)
			e->json_at = (unsigned char)at;
	}
}

static void other_out(struct json_out *o, const struct values *v)
{
	bool open = false;
	for (size_t i = 0; i < v->count; i++) {
		const struct value *x = &v->items[i];
		if (x->used)
			continue;
		if (!open) {
			json_out_plain_key(o, "other", strlen("other"));
			json_out_begin_object(o);
			open = true;
		}
		if (x->section_len == 0) {
			json_out_key_n(o, x->key, x->key_len);
		} else {
			char key[VENUS_REPLY_KEY_MAX * 2 + 2]; /* "section:key", each at most a key long */
			memcpy(key, x->section, x->section_len);
			key[x->section_len] = ':';
			memcpy(key + x->section_len + 1, x->key, x->key_len);
			json_out_key_n(o, key, x->section_len + 1 + x->key_len);
		}
		json_out_text(o, x->text, x->text_len);
	}
	if (open)
		json_out_end_object(o);
}

/* Opens the object and writes its header: "type", "id", "mac" when known, "updated". */
static void header_out(const char *type, const char *id, const char *mac, int64_t updated_ms, struct json_out *o)
{
	char updated[40];
	venus_format_utc(updated_ms, updated, sizeof(updated));
	json_out_begin_object(o);
	json_out_plain_key(o, "type", strlen("type"));
	json_out_text(o, type ? type : "", type ? strlen(type) : 0);
	json_out_plain_key(o, "id", strlen("id"));
	json_out_text(o, id ? id : "", id ? strlen(id) : 0);
	if (mac) {
		json_out_plain_key(o, "mac", strlen("mac"));
		json_out_text(o, mac, strlen(mac));
	}
	json_out_plain_key(o, "updated", strlen("updated"));
	json_out_string(o, updated);
}

/* The fields, "other", and the object's end: what follows the header. */
static void body_out(const struct hame_reply_kind *kind, struct values *v, struct json_out *o)
{
	struct writer w = {.o = o};
	for (size_t i = 0; i < kind->n_fields; i++)
		field_out(&w, v, &kind->fields[i], i);
	close_to(&w, 0);
	other_out(o, v);
	json_out_end_object(o);
}

bool hame_translate_reply(const struct hame_reply_kind *kind, const struct venus_reply *reply, const char *type,
			  const char *id, const char *mac, int64_t updated_ms, struct json_out *o)
{
	struct values v;
	values_from_reply(&v, reply, kind->sectioned);
	header_out(type, id, mac, updated_ms, o);
	body_out(kind, &v, o);
	return !json_out_failed(o);
}

/*
 * The body depends on the table and the entries alone, so a state no merge
 * changed since the last render by the same table gets a copy of that
 * render's body (venus_state.h): a device at rest repeats its reply, and
 * its state costs one copy instead of a walk of the table.
 */
bool hame_translate_state(const struct hame_reply_kind *kind, struct venus_state *state, const char *type,
			  const char *id, const char *mac, struct json_out *o)
{
	header_out(type, id, mac, state->updated_ms, o);
	if (state->body_len > 0 && state->body_of == kind && state->body_at == state->changes) {
		json_out_verbatim(o, state->body, state->body_len);
		return !json_out_failed(o);
	}
	size_t from = o->len;
	struct values v;
	values_from_state(&v, kind, state);
	body_out(kind, &v, o);
	if (json_out_failed(o))
		return false;
	size_t n = o->len - from;
	state->body_len = n <= sizeof(state->body) ? n : 0;
	memcpy(state->body, o->buf + from, state->body_len);
	state->body_of = kind;
	state->body_at = state->changes;
	return true;
}

/* A sectioned reply's signature names a section by its first key, as sent: "bms:c_vol". */
static bool has_key(const struct venus_reply *r, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < r->count; i++)
		if (r->pairs[i].key_len == n && r->pairs[i].key[0] == key[0] && memcmp(r->pairs[i].key, key, n) == 0)
			return true; /* (the first byte first: most keys have two or three) */
	return false;
}

const struct hame_reply_kind *hame_reply_kind_of(const struct hame_reply_kind *kinds, size_t n,
						 const struct venus_reply *reply)
{
	for (size_t k = 0; k < n; k++) {
		bool all = kinds[k].n_signature > 0;
		for (size_t s = 0; all && s < kinds[k].n_signature; s++)
			all = has_key(reply, kinds[k].signature[s]);
		if (all)
			return &kinds[k];
	}
	return NULL;
}

/* ---- the table check of the unit tests ---- */

/* Where each container of path ends: the offsets of its '.' and '['. */
static size_t container_prefixes(const char *path, size_t *ends, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; path[i] && n < max; i++)
		if (path[i] == '.' || path[i] == '[')
			ends[n++] = i;
	return n;
}

/* A path's bytes are written as JSON keys without escaping (enter_beside): letters, digits, "_.[]" only. */
static bool is_plain_path(const char *path)
{
	for (const char *p = path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '[' || *p == ']'))
			return false;
	return true;
}

bool hame_fields_check(const struct hame_field *fields, size_t n, char *why, size_t why_size)
{
	for (size_t i = 0; i < n; i++) {
		struct segment seg[PATH_DEPTH];
		size_t depth = 0;
		if (!is_plain_path(fields[i].path))
			return eb_error(why, why_size, "field %zu (%s): path %s has a byte other than letters, digits and _.[]",
					i, fields[i].raw, fields[i].path) == 0;
		if (fields[i].kind == HAME_FIELD_CELL_STATS && fields[i].path[0] == '\0')
			continue; /* its four values at the top level */
		if (!split_path(fields[i].path, seg, &depth) || seg[0].index >= 0)
			return eb_error(why, why_size, "field %zu (%s): malformed path %s", i, fields[i].raw,
					fields[i].path) == 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(fields[i].path, fields[j].path) == 0 && fields[i].kind != HAME_FIELD_CELL_STATS)
				return eb_error(why, why_size, "path %s written twice", fields[i].path) == 0;
		/* every container of this path: the fields since its first use all lie in it */
		size_t ends[PATH_DEPTH * 2];
		size_t k = container_prefixes(fields[i].path, ends, PATH_DEPTH * 2);
		for (size_t c = 0; c < k; c++) {
			size_t len = ends[c];
			size_t first = i;
			for (size_t j = 0; j < i; j++)
				if (strncmp(fields[j].path, fields[i].path, len) == 0 &&
				    (fields[j].path[len] == '.' || fields[j].path[len] == '[')) {
					first = j;
					break;
				}
			for (size_t j = first; j < i; j++)
				if (!(strncmp(fields[j].path, fields[i].path, len) == 0 &&
				      (fields[j].path[len] == '.' || fields[j].path[len] == '[')))
					return eb_error(why, why_size, "%s is apart from the other fields of %.*s",
							fields[i].path, (int)len, fields[i].path) == 0;
			for (size_t j = 0; j < n; j++)
				if (fields[j].kind != HAME_FIELD_CELL_STATS && strlen(fields[j].path) == len && strncmp(fields[j].path, fields[i].path, len) == 0)
					return eb_error(why, why_size, "%s is both a value and a container",
							fields[j].path) == 0;
		}
		if (i > 0) { /* array elements in increasing order */
			struct segment prev[PATH_DEPTH];
			size_t pd = 0;
			if (!split_path(fields[i - 1].path, prev, &pd))
				pd = 0;
			size_t d = 0;
			while (d < pd && d < depth && same_segment(&prev[d], &seg[d]))
				d++;
			if (d < pd && d < depth && (prev[d].index >= 0) != (seg[d].index >= 0))
				return eb_error(why, why_size, "%s mixes names and indexes", fields[i].path) == 0;
			if (d < pd && d < depth && seg[d].index >= 0 && seg[d].index < prev[d].index)
				return eb_error(why, why_size, "%s comes after a higher index", fields[i].path) == 0;
		}
	}
	if (why && why_size)
		why[0] = '\0';
	return true;
}
