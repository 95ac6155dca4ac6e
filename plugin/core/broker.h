/*
 * broker: the one file that includes Mosquitto's plugin headers.
 *
 * Every other file of the plugin includes this one instead, so that what
 * differs between broker releases is adapted here and nowhere else.
 */
#ifndef EB_BROKER_H
#define EB_BROKER_H

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <mqtt_protocol.h>

#endif
