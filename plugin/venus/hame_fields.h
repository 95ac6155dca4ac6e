/*
 * hame_fields: the shorthand the family tables (hame_*.c) write their
 * command forms, key rules and reply fields in. Table files only.
 */
#ifndef HAME_FIELDS_H
#define HAME_FIELDS_H

#include "hame_family.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define KEYS(k) k, COUNT_OF(k)

/* Key rules */
#define RANGE(k, lo, hi) {.key = k, .kind = HAME_VALUE_RANGE, .min = lo, .max = hi}
#define CHOICE(k, lo, hi) {.key = k, .kind = HAME_VALUE_CHOICE, .min = lo, .max = hi}
#define ONE_OF(k, set) {.key = k, .kind = HAME_VALUE_CHOICE, .extra = set, .n_extra = COUNT_OF(set)}

/* Command forms; v: the variants bit mask (0: all) */
#define READ(cd, v) {cd, "cd=" #cd, VENUS_READ, HAME_SELECT_ONLY_FORM, NULL, 0, NULL, 0, 0, NULL, v}
#define DANGER(cd, v) {cd, "cd=" #cd, VENUS_DANGEROUS, HAME_SELECT_ONLY_FORM, NULL, 0, NULL, 0, 0, NULL, v}
#define FORM(cd, cls, keys, v) {cd, "cd=" #cd, cls, HAME_SELECT_ONLY_FORM, NULL, 0, keys, 0, NULL, v}
#define SETTING(cd, keys, v) {cd, "cd=" #cd, VENUS_SETTING, HAME_SELECT_ONLY_FORM, NULL, 0, keys, 0, NULL, v}
#define BY_KEY(cd, sel, keys, v) {cd, "cd=" #cd, VENUS_SETTING, HAME_SELECT_BY_PRESENCE, sel, 0, keys, 0, NULL, v}
#define REFUSED(cd, why, v) {cd, "cd=" #cd, VENUS_SETTING, HAME_SELECT_ONLY_FORM, NULL, 0, NULL, 0, 0, why, v}

/* Reply fields */
#define F_INT(raw, path) {raw, path, HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_SCALED(raw, path, d) {raw, path, HAME_FIELD_SCALED, d, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_TEXT(raw, path) {raw, path, HAME_FIELD_TEXT, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_BOOL(raw, path) {raw, path, HAME_FIELD_BOOL, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_ENUM(raw, path, list) {raw, path, HAME_FIELD_ENUM, 1, 0, 0, list, COUNT_OF(list), NULL, 0, NULL}
#define F_ENUM_OR(raw, path, list, other) {raw, path, HAME_FIELD_ENUM, 1, 0, 0, list, COUNT_OF(list), other, 0, NULL}
#define F_BIT(raw, path, b) {raw, path, HAME_FIELD_BIT, 1, 0, b, NULL, 0, NULL, 0, NULL}
#define F_BIT_WORD(raw, path, b, list) {raw, path, HAME_FIELD_BIT, 1, 0, b, list, COUNT_OF(list), NULL, 0, NULL}
#define F_INT8(raw, path, d) {raw, path, HAME_FIELD_INT8, d, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_RSSI(raw, path) {raw, path, HAME_FIELD_RSSI, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_TIME(raw, path) {raw, path, HAME_FIELD_TIME, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_PERIOD(raw, path) {raw, path, HAME_FIELD_PERIOD, 1, 0, 0, NULL, 0, NULL, 0, NULL}
#define F_PART(raw, part, path, d) {raw, path, HAME_FIELD_SCALED, d, part, 0, NULL, 0, NULL, 0, NULL}
#define F_PART_BOOL(raw, part, path) {raw, path, HAME_FIELD_BOOL, 1, part, 0, NULL, 0, NULL, 0, NULL}
#define F_CELLS(prefix, path, keys) {prefix, path, HAME_FIELD_CELL_STATS, 1, 0, 0, NULL, 0, NULL, keys, NULL}
#define F_SUM(raw, plus, path) {raw, path, HAME_FIELD_SUM, 1, 0, 0, NULL, 0, NULL, 0, plus}

extern const char *const hame_off_on[2];
extern const char *const hame_on_off[2];

#endif
