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

/* The rows of venus_table, tim_0..tim_9 included (checked at compile time). */
#define VENUS_TABLE_FIELDS 49

enum venus_field_kind {
	VENUS_FIELD_INTEGER, /* signed number as sent */
	VENUS_FIELD_SCALED,  /* signed number divided by divisor */
	VENUS_FIELD_ENUM,    /* number named by choices[], unknown values stay numbers */
	VENUS_FIELD_TEXT,    /* string */
	VENUS_FIELD_PERIOD,  /* one of tim_0..tim_9, rendered together as time_periods */
};

struct venus_field {
	const char *raw; /* the vendor's key */
	size_t raw_len;
	const char *name; /* in the state JSON */
	enum venus_field_kind kind;
	long long divisor;
	const char *const *choices; /* NULL entries are gaps in the vendor's list */
	size_t n_choices;
};

extern const struct venus_field venus_table[VENUS_TABLE_FIELDS];

/* The row of key in venus_table, or -1 for a key outside the vendor's table. */
int venus_table_index(const char *key, size_t key_len);

/* True for the keys of the vendor's table, tim_0..tim_9 included. */
bool venus_table_has_key(const char *key, size_t key_len);

#endif
