/*
 * venus_table: the vendor's device information table (docs/venus.md
 * section 3.2), the keys a Venus battery sends in answer to cd=1, in the
 * vendor's order, with the name and unit each key has in the state JSON.
 *
 * The reply parser reads it to tell an information reply from the others
 * (venus_reply.h); the state merges and renders with it (venus_state.h).
 * Data and lookups only: pure, no allocation.
 */
#ifndef VENUS_TABLE_H
#define VENUS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The rows of venus_table (checked at compile time): first the 49 keys of the
 * vendor's table (tim_0..tim_9 included), then the keys newer firmware adds
 * (docs/venus.md section 3.3). Keys with an underscore come before
 * VENUS_TABLE_FIRST_PLAIN, keys without one from there on, so that a key
 * without one skips the rows that cannot match.
 */
#define VENUS_TABLE_VENDOR_FIELDS 49
#define VENUS_TABLE_FIRST_PLAIN 52
#define VENUS_TABLE_FIELDS 65
/*
 * The rows of tim_0..tim_9, in that order, and the shortest and longest key
 * of the vendor's rows (tests/unit/test_hame_family.c checks both).
 */
#define VENUS_TABLE_FIRST_PERIOD 20
#define VENUS_TABLE_VENDOR_KEY_MIN 4
#define VENUS_TABLE_VENDOR_KEY_MAX 7

enum venus_field_kind {
	VENUS_FIELD_INTEGER, /* signed number as sent */
	VENUS_FIELD_SCALED,  /* signed number divided by divisor */
	VENUS_FIELD_ENUM,    /* number named by choices[], unknown values stay numbers */
	VENUS_FIELD_TEXT,    /* string */
	VENUS_FIELD_PERIOD,  /* one of tim_0..tim_9, rendered together as time_periods */
	VENUS_FIELD_PV_INPUT,   /* "P|c": name = P / divisor, second_name = (c is 1) */
	VENUS_FIELD_PV_TOTAL,   /* no key (raw ""): name = the sum of the PV_INPUT powers */
	VENUS_FIELD_FIRST_LAST, /* "a|...|b": name = a, second_name = b */
	VENUS_FIELD_FIRST_ENUM, /* "a|...": a named by choices[] */
	VENUS_FIELD_BIT_ENUM,   /* number: whether bit `mask` is set, named by choices[0] / choices[1] */
};

struct venus_field {
	const char *raw; /* the vendor's key */
	size_t raw_len;
	const char *name; /* in the state JSON */
	enum venus_field_kind kind;
	long long divisor;
	const char *const *choices; /* NULL entries are gaps in the vendor's list */
	size_t n_choices;
	const char *second_name; /* PV_INPUT and FIRST_LAST: the second field's name */
	long long mask;          /* BIT_ENUM: the bit */
};

extern const struct venus_field venus_table[VENUS_TABLE_FIELDS];

/* The row of key in venus_table, or -1 for a key outside the vendor's table. */
int venus_table_index(const char *key, size_t key_len);

/*
 * True for the keys of the vendor's table, tim_0..tim_9 included; not for the
 * newer keys, which alone do not make an information reply.
 */
bool venus_table_has_key(const char *key, size_t key_len);

#endif
