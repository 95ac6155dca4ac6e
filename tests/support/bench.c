#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS_MAX 100

/* Messages per second for n publishes on one path, until its receiver has them all. */
static double rate(struct eb_client *publisher, const char *payload, int n, const struct eb_bench_path *path)
{
	double start = eb_now_s();
	for (int i = 0; i < n; i++)
		if (eb_client_publish_nowait(publisher, path->topic, payload, (int)strlen(payload), 1) != 0) {
			fprintf(stderr, "publish to %s failed\n", path->topic);
			exit(1);
		}
	if (!eb_client_drain(path->receiver, n, 120000)) {
		fprintf(stderr, "not every message of %s arrived\n", path->name);
		exit(1);
	}
	return n / (eb_now_s() - start);
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), compare);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double eb_bench_compare(struct eb_client *publisher, const char *payload, int n, int rounds,
			const struct eb_bench_path *baseline, const struct eb_bench_path *job, double target)
{
	double base[ROUNDS_MAX], measured[ROUNDS_MAX];
	if (rounds > ROUNDS_MAX)
		rounds = ROUNDS_MAX;
	/* The receivers count; copying what they receive would measure the harness, not the broker. */
	eb_client_count_only(baseline->receiver);
	eb_client_count_only(job->receiver);
	rate(publisher, payload, n / 10 + 1, baseline); /* warm up both paths */
	rate(publisher, payload, n / 10 + 1, job);
	for (int r = 0; r < rounds; r++) {
		base[r] = rate(publisher, payload, n, baseline);
		measured[r] = rate(publisher, payload, n, job);
		printf("  round %d: %s %.0f/s, %s %.0f/s\n", r + 1, baseline->name, base[r], job->name, measured[r]);
	}
	double b = median(base, rounds), j = median(measured, rounds);
	printf("median: %s %.0f/s, %s %.0f/s, ratio %.2f (target >= %.2f)\n", baseline->name, b, job->name, j, j / b,
	       target);
	return j / b;
}
