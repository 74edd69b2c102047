/* SPDX-License-Identifier: MPL-2.0 */
/* Journal: records come back in order; a torn or corrupt tail is dropped,
 * everything before it kept, and appending resumes after the last good one. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/lw_records.h"
#include "control/journal.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/lw-journal-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/leases.journal", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(journal, .init = setup, .fini = teardown);

static struct lw_bind_event ev(uint64_t seq)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = LW_BIND_ACTIVE;
	e.seq = seq;
	e.addr = 0xc6120000u + (uint32_t)seq;
	return e;
}

struct seen {
	uint64_t n;
	uint64_t next_seq;
	bool in_order;
};

static int collect(void *arg, uint16_t type, const void *p, uint16_t len)
{
	struct seen *s = arg;
	struct lw_bind_event e;

	cr_assert_eq(type, LW_EV_BIND);
	cr_assert_eq(len, sizeof(e));
	memcpy(&e, p, sizeof(e));
	if (e.seq != s->next_seq || e.addr != 0xc6120000u + (uint32_t)e.seq)
		s->in_order = false;
	s->next_seq++;
	s->n++;
	return 0;
}

static void write_events(uint64_t from, uint64_t n)
{
	struct journal *j = journal_open(path, 1 << 16, NULL);

	cr_assert_not_null(j, "open: %s", strerror(errno));
	for (uint64_t s = from; s < from + n; s++) {
		struct lw_bind_event e = ev(s);

		cr_assert_eq(journal_append(j, LW_EV_BIND, &e, sizeof(e)), 0);
	}
	cr_assert_eq(journal_close(j), 0);
}

static struct seen replay(struct journal_scan *scan)
{
	struct seen s = {.next_seq = 1, .in_order = true};

	cr_assert_eq(journal_replay(path, collect, &s, scan), 0);
	return s;
}

static off_t file_size(void)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return st.st_size;
}

Test(journal, records_come_back_in_order)
{
	struct journal_scan scan;
	struct seen s;

	write_events(1, 5000); /* more than one buffer's worth */
	s = replay(&scan);
	cr_assert_eq(s.n, 5000);
	cr_assert(s.in_order);
	cr_assert_null(scan.stop);
	cr_assert_eq(scan.valid_bytes, scan.file_bytes);
	cr_assert_eq(scan.file_bytes, JOURNAL_HDR_LEN + 5000 * 80, "80 bytes per 64-byte event");
}

Test(journal, torn_tail_is_dropped_and_append_resumes)
{
	struct journal_scan scan;
	struct seen s;

	write_events(1, 10);
	/* A crash in the middle of the last record. */
	cr_assert_eq(truncate(path, file_size() - 30), 0);
	s = replay(&scan);
	cr_assert_eq(s.n, 9, "everything before the torn record is kept");
	cr_assert_not_null(scan.stop);
	cr_assert_lt(scan.valid_bytes, scan.file_bytes);

	/* Opening for append cuts the tail; new records follow the good ones. */
	write_events(10, 5);
	s = replay(&scan);
	cr_assert_eq(s.n, 14);
	cr_assert(s.in_order);
	cr_assert_null(scan.stop);
}

Test(journal, corrupt_record_stops_the_replay_there)
{
	struct journal_scan scan;
	struct seen s;
	int fd;
	uint8_t x = 0xff;

	write_events(1, 10);
	/* Flip a payload byte of record 7 (seq 7). */
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, &x, 1, JOURNAL_HDR_LEN + 6 * 80 + 20), 1);
	close(fd);
	s = replay(&scan);
	cr_assert_eq(s.n, 6);
	cr_assert_str_eq(scan.stop, "record checksum mismatch");
	cr_assert_eq(scan.valid_bytes, JOURNAL_HDR_LEN + 6 * 80);
}

Test(journal, not_a_journal_is_refused)
{
	FILE *f = fopen(path, "w");

	fputs("this is not a leasewire journal, just some text long enough\n", f);
	fclose(f);
	cr_assert_eq(journal_replay(path, collect, NULL, NULL), -EINVAL);
	cr_assert_null(journal_open(path, 1 << 16, NULL));
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(journal_replay("/nonexistent/x", collect, NULL, NULL), -ENOENT);
}

Test(journal, new_file_has_a_header_and_nothing_else)
{
	struct journal_scan scan;
	struct seen s;

	write_events(1, 0);
	cr_assert_eq(file_size(), JOURNAL_HDR_LEN);
	s = replay(&scan);
	cr_assert_eq(s.n, 0);
	cr_assert_null(scan.stop);
}

Test(journal, buffered_until_sync)
{
	struct journal *j = journal_open(path, 1 << 16, NULL);
	struct lw_bind_event e = ev(1);

	cr_assert_not_null(j);
	cr_assert_eq(journal_append(j, LW_EV_BIND, &e, sizeof(e)), 0);
	cr_assert_eq(journal_pending(j), 80);
	cr_assert_eq(file_size(), JOURNAL_HDR_LEN, "no write per record");
	cr_assert_eq(journal_sync(j, true), 0);
	cr_assert_eq(journal_pending(j), 0);
	cr_assert_eq(file_size(), JOURNAL_HDR_LEN + 80);
	cr_assert_eq(journal_append(j, 1, NULL, JOURNAL_MAX_PAYLOAD + 1), -EMSGSIZE);
	cr_assert_eq(journal_close(j), 0);
}

/* The fuzz seeds are written by another encoder (from the format described
 * in journal.h): reading them checks the format, not just a round trip. */
Test(journal, reads_the_seed_written_from_the_format_description)
{
	char seed[512], *slash;
	struct journal_scan scan;
	struct seen s = {.next_seq = 1, .in_order = true};

	snprintf(seed, sizeof(seed), "%s", __FILE__);
	slash = strrchr(seed, '/');
	cr_assert_not_null(slash);
	snprintf(slash, sizeof(seed) - (size_t)(slash - seed),
		"/../fuzz/corpus/journal/three-events");
	int rc = journal_replay(seed, collect, &s, &scan);
	cr_assert_eq(rc, 0, "%s: %d", seed, rc);
	cr_assert_eq(s.n, 3);
	cr_assert(s.in_order);
	cr_assert_null(scan.stop);
}
