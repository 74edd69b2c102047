/* SPDX-License-Identifier: MPL-2.0 */
#include <criterion/criterion.h>

Test(fo_bnd, placeholder)
{
	cr_assert(1);
}
