/*
 * The rig of the TWC integration tests: the slave simulator, a broker whose
 * plugin links to it over loopback TCP, and a watcher subscribed to
 * <prefix>/# whose messages fill a board of the latest value of every topic.
 *
 * The board checks every message as it comes in, and fails the test at once
 * when one breaks a rule of docs/twc.md:
 * - a topic outside the seed's table, or of a charger the simulator does not
 *   have;
 * - a payload of the wrong form (amps with more than 2 decimals or trailing
 *   zeros, a VIN that is not 17 VIN characters, a non-integer state...);
 * - a status message at another QoS than plugin_opt_twc_qos;
 * - all/totalAmpsInUse not equal to the sum of the chargers' ampsInUse within
 *   TOTAL_FOLLOWS_MS of any change of either (sampled at every change).
 *
 * All waits are bounded and scale with eb_timeout_ms(). Failures go through
 * cmocka (fail_msg), so only the test's own thread may call these.
 */
#ifndef TWC_RIG_H
#define TWC_RIG_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "sim.h"

/* A change on the simulator shows on its topic: a heartbeat a second, then a broker tick. */
#define RIG_CHANGE_MS 1500
/* The linkready burst takes about a second; the slaves answer its second half. */
#define RIG_JOIN_MS 6000
/* The VIN is asked for once the car draws current: three queries after the heartbeats. */
#define RIG_VIN_MS 3000

#define VIN_A "5YJ3E1EA2KF317000"
#define VIN_B "5YJSA1E22MF123456"
#define VIN_C "LRW3E7FS0NC987654"

struct rig_setup {
	const char *const *sim_args;	/* twc_sim arguments, NULL-terminated; NULL: 4085 and 2433 */
	const char *const *sim_commands; /* sent before the broker starts, NULL-terminated */
	const char *options;		/* configuration lines besides plugin_opt_twc_port */
	int qos;			/* the plugin_opt_twc_qos the options set (default 0) */
};

/* Starts simulator, broker and watcher; a failure fails the test. */
void rig_up(const struct rig_setup *setup);
/*
 * The tests' teardown: stops everything and returns -1 when the broker did
 * not stop cleanly (sanitizer findings) or the master sent a frame the
 * simulator could not decode or that docs/twc.md forbids.
 */
int rig_down(void **state);

struct eb_sim *rig_sim(void);
struct eb_broker *rig_broker(void);
/* The simulator's chargers, "4085", "2433"... */
size_t rig_slave_count(void);
const char *rig_slave(size_t i);

/* A simulator command that must answer "ok". */
void rig_do(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the board; topics are given after the prefix: "4085/ampsInUse" ---- */

/* The latest value, or NULL when none came yet. */
const char *rig_value(const char *suffix);
/* How many messages came on it. */
unsigned rig_updates(const char *suffix);
/* Whether this value ever came on it. */
bool rig_seen(const char *suffix, const char *value);
/* Fails if the topic ever showed a value not in allowed (NULL-terminated). */
void rig_expect_only(const char *suffix, const char *const *allowed);
/* Waits until the topic holds value; fails when it did not arrive within within_ms. */
void rig_expect(const char *suffix, const char *value, int within_ms);
/* Waits (within_ms at most) for a message on the topic after `after` messages came; returns its value. */
const char *rig_expect_update(const char *suffix, unsigned after, int within_ms);
/* Every charger's ampsInUse is "0": the master heard them all. */
void rig_join(void);
/* Takes the watcher's messages until one arrives on a full topic name (a sentinel). */
void rig_pump_until(const char *topic, int within_ms);
/* Takes the watcher's messages for ms (scaled like every wait). */
void rig_pump_for(int ms);
/* How many times the total was seen to follow a change. */
unsigned rig_total_checks(void);
/* Subscribes the watcher to more topics (sentinels), outside the board's checks. */
void rig_watch_also(const char *filter);

/* ---- the simulator's view ---- */

/* The last limit offered to a charger, in hundredths of an amp; -1 before any. */
int rig_last_limit(const char *id);
/* Waits until the last limit offered to the charger is `centiamps`. */
void rig_expect_limit(const char *id, int centiamps, int within_ms);
/*
 * docs/twc.md's invariant over the simulator's limit events from event number
 * `from` on, after the pool went from pool_before to pool_after amps just
 * before `from`: the limits last offered to the chargers never add up to more
 * than the pool in force, which is the larger of the two until the sum first
 * fits pool_after, and pool_after from then on.
 */
void rig_check_limits_fit(size_t from, int pool_before, int pool_after);
/* Each charger heard a heartbeat at most max_ms after the previous one, from its first on. */
void rig_check_heartbeat_gaps(int max_ms);

/* Lines of the broker's log holding both texts. */
int rig_log_lines_with(const char *a, const char *b);

#endif
