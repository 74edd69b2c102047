/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Bounds-checked read and write cursors with a sticky error.
 *
 * Every read of untrusted bytes (DHCP options, failover TLVs, journal
 * records) goes through a struct lw_rcur: read a run of fields, then check
 * ->err once. After the first overrun the cursor stops moving, every read
 * returns zero and ->err stays LW_E_TRUNC, so no read can pass the end.
 * The write cursor works the same way with LW_E_NOSPACE.
 *
 * Not thread-safe; a cursor lives on the caller's stack.
 */
#ifndef LW_CURSOR_H
#define LW_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lw_err.h"

struct lw_rcur {
	const uint8_t *p;
	const uint8_t *end;
	int err;
};

struct lw_wcur {
	uint8_t *p;
	uint8_t *start;
	uint8_t *end;
	int err;
};

static inline void lw_rcur_init(struct lw_rcur *c, const void *buf, size_t len)
{
	c->p = buf;
	c->end = c->p + len;
	c->err = 0;
}

static inline size_t lw_rcur_left(const struct lw_rcur *c)
{
	return (size_t)(c->end - c->p);
}

/* Returns a pointer to the next n bytes and advances, or NULL (and sets err). */
static inline const uint8_t *lw_rcur_take(struct lw_rcur *c, size_t n)
{
	const uint8_t *r;

	if (c->err || lw_rcur_left(c) < n) {
		c->err = LW_E_TRUNC;
		return NULL;
	}
	r = c->p;
	c->p += n;
	return r;
}

static inline uint8_t lw_rcur_u8(struct lw_rcur *c)
{
	const uint8_t *b = lw_rcur_take(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t lw_rcur_u16(struct lw_rcur *c)
{
	const uint8_t *b = lw_rcur_take(c, 2);
	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

static inline uint32_t lw_rcur_u32(struct lw_rcur *c)
{
	const uint8_t *b = lw_rcur_take(c, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

static inline void lw_rcur_bytes(struct lw_rcur *c, void *dst, size_t n)
{
	const uint8_t *b = lw_rcur_take(c, n);
	if (b)
		memcpy(dst, b, n);
	else
		memset(dst, 0, n);
}

static inline void lw_rcur_skip(struct lw_rcur *c, size_t n)
{
	(void)lw_rcur_take(c, n);
}

static inline void lw_wcur_init(struct lw_wcur *c, void *buf, size_t cap)
{
	c->start = c->p = buf;
	c->end = c->p + cap;
	c->err = 0;
}

static inline size_t lw_wcur_len(const struct lw_wcur *c)
{
	return (size_t)(c->p - c->start);
}

static inline size_t lw_wcur_left(const struct lw_wcur *c)
{
	return (size_t)(c->end - c->p);
}

/* Reserves n bytes and returns them, or NULL (and sets err). */
static inline uint8_t *lw_wcur_reserve(struct lw_wcur *c, size_t n)
{
	uint8_t *r;

	if (c->err || lw_wcur_left(c) < n) {
		c->err = LW_E_NOSPACE;
		return NULL;
	}
	r = c->p;
	c->p += n;
	return r;
}

static inline void lw_wcur_u8(struct lw_wcur *c, uint8_t v)
{
	uint8_t *b = lw_wcur_reserve(c, 1);
	if (b)
		b[0] = v;
}

static inline void lw_wcur_u16(struct lw_wcur *c, uint16_t v)
{
	uint8_t *b = lw_wcur_reserve(c, 2);
	if (b) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	}
}

static inline void lw_wcur_u32(struct lw_wcur *c, uint32_t v)
{
	uint8_t *b = lw_wcur_reserve(c, 4);
	if (b) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	}
}

static inline void lw_wcur_bytes(struct lw_wcur *c, const void *src, size_t n)
{
	uint8_t *b = lw_wcur_reserve(c, n);
	if (b && n)
		memcpy(b, src, n);
}

static inline void lw_wcur_zero(struct lw_wcur *c, size_t n)
{
	uint8_t *b = lw_wcur_reserve(c, n);
	if (b && n)
		memset(b, 0, n);
}

#endif
