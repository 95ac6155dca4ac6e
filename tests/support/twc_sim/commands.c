#include "commands.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

#define MAX_WORDS 6

struct command {
	const char *name;
	int words; /* including the name */
	const char *usage;
	/* Returns NULL for "ok", else the reason of the error. */
	const char *(*run)(struct sim *sim, char **word, int64_t now_us);
};

static bool parse_unsigned(const char *text, unsigned long max, unsigned long *value)
{
	char *end;

	if (text[0] == '\0')
		return false;
	for (const char *p = text; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	*value = strtoul(text, &end, 10);
	return errno == 0 && *end == '\0' && *value <= max;
}

/* "16", "6.5", "3.54": amps with at most two decimals, as hundredths. */
static bool parse_centiamps(const char *text, uint32_t *centiamps)
{
	unsigned long whole = 0;
	unsigned long hundredths = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && whole <= 655)
		whole = whole * 10 + (unsigned long)(*p++ - '0');
	if (*p == '.') {
		p++;
		for (int digit = 0; digit < 2; digit++) {
			hundredths *= 10;
			if (*p >= '0' && *p <= '9')
				hundredths += (unsigned long)(*p++ - '0');
		}
	}
	if (*p != '\0' || whole * 100 + hundredths > UINT16_MAX)
		return false;
	*centiamps = (uint32_t)(whole * 100 + hundredths);
	return true;
}

static bool parse_on_off(const char *text, bool *on)
{
	if (strcmp(text, "on") == 0)
		*on = true;
	else if (strcmp(text, "off") == 0)
		*on = false;
	else
		return false;
	return true;
}

/* 1 to 4 hex digits, case-insensitive, as in --slave. */
static struct slave *find_slave(struct sim *sim, const char *text)
{
	size_t digits = strlen(text);

	if (digits == 0 || digits > 4)
		return NULL;
	for (size_t i = 0; i < digits; i++)
		if (!isxdigit((unsigned char)text[i]))
			return NULL;
	return slave_find(sim->slaves, sim->slave_count, (uint16_t)strtoul(text, NULL, 16));
}

static bool vin_ok(const char *vin)
{
	size_t len = strlen(vin);

	if (len == 0 || len > SLAVE_VIN_LENGTH)
		return false;
	for (size_t i = 0; i < len; i++)
		if (vin[i] <= ' ' || vin[i] > '~')
			return false;
	return true;
}

static const char *run_plug(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);

	(void)now_us;
	if (!s)
		return "unknown slave";
	if (strcmp(word[2], "-") == 0) {
		slave_plug(s, NULL);
		return NULL;
	}
	if (!vin_ok(word[2]))
		return "VIN must be 1 to 17 printable characters, or -";
	slave_plug(s, word[2]);
	return NULL;
}

static const char *run_charge(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	uint32_t centiamps;

	(void)now_us;
	if (!s)
		return "unknown slave";
	if (!parse_centiamps(word[2], &centiamps))
		return "amps must be a number from 0 to 655.35";
	return slave_charge(s, centiamps) ? NULL : "no car plugged in";
}

static const char *run_stop(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);

	(void)now_us;
	if (!s)
		return "unknown slave";
	return slave_stop(s) ? NULL : "no car plugged in";
}

static const char *run_unplug(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);

	(void)now_us;
	if (!s)
		return "unknown slave";
	slave_unplug(s);
	return NULL;
}

static const char *run_silence(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	bool on;

	(void)now_us;
	if (!s)
		return "unknown slave";
	if (!parse_on_off(word[2], &on))
		return "expected on or off";
	s->silenced = on;
	return NULL;
}

static const char *run_flood(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	bool on;

	if (!s)
		return "unknown slave";
	if (!parse_on_off(word[2], &on))
		return "expected on or off";
	slave_set_flood(s, on, now_us);
	return NULL;
}

static const char *run_noise(struct sim *sim, char **word, int64_t now_us)
{
	bool on;

	if (!parse_on_off(word[1], &on))
		return "expected on or off";
	bus_set_noise(&sim->bus, on, now_us);
	return NULL;
}

static const char *run_junk(struct sim *sim, char **word, int64_t now_us)
{
	bool on;

	(void)now_us;
	if (!parse_on_off(word[1], &on))
		return "expected on or off";
	sim->bus.junk = on;
	return NULL;
}

static const char *run_drop(struct sim *sim, char **word, int64_t now_us)
{
	(void)word;
	(void)now_us;
	if (!bus_connected(&sim->bus))
		return "no connection";
	bus_detach(&sim->bus);
	return NULL;
}

static const char *run_kwh(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	unsigned long kwh;

	(void)now_us;
	if (!s)
		return "unknown slave";
	if (!parse_unsigned(word[2], UINT32_MAX, &kwh))
		return "kWh must be a whole number from 0 to 4294967295";
	s->lifetime_kwh = (uint32_t)kwh;
	s->wh_towards_next_kwh = 0;
	return NULL;
}

static const char *run_volts(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	unsigned long volts[3];

	(void)now_us;
	if (!s)
		return "unknown slave";
	for (int phase = 0; phase < 3; phase++)
		if (!parse_unsigned(word[2 + phase], UINT16_MAX, &volts[phase]))
			return "volts must be whole numbers from 0 to 65535";
	for (int phase = 0; phase < 3; phase++)
		s->volts[phase] = (uint16_t)volts[phase];
	return NULL;
}

static const char *run_state(struct sim *sim, char **word, int64_t now_us)
{
	struct slave *s = find_slave(sim, word[1]);
	unsigned long state;

	(void)now_us;
	if (!s)
		return "unknown slave";
	if (!parse_unsigned(word[2], UINT8_MAX, &state))
		return "state must be a whole number from 0 to 255";
	slave_force_state(s, (uint8_t)state);
	return NULL;
}

static const char *run_quit(struct sim *sim, char **word, int64_t now_us)
{
	(void)word;
	(void)now_us;
	sim->quit = true;
	return NULL;
}

static const struct command commands[] = {
	{ "plug", 3, "plug <id> <VIN|->", run_plug },
	{ "charge", 3, "charge <id> <amps>", run_charge },
	{ "stop", 2, "stop <id>", run_stop },
	{ "unplug", 2, "unplug <id>", run_unplug },
	{ "silence", 3, "silence <id> on|off", run_silence },
	{ "flood", 3, "flood <id> on|off", run_flood },
	{ "noise", 2, "noise on|off", run_noise },
	{ "junk", 2, "junk on|off", run_junk },
	{ "drop", 1, "drop", run_drop },
	{ "kwh", 3, "kwh <id> <n>", run_kwh },
	{ "volts", 5, "volts <id> <a> <b> <c>", run_volts },
	{ "state", 3, "state <id> <n>", run_state },
	{ "quit", 1, "quit", run_quit },
};

void sim_run_command(struct sim *sim, char *line, int64_t now_us)
{
	char *word[MAX_WORDS + 1];
	int words = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (words == MAX_WORDS + 1) {
			words++;
			break;
		}
		word[words++] = w;
	}
	if (words == 0)
		return;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		if (strcmp(word[0], c->name) != 0)
			continue;
		if (words != c->words) {
			sim_say("error usage: %s", c->usage);
			return;
		}
		const char *reason = c->run(sim, word, now_us);
		if (reason)
			sim_say("error %s: %s", c->usage, reason);
		else
			sim_say("ok");
		return;
	}
	sim_say("error unknown command %.40s", word[0]);
}
