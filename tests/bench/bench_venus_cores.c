/*
 * Benchmark of the Venus and Hame pure cores alone, without a broker: the
 * work the plugin does per reply and per command, in a loop. Meant to run
 * under `valgrind --tool=callgrind`, whose instruction counts repeat from run
 * to run where wall-clock times on a shared machine do not (README,
 * "Benchmarks"); it also prints the time per operation.
 *
 *   Venus reply:   parse, merge into the device's state, render the state
 *                  (the same reply every time, as a battery at rest sends it;
 *                  then alternating with one whose every digit differs, so
 *                  that no entry's kept JSON serves: the worst case)
 *   B2500 reply:   parse, find the reply kind, merge, render by the field table
 *                  (the same way: unchanged, then every value changing)
 *   Venus command: check against the family's table, pass the gate
 *
 * usage: bench_venus_cores [iterations]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hame_command.h"
#include "hame_family.h"
#include "hame_translate.h"
#include "json_out.h"
#include "spec_examples.h"
#include "util.h"
#include "venus_gate.h"
#include "venus_reply.h"
#include "venus_state.h"

static const char venus_reply[] = VENUS_REPLY_SAMPLE;
static const char b2500_reply[] = B2500_REPLY_SAMPLE;
static const char command[] = "cd=3,md=1,nm=4,bt=8:30,et=20:30,wk=1,vv=123,as=0";

/* The parts of the plugin's state the loops reuse, as venus_bridge.c keeps them. */
struct bench {
	struct venus_reply reply;
	struct venus_state state;
	struct json_out out;
	struct venus_gate gate;
	size_t bytes; /* what was rendered, so that nothing is optimised away */
};

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void venus_once(struct bench *b, int i)
{
	venus_reply_parse(venus_reply, sizeof(venus_reply) - 1, &b->reply);
	venus_state_merge(&b->state, &b->reply, 1764700000000 + i * 1000LL, NULL, 0);
	json_out_reset(&b->out);
	venus_state_render(&b->state, "HMG-50", "bench01", &b->out);
	b->bytes += b->out.len;
}

/* The sample with every digit changed (eb_change_digits): every value differs. */
static char venus_changed[sizeof(venus_reply)];

static void venus_changing_once(struct bench *b, int i)
{
	const char *text = i % 2 ? venus_changed : venus_reply;
	venus_reply_parse(text, sizeof(venus_reply) - 1, &b->reply);
	venus_state_merge(&b->state, &b->reply, 1764700000000 + i * 1000LL, NULL, 0);
	json_out_reset(&b->out);
	venus_state_render(&b->state, "HMG-50", "bench01", &b->out);
	b->bytes += b->out.len;
}

static char b2500_changed[sizeof(b2500_reply)];

static void b2500_from(struct bench *b, int i, const char *text)
{
	const struct hame_family *family = hame_family_of("HMA-1");
	venus_reply_parse(text, sizeof(b2500_reply) - 1, &b->reply);
	const struct hame_reply_kind *kind = hame_reply_kind_of(family->replies, family->n_replies, &b->reply);
	venus_state_merge(&b->state, &b->reply, 1764700000000 + i * 1000LL, NULL, 0);
	json_out_reset(&b->out);
	hame_translate_state(kind, &b->state, "HMA-1", "bench02", NULL, &b->out);
	b->bytes += b->out.len;
}

static void b2500_once(struct bench *b, int i)
{
	b2500_from(b, i, b2500_reply);
}

static void b2500_changing_once(struct bench *b, int i)
{
	b2500_from(b, i, i % 2 ? b2500_changed : b2500_reply);
}

static void command_once(struct bench *b, int i)
{
	const struct hame_family *family = hame_family_of("HMG-50");
	struct venus_command cmd;
	if (hame_command_parse(family->commands, command, sizeof(command) - 1, &cmd) &&
	    venus_gate_admit(&b->gate, "HMG-50/bench01", &cmd, i, NULL) == VENUS_GATE_PASS)
		b->bytes += cmd.payload_len;
}

static void run(const char *name, void (*once)(struct bench *, int), struct bench *b, int n)
{
	venus_state_init(&b->state);
	double start = seconds();
	for (int i = 0; i < n; i++)
		once(b, i);
	printf("%-14s %8.0f ns each\n", name, (seconds() - start) * 1e9 / n);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	static struct bench b;
	if (n <= 0 || !venus_gate_init(&b.gate, 0, 0))
		return 1;
	json_out_init(&b.out);
	eb_change_digits(venus_reply, venus_changed, sizeof(venus_reply));
	eb_change_digits(b2500_reply, b2500_changed, sizeof(b2500_reply));
	run("Venus reply", venus_once, &b, n);
	run("Venus changing", venus_changing_once, &b, n);
	run("B2500 reply", b2500_once, &b, n);
	run("B2500 changing", b2500_changing_once, &b, n);
	run("Venus command", command_once, &b, n);
	printf("(%zu bytes written)\n", b.bytes);
	json_out_free(&b.out);
	venus_gate_free(&b.gate);
	return 0;
}
