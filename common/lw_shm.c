/* SPDX-License-Identifier: MPL-2.0 */
#include <stdio.h>

#include "lw_shm.h"

/* "older" is the side with the smaller number. */
static int differs(const char *what, unsigned theirs, unsigned mine, const char *self,
	const char *other, char *msg, unsigned msglen)
{
	snprintf(msg, msglen,
		"%s %u in the shared region, %u in this %s: the %s is older; upgrade it and "
		"restart it",
		what, theirs, mine, self, theirs < mine ? other : self);
	return -1;
}

int lw_shm_check(const struct lw_shm_hdr *h, uint64_t mapped_size, const char *self,
	const char *other, char *msg, unsigned msglen)
{
	if (mapped_size < sizeof(*h) || h->magic != LW_SHM_MAGIC) {
		snprintf(msg, msglen, "the shared region is not a leasewire region (bad magic)");
		return -1;
	}
	if (h->version != LW_SHM_VERSION)
		return differs(
			"region version", h->version, LW_SHM_VERSION, self, other, msg, msglen);
	if (h->records_version != LW_RECORDS_VERSION)
		return differs("record version", h->records_version, LW_RECORDS_VERSION, self,
			other, msg, msglen);
	if (h->hdr_size != sizeof(*h) || h->worker_size != sizeof(struct lw_shm_worker) ||
		h->n_counters != LW_CTR_MAX)
		return differs("layout (header size)", h->hdr_size, (unsigned)sizeof(*h), self,
			other, msg, msglen);
	if (h->n_workers == 0 || h->n_workers > LW_SHM_MAX_WORKERS || h->size > mapped_size ||
		h->off_workers + (uint64_t)h->n_workers * sizeof(struct lw_shm_worker) > h->size) {
		snprintf(msg, msglen,
			"the shared region's header is inconsistent (%u workers, %llu bytes)",
			h->n_workers, (unsigned long long)h->size);
		return -1;
	}
	return 0;
}
