/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "common/config.h"
#include "common/lw_ctl.h"
#include "common/lw_ip.h"
#include "control/commands_pvt.h"

#ifndef LW_VERSION
#define LW_VERSION "unknown"
#endif

struct ctl_priv {
	struct ctl_stats *baseline; /* statistic-reset-all; NULL: never reset */
	uint64_t requests, failed;  /* control-requests, control-requests-failed */
};

/* This module's state, made on first use; NULL when memory runs out. */
static struct ctl_priv *priv_get(struct ctl_env *env)
{
	if (env->priv == NULL)
		env->priv = calloc(1, sizeof(*env->priv));
	return env->priv;
}

void ctl_stats_get(struct ctl_env *env, struct ctl_stats *out)
{
	env->stats(env->arg, out);
	if (env->priv != NULL) {
		out->ctl_requests = env->priv->requests;
		out->ctl_failed = env->priv->failed;
	}
}

/* ------------------------------------------------------------------------ */
/* Replies */

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0 if there is none.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0; /* also stops at the terminating NUL */
	}
	return n;
}

/*
 * Reply texts quote what the client sent (a command name, a parser's
 * excerpt of the request, cut to fit): any byte that is not part of
 * well-formed UTF-8 becomes '?', or jansson would refuse the text.
 */
static void utf8_scrub(char *text)
{
	unsigned char *s = (unsigned char *)text;
	size_t n;

	while (*s != 0) {
		n = utf8_len(s);
		if (n == 0) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}

json_t *ctl_reply(int result, json_t *args, const char *fmt, ...)
{
	json_t *r = json_object();
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	utf8_scrub(text);
	if (r == NULL) {
		json_decref(args);
		return NULL;
	}
	json_object_set_new(r, "result", json_integer(result));
	json_object_set_new(r, "text", json_string(text));
	if (args != NULL)
		json_object_set_new(r, "arguments", args);
	return r;
}

json_t *ctl_reply_unavailable(const char *command)
{
	return ctl_reply(
		LW_CTL_UNSUPPORTED, NULL, "'%s' is not available in this process", command);
}

/* ------------------------------------------------------------------------ */
/* Process commands */

static json_t *cmd_version_get(struct ctl_env *env, json_t *args)
{
	char ext[256];

	snprintf(ext, sizeof(ext),
		"leasewire %s (control protocol %d, jansson %s, libmicrohttpd %s)", LW_VERSION,
		LW_CTL_VERSION, JANSSON_VERSION, MHD_get_version());
	return ctl_reply(LW_CTL_OK,
		json_pack("{s:s, s:i}", "extended", ext, "ctl-version", LW_CTL_VERSION), "%s",
		LW_VERSION);
}

static json_t *cmd_status_get(struct ctl_env *env, json_t *args)
{
	json_t *out;

	if (env->status == NULL)
		return ctl_reply_unavailable("status-get");
	out = json_object();
	if (out == NULL)
		return NULL;
	env->status(env->arg, out);
	if (json_object_get(out, "leases") == NULL && env->store != NULL)
		json_object_set_new(out, "leases", json_integer(store_count(env->store)));
	return ctl_reply(LW_CTL_OK, out, "leasewire %s", LW_VERSION);
}

static json_t *cmd_failover_status(struct ctl_env *env, json_t *args)
{
	json_t *out;

	if (env->failover_status == NULL)
		return ctl_reply(LW_CTL_EMPTY, NULL, "no failover relationship is configured");
	out = json_object();
	if (out == NULL)
		return NULL;
	if (env->failover_status(env->arg, out) < 0) {
		json_decref(out);
		return ctl_reply(LW_CTL_EMPTY, NULL, "no failover relationship is configured");
	}
	return ctl_reply(LW_CTL_OK, out, "failover peer %s: %s, partner %s",
		json_string_value(json_object_get(out, "name")),
		json_string_value(json_object_get(out, "local-state")),
		json_string_value(json_object_get(out, "partner-state")));
}

static json_t *cmd_failover_partner_down(struct ctl_env *env, json_t *args)
{
	char msg[256];

	if (env->failover_partner_down == NULL)
		return ctl_reply(LW_CTL_ERROR, NULL, "no failover relationship is configured");
	if (env->failover_partner_down(env->arg, msg, sizeof(msg)) < 0)
		return ctl_reply(LW_CTL_ERROR, NULL, "%s", msg);
	return ctl_reply(LW_CTL_OK, NULL, "%s", msg);
}

static json_t *cmd_shutdown(struct ctl_env *env, json_t *args)
{
	if (env->shutdown == NULL)
		return ctl_reply_unavailable("shutdown");
	env->shutdown(env->arg);
	return ctl_reply(LW_CTL_OK, NULL, "Shutting down.");
}

static json_t *cmd_config_test(struct ctl_env *env, json_t *args)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	char msg[1024] = "";

	if (env->reload == NULL)
		return ctl_reply_unavailable("config-test");
	/* The file is read by this process, with its working directory. */
	if (path != NULL && path[0] != '/')
		return ctl_reply(LW_CTL_ERROR, NULL, "'path' must be an absolute path");
	if (env->reload(env->arg, path, false, msg, sizeof(msg)) < 0)
		return ctl_reply(LW_CTL_ERROR, NULL, "%s", msg[0] ? msg : "configuration rejected");
	return ctl_reply(LW_CTL_OK, NULL, "Configuration seems sane.%s%s", msg[0] ? " " : "", msg);
}

static json_t *cmd_config_reload(struct ctl_env *env, json_t *args)
{
	char msg[1024] = "";

	if (env->reload == NULL)
		return ctl_reply_unavailable("config-reload");
	if (env->reload(env->arg, NULL, true, msg, sizeof(msg)) < 0)
		return ctl_reply(LW_CTL_ERROR, NULL, "%s", msg[0] ? msg : "configuration rejected");
	return ctl_reply(LW_CTL_OK, NULL, "Configuration successful.%s%s", msg[0] ? " " : "", msg);
}

/* ------------------------------------------------------------------------ */
/* config-get: the configuration in force, with the file's key names */

static json_t *prefix_str(uint32_t addr, unsigned plen)
{
	char ip[LW_IP4_STRLEN], buf[LW_IP4_STRLEN + 4];

	snprintf(buf, sizeof(buf), "%s/%u", lw_ip4_fmt(addr, ip), plen);
	return json_string(buf);
}

static json_t *ip_str(uint32_t addr)
{
	char ip[LW_IP4_STRLEN];

	return json_string(lw_ip4_fmt(addr, ip));
}

char *ctl_hex(const uint8_t *p, size_t n, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (i)
			buf[o++] = ':';
		buf[o++] = digits[p[i] >> 4];
		buf[o++] = digits[p[i] & 15];
	}
	buf[o] = '\0';
	return buf;
}

static json_t *options_json(const struct lw_subnet_conf *s)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < s->n_opts; i++) {
		const struct lw_opt *o = &s->opts[i];
		const struct lw_opt_def *d = lw_opt_def_by_code(o->code);
		char text[1024];

		json_array_append_new(
			a, json_pack("{s:i, s:s, s:s}", "code", o->code, "name", d ? d->name : "",
				   "value", lw_opt_format(o, text, sizeof(text))));
	}
	return a;
}

static json_t *subnet_json(const struct lw_config *cfg, unsigned i)
{
	const struct lw_subnet_conf *s = &cfg->subnets[i];
	json_t *pools = json_array(), *resv = json_array();
	char a[LW_IP4_STRLEN], b[LW_IP4_STRLEN], hex[3 * 255 + 1];

	for (unsigned p = s->first_pool; p < s->first_pool + s->n_pools; p++) {
		char range[2 * LW_IP4_STRLEN + 4];

		snprintf(range, sizeof(range), "%s - %s", lw_ip4_fmt(cfg->pools[p].start, a),
			lw_ip4_fmt(cfg->pools[p].end, b));
		json_array_append_new(pools, json_pack("{s:s}", "range", range));
	}
	for (unsigned r = 0; r < s->n_reservations; r++) {
		const struct lw_reservation *rv = &s->reservations[r];
		bool hw = rv->kind == LW_RESV_HWADDR;
		/* A hardware reservation's id starts with htype. */
		const uint8_t *id = hw && rv->id_len ? rv->id + 1 : rv->id;
		size_t len = hw && rv->id_len ? rv->id_len - 1u : rv->id_len;

		json_array_append_new(
			resv, json_pack("{s:s, s:s, s:s}", hw ? "hw_address" : "client_id",
				      ctl_hex(id, len, hex), "address", lw_ip4_fmt(rv->addr, a),
				      "hostname", rv->hostname));
	}
	return json_pack("{s:i, s:o, s:b, s:i, s:i, s:i, s:o, s:o, s:o}", "id", ctl_subnet_id(i),
		"subnet", prefix_str(s->net, s->plen), "authoritative", s->authoritative,
		"default_lease_time", s->default_lease_time, "min_lease_time", s->min_lease_time,
		"max_lease_time", s->max_lease_time, "pools", pools, "options", options_json(s),
		"reservations", resv);
}

static json_t *config_json(const struct lw_config *cfg)
{
	const struct lw_control_conf *cc = &cfg->control;
	json_t *eal = json_array(), *ports = json_array(), *subnets = json_array();

	for (int i = 1; i < cfg->eal_argc; i++)
		json_array_append_new(eal, json_string(cfg->eal_argv[i]));
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct lw_port_conf *p = &cfg->ports[i];
		json_t *routes = json_array();

		for (unsigned r = 0; r < p->n_routes; r++)
			json_array_append_new(
				routes, json_pack("{s:o, s:o}", "to",
						prefix_str(p->routes[r].prefix, p->routes[r].plen),
						"via", ip_str(p->routes[r].via)));
		json_array_append_new(
			ports, json_pack("{s:s, s:s, s:o, s:i, s:o}", "name", p->name, "device",
				       p->device, "address", prefix_str(p->addr, p->plen), "mtu",
				       p->mtu, "routes", routes));
	}
	for (unsigned i = 0; i < cfg->n_subnets; i++)
		json_array_append_new(subnets, subnet_json(cfg, i));
	return json_pack("{s:s, s:{s:o, s:i, s:i}, s:{s:b, s:i, s:i, s:i, s:i, s:i},"
			 " s:{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:{s:b, s:o, s:i}},"
			 " s:o, s:o}",
		"path", cfg->path, "dataplane", "eal_args", eal, "mbufs", cfg->mbufs, "max_leases",
		cfg->max_leases, "server", "authoritative", cfg->authoritative,
		"default_lease_time", cfg->default_lease_time, "min_lease_time",
		cfg->min_lease_time, "max_lease_time", cfg->max_lease_time, "decline_probation",
		cfg->decline_probation, "offer_hold", cfg->offer_hold, "control", "socket",
		cc->socket, "state_dir", cc->state_dir, "shm", cc->shm, "durability",
		lw_durability_name(cc->durability), "fsync_interval_us", cc->fsync_interval_us,
		"fsync_batch", cc->fsync_batch, "ack_hold_ms", cc->ack_hold_ms, "compact_records",
		cc->compact_records, "history_window", cc->history_window, "metrics", "enabled",
		cc->metrics, "address", ip_str(cc->metrics_addr), "port", cc->metrics_port, "ports",
		ports, "subnets", subnets);
}

static json_t *cmd_config_get(struct ctl_env *env, json_t *args)
{
	const struct lw_config *cfg = env->config ? env->config(env->arg) : NULL;
	json_t *c;

	if (cfg == NULL)
		return ctl_reply_unavailable("config-get");
	c = config_json(cfg);
	if (c == NULL)
		return NULL;
	return ctl_reply(
		LW_CTL_OK, json_pack("{s:o}", "leasewire", c), "configuration of %s", cfg->path);
}

/* ------------------------------------------------------------------------ */
/* Statistics */

/* Kea's sample timestamp, local time with microseconds. */
static void stat_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ld", ts.tv_nsec / 1000);
}

struct stat_walk {
	json_t *out;
	const char *only; /* statistic-get: the one name wanted */
	char when[40];
};

static int stat_add(void *arg, const struct ctl_stat *s)
{
	struct stat_walk *w = arg;
	char name[128];
	json_t *v;

	ctl_stat_fullname(s, name, sizeof(name));
	if (w->only != NULL && strcmp(w->only, name) != 0)
		return 0;
	v = s->real ? json_real(s->d) : json_integer((json_int_t)s->u);
	/* [[value, time]]: Kea keeps a history of samples; this is the latest. */
	json_object_set_new(w->out, name, json_pack("[[o, s]]", v, w->when));
	return w->only != NULL; /* found the one asked for: stop */
}

static json_t *stats_collect(struct ctl_env *env, const char *only)
{
	const struct lw_config *cfg = env->config ? env->config(env->arg) : NULL;
	struct ctl_stats *raw = calloc(1, sizeof(*raw));
	struct stat_walk w = {.out = json_object(), .only = only};
	struct ctl_stat_src src = {
		.raw = raw,
		.baseline = env->priv ? env->priv->baseline : NULL,
		.cfg = cfg,
		.store = env->store,
	};

	if (raw == NULL || w.out == NULL) {
		free(raw);
		json_decref(w.out);
		return NULL;
	}
	ctl_stats_get(env, raw);
	stat_time(w.when, sizeof(w.when));
	ctl_stat_foreach(&src, stat_add, &w);
	free(raw);
	return w.out;
}

static json_t *cmd_statistic_get(struct ctl_env *env, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *out;

	if (env->stats == NULL)
		return ctl_reply_unavailable("statistic-get");
	out = stats_collect(env, name);
	if (out == NULL)
		return NULL;
	/* Kea answers 0 with empty arguments; 3 says "no such statistic" in
	 * the result itself, and the arguments keep Kea's empty shape. */
	if (json_object_size(out) == 0)
		return ctl_reply(LW_CTL_EMPTY, out, "no statistic '%s'", name);
	return ctl_reply(LW_CTL_OK, out, "statistic '%s'", name);
}

static json_t *cmd_statistic_get_all(struct ctl_env *env, json_t *args)
{
	json_t *out;

	if (env->stats == NULL)
		return ctl_reply_unavailable("statistic-get-all");
	out = stats_collect(env, NULL);
	if (out == NULL)
		return NULL;
	return ctl_reply(LW_CTL_OK, out, "%zu statistics", json_object_size(out));
}

/*
 * The counters in shared memory belong to the dataplane and are never
 * written here: a reset records the current values and later answers
 * subtract them. Gauges (addresses, held ACKs, rates) are not reset, as
 * they describe the present. The Prometheus endpoint ignores the baseline:
 * its counters must only grow.
 */
static json_t *cmd_statistic_reset_all(struct ctl_env *env, json_t *args)
{
	if (env->stats == NULL)
		return ctl_reply_unavailable("statistic-reset-all");
	if (priv_get(env) == NULL)
		return NULL;
	if (env->priv->baseline == NULL) {
		env->priv->baseline = calloc(1, sizeof(*env->priv->baseline));
		if (env->priv->baseline == NULL)
			return NULL;
	}
	ctl_stats_get(env, env->priv->baseline);
	return ctl_reply(LW_CTL_OK, NULL, "All statistics reset to neutral values.");
}

/* ------------------------------------------------------------------------ */
/* The table */

enum arg_type {
	ARG_STRING,
	ARG_INT,
	ARG_BOOL,
	ARG_ARRAY,
};

struct arg_def {
	const char *name;
	uint8_t type;
	bool required;
};

struct cmd_def {
	const char *name;
	ctl_cmd_fn fn;
	const char *help;
	const struct arg_def *args; /* ends with a NULL name; NULL: takes none */
};

static json_t *cmd_list_commands(struct ctl_env *env, json_t *args);

static const struct arg_def args_config_test[] = {{"path", ARG_STRING, false}, {NULL}};
static const struct arg_def args_list_commands[] = {{"help", ARG_BOOL, false}, {NULL}};
static const struct arg_def args_statistic_get[] = {{"name", ARG_STRING, true}, {NULL}};
static const struct arg_def args_lease4_get[] = {
	{"ip-address", ARG_STRING, false},
	{"identifier-type", ARG_STRING, false},
	{"identifier", ARG_STRING, false},
	{"subnet-id", ARG_INT, false},
	{NULL},
};
static const struct arg_def args_lease4_get_all[] = {{"subnets", ARG_ARRAY, false}, {NULL}};
static const struct arg_def args_lease4_get_page[] = {
	{"from", ARG_STRING, true},
	{"limit", ARG_INT, true},
	{NULL},
};
static const struct arg_def args_lease4_del[] = {{"ip-address", ARG_STRING, true}, {NULL}};
static const struct arg_def args_leases_export[] = {
	{"format", ARG_STRING, true},
	{"path", ARG_STRING, false},
	{"inline", ARG_BOOL, false},
	{NULL},
};

/* Kea's command names where the meaning is the same; sorted by name. */
static const struct cmd_def commands[] = {
	{"config-get", cmd_config_get, "the configuration in force, as JSON", NULL},
	{"config-reload", cmd_config_reload, "reread the configuration file and apply it", NULL},
	{"config-test", cmd_config_test,
		"check a configuration file (\"path\") without applying it", args_config_test},
	{"failover-partner-down", cmd_failover_partner_down,
		"declare the failover partner down: serve every client now, and the partner's "
		"addresses once MCLT has passed",
		NULL},
	{"failover-status", cmd_failover_status,
		"failover states, MCLT, load-balancing share, updates in flight and backlog", NULL},
	{"lease4-del", ctl_cmd_lease4_del, "delete the lease of \"ip-address\"", args_lease4_del},
	{"lease4-get", ctl_cmd_lease4_get,
		"one lease, by \"ip-address\" or by \"identifier-type\" and \"identifier\"",
		args_lease4_get},
	{"lease4-get-all", ctl_cmd_lease4_get_all, "every lease, or those of \"subnets\"",
		args_lease4_get_all},
	{"lease4-get-page", ctl_cmd_lease4_get_page,
		"\"limit\" leases after address \"from\" (or \"start\")", args_lease4_get_page},
	{"leases-export", ctl_cmd_leases_export,
		"write every lease in \"format\" isc or kea to \"path\", or return it (\"inline\")",
		args_leases_export},
	{"list-commands", cmd_list_commands, "the commands this server supports",
		args_list_commands},
	{"shutdown", cmd_shutdown, "stop the server (the dataplane first)", NULL},
	{"statistic-get", cmd_statistic_get, "one statistic by \"name\"", args_statistic_get},
	{"statistic-get-all", cmd_statistic_get_all, "every statistic", NULL},
	{"statistic-reset-all", cmd_statistic_reset_all, "count every counter from zero again",
		NULL},
	{"status-get", cmd_status_get, "process, dataplane and journal status", NULL},
	{"version-get", cmd_version_get, "the server's version", NULL},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *ctl_command_name(unsigned i)
{
	return i < N_COMMANDS ? commands[i].name : NULL;
}

const char *ctl_command_help(unsigned i)
{
	return i < N_COMMANDS ? commands[i].help : NULL;
}

/* Kea's shape: the names as a list; "help": true maps each to its help. */
static json_t *cmd_list_commands(struct ctl_env *env, json_t *args)
{
	bool help = json_is_true(json_object_get(args, "help"));
	json_t *out = help ? json_object() : json_array();

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (help)
			json_object_set_new(out, commands[i].name, json_string(commands[i].help));
		else
			json_array_append_new(out, json_string(commands[i].name));
	}
	return ctl_reply(LW_CTL_OK, out, "%zu commands", N_COMMANDS);
}

static const char *type_name(uint8_t t)
{
	static const char *const names[] = {
		[ARG_STRING] = "a string",
		[ARG_INT] = "an integer",
		[ARG_BOOL] = "a boolean",
		[ARG_ARRAY] = "a list",
	};

	return names[t];
}

static bool type_ok(uint8_t t, const json_t *v)
{
	switch (t) {
	case ARG_STRING:
		return json_is_string(v);
	case ARG_INT:
		return json_is_integer(v);
	case ARG_BOOL:
		return json_is_boolean(v);
	case ARG_ARRAY:
		return json_is_array(v);
	}
	return false;
}

/* Checks names and types against the table; NULL when they are fine. */
static json_t *check_args(const struct cmd_def *c, json_t *args)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		const struct arg_def *a = c->args;

		while (a && a->name && strcmp(a->name, key) != 0)
			a++;
		if (a == NULL || a->name == NULL)
			return ctl_reply(
				LW_CTL_ERROR, NULL, "'%s' takes no parameter '%s'", c->name, key);
		if (!type_ok(a->type, v))
			return ctl_reply(
				LW_CTL_ERROR, NULL, "'%s' must be %s", key, type_name(a->type));
	}
	for (const struct arg_def *a = c->args; a && a->name; a++)
		if (a->required && json_object_get(args, a->name) == NULL)
			return ctl_reply(LW_CTL_ERROR, NULL, "missing parameter '%s'", a->name);
	return NULL;
}

/* Parses and checks the envelope, then runs the command. */
static json_t *dispatch(struct ctl_env *env, const char *req, size_t len)
{
	json_error_t jerr;
	json_t *root, *cmd, *args, *reply = NULL;
	const char *name, *key;
	json_t *v;
	size_t i;

	root = json_loadb(req, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return ctl_reply(LW_CTL_ERROR, NULL, "invalid JSON at line %d, column %d: %s",
			jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		reply = ctl_reply(LW_CTL_ERROR, NULL, "the request must be a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		/* A misspelt "arguments" must not pass for no arguments. */
		if (strcmp(key, "command") != 0 && strcmp(key, "arguments") != 0 &&
			strcmp(key, "ctl-version") != 0 && strcmp(key, "service") != 0) {
			reply = ctl_reply(LW_CTL_ERROR, NULL,
				"unsupported parameter '%s' in the request", key);
			goto out;
		}
	}
	cmd = json_object_get(root, "command");
	if (cmd == NULL) {
		reply = ctl_reply(LW_CTL_ERROR, NULL, "missing 'command'");
		goto out;
	}
	if (!json_is_string(cmd)) {
		reply = ctl_reply(LW_CTL_ERROR, NULL, "'command' must be a string");
		goto out;
	}
	name = json_string_value(cmd);
	v = json_object_get(root, "ctl-version");
	if (v != NULL && !json_is_integer(v)) {
		reply = ctl_reply(LW_CTL_ERROR, NULL, "'ctl-version' must be an integer");
		goto out;
	}
	if (v != NULL && json_integer_value(v) != LW_CTL_VERSION) {
		reply = ctl_reply(LW_CTL_ERROR, NULL,
			"control protocol mismatch: the client speaks version %" JSON_INTEGER_FORMAT
			", this server %d; use the leasewirectl of the same release",
			json_integer_value(v), LW_CTL_VERSION);
		goto out;
	}
	args = json_object_get(root, "arguments");
	if (args != NULL && !json_is_object(args)) {
		reply = ctl_reply(LW_CTL_ERROR, NULL, "'arguments' must be an object");
		goto out;
	}
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			break;
	if (i == N_COMMANDS) {
		/* Kea's answer to an unknown command: result 2, this text. */
		reply = ctl_reply(LW_CTL_UNSUPPORTED, NULL, "'%s' command not supported.", name);
		goto out;
	}
	if (args == NULL) {
		args = json_object();
		json_object_set_new(root, "arguments", args);
	}
	reply = check_args(&commands[i], args);
	if (reply == NULL)
		reply = commands[i].fn(env, args);
out:
	json_decref(root);
	return reply;
}

char *ctl_handle(struct ctl_env *env, const char *req, size_t len)
{
	json_t *reply = dispatch(env, req, len);
	json_int_t result;
	char *text;

	if (reply == NULL)
		return NULL;
	result = json_integer_value(json_object_get(reply, "result"));
	if (priv_get(env) != NULL) {
		env->priv->requests++;
		if (result == LW_CTL_ERROR || result == LW_CTL_UNSUPPORTED)
			env->priv->failed++;
	}
	text = json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(reply);
	return text;
}

char *ctl_handle_cb(void *arg, const char *req, size_t len)
{
	return ctl_handle(arg, req, len);
}

void ctl_env_fini(struct ctl_env *env)
{
	if (env->priv == NULL)
		return;
	free(env->priv->baseline);
	free(env->priv);
	env->priv = NULL;
}
