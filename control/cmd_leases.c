/* SPDX-License-Identifier: MPL-2.0 */
/* The lease commands (Kea's lease_cmds shapes) and leases-export. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/config.h"
#include "common/dhcp4.h"
#include "common/lw_ctl.h"
#include "common/lw_ip.h"
#include "control/commands_pvt.h"
#include "control/export.h"

/* Kea's lease states: 0 default (assigned), 1 declined, 2 expired-reclaimed.
 * Kea keeps a released lease as expired-reclaimed too; "state-name" tells
 * the two apart. */
static int kea_state(uint8_t state)
{
	switch (state) {
	case LW_BIND_ACTIVE:
		return 0;
	case LW_BIND_DECLINED:
		return 1;
	default:
		return 2;
	}
}

static json_t *lease_json(const struct store_lease *l)
{
	const struct lw_client_key *k = &l->key;
	char ip[LW_IP4_STRLEN], hw[3 * LW_KEY_DATA + 1] = "", cid[3 * LW_KEY_DATA + 1];
	json_t *o;

	if (k->kind == LW_KEY_HWADDR && k->len > 1)
		ctl_hex(k->data + 1, k->len - 1u, hw);
	/* RFC 2132 9.14: an identifier of type 1 is usually the client's
	 * Ethernet address, the only hardware address kept for such a client. */
	else if (k->kind == LW_KEY_CLIENT_ID && k->len == 7 && k->data[0] == 1)
		ctl_hex(k->data + 1, 6, hw);
	o = json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:s, s:b, s:b, s:s}", "ip-address",
		lw_ip4_fmt(l->addr, ip), "hw-address", hw, "valid-lft",
		(json_int_t)(l->end >= l->start ? l->end - l->start : 0), "cltt",
		(json_int_t)l->start, "subnet-id", ctl_subnet_id(l->subnet), "state",
		kea_state(l->state), "hostname", "", "fqdn-fwd", 0, "fqdn-rev", 0, "state-name",
		lw_bind_state_name(l->state));
	if (o != NULL && k->kind == LW_KEY_CLIENT_ID)
		json_object_set_new(o, "client-id", json_string(ctl_hex(k->data, k->len, cid)));
	return o;
}

static int parse_ip(json_t *args, const char *key, uint32_t *addr, json_t **err)
{
	const char *s = json_string_value(json_object_get(args, key));

	if (lw_ip4_parse(s, addr) < 0) {
		*err = ctl_reply(LW_CTL_ERROR, NULL, "'%s' is not an IPv4 address: \"%s\"", key, s);
		return -EINVAL;
	}
	return 0;
}

/* subnet-id, when given, must be that of the lease. */
static bool subnet_matches(json_t *args, const struct store_lease *l)
{
	json_t *id = json_object_get(args, "subnet-id");

	return id == NULL || json_integer_value(id) == (json_int_t)ctl_subnet_id(l->subnet);
}

/* Of several records of one client: the ACTIVE one, else the newest. */
static const struct store_lease *best_of(
	json_t *args, const struct store_lease *const *v, unsigned n)
{
	const struct store_lease *best = NULL;

	for (unsigned i = 0; i < n; i++) {
		if (!subnet_matches(args, v[i]))
			continue;
		if (best == NULL ||
			(v[i]->state == LW_BIND_ACTIVE) > (best->state == LW_BIND_ACTIVE) ||
			((v[i]->state == LW_BIND_ACTIVE) == (best->state == LW_BIND_ACTIVE) &&
				v[i]->start > best->start))
			best = v[i];
	}
	return best;
}

static json_t *get_by_identifier(struct ctl_env *env, json_t *args)
{
	const char *type = json_string_value(json_object_get(args, "identifier-type"));
	const char *ident = json_string_value(json_object_get(args, "identifier"));
	const struct store_lease *found[64], *l = NULL;
	uint8_t id[255];
	int n = lw_hex_parse(ident, id, sizeof(id));

	if (n <= 0)
		return ctl_reply(LW_CTL_ERROR, NULL,
			"'identifier' must be hexadecimal bytes (\"01:02:03\"), got \"%s\"", ident);
	if (strcmp(type, "hw-address") == 0) {
		unsigned m;

		if (n > 16)
			return ctl_reply(
				LW_CTL_ERROR, NULL, "a hw-address has at most 16 bytes, got %d", n);
		/* Kea's hw-address carries no hardware type: Ethernet. */
		m = store_find_hw(env->store, 1, id, (uint8_t)n, found, 64);
		l = best_of(args, found, m < 64 ? m : 64);
	} else if (strcmp(type, "client-id") == 0) {
		struct lw_client_key k;
		struct dhcp4_msg msg;

		/* The key exactly as a worker builds it (long ids are digested). */
		memset(&msg, 0, sizeof(msg));
		msg.has = DHCP4_HAS_CLIENT_ID;
		msg.client_id_len = (uint8_t)n;
		memcpy(msg.client_id, id, (size_t)n);
		lw_client_key_from_msg(&k, &msg);
		l = store_get_key(env->store, &k);
		if (l != NULL && !subnet_matches(args, l))
			l = NULL;
	} else {
		return ctl_reply(LW_CTL_ERROR, NULL,
			"'identifier-type' must be \"hw-address\" or \"client-id\", got \"%s\"",
			type);
	}
	if (l == NULL)
		return ctl_reply(LW_CTL_EMPTY, NULL, "IPv4 lease not found.");
	return ctl_reply(LW_CTL_OK, lease_json(l), "IPv4 lease found.");
}

json_t *ctl_cmd_lease4_get(struct ctl_env *env, json_t *args)
{
	bool by_ip = json_object_get(args, "ip-address") != NULL;
	bool by_id = json_object_get(args, "identifier-type") != NULL ||
		     json_object_get(args, "identifier") != NULL;
	const struct store_lease *l;
	json_t *err = NULL;
	uint32_t addr;

	if (env->store == NULL)
		return ctl_reply_unavailable("lease4-get");
	if (by_ip == by_id)
		return ctl_reply(LW_CTL_ERROR, NULL,
			"give either 'ip-address', or 'identifier-type' and 'identifier'");
	if (by_id) {
		if (json_object_get(args, "identifier-type") == NULL)
			return ctl_reply(LW_CTL_ERROR, NULL, "missing parameter 'identifier-type'");
		if (json_object_get(args, "identifier") == NULL)
			return ctl_reply(LW_CTL_ERROR, NULL, "missing parameter 'identifier'");
		return get_by_identifier(env, args);
	}
	if (parse_ip(args, "ip-address", &addr, &err) < 0)
		return err;
	l = store_get_addr(env->store, addr);
	if (l == NULL || !subnet_matches(args, l))
		return ctl_reply(LW_CTL_EMPTY, NULL, "IPv4 lease not found.");
	return ctl_reply(LW_CTL_OK, lease_json(l), "IPv4 lease found.");
}

#define PAGE_CHUNK 1024

json_t *ctl_cmd_lease4_get_all(struct ctl_env *env, json_t *args)
{
	json_t *subnets = json_object_get(args, "subnets");
	uint8_t want[LW_MAX_SUBNETS / 8] = {0};
	const struct store_lease **page;
	json_t *leases;
	uint32_t after = 0;
	size_t i;
	json_t *v;

	if (env->store == NULL)
		return ctl_reply_unavailable("lease4-get-all");
	json_array_foreach(subnets, i, v)
	{
		json_int_t id = json_integer_value(v);

		if (!json_is_integer(v) || id < 1)
			return ctl_reply(LW_CTL_ERROR, NULL,
				"'subnets' must be a list of subnet ids (integers from 1)");
		if (id <= LW_MAX_SUBNETS)
			want[(id - 1) / 8] |= (uint8_t)(1u << ((id - 1) % 8));
	}
	page = malloc(PAGE_CHUNK * sizeof(*page));
	leases = json_array();
	if (page == NULL || leases == NULL) {
		free(page);
		json_decref(leases);
		return NULL;
	}
	/* In address order, a chunk at a time: the store has no other order. */
	for (;;) {
		unsigned n = store_page(env->store, after, page, PAGE_CHUNK);

		for (unsigned k = 0; k < n; k++) {
			unsigned s = page[k]->subnet;

			if (subnets == NULL ||
				(s < LW_MAX_SUBNETS && (want[s / 8] & (1u << (s % 8)))))
				json_array_append_new(leases, lease_json(page[k]));
		}
		if (n < PAGE_CHUNK)
			break;
		after = page[n - 1]->addr;
	}
	free(page);
	return ctl_reply(json_array_size(leases) ? LW_CTL_OK : LW_CTL_EMPTY,
		json_pack("{s:o}", "leases", leases), "%zu IPv4 lease(s) found.",
		json_array_size(leases));
}

json_t *ctl_cmd_lease4_get_page(struct ctl_env *env, json_t *args)
{
	const char *from = json_string_value(json_object_get(args, "from"));
	json_int_t limit = json_integer_value(json_object_get(args, "limit"));
	const struct store_lease **page;
	uint32_t after = 0;
	json_t *leases, *err = NULL;
	unsigned n;

	if (env->store == NULL)
		return ctl_reply_unavailable("lease4-get-page");
	if (strcmp(from, "start") != 0 && parse_ip(args, "from", &after, &err) < 0)
		return err;
	if (limit < 1 || limit > LW_CTL_PAGE_LIMIT_MAX)
		return ctl_reply(LW_CTL_ERROR, NULL,
			"'limit' must be 1 to %u, got %" JSON_INTEGER_FORMAT, LW_CTL_PAGE_LIMIT_MAX,
			limit);
	page = malloc((size_t)limit * sizeof(*page));
	leases = json_array();
	if (page == NULL || leases == NULL) {
		free(page);
		json_decref(leases);
		return NULL;
	}
	/* "from" is the last address of the previous page (0.0.0.0: the first page). */
	n = store_page(env->store, after, page, (unsigned)limit);
	for (unsigned k = 0; k < n; k++)
		json_array_append_new(leases, lease_json(page[k]));
	free(page);
	return ctl_reply(n ? LW_CTL_OK : LW_CTL_EMPTY,
		json_pack("{s:o, s:i}", "leases", leases, "count", n), "%u IPv4 lease(s) found.",
		n);
}

json_t *ctl_cmd_lease4_del(struct ctl_env *env, json_t *args)
{
	const struct store_lease *l;
	struct store_lease copy;
	json_t *err = NULL;
	char msg[512] = "";
	uint32_t addr;

	if (env->store == NULL || env->lease_del == NULL)
		return ctl_reply_unavailable("lease4-del");
	if (parse_ip(args, "ip-address", &addr, &err) < 0)
		return err;
	l = store_get_addr(env->store, addr);
	if (l == NULL)
		return ctl_reply(LW_CTL_EMPTY, NULL, "IPv4 lease not found.");
	copy = *l;
	if (env->lease_del(env->arg, &copy, msg, sizeof(msg)) < 0)
		return ctl_reply(
			LW_CTL_ERROR, NULL, "%s", msg[0] ? msg : "the lease was not deleted");
	return ctl_reply(LW_CTL_OK, NULL, "IPv4 lease deleted.");
}

/* ------------------------------------------------------------------------ */
/* leases-export */

typedef int (*export_fn)(const struct store *st, const struct lw_config *cfg, FILE *f);

static int export_isc_now(const struct store *st, const struct lw_config *cfg, FILE *f)
{
	return export_isc(st, cfg, f, (uint32_t)time(NULL));
}

static json_t *export_inline(struct ctl_env *env, export_fn fn, const char *format)
{
	const struct lw_config *cfg = env->config ? env->config(env->arg) : NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int n;

	if (f == NULL)
		return NULL;
	n = fn(env->store, cfg, f);
	if (fclose(f) != 0 || n < 0) {
		free(text);
		return ctl_reply(
			LW_CTL_ERROR, NULL, "export failed: %s", strerror(n < 0 ? -n : ENOMEM));
	}
	/* jansson requires UTF-8; the exporters write ASCII (ISC escapes uids). */
	json_t *args =
		json_pack("{s:s, s:i, s:s%}", "format", format, "count", n, "text", text, len);

	free(text);
	if (args == NULL)
		return ctl_reply(LW_CTL_ERROR, NULL, "export failed: the text is not UTF-8");
	return ctl_reply(LW_CTL_OK, args, "%d leases exported", n);
}

/*
 * Files are written only into <state_dir>/exports/. Anyone allowed on the
 * control socket could otherwise have this process (often root) replace
 * any file it can write; Kea 2.6.3 restricted the file paths its API takes
 * for the same reason. leasewirectl writes -o FILE itself, as its user,
 * from an "inline" export.
 */
static int export_target(const struct lw_config *cfg, const char *path, char *dir, size_t dlen,
	char *out, size_t olen, json_t **err)
{
	const char *name = path;
	size_t n;

	if (snprintf(dir, dlen, "%s/exports", cfg->control.state_dir) >= (int)dlen)
		goto bad;
	n = strlen(dir);
	if (path[0] == '/') {
		if (strncmp(path, dir, n) != 0 || path[n] != '/')
			goto bad;
		name = path + n + 1;
	}
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL ||
		snprintf(out, olen, "%s/%s", dir, name) >= (int)olen)
		goto bad;
	return 0;

bad:
	*err = ctl_reply(LW_CTL_ERROR, NULL,
		"'path' must be a file name, or a file directly in %s/exports/ (use \"inline\" "
		"to get the text and write it elsewhere)",
		cfg->control.state_dir);
	return -EINVAL;
}

/* path.tmp, fsync, rename: a reader never sees half a file. */
static int write_atomic(const char *dir, const char *path, export_fn fn, struct ctl_env *env,
	const struct lw_config *cfg, char *msg, size_t mlen)
{
	char tmp[PATH_MAX + 8];
	FILE *f = NULL;
	int fd = -1, n = 0, rc;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(msg, mlen, "cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		snprintf(msg, mlen, "cannot write %s: %s", tmp, strerror(-rc));
		goto fail;
	}
	n = fn(env->store, cfg, f);
	if (n < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		rc = n < 0 ? n : -errno;
		snprintf(msg, mlen, "cannot write %s: %s", tmp, strerror(-rc));
		goto fail;
	}
	rc = fclose(f);
	f = NULL;
	fd = -1;
	if (rc != 0 || rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(msg, mlen, "cannot write %s: %s", path, strerror(-rc));
		goto fail;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* the rename itself */
		close(fd);
	}
	return n;

fail:
	if (f != NULL)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc < 0 ? rc : -EIO;
}

json_t *ctl_cmd_leases_export(struct ctl_env *env, json_t *args)
{
	const char *format = json_string_value(json_object_get(args, "format"));
	const char *path = json_string_value(json_object_get(args, "path"));
	bool inl = json_is_true(json_object_get(args, "inline"));
	const struct lw_config *cfg;
	char dir[PATH_MAX], file[PATH_MAX], msg[PATH_MAX + 128];
	json_t *err = NULL;
	export_fn fn;
	int n;

	if (env->store == NULL)
		return ctl_reply_unavailable("leases-export");
	if (strcmp(format, "isc") == 0)
		fn = export_isc_now;
	else if (strcmp(format, "kea") == 0)
		fn = export_kea_csv;
	else
		return ctl_reply(LW_CTL_ERROR, NULL,
			"'format' must be \"isc\" (dhcpd.leases) or \"kea\" (memfile CSV), got "
			"\"%s\"",
			format);
	if ((path != NULL) == inl)
		return ctl_reply(LW_CTL_ERROR, NULL, "give either 'path' or \"inline\": true");
	if (inl)
		return export_inline(env, fn, format);
	cfg = env->config ? env->config(env->arg) : NULL;
	if (cfg == NULL)
		return ctl_reply_unavailable("leases-export");
	if (export_target(cfg, path, dir, sizeof(dir), file, sizeof(file), &err) < 0)
		return err;
	n = write_atomic(dir, file, fn, env, cfg, msg, sizeof(msg));
	if (n < 0)
		return ctl_reply(LW_CTL_ERROR, NULL, "%s", msg);
	return ctl_reply(LW_CTL_OK,
		json_pack("{s:s, s:i, s:s}", "format", format, "count", n, "path", file),
		"%d leases exported to %s", n, file);
}
