/*
 * pms_internal: one pack sample as both request forms read it (pms.c for
 * JSON, pms_csv.c for CSV), and the one writer of its message. Not part of
 * the module's promise (that is include/pms.h).
 */
#ifndef PMS_INTERNAL_H
#define PMS_INTERNAL_H

#include <stdbool.h>

#include "pms.h"
#include "telemetry_internal.h"

struct pms_sample {
	const char *pms_id;
	const char *pack_id;
	struct telemetry_time time;
	int dock;
	double amps;
	double temp[PMS_PACK_TEMPS];	/* top, middle, bottom */
	double cells[PMS_CELLS];
	unsigned cell_open;		/* bit i: cell i+1 is bypassed for balancing */
	double fet_temp[PMS_FETS];	/* FET 1 (input), FET 2 (output) */
	unsigned fet_open;		/* bit k: FET k+1 is open */
	int status;			/* the 16-bit code, -1: none applies */
	bool has_temp;			/* the dataset's (or row's) EHub temperature */
	double status_temp;
};

/*
 * Computes the pack's fields and writes its message; refuses, at the
 * sample's path, a computed value that is not finite.
 */
bool pms_write_sample(struct tw *w, const struct pms_sample *s);

#endif
