/*
 * fuzz_twc_master: the TWC load-sharing master (twc_master.h) driven by a
 * script of received bodies, clock steps, pool changes and link restarts.
 *
 * Input: 6 configuration bytes, then operations until the input ends:
 *   config   mode (bit 0: monitor), pool 0..80, min 0..32, wiring per TWC
 *            1..80, circuit 0..80 (0: the pool), refresh 1..120 s; a
 *            configuration that twc_master_config_check refuses is skipped
 *            (the plugin would not start with it);
 *   op % 8   0 body: a length byte (13, 15, 19, or anything below 24) and
 *              that many bytes, received now;
 *            1 the clock moves on by the next two bytes' ms (monotonic, as
 *              the header asks), then next_frame;
 *            2 next_frame now, with the bus busy when the next byte is odd;
 *            3 set_pool to the next byte - 5 amps (negative ones refused);
 *            4 link_up;
 *            5 take_status with room for 1..8 updates, until drained;
 *            6 the clock jumps to next_deadline, then next_frame;
 *            7 the clock moves on 100 ms, then next_frame.
 * The seed corpus plays docs/twc.md: two slaves join, draw current, and the
 * pool is lowered.
 *
 * Checked after every operation (a violation traps, so libFuzzer reports it
 * as a crash), from the frames sent and the public slave table:
 * - the limits last told to the slaves present add up to at most the pool
 *   in force, which drops to a lowered pool only once the limits fit it,
 *   and a call that raises a limit leaves the limits within the pool asked;
 * - a limit is sent as 0 or whole amps from min to the slave's cap, and
 *   is what the slave table then says was told;
 * - frames: 13 or 15 bytes from our id, never FC 19, FC 1A or FB E8, none
 *   in monitor mode or while the bus is busy, at least TWC_PACING_MS apart;
 * - next_deadline is never in the past; status topics and values are
 *   terminated, printable, wildcard-free, under config/, all/ or an id.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "twc_master.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

struct run {
	struct twc_master m;
	int64_t now;
	bool sent_any;
	int64_t last_sent;
	int pool_asked;    /* amps: the last pool set */
	int pool_in_force; /* amps: what the told limits must fit */
};

static uint16_t get16(const uint8_t *b, size_t off)
{
	return (uint16_t)(b[off] << 8 | b[off + 1]);
}

static long told_sum(const struct twc_master *m)
{
	long sum = 0;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++)
		if (m->slave[i].present)
			sum += m->slave[i].told_ca;
	return sum;
}

/* The limit told to slave id before a call, or -1 when it was not there. */
static void told_before(const struct twc_master *m, int told[TWC_MAX_SLAVES],
			uint16_t ids[TWC_MAX_SLAVES])
{
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		told[i] = m->slave[i].present ? m->slave[i].told_ca : -1;
		ids[i] = m->slave[i].id;
	}
}

/* The sharing promises of twc_master.h, after a call that began with told[]. */
static void check_sharing(struct run *r, const int told[TWC_MAX_SLAVES],
			  const uint16_t ids[TWC_MAX_SLAVES])
{
	const struct twc_master *m = &r->m;
	long sum = told_sum(m);
	bool raised = false;
	for (size_t i = 0; i < TWC_MAX_SLAVES; i++) {
		const struct twc_slave *s = &m->slave[i];
		if (s->present && told[i] >= 0 && ids[i] == s->id && s->told_ca > told[i])
			raised = true;
	}
	CHECK(sum <= (long)r->pool_in_force * 100);
	if (raised)
		CHECK(sum <= (long)r->pool_asked * 100);
	if (sum <= (long)r->pool_asked * 100)
		r->pool_in_force = r->pool_asked;
}

static void check_frame(struct run *r, const uint8_t *body, size_t len)
{
	const struct twc_master *m = &r->m;
	CHECK(m->cfg.mode == TWC_MODE_MASTER);
	CHECK(len == 13 || len == 15);
	CHECK(body[0] == 0xFB || body[0] == 0xFC);
	CHECK(get16(body, 2) == m->cfg.master_id);
	CHECK(!(body[0] == 0xFC && (body[1] == 0x19 || body[1] == 0x1A)));
	CHECK(!(body[0] == 0xFB && body[1] == 0xE8));
	CHECK(!r->sent_any || r->now - r->last_sent >= TWC_PACING_MS);
	r->sent_any = true;
	r->last_sent = r->now;

	if (!(body[0] == 0xFB && body[1] == 0xE0))
		return;
	/* A heartbeat: the limit it carries, within the rules of twc_share.h. */
	const struct twc_slave *s = twc_master_find_slave(m, get16(body, 4));
	CHECK(s != NULL);
	CHECK(body[6] == (s->protocol == 1 ? 0x05 : 0x09));
	int limit = get16(body, 7);
	CHECK(limit == s->told_ca);
	CHECK(limit % 100 == 0);
	CHECK(limit == 0 || limit >= m->cfg.min_amps_per_twc * 100);
	CHECK(limit <= s->max_ca && limit <= m->cfg.wiring_max_amps_per_twc * 100);
}

static void next_frame(struct run *r, bool busy)
{
	int told[TWC_MAX_SLAVES];
	uint16_t ids[TWC_MAX_SLAVES];
	told_before(&r->m, told, ids);
	uint8_t body[TWC_MASTER_BODY_MAX];
	size_t len = twc_master_next_frame(&r->m, r->now, busy, body, sizeof(body));
	if (len > 0) {
		CHECK(!busy);
		check_frame(r, body, len);
	}
	check_sharing(r, told, ids);
}

static bool printable_text(const char *s, size_t size, bool topic)
{
	size_t n = strnlen(s, size);
	if (n == size)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7E || (topic && (c == '+' || c == '#')))
			return false;
	}
	return true;
}

static bool hex_id_level(const char *topic)
{
	for (size_t i = 0; i < 4; i++) {
		char c = topic[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return topic[4] == '/';
}

static void take_status(struct run *r, size_t cap)
{
	struct twc_status_update out[8];
	for (int rounds = 0; rounds < 64; rounds++) {
		size_t n = twc_master_take_status(&r->m, r->now, out, cap);
		CHECK(n <= cap);
		for (size_t i = 0; i < n; i++) {
			CHECK(printable_text(out[i].topic, sizeof(out[i].topic), true));
			CHECK(printable_text(out[i].value, sizeof(out[i].value), false));
			CHECK(strncmp(out[i].topic, "config/", 7) == 0 ||
			      strncmp(out[i].topic, "all/", 4) == 0 || hex_id_level(out[i].topic));
		}
		if (n < cap)
			return;
	}
}

static void operate(struct run *r, uint8_t op, const uint8_t **p, const uint8_t *end)
{
	int told[TWC_MAX_SLAVES];
	uint16_t ids[TWC_MAX_SLAVES];
	uint8_t arg = *p < end ? *(*p)++ : 0;
	told_before(&r->m, told, ids);

	switch (op % 8) {
	case 0: {
		static const size_t lengths[] = {13, 15, 19};
		size_t len = arg < 3 ? lengths[arg] : arg % 24u;
		uint8_t body[24] = {0};
		size_t have = (size_t)(end - *p) < len ? (size_t)(end - *p) : len;
		memcpy(body, *p, have);
		*p += have;
		twc_master_on_frame(&r->m, body, len, r->now);
		break;
	}
	case 1: {
		uint8_t low = *p < end ? *(*p)++ : 0;
		r->now += (int64_t)(arg << 8 | low);
		next_frame(r, false);
		break;
	}
	case 2:
		next_frame(r, arg & 1);
		break;
	case 3: {
		char err[256] = "";
		int amps = (int)arg - 5;
		if (twc_master_set_pool(&r->m, amps, r->now, err, sizeof(err)) == 0) {
			CHECK(amps >= 0 && amps <= r->m.cfg.wiring_max_amps_all);
			r->pool_asked = amps;
			if (amps > r->pool_in_force)
				r->pool_in_force = amps;
		} else {
			CHECK(err[0] != '\0');
		}
		break;
	}
	case 4:
		twc_master_link_up(&r->m, r->now);
		break;
	case 5:
		take_status(r, 1 + arg % 8u);
		break;
	case 6: {
		int64_t deadline = twc_master_next_deadline(&r->m, r->now);
		CHECK(deadline >= r->now);
		/* Bounded so that a script cannot run the clock anywhere near overflow. */
		if (deadline - r->now <= 3600 * 1000)
			r->now = deadline;
		next_frame(r, false);
		break;
	}
	case 7:
		r->now += 100;
		next_frame(r, false);
		break;
	}
	check_sharing(r, told, ids);
	CHECK(twc_master_slave_count(&r->m) <= TWC_MAX_SLAVES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 6)
		return 0;
	struct twc_master_config cfg;
	twc_master_config_defaults(&cfg);
	cfg.mode = (data[0] & 1) ? TWC_MODE_MONITOR : TWC_MODE_MASTER;
	cfg.max_amps_for_slaves = data[1] % 81;
	cfg.min_amps_per_twc = data[2] % 33;
	cfg.wiring_max_amps_per_twc = 1 + data[3] % 80;
	cfg.wiring_max_amps_all = data[4] % 81;
	cfg.refresh_s = 1 + data[5] % 120;
	char err[256];
	if (twc_master_config_check(&cfg, err, sizeof(err)) != 0)
		return 0;

	static struct run r; /* large: kept off the stack, reset for every input */
	memset(&r, 0, sizeof(r));
	twc_master_init(&r.m, &cfg, r.now);
	r.pool_asked = r.m.pool_amps;
	r.pool_in_force = r.m.pool_amps;

	const uint8_t *p = data + 6, *end = data + size;
	while (p < end) {
		uint8_t op = *p++;
		operate(&r, op, &p, end);
	}
	return 0;
}
