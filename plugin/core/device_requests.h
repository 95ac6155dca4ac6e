/*
 * device_requests: how a job asks another job's device for something
 * without knowing that job.
 *
 * Energy management (TWC) needs a Venus battery's CT reading every few
 * seconds; only the Venus job may send it a command (through its gate).
 * The asking job holds a struct eb_device_poller that plugin.c fills in;
 * unset (zeroed), a request goes nowhere. Broker thread only.
 */
#ifndef EB_DEVICE_REQUESTS_H
#define EB_DEVICE_REQUESTS_H

#include <stdbool.h>

struct eb_device_poller {
	/* Sends command (e.g. "cd=19") to the device type/id; false when it could not. */
	bool (*poll)(void *ctx, const char *type, const char *id, const char *command);
	void *ctx;
};

static inline bool eb_device_poll(const struct eb_device_poller *p, const char *type, const char *id,
				  const char *command)
{
	return p->poll ? p->poll(p->ctx, type, id, command) : false;
}

#endif
