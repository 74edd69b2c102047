/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/lw_ip.h"
#include "wctl.h"

#define CMD_BURST 32
/* Tries at the failover snapshot per housekeeping; control writes it in
 * well under a microsecond, so more means control died in the middle. */
#define FO_TRIES 8

void worker_log_lease(const char *prefix, const char *what, uint32_t addr,
	const struct lw_client_key *k, unsigned worker)
{
	char ip[LW_IP4_STRLEN], hex[LW_KEY_DATA * 3 + 1];
	size_t o = 0;

	hex[0] = '\0';
	for (unsigned i = 0; i < k->len && i < LW_KEY_DATA; i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, i ? ":%02x" : "%02x", k->data[i]);
	printf("lease-log %s%s addr=%s client=%s worker=%u\n", prefix, what, lw_ip4_fmt(addr, ip),
		hex, worker);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */
/* Events out, durability in */

/* --log-leases: every event once, when it is committed, whatever control does. */
static void log_events(struct worker *w)
{
	uint64_t last = shard_last_seq(w->shard);

	for (uint64_t seq = w->logged_seq + 1; seq <= last; seq++) {
		const struct lw_bind_event *ev = shard_event_at(w->shard, seq);

		if (ev)
			worker_log_lease(
				"event-", lw_bind_state_name(ev->state), ev->addr, &ev->key, w->id);
	}
	w->logged_seq = last;
}

void wctl_events_out(struct worker *w)
{
	const struct lw_bind_event *first;
	unsigned n;

	if (unlikely(w->log) && w->logged_seq != shard_last_seq(w->shard))
		log_events(w);
	/* At most two runs: the shard's buffer wraps once. */
	while ((n = shard_events_unsent(w->shard, &first)) > 0) {
		unsigned sent =
			rte_ring_sp_enqueue_burst_elem(w->ev_ring, first, sizeof(*first), n, NULL);

		shard_events_sent(w->shard, sent);
		w->ctr[LW_CTR_EVENTS_SENT] += sent;
		if (sent < n) {
			/* Counted once per episode: while control is away this
			 * is tried on every loop. */
			if (!w->ev_full)
				w->ctr[LW_CTR_EVENT_RING_FULL]++;
			w->ev_full = true;
			return;
		}
		w->ev_full = false;
	}
}

uint64_t wctl_durable(struct worker *w)
{
	uint64_t d = __atomic_load_n(&w->shm->durable_seq, __ATOMIC_ACQUIRE);

	if (d != w->durable) {
		uint64_t last = shard_last_seq(w->shard);

		/* Nothing we have not produced can be durable: a confused peer
		 * must not release ACKs. */
		w->durable = d > last ? last : d;
		shard_events_durable(w->shard, w->durable);
	}
	return w->durable;
}

/* ------------------------------------------------------------------------ */
/* Commands in */

static int apply_grant(struct worker *w, const struct lw_cmd_grant *g)
{
	int n = shard_grant_range_flags(w->shard, g->pool, g->first, g->last, g->stride, g->flags);

	if (n > 0)
		w->ctr[LW_CTR_ADDR_GRANT_CTL] += (unsigned)n;
	return n < 0 ? n : 0;
}

static int cmp_grant(const void *a, const void *b)
{
	const struct lw_cmd_grant *x = a, *y = b;

	if (x->pool != y->pool)
		return x->pool < y->pool ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	return x->stride < y->stride ? -1 : x->stride > y->stride;
}

/* Drops repeated grants (a control process that restarted while we load
 * streams them again). Loading only: a sort is affordable here. */
static void dedupe_grants(struct worker *w)
{
	unsigned n = 0;

	qsort(w->grants, w->n_grants, sizeof(w->grants[0]), cmp_grant);
	for (unsigned i = 0; i < w->n_grants; i++)
		if (n == 0 || cmp_grant(&w->grants[n - 1], &w->grants[i]) != 0)
			w->grants[n++] = w->grants[i];
	w->n_grants = n;
}

static int grant(struct worker *w, const struct lw_cmd_grant *g)
{
	const struct addr_space *as = shard_addr_space(w->shard);
	struct lw_cmd_grant k;

	if (g->pool >= as->n_pools || g->stride == 0 || g->first > g->last ||
		g->last >= as->pools[g->pool].size || (g->flags & ~(uint32_t)LW_GRANT_TAKE_PARKED))
		return -EINVAL;
	if (w->serving)
		return apply_grant(w, g);
	memset(&k, 0, sizeof(k));
	k.pool = g->pool;
	k.first = g->first;
	k.last = g->last;
	k.stride = g->stride;
	k.flags = g->flags;
	if (w->n_grants == w->max_grants)
		dedupe_grants(w);
	if (w->n_grants == w->max_grants)
		return -ENOSPC;
	w->grants[w->n_grants++] = k;
	return 0;
}

/* Control's rebalancer: give up to m->n free addresses of m->pool to m->to. */
static int move(struct worker *w, const struct lw_cmd_move *m)
{
	int n;

	if (!w->serving)
		return -EAGAIN; /* our free set is not complete yet */
	if (m->worker != w->id || m->n == 0)
		return -EINVAL;
	n = shard_give(w->shard, m->to, m->pool, m->n, w->ctr);
	if (n > 0)
		w->ctr[LW_CTR_ADDR_MOVED_CTL] += (unsigned)n;
	return n < 0 ? n : 0;
}

/*
 * Failover (lw_shm.h): give up to y->n free addresses of a failover pool to
 * the peer. The events say BACKUP from a primary, FREE from a secondary
 * (the other server's pool, FAILOVER.md 4.1).
 */
static int yield(struct worker *w, const struct lw_cmd_yield *y)
{
	uint8_t state;
	int n;

	if (!w->serving || w->fo.seq == 0)
		return -EAGAIN; /* our free set is not complete, or our role unknown */
	if (y->worker != w->id || y->n == 0)
		return -EINVAL;
	if (w->fo.role == LW_FO_PRIMARY)
		state = LW_BIND_BACKUP;
	else if (w->fo.role == LW_FO_SECONDARY)
		state = LW_BIND_FREE;
	else
		return -EINVAL;
	n = shard_yield(w->shard, y->pool, y->n, state, w->now);
	if (n > 0)
		w->ctr[LW_CTR_ADDR_YIELDED] += (unsigned)n;
	return n < 0 ? n : 0;
}

/* Failover: control takes back the partner's share after PARTNER-DOWN. */
static int revoke(struct worker *w, const struct lw_cmd_grant *g)
{
	int n;

	if (!w->serving)
		return -EAGAIN;
	if (g->worker != w->id || g->flags)
		return -EINVAL;
	n = shard_revoke_range(w->shard, g->pool, g->first, g->last, g->stride);
	return n < 0 ? n : 0;
}

/* Failover: what the partner acknowledged (tsfp) of the addresses our leases hold. */
static int tsfp(struct worker *w, const struct lw_cmd_tsfp *t)
{
	if (t->worker != w->id || t->n > LW_TSFP_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < t->n; i++)
		if (shard_set_tsfp(w->shard, t->e[i].addr, t->e[i].tsfp) == 0)
			w->ctr[LW_CTR_TSFP_UPDATES]++;
	return 0;
}

/* A LOAD while serving: only a failover pool's (a peer update). */
static bool peer_binding(const struct worker *w, const struct lw_bind_event *b)
{
	const struct addr_space *as = shard_addr_space(w->shard);

	return b->pool < as->n_pools && as->pools[b->pool].failover;
}

static void command(struct worker *w, const union lw_cmd *c)
{
	int rc = -EINVAL;

	if (c->hdr.version != LW_RECORDS_VERSION)
		goto out;
	switch (c->hdr.type) {
	case LW_CMD_LOAD:
		/* Once serving, this worker's bindings are newer than any
		 * stream: every change since start-up was made here, except
		 * in failover pools, where the peer makes changes too. */
		if (w->serving && !peer_binding(w, &c->bind)) {
			rc = -EALREADY;
			break;
		}
		rc = shard_load(w->shard, &c->bind, w->now);
		if (rc == 0)
			w->ctr[w->serving ? LW_CTR_BINDINGS_UPDATED : LW_CTR_BINDINGS_LOADED]++;
		else if (rc == -ENOSPC)
			w->ctr[LW_CTR_DROP_TABLE_FULL]++;
		break;
	case LW_CMD_GRANT:
		rc = grant(w, &c->grant);
		break;
	case LW_CMD_LOAD_DONE:
		if (c->done.gen != w->dp_gen) {
			rc = -ESTALE; /* a stream meant for another start of the dataplane */
			break;
		}
		w->loaded = true;
		__atomic_store_n(&w->shm->loaded_gen, w->dp_gen, __ATOMIC_RELEASE);
		rc = 0;
		break;
	case LW_CMD_DELETE:
		rc = shard_delete(w->shard, &c->bind, w->now);
		if (rc == 0) {
			w->ctr[LW_CTR_LEASES_DELETED]++;
			w->ctr[LW_CTR_LEASE_COMMIT]++;
		}
		break;
	case LW_CMD_MOVE:
		rc = move(w, &c->move);
		break;
	case LW_CMD_YIELD:
		rc = yield(w, &c->yield);
		break;
	case LW_CMD_TSFP:
		rc = tsfp(w, &c->tsfp);
		break;
	case LW_CMD_REVOKE:
		rc = revoke(w, &c->grant);
		break;
	default:
		break;
	}
out:
	if (rc < 0)
		w->ctr[LW_CTR_CMD_REJECTED]++;
}

unsigned wctl_commands(struct worker *w, unsigned bursts)
{
	union lw_cmd c[CMD_BURST];
	unsigned done = 0;

	while (bursts--) {
		unsigned n = rte_ring_sc_dequeue_burst_elem(
			w->cmd_ring, c, sizeof(c[0]), CMD_BURST, NULL);

		for (unsigned i = 0; i < n; i++)
			command(w, &c[i]);
		done += n;
		if (n < CMD_BURST)
			break;
	}
	return done;
}

/* ------------------------------------------------------------------------ */
/* Housekeeping */

void wctl_failover(struct worker *w)
{
	struct lw_shm_fo *src = &w->hdr->fo;

	if (unlikely(__atomic_load_n(&w->dp->fo_ctl_down, __ATOMIC_ACQUIRE))) {
		/* Control is away: no failover service; the snapshot is read
		 * again (seq 0 never matches) once it is back. */
		if (w->fo.service != LW_FO_SERVE_NONE || w->fo.seq != 0) {
			w->fo.service = LW_FO_SERVE_NONE;
			w->fo.seq = 0;
		}
		return;
	}
	for (unsigned t = 0; t < FO_TRIES; t++) {
		uint64_t seq = __atomic_load_n(&src->seq, __ATOMIC_ACQUIRE);
		struct srv_fo f;

		if (seq == w->fo.seq)
			return;
		if (seq & 1)
			continue; /* control is writing it */
		f.seq = seq;
		f.service = __atomic_load_n(&src->service, __ATOMIC_RELAXED);
		f.role = __atomic_load_n(&src->role, __ATOMIC_RELAXED);
		f.mclt = __atomic_load_n(&src->mclt, __ATOMIC_RELAXED);
		f.lb_max_secs = __atomic_load_n(&src->lb_max_secs, __ATOMIC_RELAXED);
		for (unsigned i = 0; i < sizeof(f.hba); i++)
			f.hba[i] = __atomic_load_n(&src->hba[i], __ATOMIC_RELAXED);
		/* The copy happened before the second look at seq. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&src->seq, __ATOMIC_RELAXED) != seq)
			continue;
		w->fo = f;
		w->ctr[LW_CTR_FO_SNAPSHOTS]++;
		return;
	}
}

/*
 * Every worker has its bindings: the grants kept since start-up can no
 * longer take an address a load still claims. Applying them walks the
 * granted ranges once (a /16 pool in well under a millisecond).
 *
 * Every free count is published before serving is: the dataplane says
 * LW_DP_SERVING only once all workers serve, and control's rebalancer, which
 * starts then, must not take a count not yet published (0) for a dry worker.
 */
static void start_serving(struct worker *w)
{
	for (unsigned i = 0; i < w->n_grants; i++)
		if (apply_grant(w, &w->grants[i]) < 0)
			w->ctr[LW_CTR_CMD_REJECTED]++;
	w->n_grants = 0;
	shard_publish_free(w->shard, w->pool_free, UINT_MAX);
	__atomic_store_n(&w->serving, 1, __ATOMIC_RELEASE);
}

static void publish(struct worker *w)
{
	struct lw_shm_worker *sh = w->shm;
	struct shard_stats st;

	shard_get_stats(w->shard, &st);
	__atomic_store_n(&sh->last_seq, shard_last_seq(w->shard), __ATOMIC_RELAXED);
	__atomic_store_n(&sh->sent_seq, shard_sent_seq(w->shard), __ATOMIC_RELAXED);
	__atomic_store_n(&sh->held_acks, holdq_count(&w->hq), __ATOMIC_RELAXED);
	__atomic_store_n(&sh->leases, st.leases, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->active, st.active, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->free, st.free, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->declined, st.declined, __ATOMIC_RELAXED);
	shard_publish_free(w->shard, w->pool_free, WCTL_PUB_POOLS);
	__atomic_store_n(&sh->heartbeat, sh->heartbeat + 1, __ATOMIC_RELAXED);
}

void wctl_housekeep(struct worker *w)
{
	uint64_t gen = __atomic_load_n(&w->hdr->ctl_generation, __ATOMIC_ACQUIRE);

	/* A new control process (or the first one) has only what is durable:
	 * the rest goes again. Duplicates are dropped on its side. */
	if (gen != w->ctl_gen) {
		w->ctl_gen = gen;
		shard_events_rewind(w->shard);
	}
	wctl_failover(w);
	if (unlikely(!w->serving) && w->loaded &&
		__atomic_load_n(&w->dp->all_loaded, __ATOMIC_ACQUIRE))
		start_serving(w);
	publish(w);
}

/* ------------------------------------------------------------------------ */
/* Exit */

uint64_t workers_settle(struct lw_dp *dp, unsigned timeout_ms)
{
	struct timespec ms = {0, 1000000};

	for (unsigned t = 0;; t++) {
		uint64_t left = 0;

		for (unsigned i = 0; i < dp->n_workers; i++) {
			struct worker *w = dp->workers[i];

			/* The worker has stopped: this lcore is the ring's only producer now. */
			wctl_events_out(w);
			wctl_durable(w);
			left += shard_last_seq(w->shard) - shard_durable_seq(w->shard);
			publish(w);
		}
		if (left == 0 || t >= timeout_ms)
			return left;
		if (t % 50 == 0)
			__atomic_store_n(&dp->ctl.hdr->dp_heartbeat, dp->ctl.hdr->dp_heartbeat + 1,
				__ATOMIC_RELAXED);
		nanosleep(&ms, NULL);
	}
}
