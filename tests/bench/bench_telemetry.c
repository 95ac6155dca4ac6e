/*
 * Benchmark: the Sundaya telemetry datasets (mppt, pms, inverter), items
 * translated per second, in one broker and one run, against two baselines:
 *
 *   plain     the translated message itself, published by the client to a
 *             topic no plugin touches and forwarded to one subscriber;
 *   stand-in  the request published to a topic of the stand-in plugin
 *             (bench_standin_plugin.c), which answers it with the very same
 *             translated message read from a file: the broker work of the
 *             job, minus the translation;
 *   real      the request published to the dataset's request topic and
 *             translated by the plugin (one item per request).
 *
 * Each dataset is measured at QoS 0 and at QoS 1 in alternating rounds; the
 * medians are compared: real / plain (target >= 0.75) and real / stand-in
 * (target >= 0.9). Exits non-zero when a ratio misses its target.
 *
 * usage: bench_telemetry [messages-per-round] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "inverter.h"
#include "mppt.h"
#include "pms.h"
#include "spec_examples.h"

static const struct dataset {
	const char *name, *request, *request_topic, *output_prefix, *device_id;
	telemetry_translate_fn *translate;
} datasets[] = {
	{"mppt", MPPT_SPEC_REQUEST, "dataset/mppt", "monitoring.mppt", "IT6415AD-01-001", mppt_translate},
	{"pms", PMS_SPEC_REQUEST, "dataset/pms", "monitoring.pms", "PMS-02-007", pms_translate},
	{"inverter", INVERTER_SPEC_REQUEST, "dataset/inverter", "monitoring.inverter", "KEHUA-3P-07",
	 inverter_translate},
};

#define DATASETS (sizeof(datasets) / sizeof(datasets[0]))

/* The translation of d's request, as the plugin would publish it; written to dir/<name>.json too. */
static char *translated(const struct dataset *d, const char *dir)
{
	struct telemetry_batch b;
	telemetry_batch_init(&b);
	struct telemetry_limits limits = {1 << 20, 10000};
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (!d->translate(&b, d->request, strlen(d->request), "S001", now, &limits) || b.count != 1) {
		fprintf(stderr, "%s: the example request did not translate: %s\n", d->name, b.error);
		exit(1);
	}
	char *text = strndup(telemetry_message_json(&b, 0), b.messages[0].json_len);
	char path[256];
	snprintf(path, sizeof(path), "%s/%s.json", dir, d->name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(text, 1, strlen(text), f) != strlen(text) || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	telemetry_batch_free(&b);
	return text;
}

static struct eb_client *subscriber(int port, const char *id, const char *topic, int qos)
{
	struct eb_client *c = eb_client_simple(port, id, NULL, MQTT_PROTOCOL_V311);
	if (!c || eb_client_subscribe(c, topic, qos) < 0) {
		fprintf(stderr, "cannot subscribe to %s\n", topic);
		exit(1);
	}
	return c;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (n <= 0 || rounds <= 0)
		return 1;
	char dir[] = "/tmp/bench-telemetry-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char *messages[DATASETS];
	for (size_t i = 0; i < DATASETS; i++)
		messages[i] = translated(&datasets[i], dir);

	/*
	 * The plugin with its spool on, as beside a broker's persistence file
	 * (journal.h: every QoS 1 translation is journaled); the stand-in loaded
	 * after it, with one route per dataset.
	 */
	char extra[2048];
	int len = snprintf(extra, sizeof(extra),
			   "log_type error\nlog_type warning\nplugin_opt_spool_file %s/energy-bridge.spool\nplugin %s\n",
			   dir, EB_STANDIN_PLUGIN);
	for (size_t i = 0; i < DATASETS; i++)
		len += snprintf(extra + len, sizeof(extra) - (size_t)len,
				"plugin_opt_route%zu bench/standin/%s bench/standin-out/%s/%s %s/%s.json\n", i + 1,
				datasets[i].name, datasets[i].name, datasets[i].device_id, dir, datasets[i].name);
	struct eb_broker broker;
	/* The benchmark measures the broker, not its log. */
	if (eb_broker_start(&broker, extra) != 0)
		return 1;
	struct eb_client *pub = eb_client_simple(broker.port, "bench-pub", "S001", MQTT_PROTOCOL_V311);
	if (!pub)
		return 1;

	printf("Sundaya telemetry: %d one-item requests per arm and round, %d rounds\n", n, rounds);
	int failures = 0;
	for (size_t i = 0; i < DATASETS; i++) {
		const struct dataset *d = &datasets[i];
		for (int qos = 0; qos <= 1; qos++) {
			char plain_topic[64], standin_topic[64], standin_out[96], real_out[96];
			snprintf(plain_topic, sizeof(plain_topic), "bench/plain/%s/%d", d->name, qos);
			snprintf(standin_topic, sizeof(standin_topic), "bench/standin/%s", d->name);
			snprintf(standin_out, sizeof(standin_out), "bench/standin-out/%s/+", d->name);
			snprintf(real_out, sizeof(real_out), "%s/+", d->output_prefix);
			struct eb_client *plain = subscriber(broker.port, "bench-plain", plain_topic, qos);
			struct eb_client *standin = subscriber(broker.port, "bench-standin", standin_out, qos);
			struct eb_client *real = subscriber(broker.port, "bench-real", real_out, qos);
			struct eb_bench_arm arms[] = {
				{"plain", plain_topic, messages[i], plain},
				{"stand-in", standin_topic, d->request, standin},
				{"real", d->request_topic, d->request, real},
			};
			double m[3];
			printf("%s, QoS %d (message %zu bytes, request %zu bytes)\n", d->name, qos, strlen(messages[i]),
			       strlen(d->request));
			eb_bench_arms(pub, n, rounds, qos, arms, 3, m);
			double vs_plain = m[2] / m[0], vs_standin = m[2] / m[1];
			printf("median: plain %.0f/s, stand-in %.0f/s, real %.0f/s; real/plain %.2f (>= 0.75), "
			       "real/stand-in %.2f (>= 0.90), stand-in/plain %.2f\n",
			       m[0], m[1], m[2], vs_plain, vs_standin, m[1] / m[0]);
			failures += vs_plain < 0.75 || vs_standin < 0.9;
			eb_client_disconnect(plain);
			eb_client_disconnect(standin);
			eb_client_disconnect(real);
		}
	}
	eb_client_disconnect(pub);
	for (size_t i = 0; i < DATASETS; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s.json", dir, datasets[i].name);
		unlink(path);
		free(messages[i]);
	}
	rmdir(dir);
	int stopped = eb_broker_stop(&broker);
	return stopped == 0 && failures == 0 ? 0 : 1;
}
