/* twc_vin: VIN assembly from the three replies and the check digit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "twc_vin.h"

static void test_check_digit(void **state)
{
	(void)state;
	assert_true(twc_vin_check_digit_ok("1M8GDM9AXKP042788")); /* check digit X */
	assert_true(twc_vin_check_digit_ok("5YJ3E1EA2KF317000"));
	assert_true(twc_vin_check_digit_ok("5YJSA1E22MF123456"));
	assert_true(twc_vin_check_digit_ok("11111111111111111"));
	assert_false(twc_vin_check_digit_ok("5YJ3E1EA0KF317000"));
	assert_false(twc_vin_check_digit_ok("1M8GDM9A1KP042788"));
	/* One letter changed: the sum changes, the check fails. */
	assert_false(twc_vin_check_digit_ok("5YJ3E1EA2KG317000"));
	/* I, O and Q are no VIN characters, lower case neither. */
	assert_false(twc_vin_check_digit_ok("5YJ3E1EA2KF3170O0"));
	assert_false(twc_vin_check_digit_ok("5yj3e1ea2kf317000"));
	assert_false(twc_vin_check_digit_ok(NULL));
}

static enum twc_vin_result add_all(struct twc_vin_parts *v, const uint8_t *raw, const int *order,
				   char *out)
{
	static const size_t off[3] = { 0, 7, 14 }, n[3] = { 7, 7, 3 };
	enum twc_vin_result r = TWC_VIN_INCOMPLETE;
	for (int k = 0; k < 3; k++) {
		int p = order[k];
		/* Replies carry NUL padding after the characters. */
		uint8_t chars[11] = { 0 };
		memcpy(chars, raw + off[p], n[p]);
		if (k < 2)
			assert_int_equal(twc_vin_add_part(v, p, chars, sizeof(chars), out),
					 TWC_VIN_INCOMPLETE);
		else
			r = twc_vin_add_part(v, p, chars, sizeof(chars), out);
	}
	return r;
}

static void test_parts_in_any_order(void **state)
{
	(void)state;
	static const int orders[3][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
	for (int k = 0; k < 3; k++) {
		struct twc_vin_parts v;
		char out[18] = "";
		twc_vin_parts_reset(&v);
		assert_int_equal(add_all(&v, (const uint8_t *)"5YJ3E1EA2KF317000", orders[k], out),
				 TWC_VIN_VALID);
		assert_string_equal(out, "5YJ3E1EA2KF317000");
	}
}

static void test_all_zero_is_none_and_bad_is_invalid(void **state)
{
	(void)state;
	static const int order[3] = { 0, 1, 2 };
	static const uint8_t zero[17] = { 0 };
	struct twc_vin_parts v;
	char out[18] = "unchanged";
	twc_vin_parts_reset(&v);
	assert_int_equal(add_all(&v, zero, order, out), TWC_VIN_NONE);
	assert_string_equal(out, "unchanged");
	twc_vin_parts_reset(&v);
	assert_int_equal(add_all(&v, (const uint8_t *)"5YJ3E1EA0KF317000", order, out),
			 TWC_VIN_INVALID);
	/* A short third part: NUL inside the VIN. */
	uint8_t short_vin[17];
	memcpy(short_vin, "5YJ3E1EA2KF3170", 15);
	short_vin[15] = short_vin[16] = 0;
	twc_vin_parts_reset(&v);
	assert_int_equal(add_all(&v, short_vin, order, out), TWC_VIN_INVALID);
	assert_string_equal(out, "unchanged");
}

static void test_codes_and_bad_parts(void **state)
{
	(void)state;
	assert_int_equal(twc_vin_part_of_code(0xEE), 0);
	assert_int_equal(twc_vin_part_of_code(0xEF), 1);
	assert_int_equal(twc_vin_part_of_code(0xF1), 2);
	assert_int_equal(twc_vin_part_of_code(0xF0), -1);
	assert_int_equal(twc_vin_code_of_part(2), 0xF1);
	assert_int_equal(twc_vin_code_of_part(3), 0);
	struct twc_vin_parts v;
	twc_vin_parts_reset(&v);
	assert_int_equal(twc_vin_add_part(&v, 3, (const uint8_t *)"ABC", 3, NULL),
			 TWC_VIN_INCOMPLETE);
	assert_int_equal(twc_vin_add_part(&v, -1, NULL, 0, NULL), TWC_VIN_INCOMPLETE);
	assert_int_equal(v.have, 0);
	/* The same part twice is still one part. */
	twc_vin_add_part(&v, 0, (const uint8_t *)"5YJ3E1E", 7, NULL);
	assert_int_equal(twc_vin_add_part(&v, 0, (const uint8_t *)"5YJ3E1E", 7, NULL),
			 TWC_VIN_INCOMPLETE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digit),
		cmocka_unit_test(test_parts_in_any_order),
		cmocka_unit_test(test_all_zero_is_none_and_bad_is_invalid),
		cmocka_unit_test(test_codes_and_bad_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
