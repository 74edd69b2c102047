/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The boundary ABI: record layouts both processes compile against, and the
 * attach check that refuses a region of another version, saying which side
 * is older.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "common/lw_records.h"
#include "common/lw_shm.h"

/* Field offsets are part of the ABI: a change must bump the versions. */
Test(abi, bind_event_layout)
{
	cr_expect_eq(sizeof(struct lw_bind_event), 64);
	cr_expect_eq(offsetof(struct lw_bind_event, type), 0);
	cr_expect_eq(offsetof(struct lw_bind_event, version), 2);
	cr_expect_eq(offsetof(struct lw_bind_event, state), 3);
	cr_expect_eq(offsetof(struct lw_bind_event, worker), 4);
	cr_expect_eq(offsetof(struct lw_bind_event, pool), 6);
	cr_expect_eq(offsetof(struct lw_bind_event, seq), 8);
	cr_expect_eq(offsetof(struct lw_bind_event, addr), 16);
	cr_expect_eq(offsetof(struct lw_bind_event, start), 20);
	cr_expect_eq(offsetof(struct lw_bind_event, end), 24);
	cr_expect_eq(offsetof(struct lw_bind_event, subnet), 28);
	cr_expect_eq(offsetof(struct lw_bind_event, key), 32);
	cr_expect_eq(sizeof(struct lw_client_key), 32);
}

Test(abi, commands_layout)
{
	union lw_cmd c;

	cr_expect_eq(sizeof(c), 64);
	/* type and version sit at the same place in every command */
	cr_expect_eq(offsetof(struct lw_cmd_grant, type), offsetof(struct lw_bind_event, type));
	cr_expect_eq(offsetof(struct lw_cmd_done, type), offsetof(struct lw_bind_event, type));
	cr_expect_eq(
		offsetof(struct lw_cmd_grant, version), offsetof(struct lw_bind_event, version));
	cr_expect_eq(
		offsetof(struct lw_cmd_done, version), offsetof(struct lw_bind_event, version));
	cr_expect_eq(offsetof(struct lw_cmd_grant, worker), offsetof(struct lw_bind_event, worker));
	/* The failover commands too, and their worker where the others have it. */
	cr_expect_eq(offsetof(struct lw_cmd_yield, type), offsetof(struct lw_bind_event, type));
	cr_expect_eq(offsetof(struct lw_cmd_tsfp, type), offsetof(struct lw_bind_event, type));
	cr_expect_eq(
		offsetof(struct lw_cmd_yield, version), offsetof(struct lw_bind_event, version));
	cr_expect_eq(
		offsetof(struct lw_cmd_tsfp, version), offsetof(struct lw_bind_event, version));
	cr_expect_eq(offsetof(struct lw_cmd_yield, worker), offsetof(struct lw_bind_event, worker));
	cr_expect_eq(offsetof(struct lw_cmd_tsfp, worker), offsetof(struct lw_bind_event, worker));
	cr_expect_eq(offsetof(struct lw_cmd_tsfp, e) + LW_TSFP_MAX * 8, 64, "six entries fill it");
}

Test(abi, shm_layout)
{
	/* Each writer's fields start a cache line of their own. */
	cr_expect_eq(offsetof(struct lw_shm_hdr, dp_state) % LW_SHM_ALIGN, 0);
	cr_expect_eq(offsetof(struct lw_shm_hdr, ctl_generation) % LW_SHM_ALIGN, 0);
	/* The failover snapshot: control's, on lines of its own, hba 8-aligned. */
	cr_expect_eq(offsetof(struct lw_shm_hdr, fo) % LW_SHM_ALIGN, 0);
	cr_expect_eq(offsetof(struct lw_shm_fo, seq), 0);
	cr_expect_eq(offsetof(struct lw_shm_fo, hba) % 8, 0);
	cr_expect_leq(sizeof(struct lw_shm_fo), LW_SHM_ALIGN);
	cr_expect_eq(offsetof(struct lw_shm_worker, durable_seq), 0);
	cr_expect_eq(offsetof(struct lw_shm_worker, off_ev_ring) % LW_SHM_ALIGN, 0);
	cr_expect_eq(offsetof(struct lw_shm_worker, last_seq) % LW_SHM_ALIGN, 0);
	cr_expect_eq(offsetof(struct lw_shm_worker, ctr) % LW_SHM_ALIGN, 0);
	cr_expect_eq(sizeof(struct lw_shm_worker) % LW_SHM_ALIGN, 0);
	cr_expect_lt(
		offsetof(struct lw_shm_hdr, layout_hash), offsetof(struct lw_shm_hdr, dp_state));
}

/* A region as the dataplane of this build would set it up (header and workers only). */
static union {
	struct lw_shm_hdr h;
	uint8_t b[sizeof(struct lw_shm_hdr) + 2 * sizeof(struct lw_shm_worker)];
} region __attribute__((aligned(LW_SHM_ALIGN)));

static struct lw_shm_hdr *good(void)
{
	struct lw_shm_hdr *h = &region.h;

	memset(&region, 0, sizeof(region));
	h->magic = LW_SHM_MAGIC;
	h->version = LW_SHM_VERSION;
	h->records_version = LW_RECORDS_VERSION;
	h->size = sizeof(region);
	h->hdr_size = sizeof(*h);
	h->worker_size = sizeof(struct lw_shm_worker);
	h->n_workers = 2;
	h->n_counters = LW_CTR_MAX;
	h->off_workers = sizeof(*h);
	return h;
}

static char msg[512];

static int check(const struct lw_shm_hdr *h)
{
	msg[0] = '\0';
	return lw_shm_check(h, sizeof(region), "control process", "dataplane", msg, sizeof(msg));
}

Test(shm_check, accepts_this_build)
{
	cr_expect_eq(check(good()), 0, "%s", msg);
}

Test(shm_check, older_dataplane)
{
	struct lw_shm_hdr *h = good();

	h->version = LW_SHM_VERSION - 1;
	cr_expect_eq(check(h), -1);
	cr_expect(strstr(msg, "the dataplane is older") != NULL, "%s", msg);
}

Test(shm_check, newer_dataplane)
{
	struct lw_shm_hdr *h = good();

	h->version = LW_SHM_VERSION + 1;
	cr_expect_eq(check(h), -1);
	cr_expect(strstr(msg, "the control process is older") != NULL, "%s", msg);
}

Test(shm_check, record_version)
{
	struct lw_shm_hdr *h = good();

	h->records_version = LW_RECORDS_VERSION + 1;
	cr_expect_eq(check(h), -1);
	cr_expect(strstr(msg, "record version") != NULL, "%s", msg);
	cr_expect(strstr(msg, "the control process is older") != NULL, "%s", msg);
}

Test(shm_check, bad_magic)
{
	struct lw_shm_hdr *h = good();

	h->magic = 0;
	cr_expect_eq(check(h), -1);
	cr_expect(strstr(msg, "not a leasewire region") != NULL, "%s", msg);
}

Test(shm_check, layout_sizes)
{
	struct lw_shm_hdr *h = good();

	h->n_counters = LW_CTR_MAX + 1;
	cr_expect_eq(check(h), -1);
	h = good();
	h->worker_size = 64;
	cr_expect_eq(check(h), -1);
}

Test(shm_check, inconsistent_header)
{
	struct lw_shm_hdr *h = good();

	h->n_workers = 3; /* more workers than the region holds */
	cr_expect_eq(check(h), -1);
	cr_expect(strstr(msg, "inconsistent") != NULL, "%s", msg);
	h = good();
	h->n_workers = 0;
	cr_expect_eq(check(h), -1);
	h = good();
	h->size = sizeof(region) + 1; /* larger than what is mapped */
	cr_expect_eq(check(h), -1);
	cr_expect_eq(lw_shm_check(good(), 16, "a", "b", msg, sizeof(msg)), -1);
}
