/*
 * raw_mqtt: MQTT packets written byte by byte, for what libmosquitto will
 * not send: a QoS 2 publish sent again with DUP set (what a client does when
 * it missed the PUBREC), an empty v5 Response Topic. The helpers fail the
 * test on any surprise.
 */
#ifndef RAW_MQTT_H
#define RAW_MQTT_H

#include <stdbool.h>
#include <stddef.h>

/* Appends v as two bytes, big-endian. */
void eb_raw_put16(unsigned char **p, unsigned v);
/* Writes a packet: fixed header type, remaining length, body. */
void eb_raw_send_packet(int fd, unsigned char type, const unsigned char *body, size_t len);
/* Reads exactly n bytes. */
void eb_raw_read_exactly(int fd, unsigned char *buf, size_t n);

/*
 * An MQTT 3.1.1 connection (clean session) to the broker on port as
 * client_id with username, and password unless it is NULL; the socket,
 * after a CONNACK that accepts.
 */
int eb_raw_connect(int port, const char *client_id, const char *username, const char *password);
/* PUBLISH at QoS 2 (DUP set when dup), then its PUBREC for mid; MQTT 3.1.1 has no refusal code. */
void eb_raw_publish_qos2(int fd, const char *topic, const char *payload, unsigned mid, bool dup);
/* PUBREL, then its PUBCOMP: the broker now delivers what it holds under mid. */
void eb_raw_release(int fd, unsigned mid);

/*
 * Connects to the broker on port as client_id with username (MQTT 3.1.1),
 * publishes payload to topic at QoS 2, publishes it again with DUP, and
 * completes the exchange (PUBREL, PUBCOMP). Fails the test on any surprise.
 */
void eb_raw_qos2_twice(int port, const char *client_id, const char *username, const char *topic,
		       const char *payload);

#endif
