/* Unit tests of what the plugin reads of its broker: the version line and per_listener_settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_conf.h"

static void version_is(const char *text, int major, int minor, int revision)
{
	struct eb_version v = {-1, -1, -1};
	if (!eb_mosquitto_version_parse(text, &v))
		fail_msg("'%s' was not read as a version", text);
	if (v.major != major || v.minor != minor || v.revision != revision)
		fail_msg("'%s' read as %d.%d.%d, expected %d.%d.%d", text, v.major, v.minor, v.revision, major, minor,
			 revision);
}

static void test_the_version_lines_of_2_0_and_2_1(void **state)
{
	(void)state;
	version_is("mosquitto version 2.0.11\n\nmosquitto is an MQTT v5.0/v3.1.1/v3.1 broker.\n", 2, 0, 11);
	version_is("mosquitto version 2.0.21\n", 2, 0, 21);
	version_is("mosquitto version 2.1.2", 2, 1, 2);
	version_is("mosquitto 2.1.2\nCopyright (c) 2025 Roger Light.\n", 2, 1, 2); /* --version */
	version_is("mosquitto version 2.1.0-rc1\n", 2, 1, 0);
}

static void test_what_is_not_a_version_line(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"mosquitto",
		"mosquitto version",
		"mosquitto version 2.0",
		"mosquitto version 2.0.",
		"mosquitto version x.y.z",
		"Error: Unknown option '-h'.",
		" mosquitto version 2.0.11",
		"mosquitto version 2.0.11x",
		"mosquitto version 99999.0.0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct eb_version v;
		if (eb_mosquitto_version_parse(bad[i], &v))
			fail_msg("'%s' was read as version %d.%d.%d", bad[i], v.major, v.minor, v.revision);
	}
}

static void test_versions_compare_by_each_part(void **state)
{
	(void)state;
	const struct eb_version fixed = {2, 0, 15};
	assert_true(eb_version_compare((struct eb_version){2, 0, 14}, fixed) < 0);
	assert_true(eb_version_compare((struct eb_version){2, 0, 9}, fixed) < 0);
	assert_true(eb_version_compare((struct eb_version){2, 0, 15}, fixed) == 0);
	assert_true(eb_version_compare((struct eb_version){2, 0, 21}, fixed) > 0);
	assert_true(eb_version_compare((struct eb_version){2, 1, 0}, fixed) > 0);
	assert_true(eb_version_compare((struct eb_version){1, 6, 99}, fixed) < 0);
}

static char dir[] = "/tmp/eb-broker-conf-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static enum eb_conf_setting read_conf(const char *name)
{
	char path[256], err[256] = "";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return eb_conf_per_listener_settings(path, err, sizeof(err));
}

static void test_per_listener_settings_as_the_broker_reads_it(void **state)
{
	(void)state;
	write_file("unset.conf", "listener 1883\nallow_anonymous true\n");
	assert_int_equal(read_conf("unset.conf"), EB_CONF_FALSE);
	write_file("on.conf", "# per_listener_settings true\nper_listener_settings true\nlistener 1883\n");
	assert_int_equal(read_conf("on.conf"), EB_CONF_TRUE);
	write_file("tabs.conf", "\tper_listener_settings\ttrue \r\n");
	assert_int_equal(read_conf("tabs.conf"), EB_CONF_TRUE);
	write_file("last.conf", "per_listener_settings true\nper_listener_settings false\n");
	assert_int_equal(read_conf("last.conf"), EB_CONF_FALSE);
	write_file("commented.conf", "#per_listener_settings true\n  # per_listener_settings true\n");
	assert_int_equal(read_conf("commented.conf"), EB_CONF_FALSE);
	write_file("longer.conf", "per_listener_settings_x true\n");
	assert_int_equal(read_conf("longer.conf"), EB_CONF_FALSE);
}

static void test_include_dir_in_the_order_of_names(void **state)
{
	(void)state;
	char sub[256], text[512];
	snprintf(sub, sizeof(sub), "%s/conf.d", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("conf.d/20-off.conf", "per_listener_settings false\n");
	write_file("conf.d/10-on.conf", "per_listener_settings true\n");
	write_file("conf.d/30-on.txt", "per_listener_settings true\n"); /* not a .conf file: not read */
	snprintf(text, sizeof(text), "per_listener_settings true\ninclude_dir %s\n", sub);
	write_file("main.conf", text);
	assert_int_equal(read_conf("main.conf"), EB_CONF_FALSE); /* 20-off.conf comes last */
	write_file("conf.d/30-on.conf", "per_listener_settings true\n");
	assert_int_equal(read_conf("main.conf"), EB_CONF_TRUE);
	for (const char *const *n = (const char *const[]){"10-on.conf", "20-off.conf", "30-on.conf", "30-on.txt", NULL};
	     *n; n++) {
		char path[300];
		snprintf(path, sizeof(path), "%s/%s", sub, *n);
		unlink(path);
	}
	rmdir(sub);
}

/* persistence and persistence_location, for the spool's default place: the last of each counts. */
static void test_persistence_and_its_location(void **state)
{
	(void)state;
	char path[256], err[256] = "", *location = (char *)"unset";
	snprintf(path, sizeof(path), "%s/persist.conf", dir);
	write_file("persist.conf", "persistence_location /var/lib/a/\npersistence true\npersistence_location /var/lib/b/\n");
	assert_int_equal(eb_conf_persistence(path, &location, err, sizeof(err)), EB_CONF_TRUE);
	assert_string_equal(location, "/var/lib/b/");
	free(location);
	write_file("persist.conf", "persistence true\n");
	assert_int_equal(eb_conf_persistence(path, &location, err, sizeof(err)), EB_CONF_TRUE);
	assert_null(location); /* the broker's working directory */
	write_file("persist.conf", "persistence true\npersistence_location /x/\npersistence false\n");
	assert_int_equal(eb_conf_persistence(path, &location, err, sizeof(err)), EB_CONF_FALSE);
	assert_null(location);
	write_file("persist.conf", "listener 1883\n");
	assert_int_equal(eb_conf_persistence(path, &location, err, sizeof(err)), EB_CONF_FALSE);
	/* The same file still answers for per_listener_settings. */
	write_file("persist.conf", "persistence true\nper_listener_settings true\n");
	assert_int_equal(read_conf("persist.conf"), EB_CONF_TRUE);
}

static void test_an_unreadable_file_is_said_so(void **state)
{
	(void)state;
	char err[256] = "";
	assert_int_equal(eb_conf_per_listener_settings("/nonexistent/mosquitto.conf", err, sizeof(err)),
			 EB_CONF_UNREADABLE);
	assert_non_null(strstr(err, "/nonexistent/mosquitto.conf"));
	char text[300];
	snprintf(text, sizeof(text), "include_dir %s/missing\n", dir);
	write_file("missing-dir.conf", text);
	assert_int_equal(read_conf("missing-dir.conf"), EB_CONF_UNREADABLE);
}

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_version_lines_of_2_0_and_2_1),
		cmocka_unit_test(test_what_is_not_a_version_line),
		cmocka_unit_test(test_versions_compare_by_each_part),
		cmocka_unit_test(test_per_listener_settings_as_the_broker_reads_it),
		cmocka_unit_test(test_include_dir_in_the_order_of_names),
		cmocka_unit_test(test_persistence_and_its_location),
		cmocka_unit_test(test_an_unreadable_file_is_said_so),
	};
	return cmocka_run_group_tests_name("unit_broker_conf", tests, make_dir, remove_dir);
}
