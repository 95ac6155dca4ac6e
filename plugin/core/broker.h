/*
 * broker: the one file that includes Mosquitto's headers.
 *
 * Every other file of the plugin, and the tests' MQTT client, include this
 * one instead, so that what differs between broker releases is adapted here
 * and nowhere else:
 *
 *  - Mosquitto 2.0 splits its API over <mosquitto.h> (the client library),
 *    <mosquitto_broker.h>, <mosquitto_plugin.h> and <mqtt_protocol.h>.
 *  - Mosquitto 2.1 declares everything through <mosquitto.h> (which includes
 *    <mosquitto/broker.h> and <mosquitto/broker_plugin.h>); its
 *    <mosquitto_broker.h>, <mosquitto_plugin.h> and <mqtt_protocol.h> are
 *    stubs that only emit #warning. It renames MOSQ_EVT_MESSAGE to
 *    MOSQ_EVT_MESSAGE_IN (the old name stays, deprecated), adds
 *    MOSQ_EVT_MESSAGE_OUT, lets a TICK callback ask for its next call
 *    (struct mosquitto_evt_tick's next_s and next_ms; 2.0's struct has an
 *    unused next_ns there) and adds mosquitto_plugin_set_info().
 *
 * EB_MOSQUITTO_HEADERS says which headers the plugin was built against (20 or
 * 21). Which broker it runs in is a run-time matter: broker_release.h.
 */
#ifndef EB_BROKER_H
#define EB_BROKER_H

#if defined(__has_include)
#if __has_include(<mosquitto/broker_plugin.h>)
#define EB_MOSQUITTO_HEADERS 21
#endif
#endif
#ifndef EB_MOSQUITTO_HEADERS
#define EB_MOSQUITTO_HEADERS 20
#endif

#if EB_MOSQUITTO_HEADERS >= 21

#include <mosquitto.h>

/* The MESSAGE event of 2.0, for messages coming in. */
#define EB_EVT_MESSAGE MOSQ_EVT_MESSAGE_IN

static inline void eb_tick_set_next_ms(struct mosquitto_evt_tick *ed, long ms)
{
	ed->next_s = 0;
	ed->next_ms = ms;
}

#else

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <mqtt_protocol.h>

#define EB_EVT_MESSAGE MOSQ_EVT_MESSAGE

/*
 * Declared by 2.1's headers and exported by 2.1 brokers only: a weak
 * reference to it tells, at run time, a 2.1 broker from a 2.0 one
 * (broker_release.c).
 */
int mosquitto_plugin_set_info(mosquitto_plugin_id_t *identifier, const char *plugin_name,
			      const char *plugin_version);

/* 2.0 calls TICK on every turn of its loop and reads nothing back. */
static inline void eb_tick_set_next_ms(struct mosquitto_evt_tick *ed, long ms)
{
	(void)ed;
	(void)ms;
}

#endif

/*
 * Weak everywhere: a 2.0 broker does not export it, and a strong reference
 * would stop the plugin from loading there (eb_broker_is_2_1 tests it).
 */
#pragma weak mosquitto_plugin_set_info

#endif
