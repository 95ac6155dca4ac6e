/*
 * telemetry_expect: what the integration tests of the telemetry datasets
 * (itest_mppt, itest_sundaya) check on a live broker, written once. The
 * helpers fail the test on any surprise.
 */
#ifndef TELEMETRY_EXPECT_H
#define TELEMETRY_EXPECT_H

#include "harness.h"

/* A v5 client without name or user, subscribed to topic at qos. */
struct eb_client *eb_subscriber(int port, const char *topic, int qos);

/* Nothing arrives on c within quiet_ms. */
void eb_expect_nothing(struct eb_client *c, int quiet_ms);

/*
 * value is what follows "time_processing":" in a message: the broker's
 * UTC clock as "YYYY-MM-DD HH:MM:SS.SSSS", the message's end ("}), and
 * within 5 s of now.
 */
void eb_expect_time_processing(const char *value);

/* The v5 properties of a request that asks for its outcome on response_topic, with correlation data. */
mosquitto_property *eb_request_properties(const char *response_topic, const char *correlation);

#endif
