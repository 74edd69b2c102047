/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The control process's side of the shared region (common/lw_shm.h): find
 * and map the region the dataplane created, check its versions, take the
 * consumer side of the event rings and the producer side of the command
 * rings, notice when the dataplane is replaced or gone.
 *
 * Threading: control's main loop only.
 */
#ifndef LW_SHMIF_H
#define LW_SHMIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/lw_shm.h"

struct rte_ring;

struct shmif {
	char name[64]; /* "/leasewire" */
	int fd;
	void *base;
	size_t size;
	dev_t dev;
	ino_t ino;
	struct lw_shm_hdr *h;
	unsigned n_workers;
	uint64_t dp_generation;
	struct rte_ring *ev[LW_SHM_MAX_WORKERS];
	struct rte_ring *cmd[LW_SHM_MAX_WORKERS];
	/* highest event sequence accepted per worker in this generation */
	uint64_t last_seq[LW_SHM_MAX_WORKERS];
	uint64_t duplicates; /* events at or below last_seq (sent again after our restart) */
	uint64_t gaps;	     /* sequences skipped (should stay 0) */
	uint64_t cmd_full;   /* command enqueues refused by a full ring */
};

/*
 * Maps the region named shm (without the leading '/'), checks it (versions,
 * and layout: lw_config_layout_hash() of our configuration) and takes
 * our ends of the rings. Returns 1 when attached, 0 when there is no region
 * yet (or it is still being set up), -1 with a message when it cannot be
 * used (version mismatch: the message says which side is older).
 */
int shmif_attach(
	struct shmif *s, const char *shm, uint64_t layout, uint64_t ctl_gen, char *msg, size_t len);

/* Unmaps (the region stays for the dataplane). */
void shmif_detach(struct shmif *s);

static inline bool shmif_attached(const struct shmif *s)
{
	return s->h != NULL;
}

/*
 * Whether the dataplane that made the mapped region is gone: the name now
 * names another region or none, or its process no longer exists, or it
 * stopped cleanly. Returns why, or NULL while it is there.
 */
const char *shmif_dp_gone(const struct shmif *s);

/*
 * Takes up to max new events from worker w's ring into out, dropping
 * duplicates (sequence at or below the last accepted). Returns how many.
 */
unsigned shmif_take(struct shmif *s, unsigned w, struct lw_bind_event *out, unsigned max);

/* Publishes that every event of worker w up to seq is durable. */
void shmif_set_durable(struct shmif *s, unsigned w, uint64_t seq);

/* Enqueues one command for worker w. 0, or -ENOBUFS when its ring is full. */
int shmif_cmd(struct shmif *s, unsigned w, const union lw_cmd *c);

/* Worker that owns a client key (RFC 3074 hash bucket -> worker). */
unsigned shmif_owner(const struct shmif *s, const struct lw_client_key *k);

#endif
