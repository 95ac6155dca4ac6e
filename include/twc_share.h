/*
 * twc_share: the current-sharing rule of the TWC master (docs/twc.md), as one
 * pure function.
 *
 * Promises, for every input:
 * - the amps handed out add up to at most the pool;
 * - a slave gets 0 or a whole number of amps from min_amps to its cap;
 * - a slave that does not want current gets 0, so all of the pool goes to
 *   the cars that can use it (a slave in state 0 with a car behind it
 *   moves to a wanting state by itself);
 * - when the pool cannot give min_amps to every wanting slave, the oldest
 *   sessions (smallest order) keep theirs and the newest get 0, so a car
 *   that is charging is not cut off because another one plugged in.
 *
 * "Split fairly" is read as water filling: the wanting slaves that fit
 * share the whole pool in equal whole amps, a slave capped below the
 * equal share gives the rest to the others, and the odd amps left after
 * the division go one each to the oldest sessions. A slave whose cap is
 * below min_amps can never be given a useful limit and gets 0.
 *
 * The rule says where the limits should end up; twc_master decides the
 * order in which the slaves are told (lower before raise).
 */
#ifndef TWC_SHARE_H
#define TWC_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hardware limit of the TWC load-sharing bus. */
#define TWC_SHARE_MAX_SLAVES 3

struct twc_share_slave {
	bool wants;         /* state 1, 4-10, or drawing >= 1 A */
	int cap_amps;       /* the smaller of its own max and the wiring cap */
	uint32_t order;     /* when it began to want current: smaller = older */
};

/*
 * Writes one limit in whole amps per slave to amps_out[0..n-1].
 * A negative pool or min is taken as 0. Returns 0, or -1 (amps_out
 * untouched) for a null pointer or n above TWC_SHARE_MAX_SLAVES.
 */
int twc_share_split(int pool_amps, int min_amps, const struct twc_share_slave *slaves, size_t n,
		    int *amps_out);

#endif
