/* SPDX-License-Identifier: MPL-2.0 */
/*
 * A worker's side of the boundary with the control process (wctl.c): its
 * binding events out, control's commands in, durable_seq and the worker's
 * state published in its entry of the shared region. Internal to the
 * worker (worker.c, worker_setup.c).
 *
 * Threading: the worker's own lcore, except workers_settle() (worker.h),
 * which runs on the main lcore after the workers stopped.
 */
#ifndef LW_WCTL_H
#define LW_WCTL_H

#include <stdint.h>

#include "worker.h"

/*
 * Free counts published per housekeeping (about every millisecond): with
 * LW_MAX_POOLS (8192) pools each count is at most 32 ms old, well inside
 * control's 100 ms rebalancing period; with 256 pools or fewer, 1 ms. They
 * are read from the shard's own pool states and only changed counts are
 * written: ~2,000 cycles per housekeeping with 8192 pools (~500 with 100),
 * unchanged counts, warm cache.
 */
#define WCTL_PUB_POOLS 256

/*
 * Puts the events not yet handed over on the event ring, as many as fit: a
 * full ring is counted and tried again on the next call, never waited for.
 */
void wctl_events_out(struct worker *w);

/* Reads durable_seq (acquire), lets the shard drop what it covers; returns it. */
uint64_t wctl_durable(struct worker *w);

/*
 * Takes up to bursts x 32 commands from control and applies them; returns
 * how many it took. A command
 * that is malformed or does not apply counts LW_CTR_CMD_REJECTED; a MOVE or
 * a YIELD before this worker serves is one (no address moves before that),
 * and so is a YIELD before the first failover snapshot (no role known). A
 * LOAD once serving applies only to failover pools: the peer's bindings
 * (FAILOVER.md 4.4) reach the owning shard that way.
 */
unsigned wctl_commands(struct worker *w, unsigned bursts);

/*
 * Copies control's failover snapshot (lw_shm_hdr.fo) into w->fo when its
 * sequence changed: under the sequence lock, retried a few times while it is
 * odd (being written) or moves under the copy, else left for the next
 * housekeeping. Called by wctl_housekeep().
 */
void wctl_failover(struct worker *w);

/*
 * Housekeeping: notices a restarted control process (events not durable
 * are handed over again), takes a new failover snapshot, starts serving
 * once every worker is loaded, and publishes the worker's sequence
 * numbers, statistics, heartbeat and the free counts of the next
 * WCTL_PUB_POOLS pools.
 */
void wctl_housekeep(struct worker *w);

/* One --log-leases line. */
void worker_log_lease(const char *prefix, const char *what, uint32_t addr,
	const struct lw_client_key *k, unsigned worker);

#endif
