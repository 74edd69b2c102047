/* SPDX-License-Identifier: MPL-2.0 */
/* The RFC 3074 hash against the vectors of FAILOVER.md 6.1, the `split N`
 * bitmaps of 6.2, and the client key that feeds the hash. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/dhcp4.h"
#include "common/lb_hash.h"
#include "common/lw_records.h"

struct vector {
	const char *what;
	uint8_t key[16];
	size_t len;
	uint8_t bucket;
	unsigned split;
	int primary; /* who serves the bucket under that split */
};

/* FAILOVER.md 6.1: chaddr keys without htype, option 61 keys with the type byte. */
static const struct vector vectors[] = {
	{"chaddr ..00:01", {0x02, 0, 0, 0, 0, 0x01}, 6, 133, 128, 0},
	{"chaddr ..00:02", {0x02, 0, 0, 0, 0, 0x02}, 6, 45, 128, 1},
	{"chaddr ..00:03", {0x02, 0, 0, 0, 0, 0x03}, 6, 182, 128, 0},
	{"chaddr ..10:04", {0x02, 0, 0, 0, 0x10, 0x04}, 6, 0, 128, 1},
	{"chaddr ..10:03", {0x02, 0, 0, 0, 0x10, 0x03}, 6, 220, 128, 0},
	{"client id 01 ..10:03", {0x01, 0x02, 0, 0, 0, 0x10, 0x03}, 7, 88, 128, 1},
	{"client id 01 ..10:06", {0x01, 0x02, 0, 0, 0, 0x10, 0x06}, 7, 192, 128, 0},
	{"chaddr ..10:06 (of that client)", {0x02, 0, 0, 0, 0x10, 0x06}, 6, 117, 128, 1},
	{"chaddr ..00:0e, split 1", {0x02, 0, 0, 0, 0, 0x0e}, 6, 0, 1, 1},
	{"chaddr ..00:fe, split 1", {0x02, 0, 0, 0, 0, 0xfe}, 6, 7, 1, 0},
	{"chaddr ..00:cd, split 1", {0x02, 0, 0, 0, 0, 0xcd}, 6, 1, 1, 0},
};

#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

Test(lb_hash, failover_vectors)
{
	for (size_t i = 0; i < N_VECTORS; i++) {
		const struct vector *v = &vectors[i];
		uint8_t hba[32];
		uint8_t b = lb_hash(v->key, v->len);

		cr_expect_eq(b, v->bucket, "%s: bucket %u, expected %u", v->what, b, v->bucket);
		lb_hba_split(hba, v->split);
		cr_expect_eq(lb_hba_test(hba, b), v->primary, "%s: split %u: expected the %s",
			v->what, v->split, v->primary ? "primary" : "secondary");
	}
}

/* The hash starts from the length: the empty key is bucket 0, and keys that
 * differ only by trailing zero bytes still land apart. */
Test(lb_hash, length_is_hashed)
{
	static const uint8_t zeros[2] = {0, 0};

	cr_expect_eq(lb_hash(NULL, 0), 0);
	cr_expect_eq(lb_hash(zeros, 1), 175); /* T[1 ^ 0] */
	cr_expect_eq(lb_hash(zeros, 2), 150); /* T[T[2 ^ 0] ^ 0] */
}

struct split_case {
	unsigned split;
	uint8_t ff_bytes;   /* leading 0xff bytes */
	int partial;        /* value of the byte after them, -1 none */
};

Test(lb_hash, split_bitmaps)
{
	static const struct split_case cases[] = {
		{0, 0, -1},
		{1, 0, 0x01},
		{128, 16, -1},
		{256, 32, -1},
		{257, 32, -1}, /* clamped */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct split_case *c = &cases[i];
		uint8_t hba[32], want[32];
		size_t n = c->ff_bytes;

		memset(hba, 0xa5, sizeof(hba));
		memset(want, 0, sizeof(want));
		memset(want, 0xff, n);
		if (c->partial >= 0)
			want[n] = (uint8_t)c->partial;
		lb_hba_split(hba, c->split);
		cr_expect_arr_eq(hba, want, sizeof(want), "split %u", c->split);
		for (unsigned b = 0; b < 256; b++)
			cr_expect_eq(lb_hba_test(hba, (uint8_t)b), b < c->split,
				"split %u bucket %u", c->split, b);
	}
}

static struct dhcp4_msg msg_with_chaddr(const uint8_t *mac, uint8_t hlen)
{
	struct dhcp4_msg m;

	memset(&m, 0, sizeof(m));
	m.htype = 1;
	m.hlen = hlen;
	memcpy(m.chaddr, mac, hlen);
	return m;
}

/* The key of a parsed message hashes to the vectors' buckets. */
Test(client_key, chaddr_key)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	struct dhcp4_msg m = msg_with_chaddr(mac, 6);
	struct lw_client_key k;
	const uint8_t *hb;
	size_t hl;

	memset(&k, 0xa5, sizeof(k));
	lw_client_key_from_msg(&k, &m);
	cr_expect_eq(k.kind, LW_KEY_HWADDR);
	cr_expect_eq(k.len, 7);
	cr_expect_eq(k.data[0], 1, "htype first");
	cr_expect_arr_eq(k.data + 1, mac, 6);
	for (size_t i = 7; i < LW_KEY_DATA; i++)
		cr_expect_eq(k.data[i], 0, "byte %zu not zeroed", i);
	hb = lw_client_key_hash_bytes(&k, &hl);
	cr_expect_eq(hl, 6, "hash runs over chaddr without htype");
	cr_expect_eq(lb_hash(hb, hl), 133);
}

Test(client_key, client_id_wins)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x10, 0x03};
	static const uint8_t cid[7] = {0x01, 0x02, 0, 0, 0, 0x10, 0x03};
	struct dhcp4_msg m = msg_with_chaddr(mac, 6);
	struct lw_client_key k;
	const uint8_t *hb;
	size_t hl;

	m.has |= DHCP4_HAS_CLIENT_ID;
	m.client_id_len = sizeof(cid);
	memcpy(m.client_id, cid, sizeof(cid));
	lw_client_key_from_msg(&k, &m);
	cr_expect_eq(k.kind, LW_KEY_CLIENT_ID);
	cr_expect_eq(k.len, 7);
	cr_expect_arr_eq(k.data, cid, sizeof(cid));
	hb = lw_client_key_hash_bytes(&k, &hl);
	cr_expect_eq(hl, 7, "hash runs over the whole option 61, type byte included");
	cr_expect_eq(lb_hash(hb, hl), 88);
}

Test(client_key, longest_client_id_kept_as_is)
{
	struct dhcp4_msg m = msg_with_chaddr((const uint8_t *)"\x02\0\0\0\0\x01", 6);
	struct lw_client_key k;

	m.has |= DHCP4_HAS_CLIENT_ID;
	m.client_id_len = LW_KEY_DATA;
	memset(m.client_id, 0x42, LW_KEY_DATA);
	lw_client_key_from_msg(&k, &m);
	cr_expect_eq(k.kind, LW_KEY_CLIENT_ID);
	cr_expect_eq(k.len, LW_KEY_DATA);
	cr_expect_arr_eq(k.data, m.client_id, LW_KEY_DATA);
}

Test(client_key, over_long_client_id_is_digested)
{
	struct dhcp4_msg a = msg_with_chaddr((const uint8_t *)"\x02\0\0\0\0\x01", 6);
	struct dhcp4_msg b;
	struct lw_client_key ka, kb, ka2;

	a.has |= DHCP4_HAS_CLIENT_ID;
	a.client_id_len = LW_KEY_DATA + 1;
	memset(a.client_id, 0x42, a.client_id_len);
	b = a;
	b.client_id[LW_KEY_DATA] = 0x43; /* differs only past what a plain key holds */

	lw_client_key_from_msg(&ka, &a);
	lw_client_key_from_msg(&ka2, &a);
	lw_client_key_from_msg(&kb, &b);
	cr_expect_eq(ka.kind, LW_KEY_CLIENT_ID_DIGEST);
	cr_expect_eq(ka.len, 8);
	for (size_t i = 8; i < LW_KEY_DATA; i++)
		cr_expect_eq(ka.data[i], 0, "byte %zu not zeroed", i);
	cr_expect(memcmp(&ka, &ka2, sizeof(ka)) == 0, "digest is not deterministic");
	cr_expect(memcmp(&ka, &kb, sizeof(ka)) != 0, "the byte past 30 is not in the digest");
}

Test(client_key, hlen_over_16_is_clamped)
{
	struct dhcp4_msg m = msg_with_chaddr((const uint8_t *)"\x02\0\0\0\0\x01", 6);
	struct lw_client_key k;

	m.hlen = 200;
	lw_client_key_from_msg(&k, &m);
	cr_expect_eq(k.kind, LW_KEY_HWADDR);
	cr_expect_eq(k.len, 17);
}
