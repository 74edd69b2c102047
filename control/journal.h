/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The lease journal: an append-only file of checksummed binary records.
 *
 * Layout: a 32-byte file header, then records. Each record is
 *   u32 magic, u16 type, u16 length, payload[length], u32 CRC-32,
 * padded with zeros to a multiple of 8 bytes. The CRC (zlib's crc32) covers
 * magic, type, length and payload. Framing integers are big-endian (read
 * through the bounds-checked cursor); a payload is a record of
 * lw_records.h in the host's layout, as both processes share it.
 *
 * A crash can leave a torn last record. Replay reads records until the
 * first one that is incomplete or fails its checksum, keeps everything
 * before it and reports what it dropped; opening for append cuts the file
 * back to that point, so new records never follow garbage.
 *
 * Appends go to a memory buffer; journal_sync() writes the buffer and, when
 * asked, fdatasync()s: that is where group commit happens. One thread owns a
 * struct journal.
 */
#ifndef LW_JOURNAL_H
#define LW_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_VERSION	    1
#define JOURNAL_HDR_LEN	    32
#define JOURNAL_MAX_PAYLOAD 4096

/* What a replay found. */
struct journal_scan {
	uint64_t records;     /* valid records read */
	uint64_t valid_bytes; /* file offset after the last valid record */
	uint64_t file_bytes;  /* file size */
	const char *stop;     /* why reading stopped before file_bytes, or NULL */
};

/* Called once per valid record, in file order; a non-zero return stops the replay with it. */
typedef int (*journal_cb)(void *arg, uint16_t type, const void *payload, uint16_t len);

/*
 * Reads the journal at path. Returns 0 (scan filled in; a torn or corrupt
 * tail is not an error: see scan->stop), -ENOENT when there is no file,
 * -EINVAL when the file header is not a leasewire journal of this version,
 * -errno on I/O errors, or the callback's non-zero value.
 */
int journal_replay(const char *path, journal_cb cb, void *arg, struct journal_scan *scan);

/* The same over a file image in memory (b[0..n), header included). */
int journal_scan_buffer(
	const uint8_t *b, size_t n, journal_cb cb, void *arg, struct journal_scan *scan);

struct journal;

/*
 * Opens path for appending, creating it (header written, file and directory
 * fsync'd) when missing. An existing file is scanned and a torn tail is cut
 * off (scan, when not NULL, says what was found). Returns NULL and sets errno.
 * buf_bytes is the size of the append buffer (at least 64 KiB is sensible).
 */
struct journal *journal_open(const char *path, size_t buf_bytes, struct journal_scan *scan);

/* Buffers one record. 0, -EMSGSIZE (payload too large) or an error of the implied sync. */
int journal_append(struct journal *j, uint16_t type, const void *payload, uint16_t len);

/* Writes what is buffered; with durable, fdatasync()s too. 0 or -errno. */
int journal_sync(struct journal *j, bool durable);

/* Bytes buffered and not yet written. */
size_t journal_pending(const struct journal *j);

/* Syncs (durably) and closes. Returns the sync's result. */
int journal_close(struct journal *j);

#endif
