/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include "lw_records.h"

/* FNV-1a, 64 bit: only used to fold an over-long client identifier. */
static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

void lw_client_key_make(struct lw_client_key *k, const uint8_t *cid, size_t cid_len, uint8_t htype,
	const uint8_t *hw, size_t hlen)
{
	memset(k, 0, sizeof(*k));
	if (cid) {
		if (cid_len <= LW_KEY_DATA) {
			k->kind = LW_KEY_CLIENT_ID;
			k->len = (uint8_t)cid_len;
			memcpy(k->data, cid, cid_len);
		} else {
			uint64_t h = fnv1a64(cid, cid_len);

			k->kind = LW_KEY_CLIENT_ID_DIGEST;
			k->len = sizeof(h);
			memcpy(k->data, &h, sizeof(h));
		}
		return;
	}
	k->kind = LW_KEY_HWADDR;
	k->len = (uint8_t)(1 + (hlen > 16 ? 16 : hlen));
	k->data[0] = htype;
	memcpy(k->data + 1, hw, k->len - 1u);
}

/* keep_first + 16 - n: n bytes 0xff, then zeros. */
static const uint8_t keep_first[32] = {[0 ... 15] = 0xff};

void lw_client_key_from_msg(struct lw_client_key *k, const struct dhcp4_msg *m)
{
	unsigned hlen = m->hlen > 16 ? 16 : m->hlen;
	uint64_t lo, hi, keep_lo, keep_hi;

	if (m->has & DHCP4_HAS_CLIENT_ID) {
		lw_client_key_make(k, m->client_id, m->client_id_len, 0, NULL, 0);
		return;
	}
	/* The key lw_client_key_make() builds, from all 16 bytes of chaddr
	 * masked to hlen: no memset, no call to memcpy for hlen bytes (16 to 11
	 * instructions a key, two keys per request). */
	memcpy(&lo, m->chaddr, sizeof(lo));
	memcpy(&hi, m->chaddr + 8, sizeof(hi));
	memcpy(&keep_lo, keep_first + 16 - hlen, sizeof(keep_lo));
	memcpy(&keep_hi, keep_first + 24 - hlen, sizeof(keep_hi));
	lo &= keep_lo;
	hi &= keep_hi;
	k->kind = LW_KEY_HWADDR;
	k->len = (uint8_t)(1 + hlen);
	k->data[0] = m->htype;
	memcpy(k->data + 1, &lo, sizeof(lo));
	memcpy(k->data + 9, &hi, sizeof(hi));
	memset(k->data + 17, 0, LW_KEY_DATA - 17);
}

const char *lw_bind_state_name(int state)
{
	static const char *const names[] = {
		[LW_BIND_FREE] = "free",
		[LW_BIND_OFFERED] = "offered",
		[LW_BIND_ACTIVE] = "active",
		[LW_BIND_EXPIRED] = "expired",
		[LW_BIND_RELEASED] = "released",
		[LW_BIND_DECLINED] = "declined",
		[LW_BIND_RESERVED] = "reserved",
		[LW_BIND_BACKUP] = "backup",
	};

	if (state < 0 || state >= (int)(sizeof(names) / sizeof(names[0])) || !names[state])
		return "unknown";
	return names[state];
}

#include "lw_counters.h"

const char *lw_counter_name(enum lw_counter c)
{
	static const char *const names[] = {
#define LW_CTR_NAME(id, name, help) [LW_CTR_##id] = name,
		LW_COUNTERS(LW_CTR_NAME)
#undef LW_CTR_NAME
	};

	return (unsigned)c < LW_CTR_MAX ? names[c] : "unknown";
}
