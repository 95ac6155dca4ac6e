/*
 * fuzz_twc_frame: the TWC frame receiver (twc_frame.h) on any line noise at
 * any times, then the encoder's round trip through that same receiver.
 *
 * Input layout, so that the clock is fuzzed along with the bytes:
 *   byte 0      bits 7..4: where the clock starts (start_ms below);
 *               bits 3..0: k, the length of the step schedule
 *   k bytes     the schedule: line byte i arrives step_ms[schedule[i % k] % 16]
 *               after byte i-1 (k = 0: 1 ms apart)
 *   the rest    the line, fed one byte at a time
 * The seed corpus is header 00 followed by the example frames of docs/twc.md.
 *
 * A violated promise traps, so libFuzzer reports it as a crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "twc_frame.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* Includes the extremes: the header says every time value is safe input. */
static const int64_t start_ms[16] = {
	0, 1, -1, 1000, 1700000000000, -1700000000000, INT64_MAX, INT64_MAX - 1500,
	INT64_MIN, INT64_MIN + 1, 99, 1999, 2000, INT64_MAX - 99, 123456789, -2000,
};

/* Around the receiver's two thresholds (100 ms stall, 2000 ms idle), and backwards. */
static const int64_t step_ms[16] = {
	0, 1, 2, 10, 49, 99, 100, 101, 1999, 2000, 2001, 60000, -1, -2000, INT64_MAX / 2, INT64_MIN / 2,
};

/* Wrapping addition: the harness itself must not overflow when the clock is at an extreme. */
static int64_t advance(int64_t t, int64_t step)
{
	return (int64_t)((uint64_t)t + (uint64_t)step);
}

static bool is_drop(enum twc_frame_rx_result r)
{
	return r == TWC_FRAME_RX_BAD_CHECKSUM || r == TWC_FRAME_RX_BAD_LENGTH ||
	       r == TWC_FRAME_RX_BAD_ESCAPE || r == TWC_FRAME_RX_OVERLONG ||
	       r == TWC_FRAME_RX_IDLE_TIMEOUT;
}

/* What every result of every byte must satisfy; fed = the line so far, this byte last. */
static void check_result(const struct twc_frame_rx *rx, enum twc_frame_rx_result r,
			 const uint8_t *fed, size_t fed_len)
{
	uint8_t byte = fed[fed_len - 1];

	CHECK(r == TWC_FRAME_RX_NOTHING || r == TWC_FRAME_RX_FRAME || is_drop(r));
	CHECK(strcmp(twc_frame_rx_result_name(r), "unknown") != 0);
	/* Only a C0 ends a frame, good or bad by length or checksum. */
	if (byte != TWC_FRAME_DELIMITER)
		CHECK(r != TWC_FRAME_RX_FRAME && r != TWC_FRAME_RX_BAD_CHECKSUM &&
		      r != TWC_FRAME_RX_BAD_LENGTH);
	if (r != TWC_FRAME_RX_FRAME)
		return;

	size_t len = 0;
	const uint8_t *body = twc_frame_rx_body(rx, &len);
	CHECK(body != NULL && twc_frame_body_length_ok(len));

	/*
	 * Escaping has one form, so the frame's encoding (without its opening
	 * C0, which may have been the previous frame's closing one or lost to
	 * an idle pause) must be exactly the last bytes on the line.
	 */
	uint8_t wire[TWC_FRAME_ENCODED_MAX];
	size_t n = twc_frame_encode(body, len, wire, sizeof(wire));
	CHECK(n >= 2 + len + 1 && fed_len >= n - 1);
	CHECK(memcmp(fed + fed_len - (n - 1), wire + 1, n - 1) == 0);
}

static void check_encoder_edges(const uint8_t *body, size_t len, size_t encoded_len)
{
	uint8_t out[TWC_FRAME_ENCODED_MAX + 1];

	/* One byte short: 0, and nothing written. */
	memset(out, 0xA5, sizeof(out));
	CHECK(twc_frame_encode(body, len, out, encoded_len - 1) == 0);
	for (size_t i = 0; i < sizeof(out); i++)
		CHECK(out[i] == 0xA5);
	CHECK(twc_frame_encode(body, len + 1, out, sizeof(out)) == 0);
	CHECK(twc_frame_encode(body, len - 1, out, sizeof(out)) == 0);
	CHECK(twc_frame_encode(NULL, len, out, sizeof(out)) == 0);
	CHECK(twc_frame_encode(body, len, NULL, sizeof(out)) == 0);
}

/*
 * Feeds one whole encoded frame at time now: the bytes between its C0s
 * report nothing and its closing C0 gives back the body, whatever state the
 * receiver was left in ("finds the next good frame after any garbage").
 * On a receiver that has heard nothing else the frame is also "mid frame"
 * from its opening C0 to its closing one.
 */
static void feed_frame(struct twc_frame_rx *rx, const uint8_t *wire, size_t n, const uint8_t *body,
		       size_t len, int64_t now, bool fresh)
{
	enum twc_frame_rx_result r = twc_frame_rx_feed(rx, wire[0], now);
	CHECK(r == TWC_FRAME_RX_NOTHING || r == TWC_FRAME_RX_FRAME || is_drop(r));
	if (fresh)
		CHECK(r == TWC_FRAME_RX_NOTHING);
	for (size_t i = 1; i + 1 < n; i++) {
		CHECK(twc_frame_rx_feed(rx, wire[i], now) == TWC_FRAME_RX_NOTHING);
		if (fresh)
			CHECK(twc_frame_rx_mid_frame(rx, now));
	}
	CHECK(twc_frame_rx_feed(rx, wire[n - 1], now) == TWC_FRAME_RX_FRAME);
	if (fresh)
		CHECK(!twc_frame_rx_mid_frame(rx, now));

	size_t got_len = 0;
	const uint8_t *got = twc_frame_rx_body(rx, &got_len);
	CHECK(got != NULL && got_len == len && memcmp(got, body, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t header = data[0];
	size_t k = header & 0x0F;
	if (size < 1 + k)
		return 0;
	const uint8_t *schedule = data + 1;
	const uint8_t *line = data + 1 + k;
	size_t line_len = size - 1 - k;

	struct twc_frame_rx rx;
	twc_frame_rx_init(&rx);
	size_t none_len = 1;
	CHECK(twc_frame_rx_body(&rx, &none_len) == NULL && none_len == 0);

	int64_t now = start_ms[header >> 4];
	for (size_t i = 0; i < line_len; i++) {
		if (i > 0)
			now = advance(now, k ? step_ms[schedule[i % k] % 16] : 1);
		enum twc_frame_rx_result r = twc_frame_rx_feed(&rx, line[i], now);
		check_result(&rx, r, line, i + 1);
		/* Must be safe at any time, before or after the last byte. */
		(void)twc_frame_rx_mid_frame(&rx, advance(now, step_ms[i % 16]));
	}

	/* A body made from the line: its first bytes, zero padded, in one of the three lengths. */
	static const size_t lengths[] = {
		TWC_FRAME_BODY_PROTOCOL1, TWC_FRAME_BODY_PROTOCOL2, TWC_FRAME_BODY_LONG};
	size_t len = lengths[line_len % 3];
	uint8_t body[TWC_FRAME_BODY_MAX] = {0};
	memcpy(body, line, line_len < len ? line_len : len);

	uint8_t wire[TWC_FRAME_ENCODED_MAX];
	size_t n = twc_frame_encode(body, len, wire, sizeof(wire));
	CHECK(n >= 2 + len + 1 && n <= TWC_FRAME_ENCODED_MAX);
	CHECK(wire[0] == TWC_FRAME_DELIMITER && wire[n - 1] == TWC_FRAME_DELIMITER);
	for (size_t i = 1; i + 1 < n; i++)
		CHECK(wire[i] != TWC_FRAME_DELIMITER);
	check_encoder_edges(body, len, n);

	/* The same receiver, in whatever state the line left it, at the time of the last byte. */
	feed_frame(&rx, wire, n, body, len, now, false);

	struct twc_frame_rx fresh;
	twc_frame_rx_init(&fresh);
	feed_frame(&fresh, wire, n, body, len, now, true);
	return 0;
}
