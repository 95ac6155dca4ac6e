/*
 * options: the machinery behind the plugin's `plugin_opt_*` lines.
 *
 * Each job describes its options in a table of struct eb_option (name, kind,
 * bounds, default, where the value goes in the job's own config struct);
 * this module parses and checks one value against its row, and frees what
 * it stored. It knows no job: plugin/config.c assembles the tables.
 *
 * Every refusal names the option and says what it expected and what it got,
 * so that the broker can refuse to start with a message a user can act on.
 * Pure: no broker, no thread, no clock.
 */
#ifndef EB_OPTIONS_H
#define EB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_text.h" /* eb_error */

#define EB_ERROR_MAX 256

enum eb_option_kind {
	EB_OPTION_SWITCH,	/* on/off, stored as bool */
	EB_OPTION_INTEGER,	/* decimal within [min, max], stored as long */
	EB_OPTION_TOPIC,	/* a topic one can publish to: no wildcards; stored as char * */
	EB_OPTION_WORDS,	/* names separated by spaces, each fit to be a topic level (min: words at least) */
	EB_OPTION_CHOICE,	/* one of the words in `choices`; stores its index as long */
	EB_OPTION_HEX_ID,	/* 4 hexadecimal digits, stored as long */
	EB_OPTION_LINK,		/* "", an absolute device path, or tcp://host:port; stored as char * */
};

struct eb_option {
	const char *name;	/* without the plugin_opt_ prefix */
	enum eb_option_kind kind;
	size_t offset;		/* of the field in the job's config struct */
	long min, max;
	const char *default_value;
	const char *choices;	/* EB_OPTION_CHOICE: the words, separated by spaces */
};

/* Parses value for option o into the config struct at base. 0, or -1 with err set. */
int eb_option_apply(void *base, const struct eb_option *o, const char *value, char *err, size_t errsz);
/* Frees what eb_option_apply stored for o (strings); the field becomes NULL. */
void eb_option_free(void *base, const struct eb_option *o);

/* True when topic is prefix itself or lies below it ("a/b" is below "a"). */
bool eb_topic_under(const char *topic, const char *prefix);

#endif
