/* Encode a 16-bit RGB image to PNG in memory and decode it back: same values, same
 * sample type, and a report that says the result is exact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pixcodec.h"

static int fail(const char *what, pxc_status st) {
    char msg[512];
    pxc_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, pxc_status_str((int)st), msg);
    return 1;
}

int main(void) {
    enum { W = 32, H = 16 };
    static uint16_t px[W * H * 3];
    pxc_image_view v;
    pxc_bytes png = {0};
    pxc_encode_report rep;
    pxc_image *img = NULL;
    pxc_status st;
    size_t i;
    int ok;
    for (i = 0; i < W * H * 3; i++) px[i] = (uint16_t)(i * 977u);
    v.data = px;
    v.stride = 0; /* tightly packed */
    v.width = W;
    v.height = H;
    v.layout = PXC_LAYOUT_RGB;
    v.sample = PXC_SAMPLE_U16;
    /* NULL registry = the default registry with the built-in codecs */
    if ((st = pxc_encode(NULL, &v, "png", NULL, &png, &rep)) != PXC_STATUS_OK) return fail("encode", st);
    printf("pixcodec %s: %ux%u Rgb U16 -> %s, %zu bytes, %s\n", pxc_version_string(), v.width, v.height, rep.codec,
           png.len, rep.exact ? "exact" : rep.lossy_reason);
    st = pxc_decode(NULL, png.data, png.len, NULL, &img);
    pxc_bytes_free(&png);
    if (st != PXC_STATUS_OK) return fail("decode", st);
    ok = pxc_image_sample(img) == PXC_SAMPLE_U16 && pxc_image_layout(img) == PXC_LAYOUT_RGB &&
         pxc_image_stride(img) == W * 3 * sizeof(uint16_t) && memcmp(pxc_image_data(img), px, sizeof px) == 0;
    printf("decoded back: %s\n", ok ? "identical 16-bit samples" : "DIFFERENT");
    pxc_image_free(img);
    return ok && rep.exact ? 0 : 1;
}
