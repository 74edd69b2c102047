/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Failover connection: the TCP link to the peer, message framing, the
 * CONNECT/CONNECTACK handshake and the keep-alive timers, as ISC dhcpd 4.4
 * runs them (../shared/design/FAILOVER.md §1.1, §1.4, §5.5, §7.6, §8).
 *
 * Plain C, no DPDK. One struct fo_conn per failover relationship, used by
 * one thread (the control process's event loop): no function here may be
 * called concurrently on the same struct fo_conn.
 *
 * Event loop contract: the caller watches fo_conn_fd() for EPOLLIN and calls
 * fo_conn_poll() when it is readable or when fo_conn_next_ms() is reached.
 * fo_conn_poll() never blocks. Every timer runs on the now_ms arguments
 * (monotonic milliseconds, e.g. lw_mono_ns() / 1000000), never on a clock
 * read inside; the wall-clock time put into message headers comes from
 * cfg->clock.
 *
 * Callbacks (struct fo_conn_ops) run only inside fo_conn_poll(). They may
 * call fo_conn_send(), fo_conn_close(), fo_conn_is_up(), fo_conn_out_room()
 * and fo_conn_stats(), never fo_conn_poll() or fo_conn_free().
 */
#ifndef LW_FO_CONN_H
#define LW_FO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "failover/fo_state.h"
#include "failover/fo_wire.h"

/* Output buffer of a link: BNDUPD bursts are queued here while TCP is slow. */
#define FO_CONN_OUT_CAP (256u * 1024u)
/* §1.1: no CONNECT/CONNECTACK within this time after TCP is up → close. */
#define FO_CONN_STARTUP_MS 15000u
/* §1.1: reconnect delay after a drop or a failed attempt, and after a
 * connect() that fails at once (no route, ...). ISC waits 90 s in the
 * second case; leasewire retries every 5 s either way, so a link whose
 * interface comes back is used again within seconds. */
#define FO_CONN_RETRY_MS      5000u
#define FO_CONN_RETRY_SYNC_MS 5000u
/* §5.6: CONNECT/CONNECTACK header time may differ from mine by this much. */
#define FO_CONN_MAX_SKEW 60
/* Peer vendor-class kept for display, NUL included. */
#define FO_CONN_VENDOR_MAX 64
/* Counters of reject reasons are indexed by reason; >= this go to [0]. */
#define FO_CONN_REASONS 32

/* Reject reasons of FAILOVER.md §2.2 used by the handshake. */
#define FO_REJ_TIME_MISMATCH 4
#define FO_REJ_INVALID_MCLT  5
#define FO_REJ_DUP_CONN	     7
#define FO_REJ_INVALID_PEER  8
#define FO_REJ_HBA	     18

struct fo_conn_cfg {
	const char *name; /* relationship name (copied), byte-compared */
	enum fo_role role;
	uint32_t addr; /* IPv4, host order: listen here, bind outgoing here */
	uint16_t port; /* listen port; 0 = any (see fo_conn_local_port) */
	uint32_t peer_addr;
	uint16_t peer_port;
	uint32_t max_response_delay; /* s; my receive timeout, sent as receive-timer */
	uint32_t max_unacked;	     /* sent as max-unacked-bndupd */
	uint32_t mclt;		     /* primary: sent in CONNECT */
	uint8_t hba[FO_HBA_LEN];     /* primary: sent in CONNECT */
	const char *vendor;	     /* vendor-class (copied); NULL = "leasewire" */
	/* Wall clock for header times (s since 1970); NULL = time(NULL). Called
	 * with the arg of fo_conn_create(). */
	uint32_t (*clock)(void *arg);
	/* Log sink, may be NULL. level is a syslog priority (LOG_ERR, LOG_WARNING,
	 * LOG_INFO, LOG_DEBUG); every line starts "failover peer NAME: ". */
	void (*log)(void *arg, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

/* What the peer told us in the handshake. */
struct fo_conn_peer {
	uint32_t addr; /* remote end of the link, host order */
	uint16_t port;
	bool outbound;		/* we connected out */
	uint32_t max_unacked;	/* 0 when not advertised */
	uint32_t receive_timer; /* s; 0 when not advertised */
	/* Secondary: as received in CONNECT. Primary: my own cfg values. */
	uint32_t mclt;
	uint8_t hba[FO_HBA_LEN];
	char vendor[FO_CONN_VENDOR_MAX]; /* printable ASCII, '?' for the rest */
	int32_t skew;			 /* s: peer header time - my clock */
};

struct fo_conn_ops {
	/* The handshake succeeded on a link: messages may be sent. */
	void (*up)(void *arg, const struct fo_conn_peer *p);
	/* The up link is gone (TCP close/error, timeout, protocol error,
	 * DISCONNECT, fo_conn_close). reason is log text. Never called for a
	 * link that was not up. */
	void (*down)(void *arg, const char *reason);
	/* Every message received on the up link except CONNECT, CONNECTACK and
	 * CONTACT (handled here) and unknown types (dropped). *m and the bytes
	 * it points to are valid only during the call. A DISCONNECT is delivered
	 * here first, then the link is closed and down() is called. */
	void (*msg)(void *arg, const struct fo_msg *m);
};

struct fo_conn_stats {
	uint64_t connect_attempts; /* outgoing connect() calls */
	uint64_t connect_fails;	   /* refused, unreachable, timed out */
	uint64_t connects_out;	   /* outgoing TCP connections established */
	uint64_t connects_in;	   /* inbound connections from peer_addr */
	uint64_t refused;	   /* inbound from another address: closed (pitfall 16) */
	uint64_t dup_closed;	   /* extra connections closed (one link only) */
	uint64_t handshakes;	   /* CONNECT/CONNECTACK exchanges that brought the link up */
	uint64_t rejects_tx[FO_CONN_REASONS]; /* CONNECTACK/DISCONNECT rejects we sent */
	uint64_t rejects_rx[FO_CONN_REASONS]; /* rejects the peer sent us */
	uint64_t startup_timeouts;	      /* §1.1: 15 s without handshake */
	uint64_t timeouts;		      /* §5.5: receive timer expired on the up link */
	uint64_t protocol_errors;	      /* malformed or unexpected message: closed */
	uint64_t downs;			      /* times down() was called */
	uint64_t ignored;		      /* unknown message types dropped */
	uint64_t msgs_rx[FO_MSG_MAX + 1];     /* by type */
	uint64_t msgs_tx[FO_MSG_MAX + 1];
	uint64_t bytes_rx;
	uint64_t bytes_tx;
	uint64_t last_rx_ms; /* now_ms of the last message received, 0 = never */
	uint64_t last_tx_ms; /* now_ms of the last message queued, 0 = never */
	int32_t skew;	     /* s, of the last handshake */
	char peer_vendor[FO_CONN_VENDOR_MAX];
};

struct fo_conn;

/**
 * Creates the relationship endpoint: binds and listens on addr:port
 * (SO_REUSEADDR) and schedules the first outgoing connection at now_ms.
 * cfg and ops are copied (name and vendor strings too); arg is passed to
 * every callback and to cfg->clock/cfg->log.
 *
 * @return the endpoint, or NULL with errno set: EINVAL (NULL cfg/ops/name,
 *         max_response_delay 0, name longer than 255), ENOMEM, or the errno
 *         of socket()/bind()/listen()/epoll_create1().
 */
struct fo_conn *fo_conn_create(
	const struct fo_conn_cfg *cfg, const struct fo_conn_ops *ops, void *arg, uint64_t now_ms);

/* Closes every socket without calling down(). NULL is a no-op. */
void fo_conn_free(struct fo_conn *c);

/* The epoll descriptor to watch for EPOLLIN (owned by c). */
int fo_conn_fd(const struct fo_conn *c);

/* The bound listen port (useful when cfg->port was 0). */
uint16_t fo_conn_local_port(const struct fo_conn *c);

/**
 * Does all pending work: accept, connect, read, decode, dispatch, write,
 * and the timers due at now_ms (startup, receive timeout, CONTACT,
 * reconnect). Never blocks.
 *
 * @return 0 (every failure is handled by closing the link concerned and
 *         reported through down() and the log), or -EINVAL for a NULL c.
 */
int fo_conn_poll(struct fo_conn *c, uint64_t now_ms);

/* The latest now_ms at which fo_conn_poll() must run again even if the fd
 * stays quiet; <= now_ms means "now". */
uint64_t fo_conn_next_ms(const struct fo_conn *c, uint64_t now_ms);

/**
 * Queues a message on the up link and starts writing it (the rest is written
 * by fo_conn_poll()).
 *
 * Requests and notifications (POOLREQ, BNDUPD, UPDREQALL, UPDREQ, STATE,
 * CONTACT) get the link's next xid (§1.4: one counter per link from 0,
 * BNDUPD never 0; it wraps from 2^31 - 1 to 0). Responses (POOLRESP,
 * BNDACK, UPDDONE) keep the caller's m->xid. Either way m->xid is the xid
 * sent and m->time is set from cfg->clock.
 *
 * @return the xid assigned to a request (0..INT32_MAX), 0 for a response;
 *         -ENOTCONN when the link is not up; -ENOBUFS when the output
 *         buffer lacks room (retry after fo_conn_poll; nothing was queued
 *         and no xid consumed); -EINVAL for CONNECT, CONNECTACK, DISCONNECT
 *         (use fo_conn_close) or an unknown type; or an fo_msg_encode()
 *         error (FO_E_*, LW_E_*).
 */
int fo_conn_send(struct fo_conn *c, struct fo_msg *m);

/**
 * Closes the up link: sends DISCONNECT with reject-reason reason (and
 * message text when not NULL) if reason is not 0, then closes the socket
 * and calls down(text or "closed locally"). Reconnects after
 * FO_CONN_RETRY_MS. @return 0, or -ENOTCONN when no link is up.
 */
int fo_conn_close(struct fo_conn *c, uint8_t reason, const char *text, uint64_t now_ms);

/*
 * Corks the links: fo_conn_send() only queues until fo_conn_cork(c, false),
 * which writes what is queued (as fo_conn_poll() does at its end). A caller
 * that sends a burst (updates, acknowledgements) makes one write of it
 * instead of one per message.
 */
void fo_conn_cork(struct fo_conn *c, bool on);

/* Free bytes in the up link's output buffer; 0 when not up. */
size_t fo_conn_out_room(const struct fo_conn *c);

bool fo_conn_is_up(const struct fo_conn *c);

/* Counters, live (owned by c). */
const struct fo_conn_stats *fo_conn_stats(const struct fo_conn *c);

/* Text of a reject reason (FAILOVER.md §2.2), "unknown" otherwise. */
const char *fo_reject_reason_name(unsigned reason);

#endif
