#include "log_limit.h"

#include <string.h>

void log_limit_init(struct log_limit *l)
{
	memset(l, 0, sizeof(*l));
}

static uint64_t key_of(const char *client_id)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)(client_id ? client_id : ""); *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h ? h : 1; /* 0 marks a free slot */
}

static void bucket_fill(struct log_bucket *b, unsigned burst, int64_t now_ms)
{
	b->tokens = burst;
	b->refilled_ms = now_ms;
}

/* Takes one line from the budget if there is one. Time may step back: that adds nothing. */
static bool bucket_take(struct log_bucket *b, unsigned burst, int64_t interval_ms, int64_t now_ms)
{
	if (now_ms > b->refilled_ms) {
		int64_t earned = (now_ms - b->refilled_ms) / interval_ms;
		if (earned >= (int64_t)(burst - b->tokens)) {
			b->tokens = burst;
			b->refilled_ms = now_ms;
		} else {
			b->tokens += (unsigned)earned;
			b->refilled_ms += earned * interval_ms;
		}
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

/* The client's slot: found, free, or the one heard from longest ago. */
static struct log_limit_client *slot_of(struct log_limit *l, uint64_t key, int64_t now_ms)
{
	struct log_limit_client *oldest = &l->clients[0];
	for (size_t i = 0; i < LOG_LIMIT_CLIENTS; i++) {
		struct log_limit_client *c = &l->clients[i];
		if (c->key == key)
			return c;
		if (c->key == 0 || (oldest->key != 0 && c->last_ms < oldest->last_ms))
			oldest = c;
	}
	*oldest = (struct log_limit_client){.key = key};
	bucket_fill(&oldest->bucket, LOG_LIMIT_BURST, now_ms);
	return oldest;
}

bool log_limit_allow(struct log_limit *l, const char *client_id, int64_t now_ms, unsigned long *left_out)
{
	if (!l->started) {
		bucket_fill(&l->all, LOG_LIMIT_ALL_BURST, now_ms);
		l->started = true;
	}
	struct log_limit_client *c = slot_of(l, key_of(client_id), now_ms);
	c->last_ms = now_ms;
	/* The client's own budget first: a client over it does not use up everyone's. */
	if (!bucket_take(&c->bucket, LOG_LIMIT_BURST, LOG_LIMIT_INTERVAL_MS, now_ms) ||
	    !bucket_take(&l->all, LOG_LIMIT_ALL_BURST, LOG_LIMIT_ALL_INTERVAL_MS, now_ms)) {
		c->left_out++;
		l->lines_left_out++;
		return false;
	}
	*left_out = c->left_out;
	c->left_out = 0;
	return true;
}

char *log_quote(char out[LOG_QUOTE_SIZE], const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t keep = n > LOG_QUOTE_MAX ? LOG_QUOTE_MAX : n;
	size_t len = 0;
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\') {
			out[len++] = '\\';
			out[len++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			out[len++] = (char)c;
		} else {
			out[len++] = '\\';
			out[len++] = 'x';
			out[len++] = hex[c >> 4];
			out[len++] = hex[c & 15];
		}
	}
	if (keep < n) {
		memcpy(out + len, "...", 3);
		len += 3;
	}
	out[len] = '\0';
	return out;
}

char *log_quote_str(char out[LOG_QUOTE_SIZE], const char *s)
{
	return log_quote(out, s ? s : "", s ? strlen(s) : 0);
}
