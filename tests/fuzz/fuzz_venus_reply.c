/*
 * fuzz_venus_reply: what a Venus battery sends back, read by venus_reply.h,
 * merged into a device's state and rendered by venus_state.h.
 *
 * Input: the bytes of a reply as the device would publish it (the seed
 * corpus holds the information reply of the vendor document (docs/venus.md, "Replies") and the ret= and
 * get_power= replies), passed without a terminating NUL. The whole input is
 * one reply; each of its lines is also a reply, merged in turn into the same
 * state at a different time, so that merges over earlier merges, a full
 * state and the clock's extremes are reached.
 *
 * Checked (a violation traps, so libFuzzer reports it as a crash):
 * - parse: pairs point into the input, keys are 1 to 32 key characters,
 *   values hold no comma, the kind follows the keys (venus_reply.h);
 * - the .../reply JSON and the .../state JSON read back with cJSON as one
 *   object, are valid UTF-8 and have no repeated member names;
 * - every family's reply kinds (hame_translate.h) render the reply and the
 *   merged state as one valid JSON object without repeated names;
 * - merge: every pair is either refused (and counted, with a reason) or
 *   its key holds the value of its last pair; keys stay unique and within
 *   VENUS_STATE_MAX_KEYS; "other" is there exactly when an unknown key is;
 * - render: what the entries keep of their JSON between renders gives the
 *   same text as rendering them anew.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hame_family.h"
#include "json_out.h"
#include "utf8.h"
#include "venus_reply.h"
#include "venus_state.h"
#include "venus_table.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* Topic levels that need escaping, to see that they are escaped. */
#define DEVICE_TYPE "HMG-50\"\\"
#define DEVICE_ID "0123456789ab\x01\xc3\xa9"

/* Merge times, one per line in turn: the plugin's clock, and its extremes. */
static const int64_t merge_ms[] = {
	1700000000000, 0, -1, INT64_MAX, INT64_MIN, 253402300799999, -62167219200001,
};

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':';
}

static bool is_trailing_junk(char c)
{
	return c == '\0' || c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

static bool same_key(const struct venus_reply_pair *a, const struct venus_reply_pair *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

static bool has_key(const struct venus_reply *r, const char *key)
{
	struct venus_reply_pair wanted = {.key = key, .key_len = strlen(key)};
	for (size_t i = 0; i < r->count; i++)
		if (same_key(&r->pairs[i], &wanted))
			return true;
	return false;
}

/* Reads one JSON document from o and checks what every document of ours must be. */
static cJSON *read_back(const struct json_out *o)
{
	CHECK(!json_out_failed(o) && o->len > 0);
	CHECK(utf8_invalid_at(o->buf, o->len) == o->len);
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(o->buf, o->len, &end, false);
	CHECK(doc != NULL && cJSON_IsObject(doc) && end == o->buf + o->len);
	return doc;
}

/* A JSON object whose members all have different names; returns how many there are. */
static size_t unique_members(const cJSON *object)
{
	size_t n = 0;
	for (const cJSON *a = object->child; a; a = a->next, n++)
		for (const cJSON *b = a->next; b; b = b->next)
			CHECK(strcmp(a->string, b->string) != 0);
	return n;
}

static void check_parse(const struct venus_reply *r, const char *bytes, size_t len)
{
	CHECK(r->text == bytes || len == 0);
	CHECK(r->text_len <= len);
	CHECK(r->text_len == 0 || !is_trailing_junk(r->text[r->text_len - 1]));
	CHECK(r->count <= VENUS_REPLY_MAX_PAIRS);
	CHECK(strnlen(r->note, sizeof(r->note)) < sizeof(r->note));
	CHECK((r->ignored == 0) == (r->note[0] == '\0'));
	bool information = false;
	for (size_t i = 0; i < r->count; i++) {
		const struct venus_reply_pair *p = &r->pairs[i];
		CHECK(p->key >= r->text && p->key_len >= 1 && p->key_len <= VENUS_REPLY_KEY_MAX);
		CHECK(p->value == p->key + p->key_len + 1 && p->value[-1] == '=');
		CHECK(p->value + p->value_len <= r->text + r->text_len);
		for (size_t k = 0; k < p->key_len; k++)
			CHECK(is_key_char(p->key[k]));
		CHECK(memchr(p->value, ',', p->value_len) == NULL);
		information = information || venus_table_has_key(p->key, p->key_len);
	}
	enum venus_reply_kind kind = information ? VENUS_REPLY_INFORMATION
				     : has_key(r, "ret")       ? VENUS_REPLY_RET
				     : has_key(r, "get_power") ? VENUS_REPLY_GET_POWER
							       : VENUS_REPLY_OTHER;
	CHECK(r->kind == kind);
	CHECK(strcmp(venus_reply_kind_name(r->kind), "unknown") != 0);
}

/* The .../reply document: one member per distinct key, or "raw" and "raw_bytes", or nothing. */
static void check_reply_render(const struct venus_reply *r)
{
	struct json_out o;
	json_out_init(&o);
	CHECK(venus_reply_render(r, &o));
	cJSON *doc = read_back(&o);
	size_t members = unique_members(doc);
	size_t distinct = 0;
	for (size_t i = 0; i < r->count; i++) {
		bool last = true;
		for (size_t j = i + 1; j < r->count; j++)
			last = last && !same_key(&r->pairs[i], &r->pairs[j]);
		distinct += last;
	}
	if (r->count > 0) {
		CHECK(members == distinct);
	} else {
		/* "raw" quotes at most VENUS_REPLY_RAW_QUOTE bytes (six each when escaped), "raw_bytes" the length. */
		CHECK(members == (r->text_len > 0 ? 2u : 0u));
		CHECK(o.len <= VENUS_REPLY_RAW_QUOTE * 6 + 64);
	}
	cJSON_Delete(doc);
	json_out_free(&o);
}

/* The index of the entry holding p's key, or s->count; key_lens[] caches the entries' key lengths. */
static size_t find_entry(const struct venus_state *s, const size_t *key_lens,
			 const struct venus_reply_pair *p)
{
	for (size_t i = 0; i < s->count; i++)
		if (key_lens[i] == p->key_len && memcmp(s->entries[i].key, p->key, p->key_len) == 0)
			return i;
	return s->count;
}

static void check_merge(struct venus_state *s, const struct venus_reply *r, int64_t now_ms)
{
	size_t before = s->count;
	char why[96];
	size_t refused = venus_state_merge(s, r, now_ms, why, sizeof(why));
	CHECK(strnlen(why, sizeof(why)) < sizeof(why));
	CHECK((refused == 0) == (why[0] == '\0') && refused <= r->count);
	CHECK(s->count >= before && s->count <= VENUS_STATE_MAX_KEYS);
	CHECK(s->updated_ms == now_ms);

	size_t key_lens[VENUS_STATE_MAX_KEYS];
	for (size_t i = 0; i < s->count; i++)
		key_lens[i] = strnlen(s->entries[i].key, sizeof(s->entries[i].key));

	/* Which pair each entry must hold now: the last one with its key that was not too long. */
	const struct venus_reply_pair *expected[VENUS_STATE_MAX_KEYS] = {NULL};
	size_t too_long = 0, not_kept = 0;
	for (size_t i = 0; i < r->count; i++) {
		const struct venus_reply_pair *p = &r->pairs[i];
		if (p->value_len > VENUS_STATE_VALUE_MAX) {
			too_long++;
			continue;
		}
		size_t at = find_entry(s, key_lens, p);
		if (at == s->count) {
			not_kept++; /* only a full state refuses a key it does not have */
			CHECK(s->count == VENUS_STATE_MAX_KEYS);
			continue;
		}
		expected[at] = p;
	}
	CHECK(refused == too_long + not_kept);
	for (size_t i = 0; i < s->count; i++) {
		const struct venus_state_entry *e = &s->entries[i];
		CHECK(key_lens[i] >= 1 && key_lens[i] <= VENUS_REPLY_KEY_MAX);
		CHECK(e->value_len <= VENUS_STATE_VALUE_MAX && e->value[e->value_len] == '\0');
		if (expected[i])
			CHECK(e->value_len == expected[i]->value_len &&
			      memcmp(e->value, expected[i]->value, e->value_len) == 0);
	}
}

/* Keys stay unique however many merges came before (quadratic: checked only when rendering). */
static void check_unique_keys(const struct venus_state *s)
{
	for (size_t i = 0; i < s->count; i++)
		for (size_t j = i + 1; j < s->count; j++)
			CHECK(strcmp(s->entries[i].key, s->entries[j].key) != 0);
}

/*
 * The JSON the entries keep between renders gives the text a render anew
 * gives: the state rendered by kind's field table, or (kind NULL) as the
 * Venus state, from a copy whose entries keep nothing.
 */
static void check_kept_json(const struct hame_reply_kind *kind, const struct venus_state *s,
			    const struct json_out *rendered)
{
	static struct venus_state fresh; /* large: kept off the stack */
	fresh = *s;
	for (size_t i = 0; i < fresh.count; i++)
		fresh.entries[i].json_len = 0;
	fresh.body_len = 0;
	struct json_out o;
	json_out_init(&o);
	CHECK(kind ? hame_translate_state(kind, &fresh, DEVICE_TYPE, DEVICE_ID, NULL, &o)
		   : venus_state_render(&fresh, DEVICE_TYPE, DEVICE_ID, &o));
	CHECK(o.len == rendered->len && memcmp(o.buf, rendered->buf, o.len) == 0);
	json_out_free(&o);
}

static void check_state_render(struct venus_state *s)
{
	check_unique_keys(s);
	struct json_out o;
	json_out_init(&o);
	CHECK(venus_state_render(s, DEVICE_TYPE, DEVICE_ID, &o));
	check_kept_json(NULL, s, &o);
	cJSON *doc = read_back(&o);
	unique_members(doc);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "type")),
		     DEVICE_TYPE) == 0);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "id")),
		     DEVICE_ID) == 0);
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "updated")));

	bool unknown = false;
	for (size_t i = 0; i < s->count; i++)
		unknown = unknown || venus_table_index(s->entries[i].key, strlen(s->entries[i].key)) < 0;
	const cJSON *other = cJSON_GetObjectItemCaseSensitive(doc, "other");
	CHECK((other != NULL) == unknown);
	if (other)
		CHECK(cJSON_IsObject(other) && unique_members(other) > 0);
	cJSON_Delete(doc);
	json_out_free(&o);
}

/* One type of each family with reply tables (hame_family.h). */
static const char *const family_types[] = {"HMG-50", "VNSA-0", "HMB-1", "HMA-1", "JPLS-8H", "HME-2", "HME-3", "HMI-1"};

/* The reply kinds of the family an input of size bytes exercises (chosen by length, so that runs cover them all). */
static const struct hame_reply_kind *kinds_for(size_t size, size_t *n)
{
	const struct hame_family *family = hame_family_of(family_types[size % (sizeof(family_types) / sizeof(family_types[0]))]);
	*n = family->replies ? family->n_replies : family->n_venus_extra;
	return family->replies ? family->replies : family->venus_extra;
}

/* Every reply kind of the input's family renders the reply, and the merged state, as one valid JSON object. */
static void check_families(const struct venus_reply *r, struct venus_state *s, size_t size)
{
	{
		size_t n;
		const struct hame_reply_kind *kinds = kinds_for(size, &n);
		const struct hame_reply_kind *kind = hame_reply_kind_of(kinds, n, r);
		CHECK(kind == NULL || (kind >= kinds && kind < kinds + n));
		for (size_t k = 0; k < n; k++) {
			struct json_out o;
			json_out_init(&o);
			CHECK(hame_translate_reply(&kinds[k], r, DEVICE_TYPE, DEVICE_ID, "badbeefbadbe", merge_ms[k % 7], &o));
			cJSON *doc = read_back(&o);
			unique_members(doc);
			cJSON_Delete(doc);
			json_out_reset(&o);
			CHECK(hame_translate_state(&kinds[k], s, DEVICE_TYPE, DEVICE_ID, NULL, &o));
			check_kept_json(&kinds[k], s, &o);
			struct json_out again; /* the body kept by that render (venus_state.h), copied */
			json_out_init(&again);
			CHECK(hame_translate_state(&kinds[k], s, DEVICE_TYPE, DEVICE_ID, NULL, &again));
			CHECK(again.len == o.len && memcmp(again.buf, o.buf, o.len) == 0);
			json_out_free(&again);
			doc = read_back(&o);
			unique_members(doc);
			cJSON_Delete(doc);
			json_out_free(&o);
		}
	}
}

/*
 * One reply kind of the input's family renders the state after a line's
 * merge: the body kept by the render before (venus_state.h) is copied only
 * while no merge changed anything, so the text is a fresh render's.
 */
static void check_state_by_kind(struct venus_state *s, size_t size, size_t line)
{
	size_t n;
	const struct hame_reply_kind *kinds = kinds_for(size, &n);
	if (n == 0)
		return;
	struct json_out o;
	json_out_init(&o);
	CHECK(hame_translate_state(&kinds[line / 2 % n], s, DEVICE_TYPE, DEVICE_ID, NULL, &o));
	check_kept_json(&kinds[line / 2 % n], s, &o);
	json_out_free(&o);
}

/* Parses, renders and merges one reply. */
static void take_reply(struct venus_state *s, const char *bytes, size_t len, int64_t now_ms)
{
	struct venus_reply r;
	venus_reply_parse(bytes, len, &r);
	check_parse(&r, bytes, len);
	check_reply_render(&r);
	check_merge(s, &r, now_ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	static struct venus_state state; /* large: kept off the stack, reset for every input */
	venus_state_init(&state);

	take_reply(&state, text, size, merge_ms[0]);
	check_state_render(&state);
	static struct venus_reply whole; /* large: kept off the stack */
	venus_reply_parse(text, size, &whole);
	check_families(&whole, &state, size);

	size_t start = 0, line = 1;
	while (start < size) {
		const char *newline = memchr(text + start, '\n', size - start);
		size_t end = newline ? (size_t)(newline - text) : size;
		take_reply(&state, text + start, end - start,
			   merge_ms[line % (sizeof(merge_ms) / sizeof(merge_ms[0]))]);
		check_state_by_kind(&state, size, line++);
		start = end + 1;
	}
	check_state_render(&state);
	return 0;
}
