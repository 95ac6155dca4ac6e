#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int64_t eb_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t eb_now_ms(void)
{
	return eb_now_us() / 1000;
}

double eb_now_s(void)
{
	return (double)eb_now_us() / 1e6;
}

void eb_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0)
		; /* a signal: sleep the rest */
}

struct timespec eb_realtime_after_ms(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	int64_t ns = (int64_t)t.tv_nsec + (int64_t)ms * 1000000;
	t.tv_sec += (time_t)(ns / 1000000000);
	t.tv_nsec = (long)(ns % 1000000000);
	return t;
}

bool eb_poll(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	int64_t deadline = eb_now_ms() + timeout_ms;
	while (!cond(arg)) {
		if (eb_now_ms() > deadline)
			return cond(arg);
		eb_sleep_ms(10);
	}
	return true;
}

int eb_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

bool eb_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool eb_word_in(const char *words, const char *word)
{
	size_t n = strlen(word);
	if (n == 0)
		return false;
	for (const char *p = words; (p = strstr(p, word)) != NULL; p++)
		if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

size_t eb_count(const char *text, const char *needle)
{
	size_t n = 0;
	if (*needle)
		for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
			n++;
	return n;
}

size_t eb_lines_with(const char *text, const char *a, const char *b)
{
	size_t n = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *found_a = memmem(line, len, a, strlen(a));
		const char *found_b = b ? memmem(line, len, b, strlen(b)) : line;
		n += found_a && found_b;
		line += len + (end != NULL);
	}
	return n;
}

char *eb_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n = -1;
	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		s = malloc((size_t)n + 1);
	if (!s) {
		if (f)
			fclose(f);
		return strdup("");
	}
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

void eb_change_digits(const char *text, char *out, size_t size)
{
	bool in_value = false;
	for (size_t i = 0; i < size; i++) {
		char c = text[i];
		in_value = c == '=' || (in_value && c != ',');
		out[i] = in_value && c >= '0' && c <= '9' ? (char)('0' + (c - '0' + 1) % 10) : c;
	}
}
