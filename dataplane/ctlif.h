/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The dataplane's side of the shared region with leasewire-control
 * (common/lw_shm.h is the protocol): the dataplane creates a fresh region at
 * each start, lays out the header, one struct lw_shm_worker per worker,
 * each worker's two rings and its free count per pool (pool_free), and
 * marks it stopped when it exits cleanly. The
 * file stays in /dev/shm after exit, so a control process still attached
 * can drain it; the next start replaces it.
 *
 * No EAL needed: the rings are initialised with rte_ring_init() in the
 * mapping, which is how the unit tests use it.
 *
 * Threading: ctlif_create() and ctlif_close() run on the main lcore before
 * the workers start and after they stopped. In between the workers use
 * their own entry and rings, and the main lcore the header (lw_shm.h says
 * who writes which field).
 */
#ifndef LW_CTLIF_H
#define LW_CTLIF_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/lw_shm.h"

struct rte_ring;

struct ctlif {
	struct lw_shm_hdr *hdr; /* NULL when not created */
	size_t size;
	unsigned n_workers;
	char name[LW_NAME_LEN + 2];  /* "/leasewire" */
	char path[LW_NAME_LEN + 16]; /* "/dev/shm/leasewire", for messages */
};

/*
 * Creates the region "/<cfg->control.shm>" for n_workers workers (an
 * existing one of that name is removed first), fills the header (state
 * LW_DP_STARTING, a new dp_generation, owner[] from owner, durability,
 * ack_hold_ms and n_pools from cfg), initialises the rings and reserves
 * each worker's pool_free array (all zero). Returns 0, or a negative
 * errno with a message naming the region and the fix in err.
 */
int ctlif_create(struct ctlif *c, const struct lw_config *cfg, unsigned n_workers,
	const uint8_t owner[256], char *err, size_t errlen);

static inline struct lw_shm_worker *ctlif_worker(const struct ctlif *c, unsigned i)
{
	return lw_shm_worker_at(c->hdr, i);
}

/* Worker i's event ring (worker -> control) and command ring (control -> worker). */
struct rte_ring *ctlif_ev_ring(const struct ctlif *c, unsigned i);
struct rte_ring *ctlif_cmd_ring(const struct ctlif *c, unsigned i);

/* Worker i's free count per pool: uint32_t[hdr->n_pools], written by worker i only. */
static inline uint32_t *ctlif_pool_free(const struct ctlif *c, unsigned i)
{
	return (uint32_t *)((uint8_t *)c->hdr + ctlif_worker(c, i)->off_pool_free);
}

/* Publishes the dataplane's state (enum lw_dp_state). */
void ctlif_set_state(struct ctlif *c, enum lw_dp_state st);

/* Marks the region LW_DP_STOPPED and unmaps it; the file stays. Safe when not created. */
void ctlif_close(struct ctlif *c);

#endif
