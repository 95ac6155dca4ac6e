/* Unit tests of the Venus device state and its JSON (docs/venus.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json_out.h"
#include "venus_reply.h"
#include "venus_state.h"
#include "venus_table.h"
#include "spec_examples.h"

/* The device information reply of the vendor document, section 3.2, and one key it does not list. */
static const char vendor_sample[] = VENUS_REPLY_SAMPLE ",new_key=abc";

static const char vendor_sample_json[] =
	"{\"type\":\"HMG-50\",\"id\":\"0123456789ab\",\"updated\":\"2024-07-22T19:50:00Z\","
	"\"total_charged_kwh\":447.85,\"total_discharged_kwh\":368.89,\"daily_charged_kwh\":4.89,"
	"\"monthly_charged_kwh\":39.31,\"daily_discharged_kwh\":3.95,"
	"\"monthly_discharged_kwh\":28.33,\"daily_income_eur\":0,\"monthly_income_eur\":-0.111,"
	"\"off_grid_power_va\":0,\"combined_power_w\":807,\"working_status\":\"discharging\","
	"\"ct_status\":\"connected\",\"battery_status\":\"discharging\","
	"\"battery_energy_kwh\":1.38,\"soc_percent\":27,\"fault_code\":0,\"warning_code\":0,"
	"\"device_version\":140,\"grid_type\":\"auto\",\"working_mode\":\"manual\","
	"\"time_periods\":["
	"{\"start\":\"14:00\",\"end\":\"17:00\",\"weekdays\":127,\"power_w\":800,\"enabled\":true},"
	"{\"start\":\"17:01\",\"end\":\"20:00\",\"weekdays\":127,\"power_w\":-800,\"enabled\":true},"
	"{\"start\":\"20:01\",\"end\":\"23:00\",\"weekdays\":127,\"power_w\":800,\"enabled\":true},"
	"{\"start\":\"23:01\",\"end\":\"23:59\",\"weekdays\":127,\"power_w\":-800,\"enabled\":true},"
	"{\"start\":\"00:01\",\"end\":\"03:00\",\"weekdays\":127,\"power_w\":800,\"enabled\":true},"
	"{\"start\":\"03:01\",\"end\":\"06:00\",\"weekdays\":127,\"power_w\":-800,\"enabled\":true},"
	"{\"start\":\"06:01\",\"end\":\"09:00\",\"weekdays\":127,\"power_w\":800,\"enabled\":true},"
	"{\"start\":\"09:01\",\"end\":\"12:01\",\"weekdays\":127,\"power_w\":-800,\"enabled\":true},"
	"{\"start\":\"09:10\",\"end\":\"12:00\",\"weekdays\":127,\"power_w\":-2500,"
	"\"enabled\":false},"
	"{\"start\":\"00:00\",\"end\":\"00:00\",\"weekdays\":0,\"power_w\":0,\"enabled\":false}],"
	"\"ct_auto_switch\":\"off\",\"backup\":\"on\",\"trading_region_code\":41,"
	"\"trading_charge_price\":40000,\"trading_discharge_price\":600000,"
	"\"http_server_type\":0,\"regional_charge_price\":4620,\"regional_discharge_price\":4620,"
	"\"wifi_signal\":35,\"total_income_eur\":-0.152,\"power_version\":\"800w\","
	"\"max_charging_power_w\":2500,\"max_discharge_power_w\":800,\"ct_type\":\"ct1\","
	"\"phase\":\"unknown\",\"recharge_mode\":255,\"bms_version\":109,"
	"\"communication_module_version\":202407221950,\"wifi_name\":\"Hame\","
	"\"other\":{\"new_key\":\"abc\"}}";

/* 2024-07-22T19:50:00.123Z */
#define SAMPLE_TIME_MS 1721677800123LL

static struct venus_state device;
static struct venus_reply reply;
static struct json_out out;

static int setup(void **state)
{
	(void)state;
	venus_state_init(&device);
	json_out_init(&out);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_out_free(&out);
	return 0;
}

static size_t merge(const char *text, int64_t now_ms)
{
	char why[128];
	venus_reply_parse(text, strlen(text), &reply);
	return venus_state_merge(&device, &reply, now_ms, why, sizeof(why));
}

static const char *render(const char *type, const char *id)
{
	json_out_reset(&out);
	assert_true(venus_state_render(&device, type, id, &out));
	return out.buf;
}

/* The rendered value of one key, e.g. "447.85" or "\"discharging\"". */
static const char *value_of(const char *name)
{
	static char value[256];
	const char *json = render("HMG-50", "x");
	char quoted[64];
	snprintf(quoted, sizeof(quoted), "\"%s\":", name);
	const char *at = strstr(json, quoted);
	if (!at)
		return NULL;
	at += strlen(quoted);
	size_t n = 0;
	int depth = 0;
	bool in_string = false;
	while (at[n] && n < sizeof(value) - 1) {
		char c = at[n];
		if (c == '"' && (n == 0 || at[n - 1] != '\\'))
			in_string = !in_string;
		else if (!in_string && (c == '{' || c == '['))
			depth++;
		else if (!in_string && (c == '}' || c == ']') && depth-- == 0)
			break;
		else if (!in_string && c == ',' && depth == 0)
			break;
		n++;
	}
	memcpy(value, at, n);
	value[n] = '\0';
	return value;
}

static void test_vendor_sample_renders_every_key(void **state)
{
	(void)state;
	assert_int_equal(merge(vendor_sample, SAMPLE_TIME_MS), 0);
	assert_string_equal(render("HMG-50", "0123456789ab"), vendor_sample_json);
}

static void test_units_and_names(void **state)
{
	(void)state;
	merge(vendor_sample, SAMPLE_TIME_MS);
	assert_string_equal(value_of("total_charged_kwh"), "447.85");
	assert_string_equal(value_of("monthly_income_eur"), "-0.111");
	assert_string_equal(value_of("total_income_eur"), "-0.152");
	assert_string_equal(value_of("working_status"), "\"discharging\"");
	assert_string_equal(value_of("soc_percent"), "27");
	/* Not in the vendor's list of recharge modes: the number. */
	assert_string_equal(value_of("recharge_mode"), "255");
	assert_string_equal(value_of("other"), "{\"new_key\":\"abc\"}");
}

static void test_enumerations(void **state)
{
	(void)state;
	static const struct {
		const char *reply, *name, *value;
	} cases[] = {
		{"grd_t=0", "working_status", "\"sleep\""},
		{"grd_t=6", "working_status", "\"bypass\""},
		{"grd_t=7", "working_status", "7"},
		{"grd_t=-1", "working_status", "-1"},
		{"gct_s=2", "ct_status", "\"weak_signal\""},
		{"cel_s=1", "battery_status", "\"not_working\""},
		{"cel_s=0", "battery_status", "0"},
		{"grd_y=9", "grid_type", "\"china\""},
		{"grd_y=5", "grid_type", "\"united_kingdom\""},
		{"wor_m=2", "working_mode", "\"trading\""},
		{"cts_m=1", "ct_auto_switch", "\"on\""},
		{"bac_u=0", "backup", "\"off\""},
		{"set_v=0", "power_version", "\"2500w\""},
		{"ct_t=5", "ct_type", "\"p1_meter\""},
		{"ct_t=4", "ct_type", "\"shelly_pro\""},
		{"phase_t=3", "phase", "\"phase_c\""},
		{"phase_t=4", "phase", "\"not_detected\""},
		{"dchrg_t=1", "recharge_mode", "\"three_phase\""},
		{"dchrg_t=0", "recharge_mode", "\"single_phase\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		merge(cases[i].reply, 0);
		assert_string_equal(value_of(cases[i].name), cases[i].value);
	}
}

static void test_values_that_do_not_parse_stay_text(void **state)
{
	(void)state;
	merge("cel_c=abc,tot_i=1.5,grd_t=on,grd_o=+5,wifi_n=12,fc_v=", 0);
	assert_string_equal(value_of("soc_percent"), "\"abc\"");
	assert_string_equal(value_of("total_charged_kwh"), "\"1.5\"");
	assert_string_equal(value_of("working_status"), "\"on\"");
	assert_string_equal(value_of("combined_power_w"), "\"+5\"");
	/* A text field stays text even when it looks like a number. */
	assert_string_equal(value_of("wifi_name"), "\"12\"");
	assert_string_equal(value_of("communication_module_version"), "\"\"");
}

static void test_time_periods(void **state)
{
	(void)state;
	merge("tim_2=8|5|9|0|31|-100|1,tim_4=garbage,tim_5=1|2|3|4|5|6,tim_6=1|2|3|4|5|6|2", 0);
	assert_string_equal(
		value_of("time_periods"),
		"[null,null,{\"start\":\"08:05\",\"end\":\"09:00\",\"weekdays\":31,\"power_w\":-100,"
		"\"enabled\":true},null,\"garbage\",\"1|2|3|4|5|6\",{\"start\":\"01:02\",\"end\":"
		"\"03:04\",\"weekdays\":5,\"power_w\":6,\"enabled\":2}]");
	/* Hours or minutes that do not fit two digits: the text. */
	merge("tim_2=100|0|1|0|1|1|1", 0);
	assert_string_equal(value_of("time_periods"),
			    "[null,null,\"100|0|1|0|1|1|1\",null,\"garbage\",\"1|2|3|4|5|6\","
			    "{\"start\":\"01:02\",\"end\":\"03:04\",\"weekdays\":5,\"power_w\":6,"
			    "\"enabled\":2}]");
	/* tim_10 is not a time period. */
	merge("tim_10=1|2|3|4|5|6|1", 0);
	assert_string_equal(value_of("other"), "{\"tim_10\":\"1|2|3|4|5|6|1\"}");
}

static void test_no_time_periods_no_array(void **state)
{
	(void)state;
	merge("cel_c=5", 0);
	assert_null(value_of("time_periods"));
	assert_null(value_of("other"));
	assert_string_equal(render("HMG-50", "x"),
			    "{\"type\":\"HMG-50\",\"id\":\"x\",\"updated\":\"1970-01-01T00:00:00Z\","
			    "\"soc_percent\":5}");
}

static void test_merge_keeps_old_keys_and_updates_changed_ones(void **state)
{
	(void)state;
	merge(vendor_sample, SAMPLE_TIME_MS);
	assert_int_equal(merge("cel_c=28,grd_t=2,tim_1=1|0|2|0|1|100|0,new_key=xyz,newer=1",
			       SAMPLE_TIME_MS + 60000),
			 0);
	assert_string_equal(value_of("soc_percent"), "28");
	assert_string_equal(value_of("working_status"), "\"charging\"");
	assert_string_equal(value_of("total_charged_kwh"), "447.85");
	assert_string_equal(value_of("wifi_name"), "\"Hame\"");
	assert_string_equal(value_of("updated"), "\"2024-07-22T19:51:00Z\"");
	assert_string_equal(value_of("other"), "{\"new_key\":\"xyz\",\"newer\":\"1\"}");
	const char *json = render("HMG-50", "x");
	assert_non_null(strstr(json, "{\"start\":\"14:00\",\"end\":\"17:00\",\"weekdays\":127,"
				     "\"power_w\":800,\"enabled\":true},{\"start\":\"01:00\",\"end\":"
				     "\"02:00\",\"weekdays\":1,\"power_w\":100,\"enabled\":false},"
				     "{\"start\":\"20:01\""));
	/* Repeated keys in one reply: the last wins. */
	merge("cel_c=1,cel_c=2", 0);
	assert_string_equal(value_of("soc_percent"), "2");
	assert_int_equal(device.count, 51);
}

/*
 * The JSON an entry keeps between renders (venus_state.h): a second render
 * copies it, and a merged change is rendered anew, exactly as a state that
 * never rendered before writes it.
 */
static void test_kept_json_follows_the_values(void **state)
{
	(void)state;
	merge(vendor_sample, SAMPLE_TIME_MS);
	char first[4096];
	snprintf(first, sizeof(first), "%s", render("HMG-50", "x"));
	size_t kept = 0;
	for (size_t i = 0; i < device.count; i++)
		kept += device.entries[i].json_len > 0;
	assert_true(kept >= 40); /* the table's keys keep their JSON; the unknown new_key does not */
	assert_string_equal(render("HMG-50", "x"), first);

	const char *change = "cel_c=28,tim_0=1|0|2|0|1|100|0,wifi_n=Home,new_key=xyz";
	merge(change, SAMPLE_TIME_MS);
	char changed[4096];
	snprintf(changed, sizeof(changed), "%s", render("HMG-50", "x"));
	assert_non_null(strstr(changed, "\"soc_percent\":28,"));
	assert_non_null(strstr(changed, "[{\"start\":\"01:00\",\"end\":\"02:00\",\"weekdays\":1,"));
	assert_non_null(strstr(changed, "\"wifi_name\":\"Home\""));

	venus_state_init(&device); /* the same merges, never rendered in between */
	merge(vendor_sample, SAMPLE_TIME_MS);
	merge(change, SAMPLE_TIME_MS);
	assert_string_equal(render("HMG-50", "x"), changed);
}

static void test_state_is_bounded(void **state)
{
	(void)state;
	char why[128];
	char text[100 * 12];
	size_t len = 0;
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%sk%d=%d", i ? "," : "", i, i);
	venus_reply_parse(text, len, &reply);
	assert_int_equal(venus_state_merge(&device, &reply, 0, why, sizeof(why)), 4);
	assert_string_equal(why, "state full (96 keys): k96");
	assert_int_equal(device.count, VENUS_STATE_MAX_KEYS);
	/* Known keys can still be updated; new ones cannot be added. */
	venus_reply_parse("k5=five,cel_c=3", 15, &reply);
	assert_int_equal(venus_state_merge(&device, &reply, 0, why, sizeof(why)), 1);
	assert_string_equal(why, "state full (96 keys): cel_c");
	assert_non_null(strstr(render("t", "i"), "\"k5\":\"five\""));

	venus_state_init(&device);
	char long_value[200];
	int n = snprintf(long_value, sizeof(long_value), "wifi_n=");
	memset(long_value + n, 'w', 128);
	long_value[n + 128] = '\0';
	venus_reply_parse(long_value, strlen(long_value), &reply);
	assert_int_equal(venus_state_merge(&device, &reply, 0, why, sizeof(why)), 1);
	assert_string_equal(why, "value longer than 127 bytes: wifi_n");
	assert_int_equal(device.count, 0);
	long_value[n + 127] = '\0';
	venus_reply_parse(long_value, strlen(long_value), &reply);
	assert_int_equal(venus_state_merge(&device, &reply, 0, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(device.entries[0].value_len, 127);
	assert_int_equal(venus_state_merge(&device, &reply, 0, NULL, 0), 0);
}

static void test_identity_is_escaped_and_valid_utf8(void **state)
{
	(void)state;
	merge("wifi_n=caf\xe9", 0);
	assert_string_equal(render("HMG-\"50\"", "a\\b"),
			    "{\"type\":\"HMG-\\\"50\\\"\",\"id\":\"a\\\\b\","
			    "\"updated\":\"1970-01-01T00:00:00Z\",\"wifi_name\":\"caf\xef\xbf\xbd\"}");
	assert_string_equal(render(NULL, NULL),
			    "{\"type\":\"\",\"id\":\"\",\"updated\":\"1970-01-01T00:00:00Z\","
			    "\"wifi_name\":\"caf\xef\xbf\xbd\"}");
}

static void test_utc_format(void **state)
{
	(void)state;
	char buf[32];
	venus_format_utc(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	venus_format_utc(SAMPLE_TIME_MS, buf, sizeof(buf));
	assert_string_equal(buf, "2024-07-22T19:50:00Z");
	venus_format_utc(951782400000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	venus_format_utc(951868799999LL, buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T23:59:59Z");
	venus_format_utc(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	venus_format_utc(253402300799000LL, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	venus_format_utc(-62135596800000LL, buf, sizeof(buf));
	assert_string_equal(buf, "0001-01-01T00:00:00Z");
	/* Absurd times still give one bounded line. */
	size_t n = venus_format_utc(INT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "292278994-08-17T07:12:55Z");
	assert_int_equal(n, strlen(buf));
	n = venus_format_utc(INT64_MIN, buf, sizeof(buf));
	assert_string_equal(buf, "-292275055-05-16T16:47:04Z");
	assert_int_equal(n, strlen(buf));
}

static void test_vendor_keys(void **state)
{
	(void)state;
	static const char *const keys[] = {
		"tot_i", "tot_o", "ele_d", "ele_m", "grd_d", "grd_m", "inc_d", "inc_m", "grd_f",
		"grd_o", "grd_t", "gct_s", "cel_s", "cel_p", "cel_c", "err_t", "err_a", "dev_n",
		"grd_y", "wor_m", "tim_0", "tim_1", "tim_2", "tim_3", "tim_4", "tim_5", "tim_6",
		"tim_7", "tim_8", "tim_9", "cts_m", "bac_u", "tra_a", "tra_i", "tra_o", "htt_p",
		"prc_c", "prc_d", "wif_s", "inc_a", "set_v", "mcp_w", "mdp_w", "ct_t", "phase_t",
		"dchrg_t", "bms_v", "fc_v", "wifi_n"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(venus_table_has_key(keys[i], strlen(keys[i])));
	assert_false(venus_table_has_key("ret", 3));
	assert_false(venus_table_has_key("get_power", 9));
	assert_false(venus_table_has_key("tim_1", 4));
	assert_false(venus_table_has_key("tim_10", 6));
}

/* A Venus A (VNSA) runtime reply recorded in hm2mqtt's tests (its issue #218). */
static const char venus_a_reply[] =
	"cd=1,tot_i=0,tot_o=0,ele_d=0,ele_m=0,grd_d=0,grd_m=0,inc_d=1,inc_m=0,grd_f=0,grd_o=0,grd_t=1,gct_s=0,"
	"cel_s=2,cel_p=157,cel_c=75,err_t=800,err_a=8,dev_n=143,grd_y=0,wor_m=1,tim_0=0|0|0|0|0|0|0,cts_m=0,"
	"bac_u=0,tra_a=74,tra_i=1,tra_o=0,htt_p=0,prc_c=0,prc_d=1,wif_s=51,inc_a=0,set_v=4,mcp_w=1200,"
	"mdp_w=1200,ct_t=1,phase_t=0,dchrg_t=1,bms_v=106,fc_v=202409090159,wifi_n=xxxx,seq_s=1,ctrl_r=0,par=0,"
	"gen=0,ble=3,shelly_p=1010,c_ratio=100,udp=0,api=1,net=1,port=48977,inv_v=113,id=2|0|0|0|0,lk=0,bp=99,"
	"ei=0,eb=0,rp=107,gp=0,vp=0,mppt=0,pv1=1076|1,pv2=0|0,pv3=0|0,pv4=0|0,pack=1|1|1|0,pv=41|57,fu=1|0,em=0";

/* Every key newer firmware adds that docs/venus.md names leaves "other"; the unexplained ones stay. */
static void test_newer_keys_are_named(void **state)
{
	(void)state;
	assert_int_equal(merge(venus_a_reply, SAMPLE_TIME_MS), 0);
	assert_string_equal(value_of("pv1_power_w"), "107.6");
	assert_string_equal(value_of("pv1_connected"), "true");
	assert_string_equal(value_of("pv2_power_w"), "0");
	assert_string_equal(value_of("pv2_connected"), "false");
	assert_string_equal(value_of("pv4_connected"), "false");
	assert_string_equal(value_of("total_pv_power_w"), "107.6");
	assert_string_equal(value_of("pv_energy_today_wh"), "41");
	assert_string_equal(value_of("pv_energy_total_wh"), "57");
	assert_string_equal(value_of("surplus_feed_in"), "\"on\"");
	assert_string_equal(value_of("ble_advertising"), "\"off\""); /* 3: bit 2 clear */
	assert_string_equal(value_of("local_api"), "\"on\"");
	assert_string_equal(value_of("local_api_port"), "48977");
	assert_string_equal(value_of("shelly_port"), "1010");
	assert_string_equal(value_of("phase_diagnosis_status"), "1");
	assert_string_equal(value_of("inverter_version"), "113");
	assert_string_equal(value_of("mppt_version"), "0");
	assert_string_equal(value_of("other"),
			    "{\"ctrl_r\":\"0\",\"par\":\"0\",\"gen\":\"0\",\"c_ratio\":\"100\",\"udp\":\"0\","
			    "\"net\":\"1\",\"id\":\"2|0|0|0|0\",\"lk\":\"0\",\"bp\":\"99\",\"ei\":\"0\","
			    "\"eb\":\"0\",\"rp\":\"107\",\"gp\":\"0\",\"vp\":\"0\",\"pack\":\"1|1|1|0\","
			    "\"em\":\"0\"}");
	/* The reply names no LED or DoD: neither appears. */
	assert_null(value_of("led"));
	assert_null(value_of("depth_of_discharge_percent"));
}

static void test_newer_keys_other_replies(void **state)
{
	(void)state;
	/* A Venus D reply of hm2mqtt's tests: 259.8 W + 265.2 W. */
	merge("cd=1,tot_i=1,tot_o=212,ele_d=0,ele_m=1,grd_d=212,grd_m=212,inc_d=0,inc_m=0,grd_f=0,grd_o=423,grd_t=3,"
	      "gct_s=1,cel_s=2,cel_p=483,cel_c=94,err_t=800,err_a=8,dev_n=142,grd_y=0,wor_m=0,inc_a=0,mcp_w=2200,"
	      "mdp_w=800,pv1=2598|1,pv2=2652|1,pv3=0|1,pv4=0|1,pack=2|3|1|0,pv=697|697,fu=0|0,em=0",
	      SAMPLE_TIME_MS);
	assert_string_equal(value_of("pv2_power_w"), "265.2");
	assert_string_equal(value_of("pv3_connected"), "true");
	assert_string_equal(value_of("total_pv_power_w"), "525");
	assert_string_equal(value_of("surplus_feed_in"), "\"off\"");
	/* An HMG (Venus E) reply of hm2mqtt's tests, in AI mode, Bluetooth advertising (bit 2 of 7) on. */
	venus_state_init(&device);
	merge("cd=1,tot_i=8848,tot_o=7097,ele_d=537,ele_m=8848,grd_d=328,grd_m=7097,inc_d=0,inc_m=0,grd_f=0,grd_o=613,"
	      "grd_t=3,gct_s=1,cel_s=3,cel_p=327,cel_c=64,err_t=0,err_a=0,dev_n=158,grd_y=0,wor_m=5,"
	      "tim_0=0|0|0|0|0|0|0,cts_m=0,bac_u=0,tra_a=1,tra_i=0,tra_o=0,htt_p=0,prc_c=0,prc_d=1,wif_s=33,inc_a=0,"
	      "set_v=0,mcp_w=2500,mdp_w=2500,ct_t=4,phase_t=1,dchrg_t=1,bms_v=212,fc_v=202409090159,wifi_n=XXX,"
	      "seq_s=0,ctrl_r=1,par=255,gen=255,ble=7,shelly_p=1010,c_ratio=90,dod=88,led=0",
	      SAMPLE_TIME_MS);
	assert_string_equal(value_of("working_mode"), "\"ai\"");
	assert_string_equal(value_of("ble_advertising"), "\"on\"");
	assert_string_equal(value_of("depth_of_discharge_percent"), "88");
	assert_string_equal(value_of("led"), "\"off\"");
	/* No PV input in the reply: no PV fields, no total. */
	assert_null(value_of("pv1_power_w"));
	assert_null(value_of("total_pv_power_w"));
}

/* Values of another form than the table expects stay their text under the field's name. */
static void test_newer_keys_malformed(void **state)
{
	(void)state;
	merge("tot_i=1,pv1=12|1|3,pv2=abc,pv3=-5|2,pv=,fu=x|1,ble=on,api=7", SAMPLE_TIME_MS);
	assert_string_equal(value_of("pv1_power_w"), "\"12|1|3\"");
	assert_null(value_of("pv1_connected"));
	assert_string_equal(value_of("pv2_power_w"), "\"abc\"");
	assert_string_equal(value_of("pv3_power_w"), "-0.5");
	assert_string_equal(value_of("pv3_connected"), "2");
	/* Only the inputs that parse count. */
	assert_string_equal(value_of("total_pv_power_w"), "-0.5");
	assert_string_equal(value_of("pv_energy_today_wh"), "\"\"");
	assert_null(value_of("pv_energy_total_wh"));
	assert_string_equal(value_of("surplus_feed_in"), "\"x|1\"");
	assert_string_equal(value_of("ble_advertising"), "\"on\""); /* the text "on", not a reading */
	assert_string_equal(value_of("local_api"), "7");
	assert_null(value_of("other"));
}

/* The newer keys alone make no information reply; beside vendor keys they are named. */
static void test_newer_keys_do_not_classify(void **state)
{
	(void)state;
	venus_reply_parse("pv1=1|1,dod=50", 14, &reply);
	assert_int_not_equal(reply.kind, VENUS_REPLY_INFORMATION);
	venus_reply_parse("tot_i=1,dod=50", 14, &reply);
	assert_int_equal(reply.kind, VENUS_REPLY_INFORMATION);
	assert_true(venus_table_index("dod", 3) >= 0);
	assert_false(venus_table_has_key("dod", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vendor_sample_renders_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_json_follows_the_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_units_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_that_do_not_parse_stay_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_time_periods_no_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_keeps_old_keys_and_updates_changed_ones,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_is_escaped_and_valid_utf8, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_utc_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_keys_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_keys_other_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_keys_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_keys_do_not_classify, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
