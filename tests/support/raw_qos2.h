/*
 * raw_qos2: a QoS 2 publish sent twice, the second time with DUP set, by a
 * client written byte by byte (libmosquitto never resends on demand): what a
 * client does when it missed the PUBREC. The tests then check that the
 * plugin acted once.
 */
#ifndef RAW_QOS2_H
#define RAW_QOS2_H

/*
 * Connects to the broker on port as client_id with username (MQTT 3.1.1),
 * publishes payload to topic at QoS 2, publishes it again with DUP, and
 * completes the exchange (PUBREL, PUBCOMP). Fails the test on any surprise.
 */
void eb_raw_qos2_twice(int port, const char *client_id, const char *username, const char *topic,
		       const char *payload);

#endif
