/*
 * hame_id: the encrypted device ids of recent B2500 firmware (docs/venus.md,
 * "Device ids").
 *
 * Some firmware (B2500 HMA/HMF/HMK 226.x, HMJ 108.x) writes its id in
 * topics as AES-128-CBC of its MAC text (the 12 hex digits as configured)
 * under a fixed key published by the vendor's app, zero IV, PKCS#7
 * padding: one block, 32 lower-case hex digits. The gate treats such an
 * id as any other (an opaque string of letters and digits); this module
 * only decodes it so that the state can name the device's MAC.
 *
 * hame_id_decode succeeds only for 32 hex digits that decrypt to exactly
 * 12 hex digits followed by valid padding; anything else (a plain MAC, a
 * cloud id, the 24-character salted ids of newer firmware, which cannot be
 * decoded) is left alone.
 *
 * Pure: no broker, no clock.
 */
#ifndef HAME_ID_H
#define HAME_ID_H

#include <stdbool.h>

#define HAME_MAC_LEN 12

/* Writes the MAC text (12 hex digits and a NUL) into mac; false when id is not an AES id. */
bool hame_id_decode(const char *id, char mac[HAME_MAC_LEN + 1]);

#endif
