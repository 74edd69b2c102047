/* SPDX-License-Identifier: MPL-2.0 */
/*
 * IPv4 address helpers. Inside leasewire an IPv4 address is a uint32_t in
 * HOST byte order; conversion happens only at the wire (dhcp4.c, the packet
 * code) and at text boundaries (these helpers).
 */
#ifndef LW_IP_H
#define LW_IP_H

#include <stddef.h>
#include <stdint.h>

#define LW_IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define LW_IP4_STRLEN	   16

static inline uint32_t lw_prefix_mask(unsigned plen)
{
	return plen == 0 ? 0 : plen >= 32 ? 0xffffffffu : ~((1u << (32 - plen)) - 1);
}

static inline int lw_in_prefix(uint32_t addr, uint32_t net, unsigned plen)
{
	return ((addr ^ net) & lw_prefix_mask(plen)) == 0;
}

/* Parses dotted quad; 0 on success, -EINVAL otherwise. */
int lw_ip4_parse(const char *s, uint32_t *out);
/* Parses "a.b.c.d/len" (len 0..32); a bare address means /32. */
int lw_prefix_parse(const char *s, uint32_t *addr, uint8_t *plen);
/* Formats into buf (LW_IP4_STRLEN bytes); returns buf. */
char *lw_ip4_fmt(uint32_t addr, char *buf);
/* Parses "aa:bb:cc" style hex bytes (':' '-' or no separator) into out; returns length or -EINVAL.
 */
int lw_hex_parse(const char *s, uint8_t *out, size_t cap);

#endif
