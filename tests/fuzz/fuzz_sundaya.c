/*
 * fuzz_sundaya: the pms (JSON and CSV) and inverter translators (pms.h,
 * inverter.h) and the shared rounding (telemetry.h) on any input.
 *
 * Input: one selector byte, then the payload as a PMS or inverter would
 * publish it: selector % 3 picks pms JSON, pms CSV or inverter JSON (the
 * seed corpus holds the examples of docs/sundaya.md behind their selector).
 * The payload is passed without a terminating NUL, so that a read past its
 * end is caught by AddressSanitizer.
 *
 * Checked (a violation traps, so libFuzzer reports it as a crash):
 * - on success: count <= max_items, no error, every message one JSON object
 *   that cJSON reads back whole, valid UTF-8, whose first key holds the
 *   message's id and whose id (and pms pack id) cannot steer a topic;
 * - on failure: no messages and a non-empty error;
 * - all or nothing: again with max_items = 1 it succeeds exactly when the
 *   first gave at most one message; one byte short of max_payload it fails;
 * - R4: the fast rounding equals the one through printf's exact decimal
 *   expansion for the input's first eight bytes read as a double.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "fuzz_telemetry.h"
#include "inverter.h"
#include "pms.h"

static const struct timespec now = {.tv_sec = 1568088788, .tv_nsec = 878000000};

static void check_message(const struct telemetry_batch *b, size_t i, bool pms)
{
	const struct telemetry_message *m = &b->messages[i];
	fuzz_check_topic_level(m->id);
	if (pms)
		fuzz_check_topic_level(m->part);
	cJSON *doc = fuzz_read_message(b, i);
	const cJSON *first = doc->child;
	CHECK(first && strcmp(first->string, pms ? "pms_id" : "inverter_id") == 0);
	CHECK(cJSON_IsString(first) && strcmp(first->valuestring, m->id) == 0);
	if (pms) {
		const cJSON *pack = cJSON_GetObjectItemCaseSensitive(doc, "pack");
		CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "cell")) == PMS_CELLS);
		const cJSON *volts = cJSON_GetObjectItemCaseSensitive(pack, "volts");
		const cJSON *amps = cJSON_GetObjectItemCaseSensitive(pack, "amps");
		const cJSON *watts = cJSON_GetObjectItemCaseSensitive(pack, "watts");
		CHECK(cJSON_IsNumber(volts) && cJSON_IsNumber(amps) && cJSON_IsNumber(watts));
		CHECK(watts->valuedouble == telemetry_round4(volts->valuedouble * amps->valuedouble));
	}
	cJSON_Delete(doc);
}

static bool translate_checked(telemetry_translate_fn *translate, bool pms, struct telemetry_batch *b,
			      const uint8_t *data, size_t size, const struct telemetry_limits *limits)
{
	bool ok = translate(b, (const char *)data, size, "S\"0\\0\x01\xc3\xa9", now, limits);
	if (!fuzz_check_outcome(b, ok, limits))
		return false;
	for (size_t i = 0; i < b->count; i++)
		check_message(b, i, pms);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (size >= 9) {
		double x;
		memcpy(&x, data + 1, sizeof(x));
		double fast = telemetry_round4(x), slow = telemetry_round4_by_text(x);
		CHECK(isnan(x) ? isnan(fast) && isnan(slow) : fast == slow);
	}
	static telemetry_translate_fn *const translators[3] = {pms_translate, pms_translate_csv, inverter_translate};
	int which = data[0] % 3;
	telemetry_translate_fn *translate = translators[which];
	bool pms = which < 2;
	data++;
	size--;

	struct telemetry_batch batch;
	telemetry_batch_init(&batch);
	const struct telemetry_limits defaults = {.max_payload = 1 << 20, .max_items = 10000};
	bool ok = translate_checked(translate, pms, &batch, data, size, &defaults);
	size_t count = batch.count;
	const struct telemetry_limits one_item = {.max_payload = size, .max_items = 1};
	bool ok_one = translate_checked(translate, pms, &batch, data, size, &one_item);
	CHECK(ok_one == (ok && count <= 1));
	if (ok_one)
		CHECK(batch.count == count);
	if (size > 0) {
		const struct telemetry_limits short_payload = {.max_payload = size - 1, .max_items = 10000};
		CHECK(!translate_checked(translate, pms, &batch, data, size, &short_payload));
	}
	telemetry_batch_free(&batch);
	return 0;
}
