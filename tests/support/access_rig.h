/*
 * The rig of the access-control tests: the shipped configuration
 * (conf/mosquitto.conf, conf/acl) with throwaway users made by scripts/users,
 * a test certificate made by scripts/tls-cert, and free loopback ports.
 *
 * Two brokers share the password file and the ACL:
 * - prod runs the configuration as shipped: the plugin with its guard, a
 *   plain and a TLS listener, and TWC on a link that nobody answers (so that
 *   TWC/ is a plugin topic);
 * - bare runs it without the plugin, to show what the acl_file alone allows.
 *
 * Every user's password is "pw-<name>".
 */
#ifndef ACCESS_RIG_H
#define ACCESS_RIG_H

#include "harness.h"

/* Venus batteries, each with its device user and the app user that controls it. */
#define MINE "0123456789ab"   /* battery1, controlled by phone */
#define THEIRS "abcdef012345" /* battery2, controlled by neighbour */
#define WILLED "5a5a5a5a5a5a" /* battery3, controlled by tablet (the will test's own) */
#define APP_TOPIC(id) "hame_energy/HMG-50/App/" id "/ctrl"
#define DEVICE_TOPIC(id) "hame_energy/HMG-50/device/" id "/ctrl"
#define STATE_PREFIX(id) "venus/HMG-50/" id "/"

struct access_rig {
	struct eb_broker prod, bare;
	int prod_tls_port, bare_tls_port;
	char cafile[128];	/* the CA of the brokers' certificate */
	char other_cafile[128];	/* a CA that signed something else */
};

/* Makes the files, starts both brokers; 0 or -1 (after saying why on stderr). */
int access_rig_start(struct access_rig *r);
/* Stops both; 0 when both exited cleanly. */
int access_rig_stop(struct access_rig *r);
/* Runs scripts/users on prod's configuration, e.g. "add logger S002"; its exit status. */
int access_rig_users(const struct access_rig *r, const char *args);

/*
 * Connects as user (MQTT v5, password pw-<user>; NULL user: anonymous) with
 * client id id (NULL: generated), over TLS when cafile is set. NULL when
 * refused; *reason (if given) gets the CONNACK code or -1.
 */
struct eb_client *access_connect(int port, const char *user, const char *id, const char *cafile, int *reason);

#endif
