/* The library's version agrees with the header's macros: pxc_version() equals
 * PXC_VERSION_NUMBER, which is built from PXC_VERSION_MAJOR/MINOR/PATCH, and
 * pxc_version_string() spells the same three numbers. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

int main(void) {
    char expect[64];
    uint32_t v = pxc_version();
    CHECK(PXC_VERSION_NUMBER == PXC_VERSION_MAJOR * 10000 + PXC_VERSION_MINOR * 100 + PXC_VERSION_PATCH);
    CHECK(v == PXC_VERSION_NUMBER);
    CHECK(v / 10000 == PXC_VERSION_MAJOR && v / 100 % 100 == PXC_VERSION_MINOR && v % 100 == PXC_VERSION_PATCH);
    snprintf(expect, sizeof expect, "%d.%d.%d", PXC_VERSION_MAJOR, PXC_VERSION_MINOR, PXC_VERSION_PATCH);
    CHECK(pxc_version_string() != NULL && strcmp(pxc_version_string(), expect) == 0);
    printf("libpixcodec %s (%u)\n", pxc_version_string(), (unsigned)v);
    return finish("test_version");
}
