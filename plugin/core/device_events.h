/*
 * device_events: how a job tells whoever listens that a device showed
 * itself or changed, without knowing who listens.
 *
 * The jobs publish their devices' data; an observer (Home Assistant
 * discovery, today) wants to know when a device appears, changes shape
 * (an MPPT controller with more PV strings), or is heard from again, so
 * that it can announce it and judge whether it is still there. Each job
 * holds one struct eb_device_observer; plugin.c fills it in. A job with no
 * observer (the default, zeroed) reports into nothing. Broker thread only:
 * the observer runs inside the job's call.
 */
#ifndef EB_DEVICE_EVENTS_H
#define EB_DEVICE_EVENTS_H

#include <stdbool.h>

enum eb_device_kind {
	EB_DEVICE_MPPT,		/* an MPPT controller: id, pv_count, load_count */
	EB_DEVICE_PMS_PACK,	/* one battery pack of a PMS: id (the PMS), part (the pack) */
	EB_DEVICE_INVERTER,	/* an inverter: id, pv_count, load_count, phase_count */
	EB_DEVICE_VENUS,	/* a Hame/Marstek device (Venus, B2500, ...): vendor, type, id, family */
	EB_DEVICE_TWC_CIRCUIT,	/* the wall connectors' shared circuit: amps */
	EB_DEVICE_TWC_SLAVE,	/* one wall connector: number */
};

struct eb_device_event {
	enum eb_device_kind kind;
	const char *vendor, *type, *id;	/* Venus: all three; MPPT, PMS, inverter: id */
	const char *part;		/* a PMS pack: its pack id */
	unsigned number;		/* a wall connector's TWC id */
	long amps;			/* the circuit: what the pool may be set to, -1 when not ours to set */
	unsigned pv_count, load_count;	/* an MPPT controller's or inverter's strings and loads in its latest sample */
	unsigned phase_count;		/* an inverter's grid phases in its latest sample */
	bool has_state;			/* Venus: the reply updated the device's retained state */
	const char *family;		/* Venus: the Hame family ("venus", "b2500", "jupiter", ...); NULL: unknown */
	/* Venus: readings the reply carried (energy management uses them). */
	bool has_soc;
	int soc_percent;
	bool has_battery_w;
	long battery_w;			/* + discharging, - charging */
	bool has_grid_w;
	long grid_w;			/* the battery's CT (cd=19 get_power total), import positive */
	const char *source;		/* MPPT, PMS, inverter: who sent the sample (user name, else client id); may be NULL */
};

struct eb_device_observer {
	void (*on_event)(void *ctx, const struct eb_device_event *event);
	void *ctx;
};

/* Hands event to the observer, if there is one. */
static inline void eb_device_report(const struct eb_device_observer *o, const struct eb_device_event *event)
{
	if (o->on_event)
		o->on_event(o->ctx, event);
}

#endif
