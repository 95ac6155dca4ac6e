#include "telemetry_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

const char *eb_batch_message(const struct telemetry_batch *b, size_t i)
{
	static char buf[EB_BATCH_MESSAGE_MAX];
	assert_true(i < b->count);
	snprintf(buf, sizeof(buf), "%.*s", (int)b->messages[i].json_len, telemetry_message_json(b, i));
	return buf;
}

void eb_expect_refusal(const struct telemetry_batch *b, bool ok, const char *request, const char *error,
		       const char *path)
{
	if (ok || strcmp(b->error, error) != 0 || strcmp(b->path, path) != 0)
		fail_msg("request %s\n  expected refusal \"%s\" at \"%s\"\n  got %s \"%s\" at \"%s\"", request, error, path,
			 ok ? "acceptance" : "refusal", b->error, b->path);
	assert_int_equal(b->count, 0);
}
