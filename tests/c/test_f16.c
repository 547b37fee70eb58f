/* PXC_SAMPLE_F16 (IEEE half, handled in C as uint16_t bit patterns): the enum value, and
 * Gray and RGB F16 images through npy and TIFF (plain, and Deflate with the predictor, which
 * is the floating-point predictor for float data) decoded back bit-exact, special values
 * (signed zeros, subnormals, 65504, infinities, NaN payloads) included. PNG cannot hold F16
 * and refuses it by name. */
#include <stdint.h>
#include <string.h>

#include "testutil.h"

/* +0, -0, smallest and largest subnormal, smallest normal, 1, -2.5, 65504, -65504, +inf,
 * -inf, quiet NaN, NaN with payload, 0.333 (0x3555). */
static const uint16_t SPECIAL[14] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc100,
                                     0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0x3555};

static void fill(uint16_t *px, size_t n, uint32_t seed) {
    size_t i;
    uint32_t s = seed * 2654435761u + 1;
    for (i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        px[i] = (i % 3 == 0) ? SPECIAL[(i / 3) % 14] : (uint16_t)(s >> 16);
    }
}

/* True when `needle` occurs in the first `n` bytes of `hay`. */
static int contains(const uint8_t *hay, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) return 1;
    }
    return 0;
}

/* Encodes `v` to `target` with `opts`, decodes, and checks format and bits. */
static void round_trip(const pxc_image_view *v, const char *target, const pxc_encode_options *opts,
                       const char *what) {
    pxc_bytes out = {0};
    pxc_encode_report rep;
    pxc_info info;
    pxc_image *img = NULL;
    size_t bpp = (v->layout == PXC_LAYOUT_RGB ? 3 : 1) * 2, y;
    CHECK_OK(pxc_encode(NULL, v, target, opts, &out, &rep));
    if (out.data == NULL) {
        fprintf(stderr, "%s: nothing encoded\n", what);
        g_failures++;
        return;
    }
    CHECK(rep.exact && rep.pages == 1);
    CHECK_OK(pxc_probe(NULL, out.data, out.len, NULL, &info));
    CHECK(info.sample == PXC_SAMPLE_F16 && info.layout == v->layout);
    CHECK(info.width == v->width && info.height == v->height);
    CHECK_OK(pxc_decode(NULL, out.data, out.len, NULL, &img));
    if (img) {
        CHECK(pxc_image_sample(img) == PXC_SAMPLE_F16 && pxc_image_layout(img) == v->layout);
        CHECK(pxc_image_stride(img) >= v->width * bpp);
        for (y = 0; y < v->height; y++) {
            const uint8_t *got = pxc_image_data(img) + y * pxc_image_stride(img);
            const uint8_t *want = (const uint8_t *)v->data + y * v->width * bpp;
            if (memcmp(got, want, v->width * bpp) != 0) {
                fprintf(stderr, "%s: row %u differs\n", what, (unsigned)y);
                g_failures++;
            }
        }
        pxc_image_free(img);
    }
    pxc_bytes_free(&out);
}

int main(void) {
    enum { W = 37, H = 23 };
    static uint16_t gray[W * H], rgb[W * H * 3];
    pxc_image_view v;
    pxc_encode_options *pred = pxc_encode_options_new();
    pxc_bytes out = {0};
    uint32_t fid = 77;
    int l;

    CHECK(PXC_SAMPLE_F16 == 10 && PXC_SAMPLE_F64 == 9);
    fill(gray, W * H, 1);
    fill(rgb, W * H * 3, 2);
    CHECK_OK(pxc_encode_options_set_compression(pred, "deflate"));
    CHECK_OK(pxc_encode_options_set_predictor(pred, true));

    for (l = 0; l < 2; l++) {
        memset(&v, 0, sizeof v);
        v.data = l ? (const void *)rgb : (const void *)gray;
        v.width = W;
        v.height = H;
        v.layout = l ? PXC_LAYOUT_RGB : PXC_LAYOUT_GRAY;
        v.sample = PXC_SAMPLE_F16;
        round_trip(&v, "npy", NULL, l ? "npy rgb" : "npy gray");
        round_trip(&v, "tiff", NULL, l ? "tiff rgb" : "tiff gray");
        round_trip(&v, "tiff", pred, l ? "tiff rgb deflate+predictor" : "tiff gray deflate+predictor");
        CHECK_OK(pxc_registry_can_encode(NULL, "tiff", v.layout, PXC_SAMPLE_F16, &fid));
        CHECK(fid == PXC_FIDELITY_EXACT);
        CHECK_OK(pxc_registry_can_encode(NULL, "png", v.layout, PXC_SAMPLE_F16, &fid));
        CHECK(fid == PXC_FIDELITY_NONE);
    }

    /* The npy header names the dtype as numpy does: '<f2' on little-endian machines. */
    v.data = gray;
    v.layout = PXC_LAYOUT_GRAY;
    CHECK_OK(pxc_encode(NULL, &v, "npy", NULL, &out, NULL));
    if (out.data) {
        const uint16_t one = 1;
        const char *want = *(const uint8_t *)&one ? "'descr': '<f2'" : "'descr': '>f2'";
        CHECK(out.len > 64 && contains(out.data, 64, want));
        pxc_bytes_free(&out);
    }

    /* PNG holds no float samples: refused by name, nothing produced. */
    CHECK_STATUS(pxc_encode(NULL, &v, "png", NULL, &out, NULL), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("Gray F16");
    CHECK(out.data == NULL);

    pxc_encode_options_free(pred);
    return finish("test_f16");
}
