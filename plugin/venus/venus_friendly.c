#include "venus_friendly.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eb_text.h"
#include "venus_friendly_internal.h"


/* Room for the text of any whole number below 1e15. */
#define NUMBER_TEXT_MAX 24

bool venus_friendly_refuse(struct venus_friendly *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	eb_verror(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	out->command[0] = '\0';
	return false;
}

__attribute__((format(printf, 2, 3)))
static bool emit(struct venus_friendly *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out->command, sizeof(out->command), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(out->command))
		return venus_friendly_refuse(out, "command longer than %d bytes", VENUS_COMMAND_MAX);
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void venus_friendly_trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

bool venus_friendly_word_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

int venus_friendly_switch(const char *s, size_t n)
{
	if (venus_friendly_word_is(s, n, "on") || venus_friendly_word_is(s, n, "true") ||
	    venus_friendly_word_is(s, n, "1"))
		return 1;
	if (venus_friendly_word_is(s, n, "off") || venus_friendly_word_is(s, n, "false") ||
	    venus_friendly_word_is(s, n, "0"))
		return 0;
	return -1;
}

bool venus_friendly_whole_number(const char *s, size_t n, size_t *digits)
{
	size_t i = (n > 0 && s[0] == '-') ? 1 : 0;
	size_t end = i;
	while (end < n && s[end] >= '0' && s[end] <= '9')
		end++;
	if (end == i)
		return false;
	if (end < n && s[end] != '.')
		return false;
	for (size_t j = end + 1; j < n; j++)
		if (s[j] != '0')
			return false;
	*digits = end;
	return true;
}

/* A whole number (venus_friendly_whole_number) as text of at most size - 1 bytes. */
static bool whole_number_text(const char *s, size_t n, char *text, size_t size)
{
	size_t digits;
	if (!venus_friendly_whole_number(s, n, &digits) || digits + 1 > size)
		return false;
	memcpy(text, s, digits);
	text[digits] = '\0';
	return true;
}

static bool watts_command(const char *name, const char *cmd_prefix, const char *s, size_t n,
			  struct venus_friendly *out)
{
	char text[VENUS_COMMAND_MAX + 1]; /* longer cannot make a command anyway */
	if (!whole_number_text(s, n, text, sizeof(text)))
		return venus_friendly_refuse(out, "%s must be a whole number of watts", name);
	return emit(out, "%s%s", cmd_prefix, text);
}

static bool working_mode(const char *s, size_t n, struct venus_friendly *out)
{
	static const char *const modes[] = {"automatic", "manual", "trading"};
	for (int md = 0; md < 3; md++)
		if (venus_friendly_word_is(s, n, modes[md]))
			return emit(out, "cd=2,md=%d", md);
	return venus_friendly_refuse(out, "working_mode must be one of automatic, manual, trading");
}

static bool backup(const char *s, size_t n, struct venus_friendly *out)
{
	int on = venus_friendly_switch(s, n);
	if (on < 0)
		return venus_friendly_refuse(out, "backup must be on or off");
	return emit(out, "cd=11,bc=%d", on);
}

static bool sync_time(const struct tm *now, struct venus_friendly *out)
{
	if (!now)
		return venus_friendly_refuse(out, "sync_time needs the broker's local time");
	return emit(out, "cd=4,yy=%d,mm=%d,rr=%d,hh=%d,mn=%d", now->tm_year, now->tm_mon,
		    now->tm_mday, now->tm_hour, now->tm_min);
}

/* A JSON number that is a whole number, as decimal text. */
static bool json_whole_number(const cJSON *item, const char *member, char *text, size_t size,
			      struct venus_friendly *out)
{
	if (!cJSON_IsNumber(item))
		return venus_friendly_refuse(out, "%s must be a number", member);
	double v = item->valuedouble;
	if (!(v > -1e15 && v < 1e15))
		return venus_friendly_refuse(out, "%s is out of range", member);
	long long whole = (long long)v;
	if ((double)whole != v)
		return venus_friendly_refuse(out, "%s must be a whole number", member);
	snprintf(text, size, "%lld", whole);
	return true;
}

/*
 * The time text goes into the command as written (the parser checks its
 * shape and range); only characters that could end the pair are kept out.
 */
static bool json_time(const cJSON *item, const char *member, const char **text,
		      struct venus_friendly *out)
{
	const char *s = cJSON_GetStringValue(item);
	size_t n = s ? strlen(s) : 0;
	bool ok = s && n > 0 && n <= 5;
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= '0' && s[i] <= '9') || s[i] == ':';
	if (!ok)
		return venus_friendly_refuse(out, "%s must be a time like 14:00", member);
	*text = s;
	return true;
}

static bool json_enabled(const cJSON *item, char *text, size_t size, struct venus_friendly *out)
{
	if (cJSON_IsBool(item)) {
		snprintf(text, size, "%d", cJSON_IsTrue(item) ? 1 : 0);
		return true;
	}
	if (cJSON_IsNumber(item))
		return json_whole_number(item, "enabled", text, size, out);
	return venus_friendly_refuse(out, "enabled must be true or false");
}

static const char *const period_members[] = {"start", "end", "weekdays", "power_w", "enabled"};
#define N_PERIOD_MEMBERS (sizeof(period_members) / sizeof(period_members[0]))
/* weekdays defaults to every day and enabled to true; the rest must be said. */
static const bool period_member_required[N_PERIOD_MEMBERS] = {true, true, false, true, false};

/* Refuses unknown and repeated members; fills found[] in period_members order. */
static bool collect_members(const cJSON *object, const cJSON *found[N_PERIOD_MEMBERS],
			    struct venus_friendly *out)
{
	for (const cJSON *item = object->child; item; item = item->next) {
		size_t m = 0;
		while (m < N_PERIOD_MEMBERS && strcmp(item->string, period_members[m]) != 0)
			m++;
		if (m == N_PERIOD_MEMBERS) {
			size_t n = strlen(item->string);
			bool printable = true;
			for (size_t i = 0; i < n; i++)
				printable = printable && item->string[i] >= 0x20 && item->string[i] < 0x7f;
			if (!printable)
				return venus_friendly_refuse(out, "unknown member in time_period");
			bool cut = n > VENUS_FRIENDLY_SHOWN_MAX;
			return venus_friendly_refuse(out, "unknown member %.*s%s in time_period",
						     cut ? VENUS_FRIENDLY_SHOWN_MAX : (int)n, item->string, cut ? "..." : "");
		}
		if (found[m])
			return venus_friendly_refuse(out, "repeated member %s in time_period", period_members[m]);
		found[m] = item;
	}
	for (size_t m = 0; m < N_PERIOD_MEMBERS; m++)
		if (period_member_required[m] && !found[m])
			return venus_friendly_refuse(out, "missing member %s in time_period", period_members[m]);
	return true;
}

static bool period_command(int number, const cJSON *object, struct venus_friendly *out)
{
	const cJSON *found[N_PERIOD_MEMBERS] = {NULL};
	if (!collect_members(object, found, out))
		return false;
	const char *start = NULL, *end = NULL;
	char weekdays[NUMBER_TEXT_MAX] = "127", power[NUMBER_TEXT_MAX], enabled[NUMBER_TEXT_MAX] = "1";
	if (!json_time(found[0], "start", &start, out) || !json_time(found[1], "end", &end, out))
		return false;
	if (found[2] && !json_whole_number(found[2], "weekdays", weekdays, sizeof(weekdays), out))
		return false;
	if (!json_whole_number(found[3], "power_w", power, sizeof(power), out))
		return false;
	if (found[4] && !json_enabled(found[4], enabled, sizeof(enabled), out))
		return false;
	return emit(out, "cd=3,md=1,nm=%d,bt=%s,et=%s,wk=%s,vv=%s,as=%s", number, start, end,
		    weekdays, power, enabled);
}

static bool time_period(const char *number_text, const char *s, size_t n,
			struct venus_friendly *out)
{
	if (strlen(number_text) != 1 || number_text[0] < '0' || number_text[0] > '9')
		return venus_friendly_refuse(out, "time_period number must be within 0..9");
	if (n > VENUS_FRIENDLY_VALUE_MAX)
		return venus_friendly_refuse(out, "time_period value longer than %d bytes", VENUS_FRIENDLY_VALUE_MAX);
	if (memchr(s, '\0', n))
		return venus_friendly_refuse(out, "time_period value contains a NUL byte");

	char text[VENUS_FRIENDLY_VALUE_MAX + 1];
	memcpy(text, s, n);
	text[n] = '\0';
	cJSON *root = cJSON_ParseWithOpts(text, NULL, true);
	bool ok;
	if (!cJSON_IsObject(root))
		ok = venus_friendly_refuse(out, "time_period value must be a JSON object like "
					   "{\"start\":\"14:00\",\"end\":\"17:00\",\"power_w\":800}");
	else
		ok = period_command(number_text[0] - '0', root, out);
	cJSON_Delete(root);
	return ok;
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s >= 0x7f)
			return false;
	return true;
}

bool venus_friendly_command(const char *name, const void *value, size_t value_len,
			    const struct tm *local_now, struct venus_friendly *out)
{
	memset(out, 0, sizeof(*out));
	const char *s = value ? value : "";
	size_t n = value ? value_len : 0;
	if (!name)
		return venus_friendly_refuse(out, "no setting name");
	static const char period_prefix[] = "time_period/";
	if (strncmp(name, period_prefix, sizeof(period_prefix) - 1) == 0)
		return time_period(name + sizeof(period_prefix) - 1, s, n, out);

	venus_friendly_trim(&s, &n);
	if (strcmp(name, "working_mode") == 0)
		return working_mode(s, n, out);
	if (strcmp(name, "max_charging_power") == 0)
		return watts_command(name, "cd=16,cp=", s, n, out);
	if (strcmp(name, "max_discharge_power") == 0)
		return watts_command(name, "cd=15,vs=", s, n, out);
	if (strcmp(name, "backup") == 0)
		return backup(s, n, out);
	if (strcmp(name, "sync_time") == 0)
		return sync_time(local_now, out);
	if (strcmp(name, "refresh") == 0)
		return emit(out, "cd=1");

	size_t name_len = strlen(name);
	if (!printable_ascii(name))
		return venus_friendly_refuse(out, "unknown setting");
	bool cut = name_len > VENUS_FRIENDLY_SHOWN_MAX;
	return venus_friendly_refuse(out, "unknown setting %.*s%s", cut ? VENUS_FRIENDLY_SHOWN_MAX : (int)name_len, name,
				     cut ? "..." : "");
}
