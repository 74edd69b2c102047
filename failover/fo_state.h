/* SPDX-License-Identifier: MPL-2.0 */
/* Failover endpoint states and their transitions (FAILOVER.md 3), as one
 * transition table and a pure step function.
 *
 * fo_step() does no I/O, reads no clock and keeps no state: everything it
 * needs is in struct fo_ctx (times included), everything it decides is in
 * struct fo_result, and the caller (the failover connection in control)
 * carries out the actions, journals the states and arms the timers. Every
 * function here is safe from any thread.
 */
#ifndef LW_FO_STATE_H
#define LW_FO_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* FAILOVER.md 3.1: draft-ietf-dhc-failover-12 12.24 codes, as ISC sends
 * them. The draft gives RECOVER-WAIT no number; ISC uses 254. */
enum fo_state {
	FO_STATE_UNKNOWN = 0, /* ISC's initial partner state; "nothing persisted" */
	FO_STATE_STARTUP = 1,
	FO_STATE_NORMAL = 2,
	FO_STATE_COMM_INTERRUPTED = 3,
	FO_STATE_PARTNER_DOWN = 4,
	FO_STATE_POTENTIAL_CONFLICT = 5,
	FO_STATE_RECOVER = 6,
	FO_STATE_PAUSED = 7,
	FO_STATE_SHUTDOWN = 8,
	FO_STATE_RECOVER_DONE = 9,
	FO_STATE_RESOLUTION_INTERRUPTED = 10,
	FO_STATE_CONFLICT_DONE = 11,
	FO_STATE_RECOVER_WAIT = 254,
};

/* Lower-case, hyphenated names as ISC logs them ("communications-interrupted");
 * "invalid" for a code that is not in FAILOVER.md 3.1. */
const char *fo_state_name(enum fo_state s);
/* True for the 13 codes of FAILOVER.md 3.1. */
bool fo_state_valid(enum fo_state s);

enum fo_role {
	FO_ROLE_PRIMARY = 0,
	FO_ROLE_SECONDARY = 1,
};

const char *fo_role_name(enum fo_role r);

/* Inputs of the state machine: FAILOVER.md 3.4 (local) and 3.5 (peer). */
enum fo_event_type {
	/* Process start. ctx->state and ctx->stos are what was persisted
	 * (FO_STATE_UNKNOWN: nothing; then the saved state is RECOVER, 3.3,
	 * with stos = now); never STARTUP. */
	FO_EV_START = 0,
	/* The CONNECT/CONNECTACK exchange is done: announce our state. */
	FO_EV_LINK_UP,
	/* TCP close or error, protocol error, or max-response-delay without a
	 * message from the peer (3.4, 5.5). */
	FO_EV_LINK_LOST,
	/* 15 s in STARTUP without a STATE from the peer (3.3). */
	FO_EV_STARTUP_TIMEOUT,
	/* The auto-partner-down delay armed on entering COMM-INTERRUPTED. */
	FO_EV_AUTO_PARTNER_DOWN_TIMEOUT,
	/* stos + MCLT reached in RECOVER-WAIT. */
	FO_EV_RECOVER_WAIT_TIMEOUT,
	/* failover-partner-down on the control socket (ISC: omshell
	 * local-state = 4). */
	FO_EV_OPERATOR_PARTNER_DOWN,
	/* The peer finished answering our UPDREQ/UPDREQALL. */
	FO_EV_UPDDONE_RECEIVED,
	/* The peer sent STATE: ev->peer_state and ev->peer_startup. */
	FO_EV_PEER_STATE,
	FO_EV_COUNT
};

const char *fo_event_name(enum fo_event_type e);

struct fo_event {
	enum fo_event_type type;
	enum fo_state peer_state; /* FO_EV_PEER_STATE: server-state option */
	bool peer_startup;	  /* FO_EV_PEER_STATE: server-flags STARTUP bit */
};

/* Everything fo_step() may look at. */
struct fo_ctx {
	enum fo_role role;
	enum fo_state state;	   /* mine */
	enum fo_state saved_state; /* in STARTUP: the state to go back to */
	enum fo_state peer_state;  /* last one announced, FO_STATE_UNKNOWN before */
	uint32_t stos;		   /* start time of my state */
	uint32_t now;
	uint32_t mclt;
	uint32_t auto_partner_down; /* seconds, 0 = off (the default) */
	bool connected;		    /* CONNECT/CONNECTACK done on a live link */
};

/* What the caller must do, as a bit set in fo_result.actions. */
enum fo_action {
	FO_ACT_SEND_STATE = 1u << 0,	       /* our state changed while connected, or link up */
	FO_ACT_SEND_UPDREQ = 1u << 1,	       /* ask for the peer's unacked updates */
	FO_ACT_SEND_UPDREQALL = 1u << 2,       /* ask for every binding the peer has */
	FO_ACT_SEND_QUEUED_FIRST = 1u << 3,    /* flush queued BNDUPDs before the STATE (3.5) */
	FO_ACT_REQUEUE_UNACKED = 1u << 4,      /* move un-acked BNDUPDs back to the queue (5.3) */
	FO_ACT_QUEUE_PENDING = 1u << 5,	       /* queue leases whose tstp was never acked, and
						* all EXPIRED ones (entering NORMAL, 3.4) */
	FO_ACT_POOL_BALANCE = 1u << 6,	       /* rebalance pools (entering NORMAL) */
	FO_ACT_POOL_CHECK = 1u << 7,	       /* pool check (NORMAL, peer NORMAL) */
	FO_ACT_RECLAIM_AFTER_MCLT = 1u << 8,   /* EXPIRED/RELEASED/RESET: tsfp = stos + MCLT */
	FO_ACT_START_STARTUP_TIMER = 1u << 9,  /* fire FO_EV_STARTUP_TIMEOUT at timer_at */
	FO_ACT_START_AUTO_PD_TIMER = 1u << 10, /* fire FO_EV_AUTO_PARTNER_DOWN_TIMEOUT */
	FO_ACT_START_RECOVER_WAIT_TIMER = 1u << 11, /* fire FO_EV_RECOVER_WAIT_TIMEOUT */
	FO_ACT_CANCEL_TIMERS = 1u << 12,	    /* a state change cancels the state timers */
	FO_ACT_JOURNAL = 1u << 13,		    /* persist state, stos and peer state */
	FO_ACT_PEER_FATAL = 1u << 14, /* ISC would log_fatal: log, close the link, stay */
};

/* Name of one action bit ("send-updreqall"); "invalid" otherwise. */
const char *fo_action_name(enum fo_action a);

struct fo_result {
	enum fo_state state;	   /* next state (may equal ctx->state) */
	enum fo_state saved_state; /* meaningful while state is STARTUP */
	enum fo_state peer_state;  /* partner state after the event */
	uint32_t stos;		   /* start time of the next state */
	uint32_t actions;	   /* enum fo_action bits */
	uint32_t timer_at;	   /* deadline of the START_*_TIMER action, if any */
	int row;		   /* index in fo_transitions[] applied, -1 for none */
};

/* One row of the transition table. FO_ANY in .from/.peer matches anything;
 * .to == FO_SAME keeps the state. The first row that matches wins. */
#define FO_ANY	(-1)
#define FO_SAME (-1)

enum fo_cond {
	FO_COND_NONE = 0,
	FO_COND_WAS_STARTUP,	       /* I am in STARTUP (rows apply to the saved state) */
	FO_COND_MCLT_PENDING,	       /* stos + MCLT > now and peer not RECOVER/RECOVER-DONE */
	FO_COND_PEER_CONFLICT_DONE,    /* the peer's last state is CONFLICT-DONE */
	FO_COND_PEER_WAS_POT_CONFLICT, /* the peer's previous state was POTENTIAL-CONFLICT */
	FO_COND_PEER_STARTUP_FLAG,     /* STATE with the STARTUP flag, and I am not in STARTUP */
};

struct fo_transition {
	int from; /* enum fo_state or FO_ANY */
	enum fo_event_type event;
	int peer; /* FO_EV_PEER_STATE: enum fo_state or FO_ANY */
	int role; /* enum fo_role or FO_ANY */
	enum fo_cond cond;
	int to;		  /* enum fo_state or FO_SAME */
	uint32_t actions; /* beyond those implied by entering .to */
	const char *ref;  /* FAILOVER.md section */
};

extern const struct fo_transition fo_transitions[];
extern const unsigned fo_transitions_count;

/**
 * Apply one event.
 *
 * @param in   current context; not modified
 * @param ev   the event
 * @param out  filled on success (and only then)
 * @return 0, or -EINVAL for a NULL pointer, an unknown event type, a state
 *         or role code that is not valid where it is used (my state UNKNOWN
 *         other than at FO_EV_START, a STARTUP without a saved state,
 *         FO_EV_START while in STARTUP, a peer announcing UNKNOWN, STARTUP
 *         or a code outside FAILOVER.md 3.1).
 *
 * Events that do not apply in the current state (a stale timer, UPDDONE
 * outside RECOVER/POTENTIAL-CONFLICT) return 0 with no change and row -1.
 */
int fo_step(const struct fo_ctx *in, const struct fo_event *ev, struct fo_result *out);

/* DHCP service allowed by my state and the peer's (FAILOVER.md 3.1). */
enum fo_service {
	FO_SERVICE_NONE = 0,	 /* not responding */
	FO_SERVICE_BALANCED,	 /* NORMAL: load-balance DISCOVER, own pool only */
	FO_SERVICE_OWN_POOL,	 /* COMM-INTERRUPTED: everyone, own pool only */
	FO_SERVICE_PARTNER_DOWN, /* everyone; peer's pool after MCLT (4.3) */
};

const char *fo_service_name(enum fo_service s);
enum fo_service fo_service(enum fo_state me, enum fo_state peer);
/* fo_service() != FO_SERVICE_NONE. */
bool fo_may_serve(enum fo_state me, enum fo_state peer);

/* The two pools of available addresses (FAILOVER.md 4.1: FREE = 1, BACKUP = 7;
 * ABANDONED is treated as FREE by the caller). */
enum fo_pool {
	FO_POOL_FREE = 1,
	FO_POOL_BACKUP = 7,
};

/**
 * May this server allocate an available address of @p pool (FAILOVER.md 4.3)?
 * Its own pool (primary FREE, secondary BACKUP) whenever it may serve; the
 * peer's pool only in PARTNER-DOWN and once
 * (tsfp < stos ? stos + MCLT : tsfp + MCLT) < now. @p stos is my PARTNER-DOWN
 * start time, @p tsfp the lease's.
 */
bool fo_may_allocate(enum fo_state me, enum fo_state peer, enum fo_role role, enum fo_pool pool,
	uint32_t now, uint32_t stos, uint32_t tsfp, uint32_t mclt);

#endif
