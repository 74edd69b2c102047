/* SPDX-License-Identifier: MPL-2.0 */
/* Exports: the exact dhcpd.leases text and Kea CSV rows for a set of
 * records covering every state and kind of client identity, and the real
 * ISC dhcpd (dhcpd -T) and Kea (kea-lfc) reading what was written. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/export.h"
#include "control/store.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)
#define T0	      1700000000u /* Tue 2023/11/14 22:13:20 UTC */

static struct store *st;
static char dir[64];
static char *text;
static size_t text_len;

static void setup(void)
{
	st = store_create(0);
	cr_assert_not_null(st);
	strcpy(dir, "/tmp/lw-export-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	store_free(st);
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

TestSuite(export, .init = setup, .fini = teardown);

static void put(uint32_t addr, uint8_t state, uint8_t kind, const void *id, uint8_t len,
	uint32_t start, uint32_t end, uint32_t subnet)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = state;
	e.addr = addr;
	e.start = start;
	e.end = end;
	e.subnet = subnet;
	e.key.kind = kind;
	e.key.len = len;
	if (len)
		memcpy(e.key.data, id, len);
	cr_assert_eq(store_apply(st, &e), 0);
}

/* One record of each kind, bound at t0; inserted out of address order. */
static void fill_at(uint32_t t0)
{
	static const uint8_t mac[7] = {1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t cid_mac[7] = {1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x56};
	static const uint8_t cid_odd[7] = {'a', '"', '\\', ' ', 0x00, 0xff, 'z'};
	static const uint8_t digest[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t other_htype[5] = {99, 0xaa, 0xbb, 0xcc, 0xdd};

	put(A(10, 9, 9, 9), LW_BIND_ACTIVE, LW_KEY_HWADDR, mac, 7, t0, t0 + 3600, 1);
	put(A(198, 18, 0, 15), LW_BIND_ACTIVE, LW_KEY_HWADDR, other_htype, 5, t0, t0 + 3600, 0);
	/* From T0, ends on a Sunday (weekday 0) of another year. */
	put(A(198, 18, 0, 14), LW_BIND_ACTIVE, LW_KEY_CLIENT_ID_DIGEST, digest, 8, t0,
		t0 + 35430400, 0);
	put(A(198, 18, 0, 13), LW_BIND_DECLINED, LW_KEY_HWADDR, mac, 7, t0, t0 + 86400, 0);
	put(A(198, 18, 0, 12), LW_BIND_RELEASED, LW_KEY_CLIENT_ID, cid_odd, 7, t0, t0 + 1800, 0);
	put(A(198, 18, 0, 11), LW_BIND_EXPIRED, LW_KEY_CLIENT_ID, cid_mac, 7, t0, t0 + 1800, 0);
	put(A(198, 18, 0, 10), LW_BIND_ACTIVE, LW_KEY_HWADDR, mac, 7, t0, t0 + 3600, 0);
}

static void fill(void)
{
	fill_at(T0);
}

static FILE *open_mem(void)
{
	FILE *f;

	free(text);
	text = NULL;
	f = open_memstream(&text, &text_len);
	cr_assert_not_null(f);
	return f;
}

static struct lw_config *config(void)
{
	static const char *conf =
		"dataplane = { eal_args = [ \"-l\", \"0\" ]; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; "
		"} );\n"
		"subnets = ( { subnet = \"198.18.0.0/24\"; pools = ( { range = \"198.18.0.10 - "
		"198.18.0.200\"; } ); } );\n";
	struct lw_config *cfg = NULL;
	char err[256];

	cr_assert_eq(lw_config_load_string(conf, "cfg", &cfg, err, sizeof(err)), 0, "%s", err);
	return cfg;
}

static const char *isc_leases =
	"lease 198.18.0.10 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 2 2023/11/14 23:13:20;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state active;\n"
	"  next binding state free;\n"
	"  hardware ethernet 00:11:22:33:44:55;\n"
	"}\n"
	"lease 198.18.0.11 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 2 2023/11/14 22:43:20;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state expired;\n"
	"  next binding state free;\n"
	"  hardware ethernet 00:11:22:33:44:56;\n"
	"  uid \"\\001\\000\\021\\\"3DV\";\n"
	"}\n"
	"lease 198.18.0.12 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 2 2023/11/14 22:43:20;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state released;\n"
	"  next binding state free;\n"
	"  uid \"a\\\"\\\\ \\000\\377z\";\n"
	"}\n"
	"lease 198.18.0.13 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 3 2023/11/15 22:13:20;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state abandoned;\n"
	"  next binding state free;\n"
	"}\n"
	"lease 198.18.0.14 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 0 2024/12/29 00:00:00;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state active;\n"
	"  next binding state free;\n"
	"  # client identifier longer than 30 bytes: only its digest was kept\n"
	"}\n"
	"lease 198.18.0.15 {\n"
	"  starts 2 2023/11/14 22:13:20;\n"
	"  ends 2 2023/11/14 23:13:20;\n"
	"  cltt 2 2023/11/14 22:13:20;\n"
	"  binding state active;\n"
	"  next binding state free;\n"
	"  # hardware type 99 has no name in dhcpd: address aa:bb:cc:dd\n"
	"}\n";

static const char *isc_10_9_9_9 = "lease 10.9.9.9 {\n"
				  "  starts 2 2023/11/14 22:13:20;\n"
				  "  ends 2 2023/11/14 23:13:20;\n"
				  "  cltt 2 2023/11/14 22:13:20;\n"
				  "  binding state active;\n"
				  "  next binding state free;\n"
				  "  hardware ethernet 00:11:22:33:44:55;\n"
				  "}\n";

static const char *isc_header =
	"# The format of this file is documented in the dhcpd.leases(5) "
	"manual page.\n"
	"# Exported by leasewire on 2023/11/14 22:15:00 UTC: 7 bindings.\n\n";

Test(export, isc_text_without_config)
{
	FILE *f;
	char want[4096];

	fill();
	f = open_mem();
	cr_assert_eq(export_isc(st, NULL, f, T0 + 100), 7);
	fclose(f);
	snprintf(want, sizeof(want), "%s%s%s", isc_header, isc_10_9_9_9, isc_leases);
	cr_expect_str_eq(text, want);
}

Test(export, isc_text_with_config_leaves_out_foreign_addresses)
{
	struct lw_config *cfg = config();
	FILE *f;
	char want[4096];

	fill();
	f = open_mem();
	cr_assert_eq(export_isc(st, cfg, f, T0 + 100), 6);
	fclose(f);
	snprintf(want, sizeof(want), "%s# 10.9.9.9: in no configured subnet, left out\n%s",
		isc_header, isc_leases);
	cr_expect_str_eq(text, want);
	lw_config_free(cfg);
}

static const char *kea_header = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,"
				"fqdn_fwd,fqdn_rev,hostname,state,user_context\n";

static const char *kea_rows =
	"198.18.0.10,00:11:22:33:44:55,,3600,1700003600,1,0,0,,0,\n"
	"198.18.0.11,00:11:22:33:44:56,01:00:11:22:33:44:56,1800,1700001800,1,0,0,,2,\n"
	"198.18.0.12,,61:22:5c:20:00:ff:7a,1800,1700001800,1,0,0,,2,\n"
	"198.18.0.13,,,86400,1700086400,1,0,0,,1,\n"
	"198.18.0.14,,01:02:03:04:05:06:07:08,35430400,1735430400,1,0,0,,0,\n"
	"198.18.0.15,aa:bb:cc:dd,,3600,1700003600,1,0,0,,0,\n";

Test(export, kea_csv_rows)
{
	struct lw_config *cfg = config();
	char want[2048];
	FILE *f;

	fill();
	f = open_mem();
	cr_assert_eq(export_kea_csv(st, cfg, f), 6, "10.9.9.9 is in no configured subnet");
	fclose(f);
	snprintf(want, sizeof(want), "%s%s", kea_header, kea_rows);
	cr_expect_str_eq(text, want);

	/* Without a config the record's own subnet index is used (10.9.9.9 has 1 -> id 2). */
	f = open_mem();
	cr_assert_eq(export_kea_csv(st, NULL, f), 7);
	fclose(f);
	snprintf(want, sizeof(want), "%s10.9.9.9,00:11:22:33:44:55,,3600,1700003600,2,0,0,,0,\n%s",
		kea_header, kea_rows);
	cr_expect_str_eq(text, want);
	lw_config_free(cfg);
}

Test(export, kea_never_writes_a_zero_lifetime)
{
	static const uint8_t mac[7] = {1, 2, 0, 0, 0, 0, 1};
	FILE *f;

	/* Released in the second it was bound: Kea would read lifetime 0 as a deletion. */
	put(A(198, 18, 0, 20), LW_BIND_RELEASED, LW_KEY_HWADDR, mac, 7, T0, T0, 0);
	f = open_mem();
	cr_assert_eq(export_kea_csv(st, NULL, f), 1);
	fclose(f);
	cr_expect_not_null(
		strstr(text, "\n198.18.0.20,02:00:00:00:00:01,,1,1700000001,1,0,0,,2,\n"), "%s",
		text);
}

Test(export, empty_store_writes_headers_only)
{
	FILE *f = open_mem();

	cr_assert_eq(export_kea_csv(st, NULL, f), 0);
	fclose(f);
	cr_expect_str_eq(text, kea_header);
	f = open_mem();
	cr_assert_eq(export_isc(st, NULL, f, T0), 0);
	fclose(f);
	cr_expect_not_null(strstr(text, ": 0 bindings."));
	cr_expect_null(strstr(text, "lease "));
}

/* An external checker: present, or a failure under CI, or a skip on a workstation. */
static bool have_tool(const char *path)
{
	const char *ci = getenv("CI");

	if (access(path, X_OK) == 0)
		return true;
	if (ci && strcmp(ci, "true") == 0)
		cr_assert_fail("%s is missing and CI=true: install it (tools/test.sh does)", path);
	cr_skip_test("%s is not installed", path);
	return false;
}

/* Runs cmd, returns its exit status and its output (stdout and stderr) in out. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	cr_assert_not_null(p, "%s", cmd);
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_file(const char *name, const char *content, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(content, f);
	fclose(f);
}

Test(export, isc_dhcpd_reads_the_export)
{
	char conf[128], leases[128], cmd[512], out[8192];
	struct lw_config *cfg;
	FILE *f;
	int n;

	if (!have_tool("/usr/sbin/dhcpd"))
		return;
	cfg = config();
	/*
	 * Bound now: dhcpd moves leases whose end has passed to free and does
	 * not write free leases that name no client, which would change the
	 * count below.
	 */
	fill_at((uint32_t)time(NULL));
	write_file("dhcpd.conf",
		"subnet 198.18.0.0 netmask 255.255.255.0 {\n"
		"  range 198.18.0.10 198.18.0.200;\n"
		"}\n",
		conf, sizeof(conf));
	snprintf(leases, sizeof(leases), "%s/dhcpd.leases", dir);
	f = fopen(leases, "w");
	cr_assert_not_null(f);
	n = export_isc(st, cfg, f, T0 + 100);
	fclose(f);
	cr_assert_eq(n, 6);

	/* -T reads the lease file (-t alone only parses the config) and rewrites it. */
	snprintf(cmd, sizeof(cmd), "/usr/sbin/dhcpd -4 -t -T -cf %s -lf %s -pf %s/pid 2>&1", conf,
		leases, dir);
	cr_assert_eq(run(cmd, out, sizeof(out)), 0, "%s", out);
	/* dhcpd exits 0 even for a corrupt file: its messages tell. */
	cr_expect_null(strstr(out, "line "), "dhcpd reported a parse error:\n%s", out);
	cr_expect_null(strstr(out, "orrupt"), "%s", out);
	cr_expect_not_null(strstr(out, "Wrote 6 leases to leases file."), "%s", out);

	/* A broken file is caught by the same checks (the check can fail). */
	f = fopen(leases, "a");
	fputs("lease 198.18.0.99 {\n  starts 2 2023/11/14 22:13:20;\n  bogus;\n}\n", f);
	fclose(f);
	run(cmd, out, sizeof(out));
	cr_expect_not_null(strstr(out, "line "), "%s", out);
	lw_config_free(cfg);
}

Test(export, kea_lfc_reads_the_export)
{
	char csv[128], prev[128], cmd[1024], out[8192];
	struct lw_config *cfg;
	FILE *f;

	if (!have_tool("/usr/sbin/kea-lfc"))
		return;
	cfg = config();
	fill();
	snprintf(csv, sizeof(csv), "%s/leases4.csv", dir);
	snprintf(prev, sizeof(prev), "%s/leases4.csv.2", dir);
	f = fopen(csv, "w");
	cr_assert_not_null(f);
	cr_assert_eq(export_kea_csv(st, cfg, f), 6);
	fclose(f);

	/* kea-lfc loads the file as the server would and rewrites it into prev. */
	snprintf(cmd, sizeof(cmd),
		"cd %s && echo '{}' > lfc.conf && KEA_LOCKFILE_DIR=none /usr/sbin/kea-lfc -4 -d "
		"-p lfc.pid -x %s -i %s -o lfc.out -f lfc.done -c lfc.conf 2>&1",
		dir, prev, csv);
	cr_assert_eq(run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect_not_null(
		strstr(out, "LFC_READ_STATS Leases: 6, attempts: 7, errors: 0."), "%s", out);
	cr_expect_null(strstr(out, "ERROR"), "%s", out);
	lw_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* Failover pools: what dhcpd needs to take the seat back (doc/migration.md) */

static struct lw_config *fo_config(const char *role)
{
	char conf[2048], err[256];
	struct lw_config *cfg = NULL;

	snprintf(conf, sizeof(conf),
		"dataplane = { eal_args = [ \"-l\", \"0\" ]; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; "
		"} );\n"
		"failover = { name = \"fo-x\"; role = \"%s\"; address = \"198.18.255.2\";\n"
		"  peer_address = \"198.18.255.1\"; %s };\n"
		"subnets = (\n"
		"  { subnet = \"198.18.0.0/24\";\n"
		"    pools = ( { range = \"198.18.0.10 - 198.18.0.200\"; failover = \"fo-x\"; } ); "
		"},\n"
		"  { subnet = \"198.18.1.0/24\"; pools = ( { range = \"198.18.1.10 - "
		"198.18.1.20\"; } ); }\n"
		");\n"
		"control = { state_dir = \"%s\"; };\n",
		role, strcmp(role, "primary") == 0 ? "mclt = 30; split = 128;" : "", dir);
	cr_assert_eq(lw_config_load_string(conf, "cfg", &cfg, err, sizeof(err)), 0, "%s", err);
	return cfg;
}

/* A binding of pool `pool`, made by a worker (pending) or told by the peer. */
static void put_fo(uint32_t addr, uint8_t state, uint8_t last, uint32_t start, uint32_t end,
	unsigned subnet, unsigned pool, bool from_peer)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_BIND;
	e.version = LW_RECORDS_VERSION;
	e.state = state;
	e.worker = from_peer ? LW_WORKER_PEER : 0;
	e.addr = addr;
	e.start = start;
	e.end = end;
	e.subnet = subnet;
	e.pool = (uint16_t)pool;
	if (last) {
		static const uint8_t mac[7] = {1, 0x00, 0x11, 0x22, 0x33, 0x44, 0};

		e.key.kind = LW_KEY_HWADDR;
		e.key.len = 7;
		memcpy(e.key.data, mac, 7);
		e.key.data[6] = last;
	}
	cr_assert_eq(store_apply(st, &e), 0);
}

/* The partner acknowledged addr's binding (state, end) with this tsfp. */
static void ack_fo(uint32_t addr, uint8_t state, uint32_t end, uint32_t tsfp)
{
	struct lw_bind_event e;

	memset(&e, 0, sizeof(e));
	e.type = LW_EV_FO_ACK;
	e.version = LW_RECORDS_VERSION;
	e.worker = LW_WORKER_CONTROL;
	e.state = state;
	e.addr = addr;
	e.start = tsfp;
	e.end = end;
	cr_assert_eq(store_apply(st, &e), 0);
}

static void write_fo_state(const char *my, uint32_t stos, const char *partner, uint32_t since)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/failover.state", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	/* As control/fopeer.c writes it. */
	fprintf(f,
		"# leasewire failover state: written by leasewire-control, do not edit while it "
		"runs\nrelationship fo-x\nmy-state %s\nmy-stos %u\npartner-state %s\n"
		"partner-since %u\nmclt 30\nhba "
		"0000000000000000000000000000000000000000000000000000000000000000\n",
		my, stos, partner, since);
	fclose(f);
}

static void fill_fo(uint32_t t0)
{
	/* Acknowledged by the partner: tsfp = atsfp. */
	put_fo(A(198, 18, 0, 10), LW_BIND_ACTIVE, 0x55, t0, t0 + 3600, 0, 0, false);
	ack_fo(A(198, 18, 0, 10), LW_BIND_ACTIVE, t0 + 3600, t0 + 5400);
	/* Not acknowledged yet: a tstp, so that dhcpd sends it. */
	put_fo(A(198, 18, 0, 11), LW_BIND_ACTIVE, 0x56, t0, t0 + 600, 0, 0, false);
	/* The secondary's free address, as the primary sent it. */
	put_fo(A(198, 18, 0, 12), LW_BIND_BACKUP, 0, t0, 0, 0, 0, true);
	/* A pool without failover: as before. */
	put_fo(A(198, 18, 1, 10), LW_BIND_ACTIVE, 0x57, t0, t0 + 3600, 1, 1, false);
}

static const char *isc_fo_leases = "lease 198.18.0.10 {\n"
				   "  starts 2 2023/11/14 22:13:20;\n"
				   "  ends 2 2023/11/14 23:13:20;\n"
				   "  tsfp 2 2023/11/14 23:43:20;\n"
				   "  atsfp 2 2023/11/14 23:43:20;\n"
				   "  cltt 2 2023/11/14 22:13:20;\n"
				   "  binding state active;\n"
				   "  next binding state expired;\n"
				   "  hardware ethernet 00:11:22:33:44:55;\n"
				   "}\n"
				   "lease 198.18.0.11 {\n"
				   "  starts 2 2023/11/14 22:13:20;\n"
				   "  ends 2 2023/11/14 22:23:20;\n"
				   "  tstp 2 2023/11/14 22:23:20;\n"
				   "  cltt 2 2023/11/14 22:13:20;\n"
				   "  binding state active;\n"
				   "  next binding state expired;\n"
				   "  hardware ethernet 00:11:22:33:44:56;\n"
				   "}\n"
				   "lease 198.18.0.12 {\n"
				   "  starts 2 2023/11/14 22:13:20;\n"
				   "  binding state backup;\n"
				   "}\n"
				   "lease 198.18.1.10 {\n"
				   "  starts 2 2023/11/14 22:13:20;\n"
				   "  ends 2 2023/11/14 23:13:20;\n"
				   "  cltt 2 2023/11/14 22:13:20;\n"
				   "  binding state active;\n"
				   "  next binding state free;\n"
				   "  hardware ethernet 00:11:22:33:44:57;\n"
				   "}\n";

Test(export, isc_failover_pools_and_state)
{
	struct lw_config *cfg = fo_config("secondary");
	char want[4096];
	FILE *f;

	fill_fo(T0);
	write_fo_state("normal", T0, "communications-interrupted", T0 + 50);
	f = open_mem();
	cr_assert_eq(export_isc(st, cfg, f, T0 + 100), 4);
	fclose(f);
	snprintf(want, sizeof(want),
		"# The format of this file is documented in the dhcpd.leases(5) manual page.\n"
		"# Exported by leasewire on 2023/11/14 22:15:00 UTC: 4 bindings.\n\n"
		"%s\n"
		"failover peer \"fo-x\" state {\n"
		"  my state normal at 2 2023/11/14 22:13:20;\n"
		"  partner state communications-interrupted at 2 2023/11/14 22:14:10;\n"
		"  mclt 30;\n"
		"}\n",
		isc_fo_leases);
	cr_expect_str_eq(text, want);
	lw_config_free(cfg);
}

Test(export, isc_failover_state_of_a_primary_has_no_mclt)
{
	struct lw_config *cfg = fo_config("primary");
	FILE *f;

	write_fo_state("partner-down", T0, "unknown-state", 0);
	f = open_mem();
	cr_assert_eq(export_isc(st, cfg, f, T0 + 100), 0);
	fclose(f);
	/* dhcpd refuses mclt on a primary, and takes a state at time 0 as unset. */
	cr_expect_not_null(strstr(text, "failover peer \"fo-x\" state {\n"
					"  my state partner-down at 2 2023/11/14 22:13:20;\n"
					"}\n"),
		"%s", text);
	cr_expect_null(strstr(text, "mclt"), "%s", text);
	lw_config_free(cfg);
}

Test(export, isc_failover_without_saved_state)
{
	struct lw_config *cfg = fo_config("secondary");
	FILE *f;

	f = open_mem();
	cr_assert_eq(export_isc(st, cfg, f, T0 + 100), 0);
	fclose(f);
	cr_expect_not_null(
		strstr(text, "\n# failover peer \"fo-x\": no state saved yet; dhcpd will start in "
			     "recover\n"),
		"%s", text);
	cr_expect_null(strstr(text, "state {"), "%s", text);

	/* A damaged file is not passed on to dhcpd either. */
	write_fo_state("NORMAL;", T0, "normal", T0);
	f = open_mem();
	export_isc(st, cfg, f, T0 + 100);
	fclose(f);
	cr_expect_not_null(strstr(text, "is unreadable; dhcpd will start in recover"), "%s", text);
	lw_config_free(cfg);
}

Test(export, isc_dhcpd_reads_the_failover_export)
{
	char conf[128], leases[128], cmd[512], out[8192];
	struct lw_config *cfg;
	uint32_t now = (uint32_t)time(NULL);
	FILE *f;

	if (!have_tool("/usr/sbin/dhcpd"))
		return;
	cfg = fo_config("secondary");
	fill_fo(now);
	write_fo_state("normal", now - 60, "communications-interrupted", now - 10);
	write_file("dhcpd.conf",
		"failover peer \"fo-x\" {\n"
		"  secondary; address 198.18.255.2; peer address 198.18.255.1;\n"
		"  port 647; peer port 647; max-response-delay 30; max-unacked-updates 10;\n"
		"}\n"
		"subnet 198.18.0.0 netmask 255.255.255.0 {\n"
		"  pool { failover peer \"fo-x\"; range 198.18.0.10 198.18.0.200; }\n"
		"}\n"
		"subnet 198.18.1.0 netmask 255.255.255.0 { range 198.18.1.10 198.18.1.20; }\n",
		conf, sizeof(conf));
	snprintf(leases, sizeof(leases), "%s/dhcpd.leases", dir);
	f = fopen(leases, "w");
	cr_assert_not_null(f);
	cr_assert_eq(export_isc(st, cfg, f, now), 4);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "/usr/sbin/dhcpd -4 -t -T -cf %s -lf %s -pf %s/pid 2>&1", conf,
		leases, dir);
	cr_assert_eq(run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect_null(strstr(out, "line "), "dhcpd reported a parse error:\n%s", out);
	cr_expect_null(strstr(out, "orrupt"), "%s", out);
	cr_expect_not_null(strstr(out, "Wrote "), "%s", out);

	/* The check can fail: a relationship dhcpd does not know. */
	f = fopen(leases, "a");
	fputs("failover peer \"other\" state {\n  my state normal at 2 2023/11/14 22:13:20;\n}\n",
		f);
	fclose(f);
	run(cmd, out, sizeof(out));
	cr_expect_not_null(strstr(out, "unknown failover peer"), "%s", out);
	lw_config_free(cfg);
}

Test(export, isc_failover_pending_expiry_and_release)
{
	struct lw_config *cfg = fo_config("primary");
	FILE *f;

	/* Ended, the partner not told yet: dhcpd sends it when it starts (tstp
	 * after atsfp), with a potential expiry no earlier than now. */
	put_fo(A(198, 18, 0, 20), LW_BIND_EXPIRED, 0x58, T0 - 600, T0 - 10, 0, 0, false);
	put_fo(A(198, 18, 0, 21), LW_BIND_RELEASED, 0x59, T0 - 600, T0 + 500, 0, 0, false);
	f = open_mem();
	cr_assert_eq(export_isc(st, cfg, f, T0 + 100), 2);
	fclose(f);
	cr_expect_not_null(strstr(text, "lease 198.18.0.20 {\n"
					"  starts 2 2023/11/14 22:03:20;\n"
					"  ends 2 2023/11/14 22:13:10;\n"
					"  tstp 2 2023/11/14 22:15:00;\n"
					"  cltt 2 2023/11/14 22:03:20;\n"
					"  binding state expired;\n"
					"  next binding state free;\n"),
		"%s", text);
	cr_expect_not_null(strstr(text, "lease 198.18.0.21 {\n"
					"  starts 2 2023/11/14 22:03:20;\n"
					"  ends 2 2023/11/14 22:21:40;\n"
					"  tstp 2 2023/11/14 22:21:40;\n"),
		"%s", text);
	cr_expect_null(strstr(text, "atsfp"), "%s", text);
	lw_config_free(cfg);
}
