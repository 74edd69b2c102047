/* SPDX-License-Identifier: MPL-2.0 */
/* Failover connection layer over loopback: a real primary/secondary pair in
 * one process, and fake raw-TCP peers that check the bytes of CONNECT and
 * CONNECTACK, every handshake rejection, the source-address check, the
 * timers (driven through now_ms, never by sleeping), reconnection, and
 * malformed input (FAILOVER.md §1.1-1.4, §5.5, §7, §8). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/lw_ip.h"
#include "failover/fo_conn.h"

#define IP_P   LW_IP4(127, 0, 0, 1)
#define IP_S   LW_IP4(127, 0, 0, 2)
#define IP_BAD LW_IP4(127, 0, 0, 3)
#define NAME   "fo-test"
#define T0     1000000ull

/* ---- a conn with recording callbacks ---------------------------------- */

#define MAX_MSGS 64

struct side {
	struct fo_conn *c;
	int ups;
	int downs;
	struct fo_conn_peer peer;
	char down_reason[512];
	int nmsg;
	uint8_t types[MAX_MSGS];
	uint32_t xids[MAX_MSGS];
	int32_t clock_off;
	bool verbose;
};

static uint32_t side_clock(void *arg)
{
	struct side *s = arg;

	return (uint32_t)((int64_t)time(NULL) + s->clock_off);
}

static void side_log(void *arg, int level, const char *fmt, ...)
{
	struct side *s = arg;
	va_list ap;

	if (!getenv("FO_CONN_LOG") && !(s && s->verbose))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void on_up(void *arg, const struct fo_conn_peer *p)
{
	struct side *s = arg;

	s->ups++;
	s->peer = *p;
}

static void on_down(void *arg, const char *reason)
{
	struct side *s = arg;

	s->downs++;
	snprintf(s->down_reason, sizeof(s->down_reason), "%s", reason);
}

static void on_msg(void *arg, const struct fo_msg *m)
{
	struct side *s = arg;

	if (s->nmsg < MAX_MSGS) {
		s->types[s->nmsg] = m->type;
		s->xids[s->nmsg] = m->xid;
	}
	s->nmsg++;
}

static const struct fo_conn_ops ops = {.up = on_up, .down = on_down, .msg = on_msg};

/* A port nobody listens on: bind port 0, read it, close. */
static uint16_t free_port(uint32_t ip)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(ip)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static struct fo_conn_cfg make_cfg(enum fo_role role, uint16_t port, uint16_t peer_port)
{
	struct fo_conn_cfg cfg = {
		.name = NAME,
		.role = role,
		.addr = role == FO_ROLE_PRIMARY ? IP_P : IP_S,
		.port = port,
		.peer_addr = role == FO_ROLE_PRIMARY ? IP_S : IP_P,
		.peer_port = peer_port,
		.max_response_delay = role == FO_ROLE_PRIMARY ? 30 : 12,
		.max_unacked = role == FO_ROLE_PRIMARY ? 10 : 20,
		.mclt = 3600,
		.vendor = role == FO_ROLE_PRIMARY ? "leasewire-p" : "leasewire-s",
		.clock = side_clock,
		.log = side_log,
	};

	for (unsigned i = 0; i < FO_HBA_LEN; i++)
		cfg.hba[i] = i < 16 ? 0xff : 0x00;
	return cfg;
}

static void side_start(struct side *s, const struct fo_conn_cfg *cfg, uint64_t now)
{
	s->c = fo_conn_create(cfg, &ops, s, now);
	cr_assert_not_null(s->c, "fo_conn_create: %s", strerror(errno));
}

static void pause_1ms(void)
{
	struct timespec ts = {0, 1000000};

	nanosleep(&ts, NULL);
}

/* ---- fake raw-TCP peer -------------------------------------------------- */

struct fake {
	int fd;
	uint8_t buf[16384];
	size_t len;
};

static void set_nonblock(int fd)
{
	cr_assert(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

static void fake_connect(struct fake *f, uint32_t src, uint32_t dst, uint16_t port)
{
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(src)};
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst), .sin_port = htons(port)};

	memset(f, 0, sizeof(*f));
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(f->fd >= 0);
	cr_assert(bind(f->fd, (struct sockaddr *)&me, sizeof(me)) == 0);
	cr_assert(connect(f->fd, (struct sockaddr *)&to, sizeof(to)) == 0, "connect: %s",
		strerror(errno));
	set_nonblock(f->fd);
}

static int fake_listen(uint32_t ip, uint16_t port, int rcvbuf)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(ip), .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	cr_assert(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(listen(fd, 4) == 0);
	set_nonblock(fd);
	return fd;
}

/* Polls c at now until the fake listener has a connection; false if none. */
static bool fake_accept(struct fake *f, int lfd, struct fo_conn *c, uint64_t now, int tries)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < tries; i++) {
		fo_conn_poll(c, now);
		f->fd = accept(lfd, NULL, NULL);
		if (f->fd >= 0) {
			set_nonblock(f->fd);
			return true;
		}
		pause_1ms();
	}
	return false;
}

static void fake_send_raw(struct fake *f, const void *p, size_t n)
{
	cr_assert(send(f->fd, p, n, MSG_NOSIGNAL) == (ssize_t)n);
}

static void fake_send(struct fake *f, const struct fo_msg *m)
{
	uint8_t b[FO_MSG_MAX_LEN];
	int n = fo_msg_encode(m, b, sizeof(b));

	cr_assert(n > 0, "encode: %s", fo_strerror(n));
	fake_send_raw(f, b, (size_t)n);
}

/*
 * Polls c at now and reads the fake socket until one whole message is there:
 * copies its raw bytes to raw (if not NULL), returns its length. 0 on EOF or
 * reset, -1 when nothing came.
 */
static int fake_recv(struct fake *f, struct fo_conn *c, uint64_t now, uint8_t *raw)
{
	for (int i = 0; i < 1000; i++) {
		int n = fo_frame_len(f->buf, f->len);
		ssize_t r;

		if (n > 0 && (size_t)n <= f->len) {
			if (raw)
				memcpy(raw, f->buf, (size_t)n);
			memmove(f->buf, f->buf + n, f->len - (size_t)n);
			f->len -= (size_t)n;
			return n;
		}
		if (c)
			fo_conn_poll(c, now);
		r = recv(f->fd, f->buf + f->len, sizeof(f->buf) - f->len, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return 0;
		if (r > 0) {
			f->len += (size_t)r;
			continue;
		}
		pause_1ms();
	}
	return -1;
}

static int fake_recv_msg(
	struct fake *f, struct fo_conn *c, uint64_t now, struct fo_msg *m, uint8_t *raw)
{
	int n = fake_recv(f, c, now, raw);

	if (n > 0)
		cr_assert_eq(fo_msg_decode(raw, (size_t)n, m), n);
	return n;
}

/* True when nothing arrives for a few polls (the fake socket stays quiet). */
static bool fake_quiet(struct fake *f, struct fo_conn *c, uint64_t now)
{
	for (int i = 0; i < 20; i++) {
		ssize_t r;

		fo_conn_poll(c, now);
		r = recv(f->fd, f->buf + f->len, sizeof(f->buf) - f->len, 0);
		if (r > 0)
			return false;
		if (r == 0)
			return false;
		pause_1ms();
	}
	return true;
}

static void fake_close(struct fake *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static uint32_t wall_now(void)
{
	return (uint32_t)time(NULL);
}

static const uint8_t hba_half[FO_HBA_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The CONNECT of an ISC primary (§7.1); tls adds TLS-request. */
static void build_connect(struct fo_msg *m, const char *name, uint32_t t, bool tls)
{
	fo_msg_init(m, FO_MSG_CONNECT, t, 0);
	if (name) {
		m->relationship_name.p = (const uint8_t *)name;
		m->relationship_name.len = (uint16_t)strlen(name);
		fo_msg_add(m, FO_OPT_RELATIONSHIP_NAME);
	}
	m->max_unacked = 10;
	fo_msg_add(m, FO_OPT_MAX_UNACKED);
	m->receive_timer = 9;
	fo_msg_add(m, FO_OPT_RECEIVE_TIMER);
	m->vendor_class.p = (const uint8_t *)"isc-4.4.3-P1";
	m->vendor_class.len = 12;
	fo_msg_add(m, FO_OPT_VENDOR_CLASS);
	m->protocol_version = 1;
	fo_msg_add(m, FO_OPT_PROTOCOL_VERSION);
	if (tls) {
		m->tls_request = 0;
		fo_msg_add(m, FO_OPT_TLS_REQUEST);
	}
	m->mclt = 60;
	fo_msg_add(m, FO_OPT_MCLT);
	memcpy(m->hba, hba_half, FO_HBA_LEN);
	fo_msg_add(m, FO_OPT_HBA);
}

static void build_connectack(struct fo_msg *m, const char *name, uint32_t t, uint32_t xid)
{
	fo_msg_init(m, FO_MSG_CONNECTACK, t, xid);
	m->relationship_name.p = (const uint8_t *)name;
	m->relationship_name.len = (uint16_t)strlen(name);
	fo_msg_add(m, FO_OPT_RELATIONSHIP_NAME);
	m->max_unacked = 10;
	fo_msg_add(m, FO_OPT_MAX_UNACKED);
	m->receive_timer = 30;
	fo_msg_add(m, FO_OPT_RECEIVE_TIMER);
	m->vendor_class.p = (const uint8_t *)"isc-4.4.3-P1";
	m->vendor_class.len = 12;
	fo_msg_add(m, FO_OPT_VENDOR_CLASS);
	m->protocol_version = 1;
	fo_msg_add(m, FO_OPT_PROTOCOL_VERSION);
}

/* A real secondary on 127.0.0.2 and a fake primary on 127.0.0.1 that has
 * completed the handshake at now. */
static void fake_primary_up(struct side *s, struct fake *f, uint64_t now)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];

	side_start(s, &cfg, now);
	fake_connect(f, IP_P, IP_S, fo_conn_local_port(s->c));
	build_connect(&m, NAME, wall_now(), true);
	fake_send(f, &m);
	cr_assert_gt(fake_recv_msg(f, s->c, now, &m, raw), 0);
	cr_assert_eq(m.type, FO_MSG_CONNECTACK);
	cr_assert(!(m.present & (1u << FO_OPT_REJECT_REASON)));
	cr_assert_eq(s->ups, 1);
	cr_assert(fo_conn_is_up(s->c));
}

/* A real primary on 127.0.0.1 connecting to a fake secondary's listener. */
static void fake_secondary_up(struct side *s, struct fake *f, int *lfd, int rcvbuf, uint64_t now)
{
	uint16_t fport = free_port(IP_S);
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, fport);
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];

	*lfd = fake_listen(IP_S, fport, rcvbuf);
	side_start(s, &cfg, now);
	cr_assert(fake_accept(f, *lfd, s->c, now, 1000));
	cr_assert_gt(fake_recv_msg(f, s->c, now, &m, raw), 0);
	cr_assert_eq(m.type, FO_MSG_CONNECT);
	build_connectack(&m, NAME, wall_now(), m.xid);
	fake_send(f, &m);
	for (int i = 0; i < 1000 && !s->ups; i++) {
		fo_conn_poll(s->c, now);
		pause_1ms();
	}
	cr_assert_eq(s->ups, 1);
}

/* Polls until s is down (or gives up). */
static void wait_down(struct side *s, uint64_t now)
{
	for (int i = 0; i < 1000 && fo_conn_is_up(s->c); i++) {
		fo_conn_poll(s->c, now);
		pause_1ms();
	}
}

/* ---- a real pair -------------------------------------------------------- */

Test(fo_conn, pair_handshake_and_messages)
{
	uint16_t pp = free_port(IP_P), sp = free_port(IP_S);
	struct fo_conn_cfg pc = make_cfg(FO_ROLE_PRIMARY, pp, sp);
	struct fo_conn_cfg sc = make_cfg(FO_ROLE_SECONDARY, sp, pp);
	struct side p = {0}, s = {0};
	struct fo_msg m;
	uint32_t bxid;

	side_start(&p, &pc, T0);
	side_start(&s, &sc, T0);
	for (int i = 0; i < 2000 && !(fo_conn_is_up(p.c) && fo_conn_is_up(s.c)); i++) {
		fo_conn_poll(p.c, T0);
		fo_conn_poll(s.c, T0);
		pause_1ms();
	}
	cr_assert(fo_conn_is_up(p.c) && fo_conn_is_up(s.c));
	cr_assert_eq(p.ups, 1);
	cr_assert_eq(s.ups, 1);
	/* Secondary adopts MCLT and HBA from CONNECT. */
	cr_expect_eq(s.peer.mclt, 3600);
	cr_expect_arr_eq(s.peer.hba, pc.hba, FO_HBA_LEN);
	cr_expect_eq(s.peer.max_unacked, 10);
	cr_expect_eq(s.peer.receive_timer, 30);
	cr_expect_str_eq(s.peer.vendor, "leasewire-p");
	cr_expect_eq(p.peer.max_unacked, 20);
	cr_expect_eq(p.peer.receive_timer, 12);
	cr_expect_str_eq(p.peer.vendor, "leasewire-s");
	cr_expect_eq(p.peer.addr, IP_S);
	cr_expect_eq(s.peer.addr, IP_P);
	cr_expect_leq(abs(s.peer.skew), 1);
	cr_expect_eq(fo_conn_stats(p.c)->handshakes, 1);
	cr_expect_eq(fo_conn_stats(s.c)->handshakes, 1);
	cr_expect_str_eq(fo_conn_stats(p.c)->peer_vendor, "leasewire-s");

	/* Primary: CONNECT took xid 0; STATE 1, BNDUPD 2. */
	fo_msg_init(&m, FO_MSG_STATE, 0, 0);
	m.server_state = FO_STATE_NORMAL;
	fo_msg_add(&m, FO_OPT_SERVER_STATE);
	cr_assert_eq(fo_conn_send(p.c, &m), 1);
	cr_expect_eq(m.xid, 1);
	fo_msg_init(&m, FO_MSG_BNDUPD, 0, 0);
	m.assigned_ip = LW_IP4(10, 0, 0, 5);
	fo_msg_add(&m, FO_OPT_ASSIGNED_IP);
	cr_assert_eq(fo_conn_send(p.c, &m), 2);
	cr_expect_eq(m.xid, 2);
	bxid = m.xid;
	/* Secondary: CONNECTACK copied xid 0, so its counter is at 0, and a
	 * BNDUPD never gets 0. */
	fo_msg_init(&m, FO_MSG_BNDUPD, 0, 0);
	m.assigned_ip = LW_IP4(10, 0, 0, 6);
	fo_msg_add(&m, FO_OPT_ASSIGNED_IP);
	cr_assert_eq(fo_conn_send(s.c, &m), 1);
	cr_expect_eq(m.xid, 1);
	/* A response keeps the caller's xid. */
	fo_msg_init(&m, FO_MSG_BNDACK, 0, bxid);
	m.assigned_ip = LW_IP4(10, 0, 0, 5);
	fo_msg_add(&m, FO_OPT_ASSIGNED_IP);
	cr_assert_eq(fo_conn_send(s.c, &m), 0);
	cr_expect_eq(m.xid, bxid);
	fo_msg_init(&m, FO_MSG_STATE, 0, 0);
	cr_assert_eq(fo_conn_send(s.c, &m), 2);
	cr_expect_eq(m.xid, 2);

	for (int i = 0; i < 2000 && (p.nmsg < 3 || s.nmsg < 2); i++) {
		fo_conn_poll(p.c, T0);
		fo_conn_poll(s.c, T0);
		pause_1ms();
	}
	cr_assert_eq(s.nmsg, 2);
	cr_expect_eq(s.types[0], FO_MSG_STATE);
	cr_expect_eq(s.xids[0], 1);
	cr_expect_eq(s.types[1], FO_MSG_BNDUPD);
	cr_expect_eq(s.xids[1], 2);
	cr_assert_eq(p.nmsg, 3);
	cr_expect_eq(p.types[0], FO_MSG_BNDUPD);
	cr_expect_eq(p.xids[0], 1);
	cr_expect_eq(p.types[1], FO_MSG_BNDACK);
	cr_expect_eq(p.xids[1], bxid);
	cr_expect_eq(p.types[2], FO_MSG_STATE);
	cr_expect_eq(fo_conn_stats(p.c)->msgs_rx[FO_MSG_BNDACK], 1);
	cr_expect_eq(fo_conn_stats(s.c)->msgs_tx[FO_MSG_BNDACK], 1);

	/* Only handshake messages are refused by send. */
	fo_msg_init(&m, FO_MSG_CONNECT, 0, 0);
	cr_expect_eq(fo_conn_send(p.c, &m), -EINVAL);

	/* An orderly close: DISCONNECT reaches the secondary, both go down. */
	cr_assert_eq(fo_conn_close(p.c, 6, "test over", T0), 0);
	cr_expect_eq(p.downs, 1);
	cr_expect(!fo_conn_is_up(p.c));
	wait_down(&s, T0);
	cr_expect_eq(s.downs, 1);
	cr_expect(strstr(s.down_reason, "DISCONNECT") != NULL, "%s", s.down_reason);
	cr_expect(strstr(s.down_reason, "test over") != NULL, "%s", s.down_reason);
	cr_expect_eq(s.types[s.nmsg - 1], FO_MSG_DISCONNECT);
	fo_conn_free(p.c);
	fo_conn_free(s.c);
}

Test(fo_conn, not_up_send)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, free_port(IP_S));
	struct side p = {0};
	struct fo_msg m;

	side_start(&p, &cfg, T0);
	fo_msg_init(&m, FO_MSG_STATE, 0, 0);
	cr_expect_eq(fo_conn_send(p.c, &m), -ENOTCONN);
	cr_expect_eq(fo_conn_out_room(p.c), 0);
	cr_expect_eq(fo_conn_close(p.c, 0, NULL, T0), -ENOTCONN);
	fo_conn_free(p.c);
}

/* ---- bytes on the wire -------------------------------------------------- */

/* Walks the TLVs of raw: codes into out, returns how many. */
static int tlv_codes(const uint8_t *raw, int len, uint16_t *out, uint16_t *lens)
{
	int n = 0;

	for (int off = raw[3]; off + 4 <= len;) {
		uint16_t code = (uint16_t)(raw[off] << 8 | raw[off + 1]);
		uint16_t olen = (uint16_t)(raw[off + 2] << 8 | raw[off + 3]);

		out[n] = code;
		lens[n++] = olen;
		off += 4 + olen;
		cr_assert_leq(off, len);
	}
	return n;
}

Test(fo_conn, primary_connect_bytes)
{
	struct side p = {0};
	struct fake f;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];
	uint16_t codes[32], lens[32];
	static const uint16_t want[] = {22, 14, 19, 28, 20, 27, 15, 11};
	int lfd, n, sum = 12;

	uint16_t fport = free_port(IP_S);
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, fport);

	lfd = fake_listen(IP_S, fport, 0);
	side_start(&p, &cfg, T0);
	cr_assert(fake_accept(&f, lfd, p.c, T0, 1000));
	n = fake_recv_msg(&f, p.c, T0, &m, raw);
	cr_assert_gt(n, 0);
	cr_expect_eq(raw[2], FO_MSG_CONNECT);
	cr_expect_eq(raw[3], 12, "payload offset");
	cr_expect_eq(raw[0] << 8 | raw[1], n);
	cr_expect_eq(m.xid, 0);
	cr_expect_leq(abs((int)(m.time - wall_now())), 1);
	cr_assert_eq(tlv_codes(raw, n, codes, lens), 8);
	for (unsigned i = 0; i < 8; i++) {
		cr_expect_eq(codes[i], want[i], "option %u", i);
		sum += 4 + lens[i];
	}
	cr_expect_eq(sum, n, "length = 12 + options");
	cr_expect_eq(lens[7], 32, "HBA 32 bytes");
	cr_expect_eq(m.relationship_name.len, strlen(NAME));
	cr_expect_eq(memcmp(m.relationship_name.p, NAME, strlen(NAME)), 0);
	cr_expect_eq(m.max_unacked, 10);
	cr_expect_eq(m.receive_timer, 30);
	cr_expect_eq(m.protocol_version, 1);
	cr_expect_eq(m.tls_request, 0);
	cr_expect_eq(m.mclt, 3600);
	cr_expect_arr_eq(m.hba, cfg.hba, FO_HBA_LEN);
	cr_expect_eq(m.vendor_class.len, strlen("leasewire-p"));

	build_connectack(&m, NAME, wall_now(), 0);
	fake_send(&f, &m);
	for (int i = 0; i < 1000 && !p.ups; i++) {
		fo_conn_poll(p.c, T0);
		pause_1ms();
	}
	cr_assert_eq(p.ups, 1);
	cr_expect_eq(p.peer.receive_timer, 30);
	cr_expect_eq(p.peer.max_unacked, 10);
	cr_expect_str_eq(p.peer.vendor, "isc-4.4.3-P1");
	cr_expect(p.peer.outbound);
	cr_expect_eq(fo_conn_stats(p.c)->connects_out, 1);
	fake_close(&f);
	close(lfd);
	fo_conn_free(p.c);
}

Test(fo_conn, secondary_connectack_bytes)
{
	for (int tls = 0; tls < 2; tls++) {
		struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
		struct side s = {0};
		struct fake f;
		struct fo_msg m;
		uint8_t raw[FO_MSG_MAX_LEN];
		uint16_t codes[32], lens[32];
		int n, k;

		side_start(&s, &cfg, T0);
		fake_connect(&f, IP_P, IP_S, fo_conn_local_port(s.c));
		build_connect(&m, NAME, wall_now(), tls);
		m.xid = 77;
		fake_send(&f, &m);
		n = fake_recv_msg(&f, s.c, T0, &m, raw);
		cr_assert_gt(n, 0);
		cr_expect_eq(raw[2], FO_MSG_CONNECTACK);
		cr_expect_eq(raw[3], 12);
		cr_expect_eq(m.xid, 77, "CONNECTACK copies the CONNECT xid");
		k = tlv_codes(raw, n, codes, lens);
		cr_assert_eq(k, 5 + tls);
		cr_expect_eq(codes[0], FO_OPT_RELATIONSHIP_NAME);
		cr_expect_eq(codes[1], FO_OPT_MAX_UNACKED);
		cr_expect_eq(codes[2], FO_OPT_RECEIVE_TIMER);
		cr_expect_eq(codes[3], FO_OPT_VENDOR_CLASS);
		cr_expect_eq(codes[4], FO_OPT_PROTOCOL_VERSION);
		if (tls)
			cr_expect_eq(codes[5], FO_OPT_TLS_REPLY);
		cr_expect_eq(m.max_unacked, 20);
		cr_expect_eq(m.receive_timer, 12);
		cr_expect_eq(m.protocol_version, 1);
		cr_expect_eq(s.ups, 1);
		cr_expect_eq(s.peer.mclt, 60);
		cr_expect_arr_eq(s.peer.hba, hba_half, FO_HBA_LEN);
		cr_expect_eq(s.peer.receive_timer, 9);
		cr_expect(!s.peer.outbound);
		fake_close(&f);
		fo_conn_free(s.c);
	}
}

/* ---- CONNECT rejections (secondary) -------------------------------------- */

enum bad { BAD_NAME, BAD_NONAME, BAD_TIME, BAD_NOMCLT, BAD_NOHBA, BAD_HBA16, BAD_DUP };

static void reject_case(enum bad b, uint8_t want)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
	struct side s = {0};
	struct fake f, f0;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN + 64];
	const char *name;
	int n;

	if (b == BAD_DUP) {
		fake_primary_up(&s, &f0, T0);
	} else {
		side_start(&s, &cfg, T0);
	}
	fake_connect(&f, IP_P, IP_S, fo_conn_local_port(s.c));
	name = NAME;
	if (b == BAD_NAME)
		name = "other";
	if (b == BAD_NONAME)
		name = NULL;
	build_connect(&m, name, wall_now() + (b == BAD_TIME ? 120 : 0), false);
	if (b == BAD_NOMCLT) {
		m.present &= ~(1u << FO_OPT_MCLT);
		m.n_order--;
		m.order[m.n_order - 1] = FO_OPT_HBA;
	}
	if (b == BAD_NOHBA || b == BAD_HBA16) {
		m.present &= ~(1u << FO_OPT_HBA);
		m.n_order--;
	}
	n = fo_msg_encode(&m, raw, sizeof(raw));
	cr_assert_gt(n, 0);
	if (b == BAD_HBA16) {
		/* A 16-byte HBA: the codec refuses to write one. */
		static const uint8_t opt[4] = {0, FO_OPT_HBA, 0, 16};

		memcpy(raw + n, opt, 4);
		memset(raw + n + 4, 0xff, 16);
		n += 20;
		raw[0] = (uint8_t)(n >> 8);
		raw[1] = (uint8_t)n;
	}
	fake_send_raw(&f, raw, (size_t)n);
	n = fake_recv_msg(&f, s.c, T0, &m, raw);
	cr_assert_gt(n, 0, "case %d: no CONNECTACK", b);
	cr_expect_eq(m.type, FO_MSG_CONNECTACK);
	cr_assert(m.present & (1u << FO_OPT_REJECT_REASON), "case %d", b);
	cr_expect_eq(m.reject_reason, want, "case %d: reason %u", b, m.reject_reason);
	cr_expect(m.present & (1u << FO_OPT_MESSAGE));
	cr_expect_eq(fake_recv(&f, s.c, T0, raw), 0, "case %d: closed after the reject", b);
	cr_expect_eq(fo_conn_stats(s.c)->rejects_tx[want], 1);
	cr_expect_eq(s.ups, b == BAD_DUP ? 1 : 0);
	if (b == BAD_DUP) {
		cr_expect(fo_conn_is_up(s.c), "the first link stays up");
		cr_expect_geq(fo_conn_stats(s.c)->dup_closed, 1);
		fake_close(&f0);
	}
	fake_close(&f);
	fo_conn_free(s.c);
}

Test(fo_conn, reject_name)
{
	reject_case(BAD_NAME, 8);
	reject_case(BAD_NONAME, 8);
}

Test(fo_conn, reject_time)
{
	reject_case(BAD_TIME, 4);
}

Test(fo_conn, reject_mclt)
{
	reject_case(BAD_NOMCLT, 5);
}

Test(fo_conn, reject_hba)
{
	reject_case(BAD_NOHBA, 18);
	reject_case(BAD_HBA16, 18);
}

Test(fo_conn, reject_duplicate)
{
	reject_case(BAD_DUP, 7);
}

/* ---- CONNECTACK checks (primary) ------------------------------------------ */

static void ack_case(const char *name, int32_t skew, bool reject, uint8_t want_disc)
{
	struct side p = {0};
	uint16_t fport = free_port(IP_S);
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, fport);
	int lfd = fake_listen(IP_S, fport, 0);
	struct fake f;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];

	side_start(&p, &cfg, T0);
	cr_assert(fake_accept(&f, lfd, p.c, T0, 1000));
	cr_assert_gt(fake_recv_msg(&f, p.c, T0, &m, raw), 0);
	build_connectack(&m, name, (uint32_t)((int64_t)wall_now() + skew), m.xid);
	if (reject) {
		m.reject_reason = 8;
		fo_msg_add(&m, FO_OPT_REJECT_REASON);
		m.message.p = (const uint8_t *)"no such peer";
		m.message.len = 12;
		fo_msg_add(&m, FO_OPT_MESSAGE);
	}
	fake_send(&f, &m);
	if (want_disc) {
		cr_assert_gt(fake_recv_msg(&f, p.c, T0, &m, raw), 0);
		cr_expect_eq(m.type, FO_MSG_DISCONNECT);
		cr_expect_eq(m.reject_reason, want_disc);
		cr_expect_eq(fo_conn_stats(p.c)->rejects_tx[want_disc], 1);
	}
	cr_expect_eq(fake_recv(&f, p.c, T0, raw), 0, "closed");
	cr_expect_eq(p.ups, 0);
	cr_expect(!fo_conn_is_up(p.c));
	if (reject)
		cr_expect_eq(fo_conn_stats(p.c)->rejects_rx[8], 1);
	/* The attempt failed: the next one is 5 s later. */
	cr_expect_eq(fo_conn_next_ms(p.c, T0), T0 + FO_CONN_RETRY_MS);
	fake_close(&f);
	close(lfd);
	fo_conn_free(p.c);
}

Test(fo_conn, connectack_checks)
{
	ack_case("wrong", 0, false, 8);
	ack_case(NAME, 120, false, 4);
	ack_case(NAME, -120, false, 4);
	ack_case(NAME, 0, true, 0);
}

/* ---- source address, startup timer -------------------------------------- */

Test(fo_conn, wrong_source_refused)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, free_port(IP_S));
	struct side p = {0};
	struct fake f;
	uint8_t raw[FO_MSG_MAX_LEN];

	side_start(&p, &cfg, T0);
	fake_connect(&f, IP_BAD, IP_P, fo_conn_local_port(p.c));
	cr_expect_eq(fake_recv(&f, p.c, T0, raw), 0, "closed without a CONNECT");
	cr_expect_eq(fo_conn_stats(p.c)->refused, 1);
	cr_expect_eq(fo_conn_stats(p.c)->connects_in, 0);
	fake_close(&f);

	/* The right source gets a CONNECT. */
	fake_connect(&f, IP_S, IP_P, fo_conn_local_port(p.c));
	cr_expect_gt(fake_recv(&f, p.c, T0, raw), 0);
	cr_expect_eq(raw[2], FO_MSG_CONNECT);
	cr_expect_eq(fo_conn_stats(p.c)->connects_in, 1);
	fake_close(&f);
	fo_conn_free(p.c);
}

Test(fo_conn, startup_timeout)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
	struct side s = {0};
	struct fake f;
	uint8_t raw[FO_MSG_MAX_LEN];

	side_start(&s, &cfg, T0);
	fake_connect(&f, IP_P, IP_S, fo_conn_local_port(s.c));
	cr_expect(fake_quiet(&f, s.c, T0)); /* accepted at T0 */
	cr_expect(fake_quiet(&f, s.c, T0 + FO_CONN_STARTUP_MS - 1));
	cr_expect_eq(fake_recv(&f, s.c, T0 + FO_CONN_STARTUP_MS, raw), 0);
	cr_expect_eq(fo_conn_stats(s.c)->startup_timeouts, 1);
	cr_expect_eq(s.downs, 0, "down() is only for a link that was up");
	fake_close(&f);
	fo_conn_free(s.c);
}

/* ---- keep-alive, receive timeout ---------------------------------------- */

Test(fo_conn, contact_and_receive_timeout)
{
	struct side s = {0};
	struct fake f;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];
	uint64_t t = T0;

	/* Fake CONNECT advertises receive-timer 9: CONTACT every 3 s. The
	 * secondary's own max-response-delay is 12 s. */
	fake_primary_up(&s, &f, t);
	cr_expect_eq(fo_conn_next_ms(s.c, t), t + 3000);
	cr_expect(fake_quiet(&f, s.c, t + 2999));
	cr_assert_gt(fake_recv_msg(&f, s.c, t + 3000, &m, raw), 0);
	cr_expect_eq(m.type, FO_MSG_CONTACT);
	cr_expect_eq(m.len, 12);
	cr_expect_eq(m.xid, 0, "first request of the link");
	cr_expect_eq(fo_conn_next_ms(s.c, t + 3000), t + 6000);

	/* A message from the peer re-arms the 12 s receive timer. */
	fo_msg_init(&m, FO_MSG_CONTACT, wall_now(), 1);
	fake_send(&f, &m);
	for (int i = 0; i < 1000 && fo_conn_stats(s.c)->msgs_rx[FO_MSG_CONTACT] == 0; i++) {
		fo_conn_poll(s.c, t + 5000);
		pause_1ms();
	}
	cr_assert_eq(fo_conn_stats(s.c)->msgs_rx[FO_MSG_CONTACT], 1);
	cr_expect_eq(s.nmsg, 0, "CONTACT is not passed to msg()");
	for (uint64_t at = t + 6000; at < t + 17000; at += 3000) {
		cr_assert_gt(fake_recv_msg(&f, s.c, at, &m, raw), 0);
		cr_expect_eq(m.type, FO_MSG_CONTACT);
	}
	fo_conn_poll(s.c, t + 16999);
	cr_expect(fo_conn_is_up(s.c));
	fo_conn_poll(s.c, t + 17000);
	cr_expect(!fo_conn_is_up(s.c));
	cr_expect_eq(s.downs, 1);
	cr_expect_str_eq(s.down_reason, "no message from the peer for 12 s");
	cr_expect_eq(fo_conn_stats(s.c)->timeouts, 1);
	/* Closed without DISCONNECT (pitfall 17). */
	cr_expect_eq(fake_recv(&f, s.c, t + 17000, raw), 0);
	fake_close(&f);
	fo_conn_free(s.c);
}

/* ---- reconnect -------------------------------------------------------- */

Test(fo_conn, reconnect_after_peer_close)
{
	struct side p = {0};
	struct fake f, f2;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];
	int lfd;
	uint64_t t = T0;

	fake_secondary_up(&p, &f, &lfd, 0, t);
	fake_close(&f);
	t += 100;
	wait_down(&p, t);
	cr_assert_eq(p.downs, 1);
	cr_expect_str_eq(p.down_reason, "connection closed by the peer");
	cr_expect_eq(fo_conn_next_ms(p.c, t), t + FO_CONN_RETRY_MS);
	cr_expect(!fake_accept(&f2, lfd, p.c, t + FO_CONN_RETRY_MS - 1, 30), "not before 5 s");
	cr_assert(fake_accept(&f2, lfd, p.c, t + FO_CONN_RETRY_MS, 1000));
	cr_assert_gt(fake_recv_msg(&f2, p.c, t + FO_CONN_RETRY_MS, &m, raw), 0);
	cr_expect_eq(m.type, FO_MSG_CONNECT);
	cr_expect_eq(m.xid, 0, "a new link restarts the xid counter");
	cr_expect_eq(fo_conn_stats(p.c)->connect_attempts, 2);
	fake_close(&f2);
	close(lfd);
	fo_conn_free(p.c);
}

Test(fo_conn, reconnect_after_refused)
{
	uint16_t fport = free_port(IP_S);
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_PRIMARY, 0, fport);
	struct side p = {0};
	int lfd;
	struct fake f;

	side_start(&p, &cfg, T0);
	for (int i = 0; i < 1000 && fo_conn_stats(p.c)->connect_fails == 0; i++) {
		fo_conn_poll(p.c, T0);
		pause_1ms();
	}
	cr_assert_eq(fo_conn_stats(p.c)->connect_fails, 1);
	cr_expect_eq(fo_conn_next_ms(p.c, T0), T0 + FO_CONN_RETRY_MS);
	lfd = fake_listen(IP_S, fport, 0);
	cr_expect(fake_accept(&f, lfd, p.c, T0 + FO_CONN_RETRY_MS, 1000));
	fake_close(&f);
	close(lfd);
	fo_conn_free(p.c);
}

/* ---- malformed input ------------------------------------------------------ */

static void malformed_case(const uint8_t *bytes, size_t n, int want)
{
	struct side s = {0};
	struct fake f;

	fake_primary_up(&s, &f, T0);
	fake_send_raw(&f, bytes, n);
	wait_down(&s, T0);
	cr_assert_eq(s.downs, 1);
	cr_expect_str_eq(s.down_reason, fo_strerror(want));
	cr_expect_eq(fo_conn_stats(s.c)->protocol_errors, 1);
	fake_close(&f);
	fo_conn_free(s.c);
}

Test(fo_conn, malformed_closes)
{
	/* Payload offset 8 (pitfall 4). */
	static const uint8_t payoff8[] = {0, 12, FO_MSG_CONTACT, 8, 0, 0, 0, 0, 0, 0, 0, 1};
	/* STATE with server-state twice. */
	static const uint8_t dup[] = {
		0, 22, FO_MSG_STATE, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 24, 0, 1, 2, 0, 24, 0, 1, 2};
	/* Length 4000 > 2048. */
	static const uint8_t big[] = {0x0f, 0xa0, FO_MSG_BNDUPD, 12};
	/* Length 8 < 12. */
	static const uint8_t small[] = {0, 8, FO_MSG_BNDUPD, 12, 0, 0, 0, 0};
	/* Unknown type with an option. */
	static const uint8_t type[] = {0, 17, 99, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 24, 0, 1, 2};

	malformed_case(payoff8, sizeof(payoff8), FO_E_PAYOFF);
	malformed_case(dup, sizeof(dup), FO_E_DUP);
	malformed_case(big, sizeof(big), FO_E_LEN_BIG);
	malformed_case(small, sizeof(small), FO_E_LEN_SMALL);
	malformed_case(type, sizeof(type), FO_E_TYPE);
}

Test(fo_conn, unknown_type_ignored_and_split_reads)
{
	struct side s = {0};
	struct fake f;
	static const uint8_t unk[] = {0, 12, 99, 12, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t upd[] = {0, 12, FO_MSG_UPDREQALL, 12, 0, 0, 0, 0, 0, 0, 0, 7};

	fake_primary_up(&s, &f, T0);
	fake_send_raw(&f, unk, sizeof(unk));
	/* A message cut in two TCP writes. */
	fake_send_raw(&f, upd, 5);
	for (int i = 0; i < 50; i++) {
		fo_conn_poll(s.c, T0);
		pause_1ms();
	}
	cr_expect_eq(s.nmsg, 0);
	fake_send_raw(&f, upd + 5, sizeof(upd) - 5);
	for (int i = 0; i < 1000 && s.nmsg == 0; i++) {
		fo_conn_poll(s.c, T0);
		pause_1ms();
	}
	cr_assert_eq(s.nmsg, 1);
	cr_expect_eq(s.types[0], FO_MSG_UPDREQALL);
	cr_expect_eq(s.xids[0], 7);
	cr_expect_eq(fo_conn_stats(s.c)->ignored, 1);
	cr_expect(fo_conn_is_up(s.c));
	/* Before the handshake, a STATE is a protocol error (checked below on a
	 * fresh connection, which the secondary accepts as a second link). */
	fake_close(&f);
	fo_conn_free(s.c);
}

Test(fo_conn, message_before_handshake)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
	struct side s = {0};
	struct fake f;
	uint8_t raw[FO_MSG_MAX_LEN];
	static const uint8_t st[] = {0, 12, FO_MSG_UPDREQ, 12, 0, 0, 0, 0, 0, 0, 0, 1};

	side_start(&s, &cfg, T0);
	fake_connect(&f, IP_P, IP_S, fo_conn_local_port(s.c));
	fake_send_raw(&f, st, sizeof(st));
	cr_expect_eq(fake_recv(&f, s.c, T0, raw), 0);
	cr_expect_eq(fo_conn_stats(s.c)->protocol_errors, 1);
	cr_expect_eq(s.ups, 0);
	fake_close(&f);
	fo_conn_free(s.c);
}

Test(fo_conn, garbage_never_crashes)
{
	srand(12345);
	for (int round = 0; round < 40; round++) {
		struct side s = {0};
		struct fake f;
		uint8_t junk[600];
		size_t n = 1 + (size_t)(rand() % (int)sizeof(junk));

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)rand();
		/* Half the rounds keep a plausible length so decode goes further. */
		if (round & 1) {
			junk[0] = (uint8_t)(n >> 8);
			junk[1] = (uint8_t)n;
			junk[3] = 12;
		}
		fake_primary_up(&s, &f, T0);
		fake_send_raw(&f, junk, n);
		for (int i = 0; i < 20; i++) {
			fo_conn_poll(s.c, T0);
			pause_1ms();
		}
		fake_close(&f);
		wait_down(&s, T0);
		cr_expect(!fo_conn_is_up(s.c));
		cr_expect_eq(s.downs, 1);
		fo_conn_free(s.c);
	}
}

/* ---- back-pressure ---------------------------------------------------------- */

Test(fo_conn, output_buffer_full)
{
	struct side p = {0};
	struct fake f;
	int lfd, rc = 0;
	static uint8_t opts[1800];
	struct fo_msg m;
	unsigned sent = 0;

	fake_secondary_up(&p, &f, &lfd, 4096, T0);
	/* The fake never reads: socket buffers fill, then ours. */
	for (; sent < 100000; sent++) {
		fo_msg_init(&m, FO_MSG_BNDUPD, 0, 0);
		m.assigned_ip = LW_IP4(10, 0, 0, 1);
		fo_msg_add(&m, FO_OPT_ASSIGNED_IP);
		m.reply_options.p = opts;
		m.reply_options.len = sizeof(opts);
		fo_msg_add(&m, FO_OPT_REPLY_OPTIONS);
		rc = fo_conn_send(p.c, &m);
		if (rc < 0)
			break;
		cr_assert_eq(rc, (int)sent + 1);
	}
	cr_assert_eq(rc, -ENOBUFS, "rc %d after %u", rc, sent);
	cr_expect_lt(fo_conn_out_room(p.c), sizeof(opts) + 20);
	cr_expect(fo_conn_is_up(p.c));
	/* No xid was consumed by the refused send. */
	fo_msg_init(&m, FO_MSG_CONTACT, 0, 0);
	cr_expect_eq(fo_conn_send(p.c, &m), (int)sent + 1);
	cr_expect_eq(m.xid, sent + 1);
	fake_close(&f);
	close(lfd);
	fo_conn_free(p.c);
}

/* ---- one link only, clock skew ----------------------------------------- */

Test(fo_conn, primary_closes_extra_connection)
{
	struct side p = {0};
	struct fake f, f2;
	uint8_t raw[FO_MSG_MAX_LEN];
	int lfd;

	fake_secondary_up(&p, &f, &lfd, 0, T0);
	fake_connect(&f2, IP_S, IP_P, fo_conn_local_port(p.c));
	cr_expect_eq(fake_recv(&f2, p.c, T0, raw), 0, "closed without a CONNECT");
	cr_expect_eq(fo_conn_stats(p.c)->dup_closed, 1);
	cr_expect(fo_conn_is_up(p.c));
	cr_expect_eq(p.downs, 0);
	fake_close(&f2);
	fake_close(&f);
	close(lfd);
	fo_conn_free(p.c);
}

Test(fo_conn, skew_reported)
{
	struct fo_conn_cfg cfg = make_cfg(FO_ROLE_SECONDARY, 0, free_port(IP_P));
	struct side s = {0};
	struct fake f;
	struct fo_msg m;
	uint8_t raw[FO_MSG_MAX_LEN];

	side_start(&s, &cfg, T0);
	cr_expect_eq(fo_conn_next_ms(s.c, T0), T0, "first connect attempt right away");
	fake_connect(&f, IP_P, IP_S, fo_conn_local_port(s.c));
	build_connect(&m, NAME, wall_now() + 30, false);
	fake_send(&f, &m);
	cr_assert_gt(fake_recv_msg(&f, s.c, T0, &m, raw), 0);
	cr_assert(!(m.present & (1u << FO_OPT_REJECT_REASON)), "30 s is within 60 s");
	cr_assert_eq(s.ups, 1);
	cr_expect(s.peer.skew >= 29 && s.peer.skew <= 31, "skew %d", s.peer.skew);
	cr_expect_eq(fo_conn_stats(s.c)->skew, s.peer.skew);
	fake_close(&f);
	fo_conn_free(s.c);
}

Test(fo_conn, pair_clock_skew_rejected)
{
	uint16_t pp = free_port(IP_P), sp = free_port(IP_S);
	struct fo_conn_cfg pc = make_cfg(FO_ROLE_PRIMARY, pp, sp);
	struct fo_conn_cfg sc = make_cfg(FO_ROLE_SECONDARY, sp, pp);
	struct side p = {0}, s = {.clock_off = 100};

	side_start(&p, &pc, T0);
	side_start(&s, &sc, T0);
	for (int i = 0; i < 2000 && fo_conn_stats(p.c)->rejects_rx[4] == 0; i++) {
		fo_conn_poll(p.c, T0);
		fo_conn_poll(s.c, T0);
		pause_1ms();
	}
	cr_expect_geq(fo_conn_stats(s.c)->rejects_tx[4], 1);
	cr_expect_geq(fo_conn_stats(p.c)->rejects_rx[4], 1);
	cr_expect(!fo_conn_is_up(p.c) && !fo_conn_is_up(s.c));
	cr_expect_eq(p.ups + s.ups, 0);
	fo_conn_free(p.c);
	fo_conn_free(s.c);
}

Test(fo_conn, garbage_before_handshake)
{
	srand(777);
	for (int round = 0; round < 40; round++) {
		struct fo_conn_cfg cfg = make_cfg(
			round & 1 ? FO_ROLE_PRIMARY : FO_ROLE_SECONDARY, 0, free_port(IP_S));
		struct side s = {0};
		struct fake f;
		uint8_t junk[300];
		size_t n = 1 + (size_t)(rand() % (int)sizeof(junk));

		cfg.peer_addr = IP_S;
		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)rand();
		if (round & 2) {
			junk[0] = 0;
			junk[1] = (uint8_t)(n < 12 ? 12 : n);
			junk[2] = (uint8_t)(FO_MSG_CONNECT + (round & 1));
			junk[3] = 12;
		}
		side_start(&s, &cfg, T0);
		fake_connect(&f, IP_S, cfg.addr, fo_conn_local_port(s.c));
		fake_send_raw(&f, junk, n);
		for (int i = 0; i < 20; i++) {
			fo_conn_poll(s.c, T0);
			pause_1ms();
		}
		/* Whatever happened, the startup timer ends the connection. */
		fo_conn_poll(s.c, T0 + FO_CONN_STARTUP_MS);
		fake_close(&f);
		cr_expect(!fo_conn_is_up(s.c));
		fo_conn_free(s.c);
	}
}
