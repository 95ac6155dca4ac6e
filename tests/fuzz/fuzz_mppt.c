/*
 * fuzz_mppt: the MPPT request translator (mppt.h) on any payload.
 *
 * Input: the request payload as a data logger would publish it (the seed
 * corpus holds the request of docs/mppt.md and its variants). The payload is
 * passed exactly as received, without a terminating NUL, so that a read past
 * its end is caught by AddressSanitizer.
 *
 * Checked (a violation traps, so libFuzzer reports it as a crash):
 * - on success: count <= max_items, no error, and every message is one JSON
 *   object that cJSON reads back whole, valid UTF-8, with the keys of
 *   docs/mppt.md in their order, and whose mppt_id is the message's topic
 *   level and cannot steer a topic; every watts is volts x amps rounded;
 * - on failure: no messages and a non-empty error;
 * - all or nothing: the same batch, translated again with max_items = 1,
 *   succeeds exactly when the first translation gave at most one message;
 *   with max_payload one byte short of the payload it always fails.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "fuzz_telemetry.h"
#include "mppt.h"

static const struct timespec now = {.tv_sec = 1568088788, .tv_nsec = 878000000};
static const struct telemetry_limits defaults = {.max_payload = 1 << 20, .max_items = 10000};

/* watts = volts x amps, rounded (docs/mppt.md); numbers print in forms that read back exactly. */
static void check_channel(const cJSON *channel)
{
	const cJSON *volts = cJSON_GetObjectItemCaseSensitive(channel, "volts");
	const cJSON *amps = cJSON_GetObjectItemCaseSensitive(channel, "amps");
	const cJSON *watts = cJSON_GetObjectItemCaseSensitive(channel, "watts");
	CHECK(cJSON_IsNumber(volts) && cJSON_IsNumber(amps) && cJSON_IsNumber(watts));
	CHECK(watts->valuedouble == telemetry_round4(volts->valuedouble * amps->valuedouble));
}

static void check_channels(const cJSON *array, int max)
{
	int n = cJSON_GetArraySize(array);
	CHECK(cJSON_IsArray(array) && n >= 1 && n <= max);
	for (const cJSON *channel = array->child; channel; channel = channel->next)
		check_channel(channel);
}

static void check_message(const struct telemetry_batch *b, size_t i, const char *sender)
{
	static const char *const keys[] = {"mppt_id", "sender", "time_event", "time_zone",
					   "time_processing"};
	static const char *const order[] = {"mppt_id", "pv", "battery", "load", "status",
					    "sender", "time_event", "time_zone", "time_processing"};
	const struct telemetry_message *m = &b->messages[i];

	fuzz_check_topic_level(m->id); /* what docs/mppt.md asks of mppt_id */
	cJSON *doc = fuzz_read_message(b, i);

	size_t k = 0;
	for (const cJSON *member = doc->child; member; member = member->next, k++)
		CHECK(k < sizeof(order) / sizeof(order[0]) && strcmp(member->string, order[k]) == 0);
	CHECK(k == sizeof(order) / sizeof(order[0]));
	for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
		CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, keys[j])));
	CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(doc, "mppt_id")->valuestring, m->id) == 0);
	CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(doc, "sender")->valuestring, sender) == 0);
	check_channels(cJSON_GetObjectItemCaseSensitive(doc, "pv"), 4);
	check_channel(cJSON_GetObjectItemCaseSensitive(doc, "battery"));
	check_channels(cJSON_GetObjectItemCaseSensitive(doc, "load"), 2);
	cJSON_Delete(doc);
}

static bool translate_checked(struct telemetry_batch *b, const uint8_t *data, size_t size,
			      const char *sender, const struct telemetry_limits *limits)
{
	bool ok = mppt_translate(b, (const char *)data, size, sender, now, limits);
	if (!fuzz_check_outcome(b, ok, limits))
		return false;
	for (size_t i = 0; i < b->count; i++)
		check_message(b, i, sender);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct telemetry_batch batch;
	telemetry_batch_init(&batch);

	bool ok = translate_checked(&batch, data, size, "S001", &defaults);
	size_t count = batch.count;

	/*
	 * Again in the same batch, as the broker reuses it, with a sender that
	 * needs escaping (quote, backslash, control character, non-ASCII).
	 */
	const struct telemetry_limits one_item = {.max_payload = size, .max_items = 1};
	bool ok_one = translate_checked(&batch, data, size, "S\"0\\0\x01\xc3\xa9", &one_item);
	CHECK(ok_one == (ok && count <= 1));
	if (ok_one)
		CHECK(batch.count == count);

	if (size > 0) {
		const struct telemetry_limits short_payload = {.max_payload = size - 1, .max_items = 10000};
		CHECK(!translate_checked(&batch, data, size, "S001", &short_payload));
	}

	telemetry_batch_free(&batch);
	return 0;
}
