/* SPDX-License-Identifier: MPL-2.0 */
/* Read and write cursors: byte order, bounds, and the sticky error that
 * stops every later access once one has failed. */
#include <criterion/criterion.h>
#include <errno.h>

#include "common/lw_cursor.h"
#include "common/lw_err.h"

static const uint8_t src[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};

Test(rcur, reads_big_endian_in_order)
{
	struct lw_rcur c;
	uint8_t b[3];

	lw_rcur_init(&c, src, sizeof(src));
	cr_expect_eq(lw_rcur_u8(&c), 0x01);
	cr_expect_eq(lw_rcur_u16(&c), 0x0203);
	cr_expect_eq(lw_rcur_u32(&c), 0x04050607u);
	lw_rcur_bytes(&c, b, sizeof(b));
	cr_expect_eq(b[0], 0x08);
	cr_expect_eq(b[2], 0x0a);
	cr_expect_eq(lw_rcur_left(&c), 0);
	cr_expect_eq(c.err, 0);
}

/* Bytes with the top bit set must not sign-extend into the wider values. */
Test(rcur, high_bytes_are_unsigned)
{
	static const uint8_t hi[] = {0xff, 0xfe, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef};
	struct lw_rcur c;

	lw_rcur_init(&c, hi, sizeof(hi));
	cr_expect_eq(lw_rcur_u8(&c), 0xff);
	cr_expect_eq(lw_rcur_u16(&c), 0xfe80);
	cr_expect_eq(lw_rcur_u8(&c), 0x01);
	cr_expect_eq(lw_rcur_u32(&c), 0xdeadbeefu);
	cr_expect_eq(c.err, 0);
}

Test(rcur, take_and_skip)
{
	struct lw_rcur c;
	const uint8_t *p;

	lw_rcur_init(&c, src, sizeof(src));
	lw_rcur_skip(&c, 2);
	p = lw_rcur_take(&c, 3);
	cr_assert_eq(p, src + 2);
	cr_expect_eq(lw_rcur_left(&c), 5);
	p = lw_rcur_take(&c, 0);
	cr_expect_eq(p, src + 5, "a zero-length take succeeds where the cursor is");
	cr_expect_eq(c.err, 0);
}

/* Each read type, one byte short: error set, cursor unmoved, value zero. */
struct short_read {
	const char *name;
	size_t avail;
	int kind; /* 0 u8, 1 u16, 2 u32, 3 bytes(4), 4 take(4), 5 skip(4) */
};

Test(rcur, overrun_each_width)
{
	static const struct short_read cases[] = {
		{"u8 on empty", 0, 0},
		{"u16 with 1 left", 1, 1},
		{"u32 with 3 left", 3, 2},
		{"bytes(4) with 3 left", 3, 3},
		{"take(4) with 3 left", 3, 4},
		{"skip(4) with 3 left", 3, 5},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct short_read *t = &cases[i];
		uint8_t out[4] = {0xee, 0xee, 0xee, 0xee};
		struct lw_rcur c;
		uint32_t v = 0xdeadbeef;

		lw_rcur_init(&c, src, t->avail);
		switch (t->kind) {
		case 0:
			v = lw_rcur_u8(&c);
			break;
		case 1:
			v = lw_rcur_u16(&c);
			break;
		case 2:
			v = lw_rcur_u32(&c);
			break;
		case 3:
			lw_rcur_bytes(&c, out, 4);
			v = (uint32_t)out[0] | out[1] | out[2] | out[3];
			break;
		case 4:
			v = lw_rcur_take(&c, 4) == NULL ? 0 : 1;
			break;
		case 5:
			lw_rcur_skip(&c, 4);
			v = 0;
			break;
		}
		cr_expect_eq(c.err, LW_E_TRUNC, "%s: err %d", t->name, c.err);
		cr_expect_eq(v, 0, "%s: value %u", t->name, v);
		cr_expect_eq(c.p, src, "%s: cursor moved", t->name);
		cr_expect_eq(lw_rcur_left(&c), t->avail, "%s", t->name);
	}
}

Test(rcur, error_is_sticky)
{
	struct lw_rcur c;

	lw_rcur_init(&c, src, 3);
	cr_expect_eq(lw_rcur_u32(&c), 0);
	cr_assert_eq(c.err, LW_E_TRUNC);
	/* Room is left for these, but the first failure stops the cursor. */
	cr_expect_eq(lw_rcur_u8(&c), 0);
	cr_expect_eq(lw_rcur_u16(&c), 0);
	cr_expect_null(lw_rcur_take(&c, 0));
	cr_expect_eq(c.p, src);
	cr_expect_eq(c.err, LW_E_TRUNC);
}

Test(rcur, exact_fit_is_not_an_error)
{
	struct lw_rcur c;

	lw_rcur_init(&c, src, 4);
	cr_expect_eq(lw_rcur_u32(&c), 0x01020304u);
	cr_expect_eq(c.err, 0);
	cr_expect_eq(lw_rcur_left(&c), 0);
	cr_expect_eq(lw_rcur_u8(&c), 0);
	cr_expect_eq(c.err, LW_E_TRUNC);
}

Test(wcur, writes_big_endian_in_order)
{
	static const uint8_t want[] = {0xaa, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 'x', 'y', 0, 0};
	uint8_t buf[16];
	struct lw_wcur w;

	memset(buf, 0x55, sizeof(buf));
	lw_wcur_init(&w, buf, sizeof(buf));
	lw_wcur_u8(&w, 0xaa);
	lw_wcur_u16(&w, 0x1234);
	lw_wcur_u32(&w, 0xdeadbeefu);
	lw_wcur_bytes(&w, "xy", 2);
	lw_wcur_zero(&w, 2);
	cr_expect_eq(w.err, 0);
	cr_expect_eq(lw_wcur_len(&w), sizeof(want));
	cr_expect_eq(lw_wcur_left(&w), sizeof(buf) - sizeof(want));
	cr_expect_arr_eq(buf, want, sizeof(want));
	cr_expect_eq(buf[sizeof(want)], 0x55, "wrote past what it was asked");
}

Test(wcur, reserve_returns_the_bytes)
{
	uint8_t buf[8];
	struct lw_wcur w;
	uint8_t *p;

	lw_wcur_init(&w, buf, sizeof(buf));
	lw_wcur_u8(&w, 1);
	p = lw_wcur_reserve(&w, 7);
	cr_expect_eq(p, buf + 1);
	cr_expect_eq(lw_wcur_left(&w), 0);
	cr_expect_eq(w.err, 0);
}

Test(wcur, overflow_is_sticky_and_writes_nothing)
{
	uint8_t buf[8];
	struct lw_wcur w;

	memset(buf, 0x55, sizeof(buf));
	lw_wcur_init(&w, buf, 5);
	lw_wcur_u32(&w, 0x01020304u);
	lw_wcur_u16(&w, 0xffff); /* needs 2, 1 left */
	cr_assert_eq(w.err, LW_E_NOSPACE);
	cr_expect_eq(lw_wcur_len(&w), 4);
	cr_expect_eq(buf[4], 0x55, "a failed write touched the buffer");
	/* There is still room for a byte, but nothing moves after an error. */
	lw_wcur_u8(&w, 0xee);
	lw_wcur_zero(&w, 0);
	cr_expect_null(lw_wcur_reserve(&w, 0));
	cr_expect_eq(lw_wcur_len(&w), 4);
	cr_expect_eq(buf[4], 0x55);
	cr_expect_eq(w.err, LW_E_NOSPACE);
}

Test(wcur, each_writer_checks_room)
{
	for (int kind = 0; kind < 5; kind++) {
		uint8_t buf[4];
		struct lw_wcur w;

		memset(buf, 0x55, sizeof(buf));
		lw_wcur_init(&w, buf, 3);
		lw_wcur_zero(&w, 3);
		switch (kind) {
		case 0:
			lw_wcur_u8(&w, 1);
			break;
		case 1:
			lw_wcur_u16(&w, 1);
			break;
		case 2:
			lw_wcur_u32(&w, 1);
			break;
		case 3:
			lw_wcur_bytes(&w, "a", 1);
			break;
		case 4:
			lw_wcur_zero(&w, 1);
			break;
		}
		cr_expect_eq(w.err, LW_E_NOSPACE, "writer %d", kind);
		cr_expect_eq(lw_wcur_len(&w), 3, "writer %d", kind);
		cr_expect_eq(buf[3], 0x55, "writer %d wrote past the end", kind);
	}
}

Test(err, strerror_names_both_kinds)
{
	cr_expect_str_eq(lw_strerror(0), "success");
	cr_expect_str_eq(
		lw_strerror(LW_E_TRUNC), "truncated: a field runs past the end of the data");
	cr_expect_str_eq(lw_strerror(LW_E_NOSPACE), "no room left in the output buffer");
	cr_expect_str_eq(lw_strerror(-ENOENT), strerror(ENOENT));
	cr_expect_str_eq(lw_strerror(LW_E_LAST - 1), "unknown error");
}
