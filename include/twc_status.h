/*
 * twc_status: the TWC status topics (docs/twc.md) and the decision of what
 * to publish when.
 *
 * Promises:
 * - a value goes out at once when its text changes, and again once
 *   refresh_s seconds have passed since it last went out, so a subscriber
 *   never waits long for a change and a retained value is never stale for
 *   long;
 * - a value that was never set is never published (an unknown lifetime
 *   kWh is not "0", a lastVehicleVIN nobody saw leaves the retained one
 *   alone);
 * - a retired charger's pending changes still go out once; after that its
 *   topics are no longer refreshed and keep their last retained values;
 * - the output is the topic suffix after the prefix and the value text
 *   exactly as published; the broker glue adds the prefix and retains.
 * Pure: time is an argument; fixed size, no allocation, no I/O.
 */
#ifndef TWC_STATUS_H
#define TWC_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum twc_slave_topic {
	TWC_TOPIC_AMPS_IN_USE,
	TWC_TOPIC_AMPS_MAX,
	TWC_TOPIC_CARS_CHARGING,
	TWC_TOPIC_CURRENT_VIN,
	TWC_TOPIC_LAST_VIN,
	TWC_TOPIC_LIFETIME_KWH,
	TWC_TOPIC_POWER,
	TWC_TOPIC_STATE,
	TWC_TOPIC_VOLTAGE_A,
	TWC_TOPIC_VOLTAGE_B,
	TWC_TOPIC_VOLTAGE_C,
	TWC_SLAVE_TOPIC_COUNT
};

enum twc_global_topic {
	TWC_TOPIC_TOTAL_AMPS_IN_USE,
	TWC_TOPIC_MAX_AMPS_FOR_SLAVES,
	TWC_TOPIC_MIN_AMPS_PER_TWC,
	TWC_GLOBAL_TOPIC_COUNT
};

/* "4085/currentVehicleVIN" and "config/maxAmpsForSlaves" fit with room. */
#define TWC_STATUS_TOPIC_MAX 32
/* A VIN (17), a 32-bit kWh count (10), "655.35" all fit. */
#define TWC_STATUS_VALUE_MAX 24
/*
 * Three chargers on the bus, plus room for three that left and still
 * have a last change to hand out.
 */
#define TWC_STATUS_GROUPS 6

struct twc_status_update {
	char topic[TWC_STATUS_TOPIC_MAX];
	char value[TWC_STATUS_VALUE_MAX];
};

struct twc_status_value {
	bool known;
	bool dirty;           /* changed since it last went out */
	bool ever_published;
	int64_t published_ms;
	char text[TWC_STATUS_VALUE_MAX];
};

struct twc_status_group {
	bool used;
	bool retiring;        /* the charger left: flush changes, then forget */
	uint16_t id;
	struct twc_status_value value[TWC_SLAVE_TOPIC_COUNT];
};

struct twc_status {
	int64_t refresh_ms;
	struct twc_status_value global[TWC_GLOBAL_TOPIC_COUNT];
	struct twc_status_group group[TWC_STATUS_GROUPS];
};

/* refresh_s below 1 is taken as 1. */
void twc_status_init(struct twc_status *st, int refresh_s);

/* Return 0, or -1 for a bad topic or a text too long for a value. */
int twc_status_set_global(struct twc_status *st, enum twc_global_topic topic, const char *text);
/* Un-retires the charger's topics if it had left and came back. */
int twc_status_set_slave(struct twc_status *st, uint16_t id, enum twc_slave_topic topic,
			 const char *text);
/* The charger left: its pending changes go out, then it is forgotten. */
void twc_status_retire_slave(struct twc_status *st, uint16_t id);

/*
 * Writes the updates due at now_ms (at most cap) and marks them published;
 * whatever did not fit stays due. Returns how many were written.
 */
size_t twc_status_take(struct twc_status *st, int64_t now_ms, struct twc_status_update *out,
		       size_t cap);
/* The earliest time an update is due; now_ms if one is due already. */
int64_t twc_status_next_deadline(const struct twc_status *st, int64_t now_ms);

/*
 * Amps from hundredths of an amp, with at most 2 decimals and no trailing
 * zeros ("8.52", "8.5", "32", "0"), in integer arithmetic (a float would
 * print 8.52 as 8.5199999). buf needs 12 bytes; returns the length.
 */
size_t twc_format_centiamps(uint32_t centiamps, char *buf, size_t size);

#endif
