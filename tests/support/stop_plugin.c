/*
 * A test plugin that stops the broker from inside its main loop: when a
 * client whose id is "stopper" publishes, its MESSAGE callback sends the
 * broker SIGTERM. Loaded after energy-bridge, it runs after the plugin has
 * translated the same message, so the broker finishes that pass (sends the
 * PUBACK) and stops before its next one: the plugin's publishes of the pass
 * are exactly those the broker never queued (journal.h). Tests only.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"

static mosquitto_plugin_id_t *plugin_id;

static int on_message(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_message *ed = event_data;
	const char *id = mosquitto_client_id(ed->client);
	if (id && strcmp(id, "stopper") == 0)
		kill(getpid(), SIGTERM);
	return MOSQ_ERR_SUCCESS;
}

__attribute__((visibility("default"))) int mosquitto_plugin_version(int count, const int *versions)
{
	for (int i = 0; i < count; i++)
		if (versions[i] == 5)
			return 5;
	return -1;
}

__attribute__((visibility("default"))) int mosquitto_plugin_init(mosquitto_plugin_id_t *id, void **userdata,
								 struct mosquitto_opt *options, int count)
{
	(void)userdata;
	(void)options;
	(void)count;
	plugin_id = id;
	return mosquitto_callback_register(id, EB_EVT_MESSAGE, on_message, NULL, NULL);
}

__attribute__((visibility("default"))) int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options,
								    int count)
{
	(void)userdata;
	(void)options;
	(void)count;
	return mosquitto_callback_unregister(plugin_id, EB_EVT_MESSAGE, on_message, NULL);
}
