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

int eb_raw_connect(int port, const char *client_id, const char *username, const char *password)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	unsigned char body[256], *p = body;
	put_string(&p, "MQTT");
	*p++ = 4;
	*p++ = password ? 0xC2 : 0x82; /* user name, (password,) clean session */
	eb_raw_put16(&p, 60);
	put_string(&p, client_id);
	put_string(&p, username);
	if (password)
		put_string(&p, password);
	eb_raw_send_packet(fd, 0x10, body, (size_t)(p - body));
	unsigned char ack[4];
	eb_raw_read_exactly(fd, ack, 4);
	assert_int_equal(ack[0], 0x20);
	assert_int_equal(ack[3], 0);
	return fd;
}

void eb_raw_publish_qos2(int fd, const char *topic, const char *payload, unsigned mid, bool dup)
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
	unsigned char rec[4];
	eb_raw_read_exactly(fd, rec, 4);
	assert_int_equal(rec[0], 0x50);
	assert_int_equal(rec[3], mid & 0xFF);
}

void eb_raw_release(int fd, unsigned mid)
{
	unsigned char rel[2] = {(unsigned char)(mid >> 8), (unsigned char)mid}, comp[4];
	eb_raw_send_packet(fd, 0x62, rel, 2);
	eb_raw_read_exactly(fd, comp, 4);
	assert_int_equal(comp[0], 0x70);
}

void eb_raw_qos2_twice(int port, const char *client_id, const char *username, const char *topic,
		       const char *payload)
{
	int fd = eb_raw_connect(port, client_id, username, NULL);
	eb_raw_publish_qos2(fd, topic, payload, 7, false);
	eb_raw_publish_qos2(fd, topic, payload, 7, true); /* the client did not see the PUBREC */
	eb_raw_release(fd, 7);
	close(fd);
}
