#include "fuzz_telemetry.h"

#include <string.h>

#include "utf8.h"

void fuzz_check_topic_level(const char *id)
{
	size_t n = strnlen(id, TELEMETRY_ID_MAX + 1);
	CHECK(n >= 1 && n <= TELEMETRY_ID_MAX);
	CHECK(utf8_invalid_at(id, n) == n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		CHECK(c != '/' && c != '+' && c != '#' && c >= 0x20 && c != 0x7F);
	}
}

bool fuzz_check_outcome(const struct telemetry_batch *b, bool ok, const struct telemetry_limits *limits)
{
	CHECK(memchr(b->error, '\0', sizeof(b->error)) != NULL);
	CHECK(memchr(b->path, '\0', sizeof(b->path)) != NULL);
	if (!ok) {
		CHECK(b->count == 0 && b->error[0] != '\0');
		return false;
	}
	CHECK(b->error[0] == '\0' && b->count <= limits->max_items);
	return true;
}

cJSON *fuzz_read_message(const struct telemetry_batch *b, size_t i)
{
	const struct telemetry_message *m = &b->messages[i];
	CHECK(m->json_len > 0 && m->json_offset <= b->text.len && m->json_len <= b->text.len - m->json_offset);
	const char *json = telemetry_message_json(b, i);
	CHECK(utf8_invalid_at(json, m->json_len) == m->json_len);
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(json, m->json_len, &end, false);
	CHECK(doc != NULL && cJSON_IsObject(doc));
	CHECK(end == json + m->json_len); /* exactly one document, nothing after it */
	return doc;
}
