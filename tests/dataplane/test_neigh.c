/* SPDX-License-Identifier: MPL-2.0 */
/* Neighbour cache, held-reply queue and next-hop selection (dataplane/neigh.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_ip.h"
#include "dataplane/neigh.h"

#define HOP_A LW_IP4(198, 18, 0, 254)
#define HOP_B LW_IP4(198, 18, 0, 253)

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

static struct neigh *n;

static void setup(void)
{
	n = malloc(sizeof(*n));
	cr_assert_not_null(n);
	neigh_init(n);
}

static void teardown(void)
{
	free(n);
}

TestSuite(neigh, .init = setup, .fini = teardown);

Test(neigh, learn_lookup)
{
	uint8_t mac[6];

	cr_expect_not(neigh_lookup(n, 0, HOP_A, 1000, mac), "empty cache");
	cr_expect_eq(neigh_learn(n, 0, HOP_A, mac_a, 1000), NEIGH_NEW);
	cr_assert(neigh_lookup(n, 0, HOP_A, 1000, mac));
	cr_expect_arr_eq(mac, mac_a, 6);
	cr_expect_not(neigh_lookup(n, 1, HOP_A, 1000, mac), "other port");
	cr_expect_not(neigh_lookup(n, 0, HOP_B, 1000, mac), "other address");
}

struct learn_step {
	uint64_t at;
	const uint8_t *mac;
	enum neigh_learn_result want;
};

Test(neigh, learn_results_table)
{
	const struct learn_step steps[] = {
		{0, mac_a, NEIGH_NEW},
		{10, mac_a, NEIGH_UNCHANGED},
		{NEIGH_SHARE_MS - 1, mac_a, NEIGH_UNCHANGED},
		{NEIGH_SHARE_MS, mac_a, NEIGH_REFRESHED},
		{NEIGH_SHARE_MS + 5, mac_a, NEIGH_UNCHANGED},
		{NEIGH_SHARE_MS + 6, mac_b, NEIGH_CHANGED},
		{NEIGH_SHARE_MS + 7, mac_b, NEIGH_UNCHANGED},
		/* expired: learned again as new */
		{2 * NEIGH_SHARE_MS + 7 + NEIGH_TTL_MS, mac_b, NEIGH_NEW},
	};
	uint8_t mac[6];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		cr_expect_eq(neigh_learn(n, 3, HOP_A, steps[i].mac, steps[i].at), steps[i].want,
			"step %zu", i);
		cr_assert(neigh_lookup(n, 3, HOP_A, steps[i].at, mac));
		cr_expect_arr_eq(mac, steps[i].mac, 6, "step %zu", i);
	}
}

Test(neigh, expiry)
{
	uint8_t mac[6];

	neigh_learn(n, 0, HOP_A, mac_a, 5000);
	cr_expect(neigh_lookup(n, 0, HOP_A, 5000 + NEIGH_TTL_MS - 1, mac));
	cr_expect_not(neigh_lookup(n, 0, HOP_A, 5000 + NEIGH_TTL_MS, mac), "300 s later");
	/* A refresh (RFC 826 merge) keeps it alive. */
	cr_expect(neigh_update(n, 0, HOP_A, mac_b, 5000 + NEIGH_TTL_MS - 1));
	cr_assert(neigh_lookup(n, 0, HOP_A, 5000 + NEIGH_TTL_MS + 10, mac));
	cr_expect_arr_eq(mac, mac_b, 6);
}

Test(neigh, update_only_known)
{
	uint8_t mac[6];

	cr_expect_not(neigh_update(n, 0, HOP_A, mac_a, 1));
	cr_expect_not(neigh_lookup(n, 0, HOP_A, 1, mac), "update does not create entries");
}

Test(neigh, pressure)
{
	/* Far more neighbours than slots: the table never fills, and the most
	 * recently learned entries are always there. */
	uint8_t mac[6];
	const unsigned total = 5 * NEIGH_SIZE;

	for (unsigned i = 0; i < total; i++) {
		uint8_t m[6] = {0x02, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};

		neigh_learn(n, 0, LW_IP4(10, 0, 0, 0) + i, m, 1000 + i);
	}
	for (unsigned i = total - NEIGH_WAYS; i < total; i++) {
		cr_assert(neigh_lookup(n, 0, LW_IP4(10, 0, 0, 0) + i, 1000 + total, mac),
			"entry %u", i);
		cr_expect_eq(mac[5], (uint8_t)i);
	}
}

Test(neigh, hold_release)
{
	int pkts[5];
	void *out[8];
	uint16_t tags[8];

	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[0], 2, 100), 1, "first: send an ARP request");
	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[1], 5, 150), 0, "within 200 ms: no request");
	cr_expect_eq(neigh_hold(n, 0, HOP_B, &pkts[2], 2, 160), 1, "another hop: its own request");
	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[3], 6, 100 + NEIGH_REQ_GAP_MS), 1,
		"200 ms later: ask again");
	cr_expect_eq(neigh_hold(n, 1, HOP_A, &pkts[4], 2, 310), 1, "same address, other port");
	cr_expect_eq(neigh_held_count(n), 5);

	cr_assert_eq(neigh_release(n, 0, HOP_A, out, tags, 8), 3);
	cr_expect_eq(out[0], &pkts[0]);
	cr_expect_eq(out[1], &pkts[1]);
	cr_expect_eq(out[2], &pkts[3]);
	cr_expect_eq(tags[0], 2);
	cr_expect_eq(tags[1], 5);
	cr_expect_eq(tags[2], 6);
	cr_expect_eq(neigh_held_count(n), 2);
	cr_expect_eq(neigh_release(n, 0, HOP_A, out, tags, 8), 0, "released once only");

	/* max bounds a release; the rest stays. */
	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[0], 1, 600), 1);
	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[1], 1, 600), 0);
	cr_expect_eq(neigh_release(n, 0, HOP_A, out, NULL, 1), 1);
	cr_expect_eq(out[0], &pkts[0]);
	cr_expect_eq(neigh_release(n, 0, HOP_A, out, NULL, 8), 1);
	cr_expect_eq(out[0], &pkts[1]);
}

Test(neigh, hold_timeout)
{
	int pkts[3];
	void *out[8];

	neigh_hold(n, 0, HOP_A, &pkts[0], 0, 1000);
	neigh_hold(n, 0, HOP_B, &pkts[1], 0, 1500);
	neigh_hold(n, 0, HOP_A, &pkts[2], 0, 1600);

	cr_expect_eq(neigh_expire(n, 1000 + NEIGH_HOLD_MS - 1, out, 8), 0, "not yet");
	cr_assert_eq(neigh_expire(n, 1000 + NEIGH_HOLD_MS, out, 8), 1);
	cr_expect_eq(out[0], &pkts[0]);

	/* A released packet does not expire again. */
	cr_expect_eq(neigh_release(n, 0, HOP_B, out, NULL, 8), 1);
	cr_assert_eq(neigh_expire(n, 1600 + NEIGH_HOLD_MS, out, 8), 1);
	cr_expect_eq(out[0], &pkts[2]);
	cr_expect_eq(neigh_held_count(n), 0);
	cr_expect_eq(neigh_expire(n, UINT64_MAX, out, 8), 0);
}

Test(neigh, hold_queue_bounded)
{
	static int pkts[NEIGH_PENDING + 1];
	void *out[NEIGH_PENDING];

	for (unsigned i = 0; i < NEIGH_PENDING; i++)
		cr_assert_geq(
			neigh_hold(n, 0, i < 16 ? HOP_A : HOP_B, &pkts[i], 0, 10), 0, "hold %u", i);
	cr_expect_eq(neigh_hold(n, 0, HOP_A, &pkts[NEIGH_PENDING], 0, 10), -1, "full");
	cr_expect_eq(neigh_held_count(n), NEIGH_PENDING);

	/* The oldest ones answered: room again. */
	cr_expect_eq(neigh_release(n, 0, HOP_A, out, NULL, NEIGH_PENDING), 16);
	cr_expect_geq(neigh_hold(n, 0, HOP_A, &pkts[NEIGH_PENDING], 0, 20), 0);

	cr_expect_eq(neigh_flush(n, out, NEIGH_PENDING), NEIGH_PENDING - 16 + 1);
	cr_expect_eq(neigh_held_count(n), 0);
	cr_expect_eq(out[0], &pkts[16], "oldest first");
}

Test(neigh, learn_after_hold_is_valid)
{
	int pkt;
	uint8_t mac[6];

	neigh_hold(n, 0, HOP_A, &pkt, 0, 10);
	cr_expect_not(neigh_lookup(n, 0, HOP_A, 10, mac), "incomplete entries do not resolve");
	cr_expect_eq(neigh_learn(n, 0, HOP_A, mac_a, 20), NEIGH_NEW);
	cr_expect(neigh_lookup(n, 0, HOP_A, 20, mac));
}

/* ------------------------------------------------------------------------ */
/* Next hop */

static void add_route(struct lw_port_conf *pc, const char *prefix, uint32_t via)
{
	struct lw_route *r = &pc->routes[pc->n_routes++];

	cr_assert_eq(lw_prefix_parse(prefix, &r->prefix, &r->plen), 0, "%s", prefix);
	r->via = via;
}

struct hop_case {
	uint32_t dst;
	int rc;
	uint32_t nh;
};

Test(neigh, next_hop_table)
{
	static struct lw_port_conf pc;
	const struct hop_case cases[] = {
		{LW_IP4(198, 18, 0, 9), 0, LW_IP4(198, 18, 0, 9)}, /* on the port's prefix */
		{LW_IP4(10, 1, 2, 3), 0, LW_IP4(198, 18, 0, 252)}, /* /16 beats /8 and /0 */
		{LW_IP4(10, 2, 0, 1), 0, LW_IP4(198, 18, 0, 253)}, /* /8 */
		{LW_IP4(10, 1, 9, 9), 0, LW_IP4(198, 18, 0, 252)},
		{LW_IP4(192, 0, 2, 1), 0, LW_IP4(198, 18, 0, 254)}, /* default */
		{LW_IP4(198, 19, 5, 5), 0, LW_IP4(198, 19, 5, 5)},  /* on-link route, no via */
		{LW_IP4(10, 1, 2, 200), 0,
			LW_IP4(198, 18, 0, 251)}, /* /25, listed before the /16 */
	};

	memset(&pc, 0, sizeof(pc));
	pc.addr = LW_IP4(198, 18, 0, 1);
	pc.plen = 24;
	add_route(&pc, "10.1.2.128/25", LW_IP4(198, 18, 0, 251));
	add_route(&pc, "0.0.0.0/0", LW_IP4(198, 18, 0, 254));
	add_route(&pc, "10.0.0.0/8", LW_IP4(198, 18, 0, 253));
	add_route(&pc, "10.1.0.0/16", LW_IP4(198, 18, 0, 252));
	add_route(&pc, "198.19.0.0/16", 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t nh = 0;
		char a[LW_IP4_STRLEN];

		cr_expect_eq(neigh_next_hop(&pc, cases[i].dst, &nh), cases[i].rc, "%s",
			lw_ip4_fmt(cases[i].dst, a));
		cr_expect_eq(nh, cases[i].nh, "%s", lw_ip4_fmt(cases[i].dst, a));
	}
}

Test(neigh, next_hop_no_route)
{
	static struct lw_port_conf pc;
	uint32_t nh = 7;

	memset(&pc, 0, sizeof(pc));
	pc.addr = LW_IP4(198, 18, 0, 1);
	pc.plen = 24;
	cr_expect_eq(neigh_next_hop(&pc, LW_IP4(192, 0, 2, 1), &nh), -1);
	cr_expect_eq(nh, 7, "untouched");
	add_route(&pc, "192.0.2.0/25", LW_IP4(198, 18, 0, 254));
	cr_expect_eq(neigh_next_hop(&pc, LW_IP4(192, 0, 2, 200), &nh), -1, "outside the /25");
	cr_expect_eq(neigh_next_hop(&pc, LW_IP4(192, 0, 2, 100), &nh), 0);
	cr_expect_eq(nh, LW_IP4(198, 18, 0, 254));
}
