/* Checks at run time that the loaded libpixcodec matches the header (ABI policy: same
 * MAJOR, MINOR not older); built by examples/cmake/CMakeLists.txt. */
#include <stdio.h>

#include <pixcodec.h>

int main(void) {
    uint32_t v = pxc_version();
    printf("header %d.%d.%d, library %s (%u)\n", PXC_VERSION_MAJOR, PXC_VERSION_MINOR, PXC_VERSION_PATCH,
           pxc_version_string(), (unsigned)v);
    if (v / 10000 != PXC_VERSION_MAJOR || v < PXC_VERSION_NUMBER) {
        fprintf(stderr, "libpixcodec %s is not ABI-compatible with this program\n", pxc_version_string());
        return 1;
    }
    return 0;
}
