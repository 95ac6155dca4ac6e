/*
 * twc_transport: the byte stream of the RS-485 bus, either a serial device
 * through libserialport (9600 8N1, no flow control) or a TCP connection to an
 * RS-485-to-Ethernet converter in transparent mode (tcp://host:port).
 *
 * Used by the link thread only: opening may block (DNS, connect, at most a
 * few seconds), reads never block, writes of a frame wait at most 100 ms.
 * Return codes: 0 success, -1 failure with a reason in err.
 */
#ifndef TWC_TRANSPORT_H
#define TWC_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sp_port;

struct twc_transport {
	int fd;			/* for poll(); -1 when closed */
	struct sp_port *serial;	/* NULL for TCP */
};

void twc_transport_init(struct twc_transport *t);
/* Serial device paths may be links (/dev/serial/by-id/...): they are resolved first. */
int twc_transport_open(struct twc_transport *t, const char *port, char *err, size_t errsz);
/* Bytes read (> 0), 0 when nothing is waiting, -1 when the link is lost. */
ssize_t twc_transport_read(struct twc_transport *t, uint8_t *buf, size_t n, char *err, size_t errsz);
int twc_transport_write(struct twc_transport *t, const uint8_t *buf, size_t n, char *err, size_t errsz);
void twc_transport_close(struct twc_transport *t);

#endif
