/*
 * hame_translate: a Hame/Marstek reply turned into typed JSON by a table of
 * fields, for every family whose replies docs/venus.md describes beyond the
 * first-generation Venus information reply (that one keeps venus_state.h).
 *
 * A family has a few reply kinds (B2500: the runtime state, the cell
 * voltages, the electrical data; Jupiter: the state and the multi-section
 * BMS reply), each recognised by a signature: keys that must all be there.
 * A kind's fields say, per device key, where the value goes in the JSON
 * ("inputs[0].voltage_v": nested objects and arrays), with which unit and
 * scale, and how it reads: an integer, a decimal division, an enumeration
 * named by words, one bit of a number, a signed byte, a time "H:M", a time
 * period "14|0|17|0|127|800|1", one part of a '|'-separated value, or the
 * minimum, maximum, spread and average over a pack's 16 cell voltages (the
 * non-zero ones), or the sum of two keys' numbers (a total the device does
 * not send). Keys no field names go under "other" as strings.
 *
 * A value that does not read as its field expects stays its text (never a
 * failed reply); an enumeration value outside the list stays its number.
 *
 * Sectioned replies (Jupiter cd=14: "inv:g_state=1,...,mppt:m_state=244,
 * ...,bms:c_vol=571,..."): a key "name:key" opens the section name; the
 * keys after it belong to it until the next one, so the same key (b_vol)
 * may appear once per section. A field's raw key is then "name:key".
 *
 * Field tables must keep the fields of one JSON object or array together,
 * array elements in increasing order, so that the JSON is written in one
 * pass; hame_fields_check (unit tests) says whether a table does.
 *
 * Pure: no allocation, no I/O, no clock.
 */
#ifndef HAME_TRANSLATE_H
#define HAME_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_out.h"
#include "venus_reply.h"
#include "venus_state.h"

enum hame_field_kind {
	HAME_FIELD_INTEGER,    /* signed number as sent */
	HAME_FIELD_SCALED,     /* signed number / divisor, exactly */
	HAME_FIELD_ENUM,       /* number named by choices[] (or fallback), other values stay numbers */
	HAME_FIELD_TEXT,       /* string */
	HAME_FIELD_BOOL,       /* 1: true, 0: false; other numbers stay numbers */
	HAME_FIELD_BIT,        /* bit `bit` of the number: choices[0]/choices[1], or false/true */
	HAME_FIELD_INT8,       /* a byte: 128..255 is value - 256; then / divisor */
	HAME_FIELD_RSSI,       /* signed dBm; 0 and 32767 mean no reading: null */
	HAME_FIELD_TIME,       /* "H:M" -> "HH:MM" ("24:0" -> "24:00") */
	HAME_FIELD_PERIOD,     /* "14|0|17|0|127|800|1" -> {start, end, weekdays, power_w, enabled} */
	HAME_FIELD_CELL_STATS, /* raw is a key prefix; path gets cell_min_mv, cell_max_mv, cell_spread_mv, cell_avg_mv */
	HAME_FIELD_SUM,        /* the sum of the numbers of raw and plus, when both are there (w1 + w2) */
};

/* The 16 cell keys of HAME_FIELD_CELL_STATS: prefix + one hex digit (a0..af) or + 1..16 (b_vo1..b_vo16). */
enum hame_cell_keys { HAME_CELLS_HEX, HAME_CELLS_FROM_1 };

struct hame_field {
	const char *raw;        /* the device's key; "section:key" in sectioned replies */
	const char *path;       /* in the JSON: "a.b" nests, "x[2]" is an array element */
	enum hame_field_kind kind;
	long long divisor;      /* SCALED, INT8 (0 or 1: none) */
	int part;               /* 0: the whole value; n: the n-th '|'-separated part (1-based) */
	int bit;                /* BIT */
	const char *const *choices; /* ENUM, BIT: NULL entries are gaps */
	size_t n_choices;
	const char *fallback;   /* ENUM: the name of any other value; NULL: keep the number */
	enum hame_cell_keys cells; /* CELL_STATS */
	const char *plus;       /* SUM: the key added to raw's */
};

struct hame_reply_kind {
	const char *leaf;       /* the topic under <prefix>/<type>/<id>/: "state", "cells", "bms" */
	const char *const *signature; /* keys that must all be there (section-qualified where sectioned) */
	size_t n_signature;
	const struct hame_field *fields;
	size_t n_fields;
	bool sectioned;
	bool merged;            /* merged over the device's earlier replies (the state); else whole */
};

/* The first kind of kinds[0..n) whose signature the reply carries, or NULL. */
const struct hame_reply_kind *hame_reply_kind_of(const struct hame_reply_kind *kinds, size_t n,
						 const struct venus_reply *reply);

/*
 * Writes the JSON object of kind for a whole reply (merged kinds: pass the
 * merged state instead, hame_translate_state). type, id and updated_ms
 * head the object ("type", "id", "updated"); mac, when not NULL, adds
 * "mac" (the decoded id). Returns false only if o ran out of memory. Like
 * venus_state_render, hame_translate_state keeps the JSON of the state's
 * top-level fields in their entries for the next render (the same text),
 * and the whole text after the header in the state: a render after merges
 * that changed nothing copies it (venus_state.h).
 */
bool hame_translate_reply(const struct hame_reply_kind *kind, const struct venus_reply *reply, const char *type,
			  const char *id, const char *mac, int64_t updated_ms, struct json_out *o);
bool hame_translate_state(const struct hame_reply_kind *kind, struct venus_state *state, const char *type,
			  const char *id, const char *mac, struct json_out *o);

/*
 * True when fields[] can be written in one pass: paths well formed (letters,
 * digits and "_.[]" only, so that they are keys without escaping), each
 * object's and array's fields together, array indexes increasing, no path
 * both a value and a container. On false, why says which field.
 */
bool hame_fields_check(const struct hame_field *fields, size_t n, char *why, size_t why_size);

#endif
