/* Unit tests of Venus reply parsing and the .../reply JSON (docs/venus.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json_out.h"
#include "venus_reply.h"
#include "spec_examples.h"

/* The device information reply of the vendor document, section 3.2. */
static const char vendor_sample[] = VENUS_REPLY_SAMPLE;

static struct venus_reply reply;

static void render_bytes(const char *bytes, size_t len, const char *expected)
{
	struct json_out o;
	json_out_init(&o);
	venus_reply_parse(bytes, len, &reply);
	assert_true(venus_reply_render(&reply, &o));
	assert_string_equal(o.buf, expected);
	json_out_free(&o);
}

static void render(const char *text, const char *expected)
{
	render_bytes(text, strlen(text), expected);
}

static void test_vendor_sample_is_information(void **state)
{
	(void)state;
	venus_reply_parse(vendor_sample, strlen(vendor_sample), &reply);
	assert_int_equal(reply.kind, VENUS_REPLY_INFORMATION);
	assert_int_equal(reply.count, 49);
	assert_int_equal(reply.ignored, 0);
	assert_string_equal(reply.note, "");
	assert_int_equal(reply.pairs[0].key_len, 5);
	assert_memory_equal(reply.pairs[0].key, "tot_i", 5);
	assert_int_equal(reply.pairs[0].value_len, 5);
	assert_memory_equal(reply.pairs[0].value, "44785", 5);
	assert_memory_equal(reply.pairs[48].key, "wifi_n", 6);
	assert_memory_equal(reply.pairs[48].value, "Hame", 4);
	/* One information key is enough, even among others. */
	venus_reply_parse("zz=1,cel_c=30", 13, &reply);
	assert_int_equal(reply.kind, VENUS_REPLY_INFORMATION);
}

static void test_ret_replies(void **state)
{
	(void)state;
	render("ret=1", "{\"ret\":1}");
	assert_int_equal(reply.kind, VENUS_REPLY_RET);
	render("ret=0", "{\"ret\":0}");
	render("ret=1\r\n", "{\"ret\":1}");
	render_bytes("ret=1\0", 6, "{\"ret\":1}");
	render("ret=ok", "{\"ret\":\"ok\"}");
	assert_int_equal(reply.kind, VENUS_REPLY_RET);
}

static void test_get_power_replies(void **state)
{
	(void)state;
	render("get_power=10|-20|30|20|800",
	       "{\"get_power\":{\"phase_a_w\":10,\"phase_b_w\":-20,\"phase_c_w\":30,"
	       "\"total_w\":20,\"output_w\":800}}");
	assert_int_equal(reply.kind, VENUS_REPLY_GET_POWER);
	render("get_power=0|0|0|0|0",
	       "{\"get_power\":{\"phase_a_w\":0,\"phase_b_w\":0,\"phase_c_w\":0,"
	       "\"total_w\":0,\"output_w\":0}}");
	/* Not five numbers: the text. */
	render("get_power=1|2|3", "{\"get_power\":\"1|2|3\"}");
	render("get_power=1|2|3|4|5|6", "{\"get_power\":\"1|2|3|4|5|6\"}");
	render("get_power=1|2|3|4|", "{\"get_power\":\"1|2|3|4|\"}");
	render("get_power=1|2|x|4|5", "{\"get_power\":\"1|2|x|4|5\"}");
	render("get_power=", "{\"get_power\":\"\"}");
	assert_int_equal(reply.kind, VENUS_REPLY_GET_POWER);
}

static void test_other_replies_are_strings(void **state)
{
	(void)state;
	render("foo=bar,baz=1", "{\"foo\":\"bar\",\"baz\":\"1\"}");
	assert_int_equal(reply.kind, VENUS_REPLY_OTHER);
	/* The last of a repeated key wins and appears once. */
	render("a=1,b=2,a=3", "{\"b\":\"2\",\"a\":\"3\"}");
	render("url=http://x/?a=b", "{\"url\":\"http://x/?a=b\"}");
	render("x=", "{\"x\":\"\"}");
	render("x=say \"hi\"\\", "{\"x\":\"say \\\"hi\\\"\\\\\"}");
	render_bytes("x=a\x01" "b", 5, "{\"x\":\"a\\u0001b\"}");
}

static void test_unreadable_replies_are_kept_as_text(void **state)
{
	(void)state;
	render("hello", "{\"raw\":\"hello\",\"raw_bytes\":5}");
	assert_int_equal(reply.kind, VENUS_REPLY_OTHER);
	assert_int_equal(reply.ignored, 1);
	assert_string_equal(reply.note, "segment at offset 0 has no '='");
	render("{\"a\":1}", "{\"raw\":\"{\\\"a\\\":1}\",\"raw_bytes\":7}");
	render("", "{}");
	/* Stray commas are not counted as skipped segments, but nothing was read. */
	render(",,,", "{\"raw\":\",,,\",\"raw_bytes\":3}");
	assert_int_equal(reply.ignored, 0);
	assert_int_equal(reply.count, 0);
	render_bytes(NULL, 10, "{}");
}

/* A long reply without pairs is quoted, not copied: its JSON stays small whatever its size. */
static void test_raw_text_is_quoted_not_copied(void **state)
{
	(void)state;
	static char text[8192];
	memset(text, '\x01', sizeof(text)); /* each control byte would take six bytes escaped */
	venus_reply_parse(text, sizeof(text), &reply);
	struct json_out o;
	json_out_init(&o);
	assert_true(venus_reply_render(&reply, &o));
	assert_true(o.len < VENUS_REPLY_RAW_QUOTE * 6 + 64);
	assert_non_null(strstr(o.buf, "\"raw_bytes\":8192}"));
	json_out_free(&o);
}

static void test_bad_segments_are_skipped_and_counted(void **state)
{
	(void)state;
	render("a b=1,=2,ok=3,noequals,,x=4", "{\"ok\":\"3\",\"x\":\"4\"}");
	assert_int_equal(reply.count, 2);
	assert_int_equal(reply.ignored, 3);
	assert_string_equal(reply.note, "segment at offset 0 has no usable key");
	render("k123456789012345678901234567890123=1,ok=2", "{\"ok\":\"2\"}");
	assert_int_equal(reply.ignored, 1);
}

static void test_pairs_are_bounded(void **state)
{
	(void)state;
	char text[200 * 8];
	size_t len = 0;
	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%sk%d=%d", i ? "," : "", i, i);
	venus_reply_parse(text, len, &reply);
	assert_int_equal(reply.count, VENUS_REPLY_MAX_PAIRS);
	assert_int_equal(reply.ignored, 200 - VENUS_REPLY_MAX_PAIRS);
	assert_string_equal(reply.note, "more than 128 pairs");
}

static void test_text_is_made_valid_utf8(void **state)
{
	(void)state;
	render("wifi_x=caf\xc3\xa9", "{\"wifi_x\":\"caf\xc3\xa9\"}");
	/* A lone Latin-1 byte, a cut sequence, an overlong form and a surrogate. */
	render("x=caf\xe9", "{\"x\":\"caf\xef\xbf\xbd\"}");
	render("x=\xc3", "{\"x\":\"\xef\xbf\xbd\"}");
	render("x=\xc0\xaf", "{\"x\":\"\xef\xbf\xbd\xef\xbf\xbd\"}");
	render("x=\xed\xa0\x80!", "{\"x\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!\"}");
	render("\xff\xfe", "{\"raw\":\"\xef\xbf\xbd\xef\xbf\xbd\",\"raw_bytes\":2}");
}

static void test_signed_integers(void **state)
{
	(void)state;
	long long v = 99;
	assert_true(venus_reply_integer("-800", 4, &v));
	assert_int_equal(v, -800);
	assert_true(venus_reply_integer("-0", 2, &v));
	assert_int_equal(v, 0);
	assert_true(venus_reply_integer("202407221950", 12, &v));
	assert_int_equal(v, 202407221950LL);
	assert_true(venus_reply_integer("999999999999999999", 18, &v));
	assert_false(venus_reply_integer("1000000000000000000", 19, &v));
	assert_false(venus_reply_integer("", 0, &v));
	assert_false(venus_reply_integer("-", 1, &v));
	assert_false(venus_reply_integer("+1", 2, &v));
	assert_false(venus_reply_integer("1.5", 3, &v));
	assert_false(venus_reply_integer(" 1", 2, &v));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(venus_reply_kind_name(VENUS_REPLY_INFORMATION), "information");
	assert_string_equal(venus_reply_kind_name(VENUS_REPLY_RET), "ret");
	assert_string_equal(venus_reply_kind_name(VENUS_REPLY_GET_POWER), "get_power");
	assert_string_equal(venus_reply_kind_name(VENUS_REPLY_OTHER), "other");
}

/* Every prefix of the sample and of mangled copies: no crash (run under ASan). */
static void test_any_bytes_are_read(void **state)
{
	(void)state;
	static const char replacements[] = {',', '=', '|', '\0', '\xff', '\n'};
	size_t len = strlen(vendor_sample);
	char buf[sizeof(vendor_sample)];
	struct json_out o;
	json_out_init(&o);
	for (size_t cut = 0; cut < len; cut += 3) {
		for (size_t r = 0; r < sizeof(replacements); r++) {
			memcpy(buf, vendor_sample, len);
			buf[cut] = replacements[r];
			venus_reply_parse(buf, len - cut / 2, &reply);
			json_out_reset(&o);
			assert_true(venus_reply_render(&reply, &o));
			assert_true(o.len >= 2);
		}
	}
	json_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_sample_is_information),
		cmocka_unit_test(test_ret_replies),
		cmocka_unit_test(test_get_power_replies),
		cmocka_unit_test(test_other_replies_are_strings),
		cmocka_unit_test(test_unreadable_replies_are_kept_as_text),
		cmocka_unit_test(test_raw_text_is_quoted_not_copied),
		cmocka_unit_test(test_bad_segments_are_skipped_and_counted),
		cmocka_unit_test(test_pairs_are_bounded),
		cmocka_unit_test(test_text_is_made_valid_utf8),
		cmocka_unit_test(test_signed_integers),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_any_bytes_are_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
