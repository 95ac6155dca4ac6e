#include "hame_family.h"

#include <stdio.h>
#include <string.h>

#include "venus_friendly_internal.h"

const char *const hame_off_on[2] = {"off", "on"};
const char *const hame_on_off[2] = {"on", "off"};

enum match { PREFIX, BASE, WHOLE };

/* Most specific first. */
static const struct {
	const char *pattern;
	enum match how;
	const struct hame_family *family;
} types[] = {
	{"VNSA", PREFIX, &hame_venus_ad_family},
	{"VNSD", PREFIX, &hame_venus_ad_family},
	{"HMG", PREFIX, &hame_venus_family},
	{"VNSE3", PREFIX, &hame_venus_family},
	{"VNSE4", PREFIX, &hame_venus_family},
	{"VDAC", PREFIX, &hame_venus_family},
	{"VEPRO", PREFIX, &hame_venus_family},
	{"VAAC2", PREFIX, &hame_venus_family},
	{"HMB", BASE, &hame_b2500_v1_family},
	{"HMA", BASE, &hame_b2500_v2_family},
	{"HMF", BASE, &hame_b2500_v2_family},
	{"HMK", BASE, &hame_b2500_v2_family},
	{"HMJ", BASE, &hame_b2500_v2_family},
	{"HMN", BASE, &hame_jupiter_family},
	{"HMM", BASE, &hame_jupiter_family},
	{"JPLS", BASE, &hame_jupiter_family},
	{"HME-2", WHOLE, &hame_ct002_family},
	{"HME-4", WHOLE, &hame_ct002_family},
	{"TPM-CN", WHOLE, &hame_ct002_family},
	{"TPM2-0", WHOLE, &hame_ct002_family},
	{"HME-3", WHOLE, &hame_ct003_family},
	{"HME-5", WHOLE, &hame_ct003_family},
	{"SMR", BASE, &hame_ct003_family},
	{"HMI", BASE, &hame_inverter_family},
};

static bool matches(const char *type, const char *pattern, enum match how)
{
	size_t n = strlen(pattern);
	switch (how) {
	case PREFIX:
		return strncmp(type, pattern, n) == 0;
	case WHOLE:
		return strcmp(type, pattern) == 0;
	case BASE: {
		const char *dash = strrchr(type, '-');
		return dash && (size_t)(dash - type) == n && strncmp(type, pattern, n) == 0 && dash[1] != '\0';
	}
	}
	return false;
}

const struct hame_family *hame_family_of(const char *type)
{
	if (!type)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (matches(type, types[i].pattern, types[i].how))
			return types[i].family;
	return NULL;
}

/* ---- friendly settings ---- */

static bool emit(struct venus_friendly *out, const char *prefix, const char *value, size_t n)
{
	size_t p = strlen(prefix);
	if (p + n > VENUS_COMMAND_MAX)
		return venus_friendly_refuse(out, "command longer than %d bytes", VENUS_COMMAND_MAX);
	memcpy(out->command, prefix, p);
	memcpy(out->command + p, value, n);
	out->command[p + n] = '\0';
	return true;
}

static bool setting_command(const struct hame_setting *set, const char *s, size_t n, struct venus_friendly *out)
{
	size_t digits = 0;
	char code[24];
	switch (set->kind) {
	case HAME_SET_PRESS:
		return emit(out, set->prefix, "", 0);
	case HAME_SET_NUMBER:
		if (!venus_friendly_whole_number(s, n, &digits))
			return venus_friendly_refuse(out, "%s must be a whole number", set->name);
		return emit(out, set->prefix, s, digits);
	case HAME_SET_SWITCH: {
		int on = venus_friendly_switch(s, n);
		if (on < 0)
			return venus_friendly_refuse(out, "%s must be on or off", set->name);
		const char *switch_code = on ? set->on_code : set->off_code;
		return emit(out, set->prefix, switch_code, strlen(switch_code));
	}
	case HAME_SET_WORDS: {
		char list[VENUS_ERROR_MAX / 2] = "";
		for (size_t i = 0; set->words[i]; i++) {
			if (venus_friendly_word_is(s, n, set->words[i])) {
				int w = snprintf(code, sizeof(code), "%lld", set->codes[i]);
				return emit(out, set->prefix, code, (size_t)w);
			}
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", set->words[i]);
		}
		return venus_friendly_refuse(out, "%s must be one of %s", set->name, list);
	}
	}
	return venus_friendly_refuse(out, "internal error: no kind for %s", set->name);
}

bool hame_friendly_command(const struct hame_family *family, const char *name, const void *value, size_t value_len,
			   struct venus_friendly *out)
{
	memset(out, 0, sizeof(*out));
	const char *s = value ? value : "";
	size_t n = value ? value_len : 0;
	venus_friendly_trim(&s, &n);
	if (!family || !family->settings)
		return venus_friendly_refuse(out, "no friendly settings for this family");
	for (size_t i = 0; name && i < family->n_settings; i++)
		if (strcmp(name, family->settings[i].name) == 0)
			return setting_command(&family->settings[i], s, n, out);
	size_t len = name ? strlen(name) : 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] >= 0x7f)
			return venus_friendly_refuse(out, "unknown setting for %s", family->model);
	bool cut = len > VENUS_FRIENDLY_SHOWN_MAX;
	return venus_friendly_refuse(out, "unknown setting %.*s%s for %s", cut ? VENUS_FRIENDLY_SHOWN_MAX : (int)len,
				     name ? name : "", cut ? "..." : "", family->model);
}
