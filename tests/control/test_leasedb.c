/* SPDX-License-Identifier: MPL-2.0 */
/* Lease database: round trip through the state directory, torn journal
 * tails, compaction with its history window, every crash point of a
 * compaction (recreated by leaving the files that crash would leave), and
 * the directory lock. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/lw_ip.h"
#include "control/journal.h"
#include "control/leasedb.h"
#include "control/store.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define NOW	      1800000000u
#define WINDOW	      3600u

static char dir[64];
static char err[512];

static void rm_rf(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	char p[512];

	if (dd == NULL)
		return;
	while ((e = readdir(dd)) != NULL) {
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", d, e->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rm_rf(p);
		else
			unlink(p);
	}
	closedir(dd);
	rmdir(d);
}

static void setup(void)
{
	strcpy(dir, "/tmp/lw-leasedb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	rm_rf(dir);
}

TestSuite(leasedb, .init = setup, .fini = teardown);

static const char *path(const char *name)
{
	static char p[4][128];
	static unsigned i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static bool exists(const char *name)
{
	return access(path(name), F_OK) == 0;
}

static off_t size_of(const char *name)
{
	struct stat sb;

	cr_assert_eq(stat(path(name), &sb), 0, "%s", name);
	return sb.st_size;
}

static struct lw_bind_event ev(
	uint32_t addr, unsigned client, uint8_t state, uint32_t start, uint32_t end)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = state;
	e.addr = addr;
	e.start = start;
	e.end = end;
	e.subnet = 0;
	e.pool = 0;
	if (state != LW_BIND_FREE) {
		e.key.kind = LW_KEY_HWADDR;
		e.key.len = 7;
		e.key.data[0] = 1;
		e.key.data[1] = 2;
		e.key.data[4] = (uint8_t)(client >> 8);
		e.key.data[5] = (uint8_t)client;
	}
	return e;
}

/* Applies and journals, as the control process does. */
static void commit(struct leasedb *db, struct store *st, struct lw_bind_event e)
{
	cr_assert_eq(store_apply(st, &e), 0);
	cr_assert_eq(leasedb_append(db, &e), 0);
}

static struct leasedb *open_ok(struct store **st, struct leasedb_report *rep)
{
	struct leasedb *db;

	*st = store_create(0);
	cr_assert_not_null(*st);
	db = leasedb_open(dir, *st, rep, err, sizeof(err));
	cr_assert_not_null(db, "open: %s", err);
	return db;
}

/* Two stores hold the same records. */
static void expect_same(const struct store *a, const struct store *b)
{
	const struct store_lease *pa[256], *pb[256];
	uint32_t after = 0;
	unsigned na, nb;

	cr_assert_eq(store_count(a), store_count(b), "%u records, expected %u", store_count(b),
		store_count(a));
	do {
		na = store_page(a, after, pa, 256);
		nb = store_page(b, after, pb, 256);
		cr_assert_eq(na, nb);
		for (unsigned i = 0; i < na; i++)
			cr_assert(memcmp(pa[i], pb[i], sizeof(*pa[i])) == 0, "record %08x differs",
				pa[i]->addr);
		if (na)
			after = pa[na - 1]->addr;
	} while (na);
}

/* Reopens the directory into a fresh store and compares it with want. */
static void reopen_expect(const struct store *want, struct leasedb_report *rep)
{
	struct store *st;
	struct leasedb *db = open_ok(&st, rep);

	expect_same(want, st);
	cr_assert_eq(leasedb_close(db), 0);
	store_free(st);
}

/* A few hundred bindings with a history: active, expired, released, declined. */
static void fill(struct leasedb *db, struct store *st, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		commit(db, st, ev(A(198, 18, 0, 0) + i, i, LW_BIND_ACTIVE, NOW - 100, NOW + 3600));
	for (unsigned i = 0; i < n; i += 4)
		commit(db, st, ev(A(198, 18, 0, 0) + i, i, LW_BIND_EXPIRED, NOW - 100, NOW - 50));
	for (unsigned i = 1; i < n; i += 4)
		commit(db, st, ev(A(198, 18, 0, 0) + i, i, LW_BIND_RELEASED, NOW - 100, NOW - 40));
	for (unsigned i = 2; i < n; i += 8)
		commit(db, st, ev(A(198, 18, 0, 0) + i, 0, LW_BIND_DECLINED, NOW, NOW + 86400));
	for (unsigned i = 3; i < n; i += 16)
		commit(db, st, ev(A(198, 18, 0, 0) + i, 0, LW_BIND_FREE, NOW, NOW));
}

Test(leasedb, new_directory_then_round_trip)
{
	struct leasedb_report rep;
	struct leasedb_stats s;
	struct store *st;
	struct leasedb *db;
	struct stat sb;

	rmdir(dir); /* leasedb_open creates it */
	db = open_ok(&st, &rep);
	cr_assert_eq(stat(dir, &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0750);
	cr_expect(exists("leases.jnl.1"));
	cr_expect_eq(rep.generation, 1);
	cr_expect_eq(rep.bindings, 0);

	fill(db, st, 300);
	cr_expect_eq(leasedb_pending(db), 300 + 75 + 75 + 38 + 19);
	cr_assert_eq(leasedb_sync(db, true), 0);
	cr_expect_eq(leasedb_pending(db), 0);
	leasedb_stats(db, &s);
	cr_expect_eq(s.records, 507);
	cr_expect_eq(s.bytes, 507 * 80, "80 journal bytes per 64-byte event");
	cr_expect_eq(s.syncs, 1);
	cr_expect_eq(s.last_batch, 507);
	cr_expect_eq(s.max_batch, 507);
	cr_expect_eq(s.avg_sync_us, s.last_sync_us, "one sync: average = last");
	cr_expect_geq(s.max_sync_us, s.last_sync_us);
	cr_expect_eq(s.journal_records, 507);
	/* Nothing new: a durable sync is free and not counted. */
	cr_assert_eq(leasedb_sync(db, true), 0);
	leasedb_stats(db, &s);
	cr_expect_eq(s.syncs, 1);
	cr_assert_eq(leasedb_close(db), 0);

	reopen_expect(st, &rep);
	cr_expect_eq(rep.snapshot_records, 0);
	cr_expect_eq(rep.journal_records, 507);
	cr_expect_eq(rep.journals, 1);
	cr_expect_eq(rep.bindings, store_count(st));
	cr_expect_eq(rep.n_cuts, 0);
	cr_expect_str_empty(rep.log);
	cr_expect_eq(rep.generation, 1, "appends continue in the same journal");
	store_free(st);
}

Test(leasedb, appends_continue_after_reopen)
{
	struct leasedb_report rep;
	struct store *st, *st2;
	struct leasedb *db = open_ok(&st, &rep);

	fill(db, st, 50);
	cr_assert_eq(leasedb_close(db), 0);
	db = open_ok(&st2, &rep);
	store_free(st2);
	commit(db, st, ev(A(198, 18, 1, 1), 999, LW_BIND_ACTIVE, NOW, NOW + 60));
	cr_assert_eq(leasedb_close(db), 0);
	reopen_expect(st, &rep);
	cr_expect_eq(rep.journals, 1);
	store_free(st);
}

Test(leasedb, torn_tail_is_cut_and_reported)
{
	struct leasedb_report rep;
	struct store *st, *want = store_create(0);
	struct leasedb *db = open_ok(&st, &rep);
	off_t full;

	for (unsigned i = 0; i < 10; i++) {
		struct lw_bind_event e =
			ev(A(198, 18, 0, 10) + i, i, LW_BIND_ACTIVE, NOW, NOW + 60);

		cr_assert_eq(leasedb_append(db, &e), 0);
		if (i < 9)
			cr_assert_eq(store_apply(want, &e), 0);
	}
	cr_assert_eq(leasedb_close(db), 0);
	store_free(st);

	/* A crash in the middle of the last record. */
	full = size_of("leases.jnl.1");
	cr_assert_eq(truncate(path("leases.jnl.1"), full - 30), 0);
	reopen_expect(want, &rep);
	cr_assert_eq(rep.n_cuts, 1);
	cr_expect_str_eq(rep.cuts[0].file, "leases.jnl.1");
	cr_expect_eq(rep.cuts[0].records_kept, 9);
	cr_expect_eq(rep.cuts[0].bytes_dropped, 80 - 30);
	cr_expect_str_eq(rep.cuts[0].reason, "torn record");
	cr_expect_not_null(strstr(rep.log, "leases.jnl.1: torn record"), "log: %s", rep.log);
	cr_expect_eq(size_of("leases.jnl.1"), full - 80, "the tail is gone from the file");

	/* Cut once: the next open is clean. */
	reopen_expect(want, &rep);
	cr_expect_eq(rep.n_cuts, 0);
	store_free(want);
}

Test(leasedb, corrupt_record_keeps_everything_before_it)
{
	struct leasedb_report rep;
	struct store *st, *want = store_create(0);
	struct leasedb *db = open_ok(&st, &rep);
	uint8_t x = 0xee;
	int fd;

	for (unsigned i = 0; i < 10; i++) {
		struct lw_bind_event e =
			ev(A(198, 18, 0, 10) + i, i, LW_BIND_ACTIVE, NOW, NOW + 60);

		cr_assert_eq(leasedb_append(db, &e), 0);
		if (i < 4)
			cr_assert_eq(store_apply(want, &e), 0);
	}
	cr_assert_eq(leasedb_close(db), 0);
	store_free(st);

	/* Header, JNL_INFO (24 bytes framed), then 80 bytes per event: damage event 5. */
	fd = open(path("leases.jnl.1"), O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, &x, 1, JOURNAL_HDR_LEN + 24 + 4 * 80 + 40), 1);
	close(fd);
	reopen_expect(want, &rep);
	cr_assert_eq(rep.n_cuts, 1);
	cr_expect_eq(rep.cuts[0].records_kept, 4);
	cr_expect_eq(rep.cuts[0].bytes_dropped, 6 * 80);
	cr_expect_str_eq(rep.cuts[0].reason, "record checksum mismatch");
	store_free(want);
}

Test(leasedb, compaction_writes_a_snapshot_and_drops_old_journals_and_history)
{
	struct leasedb_report rep;
	struct leasedb_stats s;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);
	uint32_t before;

	fill(db, st, 256);
	/* History inside the window stays. */
	commit(db, st, ev(A(198, 18, 2, 1), 1001, LW_BIND_EXPIRED, NOW - 10, NOW - 5));
	commit(db, st, ev(A(198, 18, 2, 2), 1002, LW_BIND_RELEASED, NOW - 10, NOW - 5));
	/* A declined address whose probation ended long ago stays: only its FREE event removes it.
	 */
	commit(db, st, ev(A(198, 18, 2, 3), 0, LW_BIND_DECLINED, 1000, 2000));
	before = store_count(st);

	/* The cut-off is now - window; the fill's history ended 40..50 s before NOW. */
	cr_assert_eq(leasedb_compact(db, st, NOW + WINDOW - 45, WINDOW), 1);
	cr_expect(exists("leases.snap"));
	cr_expect(!exists("leases.snap.tmp"));
	cr_expect(!exists("leases.jnl.1"), "covered journal deleted");
	cr_expect(exists("leases.jnl.2"));
	/* 64 EXPIRED ended at NOW-50 (< cut-off), RELEASED at NOW-40 (kept). */
	cr_expect_eq(store_count(st), before - 64, "pruned from the live store too");
	cr_expect_null(store_get_addr(st, A(198, 18, 0, 0)));
	cr_expect_not_null(store_get_addr(st, A(198, 18, 0, 1)));
	cr_expect_not_null(store_get_addr(st, A(198, 18, 2, 3)));
	leasedb_stats(db, &s);
	cr_expect_eq(s.compactions, 1);
	cr_expect_eq(s.generation, 2);
	cr_expect_eq(s.journal_records, 0);
	cr_expect_eq(s.last_compaction_records, store_count(st));

	/* Appends after the compaction go to journal 2. */
	commit(db, st, ev(A(198, 18, 3, 1), 77, LW_BIND_ACTIVE, NOW, NOW + 60));
	cr_assert_eq(leasedb_close(db), 0);
	reopen_expect(st, &rep);
	cr_expect_eq(rep.snapshot_records, store_count(st) - 1);
	cr_expect_eq(rep.journal_records, 1);
	cr_expect_eq(rep.covers_generation, 1);
	cr_expect_eq(rep.generation, 2);
	cr_expect_str_empty(rep.log);

	/* A second compaction with a window that drops all history. */
	{
		struct store *st2;
		struct leasedb *db2 = open_ok(&st2, &rep);

		cr_assert_eq(leasedb_compact(db2, st2, NOW + 10 * WINDOW, WINDOW), 1);
		cr_expect(!exists("leases.jnl.2"));
		cr_expect(exists("leases.jnl.3"));
		for (uint32_t a = A(198, 18, 0, 0); a < A(198, 18, 4, 0); a++) {
			const struct store_lease *l = store_get_addr(st2, a);

			cr_assert(l == NULL || l->state == LW_BIND_ACTIVE ||
					  l->state == LW_BIND_DECLINED,
				"%08x still has history", a);
		}
		cr_assert_eq(leasedb_close(db2), 0);
		reopen_expect(st2, &rep);
		store_free(st2);
	}
	store_free(st);
}

Test(leasedb, appends_during_compaction_land_in_the_next_journal)
{
	struct leasedb_report rep;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);

	fill(db, st, 500);
	cr_assert_eq(leasedb_compact_start(db, st, NOW, WINDOW), 0);
	cr_expect(leasedb_compacting(db));
	cr_expect_eq(leasedb_compact_start(db, st, NOW, WINDOW), -EBUSY);
	for (unsigned i = 0; i < 100; i++)
		commit(db, st, ev(A(198, 18, 9, 0) + i, 5000 + i, LW_BIND_ACTIVE, NOW, NOW + 60));
	cr_assert_eq(leasedb_sync(db, true), 0);
	cr_expect_eq(leasedb_compact_poll(db, true), 1);
	cr_expect_eq(leasedb_compact_poll(db, false), 0, "nothing more to reap");
	cr_expect(!leasedb_compacting(db));
	cr_assert_eq(leasedb_close(db), 0);
	reopen_expect(st, &rep);
	cr_expect_eq(rep.journal_records, 100);
	store_free(st);
}

Test(leasedb, failed_compaction_keeps_the_journals)
{
	struct leasedb_report rep;
	struct leasedb_stats s;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);

	fill(db, st, 100);
	/* The rename onto leases.snap fails when a directory is in the way. */
	cr_assert_eq(mkdir(path("leases.snap"), 0700), 0);
	cr_assert_eq(leasedb_compact_start(db, st, NOW, WINDOW), 0);
	cr_expect_lt(leasedb_compact_poll(db, true), 0);
	cr_assert_not_null(leasedb_compact_error(db));
	cr_expect_not_null(
		strstr(leasedb_compact_error(db), "renaming"), "%s", leasedb_compact_error(db));
	leasedb_stats(db, &s);
	cr_expect_eq(s.compaction_failures, 1);
	cr_expect(exists("leases.jnl.1"));
	cr_expect(exists("leases.jnl.2"));
	cr_expect(!exists("leases.snap.tmp"));
	cr_assert_eq(leasedb_close(db), 0);
	cr_assert_eq(rmdir(path("leases.snap")), 0);
	reopen_expect(st, &rep);
	cr_expect_eq(rep.journals, 2);
	store_free(st);
}

/* Crash during step 3: a partial leases.snap.tmp beside the journals. */
Test(leasedb, crash_leaving_a_tmp_snapshot)
{
	struct leasedb_report rep;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);
	FILE *f;

	fill(db, st, 100);
	cr_assert_eq(leasedb_close(db), 0);
	f = fopen(path("leases.snap.tmp"), "w");
	cr_assert_not_null(f);
	fputs("LWJOURNL half a snapshot", f);
	fclose(f);

	reopen_expect(st, &rep);
	cr_expect(!exists("leases.snap.tmp"));
	cr_expect_not_null(strstr(rep.log, "leases.snap.tmp: deleted"), "log: %s", rep.log);
	store_free(st);
}

static uint8_t *slurp(const char *name, size_t *n)
{
	FILE *f = fopen(path(name), "rb");
	uint8_t *b;

	cr_assert_not_null(f, "%s", name);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	b = malloc(*n);
	cr_assert_eq(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

static void spit(const char *name, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path(name), "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Crash after step 4, before step 5: the old journal beside the snapshot that covers it. */
Test(leasedb, crash_leaving_a_covered_journal)
{
	struct leasedb_report rep;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);
	uint8_t *old;
	size_t n;

	fill(db, st, 100);
	/* Old history that the snapshot leaves out: replaying journal 1 again would bring it back.
	 */
	commit(db, st, ev(A(198, 18, 5, 5), 55, LW_BIND_EXPIRED, 10, 20));
	cr_assert_eq(leasedb_sync(db, true), 0);
	old = slurp("leases.jnl.1", &n);
	cr_assert_eq(leasedb_compact(db, st, NOW, WINDOW), 1);
	cr_assert_null(store_get_addr(st, A(198, 18, 5, 5)));
	commit(db, st, ev(A(198, 18, 5, 6), 56, LW_BIND_ACTIVE, NOW, NOW + 60));
	cr_assert_eq(leasedb_close(db), 0);
	spit("leases.jnl.1", old, n);
	free(old);

	reopen_expect(st, &rep);
	cr_expect(!exists("leases.jnl.1"));
	cr_expect_not_null(strstr(rep.log, "leases.jnl.1: deleted"), "log: %s", rep.log);
	cr_expect_eq(rep.journals, 1);
	store_free(st);
}

/* Crash after step 2 (or during 3): journal G+1 exists, no new snapshot. */
Test(leasedb, crash_leaving_the_next_journal_and_no_snapshot)
{
	struct leasedb_report rep;
	struct store *st, *st2;
	struct leasedb *db = open_ok(&st, &rep);
	struct journal *j;
	struct ldb_jnl_info ji = {.generation = 2};

	fill(db, st, 100);
	cr_assert_eq(leasedb_close(db), 0);
	/* What the parent wrote to journal 2 before the crash. */
	j = journal_open(path("leases.jnl.2"), 0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(journal_append(j, LDB_REC_JNL_INFO, &ji, sizeof(ji)), 0);
	for (unsigned i = 0; i < 20; i++) {
		struct lw_bind_event e =
			ev(A(198, 18, 0, 0) + i, 700 + i, LW_BIND_ACTIVE, NOW, NOW + 9);

		cr_assert_eq(journal_append(j, LDB_REC_BIND, &e, sizeof(e)), 0);
		cr_assert_eq(store_apply(st, &e), 0);
	}
	cr_assert_eq(journal_close(j), 0);

	db = open_ok(&st2, &rep);
	expect_same(st, st2);
	cr_expect_eq(rep.journals, 2);
	cr_expect_eq(rep.generation, 2, "appends go on in the newest journal");
	commit(db, st, ev(A(198, 18, 7, 7), 77, LW_BIND_ACTIVE, NOW, NOW + 9));
	cr_assert_eq(leasedb_close(db), 0);
	store_free(st2);
	reopen_expect(st, &rep);
	store_free(st);
}

/* Crash inside step 2: journal G+1 has its header only (no JNL_INFO yet). */
Test(leasedb, crash_leaving_an_empty_next_journal)
{
	struct leasedb_report rep;
	struct store *st;
	struct leasedb *db = open_ok(&st, &rep);
	struct journal *j;

	fill(db, st, 50);
	cr_assert_eq(leasedb_close(db), 0);
	j = journal_open(path("leases.jnl.2"), 0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(journal_close(j), 0);

	reopen_expect(st, &rep);
	cr_expect_eq(rep.journals, 2);
	cr_expect_eq(rep.generation, 2, "appends go on in the newest journal");
	cr_expect_eq(size_of("leases.jnl.2"), JOURNAL_HDR_LEN + 24, "its JNL_INFO was written");
	reopen_expect(st, &rep);
	cr_expect_eq(rep.n_cuts, 0);
	store_free(st);
}

Test(leasedb, corrupt_snapshot_is_refused)
{
	struct leasedb_report rep;
	struct store *st, *st2;
	struct leasedb *db = open_ok(&st, &rep);

	fill(db, st, 100);
	cr_assert_eq(leasedb_compact(db, st, NOW, WINDOW), 1);
	cr_assert_eq(leasedb_close(db), 0);
	cr_assert_eq(truncate(path("leases.snap"), size_of("leases.snap") - 10), 0);

	st2 = store_create(0);
	cr_expect_null(leasedb_open(dir, st2, &rep, err, sizeof(err)));
	cr_expect_eq(errno, EINVAL);
	cr_expect_not_null(strstr(err, "corrupt snapshot"), "%s", err);
	store_free(st2);
	store_free(st);
}

Test(leasedb, renamed_journal_is_refused)
{
	struct leasedb_report rep;
	struct store *st, *st2;
	struct leasedb *db = open_ok(&st, &rep);

	fill(db, st, 10);
	cr_assert_eq(leasedb_close(db), 0);
	cr_assert_eq(rename(path("leases.jnl.1"), path("leases.jnl.5")), 0);
	st2 = store_create(0);
	cr_expect_null(leasedb_open(dir, st2, &rep, err, sizeof(err)));
	cr_expect_not_null(strstr(err, "holds generation 1"), "%s", err);
	store_free(st2);
	store_free(st);
}

Test(leasedb, lock_refuses_a_second_open)
{
	struct leasedb_report rep;
	struct store *st, *st2 = store_create(0);
	struct leasedb *db = open_ok(&st, &rep), *db2;
	char pid[32];

	db2 = leasedb_open(dir, st2, &rep, err, sizeof(err));
	cr_expect_null(db2);
	cr_expect_eq(errno, EWOULDBLOCK);
	cr_expect_not_null(strstr(err, "in use by another process"), "%s", err);
	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	cr_expect_not_null(strstr(err, pid), "%s", err);

	cr_assert_eq(leasedb_close(db), 0);
	db2 = leasedb_open(dir, st2, &rep, err, sizeof(err));
	cr_expect_not_null(db2, "free again after close: %s", err);
	leasedb_close(db2);
	store_free(st2);
	store_free(st);
}

Test(leasedb, record_the_store_rejects_is_refused_by_number)
{
	struct ldb_jnl_info ji = {.generation = 1};
	struct store *st = store_create(0);
	struct leasedb_report rep;
	struct journal *j;

	cr_assert_eq(mkdir(dir, 0750) == 0 || errno == EEXIST, 1);
	j = journal_open(path("leases.jnl.1"), 0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(journal_append(j, LDB_REC_JNL_INFO, &ji, sizeof(ji)), 0);
	for (unsigned i = 0; i < 40; i++) {
		struct lw_bind_event e = ev(A(198, 18, 0, 0) + i, i, LW_BIND_ACTIVE, NOW, NOW + 9);

		if (i == 20)
			e.version = LW_RECORDS_VERSION + 1; /* a record from a newer program */
		cr_assert_eq(journal_append(j, LDB_REC_BIND, &e, sizeof(e)), 0);
	}
	cr_assert_eq(journal_close(j), 0);
	cr_expect_null(leasedb_open(dir, st, &rep, err, sizeof(err)));
	cr_expect_eq(errno, EINVAL);
	cr_expect_not_null(strstr(err, "leases.jnl.1: binding record 21 "), "%s", err);
	store_free(st);
}
