/* twc_master: the TWC master/monitor state machine (docs/twc.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "twc_fake_bus.h"
#include "twc_master.h"

#define VIN_GOOD "5YJ3E1EA2KF317000"
#define VIN_BAD_CHECK "5YJ3E1EA0KF317000"
/* A European VIN whose position 9 is no check digit: docs/twc.md discards it. */
#define VIN_EUROPEAN "XP7YGCEK0PB000001"

static struct twc_master_config config(enum twc_mode mode)
{
	struct twc_master_config cfg;
	twc_master_config_defaults(&cfg);
	cfg.mode = mode;
	return cfg;
}

static void start(struct twc_master *m, enum twc_mode mode)
{
	struct twc_master_config cfg = config(mode);
	twc_master_init(m, &cfg, 0);
}

static size_t next(struct twc_master *m, int64_t now, uint8_t *body)
{
	return twc_master_next_frame(m, now, false, body, TWC_MASTER_BODY_MAX);
}

/* Calls next_frame every ms from `from` until it sends; returns when, or -1. */
static int64_t next_send(struct twc_master *m, int64_t from, int64_t until, uint8_t *body,
			 size_t *len)
{
	for (int64_t t = from; t <= until; t++) {
		*len = next(m, t, body);
		if (*len > 0)
			return t;
	}
	return -1;
}

/* Takes every status update due, so that deadlines show only the bus. */
static void drain(struct twc_master *m, int64_t now)
{
	struct twc_status_update up[64];
	while (twc_master_take_status(m, now, up, 64) > 0)
		;
}

static void feed(struct twc_master *m, int64_t now, const uint8_t *body, size_t len)
{
	twc_master_on_frame(m, body, len, now);
}

static void linkready(struct twc_master *m, int64_t now, uint16_t id, size_t len, int max_amps)
{
	uint8_t b[19] = { 0xFD, 0xE2 };
	fake_put16(b, 2, id);
	b[4] = 0x1D;
	fake_put16(b, 5, (uint16_t)(max_amps * 100));
	feed(m, now, b, len);
}

static void slave_heartbeat(struct twc_master *m, int64_t now, uint16_t id, uint8_t state,
			    uint16_t limit_ca, uint16_t drawn_ca, size_t len)
{
	uint8_t b[19] = { 0xFD, 0xE0 };
	fake_put16(b, 2, id);
	fake_put16(b, 4, m->cfg.master_id);
	b[6] = state;
	fake_put16(b, 7, limit_ca);
	fake_put16(b, 9, drawn_ca);
	feed(m, now, b, len);
}

static void vin_reply(struct twc_master *m, int64_t now, uint16_t id, const char *vin)
{
	static const uint8_t code[3] = { 0xEE, 0xEF, 0xF1 };
	static const size_t off[3] = { 0, 7, 14 }, n[3] = { 7, 7, 3 };
	for (int p = 0; p < 3; p++) {
		uint8_t b[15] = { 0xFD, code[p] };
		fake_put16(b, 2, id);
		memcpy(b + 4, vin + off[p], n[p]);
		feed(m, now, b, sizeof(b));
	}
}

/* The value of topic among the updates due now, or NULL. */
static const char *take_value(struct twc_master *m, int64_t now, const char *topic)
{
	static struct twc_status_update up[64];
	static char value[TWC_STATUS_VALUE_MAX];
	size_t n = twc_master_take_status(m, now, up, 64);
	const char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(up[i].topic, topic) == 0) {
			strcpy(value, up[i].value);
			found = value;
		}
	}
	return found;
}

static void run_burst(struct twc_master *m, int64_t from, const char *what)
{
	static const uint8_t lr1[13] = { 0xFC, 0xE1, 0x77, 0x77, 0x77 };
	static const uint8_t lr2[13] = { 0xFB, 0xE2, 0x77, 0x77, 0x77 };
	uint8_t body[TWC_MASTER_BODY_MAX];
	size_t len = 0;
	int64_t t = from;
	for (int k = 0; k < 10; k++) {
		int64_t sent = next_send(m, t, t + 1000, body, &len);
		assert_int_equal(sent, from + 100 * k);
		assert_int_equal(len, 13);
		assert_memory_equal(body, k < 5 ? lr1 : lr2, 13);
		t = sent + 1;
	}
	assert_int_equal(next_send(m, t, t + 5000, body, &len), -1);
	(void)what;
}

static void test_burst_on_init_and_link_up(void **state)
{
	(void)state;
	struct twc_master m;
	start(&m, TWC_MODE_MASTER);
	run_burst(&m, 0, "init");
	twc_master_link_up(&m, 10000);
	run_burst(&m, 10000, "link_up");
}

static void test_slave_joins_protocol_2_and_gets_the_pool(void **state)
{
	(void)state;
	/* docs/twc.md's examples, without their checksum byte. */
	static const uint8_t lr[15] = { 0xFD, 0xE2, 0x40, 0x85, 0x1D, 0x0C, 0x80 };
	static const uint8_t hb_zero[15] = { 0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09 };
	static const uint8_t hb_32[15] = { 0xFB, 0xE0, 0x77, 0x77, 0x40, 0x85, 0x09, 0x0C, 0x80 };
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	feed(&m, 0, lr, sizeof(lr));
	const struct twc_slave *s = twc_master_find_slave(&m, 0x4085);
	assert_non_null(s);
	assert_int_equal(s->protocol, 2);
	assert_int_equal(s->max_ca, 3200);

	/* The heartbeat goes before the burst; nobody wants current yet. */
	assert_int_equal(next(&m, 0, body), 15);
	assert_memory_equal(body, hb_zero, 15);
	slave_heartbeat(&m, 30, 0x4085, 1, 0, 0, 15);
	size_t len = 0;
	assert_int_equal(next_send(&m, 30, 200, body, &len), 100);
	assert_int_equal(len, 15);
	assert_memory_equal(body, hb_32, 15);
}

static void test_slave_joins_protocol_1_and_mixed_forms_are_accepted(void **state)
{
	(void)state;
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	linkready(&m, 0, 0x1234, 13, 40);
	const struct twc_slave *s = twc_master_find_slave(&m, 0x1234);
	assert_non_null(s);
	assert_int_equal(s->protocol, 1);
	assert_int_equal(next(&m, 0, body), 13);
	assert_int_equal(body[6], 0x05);

	/* A protocol-1 slave answering in the 15- and 19-byte forms counts all the same. */
	slave_heartbeat(&m, 30, 0x1234, 1, 0, 0, 15);
	assert_int_equal(s->state, 1);
	slave_heartbeat(&m, 40, 0x1234, 8, 3200, 852, 19);
	assert_int_equal(s->drawn_ca, 852);
	assert_string_equal(take_value(&m, 40, "1234/ampsInUse"), "8.52");

	/* A protocol-2 slave answering in the 13-byte form. */
	linkready(&m, 50, 0x2222, 15, 32);
	slave_heartbeat(&m, 60, 0x2222, 4, 0, 0, 13);
	assert_int_equal(twc_master_find_slave(&m, 0x2222)->state, 4);
	assert_int_equal(twc_master_find_slave(&m, 0x2222)->protocol, 2);
	assert_int_equal(m.stats.frames_ignored, 0);
}

static void test_fourth_slave_is_refused(void **state)
{
	(void)state;
	struct twc_master m;
	start(&m, TWC_MODE_MASTER);
	for (uint16_t id = 1; id <= 4; id++)
		linkready(&m, 0, id, 15, 32);
	assert_int_equal(twc_master_slave_count(&m), 3);
	assert_null(twc_master_find_slave(&m, 4));
	assert_int_equal(m.stats.slaves_refused, 1);
}

static void test_id_clash_sends_the_burst_again(void **state)
{
	(void)state;
	struct twc_master m;
	start(&m, TWC_MODE_MASTER);
	run_burst(&m, 0, "init");
	linkready(&m, 2000, 0x7777, 15, 32);
	assert_int_equal(m.stats.id_clashes, 1);
	assert_int_equal(twc_master_slave_count(&m), 0);
	run_burst(&m, 2000, "clash");
	/* The slave may repeat its old id for up to 10 s: the same clash. */
	linkready(&m, 5000, 0x7777, 15, 32);
	uint8_t body[TWC_MASTER_BODY_MAX];
	size_t len;
	assert_int_equal(next_send(&m, 5000, 9000, body, &len), -1);
	linkready(&m, 12000, 0x7777, 13, 32);
	run_burst(&m, 12000, "second clash");
}

static void test_never_talks_while_rx_busy(void **state)
{
	(void)state;
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	assert_int_equal(twc_master_next_frame(&m, 0, true, body, sizeof(body)), 0);
	assert_int_equal(twc_master_next_frame(&m, 50, true, body, sizeof(body)), 0);
	assert_int_equal(twc_master_next_frame(&m, 50, false, body, sizeof(body)), 13);
	/* Too small a buffer sends nothing and loses nothing. */
	assert_int_equal(twc_master_next_frame(&m, 150, false, body, 12), 0);
	assert_int_equal(twc_master_next_frame(&m, 150, false, body, sizeof(body)), 13);
}

static void test_paces_frames_100_ms_apart(void **state)
{
	(void)state;
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	assert_int_equal(next(&m, 0, body), 13);
	assert_int_equal(next(&m, 99, body), 0);
	drain(&m, 1);
	assert_int_equal(twc_master_next_deadline(&m, 1), 100);
	assert_int_equal(next(&m, 100, body), 13);
}

static void test_waits_for_the_reply_or_its_timeout(void **state)
{
	(void)state;
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	linkready(&m, 0, 0xAAAA, 15, 32);
	linkready(&m, 0, 0xBBBB, 15, 32);
	assert_int_equal(next(&m, 0, body), 15);
	assert_int_equal(fake_get16(body, 4), 0xAAAA);
	/* B is due too, but A's answer is awaited. */
	assert_int_equal(next(&m, 100, body), 0);
	assert_int_equal(next(&m, 199, body), 0);
	drain(&m, 150);
	assert_int_equal(twc_master_next_deadline(&m, 150), 200);
	assert_int_equal(next(&m, 200, body), 15);
	assert_int_equal(fake_get16(body, 4), 0xBBBB);
	assert_int_equal(m.stats.reply_timeouts, 1);
	/* B answers at once: the bus is free again after the 100 ms pacing. */
	slave_heartbeat(&m, 230, 0xBBBB, 0, 0, 0, 15);
	assert_int_equal(next(&m, 299, body), 0);
	assert_int_equal(next(&m, 300, body), 13);
	/* Another slave's answer, or another kind of answer, does not end the wait. */
	linkready(&m, 300, 0xCCCC, 15, 32);
	assert_int_equal(next(&m, 400, body), 15);
	assert_int_equal(fake_get16(body, 4), 0xCCCC);
	slave_heartbeat(&m, 420, 0xAAAA, 0, 0, 0, 15);
	assert_int_equal(next(&m, 500, body), 0);
	assert_int_equal(next(&m, 600, body), 13);
}

static void test_queries_never_delay_a_heartbeat(void **state)
{
	(void)state;
	struct twc_master m;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MASTER);
	run_burst(&m, 0, "init");
	linkready(&m, 2000, 0x4085, 15, 32);
	assert_int_equal(next(&m, 2000, body), 15);
	/* A car draws 5 A: VIN and kWh queries are pending from now on. */
	slave_heartbeat(&m, 2020, 0x4085, 1, 0, 500, 15);
	assert_int_equal(next(&m, 2100, body), 15);
	assert_int_equal(body[1], 0xE0);
	slave_heartbeat(&m, 2120, 0x4085, 1, 3200, 500, 15);
	drain(&m, 2120);
	/* The next heartbeat is due at 3100: a query now could hold the bus past it. */
	assert_int_equal(next(&m, 2950, body), 0);
	assert_int_equal(twc_master_next_deadline(&m, 2950), 3100);
	assert_int_equal(next(&m, 3100, body), 15);
	assert_int_equal(body[1], 0xE0);
	slave_heartbeat(&m, 3120, 0x4085, 1, 3200, 500, 15);
	/* Right after it there is room: the first VIN part, then the kWh query. */
	assert_int_equal(next(&m, 3200, body), 15);
	assert_int_equal(body[1], 0xEE);
	assert_int_equal(fake_get16(body, 4), 0x4085);
}

/* Heartbeat spacing per slave on a busy bus: cars come and go, so VIN and kWh queries compete. */
static void heartbeat_run(size_t nslaves, int step_ms, bool answer_queries, bool answer_heartbeats,
			  int64_t duration_ms, int64_t limit_ms)
{
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	bus.step_ms = step_ms;
	for (size_t i = 0; i < nslaves; i++) {
		struct fake_slave *s = fake_bus_add_slave(&bus, (uint16_t)(0x1000 + i), 1 + (int)(i % 2),
							  32);
		s->state = 1;
		s->car_draws = true;
		s->car_wants_ca = 1600;
		s->answer_kwh = answer_queries;
		s->answer_vin = answer_queries;
		s->answer_heartbeat = answer_heartbeats;
		s->latency_ms = 15 + 10 * (int)i;
		memcpy(s->vin, VIN_GOOD, 17);
	}
	unsigned sessions = 0;
	for (int64_t t = 0; t < duration_ms; t += 500) {
		fake_bus_run_until(&bus, t + 500);
		/* Every 4.5 s one car stops and starts again: a new session, new VIN queries. */
		if (t % 4500 == 0 && nslaves > 0) {
			struct fake_slave *s = &bus.slave[(size_t)(t / 4500) % nslaves];
			s->car_draws = !s->car_draws;
			sessions += s->car_draws ? 1 : 0;
		}
	}
	assert_null(bus.violation);
	assert_true(sessions > 0);
	for (size_t i = 0; i < nslaves; i++) {
		const struct fake_slave *s = &bus.slave[i];
		assert_true(s->heartbeats >= (unsigned)(duration_ms / limit_ms));
		if (s->max_heartbeat_gap_ms > limit_ms)
			fail_msg("slave %zu of %zu: %lld ms between heartbeats", i, nslaves,
				 (long long)s->max_heartbeat_gap_ms);
		if (answer_heartbeats) {
			assert_true(s->kwh_queries >= (unsigned)(duration_ms / 60000));
			assert_true(s->vin_queries > 0);
		}
	}
}

static void test_heartbeats_every_slave_within_1200_ms(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 3; n++) {
		heartbeat_run(n, 0, true, true, 180000, 1200);
		heartbeat_run(n, 7, true, true, 60000, 1200);
		heartbeat_run(n, 0, false, true, 180000, 1200);
	}
}

static void test_heartbeats_within_2_s_when_slaves_do_not_answer(void **state)
{
	(void)state;
	/* Every heartbeat waits out its timeout; slaves are gone only after 26 s. */
	for (size_t n = 1; n <= 3; n++)
		heartbeat_run(n, 0, false, false, 25000, 2000);
}

static void test_slave_gone_after_26_s_of_silence(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	struct fake_slave *s = fake_bus_add_slave(&bus, 0x4085, 2, 32);
	s->state = 1;
	s->car_draws = true;
	s->car_wants_ca = 852;
	memcpy(s->vin, VIN_GOOD, 17);
	fake_bus_run_until(&bus, 10000);
	assert_string_equal(fake_bus_value(&bus, "4085/ampsInUse"), "8.52");
	assert_string_equal(fake_bus_value(&bus, "4085/carsCharging"), "1");
	assert_string_equal(fake_bus_value(&bus, "all/totalAmpsInUse"), "8.52");
	assert_string_equal(fake_bus_value(&bus, "4085/currentVehicleVIN"), VIN_GOOD);

	s->attached = false;
	fake_bus_run_until(&bus, 11000);
	int64_t last_rx = twc_master_find_slave(&m, 0x4085)->last_rx_ms;
	/* docs/twc.md: silent for 26 s. */
	fake_bus_run_until(&bus, last_rx + 26000 - 1);
	assert_non_null(twc_master_find_slave(&m, 0x4085));
	fake_bus_run_until(&bus, last_rx + 26000 + 1);
	assert_null(twc_master_find_slave(&m, 0x4085));
	unsigned heartbeats = s->heartbeats;
	assert_int_equal(m.stats.slaves_gone, 1);
	assert_string_equal(fake_bus_value(&bus, "4085/ampsInUse"), "0");
	assert_string_equal(fake_bus_value(&bus, "4085/power"), "0");
	assert_string_equal(fake_bus_value(&bus, "4085/carsCharging"), "0");
	assert_string_equal(fake_bus_value(&bus, "all/totalAmpsInUse"), "0");
	assert_string_equal(fake_bus_value(&bus, "4085/currentVehicleVIN"), "");
	assert_string_equal(fake_bus_value(&bus, "4085/lastVehicleVIN"), VIN_GOOD);

	/* Its other topics keep their retained values: no more updates, no more heartbeats. */
	unsigned state_count = fake_bus_topic(&bus, "4085/state")->count;
	unsigned amps_count = fake_bus_topic(&bus, "4085/ampsInUse")->count;
	fake_bus_run_until(&bus, bus.now + 180000);
	assert_null(bus.violation);
	assert_string_equal(fake_bus_value(&bus, "4085/state"), "1");
	assert_int_equal(fake_bus_topic(&bus, "4085/state")->count, state_count);
	assert_int_equal(fake_bus_topic(&bus, "4085/ampsInUse")->count, amps_count);
	assert_int_equal(s->heartbeats, heartbeats);
}

static void test_kwh_on_join_then_every_60_s(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	struct fake_slave *s = fake_bus_add_slave(&bus, 0x4085, 2, 32);
	/* Right after the burst (which ends at 900 ms). */
	fake_bus_run_until(&bus, 1500);
	assert_int_equal(s->kwh_queries, 1);
	assert_string_equal(fake_bus_value(&bus, "4085/lifetimekWh"), "1234");
	assert_string_equal(fake_bus_value(&bus, "4085/voltagePhaseA"), "230");
	assert_string_equal(fake_bus_value(&bus, "4085/voltagePhaseC"), "232");
	fake_bus_run_until(&bus, 60000);
	assert_int_equal(s->kwh_queries, 1);
	fake_bus_run_until(&bus, 62000);
	assert_int_equal(s->kwh_queries, 2);
	fake_bus_run_until(&bus, 185000);
	assert_int_equal(s->kwh_queries, 4);
	assert_null(bus.violation);
}

static void test_lost_kwh_reply_is_asked_again_soon(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	struct fake_slave *s = fake_bus_add_slave(&bus, 0x4085, 2, 32);
	s->answer_kwh = false; /* the replies are lost, as on a noisy bus */
	fake_bus_run_until(&bus, 1500);
	assert_int_equal(s->kwh_queries, 1);
	assert_null(fake_bus_value(&bus, "4085/lifetimekWh"));
	fake_bus_run_until(&bus, 1000 + TWC_KWH_RETRY_MS + 600);
	assert_int_equal(s->kwh_queries, 2);
	s->answer_kwh = true;
	fake_bus_run_until(&bus, 1000 + 2 * TWC_KWH_RETRY_MS + 600);
	assert_int_equal(s->kwh_queries, 3);
	assert_string_equal(fake_bus_value(&bus, "4085/lifetimekWh"), "1234");
	/* Answered: back to once a minute. */
	fake_bus_run_until(&bus, 1000 + 2 * TWC_KWH_RETRY_MS + 59000);
	assert_int_equal(s->kwh_queries, 3);
	assert_null(bus.violation);
}

static void vin_session(const char *vin, const char *expect_current, unsigned long discarded)
{
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	struct fake_slave *s = fake_bus_add_slave(&bus, 0x4085, 2, 32);
	s->state = 4;
	memcpy(s->vin, vin, 17);
	fake_bus_run_until(&bus, 3000);
	/* Plugged in but not drawing: no session, no VIN queries. */
	assert_int_equal(s->vin_queries, 0);
	s->state = 1;
	s->car_draws = true;
	s->car_wants_ca = 1600;
	fake_bus_run_until(&bus, 8000);
	assert_int_equal(s->vin_queries, 3);
	assert_string_equal(fake_bus_value(&bus, "4085/carsCharging"), "1");
	assert_string_equal(fake_bus_value(&bus, "4085/currentVehicleVIN"), expect_current);
	assert_int_equal(m.stats.vins_discarded, discarded);
	/* Unplugged: the VIN moves to lastVehicleVIN, the current one is empty. */
	s->state = 0;
	s->car_draws = false;
	fake_bus_run_until(&bus, 11000);
	assert_int_equal(s->vin_queries, 3);
	assert_string_equal(fake_bus_value(&bus, "4085/carsCharging"), "0");
	assert_string_equal(fake_bus_value(&bus, "4085/currentVehicleVIN"), "");
	if (expect_current[0] != '\0')
		assert_string_equal(fake_bus_value(&bus, "4085/lastVehicleVIN"), expect_current);
	else
		assert_null(fake_bus_value(&bus, "4085/lastVehicleVIN"));
	assert_null(bus.violation);
}

static void test_vin_with_valid_check_digit_is_published(void **state)
{
	(void)state;
	vin_session(VIN_GOOD, VIN_GOOD, 0);
	vin_session("1M8GDM9AXKP042788", "1M8GDM9AXKP042788", 0);
}

static void test_vin_with_failing_check_digit_is_discarded(void **state)
{
	(void)state;
	vin_session(VIN_BAD_CHECK, "", 1);
	vin_session(VIN_EUROPEAN, "", 1);
}

static void test_all_zero_vin_means_none(void **state)
{
	(void)state;
	static const char zero[17] = { 0 };
	vin_session(zero, "", 0);
}

static void test_vin_queries_are_bounded(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	struct fake_slave *s = fake_bus_add_slave(&bus, 0x4085, 2, 32);
	s->state = 1;
	s->car_draws = true;
	s->car_wants_ca = 1600;
	s->answer_vin = false;
	fake_bus_run_until(&bus, 30000);
	assert_int_equal(s->vin_queries, TWC_VIN_TRIES);
	assert_true(s->max_heartbeat_gap_ms <= 1200);
	assert_string_equal(fake_bus_value(&bus, "4085/currentVehicleVIN"), "");
	assert_null(bus.violation);
}

static void test_monitor_never_sends_and_publishes(void **state)
{
	(void)state;
	/* docs/twc.md's examples, without their checksum byte. */
	static const uint8_t master_lr[13] = { 0xFC, 0xE1, 0x77, 0x77, 0x77 };
	static const uint8_t master_hb[15] = { 0xFB, 0xE0, 0x77, 0x77, 0x24, 0x33, 0x09, 0x07, 0xD0 };
	static const uint8_t slave_hb[15] = { 0xFD, 0xE0, 0x24, 0x33, 0x77, 0x77, 0x08,
					      0x07, 0xD0, 0x01, 0x62 };
	static const uint8_t kwh[15] = { 0xFD, 0xEB, 0x77, 0x77, 0x00, 0x00, 0x00, 0x38,
					 0x00, 0xE6, 0x00, 0xF1, 0x00, 0xE8 };
	static const uint8_t idle[13] = { 0xFC, 0x1D };
	struct twc_master m;
	struct fake_bus bus;
	uint8_t body[TWC_MASTER_BODY_MAX];
	start(&m, TWC_MODE_MONITOR);
	fake_bus_init(&bus, &m, 0);
	for (int64_t t = 0; t < 20000; t += 10) {
		if (t % 1000 == 0) {
			feed(&m, t, master_lr, sizeof(master_lr));
			feed(&m, t, master_hb, sizeof(master_hb));
			feed(&m, t, slave_hb, sizeof(slave_hb));
			feed(&m, t, kwh, sizeof(kwh));
			feed(&m, t, idle, sizeof(idle));
		}
		if (t == 5000)
			vin_reply(&m, t, 0x2433, VIN_GOOD);
		assert_int_equal(next(&m, t, body), 0);
		if (t == 0)
			twc_master_link_up(&m, t);
		bus.now = t;
		fake_bus_record_status(&bus);
	}
	assert_int_equal(m.stats.frames_out, 0);
	assert_string_equal(fake_bus_value(&bus, "2433/ampsInUse"), "3.54");
	assert_string_equal(fake_bus_value(&bus, "2433/power"), "3.54");
	assert_string_equal(fake_bus_value(&bus, "2433/ampsMax"), "20");
	assert_string_equal(fake_bus_value(&bus, "2433/state"), "8");
	assert_string_equal(fake_bus_value(&bus, "2433/carsCharging"), "1");
	assert_string_equal(fake_bus_value(&bus, "2433/currentVehicleVIN"), VIN_GOOD);
	assert_string_equal(fake_bus_value(&bus, "all/totalAmpsInUse"), "3.54");
	assert_string_equal(fake_bus_value(&bus, "7777/lifetimekWh"), "56");
	assert_string_equal(fake_bus_value(&bus, "7777/voltagePhaseA"), "230");
	assert_string_equal(fake_bus_value(&bus, "7777/voltagePhaseB"), "241");
	assert_string_equal(fake_bus_value(&bus, "7777/voltagePhaseC"), "232");
	assert_string_equal(fake_bus_value(&bus, "config/maxAmpsForSlaves"), "32");
	assert_string_equal(fake_bus_value(&bus, "config/minAmpsPerTWC"), "6");

	char err[200];
	assert_int_equal(twc_master_set_pool(&m, 20, 20000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "monitor"));
}

static void test_status_amps_format(void **state)
{
	(void)state;
	struct twc_master m;
	start(&m, TWC_MODE_MONITOR);
	slave_heartbeat(&m, 0, 0x4085, 1, 3200, 852, 15);
	assert_string_equal(take_value(&m, 0, "4085/ampsInUse"), "8.52");
	slave_heartbeat(&m, 1, 0x4085, 1, 3200, 850, 15);
	assert_string_equal(take_value(&m, 1, "4085/ampsInUse"), "8.5");
	slave_heartbeat(&m, 2, 0x4085, 1, 3200, 0, 15);
	assert_string_equal(take_value(&m, 2, "4085/ampsInUse"), "0");
	slave_heartbeat(&m, 3, 0x4085, 1, 3205, 3200, 15);
	struct twc_status_update up[64];
	size_t n = twc_master_take_status(&m, 3, up, 64);
	bool seen_in_use = false, seen_max = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(up[i].topic, "4085/ampsInUse") == 0) {
			assert_string_equal(up[i].value, "32");
			seen_in_use = true;
		}
		if (strcmp(up[i].topic, "4085/ampsMax") == 0) {
			assert_string_equal(up[i].value, "32.05");
			seen_max = true;
		}
	}
	assert_true(seen_in_use && seen_max);
}

static void test_status_on_change_and_on_refresh(void **state)
{
	(void)state;
	struct twc_master m;
	start(&m, TWC_MODE_MONITOR);
	assert_string_equal(take_value(&m, 0, "config/maxAmpsForSlaves"), "32");
	slave_heartbeat(&m, 0, 0x4085, 1, 3200, 852, 15);
	assert_string_equal(take_value(&m, 0, "4085/ampsInUse"), "8.52");
	/* The same value again: nothing until refresh_s (60 s) has passed. */
	for (int64_t t = 1000; t < 60000; t += 1000) {
		slave_heartbeat(&m, t, 0x4085, 1, 3200, 852, 15);
		assert_null(take_value(&m, t, "4085/ampsInUse"));
		assert_true(twc_master_next_deadline(&m, t) > t);
	}
	assert_int_equal(twc_master_next_deadline(&m, 59500), 60000);
	slave_heartbeat(&m, 60000, 0x4085, 1, 3200, 852, 15);
	assert_string_equal(take_value(&m, 60000, "4085/ampsInUse"), "8.52");
	/* A change goes out at once. */
	slave_heartbeat(&m, 60500, 0x4085, 1, 3200, 900, 15);
	assert_int_equal(twc_master_next_deadline(&m, 60500), 60500);
	assert_string_equal(take_value(&m, 60500, "4085/ampsInUse"), "9");
	slave_heartbeat(&m, 61000, 0x4085, 1, 3200, 900, 15);
	assert_null(take_value(&m, 61000, "4085/ampsInUse"));
}

static void test_set_pool_refuses_out_of_range(void **state)
{
	(void)state;
	struct twc_master m;
	char err[200] = "";
	start(&m, TWC_MODE_MASTER);
	assert_string_equal(take_value(&m, 0, "config/maxAmpsForSlaves"), "32");
	assert_int_equal(twc_master_set_pool(&m, -1, 10, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "maxAmpsForSlaves -1 refused"));
	assert_non_null(strstr(err, "from 0 to 32"));
	assert_int_equal(twc_master_set_pool(&m, 33, 10, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "maxAmpsForSlaves 33 refused"));
	assert_int_equal(m.pool_amps, 32);
	assert_null(take_value(&m, 10, "config/maxAmpsForSlaves"));
	assert_int_equal(twc_master_set_pool(&m, 0, 20, err, sizeof(err)), 0);
	assert_string_equal(take_value(&m, 20, "config/maxAmpsForSlaves"), "0");
	assert_int_equal(twc_master_set_pool(&m, 32, 30, err, sizeof(err)), 0);
	assert_string_equal(take_value(&m, 30, "config/maxAmpsForSlaves"), "32");
}

struct told_log {
	int told[2];
	int max_sum;
	int sum_after_lowering_max;
	bool lowered;
};

static void record_told(struct fake_bus *bus, const uint8_t *b, size_t len)
{
	struct told_log *log = bus->ctx;
	(void)len;
	if (b[0] != 0xFB || b[1] != 0xE0)
		return;
	int i = fake_get16(b, 4) == 0xAAAA ? 0 : 1;
	log->told[i] = fake_get16(b, 7);
	int sum = log->told[0] + log->told[1];
	if (sum > log->max_sum)
		log->max_sum = sum;
	if (log->lowered && sum > log->sum_after_lowering_max)
		log->sum_after_lowering_max = sum;
}

static void test_pool_lowered_at_run_time_is_honoured(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	struct told_log log = { { 0, 0 }, 0, 0, false };
	char err[200];
	start(&m, TWC_MODE_MASTER);
	fake_bus_init(&bus, &m, 0);
	bus.on_sent = record_told;
	bus.ctx = &log;
	struct fake_slave *a = fake_bus_add_slave(&bus, 0xAAAA, 2, 32);
	struct fake_slave *b = fake_bus_add_slave(&bus, 0xBBBB, 1, 32);
	a->state = 1;
	a->car_draws = true;
	a->car_wants_ca = 3200;
	fake_bus_run_until(&bus, 5000);
	assert_int_equal(log.told[0], 3200);
	/* B wants too: A must come down before B goes up. */
	b->state = 4;
	fake_bus_run_until(&bus, 10000);
	assert_int_equal(log.told[0], 1600);
	assert_int_equal(log.told[1], 1600);
	assert_int_equal(log.max_sum, 3200);

	assert_int_equal(twc_master_set_pool(&m, 20, bus.now, err, sizeof(err)), 0);
	assert_int_equal(m.pool_in_force_amps, 32);
	log.lowered = true;
	log.sum_after_lowering_max = 0;
	fake_bus_run_until(&bus, bus.now + 3000);
	assert_int_equal(log.told[0], 1000);
	assert_int_equal(log.told[1], 1000);
	assert_true(log.sum_after_lowering_max <= 3200 - 600);
	assert_int_equal(m.pool_in_force_amps, 20);
	assert_null(bus.violation);
}

/* Every frame to slave AAAA: limits told, their changes, FC B1/B2 in order. */
struct stop_start_log {
	int told;             /* -1 before the first heartbeat */
	unsigned changes;
	unsigned raises_within_5s;
	int64_t last_change_ms;
	char frames[64];      /* 'H' heartbeat 0 A, 'L' heartbeat above 0 after a 0, 'S' FC B2, 'G' FC B1 */
	size_t n;
	bool p1_stop_form_ok;
};

static void record_stop_start(struct fake_bus *bus, const uint8_t *b, size_t len)
{
	struct stop_start_log *log = bus->ctx;
	if (fake_get16(b, 4) != 0xAAAA)
		return;
	char mark = 0;
	if (b[0] == 0xFC && (b[1] == 0xB1 || b[1] == 0xB2)) {
		mark = b[1] == 0xB2 ? 'S' : 'G';
	} else if (b[0] == 0xFB && b[1] == 0xE0) {
		int limit = fake_get16(b, 7);
		if (limit == 0 && log->told > 0) {
			mark = 'H';
			/* Protocol 1 stops with 05 00 00, never a bare 00. */
			log->p1_stop_form_ok = len == 13 && b[6] == 0x05 && b[7] == 0 && b[8] == 0;
		} else if (limit > 0 && log->told == 0) {
			mark = 'L';
		}
		if (log->told >= 0 && limit != log->told) {
			if (limit > log->told && log->changes > 0 && bus->now - log->last_change_ms < TWC_RAISE_INTERVAL_MS)
				log->raises_within_5s++;
			log->changes++;
			log->last_change_ms = bus->now;
		}
		log->told = limit;
	}
	if (mark && log->n + 1 < sizeof(log->frames))
		log->frames[log->n++] = mark;
}

/* One car charging at 32 A on slave AAAA, protocol p, restart holdoff holdoff_s. */
static void charging_slave(struct twc_master *m, struct fake_bus *bus, struct stop_start_log *log, int p,
			   int holdoff_s)
{
	struct twc_master_config cfg = config(TWC_MODE_MASTER);
	cfg.restart_holdoff_s = holdoff_s;
	twc_master_init(m, &cfg, 0);
	fake_bus_init(bus, m, 0);
	memset(log, 0, sizeof(*log));
	log->told = -1;
	bus->on_sent = record_stop_start;
	bus->ctx = log;
	struct fake_slave *a = fake_bus_add_slave(bus, 0xAAAA, p, 32);
	a->state = 1;
	a->car_draws = true;
	a->car_wants_ca = 3200;
	fake_bus_run_until(bus, 5000);
	assert_int_equal(log->told, 3200);
	log->n = 0; /* what follows the start */
}

/*
 * Issue: alternating 0 and 32 on the pool's set topic changed a charging
 * wall connector's limit 69 times in 10 s. A lowering still goes at once;
 * the restart waits for the holdoff, and raises come at most every 5 s.
 */
static void test_a_flapping_pool_cannot_flap_a_contactor(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	struct stop_start_log log;
	char err[200];
	charging_slave(&m, &bus, &log, 2, 60);
	unsigned changes_before = log.changes;
	int64_t flap_start = bus.now;
	for (int i = 0; i < 100; i++) {
		assert_int_equal(twc_master_set_pool(&m, i % 2 == 0 ? 0 : 32, bus.now, err, sizeof(err)), 0);
		fake_bus_run_until(&bus, bus.now + 100);
	}
	assert_int_equal(bus.now - flap_start, 10000);
	/* The first 0 stops it (one change), and nothing starts it again within the holdoff. */
	assert_int_equal(log.changes - changes_before, 1);
	assert_int_equal(log.told, 0);
	assert_int_equal(m.stats.limit_changes - 1, log.changes - 1);

	/* Positive control: with the pool left at 32, it charges again once the holdoff is over. */
	fake_bus_run_until(&bus, flap_start + 59000);
	assert_int_equal(log.told, 0);
	fake_bus_run_until(&bus, flap_start + 62000);
	assert_int_equal(log.told, 3200);
	assert_int_equal(log.raises_within_5s, 0);
	assert_null(bus.violation);
}

static void test_raise_waits_5s_lowering_does_not(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	struct stop_start_log log;
	charging_slave(&m, &bus, &log, 2, 60);
	twc_master_set_offer(&m, 10, bus.now);
	fake_bus_run_until(&bus, bus.now + 1100);
	assert_int_equal(log.told, 1000); /* lowered within a heartbeat */
	int64_t lowered = log.last_change_ms;
	twc_master_set_offer(&m, 20, bus.now);
	fake_bus_run_until(&bus, lowered + TWC_RAISE_INTERVAL_MS - 1);
	assert_int_equal(log.told, 1000);
	fake_bus_run_until(&bus, lowered + TWC_RAISE_INTERVAL_MS + 1100);
	assert_int_equal(log.told, 2000);
	/* The whole pool again. */
	twc_master_set_offer(&m, -1, bus.now);
	fake_bus_run_until(&bus, bus.now + TWC_RAISE_INTERVAL_MS + 1100);
	assert_int_equal(log.told, 3200);
	assert_int_equal(log.raises_within_5s, 0);
	assert_null(bus.violation);
}

/* Protocol 2: 0 A, then FC B2; FC B1 before the next limit above 0. */
static void test_protocol2_stop_and_start_frames(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	struct stop_start_log log;
	charging_slave(&m, &bus, &log, 2, 10);
	twc_master_set_offer(&m, 0, bus.now);
	fake_bus_run_until(&bus, bus.now + 2000);
	twc_master_set_offer(&m, 16, bus.now);
	fake_bus_run_until(&bus, bus.now + 12000);
	log.frames[log.n] = '\0';
	assert_string_equal(log.frames, "HSGL");
	assert_int_equal(log.told, 1600);
	assert_int_equal(m.stats.stop_start_frames, 2);
	assert_null(bus.violation);
}

/* Protocol 1: 05 00 00 and no FC B1/B2. */
static void test_protocol1_stops_with_05_00_00(void **state)
{
	(void)state;
	struct twc_master m;
	struct fake_bus bus;
	struct stop_start_log log;
	charging_slave(&m, &bus, &log, 1, 10);
	twc_master_set_offer(&m, 0, bus.now);
	fake_bus_run_until(&bus, bus.now + 2000);
	twc_master_set_offer(&m, 16, bus.now);
	fake_bus_run_until(&bus, bus.now + 12000);
	log.frames[log.n] = '\0';
	assert_string_equal(log.frames, "HL");
	assert_true(log.p1_stop_form_ok);
	assert_int_equal(m.stats.stop_start_frames, 0);
	assert_null(bus.violation);
}

static void test_garbage_never_crashes(void **state)
{
	(void)state;
	static const uint8_t types[] = { 0xFB, 0xFC, 0xFD, 0x00, 0xFF };
	static const uint8_t codes[] = { 0xE0, 0xE1, 0xE2, 0xEB, 0xEE, 0xEF, 0xF1, 0x1D, 0x19 };
	srand(1234);
	for (int mode = 0; mode < 2; mode++) {
		struct twc_master m;
		start(&m, mode == 0 ? TWC_MODE_MASTER : TWC_MODE_MONITOR);
		twc_master_on_frame(&m, NULL, 13, 0);
		uint8_t body[TWC_MASTER_BODY_MAX];
		struct twc_status_update up[4];
		for (int64_t t = 0; t < 200000; t += 7) {
			uint8_t b[32];
			static const size_t valid_len[] = { 13, 15, 19 };
			size_t len = rand() % 2 ? (size_t)(rand() % 32) : valid_len[rand() % 3];
			for (size_t i = 0; i < sizeof(b); i++)
				b[i] = (uint8_t)rand();
			b[0] = types[rand() % (int)sizeof(types)];
			b[1] = codes[rand() % (int)sizeof(codes)];
			/* Few ids, so that slaves join, answer and leave. */
			if (rand() % 2) {
				b[2] = 0x10;
				b[3] = (uint8_t)(rand() % 5);
			}
			twc_master_on_frame(&m, b, len, t);
			size_t out = twc_master_next_frame(&m, t, rand() % 4 == 0, body, sizeof(body));
			assert_true(out == 0 || out == 13 || out == 15);
			twc_master_take_status(&m, t, up, 4);
			assert_true(twc_master_next_deadline(&m, t) >= t);
		}
		assert_true(twc_master_slave_count(&m) <= TWC_MAX_SLAVES);
		if (mode == 1)
			assert_int_equal(m.stats.frames_out, 0);
	}
}

static void test_config_check_names_the_option(void **state)
{
	(void)state;
	struct twc_master_config cfg;
	char err[200];
	twc_master_config_defaults(&cfg);
	assert_int_equal(twc_master_config_check(&cfg, err, sizeof(err)), 0);
	cfg.max_amps_for_slaves = 40;
	assert_int_equal(twc_master_config_check(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "plugin_opt_twc_max_amps_for_slaves"));
	cfg.wiring_max_amps_all = 0;
	assert_int_equal(twc_master_config_check(&cfg, err, sizeof(err)), 0);
	cfg.wiring_max_amps_all = 32;
	cfg.max_amps_for_slaves = 32;
	cfg.refresh_s = 0;
	assert_int_equal(twc_master_config_check(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "plugin_opt_twc_refresh"));
	cfg.refresh_s = 60;
	/* init clamps what is still out of range: the pool never exceeds the circuit. */
	struct twc_master m;
	twc_master_init(&m, &cfg, 0);
	assert_int_equal(m.pool_amps, 32);
	/* No circuit given: the circuit is the pool, so the pool can only be lowered. */
	cfg.wiring_max_amps_all = 0;
	cfg.max_amps_for_slaves = 24;
	twc_master_init(&m, &cfg, 0);
	assert_int_equal(m.cfg.wiring_max_amps_all, 24);
	assert_int_equal(twc_master_set_pool(&m, 25, 0, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_on_init_and_link_up),
		cmocka_unit_test(test_slave_joins_protocol_2_and_gets_the_pool),
		cmocka_unit_test(test_slave_joins_protocol_1_and_mixed_forms_are_accepted),
		cmocka_unit_test(test_fourth_slave_is_refused),
		cmocka_unit_test(test_id_clash_sends_the_burst_again),
		cmocka_unit_test(test_never_talks_while_rx_busy),
		cmocka_unit_test(test_paces_frames_100_ms_apart),
		cmocka_unit_test(test_waits_for_the_reply_or_its_timeout),
		cmocka_unit_test(test_queries_never_delay_a_heartbeat),
		cmocka_unit_test(test_heartbeats_every_slave_within_1200_ms),
		cmocka_unit_test(test_heartbeats_within_2_s_when_slaves_do_not_answer),
		cmocka_unit_test(test_slave_gone_after_26_s_of_silence),
		cmocka_unit_test(test_kwh_on_join_then_every_60_s),
		cmocka_unit_test(test_lost_kwh_reply_is_asked_again_soon),
		cmocka_unit_test(test_vin_with_valid_check_digit_is_published),
		cmocka_unit_test(test_vin_with_failing_check_digit_is_discarded),
		cmocka_unit_test(test_all_zero_vin_means_none),
		cmocka_unit_test(test_vin_queries_are_bounded),
		cmocka_unit_test(test_monitor_never_sends_and_publishes),
		cmocka_unit_test(test_status_amps_format),
		cmocka_unit_test(test_status_on_change_and_on_refresh),
		cmocka_unit_test(test_set_pool_refuses_out_of_range),
		cmocka_unit_test(test_a_flapping_pool_cannot_flap_a_contactor),
		cmocka_unit_test(test_raise_waits_5s_lowering_does_not),
		cmocka_unit_test(test_protocol2_stop_and_start_frames),
		cmocka_unit_test(test_protocol1_stops_with_05_00_00),
		cmocka_unit_test(test_pool_lowered_at_run_time_is_honoured),
		cmocka_unit_test(test_garbage_never_crashes),
		cmocka_unit_test(test_config_check_names_the_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
