/* The uint32 label volume that other libraries rescale to 0..255: labels 1..36 written
 * to TIFF and read back unchanged, as uint32. PNG cannot hold uint32 and says so. */
#include <stdio.h>
#include <string.h>

#include "pixcodec.h"

int main(void) {
    enum { W = 6, H = 6 };
    uint32_t labels[W * H];
    pxc_image_view v;
    pxc_bytes tif = {0}, png = {0};
    pxc_encode_report rep;
    pxc_image *img = NULL;
    char msg[1024];
    const uint32_t *back;
    int i, ok = 1;
    for (i = 0; i < W * H; i++) labels[i] = (uint32_t)(i + 1); /* 1..36 */
    v.data = labels; v.stride = 0; v.width = W; v.height = H; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U32;

    if (pxc_encode(NULL, &v, "png", NULL, &png, NULL) != PXC_STATUS_NOT_EXACT) return 1;
    pxc_last_error_message(msg, sizeof msg, NULL);
    printf("PNG refuses: %s\n", msg);

    if (pxc_encode(NULL, &v, "tiff", NULL, &tif, &rep) != PXC_STATUS_OK ||
        pxc_decode(NULL, tif.data, tif.len, NULL, &img) != PXC_STATUS_OK) {
        pxc_last_error_message(msg, sizeof msg, NULL);
        fprintf(stderr, "tiff round trip failed: %s\n", msg);
        return 1;
    }
    back = (const uint32_t *)pxc_image_data(img); /* 8-byte aligned storage */
    ok = pxc_image_sample(img) == PXC_SAMPLE_U32 && memcmp(back, labels, sizeof labels) == 0;
    printf("TIFF (%s, %s): labels %u..%u come back as uint32 %u..%u: %s\n", rep.codec, rep.exact ? "exact" : "lossy",
           labels[0], labels[W * H - 1], back[0], back[W * H - 1], ok ? "unchanged" : "CHANGED");
    pxc_image_free(img);
    pxc_bytes_free(&tif);
    return ok && rep.exact ? 0 : 1;
}
