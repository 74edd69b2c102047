/* SPDX-License-Identifier: MPL-2.0 */
/*
 * dhcpd.conf into leasewire's configuration (import/isc_conf.c). Every
 * converted text is loaded back through common/config.c, the loader the
 * dataplane's --check uses.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "import/isc_conf.h"

static char dir[] = "/tmp/lw-isc-conf.XXXXXX";
static struct isc_conf_result res;
static char err[512];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];

	isc_conf_result_free(&res);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(isc_conf, .init = setup, .fini = teardown);

/* Writes text as dir/name; returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* A port on a link no test declares (RFC 5737), given as --port would give
 * it, so that a test counts only the issues of its own statements. */
static const struct isc_conf_port test_port = {
	.name = "lan0", .device = "0000:00:00.0", .address = "192.0.2.1/24"};

static int conv_opts(const char *text, const struct isc_conf_opts *o)
{
	isc_conf_result_free(&res);
	err[0] = '\0';
	return isc_conf_convert(put("dhcpd.conf", text), o, &res, err, sizeof(err));
}

static int conv(const char *text)
{
	const struct isc_conf_opts o = {.ports = &test_port, .n_ports = 1};

	return conv_opts(text, &o);
}

/* No port given: the port is the failover address, or a guess. */
static int conv_no_port(const char *text)
{
	return conv_opts(text, NULL);
}

static const char *data_path(const char *name)
{
	static char path[512];
	const char *root = getenv("LW_SOURCE_ROOT");

	snprintf(path, sizeof(path), "%s/tests/import/data/%s", root ? root : ".", name);
	return path;
}

/* Loads the converted text through the configuration loader. */
static struct lw_config *load(void)
{
	struct lw_config *cfg = NULL;
	char lerr[512] = "";
	int rc = lw_config_load_string(res.text, "converted", &cfg, lerr, sizeof(lerr));

	cr_assert_eq(rc, 0, "converted text refused: %s\n%s", lerr, res.text);
	return cfg;
}

/* The issue whose statement starts with stmt, or NULL. */
static const struct isc_issue *find_issue(const char *stmt)
{
	for (size_t i = 0; i < res.n_issues; i++)
		if (strncmp(res.issues[i].stmt, stmt, strlen(stmt)) == 0)
			return &res.issues[i];
	return NULL;
}

static void assert_issue(const char *stmt, unsigned line, const char *why)
{
	const struct isc_issue *is = find_issue(stmt);

	cr_assert_not_null(is, "no issue for \"%s\" (%zu issues)", stmt, res.n_issues);
	cr_assert_eq(is->line, line, "\"%s\": line %u, expected %u", stmt, is->line, line);
	cr_assert(strstr(is->file, "dhcpd.conf") != NULL || strstr(is->file, ".conf") != NULL,
		"file %s", is->file);
	if (why != NULL)
		cr_assert(strstr(is->why, why) != NULL, "why: %s", is->why);
}

static void assert_no_issues(void)
{
	for (size_t i = 0; i < res.n_issues; i++)
		cr_log_error("%s:%u: %s: %s", res.issues[i].file, res.issues[i].line,
			res.issues[i].stmt, res.issues[i].why);
	cr_assert_eq(res.n_issues, 0);
}

static void assert_err_at(const char *file_suffix, unsigned line)
{
	char want[64];

	snprintf(want, sizeof(want), "%s:%u: ", file_suffix, line);
	cr_assert(strstr(err, want) != NULL, "error \"%s\" does not name %s", err, want);
}

static uint32_t ip(const char *s)
{
	uint32_t a;

	cr_assert_eq(lw_ip4_parse(s, &a), 0);
	return a;
}

/* ------------------------------------------------------------------------ */
/* the seed configurations */

Test(isc_conf, seed_primary)
{
	struct lw_config *cfg;
	const struct lw_failover_conf *fo;

	cr_assert_eq(isc_conf_convert(
			     data_path("seed-dhcpd-primary.conf"), NULL, &res, err, sizeof(err)),
		0, "%s", err);
	assert_no_issues();
	cr_assert_eq(res.n_subnets, 1);
	cr_assert_eq(res.n_pools, 1);
	cr_assert_eq(res.n_failover, 1);
	cr_assert_eq(res.n_hosts, 0, "the commented-out host stays out");
	cr_assert_null(strstr(res.text, "clevercode"));
	cfg = load();
	fo = &cfg->failover;
	cr_assert(cfg->has_failover);
	cr_assert_str_eq(fo->name, "dhcp");
	cr_assert_eq(fo->role, LW_FO_PRIMARY);
	cr_assert_eq(fo->addr, ip("10.18.33.10"));
	cr_assert_eq(fo->peer_addr, ip("10.18.33.20"));
	cr_assert_eq(fo->port, 520);
	cr_assert_eq(fo->peer_port, 519);
	cr_assert_eq(fo->mclt, 7200);
	cr_assert_eq(fo->hba[0], 0xff, "split 128: the first half is the primary's");
	cr_assert_eq(fo->hba[31], 0x00);
	cr_assert_eq(fo->lb_max_seconds, 3);
	cr_assert_eq(fo->max_response_delay, 10);
	cr_assert_eq(fo->max_unacked_updates, 10);
	cr_assert_eq(cfg->default_lease_time, 7200);
	cr_assert_eq(cfg->max_lease_time, 14400);
	cr_assert_eq(cfg->authoritative, false, "dhcpd is not authoritative by default");
	cr_assert_eq(cfg->n_subnets, 1);
	cr_assert_eq(cfg->subnets[0].net, ip("10.18.33.0"));
	cr_assert_eq(cfg->subnets[0].plen, 24);
	cr_assert(cfg->subnets[0].failover);
	cr_assert_eq(cfg->n_pools, 1);
	cr_assert_eq(cfg->pools[0].start, ip("10.18.33.30"));
	cr_assert_eq(cfg->pools[0].end, ip("10.18.33.240"));
	cr_assert_eq(cfg->n_ports, 1);
	cr_assert_eq(cfg->ports[0].addr, ip("10.18.33.10"), "the port holds the failover address");
	cr_assert(strstr(res.text, "routers = [ \"10.18.33.254\" ];") != NULL);
	cr_assert(strstr(res.text, "domain_name_servers = [ \"8.8.8.8\", \"114.114.114.114\" ];") !=
		  NULL);
	cr_assert(strstr(res.text, "# EDIT") != NULL, "the header says what to edit");
	lw_config_free(cfg);
}

Test(isc_conf, seed_secondary)
{
	struct lw_config *cfg;

	cr_assert_eq(isc_conf_convert(
			     data_path("seed-dhcpd-secondary.conf"), NULL, &res, err, sizeof(err)),
		0, "%s", err);
	assert_no_issues();
	cfg = load();
	cr_assert_eq(cfg->failover.role, LW_FO_SECONDARY);
	cr_assert_eq(cfg->failover.addr, ip("10.18.33.20"));
	cr_assert_eq(cfg->failover.port, 519);
	cr_assert_eq(cfg->failover.peer_port, 520);
	cr_assert_eq(cfg->failover.mclt, 0);
	cr_assert_null(strstr(res.text, "mclt"));
	cr_assert_null(strstr(res.text, "split"));
	cr_assert_eq(cfg->ports[0].addr, ip("10.18.33.20"));
	cr_assert_eq(cfg->pools[0].start, ip("10.18.33.30"));
	lw_config_free(cfg);
}

Test(isc_conf, lab_pair_and_real_dhcpd_configs)
{
	static const char *const files[] = {
		"isc-failover-pair-primary.conf",
		"isc-failover-pair-secondary.conf",
		"dhcpd-4.4.3.conf",
		"dhcpd-4.4.3-failover.conf",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct lw_config *cfg;

		isc_conf_result_free(&res);
		cr_assert_eq(isc_conf_convert(data_path(files[i]), NULL, &res, err, sizeof(err)), 0,
			"%s: %s", files[i], err);
		if (strcmp(files[i], "dhcpd-4.4.3.conf") == 0) {
			/* no failover block: the port's address is a guess */
			assert_issue("port lan0: address 198.18.200.254/24", 6, "was guessed");
			cr_assert_eq(res.n_issues, 1);
		} else {
			assert_no_issues();
		}
		cfg = load();
		cr_assert_eq(cfg->authoritative, true, "%s", files[i]);
		lw_config_free(cfg);
	}
}

/* The output passes the dataplane's own --check: LW_DATAPLANE, or the
 * binary of the build tree this test was built in. */
Test(isc_conf, dataplane_check)
{
	const char *bin = getenv("LW_DATAPLANE");
	char self[512], guess[600], cmd[1400];
	const char *out;
	ssize_t n;

	if (bin == NULL) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		cr_assert_gt(n, 0);
		self[n] = '\0';
		/* BUILD/tests/import/test_isc_conf -> BUILD/dataplane/leasewire-dataplane */
		for (int i = 0; i < 3 && strrchr(self, '/') != NULL; i++)
			*strrchr(self, '/') = '\0';
		snprintf(guess, sizeof(guess), "%s/dataplane/leasewire-dataplane", self);
		bin = guess;
	}
	if (access(bin, X_OK) != 0)
		cr_skip_test("no leasewire-dataplane at %s", bin);
	cr_assert_eq(isc_conf_convert(
			     data_path("seed-dhcpd-primary.conf"), NULL, &res, err, sizeof(err)),
		0);
	out = put("out.cfg", res.text);
	snprintf(cmd, sizeof(cmd), "%s -c %s --check >/dev/null", bin, out);
	cr_assert_eq(system(cmd), 0);
}

/* ------------------------------------------------------------------------ */
/* global parameters */

Test(isc_conf, lease_times_and_authoritative)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("default-lease-time 600;\n"
			  "max-lease-time 7200;\n"
			  "min-lease-time 60;\n"
			  "authoritative;\n"
			  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  not authoritative;\n"
			  "  default-lease-time 900;\n"
			  "  range 10.0.0.10 10.0.0.20;\n"
			  "}\n"),
		0, "%s", err);
	assert_no_issues();
	cfg = load();
	cr_assert_eq(cfg->default_lease_time, 600);
	cr_assert_eq(cfg->max_lease_time, 7200);
	cr_assert_eq(cfg->min_lease_time, 60);
	cr_assert_eq(cfg->authoritative, true);
	cr_assert_eq(cfg->subnets[0].authoritative, false);
	cr_assert_eq(cfg->subnets[0].default_lease_time, 900);
	cr_assert_eq(cfg->subnets[0].max_lease_time, 7200);
	cr_assert_eq(cfg->subnets[0].min_lease_time, 60);
	lw_config_free(cfg);
}

Test(isc_conf, dhcpd_defaults_when_unset)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("max-lease-time 120;\n"), 0, "%s", err);
	cfg = load();
	cr_assert_eq(cfg->max_lease_time, 120);
	cr_assert_eq(cfg->default_lease_time, 120, "dhcpd caps its 43200 s default");
	cr_assert_leq(cfg->min_lease_time, 120);
	lw_config_free(cfg);
	cr_assert_eq(conv("authoritative;\n"), 0);
	cfg = load();
	cr_assert_eq(cfg->default_lease_time, 43200);
	cr_assert_eq(cfg->max_lease_time, 86400);
	lw_config_free(cfg);
}

Test(isc_conf, lease_time_in_a_pool_is_reported)
{
	cr_assert_eq(conv("subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  pool {\n"
			  "    max-lease-time 60;\n"
			  "    range 10.0.0.10 10.0.0.20;\n"
			  "  }\n"
			  "}\n"),
		0);
	assert_issue("max-lease-time 60;", 3, "per subnet");
	lw_config_free(load());
}

Test(isc_conf, ddns_update_style)
{
	cr_assert_eq(conv("ddns-update-style none;\nddns-updates off;\n"), 0, "%s", err);
	assert_no_issues();
	cr_assert_eq(conv("# comment\nddns-update-style interim;\n"), 0);
	assert_issue("ddns-update-style interim;", 2, "DNS");
}

/* ------------------------------------------------------------------------ */
/* options */

Test(isc_conf, standard_options)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("option domain-name \"example.com\";\n"
			  "option domain-name-servers 192.0.2.53, 192.0.2.54;\n"
			  "option ntp-servers 192.0.2.123;\n"
			  "option domain-search \"a.example\", \"b.example\";\n"
			  "option time-offset -3600;\n"
			  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  option routers 10.0.0.1;\n"
			  "  option subnet-mask 255.255.255.0;\n"
			  "  option broadcast-address 10.0.0.255;\n"
			  "  option domain-name \"sub.example\";\n"
			  "  option interface-mtu 1400;\n"
			  "  option ip-forwarding off;\n"
			  "  option tftp-server-name \"tftp.example\";\n"
			  "  range 10.0.0.10 10.0.0.20;\n"
			  "}\n"),
		0, "%s", err);
	assert_no_issues();
	cr_assert(strstr(res.text, "{ name = \"domain-name-servers\"; value = [ \"192.0.2.53\", "
				   "\"192.0.2.54\" ]; }") != NULL);
	cr_assert(strstr(res.text, "routers = [ \"10.0.0.1\" ];") != NULL);
	cr_assert(strstr(res.text, "broadcast_address = \"10.0.0.255\";") != NULL);
	cr_assert(strstr(res.text, "domain_name = \"sub.example\";") != NULL);
	cr_assert(strstr(res.text, "{ name = \"interface-mtu\"; value = 1400; }") != NULL);
	cr_assert(strstr(res.text, "{ name = \"ip-forwarding\"; value = false; }") != NULL);
	cr_assert(strstr(res.text, "{ name = \"time-offset\"; value = -3600; }") != NULL);
	cr_assert_null(strstr(res.text, "subnet-mask"), "the same mask as derived: left out");
	cfg = load();
	lw_config_free(cfg);
}

Test(isc_conf, option_definitions)
{
	cr_assert_eq(conv("option wpad code 252 = text;\n"
			  "option rfc3442-classless-static-routes code 121 = array of unsigned "
			  "integer 8;\n"
			  "option my-ips code 224 = array of ip-address;\n"
			  "option my-flag code 225 = boolean;\n"
			  "option my-u16 code 226 = unsigned integer 16;\n"
			  "option my-rec code 227 = { ip-address, text };\n"
			  "option space acme;\n"
			  "option acme.thing code 1 = text;\n"
			  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  option wpad \"http://wpad.example/wpad.dat\";\n"
			  "  option rfc3442-classless-static-routes 24, 10, 2, 0, 10, 0, 0, 1;\n"
			  "  option my-ips 10.0.0.5, 10.0.0.6;\n"
			  "  option my-flag true;\n"
			  "  option my-u16 512;\n"
			  "  option my-rec 10.0.0.1 \"x\";\n"
			  "  option acme.thing \"y\";\n"
			  "  option made-up-name 1;\n"
			  "}\n"),
		0, "%s", err);
	cr_assert(strstr(res.text, "{ code = 252; type = \"string\"; value = "
				   "\"http://wpad.example/wpad.dat\"; }") != NULL);
	cr_assert(strstr(res.text, "{ code = 121; type = \"hex\"; value = "
				   "\"18:0a:02:00:0a:00:00:01\"; }") != NULL);
	cr_assert(strstr(res.text, "{ code = 224; type = \"ips\"; value = [ \"10.0.0.5\", "
				   "\"10.0.0.6\" ]; }") != NULL);
	cr_assert(strstr(res.text, "{ code = 225; type = \"bool\"; value = true; }") != NULL);
	cr_assert(strstr(res.text, "{ code = 226; type = \"u16\"; value = 512; }") != NULL);
	assert_issue("option my-rec 10.0.0.1", 15, "no leasewire equivalent");
	assert_issue("option acme.thing", 16, "option spaces");
	assert_issue("option made-up-name 1;", 17, "unknown option");
	cr_assert_eq(res.n_issues, 3);
	lw_config_free(load());
}

Test(isc_conf, option_values_checked)
{
	cr_assert_eq(conv("option domain-search \"a.example\", \"b..example\";\n"
			  "option interface-mtu 70000;\n"
			  "option ntp-servers 10.0.0.1 10.0.0.2;\n"
			  "option ip-forwarding maybe;\n"
			  "option default-ip-ttl = 3;\n"),
		0, "%s", err);
	assert_issue("option domain-search", 1, "domain names");
	assert_issue("option interface-mtu", 2, "range");
	assert_issue("option ntp-servers", 3, "malformed");
	assert_issue("option ip-forwarding", 4, "true or false");
	assert_issue("option default-ip-ttl", 5, NULL);
	cr_assert_eq(res.n_issues, 5);
	lw_config_free(load());
}

Test(isc_conf, options_leasewire_manages)
{
	cr_assert_eq(conv("option dhcp-lease-time 600;\n"
			  "option dhcp-server-identifier 10.0.0.1;\n"
			  "option subnet-mask 255.255.0.0;\n"
			  "option routers router.example;\n"),
		0);
	assert_issue("option dhcp-lease-time 600;", 1, "lease time");
	assert_issue("option dhcp-server-identifier", 2, "server identifier");
	assert_issue("option subnet-mask", 3, "netmask");
	assert_issue("option routers router.example;", 4, "IPv4 address");
	lw_config_free(load());
}

Test(isc_conf, option_in_pool_and_host_reported)
{
	cr_assert_eq(conv("subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  pool {\n"
			  "    option ntp-servers 10.0.0.1;\n"
			  "    range 10.0.0.10 10.0.0.20;\n"
			  "  }\n"
			  "}\n"
			  "host a {\n"
			  "  hardware ethernet 02:00:00:00:00:01;\n"
			  "  fixed-address 10.0.0.50;\n"
			  "  option host-name \"a\";\n"
			  "}\n"),
		0);
	assert_issue("option ntp-servers", 3, "per-pool");
	assert_issue("option host-name", 10, "per-host");
	cr_assert_eq(res.n_hosts, 1);
	lw_config_free(load());
}

/* ------------------------------------------------------------------------ */
/* subnets, shared networks, pools */

Test(isc_conf, shared_network_inheritance)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("default-lease-time 600;\n"
			  "shared-network \"floor1\" {\n"
			  "  option routers 10.1.0.1;\n"
			  "  default-lease-time 900;\n"
			  "  subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.20; }\n"
			  "  subnet 10.1.1.0 netmask 255.255.255.0 {\n"
			  "    option routers 10.1.1.1;\n"
			  "    range 10.1.1.10 10.1.1.20;\n"
			  "  }\n"
			  "  pool { range 10.1.0.30 10.1.0.40; }\n"
			  "}\n"),
		0, "%s", err);
	assert_no_issues();
	cfg = load();
	cr_assert_eq(cfg->n_subnets, 2);
	cr_assert_eq(cfg->n_pools, 3, "the shared-network pool lands in its subnet");
	cr_assert_eq(cfg->subnets[0].default_lease_time, 900);
	cr_assert_eq(cfg->subnets[1].default_lease_time, 900);
	cr_assert(strstr(res.text, "routers = [ \"10.1.0.1\" ];") != NULL);
	cr_assert(strstr(res.text, "routers = [ \"10.1.1.1\" ];") != NULL);
	lw_config_free(cfg);
}

Test(isc_conf, overlapping_subnet_reported)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"
			  "subnet 10.0.0.0 netmask 255.255.0.0 {\n"
			  "  range 10.0.1.10 10.0.1.20;\n"
			  "}\n"
			  "subnet 10.0.1.0 netmask 255.255.255.0 { }\n"),
		0, "%s", err);
	assert_issue("subnet 10.0.0.0 netmask 255.255.0.0", 2, "overlaps");
	cr_assert_eq(res.n_issues, 1);
	cfg = load();
	cr_assert_eq(cfg->n_subnets, 2);
	lw_config_free(cfg);
}

Test(isc_conf, pools_and_ranges)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  range 10.0.0.20 10.0.0.10;\n"
			  "  range 10.0.0.30;\n"
			  "  pool {\n"
			  "    range 10.0.0.100 10.0.0.110;\n"
			  "    range 10.0.0.120 10.0.0.130;\n"
			  "    deny dynamic bootp clients;\n"
			  "  }\n"
			  "}\n"),
		0, "%s", err);
	assert_no_issues();
	cfg = load();
	cr_assert_eq(cfg->n_pools, 4);
	cr_assert_eq(cfg->pools[0].start, ip("10.0.0.10"), "a reversed range is put in order");
	cr_assert_eq(cfg->pools[1].start, ip("10.0.0.30"));
	cr_assert_eq(cfg->pools[1].end, ip("10.0.0.30"));
	lw_config_free(cfg);
}

Test(isc_conf, range_problems_reported)
{
	cr_assert_eq(conv("subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  range 10.0.0.0 10.0.0.20;\n"
			  "  range 10.0.0.15 10.0.0.30;\n"
			  "  range dynamic-bootp 10.0.0.40 10.0.0.50;\n"
			  "  range 10.9.0.1 10.9.0.2;\n"
			  "}\n"),
		0, "%s", err);
	assert_issue("range 10.0.0.0 10.0.0.20;", 2, "network and broadcast");
	assert_issue("range 10.0.0.15 10.0.0.30;", 3, "overlaps");
	assert_issue("range dynamic-bootp", 4, "BOOTP");
	assert_issue("range 10.9.0.1", 5, "not inside");
	lw_config_free(load());
}

Test(isc_conf, server_address_kept_out)
{
	struct lw_config *cfg;

	cr_assert_eq(conv_no_port("failover peer \"p\" { primary; address 10.0.0.15; peer address "
				  "10.0.0.16;\n"
				  "  mclt 60; split 128; }\n"
				  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
				  "  pool { failover peer \"p\"; range 10.0.0.10 10.0.0.20; }\n"
				  "  pool { failover peer \"p\"; range 10.0.0.255; }\n"
				  "}\n"
				  "host me { hardware ethernet 02:00:00:00:00:01; fixed-address "
				  "10.0.0.15; }\n"),
		0, "%s", err);
	assert_issue("range 10.0.0.10 10.0.0.20;", 4, "server's own address");
	assert_issue("range 10.0.0.255;", 5, "broadcast");
	assert_issue("host me", 7, "server's own address");
	cr_assert_eq(res.n_issues, 3);
	cfg = load();
	cr_assert_eq(cfg->n_pools, 2, "split around the port's address");
	cr_assert_eq(cfg->pools[0].end, ip("10.0.0.14"));
	cr_assert_eq(cfg->pools[1].start, ip("10.0.0.16"));
	lw_config_free(cfg);
}

Test(isc_conf, permits)
{
	cr_assert_eq(conv("deny bootp;\nallow unknown-clients;\n"
			  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
			  "  pool { range 10.0.0.10 10.0.0.20; deny unknown-clients; allow members "
			  "of \"voip\"; }\n"
			  "}\n"),
		0);
	assert_issue("deny unknown-clients;", 4, "client classes");
	assert_issue("allow members of \"voip\";", 4, NULL);
	cr_assert_eq(res.n_issues, 2);
}

/* ------------------------------------------------------------------------ */
/* hosts */

Test(isc_conf, hosts_become_reservations)
{
	struct lw_config *cfg;
	const struct lw_subnet_conf *s;

	cr_assert_eq(
		conv("subnet 10.0.0.0 netmask 255.255.255.0 {\n"
		     "  range 10.0.0.10 10.0.0.20;\n"
		     "  host printer { hardware ethernet 00:0C:29:DB:6F:01; fixed-address "
		     "10.0.0.241; }\n"
		     "}\n"
		     "host phone { option dhcp-client-identifier 01:00:0c:29:db:6f:02; "
		     "fixed-address 10.0.0.242; }\n"
		     "host text-id { option dhcp-client-identifier \"ab\\001\"; fixed-address "
		     "10.0.0.243; }\n"
		     "host in-pool { hardware ethernet 0:c:29:db:6f:4; fixed-address 10.0.0.15; "
		     "}\n"),
		0, "%s", err);
	assert_no_issues();
	cr_assert_eq(res.n_hosts, 4);
	cr_assert(
		strstr(res.text, "{ hw_address = \"00:0c:29:db:6f:01\"; address = \"10.0.0.241\"; "
				 "hostname = \"printer\"; }") != NULL);
	cr_assert(strstr(res.text, "client_id = \"01:00:0c:29:db:6f:02\"") != NULL);
	cr_assert(strstr(res.text, "client_id = \"61:62:01\"") != NULL);
	cr_assert(strstr(res.text, "hw_address = \"00:0c:29:db:6f:04\"") != NULL);
	cfg = load();
	s = &cfg->subnets[0];
	cr_assert_eq(s->n_reservations, 4);
	lw_config_free(cfg);
}

Test(isc_conf, host_problems_reported)
{
	cr_assert_eq(
		conv("subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"
		     "host nofixed { hardware ethernet 02:00:00:00:00:01; }\n"
		     "host elsewhere { hardware ethernet 02:00:00:00:00:02; fixed-address "
		     "192.0.2.1; }\n"
		     "host both {\n"
		     "  hardware ethernet 02:00:00:00:00:03;\n"
		     "  option dhcp-client-identifier 01:02:00:00:00:00:03;\n"
		     "  fixed-address 10.0.0.50;\n"
		     "}\n"
		     "host dup { hardware ethernet 02:00:00:00:00:04; fixed-address 10.0.0.50; }\n"
		     "host short { hardware ethernet 00:0C:29:DB:6F; fixed-address 10.0.0.51; }\n"
		     "host named { hardware ethernet 02:00:00:00:00:05; fixed-address "
		     "pc.example.com; }\n"
		     "host two { hardware ethernet 02:00:00:00:00:06; fixed-address 10.0.0.52, "
		     "10.0.0.53; }\n"
		     "host tr { hardware token-ring 02:00:00:00:00:07; fixed-address 10.0.0.54; }\n"
		     "host ddns { hardware ethernet 02:00:00:00:00:08; fixed-address 10.0.0.55; "
		     "ddns-hostname \"x\"; }\n"),
		0, "%s", err);
	assert_issue("host nofixed", 2, "no fixed-address");
	assert_issue("host elsewhere", 3, "no declared subnet");
	assert_issue("host both", 4, "client identifier is carried");
	assert_issue("host dup", 9, "same address");
	assert_issue("hardware ethernet 00:0C:29:DB:6F;", 10, "6-byte");
	assert_issue("fixed-address pc.example.com;", 11, "not a host name");
	assert_issue("fixed-address 10.0.0.52, 10.0.0.53;", 12, "first");
	assert_issue("hardware token-ring", 13, "Ethernet");
	assert_issue("ddns-hostname", 14, NULL);
	cr_assert_eq(res.n_hosts, 3, "both, two and ddns");
	cr_assert_eq(res.n_issues, 9, "one issue per problem");
	lw_config_free(load());
}

Test(isc_conf, groups)
{
	struct lw_config *cfg;

	cr_assert_eq(
		conv("group {\n"
		     "  option routers 10.0.0.1;\n"
		     "  subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"
		     "  host a { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.0.50; }\n"
		     "}\n"
		     "subnet 10.0.1.0 netmask 255.255.255.0 {\n"
		     "  group \"phones\" {\n"
		     "    default-lease-time 60;\n"
		     "    host b { hardware ethernet 02:00:00:00:00:02; fixed-address 10.0.1.50; "
		     "}\n"
		     "    subnet 10.0.2.0 netmask 255.255.255.0 { }\n"
		     "  }\n"
		     "}\n"),
		0, "%s", err);
	assert_issue("option routers 10.0.0.1;", 2, "group");
	assert_issue("default-lease-time 60;", 8, NULL);
	assert_issue("subnet 10.0.2.0", 10, "inside a group");
	cr_assert_eq(res.n_issues, 3);
	cr_assert_eq(res.n_hosts, 2);
	cfg = load();
	cr_assert_eq(cfg->n_subnets, 2);
	lw_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* failover */

Test(isc_conf, failover_every_key)
{
	struct lw_config *cfg;
	const struct lw_failover_conf *fo;

	cr_assert_eq(conv("failover peer \"pair\" {\n"
			  "  primary;\n"
			  "  address 198.18.0.10;\n"
			  "  port 647;\n"
			  "  peer address 198.18.0.20;\n"
			  "  peer port 847;\n"
			  "  max-response-delay 30;\n"
			  "  max-unacked-updates 10;\n"
			  "  mclt 1800;\n"
			  "  hba ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
			  "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01;\n"
			  "  load balance max seconds 5;\n"
			  "  auto-partner-down 3600;\n"
			  "  max-lease-misbalance 20;\n"
			  "  max-lease-ownership 15;\n"
			  "  min-balance 120;\n"
			  "  max-balance 7200;\n"
			  "}\n"
			  "subnet 198.18.0.0 netmask 255.255.255.0 {\n"
			  "  pool { failover peer \"pair\"; range 198.18.0.100 198.18.0.199; }\n"
			  "}\n"),
		0, "%s", err);
	assert_no_issues();
	cfg = load();
	fo = &cfg->failover;
	cr_assert_eq(fo->peer_port, 847);
	cr_assert_eq(fo->max_response_delay, 30);
	cr_assert_eq(fo->mclt, 1800);
	cr_assert(fo->has_hba);
	cr_assert_eq(fo->hba[0], 0xff);
	cr_assert_eq(fo->hba[31], 0x01);
	cr_assert_eq(fo->lb_max_seconds, 5);
	cr_assert_eq(fo->auto_partner_down, 3600);
	cr_assert_eq(fo->max_lease_misbalance, 20);
	cr_assert_eq(fo->max_lease_ownership, 15);
	cr_assert_eq(fo->min_balance, 120);
	cr_assert_eq(fo->max_balance, 7200);
	cr_assert(cfg->subnets[0].failover);
	lw_config_free(cfg);
}

Test(isc_conf, failover_secondary_with_primary_keys)
{
	cr_assert_eq(conv("failover peer \"pair\" {\n"
			  "  secondary;\n"
			  "  address 198.18.0.20;\n"
			  "  peer address 198.18.0.10;\n"
			  "  mclt 1800;\n"
			  "  split 128;\n"
			  "  load balance max seconds 3;\n"
			  "}\n"
			  "subnet 198.18.0.0 netmask 255.255.255.0 {\n"
			  "  pool { failover peer \"pair\"; range 198.18.0.100 198.18.0.199; }\n"
			  "}\n"),
		0, "%s", err);
	assert_issue("mclt 1800;", 5, "secondary learns");
	assert_issue("split 128;", 6, "secondary learns");
	lw_config_free(load());
}

Test(isc_conf, failover_role_after_the_keys)
{
	struct lw_config *cfg;

	cr_assert_eq(conv("failover peer \"pair\" {\n"
			  "  mclt 1800;\n"
			  "  address 198.18.0.20;\n"
			  "  peer address 198.18.0.10;\n"
			  "  secondary;\n"
			  "}\n"),
		0, "%s", err);
	assert_issue("mclt 1800;", 2, "secondary learns");
	cfg = load();
	cr_assert_eq(cfg->failover.role, LW_FO_SECONDARY);
	lw_config_free(cfg);
}

Test(isc_conf, failover_problems_reported)
{
	cr_assert_eq(
		conv("failover peer \"a\" {\n"
		     "  primary; address 198.18.0.10; peer address 198.18.0.20;\n"
		     "  mclt 60; split 128;\n"
		     "  max-response-delay 99999;\n"
		     "  unknown-thing 5;\n"
		     "}\n"
		     "failover peer \"b\" {\n"
		     "  primary; address 198.18.0.10; peer address 198.18.0.30; mclt 60; split 1;\n"
		     "}\n"
		     "subnet 198.18.0.0 netmask 255.255.255.0 {\n"
		     "  pool { failover peer \"a\"; range 198.18.0.100 198.18.0.149; }\n"
		     "  pool { range 198.18.0.150 198.18.0.159; }\n"
		     "  pool { failover peer \"b\"; range 198.18.0.160 198.18.0.199; }\n"
		     "}\n"),
		0, "%s", err);
	assert_issue("max-response-delay 99999;", 4, "range");
	assert_issue("unknown-thing 5;", 5, "not a failover setting");
	assert_issue("failover peer \"b\"", 7, "one failover relationship");
	assert_issue("range 198.18.0.150", 12, "every pool");
	assert_issue("range 198.18.0.160", 13, "not carried");
	lw_config_free(load());
}

Test(isc_conf, failover_incomplete)
{
	cr_assert_eq(conv("failover peer \"a\" { primary; address 198.18.0.10; peer address "
			  "198.18.0.20; }\n"
			  "subnet 198.18.0.0 netmask 255.255.255.0 {\n"
			  "  pool { failover peer \"a\"; range 198.18.0.100 198.18.0.149; }\n"
			  "}\n"),
		0, "%s", err);
	assert_issue("failover peer \"a\"", 1, "mclt");
	cr_assert_eq(res.n_failover, 0);
	lw_config_free(load());
}

/* ------------------------------------------------------------------------ */
/* include */

Test(isc_conf, include_relative_to_the_including_file)
{
	char sub[256];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	put("sub/subnets.conf", "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
				"  range 10.0.0.10 10.0.0.20;\n"
				"  include \"opts.conf\";\n"
				"}\n");
	put("sub/opts.conf", "option routers 10.0.0.1;\nlog-facility local7;\n");
	cr_assert_eq(conv("include \"sub/subnets.conf\";\n"), 0, "%s", err);
	cr_assert(strstr(res.text, "routers = [ \"10.0.0.1\" ];") != NULL);
	cr_assert_eq(res.n_issues, 1);
	cr_assert(strstr(res.issues[0].file, "sub/opts.conf") != NULL, "%s", res.issues[0].file);
	cr_assert_eq(res.issues[0].line, 2);
	lw_config_free(load());
}

Test(isc_conf, include_loop)
{
	put("a.conf", "# a\ninclude \"b.conf\";\n");
	put("b.conf", "\n\ninclude \"a.conf\";\n");
	cr_assert_eq(conv("include \"a.conf\";\n"), -1);
	assert_err_at("b.conf", 3);
	cr_assert(strstr(err, "include loop") != NULL, "%s", err);
	cr_assert(
		strstr(err, "a.conf -> ") != NULL && strstr(err, "b.conf -> ") != NULL, "%s", err);
}

Test(isc_conf, include_missing)
{
	cr_assert_eq(conv("\ninclude \"nowhere.conf\";\n"), -1);
	assert_err_at("dhcpd.conf", 2);
	cr_assert(strstr(err, "nowhere.conf") != NULL);
}

Test(isc_conf, include_self)
{
	cr_assert_eq(conv("include \"dhcpd.conf\";\n"), -1);
	assert_err_at("dhcpd.conf", 1);
	cr_assert(strstr(err, "include loop") != NULL, "%s", err);
}

Test(isc_conf, include_refused_from_text)
{
	const char *t = "include \"/etc/passwd\";\n";

	cr_assert_eq(isc_conf_convert_text(t, strlen(t), "mem", NULL, &res, err, sizeof(err)), -1);
	assert_err_at("mem", 1);
}

/* ------------------------------------------------------------------------ */
/* unknown statements, malformed input */

Test(isc_conf, unknown_statements_reported)
{
	cr_assert_eq(
		conv("log-facility local7;\n"
		     "class \"voip\" {\n"
		     "  match if substring(option vendor-class-identifier, 0, 4) = \"voip\";\n"
		     "}\n"
		     "if exists agent.circuit-id { log(info, \"x\"); } else { log(info, \"y\"); }\n"
		     "next-server 10.0.0.5;\n"
		     "subnet 10.0.0.0 netmask 255.255.255.0 { filename \"pxelinux.0\"; }\n"),
		0, "%s", err);
	assert_issue("log-facility local7;", 1, "not supported");
	assert_issue("class \"voip\" {", 2, NULL);
	assert_issue("if exists agent.circuit-id", 5, NULL);
	assert_issue("next-server", 6, NULL);
	assert_issue("filename", 7, NULL);
	cr_assert_eq(res.n_issues, 5);
	cr_assert_eq(res.n_subnets, 1);
	lw_config_free(load());
}

Test(isc_conf, long_statement_shortened)
{
	char text[1200];

	snprintf(text, sizeof(text), "option domain-name \"%0900d\" \"x\";\n", 0);
	cr_assert_eq(conv(text), 0, "%s", err);
	cr_assert_eq(res.n_issues, 1);
	cr_assert_lt(strlen(res.issues[0].stmt), sizeof(res.issues[0].stmt));
	cr_assert(strstr(res.issues[0].stmt, "...") != NULL);
}

Test(isc_conf, malformed)
{
	static const struct {
		const char *text;
		unsigned line;
	} cases[] = {
		{"default-lease-time 600\nmax-lease-time 7200;\n", 2},
		{"default-lease-time abc;\n", 1},
		{"subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1 10.0.0.9;\n", 3},
		{"\n}\n", 2},
		{"subnet 10.0.0.0 netmask 255.0.255.0 { }\n", 1},
		{"subnet 10.0.0.1 netmask 255.255.255.0 { }\n", 1},
		{"subnet 10.0.0.300 netmask 255.255.255.0 { }\n", 1},
		{"subnet 10.0.0.0 mask 255.255.255.0 { }\n", 1},
		{"option domain-name \"unterminated;\n", 1},
		{"failover peer \"x\" {\n primary;\n port x;\n}\n", 3},
		{"subnet 10.0.0.0 netmask 255.255.255.0 {\n\n range 10.0.0.1 nope;\n}\n", 3},
		{"host a {\n hardware ethernet 02:00:00:00:00:01\n}\n", 3},
		{"a\x01;\n", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(conv(cases[i].text), -1, "case %zu", i);
		assert_err_at("dhcpd.conf", cases[i].line);
	}
}

Test(isc_conf, unreadable)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/none.conf", dir);
	cr_assert_eq(isc_conf_convert(path, NULL, &res, err, sizeof(err)), -1);
	cr_assert(strstr(err, "none.conf") != NULL);
	cr_assert_eq(isc_conf_convert(dir, NULL, &res, err, sizeof(err)), -1, "a directory");
}

/* ------------------------------------------------------------------------ */
/* ports and EAL arguments */

Test(isc_conf, given_ports_and_eal)
{
	static const struct isc_conf_port ports[] = {
		{.name = "core0", .device = "net_af_packet0,iface=eth1", .address = "10.0.0.2/24"},
		{.name = "core1", .device = "0000:02:00.0", .address = "10.0.1.2/24"},
	};
	struct isc_conf_opts o = {.ports = ports, .n_ports = 2, .eal_args = " -l 0-2  --no-huge "};
	struct lw_config *cfg;

	cr_assert_eq(
		isc_conf_convert(put("dhcpd.conf", "subnet 10.0.0.0 netmask 255.255.255.0 { range "
						   "10.0.0.10 10.0.0.20; }\n"),
			&o, &res, err, sizeof(err)),
		0, "%s", err);
	cfg = load();
	cr_assert_eq(cfg->n_ports, 2);
	cr_assert_str_eq(cfg->ports[0].device, "net_af_packet0,iface=eth1");
	cr_assert_eq(cfg->ports[1].addr, ip("10.0.1.2"));
	cr_assert_eq(cfg->eal_argc, 4);
	cr_assert_str_eq(cfg->eal_argv[1], "-l");
	cr_assert_str_eq(cfg->eal_argv[2], "0-2");
	cr_assert_str_eq(cfg->eal_argv[3], "--no-huge");
	lw_config_free(cfg);
}

Test(isc_conf, failover_address_is_the_port)
{
	struct lw_config *cfg;

	cr_assert_eq(
		conv_no_port(
			"failover peer \"p\" { secondary; address 10.0.1.5;\n"
			"  peer address 10.0.1.6; }\n"
			"subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"
			"subnet 10.0.1.0 netmask 255.255.255.0 {\n"
			"  pool { failover peer \"p\"; range 10.0.1.10 10.0.1.20; }\n"
			"}\n"),
		0, "%s", err);
	assert_no_issues(); /* the failover address is not a guess */
	cr_assert(strstr(res.text, "# the failover address") != NULL);
	cfg = load();
	cr_assert_eq(cfg->n_ports, 1);
	cr_assert_eq(cfg->ports[0].addr, ip("10.0.1.5"));
	cr_assert_eq(cfg->ports[0].plen, 24);
	lw_config_free(cfg);
}

Test(isc_conf, placeholder_port_without_failover)
{
	const char *why = "no --port given: the server address on this link was guessed; give "
			  "--port NAME=DEVICE,ADDR/LEN";
	struct lw_config *cfg;

	cr_assert_eq(conv_no_port("option domain-name \"example.org\";\n"
				  "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
				  "  option routers 10.0.0.254;\n"
				  "  range 10.0.0.10 10.0.0.20;\n"
				  "}\n"),
		0);
	cr_assert_eq(res.n_issues, 1, "the guessed port is reported");
	assert_issue("port lan0: address 10.0.0.253/24", 2, why);
	cr_assert(strstr(res.issues[0].file, "dhcpd.conf") != NULL, "%s", res.issues[0].file);
	cr_assert(strstr(res.text, "# EDIT: a placeholder server address") != NULL);
	cr_assert(strstr(res.text, "# EDIT before use") != NULL, "the device is always to edit");
	cfg = load();
	cr_assert_eq(cfg->n_ports, 1);
	cr_assert_eq(cfg->ports[0].addr, ip("10.0.0.253"), "not the router, not in a pool");
	lw_config_free(cfg);

	/* a failover address in no subnet is a guess too */
	cr_assert_eq(
		conv_no_port(
			"failover peer \"p\" { secondary; address 10.9.0.5;\n"
			"  peer address 10.9.0.6; }\n"
			"subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"),
		0, "%s", err);
	cr_assert_eq(res.n_issues, 1);
	assert_issue("port lan0: address 10.0.0.254/24", 3, why);

	/* no subnet to take it from: a placeholder, reported at the file */
	cr_assert_eq(conv_no_port("# nothing\n"), 0);
	cr_assert_eq(res.n_issues, 1);
	cr_assert_str_eq(res.issues[0].stmt, "port lan0: address 192.0.2.1/24, a placeholder");
	cr_assert(strstr(res.issues[0].file, "dhcpd.conf") != NULL, "%s", res.issues[0].file);
	cr_assert_str_eq(res.issues[0].why, why);
	cfg = load();
	cr_assert_eq(cfg->n_ports, 1);
	cr_assert_eq(cfg->n_subnets, 0);
	lw_config_free(cfg);

	/* a port given is not reported */
	cr_assert_eq(
		conv("subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n"), 0);
	assert_no_issues();
	cr_assert_null(strstr(res.text, "# EDIT: a placeholder server address"));
}
