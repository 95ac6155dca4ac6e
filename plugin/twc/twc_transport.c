#include "twc_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eb_text.h"

#define CONNECT_TIMEOUT_MS 3000
#define WRITE_TIMEOUT_MS 100

void twc_transport_init(struct twc_transport *t)
{
	t->fd = -1;
	t->serial = NULL;
}

static int serial_fail(struct twc_transport *t, char *err, size_t errsz, const char *what)
{
	char *message = sp_last_error_message();
	eb_error(err, errsz, "%s: %s", what, message ? message : "unknown error");
	sp_free_error_message(message);
	twc_transport_close(t);
	return -1;
}

static int open_serial(struct twc_transport *t, const char *device, char *err, size_t errsz)
{
	/* libserialport only knows names with an entry under /sys/class/tty: follow by-id links first. */
	char resolved[PATH_MAX];
	if (!realpath(device, resolved))
		return eb_error(err, errsz, "%s: %s", device, strerror(errno));
	if (sp_get_port_by_name(resolved, &t->serial) != SP_OK)
		return serial_fail(t, err, errsz, resolved);
	if (sp_open(t->serial, SP_MODE_READ_WRITE) != SP_OK) {
		sp_free_port(t->serial);
		t->serial = NULL;
		return serial_fail(t, err, errsz, resolved);
	}
	if (sp_set_baudrate(t->serial, 9600) != SP_OK || sp_set_bits(t->serial, 8) != SP_OK ||
	    sp_set_parity(t->serial, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(t->serial, 1) != SP_OK ||
	    sp_set_flowcontrol(t->serial, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_get_port_handle(t->serial, &t->fd) != SP_OK)
		return serial_fail(t, err, errsz, resolved);
	return 0;
}

static int connect_with_timeout(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (connect(fd, addr, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	int so_error = 0;
	socklen_t so_len = sizeof(so_error);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
	errno = so_error;
	return so_error ? -1 : 0;
}

static int open_tcp(struct twc_transport *t, const char *address, char *err, size_t errsz)
{
	char host[256];
	const char *colon = strrchr(address, ':'); /* checked at start: tcp://host:port */
	snprintf(host, sizeof(host), "%.*s", (int)(colon - address), address);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found;
	int rc = getaddrinfo(host, colon + 1, &hints, &found);
	if (rc != 0)
		return eb_error(err, errsz, "%s: %s", host, gai_strerror(rc));
	int saved = 0;
	for (struct addrinfo *a = found; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect_with_timeout(fd, a->ai_addr, a->ai_addrlen) == 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* a frame is due now, not later */
			t->fd = fd;
			freeaddrinfo(found);
			return 0;
		}
		saved = errno;
		close(fd);
	}
	freeaddrinfo(found);
	return eb_error(err, errsz, "%s: %s", address, strerror(saved ? saved : ECONNREFUSED));
}

int twc_transport_open(struct twc_transport *t, const char *port, char *err, size_t errsz)
{
	twc_transport_init(t);
	if (strncmp(port, "tcp://", 6) == 0)
		return open_tcp(t, port + 6, err, errsz);
	return open_serial(t, port, err, errsz);
}

ssize_t twc_transport_read(struct twc_transport *t, uint8_t *buf, size_t n, char *err, size_t errsz)
{
	if (t->serial) {
		int got = sp_nonblocking_read(t->serial, buf, n);
		if (got >= 0)
			return got;
		serial_fail(t, err, errsz, "serial read");
		return -1;
	}
	ssize_t got = recv(t->fd, buf, n, 0);
	if (got > 0)
		return got;
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return eb_error(err, errsz, "tcp: %s", got == 0 ? "the converter closed the connection" : strerror(errno));
}

int twc_transport_write(struct twc_transport *t, const uint8_t *buf, size_t n, char *err, size_t errsz)
{
	if (t->serial) {
		int sent = sp_blocking_write(t->serial, buf, n, WRITE_TIMEOUT_MS);
		if (sent == (int)n)
			return 0;
		if (sent >= 0)
			return eb_error(err, errsz, "serial write: timed out");
		return serial_fail(t, err, errsz, "serial write");
	}
	size_t done = 0;
	while (done < n) {
		ssize_t sent = send(t->fd, buf + done, n - done, MSG_NOSIGNAL);
		if (sent > 0) {
			done += (size_t)sent;
			continue;
		}
		struct pollfd p = {.fd = t->fd, .events = POLLOUT};
		if (sent < 0 && (errno == EAGAIN || errno == EINTR) && poll(&p, 1, WRITE_TIMEOUT_MS) == 1)
			continue;
		return eb_error(err, errsz, "tcp write: %s", sent < 0 ? strerror(errno) : "timed out");
	}
	return 0;
}

void twc_transport_close(struct twc_transport *t)
{
	if (t->serial) {
		sp_close(t->serial);
		sp_free_port(t->serial);
	} else if (t->fd >= 0) {
		close(t->fd);
	}
	twc_transport_init(t);
}
