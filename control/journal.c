/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/lw_cursor.h"
#include "journal.h"

#define FILE_MAGIC "LWJOURNL"
#define REC_MAGIC  0x4c575231u /* "LWR1" */
#define REC_FIXED  12u	       /* magic, type, length, CRC */

struct journal {
	int fd;
	off_t size; /* bytes in the file that are whole records */
	size_t len;
	size_t cap;
	uint8_t *buf;
};

static size_t rec_size(uint16_t len)
{
	return (REC_FIXED + len + 7u) & ~(size_t)7;
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0L, p, (uInt)n);
}

/* The 32-byte file header: magic, version, header length, creation time, CRC. */
static void make_header(uint8_t h[JOURNAL_HDR_LEN])
{
	struct lw_wcur w;

	lw_wcur_init(&w, h, JOURNAL_HDR_LEN);
	lw_wcur_bytes(&w, FILE_MAGIC, 8);
	lw_wcur_u32(&w, JOURNAL_VERSION);
	lw_wcur_u32(&w, JOURNAL_HDR_LEN);
	lw_wcur_u32(&w, (uint32_t)((uint64_t)time(NULL) >> 32));
	lw_wcur_u32(&w, (uint32_t)time(NULL));
	lw_wcur_zero(&w, 4);
	lw_wcur_u32(&w, crc(h, JOURNAL_HDR_LEN - 4));
}

static int check_header(const uint8_t h[JOURNAL_HDR_LEN])
{
	struct lw_rcur c;
	const uint8_t *magic;
	uint32_t version, hlen, sum;

	lw_rcur_init(&c, h, JOURNAL_HDR_LEN);
	magic = lw_rcur_take(&c, 8);
	version = lw_rcur_u32(&c);
	hlen = lw_rcur_u32(&c);
	lw_rcur_skip(&c, 12);
	sum = lw_rcur_u32(&c);
	if (c.err || memcmp(magic, FILE_MAGIC, 8) != 0 || version != JOURNAL_VERSION ||
		hlen != JOURNAL_HDR_LEN || sum != crc(h, JOURNAL_HDR_LEN - 4))
		return -EINVAL;
	return 0;
}

static int read_all(int fd, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *b;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	b = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (b == NULL)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : -EIO;

			free(b);
			return e;
		}
		got += (size_t)r;
	}
	*out = b;
	*len = got;
	return 0;
}

int journal_scan_buffer(
	const uint8_t *b, size_t n, journal_cb cb, void *arg, struct journal_scan *s)
{
	struct lw_rcur c;

	memset(s, 0, sizeof(*s));
	s->file_bytes = n;
	if (n < JOURNAL_HDR_LEN || check_header(b) < 0)
		return -EINVAL;
	s->valid_bytes = JOURNAL_HDR_LEN;
	lw_rcur_init(&c, b + JOURNAL_HDR_LEN, n - JOURNAL_HDR_LEN);
	while (lw_rcur_left(&c) > 0) {
		const uint8_t *start = c.p;
		uint32_t magic = lw_rcur_u32(&c);
		uint16_t type = lw_rcur_u16(&c);
		uint16_t len = lw_rcur_u16(&c);
		const uint8_t *payload;
		uint32_t sum;
		size_t size;
		int rc;

		if (c.err) {
			s->stop = "torn record header";
			break;
		}
		if (magic != REC_MAGIC || len > JOURNAL_MAX_PAYLOAD) {
			s->stop = "bad record header";
			break;
		}
		size = rec_size(len);
		if (lw_rcur_left(&c) + 8 < size) {
			s->stop = "torn record";
			break;
		}
		payload = lw_rcur_take(&c, len);
		sum = lw_rcur_u32(&c);
		lw_rcur_skip(&c, size - REC_FIXED - len);
		if (c.err || sum != crc(start, 8u + len)) {
			s->stop = "record checksum mismatch";
			break;
		}
		if (cb && (rc = cb(arg, type, payload, len)) != 0)
			return rc;
		s->records++;
		s->valid_bytes += size;
	}
	return 0;
}

int journal_replay(const char *path, journal_cb cb, void *arg, struct journal_scan *scan)
{
	struct journal_scan local;
	uint8_t *b = NULL;
	size_t n = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = read_all(fd, &b, &n);
	close(fd);
	if (rc == 0)
		rc = journal_scan_buffer(b, n, cb, arg, scan ? scan : &local);
	free(b);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

struct journal *journal_open(const char *path, size_t buf_bytes, struct journal_scan *scan)
{
	struct journal_scan local;
	struct journal *j = calloc(1, sizeof(*j));
	int rc = 0;

	if (scan == NULL)
		scan = &local;
	memset(scan, 0, sizeof(*scan));
	if (j == NULL)
		return NULL;
	j->cap = buf_bytes < 4 * rec_size(JOURNAL_MAX_PAYLOAD) ? 4 * rec_size(JOURNAL_MAX_PAYLOAD)
							       : buf_bytes;
	j->buf = malloc(j->cap);
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (j->buf == NULL || j->fd < 0) {
		rc = j->buf == NULL ? -ENOMEM : -errno;
		goto fail;
	}
	rc = journal_replay(path, NULL, NULL, scan);
	if (rc == -EINVAL && scan->file_bytes == 0) {
		/* New (empty) file: write the header and make its name durable. */
		uint8_t h[JOURNAL_HDR_LEN];

		make_header(h);
		rc = write_all(j->fd, h, sizeof(h));
		if (rc == 0 && fsync(j->fd) < 0)
			rc = -errno;
		if (rc == 0)
			rc = fsync_dir(path);
		scan->valid_bytes = scan->file_bytes = JOURNAL_HDR_LEN;
	} else if (rc == 0 && scan->valid_bytes < scan->file_bytes) {
		/* Cut the torn tail so that new records follow valid ones. */
		if (ftruncate(j->fd, (off_t)scan->valid_bytes) < 0 || fsync(j->fd) < 0)
			rc = -errno;
	}
	if (rc == 0 && lseek(j->fd, (off_t)scan->valid_bytes, SEEK_SET) < 0)
		rc = -errno;
	if (rc < 0)
		goto fail;
	j->size = (off_t)scan->valid_bytes;
	return j;
fail:
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j);
	errno = -rc;
	return NULL;
}

int journal_append(struct journal *j, uint16_t type, const void *payload, uint16_t len)
{
	size_t size = rec_size(len);
	struct lw_wcur w;
	int rc;

	if (len > JOURNAL_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (j->cap - j->len < size && (rc = journal_sync(j, false)) < 0)
		return rc;
	lw_wcur_init(&w, j->buf + j->len, size);
	lw_wcur_u32(&w, REC_MAGIC);
	lw_wcur_u16(&w, type);
	lw_wcur_u16(&w, len);
	lw_wcur_bytes(&w, payload, len);
	lw_wcur_u32(&w, crc(j->buf + j->len, 8u + len));
	lw_wcur_zero(&w, size - REC_FIXED - len);
	j->len += size;
	return 0;
}

int journal_sync(struct journal *j, bool durable)
{
	int rc = 0;

	if (j->len) {
		rc = write_all(j->fd, j->buf, j->len);
		if (rc < 0) {
			/* Part of the buffer may be in the file: cut it back, so that
			 * the retry does not leave a torn record in the middle of
			 * the journal, where replay would stop. */
			if (ftruncate(j->fd, j->size) < 0 || lseek(j->fd, j->size, SEEK_SET) < 0)
				return -errno;
			return rc;
		}
		j->size += (off_t)j->len;
		j->len = 0;
	}
	if (durable && fdatasync(j->fd) < 0)
		rc = -errno;
	return rc;
}

size_t journal_pending(const struct journal *j)
{
	return j->len;
}

int journal_close(struct journal *j)
{
	int rc;

	if (j == NULL)
		return 0;
	rc = journal_sync(j, true);
	close(j->fd);
	free(j->buf);
	free(j);
	return rc;
}
