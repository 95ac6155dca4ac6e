/*
 * mppt: MPPT telemetry requests in, one `monitoring.mppt` message per data
 * item out (docs/mppt.md).
 *
 * A request is all or nothing: mppt_translate() validates it whole and either
 * returns every translated message or none, with one precise reason and the
 * JSON path where the request went wrong. Nothing here knows the broker: the
 * caller passes who sent the request and what time it is, and publishes.
 */
#ifndef MPPT_H
#define MPPT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "json_out.h"

#define MPPT_ID_MAX 64
#define MPPT_ERROR_MAX 160
#define MPPT_PATH_MAX 96

struct mppt_limits {
	size_t max_payload;	/* bytes */
	size_t max_items;	/* data items in one request */
};

/* One translated message: its topic's last level and its JSON document. */
struct mppt_message {
	char mppt_id[MPPT_ID_MAX + 1];
	size_t json_offset;	/* into mppt_batch.text */
	size_t json_len;
	unsigned char pv_count, load_count;	/* its PV strings and load outputs (Home Assistant discovery) */
};

/*
 * The result of one request. Reused from request to request so that the
 * broker's hot path does not allocate once it has warmed up.
 */
struct mppt_batch {
	struct json_out text;		/* every document, back to back */
	struct mppt_message *messages;
	size_t count;
	size_t capacity;
	size_t datasets;
	char error[MPPT_ERROR_MAX];	/* what is wrong, when translation failed */
	char path[MPPT_PATH_MAX];	/* where: "datasets[0].data[1].pv.amps" */
};

void mppt_batch_init(struct mppt_batch *b);
void mppt_batch_free(struct mppt_batch *b);

/*
 * Translates one request. sender goes to the "sender" field; now is the
 * processing time (UTC). Returns true with b->count messages, or false with
 * b->error and b->path set and no messages.
 */
bool mppt_translate(struct mppt_batch *b, const char *payload, size_t len, const char *sender,
		    struct timespec now, const struct mppt_limits *limits);

/* The JSON text of message i (not NUL-terminated). */
const char *mppt_message_json(const struct mppt_batch *b, size_t i);

/* Rounds to 4 decimal places, ties away from zero (docs/mppt.md). */
double mppt_round_watts(double watts);

#endif
