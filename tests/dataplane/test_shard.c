/* SPDX-License-Identifier: MPL-2.0 */
/* Lease shard: allocation, free FIFO order, exhaustion, grants between shards
 * (a dry shard's request, control's moves), the free counts published for
 * control, events, expiry, decline probation. rte_hash is the plain-C mock. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "dataplane/shard.h"

#define NET LW_IP4(198, 18, 0, 0)

static struct lw_config *cfg;
static struct addr_space *as;
static struct shard *sh[4];
static uint64_t ctr[LW_CTR_MAX];

/* Messages between shards, delivered by hand in the tests. */
struct queued {
	unsigned to;
	struct wmsg m;
};
static struct queued q[1024];
static unsigned nq;
static unsigned q_cap; /* messages the "ring" takes before it is full */
static bool ring_full;

static int send_msg(void *arg, unsigned to, const struct wmsg *m)
{
	(void)arg;
	if (ring_full || nq == q_cap)
		return -ENOBUFS;
	q[nq].to = to;
	q[nq].m = *m;
	nq++;
	return 0;
}

static unsigned deliver(void)
{
	unsigned n = 0;

	while (nq) {
		struct queued one = q[0];

		memmove(q, q + 1, --nq * sizeof(q[0]));
		shard_handle_msg(sh[one.to], &one.m, ctr);
		n++;
	}
	return n;
}

/*
 * One subnet 198.18.0.0/24 with n_pools pools of equal size dividing
 * start..end, and an optional reservation.
 */
static void setup_pools(uint32_t start, uint32_t end, unsigned n_pools, unsigned n, uint32_t resv)
{
	uint32_t size = (end - start + 1) / n_pools;

	cfg = calloc(1, sizeof(*cfg));
	cfg->offer_hold = 30;
	cfg->decline_probation = 100;
	cfg->n_subnets = 1;
	cfg->subnets = calloc(1, sizeof(*cfg->subnets));
	cfg->subnets[0].net = NET;
	cfg->subnets[0].plen = 24;
	cfg->subnets[0].n_pools = n_pools;
	cfg->n_pools = n_pools;
	cfg->pools = calloc(n_pools, sizeof(*cfg->pools));
	for (unsigned p = 0; p < n_pools; p++) {
		cfg->pools[p].start = start + p * size;
		cfg->pools[p].end = start + (p + 1) * size - 1;
	}
	if (resv) {
		cfg->subnets[0].n_reservations = 1;
		cfg->subnets[0].reservations = calloc(1, sizeof(struct lw_reservation));
		cfg->subnets[0].reservations[0].addr = resv;
	}
	as = addr_space_create(cfg, n);
	cr_assert_not_null(as);
	for (unsigned i = 0; i < n; i++) {
		struct shard_params p = {
			.id = i,
			.capacity = 256,
			.as = as,
			.cfg = cfg,
			.send = send_msg,
		};
		sh[i] = shard_create(&p);
		cr_assert_not_null(sh[i]);
	}
	nq = 0;
	q_cap = 1024;
	ring_full = false;
	memset(ctr, 0, sizeof(ctr));
}

/* One pool start..end. */
static void setup_shards(uint32_t start, uint32_t end, unsigned n, uint32_t resv)
{
	setup_pools(start, end, 1, n, resv);
}

static void teardown(void)
{
	for (unsigned i = 0; i < 4; i++) {
		shard_free(sh[i]);
		sh[i] = NULL;
	}
	addr_space_free(as);
	if (cfg) {
		free(cfg->subnets[0].reservations);
		free(cfg->subnets);
		free(cfg->pools);
		free(cfg);
	}
	cfg = NULL;
}

static struct lw_client_key key_n(unsigned n)
{
	struct lw_client_key k = {.kind = LW_KEY_HWADDR, .len = 7};

	k.data[0] = 1;
	k.data[1] = 0x02;
	k.data[5] = (uint8_t)(n >> 8);
	k.data[6] = (uint8_t)n;
	return k;
}

static struct lease *client(struct shard *s, unsigned n)
{
	struct lw_client_key k = key_n(n);
	struct lease *l = shard_lookup(s, &k);

	return l ? l : shard_insert(s, &k);
}

static uint32_t take(struct shard *s, struct lease *l, uint32_t want, bool *wait)
{
	bool w;

	return shard_take_addr(s, 0, want, l, wait ? wait : &w);
}

Test(shard, deals_addresses_round_robin_and_skips_reservations, .fini = teardown)
{
	struct shard_stats a, b;

	setup_shards(NET + 10, NET + 19, 2, NET + 12);
	shard_get_stats(sh[0], &a);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(a.free + b.free, 9, "10 addresses, one reserved");
	cr_assert_eq(a.free, 4); /* .10 .14 .16 .18 (.12 reserved) */
	cr_assert_eq(b.free, 5);
	cr_assert_eq(addr_space_free_count(as, 0, 0), 4);
	cr_assert_eq(take(sh[0], client(sh[0], 1), 0, NULL), NET + 10);
	cr_assert_eq(take(sh[0], client(sh[0], 2), 0, NULL), NET + 14, "reserved .12 skipped");
	cr_assert_eq(take(sh[1], client(sh[1], 3), 0, NULL), NET + 11);
}

Test(shard, fifo_order_and_returning_client_gets_its_address, .fini = teardown)
{
	struct lease *l1, *l2, *l3;

	setup_shards(NET + 10, NET + 13, 1, 0);
	l1 = client(sh[0], 1);
	cr_assert_eq(take(sh[0], l1, 0, NULL), NET + 10);
	shard_commit(sh[0], l1, LW_BIND_ACTIVE, 1000);
	shard_commit(sh[0], l1, LW_BIND_RELEASED, 1001);
	/* Released to the tail: the next client gets .11, not .10. */
	l2 = client(sh[0], 2);
	cr_assert_eq(take(sh[0], l2, 0, NULL), NET + 11);
	/* The returning client can have .10 back by asking for it. */
	cr_assert_eq(take(sh[0], l1, NET + 10, NULL), NET + 10);
	/* Asking for a taken address fails. */
	l3 = client(sh[0], 3);
	cr_assert_eq(take(sh[0], l3, NET + 11, NULL), 0);
}

Test(shard, reuse_of_an_address_forgets_its_old_holder, .fini = teardown)
{
	struct lease *l1, *l2;
	struct lw_client_key k1 = key_n(1);

	setup_shards(NET + 10, NET + 10, 1, 0);
	l1 = client(sh[0], 1);
	take(sh[0], l1, 0, NULL);
	shard_commit(sh[0], l1, LW_BIND_ACTIVE, 1000);
	shard_commit(sh[0], l1, LW_BIND_RELEASED, 1001);
	cr_assert_not_null(shard_lookup(sh[0], &k1), "remembered after release");
	l2 = client(sh[0], 2);
	cr_assert_eq(take(sh[0], l2, 0, NULL), NET + 10);
	cr_assert_null(shard_lookup(sh[0], &k1), "old holder dropped: one address, one client");
}

Test(shard, exhaustion_with_one_shard, .fini = teardown)
{
	bool wait = true;

	setup_shards(NET + 10, NET + 13, 1, 0);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_neq(take(sh[0], client(sh[0], i), 0, NULL), 0);
	cr_assert_eq(take(sh[0], client(sh[0], 9), 0, &wait), 0);
	cr_assert_eq(wait, false, "nobody else has addresses: really exhausted");
}

Test(shard, dry_shard_gets_addresses_from_the_other, .fini = teardown)
{
	bool wait = false;
	unsigned got = 0;
	struct shard_stats a, b;

	setup_shards(NET + 1, NET + 100, 2, 0);
	/* Shard 0 owns 50; use them all. */
	for (unsigned i = 0; i < 50; i++)
		cr_assert_neq(take(sh[0], client(sh[0], i), 0, NULL), 0);
	cr_assert_eq(take(sh[0], client(sh[0], 99), 0, &wait), 0);
	cr_assert(wait, "others have free addresses: wait for a grant");
	cr_assert(nq >= 1 && q[0].m.type == WMSG_ADDR_REQUEST && q[0].to == 1);
	deliver(); /* request -> shard 1, which grants -> shard 0 */
	deliver();
	shard_get_stats(sh[0], &a);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(a.free, 25, "half of shard 1's 50");
	cr_assert_eq(b.free, 25);
	cr_assert_eq(ctr[LW_CTR_ADDR_GRANT_IN], 25);
	cr_assert_eq(ctr[LW_CTR_ADDR_GRANT_OUT], 25);
	/* Keep going until the whole pool is used: exhausted only when full. */
	for (unsigned i = 100; i < 300 && got < 50; i++) {
		uint32_t addr = take(sh[0], client(sh[0], i), 0, &wait);

		if (addr)
			got++;
		else if (wait)
			deliver();
		else
			break;
	}
	cr_assert_eq(got, 50, "all 100 addresses handed out by shard 0 (got %u more)", got);
	cr_assert_eq(take(sh[0], client(sh[0], 400), 0, &wait), 0);
	cr_assert_eq(wait, false);
}

Test(shard, grant_kept_when_ring_full, .fini = teardown)
{
	struct wmsg req = {
		.type = WMSG_ADDR_REQUEST, .from = 0, .pool = 0, .n = 10, .flags = WMSG_F_DRY};
	struct shard_stats b;

	setup_shards(NET + 1, NET + 100, 2, 0);
	for (unsigned i = 0; i < 50; i++)
		take(sh[0], client(sh[0], i), 0, NULL);
	ring_full = true;
	shard_handle_msg(sh[1], &req, ctr);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(b.free, 50, "no address lost when the grant cannot be sent");
}

Test(shard, small_pool_is_not_traded_back_and_forth, .fini = teardown)
{
	struct shard_stats a, b;

	/* 16 addresses, 8 per shard: both under the low-water mark. */
	setup_shards(NET + 1, NET + 16, 2, 0);
	for (uint32_t t = 1000; t < 1010; t++) {
		shard_housekeep(sh[0], t, 64, ctr);
		shard_housekeep(sh[1], t, 64, ctr);
		deliver();
		deliver();
	}
	cr_assert_eq(ctr[LW_CTR_ADDR_GRANT_OUT], 0, "idle shards moved %lu addresses",
		(unsigned long)ctr[LW_CTR_ADDR_GRANT_OUT]);
	shard_get_stats(sh[0], &a);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(a.free, 8);
	cr_assert_eq(b.free, 8);
}

Test(shard, running_low_asks_nobody_and_only_a_dry_shard_asks, .fini = teardown)
{
	struct shard_stats a, b;
	bool wait = false;

	setup_shards(NET + 1, NET + 200, 2, 0);
	/* Shard 0 down to 2 of its 100 while shard 1 keeps 100: evening that
	 * out is control's job (LW_CMD_MOVE), not the shard's. */
	for (unsigned i = 0; i < 98; i++)
		cr_assert_neq(take(sh[0], client(sh[0], i), 0, &wait), 0);
	for (uint32_t t = 1000; t < 1005; t++) {
		shard_housekeep(sh[0], t, 64, ctr);
		shard_housekeep(sh[1], t, 64, ctr);
	}
	cr_assert_eq(nq, 0, "a shard running low asked for addresses");
	/* The last two, then dry with a client waiting: that one asks. */
	cr_assert_neq(take(sh[0], client(sh[0], 98), 0, &wait), 0);
	cr_assert_neq(take(sh[0], client(sh[0], 99), 0, &wait), 0);
	cr_assert_eq(nq, 0);
	cr_assert_eq(take(sh[0], client(sh[0], 100), 0, &wait), 0);
	cr_assert(wait);
	cr_assert_eq(nq, 1);
	cr_assert_eq(q[0].m.type, WMSG_ADDR_REQUEST);
	cr_assert_eq(q[0].to, 1);
	cr_assert(q[0].m.flags & WMSG_F_DRY);
	/* One request in flight: asking again within REQUEST_RETRY sends nothing. */
	cr_assert_eq(take(sh[0], client(sh[0], 101), 0, &wait), 0);
	cr_assert(wait);
	cr_assert_eq(nq, 1);
	deliver();
	deliver();
	shard_get_stats(sh[0], &a);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(a.free, 50, "half of shard 1's 100 (a %u b %u)", a.free, b.free);
	cr_assert_eq(b.free, 50);
}

/* Free addresses of pool owned by shard `id`, by the entries themselves. */
static unsigned owned_free(unsigned pool, unsigned id)
{
	const struct addr_pool *ap = &as->pools[pool];
	unsigned n = 0;

	for (uint32_t off = 0; off < ap->size; off++)
		if (ap->e[off].owner == id && ap->e[off].state == LW_BIND_FREE)
			n++;
	return n;
}

Test(shard, give_moves_at_most_n_free_addresses, .fini = teardown)
{
	struct lease *held[5];
	struct shard_stats a, b;

	setup_shards(NET + 1, NET + 100, 2, 0);
	for (unsigned i = 0; i < 5; i++) {
		held[i] = client(sh[0], i);
		cr_assert_neq(take(sh[0], held[i], 0, NULL), 0);
	}
	/* 45 free of 50: give 20 of them, in two messages (13 + 7). */
	cr_assert_eq(shard_give(sh[0], 1, 0, 20, ctr), 20);
	cr_assert_eq(nq, 2);
	cr_assert_eq(q[0].m.type, WMSG_ADDR_GRANT);
	cr_assert_eq(q[0].m.n + q[1].m.n, 20);
	cr_assert_eq(ctr[LW_CTR_ADDR_GRANT_OUT], 20);
	/* Ours no longer, theirs only once they handle the grant. */
	shard_get_stats(sh[0], &a);
	cr_assert_eq(a.free, 25);
	cr_assert_eq(addr_space_free_count(as, 0, 0), 25);
	cr_assert_eq(owned_free(0, 1), 70, "the owner moved with the message");
	cr_assert_eq(addr_space_free_count(as, 0, 1), 50);
	cr_assert_eq(deliver(), 2);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(b.free, 70);
	cr_assert_eq(ctr[LW_CTR_ADDR_GRANT_IN], 20);
	cr_assert_eq(addr_space_free_count(as, 0, 1), 70);

	/* More than there is: every free one goes, the held ones stay. */
	cr_assert_eq(shard_give(sh[0], 1, 0, 1000, ctr), 25);
	deliver();
	shard_get_stats(sh[0], &a);
	shard_get_stats(sh[1], &b);
	cr_assert_eq(a.free, 0);
	cr_assert_eq(b.free, 95);
	for (unsigned i = 0; i < 5; i++) {
		struct addr_entry *e = shard_addr_entry(sh[0], 0, held[i]->addr);

		cr_assert_eq(e->owner, 0, "an offered address never moves");
		cr_assert_eq(e->state, LW_BIND_OFFERED);
	}
	/* The receiver allocates what it got. */
	for (unsigned i = 0; i < 95; i++)
		cr_assert_neq(take(sh[1], client(sh[1], 100 + i), 0, NULL), 0);
	cr_assert_eq(shard_give(sh[0], 1, 0, 5, ctr), 0, "nothing free: nothing given");
	cr_assert_eq(nq, 0);
}

Test(shard, give_refuses_bad_arguments, .fini = teardown)
{
	struct shard_stats a;

	setup_shards(NET + 1, NET + 100, 2, 0);
	cr_assert_eq(shard_give(sh[0], 0, 0, 5, ctr), -EINVAL, "to itself");
	cr_assert_eq(shard_give(sh[0], 2, 0, 5, ctr), -EINVAL, "beyond the shards");
	cr_assert_eq(shard_give(sh[0], 1, 1, 5, ctr), -EINVAL, "no such pool");
	cr_assert_eq(shard_give(sh[0], 1, 0, 0, ctr), 0);
	cr_assert_eq(nq, 0);
	shard_get_stats(sh[0], &a);
	cr_assert_eq(a.free, 50);
	cr_assert_eq(owned_free(0, 0), 50);
}

Test(shard, give_stops_at_a_full_ring_and_keeps_the_rest, .fini = teardown)
{
	struct shard_stats a, b;

	setup_shards(NET + 1, NET + 100, 2, 0);
	q_cap = 1; /* room for one message of 13 */
	cr_assert_eq(shard_give(sh[0], 1, 0, 20, ctr), 13);
	shard_get_stats(sh[0], &a);
	cr_assert_eq(a.free, 37);
	cr_assert_eq(owned_free(0, 0), 37, "the 7 not sent are still ours");
	deliver();
	shard_get_stats(sh[1], &b);
	cr_assert_eq(b.free, 63);
	ring_full = true;
	cr_assert_eq(shard_give(sh[0], 1, 0, 20, ctr), 0);
	shard_get_stats(sh[0], &a);
	cr_assert_eq(a.free, 37);
	cr_assert_eq(owned_free(0, 0), 37);
}

Test(shard, published_free_counts_follow_takes_and_moves, .fini = teardown)
{
	uint32_t pub0[3], pub1[3];
	bool wait;

	/* Three pools of 20; each shard owns 10 of each. */
	setup_pools(NET + 1, NET + 60, 3, 2, 0);
	memset(pub0, 0xff, sizeof(pub0));
	memset(pub1, 0xff, sizeof(pub1));
	/* A slice of two pools per call, going round. */
	cr_assert_eq(shard_publish_free(sh[0], pub0, 2), 2);
	cr_assert_eq(pub0[0], 10);
	cr_assert_eq(pub0[1], 10);
	cr_assert_eq(pub0[2], UINT32_MAX, "not reached yet");
	cr_assert_eq(shard_publish_free(sh[0], pub0, 2), 2);
	cr_assert_eq(pub0[2], 10);
	cr_assert_eq(shard_publish_free(sh[0], pub0, 99), 3, "at most every pool once");

	for (unsigned i = 0; i < 4; i++)
		cr_assert_neq(shard_take_addr(sh[0], 1, 0, client(sh[0], i), &wait), 0);
	cr_assert_eq(shard_give(sh[0], 1, 2, 7, ctr), 7);
	shard_publish_free(sh[0], pub0, 3);
	shard_publish_free(sh[1], pub1, 3);
	cr_assert_eq(pub0[0], 10);
	cr_assert_eq(pub0[1], 6, "4 taken");
	cr_assert_eq(pub0[2], 3, "7 given");
	cr_assert_eq(pub1[2], 10, "not handled yet: not counted anywhere");
	deliver();
	shard_publish_free(sh[1], pub1, 3);
	cr_assert_eq(pub1[0], 10);
	cr_assert_eq(pub1[1], 10);
	cr_assert_eq(pub1[2], 17);
	/* Returned to the free set: counted again. */
	shard_put_addr(sh[0], client(sh[0], 0));
	shard_publish_free(sh[0], pub0, 3);
	cr_assert_eq(pub0[1], 7);
}

Test(shard, events_numbered_for_every_binding_change, .fini = teardown)
{
	struct lw_bind_event ev[8];
	struct lease *l;
	struct lw_client_key k = key_n(7);

	setup_shards(NET + 10, NET + 13, 1, 0);
	l = client(sh[0], 7);
	take(sh[0], l, 0, NULL);
	cr_assert_eq(shard_commit(sh[0], l, LW_BIND_OFFERED, 1000), 0, "offers are not events");
	l->lease_time = 600;
	cr_assert_eq(shard_commit(sh[0], l, LW_BIND_ACTIVE, 1000), 1);
	cr_assert_eq(shard_commit(sh[0], l, LW_BIND_RELEASED, 1100), 2);
	cr_assert_eq(shard_events_take(sh[0], ev, 8), 2);
	cr_assert_eq(ev[0].seq, 1);
	cr_assert_eq(ev[0].state, LW_BIND_ACTIVE);
	cr_assert_eq(ev[0].addr, NET + 10);
	cr_assert_eq(ev[0].start, 1000);
	cr_assert_eq(ev[0].end, 1600);
	cr_assert_eq(ev[0].version, LW_RECORDS_VERSION);
	cr_assert_eq(memcmp(&ev[0].key, &k, sizeof(k)), 0);
	cr_assert_eq(ev[1].state, LW_BIND_RELEASED);
	cr_assert_eq(shard_events_pending(sh[0]), 0);
	cr_assert_eq(shard_last_seq(sh[0]), 2);
}

Test(shard, housekeeping_expires_leases_and_offers, .fini = teardown)
{
	struct lease *a, *o;
	struct lw_client_key ko = key_n(2);
	struct shard_stats st;
	struct lw_bind_event ev[8];

	setup_shards(NET + 10, NET + 13, 1, 0);
	a = client(sh[0], 1);
	take(sh[0], a, 0, NULL);
	a->lease_time = 60;
	shard_commit(sh[0], a, LW_BIND_ACTIVE, 1000);
	o = client(sh[0], 2);
	take(sh[0], o, 0, NULL);
	shard_commit(sh[0], o, LW_BIND_OFFERED, 1000);
	shard_events_take(sh[0], ev, 8);

	shard_housekeep(sh[0], 1020, 1024, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED] + ctr[LW_CTR_OFFER_EXPIRED], 0, "nothing due yet");
	shard_housekeep(sh[0], 1031, 1024, ctr);
	cr_assert_eq(ctr[LW_CTR_OFFER_EXPIRED], 1);
	cr_assert_null(shard_lookup(sh[0], &ko), "an expired offer leaves no trace");
	shard_housekeep(sh[0], 1060, 1024, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 1);
	cr_assert_eq(a->state, LW_BIND_EXPIRED);
	cr_assert_eq(shard_events_take(sh[0], ev, 8), 1);
	cr_assert_eq(ev[0].state, LW_BIND_EXPIRED);
	shard_get_stats(sh[0], &st);
	cr_assert_eq(st.free, 4);
	cr_assert_eq(st.active, 0);
}

Test(shard, declined_address_waits_out_its_probation, .fini = teardown)
{
	struct lease *l;
	struct lw_bind_event ev[8];
	struct shard_stats st;
	bool wait;

	setup_shards(NET + 10, NET + 10, 1, 0);
	l = client(sh[0], 1);
	take(sh[0], l, 0, NULL);
	shard_commit(sh[0], l, LW_BIND_ACTIVE, 1000);
	cr_assert_gt(shard_decline(sh[0], l, 1000, 100), 0);
	shard_get_stats(sh[0], &st);
	cr_assert_eq(st.declined, 1);
	cr_assert_eq(take(sh[0], client(sh[0], 2), 0, &wait), 0, "quarantined");
	shard_housekeep(sh[0], 1099, 16, ctr);
	cr_assert_eq(ctr[LW_CTR_DECLINE_REUSED], 0);
	shard_housekeep(sh[0], 1100, 16, ctr);
	cr_assert_eq(ctr[LW_CTR_DECLINE_REUSED], 1);
	cr_assert_eq(take(sh[0], client(sh[0], 2), 0, &wait), NET + 10, "back after probation");
	cr_assert_eq(shard_events_take(sh[0], ev, 8), 3);
	cr_assert_eq(ev[1].state, LW_BIND_DECLINED);
	cr_assert_eq(ev[1].end, 1100);
	cr_assert_eq(ev[2].state, LW_BIND_FREE);
}

Test(shard, table_full_returns_null, .fini = teardown)
{
	unsigned n = 0;

	setup_shards(NET + 10, NET + 13, 1, 0);
	while (n < 1000 && client(sh[0], n))
		n++;
	cr_assert_eq(n, 256, "capacity 256 (got %u)", n);
}

/*
 * Hints taken for a burst (shard_lookup_burst) stay right whatever earlier
 * requests of the burst did: a found client is found; a client inserted
 * after its hint said "not found" is found; a removed one is not.
 */
Test(shard, burst_hints_follow_inserts_and_removals, .fini = teardown)
{
	struct shard_hint h[4] = {0};
	struct lease *l0, *l1, *l2;

	setup_shards(NET + 10, NET + 100, 1, 0);
	l0 = client(sh[0], 0);
	l1 = client(sh[0], 1);
	cr_assert(l0 && l1);
	for (unsigned i = 0; i < 4; i++)
		h[i].key = key_n(i);
	h[3].key = key_n(2); /* the same new client twice in the burst */
	shard_lookup_burst(sh[0], h, 4);
	cr_expect_geq(h[0].pos, 0);
	cr_expect_geq(h[1].pos, 0);
	cr_expect_lt(h[2].pos, 0);
	cr_expect_eq(shard_hint_lease(sh[0], &h[0]), l0);
	cr_expect_eq(shard_hint_lease(sh[0], &h[1]), l1);
	cr_expect_null(shard_hint_lease(sh[0], &h[2]));

	/* An earlier request of the burst inserts client 2: the later hint
	 * for it, taken before, now finds it. */
	l2 = shard_insert_sig(sh[0], &h[2].key, h[2].sig);

	cr_assert_not_null(l2);
	cr_expect_eq(shard_hint_lease(sh[0], &h[3]), l2);
	/* Found clients are still found after an insert. */
	cr_expect_eq(shard_hint_lease(sh[0], &h[0]), l0);

	/* An earlier request removes client 1: its hint finds nothing. */
	shard_remove(sh[0], l1);
	cr_expect_null(shard_hint_lease(sh[0], &h[1]));
	cr_expect_eq(shard_hint_lease(sh[0], &h[0]), l0);
}

extern unsigned long mock_rte_lookups_with_hash; /* mock_rte.c */

/* Every hint of h[0..n) answers what a lookup of its key answers now. */
static void expect_hints_exact(struct shard_hint *h, unsigned n, const char *when)
{
	for (unsigned i = 0; i < n; i++)
		cr_expect_eq(shard_hint_lease(sh[0], &h[i]), shard_lookup(sh[0], &h[i].key),
			"hint %u %s", i, when);
}

/*
 * The hints of a burst for clients not found stay exact whatever the burst
 * inserts and removes (the bloom filter of the burst's inserts only spares
 * lookups), and so do those of an older burst (the ring of signatures, or a
 * lookup past it).
 */
Test(shard, burst_hints_bloom_exact, .fini = teardown)
{
	struct shard_hint a[64] = {0}, b[64] = {0};
	unsigned long looked;

	setup_shards(NET + 10, NET + 100, 1, 0);
	for (unsigned i = 0; i < 8; i++)
		cr_assert_not_null(client(sh[0], i));
	/* Burst A: 8 known clients, 56 new ones. */
	for (unsigned i = 0; i < 64; i++)
		a[i].key = key_n(i);
	shard_lookup_burst(sh[0], a, 64);
	expect_hints_exact(a, 64, "before any insert");

	/* One insert: the 55 other new clients are answered without a lookup
	 * but for the rare false positive of the filter. */
	cr_assert_not_null(shard_insert_sig(sh[0], &a[8].key, a[8].sig));
	looked = mock_rte_lookups_with_hash;
	for (unsigned i = 9; i < 64; i++)
		cr_expect_null(shard_hint_lease(sh[0], &a[i]));
	cr_expect_lt(mock_rte_lookups_with_hash - looked, 5, "the filter answers");
	cr_expect_not_null(shard_hint_lease(sh[0], &a[8]), "the inserted client is found");

	/* Every other new client inserted in turn: after each, every hint. */
	for (unsigned i = 10; i < 64; i += 2) {
		cr_assert_not_null(shard_insert_sig(sh[0], &a[i].key, a[i].sig));
		expect_hints_exact(a, 64, "after an insert");
	}
	/* A removal within the burst: a found hint is looked up again. */
	shard_remove(sh[0], shard_lookup(sh[0], &a[3].key));
	expect_hints_exact(a, 64, "after a removal");

	/* Burst B: A's hints are of an older burst now (B emptied the filter). */
	for (unsigned i = 0; i < 64; i++)
		b[i].key = key_n(100 + i);
	shard_lookup_burst(sh[0], b, 64);
	for (unsigned i = 11; i < 64; i += 2) {
		cr_assert_not_null(shard_insert_sig(sh[0], &a[i].key, a[i].sig));
		expect_hints_exact(
			b, 64, "of this burst, after an insert of an older burst's client");
	}
	/* A's hints were taken before the removal: each is looked up again. */
	expect_hints_exact(a, 64, "of an older burst");
	/* Past a removal too, B's hints for new clients stay exact. */
	cr_assert_not_null(shard_insert_sig(sh[0], &b[0].key, b[0].sig));
	shard_remove(sh[0], shard_lookup(sh[0], &a[0].key));
	expect_hints_exact(b, 64, "after an insert and a removal");
}

/* Hints of an older burst with no removal since: the ring of signatures
 * answers, then a lookup once more inserts happened than the ring holds. */
Test(shard, burst_hints_of_an_older_burst, .fini = teardown)
{
	struct shard_hint a[64] = {0}, b[1] = {0};

	setup_shards(NET + 10, NET + 100, 1, 0);
	for (unsigned i = 0; i < 64; i++)
		a[i].key = key_n(i);
	shard_lookup_burst(sh[0], a, 64);
	b[0].key = key_n(1000);
	shard_lookup_burst(sh[0], b, 1);
	for (unsigned i = 0; i < 64; i += 3) {
		cr_assert_not_null(shard_insert_sig(sh[0], &a[i].key, a[i].sig));
		expect_hints_exact(a, 64, "ring");
	}
	for (unsigned i = 200; i < 300; i++)
		cr_assert_not_null(client(sh[0], i));
	expect_hints_exact(a, 64, "past the ring");
	expect_hints_exact(b, 1, "past the ring");
}

extern unsigned long mock_rte_bulk_keys; /* mock_rte.c */

/*
 * A client that names an address holding its lease is found through the
 * address, without the hash table; one naming an address held by another
 * client, a free one, or one outside the pools, is looked up; every hint
 * answers what a lookup answers.
 */
Test(shard, burst_hints_through_the_named_address, .fini = teardown)
{
	struct shard_hint h[8] = {0};
	uint32_t a[4];
	unsigned long bulk;

	setup_shards(NET + 10, NET + 100, 1, 0);
	for (unsigned i = 0; i < 4; i++) {
		a[i] = take(sh[0], client(sh[0], i), 0, NULL);
		cr_assert_neq(a[i], 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		h[i].key = key_n(i);
		h[i].addr = a[i]; /* its own address */
	}
	h[4].key = key_n(1);
	h[4].addr = a[2]; /* another client's */
	h[5].key = key_n(9);
	h[5].addr = a[0]; /* a new client naming a taken address */
	h[6].key = key_n(3);
	h[6].addr = NET + 200; /* outside the pool */
	h[7].key = key_n(2);
	h[7].addr = 0;
	bulk = mock_rte_bulk_keys;
	shard_lookup_burst(sh[0], h, 8);
	cr_expect_eq(mock_rte_bulk_keys - bulk, 4, "the first four found by address");
	for (unsigned i = 0; i < 4; i++)
		cr_expect_eq(h[i].pos, (int32_t)shard_slot(sh[0], shard_lookup(sh[0], &h[i].key)));
	expect_hints_exact(h, 8, "through addresses");

	/* A removed client's slot is wiped: its address no longer finds it. */
	shard_remove(sh[0], shard_lookup(sh[0], &h[3].key));
	h[0].key = key_n(3);
	h[0].addr = a[3];
	bulk = mock_rte_bulk_keys;
	shard_lookup_burst(sh[0], h, 1);
	cr_expect_eq(mock_rte_bulk_keys - bulk, 1);
	cr_expect_lt(h[0].pos, 0);
	expect_hints_exact(h, 1, "after a removal");
}

/*
 * The signatures the shard computes (burst hints) are rte_hash_crc() of the
 * 32-byte key, the hash the table used before it had its own, and the mock
 * table checks every signature it is given against the table's hash_func
 * (it aborts on a mismatch): the shard's direct hash and the table's agree.
 */
Test(shard, key_hash_is_the_tables, .fini = teardown)
{
	struct shard_hint h[64] = {0};

	setup_shards(NET + 10, NET + 100, 1, 0);
	for (unsigned i = 0; i < 64; i++) {
		memset(&h[i].key, 0, sizeof(h[i].key));
		h[i].key.kind = (uint8_t)(1 + i % 3);
		h[i].key.len = (uint8_t)(i % LW_KEY_DATA);
		for (unsigned j = 0; j < LW_KEY_DATA; j++)
			h[i].key.data[j] = (uint8_t)(i * 131 + j * 29);
	}
	shard_lookup_burst(sh[0], h, 64);
	for (unsigned i = 0; i < 64; i++) {
		cr_expect_eq(h[i].sig, rte_hash_crc(&h[i].key, sizeof(h[i].key), 0), "key %u", i);
		cr_assert_not_null(shard_insert_sig(sh[0], &h[i].key, h[i].sig));
		cr_expect_not_null(shard_lookup(sh[0], &h[i].key));
	}
}
