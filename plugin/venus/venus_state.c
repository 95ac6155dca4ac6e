#include "venus_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "eb_text.h"

/*
 * The vendor's device information table (venus-mqtt.md section 3.2), in
 * its order, with the name and unit each key has in the state JSON.
 */

enum field_kind {
	FIELD_INTEGER, /* signed number as sent */
	FIELD_SCALED,  /* signed number divided by divisor */
	FIELD_ENUM,    /* number named by choices[], unknown values stay numbers */
	FIELD_TEXT,    /* string */
	FIELD_PERIOD,  /* one of tim_0..tim_9, rendered together as time_periods */
};

struct field {
	const char *raw;
	size_t raw_len;
	const char *name;
	enum field_kind kind;
	long long divisor;
	const char *const *choices; /* NULL entries are gaps in the vendor's list */
	size_t n_choices;
};

static const char *const working_status[] = {
	"sleep", "standby", "charging", "discharging", "backup", "ota_upgrade", "bypass"};
static const char *const ct_status[] = {"not_connected", "connected", "weak_signal"};
static const char *const battery_status[] = {NULL, "not_working", "charging", "discharging"};
static const char *const grid_type[] = {
	"auto", "en50549", "netherlands", "germany", "austria",
	"united_kingdom", "spain", "poland", "italy", "china"};
static const char *const working_mode[] = {"automatic", "manual", "trading"};
static const char *const off_on[] = {"off", "on"};
static const char *const power_version[] = {"2500w", "800w"};
static const char *const ct_type[] = {"none", "ct1", "ct2", "ct3", "shelly_pro", "p1_meter"};
static const char *const phase[] = {"unknown", "phase_a", "phase_b", "phase_c", "not_detected"};
static const char *const recharge_mode[] = {"single_phase", "three_phase"};

#define INTEGER(raw, name) {raw, sizeof(raw) - 1, name, FIELD_INTEGER, 1, NULL, 0}
#define SCALED(raw, name, divisor) {raw, sizeof(raw) - 1, name, FIELD_SCALED, divisor, NULL, 0}
#define ENUM(raw, name, list) {raw, sizeof(raw) - 1, name, FIELD_ENUM, 1, list, sizeof(list) / sizeof(list[0])}
#define PERIOD(raw) {raw, sizeof(raw) - 1, "time_periods", FIELD_PERIOD, 1, NULL, 0}

static const struct field fields[] = {
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
	{"wifi_n", 6, "wifi_name", FIELD_TEXT, 1, NULL, 0},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

_Static_assert(N_FIELDS <= VENUS_STATE_FIELDS, "venus_state.slot_of_field is too small for the table");

/* The index of key in fields[], or -1 for a key outside the vendor's table. */
static int field_index(const char *key, size_t key_len)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].raw_len == key_len && memcmp(fields[i].raw, key, key_len) == 0)
			return (int)i;
	return -1;
}

bool venus_state_is_vendor_key(const char *key, size_t key_len)
{
	return key_len > 0 && field_index(key, key_len) >= 0;
}

void venus_state_init(struct venus_state *state)
{
	memset(state, 0, sizeof(*state));
}

/*
 * The index of the entry for key (vendor field `field`, or -1), or
 * state->count when there is none. Vendor keys are found through the
 * field index, so a whole reply merges and renders in linear time.
 */
static size_t entry_index(const struct venus_state *state, int field, const char *key, size_t key_len)
{
	if (field >= 0)
		return state->slot_of_field[field] ? state->slot_of_field[field] - 1u : state->count;
	size_t i = 0;
	while (i < state->count && !(state->entries[i].key_len == key_len &&
				     memcmp(state->entries[i].key, key, key_len) == 0))
		i++;
	return i;
}

static const struct venus_state_entry *entry_of_field(const struct venus_state *state, size_t field)
{
	unsigned slot = state->slot_of_field[field];
	return slot ? &state->entries[slot - 1] : NULL;
}

static void note_refusal(size_t *refused, char *why, size_t why_size, const char *reason,
			 const struct venus_reply_pair *p)
{
	if ((*refused)++ == 0)
		eb_error(why, why_size, "%s: %.*s", reason, (int)p->key_len, p->key);
}

size_t venus_state_merge(struct venus_state *state, const struct venus_reply *reply,
			 int64_t now_ms, char *why, size_t why_size)
{
	size_t refused = 0;
	if (why && why_size > 0)
		why[0] = '\0';
	size_t expected = 0; /* devices send the table's keys in its order: try the next one first */
	for (size_t i = 0; i < reply->count; i++) {
		const struct venus_reply_pair *p = &reply->pairs[i];
		if (p->key_len == 0 || p->key_len > VENUS_REPLY_KEY_MAX) {
			note_refusal(&refused, why, why_size, "key length out of bounds", p);
			continue;
		}
		if (p->value_len > VENUS_STATE_VALUE_MAX) {
			note_refusal(&refused, why, why_size, "value longer than 127 bytes", p);
			continue;
		}
		int field = expected < N_FIELDS && fields[expected].raw_len == p->key_len &&
				    memcmp(fields[expected].raw, p->key, p->key_len) == 0
			    ? (int)expected
			    : field_index(p->key, p->key_len);
		if (field >= 0)
			expected = (size_t)field + 1;
		size_t at = entry_index(state, field, p->key, p->key_len);
		if (at == VENUS_STATE_MAX_KEYS) {
			note_refusal(&refused, why, why_size, "state full (96 keys)", p);
			continue;
		}
		struct venus_state_entry *e = &state->entries[at];
		if (at == state->count) {
			state->count++;
			memcpy(e->key, p->key, p->key_len);
			e->key[p->key_len] = '\0';
			e->key_len = p->key_len;
			e->field = field;
			if (field >= 0)
				state->slot_of_field[field] = (unsigned char)(at + 1);
		}
		memcpy(e->value, p->value, p->value_len);
		e->value[p->value_len] = '\0';
		e->value_len = p->value_len;
	}
	state->updated_ms = now_ms;
	return refused;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

size_t venus_format_utc(int64_t unix_ms, char *buf, size_t size)
{
	int64_t seconds = floor_div(unix_ms, 1000);
	int64_t days = floor_div(seconds, 86400);
	int64_t in_day = seconds - days * 86400;
	int64_t year;
	int month, day;
	civil_date_from_days(days, &year, &month, &day);
	int n = snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
			 (int)(in_day / 3600), (int)(in_day / 60 % 60), (int)(in_day % 60));
	return n < 0 ? 0 : (size_t)n;
}

static void field_out(struct json_out *o, const struct field *f, const struct venus_state_entry *e)
{
	long long v;
	bool number = venus_reply_integer(e->value, e->value_len, &v);
	json_out_key(o, f->name);
	if (!number || f->kind == FIELD_TEXT) {
		json_out_text(o, e->value, e->value_len);
	} else if (f->kind == FIELD_SCALED) {
		json_out_number(o, (double)v / (double)f->divisor);
	} else if (f->kind == FIELD_ENUM && v >= 0 && (size_t)v < f->n_choices && f->choices[v]) {
		json_out_string(o, f->choices[v]);
	} else {
		json_out_int(o, v);
	}
}

/* "14|0|17|0|127|800|1": start hour, minute, end hour, minute, weekdays, power, enabled. */
static void period_out(struct json_out *o, const struct venus_state_entry *e)
{
	long long v[7];
	size_t found = 0, start = 0;
	bool ok = true;
	while (ok && start <= e->value_len) {
		const char *bar = memchr(e->value + start, '|', e->value_len - start);
		size_t end = bar ? (size_t)(bar - e->value) : e->value_len;
		ok = found < 7 && venus_reply_integer(e->value + start, end - start, &v[found]);
		found++;
		start = end + 1;
	}
	for (size_t i = 0; ok && i < 4; i++)
		ok = v[i] >= 0 && v[i] <= 99; /* two digits each in "HH:MM" */
	if (!ok || found != 7) {
		json_out_text(o, e->value, e->value_len);
		return;
	}
	/* Each part is 0..99 (checked above): two digits. */
	char start_text[6] = {(char)('0' + v[0] / 10), (char)('0' + v[0] % 10), ':', (char)('0' + v[1] / 10),
			      (char)('0' + v[1] % 10), '\0'};
	char end_text[6] = {(char)('0' + v[2] / 10), (char)('0' + v[2] % 10), ':', (char)('0' + v[3] / 10),
			    (char)('0' + v[3] % 10), '\0'};
	json_out_begin_object(o);
	json_out_key(o, "start");
	json_out_string(o, start_text);
	json_out_key(o, "end");
	json_out_string(o, end_text);
	json_out_key(o, "weekdays");
	json_out_int(o, v[4]);
	json_out_key(o, "power_w");
	json_out_int(o, v[5]);
	json_out_key(o, "enabled");
	if (v[6] == 0 || v[6] == 1)
		json_out_bool(o, v[6] == 1);
	else
		json_out_int(o, v[6]);
	json_out_end_object(o);
}

static void periods_out(struct json_out *o, const struct venus_state *state)
{
	const struct venus_state_entry *periods[10] = {NULL};
	int highest = -1;
	for (int n = 0; n < 10; n++) {
		char key[8] = {'t', 'i', 'm', '_', (char)('0' + n), '\0'};
		int field = field_index(key, 5);
		periods[n] = field >= 0 ? entry_of_field(state, (size_t)field) : NULL;
		if (periods[n])
			highest = n;
	}
	if (highest < 0)
		return;
	json_out_key(o, "time_periods");
	json_out_begin_array(o);
	for (int n = 0; n <= highest; n++) {
		if (periods[n])
			period_out(o, periods[n]);
		else
			json_out_null(o);
	}
	json_out_end_array(o);
}

static void other_out(struct json_out *o, const struct venus_state *state)
{
	bool open = false;
	for (size_t i = 0; i < state->count; i++) {
		const struct venus_state_entry *e = &state->entries[i];
		if (e->field >= 0)
			continue;
		if (!open) {
			json_out_key(o, "other");
			json_out_begin_object(o);
			open = true;
		}
		json_out_key(o, e->key);
		json_out_text(o, e->value, e->value_len);
	}
	if (open)
		json_out_end_object(o);
}

bool venus_state_render(const struct venus_state *state, const char *type, const char *id,
			struct json_out *o)
{
	char updated[40];
	venus_format_utc(state->updated_ms, updated, sizeof(updated));
	json_out_begin_object(o);
	json_out_key(o, "type");
	json_out_text(o, type ? type : "", type ? strlen(type) : 0);
	json_out_key(o, "id");
	json_out_text(o, id ? id : "", id ? strlen(id) : 0);
	json_out_key(o, "updated");
	json_out_string(o, updated);
	bool periods_done = false;
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct field *f = &fields[i];
		if (f->kind == FIELD_PERIOD) {
			if (!periods_done)
				periods_out(o, state);
			periods_done = true;
			continue;
		}
		const struct venus_state_entry *e = entry_of_field(state, i);
		if (e)
			field_out(o, f, e);
	}
	other_out(o, state);
	json_out_end_object(o);
	return !json_out_failed(o);
}
