/*
 * hame_venus: the first-generation Venus as a member of the family
 * registry. Its information reply keeps venus_state.h. This file holds its
 * command table (venus_command_parse, venus_command.h, is its reading) and
 * the reply the state does not hold: the BMS data (cd=14), published on its
 * own retained topic.
 */
#include <stdint.h>

#include "hame_fields.h"

/*
 * The first-generation Venus table of docs/venus.md as data (the engine is
 * hame_command.c). A cd may have several forms (cd=3 is a time period or
 * trading prices depending on md; cd=15 carries exactly one of vs, meter,
 * dchrg); each form lists every key it needs.
 */

static const long long working_modes[] = {0, 1, 2, 5};
static const long long reset_kinds[] = {1, 2, 3};
static const long long bms_indexes[] = {1, 2, 3, 4, 5, 255};
static const long long dod_off[] = {0};

static const struct hame_key_rule keys_mode[] = {
	{.key = "md", .kind = HAME_VALUE_CHOICE, .extra = working_modes, .n_extra = 4},
	{.key = "nl", .kind = HAME_VALUE_CHOICE, .min = 1, .max = 1, .group = 1},
};
static const struct hame_key_rule keys_time_period[] = {
	CHOICE("md", 1, 1),
	RANGE("nm", 0, 9),
	{.key = "bt", .kind = HAME_VALUE_TIME},
	{.key = "et", .kind = HAME_VALUE_TIME},
	RANGE("wk", 0, 127),
	RANGE("vv", -2500, 2500),
	CHOICE("as", 0, 1),
};
static const struct hame_key_rule keys_trading[] = {
	CHOICE("md", 2, 2),
	RANGE("id", INT32_MIN, INT32_MAX),
	RANGE("in", INT32_MIN, INT32_MAX),
	RANGE("on", INT32_MIN, INT32_MAX),
};
static const struct hame_key_rule keys_clock[] = {
	RANGE("yy", 0, 9999), RANGE("mm", 0, 11), RANGE("rr", 1, 31), RANGE("hh", 0, 23), RANGE("mn", 0, 59),
};
static const struct hame_key_rule keys_reset[] = {
	{.key = "rs", .kind = HAME_VALUE_CHOICE, .extra = reset_kinds, .n_extra = 3},
};
static const struct hame_key_rule keys_wifi_ota[] = {CHOICE("ot", 0, 1)};
static const struct hame_key_rule keys_backup[] = {CHOICE("bc", 0, 1)};
static const struct hame_key_rule keys_discharge[] = {RANGE("vs", 0, 2500)};
static const struct hame_key_rule keys_meter[] = {CHOICE("meter", 0, 2)};
static const struct hame_key_rule keys_phases[] = {CHOICE("dchrg", 0, 1)};
static const struct hame_key_rule keys_charge[] = {RANGE("cp", 300, 2500)};
static const struct hame_key_rule keys_firmware[] = {
	{.key = "le", .kind = HAME_VALUE_URL_LENGTH},
	{.key = "url", .kind = HAME_VALUE_URL},
};
/* cd=18: the app's meter setting (meter code and the meter's MAC), phases, phase diagnosis. */
static const struct hame_key_rule keys_meter_mac[] = {RANGE("meter", 0, 11), {.key = "mac", .kind = HAME_VALUE_MAC}};
static const struct hame_key_rule keys_seq_check[] = {{.key = "seq_check", .kind = HAME_VALUE_FLAG}};
static const struct hame_key_rule keys_local_api[] = {CHOICE("api", 0, 1), RANGE("port", 0, 65535)};
static const struct hame_key_rule keys_bms_index[] = {
	{.key = "bms_idx", .kind = HAME_VALUE_CHOICE, .extra = bms_indexes, .n_extra = 6},
};
static const struct hame_key_rule keys_feed_in[] = {CHOICE("full_d", 0, 1)};
static const struct hame_key_rule keys_advertising[] = {CHOICE("adv", 0, 1)};
/* The device takes 88 as "no limit", which it reads as 0: deliver 0. */
static const struct hame_key_rule keys_dod[] = {
	{.key = "dod", .kind = HAME_VALUE_RANGE, .min = 30, .max = 88, .extra = dod_off, .n_extra = 1,
	 .rewrite = true, .from = 88, .to = 0},
};
static const struct hame_key_rule keys_led[] = {CHOICE("led", 0, 1)};

#undef BY_KEY
#define ONLY(cd, label, cls, keys) {cd, label, cls, HAME_SELECT_ONLY_FORM, NULL, 0, keys, 0, NULL, 0}
#define BARE(cd, label, cls) {cd, label, cls, HAME_SELECT_ONLY_FORM, NULL, 0, NULL, 0, 0, NULL, 0}
#define BY_VALUE(cd, label, sel, v, keys) {cd, label, VENUS_SETTING, HAME_SELECT_BY_VALUE, sel, v, keys, 0, NULL, 0}
#define BY_KEY(cd, label, sel, keys) {cd, label, VENUS_SETTING, HAME_SELECT_BY_PRESENCE, sel, 0, keys, 0, NULL, 0}

static const struct hame_command_form forms[] = {
	BARE(1, "cd=1", VENUS_READ),
	ONLY(2, "cd=2", VENUS_SETTING, KEYS(keys_mode)),
	BY_VALUE(3, "cd=3,md=1", "md", 1, KEYS(keys_time_period)),
	BY_VALUE(3, "cd=3,md=2", "md", 2, KEYS(keys_trading)),
	ONLY(4, "cd=4", VENUS_SETTING, KEYS(keys_clock)),
	ONLY(5, "cd=5", VENUS_DANGEROUS, KEYS(keys_reset)),
	ONLY(9, "cd=9", VENUS_DANGEROUS, KEYS(keys_wifi_ota)),
	BARE(10, "cd=10", VENUS_READ),
	ONLY(11, "cd=11", VENUS_SETTING, KEYS(keys_backup)),
	BARE(14, "cd=14", VENUS_READ),
	BY_KEY(15, "cd=15", "vs", KEYS(keys_discharge)),
	BY_KEY(15, "cd=15", "meter", KEYS(keys_meter)),
	BY_KEY(15, "cd=15", "dchrg", KEYS(keys_phases)),
	ONLY(16, "cd=16", VENUS_SETTING, KEYS(keys_charge)),
	{17, "cd=17", VENUS_SETTING, HAME_SELECT_ONLY_FORM, NULL, 0, NULL, 0, 0, "its parameters are unknown", 0},
	BY_KEY(18, "cd=18", "meter", KEYS(keys_meter_mac)),
	BY_KEY(18, "cd=18", "dchrg", KEYS(keys_phases)),
	BY_KEY(18, "cd=18", "seq_check", KEYS(keys_seq_check)),
	BARE(19, "cd=19", VENUS_READ),
	ONLY(20, "cd=20", VENUS_DANGEROUS, KEYS(keys_firmware)),
	BARE(26, "cd=26", VENUS_READ),
	ONLY(30, "cd=30", VENUS_DANGEROUS, KEYS(keys_local_api)),
	ONLY(42, "cd=42", VENUS_READ, KEYS(keys_bms_index)),
	ONLY(43, "cd=43", VENUS_SETTING, KEYS(keys_feed_in)),
	ONLY(55, "cd=55", VENUS_DANGEROUS, KEYS(keys_advertising)),
	ONLY(56, "cd=56", VENUS_SETTING, KEYS(keys_dod)),
	ONLY(59, "cd=59", VENUS_SETTING, KEYS(keys_led)),
};

const struct hame_command_table venus_commands = {"Venus", forms, sizeof(forms) / sizeof(forms[0]), 1};

bool venus_command_parse(const void *bytes, size_t len, struct venus_command *out)
{
	return hame_command_parse(&venus_commands, bytes, len, out);
}


#define CELL(n, i) F_INT("b_vo" #n, "cell_voltages_mv[" #i "]")
#define CELLS                                                                                                      \
	CELL(1, 0), CELL(2, 1), CELL(3, 2), CELL(4, 3), CELL(5, 4), CELL(6, 5), CELL(7, 6), CELL(8, 7), CELL(9, 8),  \
	CELL(10, 9), CELL(11, 10), CELL(12, 11), CELL(13, 12), CELL(14, 13), CELL(15, 14), CELL(16, 15),          \
	F_CELLS("b_vo", "", HAME_CELLS_FROM_1)
#define COMMON_HEAD                                                                                                \
	F_INT("b_ver", "bms_version"), F_INT("b_soc", "soc_percent"), F_INT("b_soh", "soh_percent"),               \
	F_INT("b_cap", "capacity_wh"), F_SCALED("b_vol", "voltage_v", 100),                                        \
	F_SCALED("b_chv", "charge_voltage_v", 10), F_SCALED("b_cur", "current_a", 10), F_INT("b_tem", "temperature_c")
#define COMMON_TAIL                                                                                                \
	F_INT("b_cpc", "cycle_count"), F_INT("b_err", "error_code"), F_INT("b_war", "warning_code"),               \
	F_INT("b_chf", "full_charge_capacity"), F_INT("b_ret", "total_runtime"), F_INT("b_ent", "energy_throughput")

/* HMG and VNSE3 send the cell and MOSFET temperatures in whole degrees... */
static const struct hame_field bms[] = {
	COMMON_HEAD,
	F_INT("b_tp1", "cell_temps_c[0]"), F_INT("b_tp2", "cell_temps_c[1]"), F_INT("b_tp3", "cell_temps_c[2]"),
	F_INT("b_tp4", "cell_temps_c[3]"), F_INT("b_mot", "mosfet_temp_c"),
	CELLS, COMMON_TAIL,
};
/* ...VNSA and VNSD in tenths (b_tem stays whole degrees on both). */
static const struct hame_field bms_tenths[] = {
	COMMON_HEAD,
	F_SCALED("b_tp1", "cell_temps_c[0]", 10), F_SCALED("b_tp2", "cell_temps_c[1]", 10),
	F_SCALED("b_tp3", "cell_temps_c[2]", 10), F_SCALED("b_tp4", "cell_temps_c[3]", 10),
	F_SCALED("b_mot", "mosfet_temp_c", 10),
	CELLS, COMMON_TAIL,
};

static const char *const bms_signature[] = {"b_ver", "b_soc", "b_tp1", "b_vo1"};

static const struct hame_reply_kind extra[] = {{"bms", KEYS(bms_signature), KEYS(bms), false, false}};
static const struct hame_reply_kind extra_tenths[] = {{"bms", KEYS(bms_signature), KEYS(bms_tenths), false, false}};

const struct hame_family hame_venus_family = {
	"venus", "Venus", &venus_commands, NULL, 0, KEYS(extra), NULL, 0, false,
};
const struct hame_family hame_venus_ad_family = {
	"venus", "Venus A/D", &venus_commands, NULL, 0, KEYS(extra_tenths), NULL, 0, false,
};
