/*
 * hame_family: which Hame/Marstek family a device type belongs to, and
 * what the plugin knows about that family (docs/venus.md, "Families").
 *
 * The same brokers carry the Venus home batteries, the B2500 balcony
 * batteries (two generations), the Jupiter batteries, the CT002 and CT003
 * smart meters and the HMI micro-inverters, and the same cd means
 * different things per family. A type ("HMA-1", "JPLS-8H", "HME-4") names
 * its family: hame_family_of gives the family's command table (the gate
 * checks every command against it), its reply kinds (how its replies turn
 * into JSON), and its friendly settings (set/<name> topics). A type that no
 * family describes gets NULL: the bridge refuses its commands unless
 * plugin_opt_venus_strict_types is off.
 *
 * Types are matched as the vendor writes them (case matters): the Venus
 * first generation by prefix (HMG, VNSE3, VNSE4, VNSA, VNSD, VDAC, VEPRO,
 * VAAC2), the others by the part before the last '-' (HMB, HMA, HMF, HMK,
 * HMJ, HMN, HMM, JPLS, HMI, SMR) or whole (HME-2, HME-4, TPM-CN, TPM2-0 for
 * the CT002; HME-3, HME-5 for the CT003). Second-generation Venus types
 * (VENX, VNSG, ...) use other command numbers: they are not described.
 *
 * Pure: data and lookups.
 */
#ifndef HAME_FAMILY_H
#define HAME_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

#include "hame_command.h"
#include "hame_translate.h"
#include "venus_friendly.h"

/* How a friendly setting's value becomes the command: prefix + the value's text. */
enum hame_setting_kind {
	HAME_SET_NUMBER, /* a whole number ("800", "800.0") appended */
	HAME_SET_WORDS,  /* one of words[] (any case), its code appended */
	HAME_SET_SWITCH, /* on/off, true/false, 1/0: on_code or off_code appended */
	HAME_SET_PRESS,  /* any value: the prefix is the whole command */
};

struct hame_setting {
	const char *name;          /* set/<name> */
	enum hame_setting_kind kind;
	const char *prefix;        /* "cd=19,md=" */
	const char *const *words;  /* WORDS: NULL-terminated */
	const long long *codes;    /* WORDS: the code of each word */
	const char *on_code, *off_code; /* SWITCH */
};

struct hame_family {
	const char *name;          /* "venus", "b2500", "jupiter", "ct002", "ct003", "inverter" */
	const char *model;         /* for people: "B2500 (second generation)" */
	const struct hame_command_table *commands;
	const struct hame_reply_kind *replies; /* NULL: the Venus information reply (venus_state.h) */
	size_t n_replies;
	const struct hame_reply_kind *venus_extra; /* Venus: the kinds besides the information reply */
	size_t n_venus_extra;
	const struct hame_setting *settings;  /* NULL for Venus: venus_friendly.h */
	size_t n_settings;
	bool aes_ids;              /* its firmware may use AES ids (hame_id.h) */
};

/* The family of a device type, or NULL when no table describes the type. */
const struct hame_family *hame_family_of(const char *type);

/*
 * The vendor command of a friendly setting of family (whose settings are
 * not NULL): name is the topic's text after set/, value[0..value_len) the
 * payload. True with out->command set, or false with out->error set. The
 * command still goes through the gate (ranges are the table's).
 */
bool hame_friendly_command(const struct hame_family *family, const char *name, const void *value, size_t value_len,
			   struct venus_friendly *out);

/* The families' tables (hame_venus.c, hame_b2500.c, hame_jupiter.c, hame_meter.c, hame_inverter.c). */
extern const struct hame_command_table venus_commands;
extern const struct hame_family hame_venus_family, hame_venus_ad_family, hame_b2500_v1_family, hame_b2500_v2_family,
	hame_jupiter_family, hame_ct002_family, hame_ct003_family, hame_inverter_family;

#endif
