/* SPDX-License-Identifier: MPL-2.0 */
/* What leasedb.c (open, load, append) and leasedb_compact.c share. Not an API. */
#ifndef LW_LEASEDB_PVT_H
#define LW_LEASEDB_PVT_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "journal.h"
#include "leasedb.h"

#define LDB_SNAP_NAME	  "leases.snap"
#define LDB_SNAP_TMP_NAME "leases.snap.tmp"
#define LDB_JNL_PREFIX	  "leases.jnl."
#define LDB_LOCK_NAME	  "lock"

struct leasedb {
	char dir[PATH_MAX];
	int dirfd;
	int lockfd;
	struct journal *j;
	uint64_t gen;	  /* generation of j */
	uint64_t covers;  /* generation the snapshot on disk covers */
	size_t unsynced;  /* records since the last leasedb_sync() */
	size_t undurable; /* records since the last durable sync */

	pid_t child; /* compaction running, 0 if none */
	uint64_t child_covers;
	uint64_t child_records;
	uint64_t child_t0_ms;

	struct leasedb_stats stats;
	char compact_error[160];
};

uint64_t ldb_now_us(void);
/* dir/name into out; -ENAMETOOLONG if it does not fit. */
int ldb_path(char *out, size_t len, const char *dir, const char *name);
void ldb_jnl_name(char *out, size_t len, uint64_t gen);
/* Generations of the journals in the directory, ascending (*out: free() it). */
int ldb_list_journals(int dirfd, uint64_t **out, size_t *n);
/* Opens journal gen for append; a journal with no records gets its JNL_INFO first. */
int ldb_open_journal(struct leasedb *db, uint64_t gen, struct journal **out);

#endif
