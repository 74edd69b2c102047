/* SPDX-License-Identifier: MPL-2.0 */
/* Control commands through ctl_handle(): a real store and configuration,
 * the process faked. Every malformed request gets result 1 and a reason. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/config.h"
#include "common/dhcp4.h"
#include "common/lw_ctl.h"
#include "common/lw_ip.h"
#include "control/commands.h"
#include "control/store.h"

static struct store *st;
static struct lw_config *cfg;
static struct ctl_env env;
static char dir[64];

static struct {
	int reloads;
	bool reload_apply;
	char reload_path[256];
	bool reload_fail;
	int deletes;
	uint32_t deleted;
	bool del_fail;
	bool shut;
	struct ctl_stats stats;
} fk;

static const struct lw_config *f_config(void *arg)
{
	return cfg;
}

static const char *f_config_path(void *arg)
{
	return "/etc/leasewire/test.cfg";
}

static int f_reload(void *arg, const char *path, bool apply, char *msg, size_t len)
{
	fk.reloads++;
	fk.reload_apply = apply;
	snprintf(fk.reload_path, sizeof(fk.reload_path), "%s", path ? path : "(current)");
	snprintf(msg, len, fk.reload_fail ? "x.cfg:3: server: bad" : "fine");
	return fk.reload_fail ? -1 : 0;
}

static int f_lease_del(void *arg, const struct store_lease *l, char *msg, size_t len)
{
	if (fk.del_fail) {
		snprintf(msg, len, "worker 0's command ring is full; try again");
		return -1;
	}
	fk.deletes++;
	fk.deleted = l->addr;
	return 0;
}

static void f_stats(void *arg, struct ctl_stats *out)
{
	*out = fk.stats;
}

static void f_status(void *arg, json_t *out)
{
	json_object_set_new(out, "pid", json_integer(4242));
}

static void f_shutdown(void *arg)
{
	fk.shut = true;
}

#define IP(d) LW_IP4(198, 18, 0, d)

static struct lw_client_key hw_key(uint8_t last)
{
	struct lw_client_key k = {.kind = LW_KEY_HWADDR, .len = 7};

	memcpy(k.data, (uint8_t[]){1, 2, 0, 0, 0, 0, last}, 7);
	return k;
}

static void put(uint32_t addr, uint8_t state, unsigned subnet, struct lw_client_key k)
{
	struct lw_bind_event ev = {
		.type = LW_EV_BIND,
		.version = LW_RECORDS_VERSION,
		.state = state,
		.seq = 1,
		.addr = addr,
		.start = 1700000000,
		.end = 1700000600,
		.subnet = subnet,
		.key = k,
	};

	cr_assert_eq(store_apply(st, &ev), 0);
}

static uint8_t long_id[40];

static void setup(void)
{
	char text[2048], err[256];
	struct lw_client_key k;
	struct dhcp4_msg m;

	memset(&fk, 0, sizeof(fk));
	strcpy(dir, "/tmp/lw-cmd-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(text, sizeof(text),
		"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; } "
		");\n"
		"control = { state_dir = \"%s\"; };\n"
		"subnets = (\n"
		" { subnet = \"198.18.0.0/24\"; pools = ( { range = \"198.18.0.10 - 198.18.0.99\"; "
		"} );\n"
		"   reservations = ( { hw_address = \"02:00:00:00:aa:01\"; address = "
		"\"198.18.0.105\"; "
		"} ); },\n"
		" { subnet = \"198.18.1.0/24\"; pools = ( { range = \"198.18.1.100 - "
		"198.18.1.109\"; "
		"} ); }\n"
		");\n",
		dir);
	cr_assert_eq(lw_config_load_string(text, "test.cfg", &cfg, err, sizeof(err)), 0, "%s", err);
	st = store_create(16);
	cr_assert_not_null(st);

	put(IP(10), LW_BIND_ACTIVE, 0, hw_key(1));
	/* client identifier of the usual form: type 1 + MAC */
	k = (struct lw_client_key){.kind = LW_KEY_CLIENT_ID, .len = 7};
	memcpy(k.data, (uint8_t[]){1, 2, 0, 0, 0, 0, 2}, 7);
	put(IP(11), LW_BIND_ACTIVE, 0, k);
	put(IP(12), LW_BIND_DECLINED, 0, (struct lw_client_key){0});
	/* an identifier too long for the key: kept as a digest */
	for (unsigned i = 0; i < sizeof(long_id); i++)
		long_id[i] = (uint8_t)(0xa0 + i);
	memset(&m, 0, sizeof(m));
	m.has = DHCP4_HAS_CLIENT_ID;
	m.client_id_len = sizeof(long_id);
	memcpy(m.client_id, long_id, sizeof(long_id));
	lw_client_key_from_msg(&k, &m);
	put(IP(13), LW_BIND_ACTIVE, 0, k);
	put(LW_IP4(198, 18, 1, 100), LW_BIND_RELEASED, 1, hw_key(3));

	env = (struct ctl_env){
		.store = st,
		.config = f_config,
		.config_path = f_config_path,
		.reload = f_reload,
		.lease_del = f_lease_del,
		.stats = f_stats,
		.status = f_status,
		.shutdown = f_shutdown,
	};
	fk.stats.n_workers = 2;
	fk.stats.ctr[0][LW_CTR_RX_DHCP] = 10;
	fk.stats.ctr[1][LW_CTR_RX_DHCP] = 5;
	fk.stats.ctr[0][LW_CTR_OUT_OFFER] = 4;
	fk.stats.ctr[1][LW_CTR_OUT_ACK] = 3;
	fk.stats.ctr[0][LW_CTR_DROP_NO_SUBNET] = 2;
	fk.stats.ctr[1][LW_CTR_DROP_POOL_EXHAUSTED] = 1;
	fk.stats.held_acks[1] = 7;
	fk.stats.rate_rx[0] = 12.5;
	fk.stats.journal_records = 100;
	fk.stats.fsync_batch_avg = 3.5;
	fk.stats.fsync_latency_us_max = 800;
}

static void teardown(void)
{
	char cmd[128];

	ctl_env_fini(&env);
	store_free(st);
	lw_config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(commands, .init = setup, .fini = teardown);

/* Sends req, checks the envelope, returns the reply. */
static json_t *call(const char *req)
{
	char *text = ctl_handle(&env, req, strlen(req));
	json_error_t jerr;
	json_t *r;

	cr_assert_not_null(text, "no reply to %s", req);
	r = json_loads(text, 0, &jerr);
	cr_assert_not_null(r, "reply is not JSON: %s", text);
	cr_assert(json_is_integer(json_object_get(r, "result")), "no result: %s", text);
	cr_assert(json_is_string(json_object_get(r, "text")), "no text: %s", text);
	free(text);
	return r;
}

static int result(json_t *r)
{
	return (int)json_integer_value(json_object_get(r, "result"));
}

static const char *text(json_t *r)
{
	return json_string_value(json_object_get(r, "text"));
}

static json_t *args(json_t *r)
{
	return json_object_get(r, "arguments");
}

#define CMD(c, a) "{\"command\": \"" c "\", \"arguments\": " a "}"

Test(commands, malformed_and_bad_arguments)
{
	static const struct {
		const char *req;
		int result;
		const char *reason;
	} bad[] = {
		{"", LW_CTL_ERROR, "invalid JSON"},
		{"{", LW_CTL_ERROR, "invalid JSON"},
		{"{\"command\": \"version-get\"} x", LW_CTL_ERROR, "invalid JSON"},
		{"{\"command\": \"a\", \"command\": \"b\"}", LW_CTL_ERROR, "invalid JSON"},
		{"\"version-get\"", LW_CTL_ERROR, "invalid JSON"},
		{"[{\"command\": \"version-get\"}]", LW_CTL_ERROR, "must be a JSON object"},
		{"{}", LW_CTL_ERROR, "missing 'command'"},
		{"{\"arguments\": {}}", LW_CTL_ERROR, "missing 'command'"},
		{"{\"command\": 5}", LW_CTL_ERROR, "'command' must be a string"},
		{"{\"command\": null}", LW_CTL_ERROR, "'command' must be a string"},
		{"{\"command\": \"nope\"}", LW_CTL_UNSUPPORTED, "'nope' command not supported."},
		{CMD("version-get", "[]"), LW_CTL_ERROR, "'arguments' must be an object"},
		{CMD("version-get", "\"x\""), LW_CTL_ERROR, "'arguments' must be an object"},
		{"{\"command\": \"version-get\", \"argument\": {}}", LW_CTL_ERROR,
			"unsupported parameter 'argument'"},
		{"{\"command\": \"version-get\", \"ctl-version\": 99}", LW_CTL_ERROR,
			"protocol mismatch"},
		{"{\"command\": \"version-get\", \"ctl-version\": \"1\"}", LW_CTL_ERROR,
			"'ctl-version' must be an integer"},
		{CMD("version-get", "{\"x\": 1}"), LW_CTL_ERROR, "takes no parameter 'x'"},
		{CMD("list-commands", "{\"help\": 1}"), LW_CTL_ERROR, "'help' must be a boolean"},
		{CMD("lease4-get", "{}"), LW_CTL_ERROR, "give either"},
		{CMD("lease4-get", "{\"ip-address\": \"198.18.0.10\", \"identifier\": \"01\"}"),
			LW_CTL_ERROR, "give either"},
		{CMD("lease4-get", "{\"ip-address\": 5}"), LW_CTL_ERROR,
			"'ip-address' must be a string"},
		{CMD("lease4-get", "{\"ip-address\": \"198.18.0.300\"}"), LW_CTL_ERROR,
			"not an IPv4 address"},
		{CMD("lease4-get", "{\"identifier-type\": \"hw-address\"}"), LW_CTL_ERROR,
			"missing parameter 'identifier'"},
		{CMD("lease4-get", "{\"identifier\": \"01:02\"}"), LW_CTL_ERROR,
			"missing parameter 'identifier-type'"},
		{CMD("lease4-get", "{\"identifier-type\": \"duid\", \"identifier\": \"01\"}"),
			LW_CTL_ERROR, "'identifier-type' must be"},
		{CMD("lease4-get", "{\"identifier-type\": \"hw-address\", \"identifier\": \"zz\"}"),
			LW_CTL_ERROR, "hexadecimal"},
		{CMD("lease4-get", "{\"identifier-type\": \"hw-address\", \"identifier\": "
				   "\"00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10\"}"),
			LW_CTL_ERROR, "at most 16 bytes"},
		{CMD("lease4-get", "{\"ip-address\": \"198.18.0.10\", \"subnet-id\": \"1\"}"),
			LW_CTL_ERROR, "'subnet-id' must be an integer"},
		{CMD("lease4-get-page", "{\"from\": \"start\"}"), LW_CTL_ERROR,
			"missing parameter 'limit'"},
		{CMD("lease4-get-page", "{\"limit\": 5}"), LW_CTL_ERROR,
			"missing parameter 'from'"},
		{CMD("lease4-get-page", "{\"from\": \"start\", \"limit\": 0}"), LW_CTL_ERROR,
			"'limit' must be 1 to 10000"},
		{CMD("lease4-get-page", "{\"from\": \"start\", \"limit\": 10001}"), LW_CTL_ERROR,
			"'limit' must be 1 to 10000"},
		{CMD("lease4-get-page", "{\"from\": \"start\", \"limit\": \"5\"}"), LW_CTL_ERROR,
			"'limit' must be an integer"},
		{CMD("lease4-get-page", "{\"from\": \"end\", \"limit\": 5}"), LW_CTL_ERROR,
			"'from' is not an IPv4 address"},
		{CMD("lease4-get-all", "{\"subnets\": 1}"), LW_CTL_ERROR,
			"'subnets' must be a list"},
		{CMD("lease4-get-all", "{\"subnets\": [\"1\"]}"), LW_CTL_ERROR, "subnet ids"},
		{CMD("lease4-get-all", "{\"subnets\": [0]}"), LW_CTL_ERROR, "subnet ids"},
		{CMD("lease4-del", "{}"), LW_CTL_ERROR, "missing parameter 'ip-address'"},
		{CMD("lease4-del", "{\"ip-address\": \"x\"}"), LW_CTL_ERROR, "not an IPv4 address"},
		{CMD("statistic-get", "{}"), LW_CTL_ERROR, "missing parameter 'name'"},
		{CMD("statistic-get", "{\"name\": 1}"), LW_CTL_ERROR, "'name' must be a string"},
		{CMD("config-test", "{\"path\": \"relative.cfg\"}"), LW_CTL_ERROR, "absolute"},
		{CMD("leases-export", "{}"), LW_CTL_ERROR, "missing parameter 'format'"},
		{CMD("leases-export", "{\"format\": \"xml\", \"inline\": true}"), LW_CTL_ERROR,
			"'format' must be"},
		{CMD("leases-export", "{\"format\": \"isc\"}"), LW_CTL_ERROR, "give either"},
		{CMD("leases-export", "{\"format\": \"isc\", \"inline\": false}"), LW_CTL_ERROR,
			"give either"},
		{CMD("leases-export", "{\"format\": \"isc\", \"inline\": true, \"path\": \"a\"}"),
			LW_CTL_ERROR, "give either"},
		{CMD("leases-export", "{\"format\": \"kea\", \"path\": \"/etc/passwd\"}"),
			LW_CTL_ERROR, "must be a file name"},
		{CMD("leases-export", "{\"format\": \"kea\", \"path\": \"../x\"}"), LW_CTL_ERROR,
			"must be a file name"},
		{CMD("leases-export", "{\"format\": \"kea\", \"path\": \"a/b\"}"), LW_CTL_ERROR,
			"must be a file name"},
		{CMD("leases-export", "{\"format\": \"kea\", \"path\": \"\"}"), LW_CTL_ERROR,
			"must be a file name"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = call(bad[i].req);

		cr_expect_eq(result(r), bad[i].result, "%s: result %d (%s)", bad[i].req, result(r),
			text(r));
		cr_expect(strstr(text(r), bad[i].reason) != NULL,
			"%s: text \"%s\", expected \"%s\"", bad[i].req, text(r), bad[i].reason);
		json_decref(r);
	}
}

/*
 * Reply texts quote the request: bytes that are not UTF-8 in it, or a
 * quote cut in the middle of a character, must still give a JSON reply.
 */
Test(commands, reply_text_is_utf8_whatever_the_request)
{
	/* jansson's parse error quotes the raw bytes after a bad escape. */
	static const char bad_escape[] = "{\"command\": \"lease4-ge\\\xdc\x9e\x93\"}";
	char name[1200], req[1300];
	json_t *r;

	r = call(bad_escape);
	cr_expect_eq(result(r), LW_CTL_ERROR);
	cr_expect(strstr(text(r), "invalid JSON") != NULL, "%s", text(r));
	cr_expect(strchr(text(r), '?') != NULL, "%s", text(r));
	json_decref(r);

	/* Well-formed two-byte characters, quoted past the text's 1,024 bytes. */
	for (size_t i = 0; i + 2 < sizeof(name); i += 2) {
		name[i] = (char)0xc3;
		name[i + 1] = (char)0xa9;
		name[i + 2] = 0;
	}
	snprintf(req, sizeof(req), "{\"command\": \"x%s\"}", name);
	r = call(req);
	cr_expect_eq(result(r), LW_CTL_UNSUPPORTED, "%s", text(r));
	cr_expect(strncmp(text(r), "'x\xc3\xa9\xc3\xa9", 6) == 0, "%s", text(r));
	json_decref(r);
}

Test(commands, request_need_not_be_nul_terminated)
{
	static const char req[] = "{\"command\": \"version-get\"}garbage";
	char *t = ctl_handle(&env, req, strlen("{\"command\": \"version-get\"}"));

	cr_assert_not_null(t);
	cr_expect(strstr(t, "\"result\":0") != NULL, "%s", t);
	free(t);
}

Test(commands, list_commands)
{
	json_t *r = call("{\"command\": \"list-commands\"}");
	static const char *want[] = {"config-get", "config-reload", "config-test",
		"failover-partner-down", "failover-status", "lease4-del", "lease4-get",
		"lease4-get-all", "lease4-get-page", "leases-export", "list-commands", "shutdown",
		"statistic-get", "statistic-get-all", "statistic-reset-all", "status-get",
		"version-get"};

	cr_assert_eq(result(r), 0);
	cr_assert(json_is_array(args(r)));
	cr_expect_eq(json_array_size(args(r)), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_str_eq(json_string_value(json_array_get(args(r), i)), want[i]);
	json_decref(r);

	r = call(CMD("list-commands", "{\"help\": true}"));
	cr_assert(json_is_object(args(r)));
	cr_expect(json_is_string(json_object_get(args(r), "lease4-get-page")));
	json_decref(r);
}

Test(commands, version_and_status)
{
	json_t *r = call("{\"command\": \"version-get\", \"ctl-version\": 1}");

	cr_expect_eq(result(r), 0);
	cr_expect(strstr(json_string_value(json_object_get(args(r), "extended")), "leasewire"));
	cr_expect_eq(json_integer_value(json_object_get(args(r), "ctl-version")), LW_CTL_VERSION);
	json_decref(r);

	r = call("{\"command\": \"status-get\"}");
	cr_expect_eq(result(r), 0);
	cr_expect_eq(json_integer_value(json_object_get(args(r), "pid")), 4242);
	cr_expect_eq(json_integer_value(json_object_get(args(r), "leases")), 5);
	json_decref(r);
}

Test(commands, unavailable_callbacks)
{
	static const char *const reqs[] = {
		"{\"command\": \"status-get\"}",
		"{\"command\": \"config-reload\"}",
		"{\"command\": \"shutdown\"}",
		"{\"command\": \"statistic-get-all\"}",
		CMD("lease4-del", "{\"ip-address\": \"198.18.0.10\"}"),
	};

	env.status = NULL;
	env.reload = NULL;
	env.shutdown = NULL;
	env.stats = NULL;
	env.lease_del = NULL;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		json_t *r = call(reqs[i]);

		cr_expect_eq(result(r), LW_CTL_UNSUPPORTED, "%s", reqs[i]);
		json_decref(r);
	}
}

Test(commands, config_get_test_reload)
{
	json_t *r = call("{\"command\": \"config-get\"}"), *c, *s;

	cr_assert_eq(result(r), 0, "%s", text(r));
	c = json_object_get(args(r), "leasewire");
	s = json_array_get(json_object_get(c, "subnets"), 1);
	cr_expect_eq(json_integer_value(json_object_get(s, "id")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(s, "subnet")), "198.18.1.0/24");
	cr_expect_str_eq(
		json_string_value(json_object_get(json_object_get(c, "control"), "state_dir")),
		dir);
	s = json_array_get(json_object_get(c, "subnets"), 0);
	cr_expect_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(s, "reservations"), 0), "hw_address")),
		"02:00:00:00:aa:01");
	json_decref(r);

	r = call("{\"command\": \"config-test\"}");
	cr_expect_eq(result(r), 0);
	cr_expect_str_eq(fk.reload_path, "(current)");
	cr_expect(!fk.reload_apply);
	json_decref(r);

	r = call(CMD("config-test", "{\"path\": \"/tmp/other.cfg\"}"));
	cr_expect_eq(result(r), 0);
	cr_expect_str_eq(fk.reload_path, "/tmp/other.cfg");
	json_decref(r);

	r = call("{\"command\": \"config-reload\"}");
	cr_expect_eq(result(r), 0);
	cr_expect(fk.reload_apply);
	json_decref(r);

	fk.reload_fail = true;
	r = call("{\"command\": \"config-reload\"}");
	cr_expect_eq(result(r), LW_CTL_ERROR);
	cr_expect_str_eq(text(r), "x.cfg:3: server: bad");
	json_decref(r);
	cr_expect_eq(fk.reloads, 4);
}

static json_t *get(const char *arguments)
{
	char req[512];

	snprintf(req, sizeof(req), "{\"command\": \"lease4-get\", \"arguments\": %s}", arguments);
	return call(req);
}

Test(commands, lease4_get_shapes)
{
	json_t *r = get("{\"ip-address\": \"198.18.0.10\"}"), *l = args(r);

	cr_assert_eq(result(r), 0, "%s", text(r));
	cr_expect_str_eq(text(r), "IPv4 lease found.");
	cr_expect_str_eq(json_string_value(json_object_get(l, "ip-address")), "198.18.0.10");
	cr_expect_str_eq(json_string_value(json_object_get(l, "hw-address")), "02:00:00:00:00:01");
	cr_expect_null(json_object_get(l, "client-id"));
	cr_expect_eq(json_integer_value(json_object_get(l, "valid-lft")), 600);
	cr_expect_eq(json_integer_value(json_object_get(l, "cltt")), 1700000000);
	cr_expect_eq(json_integer_value(json_object_get(l, "subnet-id")), 1);
	cr_expect_eq(json_integer_value(json_object_get(l, "state")), 0);
	cr_expect_str_eq(json_string_value(json_object_get(l, "hostname")), "");
	cr_expect_str_eq(json_string_value(json_object_get(l, "state-name")), "active");
	json_decref(r);

	r = get("{\"ip-address\": \"198.18.0.11\"}");
	l = args(r);
	cr_expect_str_eq(
		json_string_value(json_object_get(l, "client-id")), "01:02:00:00:00:00:02");
	cr_expect_str_eq(json_string_value(json_object_get(l, "hw-address")), "02:00:00:00:00:02");
	json_decref(r);

	r = get("{\"ip-address\": \"198.18.0.12\"}");
	l = args(r);
	cr_expect_eq(json_integer_value(json_object_get(l, "state")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(l, "state-name")), "declined");
	cr_expect_str_eq(json_string_value(json_object_get(l, "hw-address")), "");
	json_decref(r);

	r = get("{\"ip-address\": \"198.18.1.100\"}");
	l = args(r);
	cr_expect_eq(json_integer_value(json_object_get(l, "state")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(l, "state-name")), "released");
	cr_expect_eq(json_integer_value(json_object_get(l, "subnet-id")), 2);
	json_decref(r);
}

Test(commands, lease4_get_by_each_identifier)
{
	static const struct {
		const char *args;
		int result;
		const char *addr;
	} cases[] = {
		{"{\"ip-address\": \"198.18.0.13\"}", 0, "198.18.0.13"},
		{"{\"ip-address\": \"198.18.0.99\"}", LW_CTL_EMPTY, NULL},
		{"{\"ip-address\": \"198.18.0.10\", \"subnet-id\": 2}", LW_CTL_EMPTY, NULL},
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"02:00:00:00:00:01\"}", 0,
			"198.18.0.10"},
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"2-0-0-0-0-1\"}", 0,
			"198.18.0.10"},
		/* the hardware address inside a type-1 client identifier */
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"02:00:00:00:00:02\"}", 0,
			"198.18.0.11"},
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"02:00:00:00:00:01\", "
		 "\"subnet-id\": 1}",
			0, "198.18.0.10"},
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"02:00:00:00:00:01\", "
		 "\"subnet-id\": 2}",
			LW_CTL_EMPTY, NULL},
		{"{\"identifier-type\": \"hw-address\", \"identifier\": \"02:00:00:00:00:09\"}",
			LW_CTL_EMPTY, NULL},
		{"{\"identifier-type\": \"client-id\", \"identifier\": \"01:02:00:00:00:00:02\"}",
			0, "198.18.0.11"},
		{"{\"identifier-type\": \"client-id\", \"identifier\": \"01:02:00:00:00:00:03\"}",
			LW_CTL_EMPTY, NULL},
		{"{\"identifier-type\": \"client-id\", \"identifier\": \"01:02:00:00:00:00:02\", "
		 "\"subnet-id\": 2}",
			LW_CTL_EMPTY, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *r = get(cases[i].args);

		cr_expect_eq(
			result(r), cases[i].result, "%s: %d %s", cases[i].args, result(r), text(r));
		if (cases[i].addr)
			cr_expect_str_eq(json_string_value(json_object_get(args(r), "ip-address")),
				cases[i].addr, "%s", cases[i].args);
		else
			cr_expect_str_eq(text(r), "IPv4 lease not found.");
		json_decref(r);
	}
}

Test(commands, lease4_get_by_long_client_id)
{
	char hex[3 * sizeof(long_id) + 1], a[256];
	size_t o = 0;
	json_t *r;

	for (size_t i = 0; i < sizeof(long_id); i++)
		o += (size_t)sprintf(hex + o, i ? ":%02x" : "%02x", long_id[i]);
	snprintf(a, sizeof(a), "{\"identifier-type\": \"client-id\", \"identifier\": \"%s\"}", hex);
	r = get(a);
	cr_expect_eq(result(r), 0, "%s", text(r));
	cr_expect_str_eq(json_string_value(json_object_get(args(r), "ip-address")), "198.18.0.13");
	json_decref(r);
}

static void expect_addrs(json_t *leases, const char *const *want, size_t n, const char *what)
{
	cr_assert_eq(json_array_size(leases), n, "%s: %zu leases", what, json_array_size(leases));
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(
			json_string_value(json_object_get(json_array_get(leases, i), "ip-address")),
			want[i], "%s #%zu", what, i);
}

Test(commands, lease4_get_all)
{
	static const char *all[] = {
		"198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13", "198.18.1.100"};
	static const char *s2[] = {"198.18.1.100"};
	json_t *r = call("{\"command\": \"lease4-get-all\"}");

	cr_expect_eq(result(r), 0);
	cr_expect_str_eq(text(r), "5 IPv4 lease(s) found.");
	expect_addrs(json_object_get(args(r), "leases"), all, 5, "all");
	json_decref(r);

	r = call(CMD("lease4-get-all", "{\"subnets\": [2]}"));
	expect_addrs(json_object_get(args(r), "leases"), s2, 1, "subnet 2");
	json_decref(r);

	r = call(CMD("lease4-get-all", "{\"subnets\": [1, 2]}"));
	expect_addrs(json_object_get(args(r), "leases"), all, 5, "subnets 1, 2");
	json_decref(r);

	r = call(CMD("lease4-get-all", "{\"subnets\": [3]}"));
	cr_expect_eq(result(r), LW_CTL_EMPTY);
	expect_addrs(json_object_get(args(r), "leases"), NULL, 0, "subnet 3");
	json_decref(r);
}

Test(commands, lease4_get_page_walks_everything)
{
	static const struct {
		const char *from;
		int limit;
		int result;
		const char *addrs[3];
		size_t n;
	} pages[] = {
		{"start", 2, 0, {"198.18.0.10", "198.18.0.11"}, 2},
		{"0.0.0.0", 2, 0, {"198.18.0.10", "198.18.0.11"}, 2},
		{"198.18.0.11", 2, 0, {"198.18.0.12", "198.18.0.13"}, 2},
		{"198.18.0.13", 2, 0, {"198.18.1.100"}, 1},
		{"198.18.0.50", 3, 0, {"198.18.1.100"}, 1},
		{"198.18.1.100", 2, LW_CTL_EMPTY, {NULL}, 0},
		{"start", 10000, 0, {"198.18.0.10", "198.18.0.11", "198.18.0.12"}, 5},
	};

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char req[256];
		json_t *r;

		snprintf(req, sizeof(req),
			CMD("lease4-get-page", "{\"from\": \"%s\", \"limit\": %d}"), pages[i].from,
			pages[i].limit);
		r = call(req);
		cr_expect_eq(result(r), pages[i].result, "%s: %s", req, text(r));
		cr_expect_eq(json_integer_value(json_object_get(args(r), "count")),
			(json_int_t)pages[i].n, "%s", req);
		if (pages[i].n <= 3)
			expect_addrs(json_object_get(args(r), "leases"), pages[i].addrs, pages[i].n,
				req);
		json_decref(r);
	}
}

Test(commands, lease4_del)
{
	json_t *r = call(CMD("lease4-del", "{\"ip-address\": \"198.18.0.11\"}"));

	cr_expect_eq(result(r), 0, "%s", text(r));
	cr_expect_str_eq(text(r), "IPv4 lease deleted.");
	cr_expect_eq(fk.deletes, 1);
	cr_expect_eq(fk.deleted, IP(11));
	json_decref(r);

	r = call(CMD("lease4-del", "{\"ip-address\": \"198.18.0.77\"}"));
	cr_expect_eq(result(r), LW_CTL_EMPTY);
	cr_expect_eq(fk.deletes, 1);
	json_decref(r);

	fk.del_fail = true;
	r = call(CMD("lease4-del", "{\"ip-address\": \"198.18.0.10\"}"));
	cr_expect_eq(result(r), LW_CTL_ERROR);
	cr_expect(strstr(text(r), "ring is full") != NULL);
	json_decref(r);
}

static json_int_t stat_value(json_t *all, const char *name)
{
	json_t *s = json_object_get(all, name);

	cr_assert_not_null(s, "statistic %s missing", name);
	return json_integer_value(json_array_get(json_array_get(s, 0), 0));
}

Test(commands, statistics_names_values_and_shape)
{
	static const struct {
		const char *name;
		json_int_t value;
	} want[] = {
		{"pkt4-received", 15},
		{"pkt4-discover-received", 0},
		{"pkt4-request-received", 0},
		{"pkt4-release-received", 0},
		{"pkt4-decline-received", 0},
		{"pkt4-inform-received", 0},
		{"pkt4-offer-sent", 4},
		{"pkt4-ack-sent", 3},
		{"pkt4-nak-sent", 0},
		{"pkt4-sent", 7},
		{"pkt4-parse-failed", 0},
		{"pkt4-receive-drop", 3},
		{"subnet[1].total-addresses", 90},
		{"subnet[1].assigned-addresses", 3},
		{"subnet[1].declined-addresses", 1},
		{"subnet[2].total-addresses", 10},
		{"subnet[2].assigned-addresses", 0},
		{"declined-addresses", 1},
		{"leases", 5},
		{"worker[0].rx-dhcp", 10},
		{"worker[1].rx-dhcp", 5},
		{"worker[1].pkt4-ack-sent", 3},
		{"worker[1].held-acks", 7},
		{"held-acks", 7},
		{"journal-records", 100},
		{"fsync-batch-size-max", 0},
	};
	json_t *r = call("{\"command\": \"statistic-get-all\"}"), *s;
	const char *when;

	cr_assert_eq(result(r), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_eq(stat_value(args(r), want[i].name), want[i].value, "%s", want[i].name);
	/* Every counter of every worker is there. */
	for (unsigned w = 0; w < 2; w++)
		for (unsigned c = 0; c < LW_CTR_MAX; c++) {
			char name[96];

			snprintf(name, sizeof(name), "worker[%u].%s", w, lw_counter_name(c));
			cr_expect_not_null(json_object_get(args(r), name), "%s", name);
		}
	cr_expect_null(json_object_get(args(r), "worker[2].rx-dhcp"));
	cr_expect_null(json_object_get(args(r), "subnet[3].total-addresses"));
	s = json_object_get(args(r), "worker[0].rate-rx");
	cr_expect_float_eq(json_real_value(json_array_get(json_array_get(s, 0), 0)), 12.5, 1e-9);
	s = json_object_get(args(r), "fsync-latency-us-max");
	cr_expect_float_eq(json_real_value(json_array_get(json_array_get(s, 0), 0)), 800, 1e-9);
	/* [[value, "YYYY-MM-DD HH:MM:SS.ffffff"]] */
	s = json_object_get(args(r), "pkt4-received");
	cr_expect_eq(json_array_size(s), 1);
	cr_expect_eq(json_array_size(json_array_get(s, 0)), 2);
	when = json_string_value(json_array_get(json_array_get(s, 0), 1));
	cr_assert_not_null(when);
	cr_expect_eq(strlen(when), 26, "%s", when);
	cr_expect(when[4] == '-' && when[10] == ' ' && when[13] == ':' && when[19] == '.', "%s",
		when);
	json_decref(r);

	r = call(CMD("statistic-get", "{\"name\": \"pkt4-received\"}"));
	cr_expect_eq(result(r), 0);
	cr_expect_eq(json_object_size(args(r)), 1);
	cr_expect_eq(stat_value(args(r), "pkt4-received"), 15);
	json_decref(r);

	r = call(CMD("statistic-get", "{\"name\": \"pkt4-bogus\"}"));
	cr_expect_eq(result(r), LW_CTL_EMPTY);
	cr_expect_eq(json_object_size(args(r)), 0);
	json_decref(r);
}

Test(commands, statistic_reset_all_keeps_a_baseline)
{
	json_t *r = call("{\"command\": \"statistic-reset-all\"}");

	cr_expect_eq(result(r), 0);
	json_decref(r);
	/* the shared counters are not written */
	cr_expect_eq(fk.stats.ctr[0][LW_CTR_RX_DHCP], 10);

	fk.stats.ctr[0][LW_CTR_RX_DHCP] += 4;
	fk.stats.ctr[1][LW_CTR_RX_DHCP] += 3;
	fk.stats.journal_records += 2;
	r = call("{\"command\": \"statistic-get-all\"}");
	cr_expect_eq(stat_value(args(r), "pkt4-received"), 7);
	cr_expect_eq(stat_value(args(r), "worker[0].rx-dhcp"), 4);
	cr_expect_eq(stat_value(args(r), "pkt4-sent"), 0);
	cr_expect_eq(stat_value(args(r), "journal-records"), 2);
	/* gauges describe the present: not reset */
	cr_expect_eq(stat_value(args(r), "held-acks"), 7);
	cr_expect_eq(stat_value(args(r), "subnet[1].total-addresses"), 90);
	cr_expect_eq(stat_value(args(r), "subnet[1].assigned-addresses"), 3);
	json_decref(r);

	/* a counter below its baseline restarted (a new dataplane): count from zero */
	fk.stats.ctr[0][LW_CTR_RX_DHCP] = 2;
	r = call(CMD("statistic-get", "{\"name\": \"worker[0].rx-dhcp\"}"));
	cr_expect_eq(stat_value(args(r), "worker[0].rx-dhcp"), 2);
	json_decref(r);
}

static json_int_t stat_one(const char *name)
{
	char req[160];
	json_t *r;
	json_int_t v;

	snprintf(req, sizeof(req), CMD("statistic-get", "{\"name\": \"%s\"}"), name);
	r = call(req);
	v = stat_value(args(r), name);
	json_decref(r);
	return v;
}

/* Every request counts once, when answered; malformed, unknown and failed
 * ones count as failed too; what the socket turned away comes from it. */
Test(commands, control_requests_counted)
{
	json_int_t n0 = stat_one("control-requests"), f0 = stat_one("control-requests-failed");
	json_t *r;

	json_decref(call("{"));
	json_decref(call("{\"command\": \"nope\"}"));
	json_decref(call(CMD("lease4-get", "{\"ip-address\": \"x\"}")));
	json_decref(call("{\"command\": \"version-get\"}"));
	json_decref(call(CMD("lease4-get", "{\"ip-address\": \"198.18.0.99\"}"))); /* 3 */
	/* the two reads above and five requests: a read does not see itself */
	cr_expect_eq(stat_one("control-requests"), n0 + 7);
	cr_expect_eq(stat_one("control-requests-failed"), f0 + 3);

	fk.stats.ctl_rejected = 4;
	fk.stats.ctl_refused = 5;
	fk.stats.ctl_timed_out = 6;
	r = call("{\"command\": \"statistic-get-all\"}");
	cr_expect_eq(stat_value(args(r), "control-requests-rejected"), 4);
	cr_expect_eq(stat_value(args(r), "control-connections-refused"), 5);
	cr_expect_eq(stat_value(args(r), "control-connections-timed-out"), 6);
	json_decref(r);

	/* statistic-reset-all counts them from zero too */
	json_decref(call("{\"command\": \"statistic-reset-all\"}"));
	cr_expect_eq(stat_one("control-requests"), 1);
	cr_expect_eq(stat_one("control-connections-refused"), 0);
}

Test(commands, shutdown)
{
	json_t *r = call("{\"command\": \"shutdown\"}");

	cr_expect_eq(result(r), 0);
	cr_expect(fk.shut);
	json_decref(r);
}

Test(commands, leases_export_inline_and_file)
{
	json_t *r = call(CMD("leases-export", "{\"format\": \"isc\", \"inline\": true}"));
	char path[256], *file;
	const char *t;
	size_t n = 0;
	FILE *f;

	cr_assert_eq(result(r), 0, "%s", text(r));
	t = json_string_value(json_object_get(args(r), "text"));
	cr_assert_not_null(t);
	cr_expect(strstr(t, "lease 198.18.0.10 {") != NULL, "%s", t);
	json_decref(r);

	r = call(CMD("leases-export", "{\"format\": \"kea\", \"inline\": true}"));
	cr_assert_eq(result(r), 0, "%s", text(r));
	t = json_string_value(json_object_get(args(r), "text"));
	cr_expect(strncmp(t, "address,hwaddr,client_id", 24) == 0, "%s", t);

	/* a bare name lands in <state_dir>/exports/, written whole */
	json_t *r2 = call(CMD("leases-export", "{\"format\": \"kea\", \"path\": \"leases.csv\"}"));

	cr_assert_eq(result(r2), 0, "%s", text(r2));
	snprintf(path, sizeof(path), "%s/exports/leases.csv", dir);
	cr_expect_str_eq(json_string_value(json_object_get(args(r2), "path")), path);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	file = calloc(1, 65536);
	n = fread(file, 1, 65535, f);
	fclose(f);
	cr_expect_eq(n, strlen(t));
	cr_expect_str_eq(file, t);
	free(file);
	snprintf(path, sizeof(path), "%s/exports/leases.csv.tmp", dir);
	cr_expect_neq(access(path, F_OK), 0, "the .tmp file is left behind");
	json_decref(r2);
	json_decref(r);

	/* and so does an absolute path inside it */
	snprintf(path, sizeof(path),
		CMD("leases-export", "{\"format\": \"isc\", \"path\": \"%s/exports/x.leases\"}"),
		dir);
	r = call(path);
	cr_expect_eq(result(r), 0, "%s", text(r));
	json_decref(r);
}

/* Without a failover relationship the failover commands say so. */
Test(commands, failover_without_a_relationship)
{
	json_t *r = call(CMD("failover-status", "{}"));

	cr_expect_eq(result(r), LW_CTL_EMPTY);
	cr_expect(strstr(text(r), "no failover relationship") != NULL, "%s", text(r));
	json_decref(r);
	r = call(CMD("failover-partner-down", "{}"));
	cr_expect_eq(result(r), LW_CTL_ERROR);
	json_decref(r);
}
