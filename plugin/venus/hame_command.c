#include "hame_command.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eb_text.h"
#include "venus_reply.h"

/* Each pair takes at least "k=v," (or a flag and a comma) so a 256-byte command has at most 128. */
#define MAX_PAIRS (VENUS_COMMAND_MAX / 2 + 1)
/* Ten digits hold every value of the tables and refuse absurd lengths early. */
#define MAX_DIGITS 10
/* How much of the sender's text an error repeats: enough to recognise it. */
#define SHOWN_MAX 32
/* The most optional groups a form has (B2500 cd=7: five time periods). */
#define MAX_GROUPS 8

struct pair {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
	bool bare; /* a token without '=' */
	const struct hame_key_rule *rule; /* set once the form is known */
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

static bool applies(const struct hame_command_table *table, const struct hame_command_form *form)
{
	return form->variants == 0 || (form->variants & table->variant) != 0;
}

static bool key_is(const struct pair *p, const char *key)
{
	/* Asked for every pair and rule: the first byte tells most keys apart before strlen. */
	return p->key_len > 0 && p->key[0] == key[0] && p->key_len == strlen(key) &&
	       memcmp(p->key, key, p->key_len) == 0;
}

static const struct pair *find_pair(const struct pair *pairs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (key_is(&pairs[i], key))
			return &pairs[i];
	return NULL;
}

/* A bare token is a pair only where some form of the table takes it as a flag. */
static bool table_has_flag(const struct hame_command_table *table, const char *s, size_t n)
{
	for (size_t f = 0; f < table->n_forms; f++)
		for (size_t k = 0; k < table->forms[f].n_keys; k++) {
			const struct hame_key_rule *r = &table->forms[f].keys[k];
			if (r->kind == HAME_VALUE_FLAG && strlen(r->key) == n && memcmp(r->key, s, n) == 0)
				return true;
		}
	return false;
}

/*
 * A number of the table: up to MAX_DIGITS digits, a '-' only where min < 0,
 * no leading zero ("0800", "-05": the device's own reading of such a number
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

/* Venus form: H:MM or HH:MM; false when the shape is wrong, range unchecked. */
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

/* B2500 form: one or two digits, ':', one or two digits. */
static bool parse_loose_time(const char *s, size_t n, int *hour, int *minute)
{
	const char *colon = memchr(s, ':', n);
	if (!colon)
		return false;
	size_t h = (size_t)(colon - s), m = n - h - 1;
	if (h < 1 || h > 2 || m < 1 || m > 2)
		return false;
	int parts[2] = {0, 0};
	for (size_t i = 0; i < n; i++) {
		if (s + i == colon)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return false;
		int *part = s + i < colon ? &parts[0] : &parts[1];
		*part = *part * 10 + (s[i] - '0');
	}
	*hour = parts[0];
	*minute = parts[1];
	return true;
}

static bool split_pairs(const struct hame_command_table *table, const char *s, size_t len, struct pair *pairs,
			size_t *count, struct venus_command *out)
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
		bool bare = !eq && table_has_flag(table, seg, seg_len);
		if (!bare && (!eq || eq == seg))
			return refuse(out, "malformed pair \"%.*s%s\"", shown_len(seg_len), seg,
				      shown_ellipsis(seg_len));
		size_t key_len = bare ? seg_len : (size_t)(eq - seg);
		if (!bare && key_len + 1 == seg_len)
			return refuse(out, "empty value for %.*s%s", shown_len(key_len), seg,
				      shown_ellipsis(key_len));
		if (n == MAX_PAIRS)
			return refuse(out, "more than %d pairs", MAX_PAIRS);
		pairs[n++] = (struct pair){seg, key_len, bare ? seg + seg_len : eq + 1,
					   bare ? 0 : seg_len - key_len - 1, bare, NULL};
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
			if (pairs[i].key_len == pairs[j].key_len && pairs[i].key[0] == pairs[j].key[0] &&
			    memcmp(pairs[i].key, pairs[j].key, pairs[i].key_len) == 0)
				return refuse(out, "repeated key %.*s%s", shown_len(pairs[i].key_len),
					      pairs[i].key, shown_ellipsis(pairs[i].key_len));
	return true;
}

bool hame_command_knows_cd(const struct hame_command_table *table, int cd)
{
	for (size_t i = 0; table && i < table->n_forms; i++)
		if (table->forms[i].cd == cd && applies(table, &table->forms[i]))
			return true;
	return false;
}

static bool read_cd(const struct hame_command_table *table, const struct pair *pairs, size_t n,
		    struct venus_command *out)
{
	if (!key_is(&pairs[0], "cd") || pairs[0].bare) {
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
	if (status != EB_INT_OK || value < INT_MIN || value > INT_MAX || !hame_command_knows_cd(table, (int)value))
		return refuse(out, "unknown cd %.*s%s", shown_len(cd->value_len), cd->value,
			      shown_ellipsis(cd->value_len));
	out->cd = (int)value;
	return true;
}

static bool form_matches(const struct hame_command_form *form, const struct pair *pairs, size_t n)
{
	const struct pair *p = form->selector ? find_pair(pairs, n, form->selector) : NULL;
	long long value = 0;
	switch (form->selection) {
	case HAME_SELECT_ONLY_FORM:
		return true;
	case HAME_SELECT_BY_PRESENCE:
		return p != NULL;
	case HAME_SELECT_BY_VALUE:
		/* Leading zeros are let through here so that the value's own check names them. */
		return p && !p->bare &&
		       eb_parse_int(p->value, p->value_len, &(struct eb_int_rule){.min = 0, .max = LLONG_MAX}, &value) ==
			       EB_INT_OK &&
		       value == form->selector_value;
	}
	return false;
}

/* Lists the selectors of cd's forms: "1, 2" or "vs, meter, dchrg". */
static void list_selectors(const struct hame_command_table *table, int cd, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < table->n_forms && len < size; i++) {
		const struct hame_command_form *f = &table->forms[i];
		if (f->cd != cd || !applies(table, f))
			continue;
		const char *sep = len ? ", " : "";
		int w = f->selection == HAME_SELECT_BY_VALUE
				? snprintf(buf + len, size - len, "%s%lld", sep, f->selector_value)
				: snprintf(buf + len, size - len, "%s%s", sep, f->selector);
		len += w > 0 ? (size_t)w : 0;
	}
}

static const struct hame_command_form *select_form(const struct hame_command_table *table, const struct pair *pairs,
						   size_t n, struct venus_command *out)
{
	const struct hame_command_form *first = NULL, *match = NULL;
	size_t candidates = 0, matches = 0;
	for (size_t i = 0; i < table->n_forms; i++) {
		const struct hame_command_form *f = &table->forms[i];
		if (f->cd != out->cd || !applies(table, f))
			continue;
		candidates++;
		first = first ? first : f;
		if (form_matches(f, pairs, n)) {
			matches++;
			match = match ? match : f;
		}
	}
	if (candidates == 1 || matches == 1)
		return candidates == 1 ? first : match;

	char choices[96];
	list_selectors(table, out->cd, choices, sizeof(choices));
	if (first->selection == HAME_SELECT_BY_VALUE) {
		if (!find_pair(pairs, n, first->selector))
			refuse(out, "missing key %s", first->selector);
		else
			refuse(out, "%s must be one of %s", first->selector, choices);
	} else {
		refuse(out, "cd=%d needs exactly one of %s", out->cd, choices);
	}
	return NULL;
}

/* Every key of the command belongs to the form; required keys are there; groups are whole. */
static bool match_keys(const struct hame_command_form *form, struct pair *pairs, size_t n,
		       struct venus_command *out)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t k = 0; k < form->n_keys && !pairs[i].rule; k++)
			if (key_is(&pairs[i], form->keys[k].key))
				pairs[i].rule = &form->keys[k];
		if (!pairs[i].rule)
			return refuse(out, "unknown key %.*s%s for %s", shown_len(pairs[i].key_len),
				      pairs[i].key, shown_ellipsis(pairs[i].key_len), form->label);
		bool flag = pairs[i].rule->kind == HAME_VALUE_FLAG;
		if (flag && !pairs[i].bare)
			return refuse(out, "%s takes no value", pairs[i].rule->key);
		if (!flag && pairs[i].bare)
			return refuse(out, "malformed pair \"%.*s%s\"", shown_len(pairs[i].key_len), pairs[i].key,
				      shown_ellipsis(pairs[i].key_len));
	}
	unsigned present[MAX_GROUPS + 1] = {0}, size[MAX_GROUPS + 1] = {0};
	for (size_t k = 0; k < form->n_keys; k++) {
		const struct hame_key_rule *r = &form->keys[k];
		bool found = find_pair(pairs, n, r->key) != NULL;
		if (r->group == 0 && !found)
			return refuse(out, "missing key %s", r->key);
		if (r->group > 0 && r->group <= MAX_GROUPS) {
			size[r->group]++;
			present[r->group] += found;
		}
	}
	unsigned complete = 0;
	for (int g = 1; g <= MAX_GROUPS; g++) {
		if (present[g] == 0)
			continue;
		if (present[g] != size[g]) {
			for (size_t k = 0; k < form->n_keys; k++)
				if (form->keys[k].group == g && !find_pair(pairs, n, form->keys[k].key))
					return refuse(out, "missing key %s", form->keys[k].key);
		}
		complete++;
	}
	if (complete < form->min_groups)
		return refuse(out, "%s needs at least %u complete group%s of keys", form->label, form->min_groups,
			      form->min_groups == 1 ? "" : "s");
	return true;
}

static void describe_choices(const struct hame_key_rule *rule, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	if (rule->extra) {
		for (size_t i = 0; i < rule->n_extra && len < size; i++) {
			int w = snprintf(buf + len, size - len, "%s%lld", len ? ", " : "", rule->extra[i]);
			len += w > 0 ? (size_t)w : 0;
		}
		return;
	}
	for (long long v = rule->min; v <= rule->max && len < size; v++) {
		int w = snprintf(buf + len, size - len, "%s%lld", len ? ", " : "", v);
		len += w > 0 ? (size_t)w : 0;
	}
}

static bool in_extra(const struct hame_key_rule *rule, long long v)
{
	for (size_t i = 0; rule->extra && i < rule->n_extra; i++)
		if (rule->extra[i] == v)
			return true;
	return false;
}

static bool check_integer(const struct pair *p, struct venus_command *out)
{
	const struct hame_key_rule *rule = p->rule;
	const char *key = rule->key;
	long long value = 0;
	if (has_leading_zero(p->value, p->value_len))
		return refuse(out, "%s must be written without leading zeros", key);
	if (rule->kind == HAME_VALUE_CHOICE) {
		bool ok = rule->extra ? parse_number(p, LLONG_MIN, LLONG_MAX, &value) == EB_INT_OK && in_extra(rule, value)
				      : parse_number(p, rule->min, rule->max, &value) == EB_INT_OK;
		if (ok)
			return true;
		char choices[96];
		describe_choices(rule, choices, sizeof(choices));
		return refuse(out, "%s must be one of %s", key, choices);
	}
	enum eb_int_status status = parse_number(p, rule->extra ? LLONG_MIN : rule->min,
						 rule->extra ? LLONG_MAX : rule->max, &value);
	if (status == EB_INT_OK && rule->extra && !in_extra(rule, value) && (value < rule->min || value > rule->max))
		status = EB_INT_OUT_OF_RANGE;
	if (status == EB_INT_NOT_A_NUMBER)
		return refuse(out, "%s must be an integer", key);
	if (status == EB_INT_TOO_LONG)
		return refuse(out, "%s has too many digits", key);
	if (status == EB_INT_OUT_OF_RANGE) {
		if (rule->extra) {
			char choices[96];
			describe_choices(rule, choices, sizeof(choices));
			return refuse(out, "%s must be %s or within %lld..%lld", key, choices, rule->min, rule->max);
		}
		return refuse(out, "%s must be within %lld..%lld", key, rule->min, rule->max);
	}
	if (rule->step > 1 && value % rule->step != 0)
		return refuse(out, "%s must be a multiple of %lld", key, rule->step);
	return true;
}

static bool check_value(const struct pair *p, const struct pair *pairs, size_t n, struct venus_command *out)
{
	const char *key = p->rule->key;
	int hour = 0, minute = 0;
	long long length = 0;
	switch (p->rule->kind) {
	case HAME_VALUE_RANGE:
	case HAME_VALUE_CHOICE:
		return check_integer(p, out);
	case HAME_VALUE_TIME:
		if (!parse_time(p->value, p->value_len, &hour, &minute))
			return refuse(out, "%s must be a time like 8:30 or 08:30", key);
		if (hour > 23 || minute > 59)
			return refuse(out, "%s must be within 0:00..23:59", key);
		return true;
	case HAME_VALUE_TIME_UNPADDED:
		if (!parse_loose_time(p->value, p->value_len, &hour, &minute))
			return refuse(out, "%s must be a time like 8:30", key);
		if (p->rule->max == 2400 && hour == 24 && minute == 0)
			return true;
		if (hour > 23 || minute > 59)
			return refuse(out, "%s must be within 0:00..%s", key, p->rule->max == 2400 ? "24:00" : "23:59");
		return true;
	case HAME_VALUE_URL_LENGTH: {
		/* match_keys has made sure that url is there */
		const struct pair *url = find_pair(pairs, n, "url");
		size_t url_len = url ? url->value_len : 0;
		if (has_leading_zero(p->value, p->value_len))
			return refuse(out, "%s must be written without leading zeros", key);
		if (parse_number(p, 0, LLONG_MAX, &length) != EB_INT_OK || (unsigned long long)length != url_len)
			return refuse(out, "%s must be the length of url (%zu)", key, url_len);
		return true;
	}
	case HAME_VALUE_URL:
	case HAME_VALUE_FLAG:
		return true; /* printable and comma-free already; a flag has no value */
	case HAME_VALUE_MAC:
		for (size_t i = 0; i < p->value_len; i++)
			if (eb_hex_digit(p->value[i]) < 0)
				return refuse(out, "%s must be 12 hexadecimal digits", key);
		if (p->value_len != 12)
			return refuse(out, "%s must be 12 hexadecimal digits", key);
		return true;
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

/* The value as delivered: times in the family's form, rewritten values replaced. */
static void append_value(struct venus_command *out, size_t *len, bool *overflow, const struct pair *p)
{
	int hour = 0, minute = 0;
	char text[24];
	int w = -1;
	long long v = 0;
	if (p->rule && p->rule->kind == HAME_VALUE_TIME && parse_time(p->value, p->value_len, &hour, &minute))
		w = (int)venus_clock_text(hour, minute, text); /* HH:MM, the most common rewrite: no printf */
	else if (p->rule && p->rule->kind == HAME_VALUE_TIME_UNPADDED &&
		 parse_loose_time(p->value, p->value_len, &hour, &minute))
		w = snprintf(text, sizeof(text), "%d:%d", hour, minute);
	else if (p->rule && p->rule->rewrite && parse_number(p, LLONG_MIN, LLONG_MAX, &v) == EB_INT_OK &&
		 v == p->rule->from)
		w = snprintf(text, sizeof(text), "%lld", p->rule->to);
	if (w > 0)
		append(out, len, overflow, text, (size_t)w);
	else
		append(out, len, overflow, p->value, p->value_len);
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
		if (p->bare)
			continue;
		append(out, &len, &overflow, "=", 1);
		append_value(out, &len, &overflow, p);
	}
	if (overflow) {
		out->payload[0] = '\0';
		return refuse(out, "command longer than %d bytes after normalisation", VENUS_COMMAND_MAX);
	}
	out->payload[len] = '\0';
	out->payload_len = len;
	return true;
}

static bool parse(const struct hame_command_table *table, const char *s, size_t len, struct venus_command *out)
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
	if (!split_pairs(table, s, len, pairs, &n, out) || !check_repeats(pairs, n, out) ||
	    !read_cd(table, pairs, n, out))
		return false;
	const struct hame_command_form *form = select_form(table, pairs, n, out);
	if (!form)
		return false;
	if (form->refused)
		return refuse(out, "cd=%d is refused for everyone on %s: %s", out->cd, table->family, form->refused);
	if (!match_keys(form, pairs, n, out))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!check_value(&pairs[i], pairs, n, out))
			return false;
	out->cls = form->cls;
	return write_normalised(pairs, n, out);
}

bool hame_command_parse(const struct hame_command_table *table, const void *bytes, size_t len,
			struct venus_command *out)
{
	memset(out, 0, sizeof(*out));
	bool ok;
	if (!table)
		ok = refuse(out, "no command table");
	else if (!bytes && len > 0)
		ok = refuse(out, "no command");
	else
		ok = parse(table, bytes, len, out);
	if (!ok) {
		out->cd = 0;
		out->cls = VENUS_READ;
		out->payload[0] = '\0';
		out->payload_len = 0;
	}
	return ok;
}
