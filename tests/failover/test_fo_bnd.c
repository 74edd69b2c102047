/* SPDX-License-Identifier: MPL-2.0 */
/* Binding-update rules against FAILOVER.md 1.3, 4.1-4.6 and pitfalls 2, 8,
 * 9, 10, 11: BNDUPD/BNDACK bytes (the sizes seen in the lab and every
 * BNDUPD/BNDACK of the real ISC capture rebuilt byte for byte), parse
 * rejects, the 4.4 transition tables row by row, dueling updates, BNDACK
 * outcomes with MAC affinity, and the pool-balancing numbers.
 *
 * With LW_FO_DUMP=FILE, the test fo_bnd/dump_messages writes one of every
 * message leasewire sends, framed back to back, for test_fo_tshark.sh. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lb_hash.h"
#include "failover/fo_bnd.h"

#define NOW  1795000000u
#define ADDR 0xc6120164u /* 198.18.1.100 */

static const uint8_t CID[7] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x10, 0x03};
static const uint8_t HW[7] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

static int encode(const struct fo_msg *m, uint8_t *buf, size_t cap)
{
	int n = fo_msg_encode(m, buf, cap);

	cr_assert_gt(n, 0, "%s: %s", fo_msg_name(m->type), fo_strerror(n));
	return n;
}

static struct fo_binding binding(uint8_t bstate, bool cid, bool hw, uint32_t cltt, uint16_t flags)
{
	struct fo_binding b;

	memset(&b, 0, sizeof(b));
	b.addr = ADDR;
	b.bstate = bstate;
	b.lease_expiry = NOW + 600;
	b.potential_expiry = NOW + 900;
	b.stos = NOW;
	b.cltt = cltt;
	b.ip_flags = flags;
	if (cid) {
		b.client_id_len = sizeof(CID);
		memcpy(b.client_id, CID, sizeof(CID));
	}
	if (hw) {
		b.chaddr_len = sizeof(HW);
		memcpy(b.chaddr, HW, sizeof(HW));
	}
	return b;
}

/* ---- states ---------------------------------------------------------------- */

Test(fo_bnd, bstate_names_and_lw_mapping)
{
	static const char *const names[] = {
		"invalid", "free", "active", "expired", "released", "abandoned", "reset", "backup"};

	for (unsigned s = 0; s < 8; s++) {
		cr_expect_str_eq(fo_bstate_name(s), names[s]);
		cr_expect_eq(fo_bstate_valid(s), s != 0);
	}
	cr_expect_str_eq(fo_bstate_name(8), "invalid");
	cr_expect_str_eq(fo_bstate_name(255), "invalid");

	cr_expect_eq(fo_bstate_from_lw(LW_BIND_FREE), FO_BS_FREE);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_ACTIVE), FO_BS_ACTIVE);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_EXPIRED), FO_BS_EXPIRED);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_RELEASED), FO_BS_RELEASED);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_DECLINED), FO_BS_ABANDONED);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_BACKUP), FO_BS_BACKUP);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_OFFERED), -1);
	cr_expect_eq(fo_bstate_from_lw(LW_BIND_RESERVED), -1);
	cr_expect_eq(fo_bstate_from_lw(99), -1);
	cr_expect_eq(fo_bstate_from_lw(-1), -1);

	for (unsigned s = 1; s <= 7; s++) {
		int lw = fo_bstate_to_lw(s);
		if (s == FO_BS_RESET) {
			cr_expect_eq(lw, -1);
			continue;
		}
		cr_assert_geq(lw, 0, "%s", fo_bstate_name(s));
		cr_expect_eq(fo_bstate_from_lw(lw), (int)s, "%s round trip", fo_bstate_name(s));
	}
	cr_expect_eq(fo_bstate_to_lw(0), -1);
	cr_expect_eq(fo_bstate_to_lw(8), -1);
}

/* ---- BNDUPD build / parse ---------------------------------------------------- */

static void expect_same_binding(const struct fo_binding *a, const struct fo_binding *b)
{
	cr_expect_eq(a->addr, b->addr);
	cr_expect_eq(a->bstate, b->bstate);
	cr_expect_eq(a->lease_expiry, b->lease_expiry);
	cr_expect_eq(a->potential_expiry, b->potential_expiry);
	cr_expect_eq(a->stos, b->stos);
	cr_expect_eq(a->cltt, b->cltt);
	cr_expect_eq(a->ip_flags, b->ip_flags);
	cr_expect_eq(a->client_id_len, b->client_id_len);
	cr_expect_arr_eq(a->client_id, b->client_id, a->client_id_len);
	cr_expect_eq(a->chaddr_len, b->chaddr_len);
	cr_expect_arr_eq(a->chaddr, b->chaddr, a->chaddr_len);
}

/* Every bstate x client-id x chaddr x cltt x flags: size, order, round trip. */
Test(fo_bnd, bndupd_round_trip_every_combination)
{
	unsigned checked = 0;

	for (unsigned s = 1; s <= 7; s++)
		for (unsigned v = 0; v < 16; v++) {
			bool cid = v & 1, hw = v & 2;
			uint32_t cltt = v & 4 ? NOW - 5 : 0;
			uint16_t flags = v & 8 ? FO_IPF_BOOTP : 0;
			struct fo_binding b = binding((uint8_t)s, cid, hw, cltt, flags), back;
			bool client = s != FO_BS_ABANDONED;
			struct fo_msg m, d;
			uint8_t buf[FO_MSG_MAX_LEN];
			size_t want = 49;
			const char *why;
			int n, rc;

			cr_assert_eq(fo_bndupd_build(&m, &b, NOW, 42), 0);
			n = encode(&m, buf, sizeof(buf));
			if (client && cid)
				want += 4 + sizeof(CID);
			if (client && hw)
				want += 4 + sizeof(HW);
			want += cltt ? 8 : 0;
			want += flags ? 6 : 0;
			cr_expect_eq((size_t)n, want, "%s v%u", fo_bstate_name(s), v);

			/* ISC's order: IP, status, [cid], [chaddr], 13, 18, 25, [6], [12]. */
			uint8_t order[9], k = 0;
			order[k++] = FO_OPT_ASSIGNED_IP;
			order[k++] = FO_OPT_BINDING_STATUS;
			if (client && cid)
				order[k++] = FO_OPT_CLIENT_ID;
			if (client && hw)
				order[k++] = FO_OPT_CHADDR;
			order[k++] = FO_OPT_LEASE_EXPIRY;
			order[k++] = FO_OPT_POTENTIAL_EXPIRY;
			order[k++] = FO_OPT_STOS;
			if (cltt)
				order[k++] = FO_OPT_CLTT;
			if (flags)
				order[k++] = FO_OPT_IP_FLAGS;
			cr_assert_eq(fo_msg_decode(buf, (size_t)n, &d), n);
			cr_assert_eq(d.n_order, k);
			cr_expect_arr_eq(d.order, order, k);
			cr_expect_eq(d.xid, 42);
			cr_expect_eq(d.time, NOW);
			cr_expect_eq(d.present & (1u << FO_OPT_DDNS), 0);

			rc = fo_bndupd_parse(&d, &back, &why);
			if (!hw &&
				(s == FO_BS_ACTIVE || s == FO_BS_EXPIRED || s == FO_BS_RELEASED)) {
				cr_expect_eq(rc, 3, "%s without chaddr", fo_bstate_name(s));
				cr_expect_not_null(why);
				continue;
			}
			cr_assert_eq(rc, 0, "%s v%u: %s", fo_bstate_name(s), v, why);
			cr_expect_null(why);
			if (!client)
				b.client_id_len = b.chaddr_len = 0;
			expect_same_binding(&back, &b);
			checked++;
		}
	/* 7 x 16 minus the 3 x 8 refused ones. */
	cr_expect_eq(checked, 7 * 16 - 3 * 8);
}

/* FAILOVER.md 1.3 [lab]: BNDUPD(free, never used) is 49 bytes. */
Test(fo_bnd, bndupd_free_never_used_is_49_bytes)
{
	struct fo_binding b;
	struct fo_msg m;
	uint8_t buf[128];
	static const uint8_t want[49] = {0x00, 0x31, 0x03, 0x0c, 0x6a, 0xfd, 0x86, 0xc0, 0x00, 0x00,
		0x00, 0x05, /* header: len 49, BNDUPD, payoff 12, time, xid 5 */
		0x00, 0x02, 0x00, 0x04, 0xc6, 0x12, 0x01, 0x64, /* 198.18.1.100 */
		0x00, 0x03, 0x00, 0x01, 0x01,			/* free */
		0x00, 0x0d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* ends 0 */
		0x00, 0x12, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* tstp 0 */
		0x00, 0x19, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00 /* stos 0 */};

	memset(&b, 0, sizeof(b));
	b.addr = ADDR;
	b.bstate = FO_BS_FREE;
	cr_assert_eq(fo_bndupd_build(&m, &b, NOW, 5), 0);
	cr_assert_eq(encode(&m, buf, sizeof(buf)), 49);
	cr_expect_arr_eq(buf, want, sizeof(want));
}

/* [lab]: BNDUPD(active, client-id 7 + chaddr 7 + cltt) is 79 bytes. */
Test(fo_bnd, bndupd_active_with_client_is_79_bytes)
{
	struct fo_binding b = binding(FO_BS_ACTIVE, true, true, NOW - 5, 0);
	struct fo_msg m;
	uint8_t buf[128];
	static const uint8_t want[79] = {0x00, 0x4f, 0x03, 0x0c, 0x6a, 0xfd, 0x86, 0xc0, 0x00, 0x00,
		0x00, 0x07, 0x00, 0x02, 0x00, 0x04, 0xc6, 0x12, 0x01, 0x64,	  /* IP */
		0x00, 0x03, 0x00, 0x01, 0x02,					  /* active */
		0x00, 0x04, 0x00, 0x07, 0x01, 0x02, 0x00, 0x00, 0x00, 0x10, 0x03, /* cid */
		0x00, 0x05, 0x00, 0x07, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* chaddr */
		0x00, 0x0d, 0x00, 0x04, 0x6a, 0xfd, 0x89, 0x18,			  /* +600 */
		0x00, 0x12, 0x00, 0x04, 0x6a, 0xfd, 0x8a, 0x44,			  /* +900 */
		0x00, 0x19, 0x00, 0x04, 0x6a, 0xfd, 0x86, 0xc0,			  /* stos */
		0x00, 0x06, 0x00, 0x04, 0x6a, 0xfd, 0x86, 0xbb /* cltt */};

	cr_assert_eq(fo_bndupd_build(&m, &b, NOW, 7), 0);
	cr_assert_eq(encode(&m, buf, sizeof(buf)), 79);
	cr_expect_arr_eq(buf, want, sizeof(want));
}

Test(fo_bnd, bndupd_build_rejects_bad_input)
{
	struct fo_binding b = binding(FO_BS_ACTIVE, false, true, 0, 0);
	struct fo_msg m;

	cr_expect_eq(fo_bndupd_build(NULL, &b, NOW, 1), -EINVAL);
	cr_expect_eq(fo_bndupd_build(&m, NULL, NOW, 1), -EINVAL);
	b.bstate = 0;
	cr_expect_eq(fo_bndupd_build(&m, &b, NOW, 1), -EINVAL);
	b.bstate = 8;
	cr_expect_eq(fo_bndupd_build(&m, &b, NOW, 1), -EINVAL);
	b.bstate = FO_BS_ACTIVE;
	b.chaddr_len = FO_CHADDR_MAX + 1;
	cr_expect_eq(fo_bndupd_build(&m, &b, NOW, 1), -EINVAL);
	b.chaddr_len = FO_CHADDR_MAX;
	cr_expect_eq(fo_bndupd_build(&m, &b, NOW, 1), 0);
}

/* ABANDONED never carries the client (ISC: reason 6; 4.2 DECLINE). */
Test(fo_bnd, bndupd_abandoned_drops_client)
{
	struct fo_binding b = binding(FO_BS_ABANDONED, true, true, NOW, 0);
	struct fo_msg m;

	cr_assert_eq(fo_bndupd_build(&m, &b, NOW, 1), 0);
	cr_expect_eq(m.present & (1u << FO_OPT_CLIENT_ID | 1u << FO_OPT_CHADDR), 0);
	cr_expect_eq(m.n_order, 6);
}

/* A hand-made BNDUPD with the listed options (values from binding()). */
static void raw_bndupd(struct fo_msg *m, uint8_t status, const uint8_t *codes, unsigned n)
{
	fo_msg_init(m, FO_MSG_BNDUPD, NOW, 9);
	m->assigned_ip = ADDR;
	m->binding_status = status;
	m->client_id = (struct fo_bytes){CID, sizeof(CID)};
	m->chaddr = (struct fo_bytes){HW, sizeof(HW)};
	m->lease_expiry = NOW + 600;
	m->potential_expiry = NOW + 900;
	m->stos = NOW;
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(fo_msg_add(m, codes[i]), 0);
}

Test(fo_bnd, bndupd_parse_rejects)
{
	static const uint8_t no_ip[] = {FO_OPT_BINDING_STATUS, FO_OPT_CHADDR, FO_OPT_LEASE_EXPIRY};
	static const uint8_t no_status[] = {FO_OPT_ASSIGNED_IP, FO_OPT_CHADDR};
	static const uint8_t no_hw[] = {
		FO_OPT_ASSIGNED_IP, FO_OPT_BINDING_STATUS, FO_OPT_CLIENT_ID, FO_OPT_LEASE_EXPIRY};
	static const uint8_t with_hw[] = {FO_OPT_ASSIGNED_IP, FO_OPT_BINDING_STATUS, FO_OPT_CHADDR};
	static const uint8_t with_cid[] = {
		FO_OPT_ASSIGNED_IP, FO_OPT_BINDING_STATUS, FO_OPT_CLIENT_ID};
	static const uint8_t bare[] = {FO_OPT_ASSIGNED_IP, FO_OPT_BINDING_STATUS};
	struct fo_binding out;
	struct fo_msg m;
	const char *why;

	raw_bndupd(&m, FO_BS_FREE, no_ip, sizeof(no_ip));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 3);
	cr_expect_str_eq(why, "no assigned-IP-address");

	raw_bndupd(&m, FO_BS_FREE, no_status, sizeof(no_status));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 3);
	cr_expect_str_eq(why, "no binding-status");

	/* Pitfall 8: chaddr required with ACTIVE, EXPIRED, RELEASED only. */
	for (uint8_t s = 1; s <= 7; s++) {
		bool need = s == FO_BS_ACTIVE || s == FO_BS_EXPIRED || s == FO_BS_RELEASED;
		raw_bndupd(&m, s, no_hw, sizeof(no_hw));
		cr_expect_eq(fo_bndupd_parse(&m, &out, &why),
			need		       ? 3
			: s == FO_BS_ABANDONED ? 6
					       : 0,
			"%s", fo_bstate_name(s));
	}

	raw_bndupd(&m, FO_BS_ABANDONED, with_hw, sizeof(with_hw));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 6);
	cr_expect_not_null(why);
	raw_bndupd(&m, FO_BS_ABANDONED, with_cid, sizeof(with_cid));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 6);
	raw_bndupd(&m, FO_BS_ABANDONED, bare, sizeof(bare));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 0);
	cr_expect_null(why);
	cr_expect_eq(out.addr, ADDR);
	cr_expect_eq(out.lease_expiry, 0, "absent times read as 0");

	raw_bndupd(&m, 0, bare, sizeof(bare));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 6);
	raw_bndupd(&m, 8, bare, sizeof(bare));
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), 6);
	cr_expect_str_eq(why, "unknown binding-status");

	/* An empty client-identifier is read as none. */
	raw_bndupd(&m, FO_BS_ACTIVE, with_hw, sizeof(with_hw));
	m.client_id.len = 0;
	cr_assert_eq(fo_msg_add(&m, FO_OPT_CLIENT_ID), 0);
	cr_expect_eq(fo_bndupd_parse(&m, &out, NULL), 0);
	cr_expect_eq(out.client_id_len, 0);

	raw_bndupd(&m, FO_BS_FREE, bare, sizeof(bare));
	m.type = FO_MSG_BNDACK;
	cr_expect_eq(fo_bndupd_parse(&m, &out, &why), -EINVAL);
	cr_expect_eq(fo_bndupd_parse(NULL, &out, &why), -EINVAL);
}

/* ---- BNDACK --------------------------------------------------------------- */

/* [lab] BNDACK 20 bytes accept, 82 bytes reject 16 with its message;
 * 12 + (4+4) + (4+1) + (4+53) = 82. Pitfall 9: nothing else in it. */
Test(fo_bnd, bndack_sizes_and_options)
{
	static const uint8_t accept[20] = {0x00, 0x14, 0x04, 0x0c, 0x6a, 0xfd, 0x86, 0xc0, 0x00,
		0x00, 0x00, 0x2a, 0x00, 0x02, 0x00, 0x04, 0xc6, 0x12, 0x01, 0x64};
	const char *text = "incoming update is less critical than outgoing update";
	struct fo_msg m, d;
	uint8_t buf[256];
	int n;

	cr_assert_eq(fo_bndack_build(&m, ADDR, NOW, 42, 0, "ignored"), 0);
	cr_assert_eq(encode(&m, buf, sizeof(buf)), 20);
	cr_expect_arr_eq(buf, accept, sizeof(accept));

	cr_assert_eq(fo_bndack_build(&m, ADDR, NOW, 42, 16, NULL), 0);
	n = encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, 82);
	cr_assert_eq(fo_msg_decode(buf, (size_t)n, &d), 82);
	cr_expect_eq(d.n_order, 3);
	cr_expect_eq(d.order[0], FO_OPT_ASSIGNED_IP);
	cr_expect_eq(d.order[1], FO_OPT_REJECT_REASON);
	cr_expect_eq(d.order[2], FO_OPT_MESSAGE);
	cr_expect_eq(d.reject_reason, 16);
	cr_assert_eq(d.message.len, strlen(text));
	cr_expect_arr_eq(d.message.p, text, strlen(text));

	cr_assert_eq(fo_bndack_build(&m, ADDR, NOW, 42, 2, "invalid state transition: a to b"), 0);
	cr_expect_eq(encode(&m, buf, sizeof(buf)), 12 + 8 + 5 + 4 + 32);
	cr_expect_eq(fo_bndack_build(NULL, ADDR, NOW, 42, 2, NULL), -EINVAL);

	cr_expect_str_eq(fo_bnd_reason_text(3), "missing binding information");
	cr_expect_str_eq(fo_bnd_reason_text(200), "unknown reason");
}

/* ---- client identity -------------------------------------------------------- */

Test(fo_bnd, client_key_both_ways)
{
	struct fo_binding b = binding(FO_BS_ACTIVE, false, false, 0, 0);
	struct lw_client_key k, back;
	uint8_t long_id[40];

	/* HWADDR: chaddr option = htype + chaddr, exactly. */
	memset(&k, 0, sizeof(k));
	k.kind = LW_KEY_HWADDR;
	k.len = sizeof(HW);
	memcpy(k.data, HW, sizeof(HW));
	cr_assert_eq(fo_binding_set_client(&b, &k, NULL, 0), 0);
	cr_expect_eq(b.client_id_len, 0);
	cr_assert_eq(b.chaddr_len, sizeof(HW));
	cr_expect_arr_eq(b.chaddr, HW, sizeof(HW));
	cr_assert_eq(fo_binding_client_key(&b, &back), 0);
	cr_expect_arr_eq(&back, &k, sizeof(k));

	/* CLIENT_ID: the option 61 payload; chaddr from the caller. */
	memset(&k, 0, sizeof(k));
	k.kind = LW_KEY_CLIENT_ID;
	k.len = sizeof(CID);
	memcpy(k.data, CID, sizeof(CID));
	cr_assert_eq(fo_binding_set_client(&b, &k, HW, sizeof(HW)), 0);
	cr_assert_eq(b.client_id_len, sizeof(CID));
	cr_expect_arr_eq(b.client_id, CID, sizeof(CID));
	cr_assert_eq(b.chaddr_len, sizeof(HW));
	cr_assert_eq(fo_binding_client_key(&b, &back), 0);
	cr_expect_arr_eq(&back, &k, sizeof(k));
	cr_assert_eq(fo_binding_set_client(&b, &k, NULL, 0), 0);
	cr_expect_eq(b.chaddr_len, 0);

	/* A long client-id from the peer gives the same digest key leasewire
	 * builds from a request. */
	for (unsigned i = 0; i < sizeof(long_id); i++)
		long_id[i] = (uint8_t)i;
	b.client_id_len = sizeof(long_id);
	memcpy(b.client_id, long_id, sizeof(long_id));
	cr_assert_eq(fo_binding_client_key(&b, &back), 0);
	cr_expect_eq(back.kind, LW_KEY_CLIENT_ID_DIGEST);
	cr_expect_eq(back.len, 8);
	cr_assert_eq(fo_binding_set_client(&b, &back, HW, sizeof(HW)), 0);
	cr_expect_eq(b.client_id_len, 0, "a digest cannot be sent");
	cr_expect_eq(b.chaddr_len, sizeof(HW));

	k.kind = LW_KEY_NONE;
	cr_assert_eq(fo_binding_set_client(&b, &k, HW, sizeof(HW)), 0);
	cr_expect_eq(b.chaddr_len + b.client_id_len, 0);
	cr_expect_eq(fo_binding_client_key(&b, &back), -ENOENT);
	cr_expect_eq(back.kind, LW_KEY_NONE);
	cr_expect_eq(fo_binding_set_client(&b, &k, HW, FO_CHADDR_MAX + 1), -EINVAL);
	k.kind = 9;
	cr_expect_eq(fo_binding_set_client(&b, &k, NULL, 0), -EINVAL);
}

/* ---- receive-side check: transition tables (4.4 step 5) --------------------- */

enum { ACC = 0, BAD = 2, LOST = 16 };
enum { P = FO_ROLE_PRIMARY, S = FO_ROLE_SECONDARY };

struct row {
	int role;
	bool normal;
	uint8_t local;
	uint32_t ends;
	uint8_t in;
	uint32_t tstp; /* incoming potential expiry */
	int want;
};

/* Times relative to NOW: due = <= now, late = > now. ends - 65 <= now. */
#define DUE	 NOW
#define LATE	 (NOW + 1)
#define ENDS_OK	 (NOW + 65)
#define ENDS_BAD (NOW + 66)

static const struct row rows[] = {
	/* NORMAL, my copy ACTIVE, I am primary: ACTIVE, RELEASED, ABANDONED only. */
	{P, true, FO_BS_ACTIVE, 0, FO_BS_ACTIVE, LATE, ACC},
	{P, true, FO_BS_ACTIVE, 0, FO_BS_RELEASED, DUE, ACC},
	{P, true, FO_BS_ACTIVE, 0, FO_BS_ABANDONED, DUE, ACC},
	{P, true, FO_BS_ACTIVE, 0, FO_BS_EXPIRED, DUE, BAD}, /* pitfall 10, [lab] */
	{P, true, FO_BS_ACTIVE, 0, FO_BS_FREE, DUE, BAD},
	{P, true, FO_BS_ACTIVE, 0, FO_BS_BACKUP, DUE, BAD},
	{P, true, FO_BS_ACTIVE, 0, FO_BS_RESET, DUE, BAD},
	/* NORMAL, ACTIVE, secondary: FREE/BACKUP need tstp <= now, EXPIRED the
	 * 65 s rule, anything else goes. */
	{S, true, FO_BS_ACTIVE, 0, FO_BS_FREE, DUE, ACC},
	{S, true, FO_BS_ACTIVE, 0, FO_BS_FREE, LATE, BAD},
	{S, true, FO_BS_ACTIVE, 0, FO_BS_BACKUP, DUE, ACC},
	{S, true, FO_BS_ACTIVE, 0, FO_BS_BACKUP, LATE, BAD},
	{S, true, FO_BS_ACTIVE, ENDS_OK, FO_BS_EXPIRED, LATE, ACC},
	{S, true, FO_BS_ACTIVE, ENDS_BAD, FO_BS_EXPIRED, DUE, BAD}, /* pitfall 11 */
	{S, true, FO_BS_ACTIVE, ENDS_BAD, FO_BS_ACTIVE, LATE, ACC},
	{S, true, FO_BS_ACTIVE, ENDS_BAD, FO_BS_RELEASED, LATE, ACC},
	{S, true, FO_BS_ACTIVE, ENDS_BAD, FO_BS_ABANDONED, LATE, ACC},
	{S, true, FO_BS_ACTIVE, ENDS_BAD, FO_BS_RESET, LATE, ACC},
	/* NORMAL, EXPIRED or RESET: FREE/BACKUP need tstp <= now. */
	{P, true, FO_BS_EXPIRED, 0, FO_BS_FREE, DUE, ACC},
	{P, true, FO_BS_EXPIRED, 0, FO_BS_FREE, LATE, BAD},
	{S, true, FO_BS_EXPIRED, 0, FO_BS_BACKUP, DUE, ACC},
	{S, true, FO_BS_EXPIRED, 0, FO_BS_BACKUP, LATE, BAD},
	{P, true, FO_BS_RESET, 0, FO_BS_BACKUP, LATE, BAD},
	{S, true, FO_BS_RESET, 0, FO_BS_FREE, LATE, BAD},
	{P, true, FO_BS_RESET, 0, FO_BS_FREE, DUE, ACC},
	{S, true, FO_BS_EXPIRED, ENDS_BAD, FO_BS_ACTIVE, LATE, ACC},
	{P, true, FO_BS_EXPIRED, ENDS_BAD, FO_BS_RELEASED, LATE, ACC},
	{S, true, FO_BS_RESET, ENDS_BAD, FO_BS_EXPIRED, LATE, ACC},
	{P, true, FO_BS_RESET, ENDS_BAD, FO_BS_ABANDONED, LATE, ACC},
	{S, true, FO_BS_EXPIRED, ENDS_BAD, FO_BS_RESET, LATE, ACC},
	/* Not NORMAL, ACTIVE: FREE/BACKUP refused even when due, EXPIRED 65 s. */
	{P, false, FO_BS_ACTIVE, 0, FO_BS_FREE, DUE, BAD},
	{S, false, FO_BS_ACTIVE, 0, FO_BS_BACKUP, DUE, BAD},
	{P, false, FO_BS_ACTIVE, ENDS_OK, FO_BS_EXPIRED, LATE, ACC},
	{S, false, FO_BS_ACTIVE, ENDS_BAD, FO_BS_EXPIRED, DUE, BAD},
	{P, false, FO_BS_ACTIVE, ENDS_BAD, FO_BS_RELEASED, LATE, ACC},
	{S, false, FO_BS_ACTIVE, ENDS_BAD, FO_BS_RESET, LATE, ACC},
	{P, false, FO_BS_ACTIVE, ENDS_BAD, FO_BS_ABANDONED, LATE, ACC},
	{S, false, FO_BS_ACTIVE, ENDS_BAD, FO_BS_ACTIVE, LATE, ACC},
	/* Not NORMAL, my copy not ACTIVE: anything, even with late times. */
	{P, false, FO_BS_EXPIRED, ENDS_BAD, FO_BS_FREE, LATE, ACC},
	{S, false, FO_BS_RESET, ENDS_BAD, FO_BS_BACKUP, LATE, ACC},
};

static struct fo_bnd_verdict judge(
	int role, bool normal, const struct fo_bnd_local *l, const struct fo_binding *in)
{
	struct fo_bnd_verdict v;

	cr_assert_eq(fo_bnd_check((enum fo_role)role, normal, l, in, NOW, &v), 0);
	return v;
}

static uint8_t stored(uint8_t in)
{
	return in == FO_BS_EXPIRED || in == FO_BS_RELEASED || in == FO_BS_RESET ? FO_BS_FREE : in;
}

Test(fo_bnd, transition_table_rows)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct fo_bnd_local l = {.bstate = r->local, .ends = r->ends};
		struct fo_binding in = binding(r->in, false, true, 0, 0);
		struct fo_bnd_verdict v;
		char msg[64];

		in.potential_expiry = r->tstp;
		v = judge(r->role, r->normal, &l, &in);
		cr_expect_eq(v.reason, r->want, "row %zu: %s %s, %s to %s", i,
			fo_role_name((enum fo_role)r->role), r->normal ? "normal" : "not normal",
			fo_bstate_name(r->local), fo_bstate_name(r->in));
		cr_expect_not(v.drop_pending);
		if (v.reason == BAD) {
			snprintf(msg, sizeof(msg), "invalid state transition: %s to %s",
				fo_bstate_name(r->local), fo_bstate_name(r->in));
			cr_expect_str_eq(v.message, msg);
		} else {
			cr_expect_eq(v.store, stored(r->in), "row %zu", i);
		}
	}
}

/* NORMAL, my copy FREE, ABANDONED, RELEASED or BACKUP: every update goes,
 * whatever the times, on both sides; not NORMAL and not ACTIVE: the same. */
Test(fo_bnd, transition_anything_goes)
{
	static const uint8_t open[] = {FO_BS_FREE, FO_BS_ABANDONED, FO_BS_RELEASED, FO_BS_BACKUP};
	unsigned n = 0;

	for (int role = P; role <= S; role++)
		for (uint8_t in = 1; in <= 7; in++) {
			struct fo_binding b = binding(in, false, true, 0, 0);
			b.potential_expiry = LATE;
			for (size_t i = 0; i < sizeof(open); i++) {
				struct fo_bnd_local l = {.bstate = open[i], .ends = ENDS_BAD};
				struct fo_bnd_verdict v = judge(role, true, &l, &b);
				cr_expect_eq(v.reason, ACC, "%s to %s", fo_bstate_name(open[i]),
					fo_bstate_name(in));
				cr_expect_eq(v.store, stored(in));
				n++;
			}
			for (uint8_t x = 1; x <= 7; x++) {
				struct fo_bnd_local l = {.bstate = x, .ends = ENDS_BAD};
				if (x == FO_BS_ACTIVE)
					continue;
				cr_expect_eq(judge(role, false, &l, &b).reason, ACC);
				n++;
			}
		}
	cr_expect_eq(n, 2 * 7 * (4 + 6));
}

/* EXPIRED, RELEASED, RESET are stored as FREE at once, on both sides. */
Test(fo_bnd, accepted_returns_store_free)
{
	for (int role = P; role <= S; role++)
		for (uint8_t in = 1; in <= 7; in++) {
			struct fo_bnd_local l = {.bstate = FO_BS_FREE};
			struct fo_binding b = binding(in, false, true, 0, 0);
			struct fo_bnd_verdict v = judge(role, true, &l, &b);
			cr_expect_eq(v.reason, ACC);
			cr_expect_eq(v.store,
				in == FO_BS_EXPIRED || in == FO_BS_RELEASED || in == FO_BS_RESET
					? FO_BS_FREE
					: in);
		}
}

/* ---- dueling updates (4.4 step 2) -------------------------------------------- */

static struct fo_bnd_verdict duel(
	int role, uint8_t mine, uint32_t my_cltt, uint8_t theirs, uint32_t their_cltt)
{
	/* A local copy that lets every transition through, so that only the
	 * duel decides. */
	struct fo_bnd_local l = {
		.bstate = FO_BS_FREE,
		.pending = true,
		.pending_bstate = mine,
		.pending_cltt = my_cltt,
	};
	struct fo_binding in = binding(theirs, false, true, their_cltt, 0);

	return judge(role, true, &l, &in);
}

static void expect_duel(
	int role, uint8_t mine, uint32_t my_cltt, uint8_t theirs, uint32_t their_cltt, bool i_win)
{
	struct fo_bnd_verdict v = duel(role, mine, my_cltt, theirs, their_cltt);
	const char *what = "dueling update";

	if (i_win) {
		cr_expect_eq(v.reason, LOST, "%s: %s mine %s vs %s", what,
			fo_role_name((enum fo_role)role), fo_bstate_name(mine),
			fo_bstate_name(theirs));
		cr_expect_not(v.drop_pending);
		cr_expect_str_eq(
			v.message, "incoming update is less critical than outgoing update");
	} else {
		cr_expect_eq(v.reason, ACC, "%s: %s mine %s vs %s", what,
			fo_role_name((enum fo_role)role), fo_bstate_name(mine),
			fo_bstate_name(theirs));
		cr_expect(v.drop_pending);
	}
}

Test(fo_bnd, dueling_active_vs_active_by_cltt)
{
	for (int role = P; role <= S; role++) {
		expect_duel(role, FO_BS_ACTIVE, NOW, FO_BS_ACTIVE, NOW + 1, false);
		expect_duel(role, FO_BS_ACTIVE, NOW, FO_BS_ACTIVE, NOW - 1, true);
		expect_duel(role, FO_BS_ACTIVE, NOW, FO_BS_ACTIVE, 0, true); /* no CLTT */
	}
	/* [lab] both ACKed the same REQUEST: same CLTT, the primary's copy wins. */
	expect_duel(P, FO_BS_ACTIVE, NOW, FO_BS_ACTIVE, NOW, true);
	expect_duel(S, FO_BS_ACTIVE, NOW, FO_BS_ACTIVE, NOW, false);
}

Test(fo_bnd, dueling_every_other_pair)
{
	for (int role = P; role <= S; role++)
		for (uint8_t mine = 1; mine <= 7; mine++)
			for (uint8_t theirs = 1; theirs <= 7; theirs++) {
				bool i_win;
				if (mine == FO_BS_ACTIVE && theirs == FO_BS_ACTIVE)
					continue;
				if (mine == FO_BS_ACTIVE && theirs == FO_BS_EXPIRED)
					i_win = false;
				else if (theirs == FO_BS_ACTIVE)
					i_win = false;
				else
					i_win = role == P;
				expect_duel(role, mine, NOW, theirs, NOW, i_win);
			}
}

/* The peer wins the duel but the transition is still refused: my update is
 * forgotten anyway (ISC dequeues it before the check). */
Test(fo_bnd, dueling_won_by_peer_then_refused)
{
	struct fo_bnd_local l = {
		.bstate = FO_BS_ACTIVE,
		.pending = true,
		.pending_bstate = FO_BS_ACTIVE,
		.pending_cltt = NOW,
	};
	struct fo_binding in = binding(FO_BS_EXPIRED, false, true, 0, 0);
	struct fo_bnd_verdict v = judge(P, true, &l, &in);

	cr_expect_eq(v.reason, BAD);
	cr_expect(v.drop_pending);
	cr_expect_str_eq(v.message, "invalid state transition: active to expired");
}

Test(fo_bnd, check_rejects_bad_input)
{
	struct fo_bnd_local l = {.bstate = FO_BS_FREE};
	struct fo_binding in = binding(FO_BS_ACTIVE, false, true, 0, 0);
	struct fo_bnd_verdict v;

	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, NULL, &in, NOW, &v), -EINVAL);
	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, &l, NULL, NOW, &v), -EINVAL);
	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, &l, &in, NOW, NULL), -EINVAL);
	l.bstate = 0;
	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, &l, &in, NOW, &v), -EINVAL);
	l.bstate = FO_BS_FREE;
	l.pending = true;
	l.pending_bstate = 9;
	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, &l, &in, NOW, &v), -EINVAL);
	l.pending = false;
	in.bstate = 8;
	cr_expect_eq(fo_bnd_check(FO_ROLE_PRIMARY, true, &l, &in, NOW, &v), -EINVAL);
}

/* ---- BNDACK outcomes (4.5) and MAC affinity (4.2) ---------------------------- */

Test(fo_bnd, bndack_outcomes)
{
	for (int role = P; role <= S; role++)
		for (uint8_t s = 1; s <= 7; s++) {
			struct fo_binding sent = binding(s, false, true, 0, 0);
			struct fo_bndack_outcome o;
			bool back = s == FO_BS_EXPIRED || s == FO_BS_RELEASED || s == FO_BS_RESET;

			cr_assert_eq(
				fo_bndack_accepted((enum fo_role)role, &sent, NULL, NOW, &o), 0);
			cr_expect_eq(o.bstate, back ? FO_BS_FREE : s, "%s", fo_bstate_name(s));
			cr_expect_eq(o.tsfp, sent.potential_expiry);
			cr_expect_not(o.affinity);
		}
	/* Secondary + RESERVED goes back to BACKUP. */
	struct fo_binding sent = binding(FO_BS_RELEASED, false, true, 0, FO_IPF_RESERVED);
	struct fo_bndack_outcome o;
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_SECONDARY, &sent, NULL, NOW, &o), 0);
	cr_expect_eq(o.bstate, FO_BS_BACKUP);
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, NULL, NOW, &o), 0);
	cr_expect_eq(o.bstate, FO_BS_FREE);

	sent.bstate = 0;
	cr_expect_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, NULL, NOW, &o), -EINVAL);
	cr_expect_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, NULL, NULL, NOW, &o), -EINVAL);
}

/* [lab] released .119, chaddr 01:02:00:00:00:00:01 (bucket 133, split 128:
 * the secondary's) -> the primary sends BNDUPD(backup) with the chaddr. */
Test(fo_bnd, mac_affinity)
{
	static const uint8_t mac2[7] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02}; /* 45: P */
	uint8_t hba[FO_HBA_LEN];
	struct fo_affinity aff = {.hba = hba, .free = 10, .backup = 10};
	struct fo_binding sent = binding(FO_BS_RELEASED, false, true, NOW - 3, 0);
	struct fo_bndack_outcome o;

	lb_hba_split(hba, 128);
	cr_assert_eq(lb_hash(HW + 1, 6), 133);
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_eq(o.bstate, FO_BS_FREE);
	cr_assert(o.affinity);
	cr_expect_eq(o.backup_update.bstate, FO_BS_BACKUP);
	cr_expect_eq(o.backup_update.addr, ADDR);
	cr_expect_eq(o.backup_update.potential_expiry, NOW);
	cr_expect_eq(o.backup_update.stos, NOW);
	cr_expect_eq(o.backup_update.lease_expiry, sent.lease_expiry);
	cr_assert_eq(o.backup_update.chaddr_len, sizeof(HW));
	cr_expect_arr_eq(o.backup_update.chaddr, HW, sizeof(HW));

	/* The update it asks for builds into a valid BNDUPD(backup). */
	struct fo_msg m;
	uint8_t buf[128];
	cr_assert_eq(fo_bndupd_build(&m, &o.backup_update, NOW, 3), 0);
	cr_expect_eq(encode(&m, buf, sizeof(buf)), 49 + 11);

	/* Secondary already holds more than its share. */
	aff.backup = 11;
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);
	aff.backup = 10;

	/* A client of the primary's half, the secondary, other states. */
	memcpy(sent.chaddr, mac2, sizeof(mac2));
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);
	memcpy(sent.chaddr, HW, sizeof(HW));
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_SECONDARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);
	sent.bstate = FO_BS_ACTIVE;
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);

	/* The client-identifier wins over chaddr (6.1): 01 02 00 00 00 10 03
	 * hashes to 88 (primary), 01 02 00 00 00 10 06 to 192 (secondary). */
	sent = binding(FO_BS_EXPIRED, true, true, 0, 0);
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);
	sent.client_id[6] = 0x06;
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect(o.affinity);
	cr_expect_eq(o.backup_update.client_id_len, sizeof(CID));

	/* No client known: nothing to be affine to. */
	sent = binding(FO_BS_RESET, false, false, 0, 0);
	cr_assert_eq(fo_bndack_accepted(FO_ROLE_PRIMARY, &sent, &aff, NOW, &o), 0);
	cr_expect_not(o.affinity);
}

/* ---- pool balancing (4.6) ---------------------------------------------------- */

static struct fo_balance balance(int role, uint32_t free, uint32_t backup)
{
	struct fo_balance b;

	cr_assert_eq(fo_pool_balance((enum fo_role)role, free, backup, 15, 10, &b), 0);
	return b;
}

Test(fo_bnd, pool_balance_lab_numbers)
{
	struct fo_balance b = balance(P, 40, 0);
	int32_t lts;
	unsigned moved = 0;

	/* [lab] new pair, 40 addresses: lts 20, thresh 6, hold 4; 20 moved. */
	cr_expect_eq(b.lts, 20);
	cr_expect_eq(b.thresh, 6);
	cr_expect_eq(b.hold, 4);
	cr_expect_eq(b.move_to, FO_BS_BACKUP);
	cr_expect_eq(b.pass1, 24);
	cr_expect_not(b.poolreq);
	/* Pass 1 finds no peer-hashing lease (never used); pass 2 moves the
	 * never-used ones until lts <= 0. */
	lts = b.lts;
	for (unsigned i = 0; i < 40; i++)
		if (fo_pool_pass2(lts, b.hold, false)) {
			lts--;
			moved++;
		}
	cr_expect_eq(moved, 20);
	cr_expect_eq(lts, 0);

	/* [lab] total 20 -> thresh 3, hold 2. */
	b = balance(S, 10, 10);
	cr_expect_eq(b.lts, 0);
	cr_expect_eq(b.thresh, 3);
	cr_expect_eq(b.hold, 2);
	cr_expect_eq(b.move_to, FO_BS_FREE);
	cr_expect_eq(b.pass1, 2, "pass 1 goes on until lts <= -hold");
}

Test(fo_bnd, pool_balance_sides_and_passes)
{
	struct fo_balance b;

	/* The secondary with a surplus of BACKUP sends FREE. */
	b = balance(S, 4, 36);
	cr_expect_eq(b.lts, 16);
	cr_expect_eq(b.move_to, FO_BS_FREE);
	/* Integer division truncates toward zero, as in C (and ISC). */
	b = balance(P, 0, 3);
	cr_expect_eq(b.lts, -1);
	b = balance(P, 3, 0);
	cr_expect_eq(b.lts, 1);
	/* lts far below -hold: pass 1 moves nothing. */
	b = balance(P, 0, 40);
	cr_expect_eq(b.lts, -20);
	cr_expect_eq(b.pass1, 0);

	/* Pass 2: used leases only while lts > hold. */
	cr_expect(fo_pool_pass2(5, 4, true));
	cr_expect_not(fo_pool_pass2(4, 4, true));
	cr_expect(fo_pool_pass2(1, 4, false));
	cr_expect_not(fo_pool_pass2(0, 4, false));

	cr_expect_eq(fo_pool_balance(FO_ROLE_PRIMARY, 1, 1, 101, 10, &b), -EINVAL);
	cr_expect_eq(fo_pool_balance(FO_ROLE_PRIMARY, 1, 1, 15, 101, &b), -EINVAL);
	cr_expect_eq(fo_pool_balance(FO_ROLE_PRIMARY, 1, 1, 15, 10, NULL), -EINVAL);
	cr_expect_eq(fo_pool_balance(FO_ROLE_PRIMARY, UINT32_MAX, 1, 15, 10, &b), -EINVAL);
}

Test(fo_bnd, poolreq_trigger)
{
	struct fo_balance b;

	/* thresh 3 (total 20): POOLREQ when lts < -6. */
	b = balance(P, 4, 16); /* lts -6 */
	cr_expect_eq(b.thresh, 3);
	cr_expect_eq(b.lts, -6);
	cr_expect_not(b.poolreq);
	b = balance(P, 3, 17); /* lts -7 */
	cr_expect_eq(b.lts, -7);
	cr_expect(b.poolreq);
	b = balance(S, 17, 3);
	cr_expect_eq(b.lts, -7);
	cr_expect(b.poolreq);
	/* A fresh secondary (all FREE): -20 < -12. */
	b = balance(S, 40, 0);
	cr_expect(b.poolreq);

	/* thresh 0: POOLREQ when lts < -1. */
	cr_assert_eq(fo_pool_balance(FO_ROLE_SECONDARY, 2, 0, 0, 10, &b), 0);
	cr_expect_eq(b.thresh, 0);
	cr_expect_eq(b.lts, -1);
	cr_expect_not(b.poolreq);
	cr_assert_eq(fo_pool_balance(FO_ROLE_SECONDARY, 4, 0, 0, 10, &b), 0);
	cr_expect_eq(b.lts, -2);
	cr_expect(b.poolreq);
	/* thresh rounds: 3 leases x 15 % = 0.45 -> 0. */
	cr_assert_eq(fo_pool_balance(FO_ROLE_SECONDARY, 3, 0, 15, 10, &b), 0);
	cr_expect_eq(b.thresh, 0);
	cr_expect_eq(b.lts, -1);
	cr_expect_not(b.poolreq);
}

Test(fo_bnd, balance_schedule)
{
	struct fo_balance_sched s = {
		.now = NOW,
		.last = NOW - 1000,
		.min_balance = 60,
		.max_balance = 3600,
		.misbalance_pct = 15,
	};

	/* Both pools empty: max-balance. */
	cr_expect_eq(fo_balance_next(&s), NOW + 3600);
	/* Oldest peer lease 1000 s old: 150 s. */
	s.peer_oldest_age = 1000;
	cr_expect_eq(fo_balance_next(&s), NOW + 150);
	/* Own side counts double: 15 % x 400 x 2 = 120 < 150. */
	s.own_oldest_age = 400;
	cr_expect_eq(fo_balance_next(&s), NOW + 120);
	/* Capped by max-balance. */
	s.own_oldest_age = 100000;
	s.peer_oldest_age = 100000;
	cr_expect_eq(fo_balance_next(&s), NOW + 3600);
	/* Not before last + min-balance. */
	s.own_oldest_age = 10;
	s.peer_oldest_age = 0;
	s.last = NOW - 10;
	cr_expect_eq(fo_balance_next(&s), NOW + 50);
	/* Jitter on top. */
	s.jitter = 4;
	cr_expect_eq(fo_balance_next(&s), NOW + 54);
	/* No wrap near 2^32. */
	s.now = UINT32_MAX - 10;
	s.last = 0;
	s.own_oldest_age = 0;
	cr_expect_eq(fo_balance_next(&s), UINT32_MAX);
}

/* ---- who may hand out an address (4.3) ------------------------------------- */

Test(fo_bnd, may_allocate)
{
	const uint32_t stos = NOW - 1000, mclt = 60;
	enum fo_state N = FO_STATE_NORMAL, CI = FO_STATE_COMM_INTERRUPTED,
		      PD = FO_STATE_PARTNER_DOWN;

	cr_expect(
		fo_bnd_may_allocate(N, N, FO_ROLE_PRIMARY, FO_BS_FREE, false, NOW, stos, 0, mclt));
	cr_expect(fo_bnd_may_allocate(
		N, N, FO_ROLE_PRIMARY, FO_BS_ABANDONED, false, NOW, stos, 0, mclt));
	cr_expect_not(fo_bnd_may_allocate(
		N, N, FO_ROLE_PRIMARY, FO_BS_BACKUP, false, NOW, stos, 0, mclt));
	cr_expect(fo_bnd_may_allocate(
		N, N, FO_ROLE_SECONDARY, FO_BS_BACKUP, false, NOW, stos, 0, mclt));
	cr_expect_not(fo_bnd_may_allocate(
		N, N, FO_ROLE_SECONDARY, FO_BS_FREE, false, NOW, stos, 0, mclt));
	/* PARTNER-DOWN, tsfp + MCLT passed: everything but ACTIVE. */
	for (uint8_t s = 1; s <= 7; s++)
		cr_expect_eq(fo_bnd_may_allocate(
				     PD, CI, FO_ROLE_PRIMARY, s, true, NOW, stos, NOW - 61, mclt),
			s != FO_BS_ACTIVE, "%s in partner-down", fo_bstate_name(s));
	/* The peer's pool waits for tsfp + MCLT; RESET only for tsfp. */
	cr_expect_not(fo_bnd_may_allocate(
		PD, CI, FO_ROLE_PRIMARY, FO_BS_BACKUP, false, NOW, stos, NOW - 60, mclt));
	cr_expect(fo_bnd_may_allocate(
		PD, CI, FO_ROLE_PRIMARY, FO_BS_RESET, false, NOW, stos, NOW - 60, mclt));
	/* ACTIVE never. */
	cr_expect_not(fo_bnd_may_allocate(
		PD, CI, FO_ROLE_PRIMARY, FO_BS_ACTIVE, true, NOW, stos, 0, mclt));
	/* EXPIRED rewindable while COMM-INT: own pool. */
	cr_expect(fo_bnd_may_allocate(
		CI, FO_STATE_UNKNOWN, FO_ROLE_PRIMARY, FO_BS_EXPIRED, true, NOW, stos, 0, mclt));
	cr_expect_not(fo_bnd_may_allocate(
		CI, FO_STATE_UNKNOWN, FO_ROLE_PRIMARY, FO_BS_EXPIRED, false, NOW, stos, 0, mclt));
	cr_expect_not(fo_bnd_may_allocate(
		N, N, FO_ROLE_PRIMARY, FO_BS_RELEASED, true, NOW, stos, 0, mclt));
	/* RESET: PARTNER-DOWN and tsfp < now. */
	cr_expect_not(fo_bnd_may_allocate(
		PD, CI, FO_ROLE_PRIMARY, FO_BS_RESET, false, NOW, stos, NOW, mclt));
	cr_expect(fo_bnd_may_allocate(
		PD, CI, FO_ROLE_SECONDARY, FO_BS_RESET, false, NOW, stos, NOW - 1, mclt));
	cr_expect_not(fo_bnd_may_allocate(
		CI, N, FO_ROLE_PRIMARY, FO_BS_RESET, false, NOW, stos, NOW - 1, mclt));
}

/* ---- the real ISC capture ---------------------------------------------------- */

/* Per TCP flow on port 647: its segments, to be put in sequence order. */
struct seg {
	uint32_t seq;
	uint32_t len;
	const uint8_t *p;
};

struct stream {
	uint32_t key[3]; /* saddr, daddr, ports */
	uint32_t isn;
	bool syn;
	unsigned n;
	struct seg segs[512];
};

static struct stream streams[8];
static unsigned nstreams;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t host32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static void packet(const uint8_t *p, uint32_t len)
{
	const uint8_t *ip = p + 14, *tcp;
	uint32_t ihl, total, thl, key[3];
	struct stream *s = NULL;

	if (len < 54 || get16(p + 12) != 0x0800 || ip[9] != 6)
		return;
	ihl = (ip[0] & 15u) * 4;
	total = get16(ip + 2);
	if (ihl < 20 || total > len - 14 || total < ihl + 20)
		return;
	tcp = ip + ihl;
	thl = (uint32_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || ihl + thl > total || (get16(tcp) != 647 && get16(tcp + 2) != 647))
		return;
	key[0] = get32(ip + 12);
	key[1] = get32(ip + 16);
	key[2] = get32(tcp);
	for (unsigned i = 0; i < nstreams && !s; i++)
		if (!memcmp(streams[i].key, key, sizeof(key)))
			s = &streams[i];
	if (!s) {
		cr_assert_lt(nstreams, 8);
		s = &streams[nstreams++];
		memcpy(s->key, key, sizeof(key));
	}
	if (tcp[13] & 0x02) {
		s->isn = get32(tcp + 4) + 1;
		s->syn = true;
	}
	if (total == ihl + thl)
		return;
	cr_assert_lt(s->n, 512);
	s->segs[s->n++] = (struct seg){get32(tcp + 4), total - ihl - thl, tcp + thl};
}

static void load_capture(const uint8_t *f, size_t n)
{
	uint32_t magic;

	cr_assert_geq(n, 24);
	memcpy(&magic, f, 4);
	if (magic == 0x0a0d0d0a) { /* pcapng */
		bool swap = false;
		for (size_t off = 0; off + 12 <= n;) {
			uint32_t type = host32(f + off, swap), blen;
			if (type == 0x0a0d0d0a)
				swap = host32(f + off + 8, false) != 0x1a2b3c4d;
			blen = host32(f + off + 4, swap);
			cr_assert(blen >= 12 && off + blen <= n);
			if (type == 6)
				packet(f + off + 28, host32(f + off + 20, swap));
			off += blen;
		}
		return;
	}
	bool swap = magic == 0xd4c3b2a1;
	cr_assert(swap || magic == 0xa1b2c3d4, "unsupported capture format");
	for (size_t off = 24; off + 16 <= n;) {
		uint32_t caplen = host32(f + off + 8, swap);
		cr_assert_leq(off + 16 + caplen, n);
		packet(f + off + 16, caplen);
		off += 16 + caplen;
	}
}

/* Stream bytes in sequence order; repeated bytes (retransmits) skipped. */
static size_t stream_bytes(struct stream *s, uint8_t *out, size_t cap)
{
	uint32_t base = s->syn ? s->isn : s->segs[0].seq;
	size_t have = 0;
	bool moved = true;

	/* Segments are few: pick the next one in order until none fits. */
	while (moved) {
		moved = false;
		for (unsigned i = 0; i < s->n; i++) {
			size_t rel = s->segs[i].seq - base, end = rel + s->segs[i].len;
			if (rel > have || end <= have)
				continue;
			cr_assert_leq(end, cap);
			memcpy(out + have, s->segs[i].p + (have - rel), end - have);
			have = end;
			moved = true;
		}
	}
	return have;
}

static const char *capture_path(char *buf, size_t cap)
{
	const char *root = getenv("LW_SOURCE_ROOT");
	char *slash;

	if (root) {
		snprintf(buf, cap, "%s/tests/failover/isc-failover-pair.pcap", root);
		return buf;
	}
	snprintf(buf, cap, "%s", __FILE__);
	slash = strrchr(buf, '/');
	cr_assert_not_null(slash);
	snprintf(slash, cap - (size_t)(slash - buf), "/isc-failover-pair.pcap");
	return buf;
}

Test(fo_bnd, isc_capture_bndupd_and_bndack_rebuild_byte_for_byte)
{
	static uint8_t file[1 << 20], data[1 << 18];
	char path[1024];
	unsigned bndupd = 0, bndack = 0, rejects = 0, by_state[8] = {0};
	FILE *fp = fopen(capture_path(path, sizeof(path)), "rb");
	size_t n;

	cr_assert_not_null(fp, "%s", path);
	n = fread(file, 1, sizeof(file), fp);
	fclose(fp);
	nstreams = 0;
	load_capture(file, n);
	cr_assert_gt(nstreams, 0);

	for (unsigned i = 0; i < nstreams; i++) {
		size_t len = stream_bytes(&streams[i], data, sizeof(data));
		for (size_t off = 0; off < len;) {
			struct fo_msg m, again;
			struct fo_binding b;
			uint8_t buf[FO_MSG_MAX_LEN];
			const char *why;
			int rc = fo_msg_decode(data + off, len - off, &m), k;

			cr_assert_gt(rc, 0, "stream %u at %zu: %s", i, off, fo_strerror(rc));
			if (m.type == FO_MSG_BNDUPD) {
				cr_assert_eq(fo_bndupd_parse(&m, &b, &why), 0, "%s", why);
				cr_assert_eq(fo_bndupd_build(&again, &b, m.time, m.xid), 0);
				k = encode(&again, buf, sizeof(buf));
				cr_assert_eq(k, rc, "BNDUPD %s size", fo_bstate_name(b.bstate));
				cr_expect_arr_eq(buf, data + off, (size_t)rc, "BNDUPD at %zu", off);
				by_state[b.bstate]++;
				bndupd++;
			} else if (m.type == FO_MSG_BNDACK) {
				/* The default text of 16 is ISC's message. */
				cr_assert_eq(fo_bndack_build(&again, m.assigned_ip, m.time, m.xid,
						     m.reject_reason, NULL),
					0);
				k = encode(&again, buf, sizeof(buf));
				cr_assert_eq(k, rc, "BNDACK size");
				cr_expect_arr_eq(buf, data + off, (size_t)rc, "BNDACK at %zu", off);
				rejects += m.reject_reason != 0;
				bndack++;
			}
			off += (size_t)rc;
		}
	}
	cr_log_info("capture: %u BNDUPD, %u BNDACK (%u rejects)", bndupd, bndack, rejects);
	for (unsigned s = 1; s <= 7; s++)
		if (by_state[s])
			cr_log_info("  %-9s %u", fo_bstate_name(s), by_state[s]);
	cr_expect_gt(bndupd, 0);
	cr_expect_gt(bndack, 0);
	cr_expect_gt(by_state[FO_BS_ACTIVE], 0);
}

/* ---- messages for test_fo_tshark.sh ----------------------------------------- */

static FILE *dump;

static void put(const struct fo_msg *m)
{
	uint8_t buf[FO_MSG_MAX_LEN];
	int n = encode(m, buf, sizeof(buf));

	cr_assert_eq(fwrite(buf, 1, (size_t)n, dump), (size_t)n);
}

static void bare_msg(uint8_t type, uint32_t xid)
{
	struct fo_msg m;

	fo_msg_init(&m, type, NOW, xid);
	put(&m);
}

/* One of every message leasewire sends (FAILOVER.md 1.3, 7.1). */
Test(fo_bnd, dump_messages)
{
	static const char name[] = "fo-lab", vendor[] = "leasewire";
	const char *path = getenv("LW_FO_DUMP");
	struct fo_msg m;
	uint32_t xid = 1;

	if (!path)
		cr_skip_test("LW_FO_DUMP not set");
	dump = fopen(path, "wb");
	cr_assert_not_null(dump, "%s", path);

	fo_msg_init(&m, FO_MSG_CONNECT, NOW, 0);
	m.relationship_name = (struct fo_bytes){(const uint8_t *)name, 6};
	m.max_unacked = 10;
	m.receive_timer = 30;
	m.vendor_class = (struct fo_bytes){(const uint8_t *)vendor, 9};
	m.protocol_version = 1;
	m.tls_request = 0;
	m.mclt = 60;
	lb_hba_split(m.hba, 128);
	static const uint8_t connect_order[] = {FO_OPT_RELATIONSHIP_NAME, FO_OPT_MAX_UNACKED,
		FO_OPT_RECEIVE_TIMER, FO_OPT_VENDOR_CLASS, FO_OPT_PROTOCOL_VERSION,
		FO_OPT_TLS_REQUEST, FO_OPT_MCLT, FO_OPT_HBA};
	for (size_t i = 0; i < sizeof(connect_order); i++)
		fo_msg_add(&m, connect_order[i]);
	put(&m);

	fo_msg_init(&m, FO_MSG_CONNECTACK, NOW, 0);
	m.relationship_name = (struct fo_bytes){(const uint8_t *)name, 6};
	m.max_unacked = 10;
	m.receive_timer = 30;
	m.vendor_class = (struct fo_bytes){(const uint8_t *)vendor, 9};
	m.protocol_version = 1;
	static const uint8_t ack_order[] = {FO_OPT_RELATIONSHIP_NAME, FO_OPT_MAX_UNACKED,
		FO_OPT_RECEIVE_TIMER, FO_OPT_VENDOR_CLASS, FO_OPT_PROTOCOL_VERSION,
		FO_OPT_TLS_REPLY};
	for (size_t i = 0; i < sizeof(ack_order); i++)
		fo_msg_add(&m, ack_order[i]);
	put(&m);
	static const char too_far[] = "time offset too large";
	m.reject_reason = 4;
	m.message = (struct fo_bytes){(const uint8_t *)too_far, sizeof(too_far) - 1};
	fo_msg_add(&m, FO_OPT_REJECT_REASON);
	fo_msg_add(&m, FO_OPT_MESSAGE);
	put(&m);

	fo_msg_init(&m, FO_MSG_STATE, NOW, xid++);
	m.server_state = FO_STATE_NORMAL;
	m.server_flags = FO_SF_STARTUP;
	m.stos = NOW - 100;
	fo_msg_add(&m, FO_OPT_SERVER_STATE);
	fo_msg_add(&m, FO_OPT_SERVER_FLAGS);
	fo_msg_add(&m, FO_OPT_STOS);
	put(&m);

	for (uint8_t s = 1; s <= 7; s++)
		for (int cid = 0; cid <= 1; cid++) {
			struct fo_binding b = binding(s, cid, true, cid ? NOW - 1 : 0,
				s == FO_BS_ACTIVE && cid ? FO_IPF_BOOTP : 0);
			cr_assert_eq(fo_bndupd_build(&m, &b, NOW, xid++), 0);
			put(&m);
		}
	cr_assert_eq(fo_bndack_build(&m, ADDR, NOW, 2, 0, NULL), 0);
	put(&m);
	cr_assert_eq(fo_bndack_build(&m, ADDR, NOW, 3, 16, NULL), 0);
	put(&m);
	cr_assert_eq(
		fo_bndack_build(&m, ADDR, NOW, 4, 2, "invalid state transition: active to expired"),
		0);
	put(&m);

	bare_msg(FO_MSG_UPDREQ, xid++);
	bare_msg(FO_MSG_UPDREQALL, xid++);
	bare_msg(FO_MSG_UPDDONE, 5);
	bare_msg(FO_MSG_POOLREQ, xid++);
	fo_msg_init(&m, FO_MSG_POOLRESP, NOW, 6);
	m.addresses_transferred = 20;
	fo_msg_add(&m, FO_OPT_ADDRESSES_TRANSFERRED);
	put(&m);
	bare_msg(FO_MSG_CONTACT, xid++);
	fo_msg_init(&m, FO_MSG_DISCONNECT, NOW, xid++);
	static const char bye[] = "shutting down";
	m.reject_reason = 6;
	m.message = (struct fo_bytes){(const uint8_t *)bye, sizeof(bye) - 1};
	fo_msg_add(&m, FO_OPT_REJECT_REASON);
	fo_msg_add(&m, FO_OPT_MESSAGE);
	put(&m);

	cr_assert_eq(fclose(dump), 0);
}
