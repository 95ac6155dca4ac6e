/*
 * fuzz_venus_command: the Venus command gate keeper (venus_command.h) and
 * the friendly commands that feed it (venus_friendly.h).
 *
 * Input: a command payload as an app would publish it ("cd=16,cp=800"),
 * passed without a terminating NUL. An input of the form
 * "set/<name>\n<value>" is, in addition, a friendly command: <name> is the
 * topic's text after set/ and <value> its payload. The seed corpus holds the
 * vendor's example commands (docs/venus.md) and one friendly command of
 * each name (docs/venus.md).
 *
 * Checked (a violation traps, so libFuzzer reports it as a crash):
 * - accepted: a known cd with the class of docs/venus.md, a payload of at
 *   most 256 printable bytes that differs from the input only by the
 *   zero padding of bt and et, and that parses again to itself;
 * - refused: cd 0, empty payload, and a non-empty printable error (it is
 *   published to the sender and logged);
 * - every other family's table (hame_family.h): the same verdict rules, and
 *   a delivered command passes again unchanged; friendly settings of each
 *   family give a command or a reason, never both;
 * - friendly: a command or an error, never both; the command, when the
 *   parser accepts it, has the cd of its name (a value cannot smuggle in
 *   another command), and goes through the same checks as above.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "hame_family.h"
#include "venus_command.h"
#include "venus_friendly.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define FRIENDLY_PREFIX "set/"
#define FRIENDLY_NAME_MAX 64

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
			return false;
	return true;
}

/* The class column of docs/venus.md. */
static enum venus_class expected_class(int cd)
{
	switch (cd) {
	case 1:
	case 10:
	case 14:
	case 19:
	case 26:
	case 42:
		return VENUS_READ;
	case 5:
	case 9:
	case 20:
	case 30:
	case 55:
		return VENUS_DANGEROUS;
	default:
		return VENUS_SETTING;
	}
}

static bool known_cd(int cd)
{
	static const int table[] = {1, 2, 3, 4, 5, 9, 10, 11, 14, 15, 16, 18, 19, 20, 26, 30, 42, 43, 55, 56, 59};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i] == cd)
			return true;
	return false;
}

/* Parses bytes and checks the verdict; returns it, with the result in *c. */
static bool parse_checked(const void *bytes, size_t len, struct venus_command *c)
{
	bool ok = venus_command_parse(bytes, len, c);
	size_t error_len = strnlen(c->error, sizeof(c->error));
	CHECK(error_len < sizeof(c->error));
	if (!ok) {
		CHECK(c->cd == 0 && c->payload[0] == '\0' && c->payload_len == 0);
		CHECK(error_len > 0 && printable(c->error, error_len));
		return false;
	}
	CHECK(error_len == 0);
	CHECK(known_cd(c->cd) && c->cls == expected_class(c->cd));
	CHECK(strcmp(venus_class_name(c->cls), "unknown") != 0);
	CHECK(c->payload_len <= VENUS_COMMAND_MAX && c->payload_len == strlen(c->payload));
	CHECK(printable(c->payload, c->payload_len));
	/* Only bt and et change (each can gain one leading zero), and dod=88 becomes dod=0. */
	CHECK(c->payload_len + 1 >= len && c->payload_len <= len + 2);
	if (c->payload_len == len)
		CHECK(memcmp(c->payload, bytes, len) == 0);

	/* Normalising is idempotent: what is delivered passes again, unchanged. */
	struct venus_command again;
	CHECK(venus_command_parse(c->payload, c->payload_len, &again));
	CHECK(again.cd == c->cd && again.cls == c->cls && again.payload_len == c->payload_len);
	CHECK(memcmp(again.payload, c->payload, c->payload_len) == 0);
	return true;
}

/* The cd each friendly name writes (venus_friendly.h); 0 for a name it does not know. */
static int friendly_cd(const char *name)
{
	static const struct {
		const char *name;
		int cd;
	} names[] = {
		{"working_mode", 2}, {"max_charging_power", 16}, {"max_discharge_power", 15},
		{"backup", 11},      {"sync_time", 4},           {"refresh", 1},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].cd;
	if (strncmp(name, "time_period/", strlen("time_period/")) == 0)
		return 3;
	return 0;
}

static void check_friendly(const uint8_t *data, size_t size)
{
	const size_t prefix_len = strlen(FRIENDLY_PREFIX);
	if (size < prefix_len || memcmp(data, FRIENDLY_PREFIX, prefix_len) != 0)
		return;
	const uint8_t *newline = memchr(data + prefix_len, '\n', size - prefix_len);
	if (!newline)
		return;
	size_t name_len = (size_t)(newline - data) - prefix_len;
	if (name_len > FRIENDLY_NAME_MAX || memchr(data + prefix_len, '\0', name_len))
		return; /* a topic level holds no NUL */
	char name[FRIENDLY_NAME_MAX + 1];
	memcpy(name, data + prefix_len, name_len);
	name[name_len] = '\0';
	const uint8_t *value = newline + 1;
	size_t value_len = size - (size_t)(value - data);

	/* The vendor's own example: 2023-02-02 23:56 (venus_friendly.h). */
	struct tm local_now = {.tm_year = 123, .tm_mon = 1, .tm_mday = 2, .tm_hour = 23, .tm_min = 56};
	struct venus_friendly f;
	bool ok = venus_friendly_command(name, value, value_len, &local_now, &f);
	size_t command_len = strnlen(f.command, sizeof(f.command));
	size_t error_len = strnlen(f.error, sizeof(f.error));
	CHECK(command_len < sizeof(f.command) && error_len < sizeof(f.error));
	if (!ok) {
		CHECK(command_len == 0 && error_len > 0);
		return;
	}
	CHECK(command_len > 0 && error_len == 0);
	CHECK(friendly_cd(name) != 0);

	struct venus_command c;
	if (parse_checked(f.command, command_len, &c))
		CHECK(c.cd == friendly_cd(name));
}

/* One type of each family (hame_family.h). */
static const char *const family_types[] = {"HMB-1", "HMA-1", "JPLS-8H", "HME-2", "HME-3", "HMI-1"};

/* Any family's table: a verdict with its reason, and a delivered command that passes again unchanged. */
static void check_families(const uint8_t *data, size_t size)
{
	for (size_t f = 0; f < sizeof(family_types) / sizeof(family_types[0]); f++) {
		const struct hame_family *family = hame_family_of(family_types[f]);
		CHECK(family != NULL);
		struct venus_command c, again;
		bool ok = hame_command_parse(family->commands, data, size, &c);
		size_t error_len = strnlen(c.error, sizeof(c.error));
		CHECK(error_len < sizeof(c.error));
		if (!ok) {
			CHECK(c.cd == 0 && c.payload_len == 0 && error_len > 0 && printable(c.error, error_len));
			continue;
		}
		CHECK(error_len == 0 && hame_command_knows_cd(family->commands, c.cd));
		CHECK(c.payload_len <= VENUS_COMMAND_MAX && printable(c.payload, c.payload_len));
		CHECK(hame_command_parse(family->commands, c.payload, c.payload_len, &again));
		CHECK(again.payload_len == c.payload_len && memcmp(again.payload, c.payload, c.payload_len) == 0);
		CHECK(again.cls == c.cls);
	}
	/* set/<name>\n<value>: a friendly setting of each family gives a command or a reason, never both */
	const size_t prefix_len = strlen(FRIENDLY_PREFIX);
	const uint8_t *newline = size > prefix_len ? memchr(data, '\n', size) : NULL;
	if (!newline || memcmp(data, FRIENDLY_PREFIX, prefix_len) != 0 ||
	    (size_t)(newline - data) - prefix_len > FRIENDLY_NAME_MAX)
		return;
	char name[FRIENDLY_NAME_MAX + 1];
	size_t name_len = (size_t)(newline - data) - prefix_len;
	memcpy(name, data + prefix_len, name_len);
	name[name_len] = '\0';
	for (size_t f = 0; f < sizeof(family_types) / sizeof(family_types[0]); f++) {
		struct venus_friendly out;
		bool ok = hame_friendly_command(hame_family_of(family_types[f]), name, newline + 1,
						size - (size_t)(newline + 1 - data), &out);
		CHECK(ok == (out.command[0] != '\0') && ok == (out.error[0] == '\0'));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct venus_command c;
	parse_checked(data, size, &c);
	check_friendly(data, size);
	check_families(data, size);
	return 0;
}
