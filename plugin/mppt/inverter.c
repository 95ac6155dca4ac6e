/* The inverter dataset (inverter.h, docs/sundaya.md) on the shared walk (telemetry_internal.h). */
#include "inverter.h"

#include <math.h>

#include "telemetry_internal.h"

#define PV_STRINGS_MAX 4
#define LOAD_OUTPUTS_MAX 2
#define SQRT3 1.7320508075688772 /* the double nearest to √3 */

/* Generation A: a sample's own status, 4 hex digits; null counts as absent. */
static bool read_sample_status(struct tw *w, const cJSON *v, int *status)
{
	return !tw_optional(v) || tw_status_code(w, v, status);
}

/* Generation B: {"code": "0001"} at dataset level, code optional. -1: none. */
static bool read_dataset_status(struct tw *w, const cJSON *v, int *status)
{
	static const char *const keys[] = {"code"};
	*status = -1;
	if (!tw_optional(v))
		return true;
	const cJSON *code;
	if (!tw_members(w, v, keys, &code, 1))
		return false;
	int mark = tw_push_key(w, "code");
	if (tw_optional(code) && !tw_status_code(w, code, status))
		return false;
	tw_pop(w, mark);
	return true;
}

enum { G_VOLTS, G_AMPS, G_PF, GRID_KEYS };
static const char *const grid_keys[GRID_KEYS] = {"volts", "amps", "pf"};

/* grid: {"volts": [..], "amps": [..], "pf": [..]}, 1 to 3 phases; watts × √3 with exactly 3. */
static bool write_grid(struct tw *w, const cJSON *obj)
{
	if (!tw_require(w, obj, "grid"))
		return false;
	int mark = tw_push_key(w, "grid");
	const cJSON *m[GRID_KEYS];
	if (!tw_members(w, obj, grid_keys, m, GRID_KEYS))
		return false;
	size_t n[GRID_KEYS];
	for (int k = 0; k < GRID_KEYS; k++) {
		if (!tw_require(w, m[k], grid_keys[k]))
			return false;
		int mk = tw_push_key(w, grid_keys[k]);
		n[k] = cJSON_IsArray(m[k]) ? (size_t)cJSON_GetArraySize(m[k]) : 0;
		if (!cJSON_IsArray(m[k]) || n[k] < 1 || n[k] > INVERTER_PHASES_MAX)
			return tw_fail(w, "must be an array of 1 to %d numbers", INVERTER_PHASES_MAX);
		tw_pop(w, mk);
	}
	if (n[G_VOLTS] != n[G_AMPS] || n[G_VOLTS] != n[G_PF])
		return tw_fail(w, "volts, amps and pf differ in length (%zu, %zu and %zu)", n[G_VOLTS], n[G_AMPS],
			       n[G_PF]);
	tw_put(w, ",\"grid\":[");
	const cJSON *e[GRID_KEYS] = {m[G_VOLTS]->child, m[G_AMPS]->child, m[G_PF]->child};
	for (size_t i = 0; i < n[G_VOLTS]; i++) {
		double v[GRID_KEYS];
		for (int k = 0; k < GRID_KEYS; k++) {
			int mk = tw_push_key(w, grid_keys[k]);
			tw_push_index(w, i);
			if (!tw_number(w, e[k], k != G_AMPS, &v[k])) /* amps: + import, - export */
				return false;
			if (k == G_PF && v[k] > 1)
				return tw_fail(w, "must be from 0 to 1");
			tw_pop(w, mk);
			e[k] = e[k]->next;
		}
		double product = v[G_VOLTS] * v[G_AMPS] * v[G_PF];
		double watts = telemetry_round4(n[G_VOLTS] == 3 ? product * SQRT3 : product);
		if (!isfinite(watts)) {
			tw_push_index(w, i);
			return tw_fail(w, "volts x amps x pf is too large to represent");
		}
		tw_put(w, i ? ",{\"volts\":" : "{\"volts\":");
		tw_put_number(w, v[G_VOLTS]);
		tw_put(w, ",\"amps\":");
		tw_put_number(w, v[G_AMPS]);
		tw_put(w, ",\"pf\":");
		tw_put_number(w, v[G_PF]);
		tw_put(w, ",\"watts\":");
		tw_put_number(w, watts);
		tw_put(w, "}");
	}
	tw_put(w, "]");
	w->phase_count = (unsigned char)n[G_VOLTS];
	tw_pop(w, mark);
	return true;
}

enum { I_TIME, I_PV, I_BATTERY, I_LOAD, I_GRID, I_STATUS, ITEM_KEYS };
static const char *const item_keys[ITEM_KEYS] = {"time_local", "pv", "battery", "load", "grid", "status"};

/* What a sample takes from its dataset. */
struct dataset {
	const char *inverter_id;
	int status;
};

static bool translate_sample(struct tw *w, const cJSON *item, const void *context)
{
	const struct dataset *d = context;
	const char *inverter_id = d->inverter_id;
	const cJSON *m[ITEM_KEYS];
	struct telemetry_time t;
	if (!tw_members(w, item, item_keys, m, ITEM_KEYS) || !tw_sample_time(w, m[I_TIME], &t))
		return false;
	int status = d->status; /* the sample's own wins */
	int mark = tw_push_key(w, "status");
	if (!read_sample_status(w, m[I_STATUS], &status))
		return false;
	tw_pop(w, mark);

	size_t start = tw_message_begin(w);
	tw_put(w, "{\"inverter_id\":");
	json_out_string(w->o, inverter_id);
	if (!tw_channels(w, m[I_PV], "pv", PV_STRINGS_MAX, true) || !tw_battery(w, m[I_BATTERY]) ||
	    !tw_channels(w, m[I_LOAD], "load", LOAD_OUTPUTS_MAX, false) || !write_grid(w, m[I_GRID]))
		return false;
	if (status < 0)
		tw_put(w, ",\"status\":null");
	else
		tw_put(w, status & 1 ? ",\"status\":{\"bus_connect\":true}" : ",\"status\":{\"bus_connect\":false}");
	return tw_message_end(w, start, &t, inverter_id, NULL);
}

enum { D_INVERTER, D_INVERTER_ID, D_STATUS, D_DATA, DATASET_KEYS };
static const char *const dataset_keys[DATASET_KEYS] = {"inverter", "inverter_id", "status", "data"};

static bool translate_dataset(struct tw *w, const cJSON *dataset)
{
	static const char *const nested_keys[] = {"id"};
	const cJSON *m[DATASET_KEYS], *nested[1];
	struct dataset d;
	if (!tw_members(w, dataset, dataset_keys, m, DATASET_KEYS) ||
	    !tw_device_id(w, "inverter", m[D_INVERTER], nested_keys, nested, 1, m[D_INVERTER_ID], &d.inverter_id))
		return false;
	int mark = tw_push_key(w, "status");
	if (!read_dataset_status(w, m[D_STATUS], &d.status))
		return false;
	tw_pop(w, mark);
	return tw_samples(w, m[D_DATA], translate_sample, &d);
}

bool inverter_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
			struct timespec now, const struct telemetry_limits *limits)
{
	return tw_translate_json(b, payload, len, sender, now, limits, translate_dataset);
}
