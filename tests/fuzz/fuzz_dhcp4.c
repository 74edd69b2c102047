/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target for the DHCPv4 codec.
 *
 * Each input is parsed as a request. When it parses, a reply is built the
 * way the dataplane builds it: over the request's own bytes, echoing the
 * client identifier and the relay agent information. The reply is then fed
 * back to the parser as a request. Invariants checked (abort on failure):
 *
 *  - the parser returns 0 or one of its documented codes, and the same
 *    answer whatever the struct held before (it must not read stale fields);
 *  - a parsed message is self-consistent (op, hlen, type, has-bits, sizes);
 *  - the reply is between BOOTP_MIN_LEN and the buffer's size, ends its
 *    options with END, and builds byte-for-byte the same into any smaller
 *    buffer, or fails there with LW_E_NOSPACE without writing past it;
 *  - the reply, with op set back to BOOTREQUEST, parses and gives back every
 *    field it echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dhcp4.h"
#include "common/lw_err.h"
#include "tests/fuzz/fuzz_check.h"

#define REPLY_CAP 1500 /* an Ethernet MTU: the largest request the dataplane sees */

/* Has-bits that the echoed options (55, 61, 82) carry back in the reply. */
#define ECHOED_HAS (DHCP4_HAS_PRL | DHCP4_HAS_CLIENT_ID | DHCP4_HAS_AGENT_INFO)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int documented(int rc)
{
	switch (rc) {
	case 0:
	case LW_E_TRUNC:
	case LW_E_OP:
	case LW_E_HLEN:
	case LW_E_COOKIE:
	case LW_E_OPTLEN:
	case LW_E_OPTSIZE:
	case LW_E_OVERLOAD:
	case LW_E_TOOLONG:
	case LW_E_NOTYPE:
		return 1;
	}
	return 0;
}

/* Compares what dhcp4.h says is meaningful: the has-bits gate each field. */
static int same_msg(const struct dhcp4_msg *a, const struct dhcp4_msg *b)
{
	if (a->op != b->op || a->htype != b->htype || a->hlen != b->hlen || a->hops != b->hops ||
		a->xid != b->xid || a->secs != b->secs || a->flags != b->flags ||
		a->ciaddr != b->ciaddr || a->yiaddr != b->yiaddr || a->siaddr != b->siaddr ||
		a->giaddr != b->giaddr || memcmp(a->chaddr, b->chaddr, sizeof(a->chaddr)) ||
		a->msg_type != b->msg_type || a->overload != b->overload || a->has != b->has)
		return 0;
	if ((a->has & DHCP4_HAS_REQUESTED_IP) && a->requested_ip != b->requested_ip)
		return 0;
	if ((a->has & DHCP4_HAS_LEASE_TIME) && a->lease_time != b->lease_time)
		return 0;
	if ((a->has & DHCP4_HAS_SERVER_ID) && a->server_id != b->server_id)
		return 0;
	if ((a->has & DHCP4_HAS_MAX_MSG_SIZE) && a->max_msg_size != b->max_msg_size)
		return 0;
	if ((a->has & DHCP4_HAS_LINK_SELECTION) && a->link_selection != b->link_selection)
		return 0;
	if ((a->has & DHCP4_HAS_SUBNET_SELECTION) && a->subnet_selection != b->subnet_selection)
		return 0;
	if (a->client_id_len != b->client_id_len || a->prl_len != b->prl_len ||
		a->agent_info_len != b->agent_info_len)
		return 0;
	return !memcmp(a->client_id, b->client_id, a->client_id_len) &&
	       !memcmp(a->prl, b->prl, a->prl_len) &&
	       !memcmp(a->agent_info, b->agent_info, a->agent_info_len);
}

static void check_msg(const struct dhcp4_msg *m)
{
	CHECK(m->op == BOOTP_REQUEST);
	CHECK(m->hlen <= sizeof(m->chaddr));
	CHECK(m->msg_type != 0);
	CHECK(m->has < (DHCP4_HAS_OVERLOAD << 1));
	CHECK(m->overload <= 3);
	CHECK(!!m->overload == !!(m->has & DHCP4_HAS_OVERLOAD));
	CHECK(!(m->has & DHCP4_HAS_LINK_SELECTION) || (m->has & DHCP4_HAS_AGENT_INFO));
	CHECK(!(m->has & DHCP4_HAS_CLIENT_ID) || m->client_id_len >= 2);
	CHECK((m->has & DHCP4_HAS_CLIENT_ID) || m->client_id_len == 0);
	CHECK((m->has & DHCP4_HAS_PRL) || m->prl_len == 0);
	CHECK((m->has & DHCP4_HAS_AGENT_INFO) || m->agent_info_len == 0);
}

/* The dataplane's reply, reduced to what the codec can check. */
static int build(uint8_t *buf, size_t cap, const struct dhcp4_msg *m)
{
	struct lw_wcur w;

	lw_wcur_init(&w, buf, cap);
	dhcp4_reply_header(&w, m, DHCP4_ACK, 0x0a000064, 0x0a000001);
	dhcp4_put_opt_u32(&w, DHCP4_OPT_SERVER_ID, 0x0a000001);
	if (m->has & DHCP4_HAS_PRL)
		dhcp4_put_opt(&w, DHCP4_OPT_PRL, m->prl, m->prl_len);
	if (m->has & DHCP4_HAS_CLIENT_ID)
		dhcp4_put_opt(&w, DHCP4_OPT_CLIENT_ID, m->client_id, m->client_id_len);
	if (m->has & DHCP4_HAS_AGENT_INFO)
		dhcp4_put_opt(&w, DHCP4_OPT_AGENT_INFO, m->agent_info, m->agent_info_len);
	return dhcp4_reply_finish(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[REPLY_CAP];
	struct dhcp4_msg m, again, back;
	size_t opts_end, small_cap;
	uint8_t *small;
	int rc, len, small_len;

	/* data is exactly size bytes on the heap: ASan reports any overread. */
	memset(&m, 0x00, sizeof(m));
	rc = dhcp4_parse(data, size, &m);
	CHECK(documented(rc));

	memset(&again, 0xff, sizeof(again));
	CHECK(dhcp4_parse(data, size, &again) == rc);
	if (rc < 0)
		return 0;
	check_msg(&m);
	CHECK(same_msg(&m, &again));
	if (size > sizeof(buf))
		return 0;

	/* The reply overwrites the copy it was parsed from, as in an mbuf. */
	memcpy(buf, data, size);
	CHECK(dhcp4_parse(buf, size, &again) == 0);
	len = build(buf, sizeof(buf), &again);
	CHECK(len >= BOOTP_MIN_LEN && len <= (int)sizeof(buf));
	opts_end = DHCP4_OPT_OFFSET + 3 + 6;
	if (m.has & DHCP4_HAS_PRL)
		opts_end += 2u + m.prl_len;
	if (m.has & DHCP4_HAS_CLIENT_ID)
		opts_end += 2u + m.client_id_len;
	if (m.has & DHCP4_HAS_AGENT_INFO)
		opts_end += 2u + m.agent_info_len;
	CHECK(buf[opts_end] == DHCP4_OPT_END);
	CHECK(len == (int)(opts_end + 1 > BOOTP_MIN_LEN ? opts_end + 1 : BOOTP_MIN_LEN));
	for (size_t i = opts_end + 1; i < (size_t)len; i++)
		CHECK(buf[i] == 0);

	/* Same reply into an exact-size heap buffer picked by the input. */
	small_cap = (size * 7 + data[size / 2]) % (size_t)(len + 8);
	small = malloc(small_cap ? small_cap : 1);
	CHECK(small != NULL);
	small_len = build(small, small_cap, &m);
	if (small_cap >= (size_t)len)
		CHECK(small_len == len && !memcmp(small, buf, (size_t)len));
	else
		CHECK(small_len == LW_E_NOSPACE);
	free(small);

	/* Read back as a request: every echoed field survives. */
	buf[0] = BOOTP_REQUEST;
	memset(&back, 0xa5, sizeof(back));
	CHECK(dhcp4_parse(buf, (size_t)len, &back) == 0);
	check_msg(&back);
	CHECK(back.htype == m.htype && back.hlen == m.hlen && back.hops == 0);
	CHECK(back.xid == m.xid && back.secs == 0 && back.flags == m.flags);
	CHECK(back.ciaddr == m.ciaddr && back.giaddr == m.giaddr);
	CHECK(back.yiaddr == 0x0a000064 && back.siaddr == 0x0a000001);
	CHECK(!memcmp(back.chaddr, m.chaddr, sizeof(m.chaddr)));
	CHECK(back.msg_type == DHCP4_ACK && back.overload == 0);
	CHECK(back.has ==
		(DHCP4_HAS_SERVER_ID | (m.has & (ECHOED_HAS | DHCP4_HAS_LINK_SELECTION))));
	CHECK(back.server_id == 0x0a000001);
	CHECK(back.prl_len == m.prl_len && !memcmp(back.prl, m.prl, m.prl_len));
	CHECK(back.client_id_len == m.client_id_len &&
		!memcmp(back.client_id, m.client_id, m.client_id_len));
	CHECK(back.agent_info_len == m.agent_info_len &&
		!memcmp(back.agent_info, m.agent_info, m.agent_info_len));
	CHECK(!(m.has & DHCP4_HAS_LINK_SELECTION) || back.link_selection == m.link_selection);
	return 0;
}
