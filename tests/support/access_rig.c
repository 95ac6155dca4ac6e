#include "access_rig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The users of the tests, one or more per role, and what scripts/users is told for each. */
static const char *const users[] = {
	"add admin alice",
	"add dashboard panel",
	"add logger S001",
	"add homeassistant hass",
	"add device battery1 hame_energy/HMG-50/" MINE,
	"add device battery2 hame_energy/HMG-50/" THEIRS,
	"add device battery3 hame_energy/HMG-50/" WILLED,
	"add app phone hame_energy/HMG-50/" MINE " twc",
	"add app neighbour hame_energy/HMG-50/" THEIRS,
	"add app tablet hame_energy/HMG-50/" WILLED,
};

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command; its exit status, or -1. */
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	int status = system(cmd);
	if (status != 0)
		fprintf(stderr, "access rig: '%s' failed (status %d)\n", cmd, status);
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The lines of conf/mosquitto.conf that the rig replaces with this machine's
 * paths and ports; each must be there. (What the others say, such as
 * allow_anonymous or plugin_opt_acl_guard, the tests find out by trying.)
 */
enum {
	SEEN_PLAIN = 1 << 0,
	SEEN_TLS = 1 << 1,
	SEEN_PASSWORD_FILE = 1 << 2,
	SEEN_ACL_FILE = 1 << 3,
	SEEN_CERTFILE = 1 << 4,
	SEEN_KEYFILE = 1 << 5,
	SEEN_PLUGIN = 1 << 6,
	SEEN_ALL = (1 << 7) - 1,
};

static const char *const seen_names[] = {
	"listener 1883 127.0.0.1", "listener 8883", "password_file", "acl_file", "certfile", "keyfile", "plugin",
};

static bool starts(const char *line, const char *word)
{
	size_t n = strlen(word);
	return strncmp(line, word, n) == 0 && (line[n] == '\0' || line[n] == ' ' || line[n] == '\n');
}

/*
 * Writes b->dir/mosquitto.conf from conf/mosquitto.conf: the same lines with
 * this machine's paths and ports (files: where passwd, acl and certs/ are),
 * every listener on loopback, a log file with every message type, and without
 * the plugin's lines unless plugin is set. extra lines go at the end.
 */
static int derive_config(const struct eb_broker *b, int tls_port, const char *files, bool plugin, const char *extra)
{
	FILE *in = fopen(EB_SOURCE_DIR "/conf/mosquitto.conf", "r");
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	FILE *out = fopen(path, "w");
	if (!in || !out) {
		fprintf(stderr, "access rig: cannot read conf/mosquitto.conf or write %s\n", path);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	unsigned seen = 0;
	char *line = NULL;
	size_t size = 0;
	while (getline(&line, &size, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "listener 1883 127.0.0.1") == 0) {
			fprintf(out, "listener %d 127.0.0.1\n", b->port);
			seen |= SEEN_PLAIN;
		} else if (strcmp(line, "listener 8883") == 0) {
			fprintf(out, "listener %d 127.0.0.1\n", tls_port);
			seen |= SEEN_TLS;
		} else if (starts(line, "password_file")) {
			fprintf(out, "password_file %s/passwd\n", files);
			seen |= SEEN_PASSWORD_FILE;
		} else if (starts(line, "acl_file")) {
			fprintf(out, "acl_file %s/acl\n", files);
			seen |= SEEN_ACL_FILE;
		} else if (starts(line, "certfile")) {
			fprintf(out, "certfile %s/certs/server.crt\n", files);
			seen |= SEEN_CERTFILE;
		} else if (starts(line, "keyfile")) {
			fprintf(out, "keyfile %s/certs/server.key\n", files);
			seen |= SEEN_KEYFILE;
		} else if (starts(line, "persistence_location")) {
			fprintf(out, "persistence_location %s/\n", b->dir);
		} else if (starts(line, "log_dest")) {
			fprintf(out, "log_dest file %s/mosquitto.log\n", b->dir);
		} else if (starts(line, "plugin")) {
			if (plugin)
				fprintf(out, "plugin %s\n", EB_PLUGIN_PATH);
			seen |= SEEN_PLUGIN;
		} else if (strncmp(line, "plugin_opt_", 11) == 0) {
			if (plugin)
				fprintf(out, "%s\n", line);
		} else {
			fprintf(out, "%s\n", line);
		}
	}
	free(line);
	fclose(in);
	/* Debug messages say who was denied what; as root, stay root (the files are the test's). */
	fprintf(out, "log_type all\nlog_timestamp_format %%H:%%M:%%S\n%s%s\n", geteuid() == 0 ? "user root\n" : "",
		extra ? extra : "");
	fclose(out);
	for (size_t i = 0; i < sizeof(seen_names) / sizeof(seen_names[0]); i++)
		if (!(seen & (1u << i)))
			fprintf(stderr, "access rig: conf/mosquitto.conf has no line '%s'\n", seen_names[i]);
	return seen == SEEN_ALL ? 0 : -1;
}

int access_rig_users(const struct access_rig *r, const char *args)
{
	/* The password goes by the environment, as the README shows for scripts. */
	char name[64] = "";
	if (sscanf(args, "add %*s %63s", name) != 1)
		sscanf(args, "%*s %63s", name);
	return run("EB_PASSWORD='pw-%s' '%s/scripts/users' -c '%s/mosquitto.conf' %s >/dev/null", name,
		   EB_SOURCE_DIR, r->prod.dir, args);
}

int access_rig_start(struct access_rig *r)
{
	memset(r, 0, sizeof(*r));
	if (eb_broker_prepare(&r->prod) != 0 || eb_broker_prepare(&r->bare) != 0)
		return -1;
	r->prod_tls_port = eb_free_port();
	r->bare_tls_port = eb_free_port();
	int twc_port = eb_free_port(); /* nothing listens there: the link keeps retrying */
	const char *files = r->prod.dir;
	snprintf(r->cafile, sizeof(r->cafile), "%s/certs/ca.crt", files);
	snprintf(r->other_cafile, sizeof(r->other_cafile), "%s/other/ca.crt", files);
	char twc[128];
	snprintf(twc, sizeof(twc), "plugin_opt_twc_port tcp://127.0.0.1:%d", twc_port);

	if (run("'%s/scripts/tls-cert' '%s/certs' localhost 127.0.0.1 >/dev/null", EB_SOURCE_DIR, files) != 0 ||
	    run("'%s/scripts/tls-cert' '%s/other' localhost >/dev/null", EB_SOURCE_DIR, files) != 0 ||
	    derive_config(&r->prod, r->prod_tls_port, files, true, twc) != 0 ||
	    derive_config(&r->bare, r->bare_tls_port, files, false, NULL) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (access_rig_users(r, users[i]) != 0)
			return -1;
	/* The bare broker reads the admins' list nowhere: it has no plugin. */
	if (eb_broker_start_prepared(&r->prod) != 0)
		return -1;
	if (eb_broker_start_prepared(&r->bare) != 0) {
		eb_broker_stop(&r->prod);
		return -1;
	}
	return 0;
}

int access_rig_stop(struct access_rig *r)
{
	int prod = eb_broker_stop(&r->prod);
	int bare = eb_broker_stop(&r->bare);
	return prod == 0 && bare == 0 ? 0 : -1;
}

struct eb_client *access_connect(int port, const char *user, const char *id, const char *cafile, int *reason)
{
	char password[80];
	snprintf(password, sizeof(password), "pw-%s", user ? user : "");
	struct eb_client_options o = {
		.id = id,
		.username = user,
		.password = user ? password : NULL,
		.protocol = MQTT_PROTOCOL_V5,
		.cafile = cafile,
	};
	return eb_client_connect(port, &o, reason);
}
