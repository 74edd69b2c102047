/* SPDX-License-Identifier: MPL-2.0 */
/* Configuration loader: values, defaults, derived options, sorting, and one
 * exact message (with its line) for each kind of mistake. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/lw_err.h"
#include "common/lw_ip.h"

#define A(a, b, c, d) LW_IP4(a, b, c, d)

static char err[512];

static struct lw_config *load_ok(const char *text)
{
	struct lw_config *cfg = NULL;
	int rc;

	err[0] = '\0';
	rc = lw_config_load_string(text, "cfg", &cfg, err, sizeof(err));
	cr_assert_eq(rc, 0, "load failed (%d): %s", rc, err);
	cr_assert_not_null(cfg);
	return cfg;
}

static const struct lw_opt *opt(const struct lw_subnet_conf *s, unsigned code)
{
	for (unsigned k = 0; k < s->n_opts; k++)
		if (s->opts[k].code == code)
			return &s->opts[k];
	return NULL;
}

static void expect_opt(const struct lw_subnet_conf *s, unsigned code, const void *data, size_t len)
{
	const struct lw_opt *o = opt(s, code);

	cr_assert_not_null(o, "option %u missing", code);
	cr_expect_eq(o->len, len, "option %u: length %u, expected %zu", code, o->len, len);
	cr_expect(memcmp(o->data, data, len) == 0, "option %u: wrong bytes", code);
}

/* Finds a file of the source tree: from $LW_SOURCE_ROOT, the current
 * directory (the root, or a build directory inside it), or this file's. */
static const char *source_file(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("LW_SOURCE_ROOT"), *slash = strrchr(__FILE__, '/');
	char here[4096];
	const char *dirs[] = {root ? root : ".", ".", "..", here};

	snprintf(here, sizeof(here), "%.*s/../..", slash ? (int)(slash - __FILE__) : 1,
		slash ? __FILE__ : ".");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, len, "%s/%s", dirs[i], rel);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	cr_assert_fail(
		"%s not found (run from the source or build tree, or set LW_SOURCE_ROOT)", rel);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* A complete configuration */

/* clang-format off */
static const char *full_cfg =
	"dataplane = {\n"
	"    eal_args = [ \"-l\", \"0,1\", \"--no-huge\" ];\n"
	"    mbufs = 2047;\n"
	"};\n"
	"server = {\n"
	"    authoritative = false;\n"
	"    default_lease_time = 3600;\n"
	"    min_lease_time = 60;\n"
	"    max_lease_time = 7200;\n"
	"    decline_probation = 0;\n"
	"    offer_hold = 10;\n"
	"};\n"
	"ports = (\n"
	"    { name = \"lan0\"; device = \"0000:01:00.0\"; address = \"10.1.0.1/24\"; mtu = 1500;\n"
	"      routes = ( { to = \"0.0.0.0/0\"; via = \"10.1.0.254\"; },\n"
	"                 { to = \"10.9.0.0/16\"; via = \"10.1.0.253\"; } ); },\n"
	"    { name = \"lan1\"; device = \"net_af_packet0,iface=veth1\"; address = \"192.168.5.10/24\"; }\n"
	");\n"
	"options = (\n"
	"    { name = \"domain-name-servers\"; value = [ \"9.9.9.9\", \"1.1.1.1\" ]; },\n"
	"    { name = \"ntp-servers\"; value = \"10.1.0.123\"; },\n"
	"    { name = \"domain-search\"; value = [ \"example.com\", \"corp.example.com.\" ]; }\n"
	");\n"
	"subnets = (\n"
	"    { subnet = \"10.3.0.0/16\"; authoritative = true; default_lease_time = 600;\n"
	"      pools = ( { range = \"10.3.2.0 - 10.3.2.255\"; },\n"
	"                { start = \"10.3.1.10\"; end = \"10.3.1.20\"; } ); },\n"
	"    { subnet = \"10.1.0.0/24\"; routers = [ \"10.1.0.254\" ]; domain_name = \"lan.test\";\n"
	"      domain_name_servers = [ \"10.1.0.53\" ];\n"
	"      options = (\n"
	"          { code = 224; type = \"u8\"; value = 7; },\n"
	"          { code = 225; type = \"u16\"; value = 1400; },\n"
	"          { code = 226; type = \"u32\"; value = 4000000000L; },\n"
	"          { code = 227; type = \"i32\"; value = -3600; },\n"
	"          { code = 228; type = \"bool\"; value = true; },\n"
	"          { code = 229; type = \"string\"; value = \"hi\"; },\n"
	"          { code = 230; type = \"hex\"; value = \"01:02:ab\"; },\n"
	"          { code = 231; type = \"ip\"; value = \"1.2.3.4\"; },\n"
	"          { code = 42; value = [ \"10.1.0.7\" ]; }\n"
	"      );\n"
	"      pools = ( { range = \"10.1.0.100 - 10.1.0.199\"; } );\n"
	"      reservations = (\n"
	"          { hw_address = \"02:00:00:00:00:01\"; address = \"10.1.0.50\"; hostname = \"printer\"; },\n"
	"          { client_id = \"01:02:00:00:00:00:02\"; address = \"10.1.0.150\"; }\n"
	"      ); },\n"
	"    { subnet = \"172.16.0.0/12\"; broadcast_address = \"172.31.255.254\";\n"
	"      default_lease_time = 300; max_lease_time = 600; }\n"
	");\n";

/* clang-format on */

Test(config, full_scalars)
{
	struct lw_config *cfg = load_ok(full_cfg);

	cr_expect_eq(cfg->eal_argc, 4);
	cr_expect_str_eq(cfg->eal_argv[0], "leasewire-dataplane");
	cr_expect_str_eq(cfg->eal_argv[1], "-l");
	cr_expect_str_eq(cfg->eal_argv[2], "0,1");
	cr_expect_str_eq(cfg->eal_argv[3], "--no-huge");
	cr_expect_eq(cfg->mbufs, 2047);
	cr_expect_eq(cfg->max_leases, 0);
	cr_expect_not(cfg->authoritative);
	cr_expect_eq(cfg->default_lease_time, 3600);
	cr_expect_eq(cfg->min_lease_time, 60);
	cr_expect_eq(cfg->max_lease_time, 7200);
	cr_expect_eq(cfg->decline_probation, 0);
	cr_expect_eq(cfg->offer_hold, 10);
	cr_expect_str_eq(cfg->path, "cfg");
	lw_config_free(cfg);
}

Test(config, full_ports)
{
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_port_conf *p = cfg->ports;

	cr_assert_eq(cfg->n_ports, 2);
	cr_expect_str_eq(p[0].name, "lan0");
	cr_expect_str_eq(p[0].device, "0000:01:00.0");
	cr_expect_eq(p[0].addr, A(10, 1, 0, 1));
	cr_expect_eq(p[0].plen, 24);
	cr_expect_eq(p[0].mtu, 1500);
	cr_assert_eq(p[0].n_routes, 2);
	cr_expect_eq(p[0].routes[0].prefix, 0);
	cr_expect_eq(p[0].routes[0].plen, 0);
	cr_expect_eq(p[0].routes[0].via, A(10, 1, 0, 254));
	cr_expect_eq(p[0].routes[1].prefix, A(10, 9, 0, 0));
	cr_expect_eq(p[0].routes[1].plen, 16);
	cr_expect_eq(p[0].routes[1].via, A(10, 1, 0, 253));
	cr_expect_str_eq(p[1].name, "lan1");
	cr_expect_str_eq(p[1].device, "net_af_packet0,iface=veth1");
	cr_expect_eq(p[1].addr, A(192, 168, 5, 10));
	cr_expect_eq(p[1].mtu, 0);
	cr_expect_eq(p[1].n_routes, 0);
	lw_config_free(cfg);
}

Test(config, subnets_sorted_with_their_pools)
{
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_subnet_conf *s = cfg->subnets;

	cr_assert_eq(cfg->n_subnets, 3);
	cr_expect_eq(s[0].net, A(10, 1, 0, 0));
	cr_expect_eq(s[0].plen, 24);
	cr_expect_eq(s[0].mask, 0xffffff00u);
	cr_expect_eq(s[1].net, A(10, 3, 0, 0));
	cr_expect_eq(s[1].mask, 0xffff0000u);
	cr_expect_eq(s[2].net, A(172, 16, 0, 0));
	cr_expect_eq(s[2].mask, 0xfff00000u);

	cr_assert_eq(cfg->n_pools, 3);
	cr_expect_eq(s[0].first_pool, 0);
	cr_expect_eq(s[0].n_pools, 1);
	cr_expect_eq(s[1].first_pool, 1);
	cr_expect_eq(s[1].n_pools, 2);
	cr_expect_eq(s[2].n_pools, 0);
	cr_expect_eq(cfg->pools[0].start, A(10, 1, 0, 100));
	cr_expect_eq(cfg->pools[0].end, A(10, 1, 0, 199));
	cr_expect_eq(cfg->pools[0].subnet, 0);
	/* within a subnet, by start */
	cr_expect_eq(cfg->pools[1].start, A(10, 3, 1, 10));
	cr_expect_eq(cfg->pools[1].end, A(10, 3, 1, 20));
	cr_expect_eq(cfg->pools[1].subnet, 1);
	cr_expect_eq(cfg->pools[2].start, A(10, 3, 2, 0));
	cr_expect_eq(cfg->pools[2].end, A(10, 3, 2, 255));
	cr_expect_eq(cfg->pools[2].subnet, 1);
	lw_config_free(cfg);
}

Test(config, subnet_lease_times_inherit)
{
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_subnet_conf *s = cfg->subnets;

	cr_expect_not(s[0].authoritative);
	cr_expect_eq(s[0].default_lease_time, 3600);
	cr_expect_eq(s[0].min_lease_time, 60);
	cr_expect_eq(s[0].max_lease_time, 7200);
	cr_expect(s[1].authoritative);
	cr_expect_eq(s[1].default_lease_time, 600);
	cr_expect_eq(s[1].max_lease_time, 7200);
	cr_expect_not(s[2].authoritative);
	cr_expect_eq(s[2].default_lease_time, 300);
	cr_expect_eq(s[2].min_lease_time, 60);
	cr_expect_eq(s[2].max_lease_time, 600);
	lw_config_free(cfg);
}

Test(config, options_merged_and_sorted)
{
	static const uint8_t search[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		4, 'c', 'o', 'r', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
	static const unsigned codes0[] = {
		1, 3, 6, 15, 28, 42, 119, 224, 225, 226, 227, 228, 229, 230, 231};
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_subnet_conf *s = cfg->subnets;

	cr_assert_eq(s[0].n_opts, sizeof(codes0) / sizeof(codes0[0]));
	for (unsigned k = 0; k < s[0].n_opts; k++)
		cr_expect_eq(s[0].opts[k].code, codes0[k], "opts[%u] is %u", k, s[0].opts[k].code);
	expect_opt(&s[0], 1, "\xff\xff\xff\x00", 4);
	expect_opt(&s[0], 3, "\x0a\x01\x00\xfe", 4);
	expect_opt(&s[0], 6, "\x0a\x01\x00\x35", 4); /* the subnet's own, not the global */
	expect_opt(&s[0], 15, "lan.test", 8);
	expect_opt(&s[0], 28, "\x0a\x01\x00\xff", 4);
	expect_opt(&s[0], 42, "\x0a\x01\x00\x07", 4);
	expect_opt(&s[0], 119, search, sizeof(search));
	expect_opt(&s[0], 224, "\x07", 1);
	expect_opt(&s[0], 225, "\x05\x78", 2);
	expect_opt(&s[0], 226, "\xee\x6b\x28\x00", 4);
	expect_opt(&s[0], 227, "\xff\xff\xf1\xf0", 4);
	expect_opt(&s[0], 228, "\x01", 1);
	expect_opt(&s[0], 229, "hi", 2);
	expect_opt(&s[0], 230, "\x01\x02\xab", 3);
	expect_opt(&s[0], 231, "\x01\x02\x03\x04", 4);

	/* global options, mask and broadcast from the prefix */
	cr_expect_eq(s[1].n_opts, 5);
	expect_opt(&s[1], 1, "\xff\xff\x00\x00", 4);
	expect_opt(&s[1], 6, "\x09\x09\x09\x09\x01\x01\x01\x01", 8);
	expect_opt(&s[1], 28, "\x0a\x03\xff\xff", 4);
	expect_opt(&s[1], 42, "\x0a\x01\x00\x7b", 4);
	cr_expect_null(opt(&s[1], 3));

	/* a configured broadcast address wins over the derived one */
	expect_opt(&s[2], 1, "\xff\xf0\x00\x00", 4);
	expect_opt(&s[2], 28, "\xac\x1f\xff\xfe", 4);
	lw_config_free(cfg);
}

Test(config, reservations)
{
	static const uint8_t hw[] = {1, 2, 0, 0, 0, 0, 1};
	static const uint8_t cid[] = {1, 2, 0, 0, 0, 0, 2};
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_subnet_conf *s = &cfg->subnets[0];

	cr_assert_eq(s->n_reservations, 2);
	cr_expect_eq(s->reservations[0].kind, LW_RESV_HWADDR);
	cr_expect_eq(s->reservations[0].id_len, 7);
	cr_expect(memcmp(s->reservations[0].id, hw, 7) == 0);
	cr_expect_eq(s->reservations[0].addr, A(10, 1, 0, 50));
	cr_expect_str_eq(s->reservations[0].hostname, "printer");
	cr_expect_eq(s->reservations[1].kind, LW_RESV_CLIENT_ID);
	cr_expect_eq(s->reservations[1].id_len, 7);
	cr_expect(memcmp(s->reservations[1].id, cid, 7) == 0);
	cr_expect_eq(s->reservations[1].addr, A(10, 1, 0, 150));
	cr_expect_str_eq(s->reservations[1].hostname, "");
	cr_expect_eq(cfg->subnets[1].n_reservations, 0);
	cr_expect_null(cfg->subnets[1].reservations);
	lw_config_free(cfg);
}

Test(config, lookups)
{
	struct lw_config *cfg = load_ok(full_cfg);
	const struct lw_subnet_conf *s = cfg->subnets;

	cr_expect_eq(lw_config_subnet_for(cfg, A(10, 1, 0, 0)), &s[0]);
	cr_expect_eq(lw_config_subnet_for(cfg, A(10, 1, 0, 77)), &s[0]);
	cr_expect_eq(lw_config_subnet_for(cfg, A(10, 1, 0, 255)), &s[0]);
	cr_expect_null(lw_config_subnet_for(cfg, A(10, 1, 1, 0)));
	cr_expect_null(lw_config_subnet_for(cfg, A(10, 0, 255, 255)));
	cr_expect_null(lw_config_subnet_for(cfg, 0));
	cr_expect_eq(lw_config_subnet_for(cfg, A(10, 3, 200, 1)), &s[1]);
	cr_expect_eq(lw_config_subnet_for(cfg, A(172, 31, 255, 255)), &s[2]);
	cr_expect_null(lw_config_subnet_for(cfg, A(172, 32, 0, 0)));
	cr_expect_null(lw_config_subnet_for(cfg, 0xffffffffu));

	cr_expect_eq(lw_config_pool_for(cfg, &s[0], A(10, 1, 0, 100)), 0);
	cr_expect_eq(lw_config_pool_for(cfg, &s[0], A(10, 1, 0, 199)), 0);
	cr_expect_eq(lw_config_pool_for(cfg, &s[0], A(10, 1, 0, 99)), -1);
	cr_expect_eq(lw_config_pool_for(cfg, &s[0], A(10, 1, 0, 200)), -1);
	cr_expect_eq(lw_config_pool_for(cfg, &s[1], A(10, 3, 1, 15)), 1);
	cr_expect_eq(lw_config_pool_for(cfg, &s[1], A(10, 3, 2, 0)), 2);
	cr_expect_eq(lw_config_pool_for(cfg, &s[1], A(10, 3, 1, 21)), -1);
	cr_expect_eq(lw_config_pool_for(cfg, &s[1], A(10, 3, 1, 9)), -1);
	cr_expect_eq(lw_config_pool_for(cfg, &s[2], A(172, 16, 0, 1)), -1);
	lw_config_free(cfg);
}

Test(config, dump)
{
	struct lw_config *cfg = load_ok(full_cfg);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	lw_config_dump(cfg, f);
	fclose(f);
	cr_expect(strstr(text, "port 0 lan0: device 0000:01:00.0, address 10.1.0.1/24") != NULL,
		"%s", text);
	cr_expect(strstr(text, "route 10.9.0.0/16 via 10.1.0.253") != NULL, "%s", text);
	cr_expect(strstr(text, "subnet 10.1.0.0/24: not authoritative") != NULL, "%s", text);
	cr_expect(strstr(text, "1 pool (100 addresses), 2 reservations, 15 options") != NULL, "%s",
		text);
	cr_expect(strstr(text, "pool 10.3.1.10 - 10.3.1.20") != NULL, "%s", text);
	cr_expect(
		strstr(text, "option 6 domain-name-servers: 9.9.9.9, 1.1.1.1") != NULL, "%s", text);
	cr_expect(strstr(text, "option 119 domain-search: example.com, corp.example.com") != NULL,
		"%s", text);
	cr_expect(strstr(text, "option 15 domain-name: \"lan.test\"") != NULL, "%s", text);
	free(text);
	lw_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* Defaults */

#define X16	"0123456789abcdef"
#define X63	X16 X16 X16 "0123456789abcde"
#define HBA_ALT X16 X16 X16 X16 /* 0x01 0x23 ... 0xef, four times */

#define DP   "dataplane = { eal_args = [ \"-l\", \"0\" ]; };\n"
#define PORT "ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; } );\n"

Test(config, defaults)
{
	struct lw_config *cfg = load_ok(DP PORT "subnets = ( { subnet = \"10.0.0.0/24\"; } );\n");
	const struct lw_subnet_conf *s = &cfg->subnets[0];

	cr_expect_eq(cfg->eal_argc, 3);
	cr_expect_eq(cfg->mbufs, 8191);
	cr_expect_eq(cfg->max_leases, 0);
	cr_expect_eq(cfg->idle_sleep_us, 100);
	cr_expect(cfg->authoritative);
	cr_expect_eq(cfg->default_lease_time, 7200);
	cr_expect_eq(cfg->min_lease_time, 300);
	cr_expect_eq(cfg->max_lease_time, 86400);
	cr_expect_eq(cfg->decline_probation, 86400);
	cr_expect_eq(cfg->offer_hold, 30);
	cr_expect_eq(cfg->ports[0].mtu, 0);
	cr_expect(s->authoritative);
	cr_expect_eq(s->default_lease_time, 7200);
	cr_expect_eq(s->n_pools, 0);
	cr_expect_eq(cfg->n_pools, 0);
	cr_assert_eq(s->n_opts, 2);
	cr_expect_eq(s->opts[0].code, 1);
	cr_expect_eq(s->opts[1].code, 28);
	expect_opt(s, 28, "\x0a\x00\x00\xff", 4);
	lw_config_free(cfg);
}

Test(config, control_defaults)
{
	struct lw_config *cfg = load_ok(DP PORT);
	const struct lw_control_conf *c = &cfg->control;

	cr_expect_str_eq(c->socket, "/run/leasewire/control.sock");
	cr_expect_str_eq(c->state_dir, "/var/lib/leasewire");
	cr_expect_str_eq(c->shm, "leasewire");
	cr_expect_eq(c->durability, LW_DURABILITY_FSYNC);
	cr_expect_str_eq(lw_durability_name(c->durability), "fsync");
	cr_expect_eq(c->fsync_interval_us, 250);
	cr_expect_eq(c->fsync_batch, 4096);
	cr_expect_eq(c->ack_hold_ms, 2000);
	cr_expect_eq(c->history_window, 86400);
	cr_expect(!c->metrics);
	cr_expect_eq(c->metrics_addr, A(127, 0, 0, 1));
	cr_expect_eq(c->metrics_port, 9547);
	lw_config_free(cfg);
}

Test(config, control_set)
{
	struct lw_config *cfg = load_ok(DP PORT
		"control = { socket = \"/tmp/x.sock\"; state_dir = \"/tmp/st\"; shm = \"lw-t1\";\n"
		"  durability = \"none\"; fsync_interval_us = 500; fsync_batch = 64;\n"
		"  ack_hold_ms = 300; history_window = 0;\n"
		"  metrics = { enabled = true; address = \"198.18.0.1\"; port = 9100; }; };\n");
	const struct lw_control_conf *c = &cfg->control;

	cr_expect_str_eq(c->socket, "/tmp/x.sock");
	cr_expect_str_eq(c->state_dir, "/tmp/st");
	cr_expect_str_eq(c->shm, "lw-t1");
	cr_expect_eq(c->durability, LW_DURABILITY_NONE);
	cr_expect_eq(c->fsync_interval_us, 500);
	cr_expect_eq(c->fsync_batch, 64);
	cr_expect_eq(c->ack_hold_ms, 300);
	cr_expect_eq(c->history_window, 0);
	cr_expect(c->metrics);
	cr_expect_eq(c->metrics_addr, A(198, 18, 0, 1));
	cr_expect_eq(c->metrics_port, 9100);
	lw_config_free(cfg);
}

Test(config, no_subnets)
{
	struct lw_config *cfg = load_ok(DP PORT);

	cr_expect_eq(cfg->n_subnets, 0);
	cr_expect_null(lw_config_subnet_for(cfg, A(10, 0, 0, 5)));
	lw_config_free(cfg);
}

Test(config, largest_values)
{
	struct lw_config *cfg =
		load_ok("dataplane = { eal_args = [ \"-l\", \"0\" ];\n"
			"  mbufs = 1048575; max_leases = 268435456; idle_sleep_us = 100000; };\n"
			"server = { max_lease_time = 2147483648L;\n"
			"  decline_probation = 2147483648L; offer_hold = 3600; };\n" PORT);

	cr_expect_eq(cfg->mbufs, 1048575);
	cr_expect_eq(cfg->max_leases, 268435456u);
	cr_expect_eq(cfg->idle_sleep_us, 100000u);
	cr_expect_eq(cfg->max_lease_time, 2147483648u);
	cr_expect_eq(cfg->decline_probation, 2147483648u);
	lw_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* failover { } */

/* The seed ISC pair (/work/shared/fixtures/seed-dhcpd-{primary,secondary}.conf)
 * written in leasewire syntax: same relationship, same values. */
/* clang-format off */
#define SEED_COMMON(port_addr) \
	"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n" \
	"server = { default_lease_time = 7200; max_lease_time = 14400; };\n" \
	"ports = ( { name = \"lan0\"; device = \"0000:01:00.0\"; address = \"" port_addr "\"; } );\n"
#define SEED_SUBNET \
	"subnets = ( {\n" \
	"    subnet = \"10.18.33.0/24\";\n" \
	"    routers = [ \"10.18.33.254\" ];\n" \
	"    domain_name_servers = [ \"8.8.8.8\", \"114.114.114.114\" ];\n" \
	"    pools = ( { failover = \"dhcp\"; range = \"10.18.33.30 - 10.18.33.240\"; } );\n" \
	"} );\n"

static const char *seed_primary =
	SEED_COMMON("10.18.33.10/24")
	"failover = {\n"
	"    name = \"dhcp\";\n"
	"    role = \"primary\";\n"
	"    address = \"10.18.33.10\";\n"
	"    port = 520;\n"
	"    peer_address = \"10.18.33.20\";\n"
	"    peer_port = 519;\n"
	"    max_response_delay = 10;\n"
	"    max_unacked_updates = 10;\n"
	"    mclt = 7200;\n"
	"    split = 128;\n"
	"    load_balance_max_seconds = 3;\n"
	"};\n"
	SEED_SUBNET;

static const char *seed_secondary =
	SEED_COMMON("10.18.33.20/24")
	"failover = {\n"
	"    name = \"dhcp\";\n"
	"    role = \"secondary\";\n"
	"    address = \"10.18.33.20\";\n"
	"    port = 519;\n"
	"    peer_address = \"10.18.33.10\";\n"
	"    peer_port = 520;\n"
	"    max_response_delay = 10;\n"
	"    max_unacked_updates = 10;\n"
	"    load_balance_max_seconds = 3;\n"
	"};\n"
	SEED_SUBNET;

/* clang-format on */

static const uint8_t hba_split128[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The knobs the seed does not set keep ISC's defaults (FAILOVER.md 1.1). */
static void expect_fo_balance_defaults(const struct lw_failover_conf *fo)
{
	cr_expect_eq(fo->auto_partner_down, 0);
	cr_expect_eq(fo->max_lease_misbalance, 15);
	cr_expect_eq(fo->max_lease_ownership, 10);
	cr_expect_eq(fo->min_balance, 60);
	cr_expect_eq(fo->max_balance, 3600);
}

Test(config_failover, seed_primary)
{
	struct lw_config *cfg = load_ok(seed_primary);
	const struct lw_failover_conf *fo = &cfg->failover;

	cr_assert(cfg->has_failover);
	cr_expect_str_eq(fo->name, "dhcp");
	cr_expect_eq(fo->role, LW_FO_PRIMARY);
	cr_expect_eq(fo->addr, A(10, 18, 33, 10));
	cr_expect_eq(fo->port, 520);
	cr_expect_eq(fo->peer_addr, A(10, 18, 33, 20));
	cr_expect_eq(fo->peer_port, 519);
	cr_expect_eq(fo->max_response_delay, 10);
	cr_expect_eq(fo->max_unacked_updates, 10);
	cr_expect_eq(fo->mclt, 7200);
	cr_expect(fo->has_hba);
	cr_expect_arr_eq(fo->hba, hba_split128, 32, "split 128: 16 x 0xff then 16 x 0x00");
	cr_expect_eq(fo->lb_max_seconds, 3);
	expect_fo_balance_defaults(fo);
	cr_assert_eq(cfg->n_subnets, 1);
	cr_assert_eq(cfg->n_pools, 1);
	cr_expect(cfg->subnets[0].failover);
	cr_expect(cfg->pools[0].failover);
	cr_expect_eq(cfg->pools[0].start, A(10, 18, 33, 30));
	cr_expect_eq(cfg->pools[0].end, A(10, 18, 33, 240));
	lw_config_free(cfg);
}

Test(config_failover, seed_secondary)
{
	struct lw_config *cfg = load_ok(seed_secondary);
	const struct lw_failover_conf *fo = &cfg->failover;
	const uint8_t zero[32] = {0};

	cr_assert(cfg->has_failover);
	cr_expect_str_eq(fo->name, "dhcp");
	cr_expect_eq(fo->role, LW_FO_SECONDARY);
	cr_expect_eq(fo->addr, A(10, 18, 33, 20));
	cr_expect_eq(fo->port, 519);
	cr_expect_eq(fo->peer_addr, A(10, 18, 33, 10));
	cr_expect_eq(fo->peer_port, 520);
	cr_expect_eq(fo->max_response_delay, 10);
	cr_expect_eq(fo->max_unacked_updates, 10);
	cr_expect_eq(fo->mclt, 0, "the secondary learns the MCLT from CONNECT");
	cr_expect_not(fo->has_hba);
	cr_expect_arr_eq(fo->hba, zero, 32);
	cr_expect_eq(fo->lb_max_seconds, 3);
	expect_fo_balance_defaults(fo);
	cr_expect(cfg->subnets[0].failover);
	cr_expect(cfg->pools[0].failover);
	lw_config_free(cfg);
}

/* The two halves of a pair mirror each other: one side's port is the other
 * side's peer_port, and the addresses swap. */
Test(config_failover, seed_pair_mirrors)
{
	struct lw_config *p = load_ok(seed_primary), *s = load_ok(seed_secondary);

	cr_expect_str_eq(p->failover.name, s->failover.name);
	cr_expect_eq(p->failover.port, s->failover.peer_port);
	cr_expect_eq(p->failover.peer_port, s->failover.port);
	cr_expect_eq(p->failover.addr, s->failover.peer_addr);
	cr_expect_eq(p->failover.peer_addr, s->failover.addr);
	cr_expect_eq(lw_config_layout_hash(p), lw_config_layout_hash(s));
	lw_config_free(p);
	lw_config_free(s);
}

#define FO_MIN                                                                                     \
	"failover = { name = \"fo\"; role = \"secondary\"; address = \"10.0.0.1\";\n"              \
	"  peer_address = \"10.0.0.2\"; };\n"

Test(config_failover, defaults)
{
	struct lw_config *cfg = load_ok(DP PORT FO_MIN);
	const struct lw_failover_conf *fo = &cfg->failover;

	cr_assert(cfg->has_failover);
	cr_expect_str_eq(fo->name, "fo");
	cr_expect_eq(fo->role, LW_FO_SECONDARY);
	cr_expect_eq(fo->port, 647);
	cr_expect_eq(fo->peer_port, 647);
	cr_expect_eq(fo->max_response_delay, 20);
	cr_expect_eq(fo->max_unacked_updates, 100);
	cr_expect_eq(fo->mclt, 0);
	cr_expect_not(fo->has_hba);
	cr_expect_eq(fo->lb_max_seconds, 0, "load balancing off by default");
	expect_fo_balance_defaults(fo);
	lw_config_free(cfg);
}

Test(config_failover, absent)
{
	struct lw_config *cfg =
		load_ok(DP PORT "subnets = ( { subnet = \"10.0.0.0/24\";\n"
				"  pools = ( { range = \"10.0.0.10 - 10.0.0.20\"; } ); } );\n");

	cr_expect_not(cfg->has_failover);
	cr_expect_not(cfg->subnets[0].failover);
	cr_expect_not(cfg->pools[0].failover);
	lw_config_free(cfg);
}

Test(config_failover, every_key_set)
{
	struct lw_config *cfg = load_ok(DP PORT
		"failover = {\n"
		"  name = \"" X63 "\"; role = \"primary\";\n"
		"  address = \"198.18.0.2\"; port = 1; peer_address = \"198.18.0.3\";\n"
		"  peer_port = 65535; max_response_delay = 3600; max_unacked_updates = 65535;\n"
		"  mclt = 2147483648L; hba = \"" HBA_ALT "\";\n"
		"  load_balance_max_seconds = 65535; auto_partner_down = 2147483648L;\n"
		"  max_lease_misbalance = 100; max_lease_ownership = 0;\n"
		"  min_balance = 1; max_balance = 1;\n"
		"};\n");
	const struct lw_failover_conf *fo = &cfg->failover;

	cr_expect_str_eq(fo->name, X63);
	cr_expect_eq(fo->role, LW_FO_PRIMARY);
	cr_expect_eq(fo->addr, A(198, 18, 0, 2));
	cr_expect_eq(fo->port, 1);
	cr_expect_eq(fo->peer_addr, A(198, 18, 0, 3));
	cr_expect_eq(fo->peer_port, 65535);
	cr_expect_eq(fo->max_response_delay, 3600);
	cr_expect_eq(fo->max_unacked_updates, 65535);
	cr_expect_eq(fo->mclt, 2147483648u);
	cr_expect(fo->has_hba);
	cr_expect_eq(fo->hba[0], 0x01);
	cr_expect_eq(fo->hba[1], 0x23);
	cr_expect_eq(fo->hba[31], 0xef);
	cr_expect_eq(fo->lb_max_seconds, 65535);
	cr_expect_eq(fo->auto_partner_down, 2147483648u);
	cr_expect_eq(fo->max_lease_misbalance, 100);
	cr_expect_eq(fo->max_lease_ownership, 0);
	cr_expect_eq(fo->min_balance, 1);
	cr_expect_eq(fo->max_balance, 1);
	lw_config_free(cfg);
}

struct hba_case {
	const char *value; /* split N, or hba "..." */
	uint8_t hba[32];
};

/* clang-format off */
static const struct hba_case hba_cases[] = {
	{"split = 0;", {0}},
	{"split = 1;", {0x01}},
	{"split = 9;", {0xff, 0x01}},
	{"split = 128;", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	{"split = 256;", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	{"hba = \"" HBA_ALT "\";", {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
	/* ISC writes the bitmap as colon-separated bytes, one digit for < 0x10 */
	{"hba = \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0\";", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	{"hba = \"AA:55:0f:f0:1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:10:20:30:40:50:60:70:80:90:a0:b0:c0:d0\";",
		{0xaa, 0x55, 0x0f, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0}},
};

/* clang-format on */

#define N_HBA (sizeof(hba_cases) / sizeof(hba_cases[0]))

ParameterizedTestParameters(config_failover, hba)
{
	static int idx[N_HBA];

	for (unsigned i = 0; i < N_HBA; i++)
		idx[i] = (int)i;
	return cr_make_param_array(int, idx, N_HBA);
}

ParameterizedTest(int *i, config_failover, hba)
{
	const struct hba_case *h = &hba_cases[*i];
	char text[2048];
	struct lw_config *cfg;

	snprintf(text, sizeof(text),
		DP PORT "failover = { name = \"fo\"; role = \"primary\"; address = \"10.0.0.1\";\n"
			"  peer_address = \"10.0.0.2\"; mclt = 3600; %s };\n",
		h->value);
	cfg = load_ok(text);
	cr_expect(cfg->failover.has_hba, "%s", h->value);
	cr_expect_arr_eq(cfg->failover.hba, h->hba, 32, "%s: wrong bitmap", h->value);
	lw_config_free(cfg);
}

/* A relationship with no pool is allowed, and subnets without failover pools
 * sit next to failover subnets; the flags follow the subnets' sort. */
Test(config_failover, subnets_with_and_without)
{
	struct lw_config *cfg = load_ok(DP PORT FO_MIN
		"subnets = (\n"
		"  { subnet = \"10.0.2.0/24\";\n"
		"    pools = ( { range = \"10.0.2.10 - 10.0.2.20\"; failover = \"fo\"; },\n"
		"              { start = \"10.0.2.100\"; end = \"10.0.2.120\";\n"
		"                failover = \"fo\"; } ); },\n"
		"  { subnet = \"10.0.0.0/24\";\n"
		"    pools = ( { range = \"10.0.0.10 - 10.0.0.20\"; } ); },\n"
		"  { subnet = \"10.0.1.0/24\"; }\n"
		");\n");

	cr_assert_eq(cfg->n_subnets, 3);
	cr_expect_not(cfg->subnets[0].failover); /* 10.0.0.0/24 */
	cr_expect_not(cfg->subnets[1].failover); /* 10.0.1.0/24, no pools */
	cr_expect(cfg->subnets[2].failover);
	cr_assert_eq(cfg->n_pools, 3);
	cr_expect_not(cfg->pools[0].failover);
	cr_expect(cfg->pools[1].failover);
	cr_expect(cfg->pools[2].failover);
	lw_config_free(cfg);

	cfg = load_ok(DP PORT FO_MIN);
	cr_expect(cfg->has_failover);
	cr_expect_eq(cfg->n_pools, 0);
	lw_config_free(cfg);
}

Test(config_failover, dump)
{
	struct lw_config *cfg = load_ok(seed_primary);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	lw_config_dump(cfg, f);
	fclose(f);
	cr_expect(strstr(text, "failover \"dhcp\": primary, 10.18.33.10:520, peer 10.18.33.20:519, "
			       "max_response_delay 10 s, max_unacked_updates 10, mclt 7200 s, hba "
			       "ffffffffffffffffffffffffffffffff00000000000000000000000000000000, "
			       "load_balance_max_seconds 3") != NULL,
		"%s", text);
	cr_expect(strstr(text, "pool 10.18.33.30 - 10.18.33.240 (failover)") != NULL, "%s", text);
	free(text);
	lw_config_free(cfg);
	cr_expect_str_eq(lw_fo_role_name(LW_FO_SECONDARY), "secondary");
	cr_expect_str_eq(lw_fo_role_name(7), "?");
}

/* ------------------------------------------------------------------------ */
/* Files */

Test(config, example_file_loads)
{
	char path[4096];
	struct lw_config *cfg = NULL;
	const struct lw_subnet_conf *s;
	int rc;

	source_file("examples/leasewire.cfg", path, sizeof(path));
	rc = lw_config_load(path, &cfg, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_str_eq(cfg->path, path);
	cr_expect_eq(cfg->mbufs, 16383);
	cr_expect_eq(cfg->max_lease_time, 14400);
	cr_assert_eq(cfg->n_ports, 1);
	cr_expect_str_eq(cfg->ports[0].name, "lan0");
	cr_expect_eq(cfg->ports[0].addr, A(10, 18, 33, 10));
	cr_expect_eq(cfg->ports[0].routes[0].via, A(10, 18, 33, 254));
	cr_assert_eq(cfg->n_subnets, 1);
	s = &cfg->subnets[0];
	cr_expect_eq(s->net, A(10, 18, 33, 0));
	cr_assert_eq(cfg->n_pools, 1);
	cr_expect_eq(cfg->pools[0].start, A(10, 18, 33, 30));
	cr_expect_eq(cfg->pools[0].end, A(10, 18, 33, 240));
	expect_opt(s, 1, "\xff\xff\xff\x00", 4);
	expect_opt(s, 3, "\x0a\x12\x21\xfe", 4);
	expect_opt(s, 6, "\x08\x08\x08\x08\x72\x72\x72\x72", 8);
	expect_opt(s, 28, "\x0a\x12\x21\xff", 4);
	lw_config_free(cfg);
}

Test(config, demo_file_loads)
{
	char path[4096];
	struct lw_config *cfg = NULL;
	int rc;

	source_file("examples/demo.cfg", path, sizeof(path));
	rc = lw_config_load(path, &cfg, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect_str_eq(cfg->ports[0].device, "net_af_packet0,iface=@IFACE@");
	cr_expect_eq(cfg->ports[0].addr, A(198, 18, 0, 1));
	cr_expect_eq(cfg->ports[0].n_routes, 2);
	cr_assert_eq(cfg->n_subnets, 2);
	cr_expect_eq(cfg->subnets[0].net, A(198, 18, 0, 0));
	cr_expect_eq(cfg->subnets[0].default_lease_time, 600);
	cr_expect_eq(cfg->subnets[1].net, A(198, 18, 1, 0));
	cr_expect_eq(cfg->pools[0].start, A(198, 18, 0, 100));
	cr_expect_eq(cfg->pools[1].end, A(198, 18, 1, 250));
	for (int i = 0; i < cfg->eal_argc; i++)
		cr_expect_str_neq(cfg->eal_argv[i], "--vdev");
	lw_config_free(cfg);
}

/* The example pair loads and mirrors itself, as the seed pair does. */
Test(config_failover, example_files_load)
{
	char path[4096];
	struct lw_config *p = NULL, *s = NULL;
	const uint8_t zero[32] = {0};
	int rc;

	source_file("examples/failover-primary.cfg", path, sizeof(path));
	rc = lw_config_load(path, &p, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	source_file("examples/failover-secondary.cfg", path, sizeof(path));
	rc = lw_config_load(path, &s, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(p->has_failover);
	cr_assert(s->has_failover);
	cr_expect_eq(p->failover.role, LW_FO_PRIMARY);
	cr_expect_eq(s->failover.role, LW_FO_SECONDARY);
	cr_expect_str_eq(p->failover.name, s->failover.name);
	cr_expect_eq(p->failover.addr, s->failover.peer_addr);
	cr_expect_eq(p->failover.peer_addr, s->failover.addr);
	cr_expect_eq(p->failover.port, s->failover.peer_port);
	cr_expect_eq(p->failover.peer_port, s->failover.port);
	cr_expect_eq(p->failover.mclt, 3600);
	cr_expect_arr_eq(p->failover.hba, hba_split128, 32);
	cr_expect_arr_eq(s->failover.hba, zero, 32);
	cr_expect_eq(p->failover.lb_max_seconds, s->failover.lb_max_seconds);
	cr_expect_eq(lw_config_layout_hash(p), lw_config_layout_hash(s));
	cr_assert_eq(p->n_subnets, s->n_subnets);
	for (unsigned i = 0; i < p->n_subnets; i++)
		cr_expect_eq(p->subnets[i].failover, s->subnets[i].failover);
	/* addresses from 198.18.0.0/15 (RFC 2544 benchmarking) only */
	cr_expect(lw_in_prefix(p->failover.addr, A(198, 18, 0, 0), 15));
	cr_expect(lw_in_prefix(p->failover.peer_addr, A(198, 18, 0, 0), 15));
	cr_expect(lw_in_prefix(p->ports[0].addr, A(198, 18, 0, 0), 15));
	cr_expect(lw_in_prefix(s->ports[0].addr, A(198, 18, 0, 0), 15));
	for (unsigned i = 0; i < p->n_pools; i++)
		cr_expect(lw_in_prefix(p->pools[i].start, A(198, 18, 0, 0), 15));
	cr_expect(p->subnets[0].failover);
	lw_config_free(p);
	lw_config_free(s);
}

Test(config, missing_file)
{
	struct lw_config *cfg = NULL;
	int rc = lw_config_load("/nonexistent/leasewire.cfg", &cfg, err, sizeof(err));

	cr_expect_eq(rc, -ENOENT);
	cr_expect_null(cfg);
	cr_expect(strstr(err, "/nonexistent/leasewire.cfg: cannot read") != NULL, "%s", err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* @include is relative to the including file; messages name the file the
 * setting came from. */
Test(config, include_relative_to_file)
{
	char dir[] = "/tmp/lw-config-XXXXXX", main_path[256], inc_path[256];
	struct lw_config *cfg = NULL;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(main_path, sizeof(main_path), "%s/main.cfg", dir);
	snprintf(inc_path, sizeof(inc_path), "%s/ports.cfg", dir);
	write_file(main_path, DP "@include \"ports.cfg\"\n");
	write_file(inc_path, PORT);
	rc = lw_config_load(main_path, &cfg, err, sizeof(err));
	cr_expect_eq(rc, 0, "%s", err);
	if (rc == 0)
		cr_expect_str_eq(cfg->ports[0].name, "p0");
	lw_config_free(cfg);

	cfg = NULL;
	write_file(inc_path,
		"ports = ( { name = \"p0\"; device = \"x\";\n  address = \"10.0.0.0/24\"; } );\n");
	rc = lw_config_load(main_path, &cfg, err, sizeof(err));
	cr_expect_eq(rc, LW_E_CONFIG);
	cr_expect(
		strstr(err, "/ports.cfg:2: ports.[0].address: 10.0.0.0/24: 10.0.0.0 is the network "
			    "address") != NULL,
		"%s", err);
	cr_expect_null(cfg);
	unlink(inc_path);
	unlink(main_path);
	rmdir(dir);
}

Test(config, failure_leaves_out_alone)
{
	struct lw_config *sentinel = (struct lw_config *)&err, *cfg = sentinel;
	int rc;

	rc = lw_config_load_string(DP PORT
		"subnets = ( { subnet = \"10.0.0.0/24\";\n"
		"  pools = ( { range = \"10.0.0.10 - 10.0.0.20\"; } );\n"
		"  reservations = ( { hw_address = \"02:00:00:00:00:01\"; address = \"10.0.0.5\"; "
		"} ); },\n"
		" { subnet = \"10.0.0.128/25\"; } );\n",
		"cfg", &cfg, err, sizeof(err));
	cr_expect_eq(rc, LW_E_CONFIG);
	cr_expect_eq(cfg, sentinel);
	cr_expect(strstr(err, "cfg:6: subnets.[1].subnet: overlaps subnets.[0] (10.0.0.0/24)") !=
			  NULL,
		"%s", err);
}

Test(config, null_error_buffer)
{
	struct lw_config *cfg = NULL;

	cr_expect_eq(lw_config_load_string("ports = 1;", "cfg", &cfg, NULL, 0), LW_E_CONFIG);
	cr_expect_eq(lw_config_load_string("ports = ", "cfg", &cfg, NULL, 0), LW_E_CONFIG);
	cr_expect_null(cfg);
}

/* ------------------------------------------------------------------------ */
/* Mistakes: each with its exact message, line included */

#define X256	  X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16
#define SUB(body) "subnets = ( {\n  subnet = \"10.0.0.0/24\";\n" body "} );\n"
/* failover block on lines 3 to 6; FOP's body starts on line 9, FOS's on line 8 */
#define FO_HEAD                                                                                    \
	"failover = {\n  name = \"fo\";\n  address = \"10.0.0.1\";\n"                              \
	"  peer_address = \"10.0.0.2\";\n"
#define FOP(body) FO_HEAD "  role = \"primary\";\n  mclt = 3600;\n" body "};\n"
#define FOS(body) FO_HEAD "  role = \"secondary\";\n" body "};\n"
#define FO_OK	  FOP("  split = 128;\n") /* lines 3 to 10 */
#define HBA62	  X16 X16 X16 "0123456789abcd"

struct bad {
	const char *what;
	const char *text;
	const char *msg;
};

/* clang-format off */
static const struct bad bad_cfgs[] = {
	{"syntax error", DP PORT "server = {\n  offer_hold = ;\n};\n", "cfg:4: syntax error"},
	{"missing include", DP PORT "@include \"/nonexistent.cfg\"\n",
		"cfg:3: cannot open include file"},
	{"empty file", "", "cfg:1: dataplane: missing required setting"},
	{"missing ports", DP, "cfg:1: ports: missing required setting"},
	{"no port", DP "ports = ( );\n", "cfg:2: ports: expected at least one port"},
	{"ports not a list", DP "ports = { name = \"p0\"; };\n",
		"cfg:2: ports: expected a list ( { ... }, ... ), got a group { ... }"},
	{"unknown top-level key", DP PORT "subnet = ( );\n",
		"cfg:3: subnet: unknown setting (expected one of: dataplane, server, ports, options, "
		"failover, subnets, control)"},
	{"bad durability", DP PORT "control = {\n  durability = \"async\";\n};\n",
		"cfg:4: control.durability: expected \"fsync\" or \"none\", got \"async\""},
	{"relative socket", DP PORT "control = {\n  socket = \"ctl.sock\";\n};\n",
		"cfg:4: control.socket: expected an absolute path"},
	{"relative state_dir", DP PORT "control = {\n  state_dir = \"var\";\n};\n",
		"cfg:4: control.state_dir: expected an absolute path"},
	{"shm name with a slash", DP PORT "control = {\n  shm = \"a/b\";\n};\n",
		"cfg:4: control.shm: expected a name of letters, digits"},
	{"fsync interval too small", DP PORT "control = {\n  fsync_interval_us = 1;\n};\n",
		"cfg:4: control.fsync_interval_us: expected an integer between 10 and 1000000, got 1"},
	{"unknown control key", DP PORT "control = {\n  journal = \"x\";\n};\n",
		"cfg:4: control.journal: unknown setting"},
	{"metrics port zero", DP PORT "control = {\n  metrics = {\n    port = 0;\n  };\n};\n",
		"cfg:5: control.metrics.port: expected an integer between 1 and 65535, got 0"},
	{"unknown server key", DP PORT "server = {\n  default_lease_tme = 10;\n};\n",
		"cfg:4: server.default_lease_tme: unknown setting (expected one of: authoritative, "
		"default_lease_time, min_lease_time, max_lease_time, decline_probation, offer_hold)"},
	{"unknown port key",
		DP "ports = ( {\n  name = \"p0\";\n  device = \"x\";\n  adress = \"10.0.0.1/24\";\n} );\n",
		"cfg:5: ports.[0].adress: unknown setting (expected one of: name, device, address, mtu, "
		"routes)"},
	{"missing eal_args", "dataplane = {\n  mbufs = 2047;\n};\n" PORT,
		"cfg:1: dataplane.eal_args: missing required setting"},
	{"eal_args not strings", "dataplane = { eal_args = [ 1, 2 ]; };\n" PORT,
		"cfg:1: dataplane.eal_args.[0]: expected a string, got 1"},
	{"eal_args empty", "dataplane = { eal_args = [ ]; };\n" PORT,
		"cfg:1: dataplane.eal_args: expected 1 to 63 arguments, got 0"},
	{"mbufs out of range", "dataplane = {\n  eal_args = [ \"-l\", \"0\" ];\n  mbufs = 100;\n};\n" PORT,
		"cfg:3: dataplane.mbufs: expected an integer between 1023 and 1048575, got 100"},
	{"max_leases too big", "dataplane = { eal_args = [ \"-l\" ];\n  max_leases = 268435457; };\n" PORT,
		"cfg:2: dataplane.max_leases: expected an integer between 0 and 268435456, got 268435457"},
	{"idle_sleep_us too big", "dataplane = { eal_args = [ \"-l\" ];\n  idle_sleep_us = 100001; };\n" PORT,
		"cfg:2: dataplane.idle_sleep_us: expected an integer between 0 and 100000, got 100001"},
	{"wrong type: string for integer", DP PORT "server = {\n  max_lease_time = \"abc\";\n};\n",
		"cfg:4: server.max_lease_time: expected an integer between 1 and 2147483648, got \"abc\""},
	{"wrong type: float for integer", DP PORT "server = { offer_hold = 1.5; };\n",
		"cfg:3: server.offer_hold: expected an integer between 1 and 3600, got 1.5"},
	{"2^31 without L", DP PORT "server = { max_lease_time = 2147483648; };\n",
		"cfg:3: server.max_lease_time: expected an integer between 1 and 2147483648 (write values "
		"above 2147483647 with an L suffix: 2147483648L), got -2147483648"},
	{"wrong type: integer for bool", DP PORT "server = {\n  authoritative = 1;\n};\n",
		"cfg:4: server.authoritative: expected true or false, got 1"},
	{"offer_hold zero", DP PORT "server = { offer_hold = 0; };\n",
		"cfg:3: server.offer_hold: expected an integer between 1 and 3600, got 0"},
	{"server not a group", DP PORT "server = 1;\n",
		"cfg:3: server: expected a group { ... }, got 1"},
	{"min above default",
		DP PORT "server = {\n  default_lease_time = 300;\n  min_lease_time = 600;\n};\n",
		"cfg:5: server.min_lease_time: min_lease_time 600 is above default_lease_time 300"},
	{"default above max", DP PORT "server = {\n  default_lease_time = 90000;\n};\n",
		"cfg:4: server.default_lease_time: default_lease_time 90000 is above max_lease_time 86400"},
	{"subnet max below inherited default", DP PORT SUB("  max_lease_time = 100;\n"),
		"cfg:5: subnets.[0].max_lease_time: default_lease_time 7200 is above max_lease_time 100"},
	{"port name too long",
		DP "ports = ( { name = \"" X16 X16 "\"; device = \"x\"; address = \"10.0.0.1/24\"; } );\n",
		"cfg:2: ports.[0].name: expected a string of 1 to 31 characters, got \"" X16 X16 "\""},
	{"port missing device", DP "ports = (\n  { name = \"p0\"; address = \"10.0.0.1/24\"; }\n);\n",
		"cfg:3: ports.[0].device: missing required setting"},
	{"bad address", DP "ports = ( { name = \"p0\"; device = \"x\";\n  address = \"10.0.0.256/24\"; } );\n",
		"cfg:3: ports.[0].address: expected a prefix a.b.c.d/len with len between 8 and 32, got "
		"\"10.0.0.256/24\""},
	{"address without length", DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1\"; } );\n",
		"cfg:2: ports.[0].address: expected a prefix a.b.c.d/len with len between 8 and 32, got "
		"\"10.0.0.1\""},
	{"port address is the broadcast address",
		DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.255/24\"; } );\n",
		"cfg:2: ports.[0].address: 10.0.0.255/24: 10.0.0.255 is the broadcast address of its prefix"},
	{"mtu out of range", DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1/24\";\n"
		"  mtu = 100; } );\n",
		"cfg:3: ports.[0].mtu: expected 0 or an integer between 576 and 9000, got 100"},
	{"duplicate port name",
		DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1/24\"; },\n"
		"  { name = \"p0\"; device = \"y\"; address = \"10.0.1.1/24\"; } );\n",
		"cfg:3: ports.[1].name: \"p0\" is already the name of ports.[0]"},
	{"duplicate port address",
		DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1/24\"; },\n"
		"  { name = \"p1\"; device = \"y\"; address = \"10.0.0.1/16\"; } );\n",
		"cfg:3: ports.[1].address: 10.0.0.1 is already the address of port p0"},
	{"route via off-link",
		DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1/24\";\n"
		"  routes = (\n    { to = \"0.0.0.0/0\";\n      via = \"10.0.1.1\"; }\n  ); } );\n",
		"cfg:5: ports.[0].routes.[0].via: 10.0.1.1 is not a neighbour on the port's link 10.0.0.0/24"},
	{"route prefix with host bits",
		DP "ports = ( { name = \"p0\"; device = \"x\"; address = \"10.0.0.1/24\";\n"
		"  routes = ( { to = \"10.9.0.1/16\"; via = \"10.0.0.2\"; } ); } );\n",
		"cfg:3: ports.[0].routes.[0].to: \"10.9.0.1/16\" has host bits set (the network is "
		"10.9.0.0/16)"},
	{"bad prefix: host bits", DP PORT "subnets = (\n  { subnet = \"10.0.0.1/24\"; }\n);\n",
		"cfg:4: subnets.[0].subnet: \"10.0.0.1/24\" has host bits set (the network is 10.0.0.0/24)"},
	{"bad prefix: length", DP PORT "subnets = (\n  { subnet = \"10.0.0.0/33\"; }\n);\n",
		"cfg:4: subnets.[0].subnet: expected a prefix a.b.c.d/len with len between 8 and 32, got "
		"\"10.0.0.0/33\""},
	{"subnet missing", DP PORT "subnets = (\n  { routers = [ \"10.0.0.1\" ]; }\n);\n",
		"cfg:4: subnets.[0].subnet: missing required setting"},
	{"overlapping subnets",
		DP PORT "subnets = (\n  { subnet = \"10.0.0.0/16\"; },\n  { subnet = \"10.1.0.0/16\"; },\n"
		"  { subnet = \"10.0.3.0/24\"; }\n);\n",
		"cfg:6: subnets.[2].subnet: overlaps subnets.[0] (10.0.0.0/16)"},
	{"same subnet twice",
		DP PORT "subnets = (\n  { subnet = \"10.0.0.0/24\"; },\n  { subnet = \"10.0.0.0/24\"; }\n);\n",
		"cfg:5: subnets.[1].subnet: overlaps subnets.[0] (10.0.0.0/24)"},
	{"pool outside its subnet", DP PORT SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.1.20\"; }\n  );\n"),
		"cfg:6: subnets.[0].pools.[0].range: the pool's end 10.0.1.20 is not inside subnet "
		"10.0.0.0/24"},
	{"pool start outside", DP PORT SUB("  pools = ( { start = \"9.0.0.1\";\n  end = \"10.0.0.20\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].start: the pool's start 9.0.0.1 is not inside subnet "
		"10.0.0.0/24"},
	{"pool with the broadcast address", DP PORT SUB("  pools = ( { range = \"10.0.0.10 - 10.0.0.255\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].range: the pool's end 10.0.0.255 is the broadcast address of "
		"its prefix"},
	{"pool with the server's address", DP PORT SUB("  pools = ( { range = \"10.0.0.1 - 10.0.0.9\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].range: 10.0.0.1 is the address of port p0"},
	{"pool reversed", DP PORT SUB("  pools = ( { range = \"10.0.0.20 - 10.0.0.10\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].range: the pool starts at 10.0.0.20, after its end 10.0.0.10"},
	{"pool bad range", DP PORT SUB("  pools = ( { range = \"10.0.0.20 10.0.0.10\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].range: expected a range \"a.b.c.d - a.b.c.d\", got "
		"\"10.0.0.20 10.0.0.10\""},
	{"pool range with trailing text", DP PORT SUB("  pools = ( { range = \"10.0.0.10 - 10.0.0.20 x\"; } );\n"),
		"cfg:5: subnets.[0].pools.[0].range: expected a range \"a.b.c.d - a.b.c.d\", got "
		"\"10.0.0.10 - 10.0.0.20 x\""},
	{"u32 option above 2^31 without L", DP PORT "options = ( { code = 200; type = \"u32\"; value = 3000000000; } );\n",
		"cfg:3: options.[0].value: expected an integer between 0 and 4294967295, got -1294967296 "
		"(write values above 2147483647 with an L suffix)"},
	{"pool range and start", DP PORT SUB("  pools = ( { range = \"10.0.0.10 - 10.0.0.20\";\n"
		"    start = \"10.0.0.10\"; } );\n"),
		"cfg:6: subnets.[0].pools.[0].start: not allowed with range: give range, or start and end"},
	{"pool without end", DP PORT SUB("  pools = (\n    { start = \"10.0.0.10\"; } );\n"),
		"cfg:6: subnets.[0].pools.[0].end: missing required setting (with start)"},
	{"overlapping pools", DP PORT SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.0.50\"; },\n"
		"    { range = \"10.0.0.100 - 10.0.0.120\"; },\n    { start = \"10.0.0.40\"; end = \"10.0.0.60\"; }\n  );\n"),
		"cfg:8: subnets.[0].pools.[2].start: overlaps pools.[0] (10.0.0.10 - 10.0.0.50)"},
	{"reservation outside the subnet",
		DP PORT SUB("  reservations = (\n    { hw_address = \"02:00:00:00:00:01\";\n"
		"      address = \"10.0.5.5\"; }\n  );\n"),
		"cfg:7: subnets.[0].reservations.[0].address: the address 10.0.5.5 is not inside subnet "
		"10.0.0.0/24"},
	{"duplicate reservation",
		DP PORT SUB("  reservations = (\n    { hw_address = \"02:00:00:00:00:01\"; address = \"10.0.0.5\"; },\n"
		"    { hw_address = \"02:00:00:00:00:02\"; address = \"10.0.0.6\"; },\n"
		"    { hw_address = \"02:00:00:00:00:01\"; address = \"10.0.0.7\"; }\n  );\n"),
		"cfg:8: subnets.[0].reservations.[2].hw_address: the same client as reservations.[0]"},
	{"reserved address twice",
		DP PORT SUB("  reservations = (\n    { client_id = \"01:02\"; address = \"10.0.0.5\"; },\n"
		"    { client_id = \"01:03\";\n      address = \"10.0.0.5\"; }\n  );\n"),
		"cfg:8: subnets.[0].reservations.[1].address: this address is already reserved by "
		"reservations.[0]"},
	{"reservation of the server's address",
		DP PORT SUB("  reservations = ( { client_id = \"01:02\"; address = \"10.0.0.1\"; } );\n"),
		"cfg:5: subnets.[0].reservations.[0].address: 10.0.0.1 is the address of port p0"},
	{"reservation without identity", DP PORT SUB("  reservations = (\n    { address = \"10.0.0.5\"; } );\n"),
		"cfg:6: subnets.[0].reservations.[0].hw_address: missing required setting (or client_id)"},
	{"reservation with both identities",
		DP PORT SUB("  reservations = ( { hw_address = \"02:00:00:00:00:01\"; client_id = \"01:02\";\n"
		"    address = \"10.0.0.5\"; } );\n"),
		"cfg:5: subnets.[0].reservations.[0].client_id: not allowed with hw_address"},
	{"bad MAC", DP PORT SUB("  reservations = ( { hw_address = \"02:00:00:00:01\"; address = \"10.0.0.5\"; } );\n"),
		"cfg:5: subnets.[0].reservations.[0].hw_address: expected a MAC address aa:bb:cc:dd:ee:ff, "
		"got \"02:00:00:00:01\""},
	{"forbidden option code",
		DP PORT "options = (\n  { code = 51; type = \"u32\"; value = 60; }\n);\n",
		"cfg:4: options.[0].code: option 51 (lease time) comes from default_lease_time, "
		"min_lease_time and max_lease_time"},
	{"forbidden option 82", DP PORT SUB("  options = ( { code = 82; type = \"hex\"; value = \"01:00\"; } );\n"),
		"cfg:5: subnets.[0].options.[0].code: option 82 (relay agent information) is added by relays"},
	{"option code out of range", DP PORT "options = ( { code = 256; type = \"u8\"; value = 1; } );\n",
		"cfg:3: options.[0].code: expected an integer between 0 and 255, got 256"},
	{"unknown option name",
		DP PORT "options = (\n  { name = \"dns-servers\"; value = [ \"10.0.0.53\" ]; }\n);\n",
		"cfg:4: options.[0].name: unknown option name \"dns-servers\""},
	{"option with name and code", DP PORT "options = ( { name = \"routers\"; code = 3; value = \"10.0.0.1\"; } );\n",
		"cfg:3: options.[0]: expected either name = \"...\" or code = N"},
	{"option with name and type", DP PORT "options = ( { name = \"routers\"; type = \"ip\"; value = \"10.0.0.1\"; } );\n",
		"cfg:3: options.[0].type: not allowed with name: routers is of type ips"},
	{"unknown option type", DP PORT "options = ( { code = 200; type = \"ipv4\"; value = \"10.0.0.1\"; } );\n",
		"cfg:3: options.[0].type: expected one of: ip, ips, u8, u16, u32, i32, bool, string, hex, "
		"domains, got \"ipv4\""},
	{"option code without type", DP PORT "options = ( { code = 200; value = 1; } );\n",
		"cfg:3: options.[0].type: missing required setting for option 200 (ip, ips, u8, u16, u32, i32, "
		"bool, string, hex, domains)"},
	{"option without value", DP PORT "options = (\n  { name = \"routers\"; }\n);\n",
		"cfg:4: options.[0].value: missing required setting"},
	{"option value of the wrong type",
		DP PORT "options = ( { name = \"interface-mtu\";\n  value = \"1500\"; } );\n",
		"cfg:4: options.[0].value: expected an integer between 0 and 65535, got \"1500\""},
	{"u8 option out of range", DP PORT "options = ( { code = 200; type = \"u8\"; value = 256; } );\n",
		"cfg:3: options.[0].value: expected an integer between 0 and 255, got 256"},
	{"list for a single ip", DP PORT "options = ( { name = \"subnet-mask\"; value = [ \"255.0.0.0\", \"255.0.0.0\" ]; } );\n",
		"cfg:3: options.[0].value: expected one value of type ip, got a list of 2"},
	{"bad address in a list",
		DP PORT SUB("  routers = [ \"10.0.0.254\",\n    \"10.0.0.300\" ];\n"),
		"cfg:6: subnets.[0].routers.[1]: expected an IPv4 address a.b.c.d, got \"10.0.0.300\""},
	{"bad domain in domain-search",
		DP PORT "options = ( { name = \"domain-search\"; value = [ \"a.com\", \"b..com\" ]; } );\n",
		"cfg:3: options.[0].value.[1]: expected a domain name such as \"example.com\", got \"b..com\""},
	{"same option twice in a list",
		DP PORT "options = (\n  { name = \"routers\"; value = \"10.0.0.254\"; },\n"
		"  { code = 3; type = \"ips\"; value = \"10.0.0.253\"; }\n);\n",
		"cfg:5: options.[1]: option 3 (routers) is already set at line 4"},
	{"option and its shortcut",
		DP PORT SUB("  routers = [ \"10.0.0.254\" ];\n  options = (\n    { name = \"routers\"; value = \"10.0.0.253\"; }\n  );\n"),
		"cfg:7: subnets.[0].options.[0]: option 3 (routers) is already set at line 5"},
	{"over-long option value",
		DP PORT SUB("  options = ( { name = \"bootfile-name\";\n    value = \"" X256 "\"; } );\n"),
		"cfg:6: subnets.[0].options.[0].value: the value is longer than 255 bytes, the most an "
		"option holds"},
	{"over-long address list",
		DP PORT SUB("  domain_name_servers = [ \"1.0.0.1\", \"1.0.0.2\", \"1.0.0.3\", \"1.0.0.4\", "
		"\"1.0.0.5\", \"1.0.0.6\", \"1.0.0.7\", \"1.0.0.8\", \"1.0.0.9\", \"1.0.0.10\", \"1.0.0.11\", "
		"\"1.0.0.12\", \"1.0.0.13\", \"1.0.0.14\", \"1.0.0.15\", \"1.0.0.16\", \"1.0.0.17\", "
		"\"1.0.0.18\", \"1.0.0.19\", \"1.0.0.20\", \"1.0.0.21\", \"1.0.0.22\", \"1.0.0.23\", "
		"\"1.0.0.24\", \"1.0.0.25\", \"1.0.0.26\", \"1.0.0.27\", \"1.0.0.28\", \"1.0.0.29\", "
		"\"1.0.0.30\", \"1.0.0.31\", \"1.0.0.32\", \"1.0.0.33\", \"1.0.0.34\", \"1.0.0.35\", "
		"\"1.0.0.36\", \"1.0.0.37\", \"1.0.0.38\", \"1.0.0.39\", \"1.0.0.40\", \"1.0.0.41\", "
		"\"1.0.0.42\", \"1.0.0.43\", \"1.0.0.44\", \"1.0.0.45\", \"1.0.0.46\", \"1.0.0.47\", "
		"\"1.0.0.48\", \"1.0.0.49\", \"1.0.0.50\", \"1.0.0.51\", \"1.0.0.52\", \"1.0.0.53\", "
		"\"1.0.0.54\", \"1.0.0.55\", \"1.0.0.56\", \"1.0.0.57\", \"1.0.0.58\", \"1.0.0.59\", "
		"\"1.0.0.60\", \"1.0.0.61\", \"1.0.0.62\", \"1.0.0.63\", \"1.0.0.64\" ];\n"),
		"cfg:5: subnets.[0].domain_name_servers: the value is longer than 255 bytes"},
	{"over-long hex", DP PORT "options = ( { code = 200; type = \"hex\"; value = \"" X256 X256 "00\"; } );\n",
		"cfg:3: options.[0].value: the value is longer than 255 bytes"},
	{"subnets not a list", DP PORT "subnets = {\n  subnet = \"10.0.0.0/24\";\n};\n",
		"cfg:3: subnets: expected a list ( { ... }, ... ), got a group { ... }"},
	{"subnet entry not a group", DP PORT "subnets = ( \"10.0.0.0/24\" );\n",
		"cfg:3: subnets.[0]: expected a group { ... }, got \"10.0.0.0/24\""},
	{"failover: missing name",
		DP PORT "failover = {\n  role = \"secondary\";\n  address = \"10.0.0.1\";\n"
		"  peer_address = \"10.0.0.2\";\n};\n",
		"cfg:3: failover.name: missing required setting"},
	{"failover: empty name",
		DP PORT "failover = {\n  name = \"\";\n  role = \"secondary\"; address = \"10.0.0.1\";\n"
		"  peer_address = \"10.0.0.2\";\n};\n",
		"cfg:4: failover.name: expected a string of 1 to 63 characters, got \"\""},
	{"failover: name too long",
		DP PORT "failover = {\n  name = \"" X63 "f\";\n  role = \"secondary\"; address = \"10.0.0.1\";\n"
		"  peer_address = \"10.0.0.2\";\n};\n",
		"cfg:4: failover.name: expected a string of 1 to 63 characters"},
	{"failover: missing role", DP PORT FO_HEAD "};\n",
		"cfg:3: failover.role: missing required setting"},
	{"failover: bad role", DP PORT FO_HEAD "  role = \"backup\";\n};\n",
		"cfg:7: failover.role: expected \"primary\" or \"secondary\", got \"backup\""},
	{"failover: role not a string", DP PORT FO_HEAD "  role = 1;\n};\n",
		"cfg:7: failover.role: expected \"primary\" or \"secondary\", got 1"},
	{"failover: missing address",
		DP PORT "failover = {\n  name = \"fo\";\n  role = \"secondary\";\n"
		"  peer_address = \"10.0.0.2\";\n};\n",
		"cfg:3: failover.address: missing required setting"},
	{"failover: missing peer_address",
		DP PORT "failover = {\n  name = \"fo\";\n  role = \"secondary\";\n"
		"  address = \"10.0.0.1\";\n};\n",
		"cfg:3: failover.peer_address: missing required setting"},
	{"failover: bad address",
		DP PORT "failover = {\n  name = \"fo\";\n  role = \"secondary\";\n"
		"  address = \"10.0.0.300\";\n  peer_address = \"10.0.0.2\";\n};\n",
		"cfg:6: failover.address: expected an IPv4 address a.b.c.d, got \"10.0.0.300\""},
	{"failover: multicast peer",
		DP PORT "failover = {\n  name = \"fo\";\n  role = \"secondary\";\n"
		"  address = \"10.0.0.1\";\n  peer_address = \"224.0.0.1\";\n};\n",
		"cfg:7: failover.peer_address: 224.0.0.1 is not a unicast address"},
	{"failover: peer is this server",
		DP PORT "failover = {\n  name = \"fo\";\n  role = \"secondary\";\n"
		"  address = \"10.0.0.1\";\n  peer_address = \"10.0.0.1\";\n};\n",
		"cfg:7: failover.peer_address: 10.0.0.1 is also address: the peer is the other server"},
	{"failover: port 0", DP PORT FOS("  port = 0;\n"),
		"cfg:8: failover.port: expected an integer between 1 and 65535, got 0"},
	{"failover: peer_port too big", DP PORT FOS("  peer_port = 65536;\n"),
		"cfg:8: failover.peer_port: expected an integer between 1 and 65535, got 65536"},
	{"failover: max_response_delay 0", DP PORT FOS("  max_response_delay = 0;\n"),
		"cfg:8: failover.max_response_delay: expected an integer between 1 and 3600, got 0"},
	{"failover: max_unacked_updates 0", DP PORT FOS("  max_unacked_updates = 0;\n"),
		"cfg:8: failover.max_unacked_updates: expected an integer between 1 and 65535, got 0"},
	{"failover: mclt on the secondary", DP PORT FOS("  mclt = 3600;\n"),
		"cfg:8: failover.mclt: not allowed on the secondary: it learns the MCLT from the "
		"primary's CONNECT; set mclt on the primary only"},
	{"failover: split on the secondary", DP PORT FOS("  split = 128;\n"),
		"cfg:8: failover.split: not allowed on the secondary: it learns the load-balancing "
		"bitmap from the primary's CONNECT"},
	{"failover: hba on the secondary", DP PORT FOS("  hba = \"" HBA_ALT "\";\n"),
		"cfg:8: failover.hba: not allowed on the secondary"},
	{"failover: missing mclt on the primary",
		DP PORT FO_HEAD "  role = \"primary\";\n  split = 128;\n};\n",
		"cfg:3: failover.mclt: missing required setting for the primary"},
	{"failover: mclt 0", DP PORT FO_HEAD "  role = \"primary\";\n  mclt = 0;\n  split = 1;\n};\n",
		"cfg:8: failover.mclt: expected an integer between 1 and 2147483648, got 0"},
	{"failover: missing split on the primary", DP PORT FOP(""),
		"cfg:3: failover.split: missing required setting for the primary (or hba)"},
	{"failover: split and hba", DP PORT FOP("  split = 128;\n  hba = \"" HBA_ALT "\";\n"),
		"cfg:10: failover.hba: not allowed with split: give one of the two"},
	{"failover: split 257", DP PORT FOP("  split = 257;\n"),
		"cfg:9: failover.split: expected an integer between 0 and 256, got 257"},
	{"failover: split -1", DP PORT FOP("  split = -1;\n"),
		"cfg:9: failover.split: expected an integer between 0 and 256, got -1"},
	{"failover: split as a string", DP PORT FOP("  split = \"128\";\n"),
		"cfg:9: failover.split: expected an integer between 0 and 256, got \"128\""},
	{"failover: hba of 31 bytes", DP PORT FOP("  hba = \"" HBA62 "\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits or as \"ff:ff:...:00\", got "
		"\"0123456789abcdef0123456789abcdef01234567...\""},
	{"failover: hba of 63 digits", DP PORT FOP("  hba = \"" HBA62 "e\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba of 33 bytes", DP PORT FOP("  hba = \"" HBA_ALT "00\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba of 31 colon bytes",
		DP PORT FOP("  hba = \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba of 33 colon bytes",
		DP PORT FOP("  hba = \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba with a 3-digit group",
		DP PORT FOP("  hba = \"fff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba bad hex", DP PORT FOP("  hba = \"" X16 X16 X16 "0123456789abcdeg\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba bad hex, colons",
		DP PORT FOP("  hba = \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:xx\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: hba trailing colon",
		DP PORT FOP("  hba = \"ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:"
		"0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:\";\n"),
		"cfg:9: failover.hba: expected 32 bytes as 64 hex digits"},
	{"failover: load_balance_max_seconds too big",
		DP PORT FOP("  split = 128;\n  load_balance_max_seconds = 65536;\n"),
		"cfg:10: failover.load_balance_max_seconds: expected an integer between 0 and 65535, got "
		"65536"},
	{"failover: misbalance above 100", DP PORT FOS("  max_lease_misbalance = 101;\n"),
		"cfg:8: failover.max_lease_misbalance: expected an integer between 0 and 100, got 101"},
	{"failover: ownership above 100", DP PORT FOS("  max_lease_ownership = 101;\n"),
		"cfg:8: failover.max_lease_ownership: expected an integer between 0 and 100, got 101"},
	{"failover: max_balance below min_balance",
		DP PORT FOP("  split = 128;\n  min_balance = 600;\n  max_balance = 300;\n"),
		"cfg:11: failover.max_balance: max_balance 300 is below min_balance 600"},
	{"failover: min_balance above the default max_balance", DP PORT FOS("  min_balance = 7200;\n"),
		"cfg:8: failover.min_balance: max_balance 3600 is below min_balance 7200"},
	{"failover: ISC spelling", DP PORT FOS("  peer_addr = \"10.0.0.2\";\n"),
		"cfg:8: failover.peer_addr: unknown setting (expected one of: name, role, address, port, "
		"peer_address, peer_port, max_response_delay, max_unacked_updates, mclt, split, hba, "
		"load_balance_max_seconds, auto_partner_down, max_lease_misbalance, max_lease_ownership, "
		"min_balance, max_balance)"},
	{"failover: not a group", DP PORT "failover = \"fo\";\n",
		"cfg:3: failover: expected a group { ... }, got \"fo\""},
	{"pool: failover to an unknown name",
		DP PORT FO_OK SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.0.20\";\n"
		"      failover = \"other\"; }\n  );\n"),
		"cfg:15: subnets.[0].pools.[0].failover: no failover relationship \"other\" (the failover "
		"block is named \"fo\")"},
	{"pool: failover without a failover block",
		DP PORT SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.0.20\";\n"
		"      failover = \"fo\"; }\n  );\n"),
		"cfg:7: subnets.[0].pools.[0].failover: no failover { } block: \"fo\" names no failover "
		"relationship"},
	{"pool: failover not a string",
		DP PORT FO_OK SUB("  pools = ( { range = \"10.0.0.10 - 10.0.0.20\"; failover = true; } );\n"),
		"cfg:13: subnets.[0].pools.[0].failover: expected the name of the failover block, as a "
		"string, got true"},
	{"pool: failover name differs in case",
		DP PORT FO_OK SUB("  pools = ( { range = \"10.0.0.10 - 10.0.0.20\"; failover = \"FO\"; } );\n"),
		"cfg:13: subnets.[0].pools.[0].failover: no failover relationship \"FO\""},
	{"subnet: failover pool after a plain one",
		DP PORT FO_OK SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.0.20\"; },\n"
		"    { range = \"10.0.0.30 - 10.0.0.40\";\n      failover = \"fo\"; }\n  );\n"),
		"cfg:16: subnets.[0].pools.[1].failover: subnet 10.0.0.0/24: this pool is a failover pool "
		"and pools.[0] is not: the pools of a subnet are all failover pools or none"},
	{"subnet: plain pool after a failover one",
		DP PORT FO_OK SUB("  pools = (\n    { range = \"10.0.0.10 - 10.0.0.20\"; failover = \"fo\"; },\n"
		"    { range = \"10.0.0.30 - 10.0.0.40\"; }\n  );\n"),
		"cfg:15: subnets.[0].pools.[1].range: subnet 10.0.0.0/24: this pool is not a failover "
		"pool and pools.[0] is: the pools of a subnet are all failover pools or none"},
	{"control characters stay on one line", DP PORT "server = { offer_hold = \"a\\nb\"; };\n",
		"cfg:3: server.offer_hold: expected an integer between 1 and 3600, got \"a b\""},
};

/* clang-format on */

#define N_BAD (sizeof(bad_cfgs) / sizeof(bad_cfgs[0]))

ParameterizedTestParameters(config, rejects)
{
	static int idx[N_BAD];

	for (unsigned i = 0; i < N_BAD; i++)
		idx[i] = (int)i;
	return cr_make_param_array(int, idx, N_BAD);
}

ParameterizedTest(int *i, config, rejects)
{
	const struct bad *b = &bad_cfgs[*i];
	struct lw_config *cfg = NULL;
	int rc;

	err[0] = '\0';
	rc = lw_config_load_string(b->text, "cfg", &cfg, err, sizeof(err));
	cr_expect_eq(rc, LW_E_CONFIG, "%s: rc %d", b->what, rc);
	cr_expect_null(cfg, "%s: *out was written", b->what);
	cr_expect(strstr(err, b->msg) != NULL, "%s:\n  got      %s\n  expected %s", b->what, err,
		b->msg);
	cr_expect(strchr(err, '\n') == NULL, "%s: more than one line: %s", b->what, err);
}

/* The largest tables the header allows load, and lookups find every subnet. */
Test(config, limits)
{
	size_t cap = 4096 * 160 + 4096, pos = 0;
	char *text = malloc(cap);
	struct lw_config *cfg = NULL;
	int rc;

	cr_assert_not_null(text);
	pos += (size_t)snprintf(text + pos, cap - pos, DP PORT "subnets = (\n");
	for (unsigned i = LW_MAX_SUBNETS; i-- > 0;) /* reverse order: the loader sorts */
		pos += (size_t)snprintf(text + pos, cap - pos,
			"{ subnet = \"10.%u.%u.0/24\"; pools = ( { range = \"10.%u.%u.10 - "
			"10.%u.%u.20\"; },"
			" { range = \"10.%u.%u.30 - 10.%u.%u.40\"; } ); }%s\n",
			128 + i / 256, i % 256, 128 + i / 256, i % 256, 128 + i / 256, i % 256,
			128 + i / 256, i % 256, 128 + i / 256, i % 256, i ? "," : "");
	snprintf(text + pos, cap - pos, ");\n");
	rc = lw_config_load_string(text, "cfg", &cfg, err, sizeof(err));
	free(text);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(cfg->n_subnets, LW_MAX_SUBNETS);
	cr_assert_eq(cfg->n_pools, LW_MAX_POOLS);
	for (unsigned i = 0; i < LW_MAX_SUBNETS; i++) {
		const struct lw_subnet_conf *s =
			lw_config_subnet_for(cfg, A(10, 128 + i / 256, i % 256, 7));

		cr_assert_eq(s, &cfg->subnets[i]);
		cr_assert_eq(lw_config_pool_for(cfg, s, A(10, 128 + i / 256, i % 256, 35)),
			(int)(2 * i + 1));
	}
	lw_config_free(cfg);
}

Test(config, too_many_pools)
{
	size_t cap = 4096 * 200, pos = 0;
	char *text = malloc(cap);
	struct lw_config *cfg = NULL;
	int rc;

	cr_assert_not_null(text);
	pos += (size_t)snprintf(text + pos, cap - pos, DP PORT "subnets = (\n");
	for (unsigned i = 0; i < LW_MAX_SUBNETS; i++) /* one pool too many in the last */
		pos += (size_t)snprintf(text + pos, cap - pos,
			"{ subnet = \"10.%u.%u.0/24\"; pools = ( { range = \"10.%u.%u.10 - "
			"10.%u.%u.20\"; },"
			" { range = \"10.%u.%u.30 - 10.%u.%u.40\"; }%s ); }%s\n",
			128 + i / 256, i % 256, 128 + i / 256, i % 256, 128 + i / 256, i % 256,
			128 + i / 256, i % 256, 128 + i / 256, i % 256,
			i == LW_MAX_SUBNETS - 1 ? ", { range = \"10.143.255.50 - 10.143.255.60\"; }"
						: "",
			i == LW_MAX_SUBNETS - 1 ? "" : ",");
	snprintf(text + pos, cap - pos, ");\n");
	rc = lw_config_load_string(text, "cfg", &cfg, err, sizeof(err));
	free(text);
	cr_expect_eq(rc, LW_E_CONFIG);
	cr_expect(strstr(err,
			  "cfg:4099: subnets.[4095].pools.[2]: too many pools (at most 8192 in all "
			  "subnets)") != NULL,
		"%s", err);
}

Test(config, too_many_options)
{
	char text[16384];
	size_t pos = 0;
	struct lw_config *cfg = NULL;
	int rc;

	pos += (size_t)snprintf(text + pos, sizeof(text) - pos, DP PORT "options = (\n");
	for (unsigned i = 0; i < 40; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
			"{ code = %u; type = \"u8\"; value = 1; },\n", 150 + i);
	pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
		"{ code = 149; type = \"u8\"; value = 1; }\n);\n"
		"subnets = ( { subnet = \"10.0.0.0/24\"; options = (\n");
	for (unsigned i = 0; i < 22; i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
			"{ code = %u; type = \"u8\"; value = 2; },\n", 200 + i);
	snprintf(text + pos, sizeof(text) - pos,
		"{ code = 222; type = \"u8\"; value = 2; } ); } );\n");
	/* 23 own + 41 global = 64: no room for the mask and the broadcast address */
	rc = lw_config_load_string(text, "cfg", &cfg, err, sizeof(err));
	cr_expect_eq(rc, LW_E_CONFIG);
	cr_expect(strstr(err, "cfg:46: subnets.[0]: more than 64 options with the global ones") !=
			  NULL,
		"%s", err);
}
