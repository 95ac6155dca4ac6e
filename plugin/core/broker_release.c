#include "broker_release.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "eb_text.h"

extern char **environ;

/* Exported by 2.1 brokers only; broker.h declares it (for 2.0's headers too) and makes it weak. */
bool eb_broker_is_2_1(void)
{
	return mosquitto_plugin_set_info != NULL;
}

/* Reads what fd gives, up to len - 1 bytes or its end, waiting at most timeout_ms in all. */
static size_t read_all(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t got = 0;
	while (got + 1 < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

bool eb_broker_version(struct eb_version *v, char *err, size_t errsz)
{
	/*
	 * The path, not /proc/self/exe itself: under valgrind the link names the
	 * broker (valgrind answers readlink) while the file is valgrind's.
	 */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		eb_error(err, errsz, "cannot read /proc/self/exe (%s)", strerror(errno));
		return false;
	}
	exe[n] = '\0';
	int out[2];
	if (pipe2(out, O_CLOEXEC) != 0) {
		eb_error(err, errsz, "pipe: %s", strerror(errno));
		return false;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"mosquitto", "-h", NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		eb_error(err, errsz, "cannot run %s -h (%s)", exe, strerror(rc));
		return false;
	}
	char text[512];
	read_all(out[0], text, sizeof(text), 5000);
	close(out[0]);
	kill(pid, SIGKILL); /* it has printed its usage and exits by itself; a stuck one does not stay */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!eb_mosquitto_version_parse(text, v)) {
		eb_error(err, errsz, "%s -h printed no version line", exe);
		return false;
	}
	return true;
}

/* The argument of -c or --config-file in the broker's command line, into path; false when there is none. */
static bool config_path(char *path, size_t len)
{
	FILE *f = fopen("/proc/self/cmdline", "r");
	if (!f)
		return false;
	char args[8192];
	size_t n = fread(args, 1, sizeof(args) - 1, f);
	fclose(f);
	args[n] = '\0';
	bool found = false;
	for (size_t i = 0; i < n; i += strlen(args + i) + 1) {
		const char *a = args + i;
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config-file") == 0) && i + strlen(a) + 1 < n) {
			snprintf(path, len, "%s", a + strlen(a) + 1);
			found = true; /* the last one counts, as for the broker */
		}
	}
	return found;
}

enum eb_conf_setting eb_broker_per_listener_settings(char *err, size_t errsz)
{
	char path[4096];
	if (!config_path(path, sizeof(path)))
		return EB_CONF_FALSE;
	return eb_conf_per_listener_settings(path, err, errsz);
}

enum eb_conf_setting eb_broker_persistence(char **location, char *err, size_t errsz)
{
	char path[4096];
	*location = NULL;
	if (!config_path(path, sizeof(path)))
		return EB_CONF_FALSE;
	return eb_conf_persistence(path, location, err, errsz);
}

int eb_broker_check_timers_run(char *err, size_t errsz)
{
	if (eb_broker_is_2_1())
		return 0;
	char why[512];
	enum eb_conf_setting per_listener = eb_broker_per_listener_settings(why, sizeof(why));
	if (per_listener == EB_CONF_FALSE)
		return 0;
	if (per_listener == EB_CONF_UNREADABLE) {
		/* The broker has just read it: this is a permission the broker dropped since, not a setting. */
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     "energy-bridge: could not check per_listener_settings in the broker's "
				     "configuration (%s); if it is true on Mosquitto 2.0.0 to 2.0.14, the plugin's "
				     "timers never run",
				     why);
		return 0;
	}
	struct eb_version v;
	const struct eb_version fixed = {2, 0, 15};
	if (!eb_broker_version(&v, why, sizeof(why)))
		return eb_error(err, errsz, "per_listener_settings true stops Mosquitto 2.0.0 to 2.0.14 from running "
					    "the plugin's timers, and this broker's version is unknown (%s)",
				why);
	if (eb_version_compare(v, fixed) >= 0)
		return 0;
	return eb_error(err, errsz, "per_listener_settings true stops Mosquitto %d.%d.%d (as every 2.0 before 2.0.15) "
				    "from running the plugin's timers",
			v.major, v.minor, v.revision);
}
