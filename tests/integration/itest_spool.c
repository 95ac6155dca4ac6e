/*
 * The spool (journal.h) with the real broker: a request acknowledged in the
 * broker's last loop pass before a SIGTERM keeps its translations across
 * the restart.
 *
 * The window is made certain, not waited for: a second test plugin
 * (tests/support/stop_plugin.c), loaded after energy-bridge, sends the broker
 * SIGTERM from its MESSAGE callback when the client "stopper" publishes, so
 * the broker translates the request, acknowledges it and stops at the end of
 * that very pass. Without the spool (the positive control) the translations
 * are lost every time; with it they reach a persistent subscriber after the
 * restart. Also: a corrupt spool file is refused with its reason and set
 * aside, and the broker starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "spec_examples.h"

static const char spec_request[] = MPPT_SPEC_REQUEST;

static void write_conf(const struct eb_broker *b, const char *spool_line)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\n", b->port);
	if (geteuid() == 0)
		fprintf(f, "user root\n");
	fprintf(f, "log_dest file %s/mosquitto.log\nlog_type all\n", b->dir);
	fprintf(f, "persistence true\npersistence_location %s/\nautosave_interval 3600\n", b->dir);
	fprintf(f, "plugin %s\nplugin_opt_mppt on\n%s\n", EB_PLUGIN_PATH, spool_line);
	fprintf(f, "plugin %s\n", EB_STOP_PLUGIN_PATH);
	fclose(f);
}

/* Waits for the broker to exit by itself (the stop plugin's SIGTERM); its exit status. */
static int wait_exit(struct eb_broker *b)
{
	int status = -1;
	int64_t deadline = eb_now_ms() + eb_timeout_ms(10000);
	while (waitpid(b->pid, &status, WNOHANG) == 0) {
		if (eb_now_ms() > deadline)
			return eb_broker_stop(b) == 0 ? -2 : -1;
		eb_sleep_ms(10);
	}
	b->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool log_has(const struct eb_broker *b, const char *text)
{
	char *log = eb_broker_log(b);
	bool found = log && strstr(log, text);
	free(log);
	return found;
}

/*
 * A persistent subscriber, then a request from "stopper" that stops the
 * broker in the pass that translates it; the broker restarts on the same
 * files. Returns how many translations the subscriber gets after the restart.
 */
static int translations_after_stop(const char *spool_line, struct eb_broker *b)
{
	assert_int_equal(eb_broker_prepare(b), 0);
	write_conf(b, spool_line);
	assert_int_equal(eb_broker_start_prepared(b), 0);

	struct eb_client_options keeper_opts = {.id = "keeper", .keep_session = true};
	int reason = 0;
	struct eb_client *keeper = eb_client_connect(b->port, &keeper_opts, &reason);
	assert_non_null(keeper);
	assert_int_equal(eb_client_subscribe(keeper, "monitoring.mppt/#", 1), 1);
	eb_client_disconnect(keeper); /* its session (a QoS 1 queue) stays, and is saved at the stop */

	struct eb_client *stopper = eb_client_simple(b->port, "stopper", NULL, MQTT_PROTOCOL_V311);
	assert_non_null(stopper);
	/* The PUBACK comes from the pass that stops the broker (or the connection closes first). */
	eb_client_publish_str(stopper, "dataset/mppt", spec_request, 1);
	assert_int_equal(wait_exit(b), 0);
	eb_client_disconnect(stopper);
	assert_true(log_has(b, "Received PUBLISH from stopper"));

	assert_int_equal(eb_broker_start_prepared(b), 0);
	keeper = eb_client_connect(b->port, &keeper_opts, &reason);
	assert_non_null(keeper);
	int n = 0;
	struct eb_message *m;
	while ((m = eb_client_next(keeper, n ? 500 : 2000)) != NULL) {
		if (strncmp(m->topic, "monitoring.mppt/", 16) == 0)
			n++;
		eb_message_free(m);
	}
	eb_client_disconnect(keeper);
	return n;
}

/* Positive control: without the spool the translations of the last pass are lost, every time. */
static void test_without_the_spool_the_last_pass_is_lost(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(translations_after_stop("plugin_opt_spool_file off", &b), 0);
	assert_int_equal(eb_broker_stop(&b), 0);
}

/* With the spool (by default beside the persistence file) they arrive after the restart. */
static void test_the_spool_keeps_the_last_pass(void **state)
{
	(void)state;
	struct eb_broker b;
	int n = translations_after_stop("", &b);
	assert_true(n >= 1);
	assert_true(log_has(&b, "messages that the broker had not queued at its stop written to"));
	assert_true(log_has(&b, "published again the"));
	char path[160];
	snprintf(path, sizeof(path), "%s/energy-bridge.spool", b.dir);
	assert_int_not_equal(access(path, F_OK), 0); /* read and removed */
	assert_int_equal(eb_broker_stop(&b), 0);
	/* A stop with nothing unqueued leaves no file. */
	assert_int_not_equal(access(path, F_OK), 0);
	printf("# %d translations kept across the stop\n", n);
}

/* A corrupt spool file: refused with its reason, set aside, and the broker serves. */
static void test_a_corrupt_spool_is_refused_and_set_aside(void **state)
{
	(void)state;
	struct eb_broker b;
	assert_int_equal(eb_broker_prepare(&b), 0);
	char path[160];
	snprintf(path, sizeof(path), "%s/my.spool", b.dir);
	char line[200];
	snprintf(line, sizeof(line), "plugin_opt_spool_file %s", path);
	write_conf(&b, line);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite("EBSPOOL1\x01\x00\x00\x00\xff\x00\x00\x00", 1, 16, f); /* a header cut short */
	fclose(f);
	assert_int_equal(eb_broker_start_prepared(&b), 0);
	assert_true(log_has(&b, "is refused: 16 bytes: shorter than the 20-byte header"));
	char aside[200];
	snprintf(aside, sizeof(aside), "%s.refused", path);
	assert_int_equal(access(aside, F_OK), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	/* Positive control: the broker translates as usual. */
	struct eb_client *sub = eb_client_simple(b.port, "watch", NULL, MQTT_PROTOCOL_V311);
	assert_int_equal(eb_client_subscribe(sub, "monitoring.mppt/#", 1), 1);
	struct eb_client *logger = eb_client_simple(b.port, "logger", NULL, MQTT_PROTOCOL_V311);
	assert_int_equal(eb_client_publish_str(logger, "dataset/mppt", spec_request, 1), 0);
	struct eb_message *m = eb_client_next(sub, 2000);
	assert_non_null(m);
	eb_message_free(m);
	eb_client_disconnect(logger);
	eb_client_disconnect(sub);
	assert_int_equal(eb_broker_stop(&b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_the_spool_the_last_pass_is_lost),
		cmocka_unit_test(test_the_spool_keeps_the_last_pass),
		cmocka_unit_test(test_a_corrupt_spool_is_refused_and_set_aside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
