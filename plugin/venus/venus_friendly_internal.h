/*
 * venus_friendly_internal: the reading of a friendly setting's value that
 * the Venus settings (venus_friendly.c) and the other Hame families'
 * (hame_family.c) share, so that both accept the same words and numbers.
 * Not part of either module's promise (venus_friendly.h, hame_family.h).
 */
#ifndef VENUS_FRIENDLY_INTERNAL_H
#define VENUS_FRIENDLY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "venus_friendly.h"

/* How much of an unknown name an error repeats. */
#define VENUS_FRIENDLY_SHOWN_MAX 32

/* Sets out->error (and empties out->command); returns false. */
bool venus_friendly_refuse(struct venus_friendly *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Drops white space (space, tab, CR, LF) at both ends of s[0..*n). */
void venus_friendly_trim(const char **s, size_t *n);

/* s[0..n) is word, without regard to case. */
bool venus_friendly_word_is(const char *s, size_t n, const char *word);

/* on, true or 1: 1; off, false or 0: 0 (any case); anything else: -1. */
int venus_friendly_switch(const char *s, size_t n);

/*
 * A whole number as text: an optional '-', digits, and optionally a point
 * followed only by zeros ("800", "800.0", never "800.5"). *digits is the
 * length of the part before the point, which the caller copies as written
 * so that the command parser judges the number the user sent.
 */
bool venus_friendly_whole_number(const char *s, size_t n, size_t *digits);

#endif
