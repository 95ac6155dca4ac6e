/*
 * telemetry_internal: the walk through one request that the three translators
 * (mppt.c, pms.c, inverter.c) share. Not part of the module's promise
 * (that is include/telemetry.h).
 *
 * The walk keeps where it is as a stack of path segments (a key or an
 * index) and renders the path only when something fails, so that a valid
 * request pays nothing for the precise error report an invalid one gets.
 * Validation and output are interleaved: a failure anywhere throws the
 * batch's output away (all or nothing), so writing early is safe.
 */
#ifndef TELEMETRY_INTERNAL_H
#define TELEMETRY_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json_out.h"
#include "telemetry.h"
#include "telemetry_time.h"

#define TW_DEPTH_MAX 16

struct tw {
	struct telemetry_batch *b;
	struct json_out *o;		/* &b->text */
	size_t items;			/* samples so far */
	size_t max_items;
	int depth;
	struct tw_segment {
		const char *key;	/* NULL: an index */
		size_t index;
	} seg[TW_DEPTH_MAX];
	char time_processing[32];
	unsigned char pv_count, load_count, phase_count;	/* of the sample being written */
};

/* Starts a request: empties the batch, writes the tail every message shares. */
void tw_begin(struct tw *w, struct telemetry_batch *b, const char *sender, struct timespec now,
	      const struct telemetry_limits *limits);
/* Ends it: on failure nothing of what was written stays (all or nothing). */
bool tw_end(struct tw *w, bool ok);

/* Records the failure with the current path. */
void tw_error(struct tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * tw_error, and false: `return tw_fail(w, ...)`. A macro, so that the
 * compiler sees the false where it is used: a function's result, defined in
 * another file, could be true as far as it knows, and every out-parameter
 * that a caller reads after a true would look possibly unset (GCC's
 * maybe-uninitialized in Release builds).
 */
#define tw_fail(w, ...) (tw_error((w), __VA_ARGS__), false)

/* Path segments: push returns the depth to pop back to. */
static inline int tw_push_key(struct tw *w, const char *key)
{
	int mark = w->depth;
	if (w->depth < TW_DEPTH_MAX)
		w->seg[w->depth] = (struct tw_segment){key, 0};
	w->depth++;
	return mark;
}

static inline int tw_push_index(struct tw *w, size_t index)
{
	int mark = w->depth;
	if (w->depth < TW_DEPTH_MAX)
		w->seg[w->depth] = (struct tw_segment){NULL, index};
	w->depth++;
	return mark;
}

static inline void tw_pop(struct tw *w, int mark)
{
	w->depth = mark;
}

/*
 * Checks the payload as text and parses it: size, UTF-8, raw control
 * characters, JSON, nothing but white space after it, and (on the raw text,
 * because cJSON accepts both) no \u0000 escape and no number with a leading
 * zero. Returns the document, or NULL after tw_fail.
 */
cJSON *tw_parse_json(struct tw *w, const char *payload, size_t len, size_t max_payload);
/* The checks of the payload as text alone: size, UTF-8, raw control characters. */
bool tw_check_text(struct tw *w, const char *payload, size_t len, size_t max_payload);

/*
 * Reads obj's members into slots by name (names[i] into slots[i]), refusing
 * an object that is not one, an unknown key and a repeated key, in the order
 * of the members. Slots of absent keys are NULL.
 */
bool tw_members(struct tw *w, const cJSON *obj, const char *const *names, const cJSON **slots, size_t n);
/* A required member: false after "missing required key" at its path when absent. */
bool tw_require(struct tw *w, const cJSON *v, const char *key);
/* An optional member given as null counts as absent. */
static inline const cJSON *tw_optional(const cJSON *v)
{
	return v && !cJSON_IsNull(v) ? v : NULL;
}

/* A finite JSON number; not below zero when non_negative. At the current path. */
bool tw_number(struct tw *w, const cJSON *v, bool non_negative, double *out);
/* A device or pack id (a future topic level): a string of 1 to 64 bytes without / + # or controls. */
bool tw_id(struct tw *w, const cJSON *v, const char **out);
/* The id rule on text: the same refusals. */
bool tw_check_id(struct tw *w, const char *s, size_t n);
/* 4 hex digits, either case, as a string: *status = the 16-bit value. */
bool tw_status_code(struct tw *w, const cJSON *v, int *status);
bool tw_status_text(struct tw *w, const char *s, size_t n, int *status);
/* time_local: a string in one of the accepted forms. */
bool tw_time(struct tw *w, const cJSON *v, struct telemetry_time *t);
/* A sample's required "time_local" member, read by tw_time at its path. */
bool tw_sample_time(struct tw *w, const cJSON *v, struct telemetry_time *t);

/*
 * The device id of a dataset, generation A `"<kind>": {"id": …}` (nested,
 * whose members are read into nested_slots by nested_names, "id" first) or
 * generation B `"<kind>_id": …` (flat). Exactly one. At the dataset's path.
 */
bool tw_device_id(struct tw *w, const char *kind, const cJSON *nested, const char *const *nested_names,
		  const cJSON **nested_slots, size_t n, const cJSON *flat, const char **id);

/*
 * The request walk every JSON dataset shares: checks and parses the payload,
 * reads {"datasets": [...]} and hands each dataset to translate_dataset at
 * its path, all or nothing. The translator's whole body.
 */
typedef bool tw_dataset_fn(struct tw *w, const cJSON *dataset);
bool tw_translate_json(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		       struct timespec now, const struct telemetry_limits *limits, tw_dataset_fn *translate_dataset);

/*
 * A dataset's required "data" array (counted against max items), each
 * sample handed to translate_sample at its path with the dataset's context.
 */
typedef bool tw_sample_fn(struct tw *w, const cJSON *sample, const void *dataset);
bool tw_samples(struct tw *w, const cJSON *data, tw_sample_fn *translate_sample, const void *dataset);

/* MPPT's sample shape, shared with the inverter: writes `"pv":[…]`, `"battery":{…}`, `"load":[…]`. */
bool tw_channels(struct tw *w, const cJSON *obj, const char *key, size_t max, bool amps_non_negative);
bool tw_battery(struct tw *w, const cJSON *obj);
/* {"volts":v,"amps":a,"watts":R4(v × a)}; refused when the product is not finite. */
bool tw_measurement(struct tw *w, double volts, double amps);

/* Appends text exactly as given (the caller writes its commas). */
static inline void tw_put(struct tw *w, const char *text)
{
	json_out_verbatim(w->o, text, strlen(text));
}

static inline void tw_put_number(struct tw *w, double v)
{
	json_out_number(w->o, v);
}

/* Starts a message: returns its offset. */
static inline size_t tw_message_begin(struct tw *w)
{
	w->pv_count = w->load_count = w->phase_count = 0;
	return json_out_begin_document(w->o);
}

/* Ends a message: `,"sender":…,"time_event":…,"time_zone":…,"time_processing":…}`, and records it. */
bool tw_message_end(struct tw *w, size_t start, const struct telemetry_time *t, const char *id, const char *part);

#endif
