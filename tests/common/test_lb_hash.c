/* SPDX-License-Identifier: MPL-2.0 */
/* The RFC 3074 hash against the vectors of FAILOVER.md 6.1, the `split N`
 * bitmaps of 6.2, and the client key that feeds the hash. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/dhcp4.h"
#include "common/lb_hash.h"
#include "common/lw_counters.h"
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
	uint8_t ff_bytes; /* leading 0xff bytes */
	int partial;	  /* value of the byte after them, -1 none */
};

Test(lb_hash, split_bitmaps)
{
	static const struct split_case cases[] = {
		{0, 0, -1}, {1, 0, 0x01}, {128, 16, -1}, {256, 32, -1}, {257, 32, -1}, /* clamped */
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

/* Without option 61 the key is (htype, chaddr) and the hash skips htype. */
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

/*
 * lw_client_key_from_msg() builds the chaddr key from all 16 bytes of chaddr
 * masked to hlen: the same key as lw_client_key_make() for every hlen
 * (0..255, cut at 16), whatever chaddr holds past hlen.
 */
Test(client_key, from_msg_is_make)
{
	for (unsigned hlen = 0; hlen < 256; hlen++) {
		struct dhcp4_msg m = {0};
		struct lw_client_key k, want;

		m.htype = (uint8_t)(hlen * 7 + 1);
		m.hlen = (uint8_t)hlen;
		for (unsigned i = 0; i < sizeof(m.chaddr); i++)
			m.chaddr[i] = (uint8_t)(0xf0 ^ (i * 37 + hlen));
		memset(&k, 0xa5, sizeof(k));
		memset(&want, 0x5a, sizeof(want));
		lw_client_key_from_msg(&k, &m);
		lw_client_key_make(&want, NULL, 0, m.htype, m.chaddr, m.hlen > 16 ? 16 : m.hlen);
		cr_assert_eq(memcmp(&k, &want, sizeof(k)), 0, "hlen %u", hlen);
		cr_assert_eq(k.len, 1 + (hlen > 16 ? 16 : hlen), "hlen %u", hlen);
	}
}

/* FAILOVER.md 6.1: with option 61 the client id is hashed, whatever chaddr holds. */
struct cid_case {
	uint8_t mac[6];
	uint8_t cid[7];
	uint8_t bucket;
};

Test(client_key, client_id_wins)
{
	static const struct cid_case cases[] = {
		{{0x02, 0, 0, 0, 0x10, 0x03}, {0x01, 0x02, 0, 0, 0, 0x10, 0x03}, 88},
		{{0x02, 0, 0, 0, 0x10, 0x06}, {0x01, 0x02, 0, 0, 0, 0x10, 0x06}, 192},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cid_case *t = &cases[i];
		struct dhcp4_msg m = msg_with_chaddr(t->mac, 6);
		struct lw_client_key k;
		const uint8_t *hb;
		size_t hl;

		m.has |= DHCP4_HAS_CLIENT_ID;
		m.client_id_len = sizeof(t->cid);
		memcpy(m.client_id, t->cid, sizeof(t->cid));
		memset(&k, 0xa5, sizeof(k));
		lw_client_key_from_msg(&k, &m);
		cr_expect_eq(k.kind, LW_KEY_CLIENT_ID);
		cr_expect_eq(k.len, 7);
		cr_expect_arr_eq(k.data, t->cid, sizeof(t->cid));
		for (size_t j = 7; j < LW_KEY_DATA; j++)
			cr_expect_eq(k.data[j], 0, "byte %zu not zeroed", j);
		hb = lw_client_key_hash_bytes(&k, &hl);
		cr_expect_eq(hl, 7, "hash runs over the whole option 61, type byte included");
		cr_expect_eq(lb_hash(hb, hl), t->bucket, "case %zu", i);
	}
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

static struct lw_client_key key_of_client_id(uint8_t len, uint8_t fill, size_t at, uint8_t v)
{
	struct dhcp4_msg m = msg_with_chaddr((const uint8_t *)"\x02\0\0\0\0\x01", 6);
	struct lw_client_key k;

	m.has |= DHCP4_HAS_CLIENT_ID;
	m.client_id_len = len;
	memset(m.client_id, fill, len);
	m.client_id[at] = v;
	memset(&k, 0xa5, sizeof(k));
	lw_client_key_from_msg(&k, &m);
	return k;
}

Test(client_key, over_long_client_id_is_digested)
{
	struct lw_client_key a = key_of_client_id(40, 0x42, 0, 0x01);
	struct lw_client_key a2 = key_of_client_id(40, 0x42, 0, 0x01);
	struct lw_client_key last = key_of_client_id(40, 0x42, 39, 0x43);
	struct lw_client_key first = key_of_client_id(40, 0x42, 0, 0x02);
	struct lw_client_key longer = key_of_client_id(41, 0x42, 0, 0x01);
	struct lw_client_key just_over = key_of_client_id(LW_KEY_DATA + 1, 0x42, 0, 0x01);
	const uint8_t *hb;
	size_t hl;

	cr_expect_eq(a.kind, LW_KEY_CLIENT_ID_DIGEST);
	cr_expect_eq(a.len, 8);
	for (size_t i = 8; i < LW_KEY_DATA; i++)
		cr_expect_eq(a.data[i], 0, "byte %zu not zeroed", i);
	cr_expect(memcmp(&a, &a2, sizeof(a)) == 0, "digest is not deterministic");
	cr_expect(memcmp(&a, &last, sizeof(a)) != 0, "the last byte is not in the digest");
	cr_expect(memcmp(&a, &first, sizeof(a)) != 0, "the first byte is not in the digest");
	cr_expect(memcmp(&a, &longer, sizeof(a)) != 0, "the length is not in the digest");
	cr_expect_eq(just_over.kind, LW_KEY_CLIENT_ID_DIGEST, "31 bytes do not fit a plain key");
	hb = lw_client_key_hash_bytes(&a, &hl);
	cr_expect_eq(hb, a.data);
	cr_expect_eq(hl, 8, "a digest key hashes its 8 digest bytes");
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

Test(names, counters)
{
	cr_expect_str_eq(lw_counter_name(LW_CTR_RX_PACKETS), "rx-packets");
	cr_expect_str_eq(lw_counter_name(LW_CTR_OUT_ACK), "pkt4-ack-sent");
	cr_expect_str_eq(lw_counter_name(LW_CTR_ADDR_GRANT_OUT), "addresses-granted-out");
	cr_expect_str_eq(lw_counter_name(LW_CTR_MAX), "unknown");
	cr_expect_str_eq(lw_counter_name((enum lw_counter) - 1), "unknown");
	/* Every counter has a distinct, non-empty name. */
	for (int i = 0; i < LW_CTR_MAX; i++) {
		const char *n = lw_counter_name((enum lw_counter)i);

		cr_expect(n != NULL && n[0] != '\0' && strcmp(n, "unknown") != 0, "counter %d", i);
		for (int j = 0; j < i; j++)
			cr_expect_str_neq(
				n, lw_counter_name((enum lw_counter)j), "counters %d, %d", j, i);
	}
}

Test(names, bind_states)
{
	static const char *const names[] = {
		"free",
		"offered",
		"active",
		"expired",
		"released",
		"declined",
		"reserved",
		"backup",
	};

	for (int s = 0; s < (int)(sizeof(names) / sizeof(names[0])); s++)
		cr_expect_str_eq(lw_bind_state_name(s), names[s], "state %d", s);
	cr_expect_eq(LW_BIND_RESERVED, 6);
	cr_expect_eq(LW_BIND_BACKUP, 7);
	cr_expect_str_eq(lw_bind_state_name(8), "unknown");
	cr_expect_str_eq(lw_bind_state_name(-1), "unknown");
	cr_expect_str_eq(lw_bind_state_name(1000), "unknown");
}
