#include "venus_topic.h"

#include <string.h>

bool venus_words_contain(const char *words, const char *word)
{
	size_t n = strlen(word);
	if (n == 0)
		return false;
	for (const char *p = words; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Copies the next level of *topic into out (at most max bytes); false when empty or too long. */
static bool next_level(const char **topic, char *out, size_t max)
{
	size_t len = strcspn(*topic, "/");
	if (len == 0 || len > max)
		return false;
	memcpy(out, *topic, len);
	out[len] = '\0';
	*topic += len;
	if (**topic == '/')
		(*topic)++;
	return true;
}

static bool is_device_id(const char *id)
{
	size_t n = strlen(id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return n > 0;
}

static void parse_vendor_topic(const char *t, struct venus_topic *out)
{
	char direction[8];
	if (!next_level(&t, out->type, VENUS_TYPE_MAX) || !next_level(&t, direction, sizeof(direction) - 1) ||
	    !next_level(&t, out->id, VENUS_ID_MAX) || strcmp(t, "ctrl") != 0 || !is_device_id(out->id))
		return;
	if (strcmp(direction, "App") == 0)
		out->kind = VENUS_TOPIC_COMMAND;
	else if (strcmp(direction, "device") == 0)
		out->kind = VENUS_TOPIC_REPLY;
}

static void parse_prefix_topic(const char *t, struct venus_topic *out)
{
	out->kind = VENUS_TOPIC_OUTPUT;
	if (!next_level(&t, out->type, VENUS_TYPE_MAX) || !next_level(&t, out->id, VENUS_ID_MAX) ||
	    strncmp(t, "set/", 4) != 0 || !is_device_id(out->id))
		return;
	size_t len = strlen(t + 4);
	if (len == 0 || len > VENUS_SETTING_MAX)
		return;
	memcpy(out->setting, t + 4, len + 1);
	out->kind = VENUS_TOPIC_SET;
}

void venus_topic_parse(const char *topic, const char *vendors, const char *state_prefix, struct venus_topic *out)
{
	memset(out, 0, sizeof(*out));
	size_t prefix_len = strlen(state_prefix);
	if (strncmp(topic, state_prefix, prefix_len) == 0 && (topic[prefix_len] == '/' || topic[prefix_len] == '\0')) {
		parse_prefix_topic(topic + prefix_len + (topic[prefix_len] == '/'), out);
		return;
	}
	const char *t = topic;
	if (!next_level(&t, out->vendor, VENUS_VENDOR_MAX) || !venus_words_contain(vendors, out->vendor))
		return;
	parse_vendor_topic(t, out);
}
