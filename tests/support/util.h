/*
 * The small helpers of the tests, the benchmarks, the rigs and the TWC
 * simulator, written once: the monotonic clock, sleeping, polling for a
 * condition, a free port, searching text and reading a file. No broker, no
 * MQTT: the simulator links this alone.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in microseconds, milliseconds and seconds (one clock for the tests and twc_sim). */
int64_t eb_now_us(void);
int64_t eb_now_ms(void);
double eb_now_s(void);
/* Sleeps ms milliseconds. */
void eb_sleep_ms(int ms);
/* CLOCK_REALTIME ms from now, the deadline pthread_cond_timedwait takes. */
struct timespec eb_realtime_after_ms(int ms);
/*
 * Polls cond(arg) every 10 ms until it holds: true, or false when it still
 * does not after timeout_ms (not scaled: pass eb_timeout_ms(...) for the broker's waits).
 */
bool eb_poll(bool (*cond)(void *arg), void *arg, int timeout_ms);

/* A free loopback TCP port (nothing listens there once it returns), or -1. */
int eb_free_port(void);

/* Whether s starts with prefix. */
bool eb_starts_with(const char *s, const char *prefix);
/* Whether word is one of the space-separated words of words. */
bool eb_word_in(const char *words, const char *word);
/* How many times needle occurs in text (overlapping occurrences count). */
size_t eb_count(const char *text, const char *needle);
/* How many lines of text hold both a and b (b NULL: a alone). */
size_t eb_lines_with(const char *text, const char *a, const char *b);

/*
 * Copies text (size bytes) to out with every digit of its values changed
 * ('0' -> '1' ... '9' -> '0'; keys kept): a key=value reply of the same keys
 * and length whose every value differs.
 */
void eb_change_digits(const char *text, char *out, size_t size);

/* The whole file as a string (free it); "" when it cannot be read. */
char *eb_read_file(const char *path);

#endif
