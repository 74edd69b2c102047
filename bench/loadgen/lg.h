/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire-loadgen's state, shared by its main loop (loadgen.c) and its
 * report (lg_report.c). One struct lg per process, used by one lcore.
 */
#ifndef LG_H
#define LG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "bench/loadgen/lg_hist.h"
#include "bench/loadgen/lg_wire.h"

#define LG_BURST	32
#define LG_TXBUF	(LG_BURST * 4)
#define LG_NB_DESC	1024
#define LG_REFLECT_BASE 0x0a000000u /* 10.0.0.0 */
#define LG_LATE_NS	1000000000ull

enum lg_state {
	ST_IDLE = 0,
	ST_WAIT_OFFER,
	ST_WAIT_ACK,
	ST_DONE,
	ST_FAILED,
};

/* Counters by kind; names in lg_report.c, same order. */
enum lg_ctr {
	C_STARTED,
	C_COMPLETED,
	C_LATE,
	C_TX,
	C_RX,
	C_RETRANSMIT,
	C_STRAY,
	C_NOT_DHCP,
	C_MALFORMED,
	C_BAD_XID,
	C_CHADDR,
	C_BAD_TYPE,
	C_NO_SERVER_ID,
	C_YIADDR_ZERO,
	C_OUT_OF_RANGE,
	C_ACK_MISMATCH,
	C_DUP_ADDRESS,
	C_NAK,
	C_TIMEOUT_OFFER,
	C_TIMEOUT_ACK,
	C_TX_BUSY,
	C_TX_DROP,
	C_MBUF_FAIL,
	C_QUEUE_FULL,
	C_N,
};

struct lg_client {
	uint64_t t_start; /* first DISCOVER */
	uint64_t t_sent;  /* last transmission */
	uint32_t yiaddr;
	uint32_t server_id;
	uint8_t state;
	uint8_t tries;
};

struct lg_tq_entry {
	uint64_t sent;
	uint32_t idx;
};

struct lg_opts {
	uint64_t clients;
	uint64_t rate;
	double duration;
	uint64_t timeout_ms;
	unsigned int tries;
	uint64_t max_outstanding;
	uint32_t range_first, range_last;
	uint32_t server_id; /* --reflect */
	uint16_t port;
	unsigned int mbufs;
	bool reflect;
	const char *json;
	uint8_t mac_base[6];
	struct lg_wire_cfg wire;
};

struct lg {
	struct lg_opts o;
	struct rte_mempool *pool;
	struct lg_client *cl;
	struct lg_tq_entry *tq;
	uint64_t tq_mask, tq_head, tq_tail;
	uint32_t *addr_key, *addr_val; /* yiaddr -> client index + 1 */
	uint64_t addr_mask;
	uint32_t salt;
	uint64_t hz, timeout_cyc;
	double ns_per_cyc;
	uint64_t outstanding;
	uint64_t ctr[C_N];
	struct lg_hist h_offer, h_ack, h_dora;
	struct rte_mbuf *txb[LG_TXBUF];
	unsigned int ntx;
	uint64_t t_first, t_last_ack, t_stop_offer;
	uint64_t completed_at_stop; /* ACKs received while DISCOVERs were being offered */
};

/* Prints the summary table on stdout and, with --json, writes the file. */
void lg_report(struct lg *g);

#endif
