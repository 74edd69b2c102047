/* SPDX-License-Identifier: MPL-2.0 */
#include <stdlib.h>
#include <string.h>

#include "rebalance.h"

int rebalance_decide(
	const uint32_t *fc, unsigned n_workers, unsigned *from, unsigned *to, uint32_t *n)
{
	uint64_t total = 0;
	unsigned lo = 0, hi = 0;
	uint32_t diff;

	if (n_workers < 2)
		return 0;
	for (unsigned w = 0; w < n_workers; w++) {
		total += fc[w];
		if (fc[w] < fc[lo])
			lo = w;
		if (fc[w] > fc[hi])
			hi = w;
	}
	/* Below half the average, and something to even out: the hysteresis
	 * keeps workers of a nearly full pool from trading back and forth. */
	if ((uint64_t)fc[lo] * 2 * n_workers >= total)
		return 0;
	diff = fc[hi] - fc[lo];
	if (diff < 2)
		return 0;
	*from = hi;
	*to = lo;
	*n = diff / 2 > REBALANCE_MAX ? REBALANCE_MAX : diff / 2;
	return 1;
}

static int ensure_pools(struct rebalance *rb, unsigned n_pools)
{
	uint64_t *p;

	if (rb->n_pools == n_pools)
		return 0;
	p = calloc(n_pools ? n_pools : 1, sizeof(*p));
	if (p == NULL)
		return -1;
	free(rb->settle_until);
	rb->settle_until = p;
	rb->n_pools = n_pools;
	return 0;
}

void rebalance_tick(struct rebalance *rb, struct shmif *s, uint64_t now_ns)
{
	const struct lw_shm_hdr *h = s->h;
	const uint32_t *pf[LW_SHM_MAX_WORKERS];
	uint32_t fc[LW_SHM_MAX_WORKERS];

	if (now_ns < rb->next_ns)
		return;
	rb->next_ns = now_ns + REBALANCE_EVERY;
	if (h == NULL || s->n_workers < 2 ||
		__atomic_load_n(&h->dp_state, __ATOMIC_ACQUIRE) != LW_DP_SERVING)
		return;
	if (ensure_pools(rb, h->n_pools) < 0)
		return;
	for (unsigned w = 0; w < s->n_workers; w++) {
		uint64_t off = lw_shm_worker_at(s->h, w)->off_pool_free;

		if (off == 0 || off % 4 || off + (uint64_t)h->n_pools * 4 > s->size)
			return; /* a region without the arrays: nothing to go by */
		pf[w] = (const uint32_t *)((const uint8_t *)s->base + off);
	}
	for (unsigned p = 0; p < h->n_pools; p++) {
		union lw_cmd c;
		unsigned from, to;
		uint32_t n;

		if (now_ns < rb->settle_until[p])
			continue;
		for (unsigned w = 0; w < s->n_workers; w++)
			fc[w] = __atomic_load_n(&pf[w][p], __ATOMIC_RELAXED);
		if (!rebalance_decide(fc, s->n_workers, &from, &to, &n))
			continue;
		memset(&c, 0, sizeof(c));
		c.move.type = LW_CMD_MOVE;
		c.move.version = LW_RECORDS_VERSION;
		c.move.worker = (uint16_t)from;
		c.move.pool = (uint16_t)p;
		c.move.to = (uint16_t)to;
		c.move.n = n;
		if (shmif_cmd(s, from, &c) < 0) {
			rb->refused++;
			continue;
		}
		rb->moves++;
		rb->addresses += n;
		rb->settle_until[p] = now_ns + REBALANCE_SETTLE;
	}
}

void rebalance_fini(struct rebalance *rb)
{
	free(rb->settle_until);
	memset(rb, 0, sizeof(*rb));
}
