/*
 * log_limit: how many refusal log lines the clients may cause, and how text
 * from outside is quoted in a log line.
 *
 * Every refusal the plugin logs is caused by a client, and a client can
 * publish thousands of refused messages a second. Each client (by client
 * id) may cause LOG_LIMIT_BURST lines at once and then one every
 * LOG_LIMIT_INTERVAL_MS; all clients together LOG_LIMIT_ALL_BURST lines at
 * once and then one every LOG_LIMIT_ALL_INTERVAL_MS, so that many client ids
 * cannot flood the log either. A line not logged is counted: the client's
 * next logged line says how many of its lines were left out, and the total
 * is a stats counter.
 *
 * The table holds LOG_LIMIT_CLIENTS clients; when it is full, the client
 * heard from longest ago makes room (what it had left out is then only in
 * the total). A client that comes back after that starts with a full burst
 * again, which the shared budget still bounds.
 *
 * log_quote() writes outside text (a client id, a topic, a JSON path) for a
 * log line: bounded, with every byte that is not printable ASCII and every
 * backslash written as an escape, so a quoted text can never end the line or
 * forge another one.
 *
 * Pure: no broker, no clock (time is an argument), fixed memory.
 */
#ifndef LOG_LIMIT_H
#define LOG_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_LIMIT_CLIENTS 64
#define LOG_LIMIT_BURST 5
#define LOG_LIMIT_INTERVAL_MS 10000
#define LOG_LIMIT_ALL_BURST 50
#define LOG_LIMIT_ALL_INTERVAL_MS 1000

/* A budget of lines: `tokens` now, one more every interval up to the burst. */
struct log_bucket {
	unsigned tokens;
	int64_t refilled_ms;
};

struct log_limit_client {
	uint64_t key;			/* FNV-1a of the client id; 0: free slot */
	int64_t last_ms;		/* when it last caused a refusal */
	struct log_bucket bucket;
	unsigned long left_out;		/* its lines not logged since its last logged one */
};

struct log_limit {
	struct log_limit_client clients[LOG_LIMIT_CLIENTS];
	struct log_bucket all;
	uint64_t lines_left_out;	/* every line not logged: the stats counter */
	bool started;
};

void log_limit_init(struct log_limit *l);

/*
 * A refusal caused by client_id at now_ms: true when it may be logged, with
 * *left_out the number of this client's lines not logged since its last
 * logged one (to be said in this line); false when it is not to be logged
 * (and it is counted).
 */
bool log_limit_allow(struct log_limit *l, const char *client_id, int64_t now_ms, unsigned long *left_out);

/* The most bytes of outside text log_quote() keeps before it cuts with "...". */
#define LOG_QUOTE_MAX 160
/* A buffer that holds any quote: every kept byte escaped as \xNN, plus "..." and the NUL. */
#define LOG_QUOTE_SIZE (4 * LOG_QUOTE_MAX + 4)

/*
 * Writes the first LOG_QUOTE_MAX bytes of s[0..n) into out (LOG_QUOTE_SIZE
 * bytes): printable ASCII as is, a backslash as "\\", any other byte as
 * "\xNN"; "..." when s was longer. Returns out.
 */
char *log_quote(char out[LOG_QUOTE_SIZE], const char *s, size_t n);
/* log_quote() of a NUL-terminated string (NULL quotes as ""). */
char *log_quote_str(char out[LOG_QUOTE_SIZE], const char *s);

#endif
