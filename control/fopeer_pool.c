/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Failover pools (FAILOVER.md 4.2, 4.3, 4.6): which addresses the workers
 * may give out, balancing between the two servers, and PARTNER-DOWN.
 *
 * A failover pool's addresses are parked in the dataplane until granted.
 * After every start-up stream this server's own share is granted in runs
 * (primary: addresses with no record, FREE; secondary: BACKUP records),
 * spread over the workers with the same stride as the stream uses. In
 * PARTNER-DOWN, MCLT after its start, the peer's share follows.
 */
#include <errno.h>
#include <string.h>

#include "common/lb_hash.h"
#include "common/lw_ip.h"
#include "common/lw_shm.h"
#include "fopeer_pvt.h"
#include "pump.h"
#include "store.h"

#define GRANT_RUNS_PER_POLL 4096
#define PAGE		    256

unsigned fop_key_worker(const struct fopeer *f, const struct lw_client_key *k)
{
	if (!shmif_attached(&f->pump->shm))
		return 0;
	return shmif_owner(&f->pump->shm, k);
}

bool fop_own_free(const struct fopeer *f, const struct store_lease *l)
{
	if (l == NULL)
		return f->fc->role == LW_FO_PRIMARY;
	if (l->state == LW_BIND_BACKUP)
		return f->fc->role == LW_FO_SECONDARY;
	return false;
}

static int range_cmd(struct fopeer *f, uint16_t type, unsigned w, unsigned pool, uint32_t first,
	uint32_t last, uint32_t stride)
{
	union lw_cmd c;

	memset(&c, 0, sizeof(c));
	c.grant.type = type;
	c.grant.version = LW_RECORDS_VERSION;
	c.grant.worker = (uint16_t)w;
	c.grant.pool = (uint16_t)pool;
	c.grant.first = first;
	c.grant.last = last;
	c.grant.stride = stride;
	c.grant.flags = type == LW_CMD_GRANT ? LW_GRANT_TAKE_PARKED : 0;
	return shmif_cmd(&f->pump->shm, w, &c);
}

static int grant_cmd(
	struct fopeer *f, unsigned w, unsigned pool, uint32_t first, uint32_t last, uint32_t stride)
{
	return range_cmd(f, LW_CMD_GRANT, w, pool, first, last, stride);
}

int fop_grant_one(struct fopeer *f, unsigned pool, uint32_t addr, int w)
{
	const struct lw_pool_conf *pc = &f->cfg->pools[pool];
	uint32_t off = addr - pc->start;
	unsigned n;

	if (!shmif_attached(&f->pump->shm) || addr < pc->start || addr > pc->end)
		return -EINVAL;
	n = f->pump->shm.n_workers;
	if (w < 0)
		w = (int)(off % n);
	if (grant_cmd(f, (unsigned)w, pool, off, off, 1) < 0)
		return -ENOBUFS;
	f->stats.addresses_granted++;
	return 0;
}

void fop_revoke_one(struct fopeer *f, unsigned pool, uint32_t addr)
{
	const struct lw_pool_conf *pc = &f->cfg->pools[pool];
	uint32_t off = addr - pc->start;

	if (!shmif_attached(&f->pump->shm) || addr < pc->start || addr > pc->end)
		return;
	for (unsigned w = 0; w < f->pump->shm.n_workers; w++)
		(void)range_cmd(f, LW_CMD_REVOKE, w, pool, off, off, 1);
}

/* Does this address belong to the share the job grants? */
static bool in_share(const struct fopeer *f, const struct store_lease *l, bool peer_share)
{
	bool own = fop_own_free(f, l);

	if (!peer_share)
		return own;
	/* The peer's pool: FREE on the secondary, BACKUP on the primary. */
	if (l == NULL)
		return f->fc->role == LW_FO_SECONDARY;
	return l->state == LW_BIND_BACKUP && f->fc->role == LW_FO_PRIMARY;
}

/*
 * Sends the grants of the run [job.next, job.run_end] from worker job.w on.
 * Returns false when a command ring is full (resume later).
 */
static bool grant_run(struct fopeer *f)
{
	struct fop_grant_job *j = &f->grant;
	const struct lw_pool_conf *pc = &f->cfg->pools[j->pool];
	unsigned n = f->pump->shm.n_workers;
	uint32_t oa = (uint32_t)(j->next - pc->start), ob = (uint32_t)(j->run_end - pc->start);

	for (; j->w < n; j->w++) {
		uint32_t first = oa + (uint32_t)((j->w + n - oa % n) % n);

		if (first > ob)
			continue;
		if (range_cmd(f, j->revoke ? LW_CMD_REVOKE : LW_CMD_GRANT, j->w, j->pool, first, ob,
			    n) < 0)
			return false;
	}
	if (!j->revoke)
		f->stats.addresses_granted += ob - oa + 1;
	j->w = 0;
	j->next = j->run_end + 1;
	j->run_end = 0;
	return true;
}

/* Finds the next run of the share at or after job.next in the job's pool. */
static bool next_run(struct fopeer *f)
{
	struct fop_grant_job *j = &f->grant;
	const struct lw_pool_conf *pc = &f->cfg->pools[j->pool];
	const struct store_lease *page[PAGE];
	uint64_t a = j->next;

	while (a <= pc->end) {
		unsigned k = store_page(f->st, (uint32_t)(a - 1), page, PAGE), i;
		bool more = k == PAGE;

		for (i = 0; i < k; i++) {
			uint64_t rec = page[i]->addr;

			if (rec > pc->end) {
				more = false;
				break;
			}
			if (a < rec && in_share(f, NULL, j->peer_share)) {
				j->next = a;
				j->run_end = rec - 1;
				return true;
			}
			if (in_share(f, page[i], j->peer_share)) {
				uint64_t b = rec;

				while (i + 1 < k && page[i + 1]->addr == b + 1 &&
					b + 1 <= pc->end &&
					in_share(f, page[i + 1], j->peer_share)) {
					i++;
					b++;
				}
				j->next = rec;
				j->run_end = b;
				return true;
			}
			a = rec + 1;
		}
		if (!more) {
			if (a <= pc->end && in_share(f, NULL, j->peer_share)) {
				j->next = a;
				j->run_end = pc->end;
				return true;
			}
			return false;
		}
	}
	return false;
}

static void grant_start(struct fopeer *f, bool peer_share, bool revoke)
{
	f->grant = (struct fop_grant_job){
		.active = true, .peer_share = peer_share, .revoke = revoke, .pool = 0};
	f->grant.next = f->cfg->n_pools ? f->cfg->pools[0].start : 0;
}

static void grant_step(struct fopeer *f)
{
	struct fop_grant_job *j = &f->grant;
	unsigned runs = 0;

	while (j->active && runs < GRANT_RUNS_PER_POLL) {
		if (j->pool >= f->cfg->n_pools) {
			j->active = false;
			fop_log(f, "%s %s share of the failover pools %s the workers\n",
				j->revoke ? "took" : "granted",
				j->peer_share ? "the partner's" : "this server's",
				j->revoke ? "back from" : "to");
			break;
		}
		if (!f->cfg->pools[j->pool].failover) {
			j->pool++;
			if (j->pool < f->cfg->n_pools)
				j->next = f->cfg->pools[j->pool].start;
			continue;
		}
		if (j->run_end == 0 && !next_run(f)) {
			j->pool++;
			if (j->pool < f->cfg->n_pools)
				j->next = f->cfg->pools[j->pool].start;
			continue;
		}
		if (!grant_run(f))
			return;
		runs++;
	}
}

/* ------------------------------------------------------------------------ */
/* Balancing (primary, NORMAL) */

struct pool_count {
	uint32_t records;
	uint32_t backup;
};

static struct pool_count count_pool(struct fopeer *f, unsigned pool)
{
	struct pool_count c;

	store_pool_counts(f->st, pool, &c.records, &c.backup);
	return c;
}

/* Asks the workers to yield n free addresses of pool, by their free counts. */
static uint32_t yield(struct fopeer *f, unsigned pool, uint32_t n)
{
	struct shmif *s = &f->pump->shm;
	uint32_t free_w[LW_SHM_MAX_WORKERS], total = 0, asked = 0;

	for (unsigned w = 0; w < s->n_workers; w++) {
		const uint32_t *pf = (const uint32_t *)((const uint8_t *)s->h +
							lw_shm_worker_at(s->h, w)->off_pool_free);

		free_w[w] = __atomic_load_n(&pf[pool], __ATOMIC_RELAXED);
		total += free_w[w];
	}
	if (total == 0)
		return 0;
	if (n > total)
		n = total;
	for (unsigned w = 0; w < s->n_workers && asked < n; w++) {
		uint32_t give = (uint32_t)((uint64_t)n * free_w[w] / total);
		union lw_cmd c;

		if (w == s->n_workers - 1 || give > n - asked)
			give = n - asked;
		if (give > free_w[w])
			give = free_w[w];
		if (give == 0)
			continue;
		memset(&c, 0, sizeof(c));
		c.yield.type = LW_CMD_YIELD;
		c.yield.version = LW_RECORDS_VERSION;
		c.yield.worker = (uint16_t)w;
		c.yield.pool = (uint16_t)pool;
		c.yield.n = give;
		if (shmif_cmd(s, w, &c) == 0)
			asked += give;
	}
	f->stats.addresses_yielded += asked;
	return asked;
}

/*
 * One balance pass over the failover pools; returns the addresses moved.
 * *short_by counts what the workers could not give yet (their free counts
 * lag behind fresh grants): the caller looks again soon.
 */
static uint32_t balance(struct fopeer *f, bool from_poolreq, uint32_t *short_by)
{
	uint32_t moved = 0;

	for (unsigned p = 0; p < f->cfg->n_pools; p++) {
		const struct lw_pool_conf *pc = &f->cfg->pools[p];
		uint32_t size = pc->end - pc->start + 1, free;
		struct pool_count c;
		struct fo_balance b;

		if (!pc->failover)
			continue;
		c = count_pool(f, p);
		free = size - c.records;
		if (fo_pool_balance(f->ctx.role, free, c.backup, f->fc->max_lease_misbalance,
			    f->fc->max_lease_ownership, &b) < 0)
			continue;
		if (f->fc->role == LW_FO_PRIMARY && b.lts > 0) {
			uint32_t n = yield(f, p, (uint32_t)b.lts);

			moved += n;
			if (short_by)
				*short_by += (uint32_t)b.lts - n;
			fop_log(f,
				"balancing pool %s-%s: free %u backup %u lts %d: %u to the "
				"secondary\n",
				fop_ip(pc->start).s, fop_ip(pc->end).s, free, c.backup, b.lts, n);
		} else if (!from_poolreq && b.poolreq && f->up) {
			struct fo_msg m;

			fo_msg_init(&m, FO_MSG_POOLREQ, 0, 0);
			if (fo_conn_send(f->conn, &m) == 0)
				f->stats.poolreq_sent++;
			fop_log(f, "pool %s-%s: free %u backup %u lts %d: asking the peer\n",
				fop_ip(pc->start).s, fop_ip(pc->end).s, free, c.backup, b.lts);
		}
	}
	return moved;
}

void fop_poolreq_in(struct fopeer *f, const struct fo_msg *m)
{
	struct fo_msg r;
	uint32_t n = 0;

	f->stats.poolreq_received++;
	if (f->ctx.state == FO_STATE_NORMAL && shmif_attached(&f->pump->shm))
		n = balance(f, true, NULL);
	if (n == 0)
		fop_log(f, "Got POOLREQ, answering negatively!\n");
	fo_msg_init(&r, FO_MSG_POOLRESP, 0, m->xid);
	fo_msg_add(&r, FO_OPT_ADDRESSES_TRANSFERRED);
	r.addresses_transferred = n;
	(void)fo_conn_send(f->conn, &r);
}

void fop_leave_partner_down(struct fopeer *f)
{
	/* What the workers still hold free of the peer's share goes back to
	 * it; addresses they bound meanwhile are reported to the peer in the
	 * update exchange of POTENTIAL-CONFLICT. */
	f->pd_grant_done = true;
	if (f->pd_granted)
		f->revoke_due = true;
}

/*
 * A new dataplane knows no tsfp (FAILOVER.md 5.2: it would bound every
 * lease to MCLT): the acknowledged ones go to the owning workers, six to a
 * command, in steps.
 */
static void tsfp_step(struct fopeer *f)
{
	const struct store_lease *page[PAGE];
	union lw_cmd c[LW_SHM_MAX_WORKERS];
	unsigned k, n = f->pump->shm.n_workers;

	memset(c, 0, sizeof(c[0]) * n);
	while ((k = store_page(f->st, f->tsfp_after, page, PAGE)) > 0) {
		for (unsigned i = 0; i < k; i++) {
			const struct store_lease *l = page[i];
			unsigned w;

			if (l->state != LW_BIND_ACTIVE || l->tsfp == 0 ||
				!fop_pool_is_fo(f, l->pool))
				continue;
			w = fop_key_worker(f, &l->key);
			c[w].tsfp.e[c[w].tsfp.n].addr = l->addr;
			c[w].tsfp.e[c[w].tsfp.n].tsfp = l->tsfp;
			if (++c[w].tsfp.n < LW_TSFP_MAX)
				continue;
			c[w].tsfp.type = LW_CMD_TSFP;
			c[w].tsfp.version = LW_RECORDS_VERSION;
			c[w].tsfp.worker = (uint16_t)w;
			if (shmif_cmd(&f->pump->shm, w, &c[w]) < 0)
				return; /* ring full: this page again next time */
			memset(&c[w], 0, sizeof(c[w]));
		}
		f->tsfp_after = page[k - 1]->addr;
		if (k < PAGE)
			break;
	}
	for (unsigned w = 0; w < n; w++) {
		if (c[w].tsfp.n == 0)
			continue;
		c[w].tsfp.type = LW_CMD_TSFP;
		c[w].tsfp.version = LW_RECORDS_VERSION;
		c[w].tsfp.worker = (uint16_t)w;
		(void)shmif_cmd(&f->pump->shm, w, &c[w]);
	}
	f->tsfp_pass = false;
}

void fop_pool_tick(struct fopeer *f, uint32_t now)
{
	if (!shmif_attached(&f->pump->shm))
		return;
	if (f->seen_streams != f->pump->stats.streams) {
		f->seen_streams = f->pump->stats.streams;
		grant_start(f, false, false);
		f->pd_granted = false;
		f->tsfp_pass = true;
		f->tsfp_after = 0;
		if (f->ctx.state == FO_STATE_PARTNER_DOWN)
			f->pd_grant_done = false;
	}
	if (!f->grant.active && !f->pd_grant_done && f->ctx.state == FO_STATE_PARTNER_DOWN &&
		now >= f->ctx.stos + f->mclt) {
		f->pd_grant_done = true;
		fop_log(f,
			"MCLT passed in partner-down: the partner's addresses may be given out\n");
		grant_start(f, true, false);
		f->pd_granted = true;
	}
	if (!f->grant.active && f->revoke_due) {
		f->revoke_due = false;
		f->pd_granted = false;
		grant_start(f, true, true);
	}
	if (f->grant.active)
		grant_step(f);
	else if (f->tsfp_pass)
		tsfp_step(f);
	if (!f->grant.active && f->up && f->ctx.state == FO_STATE_NORMAL &&
		f->ctx.peer_state == FO_STATE_NORMAL && now >= f->balance_at) {
		uint32_t short_by = 0;

		(void)balance(f, false, &short_by);
		f->balance_at = now + (short_by ? 1 : f->fc->min_balance);
	}
}
