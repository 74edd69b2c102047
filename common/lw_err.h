/* SPDX-License-Identifier: MPL-2.0 */
/*
 * leasewire error codes.
 *
 * Functions return 0 (or a non-negative count) on success and a negative
 * number on failure: either -errno, or one of the project codes below, which
 * sit far below errno's range so that the two never collide. One function,
 * lw_strerror(), names both kinds.
 */
#ifndef LW_ERR_H
#define LW_ERR_H

#define LW_ERRORS(X)                                                                               \
	X(LW_E_TRUNC, -1000, "truncated: a field runs past the end of the data")                   \
	X(LW_E_COOKIE, -1001, "bad DHCP magic cookie")                                             \
	X(LW_E_HLEN, -1002, "hardware address length over 16")                                     \
	X(LW_E_OPTLEN, -1003, "option length runs past the end of its field")                      \
	X(LW_E_OPTSIZE, -1004, "option has a length its type does not allow")                      \
	X(LW_E_OVERLOAD, -1005,                                                                    \
		"bad option overload (52): repeated, bad value or outside options")                \
	X(LW_E_NOTYPE, -1006, "no DHCP message type (53)")                                         \
	X(LW_E_OP, -1007, "BOOTP op is not BOOTREQUEST")                                           \
	X(LW_E_TOOLONG, -1008, "concatenated option longer than 255 bytes")                        \
	X(LW_E_NOSPACE, -1009, "no room left in the output buffer")                                \
	X(LW_E_CONFIG, -1010, "invalid configuration")                                             \
	X(LW_E_RANGE, -1011, "value out of range")

enum lw_err {
#define LW_ERR_ENUM(name, val, text) name = val,
	LW_ERRORS(LW_ERR_ENUM)
#undef LW_ERR_ENUM
};

#define LW_E_FIRST (-1000)
#define LW_E_LAST  (-1011)

/* Human text for a negative return code (project code or -errno). Never NULL. */
const char *lw_strerror(int err);

#endif
