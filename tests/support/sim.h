/*
 * The TWC slave simulator (tests/twc_sim) as a child process of a test: its
 * stdin takes commands, its stdout lines are events, collected by a reader
 * thread with the time each arrived, so that a test can wait for an event or
 * look back over all of them.
 *
 * Events are kept in order from the start and numbered from 0; a test keeps a
 * cursor (an event number) to wait for what comes after a point it chose,
 * typically eb_sim_mark() taken just before a command or a broker action.
 * Waits scale with eb_timeout_ms() as the broker's do.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EB_SIM_LINE_MAX 120

struct eb_sim_event {
	int64_t seen_us;		/* eb_now_us() when the reader got the line */
	char line[EB_SIM_LINE_MAX];	/* without the newline */
};

struct eb_sim;

/*
 * Starts twc_sim with its arguments after the program name (a NULL-terminated
 * list, or NULL for the simulator's defaults: slaves 4085 and 2433) and waits
 * for "listening <port>". NULL, after saying why on stderr, when it fails.
 */
struct eb_sim *eb_sim_start(const char *const *args);
/* The loopback TCP port it listens on. */
int eb_sim_port(const struct eb_sim *sim);
/*
 * Quits it, waits for it and frees everything. Returns its exit status (0
 * for a clean exit), or -1 when it had to be killed.
 */
int eb_sim_stop(struct eb_sim *sim);

/* Sends one command line (printf format) and waits for its answer: 0 for "ok", -1 otherwise (printed). */
int eb_sim_command(struct eb_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The number of events so far: the cursor of whatever comes next. */
size_t eb_sim_mark(struct eb_sim *sim);
/* Copies event number index; false when there is no such event (yet). */
bool eb_sim_get(struct eb_sim *sim, size_t index, struct eb_sim_event *out);
/*
 * Waits for the first event at or after *cursor whose line starts with
 * prefix ("limit 4085 ", "connected"). On success copies it to out (may be
 * NULL) and moves *cursor just past it; false when none came in time.
 */
bool eb_sim_wait(struct eb_sim *sim, size_t *cursor, const char *prefix, int timeout_ms,
		 struct eb_sim_event *out);
/* How many events from event number `from` on start with prefix. */
size_t eb_sim_count(struct eb_sim *sim, size_t from, const char *prefix);

/* The simulator's own time stamp of an event ("t=<us>", eb_now_us() in it), or -1 when the line has none. */
int64_t eb_sim_event_time_us(const struct eb_sim_event *e);

#endif
