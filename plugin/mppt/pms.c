/*
 * The pms dataset (pms.h, docs/sundaya.md): the JSON request on the shared
 * walk (telemetry_internal.h), and the message of one pack sample, which the CSV
 * form (pms_csv.c) writes too.
 */
#include "pms.h"

#include <math.h>

#include "pms_internal.h"

/* ---- the message ---- */

bool pms_write_sample(struct tw *w, const struct pms_sample *s)
{
	double sum = 0, vcl = s->cells[0], vch = s->cells[0];
	for (int i = 0; i < PMS_CELLS; i++) { /* left to right, as the reference sums */
		sum += s->cells[i];
		vcl = s->cells[i] < vcl ? s->cells[i] : vcl;
		vch = s->cells[i] > vch ? s->cells[i] : vch;
	}
	double volts = telemetry_round4(sum);
	if (!isfinite(volts))
		return tw_fail(w, "the cell volts add up to more than a double holds");
	double watts = telemetry_round4(volts * s->amps); /* the rounded volts, as the reference */
	if (!isfinite(watts))
		return tw_fail(w, "pack volts x amps is too large to represent");
	double dvcl[PMS_CELLS];
	for (int i = 0; i < PMS_CELLS; i++) {
		dvcl[i] = round((s->cells[i] - vcl) * 1000); /* subtract first: 3.2535 - 3.25 gives 3 mV, not 4 */
		if (!isfinite(dvcl[i]))
			return tw_fail(w, "cell %d is too far above the lowest to count in millivolts", i + 1);
	}

	size_t start = tw_message_begin(w);
	tw_put(w, "{\"pms_id\":");
	json_out_string(w->o, s->pms_id);
	tw_put(w, ",\"pack_id\":");
	json_out_string(w->o, s->pack_id);
	tw_put(w, ",\"pack\":{\"volts\":");
	tw_put_number(w, volts);
	tw_put(w, ",\"amps\":");
	tw_put_number(w, s->amps);
	tw_put(w, ",\"watts\":");
	tw_put_number(w, watts);
	tw_put(w, ",\"vcl\":");
	tw_put_number(w, vcl);
	tw_put(w, ",\"vch\":");
	tw_put_number(w, vch);
	tw_put(w, ",\"dock\":");
	json_out_int(w->o, s->dock);
	tw_put(w, ",\"temp_top\":");
	tw_put_number(w, s->temp[0]);
	tw_put(w, ",\"temp_mid\":");
	tw_put_number(w, s->temp[1]);
	tw_put(w, ",\"temp_bottom\":");
	tw_put_number(w, s->temp[2]);
	tw_put(w, "},\"cell\":[");
	for (int i = 0; i < PMS_CELLS; i++) {
		tw_put(w, i ? ",{\"volts\":" : "{\"volts\":");
		tw_put_number(w, s->cells[i]);
		tw_put(w, ",\"dvcl\":");
		tw_put_number(w, dvcl[i]);
		tw_put(w, s->cell_open >> i & 1 ? ",\"open\":true}" : ",\"open\":false}");
	}
	tw_put(w, "],\"fet\":[");
	for (int k = 0; k < PMS_FETS; k++) {
		tw_put(w, s->fet_open >> k & 1 ? "{\"open\":true,\"temp\":" : "{\"open\":false,\"temp\":");
		tw_put_number(w, s->fet_temp[k]);
		tw_put(w, k + 1 < PMS_FETS ? "}," : "}");
	}
	if (s->status < 0)
		tw_put(w, "],\"status\":{\"bus_connect\":null,\"temp\":");
	else
		tw_put(w, s->status & 1 ? "],\"status\":{\"bus_connect\":true,\"temp\":"
					: "],\"status\":{\"bus_connect\":false,\"temp\":");
	if (s->has_temp)
		tw_put_number(w, s->status_temp);
	else
		tw_put(w, "null");
	tw_put(w, "}");
	return tw_message_end(w, start, &s->time, s->pms_id, s->pack_id);
}

/* ---- the JSON request ---- */

/* key: exactly count numbers, each >= 0 when non_negative. */
static bool read_numbers(struct tw *w, const cJSON *v, const char *key, int count, bool non_negative, double *out)
{
	if (!tw_require(w, v, key))
		return false;
	int mark = tw_push_key(w, key);
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != count)
		return tw_fail(w, "must be an array of %d numbers", count);
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		tw_push_index(w, (size_t)i);
		if (!tw_number(w, e, non_negative, &out[i]))
			return false;
		tw_pop(w, mark + 1);
	}
	tw_pop(w, mark);
	return true;
}

/* A number with an integral value from 1 to max (12.0 is 12). */
static bool read_integer(struct tw *w, const cJSON *v, int max, int *out)
{
	double d;
	if (!tw_number(w, v, false, &d))
		return false;
	if (d != floor(d) || d < 1 || d > max)
		return tw_fail(w, "must be an integer from 1 to %d", max);
	*out = (int)d;
	return true;
}

/* key: 0 to max distinct integers 1..max, in any order, as a bit set. */
static bool read_open_list(struct tw *w, const cJSON *v, const char *key, int max, const char *what,
			   unsigned *mask)
{
	if (!tw_require(w, v, key))
		return false;
	int mark = tw_push_key(w, key);
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > max)
		return tw_fail(w, "must be an array of 0 to %d %s numbers", max, what);
	*mask = 0;
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		int number;
		tw_push_index(w, (size_t)i);
		if (!read_integer(w, e, max, &number))
			return false;
		if (*mask >> (number - 1) & 1)
			return tw_fail(w, "repeats %s %d", what, number);
		*mask |= 1u << (number - 1);
		tw_pop(w, mark + 1);
	}
	tw_pop(w, mark);
	return true;
}

/* Generation A: a pack's own status, 4 hex digits; null counts as absent. */
static bool read_pack_status(struct tw *w, const cJSON *v, int *status)
{
	int mark = tw_push_key(w, "status");
	if (tw_optional(v) && !tw_status_code(w, v, status))
		return false;
	tw_pop(w, mark);
	return true;
}

enum { P_ID, P_DOCK, P_AMPS, P_TEMP, P_CELL, P_FET, P_STATUS, PACK_KEYS };
static const char *const pack_keys[PACK_KEYS] = {"id", "dock", "amps", "temp", "cell", "fet", "status"};
static const char *const cell_keys[] = {"volts", "open"};
static const char *const fet_keys[] = {"temp", "open"};

static bool read_pack(struct tw *w, const cJSON *pack, struct pms_sample *s)
{
	const cJSON *m[PACK_KEYS], *cell[2], *fet[2];
	if (!tw_require(w, pack, "pack"))
		return false;
	int mark = tw_push_key(w, "pack");
	if (!tw_members(w, pack, pack_keys, m, PACK_KEYS))
		return false;
	for (int k = 0; k < P_STATUS; k++)
		if (!tw_require(w, m[k], pack_keys[k]))
			return false;
	tw_push_key(w, "id");
	if (!tw_id(w, m[P_ID], &s->pack_id))
		return false;
	tw_pop(w, mark + 1);
	tw_push_key(w, "dock");
	if (!read_integer(w, m[P_DOCK], PMS_DOCK_MAX, &s->dock))
		return false;
	tw_pop(w, mark + 1);
	tw_push_key(w, "amps");
	if (!tw_number(w, m[P_AMPS], false, &s->amps)) /* + charging, - discharging */
		return false;
	tw_pop(w, mark + 1);
	if (!read_numbers(w, m[P_TEMP], "temp", PMS_PACK_TEMPS, false, s->temp))
		return false;
	tw_push_key(w, "cell");
	if (!tw_members(w, m[P_CELL], cell_keys, cell, 2) ||
	    !read_numbers(w, cell[0], "volts", PMS_CELLS, true, s->cells) ||
	    !read_open_list(w, cell[1], "open", PMS_CELLS, "cell", &s->cell_open))
		return false;
	tw_pop(w, mark + 1);
	tw_push_key(w, "fet");
	if (!tw_members(w, m[P_FET], fet_keys, fet, 2) ||
	    !read_numbers(w, fet[0], "temp", PMS_FETS, false, s->fet_temp) ||
	    !read_open_list(w, fet[1], "open", PMS_FETS, "FET", &s->fet_open))
		return false;
	tw_pop(w, mark + 1);
	if (!read_pack_status(w, m[P_STATUS], &s->status)) /* wins over the dataset's code */
		return false;
	tw_pop(w, mark);
	return true;
}

enum { S_TIME, S_PACK, SAMPLE_KEYS };
static const char *const sample_keys[SAMPLE_KEYS] = {"time_local", "pack"};

static bool translate_sample(struct tw *w, const cJSON *sample, const void *context)
{
	struct pms_sample s = *(const struct pms_sample *)context; /* the dataset's id, status and temp */
	const cJSON *m[SAMPLE_KEYS];
	return tw_members(w, sample, sample_keys, m, SAMPLE_KEYS) && tw_sample_time(w, m[S_TIME], &s.time) &&
	       read_pack(w, m[S_PACK], &s) && pms_write_sample(w, &s);
}

/* An optional temperature: a number, or absent (null counts as absent). */
static bool read_temp(struct tw *w, const cJSON *v, bool *has, double *temp)
{
	*has = tw_optional(v) != NULL;
	return !*has || tw_number(w, v, false, temp);
}

enum { D_PMS, D_PMS_ID, D_STATUS, D_DATA, DATASET_KEYS };
static const char *const dataset_keys[DATASET_KEYS] = {"pms", "pms_id", "status", "data"};
static const char *const nested_keys[] = {"id", "temp"};
static const char *const status_keys[] = {"code", "temp"};

static bool translate_dataset(struct tw *w, const cJSON *dataset)
{
	const cJSON *m[DATASET_KEYS], *nested[2] = {NULL, NULL}, *status[2] = {NULL, NULL};
	struct pms_sample d = {.status = -1};
	if (!tw_members(w, dataset, dataset_keys, m, DATASET_KEYS) ||
	    !tw_device_id(w, "pms", m[D_PMS], nested_keys, nested, 2, m[D_PMS_ID], &d.pms_id))
		return false;
	int mark = tw_push_key(w, "status");
	if (tw_optional(m[D_STATUS])) { /* generation B: {"code": "0001", "temp": 48.3}, both optional */
		if (!tw_members(w, m[D_STATUS], status_keys, status, 2))
			return false;
		tw_push_key(w, "code");
		if (tw_optional(status[0]) && !tw_status_code(w, status[0], &d.status))
			return false;
		tw_pop(w, mark + 1);
		tw_push_key(w, "temp");
		if (!read_temp(w, status[1], &d.has_temp, &d.status_temp))
			return false;
	}
	tw_pop(w, mark);
	if (tw_optional(nested[1])) { /* generation A: "pms": {"id": …, "temp": 48.3} */
		if (d.has_temp)
			return tw_fail(w, "has both pms.temp and status.temp");
		tw_push_key(w, "pms");
		tw_push_key(w, "temp");
		if (!read_temp(w, nested[1], &d.has_temp, &d.status_temp))
			return false;
		tw_pop(w, mark);
	}
	return tw_samples(w, m[D_DATA], translate_sample, &d);
}

bool pms_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		   struct timespec now, const struct telemetry_limits *limits)
{
	return tw_translate_json(b, payload, len, sender, now, limits, translate_dataset);
}
