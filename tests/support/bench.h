/*
 * Throughput measurement shared by the benchmarks: a job's rate against the
 * same broker's plain forwarding, in alternating rounds, compared by median,
 * so that the noise of a shared machine falls on both sides alike.
 */
#ifndef BENCH_H
#define BENCH_H

#include "harness.h"

/* One side of a comparison: what is published where, and where it is counted. */
struct eb_bench_path {
	const char *name;		/* "forwarded", "translated", ... */
	const char *topic;		/* published to */
	struct eb_client *receiver;	/* subscribed to what this path delivers */
};

/*
 * Publishes payload n times at QoS 1 on each path in turn, for `rounds`
 * rounds after a warm-up, printing each round; returns the ratio of the
 * medians (job / baseline) and prints it with the target.
 */
double eb_bench_compare(struct eb_client *publisher, const char *payload, int n, int rounds,
			const struct eb_bench_path *baseline, const struct eb_bench_path *job, double target);

#endif
