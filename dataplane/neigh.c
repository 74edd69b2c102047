/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include "common/lw_ip.h"
#include "neigh.h"

_Static_assert((NEIGH_SIZE & (NEIGH_SIZE - 1)) == 0, "NEIGH_SIZE is a power of two");
_Static_assert((NEIGH_PENDING & (NEIGH_PENDING - 1)) == 0, "NEIGH_PENDING is a power of two");

void neigh_init(struct neigh *n)
{
	memset(n, 0, sizeof(*n));
}

static inline unsigned slot_of(uint16_t port, uint32_t ip)
{
	/* Fibonacci hashing: next hops are often consecutive addresses. */
	uint32_t h = (ip ^ ((uint32_t)port << 24)) * 2654435761u;

	return (h >> (32 - __builtin_ctz(NEIGH_SIZE))) & (NEIGH_SIZE - 1);
}

static inline bool is_fresh(const struct neigh_entry *e, uint64_t now_ms)
{
	return e->state == NEIGH_VALID && now_ms - e->learned_ms < NEIGH_TTL_MS;
}

/*
 * The entry of (port, ip), or NULL. Slots never go back to EMPTY, so the
 * first empty slot of the window ends the search.
 */
static struct neigh_entry *find(const struct neigh *n, uint16_t port, uint32_t ip)
{
	unsigned s = slot_of(port, ip);

	for (unsigned i = 0; i < NEIGH_WAYS; i++) {
		const struct neigh_entry *e = &n->e[(s + i) & (NEIGH_SIZE - 1)];

		if (e->state == NEIGH_EMPTY)
			return NULL;
		if (e->ip == ip && e->port == port)
			return (struct neigh_entry *)e;
	}
	return NULL;
}

static uint64_t last_use(const struct neigh_entry *e)
{
	uint64_t t = e->state == NEIGH_VALID ? e->learned_ms : 0;

	if (e->asked && e->asked_ms > t)
		t = e->asked_ms;
	return t;
}

/* The entry of (port, ip), made INCOMPLETE in the best slot of its window when absent. */
static struct neigh_entry *find_or_add(struct neigh *n, uint16_t port, uint32_t ip, uint64_t now_ms)
{
	unsigned s = slot_of(port, ip);
	struct neigh_entry *victim = NULL;

	for (unsigned i = 0; i < NEIGH_WAYS; i++) {
		struct neigh_entry *e = &n->e[(s + i) & (NEIGH_SIZE - 1)];

		if (e->state == NEIGH_EMPTY) {
			victim = e;
			break;
		}
		if (e->ip == ip && e->port == port)
			return e;
		/* Prefer a stale entry; among live ones the least recently used. */
		if (victim == NULL || (is_fresh(victim, now_ms) && !is_fresh(e, now_ms)) ||
			(is_fresh(victim, now_ms) == is_fresh(e, now_ms) &&
				last_use(e) < last_use(victim)))
			victim = e;
	}
	memset(victim, 0, sizeof(*victim));
	victim->ip = ip;
	victim->port = port;
	victim->state = NEIGH_INCOMPLETE;
	return victim;
}

bool neigh_lookup(
	const struct neigh *n, uint16_t port, uint32_t ip, uint64_t now_ms, uint8_t mac[6])
{
	const struct neigh_entry *e = find(n, port, ip);

	if (e == NULL || !is_fresh(e, now_ms))
		return false;
	memcpy(mac, e->mac, 6);
	return true;
}

enum neigh_learn_result neigh_learn(
	struct neigh *n, uint16_t port, uint32_t ip, const uint8_t mac[6], uint64_t now_ms)
{
	struct neigh_entry *e = find_or_add(n, port, ip, now_ms);
	enum neigh_learn_result r;

	if (!is_fresh(e, now_ms))
		r = NEIGH_NEW;
	else if (memcmp(e->mac, mac, 6) != 0)
		r = NEIGH_CHANGED;
	else if (now_ms - e->shared_ms >= NEIGH_SHARE_MS)
		r = NEIGH_REFRESHED;
	else
		r = NEIGH_UNCHANGED;

	memcpy(e->mac, mac, 6);
	e->state = NEIGH_VALID;
	e->learned_ms = now_ms;
	e->asked = 0;
	if (r != NEIGH_UNCHANGED)
		e->shared_ms = now_ms;
	return r;
}

bool neigh_update(
	struct neigh *n, uint16_t port, uint32_t ip, const uint8_t mac[6], uint64_t now_ms)
{
	struct neigh_entry *e = find(n, port, ip);

	if (e == NULL || e->state != NEIGH_VALID)
		return false;
	memcpy(e->mac, mac, 6);
	e->learned_ms = now_ms;
	return true;
}

/* Moves q_head past released slots. */
static void q_trim(struct neigh *n)
{
	while (n->q_head != n->q_tail && n->q[n->q_head & (NEIGH_PENDING - 1)].pkt == NULL)
		n->q_head++;
}

int neigh_hold(
	struct neigh *n, uint16_t port, uint32_t ip, void *pkt, uint16_t tag, uint64_t now_ms)
{
	struct neigh_entry *e;
	struct neigh_held *h;

	q_trim(n);
	if (n->q_tail - n->q_head >= NEIGH_PENDING)
		return -1;
	h = &n->q[n->q_tail++ & (NEIGH_PENDING - 1)];
	h->pkt = pkt;
	h->deadline_ms = now_ms + NEIGH_HOLD_MS;
	h->ip = ip;
	h->port = port;
	h->tag = tag;
	n->q_live++;

	e = find_or_add(n, port, ip, now_ms);
	if (e->asked && now_ms - e->asked_ms < NEIGH_REQ_GAP_MS)
		return 0;
	e->asked = 1;
	e->asked_ms = now_ms;
	return 1;
}

unsigned neigh_release(
	struct neigh *n, uint16_t port, uint32_t ip, void **pkts, uint16_t *tags, unsigned max)
{
	unsigned k = 0;

	if (n->q_live == 0)
		return 0;
	for (uint32_t i = n->q_head; i != n->q_tail && k < max; i++) {
		struct neigh_held *h = &n->q[i & (NEIGH_PENDING - 1)];

		if (h->pkt == NULL || h->ip != ip || h->port != port)
			continue;
		pkts[k] = h->pkt;
		if (tags)
			tags[k] = h->tag;
		k++;
		h->pkt = NULL;
		n->q_live--;
	}
	q_trim(n);
	return k;
}

unsigned neigh_expire(struct neigh *n, uint64_t now_ms, void **pkts, unsigned max)
{
	unsigned k = 0;

	while (n->q_head != n->q_tail && k < max) {
		struct neigh_held *h = &n->q[n->q_head & (NEIGH_PENDING - 1)];

		if (h->pkt != NULL) {
			if (now_ms < h->deadline_ms)
				break;
			pkts[k++] = h->pkt;
			h->pkt = NULL;
			n->q_live--;
		}
		n->q_head++;
	}
	return k;
}

unsigned neigh_flush(struct neigh *n, void **pkts, unsigned max)
{
	unsigned k = 0;

	while (n->q_head != n->q_tail && k < max) {
		struct neigh_held *h = &n->q[n->q_head & (NEIGH_PENDING - 1)];

		if (h->pkt != NULL) {
			pkts[k++] = h->pkt;
			h->pkt = NULL;
			n->q_live--;
		}
		n->q_head++;
	}
	return k;
}

int neigh_next_hop(const struct lw_port_conf *pc, uint32_t dst, uint32_t *nh)
{
	int best = -1;

	if (lw_in_prefix(dst, pc->addr, pc->plen)) {
		*nh = dst;
		return 0;
	}
	for (unsigned i = 0; i < pc->n_routes && i < LW_MAX_ROUTES; i++) {
		const struct lw_route *r = &pc->routes[i];

		if (lw_in_prefix(dst, r->prefix, r->plen) &&
			(best < 0 || r->plen > pc->routes[best].plen))
			best = (int)i;
	}
	if (best < 0)
		return -1;
	/* A route without a gateway is on-link. */
	*nh = pc->routes[best].via ? pc->routes[best].via : dst;
	return 0;
}
