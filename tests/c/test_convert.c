/* The explicit conversions of the C ABI (pxc_convert_*), issue 18 item 3: each keeps values
 * exactly unless its name says otherwise, fails naming the first value that does not fit,
 * and every refusal's advice names C functions (pxc_convert_*), never the Rust API. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static pxc_image_view view_of(const void *data, uint32_t w, uint32_t h, uint32_t layout, uint32_t sample,
                              size_t stride) {
    pxc_image_view v;
    v.data = data;
    v.stride = stride;
    v.width = w;
    v.height = h;
    v.layout = layout;
    v.sample = sample;
    return v;
}

static void check_no_rust_names(void) {
    CHECK(strstr(last_error(), "convert::") == NULL);
    CHECK(strstr(last_error(), "SampleType::") == NULL);
}

static void test_cast(void) {
    /* 2x2 Gray U16 in rows of 3 samples (a padded stride): the last sample of each row is
     * padding and never read. */
    static const uint16_t fits[6] = {0, 255, 9999, 7, 128, 9999};
    static const uint16_t misfit[8] = {1, 2, 300, 4, 5, 6, 7, 8};
    pxc_image_view v = view_of(fits, 2, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, 3 * sizeof(uint16_t));
    pxc_image *out = NULL;
    CHECK_OK(pxc_convert_cast(&v, PXC_SAMPLE_U8, &out));
    CHECK(out != NULL);
    if (out) {
        const uint8_t *d = pxc_image_data(out);
        CHECK(pxc_image_sample(out) == PXC_SAMPLE_U8 && pxc_image_layout(out) == PXC_LAYOUT_GRAY);
        CHECK(pxc_image_stride(out) == 2);
        CHECK(d[0] == 0 && d[1] == 255 && d[2] == 7 && d[3] == 128);
        pxc_image_free(out);
    }
    /* Widening always fits. */
    out = NULL;
    CHECK_OK(pxc_convert_cast(&v, PXC_SAMPLE_F32, &out));
    if (out) {
        float f[2];
        memcpy(f, pxc_image_data(out), sizeof f);
        CHECK(f[0] == 0.0f && f[1] == 255.0f);
        pxc_image_free(out);
    }
    v = view_of(misfit, 4, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, 0);
    out = NULL;
    CHECK_STATUS(pxc_convert_cast(&v, PXC_SAMPLE_U8, &out), PXC_STATUS_NOT_EXACT);
    CHECK(out == NULL);
    CHECK_MSG_CONTAINS("value 300 at x=2, y=0");
    CHECK_MSG_CONTAINS("pxc_convert_scale_minmax(view, PXC_SAMPLE_U8, &out) rescales on purpose");
    check_no_rust_names();
    CHECK_STATUS(pxc_convert_cast(&v, 99, &out), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_convert_cast(NULL, PXC_SAMPLE_U8, &out), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_convert_cast(&v, PXC_SAMPLE_U8, NULL), PXC_STATUS_NULL_ARGUMENT);
}

static void test_narrow(void) {
    static const uint32_t labels[6] = {0, 20, 40, 60, 200, 3};
    static const uint32_t wide[2] = {5, 70000};
    pxc_image_view v = view_of(labels, 3, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U32, 0);
    pxc_image *out = NULL;
    CHECK_OK(pxc_convert_narrow(&v, &out));
    if (out) {
        const uint8_t *d = pxc_image_data(out);
        int i;
        CHECK(pxc_image_sample(out) == PXC_SAMPLE_U8);
        for (i = 0; i < 6; i++) CHECK(d[i] == labels[i]);
        pxc_image_free(out);
    }
    v = view_of(wide, 2, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_U32, 0);
    out = NULL;
    CHECK_OK(pxc_convert_narrow(&v, &out));
    if (out) {
        CHECK(pxc_image_sample(out) == PXC_SAMPLE_U32);
        pxc_image_free(out);
    }
}

static void test_scale(void) {
    static const uint16_t ramp[6] = {0, 1, 2, 3, 4, 5};
    static const uint8_t minmax[6] = {0, 51, 102, 153, 204, 255};
    static const uint8_t clipped[6] = {0, 64, 128, 191, 255, 255};
    pxc_image_view v = view_of(ramp, 3, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, 0);
    pxc_image *out = NULL;
    CHECK_OK(pxc_convert_scale_minmax(&v, PXC_SAMPLE_U8, &out));
    if (out) {
        CHECK(memcmp(pxc_image_data(out), minmax, 6) == 0);
        pxc_image_free(out);
    }
    out = NULL;
    CHECK_STATUS(pxc_convert_scale_range(&v, PXC_SAMPLE_U8, 0.0, 4.0, false, &out), PXC_STATUS_NOT_EXACT);
    CHECK(out == NULL);
    CHECK_MSG_CONTAINS("value 5 at x=2, y=1");
    CHECK_MSG_CONTAINS("clip = true (pxc_convert_scale_range)");
    check_no_rust_names();
    CHECK_OK(pxc_convert_scale_range(&v, PXC_SAMPLE_U8, 0.0, 4.0, true, &out));
    if (out) {
        CHECK(memcmp(pxc_image_data(out), clipped, 6) == 0);
        pxc_image_free(out);
    }
    CHECK_STATUS(pxc_convert_scale_range(&v, PXC_SAMPLE_U8, 4.0, 0.0, true, &out), PXC_STATUS_INVALID_ARGUMENT);
}

static void test_layout(void) {
    static const uint8_t rgba[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t rgb[6] = {10, 20, 30, 40, 50, 60};
    static const uint8_t cmyk[4] = {0, 0, 0, 0};
    pxc_image_view v = view_of(rgba, 2, 1, PXC_LAYOUT_RGBA, PXC_SAMPLE_U8, 0);
    pxc_image *out = NULL;
    CHECK_OK(pxc_convert_layout(&v, PXC_LAYOUT_RGB, &out));
    if (out) {
        static const uint8_t want[6] = {1, 2, 3, 5, 6, 7};
        CHECK(pxc_image_layout(out) == PXC_LAYOUT_RGB);
        CHECK(memcmp(pxc_image_data(out), want, 6) == 0);
        pxc_image_free(out);
    }
    v = view_of(rgb, 2, 1, PXC_LAYOUT_RGB, PXC_SAMPLE_U8, 0);
    out = NULL;
    CHECK_OK(pxc_convert_layout(&v, PXC_LAYOUT_RGBA, &out));
    if (out) {
        static const uint8_t want[8] = {10, 20, 30, 255, 40, 50, 60, 255};
        CHECK(memcmp(pxc_image_data(out), want, 8) == 0);
        pxc_image_free(out);
    }
    v = view_of(cmyk, 1, 1, PXC_LAYOUT_CMYK, PXC_SAMPLE_U8, 0);
    CHECK_STATUS(pxc_convert_layout(&v, PXC_LAYOUT_RGB, &out), PXC_STATUS_UNSUPPORTED);
    CHECK_STATUS(pxc_convert_layout(&v, 42, &out), PXC_STATUS_INVALID_ARGUMENT);
}

/* A refused encode names the C conversion that would make the data fit; the converted view
 * (from pxc_image_view_of) then encodes. */
static void test_refusal_names_c_functions(void) {
    /* 5000 does not fit a 12-bit lossy JPEG (U16 samples up to 4095 would be written so). */
    static const uint16_t g16[4] = {1, 2, 3, 5000};
    static const uint8_t rgba[16] = {0};
    pxc_image_view v = view_of(g16, 2, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, 0);
    pxc_image *out = NULL;
    pxc_image_view cv;
    pxc_bytes bytes;
    CHECK_STATUS(pxc_encode(NULL, &v, "jpeg", NULL, &bytes, NULL), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("pxc_convert_cast(view, PXC_SAMPLE_U8, &out) (fails naming the first value that does not fit)");
    CHECK_MSG_CONTAINS("pxc_convert_scale_minmax(view, PXC_SAMPLE_U8, &out)");
    CHECK_MSG_CONTAINS("lossless=true");
    check_no_rust_names();
    CHECK_STATUS(pxc_convert_cast(&v, PXC_SAMPLE_U8, &out), PXC_STATUS_NOT_EXACT);
    CHECK_OK(pxc_convert_scale_minmax(&v, PXC_SAMPLE_U8, &out));
    if (out) {
        CHECK_OK(pxc_image_view_of(out, &cv));
        CHECK_OK(pxc_encode(NULL, &cv, "png", NULL, &bytes, NULL));
        pxc_bytes_free(&bytes);
        pxc_image_free(out);
    }
    v = view_of(rgba, 2, 2, PXC_LAYOUT_RGBA, PXC_SAMPLE_U8, 0);
    CHECK_STATUS(pxc_encode(NULL, &v, "jpeg", NULL, &bytes, NULL), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("pxc_convert_layout(view, PXC_LAYOUT_RGB, &out) (drops alpha)");
    check_no_rust_names();
}

/* pxc_convert_invert: max - v on the colour channels (alpha kept), within the significant
 * bits when given; with metadata, the photometric convention flips so the picture stays the
 * same, which is what a plain CMYK image needs to be written to JPEG (an Adobe-marked format)
 * without the encode reporting that readers would show it inverted. */
static void test_invert(void) {
    static const uint8_t ga[4] = {0, 7, 200, 9};
    static const uint8_t bits1[2] = {1, 0};
    static const uint8_t two[1] = {2};
    static const float f[1] = {0.5f};
    static const uint8_t cmyk[4] = {0, 10, 20, 30};
    pxc_image_view v = view_of(ga, 2, 1, PXC_LAYOUT_GRAY_ALPHA, PXC_SAMPLE_U8, 0);
    pxc_image *out = NULL;
    char buf[512];
    size_t n = 0;
    uint32_t p = 99;
    bool has = false;
    CHECK_OK(pxc_convert_invert(&v, 0, NULL, &out));
    if (out) {
        static const uint8_t want[4] = {255, 7, 55, 9};
        CHECK(memcmp(pxc_image_data(out), want, 4) == 0);
        pxc_image_free(out);
        out = NULL;
    }
    v = view_of(bits1, 2, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, 0);
    CHECK_OK(pxc_convert_invert(&v, 1, NULL, &out));
    if (out) {
        CHECK(((const uint8_t *)pxc_image_data(out))[0] == 0 && ((const uint8_t *)pxc_image_data(out))[1] == 1);
        pxc_image_free(out);
        out = NULL;
    }
    v = view_of(two, 1, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, 0);
    CHECK_STATUS(pxc_convert_invert(&v, 1, NULL, &out), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("value 2 at x=0, y=0, channel 0");
    v = view_of(f, 1, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_F32, 0);
    CHECK_STATUS(pxc_convert_invert(&v, 0, NULL, &out), PXC_STATUS_UNSUPPORTED);
    CHECK(out == NULL);

    /* Plain CMYK to JPEG: reported, the advice naming the C function. */
    pxc_metadata *m = pxc_metadata_new();
    pxc_encode_options *opts = pxc_encode_options_new();
    pxc_bytes bytes;
    v = view_of(cmyk, 1, 1, PXC_LAYOUT_CMYK, PXC_SAMPLE_U8, 0);
    CHECK_OK(pxc_encode_options_set_metadata(opts, m));
    CHECK_OK(pxc_encode(NULL, &v, "jpeg", opts, &bytes, NULL));
    pxc_bytes_free(&bytes);
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 1);
    CHECK_OK(pxc_last_encode_dropped_item(0, buf, sizeof buf, NULL));
    CHECK(strcmp(buf, "photometric") == 0);
    CHECK_OK(pxc_last_encode_dropped_reason(0, buf, sizeof buf, NULL));
    CHECK(strstr(buf, "pxc_convert_invert(view, significant_bits, metadata, &out)") != NULL);
    CHECK(strstr(buf, "convert::") == NULL);
    /* Inverted with the metadata: Adobe CMYK, written as it is, nothing reported. */
    CHECK_OK(pxc_metadata_photometric(m, &p));
    CHECK(p == PXC_PHOTOMETRIC_PLAIN);
    CHECK_OK(pxc_convert_invert(&v, 0, m, &out));
    CHECK_OK(pxc_metadata_photometric(m, &p));
    CHECK(p == PXC_PHOTOMETRIC_ADOBE_INVERTED_CMYK);
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_PHOTOMETRIC, &has));
    CHECK(has);
    if (out) {
        pxc_image_view cv;
        static const uint8_t want[4] = {255, 245, 235, 225};
        CHECK(memcmp(pxc_image_data(out), want, 4) == 0);
        CHECK_OK(pxc_image_view_of(out, &cv));
        CHECK_OK(pxc_encode_options_set_metadata(opts, m));
        CHECK_OK(pxc_encode(NULL, &cv, "jpeg", opts, &bytes, NULL));
        pxc_bytes_free(&bytes);
        CHECK_OK(pxc_last_encode_dropped_count(&n));
        CHECK(n == 0);
        pxc_image_free(out);
        out = NULL;
    }
    /* RGB has no inverted convention: refused when metadata is given, m unchanged. */
    v = view_of(ga, 1, 1, PXC_LAYOUT_RGB, PXC_SAMPLE_U8, 0);
    CHECK_STATUS(pxc_convert_invert(&v, 0, m, &out), PXC_STATUS_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_OK(pxc_metadata_photometric(m, &p));
    CHECK(p == PXC_PHOTOMETRIC_ADOBE_INVERTED_CMYK);
    /* Set by hand, checked, and removed as an item. */
    CHECK_STATUS(pxc_metadata_set_photometric(m, 3), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("photometric 3 is not a pxc_photometric value");
    CHECK_OK(pxc_metadata_set_photometric(m, PXC_PHOTOMETRIC_WHITE_IS_ZERO));
    CHECK_OK(pxc_metadata_photometric(m, &p));
    CHECK(p == PXC_PHOTOMETRIC_WHITE_IS_ZERO);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_PHOTOMETRIC));
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_PHOTOMETRIC, &has));
    CHECK(!has);
    pxc_encode_options_free(opts);
    pxc_metadata_free(m);
}

int main(void) {
    test_cast();
    test_narrow();
    test_scale();
    test_layout();
    test_refusal_names_c_functions();
    test_invert();
    return finish("test_convert");
}
