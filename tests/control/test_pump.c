/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The journal pump against a region made here the way the dataplane makes
 * it (rte_ring_init in shm_open memory, no EAL): the start-up stream, group
 * commit and durable_seq, duplicates after a control restart, the layout
 * check, and a dataplane that goes away.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/leasedb.h"
#include "control/pump.h"
#include "control/store.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)

static const char cfg_text[] =
	"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; } );\n"
	"subnets = ( { subnet = \"198.18.0.0/24\";\n"
	"  pools = ( { range = \"198.18.0.100 - 198.18.0.199\"; } ); } );\n"
	"control = { durability = \"none\"; fsync_interval_us = 10; shm = \"SHM\"; };\n";

static struct lw_config *cfg;
static struct store *st;
static struct leasedb *db;
static char dir[64], shm[64], err[512];
static void *base;
static size_t size;
static struct lw_shm_hdr *h;
static struct rte_ring *ev, *cmd;

static void make_region(void)
{
	size_t evsz = (size_t)rte_ring_get_memsize_elem(64, LW_SHM_EV_RING);
	size_t cmdsz = (size_t)rte_ring_get_memsize_elem(64, LW_SHM_CMD_RING);
	size_t off_w = sizeof(struct lw_shm_hdr);
	size_t off_ev = off_w + sizeof(struct lw_shm_worker);
	size_t off_cmd = off_ev + evsz;
	struct lw_shm_worker *w;
	char name[80];
	int fd;

	size = off_cmd + cmdsz;
	snprintf(name, sizeof(name), "/%s", shm);
	shm_unlink(name);
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(base, MAP_FAILED);
	close(fd);
	h = base;
	h->magic = LW_SHM_MAGIC;
	h->version = LW_SHM_VERSION;
	h->records_version = LW_RECORDS_VERSION;
	h->size = size;
	h->hdr_size = sizeof(*h);
	h->worker_size = sizeof(struct lw_shm_worker);
	h->n_workers = 1;
	h->n_counters = LW_CTR_MAX;
	h->off_workers = off_w;
	h->dp_generation = 77;
	h->dp_pid = (uint32_t)getpid();
	h->layout_hash = lw_config_layout_hash(cfg);
	w = lw_shm_worker_at(h, 0);
	w->off_ev_ring = off_ev;
	w->off_cmd_ring = off_cmd;
	ev = (struct rte_ring *)((uint8_t *)base + off_ev);
	cmd = (struct rte_ring *)((uint8_t *)base + off_cmd);
	cr_assert_eq(rte_ring_init(ev, "ev", LW_SHM_EV_RING, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
	cr_assert_eq(rte_ring_init(cmd, "cmd", LW_SHM_CMD_RING, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
	__atomic_store_n(&h->dp_state, LW_DP_LOADING, __ATOMIC_RELEASE);
}

static struct lw_bind_event bind_ev(uint32_t addr, uint8_t mac, uint64_t seq)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = LW_BIND_ACTIVE;
	e.seq = seq;
	e.addr = addr;
	e.start = 1800000000u;
	e.end = 1800000600u;
	e.key.kind = LW_KEY_HWADDR;
	e.key.len = 7;
	e.key.data[0] = 1;
	e.key.data[1] = 2;
	e.key.data[6] = mac;
	return e;
}

static void setup(void)
{
	char text[sizeof(cfg_text) + 64];
	struct leasedb_report rep;
	char *p;

	snprintf(shm, sizeof(shm), "lwtest-pump-%d", (int)getpid());
	snprintf(text, sizeof(text), "%s", cfg_text);
	p = strstr(text, "SHM");
	memmove(p + strlen(shm), p + 3, strlen(p + 3) + 1);
	memcpy(p, shm, strlen(shm));
	cr_assert_eq(lw_config_load_string(text, "t.cfg", &cfg, err, sizeof(err)), 0, "%s", err);
	strcpy(dir, "/tmp/lw-pump-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	st = store_create(16);
	db = leasedb_open(dir, st, &rep, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	make_region();
}

static void teardown(void)
{
	char name[80], cmdline[128];

	snprintf(name, sizeof(name), "/%s", shm);
	shm_unlink(name);
	munmap(base, size);
	leasedb_close(db);
	store_free(st);
	lw_config_free(cfg);
	snprintf(cmdline, sizeof(cmdline), "rm -rf %s", dir);
	cr_expect_eq(system(cmdline), 0);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Polls until worker 0's durable_seq reaches want (or 2 s pass). */
static uint64_t poll_durable(struct pump *p, uint64_t want)
{
	struct lw_shm_worker *w = lw_shm_worker_at(h, 0);

	for (int i = 0; i < 20000; i++) {
		pump_poll(p, now_ns());
		if (__atomic_load_n(&w->durable_seq, __ATOMIC_ACQUIRE) >= want)
			break;
		usleep(100);
	}
	return __atomic_load_n(&w->durable_seq, __ATOMIC_ACQUIRE);
}

static unsigned take_cmds(union lw_cmd *out, unsigned max)
{
	return rte_ring_sc_dequeue_burst_elem(cmd, out, sizeof(*out), max, NULL);
}

TestSuite(pump, .init = setup, .fini = teardown);

Test(pump, streams_bindings_grants_and_done)
{
	struct lw_bind_event e1 = bind_ev(A(198, 18, 0, 120), 1, 0);
	struct lw_bind_event e2 = bind_ev(A(198, 18, 0, 121), 2, 0);
	union lw_cmd c[16];
	struct pump p;
	unsigned n;

	cr_assert_eq(store_apply(st, &e1), 0);
	cr_assert_eq(store_apply(st, &e2), 0);
	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	cr_assert(shmif_attached(&p.shm), "%s", p.last_msg);
	n = take_cmds(c, 16);
	cr_assert_eq(n, 4, "2 loads, 1 grant, 1 done: got %u", n);
	cr_expect_eq(c[0].hdr.type, LW_CMD_LOAD);
	cr_expect_eq(c[1].hdr.type, LW_CMD_LOAD);
	cr_expect_eq(c[0].bind.addr + c[1].bind.addr, A(198, 18, 0, 120) + A(198, 18, 0, 121));
	cr_expect_eq(c[2].hdr.type, LW_CMD_GRANT);
	cr_expect_eq(c[2].grant.pool, 0);
	cr_expect_eq(c[2].grant.first, 0);
	cr_expect_eq(c[2].grant.last, 99);
	cr_expect_eq(c[2].grant.stride, 1);
	cr_expect_eq(c[3].hdr.type, LW_CMD_LOAD_DONE);
	cr_expect_eq(c[3].done.gen, 77);
	cr_expect_eq(c[3].done.bindings, 2);
	cr_expect_eq(h->ctl_state, LW_CTL_ATTACHED);
	cr_expect_eq(h->ctl_generation, p.ctl_gen);
	pump_detach(&p);
}

Test(pump, events_become_durable_and_reach_the_store)
{
	struct lw_bind_event e[3];
	union lw_cmd c[16];
	struct pump p;

	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	cr_assert(shmif_attached(&p.shm));
	take_cmds(c, 16);
	__atomic_store_n(&h->dp_state, LW_DP_SERVING, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < 3; i++)
		e[i] = bind_ev(A(198, 18, 0, 100 + i), (uint8_t)i, i + 1);
	cr_assert_eq(rte_ring_sp_enqueue_bulk_elem(ev, e, sizeof(e[0]), 3, NULL), 3);
	cr_expect_eq(poll_durable(&p, 3), 3);
	cr_expect_eq(store_count(st), 3);
	cr_expect_not_null(store_get_addr(st, A(198, 18, 0, 102)));
	cr_expect_eq(p.stats.events, 3);
	cr_expect_geq(p.stats.syncs, 1);
	pump_detach(&p);
}

/* A restarted control takes durable_seq as its floor: events sent again are dropped. */
Test(pump, control_restart_drops_duplicates_and_does_not_stream)
{
	struct lw_bind_event e[4];
	union lw_cmd c[16];
	struct pump p, q;

	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	take_cmds(c, 16);
	__atomic_store_n(&h->dp_state, LW_DP_SERVING, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < 4; i++)
		e[i] = bind_ev(A(198, 18, 0, 100 + i), (uint8_t)i, i + 1);
	rte_ring_sp_enqueue_bulk_elem(ev, e, sizeof(e[0]), 2, NULL);
	cr_assert_eq(poll_durable(&p, 2), 2);
	/* control "dies" (no clean detach) and a new one attaches */
	memset(&p.shm, 0, sizeof(p.shm));
	pump_init(&q, cfg, st, db);
	q.quiet = true;
	q.ctl_gen = p.ctl_gen + 1;
	pump_poll(&q, now_ns());
	cr_assert(shmif_attached(&q.shm));
	cr_expect_eq(take_cmds(c, 16), 0, "a serving dataplane is not streamed to");
	cr_expect_eq(h->ctl_generation, q.ctl_gen);
	/* the worker sends everything above durable_seq again, and more */
	rte_ring_sp_enqueue_bulk_elem(ev, e, sizeof(e[0]), 4, NULL);
	cr_expect_eq(poll_durable(&q, 4), 4);
	cr_expect_eq(q.shm.duplicates, 2);
	cr_expect_eq(q.stats.events, 2);
	cr_expect_eq(q.shm.gaps, 0);
	cr_expect_eq(store_count(st), 4);
	pump_detach(&q);
}

Test(pump, refuses_another_layout)
{
	struct pump p;

	h->layout_hash ^= 1;
	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	cr_expect(!shmif_attached(&p.shm));
	cr_expect(strstr(p.last_msg, "other subnets or pools") != NULL, "%s", p.last_msg);
}

Test(pump, refuses_another_version)
{
	struct pump p;

	h->version = LW_SHM_VERSION + 1;
	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	cr_expect(!shmif_attached(&p.shm));
	cr_expect(strstr(p.last_msg, "the control process is older") != NULL, "%s", p.last_msg);
}

/* A stopped dataplane: what it left is journaled, then control lets go. */
Test(pump, dataplane_gone)
{
	struct lw_bind_event e = bind_ev(A(198, 18, 0, 150), 9, 1);
	union lw_cmd c[16];
	struct pump p;

	pump_init(&p, cfg, st, db);
	p.quiet = true;
	pump_poll(&p, now_ns());
	cr_assert(shmif_attached(&p.shm));
	take_cmds(c, 16);
	rte_ring_sp_enqueue_elem(ev, &e, sizeof(e));
	__atomic_store_n(&h->dp_state, LW_DP_STOPPED, __ATOMIC_RELEASE);
	p.next_try_ns = 0;
	pump_poll(&p, now_ns());
	cr_expect(!shmif_attached(&p.shm));
	cr_expect_not_null(store_get_addr(st, A(198, 18, 0, 150)));
	/* and it does not attach to the stopped region again */
	p.next_try_ns = 0;
	pump_poll(&p, now_ns());
	cr_expect(!shmif_attached(&p.shm));
}

/* More bindings than the command ring holds: the stream pauses on a full
 * ring, goes on as the worker drains it, keeps address order, and control
 * keeps journaling meanwhile. */
Test(pump, stream_larger_than_the_ring)
{
	const unsigned total = LW_SHM_CMD_RING + 1000;
	union lw_cmd c[512];
	unsigned loads = 0, done = 0, steps = 0;
	uint32_t last = 0;
	bool ordered = true;
	struct pump p;

	for (unsigned i = 0; i < total; i++) {
		struct lw_bind_event e = bind_ev(A(198, 18, 0, 0) + 256 + i, (uint8_t)i, 0);

		e.key.data[5] = (uint8_t)(i >> 8);
		cr_assert_eq(store_apply(st, &e), 0);
	}
	pump_init(&p, cfg, st, db);
	p.quiet = true;
	while (done == 0 && steps++ < 1000) {
		unsigned n;

		pump_poll(&p, now_ns());
		n = take_cmds(c, 512);
		for (unsigned i = 0; i < n; i++) {
			if (c[i].hdr.type == LW_CMD_LOAD) {
				ordered = ordered && c[i].bind.addr > last;
				last = c[i].bind.addr;
				loads++;
			} else if (c[i].hdr.type == LW_CMD_LOAD_DONE) {
				done++;
				cr_expect_eq(c[i].done.bindings, total);
			}
		}
	}
	cr_expect_eq(loads, total);
	cr_expect_eq(done, 1);
	cr_expect(ordered, "bindings streamed in ascending address order");
	cr_expect_gt(steps, 2, "the stream should have waited for the ring at least once");
	cr_expect(!p.stream.active);
	cr_expect_eq(p.stats.streamed, total);
	pump_detach(&p);
}
