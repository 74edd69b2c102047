/* SPDX-License-Identifier: MPL-2.0 */
/*
 * What the control process does to a shard: the retention of binding events
 * until they are durable, the start-up load of bindings, the grants of free
 * addresses and deletes, and the free counts its rebalancer reads.
 * Everything arrives from another process, so every field is checked before
 * it is used.
 */
#include <errno.h>
#include <string.h>

#include "common/lw_shm.h"
#include "shard_pvt.h"

/* ------------------------------------------------------------------------ */
/* Event retention */

unsigned shard_event_room(const struct shard *s)
{
	return SHARD_EV_MAX - (unsigned)(s->seq - s->ev_durable);
}

unsigned shard_events_pending(const struct shard *s)
{
	return (unsigned)(s->seq - s->ev_sent);
}

unsigned shard_events_unsent(const struct shard *s, const struct lw_bind_event **first)
{
	uint64_t n = s->seq - s->ev_sent;
	unsigned idx = (unsigned)((s->ev_sent + 1) % SHARD_EV_MAX);

	*first = &s->ev[idx];
	if (n > SHARD_EV_MAX - idx)
		n = SHARD_EV_MAX - idx; /* the rest starts at ev[0] */
	return (unsigned)n;
}

void shard_events_sent(struct shard *s, unsigned n)
{
	if (n > s->seq - s->ev_sent)
		n = (unsigned)(s->seq - s->ev_sent);
	s->ev_sent += n;
}

unsigned shard_events_take(struct shard *s, struct lw_bind_event *out, unsigned max)
{
	const struct lw_bind_event *first;
	unsigned got = 0, n;

	while (got < max && (n = shard_events_unsent(s, &first)) > 0) {
		if (n > max - got)
			n = max - got;
		memcpy(out + got, first, n * sizeof(*first));
		shard_events_sent(s, n);
		got += n;
	}
	return got;
}

void shard_events_durable(struct shard *s, uint64_t seq)
{
	/* A sequence beyond ours cannot be durable: a confused peer. */
	if (seq > s->seq)
		seq = s->seq;
	if (seq <= s->ev_durable)
		return;
	s->ev_durable = seq;
	if (s->ev_sent < seq)
		s->ev_sent = seq;
}

void shard_events_rewind(struct shard *s)
{
	s->ev_sent = s->ev_durable;
}

const struct lw_bind_event *shard_event_at(const struct shard *s, uint64_t seq)
{
	if (seq <= s->ev_durable || seq > s->seq)
		return NULL;
	return &s->ev[seq % SHARD_EV_MAX];
}

uint64_t shard_last_seq(const struct shard *s)
{
	return s->seq;
}

uint64_t shard_sent_seq(const struct shard *s)
{
	return s->ev_sent;
}

uint64_t shard_durable_seq(const struct shard *s)
{
	return s->ev_durable;
}

/* ------------------------------------------------------------------------ */
/* Checks */

/* A usable client key, copied with its unused bytes zeroed (it is hashed whole). */
static bool key_copy(const struct lw_client_key *in, struct lw_client_key *out)
{
	if (in->kind < LW_KEY_HWADDR || in->kind > LW_KEY_CLIENT_ID_DIGEST || in->len == 0 ||
		in->len > LW_KEY_DATA)
		return false;
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->len = in->len;
	memcpy(out->data, in->data, in->len);
	return true;
}

/*
 * Where b's address lives now: *pool (-1 outside the pools) and *subnet. A
 * pool index must name a pool that holds the address. POOL_NONE (how a
 * reservation's binding is recorded) is looked up, since the address may
 * lie inside a pool of the configuration running now. -EINVAL when the
 * address is in no subnet.
 */
static int locate(const struct shard *s, const struct lw_bind_event *b, int *pool, unsigned *subnet)
{
	const struct lw_subnet_conf *sn;

	if (b->pool != POOL_NONE) {
		const struct addr_pool *ap;

		if (b->pool >= s->as->n_pools)
			return -EINVAL;
		ap = &s->as->pools[b->pool];
		if (b->addr < ap->start || b->addr - ap->start >= ap->size)
			return -EINVAL;
		*pool = b->pool;
		*subnet = ap->subnet;
		return 0;
	}
	sn = lw_config_subnet_for(s->cfg, b->addr);
	if (sn == NULL)
		return -EINVAL;
	*subnet = (unsigned)(sn - s->cfg->subnets);
	*pool = lw_config_pool_for(s->cfg, sn, b->addr);
	return 0;
}

static bool failover_pool(const struct shard *s, int pool)
{
	return pool >= 0 && s->as->pools[pool].failover;
}

/* ------------------------------------------------------------------------ */
/* Start-up load */

/* Whether record b should replace the binding l already holds. */
static bool newer(const struct lease *l, const struct lw_bind_event *b)
{
	bool l_active = l->state == LW_BIND_ACTIVE, b_active = b->state == LW_BIND_ACTIVE;

	if (l->state == LW_BIND_FREE || l->state == LW_BIND_OFFERED)
		return true;
	if (l_active != b_active)
		return b_active;
	if (b_active)
		return (int32_t)(b->start - l->start) > 0;
	return (int32_t)(b->end - l->end) > 0;
}

/*
 * l's binding is being replaced: its pool address goes to our free set, or
 * is parked when it was bound in a failover pool (an offer's stays free).
 */
static void let_go(struct shard *s, struct lease *l)
{
	struct addr_entry *e = l->reserved ? NULL : shard_addr_entry(s, l->pool, l->addr);
	uint32_t off;

	if (l->state == LW_BIND_ACTIVE)
		s->n_active--;
	if (e == NULL || e->owner != s->id || e->slot != shard_slot(s, l))
		return;
	off = l->addr - s->as->pools[l->pool].start;
	if (e->state == LW_BIND_ACTIVE && s->as->pools[l->pool].failover) {
		shard_park(s, l->pool, off);
		return;
	}
	if (e->state == LW_BIND_ACTIVE || e->state == LW_BIND_OFFERED)
		shard_free_push(s, l->pool, off);
	e->slot = LEASE_NONE;
}

/*
 * A failover pool's entry that must not be given out (an EXPIRED or RELEASED
 * record, a BACKUP one): parked, from unowned free or from our free set.
 * Returns 0, or -EEXIST when it is bound, declined or another shard's.
 */
static int park_entry(struct shard *s, unsigned pool, uint32_t off)
{
	struct addr_entry *e = &s->as->pools[pool].e[off];

	if (e->owner == s->id) {
		if (e->state != LW_BIND_FREE)
			return -EEXIST;
		shard_free_unlink(s, pool, off);
		shard_park(s, pool, off);
		return 0;
	}
	if (e->state == LW_BIND_RESERVED ||
		(e->state == LW_BIND_BACKUP &&
			__atomic_load_n(&e->owner, __ATOMIC_RELAXED) == ADDR_OWNER_NONE))
		return 0;
	if (!shard_claim_free(e, s->id, false))
		return -EEXIST;
	/* It was nobody's: parked without counting. */
	e->state = LW_BIND_BACKUP;
	e->slot = LEASE_NONE;
	__atomic_store_n(&e->owner, ADDR_OWNER_NONE, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Makes entry e (offset off of pool) ours for l, an ACTIVE binding: an
 * unowned free or parked entry is claimed (a parked one is a failover
 * binding, maybe the peer's), one of ours must be free or already l's.
 */
static int take_entry(struct shard *s, unsigned pool, uint32_t off, const struct lease *l)
{
	struct addr_entry *e = &s->as->pools[pool].e[off];

	if (e->owner == s->id) {
		if (e->state == LW_BIND_FREE) {
			shard_free_unlink(s, pool, off);
			return 0;
		}
		if ((e->state == LW_BIND_ACTIVE || e->state == LW_BIND_OFFERED) && l != NULL &&
			e->slot == shard_slot(s, l))
			return 0;
		return -EEXIST;
	}
	if (shard_claim_free(e, s->id, true))
		return 0;
	return -EEXIST;
}

static int load_binding(
	struct shard *s, const struct lw_bind_event *b, const struct lw_client_key *k, uint32_t now)
{
	bool active = b->state == LW_BIND_ACTIVE, reserved = false, inserted = false;
	struct addr_entry *e = NULL;
	struct lease *l;
	unsigned subnet;
	uint32_t off = 0;
	int pool, rc;

	rc = locate(s, b, &pool, &subnet);
	if (rc < 0)
		return rc;
	if (pool >= 0) {
		off = b->addr - s->as->pools[pool].start;
		e = &s->as->pools[pool].e[off];
		/* A reservation holds it now: the binding touches no pool entry. */
		if (e->state == LW_BIND_RESERVED)
			e = NULL;
	}
	reserved = e == NULL;
	/* History is only worth keeping for an address a shard can give back. */
	if (!active && (reserved || (int32_t)(now - b->end) >= LEASE_HISTORY))
		return 0;

	l = shard_lookup(s, k);
	if (l && l->state != LW_BIND_FREE && (l->addr != b->addr || l->reserved != reserved) &&
		!newer(l, b))
		return 0; /* the client's other record is the current one */
	if (l == NULL) {
		l = shard_insert(s, k);
		if (l == NULL)
			return -ENOSPC;
		inserted = true;
	}
	if (active && e) {
		rc = take_entry(s, (unsigned)pool, off, inserted ? NULL : l);
		if (rc < 0) {
			if (inserted)
				shard_remove(s, l);
			return rc;
		}
	}
	/* Whatever l held that the new record does not goes back. */
	if (!inserted && l->state != LW_BIND_FREE &&
		(l->addr != b->addr || l->reserved != reserved || !active))
		let_go(s, l);
	else if (!inserted && l->state == LW_BIND_ACTIVE)
		s->n_active--;

	if (!inserted && l->addr != b->addr)
		l->tsfp = 0; /* another binding: control sends its tsfp */
	l->addr = b->addr;
	l->start = b->start;
	l->end = b->end;
	l->lease_time = active && (int32_t)(b->end - b->start) > 0 ? b->end - b->start : 0;
	l->pool = reserved ? POOL_NONE : (uint16_t)pool;
	l->subnet = (uint16_t)subnet;
	l->state = b->state;
	l->reserved = reserved;
	if (active) {
		s->n_active++;
		if (e) {
			e->state = LW_BIND_ACTIVE;
			e->slot = shard_slot(s, l);
		}
	} else if (e && failover_pool(s, pool)) {
		/* Not to be given out before control says so (FAILOVER.md 4.2);
		 * bound otherwise or another shard's: left as it is. */
		(void)park_entry(s, (unsigned)pool, off);
	} else if (e && e->owner == s->id && e->state == LW_BIND_FREE) {
		/* Ours and free (it was l's until now): it remembers l, as after a release. */
		e->slot = shard_slot(s, l);
	}
	return 0;
}

static int load_declined(struct shard *s, const struct lw_bind_event *b)
{
	struct addr_entry *e;
	unsigned subnet;
	uint32_t off;
	int pool, rc;

	rc = locate(s, b, &pool, &subnet);
	if (rc < 0)
		return rc;
	if (pool < 0)
		return 0; /* outside the pools there is nothing to keep out of them */
	off = b->addr - s->as->pools[pool].start;
	e = &s->as->pools[pool].e[off];
	if (e->state == LW_BIND_RESERVED)
		return 0;
	if (e->owner == s->id) {
		if (e->state == LW_BIND_DECLINED)
			return 0;
		if (e->state != LW_BIND_FREE)
			return -EEXIST;
		shard_free_unlink(s, (unsigned)pool, off);
	} else if (!shard_claim_free(e, s->id, true)) {
		return -EEXIST;
	}
	shard_declined_insert(s, (unsigned)pool, off, b->end);
	return 0;
}

static int load_backup(struct shard *s, const struct lw_bind_event *b)
{
	unsigned subnet;
	int pool, rc;

	rc = locate(s, b, &pool, &subnet);
	if (rc < 0)
		return rc;
	if (!failover_pool(s, pool))
		return -EINVAL;
	return park_entry(s, (unsigned)pool, b->addr - s->as->pools[pool].start);
}

int shard_load(struct shard *s, const struct lw_bind_event *b, uint32_t now)
{
	struct lw_client_key k;

	s->now = now;
	switch (b->state) {
	case LW_BIND_DECLINED:
		return load_declined(s, b);
	case LW_BIND_BACKUP:
		return load_backup(s, b);
	case LW_BIND_ACTIVE:
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		if (!key_copy(&b->key, &k))
			return -EINVAL;
		return load_binding(s, b, &k, now);
	default:
		return -EINVAL;
	}
}

/* ------------------------------------------------------------------------ */
/* Grants and deletes */

int shard_grant_range(
	struct shard *s, unsigned pool, uint32_t first, uint32_t last, uint32_t stride)
{
	return shard_grant_range_flags(s, pool, first, last, stride, 0);
}

int shard_grant_range_flags(struct shard *s, unsigned pool, uint32_t first, uint32_t last,
	uint32_t stride, uint32_t flags)
{
	bool parked = flags & LW_GRANT_TAKE_PARKED;
	struct addr_pool *ap;
	int n = 0;

	if (pool >= s->as->n_pools || stride == 0 || first > last ||
		(flags & ~(uint32_t)LW_GRANT_TAKE_PARKED))
		return -EINVAL;
	ap = &s->as->pools[pool];
	if (last >= ap->size)
		return -EINVAL;
	for (uint64_t off = first; off <= last; off += stride) {
		struct addr_entry *e = &ap->e[off];

		if (!shard_claim_free(e, s->id, parked))
			continue;
		e->slot = LEASE_NONE;
		shard_free_push(s, pool, (uint32_t)off);
		n++;
	}
	return n;
}

int shard_revoke_range(
	struct shard *s, unsigned pool, uint32_t first, uint32_t last, uint32_t stride)
{
	struct addr_pool *ap;
	int n = 0;

	if (pool >= s->as->n_pools || stride == 0 || first > last || !s->cfg->pools[pool].failover)
		return -EINVAL;
	ap = &s->as->pools[pool];
	if (last >= ap->size)
		return -EINVAL;
	for (uint64_t off = first; off <= last; off += stride) {
		struct addr_entry *e = &ap->e[off];

		if (e->owner != s->id || e->state != LW_BIND_FREE)
			continue;
		shard_free_unlink(s, pool, (uint32_t)off);
		shard_park(s, pool, (uint32_t)off);
		n++;
	}
	return n;
}

int shard_delete(struct shard *s, const struct lw_bind_event *b, uint32_t now)
{
	struct lw_client_key k;
	struct lease *l = NULL;
	unsigned subnet = 0;
	int pool = -1;

	s->now = now;
	if (b->pool != POOL_NONE || lw_config_subnet_for(s->cfg, b->addr) != NULL) {
		int rc = locate(s, b, &pool, &subnet);

		if (rc < 0)
			return rc;
	}
	if (!ev_room(s))
		return -ENOBUFS;
	if (key_copy(&b->key, &k))
		l = shard_lookup(s, &k);
	if (l && l->addr == b->addr && l->state != LW_BIND_FREE) {
		struct addr_entry *e = l->reserved ? NULL : shard_addr_entry(s, l->pool, l->addr);
		bool held = e && e->owner == s->id && e->slot == shard_slot(s, l) &&
			    (e->state == LW_BIND_ACTIVE || e->state == LW_BIND_OFFERED);

		if (held && s->as->pools[l->pool].failover)
			shard_park(s, l->pool, l->addr - s->as->pools[l->pool].start);
		else if (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_OFFERED)
			shard_put_addr(s, l);
		if (e && e->owner == s->id && e->slot == shard_slot(s, l))
			e->slot = LEASE_NONE;
		shard_emit(s, LW_BIND_FREE, &l->key, l->addr, l->pool, l->subnet, now, now);
		shard_remove(s, l);
		return 0;
	}
	if (pool >= 0) {
		struct addr_pool *ap = &s->as->pools[pool];
		uint32_t off = b->addr - ap->start;
		struct addr_entry *e = &ap->e[off];

		if (e->owner == s->id && e->state == LW_BIND_DECLINED) {
			shard_fifo_unlink(ap->e, &s->ps[pool].declined, off);
			s->n_declined--;
			e->slot = LEASE_NONE;
			if (ap->failover)
				shard_park(s, (unsigned)pool, off);
			else
				shard_free_push(s, (unsigned)pool, off);
			shard_emit(s, LW_BIND_FREE, NULL, b->addr, (uint16_t)pool, (uint16_t)subnet,
				now, now);
			return 0;
		}
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------------ */
/* Failover */

int shard_yield(struct shard *s, unsigned pool, unsigned n, uint8_t state, uint32_t now)
{
	struct addr_pool *ap;
	struct fifo *f;
	unsigned done = 0;

	if (pool >= s->as->n_pools || !s->as->pools[pool].failover)
		return -EINVAL;
	s->now = now;
	ap = &s->as->pools[pool];
	f = &s->ps[pool].free;
	/* Least recently used first, as a rebalancing move gives them. */
	while (done < n && f->head != OFF_NONE && ev_room(s)) {
		uint32_t off = f->head;

		shard_free_unlink(s, pool, off);
		shard_park(s, pool, off);
		shard_emit(s, state, NULL, ap->start + off, (uint16_t)pool, (uint16_t)ap->subnet,
			now, now);
		done++;
	}
	return (int)done;
}

int shard_set_tsfp(struct shard *s, uint32_t addr, uint32_t tsfp)
{
	const struct lw_subnet_conf *sn = lw_config_subnet_for(s->cfg, addr);
	struct addr_entry *e;
	struct lease *l;
	int pool;

	if (sn == NULL || (pool = lw_config_pool_for(s->cfg, sn, addr)) < 0 ||
		(unsigned)pool >= s->as->n_pools)
		return -ENOENT;
	e = shard_addr_entry(s, (unsigned)pool, addr);
	if (e == NULL || __atomic_load_n(&e->owner, __ATOMIC_RELAXED) != s->id ||
		(e->state != LW_BIND_ACTIVE && e->state != LW_BIND_OFFERED))
		return -ENOENT;
	l = shard_lease_at(s, e->slot);
	if (l == NULL || l->key.kind == LW_KEY_NONE || l->addr != addr || l->reserved ||
		l->pool != pool)
		return -ENOENT;
	l->tsfp = tsfp;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Free counts for the rebalancer */

unsigned shard_publish_free(struct shard *s, uint32_t *dst, unsigned budget)
{
	unsigned n = budget < s->as->n_pools ? budget : s->as->n_pools;

	for (unsigned i = 0; i < n; i++) {
		unsigned pool = s->pub_cursor;
		uint32_t count = s->ps[pool].free.count;

		if (++s->pub_cursor == s->as->n_pools)
			s->pub_cursor = 0;
		/* Unchanged counts stay untouched: control's copy of the line stays valid. */
		if (__atomic_load_n(&dst[pool], __ATOMIC_RELAXED) != count)
			__atomic_store_n(&dst[pool], count, __ATOMIC_RELAXED);
	}
	return n;
}
