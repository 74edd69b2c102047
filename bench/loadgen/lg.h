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

#define LG_NIL		  UINT32_MAX  /* no client: end of a timer list */
#define LG_WHEEL	  (1u << 17)  /* timer wheel slots of 1 ms: 131 s ahead */
#define LG_MAX_TIMEOUT_MS 64000u      /* RFC 2131 4.1: backoff up to 64 s */
#define LG_XID_RENEW	  0x80000000u /* xid bit of the second transaction */
#define LG_SERIES_MAX	  86400	      /* one row a second, a day at most */

enum lg_scenario {
	SC_DORA,
	SC_RENEW,
	SC_RELEASE,
	SC_AVALANCHE,
};

enum lg_state {
	ST_IDLE = 0,
	ST_WAIT_OFFER,
	ST_WAIT_ACK,
	ST_DONE, /* bound */
	ST_FAILED,
	ST_WAIT_RENEW,
	ST_RENEWED,
	ST_RELEASED,
};

/* What the run is doing: phases follow one another (see loadgen.c). */
enum lg_phase {
	PH_DORA,
	PH_SECOND, /* renew or release every bound client */
	PH_REUSE,  /* release --reuse: new clients take the released addresses */
	PH_END,
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
	C_RESTART,
	C_RENEW_SENT,
	C_RENEWED,
	C_RENEW_MISMATCH,
	C_TIMEOUT_RENEW,
	C_RELEASE_SENT,
	C_REUSED,
	C_N,
};

struct lg_client {
	uint64_t t_start; /* first DISCOVER, or first renewal REQUEST */
	uint64_t t_sent;  /* last transmission */
	uint32_t yiaddr;
	uint32_t server_id;
	uint32_t tw_next, tw_prev; /* timer wheel list, LG_NIL at the ends */
	uint32_t tw_slot;
	uint8_t state;
	uint8_t tries; /* transmissions in this state */
	uint8_t armed; /* in a timer wheel list */
};

/* One second of the run (--series, the JSON "series"); the last row may be shorter. */
struct lg_sec {
	double t_s;	   /* seconds since the start, at the end of the row */
	double interval_s; /* length of the row: 1 s but for the last */
	uint64_t offered;  /* transactions started: DISCOVER, renewal, release */
	uint64_t answered; /* transactions completed: ACK of a DORA or a renewal */
	uint64_t late;	   /* of those, over 1 s */
	uint64_t lost;	   /* clients given up (tries exhausted, failed checks) */
	uint64_t retrans;
	uint64_t bound; /* clients holding a lease at the end of the second */
	uint64_t outstanding;
	double p99_us; /* of the transactions completed in the second */
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
	uint16_t queues; /* queue pairs: requests leave on 0, replies are read from all */
	unsigned int mbufs;
	bool reflect;
	bool reuse; /* release: new clients redo DORA afterwards */
	enum lg_scenario scenario;
	double arrival;	     /* avalanche: seconds over which all clients start */
	double deadline;     /* avalanche: seconds until the run gives up */
	uint64_t retrans_ms; /* avalanche: first retransmission (4000) */
	const char *json;
	const char *series;
	const char *cdf;
	uint8_t mac_base[6];
	struct lg_wire_cfg wire;
};

struct lg {
	struct lg_opts o;
	struct rte_mempool *pool;
	struct lg_client *cl;
	uint64_t n_cl;	 /* entries in cl: clients, twice with release --reuse */
	uint32_t *tw;	 /* timer wheel: LG_WHEEL list heads */
	uint64_t tw_pos; /* last 1 ms slot processed */
	uint64_t cyc_per_ms;
	uint64_t rng;
	uint32_t *addr_key, *addr_val; /* yiaddr -> client index + 1 */
	uint64_t addr_mask;
	uint32_t salt;
	uint64_t hz;
	double ns_per_cyc;
	uint64_t outstanding;
	uint16_t rxq;	/* the RX queue the next pass reads */
	uint64_t bound; /* clients holding a lease now */
	uint64_t ctr[C_N];
	struct lg_hist h_offer, h_ack, h_dora, h_renew;
	struct lg_hist h_sec; /* the current second, for the series' p99 */
	struct lg_sec *series;
	uint64_t n_series;
	uint64_t t_tick;    /* end of the last row */
	uint8_t srv_mac[6]; /* learnt from the first OFFER/ACK */
	uint32_t srv_ip;
	bool srv_known;
	enum lg_phase phase;
	uint64_t ph_t0, ph_next, ph_sent, ph_end; /* the current phase's pacing */
	uint64_t t_all_bound;			  /* avalanche: every client bound */
	uint64_t failed;			  /* clients ended in ST_FAILED */
	uint64_t ctr_dora[C_N];			  /* counters when the DORA phase ended */
	uint64_t t_end;
	uint64_t cyc_rx; /* cycles spent on RX bursts (replies checked and freed) */
	uint64_t t_phase2, t_phase2_end;
	struct rte_mbuf *txb[LG_TXBUF];
	unsigned int ntx;
	uint64_t t_first, t_last_ack, t_stop_offer;
	uint64_t completed_at_stop; /* ACKs received while DISCOVERs were being offered */
};

/* Name of a scenario, for the report. */
const char *lg_scenario_name(enum lg_scenario s);

/*
 * Prints the summary table on stdout and, with --json, --series and --cdf,
 * writes those files. Returns 0, or -1 if a file could not be written.
 */
int lg_report(struct lg *g);

#endif
