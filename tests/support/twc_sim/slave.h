/*
 * slave: one simulated Gen2 wall connector, rotary switch at F, and the car
 * plugged into it (docs/twc.md, the slave's side).
 *
 * It answers the master's frames, sends its linkready unprompted while no
 * master looks after it, works to the limit the master offers, and meters the
 * energy the car draws. Frames go in and out as bodies without checksum;
 * time is CLOCK_MONOTONIC in microseconds, passed in.
 */
#ifndef TWC_SIM_SLAVE_H
#define TWC_SIM_SLAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLAVE_VIN_LENGTH 17
/* A slave without a master heartbeat for this long announces itself again. */
#define SLAVE_LINKREADY_INTERVAL_US 10000000
/* A flooding slave sends as fast as 9600 baud allows: about 19 bytes, 10 bits each. */
#define SLAVE_FLOOD_INTERVAL_US 20000

struct slave {
	uint16_t id;
	int protocol; /* 1: 14-byte frames, 2: 16-byte frames */
	uint16_t max_centiamps;
	uint8_t sign;
	uint16_t master_id; /* the last master heard: unprompted heartbeats go to it */

	/* What the master said. */
	uint16_t offered_centiamps;
	bool stopped_by_master; /* FC B2, until FC B1 */
	int64_t last_master_heartbeat_us; /* INT64_MIN: never */
	bool announced; /* has sent a linkready under its current id */
	bool clash_heard; /* a master linkready carried this slave's id: wants a new id */
	bool new_id_unannounced; /* after a new id: silent to linkready requests until its own */

	/* The car. */
	bool plugged;
	bool finished;
	char vin[SLAVE_VIN_LENGTH + 1]; /* "" when the car reports none */
	uint32_t demand_centiamps;
	int forced_state; /* -1: the state follows the car */
	uint8_t state;
	uint16_t drawn_centiamps;
	int64_t lag_us;            /* the car's charger takes this long to follow a new limit (0: at once) */
	bool settling;             /* a new draw is on its way */
	uint16_t settling_centiamps;
	int64_t settle_at_us;
	int64_t clock_us;          /* the latest time the slave was told */

	/* The meter. */
	uint32_t lifetime_kwh;
	double wh_towards_next_kwh;
	uint16_t volts[3]; /* 0: phase absent */
	int64_t metered_until_us;

	/* Fault switches. */
	bool silenced; /* hears everything, says nothing */
	bool flooding;

	int64_t next_linkready_us;
	int64_t next_flood_us;
};

/* order staggers the first unprompted linkreadies so slaves do not all start at once. */
void slave_init(struct slave *s, uint16_t id, int protocol, uint16_t max_centiamps, size_t order,
		int64_t now_us);

struct slave *slave_find(struct slave *slaves, size_t count, uint16_t id);

/*
 * A valid frame from the master (body without checksum, 13, 15 or 19
 * bytes). Writes the reply into reply (TWC_FRAME_BODY_MAX bytes) and returns
 * its length, or 0 for no reply. Sets clash_heard when the master has this
 * slave's id; the caller then picks a new id with slave_change_id().
 */
size_t slave_handle_frame(struct slave *s, const uint8_t *body, size_t len, int64_t now_us,
			  uint8_t *reply);

/*
 * A frame that the slave sends on its own (linkready, flood heartbeat) and
 * that is due by now, or 0. Call until it returns 0. When not connected, due
 * frames are skipped as if nobody heard them.
 */
size_t slave_due_frame(struct slave *s, int64_t now_us, bool connected, uint8_t *frame);
int64_t slave_next_due_us(const struct slave *s);

/* The car's draw catches up with its limit once its lag has passed. */
void slave_follow(struct slave *s, int64_t now_us);

/* Counts the energy drawn since the last call; energy_scale speeds the meter up for tests. */
void slave_run_meter(struct slave *s, int64_t now_us, unsigned energy_scale);

void slave_change_id(struct slave *s, uint16_t new_id, int64_t now_us);

/* The car, as the test scripts it. vin: up to 17 characters, or NULL when it reports none. */
void slave_plug(struct slave *s, const char *vin);
/* false: no car plugged in. */
bool slave_charge(struct slave *s, uint32_t demand_centiamps);
bool slave_stop(struct slave *s);
void slave_unplug(struct slave *s);
void slave_force_state(struct slave *s, uint8_t state);
void slave_set_flood(struct slave *s, bool on, int64_t now_us);

#endif
