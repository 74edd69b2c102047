/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include "lw_err.h"

const char *lw_strerror(int err)
{
	switch (err) {
#define LW_ERR_CASE(name, val, text)                                                               \
	case val:                                                                                  \
		return text;
		LW_ERRORS(LW_ERR_CASE)
#undef LW_ERR_CASE
	case 0:
		return "success";
	}
	if (err < 0 && err > LW_E_FIRST)
		return strerror(-err);
	return "unknown error";
}
