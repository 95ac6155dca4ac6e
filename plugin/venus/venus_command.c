#include "venus_command.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eb_text.h"

/*
 * The table of docs/venus.md as data. A cd may have several forms
 * (cd=3 is a time period or trading prices depending on md; cd=15 carries
 * exactly one of vs, meter, dchrg); each form lists every key it needs, and
 * a command must carry exactly those keys.
 */

enum value_kind {
	VALUE_RANGE,      /* integer within min..max */
	VALUE_CHOICE,     /* integer within min..max, reported as a set */
	VALUE_TIME,       /* H:MM or HH:MM, 0:00..23:59 */
	VALUE_URL_LENGTH, /* integer that must equal the byte length of url */
	VALUE_URL,        /* any printable text without commas */
};

struct key_rule {
	const char *key;
	enum value_kind kind;
	long long min;
	long long max;
};

/* How a form is told apart from the other forms of its cd. */
enum form_selection {
	SELECT_ONLY_FORM,  /* the cd has this one form */
	SELECT_BY_VALUE,   /* selector key has selector_value (cd=3 md) */
	SELECT_BY_PRESENCE /* selector key is present (cd=15) */
};

struct command_form {
	int cd;
	const char *label; /* names the form in "unknown key" errors */
	enum venus_class cls;
	enum form_selection selection;
	const char *selector;
	long long selector_value;
	const struct key_rule *keys;
	size_t n_keys;
};

static const struct key_rule keys_mode[] = {
	{"md", VALUE_CHOICE, 0, 2},
};
static const struct key_rule keys_time_period[] = {
	{"md", VALUE_CHOICE, 1, 1},
	{"nm", VALUE_RANGE, 0, 9},
	{"bt", VALUE_TIME, 0, 0},
	{"et", VALUE_TIME, 0, 0},
	{"wk", VALUE_RANGE, 0, 127},
	{"vv", VALUE_RANGE, -2500, 2500},
	{"as", VALUE_CHOICE, 0, 1},
};
static const struct key_rule keys_trading[] = {
	{"md", VALUE_CHOICE, 2, 2},
	{"id", VALUE_RANGE, INT32_MIN, INT32_MAX},
	{"in", VALUE_RANGE, INT32_MIN, INT32_MAX},
	{"on", VALUE_RANGE, INT32_MIN, INT32_MAX},
};
static const struct key_rule keys_clock[] = {
	{"yy", VALUE_RANGE, 0, 9999},
	{"mm", VALUE_RANGE, 0, 11},
	{"rr", VALUE_RANGE, 1, 31},
	{"hh", VALUE_RANGE, 0, 23},
	{"mn", VALUE_RANGE, 0, 59},
};
static const struct key_rule keys_reset[] = {{"rs", VALUE_CHOICE, 1, 2}};
static const struct key_rule keys_wifi_ota[] = {{"ot", VALUE_CHOICE, 0, 1}};
static const struct key_rule keys_backup[] = {{"bc", VALUE_CHOICE, 0, 1}};
static const struct key_rule keys_discharge[] = {{"vs", VALUE_RANGE, 0, 2500}};
static const struct key_rule keys_meter[] = {{"meter", VALUE_CHOICE, 0, 2}};
static const struct key_rule keys_phases[] = {{"dchrg", VALUE_CHOICE, 0, 1}};
static const struct key_rule keys_charge[] = {{"cp", VALUE_RANGE, 300, 2500}};
static const struct key_rule keys_firmware[] = {
	{"le", VALUE_URL_LENGTH, 0, 0},
	{"url", VALUE_URL, 0, 0},
};

#define KEYS(k) k, sizeof(k) / sizeof(k[0])

static const struct command_form forms[] = {
	{1, "cd=1", VENUS_READ, SELECT_ONLY_FORM, NULL, 0, NULL, 0},
	{2, "cd=2", VENUS_SETTING, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_mode)},
	{3, "cd=3,md=1", VENUS_SETTING, SELECT_BY_VALUE, "md", 1, KEYS(keys_time_period)},
	{3, "cd=3,md=2", VENUS_SETTING, SELECT_BY_VALUE, "md", 2, KEYS(keys_trading)},
	{4, "cd=4", VENUS_SETTING, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_clock)},
	{5, "cd=5", VENUS_DANGEROUS, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_reset)},
	{9, "cd=9", VENUS_DANGEROUS, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_wifi_ota)},
	{11, "cd=11", VENUS_SETTING, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_backup)},
	{15, "cd=15", VENUS_SETTING, SELECT_BY_PRESENCE, "vs", 0, KEYS(keys_discharge)},
	{15, "cd=15", VENUS_SETTING, SELECT_BY_PRESENCE, "meter", 0, KEYS(keys_meter)},
	{15, "cd=15", VENUS_SETTING, SELECT_BY_PRESENCE, "dchrg", 0, KEYS(keys_phases)},
	{16, "cd=16", VENUS_SETTING, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_charge)},
	{19, "cd=19", VENUS_READ, SELECT_ONLY_FORM, NULL, 0, NULL, 0},
	{20, "cd=20", VENUS_DANGEROUS, SELECT_ONLY_FORM, NULL, 0, KEYS(keys_firmware)},
};

#define N_FORMS (sizeof(forms) / sizeof(forms[0]))

/* Each pair takes at least "k=v," so a 256-byte command has at most 64. */
#define MAX_PAIRS (VENUS_COMMAND_MAX / 4 + 1)
/* Ten digits hold every value of the table and refuse absurd lengths early. */
#define MAX_DIGITS 10
/* How much of the sender's text an error repeats: enough to recognise it. */
#define SHOWN_MAX 32

struct pair {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
	const struct key_rule *rule; /* set once the form is known */
};

__attribute__((format(printf, 2, 3)))
static bool refuse(struct venus_command *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	eb_verror(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	return false;
}

static int shown_len(size_t n)
{
	return n > SHOWN_MAX ? SHOWN_MAX : (int)n;
}

static const char *shown_ellipsis(size_t n)
{
	return n > SHOWN_MAX ? "..." : "";
}

static bool key_is(const struct pair *p, const char *key)
{
	return p->key_len == strlen(key) && memcmp(p->key, key, p->key_len) == 0;
}

static const struct pair *find_pair(const struct pair *pairs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (key_is(&pairs[i], key))
			return &pairs[i];
	return NULL;
}

/*
 * A number of the table: up to MAX_DIGITS digits, a '-' only where min < 0,
 * no leading zero ("0800", "-05": the battery's own reading of such a number
 * is unknown, an octal 016 would be 14, so a value the gate checked as 16
 * could act as another; a lone "0" is fine).
 */
static enum eb_int_status parse_number(const struct pair *p, long long min, long long max, long long *value)
{
	return eb_parse_int(p->value, p->value_len,
			    &(struct eb_int_rule){.min = min, .max = max, .max_digits = MAX_DIGITS,
						  .refuse_leading_zeros = true},
			    value);
}

/* Digits (after an optional '-') with a leading zero: why parse_number said "not a number". */
static bool has_leading_zero(const char *s, size_t n)
{
	size_t i = n > 0 && s[0] == '-' ? 1 : 0;
	if (n - i < 2 || s[i] != '0')
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* H:MM or HH:MM; returns false when the shape is wrong, range unchecked. */
static bool parse_time(const char *s, size_t n, int *hour, int *minute)
{
	if (n != 4 && n != 5)
		return false;
	size_t colon = n - 3;
	for (size_t i = 0; i < n; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';
		if (i == colon ? s[i] != ':' : !digit)
			return false;
	}
	*hour = colon == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
	*minute = (s[colon + 1] - '0') * 10 + (s[colon + 2] - '0');
	return true;
}

static bool split_pairs(const char *s, size_t len, struct pair *pairs, size_t *count,
			struct venus_command *out)
{
	size_t n = 0;
	size_t start = 0;
	for (;;) {
		size_t end = start;
		while (end < len && s[end] != ',')
			end++;
		const char *seg = s + start;
		size_t seg_len = end - start;
		if (seg_len == 0) {
			if (end == len)
				return refuse(out, "trailing comma");
			return refuse(out, "empty pair at offset %zu", start);
		}
		const char *eq = memchr(seg, '=', seg_len);
		if (!eq || eq == seg)
			return refuse(out, "malformed pair \"%.*s%s\"", shown_len(seg_len), seg,
				      shown_ellipsis(seg_len));
		size_t key_len = (size_t)(eq - seg);
		if (key_len + 1 == seg_len)
			return refuse(out, "empty value for %.*s%s", shown_len(key_len), seg,
				      shown_ellipsis(key_len));
		if (n == MAX_PAIRS)
			return refuse(out, "more than %d pairs", MAX_PAIRS);
		pairs[n++] = (struct pair){seg, key_len, eq + 1, seg_len - key_len - 1, NULL};
		if (end == len)
			break;
		start = end + 1;
	}
	*count = n;
	return true;
}

static bool check_repeats(const struct pair *pairs, size_t n, struct venus_command *out)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (pairs[i].key_len == pairs[j].key_len &&
			    memcmp(pairs[i].key, pairs[j].key, pairs[i].key_len) == 0)
				return refuse(out, "repeated key %.*s%s", shown_len(pairs[i].key_len),
					      pairs[i].key, shown_ellipsis(pairs[i].key_len));
	return true;
}

static bool read_cd(const struct pair *pairs, size_t n, struct venus_command *out)
{
	if (!key_is(&pairs[0], "cd")) {
		if (find_pair(pairs, n, "cd"))
			return refuse(out, "cd must be the first key");
		return refuse(out, "missing key cd");
	}
	const struct pair *cd = &pairs[0];
	long long value = 0;
	/* The vendor's own spelling "cd=01" (one zero, one digit) reads the same in any base. */
	bool vendor_spelling = cd->value_len == 2 && cd->value[0] == '0';
	enum eb_int_status status =
		eb_parse_int(cd->value, cd->value_len,
			     &(struct eb_int_rule){.min = LLONG_MIN, .max = LLONG_MAX, .max_digits = MAX_DIGITS,
						   .refuse_leading_zeros = !vendor_spelling},
			     &value);
	if (status == EB_INT_NOT_A_NUMBER && has_leading_zero(cd->value, cd->value_len))
		return refuse(out, "cd must be written without leading zeros");
	if (status == EB_INT_NOT_A_NUMBER)
		return refuse(out, "cd must be a number");
	bool known = false;
	for (size_t i = 0; status == EB_INT_OK && i < N_FORMS; i++)
		known = known || forms[i].cd == value;
	if (!known)
		return refuse(out, "unknown cd %.*s%s", shown_len(cd->value_len), cd->value,
			      shown_ellipsis(cd->value_len));
	out->cd = (int)value;
	return true;
}

static bool form_matches(const struct command_form *form, const struct pair *pairs, size_t n)
{
	const struct pair *p = form->selector ? find_pair(pairs, n, form->selector) : NULL;
	long long value = 0;
	switch (form->selection) {
	case SELECT_ONLY_FORM:
		return true;
	case SELECT_BY_PRESENCE:
		return p != NULL;
	case SELECT_BY_VALUE:
		/* Leading zeros are let through here so that the value's own check names them. */
		return p &&
		       eb_parse_int(p->value, p->value_len, &(struct eb_int_rule){.min = 0, .max = LLONG_MAX}, &value) ==
			       EB_INT_OK &&
		       value == form->selector_value;
	}
	return false;
}

/* Lists the selectors of cd's forms: "1, 2" or "vs, meter, dchrg". */
static void list_selectors(int cd, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_FORMS && len < size; i++) {
		if (forms[i].cd != cd)
			continue;
		const char *sep = len ? ", " : "";
		int w = forms[i].selection == SELECT_BY_VALUE
				? snprintf(buf + len, size - len, "%s%lld", sep, forms[i].selector_value)
				: snprintf(buf + len, size - len, "%s%s", sep, forms[i].selector);
		len += w > 0 ? (size_t)w : 0;
	}
}

static const struct command_form *select_form(const struct pair *pairs, size_t n,
					      struct venus_command *out)
{
	const struct command_form *first = NULL, *match = NULL;
	size_t candidates = 0, matches = 0;
	for (size_t i = 0; i < N_FORMS; i++) {
		if (forms[i].cd != out->cd)
			continue;
		candidates++;
		first = first ? first : &forms[i];
		if (form_matches(&forms[i], pairs, n)) {
			matches++;
			match = match ? match : &forms[i];
		}
	}
	if (candidates == 1 || matches == 1)
		return candidates == 1 ? first : match;

	char choices[64];
	list_selectors(out->cd, choices, sizeof(choices));
	if (first->selection == SELECT_BY_VALUE) {
		if (!find_pair(pairs, n, first->selector))
			refuse(out, "missing key %s", first->selector);
		else
			refuse(out, "%s must be one of %s", first->selector, choices);
	} else {
		refuse(out, "cd=%d needs exactly one of %s", out->cd, choices);
	}
	return NULL;
}

/* Every key of the command belongs to the form and every key of the form is there. */
static bool match_keys(const struct command_form *form, struct pair *pairs, size_t n,
		       struct venus_command *out)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t k = 0; k < form->n_keys && !pairs[i].rule; k++)
			if (key_is(&pairs[i], form->keys[k].key))
				pairs[i].rule = &form->keys[k];
		if (!pairs[i].rule)
			return refuse(out, "unknown key %.*s%s for %s", shown_len(pairs[i].key_len),
				      pairs[i].key, shown_ellipsis(pairs[i].key_len), form->label);
	}
	for (size_t k = 0; k < form->n_keys; k++)
		if (!find_pair(pairs, n, form->keys[k].key))
			return refuse(out, "missing key %s", form->keys[k].key);
	return true;
}

static void describe_choices(const struct key_rule *rule, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (long long v = rule->min; v <= rule->max && len < size; v++) {
		int w = snprintf(buf + len, size - len, "%s%lld", len ? ", " : "", v);
		len += w > 0 ? (size_t)w : 0;
	}
}

static bool check_integer(const struct pair *p, struct venus_command *out)
{
	const struct key_rule *rule = p->rule;
	const char *key = rule->key;
	long long value = 0;
	enum eb_int_status status = parse_number(p, rule->min, rule->max, &value);
	if (status == EB_INT_OK)
		return true;
	if (status == EB_INT_NOT_A_NUMBER && has_leading_zero(p->value, p->value_len))
		return refuse(out, "%s must be written without leading zeros", key);
	if (rule->kind == VALUE_CHOICE) {
		char choices[48];
		describe_choices(rule, choices, sizeof(choices));
		return refuse(out, "%s must be one of %s", key, choices);
	}
	if (status == EB_INT_NOT_A_NUMBER)
		return refuse(out, "%s must be an integer", key);
	if (status == EB_INT_TOO_LONG)
		return refuse(out, "%s has too many digits", key);
	return refuse(out, "%s must be within %lld..%lld", key, rule->min, rule->max);
}

static bool check_value(const struct pair *p, const struct pair *pairs, size_t n,
			struct venus_command *out)
{
	const char *key = p->rule->key;
	int hour = 0, minute = 0;
	long long length = 0;
	switch (p->rule->kind) {
	case VALUE_RANGE:
	case VALUE_CHOICE:
		return check_integer(p, out);
	case VALUE_TIME:
		if (!parse_time(p->value, p->value_len, &hour, &minute))
			return refuse(out, "%s must be a time like 8:30 or 08:30", key);
		if (hour > 23 || minute > 59)
			return refuse(out, "%s must be within 0:00..23:59", key);
		return true;
	case VALUE_URL_LENGTH: {
		/* match_keys has made sure that url is there */
		const struct pair *url = find_pair(pairs, n, "url");
		size_t url_len = url ? url->value_len : 0;
		if (has_leading_zero(p->value, p->value_len))
			return refuse(out, "%s must be written without leading zeros", key);
		if (parse_number(p, 0, LLONG_MAX, &length) != EB_INT_OK || (unsigned long long)length != url_len)
			return refuse(out, "%s must be the length of url (%zu)", key, url_len);
		return true;
	}
	case VALUE_URL:
		return true; /* printable and comma-free already */
	}
	return refuse(out, "internal error: no rule for %s", key);
}

static void append(struct venus_command *out, size_t *len, bool *overflow, const char *s, size_t n)
{
	if (*len + n > VENUS_COMMAND_MAX) {
		*overflow = true;
		return;
	}
	memcpy(out->payload + *len, s, n);
	*len += n;
}

static bool write_normalised(const struct pair *pairs, size_t n, struct venus_command *out)
{
	size_t len = 0;
	bool overflow = false;
	for (size_t i = 0; i < n; i++) {
		const struct pair *p = &pairs[i];
		if (i > 0)
			append(out, &len, &overflow, ",", 1);
		append(out, &len, &overflow, p->key, p->key_len);
		append(out, &len, &overflow, "=", 1);
		int hour = 0, minute = 0;
		if (p->rule && p->rule->kind == VALUE_TIME &&
		    parse_time(p->value, p->value_len, &hour, &minute)) {
			char padded[8];
			int w = snprintf(padded, sizeof(padded), "%02d:%02d", hour, minute);
			append(out, &len, &overflow, padded, (size_t)w);
		} else {
			append(out, &len, &overflow, p->value, p->value_len);
		}
	}
	if (overflow) {
		out->payload[0] = '\0';
		return refuse(out, "command longer than %d bytes after normalisation",
			      VENUS_COMMAND_MAX);
	}
	out->payload[len] = '\0';
	out->payload_len = len;
	return true;
}

static bool parse(const char *s, size_t len, struct venus_command *out)
{
	if (len == 0)
		return refuse(out, "empty command");
	if (len > VENUS_COMMAND_MAX)
		return refuse(out, "command longer than %d bytes", VENUS_COMMAND_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return refuse(out, "non-printable byte 0x%02x at offset %zu", c, i);
	}

	struct pair pairs[MAX_PAIRS];
	size_t n = 0;
	if (!split_pairs(s, len, pairs, &n, out) || !check_repeats(pairs, n, out) ||
	    !read_cd(pairs, n, out))
		return false;
	const struct command_form *form = select_form(pairs, n, out);
	if (!form || !match_keys(form, pairs, n, out))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!check_value(&pairs[i], pairs, n, out))
			return false;
	out->cls = form->cls;
	return write_normalised(pairs, n, out);
}

bool venus_command_parse(const void *bytes, size_t len, struct venus_command *out)
{
	memset(out, 0, sizeof(*out));
	if (!bytes && len > 0)
		return refuse(out, "no command");
	bool ok = parse(bytes, len, out);
	if (!ok) {
		out->cd = 0;
		out->cls = VENUS_READ;
		out->payload[0] = '\0';
		out->payload_len = 0;
	}
	return ok;
}

const char *venus_class_name(enum venus_class cls)
{
	switch (cls) {
	case VENUS_READ: return "read";
	case VENUS_SETTING: return "setting";
	case VENUS_DANGEROUS: return "dangerous";
	}
	return "unknown";
}

bool venus_type_is_first_generation(const char *type)
{
	static const char *const prefixes[] = {"HMG", "VNSE3", "VNSA", "VNSD"};
	if (!type)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(type, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
