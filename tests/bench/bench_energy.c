/*
 * Benchmark: how long a change of the grid meter takes to become a new
 * offer on the wall connectors' bus (energy management, surplus mode).
 *
 * One simulated wall connector with a car that takes what it is offered; a
 * client publishes the grid meter. Each sample is a lowering (lower offers
 * go at once; a raise waits 5 s by design): the meter says less is
 * exported, and the time runs from the publish to (a) the simulator's
 * "limit 4085 <new>" line (the heartbeat that carries it, on the bus) and
 * (b) TWC/energy/status showing the new offered_amps, both on
 * CLOCK_MONOTONIC. After every 12 lowerings the sun comes back (one raise,
 * 6 s). The baseline, in the same run: the same client's publish to a
 * plain topic reaching a subscriber. Target: p95 (a) <= 1.5 s.
 *
 * usage: bench_energy [series]   (default 3: 36 samples, about 70 s)
 * e.g.   cmake --build build --target bench_energy && build/tests/bench_energy
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "harness.h"
#include "sim.h"

#define STEPS 12
#define TARGET_MS 1500.0
#define VOLTS 230

static void report(const char *what, double *ms, size_t n, bool judged)
{
	eb_sort_doubles(ms, n);
	printf("%s: median %.1f ms, p95 %.1f ms, max %.1f ms over %zu samples", what, eb_quantile(ms, n, 0.5),
	       eb_quantile(ms, n, 0.95), ms[n - 1], n);
	if (judged)
		printf(" (target p95 <= %.0f ms: %s)", TARGET_MS,
		       eb_quantile(ms, n, 0.95) <= TARGET_MS ? "met" : "MISSED");
	printf("\n");
}

/* The grid reading that leaves exactly `amps` for a car drawing `drawn` amps (margin 100 W). */
static void publish_meter(struct eb_client *meter, int amps, int drawn)
{
	char grid[32];
	snprintf(grid, sizeof(grid), "%d", drawn * VOLTS - amps * VOLTS - 100 - 50);
	eb_client_publish_str(meter, "house/grid", grid, 0);
}

int main(int argc, char **argv)
{
	int series = argc > 1 ? atoi(argv[1]) : 3;
	if (series <= 0)
		return 1;
	static const char *const args[] = {"--slave", "4085:2:32", NULL};
	struct eb_sim *sim = eb_sim_start(args);
	if (!sim)
		return 1;
	char extra[512];
	snprintf(extra, sizeof(extra),
		 "log_type error\nlog_type warning\nplugin_opt_twc_port tcp://127.0.0.1:%d\n"
		 "plugin_opt_energy_mode surplus\nplugin_opt_energy_grid_topic house/grid\n"
		 "plugin_opt_energy_voltage 230\nplugin_opt_energy_start_s 0\nplugin_opt_energy_stop_s 600\n",
		 eb_sim_port(sim));
	struct eb_broker broker;
	if (eb_broker_start(&broker, extra) != 0) {
		eb_sim_stop(sim);
		return 1;
	}
	struct eb_client *meter = eb_client_simple(broker.port, "bench-meter", NULL, MQTT_PROTOCOL_V311);
	struct eb_client *sub = eb_client_simple(broker.port, "bench-energy", NULL, MQTT_PROTOCOL_V311);
	if (!meter || !sub || eb_client_subscribe(sub, "TWC/energy/status", 0) < 0 ||
	    eb_client_subscribe(sub, "bench/plain", 0) < 0)
		return 1;
	if (eb_sim_command(sim, "plug 4085 -") != 0 || eb_sim_command(sim, "charge 4085 32") != 0)
		return 1;
	/* Full sun: the car starts at 32 A. */
	size_t cursor = eb_sim_mark(sim);
	int64_t until = eb_now_us() + 20 * 1000000LL;
	while (eb_now_us() < until && !eb_sim_wait(sim, &cursor, "limit 4085 3200 ", 0, NULL)) {
		publish_meter(meter, 32, 0);
		usleep(500 * 1000);
	}
	if (!eb_sim_wait(sim, &cursor, "limit 4085 3200 ", 1000, NULL) && eb_sim_count(sim, 0, "limit 4085 3200 ") == 0) {
		fprintf(stderr, "the car never got 32 A\n");
		return 1;
	}
	sleep(2);
	size_t n = (size_t)series * STEPS, got = 0;
	double *bus = calloc(n, sizeof(double)), *status = calloc(n, sizeof(double)), *plain = calloc(n, sizeof(double));
	for (int s = 0; s < series; s++) {
		int drawn = 32;
		for (int k = 1; k <= STEPS; k++) {
			int amps = 32 - 2 * k; /* 30, 28 ... 8: every one a lowering */
			while (eb_client_next(sub, 0))
				;
			size_t mark = eb_sim_mark(sim);
			int64_t t0 = eb_now_us();
			publish_meter(meter, amps, drawn);
			char prefix[32], offered[32];
			snprintf(prefix, sizeof(prefix), "limit 4085 %d ", amps * 100);
			snprintf(offered, sizeof(offered), "\"offered_amps\":%d,", amps);
			struct eb_sim_event e;
			if (!eb_sim_wait(sim, &mark, prefix, 5000, &e)) {
				fprintf(stderr, "no limit of %d A on the bus\n", amps);
				return 1;
			}
			double status_ms = -1;
			struct eb_message *m;
			while (status_ms < 0 && (m = eb_client_next(sub, 3000)) != NULL) {
				if (strstr(m->payload, offered))
					status_ms = (double)(m->arrived_us - t0) / 1000.0;
				eb_message_free(m);
			}
			/* The baseline: a plain message through the same broker. */
			int64_t p0 = eb_now_us();
			eb_client_publish_str(meter, "bench/plain", "x", 0);
			m = eb_client_next_on(sub, "bench/plain", 3000);
			plain[got] = m ? (double)(m->arrived_us - p0) / 1000.0 : -1;
			eb_message_free(m);
			bus[got] = (double)(eb_sim_event_time_us(&e) - t0) / 1000.0;
			status[got] = status_ms;
			got++;
			usleep(1200 * 1000); /* the car follows; the next reading counts its new draw */
			drawn = amps;
		}
		/* The sun comes back: one raise (after 5 s), then the next series. */
		for (int i = 0; i < 14; i++) {
			publish_meter(meter, 32, drawn);
			usleep(500 * 1000);
		}
	}
	report("meter -> new limit on the bus", bus, got, true);
	report("meter -> TWC/energy/status", status, got, false);
	report("baseline: a plain publish -> subscriber", plain, got, false);
	eb_client_disconnect(meter);
	eb_client_disconnect(sub);
	eb_broker_stop(&broker);
	eb_sim_stop(sim);
	free(bus);
	free(status);
	free(plain);
	return 0;
}
