#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_MAX 100000

int eb_timeout_ms(int ms)
{
	return getenv("EB_BROKER_WRAPPER") ? ms * 20 : ms;
}

static bool port_accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static const char *config_head; /* see eb_broker_config_head */

void eb_broker_config_head(const char *lines)
{
	config_head = lines;
}

static int write_config(struct eb_broker *b, const char *extra)
{
	snprintf(b->dir, sizeof(b->dir), "/tmp/eb-broker-XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	b->port = eb_free_port();
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	if (config_head)
		fprintf(f, "%s\n", config_head);
	fprintf(f, "listener %d 127.0.0.1\n", b->port);
	if (!extra || !strstr(extra, "allow_anonymous"))
		fprintf(f, "allow_anonymous true\n");
	if (geteuid() == 0)
		fprintf(f, "user root\n"); /* keep the test's permissions on its files */
	fprintf(f, "log_dest file %s/mosquitto.log\nlog_timestamp_format %%H:%%M:%%S\n", b->dir);
	/* log_type lines add up: a caller's own choice (a benchmark's quiet log) must replace "all", not join it. */
	if (!extra || !strstr(extra, "log_type"))
		fprintf(f, "log_type all\n");
	/* Not max_queued_messages 0: 2.0.x then disconnects every client whose publish a plugin refuses. */
	fprintf(f, "persistence false\nmax_queued_messages 100000\n");
	fprintf(f, "plugin %s\n%s\n", EB_PLUGIN_PATH, extra ? extra : "");
	fclose(f);
	return 0;
}

/* refusing_to_start: the broker exits during its own start-up, before freeing its configuration. */
static pid_t spawn(const struct eb_broker *b, bool refusing_to_start)
{
	char conf[128], cmd[512];
	snprintf(conf, sizeof(conf), "%s/mosquitto.conf", b->dir);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/*
	 * A broker never outlives its test (a failed assertion skips the stop),
	 * and never holds the test's output open, which would keep ctest waiting.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	char out[128];
	snprintf(out, sizeof(out), "%s/stderr", b->dir);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
#ifdef EB_SANITIZER_RUNTIME
	/* A sanitized plugin loads only into a process whose first library is the sanitizer runtime. */
	setenv("LD_PRELOAD", EB_SANITIZER_RUNTIME, 1);
	if (refusing_to_start)
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
#else
	(void)refusing_to_start;
#endif
	const char *wrapper = getenv("EB_BROKER_WRAPPER");
	if (wrapper) {
		snprintf(cmd, sizeof(cmd), "exec %s %s -c %s", wrapper, EB_MOSQUITTO_BINARY, conf);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	} else {
		execl(EB_MOSQUITTO_BINARY, "mosquitto", "-c", conf, (char *)NULL);
	}
	_exit(127);
}

/* Runs the broker on b->dir/mosquitto.conf and waits until b->port accepts connections. */
static int launch(struct eb_broker *b)
{
	b->pid = spawn(b, false);
	int64_t deadline = eb_now_ms() + eb_timeout_ms(10000);
	while (eb_now_ms() < deadline) {
		int status;
		if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
			char *log = eb_broker_log(b);
			fprintf(stderr, "broker exited at start (status %d):\n%s\n", status, log);
			free(log);
			b->pid = 0;
			return -1;
		}
		if (port_accepts(b->port))
			return 0;
		eb_sleep_ms(20);
	}
	fprintf(stderr, "broker did not open port %d in time\n", b->port);
	eb_broker_stop(b);
	return -1;
}

int eb_broker_start(struct eb_broker *b, const char *extra)
{
	memset(b, 0, sizeof(*b));
	if (write_config(b, extra) != 0 || b->port <= 0)
		return -1;
	return launch(b);
}

int eb_broker_prepare(struct eb_broker *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/eb-broker-XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	b->port = eb_free_port();
	return b->port > 0 ? 0 : -1;
}

int eb_broker_start_prepared(struct eb_broker *b)
{
	return launch(b);
}

int eb_broker_stop(struct eb_broker *b)
{
	if (b->pid <= 0)
		return -1;
	kill(b->pid, SIGTERM);
	int status = -1;
	int64_t deadline = eb_now_ms() + eb_timeout_ms(10000);
	while (waitpid(b->pid, &status, WNOHANG) == 0) {
		if (eb_now_ms() > deadline) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &status, 0);
			break;
		}
		eb_sleep_ms(10);
	}
	b->pid = 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code != 0) { /* a sanitizer's report, for one */
		char path[128];
		snprintf(path, sizeof(path), "%s/stderr", b->dir);
		char *text = eb_read_file(path);
		fprintf(stderr, "broker exited with %d; its stderr:\n%s\n", code, text);
		free(text);
	}
	return code;
}

void eb_broker_signal(struct eb_broker *b, int sig)
{
	if (b->pid > 0)
		kill(b->pid, sig);
}

char *eb_broker_log(const struct eb_broker *b)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.log", b->dir);
	return eb_read_file(path);
}

char *eb_broker_run_to_exit(const char *extra, int *status)
{
	struct eb_broker b = {0};
	*status = -1;
	if (write_config(&b, extra) != 0)
		return strdup("");
	pid_t pid = spawn(&b, true);
	int st = 0;
	int64_t deadline = eb_now_ms() + eb_timeout_ms(10000);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (eb_now_ms() > deadline) { /* it started after all */
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return eb_broker_log(&b);
		}
		eb_sleep_ms(20);
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return eb_broker_log(&b);
}

/* ---- clients ---- */

struct eb_client {
	struct mosquitto *mosq;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int connack;		/* -1 until CONNACK */
	int last_mid_done;	/* mid of the last completed publish */
	int last_reason;
	int suback_mid, suback_qos;
	bool counting_only;	/* benchmarks: count messages, keep none */
	int counted;
	struct eb_message **queue;
	int head, count;
};

void eb_message_free(struct eb_message *m)
{
	if (!m)
		return;
	free(m->topic);
	free(m->payload);
	mosquitto_property_free_all(&m->props);
	free(m);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *props)
{
	(void)mosq, (void)flags, (void)props;
	struct eb_client *c = obj;
	pthread_mutex_lock(&c->lock);
	c->connack = rc;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid, int reason, const mosquitto_property *props)
{
	(void)mosq, (void)props;
	struct eb_client *c = obj;
	pthread_mutex_lock(&c->lock);
	c->last_mid_done = mid;
	c->last_reason = reason;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted,
			 const mosquitto_property *props)
{
	(void)mosq, (void)props;
	struct eb_client *c = obj;
	pthread_mutex_lock(&c->lock);
	c->suback_mid = mid;
	c->suback_qos = count > 0 ? granted[0] : 0x80;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	(void)mosq;
	struct eb_client *c = obj;
	if (c->counting_only) {
		pthread_mutex_lock(&c->lock);
		c->counted++;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	struct eb_message *m = calloc(1, sizeof(*m));
	m->topic = strdup(msg->topic);
	m->payload = malloc((size_t)msg->payloadlen + 1);
	if (msg->payloadlen > 0) /* an empty message has no payload: memcpy from NULL is undefined */
		memcpy(m->payload, msg->payload, (size_t)msg->payloadlen);
	((char *)m->payload)[msg->payloadlen] = '\0';
	m->payloadlen = msg->payloadlen;
	m->qos = msg->qos;
	m->retain = msg->retain;
	m->arrived_us = eb_now_us();
	mosquitto_property_copy_all(&m->props, props);
	pthread_mutex_lock(&c->lock);
	if (c->count < QUEUE_MAX) {
		c->queue[(c->head + c->count) % QUEUE_MAX] = m;
		c->count++;
		m = NULL;
	}
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	eb_message_free(m);
}

/* Waits on the client's condition until done() holds or the time is up. */
static bool wait_for(struct eb_client *c, bool (*done)(struct eb_client *, int), int arg, int timeout_ms)
{
	struct timespec until = eb_realtime_after_ms(timeout_ms);
	pthread_mutex_lock(&c->lock);
	int rc = 0;
	while (!done(c, arg) && rc == 0)
		rc = pthread_cond_timedwait(&c->changed, &c->lock, &until);
	bool ok = done(c, arg);
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static bool connack_arrived(struct eb_client *c, int arg)
{
	(void)arg;
	return c->connack >= 0;
}

struct eb_client *eb_client_connect(int port, const struct eb_client_options *o, int *reason)
{
	static int lib_ready;
	if (!lib_ready++) {
		mosquitto_lib_init();
		signal(SIGPIPE, SIG_IGN); /* a write to a dropped connection fails, not the test */
	}
	struct eb_client *c = calloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	c->connack = -1;
	c->queue = calloc(QUEUE_MAX, sizeof(*c->queue));
	c->mosq = mosquitto_new(o->id, !o->keep_session, c);
	int protocol = o->protocol ? o->protocol : MQTT_PROTOCOL_V311;
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, protocol);
	/*
	 * A test client never reconnects by itself: a connection the broker
	 * closed (a takeover, a refusal) stays closed, and its loop thread waits
	 * in a cancellable sleep instead of resolving the host again, where
	 * mosquitto_loop_stop(force) would cut getaddrinfo short and leak.
	 */
	mosquitto_reconnect_delay_set(c->mosq, 3600, 3600, false);
	mosquitto_connect_v5_callback_set(c->mosq, on_connect);
	mosquitto_publish_v5_callback_set(c->mosq, on_publish);
	mosquitto_subscribe_v5_callback_set(c->mosq, on_subscribe);
	mosquitto_message_v5_callback_set(c->mosq, on_message);
	if (o->username)
		mosquitto_username_pw_set(c->mosq, o->username, o->password);
	if (o->will_topic)
		mosquitto_will_set(c->mosq, o->will_topic, (int)strlen(o->will_payload ? o->will_payload : ""),
				   o->will_payload ? o->will_payload : "", 1, o->will_retain);
	if (o->cafile) {
		mosquitto_tls_set(c->mosq, o->cafile, NULL, NULL, NULL, NULL);
		mosquitto_tls_insecure_set(c->mosq, true); /* the test certificate names no host */
	}
	int rc = mosquitto_connect(c->mosq, "127.0.0.1", port, 60);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_loop_start(c->mosq);
	bool acked = rc == MOSQ_ERR_SUCCESS && wait_for(c, connack_arrived, 0, eb_timeout_ms(5000));
	if (reason)
		*reason = acked ? c->connack : -1;
	if (!acked || c->connack != 0) {
		eb_client_drop(c);
		return NULL;
	}
	return c;
}

struct eb_client *eb_client_simple(int port, const char *id, const char *username, int protocol)
{
	struct eb_client_options o = {.id = id, .username = username, .protocol = protocol};
	return eb_client_connect(port, &o, NULL);
}

static void destroy(struct eb_client *c)
{
	mosquitto_loop_stop(c->mosq, true);
	mosquitto_destroy(c->mosq);
	while (c->count > 0) {
		eb_message_free(c->queue[c->head]);
		c->head = (c->head + 1) % QUEUE_MAX;
		c->count--;
	}
	free(c->queue);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	free(c);
}

void eb_client_disconnect(struct eb_client *c)
{
	if (!c)
		return;
	mosquitto_disconnect(c->mosq);
	destroy(c);
}

void eb_client_drop(struct eb_client *c)
{
	if (!c)
		return;
	/*
	 * Close the connection under the loop thread first: nothing more leaves,
	 * not even the DISCONNECT that mosquitto_disconnect() may queue next. That
	 * call only marks the client as disconnecting, so the thread, woken by
	 * mosquitto_loop_stop(), ends instead of reconnecting. Stopping a thread
	 * that sleeps after a lost connection wakes it into mosquitto_reconnect(),
	 * where cancelling it left getaddrinfo()'s result behind (a leak
	 * LeakSanitizer saw once in CI, after a refused CONNACK).
	 */
	int fd = mosquitto_socket(c->mosq);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	mosquitto_disconnect(c->mosq);
	destroy(c);
}

static bool suback_arrived(struct eb_client *c, int mid)
{
	return c->suback_mid == mid;
}

int eb_client_subscribe(struct eb_client *c, const char *topic, int qos)
{
	int mid;
	if (mosquitto_subscribe(c->mosq, &mid, topic, qos) != MOSQ_ERR_SUCCESS)
		return -1;
	if (!wait_for(c, suback_arrived, mid, eb_timeout_ms(5000)))
		return -1;
	return c->suback_qos;
}

static bool publish_done(struct eb_client *c, int mid)
{
	return c->last_mid_done == mid;
}

int eb_client_publish(struct eb_client *c, const char *topic, const void *payload, int len, int qos, bool retain,
		      mosquitto_property *props)
{
	int mid;
	int rc = mosquitto_publish_v5(c->mosq, &mid, topic, len, payload, qos, retain, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS)
		return -1;
	if (!wait_for(c, publish_done, mid, eb_timeout_ms(5000)))
		return -1;
	/* Codes below 0x80 are successes (0x10: nobody subscribed). */
	return c->last_reason < 0x80 ? 0 : c->last_reason;
}

int eb_client_publish_str(struct eb_client *c, const char *topic, const char *payload, int qos)
{
	return eb_client_publish(c, topic, payload, (int)strlen(payload), qos, false, NULL);
}

int eb_client_publish_nowait(struct eb_client *c, const char *topic, const void *payload, int len, int qos)
{
	return mosquitto_publish(c->mosq, NULL, topic, len, payload, qos, false);
}

static bool message_waiting(struct eb_client *c, int arg)
{
	(void)arg;
	return c->count > 0;
}

static struct eb_message *next_unscaled(struct eb_client *c, int timeout_ms)
{
	if (!wait_for(c, message_waiting, 0, timeout_ms))
		return NULL;
	pthread_mutex_lock(&c->lock);
	struct eb_message *m = c->queue[c->head];
	c->head = (c->head + 1) % QUEUE_MAX;
	c->count--;
	pthread_mutex_unlock(&c->lock);
	return m;
}

struct eb_message *eb_client_next(struct eb_client *c, int timeout_ms)
{
	return next_unscaled(c, eb_timeout_ms(timeout_ms));
}

struct eb_message *eb_client_next_on(struct eb_client *c, const char *topic, int timeout_ms)
{
	int64_t deadline = eb_now_ms() + eb_timeout_ms(timeout_ms);
	for (;;) {
		int left = (int)(deadline - eb_now_ms());
		struct eb_message *m = next_unscaled(c, left > 0 ? left : 0);
		if (!m || strcmp(m->topic, topic) == 0)
			return m;
		eb_message_free(m);
	}
}

int eb_client_pending(struct eb_client *c)
{
	pthread_mutex_lock(&c->lock);
	int n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static bool count_reached(struct eb_client *c, int n)
{
	return c->count + c->counted >= n;
}

void eb_client_count_only(struct eb_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->counting_only = true;
	pthread_mutex_unlock(&c->lock);
}

bool eb_client_drain(struct eb_client *c, int n, int timeout_ms)
{
	bool ok = wait_for(c, count_reached, n, eb_timeout_ms(timeout_ms));
	pthread_mutex_lock(&c->lock);
	c->counted = 0;
	while (c->count > 0) {
		eb_message_free(c->queue[c->head]);
		c->head = (c->head + 1) % QUEUE_MAX;
		c->count--;
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

bool eb_broker_refuses_to_start(const char *extra, const char *message)
{
	int status;
	char *log = eb_broker_run_to_exit(extra, &status);
	bool refused = status != 0 && strstr(log, message) != NULL;
	if (!refused)
		fprintf(stderr, "config \"%s\": expected an exit with \"%s\", got status %d and log:\n%s\n", extra,
			message, status, log);
	free(log);
	return refused;
}

struct eb_version eb_broker_version(void)
{
	static struct eb_version v;
	static bool known;
	if (known)
		return v;
	FILE *f = popen("'" EB_MOSQUITTO_BINARY "' -h 2>/dev/null", "r");
	char text[256] = "";
	if (f) {
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		pclose(f);
	}
	if (!eb_mosquitto_version_parse(text, &v)) {
		fprintf(stderr, "cannot read the version of %s from its -h: '%s'\n", EB_MOSQUITTO_BINARY, text);
		abort(); /* no test can say what to expect */
	}
	known = true;
	return v;
}

bool eb_broker_ticks_listener_plugins(void)
{
	return eb_version_compare(eb_broker_version(), (struct eb_version){2, 0, 15}) >= 0;
}
