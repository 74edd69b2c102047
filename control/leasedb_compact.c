/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Lease database compaction, and what a crash at each of its steps leaves.
 * C is the generation the current snapshot covers (0 when there is none),
 * G the journal being appended to (G > C), and opening always loads:
 * snapshot, then every journal above C in ascending order, deleting
 * journals <= C and a leftover leases.snap.tmp.
 *
 *  1. Sync journal G (fdatasync).
 *     Crash: nothing new on disk; G holds every record.
 *  2. Create journal G+1: header, fsync, fsync of the directory, then its
 *     JNL_INFO record, fdatasync. Appends now go to G+1.
 *     Crash: G+1 is empty, or has only the header, or a torn JNL_INFO (cut
 *     at open). Opening loads snapshot C + journals C+1..G+1 and appends to
 *     G+1, writing JNL_INFO if it has no records.
 *  3. fork(). The child writes leases.snap.tmp (journal format:
 *     SNAP_INFO covering G, then the bindings) and fdatasyncs it; the parent
 *     keeps appending to G+1.
 *     Crash: leases.snap.tmp is partial or complete but not renamed; opening
 *     deletes it and loads snapshot C + journals C+1..G+1, all still there.
 *  4. The child renames leases.snap.tmp to leases.snap, fsyncs the
 *     directory, exits 0.
 *     Crash before the directory fsync: either name may survive; the old
 *     snapshot with C+1..G+1 or the new one with G+1 load the same store.
 *     Crash after it: the new snapshot covers G; journals C+1..G are
 *     leftovers, deleted at open; G+1 is replayed.
 *  5. The parent reaps the child and deletes journals <= G, then fsyncs the
 *     directory.
 *     Crash part-way: the remaining journals <= G are deleted at open.
 *
 * A child that fails (exit != 0, killed) leaves the old snapshot and every
 * journal: the next compaction starts again from step 1. A torn journal
 * tail can only be in the last journal written before a crash; earlier
 * journals were synced before the next one was created.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leasedb_pvt.h"

#define SNAP_BUF (1u << 20)

const char *leasedb_compact_error(const struct leasedb *db)
{
	return db->compact_error[0] ? db->compact_error : NULL;
}

bool leasedb_compacting(const struct leasedb *db)
{
	return db->child > 0;
}

/* Child exit codes: which step failed. */
enum {
	SNAP_OK = 0,
	SNAP_E_OPEN = 10,
	SNAP_E_WRITE = 11,
	SNAP_E_RENAME = 12,
	SNAP_E_DIRSYNC = 13,
};

static const char *snap_step(int code)
{
	switch (code) {
	case SNAP_E_OPEN:
		return "creating " LDB_SNAP_TMP_NAME;
	case SNAP_E_WRITE:
		return "writing " LDB_SNAP_TMP_NAME;
	case SNAP_E_RENAME:
		return "renaming " LDB_SNAP_TMP_NAME " to " LDB_SNAP_NAME;
	case SNAP_E_DIRSYNC:
		return "syncing the state directory";
	default:
		return "unknown step";
	}
}

static bool kept(const struct store_lease *l, uint32_t cutoff)
{
	return !((l->state == LW_BIND_EXPIRED || l->state == LW_BIND_RELEASED) && l->end < cutoff);
}

/*
 * The child's whole job. Writes in address order (the load then fills the
 * store's array in address order too). Touches no stdio stream: the child
 * leaves through _exit(), and the parent's buffered output stays the
 * parent's.
 */
static int snap_write(const struct leasedb *db, const struct store *st, uint64_t covers,
	uint32_t cutoff, uint32_t now)
{
	const struct store_lease *page[1024];
	struct ldb_snap_info info = {
		.version = LDB_SNAP_VERSION,
		.covers_generation = covers,
		.created_unix = now,
	};
	char tmp[PATH_MAX], snap[PATH_MAX];
	struct journal *j;
	uint32_t after = 0;
	unsigned n;

	if (ldb_path(tmp, sizeof(tmp), db->dir, LDB_SNAP_TMP_NAME) < 0 ||
		ldb_path(snap, sizeof(snap), db->dir, LDB_SNAP_NAME) < 0)
		return SNAP_E_OPEN;
	while ((n = store_page(st, after, page, 1024)) > 0) {
		for (unsigned i = 0; i < n; i++)
			info.count += kept(page[i], cutoff);
		after = page[n - 1]->addr;
	}
	j = journal_open(tmp, SNAP_BUF, NULL);
	if (j == NULL)
		return SNAP_E_OPEN;
	if (journal_append(j, LDB_REC_SNAP_INFO, &info, sizeof(info)) < 0)
		goto fail;
	after = 0;
	while ((n = store_page(st, after, page, 1024)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			struct lw_bind_event ev;

			if (!kept(page[i], cutoff))
				continue;
			store_lease_to_event(page[i], &ev);
			if (journal_append(j, LDB_REC_BIND, &ev, sizeof(ev)) < 0)
				goto fail;
			/* Failover fields follow their binding (not counted). */
			if (store_lease_to_ack(page[i], &ev) &&
				journal_append(j, LDB_REC_FO_ACK, &ev, sizeof(ev)) < 0)
				goto fail;
		}
		after = page[n - 1]->addr;
	}
	if (journal_close(j) < 0)
		return SNAP_E_WRITE;
	if (rename(tmp, snap) < 0)
		return SNAP_E_RENAME;
	if (fsync(db->dirfd) < 0)
		return SNAP_E_DIRSYNC;
	return SNAP_OK;
fail:
	journal_close(j);
	return SNAP_E_WRITE;
}

int leasedb_compact_start(
	struct leasedb *db, struct store *st, uint32_t now, uint32_t history_window)
{
	uint32_t cutoff = now > history_window ? now - history_window : 0;
	struct journal *next, *old;
	pid_t parent = getpid(), pid;
	int rc;

	if (db->child > 0)
		return -EBUSY;
	db->compact_error[0] = '\0';
	/* Steps 1 and 2 (see the top of this file). */
	if ((rc = leasedb_sync(db, true)) < 0)
		return rc;
	if (unlinkat(db->dirfd, LDB_SNAP_TMP_NAME, 0) < 0 && errno != ENOENT)
		return -errno;
	if ((rc = ldb_open_journal(db, db->gen + 1, &next)) < 0)
		return rc;
	old = db->j;
	db->j = next;
	db->gen++;
	db->stats.generation = db->gen;
	db->stats.journal_records = 0;
	(void)journal_close(old); /* already durable: nothing left to lose */

	/* Steps 3 and 4 run in the child. */
	db->child_t0_ms = ldb_now_us() / 1000;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* A child outliving a crashed parent would hold the directory lock. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(SNAP_E_OPEN);
		_exit(snap_write(db, st, db->gen - 1, cutoff, now));
	}
	db->child = pid;
	db->child_covers = db->gen - 1;
	/* The child saw the store before this: it writes the same records. */
	store_prune(st, cutoff);
	db->child_records = store_count(st);
	return 0;
}

/* Step 5: the journals the new snapshot covers go. */
static void drop_covered(struct leasedb *db, uint64_t covers)
{
	uint64_t *gens;
	size_t n;

	if (ldb_list_journals(db->dirfd, &gens, &n) < 0)
		return; /* they go at the next open */
	for (size_t i = 0; i < n && gens[i] <= covers; i++) {
		char name[64];

		ldb_jnl_name(name, sizeof(name), gens[i]);
		(void)unlinkat(db->dirfd, name, 0);
	}
	free(gens);
	(void)fsync(db->dirfd);
}

int leasedb_compact_poll(struct leasedb *db, bool wait)
{
	int status = 0;
	pid_t r;

	if (db->child <= 0)
		return 0;
	do
		r = waitpid(db->child, &status, wait ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	db->child = 0;
	if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == SNAP_OK) {
		drop_covered(db, db->child_covers);
		db->covers = db->child_covers;
		db->stats.compactions++;
		db->stats.last_compaction_ms = ldb_now_us() / 1000 - db->child_t0_ms;
		db->stats.last_compaction_records = db->child_records;
		return 1;
	}
	if (r < 0)
		snprintf(db->compact_error, sizeof(db->compact_error), "compaction: waitpid: %s",
			strerror(errno));
	else if (WIFEXITED(status))
		snprintf(db->compact_error, sizeof(db->compact_error),
			"compaction failed %s; the journals are kept",
			snap_step(WEXITSTATUS(status)));
	else
		snprintf(db->compact_error, sizeof(db->compact_error),
			"compaction killed by signal %d; the journals are kept",
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	(void)unlinkat(db->dirfd, LDB_SNAP_TMP_NAME, 0);
	db->stats.compaction_failures++;
	return -EIO;
}

int leasedb_compact(struct leasedb *db, struct store *st, uint32_t now, uint32_t history_window)
{
	int rc = leasedb_compact_start(db, st, now, history_window);

	return rc < 0 ? rc : leasedb_compact_poll(db, true);
}
