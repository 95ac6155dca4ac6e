#include "venus_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "eb_text.h"
#include "venus_table.h"

_Static_assert(VENUS_TABLE_FIELDS <= VENUS_STATE_FIELDS, "venus_state.slot_of_field is too small for the table");

void venus_state_init(struct venus_state *state)
{
	memset(state, 0, sizeof(*state));
}

_Static_assert(VENUS_STATE_KEY_SLOTS > 2 * VENUS_STATE_MAX_KEYS && VENUS_STATE_MAX_KEYS < 255,
	       "the key index must have free slots and fit entry numbers in a byte");

/* The slot of key in the key index: where it is, or the empty slot where it goes. */
static size_t key_slot(const struct venus_state *state, const char *key, size_t key_len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < key_len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	size_t s = (size_t)(h & (VENUS_STATE_KEY_SLOTS - 1));
	for (;;) {
		unsigned at = state->slot_of_key[s];
		if (at == 0)
			return s;
		const struct venus_state_entry *e = &state->entries[at - 1];
		if (e->key_len == key_len && e->key[0] == key[0] && memcmp(e->key, key, key_len) == 0)
			return s; /* (no entry has an empty key: key[0] is read only when key_len > 0) */
		s = (s + 1) & (VENUS_STATE_KEY_SLOTS - 1);
	}
}

const struct venus_state_entry *venus_state_find(const struct venus_state *state, const char *key, size_t key_len)
{
	unsigned at = state->slot_of_key[key_slot(state, key, key_len)];
	return at ? &state->entries[at - 1] : NULL;
}

/* Whether a[0..n) equals b[0..n): keys have a few bytes, fewer than a call to memcmp costs. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static const struct venus_state_entry *entry_of_field(const struct venus_state *state, size_t field)
{
	unsigned slot = state->slot_of_field[field];
	return slot ? &state->entries[slot - 1] : NULL;
}

static void note_refusal(size_t *refused, char *why, size_t why_size, const char *reason,
			 const struct venus_reply_pair *p)
{
	if ((*refused)++ == 0)
		eb_error(why, why_size, "%s: %.*s", reason, (int)p->key_len, p->key);
}

size_t venus_state_merge(struct venus_state *state, const struct venus_reply *reply,
			 int64_t now_ms, char *why, size_t why_size)
{
	size_t refused = 0;
	if (why && why_size > 0)
		why[0] = '\0';
	size_t expected = 0; /* devices send the table's keys in its order: try the next one first */
	size_t expected_entry = 0; /* and their own keys in the same order every time: try the next entry */
	for (size_t i = 0; i < reply->count; i++) {
		const struct venus_reply_pair *p = &reply->pairs[i];
		if (p->key_len == 0 || p->key_len > VENUS_REPLY_KEY_MAX) {
			note_refusal(&refused, why, why_size, "key length out of bounds", p);
			continue;
		}
		if (p->value_len > VENUS_STATE_VALUE_MAX) {
			note_refusal(&refused, why, why_size, "value longer than 127 bytes", p);
			continue;
		}
		/*
		 * The next row of the table is tried first, then the entry after the
		 * last one merged (a device repeats its order). Any other key is looked
		 * up in the key index, and only a key the state has not seen yet is
		 * looked up in the table.
		 */
		int field = -1;
		size_t at = state->count;
		size_t slot = 0;
		bool indexed = false; /* slot is known: the key index's slot for this key */
		if (expected < VENUS_TABLE_FIELDS && venus_table[expected].raw_len == p->key_len &&
		    venus_table[expected].raw[0] == p->key[0] && memcmp(venus_table[expected].raw, p->key, p->key_len) == 0) {
			field = (int)expected;
			if (state->slot_of_field[field])
				at = state->slot_of_field[field] - 1u;
		} else if (expected_entry < state->count && state->entries[expected_entry].key_len == p->key_len &&
			   state->entries[expected_entry].key[0] == p->key[0] &&
			   same_bytes(state->entries[expected_entry].key, p->key, p->key_len)) {
			at = expected_entry;
			field = state->entries[at].field;
		} else {
			slot = key_slot(state, p->key, p->key_len);
			indexed = true;
			if (state->slot_of_key[slot]) {
				at = state->slot_of_key[slot] - 1u;
				field = state->entries[at].field;
			} else {
				field = venus_table_index(p->key, p->key_len);
			}
		}
		if (field >= 0)
			expected = (size_t)field + 1;
		if (at == VENUS_STATE_MAX_KEYS) {
			note_refusal(&refused, why, why_size, "state full (96 keys)", p);
			continue;
		}
		expected_entry = at + 1;
		struct venus_state_entry *e = &state->entries[at];
		if (at == state->count) {
			state->count++;
			memcpy(e->key, p->key, p->key_len);
			e->key[p->key_len] = '\0';
			e->key_len = p->key_len;
			e->field = field;
			if (field >= 0)
				state->slot_of_field[field] = (unsigned char)(at + 1);
			if (!indexed)
				slot = key_slot(state, p->key, p->key_len);
			state->slot_of_key[slot] = (unsigned char)(at + 1);
		} else if (e->value_len == p->value_len && memcmp(e->value, p->value, p->value_len) == 0) {
			continue; /* the same value: the JSON kept for it stays right */
		}
		memcpy(e->value, p->value, p->value_len);
		e->value[p->value_len] = '\0';
		e->value_len = p->value_len;
		e->json_len = 0;
		state->changes++;
	}
	state->updated_ms = now_ms;
	return refused;
}

/* A name of the table or a literal: plain by construction (tests/unit/test_hame_family.c). */
static void name_out(struct json_out *o, const char *name)
{
	json_out_plain_key(o, name, strlen(name));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Writes the lowest `digits` decimal digits of v at buf. */
static void put_digits(char *buf, int64_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

size_t venus_format_utc(int64_t unix_ms, char *buf, size_t size)
{
	int64_t seconds = floor_div(unix_ms, 1000);
	int64_t days = floor_div(seconds, 86400);
	int64_t in_day = seconds - days * 86400;
	int64_t year;
	int month, day;
	civil_date_from_days(days, &year, &month, &day);
	if (year < 0 || year > 9999 || size < 21) { /* a clock that far off: printf's forms */
		int n = snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
				 (int)(in_day / 3600), (int)(in_day / 60 % 60), (int)(in_day % 60));
		return n < 0 ? 0 : (size_t)n;
	}
	/* Once per state written: digits by hand, not printf. */
	memcpy(buf, "0000-00-00T00:00:00Z", 21);
	put_digits(buf, year, 4);
	put_digits(buf + 5, month, 2);
	put_digits(buf + 8, day, 2);
	put_digits(buf + 11, in_day / 3600, 2);
	put_digits(buf + 14, in_day / 60 % 60, 2);
	put_digits(buf + 17, in_day % 60, 2);
	return 20;
}

/*
 * The integers of a "a|b|..." value, at most max of them: their count, or 0
 * when a part is not an integer or there are more than max.
 */
static size_t bar_integers(const char *value, size_t len, long long *out, size_t max)
{
	size_t found = 0, start = 0;
	while (start <= len) {
		const char *bar = memchr(value + start, '|', len - start);
		size_t end = bar ? (size_t)(bar - value) : len;
		if (found == max || !venus_reply_integer(value + start, end - start, &out[found]))
			return 0;
		found++;
		start = end + 1;
	}
	return found;
}

/* The power of a PV input, "P|c" with P in 1/divisor W; false when the value is not that. */
static bool pv_input_power(const struct venus_state_entry *e, long long *power)
{
	long long parts[2];
	if (bar_integers(e->value, e->value_len, parts, 2) != 2)
		return false;
	*power = parts[0];
	return true;
}

/* The fields of the "a|b" values newer firmware sends; false when the value has another form. */
static bool parts_out(struct json_out *o, const struct venus_field *f, const struct venus_state_entry *e)
{
	long long parts[VENUS_STATE_VALUE_MAX / 2 + 1];
	size_t n = bar_integers(e->value, e->value_len, parts, sizeof(parts) / sizeof(parts[0]));
	if (f->kind == VENUS_FIELD_PV_INPUT) {
		if (n != 2)
			return false;
		name_out(o, f->name);
		json_out_number(o, (double)parts[0] / (double)f->divisor);
		name_out(o, f->second_name);
		if (parts[1] == 0 || parts[1] == 1)
			json_out_bool(o, parts[1] == 1);
		else
			json_out_int(o, parts[1]);
		return true;
	}
	if (n == 0)
		return false;
	name_out(o, f->name);
	if (f->kind == VENUS_FIELD_FIRST_LAST) {
		json_out_int(o, parts[0]);
		name_out(o, f->second_name);
		json_out_int(o, parts[n - 1]);
	} else if (parts[0] >= 0 && (size_t)parts[0] < f->n_choices && f->choices[parts[0]]) {
		json_out_string(o, f->choices[parts[0]]);
	} else {
		json_out_int(o, parts[0]);
	}
	return true;
}

/* The sum of the PV inputs' powers, when the state has at least one. */
static void pv_total_out(struct json_out *o, const struct venus_field *total, const struct venus_state *state)
{
	long long sum = 0;
	bool any = false;
	for (size_t i = 0; i < VENUS_TABLE_FIELDS; i++) {
		const struct venus_state_entry *e = venus_table[i].kind == VENUS_FIELD_PV_INPUT ? entry_of_field(state, i) : NULL;
		long long power;
		if (e && pv_input_power(e, &power)) {
			sum += power; /* at most 18 digits each (venus_reply_integer): four fit */
			any = true;
		}
	}
	if (!any)
		return;
	name_out(o, total->name);
	json_out_number(o, (double)sum / (double)total->divisor);
}

static void field_out(struct json_out *o, const struct venus_field *f, const struct venus_state_entry *e)
{
	if ((f->kind == VENUS_FIELD_PV_INPUT || f->kind == VENUS_FIELD_FIRST_LAST || f->kind == VENUS_FIELD_FIRST_ENUM) &&
	    parts_out(o, f, e))
		return;
	long long v;
	bool number = venus_reply_integer(e->value, e->value_len, &v);
	name_out(o, f->name);
	if (!number || f->kind == VENUS_FIELD_TEXT || f->kind == VENUS_FIELD_PV_INPUT ||
	    f->kind == VENUS_FIELD_FIRST_LAST || f->kind == VENUS_FIELD_FIRST_ENUM) {
		json_out_text(o, e->value, e->value_len);
	} else if (f->kind == VENUS_FIELD_SCALED) {
		json_out_number(o, (double)v / (double)f->divisor);
	} else if (f->kind == VENUS_FIELD_ENUM && v >= 0 && (size_t)v < f->n_choices && f->choices[v]) {
		json_out_string(o, f->choices[v]);
	} else if (f->kind == VENUS_FIELD_BIT_ENUM) {
		json_out_string(o, f->choices[(v & f->mask) != 0]);
	} else {
		json_out_int(o, v);
	}
}

bool venus_state_replay(const struct venus_state_entry *e, const void *row, struct json_out *o)
{
	if (e->json_len == 0 || e->json_of != row)
		return false;
	json_out_raw_value(o, e->json, e->json_len);
	return true;
}

void venus_state_keep(struct venus_state_entry *e, const void *row, const struct json_out *o, size_t from)
{
	if (json_out_failed(o))
		return;
	if (from < o->len && o->buf[from] == ',')
		from++;
	size_t n = o->len - from;
	if (n == 0 || n > VENUS_STATE_JSON_MAX)
		return;
	memcpy(e->json, o->buf + from, n);
	e->json_len = (unsigned char)n;
	e->json_of = row;
}

/* field_out, or the JSON kept from the last render while the value is the same. */
static void kept_field_out(struct json_out *o, const struct venus_field *f, struct venus_state_entry *e)
{
	if (venus_state_replay(e, f, o))
		return;
	size_t from = o->len;
	field_out(o, f, e);
	venus_state_keep(e, f, o, from);
}

static void periods_out(struct json_out *o, struct venus_state *state)
{
	struct venus_state_entry *periods[10] = {NULL};
	int highest = -1;
	for (int n = 0; n < 10; n++) {
		unsigned slot = state->slot_of_field[VENUS_TABLE_FIRST_PERIOD + n];
		periods[n] = slot ? &state->entries[slot - 1] : NULL;
		if (periods[n])
			highest = n;
	}
	if (highest < 0)
		return;
	name_out(o, "time_periods");
	json_out_begin_array(o);
	for (int n = 0; n <= highest; n++) {
		if (!periods[n]) {
			json_out_null(o);
		} else if (!venus_state_replay(periods[n], &venus_table[VENUS_TABLE_FIRST_PERIOD + n], o)) {
			size_t from = o->len;
			venus_reply_period_out(o, periods[n]->value, periods[n]->value_len);
			venus_state_keep(periods[n], &venus_table[VENUS_TABLE_FIRST_PERIOD + n], o, from);
		}
	}
	json_out_end_array(o);
}

static void other_out(struct json_out *o, const struct venus_state *state)
{
	bool open = false;
	for (size_t i = 0; i < state->count; i++) {
		const struct venus_state_entry *e = &state->entries[i];
		if (e->field >= 0)
			continue;
		if (!open) {
			name_out(o, "other");
			json_out_begin_object(o);
			open = true;
		}
		json_out_key_n(o, e->key, e->key_len);
		json_out_text(o, e->value, e->value_len);
	}
	if (open)
		json_out_end_object(o);
}

bool venus_state_render(struct venus_state *state, const char *type, const char *id, struct json_out *o)
{
	char updated[40];
	venus_format_utc(state->updated_ms, updated, sizeof(updated));
	json_out_begin_object(o);
	name_out(o, "type");
	json_out_text(o, type ? type : "", type ? strlen(type) : 0);
	name_out(o, "id");
	json_out_text(o, id ? id : "", id ? strlen(id) : 0);
	name_out(o, "updated");
	json_out_string(o, updated);
	bool periods_done = false;
	for (size_t i = 0; i < VENUS_TABLE_FIELDS; i++) {
		const struct venus_field *f = &venus_table[i];
		if (f->kind == VENUS_FIELD_PERIOD) {
			if (!periods_done)
				periods_out(o, state);
			periods_done = true;
			continue;
		}
		if (f->kind == VENUS_FIELD_PV_TOTAL) {
			pv_total_out(o, f, state);
			continue;
		}
		unsigned slot = state->slot_of_field[i];
		if (slot)
			kept_field_out(o, f, &state->entries[slot - 1]);
	}
	other_out(o, state);
	json_out_end_object(o);
	return !json_out_failed(o);
}
