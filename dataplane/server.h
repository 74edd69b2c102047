/* SPDX-License-Identifier: MPL-2.0 */
/*
 * DHCPv4 server decisions (RFC 2131 section 4.3): what to answer to a parsed
 * request, from which subnet and pool, with which options, and where to send
 * the reply (section 4.1). No DPDK types here; the packet layer (pkt.c)
 * turns a struct srv_reply into Ethernet/IPv4/UDP headers.
 *
 * Threading: srv_tables is built once per config on the main lcore and then
 * only read; srv_process() runs on the worker that owns the client's shard.
 */
#ifndef LW_SERVER_H
#define LW_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/dhcp4.h"
#include "shard.h"

/* Lookup tables derived from a config: reservations by identity, options by code. */
struct srv_tables;

/* NULL and errno on failure (ENOMEM). */
struct srv_tables *srv_tables_build(const struct lw_config *cfg);
void srv_tables_free(struct srv_tables *t);

/* Reservation of a client in subnet s (by client id first, then by hardware address), or NULL. */
const struct lw_reservation *srv_find_reservation(
	const struct srv_tables *t, unsigned subnet, const struct dhcp4_msg *m);

/*
 * What failover lets this worker do in failover subnets: the worker's copy
 * of control's snapshot (struct lw_shm_fo, common/lw_shm.h), taken at
 * housekeeping (wctl.c), so that requests read plain memory. All zero
 * (service LW_FO_SERVE_NONE) until control publishes the first one.
 */
struct srv_fo {
	uint64_t seq;	      /* lw_shm_fo.seq it was copied at, 0: none yet */
	uint8_t service;      /* enum lw_fo_service */
	uint8_t role;	      /* enum lw_fo_role */
	uint32_t mclt;	      /* seconds (FAILOVER.md 5.2) */
	uint32_t lb_max_secs; /* 0: no load balancing */
	uint8_t hba[32];      /* bit set: the primary serves the bucket (6.2) */
};

/*
 * A worker's cache of reply options: everything a reply carries after its
 * message type (53) and before the echoes, i.e. the server identifier (54),
 * the lease times (51, 58, 59) and the configured options the client asked
 * for (55), as encoded for the last request seen in a subnet with the same
 * list, server address and lease time (clients of one kind all send the same
 * list and get the same time), so that a reply copies them in one go. An
 * entry is used only when it was built from the same configuration, subnet,
 * server address, lease time and list, and when all of it fits; it is
 * refilled otherwise. Per worker, never shared.
 */
#define SRV_OC_ENTRIES 16 /* by subnet index, modulo */
#define SRV_OC_BYTES   1024

struct srv_optcache {
	const struct lw_config *cfg; /* NULL: empty */
	/* Compared as two words: server address and lease time (0: no
	 * 51/58/59, INFORM); subnet, whether there was a list, its length. */
	uint64_t key[2];
	/* A list of up to 16 codes as two words and the masks of its bytes;
	 * a longer one is compared in prl. */
	uint64_t prl_w[2], prl_mask[2];
	uint16_t len; /* bytes of options */
	uint8_t prl[255];
	uint8_t bytes[SRV_OC_BYTES];
};

struct srv_ctx {
	const struct lw_config *cfg;
	const struct srv_tables *tbl;
	struct shard *shard;
	uint32_t now;		 /* Unix seconds */
	uint64_t *ctr;		 /* LW_CTR_* counters of this worker */
	const struct srv_fo *fo; /* NULL: failover subnets are not served */
	struct srv_optcache *oc; /* SRV_OC_ENTRIES of this worker's, or NULL: no cache */
};

/* What the packet layer knows about the request. */
struct srv_req {
	unsigned port;	 /* index in cfg->ports */
	uint32_t ip_src; /* IPv4 source of the request, host order */
	uint32_t ip_dst;
	/* The RFC 3074 bucket of the client key (FAILOVER.md 6.1) when the
	 * worker already hashed it to steer; else computed when needed. */
	bool has_bucket;
	uint8_t bucket;
	/* The client's key and lookup done ahead for the whole burst
	 * (srv_lookup_burst), or NULL: srv_process() looks it up. */
	const struct shard_hint *hint;
	/* buf holds this request's DHCP payload as received (the worker's
	 * mbuf): the reply is written over it, and the header fields it echoes
	 * (htype, hlen, xid, flags, ciaddr, giaddr, chaddr, cookie) are left
	 * where they are (-45 instructions per reply). */
	bool in_place;
};

enum srv_dst {
	SRV_DST_BROADCAST = 1, /* 255.255.255.255, ff:ff:ff:ff:ff:ff */
	SRV_DST_CHADDR = 2,    /* ip = yiaddr, Ethernet = chaddr (client has no address yet) */
	SRV_DST_UNICAST = 3,   /* ip = dst_ip, Ethernet = the next hop's (route + ARP) */
};

struct srv_reply {
	uint8_t type;	   /* DHCP4_OFFER, DHCP4_ACK or DHCP4_NAK */
	uint8_t dst;	   /* enum srv_dst */
	uint16_t dst_port; /* 67 to a relay, 68 to a client */
	uint32_t dst_ip;
	uint32_t src_ip;    /* the server address of the receiving port */
	uint16_t len;	    /* bytes of DHCP payload written */
	uint64_t event_seq; /* > 0: the reply may leave only once this binding event is durable */
};

/*
 * The clients of a burst of parsed requests m[0..n) (n <= 64) looked up
 * together (shard_lookup_burst): h[i] then goes in the srv_req of m[i]. The
 * requests must then go through srv_process() in this order, on this
 * worker, before the next burst; a hint stays correct whatever earlier
 * requests of the burst did to the table (shard_hint_lease).
 */
void srv_lookup_burst(
	struct srv_ctx *ctx, const struct dhcp4_msg *const *m, unsigned n, struct shard_hint *h);

/*
 * Decides and builds the reply to m, received as rq. In a failover subnet
 * the snapshot ctx->fo decides first: service NONE answers nothing,
 * BALANCED drops the DHCPDISCOVERs of the peer's hash buckets whose secs is
 * at most lb_max_secs (FAILOVER.md 6.3), and lease times follow the MCLT
 * rule (5.2). The payload is written to buf[0..cap) (cap >= 576; buf may
 * hold the request's bytes: m is a copy; with rq->in_place it must hold
 * exactly the bytes m was parsed from). Returns 1 when *out holds a reply
 * to send, 0 when the request is answered by silence (RELEASE, DECLINE,
 * someone else's REQUEST ...; the reason is counted), or a negative LW_E_*
 * when the reply does not fit.
 */
int srv_process(struct srv_ctx *ctx, const struct srv_req *rq, const struct dhcp4_msg *m,
	uint8_t *buf, size_t cap, struct srv_reply *out);

#endif
