#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ARGS_MAX 16
#define START_MS 5000
#define COMMAND_MS 5000
#define STOP_MS 5000

struct eb_sim {
	pid_t pid;
	int port;
	int to_sim;	/* its stdin */
	FILE *from_sim;	/* its stdout, read by the reader thread only */
	pthread_t reader;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct eb_sim_event *events;
	size_t count, capacity;
	bool ended;	/* its stdout closed: no more events */
	pthread_mutex_t command_lock; /* one command and its answer at a time */
};

static void add_event(struct eb_sim *sim, const char *line, int64_t seen_us)
{
	pthread_mutex_lock(&sim->lock);
	if (sim->count == sim->capacity) {
		size_t capacity = sim->capacity ? sim->capacity * 2 : 4096;
		struct eb_sim_event *grown = realloc(sim->events, capacity * sizeof(*grown));
		if (!grown) {
			pthread_mutex_unlock(&sim->lock);
			fprintf(stderr, "twc_sim reader: out of memory, event lost: %s\n", line);
			return;
		}
		sim->events = grown;
		sim->capacity = capacity;
	}
	struct eb_sim_event *e = &sim->events[sim->count++];
	e->seen_us = seen_us;
	snprintf(e->line, sizeof(e->line), "%s", line);
	pthread_cond_broadcast(&sim->changed);
	pthread_mutex_unlock(&sim->lock);
}

static void *read_events(void *arg)
{
	struct eb_sim *sim = arg;
	char line[EB_SIM_LINE_MAX]; /* what an event holds: a longer line is cut below, not by add_event */
	while (fgets(line, sizeof(line), sim->from_sim)) {
		int64_t seen_us = eb_now_us();
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] == '\n') {
			line[--len] = '\0';
		} else { /* longer than any event: keep the start, skip the rest */
			int c;
			while ((c = fgetc(sim->from_sim)) != EOF && c != '\n')
				;
		}
		add_event(sim, line, seen_us);
	}
	pthread_mutex_lock(&sim->lock);
	sim->ended = true;
	pthread_cond_broadcast(&sim->changed);
	pthread_mutex_unlock(&sim->lock);
	return NULL;
}

/*
 * In the child: stdin and stdout become the pipes, nothing else of the test
 * leaks in. Only async-signal-safe calls here: the test has threads.
 */
static void exec_sim(int stdin_fd, int stdout_fd, const char *const *args, long max_fd)
{
	char *argv[ARGS_MAX + 2];
	size_t n = 0;
	argv[n++] = (char *)"twc_sim";
	for (size_t i = 0; args && args[i] && n <= ARGS_MAX; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(stdout_fd, STDOUT_FILENO) < 0)
		_exit(126);
	/* Broker and client sockets held open here would outlive their owners. */
	for (long fd = 3; fd < max_fd; fd++)
		close((int)fd);
	execv(EB_TWC_SIM, argv);
	_exit(127);
}

static bool wait_for_port(struct eb_sim *sim)
{
	size_t cursor = 0;
	struct eb_sim_event e;
	if (!eb_sim_wait(sim, &cursor, "listening ", START_MS, &e))
		return false;
	sim->port = atoi(e.line + strlen("listening "));
	return sim->port > 0;
}

struct eb_sim *eb_sim_start(const char *const *args)
{
	int in[2], out[2];
	/* Close-on-exec: a broker forked later must not hold the simulator's stdin open. */
	if (pipe2(in, O_CLOEXEC) != 0)
		return NULL;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return NULL;
	}
	signal(SIGPIPE, SIG_IGN); /* a simulator that died must fail a command, not kill the test */

	struct eb_sim *sim = calloc(1, sizeof(*sim));
	pthread_mutex_init(&sim->lock, NULL);
	pthread_cond_init(&sim->changed, NULL);
	pthread_mutex_init(&sim->command_lock, NULL);
	long max_fd = sysconf(_SC_OPEN_MAX);
	if (max_fd <= 0 || max_fd > 65536)
		max_fd = 65536;
	sim->pid = fork();
	if (sim->pid == 0)
		exec_sim(in[0], out[1], args, max_fd);
	close(in[0]);
	close(out[1]);
	sim->to_sim = in[1];
	sim->from_sim = fdopen(out[0], "r");
	if (sim->pid < 0 || !sim->from_sim) {
		fprintf(stderr, "twc_sim: could not start it: %s\n", strerror(errno));
		if (sim->from_sim)
			fclose(sim->from_sim);
		else
			close(out[0]);
		sim->from_sim = NULL;
		close(sim->to_sim);
		if (sim->pid > 0)
			waitpid(sim->pid, NULL, 0);
		free(sim);
		return NULL;
	}
	pthread_create(&sim->reader, NULL, read_events, sim);
	if (!wait_for_port(sim)) {
		fprintf(stderr, "twc_sim: no \"listening <port>\" line from %s\n", EB_TWC_SIM);
		eb_sim_stop(sim);
		return NULL;
	}
	return sim;
}

int eb_sim_port(const struct eb_sim *sim)
{
	return sim->port;
}

int eb_sim_stop(struct eb_sim *sim)
{
	if (!sim)
		return -1;
	static const char quit[] = "quit\n";
	if (write(sim->to_sim, quit, sizeof(quit) - 1) < 0) {
		/* it is gone already: waitpid tells how it ended */
	}
	close(sim->to_sim); /* end of stdin stops it as well */
	int status = 0;
	int64_t deadline = eb_now_us() + (int64_t)eb_timeout_ms(STOP_MS) * 1000;
	bool killed = false;
	while (waitpid(sim->pid, &status, WNOHANG) == 0) {
		if (eb_now_us() > deadline) {
			fprintf(stderr, "twc_sim: did not quit, killed\n");
			kill(sim->pid, SIGKILL);
			waitpid(sim->pid, &status, 0);
			killed = true;
			break;
		}
		eb_sleep_ms(10);
	}
	pthread_join(sim->reader, NULL); /* its stdout is closed now that it has exited */
	fclose(sim->from_sim);
	pthread_mutex_destroy(&sim->lock);
	pthread_cond_destroy(&sim->changed);
	pthread_mutex_destroy(&sim->command_lock);
	free(sim->events);
	free(sim);
	if (killed || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Waits on the event list until an event from *cursor on starts with one of the prefixes. */
static int wait_any(struct eb_sim *sim, size_t *cursor, const char *const *prefixes, size_t n_prefixes,
		    int timeout_ms, struct eb_sim_event *out)
{
	struct timespec until = eb_realtime_after_ms(eb_timeout_ms(timeout_ms));

	pthread_mutex_lock(&sim->lock);
	for (;;) {
		for (; *cursor < sim->count; (*cursor)++) {
			for (size_t p = 0; p < n_prefixes; p++) {
				if (eb_starts_with(sim->events[*cursor].line, prefixes[p])) {
					if (out)
						*out = sim->events[*cursor];
					(*cursor)++;
					pthread_mutex_unlock(&sim->lock);
					return (int)p;
				}
			}
		}
		if (sim->ended || pthread_cond_timedwait(&sim->changed, &sim->lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sim->lock);
	return -1;
}

bool eb_sim_wait(struct eb_sim *sim, size_t *cursor, const char *prefix, int timeout_ms,
		 struct eb_sim_event *out)
{
	return wait_any(sim, cursor, &prefix, 1, timeout_ms, out) == 0;
}

int eb_sim_command(struct eb_sim *sim, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || len >= (int)sizeof(line) - 1)
		return -1;
	line[len++] = '\n';

	pthread_mutex_lock(&sim->command_lock);
	/* The answers come in the order of the commands: the first after this mark is ours. */
	size_t cursor = eb_sim_mark(sim);
	int rc = -1;
	if (write(sim->to_sim, line, (size_t)len) == len) {
		static const char *const answers[] = {"ok", "error"};
		struct eb_sim_event e;
		int which = wait_any(sim, &cursor, answers, 2, COMMAND_MS, &e);
		if (which == 0)
			rc = 0;
		else
			fprintf(stderr, "twc_sim: %.*s -> %s\n", len - 1, line, which < 0 ? "no answer" : e.line);
	} else {
		fprintf(stderr, "twc_sim: could not send %.*s: %s\n", len - 1, line, strerror(errno));
	}
	pthread_mutex_unlock(&sim->command_lock);
	return rc;
}

size_t eb_sim_mark(struct eb_sim *sim)
{
	pthread_mutex_lock(&sim->lock);
	size_t n = sim->count;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

bool eb_sim_get(struct eb_sim *sim, size_t index, struct eb_sim_event *out)
{
	pthread_mutex_lock(&sim->lock);
	bool there = index < sim->count;
	if (there)
		*out = sim->events[index];
	pthread_mutex_unlock(&sim->lock);
	return there;
}

size_t eb_sim_count(struct eb_sim *sim, size_t from, const char *prefix)
{
	size_t n = 0;
	pthread_mutex_lock(&sim->lock);
	for (size_t i = from; i < sim->count; i++)
		n += eb_starts_with(sim->events[i].line, prefix);
	pthread_mutex_unlock(&sim->lock);
	return n;
}

int64_t eb_sim_event_time_us(const struct eb_sim_event *e)
{
	const char *t = strstr(e->line, " t=");
	if (!t)
		return -1;
	char *end;
	long long us = strtoll(t + 3, &end, 10);
	return end == t + 3 ? -1 : (int64_t)us;
}
