/* SPDX-License-Identifier: MPL-2.0 */
/*
 * dhcpd.conf's option statements: `option NAME VALUE;` with the names of
 * dhcp-options(5) and those defined by `option NAME code N = TYPE;`, each
 * value checked and rendered as the libconfig value leasewire reads. Codes
 * the server manages itself are reported. Part of the reader (isc_conf.c);
 * doc/isc-conf-mapping.md "Options" lists what each becomes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/lw_ip.h"
#include "import/isc_conf_pvt.h"
#include "import/isc_lex.h"

/* ------------------------------------------------------------------------ */
/* option names */

/*
 * dhcp-options(5) names with the type dhcpd gives them (RFC 2132 and
 * later). lw: the name leasewire knows (doc/config.md "Standard names"),
 * NULL when it needs code and type; key: the subnet shortcut.
 */
struct opt_def {
	const char *isc;
	uint8_t code;
	uint8_t type;
	const char *lw;
	const char *key;
};

static const struct opt_def std_opts[] = {
	{"subnet-mask", 1, T_IP, "subnet-mask", NULL},
	{"time-offset", 2, T_I32, "time-offset", NULL},
	{"routers", 3, T_IPS, "routers", "routers"},
	{"time-servers", 4, T_IPS, "time-servers", NULL},
	{"ien116-name-servers", 5, T_IPS, "ien116-name-servers", NULL},
	{"domain-name-servers", 6, T_IPS, "domain-name-servers", "domain_name_servers"},
	{"log-servers", 7, T_IPS, "log-servers", NULL},
	{"cookie-servers", 8, T_IPS, NULL, NULL},
	{"lpr-servers", 9, T_IPS, "lpr-servers", NULL},
	{"impress-servers", 10, T_IPS, NULL, NULL},
	{"resource-location-servers", 11, T_IPS, NULL, NULL},
	{"host-name", 12, T_STRING, "host-name", NULL},
	{"boot-size", 13, T_U16, NULL, NULL},
	{"merit-dump", 14, T_STRING, NULL, NULL},
	{"domain-name", 15, T_STRING, "domain-name", "domain_name"},
	{"swap-server", 16, T_IP, NULL, NULL},
	{"root-path", 17, T_STRING, "root-path", NULL},
	{"extensions-path", 18, T_STRING, NULL, NULL},
	{"ip-forwarding", 19, T_BOOL, "ip-forwarding", NULL},
	{"non-local-source-routing", 20, T_BOOL, NULL, NULL},
	{"max-dgram-reassembly", 22, T_U16, NULL, NULL},
	{"default-ip-ttl", 23, T_U8, "default-ip-ttl", NULL},
	{"path-mtu-aging-timeout", 24, T_U32, NULL, NULL},
	{"interface-mtu", 26, T_U16, "interface-mtu", NULL},
	{"all-subnets-local", 27, T_BOOL, NULL, NULL},
	{"broadcast-address", 28, T_IP, "broadcast-address", "broadcast_address"},
	{"perform-mask-discovery", 29, T_BOOL, NULL, NULL},
	{"mask-supplier", 30, T_BOOL, NULL, NULL},
	{"router-discovery", 31, T_BOOL, NULL, NULL},
	{"router-solicitation-address", 32, T_IP, NULL, NULL},
	{"trailer-encapsulation", 34, T_BOOL, NULL, NULL},
	{"arp-cache-timeout", 35, T_U32, NULL, NULL},
	{"ieee802-3-encapsulation", 36, T_BOOL, NULL, NULL},
	{"default-tcp-ttl", 37, T_U8, NULL, NULL},
	{"tcp-keepalive-interval", 38, T_U32, NULL, NULL},
	{"tcp-keepalive-garbage", 39, T_BOOL, NULL, NULL},
	{"nis-domain", 40, T_STRING, "nis-domain", NULL},
	{"nis-servers", 41, T_IPS, "nis-servers", NULL},
	{"ntp-servers", 42, T_IPS, "ntp-servers", NULL},
	{"vendor-encapsulated-options", 43, T_HEX, "vendor-encapsulated-options", NULL},
	{"netbios-name-servers", 44, T_IPS, "netbios-name-servers", NULL},
	{"netbios-dd-server", 45, T_IPS, NULL, NULL},
	{"netbios-node-type", 46, T_U8, "netbios-node-type", NULL},
	{"netbios-scope", 47, T_STRING, "netbios-scope", NULL},
	{"font-servers", 48, T_IPS, NULL, NULL},
	{"x-display-manager", 49, T_IPS, NULL, NULL},
	{"nisplus-domain", 64, T_STRING, NULL, NULL},
	{"nisplus-servers", 65, T_IPS, NULL, NULL},
	{"tftp-server-name", 66, T_STRING, "tftp-server-name", NULL},
	{"bootfile-name", 67, T_STRING, "bootfile-name", NULL},
	{"mobile-ip-home-agent", 68, T_IPS, NULL, NULL},
	{"smtp-server", 69, T_IPS, "smtp-servers", NULL},
	{"pop-server", 70, T_IPS, NULL, NULL},
	{"nntp-server", 71, T_IPS, NULL, NULL},
	{"www-server", 72, T_IPS, NULL, NULL},
	{"finger-server", 73, T_IPS, NULL, NULL},
	{"irc-server", 74, T_IPS, NULL, NULL},
	{"streettalk-server", 75, T_IPS, NULL, NULL},
	{"streettalk-directory-assistance-server", 76, T_IPS, NULL, NULL},
	{"v6-only-preferred", 108, T_U32, "ipv6-only-preferred", NULL},
	{"domain-search", 119, T_DOMAINS, "domain-search", NULL},
};

/* Codes leasewire sets itself (doc/config.md "Codes the server manages"). */
static const char *reserved_why(unsigned code)
{
	switch (code) {
	case 0:
	case 255:
		return "framing, not an option";
	case 50:
	case 55:
	case 57:
	case 61:
		return "sent by clients, not by the server";
	case 51:
		return "leasewire derives the lease time from default/min/max-lease-time";
	case 52:
		return "option overload is managed by the server";
	case 53:
		return "the message type is set per reply";
	case 54:
		return "leasewire's server identifier is the address of the receiving port";
	case 58:
	case 59:
		return "leasewire derives T1 and T2 from the lease time";
	case 82:
		return "relay agent information is added by relays";
	default:
		return NULL;
	}
}

/* Names dhcpd gives to the codes above, so that they are reported by name. */
static const struct {
	const char *name;
	uint8_t code;
} reserved_names[] = {
	{"dhcp-requested-address", 50},
	{"dhcp-lease-time", 51},
	{"dhcp-option-overload", 52},
	{"dhcp-message-type", 53},
	{"dhcp-server-identifier", 54},
	{"dhcp-parameter-request-list", 55},
	{"dhcp-max-message-size", 57},
	{"dhcp-renewal-time", 58},
	{"dhcp-rebinding-time", 59},
	{"dhcp-client-identifier", 61},
	{"relay-agent-information", 82},
};

/* ------------------------------------------------------------------------ */
/* option statements */

static const struct opt_def *std_by_name(const char *name)
{
	if (strncasecmp(name, "dhcp.", 5) == 0)
		name += 5;
	for (size_t i = 0; i < sizeof(std_opts) / sizeof(std_opts[0]); i++)
		if (strcasecmp(std_opts[i].isc, name) == 0)
			return &std_opts[i];
	return NULL;
}

static const struct user_def *def_by_name(const struct conv *c, const char *name)
{
	for (unsigned i = c->n_defs; i-- > 0;)
		if (strcasecmp(c->defs[i].name, name) == 0)
			return &c->defs[i];
	return NULL;
}

/* The words of a TYPE in `option NAME code N = TYPE;`, up to the `;`. */
static int parse_def_type(struct conv *c, int *type)
{
	char words[6][24];
	unsigned n = 0;
	struct isc_tok t;
	bool other = false;

	for (;;) {
		isc_lex_next(c->lex, &t);
		if (t.type == ISC_T_SEMI)
			break;
		if (t.type == ISC_T_ERROR)
			return -1;
		if (t.type == ISC_T_EOF)
			return isc_lex_fail(c->lex, &t, "option definition: expected ';'");
		if (t.type != ISC_T_WORD || n == 6 || t.len >= sizeof(words[0]))
			other = true;
		else
			isc_copy_str(words[n++], sizeof(words[0]), t.text);
	}
	*type = -1;
	if (other)
		return 0;
	if (n > 2 && strcasecmp(words[0], "array") == 0 && strcasecmp(words[1], "of") == 0) {
		if (n == 3 && strcasecmp(words[2], "ip-address") == 0)
			*type = T_IPS;
		else if (n == 5 && strcasecmp(words[2], "unsigned") == 0 &&
			 strcasecmp(words[3], "integer") == 0 && strcmp(words[4], "8") == 0)
			*type = T_HEX;
		return 0;
	}
	if (n == 1 && strcasecmp(words[0], "ip-address") == 0)
		*type = T_IP;
	else if (n == 1 && strcasecmp(words[0], "text") == 0)
		*type = T_STRING;
	else if (n == 1 && strcasecmp(words[0], "string") == 0)
		*type = T_HEX;
	else if (n == 1 && strcasecmp(words[0], "boolean") == 0)
		*type = T_BOOL;
	else if (n >= 1 && strcasecmp(words[0], "domain-list") == 0)
		*type = T_DOMAINS;
	else if (n == 3 && strcasecmp(words[0], "unsigned") == 0 &&
		 strcasecmp(words[1], "integer") == 0)
		*type = strcmp(words[2], "8") == 0    ? T_U8
			: strcmp(words[2], "16") == 0 ? T_U16
			: strcmp(words[2], "32") == 0 ? T_U32
						      : -1;
	else if (n == 3 && strcasecmp(words[0], "signed") == 0 &&
		 strcasecmp(words[1], "integer") == 0 && strcmp(words[2], "32") == 0)
		*type = T_I32;
	return 0;
}

/* Reads the value tokens of an option up to `;` into vals (at most cap). */
int isc_conf_read_values(struct conv *c, struct isc_tok *vals, unsigned cap, unsigned *n, bool *bad)
{
	struct isc_tok t;
	bool want_value = true;

	*n = 0;
	*bad = false;
	for (;;) {
		isc_lex_next(c->lex, &t);
		if (t.type == ISC_T_ERROR)
			return -1;
		if (t.type == ISC_T_SEMI)
			break;
		if (t.type == ISC_T_EOF || t.type == ISC_T_LBRACE || t.type == ISC_T_RBRACE)
			return isc_lex_fail(c->lex, &t, "option: expected ';' after the value");
		if (t.type == ISC_T_COMMA) {
			if (want_value)
				*bad = true;
			want_value = true;
			continue;
		}
		if (!want_value || *n >= cap || (t.type != ISC_T_WORD && t.type != ISC_T_STRING)) {
			*bad = true; /* an expression or a list without commas */
			want_value = false;
			continue;
		}
		vals[(*n)++] = t;
		want_value = false;
	}
	if (*n == 0 || want_value)
		*bad = true;
	return 0;
}

/* A domain name as leasewire encodes it (RFC 1035 labels of 1 to 63
 * letters, digits, '-' or '_'; a trailing dot allowed). */
static bool domain_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || (len == 1 && s[0] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* Renders n values of type as libconfig text into b; NULL or a reason. */
static const char *render_value(
	struct isc_sb *b, enum opt_type type, const struct isc_tok *v, unsigned n)
{
	uint8_t hex[255];
	uint32_t u, a;
	size_t hn = 0;

	switch (type) {
	case T_IP:
	case T_IPS:
		if (type == T_IP && n != 1)
			return "expected one address";
		if (n * 4 > 255)
			return "more addresses than fit in an option (63)";
		if (type == T_IPS)
			isc_sb_printf(b, "[ ");
		for (unsigned i = 0; i < n; i++) {
			if (isc_word_ip4(&v[i], &a) < 0)
				return "a host name or an expression where leasewire needs an "
				       "IPv4 address";
			if (i)
				isc_sb_printf(b, ", ");
			isc_sb_ip(b, a);
		}
		if (type == T_IPS)
			isc_sb_printf(b, " ]");
		return NULL;
	case T_U8:
	case T_U16:
	case T_U32:
		if (n != 1 || isc_word_u32(&v[0], &u) < 0)
			return "expected one unsigned number";
		if ((type == T_U8 && u > 255) || (type == T_U16 && u > 65535))
			return "value out of range";
		isc_sb_uint(b, u);
		return NULL;
	case T_I32: {
		char *e;
		long long x;

		if (n != 1 || v[0].type != ISC_T_WORD)
			return "expected one number";
		errno = 0;
		x = strtoll(v[0].text, &e, 10);
		if (*e != '\0' || errno != 0 || x < INT32_MIN || x > INT32_MAX)
			return "expected a signed 32-bit number";
		isc_sb_printf(b, "%lld", x);
		return NULL;
	}
	case T_BOOL:
		if (n == 1 && (isc_word_is(&v[0], "true") || isc_word_is(&v[0], "on")))
			isc_sb_printf(b, "true");
		else if (n == 1 && (isc_word_is(&v[0], "false") || isc_word_is(&v[0], "off")))
			isc_sb_printf(b, "false");
		else
			return "expected true or false";
		return NULL;
	case T_STRING:
		if (n != 1 || v[0].len == 0)
			return "expected one non-empty string";
		if (v[0].len > 255)
			return "longer than 255 bytes";
		isc_sb_quote(b, v[0].text, v[0].len);
		return NULL;
	case T_DOMAINS:
		for (unsigned i = 0; i < n; i++)
			hn += v[i].len + 2; /* labels: one length byte per dot, plus the root */
		if (hn > 255)
			return "longer than 255 bytes once encoded";
		isc_sb_printf(b, "[ ");
		for (unsigned i = 0; i < n; i++) {
			if (v[i].type != ISC_T_STRING || !domain_ok(v[i].text, v[i].len))
				return "expected quoted domain names (labels of letters, digits, "
				       "'-' and '_')";
			if (i)
				isc_sb_printf(b, ", ");
			isc_sb_quote(b, v[i].text, v[i].len);
		}
		isc_sb_printf(b, " ]");
		return NULL;
	case T_HEX:
		/* colon hex, one quoted string, or a list of byte values */
		if (n == 1 && v[0].type == ISC_T_STRING) {
			if (v[0].len > sizeof(hex))
				return "longer than 255 bytes";
			memcpy(hex, v[0].text, v[0].len);
			hn = v[0].len;
		} else if (n == 1 && strchr(v[0].text, ':') != NULL) {
			int r = isc_word_hex(&v[0], hex, sizeof(hex));

			if (r < 0)
				return "expected colon-separated hex bytes";
			hn = (size_t)r;
		} else {
			for (unsigned i = 0; i < n; i++) {
				if (isc_word_u32(&v[i], &u) < 0 || u > 255 || hn >= sizeof(hex))
					return "expected byte values 0 to 255";
				hex[hn++] = (uint8_t)u;
			}
		}
		isc_sb_hex(b, hex, hn);
		return NULL;
	}
	return "unknown type";
}

static int scope_add_opt(
	struct conv *c, struct scope *sc, const struct isc_tok *start, const struct opt_val *ov)
{
	for (unsigned i = 0; i < sc->n_opts; i++) {
		if (sc->opts[i].code == ov->code) {
			/* a later statement replaces an earlier one, as in dhcpd */
			free(sc->opts[i].value);
			sc->opts[i] = *ov;
			return 0;
		}
	}
	if (sc->n_opts >= MAX_OPTS) {
		free(ov->value);
		return isc_conf_issue(c, start, "more than %d options in one scope", MAX_OPTS);
	}
	sc->opts[sc->n_opts++] = *ov;
	return 0;
}

/* `option ...` after the word `option`. host: the host being read, or NULL. */
int isc_conf_parse_option(struct conv *c, const struct isc_tok *start, enum blk blk,
	struct scope *sc, struct resv *host)
{
	struct isc_tok name, t, vals[64];
	const struct opt_def *sd;
	const struct user_def *ud = NULL;
	struct opt_val ov = {0};
	struct isc_sb b = {0};
	const char *why;
	unsigned n, code;
	bool bad;
	int type = -1;

	if (isc_lex_next(c->lex, &name) != ISC_T_WORD)
		return name.type == ISC_T_ERROR
			       ? -1
			       : isc_lex_fail(c->lex, &name, "option: expected a name");
	if (isc_word_is(&name, "space")) {
		/* a namespace for definitions: nothing to carry by itself, its
		 * options are reported where they are used */
		return isc_lex_skip_statement(c->lex, &name);
	}
	isc_lex_peek(c->lex, &t);
	if (isc_word_is(&t, "code")) {
		uint32_t cv;
		struct user_def *d;

		isc_lex_next(c->lex, &t);
		if (isc_conf_expect_u32(c, &cv, "option code") < 0 ||
			isc_conf_expect(c, &t, ISC_T_EQUAL, "'='") < 0 ||
			parse_def_type(c, &type) < 0)
			return -1;
		if (cv > 255)
			return isc_lex_fail(c->lex, start, "option code %u: expected 0 to 255", cv);
		if (c->n_defs >= MAX_DEFS)
			return isc_conf_issue(
				c, start, "more than %d option definitions", MAX_DEFS);
		d = &c->defs[c->n_defs++];
		isc_copy_str(d->name, sizeof(d->name), name.text);
		d->code = (uint8_t)cv;
		d->type = type;
		d->in_dhcp =
			strchr(name.text, '.') == NULL || strncasecmp(name.text, "dhcp.", 5) == 0;
		return 0;
	}
	if (isc_conf_read_values(c, vals, 64, &n, &bad) < 0)
		return -1;
	if (host != NULL) {
		if (strcasecmp(name.text, "dhcp-client-identifier") == 0) {
			int r = -1;

			if (!bad && n == 1 && vals[0].type == ISC_T_STRING && vals[0].len > 0 &&
				vals[0].len <= sizeof(host->cid)) {
				memcpy(host->cid, vals[0].text, vals[0].len);
				r = (int)vals[0].len;
			} else if (!bad && n == 1) {
				r = isc_word_hex(&vals[0], host->cid, sizeof(host->cid));
			}
			if (r <= 0) {
				host->bad = true;
				return isc_conf_issue(c, start,
					"client identifier: expected hex bytes or a "
					"string: the host is not carried");
			}
			host->cid_len = (uint8_t)r;
			return 0;
		}
		return isc_conf_issue(c, start, "leasewire has no per-host options");
	}
	if (blk == B_POOL)
		return isc_conf_issue(
			c, start, "leasewire has no per-pool options: set it in the subnet");
	if (blk == B_GROUP || blk == B_HGROUP)
		return isc_conf_issue(
			c, start, "leasewire has no group settings: set it in the subnets");
	if (strcasecmp(name.text, "dhcp-client-identifier") == 0)
		return isc_conf_issue(
			c, start, "a client identifier belongs in a host declaration");
	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (strcasecmp(name.text, reserved_names[i].name) == 0)
			return isc_conf_issue(c, start, "%s", reserved_why(reserved_names[i].code));
	ud = def_by_name(c, name.text);
	sd = ud == NULL ? std_by_name(name.text) : NULL;
	if (ud == NULL && sd == NULL)
		return isc_conf_issue(c, start,
			strchr(name.text, '.')
				? "options of other option spaces are not supported"
				: "unknown option name (define it with code and type)");
	if (ud != NULL && !ud->in_dhcp)
		return isc_conf_issue(c, start, "options of other option spaces are not supported");
	if (ud != NULL && ud->type < 0)
		return isc_conf_issue(
			c, start, "option type of %s has no leasewire equivalent", ud->name);
	if (bad)
		return isc_conf_issue(c, start, "value is an expression or malformed");
	code = ud != NULL ? ud->code : sd->code;
	type = ud != NULL ? ud->type : sd->type;
	if (reserved_why(code) != NULL)
		return isc_conf_issue(c, start, "%s", reserved_why(code));
	if (code == 1 && blk == B_TOP)
		return isc_conf_issue(
			c, start, "subnet-mask is derived from each subnet's netmask");
	why = render_value(&b, (enum opt_type)type, vals, n);
	if (why == NULL && b.oom)
		why = "out of memory";
	if (why == NULL && b.n > MAX_VAL_LEN)
		why = "value too long";
	if (why != NULL) {
		free(b.p);
		return isc_conf_issue(c, start, "%s", why);
	}
	ov.code = (uint8_t)code;
	ov.type = (uint8_t)type;
	if (sd != NULL && (ud == NULL || ud->code == sd->code)) {
		ov.lw = sd->lw;
		ov.key = sd->key;
	}
	ov.value = b.p;
	return scope_add_opt(c, sc, start, &ov);
}
