/* SPDX-License-Identifier: MPL-2.0 */
/* Whole handshake sequences of FAILOVER.md 7.2, 7.4 and 7.5, run through
 * two state machines that exchange STATEs the way 3.2 describes. */
#include <criterion/criterion.h>

#include "failover/fo_state.h"

#define NOW  5000u
#define STOS 1000u
#define MCLT 60u

static uint32_t apply(struct fo_ctx *c, const struct fo_event *ev)
{
	struct fo_result r;

	cr_assert_eq(fo_step(c, ev, &r), 0);
	c->state = r.state;
	c->saved_state = r.saved_state;
	c->peer_state = r.peer_state;
	c->stos = r.stos;
	return r.actions;
}

static uint32_t local(struct fo_ctx *c, enum fo_event_type type)
{
	struct fo_event ev = {.type = type};

	return apply(c, &ev);
}

/* 3.2: in STARTUP the saved state is announced with the STARTUP flag. */
static uint32_t announce(const struct fo_ctx *from, struct fo_ctx *to)
{
	bool st = from->state == FO_STATE_STARTUP;
	struct fo_event ev = {
		.type = FO_EV_PEER_STATE,
		.peer_state = st ? from->saved_state : from->state,
		.peer_startup = st,
	};

	return apply(to, &ev);
}

static struct fo_ctx node(enum fo_role role, enum fo_state persisted)
{
	struct fo_ctx c = {
		.role = role,
		.state = persisted,
		.peer_state = FO_STATE_UNKNOWN,
		.stos = STOS,
		.now = NOW,
		.mclt = MCLT,
	};
	return c;
}

/* 7.2: brand-new pair, both RECOVER, no MCLT wait, both NORMAL. */
Test(fo_scenario, fresh_pair)
{
	struct fo_ctx p = node(FO_ROLE_PRIMARY, FO_STATE_UNKNOWN);
	struct fo_ctx s = node(FO_ROLE_SECONDARY, FO_STATE_UNKNOWN);

	local(&p, FO_EV_START);
	local(&s, FO_EV_START);
	p.connected = s.connected = true;
	cr_expect(local(&p, FO_EV_LINK_UP) & FO_ACT_SEND_STATE);
	cr_expect(local(&s, FO_EV_LINK_UP) & FO_ACT_SEND_STATE);

	cr_expect(announce(&s, &p) & FO_ACT_SEND_UPDREQALL);
	cr_expect_eq(p.state, FO_STATE_RECOVER);
	cr_expect(announce(&p, &s) & FO_ACT_SEND_UPDREQALL);
	cr_expect_eq(s.state, FO_STATE_RECOVER);

	local(&p, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(p.state, FO_STATE_RECOVER_DONE, "peer in RECOVER: no wait");
	announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_RECOVER);
	local(&s, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(s.state, FO_STATE_RECOVER_DONE);
	announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_NORMAL, "Both servers have entered recover-done");
	announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_NORMAL);
	cr_expect(announce(&s, &p) & FO_ACT_POOL_CHECK);
	cr_expect_eq(fo_service(p.state, p.peer_state), FO_SERVICE_BALANCED);
}

/* 7.4: S lost its database while P (saved NORMAL) restarts. */
Test(fo_scenario, one_side_lost_database)
{
	struct fo_ctx p = node(FO_ROLE_PRIMARY, FO_STATE_NORMAL);
	struct fo_ctx s = node(FO_ROLE_SECONDARY, FO_STATE_UNKNOWN);

	local(&p, FO_EV_START);
	local(&p, FO_EV_STARTUP_TIMEOUT);
	cr_expect_eq(p.state, FO_STATE_COMM_INTERRUPTED);
	local(&s, FO_EV_START);
	cr_expect_eq(s.stos, NOW);

	p.connected = s.connected = true;
	announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_PARTNER_DOWN);
	cr_expect(announce(&p, &s) & FO_ACT_SEND_UPDREQALL);
	cr_expect_eq(s.state, FO_STATE_RECOVER);

	s.now = NOW + 1;
	cr_expect(local(&s, FO_EV_UPDDONE_RECEIVED) & FO_ACT_START_RECOVER_WAIT_TIMER);
	cr_expect_eq(s.state, FO_STATE_RECOVER_WAIT);
	cr_expect_not(fo_may_serve(s.state, s.peer_state));
	announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_PARTNER_DOWN);

	s.now = NOW + MCLT;
	local(&s, FO_EV_RECOVER_WAIT_TIMEOUT);
	cr_expect_eq(s.state, FO_STATE_RECOVER_DONE);
	announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_NORMAL);
	announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_NORMAL);
}

/* 7.5: P PARTNER-DOWN by the operator, S restarts with saved COMM-INT. */
Test(fo_scenario, partner_down_conflict_resolution)
{
	struct fo_ctx p = node(FO_ROLE_PRIMARY, FO_STATE_COMM_INTERRUPTED);
	struct fo_ctx s = node(FO_ROLE_SECONDARY, FO_STATE_COMM_INTERRUPTED);
	uint32_t a;

	local(&p, FO_EV_OPERATOR_PARTNER_DOWN);
	cr_expect_eq(p.state, FO_STATE_PARTNER_DOWN);
	local(&s, FO_EV_START);
	p.connected = s.connected = true;

	cr_expect_eq(announce(&s, &p), 0, "STARTUP-flagged STATE ignored");
	cr_expect_eq(p.state, FO_STATE_PARTNER_DOWN);
	a = announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect_not(a & FO_ACT_SEND_UPDREQ, "secondary waits for CONFLICT-DONE");
	a = announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect(a & FO_ACT_SEND_UPDREQ);
	announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_POTENTIAL_CONFLICT);

	local(&p, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(p.state, FO_STATE_CONFLICT_DONE);
	cr_expect(announce(&p, &s) & FO_ACT_SEND_UPDREQ);
	local(&s, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(s.state, FO_STATE_NORMAL);
	announce(&s, &p);
	cr_expect_eq(p.state, FO_STATE_NORMAL);
	announce(&p, &s);
	cr_expect_eq(s.state, FO_STATE_NORMAL);
}
