/*
 * twc_master: the Tesla Wall Connector load-sharing master (or a silent
 * monitor) of docs/twc.md, as a pure state machine over frame bodies.
 *
 * Promises:
 * - bodies in and out are decoded frame bodies WITHOUT the checksum byte
 *   (13, 15 or 19 bytes); any other body is counted and ignored, never
 *   trusted, and no body can crash it;
 * - master mode: the linkready burst (5 x FC E1, 5 x FB E2) on init and on
 *   every link_up; a heartbeat to every known slave about every second
 *   (TWC_HEARTBEAT_INTERVAL_MS), never two seconds apart; at most one
 *   frame per TWC_PACING_MS; nothing while a reply is being received or
 *   awaited (up to TWC_REPLY_TIMEOUT_MS); heartbeats before anything else:
 *   another frame goes out only if the bus is free again before the next
 *   heartbeat is due. FC 19, FC 1A and FB E8 are never sent;
 * - monitor mode: next_frame never returns a frame; what passes on the bus
 *   is decoded into the same status topics;
 * - the limits the slaves were last told (every heartbeat carries one: 05
 *   in protocol 1, 09 in protocol 2) add up to at most the pool in force,
 *   and none exceeds the slave's cap. A lower limit counts once its
 *   heartbeat is out, and a raise waits until the others' lowering is out.
 *   A pool lowered at run time comes into force as soon as the limits told
 *   fit it; until then nothing is raised. A slave declared gone no longer
 *   counts (a real slave stops charging long before 26 s without
 *   heartbeats);
 * - a limit is lowered at once and raised at most every
 *   TWC_RAISE_INTERVAL_MS; a slave the master stopped (its limit went to 0
 *   while it wanted current) is not offered current again within
 *   restart_holdoff_s, whatever the pool does, so a flapping pool cannot
 *   flap a contactor. Stopping is a 0 A limit (05 00 00 in protocol 1); a
 *   protocol 2 slave also gets FC B2 after it, and FC B1 before its next
 *   limit above 0;
 * - a slave silent for TWC_GONE_MS is gone: ampsInUse, power and
 *   carsCharging go to 0, its current VIN moves to lastVehicleVIN, the
 *   total follows; its other topics keep their last retained values and
 *   are no longer refreshed. If it comes back it starts afresh;
 * - status changes come out of take_status (see twc_status.h).
 * No threads, no clock, no I/O, no allocation: the caller owns the struct
 * and passes monotonic milliseconds to every call.
 *
 * The link thread calls next_frame after every received frame, after
 * every write, and when next_deadline comes; while rx_busy is true it
 * retries once the frame has arrived (on_frame) or been dropped.
 */
#ifndef TWC_MASTER_H
#define TWC_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twc_share.h"
#include "twc_status.h"
#include "twc_vin.h"

#define TWC_MAX_SLAVES TWC_SHARE_MAX_SLAVES
/* The longest body this module sends (protocol 2), without checksum. */
#define TWC_MASTER_BODY_MAX 15

#define TWC_PACING_MS 100
#define TWC_REPLY_TIMEOUT_MS 200
#define TWC_HEARTBEAT_INTERVAL_MS 1000
#define TWC_KWH_INTERVAL_MS 60000
#define TWC_KWH_RETRY_MS 5000      /* a kWh/voltage reply lost on a noisy bus is asked for again */
#define TWC_GONE_MS 26000
#define TWC_BURST_EACH 5
/* Requests per VIN part and session before giving up on the VIN. */
#define TWC_VIN_TRIES 3
/*
 * After an id clash the slave announces its new id up to 10 s later, so a
 * clash seen within this time of the last clash burst is the same clash.
 */
#define TWC_CLASH_HOLDOFF_MS 10000
/*
 * A slave's limit is raised at most this often (lowered at once): the car's
 * charger takes seconds to follow, and a meter reading that still lags the
 * last change must not be counted twice.
 */
#define TWC_RAISE_INTERVAL_MS 5000

enum twc_mode {
	TWC_MODE_MASTER,
	TWC_MODE_MONITOR
};

struct twc_master_config {
	enum twc_mode mode;            /* TWC_MODE_MASTER or TWC_MODE_MONITOR */
	uint16_t master_id;            /* default 0x7777 */
	uint8_t sign;                  /* the master's 1-byte sign, e.g. 0x77 */
	int max_amps_for_slaves;       /* the pool, whole amps, default 32 */
	int min_amps_per_twc;          /* default 6 */
	int wiring_max_amps_per_twc;   /* default 32 */
	int wiring_max_amps_all;       /* the circuit: the pool can never exceed it; 0 = the pool */
	int refresh_s;                 /* republish unchanged values at least this often, default 60 */
	int restart_holdoff_s;         /* a slave stopped by the master starts again this long after, at the earliest (60) */
};

struct twc_slave {
	bool present;
	uint16_t id;
	uint8_t sign;
	uint8_t protocol;          /* 1 or 2, from the linkready's length */
	uint16_t max_ca;           /* its own maximum, from its linkready */
	int64_t last_rx_ms;        /* anything from it: the 26 s clock */
	unsigned long joined;      /* which join this is (stats.slaves_joined when it joined) */

	/* From its heartbeats. */
	bool have_heartbeat;
	uint8_t state;
	uint16_t limit_ca;         /* the limit it works to (ampsMax) */
	uint16_t drawn_ca;         /* the current it draws (ampsInUse) */
	bool charging;             /* drawing >= 1 A: a session */
	bool wants;
	uint32_t want_order;       /* smaller = wanted current earlier */

	/* Sharing (master mode). */
	int target_ca;             /* where twc_share wants it */
	int told_ca;               /* the limit in the last heartbeat sent */
	bool ever_told;
	int64_t last_heartbeat_ms;
	int64_t limit_changed_ms;  /* when the limit told last changed (raises wait TWC_RAISE_INTERVAL_MS) */
	bool limit_changed_ever;
	int64_t stopped_ms;        /* when the master last stopped it (limit to 0 while it wanted current) */
	bool stopped_ever;
	bool stop_frame_due;       /* protocol 2: FC B2 still to send after the 0 A heartbeat */
	bool halted;               /* protocol 2: FC B2 sent; FC B1 goes before the next limit above 0 */
	unsigned long stops;       /* stops and starts by the master, counted */
	unsigned long starts;

	/* Queries (master mode). */
	int64_t next_kwh_ms;
	struct twc_vin_parts vin_parts;
	bool vin_settled;          /* valid, none or discarded this session */
	uint8_t vin_tries[TWC_VIN_PARTS];
	char current_vin[TWC_VIN_LEN + 1];
	char last_vin[TWC_VIN_LEN + 1];

	/* From its FD EB replies. */
	bool have_kwh;
	uint32_t lifetime_kwh;
	uint8_t have_volts;        /* bit p: phase p known */
	uint16_t volts[3];
};

/* Counted, for the link thread to log as it sees fit. */
struct twc_master_stats {
	unsigned long frames_in;
	unsigned long frames_out;
	unsigned long frames_ignored;      /* bad length, unknown code, unknown or foreign slave */
	unsigned long foreign_master_frames; /* master frames with an id not ours (master mode) */
	unsigned long reply_timeouts;
	unsigned long slaves_joined;
	unsigned long slaves_gone;
	unsigned long slaves_refused;      /* a fourth slave */
	unsigned long id_clashes;
	unsigned long vins_discarded;
	unsigned long limit_changes;       /* heartbeats that told a slave a new limit */
	unsigned long stop_start_frames;   /* FC B2 and FC B1 sent */
};

struct twc_master {
	struct twc_master_config cfg;
	int pool_amps;             /* the pool asked for: every decision uses it */
	int pool_in_force_amps;    /* drops to pool_amps once the limits told fit it */
	int offer_amps;            /* the pool of the moment (energy management), -1: the whole pool */
	bool sent_any;
	int64_t last_tx_ms;
	bool awaiting_reply;
	uint16_t await_id;
	uint8_t await_code;
	int64_t await_until_ms;
	int burst_left;            /* frames of the linkready burst still to send */
	bool clash_burst_ever;
	int64_t clash_burst_ms;
	uint32_t next_want_order;
	unsigned query_next;       /* round robin over slaves for queries */
	struct twc_slave slave[TWC_MAX_SLAVES];
	struct twc_status status;
	struct twc_master_stats stats;
};

/* id 7777, sign 77, pool 32, min 6, wiring 32 per TWC and 32 in all, refresh 60 s. */
void twc_master_config_defaults(struct twc_master_config *cfg);
/*
 * Returns 0, or -1 with a line for the log in err that names the option.
 * A wiring_max_amps_all of 0 means "the same as the pool" (docs/twc.md's default).
 */
int twc_master_config_check(const struct twc_master_config *cfg, char *err, size_t errsz);

/*
 * Starts with no slaves and the config/ topics due. The config is taken as
 * checked; what is still out of range is clamped (the pool to the circuit,
 * a circuit of 0 or less means "the pool").
 */
void twc_master_init(struct twc_master *m, const struct twc_master_config *cfg, int64_t now_ms);
/* The link is (re)connected: send the linkready burst again, forget any awaited reply. */
void twc_master_link_up(struct twc_master *m, int64_t now_ms);
void twc_master_on_frame(struct twc_master *m, const uint8_t *body, size_t len, int64_t now_ms);
/*
 * The next body (without checksum) to put on the bus now, or 0 when
 * nothing may be sent now (also in monitor mode, while rx_busy, or when
 * cap is below TWC_MASTER_BODY_MAX). A heartbeat counts as told once it
 * is returned here.
 */
size_t twc_master_next_frame(struct twc_master *m, int64_t now_ms, bool rx_busy, uint8_t *body,
			     size_t cap);
/* When to call next_frame / take_status again: now_ms or later. */
int64_t twc_master_next_deadline(const struct twc_master *m, int64_t now_ms);
/*
 * The runtime maxAmpsForSlaves: 0 to wiring_max_amps_all, master mode only.
 * Returns 0, or -1 with a clear error text in err (the pool is unchanged).
 */
int twc_master_set_pool(struct twc_master *m, int amps, int64_t now_ms, char *err, size_t errsz);
/*
 * The pool of the moment: what energy management allows the slaves now, in
 * whole amps; the share rule splits min(this, the pool). -1 gives the whole
 * pool again. Lowering takes effect at once, raises at most every
 * TWC_RAISE_INTERVAL_MS per slave, and a slave stopped by the master starts
 * again no sooner than restart_holdoff_s after.
 */
void twc_master_set_offer(struct twc_master *m, int amps, int64_t now_ms);
/* The pool the slaves share now: min(pool, offer). */
int twc_master_sharing_amps(const struct twc_master *m);

/*
 * Status updates due now: topic suffix (e.g. "4085/ampsInUse",
 * "all/totalAmpsInUse", "config/maxAmpsForSlaves") and value text exactly
 * as published. Returns how many were written; call again if it filled cap.
 */
size_t twc_master_take_status(struct twc_master *m, int64_t now_ms, struct twc_status_update *out,
			      size_t cap);

/* The slave with this id, or NULL when it is not (or no longer) known. */
const struct twc_slave *twc_master_find_slave(const struct twc_master *m, uint16_t id);
size_t twc_master_slave_count(const struct twc_master *m);

#endif
