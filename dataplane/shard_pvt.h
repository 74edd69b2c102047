/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The layout of a shard and the helpers shard.c (allocation, expiry,
 * trading between workers) and shard_ctl.c (what the control process asks
 * for: start-up load, grants, deletes, event retention) share. Nothing
 * outside those two files includes it.
 */
#ifndef LW_SHARD_PVT_H
#define LW_SHARD_PVT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/lw_counters.h"
#include "shard.h"

#define OFF_NONE UINT32_MAX

/*
 * Binding events kept until control has made them durable (a power of two).
 * At 100,000 commits a second this is 160 ms of journal delay; past it
 * shard_commit() refuses and requests are dropped, never acknowledged.
 */
#define SHARD_EV_MAX 16384
/* Released and expired bindings are remembered this long, so that a client
 * coming back gets its old address if nobody took it meanwhile. */
#define LEASE_HISTORY 3600

struct fifo {
	uint32_t head;
	uint32_t tail;
	uint32_t count;
};

struct pool_state {
	struct fifo free;
	struct fifo declined;  /* linked through addr_entry.next, ordered by probation end */
	uint32_t *pub_free;    /* this shard's published free count in the addr_space */
	bool requested;	       /* an address request is outstanding ... */
	uint32_t request_sent; /* ... since this Unix second */
};

#define SHARD_INS_SIGS	 64  /* a power of two, >= a burst */
#define SHARD_BLOOM_BITS 512 /* a power of two, >= 64 */

struct shard {
	unsigned id;
	unsigned n_shards;
	unsigned capacity;
	const struct lw_config *cfg;
	struct addr_space *as;
	struct rte_hash *h;
	struct lease *leases;
	struct pool_state *ps;
	shard_send_fn send;
	void *send_arg;
	uint64_t *ctr; /* the worker's counters, or ctr_sink */

	uint32_t now;
	uint32_t sweep;	     /* next slot the expiry sweep looks at */
	uint32_t pub_cursor; /* next pool shard_publish_free() copies */
	uint32_t n_leases;
	/* Bumped by every insert and every removal: a struct shard_hint taken
	 * before either is looked up again (shard_hint_lease). */
	uint32_t ins_gen;
	uint32_t del_gen;
	/* The hash signatures of the last SHARD_INS_SIGS inserts, by ins_gen:
	 * a hint that found nothing is still right if none of the inserts
	 * since had its signature. */
	uint32_t ins_sig[SHARD_INS_SIGS];
	/* Bumped by shard_lookup_burst(), which empties ins_bloom: a bloom
	 * filter (one bit per signature) of the inserts since, which answers
	 * for the hints of the current burst without the walk of ins_sig. */
	uint32_t burst;
	uint64_t ins_bloom[SHARD_BLOOM_BITS / 64];
	uint32_t n_active;
	uint32_t n_free;
	uint32_t n_declined;

	/* Events (ev_durable, seq] are kept; (ev_sent, seq] are still to be
	 * handed to control. The event of sequence k is ev[k % SHARD_EV_MAX]. */
	uint64_t seq; /* last event sequence number */
	uint64_t ev_sent;
	uint64_t ev_durable;
	struct lw_bind_event ev[SHARD_EV_MAX];
	uint64_t ctr_sink[LW_CTR_MAX];
};

static inline bool ev_room(const struct shard *s)
{
	return s->seq - s->ev_durable < SHARD_EV_MAX;
}

uint64_t shard_emit(struct shard *s, uint8_t state, const struct lw_client_key *key, uint32_t addr,
	uint16_t pool, uint16_t subnet, uint32_t start, uint32_t end);

void shard_fifo_unlink(struct addr_entry *e, struct fifo *f, uint32_t off);
void shard_free_push(struct shard *s, unsigned pool, uint32_t off);
void shard_free_unlink(struct shard *s, unsigned pool, uint32_t off);
/* Quarantines entry off of pool (owned by s) until `end`, in probation-end order. */
void shard_declined_insert(struct shard *s, unsigned pool, uint32_t off, uint32_t end);

/*
 * Parks entry off of a failover pool, owned by s and in none of its FIFOs:
 * state BACKUP, no owner (a release store: the next claimer sees the
 * entry as left here), counted in LW_CTR_ADDR_PARKED.
 */
void shard_park(struct shard *s, unsigned pool, uint32_t off);

/* Takes an entry nobody owns. Loads and grants of all workers race for it. */
static inline bool shard_claim(struct addr_entry *e, unsigned id)
{
	uint8_t none = ADDR_OWNER_NONE;

	return __atomic_compare_exchange_n(
		&e->owner, &none, (uint8_t)id, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/*
 * Claims an unowned entry whose state is FREE, or BACKUP (parked) when
 * parked is true; an entry claimed in another state is let go again.
 */
static inline bool shard_claim_free(struct addr_entry *e, unsigned id, bool parked)
{
	bool ok = e->state == LW_BIND_FREE || (parked && e->state == LW_BIND_BACKUP);

	/* The first look only filters: the state counts once the entry is ours. */
	if (!ok || __atomic_load_n(&e->owner, __ATOMIC_RELAXED) != ADDR_OWNER_NONE ||
		!shard_claim(e, id))
		return false;
	if (e->state == LW_BIND_FREE || (parked && e->state == LW_BIND_BACKUP))
		return true;
	__atomic_store_n(&e->owner, ADDR_OWNER_NONE, __ATOMIC_RELEASE);
	return false;
}

#endif
