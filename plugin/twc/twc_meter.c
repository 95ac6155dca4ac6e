#include "twc_meter.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int plain_number(const char *p, size_t len, double *out)
{
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	size_t i = 0, digits = 0, fraction = 0;
	if (i < len && p[i] == '-')
		i++;
	while (i < len && p[i] >= '0' && p[i] <= '9' && digits <= 9)
		i++, digits++;
	if (i < len && p[i] == '.') {
		i++;
		while (i < len && p[i] >= '0' && p[i] <= '9' && fraction <= 6)
			i++, fraction++;
		if (fraction == 0)
			return -1;
	}
	if (digits == 0 || digits > 9 || fraction > 6 || i != len)
		return -1;
	char text[24];
	memcpy(text, p, len);
	text[len] = '\0';
	*out = strtod(text, NULL);
	return 0;
}

/* The node at the dotted path, or NULL; *where gets the part that failed. */
static const cJSON *walk(const cJSON *node, const char *field, char *where, size_t wheresz)
{
	const char *p = field;
	while (node && *p) {
		size_t n = strcspn(p, ".");
		char key[65];
		if (n == 0 || n >= sizeof(key)) {
			snprintf(where, wheresz, "an empty or overlong part");
			return NULL;
		}
		memcpy(key, p, n);
		key[n] = '\0';
		if (cJSON_IsArray(node) && strspn(key, "0123456789") == n && n <= 4)
			node = cJSON_GetArrayItem(node, atoi(key));
		else if (cJSON_IsObject(node))
			node = cJSON_GetObjectItemCaseSensitive(node, key);
		else
			node = NULL;
		if (!node)
			snprintf(where, wheresz, "no '%s'", key);
		p += n + (p[n] == '.');
	}
	return node;
}

int twc_meter_parse(const void *payload, size_t len, const char *field, bool import_positive, long *watts, char *err,
		    size_t errsz)
{
	double w;
	if (field == NULL || field[0] == '\0') {
		if (plain_number(payload, len, &w) != 0) {
			snprintf(err, errsz, "expected a number of watts such as -1840 or 512.5");
			return -1;
		}
	} else {
		if (len > TWC_METER_PAYLOAD_MAX) {
			snprintf(err, errsz, "a JSON payload of %zu bytes, more than %d", len, TWC_METER_PAYLOAD_MAX);
			return -1;
		}
		cJSON *root = cJSON_ParseWithLength(payload, len);
		if (!root) {
			snprintf(err, errsz, "expected JSON with a number at %s", field);
			return -1;
		}
		char where[96] = "";
		const cJSON *node = walk(root, field, where, sizeof(where));
		bool number = node && cJSON_IsNumber(node);
		w = number ? node->valuedouble : 0;
		cJSON_Delete(root);
		if (!number) {
			snprintf(err, errsz, "expected a number at %s (%s)", field, node ? "not a number" : where);
			return -1;
		}
	}
	if (!isfinite(w) || fabs(w) > (double)TWC_METER_WATTS_MAX) {
		snprintf(err, errsz, "%g W is not a house's grid power", w);
		return -1;
	}
	long rounded = lround(w);
	*watts = import_positive ? rounded : -rounded;
	return 0;
}
