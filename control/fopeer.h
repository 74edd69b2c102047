/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The failover engine of the control process: one failover relationship
 * (the configuration's `failover` block) with an ISC dhcpd 4.4 or leasewire
 * peer, draft-ietf-dhc-failover-12 as ISC speaks it (FAILOVER.md).
 *
 * It ties the failover library to the rest of control:
 *  - the link (failover/fo_conn.h) and the state machine (fo_state.h): every
 *    state change is logged the way ISC logs it, saved to
 *    <state_dir>/failover.state before anything acts on it, and published
 *    to the workers as the failover snapshot of the shared region;
 *  - binding updates out: every binding a worker commits in a failover pool
 *    is queued (one entry per address, so the backlog never exceeds the
 *    pools) and sent lazily, one BNDUPD per address, at most the peer's
 *    max-unacked-bndupd at a time; a BNDACK is journaled (LW_EV_FO_ACK) and
 *    its tsfp goes to the owning worker for the MCLT rule;
 *  - binding updates in: checked as ISC checks them (fo_bnd.h), journaled,
 *    applied to the store and the owning worker, and acknowledged only
 *    once the journal made them durable;
 *  - the pools: a failover pool's addresses are parked in the dataplane
 *    until this engine grants this server's own share (FREE for the
 *    primary, BACKUP for the secondary), after each start-up stream;
 *    the primary balances the pools by asking workers to yield free
 *    addresses; in PARTNER-DOWN, after MCLT, the peer's share is granted.
 *
 * Threading: control's main loop only.
 */
#ifndef LW_FOPEER_H
#define LW_FOPEER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/config.h"
#include "common/lw_records.h"
#include "failover/fo_state.h"

struct store;
struct pump;
struct fopeer;

struct fopeer_stats {
	uint64_t bndupd_sent;
	uint64_t bndupd_received;
	uint64_t bndack_received;
	uint64_t bndack_rejected_by_peer; /* BNDACKs with a reject reason */
	uint64_t bndack_sent;
	uint64_t bndupd_rejected; /* peer updates we refused */
	uint64_t bndack_unknown;  /* BNDACK for no update in flight */
	uint64_t updreq_received;
	uint64_t updreqall_received;
	uint64_t upddone_sent;
	uint64_t upddone_received;
	uint64_t poolreq_received;
	uint64_t poolreq_sent;
	uint64_t state_changes;
	uint64_t addresses_yielded; /* asked of the workers by the balancer */
	uint64_t addresses_granted; /* own share and partner-down grants */
	uint64_t affinity_moves;    /* addresses sent to the secondary's pool by MAC affinity */
	uint64_t unsendable;	    /* bindings the peer cannot take (no hardware address) */
	uint64_t backlog_max;
	uint64_t links_up;
	uint64_t links_lost;
};

/*
 * Creates the engine for cfg->failover (cfg->has_failover must be set),
 * reads <state_dir>/failover.state (none: a new server, RECOVER) and starts
 * listening and connecting. Returns NULL with a sentence in err.
 */
struct fopeer *fopeer_create(const struct lw_config *cfg, struct store *st, struct pump *pump,
	bool quiet, char *err, size_t errlen);
void fopeer_free(struct fopeer *f);

/* A reloaded configuration with the same failover block and pools (the
 * reload refuses any change to them). */
void fopeer_set_config(struct fopeer *f, const struct lw_config *cfg);

/* The descriptor to watch for EPOLLIN; then call fopeer_poll(). */
int fopeer_fd(const struct fopeer *f);

/*
 * Does everything due: the link, the timers, the send window, the BNDACKs
 * whose bindings became durable, grants, balancing. Call it every loop turn
 * (it is cheap when idle) and when fopeer_fd() is readable.
 */
void fopeer_poll(struct fopeer *f, uint64_t now_ms);

/* Milliseconds until fopeer_poll() must run again at the latest. */
uint64_t fopeer_due_in(const struct fopeer *f, uint64_t now_ms);

/* The pump's callback for every journaled event (pump.on_event). */
void fopeer_on_event(void *arg, const struct lw_bind_event *ev);

/*
 * Operator: go to PARTNER-DOWN (ISC: omshell local-state 4). Returns 0, or
 * -1 with the reason in msg (already there, or not allowed now).
 */
int fopeer_partner_down(struct fopeer *f, char *msg, size_t len);

/* failover-status: the fields of ISC's failover-state object, and more. */
void fopeer_status(const struct fopeer *f, json_t *out);

const struct fopeer_stats *fopeer_stats(const struct fopeer *f);

/*
 * <state_dir>/failover.state, written whole (temporary file, fsync, rename,
 * fsync of the directory): this process's own state file, and the one
 * leasewire-import writes for an imported ISC server. 0 or a negative errno.
 */
int fopeer_state_file_write(const char *state_dir, const char *relationship, enum fo_state my_state,
	uint32_t my_stos, enum fo_state partner_state, uint32_t partner_since, uint32_t mclt,
	const uint8_t *hba);
/* A state by the name fo_state_name() gives it (ISC's names), or -1. */
int fopeer_state_by_name(const char *name);

#endif
