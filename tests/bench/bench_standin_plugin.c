/*
 * The benchmarks' stand-in plugin: the broker work of a translating job
 * without the translation.
 *
 * Loaded beside the real plugin by bench_telemetry, it answers each publish
 * on a request topic with a message read from a file at start (the real
 * translator's output for that very request), published the way the plugin
 * publishes (a copy in broker memory, mosquitto_broker_publish). Comparing
 * the real job against it measures what the translation itself costs.
 *
 * Options: plugin_opt_route1 .. plugin_opt_route3, each
 * "<request topic> <output topic> <file of the message>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

#define ROUTES_MAX 3

struct route {
	char request[256], output[256];
	char *message;
	size_t len;
};

struct standin {
	mosquitto_plugin_id_t *id;
	struct route routes[ROUTES_MAX];
	int count;
};

static int on_message(int event, void *event_data, void *userdata)
{
	(void)event;
	struct standin *s = userdata;
	struct mosquitto_evt_message *ed = event_data;
	for (int i = 0; i < s->count; i++) {
		const struct route *r = &s->routes[i];
		if (strcmp(ed->topic, r->request) != 0)
			continue;
		void *copy = mosquitto_malloc(r->len);
		if (!copy)
			return MOSQ_ERR_SUCCESS;
		memcpy(copy, r->message, r->len);
		mosquitto_broker_publish(NULL, r->output, (int)r->len, copy, ed->qos, false, NULL);
		break;
	}
	return MOSQ_ERR_SUCCESS;
}

static bool load_route(struct route *r, const char *value)
{
	char file[512];
	if (sscanf(value, "%255s %255s %511s", r->request, r->output, file) != 3)
		return false;
	FILE *f = fopen(file, "rb");
	if (!f)
		return false;
	r->message = malloc(1 << 16);
	r->len = r->message ? fread(r->message, 1, 1 << 16, f) : 0;
	fclose(f);
	return r->len > 0;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions);
int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
			  int option_count);
int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count);

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
			  int option_count)
{
	struct standin *s = calloc(1, sizeof(*s));
	if (!s)
		return MOSQ_ERR_NOMEM;
	s->id = identifier;
	for (int i = 0; i < option_count && s->count < ROUTES_MAX; i++)
		if (strncmp(options[i].key, "route", 5) == 0 && !load_route(&s->routes[s->count++], options[i].value)) {
			mosquitto_log_printf(MOSQ_LOG_ERR, "bench stand-in: bad route '%s'", options[i].value);
			return MOSQ_ERR_INVAL;
		}
	*userdata = s;
	return mosquitto_callback_register(identifier, MOSQ_EVT_MESSAGE, on_message, NULL, s);
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)options;
	(void)option_count;
	struct standin *s = userdata;
	mosquitto_callback_unregister(s->id, MOSQ_EVT_MESSAGE, on_message, NULL);
	for (int i = 0; i < s->count; i++)
		free(s->routes[i].message);
	free(s);
	return MOSQ_ERR_SUCCESS;
}
