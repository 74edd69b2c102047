/* SPDX-License-Identifier: MPL-2.0 */
/* The failover state machine of FAILOVER.md 3.3-3.5 as one table. */
#include <errno.h>
#include <stddef.h>

#include "failover/fo_state.h"

/* FAILOVER.md 3.3: ISC leaves STARTUP after 15 s without a peer STATE. */
#define FO_STARTUP_SECONDS 15

const char *fo_state_name(enum fo_state s)
{
	switch (s) {
	case FO_STATE_UNKNOWN:
		return "unknown-state";
	case FO_STATE_STARTUP:
		return "startup";
	case FO_STATE_NORMAL:
		return "normal";
	case FO_STATE_COMM_INTERRUPTED:
		return "communications-interrupted";
	case FO_STATE_PARTNER_DOWN:
		return "partner-down";
	case FO_STATE_POTENTIAL_CONFLICT:
		return "potential-conflict";
	case FO_STATE_RECOVER:
		return "recover";
	case FO_STATE_PAUSED:
		return "paused";
	case FO_STATE_SHUTDOWN:
		return "shutdown";
	case FO_STATE_RECOVER_DONE:
		return "recover-done";
	case FO_STATE_RESOLUTION_INTERRUPTED:
		return "resolution-interrupted";
	case FO_STATE_CONFLICT_DONE:
		return "conflict-done";
	case FO_STATE_RECOVER_WAIT:
		return "recover-wait";
	}
	return "invalid";
}

bool fo_state_valid(enum fo_state s)
{
	return (s >= FO_STATE_UNKNOWN && s <= FO_STATE_CONFLICT_DONE) || s == FO_STATE_RECOVER_WAIT;
}

const char *fo_role_name(enum fo_role r)
{
	switch (r) {
	case FO_ROLE_PRIMARY:
		return "primary";
	case FO_ROLE_SECONDARY:
		return "secondary";
	}
	return "invalid";
}

const char *fo_event_name(enum fo_event_type e)
{
	switch (e) {
	case FO_EV_START:
		return "start";
	case FO_EV_LINK_UP:
		return "link-up";
	case FO_EV_LINK_LOST:
		return "link-lost";
	case FO_EV_STARTUP_TIMEOUT:
		return "startup-timeout";
	case FO_EV_AUTO_PARTNER_DOWN_TIMEOUT:
		return "auto-partner-down-timeout";
	case FO_EV_RECOVER_WAIT_TIMEOUT:
		return "recover-wait-timeout";
	case FO_EV_OPERATOR_PARTNER_DOWN:
		return "operator-partner-down";
	case FO_EV_UPDDONE_RECEIVED:
		return "upddone-received";
	case FO_EV_PEER_STATE:
		return "peer-state";
	case FO_EV_COUNT:
		break;
	}
	return "invalid";
}

const char *fo_action_name(enum fo_action a)
{
	switch (a) {
	case FO_ACT_SEND_STATE:
		return "send-state";
	case FO_ACT_SEND_UPDREQ:
		return "send-updreq";
	case FO_ACT_SEND_UPDREQALL:
		return "send-updreqall";
	case FO_ACT_SEND_QUEUED_FIRST:
		return "send-queued-first";
	case FO_ACT_REQUEUE_UNACKED:
		return "requeue-unacked";
	case FO_ACT_QUEUE_PENDING:
		return "queue-pending";
	case FO_ACT_POOL_BALANCE:
		return "pool-balance";
	case FO_ACT_POOL_CHECK:
		return "pool-check";
	case FO_ACT_RECLAIM_AFTER_MCLT:
		return "reclaim-after-mclt";
	case FO_ACT_START_STARTUP_TIMER:
		return "start-startup-timer";
	case FO_ACT_START_AUTO_PD_TIMER:
		return "start-auto-partner-down-timer";
	case FO_ACT_START_RECOVER_WAIT_TIMER:
		return "start-recover-wait-timer";
	case FO_ACT_CANCEL_TIMERS:
		return "cancel-timers";
	case FO_ACT_JOURNAL:
		return "journal";
	case FO_ACT_PEER_FATAL:
		return "peer-fatal";
	}
	return "invalid";
}

const char *fo_service_name(enum fo_service s)
{
	switch (s) {
	case FO_SERVICE_NONE:
		return "none";
	case FO_SERVICE_BALANCED:
		return "balanced";
	case FO_SERVICE_OWN_POOL:
		return "own-pool";
	case FO_SERVICE_PARTNER_DOWN:
		return "partner-down";
	}
	return "invalid";
}

/* Short forms for the table only. */
#define NORMAL	 FO_STATE_NORMAL
#define COMM_INT FO_STATE_COMM_INTERRUPTED
#define PD	 FO_STATE_PARTNER_DOWN
#define POT_C	 FO_STATE_POTENTIAL_CONFLICT
#define RECOVER	 FO_STATE_RECOVER
#define PAUSED	 FO_STATE_PAUSED
#define SHUTDOWN FO_STATE_SHUTDOWN
#define REC_DONE FO_STATE_RECOVER_DONE
#define RES_INT	 FO_STATE_RESOLUTION_INTERRUPTED
#define CONF_D	 FO_STATE_CONFLICT_DONE
#define REC_WAIT FO_STATE_RECOVER_WAIT

/* A local event (FAILOVER.md 3.3/3.4) and a reaction to the peer's STATE
 * (3.5: row = my state, or the saved one in STARTUP; column = peer's state). */
#define LOCAL(from, ev, role, cond, to, acts, ref)                                                 \
	{                                                                                          \
		from, ev, FO_ANY, role, cond, to, acts, ref                                        \
	}
#define PEER(from, peer, cond, to, acts)                                                           \
	{                                                                                          \
		from, FO_EV_PEER_STATE, peer, FO_ANY, cond, to, acts, "3.5"                        \
	}

/* Only the cells that do something: every other (state, event) keeps the
 * state ("—" in 3.5, "stays" in 3.4). Order matters where a conditional
 * row precedes the unconditional one for the same cell. */
const struct fo_transition fo_transitions[] = {
	/* 3.3: start-up enters STARTUP, remembering the persisted state
	 * (RECOVER when nothing was persisted). */
	LOCAL(FO_ANY, FO_EV_START, FO_ANY, FO_COND_NONE, FO_STATE_STARTUP,
		FO_ACT_START_STARTUP_TIMER, "3.3"),
	/* 3.2: a STATE right after the CONNECT/CONNECTACK exchange. */
	LOCAL(FO_ANY, FO_EV_LINK_UP, FO_ANY, FO_COND_NONE, FO_SAME, FO_ACT_SEND_STATE, "3.2"),
	/* 3.4 link lost (also the STARTUP 15 s timeout, on the saved state). */
	LOCAL(NORMAL, FO_EV_LINK_LOST, FO_ANY, FO_COND_NONE, COMM_INT, 0, "3.4"),
	LOCAL(POT_C, FO_EV_LINK_LOST, FO_ANY, FO_COND_NONE, RES_INT, 0, "3.4"),
	LOCAL(CONF_D, FO_EV_LINK_LOST, FO_ANY, FO_COND_NONE, FO_SAME, FO_ACT_REQUEUE_UNACKED,
		"3.4, 5.3"),
	/* 3.4 timers. */
	LOCAL(COMM_INT, FO_EV_AUTO_PARTNER_DOWN_TIMEOUT, FO_ANY, FO_COND_NONE, PD, 0, "3.4"),
	LOCAL(REC_WAIT, FO_EV_RECOVER_WAIT_TIMEOUT, FO_ANY, FO_COND_NONE, REC_DONE, 0, "3.4"),
	/* 3.4 operator: from any state. */
	LOCAL(FO_ANY, FO_EV_OPERATOR_PARTNER_DOWN, FO_ANY, FO_COND_NONE, PD, 0, "3.4"),
	/* 3.4 UPDDONE received. Both in RECOVER = brand-new pair: no wait. */
	LOCAL(RECOVER, FO_EV_UPDDONE_RECEIVED, FO_ANY, FO_COND_MCLT_PENDING, REC_WAIT, 0, "3.4"),
	LOCAL(RECOVER, FO_EV_UPDDONE_RECEIVED, FO_ANY, FO_COND_NONE, REC_DONE, 0, "3.4"),
	LOCAL(POT_C, FO_EV_UPDDONE_RECEIVED, FO_ROLE_PRIMARY, FO_COND_PEER_CONFLICT_DONE, SHUTDOWN,
		0, "3.4"),
	LOCAL(POT_C, FO_EV_UPDDONE_RECEIVED, FO_ROLE_PRIMARY, FO_COND_NONE, CONF_D, 0, "3.4"),
	LOCAL(POT_C, FO_EV_UPDDONE_RECEIVED, FO_ROLE_SECONDARY, FO_COND_PEER_CONFLICT_DONE, NORMAL,
		0, "3.4"),

	/* 3.5: a PARTNER-DOWN server ignores a STATE flagged STARTUP. */
	PEER(PD, FO_ANY, FO_COND_PEER_STARTUP_FLAG, FO_SAME, 0),

	PEER(NORMAL, NORMAL, FO_COND_NONE, FO_SAME, FO_ACT_POOL_CHECK),
	PEER(NORMAL, PD, FO_COND_WAS_STARTUP, RECOVER, 0),
	PEER(NORMAL, PD, FO_COND_NONE, POT_C, 0),
	PEER(NORMAL, POT_C, FO_COND_NONE, SHUTDOWN, 0),
	PEER(NORMAL, RES_INT, FO_COND_NONE, SHUTDOWN, 0),
	PEER(NORMAL, CONF_D, FO_COND_NONE, SHUTDOWN, 0),
	PEER(NORMAL, RECOVER, FO_COND_NONE, PD, 0),
	PEER(NORMAL, SHUTDOWN, FO_COND_NONE, PD, 0),
	PEER(NORMAL, PAUSED, FO_COND_NONE, COMM_INT, 0),

	PEER(COMM_INT, NORMAL, FO_COND_NONE, NORMAL, FO_ACT_SEND_QUEUED_FIRST),
	PEER(COMM_INT, COMM_INT, FO_COND_NONE, NORMAL, 0),
	PEER(COMM_INT, PD, FO_COND_NONE, POT_C, 0),
	PEER(COMM_INT, POT_C, FO_COND_NONE, POT_C, 0),
	PEER(COMM_INT, RES_INT, FO_COND_NONE, POT_C, 0),
	PEER(COMM_INT, CONF_D, FO_COND_NONE, POT_C, 0),
	PEER(COMM_INT, RECOVER, FO_COND_NONE, PD, 0),
	PEER(COMM_INT, REC_WAIT, FO_COND_NONE, NORMAL, 0),
	PEER(COMM_INT, REC_DONE, FO_COND_NONE, NORMAL, 0),
	PEER(COMM_INT, SHUTDOWN, FO_COND_NONE, PD, 0),

	PEER(PD, NORMAL, FO_COND_NONE, POT_C, 0),
	PEER(PD, COMM_INT, FO_COND_NONE, POT_C, 0),
	PEER(PD, PD, FO_COND_NONE, POT_C, 0),
	PEER(PD, POT_C, FO_COND_NONE, POT_C, 0),
	PEER(PD, RES_INT, FO_COND_NONE, POT_C, 0),
	PEER(PD, CONF_D, FO_COND_NONE, POT_C, 0),
	PEER(PD, REC_DONE, FO_COND_NONE, NORMAL, 0),

	PEER(RECOVER, NORMAL, FO_COND_NONE, POT_C, 0),
	PEER(RECOVER, COMM_INT, FO_COND_NONE, FO_SAME, FO_ACT_SEND_UPDREQALL),
	PEER(RECOVER, PD, FO_COND_NONE, FO_SAME, FO_ACT_SEND_UPDREQALL),
	PEER(RECOVER, POT_C, FO_COND_NONE, POT_C, 0),
	PEER(RECOVER, RES_INT, FO_COND_NONE, POT_C, 0),
	PEER(RECOVER, CONF_D, FO_COND_NONE, POT_C, 0),
	PEER(RECOVER, RECOVER, FO_COND_NONE, FO_SAME, FO_ACT_SEND_UPDREQALL),
	PEER(RECOVER, SHUTDOWN, FO_COND_NONE, PD, 0),

	PEER(REC_DONE, NORMAL, FO_COND_NONE, NORMAL, 0),
	PEER(REC_DONE, REC_DONE, FO_COND_NONE, NORMAL, 0),
	PEER(REC_DONE, SHUTDOWN, FO_COND_NONE, PD, 0),

	PEER(POT_C, NORMAL, FO_COND_NONE, SHUTDOWN, 0),
	PEER(POT_C, CONF_D, FO_COND_PEER_WAS_POT_CONFLICT, FO_SAME, FO_ACT_SEND_UPDREQ),
	PEER(POT_C, RECOVER, FO_COND_NONE, RECOVER, 0),
	PEER(POT_C, SHUTDOWN, FO_COND_NONE, PD, 0),

	PEER(RES_INT, NORMAL, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, COMM_INT, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, PD, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, POT_C, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, RES_INT, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, CONF_D, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, RECOVER, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, REC_WAIT, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, REC_DONE, FO_COND_NONE, POT_C, 0),
	PEER(RES_INT, SHUTDOWN, FO_COND_NONE, PD, 0),

	/* ISC exits (log_fatal) on these; we log and drop the link instead. */
	PEER(CONF_D, NORMAL, FO_COND_NONE, NORMAL, 0),
	PEER(CONF_D, COMM_INT, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, PD, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, CONF_D, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, RECOVER, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, REC_WAIT, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, REC_DONE, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
	PEER(CONF_D, SHUTDOWN, FO_COND_NONE, SHUTDOWN, 0),
	PEER(CONF_D, PAUSED, FO_COND_NONE, FO_SAME, FO_ACT_PEER_FATAL),
};

const unsigned fo_transitions_count = sizeof(fo_transitions) / sizeof(fo_transitions[0]);

#undef NORMAL
#undef COMM_INT
#undef PD
#undef POT_C
#undef RECOVER
#undef PAUSED
#undef SHUTDOWN
#undef REC_DONE
#undef RES_INT
#undef CONF_D
#undef REC_WAIT

static uint32_t add_sat(uint32_t t, uint32_t d)
{
	uint64_t s = (uint64_t)t + d;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* A state a peer may announce: ISC never sends STARTUP (3.2). */
static bool peer_state_valid(enum fo_state s)
{
	return fo_state_valid(s) && s != FO_STATE_UNKNOWN && s != FO_STATE_STARTUP;
}

static bool cond_holds(
	enum fo_cond c, const struct fo_ctx *in, const struct fo_event *ev, enum fo_state peer)
{
	switch (c) {
	case FO_COND_NONE:
		return true;
	case FO_COND_WAS_STARTUP:
		return in->state == FO_STATE_STARTUP;
	case FO_COND_MCLT_PENDING:
		return (uint64_t)in->stos + in->mclt > in->now && peer != FO_STATE_RECOVER &&
		       peer != FO_STATE_RECOVER_DONE;
	case FO_COND_PEER_CONFLICT_DONE:
		return peer == FO_STATE_CONFLICT_DONE;
	case FO_COND_PEER_WAS_POT_CONFLICT:
		return in->peer_state == FO_STATE_POTENTIAL_CONFLICT;
	case FO_COND_PEER_STARTUP_FLAG:
		return ev->peer_startup && in->state != FO_STATE_STARTUP;
	}
	return false;
}

static int find_row(enum fo_state from, enum fo_event_type type, const struct fo_ctx *in,
	const struct fo_event *ev, enum fo_state peer)
{
	for (unsigned i = 0; i < fo_transitions_count; i++) {
		const struct fo_transition *t = &fo_transitions[i];

		if (t->event != type || (t->from != FO_ANY && t->from != (int)from))
			continue;
		if (t->role != FO_ANY && t->role != (int)in->role)
			continue;
		if (type == FO_EV_PEER_STATE && t->peer != FO_ANY && t->peer != (int)ev->peer_state)
			continue;
		if (!cond_holds(t->cond, in, ev, peer))
			continue;
		return (int)i;
	}
	return -1;
}

/* Actions implied by entering a state (3.4), whatever row led there. */
static uint32_t on_enter(const struct fo_ctx *in, struct fo_result *out)
{
	switch (out->state) {
	case FO_STATE_NORMAL:
		return FO_ACT_POOL_BALANCE | FO_ACT_QUEUE_PENDING;
	case FO_STATE_POTENTIAL_CONFLICT:
		if (in->connected &&
			(in->role == FO_ROLE_PRIMARY || out->peer_state == FO_STATE_CONFLICT_DONE))
			return FO_ACT_SEND_UPDREQ;
		return 0;
	case FO_STATE_RECOVER:
		return in->connected ? FO_ACT_SEND_UPDREQALL : 0;
	case FO_STATE_PARTNER_DOWN:
		return FO_ACT_RECLAIM_AFTER_MCLT;
	case FO_STATE_COMM_INTERRUPTED:
		if (in->auto_partner_down == 0)
			return 0;
		out->timer_at = add_sat(in->now, in->auto_partner_down);
		return FO_ACT_START_AUTO_PD_TIMER;
	case FO_STATE_RECOVER_WAIT:
		out->timer_at = add_sat(out->stos, in->mclt);
		return FO_ACT_START_RECOVER_WAIT_TIMER;
	case FO_STATE_STARTUP:
		out->timer_at = add_sat(in->now, FO_STARTUP_SECONDS);
		return FO_ACT_START_STARTUP_TIMER;
	default:
		return 0;
	}
}

static int validate(const struct fo_ctx *in, const struct fo_event *ev)
{
	if (in == NULL || ev == NULL)
		return -EINVAL;
	if ((unsigned)ev->type >= FO_EV_COUNT)
		return -EINVAL;
	if (in->role != FO_ROLE_PRIMARY && in->role != FO_ROLE_SECONDARY)
		return -EINVAL;
	if (!fo_state_valid(in->state) || !fo_state_valid(in->peer_state))
		return -EINVAL;
	if (ev->type == FO_EV_START)
		return in->state == FO_STATE_STARTUP ? -EINVAL : 0;
	if (in->state == FO_STATE_UNKNOWN)
		return -EINVAL;
	if (in->state == FO_STATE_STARTUP && !peer_state_valid(in->saved_state))
		return -EINVAL;
	if (ev->type == FO_EV_PEER_STATE && !peer_state_valid(ev->peer_state))
		return -EINVAL;
	return 0;
}

int fo_step(const struct fo_ctx *in, const struct fo_event *ev, struct fo_result *out)
{
	struct fo_result r = {0};
	bool in_startup;
	enum fo_state from, target;
	enum fo_event_type type;
	int rc = validate(in, ev);

	if (rc < 0 || out == NULL)
		return rc < 0 ? rc : -EINVAL;

	in_startup = in->state == FO_STATE_STARTUP;
	from = in_startup ? in->saved_state : in->state;
	r.state = in->state;
	r.saved_state = in->saved_state;
	r.peer_state = ev->type == FO_EV_PEER_STATE ? ev->peer_state : in->peer_state;
	r.stos = in->stos;
	r.row = -1;

	type = ev->type;
	if (type == FO_EV_STARTUP_TIMEOUT) {
		/* 3.4: "same as link lost", applied to the saved state. */
		if (!in_startup) {
			*out = r; /* stale timer */
			return 0;
		}
		type = FO_EV_LINK_LOST;
	}
	/* In STARTUP no state timer runs and no update was requested yet. */
	if (in_startup &&
		(type == FO_EV_AUTO_PARTNER_DOWN_TIMEOUT || type == FO_EV_RECOVER_WAIT_TIMEOUT ||
			type == FO_EV_UPDDONE_RECEIVED)) {
		*out = r;
		return 0;
	}

	r.row = find_row(from, type, in, ev, r.peer_state);
	if (r.row >= 0 && fo_transitions[r.row].cond == FO_COND_PEER_STARTUP_FLAG) {
		r.peer_state = in->peer_state; /* 3.5: ignored altogether */
		*out = r;
		return 0;
	}
	target = from;
	if (r.row >= 0) {
		r.actions = fo_transitions[r.row].actions;
		if (fo_transitions[r.row].to != FO_SAME)
			target = (enum fo_state)fo_transitions[r.row].to;
	}

	if (ev->type == FO_EV_START) {
		/* 3.3: a new lease file starts in RECOVER. */
		r.state = FO_STATE_STARTUP;
		r.saved_state = in->state == FO_STATE_UNKNOWN ? FO_STATE_RECOVER : in->state;
		/* Nothing persisted: RECOVER starts now, so RECOVER-WAIT
		 * lasts MCLT from here (7.4). */
		if (in->state == FO_STATE_UNKNOWN)
			r.stos = in->now;
	} else if (!in_startup || target != from || ev->type == FO_EV_PEER_STATE ||
		   ev->type == FO_EV_STARTUP_TIMEOUT || ev->type == FO_EV_OPERATOR_PARTNER_DOWN) {
		/* 3.3: the first peer STATE or the 15 s timeout ends STARTUP;
		 * any other event only if it changes the saved state. */
		r.state = target;
	}

	if (r.state != in->state) {
		/* 3.2: entering or leaving STARTUP and entering RECOVER-WAIT
		 * keep the previous start time of state. */
		if (r.state != FO_STATE_STARTUP && in->state != FO_STATE_STARTUP &&
			r.state != FO_STATE_RECOVER_WAIT)
			r.stos = in->now;
		/* 5.3: leaving these moves un-acked updates back to the queue. */
		if (in->state == FO_STATE_NORMAL || in->state == FO_STATE_POTENTIAL_CONFLICT ||
			in->state == FO_STATE_PARTNER_DOWN)
			r.actions |= FO_ACT_REQUEUE_UNACKED;
		r.actions |= FO_ACT_CANCEL_TIMERS | on_enter(in, &r);
		if (r.state != FO_STATE_STARTUP) {
			r.actions |= FO_ACT_JOURNAL;
			if (in->connected)
				r.actions |= FO_ACT_SEND_STATE;
		}
	} else if (r.peer_state != in->peer_state) {
		r.actions |= FO_ACT_JOURNAL; /* 3.3: the partner state is persisted too */
	}
	*out = r;
	return 0;
}

enum fo_service fo_service(enum fo_state me, enum fo_state peer)
{
	switch (me) {
	case FO_STATE_NORMAL:
	case FO_STATE_COMM_INTERRUPTED:
		/* 3.1: "peer demands ..." */
		if (peer == FO_STATE_PARTNER_DOWN || peer == FO_STATE_POTENTIAL_CONFLICT ||
			peer == FO_STATE_CONFLICT_DONE || peer == FO_STATE_RESOLUTION_INTERRUPTED)
			return FO_SERVICE_NONE;
		return me == FO_STATE_NORMAL ? FO_SERVICE_BALANCED : FO_SERVICE_OWN_POOL;
	case FO_STATE_PARTNER_DOWN:
		return FO_SERVICE_PARTNER_DOWN;
	default:
		return FO_SERVICE_NONE;
	}
}

bool fo_may_serve(enum fo_state me, enum fo_state peer)
{
	return fo_service(me, peer) != FO_SERVICE_NONE;
}

bool fo_may_allocate(enum fo_state me, enum fo_state peer, enum fo_role role, enum fo_pool pool,
	uint32_t now, uint32_t stos, uint32_t tsfp, uint32_t mclt)
{
	enum fo_pool own = role == FO_ROLE_PRIMARY ? FO_POOL_FREE : FO_POOL_BACKUP;
	uint64_t from;

	if (!fo_may_serve(me, peer))
		return false;
	if (pool == own)
		return true;
	if (me != FO_STATE_PARTNER_DOWN)
		return false;
	/* 4.3: the peer's pool after MCLT past the later of my PARTNER-DOWN
	 * start and what the peer last knew of the lease. */
	from = tsfp < stos ? stos : tsfp;
	return from + mclt < now;
}
