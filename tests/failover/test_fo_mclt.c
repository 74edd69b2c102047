/* SPDX-License-Identifier: MPL-2.0 */
/* The MCLT rule of FAILOVER.md 5.2: its worked example, each branch, and
 * the edges (nothing acknowledged, times in the past, values near 2^32). */
#include <criterion/criterion.h>

#include "failover/fo_mclt.h"

/* FAILOVER.md 5.2 worked example: default-lease-time 600, MCLT 60. */
Test(fo_mclt, worked_example)
{
	const uint32_t t0 = 1795000000u, mclt = 60, L = 600;
	struct fo_mclt_grant g;
	uint32_t tsfp = 0, t1 = t0 + 59;

	/* First ACK: nothing acknowledged -> 60 s, potential expiry t0+630. */
	fo_mclt_ack(L, t0, mclt, tsfp, &g);
	cr_expect_eq(g.lease_time, 60);
	cr_expect_eq(g.tstp, t0 + 630);
	cr_expect_eq(g.tsfp, 0, "tsfp is only raised by a BNDACK");

	/* The BNDACK arrives: tsfp = t0+630. Renewal at t0+59 gets 600 s. */
	tsfp = t0 + 630;
	fo_mclt_ack(L, t1, mclt, tsfp, &g);
	cr_expect_eq(g.lease_time, 600);
	cr_expect_eq(g.tstp, t1 + 900);
	cr_expect_eq(g.tsfp, tsfp);

	/* COMMUNICATIONS-INTERRUPTED: a new client (nothing acked) gets MCLT. */
	cr_expect_eq(fo_mclt_lease_time(L, t1 + 100, mclt, 0), 60);
	/* ... and renewals shrink toward tsfp + MCLT. */
	cr_expect_eq(fo_mclt_lease_time(L, t0 + 200, mclt, tsfp), 630 - 200 + 60);
	cr_expect_eq(fo_mclt_lease_time(L, t0 + 600, mclt, tsfp), 30 + 60);
}

struct mclt_case {
	const char *what;
	uint32_t desired, now, mclt, tsfp;
	uint32_t granted;
};

static const struct mclt_case cases[] = {
	{"L < M: no restriction", 30, 1000, 60, 0, 30},
	{"L == M: no restriction", 60, 1000, 60, 0, 60},
	{"L = 0 stays 0", 0, 1000, 60, 0, 0},
	{"nothing acknowledged", 600, 1000, 60, 0, 60},
	{"tsfp == now counts as nothing", 600, 1000, 60, 1000, 60},
	{"tsfp in the past", 600, 1000, 60, 999, 60},
	{"t+L == tsfp+M: full time", 600, 1000, 60, 1540, 600},
	{"t+L one past tsfp+M", 601, 1000, 60, 1540, 600},
	{"tsfp just ahead of now", 600, 1000, 60, 1001, 61},
	{"tsfp far ahead", 600, 1000, 60, 100000, 600},
	{"now near 2^32, nothing acked", 3600, 0xfffffff0u, 60, 0, 60},
	{"now + L wraps 2^32: limited, not full", 3600, 0xfffffff0u, 60, 0xfffffff8u, 68},
	{"tsfp + M wraps 2^32: full time", 3600, 0xfffff000u, 600, 0xffffff00u, 3600},
	{"tsfp max, now 0, L max", 0xfffffffeu, 0, 0xffffffffu - 1, 0xffffffffu, 0xfffffffeu},
	{"infinite, nothing acked", FO_LEASE_INFINITE, 1000, 60, 0, 60},
	{"infinite, acked ahead", FO_LEASE_INFINITE, 1000, 60, 5000, 4060},
	{"MCLT 0, nothing acked", 600, 1000, 0, 0, 0},
};

Test(fo_mclt, lease_time_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mclt_case *c = &cases[i];
		uint32_t got = fo_mclt_lease_time(c->desired, c->now, c->mclt, c->tsfp);

		cr_expect_eq(got, c->granted, "%s: got %u, expected %u", c->what, got, c->granted);
		cr_expect_leq(got, c->desired, "%s: more than desired", c->what);
	}
}

Test(fo_mclt, tstp)
{
	cr_expect_eq(fo_mclt_tstp(600, 1000, 60), 1000 + 600 + 30);
	cr_expect_eq(fo_mclt_tstp(600, 1000, 61), 1000 + 600 + 30, "granted/2 rounds down");
	cr_expect_eq(fo_mclt_tstp(FO_LEASE_INFINITE, 1000, 60), 0x7fffffffu);
	cr_expect_eq(fo_mclt_tstp(600, 0x7ffffe00u, 600), FO_TSTP_MAX, "capped");
	cr_expect_eq(fo_mclt_tstp(0xfffffffeu, 0xfffffff0u, 60), FO_TSTP_MAX, "no wrap");
	cr_expect_eq(fo_mclt_tstp(0x7ffffffeu - 1030, 0, 60), 0x7ffffffeu - 1000);
}

/* tsfp is lowered to tstp when it was above (FAILOVER.md 5.2). */
Test(fo_mclt, tsfp_lowered)
{
	struct fo_mclt_grant g;

	fo_mclt_ack(100, 1000, 60, 50000, &g);
	cr_expect_eq(g.lease_time, 100);
	cr_expect_eq(g.tstp, 1150);
	cr_expect_eq(g.tsfp, 1150);

	fo_mclt_ack(100, 1000, 60, 1100, &g);
	cr_expect_eq(g.tsfp, 1100, "not raised");
}
