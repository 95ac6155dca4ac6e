/*
 * Benchmark: Venus replies translated and commands gated per second, each
 * against the same broker's plain forwarding of the same messages, in one run.
 *
 * Replies: the vendor document's information reply published on a device
 * topic, counted on the retained state topic the plugin derives from it;
 * then a B2500 runtime reply, translated by the family's field table, the
 * same reply each time (a device at rest) and alternating with one whose
 * every value differs (the worst case).
 * Commands: a setting published on an App topic, counted at the battery
 * after the gate (the rate limit is off, so every command is judged and
 * passes).
 *
 * usage: bench_venus [messages-per-round] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "spec_examples.h"

static const char reply[] = VENUS_REPLY_SAMPLE;
static const char b2500_reply[] = B2500_REPLY_SAMPLE;

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct eb_broker broker;
	if (n <= 0 || rounds <= 0 ||
	    eb_broker_start(&broker, "log_type error\nlog_type warning\nplugin_opt_venus_command_interval 0\n") != 0)
		return 1;
	struct eb_client *pub = eb_client_simple(broker.port, "bench-pub", "app", MQTT_PROTOCOL_V311);
	struct eb_client *plain = eb_client_simple(broker.port, "bench-plain", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *state = eb_client_simple(broker.port, "bench-state", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *battery = eb_client_simple(broker.port, "bench-battery", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *b2500 = eb_client_simple(broker.port, "bench-b2500", NULL, MQTT_PROTOCOL_V311);
	if (!pub || !plain || !state || !battery || !b2500 || eb_client_subscribe(plain, "bench/plain", 1) < 0 ||
	    eb_client_subscribe(b2500, "venus/HMA-1/bench02/state", 1) < 0 ||
	    eb_client_subscribe(state, "venus/HMG-50/bench01/state", 1) < 0 ||
	    eb_client_subscribe(battery, "hame_energy/HMG-50/App/bench01/ctrl", 1) < 0)
		return 1;

	struct eb_bench_path forwarded = {"forwarded msg", "bench/plain", plain, NULL};
	printf("Venus replies: %d information replies per round, QoS 1\n", n);
	struct eb_bench_path translated = {"translated replies", "hame_energy/HMG-50/device/bench01/ctrl", state, NULL};
	eb_bench_compare(pub, reply, n, rounds, &forwarded, &translated, 0.75);
	printf("B2500 replies: %d runtime replies per round, QoS 1\n", n);
	struct eb_bench_path b2500_translated = {"translated B2500 replies", "hame_energy/HMA-1/device/bench02/ctrl", b2500, NULL};
	eb_bench_compare(pub, b2500_reply, n, rounds, &forwarded, &b2500_translated, 0.75);
	/*
	 * The same reply alternating with one whose every value differs: no
	 * kept JSON serves, the whole state is written anew each time (the
	 * worst case, measured for the README; no target).
	 */
	static char b2500_changed[sizeof(b2500_reply)];
	eb_change_digits(b2500_reply, b2500_changed, sizeof(b2500_reply));
	printf("B2500 replies, every value changing: %d runtime replies per round, QoS 1\n", n);
	struct eb_bench_path b2500_changing = {"translated changing B2500 replies", "hame_energy/HMA-1/device/bench02/ctrl",
					       b2500, b2500_changed};
	eb_bench_compare(pub, b2500_reply, n, rounds, &forwarded, &b2500_changing, 0);
	printf("Venus commands: %d settings per round, QoS 1\n", n);
	struct eb_bench_path gated = {"gated commands", "hame_energy/HMG-50/App/bench01/ctrl", battery, NULL};
	eb_bench_compare(pub, "cd=3,md=1,nm=4,bt=8:30,et=20:30,wk=1,vv=123,as=0", n, rounds, &forwarded, &gated, 0.9);

	eb_client_disconnect(pub);
	eb_client_disconnect(plain);
	eb_client_disconnect(state);
	eb_client_disconnect(battery);
	eb_client_disconnect(b2500);
	return eb_broker_stop(&broker) == 0 ? 0 : 1;
}
