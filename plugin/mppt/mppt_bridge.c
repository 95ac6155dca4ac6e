#include "mppt_bridge.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_io.h"
#include "clock.h"
#include "json_out.h"

/* How long a QoS 2 request is remembered to recognise its retransmission. */
#define RETRANSMISSION_WINDOW_MS (120 * 1000)
/*
 * The batch is reused from request to request, but a large request must not
 * leave the broker holding megabytes for good: beyond these, it is freed.
 */
#define BATCH_KEEP_BYTES (64 * 1024)
#define BATCH_KEEP_MESSAGES 128

int mppt_bridge_start(struct mppt_bridge *m, const struct eb_mppt_config *cfg, char *err, size_t errsz)
{
	(void)err; /* nothing can fail: the batch grows with the first request */
	(void)errsz;
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	if (!cfg->enabled)
		return 0;
	mppt_batch_init(&m->batch);
	qos2_dedup_init(&m->retransmissions, RETRANSMISSION_WINDOW_MS, 0); /* without memory: nothing is remembered */
	return 0;
}

void mppt_bridge_stop(struct mppt_bridge *m)
{
	mppt_batch_free(&m->batch);
	qos2_dedup_free(&m->retransmissions);
	free(m->topic);
	m->topic = NULL;
}

bool mppt_bridge_owns_topic(const struct mppt_bridge *m, const char *topic)
{
	return eb_topic_under(topic, m->cfg->output_prefix) || strcmp(topic, m->cfg->errors_topic) == 0;
}

static const char *output_topic(struct mppt_bridge *m, const char *mppt_id)
{
	size_t need = strlen(m->cfg->output_prefix) + 1 + strlen(mppt_id) + 1;
	if (need > m->topic_cap) {
		char *t = realloc(m->topic, need);
		if (!t)
			return NULL;
		m->topic = t;
		m->topic_cap = need;
	}
	snprintf(m->topic, m->topic_cap, "%s/%s", m->cfg->output_prefix, mppt_id);
	return m->topic;
}

/* After a large request the batch returns to nothing; a small one keeps its memory for the next. */
static void release_large_batch(struct mppt_bridge *m)
{
	/*
	 * The last large request's parse tree and the broker's copies of it and
	 * of its translations were many small blocks among others, freed by now:
	 * without a trim, glibc keeps those pages for good.
	 */
	if (m->trim_pending)
		malloc_trim(0);
	m->trim_pending = false;
	if (m->batch.text.cap <= BATCH_KEEP_BYTES && m->batch.capacity <= BATCH_KEEP_MESSAGES)
		return;
	mppt_batch_free(&m->batch);
	mppt_batch_init(&m->batch);
	m->trim_pending = true; /* the broker frees its copies after this callback: trim at the next request */
}

static void publish_translations(struct mppt_bridge *m, int qos, const char *sender)
{
	for (size_t i = 0; i < m->batch.count; i++) {
		const struct mppt_message *msg = &m->batch.messages[i];
		const char *topic = output_topic(m, msg->mppt_id);
		if (!topic || eb_publish(NULL, topic, mppt_message_json(&m->batch, i), msg->json_len, qos, false,
					 NULL) != MOSQ_ERR_SUCCESS) {
			char id[LOG_QUOTE_SIZE];
			mosquitto_log_printf(MOSQ_LOG_ERR, "energy-bridge: mppt: could not publish a translation for %s",
					     log_quote_str(id, msg->mppt_id));
			continue;
		}
		m->messages_published++;
		eb_device_report(&m->observer, &(struct eb_device_event){.kind = EB_DEVICE_MPPT, .id = msg->mppt_id,
								   .pv_count = msg->pv_count,
								   .load_count = msg->load_count,
								   .source = sender});
	}
}

static void report_refusal(struct mppt_bridge *m, const struct mosquitto_evt_message *ed, const char *sender,
			   const struct eb_response *response)
{
	const char *client_id = eb_client_id(ed->client);
	struct json_out o;
	json_out_init(&o);
	json_out_begin_object(&o);
	json_out_key(&o, "status");
	json_out_int(&o, 400);
	json_out_key(&o, "error");
	json_out_string(&o, m->batch.error);
	json_out_key(&o, "path");
	json_out_string(&o, m->batch.path);
	/* A client id or user name can be 64 kB: quoted, not copied. */
	json_out_text_prefix(&o, "sender", sender, strlen(sender), JSON_OUT_QUOTE_MAX);
	json_out_text_prefix(&o, "client_id", client_id, strlen(client_id), JSON_OUT_QUOTE_MAX);
	json_out_end_object(&o);
	if (!json_out_failed(&o)) {
		eb_publish(NULL, m->cfg->errors_topic, o.buf, o.len, ed->qos, false, NULL);
		eb_response_send(client_id, response, o.buf, o.len, ed->qos);
	}
	json_out_free(&o);
	/* The path holds the request's own keys: quoted, so that a "\n" in a key cannot forge a log line. */
	struct eb_quoted_client q;
	char path[LOG_QUOTE_SIZE], error[LOG_QUOTE_SIZE];
	eb_quote_client(ed->client, &q);
	eb_log_limited(m->refusal_log, ed->client, MOSQ_LOG_WARNING,
		       "energy-bridge: mppt: refused request from client '%s' (user '%s'): %s%s%s", q.id, q.user,
		       log_quote_str(path, m->batch.path), m->batch.path[0] ? ": " : "",
		       log_quote_str(error, m->batch.error));
}

static void report_acceptance(struct mppt_bridge *m, const struct mosquitto_evt_message *ed,
			      const struct eb_response *response)
{
	if (!response->topic)
		return;
	char json[96];
	int n = snprintf(json, sizeof(json), "{\"status\":200,\"datasets\":%zu,\"items\":%zu}", m->batch.datasets,
			 m->batch.count);
	eb_response_send(eb_client_id(ed->client), response, json, (size_t)n, ed->qos);
}

int mppt_bridge_on_request(struct mppt_bridge *m, struct mosquitto_evt_message *ed)
{
	struct qos2_fingerprint fp;
	int64_t now_ms = 0;
	if (ed->qos == 2) {
		int verdict;
		now_ms = eb_monotonic_ms();
		fp = qos2_fingerprint(eb_client_id(ed->client), mosquitto_client_username(ed->client), ed->topic,
				      ed->payload, ed->payloadlen);
		if (qos2_dedup_lookup(&m->retransmissions, fp, now_ms, &verdict))
			return verdict; /* a retransmission: the broker delivers it once, we acted once */
	}

	const char *sender = eb_client_username(ed->client);
	if (!sender[0])
		sender = eb_client_id(ed->client);
	struct mppt_limits limits = {.max_payload = (size_t)m->cfg->max_payload, .max_items = (size_t)m->cfg->max_items};
	struct eb_response response;
	eb_response_read(ed->properties, &response);

	int verdict;
	if (mppt_translate(&m->batch, ed->payload, ed->payloadlen, sender, eb_wall_clock(), &limits)) {
		publish_translations(m, ed->qos, sender);
		report_acceptance(m, ed, &response);
		m->requests_translated++;
		verdict = MOSQ_ERR_SUCCESS;
	} else {
		report_refusal(m, ed, sender, &response);
		m->requests_refused++;
		verdict = MOSQ_ERR_ACL_DENIED;
	}
	eb_response_release(&response);
	release_large_batch(m);
	if (ed->qos == 2)
		qos2_dedup_record(&m->retransmissions, fp, verdict, now_ms);
	return verdict;
}
