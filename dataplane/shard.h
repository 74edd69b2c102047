/* SPDX-License-Identifier: MPL-2.0 */
/*
 * A lease shard: the bindings of the clients one worker owns, and the free
 * addresses it may hand out.
 *
 *  - clients: an rte_hash from struct lw_client_key to a position, which
 *    indexes the shard's array of struct lease;
 *  - addresses: one array per pool, indexed by (address - pool start), shared
 *    by all shards (struct addr_space). Each entry has an owner shard and is
 *    written only by its owner; ownership moves only by a WMSG_ADDR_GRANT
 *    message, whose ring enqueue publishes the entry to the new owner. In
 *    the dataplane entries start with no owner: a shard claims one (an
 *    atomic compare-and-swap of the owner byte) for a binding control loads
 *    or for a free address control grants (shard_ctl.c);
 *  - free sets: per pool, a doubly linked FIFO through the entries of the
 *    addresses this shard owns and may allocate. Freed addresses go to the
 *    tail, so a returning client finds its old address still free as long as
 *    possible (least recently used first, as ISC does).
 *
 * Free addresses move between shards two ways, both as WMSG_ADDR_GRANT
 * messages from the giver: control evens the shards of a pool out from the
 * free counts each worker publishes (LW_CMD_MOVE, shard_give()), and a shard
 * that runs dry while a client waits asks the richest other shard itself
 * (WMSG_ADDR_REQUEST), which gives it half the difference. A shard that is
 * only running low asks nobody: that is what control is for.
 *
 * Every binding change goes through shard_commit(), which produces one
 * struct lw_bind_event (lw_records.h) with the shard's next sequence number.
 * The shard keeps each event until control says it is durable: the worker
 * hands them over in order and hands them over again after control restarts.
 * When that buffer is full, commits are refused and the server answers
 * nothing (an ACK must never leave for a binding that may be lost).
 *
 * Failover pools (lw_pool_conf.failover, common/lw_shm.h). In the
 * dataplane's unowned mode their addresses start parked: state
 * LW_BIND_BACKUP, no owner, in no free set. Only a grant with
 * LW_GRANT_TAKE_PARKED makes one allocatable. An address whose binding ends
 * (expiry, RELEASE, decline probation over, lease4-del, a binding replaced
 * by a load) is parked again instead of going to the free set: control
 * decides when it may be given out (FAILOVER.md 4.2). An offer that is not
 * taken keeps its address in the free set: control granted it to us.
 *
 * Threading: a shard is used by exactly one worker lcore. shard_create()
 * and addr_space_*() run on the main lcore before workers start.
 */
#ifndef LW_SHARD_H
#define LW_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/lw_records.h"
#include "wmsg.h"

#define LW_MAX_WORKERS	64
#define ADDR_OWNER_NONE 0xff /* addr_entry.owner of an address no shard has yet */
#define LEASE_NONE	UINT32_MAX
#define POOL_NONE	0xffff

/* A lease slot. 64 bytes, one cache line. */
struct lease {
	struct lw_client_key key;
	uint32_t addr;
	uint32_t start; /* Unix seconds: when bound (or offered) */
	uint32_t end;	/* ACTIVE: lease end; OFFERED: offer hold end; else when it became so */
	uint32_t lease_time; /* seconds granted at the last ACK (or offered) */
	/* Failover: the potential expiry the partner acknowledged (FAILOVER.md
	 * 5.1), 0 for none; set by control (LW_CMD_TSFP), bounds the lease
	 * time by the MCLT rule (5.2). 0 for a new binding, kept by renewals. */
	uint32_t tsfp;
	uint16_t pool;	  /* pool index, POOL_NONE for an address outside the pools */
	uint16_t subnet;  /* subnet index */
	uint8_t state;	  /* enum lw_bind_state */
	uint8_t reserved; /* 1 when addr comes from a host reservation */
	uint8_t pad[6];
};
_Static_assert(sizeof(struct lease) == 64, "a lease is one cache line");

/* One address of a pool. 16 bytes. */
struct addr_entry {
	uint32_t slot; /* FREE/OFFERED/ACTIVE: lease slot in the owner's shard (LEASE_NONE if none);
			* DECLINED: Unix second when the probation ends */
	uint32_t next; /* free FIFO / declined FIFO link (offset), UINT32_MAX = end */
	uint32_t prev; /* free FIFO back link */
	uint8_t owner; /* shard that may write this entry */
	uint8_t state; /* LW_BIND_FREE, OFFERED, ACTIVE, DECLINED, RESERVED; BACKUP: parked */
	uint16_t pad;
};

struct addr_pool {
	uint32_t start;
	uint32_t size;
	unsigned subnet;
	bool failover; /* a failover pool (fixed at creation: reloads keep it) */
	struct addr_entry *e;
	/* free count per shard, each written only by its shard and read by the
	 * others (whom a dry shard asks, how many a grant gives), one cache
	 * line apart; control reads its copy in the shared region instead */
	uint32_t *free_count; /* [LW_MAX_WORKERS * 16] : shard i at [i * 16] */
};

struct addr_space {
	unsigned n_pools;
	unsigned n_shards;
	struct addr_pool *pools;
};

/*
 * Builds the address arrays for cfg's pools, marks reserved addresses and
 * deals the free ones out to n_shards shards round-robin by offset. Returns
 * NULL and sets errno on failure.
 */
struct addr_space *addr_space_create(const struct lw_config *cfg, unsigned n_shards);
/*
 * The same with every entry unowned and every free set empty: the
 * dataplane's mode, where control loads the bindings and grants the free
 * addresses (shard_load(), shard_grant_range()). The addresses of failover
 * pools start parked (LW_BIND_BACKUP).
 */
struct addr_space *addr_space_create_unowned(const struct lw_config *cfg, unsigned n_shards);
void addr_space_free(struct addr_space *as);

static inline uint32_t addr_space_free_count(
	const struct addr_space *as, unsigned pool, unsigned shard)
{
	return __atomic_load_n(&as->pools[pool].free_count[shard * 16], __ATOMIC_RELAXED);
}

/* Sends a message to worker `to`; returns 0 or -ENOBUFS when the ring is full. */
typedef int (*shard_send_fn)(void *arg, unsigned to, const struct wmsg *m);

struct shard_params {
	unsigned id;	   /* 0 .. n_shards-1 */
	unsigned socket;   /* NUMA socket for the tables */
	unsigned capacity; /* lease slots */
	struct addr_space *as;
	const struct lw_config *cfg;
	shard_send_fn send; /* may be NULL with a single shard */
	void *send_arg;
	uint64_t *ctr; /* LW_CTR_* of the worker, for what the shard counts itself; may be NULL */
};

struct shard;

/* Returns NULL and sets errno on failure. Builds the free FIFOs of the addresses this shard owns.
 */
struct shard *shard_create(const struct shard_params *p);
void shard_free(struct shard *s);

unsigned shard_id(const struct shard *s);
/* A reloaded configuration with the same subnets and pools (offer_hold and
 * decline_probation may differ). */
void shard_set_cfg(struct shard *s, const struct lw_config *cfg);
struct addr_space *shard_addr_space(const struct shard *s);

/* The lease of a client, or NULL. */
struct lease *shard_lookup(struct shard *s, const struct lw_client_key *k);

/* Creates an empty lease slot (state FREE, addr 0) for k. NULL when the table is full. */
struct lease *shard_insert(struct shard *s, const struct lw_client_key *k);
/*
 * The same two, hashing the key once: shard_lookup_sig() returns the
 * key's hash signature in *sig for a shard_insert_sig() that follows (a new
 * client's DISCOVER: a lookup that fails, then an insert).
 */
struct lease *shard_lookup_sig(struct shard *s, const struct lw_client_key *k, uint32_t *sig);
struct lease *shard_insert_sig(struct shard *s, const struct lw_client_key *k, uint32_t sig);

/*
 * A burst's lookups done ahead, in one bulk hash lookup (rte_hash prefetches
 * the buckets and keys of the whole group) followed by a prefetch of each
 * lease found, so that the requests of a burst wait for memory once
 * together instead of one after the other.
 */
struct shard_hint {
	struct lw_client_key key;
	uint32_t addr; /* in: an address the client names (50, ciaddr), 0: none */
	uint32_t sig;
	int32_t pos; /* slot, or < 0: not in the table */
	uint32_t ins_gen, del_gen;
	uint32_t burst; /* the shard_lookup_burst() call that filled it */
};

/*
 * Fills h[i] for keys h[i].key, i < n <= 64. A client that names an address
 * (h[i].addr) is first looked for through that address: the pool entry's
 * slot holds its lease when the lease has its key. The others, and those
 * whose address holds someone else, go through one bulk lookup.
 */
void shard_lookup_burst(struct shard *s, struct shard_hint *h, unsigned n);

/*
 * The lease of a hint's client, as shard_lookup_sig() would find it now: the
 * hint's answer while no slot was removed since (a found slot is still the
 * client's) and, for a client not found, no slot inserted since (it may
 * have been inserted by an earlier request of the burst); else a new lookup
 * (whose buckets are in cache by now).
 */
struct lease *shard_hint_lease(struct shard *s, const struct shard_hint *h);

/* Removes a client's slot (its address must already be released or moved). */
void shard_remove(struct shard *s, struct lease *l);

/* Slot index of a lease (for addr_entry.slot). */
uint32_t shard_slot(const struct shard *s, const struct lease *l);
struct lease *shard_lease_at(struct shard *s, uint32_t slot);

/* The address entry for addr in pool, or NULL when addr is outside it. */
struct addr_entry *shard_addr_entry(struct shard *s, unsigned pool, uint32_t addr);

/*
 * Takes a free address of `pool` out of this shard's free set for lease l:
 * the head of the FIFO, or `want` if it is free and this shard owns it
 * (want = 0: any). Returns the address, or 0 if none. When the FIFO is empty
 * and other shards have free addresses, asks one of them for some (a
 * WMSG_ADDR_REQUEST) and returns 0 with *wait = true.
 * A FIFO head whose previous holder's slot still names it is dropped from
 * that slot first, so an address is never bound to two clients.
 */
uint32_t shard_take_addr(
	struct shard *s, unsigned pool, uint32_t want, struct lease *l, bool *wait);

/* Returns l's address to the free FIFO's tail (keeping l as its last holder). */
void shard_put_addr(struct shard *s, struct lease *l);

/*
 * Records a binding change of l to `state` at time now and queues its
 * event. The address entry follows (ACTIVE/OFFERED/FREE). Returns the event
 * sequence number (0 for OFFERED, which is not an event: offers are not
 * persisted).
 */
uint64_t shard_commit(struct shard *s, struct lease *l, uint8_t state, uint32_t now);

/* Takes back an offer that was not taken up (address to the free set) and removes l. */
void shard_drop_offer(struct shard *s, struct lease *l);

/*
 * Quarantines l's address for `probation` seconds (DECLINE), queues the
 * event and removes l. Returns the event sequence.
 */
uint64_t shard_decline(struct shard *s, struct lease *l, uint32_t now, uint32_t probation);

/*
 * Events. Those not yet durable stay in the shard (at most SHARD_EV_MAX,
 * see shard_pvt.h); a cursor marks those already handed to control.
 */
/* How many more events fit before commits are refused. */
unsigned shard_event_room(const struct shard *s);
/* Events not handed over yet. */
unsigned shard_events_pending(const struct shard *s);
/*
 * The next run of events to hand over, contiguous in memory: sets *first
 * and returns its length (0: none). Mark what went with shard_events_sent().
 */
unsigned shard_events_unsent(const struct shard *s, const struct lw_bind_event **first);
void shard_events_sent(struct shard *s, unsigned n);
/* Copies up to max events not handed over yet into out and marks them handed over. */
unsigned shard_events_take(struct shard *s, struct lw_bind_event *out, unsigned max);
/* Control made every event up to seq durable: they are let go. */
void shard_events_durable(struct shard *s, uint64_t seq);
/* Control restarted: every event not durable is handed over again. */
void shard_events_rewind(struct shard *s);
/* The event of sequence seq while the shard keeps it, else NULL. */
const struct lw_bind_event *shard_event_at(const struct shard *s, uint64_t seq);
/* The last sequence number given out, handed over, made durable. */
uint64_t shard_last_seq(const struct shard *s);
uint64_t shard_sent_seq(const struct shard *s);
uint64_t shard_durable_seq(const struct shard *s);

/*
 * Commands from control (shard_ctl.c). All of them check what they are
 * given against the configuration: a bad command changes nothing.
 *
 * shard_load() installs a binding from control's store (b: type LW_CMD_LOAD):
 *  - ACTIVE: a lease slot for b->key; its pool address is claimed by this
 *    shard (ACTIVE, in no free set). An address outside the pools, or one a
 *    reservation now holds, is kept as a reserved binding that touches no
 *    pool entry: the client keeps it if its reservation says so, and is
 *    NAKed into getting another one if not.
 *  - EXPIRED, RELEASED: a last-holder slot so that a returning client gets
 *    its address back; the address itself stays unowned until granted.
 *    Older than the history kept at run time, or outside the pools: ignored.
 *  - DECLINED (key ignored): the address is claimed and quarantined until
 *    b->end in this shard's declined set.
 *  - BACKUP (failover pools only, key ignored): the address is parked, from
 *    unowned or from this shard's free set; nothing else changes.
 * In a failover pool an ACTIVE or DECLINED record claims a parked address
 * as it claims an unowned free one, EXPIRED and RELEASED leave the address
 * parked (and park it when it was unowned free, or free in this shard),
 * and a binding replaced by a newer record parks its address.
 * One slot per client: a second record for the same client replaces the
 * first when it is newer (ACTIVE over history, then by time). Loading the
 * same record twice changes nothing. No event is produced. Returns 0,
 * -EINVAL (bad state, key, pool or address), -EEXIST (the address is bound
 * otherwise), -ENOSPC (lease table full).
 */
int shard_load(struct shard *s, const struct lw_bind_event *b, uint32_t now);

/*
 * Control grants pool addresses at offsets first, first + stride, ... <=
 * last: each one unowned and FREE becomes this shard's and goes to the tail
 * of its free set (bound, declined and reserved ones are skipped). Returns
 * how many, or -EINVAL for a bad pool, range or stride.
 */
int shard_grant_range(
	struct shard *s, unsigned pool, uint32_t first, uint32_t last, uint32_t stride);
/*
 * The same with LW_GRANT_* flags: with LW_GRANT_TAKE_PARKED parked
 * addresses are granted too (they become FREE and ours). -EINVAL also for
 * an unknown flag.
 */
int shard_grant_range_flags(struct shard *s, unsigned pool, uint32_t first, uint32_t last,
	uint32_t stride, uint32_t flags);

/*
 * Failover (LW_CMD_REVOKE): parks every address of pool at offsets first,
 * first + stride, ... <= last that is in this shard's free set. Returns
 * how many, or -EINVAL (bad range, or not a failover pool).
 */
int shard_revoke_range(
	struct shard *s, unsigned pool, uint32_t first, uint32_t last, uint32_t stride);

/*
 * Control deletes the binding of (b->key, b->addr) (lease4-del): the slot
 * goes, the address returns to this shard's free set (is parked in a
 * failover pool), and an event with state FREE is produced. A declined
 * address of this shard is let go the same way whatever the key. Returns
 * 0, -EINVAL, -ENOENT (no such binding here), -ENOBUFS (no room for the
 * event: try again later).
 */
int shard_delete(struct shard *s, const struct lw_bind_event *b, uint32_t now);

/*
 * Failover (LW_CMD_YIELD): parks up to n addresses from the head of this
 * shard's free set of pool (least recently used first) and produces one
 * event per address: `state` (LW_BIND_BACKUP from a primary, LW_BIND_FREE
 * from a secondary), no key, start = end = now. Stops early when the free
 * set is empty or the event buffer full. Returns how many, or -EINVAL (bad
 * pool, not a failover pool).
 */
int shard_yield(struct shard *s, unsigned pool, unsigned n, uint8_t state, uint32_t now);

/*
 * Failover (LW_CMD_TSFP): the lease slot of this shard that holds addr
 * (OFFERED or ACTIVE, in a pool) takes tsfp. Returns 0, or -ENOENT when no
 * lease of this shard holds addr.
 */
int shard_set_tsfp(struct shard *s, uint32_t addr, uint32_t tsfp);

/*
 * Housekeeping, called about every millisecond by the worker: expires up to
 * `budget` lease slots past their end (offers and leases) and returns
 * declined addresses whose probation ended (parks them in failover
 * pools). Never blocks. Counters go to ctr (LW_CTR_*).
 */
void shard_housekeep(struct shard *s, uint32_t now, unsigned budget, uint64_t *ctr);

/*
 * A message from another worker: WMSG_ADDR_REQUEST (a dry shard: it gets
 * half the difference of our free counts, at least one address if we have
 * any) or WMSG_ADDR_GRANT (the addresses join the tail of our free set).
 */
void shard_handle_msg(struct shard *s, const struct wmsg *m, uint64_t *ctr);

/*
 * Control's rebalancing (LW_CMD_MOVE): gives shard `to` up to n free
 * addresses of pool, exactly as many as there are up to n (control did the
 * arithmetic), from the head of the free set (least recently used). Their
 * owner becomes `to` now; `to` takes them into its free set when it handles
 * the WMSG_ADDR_GRANT messages. A full message ring stops it early: what
 * was not sent stays ours. Counts LW_CTR_ADDR_GRANT_OUT. Returns how many
 * were sent, or -EINVAL (no send function, to is this shard or beyond the
 * shards, bad pool).
 */
int shard_give(struct shard *s, unsigned to, unsigned pool, unsigned n, uint64_t *ctr);

/*
 * Copies this shard's free count of up to `budget` pools into dst[pool]
 * (dst has as->n_pools entries; relaxed atomic stores, only of the counts
 * that changed), taking up where the previous call stopped and going round:
 * with P pools, every count is at most ceil(P / budget) calls old. Returns
 * how many pools were looked at.
 */
unsigned shard_publish_free(struct shard *s, uint32_t *dst, unsigned budget);

/* Per-shard statistics. */
struct shard_stats {
	uint32_t leases;   /* slots in use */
	uint32_t active;   /* ACTIVE slots */
	uint32_t free;	   /* free addresses owned, all pools */
	uint32_t declined; /* addresses in probation owned */
};
void shard_get_stats(const struct shard *s, struct shard_stats *st);

#endif
