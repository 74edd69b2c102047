/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The lease database on disk: a snapshot and journals in a state directory,
 * both in the journal file format (journal.h).
 *
 *   lock             flock()ed by the process that owns the directory
 *   leases.snap      snapshot: LDB_REC_SNAP_INFO, then one LDB_REC_BIND per
 *                    binding; written whole to leases.snap.tmp, fsync'd,
 *                    renamed, so it is never torn
 *   leases.jnl.<G>   journal of generation G (decimal): LDB_REC_JNL_INFO,
 *                    then LDB_REC_BIND records in commit order
 *
 * The store is the snapshot with every journal of a generation above the
 * one the snapshot covers replayed over it, in ascending generation order.
 * Journals at or below that generation are what a compaction left behind
 * when it stopped before deleting them; opening deletes them.
 *
 * Compaction runs in a child process (fork) that writes the snapshot from
 * its copy-on-write view of the store, while the parent appends to the next
 * journal. leasedb.c lists, step by step, what a crash at each point leaves
 * and why opening then rebuilds the same store.
 *
 * Threading: one thread owns a struct leasedb and the store given to it.
 * Functions return 0 (or a count) or a negative errno unless they say
 * otherwise.
 */
#ifndef LW_LEASEDB_H
#define LW_LEASEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/lw_records.h"
#include "store.h"

/* Record types (the journal's u16 type field). */
enum ldb_rec_type {
	LDB_REC_BIND = LW_EV_BIND,     /* struct lw_bind_event */
	LDB_REC_FO_ACK = LW_EV_FO_ACK, /* struct lw_bind_event of type LW_EV_FO_ACK */
	LDB_REC_SNAP_INFO = 0x100,     /* struct ldb_snap_info, first record of a snapshot */
	LDB_REC_JNL_INFO = 0x101,      /* struct ldb_jnl_info, first record of a journal */
};

#define LDB_SNAP_VERSION 1

struct ldb_snap_info {
	uint32_t version; /* LDB_SNAP_VERSION */
	uint32_t pad;
	uint64_t covers_generation; /* every journal <= this is in the snapshot */
	uint64_t created_unix;
	uint64_t count; /* LDB_REC_BIND records that follow */
};
_Static_assert(sizeof(struct ldb_snap_info) == 32, "snapshot info record");

struct ldb_jnl_info {
	uint64_t generation; /* the file's generation, as in its name */
};

#define LDB_MAX_CUTS 8

/* A journal whose torn or corrupt tail was cut at open. */
struct ldb_cut {
	char file[64];		/* name in the state directory */
	uint64_t records_kept;	/* valid records before the cut */
	uint64_t bytes_dropped; /* bytes removed from the end */
	const char *reason;	/* "torn record", "record checksum mismatch", ... */
};

/* What leasedb_open found; the caller prints it. */
struct leasedb_report {
	uint64_t snapshot_records;
	uint64_t journal_records; /* BIND records replayed from journals */
	uint32_t journals;	  /* journal files replayed */
	uint64_t bindings;	  /* store_count() after loading */
	uint64_t covers_generation;
	uint64_t generation; /* the journal appended to from now on */
	uint64_t elapsed_ms;
	unsigned n_cuts;
	struct ldb_cut cuts[LDB_MAX_CUTS];
	/* One line per noteworthy thing done (a cut, a leftover file deleted), '\n'-ended. */
	char log[2048];
};

/* Counters for statistics. Latencies are of durable syncs (write + fdatasync). */
struct leasedb_stats {
	uint64_t records;	  /* appended since open */
	uint64_t bytes;		  /* journal bytes appended since open */
	uint64_t syncs;		  /* durable syncs that had something to make durable */
	uint64_t journal_records; /* records in the journal being appended to */
	uint64_t generation;	  /* that journal's generation */
	uint32_t last_batch;	  /* records made durable by the last sync */
	uint32_t max_batch;
	uint64_t last_sync_us;
	uint64_t max_sync_us;
	uint64_t avg_sync_us;
	uint64_t total_sync_us;
	uint64_t compactions; /* finished successfully */
	uint64_t compaction_failures;
	uint64_t last_compaction_ms;	  /* fork to reaped child */
	uint64_t last_compaction_records; /* bindings in that snapshot */
};

struct leasedb;

/*
 * Opens (creating it, mode 0750, if missing) the state directory dir and
 * loads it into st, which should be empty. Takes an exclusive lock on
 * dir/lock for the life of the handle. On failure returns NULL, sets errno
 * and writes one line into err: another process holds the lock (-EWOULDBLOCK),
 * a damaged snapshot or journal header (-EINVAL), a record the store
 * rejects (-EINVAL), I/O errors; st may then hold part of the data and
 * should be freed. rep (optional) says what was loaded and what was
 * repaired. err may be NULL.
 */
struct leasedb *leasedb_open(
	const char *dir, struct store *st, struct leasedb_report *rep, char *err, size_t errlen);

/*
 * Syncs durably, waits for a running compaction, closes and unlocks.
 * Returns the sync's result. NULL is allowed.
 */
int leasedb_close(struct leasedb *db);

/* Buffers one binding event (no I/O unless the buffer is full). */
int leasedb_append(struct leasedb *db, const struct lw_bind_event *ev);

/*
 * Writes what is buffered; with durable, also fdatasync()s, after which every
 * record appended so far survives a crash. Group commit: append a batch,
 * sync once.
 */
int leasedb_sync(struct leasedb *db, bool durable);

/* Records appended since the last leasedb_sync(). */
size_t leasedb_pending(const struct leasedb *db);

void leasedb_stats(const struct leasedb *db, struct leasedb_stats *out);

/*
 * Starts a compaction: syncs the journal, moves appends to a new journal,
 * forks a child that writes the snapshot of st (leaving out EXPIRED and
 * RELEASED records that ended before now - history_window), and prunes the
 * same records from st so that the store stays what a restart would load.
 * st must hold exactly what was appended so far. Returns 0, -EBUSY when a
 * compaction is still running, or an error (nothing changed on disk then
 * except, possibly, the new empty journal, which is harmless).
 *
 * The caller reaps the child only through leasedb_compact_poll(): no
 * SIGCHLD = SIG_IGN, no waitpid(-1) in the process.
 */
int leasedb_compact_start(
	struct leasedb *db, struct store *st, uint32_t now, uint32_t history_window);

/*
 * Reaps a finished compaction (blocks until it finishes when wait is true)
 * and deletes the journals the new snapshot covers. Returns 1 when one
 * finished now, 0 when none is running or it is still running, a negative
 * code when it failed (LW_E_... or -errno; the old journals are kept, so
 * nothing is lost).
 */
int leasedb_compact_poll(struct leasedb *db, bool wait);

/* leasedb_compact_start() then leasedb_compact_poll(wait): 1 on success. */
int leasedb_compact(struct leasedb *db, struct store *st, uint32_t now, uint32_t history_window);

/* True while a compaction child runs. */
bool leasedb_compacting(const struct leasedb *db);

/* Why the last compaction failed (one line), or NULL. */
const char *leasedb_compact_error(const struct leasedb *db);

#endif
