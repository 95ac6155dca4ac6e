/*
 * json_out: the one place where the plugin writes JSON text.
 *
 * A growable buffer with writers for the JSON value kinds. Commas are put in
 * for the caller: a key or value that follows another value in the same
 * object or array gets its separating comma, so callers only state structure.
 *
 * Numbers print in their shortest form that reads back to the same double
 * (48.000 prints 48, negative zero prints 0), which is what the spec pages ask
 * for and what neither printf nor cJSON gives on its own.
 *
 * Allocation failure is sticky: every writer becomes a no-op and
 * json_out_failed() reports it once at the end, so call sites stay linear.
 */
#ifndef JSON_OUT_H
#define JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct json_out {
	char *buf;
	size_t len;
	size_t cap;
	size_t doc_start; /* where the current top-level document began */
	bool failed;
};

void json_out_init(struct json_out *o);
void json_out_free(struct json_out *o);
/* Empties the buffer but keeps its memory for the next document. */
void json_out_reset(struct json_out *o);
/*
 * Empties the buffer and, when it has grown beyond keep bytes, gives its
 * memory back: one large document must not hold memory for good.
 */
void json_out_shrink(struct json_out *o, size_t keep);
bool json_out_failed(const struct json_out *o);
/*
 * Starts a new top-level document after the text already written, so that
 * many documents can share one buffer; returns its offset.
 */
size_t json_out_begin_document(struct json_out *o);

void json_out_begin_object(struct json_out *o);
void json_out_end_object(struct json_out *o);
void json_out_begin_array(struct json_out *o);
void json_out_end_array(struct json_out *o);
/* Writes "key": ; key is plain ASCII known at compile time or is escaped. */
void json_out_key(struct json_out *o, const char *key);
/* The same for a key of n bytes that need not end in a NUL (a table's path, a device's key). */
void json_out_key_n(struct json_out *o, const char *key, size_t n);
/*
 * The same without looking at the key's bytes, for keys that need no
 * escaping by construction (the constant names of a table, which a unit
 * test checks, or a literal): no '"', '\\' or control byte. The hot paths'
 * way to write a key; anything else goes through json_out_key.
 */
void json_out_plain_key(struct json_out *o, const char *key, size_t n);

void json_out_string(struct json_out *o, const char *s);
void json_out_string_n(struct json_out *o, const char *s, size_t n);
/*
 * Writes text that came from outside (a device, a client) as a JSON string:
 * bytes that are not UTF-8 become U+FFFD instead of breaking a reader.
 */
void json_out_text(struct json_out *o, const char *s, size_t n);
/*
 * Quotes outside text that may be long (a refused command, a payload) in a
 * report without copying it whole: writes "key": the first `max` bytes of
 * s[0..n) as json_out_text() does (cut before a UTF-8 sequence that does not
 * fit), and, when it cut, "key_bytes": n, so that a reader sees that it was
 * cut and how much was left out. At most max bytes of input are read,
 * whatever n is. key is at most 48 bytes.
 */
#define JSON_OUT_QUOTE_MAX 256 /* what reports quote of outside text */
void json_out_text_prefix(struct json_out *o, const char *key, const char *s, size_t n, size_t max);
void json_out_number(struct json_out *o, double v);
void json_out_int(struct json_out *o, long long v);
void json_out_bool(struct json_out *o, bool v);
void json_out_null(struct json_out *o);
/*
 * Appends text exactly as given, commas included: for writers of fixed
 * fragments (`,"volts":`) that state the structure themselves.
 */
void json_out_verbatim(struct json_out *o, const char *text, size_t n);
/* Appends already-valid JSON text as one value. */
void json_out_raw_value(struct json_out *o, const char *json, size_t n);

/*
 * Formats a finite double in its shortest round-trip form into buf (at least
 * 32 bytes); returns the length. Negative zero gives "0".
 */
size_t json_format_number(double v, char *buf);

#endif
