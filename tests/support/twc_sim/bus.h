/*
 * bus: the RS-485 bus as the master sees it through a converter, i.e. the
 * one TCP connection. Frames from all slaves go out through here in the order
 * they are sent, each with the junk byte that real wall connectors add, and
 * with noise when the test asks for it. Writes never block the simulator: what
 * the socket does not take at once waits for the next POLLOUT.
 */
#ifndef TWC_SIM_BUS_H
#define TWC_SIM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_PENDING_MAX 65536

struct bus {
	int fd; /* -1: no master connected */
	uint8_t pending[BUS_PENDING_MAX];
	size_t pending_len;
	bool junk; /* one trailing junk byte after every frame */
	bool noise; /* junk bytes between frames, now and then a corrupted frame */
	int64_t next_noise_us;
	unsigned junk_turn;
	uint64_t random_state;
};

/* seed: any value; the same seed gives the same noise. */
void bus_init(struct bus *b, uint64_t seed);
bool bus_connected(const struct bus *b);
/* Takes over a new connection, closing the old one first. */
void bus_attach(struct bus *b, int fd);
/* Closes the connection, if any, and says so. */
void bus_detach(struct bus *b);

/* Encodes body (without checksum) and queues it, from slave sender. Dropped when no master is connected. */
void bus_send_frame(struct bus *b, const uint8_t *body, size_t len, uint16_t sender, int64_t now_us);
/* Writes what the socket takes; detaches when the connection is gone. */
void bus_flush(struct bus *b);
bool bus_wants_write(const struct bus *b);

void bus_set_noise(struct bus *b, bool on, int64_t now_us);
/* Sends the noise bursts that are due. */
void bus_run_noise(struct bus *b, int64_t now_us);
/* INT64_MAX when no noise is planned. */
int64_t bus_next_due_us(const struct bus *b);

uint32_t bus_random(struct bus *b);

#endif
