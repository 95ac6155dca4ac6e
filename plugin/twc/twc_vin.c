#include "twc_vin.h"

#include <string.h>

static const size_t part_offset[TWC_VIN_PARTS] = { 0, 7, 14 };
static const size_t part_length[TWC_VIN_PARTS] = { 7, 7, 3 };
static const uint8_t part_code[TWC_VIN_PARTS] = { 0xEE, 0xEF, 0xF1 };

void twc_vin_parts_reset(struct twc_vin_parts *v)
{
	memset(v, 0, sizeof(*v));
}

int twc_vin_part_of_code(uint8_t code)
{
	for (int p = 0; p < TWC_VIN_PARTS; p++) {
		if (part_code[p] == code)
			return p;
	}
	return -1;
}

uint8_t twc_vin_code_of_part(int part)
{
	return part >= 0 && part < TWC_VIN_PARTS ? part_code[part] : 0;
}

/* ISO 3779 transliteration; -1 for I, O, Q and anything else. */
static int vin_char_value(char c)
{
	static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
	static const int values[] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
				      5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9 };
	if (c >= '0' && c <= '9')
		return c - '0';
	for (size_t i = 0; letters[i] != '\0'; i++) {
		if (letters[i] == c)
			return values[i];
	}
	return -1;
}

bool twc_vin_check_digit_ok(const char *vin)
{
	static const int weight[TWC_VIN_LEN] = { 8, 7, 6, 5, 4, 3, 2, 10, 0,
						 9, 8, 7, 6, 5, 4, 3, 2 };
	if (vin == NULL)
		return false;
	int sum = 0;
	for (size_t i = 0; i < TWC_VIN_LEN; i++) {
		int value = vin_char_value(vin[i]);
		if (value < 0)
			return false;
		sum += value * weight[i];
	}
	int check = sum % 11;
	char expected = check == 10 ? 'X' : (char)('0' + check);
	return vin[8] == expected;
}

enum twc_vin_result twc_vin_add_part(struct twc_vin_parts *v, int part, const uint8_t *chars,
				     size_t n, char *vin_out)
{
	if (part < 0 || part >= TWC_VIN_PARTS)
		return TWC_VIN_INCOMPLETE;
	for (size_t i = 0; i < part_length[part]; i++)
		v->raw[part_offset[part] + i] = (chars != NULL && i < n) ? chars[i] : 0;
	v->have |= (uint8_t)(1u << part);
	if (v->have != (1u << TWC_VIN_PARTS) - 1u)
		return TWC_VIN_INCOMPLETE;

	bool all_zero = true;
	char text[TWC_VIN_LEN + 1];
	for (size_t i = 0; i < TWC_VIN_LEN; i++) {
		if (v->raw[i] != 0)
			all_zero = false;
		text[i] = (char)v->raw[i];
	}
	text[TWC_VIN_LEN] = '\0';
	if (all_zero)
		return TWC_VIN_NONE;
	/* A NUL inside stops nothing here: it simply is not a VIN character. */
	if (!twc_vin_check_digit_ok(text))
		return TWC_VIN_INVALID;
	if (vin_out != NULL)
		memcpy(vin_out, text, sizeof(text));
	return TWC_VIN_VALID;
}
