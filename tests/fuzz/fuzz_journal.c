/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target: the journal reader over arbitrary file images. A journal
 * comes from disk after a crash, so any bytes must give a clean answer: the
 * records that are whole and checksummed, then a stop.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "control/journal.h"

static int check(void *arg, uint16_t type, const void *payload, uint16_t len)
{
	uint64_t *sum = arg;

	(void)type;
	if (len > JOURNAL_MAX_PAYLOAD)
		__builtin_trap();
	/* Touch every payload byte: ASan checks they are inside the image. */
	for (uint16_t i = 0; i < len; i++)
		*sum += ((const uint8_t *)payload)[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_scan scan;
	uint64_t sum = 0;
	int rc = journal_scan_buffer(data, size, check, &sum, &scan);

	if (rc != 0 && rc != -22 /* -EINVAL: not a journal */)
		__builtin_trap();
	if (rc == 0) {
		if (scan.valid_bytes > scan.file_bytes || scan.file_bytes != size)
			__builtin_trap();
		if ((scan.valid_bytes - JOURNAL_HDR_LEN) % 8 != 0)
			__builtin_trap();
		if ((scan.valid_bytes < scan.file_bytes) != (scan.stop != NULL))
			__builtin_trap();
	}
	return 0;
}
