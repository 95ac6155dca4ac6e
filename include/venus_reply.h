/*
 * venus_reply: what a Venus battery says back, read without trusting it.
 *
 * Replies on <vendor>/<type>/device/<id>/ctrl are "key=value,key=value"
 * text. The reply itself is always delivered untouched; this module only
 * reads it so that the plugin can publish JSON next to it (docs/venus.md).
 * A device may send anything, so parsing never fails: a segment that is not
 * key=value, or whose key is not a plain identifier, is skipped and counted,
 * and an empty or unreadable reply is still a reply.
 *
 * The parsed reply points into the caller's bytes (no copy, no allocation):
 * keep the bytes alive while the reply is used.
 *
 * Keys are 1 to 32 bytes of letters, digits and "_-.:" (':' marks a section
 * of a multi-section reply, hame_translate.h). A first pair "cd=N" names
 * the reply (newer firmware starts with cd=1, or cd=14,): it is not a field
 * and is left out of pairs.
 *
 * Kinds: a reply carrying any key of the vendor's device information table
 * (venus_table.h: tot_i, cel_c, grd_t, ...; the answer to cd=1) is
 * information, which the caller merges into the device's venus_state
 * (venus_state.h). Otherwise "ret=" answers a setting, "get_power="
 * answers cd=19, and anything else is other. Non-information replies render
 * here as the JSON of the .../reply topic:
 *   ret=1                     -> {"ret":1}
 *   get_power=10|-20|30|20|800 -> {"get_power":{"phase_a_w":10,"phase_b_w":-20,
 *                                 "phase_c_w":30,"total_w":20,"output_w":800}}
 *   anything else              -> {"key":"value",...} (strings; the last of
 *                                 a repeated key wins), or
 *                                 {"raw":"text","raw_bytes":n} when nothing
 *                                 in it is key=value (the first
 *                                 VENUS_REPLY_RAW_QUOTE bytes of the text,
 *                                 and its length).
 * A ret or get_power value that is not a number (or not five numbers) is
 * shown as its text.
 *
 * Text from the device is written into JSON as valid UTF-8: bytes that are
 * not UTF-8 are replaced by U+FFFD rather than passed on to break a
 * consumer's JSON reader.
 */
#ifndef VENUS_REPLY_H
#define VENUS_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_out.h"

#define VENUS_REPLY_MAX_PAIRS 128
/* Keys are short identifiers (the longest vendor key has 7 bytes). */
#define VENUS_REPLY_KEY_MAX 32
/* How much of a reply without pairs its JSON quotes. */
#define VENUS_REPLY_RAW_QUOTE 256

enum venus_reply_kind {
	VENUS_REPLY_INFORMATION, /* the answer to cd=1: goes to .../state */
	VENUS_REPLY_RET,         /* ret=0 or ret=1: goes to .../reply */
	VENUS_REPLY_GET_POWER,   /* the answer to cd=19: goes to .../reply */
	VENUS_REPLY_OTHER,       /* anything else: goes to .../reply */
};

struct venus_reply_pair {
	const char *key; /* printable, at most VENUS_REPLY_KEY_MAX bytes, not NUL-terminated */
	size_t key_len;
	const char *value; /* any bytes but ',', possibly empty, not NUL-terminated */
	size_t value_len;
};

struct venus_reply {
	enum venus_reply_kind kind;
	const char *text; /* the whole reply without trailing NUL, CR, LF or spaces */
	size_t text_len;
	struct venus_reply_pair pairs[VENUS_REPLY_MAX_PAIRS]; /* the first count are set; the rest are left as they were */
	size_t count;
	size_t ignored; /* segments skipped */
	char note[96];  /* why the first skipped segment was skipped, "" if none */
};

/* Reads bytes[0..len); never fails. */
void venus_reply_parse(const void *bytes, size_t len, struct venus_reply *out);

/* "information", "ret", "get_power" or "other": for log lines. */
const char *venus_reply_kind_name(enum venus_reply_kind kind);

/*
 * Appends the .../reply JSON object of a reply to o. Returns false only if
 * o ran out of memory.
 */
bool venus_reply_render(const struct venus_reply *reply, struct json_out *o);


/*
 * The readings energy management uses, where the reply carries them: the
 * state of charge (cel_c, %), the battery's power (grd_o, W, + discharging)
 * and the CT's total (get_power's fourth number, W, import positive). A
 * value that is not a number is not a reading.
 */
struct venus_readings {
	bool has_soc;
	int soc_percent;
	bool has_battery_w;
	long battery_w;
	bool has_grid_w;
	long grid_w;
};
void venus_reply_readings(const struct venus_reply *reply, struct venus_readings *out);

/*
 * Reads an optional '-' and 1 to 18 digits, nothing else. The device's
 * numbers are signed; anything else is not a number (eb_parse_int, eb_text.h).
 */
bool venus_reply_integer(const char *s, size_t n, long long *value);

/* s is exactly count '|'-separated venus_reply_integer numbers, read into values. */
bool venus_reply_integers(const char *s, size_t n, long long *values, size_t count);

/*
 * A time period as the devices send it, "14|0|17|0|127|800|1" (start hour,
 * minute, end hour, minute, weekdays, power, enabled), appended to o as
 * {"start":"14:00","end":"17:00","weekdays":127,"power_w":800,"enabled":true}
 * (enabled stays a number when it is neither 0 nor 1); anything else, an
 * hour or minute outside 0..99 included, as its text.
 */
void venus_reply_period_out(struct json_out *o, const char *s, size_t n);

/* Writes "HH:MM" (hour and minute 0..99) and its NUL into buf (6 bytes); returns 5. */
size_t venus_clock_text(int hour, int minute, char *buf);

#endif
