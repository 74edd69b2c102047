/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The counter dump the dataplane prints on SIGUSR1 and at exit. Scripts
 * parse it, so the format is fixed:
 *
 *   === leasewire counters ===
 *   name                              total        w0        w1
 *   rx-packets                           12         7         5
 *   ...                     (every counter, in enum lw_counter order)
 *   leases / leases-active / addresses-free / addresses-declined /
 *   acks-waiting / events-not-durable   (shard state, from the shared region)
 *   === end ===
 *
 * Threading: main lcore; reads the workers' counters while they run.
 */
#ifndef LW_STATS_H
#define LW_STATS_H

#include <stdio.h>

struct lw_dp;

void stats_dump(const struct lw_dp *dp, FILE *f);

#endif
