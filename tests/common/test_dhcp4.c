/* SPDX-License-Identifier: MPL-2.0 */
/* DHCPv4 wire codec: requests as clients and relays send them (RFC 2131,
 * 2132, 3046, 3396, 3011, 3527), each malformed shape with the code it must
 * give, and the reply builder. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/dhcp4.h"
#include "common/lw_err.h"
#include "common/lw_ip.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define N_OF(x)	      (sizeof(x) / sizeof((x)[0]))

/* The fixed BOOTP fields a test packet starts from. */
struct hdr {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
};

static const struct hdr client_hdr = {
	.op = BOOTP_REQUEST,
	.htype = 1,
	.hlen = 6,
	.hops = 0,
	.xid = 0x3903f326,
	.secs = 0x0102,
	.flags = BOOTP_FLAG_BROADCAST,
	.chaddr = {0x00, 0x0c, 0x29, 0x4f, 0x8e, 0x35},
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Writes header h, empty sname and file, the cookie and the n option bytes
 * into buf; returns the packet length. Options for sname/file are copied in
 * afterwards with put_area().
 */
static size_t build(uint8_t *buf, const struct hdr *h, const void *opts, size_t n)
{
	memset(buf, 0, DHCP4_OPT_OFFSET);
	buf[0] = h->op;
	buf[1] = h->htype;
	buf[2] = h->hlen;
	buf[3] = h->hops;
	put32(buf + 4, h->xid);
	put16(buf + 8, h->secs);
	put16(buf + 10, h->flags);
	put32(buf + 12, h->ciaddr);
	put32(buf + 16, h->yiaddr);
	put32(buf + 20, h->siaddr);
	put32(buf + 24, h->giaddr);
	memcpy(buf + 28, h->chaddr, sizeof(h->chaddr));
	put32(buf + BOOTP_FIXED_LEN, DHCP4_COOKIE);
	memcpy(buf + DHCP4_OPT_OFFSET, opts, n);
	return DHCP4_OPT_OFFSET + n;
}

static void put_area(uint8_t *buf, size_t off, size_t cap, const void *opts, size_t n)
{
	cr_assert_leq(n, cap);
	memcpy(buf + off, opts, n);
}

/* ------------------------------------------------------------------------ */
/* Well-formed requests */

Test(parse, discover_every_field)
{
	/* clang-format off */
	static const uint8_t opts[] = {
		53, 1, DHCP4_DISCOVER,
		61, 7, 0x01, 0x00, 0x0c, 0x29, 0x4f, 0x8e, 0x35,
		55, 4, 1, 3, 6, 15,
		57, 2, 0x05, 0xdc,
		12, 4, 'h', 'o', 's', 't',
		255,
	};
	/* clang-format on */
	struct hdr h = client_hdr;
	struct dhcp4_msg m;
	uint8_t buf[512];
	size_t len;

	h.ciaddr = A(192, 0, 2, 7);
	h.yiaddr = A(192, 0, 2, 8);
	h.siaddr = A(192, 0, 2, 9);
	h.giaddr = A(192, 0, 2, 10);
	h.hops = 3;
	len = build(buf, &h, opts, sizeof(opts));
	memset(&m, 0xa5, sizeof(m));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);

	cr_expect_eq(m.op, BOOTP_REQUEST);
	cr_expect_eq(m.htype, 1);
	cr_expect_eq(m.hlen, 6);
	cr_expect_eq(m.hops, 3);
	cr_expect_eq(m.xid, 0x3903f326);
	cr_expect_eq(m.secs, 0x0102);
	cr_expect_eq(m.flags, BOOTP_FLAG_BROADCAST);
	cr_expect_eq(m.ciaddr, A(192, 0, 2, 7));
	cr_expect_eq(m.yiaddr, A(192, 0, 2, 8));
	cr_expect_eq(m.siaddr, A(192, 0, 2, 9));
	cr_expect_eq(m.giaddr, A(192, 0, 2, 10));
	cr_expect_arr_eq(m.chaddr, client_hdr.chaddr, 16);
	cr_expect_eq(m.msg_type, DHCP4_DISCOVER);
	cr_expect_eq(m.overload, 0);
	cr_expect_eq(m.has, DHCP4_HAS_CLIENT_ID | DHCP4_HAS_PRL | DHCP4_HAS_MAX_MSG_SIZE,
		"has = %#x", m.has);
	cr_expect_eq(m.client_id_len, 7);
	cr_expect_arr_eq(m.client_id, opts + 5, 7);
	cr_expect_eq(m.prl_len, 4);
	cr_expect_arr_eq(m.prl, ((const uint8_t[]){1, 3, 6, 15}), 4);
	cr_expect_eq(m.max_msg_size, 1500);
	cr_expect_eq(m.agent_info_len, 0);
}

Test(parse, relayed_request_with_agent_info)
{
	/* clang-format off */
	static const uint8_t agent[] = {
		1, 4, 'e', 't', 'h', '0',                  /* circuit id */
		2, 6, 0x02, 0x00, 0x00, 0x00, 0x00, 0x99, /* remote id */
		5, 4, 10, 2, 0, 0,                         /* RFC 3527 link selection */
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t head[] = {
		53, 1, DHCP4_REQUEST,
		50, 4, 10, 2, 0, 50,
		54, 4, 10, 0, 0, 1,
		51, 4, 0x00, 0x00, 0x0e, 0x10,
		118, 4, 10, 3, 0, 0,
	};
	/* clang-format on */
	uint8_t opts[128], buf[512];
	struct hdr h = client_hdr;
	struct dhcp4_msg m;
	size_t n, len;

	memcpy(opts, head, sizeof(head));
	n = sizeof(head);
	opts[n++] = DHCP4_OPT_AGENT_INFO;
	opts[n++] = sizeof(agent);
	memcpy(opts + n, agent, sizeof(agent));
	n += sizeof(agent);
	opts[n++] = DHCP4_OPT_END;

	h.giaddr = A(10, 1, 0, 1);
	h.hops = 1;
	h.flags = 0;
	len = build(buf, &h, opts, n);
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);

	cr_expect_eq(m.msg_type, DHCP4_REQUEST);
	cr_expect_eq(m.giaddr, A(10, 1, 0, 1));
	cr_expect_eq(m.hops, 1);
	cr_expect_eq(m.flags, 0);
	cr_expect_eq(m.has,
		DHCP4_HAS_REQUESTED_IP | DHCP4_HAS_SERVER_ID | DHCP4_HAS_LEASE_TIME |
			DHCP4_HAS_SUBNET_SELECTION | DHCP4_HAS_AGENT_INFO |
			DHCP4_HAS_LINK_SELECTION,
		"has = %#x", m.has);
	cr_expect_eq(m.requested_ip, A(10, 2, 0, 50));
	cr_expect_eq(m.server_id, A(10, 0, 0, 1));
	cr_expect_eq(m.lease_time, 3600);
	cr_expect_eq(m.subnet_selection, A(10, 3, 0, 0));
	cr_expect_eq(m.link_selection, A(10, 2, 0, 0));
	cr_expect_eq(m.agent_info_len, sizeof(agent));
	cr_expect_arr_eq(m.agent_info, agent, sizeof(agent), "82 is kept verbatim");
}

Test(parse, agent_info_without_link_selection)
{
	static const uint8_t opts[] = {53, 1, 1, 82, 6, 1, 4, 'p', 'o', 'r', 't', 255};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect(m.has & DHCP4_HAS_AGENT_INFO);
	cr_expect_not(m.has & DHCP4_HAS_LINK_SELECTION);
	cr_expect_eq(m.agent_info_len, 6);
}

/* Option 52 (RFC 2132 9.3): file, sname or both carry more options. */
struct overload_case {
	uint8_t value;
	uint8_t prl[3]; /* 55 as joined: options field, then file, then sname */
	uint8_t prl_len;
	uint8_t msg_type;
};

Test(parse, overload_file_sname_both)
{
	static const struct overload_case cases[] = {
		{1, {1, 3}, 2, DHCP4_DISCOVER},
		{2, {1, 6}, 2, DHCP4_REQUEST},
		{3, {1, 3, 6}, 3, DHCP4_REQUEST},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct overload_case *t = &cases[i];
		const uint8_t opts[] = {52, 1, t->value, 55, 1, 1, 255};
		/* file holds 53 = DISCOVER; sname holds 53 = REQUEST, which comes later. */
		static const uint8_t file[] = {53, 1, DHCP4_DISCOVER, 0, 0, 55, 1, 3, 255};
		static const uint8_t sname[] = {53, 1, DHCP4_REQUEST, 55, 1, 6, 255};
		uint8_t buf[512];
		struct dhcp4_msg m;
		size_t len = build(buf, &client_hdr, opts, sizeof(opts));

		put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
		put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, sname, sizeof(sname));
		cr_assert_eq(dhcp4_parse(buf, len, &m), 0, "overload %u", t->value);
		cr_expect_eq(m.overload, t->value);
		cr_expect(m.has & DHCP4_HAS_OVERLOAD);
		cr_expect_eq(m.msg_type, t->msg_type, "overload %u: type %u", t->value, m.msg_type);
		cr_expect_eq(m.prl_len, t->prl_len, "overload %u", t->value);
		cr_expect_arr_eq(m.prl, t->prl, t->prl_len, "overload %u", t->value);
	}
}

/* Without 52, sname and file are names, whatever bytes they hold. */
Test(parse, sname_and_file_ignored_without_overload)
{
	static const uint8_t opts[] = {53, 1, DHCP4_DISCOVER, 255};
	static const uint8_t junk[] = {53, 9, 52, 1, 1, 61, 200};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, junk, sizeof(junk));
	put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, junk, sizeof(junk));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.has, 0);
}

/* With 52 = 1 (file only), a malformed sname is not looked at, and conversely. */
Test(parse, only_the_overloaded_field_is_read)
{
	static const uint8_t junk[] = {53, 9};
	static const uint8_t good[] = {61, 3, 0, 'i', 'd', 255};
	static const uint8_t file1[] = {52, 1, 1, 53, 1, 1, 255};
	static const uint8_t sname2[] = {52, 1, 2, 53, 1, 1, 255};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len;

	len = build(buf, &client_hdr, file1, sizeof(file1));
	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, good, sizeof(good));
	put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, junk, sizeof(junk));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.client_id_len, 3);

	len = build(buf, &client_hdr, sname2, sizeof(sname2));
	put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, good, sizeof(good));
	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, junk, sizeof(junk));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.client_id_len, 3);
}

/* An overloaded field filled to its last byte, without END, is complete. */
Test(parse, overloaded_file_without_end)
{
	static const uint8_t opts[] = {53, 1, 1, 52, 1, 1, 255};
	uint8_t buf[512], file[BOOTP_FILE_LEN];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	file[0] = 61;
	file[1] = BOOTP_FILE_LEN - 2;
	memset(file + 2, 0x42, sizeof(file) - 2);
	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.client_id_len, BOOTP_FILE_LEN - 2);
}

/* RFC 3396: two occurrences of 55 and of 61 are one option each, in order. */
Test(parse, concatenated_options_joined_in_order)
{
	/* clang-format off */
	static const uint8_t opts[] = {
		61, 3, 0x01, 0x02, 0x00,
		55, 2, 1, 3,
		53, 1, DHCP4_REQUEST,
		12, 2, 'h', 'x',
		55, 3, 6, 15, 119,
		61, 4, 0x00, 0x00, 0x10, 0x03,
		255,
	};
	/* clang-format on */
	static const uint8_t want_cid[] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x10, 0x03};
	static const uint8_t want_prl[] = {1, 3, 6, 15, 119};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.client_id_len, sizeof(want_cid));
	cr_expect_arr_eq(m.client_id, want_cid, sizeof(want_cid));
	cr_expect_eq(m.prl_len, sizeof(want_prl));
	cr_expect_arr_eq(m.prl, want_prl, sizeof(want_prl));
}

/* The pieces of one option may sit in the options field and in file. */
Test(parse, concatenation_across_fields)
{
	static const uint8_t opts[] = {53, 1, 1, 52, 1, 1, 82, 3, 1, 6, 'a', 255};
	static const uint8_t file[] = {82, 5, 'b', 'c', 'd', 'e', 'f', 255};
	static const uint8_t want[] = {1, 6, 'a', 'b', 'c', 'd', 'e', 'f'};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.agent_info_len, sizeof(want));
	cr_expect_arr_eq(m.agent_info, want, sizeof(want));
}

/* Joined options up to exactly 255 bytes are fine; one more byte is not. */
struct join_case {
	uint8_t code;
	uint8_t first, second; /* lengths of the two occurrences */
	int rc;
};

Test(parse, concatenation_limit)
{
	static const struct join_case cases[] = {
		{DHCP4_OPT_CLIENT_ID, 250, 5, 0},
		{DHCP4_OPT_CLIENT_ID, 255, 1, LW_E_TOOLONG},
		{DHCP4_OPT_PRL, 128, 127, 0},
		{DHCP4_OPT_PRL, 200, 56, LW_E_TOOLONG},
		{DHCP4_OPT_AGENT_INFO, 250, 5, 0},
		{DHCP4_OPT_AGENT_INFO, 200, 200, LW_E_TOOLONG},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct join_case *t = &cases[i];
		uint8_t opts[600], buf[1024];
		struct dhcp4_msg m;
		size_t n = 0, len;
		int rc;

		opts[n++] = 53;
		opts[n++] = 1;
		opts[n++] = 1;
		opts[n++] = t->code;
		opts[n++] = t->first;
		memset(opts + n, 0x11, t->first);
		if (t->code == DHCP4_OPT_AGENT_INFO) {
			/* One sub-option that spans both pieces. */
			opts[n] = 1;
			opts[n + 1] = (uint8_t)(t->first + t->second - 2);
		}
		n += t->first;
		opts[n++] = t->code;
		opts[n++] = t->second;
		memset(opts + n, 0x22, t->second);
		n += t->second;
		opts[n++] = 255;
		len = build(buf, &client_hdr, opts, n);
		rc = dhcp4_parse(buf, len, &m);
		cr_expect_eq(
			rc, t->rc, "code %u, %u + %u: rc %d", t->code, t->first, t->second, rc);
	}
}

Test(parse, options_without_end_accepted)
{
	static const uint8_t opts[] = {53, 1, DHCP4_INFORM, 61, 2, 0, 'x'};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.msg_type, DHCP4_INFORM);
	cr_expect_eq(m.client_id_len, 2);
}

Test(parse, bytes_after_end_ignored)
{
	/* After END: a truncated option and a second message type. */
	static const uint8_t opts[] = {53, 1, DHCP4_RELEASE, 255, 53, 1, 2, 61, 200};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.msg_type, DHCP4_RELEASE);
	cr_expect_eq(m.has, 0);
}

Test(parse, pad_runs)
{
	/* clang-format off */
	static const uint8_t opts[] = {
		0, 0, 0,
		53, 1, DHCP4_DECLINE,
		0,
		50, 4, 192, 0, 2, 1,
		0, 0, 0, 0, 0,
		255,
		0, 0,
	};
	/* clang-format on */
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.msg_type, DHCP4_DECLINE);
	cr_expect_eq(m.requested_ip, A(192, 0, 2, 1));

	/* Only PAD up to the end: no type. */
	memset(buf + DHCP4_OPT_OFFSET, 0, 60);
	cr_expect_eq(dhcp4_parse(buf, DHCP4_OPT_OFFSET + 60, &m), LW_E_NOTYPE);
}

Test(parse, fixed_option_last_occurrence_wins)
{
	/* clang-format off */
	static const uint8_t opts[] = {
		53, 1, DHCP4_DISCOVER,
		50, 4, 10, 0, 0, 1,
		53, 1, DHCP4_REQUEST,
		50, 4, 10, 0, 0, 2,
		255,
	};
	/* clang-format on */
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.msg_type, DHCP4_REQUEST);
	cr_expect_eq(m.requested_ip, A(10, 0, 0, 2));
}

Test(parse, header_edge_values)
{
	static const uint8_t opts[] = {53, 1, 200, 255}; /* unknown type kept */
	struct hdr h = client_hdr;
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len;

	h.hlen = 16;
	memset(h.chaddr, 0xfe, sizeof(h.chaddr));
	h.xid = 0xffffffff;
	h.secs = 0xffff;
	h.flags = 0xffff;
	len = build(buf, &h, opts, sizeof(opts));
	cr_assert_eq(dhcp4_parse(buf, len, &m), 0);
	cr_expect_eq(m.hlen, 16);
	cr_expect_arr_eq(m.chaddr, h.chaddr, 16);
	cr_expect_eq(m.xid, 0xffffffff);
	cr_expect_eq(m.secs, 0xffff);
	cr_expect_eq(m.flags, 0xffff);
	cr_expect_eq(m.msg_type, 200);
}

/* ------------------------------------------------------------------------ */
/* Malformed requests, each with its code */

#define MAX_AREA	40
#define OPTS(...)	.opts = {__VA_ARGS__}, .opts_len = sizeof((const uint8_t[]){__VA_ARGS__})
#define FILE_OPTS(...)	.file = {__VA_ARGS__}, .file_len = sizeof((const uint8_t[]){__VA_ARGS__})
#define SNAME_OPTS(...) .sname = {__VA_ARGS__}, .sname_len = sizeof((const uint8_t[]){__VA_ARGS__})

struct bad_case {
	const char *name;
	uint8_t op;	 /* 0: BOOTREQUEST */
	uint8_t hlen;	 /* 0: 6 */
	uint32_t cookie; /* 0: the DHCP cookie */
	uint8_t opts[MAX_AREA];
	size_t opts_len;
	uint8_t file[MAX_AREA];
	size_t file_len;
	uint8_t sname[MAX_AREA];
	size_t sname_len;
	int rc;
};

static const struct bad_case bad_cases[] = {
	{"op 2 (a reply)", .op = 2, OPTS(53, 1, 1, 255), .rc = LW_E_OP},
	{"op 255", .op = 0xff, OPTS(53, 1, 1, 255), .rc = LW_E_OP},
	{"hlen 17", .hlen = 17, OPTS(53, 1, 1, 255), .rc = LW_E_HLEN},
	{"hlen 255", .hlen = 255, OPTS(53, 1, 1, 255), .rc = LW_E_HLEN},
	{"cookie off by one", .cookie = 0x63825364, OPTS(53, 1, 1, 255), .rc = LW_E_COOKIE},
	{"cookie byte-swapped", .cookie = 0x63538263, OPTS(53, 1, 1, 255), .rc = LW_E_COOKIE},
	{"option length past the end", OPTS(53, 1, 1, 12, 10, 'a', 'b'), .rc = LW_E_OPTLEN},
	{"option without its length byte", OPTS(53, 1, 1, 12), .rc = LW_E_OPTLEN},
	{"53 length past the end", OPTS(53, 2, 1), .rc = LW_E_OPTLEN},
	{"53 length 2", OPTS(53, 2, 1, 1, 255), .rc = LW_E_OPTSIZE},
	{"53 length 0", OPTS(53, 0, 255), .rc = LW_E_OPTSIZE},
	{"50 length 3", OPTS(53, 1, 3, 50, 3, 10, 0, 0, 255), .rc = LW_E_OPTSIZE},
	{"51 length 5", OPTS(53, 1, 3, 51, 5, 0, 0, 0, 0, 1, 255), .rc = LW_E_OPTSIZE},
	{"54 length 0", OPTS(53, 1, 3, 54, 0, 255), .rc = LW_E_OPTSIZE},
	{"57 length 1", OPTS(53, 1, 1, 57, 1, 2, 255), .rc = LW_E_OPTSIZE},
	{"57 length 3", OPTS(53, 1, 1, 57, 3, 2, 64, 0, 255), .rc = LW_E_OPTSIZE},
	{"118 length 8", OPTS(53, 1, 1, 118, 8, 10, 0, 0, 0, 10, 0, 0, 0, 255), .rc = LW_E_OPTSIZE},
	{"good 50 then a 3-byte 50", OPTS(53, 1, 3, 50, 4, 10, 0, 0, 1, 50, 3, 10, 0, 0, 255),
		.rc = LW_E_OPTSIZE},
	{"52 length 2", OPTS(53, 1, 1, 52, 2, 0, 1, 255), .rc = LW_E_OPTSIZE},
	{"61 of one byte", OPTS(53, 1, 1, 61, 1, 1, 255), .rc = LW_E_OPTSIZE},
	{"61 empty", OPTS(53, 1, 1, 61, 0, 255), .rc = LW_E_OPTSIZE},
	{"52 value 0", OPTS(53, 1, 1, 52, 1, 0, 255), .rc = LW_E_OVERLOAD},
	{"52 value 4", OPTS(53, 1, 1, 52, 1, 4, 255), .rc = LW_E_OVERLOAD},
	{"52 repeated", OPTS(52, 1, 1, 52, 1, 1, 53, 1, 1, 255), .rc = LW_E_OVERLOAD},
	{"52 repeated with another value", OPTS(52, 1, 1, 53, 1, 1, 52, 1, 2, 255),
		.rc = LW_E_OVERLOAD},
	{"52 inside file", OPTS(53, 1, 1, 52, 1, 1, 255), FILE_OPTS(52, 1, 1, 255),
		.rc = LW_E_OVERLOAD},
	{"52 inside sname", OPTS(53, 1, 1, 52, 1, 3, 255), FILE_OPTS(255),
		SNAME_OPTS(52, 1, 2, 255), .rc = LW_E_OVERLOAD},
	{"option in file past the field", OPTS(53, 1, 1, 52, 1, 1, 255), FILE_OPTS(0, 12, 126),
		.rc = LW_E_OPTLEN},
	{"option in sname past the field", OPTS(53, 1, 1, 52, 1, 2, 255), SNAME_OPTS(12, 63),
		.rc = LW_E_OPTLEN},
	{"no 53", OPTS(61, 2, 0, 1, 55, 1, 1, 255), .rc = LW_E_NOTYPE},
	{"no options at all", OPTS(255), .rc = LW_E_NOTYPE},
	{"53 value 0", OPTS(53, 1, 0, 255), .rc = LW_E_NOTYPE},
	{"82 sub-option past its end", OPTS(53, 1, 1, 82, 4, 1, 5, 'a', 'b', 255),
		.rc = LW_E_OPTLEN},
	{"82 sub-option without its length", OPTS(53, 1, 1, 82, 4, 1, 1, 'a', 9, 255),
		.rc = LW_E_OPTLEN},
	{"82.5 length 3", OPTS(53, 1, 1, 82, 5, 5, 3, 10, 0, 0, 255), .rc = LW_E_OPTSIZE},
	{"82.5 length 5 after a good sub-option",
		OPTS(53, 1, 1, 82, 10, 1, 1, 'x', 5, 5, 10, 0, 0, 0, 0, 255), .rc = LW_E_OPTSIZE},
};

Test(parse_bad, table)
{
	for (size_t i = 0; i < N_OF(bad_cases); i++) {
		const struct bad_case *t = &bad_cases[i];
		struct hdr h = client_hdr;
		uint8_t buf[512];
		struct dhcp4_msg m;
		size_t len;
		int rc;

		if (t->op)
			h.op = t->op;
		if (t->hlen)
			h.hlen = t->hlen;
		len = build(buf, &h, t->opts, t->opts_len);
		if (t->cookie)
			put32(buf + BOOTP_FIXED_LEN, t->cookie);
		put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, t->file, t->file_len);
		put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, t->sname, t->sname_len);
		rc = dhcp4_parse(buf, len, &m);
		cr_expect_eq(rc, t->rc, "%s: got %d (%s), expected %d (%s)", t->name, rc,
			lw_strerror(rc), t->rc, lw_strerror(t->rc));
	}
}

/* Anything shorter than the fixed header and the cookie. */
Test(parse_bad, every_short_length)
{
	static const uint8_t opts[] = {53, 1, 1, 255};
	uint8_t buf[512];
	struct dhcp4_msg m;

	build(buf, &client_hdr, opts, sizeof(opts));
	for (size_t len = 0; len < DHCP4_OPT_OFFSET; len++) {
		/* A heap copy of exactly len bytes, so that an overread is a fault under ASan. */
		uint8_t *p = malloc(len ? len : 1);
		int rc;

		cr_assert_not_null(p);
		memcpy(p, buf, len);
		rc = dhcp4_parse(p, len, &m);
		free(p);
		cr_expect_eq(rc, LW_E_TRUNC, "length %zu: %d", len, rc);
	}
}

/* A packet cut anywhere parses or fails cleanly, and never reads past the cut. */
static void every_cut(const uint8_t *buf, size_t full)
{
	struct dhcp4_msg m;

	for (size_t len = 0; len <= full; len++) {
		uint8_t *p = malloc(len ? len : 1);
		int rc;

		cr_assert_not_null(p);
		memcpy(p, buf, len);
		rc = dhcp4_parse(p, len, &m);
		free(p);
		cr_expect(rc == 0 || (rc <= LW_E_FIRST && rc >= LW_E_LAST), "length %zu: rc %d",
			len, rc);
		if (len < DHCP4_OPT_OFFSET)
			cr_expect_eq(rc, LW_E_TRUNC, "length %zu", len);
		if (len == full)
			cr_expect_eq(rc, 0, "the whole packet parses");
	}
}

Test(parse_bad, every_truncation_of_a_relayed_request)
{
	/* clang-format off */
	static const uint8_t opts[] = {
		53, 1, DHCP4_REQUEST,
		50, 4, 10, 2, 0, 50,
		54, 4, 10, 0, 0, 1,
		61, 7, 1, 2, 0, 0, 0, 0, 9,
		55, 3, 1, 3, 6,
		57, 2, 2, 64,
		82, 12, 1, 2, 'p', '1', 5, 4, 10, 2, 0, 0, 2, 0,
		0, 0,
		255,
	};
	/* clang-format on */
	uint8_t buf[512];
	struct hdr h = client_hdr;

	h.giaddr = A(10, 1, 0, 1);
	every_cut(buf, build(buf, &h, opts, sizeof(opts)));
}

Test(parse_bad, every_truncation_of_an_overloaded_request)
{
	static const uint8_t opts[] = {53, 1, 1, 52, 1, 3, 55, 2, 1, 3};
	static const uint8_t file[] = {61, 3, 0, 'a', 'b', 255};
	static const uint8_t sname[] = {55, 1, 6, 255};
	uint8_t buf[512];
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
	put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, sname, sizeof(sname));
	every_cut(buf, len);
}

/* ------------------------------------------------------------------------ */
/* Edges of the table-driven option walk and of its inline copy */

/* Parses an exact-size heap copy of buf[0..len), so that an overread faults under ASan. */
static int parse_exact(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	uint8_t *p = malloc(len ? len : 1);
	int rc;

	cr_assert_not_null(p);
	memcpy(p, buf, len);
	rc = dhcp4_parse(p, len, m);
	free(p);
	return rc;
}

/*
 * Every code the server does not read is stepped over; every code it reads
 * is looked at, which a 2-byte payload shows by its return code (a wrong row
 * in the parser's table would show here).
 */
Test(parse, unread_codes_are_stepped_over)
{
	static const uint8_t read[] = {0, 50, 51, 52, 53, 54, 55, 57, 61, 82, 118, 255};

	for (unsigned code = 0; code < 256; code++) {
		uint8_t opts[8] = {(uint8_t)code, 2, 0xff, 0xff, 53, 1, DHCP4_DISCOVER, 255};
		uint8_t buf[512];
		struct dhcp4_msg m;
		int rc;

		if (memchr(read, (int)code, sizeof(read)) != NULL)
			continue;
		rc = parse_exact(buf, build(buf, &client_hdr, opts, sizeof(opts)), &m);
		cr_expect_eq(rc, 0, "code %u: rc %d", code, rc);
		cr_expect_eq(m.has, 0, "code %u: has %#x", code, m.has);
		cr_expect_eq(m.msg_type, DHCP4_DISCOVER, "code %u", code);
	}
	for (size_t i = 1; i + 1 < sizeof(read); i++) {
		/* Two bytes suit none of them except 57 and the joined ones. */
		uint8_t opts[8] = {read[i], 2, 0xff, 0xff, 53, 1, DHCP4_DISCOVER, 255};
		uint8_t buf[512];
		struct dhcp4_msg m;
		int rc = parse_exact(buf, build(buf, &client_hdr, opts, sizeof(opts)), &m);

		if (read[i] == DHCP4_OPT_MAX_MSG_SIZE || read[i] == DHCP4_OPT_PRL ||
			read[i] == DHCP4_OPT_CLIENT_ID)
			cr_expect_eq(rc, 0, "code %u: rc %d", read[i], rc);
		else if (read[i] == DHCP4_OPT_AGENT_INFO)
			cr_expect_eq(rc, LW_E_OPTLEN, "code %u: rc %d", read[i], rc);
		else
			cr_expect_eq(rc, LW_E_OPTSIZE, "code %u: rc %d", read[i], rc);
	}
}

/*
 * One option whose payload ends on the last byte of its field is whole; one
 * byte longer runs past it. In the options field the field ends with the
 * packet, so the exact-size copy also checks nothing past it is read.
 */
Test(parse, option_ending_on_the_last_byte)
{
	for (unsigned olen = 2; olen < 256; olen++) {
		uint8_t opts[3 + 2 + 255] = {53, 1, DHCP4_DISCOVER, DHCP4_OPT_CLIENT_ID};
		uint8_t buf[1024];
		struct dhcp4_msg m;
		size_t len;

		opts[4] = (uint8_t)olen;
		for (unsigned k = 0; k < olen; k++)
			opts[5 + k] = (uint8_t)(k * 7 + 1);
		len = build(buf, &client_hdr, opts, 5 + olen);
		cr_expect_eq(parse_exact(buf, len, &m), 0, "length %u", olen);
		cr_expect_eq(m.client_id_len, olen);
		cr_expect_arr_eq(m.client_id, opts + 5, olen, "length %u", olen);
		cr_expect_eq(parse_exact(buf, len - 1, &m), LW_E_OPTLEN, "length %u, cut", olen);
	}

	/* The same in sname (52 = 2): 64 bytes, then one too many. */
	for (unsigned over = 0; over < 2; over++) {
		static const uint8_t opts[] = {53, 1, 1, 52, 1, 2, 255};
		uint8_t buf[512], sname[BOOTP_SNAME_LEN];
		struct dhcp4_msg m;
		size_t len = build(buf, &client_hdr, opts, sizeof(opts));

		sname[0] = DHCP4_OPT_PRL;
		sname[1] = (uint8_t)(BOOTP_SNAME_LEN - 2 + over);
		memset(sname + 2, 6, sizeof(sname) - 2);
		put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, sname, sizeof(sname));
		/* file holds what a stray read past sname would find. */
		buf[BOOTP_FILE_OFF] = 255;
		cr_expect_eq(dhcp4_parse(buf, len, &m), over ? LW_E_OPTLEN : 0);
		if (!over)
			cr_expect_eq(m.prl_len, BOOTP_SNAME_LEN - 2);
	}
}

/* A field's last byte alone has no room for a length: PAD or END, or LW_E_OPTLEN. */
Test(parse, one_byte_left_in_a_field)
{
	static const struct {
		uint8_t code;
		int rc;
	} last[] = {
		{DHCP4_OPT_PAD, 0},
		{DHCP4_OPT_END, 0},
		{DHCP4_OPT_HOSTNAME, LW_E_OPTLEN},
		{DHCP4_OPT_MSG_TYPE, LW_E_OPTLEN},
		{DHCP4_OPT_CLIENT_ID, LW_E_OPTLEN},
	};
	uint8_t buf[512];
	struct dhcp4_msg m;

	/* An options field of no bytes at all: no type. */
	cr_expect_eq(parse_exact(buf, build(buf, &client_hdr, "", 0), &m), LW_E_NOTYPE);
	for (size_t i = 0; i < N_OF(last); i++) {
		uint8_t opts[] = {53, 1, DHCP4_DISCOVER, 0, last[i].code};
		uint8_t file[BOOTP_FILE_LEN] = {0};
		static const uint8_t ov[] = {53, 1, DHCP4_DISCOVER, 52, 1, 1, 255};
		size_t len;
		int rc;

		/* In the options field, at the end of the packet. */
		rc = parse_exact(buf, build(buf, &client_hdr, opts, sizeof(opts)), &m);
		cr_expect_eq(rc, last[i].rc, "options, last byte %u: %d", last[i].code, rc);

		/* In file: PAD up to its last byte. */
		len = build(buf, &client_hdr, ov, sizeof(ov));
		file[BOOTP_FILE_LEN - 1] = last[i].code;
		put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
		rc = dhcp4_parse(buf, len, &m);
		cr_expect_eq(rc, last[i].rc, "file, last byte %u: %d", last[i].code, rc);
	}
}

/*
 * RFC 3396 joining through the inline copy: every total length a PRL can
 * have, split in two at several points (a 0-byte first piece included), and
 * the fields on either side of prl are left as they were.
 */
Test(parse, joined_prl_every_length_and_split)
{
	for (unsigned total = 0; total < 256; total++) {
		unsigned splits[] = {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, total / 2, total - 1, total};

		for (size_t s = 0; s < N_OF(splits); s++) {
			unsigned a = splits[s], b = total - a;
			uint8_t opts[3 + 4 + 4 + 255 + 1] = {53, 1, DHCP4_REQUEST};
			uint8_t want[255], buf[1024];
			struct dhcp4_msg m;
			size_t n = 3, len;
			int rc;

			if (a > total)
				continue;
			for (unsigned k = 0; k < total; k++)
				want[k] = (uint8_t)(k + 1);
			opts[n++] = DHCP4_OPT_PRL;
			opts[n++] = (uint8_t)a;
			memcpy(opts + n, want, a);
			n += a;
			opts[n++] = DHCP4_OPT_CLIENT_ID;
			opts[n++] = 2;
			opts[n++] = 0xc1;
			opts[n++] = 0xc2;
			opts[n++] = DHCP4_OPT_PRL;
			opts[n++] = (uint8_t)b;
			memcpy(opts + n, want + a, b);
			n += b;
			len = build(buf, &client_hdr, opts, n);
			memset(&m, 0xa5, sizeof(m));
			rc = parse_exact(buf, len, &m);
			cr_assert_eq(rc, 0, "%u + %u: rc %d", a, b, rc);
			cr_assert_eq(m.prl_len, total, "%u + %u", a, b);
			cr_assert_arr_eq(m.prl, want, total, "%u + %u", a, b);
			cr_assert_eq(m.client_id_len, 2);
			cr_assert_eq(m.client_id[1], 0xc2);
			cr_assert_eq(m.client_id[2], 0xa5, "%u + %u: client_id spilled", a, b);
			cr_assert_eq(m.agent_info[0], 0xa5, "%u + %u: agent_info written", a, b);
			if (total < 255)
				cr_assert_eq(m.prl[total], 0xa5, "%u + %u: wrote past", a, b);
		}
	}
}

/* RFC 3396 order with 52 = 3: options field, then file, then sname. */
Test(parse, joined_in_field_order)
{
	static const uint8_t opts[] = {53, 1, 1, 55, 2, 1, 2, 52, 1, 3, 61, 2, 0, 'a', 255};
	static const uint8_t file[] = {0, 55, 3, 3, 4, 5, 61, 1, 'b', 255};
	static const uint8_t sname[] = {61, 1, 'c', 55, 1, 6, 0};
	static const uint8_t want_prl[] = {1, 2, 3, 4, 5, 6};
	static const uint8_t want_cid[] = {0, 'a', 'b', 'c'};
	uint8_t buf[512];
	struct dhcp4_msg m;
	size_t len = build(buf, &client_hdr, opts, sizeof(opts));

	put_area(buf, BOOTP_FILE_OFF, BOOTP_FILE_LEN, file, sizeof(file));
	put_area(buf, BOOTP_SNAME_OFF, BOOTP_SNAME_LEN, sname, sizeof(sname));
	cr_assert_eq(parse_exact(buf, len, &m), 0);
	cr_expect_eq(m.prl_len, sizeof(want_prl));
	cr_expect_arr_eq(m.prl, want_prl, sizeof(want_prl));
	cr_expect_eq(m.client_id_len, sizeof(want_cid));
	cr_expect_arr_eq(m.client_id, want_cid, sizeof(want_cid));
}

/* ------------------------------------------------------------------------ */
/* Reply builder */

/* clang-format off */
static const uint8_t discover_opts[] = {
	53, 1, DHCP4_DISCOVER,
	61, 7, 1, 0x00, 0x0c, 0x29, 0x4f, 0x8e, 0x35,
	55, 3, 1, 3, 6,
	82, 10, 1, 2, 'p', '1', 5, 4, 10, 2, 0, 0,
	255,
};
/* clang-format on */

static void parse_discover(struct dhcp4_msg *m, uint8_t *buf)
{
	struct hdr h = client_hdr;
	size_t len;

	h.ciaddr = A(10, 2, 0, 9);
	h.giaddr = A(10, 1, 0, 1);
	h.hops = 2;
	h.secs = 30;
	len = build(buf, &h, discover_opts, sizeof(discover_opts));
	cr_assert_eq(dhcp4_parse(buf, len, m), 0);
}

Test(reply, header_echoes_the_request)
{
	uint8_t req[512], buf[600];
	struct dhcp4_msg m;
	struct lw_wcur w;
	int len;

	parse_discover(&m, req);
	memset(buf, 0xee, sizeof(buf));
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &m, DHCP4_OFFER, A(10, 2, 0, 100), A(10, 0, 0, 1));
	cr_assert_eq(w.err, 0);
	cr_expect_eq(lw_wcur_len(&w), DHCP4_OPT_OFFSET + 3);

	cr_expect_eq(buf[0], BOOTP_REPLY);
	cr_expect_eq(buf[1], 1, "htype");
	cr_expect_eq(buf[2], 6, "hlen");
	cr_expect_eq(buf[3], 0, "hops are not echoed");
	cr_expect_eq(get32(buf + 4), 0x3903f326, "xid");
	cr_expect_eq(buf[8] | buf[9], 0, "secs are not echoed");
	cr_expect_eq(buf[10], 0x80, "flags");
	cr_expect_eq(buf[11], 0x00, "flags");
	cr_expect_eq(get32(buf + 12), A(10, 2, 0, 9), "ciaddr");
	cr_expect_eq(get32(buf + 16), A(10, 2, 0, 100), "yiaddr");
	cr_expect_eq(get32(buf + 20), A(10, 0, 0, 1), "siaddr");
	cr_expect_eq(get32(buf + 24), A(10, 1, 0, 1), "giaddr");
	cr_expect_arr_eq(buf + 28, client_hdr.chaddr, 16, "chaddr");
	for (size_t i = BOOTP_SNAME_OFF; i < BOOTP_FIXED_LEN; i++)
		cr_expect_eq(buf[i], 0, "sname/file byte %zu", i);
	cr_expect_eq(get32(buf + BOOTP_FIXED_LEN), DHCP4_COOKIE);
	cr_expect_eq(buf[240], DHCP4_OPT_MSG_TYPE, "53 first");
	cr_expect_eq(buf[241], 1);
	cr_expect_eq(buf[242], DHCP4_OFFER);
	cr_expect_eq(buf[243], 0xee, "nothing written after 53");

	len = dhcp4_reply_finish(&w);
	cr_expect_eq(len, BOOTP_MIN_LEN);
}

Test(reply, options_bytes)
{
	/* clang-format off */
	static const uint8_t want[] = {
		54, 4, 10, 0, 0, 1,
		51, 4, 0x00, 0x01, 0x51, 0x80,
		15, 6, 'e', 'x', '.', 'c', 'o', 'm',
		80, 0,
	};
	/* clang-format on */
	uint8_t buf[600];
	struct dhcp4_msg m;
	struct lw_wcur w;

	parse_discover(&m, buf);
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &m, DHCP4_ACK, 0, 0);
	dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, A(10, 0, 0, 1));
	dhcp4_put_opt_u32(&w, DHCP4_OPT_LEASE_TIME, 86400);
	dhcp4_put_opt(&w, DHCP4_OPT_DOMAIN_NAME, "ex.com", 6);
	dhcp4_put_opt(&w, 80, NULL, 0);
	cr_assert_eq(w.err, 0);
	cr_expect_eq(lw_wcur_len(&w), 243 + sizeof(want));
	cr_expect_arr_eq(buf + 243, want, sizeof(want));
}

Test(reply, finish_pads_to_300)
{
	uint8_t buf[600];
	struct dhcp4_msg m;
	struct lw_wcur w;
	int len;

	parse_discover(&m, buf);
	memset(buf, 0xee, sizeof(buf));
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &m, DHCP4_NAK, 0, 0);
	dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, A(10, 0, 0, 1));
	len = dhcp4_reply_finish(&w);
	cr_assert_eq(len, BOOTP_MIN_LEN);
	cr_expect_eq(buf[249], DHCP4_OPT_END);
	for (size_t i = 250; i < BOOTP_MIN_LEN; i++)
		cr_expect_eq(buf[i], 0, "pad byte %zu", i);
	cr_expect_eq(buf[BOOTP_MIN_LEN], 0xee, "wrote past 300");
}

Test(reply, finish_does_not_pad_a_long_reply)
{
	uint8_t buf[600], data[100];
	struct dhcp4_msg m;
	struct lw_wcur w;
	int len;

	parse_discover(&m, buf);
	memset(data, 'd', sizeof(data));
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &m, DHCP4_ACK, 0, 0);
	dhcp4_put_opt(&w, 43, data, sizeof(data));
	len = dhcp4_reply_finish(&w);
	cr_assert_eq(len, 243 + 2 + 100 + 1);
	cr_expect_eq(buf[len - 1], DHCP4_OPT_END);
}

/* Capacity around the boundaries: header (243), END (244), the 300 pad. */
struct cap_case {
	size_t cap;
	uint8_t opt_len; /* an extra option of this payload, 0 none */
	int rc;
};

Test(reply, overflow_gives_nospace)
{
	static const struct cap_case cases[] = {
		{100, 0, LW_E_NOSPACE},
		{243, 0, LW_E_NOSPACE},
		{244, 0, LW_E_NOSPACE}, /* END fits, the pad does not */
		{299, 0, LW_E_NOSPACE},
		{300, 0, 300},
		{300, 54, 300},
		{300, 55, LW_E_NOSPACE}, /* 243 + 57 leaves no room for END */
		{301, 55, 301},
		{400, 255, LW_E_NOSPACE},
		{501, 255, 501},
	};

	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct cap_case *t = &cases[i];
		uint8_t req[512], buf[600], data[255];
		struct dhcp4_msg m;
		struct lw_wcur w;
		int len;

		parse_discover(&m, req);
		memset(data, 'x', sizeof(data));
		memset(buf, 0xee, sizeof(buf));
		lw_wcur_init(&w, buf, t->cap);
		dhcp4_reply_header(&w, &m, DHCP4_OFFER, 0, 0);
		if (t->opt_len)
			dhcp4_put_opt(&w, 43, data, t->opt_len);
		len = dhcp4_reply_finish(&w);
		cr_expect_eq(len, t->rc, "cap %zu + option of %u: %d", t->cap, t->opt_len, len);
		cr_expect_eq(buf[t->cap], 0xee, "cap %zu: wrote past the capacity", t->cap);
	}
}

/* An option that does not fit leaves nothing behind, not half a TLV. */
Test(reply, option_is_all_or_nothing)
{
	uint8_t req[512], buf[600];
	struct dhcp4_msg m;
	struct lw_wcur w;

	parse_discover(&m, req);
	lw_wcur_init(&w, buf, 248);
	dhcp4_reply_header(&w, &m, DHCP4_OFFER, 0, 0);
	memset(buf + 243, 0xee, 5);
	dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, 1);
	cr_expect_eq(w.err, LW_E_NOSPACE);
	cr_expect_eq(lw_wcur_len(&w), 243);
	cr_expect_eq(buf[243], 0xee);

	lw_wcur_init(&w, buf, 248);
	dhcp4_reply_header(&w, &m, DHCP4_OFFER, 0, 0);
	dhcp4_put_opt(&w, 12, "abcd", 4);
	cr_expect_eq(w.err, LW_E_NOSPACE);
	cr_expect_eq(lw_wcur_len(&w), 243);
	cr_expect_eq(buf[243], 0xee);
}

Test(reply, four_byte_options_in_one_block)
{
	static const uint8_t codes[3] = {DHCP4_OPT_SERVER_ID, DHCP4_OPT_LEASE_TIME, DHCP4_OPT_T1};
	static const uint8_t want[18] = {
		54, 4, 10, 0, 0, 1, 51, 4, 0, 1, 0x51, 0x80, 58, 4, 0, 0, 0xa8, 0xc0};
	const uint32_t vals[3] = {A(10, 0, 0, 1), 86400, 43200};
	uint8_t req[512], buf[600];
	struct dhcp4_msg m;
	struct lw_wcur w;

	parse_discover(&m, req);
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &m, DHCP4_OFFER, 0, 0);
	dhcp4_put_opts_u32(&w, codes, vals, 3);
	cr_expect_eq(w.err, 0);
	cr_expect_eq(lw_wcur_len(&w), 243 + 18);
	cr_expect_arr_eq(buf + 243, want, sizeof(want));

	/* 17 bytes of room for 18: nothing written, LW_E_NOSPACE. */
	lw_wcur_init(&w, buf, 243 + 17);
	dhcp4_reply_header(&w, &m, DHCP4_OFFER, 0, 0);
	memset(buf + 243, 0xee, 17);
	dhcp4_put_opts_u32(&w, codes, vals, 3);
	cr_expect_eq(w.err, LW_E_NOSPACE);
	cr_expect_eq(lw_wcur_len(&w), 243);
	cr_expect_eq(buf[243], 0xee);
}

/*
 * Parse, build the reply over the request's own bytes (as the dataplane
 * does), turn it back into a request and parse it again.
 */
Test(reply, round_trip_in_the_request_buffer)
{
	uint8_t buf[600];
	struct dhcp4_msg req, back;
	struct lw_wcur w;
	int len;

	parse_discover(&req, buf);
	lw_wcur_init(&w, buf, sizeof(buf));
	dhcp4_reply_header(&w, &req, DHCP4_OFFER, A(10, 2, 0, 100), A(10, 0, 0, 1));
	dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, A(10, 0, 0, 1));
	dhcp4_put_opt(&w, DHCP4_OPT_CLIENT_ID, req.client_id, req.client_id_len);
	dhcp4_put_opt(&w, DHCP4_OPT_AGENT_INFO, req.agent_info, req.agent_info_len);
	len = dhcp4_reply_finish(&w);
	cr_assert_geq(len, BOOTP_MIN_LEN);

	buf[0] = BOOTP_REQUEST;
	cr_assert_eq(dhcp4_parse(buf, (size_t)len, &back), 0);
	cr_expect_eq(back.htype, req.htype);
	cr_expect_eq(back.hlen, req.hlen);
	cr_expect_eq(back.hops, 0);
	cr_expect_eq(back.xid, req.xid);
	cr_expect_eq(back.secs, 0);
	cr_expect_eq(back.flags, req.flags);
	cr_expect_eq(back.ciaddr, req.ciaddr);
	cr_expect_eq(back.yiaddr, A(10, 2, 0, 100));
	cr_expect_eq(back.siaddr, A(10, 0, 0, 1));
	cr_expect_eq(back.giaddr, req.giaddr);
	cr_expect_arr_eq(back.chaddr, req.chaddr, 16);
	cr_expect_eq(back.msg_type, DHCP4_OFFER);
	cr_expect_eq(back.server_id, A(10, 0, 0, 1));
	cr_expect_eq(back.client_id_len, req.client_id_len);
	cr_expect_arr_eq(back.client_id, req.client_id, req.client_id_len);
	cr_expect_eq(back.agent_info_len, req.agent_info_len);
	cr_expect_arr_eq(back.agent_info, req.agent_info, req.agent_info_len);
	cr_expect_eq(back.link_selection, req.link_selection);
	cr_expect_eq(back.has,
		DHCP4_HAS_SERVER_ID | DHCP4_HAS_CLIENT_ID | DHCP4_HAS_AGENT_INFO |
			DHCP4_HAS_LINK_SELECTION,
		"has = %#x", back.has);
}

/* ------------------------------------------------------------------------ */
/* Small helpers */

Test(helpers, prl_has)
{
	uint8_t buf[512];
	struct dhcp4_msg m;

	parse_discover(&m, buf);
	cr_expect(dhcp4_prl_has(&m, 1));
	cr_expect(dhcp4_prl_has(&m, 3));
	cr_expect(dhcp4_prl_has(&m, 6));
	cr_expect_not(dhcp4_prl_has(&m, 15));
	cr_expect_not(dhcp4_prl_has(&m, 0));

	/* Without 55 the bytes left in prl[] mean nothing. */
	m.has &= ~(uint32_t)DHCP4_HAS_PRL;
	cr_expect_not(dhcp4_prl_has(&m, 1));

	/* Present but empty. */
	m.has |= DHCP4_HAS_PRL;
	m.prl_len = 0;
	cr_expect_not(dhcp4_prl_has(&m, 1));
}

Test(helpers, type_names)
{
	static const char *const names[] = {
		"DHCP-unknown",
		"DHCPDISCOVER",
		"DHCPOFFER",
		"DHCPREQUEST",
		"DHCPDECLINE",
		"DHCPACK",
		"DHCPNAK",
		"DHCPRELEASE",
		"DHCPINFORM",
		"DHCP-unknown",
	};

	for (int t = 0; t < (int)N_OF(names); t++)
		cr_expect_str_eq(dhcp4_type_name(t), names[t], "type %d", t);
	cr_expect_str_eq(dhcp4_type_name(-1), "DHCP-unknown");
	cr_expect_str_eq(dhcp4_type_name(255), "DHCP-unknown");
	cr_expect_str_eq(dhcp4_type_name(256), "DHCP-unknown");
}
