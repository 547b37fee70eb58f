/* Shared helpers for the C tests: check macros and two codecs written in C.
 *
 * "rawc": an exact raw format. Header: "RAWC", width (u32 LE), height (u32 LE),
 *         layout (u8), sample (u8), 2 zero bytes; then tightly packed native-endian
 *         samples. Found by its sniff callback, extension .rawc, MIME image/x-rawc.
 * "lossyc": a lossy Gray U8 format (keeps the top 4 bits). Header "LOSY", width, height
 *         (u32 LE), then one byte per pixel. Extension .lossyc, signature "LOSY".
 */
#ifndef PXC_TESTUTIL_H
#define PXC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pixcodec.h"

static int g_failures = 0; /* used by every test through finish() */

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
            g_failures++;                                                               \
        }                                                                               \
    } while (0)

/* Checks a status and prints the last error when it differs. */
#define CHECK_STATUS(expr, expected)                                                    \
    do {                                                                                \
        pxc_status st_ = (expr);                                                        \
        if (st_ != (expected)) {                                                        \
            char msg_[512];                                                             \
            pxc_last_error_message(msg_, sizeof msg_, NULL);                            \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d: %s\n", __FILE__,  \
                    __LINE__, #expr, (int)st_, pxc_status_str((int)st_), (int)(expected), msg_); \
            g_failures++;                                                               \
        }                                                                               \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, PXC_STATUS_OK)

/* The last error message (static buffer, per call site use only). */
static inline const char *last_error(void) {
    static char buf[1024];
    size_t needed = 0;
    if (pxc_last_error_message(buf, sizeof buf, &needed) != PXC_STATUS_OK) {
        return "(pxc_last_error_message failed)";
    }
    return buf;
}

#define CHECK_MSG_CONTAINS(needle)                                                      \
    do {                                                                                \
        const char *m_ = last_error();                                                  \
        if (strstr(m_, (needle)) == NULL) {                                             \
            fprintf(stderr, "%s:%d: last error \"%s\" lacks \"%s\"\n", __FILE__,        \
                    __LINE__, m_, (needle));                                            \
            g_failures++;                                                               \
        }                                                                               \
    } while (0)

static inline int finish(const char *name) {
    if (g_failures) {
        fprintf(stderr, "%s: %d check(s) FAILED\n", name, g_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

static inline size_t sample_size(uint32_t sample) {
    switch (sample) {
    case PXC_SAMPLE_U8: case PXC_SAMPLE_I8: return 1;
    case PXC_SAMPLE_U16: case PXC_SAMPLE_I16: case PXC_SAMPLE_F16: return 2;
    case PXC_SAMPLE_U32: case PXC_SAMPLE_I32: case PXC_SAMPLE_F32: return 4;
    default: return 8;
    }
}

static inline size_t channels(uint32_t layout) {
    switch (layout) {
    case PXC_LAYOUT_GRAY: return 1;
    case PXC_LAYOUT_GRAY_ALPHA: return 2;
    case PXC_LAYOUT_RGB: return 3;
    default: return 4;
    }
}

static inline void put_u32le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Deterministic pseudo-random bytes. */
static inline void fill_pattern(uint8_t *p, size_t n, uint32_t seed) {
    uint32_t s = seed * 2654435761u + 1u;
    size_t i;
    for (i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        p[i] = (uint8_t)(s >> 11);
    }
}

/* ---- rawc: exact raw codec ---- */

typedef struct rawc_state {
    int destroyed; /* incremented by destroy */
} rawc_state;

static inline bool rawc_sniff(void *user_data, const uint8_t *data, size_t len) {
    (void)user_data;
    return len >= 4 && memcmp(data, "RAWC", 4) == 0;
}

static inline int rawc_probe(void *user_data, const uint8_t *data, size_t len, pxc_info *out) {
    (void)user_data;
    if (len < 16 || memcmp(data, "RAWC", 4) != 0) {
        pxc_codec_set_error("rawc: header is shorter than 16 bytes or lacks RAWC");
        return PXC_STATUS_DECODE;
    }
    out->width = get_u32le(data + 4);
    out->height = get_u32le(data + 8);
    out->layout = data[12];
    out->sample = data[13];
    out->pages = 1;
    out->lossy_source = false;
    return PXC_STATUS_OK;
}

static inline int rawc_decode(void *user_data, const uint8_t *data, size_t len, const pxc_info *info, uint8_t *out,
                       size_t stride) {
    size_t row = (size_t)info->width * channels(info->layout) * sample_size(info->sample);
    size_t y;
    (void)user_data;
    if (len < 16 + row * info->height) {
        pxc_codec_set_error("rawc: pixel data is truncated");
        return PXC_STATUS_DECODE;
    }
    for (y = 0; y < info->height; y++) {
        memcpy(out + y * stride, data + 16 + y * row, row);
    }
    return PXC_STATUS_OK;
}

static inline int rawc_encode(void *user_data, const pxc_image_view *img, pxc_write_fn write, void *sink) {
    uint8_t hdr[16] = {0};
    size_t row = (size_t)img->width * channels(img->layout) * sample_size(img->sample);
    size_t y;
    int rc;
    (void)user_data;
    memcpy(hdr, "RAWC", 4);
    put_u32le(hdr + 4, img->width);
    put_u32le(hdr + 8, img->height);
    hdr[12] = (uint8_t)img->layout;
    hdr[13] = (uint8_t)img->sample;
    if ((rc = write(sink, hdr, sizeof hdr)) != 0) return rc;
    for (y = 0; y < img->height; y++) {
        if ((rc = write(sink, (const uint8_t *)img->data + y * img->stride, row)) != 0) return rc;
    }
    return PXC_STATUS_OK;
}

static inline void rawc_destroy(void *user_data) {
    ((rawc_state *)user_data)->destroyed++;
}

#define RAWC_CAPS { \
    {PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, PXC_FIDELITY_EXACT},   {PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, PXC_FIDELITY_EXACT}, \
    {PXC_LAYOUT_GRAY, PXC_SAMPLE_U32, PXC_FIDELITY_EXACT},  {PXC_LAYOUT_GRAY, PXC_SAMPLE_F32, PXC_FIDELITY_EXACT}, \
    {PXC_LAYOUT_RGB, PXC_SAMPLE_U8, PXC_FIDELITY_EXACT},    {PXC_LAYOUT_RGB, PXC_SAMPLE_U16, PXC_FIDELITY_EXACT}, \
    {PXC_LAYOUT_RGBA, PXC_SAMPLE_U8, PXC_FIDELITY_EXACT},   {PXC_LAYOUT_RGBA, PXC_SAMPLE_F64, PXC_FIDELITY_EXACT}, \
}
#define RAWC_CAP_COUNT 8

static inline pxc_codec_vtable rawc_vtable(rawc_state *state) {
    static const char *const rawc_exts[] = {"rawc", NULL};
    static const char *const rawc_mimes[] = {"image/x-rawc", NULL};
    static const pxc_capability rawc_caps[RAWC_CAP_COUNT] = RAWC_CAPS;
    pxc_codec_vtable vt;
    memset(&vt, 0, sizeof vt);
    vt.struct_size = (uint32_t)sizeof vt;
    vt.abi_version = PXC_CODEC_ABI_VERSION;
    vt.name = "rawc";
    vt.format = "rawc";
    vt.description = "raw samples with a 16-byte header (written in C)";
    vt.extensions = rawc_exts;
    vt.mime_types = rawc_mimes;
    vt.priority = 10;
    vt.decode_capabilities = rawc_caps;
    vt.decode_capability_count = RAWC_CAP_COUNT;
    vt.encode_capabilities = rawc_caps;
    vt.encode_capability_count = RAWC_CAP_COUNT;
    vt.sniff = rawc_sniff;
    vt.probe = rawc_probe;
    vt.decode = rawc_decode;
    vt.encode = rawc_encode;
    vt.destroy = rawc_destroy;
    vt.user_data = state;
    return vt;
}

/* ---- lossyc: lossy Gray U8 codec ---- */

static inline int lossyc_probe(void *user_data, const uint8_t *data, size_t len, pxc_info *out) {
    (void)user_data;
    if (len < 12) {
        pxc_codec_set_error("lossyc: header truncated");
        return PXC_STATUS_DECODE;
    }
    out->width = get_u32le(data + 4);
    out->height = get_u32le(data + 8);
    out->layout = PXC_LAYOUT_GRAY;
    out->sample = PXC_SAMPLE_U8;
    out->pages = 1;
    out->lossy_source = true;
    return PXC_STATUS_OK;
}

static inline int lossyc_decode(void *user_data, const uint8_t *data, size_t len, const pxc_info *info, uint8_t *out,
                         size_t stride) {
    size_t y;
    (void)user_data;
    if (len < 12 + (size_t)info->width * info->height) {
        pxc_codec_set_error("lossyc: pixel data truncated");
        return PXC_STATUS_DECODE;
    }
    for (y = 0; y < info->height; y++) memcpy(out + y * stride, data + 12 + y * info->width, info->width);
    return PXC_STATUS_OK;
}

static inline int lossyc_encode(void *user_data, const pxc_image_view *img, pxc_write_fn write, void *sink) {
    uint8_t hdr[12];
    uint32_t x, y;
    (void)user_data;
    memcpy(hdr, "LOSY", 4);
    put_u32le(hdr + 4, img->width);
    put_u32le(hdr + 8, img->height);
    if (write(sink, hdr, 12) != 0) return PXC_STATUS_IO;
    for (y = 0; y < img->height; y++) {
        for (x = 0; x < img->width; x++) {
            uint8_t v = (uint8_t)(((const uint8_t *)img->data)[y * img->stride + x] & 0xF0);
            if (write(sink, &v, 1) != 0) return PXC_STATUS_IO;
        }
    }
    return PXC_STATUS_OK;
}


static inline pxc_codec_vtable lossyc_vtable(void) {
    static const char *const lossyc_exts[] = {"lossyc", NULL};
    static const pxc_capability lossyc_caps[] = {{PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, PXC_FIDELITY_LOSSY}};
    pxc_codec_vtable vt;
    memset(&vt, 0, sizeof vt);
    vt.struct_size = (uint32_t)sizeof vt;
    vt.abi_version = PXC_CODEC_ABI_VERSION;
    vt.name = "lossyc";
    vt.format = "lossyc";
    vt.extensions = lossyc_exts;
    vt.signature = (const uint8_t *)"LOSY";
    vt.signature_len = 4;
    vt.decode_capabilities = lossyc_caps;
    vt.decode_capability_count = 1;
    vt.encode_capabilities = lossyc_caps;
    vt.encode_capability_count = 1;
    vt.probe = lossyc_probe;
    vt.decode = lossyc_decode;
    vt.encode = lossyc_encode;
    return vt;
}

/* True when the registry has a codec of this name (built-in codecs land over time). */
static inline bool has_codec(const pxc_registry *reg, const char *name) {
    char buf[PXC_NAME_MAX];
    return pxc_registry_find_by_name(reg, name, buf, sizeof buf) == PXC_STATUS_OK;
}

#endif /* PXC_TESTUTIL_H */
