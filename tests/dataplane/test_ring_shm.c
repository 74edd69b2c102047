/* SPDX-License-Identifier: MPL-2.0 */
/*
 * rte_ring in plain shared memory between two processes, neither of which
 * runs EAL: what the dataplane and leasewire-control rely on (lw_shm.h).
 * The test forks; the child plays the other side and reports by its exit
 * status. Also the region ctlif_create() lays out, read the way control
 * reads it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/lw_shm.h"
#include "dataplane/ctlif.h"

#define N_RECORDS 100000u
#define RING_N	  1024u

/* Waits for the child; its exit status is the number of the check that failed. */
static int child_status(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the child died (signal %d)", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return WEXITSTATUS(st);
}

static void fill(struct lw_bind_event *ev, uint64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = LW_EV_BIND;
	ev->version = LW_RECORDS_VERSION;
	ev->seq = seq;
	ev->addr = (uint32_t)(seq * 7);
	ev->key.len = (uint8_t)(seq % 30);
}

/* Puts records 1..n on r, waiting while it is full (a test may spin; a worker never does). */
static void produce(struct rte_ring *r, unsigned n)
{
	struct lw_bind_event ev[32];

	for (uint64_t seq = 1; seq <= n;) {
		unsigned k = 0, done;

		while (k < 32 && seq + k <= n) {
			fill(&ev[k], seq + k);
			k++;
		}
		done = rte_ring_sp_enqueue_burst_elem(r, ev, sizeof(ev[0]), k, NULL);
		seq += done;
		if (done == 0)
			usleep(10);
	}
}

/* Takes n records from r and checks their order and content; 0 or the failed check. */
static int consume(struct rte_ring *r, unsigned n)
{
	struct lw_bind_event ev[32], want;
	uint64_t next = 1;

	while (next <= n) {
		unsigned k = rte_ring_sc_dequeue_burst_elem(r, ev, sizeof(ev[0]), 32, NULL);

		for (unsigned i = 0; i < k; i++, next++) {
			fill(&want, next);
			if (memcmp(&ev[i], &want, sizeof(want)) != 0)
				return 2;
		}
		if (k == 0)
			usleep(10);
	}
	return rte_ring_count(r) == 0 ? 0 : 3;
}

Test(ring_shm, records_cross_a_memfd_both_ways_in_order)
{
	ssize_t sz = rte_ring_get_memsize_elem(sizeof(struct lw_bind_event), RING_N);
	int fd = memfd_create("lw-ring-test", 0);
	struct rte_ring *to_child, *to_parent;
	uint8_t *base;
	pid_t pid;

	cr_assert_gt(sz, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 2 * sz), 0);
	base = mmap(NULL, (size_t)(2 * sz), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(base, MAP_FAILED);
	to_child = (struct rte_ring *)base;
	to_parent = (struct rte_ring *)(base + sz);
	cr_assert_eq(rte_ring_init(to_child, "t_down", RING_N, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);
	cr_assert_eq(rte_ring_init(to_parent, "t_up", RING_N, RING_F_SP_ENQ | RING_F_SC_DEQ), 0);

	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* The other process: maps the same memory again, from the descriptor. */
		uint8_t *mine =
			mmap(NULL, (size_t)(2 * sz), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		int rc;

		alarm(60);
		if (mine == MAP_FAILED)
			_exit(1);
		rc = consume((struct rte_ring *)mine, N_RECORDS);
		if (rc == 0)
			produce((struct rte_ring *)(mine + sz), N_RECORDS);
		_exit(rc);
	}
	produce(to_child, N_RECORDS);
	cr_assert_eq(consume(to_parent, N_RECORDS), 0, "records from the child, in order");
	cr_assert_eq(child_status(pid), 0, "the child saw every record in order");
	munmap(base, (size_t)(2 * sz));
	close(fd);
}

static struct lw_config *test_cfg(const char *shm)
{
	struct lw_config *cfg = calloc(1, sizeof(*cfg));

	snprintf(cfg->path, sizeof(cfg->path), "test.cfg");
	snprintf(cfg->control.shm, sizeof(cfg->control.shm), "%s", shm);
	cfg->control.durability = LW_DURABILITY_NONE;
	cfg->control.ack_hold_ms = 1234;
	/* Three pools (only their number matters here, and the layout hash reads them). */
	cfg->n_pools = 3;
	cfg->pools = calloc(3, sizeof(*cfg->pools));
	return cfg;
}

static void free_cfg(struct lw_config *cfg)
{
	free(cfg->pools);
	free(cfg);
}

/* What control does: open the region by name, check it, use worker 1's rings. */
static int control_side(const char *name, uint64_t gen)
{
	struct lw_shm_hdr *h;
	struct lw_shm_worker *w;
	union lw_cmd c;
	struct stat st;
	char msg[256];
	int fd = shm_open(name, O_RDWR, 0);
	int rc;

	if (fd < 0 || fstat(fd, &st) < 0)
		return 10;
	h = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return 11;
	if (lw_shm_check(
		    h, (uint64_t)st.st_size, "control process", "dataplane", msg, sizeof(msg)) != 0)
		return 12;
	if (h->n_workers != 2 || h->n_pools != 3 || h->dp_generation != gen ||
		h->ack_hold_ms != 1234 || h->durability != LW_DURABILITY_NONE || h->owner[3] != 1 ||
		h->dp_pid != (uint32_t)getppid())
		return 13;
	w = lw_shm_worker_at(h, 1);
	rc = consume((struct rte_ring *)((uint8_t *)h + w->off_ev_ring), 5000);
	if (rc)
		return 20 + rc;
	memset(&c, 0, sizeof(c));
	c.done.type = LW_CMD_LOAD_DONE;
	c.done.version = LW_RECORDS_VERSION;
	c.done.worker = 1;
	c.done.gen = gen;
	if (rte_ring_sp_enqueue_elem(
		    (struct rte_ring *)((uint8_t *)h + w->off_cmd_ring), &c, sizeof(c)) != 0)
		return 30;
	__atomic_store_n(&w->durable_seq, 5000, __ATOMIC_RELEASE);
	return 0;
}

Test(ring_shm, control_reads_the_region_ctlif_creates)
{
	struct lw_config *cfg;
	struct ctlif c;
	uint8_t owner[256];
	char shm[LW_NAME_LEN], err[512];
	union lw_cmd cmd;
	uint64_t gen;
	pid_t pid;
	int rc;

	snprintf(shm, sizeof(shm), "lw-test-%d", (int)getpid());
	cfg = test_cfg(shm);
	for (unsigned b = 0; b < 256; b++)
		owner[b] = (uint8_t)(b % 2);
	rc = ctlif_create(&c, cfg, 2, owner, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(c.hdr->dp_state, LW_DP_STARTING);
	gen = c.hdr->dp_generation;
	ctlif_set_state(&c, LW_DP_LOADING);

	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		alarm(60);
		_exit(control_side(c.name, gen));
	}
	produce(ctlif_ev_ring(&c, 1), 5000);
	rc = child_status(pid);
	cr_assert_eq(rc, 0, "control's side failed check %d", rc);
	cr_assert_eq(__atomic_load_n(&ctlif_worker(&c, 1)->durable_seq, __ATOMIC_ACQUIRE), 5000);
	cr_assert_eq(rte_ring_sc_dequeue_elem(ctlif_cmd_ring(&c, 1), &cmd, sizeof(cmd)), 0);
	cr_assert_eq(cmd.hdr.type, LW_CMD_LOAD_DONE);
	cr_assert_eq(cmd.done.gen, gen);
	cr_assert_eq(rte_ring_count(ctlif_cmd_ring(&c, 0)), 0, "worker 0's ring untouched");

	/* A restart replaces the region: another file, another generation. */
	{
		struct ctlif c2;
		struct stat a, b;
		char path[128];

		snprintf(path, sizeof(path), "/dev/shm/%s", shm);
		cr_assert_eq(stat(path, &a), 0);
		cr_assert_eq(ctlif_create(&c2, cfg, 2, owner, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(stat(path, &b), 0);
		cr_assert_neq(a.st_ino, b.st_ino, "a fresh region per start");
		cr_assert_neq(c2.hdr->dp_generation, gen);
		ctlif_close(&c2);
		/* A clean stop leaves the file, marked stopped, for control to see. */
		{
			int fd = shm_open(c.name, O_RDONLY, 0);
			struct lw_shm_hdr *h;

			cr_assert_geq(fd, 0);
			h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
			cr_assert_neq(h, MAP_FAILED);
			cr_assert_eq(h->dp_state, LW_DP_STOPPED);
			munmap(h, sizeof(*h));
			close(fd);
		}
	}
	cr_assert_eq(c.hdr->dp_state, LW_DP_LOADING, "the old mapping still works for its holder");
	ctlif_close(&c);
	cr_assert_null(c.hdr);
	shm_unlink(c.name);
	free_cfg(cfg);
}

Test(ring_shm, pool_free_arrays_lie_inside_the_region_aligned_and_apart)
{
	ssize_t ev_size = rte_ring_get_memsize_elem(sizeof(struct lw_bind_event), LW_SHM_EV_RING);
	ssize_t cmd_size = rte_ring_get_memsize_elem(sizeof(union lw_cmd), LW_SHM_CMD_RING);
	const unsigned n = 3;
	struct lw_config *cfg;
	uint8_t owner[256] = {0};
	char shm[LW_NAME_LEN], err[512];
	struct ctlif c;

	snprintf(shm, sizeof(shm), "lw-test-pf-%d", (int)getpid());
	cfg = test_cfg(shm);
	cfg->n_pools = 17; /* 68 bytes: more than one cache line each */
	free(cfg->pools);
	cfg->pools = calloc(cfg->n_pools, sizeof(*cfg->pools));
	cr_assert_eq(ctlif_create(&c, cfg, n, owner, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.hdr->n_pools, 17);
	for (unsigned i = 0; i < n; i++) {
		const struct lw_shm_worker *w = ctlif_worker(&c, i);
		uint64_t off = w->off_pool_free, end = off + 17 * sizeof(uint32_t);

		cr_assert_eq(off % LW_SHM_ALIGN, 0, "worker %u: offset %lu", i, (unsigned long)off);
		cr_assert_leq(end, c.size, "worker %u: past the region", i);
		cr_assert_eq((uint8_t *)ctlif_pool_free(&c, i), (uint8_t *)c.hdr + off);
		for (unsigned p = 0; p < 17; p++)
			cr_assert_eq(ctlif_pool_free(&c, i)[p], 0);
		/* Clear of every worker's entry and rings, and of the other arrays. */
		cr_assert_geq(off, c.hdr->off_workers + n * sizeof(struct lw_shm_worker));
		for (unsigned j = 0; j < n; j++) {
			const struct lw_shm_worker *o = ctlif_worker(&c, j);

			cr_assert(
				end <= o->off_ev_ring || off >= o->off_ev_ring + (uint64_t)ev_size);
			cr_assert(end <= o->off_cmd_ring ||
				  off >= o->off_cmd_ring + (uint64_t)cmd_size);
			if (j != i)
				cr_assert(end <= o->off_pool_free ||
						  off >= o->off_pool_free + 17 * sizeof(uint32_t),
					"the arrays of workers %u and %u overlap", i, j);
		}
	}
	/* Written by a worker, read through a second mapping as control does. */
	ctlif_pool_free(&c, 2)[16] = 77;
	{
		int fd = shm_open(c.name, O_RDONLY, 0);
		const uint8_t *base;

		cr_assert_geq(fd, 0);
		base = mmap(NULL, c.size, PROT_READ, MAP_SHARED, fd, 0);
		cr_assert_neq(base, MAP_FAILED);
		cr_assert_eq(
			((const uint32_t *)(base + ctlif_worker(&c, 2)->off_pool_free))[16], 77);
		munmap((void *)base, c.size);
		close(fd);
	}
	ctlif_close(&c);
	shm_unlink(c.name);
	free_cfg(cfg);
}
