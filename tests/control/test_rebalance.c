/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Control's rebalancer: the decision for one pool (table-driven), and a
 * tick over a region of two workers whose published free counts it reads,
 * with the LW_CMD_MOVE it sends and the settling time after it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "control/rebalance.h"

struct decide_case {
	const char *what;
	unsigned n_workers;
	uint32_t free[4];
	int moves;
	unsigned from, to;
	uint32_t n;
};

static const struct decide_case cases[] = {
	{"one worker never trades", 1, {0}, 0, 0, 0, 0},
	{"even", 2, {100, 100}, 0, 0, 0, 0},
	{"slightly uneven: above half the average", 2, {60, 100}, 0, 0, 0, 0},
	{"below half the average", 2, {20, 100}, 1, 1, 0, 40},
	{"dry", 2, {0, 9}, 1, 1, 0, 4},
	{"nearly full pool: 1 and 2 left", 2, {1, 2}, 0, 0, 0, 0},
	{"nearly full pool: 0 and 1 left", 2, {0, 1}, 0, 0, 0, 0},
	{"both dry", 2, {0, 0}, 0, 0, 0, 0},
	{"four workers, poorest from richest", 4, {50, 5, 80, 45}, 1, 2, 1, 37},
	{"capped", 2, {0, 1000000}, 1, 1, 0, REBALANCE_MAX},
};

Test(rebalance, decide)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct decide_case *c = &cases[i];
		unsigned from = 99, to = 99;
		uint32_t n = 0;
		int r = rebalance_decide(c->free, c->n_workers, &from, &to, &n);

		cr_expect_eq(r, c->moves, "%s: moves %d", c->what, r);
		if (r && c->moves) {
			cr_expect_eq(from, c->from, "%s: from %u", c->what, from);
			cr_expect_eq(to, c->to, "%s: to %u", c->what, to);
			cr_expect_eq(n, c->n, "%s: n %u", c->what, n);
		}
	}
}

/* A region with two workers, two pools, their pool_free arrays and command rings. */
static uint8_t *base;
static struct shmif s;

static void region(void)
{
	size_t ring = (size_t)rte_ring_get_memsize_elem(64, 64);
	size_t off_w = sizeof(struct lw_shm_hdr);
	size_t off = off_w + 2 * sizeof(struct lw_shm_worker);
	size_t size = off + 2 * (64 + ring);
	struct lw_shm_hdr *h;

	cr_assert_eq(posix_memalign((void **)&base, 64, size), 0);
	memset(base, 0, size);
	h = (struct lw_shm_hdr *)base;
	h->n_workers = 2;
	h->n_pools = 2;
	h->off_workers = off_w;
	h->dp_state = LW_DP_SERVING;
	memset(&s, 0, sizeof(s));
	s.h = h;
	s.base = base;
	s.size = size;
	s.n_workers = 2;
	for (unsigned w = 0; w < 2; w++) {
		struct lw_shm_worker *sw = lw_shm_worker_at(h, w);

		sw->off_pool_free = off;
		off += 64;
		s.cmd[w] = (struct rte_ring *)(base + off);
		cr_assert_eq(rte_ring_init(s.cmd[w], "c", 64, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
		off += ring;
	}
}

static uint32_t *pool_free(unsigned w)
{
	return (uint32_t *)(base + lw_shm_worker_at(s.h, w)->off_pool_free);
}

static unsigned take(unsigned w, union lw_cmd *c, unsigned max)
{
	return rte_ring_sc_dequeue_burst_elem(s.cmd[w], c, sizeof(*c), max, NULL);
}

Test(rebalance, tick_sends_moves_then_settles)
{
	struct rebalance rb = {0};
	union lw_cmd c[8];
	uint64_t t = 1000000000ull;

	region();
	pool_free(0)[0] = 100; /* pool 0: worker 1 is nearly dry */
	pool_free(1)[0] = 2;
	pool_free(0)[1] = 50; /* pool 1: even */
	pool_free(1)[1] = 50;
	rebalance_tick(&rb, &s, t);
	cr_assert_eq(take(0, c, 8), 1);
	cr_expect_eq(take(1, c + 1, 7), 0);
	cr_expect_eq(c[0].move.type, LW_CMD_MOVE);
	cr_expect_eq(c[0].move.version, LW_RECORDS_VERSION);
	cr_expect_eq(c[0].move.worker, 0);
	cr_expect_eq(c[0].move.pool, 0);
	cr_expect_eq(c[0].move.to, 1);
	cr_expect_eq(c[0].move.n, 49);
	cr_expect_eq(rb.moves, 1);
	cr_expect_eq(rb.addresses, 49);

	/* Not before REBALANCE_EVERY; and pool 0 settles before it is looked at again. */
	rebalance_tick(&rb, &s, t + 1000);
	cr_expect_eq(take(0, c, 8), 0);
	rebalance_tick(&rb, &s, t + REBALANCE_EVERY);
	cr_expect_eq(take(0, c, 8), 0, "pool 0 is settling");
	rebalance_tick(&rb, &s, t + REBALANCE_SETTLE + REBALANCE_EVERY);
	cr_expect_eq(take(0, c, 8), 1, "the counts did not move: ask again");
	/* Once even, nothing more. */
	pool_free(0)[0] = 51;
	pool_free(1)[0] = 51;
	rebalance_tick(&rb, &s, t + 3 * REBALANCE_SETTLE);
	cr_expect_eq(take(0, c, 8) + take(1, c, 8), 0);
	rebalance_fini(&rb);
	free(base);
}

Test(rebalance, only_a_serving_dataplane)
{
	struct rebalance rb = {0};
	union lw_cmd c[8];

	region();
	pool_free(0)[0] = 100;
	pool_free(1)[0] = 0;
	s.h->dp_state = LW_DP_LOADING;
	rebalance_tick(&rb, &s, 1000000000ull);
	cr_expect_eq(take(0, c, 8), 0);
	rebalance_fini(&rb);
	free(base);
}
