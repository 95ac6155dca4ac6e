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
	const char *alternate;		/* NULL, or what every other publish on this path carries instead */
};

/*
 * Publishes payload n times at QoS 1 on each path in turn, for `rounds`
 * rounds after a warm-up, printing each round; returns the ratio of the
 * medians (job / baseline) and prints it with the target (none when 0).
 */
double eb_bench_compare(struct eb_client *publisher, const char *payload, int n, int rounds,
			const struct eb_bench_path *baseline, const struct eb_bench_path *job, double target);

/* One arm of a measurement: its own payload, published where, counted where. */
struct eb_bench_arm {
	const char *name;
	const char *topic;
	const char *payload;
	struct eb_client *receiver;	/* receives one message per publish */
};

/*
 * Publishes each arm's payload n times at qos, arm after arm, for `rounds`
 * rounds after a warm-up, printing each round; leaves each arm's median
 * rate (messages per second) in medians[].
 */
void eb_bench_arms(struct eb_client *publisher, int n, int rounds, int qos, const struct eb_bench_arm *arms,
		   int count, double *medians);

/* Sorts v[0..n) in ascending order. */
void eb_sort_doubles(double *v, size_t n);
/* The value at quantile q (0..1) of n sorted values, by nearest rank. */
double eb_quantile(const double *sorted, size_t n, double q);

#endif
