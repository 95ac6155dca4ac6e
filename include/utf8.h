/*
 * utf8: strict UTF-8 validation, as MQTT and JSON require it.
 *
 * Overlong forms, UTF-16 surrogates and code points above U+10FFFF are
 * invalid: cJSON and the broker's own check accept some of them, and a
 * string that one consumer reads differently from another must not reach a
 * topic or a database.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* The offset of the first byte that is not valid UTF-8, or n when all are. */
size_t utf8_invalid_at(const char *s, size_t n);

#endif
