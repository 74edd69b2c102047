/* SPDX-License-Identifier: MPL-2.0 */
/*
 * DHCP option names, types and encoding for the configuration (RFC 2132
 * unless noted). Values arrive as plain scalars; the result is the option's
 * wire payload, at most 255 bytes (RFC 2132 2: one length octet).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lw_err.h"
#include "lw_ip.h"
#include "lw_str.h"

static const char *const type_names[LW_OPT_TYPE_COUNT] = {
	[LW_OPT_IP] = "ip",
	[LW_OPT_IPS] = "ips",
	[LW_OPT_U8] = "u8",
	[LW_OPT_U16] = "u16",
	[LW_OPT_U32] = "u32",
	[LW_OPT_I32] = "i32",
	[LW_OPT_BOOL] = "bool",
	[LW_OPT_STRING] = "string",
	[LW_OPT_HEX] = "hex",
	[LW_OPT_DOMAINS] = "domains",
};

/* By code. */
static const struct lw_opt_def std_opts[] = {
	{1, LW_OPT_IP, "subnet-mask"}, {2, LW_OPT_I32, "time-offset"}, {3, LW_OPT_IPS, "routers"},
	{4, LW_OPT_IPS, "time-servers"}, {5, LW_OPT_IPS, "ien116-name-servers"},
	{6, LW_OPT_IPS, "domain-name-servers"}, {7, LW_OPT_IPS, "log-servers"},
	{9, LW_OPT_IPS, "lpr-servers"}, {12, LW_OPT_STRING, "host-name"},
	{15, LW_OPT_STRING, "domain-name"}, {17, LW_OPT_STRING, "root-path"},
	{19, LW_OPT_BOOL, "ip-forwarding"}, {23, LW_OPT_U8, "default-ip-ttl"},
	{26, LW_OPT_U16, "interface-mtu"}, {28, LW_OPT_IP, "broadcast-address"},
	{40, LW_OPT_STRING, "nis-domain"}, {41, LW_OPT_IPS, "nis-servers"},
	{42, LW_OPT_IPS, "ntp-servers"}, {43, LW_OPT_HEX, "vendor-encapsulated-options"},
	{44, LW_OPT_IPS, "netbios-name-servers"}, {46, LW_OPT_U8, "netbios-node-type"},
	{47, LW_OPT_STRING, "netbios-scope"}, {66, LW_OPT_STRING, "tftp-server-name"},
	{67, LW_OPT_STRING, "bootfile-name"}, {69, LW_OPT_IPS, "smtp-servers"},
	{108, LW_OPT_U32, "ipv6-only-preferred"},     /* RFC 8925 */
	{114, LW_OPT_STRING, "captive-portal"},	      /* RFC 8910 */
	{119, LW_OPT_DOMAINS, "domain-search"},	      /* RFC 3397 */
	{121, LW_OPT_HEX, "classless-static-routes"}, /* RFC 3442, written as bytes */
	{150, LW_OPT_IPS, "tftp-server-address"},     /* RFC 5859 */
};

/* Codes the server writes itself, or that only clients and relays send. */
static const struct {
	uint8_t code;
	const char *why;
} reserved[] = {
	{0, "is padding, not an option"},
	{50, "(requested address) is sent by clients only"},
	{51, "(lease time) comes from default_lease_time, min_lease_time and max_lease_time"},
	{52, "(option overload) is managed by the server"},
	{53, "(message type) is managed by the server"},
	{54, "(server identifier) is the address of the receiving port"},
	{55, "(parameter request list) is sent by clients only"},
	{57, "(maximum message size) is sent by clients only"},
	{58, "(renewal time) is derived from the lease time"},
	{59, "(rebinding time) is derived from the lease time"},
	{61, "(client identifier) is sent by clients only; see reservations.client_id"},
	{82, "(relay agent information) is added by relays and echoed by the server"},
	{255, "is the end marker, not an option"},
};

const char *lw_opt_type_name(enum lw_opt_type t)
{
	return (unsigned)t < LW_OPT_TYPE_COUNT ? type_names[t] : "?";
}

int lw_opt_type_by_name(const char *name)
{
	for (int t = 0; t < LW_OPT_TYPE_COUNT; t++)
		if (strcmp(name, type_names[t]) == 0)
			return t;
	return -EINVAL;
}

const struct lw_opt_def *lw_opt_def_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(std_opts) / sizeof(std_opts[0]); i++)
		if (strcmp(name, std_opts[i].name) == 0)
			return &std_opts[i];
	return NULL;
}

const struct lw_opt_def *lw_opt_def_by_code(unsigned code)
{
	for (size_t i = 0; i < sizeof(std_opts) / sizeof(std_opts[0]); i++)
		if (std_opts[i].code == code)
			return &std_opts[i];
	return NULL;
}

const char *lw_opt_reserved(unsigned code)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (reserved[i].code == code)
			return reserved[i].why;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Encoding */

struct enc {
	struct lw_opt *out;
	int *bad;
	char *why;
	size_t whylen;
};

static int enc_fail(struct enc *e, int bad, const char *fmt, ...)
{
	va_list ap;

	*e->bad = bad;
	va_start(ap, fmt);
	vsnprintf(e->why, e->whylen, fmt, ap);
	va_end(ap);
	return LW_E_CONFIG;
}

/* "got ..." text for one value. */
static const char *val_desc(const struct lw_opt_val *v, char *buf, size_t len)
{
	switch (v->kind) {
	case LW_OPT_VAL_INT:
		snprintf(buf, len, "%" PRId64, v->i);
		break;
	case LW_OPT_VAL_BOOL:
		snprintf(buf, len, "%s", v->i ? "true" : "false");
		break;
	case LW_OPT_VAL_STR:
		if (strlen(v->s) > 40)
			snprintf(buf, len, "\"%.40s...\"", v->s);
		else
			snprintf(buf, len, "\"%s\"", v->s);
		break;
	default:
		snprintf(buf, len, "%s", v->s ? v->s : "something else");
		break;
	}
	return buf;
}

static int enc_expect(struct enc *e, int i, const struct lw_opt_val *v, const char *what)
{
	char got[64];

	return enc_fail(e, i, "expected %s, got %s", what, val_desc(v, got, sizeof(got)));
}

static int put(struct enc *e, const void *p, size_t n)
{
	if (e->out->len + n > 255)
		return enc_fail(
			e, -1, "the value is longer than 255 bytes, the most an option holds");
	memcpy(e->out->data + e->out->len, p, n);
	e->out->len = (uint8_t)(e->out->len + n);
	return 0;
}

static int enc_ip(struct enc *e, int i, const struct lw_opt_val *v)
{
	uint32_t a;
	uint8_t b[4];

	if (v->kind != LW_OPT_VAL_STR || lw_ip4_parse(v->s, &a) < 0)
		return enc_expect(e, i, v, "an IPv4 address a.b.c.d");
	b[0] = (uint8_t)(a >> 24);
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
	return put(e, b, 4);
}

static int enc_int(struct enc *e, const struct lw_opt_val *v, int64_t lo, int64_t hi, size_t size)
{
	uint8_t b[4];
	uint32_t u;

	if (v->kind != LW_OPT_VAL_INT || v->i < lo || v->i > hi) {
		char what[64];

		snprintf(what, sizeof(what), "an integer between %" PRId64 " and %" PRId64, lo, hi);
		return enc_expect(e, 0, v, what);
	}
	u = (uint32_t)v->i; /* i32: two's complement, RFC 2132 2.0 "signed 32-bit" */
	for (size_t k = 0; k < size; k++)
		b[k] = (uint8_t)(u >> (8 * (size - 1 - k)));
	return put(e, b, size);
}

static int enc_hex(struct enc *e, const struct lw_opt_val *v)
{
	size_t cap;
	uint8_t *buf;
	int n;

	if (v->kind != LW_OPT_VAL_STR)
		return enc_expect(e, 0, v, "hex bytes such as \"01:02:ab\"");
	cap = strlen(v->s) + 1;
	buf = malloc(cap);
	if (buf == NULL)
		return enc_fail(e, -1, "out of memory");
	n = lw_hex_parse(v->s, buf, cap);
	if (n < 0) {
		free(buf);
		return enc_expect(e, 0, v, "hex bytes such as \"01:02:ab\"");
	}
	n = put(e, buf, (size_t)n);
	free(buf);
	return n;
}

/* One domain name as RFC 1035 3.1 labels ending with the root label. */
static int enc_domain(struct enc *e, int i, const struct lw_opt_val *v)
{
	const char *p, *dot;
	size_t total = 0;
	uint8_t len;
	int rc;

	if (v->kind != LW_OPT_VAL_STR || v->s[0] == '\0' || strcmp(v->s, ".") == 0)
		goto bad;
	for (p = v->s; *p; p = *dot ? dot + 1 : dot) {
		dot = strchr(p, '.');
		if (dot == NULL)
			dot = p + strlen(p);
		if (dot == p || dot - p > 63)
			goto bad;
		for (const char *q = p; q < dot; q++)
			if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_')
				goto bad;
		len = (uint8_t)(dot - p);
		total += 1u + len;
		if ((rc = put(e, &len, 1)) < 0 || (rc = put(e, p, len)) < 0)
			return rc;
	}
	if (total + 1 > 255) /* RFC 1035 2.3.4 */
		goto bad;
	len = 0;
	return put(e, &len, 1);
bad:
	return enc_expect(e, i, v, "a domain name such as \"example.com\"");
}

int lw_opt_encode(unsigned code, enum lw_opt_type t, const struct lw_opt_val *v, unsigned n,
	bool list, struct lw_opt *out, int *bad, char *why, size_t whylen)
{
	struct enc e = {.out = out, .bad = bad, .why = why, .whylen = whylen};
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->code = (uint8_t)code;
	*bad = -1;
	if (t == LW_OPT_IPS || t == LW_OPT_DOMAINS) {
		if (n == 0)
			return enc_fail(&e, -1, "expected %s, got an empty list",
				t == LW_OPT_IPS ? "one or more IPv4 addresses"
						: "one or more domain names");
		for (unsigned i = 0; i < n && rc == 0; i++)
			rc = t == LW_OPT_IPS ? enc_ip(&e, (int)i, &v[i])
					     : enc_domain(&e, (int)i, &v[i]);
		return rc;
	}
	if (list || n != 1)
		return enc_fail(&e, -1, "expected one value of type %s, got a list of %u",
			lw_opt_type_name(t), n);
	switch (t) {
	case LW_OPT_IP:
		return enc_ip(&e, 0, v);
	case LW_OPT_U8:
		return enc_int(&e, v, 0, UINT8_MAX, 1);
	case LW_OPT_U16:
		return enc_int(&e, v, 0, UINT16_MAX, 2);
	case LW_OPT_U32:
		return enc_int(&e, v, 0, UINT32_MAX, 4);
	case LW_OPT_I32:
		return enc_int(&e, v, INT32_MIN, INT32_MAX, 4);
	case LW_OPT_BOOL:
		if (v->kind != LW_OPT_VAL_BOOL)
			return enc_expect(&e, 0, v, "true or false");
		out->data[0] = v->i ? 1 : 0;
		out->len = 1;
		return 0;
	case LW_OPT_STRING:
		if (v->kind != LW_OPT_VAL_STR || v->s[0] == '\0')
			return enc_expect(&e, 0, v, "a non-empty string");
		return put(&e, v->s, strlen(v->s));
	case LW_OPT_HEX:
		return enc_hex(&e, v);
	default:
		return enc_fail(&e, -1, "unknown option type %d", (int)t);
	}
}

/* ------------------------------------------------------------------------ */
/* Formatting */

static uint32_t get_be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t k = 0; k < n; k++)
		v = v << 8 | p[k];
	return v;
}

char *lw_opt_format(const struct lw_opt *o, char *buf, size_t len)
{
	const struct lw_opt_def *d = lw_opt_def_by_code(o->code);
	int t = d ? d->type : LW_OPT_HEX;
	char ip[LW_IP4_STRLEN];
	size_t pos = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (t) {
	case LW_OPT_IP:
	case LW_OPT_IPS:
		if (o->len == 0 || o->len % 4 != 0)
			break;
		for (unsigned k = 0; k < o->len; k += 4)
			lw_strcat(buf, len, &pos, "%s%s", k ? ", " : "",
				lw_ip4_fmt(get_be(o->data + k, 4), ip));
		return buf;
	case LW_OPT_U8:
	case LW_OPT_U16:
	case LW_OPT_U32:
		if (o->len != (t == LW_OPT_U8 ? 1 : t == LW_OPT_U16 ? 2 : 4))
			break;
		lw_strcat(buf, len, &pos, "%" PRIu32, get_be(o->data, o->len));
		return buf;
	case LW_OPT_I32:
		if (o->len != 4)
			break;
		lw_strcat(buf, len, &pos, "%" PRId32, (int32_t)get_be(o->data, 4));
		return buf;
	case LW_OPT_BOOL:
		if (o->len != 1)
			break;
		lw_strcat(buf, len, &pos, "%s", o->data[0] ? "true" : "false");
		return buf;
	case LW_OPT_STRING:
		lw_strcat(buf, len, &pos, "\"");
		for (unsigned k = 0; k < o->len; k++)
			lw_strcat(buf, len, &pos,
				isprint(o->data[k]) && o->data[k] != '"' ? "%c" : "\\x%02x",
				o->data[k]);
		lw_strcat(buf, len, &pos, "\"");
		return buf;
	case LW_OPT_DOMAINS: {
		bool label0 = true; /* next label starts a name */
		unsigned k = 0;

		while (k < o->len) {
			unsigned l = o->data[k++];

			if (l == 0) {
				label0 = true;
				lw_strcat(buf, len, &pos, k < o->len ? ", " : "");
				continue;
			}
			if (k + l > o->len)
				break;
			lw_strcat(buf, len, &pos, "%s%.*s", label0 ? "" : ".", (int)l, o->data + k);
			label0 = false;
			k += l;
		}
		return buf;
	}
	default:
		break;
	}
	for (unsigned k = 0; k < o->len; k++)
		lw_strcat(buf, len, &pos, "%s%02x", k ? ":" : "", o->data[k]);
	return buf;
}
