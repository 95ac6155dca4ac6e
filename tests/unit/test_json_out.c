/* Unit tests of the JSON writer: number printing, escaping, separators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

static const char *number(double v)
{
	static char buf[32];
	json_format_number(v, buf);
	return buf;
}

static void test_numbers_print_shortest_round_trip(void **state)
{
	(void)state;
	assert_string_equal(number(48.000), "48");
	assert_string_equal(number(0.0), "0");
	assert_string_equal(number(-0.0), "0");
	assert_string_equal(number(55.1), "55.1");
	assert_string_equal(number(48 * 1.2), "57.599999999999994");
	assert_string_equal(number(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(number(-2.5), "-2.5");
	assert_string_equal(number(1e21), "1e+21");
	assert_string_equal(number(5e-324), "5e-324");
	assert_string_equal(number(1.7976931348623157e308), "1.7976931348623157e+308");
	assert_string_equal(number(-1234.5678), "-1234.5678");
	assert_string_equal(number(0.0001), "0.0001");
	assert_string_equal(number(0.00005), "5e-05");
	assert_string_equal(number(99999999999.9999), "99999999999.9999");
	assert_string_equal(number(100000000000.5), "100000000000.5");
	/* Every printed form reads back to the same double, and the fast path for
	 * short decimals prints exactly what the general path would. */
	srand(7);
	for (int i = 0; i < 200000; i++) {
		double v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
		if (i % 2)
			v = (double)(rand() % 2000000 - 1000000) / pow(10, rand() % 5);
		const char *text = number(v);
		assert_true(strtod(text, NULL) == v);
		char general[32];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(general, sizeof(general), "%.*g", prec, v);
			if (strtod(general, NULL) == v)
				break;
		}
		if (v != 0 && strcmp(text, general) != 0)
			fail_msg("%.17g printed %s, the general path gives %s", v, text, general);
	}
}

static void test_strings_are_escaped(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_string_n(&o, "a\"b\\c\n\x01\x7f\xc3\xa9", 10);
	assert_string_equal(o.buf, "\"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9\"");
	json_out_free(&o);
}

/* An empty MQTT payload reaches the plugin as NULL with length 0 (UBSan checks the copy). */
static void test_empty_text_may_be_null(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_begin_array(&o);
	json_out_text(&o, NULL, 0);
	json_out_string_n(&o, NULL, 0);
	json_out_string_n(&o, "x", 1);
	json_out_end_array(&o);
	assert_string_equal(o.buf, "[\"\",\"\",\"x\"]");
	json_out_free(&o);
}

static void test_text_from_outside_is_made_utf8(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_text(&o, "ok\xff\"\xc3\xa9\xc0\xaf", 8);
	assert_string_equal(o.buf, "\"ok\xef\xbf\xbd\\\"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\"");
	json_out_free(&o);
}

/* Keys and strings that need no escaping take a path of their own: the same text either way. */
static void test_keys_escape_only_what_needs_it(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key_n(&o, "plainXX", 5);
	json_out_string(&o, "v");
	json_out_key_n(&o, "q\"t\n", 4);
	json_out_text(&o, "caf\xc3\xa9", 5);
	json_out_plain_key(&o, "soc_percent", 11);
	json_out_int(&o, 27);
	json_out_key(&o, "a\\b");
	json_out_text(&o, "x\x01", 2);
	json_out_end_object(&o);
	assert_string_equal(o.buf, "{\"plain\":\"v\",\"q\\\"t\\n\":\"caf\xc3\xa9\",\"soc_percent\":27,"
				   "\"a\\\\b\":\"x\\u0001\"}");
	json_out_free(&o);
}

static void test_separators_are_inserted(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "a");
	json_out_begin_array(&o);
	json_out_int(&o, 1);
	json_out_number(&o, 2.5);
	json_out_begin_object(&o);
	json_out_end_object(&o);
	json_out_end_array(&o);
	json_out_key(&o, "b");
	json_out_null(&o);
	json_out_key(&o, "c");
	json_out_bool(&o, false);
	json_out_key(&o, "d");
	json_out_raw_value(&o, "{\"x\":1}", 7);
	json_out_key(&o, "e");
	json_out_begin_array(&o);
	json_out_int(&o, 0);
	json_out_int(&o, -45);
	json_out_int(&o, INT64_MIN);
	json_out_int(&o, INT64_MAX);
	json_out_end_array(&o);
	json_out_end_object(&o);
	assert_string_equal(o.buf, "{\"a\":[1,2.5,{}],\"b\":null,\"c\":false,\"d\":{\"x\":1},"
				   "\"e\":[0,-45,-9223372036854775808,9223372036854775807]}");
	json_out_free(&o);
}

static void test_documents_share_one_buffer(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	size_t first = json_out_begin_document(&o);
	json_out_begin_object(&o);
	json_out_end_object(&o);
	size_t second = json_out_begin_document(&o);
	json_out_begin_array(&o);
	json_out_end_array(&o);
	assert_int_equal(first, 0);
	assert_int_equal(second, 2);
	assert_string_equal(o.buf, "{}[]");
	json_out_reset(&o);
	json_out_int(&o, 3);
	assert_string_equal(o.buf, "3");
	assert_false(json_out_failed(&o));
	json_out_free(&o);
}

static void test_large_documents_grow(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_begin_array(&o);
	for (int i = 0; i < 10000; i++)
		json_out_int(&o, i);
	json_out_end_array(&o);
	assert_int_equal(o.len, strlen(o.buf));
	assert_memory_equal(o.buf + o.len - 6, ",9999]", 6);
	json_out_free(&o);
}

/* A long outside text is quoted as a bounded prefix and its length, never copied whole. */
static void test_text_prefix_is_bounded_with_the_length(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	/* Positive control: a short text is whole, and nothing says it was cut. */
	json_out_begin_object(&o);
	json_out_text_prefix(&o, "value", "12345678", 8, 8);
	json_out_end_object(&o);
	assert_string_equal(o.buf, "{\"value\":\"12345678\"}");

	/* A megabyte of control bytes: 8 of them quoted (6 bytes each), not 6 MB. */
	size_t n = 1 << 20;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 1, n);
	json_out_reset(&o);
	json_out_begin_object(&o);
	json_out_text_prefix(&o, "value", big, n, 8);
	json_out_end_object(&o);
	assert_string_equal(o.buf, "{\"value\":\"\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\","
				   "\"value_bytes\":1048576}");
	free(big);

	/* A cut inside a UTF-8 sequence cuts before it, instead of showing a replacement character. */
	json_out_reset(&o);
	json_out_begin_object(&o);
	json_out_text_prefix(&o, "v", "ab\xc3\xa9z", 5, 3);
	json_out_end_object(&o);
	assert_string_equal(o.buf, "{\"v\":\"ab\",\"v_bytes\":5}");
	json_out_free(&o);
}

/* After one large document the buffer goes back to nothing; a small one keeps its memory. */
static void test_shrink_gives_large_buffers_back(void **state)
{
	(void)state;
	struct json_out o;
	json_out_init(&o);
	json_out_string(&o, "small");
	size_t small_cap = o.cap;
	json_out_shrink(&o, 4096);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.cap, small_cap); /* kept for the next document */
	for (int i = 0; i < 10000; i++)
		json_out_string(&o, "0123456789");
	assert_true(o.cap > 100000);
	json_out_shrink(&o, 4096);
	assert_int_equal(o.cap, 0);
	assert_int_equal(o.len, 0);
	assert_false(json_out_failed(&o));
	/* It is usable again at once. */
	json_out_string(&o, "again");
	assert_string_equal(o.buf, "\"again\"");
	json_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_print_shortest_round_trip),
		cmocka_unit_test(test_strings_are_escaped),
		cmocka_unit_test(test_empty_text_may_be_null),
		cmocka_unit_test(test_text_from_outside_is_made_utf8),
		cmocka_unit_test(test_keys_escape_only_what_needs_it),
		cmocka_unit_test(test_separators_are_inserted),
		cmocka_unit_test(test_documents_share_one_buffer),
		cmocka_unit_test(test_large_documents_grow),
		cmocka_unit_test(test_text_prefix_is_bounded_with_the_length),
		cmocka_unit_test(test_shrink_gives_large_buffers_back),
	};
	return cmocka_run_group_tests_name("json_out", tests, NULL, NULL);
}
