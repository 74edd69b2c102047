/* SPDX-License-Identifier: MPL-2.0 */
/* The failover engine's insides, shared by fopeer.c (states, link),
 * fopeer_upd.c (binding updates) and fopeer_pool.c (pools). */
#ifndef LW_FOPEER_PVT_H
#define LW_FOPEER_PVT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/lw_ip.h"
#include "common/lw_time.h"
#include "failover/fo_bnd.h"
#include "failover/fo_conn.h"
#include "failover/fo_state.h"
#include "failover/fo_wire.h"
#include "fopeer.h"

#ifndef LW_VERSION
#define LW_VERSION "0"
#endif

struct store_lease;

/* An address as text, for log lines: fop_ip(a).s */
struct fop_ip {
	char s[16];
};

static inline struct fop_ip fop_ip(uint32_t a)
{
	struct fop_ip r;

	lw_ip4_fmt(a, r.s);
	return r;
}

static inline uint64_t lw_mono_ms(void)
{
	return lw_mono_ns() / 1000000u;
}

/* An update in flight: what we told the peer about addr. */
struct fop_flight {
	uint32_t xid;
	uint32_t addr;
	uint32_t end;  /* lease-expiration-time sent */
	uint32_t tstp; /* potential-expiration-time sent */
	uint8_t state; /* enum lw_bind_state of the record sent (FREE: no record) */
	bool used;
};

/* A BNDACK waiting for the journal to make its binding durable. */
struct fop_ack {
	uint64_t after_sync; /* pump.stats.syncs when the binding was appended */
	uint32_t xid;
	uint32_t addr;
};

/* A job granting addresses of failover pools to the workers, in steps. */
struct fop_grant_job {
	bool active;
	bool peer_share; /* partner-down: the peer's share, not ours */
	bool revoke;	 /* take the share back (LW_CMD_REVOKE) instead of granting it */
	unsigned pool;
	uint64_t next;	  /* next address to look at */
	uint64_t run_end; /* a run being granted: [next, run_end], from worker w on */
	unsigned w;
};

struct fopeer {
	const struct lw_config *cfg;
	const struct lw_failover_conf *fc;
	struct store *st;
	struct pump *pump;
	struct fo_conn *conn;
	char state_path[PATH_MAX];
	bool quiet;

	/* states */
	struct fo_ctx ctx;
	uint32_t my_since;
	uint32_t peer_since;
	enum fo_event_type timer_kind; /* FO_EV_COUNT: none */
	uint32_t timer_at;
	uint32_t mclt;
	uint8_t hba[FO_HBA_LEN];
	uint64_t published_attach;

	/* link */
	bool up;
	uint32_t peer_max_unacked;
	int32_t skew;

	/* updates out: a ring of addresses, each queued once (STORE_FO_QUEUED,
	 * or a FREE entry of an UPDREQALL) */
	uint32_t *q;
	uint64_t q_cap; /* power of two */
	uint64_t q_head, q_tail;
	struct fop_flight *fl;
	unsigned fl_cap;
	unsigned n_inflight;
	bool my_updreq; /* we asked, UPDDONE not seen yet */

	/* the peer's UPDREQ/UPDREQALL being answered */
	struct {
		bool active;
		bool all; /* UPDREQALL */
		uint32_t xid;
		uint64_t mark; /* UPDDONE once q_head passed this and nothing is in flight */
	} peer_req;

	/* acks out */
	struct fop_ack *acks;
	unsigned n_acks, acks_cap;

	/* pools */
	struct fop_grant_job grant;
	uint64_t seen_streams;
	bool tsfp_pass;	     /* resending tsfp to a new dataplane */
	uint32_t tsfp_after; /* its cursor: the last address done */
	uint32_t balance_at; /* next balance check (Unix seconds), 0 = now */
	bool pd_grant_done;  /* the peer's share was granted in this PARTNER-DOWN */
	bool pd_granted;     /* ... and is still with the workers */
	bool revoke_due;     /* take it back as soon as no job runs */

	struct fopeer_stats stats;
};

void fop_log(struct fopeer *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t fop_now(void);
bool fop_pool_is_fo(const struct fopeer *f, unsigned pool);
void fop_publish(struct fopeer *f);

/* fopeer_upd.c */
int fop_queue_init(struct fopeer *f);
void fop_queue_fini(struct fopeer *f);
void fop_queue(struct fopeer *f, uint32_t addr);
uint64_t fop_backlog(const struct fopeer *f);
void fop_requeue_inflight(struct fopeer *f);
void fop_queue_pending(struct fopeer *f, bool all);
bool fop_sendable(const struct fopeer *f);
void fop_send_updates(struct fopeer *f);
void fop_flush_acks(struct fopeer *f);
void fop_bndupd_in(struct fopeer *f, const struct fo_msg *m);
void fop_bndack_in(struct fopeer *f, const struct fo_msg *m);
void fop_updreq_in(struct fopeer *f, const struct fo_msg *m);

/* fopeer_pool.c */
void fop_pool_tick(struct fopeer *f, uint32_t now);
void fop_poolreq_in(struct fopeer *f, const struct fo_msg *m);
void fop_leave_partner_down(struct fopeer *f);
/* Is an available address with this store record (NULL: none) ours to give? */
bool fop_own_free(const struct fopeer *f, const struct store_lease *l);
/* Hands one address of a failover pool to worker w (or the stride owner when w < 0). */
int fop_grant_one(struct fopeer *f, unsigned pool, uint32_t addr, int w);
/* Parks addr in whichever worker holds it free (LW_CMD_REVOKE to every worker). */
void fop_revoke_one(struct fopeer *f, unsigned pool, uint32_t addr);
/* The worker that owns a client. */
unsigned fop_key_worker(const struct fopeer *f, const struct lw_client_key *k);

#endif
