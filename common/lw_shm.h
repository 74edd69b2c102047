/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The shared-memory region between leasewire-dataplane and leasewire-control:
 * the one header both processes compile against for that boundary.
 *
 * Ownership. The dataplane creates the region at each start (shm_unlink,
 * then shm_open O_CREAT|O_EXCL of "/<control.shm>", ftruncate, mmap), fills
 * the header and initialises the rings with rte_ring_init() in it. A fresh
 * region per dataplane start means a dead dataplane never leaves half-moved
 * ring indexes behind for its successor: the control process still holds
 * the old mapping, drains what the dead dataplane left in its event rings,
 * then attaches to the new region (it sees a new inode and dp_generation).
 * The control process only maps the region (no EAL, no DPDK multi-process):
 * ring operations are the inline rte_ring_*_elem() functions on memory both
 * have mapped.
 *
 * Layout: struct lw_shm_hdr at offset 0, then n_workers struct lw_shm_worker
 * at off_workers, then per worker two rings at the offsets the worker entry
 * gives. Every record on a ring is 64 bytes: struct lw_bind_event
 * (lw_records.h) from a worker to control, union lw_cmd from control to a
 * worker. No pointers anywhere: offsets from the start of the region.
 *
 * Writers. Fields are grouped by writer on separate cache lines; a field is
 * written by one side only (as marked) and read with atomic loads by the
 * other. Each ring has exactly one producer and one consumer.
 *
 * Versions. A process refuses to attach when magic, LW_SHM_VERSION or
 * LW_RECORDS_VERSION differ, and says which side is older.
 *
 * Restart of control. It replays its journal, maps the region and bumps
 * ctl_generation. Workers see the new generation and send again every event
 * above durable_seq (control drops duplicates by sequence). Control resets
 * the consumer indexes of event rings and the producer indexes of command
 * rings it owns (a killed process may have moved a head and not its tail).
 *
 * Restart of the dataplane. A new region; state LW_DP_LOADING; control
 * streams every binding to its owning worker (LW_CMD_LOAD), then the free
 * address grants (LW_CMD_GRANT), then LW_CMD_LOAD_DONE per worker. A worker
 * answers no DHCP request before its LOAD_DONE of the current generation; the
 * dataplane moves to LW_DP_SERVING when all workers are loaded.
 *
 * Rebalancing. Each worker publishes its free count per pool (pool_free);
 * control evens them out by sending LW_CMD_MOVE to a rich worker, which
 * hands addresses to the poor one over the worker-to-worker ring. A worker
 * that runs dry before control acts (a client is waiting) still asks the
 * richest worker directly: that path must not wait for control.
 */
#ifndef LW_SHM_H
#define LW_SHM_H

#include <stdint.h>

#include "lw_counters.h"
#include "lw_records.h"

#define LW_SHM_MAGIC   0x4c57534du /* "LWSM" */
#define LW_SHM_VERSION 3
#define LW_SHM_ALIGN   64

/* Ring sizes (elements, powers of two; usable capacity is one less). */
#define LW_SHM_EV_RING	16384 /* worker -> control: struct lw_bind_event */
#define LW_SHM_CMD_RING 4096  /* control -> worker: union lw_cmd */

#define LW_SHM_MAX_WORKERS 64

enum lw_dp_state {
	LW_DP_STARTING = 0, /* header being filled in */
	LW_DP_LOADING = 1,  /* waiting for control to stream the bindings */
	LW_DP_SERVING = 2,  /* every worker loaded, answering */
	LW_DP_STOPPED = 3,  /* the dataplane exited cleanly */
};

enum lw_ctl_state {
	LW_CTL_DETACHED = 0,
	LW_CTL_STREAMING = 1, /* loading the shards of dp_generation */
	LW_CTL_ATTACHED = 2,  /* journaling */
};

/*
 * The failover snapshot (ARCHITECTURE.md "Failover inside this shape"):
 * everything the workers need from the failover engine in control, written
 * as a whole under a sequence lock (seq odd while control writes it). A
 * worker copies it at housekeeping when seq changed and uses its copy until
 * the next change, so every packet sees one consistent snapshot.
 *
 * Before control writes the first one (seq 0) and while control is away,
 * failover subnets get no answer: a server that does not know its failover
 * state must not serve (FAILOVER.md 3.1, STARTUP). A snapshot with mclt 0
 * serves nobody either: no lease time could be bounded (5.2).
 */
enum lw_fo_service {
	LW_FO_SERVE_NONE = 0,	  /* answer nobody in failover subnets */
	LW_FO_SERVE_BALANCED = 1, /* NORMAL: DISCOVERs only from our hash buckets */
	LW_FO_SERVE_ALL = 2,	  /* COMM-INTERRUPTED, PARTNER-DOWN: everybody */
};

struct lw_shm_fo {
	uint64_t seq;	  /* sequence lock: odd while being written, +2 per snapshot */
	uint8_t service;  /* enum lw_fo_service */
	uint8_t role;	  /* enum lw_fo_role: which free addresses a yield gives (BACKUP or FREE) */
	uint8_t my_state; /* enum fo_state, for logs and counters only */
	uint8_t peer_state;   /* enum fo_state */
	uint32_t mclt;	      /* seconds; lease times follow FAILOVER.md 5.2 */
	uint32_t lb_max_secs; /* DISCOVERs with secs above this are answered by both; 0 = off */
	uint32_t pad;
	uint8_t hba[32]; /* bit set = the primary serves the bucket (FAILOVER.md 6.2) */
};

struct lw_shm_hdr {
	/* Set once by the dataplane before dp_state leaves STARTING. */
	uint32_t magic;
	uint16_t version;	  /* LW_SHM_VERSION */
	uint16_t records_version; /* LW_RECORDS_VERSION */
	uint64_t size;		  /* region bytes */
	uint32_t hdr_size;	  /* sizeof(struct lw_shm_hdr) */
	uint32_t worker_size;	  /* sizeof(struct lw_shm_worker) */
	uint32_t n_workers;
	uint32_t n_counters; /* LW_CTR_MAX */
	uint64_t off_workers;
	uint64_t dp_generation; /* unique per dataplane start */
	uint32_t dp_pid;
	uint32_t durability;  /* enum lw_durability the dataplane runs with */
	uint32_t ack_hold_ms; /* what the dataplane holds an ACK for, at most */
	uint32_t n_pools;     /* entries of each worker's pool_free array */
	/* lw_config_layout_hash() of the dataplane's configuration: control
	 * streams bindings by pool index, so both must have the same pools. */
	uint64_t layout_hash;
	uint8_t owner[256]; /* RFC 3074 hash bucket -> worker */

	/* Written by the dataplane. */
	uint32_t dp_state __attribute__((aligned(LW_SHM_ALIGN))); /* enum lw_dp_state */
	uint32_t pad1;
	uint64_t dp_heartbeat; /* +1 every 50 ms by the dataplane's main lcore */
	uint64_t reload_done;  /* = reload_req once that reload was tried */
	int32_t reload_rc;     /* 0 or a negative code */
	char reload_msg[512];  /* what the dataplane said about it */

	/* Written by control. */
	uint64_t ctl_generation __attribute__((aligned(LW_SHM_ALIGN))); /* +1 per attach */
	uint32_t ctl_pid;
	uint32_t ctl_state;	/* enum lw_ctl_state */
	uint64_t ctl_heartbeat; /* +1 every 10 ms or so by control */
	uint64_t reload_req;	/* +1: the dataplane reloads its configuration file */

	/* Written by control: what failover lets the workers do (below). */
	struct lw_shm_fo fo __attribute__((aligned(LW_SHM_ALIGN)));
};

struct lw_shm_worker {
	/* Written by control: every event up to here is on disk (or, with
	 * durability "none", written). */
	uint64_t durable_seq __attribute__((aligned(LW_SHM_ALIGN)));

	/* Set by the dataplane at creation. */
	uint64_t off_ev_ring __attribute__((aligned(LW_SHM_ALIGN))); /* worker -> control */
	uint64_t off_cmd_ring;					     /* control -> worker */
	/* uint32_t[n_pools]: free addresses of each pool this worker owns,
	 * written by the worker (refreshed a slice per housekeeping), read by
	 * control's rebalancer. */
	uint64_t off_pool_free;

	/* Written by the worker. */
	uint64_t last_seq __attribute__((aligned(LW_SHM_ALIGN))); /* last event produced */
	uint64_t sent_seq;   /* last event put on the event ring */
	uint64_t loaded_gen; /* dp_generation of the LOAD_DONE seen, 0 before */
	uint64_t heartbeat;  /* +1 per housekeeping */
	uint32_t held_acks;  /* ACKs waiting for durable_seq now */
	uint32_t leases;     /* lease slots in use */
	uint32_t active;     /* ACTIVE bindings */
	uint32_t free;	     /* free addresses owned, all pools */
	uint32_t declined;   /* addresses in probation owned */
	uint32_t pad;

	/* Written by the worker: its counters (enum lw_counter). */
	uint64_t ctr[LW_CTR_MAX] __attribute__((aligned(LW_SHM_ALIGN)));
} __attribute__((aligned(LW_SHM_ALIGN)));

/* Commands from control to a worker: 64 bytes each. */
enum lw_cmd_type {
	LW_CMD_LOAD = 16,      /* .bind: install this binding (start-up stream) */
	LW_CMD_GRANT = 17,     /* .grant: these free addresses are yours */
	LW_CMD_LOAD_DONE = 18, /* .done: the stream of generation gen is complete */
	LW_CMD_DELETE = 19,    /* .bind: remove the binding of (key, addr) (lease4-del) */
	LW_CMD_MOVE = 20,      /* .move: give free addresses of a pool to another worker */
	LW_CMD_YIELD = 21,     /* .yield: give free addresses of a pool to the failover peer */
	LW_CMD_TSFP = 22,      /* .tsfp: what the partner acknowledged for these addresses */
	LW_CMD_REVOKE = 23,    /* .grant: park the free addresses of a range this worker holds */
};

/* lw_cmd_grant.flags */
#define LW_GRANT_TAKE_PARKED 0x1 /* also grant parked addresses (failover pools, below) */

/*
 * The free addresses of pool `pool` at offsets first, first + stride, ...
 * up to last (inclusive) go to this worker, except those that are bound,
 * declined or reserved (the worker knows those after the LOADs).
 */
struct lw_cmd_grant {
	uint16_t type;	 /* LW_CMD_GRANT */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t pad0;
	uint16_t worker;
	uint16_t pool;
	uint32_t first;
	uint32_t last;
	uint32_t stride;
	uint32_t flags; /* LW_GRANT_* */
	uint8_t pad2[40];
};

struct lw_cmd_done {
	uint16_t type;	 /* LW_CMD_LOAD_DONE */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t pad0;
	uint16_t worker;
	uint16_t pad1;
	uint64_t gen;	   /* dp_generation this stream was for */
	uint64_t bindings; /* LOADs sent to this worker */
	uint8_t pad2[40];
};

/*
 * Rebalancing, decided by control from the pool_free arrays: the receiving
 * worker hands up to n free addresses of `pool` to worker `to` over the
 * worker-to-worker ring (the same grant a dry worker's request gets). It
 * may give fewer (its free set changed meanwhile); never more.
 */
struct lw_cmd_move {
	uint16_t type;	 /* LW_CMD_MOVE */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t pad0;
	uint16_t worker; /* the giving worker (the ring's owner) */
	uint16_t pool;
	uint16_t to; /* the receiving worker */
	uint16_t pad1;
	uint32_t n;
	uint8_t pad2[48];
};

/*
 * Failover pools. Their addresses start parked in the dataplane: in no free
 * set, owned by no worker, allocatable only once control grants them with
 * LW_GRANT_TAKE_PARKED (its own pool, FAILOVER.md 4.3). An address whose
 * binding ends (expiry, release) is parked again, not freed: control
 * decides when it may be given out (after the peer acknowledged the
 * update, 4.2).
 *
 * Yield: the worker takes up to n addresses from the head of its free set
 * of `pool` (least recently used first), parks them, and produces one
 * binding event for each, with state LW_BIND_BACKUP when the snapshot's
 * role is primary and LW_BIND_FREE when it is secondary (the partner's own
 * pool, 4.1). Control tells the peer only once that event is journaled, so
 * an address is never allocatable on both servers.
 *
 * In a failover pool the events of a worker mean: EXPIRED, RELEASED (and
 * FREE after a decline's probation or a lease4-del) - the address is
 * parked; control grants it again with LW_GRANT_TAKE_PARKED when the peer
 * has acknowledged. LW_CMD_LOAD with LW_BIND_BACKUP parks an address (one
 * unowned or free in that worker); EXPIRED/RELEASED loads leave theirs
 * parked; an ACTIVE or DECLINED load claims a parked address. A worker
 * that serves still takes LOADs for failover pools (the peer's bindings),
 * and no others. A lease's tsfp is 0 until LW_CMD_TSFP sets it (also after
 * a dataplane restart: control sends it again after the LOADs).
 */
struct lw_cmd_yield {
	uint16_t type;	 /* LW_CMD_YIELD */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t pad0;
	uint16_t worker;
	uint16_t pool;
	uint32_t n;
	uint8_t pad1[52];
};

/*
 * Revoke (struct lw_cmd_grant with type LW_CMD_REVOKE, flags 0): every
 * address at offsets first, first + stride, ... <= last that is in this
 * worker's free set is parked; bound ones are left alone (they report
 * themselves by their events). Failover pools only: control takes back the
 * partner's share when PARTNER-DOWN ends (FAILOVER.md 4.3).
 */

/*
 * The partner's acknowledged potential expiry (tsfp, FAILOVER.md 5.1) for
 * up to LW_TSFP_MAX addresses: a lease slot that still holds addr takes
 * tsfp; the MCLT rule (5.2) bounds its next lease time with it.
 */
#define LW_TSFP_MAX 6
struct lw_cmd_tsfp {
	uint16_t type;	 /* LW_CMD_TSFP */
	uint8_t version; /* LW_RECORDS_VERSION */
	uint8_t n;	 /* entries used */
	uint16_t worker;
	uint16_t pad0;
	uint32_t pad1[2];
	struct {
		uint32_t addr;
		uint32_t tsfp;
	} e[LW_TSFP_MAX];
};

union lw_cmd {
	struct {
		uint16_t type;
		uint8_t version;
	} hdr;
	struct lw_bind_event bind; /* type LW_CMD_LOAD or LW_CMD_DELETE */
	struct lw_cmd_grant grant;
	struct lw_cmd_done done;
	struct lw_cmd_move move;
	struct lw_cmd_yield yield;
	struct lw_cmd_tsfp tsfp;
	uint8_t raw[64];
};
_Static_assert(sizeof(union lw_cmd) == 64, "a command is one cache line");
_Static_assert(sizeof(struct lw_cmd_grant) == 64, "a grant is one cache line");
_Static_assert(sizeof(struct lw_cmd_done) == 64, "done is one cache line");
_Static_assert(sizeof(struct lw_cmd_move) == 64, "move is one cache line");
_Static_assert(sizeof(struct lw_cmd_yield) == 64, "yield is one cache line");
_Static_assert(sizeof(struct lw_cmd_tsfp) == 64, "tsfp is one cache line");

static inline struct lw_shm_worker *lw_shm_worker_at(struct lw_shm_hdr *h, unsigned i)
{
	return (struct lw_shm_worker *)((uint8_t *)h + h->off_workers) + i;
}

/*
 * Checks a mapped header against this build. Returns 0, or -1 with a
 * sentence in msg saying what differs and which side is older
 * ("the dataplane is older (region version 1, this control process 2);
 * upgrade and restart it").
 */
int lw_shm_check(const struct lw_shm_hdr *h, uint64_t mapped_size, const char *self,
	const char *other, char *msg, unsigned msglen);

#endif
