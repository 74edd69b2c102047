/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasedb-bench: what the lease database costs.
 *
 *   leasedb-bench append --records N --batch B --interval-us U --dir D
 *                        [--rate R] [--no-fsync]
 *     Appends N 64-byte binding events with group commit: a durable sync
 *     (write + fdatasync) when B records are pending or U microseconds have
 *     passed since the first pending one. R paces arrivals (events/s; 0 =
 *     as fast as possible). Prints records/s, syncs, batch sizes
 *     (min/median/max) and sync latency (p50/p99/max).
 *
 *   leasedb-bench startup --leases N --dir D [--journal M] [--reuse]
 *     Writes a snapshot of N leases (through a compaction, in a child
 *     process so that its memory does not count) and M journal events, then
 *     times leasedb_open() into an empty store and prints store bytes per
 *     lease and the peak RSS (VmHWM) of this process. --reuse skips the
 *     writing when D already holds a snapshot (to repeat the measurement).
 *
 * D should be a new or empty directory on the file system to measure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_time.h"
#include "control/leasedb.h"
#include "control/store.h"

#define BASE_ADDR 0x0a000000u /* 10.0.0.0: leases are 10.0.0.0 + i */

struct opts {
	const char *mode;
	const char *dir;
	uint64_t records;
	uint64_t batch;
	uint64_t interval_us;
	uint64_t rate;
	uint64_t leases;
	uint64_t journal;
	bool durable;
	bool reuse;
};

static uint64_t now_ns(void)
{
	return lw_mono_ns();
}

/* CPU time of this process (user + system), in ns: robust to a busy machine. */
static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

static void usage(FILE *f)
{
	fputs("usage: leasedb-bench append --records N --batch B --interval-us U --dir D "
	      "[--rate R] [--no-fsync]\n"
	      "       leasedb-bench startup --leases N --dir D [--journal M] [--reuse]\n",
		f);
}

static struct lw_bind_event event(uint64_t i, uint8_t state, uint32_t now)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = state;
	e.seq = i + 1;
	e.addr = BASE_ADDR + (uint32_t)i;
	e.start = now;
	e.end = state == LW_BIND_ACTIVE ? now + 3600 : now;
	/* subnet N is 10.N.0.0/16 with one pool of the same index, as a
	 * configuration of /16 subnets in order would number them */
	e.subnet = (uint32_t)(i >> 16);
	e.pool = (uint16_t)e.subnet;
	e.key.kind = LW_KEY_HWADDR;
	e.key.len = 7;
	e.key.data[0] = 1;
	e.key.data[1] = 0x02;
	e.key.data[2] = (uint8_t)(i >> 24);
	e.key.data[3] = (uint8_t)(i >> 16);
	e.key.data[4] = (uint8_t)(i >> 8);
	e.key.data[5] = (uint8_t)i;
	return e;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, size_t n, unsigned p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (n * p + 99) / 100;
	return v[i ? i - 1 : 0];
}

static struct leasedb *open_db(const char *dir, struct store *st, struct leasedb_report *rep)
{
	char err[512];
	struct leasedb *db = leasedb_open(dir, st, rep, err, sizeof(err));

	if (db == NULL)
		fprintf(stderr, "leasedb-bench: %s\n", err);
	else if (rep->log[0])
		fputs(rep->log, stderr);
	return db;
}

static int run_append(const struct opts *o)
{
	struct leasedb_report rep;
	struct store *st = store_create(0);
	struct leasedb *db = st ? open_db(o->dir, st, &rep) : NULL;
	uint64_t *lat = NULL, *batch = NULL, n_sync = 0, pending = 0, first = 0;
	uint64_t t0, t_end, next = 0, gap = o->rate ? 1000000000u / o->rate : 0, i = 0;
	uint32_t now = (uint32_t)time(NULL);
	struct leasedb_stats s;
	int rc = 1;

	if (db == NULL)
		goto cleanup;
	/* At most one sync per record. */
	lat = malloc(o->records * sizeof(*lat));
	batch = malloc(o->records * sizeof(*batch));
	if (lat == NULL || batch == NULL) {
		fputs("leasedb-bench: out of memory\n", stderr);
		goto cleanup;
	}
	t0 = now_ns();
	next = t0;
	while (i < o->records || pending) {
		uint64_t t = now_ns();

		if (pending && (pending >= o->batch || t - first >= o->interval_us * 1000 ||
				       i == o->records)) {
			uint64_t s0 = now_ns();

			if (leasedb_sync(db, o->durable) < 0) {
				perror("leasedb-bench: sync");
				goto cleanup;
			}
			lat[n_sync] = (now_ns() - s0) / 1000;
			batch[n_sync++] = pending;
			pending = 0;
			continue;
		}
		if (i < o->records && (gap == 0 || t >= next)) {
			struct lw_bind_event e = event(i, LW_BIND_ACTIVE, now);

			if (leasedb_append(db, &e) < 0) {
				perror("leasedb-bench: append");
				goto cleanup;
			}
			if (pending++ == 0)
				first = t;
			i++;
			next += gap;
		}
	}
	t_end = now_ns();
	leasedb_stats(db, &s);
	qsort(lat, n_sync, sizeof(*lat), cmp_u64);
	qsort(batch, n_sync, sizeof(*batch), cmp_u64);
	printf("append: %lu records of 64 bytes, batch %lu, interval %lu us, rate %s, %s\n",
		(unsigned long)o->records, (unsigned long)o->batch, (unsigned long)o->interval_us,
		o->rate ? "paced" : "unpaced", o->durable ? "fdatasync" : "no fsync");
	if (o->rate)
		printf("  offered rate      %lu records/s\n", (unsigned long)o->rate);
	printf("  elapsed           %.3f s\n", (double)(t_end - t0) / 1e9);
	printf("  throughput        %.0f records/s\n",
		(double)o->records * 1e9 / (double)(t_end - t0));
	printf("  journal bytes     %lu (%.1f MB/s)\n", (unsigned long)s.bytes,
		(double)s.bytes * 1e3 / (double)(t_end - t0));
	printf("  syncs             %lu\n", (unsigned long)n_sync);
	printf("  batch records     min %lu  median %lu  max %lu\n", (unsigned long)batch[0],
		(unsigned long)pct(batch, n_sync, 50), (unsigned long)batch[n_sync - 1]);
	printf("  sync latency us   p50 %lu  p99 %lu  max %lu\n",
		(unsigned long)pct(lat, n_sync, 50), (unsigned long)pct(lat, n_sync, 99),
		(unsigned long)lat[n_sync - 1]);
	rc = 0;
cleanup:
	free(lat);
	free(batch);
	if (db && leasedb_close(db) < 0)
		rc = 1;
	store_free(st);
	return rc;
}

/* The child's half of `startup`: a snapshot of n leases and m journal events. */
static int prepare(const struct opts *o)
{
	struct leasedb_report rep;
	struct store *st = store_create((uint32_t)o->leases);
	struct leasedb *db = st ? open_db(o->dir, st, &rep) : NULL;
	uint32_t now = (uint32_t)time(NULL);
	uint64_t t0, c0;
	int rc;

	if (db == NULL)
		return 1;
	if (rep.bindings) {
		fprintf(stderr, "leasedb-bench: %s is not empty (%lu bindings)\n", o->dir,
			(unsigned long)rep.bindings);
		return 1;
	}
	t0 = now_ns();
	c0 = cpu_ns();
	/* Mostly ACTIVE, some history and quarantined addresses, as a pool in service has. */
	for (uint64_t i = 0; i < o->leases; i++) {
		uint8_t state = i % 20 == 0    ? LW_BIND_EXPIRED
				: i % 20 == 1  ? LW_BIND_RELEASED
				: i % 500 == 2 ? LW_BIND_DECLINED
					       : LW_BIND_ACTIVE;
		struct lw_bind_event e = event(i, state, now);

		if (store_apply(st, &e) < 0) {
			fputs("leasedb-bench: store_apply failed\n", stderr);
			return 1;
		}
	}
	printf("  built store       %.0f ms, %.0f ms CPU (%lu leases in memory)\n",
		(double)(now_ns() - t0) / 1e6, (double)(cpu_ns() - c0) / 1e6,
		(unsigned long)store_count(st));
	t0 = now_ns();
	rc = leasedb_compact(db, st, now, 86400);
	if (rc != 1) {
		fprintf(stderr, "leasedb-bench: compaction failed: %s\n",
			leasedb_compact_error(db) ? leasedb_compact_error(db) : strerror(-rc));
		return 1;
	}
	printf("  snapshot written  %.0f ms (fork, write, fsync, rename)\n",
		(double)(now_ns() - t0) / 1e6);
	/* Journal: renewals of random leases. */
	for (uint64_t k = 0, x = 88172645463325252ull; k < o->journal; k++) {
		struct lw_bind_event e;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		e = event(x % (o->leases ? o->leases : 1), LW_BIND_ACTIVE, now + 1);
		if (leasedb_append(db, &e) < 0)
			return 1;
	}
	rc = leasedb_close(db);
	store_free(st);
	return rc < 0;
}

static uint64_t proc_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0) {
			v = strtoull(line + strlen(field), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static uint64_t file_size(const char *dir, const char *name)
{
	char p[4096];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static int run_startup(const struct opts *o)
{
	struct leasedb_report rep;
	struct store *st;
	struct leasedb *db;
	uint64_t hwm0 = proc_kb("VmHWM:"), t0, t1, c0, c1;
	int status;
	pid_t pid;

	printf("startup: %lu leases, %lu journal events, in %s\n", (unsigned long)o->leases,
		(unsigned long)o->journal, o->dir);
	fflush(stdout);
	if (o->reuse && file_size(o->dir, "leases.snap") > 0)
		goto measure;
	pid = fork();
	if (pid == 0) {
		int r = prepare(o);

		fflush(stdout);
		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		WEXITSTATUS(status) != 0) {
		fputs("leasedb-bench: preparing the state directory failed\n", stderr);
		return 1;
	}
measure:
	printf("  leases.snap       %.1f MB\n", (double)file_size(o->dir, "leases.snap") / 1e6);

	st = store_create(0);
	if (st == NULL)
		return 1;
	c0 = cpu_ns();
	t0 = now_ns();
	db = open_db(o->dir, st, &rep);
	t1 = now_ns();
	c1 = cpu_ns();
	if (db == NULL)
		return 1;
	printf("  leasedb_open      %.0f ms, %.0f ms CPU (snapshot %lu records, journal %lu "
	       "records, %lu bindings)\n",
		(double)(t1 - t0) / 1e6, (double)(c1 - c0) / 1e6,
		(unsigned long)rep.snapshot_records, (unsigned long)rep.journal_records,
		(unsigned long)rep.bindings);
	printf("  store bytes       %lu (%.1f per lease)\n", (unsigned long)store_bytes(st),
		rep.bindings ? (double)store_bytes(st) / (double)rep.bindings : 0.0);
	printf("  RSS               peak %.1f MB (before open %.1f MB), now %.1f MB\n",
		(double)proc_kb("VmHWM:") / 1024, (double)hwm0 / 1024,
		(double)proc_kb("VmRSS:") / 1024);
	leasedb_close(db);
	store_free(st);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"records", required_argument, NULL, 'n'},
		{"batch", required_argument, NULL, 'b'},
		{"interval-us", required_argument, NULL, 'i'},
		{"rate", required_argument, NULL, 'r'},
		{"no-fsync", no_argument, NULL, 'F'},
		{"leases", required_argument, NULL, 'l'},
		{"journal", required_argument, NULL, 'j'},
		{"dir", required_argument, NULL, 'd'},
		{"reuse", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.records = 100000,
		.batch = 64,
		.interval_us = 500,
		.durable = true,
	};
	int c;

	if (argc < 2 || argv[1][0] == '-') {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	o.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.records = strtoull(optarg, NULL, 0);
			break;
		case 'b':
			o.batch = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			o.interval_us = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o.rate = strtoull(optarg, NULL, 0);
			break;
		case 'F':
			o.durable = false;
			break;
		case 'l':
			o.leases = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			o.journal = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'R':
			o.reuse = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.dir == NULL) {
		fputs("leasedb-bench: --dir is required\n", stderr);
		return 2;
	}
	if (strcmp(o.mode, "append") == 0) {
		if (o.records == 0 || o.batch == 0) {
			fputs("leasedb-bench: --records and --batch must be > 0\n", stderr);
			return 2;
		}
		return run_append(&o);
	}
	if (strcmp(o.mode, "startup") == 0) {
		if (o.leases == 0 || o.leases > 0xffffff) {
			fputs("leasedb-bench: --leases must be 1..16777215\n", stderr);
			return 2;
		}
		return run_startup(&o);
	}
	usage(stderr);
	return 2;
}
