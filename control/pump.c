/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_ip.h"
#include "common/lw_time.h"
#include "leasedb.h"
#include "pump.h"
#include "store.h"

#define TAKE_BURST   64
#define ATTACH_EVERY 100000000ull /* ns between looks for the region: 100 ms */

#define LOG(p, ...)                                                                                \
	do {                                                                                       \
		if (!(p)->quiet) {                                                                 \
			printf("leasewire-control: " __VA_ARGS__);                                 \
			fflush(stdout);                                                            \
		}                                                                                  \
	} while (0)

void pump_init(struct pump *p, const struct lw_config *cfg, struct store *st, struct leasedb *db)
{
	struct timespec ts;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->st = st;
	p->db = db;
	p->shm.fd = -1;
	/* Unique per control start: the workers resend what is not durable when it changes. */
	clock_gettime(CLOCK_REALTIME, &ts);
	p->ctl_gen = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Group commit */

/*
 * An event that could not be appended is gone from the ring but not on
 * disk: durable_seq must not pass it. Once the journal works again, take
 * the workers back to what is durable and have them send the rest again,
 * as after a restart of control (a new ctl_generation).
 */
static void resync(struct pump *p)
{
	p->resync = false;
	if (!shmif_attached(&p->shm))
		return;
	for (unsigned w = 0; w < p->shm.n_workers; w++) {
		p->shm.last_seq[w] = __atomic_load_n(
			&lw_shm_worker_at(p->shm.h, w)->durable_seq, __ATOMIC_ACQUIRE);
		p->dirty[w] = false;
	}
	p->ctl_gen++;
	__atomic_store_n(&p->shm.h->ctl_generation, p->ctl_gen, __ATOMIC_RELEASE);
	LOG(p, "asked the workers to send again every event that is not durable\n");
}

static void commit(struct pump *p)
{
	bool durable = p->cfg->control.durability == LW_DURABILITY_FSYNC;
	uint64_t t0 = lw_mono_ns();
	unsigned b = 0;
	double us;
	int rc;

	if (p->pending == 0 && !p->resync)
		return;
	rc = leasedb_sync(p->db, durable);
	if (rc < 0) {
		/* Nothing is published: the held ACKs time out and clients retry.
		 * Said once per failing spell, not once per try. */
		p->stats.journal_errors++;
		if (!p->journal_failing)
			LOG(p, "journal write failed: %s; no ACK leaves until it works again\n",
				strerror(-rc));
		p->journal_failing = true;
		return;
	}
	if (p->journal_failing)
		LOG(p, "journal writes work again\n");
	p->journal_failing = false;
	if (p->resync) {
		resync(p);
		return;
	}
	us = (double)(lw_mono_ns() - t0) / 1000.0;
	p->stats.syncs++;
	p->stats.last_batch = p->pending;
	if (p->pending > p->stats.max_batch)
		p->stats.max_batch = p->pending;
	while ((p->pending >> (b + 1)) && b + 1 < PUMP_BATCH_HIST)
		b++;
	p->stats.batch_hist[b]++;
	p->stats.lat_last_us = us;
	p->stats.lat_sum_us += us;
	if (us > p->stats.lat_max_us)
		p->stats.lat_max_us = us;
	p->pending = 0;
	if (!shmif_attached(&p->shm))
		return;
	for (unsigned w = 0; w < p->shm.n_workers; w++) {
		if (!p->dirty[w])
			continue;
		shmif_set_durable(&p->shm, w, p->shm.last_seq[w]);
		p->dirty[w] = false;
	}
}

static int journal_one(struct pump *p, const struct lw_bind_event *ev, uint64_t now_ns)
{
	int rc = leasedb_append(p->db, ev);

	if (rc < 0) {
		p->stats.journal_errors++;
		return rc;
	}
	rc = store_apply(p->st, ev);
	if (rc < 0 && rc != -EINVAL)
		return rc;
	if (p->pending++ == 0)
		p->first_pending_ns = now_ns;
	p->stats.events++;
	if (p->on_event)
		p->on_event(p->on_event_arg, ev);
	return 0;
}

static unsigned drain(struct pump *p, uint64_t now_ns)
{
	struct lw_bind_event ev[TAKE_BURST];
	unsigned total = 0;

	for (unsigned w = 0; w < p->shm.n_workers; w++) {
		unsigned n;

		while ((n = shmif_take(&p->shm, w, ev, TAKE_BURST)) > 0) {
			for (unsigned i = 0; i < n; i++) {
				if (journal_one(p, &ev[i], now_ns) == 0)
					continue;
				p->resync = true;
				if (p->journal_failing)
					continue;
				LOG(p,
					"cannot journal an event of worker %u; no ACK leaves until "
					"the journal works again\n",
					w);
				p->journal_failing = true;
			}
			p->dirty[w] = true;
			total += n;
			if (p->pending >= p->cfg->control.fsync_batch)
				commit(p);
		}
	}
	return total;
}

int64_t pump_due_in(const struct pump *p, uint64_t now_ns)
{
	uint64_t due;

	if (p->pending == 0)
		return -1;
	due = p->first_pending_ns + (uint64_t)p->cfg->control.fsync_interval_us * 1000u;
	return due > now_ns ? (int64_t)(due - now_ns) : 0;
}

/* ------------------------------------------------------------------------ */
/* Start-up stream to a loading dataplane */

/*
 * The stream runs in steps from the loop, so that control keeps journaling
 * and answering its socket while a large database loads: bindings in
 * ascending address order (store_page from a cursor: changes to the store
 * between steps are harmless, they come from the dataplane itself), then
 * the grants, then LOAD_DONE per worker. A full command ring ends the step;
 * the worker drains it every loop.
 */
enum { ST_LOADS, ST_GRANTS, ST_DONE, ST_FINISHED };

#define STREAM_PAGE 256
#define STREAM_STEP 8192 /* commands per step at most */

static unsigned pool_owner(const struct pump *p, const struct store_lease *l)
{
	const struct lw_pool_conf *pc = &p->cfg->pools[l->pool];

	return (l->addr - pc->start) % p->shm.n_workers;
}

/* 1 sent, 0 nothing to send for l, -1 the ring is full. */
static int send_load(struct pump *p, const struct store_lease *l)
{
	union lw_cmd c;
	unsigned w;

	memset(&c, 0, sizeof(c));
	store_lease_to_event(l, &c.bind);
	c.bind.type = LW_CMD_LOAD;
	c.bind.version = LW_RECORDS_VERSION;
	if (l->key.kind != LW_KEY_NONE)
		w = shmif_owner(&p->shm, &l->key);
	else if (l->pool < p->cfg->n_pools)
		w = pool_owner(p, l);
	else
		return 0; /* a keyless record outside the pools means nothing to a shard */
	c.bind.worker = (uint16_t)w;
	if (shmif_cmd(&p->shm, w, &c) < 0)
		return -1;
	p->stream.sent[w]++;
	return 1;
}

static void stream_start(struct pump *p, uint64_t now_ns)
{
	memset(&p->stream, 0, sizeof(p->stream));
	p->stream.active = true;
	p->stream.t0 = now_ns;
	__atomic_store_n(&p->shm.h->ctl_state, LW_CTL_STREAMING, __ATOMIC_RELEASE);
}

/* One step; returns how many commands it sent. */
static unsigned stream_step(struct pump *p, uint64_t now_ns)
{
	struct pump_stream *ss = &p->stream;
	unsigned n = p->shm.n_workers, sent = 0;
	union lw_cmd c;

	while (ss->phase == ST_LOADS && sent < STREAM_STEP) {
		const struct store_lease *page[STREAM_PAGE];
		unsigned k = store_page(p->st, ss->after, page, STREAM_PAGE);

		if (k == 0) {
			ss->phase = ST_GRANTS;
			break;
		}
		for (unsigned i = 0; i < k; i++) {
			int rc = send_load(p, page[i]);

			if (rc < 0)
				return sent;
			ss->after = page[i]->addr;
			sent += (unsigned)rc;
		}
	}
	while (ss->phase == ST_GRANTS && sent < STREAM_STEP) {
		uint32_t size;

		if (ss->pool >= p->cfg->n_pools) {
			ss->phase = ST_DONE;
			break;
		}
		size = p->cfg->pools[ss->pool].end - p->cfg->pools[ss->pool].start + 1;
		/* Failover pools: the failover engine grants this server's own
		 * share once the stream is done (FAILOVER.md 4.3). */
		if (ss->w >= n || ss->w >= size || p->cfg->pools[ss->pool].failover) {
			ss->pool++;
			ss->w = 0;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.grant.type = LW_CMD_GRANT;
		c.grant.version = LW_RECORDS_VERSION;
		c.grant.worker = (uint16_t)ss->w;
		c.grant.pool = (uint16_t)ss->pool;
		c.grant.first = ss->w;
		c.grant.last = size - 1;
		c.grant.stride = n;
		if (shmif_cmd(&p->shm, ss->w, &c) < 0)
			return sent;
		ss->w++;
		sent++;
	}
	while (ss->phase == ST_DONE) {
		uint64_t total = 0;

		if (ss->done_w < n) {
			memset(&c, 0, sizeof(c));
			c.done.type = LW_CMD_LOAD_DONE;
			c.done.version = LW_RECORDS_VERSION;
			c.done.worker = (uint16_t)ss->done_w;
			c.done.gen = p->shm.dp_generation;
			c.done.bindings = ss->sent[ss->done_w];
			if (shmif_cmd(&p->shm, ss->done_w, &c) < 0)
				return sent;
			ss->done_w++;
			sent++;
			continue;
		}
		for (unsigned w = 0; w < n; w++)
			total += ss->sent[w];
		ss->phase = ST_FINISHED;
		ss->active = false;
		p->stats.streams++;
		p->stats.streamed += total;
		__atomic_store_n(&p->shm.h->ctl_state, LW_CTL_ATTACHED, __ATOMIC_RELEASE);
		LOG(p,
			"streamed %llu bindings and the free addresses of %u pools to %u workers "
			"in "
			"%.1f ms\n",
			(unsigned long long)total, p->cfg->n_pools, n,
			(double)(lw_mono_ns() - ss->t0) / 1e6);
	}
	return sent;
}

/* ------------------------------------------------------------------------ */
/* Attach, detach */

void pump_detach(struct pump *p)
{
	if (!shmif_attached(&p->shm))
		return;
	shmif_detach(&p->shm);
}

static void try_attach(struct pump *p)
{
	char msg[512];
	int rc;

	msg[0] = '\0';
	rc = shmif_attach(&p->shm, p->cfg->control.shm, lw_config_layout_hash(p->cfg), p->ctl_gen,
		msg, sizeof(msg));
	if (rc < 0) {
		if (strcmp(msg, p->last_msg) != 0)
			LOG(p, "cannot attach to the dataplane: %s\n", msg);
		snprintf(p->last_msg, sizeof(p->last_msg), "%s", msg);
		return;
	}
	if (rc == 0)
		return;
	p->last_msg[0] = '\0';
	p->stats.attaches++;
	p->attached_at = (uint64_t)time(NULL);
	memset(p->dirty, 0, sizeof(p->dirty));
	LOG(p, "attached to the dataplane (pid %u, %u workers, region /dev/shm%s, %s)\n",
		p->shm.h->dp_pid, p->shm.n_workers, p->shm.name,
		p->shm.h->dp_state == LW_DP_LOADING ? "loading" : "serving");
	memset(&p->stream, 0, sizeof(p->stream));
	if (__atomic_load_n(&p->shm.h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_LOADING)
		stream_start(p, lw_mono_ns());
	else
		__atomic_store_n(&p->shm.h->ctl_state, LW_CTL_ATTACHED, __ATOMIC_RELEASE);
}

unsigned pump_poll(struct pump *p, uint64_t now_ns)
{
	unsigned n = 0;

	if (shmif_attached(&p->shm)) {
		__atomic_store_n(
			&p->shm.h->ctl_heartbeat, p->shm.h->ctl_heartbeat + 1, __ATOMIC_RELAXED);
		n = drain(p, now_ns);
		if (p->stream.active)
			n += stream_step(p, now_ns);
		rebalance_tick(&p->rb, &p->shm, now_ns);
		if (now_ns >= p->next_try_ns) {
			p->next_try_ns = now_ns + ATTACH_EVERY;
			const char *why = shmif_dp_gone(&p->shm);

			if (why) {
				/* What the old dataplane left in its rings is journaled first. */
				n += drain(p, now_ns);
				commit(p);
				LOG(p,
					"the dataplane (pid %u) is gone (%s); waiting for the next "
					"one\n",
					p->shm.h->dp_pid, why);
				pump_detach(p);
				p->next_try_ns = 0;
			}
		}
	} else if (now_ns >= p->next_try_ns) {
		p->next_try_ns = now_ns + ATTACH_EVERY;
		try_attach(p);
		if (p->stream.active)
			n += stream_step(p, now_ns);
	}
	if (p->pending &&
		(p->pending >= p->cfg->control.fsync_batch || pump_due_in(p, now_ns) == 0))
		commit(p);
	return n;
}

void pump_flush(struct pump *p, uint64_t now_ns)
{
	if (shmif_attached(&p->shm))
		drain(p, now_ns);
	commit(p);
}

int pump_append(struct pump *p, const struct lw_bind_event *ev, uint64_t now_ns)
{
	return journal_one(p, ev, now_ns);
}

int pump_local_event(struct pump *p, const struct lw_bind_event *ev, uint64_t now_ns)
{
	int rc = journal_one(p, ev, now_ns);

	if (rc < 0)
		return rc;
	commit(p);
	return 0;
}
