#include "twc_frame.h"

#include <string.h>

bool twc_frame_body_length_ok(size_t len)
{
	return len == TWC_FRAME_BODY_PROTOCOL1 || len == TWC_FRAME_BODY_PROTOCOL2 ||
	       len == TWC_FRAME_BODY_LONG;
}

/* The type byte (FB/FC/FD) is left out of the sum: that is what wall connectors do. */
uint8_t twc_frame_checksum(const uint8_t *body, size_t len)
{
	unsigned sum = 0;

	if (!body)
		return 0;
	for (size_t i = 1; i < len; i++)
		sum += body[i];
	return (uint8_t)(sum & 0xFF);
}

static size_t put_escaped(uint8_t *out, size_t pos, uint8_t byte)
{
	if (byte == TWC_FRAME_DELIMITER) {
		out[pos++] = TWC_FRAME_ESCAPE;
		out[pos++] = TWC_FRAME_ESCAPED_DELIMITER;
	} else if (byte == TWC_FRAME_ESCAPE) {
		out[pos++] = TWC_FRAME_ESCAPE;
		out[pos++] = TWC_FRAME_ESCAPED_ESCAPE;
	} else {
		out[pos++] = byte;
	}
	return pos;
}

size_t twc_frame_encode(const uint8_t *body, size_t len, uint8_t *out, size_t out_size)
{
	/* Built aside so that a too small buffer is left untouched. */
	uint8_t wire[TWC_FRAME_ENCODED_MAX];
	size_t pos = 0;

	if (!body || !out || !twc_frame_body_length_ok(len))
		return 0;
	wire[pos++] = TWC_FRAME_DELIMITER;
	for (size_t i = 0; i < len; i++)
		pos = put_escaped(wire, pos, body[i]);
	pos = put_escaped(wire, pos, twc_frame_checksum(body, len));
	wire[pos++] = TWC_FRAME_DELIMITER;
	if (pos > out_size)
		return 0;
	memcpy(out, wire, pos);
	return pos;
}

void twc_frame_rx_init(struct twc_frame_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

static void start_candidate(struct twc_frame_rx *rx, bool in_frame)
{
	rx->candidate_len = 0;
	rx->escape_pending = false;
	rx->skipping = false;
	rx->in_frame = in_frame;
	rx->maybe_opened = false;
}

/* Time may come from any clock, even one that steps back: never overflow, never go negative. */
static bool idle_long_enough(const struct twc_frame_rx *rx, int64_t now_ms, int64_t limit_ms)
{
	if (!rx->heard_any || now_ms <= rx->last_byte_ms)
		return false;
	return (uint64_t)now_ms - (uint64_t)rx->last_byte_ms >= (uint64_t)limit_ms;
}

/* What the bytes up to a C0 amount to, checked the way docs/twc.md lists the faults. */
static enum twc_frame_rx_result judge_candidate(struct twc_frame_rx *rx)
{
	size_t body_len;

	if (rx->skipping)
		return TWC_FRAME_RX_NOTHING; /* reported when it went bad */
	if (rx->escape_pending)
		return TWC_FRAME_RX_BAD_ESCAPE;
	if (rx->candidate_len == 0 || !twc_frame_body_length_ok(rx->candidate_len - 1))
		return TWC_FRAME_RX_BAD_LENGTH;
	body_len = rx->candidate_len - 1;
	if (twc_frame_checksum(rx->candidate, body_len) != rx->candidate[body_len])
		return TWC_FRAME_RX_BAD_CHECKSUM;
	memcpy(rx->frame, rx->candidate, body_len);
	rx->frame_len = body_len;
	return TWC_FRAME_RX_FRAME;
}

static enum twc_frame_rx_result take_delimiter(struct twc_frame_rx *rx)
{
	enum twc_frame_rx_result result;

	if (rx->candidate_len == 0 && !rx->escape_pending && !rx->skipping) {
		/* C0 C0 is an end and a start: what follows is a frame. */
		start_candidate(rx, true);
		return TWC_FRAME_RX_NOTHING;
	}
	result = judge_candidate(rx);
	if (rx->in_frame || result == TWC_FRAME_RX_FRAME) {
		/*
		 * This C0 closed a frame, and may have opened the next one too
		 * (a C0 mid-frame): what follows is between frames. After a bad
		 * frame the bus counts as busy, as the next frame may be arriving.
		 */
		bool cut_short = rx->in_frame && result != TWC_FRAME_RX_FRAME;
		start_candidate(rx, false);
		rx->maybe_opened = cut_short;
		return result;
	}
	/* Junk between frames is not a dropped frame, and the C0 after it can only open one. */
	start_candidate(rx, true);
	return TWC_FRAME_RX_NOTHING;
}

static enum twc_frame_rx_result take_data(struct twc_frame_rx *rx, uint8_t byte)
{
	if (rx->skipping)
		return TWC_FRAME_RX_NOTHING;
	if (rx->escape_pending) {
		rx->escape_pending = false;
		if (byte == TWC_FRAME_ESCAPED_DELIMITER) {
			byte = TWC_FRAME_DELIMITER;
		} else if (byte == TWC_FRAME_ESCAPED_ESCAPE) {
			byte = TWC_FRAME_ESCAPE;
		} else {
			rx->skipping = true;
			return rx->in_frame ? TWC_FRAME_RX_BAD_ESCAPE : TWC_FRAME_RX_NOTHING;
		}
	} else if (byte == TWC_FRAME_ESCAPE) {
		rx->escape_pending = true;
		return TWC_FRAME_RX_NOTHING;
	}
	if (rx->candidate_len == sizeof(rx->candidate)) {
		rx->skipping = true;
		return rx->in_frame ? TWC_FRAME_RX_OVERLONG : TWC_FRAME_RX_NOTHING;
	}
	rx->candidate[rx->candidate_len++] = byte;
	return TWC_FRAME_RX_NOTHING;
}

enum twc_frame_rx_result twc_frame_rx_feed(struct twc_frame_rx *rx, uint8_t byte, int64_t now_ms)
{
	enum twc_frame_rx_result timeout = TWC_FRAME_RX_NOTHING;
	enum twc_frame_rx_result result;

	if (idle_long_enough(rx, now_ms, TWC_FRAME_IDLE_TIMEOUT_MS)) {
		bool partial = rx->candidate_len > 0 || rx->escape_pending;
		if (rx->in_frame && partial && !rx->skipping)
			timeout = TWC_FRAME_RX_IDLE_TIMEOUT;
		/* Whatever the pause cut off, the next C0 opens a frame. */
		start_candidate(rx, false);
	}
	rx->heard_any = true;
	rx->last_byte_ms = now_ms;

	if (byte == TWC_FRAME_DELIMITER)
		result = take_delimiter(rx);
	else
		result = take_data(rx, byte);
	/* After a timeout the receiver is between frames and empty: this byte cannot end a frame too. */
	return timeout != TWC_FRAME_RX_NOTHING ? timeout : result;
}

const uint8_t *twc_frame_rx_body(const struct twc_frame_rx *rx, size_t *len)
{
	if (len)
		*len = rx->frame_len;
	return rx->frame_len ? rx->frame : NULL;
}

bool twc_frame_rx_mid_frame(const struct twc_frame_rx *rx, int64_t now_ms)
{
	return (rx->in_frame || rx->maybe_opened) && !idle_long_enough(rx, now_ms, TWC_FRAME_RX_STALL_MS);
}

const char *twc_frame_rx_result_name(enum twc_frame_rx_result result)
{
	switch (result) {
	case TWC_FRAME_RX_NOTHING:
		return "nothing";
	case TWC_FRAME_RX_FRAME:
		return "frame";
	case TWC_FRAME_RX_BAD_CHECKSUM:
		return "bad_checksum";
	case TWC_FRAME_RX_BAD_LENGTH:
		return "bad_length";
	case TWC_FRAME_RX_BAD_ESCAPE:
		return "bad_escape";
	case TWC_FRAME_RX_OVERLONG:
		return "overlong";
	case TWC_FRAME_RX_IDLE_TIMEOUT:
		return "idle_timeout";
	}
	return "unknown";
}
