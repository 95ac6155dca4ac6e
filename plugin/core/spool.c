#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_io.h"
#include "options.h"

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long eb_spool_write(const char *path, const struct eb_journal *j, char *err, size_t errsz)
{
	const unsigned char *records;
	size_t len = eb_journal_pending(j, &records);
	if (len == 0)
		return 0;
	unsigned char header[EB_SPOOL_HEADER_SIZE];
	eb_spool_header(header, records, len);
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return eb_error(err, errsz, "the path %s is too long", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return eb_error(err, errsz, "cannot create %s (%s)", tmp, strerror(errno));
	if (write_all(fd, header, sizeof(header)) != 0 || write_all(fd, records, len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return eb_error(err, errsz, "cannot write %s (%s)", tmp, strerror(e));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return eb_error(err, errsz, "cannot write %s (%s)", path, strerror(e));
	}
	const unsigned char *r = records;
	size_t off = 0;
	long count = 0;
	struct eb_journal_entry e;
	while (eb_spool_next(r, len, &off, &e))
		count++;
	return count;
}

/* Reads at most max bytes of path into *buf (free it): its length, 0 when it does not exist, -1 with err. */
static long read_spool(const char *path, size_t max, unsigned char **buf, char *err, size_t errsz)
{
	*buf = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return eb_error(err, errsz, "cannot open it (%s)", strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return eb_error(err, errsz, "not a regular file");
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return eb_error(err, errsz, "%lld bytes, more than the journal's bound of %zu",
				(long long)st.st_size, max);
	}
	size_t n = (size_t)st.st_size, got = 0;
	*buf = malloc(n ? n : 1);
	if (!*buf) {
		close(fd);
		return eb_error(err, errsz, "out of memory");
	}
	while (got < n) {
		ssize_t r = read(fd, *buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != n) {
		free(*buf);
		*buf = NULL;
		return eb_error(err, errsz, "read %zu of its %zu bytes", got, n);
	}
	return (long)n;
}

long eb_spool_replay(const char *path, size_t max_bytes, char *err, size_t errsz)
{
	unsigned char *file;
	char why[EB_ERROR_MAX];
	long n = read_spool(path, max_bytes + EB_SPOOL_HEADER_SIZE, &file, why, sizeof(why));
	if (n == 0 && !file)
		return 0;
	const unsigned char *records = NULL;
	size_t len = 0;
	long count = n < 0 ? -1 : eb_spool_check(file, (size_t)n, &records, &len, why, sizeof(why));
	if (count < 0) {
		free(file);
		char aside[4096];
		bool kept = (size_t)snprintf(aside, sizeof(aside), "%s.refused", path) < sizeof(aside) &&
			    rename(path, aside) == 0;
		return eb_error(err, errsz, "the spool file %s is refused: %s; %s", path, why,
				kept ? "set aside as <spool file>.refused, its messages are lost"
				     : "could not set it aside, left in place");
	}
	size_t off = 0;
	struct eb_journal_entry e;
	long published = 0;
	while (eb_spool_next(records, len, &off, &e))
		if (eb_publish_entry(&e) == 0)
			published++;
	free(file);
	if (unlink(path) != 0)
		return eb_error(err, errsz, "published the %ld messages of the spool file %s, but cannot remove it "
					    "(%s): they would be published again at every start",
				published, path, strerror(errno));
	return published;
}
