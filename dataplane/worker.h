/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Worker lcores: each polls one RX queue of every port, classifies frames,
 * steers DHCP requests to the worker that owns the client's shard, runs the
 * DHCP logic on its own clients, builds replies in place and sends them on
 * its own TX queue of the receiving port.
 *
 * Worker i talks to worker j over two single-producer/single-consumer
 * rings: mbuf pointers (steered requests) and struct wmsg records (address
 * grants, learned neighbours). It talks to the control process over the two
 * rings of its entry in the shared region (ctlif.h, common/lw_shm.h): its
 * binding events out, commands in. An ACK whose binding event is not yet
 * durable waits in the worker's hold queue (holdq.h) until control's
 * durable_seq passes it, or is dropped after control.ack_hold_ms.
 *
 * A worker answers no DHCP request until every worker has received its
 * bindings from control (LOAD_DONE) and has applied its free-address grants;
 * ARP and ICMP are answered from the start.
 *
 * Threading: lw_dp and the workers are built on the main lcore by
 * workers_create() before worker_main() runs on the worker lcores; after
 * that a worker's state is written only by its own lcore, except the fields
 * the main lcore publishes with atomic stores (quit, all_loaded, next_cfg /
 * next_tbl / cfg_gen). The main lcore reads the counters and statistics the
 * workers publish in the shared region (torn reads of a moving counter are
 * tolerated).
 */
#ifndef LW_WORKER_H
#define LW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>

#include "common/config.h"
#include "common/lw_counters.h"
#include "ctlif.h"
#include "holdq.h"
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
	int all_loaded;	 /* set by the main lcore once every worker has its LOAD_DONE */
	/* Set by the main lcore while control (the failover engine) is away for
	 * longer than max-response-delay: failover subnets are not served,
	 * whatever the last snapshot said; the peer has taken over by then. */
	int fo_ctl_down;
	struct ctlif ctl; /* the shared region with the control process */

	/* Configuration reload: the main lcore sets next_cfg and next_tbl, then
	 * cfg_gen (release); each worker adopts them at its housekeeping and
	 * acknowledges in its cfg_ack. */
	const struct lw_config *next_cfg;
	const struct srv_tables *next_tbl;
	uint64_t cfg_gen;

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
	unsigned idle_sleep_us; /* config: longest nap of an idle worker, 0 = never */
};

struct worker {
	unsigned id;
	unsigned lcore;
	struct lw_dp *dp;
	struct shard *shard;
	struct srv_ctx ctx;
	struct srv_fo fo; /* ctx.fo: the failover snapshot, copied at housekeeping */
	struct srv_optcache oc[SRV_OC_ENTRIES]; /* ctx.oc: reply options by request list */
	bool log;

	uint32_t now;	     /* Unix seconds, updated by housekeeping */
	uint64_t now_ms;     /* ms since start, idem */
	uint64_t last_hk;    /* TSC of the last housekeeping */
	unsigned idle_turns; /* loop turns in a row with nothing to do */
	unsigned nap_us;     /* the last nap; 0 = polling */

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

	/* The DHCP requests of the burst in hand that this worker answers:
	 * parsed first, their clients looked up together, then answered
	 * (worker.c, process_pending). */
	unsigned n_pend;
	struct pend_req {
		struct rte_mbuf *m;
		const struct lw_port *p;
		struct pkt_info info;
		int bucket;
	} pend[LW_BURST];
	struct dhcp4_msg pend_msg[LW_BURST];

	struct neigh neigh;

	/* The control process */
	struct lw_shm_hdr *hdr;
	struct lw_shm_worker *shm; /* counters, statistics, durable_seq */
	uint64_t *ctr;		   /* = shm->ctr, LW_CTR_* */
	uint32_t *pool_free;	   /* free count per pool, for control's rebalancer */
	struct rte_ring *ev_ring;  /* binding events to control */
	struct rte_ring *cmd_ring; /* commands from control */
	uint64_t dp_gen;	   /* this start's dp_generation */
	uint64_t ctl_gen;	   /* control's generation last seen */
	uint64_t durable;	   /* durable_seq last seen */
	uint64_t logged_seq;	   /* --log-leases: last event printed */
	bool loaded;		   /* LOAD_DONE of dp_gen received */
	bool ev_full;		   /* the event ring was full at the last push */
	bool hold_acks;		   /* control.durability is fsync */
	uint32_t ack_hold_ms;
	struct holdq hq; /* ACKs waiting for durable_seq */
	/* Grants received while loading, applied once every worker is loaded:
	 * a grant must not take an address another worker's load still claims. */
	unsigned n_grants;
	unsigned max_grants;
	struct lw_cmd_grant *grants;

	/* Published for the main lcore (atomic stores). */
	int serving;	  /* answering DHCP */
	uint64_t cfg_ack; /* last configuration generation adopted */
	uint64_t cfg_gen; /* idem, worker-local */
} __rte_cache_aligned;

/*
 * Creates the bucket table, the shared region with control (dp->ctl), the
 * address space (unowned: control grants), one shard, the rings, TX buffers
 * and hold queue per worker, for dp->n_workers workers on dp->lcores
 * (dp->cfg, tbl, ports and clock set). Returns 0, or a negative errno with
 * a message in err; workers_free() undoes a partial set-up (worker_setup.c).
 */
int workers_create(struct lw_dp *dp, char *err, size_t errlen);

/* lcore function; arg is a struct worker. Returns when dp->quit is set. */
int worker_main(void *arg);

/*
 * After the workers stopped, on the main lcore: hands the events still in
 * the shards to control and waits up to timeout_ms for control to make them
 * durable. Returns how many events are still not durable (0: all are).
 */
uint64_t workers_settle(struct lw_dp *dp, unsigned timeout_ms);

/*
 * Frees what workers_create() made, and any mbufs still in the rings and
 * queues (but not dp->ctl: ctlif_close()). Workers must have stopped.
 */
void workers_free(struct lw_dp *dp);

#endif
