/*
 * hame_meter: the CT002 (HME-2, HME-4, TPM-CN, TPM2-0) and CT003 (HME-3,
 * HME-5, SMR-x) smart meters (docs/venus.md, "Smart meters"). One table;
 * only cd=5 differs between the two families (phase reversal mask against
 * meter interface settings).
 */
#include "hame_fields.h"

#define CT002 1u
#define CT003 2u

static const struct hame_key_rule keys_slave[] = {RANGE("p1", 0, 8)};
static const struct hame_key_rule keys_reversed[] = {RANGE("p1", 0, 7)};
static const struct hame_key_rule keys_reversed_tpm2[] = {RANGE("dir", 0, 7)};
static const struct hame_key_rule keys_interface[] = {
	RANGE("p1", 0, 255), RANGE("p2", 0, 1000000), RANGE("p3", 0, 255), RANGE("p4", 0, 65535),
};
static const struct hame_key_rule keys_record[] = {RANGE("p1", 1, 30)};
static const struct hame_key_rule keys_ota_prepare[] = {RANGE("clr", 0, 65535)};
static const struct hame_key_rule keys_ota_connect[] = {RANGE("num", 0, 65535)};
static const struct hame_key_rule keys_ota_start[] = {{.key = "start", .kind = HAME_VALUE_FLAG}};

static const struct hame_command_form forms[] = {
	READ(1, 0),
	FORM(4, VENUS_READ, KEYS(keys_slave), 0),
	READ(41, 0),
	READ(42, 0),
	BY_KEY(5, "p1", KEYS(keys_reversed), CT002),
	BY_KEY(5, "dir", KEYS(keys_reversed_tpm2), CT002),
	SETTING(5, KEYS(keys_interface), CT003),
	READ(14, 0),
	READ(16, 0),
	READ(17, 0),
	READ(19, 0),
	READ(51, 0),
	FORM(29, VENUS_READ, KEYS(keys_record), 0),
	FORM(30, VENUS_READ, KEYS(keys_record), 0),
	DANGER(8, 0),
	REFUSED(9, "a raw UDP debug stream with undocumented parameters", 0),
	DANGER(10, 0),
	DANGER(11, 0),
	FORM(52, VENUS_DANGEROUS, KEYS(keys_ota_prepare), 0),
	FORM(53, VENUS_DANGEROUS, KEYS(keys_ota_connect), 0),
	FORM(54, VENUS_DANGEROUS, KEYS(keys_ota_start), 0),
};

static const struct hame_command_table commands_ct002 = {"CT002", forms, COUNT_OF(forms), CT002};
static const struct hame_command_table commands_ct003 = {"CT003", forms, COUNT_OF(forms), CT003};

static const struct hame_field state_ct002[] = {
	F_INT("pwr_a", "phase_a_w"), F_INT("pwr_b", "phase_b_w"), F_INT("pwr_c", "phase_c_w"),
	F_INT("pwr_t", "total_w"), F_INT("ble_s", "ble_state"), F_RSSI("wif_r", "wifi_rssi_dbm"),
	F_INT("wif_s", "wifi_state"), F_TEXT("fc4_v", "fc4_version"), F_INT("ver_v", "firmware_version"),
	F_INT("slv_n", "slave_count"), F_BIT("cur_d", "phase_a_reversed", 0), F_BIT("cur_d", "phase_b_reversed", 1),
	F_BIT("cur_d", "phase_c_reversed", 2),
};
static const struct hame_field state_ct003[] = {
	F_INT("pwr_a", "phase_a_w"), F_INT("pwr_b", "phase_b_w"), F_INT("pwr_c", "phase_c_w"),
	F_INT("pwr_t", "total_w"), F_INT("ble_s", "ble_state"), F_RSSI("wif_r", "wifi_rssi_dbm"),
	F_INT("wif_s", "wifi_state"), F_TEXT("fc4_v", "fc4_version"), F_INT("ver_v", "firmware_version"),
	F_INT("slv_n", "slave_count"), F_BIT("cur_d", "phase_a_reversed", 0), F_BIT("cur_d", "phase_b_reversed", 1),
	F_BIT("cur_d", "phase_c_reversed", 2),
	F_SCALED("eng_t", "net_energy_kwh", 10000), F_INT("smt_n", "meter_model_number"),
	F_BOOL("har_f", "p1_connected"), F_BOOL("sof_f", "p1_read_ok"), F_BOOL("irs_f", "ir_read_ok"),
	F_INT("pwr_f", "phase_read_flags"), F_INT("com_t", "interface_type"), F_INT("com_b", "baud_rate"),
	F_INT("ptl_t", "protocol_type"),
};

static const char *const signature[] = {"pwr_a", "pwr_b", "pwr_c", "pwr_t"};

static const struct hame_reply_kind replies_ct002[] = {{"state", KEYS(signature), KEYS(state_ct002), false, true}};
static const struct hame_reply_kind replies_ct003[] = {{"state", KEYS(signature), KEYS(state_ct003), false, true}};

static const struct hame_setting settings[] = {
	{"refresh", HAME_SET_PRESS, "cd=1", NULL, NULL, NULL, NULL},
};

const struct hame_family hame_ct002_family = {
	"ct002", "CT002 smart meter", &commands_ct002, KEYS(replies_ct002), NULL, 0, KEYS(settings), false,
};
const struct hame_family hame_ct003_family = {
	"ct003", "CT003 smart meter", &commands_ct003, KEYS(replies_ct003), NULL, 0, KEYS(settings), false,
};
