/* Unit tests of the pure inverter translator (docs/sundaya.md, "inverter" and "Bad input"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inverter.h"
#include "spec_examples.h"
#include "telemetry_check.h"

static const struct telemetry_limits limits = {.max_payload = 1 << 20, .max_items = 10000};
static const struct timespec now = {.tv_sec = 1568088788, .tv_nsec = 878000000};
static struct telemetry_batch batch;

static int setup(void **state)
{
	(void)state;
	telemetry_batch_init(&batch);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	telemetry_batch_free(&batch);
	return 0;
}

static bool run(const char *request)
{
	return inverter_translate(&batch, request, strlen(request), "S001", now, &limits);
}

static const char *message(size_t i)
{
	return eb_batch_message(&batch, i);
}

static void refused(const char *request, const char *error, const char *path)
{
	eb_expect_refusal(&batch, run(request), request, error, path);
}

/* One generation A sample with the given grid (and extra sample keys). */
static const char *sample(const char *grid, const char *extra)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf),
		 "{\"datasets\":[{\"inverter\":{\"id\":\"INV\"},\"data\":[{\"time_local\":\"20200101T000000Z\","
		 "\"pv\":{\"volts\":[1],\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],"
		 "\"amps\":[1]},\"grid\":%s%s}]}]}",
		 grid, extra);
	return buf;
}

static void test_spec_worked_example_inv_ex2(void **state)
{
	(void)state;
	assert_true(run(INVERTER_SPEC_REQUEST));
	assert_int_equal(batch.count, 1);
	assert_string_equal(batch.messages[0].id, "KEHUA-3P-07");
	assert_int_equal(batch.messages[0].pv_count, 4);
	assert_int_equal(batch.messages[0].load_count, 2);
	assert_int_equal(batch.messages[0].phase_count, 3);
	char expected[4096];
	snprintf(expected, sizeof(expected), "%s2019-09-10 04:13:08.8780\"}", INVERTER_SPEC_MESSAGE_HEAD);
	assert_string_equal(message(0), expected);
}

static void test_single_phase_inv_ex1_takes_no_sqrt3(void **state)
{
	(void)state;
	/* 231 V x 0.25 A x pf 0.875 = 50.53125 exactly: R4 gives 50.5313. */
	assert_true(run(sample("{\"volts\":[231],\"amps\":[0.25],\"pf\":[0.875]}", "")));
	assert_non_null(strstr(message(0), "\"grid\":[{\"volts\":231,\"amps\":0.25,\"pf\":0.875,\"watts\":50.5313}]"));
	/* Two phases: no sqrt 3 either. */
	assert_true(run(sample("{\"volts\":[230,230],\"amps\":[1,-2],\"pf\":[1,0.5]}", "")));
	assert_non_null(strstr(message(0), "{\"volts\":230,\"amps\":1,\"pf\":1,\"watts\":230},"
					   "{\"volts\":230,\"amps\":-2,\"pf\":0.5,\"watts\":-230}"));
}

static void test_generation_b_status_and_sample_override(void **state)
{
	(void)state;
	const char *req = "{\"datasets\":[{\"inverter_id\":\"B1\",\"status\":{\"code\":\"0001\"},\"data\":["
			  "{\"time_local\":\"2019-09-09T15:00:06.032+07:00\",\"pv\":{\"volts\":[48],\"amps\":[6]},"
			  "\"battery\":{\"volts\":55.1,\"amps\":0},\"load\":{\"volts\":[230],\"amps\":[1.2]},"
			  "\"grid\":{\"volts\":[400],\"amps\":[1.2],\"pf\":[0.92]}},"
			  "{\"time_local\":\"2019-09-09T15:00:07+07:00\",\"pv\":{\"volts\":[48],\"amps\":[6]},"
			  "\"battery\":{\"volts\":55.1,\"amps\":0},\"load\":{\"volts\":[230],\"amps\":[1.2]},"
			  "\"grid\":{\"volts\":[400],\"amps\":[1.2],\"pf\":[0.92]},\"status\":\"FFFE\"}]}]}";
	assert_true(run(req));
	assert_int_equal(batch.count, 2);
	assert_non_null(strstr(message(0), "\"status\":{\"bus_connect\":true},\"sender\":\"S001\""));
	assert_non_null(strstr(message(1), "\"status\":{\"bus_connect\":false}"));
	/* No code anywhere: null; a dataset status without a code too. */
	assert_true(run(sample("{\"volts\":[1],\"amps\":[1],\"pf\":[1]}", ",\"status\":null")));
	assert_non_null(strstr(message(0), "\"status\":null,\"sender\""));
	assert_true(run("{\"datasets\":[{\"inverter_id\":\"B1\",\"status\":{},\"data\":[]}]}"));
}

static void test_every_bad_input(void **state)
{
	(void)state;
	const char *ok_grid = "{\"volts\":[1],\"amps\":[1],\"pf\":[1]}";
	refused("{\"datasets\":[{\"data\":[]}]}", "missing the device id (inverter.id or inverter_id)", "datasets[0]");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"inverter\":{\"id\":\"b\"},\"data\":[]}]}",
		"has both inverter.id and inverter_id", "datasets[0]");
	refused("{\"datasets\":[{\"inverter\":{\"id\":\"b\",\"temp\":1},\"data\":[]}]}", "unknown key",
		"datasets[0].inverter.temp");
	refused("{\"datasets\":[{\"inverter_id\":\"a#\",\"data\":[]}]}",
		"must not contain '/', '+', '#' or control characters", "datasets[0].inverter_id");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"status\":\"0001\",\"data\":[]}]}", "must be an object",
		"datasets[0].status");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"status\":{\"code\":\"01\"},\"data\":[]}]}",
		"must be 4 hexadecimal digits", "datasets[0].status.code");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"status\":{\"temp\":1},\"data\":[]}]}", "unknown key",
		"datasets[0].status.temp");
	refused(sample(ok_grid, ",\"status\":{\"code\":\"0001\"}"), "must be 4 hexadecimal digits",
		"datasets[0].data[0].status");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
		"\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]}}]}]}",
		"missing required key", "datasets[0].data[0].grid");
	refused(sample("[1]", ""), "must be an object", "datasets[0].data[0].grid");
	refused(sample("{\"volts\":[1],\"amps\":[1]}", ""), "missing required key", "datasets[0].data[0].grid.pf");
	refused(sample("{\"volts\":[1],\"amps\":[1],\"pf\":[1],\"hz\":[50]}", ""), "unknown key",
		"datasets[0].data[0].grid.hz");
	refused(sample("{\"volts\":[],\"amps\":[],\"pf\":[]}", ""), "must be an array of 1 to 3 numbers",
		"datasets[0].data[0].grid.volts");
	refused(sample("{\"volts\":[1,1,1,1],\"amps\":[1,1,1,1],\"pf\":[1,1,1,1]}", ""),
		"must be an array of 1 to 3 numbers", "datasets[0].data[0].grid.volts");
	refused(sample("{\"volts\":[1,1],\"amps\":[1,1],\"pf\":[1]}", ""),
		"volts, amps and pf differ in length (2, 2 and 1)", "datasets[0].data[0].grid");
	refused(sample("{\"volts\":[-1],\"amps\":[1],\"pf\":[1]}", ""), "must not be negative",
		"datasets[0].data[0].grid.volts[0]");
	refused(sample("{\"volts\":[1],\"amps\":[1],\"pf\":[1.01]}", ""), "must be from 0 to 1",
		"datasets[0].data[0].grid.pf[0]");
	refused(sample("{\"volts\":[1],\"amps\":[1],\"pf\":[-0.5]}", ""), "must not be negative",
		"datasets[0].data[0].grid.pf[0]");
	refused(sample("{\"volts\":[1],\"amps\":[\"1\"],\"pf\":[1]}", ""), "must be a number",
		"datasets[0].data[0].grid.amps[0]");
	refused(sample("{\"volts\":[1e300,1,1],\"amps\":[1e300,1,1],\"pf\":[1,1,1]}", ""),
		"volts x amps x pf is too large to represent", "datasets[0].data[0].grid[0]");
	/* The MPPT shape's rules hold for the inverter too. */
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"data\":[{\"time_local\":\"20200101T000000\",\"pv\":{\"volts\":[1],"
		"\"amps\":[-1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]},\"grid\":"
		"{\"volts\":[1],\"amps\":[1],\"pf\":[1]}}]}]}",
		"must not be negative", "datasets[0].data[0].pv.amps[0]");
	refused("{\"datasets\":[{\"inverter_id\":\"a\",\"data\":[{\"time_local\":\"20200230T000000\",\"pv\":{\"volts\":[1],"
		"\"amps\":[1]},\"battery\":{\"volts\":1,\"amps\":1},\"load\":{\"volts\":[1],\"amps\":[1]},\"grid\":"
		"{\"volts\":[1],\"amps\":[1],\"pf\":[1]}}]}]}",
		"impossible date", "datasets[0].data[0].time_local");
	/* A grid outage is fine: 0 V, pf 0. */
	assert_true(run(sample("{\"volts\":[0],\"amps\":[0],\"pf\":[0]}", "")));
}

/*
 * docs/sundaya.md, "Rules both datasets share": refused on the raw text, as
 * MPPT (a \u0000 would cut the id short; 007 is not JSON).
 */
static void test_nul_escapes_and_leading_zeros_refused(void **state)
{
	(void)state;
	refused("{\"datasets\":[{\"inverter_id\":\"a\\u0000b\",\"data\":[]}]}",
		"payload holds the escaped NUL character \\u0000 (byte 30)", "");
	refused(sample("{\"volts\":[007],\"amps\":[1],\"pf\":[1]}", ""), "payload holds a number with a leading zero (byte 189)",
		"");
	/* Positive controls: an escaped backslash before u0000, and zeros that are not leading. */
	assert_true(run("{\"datasets\":[{\"inverter_id\":\"a\\\\u0000b\",\"data\":[]}]}"));
	assert_true(run(sample("{\"volts\":[0.07],\"amps\":[10],\"pf\":[1e-00]}", "")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spec_worked_example_inv_ex2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_phase_inv_ex1_takes_no_sqrt3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_b_status_and_sample_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_escapes_and_leading_zeros_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("inverter", tests, NULL, NULL);
}
