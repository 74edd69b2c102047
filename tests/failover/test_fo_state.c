/* SPDX-License-Identifier: MPL-2.0 */
/* The failover state machine against FAILOVER.md 3.1-3.5 and 4.3. The
 * expectations below are transcribed from FAILOVER.md, not from
 * fo_transitions[]: the 3.5 matrix is written out cell by cell. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>

#include "failover/fo_state.h"

#define NOW  5000u
#define STOS 1000u
#define MCLT 60u

static struct fo_ctx ctx(enum fo_state me, enum fo_state peer)
{
	struct fo_ctx c = {
		.role = FO_ROLE_PRIMARY,
		.state = me,
		.saved_state = FO_STATE_UNKNOWN,
		.peer_state = peer,
		.stos = STOS,
		.now = NOW,
		.mclt = MCLT,
		.connected = true,
	};
	return c;
}

static struct fo_ctx startup(enum fo_state saved, enum fo_state peer)
{
	struct fo_ctx c = ctx(FO_STATE_STARTUP, peer);

	c.saved_state = saved;
	return c;
}

static struct fo_result step(const struct fo_ctx *c, enum fo_event_type type)
{
	struct fo_event ev = {.type = type};
	struct fo_result r;

	cr_assert_eq(
		fo_step(c, &ev, &r), 0, "%s in %s", fo_event_name(type), fo_state_name(c->state));
	return r;
}

static struct fo_result peer(const struct fo_ctx *c, enum fo_state p, bool flag)
{
	struct fo_event ev = {.type = FO_EV_PEER_STATE, .peer_state = p, .peer_startup = flag};
	struct fo_result r;

	cr_assert_eq(
		fo_step(c, &ev, &r), 0, "peer %s in %s", fo_state_name(p), fo_state_name(c->state));
	return r;
}

#define HAS(r, a)   (((r).actions & (a)) == (a))
#define LACKS(r, a) (((r).actions & (a)) == 0)

/* ---- 3.1 codes and names ------------------------------------------------ */

Test(fo_state, codes_and_names)
{
	static const struct {
		enum fo_state s;
		unsigned code;
		const char *name;
	} t[] = {
		{FO_STATE_UNKNOWN, 0, "unknown-state"},
		{FO_STATE_STARTUP, 1, "startup"},
		{FO_STATE_NORMAL, 2, "normal"},
		{FO_STATE_COMM_INTERRUPTED, 3, "communications-interrupted"},
		{FO_STATE_PARTNER_DOWN, 4, "partner-down"},
		{FO_STATE_POTENTIAL_CONFLICT, 5, "potential-conflict"},
		{FO_STATE_RECOVER, 6, "recover"},
		{FO_STATE_PAUSED, 7, "paused"},
		{FO_STATE_SHUTDOWN, 8, "shutdown"},
		{FO_STATE_RECOVER_DONE, 9, "recover-done"},
		{FO_STATE_RESOLUTION_INTERRUPTED, 10, "resolution-interrupted"},
		{FO_STATE_CONFLICT_DONE, 11, "conflict-done"},
		{FO_STATE_RECOVER_WAIT, 254, "recover-wait"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_expect_eq((unsigned)t[i].s, t[i].code);
		cr_expect_str_eq(fo_state_name(t[i].s), t[i].name);
		cr_expect(fo_state_valid(t[i].s), "%s", t[i].name);
	}
	cr_expect_str_eq(fo_state_name((enum fo_state)12), "invalid");
	cr_expect_str_eq(fo_state_name((enum fo_state)253), "invalid");
	cr_expect_not(fo_state_valid((enum fo_state)12));
	cr_expect_not(fo_state_valid((enum fo_state)253));
	cr_expect_not(fo_state_valid((enum fo_state)255));
}

Test(fo_state, other_names)
{
	cr_expect_str_eq(fo_role_name(FO_ROLE_PRIMARY), "primary");
	cr_expect_str_eq(fo_role_name(FO_ROLE_SECONDARY), "secondary");
	cr_expect_str_eq(fo_role_name((enum fo_role)2), "invalid");
	cr_expect_str_eq(fo_event_name(FO_EV_START), "start");
	cr_expect_str_eq(fo_event_name(FO_EV_PEER_STATE), "peer-state");
	cr_expect_str_eq(fo_event_name(FO_EV_COUNT), "invalid");
	for (int e = 0; e < FO_EV_COUNT; e++)
		cr_expect_str_neq(fo_event_name((enum fo_event_type)e), "invalid", "event %d", e);
	for (unsigned b = 0; b <= 14; b++)
		cr_expect_str_neq(
			fo_action_name((enum fo_action)(1u << b)), "invalid", "bit %u", b);
	cr_expect_str_eq(fo_action_name(FO_ACT_SEND_UPDREQALL), "send-updreqall");
	cr_expect_str_eq(fo_action_name((enum fo_action)(1u << 15)), "invalid");
	cr_expect_str_eq(fo_action_name((enum fo_action)3), "invalid");
	cr_expect_str_eq(fo_service_name(FO_SERVICE_NONE), "none");
	cr_expect_str_eq(fo_service_name(FO_SERVICE_PARTNER_DOWN), "partner-down");
	cr_expect_str_eq(fo_service_name((enum fo_service)9), "invalid");
}

/* ---- invalid input ------------------------------------------------------ */

Test(fo_state, invalid_events_rejected)
{
	struct fo_ctx c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	struct fo_event ev = {.type = FO_EV_LINK_LOST};
	struct fo_result r;

	cr_expect_eq(fo_step(NULL, &ev, &r), -EINVAL);
	cr_expect_eq(fo_step(&c, NULL, &r), -EINVAL);
	cr_expect_eq(fo_step(&c, &ev, NULL), -EINVAL);

	ev.type = FO_EV_COUNT;
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "event past the end");
	ev.type = (enum fo_event_type) - 1;
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "negative event");

	/* The peer may not announce these (3.1, 3.2: ISC never sends 1). */
	static const unsigned bad_peer[] = {0, 1, 12, 100, 253, 255};
	ev.type = FO_EV_PEER_STATE;
	for (size_t i = 0; i < sizeof(bad_peer) / sizeof(bad_peer[0]); i++) {
		ev.peer_state = (enum fo_state)bad_peer[i];
		cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "peer state %u", bad_peer[i]);
	}
	ev.peer_state = FO_STATE_RECOVER_WAIT;
	cr_expect_eq(fo_step(&c, &ev, &r), 0, "254 is valid from the peer");

	ev.type = FO_EV_LINK_LOST;
	c.state = (enum fo_state)12;
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "my state 12");
	c.state = FO_STATE_UNKNOWN;
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "my state unknown after start");
	c = startup(FO_STATE_UNKNOWN, FO_STATE_UNKNOWN);
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "STARTUP without a saved state");
	c = startup(FO_STATE_STARTUP, FO_STATE_UNKNOWN);
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "STARTUP saved as STARTUP");
	ev.type = FO_EV_START;
	c = startup(FO_STATE_NORMAL, FO_STATE_UNKNOWN);
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "start while in STARTUP");
	c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	c.role = (enum fo_role)2;
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "role 2");
	c = ctx(FO_STATE_NORMAL, (enum fo_state)99);
	cr_expect_eq(fo_step(&c, &ev, &r), -EINVAL, "stored peer state 99");
}

/* ---- 3.3 start-up ------------------------------------------------------- */

Test(fo_state, start_with_nothing_persisted_is_recover)
{
	struct fo_ctx c = ctx(FO_STATE_UNKNOWN, FO_STATE_UNKNOWN);
	struct fo_result r = step(&c, FO_EV_START);

	cr_expect_eq(r.state, FO_STATE_STARTUP);
	cr_expect_eq(r.saved_state, FO_STATE_RECOVER);
	cr_expect_eq(r.stos, NOW, "RECOVER starts now when nothing was persisted");
	cr_expect(HAS(r, FO_ACT_START_STARTUP_TIMER));
	cr_expect_eq(r.timer_at, NOW + 15);
	cr_expect(LACKS(r, FO_ACT_SEND_STATE | FO_ACT_JOURNAL));
}

Test(fo_state, start_remembers_persisted_state)
{
	struct fo_ctx c = ctx(FO_STATE_PARTNER_DOWN, FO_STATE_COMM_INTERRUPTED);
	struct fo_result r = step(&c, FO_EV_START);

	cr_expect_eq(r.state, FO_STATE_STARTUP);
	cr_expect_eq(r.saved_state, FO_STATE_PARTNER_DOWN);
	cr_expect_eq(r.peer_state, FO_STATE_COMM_INTERRUPTED);
	cr_expect_eq(r.stos, STOS, "entering STARTUP keeps stos (3.2)");
	cr_expect_eq(r.timer_at, NOW + 15);
}

/* 3.2: a STATE right after CONNECT/CONNECTACK; no state change. */
Test(fo_state, link_up_sends_state)
{
	struct fo_ctx c = ctx(FO_STATE_COMM_INTERRUPTED, FO_STATE_NORMAL);
	struct fo_result r = step(&c, FO_EV_LINK_UP);

	cr_expect_eq(r.state, FO_STATE_COMM_INTERRUPTED);
	cr_expect_eq(r.actions, FO_ACT_SEND_STATE);

	c = startup(FO_STATE_NORMAL, FO_STATE_UNKNOWN);
	r = step(&c, FO_EV_LINK_UP);
	cr_expect_eq(r.state, FO_STATE_STARTUP, "link up does not end STARTUP");
	cr_expect(HAS(r, FO_ACT_SEND_STATE));
}

/* ---- 3.4 link lost ------------------------------------------------------ */

Test(fo_state, link_lost_every_state)
{
	/* FAILOVER.md 3.4, first row. */
	static const struct {
		enum fo_state from, to;
	} t[] = {
		{FO_STATE_NORMAL, FO_STATE_COMM_INTERRUPTED},
		{FO_STATE_POTENTIAL_CONFLICT, FO_STATE_RESOLUTION_INTERRUPTED},
		{FO_STATE_CONFLICT_DONE, FO_STATE_CONFLICT_DONE},
		{FO_STATE_COMM_INTERRUPTED, FO_STATE_COMM_INTERRUPTED},
		{FO_STATE_PARTNER_DOWN, FO_STATE_PARTNER_DOWN},
		{FO_STATE_PAUSED, FO_STATE_PAUSED},
		{FO_STATE_RECOVER, FO_STATE_RECOVER},
		{FO_STATE_RECOVER_DONE, FO_STATE_RECOVER_DONE},
		{FO_STATE_RECOVER_WAIT, FO_STATE_RECOVER_WAIT},
		{FO_STATE_RESOLUTION_INTERRUPTED, FO_STATE_RESOLUTION_INTERRUPTED},
		{FO_STATE_SHUTDOWN, FO_STATE_SHUTDOWN},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fo_ctx c = ctx(t[i].from, FO_STATE_NORMAL);
		struct fo_result r;

		c.connected = false;
		r = step(&c, FO_EV_LINK_LOST);
		cr_expect_eq(r.state, t[i].to, "%s: got %s", fo_state_name(t[i].from),
			fo_state_name(r.state));
		cr_expect(
			LACKS(r, FO_ACT_SEND_STATE), "%s: not connected", fo_state_name(t[i].from));
	}
}

Test(fo_state, link_lost_normal_actions)
{
	struct fo_ctx c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	struct fo_result r;

	c.connected = false;
	r = step(&c, FO_EV_LINK_LOST);
	cr_expect_eq(r.stos, NOW);
	cr_expect(HAS(r, FO_ACT_REQUEUE_UNACKED | FO_ACT_JOURNAL | FO_ACT_CANCEL_TIMERS));
	cr_expect(LACKS(r, FO_ACT_START_AUTO_PD_TIMER), "auto-partner-down is off");
}

/* 3.4: CONFLICT-DONE stays, un-acked updates requeued. */
Test(fo_state, link_lost_conflict_done_requeues)
{
	struct fo_ctx c = ctx(FO_STATE_CONFLICT_DONE, FO_STATE_POTENTIAL_CONFLICT);
	struct fo_result r = step(&c, FO_EV_LINK_LOST);

	cr_expect_eq(r.state, FO_STATE_CONFLICT_DONE);
	cr_expect_eq(r.actions, FO_ACT_REQUEUE_UNACKED);
	cr_expect_eq(r.stos, STOS);
}

/* 3.4: "From STARTUP the same table is applied to the saved state." */
Test(fo_state, link_lost_in_startup)
{
	struct fo_ctx c = startup(FO_STATE_NORMAL, FO_STATE_UNKNOWN);
	struct fo_result r = step(&c, FO_EV_LINK_LOST);

	cr_expect_eq(r.state, FO_STATE_COMM_INTERRUPTED);
	cr_expect_eq(r.stos, STOS, "leaving STARTUP keeps stos (3.2)");

	c = startup(FO_STATE_RECOVER, FO_STATE_UNKNOWN);
	r = step(&c, FO_EV_LINK_LOST);
	cr_expect_eq(r.state, FO_STATE_STARTUP, "saved state unchanged: still waiting");
	cr_expect_eq(r.saved_state, FO_STATE_RECOVER);
}

/* 3.3/3.4: 15 s in STARTUP without a STATE = link lost, and STARTUP ends. */
Test(fo_state, startup_timeout)
{
	static const struct {
		enum fo_state saved, to;
	} t[] = {
		{FO_STATE_NORMAL, FO_STATE_COMM_INTERRUPTED},
		{FO_STATE_POTENTIAL_CONFLICT, FO_STATE_RESOLUTION_INTERRUPTED},
		{FO_STATE_RECOVER, FO_STATE_RECOVER},
		{FO_STATE_PARTNER_DOWN, FO_STATE_PARTNER_DOWN},
		{FO_STATE_COMM_INTERRUPTED, FO_STATE_COMM_INTERRUPTED},
		{FO_STATE_CONFLICT_DONE, FO_STATE_CONFLICT_DONE},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fo_ctx c = startup(t[i].saved, FO_STATE_UNKNOWN);
		struct fo_result r;

		c.connected = false;
		r = step(&c, FO_EV_STARTUP_TIMEOUT);
		cr_expect_eq(r.state, t[i].to, "saved %s", fo_state_name(t[i].saved));
		cr_expect_eq(r.stos, STOS, "saved %s: stos kept", fo_state_name(t[i].saved));
		cr_expect(HAS(r, FO_ACT_JOURNAL | FO_ACT_CANCEL_TIMERS));
		cr_expect(LACKS(r, FO_ACT_SEND_UPDREQALL), "entering RECOVER unconnected");
	}
}

Test(fo_state, startup_timeout_stale)
{
	struct fo_ctx c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	struct fo_result r = step(&c, FO_EV_STARTUP_TIMEOUT);

	cr_expect_eq(r.state, FO_STATE_NORMAL);
	cr_expect_eq(r.actions, 0);
	cr_expect_eq(r.row, -1);
}

/* ---- 3.4 timers and operator -------------------------------------------- */

Test(fo_state, auto_partner_down_armed_on_comm_interrupted)
{
	struct fo_ctx c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	struct fo_result r;

	c.auto_partner_down = 300;
	c.connected = false;
	r = step(&c, FO_EV_LINK_LOST);
	cr_expect_eq(r.state, FO_STATE_COMM_INTERRUPTED);
	cr_expect(HAS(r, FO_ACT_START_AUTO_PD_TIMER));
	cr_expect_eq(r.timer_at, NOW + 300);
}

Test(fo_state, auto_partner_down_fires)
{
	struct fo_ctx c = ctx(FO_STATE_COMM_INTERRUPTED, FO_STATE_NORMAL);
	struct fo_result r;

	c.connected = false;
	r = step(&c, FO_EV_AUTO_PARTNER_DOWN_TIMEOUT);
	cr_expect_eq(r.state, FO_STATE_PARTNER_DOWN);
	cr_expect_eq(r.stos, NOW);
	cr_expect(HAS(r, FO_ACT_RECLAIM_AFTER_MCLT | FO_ACT_JOURNAL));
	cr_expect(LACKS(r, FO_ACT_SEND_STATE));

	/* Any state change cancels it: a late firing does nothing. */
	c = ctx(FO_STATE_NORMAL, FO_STATE_NORMAL);
	r = step(&c, FO_EV_AUTO_PARTNER_DOWN_TIMEOUT);
	cr_expect_eq(r.state, FO_STATE_NORMAL);
	cr_expect_eq(r.actions, 0);
}

Test(fo_state, recover_wait_timer_fires)
{
	struct fo_ctx c = ctx(FO_STATE_RECOVER_WAIT, FO_STATE_PARTNER_DOWN);
	struct fo_result r = step(&c, FO_EV_RECOVER_WAIT_TIMEOUT);

	cr_expect_eq(r.state, FO_STATE_RECOVER_DONE);
	cr_expect_eq(r.stos, NOW);
	cr_expect(HAS(r, FO_ACT_SEND_STATE | FO_ACT_JOURNAL));

	c = ctx(FO_STATE_RECOVER, FO_STATE_PARTNER_DOWN);
	r = step(&c, FO_EV_RECOVER_WAIT_TIMEOUT);
	cr_expect_eq(r.state, FO_STATE_RECOVER, "stale timer");
}

Test(fo_state, operator_partner_down)
{
	struct fo_ctx c = ctx(FO_STATE_COMM_INTERRUPTED, FO_STATE_NORMAL);
	struct fo_result r;

	c.connected = false;
	r = step(&c, FO_EV_OPERATOR_PARTNER_DOWN);
	cr_expect_eq(r.state, FO_STATE_PARTNER_DOWN);
	cr_expect_eq(r.stos, NOW);
	cr_expect(HAS(r, FO_ACT_RECLAIM_AFTER_MCLT));

	c = ctx(FO_STATE_PARTNER_DOWN, FO_STATE_UNKNOWN);
	r = step(&c, FO_EV_OPERATOR_PARTNER_DOWN);
	cr_expect_eq(r.state, FO_STATE_PARTNER_DOWN);
	cr_expect_eq(r.stos, STOS, "already there: no new stos");
	cr_expect_eq(r.actions, 0);

	c = startup(FO_STATE_COMM_INTERRUPTED, FO_STATE_UNKNOWN);
	r = step(&c, FO_EV_OPERATOR_PARTNER_DOWN);
	cr_expect_eq(r.state, FO_STATE_PARTNER_DOWN, "also ends STARTUP");
}

/* ---- 3.4 UPDDONE received ----------------------------------------------- */

Test(fo_state, upddone_recover_waits_for_mclt)
{
	struct fo_ctx c = ctx(FO_STATE_RECOVER, FO_STATE_PARTNER_DOWN);
	struct fo_result r;

	c.stos = NOW - 10; /* stos + MCLT is 50 s ahead */
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_RECOVER_WAIT);
	cr_expect_eq(r.stos, NOW - 10, "entering RECOVER-WAIT keeps stos (3.2)");
	cr_expect(HAS(r, FO_ACT_START_RECOVER_WAIT_TIMER));
	cr_expect_eq(r.timer_at, NOW + 50);
}

Test(fo_state, upddone_recover_mclt_passed)
{
	struct fo_ctx c = ctx(FO_STATE_RECOVER, FO_STATE_PARTNER_DOWN);
	struct fo_result r;

	c.stos = NOW - MCLT; /* stos + MCLT == now: not in the future */
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_RECOVER_DONE);
	cr_expect_eq(r.stos, NOW);
}

/* Both peers in RECOVER = brand-new pair: no MCLT wait (3.4, 7.2). */
Test(fo_state, upddone_recover_fresh_pair)
{
	struct fo_ctx c = ctx(FO_STATE_RECOVER, FO_STATE_RECOVER);
	struct fo_result r;

	c.stos = NOW;
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_RECOVER_DONE);

	c.peer_state = FO_STATE_RECOVER_DONE;
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_RECOVER_DONE, "peer already RECOVER-DONE");
}

Test(fo_state, upddone_potential_conflict_primary)
{
	struct fo_ctx c = ctx(FO_STATE_POTENTIAL_CONFLICT, FO_STATE_POTENTIAL_CONFLICT);
	struct fo_result r = step(&c, FO_EV_UPDDONE_RECEIVED);

	cr_expect_eq(r.state, FO_STATE_CONFLICT_DONE);
	cr_expect(HAS(r, FO_ACT_SEND_STATE));
}

Test(fo_state, upddone_potential_conflict_primary_peer_conflict_done)
{
	struct fo_ctx c = ctx(FO_STATE_POTENTIAL_CONFLICT, FO_STATE_CONFLICT_DONE);
	struct fo_result r = step(&c, FO_EV_UPDDONE_RECEIVED);

	cr_expect_eq(r.state, FO_STATE_SHUTDOWN);
}

Test(fo_state, upddone_potential_conflict_secondary)
{
	struct fo_ctx c = ctx(FO_STATE_POTENTIAL_CONFLICT, FO_STATE_CONFLICT_DONE);
	struct fo_result r;

	c.role = FO_ROLE_SECONDARY;
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_NORMAL);
	cr_expect(HAS(r, FO_ACT_POOL_BALANCE | FO_ACT_QUEUE_PENDING | FO_ACT_SEND_STATE));

	c.peer_state = FO_STATE_POTENTIAL_CONFLICT;
	r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_POTENTIAL_CONFLICT, "peer not CONFLICT-DONE yet");
	cr_expect_eq(r.actions, 0);
}

Test(fo_state, upddone_elsewhere_ignored)
{
	static const enum fo_state t[] = {FO_STATE_NORMAL, FO_STATE_COMM_INTERRUPTED,
		FO_STATE_PARTNER_DOWN, FO_STATE_RECOVER_WAIT, FO_STATE_RECOVER_DONE,
		FO_STATE_CONFLICT_DONE, FO_STATE_SHUTDOWN};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fo_ctx c = ctx(t[i], FO_STATE_NORMAL);
		struct fo_result r = step(&c, FO_EV_UPDDONE_RECEIVED);

		cr_expect_eq(r.state, t[i], "%s", fo_state_name(t[i]));
		cr_expect_eq(r.actions, 0, "%s", fo_state_name(t[i]));
	}
	struct fo_ctx c = startup(FO_STATE_RECOVER, FO_STATE_RECOVER);
	struct fo_result r = step(&c, FO_EV_UPDDONE_RECEIVED);
	cr_expect_eq(r.state, FO_STATE_STARTUP);
}

/* ---- 3.5 the peer's STATE ----------------------------------------------- */

#define NCOL  11
#define NROW  11
#define SAME  (-1) /* "—" */
#define EXITS (-2) /* ISC calls log_fatal: we flag the peer and stay */

/* Columns and rows in the order of the FAILOVER.md 3.5 table. */
static const enum fo_state col_state[NCOL] = {
	FO_STATE_NORMAL,
	FO_STATE_COMM_INTERRUPTED,
	FO_STATE_PARTNER_DOWN,
	FO_STATE_POTENTIAL_CONFLICT,
	FO_STATE_RESOLUTION_INTERRUPTED,
	FO_STATE_CONFLICT_DONE,
	FO_STATE_RECOVER,
	FO_STATE_RECOVER_WAIT,
	FO_STATE_RECOVER_DONE,
	FO_STATE_SHUTDOWN,
	FO_STATE_PAUSED,
};

static const enum fo_state row_state[NROW] = {
	FO_STATE_NORMAL,
	FO_STATE_COMM_INTERRUPTED,
	FO_STATE_PARTNER_DOWN,
	FO_STATE_RECOVER,
	FO_STATE_RECOVER_WAIT,
	FO_STATE_RECOVER_DONE,
	FO_STATE_POTENTIAL_CONFLICT,
	FO_STATE_RESOLUTION_INTERRUPTED,
	FO_STATE_CONFLICT_DONE,
	FO_STATE_SHUTDOWN,
	FO_STATE_PAUSED,
};

#define NO FO_STATE_NORMAL
#define CI FO_STATE_COMM_INTERRUPTED
#define PD FO_STATE_PARTNER_DOWN
#define PC FO_STATE_POTENTIAL_CONFLICT
#define RE FO_STATE_RECOVER
#define SD FO_STATE_SHUTDOWN
#define NC SAME /* no change */
#define XX EXITS

/* FAILOVER.md 3.5, transcribed: NORMAL/PARTNER-DOWN is POT-CONFLICT when
 * not in STARTUP (the STARTUP variant is tested below), POT-CONFLICT/
 * CONFLICT-DONE only sends UPDREQ (tested below). */
static const int expect_next[NROW][NCOL] = {
	/*              NO  CI  PD  PC  RI  CD  RE  RW  RD  SD  PA */
	/* NORMAL   */ {NC, NC, PC, SD, SD, SD, PD, NC, NC, PD, CI},
	/* COMM-INT */ {NO, NO, PC, PC, PC, PC, PD, NO, NO, PD, NC},
	/* P-DOWN   */ {PC, PC, PC, PC, PC, PC, NC, NC, NO, NC, NC},
	/* RECOVER  */ {PC, NC, NC, PC, PC, PC, NC, NC, NC, PD, NC},
	/* REC-WAIT */ {NC, NC, NC, NC, NC, NC, NC, NC, NC, NC, NC},
	/* REC-DONE */ {NO, NC, NC, NC, NC, NC, NC, NC, NO, PD, NC},
	/* POT-CONF */ {SD, NC, NC, NC, NC, NC, RE, NC, NC, PD, NC},
	/* RES-INT  */ {PC, PC, PC, PC, PC, PC, PC, PC, PC, PD, NC},
	/* CONF-DN  */ {NO, XX, XX, NC, NC, XX, XX, XX, XX, SD, XX},
	/* SHUTDOWN */ {NC, NC, NC, NC, NC, NC, NC, NC, NC, NC, NC},
	/* PAUSED   */ {NC, NC, NC, NC, NC, NC, NC, NC, NC, NC, NC},
};

/* The cell's own action ("send UPDREQALL", "pool check", ...). */
static uint32_t expect_cell_action(enum fo_state me, enum fo_state p)
{
	if (me == NO && p == NO)
		return FO_ACT_POOL_CHECK;
	if (me == CI && p == NO)
		return FO_ACT_SEND_QUEUED_FIRST;
	if (me == RE && (p == CI || p == PD || p == RE))
		return FO_ACT_SEND_UPDREQALL;
	return 0;
}

#undef NO
#undef CI
#undef PD
#undef PC
#undef RE
#undef SD
#undef NC
#undef XX

struct cell {
	int row, col;
};

static struct cell cells[NROW * NCOL];

ParameterizedTestParameters(fo_state, peer_matrix)
{
	for (int i = 0; i < NROW * NCOL; i++)
		cells[i] = (struct cell){i / NCOL, i % NCOL};
	return cr_make_param_array(struct cell, cells, NROW * NCOL);
}

/* One case per cell of the 3.5 table, outside STARTUP, peer previously
 * unknown, connected primary. */
ParameterizedTest(struct cell *cl, fo_state, peer_matrix)
{
	enum fo_state me = row_state[cl->row], p = col_state[cl->col];
	int want = expect_next[cl->row][cl->col];
	struct fo_ctx c = ctx(me, FO_STATE_UNKNOWN);
	struct fo_result r = peer(&c, p, false);
	uint32_t cell_act = expect_cell_action(me, p);

	cr_expect_eq(r.peer_state, p);
	if (want == SAME || want == EXITS) {
		uint32_t acts = FO_ACT_JOURNAL | cell_act | (want == EXITS ? FO_ACT_PEER_FATAL : 0);

		cr_expect_eq(r.state, me, "%s / peer %s: got %s", fo_state_name(me),
			fo_state_name(p), fo_state_name(r.state));
		cr_expect_eq(r.stos, STOS);
		cr_expect_eq(r.actions, acts, "%s / peer %s: actions %#x, expected %#x",
			fo_state_name(me), fo_state_name(p), r.actions, acts);
	} else {
		cr_expect_eq(r.state, (enum fo_state)want, "%s / peer %s: got %s, expected %s",
			fo_state_name(me), fo_state_name(p), fo_state_name(r.state),
			fo_state_name((enum fo_state)want));
		cr_expect_eq(r.stos, NOW);
		cr_expect(HAS(
			r, cell_act | FO_ACT_SEND_STATE | FO_ACT_JOURNAL | FO_ACT_CANCEL_TIMERS));
		cr_expect(LACKS(r, FO_ACT_PEER_FATAL));
	}
}

/* The same table from STARTUP: rows are the saved state, and the first peer
 * STATE ends STARTUP ("—" returns to the saved state, 3.3), except
 * NORMAL/PARTNER-DOWN which is RECOVER when ISC was in STARTUP. */
ParameterizedTestParameters(fo_state, peer_matrix_from_startup)
{
	for (int i = 0; i < NROW * NCOL; i++)
		cells[i] = (struct cell){i / NCOL, i % NCOL};
	return cr_make_param_array(struct cell, cells, NROW * NCOL);
}

ParameterizedTest(struct cell *cl, fo_state, peer_matrix_from_startup)
{
	enum fo_state saved = row_state[cl->row], p = col_state[cl->col];
	int want = expect_next[cl->row][cl->col];
	struct fo_ctx c = startup(saved, FO_STATE_UNKNOWN);
	struct fo_result r = peer(&c, p, true);

	if (saved == FO_STATE_NORMAL && p == FO_STATE_PARTNER_DOWN)
		want = FO_STATE_RECOVER;
	if (want == SAME || want == EXITS)
		want = (int)saved;
	cr_expect_eq(r.state, (enum fo_state)want, "saved %s / peer %s: got %s, expected %s",
		fo_state_name(saved), fo_state_name(p), fo_state_name(r.state),
		fo_state_name((enum fo_state)want));
	cr_expect_eq(r.stos, STOS, "leaving STARTUP keeps stos (3.2)");
	cr_expect(HAS(r, FO_ACT_JOURNAL | FO_ACT_SEND_STATE));
}

/* 7.3: S restarts with saved NORMAL while P is COMM-INT; P's STATE brings S
 * back to NORMAL. */
Test(fo_state, restart_saved_normal_peer_comm_int)
{
	struct fo_ctx c = startup(FO_STATE_NORMAL, FO_STATE_UNKNOWN);
	struct fo_result r = peer(&c, FO_STATE_COMM_INTERRUPTED, false);

	cr_expect_eq(r.state, FO_STATE_NORMAL);
	cr_expect(HAS(r, FO_ACT_POOL_BALANCE | FO_ACT_QUEUE_PENDING | FO_ACT_SEND_STATE));
}

/* 3.5: NORMAL, peer PARTNER-DOWN, coming out of STARTUP -> RECOVER, whose
 * entry sends UPDREQALL (3.4). */
Test(fo_state, normal_peer_partner_down_from_startup)
{
	struct fo_ctx c = startup(FO_STATE_NORMAL, FO_STATE_UNKNOWN);
	struct fo_result r = peer(&c, FO_STATE_PARTNER_DOWN, false);

	cr_expect_eq(r.state, FO_STATE_RECOVER);
	cr_expect(HAS(r, FO_ACT_SEND_UPDREQALL));
}

/* 3.5: a PARTNER-DOWN server ignores a STATE with the STARTUP flag. */
Test(fo_state, partner_down_ignores_startup_flag)
{
	for (int i = 0; i < NCOL; i++) {
		struct fo_ctx c = ctx(FO_STATE_PARTNER_DOWN, FO_STATE_UNKNOWN);
		struct fo_result r = peer(&c, col_state[i], true);

		cr_expect_eq(
			r.state, FO_STATE_PARTNER_DOWN, "peer %s", fo_state_name(col_state[i]));
		cr_expect_eq(r.actions, 0, "peer %s", fo_state_name(col_state[i]));
		cr_expect_eq(r.peer_state, FO_STATE_UNKNOWN, "ignored altogether");
	}
	/* Without the flag the 3.5 row applies (7.5: P PARTNER-DOWN sees
	 * S POTENTIAL-CONFLICT). */
	struct fo_ctx c = ctx(FO_STATE_PARTNER_DOWN, FO_STATE_COMM_INTERRUPTED);
	struct fo_result r = peer(&c, FO_STATE_POTENTIAL_CONFLICT, false);
	cr_expect_eq(r.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect(HAS(r, FO_ACT_SEND_UPDREQ), "primary entering POT-CONFLICT (3.4)");
	cr_expect(HAS(r, FO_ACT_REQUEUE_UNACKED), "leaving PARTNER-DOWN (5.3)");
}

/* 3.5: POT-CONFLICT, peer CONFLICT-DONE: UPDREQ only if the peer was
 * POT-CONFLICT before (7.5: S sends UPDREQ after P's conflict-done). */
Test(fo_state, potential_conflict_peer_conflict_done)
{
	struct fo_ctx c = ctx(FO_STATE_POTENTIAL_CONFLICT, FO_STATE_POTENTIAL_CONFLICT);
	struct fo_result r;

	c.role = FO_ROLE_SECONDARY;
	r = peer(&c, FO_STATE_CONFLICT_DONE, false);
	cr_expect_eq(r.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect_eq(r.actions, FO_ACT_SEND_UPDREQ | FO_ACT_JOURNAL);

	c.peer_state = FO_STATE_CONFLICT_DONE;
	r = peer(&c, FO_STATE_CONFLICT_DONE, false);
	cr_expect_eq(r.actions, 0, "repeated STATE (8.14): nothing");
}

/* 3.4 entering POT-CONFLICT: the secondary sends UPDREQ only if the peer is
 * already CONFLICT-DONE. */
Test(fo_state, entering_potential_conflict_secondary)
{
	struct fo_ctx c = ctx(FO_STATE_COMM_INTERRUPTED, FO_STATE_UNKNOWN);
	struct fo_result r;

	c.role = FO_ROLE_SECONDARY;
	r = peer(&c, FO_STATE_PARTNER_DOWN, false);
	cr_expect_eq(r.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect(LACKS(r, FO_ACT_SEND_UPDREQ));

	r = peer(&c, FO_STATE_CONFLICT_DONE, false);
	cr_expect_eq(r.state, FO_STATE_POTENTIAL_CONFLICT);
	cr_expect(HAS(r, FO_ACT_SEND_UPDREQ));

	c.role = FO_ROLE_PRIMARY;
	c.connected = false;
	r = peer(&c, FO_STATE_PARTNER_DOWN, false);
	cr_expect(LACKS(r, FO_ACT_SEND_UPDREQ | FO_ACT_SEND_STATE), "no link");
}

/* A repeated STATE (8.14) changes nothing and journals nothing. */
Test(fo_state, repeated_state_idempotent)
{
	struct fo_ctx c = ctx(FO_STATE_NORMAL, FO_STATE_COMM_INTERRUPTED);
	struct fo_result r = peer(&c, FO_STATE_COMM_INTERRUPTED, false);

	cr_expect_eq(r.state, FO_STATE_NORMAL);
	cr_expect_eq(r.actions, 0);
}

/* Every 3.5 row of the table is reached by some cell above. */
Test(fo_state, every_peer_row_reachable)
{
	bool hit[256] = {false};

	cr_assert_leq(fo_transitions_count, 256);
	for (int i = 0; i < NROW; i++)
		for (int j = 0; j < NCOL; j++)
			for (int k = 0; k < 4; k++) {
				struct fo_ctx c =
					k == 0	 ? ctx(row_state[i], FO_STATE_UNKNOWN)
					: k == 1 ? startup(row_state[i], FO_STATE_UNKNOWN)
						 : ctx(row_state[i], FO_STATE_POTENTIAL_CONFLICT);
				struct fo_result r = peer(&c, col_state[j], k == 3);

				if (r.row >= 0)
					hit[r.row] = true;
			}
	for (unsigned i = 0; i < fo_transitions_count; i++)
		if (fo_transitions[i].event == FO_EV_PEER_STATE)
			cr_expect(hit[i], "row %u (%s) never used", i,
				fo_state_name((enum fo_state)fo_transitions[i].from));
}

/* ---- 3.1 / 4.3 service ---------------------------------------------------- */

Test(fo_state, service_by_state)
{
	static const struct {
		enum fo_state me, peer;
		enum fo_service want;
	} t[] = {
		{FO_STATE_NORMAL, FO_STATE_NORMAL, FO_SERVICE_BALANCED},
		{FO_STATE_COMM_INTERRUPTED, FO_STATE_UNKNOWN, FO_SERVICE_OWN_POOL},
		{FO_STATE_PARTNER_DOWN, FO_STATE_UNKNOWN, FO_SERVICE_PARTNER_DOWN},
		{FO_STATE_PARTNER_DOWN, FO_STATE_POTENTIAL_CONFLICT, FO_SERVICE_PARTNER_DOWN},
		/* "peer demands ...": */
		{FO_STATE_NORMAL, FO_STATE_PARTNER_DOWN, FO_SERVICE_NONE},
		{FO_STATE_NORMAL, FO_STATE_POTENTIAL_CONFLICT, FO_SERVICE_NONE},
		{FO_STATE_COMM_INTERRUPTED, FO_STATE_CONFLICT_DONE, FO_SERVICE_NONE},
		{FO_STATE_COMM_INTERRUPTED, FO_STATE_RESOLUTION_INTERRUPTED, FO_SERVICE_NONE},
		{FO_STATE_NORMAL, FO_STATE_RECOVER, FO_SERVICE_BALANCED},
		{FO_STATE_UNKNOWN, FO_STATE_UNKNOWN, FO_SERVICE_NONE},
		{FO_STATE_STARTUP, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_POTENTIAL_CONFLICT, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_RECOVER, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_PAUSED, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_SHUTDOWN, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_RECOVER_DONE, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_RESOLUTION_INTERRUPTED, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_CONFLICT_DONE, FO_STATE_NORMAL, FO_SERVICE_NONE},
		{FO_STATE_RECOVER_WAIT, FO_STATE_NORMAL, FO_SERVICE_NONE},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum fo_service s = fo_service(t[i].me, t[i].peer);

		cr_expect_eq(s, t[i].want, "%s / peer %s: %s", fo_state_name(t[i].me),
			fo_state_name(t[i].peer), fo_service_name(s));
		cr_expect_eq(fo_may_serve(t[i].me, t[i].peer), t[i].want != FO_SERVICE_NONE);
	}
}

Test(fo_state, may_allocate)
{
	const enum fo_state n = FO_STATE_NORMAL, ci = FO_STATE_COMM_INTERRUPTED,
			    pd = FO_STATE_PARTNER_DOWN, u = FO_STATE_UNKNOWN;
	const enum fo_role P = FO_ROLE_PRIMARY, S = FO_ROLE_SECONDARY;

	/* Own pool: primary FREE, secondary BACKUP (4.1). */
	cr_expect(fo_may_allocate(n, n, P, FO_POOL_FREE, NOW, STOS, 0, MCLT));
	cr_expect_not(fo_may_allocate(n, n, P, FO_POOL_BACKUP, NOW, STOS, 0, MCLT));
	cr_expect(fo_may_allocate(ci, u, S, FO_POOL_BACKUP, NOW, STOS, 0, MCLT));
	cr_expect_not(fo_may_allocate(ci, u, S, FO_POOL_FREE, NOW, STOS, 0, MCLT));
	cr_expect_not(fo_may_allocate(n, pd, P, FO_POOL_FREE, NOW, STOS, 0, MCLT), "peer PD");
	cr_expect_not(fo_may_allocate(FO_STATE_RECOVER, n, P, FO_POOL_FREE, NOW, STOS, 0, MCLT));

	/* 4.3: the peer's pool in PARTNER-DOWN once (max(stos, tsfp) + MCLT) < now. */
	cr_expect(fo_may_allocate(pd, u, S, FO_POOL_FREE, STOS + MCLT + 1, STOS, 0, MCLT));
	cr_expect_not(fo_may_allocate(pd, u, S, FO_POOL_FREE, STOS + MCLT, STOS, 0, MCLT),
		"strictly after");
	cr_expect_not(
		fo_may_allocate(pd, u, P, FO_POOL_BACKUP, STOS + MCLT + 1, STOS, STOS + 10, MCLT),
		"tsfp later than stos");
	cr_expect(
		fo_may_allocate(pd, u, P, FO_POOL_BACKUP, STOS + MCLT + 11, STOS, STOS + 10, MCLT));
	cr_expect(fo_may_allocate(pd, u, P, FO_POOL_FREE, STOS, STOS, 0, MCLT), "own pool at once");
	cr_expect_not(fo_may_allocate(pd, u, P, FO_POOL_BACKUP, 0xffffffffu, 0xfffffff0u, 0, MCLT),
		"no wrap past 2^32");
}
