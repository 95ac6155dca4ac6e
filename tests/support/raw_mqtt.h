/*
 * raw_mqtt: MQTT packets written byte by byte, for what libmosquitto will
 * not send: a QoS 2 publish sent again with DUP set (what a client does when
 * it missed the PUBREC), an empty v5 Response Topic. The helpers fail the
 * test on any surprise.
 */
#ifndef RAW_MQTT_H
#define RAW_MQTT_H

#include <stddef.h>

/* Appends v as two bytes, big-endian. */
void eb_raw_put16(unsigned char **p, unsigned v);
/* Writes a packet: fixed header type, remaining length, body. */
void eb_raw_send_packet(int fd, unsigned char type, const unsigned char *body, size_t len);
/* Reads exactly n bytes. */
void eb_raw_read_exactly(int fd, unsigned char *buf, size_t n);

/*
 * Connects to the broker on port as client_id with username (MQTT 3.1.1),
 * publishes payload to topic at QoS 2, publishes it again with DUP, and
 * completes the exchange (PUBREL, PUBCOMP). Fails the test on any surprise.
 */
void eb_raw_qos2_twice(int port, const char *client_id, const char *username, const char *topic,
		       const char *payload);

#endif
