/*
 * plugin_state: struct eb_plugin, the plugin's whole state, owned by
 * plugin.c and passed to every callback as userdata. Nothing of the plugin
 * lives in globals.
 */
#ifndef EB_PLUGIN_STATE_H
#define EB_PLUGIN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "broker.h"

#include "config.h"
#include "journal.h"
#include "ha_bridge.h"
#include "log_limit.h"
#include "telemetry_bridge.h"
#include "twc_bridge.h"
#include "venus_bridge.h"
#include "will_watch.h"

struct eb_plugin {
	mosquitto_plugin_id_t *id;
	struct eb_config cfg;
	struct telemetry_bridge telemetry;	/* MPPT, pms and inverter */
	struct venus_bridge venus;
	struct twc_bridge twc;
	struct ha_bridge ha;		/* Home Assistant discovery */
	struct will_watch wills;	/* tells wills from publishes in the ACL check (acl_guard) */
	bool checks_logins;		/* the BASIC_AUTH callback is registered */
	uint64_t forgeries_refused;
	struct log_limit refusal_log;	/* every job's client-caused log lines, per client */
	int64_t started_ms;
	int64_t next_stats_ms;
	bool woken;			/* the broker is woken for the TWC outbox (wake.h) */
	char *spool_path;		/* NULL: no journal, no spool (journal.h, spool.h) */
	struct eb_journal journal;
	uint64_t spool_replayed;	/* messages of the spool file published again at start */
};

#endif
