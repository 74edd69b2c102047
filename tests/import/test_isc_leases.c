/* SPDX-License-Identifier: MPL-2.0 */
/*
 * dhcpd.leases reader (import/isc_leases.c). dhcpd-4.4.3*.leases were
 * written by ISC dhcpd 4.4.3-P1 itself (dhcpd-4.4.3*.conf, clients on a
 * veth pair); the others are written by hand after dhcpd.leases(5).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lw_ip.h"
#include "import/isc_leases.h"

static struct isc_leases out;
static char err[512];

static void teardown(void)
{
	isc_leases_free(&out);
}

TestSuite(isc_leases, .fini = teardown);

static const char *data_path(const char *name)
{
	static char path[512];
	const char *root = getenv("LW_SOURCE_ROOT");

	snprintf(path, sizeof(path), "%s/tests/import/data/%s", root ? root : ".", name);
	return path;
}

static int parse(const char *text)
{
	isc_leases_free(&out);
	err[0] = '\0';
	return isc_leases_parse_text(text, strlen(text), "test.leases", &out, err, sizeof(err));
}

static uint32_t ip(const char *s)
{
	uint32_t a;

	cr_assert_eq(lw_ip4_parse(s, &a), 0);
	return a;
}

static const struct isc_lease *lease(const char *addr)
{
	for (size_t i = 0; i < out.n_leases; i++)
		if (out.leases[i].addr == ip(addr))
			return &out.leases[i];
	cr_assert_fail("no lease for %s", addr);
	return NULL;
}

/* 2026/11/25 01:15:09 UTC */
#define T0 1795569309u

Test(isc_leases, real_dhcpd_file)
{
	const struct isc_lease *l;
	static const uint8_t uid[] = {1, 2, 0, 0, 0, 0, 0x10};
	static const uint8_t uid2[] = {'i', 'm', 'p', 1, '"', 'q'};

	cr_assert_eq(isc_leases_parse(data_path("dhcpd-4.4.3.leases"), &out, err, sizeof(err)), 0,
		"%s", err);
	cr_assert_eq(out.n_issues, 0);
	cr_assert_eq(out.n_peers, 0);
	cr_assert_eq(out.n_leases, 6, "198.18.200.104 twice: one lease");
	for (size_t i = 1; i < out.n_leases; i++)
		cr_assert_lt(out.leases[i - 1].addr, out.leases[i].addr);
	l = lease("198.18.200.100");
	cr_assert_eq(l->starts, T0);
	cr_assert_eq(l->ends, T0 + 600);
	cr_assert_eq(l->cltt, T0);
	cr_assert_eq(l->tstp, 0);
	cr_assert_eq(l->binding, ISC_BIND_ACTIVE);
	cr_assert_eq(l->next_binding, ISC_BIND_FREE);
	cr_assert_eq(l->rewind_binding, ISC_BIND_FREE);
	cr_assert_eq(l->htype, 1);
	cr_assert_eq(l->hlen, 6);
	cr_assert_eq(l->hw[5], 0x01);
	cr_assert_eq(l->uid_len, 0);
	cr_assert_eq(l->line, 9);
	l = lease("198.18.200.103");
	cr_assert_eq(l->uid_len, sizeof(uid));
	cr_assert_arr_eq(l->uid, uid, sizeof(uid), "octal escapes");
	l = lease("198.18.200.104");
	cr_assert_eq(l->binding, ISC_BIND_FREE, "the release supersedes the grant");
	cr_assert_eq(l->next_binding, ISC_BIND_NONE);
	cr_assert_eq(l->tstp, T0 + 7);
	cr_assert_eq(l->line, 55, "the line of the last block");
	l = lease("198.18.200.105");
	cr_assert_eq(l->uid_len, sizeof(uid2));
	cr_assert_arr_eq(l->uid, uid2, sizeof(uid2), "printable bytes and \\\" escapes");
	cr_assert_str_eq(l->hostname, "imp-client");
}

Test(isc_leases, real_dhcpd_failover_state)
{
	cr_assert_eq(
		isc_leases_parse(data_path("dhcpd-4.4.3-failover.leases"), &out, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(out.n_peers, 1, "the same peer twice: one state");
	cr_assert_str_eq(out.peers[0].name, "imp-pair");
	cr_assert_str_eq(out.peers[0].my_state, "recover");
	cr_assert_str_eq(out.peers[0].partner_state, "unknown-state");
	cr_assert_eq(out.peers[0].my_stos, T0 + 9);
	cr_assert_eq(out.peers[0].mclt, 0, "the primary writes no mclt");
	cr_assert_eq(out.n_issues, 0);
}

Test(isc_leases, secondary_backup_and_later_state)
{
	const struct isc_lease *l;
	static const uint8_t uid[] = {1, 0, 0x0c, 0x29, 0xdb, 0x6f, 0x30};

	cr_assert_eq(isc_leases_parse(data_path("secondary.leases"), &out, err, sizeof(err)), 0,
		"%s", err);
	cr_assert_eq(out.n_leases, 2);
	cr_assert_eq(out.leases[0].addr, ip("10.18.33.30"), "sorted by address");
	l = lease("10.18.33.31");
	cr_assert_eq(l->binding, ISC_BIND_BACKUP);
	cr_assert_neq(l->atsfp, 0);
	cr_assert_eq(l->htype, 0, "no hardware");
	l = lease("10.18.33.30");
	cr_assert_arr_eq(l->uid, uid, sizeof(uid));
	cr_assert_eq(l->next_binding, ISC_BIND_EXPIRED);
	cr_assert_eq(out.n_peers, 1);
	cr_assert_str_eq(out.peers[0].my_state, "normal", "the later stanza wins");
	cr_assert_str_eq(out.peers[0].partner_state, "normal");
	cr_assert_eq(out.peers[0].mclt, 3600);
}

Test(isc_leases, epoch_times_never_set_on_hex_uid)
{
	const struct isc_lease *l;
	static const uint8_t uid[] = {1, 0, 0x0c, 0x29, 0xdb, 0x6f, 0x01};

	cr_assert_eq(isc_leases_parse(data_path("epoch-format.leases"), &out, err, sizeof(err)), 0,
		"%s", err);
	cr_assert_eq(out.n_issues, 0, "set and on are dhcpd's own: skipped without a word");
	l = lease("10.0.0.7");
	cr_assert_eq(l->starts, T0);
	cr_assert_eq(l->ends, ISC_TIME_NEVER);
	cr_assert_eq(l->tstp, T0 + 600);
	cr_assert_eq(l->tsfp, T0 + 601);
	cr_assert_eq(l->atsfp, T0 + 602);
	cr_assert_eq(l->next_binding, ISC_BIND_EXPIRED);
	cr_assert_eq(l->hw[0], 0x00);
	cr_assert_eq(l->hw[1], 0x0c);
	cr_assert_eq(l->hw[5], 0x01);
	cr_assert_eq(l->uid_len, sizeof(uid));
	cr_assert_arr_eq(l->uid, uid, sizeof(uid));
	cr_assert_str_eq(l->hostname, "pc \"one\"\\x");
}

Test(isc_leases, binding_states)
{
	static const char *const names[] = {"free", "active", "expired", "released", "abandoned",
		"reset", "backup", "reserved", "bootp"};
	char text[256];

	for (unsigned i = 0; i < 9; i++) {
		snprintf(text, sizeof(text), "lease 10.0.0.1 { binding state %s; }\n", names[i]);
		cr_assert_eq(parse(text), 0, "%s", err);
		cr_assert_eq(out.leases[0].binding, i + 1);
		cr_assert_str_eq(isc_binding_name(out.leases[0].binding), names[i]);
	}
	cr_assert_eq(parse("lease 10.0.0.1 { abandoned; }\n"), 0);
	cr_assert_eq(out.leases[0].binding, ISC_BIND_ABANDONED);
	cr_assert_str_eq(isc_binding_name(ISC_BIND_NONE), "none");
}

Test(isc_leases, hardware_types)
{
	cr_assert_eq(parse("lease 10.0.0.1 { hardware token-ring 1:2:3:4:5:6; }\n"
			   "lease 10.0.0.2 { hardware infiniband 01:02; }\n"
			   "lease 10.0.0.3 { hardware unknown-7 aa; }\n"
			   "lease 10.0.0.4 { hardware ethernet; }\n"),
		0, "%s", err);
	cr_assert_eq(out.leases[0].htype, 6);
	cr_assert_eq(out.leases[1].htype, 32);
	cr_assert_eq(out.leases[1].hlen, 2);
	cr_assert_eq(out.leases[2].htype, 7);
	cr_assert_eq(out.leases[3].htype, 0, "an empty hardware address is none");
}

Test(isc_leases, supersede_per_address)
{
	cr_assert_eq(parse("lease 10.0.0.2 { binding state active; client-hostname \"a\"; }\n"
			   "lease 10.0.0.1 { binding state free; }\n"
			   "lease 10.0.0.2 {\n binding state released;\n}\n"),
		0, "%s", err);
	cr_assert_eq(out.n_leases, 2);
	cr_assert_eq(out.leases[1].binding, ISC_BIND_RELEASED);
	cr_assert_str_eq(out.leases[1].hostname, "", "the whole block is replaced");
	cr_assert_eq(out.leases[1].line, 3);
}

Test(isc_leases, many_leases_sorted)
{
	size_t cap = 5000 * 64, n = 0;
	char *text = malloc(cap);

	cr_assert_not_null(text);
	/* descending, with every address twice */
	for (int round = 0; round < 2; round++)
		for (int i = 2499; i >= 0; i--)
			n += (size_t)snprintf(text + n, cap - n,
				"lease 10.%d.%d.%d { binding state %s; }\n", i >> 16,
				(i >> 8) & 255, i & 255, round ? "active" : "free");
	cr_assert_eq(isc_leases_parse_text(text, n, "many", &out, err, sizeof(err)), 0, "%s", err);
	free(text);
	cr_assert_eq(out.n_leases, 2500);
	for (size_t i = 0; i < out.n_leases; i++) {
		cr_assert_eq(out.leases[i].addr, ip("10.0.0.0") + i);
		cr_assert_eq(out.leases[i].binding, ISC_BIND_ACTIVE);
	}
}

Test(isc_leases, unknown_statements_are_issues)
{
	cr_assert_eq(parse("lease 10.0.0.1 {\n"
			   "  binding state active;\n"
			   "  billing class \"x\";\n"
			   "  option agent.circuit-id \"port1\";\n"
			   "  dynamic-bootp;\n"
			   "}\n"
			   "lease6 ia-na \"x\" { cltt 2 2026/11/24 10:00:05; }\n"
			   "host dyn { dynamic; hardware ethernet 00:00:00:00:00:01; }\n"
			   "failover peer \"p\" state { my state normal at 2 2026/11/24 10:00:05;\n"
			   "  odd 1; }\n"),
		0, "%s", err);
	cr_assert_eq(out.n_issues, 6);
	cr_assert_str_eq(out.issues[0].file, "test.leases");
	cr_assert_eq(out.issues[0].line, 3);
	cr_assert(strncmp(out.issues[0].stmt, "billing class", 13) == 0, "%s", out.issues[0].stmt);
	cr_assert_eq(out.issues[1].line, 4);
	cr_assert_eq(out.issues[2].line, 5);
	cr_assert_eq(out.issues[3].line, 7);
	cr_assert(strstr(out.issues[3].why, "DHCPv6") != NULL);
	cr_assert_eq(out.issues[4].line, 8);
	cr_assert_eq(out.issues[5].line, 10);
	cr_assert_eq(out.n_leases, 1);
	cr_assert_eq(out.leases[0].binding, ISC_BIND_ACTIVE);
	cr_assert_eq(out.n_peers, 1);
}

Test(isc_leases, empty_and_comments)
{
	cr_assert_eq(parse(""), 0);
	cr_assert_eq(out.n_leases, 0);
	cr_assert_eq(parse("# only a comment\n\n;\n"), 0);
	cr_assert_eq(out.n_leases, 0);
}

Test(isc_leases, malformed)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *what;
	} cases[] = {
		{"lease 10.0.0.1 {\n starts 3 2026/13/25 01:15:09;\n}\n", 2, "starts"},
		{"lease 10.0.0.1 {\n ends 3 2026/11/25 25:00:00;\n}\n", 2, "ends"},
		{"lease 10.0.0.1 {\n\n cltt 9 2026/11/25 01:00:00;\n}\n", 3, "cltt"},
		{"lease 10.0.0.1 {\n tstp epoch x;\n}\n", 2, "tstp"},
		{"lease 10.0.0.1 {\n starts 3 2026/11/25 01:15:09\n ends never;\n}\n", 3, "';'"},
		{"lease 10.0.0.1 {\n binding state dancing;\n}\n", 2, "binding state"},
		{"lease 10.0.0.1 {\n hardware ethernet zz:00;\n}\n", 2, "hardware"},
		{"lease 10.0.0.1 {\n hardware teapot 00:01;\n}\n", 2, "hardware type"},
		{"lease 10.0.0.1 {\n uid ;\n}\n", 2, "uid"},
		{"lease 10.0.0.1 {\n client-hostname x;\n}\n", 2, "client-hostname"},
		{"lease 10.0.0.1 {\n binding state active;\n", 1, "'}'"},
		{"lease 10.0.0.256 { }\n", 1, "IPv4"},
		{"lease 10.0.0.1 ;\n", 1, "'{'"},
		{"\n{ }\n", 2, "statement"},
		{"lease 10.0.0.1 { uid \"abc; }\n", 1, "unterminated"},
		{"failover peer \"\" state { }\n", 1, "name"},
		{"failover peer \"p\" state {\n my state normal 2 2026/11/24 10:00:05;\n}\n", 2,
			"'at'"},
		{"failover peer \"p\" state {\n mclt many;\n}\n", 2, "mclt"},
		{"failover peer \"p\" state {\n my state normal at\n", 3, "state time"},
		{"failover peer \"p\" {\n}\n", 1, "'state'"},
	};
	char want[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(cases[i].text), -1, "case %zu", i);
		snprintf(want, sizeof(want), "test.leases:%u: ", cases[i].line);
		cr_assert(strncmp(err, want, strlen(want)) == 0, "case %zu: \"%s\", expected %s", i,
			err, want);
		cr_assert(strstr(err, cases[i].what) != NULL, "case %zu: \"%s\" lacks %s", i, err,
			cases[i].what);
		cr_assert_eq(out.n_leases, 0);
		cr_assert_null(out.leases);
	}
}

Test(isc_leases, unreadable)
{
	cr_assert_eq(isc_leases_parse("/nonexistent/dhcpd.leases", &out, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/dhcpd.leases") != NULL, "%s", err);
	cr_assert_eq(isc_leases_parse("/tmp", &out, err, sizeof(err)), -1, "a directory");
}

Test(isc_leases, include_is_not_a_lease_statement)
{
	cr_assert_eq(parse("include \"/etc/passwd\";\n"), 0, "%s", err);
	cr_assert_eq(out.n_issues, 1);
	cr_assert_eq(out.n_leases, 0);
}
