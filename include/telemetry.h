/*
 * telemetry: what the three Sundaya telemetry translators share (mppt.h,
 * pms.h, inverter.h; docs/mppt.md, docs/sundaya.md).
 *
 * Each translator takes one request and either returns every translated
 * message or none, with one precise reason and the path where the request
 * went wrong: all or nothing. They share the batch that carries the result,
 * the limits, and the 4-decimal rounding of every computed value. Nothing
 * here knows the broker: the caller passes who sent the request and what
 * time it is, and publishes.
 */
#ifndef TELEMETRY_H
#define TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "json_out.h"

#define TELEMETRY_ID_MAX 64
#define TELEMETRY_ERROR_MAX 160
#define TELEMETRY_PATH_MAX 96

struct telemetry_limits {
	size_t max_payload;	/* bytes */
	size_t max_items;	/* samples (or CSV rows) in one request */
};

/* One translated message: its topic's last level, its JSON document, and its shape. */
struct telemetry_message {
	char id[TELEMETRY_ID_MAX + 1];		/* the device id: mppt_id, pms_id, inverter_id */
	char part[TELEMETRY_ID_MAX + 1];	/* pms: the pack id; "" for the others */
	size_t json_offset;			/* into telemetry_batch.text */
	size_t json_len;
	/* PV strings, load outputs, grid phases of the sample (Home Assistant discovery). */
	unsigned char pv_count, load_count, phase_count;
};

/*
 * The result of one request. Reused from request to request so that the
 * broker's hot path does not allocate once it has warmed up.
 */
struct telemetry_batch {
	struct json_out text;		/* every document, back to back */
	struct telemetry_message *messages;
	size_t count;
	size_t capacity;
	size_t datasets;		/* D of the v5 reply: datasets, or runs of CSV rows of one id */
	char error[TELEMETRY_ERROR_MAX];	/* what is wrong, when translation failed */
	char path[TELEMETRY_PATH_MAX];		/* where: "datasets[0].data[1].pv.amps" */
	struct json_out tail;		/* scratch: the end every message of the request shares */
	char *scratch;			/* scratch: unquoted CSV fields */
	size_t scratch_cap;
};

void telemetry_batch_init(struct telemetry_batch *b);
void telemetry_batch_free(struct telemetry_batch *b);

/* The JSON text of message i (not NUL-terminated; its length is messages[i].json_len). */
const char *telemetry_message_json(const struct telemetry_batch *b, size_t i);

/*
 * Every translator has this shape. sender goes to the "sender" field; now
 * is the processing time (UTC). Returns true with b->count messages, or false
 * with b->error and b->path set and no messages.
 */
typedef bool telemetry_translate_fn(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
				    struct timespec now, const struct telemetry_limits *limits);

/*
 * R4: the number with at most four decimals nearest to the exact binary
 * value of x, an exact tie (x × 10⁴ = k + ½ exactly) going away from zero;
 * then the double nearest to that decimal. This is JavaScript's
 * Number(x.toFixed(4)), what the reference system does: 44.01 × 0.125 (the
 * double 5.50124999999999975…) gives 5.5012, 48.5 × 0.0625 (exactly 3.03125)
 * gives 3.0313. Not finite: x itself.
 */
double telemetry_round4(double x);

/*
 * The same rounding done the slow, obviously exact way, through the exact
 * decimal expansion that glibc's printf gives: for tests and fuzzers to hold
 * telemetry_round4 against.
 */
double telemetry_round4_by_text(double x);

#endif
