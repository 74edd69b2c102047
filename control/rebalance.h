/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Control's rebalancer: evens out the free addresses of each pool between
 * the workers before one of them runs dry. Every REBALANCE_EVERY it reads
 * each worker's published free count per pool (lw_shm_worker.off_pool_free)
 * and, for a pool where the poorest worker has fallen below half the
 * average, tells the richest to give it half the difference (LW_CMD_MOVE).
 * A pool that just moved waits REBALANCE_SETTLE before it is looked at
 * again, so that the counts have caught up. A worker that runs dry before
 * this (a client waiting) asks a peer itself; that path never waits for
 * control.
 *
 * Threading: control's main loop only.
 */
#ifndef LW_REBALANCE_H
#define LW_REBALANCE_H

#include <stdint.h>

#include "shmif.h"

#define REBALANCE_EVERY	 100000000ull /* ns */
#define REBALANCE_SETTLE 500000000ull /* ns */
#define REBALANCE_MAX	 6144 /* addresses per move: half what the worker-to-worker ring holds */

struct rebalance {
	uint64_t next_ns;
	uint64_t *settle_until; /* per pool, ns */
	unsigned n_pools;
	uint64_t moves;	    /* LW_CMD_MOVE sent */
	uint64_t addresses; /* addresses asked to move */
	uint64_t refused;   /* command ring full */
};

/*
 * Decides one move for a pool from the workers' free counts: returns 1 and
 * sets *from, *to and *n (the richest gives the poorest half the
 * difference, at most REBALANCE_MAX), or 0 when the pool is even enough.
 */
int rebalance_decide(
	const uint32_t *free, unsigned n_workers, unsigned *from, unsigned *to, uint32_t *n);

/* Looks at every pool when due; sends the moves. */
void rebalance_tick(struct rebalance *rb, struct shmif *s, uint64_t now_ns);

void rebalance_fini(struct rebalance *rb);

#endif
