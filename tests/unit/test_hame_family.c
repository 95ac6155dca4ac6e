/*
 * Unit tests of the Hame family tables (hame_family.h): which family a type
 * is, each family's command table, its replies as JSON (the replies are
 * those recorded from real devices in the reference implementation's
 * tests), the encrypted ids and the friendly settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "hame_family.h"
#include "hame_id.h"
#include "venus_table.h"

static const struct hame_family *family(const char *type)
{
	const struct hame_family *f = hame_family_of(type);
	if (!f)
		print_error("no family for %s\n", type);
	assert_non_null(f);
	return f;
}

static void check_pass(const char *type, const char *in, const char *normalised, enum venus_class cls)
{
	struct venus_command c;
	bool ok = hame_command_parse(family(type)->commands, in, strlen(in), &c);
	if (!ok)
		print_error("%s refused %s: %s\n", type, in, c.error);
	assert_true(ok);
	assert_string_equal(c.payload, normalised);
	assert_int_equal(c.cls, cls);
}

static void check_refused(const char *type, const char *in, const char *error)
{
	struct venus_command c;
	bool ok = hame_command_parse(family(type)->commands, in, strlen(in), &c);
	if (ok)
		print_error("%s accepted %s\n", type, in);
	assert_false(ok);
	assert_string_equal(c.error, error);
	assert_int_equal(c.payload_len, 0);
}

/* The reply as the bridge renders it: its kind's leaf in *leaf, the JSON document returned. */
static cJSON *translate(const char *type, const char *id, const char *reply, const char **leaf)
{
	static struct venus_reply r;
	static struct venus_state s;
	const struct hame_family *f = family(type);
	venus_reply_parse(reply, strlen(reply), &r);
	const struct hame_reply_kind *k = f->replies ? hame_reply_kind_of(f->replies, f->n_replies, &r)
						     : hame_reply_kind_of(f->venus_extra, f->n_venus_extra, &r);
	assert_non_null(k);
	*leaf = k->leaf;
	char mac[HAME_MAC_LEN + 1];
	const char *decoded = f->aes_ids && hame_id_decode(id, mac) ? mac : NULL;
	struct json_out o;
	json_out_init(&o);
	if (k->merged) {
		venus_state_init(&s);
		venus_state_merge(&s, &r, 1700000000000, NULL, 0);
		assert_true(hame_translate_state(k, &s, type, id, decoded, &o));
	} else {
		assert_true(hame_translate_reply(k, &r, type, id, decoded, 1700000000000, &o));
	}
	cJSON *doc = cJSON_ParseWithLength(o.buf, o.len);
	if (!doc)
		print_error("not JSON: %.*s\n", (int)o.len, o.buf);
	assert_non_null(doc);
	json_out_free(&o);
	return doc;
}

/* The value at a path of the document ("a.b", "x[2].y"). */
static const cJSON *at(const cJSON *doc, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	const cJSON *node = doc;
	for (char *part = strtok(buf, "."); part && node; part = strtok(NULL, ".")) {
		char *bracket = strchr(part, '[');
		if (bracket)
			*bracket = '\0';
		node = cJSON_GetObjectItemCaseSensitive(node, part);
		while (bracket && node) {
			node = cJSON_GetArrayItem(node, atoi(bracket + 1));
			bracket = strchr(bracket + 1, '[');
		}
	}
	if (!node)
		print_error("no %s\n", path);
	assert_non_null(node);
	return node;
}

static void want_number(const cJSON *doc, const char *path, double v)
{
	const cJSON *n = at(doc, path);
	if (!cJSON_IsNumber(n) || n->valuedouble < v - 1e-9 || n->valuedouble > v + 1e-9)
		print_error("%s: expected %g\n", path, v);
	assert_true(cJSON_IsNumber(n) && n->valuedouble > v - 1e-9 && n->valuedouble < v + 1e-9);
}

static void want_string(const cJSON *doc, const char *path, const char *v)
{
	const cJSON *n = at(doc, path);
	assert_true(cJSON_IsString(n));
	assert_string_equal(n->valuestring, v);
}

static void want_bool(const cJSON *doc, const char *path, bool v)
{
	const cJSON *n = at(doc, path);
	assert_true(cJSON_IsBool(n));
	assert_int_equal(cJSON_IsTrue(n), v);
}

static void want_null(const cJSON *doc, const char *path)
{
	assert_true(cJSON_IsNull(at(doc, path)));
}

static void test_types_name_their_family(void **state)
{
	(void)state;
	assert_string_equal(family("HMG-50")->name, "venus");
	assert_string_equal(family("VNSA-0")->model, "Venus A/D");
	assert_string_equal(family("HMB-1")->model, "B2500 (first generation)");
	assert_string_equal(family("HMA-1")->model, "B2500 (second generation)");
	assert_string_equal(family("HMJ-2")->name, "b2500");
	assert_string_equal(family("HMK-1")->name, "b2500");
	assert_string_equal(family("JPLS-8H")->name, "jupiter");
	assert_string_equal(family("HMN-1")->name, "jupiter");
	assert_string_equal(family("HME-4")->name, "ct002");
	assert_string_equal(family("TPM2-0")->name, "ct002");
	assert_string_equal(family("HME-3")->name, "ct003");
	assert_string_equal(family("SMR-1")->name, "ct003");
	assert_string_equal(family("HMI-2000")->name, "inverter");
	/* negative: no table describes them */
	assert_null(hame_family_of("HMD-1"));    /* power station */
	assert_null(hame_family_of("VNSG-0"));   /* Venus, second generation: other numbers */
	assert_null(hame_family_of("HME-1"));    /* a meter type of no known family */
	assert_null(hame_family_of("HMA"));      /* no suffix */
	assert_null(hame_family_of("HMAX-1"));   /* HMA only as the whole base */
	assert_null(hame_family_of("hma-1"));
	assert_null(hame_family_of(""));
	assert_null(hame_family_of(NULL));
}

/*
 * venus_table_index looks for a key without '_' only from
 * VENUS_TABLE_FIRST_PLAIN on: the rows before have one, those after none.
 */
static void test_venus_table_keys_have_underscores(void **state)
{
	(void)state;
	size_t keyed = 0;
	for (size_t i = 0; i < VENUS_TABLE_FIELDS; i++) {
		if (venus_table[i].raw_len == 0) /* a computed field: no key */
			continue;
		keyed++;
		if (i < VENUS_TABLE_FIRST_PLAIN)
			assert_non_null(strchr(venus_table[i].raw, '_'));
		else
			assert_null(strchr(venus_table[i].raw, '_'));
		assert_int_equal(venus_table_index(venus_table[i].raw, venus_table[i].raw_len), (int)i);
	}
	assert_int_equal(keyed, VENUS_TABLE_FIELDS - 1);
	assert_int_equal(venus_table_index("pe", 2), -1);
	assert_int_equal(venus_table_index("", 0), -1);
	assert_true(venus_table_index("pv1", 3) >= VENUS_TABLE_FIRST_PLAIN);
}

/* The state renders tim_0..tim_9 from VENUS_TABLE_FIRST_PERIOD on; has_key skips keys of other lengths. */
static void test_venus_table_periods_and_key_lengths(void **state)
{
	(void)state;
	for (int n = 0; n < 10; n++) {
		char key[6] = {'t', 'i', 'm', '_', (char)('0' + n), '\0'};
		assert_int_equal(venus_table_index(key, 5), VENUS_TABLE_FIRST_PERIOD + n);
		assert_int_equal(venus_table[VENUS_TABLE_FIRST_PERIOD + n].kind, VENUS_FIELD_PERIOD);
	}
	size_t shortest = SIZE_MAX, longest = 0;
	for (size_t i = 0; i < VENUS_TABLE_VENDOR_FIELDS; i++) {
		shortest = venus_table[i].raw_len < shortest ? venus_table[i].raw_len : shortest;
		longest = venus_table[i].raw_len > longest ? venus_table[i].raw_len : longest;
		assert_true(venus_table_has_key(venus_table[i].raw, venus_table[i].raw_len));
	}
	assert_int_equal(shortest, VENUS_TABLE_VENDOR_KEY_MIN);
	assert_int_equal(longest, VENUS_TABLE_VENDOR_KEY_MAX);
	assert_false(venus_table_has_key("pv1", 3)); /* a newer key, not the vendor's */
}

static void assert_plain_name(const char *name)
{
	for (const char *p = name; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
}

/* The state writes the table's names as JSON keys without escaping them (json_out_plain_key). */
static void test_venus_table_names_need_no_escaping(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENUS_TABLE_FIELDS; i++) {
		assert_plain_name(venus_table[i].name);
		if (venus_table[i].second_name)
			assert_plain_name(venus_table[i].second_name);
	}
}

/* Its positive control: a path with a quote is refused. */
static void test_fields_check_refuses_a_path_that_needs_escaping(void **state)
{
	(void)state;
	static const struct hame_field plain[] = {{"pe", "soc_percent", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL}};
	static const struct hame_field quoted[] = {{"pe", "soc\"percent", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL}};
	char why[160];
	assert_true(hame_fields_check(plain, 1, why, sizeof(why)));
	assert_false(hame_fields_check(quoted, 1, why, sizeof(why)));
	assert_non_null(strstr(why, "letters, digits"));
}

static void check_fields(const struct hame_reply_kind *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char why[160];
		bool ok = hame_fields_check(kinds[i].fields, kinds[i].n_fields, why, sizeof(why));
		if (!ok)
			print_error("%s: %s\n", kinds[i].leaf, why);
		assert_true(ok);
	}
}

static void test_every_field_table_writes_in_one_pass(void **state)
{
	(void)state;
	const char *types[] = {"HMG-50", "VNSA-0", "HMB-1", "HMA-1", "JPLS-8H", "HME-2", "HME-3", "HMI-1"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct hame_family *f = family(types[i]);
		check_fields(f->replies, f->n_replies);
		check_fields(f->venus_extra, f->n_venus_extra);
	}
	/* negative control: the check sees a split container and a path that is also a container */
	const struct hame_field split[] = {
		{"x", "a.b", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL},
		{"y", "c", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL},
		{"z", "a.d", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL},
	};
	char why[160];
	assert_false(hame_fields_check(split, 3, why, sizeof(why)));
	const struct hame_field both[] = {
		{"x", "a", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL},
		{"y", "a.b", HAME_FIELD_INTEGER, 1, 0, 0, NULL, 0, NULL, 0, NULL},
	};
	assert_false(hame_fields_check(both, 2, why, sizeof(why)));
}

static void test_b2500_commands(void **state)
{
	(void)state;
	check_pass("HMA-1", "cd=1", "cd=1", VENUS_READ);
	check_pass("HMA-1", "cd=19,md=80", "cd=19,md=80", VENUS_SETTING);
	check_refused("HMA-1", "cd=19,md=101", "md must be within 0..100");
	check_refused("HMA-1", "cd=19", "missing key md");
	check_refused("HMA-1", "cd=19,md=1,md=2", "repeated key md");
	check_refused("HMA-1", "cd=2,md=1", "unknown cd 2");
	/* the same cd, two generations */
	check_pass("HMB-1", "cd=4,md=3", "cd=4,md=3", VENUS_SETTING);
	check_refused("HMA-1", "cd=4,md=3", "md must be one of 0, 1");
	check_pass("HMB-1", "cd=6,md=500", "cd=6,md=500", VENUS_SETTING);
	check_refused("HMA-1", "cd=6,md=500", "unknown cd 6");
	check_refused("HMB-1", "cd=20,md=1", "unknown cd 20");
	/* timed discharge: md=1 alone, or md=0 with whole groups; times delivered H:M */
	check_pass("HMA-1", "cd=20,md=1", "cd=20,md=1", VENUS_SETTING);
	check_pass("HMA-1", "cd=20,md=0,a1=1,b1=00:30,e1=24:00,v1=800",
		   "cd=20,md=0,a1=1,b1=0:30,e1=24:0,v1=800", VENUS_SETTING);
	check_pass("HMA-1", "cd=20,md=0,a1=1,b1=8:1,e1=9:05,v1=80,a3=0,b3=10:00,e3=12:00,v3=100",
		   "cd=20,md=0,a1=1,b1=8:1,e1=9:5,v1=80,a3=0,b3=10:0,e3=12:0,v3=100", VENUS_SETTING);
	check_refused("HMA-1", "cd=20,md=0,a1=1,b1=0:30,e1=24:00", "missing key v1");
	check_refused("HMA-1", "cd=20,md=0", "cd=20,md=0 needs at least 1 complete group of keys");
	check_refused("HMA-1", "cd=20,md=0,a1=1,b1=24:00,e1=24:00,v1=8", "b1 must be within 0:00..23:59");
	check_refused("HMA-1", "cd=20,md=0,a1=1,b1=0:00,e1=24:01,v1=8", "e1 must be within 0:00..24:00");
	check_refused("HMA-1", "cd=20,md=0,a1=1,b1=0:00,e1=1:00,v1=801", "v1 must be within 0..800");
	check_refused("HMA-1", "cd=20,md=1,a1=1", "unknown key a1 for cd=20,md=1");
	check_pass("HMA-1", "cd=9,wy=-60", "cd=9,wy=-60", VENUS_SETTING);
	check_refused("HMA-1", "cd=9,wy=65", "wy must be a multiple of 10");
	check_pass("HMA-1", "cd=22,md=255", "cd=22,md=255", VENUS_SETTING);
	check_refused("HMA-1", "cd=22,md=4", "md must be one of 0, 1, 2, 3, 255");
	check_pass("HMA-1", "cd=27,meter=3,mac=a1b2c3d4e5f6", "cd=27,meter=3,mac=a1b2c3d4e5f6", VENUS_SETTING);
	check_pass("HMA-1", "cd=27,seq_check", "cd=27,seq_check", VENUS_SETTING);
	check_pass("HMA-1", "cd=31,touchuan_disa=0", "cd=31,touchuan_disa=0", VENUS_SETTING);
	/* dangerous: restart and factory reset; provisioning refused for everyone */
	check_pass("HMA-1", "cd=10", "cd=10", VENUS_DANGEROUS);
	check_pass("HMB-1", "cd=11", "cd=11", VENUS_DANGEROUS);
	check_refused("HMA-1", "cd=33",
		      "cd=33 is refused for everyone on B2500: it sets device type, MAC, address or vendor ids "
		      "(undocumented)");
}

static void test_other_families_commands(void **state)
{
	(void)state;
	check_pass("JPLS-8H", "cd=2,md=5", "cd=2,md=5", VENUS_SETTING);
	check_refused("JPLS-8H", "cd=2,md=0", "md must be one of 1, 2, 5");
	check_pass("JPLS-8H", "cd=3,md=1,nm=4,bt=8:30,et=20:30,wk=127,vv=800,as=1",
		   "cd=3,md=1,nm=4,bt=08:30,et=20:30,wk=127,vv=800,as=1", VENUS_SETTING);
	check_refused("JPLS-8H", "cd=3,md=1,nm=4,bt=8:30,et=20:30,wk=127,vv=-1,as=1", "vv must be within 0..800");
	check_refused("JPLS-8H", "cd=3,md=1,nm=5,bt=8:30,et=20:30,wk=127,vv=1,as=1", "nm must be within 0..4");
	check_pass("JPLS-8H", "cd=56,dod=90", "cd=56,dod=90", VENUS_SETTING);
	check_pass("HMN-1", "cd=5,rs=1", "cd=5,rs=1", VENUS_DANGEROUS);
	check_refused("HMM-1", "cd=16,cp=800", "unknown cd 16"); /* a Venus command */
	check_pass("HME-4", "cd=5,p1=5", "cd=5,p1=5", VENUS_SETTING);
	check_pass("TPM2-0", "cd=5,dir=1", "cd=5,dir=1", VENUS_SETTING);
	check_refused("HME-4", "cd=5,p1=8", "p1 must be within 0..7");
	check_pass("HME-3", "cd=5,p1=0,p2=9600,p3=1,p4=2", "cd=5,p1=0,p2=9600,p3=1,p4=2", VENUS_SETTING);
	check_refused("HME-3", "cd=5,p1=0", "missing key p2");
	check_pass("HME-2", "cd=8", "cd=8", VENUS_DANGEROUS);
	check_pass("HME-2", "cd=54,start", "cd=54,start", VENUS_DANGEROUS);
	check_refused("HME-2", "cd=9", "cd=9 is refused for everyone on CT002: a raw UDP debug stream with "
				      "undocumented parameters");
	check_pass("HMI-1", "cd=8,p1=600", "cd=8,p1=600", VENUS_SETTING);
	check_pass("HMI-1", "cd=11,p1=2", "cd=11,p1=2", VENUS_SETTING); /* the mode, not a reset */
	check_refused("HMI-1", "cd=11", "missing key p1");
	check_refused("HMI-1", "cd=10", "unknown cd 10");
}

static const char b2500_v2_reply[] =
	"p1=0,p2=0,w1=0,w2=0,pe=14,vv=224,sv=3,cs=0,cd=0,am=0,o1=0,o2=0,do=90,lv=800,cj=1,kn=313,g1=0,g2=0,b1=0,b2=0,"
	"md=0,d1=1,e1=0:0,f1=23:59,h1=800,d2=0,e2=0:0,f2=23:59,h2=200,d3=0,e3=0:0,f3=23:59,h3=800,sg=0,sp=80,st=0,"
	"tl=12,th=13,tc=0,tf=0,fc=202310231502,id=5,a0=14,a1=0,a2=0,l0=0,l1=0,c0=255,c1=4,bc=622,bs=512,pt=1552,"
	"it=1332,m0=0,m1=0,m2=0,m3=0,d4=0,e4=2:0,f4=23:59,h4=50,d5=0,e5=0:0,f5=23:59,h5=347,lmo=1377,lmi=614,lmf=0,"
	"uv=10";

static void test_b2500_runtime_reply(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("HMA-1", "e88da6f35def", b2500_v2_reply, &leaf);
	assert_string_equal(leaf, "state");
	want_number(doc, "soc_percent", 14);
	want_number(doc, "battery_energy_wh", 313);
	want_string(doc, "fc4_version", "202310231502");
	want_number(doc, "device_number", 5);
	want_number(doc, "cell_temp_min_c", 12);
	want_string(doc, "scene", "night");
	want_string(doc, "charging_mode", "simultaneous");
	want_string(doc, "adaptive_mode", "off");
	want_bool(doc, "time_periods[0].enabled", true);
	want_string(doc, "time_periods[0].start", "00:00");
	want_string(doc, "time_periods[0].end", "23:59");
	want_number(doc, "time_periods[0].power_w", 800);
	want_string(doc, "time_periods[3].start", "02:00");
	want_number(doc, "time_periods[4].power_w", 347);
	want_number(doc, "daily_battery_charge_wh", 622);
	want_bool(doc, "pack_status.host.discharging", false);
	want_string(doc, "ct_phase", "none");
	want_string(doc, "ct_status", "not_in_diagnosis");
	want_number(doc, "rated_output_power_w", 1377);
	want_bool(doc, "power_limited", false);
	want_string(doc, "other.am", "0");
	want_string(doc, "other.cd", "0"); /* a data key of V1 only */
	assert_null(cJSON_GetObjectItem(doc, "mac")); /* a plain MAC is not decoded */
	cJSON_Delete(doc);

	/* the first generation reads cd as its outputs and cs differently */
	doc = translate("HMB-1", "e88da6f35def", "p1=1,p2=2,w1=0,w2=0,pe=14,vv=224,cs=0,cd=2,o1=0,o2=0,do=90,kn=2000,g1=0,g2=0",
			&leaf);
	want_string(doc, "charging_mode", "pv2_pass_through");
	want_string(doc, "output1_enabled", "off");
	want_string(doc, "output2_enabled", "on");
	want_bool(doc, "input1_charging", true);
	want_bool(doc, "input2_pass_through", true);
	cJSON_Delete(doc);
}

/* The state rendered by a field table into o (reset first). */
static const char *render_state(const struct hame_reply_kind *kind, struct venus_state *s, struct json_out *o)
{
	json_out_reset(o);
	assert_true(hame_translate_state(kind, s, "HMA-1", "e88da6f35def", NULL, o));
	return o->buf;
}

static void merge_text(struct venus_state *s, const char *text)
{
	static struct venus_reply r;
	venus_reply_parse(text, strlen(text), &r);
	venus_state_merge(s, &r, 1700000000000, NULL, 0);
}

/*
 * The JSON the state's entries keep between renders (hame_translate.h): a
 * second render copies it, a merged change is written anew, exactly as by a
 * state that never rendered before.
 */
static void test_b2500_kept_json_follows_the_values(void **state)
{
	(void)state;
	static struct venus_state s, fresh;
	const struct hame_family *f = family("HMA-1");
	const struct hame_reply_kind *kind = &f->replies[0];
	assert_string_equal(kind->leaf, "state");
	struct json_out o;
	json_out_init(&o);
	venus_state_init(&s);
	merge_text(&s, b2500_v2_reply);
	char first[4096];
	snprintf(first, sizeof(first), "%s", render_state(kind, &s, &o));
	size_t kept = 0;
	for (size_t i = 0; i < s.count; i++)
		kept += s.entries[i].json_len > 0;
	assert_true(kept >= 30); /* the top-level fields keep their JSON */
	/* so do the fields of an object after its first (time_periods[0].start), not the first (.enabled) */
	assert_true(venus_state_find(&s, "e1", 2)->json_len > 0);
	assert_int_equal(venus_state_find(&s, "d1", 2)->json_len, 0);
	/* so does a top-level field after a closed array (a0 after time_periods) */
	assert_true(venus_state_find(&s, "a0", 2)->json_len > 0);
	/* a value two rows read (p1's bits) keeps the JSON of the first, not of the last that wrote it */
	const struct venus_state_entry *p1 = venus_state_find(&s, "p1", 2);
	const char *first_row = "\"input1_charging\":false";
	assert_int_equal(p1->json_len, strlen(first_row));
	assert_memory_equal(p1->json, first_row, strlen(first_row));
	assert_string_equal(render_state(kind, &s, &o), first);
	assert_int_equal(p1->json_len, strlen(first_row)); /* the second render replayed it and kept it */

	/*
	 * The body kept whole (venus_state.h): the same reply a minute later
	 * changes nothing but "updated", and the render is its header and a
	 * copy of the body; the copy is what the fresh state below renders too.
	 */
	assert_true(s.body_len > 0 && s.body_of == kind);
	uint64_t changes = s.changes;
	static struct venus_reply again;
	venus_reply_parse(b2500_v2_reply, strlen(b2500_v2_reply), &again);
	venus_state_merge(&s, &again, 1700000060000, NULL, 0);
	assert_true(s.changes == changes);
	char later[4096];
	snprintf(later, sizeof(later), "%s", render_state(kind, &s, &o));
	assert_non_null(strstr(first, "\"updated\":\"2023-11-14T22:13:20Z\","));
	assert_non_null(strstr(later, "\"updated\":\"2023-11-14T22:14:20Z\","));
	const char *first_body = strstr(first, "Z\",") + 2, *later_body = strstr(later, "Z\",") + 2;
	assert_string_equal(later_body, first_body);
	s.body[s.body_len - 2] = '#'; /* the copy is what is written: a byte changed in it shows */
	assert_non_null(strstr(render_state(kind, &s, &o), "#}"));
	s.changes++; /* as a merge that changed a value: rendered anew */
	assert_string_equal(strstr(render_state(kind, &s, &o), "Z\",") + 2, first_body);
	venus_state_merge(&s, &again, 1700000000000, NULL, 0); /* back to the time of the merges below */

	const char *change = "pe=15,w1=100,cj=2,h1=600,am=1,p1=3,l1=17";
	merge_text(&s, change);
	char changed[4096];
	snprintf(changed, sizeof(changed), "%s", render_state(kind, &s, &o));
	assert_non_null(strstr(changed, "\"soc_percent\":15,"));
	assert_non_null(strstr(changed, "\"input_power_w\":100,"));
	assert_non_null(strstr(changed, "\"scene\":\"dusk\""));
	assert_non_null(strstr(changed, "\"power_w\":600}"));
	assert_non_null(strstr(changed, "\"am\":\"1\""));
	assert_non_null(strstr(changed, "\"input1_charging\":true,\"input1_pass_through\":true,"));

	venus_state_init(&fresh); /* the same merges, never rendered in between */
	merge_text(&fresh, b2500_v2_reply);
	merge_text(&fresh, change);
	assert_string_equal(render_state(kind, &fresh, &o), changed);
	assert_true(s.changes > changes); /* the change was rendered anew, not copied */

	/* a key a row names arrives late: the entries the rows read (kept in the state) are found again */
	assert_null(strstr(changed, "wifi_rssi_dbm"));
	merge_text(&s, "ws=-60");
	snprintf(changed, sizeof(changed), "%s", render_state(kind, &s, &o));
	assert_non_null(strstr(changed, "\"wifi_rssi_dbm\":-60,"));
	merge_text(&fresh, "ws=-60");
	assert_string_equal(render_state(kind, &fresh, &o), changed);
	json_out_free(&o);
}

/* The totals the device does not send: only when both keys read. */
static void test_b2500_totals(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("HMA-1", "e88da6f35def",
			       "p1=1,p2=1,w1=120,w2=95,pe=14,vv=224,o1=1,o2=0,do=90,kn=313,g1=180,g2=-3,cs=0", &leaf);
	assert_string_equal(leaf, "state");
	want_number(doc, "input1_power_w", 120);
	want_number(doc, "input_power_w", 215);
	want_number(doc, "output_power_w", 177);
	cJSON_Delete(doc);
	/* w2 not a number: no input total, the output total still */
	doc = translate("HMB-1", "e88da6f35def", "p1=1,p2=1,w1=120,w2=x,pe=14,vv=224,o1=1,o2=0,do=90,kn=313,g1=7,g2=8",
			&leaf);
	assert_null(cJSON_GetObjectItem(doc, "input_power_w"));
	want_string(doc, "input2_power_w", "x");
	want_number(doc, "output_power_w", 15);
	cJSON_Delete(doc);
}

/* cd=21: the calibration counters on their own leaf; cd=14, 15, 24 keep to .../reply. */
static void test_b2500_calibration(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("HMA-1", "e88da6f35def", "cf=123456,df=98765", &leaf);
	assert_string_equal(leaf, "calibration");
	want_number(doc, "charge_calibration", 123456);
	want_number(doc, "discharge_calibration", 98765);
	assert_null(cJSON_GetObjectItem(doc, "other"));
	cJSON_Delete(doc);
	doc = translate("HMB-1", "e88da6f35def", "cf=1,df=2,zz=3", &leaf);
	assert_string_equal(leaf, "calibration");
	want_string(doc, "other.zz", "3");
	cJSON_Delete(doc);

	static struct venus_reply r;
	const struct hame_family *f = family("HMA-1");
	static const char *const raw_replies[] = {
		"ds=0,ps=0,ch=0,as=0,e0=0,e1=0,op=0,cp=0,cr=0,c0=0,c1=0,c2=0,g1=0,g2=0", /* cd=14 */
		"id=1,s=0,c=0,i=0,p=0",                                                  /* cd=24 */
		"cf=1",                                                                  /* half a calibration */
	};
	for (size_t i = 0; i < sizeof(raw_replies) / sizeof(raw_replies[0]); i++) {
		venus_reply_parse(raw_replies[i], strlen(raw_replies[i]), &r);
		assert_null(hame_reply_kind_of(f->replies, f->n_replies, &r));
	}
}

static void test_b2500_cells_and_aes_id(void **state)
{
	(void)state;
	char reply[1024] = "";
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < 16; i++) {
			size_t len = strlen(reply);
			snprintf(reply + len, sizeof(reply) - len, "%s%c%x=%d", len ? "," : "", "abc"[p], i,
				 p == 0 ? (i < 14 ? 3300 + i : 0) : 0);
		}
	const char *leaf = NULL;
	cJSON *doc = translate("HMA-1", "e6a1f1765cdd26ff05e2afcc5df17a9b", reply, &leaf);
	assert_string_equal(leaf, "cells");
	want_string(doc, "mac", "badbeefbadbe");
	want_number(doc, "host.cells_mv[0]", 3300);
	want_number(doc, "host.cells_mv[15]", 0);
	want_number(doc, "host.cell_min_mv", 3300); /* zeros are unused slots */
	want_number(doc, "host.cell_max_mv", 3313);
	want_number(doc, "host.cell_spread_mv", 13);
	want_number(doc, "host.cell_avg_mv", 3307); /* 3306.5 rounds up */
	want_null(doc, "extra1.cell_min_mv");
	assert_int_equal(cJSON_GetArraySize(at(doc, "extra2.cells_mv")), 16);
	cJSON_Delete(doc);

	char mac[HAME_MAC_LEN + 1];
	assert_true(hame_id_decode("757a6deefc6ab2b3764d61e64fb2a931", mac));
	assert_string_equal(mac, "feeba7123456");
	assert_true(hame_id_decode("E6A1F1765CDD26FF05E2AFCC5DF17A9B", mac));
	assert_false(hame_id_decode("e6a1f1765cdd26ff05e2afcc5df17a9c", mac)); /* padding breaks */
	assert_false(hame_id_decode("e88da6f35def", mac));
	assert_false(hame_id_decode("0123456789abcdefABCDEFGH", mac));
	assert_false(hame_id_decode("zz a1f1765cdd26ff05e2afcc5df17a9b", mac));
	assert_false(hame_id_decode(NULL, mac));
}

static const char jupiter_state[] =
	"ele_d=349,ele_m=2193,ele_y=0,pv1_p=94,pv1_s=1,pv2_p=77,pv2_s=1,pv3_p=41,pv3_s=1,pv4_p=60,pv4_s=1,grd_o=250,"
	"grd_t=1,gct_s=1,cel_s=0,cel_p=424,cel_c=83,err_t=0,wor_m=1,tim_0=12|0|23|59|127|800|1,tim_1=0|0|12|0|127|150|1,"
	"tim_2=0|0|0|0|255|0|0,tim_3=0|0|0|0|255|0|0,tim_4=0|0|0|0|255|0|0,cts_m=0,grd_d=285,grd_m=2018,dev_n=134,"
	"dev_i=106,dev_m=206,dev_b=209,dev_t=110,wif_s=75,ala_c=0,ful_d=3,ssid=xxxx,stop_s=10,htt_p=0,ct_t=4,phase_t=1,"
	"dchrg=1,seq_s=3,ctrl_r=0,shelly_p=1010,c_ratio=100,b_lck=0,dod=88,total_b=1,online_b=1";

static const char jupiter_bms[] =
	"inv:g_state=1,w_state1=1,w_state2=1,i_err=0,i_war=0,g_vol=2340,g_cur=0,g_pf=0,g_fre=4997,b_vol=544,g_power=0,"
	"i_temp=-31,mppt:m_state=244,m_err=0,m_temp=5,m_war=0,pv1=377|3|146,pv2=389|6|258,pv3=387|6|236,pv4=376|3|141,"
	"b_vol=545,b_cur=14,base_v=222,pe_v=165,bms:c_vol=600,c_cur=75,d_cur=100,soc=44,soh=0,b_cap=2560,b_vol=5420,"
	"b_cur=14,b_temp=-25,b_err=0,b_war=0,b_err2=0,b_war2=0,c_flag=192,s_flag=0,b_num=1,vol0=3343,vol1=3397,"
	"vol2=3320,vol3=0,vol4=0,vol5=0,vol6=0,vol7=0,vol8=0,vol9=0,vol10=0,vol11=0,vol12=0,vol13=0,vol14=0,vol15=0,"
	"b_temp0=255,b_temp1=254,b_temp2=253,b_temp3=252,env_t=128,mos_t=127";

static void test_jupiter_replies(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("JPLS-8H", "jupiter123", jupiter_state, &leaf);
	assert_string_equal(leaf, "state");
	want_number(doc, "daily_charged_kwh", 3.49);
	want_number(doc, "monthly_discharged_kwh", 20.18);
	want_number(doc, "battery_energy_kwh", 4.24);
	want_string(doc, "battery_status", "idle");
	want_string(doc, "working_mode", "automatic");
	want_string(doc, "time_periods[0].start", "12:00");
	want_number(doc, "time_periods[2].weekdays", 255);
	want_bool(doc, "time_periods[2].enabled", false);
	want_string(doc, "surplus_feed_in", "feeding");
	want_string(doc, "ct_type", "shelly_pro_3em");
	want_string(doc, "wifi_name", "xxxx");
	want_string(doc, "other.c_ratio", "100");
	cJSON_Delete(doc);

	doc = translate("JPLS-8H", "jupiter123", jupiter_bms, &leaf);
	assert_string_equal(leaf, "bms");
	want_number(doc, "inverter.grid_voltage_v", 234);
	want_number(doc, "inverter.grid_frequency_hz", 49.97);
	want_number(doc, "inverter.temperature_c", -31);
	want_number(doc, "inverter.battery_voltage_v", 54.4);
	want_number(doc, "mppt.pv2_voltage_v", 38.9);
	want_number(doc, "mppt.pv2_current_a", 0.6);
	want_number(doc, "mppt.pv2_power_w", 25.8);
	want_number(doc, "mppt.battery_voltage_v", 54.5); /* b_vol once per section */
	want_number(doc, "bms.voltage_v", 54.2);
	want_number(doc, "bms.temperature_c", -2.5);
	want_number(doc, "bms.cell_temps_c[0]", -1);
	want_number(doc, "bms.cell_temps_c[3]", -4);
	want_number(doc, "bms.ambient_temp_c", -128);
	want_number(doc, "bms.mosfet_temp_c", 127);
	want_number(doc, "bms.vol_raw[1]", 3397);
	cJSON_Delete(doc);
}

static void test_meter_and_inverter_replies(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("HME-4", "abcd",
			       "pwr_a=119,pwr_b=15,pwr_c=-136,pwr_t=-1,ble_s=5,wif_r=-79,fc4_v=202409090159,ver_v=119,"
			       "wif_s=2,slv_n=1,cur_d=5",
			       &leaf);
	want_number(doc, "phase_c_w", -136);
	want_number(doc, "total_w", -1);
	want_number(doc, "wifi_rssi_dbm", -79);
	want_string(doc, "fc4_version", "202409090159");
	want_bool(doc, "phase_a_reversed", true);
	want_bool(doc, "phase_b_reversed", false);
	want_bool(doc, "phase_c_reversed", true);
	cJSON_Delete(doc);

	doc = translate("HMI-1", "24197287XXXX",
			"ele_d=11,ele_s=1433,ele_m=1433,pv1_v=334,pv1_i=0,pv1_p=16,pv1_s=1,pv2_v=335,pv2_i=0,pv2_p=15,"
			"pv2_s=1,pe1_v=17,fb1_v=847,fb2_v=826,grd_f=4999,grd_v=2455,grd_s=1,grd_o=29,chp_t=33,rel_s=1,"
			"err_t=0,err_c=0,err_d=0,ver_s=120,mpt_m=1,ble_s=1,mpt1=1,mpt2=1,wif_r=69,fc4_v=202406141323,gc=0,"
			"pl=800,ct_r=0,ct_f=0,ct_c=0",
			&leaf);
	want_number(doc, "daily_energy_kwh", 0.11);
	want_number(doc, "total_energy_kwh", 14.33);
	want_number(doc, "pv1_voltage_v", 33.4);
	want_bool(doc, "pv2_active", true);
	want_number(doc, "grid_frequency_hz", 49.99);
	want_number(doc, "grid_voltage_v", 245.5);
	want_string(doc, "mode", "b2500_boost");
	want_string(doc, "grid_connection_ban", "off");
	want_number(doc, "max_output_power_w", 800);
	want_string(doc, "other.rel_s", "1");
	cJSON_Delete(doc);
}

static void test_venus_bms_reply(void **state)
{
	(void)state;
	const char *leaf = NULL;
	cJSON *doc = translate("VNSA-0", "venusA123",
			       "cd=14,b_ver=106,b_chv=468,b_rci=400,b_rdi=400,b_soc=75,b_soh=0,b_cap=2080,b_vol=4328,"
			       "b_cur=20,b_tem=16,b_chf=3,b_slf=0,b_cpc=157,b_err=0,b_war=0,b_ret=0,b_ent=228,b_mot=173,"
			       "b_tp1=164,b_tp2=166,b_tp3=168,b_tp4=166,b_vo1=3334,b_vo2=3332,b_vo3=3333,b_vo4=3333,"
			       "b_vo5=3334,b_vo6=3335,b_vo7=3334,b_vo8=3334,b_vo9=3334,b_vo10=3334,b_vo11=3333,b_vo12=3333,"
			       "b_vo13=3333,b_vo14=0,b_vo15=0,b_vo16=0",
			       &leaf);
	assert_string_equal(leaf, "bms");
	want_number(doc, "voltage_v", 43.28);
	want_number(doc, "charge_voltage_v", 46.8);
	want_number(doc, "mosfet_temp_c", 17.3);
	want_number(doc, "cell_temps_c[0]", 16.4);
	want_number(doc, "temperature_c", 16);
	want_number(doc, "cell_voltages_mv[0]", 3334);
	want_number(doc, "cell_min_mv", 3332);
	want_number(doc, "cell_max_mv", 3335);
	want_number(doc, "cell_spread_mv", 3);
	want_number(doc, "cell_avg_mv", 3334);
	want_string(doc, "other.b_rci", "400");
	assert_null(cJSON_GetObjectItem(at(doc, "other"), "cd")); /* the reply's name, not a field */
	cJSON_Delete(doc);

	doc = translate("VNSE3-0", "venus123",
			"cd=14,b_ver=212,b_chv=571,b_soc=65,b_soh=100,b_cap=5120,b_vol=5223,b_cur=-94,b_tem=25,b_chf=192,"
			"b_cpc=332,b_err=0,b_war=0,b_ret=0,b_ent=0,b_mot=23,b_tp1=18,b_tp2=19,b_tp3=18,b_tp4=19,b_vo1=3265,"
			"b_vo2=3265,b_vo3=3265,b_vo4=3265,b_vo5=3264,b_vo6=3264,b_vo7=3265,b_vo8=3265,b_vo9=3264,"
			"b_vo10=3265,b_vo11=3264,b_vo12=3265,b_vo13=3265,b_vo14=3265,b_vo15=3264,b_vo16=3262",
			&leaf);
	want_number(doc, "voltage_v", 52.23);
	want_number(doc, "current_a", -9.4);
	want_number(doc, "mosfet_temp_c", 23);
	want_number(doc, "cell_min_mv", 3262);
	want_number(doc, "cell_avg_mv", 3265);
	cJSON_Delete(doc);
}

static void check_friendly(const char *type, const char *name, const char *value, const char *command)
{
	struct venus_friendly f;
	bool ok = hame_friendly_command(family(type), name, value, strlen(value), &f);
	if (!ok)
		print_error("%s %s=%s: %s\n", type, name, value, f.error);
	assert_true(ok);
	assert_string_equal(f.command, command);
	struct venus_command c;
	assert_true(hame_command_parse(family(type)->commands, f.command, strlen(f.command), &c));
}

static void test_friendly_settings(void **state)
{
	(void)state;
	check_friendly("HMA-1", "discharge_depth", " 80.0\n", "cd=19,md=80");
	check_friendly("HMA-1", "charging_mode", "Charge_Then_Discharge", "cd=17,md=1");
	check_friendly("HMA-1", "surplus_feed_in", "ON", "cd=31,touchuan_disa=0");
	check_friendly("HMB-1", "output_threshold", "200", "cd=6,md=200");
	check_friendly("JPLS-8H", "working_mode", "ai", "cd=2,md=5");
	check_friendly("JPLS-8H", "depth_of_discharge", "50", "cd=56,dod=50");
	check_friendly("HMI-1", "grid_connection_ban", "off", "cd=22,p1=0");
	check_friendly("HMI-1", "max_output_power", "600", "cd=8,p1=600");
	check_friendly("HME-4", "refresh", "PRESS", "cd=1");
	struct venus_friendly f;
	assert_false(hame_friendly_command(family("HMA-1"), "discharge_depth", "80.5", 4, &f));
	assert_string_equal(f.error, "discharge_depth must be a whole number");
	assert_false(hame_friendly_command(family("JPLS-8H"), "working_mode", "trading", 7, &f));
	assert_string_equal(f.error, "working_mode must be one of automatic, manual, ai");
	assert_false(hame_friendly_command(family("HMA-1"), "backup", "on", 2, &f));
	assert_string_equal(f.error, "unknown setting backup for B2500 (second generation)");
	/* a number out of range is written; the gate refuses it */
	assert_true(hame_friendly_command(family("HMA-1"), "discharge_depth", "101", 3, &f));
	struct venus_command c;
	assert_false(hame_command_parse(family("HMA-1")->commands, f.command, strlen(f.command), &c));
	assert_string_equal(c.error, "md must be within 0..100");
	/* a value cannot smuggle in a pair */
	assert_false(hame_friendly_command(family("HMA-1"), "discharge_depth", "80,cd=11", 8, &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_name_their_family),
		cmocka_unit_test(test_every_field_table_writes_in_one_pass),
		cmocka_unit_test(test_venus_table_keys_have_underscores),
		cmocka_unit_test(test_venus_table_periods_and_key_lengths),
		cmocka_unit_test(test_venus_table_names_need_no_escaping),
		cmocka_unit_test(test_fields_check_refuses_a_path_that_needs_escaping),
		cmocka_unit_test(test_b2500_commands),
		cmocka_unit_test(test_other_families_commands),
		cmocka_unit_test(test_b2500_runtime_reply),
		cmocka_unit_test(test_b2500_totals),
		cmocka_unit_test(test_b2500_kept_json_follows_the_values),
		cmocka_unit_test(test_b2500_calibration),
		cmocka_unit_test(test_b2500_cells_and_aes_id),
		cmocka_unit_test(test_jupiter_replies),
		cmocka_unit_test(test_meter_and_inverter_replies),
		cmocka_unit_test(test_venus_bms_reply),
		cmocka_unit_test(test_friendly_settings),
	};
	return cmocka_run_group_tests_name("unit_hame_family", tests, NULL, NULL);
}
