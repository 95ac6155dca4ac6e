/*
 * hame_command: the gate keeper's reading of a command to any Hame/Marstek
 * device (docs/venus.md, "Commands"), driven by one table per family.
 *
 * The same cd means different things per family (cd=11 is backup on a
 * Venus and a factory reset on a B2500), so the caller picks the family's
 * table by the device type (hame_family.h) and this module checks a command
 * against it: a known cd, exactly the keys of one form of that cd (every
 * required key once, optional groups complete or absent, nothing else),
 * every value in range, nothing repeated, at most 256 printable bytes.
 * Anything else is refused with one sentence that says what is wrong.
 *
 * A table is data: rows of forms (cd, keys, class) and rows of key rules
 * (kind, range, allowed values, optional group). A form may be marked
 * refused for everyone (undocumented provisioning commands): it is then
 * refused with its reason, admins included. Forms may be limited to some
 * variants of a family (the B2500's two generations, the two meter
 * families), so that one table serves them all.
 *
 * A command that passes is delivered normalised: pairs keep the sender's
 * order and spelling, except that times are rewritten in the form the
 * family's firmware reads (HAME_VALUE_TIME: zero-padded HH:MM;
 * HAME_VALUE_TIME_UNPADDED: H:M without leading zeros) and a key rule may
 * rewrite one value into another (the Venus depth of discharge 88 -> 0).
 *
 * Integer values are an optional '-' (only where the range allows negative
 * numbers) followed by at most 10 digits, without a leading zero except in
 * the vendor's own "cd=01" (eb_parse_int, eb_text.h).
 *
 * Pure: no allocation, no I/O, no clock, no state between calls.
 */
#ifndef HAME_COMMAND_H
#define HAME_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "venus_command.h"

enum hame_value_kind {
	HAME_VALUE_RANGE,          /* integer within min..max, or one of extra[]; a multiple of step when step > 1 */
	HAME_VALUE_CHOICE,         /* integer, one of extra[] (or min..max when extra is NULL), reported as a set */
	HAME_VALUE_TIME,           /* H:MM or HH:MM, 0:00..23:59; delivered HH:MM */
	HAME_VALUE_TIME_UNPADDED,  /* H:M up to HH:MM, 0:00..23:59 (max 2400: also 24:00); delivered H:M */
	HAME_VALUE_URL_LENGTH,     /* integer that must equal the byte length of url */
	HAME_VALUE_URL,            /* any printable text without commas */
	HAME_VALUE_MAC,            /* 12 hexadecimal digits */
	HAME_VALUE_FLAG,           /* a bare token without '=' (cd=18,seq_check) */
};

struct hame_key_rule {
	const char *key;
	enum hame_value_kind kind;
	long long min, max;
	const long long *extra;    /* values allowed besides min..max (RANGE) or instead of it (CHOICE) */
	size_t n_extra;
	long long step;            /* RANGE: the value must be a multiple of it (0 or 1: any) */
	int group;                 /* 0: required; n > 0: optional group n, whose keys come all or none */
	bool rewrite;              /* deliver `to` where the sender wrote `from` */
	long long from, to;
};

/* How a form is told apart from the other forms of its cd. */
enum hame_form_selection {
	HAME_SELECT_ONLY_FORM,  /* the cd has this one form */
	HAME_SELECT_BY_VALUE,   /* selector key has selector_value (cd=3 md) */
	HAME_SELECT_BY_PRESENCE /* selector key is present (cd=15 vs, meter, dchrg) */
};

struct hame_command_form {
	int cd;
	const char *label;         /* names the form in "unknown key" errors */
	enum venus_class cls;
	enum hame_form_selection selection;
	const char *selector;
	long long selector_value;
	const struct hame_key_rule *keys;
	size_t n_keys;
	unsigned min_groups;       /* complete optional groups needed (0: none) */
	const char *refused;       /* not NULL: refused for everyone, for this reason */
	unsigned variants;         /* bit mask of the table variants it exists in; 0: all */
};

struct hame_command_table {
	const char *family;        /* "B2500", for messages */
	const struct hame_command_form *forms;
	size_t n_forms;
	unsigned variant;          /* one bit: which forms apply (hame_command_form.variants) */
};

/*
 * Checks and normalises the command in bytes[0..len) against table. Returns
 * true and fills cd, cls and payload when it may be delivered; false and
 * fills error otherwise. Never reads past len, whatever the bytes are.
 */
bool hame_command_parse(const struct hame_command_table *table, const void *bytes, size_t len,
			struct venus_command *out);

/* True when table has a form for cd (refused-for-everyone forms included). */
bool hame_command_knows_cd(const struct hame_command_table *table, int cd);

#endif
