/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libFuzzer target: the dhcpd.leases reader over arbitrary text. A lease
 * file can be torn by a crash or edited by hand: every input must give the
 * leases (one per address, ascending) or one error line, never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "import/isc_leases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isc_leases l;
	char err[256];
	int rc;

	rc = isc_leases_parse_text((const char *)data, size, "fuzz.leases", &l, err, sizeof(err));
	if (rc == 0) {
		for (size_t i = 1; i < l.n_leases; i++)
			if (l.leases[i - 1].addr >= l.leases[i].addr)
				__builtin_trap();
		for (size_t i = 0; i < l.n_leases; i++)
			if (l.leases[i].hlen > sizeof(l.leases[i].hw) ||
				strnlen(l.leases[i].hostname, sizeof(l.leases[i].hostname)) ==
					sizeof(l.leases[i].hostname))
				__builtin_trap();
		for (size_t i = 0; i < l.n_peers; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(l.peers[i].name, l.peers[j].name) == 0)
					__builtin_trap();
	} else if (rc != -1 || err[0] == '\0') {
		__builtin_trap();
	}
	isc_leases_free(&l);
	return 0;
}
