/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "common/lw_counters.h"
#include "shard_pvt.h"

/* The table's hash_func_init_val; the signatures the shard computes use it too. */
#define KEY_HASH_INIT 0

/* Most addresses asked for in one request. */
#define GRANT_WANT 256
/* An unanswered address request is repeated after this many seconds. */
#define REQUEST_RETRY 1

/* ------------------------------------------------------------------------ */
/* Address space */

static struct addr_space *space_create(const struct lw_config *cfg, unsigned n_shards, bool deal)
{
	struct addr_space *as;

	if (n_shards == 0 || n_shards > LW_MAX_WORKERS) {
		errno = EINVAL;
		return NULL;
	}
	as = calloc(1, sizeof(*as));
	if (as == NULL)
		return NULL;
	as->n_shards = n_shards;
	as->n_pools = cfg->n_pools;
	as->pools = calloc(cfg->n_pools ? cfg->n_pools : 1, sizeof(*as->pools));
	if (as->pools == NULL)
		goto fail;

	for (unsigned p = 0; p < cfg->n_pools; p++) {
		const struct lw_pool_conf *pc = &cfg->pools[p];
		const struct lw_subnet_conf *sc = &cfg->subnets[pc->subnet];
		struct addr_pool *ap = &as->pools[p];

		ap->start = pc->start;
		ap->size = pc->end - pc->start + 1;
		ap->subnet = pc->subnet;
		ap->failover = pc->failover;
		ap->e = calloc(ap->size, sizeof(*ap->e));
		ap->free_count = aligned_alloc(64, (size_t)n_shards * 64);
		if (ap->e == NULL || ap->free_count == NULL)
			goto fail;
		memset(ap->free_count, 0, (size_t)n_shards * 64);
		for (uint32_t off = 0; off < ap->size; off++) {
			struct addr_entry *e = &ap->e[off];

			e->slot = LEASE_NONE;
			e->next = e->prev = OFF_NONE;
			/* Failover pools start parked: control grants our own
			 * share (FAILOVER.md 4.3) with LW_GRANT_TAKE_PARKED. */
			e->state = pc->failover && !deal ? LW_BIND_BACKUP : LW_BIND_FREE;
			/* Dealt round-robin: each shard gets every n-th address. */
			e->owner = deal ? (uint8_t)(off % n_shards) : ADDR_OWNER_NONE;
		}
		/* A reserved address is never in anybody's free set. */
		for (unsigned r = 0; r < sc->n_reservations; r++) {
			uint32_t a = sc->reservations[r].addr;

			if (a >= ap->start && a - ap->start < ap->size)
				ap->e[a - ap->start].state = LW_BIND_RESERVED;
		}
	}
	return as;
fail:
	addr_space_free(as);
	errno = ENOMEM;
	return NULL;
}

struct addr_space *addr_space_create(const struct lw_config *cfg, unsigned n_shards)
{
	return space_create(cfg, n_shards, true);
}

struct addr_space *addr_space_create_unowned(const struct lw_config *cfg, unsigned n_shards)
{
	return space_create(cfg, n_shards, false);
}

void addr_space_free(struct addr_space *as)
{
	if (as == NULL)
		return;
	for (unsigned p = 0; as->pools && p < as->n_pools; p++) {
		free(as->pools[p].e);
		free(as->pools[p].free_count);
	}
	free(as->pools);
	free(as);
}

/* ------------------------------------------------------------------------ */
/* Free and declined FIFOs, linked through the address entries */

static void fifo_push(struct addr_entry *e, struct fifo *f, uint32_t off)
{
	e[off].next = OFF_NONE;
	e[off].prev = f->tail;
	if (f->tail != OFF_NONE)
		e[f->tail].next = off;
	else
		f->head = off;
	f->tail = off;
	f->count++;
}

/*
 * The helpers below that other files call too are static inline here, with
 * a wrapper under the public name: calls within this file are inlined
 * (-30 instructions per request), which -fPIC forbids for an exported
 * function without link-time optimisation.
 */
static inline void fifo_unlink(struct addr_entry *e, struct fifo *f, uint32_t off)
{
	uint32_t n = e[off].next, p = e[off].prev;

	if (p != OFF_NONE)
		e[p].next = n;
	else
		f->head = n;
	if (n != OFF_NONE)
		e[n].prev = p;
	else
		f->tail = p;
	e[off].next = e[off].prev = OFF_NONE;
	f->count--;
}

void shard_fifo_unlink(struct addr_entry *e, struct fifo *f, uint32_t off)
{
	fifo_unlink(e, f, off);
}

/*
 * Probation is one value for all, so new entries usually belong at the tail;
 * a reload that shortens it, or a start-up load in no particular order,
 * walks back from there.
 */
void shard_declined_insert(struct shard *s, unsigned pool, uint32_t off, uint32_t end)
{
	struct addr_entry *e = s->as->pools[pool].e;
	struct fifo *d = &s->ps[pool].declined;
	uint32_t after = d->tail;

	e[off].state = LW_BIND_DECLINED;
	e[off].slot = end; /* the probation end, see struct addr_entry */
	while (after != OFF_NONE && (int32_t)(e[after].slot - end) > 0)
		after = e[after].prev;
	if (after == d->tail) {
		fifo_push(e, d, off);
	} else {
		uint32_t next = after == OFF_NONE ? d->head : e[after].next;

		e[off].prev = after;
		e[off].next = next;
		e[next].prev = off;
		if (after == OFF_NONE)
			d->head = off;
		else
			e[after].next = off;
		d->count++;
	}
	s->n_declined++;
}

static inline void publish_free(struct shard *s, unsigned pool)
{
	__atomic_store_n(s->ps[pool].pub_free, s->ps[pool].free.count, __ATOMIC_RELAXED);
}

void shard_free_push(struct shard *s, unsigned pool, uint32_t off)
{
	struct addr_entry *e = s->as->pools[pool].e;

	e[off].state = LW_BIND_FREE;
	fifo_push(e, &s->ps[pool].free, off);
	s->n_free++;
	publish_free(s, pool);
}

static inline void free_unlink(struct shard *s, unsigned pool, uint32_t off)
{
	fifo_unlink(s->as->pools[pool].e, &s->ps[pool].free, off);
	s->n_free--;
	publish_free(s, pool);
}

void shard_free_unlink(struct shard *s, unsigned pool, uint32_t off)
{
	free_unlink(s, pool, off);
}

void shard_park(struct shard *s, unsigned pool, uint32_t off)
{
	struct addr_entry *e = &s->as->pools[pool].e[off];

	e->state = LW_BIND_BACKUP;
	e->slot = LEASE_NONE;
	e->next = e->prev = OFF_NONE;
	__atomic_store_n(&e->owner, ADDR_OWNER_NONE, __ATOMIC_RELEASE);
	s->ctr[LW_CTR_ADDR_PARKED]++;
}

/* ------------------------------------------------------------------------ */
/* Shard life cycle */

/*
 * The client table's hash: rte_hash_crc() over the 32-byte key, unrolled
 * (rte_hash_crc() loops over any length). It is the table's hash_func and
 * the shard calls it directly for the signatures it passes to the *_with_hash
 * calls: both give the same value.
 */
static inline uint32_t key_crc(const struct lw_client_key *k, uint32_t init)
{
	uint64_t w[4];

	memcpy(w, k, sizeof(w));
#ifdef __SSE4_2__
	init = (uint32_t)_mm_crc32_u64(init, w[0]);
	init = (uint32_t)_mm_crc32_u64(init, w[1]);
	init = (uint32_t)_mm_crc32_u64(init, w[2]);
	return (uint32_t)_mm_crc32_u64(init, w[3]);
#else
	init = rte_hash_crc_8byte(w[0], init);
	init = rte_hash_crc_8byte(w[1], init);
	init = rte_hash_crc_8byte(w[2], init);
	return rte_hash_crc_8byte(w[3], init);
#endif
}

/* The table's hash_func: what rte_hash_lookup(), _add_key() and _del_key()
 * hash with, so the same value as key_sig(). key_len is always 32. */
static uint32_t key_hash(const void *key, uint32_t key_len, uint32_t init_val)
{
	(void)key_len;
	return key_crc(key, init_val);
}

static inline uint32_t key_sig(const struct lw_client_key *k)
{
	return key_crc(k, KEY_HASH_INIT);
}

struct shard *shard_create(const struct shard_params *p)
{
	struct rte_hash_parameters hp = {0};
	char name[RTE_HASH_NAMESIZE];
	struct shard *s;
	unsigned cap = p->capacity < 64 ? 64 : p->capacity;

	if (p->as == NULL || p->id >= p->as->n_shards) {
		errno = EINVAL;
		return NULL;
	}
	s = aligned_alloc(64, (sizeof(*s) + 63) & ~(size_t)63);
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->id = p->id;
	s->n_shards = p->as->n_shards;
	s->capacity = cap;
	s->cfg = p->cfg;
	s->as = p->as;
	s->send = p->send;
	s->send_arg = p->send_arg;
	s->ctr = p->ctr ? p->ctr : s->ctr_sink;

	snprintf(name, sizeof(name), "lw_shard_%u", p->id);
	hp.name = name;
	hp.entries = cap;
	hp.key_len = sizeof(struct lw_client_key);
	hp.hash_func = key_hash;
	hp.hash_func_init_val = KEY_HASH_INIT;
	hp.socket_id = (int)p->socket;
	/* The extendable table lets the hash hold `entries` keys whatever
	 * their bucket collisions: a full shard means `capacity` clients. */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	s->h = rte_hash_create(&hp);
	s->leases = calloc(cap, sizeof(*s->leases));
	s->ps = calloc(p->as->n_pools ? p->as->n_pools : 1, sizeof(*s->ps));
	if (s->h == NULL || s->leases == NULL || s->ps == NULL) {
		shard_free(s);
		errno = ENOMEM;
		return NULL;
	}

	for (unsigned pool = 0; pool < p->as->n_pools; pool++) {
		struct addr_pool *ap = &p->as->pools[pool];
		struct pool_state *ps = &s->ps[pool];

		ps->free.head = ps->free.tail = OFF_NONE;
		ps->declined.head = ps->declined.tail = OFF_NONE;
		ps->pub_free = &ap->free_count[s->id * 16];
		for (uint32_t off = 0; off < ap->size; off++)
			if (ap->e[off].owner == s->id && ap->e[off].state == LW_BIND_FREE)
				shard_free_push(s, pool, off);
	}
	return s;
}

void shard_free(struct shard *s)
{
	if (s == NULL)
		return;
	if (s->h)
		rte_hash_free(s->h);
	free(s->leases);
	free(s->ps);
	free(s);
}

unsigned shard_id(const struct shard *s)
{
	return s->id;
}

void shard_set_cfg(struct shard *s, const struct lw_config *cfg)
{
	s->cfg = cfg;
}

struct addr_space *shard_addr_space(const struct shard *s)
{
	return s->as;
}

/* ------------------------------------------------------------------------ */
/* Clients */

struct lease *shard_lookup(struct shard *s, const struct lw_client_key *k)
{
	int32_t pos = rte_hash_lookup(s->h, k);

	return pos >= 0 ? &s->leases[pos] : NULL;
}

struct lease *shard_lookup_sig(struct shard *s, const struct lw_client_key *k, uint32_t *sig)
{
	int32_t pos;

	*sig = key_sig(k);
	pos = rte_hash_lookup_with_hash(s->h, k, *sig);
	return pos >= 0 ? &s->leases[pos] : NULL;
}

static inline struct lease *insert_at(
	struct shard *s, const struct lw_client_key *k, int32_t pos, uint32_t sig);

struct lease *shard_insert_sig(struct shard *s, const struct lw_client_key *k, uint32_t sig)
{
	return insert_at(s, k, rte_hash_add_key_with_hash(s->h, k, sig), sig);
}

/* The pool entry of address a in this address space, or NULL. */
static inline struct addr_entry *entry_by_addr(const struct shard *s, uint32_t a)
{
	const struct addr_pool *p = s->as->pools;
	unsigned lo = 0, hi = s->as->n_pools;

	while (lo < hi) { /* the first pool starting above a (pools are sorted) */
		unsigned mid = lo + (hi - lo) / 2;

		if (p[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || a - p[lo - 1].start >= p[lo - 1].size)
		return NULL;
	return &p[lo - 1].e[a - p[lo - 1].start];
}

static inline bool key_equal(const struct lw_client_key *a, const struct lw_client_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

void shard_lookup_burst(struct shard *s, struct shard_hint *h, unsigned n)
{
	const void *keys[64];
	hash_sig_t sigs[64];
	int32_t pos[64];
	struct addr_entry *e[64];
	uint8_t rest[64];
	unsigned n_rest = 0, n_addr = 0;

	if (n > 64)
		n = 64;
	s->burst++;
	memset(s->ins_bloom, 0, sizeof(s->ins_bloom));
	for (unsigned i = 0; i < n; i++) {
		h[i].sig = key_sig(&h[i].key);
		h[i].pos = -1;
		h[i].ins_gen = s->ins_gen;
		h[i].del_gen = s->del_gen;
		h[i].burst = s->burst;
		e[i] = h[i].addr ? entry_by_addr(s, h[i].addr) : NULL;
		if (e[i]) {
			rte_prefetch0(e[i]);
			n_addr++;
		}
	}
	/*
	 * A REQUEST names its address (50 when SELECTING or INIT-REBOOT,
	 * ciaddr when RENEWING), and that address's entry names the slot of
	 * its lease. A slot whose lease has the client's key is the client's
	 * slot, whatever the entry's state or owner says (a removed client's
	 * slot is wiped by shard_remove, and a key is in the table once): the
	 * client is found without the hash table (-75 instructions per
	 * REQUEST). Those not found so go through one bulk lookup.
	 */
	if (n_addr == 0) {
		for (unsigned i = 0; i < n; i++) {
			keys[i] = &h[i].key;
			sigs[i] = h[i].sig;
		}
		(void)rte_hash_lookup_with_hash_bulk(s->h, keys, sigs, n, pos);
		for (unsigned i = 0; i < n; i++) {
			h[i].pos = pos[i];
			if (pos[i] >= 0 && (unsigned)pos[i] < s->capacity)
				rte_prefetch0(&s->leases[pos[i]]);
		}
		return;
	}
	/* Entries, then leases, then keys: each pass reads what the one before
	 * prefetched, for the whole burst at once. */
	for (unsigned i = 0; i < n; i++) {
		if (e[i] && e[i]->slot < s->capacity)
			rte_prefetch0(&s->leases[e[i]->slot]);
		else
			e[i] = NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (e[i] && key_equal(&s->leases[e[i]->slot].key, &h[i].key)) {
			h[i].pos = (int32_t)e[i]->slot;
			continue;
		}
		keys[n_rest] = &h[i].key;
		sigs[n_rest] = h[i].sig;
		rest[n_rest++] = (uint8_t)i;
	}
	if (n_rest == 0)
		return;
	(void)rte_hash_lookup_with_hash_bulk(s->h, keys, sigs, n_rest, pos);
	for (unsigned j = 0; j < n_rest; j++) {
		h[rest[j]].pos = pos[j];
		if (pos[j] >= 0 && (unsigned)pos[j] < s->capacity)
			rte_prefetch0(&s->leases[pos[j]]);
	}
}

/* The bit of ins_bloom a signature sets. */
static inline uint32_t bloom_bit(uint32_t sig)
{
	return sig & (SHARD_BLOOM_BITS - 1);
}

static inline bool bloom_has(const struct shard *s, uint32_t sig)
{
	return (s->ins_bloom[bloom_bit(sig) / 64] >> (bloom_bit(sig) % 64)) & 1;
}

static struct lease *lookup_hint(struct shard *s, const struct shard_hint *h)
{
	int32_t pos = rte_hash_lookup_with_hash(s->h, &h->key, h->sig);

	return pos >= 0 ? &s->leases[pos] : NULL;
}

struct lease *shard_hint_lease(struct shard *s, const struct shard_hint *h)
{
	uint32_t since = s->ins_gen - h->ins_gen;

	if (h->del_gen != s->del_gen)
		return lookup_hint(s, h);
	if (h->pos >= 0)
		return (unsigned)h->pos < s->capacity ? &s->leases[h->pos] : NULL;
	/* Not found then: still not, unless an insert since had its signature
	 * (a new client's DISCOVER inserts; the burst's other new clients
	 * need no second lookup). A hint of this burst asks the bloom filter
	 * instead of walking ins_sig, a walk as long as the burst's inserts so
	 * far (-100 instructions per DISCOVER, burst 32); a false positive
	 * only costs a lookup. */
	if (h->burst == s->burst)
		return bloom_has(s, h->sig) ? lookup_hint(s, h) : NULL;
	if (since > SHARD_INS_SIGS)
		return lookup_hint(s, h);
	for (uint32_t g = h->ins_gen; g != s->ins_gen; g++)
		if (s->ins_sig[g & (SHARD_INS_SIGS - 1)] == h->sig)
			return lookup_hint(s, h);
	return NULL;
}

struct lease *shard_insert(struct shard *s, const struct lw_client_key *k)
{
	uint32_t sig = key_sig(k);

	return insert_at(s, k, rte_hash_add_key_with_hash(s->h, k, sig), sig);
}

static inline struct lease *insert_at(
	struct shard *s, const struct lw_client_key *k, int32_t pos, uint32_t sig)
{
	struct lease *l;

	if (pos < 0 || (unsigned)pos >= s->capacity)
		return NULL;
	s->ins_sig[s->ins_gen++ & (SHARD_INS_SIGS - 1)] = sig;
	s->ins_bloom[bloom_bit(sig) / 64] |= 1ull << (bloom_bit(sig) % 64);
	l = &s->leases[pos];
	*l = (struct lease){.key = *k, .pool = POOL_NONE, .state = LW_BIND_FREE};
	s->n_leases++;
	return l;
}

void shard_remove(struct shard *s, struct lease *l)
{
	if (l->key.kind == LW_KEY_NONE)
		return;
	if (l->state == LW_BIND_ACTIVE)
		s->n_active--;
	rte_hash_del_key(s->h, &l->key);
	s->del_gen++;
	memset(l, 0, sizeof(*l));
	s->n_leases--;
}

static inline uint32_t slot_of(const struct shard *s, const struct lease *l)
{
	return (uint32_t)(l - s->leases);
}

struct lease *shard_lease_at(struct shard *s, uint32_t slot)
{
	return slot < s->capacity ? &s->leases[slot] : NULL;
}

static inline struct addr_entry *entry_of(struct shard *s, unsigned pool, uint32_t addr)
{
	struct addr_pool *ap;

	if (pool >= s->as->n_pools)
		return NULL;
	ap = &s->as->pools[pool];
	if (addr < ap->start || addr - ap->start >= ap->size)
		return NULL;
	return &ap->e[addr - ap->start];
}

uint32_t shard_slot(const struct shard *s, const struct lease *l)
{
	return slot_of(s, l);
}

struct addr_entry *shard_addr_entry(struct shard *s, unsigned pool, uint32_t addr)
{
	return entry_of(s, pool, addr);
}

/* ------------------------------------------------------------------------ */
/* Addresses */

static uint32_t others_free(const struct shard *s, unsigned pool, unsigned *richest, uint32_t *best)
{
	uint32_t total = 0;

	*richest = s->id;
	*best = 0;
	for (unsigned i = 0; i < s->n_shards; i++) {
		uint32_t n;

		if (i == s->id)
			continue;
		n = addr_space_free_count(s->as, pool, i);
		total += n;
		if (n > *best) {
			*best = n;
			*richest = i;
		}
	}
	return total;
}

/*
 * This shard is dry in pool (a client is waiting): asks the richest other
 * shard for addresses, at most one request in flight. Evening shards out
 * before they run dry is control's job (LW_CMD_MOVE, shard_give()); this
 * path must not wait for control. Returns true when a request is (or
 * already was) on its way, false when no other shard has a free address.
 */
static bool request_addrs(struct shard *s, unsigned pool)
{
	struct pool_state *ps = &s->ps[pool];
	struct wmsg m = {0};
	uint32_t best;
	unsigned to;

	if (s->send == NULL || others_free(s, pool, &to, &best) == 0)
		return false;
	if (ps->requested && (int32_t)(s->now - ps->request_sent) < REQUEST_RETRY)
		return true;
	m.type = WMSG_ADDR_REQUEST;
	m.from = (uint8_t)s->id;
	m.pool = pool;
	m.n = GRANT_WANT;
	m.flags = WMSG_F_DRY;
	if (s->send(s->send_arg, to, &m) == 0) {
		ps->requested = true;
		ps->request_sent = s->now;
	}
	return true;
}

/* Forgets a remembered (expired or released) binding whose address is being reused. */
static void drop_history(struct shard *s, struct addr_entry *e, uint32_t addr, struct lease *keep)
{
	struct lease *old;

	if (e->slot == LEASE_NONE)
		return;
	old = shard_lease_at(s, e->slot);
	e->slot = LEASE_NONE;
	if (old == NULL || old == keep || old->addr != addr)
		return;
	if (old->state == LW_BIND_EXPIRED || old->state == LW_BIND_RELEASED)
		shard_remove(s, old);
}

uint32_t shard_take_addr(struct shard *s, unsigned pool, uint32_t want, struct lease *l, bool *wait)
{
	struct addr_pool *ap = &s->as->pools[pool];
	struct pool_state *ps = &s->ps[pool];
	uint32_t off, addr;

	*wait = false;
	if (want) {
		struct addr_entry *e = entry_of(s, pool, want);

		if (e == NULL || e->owner != s->id || e->state != LW_BIND_FREE)
			return 0;
		off = want - ap->start;
	} else {
		if (ps->free.count == 0)
			*wait = request_addrs(s, pool);
		off = ps->free.head;
		if (off == OFF_NONE)
			return 0;
	}
	free_unlink(s, pool, off);
	addr = ap->start + off;
	drop_history(s, &ap->e[off], addr, l);
	ap->e[off].slot = slot_of(s, l);
	ap->e[off].state = LW_BIND_OFFERED;
	l->addr = addr;
	l->pool = (uint16_t)pool;
	l->subnet = (uint16_t)ap->subnet;
	l->reserved = 0;
	/* A new binding: the partner has acknowledged nothing of it yet. */
	l->tsfp = 0;
	return addr;
}

void shard_put_addr(struct shard *s, struct lease *l)
{
	struct addr_entry *e;

	if (l->reserved || l->pool == POOL_NONE)
		return;
	e = entry_of(s, l->pool, l->addr);
	if (e == NULL || e->owner != s->id || e->state == LW_BIND_FREE ||
		e->state == LW_BIND_RESERVED || e->state == LW_BIND_DECLINED ||
		e->slot != slot_of(s, l))
		return;
	shard_free_push(s, l->pool, l->addr - s->as->pools[l->pool].start);
	/* The entry keeps naming l: the last holder gets it back first. */
}

/*
 * l's binding ended (expiry, release): its address goes back to the free
 * set, or is parked in a failover pool, where control decides when it may
 * be given out again (FAILOVER.md 4.2). An offer's address stays free.
 */
static void end_binding(struct shard *s, struct lease *l)
{
	struct addr_entry *e;

	if (l->reserved || l->pool == POOL_NONE || !s->as->pools[l->pool].failover) {
		shard_put_addr(s, l);
		return;
	}
	e = entry_of(s, l->pool, l->addr);
	if (e == NULL || e->owner != s->id || e->slot != slot_of(s, l))
		return;
	if (e->state == LW_BIND_ACTIVE)
		shard_park(s, l->pool, l->addr - s->as->pools[l->pool].start);
	else if (e->state == LW_BIND_OFFERED)
		shard_put_addr(s, l);
}

/* ------------------------------------------------------------------------ */
/* Events */

static inline uint64_t emit(struct shard *s, uint8_t state, const struct lw_client_key *key,
	uint32_t addr, uint16_t pool, uint16_t subnet, uint32_t start, uint32_t end)
{
	struct lw_bind_event *ev;

	if (!ev_room(s))
		return 0;
	ev = &s->ev[++s->seq % SHARD_EV_MAX];
	ev->type = LW_EV_BIND;
	ev->version = LW_RECORDS_VERSION;
	ev->state = state;
	ev->worker = (uint16_t)s->id;
	ev->pool = pool;
	ev->seq = s->seq;
	ev->addr = addr;
	ev->start = start;
	ev->end = end;
	ev->subnet = subnet;
	if (key)
		ev->key = *key;
	else
		memset(&ev->key, 0, sizeof(ev->key));
	return ev->seq;
}

uint64_t shard_emit(struct shard *s, uint8_t state, const struct lw_client_key *key, uint32_t addr,
	uint16_t pool, uint16_t subnet, uint32_t start, uint32_t end)
{
	return emit(s, state, key, addr, pool, subnet, start, end);
}

uint64_t shard_commit(struct shard *s, struct lease *l, uint8_t state, uint32_t now)
{
	struct addr_entry *e = l->reserved ? NULL : entry_of(s, l->pool, l->addr);
	uint8_t old = l->state;

	s->now = now;
	if (state != LW_BIND_OFFERED && state != LW_BIND_ACTIVE && state != LW_BIND_EXPIRED &&
		state != LW_BIND_RELEASED)
		return 0;
	if (state != LW_BIND_OFFERED && !ev_room(s))
		return 0;
	if (old == LW_BIND_ACTIVE && state != LW_BIND_ACTIVE)
		s->n_active--;
	else if (old != LW_BIND_ACTIVE && state == LW_BIND_ACTIVE)
		s->n_active++;

	switch (state) {
	case LW_BIND_OFFERED:
		l->state = state;
		l->start = now;
		l->end = now + s->cfg->offer_hold;
		if (e)
			e->state = LW_BIND_OFFERED;
		return 0;
	case LW_BIND_ACTIVE:
		l->state = state;
		l->start = now;
		l->end = now + l->lease_time;
		if (e)
			e->state = LW_BIND_ACTIVE;
		break;
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		l->state = state;
		l->end = now;
		end_binding(s, l);
		break;
	default:
		return 0;
	}
	return emit(s, state, &l->key, l->addr, l->pool, l->subnet, l->start, l->end);
}

void shard_drop_offer(struct shard *s, struct lease *l)
{
	if (l->state == LW_BIND_OFFERED) {
		struct addr_entry *e = l->reserved ? NULL : entry_of(s, l->pool, l->addr);

		shard_put_addr(s, l);
		if (e && e->slot == slot_of(s, l))
			e->slot = LEASE_NONE;
	}
	shard_remove(s, l);
}

uint64_t shard_decline(struct shard *s, struct lease *l, uint32_t now, uint32_t probation)
{
	struct addr_entry *e = l->reserved ? NULL : entry_of(s, l->pool, l->addr);
	uint64_t seq;

	s->now = now;
	if (!ev_room(s))
		return 0;
	if (e && e->owner == s->id && e->slot == slot_of(s, l) && e->state != LW_BIND_FREE)
		shard_declined_insert(
			s, l->pool, l->addr - s->as->pools[l->pool].start, now + probation);
	seq = emit(s, LW_BIND_DECLINED, &l->key, l->addr, l->pool, l->subnet, now, now + probation);
	shard_remove(s, l);
	return seq;
}

/* ------------------------------------------------------------------------ */
/* Housekeeping */

static void expire_one(struct shard *s, struct lease *l, uint32_t now, uint64_t *ctr)
{
	switch (l->state) {
	case LW_BIND_OFFERED:
		if ((int32_t)(now - l->end) >= 0) {
			shard_drop_offer(s, l);
			ctr[LW_CTR_OFFER_EXPIRED]++;
		}
		break;
	case LW_BIND_ACTIVE:
		if ((int32_t)(now - l->end) >= 0 && ev_room(s)) {
			shard_commit(s, l, LW_BIND_EXPIRED, now);
			ctr[LW_CTR_LEASE_EXPIRED]++;
			ctr[LW_CTR_LEASE_COMMIT]++;
		}
		break;
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		if ((int32_t)(now - l->end) >= LEASE_HISTORY) {
			struct addr_entry *e = l->reserved ? NULL : entry_of(s, l->pool, l->addr);

			if (e && e->owner == s->id && e->slot == slot_of(s, l))
				e->slot = LEASE_NONE;
			shard_remove(s, l);
		}
		break;
	default:
		break;
	}
}

static void reclaim_declined(struct shard *s, uint32_t now, uint64_t *ctr)
{
	for (unsigned pool = 0; pool < s->as->n_pools && s->n_declined; pool++) {
		struct addr_pool *ap = &s->as->pools[pool];
		struct fifo *d = &s->ps[pool].declined;

		/* The FIFO is in probation-end order (shard_declined_insert). */
		while (d->head != OFF_NONE && ev_room(s)) {
			uint32_t off = d->head;
			struct addr_entry *e = &ap->e[off];

			if ((int32_t)(now - e->slot) < 0)
				break;
			fifo_unlink(ap->e, d, off);
			s->n_declined--;
			e->slot = LEASE_NONE;
			if (ap->failover)
				shard_park(s, pool, off);
			else
				shard_free_push(s, pool, off);
			emit(s, LW_BIND_FREE, NULL, ap->start + off, (uint16_t)pool,
				(uint16_t)ap->subnet, now, now);
			ctr[LW_CTR_DECLINE_REUSED]++;
			ctr[LW_CTR_LEASE_COMMIT]++;
		}
	}
}

void shard_housekeep(struct shard *s, uint32_t now, unsigned budget, uint64_t *ctr)
{
	s->now = now;
	/* With no room for an event the sweep waits where it is: a lease
	 * passed over now would stay active until the sweep came round again. */
	for (unsigned i = 0; i < budget && ev_room(s); i++) {
		struct lease *l = &s->leases[s->sweep];

		if (++s->sweep == s->capacity)
			s->sweep = 0;
		if (l->key.kind != LW_KEY_NONE)
			expire_one(s, l, now, ctr);
	}
	if (s->n_declined)
		reclaim_declined(s, now, ctr);
}

/*
 * Sends shard `to` up to `give` free addresses of pool from the head of our
 * FIFO (the least recently used), WMSG_MAX_OFFSETS per message. Returns how
 * many were sent; a full ring stops it and the addresses of that message stay.
 */
static unsigned send_free(struct shard *s, unsigned to, unsigned pool, unsigned give, uint64_t *ctr)
{
	struct addr_pool *ap = &s->as->pools[pool];
	struct pool_state *ps = &s->ps[pool];
	unsigned sent = 0;

	while (give > 0) {
		struct wmsg m = {0};

		m.type = WMSG_ADDR_GRANT;
		m.from = (uint8_t)s->id;
		m.pool = pool;
		while (m.n < WMSG_MAX_OFFSETS && give > 0 && ps->free.head != OFF_NONE) {
			uint32_t off = ps->free.head;

			free_unlink(s, pool, off);
			/* History stays with us: the address is no longer ours to give back. */
			ap->e[off].slot = LEASE_NONE;
			ap->e[off].owner = (uint8_t)to;
			m.offsets[m.n++] = off;
			give--;
		}
		if (m.n == 0)
			break;
		if (s->send(s->send_arg, to, &m) < 0) {
			/* Ring full: keep them; the requester (or control) asks again. */
			for (unsigned i = 0; i < m.n; i++) {
				ap->e[m.offsets[i]].owner = (uint8_t)s->id;
				shard_free_push(s, pool, m.offsets[i]);
			}
			break;
		}
		ctr[LW_CTR_ADDR_GRANT_OUT] += m.n;
		sent += m.n;
	}
	return sent;
}

/*
 * Answers a dry shard's request for up to `want` addresses of pool: half the
 * difference between its free count and ours, so that the two end up level
 * and a second request finds nothing to even out; at least one.
 */
static void grant(struct shard *s, unsigned to, unsigned pool, unsigned want, uint64_t *ctr)
{
	uint32_t ours = s->ps[pool].free.count;
	uint32_t theirs = addr_space_free_count(s->as, pool, to);
	unsigned give = ours > theirs ? (ours - theirs) / 2 : 0;

	if (give == 0 && ours > 0)
		give = 1;
	send_free(s, to, pool, give < want ? give : want, ctr);
}

int shard_give(struct shard *s, unsigned to, unsigned pool, unsigned n, uint64_t *ctr)
{
	if (s->send == NULL || to >= s->n_shards || to == s->id || pool >= s->as->n_pools)
		return -EINVAL;
	return (int)send_free(s, to, pool, n, ctr);
}

void shard_handle_msg(struct shard *s, const struct wmsg *m, uint64_t *ctr)
{
	struct addr_pool *ap;

	if (m->pool >= s->as->n_pools || m->from >= s->n_shards || m->from == s->id)
		return;
	ap = &s->as->pools[m->pool];
	switch (m->type) {
	case WMSG_ADDR_REQUEST:
		if (s->send)
			grant(s, m->from, m->pool, m->n, ctr);
		break;
	case WMSG_ADDR_GRANT:
		for (unsigned i = 0; i < m->n && i < WMSG_MAX_OFFSETS; i++) {
			uint32_t off = m->offsets[i];

			if (off >= ap->size || ap->e[off].owner != s->id ||
				ap->e[off].state != LW_BIND_FREE)
				continue;
			shard_free_push(s, m->pool, off);
			ctr[LW_CTR_ADDR_GRANT_IN]++;
		}
		s->ps[m->pool].requested = false;
		break;
	default:
		break;
	}
}

void shard_get_stats(const struct shard *s, struct shard_stats *st)
{
	st->leases = s->n_leases;
	st->active = s->n_active;
	st->free = s->n_free;
	st->declined = s->n_declined;
}
