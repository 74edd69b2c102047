/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Messages between workers (and, later, from the control process to a
 * worker): fixed 64-byte records on the per-pair single-producer /
 * single-consumer message rings. Steered packets travel on separate mbuf
 * rings.
 */
#ifndef LW_WMSG_H
#define LW_WMSG_H

#include <stdint.h>

#define WMSG_MAX_OFFSETS 13

enum wmsg_type {
	WMSG_ADDR_REQUEST = 1, /* "I am dry in pool P, send me up to n free addresses" */
	WMSG_ADDR_GRANT = 2,   /* "these n addresses of pool P are yours now" */
	WMSG_NEIGH = 3,	       /* "IPv4 ip on port is at mac" (learned ARP entry) */
};

struct wmsg {
	uint8_t type;  /* enum wmsg_type */
	uint8_t from;  /* sending worker */
	uint16_t n;    /* number of offsets (GRANT) or wanted (REQUEST) */
	uint32_t pool; /* pool index */
	union {
		uint32_t offsets[WMSG_MAX_OFFSETS]; /* address - pool start */
		struct {
			uint32_t ip;
			uint16_t port;
			uint8_t mac[6];
		} neigh;
	};
	uint32_t flags; /* WMSG_F_* */
};

/* ADDR_REQUEST: the requester has no free address left (a client is waiting). */
#define WMSG_F_DRY 1u
_Static_assert(sizeof(struct wmsg) == 64, "a message is one cache line");

#endif
