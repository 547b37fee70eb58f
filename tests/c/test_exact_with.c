/* Capabilities that depend on options, through the C API: the jpeg-turbo encode rows are
 * lossy by default and exact with "lossless=true" (pxc_registry_encode_exact_with,
 * pxc_registry_can_encode_with); require_exact succeeds with that option and a 16-bit
 * lossless JPEG decodes bit-exact; without it the refusal names the option. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static void test_queries(pxc_registry *reg) {
    char with[PXC_TEXT_MAX];
    char tiny[4];
    uint32_t fid = 0;
    pxc_encode_options *o = pxc_encode_options_new();

    CHECK_OK(pxc_registry_encode_exact_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, with, sizeof with));
    CHECK(strcmp(with, "lossless=true") == 0);
    CHECK_OK(pxc_registry_encode_exact_with(reg, "jpeg-turbo", PXC_LAYOUT_RGB, PXC_SAMPLE_U8, with, sizeof with));
    CHECK(strcmp(with, "lossless=true") == 0);
    /* Exact rows and rows the codec cannot encode: no options. */
    CHECK_OK(pxc_registry_encode_exact_with(reg, "png", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, with, sizeof with));
    CHECK(with[0] == '\0');
    CHECK_OK(pxc_registry_encode_exact_with(reg, "jpeg-turbo", PXC_LAYOUT_RGBA, PXC_SAMPLE_U8, with, sizeof with));
    CHECK(with[0] == '\0');
    /* Too small a buffer: refused, nothing written. */
    memset(tiny, 'x', sizeof tiny);
    CHECK_STATUS(pxc_registry_encode_exact_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, tiny, sizeof tiny),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(tiny[0] == 'x');
    CHECK_STATUS(pxc_registry_encode_exact_with(reg, "nope", PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, with, sizeof with),
                 PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_STATUS(pxc_registry_encode_exact_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, NULL, 8),
                 PXC_STATUS_NULL_ARGUMENT);

    /* The fidelity with options. */
    CHECK_OK(pxc_registry_can_encode_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, NULL, &fid));
    CHECK(fid == PXC_FIDELITY_LOSSY);
    CHECK_OK(pxc_encode_options_set(o, "lossless", "true"));
    CHECK_OK(pxc_registry_can_encode_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, o, &fid));
    CHECK(fid == PXC_FIDELITY_EXACT);
    CHECK_OK(pxc_registry_can_encode_with(reg, "jpeg-turbo", PXC_LAYOUT_RGBA, PXC_SAMPLE_U16, o, &fid));
    CHECK(fid == PXC_FIDELITY_NONE);
    CHECK_OK(pxc_encode_options_set(o, "point_transform", "2"));
    CHECK_OK(pxc_registry_can_encode_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, o, &fid));
    CHECK(fid == PXC_FIDELITY_LOSSY);
    CHECK_OK(pxc_encode_options_set(o, "predictor", "9"));
    CHECK_STATUS(pxc_registry_can_encode_with(reg, "jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, o, &fid),
                 PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("predictor");
    pxc_encode_options_free(o);
}

static void test_encode(pxc_registry *reg) {
    enum { W = 13, H = 7 };
    uint16_t px[W * H * 3];
    pxc_image_view v;
    pxc_bytes out = {0};
    pxc_encode_report rep;
    pxc_image *img = NULL;
    pxc_encode_options *o = pxc_encode_options_new();
    int i;
    for (i = 0; i < W * H * 3; i++) px[i] = (uint16_t)(i * 7919u + 65000u * (i % 2));
    v.data = px; v.stride = 0; v.width = W; v.height = H; v.layout = PXC_LAYOUT_RGB; v.sample = PXC_SAMPLE_U16;

    CHECK_OK(pxc_encode_options_set_require_exact(o, true));
    CHECK_STATUS(pxc_encode(reg, &v, "jpeg", o, &out, &rep), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("lossless=true");
    CHECK(out.data == NULL);

    CHECK_OK(pxc_encode_options_set(o, "lossless", "true"));
    CHECK_OK(pxc_encode_options_set(o, "predictor", "5"));
    CHECK_OK(pxc_encode(reg, &v, "jpeg", o, &out, &rep));
    CHECK(rep.exact && rep.lossy_reason[0] == '\0' && strcmp(rep.codec, "jpeg-turbo") == 0);
    CHECK_OK(pxc_decode(reg, out.data, out.len, NULL, &img));
    if (img) {
        CHECK(pxc_image_layout(img) == PXC_LAYOUT_RGB && pxc_image_sample(img) == PXC_SAMPLE_U16);
        CHECK(memcmp(pxc_image_data(img), px, sizeof px) == 0);
        pxc_image_free(img);
    }
    pxc_bytes_free(&out);

    /* 12-bit lossy without the option: values above 4095 are refused, naming the first. */
    CHECK_OK(pxc_encode_options_set_require_exact(o, false));
    CHECK_OK(pxc_encode_options_set(o, "lossless", "false"));
    CHECK_OK(pxc_encode_options_set(o, "predictor", "1"));
    CHECK_STATUS(pxc_encode(reg, &v, "jpeg", NULL, &out, &rep), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("lossless=true");
    pxc_encode_options_free(o);
}

int main(void) {
    pxc_registry *reg = pxc_registry_new(true);
    CHECK(reg != NULL);
    if (!has_codec(reg, "jpeg-turbo")) {
        printf("skipping: jpeg-turbo is not built in\n");
        pxc_registry_free(reg);
        return 0;
    }
    test_queries(reg);
    test_encode(reg);
    pxc_registry_free(reg);
    return finish("test_exact_with");
}
