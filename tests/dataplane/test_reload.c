/* SPDX-License-Identifier: MPL-2.0 */
/* What a configuration reload may change in a running dataplane: one row
 * per change, with what the refusal must name. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/reload.h"

/* Tokens replaced per row: eal, port address, pool range, reservation, lease time, shm. */
static const char cfg_fmt[] =
	"dataplane = { eal_args = [ \"-l\", \"%s\" ]; };\n"
	"server = { default_lease_time = %s; };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"%s\";\n"
	"  routes = ( { to = \"0.0.0.0/0\"; via = \"%s\"; } ); } );\n"
	"subnets = ( { subnet = \"198.18.0.0/24\"; pools = ( { range = \"%s\"; } );\n"
	"  reservations = ( { hw_address = \"%s\"; address = \"%s\"; },\n"
	"    { hw_address = \"02:00:00:00:00:02\"; address = \"%s\"; } ); } );\n"
	"control = { shm = \"%s\"; };\n";

struct variant {
	const char *eal, *lease, *addr, *via, *range, *mac, *resv_in, *resv_out, *shm;
};

static const struct variant base = {"0,1", "600", "198.18.0.1/24", "198.18.0.254",
	"198.18.0.100 - 198.18.0.199", "02:00:00:00:00:01", "198.18.0.105", "198.18.0.20", "lw"};

static struct lw_config *load(const struct variant *v)
{
	struct lw_config *cfg = NULL;
	char text[4096], err[512];
	int rc;

	snprintf(text, sizeof(text), cfg_fmt, v->eal, v->lease, v->addr, v->via, v->range, v->mac,
		v->resv_in, v->resv_out, v->shm);
	rc = lw_config_load_string(text, "t.cfg", &cfg, err, sizeof(err));
	cr_assert_eq(rc, 0, "config: %s", err);
	return cfg;
}

static int check(const struct variant *v, char *msg, size_t len)
{
	struct lw_config *a = load(&base), *b = load(v);
	int rc;

	msg[0] = '\0';
	rc = reload_check(a, b, msg, len);
	lw_config_free(a);
	lw_config_free(b);
	return rc;
}

Test(reload, what_may_change)
{
	struct variant v;
	char msg[512];

	v = base;
	cr_assert_eq(check(&v, msg, sizeof(msg)), 0, "the same file: %s", msg);
	v.lease = "1200";
	cr_assert_eq(check(&v, msg, sizeof(msg)), 0, "lease times: %s", msg);
	v = base;
	v.via = "198.18.0.253";
	cr_assert_eq(check(&v, msg, sizeof(msg)), 0, "routes: %s", msg);
	v = base;
	v.mac = "02:00:00:00:00:09";
	cr_assert_eq(check(&v, msg, sizeof(msg)), 0, "who a reservation is for: %s", msg);
	v = base;
	v.resv_out = "198.18.0.30";
	cr_assert_eq(check(&v, msg, sizeof(msg)), 0, "reservations outside the pools: %s", msg);
}

Test(reload, what_needs_a_restart)
{
	static const struct {
		const char *field;
		const char *value;
		const char *named;
	} rows[] = {
		{"eal", "0-2", "dataplane.eal_args"},
		{"addr", "198.18.0.2/24", "ports[0] (\"p0\").address"},
		{"range", "198.18.0.100 - 198.18.0.198", "pool 198.18.0.100 - 198.18.0.199"},
		{"resv_in", "198.18.0.106", "198.18.0.105 is no longer reserved"},
		{"shm", "other", "control.shm"},
	};

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct variant v = base;
		char msg[512];

		if (strcmp(rows[i].field, "eal") == 0)
			v.eal = rows[i].value;
		else if (strcmp(rows[i].field, "addr") == 0)
			v.addr = rows[i].value;
		else if (strcmp(rows[i].field, "range") == 0)
			v.range = rows[i].value;
		else if (strcmp(rows[i].field, "resv_in") == 0)
			v.resv_in = rows[i].value;
		else
			v.shm = rows[i].value;
		cr_assert_eq(check(&v, msg, sizeof(msg)), -ENOTSUP, "%s: refused", rows[i].field);
		cr_assert(strstr(msg, rows[i].named) != NULL, "%s: '%s' names '%s'", rows[i].field,
			msg, rows[i].named);
		cr_assert(strstr(msg, "restart the dataplane to apply") != NULL, "%s", msg);
	}
}

Test(reload, a_pool_joining_or_leaving_failover_is_refused)
{
	struct lw_config *a = load(&base), *b = load(&base);
	char msg[512];

	/* Set by hand: failover pools start parked in the address tables. */
	b->pools[0].failover = true;
	b->subnets[0].failover = true;
	cr_assert_eq(reload_check(a, b, msg, sizeof(msg)), -ENOTSUP);
	cr_assert(strstr(msg, "198.18.0.100 - 198.18.0.199 became a failover pool"), "%s", msg);
	cr_assert(strstr(msg, "restart the dataplane to apply"), "%s", msg);
	cr_assert_eq(reload_check(b, a, msg, sizeof(msg)), -ENOTSUP);
	cr_assert(strstr(msg, "is no longer a failover pool"), "%s", msg);
	a->pools[0].failover = true;
	a->subnets[0].failover = true;
	cr_assert_eq(reload_check(a, b, msg, sizeof(msg)), 0, "%s", msg);
	lw_config_free(a);
	lw_config_free(b);
}
