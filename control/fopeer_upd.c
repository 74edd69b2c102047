/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Binding updates (FAILOVER.md 4.4, 4.5, 5.3, 5.4): the queue of addresses
 * to tell the peer about, the send window, BNDACKs both ways, UPDREQ and
 * UPDREQALL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/lb_hash.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "failover/fo_mclt.h"
#include "fopeer_pvt.h"
#include "pump.h"
#include "store.h"

#define Q_INIT	 4096
#define ACK_INIT 256

int fop_queue_init(struct fopeer *f)
{
	unsigned cap = f->fc->max_unacked_updates;

	f->q_cap = Q_INIT;
	f->q = malloc(f->q_cap * sizeof(*f->q));
	/* The window is the peer's max-unacked; ISC's largest is 65535. */
	f->fl_cap = 65536;
	f->fl = calloc(f->fl_cap, sizeof(*f->fl));
	f->acks_cap = ACK_INIT > cap ? ACK_INIT : cap;
	f->acks = malloc(f->acks_cap * sizeof(*f->acks));
	return f->q && f->fl && f->acks ? 0 : -ENOMEM;
}

void fop_queue_fini(struct fopeer *f)
{
	free(f->q);
	free(f->fl);
	free(f->acks);
}

uint64_t fop_backlog(const struct fopeer *f)
{
	return f->q_tail - f->q_head;
}

static int q_push(struct fopeer *f, uint32_t addr)
{
	if (f->q_tail - f->q_head == f->q_cap) {
		uint64_t cap = f->q_cap * 2;
		uint32_t *q = malloc(cap * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		for (uint64_t i = f->q_head; i < f->q_tail; i++)
			q[i & (cap - 1)] = f->q[i & (f->q_cap - 1)];
		free(f->q);
		f->q = q;
		f->q_cap = cap;
	}
	f->q[f->q_tail++ & (f->q_cap - 1)] = addr;
	if (f->q_tail - f->q_head > f->stats.backlog_max)
		f->stats.backlog_max = f->q_tail - f->q_head;
	return 0;
}

/* Queues the record of addr once (a FREE address is queued as is). */
void fop_queue(struct fopeer *f, uint32_t addr)
{
	const struct store_lease *l = store_get_addr(f->st, addr);

	if (l) {
		if (l->fo & STORE_FO_QUEUED)
			return;
		store_set_queued(f->st, addr, true);
	}
	if (q_push(f, addr) < 0 && l)
		store_set_queued(f->st, addr, false);
}

static struct fop_flight *flight_find(struct fopeer *f, uint32_t xid)
{
	struct fop_flight *fl = &f->fl[xid & (f->fl_cap - 1)];

	return fl->used && fl->xid == xid ? fl : NULL;
}

void fop_requeue_inflight(struct fopeer *f)
{
	for (unsigned i = 0; i < f->fl_cap && f->n_inflight; i++) {
		if (!f->fl[i].used)
			continue;
		f->fl[i].used = false;
		f->n_inflight--;
		fop_queue(f, f->fl[i].addr);
	}
	f->n_inflight = 0;
}

struct pend_scan {
	struct fopeer *f;
	bool all;
};

static int pend_cb(void *arg, const struct store_lease *l)
{
	struct pend_scan *ps = arg;

	if (!fop_pool_is_fo(ps->f, l->pool))
		return 0;
	if (ps->all || (l->fo & STORE_FO_PENDING))
		fop_queue(ps->f, l->addr);
	return 0;
}

void fop_queue_pending(struct fopeer *f, bool all)
{
	struct pend_scan ps = {.f = f, .all = all};

	(void)store_foreach(f->st, pend_cb, &ps);
}

void fopeer_on_event(void *arg, const struct lw_bind_event *ev)
{
	struct fopeer *f = arg;

	if (ev->type != LW_EV_BIND || !fop_pool_is_fo(f, ev->pool))
		return;
	/* What the peer told us, and our own bookkeeping, go nowhere. */
	if (ev->worker == LW_WORKER_PEER || ev->worker == LW_WORKER_CONTROL) {
		if (ev->worker == LW_WORKER_CONTROL && ev->state == LW_BIND_BACKUP)
			fop_queue(f, ev->addr);
		return;
	}
	switch (ev->state) {
	case LW_BIND_FREE:
		/* lease4-del, or the end of a decline's probation: the worker
		 * parked the address. Still nobody's (the store dropped it), it
		 * goes back to the primary's pool, and to its workers. */
		if (store_get_addr(f->st, ev->addr) == NULL && fop_own_free(f, NULL))
			(void)fop_grant_one(f, ev->pool, ev->addr, ev->worker);
		break;
	case LW_BIND_ACTIVE:
	case LW_BIND_RELEASED:
	case LW_BIND_DECLINED:
	case LW_BIND_BACKUP:
		fop_queue(f, ev->addr);
		break;
	case LW_BIND_EXPIRED:
		/* Pitfall 10: expiry is the primary's job; a secondary's
		 * EXPIRED is refused by a NORMAL primary. */
		if (f->fc->role == LW_FO_PRIMARY)
			fop_queue(f, ev->addr);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* Sending */

bool fop_sendable(const struct fopeer *f)
{
	return f->up && f->ctx.state != FO_STATE_STARTUP && f->q_head != f->q_tail &&
	       f->n_inflight < f->peer_max_unacked;
}

static uint32_t desired_time(const struct fopeer *f, const struct store_lease *l)
{
	if (l->subnet < f->cfg->n_subnets)
		return f->cfg->subnets[l->subnet].default_lease_time;
	return f->cfg->default_lease_time;
}

/* The hardware address of a client whose key is an identifier: the usual
 * option 61 form, type 1 + MAC (RFC 2132 9.14). */
static unsigned hw_of(const struct lw_client_key *k, const uint8_t **hw)
{
	if (k->kind == LW_KEY_CLIENT_ID && k->len == 7 && k->data[0] == 1) {
		*hw = k->data;
		return 7;
	}
	*hw = NULL;
	return 0;
}

/* Fills b from the record of addr (none: a FREE address). -1: unsendable. */
static int binding_of(struct fopeer *f, uint32_t addr, struct fo_binding *b, uint8_t *state)
{
	const struct store_lease *l = store_get_addr(f->st, addr);
	uint32_t now = fop_now();
	const uint8_t *hw;
	unsigned hwl;
	int bs;

	memset(b, 0, sizeof(*b));
	b->addr = addr;
	if (l == NULL) {
		/* Never used, or back in the primary's pool (UPDREQALL). */
		b->bstate = FO_BS_FREE;
		*state = LW_BIND_FREE;
		return 0;
	}
	*state = l->state;
	if ((bs = fo_bstate_from_lw(l->state)) < 0)
		return -1;
	b->bstate = (uint8_t)bs;
	if (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_EXPIRED ||
		l->state == LW_BIND_RELEASED) {
		hwl = hw_of(&l->key, &hw);
		if (fo_binding_set_client(b, &l->key, hw, hwl) < 0 || b->chaddr_len == 0)
			return -1; /* ISC refuses these without chaddr (reason 3) */
	}
	switch (l->state) {
	case LW_BIND_ACTIVE: {
		uint32_t granted = l->end - l->start, desired = desired_time(f, l);

		if (desired < granted)
			desired = granted;
		b->lease_expiry = l->end;
		b->potential_expiry = fo_mclt_tstp(desired, l->start, granted);
		b->stos = l->start;
		b->cltt = l->start;
		break;
	}
	case LW_BIND_EXPIRED:
	case LW_BIND_RELEASED:
		b->lease_expiry = l->end;
		b->potential_expiry = l->end > now ? l->end : now;
		b->stos = l->end;
		b->cltt = l->start;
		break;
	default: /* DECLINED (ABANDONED), BACKUP */
		b->lease_expiry = l->state == LW_BIND_DECLINED ? l->end : 0;
		b->potential_expiry = now;
		b->stos = l->start ? l->start : now;
		break;
	}
	return 0;
}

static void check_upddone(struct fopeer *f)
{
	struct fo_msg m;

	if (!f->peer_req.active || f->q_head < f->peer_req.mark || f->n_inflight)
		return;
	fo_msg_init(&m, FO_MSG_UPDDONE, 0, f->peer_req.xid);
	if (fo_conn_send(f->conn, &m) == 0) {
		f->stats.upddone_sent++;
		f->peer_req.active = false;
	}
}

void fop_send_updates(struct fopeer *f)
{
	while (fop_sendable(f)) {
		uint32_t addr = f->q[f->q_head & (f->q_cap - 1)];
		struct fop_flight *fl;
		struct fo_binding b;
		struct fo_msg m;
		uint8_t state;
		int rc;

		const struct store_lease *l = store_get_addr(f->st, addr);

		if (fo_conn_out_room(f->conn) < FO_MSG_MAX_LEN)
			break;
		/* The peer's own bindings go back only when it asked for all. */
		if (l && !(l->fo & STORE_FO_PENDING) && !(f->peer_req.active && f->peer_req.all)) {
			f->q_head++;
			store_set_queued(f->st, addr, false);
			continue;
		}
		if (binding_of(f, addr, &b, &state) < 0) {
			f->stats.unsendable++;
			f->q_head++;
			store_set_queued(f->st, addr, false);
			continue;
		}
		if (fo_bndupd_build(&m, &b, 0, 1) < 0 || (rc = fo_conn_send(f->conn, &m)) < 0) {
			f->stats.unsendable++;
			f->q_head++;
			store_set_queued(f->st, addr, false);
			continue;
		}
		f->q_head++;
		store_set_queued(f->st, addr, false);
		fl = &f->fl[m.xid & (f->fl_cap - 1)];
		if (fl->used)
			f->n_inflight--; /* a 64 K-old update never acked: forgotten */
		*fl = (struct fop_flight){.xid = m.xid,
			.addr = addr,
			.end = b.lease_expiry,
			.tstp = b.potential_expiry,
			.state = state,
			.used = true};
		f->n_inflight++;
		f->stats.bndupd_sent++;
	}
	check_upddone(f);
}

/* ------------------------------------------------------------------------ */
/* Journal and dataplane helpers */

static int journal(struct fopeer *f, const struct lw_bind_event *ev)
{
	int rc = pump_append(f->pump, ev, lw_mono_ns());

	if (rc < 0)
		fop_log(f, "cannot journal a failover record for %s: %s\n", fop_ip(ev->addr).s,
			strerror(-rc));
	return rc;
}

static void bind_event(struct lw_bind_event *ev, uint16_t worker, uint8_t state, uint32_t addr,
	unsigned pool, const struct lw_config *cfg)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = LW_EV_BIND;
	ev->version = LW_RECORDS_VERSION;
	ev->worker = worker;
	ev->state = state;
	ev->addr = addr;
	ev->pool = (uint16_t)pool;
	ev->subnet = cfg->pools[pool].subnet;
}

static int journal_ack(struct fopeer *f, uint32_t addr, uint8_t state, uint32_t end, uint32_t tsfp)
{
	const struct store_lease *l = store_get_addr(f->st, addr);
	struct lw_bind_event ev;

	if (l == NULL)
		return 0;
	bind_event(&ev, LW_WORKER_CONTROL, state, addr, l->pool, f->cfg);
	ev.type = LW_EV_FO_ACK;
	ev.start = tsfp;
	ev.end = end;
	return journal(f, &ev);
}

/* Tells the worker that owns the lease the tsfp the partner acknowledged. */
static void send_tsfp(struct fopeer *f, const struct store_lease *l)
{
	union lw_cmd c;
	unsigned w;

	if (!shmif_attached(&f->pump->shm) || l->key.kind == LW_KEY_NONE ||
		l->state != LW_BIND_ACTIVE)
		return;
	w = fop_key_worker(f, &l->key);
	memset(&c, 0, sizeof(c));
	c.tsfp.type = LW_CMD_TSFP;
	c.tsfp.version = LW_RECORDS_VERSION;
	c.tsfp.worker = (uint16_t)w;
	c.tsfp.n = 1;
	c.tsfp.e[0].addr = l->addr;
	c.tsfp.e[0].tsfp = l->tsfp;
	(void)shmif_cmd(&f->pump->shm, w, &c);
}

/*
 * Sends l's binding to the worker that owns its client: LW_CMD_LOAD installs
 * it, LW_CMD_DELETE drops it (the address is parked).
 */
static void send_binding(struct fopeer *f, const struct store_lease *l, uint16_t type)
{
	union lw_cmd c;
	unsigned w;

	if (!shmif_attached(&f->pump->shm) || l->key.kind == LW_KEY_NONE)
		return;
	w = fop_key_worker(f, &l->key);
	memset(&c, 0, sizeof(c));
	store_lease_to_event(l, &c.bind);
	c.bind.type = type;
	c.bind.worker = (uint16_t)w;
	(void)shmif_cmd(&f->pump->shm, w, &c);
}

/* The address returns to a pool: ours to give, or the peer's (4.2, 4.5). */
static void returned_free(
	struct fopeer *f, uint32_t addr, unsigned pool, const struct lw_client_key *last)
{
	if (!fop_own_free(f, NULL))
		return; /* the secondary: FREE is the primary's pool */
	(void)fop_grant_one(f, pool, addr, last && last->kind ? (int)fop_key_worker(f, last) : -1);
}

/* ------------------------------------------------------------------------ */
/* BNDACK from the peer */

void fop_bndack_in(struct fopeer *f, const struct fo_msg *m)
{
	struct fop_flight *fl = flight_find(f, m->xid);
	const struct store_lease *l;
	struct lw_client_key last;
	struct fop_flight sent;

	f->stats.bndack_received++;
	if (fl == NULL || !(m->present & (1u << FO_OPT_ASSIGNED_IP)) ||
		fl->addr != m->assigned_ip) {
		f->stats.bndack_unknown++;
		return;
	}
	sent = *fl;
	fl->used = false;
	f->n_inflight--;
	if (m->present & (1u << FO_OPT_REJECT_REASON)) {
		f->stats.bndack_rejected_by_peer++;
		fop_log(f, "bind update on %s rejected: %s: %.*s\n", fop_ip(sent.addr).s,
			fo_bnd_reason_text(m->reject_reason), (int)m->message.len,
			(const char *)m->message.p);
		check_upddone(f);
		return;
	}
	l = store_get_addr(f->st, sent.addr);
	if (sent.state == LW_BIND_FREE || l == NULL) {
		check_upddone(f);
		return;
	}
	last = l->key;
	/* The partner knows this binding now: journaled, and the MCLT rule of
	 * the owning worker may give longer leases (5.2). */
	if (journal_ack(f, sent.addr, sent.state, sent.end, sent.tstp) == 0 &&
		(l = store_get_addr(f->st, sent.addr)) != NULL)
		send_tsfp(f, l);
	if ((sent.state == LW_BIND_EXPIRED || sent.state == LW_BIND_RELEASED) &&
		(l = store_get_addr(f->st, sent.addr)) != NULL && l->state == sent.state &&
		l->end == sent.end) {
		/* 4.5: acknowledged EXPIRED/RELEASED go FREE. */
		struct lw_bind_event ev;
		unsigned pool = l->pool;

		bind_event(&ev, LW_WORKER_CONTROL, LW_BIND_FREE, sent.addr, pool, f->cfg);
		if (journal(f, &ev) == 0)
			returned_free(f, sent.addr, pool, &last);
	}
	check_upddone(f);
}

/* ------------------------------------------------------------------------ */
/* BNDUPD from the peer */

static void queue_ack(struct fopeer *f, uint32_t xid, uint32_t addr)
{
	if (f->n_acks == f->acks_cap) {
		unsigned cap = f->acks_cap * 2;
		struct fop_ack *a = realloc(f->acks, cap * sizeof(*a));

		if (a == NULL)
			return; /* the peer resends it on the next reconnect */
		f->acks = a;
		f->acks_cap = cap;
	}
	f->acks[f->n_acks++] =
		(struct fop_ack){.after_sync = f->pump->stats.syncs, .xid = xid, .addr = addr};
}

static void send_ack(struct fopeer *f, uint32_t xid, uint32_t addr, uint8_t reason, const char *msg)
{
	struct fo_msg m;

	if (fo_bndack_build(&m, addr, 0, xid, reason, msg) < 0)
		return;
	if (fo_conn_send(f->conn, &m) == 0)
		f->stats.bndack_sent++;
}

void fop_flush_acks(struct fopeer *f)
{
	unsigned i = 0, k;

	/* 5.4: a BNDACK leaves once its binding is durable. */
	while (i < f->n_acks && f->pump->stats.syncs > f->acks[i].after_sync &&
		fo_conn_out_room(f->conn) >= 64) {
		send_ack(f, f->acks[i].xid, f->acks[i].addr, 0, NULL);
		i++;
	}
	if (i == 0)
		return;
	for (k = 0; i < f->n_acks; i++, k++)
		f->acks[k] = f->acks[i];
	f->n_acks = k;
}

static int pool_of(const struct fopeer *f, uint32_t addr)
{
	for (unsigned i = 0; i < f->cfg->n_pools; i++)
		if (addr >= f->cfg->pools[i].start && addr <= f->cfg->pools[i].end)
			return (int)i;
	return -1;
}

/* My binding-status of addr, as 4.4 wants it. */
static uint8_t local_bstate(const struct fopeer *f, const struct store_lease *l)
{
	int bs;

	if (l == NULL)
		return FO_BS_FREE;
	bs = fo_bstate_from_lw(l->state);
	return bs > 0 ? (uint8_t)bs : FO_BS_FREE;
}

static struct fop_flight *flight_for_addr(struct fopeer *f, uint32_t addr)
{
	if (f->n_inflight == 0)
		return NULL;
	for (unsigned i = 0; i < f->fl_cap; i++)
		if (f->fl[i].used && f->fl[i].addr == addr)
			return &f->fl[i];
	return NULL;
}

void fop_bndupd_in(struct fopeer *f, const struct fo_msg *m)
{
	const struct store_lease *l;
	struct fo_bnd_local loc = {0};
	struct fo_bnd_verdict v;
	struct fo_binding b;
	struct fop_flight *fl;
	struct lw_bind_event ev;
	struct lw_client_key key, old_key;
	const char *why = NULL;
	uint32_t now = fop_now();
	bool had_binding, was_ours;
	int reason, pool, lw;

	f->stats.bndupd_received++;
	reason = fo_bndupd_parse(m, &b, &why);
	if (reason < 0)
		return;
	if (reason > 0) {
		f->stats.bndupd_rejected++;
		send_ack(f, m->xid, m->assigned_ip, (uint8_t)reason, why);
		return;
	}
	pool = pool_of(f, b.addr);
	if (pool < 0 || !fop_pool_is_fo(f, (unsigned)pool)) {
		f->stats.bndupd_rejected++;
		send_ack(f, m->xid, b.addr, 1, "unknown IP address");
		return;
	}
	l = store_get_addr(f->st, b.addr);
	loc.bstate = local_bstate(f, l);
	loc.ends = l ? l->end : 0;
	fl = flight_for_addr(f, b.addr);
	if (fl || (l && (l->fo & STORE_FO_QUEUED))) {
		loc.pending = true;
		loc.pending_bstate = local_bstate(f, l);
		loc.pending_cltt = l ? l->start : 0;
	}
	if (fo_bnd_check(f->ctx.role, f->ctx.state == FO_STATE_NORMAL, &loc, &b, now, &v) < 0) {
		f->stats.bndupd_rejected++;
		send_ack(f, m->xid, b.addr, 6, "malformed update");
		return;
	}
	if (v.drop_pending && fl) {
		fl->used = false;
		f->n_inflight--;
	}
	if (v.reason) {
		f->stats.bndupd_rejected++;
		send_ack(f, m->xid, b.addr, v.reason, v.message);
		return;
	}

	was_ours = fop_own_free(f, l);
	had_binding = l && l->key.kind != LW_KEY_NONE &&
		      (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_EXPIRED ||
			      l->state == LW_BIND_RELEASED);
	memset(&old_key, 0, sizeof(old_key));
	if (had_binding)
		old_key = l->key;
	lw = v.store == FO_BS_RESET ? LW_BIND_FREE : fo_bstate_to_lw(v.store);
	if (lw < 0)
		lw = LW_BIND_FREE;
	bind_event(&ev, LW_WORKER_PEER, (uint8_t)lw, b.addr, (unsigned)pool, f->cfg);
	if (lw == LW_BIND_ACTIVE || lw == LW_BIND_EXPIRED || lw == LW_BIND_RELEASED) {
		if (fo_binding_client_key(&b, &key) < 0) {
			f->stats.bndupd_rejected++;
			send_ack(f, m->xid, b.addr, 3, "no client identity");
			return;
		}
		ev.key = key;
		ev.start = b.stos ? b.stos : now;
		ev.end = b.lease_expiry;
	} else {
		ev.start = b.stos;
		ev.end = b.lease_expiry;
	}
	/* A FREE from the peer ends whatever binding the address had. */
	if (lw == LW_BIND_FREE && had_binding)
		ev.key = old_key;

	/* A binding we hold for another client goes first. */
	if (had_binding && (lw != LW_BIND_ACTIVE || memcmp(&old_key, &ev.key, sizeof(key)) != 0))
		send_binding(f, l, LW_CMD_DELETE);
	if (journal(f, &ev) < 0)
		return; /* no BNDACK: the peer sends it again */
	/* An address of our own free pool that the peer bound (it was in
	 * PARTNER-DOWN): out of every worker's free set first. A worker that
	 * loads the binding before the holder parked it fails the load and
	 * the address stays parked: never given twice. */
	if (was_ours &&
		!(lw == LW_BIND_BACKUP ? f->fc->role == LW_FO_SECONDARY
				       : lw == LW_BIND_FREE && f->fc->role == LW_FO_PRIMARY))
		fop_revoke_one(f, (unsigned)pool, b.addr);
	if (lw == LW_BIND_ACTIVE) {
		/* The partner knows its own potential expiry: that is our tsfp. */
		if (journal_ack(f, b.addr, LW_BIND_ACTIVE, ev.end, b.potential_expiry) == 0 &&
			(l = store_get_addr(f->st, b.addr)) != NULL) {
			send_binding(f, l, LW_CMD_LOAD);
			send_tsfp(f, l);
		}
	} else if (lw == LW_BIND_FREE || lw == LW_BIND_BACKUP) {
		l = store_get_addr(f->st, b.addr);
		if (fop_own_free(f, l))
			(void)fop_grant_one(f, (unsigned)pool, b.addr,
				had_binding ? (int)fop_key_worker(f, &old_key) : -1);
	}
	queue_ack(f, m->xid, b.addr);
}

/* ------------------------------------------------------------------------ */
/* UPDREQ, UPDREQALL */

static void queue_all_free(struct fopeer *f)
{
	for (unsigned p = 0; p < f->cfg->n_pools; p++) {
		const struct lw_pool_conf *pc = &f->cfg->pools[p];

		if (!pc->failover)
			continue;
		for (uint64_t a = pc->start; a <= pc->end; a++)
			if (store_get_addr(f->st, (uint32_t)a) == NULL)
				(void)q_push(f, (uint32_t)a);
	}
}

void fop_updreq_in(struct fopeer *f, const struct fo_msg *m)
{
	bool all = m->type == FO_MSG_UPDREQALL;

	if (all)
		f->stats.updreqall_received++;
	else
		f->stats.updreq_received++;
	/* Pitfall 14: a newer request replaces the one being answered; what
	 * that one queued is still on its way. */
	if (!(f->peer_req.active && (f->peer_req.all || !all))) {
		fop_queue_pending(f, all);
		if (all)
			queue_all_free(f);
	}
	f->peer_req.all = all || (f->peer_req.active && f->peer_req.all);
	f->peer_req.active = true;
	f->peer_req.xid = m->xid;
	f->peer_req.mark = f->q_tail;
	fop_log(f, "peer asked for %s updates; %llu queued\n", all ? "all" : "pending",
		(unsigned long long)fop_backlog(f));
	fop_send_updates(f);
}
