/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Worker lcores: each polls one RX queue of every port, classifies frames,
 * steers DHCP requests to the worker that owns the client's shard, runs the
 * DHCP logic on its own clients, builds replies in place and sends them on
 * its own TX queue of the receiving port.
 *
 * Worker i talks to worker j over two single-producer/single-consumer
 * rings: mbuf pointers (steered requests) and struct wmsg records (address
 * grants, learned neighbours).
 *
 * Threading: lw_dp and the workers are built on the main lcore by
 * workers_create() before worker_main() runs on the worker lcores; after
 * that a worker's state is written only by its own lcore, except dp->quit.
 * The main lcore reads the counters and the published shard statistics
 * (torn reads of a moving counter are tolerated).
 */
#ifndef LW_WORKER_H
#define LW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>

#include "common/config.h"
#include "common/lw_counters.h"
#include "neigh.h"
#include "port.h"
#include "server.h"
#include "shard.h"

#define LW_BURST 32

struct rte_ring;
struct rte_mbuf;
struct rte_eth_dev_tx_buffer;
struct worker;

/* The dataplane: what every worker shares, read-only once they run. */
struct lw_dp {
	const struct lw_config *cfg;
	struct srv_tables *tbl;
	struct addr_space *as;
	bool log_leases; /* --log-leases */
	int quit;	 /* set by the main lcore (atomic store), polled by the workers */

	unsigned n_ports;
	struct lw_port ports[LW_MAX_PORTS];
	uint8_t port_idx[RTE_MAX_ETHPORTS]; /* ethdev port id -> index in ports[] */

	unsigned n_workers;
	unsigned lcores[LW_MAX_WORKERS];
	struct worker *workers[LW_MAX_WORKERS];
	uint8_t owner[256]; /* RFC 3074 hash bucket -> worker */

	/* Wall clock from the TSC: now = base_time + (rdtsc - base_tsc) / tsc_hz. */
	uint64_t tsc_hz;
	uint64_t base_tsc;
	uint64_t ms_cycles;
	uint32_t base_time;
};

struct worker {
	unsigned id;
	unsigned lcore;
	struct lw_dp *dp;
	struct shard *shard;
	struct srv_ctx ctx;
	bool log;

	uint32_t now;	  /* Unix seconds, updated by housekeeping */
	uint64_t now_ms;  /* ms since start, idem */
	uint64_t last_hk; /* TSC of the last housekeeping */

	struct rte_ring *steer_in[LW_MAX_WORKERS];  /* [j]: mbufs from worker j */
	struct rte_ring *steer_out[LW_MAX_WORKERS]; /* [j]: mbufs to worker j */
	struct rte_ring *msg_in[LW_MAX_WORKERS];
	struct rte_ring *msg_out[LW_MAX_WORKERS];
	struct rte_eth_dev_tx_buffer *txb[LW_MAX_PORTS];

	uint64_t steer_mask; /* owners with requests in steer_buf */
	uint16_t steer_n[LW_MAX_WORKERS];
	struct rte_mbuf *steer_buf[LW_MAX_WORKERS][LW_BURST];
	unsigned n_dead;
	struct rte_mbuf *dead[2 * LW_BURST]; /* freed in bulk */

	struct neigh neigh;

	/* published by the worker for the main lcore */
	struct shard_stats st __rte_cache_aligned;
	uint64_t heartbeat; /* +1 per housekeeping: a stuck loop stops it */
	uint64_t ctr[LW_CTR_MAX] __rte_cache_aligned;
} __rte_cache_aligned;

/*
 * Creates the address space, one shard, the rings and TX buffers per
 * worker, and the bucket table, for dp->n_workers workers on dp->lcores
 * (dp->cfg, tbl, ports and clock set). Returns 0, or a negative errno with
 * a message in err; workers_free() undoes a partial set-up.
 */
int workers_create(struct lw_dp *dp, char *err, size_t errlen);

/* lcore function; arg is a struct worker. Returns when dp->quit is set. */
int worker_main(void *arg);

/* Frees what workers_create() made, and any mbufs still in the rings. Workers must have stopped. */
void workers_free(struct lw_dp *dp);

#endif
