/*
 * hame_venus: the first-generation Venus as a member of the family
 * registry. Its command table is venus_command.c's, its information reply
 * keeps venus_state.h; this file adds the reply the state does not hold:
 * the BMS data (cd=14), published on its own retained topic.
 */
#include "hame_fields.h"

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
