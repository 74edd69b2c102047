/* SPDX-License-Identifier: MPL-2.0 */
/*
 * A worker's side of the boundary with control (wctl.c), without EAL: two
 * workers on a region ctlif_create() made, commands put on their command
 * rings as control puts them, worker-to-worker messages delivered by hand.
 * Control's rebalancing: LW_CMD_MOVE and the free counts published in
 * pool_free. Failover: the snapshot copied under its sequence lock, YIELD,
 * TSFP, grants of parked addresses, peer bindings loaded while serving.
 * rte_hash is the plain-C mock.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/lb_hash.h"
#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "dataplane/wctl.h"

#define NET LW_IP4(198, 18, 0, 0)
#define NOW 1000000u

static struct lw_config *cfg;
static struct lw_dp dp;
static struct worker *w[2];

struct queued {
	unsigned to;
	struct wmsg m;
};
static struct queued q[64];
static unsigned nq;
static bool fo_pools; /* build(): every pool is a failover pool */

static int send_msg(void *arg, unsigned to, const struct wmsg *m)
{
	(void)arg;
	if (nq == 64)
		return -ENOBUFS;
	q[nq].to = to;
	q[nq].m = *m;
	nq++;
	return 0;
}

/* What drain_msgs() does on the receiving worker. */
static void deliver(void)
{
	for (unsigned i = 0; i < nq; i++)
		shard_handle_msg(w[q[i].to]->shard, &q[i].m, w[q[i].to]->ctr);
	nq = 0;
}

/* 198.18.0.0/16 with n_pools pools of 10: .10 - .19, .20 - .29, ... */
static void build(unsigned n_pools)
{
	char err[512];
	uint8_t owner[256];

	cfg = calloc(1, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "test.cfg");
	snprintf(cfg->control.shm, sizeof(cfg->control.shm), "lw-test-wctl-%d", (int)getpid());
	cfg->offer_hold = 30;
	cfg->decline_probation = 100;
	cfg->n_subnets = 1;
	cfg->subnets = calloc(1, sizeof(*cfg->subnets));
	cfg->subnets[0].net = NET;
	cfg->subnets[0].plen = 16;
	cfg->subnets[0].n_pools = n_pools;
	cfg->subnets[0].failover = fo_pools;
	cfg->n_pools = n_pools;
	cfg->pools = calloc(n_pools, sizeof(*cfg->pools));
	for (unsigned p = 0; p < n_pools; p++) {
		cfg->pools[p].start = NET + 10 + 10 * p;
		cfg->pools[p].end = NET + 19 + 10 * p;
		cfg->pools[p].failover = fo_pools;
	}

	memset(&dp, 0, sizeof(dp));
	dp.cfg = cfg;
	dp.n_workers = 2;
	dp.all_loaded = 1;
	for (unsigned b = 0; b < 256; b++)
		owner[b] = (uint8_t)(b % 2);
	cr_assert_eq(ctlif_create(&dp.ctl, cfg, 2, owner, err, sizeof(err)), 0, "%s", err);
	dp.as = addr_space_create_unowned(cfg, 2);
	cr_assert_not_null(dp.as);
	for (unsigned i = 0; i < 2; i++) {
		struct shard_params p = {
			.id = i, .capacity = 512, .as = dp.as, .cfg = cfg, .send = send_msg};

		w[i] = aligned_alloc(64, (sizeof(*w[i]) + 63) & ~(size_t)63);
		cr_assert_not_null(w[i]);
		memset(w[i], 0, sizeof(*w[i]));
		dp.workers[i] = w[i];
		w[i]->id = i;
		w[i]->dp = &dp;
		w[i]->now = NOW;
		w[i]->hdr = dp.ctl.hdr;
		w[i]->shm = ctlif_worker(&dp.ctl, i);
		w[i]->ctr = w[i]->shm->ctr;
		p.ctr = w[i]->ctr;
		w[i]->pool_free = ctlif_pool_free(&dp.ctl, i);
		w[i]->cmd_ring = ctlif_cmd_ring(&dp.ctl, i);
		w[i]->ev_ring = ctlif_ev_ring(&dp.ctl, i);
		w[i]->dp_gen = dp.ctl.hdr->dp_generation;
		w[i]->shard = shard_create(&p);
		cr_assert_not_null(w[i]->shard);
		w[i]->max_grants = 4 * n_pools + 64;
		w[i]->grants = calloc(w[i]->max_grants, sizeof(*w[i]->grants));
		cr_assert_not_null(w[i]->grants);
		w[i]->loaded = true;
		w[i]->serving = 1;
	}
	nq = 0;
}

static void setup(void)
{
	fo_pools = false;
	build(2);
}

static void setup_fo(void)
{
	fo_pools = true;
	build(2);
}

static void setup_many(void)
{
	fo_pools = false;
	build(WCTL_PUB_POOLS + 44);
}

static void teardown(void)
{
	for (unsigned i = 0; i < 2; i++) {
		shard_free(w[i]->shard);
		free(w[i]->grants);
		free(w[i]);
	}
	addr_space_free(dp.as);
	shm_unlink(dp.ctl.name);
	ctlif_close(&dp.ctl);
	free(cfg->subnets);
	free(cfg->pools);
	free(cfg);
}

TestSuite(wctl, .init = setup, .fini = teardown);
TestSuite(wctl_many, .init = setup_many, .fini = teardown);
TestSuite(wctl_fo, .init = setup_fo, .fini = teardown);

/* As control sends it, on worker i's command ring; then worker i takes its commands. */
static void send_cmd(unsigned i, union lw_cmd *c)
{
	cr_assert_eq(rte_ring_sp_enqueue_elem(ctlif_cmd_ring(&dp.ctl, i), c, sizeof(*c)), 0);
	wctl_commands(w[i], 1);
}

static void grant_all(unsigned i, unsigned pool)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.grant.type = LW_CMD_GRANT;
	c.grant.version = LW_RECORDS_VERSION;
	c.grant.worker = (uint16_t)i;
	c.grant.pool = (uint16_t)pool;
	c.grant.first = 0;
	c.grant.last = 9;
	c.grant.stride = 1;
	send_cmd(i, &c);
}

static union lw_cmd move_cmd(unsigned from, unsigned pool, unsigned to, uint32_t n)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.move.type = LW_CMD_MOVE;
	c.move.version = LW_RECORDS_VERSION;
	c.move.worker = (uint16_t)from;
	c.move.pool = (uint16_t)pool;
	c.move.to = (uint16_t)to;
	c.move.n = n;
	return c;
}

/* Worker i's published free count of pool, read the way control reads it. */
static uint32_t published(unsigned i, unsigned pool)
{
	const struct lw_shm_hdr *h = dp.ctl.hdr;
	uint64_t off = lw_shm_worker_at(dp.ctl.hdr, i)->off_pool_free;

	cr_assert_lt(pool, h->n_pools);
	return __atomic_load_n(
		(const uint32_t *)((const uint8_t *)h + off) + pool, __ATOMIC_RELAXED);
}

static struct shard_stats stats(unsigned i)
{
	struct shard_stats st;

	shard_get_stats(w[i]->shard, &st);
	return st;
}

Test(wctl, move_gives_the_addresses_and_counts_them)
{
	union lw_cmd c = move_cmd(0, 0, 1, 4);

	grant_all(0, 0);
	grant_all(0, 1);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_GRANT_CTL], 20);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 0);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_MOVED_CTL], 4);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_GRANT_OUT], 4);
	cr_assert_eq(nq, 1);
	cr_assert_eq(q[0].to, 1);
	deliver();
	cr_assert_eq(w[1]->ctr[LW_CTR_ADDR_GRANT_IN], 4);
	cr_assert_eq(stats(0).free, 16);
	cr_assert_eq(stats(1).free, 4);

	/* Control reads what the housekeeping published. */
	cr_assert_eq(published(0, 0), 0, "nothing published before the housekeeping");
	wctl_housekeep(w[0]);
	wctl_housekeep(w[1]);
	cr_assert_eq(published(0, 0), 6);
	cr_assert_eq(published(0, 1), 10);
	cr_assert_eq(published(1, 0), 4);
	cr_assert_eq(published(1, 1), 0);
	cr_assert_eq(w[0]->shm->free, 16);

	/* More than it has: it gives what it has. */
	c = move_cmd(0, 0, 1, 100);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_MOVED_CTL], 10);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 0, "giving fewer is no rejection");
	deliver();
	wctl_housekeep(w[0]);
	wctl_housekeep(w[1]);
	cr_assert_eq(published(0, 0), 0);
	cr_assert_eq(published(1, 0), 10);
}

Test(wctl, bad_moves_are_rejected_and_counted)
{
	struct {
		const char *what;
		union lw_cmd c;
	} bad[] = {
		{"to itself", move_cmd(0, 0, 0, 4)},
		{"to a worker that does not exist", move_cmd(0, 0, 2, 4)},
		{"no such pool", move_cmd(0, 2, 1, 4)},
		{"nothing to move", move_cmd(0, 0, 1, 0)},
		{"on another worker's ring", move_cmd(1, 0, 1, 4)},
		{"another version", move_cmd(0, 0, 1, 4)},
	};
	unsigned n = sizeof(bad) / sizeof(bad[0]);

	bad[n - 1].c.move.version = LW_RECORDS_VERSION + 1;
	grant_all(0, 0);
	for (unsigned i = 0; i < n; i++) {
		send_cmd(0, &bad[i].c);
		cr_assert_eq(
			w[0]->ctr[LW_CTR_CMD_REJECTED], i + 1, "%s: not rejected", bad[i].what);
		cr_assert_eq(nq, 0, "%s: something was sent", bad[i].what);
	}
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_MOVED_CTL], 0);
	cr_assert_eq(stats(0).free, 10);
}

Test(wctl, no_move_before_serving)
{
	union lw_cmd c = move_cmd(0, 0, 1, 4);

	grant_all(0, 0);
	w[0]->serving = 0;
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1);
	cr_assert_eq(nq, 0);
	cr_assert_eq(stats(0).free, 10);
}

Test(wctl_many, every_count_is_published_before_the_worker_serves)
{
	const unsigned n = WCTL_PUB_POOLS + 44;

	/* Loading: the grants wait until every worker has its bindings. */
	w[0]->serving = 0;
	for (unsigned p = 0; p < n; p++)
		grant_all(0, p);
	cr_assert_eq(stats(0).free, 0);
	wctl_housekeep(w[0]);
	cr_assert(w[0]->serving);
	cr_assert_eq(stats(0).free, 10 * n);
	for (unsigned p = 0; p < n; p++)
		cr_assert_eq(published(0, p), 10, "pool %u not published when serving began", p);

	/* Serving: a slice per housekeeping, going round. */
	for (unsigned p = 0; p < n; p++) {
		struct lease *l;
		struct lw_client_key k = {.kind = LW_KEY_HWADDR, .len = 7};
		bool wait;

		k.data[5] = (uint8_t)(p >> 8);
		k.data[6] = (uint8_t)p;
		l = shard_insert(w[0]->shard, &k);
		cr_assert_not_null(l);
		cr_assert_neq(shard_take_addr(w[0]->shard, p, 0, l, &wait), 0);
	}
	wctl_housekeep(w[0]);
	wctl_housekeep(w[0]);
	for (unsigned p = 0; p < n; p++)
		cr_assert_eq(published(0, p), 9, "pool %u: two housekeepings cover %u pools", p,
			2 * WCTL_PUB_POOLS);
}

/* ------------------------------------------------------------------------ */
/* Failover */

/* Control's side of the sequence lock: odd while writing, then +1 again. */
static void publish_fo(uint8_t service, uint8_t role, uint32_t mclt, uint32_t lb_max)
{
	struct lw_shm_fo *fo = &dp.ctl.hdr->fo;

	__atomic_store_n(&fo->seq, fo->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	fo->service = service;
	fo->role = role;
	fo->mclt = mclt;
	fo->lb_max_secs = lb_max;
	lb_hba_split(fo->hba, 128);
	__atomic_store_n(&fo->seq, fo->seq + 1, __ATOMIC_RELEASE);
}

static union lw_cmd grant_cmd(unsigned i, unsigned pool, uint32_t flags)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.grant.type = LW_CMD_GRANT;
	c.grant.version = LW_RECORDS_VERSION;
	c.grant.worker = (uint16_t)i;
	c.grant.pool = (uint16_t)pool;
	c.grant.last = 9;
	c.grant.stride = 1;
	c.grant.flags = flags;
	return c;
}

static union lw_cmd yield_cmd(unsigned i, unsigned pool, uint32_t n)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.yield.type = LW_CMD_YIELD;
	c.yield.version = LW_RECORDS_VERSION;
	c.yield.worker = (uint16_t)i;
	c.yield.pool = (uint16_t)pool;
	c.yield.n = n;
	return c;
}

/* The events worker i put on its ring, as control takes them. */
static unsigned take_events(unsigned i, struct lw_bind_event *ev, unsigned max)
{
	wctl_events_out(w[i]);
	return rte_ring_sc_dequeue_burst_elem(
		ctlif_ev_ring(&dp.ctl, i), ev, sizeof(*ev), max, NULL);
}

Test(wctl_fo, snapshot_is_copied_under_the_sequence_lock)
{
	struct lw_shm_fo *fo = &dp.ctl.hdr->fo;

	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.seq, 0);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_NONE, "no snapshot yet: no service");
	cr_assert_eq(w[0]->ctr[LW_CTR_FO_SNAPSHOTS], 0);

	/* Control in the middle of writing: nothing is taken. */
	fo->seq = 1;
	fo->service = LW_FO_SERVE_ALL;
	fo->mclt = 60;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_NONE, "odd seq: ignored");
	cr_assert_eq(w[0]->fo.seq, 0);

	fo->seq = 2;
	fo->role = LW_FO_SECONDARY;
	fo->lb_max_secs = 3;
	lb_hba_split(fo->hba, 128);
	wctl_housekeep(w[0]);
	cr_assert_eq(w[0]->fo.seq, 2);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_ALL);
	cr_assert_eq(w[0]->fo.role, LW_FO_SECONDARY);
	cr_assert_eq(w[0]->fo.mclt, 60);
	cr_assert_eq(w[0]->fo.lb_max_secs, 3);
	cr_assert_eq(w[0]->fo.hba[15], 0xff);
	cr_assert_eq(w[0]->fo.hba[16], 0x00);
	cr_assert_eq(w[0]->ctr[LW_CTR_FO_SNAPSHOTS], 1);
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->ctr[LW_CTR_FO_SNAPSHOTS], 1, "unchanged seq: not copied again");

	/* The next one is being written: the worker keeps the last whole one. */
	fo->seq = 3;
	fo->service = LW_FO_SERVE_NONE;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_ALL);
	fo->seq = 4;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_NONE);
	cr_assert_eq(w[0]->ctr[LW_CTR_FO_SNAPSHOTS], 2);
}

Test(wctl_fo, parked_addresses_need_take_parked)
{
	union lw_cmd c = grant_cmd(0, 0, 0);

	send_cmd(0, &c);
	cr_assert_eq(stats(0).free, 0, "a plain grant skips parked addresses");
	c = grant_cmd(0, 0, 0x80);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1, "unknown flag");
	c = grant_cmd(0, 0, LW_GRANT_TAKE_PARKED);
	send_cmd(0, &c);
	cr_assert_eq(stats(0).free, 10);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_GRANT_CTL], 10);

	/* While loading the grants wait, flags and all. */
	w[1]->serving = 0;
	c = grant_cmd(1, 1, 0);
	send_cmd(1, &c);
	c = grant_cmd(1, 1, LW_GRANT_TAKE_PARKED);
	send_cmd(1, &c);
	cr_assert_eq(w[1]->n_grants, 2, "the same range with other flags is another grant");
	wctl_housekeep(w[1]);
	cr_assert(w[1]->serving);
	cr_assert_eq(stats(1).free, 10);
}

Test(wctl_fo, yield_gives_backup_from_a_primary)
{
	union lw_cmd c = grant_cmd(0, 0, LW_GRANT_TAKE_PARKED);
	struct lw_bind_event ev[16];
	struct lw_client_key zero = {0};
	unsigned n;

	send_cmd(0, &c);
	c = yield_cmd(0, 0, 4);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1, "no snapshot: the role is unknown");
	cr_assert_eq(take_events(0, ev, 16), 0);

	publish_fo(LW_FO_SERVE_BALANCED, LW_FO_PRIMARY, 60, 3);
	wctl_housekeep(w[0]);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_YIELDED], 4);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_PARKED], 4);
	cr_assert_eq(stats(0).free, 6);
	n = take_events(0, ev, 16);
	cr_assert_eq(n, 4);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(ev[i].state, LW_BIND_BACKUP);
		cr_assert_eq(ev[i].addr, NET + 10 + i, "least recently used first");
		cr_assert_eq(ev[i].pool, 0);
		cr_assert_eq(ev[i].subnet, 0);
		cr_assert_eq(ev[i].start, NOW);
		cr_assert_eq(ev[i].end, NOW);
		cr_assert_eq(ev[i].seq, i + 1);
		cr_assert_eq(memcmp(&ev[i].key, &zero, sizeof(zero)), 0);
	}
	/* Yielded addresses are never handed out again by this worker. */
	for (unsigned i = 0; i < 6; i++) {
		struct lw_client_key k = {.kind = LW_KEY_HWADDR, .len = 7};
		struct lease *l;
		bool wait;
		uint32_t a;

		k.data[6] = (uint8_t)(i + 1);
		l = shard_insert(w[0]->shard, &k);
		a = shard_take_addr(w[0]->shard, 0, 0, l, &wait);
		cr_assert_geq(a, NET + 14, "%u: a yielded address was taken", i);
	}
	cr_assert_eq(stats(0).free, 0);
}

Test(wctl_fo, yield_gives_free_from_a_secondary_and_is_checked)
{
	union lw_cmd c = grant_cmd(1, 1, LW_GRANT_TAKE_PARKED);
	struct lw_bind_event ev[16];
	struct {
		const char *what;
		union lw_cmd c;
	} bad[] = {
		{"on another worker's ring", yield_cmd(0, 1, 2)},
		{"nothing to yield", yield_cmd(1, 1, 0)},
		{"no such pool", yield_cmd(1, 2, 2)},
	};

	publish_fo(LW_FO_SERVE_ALL, LW_FO_SECONDARY, 60, 0);
	wctl_housekeep(w[1]);
	send_cmd(1, &c);
	for (unsigned i = 0; i < 3; i++) {
		send_cmd(1, &bad[i].c);
		cr_assert_eq(
			w[1]->ctr[LW_CTR_CMD_REJECTED], i + 1, "%s: not rejected", bad[i].what);
	}
	c = yield_cmd(1, 1, 20);
	send_cmd(1, &c);
	cr_assert_eq(w[1]->ctr[LW_CTR_ADDR_YIELDED], 10, "as many as it has");
	cr_assert_eq(take_events(1, ev, 16), 10);
	cr_assert_eq(ev[0].state, LW_BIND_FREE, "the primary's pool");
	cr_assert_eq(ev[0].addr, NET + 20);
	cr_assert_eq(ev[0].pool, 1);
	w[1]->serving = 0;
	send_cmd(1, &c);
	cr_assert_eq(w[1]->ctr[LW_CTR_CMD_REJECTED], 4, "not before serving");
}

Test(wctl, yield_of_a_pool_without_failover_is_rejected)
{
	union lw_cmd c = yield_cmd(0, 0, 2);
	struct lw_shm_fo *fo = &dp.ctl.hdr->fo;

	grant_all(0, 0);
	fo->seq = 2;
	fo->service = LW_FO_SERVE_ALL;
	wctl_failover(w[0]);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1);
	cr_assert_eq(w[0]->ctr[LW_CTR_ADDR_YIELDED], 0);
	cr_assert_eq(stats(0).free, 10);
}

static union lw_cmd load_cmd(uint8_t state, unsigned client, uint32_t addr)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.bind.type = LW_CMD_LOAD;
	c.bind.version = LW_RECORDS_VERSION;
	c.bind.state = state;
	c.bind.pool = (uint16_t)((addr - NET - 10) / 10);
	c.bind.addr = addr;
	c.bind.start = NOW - 10;
	c.bind.end = NOW + 590;
	if (client) {
		c.bind.key.kind = LW_KEY_HWADDR;
		c.bind.key.len = 7;
		c.bind.key.data[0] = 1;
		c.bind.key.data[6] = (uint8_t)client;
	}
	return c;
}

Test(wctl_fo, peer_bindings_load_while_serving_and_tsfp_reaches_them)
{
	union lw_cmd c = load_cmd(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_client_key k = c.bind.key;
	struct lease *l;

	/* A parked address the peer bound: claimed by the loading worker. */
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 0);
	cr_assert_eq(w[0]->ctr[LW_CTR_BINDINGS_UPDATED], 1);
	l = shard_lookup(w[0]->shard, &k);
	cr_assert_not_null(l);
	cr_assert_eq(l->state, LW_BIND_ACTIVE);
	cr_assert_eq(l->tsfp, 0);

	memset(&c, 0, sizeof(c));
	c.tsfp.type = LW_CMD_TSFP;
	c.tsfp.version = LW_RECORDS_VERSION;
	c.tsfp.worker = 0;
	c.tsfp.n = 2;
	c.tsfp.e[0].addr = NET + 12;
	c.tsfp.e[0].tsfp = NOW + 900;
	c.tsfp.e[1].addr = NET + 13; /* held by nobody: ignored */
	c.tsfp.e[1].tsfp = NOW + 900;
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 0);
	cr_assert_eq(w[0]->ctr[LW_CTR_TSFP_UPDATES], 1);
	cr_assert_eq(l->tsfp, NOW + 900);

	c.tsfp.n = LW_TSFP_MAX + 1;
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1, "more entries than fit");
	c.tsfp.n = 1;
	c.tsfp.worker = 1;
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 2, "on another worker's ring");

	/* The peer's BACKUP for an address: parked. */
	c = load_cmd(LW_BIND_BACKUP, 0, NET + 14);
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 2);
	cr_assert_eq(shard_addr_entry(w[0]->shard, 0, NET + 14)->state, LW_BIND_BACKUP);
}

Test(wctl, loads_while_serving_are_refused_outside_failover_pools)
{
	union lw_cmd c = load_cmd(LW_BIND_ACTIVE, 7, NET + 12);

	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 1);
	cr_assert_eq(stats(0).leases, 0);
	c = load_cmd(LW_BIND_BACKUP, 0, NET + 12);
	w[0]->serving = 0;
	send_cmd(0, &c);
	cr_assert_eq(w[0]->ctr[LW_CTR_CMD_REJECTED], 2, "BACKUP outside a failover pool");
}

/* Control away past max-response-delay: no failover service until it is back. */
Test(wctl_fo, no_service_while_control_is_away)
{
	struct lw_shm_fo *fo = &dp.ctl.hdr->fo;

	fo->seq = 2;
	fo->service = LW_FO_SERVE_ALL;
	fo->mclt = 60;
	fo->role = LW_FO_PRIMARY;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_ALL);

	dp.fo_ctl_down = 1;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_NONE, "the last snapshot no longer counts");

	dp.fo_ctl_down = 0;
	wctl_failover(w[0]);
	cr_assert_eq(w[0]->fo.service, LW_FO_SERVE_ALL, "back: the snapshot is read again");
	cr_assert_eq(w[0]->fo.seq, 2);
}
