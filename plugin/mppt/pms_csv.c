/*
 * The pms request as CSV (pms.h, docs/sundaya.md): a header of column
 * names, then one pack sample per row, validated whole and translated to
 * exactly the messages its JSON equivalent gives (pms_write_sample).
 *
 * The reader is strict where a spreadsheet's output is unambiguous and
 * refuses the rest: a quote opens a field or is doubled inside one, an
 * unterminated quote or a stray one is an error, every row has the header's
 * field count, and the 42 columns are matched by name (generation B, or
 * generation A's names for the three dataset columns), in any order.
 */
#include "pms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pms_internal.h"

enum column_kind {
	COL_PMS_ID,
	COL_STATUS_CODE,
	COL_STATUS_TEMP,
	COL_TIME,
	COL_PACK_ID,
	COL_DOCK,
	COL_AMPS,
	COL_PACK_TEMP,
	COL_CELL_VOLTS,
	COL_CELL_OPEN,
	COL_FET_OPEN,
	COL_FET_TEMP,
};

/* The logical columns in the order a row is validated; optional ones may be missing from the header. */
static const struct column {
	const char *name;	/* generation B */
	const char *name_a;	/* generation A, or NULL */
	enum column_kind kind;
	int index;		/* which temperature, cell or FET */
} columns[] = {
	{"pms_id", "pms.id", COL_PMS_ID, 0},
	{"status.code", "status", COL_STATUS_CODE, 0},
	{"status.temp", "pms.temp", COL_STATUS_TEMP, 0},
	{"time_local", NULL, COL_TIME, 0},
	{"pack.id", NULL, COL_PACK_ID, 0},
	{"pack.dock", NULL, COL_DOCK, 0},
	{"pack.amps", NULL, COL_AMPS, 0},
	{"pack.temp.1", NULL, COL_PACK_TEMP, 0},
	{"pack.temp.2", NULL, COL_PACK_TEMP, 1},
	{"pack.temp.3", NULL, COL_PACK_TEMP, 2},
	{"cell.volts.1", NULL, COL_CELL_VOLTS, 0},
	{"cell.volts.2", NULL, COL_CELL_VOLTS, 1},
	{"cell.volts.3", NULL, COL_CELL_VOLTS, 2},
	{"cell.volts.4", NULL, COL_CELL_VOLTS, 3},
	{"cell.volts.5", NULL, COL_CELL_VOLTS, 4},
	{"cell.volts.6", NULL, COL_CELL_VOLTS, 5},
	{"cell.volts.7", NULL, COL_CELL_VOLTS, 6},
	{"cell.volts.8", NULL, COL_CELL_VOLTS, 7},
	{"cell.volts.9", NULL, COL_CELL_VOLTS, 8},
	{"cell.volts.10", NULL, COL_CELL_VOLTS, 9},
	{"cell.volts.11", NULL, COL_CELL_VOLTS, 10},
	{"cell.volts.12", NULL, COL_CELL_VOLTS, 11},
	{"cell.volts.13", NULL, COL_CELL_VOLTS, 12},
	{"cell.volts.14", NULL, COL_CELL_VOLTS, 13},
	{"cell.open.1", NULL, COL_CELL_OPEN, 0},
	{"cell.open.2", NULL, COL_CELL_OPEN, 1},
	{"cell.open.3", NULL, COL_CELL_OPEN, 2},
	{"cell.open.4", NULL, COL_CELL_OPEN, 3},
	{"cell.open.5", NULL, COL_CELL_OPEN, 4},
	{"cell.open.6", NULL, COL_CELL_OPEN, 5},
	{"cell.open.7", NULL, COL_CELL_OPEN, 6},
	{"cell.open.8", NULL, COL_CELL_OPEN, 7},
	{"cell.open.9", NULL, COL_CELL_OPEN, 8},
	{"cell.open.10", NULL, COL_CELL_OPEN, 9},
	{"cell.open.11", NULL, COL_CELL_OPEN, 10},
	{"cell.open.12", NULL, COL_CELL_OPEN, 11},
	{"cell.open.13", NULL, COL_CELL_OPEN, 12},
	{"cell.open.14", NULL, COL_CELL_OPEN, 13},
	{"fet.open.1", NULL, COL_FET_OPEN, 0},
	{"fet.open.2", NULL, COL_FET_OPEN, 1},
	{"fet.temp.1", NULL, COL_FET_TEMP, 0},
	{"fet.temp.2", NULL, COL_FET_TEMP, 1},
};

#define COLUMN_COUNT (sizeof(columns) / sizeof(columns[0]))
#define NUMBER_TEXT_MAX 128	/* a longer number field is refused */
#define TIME_TEXT_MAX 64

static bool optional_column(enum column_kind kind)
{
	return kind == COL_STATUS_CODE || kind == COL_STATUS_TEMP;
}

struct field {
	const char *s;
	size_t n;
};

/* The reader: where it is in the payload, and the scratch that unquoted fields are copied to. */
struct reader {
	const char *p;
	size_t len, pos;
	char *scratch;
	size_t used;
	size_t fields;		/* in the record just read */
	struct field *field;	/* room for max fields */
	size_t max;
	const char *why;	/* a malformed record: what is wrong */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct field trim(const char *s, size_t n)
{
	while (n && blank(*s))
		s++, n--;
	while (n && blank(s[n - 1]))
		n--;
	return (struct field){s, n};
}

/* Whether the record ends at pos: end of payload, LF or CRLF (consumed). */
static bool end_of_record(struct reader *r)
{
	if (r->pos == r->len)
		return true;
	if (r->p[r->pos] == '\n') {
		r->pos++;
		return true;
	}
	if (r->p[r->pos] == '\r' && r->pos + 1 < r->len && r->p[r->pos + 1] == '\n') {
		r->pos += 2;
		return true;
	}
	return false;
}

/* Skips lines that are empty or hold only spaces and tabs; false at the end of the payload. */
static bool skip_blank_lines(struct reader *r)
{
	for (;;) {
		size_t at = r->pos;
		while (r->pos < r->len && blank(r->p[r->pos]))
			r->pos++;
		if (r->pos == r->len)
			return false;
		if (!end_of_record(r)) {
			r->pos = at;
			return true;
		}
	}
}

static void keep(struct reader *r, struct field f)
{
	if (r->fields < r->max)
		r->field[r->fields] = f;
	r->fields++;
}

/* "…" with "" for a quote, copied to the scratch; pos is just after the opening quote. */
static bool quoted_field(struct reader *r)
{
	char *out = r->scratch + r->used;
	size_t n = 0;
	for (;;) {
		if (r->pos == r->len) {
			r->why = "unterminated quote";
			return false;
		}
		char c = r->p[r->pos++];
		if (c == '"') {
			if (r->pos < r->len && r->p[r->pos] == '"')
				r->pos++;
			else
				break;
		}
		out[n++] = c;
	}
	while (r->pos < r->len && blank(r->p[r->pos]))
		r->pos++;
	if (r->pos < r->len && r->p[r->pos] != ',' && r->p[r->pos] != '\n' &&
	    !(r->p[r->pos] == '\r' && r->pos + 1 < r->len && r->p[r->pos + 1] == '\n')) {
		r->why = "a closing quote must be followed by ',' or the end of the record";
		return false;
	}
	out[n] = '\0';
	r->used += n + 1;
	keep(r, trim(out, n));
	return true;
}

/* Reads one record's fields; false with r->why when it is malformed. */
static bool read_record(struct reader *r)
{
	r->fields = 0;
	for (;;) {
		while (r->pos < r->len && blank(r->p[r->pos]))
			r->pos++;
		if (r->pos < r->len && r->p[r->pos] == '"') {
			r->pos++;
			if (!quoted_field(r))
				return false;
		} else {
			size_t start = r->pos;
			while (r->pos < r->len && r->p[r->pos] != ',' && r->p[r->pos] != '\n') {
				if (r->p[r->pos] == '"') {
					r->why = "a quote inside an unquoted field";
					return false;
				}
				r->pos++;
			}
			size_t end = r->pos;
			if (end > start && end < r->len && r->p[end - 1] == '\r')
				end--; /* CRLF */
			keep(r, trim(r->p + start, end - start));
		}
		if (r->pos < r->len && r->p[r->pos] == ',') {
			r->pos++;
			continue;
		}
		end_of_record(r);
		return true;
	}
}

/* Where each logical column is in the header: first position, and the others of the same name. */
struct layout {
	int first[COLUMN_COUNT];		/* -1: not in the header */
	int next[PMS_CSV_COLUMNS_MAX];		/* the next position with the same name, -1: none */
	char *names[PMS_CSV_COLUMNS_MAX];	/* as written, NUL-terminated (error paths) */
	size_t count;
};

static bool same(struct field a, const char *name)
{
	return name && a.n == strlen(name) && memcmp(a.s, name, a.n) == 0;
}

static bool read_header(struct tw *w, struct reader *r, struct layout *l)
{
	int mark = tw_push_key(w, "header");
	if (!skip_blank_lines(r))
		return tw_fail(w, "payload has no CSV header");
	if (!read_record(r))
		return tw_fail(w, "%s", r->why);
	if (r->fields > PMS_CSV_COLUMNS_MAX)
		return tw_fail(w, "has %zu columns, more than %d", r->fields, PMS_CSV_COLUMNS_MAX);
	l->count = r->fields;
	bool under_a[COLUMN_COUNT] = {false};
	for (size_t c = 0; c < COLUMN_COUNT; c++)
		l->first[c] = -1;
	for (size_t i = 0; i < l->count; i++) {
		struct field f = r->field[i];
		/* Names stay for the error paths: copied after the fields, NUL-terminated. */
		l->names[i] = r->scratch + r->used;
		memcpy(l->names[i], f.s, f.n);
		l->names[i][f.n] = '\0';
		r->used += f.n + 1;
		l->next[i] = -1;
		size_t c = 0;
		bool a = false;
		while (c < COLUMN_COUNT && !same(f, columns[c].name) && !(a = same(f, columns[c].name_a)))
			c++;
		if (c == COLUMN_COUNT)
			return tw_fail(w, "unknown column '%s'", l->names[i]);
		if (l->first[c] < 0) {
			l->first[c] = (int)i;
			under_a[c] = a;
			continue;
		}
		if (under_a[c] != a)
			return tw_fail(w, "has both columns '%s' and '%s'", columns[c].name, columns[c].name_a);
		int at = l->first[c];
		while (l->next[at] >= 0)
			at = l->next[at];
		l->next[at] = (int)i;
	}
	for (size_t c = 0; c < COLUMN_COUNT; c++)
		if (l->first[c] < 0 && !optional_column(columns[c].kind))
			return tw_fail(w, "missing column '%s'", columns[c].name);
	tw_pop(w, mark);
	return true;
}

/* [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?, read as the nearest double. */
static bool read_number(struct tw *w, struct field f, bool non_negative, double *out)
{
	size_t i = 0, digits = 0;
	const char *s = f.s;
	if (i < f.n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < f.n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < f.n && s[i] == '.') {
		size_t fraction = 0;
		for (i++; i < f.n && s[i] >= '0' && s[i] <= '9'; i++)
			fraction++;
		digits = fraction ? digits + fraction : 0; /* "3." is not a number */
	}
	if (digits && i < f.n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exponent = 0;
		i++;
		if (i < f.n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < f.n && s[i] >= '0' && s[i] <= '9'; i++)
			exponent++;
		digits = exponent ? digits : 0;
	}
	if (!digits || i != f.n)
		return tw_fail(w, "must be a number");
	if (f.n >= NUMBER_TEXT_MAX)
		return tw_fail(w, "must be a number of at most %d characters", NUMBER_TEXT_MAX - 1);
	char text[NUMBER_TEXT_MAX];
	memcpy(text, s, f.n);
	text[f.n] = '\0';
	double v = strtod(text, NULL);
	if (!isfinite(v))
		return tw_fail(w, "must be a finite number");
	if (non_negative && v < 0)
		return tw_fail(w, "must not be negative");
	*out = v;
	return true;
}

static bool read_id(struct tw *w, struct field f, char *out)
{
	if (!tw_check_id(w, f.s, f.n))
		return false;
	memcpy(out, f.s, f.n);
	out[f.n] = '\0';
	return true;
}

/* A row's ids, kept for its message: the sample points at these. */
struct row_ids {
	char pms[TELEMETRY_ID_MAX + 1];
	char pack[TELEMETRY_ID_MAX + 1];
};

static bool read_field(struct tw *w, const struct column *c, struct field f, struct pms_sample *s,
		       struct row_ids *ids)
{
	double v;
	switch (c->kind) {
	case COL_PMS_ID:
		return read_id(w, f, ids->pms);
	case COL_PACK_ID:
		return read_id(w, f, ids->pack);
	case COL_STATUS_CODE:
		return f.n == 0 || tw_status_text(w, f.s, f.n, &s->status);
	case COL_STATUS_TEMP:
		s->has_temp = f.n > 0;
		return f.n == 0 || read_number(w, f, false, &s->status_temp);
	case COL_TIME: {
		char text[TIME_TEXT_MAX];
		if (f.n >= sizeof(text))
			return tw_fail(w, "must be at most %zu bytes long", sizeof(text) - 1);
		memcpy(text, f.s, f.n);
		text[f.n] = '\0';
		const char *why = telemetry_time_parse(text, &s->time);
		return why ? tw_fail(w, "%s", why) : true;
	}
	case COL_DOCK:
		if (!read_number(w, f, false, &v))
			return false;
		if (v != floor(v) || v < 1 || v > PMS_DOCK_MAX)
			return tw_fail(w, "must be an integer from 1 to %d", PMS_DOCK_MAX);
		s->dock = (int)v;
		return true;
	case COL_AMPS:
		return read_number(w, f, false, &s->amps);
	case COL_PACK_TEMP:
		return read_number(w, f, false, &s->temp[c->index]);
	case COL_CELL_VOLTS:
		return read_number(w, f, true, &s->cells[c->index]);
	case COL_FET_TEMP:
		return read_number(w, f, false, &s->fet_temp[c->index]);
	case COL_CELL_OPEN:
	case COL_FET_OPEN: {
		if (f.n > 1 || (f.n == 1 && f.s[0] != '0' && f.s[0] != '1'))
			return tw_fail(w, "must be empty, 0 or 1");
		unsigned *mask = c->kind == COL_CELL_OPEN ? &s->cell_open : &s->fet_open;
		if (f.n == 1 && f.s[0] == '1')
			*mask |= 1u << c->index;
		return true;
	}
	}
	return tw_fail(w, "unknown column"); /* not reached: every kind is handled */
}

static bool translate_row(struct tw *w, const struct reader *r, const struct layout *l, struct row_ids *ids)
{
	struct pms_sample s = {.status = -1, .pms_id = ids->pms, .pack_id = ids->pack};
	for (size_t c = 0; c < COLUMN_COUNT; c++) {
		int at = l->first[c];
		if (at < 0)
			continue; /* an optional column not given: empty */
		int mark = tw_push_key(w, l->names[at]);
		struct field f = r->field[at];
		for (int other = l->next[at]; other >= 0; other = l->next[other])
			if (r->field[other].n != f.n || memcmp(r->field[other].s, f.s, f.n) != 0)
				return tw_fail(w, "differs from the other column of the same name");
		if (!read_field(w, &columns[c], f, &s, ids))
			return false;
		tw_pop(w, mark);
	}
	return pms_write_sample(w, &s);
}

static bool translate_csv(struct tw *w, const char *payload, size_t len, struct layout *l)
{
	struct telemetry_batch *b = w->b;
	/* The scratch holds the header's names and one row's quoted fields: at most twice the payload. */
	size_t need = 2 * len + 2;
	if (need > b->scratch_cap) {
		char *s = realloc(b->scratch, need);
		if (!s)
			return tw_fail(w, "out of memory");
		b->scratch = s;
		b->scratch_cap = need;
	}
	struct field fields[PMS_CSV_COLUMNS_MAX];
	struct reader r = {.p = payload, .len = len, .scratch = b->scratch, .field = fields, .max = PMS_CSV_COLUMNS_MAX};
	if (len >= 3 && memcmp(payload, "\xEF\xBB\xBF", 3) == 0)
		r.pos = 3; /* a byte order mark */
	if (!read_header(w, &r, l))
		return false;
	size_t header_used = r.used;
	struct row_ids ids, previous = {{0}, {0}};
	int mark = tw_push_key(w, "rows");
	for (size_t row = 0; skip_blank_lines(&r); row++) {
		if (row == w->max_items)
			return tw_fail(w, "request holds more than %zu rows", w->max_items);
		r.used = header_used;
		tw_push_index(w, row);
		if (!read_record(&r))
			return tw_fail(w, "%s", r.why);
		if (r.fields != l->count)
			return tw_fail(w, "has %zu fields, the header has %zu", r.fields, l->count);
		if (!translate_row(w, &r, l, &ids))
			return false;
		if (row == 0 || strcmp(ids.pms, previous.pms) != 0)
			b->datasets++; /* a run of rows of one PMS counts as one dataset */
		previous = ids;
		tw_pop(w, mark + 1);
	}
	tw_pop(w, mark);
	return true;
}

bool pms_translate_csv(struct telemetry_batch *b, const char *payload, size_t len, const char *sender,
		       struct timespec now, const struct telemetry_limits *limits)
{
	struct tw w;
	tw_begin(&w, b, sender, now, limits);
	struct layout *layout = malloc(sizeof(*layout)); /* 4 kB: not on the broker's stack */
	bool ok = layout ? tw_check_text(&w, payload, len, limits->max_payload) && translate_csv(&w, payload, len, layout)
			 : tw_fail(&w, "out of memory");
	free(layout);
	return tw_end(&w, ok);
}
