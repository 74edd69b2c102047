/* SPDX-License-Identifier: MPL-2.0 */
/* The queue of ACKs held until durable: release by sequence, expiry by
 * deadline, full queue, wrap-around, flush. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "dataplane/holdq.h"

static struct holdq q;

static void fini(void)
{
	holdq_fini(&q);
}

static int push(uint64_t seq, uint64_t deadline)
{
	struct holdq_item it = {
		.pkt = (void *)(uintptr_t)(seq * 16), .seq = seq, .deadline_ms = deadline};

	return holdq_push(&q, &it);
}

Test(holdq, capacity_must_be_a_power_of_two)
{
	cr_assert_eq(holdq_init(&q, 0), -EINVAL);
	cr_assert_eq(holdq_init(&q, 100), -EINVAL);
	cr_assert_eq(holdq_init(&q, HOLDQ_MAX * 2), -EINVAL);
	cr_assert_eq(holdq_init(&q, 64), 0);
	cr_assert_eq(holdq_capacity(&q), 64);
	holdq_fini(&q);
}

Test(holdq, releases_the_prefix_that_is_durable, .fini = fini)
{
	struct holdq_item out[8];

	cr_assert_eq(holdq_init(&q, 8), 0);
	for (uint64_t s = 1; s <= 5; s++)
		cr_assert_eq(push(s * 2, 1000), 0); /* seqs 2, 4, 6, 8, 10 */
	cr_assert_not_null(holdq_head(&q));
	cr_assert_eq(holdq_head(&q)->seq, 2, "the oldest first");
	cr_assert_eq(holdq_release(&q, 1, out, 8), 0, "nothing durable yet");
	cr_assert_eq(holdq_release(&q, 5, out, 8), 2, "seqs 2 and 4");
	cr_assert_eq(out[0].seq, 2);
	cr_assert_eq(out[1].seq, 4);
	cr_assert_eq(out[0].pkt, (void *)(uintptr_t)32);
	cr_assert_eq(holdq_count(&q), 3);
	cr_assert_eq(holdq_release(&q, 100, out, 2), 2, "max respected");
	cr_assert_eq(holdq_release(&q, 100, out, 8), 1);
	cr_assert_eq(out[0].seq, 10);
	cr_assert_null(holdq_head(&q));
}

Test(holdq, expires_the_prefix_that_is_due, .fini = fini)
{
	struct holdq_item out[8];

	cr_assert_eq(holdq_init(&q, 8), 0);
	push(1, 100);
	push(2, 100);
	push(3, 150);
	cr_assert_eq(holdq_expire(&q, 99, out, 8), 0);
	cr_assert_eq(holdq_expire(&q, 100, out, 8), 2, "deadline reached: dropped");
	cr_assert_eq(holdq_expire(&q, 149, out, 8), 0);
	cr_assert_eq(holdq_release(&q, 3, out, 8), 1, "the last one became durable in time");
	cr_assert_eq(out[0].seq, 3);
}

Test(holdq, full_queue_refuses_and_wraps_around, .fini = fini)
{
	struct holdq_item out[4];
	uint64_t seq = 1;

	cr_assert_eq(holdq_init(&q, 4), 0);
	for (unsigned round = 0; round < 10; round++) {
		while (holdq_count(&q) < 4)
			cr_assert_eq(push(seq++, 0), 0);
		cr_assert_eq(push(seq, 0), -ENOBUFS, "full");
		/* Queued: seq - 4 .. seq - 1; the two oldest are durable. */
		cr_assert_eq(holdq_release(&q, seq - 3, out, 4), 2);
		cr_assert_eq(out[0].seq, seq - 4, "FIFO order across the wrap");
		cr_assert_eq(out[1].seq, seq - 3);
	}
	cr_assert_eq(holdq_flush(&q, out, 4), 2);
	cr_assert_eq(holdq_count(&q), 0);
}
