#include "raw_mqtt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void eb_raw_put16(unsigned char **p, unsigned v)
{
	*(*p)++ = (unsigned char)(v >> 8);
	*(*p)++ = (unsigned char)v;
}

static void put_string(unsigned char **p, const char *s)
{
	eb_raw_put16(p, (unsigned)strlen(s));
	memcpy(*p, s, strlen(s));
	*p += strlen(s);
}

/* Writes fixed header type + remaining length + body. */
void eb_raw_send_packet(int fd, unsigned char type, const unsigned char *body, size_t len)
{
	unsigned char head[5], *h = head;
	*h++ = type;
	size_t n = len;
	do {
		unsigned char b = n % 128;
		n /= 128;
		*h++ = (unsigned char)(b | (n ? 0x80 : 0));
	} while (n);
	assert_int_equal(write(fd, head, (size_t)(h - head)), h - head);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
}

void eb_raw_read_exactly(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static void send_publish_qos2(int fd, const char *topic, const char *payload, unsigned mid, bool dup)
{
	size_t size = strlen(topic) + strlen(payload) + 8;
	unsigned char *body = malloc(size), *p = body;
	assert_non_null(body);
	put_string(&p, topic);
	eb_raw_put16(&p, mid);
	memcpy(p, payload, strlen(payload));
	p += strlen(payload);
	eb_raw_send_packet(fd, dup ? 0x3C : 0x34, body, (size_t)(p - body));
	free(body);
}

void eb_raw_qos2_twice(int port, const char *client_id, const char *username, const char *topic,
		       const char *payload)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	/* CONNECT, MQTT 3.1.1, clean session, with a username. */
	unsigned char connect_body[256], *p = connect_body;
	put_string(&p, "MQTT");
	*p++ = 4;
	*p++ = 0x82;
	eb_raw_put16(&p, 60);
	put_string(&p, client_id);
	put_string(&p, username);
	eb_raw_send_packet(fd, 0x10, connect_body, (size_t)(p - connect_body));
	unsigned char ack[4];
	eb_raw_read_exactly(fd, ack, 4);
	assert_int_equal(ack[0], 0x20);
	assert_int_equal(ack[3], 0);

	send_publish_qos2(fd, topic, payload, 7, false);
	eb_raw_read_exactly(fd, ack, 4); /* PUBREC */
	assert_int_equal(ack[0], 0x50);
	send_publish_qos2(fd, topic, payload, 7, true); /* the client did not see the PUBREC */
	eb_raw_read_exactly(fd, ack, 4);
	assert_int_equal(ack[0], 0x50);
	unsigned char rel[2] = {0, 7};
	eb_raw_send_packet(fd, 0x62, rel, 2);
	eb_raw_read_exactly(fd, ack, 4); /* PUBCOMP */
	assert_int_equal(ack[0], 0x70);
	close(fd);
}
