/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target for the failover wire codec (failover/fo_wire.h).
 *
 * Each input is decoded as one failover message. Invariants checked (abort
 * on failure):
 *
 *  - decode returns the message length (12..2048, at most the input size)
 *    or one of the documented FO_E_* codes;
 *  - a decoded message encodes again; when nothing was skipped the bytes
 *    are the input's, byte for byte;
 *  - the encoding decodes to the same header, option order and values;
 *  - a BNDUPD goes through the binding-update rules (failover/fo_bnd.h) as
 *    control takes it from the peer: parsed (0 or a reject reason), judged
 *    against every local binding-status in both roles, and built again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_err.h"
#include "failover/fo_bnd.h"
#include "failover/fo_wire.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int documented(int rc)
{
	switch (rc) {
#define FO_ERR_CASE(name, val, text)                                                               \
	case val:                                                                                  \
		return 1;
		FO_ERRORS(FO_ERR_CASE)
#undef FO_ERR_CASE
	}
	return 0;
}

static int same_bytes(struct fo_bytes a, struct fo_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* A peer's BNDUPD through the rules control applies to it. */
static void bndupd(const struct fo_msg *m)
{
	static uint8_t out[FO_MSG_MAX_LEN];
	struct fo_binding b;
	struct fo_msg r;
	struct lw_client_key k;
	const char *why = NULL;
	int rc = fo_bndupd_parse(m, &b, &why);

	CHECK(rc == 0 || rc == 3 || rc == 6);
	CHECK((rc == 0) == (why == NULL));
	if (rc != 0)
		return;
	CHECK(fo_bstate_valid(b.bstate));
	for (unsigned role = 0; role < 2; role++)
		for (unsigned st = FO_BS_FREE; st <= FO_BS_BACKUP; st++) {
			struct fo_bnd_local loc = {.bstate = (uint8_t)st,
				.ends = m->time,
				.pending = st & 1,
				.pending_bstate = (uint8_t)st,
				.pending_cltt = m->xid};
			struct fo_bnd_verdict v;

			CHECK(fo_bnd_check((enum fo_role)role, st & 2, &loc, &b, m->time, &v) == 0);
			CHECK(v.reason == 0 || v.reason == 2 || v.reason == 16);
			CHECK(v.reason != 0 || fo_bstate_valid(v.store));
		}
	rc = fo_binding_client_key(&b, &k);
	CHECK(rc == 0 || rc == -ENOENT);
	CHECK(fo_bndupd_build(&r, &b, m->time, m->xid ? m->xid : 1) == 0);
	CHECK(fo_msg_encode(&r, out, sizeof(out)) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FO_MSG_MAX_LEN];
	struct fo_msg m, d;
	int n, e, rc;

	n = fo_msg_decode(data, size, &m);
	if (n < 0) {
		CHECK(documented(n));
		return 0;
	}
	CHECK(n >= FO_HDR_LEN && n <= FO_MSG_MAX_LEN && (size_t)n <= size);
	CHECK(m.len == n);

	e = fo_msg_encode(&m, out, sizeof(out));
	CHECK(e > 0);
	if (m.skipped == 0) {
		CHECK(e == n);
		CHECK(memcmp(out, data, (size_t)n) == 0);
	} else {
		CHECK(e < n);
	}
	/* Every shorter buffer fails cleanly. */
	CHECK(fo_msg_encode(&m, out, (size_t)e - 1) == LW_E_NOSPACE);
	e = fo_msg_encode(&m, out, sizeof(out));

	rc = fo_msg_decode(out, (size_t)e, &d);
	CHECK(rc == e);
	CHECK(d.skipped == 0);
	CHECK(d.type == m.type && d.payoff == m.payoff && d.time == m.time && d.xid == m.xid);
	CHECK(d.present == m.present && d.n_order == m.n_order);
	CHECK(memcmp(d.order, m.order, m.n_order) == 0);
	CHECK(d.addresses_transferred == m.addresses_transferred);
	CHECK(d.assigned_ip == m.assigned_ip && d.binding_status == m.binding_status);
	CHECK(same_bytes(d.client_id, m.client_id) && same_bytes(d.chaddr, m.chaddr));
	CHECK(d.cltt == m.cltt && d.ip_flags == m.ip_flags);
	CHECK(same_bytes(d.reply_options, m.reply_options));
	CHECK(same_bytes(d.request_options, m.request_options));
	CHECK(same_bytes(d.ddns, m.ddns) && d.ddns.len == 0);
	CHECK(memcmp(d.hba, m.hba, FO_HBA_LEN) == 0);
	CHECK(d.lease_expiry == m.lease_expiry && d.potential_expiry == m.potential_expiry);
	CHECK(d.max_unacked == m.max_unacked && d.mclt == m.mclt);
	CHECK(same_bytes(d.message, m.message));
	CHECK(d.receive_timer == m.receive_timer && d.protocol_version == m.protocol_version);
	CHECK(d.reject_reason == m.reject_reason);
	CHECK(same_bytes(d.relationship_name, m.relationship_name));
	CHECK(d.server_flags == m.server_flags && d.server_state == m.server_state);
	CHECK(d.stos == m.stos && d.tls_reply == m.tls_reply && d.tls_request == m.tls_request);
	CHECK(same_bytes(d.vendor_class, m.vendor_class));
	if (m.type == FO_MSG_BNDUPD)
		bndupd(&m);
	return 0;
}
