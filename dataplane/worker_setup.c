/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Building and freeing the workers (worker.h): shards, rings between
 * workers, TX buffers, hold queues, and the shared region with control.
 * Main lcore only, before the workers start or after they stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "worker.h"

#define RING_SIZE 1024

static int worker_send(void *arg, unsigned to, const struct wmsg *m)
{
	struct worker *w = arg;

	if (to >= w->dp->n_workers || w->msg_out[to] == NULL)
		return -EINVAL;
	return rte_ring_sp_enqueue_elem(w->msg_out[to], (void *)(uintptr_t)m, sizeof(*m)) == 0
		       ? 0
		       : -ENOBUFS;
}

static unsigned auto_capacity(const struct lw_config *cfg, unsigned n_workers)
{
	uint64_t total = 0, cap;

	for (unsigned i = 0; i < cfg->n_pools; i++)
		total += (uint64_t)cfg->pools[i].end - cfg->pools[i].start + 1;
	for (unsigned i = 0; i < cfg->n_subnets; i++)
		total += cfg->subnets[i].n_reservations;
	cap = total * 2 / n_workers + 1024;
	return cap > UINT32_MAX / 2 ? UINT32_MAX / 2 : (unsigned)cap;
}

/*
 * Held ACKs keep their mbufs from the port's pool: at most a quarter of it
 * per worker, so that RX never starves while control is slow.
 */
static unsigned hold_capacity(const struct lw_config *cfg, unsigned n_workers)
{
	unsigned want = cfg->mbufs / (4 * n_workers), cap = 64;

	while (cap * 2 <= want && cap * 2 <= HOLDQ_MAX)
		cap *= 2;
	return cap;
}

int workers_create(struct lw_dp *dp, char *err, size_t errlen)
{
	const struct lw_config *cfg = dp->cfg;
	unsigned n = dp->n_workers;
	unsigned capacity = cfg->max_leases ? cfg->max_leases : auto_capacity(cfg, n);
	int rc;

	/* Bucket -> worker; control reads the same table from the region. */
	for (unsigned b = 0; b < 256; b++)
		dp->owner[b] = (uint8_t)(b % n);
	rc = ctlif_create(&dp->ctl, cfg, n, dp->owner, err, errlen);
	if (rc < 0)
		return rc;

	/* No address has an owner until control loads the bindings and grants the rest. */
	dp->as = addr_space_create_unowned(cfg, n);
	if (dp->as == NULL) {
		snprintf(err, errlen,
			"%s: pools: cannot build the address tables for %u workers: %s", cfg->path,
			n, strerror(errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		int socket = (int)rte_lcore_to_socket_id(dp->lcores[i]);
		struct shard_params sp;
		struct worker *w;

		w = rte_zmalloc_socket("lw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL) {
			snprintf(err, errlen,
				"%s: dataplane.eal_args: no memory for worker %u; give EAL "
				"more memory (-m, hugepages)",
				cfg->path, i);
			return -ENOMEM;
		}
		dp->workers[i] = w;
		w->id = i;
		w->lcore = dp->lcores[i];
		w->dp = dp;
		w->log = dp->log_leases;
		neigh_init(&w->neigh);

		w->hdr = dp->ctl.hdr;
		w->shm = ctlif_worker(&dp->ctl, i);
		w->ctr = w->shm->ctr;
		/* hdr->n_pools == dp->as->n_pools: both are cfg->n_pools. */
		w->pool_free = ctlif_pool_free(&dp->ctl, i);
		w->ev_ring = ctlif_ev_ring(&dp->ctl, i);
		w->cmd_ring = ctlif_cmd_ring(&dp->ctl, i);
		w->dp_gen = dp->ctl.hdr->dp_generation;
		w->hold_acks = cfg->control.durability == LW_DURABILITY_FSYNC;
		w->ack_hold_ms = cfg->control.ack_hold_ms;
		/* One grant per pool per stream; a control process that restarts
		 * while the dataplane loads streams again. */
		w->max_grants = 4 * cfg->n_pools + 64;
		w->grants = calloc(w->max_grants, sizeof(*w->grants));
		if (w->grants == NULL || holdq_init(&w->hq, hold_capacity(cfg, n)) < 0) {
			snprintf(err, errlen, "%s: no memory for the control queues of worker %u",
				cfg->path, i);
			return -ENOMEM;
		}

		memset(&sp, 0, sizeof(sp));
		sp.id = i;
		sp.socket = (unsigned)socket;
		sp.capacity = capacity;
		sp.as = dp->as;
		sp.cfg = cfg;
		sp.send = worker_send;
		sp.send_arg = w;
		sp.ctr = w->ctr;
		w->shard = shard_create(&sp);
		if (w->shard == NULL) {
			snprintf(err, errlen,
				"%s: dataplane.max_leases: cannot create the lease table of worker "
				"%u with "
				"%u slots (%s); lower dataplane.max_leases or give EAL more memory "
				"(-m)",
				cfg->path, i, capacity, strerror(errno));
			return -ENOMEM;
		}
		w->ctx.cfg = cfg;
		w->ctx.tbl = dp->tbl;
		w->ctx.shard = w->shard;
		w->ctx.ctr = w->ctr;
		w->ctx.fo = &w->fo;
		w->ctx.oc = w->oc;

		for (unsigned p = 0; p < dp->n_ports; p++) {
			struct rte_eth_dev_tx_buffer *b = rte_zmalloc_socket("lw_txb",
				RTE_ETH_TX_BUFFER_SIZE(LW_BURST), RTE_CACHE_LINE_SIZE, socket);

			if (b == NULL) {
				snprintf(err, errlen,
					"%s: no memory for the TX buffers of worker %u", cfg->path,
					i);
				return -ENOMEM;
			}
			w->txb[p] = b;
			rte_eth_tx_buffer_init(b, LW_BURST);
			rte_eth_tx_buffer_set_err_callback(
				b, rte_eth_tx_buffer_count_callback, &w->ctr[LW_CTR_TX_DROP]);
		}
	}

	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++) {
			char name[RTE_RING_NAMESIZE];
			int socket = (int)rte_lcore_to_socket_id(dp->lcores[j]);
			struct rte_ring *r;

			if (i == j)
				continue;
			snprintf(name, sizeof(name), "lw_steer_%u_%u", i, j);
			r = rte_ring_create(name, RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				goto ring_fail;
			dp->workers[i]->steer_out[j] = dp->workers[j]->steer_in[i] = r;
			snprintf(name, sizeof(name), "lw_msg_%u_%u", i, j);
			r = rte_ring_create_elem(name, sizeof(struct wmsg), RING_SIZE, socket,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				goto ring_fail;
			dp->workers[i]->msg_out[j] = dp->workers[j]->msg_in[i] = r;
		}
	}
	return 0;

ring_fail:
	snprintf(err, errlen,
		"%s: cannot create the rings between workers: %s; give EAL more "
		"memory (-m) in dataplane.eal_args",
		cfg->path, rte_strerror(rte_errno));
	return -ENOMEM;
}

void workers_free(struct lw_dp *dp)
{
	struct holdq_item held[LW_BURST];
	void *pkts[LW_BURST];
	unsigned n;

	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		for (unsigned j = 0; j < dp->n_workers; j++) {
			if (w->steer_in[j]) {
				while ((n = rte_ring_sc_dequeue_burst(
						w->steer_in[j], pkts, LW_BURST, NULL)))
					rte_pktmbuf_free_bulk((struct rte_mbuf **)pkts, n);
				rte_ring_free(w->steer_in[j]);
			}
			rte_ring_free(w->msg_in[j]);
		}
		for (unsigned p = 0; p < dp->n_ports; p++) {
			struct rte_eth_dev_tx_buffer *b = w->txb[p];

			if (b && b->length)
				rte_pktmbuf_free_bulk(b->pkts, b->length);
			rte_free(b);
		}
		while ((n = neigh_flush(&w->neigh, pkts, LW_BURST)) > 0)
			rte_pktmbuf_free_bulk((struct rte_mbuf **)pkts, n);
		if (w->hq.q) {
			while ((n = holdq_flush(&w->hq, held, LW_BURST)) > 0)
				for (unsigned k = 0; k < n; k++)
					rte_pktmbuf_free(held[k].pkt);
			holdq_fini(&w->hq);
		}
		if (w->n_dead)
			rte_pktmbuf_free_bulk(w->dead, w->n_dead);
		free(w->grants);
		shard_free(w->shard);
		rte_free(w);
		dp->workers[i] = NULL;
	}
	addr_space_free(dp->as);
	dp->as = NULL;
}
