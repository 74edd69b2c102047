/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Configuration loader; the only file that includes <libconfig.h>.
 *
 * schema[] lists every setting once: the section it belongs to, its key, its
 * type, whether it is required, its range, its default and where it is
 * stored. cf_group() reads one libconfig group against the rows of one
 * section: it refuses unknown keys (naming the known ones), checks types and
 * ranges, stores values and fills in defaults. Lists of groups (ports,
 * subnets, pools...) have a handler that runs cf_group() on each element,
 * then the checks that involve more than one setting (overlaps, duplicates,
 * min <= default <= max).
 *
 * Every error is one line: "FILE:LINE: key.path: what was expected".
 */
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lb_hash.h"
#include "lw_err.h"
#include "lw_ip.h"
#include "lw_str.h"

#define LW_EAL_PROGNAME "leasewire-dataplane"

/* An option list being read: the global one or the current subnet's. */
struct opt_list {
	struct lw_opt *opts;
	unsigned n;
	const config_setting_t *src[LW_MAX_OPTIONS]; /* where each was set */
};

/* Pools of one subnet until the subnets are sorted; .subnet holds the pool's
 * index in the file. */
struct subnet_pools {
	struct lw_pool_conf *pools;
	unsigned n;
};

struct cf_ctx {
	const char *name;   /* for messages when libconfig knows no file */
	const char *incdir; /* where @include files are, NULL if none */
	char *err;
	size_t errlen;
	struct lw_config *cfg;
	struct lw_opt global_opts[LW_MAX_OPTIONS];
	struct opt_list global;
	struct opt_list sub;	 /* options of the subnet being read */
	struct subnet_pools *sp; /* per subnet, in file order */
	unsigned n_sp;
	unsigned n_pools;		   /* in all subnets read so far */
	struct lw_port_conf *port;	   /* being read */
	struct lw_subnet_conf *subnet;	   /* being read */
	struct subnet_pools *subnet_pools; /* of the subnet being read */
};

/* An option entry before its value is encoded. */
struct opt_entry {
	char name[64];
	uint32_t code;
	char type[16];
	const config_setting_t *value;
};

/* ------------------------------------------------------------------------ */
/* Errors */

/* "subnets.[0].pools.[1].range": names, and [i] for list elements. */
static void path_of(const config_setting_t *s, const char *key, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	unsigned n = 0;
	size_t pos = 0;

	buf[0] = '\0';
	for (; s != NULL && config_setting_parent(s) != NULL && n < 32;
		s = config_setting_parent(s))
		chain[n++] = s;
	while (n-- > 0) {
		s = chain[n];
		if (config_setting_name(s) != NULL)
			lw_strcat(buf, len, &pos, "%s%s", pos ? "." : "", config_setting_name(s));
		else
			lw_strcat(
				buf, len, &pos, "%s[%d]", pos ? "." : "", config_setting_index(s));
	}
	if (key != NULL)
		lw_strcat(buf, len, &pos, "%s%s", pos ? "." : "", key);
	if (buf[0] == '\0')
		lw_strcat(buf, len, &pos, "(top level)");
}

static unsigned line_of(const config_setting_t *s)
{
	unsigned line = s != NULL ? config_setting_source_line(s) : 0;

	return line ? line : 1; /* the root group has none */
}

/* Error about setting s, or about its member key when key is not NULL. */
__attribute__((format(printf, 4, 5))) static int cf_err(
	struct cf_ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
{
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	const char *dir = "";
	char path[256], msg[512];
	va_list ap;

	if (c->err == NULL || c->errlen == 0)
		return LW_E_CONFIG;
	if (file == NULL)
		file = c->name;
	else if (file[0] != '/' && c->incdir != NULL && strcmp(file, c->name) != 0)
		dir = c->incdir; /* an included file, named as the @include wrote it */
	path_of(s, key, path, sizeof(path));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s%s%s:%u: %s: %s", dir, *dir ? "/" : "", file, line_of(s),
		path, msg);
	for (char *p = c->err; *p; p++) /* one line, whatever the strings held */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return LW_E_CONFIG;
}

static int cf_nomem(struct cf_ctx *c)
{
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return -ENOMEM;
}

static const char *cf_got(const config_setting_t *s, char *buf, size_t len)
{
	const char *str;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, "%lld", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, len, "%g", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		snprintf(buf, len, "\"%.40s%s\"", str, strlen(str) > 40 ? "..." : "");
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, "a group { ... }");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, "an array [ ... ]");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, len, "a list ( ... )");
		break;
	default:
		snprintf(buf, len, "nothing");
		break;
	}
	return buf;
}

static int cf_expect(struct cf_ctx *c, const config_setting_t *s, const char *what)
{
	char got[64];

	return cf_err(c, s, NULL, "expected %s, got %s", what, cf_got(s, got, sizeof(got)));
}

static const config_setting_t *member(const config_setting_t *g, const char *key)
{
	return g != NULL ? config_setting_get_member(g, key) : NULL;
}

/* ------------------------------------------------------------------------ */
/* The schema */

enum cf_sec {
	SEC_ROOT,
	SEC_DATAPLANE,
	SEC_SERVER,
	SEC_PORT,
	SEC_ROUTE,
	SEC_OPTION,
	SEC_SUBNET,
	SEC_POOL,
	SEC_RESV,
	SEC_CONTROL,
	SEC_METRICS,
	SEC_FAILOVER,
};

enum cf_type {
	CF_INT,	    /* integer in [min, max] (or 0 with CF_ZERO), size bytes unsigned */
	CF_BOOL,    /* true or false */
	CF_STR,	    /* text of min..size-1 bytes into char[size] */
	CF_IP,	    /* "a.b.c.d" into a uint32_t */
	CF_PREFIX,  /* "a.b.c.d/len", len in [min, max]: uint32_t at off, uint8_t at off2 */
	CF_RANGE,   /* "a.b.c.d - a.b.c.d": uint32_t at off and at off2 */
	CF_OPT,	    /* value of standard option def, added to the subnet's options */
	CF_GROUP,   /* group of section sub, stored at base + off; fn checks it after */
	CF_LIST,    /* list of groups ( {...}, ... ), read by fn */
	CF_ANY,	    /* any value, read by fn */
	CF_SETTING, /* any value, kept as a setting pointer for later */
};

#define CF_REQ	   0x01 /* must be present */
#define CF_DEF	   0x02 /* absent: def is the value */
#define CF_INHERIT 0x04 /* absent: copied from struct lw_config at offset def */
#define CF_NET	   0x08 /* prefix: host bits must be zero */
#define CF_ZERO	   0x10 /* integer: 0 accepted besides [min, max] */

struct cf_ctx;
typedef int (*cf_fn)(struct cf_ctx *c, const config_setting_t *s, void *base);

struct cf_item {
	uint8_t sec;
	uint8_t type;
	uint8_t flags;
	uint8_t sub;
	const char *key;
	int64_t min, max, def;
	size_t off, off2, size;
	cf_fn fn;
};

/* clang-format off */
/* Row builders: section, key, flags, then what the type needs; st and f name
 * the struct and the field that receive the value. */
#define FLD(st, f)  .off = offsetof(st, f), .size = sizeof(((st *)0)->f)
#define FLD2(st, f) .off2 = offsetof(st, f)

#define INT(s, k, fl, lo, hi, d, st, f) \
	{.sec = s, .key = k, .type = CF_INT, .flags = (fl), .min = lo, .max = hi, .def = d, FLD(st, f)}
#define BOOL(s, k, fl, d, st, f) \
	{.sec = s, .key = k, .type = CF_BOOL, .flags = (fl), .def = d, FLD(st, f)}
#define STR(s, k, fl, st, f) \
	{.sec = s, .key = k, .type = CF_STR, .flags = (fl), .min = 1, FLD(st, f)}
#define IP(s, k, fl, st, f) \
	{.sec = s, .key = k, .type = CF_IP, .flags = (fl), FLD(st, f)}
#define PREFIX(s, k, fl, lo, hi, st, f, f2) \
	{.sec = s, .key = k, .type = CF_PREFIX, .flags = (fl), .min = lo, .max = hi, FLD(st, f), \
		FLD2(st, f2)}
#define RANGE(s, k, st, f, f2) \
	{.sec = s, .key = k, .type = CF_RANGE, FLD(st, f), FLD2(st, f2)}
#define OPT(s, k, code) \
	{.sec = s, .key = k, .type = CF_OPT, .def = code}
#define GROUP(s, k, fl, subsec, check) \
	{.sec = s, .key = k, .type = CF_GROUP, .flags = (fl), .sub = subsec, .fn = check}
#define LIST(s, k, fl, handler) \
	{.sec = s, .key = k, .type = CF_LIST, .flags = (fl), .fn = handler}
#define ANY(s, k, fl, handler) \
	{.sec = s, .key = k, .type = CF_ANY, .flags = (fl), .fn = handler}
#define SETTING(s, k, fl, st, f) \
	{.sec = s, .key = k, .type = CF_SETTING, .flags = (fl), FLD(st, f)}
#define INHERIT(f) (int64_t)offsetof(struct lw_config, f)

#define SECS   (INT64_C(1) << 31) /* well below 0xffffffff, "infinite" in RFC 2131 3.3 */
#define LWC    struct lw_config
#define PORT   struct lw_port_conf
#define SUBNET struct lw_subnet_conf
#define REQ    CF_REQ
#define DEF    CF_DEF

static int load_eal_args(struct cf_ctx *c, const config_setting_t *s, void *base);
static int check_server(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_ports(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_routes(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_global_options(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_subnet_options(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_subnets(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_pools(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_reservations(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_hw_address(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_client_id(struct cf_ctx *c, const config_setting_t *s, void *base);
static int check_control(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_failover(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_fo_role(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_fo_split(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_fo_hba(struct cf_ctx *c, const config_setting_t *s, void *base);
static int load_pool_failover(struct cf_ctx *c, const config_setting_t *s, void *base);

#define CTL struct lw_control_conf
#define FO  struct lw_failover_conf

static const struct cf_item schema[] = {
	/* Top level, read in this order: subnets inherit from server and
	 * merge the global options. */
	GROUP(SEC_ROOT, "dataplane", REQ, SEC_DATAPLANE, NULL),
	GROUP(SEC_ROOT, "server", 0, SEC_SERVER, check_server),
	LIST(SEC_ROOT, "ports", REQ, load_ports),
	LIST(SEC_ROOT, "options", 0, load_global_options),
	ANY(SEC_ROOT, "failover", 0, load_failover), /* before subnets: pools name it */
	LIST(SEC_ROOT, "subnets", 0, load_subnets),
	{.sec = SEC_ROOT, .key = "control", .type = CF_GROUP, .sub = SEC_CONTROL,
		.fn = check_control, .off = offsetof(struct lw_config, control)},

	ANY(SEC_DATAPLANE, "eal_args", REQ, load_eal_args),
	INT(SEC_DATAPLANE, "mbufs", DEF, 1023, 1048575, 8191, LWC, mbufs),
	INT(SEC_DATAPLANE, "max_leases", DEF, 0, 1 << 28, 0, LWC, max_leases),
	INT(SEC_DATAPLANE, "idle_sleep_us", DEF, 0, 100000, 100, LWC, idle_sleep_us),

	BOOL(SEC_SERVER, "authoritative", DEF, true, LWC, authoritative),
	INT(SEC_SERVER, "default_lease_time", DEF, 1, SECS, 7200, LWC, default_lease_time),
	INT(SEC_SERVER, "min_lease_time", DEF, 1, SECS, 300, LWC, min_lease_time),
	INT(SEC_SERVER, "max_lease_time", DEF, 1, SECS, 86400, LWC, max_lease_time),
	INT(SEC_SERVER, "decline_probation", DEF, 0, SECS, 86400, LWC, decline_probation),
	INT(SEC_SERVER, "offer_hold", DEF, 1, 3600, 30, LWC, offer_hold),

	STR(SEC_CONTROL, "socket", 0, CTL, socket),
	STR(SEC_CONTROL, "state_dir", 0, CTL, state_dir),
	STR(SEC_CONTROL, "shm", 0, CTL, shm),
	STR(SEC_CONTROL, "durability", 0, CTL, durability_name),
	INT(SEC_CONTROL, "fsync_interval_us", DEF, 10, 1000000, 250, CTL, fsync_interval_us),
	INT(SEC_CONTROL, "fsync_batch", DEF, 1, 1 << 20, 4096, CTL, fsync_batch),
	INT(SEC_CONTROL, "ack_hold_ms", DEF, 10, 60000, 2000, CTL, ack_hold_ms),
	INT(SEC_CONTROL, "compact_records", DEF, 1024, 1 << 30, 1 << 22, CTL, compact_records),
	INT(SEC_CONTROL, "history_window", DEF, 0, SECS, 86400, CTL, history_window),
	GROUP(SEC_CONTROL, "metrics", 0, SEC_METRICS, NULL),

	BOOL(SEC_METRICS, "enabled", DEF, false, CTL, metrics),
	IP(SEC_METRICS, "address", 0, CTL, metrics_addr),
	INT(SEC_METRICS, "port", DEF, 1, 65535, 9547, CTL, metrics_port),

	/* ISC dhcpd's `failover peer` keywords (FAILOVER.md 1.1), its defaults */
	STR(SEC_FAILOVER, "name", REQ, FO, name),
	ANY(SEC_FAILOVER, "role", REQ, load_fo_role),
	IP(SEC_FAILOVER, "address", REQ, FO, addr),
	INT(SEC_FAILOVER, "port", DEF, 1, 65535, 647, FO, port),
	IP(SEC_FAILOVER, "peer_address", REQ, FO, peer_addr),
	INT(SEC_FAILOVER, "peer_port", DEF, 1, 65535, 647, FO, peer_port),
	INT(SEC_FAILOVER, "max_response_delay", DEF, 1, 3600, 20, FO, max_response_delay),
	INT(SEC_FAILOVER, "max_unacked_updates", DEF, 1, 65535, 100, FO, max_unacked_updates),
	INT(SEC_FAILOVER, "mclt", 0, 1, SECS, 0, FO, mclt),
	ANY(SEC_FAILOVER, "split", 0, load_fo_split),
	ANY(SEC_FAILOVER, "hba", 0, load_fo_hba),
	INT(SEC_FAILOVER, "load_balance_max_seconds", DEF, 0, 65535, 0, FO, lb_max_seconds),
	INT(SEC_FAILOVER, "auto_partner_down", DEF, 0, SECS, 0, FO, auto_partner_down),
	INT(SEC_FAILOVER, "max_lease_misbalance", DEF, 0, 100, 15, FO, max_lease_misbalance),
	INT(SEC_FAILOVER, "max_lease_ownership", DEF, 0, 100, 10, FO, max_lease_ownership),
	INT(SEC_FAILOVER, "min_balance", DEF, 1, SECS, 60, FO, min_balance),
	INT(SEC_FAILOVER, "max_balance", DEF, 1, SECS, 3600, FO, max_balance),

	STR(SEC_PORT, "name", REQ, PORT, name),
	STR(SEC_PORT, "device", REQ, PORT, device),
	PREFIX(SEC_PORT, "address", REQ, 8, 32, PORT, addr, plen),
	INT(SEC_PORT, "mtu", DEF | CF_ZERO, 576, 9000, 0, PORT, mtu),
	LIST(SEC_PORT, "routes", 0, load_routes),

	PREFIX(SEC_ROUTE, "to", REQ | CF_NET, 0, 32, struct lw_route, prefix, plen),
	IP(SEC_ROUTE, "via", REQ, struct lw_route, via),

	STR(SEC_OPTION, "name", 0, struct opt_entry, name),
	INT(SEC_OPTION, "code", 0, 0, 255, 0, struct opt_entry, code),
	STR(SEC_OPTION, "type", 0, struct opt_entry, type),
	SETTING(SEC_OPTION, "value", REQ, struct opt_entry, value),

	PREFIX(SEC_SUBNET, "subnet", REQ | CF_NET, 8, 32, SUBNET, net, plen),
	BOOL(SEC_SUBNET, "authoritative", CF_INHERIT, INHERIT(authoritative), SUBNET, authoritative),
	INT(SEC_SUBNET, "default_lease_time", CF_INHERIT, 1, SECS, INHERIT(default_lease_time),
		SUBNET, default_lease_time),
	INT(SEC_SUBNET, "min_lease_time", CF_INHERIT, 1, SECS, INHERIT(min_lease_time), SUBNET,
		min_lease_time),
	INT(SEC_SUBNET, "max_lease_time", CF_INHERIT, 1, SECS, INHERIT(max_lease_time), SUBNET,
		max_lease_time),
	OPT(SEC_SUBNET, "routers", 3),
	OPT(SEC_SUBNET, "domain_name_servers", 6),
	OPT(SEC_SUBNET, "domain_name", 15),
	OPT(SEC_SUBNET, "broadcast_address", 28),
	LIST(SEC_SUBNET, "options", 0, load_subnet_options),
	LIST(SEC_SUBNET, "pools", 0, load_pools),
	LIST(SEC_SUBNET, "reservations", 0, load_reservations),

	RANGE(SEC_POOL, "range", struct lw_pool_conf, start, end),
	IP(SEC_POOL, "start", 0, struct lw_pool_conf, start),
	IP(SEC_POOL, "end", 0, struct lw_pool_conf, end),
	ANY(SEC_POOL, "failover", 0, load_pool_failover),

	ANY(SEC_RESV, "hw_address", 0, load_hw_address),
	ANY(SEC_RESV, "client_id", 0, load_client_id),
	IP(SEC_RESV, "address", REQ, struct lw_reservation, addr),
	STR(SEC_RESV, "hostname", 0, struct lw_reservation, hostname),
};

/* clang-format on */

#define N_SCHEMA (sizeof(schema) / sizeof(schema[0]))

/* ------------------------------------------------------------------------ */
/* Reading one group against the schema */

static int cf_group(struct cf_ctx *c, unsigned sec, const config_setting_t *g, void *base);

static void store_uint(void *p, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	if (size == 1)
		memcpy(p, &u8, 1);
	else if (size == 2)
		memcpy(p, &u16, 2);
	else if (size == 4)
		memcpy(p, &u32, 4);
	else
		memcpy(p, &v, 8);
}

static int parse_prefix(const char *s, uint32_t *addr, uint8_t *plen)
{
	return strchr(s, '/') != NULL ? lw_prefix_parse(s, addr, plen) : -EINVAL;
}

/* "a.b.c.d - a.b.c.d", spaces optional. */
static int parse_range(const char *s, uint32_t *start, uint32_t *end)
{
	char a[32], b[32];
	int n = -1;

	if (sscanf(s, " %31[0-9.] - %31[0-9.] %n", a, b, &n) != 2 || n < 0 || s[n] != '\0')
		return -EINVAL;
	if (lw_ip4_parse(a, start) < 0 || lw_ip4_parse(b, end) < 0)
		return -EINVAL;
	return 0;
}

static int cf_opt_value(struct cf_ctx *c, const config_setting_t *s, unsigned code,
	enum lw_opt_type type, struct lw_opt *out);
static int opt_add(
	struct cf_ctx *c, struct opt_list *ol, const config_setting_t *s, const struct lw_opt *o);

static int cf_int(struct cf_ctx *c, const struct cf_item *it, const config_setting_t *s, void *p)
{
	int t = config_setting_type(s);
	long long v =
		t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ? config_setting_get_int64(s) : 0;
	char what[192];

	/* libconfig 1.5 wraps plain integers to 32 bits: 2147483648 reads as
	 * -2147483648 unless written 2147483648L */
	snprintf(what, sizeof(what), "%san integer between %" PRId64 " and %" PRId64 "%s",
		it->flags & CF_ZERO ? "0 or " : "", it->min, it->max,
		v < 0 && t == CONFIG_TYPE_INT && it->max > INT32_MAX
			? " (write values above 2147483647 with an L suffix: 2147483648L)"
			: "");
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cf_expect(c, s, what);
	if ((v < it->min || v > it->max) && !(v == 0 && (it->flags & CF_ZERO)))
		return cf_expect(c, s, what);
	store_uint(p, it->size, (uint64_t)v);
	return 0;
}

static int cf_value(
	struct cf_ctx *c, const struct cf_item *it, const config_setting_t *s, void *base)
{
	uint8_t *p = (uint8_t *)base + it->off;
	const char *str = config_setting_get_string(s); /* NULL unless a string */
	const struct lw_opt_def *d;
	char what[96];
	uint32_t a, b;
	struct lw_opt o;
	uint8_t plen;
	bool v;
	int rc;

	switch (it->type) {
	case CF_INT:
		return cf_int(c, it, s, p);
	case CF_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return cf_expect(c, s, "true or false");
		v = config_setting_get_bool(s) != 0;
		memcpy(p, &v, sizeof(v));
		return 0;
	case CF_STR:
		if (str == NULL || strlen(str) < (size_t)it->min || strlen(str) >= it->size) {
			snprintf(what, sizeof(what), "a string of %" PRId64 " to %zu characters",
				it->min, it->size - 1);
			return cf_expect(c, s, what);
		}
		memcpy(p, str, strlen(str) + 1);
		return 0;
	case CF_IP:
		if (str == NULL || lw_ip4_parse(str, &a) < 0)
			return cf_expect(c, s, "an IPv4 address a.b.c.d");
		memcpy(p, &a, sizeof(a));
		return 0;
	case CF_PREFIX:
		if (str == NULL || parse_prefix(str, &a, &plen) < 0 || plen < it->min ||
			plen > it->max) {
			snprintf(what, sizeof(what),
				"a prefix a.b.c.d/len with len between %" PRId64 " and %" PRId64,
				it->min, it->max);
			return cf_expect(c, s, what);
		}
		if ((it->flags & CF_NET) && (a & ~lw_prefix_mask(plen)) != 0) {
			char net[LW_IP4_STRLEN];

			return cf_err(c, s, NULL, "\"%s\" has host bits set (the network is %s/%u)",
				str, lw_ip4_fmt(a & lw_prefix_mask(plen), net), plen);
		}
		memcpy(p, &a, sizeof(a));
		memcpy((uint8_t *)base + it->off2, &plen, 1);
		return 0;
	case CF_RANGE:
		if (str == NULL || parse_range(str, &a, &b) < 0)
			return cf_expect(c, s, "a range \"a.b.c.d - a.b.c.d\"");
		memcpy(p, &a, sizeof(a));
		memcpy((uint8_t *)base + it->off2, &b, sizeof(b));
		return 0;
	case CF_OPT:
		d = lw_opt_def_by_code((unsigned)it->def);
		rc = cf_opt_value(c, s, d->code, (enum lw_opt_type)d->type, &o);
		return rc < 0 ? rc : opt_add(c, &c->sub, s, &o);
	case CF_GROUP:
		rc = cf_group(c, it->sub, s, p);
		return rc < 0 || it->fn == NULL ? rc : it->fn(c, s, p);
	case CF_LIST:
		if (!config_setting_is_list(s))
			return cf_expect(c, s, "a list ( { ... }, ... )");
		return it->fn(c, s, base);
	case CF_ANY:
		return it->fn(c, s, base);
	case CF_SETTING:
		memcpy(p, &s, sizeof(s));
		return 0;
	}
	return cf_err(c, s, NULL, "internal error: bad schema type %u", it->type);
}

static int cf_default(struct cf_ctx *c, const struct cf_item *it, void *base)
{
	uint8_t *p = (uint8_t *)base + it->off;
	bool v;
	int rc;

	if (it->flags & CF_INHERIT) {
		memcpy(p, (uint8_t *)c->cfg + it->def, it->size);
	} else if ((it->flags & CF_DEF) && it->type == CF_BOOL) {
		v = it->def != 0;
		memcpy(p, &v, sizeof(v));
	} else if (it->flags & CF_DEF) {
		store_uint(p, it->size, (uint64_t)it->def);
	} else if (it->type == CF_GROUP) {
		/* an optional group left out: its own defaults apply */
		rc = cf_group(c, it->sub, NULL, p);
		return rc < 0 || it->fn == NULL ? rc : it->fn(c, NULL, p);
	}
	return 0;
}

static const struct cf_item *cf_find(unsigned sec, const char *key)
{
	for (size_t i = 0; i < N_SCHEMA; i++)
		if (schema[i].sec == sec && strcmp(schema[i].key, key) == 0)
			return &schema[i];
	return NULL;
}

static int cf_unknown(struct cf_ctx *c, unsigned sec, const config_setting_t *s)
{
	char keys[512];
	size_t pos = 0;

	keys[0] = '\0';
	for (size_t i = 0; i < N_SCHEMA; i++)
		if (schema[i].sec == sec)
			lw_strcat(keys, sizeof(keys), &pos, "%s%s", pos ? ", " : "", schema[i].key);
	return cf_err(c, s, NULL, "unknown setting (expected one of: %s)", keys);
}

/* Reads group g (NULL: left out, defaults only) into base by the rows of sec. */
static int cf_group(struct cf_ctx *c, unsigned sec, const config_setting_t *g, void *base)
{
	const config_setting_t *s;
	int rc;

	if (g != NULL) {
		if (!config_setting_is_group(g))
			return cf_expect(c, g, "a group { ... }");
		for (int i = 0; i < config_setting_length(g); i++) {
			s = config_setting_get_elem(g, (unsigned)i);
			if (cf_find(sec, config_setting_name(s)) == NULL)
				return cf_unknown(c, sec, s);
		}
	}
	for (size_t i = 0; i < N_SCHEMA; i++) {
		const struct cf_item *it = &schema[i];

		if (it->sec != sec)
			continue;
		s = member(g, it->key);
		if (s == NULL && (it->flags & CF_REQ))
			return cf_err(c, g, it->key, "missing required setting");
		rc = s != NULL ? cf_value(c, it, s, base) : cf_default(c, it, base);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* dataplane, server */

static int load_eal_args(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_config *cfg = base;
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cf_expect(c, s, "a list of strings [ \"-l\", \"0,1\", ... ]");
	n = config_setting_length(s);
	if (n < 1 || n > LW_MAX_EAL_ARGS - 1)
		return cf_err(
			c, s, NULL, "expected 1 to %d arguments, got %d", LW_MAX_EAL_ARGS - 1, n);
	for (int i = 0; i < n; i++)
		if (config_setting_get_string_elem(s, i) == NULL)
			return cf_expect(c, config_setting_get_elem(s, (unsigned)i), "a string");
	cfg->eal_argv[0] = strdup(LW_EAL_PROGNAME);
	if (cfg->eal_argv[0] == NULL)
		return cf_nomem(c);
	cfg->eal_argc = 1;
	for (int i = 0; i < n; i++) {
		cfg->eal_argv[i + 1] = strdup(config_setting_get_string_elem(s, i));
		if (cfg->eal_argv[i + 1] == NULL)
			return cf_nomem(c);
		cfg->eal_argc++;
	}
	return 0;
}

/* RFC 2131 4.3.1: the server chooses the lease time, within these bounds. */
static int check_lease_times(
	struct cf_ctx *c, const config_setting_t *g, uint32_t def, uint32_t min, uint32_t max)
{
	const char *key;

	if (min > def) {
		key = member(g, "min_lease_time") ? "min_lease_time" : "default_lease_time";
		return cf_err(c, member(g, key), NULL,
			"min_lease_time %u is above default_lease_time %u", min, def);
	}
	if (def > max) {
		key = member(g, "default_lease_time") ? "default_lease_time" : "max_lease_time";
		return cf_err(c, member(g, key), NULL,
			"default_lease_time %u is above max_lease_time %u", def, max);
	}
	return 0;
}

static int check_server(struct cf_ctx *c, const config_setting_t *g, void *base)
{
	struct lw_config *cfg = base;

	return check_lease_times(
		c, g, cfg->default_lease_time, cfg->min_lease_time, cfg->max_lease_time);
}

/* ------------------------------------------------------------------------ */
/* control */

static uint64_t fnv1a(uint64_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t lw_config_layout_hash(const struct lw_config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv1a(h, cfg->n_subnets);
	for (unsigned i = 0; i < cfg->n_subnets; i++)
		h = fnv1a(fnv1a(h, cfg->subnets[i].net), cfg->subnets[i].plen);
	h = fnv1a(h, cfg->n_pools);
	for (unsigned i = 0; i < cfg->n_pools; i++)
		h = fnv1a(fnv1a(fnv1a(h, cfg->pools[i].start), cfg->pools[i].end),
			cfg->pools[i].subnet);
	return h;
}

const char *lw_durability_name(int d)
{
	return d == LW_DURABILITY_NONE ? "none" : d == LW_DURABILITY_FSYNC ? "fsync" : "?";
}

static int check_control(struct cf_ctx *c, const config_setting_t *g, void *base)
{
	struct lw_control_conf *cc = base;
	const config_setting_t *m = g ? member(g, "metrics") : NULL;

	if (cc->socket[0] == '\0')
		snprintf(cc->socket, sizeof(cc->socket), "%s", "/run/leasewire/control.sock");
	else if (cc->socket[0] != '/')
		return cf_err(c, member(g, "socket"), NULL, "expected an absolute path");
	if (cc->state_dir[0] == '\0')
		snprintf(cc->state_dir, sizeof(cc->state_dir), "%s", "/var/lib/leasewire");
	else if (cc->state_dir[0] != '/')
		return cf_err(c, member(g, "state_dir"), NULL, "expected an absolute path");
	if (cc->shm[0] == '\0')
		snprintf(cc->shm, sizeof(cc->shm), "%s", "leasewire");
	else if (strspn(cc->shm,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
		 strlen(cc->shm))
		return cf_err(c, member(g, "shm"), NULL,
			"expected a name of letters, digits, '-', '_' and '.' (no '/')");
	if (cc->durability_name[0] == '\0' || strcmp(cc->durability_name, "fsync") == 0) {
		snprintf(cc->durability_name, sizeof(cc->durability_name), "fsync");
		cc->durability = LW_DURABILITY_FSYNC;
	} else if (strcmp(cc->durability_name, "none") == 0) {
		cc->durability = LW_DURABILITY_NONE;
	} else {
		return cf_err(c, member(g, "durability"), NULL,
			"expected \"fsync\" or \"none\", got \"%s\"", cc->durability_name);
	}
	if (m == NULL || member(m, "address") == NULL)
		cc->metrics_addr = 0x7f000001;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* ports */

/* A host address on a prefix: not the network or broadcast address. */
static const char *not_a_host(uint32_t a, uint32_t net, uint8_t plen)
{
	uint32_t m = lw_prefix_mask(plen);

	if (a == 0 || a >= LW_IP4(224, 0, 0, 0))
		return "not a unicast address";
	if (plen <= 30 && a == (net & m))
		return "the network address of its prefix";
	if (plen <= 30 && a == ((net & m) | ~m))
		return "the broadcast address of its prefix";
	return NULL;
}

static int load_ports(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	struct lw_config *cfg = c->cfg;
	char ip[LW_IP4_STRLEN];
	const char *why;
	int n = config_setting_length(l);
	int rc;

	if (n == 0)
		return cf_err(c, l, NULL, "expected at least one port");
	if (n > LW_MAX_PORTS)
		return cf_err(c, config_setting_get_elem(l, LW_MAX_PORTS), NULL,
			"too many ports (at most %d)", LW_MAX_PORTS);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		struct lw_port_conf *p = &cfg->ports[i];

		c->port = p;
		rc = cf_group(c, SEC_PORT, e, p);
		if (rc < 0)
			return rc;
		lw_ip4_fmt(p->addr, ip);
		why = not_a_host(p->addr, p->addr, p->plen);
		if (why != NULL)
			return cf_err(c, member(e, "address"), NULL, "%s/%u: %s is %s", ip, p->plen,
				ip, why);
		for (int k = 0; k < i; k++) {
			if (strcmp(cfg->ports[k].name, p->name) == 0)
				return cf_err(c, member(e, "name"), NULL,
					"\"%s\" is already the name of ports.[%d]", p->name, k);
			if (cfg->ports[k].addr == p->addr)
				return cf_err(c, member(e, "address"), NULL,
					"%s is already the address of port %s", ip,
					cfg->ports[k].name);
		}
		cfg->n_ports = (unsigned)i + 1;
	}
	return 0;
}

static int load_routes(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	struct lw_port_conf *p = c->port;
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN];
	int n = config_setting_length(l);
	int rc;

	if (n > LW_MAX_ROUTES)
		return cf_err(c, config_setting_get_elem(l, LW_MAX_ROUTES), NULL,
			"too many routes (at most %d per port)", LW_MAX_ROUTES);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		struct lw_route *r = &p->routes[i];

		rc = cf_group(c, SEC_ROUTE, e, r);
		if (rc < 0)
			return rc;
		if (!lw_in_prefix(r->via, p->addr, p->plen) || r->via == p->addr)
			return cf_err(c, member(e, "via"), NULL,
				"%s is not a neighbour on the port's link %s/%u",
				lw_ip4_fmt(r->via, a),
				lw_ip4_fmt(p->addr & lw_prefix_mask(p->plen), b), p->plen);
		for (int k = 0; k < i; k++)
			if (p->routes[k].prefix == r->prefix && p->routes[k].plen == r->plen)
				return cf_err(c, member(e, "to"), NULL,
					"%s/%u is already routed by routes.[%d]",
					lw_ip4_fmt(r->prefix, a), r->plen, k);
		p->n_routes = (unsigned)i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* failover */

const char *lw_fo_role_name(int role)
{
	return role == LW_FO_PRIMARY ? "primary" : role == LW_FO_SECONDARY ? "secondary" : "?";
}

static int load_fo_role(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_failover_conf *fo = base;
	const char *str = config_setting_get_string(s);

	if (str != NULL && strcmp(str, "primary") == 0)
		fo->role = LW_FO_PRIMARY;
	else if (str != NULL && strcmp(str, "secondary") == 0)
		fo->role = LW_FO_SECONDARY;
	else
		return cf_expect(c, s, "\"primary\" or \"secondary\"");
	return 0;
}

/* ISC's `split N`: buckets 0..N-1 are the primary's (FAILOVER.md 6.2). */
static int load_fo_split(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	static const struct cf_item range = {.type = CF_INT, .min = 0, .max = 256, .size = 4};
	struct lw_failover_conf *fo = base;
	uint32_t split;
	int rc;

	rc = cf_int(c, &range, s, &split);
	if (rc < 0)
		return rc;
	lb_hba_split(fo->hba, split);
	fo->has_hba = true;
	return 0;
}

#define HEX_DIGITS "0123456789abcdefABCDEF"

/* ISC's `hba`: 32 bytes, as 64 hex digits in a row or as 32 groups of one
 * or two digits separated by ':'. Anything shorter or longer is refused. */
static int parse_hba(const char *s, uint8_t hba[32])
{
	if (strspn(s, HEX_DIGITS) == 64 && s[64] == '\0')
		return lw_hex_parse(s, hba, 32) == 32 ? 0 : -EINVAL;
	for (unsigned n = 0; n < 32; n++) {
		size_t k = strspn(s, HEX_DIGITS);
		char byte[3] = {0};

		if (k < 1 || k > 2 || s[k] != (n < 31 ? ':' : '\0'))
			return -EINVAL;
		memcpy(byte, s, k);
		hba[n] = (uint8_t)strtoul(byte, NULL, 16);
		s += k + 1;
	}
	return 0;
}

static int load_fo_hba(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_failover_conf *fo = base;
	const char *str = config_setting_get_string(s);

	if (str == NULL || parse_hba(str, fo->hba) < 0)
		return cf_expect(c, s, "32 bytes as 64 hex digits or as \"ff:ff:...:00\"");
	fo->has_hba = true;
	return 0;
}

/* What the primary must give and the secondary must leave to the primary:
 * ISC sends mclt and the bitmap in CONNECT (FAILOVER.md 1.1, 6.2). */
static int check_fo_role(struct cf_ctx *c, const config_setting_t *g)
{
	const struct lw_failover_conf *fo = &c->cfg->failover;
	const config_setting_t *split = member(g, "split"), *hba = member(g, "hba");

	if (fo->role == LW_FO_SECONDARY) {
		if (member(g, "mclt") != NULL)
			return cf_err(c, member(g, "mclt"), NULL,
				"not allowed on the secondary: it learns the MCLT from the "
				"primary's CONNECT; set mclt on the primary only");
		if (split != NULL || hba != NULL)
			return cf_err(c, split != NULL ? split : hba, NULL,
				"not allowed on the secondary: it learns the load-balancing "
				"bitmap from the primary's CONNECT; set %s on the primary only",
				split != NULL ? "split" : "hba");
		return 0;
	}
	if (member(g, "mclt") == NULL)
		return cf_err(c, g, "mclt", "missing required setting for the primary");
	if (split != NULL && hba != NULL)
		return cf_err(c, hba, NULL, "not allowed with split: give one of the two");
	if (split == NULL && hba == NULL)
		return cf_err(c, g, "split", "missing required setting for the primary (or hba)");
	return 0;
}

static int load_failover(struct cf_ctx *c, const config_setting_t *g, void *base)
{
	struct lw_config *cfg = base;
	struct lw_failover_conf *fo = &cfg->failover;
	const char *keys[2] = {"address", "peer_address"};
	uint32_t addrs[2];
	char ip[LW_IP4_STRLEN];
	const char *why;
	int rc;

	rc = cf_group(c, SEC_FAILOVER, g, fo);
	if (rc < 0)
		return rc;
	addrs[0] = fo->addr;
	addrs[1] = fo->peer_addr;
	for (int i = 0; i < 2; i++) {
		why = not_a_host(addrs[i], addrs[i], 32);
		if (why != NULL)
			return cf_err(c, member(g, keys[i]), NULL, "%s is %s",
				lw_ip4_fmt(addrs[i], ip), why);
	}
	if (fo->peer_addr == fo->addr)
		return cf_err(c, member(g, "peer_address"), NULL,
			"%s is also address: the peer is the other server, not this one",
			lw_ip4_fmt(fo->peer_addr, ip));
	rc = check_fo_role(c, g);
	if (rc < 0)
		return rc;
	if (fo->max_balance < fo->min_balance)
		return cf_err(c,
			member(g, member(g, "max_balance") != NULL ? "max_balance" : "min_balance"),
			NULL, "max_balance %u is below min_balance %u", fo->max_balance,
			fo->min_balance);
	cfg->has_failover = true;
	return 0;
}

/* A pool's `failover = "NAME"`: NAME is the failover block's name. */
static int load_pool_failover(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_pool_conf *pc = base;
	const struct lw_config *cfg = c->cfg;
	const char *str = config_setting_get_string(s);

	if (str == NULL)
		return cf_expect(c, s, "the name of the failover block, as a string");
	if (!cfg->has_failover)
		return cf_err(c, s, NULL,
			"no failover { } block: \"%.63s\" names no failover relationship", str);
	if (strcmp(str, cfg->failover.name) != 0)
		return cf_err(c, s, NULL,
			"no failover relationship \"%.63s\" (the failover block is named \"%s\")",
			str, cfg->failover.name);
	pc->failover = true;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* options */

static const char *opt_label(unsigned code, char *buf, size_t len)
{
	const struct lw_opt_def *d = lw_opt_def_by_code(code);

	if (d != NULL)
		snprintf(buf, len, "%u (%s)", code, d->name);
	else
		snprintf(buf, len, "%u", code);
	return buf;
}

static void to_val(const config_setting_t *s, struct lw_opt_val *v)
{
	memset(v, 0, sizeof(*v));
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v->kind = LW_OPT_VAL_INT;
		v->i = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_BOOL:
		v->kind = LW_OPT_VAL_BOOL;
		v->i = config_setting_get_bool(s);
		break;
	case CONFIG_TYPE_STRING:
		v->kind = LW_OPT_VAL_STR;
		v->s = config_setting_get_string(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v->kind = LW_OPT_VAL_OTHER;
		v->s = "a number with a fraction";
		break;
	default:
		v->kind = LW_OPT_VAL_OTHER;
		v->s = config_setting_is_group(s) ? "a group { ... }" : "a list";
		break;
	}
}

/* Encodes setting s (a scalar, or an array or list of scalars) as option code. */
static int cf_opt_value(struct cf_ctx *c, const config_setting_t *s, unsigned code,
	enum lw_opt_type type, struct lw_opt *out)
{
	bool list = config_setting_is_array(s) || config_setting_is_list(s);
	struct lw_opt_val v[256];
	int n = list ? config_setting_length(s) : 1;
	char why[256];
	int bad, rc;

	if (n > 255)
		return cf_err(
			c, s, NULL, "too many values (%d): an option holds at most 255 bytes", n);
	if (list)
		for (int i = 0; i < n; i++)
			to_val(config_setting_get_elem(s, (unsigned)i), &v[i]);
	else
		to_val(s, &v[0]);
	rc = lw_opt_encode(code, type, v, (unsigned)n, list, out, &bad, why, sizeof(why));
	if (rc < 0) {
		if (list && bad >= 0)
			s = config_setting_get_elem(s, (unsigned)bad);
		/* libconfig 1.5 wraps plain integers to 32 bits */
		if (type == LW_OPT_U32 && config_setting_type(s) == CONFIG_TYPE_INT &&
			config_setting_get_int(s) < 0)
			return cf_err(c, s, NULL,
				"%s (write values above 2147483647 with an L suffix)", why);
		return cf_err(c, s, NULL, "%s", why);
	}
	return 0;
}

static int opt_add(
	struct cf_ctx *c, struct opt_list *ol, const config_setting_t *s, const struct lw_opt *o)
{
	char label[64];

	for (unsigned k = 0; k < ol->n; k++)
		if (ol->opts[k].code == o->code)
			return cf_err(c, s, NULL, "option %s is already set at line %u",
				opt_label(o->code, label, sizeof(label)), line_of(ol->src[k]));
	if (ol->n >= LW_MAX_OPTIONS)
		return cf_err(c, s, NULL, "too many options (at most %d)", LW_MAX_OPTIONS);
	ol->opts[ol->n] = *o;
	ol->src[ol->n++] = s;
	return 0;
}

static void type_list(char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (int t = 0; t < LW_OPT_TYPE_COUNT; t++)
		lw_strcat(buf, len, &pos, "%s%s", t ? ", " : "",
			lw_opt_type_name((enum lw_opt_type)t));
}

/* { name = "..."; value = ...; } or { code = N; type = "..."; value = ...; } */
static int load_option(struct cf_ctx *c, const config_setting_t *e, struct opt_list *ol)
{
	const struct lw_opt_def *d = NULL;
	struct opt_entry oe = {0};
	const char *reserved;
	char types[128], label[64];
	struct lw_opt o;
	int type, rc;

	rc = cf_group(c, SEC_OPTION, e, &oe);
	if (rc < 0)
		return rc;
	if ((member(e, "name") != NULL) == (member(e, "code") != NULL))
		return cf_err(c, e, NULL, "expected either name = \"...\" or code = N");
	if (member(e, "name") != NULL) {
		d = lw_opt_def_by_name(oe.name);
		if (d == NULL)
			return cf_err(c, member(e, "name"), NULL,
				"unknown option name \"%s\" (others: code and type)", oe.name);
		if (member(e, "type") != NULL)
			return cf_err(c, member(e, "type"), NULL,
				"not allowed with name: %s is of type %s", oe.name,
				lw_opt_type_name((enum lw_opt_type)d->type));
		oe.code = d->code;
		type = d->type;
	} else {
		reserved = lw_opt_reserved(oe.code);
		if (reserved != NULL)
			return cf_err(
				c, member(e, "code"), NULL, "option %u %s", oe.code, reserved);
		d = lw_opt_def_by_code(oe.code);
		type_list(types, sizeof(types));
		if (member(e, "type") != NULL) {
			type = lw_opt_type_by_name(oe.type);
			if (type < 0)
				return cf_err(c, member(e, "type"), NULL,
					"expected one of: %s, got \"%s\"", types, oe.type);
		} else if (d != NULL) {
			type = d->type;
		} else {
			opt_label(oe.code, label, sizeof(label));
			return cf_err(c, e, "type", "missing required setting for option %s (%s)",
				label, types);
		}
	}
	rc = cf_opt_value(c, oe.value, oe.code, (enum lw_opt_type)type, &o);
	return rc < 0 ? rc : opt_add(c, ol, e, &o);
}

static int load_options(struct cf_ctx *c, const config_setting_t *l, struct opt_list *ol)
{
	int rc;

	for (int i = 0; i < config_setting_length(l); i++) {
		rc = load_option(c, config_setting_get_elem(l, (unsigned)i), ol);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int load_global_options(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	return load_options(c, l, &c->global);
}

static int load_subnet_options(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	return load_options(c, l, &c->sub);
}

static int cmp_opt(const void *a, const void *b)
{
	return (int)((const struct lw_opt *)a)->code - (int)((const struct lw_opt *)b)->code;
}

static bool has_opt(const struct lw_subnet_conf *sc, unsigned code)
{
	for (unsigned k = 0; k < sc->n_opts; k++)
		if (sc->opts[k].code == code)
			return true;
	return false;
}

static void put_ip_opt(struct lw_opt *o, unsigned code, uint32_t a)
{
	memset(o, 0, sizeof(*o));
	o->code = (uint8_t)code;
	o->len = 4;
	o->data[0] = (uint8_t)(a >> 24);
	o->data[1] = (uint8_t)(a >> 16);
	o->data[2] = (uint8_t)(a >> 8);
	o->data[3] = (uint8_t)a;
}

/* The subnet's own options, then the global ones it does not set, then the
 * mask (1) and broadcast address (28) from the prefix (RFC 2132 3.3, 5.3),
 * in ascending code order. */
static int merge_options(struct cf_ctx *c, const config_setting_t *e, struct lw_subnet_conf *sc)
{
	struct lw_opt o[2];

	sc->n_opts = c->sub.n;
	put_ip_opt(&o[0], 1, sc->mask);
	put_ip_opt(&o[1], 28, sc->net | ~sc->mask);
	for (unsigned k = 0; k < c->global.n; k++) {
		if (has_opt(sc, c->global.opts[k].code))
			continue;
		if (sc->n_opts >= LW_MAX_OPTIONS)
			goto too_many;
		sc->opts[sc->n_opts++] = c->global.opts[k];
	}
	for (unsigned k = 0; k < 2; k++) {
		if (has_opt(sc, o[k].code))
			continue;
		if (sc->n_opts >= LW_MAX_OPTIONS)
			goto too_many;
		sc->opts[sc->n_opts++] = o[k];
	}
	qsort(sc->opts, sc->n_opts, sizeof(sc->opts[0]), cmp_opt);
	return 0;
too_many:
	return cf_err(c, e, NULL, "more than %d options with the global ones, mask and broadcast",
		LW_MAX_OPTIONS);
}

/* ------------------------------------------------------------------------ */
/* subnets */

static int check_in_subnet(
	struct cf_ctx *c, const config_setting_t *s, uint32_t a, const char *what)
{
	const struct lw_subnet_conf *sc = c->subnet;
	char ip[LW_IP4_STRLEN], net[LW_IP4_STRLEN];
	const char *why;

	if (!lw_in_prefix(a, sc->net, sc->plen))
		return cf_err(c, s, NULL, "%s %s is not inside subnet %s/%u", what,
			lw_ip4_fmt(a, ip), lw_ip4_fmt(sc->net, net), sc->plen);
	why = not_a_host(a, sc->net, sc->plen);
	if (why != NULL)
		return cf_err(c, s, NULL, "%s %s is %s", what, lw_ip4_fmt(a, ip), why);
	return 0;
}

/* An address handed to a client must not be one of the server's own. */
static int check_not_port(struct cf_ctx *c, const config_setting_t *s, uint32_t start, uint32_t end)
{
	char ip[LW_IP4_STRLEN];

	for (unsigned k = 0; k < c->cfg->n_ports; k++) {
		const struct lw_port_conf *p = &c->cfg->ports[k];

		if (p->addr >= start && p->addr <= end)
			return cf_err(c, s, NULL, "%s is the address of port %s",
				lw_ip4_fmt(p->addr, ip), p->name);
	}
	return 0;
}

static int cmp_pool(const void *a, const void *b)
{
	const struct lw_pool_conf *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The setting a message about pool e points at. */
static const config_setting_t *pool_key(const config_setting_t *e)
{
	if (member(e, "range") != NULL)
		return member(e, "range");
	if (member(e, "start") != NULL)
		return member(e, "start");
	return e;
}

static int load_pool(struct cf_ctx *c, const config_setting_t *e, struct lw_pool_conf *pc)
{
	const config_setting_t *key;
	bool range = member(e, "range") != NULL;
	bool start = member(e, "start") != NULL, end = member(e, "end") != NULL;
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN];
	int rc;

	rc = cf_group(c, SEC_POOL, e, pc);
	if (rc < 0)
		return rc;
	if (range && (start || end))
		return cf_err(c, member(e, start ? "start" : "end"), NULL,
			"not allowed with range: give range, or start and end");
	if (!range && !start && !end)
		return cf_err(c, e, "range", "missing required setting (or start and end)");
	if (!range && (!start || !end))
		return cf_err(c, e, start ? "end" : "start", "missing required setting (with %s)",
			start ? "start" : "end");
	key = pool_key(e);
	if (pc->start > pc->end)
		return cf_err(c, key, NULL, "the pool starts at %s, after its end %s",
			lw_ip4_fmt(pc->start, a), lw_ip4_fmt(pc->end, b));
	rc = check_in_subnet(c, key, pc->start, "the pool's start");
	if (rc == 0)
		rc = check_in_subnet(c, range ? key : member(e, "end"), pc->end, "the pool's end");
	if (rc == 0)
		rc = check_not_port(c, key, pc->start, pc->end);
	return rc;
}

static int load_pools(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	struct subnet_pools *sp = c->subnet_pools;
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN];
	unsigned n = (unsigned)config_setting_length(l);
	int rc;

	if (n > LW_MAX_POOLS - c->n_pools)
		return cf_err(c, config_setting_get_elem(l, LW_MAX_POOLS - c->n_pools), NULL,
			"too many pools (at most %d in all subnets)", LW_MAX_POOLS);
	if (n == 0)
		return 0;
	sp->pools = calloc(n, sizeof(*sp->pools));
	if (sp->pools == NULL)
		return cf_nomem(c);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);

		rc = load_pool(c, e, &sp->pools[i]);
		if (rc < 0)
			return rc;
		sp->pools[i].subnet = i;
		sp->n = i + 1;
		if (sp->pools[i].failover != sp->pools[0].failover)
			return cf_err(c,
				sp->pools[i].failover ? member(e, "failover") : pool_key(e), NULL,
				"subnet %s/%u: this pool is %sa failover pool and pools.[0] is%s: "
				"the pools of a subnet are all failover pools or none",
				lw_ip4_fmt(c->subnet->net, a), c->subnet->plen,
				sp->pools[i].failover ? "" : "not ",
				sp->pools[0].failover ? "" : " not");
	}
	c->n_pools += n;
	c->subnet->failover = sp->pools[0].failover;
	qsort(sp->pools, n, sizeof(*sp->pools), cmp_pool);
	for (unsigned i = 1; i < n; i++) {
		const struct lw_pool_conf *x = &sp->pools[i - 1], *y = &sp->pools[i];

		if (y->start <= x->end) {
			if (x->subnet > y->subnet) { /* blame the later one in the file */
				const struct lw_pool_conf *t = x;

				x = y;
				y = t;
			}
			return cf_err(c, pool_key(config_setting_get_elem(l, y->subnet)), NULL,
				"overlaps pools.[%u] (%s - %s)", x->subnet, lw_ip4_fmt(x->start, a),
				lw_ip4_fmt(x->end, b));
		}
	}
	return 0;
}

static int load_hw_address(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_reservation *r = base;
	const char *str = config_setting_get_string(s);

	/* id = htype 1 (Ethernet, RFC 1700) then chaddr, as the server matches */
	if (str == NULL || lw_hex_parse(str, r->id + 1, 6) != 6)
		return cf_expect(c, s, "a MAC address aa:bb:cc:dd:ee:ff");
	r->kind = LW_RESV_HWADDR;
	r->id[0] = 1;
	r->id_len = 7;
	return 0;
}

static int load_client_id(struct cf_ctx *c, const config_setting_t *s, void *base)
{
	struct lw_reservation *r = base;
	const char *str = config_setting_get_string(s);
	int n;

	n = str != NULL ? lw_hex_parse(str, r->id, sizeof(r->id)) : -EINVAL;
	if (n < 1)
		return cf_expect(c, s, "hex bytes of option 61 such as \"01:aa:bb:cc:dd:ee:ff\"");
	r->kind = LW_RESV_CLIENT_ID;
	r->id_len = (uint8_t)n;
	return 0;
}

static int cmp_resv_id(const void *a, const void *b, void *arg)
{
	const struct lw_reservation *rs = arg;
	const struct lw_reservation *x = &rs[*(const unsigned *)a], *y = &rs[*(const unsigned *)b];

	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->id_len != y->id_len)
		return x->id_len - y->id_len;
	return memcmp(x->id, y->id, x->id_len);
}

static int cmp_resv_addr(const void *a, const void *b, void *arg)
{
	const struct lw_reservation *rs = arg;
	uint32_t x = rs[*(const unsigned *)a].addr, y = rs[*(const unsigned *)b].addr;

	return x < y ? -1 : x > y;
}

/* Two reservations of one subnet with the same identity or address. */
static int check_resv_dups(struct cf_ctx *c, const config_setting_t *l, unsigned n)
{
	const struct lw_reservation *rs = c->subnet->reservations;
	unsigned *idx = malloc(n * sizeof(*idx));
	int rc = 0;

	if (idx == NULL)
		return cf_nomem(c);
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (unsigned i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), pass ? cmp_resv_addr : cmp_resv_id, (void *)rs);
		for (unsigned i = 1; i < n && rc == 0; i++) {
			unsigned x = idx[i - 1] < idx[i] ? idx[i - 1] : idx[i];
			unsigned y = idx[i - 1] < idx[i] ? idx[i] : idx[i - 1];
			const config_setting_t *e = config_setting_get_elem(l, y);
			const char *id = rs[y].kind == LW_RESV_HWADDR ? "hw_address" : "client_id";

			if (pass == 0 && cmp_resv_id(&x, &y, (void *)rs) == 0)
				rc = cf_err(c, member(e, id), NULL,
					"the same client as reservations.[%u]", x);
			else if (pass == 1 && rs[x].addr == rs[y].addr)
				rc = cf_err(c, member(e, "address"), NULL,
					"this address is already reserved by reservations.[%u]", x);
		}
	}
	free(idx);
	return rc;
}

static int load_reservations(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	struct lw_subnet_conf *sc = c->subnet;
	unsigned n = (unsigned)config_setting_length(l);
	int rc;

	if (n == 0)
		return 0;
	sc->reservations = calloc(n, sizeof(*sc->reservations));
	if (sc->reservations == NULL)
		return cf_nomem(c);
	sc->n_reservations = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		struct lw_reservation *r = &sc->reservations[i];

		rc = cf_group(c, SEC_RESV, e, r);
		if (rc < 0)
			return rc;
		if (member(e, "hw_address") && member(e, "client_id"))
			return cf_err(c, member(e, "client_id"), NULL,
				"not allowed with hw_address: give one of the two");
		if (!member(e, "hw_address") && !member(e, "client_id"))
			return cf_err(
				c, e, "hw_address", "missing required setting (or client_id)");
		rc = check_in_subnet(c, member(e, "address"), r->addr, "the address");
		if (rc == 0)
			rc = check_not_port(c, member(e, "address"), r->addr, r->addr);
		if (rc < 0)
			return rc;
	}
	return check_resv_dups(c, l, n);
}

static int cmp_subnet(const void *a, const void *b)
{
	const struct lw_subnet_conf *x = a, *y = b;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->plen - y->plen;
}

/* Sorts the subnets, refuses overlaps and lays their pools out in order.
 * Until then each subnet's first_pool holds its index in the file. */
static int finish_subnets(struct cf_ctx *c, const config_setting_t *l)
{
	struct lw_config *cfg = c->cfg;
	char a[LW_IP4_STRLEN];
	unsigned k = 0;

	qsort(cfg->subnets, cfg->n_subnets, sizeof(*cfg->subnets), cmp_subnet);
	for (unsigned i = 1; i < cfg->n_subnets; i++) {
		const struct lw_subnet_conf *x = &cfg->subnets[i - 1], *y = &cfg->subnets[i];

		/* sorted prefixes are nested or disjoint: neighbours tell */
		if (lw_in_prefix(y->net, x->net, x->plen)) {
			if (x->first_pool > y->first_pool) {
				const struct lw_subnet_conf *t = x;

				x = y;
				y = t;
			}
			return cf_err(c,
				member(config_setting_get_elem(l, y->first_pool), "subnet"), NULL,
				"overlaps subnets.[%u] (%s/%u)", x->first_pool,
				lw_ip4_fmt(x->net, a), x->plen);
		}
	}
	cfg->pools = calloc(c->n_pools ? c->n_pools : 1, sizeof(*cfg->pools));
	if (cfg->pools == NULL)
		return cf_nomem(c);
	for (unsigned i = 0; i < cfg->n_subnets; i++) {
		struct lw_subnet_conf *sc = &cfg->subnets[i];
		const struct subnet_pools *sp = &c->sp[sc->first_pool];

		for (unsigned j = 0; j < sp->n; j++) {
			cfg->pools[k + j] = sp->pools[j];
			cfg->pools[k + j].subnet = i;
		}
		sc->first_pool = k;
		sc->n_pools = sp->n;
		k += sp->n;
	}
	cfg->n_pools = k;
	return 0;
}

static int load_subnets(struct cf_ctx *c, const config_setting_t *l, void *base)
{
	struct lw_config *cfg = c->cfg;
	unsigned n = (unsigned)config_setting_length(l);
	int rc;

	if (n > LW_MAX_SUBNETS)
		return cf_err(c, config_setting_get_elem(l, LW_MAX_SUBNETS), NULL,
			"too many subnets (at most %d)", LW_MAX_SUBNETS);
	if (n == 0)
		return 0;
	cfg->subnets = calloc(n, sizeof(*cfg->subnets));
	c->sp = calloc(n, sizeof(*c->sp));
	if (cfg->subnets == NULL || c->sp == NULL)
		return cf_nomem(c);
	cfg->n_subnets = n;
	c->n_sp = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		struct lw_subnet_conf *sc = &cfg->subnets[i];

		c->subnet = sc;
		c->subnet_pools = &c->sp[i];
		c->sub.opts = sc->opts;
		c->sub.n = 0;
		rc = cf_group(c, SEC_SUBNET, e, sc);
		if (rc < 0)
			return rc;
		sc->mask = lw_prefix_mask(sc->plen);
		sc->first_pool = i;
		rc = check_lease_times(
			c, e, sc->default_lease_time, sc->min_lease_time, sc->max_lease_time);
		if (rc == 0)
			rc = merge_options(c, e, sc);
		if (rc < 0)
			return rc;
	}
	return finish_subnets(c, l);
}

/* ------------------------------------------------------------------------ */
/* Entry points */

static int load(config_t *cf, const char *name, struct lw_config **out, char *err, size_t errlen)
{
	struct lw_config *cfg = calloc(1, sizeof(*cfg));
	struct cf_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (cfg == NULL || c == NULL) {
		free(cfg);
		free(c);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	c->name = name;
	c->incdir = config_get_include_dir(cf);
	c->err = err;
	c->errlen = errlen;
	c->cfg = cfg;
	c->global.opts = c->global_opts;
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	rc = cf_group(c, SEC_ROOT, config_root_setting(cf), cfg);
	for (unsigned i = 0; i < c->n_sp; i++)
		free(c->sp[i].pools);
	free(c->sp);
	free(c);
	if (rc < 0) {
		lw_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

static int parse_error(config_t *cf, const char *name, char *err, size_t errlen)
{
	const char *file = config_error_file(cf), *dir = config_get_include_dir(cf);

	if (file == NULL)
		file = name;
	if (file[0] == '/' || dir == NULL || strcmp(file, name) == 0)
		dir = "";
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s%s:%d: %s", dir, *dir ? "/" : "", file,
			config_error_line(cf), config_error_text(cf));
	return LW_E_CONFIG;
}

int lw_config_load(const char *path, struct lw_config **out, char *err, size_t errlen)
{
	config_t cf;
	char *dir;
	FILE *f;
	int rc;

	if (path == NULL || out == NULL)
		return -EINVAL;
	/* libconfig reports any open failure as "file I/O error": ask first */
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
		return rc;
	}
	fclose(f);
	dir = strdup(path);
	if (dir == NULL)
		return -ENOMEM;
	config_init(&cf);
	config_set_include_dir(&cf, dirname(dir)); /* @include is relative to the file */
	if (config_read_file(&cf, path)) {
		rc = load(&cf, path, out, err, errlen);
	} else if (config_error_type(&cf) == CONFIG_ERR_FILE_IO) {
		rc = -EIO;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(EIO));
	} else {
		rc = parse_error(&cf, path, err, errlen);
	}
	config_destroy(&cf);
	free(dir);
	return rc;
}

int lw_config_load_string(
	const char *text, const char *name, struct lw_config **out, char *err, size_t errlen)
{
	config_t cf;
	int rc;

	if (text == NULL || out == NULL)
		return -EINVAL;
	if (name == NULL)
		name = "(string)";
	config_init(&cf);
	if (config_read_string(&cf, text))
		rc = load(&cf, name, out, err, errlen);
	else
		rc = parse_error(&cf, name, err, errlen);
	config_destroy(&cf);
	return rc;
}

void lw_config_free(struct lw_config *cfg)
{
	if (cfg == NULL)
		return;
	for (int i = 0; i < cfg->eal_argc; i++)
		free(cfg->eal_argv[i]);
	for (unsigned i = 0; i < cfg->n_subnets; i++)
		free(cfg->subnets[i].reservations);
	free(cfg->subnets);
	free(cfg->pools);
	free(cfg);
}

const struct lw_subnet_conf *lw_config_subnet_for(const struct lw_config *cfg, uint32_t addr)
{
	unsigned lo = 0, hi = cfg->n_subnets;
	const struct lw_subnet_conf *s;

	while (lo < hi) { /* first subnet whose net is above addr */
		unsigned mid = lo + (hi - lo) / 2;

		if (cfg->subnets[mid].net <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &cfg->subnets[lo - 1];
	return lw_in_prefix(addr, s->net, s->plen) ? s : NULL;
}

int lw_config_pool_for(const struct lw_config *cfg, const struct lw_subnet_conf *s, uint32_t addr)
{
	unsigned lo = s->first_pool, hi = s->first_pool + s->n_pools;

	while (lo < hi) { /* pools of a subnet are sorted by start and disjoint */
		unsigned mid = lo + (hi - lo) / 2;

		if (cfg->pools[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->first_pool || addr > cfg->pools[lo - 1].end)
		return -1;
	return (int)(lo - 1);
}

static void dump_failover(const struct lw_failover_conf *fo, FILE *f)
{
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN];

	fprintf(f,
		"failover \"%s\": %s, %s:%u, peer %s:%u, max_response_delay %u s, "
		"max_unacked_updates %u, ",
		fo->name, lw_fo_role_name(fo->role), lw_ip4_fmt(fo->addr, a), fo->port,
		lw_ip4_fmt(fo->peer_addr, b), fo->peer_port, fo->max_response_delay,
		fo->max_unacked_updates);
	if (fo->role == LW_FO_PRIMARY) {
		fprintf(f, "mclt %u s, hba ", fo->mclt);
		for (int i = 0; i < 32; i++)
			fprintf(f, "%02x", fo->hba[i]);
	} else {
		fprintf(f, "mclt and hba from the primary");
	}
	fprintf(f,
		", load_balance_max_seconds %u, auto_partner_down %u s, max_lease_misbalance "
		"%u%%, max_lease_ownership %u%%, balance every %u..%u s\n",
		fo->lb_max_seconds, fo->auto_partner_down, fo->max_lease_misbalance,
		fo->max_lease_ownership, fo->min_balance, fo->max_balance);
}

void lw_config_dump(const struct lw_config *cfg, FILE *f)
{
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN], v[1024];

	fprintf(f, "config %s\n", cfg->path);
	fprintf(f, "dataplane: mbufs %u, max_leases %u%s, eal:", cfg->mbufs, cfg->max_leases,
		cfg->max_leases ? "" : " (auto)");
	for (int i = 1; i < cfg->eal_argc; i++)
		fprintf(f, " %s", cfg->eal_argv[i]);
	fprintf(f,
		"\nserver: %sauthoritative, lease %u s (min %u, max %u), decline_probation %u s, "
		"offer_hold %u s\n",
		cfg->authoritative ? "" : "not ", cfg->default_lease_time, cfg->min_lease_time,
		cfg->max_lease_time, cfg->decline_probation, cfg->offer_hold);
	if (cfg->has_failover)
		dump_failover(&cfg->failover, f);
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct lw_port_conf *p = &cfg->ports[i];

		fprintf(f, "port %u %s: device %s, address %s/%u, mtu ", i, p->name, p->device,
			lw_ip4_fmt(p->addr, a), p->plen);
		if (p->mtu)
			fprintf(f, "%u", p->mtu);
		else
			fprintf(f, "default");
		fprintf(f, ", %u route%s\n", p->n_routes, p->n_routes == 1 ? "" : "s");
		for (unsigned k = 0; k < p->n_routes; k++)
			fprintf(f, "  route %s/%u via %s\n", lw_ip4_fmt(p->routes[k].prefix, a),
				p->routes[k].plen, lw_ip4_fmt(p->routes[k].via, b));
	}
	for (unsigned i = 0; i < cfg->n_subnets; i++) {
		const struct lw_subnet_conf *s = &cfg->subnets[i];
		uint64_t size = 0;

		for (unsigned k = 0; k < s->n_pools; k++)
			size += (uint64_t)cfg->pools[s->first_pool + k].end -
				cfg->pools[s->first_pool + k].start + 1;
		fprintf(f,
			"subnet %s/%u: %sauthoritative, lease %u s (min %u, max %u), "
			"%u pool%s (%" PRIu64 " addresses), %u reservation%s, %u options\n",
			lw_ip4_fmt(s->net, a), s->plen, s->authoritative ? "" : "not ",
			s->default_lease_time, s->min_lease_time, s->max_lease_time, s->n_pools,
			s->n_pools == 1 ? "" : "s", size, s->n_reservations,
			s->n_reservations == 1 ? "" : "s", s->n_opts);
		for (unsigned k = 0; k < s->n_pools; k++)
			fprintf(f, "  pool %s - %s%s\n",
				lw_ip4_fmt(cfg->pools[s->first_pool + k].start, a),
				lw_ip4_fmt(cfg->pools[s->first_pool + k].end, b),
				cfg->pools[s->first_pool + k].failover ? " (failover)" : "");
		for (unsigned k = 0; k < s->n_opts; k++) {
			const struct lw_opt_def *d = lw_opt_def_by_code(s->opts[k].code);

			fprintf(f, "  option %u%s%s: %s\n", s->opts[k].code, d ? " " : "",
				d ? d->name : "", lw_opt_format(&s->opts[k], v, sizeof(v)));
		}
	}
}
