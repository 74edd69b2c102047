/* SPDX-License-Identifier: MPL-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"

#define PAGE 512

/* Calls fn for every record in ascending address order. */
static int walk(
	const struct store *st, int (*fn)(void *arg, const struct store_lease *l), void *arg)
{
	const struct store_lease *page[PAGE];
	uint32_t after = 0;
	unsigned n;
	int rc;

	while ((n = store_page(st, after, page, PAGE)) > 0) {
		for (unsigned i = 0; i < n; i++)
			if ((rc = fn(arg, page[i])) != 0)
				return rc;
		after = page[n - 1]->addr;
	}
	return 0;
}

static void put_addr(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void put_hex(FILE *f, const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(f, i ? ":%02x" : "%02x", p[i]);
}

/* The MAC of a key, if it names one: (htype, chaddr), or option 61 = htype + chaddr. */
static bool key_hw(
	const struct lw_client_key *k, uint8_t *htype, const uint8_t **hw, unsigned *hlen)
{
	if (k->kind == LW_KEY_HWADDR && k->len >= 1) {
		*htype = k->data[0];
		*hw = k->data + 1;
		*hlen = k->len - 1u;
		return true;
	}
	/* RFC 2132 9.14: the usual client identifier is the hardware type then the address. */
	if (k->kind == LW_KEY_CLIENT_ID && k->len == 7 && k->data[0] == 1) {
		*htype = 1;
		*hw = k->data + 1;
		*hlen = 6;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* ISC dhcpd.leases */

struct isc {
	FILE *f;
	const struct lw_config *cfg;
	uint32_t now;
	int written;
};

/* dhcpd.leases(5) date: weekday (0 = Sunday) year/month/day hour:minute:second, UTC. */
static void put_isc_time(FILE *f, uint32_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	fprintf(f, "%d %04d/%02d/%02d %02d:%02d:%02d;\n", tm.tm_wday, tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_isc_date(FILE *f, const char *what, uint32_t t)
{
	fprintf(f, "  %s ", what);
	put_isc_time(f, t);
}

/* True for a record of a failover pool of cfg. */
static bool isc_fo_pool(const struct isc *x, const struct store_lease *l)
{
	return x->cfg && x->cfg->has_failover && l->pool < x->cfg->n_pools &&
	       x->cfg->pools[l->pool].failover;
}

/*
 * dhcpd's failover times (FAILOVER.md 5.1). dhcpd queues a BNDUPD at
 * start-up for every lease whose tstp is after its atsfp: a binding the
 * partner has not acknowledged gets a tstp (the potential expiry sent with
 * it: at least the lease's end) and no atsfp, so that dhcpd sends it as
 * leasewire would have; an acknowledged one gets the tsfp the partner
 * acknowledged as tsfp and atsfp, which also bounds dhcpd's lease times by
 * the MCLT rule as it bounded leasewire's.
 */
static void put_isc_fo_times(FILE *f, const struct store_lease *l, uint32_t now)
{
	if (l->fo & STORE_FO_PENDING) {
		uint32_t tstp = now;

		if (l->state == LW_BIND_ACTIVE || l->state == LW_BIND_EXPIRED ||
			l->state == LW_BIND_RELEASED)
			tstp = l->end > now ? l->end : now;
		put_isc_date(f, "tstp", tstp);
		if (l->tsfp)
			put_isc_date(f, "tsfp", l->tsfp);
	} else if (l->tsfp) {
		put_isc_date(f, "tsfp", l->tsfp);
		put_isc_date(f, "atsfp", l->tsfp);
	}
}

/* The hardware type names dhcpd's lease parser accepts. */
static const char *isc_htype(uint8_t htype)
{
	switch (htype) {
	case 1:
		return "ethernet";
	case 6:
		return "token-ring";
	case 8:
		return "fddi";
	case 32:
		return "infiniband";
	default:
		return NULL;
	}
}

/*
 * A quoted string as dhcpd writes uids: printable ASCII as is, '"' and '\'
 * escaped with a backslash, every other byte as a three-digit octal escape.
 */
static void put_isc_string(FILE *f, const uint8_t *p, unsigned n)
{
	fputc('"', f);
	for (unsigned i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], f);
		else
			fprintf(f, "\\%03o", p[i]);
	}
	fputc('"', f);
}

static const char *isc_state(uint8_t state)
{
	switch (state) {
	case LW_BIND_ACTIVE:
		return "active";
	case LW_BIND_EXPIRED:
		return "expired";
	case LW_BIND_RELEASED:
		return "released";
	case LW_BIND_DECLINED:
		return "abandoned";
	case LW_BIND_BACKUP:
		return "backup";
	default:
		return "free";
	}
}

static int isc_one(void *arg, const struct store_lease *l)
{
	struct isc *x = arg;
	FILE *f = x->f;
	bool fo = isc_fo_pool(x, l);
	const uint8_t *hw;
	unsigned hlen;
	uint8_t htype;

	if (x->cfg && lw_config_subnet_for(x->cfg, l->addr) == NULL) {
		fputs("# ", f);
		put_addr(f, l->addr);
		fputs(": in no configured subnet, left out\n", f);
		return 0;
	}
	fputs("lease ", f);
	put_addr(f, l->addr);
	fputs(" {\n", f);
	if (l->state == LW_BIND_BACKUP) {
		/* The secondary's free address: no client, no lease times. */
		if (l->start)
			put_isc_date(f, "starts", l->start);
		if (l->end)
			put_isc_date(f, "ends", l->end);
		if (fo)
			put_isc_fo_times(f, l, x->now);
		fputs("  binding state backup;\n}\n", f);
		x->written++;
		return ferror(f) ? -EIO : 0;
	}
	put_isc_date(f, "starts", l->start);
	put_isc_date(f, "ends", l->end);
	if (fo)
		put_isc_fo_times(f, l, x->now);
	put_isc_date(f, "cltt", l->start);
	/* In a failover pool an ending lease goes through EXPIRED, which the
	 * partner must acknowledge, as dhcpd writes it. */
	fprintf(f, "  binding state %s;\n  next binding state %s;\n", isc_state(l->state),
		fo && l->state == LW_BIND_ACTIVE ? "expired" : "free");
	if (key_hw(&l->key, &htype, &hw, &hlen)) {
		if (isc_htype(htype)) {
			fprintf(f, "  hardware %s ", isc_htype(htype));
			put_hex(f, hw, hlen);
			fputs(";\n", f);
		} else {
			fprintf(f, "  # hardware type %u has no name in dhcpd: address ", htype);
			put_hex(f, hw, hlen);
			fputc('\n', f);
		}
	}
	if (l->key.kind == LW_KEY_CLIENT_ID) {
		fputs("  uid ", f);
		put_isc_string(f, l->key.data, l->key.len);
		fputs(";\n", f);
	} else if (l->key.kind == LW_KEY_CLIENT_ID_DIGEST) {
		fputs("  # client identifier longer than 30 bytes: only its digest was kept\n", f);
	}
	fputs("}\n", f);
	x->written++;
	return ferror(f) ? -EIO : 0;
}

/* A failover state name as leasewire-control saves it (dhcpd's names). */
static bool isc_state_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '-'))
			return false;
	return true;
}

/*
 * dhcpd's `failover peer "NAME" state { ... }` from <state_dir>/failover.state
 * (control/fopeer.c writes it): dhcpd started with this file resumes the
 * failover state leasewire had instead of starting in RECOVER. The mclt
 * line is the secondary's only (dhcpd refuses it on a primary).
 */
static void put_isc_failover(FILE *f, const struct lw_config *cfg)
{
	char path[LW_PATH_LEN + 32], line[256], key[64], val[160];
	char my[160] = "", partner[160] = "";
	unsigned long my_stos = 0, partner_since = 0, mclt = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/failover.state", cfg->control.state_dir);
	in = fopen(path, "r");
	if (in == NULL) {
		fprintf(f,
			"\n# failover peer \"%s\": no state saved yet; dhcpd will start in "
			"recover\n",
			cfg->failover.name);
		return;
	}
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%63s %159s", key, val) != 2 || key[0] == '#')
			continue;
		if (strcmp(key, "my-state") == 0)
			snprintf(my, sizeof(my), "%s", val);
		else if (strcmp(key, "partner-state") == 0)
			snprintf(partner, sizeof(partner), "%s", val);
		else if (strcmp(key, "my-stos") == 0)
			my_stos = strtoul(val, NULL, 10);
		else if (strcmp(key, "partner-since") == 0)
			partner_since = strtoul(val, NULL, 10);
		else if (strcmp(key, "mclt") == 0)
			mclt = strtoul(val, NULL, 10);
	}
	fclose(in);
	if (!isc_state_word(my) || !isc_state_word(partner) || my_stos == 0) {
		fprintf(f,
			"\n# failover peer \"%s\": %s is unreadable; dhcpd will start in recover\n",
			cfg->failover.name, path);
		return;
	}
	fputs("\nfailover peer ", f);
	put_isc_string(
		f, (const uint8_t *)cfg->failover.name, (unsigned)strlen(cfg->failover.name));
	fputs(" state {\n", f);
	fprintf(f, "  my state %s at ", my);
	put_isc_time(f, (uint32_t)my_stos);
	/* dhcpd takes a state whose time is 0 as not written at all. */
	if (partner_since) {
		fprintf(f, "  partner state %s at ", partner);
		put_isc_time(f, (uint32_t)partner_since);
	}
	if (cfg->failover.role == LW_FO_SECONDARY && mclt)
		fprintf(f, "  mclt %lu;\n", mclt);
	fputs("}\n", f);
}

/* Failover pools: put_isc_fo_times() and put_isc_failover() (export.h). */
int export_isc(const struct store *st, const struct lw_config *cfg, FILE *f, uint32_t now)
{
	struct isc x = {.f = f, .cfg = cfg, .now = now};
	time_t tt = (time_t)now;
	struct tm tm;
	int rc;

	gmtime_r(&tt, &tm);
	fprintf(f,
		"# The format of this file is documented in the dhcpd.leases(5) manual page.\n"
		"# Exported by leasewire on %04d/%02d/%02d %02d:%02d:%02d UTC: %u bindings.\n\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		store_count(st));
	rc = walk(st, isc_one, &x);
	if (rc == 0 && cfg && cfg->has_failover)
		put_isc_failover(f, cfg);
	if (rc == 0 && (fflush(f) != 0 || ferror(f)))
		rc = -EIO;
	return rc < 0 ? rc : x.written;
}

/* ------------------------------------------------------------------------ */
/* Kea memfile CSV */

struct kea {
	FILE *f;
	const struct lw_config *cfg;
	int written;
};

static int kea_one(void *arg, const struct store_lease *l)
{
	struct kea *x = arg;
	FILE *f = x->f;
	unsigned subnet_id = l->subnet + 1u, state, hlen;
	uint32_t valid;
	const uint8_t *hw;
	uint8_t htype;

	if (x->cfg) {
		const struct lw_subnet_conf *s = lw_config_subnet_for(x->cfg, l->addr);

		if (s == NULL)
			return 0;
		subnet_id = (unsigned)(s - x->cfg->subnets) + 1;
	}
	switch (l->state) {
	case LW_BIND_ACTIVE:
		state = 0;
		break;
	case LW_BIND_DECLINED:
		state = 1;
		break;
	default:
		state = 2; /* expired-reclaimed: Kea keeps such a lease for the client's return */
		break;
	}
	/* Kea reads valid_lifetime 0 as "this lease was deleted": never write it. */
	valid = l->end > l->start ? l->end - l->start : 1;

	put_addr(f, l->addr);
	fputc(',', f);
	if (state != 1 && key_hw(&l->key, &htype, &hw, &hlen))
		put_hex(f, hw, hlen);
	fputc(',', f);
	if (state != 1 &&
		(l->key.kind == LW_KEY_CLIENT_ID || l->key.kind == LW_KEY_CLIENT_ID_DIGEST))
		put_hex(f, l->key.data, l->key.len);
	fprintf(f, ",%u,%u,%u,0,0,,%u,\n", valid, l->start + valid, subnet_id, state);
	x->written++;
	return ferror(f) ? -EIO : 0;
}

int export_kea_csv(const struct store *st, const struct lw_config *cfg, FILE *f)
{
	struct kea x = {.f = f, .cfg = cfg};
	int rc;

	fputs("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,"
	      "hostname,state,user_context\n",
		f);
	rc = walk(st, kea_one, &x);
	if (rc == 0 && (fflush(f) != 0 || ferror(f)))
		rc = -EIO;
	return rc < 0 ? rc : x.written;
}
