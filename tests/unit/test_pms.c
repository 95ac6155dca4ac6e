/* Unit tests of the pure pms translator, JSON and CSV (docs/sundaya.md, "pms" and "Bad input"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms.h"
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
	return pms_translate(&batch, request, strlen(request), "S001", now, &limits);
}

static bool run_csv(const char *csv)
{
	return pms_translate_csv(&batch, csv, strlen(csv), "S001", now, &limits);
}

static const char *message(size_t i)
{
	return eb_batch_message(&batch, i);
}

static void refused(const char *request, const char *error, const char *path)
{
	eb_expect_refusal(&batch, run(request), request, error, path);
}

static void refused_csv(const char *csv, const char *error, const char *path)
{
	eb_expect_refusal(&batch, run_csv(csv), csv, error, path);
}

#define CELLS14 "[3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25]"

/* A generation B dataset with one pack whose fields are given. */
static const char *pack_request(const char *pack)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf),
		 "{\"datasets\":[{\"pms_id\":\"PMS-1\",\"data\":[{\"time_local\":\"20200101T000000Z\",\"pack\":%s}]}]}",
		 pack);
	return buf;
}

static const char *pack_with(const char *temp, const char *cell, const char *fet, const char *more)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf), "{\"id\":\"P1\",\"dock\":1,\"amps\":1,\"temp\":%s,\"cell\":%s,\"fet\":%s%s}", temp, cell,
		 fet, more);
	return buf;
}

static const char *good_cell = "{\"volts\":" CELLS14 ",\"open\":[]}";
static const char *good_fet = "{\"temp\":[20,21],\"open\":[]}";

static void test_spec_worked_example_pms_ex2(void **state)
{
	(void)state;
	assert_true(run(PMS_SPEC_REQUEST));
	assert_int_equal(batch.count, 1);
	assert_int_equal(batch.datasets, 1);
	assert_string_equal(batch.messages[0].id, "PMS-02-007");
	assert_string_equal(batch.messages[0].part, "P7-01");
	char expected[4096];
	snprintf(expected, sizeof(expected), "%s2019-09-10 04:13:08.8780\"}", PMS_SPEC_MESSAGE_HEAD);
	assert_string_equal(message(0), expected);
}

static void test_generation_b_and_computed_fields(void **state)
{
	(void)state;
	/*
	 * docs/sundaya.md, "Computed fields": dvcl subtracts first (3.2535 - 3.25
	 * = 3.4999… mV gives 3); watts use the rounded volts.
	 */
	const char *req =
		"{\"datasets\":[{\"pms_id\":\"PMS-01-001\",\"status\":{\"code\":\"0001\",\"temp\":-2.5},\"data\":["
		"{\"time_local\":\"2019-09-09T15:00:06.032+07:00\",\"pack\":{\"id\":\"0241\",\"dock\":12.0,\"amps\":-1.601,"
		"\"temp\":[-5,0,1],\"cell\":{\"volts\":[3.2535,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,"
		"3.26],\"open\":[14,2]},\"fet\":{\"temp\":[34.1,32.2],\"open\":[2,1]}}}]}]}";
	assert_true(run(req));
	const char *m = message(0);
	assert_non_null(strstr(m, "{\"pms_id\":\"PMS-01-001\",\"pack_id\":\"0241\",\"pack\":{\"volts\":45.5135,"
				  "\"amps\":-1.601,\"watts\":-72.8671,\"vcl\":3.25,\"vch\":3.26,\"dock\":12,"
				  "\"temp_top\":-5,\"temp_mid\":0,\"temp_bottom\":1},\"cell\":[{\"volts\":3.2535,\"dvcl\":3,"
				  "\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":true},"));
	assert_non_null(strstr(m, "{\"volts\":3.26,\"dvcl\":10,\"open\":true}],\"fet\":[{\"open\":true,\"temp\":34.1},"
				  "{\"open\":true,\"temp\":32.2}],\"status\":{\"bus_connect\":true,\"temp\":-2.5},"));
	assert_non_null(strstr(m, "\"time_event\":\"2019-09-09 08:00:06.0320\""));
	/* No status at all: both null. A pack's own status wins over the dataset's code. */
	assert_true(run(pack_request(pack_with("[1,2,3]", good_cell, good_fet, ""))));
	assert_non_null(strstr(message(0), "\"status\":{\"bus_connect\":null,\"temp\":null},\"sender\""));
	assert_true(run("{\"datasets\":[{\"pms_id\":\"X\",\"status\":{\"code\":\"0001\",\"temp\":null},\"data\":["
			"{\"time_local\":\"20200101T000000Z\",\"pack\":{\"id\":\"P1\",\"dock\":48,\"amps\":0,\"temp\":[1,2,3],"
			"\"cell\":{\"volts\":" CELLS14 ",\"open\":[]},\"fet\":{\"temp\":[1,2],\"open\":[]},\"status\":\"0002\"}}]}]}"));
	assert_non_null(strstr(message(0), "\"status\":{\"bus_connect\":false,\"temp\":null}"));
}

static void test_every_bad_input(void **state)
{
	(void)state;
	const char *t3 = "[1,2,3]";
	refused("{\"datasets\":[{\"data\":[]}]}", "missing the device id (pms.id or pms_id)", "datasets[0]");
	refused("{\"datasets\":[{\"pms_id\":\"a\",\"pms\":{\"id\":\"b\"},\"data\":[]}]}", "has both pms.id and pms_id",
		"datasets[0]");
	refused("{\"datasets\":[{\"pms\":{\"id\":\"b\",\"temp\":1},\"status\":{\"temp\":2},\"data\":[]}]}",
		"has both pms.temp and status.temp", "datasets[0]");
	refused("{\"datasets\":[{\"pms\":{\"id\":\"b\",\"temp\":\"1\"},\"data\":[]}]}", "must be a number",
		"datasets[0].pms.temp");
	refused("{\"datasets\":[{\"pms_id\":\"b\",\"status\":{\"code\":\"0x01\"},\"data\":[]}]}",
		"must be 4 hexadecimal digits", "datasets[0].status.code");
	refused("{\"datasets\":[{\"pms_id\":\"b\",\"status\":{\"volts\":1},\"data\":[]}]}", "unknown key",
		"datasets[0].status.volts");
	refused("{\"datasets\":[{\"pms_id\":\"b\",\"data\":[{\"time_local\":\"20200101T000000\"}]}]}",
		"missing required key", "datasets[0].data[0].pack");
	refused("{\"datasets\":[{\"pms_id\":\"b\",\"data\":[{\"time_local\":\"20200101T000000\",\"pack\":{},\"x\":1}]}]}",
		"unknown key", "datasets[0].data[0].x");
	refused(pack_request("{\"id\":\"P1\"}"), "missing required key", "datasets[0].data[0].pack.dock");
	refused(pack_request(pack_with(t3, good_cell, good_fet, ",\"id\":\"again\"")), "duplicate key",
		"datasets[0].data[0].pack.id");
	refused(pack_request("{\"id\":\"P/1\",\"dock\":1,\"amps\":1,\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}"),
		"must not contain '/', '+', '#' or control characters", "datasets[0].data[0].pack.id");
	refused(pack_request("{\"id\":\"P1\",\"dock\":49,\"amps\":1,\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}"),
		"must be an integer from 1 to 48", "datasets[0].data[0].pack.dock");
	refused(pack_request("{\"id\":\"P1\",\"dock\":1.5,\"amps\":1,\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}"),
		"must be an integer from 1 to 48", "datasets[0].data[0].pack.dock");
	refused(pack_request("{\"id\":\"P1\",\"dock\":0,\"amps\":1,\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}"),
		"must be an integer from 1 to 48", "datasets[0].data[0].pack.dock");
	refused(pack_request("{\"id\":\"P1\",\"dock\":1,\"amps\":\"1\",\"temp\":[1,2,3],\"cell\":{},\"fet\":{}}"),
		"must be a number", "datasets[0].data[0].pack.amps");
	refused(pack_request(pack_with("[1,2]", good_cell, good_fet, "")), "must be an array of 3 numbers",
		"datasets[0].data[0].pack.temp");
	refused(pack_request(pack_with(t3, "{\"volts\":[3.2,3.2],\"open\":[]}", good_fet, "")),
		"must be an array of 14 numbers", "datasets[0].data[0].pack.cell.volts");
	refused(pack_request(pack_with(t3, "{\"volts\":[1,1,1,1,-1,1,1,1,1,1,1,1,1,1],\"open\":[]}", good_fet, "")),
		"must not be negative", "datasets[0].data[0].pack.cell.volts[4]");
	refused(pack_request(pack_with(t3, "{\"volts\":" CELLS14 ",\"open\":[3,3]}", good_fet, "")), "repeats cell 3",
		"datasets[0].data[0].pack.cell.open[1]");
	refused(pack_request(pack_with(t3, "{\"volts\":" CELLS14 ",\"open\":[15]}", good_fet, "")),
		"must be an integer from 1 to 14", "datasets[0].data[0].pack.cell.open[0]");
	refused(pack_request(pack_with(t3, "{\"volts\":" CELLS14 ",\"open\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,1]}",
				       good_fet, "")),
		"must be an array of 0 to 14 cell numbers", "datasets[0].data[0].pack.cell.open");
	refused(pack_request(pack_with(t3, "{\"volts\":" CELLS14 "}", good_fet, "")), "missing required key",
		"datasets[0].data[0].pack.cell.open");
	refused(pack_request(pack_with(t3, good_cell, "{\"temp\":[1,2,3],\"open\":[]}", "")),
		"must be an array of 2 numbers", "datasets[0].data[0].pack.fet.temp");
	refused(pack_request(pack_with(t3, good_cell, "{\"temp\":[1,2],\"open\":[0]}", "")),
		"must be an integer from 1 to 2", "datasets[0].data[0].pack.fet.open[0]");
	refused(pack_request(pack_with(t3, good_cell, "{\"temp\":[1,2],\"open\":[2.5]}", "")),
		"must be an integer from 1 to 2", "datasets[0].data[0].pack.fet.open[0]");
	refused(pack_request(pack_with(t3, good_cell, good_fet, ",\"status\":\"1A7\"")), "must be 4 hexadecimal digits",
		"datasets[0].data[0].pack.status");
	/* A computed value beyond a double: the cells' sum. */
	refused(pack_request(pack_with(t3,
				       "{\"volts\":[1e308,1e308,1,1,1,1,1,1,1,1,1,1,1,1],\"open\":[]}", good_fet, "")),
		"the cell volts add up to more than a double holds", "datasets[0].data[0]");
	/* Zero volts on a dead cell and an empty data array are fine. */
	assert_true(run(pack_request(pack_with(t3, "{\"volts\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0],\"open\":[]}", good_fet, ""))));
	assert_true(run("{\"datasets\":[{\"pms_id\":\"a\",\"data\":[]}]}"));
}

static void test_nul_escapes_and_leading_zeros_refused(void **state)
{
	(void)state;
	refused("{\"datasets\":[{\"pms_id\":\"a\\u0000\",\"data\":[]}]}",
		"payload holds the escaped NUL character \\u0000 (byte 25)", "");
	refused("{\"datasets\":[{\"pms_id\":\"a\",\"data\":[]}],\"x\":-01}", "payload holds a number with a leading zero (byte 44)",
		"");
	assert_false(run("{\"datasets\":[{\"pms_id\":\"a\",\"data\":[]}],\"x\":-0.1}")); /* refused for the key, not the number */
	assert_string_equal(batch.error, "unknown key");
}

/* ---- CSV ---- */

static const char csv_header[] =
	"pms_id,status.code,status.temp,time_local,pack.id,pack.dock,pack.amps,pack.temp.1,pack.temp.2,pack.temp.3,"
	"cell.volts.1,cell.volts.2,cell.volts.3,cell.volts.4,cell.volts.5,cell.volts.6,cell.volts.7,cell.volts.8,"
	"cell.volts.9,cell.volts.10,cell.volts.11,cell.volts.12,cell.volts.13,cell.volts.14,cell.open.1,cell.open.2,"
	"cell.open.3,cell.open.4,cell.open.5,cell.open.6,cell.open.7,cell.open.8,cell.open.9,cell.open.10,"
	"cell.open.11,cell.open.12,cell.open.13,cell.open.14,fet.open.1,fet.open.2,fet.temp.1,fet.temp.2\n";

/* The spec example's first pack as a CSV row (generation B names). */
static const char csv_row[] = "PMS-02-007,1A78,38.5,20200315T101500.000+0700,P7-01,5,10,27.5,27.1,26.8,"
			      "3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.28125,3.25,3.25,3.25,3.25,3.25,"
			      "0,0,0,0,0,0,0,0,1,,0,0,0,0,1,0,29.4,28.7\n";

static char *csv(const char *header, const char *rows)
{
	static char buf[8192];
	snprintf(buf, sizeof(buf), "%s%s", header, rows);
	return buf;
}

static void test_csv_gives_exactly_the_json_messages(void **state)
{
	(void)state;
	assert_true(run(PMS_SPEC_REQUEST));
	char json_message[EB_BATCH_MESSAGE_MAX]; /* a whole message, as message() gives it */
	snprintf(json_message, sizeof(json_message), "%s", message(0));
	assert_true(run_csv(csv(csv_header, csv_row)));
	assert_int_equal(batch.count, 1);
	assert_string_equal(message(0), json_message);
	assert_string_equal(batch.messages[0].part, "P7-01");
	/* A BOM, CRLF, blank lines, quoted fields with spaces around, generation A names. */
	char header_a[2048];
	snprintf(header_a, sizeof(header_a), "\xEF\xBB\xBF%s", csv_header);
	memcpy(strstr(header_a, "pms_id"), "pms.id", 6);
	char *code = strstr(header_a, "status.code");
	memmove(code + 6, code + 11, strlen(code + 11) + 1);
	char *temp = strstr(header_a, "status.temp");
	memcpy(temp, "pms.temp", 8);
	memmove(temp + 8, temp + 11, strlen(temp + 11) + 1);
	char rows[2048];
	snprintf(rows, sizeof(rows), "\r\n  \t\r\n \"PMS-02-007\" ,\"1A78\",38.5,%s\r\n\n", strchr(csv_row, ',') + 11);
	char *crlf = strstr(rows, "\n\r\n");
	assert_non_null(crlf);
	assert_true(run_csv(csv(header_a, rows)));
	assert_int_equal(batch.count, 1);
	assert_string_equal(message(0), json_message);
}

static void test_csv_rows_runs_and_duplicates(void **state)
{
	(void)state;
	/* Three rows of two PMS in runs A, B, A: D = 3; a header with no rows is valid. */
	char rows[4096], row2[1024];
	snprintf(row2, sizeof(row2), "PMS-X,,,%s", strstr(csv_row, "20200315"));
	snprintf(rows, sizeof(rows), "%s%s%s", csv_row, row2, csv_row);
	assert_true(run_csv(csv(csv_header, rows)));
	assert_int_equal(batch.count, 3);
	assert_int_equal(batch.datasets, 3);
	assert_string_equal(batch.messages[1].id, "PMS-X");
	assert_non_null(strstr(message(1), "\"status\":{\"bus_connect\":null,\"temp\":null}"));
	assert_true(run_csv(csv_header));
	assert_int_equal(batch.count, 0);
	/* A column named twice passes when equal in every row, not otherwise. */
	char header[2048], row[1024];
	snprintf(header, sizeof(header), "pack.dock,%s", csv_header);
	snprintf(row, sizeof(row), "5,%s", csv_row);
	assert_true(run_csv(csv(header, row)));
	snprintf(row, sizeof(row), "6,%s", csv_row);
	refused_csv(csv(header, row), "differs from the other column of the same name", "rows[0].pack.dock");
}

/* csv_row with the first `from` replaced by `to`, into row. */
static void replace_in_row(char *row, size_t size, const char *from, const char *to)
{
	const char *at = strstr(csv_row, from);
	assert_non_null(at);
	snprintf(row, size, "%.*s%s%s", (int)(at - csv_row), csv_row, to, at + strlen(from));
}

static void test_csv_bad_input(void **state)
{
	(void)state;
	char header[2048], row[1024];
	refused_csv("", "payload has no CSV header", "header");
	refused_csv(" \n\r\n", "payload has no CSV header", "header");
	snprintf(header, sizeof(header), "pack.volts,%s", csv_header);
	refused_csv(header, "unknown column 'pack.volts'", "header");
	snprintf(header, sizeof(header), "pms.id,%s", csv_header);
	refused_csv(header, "has both columns 'pms_id' and 'pms.id'", "header");
	refused_csv(strstr(csv_header, "status.code"), "missing column 'pms_id'", "header");
	refused_csv("pms_id,\"a\n", "unterminated quote", "header");
	refused_csv(csv(csv_header, "a\"b\n"), "a quote inside an unquoted field", "rows[0]");
	refused_csv(csv(csv_header, "\"a\"b,\n"), "a closing quote must be followed by ',' or the end of the record",
		    "rows[0]");
	refused_csv(csv(csv_header, "PMS,1A78\n"), "has 2 fields, the header has 42", "rows[0]");
	/* Fields, each at its column as the header writes it: the row with one field replaced. */
	const struct { const char *from, *to, *error, *path; } cases[] = {
		{"PMS-02-007,", "PMS/7,", "must not contain '/', '+', '#' or control characters", "rows[0].pms_id"},
		{"1A78,", "1A7,", "must be 4 hexadecimal digits", "rows[0].status.code"},
		{"38.5,", "3.3V,", "must be a number", "rows[0].status.temp"},
		{"+0700,", "+2500,", "UTC offset out of range", "rows[0].time_local"},
		{",5,", ",49,", "must be an integer from 1 to 48", "rows[0].pack.dock"},
		{",10,", ",1e999,", "must be a finite number", "rows[0].pack.amps"},
		{",27.5,", ",.,", "must be a number", "rows[0].pack.temp.1"},
		{"3.28125,", "-3.28125,", "must not be negative", "rows[0].cell.volts.9"},
		{",1,,", ",2,,", "must be empty, 0 or 1", "rows[0].cell.open.9"},
		{"29.4,", "29.4.1,", "must be a number", "rows[0].fet.temp.1"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		replace_in_row(row, sizeof(row), cases[i].from, cases[i].to);
		refused_csv(csv(csv_header, row), cases[i].error, cases[i].path);
	}
	/* Positive control of the number grammar: signs, exponents, a leading point. */
	replace_in_row(row, sizeof(row), ",27.5,", ",+.275e2,");
	assert_true(run_csv(csv(csv_header, row)));
	assert_non_null(strstr(message(0), "\"temp_top\":27.5,"));
	/* More rows than max items. */
	struct telemetry_limits one = {.max_payload = 1 << 20, .max_items = 1};
	char two[4096];
	snprintf(two, sizeof(two), "%s%s%s", csv_header, csv_row, csv_row);
	assert_false(pms_translate_csv(&batch, two, strlen(two), "S001", now, &one));
	assert_string_equal(batch.error, "request holds more than 1 rows");
	assert_string_equal(batch.path, "rows");
	assert_true(pms_translate_csv(&batch, two, strlen(two) - strlen(csv_row), "S001", now, &one));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spec_worked_example_pms_ex2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_b_and_computed_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_escapes_and_leading_zeros_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_gives_exactly_the_json_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_rows_runs_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_bad_input, setup, teardown),
	};
	return cmocka_run_group_tests_name("pms", tests, NULL, NULL);
}
