/* The header included twice in one translation unit (compiled as C99 and as C++17). */
#include "pixcodec.h"
#include "pixcodec.h"

int pxc_header_twice_probe(void);
int pxc_header_twice_probe(void) {
    return (int)PXC_STATUS_OK + PXC_LAYOUT_GRAY + PXC_SAMPLE_U8 + (int)sizeof(pxc_codec_vtable) * 0;
}
