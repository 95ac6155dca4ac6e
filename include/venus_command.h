/*
 * venus_command: the gate keeper's reading of a Venus battery command.
 *
 * A command published to <vendor>/<type>/App/<id>/ctrl reaches a battery
 * whose firmware trusts it blindly, so the plugin lets through only what the
 * table of docs/venus.md allows: a known cd, exactly the keys of that
 * command, every value in range, nothing repeated, nothing trailing, at most
 * 256 printable bytes. Anything else is refused with one sentence that says
 * what is wrong (for example "cp must be within 300..2500"), meant to be
 * shown to the person who sent it.
 *
 * A command that passes is also normalised: the pairs keep the sender's order
 * and spelling ("cd=01" stays "cd=01"), except that bt and et are rewritten
 * as zero-padded HH:MM, because the device reads them by position and would
 * take "8:30" for 08:03.
 *
 * Integer values are an optional '-' (only where the range allows negative
 * numbers) followed by at most 10 digits: no '+', no spaces, no empty value,
 * no leading zero ("cp=0800", "cd=016": the battery's reading of those is
 * unknown). The one exception is the vendor's own spelling of cd as a zero
 * and one digit ("cd=01"), which is kept as written.
 *
 * Pure: no allocation, no I/O, no clock, no state between calls.
 */
#ifndef VENUS_COMMAND_H
#define VENUS_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

/* The longest command accepted, and the longest normalised text produced. */
#define VENUS_COMMAND_MAX 256
/* Room for any refusal reason, including its terminating NUL. */
#define VENUS_ERROR_MAX 160

enum venus_class {
	VENUS_READ,      /* asks the device for data; changes nothing */
	VENUS_SETTING,   /* changes a setting; rate limited */
	VENUS_DANGEROUS, /* reset or firmware update; admin users only */
};

struct venus_command {
	int cd;                                /* the command number, 0 on refusal */
	enum venus_class cls;                  /* meaningful only when accepted */
	char payload[VENUS_COMMAND_MAX + 1];   /* normalised text, "" on refusal */
	size_t payload_len;
	char error[VENUS_ERROR_MAX];           /* why it was refused, "" on success */
};

/*
 * Checks and normalises the command in bytes[0..len) (no terminating NUL
 * needed). Returns true and fills cd, cls and payload when the command may
 * be delivered; returns false and fills error otherwise. Never reads past
 * len, whatever the bytes are.
 */
bool venus_command_parse(const void *bytes, size_t len, struct venus_command *out);

/* "read", "setting" or "dangerous": for log lines. */
const char *venus_class_name(enum venus_class cls);

/*
 * True for the first-generation Venus types whose commands the table above
 * describes: the type begins with HMG, VNSE3, VNSA or VNSD (case as written
 * by the vendor). Other types pass through unchecked unless the options say
 * otherwise. NULL is not a Venus type.
 */
bool venus_type_is_first_generation(const char *type);

#endif
