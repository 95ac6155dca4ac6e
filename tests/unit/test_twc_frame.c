#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "twc_frame.h"

/* The examples of docs/twc.md, checksum last, as the spec prints them. */
static const uint8_t master_linkready1[] = {
	0xFC, 0xE1, 0x77, 0x77, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};
static const uint8_t slave_linkready_p2[] = {
	0xFD, 0xE2, 0x40, 0x85, 0x1D, 0x0C, 0x80, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50,
};
static const uint8_t master_heartbeat[] = {
	0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28,
};
static const uint8_t slave_heartbeat[] = {
	0xFD, 0xE0, 0x24, 0x33, 0x77, 0x77, 0x08, 0x07,
	0xD0, 0x01, 0x62, 0x00, 0x00, 0x00, 0x00, 0x67,
};
static const uint8_t kwh_reply[] = {
	0xFD, 0xEB, 0x77, 0x77, 0x00, 0x00, 0x00, 0x38,
	0x00, 0xE6, 0x00, 0xF1, 0x00, 0xE8, 0x00, 0xD0,
};

struct example {
	const uint8_t *with_checksum;
	size_t len; /* with checksum */
};

static const struct example examples[] = {
	{ master_linkready1, sizeof(master_linkready1) },
	{ slave_linkready_p2, sizeof(slave_linkready_p2) },
	{ master_heartbeat, sizeof(master_heartbeat) },
	{ slave_heartbeat, sizeof(slave_heartbeat) },
	{ kwh_reply, sizeof(kwh_reply) },
};
#define EXAMPLE_COUNT (sizeof(examples) / sizeof(examples[0]))

/* Every result other than NOTHING, in order, and the bodies of the frames. */
struct rx_log {
	enum twc_frame_rx_result results[32];
	size_t result_count;
	uint8_t bodies[8][TWC_FRAME_BODY_MAX];
	size_t body_lens[8];
	size_t frame_count;
};

static void feed_bytes(struct twc_frame_rx *rx, const uint8_t *bytes, size_t n, int64_t now_ms,
		       struct rx_log *log)
{
	for (size_t i = 0; i < n; i++) {
		enum twc_frame_rx_result r = twc_frame_rx_feed(rx, bytes[i], now_ms);
		if (r == TWC_FRAME_RX_NOTHING)
			continue;
		assert_true(log->result_count < 32);
		log->results[log->result_count++] = r;
		if (r == TWC_FRAME_RX_FRAME) {
			size_t len = 0;
			const uint8_t *body = twc_frame_rx_body(rx, &len);
			assert_non_null(body);
			assert_true(log->frame_count < 8);
			memcpy(log->bodies[log->frame_count], body, len);
			log->body_lens[log->frame_count++] = len;
		}
	}
}

static void feed_byte(struct twc_frame_rx *rx, uint8_t byte, int64_t now_ms, struct rx_log *log)
{
	feed_bytes(rx, &byte, 1, now_ms, log);
}

/* Appends the frame of an example (delimiters, body with checksum, no escaping needed). */
static size_t put_raw_frame(uint8_t *out, size_t pos, const uint8_t *with_checksum, size_t len)
{
	out[pos++] = 0xC0;
	memcpy(out + pos, with_checksum, len);
	pos += len;
	out[pos++] = 0xC0;
	return pos;
}

static void assert_frame(const struct rx_log *log, size_t index, const uint8_t *with_checksum,
			 size_t len_with_checksum)
{
	assert_true(index < log->frame_count);
	assert_int_equal(log->body_lens[index], len_with_checksum - 1);
	assert_memory_equal(log->bodies[index], with_checksum, len_with_checksum - 1);
}

/* A small deterministic generator so that a failure repeats. */
static uint32_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 32);
}

static void test_checksum_of_spec_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < EXAMPLE_COUNT; i++) {
		const struct example *e = &examples[i];
		assert_int_equal(twc_frame_checksum(e->with_checksum, e->len - 1),
				 e->with_checksum[e->len - 1]);
	}
	/* The type byte is not summed: changing it keeps the checksum. */
	uint8_t body[13];
	memcpy(body, master_linkready1, 13);
	body[0] = 0x00;
	assert_int_equal(twc_frame_checksum(body, 13), 0x46);
}

static void test_encode_spec_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < EXAMPLE_COUNT; i++) {
		const struct example *e = &examples[i];
		uint8_t expected[TWC_FRAME_ENCODED_MAX];
		uint8_t out[TWC_FRAME_ENCODED_MAX];
		size_t expected_len = put_raw_frame(expected, 0, e->with_checksum, e->len);

		assert_int_equal(twc_frame_encode(e->with_checksum, e->len - 1, out, sizeof(out)),
				 expected_len);
		assert_memory_equal(out, expected, expected_len);
	}
}

static void test_receive_spec_examples_with_junk(void **state)
{
	static const uint8_t junk[] = { 0xFE, 0xFC, 0xF8 };
	uint8_t wire[256];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	for (size_t i = 0; i < EXAMPLE_COUNT; i++) {
		pos = put_raw_frame(wire, pos, examples[i].with_checksum, examples[i].len);
		wire[pos++] = junk[i % 3];
	}
	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, EXAMPLE_COUNT);
	assert_int_equal(log.frame_count, EXAMPLE_COUNT);
	for (size_t i = 0; i < EXAMPLE_COUNT; i++)
		assert_frame(&log, i, examples[i].with_checksum, examples[i].len);
	assert_int_equal(log.body_lens[0], TWC_FRAME_BODY_PROTOCOL1);
	assert_int_equal(log.body_lens[1], TWC_FRAME_BODY_PROTOCOL2);
}

static void test_escaped_id_and_amps(void **state)
{
	/* Slave C0DB announces itself with 32.64 A (0x0CC0) and sign DB. */
	static const uint8_t body[] = {
		0xFD, 0xE2, 0xC0, 0xDB, 0xDB, 0x0C, 0xC0, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	/* Checksum E2+C0+DB+DB+0C+C0 = 0x424 → 0x24. */
	static const uint8_t wire[] = {
		0xC0, 0xFD, 0xE2, 0xDB, 0xDC, 0xDB, 0xDD, 0xDB, 0xDD, 0x0C, 0xDB, 0xDC,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0xC0,
	};
	uint8_t out[TWC_FRAME_ENCODED_MAX];
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	assert_int_equal(twc_frame_checksum(body, sizeof(body)), 0x24);
	assert_int_equal(twc_frame_encode(body, sizeof(body), out, sizeof(out)), sizeof(wire));
	assert_memory_equal(out, wire, sizeof(wire));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, sizeof(wire), 0, &log);
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.frame_count, 1);
	assert_int_equal(log.body_lens[0], sizeof(body));
	assert_memory_equal(log.bodies[0], body, sizeof(body));
}

static void test_checksum_that_needs_escaping(void **state)
{
	/* The master heartbeat example with its last pad byte chosen so the checksum is C0, then DB. */
	static const uint8_t body_c0[] = {
		0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x98,
	};
	static const uint8_t wire_c0[] = {
		0xC0, 0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C, 0x80,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0xDB, 0xDC, 0xC0,
	};
	static const uint8_t body_db[] = {
		0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xB3,
	};
	static const uint8_t wire_db[] = {
		0xC0, 0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C, 0x80,
		0x00, 0x00, 0x00, 0x00, 0x00, 0xB3, 0xDB, 0xDD, 0xC0,
	};
	uint8_t out[TWC_FRAME_ENCODED_MAX];
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	assert_int_equal(twc_frame_checksum(body_c0, sizeof(body_c0)), 0xC0);
	assert_int_equal(twc_frame_checksum(body_db, sizeof(body_db)), 0xDB);
	assert_int_equal(twc_frame_encode(body_c0, sizeof(body_c0), out, sizeof(out)), sizeof(wire_c0));
	assert_memory_equal(out, wire_c0, sizeof(wire_c0));
	assert_int_equal(twc_frame_encode(body_db, sizeof(body_db), out, sizeof(out)), sizeof(wire_db));
	assert_memory_equal(out, wire_db, sizeof(wire_db));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire_c0, sizeof(wire_c0), 0, &log);
	feed_bytes(&rx, wire_db, sizeof(wire_db), 0, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.frame_count, 2);
	assert_memory_equal(log.bodies[0], body_c0, sizeof(body_c0));
	assert_memory_equal(log.bodies[1], body_db, sizeof(body_db));
}

static void test_fully_escaped_body_fits_encoded_max(void **state)
{
	/* Every body byte escaped; 18 x C0 sum to 0x80, so the checksum is plain. */
	uint8_t body[TWC_FRAME_BODY_LONG];
	uint8_t out[TWC_FRAME_ENCODED_MAX];
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	memset(body, 0xC0, sizeof(body));
	assert_int_equal(twc_frame_checksum(body, sizeof(body)), 0x80);
	size_t n = twc_frame_encode(body, sizeof(body), out, sizeof(out));
	assert_int_equal(n, 1 + 2 * TWC_FRAME_BODY_LONG + 1 + 1);
	assert_true(n <= TWC_FRAME_ENCODED_MAX);
	assert_int_equal(out[0], 0xC0);
	assert_int_equal(out[n - 1], 0xC0);
	for (size_t i = 1; i + 2 < n; i += 2) {
		assert_int_equal(out[i], 0xDB);
		assert_int_equal(out[i + 1], 0xDC);
	}
	assert_int_equal(out[n - 2], 0x80);
	twc_frame_rx_init(&rx);
	feed_bytes(&rx, out, n, 0, &log);
	assert_int_equal(log.frame_count, 1);
	assert_memory_equal(log.bodies[0], body, sizeof(body));
}

static void test_encode_refuses_bad_input(void **state)
{
	uint8_t body[32] = { 0xFB, 0xE0 };
	uint8_t out[TWC_FRAME_ENCODED_MAX];
	static const size_t bad_lengths[] = { 0, 1, 12, 14, 16, 18, 20, 32 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++)
		assert_int_equal(twc_frame_encode(body, bad_lengths[i], out, sizeof(out)), 0);
	assert_int_equal(twc_frame_encode(NULL, 13, out, sizeof(out)), 0);
	assert_int_equal(twc_frame_encode(body, 13, NULL, sizeof(out)), 0);

	/* 13 plain bytes + checksum 0xE0 + 2 delimiters = 16: one byte short fails and writes nothing. */
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(twc_frame_encode(body, 13, out, 15), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xAA);
	assert_int_equal(twc_frame_encode(body, 13, out, 16), 16);

	assert_true(twc_frame_body_length_ok(13));
	assert_true(twc_frame_body_length_ok(15));
	assert_true(twc_frame_body_length_ok(19));
	assert_false(twc_frame_body_length_ok(14));
	assert_false(twc_frame_body_length_ok(20));
}

static void test_junk_and_noise_between_frames_are_ignored(void **state)
{
	static const uint8_t noise[] = { 0x00, 0xFF, 0x12, 0xDB, 0x34, 0xFE, 0x55, 0xF8 };
	uint8_t wire[256];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	memcpy(wire + pos, noise, sizeof(noise)); /* noise before anything */
	pos += sizeof(noise);
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));
	wire[pos++] = 0xFE;
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));
	memcpy(wire + pos, noise, sizeof(noise)); /* noise after a frame */
	pos += sizeof(noise);
	pos = put_raw_frame(wire, pos, kwh_reply, sizeof(kwh_reply));
	wire[pos++] = 0xF8;

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 3);
	assert_int_equal(log.frame_count, 3);
	assert_frame(&log, 0, master_heartbeat, sizeof(master_heartbeat));
	assert_frame(&log, 1, slave_heartbeat, sizeof(slave_heartbeat));
	assert_frame(&log, 2, kwh_reply, sizeof(kwh_reply));
}

static void test_back_to_back_delimiters_keep_next_frame(void **state)
{
	uint8_t wire[256];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	wire[pos++] = 0xC0; /* a stray extra delimiter first */
	pos = put_raw_frame(wire, pos, master_linkready1, sizeof(master_linkready1));
	/* C0 C0: the end of one frame and the start of the next */
	pos = put_raw_frame(wire, pos, slave_linkready_p2, sizeof(slave_linkready_p2));
	/* One shared C0: the closing one doubles as the next opening one. */
	pos--;
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));
	wire[pos++] = 0xFE;
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 4);
	assert_int_equal(log.frame_count, 4);
	assert_frame(&log, 0, master_linkready1, sizeof(master_linkready1));
	assert_frame(&log, 1, slave_linkready_p2, sizeof(slave_linkready_p2));
	assert_frame(&log, 2, master_heartbeat, sizeof(master_heartbeat));
	assert_frame(&log, 3, slave_heartbeat, sizeof(slave_heartbeat));
}

static void test_delimiter_mid_frame_starts_a_new_frame(void **state)
{
	uint8_t wire[256];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	/* A reply cut off after 6 bytes by the next frame's C0. */
	wire[pos++] = 0xC0;
	memcpy(wire + pos, slave_heartbeat, 6);
	pos += 6;
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));
	/* A reply cut off after 15 bytes, one short of its length. */
	wire[pos++] = 0xC0;
	memcpy(wire + pos, slave_heartbeat, 15);
	pos += 15;
	pos = put_raw_frame(wire, pos, kwh_reply, sizeof(kwh_reply));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 4);
	assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_LENGTH);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_int_equal(log.results[2], TWC_FRAME_RX_BAD_LENGTH);
	assert_int_equal(log.results[3], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, master_heartbeat, sizeof(master_heartbeat));
	assert_frame(&log, 1, kwh_reply, sizeof(kwh_reply));
}

static void test_delimiter_after_full_length_bad_frame_starts_a_new_frame(void **state)
{
	/* A 16-byte frame with a wrong checksum; its closing C0 is the next frame's opening one. */
	uint8_t wire[256];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));
	wire[pos - 2] ^= 0x01;
	pos--;
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_CHECKSUM);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, master_heartbeat, sizeof(master_heartbeat));
}

static void test_bad_frame_after_noise_is_reported(void **state)
{
	static const uint8_t noise[] = { 0x11, 0x22, 0xDB, 0x33 };
	uint8_t wire[128];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));
	wire[pos++] = 0xFE;
	memcpy(wire + pos, noise, sizeof(noise));
	pos += sizeof(noise);
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));
	wire[pos - 2] ^= 0x80; /* its checksum */
	wire[pos++] = 0xFC;
	pos = put_raw_frame(wire, pos, kwh_reply, sizeof(kwh_reply));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 3);
	assert_int_equal(log.results[0], TWC_FRAME_RX_FRAME);
	assert_int_equal(log.results[1], TWC_FRAME_RX_BAD_CHECKSUM);
	assert_int_equal(log.results[2], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 1, kwh_reply, sizeof(kwh_reply));
}

static void test_joining_a_stream_mid_frame_costs_at_most_one_report(void **state)
{
	uint8_t wire[128];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	/* The last 7 bytes of a slave reply, its closing C0 and junk, then traffic. */
	memcpy(wire, slave_heartbeat + 9, 7);
	pos = 7;
	wire[pos++] = 0xC0;
	wire[pos++] = 0xFE;
	pos = put_raw_frame(wire, pos, master_heartbeat, sizeof(master_heartbeat));
	pos = put_raw_frame(wire, pos, kwh_reply, sizeof(kwh_reply));
	wire[pos++] = 0xF8;
	pos = put_raw_frame(wire, pos, master_linkready1, sizeof(master_linkready1));

	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.frame_count, 3);
	assert_true(log.result_count <= 4);
	assert_int_equal(log.results[log.result_count - 3], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, master_heartbeat, sizeof(master_heartbeat));
	assert_frame(&log, 1, kwh_reply, sizeof(kwh_reply));
	assert_frame(&log, 2, master_linkready1, sizeof(master_linkready1));
}

static void test_idle_partial_frame_is_dropped_after_2s(void **state)
{
	uint8_t wire[64];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	/* 1999 ms of silence inside a frame is not a timeout. */
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 1000, &log);
	feed_bytes(&rx, master_heartbeat, 8, 1000, &log);
	feed_bytes(&rx, master_heartbeat + 8, sizeof(master_heartbeat) - 8, 2999, &log);
	feed_byte(&rx, 0xC0, 2999, &log);
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.results[0], TWC_FRAME_RX_FRAME);

	/* 2000 ms: the partial frame goes, the rest of it is ignored, the next frame comes through. */
	memset(&log, 0, sizeof(log));
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 1000, &log);
	feed_bytes(&rx, master_heartbeat, 8, 1000, &log);
	feed_bytes(&rx, master_heartbeat + 8, sizeof(master_heartbeat) - 8, 3000, &log);
	wire[pos++] = 0xFE;
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));
	feed_bytes(&rx, wire, pos, 3001, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.results[0], TWC_FRAME_RX_IDLE_TIMEOUT);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, slave_heartbeat, sizeof(slave_heartbeat));
}

static void test_idle_timeout_when_next_frame_starts(void **state)
{
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 0, &log);
	feed_bytes(&rx, slave_heartbeat, 5, 0, &log);
	/* The next frame's C0 reports the timeout, and still opens that frame. */
	feed_byte(&rx, 0xC0, 5000, &log);
	feed_bytes(&rx, master_heartbeat, sizeof(master_heartbeat), 5000, &log);
	feed_byte(&rx, 0xC0, 5000, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.results[0], TWC_FRAME_RX_IDLE_TIMEOUT);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, master_heartbeat, sizeof(master_heartbeat));
}

static void test_silence_between_frames_is_not_a_timeout(void **state)
{
	uint8_t wire[64];
	size_t pos = 0;
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	pos = put_raw_frame(wire, pos, slave_heartbeat, sizeof(slave_heartbeat));
	wire[pos++] = 0xFE;
	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	feed_bytes(&rx, wire, pos, 60000, &log);
	/* A master frame has no junk byte: silence right after its closing C0. */
	feed_bytes(&rx, wire, pos - 1, 120000, &log);
	feed_bytes(&rx, wire, pos, 180000, &log);
	assert_int_equal(log.result_count, 4);
	assert_int_equal(log.frame_count, 4);
}

static void test_bad_checksum(void **state)
{
	uint8_t wire[64];
	size_t pos = put_raw_frame(wire, 0, master_linkready1, sizeof(master_linkready1));
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	wire[3] ^= 0x10; /* a body byte: the checksum no longer matches */
	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_CHECKSUM);
	assert_int_equal(log.frame_count, 0);
	size_t len = 99;
	assert_null(twc_frame_rx_body(&rx, &len));
	assert_int_equal(len, 0);
}

static void test_bad_lengths(void **state)
{
	static const size_t lengths[] = { 1, 2, 13, 15, 17, 18, 19 }; /* with checksum */

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		uint8_t body[20] = { 0xFB, 0xE0, 0x77, 0x77 };
		uint8_t wire[32];
		size_t n = lengths[i];
		struct twc_frame_rx rx;
		struct rx_log log = { 0 };

		/* Correct checksum, wrong length: only the length can be the fault. */
		body[n - 1] = twc_frame_checksum(body, n - 1);
		size_t pos = put_raw_frame(wire, 0, body, n);
		twc_frame_rx_init(&rx);
		feed_bytes(&rx, wire, pos, 0, &log);
		assert_int_equal(log.result_count, 1);
		assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_LENGTH);
	}
}

static void test_bad_escapes(void **state)
{
	static const uint8_t after_escape[] = { 0x00, 0xDB, 0xC1, 0xDE, 0xFF };
	struct twc_frame_rx rx;

	(void)state;
	for (size_t i = 0; i < sizeof(after_escape); i++) {
		struct rx_log log = { 0 };
		twc_frame_rx_init(&rx);
		feed_byte(&rx, 0xC0, 0, &log);
		feed_bytes(&rx, master_heartbeat, 4, 0, &log);
		feed_byte(&rx, 0xDB, 0, &log);
		feed_byte(&rx, after_escape[i], 0, &log);
		/* Reported once, on the byte that shows it; the rest of the frame is skipped. */
		feed_bytes(&rx, master_heartbeat + 4, sizeof(master_heartbeat) - 4, 0, &log);
		feed_byte(&rx, 0xC0, 0, &log);
		assert_int_equal(log.result_count, 1);
		assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_ESCAPE);
	}

	/* DB right before the closing C0. */
	struct rx_log log = { 0 };
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 0, &log);
	feed_bytes(&rx, master_heartbeat, sizeof(master_heartbeat), 0, &log);
	feed_byte(&rx, 0xDB, 0, &log);
	feed_byte(&rx, 0xC0, 0, &log);
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_ESCAPE);
}

static void test_overlong_is_reported_once_and_never_overflows(void **state)
{
	uint8_t wire[64];
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 0, &log);
	for (int i = 0; i < 20; i++)
		feed_byte(&rx, (uint8_t)i, 0, &log);
	assert_int_equal(log.result_count, 0);
	feed_byte(&rx, 0x20, 0, &log); /* the 21st body byte */
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.results[0], TWC_FRAME_RX_OVERLONG);
	for (int i = 0; i < 5000; i++)
		feed_byte(&rx, (uint8_t)(i % 0xC0), 0, &log);
	/* The closing C0 of the overlong frame adds nothing; the next frame is fine. */
	size_t pos = put_raw_frame(wire, 0, slave_heartbeat, sizeof(slave_heartbeat));
	feed_byte(&rx, 0xC0, 0, &log);
	feed_byte(&rx, 0xFE, 0, &log);
	feed_bytes(&rx, wire, pos, 0, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_frame(&log, 0, slave_heartbeat, sizeof(slave_heartbeat));
}

static void test_twenty_byte_body_is_a_frame(void **state)
{
	uint8_t body[TWC_FRAME_BODY_LONG] = { 0xFD, 0xEE, 0x40, 0x85, '5', 'Y', 'J', '3', 'E', '1', 'E' };
	uint8_t wire[TWC_FRAME_ENCODED_MAX];
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	size_t n = twc_frame_encode(body, sizeof(body), wire, sizeof(wire));
	assert_int_equal(n, 22);
	twc_frame_rx_init(&rx);
	feed_bytes(&rx, wire, n, 0, &log);
	assert_int_equal(log.result_count, 1);
	assert_int_equal(log.body_lens[0], TWC_FRAME_BODY_LONG);
	assert_memory_equal(log.bodies[0], body, sizeof(body));
}

static void test_mid_frame(void **state)
{
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	twc_frame_rx_init(&rx);
	assert_false(twc_frame_rx_mid_frame(&rx, 0));
	feed_byte(&rx, 0xC0, 0, &log);
	assert_true(twc_frame_rx_mid_frame(&rx, 0));
	feed_bytes(&rx, slave_heartbeat, sizeof(slave_heartbeat), 10, &log);
	assert_true(twc_frame_rx_mid_frame(&rx, 10));
	assert_true(twc_frame_rx_mid_frame(&rx, 10 + TWC_FRAME_RX_STALL_MS - 1));
	/* A sender that stopped mid-frame no longer holds the bus. */
	assert_false(twc_frame_rx_mid_frame(&rx, 10 + TWC_FRAME_RX_STALL_MS));
	feed_byte(&rx, 0xC0, 20, &log);
	assert_int_equal(log.results[0], TWC_FRAME_RX_FRAME);
	assert_false(twc_frame_rx_mid_frame(&rx, 20));
	feed_byte(&rx, 0xFE, 21, &log);
	assert_false(twc_frame_rx_mid_frame(&rx, 21));
	feed_byte(&rx, 0xC0, 30, &log);
	assert_true(twc_frame_rx_mid_frame(&rx, 30));
	feed_byte(&rx, 0xC0, 31, &log); /* C0 C0: still at the start of a frame */
	assert_true(twc_frame_rx_mid_frame(&rx, 31));
}

/* A C0 in the middle of a frame opens the next one: the bus is busy while it arrives. */
static void test_mid_frame_after_a_delimiter_mid_frame(void **state)
{
	struct twc_frame_rx rx;
	struct rx_log log = { 0 };

	(void)state;
	twc_frame_rx_init(&rx);
	feed_byte(&rx, 0xC0, 0, &log);
	feed_bytes(&rx, slave_heartbeat, 6, 1, &log);
	feed_byte(&rx, 0xC0, 2, &log); /* cuts the reply short and opens the next frame */
	assert_int_equal(log.results[0], TWC_FRAME_RX_BAD_LENGTH);
	assert_true(twc_frame_rx_mid_frame(&rx, 2));
	feed_bytes(&rx, master_heartbeat, 5, 3, &log);
	assert_true(twc_frame_rx_mid_frame(&rx, 3));
	assert_true(twc_frame_rx_mid_frame(&rx, 3 + TWC_FRAME_RX_STALL_MS - 1));
	/* Stalled: the bus is free again. */
	assert_false(twc_frame_rx_mid_frame(&rx, 3 + TWC_FRAME_RX_STALL_MS));
	/* The rest of that frame and its closing C0: a good frame, and the bus is free (positive control). */
	twc_frame_rx_init(&rx);
	log = (struct rx_log){ 0 };
	feed_byte(&rx, 0xC0, 0, &log);
	feed_bytes(&rx, slave_heartbeat, 6, 1, &log);
	uint8_t wire[64];
	size_t n = put_raw_frame(wire, 0, master_heartbeat, sizeof(master_heartbeat));
	feed_bytes(&rx, wire, n, 2, &log);
	assert_int_equal(log.result_count, 2);
	assert_int_equal(log.results[1], TWC_FRAME_RX_FRAME);
	assert_false(twc_frame_rx_mid_frame(&rx, 2));
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_NOTHING), "nothing");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_FRAME), "frame");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_BAD_CHECKSUM), "bad_checksum");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_BAD_LENGTH), "bad_length");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_BAD_ESCAPE), "bad_escape");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_OVERLONG), "overlong");
	assert_string_equal(twc_frame_rx_result_name(TWC_FRAME_RX_IDLE_TIMEOUT), "idle_timeout");
	assert_string_equal(twc_frame_rx_result_name((enum twc_frame_rx_result)99), "unknown");
}

static void test_random_bytes_never_crash_and_recover(void **state)
{
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	static const int64_t odd_times[] = { INT64_MIN, -1, 0, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1 };
	struct twc_frame_rx rx;

	(void)state;
	twc_frame_rx_init(&rx);
	int64_t now = 0;
	for (int i = 0; i < 200000; i++) {
		uint32_t r = next_random(&seed);
		/* Bias towards the bytes that matter so every path gets exercised. */
		uint8_t byte = (r & 3) == 0 ? (uint8_t)((r >> 8) & 1 ? 0xC0 : 0xDB) : (uint8_t)(r >> 8);
		now += (r >> 16) % 300 == 0 ? 2500 : (int64_t)((r >> 24) & 3);
		/* Now and then a clock from nowhere: far past, far future, backwards. */
		int64_t t = i % 10000 == 0 ? odd_times[(i / 10000) % 6] : now;
		enum twc_frame_rx_result result = twc_frame_rx_feed(&rx, byte, t);
		assert_true(result >= TWC_FRAME_RX_NOTHING && result <= TWC_FRAME_RX_IDLE_TIMEOUT);
		if (result == TWC_FRAME_RX_FRAME) {
			size_t len = 0;
			const uint8_t *body = twc_frame_rx_body(&rx, &len);
			assert_non_null(body);
			assert_true(twc_frame_body_length_ok(len));
		}
		(void)twc_frame_rx_mid_frame(&rx, t);
	}
	for (size_t i = 0; i < 6; i++) {
		twc_frame_rx_feed(&rx, 0xDB, odd_times[i]);
		(void)twc_frame_rx_mid_frame(&rx, odd_times[(i + 1) % 6]);
	}

	/* Whatever state the noise left, the next well-formed frame comes through. */
	uint8_t wire[64];
	size_t pos = put_raw_frame(wire, 0, master_heartbeat, sizeof(master_heartbeat));
	struct rx_log log = { 0 };
	feed_bytes(&rx, wire, pos, now, &log);
	assert_true(log.frame_count >= 1);
	assert_frame(&log, log.frame_count - 1, master_heartbeat, sizeof(master_heartbeat));
	assert_int_equal(log.results[log.result_count - 1], TWC_FRAME_RX_FRAME);
}

static void test_round_trip_random_bodies(void **state)
{
	static const size_t lengths[] = { 13, 15, 19 };
	static const uint8_t junk[] = { 0xFE, 0xFC, 0xF8 };
	uint64_t seed = 12345;
	struct twc_frame_rx rx;

	(void)state;
	twc_frame_rx_init(&rx);
	for (int i = 0; i < 20000; i++) {
		uint8_t body[TWC_FRAME_BODY_MAX];
		uint8_t wire[TWC_FRAME_ENCODED_MAX + 1];
		size_t len = lengths[i % 3];
		for (size_t k = 0; k < len; k++) {
			uint32_t r = next_random(&seed);
			/* Many C0 and DB bytes, so escaping is exercised on every position. */
			body[k] = (r & 3) == 0 ? 0xC0 : (r & 3) == 1 ? 0xDB : (uint8_t)(r >> 8);
		}
		size_t n = twc_frame_encode(body, len, wire, sizeof(wire));
		assert_true(n >= len + 3 && n <= TWC_FRAME_ENCODED_MAX);
		wire[n++] = junk[i % 3];

		struct rx_log log = { 0 };
		feed_bytes(&rx, wire, n, i, &log);
		assert_int_equal(log.result_count, 1);
		assert_int_equal(log.frame_count, 1);
		assert_int_equal(log.body_lens[0], len);
		assert_memory_equal(log.bodies[0], body, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_of_spec_examples),
		cmocka_unit_test(test_encode_spec_examples),
		cmocka_unit_test(test_receive_spec_examples_with_junk),
		cmocka_unit_test(test_escaped_id_and_amps),
		cmocka_unit_test(test_checksum_that_needs_escaping),
		cmocka_unit_test(test_fully_escaped_body_fits_encoded_max),
		cmocka_unit_test(test_encode_refuses_bad_input),
		cmocka_unit_test(test_junk_and_noise_between_frames_are_ignored),
		cmocka_unit_test(test_back_to_back_delimiters_keep_next_frame),
		cmocka_unit_test(test_delimiter_mid_frame_starts_a_new_frame),
		cmocka_unit_test(test_delimiter_after_full_length_bad_frame_starts_a_new_frame),
		cmocka_unit_test(test_bad_frame_after_noise_is_reported),
		cmocka_unit_test(test_joining_a_stream_mid_frame_costs_at_most_one_report),
		cmocka_unit_test(test_idle_partial_frame_is_dropped_after_2s),
		cmocka_unit_test(test_idle_timeout_when_next_frame_starts),
		cmocka_unit_test(test_silence_between_frames_is_not_a_timeout),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_escapes),
		cmocka_unit_test(test_overlong_is_reported_once_and_never_overflows),
		cmocka_unit_test(test_twenty_byte_body_is_a_frame),
		cmocka_unit_test(test_mid_frame),
		cmocka_unit_test(test_mid_frame_after_a_delimiter_mid_frame),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_random_bytes_never_crash_and_recover),
		cmocka_unit_test(test_round_trip_random_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
