/* SPDX-License-Identifier: MPL-2.0 */
/* What control does to a shard: the start-up load of bindings, grants of
 * free addresses, deletes, and the retention of events until durable, on an
 * address space with no owners (the dataplane's mode). rte_hash is the
 * plain-C mock. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_counters.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "dataplane/shard.h"

#define NET LW_IP4(198, 18, 0, 0)
#define NOW 1000000u

static struct lw_config *cfg;
static struct addr_space *as;
static struct shard *sh[2];
static uint64_t ctr[LW_CTR_MAX];

/* 198.18.0.0/24 with the pool .10 - .19 and a reservation of .15 inside it;
 * 198.18.1.0/24 without a pool. fo: the pool is a failover pool. */
static void build(bool fo)
{
	cfg = calloc(1, sizeof(*cfg));
	cfg->offer_hold = 30;
	cfg->decline_probation = 100;
	cfg->n_subnets = 2;
	cfg->subnets = calloc(2, sizeof(*cfg->subnets));
	cfg->subnets[0].net = NET;
	cfg->subnets[0].plen = 24;
	cfg->subnets[0].n_pools = 1;
	cfg->subnets[0].n_reservations = 1;
	cfg->subnets[0].reservations = calloc(1, sizeof(struct lw_reservation));
	cfg->subnets[0].reservations[0].addr = NET + 15;
	cfg->subnets[1].net = NET + 256;
	cfg->subnets[1].plen = 24;
	cfg->subnets[1].first_pool = 1;
	cfg->n_pools = 1;
	cfg->pools = calloc(1, sizeof(*cfg->pools));
	cfg->pools[0].start = NET + 10;
	cfg->pools[0].end = NET + 19;
	cfg->pools[0].failover = fo;
	cfg->subnets[0].failover = fo;
	as = addr_space_create_unowned(cfg, 2);
	cr_assert_not_null(as);
	for (unsigned i = 0; i < 2; i++) {
		struct shard_params p = {.id = i, .capacity = 64, .as = as, .cfg = cfg, .ctr = ctr};

		sh[i] = shard_create(&p);
		cr_assert_not_null(sh[i]);
	}
	memset(ctr, 0, sizeof(ctr));
}

static void setup(void)
{
	build(false);
}

static void setup_fo(void)
{
	build(true);
}

static void teardown(void)
{
	for (unsigned i = 0; i < 2; i++)
		shard_free(sh[i]);
	addr_space_free(as);
	free(cfg->subnets[0].reservations);
	free(cfg->subnets);
	free(cfg->pools);
	free(cfg);
}

TestSuite(shard_ctl, .init = setup, .fini = teardown);
TestSuite(shard_fo, .init = setup_fo, .fini = teardown);

static struct lw_client_key key_n(unsigned n)
{
	struct lw_client_key k = {.kind = LW_KEY_HWADDR, .len = 7};

	k.data[0] = 1;
	k.data[1] = 0x02;
	k.data[6] = (uint8_t)n;
	return k;
}

static struct lw_bind_event rec(uint8_t state, unsigned client, uint32_t addr)
{
	struct lw_bind_event b = {
		.type = LW_CMD_LOAD,
		.version = LW_RECORDS_VERSION,
		.state = state,
		.pool = 0,
		.addr = addr,
		.start = NOW - 100,
		.end = NOW + 500,
	};

	if (client)
		b.key = key_n(client);
	return b;
}

static struct shard_stats stats(unsigned i)
{
	struct shard_stats st;

	shard_get_stats(sh[i], &st);
	return st;
}

static uint32_t take(unsigned i, struct lease *l, uint32_t want)
{
	bool wait;

	return shard_take_addr(sh[i], 0, want, l, &wait);
}

Test(shard_ctl, unowned_space_starts_empty_and_grants_fill_it)
{
	struct lease *l;
	struct lw_client_key k = key_n(1);

	cr_assert_eq(stats(0).free + stats(1).free, 0, "nobody owns anything before control");
	/* Dealt as control deals: worker w gets offsets w, w + 2, ... */
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 2), 5);
	cr_assert_eq(shard_grant_range(sh[1], 0, 1, 9, 2), 4, ".15 is reserved: skipped");
	cr_assert_eq(addr_space_free_count(as, 0, 0), 5);
	l = shard_insert(sh[1], &k);
	cr_assert_eq(take(1, l, 0), NET + 11, "the FIFO in grant order");
	/* A second grant of the same range changes nothing (a restarted stream). */
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 1), 0);
	cr_assert_eq(stats(0).free, 5);
}

Test(shard_ctl, published_free_counts_follow_grants_loads_and_deletes)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	uint32_t pub = UINT32_MAX;
	struct lease *l;
	struct lw_client_key k = key_n(1);

	cr_assert_eq(shard_publish_free(sh[0], &pub, 8), 1, "one pool");
	cr_assert_eq(pub, 0, "nothing granted yet");
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 1), 8, "all but .12 (bound) and .15");
	shard_publish_free(sh[0], &pub, 8);
	cr_assert_eq(pub, 8);
	l = shard_insert(sh[0], &k);
	cr_assert_neq(take(0, l, 0), 0);
	shard_publish_free(sh[0], &pub, 8);
	cr_assert_eq(pub, 7);
	b.type = LW_CMD_DELETE;
	cr_assert_eq(shard_delete(sh[0], &b, NOW), 0);
	shard_publish_free(sh[0], &pub, 8);
	cr_assert_eq(pub, 8, ".12 deleted: free again");
	cr_assert_eq(shard_publish_free(sh[1], &pub, 8), 1);
	cr_assert_eq(pub, 0, "worker 1 has none");
}

Test(shard_ctl, bad_grants_are_refused)
{
	cr_assert_eq(shard_grant_range(sh[0], 1, 0, 0, 1), -EINVAL, "no pool 1");
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 10, 1), -EINVAL, "past the pool's end");
	cr_assert_eq(shard_grant_range(sh[0], 0, 5, 4, 1), -EINVAL, "first after last");
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 0), -EINVAL, "stride 0");
	cr_assert_eq(stats(0).free, 0);
}

Test(shard_ctl, active_binding_is_loaded_once_and_never_granted)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_client_key k = key_n(7);
	struct lease *l;
	struct addr_entry *e;

	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0, "idempotent");
	cr_assert_eq(stats(0).leases, 1);
	cr_assert_eq(stats(0).active, 1);
	l = shard_lookup(sh[0], &k);
	cr_assert_not_null(l);
	cr_assert_eq(l->state, LW_BIND_ACTIVE);
	cr_assert_eq(l->addr, NET + 12);
	cr_assert_eq(l->end, NOW + 500);
	cr_assert_eq(l->lease_time, 600);
	cr_assert_eq(l->reserved, 0);
	e = shard_addr_entry(sh[0], 0, NET + 12);
	cr_assert_eq(e->owner, 0);
	cr_assert_eq(e->state, LW_BIND_ACTIVE);
	cr_assert_eq(e->slot, shard_slot(sh[0], l));
	/* Granting everything: the bound address stays out of every free set. */
	cr_assert_eq(shard_grant_range(sh[1], 0, 0, 9, 1), 8, "10 minus bound and reserved");
	cr_assert_eq(stats(0).free, 0);
	/* The other shard cannot load a binding on it. */
	b.key = key_n(8);
	cr_assert_eq(shard_load(sh[1], &b, NOW), -EEXIST);
	cr_assert_eq(stats(1).leases, 0, "nothing left behind by the refusal");
	/* The lease expires from housekeeping into this shard's free set. */
	shard_housekeep(sh[0], NOW + 500, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 1);
	cr_assert_eq(stats(0).free, 1);
}

Test(shard_ctl, loads_are_checked)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);

	b.pool = 1;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "no such pool");
	b.pool = 0;
	b.addr = NET + 20;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "outside its pool");
	b.addr = NET + 12;
	b.key.kind = 9;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "key kind");
	b.key = key_n(7);
	b.key.len = 31;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "key length");
	b.key = key_n(7);
	b.state = LW_BIND_OFFERED;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "offers are never loaded");
	b.state = LW_BIND_ACTIVE;
	b.pool = POOL_NONE;
	b.addr = LW_IP4(192, 0, 2, 1);
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL, "in no subnet");
	cr_assert_eq(stats(0).leases, 0);
}

Test(shard_ctl, key_padding_is_ignored)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_client_key k = key_n(7);

	b.key.data[20] = 0xaa; /* past len: must not make another client */
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_not_null(shard_lookup(sh[0], &k));
}

Test(shard_ctl, reservation_bindings_touch_no_pool_entry)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 15);
	struct lw_client_key k = key_n(7);
	struct lease *l;

	/* Recorded in a pool, but a reservation holds the address now. */
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	l = shard_lookup(sh[0], &k);
	cr_assert_eq(l->reserved, 1);
	cr_assert_eq(l->pool, POOL_NONE);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 15)->state, LW_BIND_RESERVED);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 15)->owner, ADDR_OWNER_NONE);
	/* Outside the pools (a reservation by client id elsewhere in the subnet). */
	b = rec(LW_BIND_ACTIVE, 8, NET + 256 + 50);
	b.pool = POOL_NONE;
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	k = key_n(8);
	l = shard_lookup(sh[0], &k);
	cr_assert_eq(l->subnet, 1);
	cr_assert_eq(l->reserved, 1);
	/* Recorded as a reservation, but inside a pool now: the pool entry is claimed. */
	b = rec(LW_BIND_ACTIVE, 9, NET + 13);
	b.pool = POOL_NONE;
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	k = key_n(9);
	l = shard_lookup(sh[0], &k);
	cr_assert_eq(l->reserved, 0);
	cr_assert_eq(l->pool, 0);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 13)->state, LW_BIND_ACTIVE);
}

Test(shard_ctl, history_lets_a_returning_client_have_its_address_back)
{
	struct lw_bind_event b = rec(LW_BIND_EXPIRED, 7, NET + 12);
	struct lw_client_key k = key_n(7);
	struct lease *l, *other;

	b.end = NOW - 10;
	cr_assert_eq(shard_load(sh[1], &b, NOW), 0);
	l = shard_lookup(sh[1], &k);
	cr_assert_not_null(l);
	cr_assert_eq(l->state, LW_BIND_EXPIRED);
	cr_assert_eq(shard_addr_entry(sh[1], 0, NET + 12)->owner, ADDR_OWNER_NONE,
		"the address itself waits for a grant");
	cr_assert_eq(shard_grant_range(sh[1], 0, 0, 9, 1), 9);
	/* Another client takes the head of the FIFO, not .12... */
	other = shard_insert(sh[1], &(struct lw_client_key){.kind = 1, .len = 2, .data = {1, 9}});
	cr_assert_eq(take(1, other, 0), NET + 10);
	/* ... and the returning client gets .12 back. */
	cr_assert_eq(take(1, l, NET + 12), NET + 12);
	/* Too old to be worth remembering. */
	b = rec(LW_BIND_RELEASED, 8, NET + 13);
	b.end = NOW - 7200;
	k = key_n(8);
	cr_assert_eq(shard_load(sh[1], &b, NOW), 0);
	cr_assert_null(shard_lookup(sh[1], &k));
}

Test(shard_ctl, a_clients_newest_record_wins)
{
	struct lw_bind_event old = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_bind_event newer = rec(LW_BIND_ACTIVE, 7, NET + 14);
	struct lw_bind_event hist = rec(LW_BIND_RELEASED, 7, NET + 16);
	struct lw_client_key k = key_n(7);

	newer.start = old.start + 50;
	cr_assert_eq(shard_load(sh[0], &old, NOW), 0);
	cr_assert_eq(shard_load(sh[0], &hist, NOW), 0, "history does not displace ACTIVE");
	cr_assert_eq(shard_lookup(sh[0], &k)->addr, NET + 12);
	cr_assert_eq(shard_load(sh[0], &newer, NOW), 0);
	cr_assert_eq(shard_lookup(sh[0], &k)->addr, NET + 14);
	cr_assert_eq(stats(0).active, 1);
	cr_assert_eq(stats(0).leases, 1);
	/* The displaced address is this shard's to give, not lost. */
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 12)->state, LW_BIND_FREE);
	cr_assert_eq(stats(0).free, 1);
	/* The older record arriving again (a second stream) changes nothing. */
	cr_assert_eq(shard_load(sh[0], &old, NOW), 0);
	cr_assert_eq(shard_lookup(sh[0], &k)->addr, NET + 14);
}

Test(shard_ctl, declined_address_is_quarantined_then_freed)
{
	struct lw_bind_event b = rec(LW_BIND_DECLINED, 0, NET + 11);
	struct lw_bind_event b2 = rec(LW_BIND_DECLINED, 0, NET + 10);
	struct lw_bind_event ev[4];

	b.end = NOW + 50;
	b2.end = NOW + 20; /* out of order: the set stays in probation-end order */
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_eq(shard_load(sh[0], &b2, NOW), 0);
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0, "idempotent");
	cr_assert_eq(stats(0).declined, 2);
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 1), 7, "declined and reserved skipped");
	shard_housekeep(sh[0], NOW + 20, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_DECLINE_REUSED], 1, ".10 first: its probation ends first");
	shard_housekeep(sh[0], NOW + 50, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_DECLINE_REUSED], 2);
	cr_assert_eq(shard_events_take(sh[0], ev, 4), 2);
	cr_assert_eq(ev[0].addr, NET + 10);
	cr_assert_eq(ev[0].state, LW_BIND_FREE);
	cr_assert_eq(ev[1].addr, NET + 11);
	cr_assert_eq(stats(0).free, 9);
}

Test(shard_ctl, delete_frees_the_address_with_an_event)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_bind_event d = rec(LW_BIND_DECLINED, 0, NET + 13);
	struct lw_client_key k = key_n(7);
	struct lw_bind_event ev[4];

	shard_load(sh[0], &b, NOW);
	shard_load(sh[0], &d, NOW);
	b.type = LW_CMD_DELETE;
	b.key = key_n(8);
	cr_assert_eq(shard_delete(sh[0], &b, NOW), -ENOENT, "another client's address");
	b.key = k;
	cr_assert_eq(shard_delete(sh[0], &b, NOW), 0);
	cr_assert_null(shard_lookup(sh[0], &k));
	cr_assert_eq(stats(0).active, 0);
	cr_assert_eq(stats(0).free, 1, "back in this shard's free set");
	cr_assert_eq(shard_delete(sh[0], &b, NOW), -ENOENT, "gone already");
	d.type = LW_CMD_DELETE;
	cr_assert_eq(shard_delete(sh[0], &d, NOW), 0, "a declined address, no key");
	cr_assert_eq(stats(0).declined, 0);
	cr_assert_eq(stats(0).free, 2);
	cr_assert_eq(shard_events_take(sh[0], ev, 4), 2);
	cr_assert_eq(ev[0].state, LW_BIND_FREE);
	cr_assert_eq(ev[0].addr, NET + 12);
	cr_assert_eq(memcmp(&ev[0].key, &k, sizeof(k)), 0);
	cr_assert_eq(ev[1].addr, NET + 13);
	d.pool = 3;
	cr_assert_eq(shard_delete(sh[0], &d, NOW), -EINVAL);
}

Test(shard_ctl, events_stay_until_durable_and_go_again_after_a_rewind)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_client_key k = key_n(7);
	const struct lw_bind_event *first;
	unsigned room = shard_event_room(sh[0]);
	struct lease *l;
	uint64_t seq = 0;

	shard_load(sh[0], &b, NOW);
	l = shard_lookup(sh[0], &k);
	/* Fill the buffer with renewals nobody makes durable. */
	for (unsigned i = 0; i < room; i++)
		cr_assert_eq(shard_commit(sh[0], l, LW_BIND_ACTIVE, NOW + i), ++seq);
	cr_assert_eq(shard_event_room(sh[0]), 0);
	cr_assert_eq(shard_commit(sh[0], l, LW_BIND_ACTIVE, NOW), 0, "refused, not lost");
	shard_housekeep(sh[0], NOW + 100000, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 0, "expiry waits for room");
	cr_assert_eq(l->state, LW_BIND_ACTIVE);

	/* Handed over in two runs (the buffer wraps), then durable up to 100. */
	cr_assert_eq(shard_events_pending(sh[0]), room);
	cr_assert_eq(shard_events_unsent(sh[0], &first), room - 1);
	cr_assert_eq(first->seq, 1);
	shard_events_sent(sh[0], room - 1);
	cr_assert_eq(shard_events_unsent(sh[0], &first), 1);
	cr_assert_eq(first->seq, room);
	shard_events_sent(sh[0], 1);
	shard_events_durable(sh[0], 100);
	cr_assert_eq(shard_event_room(sh[0]), 100);
	cr_assert_eq(shard_events_pending(sh[0]), 0);
	cr_assert_null(shard_event_at(sh[0], 100), "let go");
	cr_assert_eq(shard_event_at(sh[0], 101)->seq, 101);

	/* Control restarts: everything above 100 goes again. */
	shard_events_rewind(sh[0]);
	cr_assert_eq(shard_events_pending(sh[0]), room - 100);
	cr_assert_eq(shard_events_unsent(sh[0], &first), room - 101);
	cr_assert_eq(first->seq, 101);
	/* A durable_seq beyond what exists is not believed. */
	shard_events_durable(sh[0], seq + 1000);
	cr_assert_eq(shard_durable_seq(sh[0]), seq);
	cr_assert_eq(shard_events_pending(sh[0]), 0);
	cr_assert_eq(shard_event_room(sh[0]), room);
	shard_housekeep(sh[0], NOW + 100000, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 1, "room again: the sweep goes on");
}

/* ------------------------------------------------------------------------ */
/* Failover pools */

static bool parked(uint32_t addr)
{
	struct addr_entry *e = shard_addr_entry(sh[0], 0, addr);

	return e->state == LW_BIND_BACKUP && e->owner == ADDR_OWNER_NONE;
}

/* Shard 0 gets every address of the pool it may have (its own share, 4.3). */
static void take_all_parked(void)
{
	cr_assert_eq(shard_grant_range_flags(sh[0], 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 9);
}

static struct lease *bound(unsigned i, unsigned client, uint32_t addr)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, client, addr);
	struct lw_client_key k = key_n(client);

	cr_assert_eq(shard_load(sh[i], &b, NOW), 0);
	return shard_lookup(sh[i], &k);
}

Test(shard_fo, addresses_start_parked_and_need_take_parked)
{
	struct lw_client_key k = key_n(1);
	struct lease *l = shard_insert(sh[0], &k);

	for (uint32_t a = NET + 10; a <= NET + 19; a++)
		if (a != NET + 15)
			cr_assert(parked(a), "%u not parked", a - NET);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 15)->state, LW_BIND_RESERVED);
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 1), 0, "a plain grant skips them");
	cr_assert_eq(take(0, l, 0), 0, "nothing to allocate");
	cr_assert_eq(take(0, l, NET + 12), 0);
	cr_assert_eq(shard_grant_range_flags(sh[0], 0, 0, 9, 1, 0x2), -EINVAL, "unknown flag");
	cr_assert_eq(shard_grant_range_flags(sh[0], 0, 0, 9, 2, LW_GRANT_TAKE_PARKED), 5);
	cr_assert_eq(shard_grant_range_flags(sh[1], 0, 1, 9, 2, LW_GRANT_TAKE_PARKED), 4,
		".15 is reserved");
	cr_assert_eq(take(0, l, 0), NET + 10);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 12)->state, LW_BIND_FREE);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 12)->owner, 0);
}

Test(shard_fo, a_released_or_expired_binding_parks_its_address)
{
	struct lease *l, *m;
	struct lw_client_key k = key_n(3);

	take_all_parked();
	l = bound(0, 1, NET + 10);
	m = bound(0, 2, NET + 11);
	cr_assert_eq(stats(0).free, 7);
	cr_assert_neq(shard_commit(sh[0], l, LW_BIND_RELEASED, NOW), 0);
	cr_assert(parked(NET + 10), "released: parked, not free");
	cr_assert_eq(stats(0).free, 7);
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 1);
	cr_assert_eq(l->state, LW_BIND_RELEASED, "the client's history stays");
	/* The last holder does not get it back while it is parked. */
	cr_assert_eq(take(0, l, NET + 10), 0);

	shard_housekeep(sh[0], NOW + 500, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_LEASE_EXPIRED], 1);
	cr_assert_eq(m->state, LW_BIND_EXPIRED);
	cr_assert(parked(NET + 11), "expired: parked");
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 2);
	cr_assert_eq(stats(0).free, 7);

	/* An offer that is not taken keeps its address free: control gave it to us. */
	l = shard_insert(sh[0], &k);
	cr_assert_eq(take(0, l, 0), NET + 12);
	shard_commit(sh[0], l, LW_BIND_OFFERED, NOW + 500);
	shard_housekeep(sh[0], NOW + 600, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_OFFER_EXPIRED], 1);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 12)->state, LW_BIND_FREE);
	cr_assert_eq(stats(0).free, 7);

	/* Control grants them again once the peer acknowledged. */
	cr_assert_eq(shard_grant_range_flags(sh[1], 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 2);
}

Test(shard_fo, delete_and_decline_probation_park)
{
	struct lw_bind_event b = rec(LW_BIND_ACTIVE, 7, NET + 12);
	struct lw_bind_event d = rec(LW_BIND_DECLINED, 0, NET + 13);
	const struct lw_bind_event *ev;

	d.end = NOW + 10;
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_eq(shard_load(sh[0], &d, NOW), 0, "a declined load claims a parked address");
	cr_assert_eq(stats(0).declined, 1);
	b.type = LW_CMD_DELETE;
	cr_assert_eq(shard_delete(sh[0], &b, NOW), 0);
	cr_assert(parked(NET + 12));
	ev = shard_event_at(sh[0], shard_last_seq(sh[0]));
	cr_assert_eq(ev->state, LW_BIND_FREE);
	cr_assert_eq(ev->addr, NET + 12);
	shard_housekeep(sh[0], NOW + 10, 64, ctr);
	cr_assert_eq(ctr[LW_CTR_DECLINE_REUSED], 1);
	cr_assert(parked(NET + 13), "probation over: parked");
	cr_assert_eq(stats(0).free, 0);
	cr_assert_eq(stats(0).declined, 0);
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 2);
}

Test(shard_fo, loads_of_failover_bindings)
{
	struct lw_bind_event b = rec(LW_BIND_BACKUP, 0, NET + 12);
	struct lw_bind_event x = rec(LW_BIND_EXPIRED, 8, NET + 13);
	struct lease *l;

	/* ACTIVE on a parked address (the peer's binding): claimed. */
	l = bound(0, 7, NET + 14);
	cr_assert_not_null(l);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 14)->owner, 0);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 14)->state, LW_BIND_ACTIVE);
	/* EXPIRED: history, the address stays parked. */
	cr_assert_eq(shard_load(sh[0], &x, NOW), 0);
	cr_assert(parked(NET + 13));
	cr_assert_eq(shard_grant_range(sh[1], 0, 0, 9, 1), 0);

	/* BACKUP: parked, from unowned or from this shard's free set. */
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert(parked(NET + 12));
	cr_assert_eq(shard_grant_range_flags(sh[0], 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 8);
	cr_assert_eq(stats(0).free, 8);
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert(parked(NET + 12));
	cr_assert_eq(stats(0).free, 7);
	cr_assert_eq(ctr[LW_CTR_ADDR_PARKED], 1);
	b.addr = NET + 11;
	cr_assert_eq(shard_load(sh[1], &b, NOW), -EEXIST, "another shard's free address");
	b.addr = NET + 14;
	cr_assert_eq(shard_load(sh[0], &b, NOW), -EEXIST, "bound");
	b.addr = NET + 15;
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0, "a reservation: nothing to do");
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 15)->state, LW_BIND_RESERVED);

	/* The peer says the client's binding ended: ours parks too. */
	x = rec(LW_BIND_RELEASED, 7, NET + 14);
	x.end = NOW + 600;
	cr_assert_eq(shard_load(sh[0], &x, NOW), 0);
	cr_assert_eq(l->state, LW_BIND_RELEASED);
	cr_assert(parked(NET + 14));
	cr_assert_eq(stats(0).active, 0);
}

Test(shard_ctl, backup_loads_and_yields_need_a_failover_pool)
{
	struct lw_bind_event b = rec(LW_BIND_BACKUP, 0, NET + 12);

	cr_assert_eq(shard_load(sh[0], &b, NOW), -EINVAL);
	cr_assert_eq(shard_grant_range(sh[0], 0, 0, 9, 1), 9);
	cr_assert_eq(shard_yield(sh[0], 0, 2, LW_BIND_BACKUP, NOW), -EINVAL);
	cr_assert_eq(shard_yield(sh[0], 1, 2, LW_BIND_BACKUP, NOW), -EINVAL, "no pool 1");
	cr_assert_eq(stats(0).free, 9);
	cr_assert_eq(shard_last_seq(sh[0]), 0);
}

Test(shard_fo, yield_parks_from_the_head_with_one_event_each)
{
	struct lw_client_key k = key_n(1);
	struct lease *l;

	take_all_parked();
	cr_assert_eq(shard_yield(sh[0], 0, 3, LW_BIND_FREE, NOW), 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct lw_bind_event *ev = shard_event_at(sh[0], i + 1);

		cr_assert_not_null(ev);
		cr_assert_eq(ev->state, LW_BIND_FREE);
		cr_assert_eq(ev->addr, NET + 10 + i);
		cr_assert_eq(ev->key.kind, LW_KEY_NONE);
		cr_assert(parked(NET + 10 + i));
	}
	cr_assert_eq(stats(0).free, 6);
	l = shard_insert(sh[0], &k);
	cr_assert_eq(take(0, l, NET + 11), 0, "a yielded address is not ours");
	cr_assert_eq(take(0, l, 0), NET + 13);
}

Test(shard_fo, yield_stops_when_the_events_have_no_room)
{
	unsigned total = 0;
	int n;

	/* Yield and take back until fewer than the 9 addresses fit. */
	while (shard_event_room(sh[0]) >= 9) {
		take_all_parked();
		cr_assert_eq(shard_yield(sh[0], 0, 9, LW_BIND_BACKUP, NOW), 9);
		total += 9;
	}
	take_all_parked();
	n = shard_yield(sh[0], 0, 9, LW_BIND_BACKUP, NOW);
	cr_assert_lt(n, 9);
	cr_assert_eq(shard_event_room(sh[0]), 0);
	cr_assert_eq(stats(0).free, 9u - (unsigned)n, "what did not fit stays ours");
	cr_assert_eq(shard_last_seq(sh[0]), total + (unsigned)n);
	/* Once control has them on disk there is room again. */
	shard_events_durable(sh[0], shard_last_seq(sh[0]));
	cr_assert_eq(shard_yield(sh[0], 0, 9, LW_BIND_BACKUP, NOW), 9 - n);
}

Test(shard_fo, tsfp_reaches_the_lease_holding_the_address)
{
	struct lw_bind_event b;
	struct lease *l;

	l = bound(0, 7, NET + 12);
	cr_assert_eq(l->tsfp, 0, "a loaded binding: nothing acknowledged yet");
	cr_assert_eq(shard_set_tsfp(sh[0], NET + 12, NOW + 900), 0);
	cr_assert_eq(l->tsfp, NOW + 900);
	cr_assert_eq(shard_set_tsfp(sh[1], NET + 12, NOW + 1), -ENOENT, "another shard's");
	cr_assert_eq(shard_set_tsfp(sh[0], NET + 13, NOW + 1), -ENOENT, "parked");
	cr_assert_eq(shard_set_tsfp(sh[0], NET + 40, NOW + 1), -ENOENT, "outside the pools");
	cr_assert_eq(shard_set_tsfp(sh[0], LW_IP4(10, 0, 0, 1), NOW + 1), -ENOENT);
	/* The same binding loaded again keeps it; another address drops it. */
	bound(0, 7, NET + 12);
	cr_assert_eq(l->tsfp, NOW + 900);
	b = rec(LW_BIND_ACTIVE, 7, NET + 14);
	b.start = NOW - 50; /* newer */
	cr_assert_eq(shard_load(sh[0], &b, NOW), 0);
	cr_assert_eq(l->addr, NET + 14);
	cr_assert_eq(l->tsfp, 0);
	cr_assert(parked(NET + 12), "the old address of a replaced binding parks");
}

/* After PARTNER-DOWN: control takes back what is still free of a range. */
Test(shard_fo, revoke_parks_only_our_free_addresses)
{
	struct lease *l;
	uint32_t free0;

	take_all_parked();
	l = bound(0, 1, NET + 10);
	free0 = stats(0).free;
	/* Offsets 0..9: .10 is bound, .15 reserved, the rest free in one shard or the other. */
	int n0 = shard_revoke_range(sh[0], 0, 0, 9, 1);
	cr_assert_gt(n0, 0);
	cr_assert_eq(stats(0).free, free0 - (uint32_t)n0);
	cr_assert_eq(l->state, LW_BIND_ACTIVE, "a bound address stays bound");
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 10)->state, LW_BIND_ACTIVE);
	cr_assert_eq(shard_addr_entry(sh[0], 0, NET + 15)->state, LW_BIND_RESERVED);
	for (uint32_t a = NET + 11; a <= NET + 19; a++) {
		const struct addr_entry *e = shard_addr_entry(sh[0], 0, a);

		if (a != NET + 15 && e->owner == ADDR_OWNER_NONE)
			cr_assert(parked(a), "%u", a - NET);
	}
	cr_assert_eq(shard_revoke_range(sh[0], 0, 0, 9, 1), 0, "nothing left to revoke");
	cr_assert_eq(shard_revoke_range(sh[0], 0, 0, 99, 1), -EINVAL, "past the pool");
	cr_assert_eq(shard_revoke_range(sh[0], 0, 0, 9, 0), -EINVAL, "stride 0");
	/* A revoked address comes back only with TAKE_PARKED. */
	cr_assert_gt(shard_grant_range_flags(sh[0], 0, 0, 9, 1, LW_GRANT_TAKE_PARKED), 0);
}
