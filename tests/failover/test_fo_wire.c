/* SPDX-License-Identifier: MPL-2.0 */
/* Failover wire codec: every option both ways, every rule of FAILOVER.md
 * §1.2 and §2 with its error code, and the golden capture of two real ISC
 * dhcpd 4.4.3-P1 servers (every message decodes and re-encodes byte for
 * byte). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_err.h"
#include "failover/fo_wire.h"

/* ---- helpers ---------------------------------------------------------- */

/* A message type that may carry the option, 0 if none may. */
static unsigned type_for(const struct fo_opt_def *d)
{
	for (unsigned t = 1; t <= FO_MSG_MAX; t++)
		if (d->msgs & (1u << t))
			return t;
	return 0;
}

static const uint8_t some_bytes[FO_CHADDR_MAX] = {
	0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void set_value(struct fo_msg *m, const struct fo_opt_def *d)
{
	void *f = (uint8_t *)m + d->off;
	struct fo_bytes *b = f;

	switch (d->type) {
	case FO_T_U8:
		*(uint8_t *)f = 0xa5;
		break;
	case FO_T_U16:
		*(uint16_t *)f = 0xbeef;
		break;
	case FO_T_U32:
	case FO_T_TIME:
	case FO_T_IPV4:
		*(uint32_t *)f = 0xdeadbeef;
		break;
	case FO_T_HBA:
		for (unsigned i = 0; i < FO_HBA_LEN; i++)
			m->hba[i] = (uint8_t)(i * 7);
		break;
	case FO_T_BYTES:
	case FO_T_TEXT:
		b->p = some_bytes;
		b->len = d->max < 7 ? d->max : 7;
		break;
	case FO_T_DDNS:
		b->p = NULL;
		b->len = 0;
		break;
	}
}

static void expect_same_value(
	const struct fo_msg *a, const struct fo_msg *b, const struct fo_opt_def *d)
{
	const void *fa = (const uint8_t *)a + d->off, *fb = (const uint8_t *)b + d->off;
	const struct fo_bytes *ba = fa, *bb = fb;

	switch (d->type) {
	case FO_T_U8:
		cr_expect_eq(*(const uint8_t *)fa, *(const uint8_t *)fb, "%s", d->name);
		break;
	case FO_T_U16:
		cr_expect_eq(*(const uint16_t *)fa, *(const uint16_t *)fb, "%s", d->name);
		break;
	case FO_T_U32:
	case FO_T_TIME:
	case FO_T_IPV4:
		cr_expect_eq(*(const uint32_t *)fa, *(const uint32_t *)fb, "%s", d->name);
		break;
	case FO_T_HBA:
		cr_expect_arr_eq(fa, fb, FO_HBA_LEN, "%s", d->name);
		break;
	case FO_T_BYTES:
	case FO_T_TEXT:
	case FO_T_DDNS:
		cr_expect_eq(ba->len, bb->len, "%s", d->name);
		if (ba->len)
			cr_expect_arr_eq(ba->p, bb->p, ba->len, "%s", d->name);
		break;
	}
}

/* ---- names and table ---------------------------------------------------- */

Test(fo_wire, names)
{
	cr_expect_str_eq(fo_msg_name(FO_MSG_BNDUPD), "BNDUPD");
	cr_expect_str_eq(fo_msg_name(7), "UPDREQALL");
	cr_expect_str_eq(fo_msg_name(9), "UPDREQ");
	cr_expect_str_eq(fo_msg_name(0), "unknown");
	cr_expect_str_eq(fo_msg_name(13), "unknown");
	cr_expect_str_eq(fo_opt_name(FO_OPT_HBA), "hash-bucket-assignment");
	cr_expect_str_eq(fo_opt_name(0), "unknown");
	cr_expect_str_eq(fo_opt_name(30), "unknown");
	cr_expect_null(fo_opt_def(0));
	cr_expect_null(fo_opt_def(30));
	for (unsigned c = 1; c <= FO_OPT_MAX; c++) {
		cr_assert_not_null(fo_opt_def(c));
		cr_expect_eq(fo_opt_def(c)->code, c);
	}
	cr_expect_str_eq(fo_strerror(FO_E_DDNS),
		"failover: non-empty DDNS option (ISC accepts only length 0)");
	cr_expect_str_eq(fo_strerror(LW_E_NOSPACE), lw_strerror(LW_E_NOSPACE));
	cr_expect_str_eq(fo_strerror(-EINVAL), strerror(EINVAL));
}

/* IP-flags is 2 bytes, HBA 32, DDNS only empty, chaddr 1..17 (FAILOVER.md
 * §2.1, pitfalls 1, 3, 8). */
Test(fo_wire, size_rules_from_the_isc_table)
{
	cr_expect_eq(fo_opt_def(FO_OPT_IP_FLAGS)->min, 2);
	cr_expect_eq(fo_opt_def(FO_OPT_IP_FLAGS)->max, 2);
	cr_expect_eq(fo_opt_def(FO_OPT_HBA)->min, 32);
	cr_expect_eq(fo_opt_def(FO_OPT_DDNS)->max, 0);
	cr_expect_eq(fo_opt_def(FO_OPT_CHADDR)->min, 1);
	cr_expect_eq(fo_opt_def(FO_OPT_CHADDR)->max, 17);
	cr_expect_eq(fo_opt_def(FO_OPT_MESSAGE_DIGEST)->msgs, 0);
	cr_expect_eq(fo_opt_def(FO_OPT_DELAYED_SERVICE)->msgs, 0);
	cr_expect_eq(fo_opt_def(FO_OPT_VENDOR_OPTIONS)->msgs, 0);
	cr_expect(fo_opt_def(FO_OPT_STOS)->msgs & (1u << FO_MSG_STATE));
	cr_expect(fo_opt_def(FO_OPT_STOS)->msgs & (1u << FO_MSG_BNDUPD));
}

/* ---- every option both ways ----------------------------------------------- */

Test(fo_wire, every_option_encodes_and_decodes)
{
	unsigned tested = 0;

	for (unsigned c = 1; c <= FO_OPT_MAX; c++) {
		const struct fo_opt_def *d = fo_opt_def(c);
		struct fo_msg m, back;
		uint8_t buf[256], again[256];
		unsigned t = type_for(d);
		int n, rc;

		if (!t)
			continue;
		fo_msg_init(&m, (uint8_t)t, 0x6b05bbbb, 42);
		set_value(&m, d);
		cr_assert_eq(fo_msg_add(&m, c), 0);
		n = fo_msg_encode(&m, buf, sizeof(buf));
		cr_assert_gt(n, FO_HDR_LEN, "%s: %d", d->name, n);
		rc = fo_msg_decode(buf, (size_t)n, &back);
		cr_assert_eq(rc, n, "%s: %s", d->name, fo_strerror(rc));
		cr_expect_eq(back.type, t);
		cr_expect_eq(back.xid, 42);
		cr_expect_eq(back.time, 0x6b05bbbb);
		cr_expect_eq(back.present, 1u << c, "%s", d->name);
		cr_expect_eq(back.n_order, 1);
		cr_expect_eq(back.skipped, 0);
		expect_same_value(&m, &back, d);
		cr_expect_eq(fo_msg_encode(&back, again, sizeof(again)), n);
		cr_expect_arr_eq(buf, again, (size_t)n, "%s", d->name);
		tested++;
	}
	cr_expect_eq(tested, FO_OPT_MAX - 3);
}

/* Options no message may carry are skipped on receive, as ISC does. */
Test(fo_wire, options_isc_never_accepts_are_skipped)
{
	static const unsigned never[] = {
		FO_OPT_DELAYED_SERVICE, FO_OPT_MESSAGE_DIGEST, FO_OPT_VENDOR_OPTIONS};

	for (unsigned i = 0; i < 3; i++) {
		uint8_t b[] = {0, 17, FO_MSG_BNDUPD, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0,
			(uint8_t)never[i], 0, 1, 0};
		struct fo_msg m;

		cr_expect_eq(fo_msg_decode(b, sizeof(b), &m), 17);
		cr_expect_eq(m.present, 0);
		cr_expect_eq(m.skipped, 1);

		fo_msg_init(&m, FO_MSG_BNDUPD, 0, 1);
		cr_assert_eq(fo_msg_add(&m, never[i]), 0);
		cr_expect_eq(fo_msg_encode(&m, b, sizeof(b)), FO_E_NOTSENT);
	}
}

/* FAILOVER.md §7.1: the CONNECT an ISC 4.4.3-P1 primary sends. */
Test(fo_wire, builds_isc_connect_byte_for_byte)
{
	static const uint8_t want[108] = {0x00, 0x6c, 0x05, 0x0c, 0x6b, 0x05, 0xbb, 0xbb, 0, 0, 0,
		0, 0x00, 0x16, 0x00, 0x06, 'f', 'o', '-', 'l', 'a', 'b', 0x00, 0x0e, 0x00, 0x04, 0,
		0, 0, 0x0a, 0x00, 0x13, 0x00, 0x04, 0, 0, 0, 0x1e, 0x00, 0x1c, 0x00, 0x0c, 'i', 's',
		'c', '-', '4', '.', '4', '.', '3', '-', 'P', '1', 0x00, 0x14, 0x00, 0x01, 0x01,
		0x00, 0x1b, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x04, 0, 0, 0, 0x3c, 0x00, 0x0b,
		0x00, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff};
	struct fo_msg m;
	uint8_t buf[256];

	fo_msg_init(&m, FO_MSG_CONNECT, 0x6b05bbbb, 0);
	m.relationship_name = (struct fo_bytes){(const uint8_t *)"fo-lab", 6};
	m.max_unacked = 10;
	m.receive_timer = 30;
	m.vendor_class = (struct fo_bytes){(const uint8_t *)"isc-4.4.3-P1", 12};
	m.protocol_version = 1;
	m.tls_request = 0;
	m.mclt = 60;
	memset(m.hba, 0xff, 16);
	static const unsigned order[] = {22, 14, 19, 28, 20, 27, 15, 11};
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(fo_msg_add(&m, order[i]), 0);
	cr_expect_eq(fo_msg_add(&m, FO_OPT_MCLT), FO_E_DUP);
	cr_expect_eq(fo_msg_add(&m, 30), -EINVAL);
	cr_assert_eq(fo_msg_encode(&m, buf, sizeof(buf)), 108);
	cr_expect_arr_eq(buf, want, sizeof(want));
	for (unsigned i = 92; i < 108; i++)
		cr_expect_eq(buf[i], 0);
}

/* ---- malformed messages --------------------------------------------------- */

struct bad {
	const char *what;
	const uint8_t *b;
	size_t len;
	int rc; /* expected: FO_E_* or the length for accepted oddities */
};

#define HDR(len, type, payoff) 0, (len), (type), (payoff), 0x6b, 5, 0xbb, 0xbb, 0, 0, 0, 1
#define BAD(what, rc, ...)                                                                         \
	{                                                                                          \
		what, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), rc   \
	}

static const struct bad bad[] = {
	/* §1.2 total length */
	BAD("length under 12", FO_E_LEN_SMALL, HDR(11, 11, 12)),
	BAD("length 0", FO_E_LEN_SMALL, HDR(0, 11, 12)),
	BAD("length over 2048", FO_E_LEN_BIG, 0x08, 0x01, 11, 12, 0, 0, 0, 0, 0, 0, 0, 0),
	BAD("length past the buffer", FO_E_SHORT, HDR(13, 11, 12)),
	/* §1.2 payload offset, pitfall 4 */
	BAD("payload offset 8 (the draft's)", FO_E_PAYOFF, HDR(12, 11, 8)),
	BAD("payload offset 0", FO_E_PAYOFF, HDR(12, 11, 0)),
	BAD("payload offset past the end", FO_E_PAYOFF, HDR(14, 11, 15), 0, 0),
	BAD("payload offset 14 is skipped", 14, HDR(14, 11, 14), 0xaa, 0xbb),
	BAD("payload offset 16 skips into options", 21, HDR(21, 10, 16), 1, 2, 3, 4, 0, 24, 0, 1,
		1),
	/* §1.2 message type, pitfall 19 */
	BAD("type 13 with an option", FO_E_TYPE, HDR(17, 13, 12), 0, 24, 0, 1, 1),
	BAD("type 0 with an option", FO_E_TYPE, HDR(17, 0, 12), 0, 24, 0, 1, 1),
	BAD("type 200 without options is ignored", 12, HDR(12, 200, 12)),
	/* option area */
	BAD("option header cut", FO_E_OPTTRUNC, HDR(14, 10, 12), 0, 24),
	BAD("option header cut at 3 bytes", FO_E_OPTTRUNC, HDR(15, 10, 12), 0, 24, 0),
	BAD("option data past the end", FO_E_OPTTRUNC, HDR(17, 10, 12), 0, 24, 0, 2, 1),
	BAD("unknown code past the end", FO_E_OPTTRUNC, HDR(17, 10, 12), 0, 200, 0, 9, 1),
	/* §1.2 rule 5: fixed sizes */
	BAD("u8 of 2 bytes", FO_E_OPTSIZE, HDR(18, 10, 12), 0, 24, 0, 2, 1, 1),
	BAD("u8 of 0 bytes", FO_E_OPTSIZE, HDR(16, 10, 12), 0, 24, 0, 0),
	BAD("u32 of 3 bytes", FO_E_OPTSIZE, HDR(19, 3, 12), 0, 13, 0, 3, 1, 2, 3),
	BAD("u32 of 5 bytes", FO_E_OPTSIZE, HDR(21, 6, 12), 0, 14, 0, 5, 1, 2, 3, 4, 5),
	BAD("IPv4 of 8 bytes", FO_E_OPTSIZE, HDR(24, 3, 12), 0, 2, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8),
	BAD("IP-flags of 1 byte (the draft's)", FO_E_OPTSIZE, HDR(17, 3, 12), 0, 12, 0, 1, 1),
	BAD("IP-flags of 4 bytes", FO_E_OPTSIZE, HDR(20, 3, 12), 0, 12, 0, 4, 0, 0, 0, 1),
	BAD("HBA of 31 bytes", FO_E_HBA, HDR(47, 5, 12), 0, 11, 0, 31, [46] = 0),
	BAD("HBA of 33 bytes", FO_E_HBA, HDR(49, 5, 12), 0, 11, 0, 33, [48] = 0),
	BAD("HBA of 0 bytes", FO_E_HBA, HDR(16, 5, 12), 0, 11, 0, 0),
	BAD("chaddr empty", FO_E_CHADDR, HDR(16, 3, 12), 0, 5, 0, 0),
	BAD("chaddr of 18 bytes", FO_E_CHADDR, HDR(34, 3, 12), 0, 5, 0, 18, [33] = 0),
	/* pitfall 1 */
	BAD("non-empty DDNS", FO_E_DDNS, HDR(24, 3, 12), 0, 9, 0, 8, 0, 1, 3, 'w', 'w', 'w', 0, 0),
	BAD("empty DDNS", 16, HDR(16, 3, 12), 0, 9, 0, 0),
	/* §1.2 rule 3, pitfall 2 */
	BAD("two addresses in one BNDUPD", FO_E_MULTIADDR, HDR(28, 3, 12), 0, 2, 0, 4, 1, 2, 3, 4,
		0, 2, 0, 4, 1, 2, 3, 5),
	BAD("two addresses in one BNDACK", FO_E_DUP, HDR(28, 4, 12), 0, 2, 0, 4, 1, 2, 3, 4, 0, 2,
		0, 4, 1, 2, 3, 5),
	BAD("duplicate binding-status", FO_E_DUP, HDR(22, 3, 12), 0, 3, 0, 1, 1, 0, 3, 0, 1, 2),
	BAD("duplicate server-state", FO_E_DUP, HDR(22, 10, 12), 0, 24, 0, 1, 1, 0, 24, 0, 1, 1),
	BAD("duplicate option the type may not carry", FO_E_DUP, HDR(28, 3, 12), 0, 15, 0, 4, 0, 0,
		0, 60, 0, 15, 0, 4, 0, 0, 0, 60),
	BAD("duplicate message-digest", FO_E_DUP, HDR(20, 3, 12), 0, 17, 0, 0, 0, 17, 0, 0),
	/* §1.2 rules 1, 2, 4: skipped */
	BAD("unknown code 200 skipped", 18, HDR(18, 3, 12), 0, 200, 0, 2, 1, 2),
	BAD("unknown code 200 twice skipped", 24, HDR(24, 3, 12), 0, 200, 0, 2, 1, 2, 0, 200, 0, 2,
		1, 2),
	BAD("code 0 skipped", 16, HDR(16, 3, 12), 0, 0, 0, 0),
	BAD("MCLT in a BNDUPD skipped, size unchecked", 17, HDR(17, 3, 12), 0, 15, 0, 1, 60),
	BAD("option on a type that carries none", 17, HDR(17, 11, 12), 0, 24, 0, 1, 1),
};

Test(fo_wire, malformed_messages_table)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fo_msg m;
		int rc = fo_msg_decode(bad[i].b, bad[i].len, &m);

		cr_expect_eq(rc, bad[i].rc, "%s: got %d (%s), want %d (%s)", bad[i].what, rc,
			fo_strerror(rc), bad[i].rc, fo_strerror(bad[i].rc));
	}
}

/* Every distinct rejection has its own code and text. */
Test(fo_wire, error_codes_are_distinct)
{
	static const int codes[] = {
#define FO_ERR_LIST(name, val, text) name,
		FO_ERRORS(FO_ERR_LIST)
#undef FO_ERR_LIST
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_expect_lt(codes[i], LW_E_LAST - 100);
		for (size_t j = i + 1; j < n; j++) {
			cr_expect_neq(codes[i], codes[j]);
			cr_expect_str_neq(fo_strerror(codes[i]), fo_strerror(codes[j]));
		}
	}
}

/* Header fields are valid even when the option area is rejected, so the
 * caller can answer a bad HBA with CONNECTACK reject 18 on the right xid. */
Test(fo_wire, header_kept_on_option_error)
{
	uint8_t b[] = {HDR(16, 5, 12), 0, 11, 0, 0};
	struct fo_msg m;

	cr_assert_eq(fo_msg_decode(b, sizeof(b), &m), FO_E_HBA);
	cr_expect_eq(m.type, FO_MSG_CONNECT);
	cr_expect_eq(m.xid, 1);
	cr_expect_eq(m.time, 0x6b05bbbb);
}

/* A BNDUPD as ISC sends it for an active lease (FAILOVER.md §1.3, 79 bytes). */
static int active_bndupd(uint8_t *buf, size_t cap, struct fo_msg *m)
{
	static const uint8_t cid[] = {0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

	fo_msg_init(m, FO_MSG_BNDUPD, 1000, 7);
	m->assigned_ip = 0xc6120021;
	m->binding_status = 2;
	m->client_id = (struct fo_bytes){cid, 7};
	m->chaddr = (struct fo_bytes){cid, 7};
	m->lease_expiry = 2000;
	m->potential_expiry = 3000;
	m->stos = 1000;
	m->cltt = 1000;
	m->ip_flags = FO_IPF_BOOTP;
	static const unsigned order[] = {2, 3, 4, 5, 13, 18, 25, 6, 12};
	for (unsigned i = 0; i < 9; i++)
		cr_assert_eq(fo_msg_add(m, order[i]), 0);
	return fo_msg_encode(m, buf, cap);
}

Test(fo_wire, truncation_at_every_length)
{
	uint8_t buf[128], cut[128];
	struct fo_msg m, d;
	int n = active_bndupd(buf, sizeof(buf), &m);
	size_t boundary[16], nb = 0, off = FO_HDR_LEN;

	cr_assert_eq(n, 85);
	/* Option boundaries, from the encoding. */
	boundary[nb++] = off;
	while (off < (size_t)n) {
		off += 4 + (size_t)(buf[off + 2] << 8 | buf[off + 3]);
		boundary[nb++] = off;
	}
	cr_assert_eq(off, (size_t)n);

	for (size_t k = 0; k < (size_t)n; k++) {
		/* The stream has not delivered the whole message yet. */
		cr_expect_eq(fo_msg_decode(buf, k, &d), FO_E_SHORT, "k=%zu", k);
		/* The length field itself says k: options cut mid-way. */
		memcpy(cut, buf, k);
		if (k < 2)
			continue;
		cut[0] = (uint8_t)(k >> 8);
		cut[1] = (uint8_t)k;
		int rc = fo_msg_decode(cut, k, &d);
		int on_boundary = 0;
		size_t whole = 0;
		for (size_t b = 0; b < nb; b++)
			if (boundary[b] == k) {
				on_boundary = 1;
				whole = b;
			}
		if (k < FO_HDR_LEN)
			cr_expect_eq(rc, FO_E_LEN_SMALL, "k=%zu", k);
		else if (on_boundary) {
			cr_expect_eq(rc, (int)k, "k=%zu", k);
			cr_expect_eq(d.n_order, whole, "k=%zu", k);
		} else
			cr_expect_eq(rc, FO_E_OPTTRUNC, "k=%zu: %s", k, fo_strerror(rc));
	}
	cr_expect_eq(fo_msg_decode(buf, (size_t)n, &d), n);
	cr_expect_eq(fo_frame_len(buf, 1), 0);
	cr_expect_eq(fo_frame_len(buf, 2), n);
}

Test(fo_wire, decode_keeps_order_and_values)
{
	uint8_t buf[128], again[128];
	struct fo_msg m, d;
	int n = active_bndupd(buf, sizeof(buf), &m);

	cr_assert_eq(fo_msg_decode(buf, (size_t)n, &d), n);
	cr_expect_eq(d.n_order, 9);
	cr_expect_arr_eq(d.order, m.order, 9);
	cr_expect_eq(d.assigned_ip, 0xc6120021);
	cr_expect_eq(d.chaddr.len, 7);
	cr_expect_eq(d.chaddr.p[0], 1);
	cr_expect_eq(d.ip_flags, FO_IPF_BOOTP);
	cr_expect_eq(fo_msg_encode(&d, again, sizeof(again)), n);
	cr_expect_arr_eq(buf, again, (size_t)n);
	/* Decoding from a longer buffer consumes one message. */
	memcpy(again + n, buf, 12);
	cr_expect_eq(fo_msg_decode(again, (size_t)n + 12, &d), n);
}

Test(fo_wire, encode_refuses_what_isc_drops)
{
	uint8_t buf[4096];
	static uint8_t big[3000];
	struct fo_msg m;

	cr_assert_eq(active_bndupd(buf, sizeof(buf), &m), 85);
	cr_expect_eq(fo_msg_encode(&m, buf, 84), LW_E_NOSPACE);
	cr_expect_eq(fo_msg_encode(&m, buf, 0), LW_E_NOSPACE);

	m.ddns = (struct fo_bytes){big, 8};
	cr_assert_eq(fo_msg_add(&m, FO_OPT_DDNS), 0);
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_DDNS);

	active_bndupd(buf, sizeof(buf), &m);
	m.chaddr.len = 0;
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_CHADDR);

	active_bndupd(buf, sizeof(buf), &m);
	cr_assert_eq(fo_msg_add(&m, FO_OPT_MCLT), 0);
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_NOTSENT);

	active_bndupd(buf, sizeof(buf), &m);
	m.present |= 1u << FO_OPT_MESSAGE;
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_ORDER);

	active_bndupd(buf, sizeof(buf), &m);
	m.order[1] = FO_OPT_ASSIGNED_IP;
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_ORDER);

	active_bndupd(buf, sizeof(buf), &m);
	m.payoff = 8;
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_PAYOFF);

	fo_msg_init(&m, FO_MSG_BNDACK, 0, 1);
	m.message = (struct fo_bytes){big, sizeof(big)};
	cr_assert_eq(fo_msg_add(&m, FO_OPT_MESSAGE), 0);
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), FO_E_LEN_BIG);

	fo_msg_init(&m, 13, 0, 1);
	cr_expect_eq(fo_msg_encode(&m, buf, sizeof(buf)), 12);
}

/* ---- golden capture ------------------------------------------------------- */

/* The capture file is pcapng (Ethernet); classic pcap is read too. */
struct flow {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t isn;
	int have_syn;
	size_t nseg;
	struct seg {
		uint32_t seq;
		const uint8_t *p;
		size_t len;
	} seg[256];
};

static struct flow flows[16];
static size_t nflows;

static uint32_t rd32(const uint8_t *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ethernet / IPv4 / TCP to the payload; keeps segments on port 647. */
static void frame(const uint8_t *p, size_t len)
{
	size_t ihl, thl, iplen;
	const uint8_t *ip, *tcp;
	struct flow *f = NULL;

	if (len < 14 + 20 || be16(p + 12) != 0x0800)
		return;
	ip = p + 14;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	iplen = be16(ip + 2);
	if (ip[9] != 6 || iplen > len - 14 || ihl < 20 || iplen < ihl + 20)
		return;
	tcp = ip + ihl;
	thl = (size_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || ihl + thl > iplen)
		return;
	if (be16(tcp) != 647 && be16(tcp + 2) != 647)
		return;
	for (size_t i = 0; i < nflows; i++)
		if (flows[i].saddr == be32(ip + 12) && flows[i].daddr == be32(ip + 16) &&
			flows[i].sport == be16(tcp) && flows[i].dport == be16(tcp + 2))
			f = &flows[i];
	if (!f) {
		cr_assert_lt(nflows, 16);
		f = &flows[nflows++];
		f->saddr = be32(ip + 12);
		f->daddr = be32(ip + 16);
		f->sport = be16(tcp);
		f->dport = be16(tcp + 2);
	}
	if (tcp[13] & 0x02) { /* SYN */
		f->isn = be32(tcp + 4) + 1;
		f->have_syn = 1;
	}
	if (iplen - ihl - thl == 0)
		return;
	cr_assert_lt(f->nseg, 256);
	f->seg[f->nseg++] = (struct seg){be32(tcp + 4), tcp + thl, iplen - ihl - thl};
}

static void read_capture(const uint8_t *b, size_t n)
{
	uint32_t magic;

	cr_assert_geq(n, 24);
	memcpy(&magic, b, 4);
	if (magic == 0x0a0d0d0a) {
		/* pcapng: blocks of type, total length, body, total length. */
		int swap = 0;
		size_t off = 0;
		while (off + 12 <= n) {
			uint32_t type = rd32(b + off, swap), blen;
			if (type == 0x0a0d0d0a)
				swap = rd32(b + off + 8, 0) != 0x1a2b3c4d;
			blen = rd32(b + off + 4, swap);
			cr_assert(blen >= 12 && off + blen <= n, "bad pcapng block at %zu", off);
			if (type == 6) { /* enhanced packet block */
				uint32_t caplen = rd32(b + off + 20, swap);
				cr_assert_leq(28 + caplen, blen);
				frame(b + off + 28, caplen);
			}
			off += blen;
		}
		return;
	}
	/* classic pcap */
	int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	cr_assert(swap || magic == 0xa1b2c3d4 || magic == 0xa1b23c4d, "not a capture");
	for (size_t off = 24; off + 16 <= n;) {
		uint32_t caplen = rd32(b + off + 8, swap);
		cr_assert_leq(off + 16 + caplen, n);
		frame(b + off + 16, caplen);
		off += 16 + caplen;
	}
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	/* Only relative order matters; the base is subtracted before. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The byte stream of a flow, by sequence number; retransmits dropped. */
static size_t reassemble(struct flow *f, uint8_t *out, size_t cap)
{
	uint32_t base = f->have_syn ? f->isn : f->seg[0].seq;
	size_t next = 0;

	for (size_t i = 0; i < f->nseg; i++)
		f->seg[i].seq -= base;
	qsort(f->seg, f->nseg, sizeof(f->seg[0]), seg_cmp);
	for (size_t i = 0; i < f->nseg; i++) {
		struct seg *s = &f->seg[i];
		if (s->seq + s->len <= next)
			continue;
		cr_assert_leq(s->seq, next, "gap in the TCP stream");
		size_t skip = next - s->seq;
		cr_assert_leq(next + s->len - skip, cap);
		memcpy(out + next, s->p + skip, s->len - skip);
		next += s->len - skip;
	}
	return next;
}

static char *fixture_path(char *buf, size_t cap)
{
	const char *root = getenv("LW_SOURCE_ROOT");
	char *slash;

	if (root) {
		snprintf(buf, cap, "%s/tests/failover/isc-failover-pair.pcap", root);
		return buf;
	}
	/* Otherwise relative to this source, as meson passes it. */
	snprintf(buf, cap, "%s", __FILE__);
	slash = strrchr(buf, '/');
	cr_assert_not_null(slash);
	snprintf(slash, cap - (size_t)(slash - buf), "/isc-failover-pair.pcap");
	return buf;
}

Test(fo_wire, isc_capture_decodes_and_reencodes_byte_for_byte)
{
	char path[1024];
	static uint8_t file[1 << 20], stream[1 << 18], again[FO_MSG_MAX_LEN];
	unsigned count[256] = {0}, total = 0;
	FILE *fp = fopen(fixture_path(path, sizeof(path)), "rb");
	size_t n;

	cr_assert_not_null(fp, "%s", path);
	n = fread(file, 1, sizeof(file), fp);
	fclose(fp);
	nflows = 0;
	read_capture(file, n);
	cr_assert_gt(nflows, 0);

	for (size_t i = 0; i < nflows; i++) {
		size_t len = reassemble(&flows[i], stream, sizeof(stream)), off = 0;
		while (off < len) {
			struct fo_msg m;
			int rc = fo_msg_decode(stream + off, len - off, &m);
			cr_assert_gt(rc, 0, "flow %zu offset %zu: %s", i, off, fo_strerror(rc));
			cr_expect_eq(m.skipped, 0);
			cr_expect_eq(m.payoff, FO_PAYOFF);
			cr_assert_eq(fo_msg_encode(&m, again, sizeof(again)), rc, "%s",
				fo_msg_name(m.type));
			cr_expect_arr_eq(again, stream + off, (size_t)rc, "%s at %zu",
				fo_msg_name(m.type), off);
			count[m.type]++;
			total++;
			off += (size_t)rc;
		}
	}
	cr_log_info("%u failover messages in the capture", total);
	for (unsigned t = 0; t < 256; t++)
		if (count[t])
			cr_log_info("  %-10s %u", fo_msg_name(t), count[t]);
	cr_expect_gt(count[FO_MSG_CONNECT], 0);
	cr_expect_gt(count[FO_MSG_CONNECTACK], 0);
	cr_expect_gt(count[FO_MSG_BNDUPD], 0);
	cr_expect_gt(count[FO_MSG_BNDACK], 0);
	cr_expect_gt(count[FO_MSG_STATE], 0);
}
