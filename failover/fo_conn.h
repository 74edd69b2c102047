/* SPDX-License-Identifier: MPL-2.0 */
#ifndef LW_FO_CONN_H
#define LW_FO_CONN_H
#endif
