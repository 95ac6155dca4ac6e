/*
 * spool: the journal's file (journal.h). At the plugin's cleanup, what the
 * broker may not have queued is written to a temporary file beside the spool
 * file, flushed to disk and renamed over it, so that a reader sees the whole
 * file or none; at the next start the file is read, checked, published again
 * and removed. A file that fails the check is set aside as <path>.refused
 * with the reason logged: its messages are lost, the broker starts.
 *
 * Broker's thread, at mosquitto_plugin_init and mosquitto_plugin_cleanup
 * only: the file is small (at most the journal's bound) and local.
 */
#ifndef EB_SPOOL_H
#define EB_SPOOL_H

#include <stddef.h>

#include "journal.h"

/* Writes what j holds (nothing: no file); returns the count of messages, or -1 with the reason in err. */
long eb_spool_write(const char *path, const struct eb_journal *j, char *err, size_t errsz);
/*
 * Publishes again every message of the file at path (journaled anew, as any
 * publish of the plugin) and removes the file. Returns the count, 0 when
 * there is no file, or -1 with the reason in err (the file set aside).
 */
long eb_spool_replay(const char *path, size_t max_bytes, char *err, size_t errsz);

#endif
