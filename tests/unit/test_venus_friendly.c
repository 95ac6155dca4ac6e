/* Unit tests of the friendly Venus commands (docs/venus.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "venus_command.h"
#include "venus_friendly.h"

static void check_command(const char *name, const char *value, const char *command)
{
	struct venus_friendly f;
	bool ok = venus_friendly_command(name, value, strlen(value), NULL, &f);
	if (!ok)
		print_error("set/%s %s refused: %s\n", name, value, f.error);
	assert_true(ok);
	assert_string_equal(f.command, command);
	assert_string_equal(f.error, "");
}

static void check_refused(const char *name, const char *value, const char *error)
{
	struct venus_friendly f;
	assert_false(venus_friendly_command(name, value, strlen(value), NULL, &f));
	assert_string_equal(f.error, error);
	assert_string_equal(f.command, "");
}

/* The friendly command, then the parser, as the glue does it. */
static const char *parser_verdict(const char *name, const char *value, struct venus_command *c)
{
	struct venus_friendly f;
	assert_true(venus_friendly_command(name, value, strlen(value), NULL, &f));
	if (venus_command_parse(f.command, strlen(f.command), c))
		return "";
	return c->error;
}

static void test_working_mode(void **state)
{
	(void)state;
	check_command("working_mode", "automatic", "cd=2,md=0");
	check_command("working_mode", "manual", "cd=2,md=1");
	check_command("working_mode", "trading", "cd=2,md=2");
	check_command("working_mode", "Manual\n", "cd=2,md=1");
	check_refused("working_mode", "auto", "working_mode must be one of automatic, manual, trading");
	check_refused("working_mode", "1", "working_mode must be one of automatic, manual, trading");
	check_refused("working_mode", "", "working_mode must be one of automatic, manual, trading");
}

static void test_powers(void **state)
{
	(void)state;
	check_command("max_charging_power", "800", "cd=16,cp=800");
	check_command("max_charging_power", " 2500 ", "cd=16,cp=2500");
	check_command("max_charging_power", "800.0", "cd=16,cp=800");
	check_command("max_charging_power", "800.", "cd=16,cp=800");
	check_command("max_discharge_power", "800", "cd=15,vs=800");
	check_command("max_discharge_power", "-5", "cd=15,vs=-5");
	check_refused("max_charging_power", "800.5", "max_charging_power must be a whole number of watts");
	check_refused("max_charging_power", "800W", "max_charging_power must be a whole number of watts");
	check_refused("max_charging_power", "", "max_charging_power must be a whole number of watts");
	check_refused("max_charging_power", "800,md=1",
		      "max_charging_power must be a whole number of watts");
	check_refused("max_discharge_power", "1e3",
		      "max_discharge_power must be a whole number of watts");
	check_refused("max_discharge_power", "-", "max_discharge_power must be a whole number of watts");
}

static void test_out_of_range_is_left_to_the_parser(void **state)
{
	(void)state;
	struct venus_command c;
	assert_string_equal(parser_verdict("max_charging_power", "5000", &c),
			    "cp must be within 300..2500");
	assert_string_equal(parser_verdict("max_discharge_power", "2600", &c),
			    "vs must be within 0..2500");
	assert_string_equal(parser_verdict("max_charging_power", "123456789012345678901", &c),
			    "cp has too many digits");
	assert_string_equal(parser_verdict(
				    "time_period/2",
				    "{\"start\":\"25:00\",\"end\":\"17:00\",\"power_w\":800}", &c),
			    "bt must be within 0:00..23:59");
	assert_string_equal(parser_verdict(
				    "time_period/2",
				    "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":3000}", &c),
			    "vv must be within -2500..2500");
	assert_string_equal(parser_verdict("max_charging_power", "1200", &c), "");
	assert_int_equal(c.cls, VENUS_SETTING);
}

static void test_backup(void **state)
{
	(void)state;
	check_command("backup", "on", "cd=11,bc=1");
	check_command("backup", "off", "cd=11,bc=0");
	check_command("backup", "ON", "cd=11,bc=1");
	check_command("backup", "OFF\r\n", "cd=11,bc=0");
	check_command("backup", "true", "cd=11,bc=1");
	check_command("backup", "0", "cd=11,bc=0");
	check_refused("backup", "enable", "backup must be on or off");
	check_refused("backup", "o", "backup must be on or off");
}

static void test_time_period(void **state)
{
	(void)state;
	check_command("time_period/3",
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"weekdays\":127,\"power_w\":800,"
		      "\"enabled\":true}",
		      "cd=3,md=1,nm=3,bt=14:00,et=17:00,wk=127,vv=800,as=1");
	check_command("time_period/0",
		      "{\"enabled\":false,\"power_w\":-2500,\"weekdays\":31,\"end\":\"9:30\","
		      "\"start\":\"8:00\"}",
		      "cd=3,md=1,nm=0,bt=8:00,et=9:30,wk=31,vv=-2500,as=0");
	/* weekdays and enabled have defaults. */
	check_command("time_period/9", " {\"start\":\"0:00\",\"end\":\"23:59\",\"power_w\":100.0} ",
		      "cd=3,md=1,nm=9,bt=0:00,et=23:59,wk=127,vv=100,as=1");

	/* The result is what the parser accepts, zero-padded. */
	struct venus_command c;
	assert_string_equal(parser_verdict("time_period/0",
					   "{\"start\":\"8:00\",\"end\":\"9:30\",\"power_w\":1}", &c),
			    "");
	assert_string_equal(c.payload, "cd=3,md=1,nm=0,bt=08:00,et=09:30,wk=127,vv=1,as=1");
}

static void test_time_period_refusals(void **state)
{
	(void)state;
	const char *ok = "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":800}";
	check_refused("time_period/10", ok, "time_period number must be within 0..9");
	check_refused("time_period/", ok, "time_period number must be within 0..9");
	check_refused("time_period/a", ok, "time_period number must be within 0..9");
	check_refused("time_period/3", "[1]",
		      "time_period value must be a JSON object like "
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":800}");
	check_refused("time_period/3", "{\"start\":\"14:00\"",
		      "time_period value must be a JSON object like "
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":800}");
	check_refused("time_period/3", "{} x",
		      "time_period value must be a JSON object like "
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":800}");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"17:00\"}",
		      "missing member power_w in time_period");
	check_refused("time_period/3", "{\"end\":\"17:00\",\"power_w\":1}",
		      "missing member start in time_period");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"17:00\",\"power\":800}",
		      "unknown member power in time_period");
	check_refused("time_period/3",
		      "{\"start\":\"14:00\",\"start\":\"15:00\",\"end\":\"17:00\",\"power_w\":8}",
		      "repeated member start in time_period");
	check_refused("time_period/3", "{\"start\":\"14:00,md=2\",\"end\":\"17:00\",\"power_w\":8}",
		      "start must be a time like 14:00");
	check_refused("time_period/3", "{\"start\":1400,\"end\":\"17:00\",\"power_w\":8}",
		      "start must be a time like 14:00");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"\",\"power_w\":8}",
		      "end must be a time like 14:00");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":8.5}",
		      "power_w must be a whole number");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":\"8\"}",
		      "power_w must be a number");
	check_refused("time_period/3", "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":1e300}",
		      "power_w is out of range");
	check_refused("time_period/3",
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":8,\"weekdays\":\"all\"}",
		      "weekdays must be a number");
	check_refused("time_period/3",
		      "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":8,\"enabled\":\"yes\"}",
		      "enabled must be true or false");

	char big[VENUS_FRIENDLY_VALUE_MAX + 2];
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check_refused("time_period/3", big, "time_period value longer than 1024 bytes");

	struct venus_friendly f;
	assert_false(venus_friendly_command("time_period/3", "{}\0{}", 5, NULL, &f));
	assert_string_equal(f.error, "time_period value contains a NUL byte");
}

static void test_sync_time_uses_tm_year_and_tm_mon(void **state)
{
	(void)state;
	/* 2023-02-02 23:56: the vendor's own example. */
	struct tm tm = {0};
	tm.tm_year = 123;
	tm.tm_mon = 1;
	tm.tm_mday = 2;
	tm.tm_hour = 23;
	tm.tm_min = 56;
	struct venus_friendly f;
	assert_true(venus_friendly_command("sync_time", "", 0, &tm, &f));
	assert_string_equal(f.command, "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56");
	/* The value is ignored. */
	assert_true(venus_friendly_command("sync_time", "now", 3, &tm, &f));
	assert_string_equal(f.command, "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56");
	struct venus_command c;
	assert_true(venus_command_parse(f.command, strlen(f.command), &c));

	assert_false(venus_friendly_command("sync_time", "", 0, NULL, &f));
	assert_string_equal(f.error, "sync_time needs the broker's local time");
}

static void test_refresh_and_unknown_names(void **state)
{
	(void)state;
	check_command("refresh", "", "cd=1");
	check_command("refresh", "anything", "cd=1");
	check_refused("reset", "1", "unknown setting reset");
	check_refused("Working_mode", "manual", "unknown setting Working_mode");
	check_refused("", "", "unknown setting ");
	check_refused("a_very_long_setting_name_that_goes_on_and_on", "",
		      "unknown setting a_very_long_setting_name_that_go...");
	check_refused("caf\xc3\xa9", "", "unknown setting");

	struct venus_friendly f;
	assert_false(venus_friendly_command(NULL, "", 0, NULL, &f));
	assert_string_equal(f.error, "no setting name");
	assert_false(venus_friendly_command("backup", NULL, 3, NULL, &f));
	assert_string_equal(f.error, "backup must be on or off");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_mode),
		cmocka_unit_test(test_powers),
		cmocka_unit_test(test_out_of_range_is_left_to_the_parser),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_time_period),
		cmocka_unit_test(test_time_period_refusals),
		cmocka_unit_test(test_sync_time_uses_tm_year_and_tm_mon),
		cmocka_unit_test(test_refresh_and_unknown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
