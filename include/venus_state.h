/*
 * venus_state: what the plugin knows about one Venus battery, as the JSON of
 * the retained <state prefix>/<type>/<id>/state topic (docs/venus.md).
 *
 * A device answers cd=1 with its whole information table, but a reply may be
 * cut short or a later firmware may send part of it, so each information
 * reply is merged over the previous ones: a key keeps its last value, keys
 * not in the new reply keep theirs. The caller owns one venus_state per
 * device; it is a fixed-size value (no allocation), bounded in keys
 * (VENUS_STATE_MAX_KEYS) and value length (VENUS_STATE_VALUE_MAX). A pair
 * that does not fit is refused and counted; the rest of the reply is still
 * merged.
 *
 * Rendering gives every key of the vendor's table, and the keys newer
 * firmware adds (venus_table.h), a readable name in units a person would
 * use: energies in kWh (the device counts 0.01 kWh), income in euros (the
 * device counts 0.001 EUR), powers in W, enumerations as the names of the
 * vendor document; "P|c" PV inputs give a power, a connected flag and
 * their total. What the table does not explain is kept
 * rather than dropped:
 *   - an enumeration value outside the vendor's list stays its number
 *     (dchrg_t=255 -> "recharge_mode": 255);
 *   - a value that is not a number where one is expected stays its text;
 *   - an unknown key goes under "other" as a string.
 * tim_0..tim_9 become the "time_periods" array, index N for tim_N, as long
 * as the highest N present; a missing N is null. Each entry is
 * {"start":"14:00","end":"17:00","weekdays":127,"power_w":800,"enabled":true},
 * or the raw text when it is not seven numbers. The object also carries
 * "type", "id" and "updated" (UTC, ISO 8601, second precision, the time of
 * the last merge). Keys the device has not sent yet are absent; "other" is
 * absent while there are no unknown keys.
 */
#ifndef VENUS_STATE_H
#define VENUS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_out.h"
#include "venus_reply.h"

/*
 * What an entry keeps of its own JSON between renders: a value a battery
 * sends unchanged in every reply (its time periods, versions, settings) is
 * not read and written again. Longer parts are written anew each time.
 */
#define VENUS_STATE_JSON_MAX 95

/* The table names 64 keys: room for them and some unknown ones. */
#define VENUS_STATE_MAX_KEYS 96
/* Longer than any value of the table (the longest, wifi_n, is an SSID of at most 32 bytes). */
#define VENUS_STATE_VALUE_MAX 127

/* The key index: a power of two, over twice VENUS_STATE_MAX_KEYS, so that probes stay short. */
#define VENUS_STATE_KEY_SLOTS 256

/* Room for the rows of the table of named keys, venus_table.h (checked at compile time). */
#define VENUS_STATE_FIELDS 80

/* Rows of a Hame reply kind's field table whose entries a state keeps (hame_translate.c); more are looked up. */
#define VENUS_STATE_ROWS 128

/* Room for the body of a Hame render that a state keeps (hame_translate.c); a longer one is not kept. */
#define VENUS_STATE_RENDER_MAX 4096

struct venus_state_entry {
	char key[VENUS_REPLY_KEY_MAX + 1];
	size_t key_len;
	int field;	/* index into venus_table, -1 for an unknown key */
	char value[VENUS_STATE_VALUE_MAX + 1]; /* NUL-terminated, may contain other NULs */
	size_t value_len;
	/*
	 * The JSON last written for the entry by one row of a table (json_of: a
	 * venus_field or a hame_field), without a separating comma; json_len 0:
	 * none kept. The merge forgets it when the value changes.
	 */
	const void *json_of;
	unsigned char json_len;
	/* Where a Hame table's field was written: the length of its object's path text, 0 at the top level. */
	unsigned char json_at;
	char json[VENUS_STATE_JSON_MAX];
};

struct venus_state {
	int64_t updated_ms; /* now_ms of the last merge */
	size_t count;
	struct venus_state_entry entries[VENUS_STATE_MAX_KEYS];
	unsigned char slot_of_field[VENUS_STATE_FIELDS]; /* entry index + 1 per vendor field, 0: absent */
	unsigned char slot_of_key[VENUS_STATE_KEY_SLOTS];  /* entry index + 1 by key hash (open addressing, every entry), 0: empty */
	/*
	 * The entry each row of one Hame reply kind's field table reads
	 * (hame_translate.c): entry index + 1, 0: none. rows_of is the table
	 * and rows_count the entry count they were found at; entries are only
	 * ever added, so they stay right while the count is the same.
	 */
	const void *rows_of;
	size_t rows_count;
	unsigned char entry_of_row[VENUS_STATE_ROWS];
	/*
	 * changes counts the merges that added an entry or changed a value. A
	 * Hame render (hame_translate.c) keeps its body, everything after the
	 * header ("type", "id", "mac", "updated"), with the table it rendered
	 * (body_of) and the count it rendered at (body_at): while no merge
	 * changed anything, the next render by that table is the header and a
	 * copy of the body. body_len 0: none kept.
	 */
	uint64_t changes;
	const void *body_of;
	uint64_t body_at;
	size_t body_len;
	char body[VENUS_STATE_RENDER_MAX];
};

void venus_state_init(struct venus_state *state);

/*
 * Merges every pair of reply over state and records now_ms as the update
 * time. Returns the number of pairs refused; if why is not NULL, it receives
 * the reason for the first ("" if none).
 */
size_t venus_state_merge(struct venus_state *state, const struct venus_reply *reply,
			 int64_t now_ms, char *why, size_t why_size);

/*
 * Copies the JSON e keeps for the table row `row` into o (json_out_raw_value);
 * false when it keeps none for that row.
 */
bool venus_state_replay(const struct venus_state_entry *e, const void *row, struct json_out *o);
/* Keeps what o holds from `from` on (without its separating comma) as e's JSON for row, when it fits. */
void venus_state_keep(struct venus_state_entry *e, const void *row, const struct json_out *o, size_t from);

/* The entry of key, or NULL when the state has none. */
const struct venus_state_entry *venus_state_find(const struct venus_state *state, const char *key, size_t key_len);

/*
 * Appends the state object to o. type and id are the device's topic levels
 * (NULL is written as ""). Returns false only if o ran out of memory. Keeps
 * each entry's part of the JSON in the entry for the next render, which
 * copies it while the entry's value stays the same (the merge forgets it
 * when the value changes): the text is the same either way.
 */
bool venus_state_render(struct venus_state *state, const char *type, const char *id, struct json_out *o);

/*
 * Formats a Unix time in ms as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf (at
 * least 32 bytes) without the C library's time zone machinery; returns the
 * length.
 */
size_t venus_format_utc(int64_t unix_ms, char *buf, size_t size);

#endif
