/* SPDX-License-Identifier: MPL-2.0 */
#ifndef LW_FO_BND_H
#define LW_FO_BND_H
#endif
