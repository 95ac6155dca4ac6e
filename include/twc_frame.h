/*
 * twc_frame: the bytes of the Tesla Wall Connector RS-485 link (docs/twc.md).
 *
 * Encoding turns a message body into what goes on the wire: checksum
 * appended, body and checksum escaped, C0 on both ends. The receiver takes the
 * line one byte at a time, as it arrives, and hands back whole bodies whose
 * length and checksum are right, or says why it dropped what it had; it
 * never needs to be reset and finds the next good frame after any garbage.
 *
 * Bodies are passed WITHOUT their checksum in both directions: 13 bytes
 * (protocol 1), 15 (protocol 2) or 19 (long replies of newer firmware).
 *
 * Pure: no I/O, no clock (time is an argument, in milliseconds from any
 * fixed origin), no globals, no allocation. Every byte sequence and every
 * time value is safe input.
 */
#ifndef TWC_FRAME_H
#define TWC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWC_FRAME_DELIMITER 0xC0
#define TWC_FRAME_ESCAPE 0xDB
#define TWC_FRAME_ESCAPED_DELIMITER 0xDC /* DB DC stands for C0 */
#define TWC_FRAME_ESCAPED_ESCAPE 0xDD /* DB DD stands for DB */

/* Body lengths without the checksum. */
#define TWC_FRAME_BODY_PROTOCOL1 13
#define TWC_FRAME_BODY_PROTOCOL2 15
#define TWC_FRAME_BODY_LONG 19
#define TWC_FRAME_BODY_MAX TWC_FRAME_BODY_LONG

/* Worst case on the wire: every body byte and the checksum escaped, plus both delimiters. */
#define TWC_FRAME_ENCODED_MAX (2 + 2 * (TWC_FRAME_BODY_MAX + 1))

/* A partial frame that has been idle this long is dropped (judged when the next byte arrives). */
#define TWC_FRAME_IDLE_TIMEOUT_MS 2000

/*
 * A whole frame takes under 50 ms at 9600 baud; a frame whose bytes stopped
 * coming this long ago is no longer being sent, and the bus is free again
 * (its remains are dropped later by the idle rule).
 */
#define TWC_FRAME_RX_STALL_MS 100

/* True for 13, 15 and 19. */
bool twc_frame_body_length_ok(size_t len);

/* The sum of every body byte but the first, modulo 256. body: len bytes, without checksum. */
uint8_t twc_frame_checksum(const uint8_t *body, size_t len);

/*
 * Writes the frame for body (len bytes, without checksum) into out.
 * Returns the number of bytes written, at most TWC_FRAME_ENCODED_MAX, or 0
 * when len is not a valid body length, a pointer is NULL or out_size is too
 * small; on 0 nothing has been written.
 */
size_t twc_frame_encode(const uint8_t *body, size_t len, uint8_t *out, size_t out_size);

/* What one byte did to the receiver. Every value but NOTHING and FRAME is a dropped frame. */
enum twc_frame_rx_result {
	TWC_FRAME_RX_NOTHING = 0, /* no frame completed with this byte */
	TWC_FRAME_RX_FRAME, /* a good frame: read it with twc_frame_rx_body() */
	TWC_FRAME_RX_BAD_CHECKSUM,
	TWC_FRAME_RX_BAD_LENGTH, /* ended with a body length other than 14, 16 or 20 */
	TWC_FRAME_RX_BAD_ESCAPE, /* DB followed by anything but DC or DD */
	TWC_FRAME_RX_OVERLONG, /* more than 20 body bytes; the rest is skipped up to the next C0 */
	TWC_FRAME_RX_IDLE_TIMEOUT, /* a partial frame idle for TWC_FRAME_IDLE_TIMEOUT_MS */
};

/*
 * Every C0 ends what came before it. Bytes after an opening C0 are a frame,
 * and a bad one is reported. Bytes after a frame's closing C0 are between
 * frames: usually junk (real wall connectors send one byte), ignored; but
 * kept when they form a good frame, whose sender's opening C0 was that same
 * C0 (a C0 that arrives mid-frame starts a new frame). The C0 after ignored
 * bytes opens a frame, and so does a C0 right after another C0. The receiver
 * starts between frames, and returns there after an idle timeout.
 *
 * Reading a stream from its middle may cost one report (its junk byte can
 * look like a short frame); a corrupt frame right after a cut-off one is
 * reported as such a short frame, so each is still counted.
 *
 * The fields are private: use the functions below.
 */
struct twc_frame_rx {
	uint8_t candidate[TWC_FRAME_BODY_MAX + 1]; /* unescaped, checksum included */
	size_t candidate_len;
	bool in_frame; /* an opening C0 was seen; false: between frames */
	bool maybe_opened; /* the C0 that ended a bad frame may have opened the next (a C0 mid-frame) */
	bool escape_pending; /* the last byte was DB */
	bool skipping; /* the candidate is already known bad: skip to the next C0 */
	bool heard_any;
	int64_t last_byte_ms;
	uint8_t frame[TWC_FRAME_BODY_MAX]; /* the last good frame, without checksum */
	size_t frame_len;
};

void twc_frame_rx_init(struct twc_frame_rx *rx);

/*
 * Takes the next byte from the line and the time it arrived. At most one
 * result per byte: a frame completes (or is dropped) on its closing C0, an
 * overlong or badly escaped frame is reported on the byte that shows it,
 * once, and an idle timeout on the first byte after the pause.
 */
enum twc_frame_rx_result twc_frame_rx_feed(struct twc_frame_rx *rx, uint8_t byte, int64_t now_ms);

/*
 * The body, without checksum, of the frame that the last TWC_FRAME_RX_FRAME
 * announced; *len gets 13, 15 or 19. Valid until the next call to
 * twc_frame_rx_feed(). Before any frame: NULL and *len = 0.
 */
const uint8_t *twc_frame_rx_body(const struct twc_frame_rx *rx, size_t *len);

/*
 * True while a frame is being received: its opening C0 has arrived, its
 * closing C0 has not, and its last byte is less than TWC_FRAME_RX_STALL_MS
 * old. A master must not start talking then. A C0 that cut a frame short
 * counts as the opening C0 of the next one: whoever sent it is talking.
 */
bool twc_frame_rx_mid_frame(const struct twc_frame_rx *rx, int64_t now_ms);

/* One word for logs: "nothing", "frame", "bad_checksum", "bad_length", "bad_escape", "overlong", "idle_timeout". */
const char *twc_frame_rx_result_name(enum twc_frame_rx_result result);

#endif
