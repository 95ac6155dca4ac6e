/*
 * venus_topic: which Venus topic a message was published to (docs/venus.md).
 *
 *   <vendor>/<type>/App/<id>/ctrl            a command, app -> device
 *   <vendor>/<type>/device/<id>/ctrl         a reply, device -> app
 *   <prefix>/<type>/<id>/set/<name>          a friendly command
 *   <prefix>/...                             anything else there is plugin output
 *
 * The vendor must be one of the configured vendor words; the id is 1 to 96
 * letters and digits (a MAC or a firmware token), so it can be put back into
 * a topic without steering it; the type is one topic level. A topic that
 * does not fit is not a Venus topic and passes through untouched.
 */
#ifndef VENUS_TOPIC_H
#define VENUS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define VENUS_VENDOR_MAX 64
#define VENUS_TYPE_MAX 64
#define VENUS_ID_MAX 96
#define VENUS_SETTING_MAX 64

enum venus_topic_kind {
	VENUS_TOPIC_NONE,	/* not a Venus topic */
	VENUS_TOPIC_COMMAND,
	VENUS_TOPIC_REPLY,
	VENUS_TOPIC_SET,	/* a friendly command */
	VENUS_TOPIC_OUTPUT,	/* under the state prefix but not set/: only the plugin publishes there */
};

struct venus_topic {
	enum venus_topic_kind kind;
	char vendor[VENUS_VENDOR_MAX + 1];	/* COMMAND, REPLY */
	char type[VENUS_TYPE_MAX + 1];		/* all but OUTPUT */
	char id[VENUS_ID_MAX + 1];		/* all but OUTPUT */
	char setting[VENUS_SETTING_MAX + 1];	/* SET: "max_charging_power", "time_period/3" */
};

/* vendors: the configured vendor words, separated by spaces. */
void venus_topic_parse(const char *topic, const char *vendors, const char *state_prefix, struct venus_topic *out);

/* True when word is one of the space-separated words. */
bool venus_words_contain(const char *words, const char *word);

#endif
