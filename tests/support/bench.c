#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS_MAX 100

/*
 * Messages per second for n publishes of payload (every other one alternate,
 * when not NULL) to topic at qos, until receiver has them all.
 */
static double rate_at(struct eb_client *publisher, const char *payload, const char *alternate, int n, int qos,
		      const char *topic, struct eb_client *receiver, const char *name)
{
	double start = eb_now_s();
	for (int i = 0; i < n; i++) {
		const char *text = alternate && i % 2 ? alternate : payload;
		if (eb_client_publish_nowait(publisher, topic, text, (int)strlen(text), qos) != 0) {
			fprintf(stderr, "publish to %s failed\n", topic);
			exit(1);
		}
	}
	if (!eb_client_drain(receiver, n, 120000)) {
		fprintf(stderr, "not every message of %s arrived\n", name);
		exit(1);
	}
	return n / (eb_now_s() - start);
}

static double rate(struct eb_client *publisher, const char *payload, int n, const struct eb_bench_path *path)
{
	return rate_at(publisher, payload, path->alternate, n, 1, path->topic, path->receiver, path->name);
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void eb_sort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare);
}

double eb_quantile(const double *sorted, size_t n, double q)
{
	size_t rank = (size_t)(q * (double)n + 0.999999);
	return sorted[rank == 0 ? 0 : rank - 1];
}

static double median(double *v, int n)
{
	eb_sort_doubles(v, (size_t)n);
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
	printf("median: %s %.0f/s, %s %.0f/s, ratio %.2f", baseline->name, b, job->name, j, j / b);
	if (target > 0)
		printf(" (target >= %.2f)", target);
	printf("\n");
	return j / b;
}

void eb_bench_arms(struct eb_client *publisher, int n, int rounds, int qos, const struct eb_bench_arm *arms,
		   int count, double *medians)
{
	static double rates[8][ROUNDS_MAX];
	if (rounds > ROUNDS_MAX)
		rounds = ROUNDS_MAX;
	if (count > 8)
		count = 8;
	for (int a = 0; a < count; a++) {
		eb_client_count_only(arms[a].receiver);
		rate_at(publisher, arms[a].payload, NULL, n / 10 + 1, qos, arms[a].topic, arms[a].receiver, arms[a].name);
	}
	for (int r = 0; r < rounds; r++) {
		printf("  round %d:", r + 1);
		for (int a = 0; a < count; a++) {
			/* Each round starts with another arm, so that no arm always follows the same one. */
			int k = (a + r) % count;
			rates[k][r] = rate_at(publisher, arms[k].payload, NULL, n, qos, arms[k].topic, arms[k].receiver,
					      arms[k].name);
		}
		for (int a = 0; a < count; a++)
			printf(" %s %.0f/s", arms[a].name, rates[a][r]);
		printf("\n");
		fflush(stdout);
	}
	for (int a = 0; a < count; a++)
		medians[a] = median(rates[a], rounds);
}
