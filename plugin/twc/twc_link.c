#include "twc_link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "twc_frame.h"
#include "twc_transport.h"

#define BACKOFF_FIRST_MS 250
/*
 * A converter back after an outage must be found before its wall connectors
 * count as gone (TWC_GONE_MS, 26 s after their last word): retrying at
 * least every 2 s keeps any outage up to 23 s harmless. A retry costs one
 * open() or connect(), and the log says a failure only when its reason changes.
 */
#define BACKOFF_MAX_MS 2000
#define ERROR_SUMMARY_MS 60000
#define POLL_MAX_MS 1000
#define NO_POOL_REQUEST (-1)

struct twc_link {
	pthread_t thread;
	atomic_bool stopping;
	int wake[2];			/* a byte on wake[1] interrupts the thread's poll() */
	pthread_mutex_t lock;		/* guards pool_request */
	int pool_request;

	/* Owned by the thread. */
	char *port;
	char *prefix;
	struct outbox *out;
	struct twc_master master;
	struct twc_frame_rx rx;
	struct twc_transport link;
	int64_t next_open_ms;
	int backoff_ms;
	unsigned failed_opens;
	char last_error[160];
	unsigned long bad_frames[TWC_FRAME_RX_IDLE_TIMEOUT + 1];
	unsigned long bad_frames_logged;
	int64_t next_summary_ms;
	unsigned long reconnects;
	/* Copies of the counters for the broker's thread, refreshed on every turn of the loop. */
	atomic_ulong shared_frames_good, shared_frames_bad, shared_frames_sent, shared_reconnects, shared_slaves;
	atomic_ulong shared_id_clashes, shared_frames_ignored, shared_reply_timeouts, shared_foreign_master_frames;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void try_open(struct twc_link *l, int64_t now)
{
	char err[160];
	if (twc_transport_open(&l->link, l->port, err, sizeof(err)) != 0) {
		/* Logged when the reason changes, not on every retry of a port that is not there. */
		if (strcmp(err, l->last_error) != 0)
			outbox_log(l->out, MOSQ_LOG_WARNING, "energy-bridge: twc: cannot open %s (%s); retrying",
				   l->port, err);
		snprintf(l->last_error, sizeof(l->last_error), "%s", err);
		l->failed_opens++;
		l->next_open_ms = now + l->backoff_ms;
		l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
		return;
	}
	outbox_log(l->out, MOSQ_LOG_NOTICE, "energy-bridge: twc: link %s up (after %u failed attempts)", l->port,
		   l->failed_opens);
	l->failed_opens = 0;
	l->last_error[0] = '\0';
	l->backoff_ms = BACKOFF_FIRST_MS;
	twc_frame_rx_init(&l->rx);
	twc_master_link_up(&l->master, now);
}

static void lose_link(struct twc_link *l, const char *why, int64_t now)
{
	outbox_log(l->out, MOSQ_LOG_WARNING, "energy-bridge: twc: link %s lost (%s); reconnecting", l->port, why);
	twc_transport_close(&l->link);
	l->reconnects++;
	l->next_open_ms = now + BACKOFF_FIRST_MS;
}

static void send_due_frames(struct twc_link *l, int64_t now)
{
	uint8_t body[TWC_FRAME_BODY_MAX], wire[TWC_FRAME_ENCODED_MAX];
	size_t n;
	while (l->link.fd >= 0 &&
	       (n = twc_master_next_frame(&l->master, now, twc_frame_rx_mid_frame(&l->rx, now), body, sizeof(body)))) {
		size_t len = twc_frame_encode(body, n, wire, sizeof(wire));
		char err[160];
		if (len && twc_transport_write(&l->link, wire, len, err, sizeof(err)) != 0)
			lose_link(l, err, now);
	}
}

static void pass_status_on(struct twc_link *l, int64_t now)
{
	struct twc_status_update updates[32];
	size_t n;
	while ((n = twc_master_take_status(&l->master, now, updates, 32)) > 0) {
		for (size_t i = 0; i < n; i++) {
			char topic[1024 + TWC_STATUS_TOPIC_MAX + 2]; /* the prefix option is under 1024 bytes */
			snprintf(topic, sizeof(topic), "%s/%.*s", l->prefix, TWC_STATUS_TOPIC_MAX, updates[i].topic);
			outbox_publish(l->out, topic, updates[i].value, strlen(updates[i].value), true);
		}
		if (n < 32)
			break;
	}
}

static void read_bytes(struct twc_link *l, int64_t now)
{
	uint8_t buf[512];
	char err[160];
	ssize_t got;
	while ((got = twc_transport_read(&l->link, buf, sizeof(buf), err, sizeof(err))) > 0) {
		for (ssize_t i = 0; i < got; i++) {
			enum twc_frame_rx_result r = twc_frame_rx_feed(&l->rx, buf[i], now);
			if (r == TWC_FRAME_RX_FRAME) {
				size_t len;
				const uint8_t *body = twc_frame_rx_body(&l->rx, &len);
				twc_master_on_frame(&l->master, body, len, now);
			} else if (r != TWC_FRAME_RX_NOTHING) {
				l->bad_frames[r]++;
			}
		}
	}
	if (got < 0)
		lose_link(l, err, now);
}

/* Frame errors come in bursts with noise: one line a minute says how many and of which kind. */
static void summarise_bad_frames(struct twc_link *l, int64_t now)
{
	if (now < l->next_summary_ms)
		return;
	l->next_summary_ms = now + ERROR_SUMMARY_MS;
	unsigned long total = 0;
	for (size_t r = 0; r <= TWC_FRAME_RX_IDLE_TIMEOUT; r++)
		total += l->bad_frames[r];
	if (total == l->bad_frames_logged)
		return;
	outbox_log(l->out, MOSQ_LOG_WARNING,
		   "energy-bridge: twc: %lu bad frames so far (checksum %lu, length %lu, escape %lu, overlong %lu, "
		   "idle %lu), %lu good",
		   total, l->bad_frames[TWC_FRAME_RX_BAD_CHECKSUM], l->bad_frames[TWC_FRAME_RX_BAD_LENGTH],
		   l->bad_frames[TWC_FRAME_RX_BAD_ESCAPE], l->bad_frames[TWC_FRAME_RX_OVERLONG],
		   l->bad_frames[TWC_FRAME_RX_IDLE_TIMEOUT], l->master.stats.frames_in);
	l->bad_frames_logged = total;
}

static void apply_pool_request(struct twc_link *l, int64_t now)
{
	pthread_mutex_lock(&l->lock);
	int amps = l->pool_request;
	l->pool_request = NO_POOL_REQUEST;
	pthread_mutex_unlock(&l->lock);
	char err[160];
	if (amps != NO_POOL_REQUEST && twc_master_set_pool(&l->master, amps, now, err, sizeof(err)) != 0)
		outbox_log(l->out, MOSQ_LOG_WARNING, "energy-bridge: twc: pool not changed to %d A: %s", amps, err);
}

/*
 * Until the master's next deadline; without a link, until the next attempt
 * to open it (frames due then cannot be sent, and status timeouts such as a
 * slave gone are still judged at least once a second).
 */
static int poll_timeout(const struct twc_link *l, int64_t now)
{
	int64_t until = l->link.fd >= 0 ? twc_master_next_deadline(&l->master, now) : l->next_open_ms;
	int64_t wait = until - now;
	return wait < 0 ? 0 : wait > POLL_MAX_MS ? POLL_MAX_MS : (int)wait;
}

static void share_counters(struct twc_link *l)
{
	unsigned long bad = 0;
	for (size_t r = 0; r <= TWC_FRAME_RX_IDLE_TIMEOUT; r++)
		bad += l->bad_frames[r];
	atomic_store(&l->shared_frames_good, l->master.stats.frames_in);
	atomic_store(&l->shared_frames_bad, bad);
	atomic_store(&l->shared_frames_sent, l->master.stats.frames_out);
	atomic_store(&l->shared_reconnects, l->reconnects);
	atomic_store(&l->shared_slaves, (unsigned long)twc_master_slave_count(&l->master));
	atomic_store(&l->shared_id_clashes, l->master.stats.id_clashes);
	atomic_store(&l->shared_frames_ignored, l->master.stats.frames_ignored);
	atomic_store(&l->shared_reply_timeouts, l->master.stats.reply_timeouts);
	atomic_store(&l->shared_foreign_master_frames, l->master.stats.foreign_master_frames);
}

void twc_link_counters(struct twc_link *l, struct twc_link_counters *out)
{
	out->frames_good = atomic_load(&l->shared_frames_good);
	out->frames_bad = atomic_load(&l->shared_frames_bad);
	out->frames_sent = atomic_load(&l->shared_frames_sent);
	out->reconnects = atomic_load(&l->shared_reconnects);
	out->slaves = atomic_load(&l->shared_slaves);
	out->id_clashes = atomic_load(&l->shared_id_clashes);
	out->frames_ignored = atomic_load(&l->shared_frames_ignored);
	out->reply_timeouts = atomic_load(&l->shared_reply_timeouts);
	out->foreign_master_frames = atomic_load(&l->shared_foreign_master_frames);
}

static void *run(void *arg)
{
	struct twc_link *l = arg;
	while (!atomic_load(&l->stopping)) {
		int64_t now = monotonic_ms();
		if (l->link.fd < 0 && now >= l->next_open_ms)
			try_open(l, now);
		send_due_frames(l, now);
		pass_status_on(l, now);
		summarise_bad_frames(l, now);
		share_counters(l);

		struct pollfd fds[2] = {{.fd = l->wake[0], .events = POLLIN}, {.fd = l->link.fd, .events = POLLIN}};
		if (poll(fds, l->link.fd >= 0 ? 2 : 1, poll_timeout(l, now)) < 0 && errno != EINTR)
			break;
		now = monotonic_ms();
		if (fds[0].revents) {
			char drain[64];
			while (read(l->wake[0], drain, sizeof(drain)) > 0)
				;
			apply_pool_request(l, now);
		}
		if (l->link.fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_bytes(l, now);
	}
	twc_transport_close(&l->link);
	return NULL;
}

static void wake(struct twc_link *l)
{
	ssize_t ignored = write(l->wake[1], "", 1); /* a full pipe already wakes the thread */
	(void)ignored;
}

static void free_link(struct twc_link *l)
{
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	pthread_mutex_destroy(&l->lock);
	free(l->port);
	free(l->prefix);
	free(l);
}

struct twc_link *twc_link_start(const char *port, const struct twc_master_config *cfg, const char *prefix,
				struct outbox *out)
{
	struct twc_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->wake[0] = l->wake[1] = -1;
	pthread_mutex_init(&l->lock, NULL);
	l->pool_request = NO_POOL_REQUEST;
	l->port = strdup(port);
	l->prefix = strdup(prefix);
	l->out = out;
	l->backoff_ms = BACKOFF_FIRST_MS;
	twc_transport_init(&l->link);
	int64_t now = monotonic_ms();
	twc_master_init(&l->master, cfg, now);
	l->next_summary_ms = now + ERROR_SUMMARY_MS;
	if (!l->port || !l->prefix || pipe2(l->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		free_link(l);
		return NULL;
	}
	/* The broker handles signals on its own thread; this one must never take them. */
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &previous);
	int rc = pthread_create(&l->thread, NULL, run, l);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (rc != 0) {
		free_link(l);
		return NULL;
	}
	return l;
}

void twc_link_request_pool(struct twc_link *l, int amps)
{
	pthread_mutex_lock(&l->lock);
	l->pool_request = amps;
	pthread_mutex_unlock(&l->lock);
	wake(l);
}

void twc_link_stop(struct twc_link *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, true);
	wake(l);
	pthread_join(l->thread, NULL);
	free_link(l);
}
