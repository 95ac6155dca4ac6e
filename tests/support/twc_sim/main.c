/*
 * twc_sim: 1 to 3 Tesla Wall Connector Gen2 slaves on one RS-485 bus, reached
 * over TCP as an RS-485-to-Ethernet converter in transparent mode presents
 * them. It stands in for hardware in the integration tests, the benchmarks
 * and the README's run command.
 *
 *   twc_sim [--port N] [--slave ID:PROTOCOL:MAX_AMPS]... [--seed N] [--energy-scale N]
 *
 *   --port N          listen on 127.0.0.1:N; 0 (the default) picks a free port
 *   --slave I:P:A     a slave: id I (1-4 hex digits, e.g. 4085 or C0DB),
 *                     protocol P (1: 14-byte frames, 2: 16-byte frames), maximum
 *                     A whole amps (1-80); up to 3 times, default 4085:2:32 and
 *                     2433:2:32
 *   --seed N          seed of the noise (default: from the clock)
 *   --energy-scale N  the meters count N times faster than real time (default 1)
 *
 * One connection at a time: a new one replaces the old one. The simulator
 * exits on "quit" or at the end of stdin.
 *
 * What a slave sends: its linkready and heartbeats in its protocol's form
 * (14 or 16 bytes); kWh/volts and VIN replies in the 20-byte form for
 * protocol 2 (as newer firmware does) and the shortest form that fits for
 * protocol 1. Its linkready goes out unprompted every 10 s while it has had no
 * master heartbeat for 10 s. It works to min(offered limit, its maximum) and
 * reports that in its heartbeat; the "limit" event shows the offer itself.
 * A slave whose id the master has, and that has already announced it, takes
 * a random new id on the master's next FC E1 and stays quiet to FB E2 until
 * its next unprompted linkready (docs/twc.md). Flood heartbeats go to the last
 * master heard, 7777 before any.
 *
 * stdin, one command a line, each answered on stdout with "ok" or
 * "error <reason>" (ids in hex, as in --slave):
 *   plug <id> <VIN|->         a car plugs in (state 4, wants current); - : it reports no VIN
 *   charge <id> <amps>        the car's demand; it draws min(demand, limit), state 1 while drawing
 *   stop <id>                 the car is done: state 3, draws 0
 *   unplug <id>               state 0, no VIN
 *   silence <id> on|off       the slave still hears, but sends nothing
 *   flood <id> on|off         the slave sends heartbeats unprompted, one every 20 ms
 *   noise on|off              random bytes between frames, now and then a corrupted frame
 *   junk on|off               the junk byte after every frame (default on)
 *   drop                      close the current connection
 *   kwh <id> <n>              set the lifetime kWh
 *   volts <id> <a> <b> <c>    set the volts of phases A, B, C (0: phase absent)
 *   state <id> <n>            force the state code, until the next car command
 *   quit
 *
 * stdout, one line per event; <us> is CLOCK_MONOTONIC in microseconds, ids are
 * 4 upper-case hex digits, <code> the 2 code bytes as 4 hex digits (FBE0):
 *   listening <port>                    once, when ready for a connection
 *   connected
 *   disconnected
 *   rx <code> from <id> to <id> t=<us>  every valid frame from the master ("to all" for
 *                                       FCE1, FBE2 and FC1D)
 *   hb <slave-id> t=<us>                a slave received a master heartbeat (also when silenced)
 *   limit <slave-id> <centiamps> t=<us> the limit offered to a slave changed
 *   tx <code> <slave-id> t=<us>         every frame sent (noise may have corrupted it)
 *   badframe <reason>                   corrupt input: bad_checksum, bad_length, bad_escape,
 *                                       overlong or idle_timeout
 *   newid <old-id> <new-id> t=<us>      a slave whose id the master also has took a new id
 *                                       (announced with its next linkready, within 10 s)
 *   ok | error <reason>                 the answer to a command
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus.h"
#include "commands.h"
#include "events.h"
#include "sim.h"
#include "slave.h"
#include "twc_frame.h"

#define COMMAND_LINE_MAX 512
#define MAX_AMPS_LIMIT 80 /* the most a Gen2 wall connector can deliver */

static const char usage_text[] =
	"usage: twc_sim [--port N] [--slave ID:PROTOCOL:MAX_AMPS]... [--seed N] [--energy-scale N]\n"
	"\n"
	"Simulates 1 to 3 Tesla Wall Connector Gen2 slaves on one RS-485 bus, reached\n"
	"over TCP on 127.0.0.1 like an RS-485-to-Ethernet converter. One connection at\n"
	"a time; a new one replaces the old one. Exits on 'quit' or end of stdin.\n"
	"\n"
	"  --port N          listen port; 0 (default) picks a free one\n"
	"  --slave I:P:A     id I (1-4 hex digits), protocol P (1 or 2), max amps A (1-80);\n"
	"                    up to 3; default 4085:2:32 and 2433:2:32\n"
	"  --seed N          seed of the noise (default: from the clock)\n"
	"  --energy-scale N  meters count N times faster than real time (default 1)\n"
	"\n"
	"stdin commands (answered 'ok' or 'error <reason>'):\n"
	"  plug <id> <VIN|->  charge <id> <amps>  stop <id>  unplug <id>\n"
	"  silence <id> on|off  flood <id> on|off  noise on|off  junk on|off  drop\n"
	"  kwh <id> <n>  volts <id> <a> <b> <c>  state <id> <n>  quit\n"
	"\n"
	"stdout events (<us>: CLOCK_MONOTONIC microseconds; ids and codes in hex):\n"
	"  listening <port>\n"
	"  connected\n"
	"  disconnected\n"
	"  rx <code> from <id> to <id|all> t=<us>\n"
	"  hb <slave-id> t=<us>\n"
	"  limit <slave-id> <centiamps> t=<us>\n"
	"  tx <code> <slave-id> t=<us>\n"
	"  badframe <bad_checksum|bad_length|bad_escape|overlong|idle_timeout>\n"
	"  newid <old-id> <new-id> t=<us>\n";

struct options {
	unsigned port;
	struct {
		uint16_t id;
		int protocol;
		unsigned max_amps;
	} slaves[SIM_MAX_SLAVES];
	size_t slave_count;
	uint64_t seed;
	unsigned energy_scale;
};

/* Digits only: strtoul alone would also take signs, spaces and a 0x prefix. */
static bool parse_number(const char *text, int base, unsigned long max, unsigned long *value)
{
	char *end;

	if (text[0] == '\0')
		return false;
	for (const char *p = text; *p; p++)
		if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
			return false;
	errno = 0;
	*value = strtoul(text, &end, base);
	return errno == 0 && *end == '\0' && *value <= max;
}

/* "4085:2:32" */
static bool parse_slave(const char *text, struct options *o)
{
	char copy[64];
	char *id_text;
	char *protocol_text;
	char *amps_text;
	unsigned long id, protocol, amps;

	if (strlen(text) >= sizeof(copy))
		return false;
	strcpy(copy, text);
	id_text = copy;
	protocol_text = strchr(id_text, ':');
	if (!protocol_text)
		return false;
	*protocol_text++ = '\0';
	amps_text = strchr(protocol_text, ':');
	if (!amps_text)
		return false;
	*amps_text++ = '\0';
	if (strlen(id_text) > 4 || !parse_number(id_text, 16, 0xFFFF, &id))
		return false;
	if (!parse_number(protocol_text, 10, 2, &protocol) || protocol < 1)
		return false;
	if (!parse_number(amps_text, 10, MAX_AMPS_LIMIT, &amps) || amps < 1)
		return false;
	o->slaves[o->slave_count].id = (uint16_t)id;
	o->slaves[o->slave_count].protocol = (int)protocol;
	o->slaves[o->slave_count].max_amps = (unsigned)amps;
	o->slave_count++;
	return true;
}

static void fail_usage(const char *problem, const char *value)
{
	fprintf(stderr, "twc_sim: %s%s%s\n", problem, value ? ": " : "", value ? value : "");
	fprintf(stderr, "Try 'twc_sim --help'.\n");
	exit(2);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option long_options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "slave", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "energy-scale", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long value;
	int opt;

	memset(o, 0, sizeof(*o));
	o->seed = (uint64_t)eb_now_us() ^ ((uint64_t)getpid() << 32);
	o->energy_scale = 1;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_number(optarg, 10, 65535, &value))
				fail_usage("--port expects a number from 0 to 65535", optarg);
			o->port = (unsigned)value;
			break;
		case 's':
			if (o->slave_count == SIM_MAX_SLAVES)
				fail_usage("at most 3 --slave options (the hardware limit)", NULL);
			if (!parse_slave(optarg, o))
				fail_usage("--slave expects ID:PROTOCOL:MAX_AMPS, ID 1-4 hex digits, "
					   "PROTOCOL 1 or 2, MAX_AMPS 1-80",
					   optarg);
			for (size_t i = 0; i + 1 < o->slave_count; i++)
				if (o->slaves[i].id == o->slaves[o->slave_count - 1].id)
					fail_usage("two slaves with the same id", optarg);
			break;
		case 'r':
			if (!parse_number(optarg, 10, ULONG_MAX, &value))
				fail_usage("--seed expects a whole number", optarg);
			o->seed = value;
			break;
		case 'e':
			if (!parse_number(optarg, 10, 1000000, &value) || value < 1)
				fail_usage("--energy-scale expects a number from 1 to 1000000", optarg);
			o->energy_scale = (unsigned)value;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fail_usage("unknown option", NULL);
		}
	}
	if (optind < argc)
		fail_usage("unexpected argument", argv[optind]);
	if (o->slave_count == 0) {
		parse_slave("4085:2:32", o);
		parse_slave("2433:2:32", o);
	}
}

static int listen_on_loopback(unsigned port, unsigned *bound_port)
{
	struct sockaddr_in address = { 0 };
	socklen_t address_len = sizeof(address);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	address.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&address, &address_len) < 0) {
		close(fd);
		return -1;
	}
	*bound_port = ntohs(address.sin_port);
	return fd;
}

static void accept_master(struct sim *sim, int listen_fd)
{
	int one = 1;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* Replies must leave at once, not wait for more bytes to fill a segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	bus_attach(&sim->bus, fd);
	twc_frame_rx_init(&sim->rx);
}

static bool is_broadcast(uint16_t code)
{
	return code == 0xFCE1 || code == 0xFBE2 || code == 0xFC1D;
}

static uint16_t pick_free_id(struct sim *sim, uint16_t taken_by_master)
{
	for (;;) {
		uint16_t id = (uint16_t)bus_random(&sim->bus);
		if (id != 0 && id != taken_by_master && !slave_find(sim->slaves, sim->slave_count, id))
			return id;
	}
}

static void on_master_frame(struct sim *sim, const uint8_t *body, size_t len, int64_t now_us)
{
	uint16_t code = (uint16_t)(body[0] << 8 | body[1]);
	uint8_t reply[TWC_FRAME_BODY_MAX];
	char to[8];

	if (is_broadcast(code))
		snprintf(to, sizeof(to), "all");
	else
		snprintf(to, sizeof(to), "%02X%02X", body[4], body[5]);
	sim_say("rx %04X from %02X%02X to %s t=%" PRId64, code, body[2], body[3], to, now_us);

	for (size_t i = 0; i < sim->slave_count; i++) {
		struct slave *s = &sim->slaves[i];
		size_t reply_len = slave_handle_frame(s, body, len, now_us, reply);
		if (reply_len)
			bus_send_frame(&sim->bus, reply, reply_len, s->id, now_us);
		if (s->clash_heard)
			slave_change_id(s, pick_free_id(sim, s->id), now_us);
	}
}

static void read_master(struct sim *sim)
{
	uint8_t buf[4096];
	ssize_t n = recv(sim->bus.fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		bus_detach(&sim->bus);
		return;
	}
	int64_t now_us = eb_now_us();
	for (ssize_t i = 0; i < n; i++) {
		enum twc_frame_rx_result result = twc_frame_rx_feed(&sim->rx, buf[i], now_us / 1000);
		if (result == TWC_FRAME_RX_FRAME) {
			size_t len;
			const uint8_t *body = twc_frame_rx_body(&sim->rx, &len);
			on_master_frame(sim, body, len, now_us);
		} else if (result != TWC_FRAME_RX_NOTHING) {
			sim_say("badframe %s", twc_frame_rx_result_name(result));
		}
	}
}

struct line_reader {
	char line[COMMAND_LINE_MAX];
	size_t len;
	bool too_long; /* the current line overflowed: answer once at its end */
	bool at_end;
};

static void read_commands(struct sim *sim, struct line_reader *r)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		r->at_end = true;
		return;
	}
	for (ssize_t i = 0; i < n && !sim->quit; i++) {
		if (buf[i] != '\n') {
			if (r->len + 1 < sizeof(r->line))
				r->line[r->len++] = buf[i];
			else
				r->too_long = true;
			continue;
		}
		r->line[r->len] = '\0';
		if (r->too_long)
			sim_say("error line too long");
		else
			sim_run_command(sim, r->line, eb_now_us());
		r->len = 0;
		r->too_long = false;
	}
}

static void run_timers(struct sim *sim, int64_t now_us)
{
	uint8_t frame[TWC_FRAME_BODY_MAX];

	for (size_t i = 0; i < sim->slave_count; i++) {
		struct slave *s = &sim->slaves[i];
		size_t len;
		slave_run_meter(s, now_us, sim->energy_scale);
		while ((len = slave_due_frame(s, now_us, bus_connected(&sim->bus), frame)) > 0)
			bus_send_frame(&sim->bus, frame, len, s->id, now_us);
	}
	bus_run_noise(&sim->bus, now_us);
}

static int poll_timeout_ms(const struct sim *sim, int64_t now_us)
{
	int64_t next = bus_next_due_us(&sim->bus);

	for (size_t i = 0; i < sim->slave_count; i++) {
		int64_t due = slave_next_due_us(&sim->slaves[i]);
		if (due < next)
			next = due;
	}
	if (next <= now_us)
		return 0;
	/* Round up: waking a little late is fine, waking early only spins. */
	int64_t wait_ms = (next - now_us + 999) / 1000;
	return wait_ms > 60000 ? 60000 : (int)wait_ms;
}

int main(int argc, char **argv)
{
	struct sim sim;
	struct options options;
	struct line_reader commands = { 0 };
	unsigned port;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv, &options);

	int64_t start_us = eb_now_us();
	bus_init(&sim.bus, options.seed);
	twc_frame_rx_init(&sim.rx);
	sim.energy_scale = options.energy_scale;
	for (size_t i = 0; i < options.slave_count; i++)
		slave_init(&sim.slaves[i], options.slaves[i].id, options.slaves[i].protocol,
			   (uint16_t)(options.slaves[i].max_amps * 100), i, start_us);
	sim.slave_count = options.slave_count;

	int listen_fd = listen_on_loopback(options.port, &port);
	if (listen_fd < 0) {
		fprintf(stderr, "twc_sim: cannot listen on 127.0.0.1:%u: %s\n", options.port,
			strerror(errno));
		return 1;
	}
	sim_say("listening %u", port);

	while (!sim.quit && !commands.at_end) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = listen_fd, .events = POLLIN },
			{ .fd = sim.bus.fd, .events = POLLIN },
		};
		if (bus_wants_write(&sim.bus))
			fds[2].events |= POLLOUT;

		if (poll(fds, 3, poll_timeout_ms(&sim, eb_now_us())) < 0 && errno != EINTR) {
			perror("twc_sim: poll");
			return 1;
		}
		run_timers(&sim, eb_now_us());
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
			read_commands(&sim, &commands);
		if (fds[1].revents & POLLIN)
			accept_master(&sim, listen_fd);
		else if (fds[2].fd >= 0 && fds[2].fd == sim.bus.fd &&
			 (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))
			read_master(&sim);
		bus_flush(&sim.bus);
	}
	bus_detach(&sim.bus);
	close(listen_fd);
	return 0;
}
