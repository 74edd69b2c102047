/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The statistics the control process publishes, in one list that both the
 * control socket (statistic-get, statistic-get-all: Kea's names and shape)
 * and the Prometheus endpoint (metrics.c) walk, so the two never disagree
 * on a name or a value.
 *
 * Names. Kea's where Kea has the statistic ("pkt4-received",
 * "subnet[1].assigned-addresses"), leasewire's own otherwise
 * ("worker[0].rx-packets", "fsync-latency-us-avg"). A subnet's id is its
 * index in the configuration plus one (subnets are sorted by network
 * address), as in every lease's "subnet-id".
 *
 * Threading: plain functions over the caller's data.
 */
#ifndef LW_CTL_STATISTICS_H
#define LW_CTL_STATISTICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/lw_counters.h"
#include "common/lw_shm.h"

struct lw_config;
struct store;

/* Raw numbers of the running process, filled by ctl_env.stats(). */
struct ctl_stats {
	unsigned n_workers;
	uint64_t ctr[LW_SHM_MAX_WORKERS][LW_CTR_MAX]; /* enum lw_counter, per worker */
	uint32_t held_acks[LW_SHM_MAX_WORKERS];
	double rate_rx[LW_SHM_MAX_WORKERS]; /* DHCP requests/s over the last second */
	double rate_ack[LW_SHM_MAX_WORKERS];
	uint64_t events_journaled, events_duplicate, cmd_ring_full, ev_ring_full_seen;
	uint64_t rebalance_moves, rebalance_addresses; /* LW_CMD_MOVE sent, addresses in them */
	uint64_t journal_records, journal_syncs, journal_bytes;
	uint32_t fsync_batch_last, fsync_batch_max;
	double fsync_batch_avg, fsync_latency_us_last, fsync_latency_us_avg, fsync_latency_us_max;
	uint64_t durable_seq[LW_SHM_MAX_WORKERS];
	/* The control socket: requests the command handler answered, those
	 * answered with result 1 or 2, and what the socket turned away. */
	uint64_t ctl_requests, ctl_failed, ctl_rejected, ctl_refused, ctl_timed_out;
};

enum ctl_stat_scope {
	CTL_STAT_GLOBAL = 0,
	CTL_STAT_WORKER = 1, /* "worker[N].name", Prometheus label worker="N" */
	CTL_STAT_SUBNET = 2, /* "subnet[ID].name", labels subnet_id and subnet */
};

/* One value. */
struct ctl_stat {
	const char *name; /* without the scope: "pkt4-received", "rx-packets" */
	const char *help;
	uint8_t scope;	/* enum ctl_stat_scope */
	bool counter;	/* only ever grows (statistic-reset-all subtracts a baseline) */
	bool real;	/* the value is d, else u */
	unsigned index; /* worker number, or subnet index */
	uint64_t u;
	double d;
};

struct ctl_stat_src {
	const struct ctl_stats *raw;
	const struct ctl_stats *baseline; /* subtracted from counters; NULL = none */
	const struct lw_config *cfg;	  /* per-subnet values; NULL = none */
	const struct store *store;	  /* NULL = no lease figures */
};

/*
 * Calls fn for every statistic, family by family (all instances of one name
 * and scope in a row, so that an exposition format can write each family's
 * header once). A non-zero return from fn stops the walk and is returned.
 */
int ctl_stat_foreach(
	const struct ctl_stat_src *src, int (*fn)(void *arg, const struct ctl_stat *s), void *arg);

/* The statistic's full name ("worker[0].rx-packets") into buf; returns buf. */
char *ctl_stat_fullname(const struct ctl_stat *s, char *buf, size_t len);

/* Kea's subnet id of configuration subnet index i. */
static inline unsigned ctl_subnet_id(unsigned index)
{
	return index + 1;
}

#endif
