/* SPDX-License-Identifier: MPL-2.0 */
#include <inttypes.h>

#include <rte_common.h>

#include "stats.h"
#include "worker.h"

#define NAME_W	26
#define TOTAL_W 13
#define COL_W	10

static void row(FILE *f, const char *name, const uint64_t *v, unsigned n)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++)
		total += v[i];
	fprintf(f, "%-*s%*" PRIu64, NAME_W, name, TOTAL_W, total);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%*" PRIu64, COL_W, v[i]);
	fputc('\n', f);
}

void stats_dump(const struct lw_dp *dp, FILE *f)
{
	static const char *const shard_rows[] = {
		"leases",
		"leases-active",
		"addresses-free",
		"addresses-declined",
		"acks-waiting",
		"events-not-durable",
	};
	uint64_t v[LW_MAX_WORKERS];
	unsigned n = dp->n_workers;
	char col[16];

	/* One block: --log-leases lines from the workers must not land inside it. */
	flockfile(f);
	fprintf(f, "=== leasewire counters ===\n");
	fprintf(f, "%-*s%*s", NAME_W, "name", TOTAL_W, "total");
	for (unsigned i = 0; i < n; i++) {
		snprintf(col, sizeof(col), "w%u", i);
		fprintf(f, "%*s", COL_W, col);
	}
	fputc('\n', f);

	for (unsigned c = 0; c < LW_CTR_MAX; c++) {
		for (unsigned i = 0; i < n; i++)
			v[i] = __atomic_load_n(&dp->workers[i]->ctr[c], __ATOMIC_RELAXED);
		row(f, lw_counter_name((enum lw_counter)c), v, n);
	}
	for (unsigned r = 0; r < RTE_DIM(shard_rows); r++) {
		for (unsigned i = 0; i < n; i++) {
			const struct lw_shm_worker *sh = dp->workers[i]->shm;

			switch (r) {
			case 0:
				v[i] = __atomic_load_n(&sh->leases, __ATOMIC_RELAXED);
				break;
			case 1:
				v[i] = __atomic_load_n(&sh->active, __ATOMIC_RELAXED);
				break;
			case 2:
				v[i] = __atomic_load_n(&sh->free, __ATOMIC_RELAXED);
				break;
			case 3:
				v[i] = __atomic_load_n(&sh->declined, __ATOMIC_RELAXED);
				break;
			case 4:
				v[i] = __atomic_load_n(&sh->held_acks, __ATOMIC_RELAXED);
				break;
			default: {
				uint64_t last = __atomic_load_n(&sh->last_seq, __ATOMIC_RELAXED);
				uint64_t d = __atomic_load_n(&sh->durable_seq, __ATOMIC_RELAXED);

				v[i] = last > d ? last - d : 0;
				break;
			}
			}
		}
		row(f, shard_rows[r], v, n);
	}
	fprintf(f, "=== end ===\n");
	fflush(f);
	funlockfile(f);
}
