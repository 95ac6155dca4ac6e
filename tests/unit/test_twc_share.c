/*
 * twc_share: the current-sharing rule (docs/twc.md), on its own and as the
 * real master applies it on a simulated bus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "twc_fake_bus.h"
#include "twc_master.h"
#include "twc_share.h"

#define RANDOM_RUNS 10000

static void split3(int pool, int min, const struct twc_share_slave *in, size_t n, int a, int b,
		   int c)
{
	int out[3] = { -1, -1, -1 };
	assert_int_equal(twc_share_split(pool, min, in, n, out), 0);
	int want[3] = { a, b, c };
	for (size_t i = 0; i < n; i++) {
		if (out[i] != want[i])
			fail_msg("pool %d min %d: slave %zu got %d, expected %d", pool, min, i,
				 out[i], want[i]);
	}
}

static void test_fair_split_in_whole_amps(void **state)
{
	(void)state;
	struct twc_share_slave in[3] = { { true, 32, 1 }, { true, 32, 2 }, { true, 32, 3 } };
	split3(32, 6, in, 1, 32, 0, 0);
	split3(32, 6, in, 2, 16, 16, 0);
	/* The odd amps go to the oldest sessions. */
	split3(32, 6, in, 3, 11, 11, 10);
	split3(20, 6, in, 3, 7, 7, 6);
	in[0].order = 9;
	split3(32, 6, in, 3, 10, 11, 11);
}

static void test_each_slave_capped_at_its_maximum(void **state)
{
	(void)state;
	struct twc_share_slave in[3] = { { true, 10, 1 }, { true, 32, 2 }, { true, 80, 3 } };
	/* The capped slave's share goes to the others. */
	split3(60, 6, in, 3, 10, 25, 25);
	split3(80, 6, in, 3, 10, 32, 38);
	/* More pool than all caps together: the rest stays unused. */
	split3(200, 6, in, 3, 10, 32, 80);
}

static void test_slaves_that_do_not_want_get_nothing(void **state)
{
	(void)state;
	struct twc_share_slave in[3] = { { false, 32, 1 }, { true, 32, 2 }, { false, 32, 3 } };
	split3(32, 6, in, 3, 0, 32, 0);
	in[1].wants = false;
	split3(32, 6, in, 3, 0, 0, 0);
}

static void test_below_min_oldest_session_first(void **state)
{
	(void)state;
	/* 15 A for three at 6 A minimum: two fit; the newest session (order 1 is oldest) gets 0. */
	struct twc_share_slave in[3] = { { true, 32, 3 }, { true, 32, 1 }, { true, 32, 2 } };
	split3(15, 6, in, 3, 0, 8, 7);
	split3(11, 6, in, 3, 0, 11, 0);
	split3(5, 6, in, 3, 0, 0, 0);
	split3(12, 6, in, 3, 0, 6, 6);
	/* A slave whose cap is below the minimum can never get a useful limit. */
	in[1].cap_amps = 5;
	split3(32, 6, in, 3, 16, 0, 16);
	/* Without a minimum everyone shares; the odd amps go to the oldest. */
	split3(5, 0, in, 3, 1, 2, 2);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct twc_share_slave in[4] = { { true, 32, 1 } };
	int out[4] = { 7, 7, 7, 7 };
	assert_int_equal(twc_share_split(32, 6, in, 4, out), -1);
	assert_int_equal(out[0], 7);
	assert_int_equal(twc_share_split(32, 6, NULL, 1, out), -1);
	assert_int_equal(twc_share_split(32, 6, in, 1, NULL), -1);
	assert_int_equal(twc_share_split(-5, 6, in, 1, out), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(twc_share_split(32, 6, in, 0, out), 0);
}

/* A fixed pseudo-random sequence, so that every failure can be replayed from its seed. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int rng_int(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static void test_rule_properties_random(void **state)
{
	(void)state;
	uint64_t rng = 0x5eed5eedULL;
	for (int run = 0; run < 100000; run++) {
		struct twc_share_slave in[3];
		size_t n = (size_t)rng_int(&rng, 0, 3);
		int pool = rng_int(&rng, 0, 100);
		int min = rng_int(&rng, 0, 12);
		for (size_t i = 0; i < n; i++) {
			in[i].wants = rng_int(&rng, 0, 3) != 0;
			in[i].cap_amps = rng_int(&rng, 0, 80);
			in[i].order = (uint32_t)rng_int(&rng, 0, 5);
		}
		int out[3];
		assert_int_equal(twc_share_split(pool, min, in, n, out), 0);
		int sum = 0, eligible = 0, served = 0, lo = 1 << 30, hi = 0;
		for (size_t i = 0; i < n; i++) {
			sum += out[i];
			assert_true(out[i] == 0 || (out[i] >= min && out[i] <= in[i].cap_amps));
			if (!in[i].wants)
				assert_int_equal(out[i], 0);
			if (in[i].wants && in[i].cap_amps > 0 && in[i].cap_amps >= min)
				eligible++;
			if (out[i] > 0)
				served++;
			/* Fair: those not held down by their cap differ by at most 1 A. */
			if (out[i] > 0 && out[i] < in[i].cap_amps) {
				lo = out[i] < lo ? out[i] : lo;
				hi = out[i] > hi ? out[i] : hi;
			}
		}
		assert_true(sum <= pool);
		assert_true(hi == 0 || hi - lo <= 1);
		/* As many served as fit at the minimum. */
		int fit = min > 0 ? pool / min : eligible;
		int expect_served = eligible < fit ? eligible : fit;
		if (pool == 0 || (min == 0 && pool < eligible))
			expect_served = served;
		assert_int_equal(served, expect_served);
	}
}

/*
 * The invariant on the real state machine: whatever the master sends, the
 * limits the slaves were last told (from the heartbeat bodies on the bus)
 * add up to at most the pool in force, and each is within its slave's cap.
 */
struct model {
	struct twc_master *m;
	uint64_t seed;
	size_t n;
	uint16_t id[FAKE_MAX_SLAVES];
	int protocol[FAKE_MAX_SLAVES];
	int cap_ca[FAKE_MAX_SLAVES];
	bool known[FAKE_MAX_SLAVES];
	int told[FAKE_MAX_SLAVES];
	int64_t last_heartbeat[FAKE_MAX_SLAVES];
	int64_t last_change[FAKE_MAX_SLAVES];	/* INT64_MIN: never */
	int64_t last_stop[FAKE_MAX_SLAVES];	/* INT64_MIN: never */
	unsigned long joined[FAKE_MAX_SLAVES];	/* the master's join number: a new one starts afresh */
	int holdoff_ms;
	int requested_pool_ca;
	int in_force_ca;
	int min_ca;
	unsigned long heartbeats;
};

/* What the random runs went through, so that a generator gone dull fails the test. */
struct coverage {
	unsigned long heartbeats;
	unsigned long pool_lowered_below_told; /* the hard case: the pool drops under what is told */
	unsigned long slaves_gone;
	unsigned long slaves_told_nonzero;     /* at the end of a run */
};

static int told_sum(const struct model *md)
{
	int sum = 0;
	for (size_t i = 0; i < md->n; i++)
		sum += md->known[i] ? md->told[i] : 0;
	return sum;
}

/* A slave the master forgot (gone) no longer counts; one it (re)learns starts untold. */
static void model_sync(struct model *md)
{
	for (size_t i = 0; i < md->n; i++) {
		const struct twc_slave *s = twc_master_find_slave(md->m, md->id[i]);
		bool known = s != NULL;
		if (known != md->known[i] || (known && s->joined != md->joined[i])) {
			md->joined[i] = known ? s->joined : 0;
			md->known[i] = known;
			md->told[i] = 0;
			md->last_heartbeat[i] = INT64_MIN;
			md->last_change[i] = INT64_MIN;
			md->last_stop[i] = INT64_MIN;
		}
	}
	if (told_sum(md) <= md->requested_pool_ca)
		md->in_force_ca = md->requested_pool_ca;
}

static void model_frame(struct fake_bus *bus, const uint8_t *b, size_t len)
{
	struct model *md = bus->ctx;
	int before = told_sum(md);
	model_sync(md);
	if (b[0] != 0xFB || b[1] != 0xE0)
		return;
	md->heartbeats++;
	size_t i = 0;
	while (i < md->n && md->id[i] != fake_get16(b, 4))
		i++;
	if (i == md->n || !md->known[i])
		fail_msg("seed %llu: heartbeat to a slave the master does not know",
			 (unsigned long long)md->seed);
	int limit = fake_get16(b, 7);
	if (len != (md->protocol[i] == 1 ? 13u : 15u) || b[6] != (md->protocol[i] == 1 ? 5 : 9))
		fail_msg("seed %llu: heartbeat form does not match protocol %d",
			 (unsigned long long)md->seed, md->protocol[i]);
	if (limit > md->cap_ca[i] || limit % 100 != 0 || (limit != 0 && limit < md->min_ca))
		fail_msg("seed %llu: limit %d for a slave capped at %d (min %d)",
			 (unsigned long long)md->seed, limit, md->cap_ca[i], md->min_ca);
	if (md->last_heartbeat[i] != INT64_MIN && bus->now - md->last_heartbeat[i] > 2000)
		fail_msg("seed %llu: %lld ms between heartbeats", (unsigned long long)md->seed,
			 (long long)(bus->now - md->last_heartbeat[i]));
	md->last_heartbeat[i] = bus->now;
	/* Raised at most every TWC_RAISE_INTERVAL_MS; started again no sooner than the holdoff. */
	if (limit > md->told[i] && md->last_change[i] != INT64_MIN &&
	    bus->now - md->last_change[i] < TWC_RAISE_INTERVAL_MS)
		fail_msg("seed %llu at %lld ms: raised %lld ms after the last change",
			 (unsigned long long)md->seed, (long long)bus->now,
			 (long long)(bus->now - md->last_change[i]));
	if (limit > 0 && md->told[i] == 0 && md->last_stop[i] != INT64_MIN &&
	    bus->now - md->last_stop[i] < md->holdoff_ms)
		fail_msg("seed %llu at %lld ms: started %lld ms after a stop",
			 (unsigned long long)md->seed, (long long)bus->now,
			 (long long)(bus->now - md->last_stop[i]));
	if (limit != md->told[i] && (limit > 0 || md->told[i] > 0)) {
		md->last_change[i] = bus->now;
		const struct twc_slave *sl = twc_master_find_slave(md->m, md->id[i]);
		if (limit == 0 && sl != NULL && sl->wants)
			md->last_stop[i] = bus->now;
	}
	md->told[i] = limit;
	int sum = told_sum(md);
	if (sum > md->in_force_ca || (sum > md->requested_pool_ca && sum > before))
		fail_msg("seed %llu at %lld ms: limits told add up to %d cA, pool in force %d, "
			 "asked %d, before %d",
			 (unsigned long long)md->seed, (long long)bus->now, sum, md->in_force_ca,
			 md->requested_pool_ca, before);
	if (sum <= md->requested_pool_ca)
		md->in_force_ca = md->requested_pool_ca;
}

static void random_action(struct fake_bus *bus, struct model *md, uint64_t *rng, int wiring_all,
			  struct coverage *cov)
{
	struct fake_slave *s = &bus->slave[rng_int(rng, 0, (int)md->n - 1)];
	static const uint8_t states[] = { 0, 1, 2, 3, 4, 5, 8, 10, 15 };
	switch (rng_int(rng, 0, 9)) {
	case 0:
	case 1:
		s->state = states[rng_int(rng, 0, (int)sizeof(states) - 1)];
		break;
	case 2:
	case 3:
		s->car_draws = !s->car_draws;
		s->car_wants_ca = (uint16_t)rng_int(rng, 0, 8000);
		break;
	case 4:
	case 5: {
		int amps = rng_int(rng, -3, wiring_all + 3);
		char err[200];
		int rc = twc_master_set_pool(md->m, amps, bus->now, err, sizeof(err));
		assert_int_equal(rc, amps >= 0 && amps <= wiring_all ? 0 : -1);
		if (rc == 0) {
			if (amps * 100 < told_sum(md))
				cov->pool_lowered_below_told++;
			md->requested_pool_ca = amps * 100;
			model_sync(md);
		}
		break;
	}
	case 6:
		/* Leaves the bus; the master notices after 26 s. */
		s->attached = false;
		break;
	case 7:
		if (!s->attached) {
			s->attached = true;
			fake_slave_linkready(bus, s);
		}
		break;
	default:
		break;
	}
}

static void invariant_run(uint64_t seed, struct coverage *cov)
{
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct twc_master m;
	struct fake_bus bus;
	struct model md;
	struct twc_master_config cfg;
	twc_master_config_defaults(&cfg);
	cfg.wiring_max_amps_all = rng_int(&rng, 6, 80);
	cfg.max_amps_for_slaves = rng_int(&rng, 0, cfg.wiring_max_amps_all);
	cfg.min_amps_per_twc = rng_int(&rng, 0, 12);
	cfg.wiring_max_amps_per_twc = rng_int(&rng, 6, 80);
	memset(&md, 0, sizeof(md));
	md.m = &m;
	md.seed = seed;
	md.requested_pool_ca = cfg.max_amps_for_slaves * 100;
	md.in_force_ca = md.requested_pool_ca;
	md.min_ca = cfg.min_amps_per_twc * 100;
	cfg.restart_holdoff_s = rng_int(&rng, 0, 20);
	md.holdoff_ms = cfg.restart_holdoff_s * 1000;
	twc_master_init(&m, &cfg, 0);
	fake_bus_init(&bus, &m, 0);
	bus.on_sent = model_frame;
	bus.ctx = &md;

	md.n = (size_t)rng_int(&rng, 1, 3);
	int64_t arrive[3];
	for (size_t i = 0; i < md.n; i++) {
		int max_amps = rng_int(&rng, 6, 80);
		md.id[i] = (uint16_t)(0x1000 + 0x100 * i + (size_t)rng_int(&rng, 0, 0xFF));
		md.protocol[i] = rng_int(&rng, 1, 2);
		int cap = max_amps < cfg.wiring_max_amps_per_twc ? max_amps : cfg.wiring_max_amps_per_twc;
		md.cap_ca[i] = cap * 100;
		md.last_heartbeat[i] = INT64_MIN;
		md.last_change[i] = INT64_MIN;
		md.last_stop[i] = INT64_MIN;
		struct fake_slave *s = fake_bus_add_slave(&bus, md.id[i], md.protocol[i], max_amps);
		static const size_t forms[] = { 13, 15, 19 };
		s->reply_len = forms[rng_int(&rng, 0, 2)];
		s->latency_ms = rng_int(&rng, 5, 90);
		s->answer_kwh = rng_int(&rng, 0, 3) != 0;
		s->answer_vin = rng_int(&rng, 0, 3) != 0;
		s->state = (uint8_t)rng_int(&rng, 0, 10);
		s->car_draws = rng_int(&rng, 0, 1) != 0;
		s->car_wants_ca = (uint16_t)rng_int(&rng, 0, 8000);
		s->attached = false;
		arrive[i] = rng_int(&rng, 0, 12000);
	}

	while (bus.now < 40000) {
		int64_t until = bus.now + rng_int(&rng, 50, 2000);
		for (size_t i = 0; i < md.n; i++) {
			if (arrive[i] >= bus.now && arrive[i] < until) {
				fake_bus_run_until(&bus, arrive[i]);
				bus.slave[i].attached = true;
				fake_slave_linkready(&bus, &bus.slave[i]);
			}
		}
		fake_bus_run_until(&bus, until);
		model_sync(&md);
		/* No known slave goes without a heartbeat for 2 s, even between frames. */
		for (size_t i = 0; i < md.n; i++) {
			if (md.known[i] && md.last_heartbeat[i] != INT64_MIN &&
			    bus.now - md.last_heartbeat[i] > 2000)
				fail_msg("seed %llu: slave %zu starved", (unsigned long long)seed, i);
		}
		if (bus.violation != NULL)
			fail_msg("seed %llu: %s", (unsigned long long)seed, bus.violation);
		random_action(&bus, &md, &rng, cfg.wiring_max_amps_all, cov);
	}

	/* Nothing changes any more: every known slave ends up told its share. */
	fake_bus_run_until(&bus, bus.now + TWC_GONE_MS + md.holdoff_ms + 3 * TWC_RAISE_INTERVAL_MS + 10000);
	model_sync(&md);
	assert_null(bus.violation);
	struct twc_share_slave in[3];
	int expect[3];
	for (size_t i = 0; i < md.n; i++) {
		const struct twc_slave *s = twc_master_find_slave(&m, md.id[i]);
		in[i].wants = s != NULL && s->wants;
		in[i].cap_amps = md.cap_ca[i] / 100;
		in[i].order = s != NULL ? s->want_order : 0;
	}
	twc_share_split(md.requested_pool_ca / 100, cfg.min_amps_per_twc, in, md.n, expect);
	for (size_t i = 0; i < md.n; i++) {
		if (md.known[i] && md.told[i] != expect[i] * 100)
			fail_msg("seed %llu: slave %zu settled at %d cA, its share is %d A (target %d, pool %d, "
				 "others %d %d %d)",
				 (unsigned long long)seed, i, md.told[i], expect[i],
				 twc_master_find_slave(&m, md.id[i])->target_ca, md.requested_pool_ca, md.told[0],
				 md.told[1], md.told[2]);
	}
	assert_int_equal(m.pool_in_force_amps * 100, md.in_force_ca);
	cov->heartbeats += md.heartbeats;
	cov->slaves_gone += m.stats.slaves_gone;
	for (size_t i = 0; i < md.n; i++)
		cov->slaves_told_nonzero += md.known[i] && md.told[i] > 0 ? 1 : 0;
}

static void test_limits_told_never_exceed_the_pool_random(void **state)
{
	(void)state;
	struct coverage cov = { 0, 0, 0, 0 };
	for (uint64_t seed = 1; seed <= RANDOM_RUNS; seed++)
		invariant_run(seed, &cov);
	assert_true(cov.heartbeats > 50UL * RANDOM_RUNS);
	assert_true(cov.pool_lowered_below_told > RANDOM_RUNS / 2);
	assert_true(cov.slaves_gone > RANDOM_RUNS / 10);
	print_message("coverage: %lu heartbeats, %lu pool lowerings below what was told, %lu slaves gone, %lu told above 0 at the end\n", cov.heartbeats, cov.pool_lowered_below_told, cov.slaves_gone, cov.slaves_told_nonzero);
	/* The settling lasts past TWC_GONE_MS, so slaves that left the bus are gone by the end. */
	assert_true(cov.slaves_told_nonzero > RANDOM_RUNS / 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fair_split_in_whole_amps),
		cmocka_unit_test(test_each_slave_capped_at_its_maximum),
		cmocka_unit_test(test_slaves_that_do_not_want_get_nothing),
		cmocka_unit_test(test_below_min_oldest_session_first),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_rule_properties_random),
		cmocka_unit_test(test_limits_told_never_exceed_the_pool_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
