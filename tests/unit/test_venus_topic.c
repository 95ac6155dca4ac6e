/* Unit tests of Venus topic recognition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "venus_topic.h"

static const char vendors[] = "hame_energy marstek_energy";

static struct venus_topic parse(const char *topic)
{
	struct venus_topic t;
	venus_topic_parse(topic, vendors, "venus", &t);
	return t;
}

static void test_commands_and_replies_of_both_vendors(void **state)
{
	(void)state;
	struct venus_topic t = parse("hame_energy/HMG-50/App/0123456789ab/ctrl");
	assert_int_equal(t.kind, VENUS_TOPIC_COMMAND);
	assert_string_equal(t.vendor, "hame_energy");
	assert_string_equal(t.type, "HMG-50");
	assert_string_equal(t.id, "0123456789ab");
	t = parse("marstek_energy/VNSE3-0/device/ABCDEFabcdef0123456789ABCDEFabcd/ctrl");
	assert_int_equal(t.kind, VENUS_TOPIC_REPLY);
	assert_string_equal(t.vendor, "marstek_energy");
	assert_string_equal(t.id, "ABCDEFabcdef0123456789ABCDEFabcd");
}

static void test_other_topics_are_not_venus(void **state)
{
	(void)state;
	const char *others[] = {
		"other_vendor/HMG-50/App/0123/ctrl", "hame_energy/HMG-50/App/0123/ctrl/x", "hame_energy/HMG-50/App/0123",
		"hame_energy/HMG-50/app/0123/ctrl", "hame_energy/HMG-50/App/01-23/ctrl", "hame_energy//App/0123/ctrl",
		"hame_energy/HMG-50/App//ctrl", "hame_energy", "hame_energyx/HMG-50/App/0123/ctrl", "venusx/HMG/0123/state",
		"hame/HMG-50/App/0123/ctrl",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (parse(others[i]).kind != VENUS_TOPIC_NONE)
			fail_msg("%s taken for a Venus topic", others[i]);
	char long_id[200] = "hame_energy/HMG-50/App/";
	for (int i = 0; i < 97; i++)
		strcat(long_id, "a");
	strcat(long_id, "/ctrl");
	assert_int_equal(parse(long_id).kind, VENUS_TOPIC_NONE);
}

static void test_friendly_commands_and_plugin_output(void **state)
{
	(void)state;
	struct venus_topic t = parse("venus/HMG-50/0123456789ab/set/max_charging_power");
	assert_int_equal(t.kind, VENUS_TOPIC_SET);
	assert_string_equal(t.type, "HMG-50");
	assert_string_equal(t.id, "0123456789ab");
	assert_string_equal(t.setting, "max_charging_power");
	t = parse("venus/HMG-50/0123456789ab/set/time_period/3");
	assert_int_equal(t.kind, VENUS_TOPIC_SET);
	assert_string_equal(t.setting, "time_period/3");
	/* Everything else under the prefix belongs to the plugin. */
	const char *outputs[] = {"venus/HMG-50/0123456789ab/state", "venus/HMG-50/0123456789ab/error", "venus",
				 "venus/x", "venus/HMG-50/0123456789ab/set/", "venus/HMG-50/01-23/set/refresh"};
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (parse(outputs[i]).kind != VENUS_TOPIC_OUTPUT)
			fail_msg("%s not taken for plugin output", outputs[i]);
}

static void test_words(void **state)
{
	(void)state;
	assert_true(venus_words_contain("alice  bob", "bob"));
	assert_true(venus_words_contain("alice bob", "alice"));
	assert_false(venus_words_contain("alice bob", "ali"));
	assert_false(venus_words_contain("alice bob", ""));
	assert_false(venus_words_contain("", "bob"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_and_replies_of_both_vendors),
		cmocka_unit_test(test_other_topics_are_not_venus),
		cmocka_unit_test(test_friendly_commands_and_plugin_output),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests_name("venus_topic", tests, NULL, NULL);
}
