/*
 * hame_b2500: the B2500 balcony battery (docs/venus.md, "B2500"): the
 * first generation (HMB, variant V1) and the second (HMA, HMF, HMK, HMJ,
 * variant V2) share one command table whose forms say which generation has
 * them, and two runtime state tables that differ in three keys.
 */
#include "hame_fields.h"

#define V1 1u
#define V2 2u

static const long long ct_phases[] = {0, 1, 2, 3, 255};

static const struct hame_key_rule keys_md_01[] = {CHOICE("md", 0, 1)};
static const struct hame_key_rule keys_outputs_v1[] = {RANGE("md", 0, 3)};
static const struct hame_key_rule keys_depth[] = {RANGE("md", 0, 100)};
static const struct hame_key_rule keys_threshold[] = {RANGE("md", 0, 800)};
static const struct hame_key_rule keys_follow_meter[] = {CHOICE("md", 1, 1)};
#define PERIOD_KEYS(n)                                                                                             \
	{.key = "a" #n, .kind = HAME_VALUE_CHOICE, .min = 0, .max = 1, .group = n},                                \
	{.key = "b" #n, .kind = HAME_VALUE_TIME_UNPADDED, .group = n},                                             \
	{.key = "e" #n, .kind = HAME_VALUE_TIME_UNPADDED, .max = 2400, .group = n},                                \
	{.key = "v" #n, .kind = HAME_VALUE_RANGE, .min = 0, .max = 800, .group = n}
static const struct hame_key_rule keys_periods[] = {
	CHOICE("md", 0, 0), PERIOD_KEYS(1), PERIOD_KEYS(2), PERIOD_KEYS(3), PERIOD_KEYS(4), PERIOD_KEYS(5),
};
static const struct hame_key_rule keys_clock[] = {
	RANGE("wy", -720, 720), RANGE("yy", 0, 9999), RANGE("mm", 0, 11), RANGE("rr", 1, 31),
	RANGE("hh", 0, 23),     RANGE("mn", 0, 59),   RANGE("ss", 0, 59),
};
static const struct hame_key_rule keys_time_zone[] = {{.key = "wy", .kind = HAME_VALUE_RANGE, .min = -720, .max = 720, .step = 10}};
static const struct hame_key_rule keys_ct_phase[] = {ONE_OF("md", ct_phases)};
static const struct hame_key_rule keys_meter[] = {RANGE("meter", 0, 11), {.key = "mac", .kind = HAME_VALUE_MAC}};
static const struct hame_key_rule keys_phases[] = {CHOICE("dchrg", 0, 1)};
static const struct hame_key_rule keys_seq_check[] = {{.key = "seq_check", .kind = HAME_VALUE_FLAG}};
static const struct hame_key_rule keys_recharge_sequence[] = {RANGE("rechrg_seq", 0, 3)};
static const struct hame_key_rule keys_single_mode[] = {CHOICE("single_mode", 0, 1), RANGE("b2500_num", 5000, 5499)};
static const struct hame_key_rule keys_feed_in[] = {CHOICE("touchuan_disa", 0, 1)};

#define PROVISIONING "it sets device type, MAC, address or vendor ids (undocumented)"

static const struct hame_command_form forms[] = {
	READ(1, 0),
	SETTING(3, KEYS(keys_md_01), 0),
	SETTING(17, KEYS(keys_md_01), 0),
	SETTING(4, KEYS(keys_outputs_v1), V1),
	SETTING(18, KEYS(keys_outputs_v1), V1),
	SETTING(4, KEYS(keys_md_01), V2),
	SETTING(18, KEYS(keys_md_01), V2),
	SETTING(5, KEYS(keys_depth), 0),
	SETTING(19, KEYS(keys_depth), 0),
	SETTING(6, KEYS(keys_threshold), V1),
	{7, "cd=7,md=1", VENUS_SETTING, HAME_SELECT_BY_VALUE, "md", 1, KEYS(keys_follow_meter), 0, NULL, V2},
	{7, "cd=7,md=0", VENUS_SETTING, HAME_SELECT_BY_VALUE, "md", 0, KEYS(keys_periods), 1, NULL, V2},
	{20, "cd=20,md=1", VENUS_SETTING, HAME_SELECT_BY_VALUE, "md", 1, KEYS(keys_follow_meter), 0, NULL, V2},
	{20, "cd=20,md=0", VENUS_SETTING, HAME_SELECT_BY_VALUE, "md", 0, KEYS(keys_periods), 1, NULL, V2},
	SETTING(8, KEYS(keys_clock), 0),
	SETTING(9, KEYS(keys_time_zone), 0),
	DANGER(10, 0),
	DANGER(11, 0),
	READ(13, 0),
	READ(16, 0),
	READ(21, 0),
	READ(14, V2),
	READ(15, V2),
	READ(24, V2),
	READ(28, V2),
	READ(30, V2),
	READ(34, V2),
	SETTING(22, KEYS(keys_ct_phase), V2),
	BY_KEY(27, "meter", KEYS(keys_meter), V2),
	BY_KEY(27, "dchrg", KEYS(keys_phases), V2),
	BY_KEY(27, "seq_check", KEYS(keys_seq_check), V2),
	BY_KEY(27, "rechrg_seq", KEYS(keys_recharge_sequence), V2),
	SETTING(29, KEYS(keys_single_mode), V2),
	SETTING(31, KEYS(keys_feed_in), V2),
	REFUSED(12, "undocumented", 0),
	REFUSED(23, "undocumented", 0),
	REFUSED(25, "undocumented", 0),
	REFUSED(26, "undocumented", 0),
	REFUSED(33, PROVISIONING, 0),
	REFUSED(35, PROVISIONING, 0),
	REFUSED(36, PROVISIONING, 0),
	REFUSED(37, PROVISIONING, 0),
	REFUSED(38, PROVISIONING, 0),
	REFUSED(39, PROVISIONING, 0),
	REFUSED(81, PROVISIONING, 0),
};

static const struct hame_command_table commands_v1 = {"B2500", forms, COUNT_OF(forms), V1};
static const struct hame_command_table commands_v2 = {"B2500", forms, COUNT_OF(forms), V2};

/* ---- replies ---- */

static const char *const scene[] = {"day", "night", "dusk"};
static const char *const charging_mode_v1[] = {"pv2_pass_through", "charge_then_discharge"};
static const char *const charging_mode_v2[] = {"simultaneous", "charge_then_discharge"};
static const char *const ct_phase[256] = {"phase_1", "phase_2", "phase_3", "searching", [255] = "none"};
static const char *const ct_status[12] = {[5] = "preparing_1", "preparing_2", "diagnosing_equipment",
					  "diagnosing_channel", "diagnosis_timeout", "charging_in_progress",
					  "channel_not_found"};
static const char *const ct_type[] = {NULL, "ct001", "ct001_5", "ct002", "shelly_pro_3em", "p1_meter", "ct003",
				      "shelly_em_gen3", "shelly_pro_em50", "ecotracker", "smr_p1", "smr_ir",
				      "smr_tic", "tpm2_100ct"};

#define PERIOD_FIELDS(n, i)                                                                                        \
	F_BOOL("d" #n, "time_periods[" #i "].enabled"), F_TIME("e" #n, "time_periods[" #i "].start"),             \
		F_TIME("f" #n, "time_periods[" #i "].end"), F_INT("h" #n, "time_periods[" #i "].power_w")
#define PACK_BITS(raw, pack, first)                                                                                \
	F_BIT(raw, "pack_status." pack ".discharging", first), F_BIT(raw, "pack_status." pack ".charging", first + 1), \
		F_BIT(raw, "pack_status." pack ".dod_reached", first + 2),                                            \
		F_BIT(raw, "pack_status." pack ".undervoltage", first + 3)

/* The runtime fields of both generations; charging_mode, cd and md differ. */
#define RUNTIME_FIELDS(charging_modes)                                                                             \
	F_INT("pe", "soc_percent"), F_INT("kn", "battery_energy_wh"), F_INT("do", "discharge_depth_percent"),      \
	F_INT("lv", "output_threshold_w"), F_BIT("p1", "input1_charging", 0), F_BIT("p1", "input1_pass_through", 1), \
	F_BIT("p2", "input2_charging", 0), F_BIT("p2", "input2_pass_through", 1), F_INT("w1", "input1_power_w"),   \
	F_INT("w2", "input2_power_w"), F_SUM("w1", "w2", "input_power_w"), F_BIT("o1", "output1_active", 0),       \
	F_BIT("o2", "output2_active", 0), F_INT("g1", "output1_power_w"), F_INT("g2", "output2_power_w"),          \
	F_SUM("g1", "g2", "output_power_w"),                                                                       \
	F_ENUM("cs", "charging_mode", charging_modes), F_INT("vv", "firmware_version"),                            \
	F_INT("sv", "firmware_subversion"), F_INT("uv", "bootloader_version"), F_TEXT("fc", "fc4_version"),        \
	F_INT("id", "device_number"), F_ENUM("cj", "scene", scene), F_BOOL("b1", "extra_pack1_connected"),         \
	F_BOOL("b2", "extra_pack2_connected"), F_INT("tl", "cell_temp_min_c"), F_INT("th", "cell_temp_max_c"),     \
	F_BOOL("tc", "charge_temp_alarm"), F_BOOL("tf", "discharge_temp_alarm"), PERIOD_FIELDS(1, 0),              \
	PERIOD_FIELDS(2, 1), PERIOD_FIELDS(3, 2), PERIOD_FIELDS(4, 3), PERIOD_FIELDS(5, 4),                        \
	F_INT("a0", "host_soc_percent"), F_INT("a1", "extra1_soc_percent"), F_INT("a2", "extra2_soc_percent"),     \
	PACK_BITS("l0", "host", 0), PACK_BITS("l1", "extra1", 4), PACK_BITS("l1", "extra2", 0),                    \
	F_INT("bc", "daily_battery_charge_wh"), F_INT("bs", "daily_battery_discharge_wh"),                         \
	F_INT("pt", "daily_pv_charge_wh"), F_INT("it", "daily_inverter_output_wh"), F_BOOL("sg", "ct_connected"),  \
	F_INT("sp", "ct_target_power_w"), F_INT("st", "ct_transmitted_power_w"), F_ENUM("c0", "ct_phase", ct_phase), \
	F_ENUM_OR("c1", "ct_status", ct_status, "not_in_diagnosis"), F_INT("m0", "ct_phase1_power_w"),             \
	F_INT("m1", "ct_phase2_power_w"), F_INT("m2", "ct_phase3_power_w"), F_INT("m3", "inverter_power_w"),       \
	F_INT("lmo", "rated_output_power_w"), F_INT("lmi", "rated_input_power_w"),                                 \
	F_INT("lmo1", "rated_output1_power_w"), F_INT("lmo2", "rated_output2_power_w"),                            \
	F_INT("lmi1", "rated_input1_power_w"), F_INT("lmi2", "rated_input2_power_w"), F_BOOL("lmf", "power_limited"), \
	F_RSSI("ws", "wifi_rssi_dbm"), F_ENUM("tc_dis", "surplus_feed_in", hame_on_off), F_ENUM("ct_t", "ct_type", ct_type)

static const struct hame_field state_v1[] = {
	RUNTIME_FIELDS(charging_mode_v1),
	F_BIT_WORD("cd", "output1_enabled", 0, hame_off_on),
	F_BIT_WORD("cd", "output2_enabled", 1, hame_off_on),
};
static const struct hame_field state_v2[] = {
	RUNTIME_FIELDS(charging_mode_v2),
	F_ENUM("md", "adaptive_mode", hame_off_on),
};

#define CELL(p, pack, h, i) F_INT(p #h, pack ".cells_mv[" #i "]")
#define CELLS16(p, pack)                                                                                           \
	CELL(p, pack, 0, 0), CELL(p, pack, 1, 1), CELL(p, pack, 2, 2), CELL(p, pack, 3, 3), CELL(p, pack, 4, 4),   \
	CELL(p, pack, 5, 5), CELL(p, pack, 6, 6), CELL(p, pack, 7, 7), CELL(p, pack, 8, 8), CELL(p, pack, 9, 9),   \
	CELL(p, pack, a, 10), CELL(p, pack, b, 11), CELL(p, pack, c, 12), CELL(p, pack, d, 13),                    \
	CELL(p, pack, e, 14), CELL(p, pack, f, 15), F_CELLS(p, pack, HAME_CELLS_HEX)

static const struct hame_field cells[] = {CELLS16("a", "host"), CELLS16("b", "extra1"), CELLS16("c", "extra2")};

#define IO(kind, n, volts, amps, watts)                                                                            \
	F_SCALED(volts, kind "[" #n "].voltage_v", 1000), F_SCALED(amps, kind "[" #n "].current_a", 1000),        \
		F_INT(watts, kind "[" #n "].power_w")
#define PACK(name, watts, volts, amps)                                                                             \
	F_INT(watts, "batteries." name ".power_w"), F_SCALED(volts, "batteries." name ".voltage_v", 1000),         \
		F_SCALED(amps, "batteries." name ".current_a", 1000)

static const struct hame_field electrical_v2[] = {
	IO("inputs", 0, "m1", "c1", "w1"), IO("inputs", 1, "m2", "c2", "w2"),
	IO("outputs", 0, "i1", "c3", "g1"), IO("outputs", 1, "i2", "c4", "g2"),
	PACK("host", "bb", "bv", "bc"), PACK("extra1", "sb", "sv", "sc"), PACK("extra2", "lb", "lv", "lc"),
};
/*
 * The calibration counters (cd=21): named, as sent; their unit is
 * unconfirmed (hm2mqtt divides by 1000 and calls the result mAh).
 */
static const struct hame_field calibration[] = {
	F_INT("cf", "charge_calibration"), F_INT("df", "discharge_calibration"),
};
/* The first generation's units are unconfirmed: only the powers are named. */
static const struct hame_field electrical_v1[] = {
	F_INT("w1", "inputs[0].power_w"), F_INT("w2", "inputs[1].power_w"),
	F_INT("g1", "outputs[0].power_w"), F_INT("g2", "outputs[1].power_w"),
};

static const char *const runtime_signature[] = {"pe", "kn", "do", "p1", "p2", "w1", "w2", "vv", "o1", "o2", "g1", "g2"};
static const char *const cells_signature[] = {"a3", "a4", "ad"};
static const char *const electrical_v2_signature[] = {"bb", "bv", "bc", "sb", "sv", "sc", "lb", "lv", "lc"};
static const char *const calibration_signature[] = {"cf", "df"};
static const char *const electrical_v1_signature[] = {"p1", "p2", "m1", "m2", "w1", "w2", "e1", "e2", "o1", "o2", "g1", "g2"};

static const struct hame_reply_kind replies_v1[] = {
	{"state", KEYS(runtime_signature), KEYS(state_v1), false, true},
	{"cells", KEYS(cells_signature), KEYS(cells), false, false},
	{"electrical", KEYS(electrical_v1_signature), KEYS(electrical_v1), false, false},
	{"calibration", KEYS(calibration_signature), KEYS(calibration), false, false},
};
static const struct hame_reply_kind replies_v2[] = {
	{"state", KEYS(runtime_signature), KEYS(state_v2), false, true},
	{"cells", KEYS(cells_signature), KEYS(cells), false, false},
	{"electrical", KEYS(electrical_v2_signature), KEYS(electrical_v2), false, false},
	{"calibration", KEYS(calibration_signature), KEYS(calibration), false, false},
};

/* ---- friendly settings: the non-flash commands where the generation has them ---- */

static const char *const charge_words_v1[] = {"pv2_pass_through", "charge_then_discharge", NULL};
static const char *const charge_words_v2[] = {"simultaneous", "charge_then_discharge", NULL};
static const long long codes_01[] = {0, 1};

static const struct hame_setting settings_v1[] = {
	{"discharge_depth", HAME_SET_NUMBER, "cd=19,md=", NULL, NULL, NULL, NULL},
	{"output_threshold", HAME_SET_NUMBER, "cd=6,md=", NULL, NULL, NULL, NULL},
	{"charging_mode", HAME_SET_WORDS, "cd=17,md=", charge_words_v1, codes_01, NULL, NULL},
	{"outputs", HAME_SET_NUMBER, "cd=4,md=", NULL, NULL, NULL, NULL},
	{"refresh", HAME_SET_PRESS, "cd=1", NULL, NULL, NULL, NULL},
};
static const struct hame_setting settings_v2[] = {
	{"discharge_depth", HAME_SET_NUMBER, "cd=19,md=", NULL, NULL, NULL, NULL},
	{"charging_mode", HAME_SET_WORDS, "cd=17,md=", charge_words_v2, codes_01, NULL, NULL},
	{"adaptive_mode", HAME_SET_SWITCH, "cd=18,md=", NULL, NULL, "1", "0"},
	{"surplus_feed_in", HAME_SET_SWITCH, "cd=31,touchuan_disa=", NULL, NULL, "0", "1"},
	{"refresh", HAME_SET_PRESS, "cd=1", NULL, NULL, NULL, NULL},
	{"refresh_cells", HAME_SET_PRESS, "cd=13", NULL, NULL, NULL, NULL},
	{"refresh_electrical", HAME_SET_PRESS, "cd=16", NULL, NULL, NULL, NULL},
};

const struct hame_family hame_b2500_v1_family = {
	"b2500", "B2500 (first generation)", &commands_v1, KEYS(replies_v1), NULL, 0, KEYS(settings_v1), false,
};
const struct hame_family hame_b2500_v2_family = {
	"b2500", "B2500 (second generation)", &commands_v2, KEYS(replies_v2), NULL, 0, KEYS(settings_v2), true,
};
