/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Lease store: one array of records and three indexes over it.
 *
 *  - by address: open addressing, linear probing, 32-bit entries (a slot
 *    number and a few bits of hash, see TAG_BITS); deletion shifts the
 *    following entries back (no tombstones), so a probe stops at the first
 *    empty bucket and tables never fill with dead entries.
 *  - by client key: the same table shape. An entry points to the client's
 *    "head" record: its ACTIVE one if it has one, else its most recent one.
 *    All records of one key form a ring (rec.knext), so that when the head
 *    is removed or changes hands the next head is found among the client's
 *    own records (a handful) instead of by a scan of the store.
 *  - by address order: a bitmap of present addresses in a three-level radix
 *    (/16 -> /24 -> 256 bits), for store_page. A page costs the bits it
 *    walks plus one hash lookup per record returned, not a scan of the
 *    store. Nodes are never freed: addresses come from configured pools, so
 *    the radix stays as large as the set of /24s ever used (32 bytes each).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/config.h"
#include "store.h"

#define NONE	  UINT32_MAX
#define MIN_TABLE 1024u
/*
 * An index entry is 32 bits: the top TAG_BITS of the key's hash, then the
 * slot. The tag lets a probe pass buckets of other keys without reading
 * their records (each such read is a cache miss; at 10M leases that was
 * most of the start-up time). It caps the store at SLOT_MAX records.
 */
#define TAG_BITS	4
#define SLOT_MASK	(UINT32_MAX >> TAG_BITS)
#define SLOT_MAX	(SLOT_MASK - 1) /* SLOT_MASK with every tag bit set is NONE */
#define TAG(h)		((h) & ~SLOT_MASK)
#define RADIX_TOP	65536u
#define RADIX_TOP_WORDS (RADIX_TOP / 64)

struct rec {
	struct store_lease l; /* l.state == LW_BIND_FREE: the slot is free */
	uint32_t knext;	      /* next record of the same key (ring), or next free slot */
};

/* Open-addressing table of tagged slot numbers; NONE marks an empty bucket. */
struct idx {
	uint32_t *t;
	uint32_t mask;
	uint32_t n;
};

struct radix_mid {
	uint32_t leaf[256]; /* leaf number + 1, 0 = none */
};

struct radix_leaf {
	uint64_t w[4];
};

struct store {
	struct rec *recs;
	uint32_t cap;	    /* slots allocated */
	uint32_t used;	    /* slots ever handed out (high-water mark) */
	uint32_t count;	    /* live records */
	uint32_t free_head; /* free slots below used, linked through knext */

	struct idx by_addr;
	struct idx by_key;

	uint32_t top[RADIX_TOP];	    /* addr >> 16 -> mid number + 1 */
	uint64_t top_bits[RADIX_TOP_WORDS]; /* which top entries have a mid */
	struct radix_mid *mids;
	uint32_t n_mids, cap_mids;
	struct radix_leaf *leaves;
	uint32_t n_leaves, cap_leaves;

	uint32_t assigned[LW_MAX_SUBNETS];
	uint32_t declined[LW_MAX_SUBNETS];
	uint32_t pool_recs[LW_MAX_POOLS];   /* records per pool index */
	uint32_t pool_backup[LW_MAX_POOLS]; /* BACKUP records per pool index */
};

/* ------------------------------------------------------------------------ */
/* Hashing */

static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static inline uint32_t hash_addr(uint32_t a)
{
	return (uint32_t)mix64(a);
}

static inline uint32_t hash_key(const struct lw_client_key *k)
{
	uint64_t w[4], h;

	memcpy(w, k, sizeof(w));
	h = w[0] ^ mix64(w[1] + 0x9e3779b97f4a7c15ull);
	h = mix64(h) ^ w[2];
	h = mix64(h) ^ w[3];
	return (uint32_t)mix64(h);
}

static inline uint32_t rec_hash_key(const struct store *st, uint32_t slot)
{
	return hash_key(&st->recs[slot].l.key);
}

/* Keys are compared and hashed as whole 32-byte structs: clear what len does not cover. */
static int key_normalize(struct lw_client_key *k)
{
	if (k->kind > LW_KEY_CLIENT_ID_DIGEST || k->len > LW_KEY_DATA)
		return -EINVAL;
	if (k->kind == LW_KEY_NONE)
		memset(k, 0, sizeof(*k));
	else
		memset(k->data + k->len, 0, LW_KEY_DATA - k->len);
	return 0;
}

static inline bool key_indexed(const struct lw_client_key *k)
{
	return k->kind != LW_KEY_NONE;
}

/* ------------------------------------------------------------------------ */
/* Index tables */

/* The arrays are read at random: 2 MB pages save most TLB misses (THP "madvise" mode). */
static void huge_hint(void *p, size_t len)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1),
		  e = ((uintptr_t)p + len) & ~(huge - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

static int idx_alloc(struct idx *x, uint32_t size)
{
	uint32_t *t = malloc((size_t)size * sizeof(*t));

	if (t == NULL)
		return -ENOMEM;
	huge_hint(t, (size_t)size * sizeof(*t));
	memset(t, 0xff, (size_t)size * sizeof(*t));
	free(x->t);
	x->t = t;
	x->mask = size - 1;
	x->n = 0;
	return 0;
}

/* Buckets for n entries at a load of at most 3/4. */
static uint32_t table_size_for(uint32_t n)
{
	uint64_t need = (uint64_t)n * 4 / 3 + 1, size = MIN_TABLE;

	while (size < need)
		size <<= 1;
	return size > (1u << 31) ? (1u << 31) : (uint32_t)size;
}

static inline uint32_t slot_hash(const struct store *st, const struct idx *x, uint32_t slot)
{
	return x == &st->by_addr ? hash_addr(st->recs[slot].l.addr) : rec_hash_key(st, slot);
}

static inline uint32_t idx_slot(const struct idx *x, uint32_t b)
{
	return x->t[b] == NONE ? NONE : x->t[b] & SLOT_MASK;
}

/* Points bucket b (of the same key) at another slot. */
static inline void idx_set_slot(struct idx *x, uint32_t b, uint32_t slot)
{
	x->t[b] = (x->t[b] & ~SLOT_MASK) | slot;
}

/* Fills bucket b, found empty by a lookup of the same hash. */
static inline void idx_fill(struct idx *x, uint32_t b, uint32_t h, uint32_t slot)
{
	x->t[b] = TAG(h) | slot;
	x->n++;
}

static void idx_put(struct idx *x, uint32_t h, uint32_t slot)
{
	uint32_t i = h & x->mask;

	while (x->t[i] != NONE)
		i = (i + 1) & x->mask;
	idx_fill(x, i, h, slot);
}

/* Rebuilds x with room for n entries, from the records it indexes now. */
static int idx_resize(struct store *st, struct idx *x, uint32_t n)
{
	struct idx nx = {0};
	int rc = idx_alloc(&nx, table_size_for(n));

	if (rc < 0)
		return rc;
	for (uint32_t i = 0; x->t && i <= x->mask; i++)
		if (x->t[i] != NONE)
			idx_put(&nx, slot_hash(st, x, idx_slot(x, i)), idx_slot(x, i));
	free(x->t);
	*x = nx;
	return 0;
}

static inline int idx_room(struct store *st, struct idx *x, uint32_t more)
{
	uint64_t n = (uint64_t)x->n + more;

	if (n * 4 <= (uint64_t)(x->mask + 1) * 3)
		return 0;
	if (n > UINT32_MAX / 2)
		return -ENOMEM;
	return idx_resize(st, x, (uint32_t)n * 2);
}

/* Removes bucket i and shifts back the entries whose probe sequence passed through it. */
static void idx_del_at(const struct store *st, struct idx *x, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & x->mask;
		if (x->t[j] == NONE)
			break;
		home = slot_hash(st, x, idx_slot(x, j)) & x->mask;
		/* Entry j may move to i only if its home is not in (i, j] (cyclically). */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		x->t[i] = x->t[j];
		i = j;
	}
	x->t[i] = NONE;
	x->n--;
}

/* The bucket holding addr, or the empty bucket where it would go. */
static uint32_t addr_bucket(const struct store *st, uint32_t addr, uint32_t h)
{
	const struct idx *x = &st->by_addr;

	for (uint32_t i = h & x->mask;; i = (i + 1) & x->mask) {
		uint32_t e = x->t[i];

		if (e == NONE || (TAG(e) == TAG(h) && st->recs[e & SLOT_MASK].l.addr == addr))
			return i;
	}
}

static uint32_t key_bucket(const struct store *st, const struct lw_client_key *k, uint32_t h)
{
	const struct idx *x = &st->by_key;

	for (uint32_t i = h & x->mask;; i = (i + 1) & x->mask) {
		uint32_t e = x->t[i];

		if (e == NONE || (TAG(e) == TAG(h) && memcmp(&st->recs[e & SLOT_MASK].l.key, k,
							      sizeof(*k)) == 0))
			return i;
	}
}

static inline uint32_t addr_find(const struct store *st, uint32_t addr)
{
	return addr_bucket(st, addr, hash_addr(addr));
}

static inline uint32_t key_find(const struct store *st, const struct lw_client_key *k)
{
	return key_bucket(st, k, hash_key(k));
}

/* ------------------------------------------------------------------------ */
/* Address-order radix */

static int radix_room(struct store *st, uint32_t addr)
{
	uint32_t hi = addr >> 16, mid = st->top[hi];

	if (mid == 0 && st->n_mids == st->cap_mids) {
		uint32_t cap = st->cap_mids ? st->cap_mids * 2 : 16;
		struct radix_mid *m = realloc(st->mids, (size_t)cap * sizeof(*m));

		if (m == NULL)
			return -ENOMEM;
		st->mids = m;
		st->cap_mids = cap;
	}
	if ((mid == 0 || st->mids[mid - 1].leaf[(addr >> 8) & 0xff] == 0) &&
		st->n_leaves == st->cap_leaves) {
		uint32_t cap = st->cap_leaves ? st->cap_leaves * 2 : 64;
		struct radix_leaf *l = realloc(st->leaves, (size_t)cap * sizeof(*l));

		if (l == NULL)
			return -ENOMEM;
		st->leaves = l;
		st->cap_leaves = cap;
	}
	return 0;
}

/* Needs radix_room() first: cannot fail. */
static void radix_set(struct store *st, uint32_t addr)
{
	uint32_t hi = addr >> 16, b = (addr >> 8) & 0xff;
	struct radix_mid *m;

	if (st->top[hi] == 0) {
		m = &st->mids[st->n_mids++];
		memset(m, 0, sizeof(*m));
		st->top[hi] = st->n_mids;
		st->top_bits[hi / 64] |= 1ull << (hi % 64);
	}
	m = &st->mids[st->top[hi] - 1];
	if (m->leaf[b] == 0) {
		memset(&st->leaves[st->n_leaves++], 0, sizeof(struct radix_leaf));
		m->leaf[b] = st->n_leaves;
	}
	st->leaves[m->leaf[b] - 1].w[(addr & 0xff) / 64] |= 1ull << (addr % 64);
}

static void radix_clear(struct store *st, uint32_t addr)
{
	struct radix_mid *m = &st->mids[st->top[addr >> 16] - 1];

	st->leaves[m->leaf[(addr >> 8) & 0xff] - 1].w[(addr & 0xff) / 64] &= ~(1ull << (addr % 64));
}

/* The first top entry >= hi that has a mid, or RADIX_TOP. */
static uint32_t radix_next_top(const struct store *st, uint32_t hi)
{
	while (hi < RADIX_TOP) {
		uint64_t w = st->top_bits[hi / 64] & (~0ull << (hi % 64));

		if (w)
			return (hi & ~63u) + (uint32_t)__builtin_ctzll(w);
		hi = (hi & ~63u) + 64;
	}
	return RADIX_TOP;
}

/* ------------------------------------------------------------------------ */
/* Records */

static int recs_room(struct store *st)
{
	uint64_t cap = st->cap < 1024 ? 1024 : st->cap + st->cap / 2;

	if (st->free_head != NONE || st->used < st->cap)
		return 0;
	if (st->cap == SLOT_MAX)
		return -ENOMEM;
	return store_reserve(st, cap > SLOT_MAX ? SLOT_MAX : (uint32_t)cap);
}

static uint32_t slot_take(struct store *st)
{
	uint32_t s = st->free_head;

	if (s != NONE)
		st->free_head = st->recs[s].knext;
	else
		s = st->used++;
	return s;
}

static void slot_put(struct store *st, uint32_t s)
{
	memset(&st->recs[s].l, 0, sizeof(st->recs[s].l));
	st->recs[s].knext = st->free_head;
	st->free_head = s;
}

static void count(struct store *st, const struct store_lease *l, int d)
{
	if (l->pool < LW_MAX_POOLS) {
		st->pool_recs[l->pool] += (uint32_t)d;
		if (l->state == LW_BIND_BACKUP)
			st->pool_backup[l->pool] += (uint32_t)d;
	}
	if (l->subnet >= LW_MAX_SUBNETS)
		return;
	if (l->state == LW_BIND_ACTIVE)
		st->assigned[l->subnet] += (uint32_t)d;
	else if (l->state == LW_BIND_DECLINED)
		st->declined[l->subnet] += (uint32_t)d;
}

/*
 * Which of two records of one client the key index should name: an ACTIVE
 * one over any other; among ACTIVE ones the latest bound; among the others
 * the latest to reach its state (end is that time for them).
 */
static bool better(const struct store_lease *a, const struct store_lease *b)
{
	bool aa = a->state == LW_BIND_ACTIVE, ba = b->state == LW_BIND_ACTIVE;

	if (aa != ba)
		return aa;
	if (aa)
		return a->start != b->start ? a->start > b->start : a->end > b->end;
	return a->end != b->end ? a->end > b->end : a->start > b->start;
}

static uint32_t ring_best(const struct store *st, uint32_t from)
{
	uint32_t best = from;

	for (uint32_t s = st->recs[from].knext; s != from; s = st->recs[s].knext)
		if (better(&st->recs[s].l, &st->recs[best].l))
			best = s;
	return best;
}

/* Takes slot s out of its key's ring and index; the key's entry moves to another record. */
static void key_unlink(struct store *st, uint32_t s)
{
	uint32_t b, p;

	if (!key_indexed(&st->recs[s].l.key))
		return;
	b = key_find(st, &st->recs[s].l.key);
	if (st->recs[s].knext == s) {
		idx_del_at(st, &st->by_key, b);
		return;
	}
	for (p = st->recs[s].knext; st->recs[p].knext != s; p = st->recs[p].knext)
		;
	st->recs[p].knext = st->recs[s].knext;
	st->recs[s].knext = s;
	if (idx_slot(&st->by_key, b) == s)
		idx_set_slot(&st->by_key, b, ring_best(st, p));
}

/* Puts slot s (its key set) into its key's ring; needs idx_room(by_key, 1) first. */
static void key_link(struct store *st, uint32_t s)
{
	struct rec *r = &st->recs[s];
	uint32_t b, h, head;

	r->knext = s;
	if (!key_indexed(&r->l.key))
		return;
	h = hash_key(&r->l.key);
	b = key_bucket(st, &r->l.key, h);
	head = idx_slot(&st->by_key, b);
	if (head == NONE) {
		idx_fill(&st->by_key, b, h, s);
		return;
	}
	r->knext = st->recs[head].knext;
	st->recs[head].knext = s;
	/* The record just applied is the most recent; an ACTIVE head keeps its place. */
	if (r->l.state == LW_BIND_ACTIVE || st->recs[head].l.state != LW_BIND_ACTIVE)
		idx_set_slot(&st->by_key, b, s);
}

/* Slot s changed state but kept its key: the head may have to move. */
static void key_restate(struct store *st, uint32_t s)
{
	struct rec *r = &st->recs[s];
	uint32_t b, head;

	if (!key_indexed(&r->l.key))
		return;
	b = key_find(st, &r->l.key);
	head = idx_slot(&st->by_key, b);
	if (r->l.state == LW_BIND_ACTIVE)
		idx_set_slot(&st->by_key, b, s);
	else if (head == s) {
		/* s stays head unless the client has an ACTIVE record elsewhere. */
		uint32_t best = ring_best(st, s);

		if (st->recs[best].l.state == LW_BIND_ACTIVE)
			idx_set_slot(&st->by_key, b, best);
	} else if (st->recs[head].l.state != LW_BIND_ACTIVE)
		idx_set_slot(&st->by_key, b, s);
}

/* ------------------------------------------------------------------------ */
/* API */

struct store *store_create(uint32_t expected)
{
	struct store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->free_head = NONE;
	if (idx_alloc(&st->by_addr, MIN_TABLE) < 0 || idx_alloc(&st->by_key, MIN_TABLE) < 0 ||
		store_reserve(st, expected ? expected : 1024) < 0) {
		store_free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

void store_free(struct store *st)
{
	if (st == NULL)
		return;
	free(st->recs);
	free(st->by_addr.t);
	free(st->by_key.t);
	free(st->mids);
	free(st->leaves);
	free(st);
}

int store_reserve(struct store *st, uint32_t n)
{
	int rc;

	if (n > SLOT_MAX)
		return -ENOMEM;
	if (n > st->cap) {
		struct rec *r = realloc(st->recs, (size_t)n * sizeof(*r));

		if (r == NULL)
			return -ENOMEM;
		huge_hint(r, (size_t)n * sizeof(*r));
		st->recs = r;
		st->cap = n;
	}
	if (table_size_for(n) > st->by_addr.mask + 1 && (rc = idx_resize(st, &st->by_addr, n)) < 0)
		return rc;
	if (table_size_for(n) > st->by_key.mask + 1 && (rc = idx_resize(st, &st->by_key, n)) < 0)
		return rc;
	return 0;
}

static void remove_slot(struct store *st, uint32_t bucket)
{
	uint32_t s = idx_slot(&st->by_addr, bucket);

	key_unlink(st, s);
	idx_del_at(st, &st->by_addr, bucket);
	radix_clear(st, st->recs[s].l.addr);
	count(st, &st->recs[s].l, -1);
	slot_put(st, s);
	st->count--;
}

int store_remove(struct store *st, uint32_t addr)
{
	uint32_t b = addr_find(st, addr);

	if (st->by_addr.t[b] == NONE)
		return -ENOENT;
	remove_slot(st, b);
	return 0;
}

static uint32_t addr_slot(const struct store *st, uint32_t addr)
{
	return idx_slot(&st->by_addr, addr_find(st, addr));
}

static int apply_ack(struct store *st, const struct lw_bind_event *ev)
{
	uint32_t s = addr_slot(st, ev->addr);
	struct store_lease *l;

	if (s == NONE)
		return 0;
	l = &st->recs[s].l;
	l->tsfp = ev->start;
	if (l->state == ev->state && l->end == ev->end)
		l->fo &= (uint8_t)~STORE_FO_PENDING;
	return 0;
}

int store_apply(struct store *st, const struct lw_bind_event *ev)
{
	struct lw_client_key key = ev->key;
	uint32_t b, h, s;
	struct rec *r;
	bool same_key;
	int rc;

	if (ev->type == LW_EV_FO_ACK && ev->version == LW_RECORDS_VERSION)
		return apply_ack(st, ev);
	if (ev->type != LW_EV_BIND || ev->version != LW_RECORDS_VERSION ||
		ev->subnet >= LW_MAX_SUBNETS || key_normalize(&key) < 0)
		return -EINVAL;
	switch (ev->state) {
	case LW_BIND_FREE: {
		const struct store_lease *cur = store_get_addr(st, ev->addr);

		/* A client's binding ends only its own record: the address may
		 * already belong to another (a failover peer's update). */
		if (cur && key_indexed(&key) && key_indexed(&cur->key) &&
			memcmp(&cur->key, &key, sizeof(key)) != 0)
			return 0;
		rc = store_remove(st, ev->addr);
		return rc == -ENOENT ? 0 : rc;
	}
	case LW_BIND_DECLINED:
	case LW_BIND_BACKUP:
		/* Quarantined, or in the secondary's free pool: no client owns it. */
		memset(&key, 0, sizeof(key));
		break;
	case LW_BIND_ACTIVE:
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		break;
	default:
		return -EINVAL;
	}

	/*
	 * Everything that can fail comes first, so that a failed apply changes
	 * nothing; the room is made as if the record were new (a resize moves
	 * buckets, so the lookup comes after).
	 */
	if ((rc = recs_room(st)) < 0 || (rc = idx_room(st, &st->by_addr, 1)) < 0 ||
		(rc = idx_room(st, &st->by_key, 1)) < 0 || (rc = radix_room(st, ev->addr)) < 0)
		return rc;
	h = hash_addr(ev->addr);
	b = addr_bucket(st, ev->addr, h);
	s = idx_slot(&st->by_addr, b);
	if (s == NONE) {
		s = slot_take(st);
		r = &st->recs[s];
		memset(r, 0, sizeof(*r));
		r->l.addr = ev->addr;
		idx_fill(&st->by_addr, b, h, s);
		radix_set(st, ev->addr);
		st->count++;
		same_key = false;
	} else {
		r = &st->recs[s];
		count(st, &r->l, -1);
		same_key = memcmp(&r->l.key, &key, sizeof(key)) == 0;
		if (!same_key)
			key_unlink(st, s);
		/* The partner's acknowledgement belongs to the client it was for. */
		if (!same_key || !key_indexed(&key))
			r->l.tsfp = 0;
	}
	r->l.fo = (uint8_t)((r->l.fo & STORE_FO_QUEUED) |
			    (ev->worker == LW_WORKER_PEER ? 0 : STORE_FO_PENDING));
	r->l.key = key;
	r->l.start = ev->start;
	r->l.end = ev->end;
	r->l.subnet = (uint16_t)ev->subnet;
	r->l.pool = ev->pool;
	r->l.state = ev->state;
	count(st, &r->l, +1);
	if (same_key)
		key_restate(st, s);
	else
		key_link(st, s);
	return 0;
}

void store_prefetch(const struct store *st, const struct lw_bind_event *ev)
{
	__builtin_prefetch(&st->by_addr.t[hash_addr(ev->addr) & st->by_addr.mask]);
	if (ev->key.kind != LW_KEY_NONE && ev->key.len <= LW_KEY_DATA)
		__builtin_prefetch(&st->by_key.t[hash_key(&ev->key) & st->by_key.mask]);
}

uint32_t store_count(const struct store *st)
{
	return st->count;
}

const struct store_lease *store_get_addr(const struct store *st, uint32_t addr)
{
	uint32_t s = idx_slot(&st->by_addr, addr_find(st, addr));

	return s == NONE ? NULL : &st->recs[s].l;
}

const struct store_lease *store_get_key(const struct store *st, const struct lw_client_key *k)
{
	struct lw_client_key key = *k;
	uint32_t s;

	if (key_normalize(&key) < 0 || !key_indexed(&key))
		return NULL;
	s = idx_slot(&st->by_key, key_find(st, &key));
	return s == NONE ? NULL : &st->recs[s].l;
}

/* Appends every record of key k (head first) to out; returns how many there are. */
static unsigned ring_collect(const struct store *st, const struct lw_client_key *k,
	const struct store_lease **out, unsigned max, unsigned n)
{
	uint32_t head = idx_slot(&st->by_key, key_find(st, k)), s;

	if (head == NONE)
		return n;
	s = head;
	do {
		if (n < max)
			out[n] = &st->recs[s].l;
		n++;
		s = st->recs[s].knext;
	} while (s != head);
	return n;
}

unsigned store_find_hw(const struct store *st, uint8_t htype, const uint8_t *hw, uint8_t hlen,
	const struct store_lease **out, unsigned max)
{
	struct lw_client_key k;
	unsigned n = 0;

	if (hlen + 1u > LW_KEY_DATA)
		return 0;
	/* Both spellings of the same identity: (htype, chaddr) and option 61 = htype + chaddr. */
	memset(&k, 0, sizeof(k));
	k.len = (uint8_t)(hlen + 1u);
	k.data[0] = htype;
	memcpy(k.data + 1, hw, hlen);
	k.kind = LW_KEY_HWADDR;
	n = ring_collect(st, &k, out, max, n);
	k.kind = LW_KEY_CLIENT_ID;
	return ring_collect(st, &k, out, max, n);
}

unsigned store_page(
	const struct store *st, uint32_t after, const struct store_lease **out, unsigned max)
{
	uint32_t first = after + 1, hi;
	unsigned n = 0;

	if (max == 0 || after == UINT32_MAX)
		return 0;
	for (hi = radix_next_top(st, first >> 16); hi < RADIX_TOP;
		hi = radix_next_top(st, hi + 1)) {
		const struct radix_mid *m = &st->mids[st->top[hi] - 1];
		uint32_t b = hi == first >> 16 ? (first >> 8) & 0xff : 0;

		for (; b < 256; b++) {
			uint32_t base = hi << 16 | b << 8;

			if (m->leaf[b] == 0)
				continue;
			for (unsigned w = 0; w < 4; w++) {
				uint64_t bits = st->leaves[m->leaf[b] - 1].w[w];

				/* In the block of `first`, skip the addresses below it. */
				if (base + w * 64 + 63 < first)
					continue;
				if (base + w * 64 < first)
					bits &= ~0ull << (first - base - w * 64);
				while (bits) {
					uint32_t a =
						base + w * 64 + (uint32_t)__builtin_ctzll(bits);

					out[n++] = store_get_addr(st, a);
					if (n == max)
						return n;
					bits &= bits - 1;
				}
			}
		}
	}
	return n;
}

int store_foreach(
	const struct store *st, int (*fn)(void *arg, const struct store_lease *l), void *arg)
{
	for (uint32_t s = 0; s < st->used; s++) {
		int rc;

		if (st->recs[s].l.state != LW_BIND_FREE && (rc = fn(arg, &st->recs[s].l)) != 0)
			return rc;
	}
	return 0;
}

uint32_t store_prune(struct store *st, uint32_t before)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < st->used; s++) {
		const struct store_lease *l = &st->recs[s].l;

		if ((l->state == LW_BIND_EXPIRED || l->state == LW_BIND_RELEASED) &&
			l->end < before) {
			remove_slot(st, addr_find(st, l->addr));
			n++;
		}
	}
	return n;
}

uint32_t store_subnet_assigned(const struct store *st, unsigned subnet)
{
	return subnet < LW_MAX_SUBNETS ? st->assigned[subnet] : 0;
}

void store_pool_counts(const struct store *st, unsigned pool, uint32_t *records, uint32_t *backup)
{
	*records = pool < LW_MAX_POOLS ? st->pool_recs[pool] : 0;
	*backup = pool < LW_MAX_POOLS ? st->pool_backup[pool] : 0;
}

uint32_t store_subnet_declined(const struct store *st, unsigned subnet)
{
	return subnet < LW_MAX_SUBNETS ? st->declined[subnet] : 0;
}

void store_lease_to_event(const struct store_lease *l, struct lw_bind_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = LW_EV_BIND;
	ev->version = LW_RECORDS_VERSION;
	ev->state = l->state;
	ev->pool = l->pool;
	ev->addr = l->addr;
	ev->start = l->start;
	ev->end = l->end;
	ev->subnet = l->subnet;
	ev->key = l->key;
}

bool store_lease_to_ack(const struct store_lease *l, struct lw_bind_event *ev)
{
	if ((l->fo & STORE_FO_PENDING) && l->tsfp == 0)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->type = LW_EV_FO_ACK;
	ev->version = LW_RECORDS_VERSION;
	ev->worker = LW_WORKER_CONTROL;
	ev->state = (l->fo & STORE_FO_PENDING) ? LW_BIND_FREE : l->state;
	ev->pool = l->pool;
	ev->addr = l->addr;
	ev->start = l->tsfp;
	ev->end = l->end;
	ev->subnet = l->subnet;
	return true;
}

void store_set_queued(struct store *st, uint32_t addr, bool on)
{
	uint32_t s = addr_slot(st, addr);

	if (s == NONE)
		return;
	if (on)
		st->recs[s].l.fo |= STORE_FO_QUEUED;
	else
		st->recs[s].l.fo &= (uint8_t)~STORE_FO_QUEUED;
}

uint64_t store_bytes(const struct store *st)
{
	return sizeof(*st) + (uint64_t)st->cap * sizeof(struct rec) +
	       ((uint64_t)st->by_addr.mask + 1 + st->by_key.mask + 1) * sizeof(uint32_t) +
	       (uint64_t)st->cap_mids * sizeof(struct radix_mid) +
	       (uint64_t)st->cap_leaves * sizeof(struct radix_leaf);
}
