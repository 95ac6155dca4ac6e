#include "telemetry_bridge.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "broker_io.h"
#include "clock.h"
#include "eb_text.h"
#include "inverter.h"
#include "json_out.h"
#include "mppt.h"
#include "pms.h"

/* How long a QoS 2 request is remembered to recognise its retransmission. */
#define RETRANSMISSION_WINDOW_MS (120 * 1000)
/*
 * The batch is reused from request to request, but a large request must not
 * leave the broker holding megabytes for good: beyond these, it is freed.
 */
#define BATCH_KEEP_BYTES (64 * 1024)
#define BATCH_KEEP_MESSAGES 128

int telemetry_bridge_start(struct telemetry_bridge *t, const struct eb_telemetry_config *mppt,
			   const struct eb_telemetry_config *pms, const struct eb_telemetry_config *inverter, char *err,
			   size_t errsz)
{
	memset(t, 0, sizeof(*t));
	/* The table of datasets: what differs between them is here and in their translators. */
	t->sets[TELEMETRY_MPPT] = (struct telemetry_dataset){.name = "mppt", .cfg = mppt,
							     .translate_json = mppt_translate,
							     .device_kind = EB_DEVICE_MPPT};
	t->sets[TELEMETRY_PMS] = (struct telemetry_dataset){.name = "pms", .cfg = pms, .translate_json = pms_translate,
							    .translate_csv = pms_translate_csv,
							    .device_kind = EB_DEVICE_PMS_PACK};
	t->sets[TELEMETRY_INVERTER] = (struct telemetry_dataset){.name = "inverter", .cfg = inverter,
								 .translate_json = inverter_translate,
								 .device_kind = EB_DEVICE_INVERTER};
	telemetry_batch_init(&t->batch);
	if (!qos2_dedup_init(&t->retransmissions, RETRANSMISSION_WINDOW_MS, 0))
		return eb_error(err, errsz, "out of memory");
	return 0;
}

void telemetry_bridge_stop(struct telemetry_bridge *t)
{
	telemetry_batch_free(&t->batch);
	qos2_dedup_free(&t->retransmissions);
	free(t->topic);
	t->topic = NULL;
	t->topic_cap = 0;
}

bool telemetry_bridge_owns_topic(const struct telemetry_bridge *t, const char *topic)
{
	for (int i = 0; i < TELEMETRY_DATASETS; i++) {
		const struct eb_telemetry_config *cfg = t->sets[i].cfg;
		if (cfg && cfg->enabled &&
		    (eb_topic_under(topic, cfg->output_prefix) || strcmp(topic, cfg->errors_topic) == 0))
			return true;
	}
	return false;
}

/* <prefix>/<id> in the reused buffer; NULL when memory ran out. */
static const char *output_topic(struct telemetry_bridge *t, const char *prefix, const char *id)
{
	size_t np = strlen(prefix), ni = strlen(id);
	if (np + ni + 2 > t->topic_cap) {
		char *topic = realloc(t->topic, np + ni + 2);
		if (!topic)
			return NULL;
		t->topic = topic;
		t->topic_cap = np + ni + 2;
	}
	memcpy(t->topic, prefix, np);
	t->topic[np] = '/';
	memcpy(t->topic + np + 1, id, ni + 1);
	return t->topic;
}

/* After a large request the batch returns to nothing; a small one keeps its memory for the next. */
static void release_large_batch(struct telemetry_bridge *t)
{
	/*
	 * The last large request's parse tree and the broker's copies of it and
	 * of its translations were many small blocks among others, freed by now:
	 * without a trim, glibc keeps those pages for good.
	 */
	if (t->trim_pending)
		malloc_trim(0);
	t->trim_pending = false;
	if (t->batch.text.cap <= BATCH_KEEP_BYTES && t->batch.capacity <= BATCH_KEEP_MESSAGES &&
	    t->batch.scratch_cap <= BATCH_KEEP_BYTES)
		return;
	telemetry_batch_free(&t->batch);
	t->trim_pending = true; /* the broker frees its copies after this callback: trim at the next request */
}

static void publish_translations(struct telemetry_bridge *t, struct telemetry_dataset *d, int qos,
				 const char *sender)
{
	for (size_t i = 0; i < t->batch.count; i++) {
		const struct telemetry_message *msg = &t->batch.messages[i];
		const char *topic = output_topic(t, d->cfg->output_prefix, msg->id);
		if (!topic || eb_publish(NULL, topic, telemetry_message_json(&t->batch, i), msg->json_len, qos, false,
					 NULL) != MOSQ_ERR_SUCCESS) {
			char id[LOG_QUOTE_SIZE];
			mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: %s: could not publish a translation for %s",
					     d->name, log_quote_str(id, msg->id));
			continue;
		}
		d->messages_published++;
		eb_device_report(&t->observer, &(struct eb_device_event){.kind = d->device_kind, .id = msg->id,
								   .part = msg->part, .pv_count = msg->pv_count,
								   .load_count = msg->load_count,
								   .phase_count = msg->phase_count,
								   .source = sender});
	}
}

static void report_refusal(struct telemetry_bridge *t, const struct telemetry_dataset *d,
			   const struct mosquitto_evt_message *ed, const char *sender, const struct eb_response *response)
{
	const char *client_id = eb_client_id(ed->client);
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "status");
	json_out_int(&o, 400);
	json_out_key(&o, "error");
	json_out_text(&o, t->batch.error, strlen(t->batch.error)); /* may quote a header name, cut short */
	json_out_key(&o, "path");
	json_out_text(&o, t->batch.path, strlen(t->batch.path)); /* CSV paths quote the header as written */
	/* A client id or user name can be 64 kB: quoted, not copied. */
	json_out_text_prefix(&o, "sender", sender, strlen(sender), JSON_OUT_QUOTE_MAX);
	json_out_text_prefix(&o, "client_id", client_id, strlen(client_id), JSON_OUT_QUOTE_MAX);
	json_out_end_object(&o);
	if (!json_out_failed(&o)) {
		eb_publish(NULL, d->cfg->errors_topic, o.buf, o.len, ed->qos, false, NULL);
		eb_response_send(client_id, response, o.buf, o.len, ed->qos);
	}
	json_out_free(&o);
	/* The path holds the request's own keys: quoted, so that a "\n" in a key cannot forge a log line. */
	struct eb_quoted_client q;
	char path[LOG_QUOTE_SIZE], error[LOG_QUOTE_SIZE];
	eb_quote_client(ed->client, &q);
	eb_log_limited(t->refusal_log, ed->client, MOSQ_LOG_WARNING,
		       "energy-bridge: %s: refused request from client '%s' (user '%s'): %s%s%s", d->name, q.id, q.user,
		       log_quote_str(path, t->batch.path), t->batch.path[0] ? ": " : "",
		       log_quote_str(error, t->batch.error));
}

static void report_acceptance(struct telemetry_bridge *t, const struct mosquitto_evt_message *ed,
			      const struct eb_response *response)
{
	if (!response->topic)
		return;
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "status");
	json_out_int(&o, 200);
	json_out_key(&o, "datasets");
	json_out_int(&o, (long long)t->batch.datasets);
	json_out_key(&o, "items");
	json_out_int(&o, (long long)t->batch.count);
	json_out_end_object(&o);
	if (!json_out_failed(&o))
		eb_response_send(eb_client_id(ed->client), response, o.buf, o.len, ed->qos);
	json_out_free(&o);
}

/* The dataset and translator of a request topic, or NULL. */
static struct telemetry_dataset *route(struct telemetry_bridge *t, const char *topic, telemetry_translate_fn **fn)
{
	for (int i = 0; i < TELEMETRY_DATASETS; i++) {
		struct telemetry_dataset *d = &t->sets[i];
		if (!d->cfg || !d->cfg->enabled)
			continue;
		if (strcmp(topic, d->cfg->request_topic) == 0) {
			*fn = d->translate_json;
			return d;
		}
		if (d->translate_csv && d->cfg->csv_topic && strcmp(topic, d->cfg->csv_topic) == 0) {
			*fn = d->translate_csv;
			return d;
		}
	}
	return NULL;
}

bool telemetry_bridge_on_message(struct telemetry_bridge *t, struct mosquitto_evt_message *ed, int *verdict)
{
	telemetry_translate_fn *translate;
	struct telemetry_dataset *d = route(t, ed->topic, &translate);
	if (!d)
		return false;

	struct qos2_fingerprint fp;
	int64_t now_ms = 0;
	if (ed->qos == 2) {
		now_ms = eb_monotonic_ms();
		fp = qos2_fingerprint(eb_client_id(ed->client), mosquitto_client_username(ed->client), ed->topic,
				      ed->payload, ed->payloadlen);
		if (qos2_dedup_lookup(&t->retransmissions, fp, now_ms, verdict))
			return true; /* a retransmission: the broker delivers it once, we acted once */
	}

	const char *sender = eb_client_username(ed->client);
	if (!sender[0])
		sender = eb_client_id(ed->client);
	struct telemetry_limits limits = {.max_payload = (size_t)d->cfg->max_payload,
					  .max_items = (size_t)d->cfg->max_items};
	struct eb_response response;
	eb_response_read(ed->properties, &response);

	if (translate(&t->batch, ed->payload, ed->payloadlen, sender, eb_wall_clock(), &limits)) {
		publish_translations(t, d, ed->qos, sender);
		report_acceptance(t, ed, &response);
		d->requests_translated++;
		*verdict = MOSQ_ERR_SUCCESS;
	} else {
		report_refusal(t, d, ed, sender, &response);
		d->requests_refused++;
		*verdict = MOSQ_ERR_ACL_DENIED;
	}
	eb_response_release(&response);
	release_large_batch(t);
	if (ed->qos == 2)
		qos2_dedup_record(&t->retransmissions, fp, *verdict, now_ms);
	return true;
}
