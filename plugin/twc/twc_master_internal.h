/*
 * What the two halves of twc_master share (twc_master.c receives,
 * twc_master_tx.c sends). Not part of the module's interface.
 */
#ifndef TWC_MASTER_INTERNAL_H
#define TWC_MASTER_INTERNAL_H

#include "twc_master.h"

uint16_t twc_get16(const uint8_t *b, size_t off);
struct twc_slave *twc_slave_by_id(struct twc_master *m, uint16_t id);
/* Reply timeouts and slaves gone silent, as of now_ms. */
void twc_advance(struct twc_master *m, int64_t now_ms);
void twc_update_targets(struct twc_master *m);
void twc_update_pool_in_force(struct twc_master *m);

#endif
