/* The MPPT dataset (mppt.h, docs/mppt.md) on the shared walk (telemetry_internal.h). */
#include "mppt.h"

#include "telemetry_internal.h"

#define PV_STRINGS_MAX 4
#define LOAD_OUTPUTS_MAX 2

/*
 * A status is 4 hex digits, either as a string (generation A, per item) or
 * as {"code": "0801"} (generation B, per dataset); both are accepted at
 * both levels. -1 means none.
 */
static bool read_status(struct tw *w, const cJSON *v, int *status)
{
	*status = -1;
	if (!tw_optional(v))
		return true;
	if (!cJSON_IsObject(v))
		return tw_status_code(w, v, status);
	static const char *const keys[] = {"code"};
	const cJSON *code;
	if (!tw_members(w, v, keys, &code, 1) || !tw_require(w, code, "code"))
		return false;
	int mark = tw_push_key(w, "code");
	if (tw_optional(code) && !tw_status_code(w, code, status))
		return false;
	tw_pop(w, mark);
	return true;
}

static bool bit(int s, int n)
{
	return (s >> n) & 1;
}

/* The reference system names a two-bit field (lo, hi): rows are lo*2 + hi. */
static const char *pair(int s, int lo, int hi, const char *const names[4])
{
	return names[bit(s, lo) * 2 + bit(s, hi)];
}

static void write_status(struct tw *w, int s)
{
	static const char *const input[4] = {"\"normal\"", "\"no-power\"", "\"high-volt-input\"",
					     "\"input-volt-error\""};
	static const char *const load[4] = {"\"ok\"", "\"overcurrent\"", "\"short\"", "\"not-applicable\""};
	static const char *const charging[4] = {"\"not-charging\"", "\"float\"", "\"boost\"", "\"equalisation\""};

	if (s < 0) {
		tw_put(w, ",\"status\":null");
		return;
	}
	tw_put(w, bit(s, 0) ? ",\"status\":{\"bus_connect\":true,\"input\":" : ",\"status\":{\"bus_connect\":false,\"input\":");
	tw_put(w, pair(s, 1, 2, input));
	tw_put(w, bit(s, 3) ? ",\"chgfet\":\"short\"" : ",\"chgfet\":\"ok\"");
	tw_put(w, bit(s, 4) ? ",\"chgfet_antirev\":\"short\"" : ",\"chgfet_antirev\":\"ok\"");
	tw_put(w, bit(s, 5) ? ",\"fet_antirev\":\"short\"" : ",\"fet_antirev\":\"ok\"");
	tw_put(w, bit(s, 6) ? ",\"input_current\":\"overcurrent\",\"load\":" : ",\"input_current\":\"ok\",\"load\":");
	tw_put(w, pair(s, 7, 8, load));
	tw_put(w, bit(s, 9) ? ",\"pv_input\":\"short\",\"charging\":" : ",\"pv_input\":\"ok\",\"charging\":");
	tw_put(w, pair(s, 10, 11, charging));
	tw_put(w, bit(s, 12) ? ",\"system\":\"fault\"" : ",\"system\":\"ok\"");
	tw_put(w, bit(s, 13) ? ",\"standby\":\"running\"}" : ",\"standby\":\"standby\"}");
}

enum { I_TIME, I_PV, I_BATTERY, I_LOAD, I_STATUS, ITEM_KEYS };
static const char *const item_keys[ITEM_KEYS] = {"time_local", "pv", "battery", "load", "status"};

/* What a sample takes from its dataset. */
struct dataset {
	const char *mppt_id;
	int status;
};

static bool translate_sample(struct tw *w, const cJSON *item, const void *context)
{
	const struct dataset *d = context;
	const char *mppt_id = d->mppt_id;
	const cJSON *m[ITEM_KEYS];
	struct telemetry_time t;
	if (!tw_members(w, item, item_keys, m, ITEM_KEYS) || !tw_sample_time(w, m[I_TIME], &t))
		return false;

	int status = d->status;
	int mark = tw_push_key(w, "status");
	if (tw_optional(m[I_STATUS]) && !read_status(w, m[I_STATUS], &status))
		return false;
	tw_pop(w, mark);

	size_t start = tw_message_begin(w);
	tw_put(w, "{\"mppt_id\":");
	json_out_string(w->o, mppt_id);
	if (!tw_channels(w, m[I_PV], "pv", PV_STRINGS_MAX, true) || !tw_battery(w, m[I_BATTERY]) ||
	    !tw_channels(w, m[I_LOAD], "load", LOAD_OUTPUTS_MAX, false))
		return false;
	write_status(w, status);
	return tw_message_end(w, start, &t, mppt_id, NULL);
}

enum { D_MPPT, D_MPPT_ID, D_STATUS, D_DATA, DATASET_KEYS };
static const char *const dataset_keys[DATASET_KEYS] = {"mppt", "mppt_id", "status", "data"};

static bool translate_dataset(struct tw *w, const cJSON *dataset)
{
	static const char *const nested_keys[] = {"id"};
	const cJSON *m[DATASET_KEYS], *nested[1];
	struct dataset d;
	if (!tw_members(w, dataset, dataset_keys, m, DATASET_KEYS) ||
	    !tw_device_id(w, "mppt", m[D_MPPT], nested_keys, nested, 1, m[D_MPPT_ID], &d.mppt_id))
		return false;
	int mark = tw_push_key(w, "status");
	if (!read_status(w, m[D_STATUS], &d.status))
		return false;
	tw_pop(w, mark);
	return tw_samples(w, m[D_DATA], translate_sample, &d);
}

bool mppt_translate(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		    struct timespec now, const struct telemetry_limits *limits)
{
	return tw_translate_json(b, payload, len, sender, now, limits, translate_dataset);
}
