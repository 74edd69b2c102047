/* SPDX-License-Identifier: MPL-2.0 */
/*
 * CHECK(cond): an invariant of a fuzz target. When it does not hold, says
 * which one (file, line, expression) and aborts, so that libFuzzer keeps
 * the input as a crash.
 */
#ifndef LW_FUZZ_CHECK_H
#define LW_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
