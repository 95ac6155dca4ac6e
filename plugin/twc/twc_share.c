#include "twc_share.h"

/* Oldest first; equal orders keep their index order so the result is stable. */
static void sort_by_order(const struct twc_share_slave *slaves, size_t *idx, size_t k)
{
	for (size_t i = 1; i < k; i++) {
		size_t cur = idx[i];
		size_t j = i;
		while (j > 0 && slaves[idx[j - 1]].order > slaves[cur].order) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = cur;
	}
}

int twc_share_split(int pool_amps, int min_amps, const struct twc_share_slave *slaves, size_t n,
		    int *amps_out)
{
	if ((n > 0 && (slaves == NULL || amps_out == NULL)) || n > TWC_SHARE_MAX_SLAVES)
		return -1;
	if (pool_amps < 0)
		pool_amps = 0;
	if (min_amps < 0)
		min_amps = 0;

	size_t idx[TWC_SHARE_MAX_SLAVES];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		amps_out[i] = 0;
		if (slaves[i].wants && slaves[i].cap_amps > 0 && slaves[i].cap_amps >= min_amps)
			idx[k++] = i;
	}
	sort_by_order(slaves, idx, k);

	/* As many as fit at min_amps each, oldest first; the newest get 0. */
	while (k > 0 && (long)k * min_amps > pool_amps)
		k--;

	/*
	 * Water filling: whoever is capped below the equal share takes its
	 * cap and leaves the rest to the others; repeat until nobody is.
	 */
	bool done[TWC_SHARE_MAX_SLAVES] = { false };
	size_t active = k;
	int remaining = pool_amps;
	while (active > 0) {
		int share = remaining / (int)active;
		bool capped_any = false;
		for (size_t j = 0; j < k; j++) {
			size_t i = idx[j];
			if (!done[j] && slaves[i].cap_amps <= share) {
				amps_out[i] = slaves[i].cap_amps;
				remaining -= slaves[i].cap_amps;
				done[j] = true;
				active--;
				capped_any = true;
			}
		}
		if (capped_any)
			continue;
		int odd = remaining - share * (int)active;
		for (size_t j = 0; j < k; j++) {
			if (done[j])
				continue;
			/* Every cap here is above share, so share + 1 still fits. */
			amps_out[idx[j]] = share + (odd > 0 ? 1 : 0);
			if (odd > 0)
				odd--;
		}
		break;
	}
	return 0;
}
