/*
 * Benchmark: MPPT items translated per second against the same broker's plain
 * forwarding of the same number of messages, in one run.
 *
 * One client publishes the docs/mppt.md example request (one item) at QoS 1, to a
 * topic the plugin does not touch and to the request topic; one subscriber
 * counts the forwarded copies, another the translations.
 *
 * usage: bench_mppt [messages-per-round] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "spec_examples.h"

static const char request[] = MPPT_SPEC_REQUEST;

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct eb_broker broker;
	/* The benchmark measures the broker, not its log. */
	if (n <= 0 || rounds <= 0 || eb_broker_start(&broker, "log_type error\nlog_type warning\n") != 0)
		return 1;
	struct eb_client *pub = eb_client_simple(broker.port, "bench-pub", "S001", MQTT_PROTOCOL_V311);
	struct eb_client *plain = eb_client_simple(broker.port, "bench-plain", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *translated = eb_client_simple(broker.port, "bench-mppt", NULL, MQTT_PROTOCOL_V311);
	if (!pub || !plain || !translated || eb_client_subscribe(plain, "bench/plain", 1) < 0 ||
	    eb_client_subscribe(translated, "monitoring.mppt/+", 1) < 0)
		return 1;

	printf("MPPT: %d one-item requests per round, QoS 1\n", n);
	struct eb_bench_path forwarded = {"forwarded msg", "bench/plain", plain};
	struct eb_bench_path items = {"translated items", "dataset/mppt", translated};
	eb_bench_compare(pub, request, n, rounds, &forwarded, &items, 0.75);

	eb_client_disconnect(pub);
	eb_client_disconnect(plain);
	eb_client_disconnect(translated);
	return eb_broker_stop(&broker) == 0 ? 0 : 1;
}
