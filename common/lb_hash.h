/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The RFC 3074 load-balancing hash, as ISC dhcpd computes it (FAILOVER.md
 * section 6). One function answers two questions: which failover peer
 * serves a client (bucket vs. the HBA bitmap) and which worker shard owns it
 * (bucket -> worker table).
 */
#ifndef LW_LB_HASH_H
#define LW_LB_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bucket 0..255 for a key of len bytes (len may be 0). The key is the whole
 * option 61 payload (type byte included) when the client sent one, else
 * chaddr[0 .. hlen-1] without the htype byte.
 */
uint8_t lb_hash(const uint8_t *key, size_t len);

/* 1 when bucket b is set in a 32-byte HBA bitmap (ISC meaning: primary serves it). */
static inline int lb_hba_test(const uint8_t hba[32], uint8_t b)
{
	return (hba[b >> 3] >> (b & 7)) & 1;
}

/* Fills hba with ISC's `split N` bitmap: buckets 0..split-1 set. split 0..256. */
void lb_hba_split(uint8_t hba[32], unsigned split);

#endif
