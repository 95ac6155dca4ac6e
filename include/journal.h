/*
 * journal: the plugin's QoS 1 and 2 publishes that the broker may not have
 * queued yet, and the spool file format that keeps them across a stop.
 *
 * mosquitto_broker_publish() only appends to a list that the broker's main
 * loop moves into its database at the top of its next pass. When the broker
 * stops (SIGTERM) it finishes the pass it is in, saves its persistence file,
 * and only then unloads the plugin: what the plugin published during that
 * last pass was never queued, saved or sent (Mosquitto 2.0 and 2.1 alike).
 * The journal keeps each publish until the broker has certainly queued it:
 * eb_journal_tick() is called from a TICK callback, and between two calls of
 * one TICK callback the broker always starts a new pass (2.0 ticks at the end
 * of a pass, 2.1 before reading the clients), so what was journaled before
 * the previous tick is queued by then and dropped. At the plugin's cleanup
 * what is left (at most two ticks' worth) goes to the spool file, which the
 * next start publishes again: a message may then arrive twice, which QoS 1
 * allows, but none is lost.
 *
 * Bounded: at most max_bytes of records; a publish that does not fit is not
 * journaled (it is still published) and counted in `full`. Appending copies
 * into one buffer that grows by doubling up to the bound and is reused: no
 * allocation per message.
 *
 * The spool file: EB_SPOOL_MAGIC (8 bytes), the records' count and their
 * total length (4 bytes each, little endian), an FNV-1a checksum of the
 * records (4 bytes), then the records. A record: qos (1 byte), retain
 * (1 byte), client id length, topic length, correlation data length (2 bytes
 * each), payload length (4 bytes), then those bytes. eb_spool_check refuses
 * anything else with a precise reason. Pure: no broker, no thread, no clock.
 */
#ifndef EB_JOURNAL_H
#define EB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EB_SPOOL_MAGIC "EBSPOOL1"
#define EB_SPOOL_HEADER_SIZE 20
#define EB_JOURNAL_RECORD_HEAD 12

/* One publish. Strings are not NUL-terminated; client id empty: to every subscriber. */
struct eb_journal_entry {
	const char *clientid;
	size_t clientid_len;
	const char *topic;
	size_t topic_len;
	const void *correlation;	/* an MQTT v5 response's Correlation Data, or NULL */
	size_t correlation_len;
	const void *payload;
	size_t payload_len;
	int qos;
	bool retain;
};

struct eb_journal {
	unsigned char *buf;
	size_t used;		/* bytes of records */
	size_t older_end;	/* records before this were journaled before the last tick */
	size_t cap;
	size_t max_bytes;
	uint64_t full;		/* publishes not journaled: no room (or too big) */
	uint64_t journaled;
};

void eb_journal_init(struct eb_journal *j, size_t max_bytes);
void eb_journal_free(struct eb_journal *j);
/* Appends e; false (counted in full) when it does not fit within max_bytes. */
bool eb_journal_add(struct eb_journal *j, const struct eb_journal_entry *e);
/* A TICK: what was journaled before the previous tick is queued by the broker now, and dropped. */
void eb_journal_tick(struct eb_journal *j);
/* The records not known to be queued: *records and the count of bytes. */
size_t eb_journal_pending(const struct eb_journal *j, const unsigned char **records);

/* Fills the spool file's header for these records (from eb_journal_pending). */
void eb_spool_header(unsigned char header[EB_SPOOL_HEADER_SIZE], const unsigned char *records, size_t len);
/*
 * Checks a whole spool file: header, length, checksum and every record.
 * Returns the count of records, or -1 with the reason in err. On success
 * *records and *len delimit the records for eb_spool_next.
 */
long eb_spool_check(const unsigned char *file, size_t file_len, const unsigned char **records, size_t *len,
		    char *err, size_t errsz);
/* The record at *offset of records that eb_spool_check accepted, and advances *offset; false at the end. */
bool eb_spool_next(const unsigned char *records, size_t len, size_t *offset, struct eb_journal_entry *e);

#endif
