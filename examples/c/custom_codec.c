/* A codec written in C: binary PGM (P5, 8- or 16-bit gray) registered through the
 * versioned vtable. It then takes part in lookup like the built-in codecs: found by
 * extension for writing, by sniffing the content for reading. */
#include <stdio.h>
#include <string.h>

#include "pixcodec.h"

/* Parses "P5 <w> <h> <maxval>" + one whitespace; returns the header length or 0. */
static size_t pgm_header(const uint8_t *d, size_t len, uint32_t v[3]) {
    size_t i = 2;
    int k;
    if (len < 2 || d[0] != 'P' || d[1] != '5') return 0;
    for (k = 0; k < 3; k++) {
        uint64_t x = 0;
        while (i < len && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t' || d[i] == '#')) {
            if (d[i] == '#') while (i < len && d[i] != '\n') i++;
            else i++;
        }
        if (i >= len || d[i] < '0' || d[i] > '9') return 0;
        while (i < len && d[i] >= '0' && d[i] <= '9') {
            x = x * 10 + (uint64_t)(d[i++] - '0');
            if (x > 0xFFFFFFFFu) return 0;
        }
        v[k] = (uint32_t)x;
    }
    return i < len ? i + 1 : 0;
}

static bool pgm_sniff(void *ud, const uint8_t *d, size_t len) {
    (void)ud;
    return len >= 3 && d[0] == 'P' && d[1] == '5' && (d[2] == ' ' || d[2] == '\n' || d[2] == '\t' || d[2] == '\r');
}

static int pgm_probe(void *ud, const uint8_t *d, size_t len, pxc_info *out) {
    uint32_t v[3];
    (void)ud;
    if (!pgm_header(d, len, v) || v[2] == 0 || v[2] > 65535) {
        pxc_codec_set_error("pgm: malformed P5 header");
        return PXC_STATUS_DECODE;
    }
    out->width = v[0];
    out->height = v[1];
    out->layout = PXC_LAYOUT_GRAY;
    out->sample = v[2] > 255 ? PXC_SAMPLE_U16 : PXC_SAMPLE_U8;
    out->pages = 1;
    out->lossy_source = false;
    return PXC_STATUS_OK;
}

static int pgm_decode(void *ud, const uint8_t *d, size_t len, const pxc_info *info, uint8_t *out, size_t stride) {
    uint32_t v[3], x, y;
    size_t off = pgm_header(d, len, v), bps = info->sample == PXC_SAMPLE_U16 ? 2 : 1;
    (void)ud;
    if (len - off < (size_t)info->width * info->height * bps) {
        pxc_codec_set_error("pgm: pixel data is truncated");
        return PXC_STATUS_DECODE;
    }
    for (y = 0; y < info->height; y++) {
        const uint8_t *src = d + off + (size_t)y * info->width * bps;
        if (bps == 1) {
            memcpy(out + y * stride, src, info->width);
        } else { /* big-endian in the file, native in memory */
            for (x = 0; x < info->width; x++) {
                uint16_t s = (uint16_t)((src[2 * x] << 8) | src[2 * x + 1]);
                memcpy(out + y * stride + 2 * x, &s, 2);
            }
        }
    }
    return PXC_STATUS_OK;
}

static int pgm_encode(void *ud, const pxc_image_view *img, pxc_write_fn write, void *sink) {
    char hdr[64];
    uint8_t row[2 * 1024];
    uint32_t x, y;
    int n = snprintf(hdr, sizeof hdr, "P5\n%u %u\n%u\n", img->width, img->height,
                     img->sample == PXC_SAMPLE_U16 ? 65535u : 255u);
    (void)ud;
    if (img->width > 1024) {
        pxc_codec_set_error("pgm example: rows wider than 1024 pixels are not implemented");
        return PXC_STATUS_UNSUPPORTED;
    }
    if (write(sink, (const uint8_t *)hdr, (size_t)n)) return PXC_STATUS_IO;
    for (y = 0; y < img->height; y++) {
        const uint8_t *src = (const uint8_t *)img->data + y * img->stride;
        size_t nbytes = img->width;
        if (img->sample == PXC_SAMPLE_U16) {
            for (x = 0; x < img->width; x++) {
                uint16_t s;
                memcpy(&s, src + 2 * x, 2);
                row[2 * x] = (uint8_t)(s >> 8);
                row[2 * x + 1] = (uint8_t)s;
            }
            nbytes *= 2;
            src = row;
        }
        if (write(sink, src, nbytes)) return PXC_STATUS_IO;
    }
    return PXC_STATUS_OK;
}

static void pgm_destroy(void *ud) {
    *(int *)ud += 1;
}

int main(void) {
    static const char *const exts[] = {"pgm", NULL};
    static const char *const mimes[] = {"image/x-portable-graymap", NULL};
    static const pxc_capability caps[] = {{PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, PXC_FIDELITY_EXACT},
                                          {PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, PXC_FIDELITY_EXACT}};
    int destroyed = 0, ok;
    pxc_codec_vtable vt;
    pxc_registry *reg = pxc_registry_new(true);
    uint16_t px[40 * 3];
    pxc_image_view v;
    pxc_bytes out = {0};
    pxc_encode_report rep;
    pxc_image *img = NULL;
    pxc_info info;
    char name[PXC_NAME_MAX];
    size_t i;

    memset(&vt, 0, sizeof vt);
    vt.struct_size = (uint32_t)sizeof vt;
    vt.abi_version = PXC_CODEC_ABI_VERSION;
    vt.name = "pgm-c";
    vt.format = "pgm";
    vt.description = "binary PGM written in C (example)";
    vt.extensions = exts;
    vt.mime_types = mimes;
    vt.priority = 50;
    vt.decode_capabilities = caps;
    vt.decode_capability_count = 2;
    vt.encode_capabilities = caps;
    vt.encode_capability_count = 2;
    vt.sniff = pgm_sniff;
    vt.probe = pgm_probe;
    vt.decode = pgm_decode;
    vt.encode = pgm_encode;
    vt.destroy = pgm_destroy;
    vt.user_data = &destroyed;
    if (pxc_registry_register_codec(reg, &vt) != PXC_STATUS_OK) {
        char msg[512];
        pxc_last_error_message(msg, sizeof msg, NULL);
        fprintf(stderr, "register failed: %s\n", msg);
        return 1;
    }
    pxc_registry_find_by_extension(reg, ".pgm", name, sizeof name);
    printf("extension .pgm -> codec %s\n", name);

    for (i = 0; i < 120; i++) px[i] = (uint16_t)(i * 541u);
    v.data = px; v.stride = 0; v.width = 40; v.height = 3; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U16;
    ok = pxc_encode(reg, &v, "pgm", NULL, &out, &rep) == PXC_STATUS_OK;
    ok = ok && pxc_probe(reg, out.data, out.len, NULL, &info) == PXC_STATUS_OK; /* found by sniffing */
    ok = ok && pxc_decode(reg, out.data, out.len, NULL, &img) == PXC_STATUS_OK;
    ok = ok && memcmp(pxc_image_data(img), px, sizeof px) == 0;
    printf("16-bit gray through %s: %zu bytes, probed by %s, %s\n", rep.codec, out.len, info.codec,
           ok ? "identical" : "DIFFERENT");
    pxc_image_free(img);
    pxc_bytes_free(&out);
    pxc_registry_free(reg); /* calls destroy exactly once */
    printf("destroy called %d time(s)\n", destroyed);
    return ok && destroyed == 1 ? 0 : 1;
}
