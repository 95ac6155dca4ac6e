/*
 * The Hame family in a real broker: for each family one command through
 * the gate to a client playing the device, one refused, and one reply
 * recorded from a real device turned into its retained JSON topic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct eb_broker broker;
static struct eb_client *device; /* subscribed to every App topic */
static struct eb_client *app;    /* user "app", MQTT v5 */
static struct eb_client *output; /* subscribed to venus/# */

static int start_broker(void **state)
{
	(void)state;
	if (eb_broker_start(&broker, "plugin_opt_venus_command_interval 0\n") != 0)
		return -1;
	device = eb_client_simple(broker.port, "device", "device", MQTT_PROTOCOL_V5);
	app = eb_client_simple(broker.port, "app-1", "app", MQTT_PROTOCOL_V5);
	output = eb_client_simple(broker.port, "output", NULL, MQTT_PROTOCOL_V5);
	if (!device || !app || !output || eb_client_subscribe(device, "+/+/App/+/ctrl", 1) < 0 ||
	    eb_client_subscribe(output, "venus/#", 1) < 0)
		return -1;
	return 0;
}

static int stop_broker(void **state)
{
	(void)state;
	eb_client_disconnect(device);
	eb_client_disconnect(app);
	eb_client_disconnect(output);
	return eb_broker_stop(&broker) == 0 ? 0 : -1;
}

struct family_case {
	const char *type, *id;
	const char *command, *delivered; /* passes, delivered normalised */
	const char *refused, *reason;    /* refused with this reason */
	const char *reply, *leaf, *expect; /* a real reply, its topic leaf, a piece of its JSON */
};

static const struct family_case cases[] = {
	{"HMA-1", "e88da6f35def", "cd=20,md=0,a1=1,b1=08:30,e1=24:00,v1=800", "cd=20,md=0,a1=1,b1=8:30,e1=24:0,v1=800",
	 "cd=11", "cd=11 is dangerous: only plugin_opt_venus_admin_users may send it",
	 "p1=1,p2=2,w1=0,w2=0,pe=14,vv=224,sv=3,cs=0,cd=0,am=0,o1=0,o2=0,do=90,lv=800,g1=0,g2=0,kn=2000", "state",
	 "\"soc_percent\":14,\"battery_energy_wh\":2000"},
	{"HMB-1", "e88da6f35d01", "cd=6,md=200", "cd=6,md=200", "cd=20,md=1", "unknown cd 20",
	 "p1=1,p2=2,w1=0,w2=0,pe=50,vv=110,cs=0,cd=1,o1=1,o2=0,do=90,kn=1000,g1=80,g2=0", "state",
	 "\"output1_enabled\":\"on\",\"output2_enabled\":\"off\""},
	{"JPLS-8H", "jupiter123", "cd=2,md=5", "cd=2,md=5", "cd=16,cp=800", "unknown cd 16",
	 "inv:g_state=1,g_vol=2399,g_fre=5002,b_vol=526,i_temp=42,mppt:m_state=244,pv1=350|37|1304,b_vol=525,"
	 "bms:c_vol=571,soc=33,b_vol=5252,b_temp=213",
	 "bms", "\"bms\":{\"soc_percent\":33,\"voltage_v\":52.52,\"temperature_c\":21.3,\"charge_voltage_v\":57.1}"},
	{"HME-4", "abcd", "cd=5,p1=1", "cd=5,p1=1", "cd=9", "cd=9 is refused for everyone on CT002: a raw UDP debug "
							   "stream with undocumented parameters",
	 "pwr_a=119,pwr_b=15,pwr_c=-136,pwr_t=-1,ble_s=5,wif_r=-79,fc4_v=202409090159,ver_v=119,wif_s=2,slv_n=1,cur_d=0",
	 "state", "\"phase_a_w\":119,\"phase_b_w\":15,\"phase_c_w\":-136,\"total_w\":-1"},
	{"HME-3", "abce", "cd=5,p1=4,p2=9600,p3=1,p4=2", "cd=5,p1=4,p2=9600,p3=1,p4=2", "cd=5,p1=4", "missing key p2",
	 "pwr_a=100,pwr_b=0,pwr_c=0,pwr_t=100,eng_t=123456", "state", "\"net_energy_kwh\":12.3456"},
	{"HMI-1", "24197287ab", "cd=11,p1=1", "cd=11,p1=1", "cd=8,p1=-5", "p1 must be within 0..2000",
	 "ele_d=11,ele_s=1433,pv1_v=334,pv1_i=0,pv1_p=16,pv1_s=1,grd_f=4999,grd_v=2455,chp_t=33,mpt_m=1", "state",
	 "\"grid_frequency_hz\":49.99,\"grid_voltage_v\":245.5"},
	{"VNSE3-0", "venus123", "cd=56,dod=88", "cd=56,dod=0", "cd=55,adv=1",
	 "cd=55 is dangerous: only plugin_opt_venus_admin_users may send it",
	 "cd=14,b_ver=212,b_chv=571,b_soc=65,b_vol=5223,b_cur=-94,b_tem=25,b_tp1=18,b_vo1=3265,b_vo2=3262", "bms",
	 "\"cell_min_mv\":3262,\"cell_max_mv\":3265,\"cell_spread_mv\":3,\"cell_avg_mv\":3264"},
	{"HMF-1", "e88da6f35d02", "cd=21", "cd=21", "cd=33",
	 "cd=33 is refused for everyone on B2500: it sets device type, MAC, address or vendor ids (undocumented)",
	 "cf=123456,df=98765", "calibration", "\"charge_calibration\":123456,\"discharge_calibration\":98765"},
	{"VNSA-0", "venusA123", "cd=59,led=1", "cd=59,led=1", "cd=30,api=1,port=80",
	 "cd=30 is dangerous: only plugin_opt_venus_admin_users may send it",
	 "cd=1,tot_i=0,grd_o=0,cel_c=75,wor_m=5,seq_s=1,ble=3,api=1,port=48977,pv1=1076|1,pv2=0|0,pv=41|57,fu=1|0",
	 "state",
	 "\"working_mode\":\"ai\",\"phase_diagnosis_status\":1,\"ble_advertising\":\"off\",\"local_api\":\"on\","
	 "\"local_api_port\":48977,\"pv1_power_w\":107.6,\"pv1_connected\":true,\"pv2_power_w\":0,"
	 "\"pv2_connected\":false,\"total_pv_power_w\":107.6,\"pv_energy_today_wh\":41,\"pv_energy_total_wh\":57,"
	 "\"surplus_feed_in\":\"on\""},
};

static void check_case(const struct family_case *c)
{
	char app_topic[128], device_topic[128], out_topic[128];
	snprintf(app_topic, sizeof(app_topic), "hame_energy/%s/App/%s/ctrl", c->type, c->id);
	snprintf(device_topic, sizeof(device_topic), "hame_energy/%s/device/%s/ctrl", c->type, c->id);

	assert_int_equal(eb_client_publish_str(app, app_topic, c->command, 1), 0);
	struct eb_message *m = eb_client_next_on(device, app_topic, 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, c->delivered);
	eb_message_free(m);

	assert_int_equal(eb_client_publish_str(app, app_topic, c->refused, 1), MQTT_RC_NOT_AUTHORIZED);
	snprintf(out_topic, sizeof(out_topic), "venus/%s/%s/error", c->type, c->id);
	m = eb_client_next_on(output, out_topic, 2000);
	assert_non_null(m);
	char reason[256];
	snprintf(reason, sizeof(reason), "\"error\":\"%s\"", c->reason);
	if (!strstr(m->payload, reason))
		print_error("%s: %s\n", c->type, (const char *)m->payload);
	assert_non_null(strstr(m->payload, reason));
	eb_message_free(m);

	assert_int_equal(eb_client_publish_str(device, device_topic, c->reply, 1), 0);
	snprintf(out_topic, sizeof(out_topic), "venus/%s/%s/%s", c->type, c->id, c->leaf);
	m = eb_client_next_on(output, out_topic, 2000);
	assert_non_null(m);
	if (!strstr(m->payload, c->expect))
		print_error("%s: %s\n", c->type, (const char *)m->payload);
	assert_non_null(strstr(m->payload, c->expect));
	eb_message_free(m);
}

static void test_one_command_and_one_reply_per_family(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* A friendly setting of a B2500 becomes its vendor command, gated by the B2500 table. */
static void test_friendly_setting_of_another_family(void **state)
{
	(void)state;
	assert_int_equal(eb_client_publish_str(app, "venus/HMA-1/b2500f/set/discharge_depth", "80", 1), 0);
	struct eb_message *m = eb_client_next_on(device, "hame_energy/HMA-1/App/b2500f/ctrl", 2000);
	assert_non_null(m);
	assert_string_equal(m->payload, "cd=19,md=80");
	eb_message_free(m);
	assert_int_equal(eb_client_publish_str(app, "venus/HMA-1/b2500f/set/discharge_depth", "101", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	m = eb_client_next_on(output, "venus/HMA-1/b2500f/error", 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "md must be within 0..100"));
	eb_message_free(m);
}

/* An AES id of new firmware: gated like any id, and the state names the MAC it encrypts. */
static void test_encrypted_id(void **state)
{
	(void)state;
	const char *id = "e6a1f1765cdd26ff05e2afcc5df17a9b";
	assert_int_equal(eb_client_publish_str(app, "marstek_energy/HMA-1/App/e6a1f1765cdd26ff05e2afcc5df17a9b/ctrl",
					       "cd=11", 1),
			 MQTT_RC_NOT_AUTHORIZED);
	eb_message_free(eb_client_next_on(output, "venus/HMA-1/e6a1f1765cdd26ff05e2afcc5df17a9b/error", 2000));
	assert_int_equal(eb_client_publish_str(device, "marstek_energy/HMA-1/device/e6a1f1765cdd26ff05e2afcc5df17a9b/ctrl",
					       "p1=0,p2=0,w1=0,w2=0,pe=10,vv=226,o1=0,o2=0,do=90,kn=200,g1=0,g2=0", 1),
			 0);
	struct eb_message *m = eb_client_next_on(output, "venus/HMA-1/e6a1f1765cdd26ff05e2afcc5df17a9b/state", 2000);
	assert_non_null(m);
	assert_non_null(strstr(m->payload, "\"mac\":\"badbeefbadbe\""));
	assert_non_null(strstr(m->payload, id));
	eb_message_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_command_and_one_reply_per_family),
		cmocka_unit_test(test_friendly_setting_of_another_family),
		cmocka_unit_test(test_encrypted_id),
	};
	return cmocka_run_group_tests_name("integration_hame", tests, start_broker, stop_broker);
}
