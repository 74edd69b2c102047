/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Plain-C stand-ins for the rte_hash calls the shard makes, linked with
 * -Wl,--wrap so that the DHCP logic runs in unit tests without EAL. Same
 * contract as DPDK's: positions are unique per key, in [0, entries), and
 * rte_hash_hash() is the table's hash_func. A signature given to a
 * *_with_hash call that is not the hash_func's value aborts: DPDK would
 * look in the wrong buckets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>

struct mock_hash {
	uint32_t entries;
	uint32_t key_len;
	uint32_t mask;
	int32_t *table; /* open addressing: position, -1 empty, -2 deleted */
	uint8_t *keys;	/* entries * key_len */
	uint32_t *free_pos;
	uint32_t n_free;
	uint32_t count;
	rte_hash_function hash_func; /* NULL: the signatures are not checked */
	uint32_t init_val;
};

static uint32_t mock_h(const void *key, uint32_t len)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

struct rte_hash *__wrap_rte_hash_create(const struct rte_hash_parameters *p)
{
	struct mock_hash *m = calloc(1, sizeof(*m));
	uint32_t size = 16;

	if (m == NULL)
		return NULL;
	while (size < p->entries * 2)
		size <<= 1;
	m->hash_func = p->hash_func;
	m->init_val = p->hash_func_init_val;
	m->entries = p->entries;
	m->key_len = p->key_len;
	m->mask = size - 1;
	m->table = malloc(size * sizeof(int32_t));
	m->keys = calloc(p->entries, p->key_len);
	m->free_pos = malloc(p->entries * sizeof(uint32_t));
	for (uint32_t i = 0; i < size; i++)
		m->table[i] = -1;
	for (uint32_t i = 0; i < p->entries; i++)
		m->free_pos[i] = p->entries - 1 - i;
	m->n_free = p->entries;
	return (struct rte_hash *)m;
}

void __wrap_rte_hash_free(struct rte_hash *h)
{
	struct mock_hash *m = (struct mock_hash *)h;

	if (m == NULL)
		return;
	free(m->table);
	free(m->keys);
	free(m->free_pos);
	free(m);
}

/* Table index holding key, or -1; *ins gets the first reusable index. */
static int64_t find(struct mock_hash *m, const void *key, int64_t *ins)
{
	*ins = -1;
	for (uint32_t i = mock_h(key, m->key_len) & m->mask, n = 0; n <= m->mask;
		i = (i + 1) & m->mask, n++) {
		int32_t pos = m->table[i];

		if (pos == -1) {
			if (*ins < 0)
				*ins = i;
			return -1;
		}
		if (pos == -2) {
			if (*ins < 0)
				*ins = i;
			continue;
		}
		if (memcmp(m->keys + (size_t)pos * m->key_len, key, m->key_len) == 0)
			return i;
	}
	return -1;
}

int32_t __wrap_rte_hash_lookup(const struct rte_hash *h, const void *key)
{
	struct mock_hash *m = (struct mock_hash *)h;
	int64_t ins, i = find(m, key, &ins);

	return i < 0 ? -ENOENT : m->table[i];
}

int32_t __wrap_rte_hash_add_key(const struct rte_hash *h, const void *key)
{
	struct mock_hash *m = (struct mock_hash *)h;
	int64_t ins, i = find(m, key, &ins);
	uint32_t pos;

	if (i >= 0)
		return m->table[i];
	if (m->n_free == 0 || ins < 0)
		return -ENOSPC;
	pos = m->free_pos[--m->n_free];
	memcpy(m->keys + (size_t)pos * m->key_len, key, m->key_len);
	m->table[ins] = (int32_t)pos;
	m->count++;
	return (int32_t)pos;
}

int32_t __wrap_rte_hash_del_key(const struct rte_hash *h, const void *key)
{
	struct mock_hash *m = (struct mock_hash *)h;
	int64_t ins, i = find(m, key, &ins);
	int32_t pos;

	if (i < 0)
		return -ENOENT;
	pos = m->table[i];
	m->table[i] = -2;
	m->free_pos[m->n_free++] = (uint32_t)pos;
	m->count--;
	return pos;
}

int32_t __wrap_rte_hash_count(const struct rte_hash *h)
{
	return (int32_t)((const struct mock_hash *)h)->count;
}

/* The signature variants: the mock keeps no signatures; the key decides. */
hash_sig_t __wrap_rte_hash_hash(const struct rte_hash *h, const void *key)
{
	const struct mock_hash *m = (const struct mock_hash *)h;

	return m->hash_func ? m->hash_func(key, m->key_len, m->init_val) : 0;
}

static void check_sig(const struct rte_hash *h, const void *key, hash_sig_t sig)
{
	const struct mock_hash *m = (const struct mock_hash *)h;

	if (m->hash_func && sig != m->hash_func(key, m->key_len, m->init_val)) {
		fprintf(stderr, "mock_rte: signature %#x is not the table's hash of the key\n",
			sig);
		abort();
	}
}

/* Calls of rte_hash_lookup_with_hash(), for the tests of what the shard looks up again. */
unsigned long mock_rte_lookups_with_hash;

int32_t __wrap_rte_hash_lookup_with_hash(const struct rte_hash *h, const void *key, hash_sig_t sig)
{
	mock_rte_lookups_with_hash++;
	check_sig(h, key, sig);
	return __wrap_rte_hash_lookup(h, key);
}

/* Keys looked up by rte_hash_lookup_with_hash_bulk(). */
unsigned long mock_rte_bulk_keys;

int __wrap_rte_hash_lookup_with_hash_bulk(const struct rte_hash *h, const void **keys,
	hash_sig_t *sig, uint32_t num_keys, int32_t *positions)
{
	mock_rte_bulk_keys += num_keys;
	for (uint32_t i = 0; i < num_keys; i++) {
		check_sig(h, keys[i], sig[i]);
		positions[i] = __wrap_rte_hash_lookup(h, keys[i]);
	}
	return 0;
}

int32_t __wrap_rte_hash_add_key_with_hash(const struct rte_hash *h, const void *key, hash_sig_t sig)
{
	check_sig(h, key, sig);
	return __wrap_rte_hash_add_key(h, key);
}
