/*
 * fuzz_spool: the spool file reader (journal.h) on any file. It refuses the
 * input, or every record it then hands out lies within the file, and
 * journaling those records again writes the very same file (the reader
 * accepts only what the writer makes). The seed is a spool of three
 * records (tests/fuzz/corpus/spool). Each input is read twice: as it is,
 * and resealed (its header's length and checksum made to match), so that
 * mutations reach the records behind the checksum.
 *
 * A violated promise traps, so libFuzzer reports it as a crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void check_one(const uint8_t *data, size_t size)
{
	const unsigned char *records;
	size_t len;
	char err[256];
	long count = eb_spool_check(data, size, &records, &len, err, sizeof(err));
	if (count < 0) {
		CHECK(err[0] != '\0');
		return;
	}
	CHECK(records == data + EB_SPOOL_HEADER_SIZE && len == size - EB_SPOOL_HEADER_SIZE);
	struct eb_journal j;
	eb_journal_init(&j, len + 1);
	size_t off = 0;
	long n = 0;
	struct eb_journal_entry e;
	while (eb_spool_next(records, len, &off, &e)) {
		CHECK(off <= len);
		CHECK(e.qos == 1 || e.qos == 2);
		CHECK(e.topic_len > 0 && (const unsigned char *)e.topic + e.topic_len <= records + len);
		CHECK(eb_journal_add(&j, &e));
		n++;
	}
	CHECK(n == count && off == len);
	const unsigned char *again;
	size_t again_len = eb_journal_pending(&j, &again);
	unsigned char header[EB_SPOOL_HEADER_SIZE];
	eb_spool_header(header, again, again_len);
	CHECK(again_len == len && (len == 0 || memcmp(again, records, len) == 0));
	CHECK(memcmp(header, data, sizeof(header)) == 0);
	eb_journal_free(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size);
	if (size < EB_SPOOL_HEADER_SIZE || size > 1 << 20)
		return 0;
	static uint8_t copy[1 << 20];
	memcpy(copy, data, size);
	size_t body = size - EB_SPOOL_HEADER_SIZE;
	uint32_t h = 2166136261u; /* FNV-1a, as journal.c */
	for (size_t i = EB_SPOOL_HEADER_SIZE; i < size; i++) {
		h ^= copy[i];
		h *= 16777619u;
	}
	for (int k = 0; k < 4; k++) {
		copy[12 + k] = (uint8_t)(body >> (8 * k));
		copy[16 + k] = (uint8_t)(h >> (8 * k));
	}
	check_one(copy, size);
	return 0;
}
