#include "bus.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events.h"
#include "twc_frame.h"

#define NOISE_BURST_MAX 6
#define NOISE_PAUSE_MIN_US 200000
#define NOISE_PAUSE_SPREAD_US 500000
#define CORRUPT_ONE_FRAME_IN 8

void bus_init(struct bus *b, uint64_t seed)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->junk = true;
	b->random_state = seed ? seed : 0x9E3779B97F4A7C15ull; /* xorshift must not start at 0 */
	b->next_noise_us = INT64_MAX;
}

uint32_t bus_random(struct bus *b)
{
	b->random_state ^= b->random_state << 13;
	b->random_state ^= b->random_state >> 7;
	b->random_state ^= b->random_state << 17;
	return (uint32_t)(b->random_state >> 32);
}

bool bus_connected(const struct bus *b)
{
	return b->fd >= 0;
}

void bus_attach(struct bus *b, int fd)
{
	bus_detach(b);
	b->fd = fd;
	sim_say("connected");
}

void bus_detach(struct bus *b)
{
	if (b->fd < 0)
		return;
	close(b->fd);
	b->fd = -1;
	b->pending_len = 0;
	sim_say("disconnected");
}

static void queue(struct bus *b, const uint8_t *bytes, size_t n)
{
	/* A master that stopped reading loses frames, as on a real bus. */
	if (n > sizeof(b->pending) - b->pending_len)
		return;
	memcpy(b->pending + b->pending_len, bytes, n);
	b->pending_len += n;
}

static void queue_noise_burst(struct bus *b)
{
	uint8_t burst[NOISE_BURST_MAX];
	size_t n = 1 + bus_random(b) % NOISE_BURST_MAX;

	for (size_t i = 0; i < n; i++)
		burst[i] = (uint8_t)bus_random(b);
	queue(b, burst, n);
}

/*
 * One bit flipped somewhere after the type byte and before the closing C0:
 * the checksum, length or escaping no longer holds. The type byte is spared
 * because it is outside the checksum.
 */
static void corrupt(struct bus *b, uint8_t *wire, size_t n)
{
	size_t at = 2 + bus_random(b) % (n - 3);

	wire[at] ^= (uint8_t)(1u << (bus_random(b) % 8));
}

void bus_send_frame(struct bus *b, const uint8_t *body, size_t len, uint16_t sender, int64_t now_us)
{
	static const uint8_t junk_bytes[] = { 0xFE, 0xFC, 0xF8 };
	uint8_t wire[TWC_FRAME_ENCODED_MAX + 1];
	size_t n;

	if (b->fd < 0)
		return;
	n = twc_frame_encode(body, len, wire, sizeof(wire));
	if (n == 0)
		return;
	if (b->noise && bus_random(b) % CORRUPT_ONE_FRAME_IN == 0)
		corrupt(b, wire, n);
	if (b->junk)
		wire[n++] = junk_bytes[b->junk_turn++ % sizeof(junk_bytes)];
	queue(b, wire, n);
	if (b->noise && bus_random(b) % 2 == 0)
		queue_noise_burst(b);
	sim_say("tx %02X%02X %04X t=%" PRId64, body[0], body[1], sender, now_us);
}

void bus_flush(struct bus *b)
{
	while (b->fd >= 0 && b->pending_len > 0) {
		ssize_t sent = send(b->fd, b->pending, b->pending_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				bus_detach(b);
			return;
		}
		memmove(b->pending, b->pending + sent, b->pending_len - (size_t)sent);
		b->pending_len -= (size_t)sent;
	}
}

bool bus_wants_write(const struct bus *b)
{
	return b->fd >= 0 && b->pending_len > 0;
}

static int64_t noise_pause_us(struct bus *b)
{
	return NOISE_PAUSE_MIN_US + bus_random(b) % NOISE_PAUSE_SPREAD_US;
}

void bus_set_noise(struct bus *b, bool on, int64_t now_us)
{
	b->noise = on;
	b->next_noise_us = on ? now_us + noise_pause_us(b) : INT64_MAX;
}

void bus_run_noise(struct bus *b, int64_t now_us)
{
	if (!b->noise || now_us < b->next_noise_us)
		return;
	b->next_noise_us = now_us + noise_pause_us(b);
	if (b->fd >= 0)
		queue_noise_burst(b);
}

int64_t bus_next_due_us(const struct bus *b)
{
	return b->next_noise_us;
}
