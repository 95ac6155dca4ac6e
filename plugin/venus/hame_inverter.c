/*
 * hame_inverter: the HMI micro-inverters (HMI-1 alias MI800 with 2 PV
 * inputs, HMI-2000 with 4, HMI-350, HMI-500; docs/venus.md,
 * "Micro-inverters"). No dangerous command is documented; cd=11 here is the
 * inverter mode, not the B2500's factory reset.
 */
#include "hame_fields.h"

static const struct hame_key_rule keys_limit[] = {RANGE("p1", 0, 2000)};
static const struct hame_key_rule keys_mode[] = {CHOICE("p1", 0, 2)};
static const struct hame_key_rule keys_ban[] = {CHOICE("p1", 0, 1)};

static const struct hame_command_form forms[] = {
	READ(1, 0),
	SETTING(8, KEYS(keys_limit), 0),
	SETTING(11, KEYS(keys_mode), 0),
	SETTING(22, KEYS(keys_ban), 0),
};

static const struct hame_command_table commands = {"HMI", forms, COUNT_OF(forms), 1};

static const char *const modes[] = {"default", "b2500_boost", "reverse_current_protection"};

#define PV(n)                                                                                                      \
	F_SCALED("pv" #n "_v", "pv" #n "_voltage_v", 10), F_SCALED("pv" #n "_i", "pv" #n "_current_a", 10),        \
		F_INT("pv" #n "_p", "pv" #n "_power_w"), F_BOOL("pv" #n "_s", "pv" #n "_active")

static const struct hame_field state[] = {
	F_SCALED("ele_d", "daily_energy_kwh", 100), F_SCALED("ele_w", "weekly_energy_kwh", 100),
	F_SCALED("ele_m", "monthly_energy_kwh", 100), F_SCALED("ele_s", "total_energy_kwh", 100),
	PV(1), PV(2), PV(3), PV(4),
	F_SCALED("grd_f", "grid_frequency_hz", 100), F_SCALED("grd_v", "grid_voltage_v", 10),
	F_BOOL("grd_s", "grid_connected"), F_INT("grd_o", "output_power_w"), F_INT("pl", "max_output_power_w"),
	F_INT("chp_t", "chip_temp_c"), F_INT("err_t", "error_type"), F_INT("err_c", "error_count"),
	F_INT("err_d", "error_detail"), F_INT("ver_s", "firmware_version"), F_TEXT("fc4_v", "fc4_version"),
	F_ENUM("mpt_m", "mode", modes), F_ENUM("gc", "grid_connection_ban", hame_off_on),
	F_INT("ble_s", "ble_state"), F_INT("wif_r", "wifi_signal"),
};

static const char *const signature[] = {"ele_d", "pv1_v", "pv1_i", "pv1_p", "grd_f", "grd_v", "chp_t"};

static const struct hame_reply_kind replies[] = {{"state", KEYS(signature), KEYS(state), false, true}};

static const char *const mode_words[] = {"default", "b2500_boost", "reverse_current_protection", NULL};
static const long long mode_codes[] = {0, 1, 2};

static const struct hame_setting settings[] = {
	{"max_output_power", HAME_SET_NUMBER, "cd=8,p1=", NULL, NULL, NULL, NULL},
	{"mode", HAME_SET_WORDS, "cd=11,p1=", mode_words, mode_codes, NULL, NULL},
	{"grid_connection_ban", HAME_SET_SWITCH, "cd=22,p1=", NULL, NULL, "1", "0"},
	{"refresh", HAME_SET_PRESS, "cd=1", NULL, NULL, NULL, NULL},
};

const struct hame_family hame_inverter_family = {
	"inverter", "HMI micro-inverter", &commands, KEYS(replies), NULL, 0, KEYS(settings), false,
};
