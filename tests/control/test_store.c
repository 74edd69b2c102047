/* SPDX-License-Identifier: MPL-2.0 */
/* Lease store: records replaced and removed by address, the client-key
 * index rules, hardware lookups, paging order, subnet counters, growth,
 * and a randomised run checked against a plain model after every event. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/store.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)

static struct store *st;

static void setup(void)
{
	st = store_create(16);
	cr_assert_not_null(st);
}

static void teardown(void)
{
	store_free(st);
}

TestSuite(store, .init = setup, .fini = teardown);

/* Client n: hardware key (1, 02:00:00:00:hi:lo). */
static struct lw_client_key hw_key(unsigned n)
{
	struct lw_client_key k;

	memset(&k, 0, sizeof(k));
	k.kind = LW_KEY_HWADDR;
	k.len = 7;
	k.data[0] = 1;
	k.data[1] = 2;
	k.data[3] = (uint8_t)(n >> 16);
	k.data[4] = (uint8_t)(n >> 8);
	k.data[5] = (uint8_t)n;
	return k;
}

static struct lw_client_key cid_key(const void *id, uint8_t len)
{
	struct lw_client_key k;

	memset(&k, 0, sizeof(k));
	k.kind = LW_KEY_CLIENT_ID;
	k.len = len;
	memcpy(k.data, id, len);
	return k;
}

static struct lw_bind_event ev(uint32_t addr, struct lw_client_key k, uint8_t state, uint32_t start,
	uint32_t end, uint32_t subnet)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = state;
	e.pool = 0;
	e.seq = 1;
	e.addr = addr;
	e.start = start;
	e.end = end;
	e.subnet = subnet;
	e.key = k;
	return e;
}

static void apply(
	uint32_t addr, struct lw_client_key k, uint8_t state, uint32_t start, uint32_t end)
{
	struct lw_bind_event e = ev(addr, k, state, start, end, 0);

	cr_assert_eq(store_apply(st, &e), 0, "apply %08x state %u", addr, state);
}

static uint32_t key_addr(struct lw_client_key k)
{
	const struct store_lease *l = store_get_key(st, &k);

	return l ? l->addr : 0;
}

Test(store, apply_replace_remove)
{
	struct lw_client_key k1 = hw_key(1), k2 = hw_key(2);
	const struct store_lease *l;

	apply(A(198, 18, 0, 10), k1, LW_BIND_ACTIVE, 100, 200);
	l = store_get_addr(st, A(198, 18, 0, 10));
	cr_assert_not_null(l);
	cr_expect_eq(l->state, LW_BIND_ACTIVE);
	cr_expect_eq(l->start, 100);
	cr_expect_eq(l->end, 200);
	cr_expect(memcmp(&l->key, &k1, sizeof(k1)) == 0);
	cr_expect_eq(store_count(st), 1);

	/* Same address, new state: one record, replaced. */
	apply(A(198, 18, 0, 10), k1, LW_BIND_EXPIRED, 100, 200);
	cr_expect_eq(store_count(st), 1);
	cr_expect_eq(store_get_addr(st, A(198, 18, 0, 10))->state, LW_BIND_EXPIRED);

	/* Same address, another client. */
	apply(A(198, 18, 0, 10), k2, LW_BIND_ACTIVE, 300, 400);
	cr_expect_eq(store_count(st), 1);
	cr_expect_eq(key_addr(k2), A(198, 18, 0, 10));
	cr_expect_null(store_get_key(st, &k1), "k1 lost its only record");

	/* A FREE of another client leaves the record (the address moved on). */
	apply(A(198, 18, 0, 10), k1, LW_BIND_FREE, 0, 0);
	cr_expect_eq(store_count(st), 1);
	/* FREE removes; a FREE for an absent address is fine. */
	apply(A(198, 18, 0, 10), k2, LW_BIND_FREE, 0, 0);
	cr_expect_eq(store_count(st), 0);
	cr_expect_null(store_get_addr(st, A(198, 18, 0, 10)));
	cr_expect_null(store_get_key(st, &k2));
	apply(A(198, 18, 0, 10), hw_key(0), LW_BIND_FREE, 0, 0);

	apply(A(198, 18, 0, 11), k1, LW_BIND_ACTIVE, 1, 2);
	cr_expect_eq(store_remove(st, A(198, 18, 0, 11)), 0);
	cr_expect_eq(store_remove(st, A(198, 18, 0, 11)), -ENOENT);
	cr_expect_null(store_get_key(st, &k1));
}

struct bad_case {
	const char *what;
	void (*spoil)(struct lw_bind_event *e);
};

static void bad_type(struct lw_bind_event *e)
{
	e->type = 9;
}
static void bad_version(struct lw_bind_event *e)
{
	e->version = LW_RECORDS_VERSION + 1;
}
static void bad_offered(struct lw_bind_event *e)
{
	e->state = LW_BIND_OFFERED;
}
static void bad_reserved(struct lw_bind_event *e)
{
	e->state = LW_BIND_RESERVED;
}
static void bad_state(struct lw_bind_event *e)
{
	e->state = 77;
}
static void bad_subnet(struct lw_bind_event *e)
{
	e->subnet = LW_MAX_SUBNETS;
}
static void bad_key_len(struct lw_bind_event *e)
{
	e->key.len = LW_KEY_DATA + 1;
}
static void bad_key_kind(struct lw_bind_event *e)
{
	e->key.kind = 9;
}

Test(store, rejects_what_is_not_a_binding)
{
	static const struct bad_case cases[] = {
		{"type", bad_type},
		{"version", bad_version},
		{"OFFERED (never durable)", bad_offered},
		{"RESERVED", bad_reserved},
		{"unknown state", bad_state},
		{"subnet index", bad_subnet},
		{"key length", bad_key_len},
		{"key kind", bad_key_kind},
	};

	apply(A(10, 0, 0, 1), hw_key(1), LW_BIND_ACTIVE, 1, 2);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lw_bind_event e = ev(A(10, 0, 0, 1), hw_key(2), LW_BIND_EXPIRED, 5, 6, 0);

		cases[i].spoil(&e);
		cr_expect_eq(store_apply(st, &e), -EINVAL, "%s", cases[i].what);
		cr_expect_eq(store_get_addr(st, A(10, 0, 0, 1))->state, LW_BIND_ACTIVE,
			"%s: store changed", cases[i].what);
	}
	cr_expect_eq(store_count(st), 1);
}

Test(store, key_bytes_past_len_do_not_matter)
{
	struct lw_client_key k = hw_key(5), dirty = k;

	dirty.data[20] = 0xaa; /* beyond len */
	apply(A(10, 0, 0, 5), dirty, LW_BIND_ACTIVE, 1, 2);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 5));
	cr_expect_eq(key_addr(dirty), A(10, 0, 0, 5));
}

Test(store, second_active_address_takes_the_index_and_both_stay)
{
	struct lw_client_key k = hw_key(1);

	apply(A(10, 0, 0, 1), k, LW_BIND_ACTIVE, 100, 1000);
	apply(A(10, 0, 0, 2), k, LW_BIND_ACTIVE, 200, 1100);
	cr_expect_eq(store_count(st), 2);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 2));
	cr_expect_eq(store_get_addr(st, A(10, 0, 0, 1))->state, LW_BIND_ACTIVE);

	/* B ends: the client still has A active, the index goes there. */
	apply(A(10, 0, 0, 2), k, LW_BIND_RELEASED, 200, 300);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 1));

	/* A expires later than B was released: the most recent is A. */
	apply(A(10, 0, 0, 1), k, LW_BIND_EXPIRED, 100, 400);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 1));

	/* B bound again. */
	apply(A(10, 0, 0, 2), k, LW_BIND_ACTIVE, 500, 1500);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 2));
}

Test(store, history_does_not_take_the_index_from_an_active_record)
{
	struct lw_client_key k = hw_key(1);

	apply(A(10, 0, 0, 2), k, LW_BIND_ACTIVE, 500, 1500);
	/* An older address of the same client expires after it moved. */
	apply(A(10, 0, 0, 1), k, LW_BIND_EXPIRED, 100, 600);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 2));
	apply(A(10, 0, 0, 3), k, LW_BIND_RELEASED, 100, 700);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 2));
	cr_expect_eq(store_count(st), 3);
}

Test(store, removing_or_reassigning_the_indexed_record_moves_the_index)
{
	struct lw_client_key k = hw_key(1), other = hw_key(2);

	apply(A(10, 0, 0, 1), k, LW_BIND_EXPIRED, 100, 200);
	apply(A(10, 0, 0, 2), k, LW_BIND_RELEASED, 300, 400);
	apply(A(10, 0, 0, 3), k, LW_BIND_ACTIVE, 500, 900);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 3));

	/* The active address goes to another client: k's most recent is .2. */
	apply(A(10, 0, 0, 3), other, LW_BIND_ACTIVE, 600, 1000);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 2));
	cr_expect_eq(key_addr(other), A(10, 0, 0, 3));

	cr_expect_eq(store_remove(st, A(10, 0, 0, 2)), 0);
	cr_expect_eq(key_addr(k), A(10, 0, 0, 1));
	apply(A(10, 0, 0, 1), k, LW_BIND_FREE, 0, 0);
	cr_expect_null(store_get_key(st, &k));
	cr_expect_eq(key_addr(other), A(10, 0, 0, 3));
}

Test(store, declined_address_keeps_no_client)
{
	struct lw_client_key k = hw_key(1), zero;
	const struct store_lease *l;

	memset(&zero, 0, sizeof(zero));
	apply(A(10, 0, 0, 1), k, LW_BIND_ACTIVE, 100, 200);
	apply(A(10, 0, 0, 1), k, LW_BIND_DECLINED, 150, 150 + 86400);
	l = store_get_addr(st, A(10, 0, 0, 1));
	cr_assert_not_null(l);
	cr_expect_eq(l->state, LW_BIND_DECLINED);
	cr_expect(memcmp(&l->key, &zero, sizeof(zero)) == 0);
	cr_expect_null(store_get_key(st, &k));
	cr_expect_null(store_get_key(st, &zero), "no index entry for the empty key");
}

Test(store, find_hw_matches_hardware_and_client_id_forms)
{
	static const uint8_t mac[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t cid[7] = {0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t cid_other[7] = {0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct lw_client_key hk, ck = cid_key(cid, 7), ok = cid_key(cid_other, 7), tr;
	const struct store_lease *out[4];
	unsigned n;

	memset(&hk, 0, sizeof(hk));
	hk.kind = LW_KEY_HWADDR;
	hk.len = 7;
	hk.data[0] = 1;
	memcpy(hk.data + 1, mac, 6);
	tr = hk;
	tr.data[0] = 6; /* token ring, same bytes */

	apply(A(10, 0, 0, 1), hk, LW_BIND_ACTIVE, 100, 200);
	apply(A(10, 0, 0, 2), hk, LW_BIND_EXPIRED, 10, 50);
	apply(A(10, 0, 0, 3), ck, LW_BIND_ACTIVE, 100, 200);
	apply(A(10, 0, 0, 4), ok, LW_BIND_ACTIVE, 100, 200);
	apply(A(10, 0, 0, 5), tr, LW_BIND_ACTIVE, 100, 200);

	n = store_find_hw(st, 1, mac, 6, out, 4);
	cr_assert_eq(n, 3);
	cr_expect_eq(out[0]->addr, A(10, 0, 0, 1), "the client's indexed record first");
	cr_expect(out[1]->addr == A(10, 0, 0, 2) || out[2]->addr == A(10, 0, 0, 2));
	cr_expect(out[1]->addr == A(10, 0, 0, 3) || out[2]->addr == A(10, 0, 0, 3));

	/* The total is returned even when out is too small. */
	cr_expect_eq(store_find_hw(st, 1, mac, 6, out, 1), 3);
	cr_expect_eq(store_find_hw(st, 6, mac, 6, out, 4), 1);
	cr_expect_eq(out[0]->addr, A(10, 0, 0, 5));
	cr_expect_eq(store_find_hw(st, 1, mac, 5, out, 4), 0);
}

Test(store, page_returns_ascending_addresses_across_boundaries)
{
	static const uint32_t addrs[] = {
		A(0, 0, 0, 1),
		A(10, 0, 0, 63),
		A(10, 0, 0, 64),
		A(10, 0, 0, 255),
		A(10, 0, 1, 0),
		A(10, 0, 255, 255),
		A(10, 1, 0, 0),
		A(192, 0, 2, 200),
		A(255, 255, 255, 254),
		A(255, 255, 255, 255),
	};
	const size_t n = sizeof(addrs) / sizeof(addrs[0]);
	const struct store_lease *out[16];
	uint32_t after = 0;
	unsigned got;

	/* Applied in reverse so that insertion order is not address order. */
	for (size_t i = n; i-- > 0;)
		apply(addrs[i], hw_key((unsigned)i), LW_BIND_ACTIVE, 1, 2);

	got = store_page(st, 0, out, 16);
	cr_assert_eq(got, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(out[i]->addr, addrs[i], "position %zu", i);

	/* One at a time. */
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(store_page(st, after, out, 1), 1);
		cr_expect_eq(out[0]->addr, addrs[i]);
		after = out[0]->addr;
	}
	cr_expect_eq(store_page(st, after, out, 1), 0, "nothing after the highest");
	cr_expect_eq(store_page(st, UINT32_MAX, out, 16), 0);

	/* Starting inside a block: the exact address is excluded, the next one is in. */
	got = store_page(st, A(10, 0, 0, 63), out, 2);
	cr_assert_eq(got, 2);
	cr_expect_eq(out[0]->addr, A(10, 0, 0, 64));
	cr_expect_eq(out[1]->addr, A(10, 0, 0, 255));
	got = store_page(st, A(10, 0, 0, 62), out, 1);
	cr_expect_eq(out[0]->addr, A(10, 0, 0, 63));
	got = store_page(st, A(10, 0, 1, 1), out, 1);
	cr_expect_eq(out[0]->addr, A(10, 0, 255, 255));
	cr_expect_eq(store_page(st, 0, out, 0), 0);

	/* A removed address is no longer paged. */
	cr_assert_eq(store_remove(st, A(10, 0, 0, 64)), 0);
	got = store_page(st, A(10, 0, 0, 63), out, 1);
	cr_expect_eq(out[0]->addr, A(10, 0, 0, 255));
}

Test(store, subnet_counters_follow_the_states)
{
	struct lw_bind_event e;

	e = ev(A(10, 0, 0, 1), hw_key(1), LW_BIND_ACTIVE, 1, 2, 3);
	cr_assert_eq(store_apply(st, &e), 0);
	e = ev(A(10, 0, 0, 2), hw_key(2), LW_BIND_ACTIVE, 1, 2, 3);
	cr_assert_eq(store_apply(st, &e), 0);
	e = ev(A(10, 0, 1, 1), hw_key(3), LW_BIND_ACTIVE, 1, 2, 4095);
	cr_assert_eq(store_apply(st, &e), 0);
	cr_expect_eq(store_subnet_assigned(st, 3), 2);
	cr_expect_eq(store_subnet_assigned(st, 4095), 1);
	cr_expect_eq(store_subnet_assigned(st, 4), 0);

	e = ev(A(10, 0, 0, 1), hw_key(1), LW_BIND_EXPIRED, 1, 2, 3);
	cr_assert_eq(store_apply(st, &e), 0);
	e = ev(A(10, 0, 0, 2), hw_key(2), LW_BIND_DECLINED, 1, 2, 3);
	cr_assert_eq(store_apply(st, &e), 0);
	cr_expect_eq(store_subnet_assigned(st, 3), 0);
	cr_expect_eq(store_subnet_declined(st, 3), 1);

	e = ev(A(10, 0, 0, 2), hw_key(0), LW_BIND_FREE, 1, 2, 3);
	cr_assert_eq(store_apply(st, &e), 0);
	cr_expect_eq(store_subnet_declined(st, 3), 0);

	/* A record that moves to another subnet index (after a reload). */
	e = ev(A(10, 0, 1, 1), hw_key(3), LW_BIND_ACTIVE, 5, 6, 7);
	cr_assert_eq(store_apply(st, &e), 0);
	cr_expect_eq(store_subnet_assigned(st, 4095), 0);
	cr_expect_eq(store_subnet_assigned(st, 7), 1);
	cr_expect_eq(store_subnet_assigned(st, LW_MAX_SUBNETS), 0, "out of range reads 0");
}

static int count_cb(void *arg, const struct store_lease *l)
{
	unsigned *n = arg;

	(*n)++;
	return *n == 3 ? 42 : 0;
}

Test(store, foreach_visits_every_record_and_stops_on_request)
{
	unsigned n = 0;

	for (unsigned i = 1; i <= 5; i++)
		apply(A(10, 0, 0, i), hw_key(i), LW_BIND_ACTIVE, 1, 2);
	cr_expect_eq(store_foreach(st, count_cb, &n), 42);
	cr_expect_eq(n, 3);
}

Test(store, prune_drops_old_history_only)
{
	apply(A(10, 0, 0, 1), hw_key(1), LW_BIND_ACTIVE, 10, 20);    /* ACTIVE: stays */
	apply(A(10, 0, 0, 2), hw_key(2), LW_BIND_EXPIRED, 10, 50);   /* old: goes */
	apply(A(10, 0, 0, 3), hw_key(3), LW_BIND_RELEASED, 10, 99);  /* old: goes */
	apply(A(10, 0, 0, 4), hw_key(4), LW_BIND_RELEASED, 10, 100); /* at the cut: stays */
	apply(A(10, 0, 0, 5), hw_key(5), LW_BIND_DECLINED, 10, 20);  /* DECLINED: stays */
	cr_expect_eq(store_prune(st, 100), 2);
	cr_expect_eq(store_count(st), 3);
	cr_expect_null(store_get_addr(st, A(10, 0, 0, 2)));
	cr_expect_null(store_get_addr(st, A(10, 0, 0, 3)));
	{
		struct lw_client_key k2 = hw_key(2);
		cr_expect_null(store_get_key(st, &k2));
	}
	cr_expect_not_null(store_get_addr(st, A(10, 0, 0, 4)));
}

Test(store, lease_to_event_recreates_the_record)
{
	struct lw_bind_event e = ev(A(10, 0, 0, 9), hw_key(9), LW_BIND_ACTIVE, 11, 22, 5), back;
	const struct store_lease *l;

	e.pool = 3;
	cr_assert_eq(store_apply(st, &e), 0);
	l = store_get_addr(st, A(10, 0, 0, 9));
	store_lease_to_event(l, &back);
	cr_expect_eq(back.type, LW_EV_BIND);
	cr_expect_eq(back.version, LW_RECORDS_VERSION);
	cr_expect_eq(back.state, e.state);
	cr_expect_eq(back.addr, e.addr);
	cr_expect_eq(back.start, e.start);
	cr_expect_eq(back.end, e.end);
	cr_expect_eq(back.subnet, e.subnet);
	cr_expect_eq(back.pool, e.pool);
	cr_expect(memcmp(&back.key, &e.key, sizeof(e.key)) == 0);
}

#define BIG 100000u

Test(store, grows_past_its_initial_size)
{
	const struct store_lease *page[1000];
	uint32_t after = 0, seen = 0, prev = 0;
	uint64_t bytes0 = store_bytes(st);
	unsigned n;

	/* Addresses scattered over 10.0.0.0/8 by a multiplicative step. */
	for (uint32_t i = 0; i < BIG; i++)
		apply(A(10, 0, 0, 0) + ((i * 2654435761u) & 0xffffff), hw_key(i), LW_BIND_ACTIVE, i,
			i + 3600);
	cr_assert_eq(store_count(st), BIG);
	for (uint32_t i = 0; i < BIG; i++) {
		uint32_t a = A(10, 0, 0, 0) + ((i * 2654435761u) & 0xffffff);
		struct lw_client_key k = hw_key(i);

		cr_assert_eq(key_addr(k), a, "client %u", i);
		cr_assert_eq(store_get_addr(st, a)->start, i);
	}
	while ((n = store_page(st, after, page, 1000)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			cr_assert_gt(page[i]->addr, prev);
			prev = page[i]->addr;
		}
		seen += n;
		after = page[n - 1]->addr;
	}
	cr_expect_eq(seen, BIG);

	/* Remove every other one: the rest stay reachable, freed slots are reused. */
	for (uint32_t i = 0; i < BIG; i += 2)
		cr_assert_eq(store_remove(st, A(10, 0, 0, 0) + ((i * 2654435761u) & 0xffffff)), 0);
	for (uint32_t i = 1; i < BIG; i += 2) {
		struct lw_client_key k = hw_key(i);

		cr_assert_eq(key_addr(k), A(10, 0, 0, 0) + ((i * 2654435761u) & 0xffffff));
	}
	cr_expect_eq(store_count(st), BIG / 2);
	{
		uint64_t bytes = store_bytes(st);

		for (uint32_t i = 0; i < BIG; i += 2)
			apply(A(10, 0, 0, 0) + ((i * 2654435761u) & 0xffffff), hw_key(BIG + i),
				LW_BIND_ACTIVE, 1, 2);
		cr_expect_eq(store_bytes(st), bytes, "the freed slots took the new records");
	}

	cr_expect_gt(store_bytes(st), bytes0);
	cr_expect_geq(store_bytes(st), (uint64_t)BIG * sizeof(struct store_lease));
	cr_expect_leq(store_bytes(st) / BIG, 160, "%lu bytes per record",
		(unsigned long)(store_bytes(st) / BIG));
}

Test(store, reserve_sizes_the_store_up_front)
{
	struct store *s = store_create(0);
	uint64_t b;

	cr_assert_not_null(s);
	cr_assert_eq(store_reserve(s, BIG), 0);
	b = store_bytes(s);
	for (uint32_t i = 0; i < BIG; i++) {
		struct lw_bind_event e = ev(A(10, 0, 0, 0) + i, hw_key(i), LW_BIND_ACTIVE, 1, 2, 0);

		cr_assert_eq(store_apply(s, &e), 0);
	}
	cr_expect_lt(
		store_bytes(s) - b, 64 * 1024, "only radix nodes were added after the reserve");
	cr_expect_lt(store_bytes(s) / BIG, 90, "%lu bytes per record",
		(unsigned long)(store_bytes(s) / BIG));
	store_free(s);
}

/*
 * Randomised: a few hundred addresses and a few dozen clients, events in
 * increasing time, each checked against a plain model of the rules.
 */
#define M_ADDRS 300
#define M_KEYS	40

struct model_rec {
	bool present;
	int key; /* -1: none (DECLINED) */
	uint8_t state;
	uint32_t subnet;
	uint32_t t; /* when applied */
};

static struct model_rec model[M_ADDRS];

static uint32_t maddr(unsigned i)
{
	/* Spread over two /16s and many /24s. */
	return A(172, 16, 0, 0) + (i % 2) * 0x10000 + (i / 2) * 97;
}

static void check_model(void)
{
	uint32_t assigned[4] = {0}, declined[4] = {0}, count = 0;

	for (unsigned i = 0; i < M_ADDRS; i++) {
		const struct store_lease *l = store_get_addr(st, maddr(i));

		cr_assert_eq(l != NULL, model[i].present, "address %u", i);
		if (!l)
			continue;
		count++;
		cr_assert_eq(l->state, model[i].state);
		if (model[i].state == LW_BIND_ACTIVE)
			assigned[model[i].subnet]++;
		if (model[i].state == LW_BIND_DECLINED)
			declined[model[i].subnet]++;
	}
	cr_assert_eq(store_count(st), count);
	for (unsigned s = 0; s < 4; s++) {
		cr_assert_eq(store_subnet_assigned(st, s), assigned[s]);
		cr_assert_eq(store_subnet_declined(st, s), declined[s]);
	}
	for (int k = 0; k < M_KEYS; k++) {
		struct lw_client_key key = hw_key((unsigned)k);
		int best = -1;

		/* ACTIVE first, then the most recently applied. */
		for (unsigned i = 0; i < M_ADDRS; i++) {
			if (!model[i].present || model[i].key != k)
				continue;
			if (best < 0 ||
				(model[i].state == LW_BIND_ACTIVE) >
					(model[best].state == LW_BIND_ACTIVE) ||
				((model[i].state == LW_BIND_ACTIVE) ==
						(model[best].state == LW_BIND_ACTIVE) &&
					model[i].t > model[best].t))
				best = (int)i;
		}
		cr_assert_eq(key_addr(key), best < 0 ? 0 : maddr((unsigned)best), "client %d", k);
	}
}

Test(store, random_events_match_the_model)
{
	uint32_t seed = 12345, t = 1000;

	for (unsigned step = 0; step < 20000; step++) {
		unsigned i, k, r;
		struct lw_bind_event e;
		uint8_t state;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		i = r % M_ADDRS;
		k = (r / M_ADDRS) % M_KEYS;
		switch ((r / (M_ADDRS * M_KEYS)) % 8) {
		case 0:
			state = LW_BIND_FREE;
			break;
		case 1:
			state = LW_BIND_DECLINED;
			break;
		case 2:
		case 3:
			state = LW_BIND_EXPIRED + (r & 1);
			break;
		default:
			state = LW_BIND_ACTIVE;
			break;
		}
		t++;
		/* Times as the dataplane gives them: ACTIVE ends later, history ends now. */
		e = ev(maddr(i), hw_key(k), state, state == LW_BIND_ACTIVE ? t : t - 500,
			state == LW_BIND_ACTIVE ? t + 3600 : t, k % 4);
		if (state == LW_BIND_FREE)
			memset(&e.key, 0, sizeof(e.key)); /* no client: whoever holds it */
		if (step % 1000 == 999) {
			cr_assert_eq(store_remove(st, maddr(i)) == 0, model[i].present);
			model[i].present = false;
		} else {
			cr_assert_eq(store_apply(st, &e), 0);
			model[i].present = state != LW_BIND_FREE;
			model[i].key = state == LW_BIND_DECLINED ? -1 : (int)k;
			model[i].state = state;
			model[i].subnet = k % 4;
			model[i].t = t;
		}
		if (step % 10 == 0 || step > 19900)
			check_model();
	}
}

/* Failover: BACKUP records, the pending mark and the partner's acknowledgement. */
Test(store, failover_backup_pending_and_ack)
{
	struct lw_bind_event e = ev(A(10, 0, 0, 9), hw_key(3), LW_BIND_BACKUP, 5, 5, 0);
	struct lw_bind_event ack;
	const struct store_lease *l;

	/* BACKUP keeps no client, and counts as neither assigned nor declined. */
	cr_assert_eq(store_apply(st, &e), 0);
	l = store_get_addr(st, A(10, 0, 0, 9));
	cr_assert_not_null(l);
	cr_expect_eq(l->state, LW_BIND_BACKUP);
	cr_expect_eq(l->key.kind, LW_KEY_NONE);
	cr_expect_null(store_get_key(st, &(struct lw_client_key){0}));
	cr_expect_eq(store_subnet_assigned(st, 0), 0);
	cr_expect(l->fo & STORE_FO_PENDING, "a worker's event waits for the partner");
	{
		uint32_t recs, backup;

		store_pool_counts(st, e.pool, &recs, &backup);
		cr_expect_eq(recs, 1);
		cr_expect_eq(backup, 1);
	}

	/* A worker binds it: still pending; the partner acknowledges that binding. */
	apply(A(10, 0, 0, 9), hw_key(3), LW_BIND_ACTIVE, 100, 700);
	{
		uint32_t recs, backup;

		store_pool_counts(st, e.pool, &recs, &backup);
		cr_expect_eq(recs, 1, "the same record");
		cr_expect_eq(backup, 0, "no longer BACKUP");
	}
	l = store_get_addr(st, A(10, 0, 0, 9));
	cr_expect(l->fo & STORE_FO_PENDING);
	memset(&ack, 0, sizeof(ack));
	ack.type = LW_EV_FO_ACK;
	ack.version = LW_RECORDS_VERSION;
	ack.addr = A(10, 0, 0, 9);
	ack.state = LW_BIND_ACTIVE;
	ack.start = 1000; /* tsfp */
	ack.end = 700;
	cr_assert_eq(store_apply(st, &ack), 0);
	cr_expect_eq(l->tsfp, 1000);
	cr_expect_not(l->fo & STORE_FO_PENDING);

	/* A renewal of the same client keeps tsfp and is pending again. */
	apply(A(10, 0, 0, 9), hw_key(3), LW_BIND_ACTIVE, 200, 800);
	cr_expect_eq(l->tsfp, 1000);
	cr_expect(l->fo & STORE_FO_PENDING);
	/* An acknowledgement of the older binding sets tsfp but leaves it pending. */
	ack.start = 1100;
	cr_assert_eq(store_apply(st, &ack), 0);
	cr_expect_eq(l->tsfp, 1100);
	cr_expect(l->fo & STORE_FO_PENDING);

	/* Another client on the address: the partner's acknowledgement is gone. */
	apply(A(10, 0, 0, 9), hw_key(4), LW_BIND_ACTIVE, 300, 900);
	cr_expect_eq(l->tsfp, 0);

	/* A binding the peer sent is not pending; an ack for no record is harmless. */
	e = ev(A(10, 0, 0, 10), hw_key(5), LW_BIND_ACTIVE, 5, 600, 0);
	e.worker = LW_WORKER_PEER;
	cr_assert_eq(store_apply(st, &e), 0);
	cr_expect_not(store_get_addr(st, A(10, 0, 0, 10))->fo & STORE_FO_PENDING);
	ack.addr = A(10, 0, 0, 11);
	cr_expect_eq(store_apply(st, &ack), 0);
	cr_expect_null(store_get_addr(st, A(10, 0, 0, 11)));

	/* What a snapshot writes recreates the failover fields. */
	cr_assert(store_lease_to_ack(store_get_addr(st, A(10, 0, 0, 10)), &ack));
	cr_expect_eq(ack.type, LW_EV_FO_ACK);
	cr_expect_eq(ack.state, LW_BIND_ACTIVE, "not pending: the ack matches the binding");
	cr_expect_eq(ack.end, 600);
	cr_expect_not(store_lease_to_ack(l, &ack), "pending with no tsfp: nothing to write");
}
