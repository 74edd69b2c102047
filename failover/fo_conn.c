/* SPDX-License-Identifier: MPL-2.0 */
#include "fo_conn.h"
