/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control process's lease store: the authoritative replica of every
 * binding that reached the journal, rebuilt from the snapshot and journal
 * at start-up and kept current by applying each binding event as it is
 * journaled. The control socket, the exports and the start-up stream to the
 * shards read it.
 *
 * One record per address. Applying an event replaces the record of its
 * address; state FREE removes it. A client key indexes its most recent
 * record (ACTIVE before anything else).
 *
 * Memory: records in one array (no allocation per lease), two open-
 * addressing index tables of 32-bit slots (by address, by client key), a
 * bitmap of addresses for ordered paging. At most 2^28 - 2 records.
 *
 * Threading: one thread (control's main loop) owns a store.
 */
#ifndef LW_STORE_H
#define LW_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/lw_records.h"

/* A binding as the store keeps it. */
struct store_lease {
	struct lw_client_key key; /* zero for a DECLINED address */
	uint32_t addr;		  /* host byte order */
	uint32_t start;		  /* Unix seconds: when bound (cltt) */
	uint32_t end;		  /* Unix seconds: lease end, or when it became this state */
	uint16_t subnet;	  /* subnet index in the configuration */
	uint16_t pool;		  /* pool index, 0xffff outside any pool */
	uint8_t state; /* enum lw_bind_state: ACTIVE, EXPIRED, RELEASED, DECLINED, BACKUP */
	uint8_t fo;    /* STORE_FO_* (failover pools) */
	uint8_t pad[2];
	uint32_t tsfp; /* failover: potential expiry the partner acknowledged, 0 = none */
};
_Static_assert(sizeof(struct store_lease) == 56, "store record");

/* store_lease.fo */
#define STORE_FO_PENDING 0x1 /* the partner has not acknowledged this binding yet */
#define STORE_FO_QUEUED	 0x2 /* queued for a BNDUPD (the failover engine's mark, not persisted) */

struct store;

/* An empty store sized for about `expected` records (it grows). NULL + errno on failure. */
struct store *store_create(uint32_t expected);
void store_free(struct store *st);

/*
 * Makes room for n records in all (the array and both indexes), so that
 * loading a snapshot of known size neither reallocates nor rehashes.
 * Returns 0 or -ENOMEM (the store is unchanged then).
 */
int store_reserve(struct store *st, uint32_t n);

/*
 * Applies one event. LW_EV_FO_ACK: the record of ev->addr takes tsfp =
 * ev->start, and is no longer pending when its state and end are still
 * ev->state and ev->end (0 also when there is no record).
 *
 * LW_EV_BIND: the record of ev->addr
 * becomes (key, state, start, end, subnet, pool); state FREE removes it
 * (0 also when there was none) unless both the event and the record name a
 * client and they differ (the address went to another client meanwhile). A DECLINED record keeps no
 * key. A new ACTIVE record takes its client's key index entry even when the client still has an
 * ACTIVE record at another address (both records stay; the other one changes by its own event). The
 * record is pending (STORE_FO_PENDING) unless the event came from the failover peer (worker
 * LW_WORKER_PEER); tsfp stays while the address keeps its client. Returns 0, -EINVAL for an event
 * that is not a binding event of this version, has a state other than FREE, ACTIVE, EXPIRED,
 * RELEASED or DECLINED, a malformed key or a subnet index
 * >= LW_MAX_SUBNETS, -ENOMEM (the store is unchanged then).
 */
int store_apply(struct store *st, const struct lw_bind_event *ev);

/*
 * A hint for bulk loads: starts fetching the index buckets that applying ev
 * will read. Calling it a few events ahead of store_apply() hides most of
 * the cache misses of a large store. Changes nothing.
 */
void store_prefetch(const struct store *st, const struct lw_bind_event *ev);

/* Removes the record of addr. Returns 0 or -ENOENT. */
int store_remove(struct store *st, uint32_t addr);

uint32_t store_count(const struct store *st);

const struct store_lease *store_get_addr(const struct store *st, uint32_t addr);
/* The client's most recent record: its ACTIVE one if any. */
const struct store_lease *store_get_key(const struct store *st, const struct lw_client_key *k);

/*
 * Records whose client has this hardware address: key kind HWADDR with
 * (htype, chaddr), or a client identifier of the usual form htype + chaddr
 * (RFC 2132 9.14). Writes up to max pointers into out; returns how many
 * matched in all (may exceed max).
 */
unsigned store_find_hw(const struct store *st, uint8_t htype, const uint8_t *hw, uint8_t hlen,
	const struct store_lease **out, unsigned max);

/*
 * Up to max records with address > after, in ascending address order
 * (lease4-get-page; after = 0 starts at the lowest). Returns how many.
 */
unsigned store_page(
	const struct store *st, uint32_t after, const struct store_lease **out, unsigned max);

/*
 * Calls fn for every record, in no particular order; a non-zero return stops
 * and is returned. fn must not change the store.
 */
int store_foreach(
	const struct store *st, int (*fn)(void *arg, const struct store_lease *l), void *arg);

/*
 * Removes the EXPIRED and RELEASED records whose end is before `before`
 * (the history that compaction leaves out of the snapshot); ACTIVE and
 * DECLINED records always stay. Returns how many were removed.
 */
uint32_t store_prune(struct store *st, uint32_t before);

/* Per-subnet counts, kept as events are applied. */
uint32_t store_subnet_assigned(const struct store *st, unsigned subnet); /* ACTIVE */
uint32_t store_subnet_declined(const struct store *st, unsigned subnet); /* DECLINED */

/* Records of a pool (by pool index), and how many of them are BACKUP. */
void store_pool_counts(const struct store *st, unsigned pool, uint32_t *records, uint32_t *backup);

/* The event that recreates l (for snapshots and the start-up stream). */
void store_lease_to_event(const struct store_lease *l, struct lw_bind_event *ev);

/*
 * The LW_EV_FO_ACK record that recreates l's failover fields, for
 * snapshots: returns false when there is nothing to say (not acknowledged,
 * no tsfp).
 */
bool store_lease_to_ack(const struct store_lease *l, struct lw_bind_event *ev);

/* Sets or clears STORE_FO_QUEUED on the record of addr (nothing if there is none). */
void store_set_queued(struct store *st, uint32_t addr, bool on);

/* Bytes the store holds (records and indexes), for the memory figures. */
uint64_t store_bytes(const struct store *st);

#endif
