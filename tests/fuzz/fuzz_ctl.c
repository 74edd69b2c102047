/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target: control-socket requests. Anyone in the socket's group
 * can send any bytes; every input must get a well-formed reply (a JSON
 * object with a result from 0 to 3 and a text), with the real command
 * table, store, statistics and exports behind it and the process faked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/config.h"
#include "common/lw_ip.h"
#include "control/commands.h"
#include "control/store.h"

/* state_dir does not exist: a "path" export fails instead of filling a disk. */
static const char cfg_text[] =
	"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\"; } );\n"
	"control = { state_dir = \"/nonexistent/leasewire-fuzz\"; };\n"
	"subnets = (\n"
	" { subnet = \"198.18.0.0/24\"; pools = ( { range = \"198.18.0.10 - 198.18.0.99\"; } ); "
	"},\n"
	" { subnet = \"198.18.1.0/24\"; pools = ( { range = \"198.18.1.10 - 198.18.1.19\"; } ); }\n"
	");\n";

static struct lw_config *cfg;
static struct store *st;
static struct ctl_env env;

static const struct lw_config *f_config(void *arg)
{
	return cfg;
}

static const char *f_config_path(void *arg)
{
	return "/etc/leasewire/leasewire.cfg";
}

static int f_reload(void *arg, const char *path, bool apply, char *msg, size_t len)
{
	strncpy(msg, "checked", len - 1);
	return path != NULL && path[1] == 'x' ? -1 : 0;
}

/* Leaves the store alone, so that every input sees the same leases. */
static int f_lease_del(void *arg, const struct store_lease *l, char *msg, size_t len)
{
	return (l->addr & 1) ? -1 : 0;
}

static void f_stats(void *arg, struct ctl_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->n_workers = 2;
	for (unsigned c = 0; c < LW_CTR_MAX; c++)
		out->ctr[0][c] = out->ctr[1][c] = c;
	out->rate_rx[0] = 1.5;
	out->fsync_latency_us_avg = 120.25;
}

static void f_status(void *arg, json_t *out)
{
	json_object_set_new(out, "pid", json_integer(1));
}

static void f_shutdown(void *arg)
{
}

static void put(uint32_t addr, uint8_t state, unsigned subnet, uint8_t kind, uint8_t len)
{
	struct lw_bind_event ev = {
		.type = LW_EV_BIND,
		.version = LW_RECORDS_VERSION,
		.state = state,
		.seq = 1,
		.addr = addr,
		.start = 1700000000,
		.end = 1700003600,
		.subnet = subnet,
		.key = {.kind = kind, .len = len, .data = {1, 2, 0, 0, 0, 0, (uint8_t)addr}},
	};

	if (store_apply(st, &ev) != 0)
		abort();
}

static void init(void)
{
	char err[256];

	if (lw_config_load_string(cfg_text, "fuzz.cfg", &cfg, err, sizeof(err)) != 0)
		abort();
	st = store_create(16);
	if (st == NULL)
		abort();
	put(LW_IP4(198, 18, 0, 10), LW_BIND_ACTIVE, 0, LW_KEY_HWADDR, 7);
	put(LW_IP4(198, 18, 0, 11), LW_BIND_ACTIVE, 0, LW_KEY_CLIENT_ID, 7);
	put(LW_IP4(198, 18, 0, 12), LW_BIND_DECLINED, 0, LW_KEY_NONE, 0);
	put(LW_IP4(198, 18, 1, 10), LW_BIND_RELEASED, 1, LW_KEY_HWADDR, 7);
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reply;
	json_t *r, *res;

	if (cfg == NULL)
		init();
	reply = ctl_handle(&env, (const char *)data, size);
	if (reply == NULL)
		__builtin_trap();
	r = json_loads(reply, 0, NULL);
	res = json_object_get(r, "result");
	if (!json_is_object(r) || !json_is_integer(res) || json_integer_value(res) < 0 ||
		json_integer_value(res) > 3 || !json_is_string(json_object_get(r, "text")))
		__builtin_trap();
	json_decref(r);
	free(reply);
	/* statistic-reset-all keeps a baseline: start every input without one. */
	ctl_env_fini(&env);
	return 0;
}
