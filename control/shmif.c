/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common/lb_hash.h"
#include "shmif.h"

/* The rings' memory must lie inside the mapping. */
static struct rte_ring *ring_at(struct shmif *s, uint64_t off)
{
	if (off == 0 || off % LW_SHM_ALIGN || off + sizeof(struct rte_ring) > s->size)
		return NULL;
	return (struct rte_ring *)((uint8_t *)s->base + off);
}

int shmif_attach(
	struct shmif *s, const char *shm, uint64_t layout, uint64_t ctl_gen, char *msg, size_t len)
{
	struct lw_shm_hdr *h;
	struct stat st;
	void *base;
	int fd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->name, sizeof(s->name), "/%s", shm);
	fd = shm_open(s->name, O_RDWR, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(msg, len, "/dev/shm%s: %s", s->name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(*h)) {
		close(fd); /* being created: try again on the next tick */
		return 0;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		snprintf(msg, len, "/dev/shm%s: mmap: %s", s->name, strerror(errno));
		close(fd);
		return -1;
	}
	h = base;
	/* Still being set up, or left behind by a dataplane that stopped. */
	if (__atomic_load_n(&h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_STARTING ||
		__atomic_load_n(&h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_STOPPED ||
		(st.st_size >= (off_t)sizeof(*h) && h->magic == LW_SHM_MAGIC && h->dp_pid &&
			kill((pid_t)h->dp_pid, 0) < 0 && errno == ESRCH)) {
		munmap(base, (size_t)st.st_size);
		close(fd);
		return 0;
	}
	s->fd = fd;
	s->base = base;
	s->size = (size_t)st.st_size;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (lw_shm_check(h, s->size, "control process", "dataplane", msg, (unsigned)len) < 0)
		goto refuse;
	if (h->layout_hash != layout) {
		snprintf(msg, len,
			"the dataplane runs with other subnets or pools than this control "
			"process; start both with the same configuration file (or reload it)");
		goto refuse;
	}
	s->h = h;
	s->n_workers = h->n_workers;
	s->dp_generation = h->dp_generation;
	for (unsigned i = 0; i < s->n_workers; i++) {
		struct lw_shm_worker *w = lw_shm_worker_at(h, i);

		s->ev[i] = ring_at(s, w->off_ev_ring);
		s->cmd[i] = ring_at(s, w->off_cmd_ring);
		if (s->ev[i] == NULL || s->cmd[i] == NULL) {
			snprintf(msg, len, "/dev/shm%s: worker %u: ring offsets out of the region",
				s->name, i);
			s->h = NULL;
			goto refuse;
		}
		/*
		 * A control process killed in the middle of a dequeue (or an
		 * enqueue) leaves its head ahead of its tail. We are the only
		 * consumer of the event ring and the only producer of the
		 * command ring, so put those heads back: events in between are
		 * read again (and dropped as duplicates), a half-written
		 * command is forgotten.
		 */
		s->ev[i]->cons.head = s->ev[i]->cons.tail;
		s->cmd[i]->prod.head = s->cmd[i]->prod.tail;
		s->last_seq[i] = __atomic_load_n(&w->durable_seq, __ATOMIC_ACQUIRE);
	}
	h->ctl_pid = (uint32_t)getpid();
	__atomic_store_n(&h->ctl_generation, ctl_gen, __ATOMIC_RELEASE);
	return 1;

refuse:
	munmap(base, s->size);
	close(fd);
	s->base = NULL;
	s->fd = -1;
	return -1;
}

void shmif_detach(struct shmif *s)
{
	if (s->h)
		__atomic_store_n(&s->h->ctl_state, LW_CTL_DETACHED, __ATOMIC_RELEASE);
	if (s->base)
		munmap(s->base, s->size);
	if (s->fd >= 0)
		close(s->fd);
	s->base = NULL;
	s->h = NULL;
	s->fd = -1;
}

const char *shmif_dp_gone(const struct shmif *s)
{
	struct stat st;
	int fd;
	bool same;

	if (__atomic_load_n(&s->h->dp_state, __ATOMIC_ACQUIRE) == LW_DP_STOPPED)
		return "it stopped";
	if (s->h->dp_pid && kill((pid_t)s->h->dp_pid, 0) < 0 && errno == ESRCH)
		return "its process is gone";
	fd = shm_open(s->name, O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT ? "its region was removed" : NULL;
	same = fstat(fd, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino;
	close(fd);
	return same ? NULL : "a new dataplane replaced its region";
}

unsigned shmif_take(struct shmif *s, unsigned w, struct lw_bind_event *out, unsigned max)
{
	unsigned n, k = 0;

	n = rte_ring_sc_dequeue_burst_elem(s->ev[w], out, sizeof(*out), max, NULL);
	for (unsigned i = 0; i < n; i++) {
		if (out[i].seq <= s->last_seq[w]) {
			s->duplicates++;
			continue;
		}
		if (out[i].seq != s->last_seq[w] + 1)
			s->gaps += out[i].seq - s->last_seq[w] - 1;
		s->last_seq[w] = out[i].seq;
		if (k != i)
			out[k] = out[i];
		k++;
	}
	return k;
}

void shmif_set_durable(struct shmif *s, unsigned w, uint64_t seq)
{
	struct lw_shm_worker *sw = lw_shm_worker_at(s->h, w);

	__atomic_store_n(&sw->durable_seq, seq, __ATOMIC_RELEASE);
}

int shmif_cmd(struct shmif *s, unsigned w, const union lw_cmd *c)
{
	if (rte_ring_sp_enqueue_elem(s->cmd[w], (void *)(uintptr_t)c, sizeof(*c)) != 0) {
		s->cmd_full++;
		return -ENOBUFS;
	}
	return 0;
}

unsigned shmif_owner(const struct shmif *s, const struct lw_client_key *k)
{
	size_t len;
	const uint8_t *b = lw_client_key_hash_bytes(k, &len);
	unsigned o = s->h->owner[lb_hash(b, len)];

	return o < s->n_workers ? o : 0;
}
