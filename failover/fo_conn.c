/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Failover connection (FAILOVER.md §1.1, §1.4, §5.5, §7.6): one internal
 * epoll instance holding the listener and up to FO_LINKS sockets. Several
 * sockets may be in their handshake at once (both sides connect, §1.1);
 * the first to finish the handshake becomes the link and the others close.
 */
#include "fo_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_ip.h"

#define FO_LINKS	4
#define FO_IN_CAP	(2 * FO_MSG_MAX_LEN)
#define EV_LISTENER	UINT64_MAX
#define READ_BUDGET	(64 * 1024)
#define NEVER		UINT64_MAX
#define REASON_TEXT_MAX 384

struct fo_link {
	int fd; /* -1: free slot */
	unsigned gen;
	bool outbound;
	bool connecting; /* non-blocking connect() in progress */
	bool up;
	bool want_out; /* EPOLLOUT registered */
	int err;       /* pending write error, closed at the next poll */
	uint32_t peer_ip;
	uint16_t peer_port;
	uint64_t start_ms; /* connect() or accept time: startup timer */
	uint64_t last_rx_ms;
	uint64_t last_tx_ms;
	uint64_t contact_ms;
	uint32_t next_xid;
	uint8_t in[FO_IN_CAP];
	size_t in_len;
	uint8_t *out;
	size_t out_head;
	size_t out_len;
};

struct fo_conn {
	struct fo_conn_cfg cfg;
	struct fo_conn_ops ops;
	void *arg;
	char *name;
	char *vendor;
	size_t name_len;
	int epfd;
	int lfd;
	uint16_t lport;
	bool in_poll;
	bool corked;  /* fo_conn_cork(): queue only, write on uncork */
	uint64_t now; /* of the last create/poll/close call: stamps fo_conn_send */
	uint64_t next_connect_ms;
	struct fo_link *up;
	struct fo_conn_peer peer;
	struct fo_conn_stats st;
	struct fo_link links[FO_LINKS];
};

const char *fo_reject_reason_name(unsigned reason)
{
	/* draft-ietf-dhc-failover-12 §12.21, ISC's wording. */
	switch (reason) {
	case 0:
		return "reason not specified";
	case 1:
		return "illegal IP address (not part of any address pool)";
	case 2:
		return "fatal conflict exists: address in use by other client";
	case 3:
		return "missing binding information";
	case 4:
		return "connection rejected, time mismatch too great";
	case 5:
		return "connection rejected, invalid MCLT";
	case 6:
		return "connection rejected, unknown reason";
	case 7:
		return "connection rejected, duplicate connection";
	case 8:
		return "connection rejected, invalid failover partner";
	case 9:
		return "TLS not supported";
	case 10:
		return "TLS supported but not configured";
	case 11:
		return "TLS required but not supported by partner";
	case 12:
		return "message digest not supported";
	case 13:
		return "message digest not configured";
	case 14:
		return "protocol version mismatch";
	case 15:
		return "outdated binding information";
	case 16:
		return "less critical binding information";
	case 17:
		return "no traffic within sufficient time";
	case 18:
		return "hash bucket assignment conflict";
	case 19:
		return "IP not reserved on this server";
	case 20:
		return "message digest failed to compare";
	case 21:
		return "missing message digest";
	case 254:
		return "unknown: error occurred but does not match any reason";
	}
	return "unknown";
}

static void say(struct fo_conn *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct fo_conn *c, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!c->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->cfg.log(c->arg, level, "failover peer %s: %s", c->name, buf);
}

static uint32_t wall(struct fo_conn *c)
{
	return c->cfg.clock ? c->cfg.clock(c->arg) : (uint32_t)time(NULL);
}

static unsigned reason_idx(unsigned r)
{
	return r < FO_CONN_REASONS ? r : 0;
}

/* Printable copy of peer text for logs and stats. */
static void copy_text(char *dst, size_t cap, const struct fo_bytes *b)
{
	size_t n = b->len < cap - 1 ? b->len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = b->p[i] >= 0x20 && b->p[i] < 0x7f ? (char)b->p[i] : '?';
	dst[n] = '\0';
}

static const char *link_addr(const struct fo_link *l, char *buf, size_t cap)
{
	char ip[LW_IP4_STRLEN];

	snprintf(buf, cap, "%s:%u", lw_ip4_fmt(l->peer_ip, ip), l->peer_port);
	return buf;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	return sa;
}

static int ep_set(struct fo_conn *c, struct fo_link *l, bool add)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};

	if (l->connecting || l->want_out)
		ev.events |= EPOLLOUT;
	ev.data.u64 = (uint64_t)(l - c->links);
	return epoll_ctl(c->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, l->fd, &ev);
}

static bool outbound_active(const struct fo_conn *c)
{
	for (unsigned i = 0; i < FO_LINKS; i++)
		if (c->links[i].fd >= 0 && c->links[i].outbound)
			return true;
	return false;
}

/* Next connect attempt delay_ms from now unless a link is up or an
 * attempt is already in flight (§1.1). */
static void schedule_connect(struct fo_conn *c, uint64_t now, uint64_t delay)
{
	uint64_t at = now + delay;

	if (c->up || outbound_active(c))
		return;
	if (c->next_connect_ms == NEVER || at < c->next_connect_ms)
		c->next_connect_ms = at;
}

static struct fo_link *slot_get(struct fo_conn *c)
{
	for (unsigned i = 0; i < FO_LINKS; i++)
		if (c->links[i].fd < 0)
			return &c->links[i];
	return NULL;
}

static int slot_open(struct fo_conn *c, struct fo_link *l, int fd, bool outbound, uint32_t ip,
	uint16_t port, uint64_t now)
{
	unsigned gen = l->gen + 1;

	memset(l, 0, sizeof(*l));
	l->gen = gen;
	l->fd = fd;
	l->outbound = outbound;
	l->peer_ip = ip;
	l->peer_port = port;
	l->start_ms = now;
	l->out = malloc(FO_CONN_OUT_CAP);
	if (!l->out) {
		l->fd = -1;
		return -ENOMEM;
	}
	return 0;
}

/* Closes one socket; calls down() when it was the up link. */
static void link_close(struct fo_conn *c, struct fo_link *l, uint64_t now, const char *reason)
{
	bool was_up = l->up;
	bool outbound = l->outbound;
	char buf[REASON_TEXT_MAX + 64];

	if (l->fd < 0)
		return;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, l->fd, NULL);
	close(l->fd);
	free(l->out);
	l->out = NULL;
	l->fd = -1;
	l->gen++;
	l->up = false;
	l->connecting = false;
	if (was_up) {
		c->up = NULL;
		snprintf(buf, sizeof(buf), "%s", reason);
		say(c, LOG_WARNING, "disconnected: %s", buf);
		c->st.downs++;
		schedule_connect(c, now, FO_CONN_RETRY_MS);
		if (c->ops.down)
			c->ops.down(c->arg, buf);
		return;
	}
	say(c, LOG_DEBUG, "connection %s %s closed: %s", outbound ? "to" : "from",
		link_addr(l, buf, sizeof(buf)), reason);
	if (outbound)
		schedule_connect(c, now, FO_CONN_RETRY_MS);
}

/* Writes as much of the output buffer as the socket takes. */
static void link_flush(struct fo_conn *c, struct fo_link *l)
{
	bool want;

	while (l->out_len > 0 && !l->err) {
		ssize_t n =
			send(l->fd, l->out + l->out_head, l->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				l->err = errno;
			break;
		}
		l->out_head += (size_t)n;
		l->out_len -= (size_t)n;
		c->st.bytes_tx += (uint64_t)n;
	}
	if (l->out_len == 0)
		l->out_head = 0;
	want = l->out_len > 0 && !l->err;
	if (want != l->want_out) {
		l->want_out = want;
		ep_set(c, l, false);
	}
}

/* Encodes m (header time and xid already set) into l's output buffer. */
static int link_queue(struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, uint64_t now)
{
	uint8_t tmp[FO_MSG_MAX_LEN];
	int n = fo_msg_encode(m, tmp, sizeof(tmp));

	if (n < 0)
		return n;
	if (FO_CONN_OUT_CAP - l->out_len < (size_t)n)
		return -ENOBUFS;
	if (l->out_head + l->out_len + (size_t)n > FO_CONN_OUT_CAP) {
		memmove(l->out, l->out + l->out_head, l->out_len);
		l->out_head = 0;
	}
	memcpy(l->out + l->out_head + l->out_len, tmp, (size_t)n);
	l->out_len += (size_t)n;
	l->last_tx_ms = now;
	c->st.last_tx_ms = now;
	if (m->type <= FO_MSG_MAX)
		c->st.msgs_tx[m->type]++;
	if (!c->in_poll && !c->corked)
		link_flush(c, l);
	return 0;
}

static uint32_t take_xid(struct fo_link *l, uint8_t type)
{
	/* The counter wraps at 2^31 so fo_conn_send() can return it as an int;
	 * the peer only echoes xids, it never orders them. */
	if (l->next_xid > INT32_MAX)
		l->next_xid = 0;
	/* §1.4: ISC skips xid 0 for BNDUPD. */
	if (type == FO_MSG_BNDUPD && l->next_xid == 0)
		l->next_xid++;
	return l->next_xid;
}

/* Sends a message of our own making with the next xid. */
static int link_send_new(struct fo_conn *c, struct fo_link *l, struct fo_msg *m, uint64_t now)
{
	int rc;

	m->xid = take_xid(l, m->type);
	m->time = wall(c);
	rc = link_queue(c, l, m, now);
	if (rc == 0)
		l->next_xid = m->xid + 1;
	return rc;
}

/* Sends a last message and closes, letting the bytes leave first: FIN
 * rather than RST (unread input is drained so the kernel does not reset). */
static void link_send_close(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, uint64_t now, const char *why)
{
	uint8_t junk[512];
	bool in_poll = c->in_poll;

	c->in_poll = false;
	link_queue(c, l, m, now);
	c->in_poll = in_poll;
	shutdown(l->fd, SHUT_WR);
	while (recv(l->fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	link_close(c, l, now, why);
}

static void add_common(struct fo_conn *c, struct fo_msg *m)
{
	m->relationship_name.p = (const uint8_t *)c->name;
	m->relationship_name.len = (uint16_t)c->name_len;
	fo_msg_add(m, FO_OPT_RELATIONSHIP_NAME);
	m->max_unacked = c->cfg.max_unacked;
	fo_msg_add(m, FO_OPT_MAX_UNACKED);
	m->receive_timer = c->cfg.max_response_delay;
	fo_msg_add(m, FO_OPT_RECEIVE_TIMER);
	m->vendor_class.p = (const uint8_t *)c->vendor;
	m->vendor_class.len = (uint16_t)strlen(c->vendor);
	fo_msg_add(m, FO_OPT_VENDOR_CLASS);
	m->protocol_version = 1;
	fo_msg_add(m, FO_OPT_PROTOCOL_VERSION);
}

/* §1.1, §7.1: the primary sends CONNECT on every new TCP connection. */
static void send_connect(struct fo_conn *c, struct fo_link *l, uint64_t now)
{
	struct fo_msg m;

	fo_msg_init(&m, FO_MSG_CONNECT, 0, 0);
	add_common(c, &m);
	m.tls_request = 0;
	fo_msg_add(&m, FO_OPT_TLS_REQUEST);
	m.mclt = c->cfg.mclt;
	fo_msg_add(&m, FO_OPT_MCLT);
	memcpy(m.hba, c->cfg.hba, FO_HBA_LEN);
	fo_msg_add(&m, FO_OPT_HBA);
	link_send_new(c, l, &m, now);
}

static void established(struct fo_conn *c, struct fo_link *l, uint64_t now)
{
	char a[40];

	l->start_ms = now;
	say(c, LOG_INFO, "%s %s", l->outbound ? "connected to" : "connection from",
		link_addr(l, a, sizeof(a)));
	if (c->cfg.role == FO_ROLE_PRIMARY)
		send_connect(c, l, now);
}

static void protocol_error(struct fo_conn *c, struct fo_link *l, uint64_t now, const char *why)
{
	char a[40];

	c->st.protocol_errors++;
	say(c, LOG_ERR, "protocol error from %s: %s", link_addr(l, a, sizeof(a)), why);
	link_close(c, l, now, why);
}

static void close_others(struct fo_conn *c, struct fo_link *keep, uint64_t now)
{
	for (unsigned i = 0; i < FO_LINKS; i++) {
		struct fo_link *o = &c->links[i];

		if (o != keep && o->fd >= 0) {
			c->st.dup_closed++;
			link_close(c, o, now, "duplicate connection");
		}
	}
}

/* The handshake is done on l: it becomes the link. */
static void link_up(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, int32_t skew, uint64_t now)
{
	struct fo_conn_peer *p = &c->peer;
	uint32_t rt;
	char a[40];

	memset(p, 0, sizeof(*p));
	p->addr = l->peer_ip;
	p->port = l->peer_port;
	p->outbound = l->outbound;
	p->max_unacked = m->max_unacked;
	p->receive_timer = m->receive_timer;
	if (c->cfg.role == FO_ROLE_SECONDARY) {
		p->mclt = m->mclt;
		memcpy(p->hba, m->hba, FO_HBA_LEN);
	} else {
		p->mclt = c->cfg.mclt;
		memcpy(p->hba, c->cfg.hba, FO_HBA_LEN);
	}
	copy_text(p->vendor, sizeof(p->vendor), &m->vendor_class);
	p->skew = skew;

	/* §5.5: CONTACT every peer receive-timer / 3 s; pitfall 5 is why a
	 * peer without receive-timer gets my own value instead of 0. */
	rt = (m->present & (1u << FO_OPT_RECEIVE_TIMER)) && m->receive_timer
		     ? m->receive_timer
		     : c->cfg.max_response_delay;
	l->contact_ms = (uint64_t)(rt / 3 ? rt / 3 : 1) * 1000;
	l->up = true;
	l->last_rx_ms = now;
	c->up = l;
	c->next_connect_ms = NEVER;
	c->st.handshakes++;
	c->st.skew = skew;
	memcpy(c->st.peer_vendor, p->vendor, sizeof(p->vendor));
	close_others(c, l, now);
	say(c, LOG_INFO,
		"link up with %s (vendor \"%s\", max-unacked %u, receive-timer %u, skew %d s)",
		link_addr(l, a, sizeof(a)), p->vendor, p->max_unacked, p->receive_timer, (int)skew);
	if (c->ops.up)
		c->ops.up(c->arg, p);
}

static bool name_ok(const struct fo_conn *c, const struct fo_msg *m)
{
	return (m->present & (1u << FO_OPT_RELATIONSHIP_NAME)) &&
	       m->relationship_name.len == c->name_len &&
	       memcmp(m->relationship_name.p, c->name, c->name_len) == 0;
}

static int32_t skew_of(struct fo_conn *c, const struct fo_msg *m, bool *too_big)
{
	int64_t d = (int64_t)m->time - (int64_t)wall(c);

	*too_big = d > FO_CONN_MAX_SKEW || d < -FO_CONN_MAX_SKEW;
	if (d > INT32_MAX)
		d = INT32_MAX;
	if (d < INT32_MIN)
		d = INT32_MIN;
	return (int32_t)d;
}

/* Secondary: answers a CONNECT (§1.3, §7.6). dec is fo_msg_decode()'s
 * result: FO_E_HBA means the header is valid but the HBA is not 32 bytes. */
static void on_connect(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, int dec, uint64_t now)
{
	struct fo_msg a;
	uint8_t reason = 0;
	const char *text = NULL;
	bool big;
	int32_t skew = skew_of(c, m, &big);
	char why[REASON_TEXT_MAX], ad[40];

	if (dec == FO_E_HBA) {
		reason = FO_REJ_HBA;
		text = "invalid HBA";
	} else if (!name_ok(c, m)) {
		reason = FO_REJ_INVALID_PEER;
		text = "unknown failover relationship name";
	} else if (c->up) {
		reason = FO_REJ_DUP_CONN;
		text = "already connected";
	} else if (big) {
		reason = FO_REJ_TIME_MISMATCH;
		text = "time offset too large";
	} else if (!(m->present & (1u << FO_OPT_MCLT))) {
		reason = FO_REJ_INVALID_MCLT;
		text = "no MCLT provided";
	} else if (!(m->present & (1u << FO_OPT_HBA))) {
		reason = FO_REJ_HBA;
		text = "invalid HBA";
	}

	fo_msg_init(&a, FO_MSG_CONNECTACK, wall(c), m->xid);
	add_common(c, &a);
	if (dec == 0 && (m->present & (1u << FO_OPT_TLS_REQUEST))) {
		a.tls_reply = 0;
		fo_msg_add(&a, FO_OPT_TLS_REPLY);
	}
	if (!reason) {
		link_queue(c, l, &a, now);
		link_up(c, l, m, skew, now);
		return;
	}
	a.reject_reason = reason;
	fo_msg_add(&a, FO_OPT_REJECT_REASON);
	a.message.p = (const uint8_t *)text;
	a.message.len = (uint16_t)strlen(text);
	fo_msg_add(&a, FO_OPT_MESSAGE);
	c->st.rejects_tx[reason_idx(reason)]++;
	if (reason == FO_REJ_DUP_CONN)
		c->st.dup_closed++;
	snprintf(why, sizeof(why), "CONNECT from %s rejected: reason %u (%s): %s",
		link_addr(l, ad, sizeof(ad)), reason, fo_reject_reason_name(reason), text);
	say(c, LOG_ERR, "%s", why);
	link_send_close(c, l, &a, now, why);
}

static void send_disconnect_close(struct fo_conn *c, struct fo_link *l, uint8_t reason,
	const char *text, uint64_t now, const char *why)
{
	struct fo_msg d;

	fo_msg_init(&d, FO_MSG_DISCONNECT, 0, 0);
	d.reject_reason = reason;
	fo_msg_add(&d, FO_OPT_REJECT_REASON);
	if (text) {
		d.message.p = (const uint8_t *)text;
		d.message.len = (uint16_t)strnlen(text, UINT16_MAX);
		fo_msg_add(&d, FO_OPT_MESSAGE);
	}
	d.xid = take_xid(l, FO_MSG_DISCONNECT);
	l->next_xid = d.xid + 1;
	d.time = wall(c);
	c->st.rejects_tx[reason_idx(reason)]++;
	link_send_close(c, l, &d, now, why);
}

/* Primary: checks a CONNECTACK (§1.3, §5.6). */
static void on_connectack(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, uint64_t now)
{
	char why[REASON_TEXT_MAX], txt[128], ad[40];
	bool big;
	int32_t skew = skew_of(c, m, &big);

	link_addr(l, ad, sizeof(ad));
	if (m->present & (1u << FO_OPT_REJECT_REASON)) {
		copy_text(txt, sizeof(txt), &m->message);
		c->st.rejects_rx[reason_idx(m->reject_reason)]++;
		snprintf(why, sizeof(why), "CONNECT rejected by %s: reason %u (%s): %s", ad,
			m->reject_reason, fo_reject_reason_name(m->reject_reason), txt);
		say(c, LOG_ERR, "%s", why);
		link_close(c, l, now, why);
		return;
	}
	if (!name_ok(c, m)) {
		snprintf(why, sizeof(why), "CONNECTACK from %s: invalid relationship name", ad);
		say(c, LOG_ERR, "%s", why);
		send_disconnect_close(
			c, l, FO_REJ_INVALID_PEER, "invalid relationship name", now, why);
		return;
	}
	if (c->up) {
		c->st.dup_closed++;
		link_close(c, l, now, "duplicate connection");
		return;
	}
	if (big) {
		snprintf(why, sizeof(why), "CONNECTACK from %s: time offset too large (%d s)", ad,
			(int)skew);
		say(c, LOG_ERR, "%s", why);
		send_disconnect_close(
			c, l, FO_REJ_TIME_MISMATCH, "time offset too large", now, why);
		return;
	}
	link_up(c, l, m, skew, now);
}

static void on_disconnect(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, uint64_t now)
{
	char why[REASON_TEXT_MAX], txt[128];

	copy_text(txt, sizeof(txt), &m->message);
	c->st.rejects_rx[reason_idx(m->reject_reason)]++;
	snprintf(why, sizeof(why), "peer sent DISCONNECT: reason %u (%s)%s%s", m->reject_reason,
		fo_reject_reason_name(m->reject_reason), txt[0] ? ": " : "", txt);
	link_close(c, l, now, why);
}

/* One decoded message (dec is 0 or FO_E_HBA). */
static void dispatch(
	struct fo_conn *c, struct fo_link *l, const struct fo_msg *m, int dec, uint64_t now)
{
	char why[REASON_TEXT_MAX];
	unsigned gen = l->gen;

	/* §5.5: any message re-arms the receive timer. */
	c->st.last_rx_ms = now;
	l->last_rx_ms = now;
	if (m->type == 0 || m->type > FO_MSG_MAX) {
		/* Pitfall 19: unknown types without options are ignored. */
		c->st.ignored++;
		return;
	}
	c->st.msgs_rx[m->type]++;
	if (dec == FO_E_HBA && m->type != FO_MSG_CONNECT) {
		protocol_error(c, l, now, fo_strerror(dec));
		return;
	}
	switch (m->type) {
	case FO_MSG_CONNECT:
		if (c->cfg.role != FO_ROLE_SECONDARY || l->up) {
			protocol_error(c, l, now,
				l->up ? "CONNECT on an established link"
				      : "CONNECT received by the primary (both sides primary?)");
			return;
		}
		on_connect(c, l, m, dec, now);
		return;
	case FO_MSG_CONNECTACK:
		if (c->cfg.role != FO_ROLE_PRIMARY || l->up) {
			protocol_error(c, l, now, "unexpected CONNECTACK");
			return;
		}
		on_connectack(c, l, m, now);
		return;
	default:
		break;
	}
	if (!l->up) {
		if (m->type == FO_MSG_DISCONNECT) {
			on_disconnect(c, l, m, now);
			return;
		}
		snprintf(why, sizeof(why), "%s before CONNECT/CONNECTACK", fo_msg_name(m->type));
		protocol_error(c, l, now, why);
		return;
	}
	if (m->type == FO_MSG_CONTACT)
		return;
	if (c->ops.msg)
		c->ops.msg(c->arg, m);
	if (m->type == FO_MSG_DISCONNECT && l->gen == gen)
		on_disconnect(c, l, m, now);
}

/* Decodes every whole message in the input buffer. */
static void link_parse(struct fo_conn *c, struct fo_link *l, uint64_t now)
{
	unsigned gen = l->gen;
	size_t off = 0;

	while (off < l->in_len) {
		struct fo_msg m;
		int n = fo_msg_decode(l->in + off, l->in_len - off, &m);

		if (n == FO_E_SHORT)
			break;
		if (n == FO_E_HBA) {
			/* The header is valid; the message length frames it. */
			n = m.len;
			dispatch(c, l, &m, FO_E_HBA, now);
		} else if (n < 0) {
			protocol_error(c, l, now, fo_strerror(n));
			return;
		} else {
			dispatch(c, l, &m, 0, now);
		}
		if (l->gen != gen)
			return; /* closed by us or by a callback */
		off += (size_t)n;
	}
	if (off > 0) {
		memmove(l->in, l->in + off, l->in_len - off);
		l->in_len -= off;
	}
}

static void link_read(struct fo_conn *c, struct fo_link *l, uint64_t now)
{
	unsigned gen = l->gen;
	size_t total = 0;

	while (total < READ_BUDGET) {
		ssize_t n = recv(l->fd, l->in + l->in_len, FO_IN_CAP - l->in_len, MSG_DONTWAIT);
		char why[REASON_TEXT_MAX];

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			snprintf(why, sizeof(why), "connection error: %s", strerror(errno));
			link_close(c, l, now, why);
			return;
		}
		if (n == 0) {
			link_close(c, l, now, "connection closed by the peer");
			return;
		}
		l->in_len += (size_t)n;
		total += (size_t)n;
		c->st.bytes_rx += (uint64_t)n;
		link_parse(c, l, now);
		if (l->gen != gen)
			return;
	}
}

static void connect_done(struct fo_conn *c, struct fo_link *l, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);
	char a[40];

	if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err) {
		c->st.connect_fails++;
		say(c, LOG_DEBUG, "connect to %s failed: %s", link_addr(l, a, sizeof(a)),
			strerror(err));
		link_close(c, l, now, "connect failed");
		return;
	}
	l->connecting = false;
	ep_set(c, l, false);
	c->st.connects_out++;
	established(c, l, now);
}

static void try_connect(struct fo_conn *c, uint64_t now)
{
	struct sockaddr_in me = sin_of(c->cfg.addr, 0);
	struct sockaddr_in to = sin_of(c->cfg.peer_addr, c->cfg.peer_port);
	struct fo_link *l = slot_get(c);
	int fd, rc, one = 1;

	c->next_connect_ms = NEVER;
	if (!l) {
		schedule_connect(c, now, FO_CONN_RETRY_MS);
		return;
	}
	c->st.connect_attempts++;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		goto sync_fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Pitfall 16: the peer recognises us by source address. */
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
		goto sync_fail;
	rc = connect(fd, (struct sockaddr *)&to, sizeof(to));
	if (rc < 0 && errno != EINPROGRESS)
		goto sync_fail;
	if (slot_open(c, l, fd, true, c->cfg.peer_addr, c->cfg.peer_port, now) < 0)
		goto sync_fail;
	l->connecting = rc < 0;
	if (ep_set(c, l, true) < 0) {
		link_close(c, l, now, "epoll");
		return;
	}
	if (!l->connecting) {
		c->st.connects_out++;
		established(c, l, now);
	}
	return;

sync_fail:
	/* §1.1: ISC waits 90 s when connect() itself fails. */
	c->st.connect_fails++;
	say(c, LOG_WARNING, "connect failed at once: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	schedule_connect(c, now, FO_CONN_RETRY_SYNC_MS);
}

static void do_accept(struct fo_conn *c, uint64_t now)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		struct fo_link *l;
		uint32_t ip;
		char ipb[LW_IP4_STRLEN];
		int one = 1;
		int fd =
			accept4(c->lfd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		ip = ntohl(sa.sin_addr.s_addr);
		if (sa.sin_family != AF_INET || ip != c->cfg.peer_addr) {
			/* §1.1, pitfall 16: ISC closes before reading anything. */
			c->st.refused++;
			say(c, LOG_WARNING, "connection from %s refused: not the peer address",
				lw_ip4_fmt(ip, ipb));
			close(fd);
			continue;
		}
		l = slot_get(c);
		/* One link (§1.1). The secondary reads the CONNECT so it can answer
		 * "already connected"; the primary just closes. */
		if (!l || (c->up && c->cfg.role == FO_ROLE_PRIMARY)) {
			c->st.dup_closed++;
			say(c, LOG_INFO, "connection from %s closed: already connected",
				lw_ip4_fmt(ip, ipb));
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (slot_open(c, l, fd, false, ip, ntohs(sa.sin_port), now) < 0) {
			close(fd);
			continue;
		}
		if (ep_set(c, l, true) < 0) {
			link_close(c, l, now, "epoll");
			continue;
		}
		c->st.connects_in++;
		established(c, l, now);
	}
}

static void run_timers(struct fo_conn *c, uint64_t now)
{
	char why[REASON_TEXT_MAX], a[40];

	for (unsigned i = 0; i < FO_LINKS; i++) {
		struct fo_link *l = &c->links[i];

		if (l->fd < 0)
			continue;
		if (l->err) {
			snprintf(why, sizeof(why), "connection error: %s", strerror(l->err));
			link_close(c, l, now, why);
			continue;
		}
		if (!l->up) {
			if (now >= l->start_ms + FO_CONN_STARTUP_MS) {
				if (l->connecting) {
					c->st.connect_fails++;
				} else {
					c->st.startup_timeouts++;
					say(c, LOG_WARNING, "link startup timeout on %s",
						link_addr(l, a, sizeof(a)));
				}
				link_close(c, l, now, "link startup timeout");
			}
			continue;
		}
		if (now >= l->last_rx_ms + (uint64_t)c->cfg.max_response_delay * 1000) {
			/* §5.5, pitfall 17: ISC just closes, no DISCONNECT. */
			c->st.timeouts++;
			snprintf(why, sizeof(why), "no message from the peer for %u s",
				c->cfg.max_response_delay);
			link_close(c, l, now, why);
			continue;
		}
		if (now >= l->last_tx_ms + l->contact_ms) {
			struct fo_msg m;

			fo_msg_init(&m, FO_MSG_CONTACT, 0, 0);
			/* A full buffer already holds traffic for the peer: skip
			 * this CONTACT rather than retry at every poll. */
			if (link_send_new(c, l, &m, now) < 0)
				l->last_tx_ms = now;
		}
	}
	if (c->next_connect_ms != NEVER && now >= c->next_connect_ms)
		try_connect(c, now);
}

int fo_conn_poll(struct fo_conn *c, uint64_t now)
{
	struct epoll_event ev[FO_LINKS + 1];
	int n;

	if (!c)
		return -EINVAL;
	c->in_poll = true;
	c->now = now;
	n = epoll_wait(c->epfd, ev, FO_LINKS + 1, 0);
	for (int i = 0; i < n; i++) {
		struct fo_link *l;

		if (ev[i].data.u64 == EV_LISTENER) {
			do_accept(c, now);
			continue;
		}
		l = &c->links[ev[i].data.u64];
		if (l->fd < 0)
			continue;
		if (l->connecting) {
			connect_done(c, l, now);
			continue;
		}
		if (ev[i].events & EPOLLOUT)
			link_flush(c, l);
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			link_read(c, l, now);
	}
	run_timers(c, now);
	c->in_poll = false;
	for (unsigned i = 0; i < FO_LINKS; i++)
		if (c->links[i].fd >= 0 && c->links[i].out_len > 0)
			link_flush(c, &c->links[i]);
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t fo_conn_next_ms(const struct fo_conn *c, uint64_t now)
{
	uint64_t t = c->next_connect_ms;

	for (unsigned i = 0; i < FO_LINKS; i++) {
		const struct fo_link *l = &c->links[i];

		if (l->fd < 0)
			continue;
		if (l->err)
			return now;
		if (!l->up) {
			t = min_u64(t, l->start_ms + FO_CONN_STARTUP_MS);
			continue;
		}
		t = min_u64(t, l->last_rx_ms + (uint64_t)c->cfg.max_response_delay * 1000);
		t = min_u64(t, l->last_tx_ms + l->contact_ms);
	}
	return t < now ? now : t;
}

int fo_conn_send(struct fo_conn *c, struct fo_msg *m)
{
	uint64_t now;
	struct fo_link *l;
	int rc;

	if (!c || !m)
		return -EINVAL;
	l = c->up;
	if (!l)
		return -ENOTCONN;
	now = c->now;
	switch (m->type) {
	case FO_MSG_POOLRESP:
	case FO_MSG_BNDACK:
	case FO_MSG_UPDDONE:
		m->time = wall(c);
		return link_queue(c, l, m, now);
	case FO_MSG_POOLREQ:
	case FO_MSG_BNDUPD:
	case FO_MSG_UPDREQALL:
	case FO_MSG_UPDREQ:
	case FO_MSG_STATE:
	case FO_MSG_CONTACT:
		rc = link_send_new(c, l, m, now);
		return rc < 0 ? rc : (int)m->xid;
	default:
		return -EINVAL;
	}
}

int fo_conn_close(struct fo_conn *c, uint8_t reason, const char *text, uint64_t now)
{
	struct fo_link *l = c ? c->up : NULL;
	const char *why = text ? text : "closed locally";

	if (!l)
		return -ENOTCONN;
	c->now = now;
	if (reason)
		send_disconnect_close(c, l, reason, text, now, why);
	else
		link_close(c, l, now, why);
	return 0;
}

void fo_conn_cork(struct fo_conn *c, bool on)
{
	if (c == NULL)
		return;
	c->corked = on;
	if (on)
		return;
	for (unsigned i = 0; i < FO_LINKS; i++)
		if (c->links[i].fd >= 0 && c->links[i].out_len > 0)
			link_flush(c, &c->links[i]);
}

size_t fo_conn_out_room(const struct fo_conn *c)
{
	return c && c->up ? FO_CONN_OUT_CAP - c->up->out_len : 0;
}

bool fo_conn_is_up(const struct fo_conn *c)
{
	return c && c->up;
}

const struct fo_conn_stats *fo_conn_stats(const struct fo_conn *c)
{
	return &c->st;
}

int fo_conn_fd(const struct fo_conn *c)
{
	return c->epfd;
}

uint16_t fo_conn_local_port(const struct fo_conn *c)
{
	return c->lport;
}

struct fo_conn *fo_conn_create(
	const struct fo_conn_cfg *cfg, const struct fo_conn_ops *ops, void *arg, uint64_t now)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EV_LISTENER};
	struct fo_conn *c;
	int one = 1, err;

	if (!cfg || !ops || !cfg->name || strlen(cfg->name) > 255 || !cfg->max_response_delay) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->ops = *ops;
	c->arg = arg;
	c->epfd = -1;
	c->lfd = -1;
	for (unsigned i = 0; i < FO_LINKS; i++)
		c->links[i].fd = -1;
	c->name = strdup(cfg->name);
	c->vendor = strdup(cfg->vendor ? cfg->vendor : "leasewire");
	if (!c->name || !c->vendor)
		goto fail;
	c->name_len = strlen(c->name);
	if (strlen(c->vendor) > 255)
		c->vendor[255] = '\0';
	c->cfg.name = c->name;
	c->cfg.vendor = c->vendor;
	c->next_connect_ms = now;
	c->now = now;

	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0)
		goto fail;
	c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (c->lfd < 0)
		goto fail;
	setsockopt(c->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa = sin_of(cfg->addr, cfg->port);
	if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->lfd, 8) < 0 ||
		getsockname(c->lfd, (struct sockaddr *)&sa, &len) < 0 ||
		epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->lfd, &ev) < 0)
		goto fail;
	c->lport = ntohs(sa.sin_port);
	return c;

fail:
	err = errno;
	fo_conn_free(c);
	errno = err;
	return NULL;
}

void fo_conn_free(struct fo_conn *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < FO_LINKS; i++) {
		if (c->links[i].fd >= 0)
			close(c->links[i].fd);
		free(c->links[i].out);
	}
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c->name);
	free(c->vendor);
	free(c);
}
