/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Lease database: opening (lock, snapshot, journals, repairs), appending and
 * group commit. Compaction, and why every crash point is safe, is in
 * leasedb_compact.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_time.h"
#include "leasedb_pvt.h"

#define JNL_BUF (256u << 10)

/*
 * Bindings are applied this many records behind the read, each one's index
 * buckets prefetched when it is read: with millions of leases the store's
 * tables do not fit in cache. Measured on 10M leases (2-vCPU VM): 410-630
 * ns per store_apply without, 120-310 ns with.
 */
#define LOAD_AHEAD 16

/* Pages of the mapping already replayed are dropped every this many bytes. */
#define TRIM_BYTES (32u << 20)

uint64_t ldb_now_us(void)
{
	return lw_mono_ns() / 1000u;
}

int ldb_path(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void ldb_jnl_name(char *out, size_t len, uint64_t gen)
{
	snprintf(out, len, LDB_JNL_PREFIX "%" PRIu64, gen);
}

/* Generation of a journal file name, or 0 when name is not one. */
static uint64_t jnl_gen(const char *name)
{
	const char *p = name + strlen(LDB_JNL_PREFIX);
	uint64_t g = 0;

	if (strncmp(name, LDB_JNL_PREFIX, strlen(LDB_JNL_PREFIX)) != 0 || *p == '\0' || *p == '0')
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || g > (UINT64_MAX - 9) / 10)
			return 0;
		g = g * 10 + (uint64_t)(*p - '0');
	}
	return g;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Generations of the journals in the directory, ascending (*out: free() it). */
int ldb_list_journals(int dirfd, uint64_t **out, size_t *n)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	uint64_t *v = NULL;
	size_t cap = 0;
	struct dirent *e;
	int rc = 0;

	*n = 0;
	if (d == NULL) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		uint64_t g = jnl_gen(e->d_name);

		if (g == 0)
			continue;
		if (*n == cap) {
			uint64_t *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (nv == NULL) {
				rc = -ENOMEM;
				goto cleanup;
			}
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[(*n)++] = g;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_u64);
cleanup:
	closedir(d);
	if (rc < 0) {
		free(v);
		v = NULL;
		*n = 0;
	}
	*out = v;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Loading */

struct load {
	struct store *st;
	uint64_t gen; /* journal generation expected in JNL_INFO; 0 for the snapshot */
	uint64_t records;
	bool have_info;
	struct ldb_snap_info info;
	char *err;
	size_t errlen;
	const char *file;
	const uint8_t *map; /* the file, mapped */
	size_t trimmed;	    /* bytes of it already given back */
	/* Bindings read but not applied yet (see load_bind()). */
	struct lw_bind_event ahead[LOAD_AHEAD];
	unsigned n_ahead, next;
};

static int drain(struct load *l);

/*
 * Replays a file through a read-only mapping rather than journal_replay()'s
 * copy in memory: a snapshot of millions of leases would otherwise double
 * the start-up peak. Pages behind the replay are dropped as it goes (trim()).
 */
static int replay_mapped(const char *path, journal_cb cb, struct load *l, struct journal_scan *scan)
{
	static const uint8_t empty[1];
	struct stat sb;
	void *m = NULL;
	int fd, rc;

	memset(scan, 0, sizeof(*scan));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (sb.st_size > 0) {
		m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = -errno;
			close(fd);
			return rc;
		}
		(void)madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	l->map = m ? m : empty;
	l->trimmed = 0;
	rc = journal_scan_buffer(l->map, (size_t)sb.st_size, cb, l, scan);
	if (rc == 0)
		rc = drain(l);
	if (m)
		munmap(m, (size_t)sb.st_size);
	return rc;
}

static void trim(struct load *l, const void *p)
{
	size_t at = (size_t)((const uint8_t *)p - l->map) & ~(size_t)4095;

	if (at - l->trimmed >= TRIM_BYTES) {
		(void)madvise(
			(void *)(uintptr_t)(l->map + l->trimmed), at - l->trimmed, MADV_DONTNEED);
		l->trimmed = at;
	}
}

/* Applies the oldest binding read ahead. */
static int apply_one(struct load *l)
{
	int rc = store_apply(l->st, &l->ahead[l->next]);

	if (rc < 0) {
		snprintf(l->err, l->errlen, "%s: binding record %" PRIu64 " (%s): %s", l->file,
			l->records + 1, rc == -EINVAL ? "not a binding of this version" : "store",
			strerror(-rc));
		return rc;
	}
	if (l->ahead[l->next].type == LW_EV_BIND)
		l->records++;
	l->next = (l->next + 1) % LOAD_AHEAD;
	l->n_ahead--;
	return 0;
}

static int drain(struct load *l)
{
	int rc;

	while (l->n_ahead)
		if ((rc = apply_one(l)) < 0)
			return rc;
	return 0;
}

static int load_bind(struct load *l, const void *p, uint16_t len)
{
	struct lw_bind_event *ev;
	int rc;

	if (len != sizeof(*ev)) {
		snprintf(l->err, l->errlen, "%s: binding record %" PRIu64 " has %u bytes, not %zu",
			l->file, l->records + l->n_ahead + 1, len, sizeof(*ev));
		return -EINVAL;
	}
	if (l->n_ahead == LOAD_AHEAD && (rc = apply_one(l)) < 0)
		return rc;
	ev = &l->ahead[(l->next + l->n_ahead++) % LOAD_AHEAD];
	memcpy(ev, p, sizeof(*ev));
	store_prefetch(l->st, ev);
	trim(l, p);
	return 0;
}

static int snap_cb(void *arg, uint16_t type, const void *p, uint16_t len)
{
	struct load *l = arg;

	if (!l->have_info) {
		if (type != LDB_REC_SNAP_INFO || len != sizeof(l->info)) {
			snprintf(l->err, l->errlen, "%s: first record is not the snapshot info",
				l->file);
			return -EINVAL;
		}
		memcpy(&l->info, p, sizeof(l->info));
		l->have_info = true;
		if (l->info.version != LDB_SNAP_VERSION) {
			snprintf(l->err, l->errlen,
				"%s: snapshot version %u, this program reads %u", l->file,
				l->info.version, LDB_SNAP_VERSION);
			return -EINVAL;
		}
		/* Room for the snapshot and some journal growth: one allocation. */
		if (l->info.count < UINT32_MAX - (l->info.count >> 4) - 1024)
			(void)store_reserve(
				l->st, (uint32_t)(l->info.count + (l->info.count >> 4) + 1024));
		return 0;
	}
	if (type != LDB_REC_BIND && type != LDB_REC_FO_ACK) {
		snprintf(l->err, l->errlen, "%s: unexpected record type %u", l->file, type);
		return -EINVAL;
	}
	return load_bind(l, p, len);
}

static int jnl_cb(void *arg, uint16_t type, const void *p, uint16_t len)
{
	struct load *l = arg;

	if (!l->have_info) {
		struct ldb_jnl_info ji;

		if (type != LDB_REC_JNL_INFO || len != sizeof(ji)) {
			snprintf(l->err, l->errlen, "%s: first record is not the journal info",
				l->file);
			return -EINVAL;
		}
		memcpy(&ji, p, sizeof(ji));
		if (ji.generation != l->gen) {
			snprintf(l->err, l->errlen,
				"%s: holds generation %" PRIu64 " (was the file renamed?)", l->file,
				ji.generation);
			return -EINVAL;
		}
		l->have_info = true;
		return 0;
	}
	if (type != LDB_REC_BIND && type != LDB_REC_FO_ACK) {
		snprintf(l->err, l->errlen, "%s: unexpected record type %u", l->file, type);
		return -EINVAL;
	}
	return load_bind(l, p, len);
}

static int load_snapshot(
	struct leasedb *db, struct store *st, struct leasedb_report *rep, char *err, size_t errlen)
{
	struct load l = {.st = st, .err = err, .errlen = errlen, .file = LDB_SNAP_NAME};
	char path[PATH_MAX];
	struct journal_scan scan;
	int rc;

	if ((rc = ldb_path(path, sizeof(path), db->dir, LDB_SNAP_NAME)) < 0)
		return rc;
	rc = replay_mapped(path, snap_cb, &l, &scan);
	if (rc == -ENOENT)
		return 0;
	if (rc == -EINVAL && !l.have_info && err[0] == '\0')
		snprintf(err, errlen, "%s: not a leasewire snapshot (bad file header)", path);
	if (rc < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* Snapshots are renamed into place only once complete: any damage is corruption. */
	if (scan.stop || !l.have_info || l.records != l.info.count) {
		snprintf(err, errlen,
			"%s: corrupt snapshot (%s after %" PRIu64 " of %" PRIu64
			" records, byte %" PRIu64 " of %" PRIu64
			"); it was written whole, so the file was damaged later: restore it from "
			"a backup, or move it away to start from the journals alone (bindings "
			"only it holds are then lost)",
			path, scan.stop ? scan.stop : "records missing", l.records,
			(uint64_t)l.info.count, scan.valid_bytes, scan.file_bytes);
		return -EINVAL;
	}
	db->covers = l.info.covers_generation;
	rep->snapshot_records = l.records;
	rep->covers_generation = db->covers;
	return 0;
}

/* Adds a line to rep->log (cut when the log is full). */
static void __attribute__((format(printf, 2, 3)))
note(struct leasedb_report *rep, const char *fmt, ...)
{
	size_t pos = strlen(rep->log);
	va_list ap;

	if (pos + 1 >= sizeof(rep->log))
		return;
	va_start(ap, fmt);
	vsnprintf(rep->log + pos, sizeof(rep->log) - pos, fmt, ap);
	va_end(ap);
}

/* Replays journal gen; a torn or corrupt tail is cut (by journal_open) and reported. */
static int load_journal(struct leasedb *db, struct store *st, uint64_t gen, bool newest,
	struct leasedb_report *rep, char *err, size_t errlen)
{
	char name[64], path[PATH_MAX];
	struct load l = {.st = st, .gen = gen, .err = err, .errlen = errlen, .file = name};
	struct journal_scan scan;
	int rc;

	ldb_jnl_name(name, sizeof(name), gen);
	if ((rc = ldb_path(path, sizeof(path), db->dir, name)) < 0)
		return rc;
	rc = replay_mapped(path, jnl_cb, &l, &scan);
	if (rc == -EINVAL && err[0] == '\0' && scan.file_bytes < JOURNAL_HDR_LEN) {
		/* Torn while being created (before its header was whole): it holds nothing. */
		if (truncate(path, 0) < 0)
			return -errno;
		note(rep, "%s: torn file header (%" PRIu64 " bytes), emptied\n", name,
			scan.file_bytes);
		return 0;
	}
	if (rc < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: %s", path,
				rc == -EINVAL ? "not a leasewire journal (bad file header)"
					      : strerror(-rc));
		return rc;
	}
	rep->journals++;
	rep->journal_records += l.records;
	if (newest)
		db->stats.journal_records = l.records;
	if (scan.stop) {
		struct journal *j;

		if (rep->n_cuts < LDB_MAX_CUTS) {
			struct ldb_cut *c = &rep->cuts[rep->n_cuts++];

			snprintf(c->file, sizeof(c->file), "%s", name);
			c->records_kept = l.records;
			c->bytes_dropped = scan.file_bytes - scan.valid_bytes;
			c->reason = scan.stop;
		}
		note(rep,
			"%s: %s at byte %" PRIu64 ": kept %" PRIu64 " records, dropped %" PRIu64
			" bytes\n",
			name, scan.stop, scan.valid_bytes, l.records,
			scan.file_bytes - scan.valid_bytes);
		/* The newest is cut when opened for append; an older one is cut here. */
		if (!newest) {
			j = journal_open(path, 0, NULL);
			if (j == NULL)
				return -errno;
			if ((rc = journal_close(j)) < 0)
				return rc;
		}
	}
	return 0;
}

/* Opens journal gen for append; a journal with no records gets its JNL_INFO first. */
int ldb_open_journal(struct leasedb *db, uint64_t gen, struct journal **out)
{
	char name[64], path[PATH_MAX];
	struct journal_scan scan;
	struct journal *j;
	int rc;

	ldb_jnl_name(name, sizeof(name), gen);
	if ((rc = ldb_path(path, sizeof(path), db->dir, name)) < 0)
		return rc;
	j = journal_open(path, JNL_BUF, &scan);
	if (j == NULL)
		return -errno;
	if (scan.records == 0) {
		struct ldb_jnl_info ji = {.generation = gen};

		rc = journal_append(j, LDB_REC_JNL_INFO, &ji, sizeof(ji));
		if (rc == 0)
			rc = journal_sync(j, true);
		if (rc < 0) {
			journal_close(j);
			return rc;
		}
	}
	*out = j;
	return 0;
}

static int take_lock(struct leasedb *db, char *err, size_t errlen)
{
	char buf[32];
	ssize_t n;

	db->lockfd = openat(db->dirfd, LDB_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (db->lockfd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s/" LDB_LOCK_NAME ": %s", db->dir, strerror(e));
		return -e;
	}
	if (flock(db->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		n = pread(db->lockfd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, errlen,
				"%s is in use by another process (pid %s holds %s/" LDB_LOCK_NAME
				"); stop it, or give this one another state directory",
				db->dir, buf[0] ? buf : "?", db->dir);
		else
			snprintf(err, errlen, "%s/" LDB_LOCK_NAME ": %s", db->dir, strerror(e));
		return -e;
	}
	/* The pid is only for the message above; the lock is what counts. */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(db->lockfd, 0) == 0)
		(void)!pwrite(db->lockfd, buf, (size_t)n, 0);
	return 0;
}

struct leasedb *leasedb_open(
	const char *dir, struct store *st, struct leasedb_report *rep, char *err, size_t errlen)
{
	struct leasedb_report local;
	struct leasedb *db = calloc(1, sizeof(*db));
	uint64_t t0 = ldb_now_us(), *gens = NULL, newest;
	char local_err[256];
	size_t n_gens = 0;
	int rc = 0;

	if (rep == NULL)
		rep = &local;
	if (err == NULL || errlen == 0) {
		err = local_err;
		errlen = sizeof(local_err);
	}
	memset(rep, 0, sizeof(*rep));
	err[0] = '\0';
	if (db == NULL)
		return NULL;
	db->dirfd = db->lockfd = -1;
	if (snprintf(db->dir, sizeof(db->dir), "%s", dir) >= (int)sizeof(db->dir)) {
		rc = -ENAMETOOLONG;
		goto cleanup;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the state directory %s: %s", dir,
			strerror(-rc));
		goto cleanup;
	}
	db->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (db->dirfd < 0) {
		rc = -errno;
		goto cleanup;
	}
	if ((rc = take_lock(db, err, errlen)) < 0)
		goto cleanup;

	if (unlinkat(db->dirfd, LDB_SNAP_TMP_NAME, 0) == 0)
		note(rep, "%s: deleted (a compaction stopped before finishing it)\n",
			LDB_SNAP_TMP_NAME);
	if ((rc = load_snapshot(db, st, rep, err, errlen)) < 0)
		goto cleanup;
	if ((rc = ldb_list_journals(db->dirfd, &gens, &n_gens)) < 0)
		goto cleanup;
	newest = n_gens ? gens[n_gens - 1] : 0;
	for (size_t i = 0; i < n_gens; i++) {
		char name[64];

		if (gens[i] > db->covers)
			continue;
		ldb_jnl_name(name, sizeof(name), gens[i]);
		if (unlinkat(db->dirfd, name, 0) < 0) {
			rc = -errno;
			goto cleanup;
		}
		note(rep,
			"%s: deleted (already in the snapshot, which covers generation %" PRIu64
			")\n",
			name, db->covers);
	}
	for (size_t i = 0; i < n_gens; i++) {
		if (gens[i] <= db->covers)
			continue;
		rc = load_journal(db, st, gens[i], gens[i] == newest, rep, err, errlen);
		if (rc < 0)
			goto cleanup;
	}
	db->gen = newest > db->covers ? newest : db->covers + 1;
	if ((rc = ldb_open_journal(db, db->gen, &db->j)) < 0)
		goto cleanup;
	(void)fsync(db->dirfd); /* makes the deletions above durable */
	db->stats.generation = db->gen;
	rep->generation = db->gen;
	rep->bindings = store_count(st);
	rep->elapsed_ms = (ldb_now_us() - t0) / 1000;
cleanup:
	free(gens);
	if (rc < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		if (db->lockfd >= 0)
			close(db->lockfd);
		if (db->dirfd >= 0)
			close(db->dirfd);
		free(db);
		errno = -rc;
		return NULL;
	}
	return db;
}

/* ------------------------------------------------------------------------ */
/* Appending */

int leasedb_append(struct leasedb *db, const struct lw_bind_event *ev)
{
	size_t before = journal_pending(db->j), after;
	int rc = journal_append(
		db->j, ev->type == LW_EV_FO_ACK ? LDB_REC_FO_ACK : LDB_REC_BIND, ev, sizeof(*ev));

	if (rc < 0)
		return rc;
	after = journal_pending(db->j);
	/* A full buffer was written out first: only this record is pending then. */
	db->stats.bytes += after > before ? after - before : after;
	db->stats.records++;
	db->stats.journal_records++;
	db->unsynced++;
	db->undurable++;
	return 0;
}

int leasedb_sync(struct leasedb *db, bool durable)
{
	uint64_t t0, dt;
	int rc;

	if (!durable || db->undurable == 0) {
		rc = journal_sync(db->j, false);
		if (rc == 0)
			db->unsynced = 0;
		return rc;
	}
	t0 = ldb_now_us();
	rc = journal_sync(db->j, true);
	if (rc < 0)
		return rc;
	dt = ldb_now_us() - t0;
	db->stats.syncs++;
	db->stats.last_batch = (uint32_t)db->undurable;
	if (db->stats.last_batch > db->stats.max_batch)
		db->stats.max_batch = db->stats.last_batch;
	db->stats.last_sync_us = dt;
	db->stats.total_sync_us += dt;
	if (dt > db->stats.max_sync_us)
		db->stats.max_sync_us = dt;
	db->unsynced = db->undurable = 0;
	return 0;
}

size_t leasedb_pending(const struct leasedb *db)
{
	return db->unsynced;
}

void leasedb_stats(const struct leasedb *db, struct leasedb_stats *out)
{
	*out = db->stats;
	out->avg_sync_us = out->syncs ? out->total_sync_us / out->syncs : 0;
}

int leasedb_close(struct leasedb *db)
{
	int rc;

	if (db == NULL)
		return 0;
	(void)leasedb_compact_poll(db, true);
	rc = journal_close(db->j);
	close(db->lockfd);
	close(db->dirfd);
	free(db);
	return rc;
}
