/*
 * hame_jupiter: the Jupiter batteries (HMN Jupiter E, HMM Jupiter C, JPLS
 * Jupiter Plus; docs/venus.md, "Jupiter"). Its command numbers look like
 * the Venus ones but its working modes and periods differ, and it has none
 * of the Venus commands 9, 11, 15, 16, 19, 20, 30, 43.
 */
#include "hame_fields.h"

static const long long modes[] = {1, 2, 5};

static const struct hame_key_rule keys_mode[] = {ONE_OF("md", modes)};
static const struct hame_key_rule keys_period[] = {
	CHOICE("md", 1, 2),
	RANGE("nm", 0, 4),
	{.key = "bt", .kind = HAME_VALUE_TIME},
	{.key = "et", .kind = HAME_VALUE_TIME},
	RANGE("wk", 0, 127),
	RANGE("vv", 0, 800),
	CHOICE("as", 0, 1),
};
static const struct hame_key_rule keys_clock[] = {
	RANGE("yy", 0, 9999), RANGE("mm", 0, 11), RANGE("rr", 1, 31), RANGE("hh", 0, 23), RANGE("mn", 0, 59),
};
static const struct hame_key_rule keys_reset[] = {CHOICE("rs", 1, 2)};
static const struct hame_key_rule keys_feed_in[] = {CHOICE("full_d", 0, 1)};
static const struct hame_key_rule keys_dod[] = {RANGE("dod", 30, 90)};

static const struct hame_command_form forms[] = {
	READ(1, 0),
	READ(10, 0),
	READ(14, 0),
	SETTING(2, KEYS(keys_mode), 0),
	SETTING(3, KEYS(keys_period), 0),
	SETTING(4, KEYS(keys_clock), 0),
	FORM(5, VENUS_DANGEROUS, KEYS(keys_reset), 0),
	SETTING(13, KEYS(keys_feed_in), 0),
	SETTING(56, KEYS(keys_dod), 0),
};

static const struct hame_command_table commands = {"Jupiter", forms, COUNT_OF(forms), 1};

static const char *const battery_status[] = {"idle", "charging", "discharging"};
static const char *const working_mode[] = {NULL, "automatic", "manual", NULL, NULL, "ai"};
static const char *const phase[] = {"unknown", "phase_a", "phase_b", "phase_c", "not_detected"};
static const char *const ct_type[] = {NULL, "ct001", "ct001_5", "ct002", "shelly_pro_3em", "p1_meter", "ct003",
				      "shelly_em_gen3", "shelly_pro_em50", "ecotracker", "smr_p1", "smr_ir",
				      "smr_tic", "tpm2_100ct"};
static const char *const recharge_mode[] = {"single_phase", "three_phase"};
static const char *const feed_in[] = {"off", "on", NULL, "feeding"};

static const struct hame_field state[] = {
	F_SCALED("ele_d", "daily_charged_kwh", 100), F_SCALED("ele_m", "monthly_charged_kwh", 100),
	F_SCALED("ele_y", "yearly_charged_kwh", 100), F_SCALED("grd_d", "daily_discharged_kwh", 100),
	F_SCALED("grd_m", "monthly_discharged_kwh", 100),
	F_INT("pv1_p", "pv1_power_w"), F_BOOL("pv1_s", "pv1_active"), F_INT("pv2_p", "pv2_power_w"),
	F_BOOL("pv2_s", "pv2_active"), F_INT("pv3_p", "pv3_power_w"), F_BOOL("pv3_s", "pv3_active"),
	F_INT("pv4_p", "pv4_power_w"), F_BOOL("pv4_s", "pv4_active"),
	F_INT("grd_o", "combined_power_w"), F_INT("grd_t", "working_status"), F_INT("gct_s", "ct_status"),
	F_ENUM("cel_s", "battery_status", battery_status), F_SCALED("cel_p", "battery_energy_kwh", 100),
	F_INT("cel_c", "soc_percent"), F_INT("err_t", "fault_code"), F_INT("ala_c", "alarm_code"),
	F_ENUM("wor_m", "working_mode", working_mode),
	F_PERIOD("tim_0", "time_periods[0]"), F_PERIOD("tim_1", "time_periods[1]"), F_PERIOD("tim_2", "time_periods[2]"),
	F_PERIOD("tim_3", "time_periods[3]"), F_PERIOD("tim_4", "time_periods[4]"),
	F_ENUM("cts_m", "ct_auto_switch", hame_off_on), F_INT("wif_s", "wifi_signal"),
	F_ENUM("ct_t", "ct_type", ct_type), F_ENUM("phase_t", "phase", phase),
	F_ENUM("dchrg", "recharge_mode", recharge_mode), F_TEXT("ssid", "wifi_name"),
	F_INT("htt_p", "http_server_type"), F_INT("shelly_p", "shelly_port"), F_INT("dev_n", "device_version"),
	F_INT("dev_b", "bms_version"), F_INT("dev_m", "mppt_version"), F_INT("dev_i", "inverter_version"),
	F_ENUM("ful_d", "surplus_feed_in", feed_in), F_INT("dod", "depth_of_discharge_percent"),
	F_INT("total_b", "battery_packs_total"), F_INT("online_b", "battery_packs_online"),
};

/* cd=14: three sections, the same keys (b_vol) in more than one. */
#define PV(n) F_PART("mppt:pv" #n, 1, "mppt.pv" #n "_voltage_v", 10), \
	F_PART("mppt:pv" #n, 2, "mppt.pv" #n "_current_a", 10), F_PART("mppt:pv" #n, 3, "mppt.pv" #n "_power_w", 10)
#define VOL(n) F_INT("bms:vol" #n, "bms.vol_raw[" #n "]")

static const struct hame_field sections[] = {
	F_SCALED("inv:g_vol", "inverter.grid_voltage_v", 10), F_SCALED("inv:g_cur", "inverter.grid_current_a", 10),
	F_SCALED("inv:g_fre", "inverter.grid_frequency_hz", 100), F_INT("inv:g_power", "inverter.grid_power_w"),
	F_INT("inv:g_pf", "inverter.power_factor"), F_INT8("inv:i_temp", "inverter.temperature_c", 1),
	F_INT("inv:i_err", "inverter.error_code"), F_INT("inv:i_war", "inverter.warning_code"),
	F_SCALED("inv:b_vol", "inverter.battery_voltage_v", 10), F_INT("inv:g_state", "inverter.g_state"),
	F_INT("inv:w_state1", "inverter.w_state1"), F_INT("inv:w_state2", "inverter.w_state2"),
	PV(1), PV(2), PV(3), PV(4),
	F_INT8("mppt:m_temp", "mppt.temperature_c", 1), F_INT("mppt:m_err", "mppt.error_code"),
	F_INT("mppt:m_war", "mppt.warning_code"), F_SCALED("mppt:b_vol", "mppt.battery_voltage_v", 10),
	F_SCALED("mppt:b_cur", "mppt.battery_current_a", 10), F_INT("mppt:m_state", "mppt.m_state"),
	F_INT("mppt:base_v", "mppt.base_v"), F_INT("mppt:pe_v", "mppt.pe_v"), F_INT("mppt:fail_t", "mppt.fail_t"),
	F_INT("bms:soc", "bms.soc_percent"), F_INT("bms:soh", "bms.soh_percent"), F_INT("bms:b_cap", "bms.capacity_wh"),
	F_SCALED("bms:b_vol", "bms.voltage_v", 100), F_SCALED("bms:b_cur", "bms.current_a", 10),
	F_SCALED("bms:b_temp", "bms.temperature_c", 10), F_SCALED("bms:c_vol", "bms.charge_voltage_v", 10),
	F_SCALED("bms:c_cur", "bms.charge_current_limit_a", 10), F_SCALED("bms:d_cur", "bms.discharge_current_limit_a", 10),
	F_INT("bms:b_err", "bms.error_code"), F_INT("bms:b_war", "bms.warning_code"),
	F_INT("bms:b_err2", "bms.error2_code"), F_INT("bms:b_war2", "bms.warning2_code"),
	F_INT("bms:c_flag", "bms.cell_flags"), F_INT("bms:s_flag", "bms.status_flags"), F_INT("bms:b_num", "bms.bms_number"),
	F_INT8("bms:b_temp0", "bms.cell_temps_c[0]", 1), F_INT8("bms:b_temp1", "bms.cell_temps_c[1]", 1),
	F_INT8("bms:b_temp2", "bms.cell_temps_c[2]", 1), F_INT8("bms:b_temp3", "bms.cell_temps_c[3]", 1),
	F_INT8("bms:env_t", "bms.ambient_temp_c", 1), F_INT8("bms:mos_t", "bms.mosfet_temp_c", 1),
	VOL(0), VOL(1), VOL(2), VOL(3), VOL(4), VOL(5), VOL(6), VOL(7), VOL(8), VOL(9), VOL(10), VOL(11),
	VOL(12), VOL(13), VOL(14), VOL(15),
};

static const char *const state_signature[] = {"ele_y", "pv1_p", "dchrg", "ssid", "dev_n"};
static const char *const sections_signature[] = {"inv:g_state", "mppt:m_state", "bms:c_vol"};

static const struct hame_reply_kind replies[] = {
	{"state", KEYS(state_signature), KEYS(state), false, true},
	{"bms", KEYS(sections_signature), KEYS(sections), true, false},
};

static const char *const mode_words[] = {"automatic", "manual", "ai", NULL};
static const long long mode_codes[] = {1, 2, 5};

static const struct hame_setting settings[] = {
	{"working_mode", HAME_SET_WORDS, "cd=2,md=", mode_words, mode_codes, NULL, NULL},
	{"depth_of_discharge", HAME_SET_NUMBER, "cd=56,dod=", NULL, NULL, NULL, NULL},
	{"surplus_feed_in", HAME_SET_SWITCH, "cd=13,full_d=", NULL, NULL, "1", "0"},
	{"refresh", HAME_SET_PRESS, "cd=1", NULL, NULL, NULL, NULL},
	{"refresh_bms", HAME_SET_PRESS, "cd=14", NULL, NULL, NULL, NULL},
};

const struct hame_family hame_jupiter_family = {
	"jupiter", "Jupiter", &commands, KEYS(replies), NULL, 0, KEYS(settings), false,
};
