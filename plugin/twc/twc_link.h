/*
 * twc_link: the thread that owns the RS-485 link to the wall connectors.
 *
 * It opens the link (and reopens it after a loss, backing off from 250 ms to
 * 2 s, so that a converter back after an outage is found well before its
 * wall connectors count as gone, 26 s after their last word), feeds every byte to the frame receiver and every frame to the master
 * state machine, writes the frames the master wants on the bus, and hands
 * status values and log lines to the broker's thread through the outbox. It
 * never calls the broker. Nothing it meets on the line (no port, a port that
 * disappears, noise, bad frames, silent or chatty slaves) stops it; each is
 * counted and logged, at most once a minute for frame errors.
 */
#ifndef TWC_LINK_H
#define TWC_LINK_H

#include "outbox.h"
#include "twc_master.h"

struct twc_link;

/*
 * Starts the thread. port: a serial device or tcp://host:port; status topics
 * are "<prefix>/<suffix>". Returns NULL when the thread cannot be created.
 */
struct twc_link *twc_link_start(const char *port, const struct twc_master_config *cfg, const char *prefix,
				struct outbox *out);

/* Asks the thread to change the pool (maxAmpsForSlaves); it answers through the outbox. */
void twc_link_request_pool(struct twc_link *l, int amps);

/* What the link has seen so far; safe to read from the broker's thread. */
struct twc_link_counters {
	unsigned long frames_good;
	unsigned long frames_bad;
	unsigned long frames_sent;
	unsigned long reconnects;
	unsigned long slaves;		/* known now */
	unsigned long id_clashes;	/* a slave with the master's id */
	unsigned long frames_ignored;	/* good frames the master had no use for */
	unsigned long reply_timeouts;
	unsigned long foreign_master_frames;	/* another master on the bus */
};
void twc_link_counters(struct twc_link *l, struct twc_link_counters *out);

/* Stops and joins the thread, then frees it. */
void twc_link_stop(struct twc_link *l);

#endif
