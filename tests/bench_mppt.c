/*
 * Benchmark: MPPT items translated per second against the same broker's
 * plain forwarding of the same number of messages, in one run.
 *
 * Both phases publish the same request payload at QoS 1 from one client and
 * time until one subscriber has received every message: to a topic the plugin
 * does not touch (forwarding), and to the request topic with the subscriber
 * on the translations (translation, one item per request). Rounds alternate
 * so that the machine's noise falls on both; medians are compared.
 *
 * usage: bench_mppt [messages-per-round] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static const char request[] =
	"{\"datasets\":[{\"mppt\":{\"id\":\"IT6415AD-01-001\"},\"data\":[{\"time_local\":\"20190209T150006.032+0700\","
	"\"pv\":{\"volts\":[48.000,48.000],\"amps\":[6.0,6.0]},\"battery\":{\"volts\":55.1,\"amps\":0.0},"
	"\"load\":{\"volts\":[48.000,48.000],\"amps\":[1.2,1.2]},\"status\":\"1A79\"}]}]}";

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Messages per second for n publishes to topic, received on sub. */
static double run_phase(struct eb_client *pub, struct eb_client *sub, const char *topic, int n)
{
	double start = seconds();
	for (int i = 0; i < n; i++)
		if (eb_client_publish_nowait(pub, topic, request, (int)strlen(request), 1) != 0) {
			fprintf(stderr, "publish failed\n");
			exit(1);
		}
	if (!eb_client_drain(sub, n, 120000)) {
		fprintf(stderr, "not every message arrived on %s\n", topic);
		exit(1);
	}
	return n / (seconds() - start);
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

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (n <= 0 || rounds <= 0 || rounds > 100) {
		fprintf(stderr, "usage: bench_mppt [messages-per-round] [rounds]\n");
		return 2;
	}
	struct eb_broker broker;
	/* The benchmark measures the broker, not its log. */
	if (eb_broker_start(&broker, "log_type error\nlog_type warning\n") != 0)
		return 1;
	struct eb_client *pub = eb_client_simple(broker.port, "bench-pub", "S001", MQTT_PROTOCOL_V311);
	struct eb_client *plain = eb_client_simple(broker.port, "bench-plain", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *translated = eb_client_simple(broker.port, "bench-mppt", NULL, MQTT_PROTOCOL_V311);
	if (!pub || !plain || !translated || eb_client_subscribe(plain, "bench/plain", 1) < 0 ||
	    eb_client_subscribe(translated, "monitoring.mppt/+", 1) < 0)
		return 1;

	double forward[100], translate[100];
	run_phase(pub, plain, "bench/plain", n / 10); /* warm up both paths */
	run_phase(pub, translated, "dataset/mppt", n / 10);
	for (int r = 0; r < rounds; r++) {
		forward[r] = run_phase(pub, plain, "bench/plain", n);
		translate[r] = run_phase(pub, translated, "dataset/mppt", n);
		printf("round %d: forwarded %.0f msg/s, translated %.0f items/s\n", r + 1, forward[r], translate[r]);
	}
	double f = median(forward, rounds), t = median(translate, rounds);
	printf("median: forwarded %.0f msg/s, translated %.0f items/s, ratio %.2f (target >= 0.75)\n", f, t, t / f);

	eb_client_disconnect(pub);
	eb_client_disconnect(plain);
	eb_client_disconnect(translated);
	eb_broker_stop(&broker);
	return 0;
}
