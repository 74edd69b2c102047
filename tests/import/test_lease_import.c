/* SPDX-License-Identifier: MPL-2.0 */
/* leasewire-import's lease import: a hand-built ISC lease set (every binding
 * state, acknowledged and pending failover updates, a failover state
 * stanza) written into a temporary state directory, then read back through
 * the lease database and the failover state file as leasewire-control
 * would. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/leasedb.h"
#include "control/store.h"
#include "import/lease_import.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define T0	      1800000000u /* "now" of the import */

static char dir[64];
static char sdir[96];
static struct lw_config *cfg;

static const char *cfg_text(const char *role)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		"dataplane = { eal_args = [ \"-l\", \"0,1\", \"--no-pci\" ]; };\n"
		"server = { default_lease_time = 600; decline_probation = 3600; };\n"
		"ports = ( { name = \"lan\"; device = \"net_null0\"; address = \"198.18.0.20/16\"; "
		"} );\n"
		"failover = { name = \"fo-t\"; role = \"%s\"; address = \"198.19.0.2\";\n"
		"  peer_address = \"198.19.0.1\"; %s };\n"
		"subnets = (\n"
		"  { subnet = \"198.18.0.0/24\";\n"
		"    pools = ( { range = \"198.18.0.100 - 198.18.0.139\"; failover = \"fo-t\"; } "
		"); },\n"
		"  { subnet = \"198.18.2.0/24\";\n"
		"    pools = ( { range = \"198.18.2.10 - 198.18.2.19\"; } ); }\n"
		");\n"
		"control = { state_dir = \"%s\"; };\n",
		role, strcmp(role, "primary") == 0 ? "mclt = 45; split = 128;" : "", sdir);
	return buf;
}

static void load_cfg(const char *role)
{
	char err[512];

	lw_config_free(cfg);
	cfg = NULL;
	cr_assert_eq(lw_config_load_string(cfg_text(role), "test.cfg", &cfg, err, sizeof(err)), 0,
		"%s", err);
}

static void setup(void)
{
	strcpy(dir, "/tmp/lw-import-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sdir, sizeof(sdir), "%s/var/state", dir); /* parents made by the import */
	load_cfg("secondary");
}

static void teardown(void)
{
	char cmd[160];

	lw_config_free(cfg);
	cfg = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

TestSuite(lease_import, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------------ */
/* Building the input */

static struct isc_lease leases[32];
static struct isc_fo_peer_state peers[2];
static struct isc_leases in;

static struct isc_lease *add(uint32_t addr, enum isc_binding b, uint32_t starts, uint32_t ends)
{
	struct isc_lease *l = &leases[in.n_leases++];

	memset(l, 0, sizeof(*l));
	l->addr = addr;
	l->binding = (uint8_t)b;
	l->starts = starts;
	l->ends = ends;
	l->line = (unsigned)in.n_leases * 10;
	in.leases = leases;
	return l;
}

static void hw(struct isc_lease *l, uint8_t last)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x03, 0};

	l->htype = 1;
	l->hlen = 6;
	memcpy(l->hw, mac, 6);
	l->hw[5] = last;
}

static void uid(struct isc_lease *l, uint8_t last)
{
	hw(l, last);
	l->uid_len = 7;
	l->uid[0] = 1;
	memcpy(l->uid + 1, l->hw, 6);
}

static void stanza(const char *name, const char *my, uint32_t my_at, const char *partner,
	uint32_t partner_at, uint32_t mclt)
{
	struct isc_fo_peer_state *p = &peers[in.n_peers++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->my_state, sizeof(p->my_state), "%s", my);
	snprintf(p->partner_state, sizeof(p->partner_state), "%s", partner);
	p->my_stos = my_at;
	p->partner_stos = partner_at;
	p->mclt = mclt;
	in.peers = peers;
}

/* The set most tests use: every state a secondary's lease file holds. */
static void typical(void)
{
	struct isc_lease *l;

	memset(&in, 0, sizeof(in));
	/* Acknowledged by the partner: atsfp >= tstp. */
	l = add(A(198, 18, 0, 100), ISC_BIND_ACTIVE, T0 - 100, T0 + 500);
	uid(l, 1);
	l->tstp = T0 + 800;
	l->tsfp = l->atsfp = T0 + 800;
	l->cltt = T0 - 100;
	/* Given while the partner was away: tstp > atsfp (0), nothing known. */
	l = add(A(198, 18, 0, 101), ISC_BIND_ACTIVE, T0 - 50, T0 + 10);
	hw(l, 2);
	l->tstp = T0 + 250;
	/* Renewed while away: an older tsfp, a newer tstp. */
	l = add(A(198, 18, 0, 102), ISC_BIND_ACTIVE, T0 - 20, T0 + 580);
	hw(l, 3);
	l->tstp = T0 + 880;
	l->tsfp = T0 + 300;
	l->atsfp = 0;
	/* The partner's binding, learnt from its BNDUPD: tsfp = atsfp, no tstp. */
	l = add(A(198, 18, 0, 103), ISC_BIND_ACTIVE, T0 - 30, T0 + 570);
	hw(l, 4);
	l->tsfp = l->atsfp = T0 + 870;
	/* The secondary's free pool. */
	l = add(A(198, 18, 0, 110), ISC_BIND_BACKUP, T0 - 900, 0);
	l->tsfp = l->atsfp = T0 - 900;
	l = add(A(198, 18, 0, 111), ISC_BIND_BACKUP, T0 - 900, ISC_TIME_NEVER);
	l->tsfp = l->atsfp = T0 - 900;
	/* The primary's free pool: no record. */
	add(A(198, 18, 0, 120), ISC_BIND_FREE, 0, 0);
	/* Waiting for the partner's acknowledgement to become free. */
	l = add(A(198, 18, 0, 121), ISC_BIND_EXPIRED, T0 - 700, T0 - 100);
	hw(l, 5);
	l->tstp = T0 - 100;
	l->tsfp = l->atsfp = T0 - 100;
	l = add(A(198, 18, 0, 122), ISC_BIND_RELEASED, T0 - 700, T0 - 50);
	uid(l, 6);
	/* A decline. */
	l = add(A(198, 18, 0, 123), ISC_BIND_ABANDONED, T0 - 10, T0 + 86390);
	/* Abandoned with no end: the configured probation. */
	add(A(198, 18, 0, 124), ISC_BIND_ABANDONED, T0 - 10, ISC_TIME_NEVER);
	/* A pool without failover. */
	l = add(A(198, 18, 2, 10), ISC_BIND_ACTIVE, T0 - 60, T0 + 540);
	hw(l, 7);
	add(A(198, 18, 2, 11), ISC_BIND_FREE, 0, 0);
	l = add(A(198, 18, 2, 12), ISC_BIND_BACKUP, 0, 0); /* no failover: free */
	stanza("fo-t", "normal", T0 - 3000, "communications-interrupted", T0 - 60, 30);
}

static int run(bool force, char *err, struct lease_import_report *rep)
{
	struct lease_import_opts o = {.now = T0, .force = force};

	return lease_import(&in, cfg, &o, rep, err, 512);
}

/* ------------------------------------------------------------------------ */
/* Reading it back, as leasewire-control does */

static struct store *st;

static void reopen(void)
{
	struct leasedb_report rep;
	struct leasedb *db;
	char err[512];

	store_free(st);
	st = store_create(0);
	cr_assert_not_null(st);
	db = leasedb_open(sdir, st, &rep, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	leasedb_close(db);
}

static const struct store_lease *rec(uint32_t addr)
{
	return store_get_addr(st, addr);
}

static void expect(
	uint32_t addr, uint8_t state, uint32_t start, uint32_t end, bool pending, uint32_t tsfp)
{
	const struct store_lease *l = rec(addr);
	char a[LW_IP4_STRLEN];

	lw_ip4_fmt(addr, a);
	cr_assert_not_null(l, "%s: no record", a);
	cr_expect_eq(l->state, state, "%s: state %s, expected %s", a, lw_bind_state_name(l->state),
		lw_bind_state_name(state));
	cr_expect_eq(l->start, start, "%s: start %u, expected %u", a, l->start, start);
	cr_expect_eq(l->end, end, "%s: end %u, expected %u", a, l->end, end);
	cr_expect_eq(!!(l->fo & STORE_FO_PENDING), pending, "%s: pending %d, expected %d", a,
		!!(l->fo & STORE_FO_PENDING), pending);
	cr_expect_eq(l->tsfp, tsfp, "%s: tsfp %u, expected %u", a, l->tsfp, tsfp);
}

static void expect_hw(uint32_t addr, uint8_t last)
{
	const struct store_lease *l = rec(addr);

	cr_assert_not_null(l);
	cr_expect_eq(l->key.kind, LW_KEY_HWADDR);
	cr_expect_eq(l->key.len, 7);
	cr_expect_eq(l->key.data[0], 1);
	cr_expect_eq(l->key.data[6], last);
}

static void expect_cid(uint32_t addr, uint8_t last)
{
	const struct store_lease *l = rec(addr);

	cr_assert_not_null(l);
	cr_expect_eq(l->key.kind, LW_KEY_CLIENT_ID);
	cr_expect_eq(l->key.len, 7);
	cr_expect_eq(l->key.data[0], 1);
	cr_expect_eq(l->key.data[1], 0x02);
	cr_expect_eq(l->key.data[6], last);
}

/* failover.state as a key -> value lookup. */
static bool state_value(const char *key, char *val, size_t len)
{
	char path[160], line[256], k[64], v[128];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/failover.state", sdir);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %127s", k, v) == 2 && strcmp(k, key) == 0) {
			snprintf(val, len, "%s", v);
			found = true;
		}
	fclose(f);
	return found;
}

static void expect_state(const char *key, const char *want)
{
	char v[128] = "";

	cr_assert(state_value(key, v, sizeof(v)), "failover.state has no %s", key);
	cr_expect_str_eq(v, want, "failover.state %s", key);
}

static void fini_store(void)
{
	store_free(st);
	st = NULL;
}

/* ------------------------------------------------------------------------ */

Test(lease_import, every_state_of_a_secondary)
{
	struct lease_import_report rep;
	char err[512], n[32];

	typical();
	cr_assert_eq(run(false, err, &rep), 0, "%s", err);
	reopen();

	/* Acknowledged: settled, with the partner's tsfp. */
	expect(A(198, 18, 0, 100), LW_BIND_ACTIVE, T0 - 100, T0 + 500, false, T0 + 800);
	expect_cid(A(198, 18, 0, 100), 1);
	/* tstp > atsfp: pending, so leasewire sends it; no tsfp known. */
	expect(A(198, 18, 0, 101), LW_BIND_ACTIVE, T0 - 50, T0 + 10, true, 0);
	expect_hw(A(198, 18, 0, 101), 2);
	/* Pending, but the older tsfp still bounds the MCLT rule. */
	expect(A(198, 18, 0, 102), LW_BIND_ACTIVE, T0 - 20, T0 + 580, true, T0 + 300);
	/* The partner's own binding. */
	expect(A(198, 18, 0, 103), LW_BIND_ACTIVE, T0 - 30, T0 + 570, false, T0 + 870);
	expect_hw(A(198, 18, 0, 103), 4);
	/* BACKUP: the secondary's free addresses, no client. */
	expect(A(198, 18, 0, 110), LW_BIND_BACKUP, T0 - 900, 0, false, T0 - 900);
	cr_expect_eq(rec(A(198, 18, 0, 110))->key.kind, LW_KEY_NONE);
	expect(A(198, 18, 0, 111), LW_BIND_BACKUP, T0 - 900, 0, false, T0 - 900);
	/* FREE: the primary's, no record. */
	cr_expect_null(rec(A(198, 18, 0, 120)));
	/* Expired and released are sent again, as ISC does on entering NORMAL. */
	expect(A(198, 18, 0, 121), LW_BIND_EXPIRED, T0 - 700, T0 - 100, true, T0 - 100);
	expect_hw(A(198, 18, 0, 121), 5);
	expect(A(198, 18, 0, 122), LW_BIND_RELEASED, T0 - 700, T0 - 50, true, 0);
	expect_cid(A(198, 18, 0, 122), 6);
	/* Abandoned: declined until its end, or for the probation. */
	expect(A(198, 18, 0, 123), LW_BIND_DECLINED, T0 - 10, T0 + 86390, false, 0);
	cr_expect_eq(rec(A(198, 18, 0, 123))->key.kind, LW_KEY_NONE);
	expect(A(198, 18, 0, 124), LW_BIND_DECLINED, T0 - 10, T0 + 3600, false, 0);
	/* No failover: plain bindings. */
	cr_assert_not_null(rec(A(198, 18, 2, 10)));
	cr_expect_eq(rec(A(198, 18, 2, 10))->state, LW_BIND_ACTIVE);
	cr_expect_eq(rec(A(198, 18, 2, 10))->subnet, 1);
	cr_expect_eq(rec(A(198, 18, 2, 10))->pool, 1);
	cr_expect_eq(rec(A(198, 18, 0, 100))->subnet, 0);
	cr_expect_eq(rec(A(198, 18, 0, 100))->pool, 0);
	cr_expect_null(rec(A(198, 18, 2, 11)));
	cr_expect_null(rec(A(198, 18, 2, 12)));
	cr_expect_eq(store_count(st), 11, "%u", store_count(st));

	/* The report. */
	cr_expect_eq(rep.read[ISC_BIND_ACTIVE], 5);
	cr_expect_eq(rep.read[ISC_BIND_BACKUP], 3);
	cr_expect_eq(rep.read[ISC_BIND_FREE], 2);
	cr_expect_eq(rep.written[LW_BIND_ACTIVE], 5);
	cr_expect_eq(rep.written[LW_BIND_BACKUP], 2);
	cr_expect_eq(rep.written[LW_BIND_EXPIRED], 1);
	cr_expect_eq(rep.written[LW_BIND_RELEASED], 1);
	cr_expect_eq(rep.written[LW_BIND_DECLINED], 2);
	cr_expect_eq(rep.free, 3);
	cr_expect_eq(rep.acked, 6); /* .100 .103 .110 .111 .123 .124 */
	cr_expect_eq(rep.pending, 4);
	cr_expect_eq(rep.left_out, 0);
	cr_expect(rep.fo_written);

	/* The failover state, in leasewire-control's format. */
	expect_state("relationship", "fo-t");
	expect_state("my-state", "normal");
	snprintf(n, sizeof(n), "%u", T0 - 3000);
	expect_state("my-stos", n);
	expect_state("partner-state", "communications-interrupted");
	snprintf(n, sizeof(n), "%u", T0 - 60);
	expect_state("partner-since", n);
	expect_state("mclt", "30"); /* the secondary keeps the MCLT it learnt */
	expect_state("hba", "0000000000000000000000000000000000000000000000000000000000000000");
	fini_store();
}

Test(lease_import, primary_takes_mclt_and_hba_from_its_configuration)
{
	struct lease_import_report rep;
	char err[512];

	load_cfg("primary");
	typical();
	peers[0].mclt = 0; /* dhcpd writes mclt on the secondary only */
	snprintf(peers[0].partner_state, sizeof(peers[0].partner_state), "%s", "recover-done");
	cr_assert_eq(run(false, err, &rep), 0, "%s", err);
	expect_state("my-state", "normal");
	expect_state("partner-state", "recover-done");
	expect_state("mclt", "45");
	/* split 128: buckets 0..127 are the primary's. */
	expect_state("hba", "ffffffffffffffffffffffffffffffff00000000000000000000000000000000");
}

Test(lease_import, refuses_a_state_dir_with_a_database)
{
	struct lease_import_report rep;
	char err[512];

	typical();
	cr_assert_eq(run(false, err, &rep), 0, "%s", err);

	/* Second time: refused, the first import untouched. */
	memset(&in, 0, sizeof(in));
	add(A(198, 18, 0, 130), ISC_BIND_BACKUP, T0, 0);
	cr_expect_eq(run(false, err, &rep), -1);
	cr_expect(strstr(err, "already holds a lease database") != NULL, "%s", err);
	reopen();
	cr_expect_eq(store_count(st), 11, "%u", store_count(st));
	cr_expect_null(rec(A(198, 18, 0, 130)));

	/* --force replaces it whole, the failover state with it. */
	cr_assert_eq(run(true, err, &rep), 0, "%s", err);
	reopen();
	cr_expect_eq(store_count(st), 1, "%u", store_count(st));
	cr_expect_not_null(rec(A(198, 18, 0, 130)));
	{
		char v[64];

		cr_expect(!state_value("my-state", v, sizeof(v)), "old failover.state kept");
	}
	fini_store();
}

Test(lease_import, a_failover_state_file_alone_is_a_database)
{
	struct lease_import_report rep;
	char err[512], path[160];
	FILE *f;

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/var", dir);
	mkdir(path, 0700);
	mkdir(sdir, 0700);
	snprintf(path, sizeof(path), "%s/failover.state", sdir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("my-state normal\n", f);
	fclose(f);
	typical();
	cr_expect_eq(run(false, err, &rep), -1);
	cr_expect(strstr(err, "already holds") != NULL, "%s", err);
}

Test(lease_import, refuses_a_state_dir_in_use)
{
	struct lease_import_report rep;
	struct leasedb *db;
	char err[512];

	typical();
	mkdir(dir, 0700);
	snprintf(err, sizeof(err), "%s/var", dir);
	mkdir(err, 0700);
	st = store_create(0);
	db = leasedb_open(sdir, st, NULL, err, sizeof(err)); /* holds the lock */
	cr_assert_not_null(db, "%s", err);
	cr_expect_eq(run(true, err, &rep), -1);
	cr_expect(strstr(err, "in use by a running leasewire-control") != NULL, "%s", err);
	leasedb_close(db);
	fini_store();
}

Test(lease_import, active_bindings_that_cannot_be_imported)
{
	struct lease_import_report rep;
	struct lease_import_opts o = {.now = T0};
	struct isc_lease *l;
	char err[512];

	memset(&in, 0, sizeof(in));
	l = add(A(198, 18, 0, 100), ISC_BIND_ACTIVE, T0, T0 + 600);
	hw(l, 1);
	l = add(A(198, 18, 9, 1), ISC_BIND_ACTIVE, T0, T0 + 600); /* in no subnet */
	hw(l, 2);
	add(A(198, 18, 0, 101), ISC_BIND_ACTIVE, T0, T0 + 600); /* no identity */
	add(A(198, 18, 9, 2), ISC_BIND_FREE, 0, 0);		/* harmless */

	cr_expect_eq(lease_import(&in, cfg, &o, &rep, err, sizeof(err)), -1);
	cr_expect(strstr(err, "2 active bindings cannot be imported") != NULL, "%s", err);
	cr_expect_eq(rep.left_out_active, 2);
	{
		struct stat sb;

		cr_expect(stat(sdir, &sb) < 0, "nothing may be written");
	}

	o.allow_partial = true;
	cr_assert_eq(lease_import(&in, cfg, &o, &rep, err, sizeof(err)), 0, "%s", err);
	reopen();
	cr_expect_eq(store_count(st), 1, "%u", store_count(st));
	cr_expect_not_null(rec(A(198, 18, 0, 100)));
	/* No stanza in the file: no failover.state, leasewire starts in RECOVER. */
	cr_expect(!rep.fo_written);
	{
		char v[64];

		cr_expect(!state_value("my-state", v, sizeof(v)));
	}
	fini_store();
}

Test(lease_import, failover_stanza_checks)
{
	struct lease_import_report rep;
	char err[512];

	typical();
	snprintf(peers[0].name, sizeof(peers[0].name), "%s", "other");
	cr_expect_eq(run(false, err, &rep), -1);
	cr_expect(strstr(err, "\"other\"") != NULL && strstr(err, "\"fo-t\"") != NULL, "%s", err);

	typical();
	snprintf(peers[0].my_state, sizeof(peers[0].my_state), "%s", "bogus");
	cr_expect_eq(run(false, err, &rep), -1);
	cr_expect(strstr(err, "bogus") != NULL, "%s", err);

	/* Several relationships in the file: the configuration's is taken. */
	typical();
	stanza("fo-t", "partner-down", T0 - 5, "unknown-state", 0, 30);
	peers[1] = peers[0];
	snprintf(peers[0].name, sizeof(peers[0].name), "%s", "another");
	cr_assert_eq(run(false, err, &rep), 0, "%s", err);
	expect_state("my-state", "normal");
}

Test(lease_import, reset_bootp_and_leases_without_a_state)
{
	struct lease_import_report rep;
	struct isc_lease *l;
	char err[512], *log = NULL;
	size_t log_len = 0;
	FILE *logf = open_memstream(&log, &log_len);
	struct lease_import_opts o = {.now = T0, .log = logf};

	memset(&in, 0, sizeof(in));
	/* reset: freed by an operator, not told to the partner: sent as released. */
	l = add(A(198, 18, 0, 100), ISC_BIND_RESET, T0 - 600, T0 - 5);
	hw(l, 1);
	/* dynamic-bootp: an active binding. */
	l = add(A(198, 18, 0, 101), ISC_BIND_BOOTP, T0 - 60, ISC_TIME_NEVER);
	hw(l, 2);
	l->tsfp = l->atsfp = T0 + 100;
	/* No binding state (old files): active while its end is ahead. */
	l = add(A(198, 18, 0, 102), ISC_BIND_NONE, T0 - 60, T0 + 60);
	hw(l, 3);
	l = add(A(198, 18, 0, 103), ISC_BIND_NONE, T0 - 600, T0 - 60);
	hw(l, 4);
	/* A client identifier leasewire cannot turn into a hardware address. */
	l = add(A(198, 18, 0, 104), ISC_BIND_ACTIVE, T0, T0 + 600);
	hw(l, 5);
	l->uid_len = 3;
	memcpy(l->uid, "\0ab", 3);
	cr_assert_eq(lease_import(&in, cfg, &o, &rep, err, sizeof(err)), 0, "%s", err);
	fclose(logf);
	reopen();
	expect(A(198, 18, 0, 100), LW_BIND_RELEASED, T0 - 600, T0 - 5, true, 0);
	expect(A(198, 18, 0, 101), LW_BIND_ACTIVE, T0 - 60, ISC_TIME_NEVER, false, T0 + 100);
	/* No tstp: dhcpd has nothing to send for it either. */
	expect(A(198, 18, 0, 102), LW_BIND_ACTIVE, T0 - 60, T0 + 60, false, 0);
	cr_expect_null(rec(A(198, 18, 0, 103)));
	expect(A(198, 18, 0, 104), LW_BIND_ACTIVE, T0, T0 + 600, false, 0);
	cr_expect_eq(rec(A(198, 18, 0, 104))->key.kind, LW_KEY_CLIENT_ID);
	cr_expect_eq(rec(A(198, 18, 0, 104))->key.len, 3);
	cr_expect_not_null(strstr(log, "lease 198.18.0.100 (line 10): reset: imported as released"),
		"%s", log);
	cr_expect_not_null(strstr(log, "lease 198.18.0.104 (line 50): active: its uid is not 01 + "
				       "MAC"),
		"%s", log);
	free(log);
	fini_store();
}
