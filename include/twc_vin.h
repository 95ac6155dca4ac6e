/*
 * twc_vin: putting a car's VIN together from the three replies of a wall
 * connector (FD EE: characters 1-7, FD EF: 8-14, FD F1: 15-17) and
 * deciding whether to believe it.
 *
 * Promises: a VIN comes out only when all three parts are in, every
 * character is one a VIN may carry (0-9, A-Z without I, O, Q) and the
 * check digit in position 9 matches (ISO 3779 / North American
 * transliteration and weights), as docs/twc.md asks: a VIN that fails is
 * discarded, even though some European VINs carry no valid check digit.
 * Seventeen zero bytes mean the car reports no VIN.
 */
#ifndef TWC_VIN_H
#define TWC_VIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWC_VIN_LEN 17
#define TWC_VIN_PARTS 3

enum twc_vin_result {
	TWC_VIN_INCOMPLETE, /* parts still missing */
	TWC_VIN_VALID,      /* vin_out holds the 17 characters */
	TWC_VIN_NONE,       /* all zero: the car reports none */
	TWC_VIN_INVALID     /* a bad character or check digit: discard */
};

struct twc_vin_parts {
	uint8_t raw[TWC_VIN_LEN];
	uint8_t have; /* bit p set: part p arrived */
};

void twc_vin_parts_reset(struct twc_vin_parts *v);
/* 0, 1, 2 for the reply codes EE, EF, F1 (also the request codes); -1 otherwise. */
int twc_vin_part_of_code(uint8_t code);
/* The request code (EE, EF, F1) of part 0..2. */
uint8_t twc_vin_code_of_part(int part);
/*
 * Stores part p from the reply's bytes after the sender id (n of them;
 * missing bytes count as zero). Once all parts are in, returns the verdict
 * and, for TWC_VIN_VALID, writes the VIN and a NUL to vin_out (18 bytes).
 */
enum twc_vin_result twc_vin_add_part(struct twc_vin_parts *v, int part, const uint8_t *chars,
				     size_t n, char *vin_out);
/* True when the 17 characters are VIN characters and position 9 checks. */
bool twc_vin_check_digit_ok(const char *vin);

#endif
