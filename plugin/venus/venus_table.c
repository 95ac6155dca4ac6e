#include "venus_table.h"

#include <string.h>

static const char *const working_status[] = {
	"sleep", "standby", "charging", "discharging", "backup", "ota_upgrade", "bypass"};
static const char *const ct_status[] = {"not_connected", "connected", "weak_signal"};
static const char *const battery_status[] = {NULL, "not_working", "charging", "discharging"};
static const char *const grid_type[] = {
	"auto", "en50549", "netherlands", "germany", "austria",
	"united_kingdom", "spain", "poland", "italy", "china"};
/* 5: the AI mode of newer firmware (cd=2,md=5); 3 and 4 are not known. */
static const char *const working_mode[] = {"automatic", "manual", "trading", NULL, NULL, "ai"};
static const char *const off_on[] = {"off", "on"};
static const char *const power_version[] = {"2500w", "800w"};
static const char *const ct_type[] = {"none", "ct1", "ct2", "ct3", "shelly_pro", "p1_meter"};
static const char *const phase[] = {"unknown", "phase_a", "phase_b", "phase_c", "not_detected"};
static const char *const recharge_mode[] = {"single_phase", "three_phase"};

#define N_OF(list) (sizeof(list) / sizeof(list[0]))
#define INTEGER(raw, name) {raw, sizeof(raw) - 1, name, VENUS_FIELD_INTEGER, 1, NULL, 0, NULL, 0}
#define SCALED(raw, name, divisor) {raw, sizeof(raw) - 1, name, VENUS_FIELD_SCALED, divisor, NULL, 0, NULL, 0}
#define ENUM(raw, name, list) {raw, sizeof(raw) - 1, name, VENUS_FIELD_ENUM, 1, list, N_OF(list), NULL, 0}
#define PERIOD(raw) {raw, sizeof(raw) - 1, "time_periods", VENUS_FIELD_PERIOD, 1, NULL, 0, NULL, 0}
#define PV_INPUT(raw, power, connected) {raw, sizeof(raw) - 1, power, VENUS_FIELD_PV_INPUT, 10, NULL, 0, connected, 0}
#define PV_TOTAL(name) {"", 0, name, VENUS_FIELD_PV_TOTAL, 10, NULL, 0, NULL, 0}
#define FIRST_LAST(raw, first, last) {raw, sizeof(raw) - 1, first, VENUS_FIELD_FIRST_LAST, 1, NULL, 0, last, 0}
#define FIRST_ENUM(raw, name, list) {raw, sizeof(raw) - 1, name, VENUS_FIELD_FIRST_ENUM, 1, list, N_OF(list), NULL, 0}
#define BIT_ENUM(raw, name, bit, list) {raw, sizeof(raw) - 1, name, VENUS_FIELD_BIT_ENUM, 1, list, N_OF(list), NULL, bit}

const struct venus_field venus_table[] = {
	SCALED("tot_i", "total_charged_kwh", 100),
	SCALED("tot_o", "total_discharged_kwh", 100),
	SCALED("ele_d", "daily_charged_kwh", 100),
	SCALED("ele_m", "monthly_charged_kwh", 100),
	SCALED("grd_d", "daily_discharged_kwh", 100),
	SCALED("grd_m", "monthly_discharged_kwh", 100),
	SCALED("inc_d", "daily_income_eur", 1000),
	SCALED("inc_m", "monthly_income_eur", 1000),
	INTEGER("grd_f", "off_grid_power_va"),
	INTEGER("grd_o", "combined_power_w"),
	ENUM("grd_t", "working_status", working_status),
	ENUM("gct_s", "ct_status", ct_status),
	ENUM("cel_s", "battery_status", battery_status),
	SCALED("cel_p", "battery_energy_kwh", 100),
	INTEGER("cel_c", "soc_percent"),
	INTEGER("err_t", "fault_code"),
	INTEGER("err_a", "warning_code"),
	INTEGER("dev_n", "device_version"),
	ENUM("grd_y", "grid_type", grid_type),
	ENUM("wor_m", "working_mode", working_mode),
	PERIOD("tim_0"), PERIOD("tim_1"), PERIOD("tim_2"), PERIOD("tim_3"), PERIOD("tim_4"),
	PERIOD("tim_5"), PERIOD("tim_6"), PERIOD("tim_7"), PERIOD("tim_8"), PERIOD("tim_9"),
	ENUM("cts_m", "ct_auto_switch", off_on),
	ENUM("bac_u", "backup", off_on),
	INTEGER("tra_a", "trading_region_code"),
	INTEGER("tra_i", "trading_charge_price"),
	INTEGER("tra_o", "trading_discharge_price"),
	INTEGER("htt_p", "http_server_type"),
	INTEGER("prc_c", "regional_charge_price"),
	INTEGER("prc_d", "regional_discharge_price"),
	INTEGER("wif_s", "wifi_signal"),
	SCALED("inc_a", "total_income_eur", 1000),
	ENUM("set_v", "power_version", power_version),
	INTEGER("mcp_w", "max_charging_power_w"),
	INTEGER("mdp_w", "max_discharge_power_w"),
	ENUM("ct_t", "ct_type", ct_type),
	ENUM("phase_t", "phase", phase),
	ENUM("dchrg_t", "recharge_mode", recharge_mode),
	INTEGER("bms_v", "bms_version"),
	INTEGER("fc_v", "communication_module_version"),
	{"wifi_n", 6, "wifi_name", VENUS_FIELD_TEXT, 1, NULL, 0, NULL, 0},
	/*
	 * Keys newer firmware sends after the vendor's table (docs/venus.md
	 * section 3.3). First those with an underscore...
	 */
	INTEGER("seq_s", "phase_diagnosis_status"),
	INTEGER("shelly_p", "shelly_port"),
	INTEGER("inv_v", "inverter_version"),
	/* ...then those without (VENUS_TABLE_FIRST_PLAIN). */
	BIT_ENUM("ble", "ble_advertising", 4, off_on),
	ENUM("api", "local_api", off_on),
	INTEGER("port", "local_api_port"),
	INTEGER("mppt", "mppt_version"),
	ENUM("led", "led", off_on),
	INTEGER("dod", "depth_of_discharge_percent"),
	/* Venus A and D: the power in 0.1 W and whether the input is connected. */
	PV_INPUT("pv1", "pv1_power_w", "pv1_connected"),
	PV_INPUT("pv2", "pv2_power_w", "pv2_connected"),
	PV_INPUT("pv3", "pv3_power_w", "pv3_connected"),
	PV_INPUT("pv4", "pv4_power_w", "pv4_connected"),
	PV_TOTAL("total_pv_power_w"),
	FIRST_LAST("pv", "pv_energy_today_wh", "pv_energy_total_wh"),
	FIRST_ENUM("fu", "surplus_feed_in", off_on),
};

_Static_assert(sizeof(venus_table) / sizeof(venus_table[0]) == VENUS_TABLE_FIELDS,
	       "VENUS_TABLE_FIELDS is not the number of rows of venus_table");
_Static_assert(VENUS_TABLE_VENDOR_FIELDS <= VENUS_TABLE_FIRST_PLAIN && VENUS_TABLE_FIRST_PLAIN <= VENUS_TABLE_FIELDS,
	       "the vendor's rows, then those with an underscore, then those without");

int venus_table_index(const char *key, size_t key_len)
{
	/*
	 * Every reply of every family asks this for each key it has not seen
	 * before. The rows before VENUS_TABLE_FIRST_PLAIN have an underscore,
	 * the others none (tests/unit/test_hame_family.c checks it); most keys of
	 * the other families have none: they try the few rows without one.
	 */
	if (key_len == 0)
		return -1;
	bool underscore = false;
	for (size_t i = 0; i < key_len && !underscore; i++)
		underscore = key[i] == '_';
	size_t from = underscore ? 0 : VENUS_TABLE_FIRST_PLAIN;
	size_t to = underscore ? VENUS_TABLE_FIRST_PLAIN : VENUS_TABLE_FIELDS;
	for (size_t i = from; i < to; i++)
		if (venus_table[i].raw_len == key_len && venus_table[i].raw[0] == key[0] &&
		    memcmp(venus_table[i].raw, key, key_len) == 0)
			return (int)i;
	return -1;
}

bool venus_table_has_key(const char *key, size_t key_len)
{
	/* Asked of every key of every reply until one is the vendor's: most are shorter or longer. */
	if (key_len < VENUS_TABLE_VENDOR_KEY_MIN || key_len > VENUS_TABLE_VENDOR_KEY_MAX)
		return false;
	int row = venus_table_index(key, key_len);
	return row >= 0 && row < VENUS_TABLE_VENDOR_FIELDS;
}
