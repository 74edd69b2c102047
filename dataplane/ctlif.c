/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ctlif.h"

/* Rings start on their own pages: nothing else shares their cache lines or TLB entries. */
#define RING_ALIGN 4096u

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Unique per start, also for two starts in the same nanosecond by different processes. */
static uint64_t new_generation(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^
	       ((uint64_t)getpid() << 32);
}

struct rte_ring *ctlif_ev_ring(const struct ctlif *c, unsigned i)
{
	return (struct rte_ring *)((uint8_t *)c->hdr + ctlif_worker(c, i)->off_ev_ring);
}

struct rte_ring *ctlif_cmd_ring(const struct ctlif *c, unsigned i)
{
	return (struct rte_ring *)((uint8_t *)c->hdr + ctlif_worker(c, i)->off_cmd_ring);
}

int ctlif_create(struct ctlif *c, const struct lw_config *cfg, unsigned n_workers,
	const uint8_t owner[256], char *err, size_t errlen)
{
	ssize_t ev_size = rte_ring_get_memsize_elem(sizeof(struct lw_bind_event), LW_SHM_EV_RING);
	ssize_t cmd_size = rte_ring_get_memsize_elem(sizeof(union lw_cmd), LW_SHM_CMD_RING);
	/* Each worker's free count per pool, on cache lines of its own. */
	uint64_t pf_size = align_up((uint64_t)cfg->n_pools * sizeof(uint32_t), LW_SHM_ALIGN);
	struct lw_shm_hdr *h;
	uint64_t off;
	void *base;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "/%s", cfg->control.shm);
	snprintf(c->path, sizeof(c->path), "/dev/shm/%s", cfg->control.shm);
	if (n_workers == 0 || n_workers > LW_SHM_MAX_WORKERS || ev_size < 0 || cmd_size < 0) {
		snprintf(err, errlen, "%s: cannot lay out the shared region for %u workers",
			cfg->path, n_workers);
		return -EINVAL;
	}
	off = align_up(sizeof(struct lw_shm_hdr), LW_SHM_ALIGN);
	off = align_up(off + (uint64_t)n_workers * sizeof(struct lw_shm_worker), RING_ALIGN);
	off += (uint64_t)n_workers *
	       (align_up((uint64_t)ev_size, RING_ALIGN) + align_up((uint64_t)cmd_size, RING_ALIGN));
	off += (uint64_t)n_workers * pf_size;
	c->size = (size_t)off;

	/* A fresh region per start: whatever a dead dataplane left is not ours. */
	if (shm_unlink(c->name) < 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen,
			"%s: control.shm: cannot remove the old region %s: %s; remove it by hand",
			cfg->path, c->path, strerror(errno));
		return rc;
	}
	fd = shm_open(c->name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: control.shm: cannot create %s: %s", cfg->path, c->path,
			strerror(errno));
		return rc;
	}
	if (ftruncate(fd, (off_t)c->size) < 0) {
		rc = -errno;
		snprintf(err, errlen,
			"%s: control.shm: cannot size %s to %zu bytes: %s (is /dev/shm full?)",
			cfg->path, c->path, c->size, strerror(errno));
		close(fd);
		shm_unlink(c->name);
		return rc;
	}
	/* Populated now, so that no worker takes a page fault on its first event. */
	base = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	rc = -errno;
	close(fd);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "%s: control.shm: cannot map %s: %s", cfg->path, c->path,
			strerror(-rc));
		shm_unlink(c->name);
		return rc;
	}

	h = base;
	h->magic = LW_SHM_MAGIC;
	h->version = LW_SHM_VERSION;
	h->records_version = LW_RECORDS_VERSION;
	h->size = c->size;
	h->hdr_size = sizeof(*h);
	h->worker_size = sizeof(struct lw_shm_worker);
	h->n_workers = n_workers;
	h->n_counters = LW_CTR_MAX;
	h->off_workers = align_up(sizeof(*h), LW_SHM_ALIGN);
	h->dp_generation = new_generation();
	h->dp_pid = (uint32_t)getpid();
	h->durability = cfg->control.durability;
	h->ack_hold_ms = cfg->control.ack_hold_ms;
	h->n_pools = cfg->n_pools;
	h->layout_hash = lw_config_layout_hash(cfg);
	memcpy(h->owner, owner, sizeof(h->owner));
	c->hdr = h;
	c->n_workers = n_workers;

	off = align_up(
		h->off_workers + (uint64_t)n_workers * sizeof(struct lw_shm_worker), RING_ALIGN);
	for (unsigned i = 0; i < n_workers; i++) {
		struct lw_shm_worker *w = ctlif_worker(c, i);
		char name[RTE_RING_NAMESIZE];

		w->off_ev_ring = off;
		off += align_up((uint64_t)ev_size, RING_ALIGN);
		w->off_cmd_ring = off;
		off += align_up((uint64_t)cmd_size, RING_ALIGN);

		snprintf(name, sizeof(name), "lw_ev_%u", i);
		rc = rte_ring_init(
			ctlif_ev_ring(c, i), name, LW_SHM_EV_RING, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rc == 0) {
			snprintf(name, sizeof(name), "lw_cmd_%u", i);
			rc = rte_ring_init(ctlif_cmd_ring(c, i), name, LW_SHM_CMD_RING,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: cannot set up the rings of worker %u in %s: %s",
				cfg->path, i, c->path, strerror(-rc));
			munmap(base, c->size);
			shm_unlink(c->name);
			c->hdr = NULL;
			return rc;
		}
	}
	/* After the rings, which keep their page alignment; zero (the mapping
	 * is fresh) until each worker publishes. */
	for (unsigned i = 0; i < n_workers; i++) {
		ctlif_worker(c, i)->off_pool_free = off;
		off += pf_size;
	}
	return 0;
}

void ctlif_set_state(struct ctlif *c, enum lw_dp_state st)
{
	__atomic_store_n(&c->hdr->dp_state, (uint32_t)st, __ATOMIC_RELEASE);
}

void ctlif_close(struct ctlif *c)
{
	if (c->hdr == NULL)
		return;
	ctlif_set_state(c, LW_DP_STOPPED);
	munmap(c->hdr, c->size);
	c->hdr = NULL;
}
