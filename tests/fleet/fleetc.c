/*
 * fleetc: the MQTT clients of the fleet test and benchmark (tests/fleet/run,
 * tests/fleet/bench). Built by them with: cc -O2 -o fleetc fleetc.c -lmosquitto
 *
 *   fleetc logger -p PORT -i CLIENT_ID -m MPPT_ID [-r RATE] [-n COUNT] [-s SAMPLES]
 *                 [-x STOP_FILE] [-o ACCEPTED_FILE] [-T T0_FILE] [-w SECONDS]
 *     A data logger: publishes numbered MPPT requests to dataset/mppt at QoS 1
 *     (MQTT v5, a persistent session), RATE a second (0: as fast as 100 in
 *     flight allow), until COUNT are published or STOP_FILE exists. Request n
 *     holds SAMPLES samples whose time_local is 2026-01-01T00:00:00+00:00 plus
 *     n * SAMPLES + j seconds, so each translation says which request and
 *     sample it comes from. It publishes only while connected and reconnects
 *     by itself; the broker's PUBACK reason code says whether the plugin
 *     accepted a request. At the end it waits up to SECONDS (default 60) for
 *     the last acknowledgements, writes the accepted request numbers to
 *     ACCEPTED_FILE, the wall-clock time of its first publish to T0_FILE, and
 *     prints one line of counts. Exit status 0 when every request was
 *     acknowledged and accepted.
 *
 *   fleetc count -p PORT -t TOPIC -n COUNT [-w SECONDS] [-R READY_FILE]
 *     Subscribes to TOPIC at QoS 1 (clean session), creates READY_FILE once
 *     subscribed, and prints the wall-clock time at which the COUNT-th message
 *     arrived. Exit status 1 if they do not all arrive within SECONDS.
 *
 * Host: 127.0.0.1 always.
 */
#define _POSIX_C_SOURCE 200809L
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BASE_EPOCH 1767225600L /* 2026-01-01T00:00:00Z */
#define WINDOW 100

static double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fleetc logger -p PORT -i CLIENT_ID -m MPPT_ID [-r RATE] [-n COUNT] [-s SAMPLES]\n"
			"                     [-x STOP_FILE] [-o ACCEPTED_FILE] [-T T0_FILE] [-w SECONDS]\n"
			"       fleetc count -p PORT -t TOPIC -n COUNT [-w SECONDS] [-R READY_FILE]\n");
	exit(2);
}

/* ------------------------------------------------------------------ logger */

struct logger {
	bool connected;
	long *seq_of_mid; /* seq + 1 of the request in flight with that mid, 0: none */
	unsigned char *state; /* per request: 0 sent, 1 accepted, 2 refused */
	long published, accepted, refused, outstanding;
};

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags, const mosquitto_property *p)
{
	(void)m, (void)flags, (void)p;
	struct logger *l = obj;
	if (rc == 0)
		l->connected = true;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *p)
{
	(void)m, (void)rc, (void)p;
	((struct logger *)obj)->connected = false;
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int reason, const mosquitto_property *p)
{
	(void)m, (void)p;
	struct logger *l = obj;
	long s = l->seq_of_mid[mid & 0xffff];
	if (s == 0)
		return;
	l->seq_of_mid[mid & 0xffff] = 0;
	s--;
	if (reason < 128) {
		l->state[s] = 1;
		l->accepted++;
	} else {
		l->state[s] = 2;
		l->refused++;
		fprintf(stderr, "fleetc: request %ld refused with reason 0x%02x\n", s, reason);
	}
	l->outstanding--;
}

static size_t request(char *buf, size_t cap, const char *mppt_id, long seq, int samples)
{
	size_t n = (size_t)snprintf(buf, cap, "{\"datasets\":[{\"mppt\":{\"id\":\"%s\"},\"data\":[", mppt_id);
	for (int j = 0; j < samples && n < cap; j++) {
		time_t t = (time_t)(BASE_EPOCH + seq * samples + j);
		struct tm tm;
		gmtime_r(&t, &tm);
		char when[40];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
		n += (size_t)snprintf(buf + n, cap - n,
				      "%s{\"time_local\":\"%s\",\"pv\":{\"volts\":[48.0,48.0],\"amps\":[6.0,%d.5]},"
				      "\"battery\":{\"volts\":55.1,\"amps\":0.0},\"load\":{\"volts\":[48.0],\"amps\":[1.2]},"
				      "\"status\":\"1A79\"}",
				      j ? "," : "", when, (int)(seq % 10));
	}
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "]}]}");
	return n;
}

static int logger(int argc, char **argv)
{
	int port = 0, samples = 2, wait_s = 60, opt;
	double rate = 5;
	long count = 1000000;
	const char *id = NULL, *mppt = NULL, *stop = NULL, *out = NULL, *t0_file = NULL;
	while ((opt = getopt(argc, argv, "p:i:m:r:n:s:x:o:T:w:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'i': id = optarg; break;
		case 'm': mppt = optarg; break;
		case 'r': rate = atof(optarg); break;
		case 'n': count = atol(optarg); break;
		case 's': samples = atoi(optarg); break;
		case 'x': stop = optarg; break;
		case 'o': out = optarg; break;
		case 'T': t0_file = optarg; break;
		case 'w': wait_s = atoi(optarg); break;
		default: usage();
		}
	}
	if (!port || !id || !mppt || samples < 1 || samples > 100 || count < 1 || count > 10000000)
		usage();

	struct logger l = {0};
	l.seq_of_mid = calloc(65536, sizeof(long));
	l.state = calloc((size_t)count, 1);
	struct mosquitto *m = mosquitto_new(id, false, &l);
	if (!m || !l.seq_of_mid || !l.state)
		return 1;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_max_inflight_messages_set(m, WINDOW);
	mosquitto_connect_v5_callback_set(m, on_connect);
	mosquitto_disconnect_v5_callback_set(m, on_disconnect);
	mosquitto_publish_v5_callback_set(m, on_publish);
	mosquitto_property *props = NULL;
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 3600);

	char *buf = malloc(65536);
	double t0 = 0, next = now_mono(), last_try = 0, stop_at = 0;
	bool connecting = false;
	for (;;) {
		double t = now_mono();
		/* mosquitto_reconnect() would drop the session expiry interval: connect
		 * anew, keeping the messages in flight, which go again once connected. */
		if (!l.connected && t - last_try >= (connecting ? 3 : 0.5)) {
			last_try = t;
			connecting = mosquitto_connect_bind_v5(m, "127.0.0.1", port, 30, NULL, props) ==
				     MOSQ_ERR_SUCCESS;
		}
		if (l.connected)
			connecting = false;
		bool done = l.published >= count || (stop && access(stop, F_OK) == 0);
		if (done && stop_at == 0)
			stop_at = t;
		if (done && (l.outstanding == 0 || t - stop_at > wait_s))
			break;
		if (!done && l.connected && l.outstanding < WINDOW && (rate <= 0 || t >= next)) {
			long seq = l.published;
			size_t len = request(buf, 65536, mppt, seq, samples);
			int mid = 0;
			if (mosquitto_publish_v5(m, &mid, "dataset/mppt", (int)len, buf, 1, false, NULL) ==
			    MOSQ_ERR_SUCCESS) {
				if (seq == 0)
					t0 = now_wall();
				l.seq_of_mid[mid & 0xffff] = seq + 1;
				l.published++;
				l.outstanding++;
				next = rate > 0 ? (next < t - 1 ? t : next) + 1.0 / rate : t;
			}
		}
		int rc = mosquitto_loop(m, rate > 0 || !l.connected ? 5 : 1, 1);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
			l.connected = false;
		if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_CONN_REFUSED)
			nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	if (l.connected) {
		mosquitto_disconnect(m);
		mosquitto_loop(m, 10, 1);
	}
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f)
			return 1;
		for (long s = 0; s < l.published; s++)
			if (l.state[s] == 1)
				fprintf(f, "%ld\n", s);
		fclose(f);
	}
	if (t0_file) {
		FILE *f = fopen(t0_file, "w");
		if (!f)
			return 1;
		fprintf(f, "%.6f\n", t0);
		fclose(f);
	}
	printf("logger %s (%s): published %ld, accepted %ld, refused %ld, unacknowledged %ld\n", id, mppt,
	       l.published, l.accepted, l.refused, l.outstanding);
	mosquitto_property_free_all(&props);
	mosquitto_destroy(m);
	return l.outstanding == 0 && l.refused == 0 && l.published > 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ count */

struct counter {
	const char *topic, *ready;
	long want, got;
	double last;
	bool subscribed;
};

static void count_connect(struct mosquitto *m, void *obj, int rc)
{
	struct counter *c = obj;
	if (rc == 0)
		mosquitto_subscribe(m, NULL, c->topic, 1);
}

static void count_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m, (void)mid, (void)n, (void)granted;
	struct counter *c = obj;
	c->subscribed = true;
	if (c->ready) {
		FILE *f = fopen(c->ready, "w");
		if (f)
			fclose(f);
	}
}

static void count_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m, (void)msg;
	struct counter *c = obj;
	c->got++;
	c->last = now_wall();
}

static int count(int argc, char **argv)
{
	int port = 0, wait_s = 60, opt;
	struct counter c = {0};
	while ((opt = getopt(argc, argv, "p:t:n:w:R:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 't': c.topic = optarg; break;
		case 'n': c.want = atol(optarg); break;
		case 'w': wait_s = atoi(optarg); break;
		case 'R': c.ready = optarg; break;
		default: usage();
		}
	}
	if (!port || !c.topic || c.want < 1)
		usage();
	struct mosquitto *m = mosquitto_new(NULL, true, &c);
	if (!m)
		return 1;
	mosquitto_connect_callback_set(m, count_connect);
	mosquitto_subscribe_callback_set(m, count_subscribe);
	mosquitto_message_callback_set(m, count_message);
	if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "fleetc: cannot connect to 127.0.0.1:%d\n", port);
		return 1;
	}
	double deadline = now_mono() + wait_s;
	while (c.got < c.want && now_mono() < deadline)
		if (mosquitto_loop(m, 50, 1) != MOSQ_ERR_SUCCESS)
			break;
	printf("%ld %.6f\n", c.got, c.last);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	return c.got >= c.want ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	mosquitto_lib_init();
	int rc;
	if (strcmp(argv[1], "logger") == 0)
		rc = logger(argc - 1, argv + 1);
	else if (strcmp(argv[1], "count") == 0)
		rc = count(argc - 1, argv + 1);
	else
		usage();
	mosquitto_lib_cleanup();
	return rc;
}
