/* SPDX-License-Identifier: MPL-2.0 */
#include <criterion/criterion.h>

Test(fo_conn, placeholder)
{
	cr_assert(1);
}
