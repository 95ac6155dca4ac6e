/*
 * twc_energy: what the wall connectors may share right now, from the grid
 * meter, the house battery, the mode and the clock (energy management, the
 * surplus rule). One pure function of (readings, time, state): it returns
 * the pool of the moment (which twc_master shares as it shares the pool)
 * and the reason for it.
 *
 * Promises, for every input:
 * - the offer is 0 or a whole number of amps, never above the pool;
 * - surplus: available W = charging W - grid W - margin, with the
 *   charging W of the moment the reading arrived (a car that follows a
 *   lowered limit before the next reading must not lower it again) (a battery's
 *   charging power added at or above its priority SoC; its discharge
 *   subtracted unless it is above its buffer SoC); the target is that over
 *   volts x phases, floored. Cars start only after the target has been at
 *   least the minimum for start_s, stop only after it has been below it for
 *   stop_s (held at the minimum meanwhile), and never start again within
 *   start_s of a stop;
 * - a stale meter (no reading for meter_timeout_s) in surplus, or outside a
 *   schedule window with a meter, offers 0 at once;
 * - the offer is lowered at once and raised at most every
 *   TWC_ENERGY_RAISE_INTERVAL_MS;
 * - charge-now (amps for a time) is clamped to the pool and ends by itself.
 * No clock, no threads, no allocation: time comes in as monotonic ms, the
 * local weekday and minute as readings.
 */
#ifndef TWC_ENERGY_H
#define TWC_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twc_schedule.h"

#define TWC_ENERGY_RAISE_INTERVAL_MS 5000
#define TWC_ENERGY_DEFAULT_VOLTS 230
/* The status JSON's longest form, with room to spare. */
#define TWC_ENERGY_STATUS_MAX 384

enum twc_energy_mode {
	TWC_ENERGY_CHARGE_NOW,
	TWC_ENERGY_SURPLUS,
	TWC_ENERGY_MIN_SURPLUS,
	TWC_ENERGY_SCHEDULE,
	TWC_ENERGY_STOP,
};
#define TWC_ENERGY_MODES "charge_now surplus min_surplus schedule stop"

enum twc_energy_reason {
	TWC_REASON_SURPLUS,
	TWC_REASON_BELOW_MINIMUM,
	TWC_REASON_STARTING,
	TWC_REASON_STOPPING,
	TWC_REASON_METER_STALE,
	TWC_REASON_SCHEDULE,
	TWC_REASON_CHARGE_NOW,
	TWC_REASON_STOPPED,
};

struct twc_energy_config {
	enum twc_energy_mode mode;	/* at start */
	int min_amps;			/* plugin_opt_twc_min_amps_per_twc */
	int margin_w;
	int phases;			/* 1 or 3 */
	int volts;			/* 0: the wall connectors' reading, TWC_ENERGY_DEFAULT_VOLTS until one */
	int start_s, stop_s, meter_timeout_s;
	bool meter;			/* a grid meter is configured (topic or battery CT) */
	bool battery;			/* a house battery is configured */
	int priority_soc, buffer_soc;
	struct twc_schedule schedule;
};

struct twc_energy_readings {
	int pool_amps;			/* the pool in force */
	bool have_grid;
	long grid_w;			/* import positive */
	int64_t grid_ms;		/* when it arrived */
	long grid_drawn_ca;		/* what the wall connectors drew when it arrived: the draw it saw */
	bool have_battery;
	int soc_percent;
	long battery_w;			/* + discharging, - charging */
	long drawn_ca;			/* what the wall connectors draw, in all */
	int volts;			/* their voltage reading, 0: none yet */
	int wanting;			/* wall connectors with a car that wants current */
	int charging;			/* of those, drawing now */
	int weekday;			/* local, 0 = Sunday */
	int minute;			/* local, minutes after midnight */
};

struct twc_energy_result {
	int offer_amps;			/* the pool of the moment */
	int target_amps;		/* what the surplus allows, before delays; -1 when unknown */
	bool have_available;
	long long available_w;
	enum twc_energy_reason reason;
	long meter_age_s;		/* -1: no reading yet */
	bool charge_now_clamped;	/* charge-now asked for more than the pool */
};

struct twc_energy {
	struct twc_energy_config cfg;
	enum twc_energy_mode mode;
	bool boost;			/* charge-now for a time */
	int boost_amps;
	int64_t boost_until_ms;
	/* The surplus rule's memory. */
	bool active;			/* cars may charge */
	bool above, below;
	int64_t above_since_ms, below_since_ms;
	bool stopped_ever;
	int64_t stopped_ms;
	/* The last offer, for the raise limit. */
	int offer;
	bool offer_changed_ever;
	int64_t offer_changed_ms;
};

void twc_energy_init(struct twc_energy *e, const struct twc_energy_config *cfg);
/* The mode's name ("surplus"), or NULL; a name's mode, or -1. */
const char *twc_energy_mode_name(enum twc_energy_mode mode);
int twc_energy_mode_parse(const char *text, size_t len);
const char *twc_energy_reason_name(enum twc_energy_reason reason);
/* Changes the mode; a charge-now in progress ends. */
void twc_energy_set_mode(struct twc_energy *e, enum twc_energy_mode mode);
/* Charge at amps for seconds, then back to the mode; 0 seconds ends it. */
void twc_energy_charge_now(struct twc_energy *e, int amps, long seconds, int64_t now_ms);
/*
 * "<amps>,<seconds>" of the chargeNow topic: amps 0-1000, seconds
 * 0-604800, digits only. 0, or -1 with the reason in err.
 */
int twc_energy_parse_charge_now(const char *text, size_t len, int *amps, long *seconds, char *err, size_t errsz);

/* The rule: the offer now and why. */
void twc_energy_step(struct twc_energy *e, const struct twc_energy_readings *r, int64_t now_ms,
		     struct twc_energy_result *out);

/* The status JSON of the energy/status topic; returns its length (0 if it does not fit). */
size_t twc_energy_status_json(const struct twc_energy *e, const struct twc_energy_readings *r,
			      const struct twc_energy_result *res, char *buf, size_t size);

#endif
