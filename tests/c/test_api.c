/* The C API end to end: version, statuses and messages, registry queries, codecs
 * written in C (sniffing, extension, MIME, destroy), round trips, decode into caller
 * memory, short buffers, corrupt input, unknown formats, exactness refusals, limits,
 * streams, files, built-in codecs when present, and a caught panic. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char g_dir[256];

static void test_version(void) {
    char expect[64];
    const char *v = pxc_version_string();
    snprintf(expect, sizeof expect, "%d.%d.%d", PXC_VERSION_MAJOR, PXC_VERSION_MINOR, PXC_VERSION_PATCH);
    CHECK(v != NULL && strcmp(v, expect) == 0);
}

static void test_status_values(void) {
    /* The ABI values: never renumbered. */
    CHECK(PXC_STATUS_OK == 0);
    CHECK(PXC_STATUS_NULL_ARGUMENT == 1);
    CHECK(PXC_STATUS_INVALID_ARGUMENT == 2);
    CHECK(PXC_STATUS_UNKNOWN_FORMAT == 3);
    CHECK(PXC_STATUS_UNSUPPORTED == 4);
    CHECK(PXC_STATUS_NOT_EXACT == 5);
    CHECK(PXC_STATUS_DECODE == 6);
    CHECK(PXC_STATUS_ENCODE == 7);
    CHECK(PXC_STATUS_LIMITS == 8);
    CHECK(PXC_STATUS_IO == 9);
    CHECK(PXC_STATUS_BUFFER_TOO_SMALL == 10);
    CHECK(PXC_STATUS_PANIC == 11);
    CHECK(strcmp(pxc_status_str(PXC_STATUS_OK), "ok") == 0);
    CHECK(strcmp(pxc_status_str(PXC_STATUS_BUFFER_TOO_SMALL), "buffer too small") == 0);
    CHECK(strcmp(pxc_status_str(9999), "unknown status") == 0);
    CHECK(strcmp(pxc_status_str(-1), "unknown status") == 0);
}

static void test_last_error_copy(void) {
    uint8_t junk[4] = {1, 2, 3, 4};
    pxc_image *img = NULL;
    char small[8];
    char big[512];
    size_t needed = 0, needed2 = 0;
    CHECK_STATUS(pxc_decode(NULL, junk, sizeof junk, NULL, &img), PXC_STATUS_UNKNOWN_FORMAT);
    CHECK(img == NULL); /* out-parameter untouched on failure */
    CHECK_OK(pxc_last_error_message(NULL, 0, &needed));
    CHECK(needed > 8);
    memset(small, 'x', sizeof small);
    CHECK_OK(pxc_last_error_message(small, sizeof small, &needed2));
    CHECK(needed2 == needed);
    CHECK(small[7] == '\0' && strlen(small) == 7);
    CHECK_OK(pxc_last_error_message(big, sizeof big, NULL));
    CHECK(strlen(big) + 1 == needed);
    CHECK(strstr(big, "no registered codec recognises data starting with 01 02 03 04") != NULL);
    CHECK(strncmp(big, small, 7) == 0);
    CHECK_STATUS(pxc_last_error_message(NULL, 5, NULL), PXC_STATUS_NULL_ARGUMENT);
}

static void test_registry_queries(pxc_registry *reg) {
    size_t n = 0, i;
    int found = 0;
    uint32_t fid = 99;
    char name[PXC_NAME_MAX];
    pxc_capability cap;
    CHECK_OK(pxc_registry_codec_count(reg, &n));
    for (i = 0; i < n; i++) {
        pxc_codec_info info;
        CHECK_OK(pxc_registry_codec_info(reg, i, &info));
        if (strcmp(info.name, "rawc") == 0) {
            found = 1;
            CHECK(strcmp(info.format, "rawc") == 0);
            CHECK(strcmp(info.extensions, "rawc") == 0);
            CHECK(strcmp(info.mime_types, "image/x-rawc") == 0);
            CHECK(info.priority == 10);
            CHECK(info.encode_capability_count == RAWC_CAP_COUNT);
            CHECK(info.decode_capability_count == RAWC_CAP_COUNT);
            CHECK(!info.multi_page_encode);
        }
    }
    CHECK(found);
    {
        pxc_codec_info info;
        CHECK_STATUS(pxc_registry_codec_info(reg, n, &info), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_MSG_CONTAINS("out of range");
    }
    CHECK_OK(pxc_registry_codec_capability(reg, "rawc", true, 2, &cap));
    CHECK(cap.layout == PXC_LAYOUT_GRAY && cap.sample == PXC_SAMPLE_U32 && cap.fidelity == PXC_FIDELITY_EXACT);
    CHECK_STATUS(pxc_registry_codec_capability(reg, "rawc", true, 100, &cap), PXC_STATUS_INVALID_ARGUMENT);

    CHECK_OK(pxc_registry_can_encode(reg, "rawc", PXC_LAYOUT_GRAY, PXC_SAMPLE_U32, &fid));
    CHECK(fid == PXC_FIDELITY_EXACT);
    CHECK_OK(pxc_registry_can_encode(reg, "rawc", PXC_LAYOUT_CMYK, PXC_SAMPLE_U8, &fid));
    CHECK(fid == PXC_FIDELITY_NONE);
    CHECK_OK(pxc_registry_can_encode(reg, "lossyc", PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, &fid));
    CHECK(fid == PXC_FIDELITY_LOSSY);
    CHECK_OK(pxc_registry_can_decode(reg, "rawc", PXC_LAYOUT_RGBA, PXC_SAMPLE_F64, &fid));
    CHECK(fid == PXC_FIDELITY_EXACT);
    fid = 77;
    CHECK_STATUS(pxc_registry_can_encode(reg, "rawc", 5, PXC_SAMPLE_U8, &fid), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("layout 5 is not a pxc_layout value");
    CHECK(fid == 77);
    CHECK_STATUS(pxc_registry_can_encode(reg, "rawc", PXC_LAYOUT_GRAY, 11, &fid), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("sample type 11");
    CHECK_STATUS(pxc_registry_can_encode(reg, "nope", PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, &fid),
                 PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_MSG_CONTAINS("no codec named 'nope'");

    CHECK_OK(pxc_registry_find_by_name(reg, "RAWC", name, sizeof name));
    CHECK(strcmp(name, "rawc") == 0);
    CHECK_OK(pxc_registry_find_by_extension(reg, ".RawC", name, sizeof name));
    CHECK(strcmp(name, "rawc") == 0);
    CHECK_OK(pxc_registry_find_by_extension(reg, "lossyc", name, sizeof name));
    CHECK(strcmp(name, "lossyc") == 0);
    CHECK_OK(pxc_registry_find_by_mime(reg, "image/x-rawc", name, sizeof name));
    CHECK(strcmp(name, "rawc") == 0);
    CHECK_OK(pxc_registry_find_by_content(reg, (const uint8_t *)"RAWC\1\0\0\0", 8, name, sizeof name));
    CHECK(strcmp(name, "rawc") == 0);
    CHECK_OK(pxc_registry_find_by_content(reg, (const uint8_t *)"LOSY", 4, name, sizeof name));
    CHECK(strcmp(name, "lossyc") == 0);
    CHECK_STATUS(pxc_registry_find_by_content(reg, (const uint8_t *)"????", 4, name, sizeof name),
                 PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_STATUS(pxc_registry_find_by_extension(reg, "nope", name, sizeof name), PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_STATUS(pxc_registry_find_by_mime(reg, "image/nope", name, sizeof name), PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_STATUS(pxc_registry_find_by_name(reg, "rawc", name, 4), PXC_STATUS_BUFFER_TOO_SMALL);
}

/* Encodes a pattern through rawc for every capability row and decodes it back exactly. */
static void test_rawc_roundtrips(pxc_registry *reg) {
    size_t i;
    for (i = 0; i < RAWC_CAP_COUNT; i++) {
        pxc_capability cap;
        pxc_image_view v;
        pxc_bytes out = {0};
        pxc_encode_report rep;
        pxc_image *img = NULL;
        pxc_info info;
        uint32_t w = 7, h = 5, y;
        size_t bpp, row, stride;
        uint8_t *src;
        CHECK_OK(pxc_registry_codec_capability(reg, "rawc", true, i, &cap));
        bpp = channels(cap.layout) * sample_size(cap.sample);
        row = w * bpp;
        stride = row + 8; /* padded rows */
        src = (uint8_t *)calloc(stride * h, 1);
        fill_pattern(src, stride * h, (uint32_t)i);
        if (cap.sample == PXC_SAMPLE_F32 || cap.sample == PXC_SAMPLE_F64) {
            /* keep floats finite: zero the exponent-top byte of each sample */
            size_t k, ss = sample_size(cap.sample);
            for (k = ss - 1; k < stride * h; k += ss) src[k] = 0x3f;
        }
        v.data = src;
        v.stride = stride;
        v.width = w;
        v.height = h;
        v.layout = cap.layout;
        v.sample = cap.sample;
        CHECK_OK(pxc_encode(reg, &v, "rawc", NULL, &out, &rep));
        CHECK(out.data != NULL && out.len == 16 + row * h);
        CHECK(strcmp(rep.codec, "rawc") == 0 && rep.exact && rep.bytes_written == out.len && rep.pages == 1);
        CHECK(rep.lossy_reason[0] == '\0');
        /* found by sniffing: no hint given */
        CHECK_OK(pxc_probe(reg, out.data, out.len, NULL, &info));
        CHECK(info.width == w && info.height == h && info.layout == cap.layout && info.sample == cap.sample);
        CHECK(strcmp(info.codec, "rawc") == 0 && strcmp(info.format, "rawc") == 0 && info.pages == 1);
        CHECK_OK(pxc_decode(reg, out.data, out.len, NULL, &img));
        if (img) {
            const uint8_t *d = pxc_image_data(img);
            CHECK(pxc_image_width(img) == w && pxc_image_height(img) == h);
            CHECK(pxc_image_layout(img) == cap.layout && pxc_image_sample(img) == cap.sample);
            CHECK(pxc_image_stride(img) == row && pxc_image_size(img) == row * h);
            CHECK(((uintptr_t)d % 8) == 0);
            for (y = 0; y < h; y++) CHECK(memcmp(d + y * row, src + y * stride, row) == 0);
            pxc_image_free(img);
        }
        pxc_bytes_free(&out);
        CHECK(out.data == NULL && out.len == 0);
        pxc_bytes_free(&out); /* twice is harmless */
        free(src);
    }
}

static void make_rawc(pxc_registry *reg, uint32_t w, uint32_t h, pxc_bytes *out, uint8_t *pixels) {
    pxc_image_view v;
    fill_pattern(pixels, (size_t)w * h * 3, 42);
    v.data = pixels;
    v.stride = 0;
    v.width = w;
    v.height = h;
    v.layout = PXC_LAYOUT_RGB;
    v.sample = PXC_SAMPLE_U8;
    CHECK_OK(pxc_encode(reg, &v, "image/x-rawc", NULL, out, NULL));
}

static void test_decode_into(pxc_registry *reg) {
    uint8_t pixels[9 * 4 * 3];
    pxc_bytes enc = {0};
    size_t needed = 0, stride = 9 * 3 + 5, y;
    uint8_t *buf;
    pxc_info info;
    make_rawc(reg, 9, 4, &enc, pixels);
    /* phase 1: size query */
    CHECK_STATUS(pxc_decode_into(reg, enc.data, enc.len, NULL, NULL, 0, stride, NULL, &needed),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == stride * 3 + 9 * 3);
    CHECK_MSG_CONTAINS("needs");
    buf = (uint8_t *)malloc(needed);
    memset(buf, 0xAB, needed);
    /* short buffer by one byte */
    CHECK_STATUS(pxc_decode_into(reg, enc.data, enc.len, NULL, buf, needed - 1, stride, NULL, NULL),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    /* non-NULL buffer with NULL pointer but a size: NULL_ARGUMENT */
    CHECK_STATUS(pxc_decode_into(reg, enc.data, enc.len, NULL, NULL, needed, stride, NULL, NULL),
                 PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("'buf'");
    /* stride smaller than a row */
    CHECK_STATUS(pxc_decode_into(reg, enc.data, enc.len, NULL, buf, needed, 5, NULL, NULL),
                 PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("stride 5");
    /* phase 2 */
    CHECK_OK(pxc_decode_into(reg, enc.data, enc.len, NULL, buf, needed, stride, &info, &needed));
    CHECK(info.width == 9 && info.height == 4 && info.layout == PXC_LAYOUT_RGB);
    for (y = 0; y < 4; y++) {
        size_t k;
        CHECK(memcmp(buf + y * stride, pixels + y * 27, 27) == 0);
        if (y < 3)
            for (k = 27; k < stride; k++) CHECK(buf[y * stride + k] == 0xAB); /* padding untouched */
    }
    /* stride 0 = packed */
    CHECK_OK(pxc_decode_into(reg, enc.data, enc.len, NULL, buf, needed, 0, NULL, &needed));
    CHECK(needed == 9 * 4 * 3 && memcmp(buf, pixels, needed) == 0);
    free(buf);
    pxc_bytes_free(&enc);
}

static void test_bad_input(pxc_registry *reg) {
    uint8_t pixels[9 * 4 * 3];
    pxc_bytes enc = {0};
    pxc_image *img = NULL;
    pxc_info info;
    uint8_t empty[1] = {0};
    make_rawc(reg, 9, 4, &enc, pixels);
    /* truncated pixel data */
    CHECK_STATUS(pxc_decode(reg, enc.data, enc.len - 1, NULL, &img), PXC_STATUS_DECODE);
    CHECK_MSG_CONTAINS("rawc: pixel data is truncated");
    CHECK(img == NULL);
    /* truncated header */
    CHECK_STATUS(pxc_decode(reg, enc.data, 10, NULL, &img), PXC_STATUS_DECODE);
    CHECK_MSG_CONTAINS("header is shorter");
    /* corrupt header: invalid layout byte */
    enc.data[12] = 9;
    CHECK_STATUS(pxc_probe(reg, enc.data, enc.len, NULL, &info), PXC_STATUS_DECODE);
    CHECK_MSG_CONTAINS("invalid pixel format");
    enc.data[12] = PXC_LAYOUT_RGB;
    /* corrupt header: zero width */
    enc.data[4] = 0;
    CHECK_STATUS(pxc_decode(reg, enc.data, enc.len, NULL, &img), PXC_STATUS_DECODE);
    CHECK_MSG_CONTAINS("0x4");
    enc.data[4] = 9;
    /* unknown formats, empty input */
    CHECK_STATUS(pxc_decode(reg, (const uint8_t *)"ZQ\x01\x7fzq??", 8, NULL, &img), PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_MSG_CONTAINS("5a 51 01 7f");
    CHECK_STATUS(pxc_decode(reg, empty, 0, NULL, &img), PXC_STATUS_UNKNOWN_FORMAT);
    CHECK_MSG_CONTAINS("empty");
    CHECK(img == NULL);
    /* limits are checked before decoding */
    {
        pxc_limits *lim = pxc_limits_new();
        CHECK_OK(pxc_limits_set_max_width(lim, 8));
        CHECK_STATUS(pxc_decode(reg, enc.data, enc.len, lim, &img), PXC_STATUS_LIMITS);
        CHECK_MSG_CONTAINS("above the limit");
        CHECK_OK(pxc_limits_set_max_width(lim, 9));
        CHECK_OK(pxc_limits_set_max_pixels(lim, 35));
        CHECK_STATUS(pxc_decode(reg, enc.data, enc.len, lim, &img), PXC_STATUS_LIMITS);
        CHECK_OK(pxc_limits_set_max_pixels(lim, 36));
        CHECK_OK(pxc_limits_set_max_height(lim, 4));
        CHECK_OK(pxc_limits_set_max_pages(lim, 1));
        CHECK_OK(pxc_limits_set_max_alloc_bytes(lim, 108));
        CHECK_OK(pxc_decode(reg, enc.data, enc.len, lim, &img));
        pxc_image_free(img);
        img = NULL;
        CHECK_OK(pxc_limits_set_max_alloc_bytes(lim, 107));
        CHECK_STATUS(pxc_decode(reg, enc.data, enc.len, lim, &img), PXC_STATUS_LIMITS);
        pxc_limits_free(lim);
    }
    pxc_bytes_free(&enc);
}

static void test_exactness(pxc_registry *reg) {
    int8_t s8[6] = {-3, -2, -1, 0, 1, 2};
    uint8_t g8[6] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};
    pxc_image_view v;
    pxc_bytes out = {0};
    pxc_encode_report rep;
    pxc_encode_options *o = pxc_encode_options_new();
    pxc_image *img = NULL;
    v.data = s8; v.stride = 0; v.width = 3; v.height = 2; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_I8;
    /* rawc cannot hold Gray I8: refused, message names the format and what it holds */
    CHECK_STATUS(pxc_encode(reg, &v, "rawc", NULL, &out, NULL), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("rawc cannot store Gray I8 pixels exactly");
    CHECK_MSG_CONTAINS("Gray U8");
    CHECK(out.data == NULL);
    /* lossy codec chosen explicitly: allowed and reported lossy */
    v.data = g8; v.sample = PXC_SAMPLE_U8;
    CHECK_OK(pxc_encode(reg, &v, "lossyc", NULL, &out, &rep));
    CHECK(!rep.exact && strstr(rep.lossy_reason, "lossy") != NULL && strcmp(rep.codec, "lossyc") == 0);
    CHECK_OK(pxc_decode(reg, out.data, out.len, NULL, &img));
    if (img) {
        CHECK(pxc_image_data(img)[0] == 0x10 && pxc_image_data(img)[5] == 0xB0);
        pxc_image_free(img);
    }
    pxc_bytes_free(&out);
    /* require_exact turns it into an error, nothing written */
    CHECK_OK(pxc_encode_options_set_require_exact(o, true));
    CHECK_STATUS(pxc_encode(reg, &v, "lossyc", o, &out, &rep), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("require_exact");
    CHECK(out.data == NULL);
    /* verify on an exact codec */
    CHECK_OK(pxc_encode_options_set_verify(o, true));
    CHECK_OK(pxc_encode(reg, &v, "rawc", o, &out, &rep));
    CHECK(rep.exact && rep.verified && rep.verify_identical && rep.verify_max_abs_diff == 0.0);
    pxc_bytes_free(&out);
    /* codec choice through options, NULL target */
    CHECK_OK(pxc_encode_options_set_codec(o, "rawc"));
    CHECK_OK(pxc_encode(reg, &v, NULL, o, &out, &rep));
    CHECK(strcmp(rep.codec, "rawc") == 0);
    pxc_bytes_free(&out);
    CHECK_OK(pxc_encode_options_set_codec(o, NULL));
    CHECK_STATUS(pxc_encode(reg, &v, NULL, o, &out, &rep), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("'target'");
    /* unknown options are errors, never ignored */
    CHECK_OK(pxc_encode_options_set(o, "bogus", "1"));
    CHECK_STATUS(pxc_encode(reg, &v, "rawc", o, &out, &rep), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("does not accept option 'bogus'");
    CHECK_STATUS(pxc_encode_options_set(o, "", "1"), PXC_STATUS_INVALID_ARGUMENT);
    pxc_encode_options_free(o);
    /* unknown target, invalid enums, bad stride */
    CHECK_STATUS(pxc_encode(reg, &v, "nope", NULL, &out, NULL), PXC_STATUS_UNKNOWN_FORMAT);
    v.layout = 42;
    CHECK_STATUS(pxc_encode(reg, &v, "rawc", NULL, &out, NULL), PXC_STATUS_INVALID_ARGUMENT);
    v.layout = PXC_LAYOUT_GRAY;
    v.stride = 2;
    CHECK_STATUS(pxc_encode(reg, &v, "rawc", NULL, &out, NULL), PXC_STATUS_INVALID_ARGUMENT);
    v.stride = 0;
    v.width = 0;
    CHECK_STATUS(pxc_encode(reg, &v, "rawc", NULL, &out, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK(out.data == NULL);
    /* several pages to a single-image codec */
    {
        pxc_image_view pages[2];
        v.width = 3;
        pages[0] = v;
        pages[1] = v;
        CHECK_STATUS(pxc_encode_pages(reg, pages, 2, "rawc", NULL, &out, NULL), PXC_STATUS_UNSUPPORTED);
        CHECK_MSG_CONTAINS("one image per file");
        CHECK_STATUS(pxc_encode_pages(reg, pages, 0, "rawc", NULL, &out, NULL), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_OK(pxc_encode_pages(reg, pages, 1, "rawc", NULL, &out, NULL));
        pxc_bytes_free(&out);
    }
}

static void test_reusable_buffer(pxc_registry *reg) {
    uint8_t px[64 * 64];
    pxc_image_view v;
    pxc_buffer *b = pxc_buffer_new(0);
    pxc_encode_report rep;
    const uint8_t *first;
    size_t cap;
    int i;
    fill_pattern(px, sizeof px, 3);
    v.data = px; v.stride = 0; v.width = 64; v.height = 64; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U8;
    CHECK(pxc_buffer_len(b) == 0);
    CHECK_OK(pxc_encode_to_buffer(reg, &v, "rawc", NULL, b, &rep));
    CHECK(pxc_buffer_len(b) == 16 + sizeof px && rep.bytes_written == pxc_buffer_len(b));
    first = pxc_buffer_data(b);
    cap = pxc_buffer_capacity(b);
    for (i = 0; i < 20; i++) {
        px[i] = (uint8_t)i;
        CHECK_OK(pxc_encode_to_buffer(reg, &v, "rawc", NULL, b, NULL));
        /* no reallocation once large enough */
        CHECK(pxc_buffer_data(b) == first && pxc_buffer_capacity(b) == cap);
        CHECK(memcmp(pxc_buffer_data(b) + 16, px, sizeof px) == 0);
    }
    pxc_buffer_free(b);
    b = pxc_buffer_new(100000);
    CHECK(pxc_buffer_capacity(b) >= 100000);
    pxc_buffer_free(b);
}

typedef struct mem_stream {
    uint8_t *data;
    size_t len, cap, pos;
    int fail_after; /* write calls before failing; -1 never */
} mem_stream;

static int ms_write(void *ud, const uint8_t *d, size_t n) {
    mem_stream *s = (mem_stream *)ud;
    if (s->fail_after == 0) return 1;
    if (s->fail_after > 0) s->fail_after--;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->data = (uint8_t *)realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, d, n);
    s->len += n;
    return 0;
}

static int ms_read(void *ud, uint8_t *buf, size_t cap, size_t *out) {
    mem_stream *s = (mem_stream *)ud;
    size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
    if (n > 3) n = 3; /* short reads on purpose */
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    *out = n;
    return 0;
}

static int ms_seek(void *ud, int64_t off, uint32_t whence, uint64_t *pos) {
    mem_stream *s = (mem_stream *)ud;
    int64_t base = whence == PXC_SEEK_WHENCE_SET ? 0 : whence == PXC_SEEK_WHENCE_CUR ? (int64_t)s->pos : (int64_t)s->len;
    if (base + off < 0) return 1;
    s->pos = (size_t)(base + off);
    *pos = s->pos;
    return 0;
}

static void test_streams(pxc_registry *reg) {
    uint16_t px[5 * 3];
    pxc_image_view v;
    mem_stream s = {NULL, 0, 0, 0, -1};
    pxc_image *img = NULL;
    pxc_image_list *list = NULL;
    pxc_encode_report rep;
    int i;
    for (i = 0; i < 15; i++) px[i] = (uint16_t)(i * 4099);
    v.data = px; v.stride = 0; v.width = 5; v.height = 3; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U16;
    CHECK_OK(pxc_encode_to_callback(reg, &v, "rawc", NULL, ms_write, &s, &rep));
    CHECK(s.len == 16 + sizeof px && rep.bytes_written == s.len);
    CHECK_OK(pxc_decode_callbacks(reg, ms_read, NULL, &s, NULL, &img));
    if (img) {
        CHECK(memcmp(pxc_image_data(img), px, sizeof px) == 0);
        pxc_image_free(img);
    }
    s.pos = 0;
    CHECK_OK(pxc_decode_pages_callbacks(reg, ms_read, ms_seek, &s, NULL, &list));
    CHECK(pxc_image_list_len(list) == 1);
    CHECK(memcmp(pxc_image_data(pxc_image_list_get(list, 0)), px, sizeof px) == 0);
    CHECK(pxc_image_list_get(list, 1) == NULL);
    CHECK_MSG_CONTAINS("out of range");
    pxc_image_list_free(list);
    /* the seek callback lets the size be checked against the limits first */
    {
        pxc_limits *lim = pxc_limits_new();
        pxc_limits_set_max_alloc_bytes(lim, 20);
        s.pos = 0;
        CHECK_STATUS(pxc_decode_callbacks(reg, ms_read, ms_seek, &s, lim, &img), PXC_STATUS_LIMITS);
        CHECK(s.pos == 0);
        pxc_limits_free(lim);
    }
    /* a failing write callback is an I/O error */
    {
        mem_stream f = {NULL, 0, 0, 0, 1};
        CHECK_STATUS(pxc_encode_to_callback(reg, &v, "rawc", NULL, ms_write, &f, NULL), PXC_STATUS_IO);
        CHECK_MSG_CONTAINS("write callback failed");
        free(f.data);
    }
    free(s.data);
}

static void test_files(pxc_registry *reg) {
    uint8_t px[4 * 4 * 4];
    pxc_image_view v;
    char path[512], bad[512];
    pxc_encode_report rep;
    pxc_image *img = NULL;
    pxc_info info;
    fill_pattern(px, sizeof px, 9);
    v.data = px; v.stride = 0; v.width = 4; v.height = 4; v.layout = PXC_LAYOUT_RGBA; v.sample = PXC_SAMPLE_U8;
    snprintf(path, sizeof path, "%s/out.rawc", g_dir);
    /* found by extension: no target given */
    CHECK_OK(pxc_encode_to_file(reg, &v, path, NULL, NULL, &rep));
    CHECK(strcmp(rep.codec, "rawc") == 0);
    CHECK_OK(pxc_probe_file(reg, path, NULL, &info));
    CHECK(info.width == 4 && info.layout == PXC_LAYOUT_RGBA);
    CHECK_OK(pxc_decode_file(reg, path, NULL, &img));
    if (img) {
        CHECK(memcmp(pxc_image_data(img), px, sizeof px) == 0);
        pxc_image_free(img);
    }
    {
        pxc_image_list *l = NULL;
        CHECK_OK(pxc_decode_pages_file(reg, path, NULL, &l));
        CHECK(pxc_image_list_len(l) == 1);
        pxc_image_list_free(l);
    }
    /* explicit target with another extension */
    snprintf(path, sizeof path, "%s/out.bin", g_dir);
    CHECK_OK(pxc_encode_to_file(reg, &v, path, "rawc", NULL, NULL));
    CHECK_OK(pxc_decode_file(reg, path, NULL, &img));
    pxc_image_free(img);
    /* failures leave nothing behind */
    snprintf(bad, sizeof bad, "%s/noext", g_dir);
    CHECK_STATUS(pxc_encode_to_file(reg, &v, bad, NULL, NULL, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK(access(bad, F_OK) != 0);
    snprintf(bad, sizeof bad, "%s/missing-dir/x.rawc", g_dir);
    CHECK_STATUS(pxc_encode_to_file(reg, &v, bad, NULL, NULL, NULL), PXC_STATUS_IO);
    CHECK_STATUS(pxc_decode_file(reg, bad, NULL, &img), PXC_STATUS_IO);
    CHECK_STATUS(pxc_probe_file(reg, bad, NULL, &info), PXC_STATUS_IO);
}

/* Round trips through the built-in codecs, when they are compiled in. */
static void test_builtins(void) {
    pxc_registry *reg = pxc_registry_new(true);
    uint16_t g16[6 * 4];
    uint8_t rgb[6 * 4 * 3];
    pxc_image_view v;
    pxc_bytes out = {0};
    pxc_encode_report rep;
    pxc_image *img = NULL;
    int i;
    const char *exact[] = {"png", "tiff"};
    for (i = 0; i < 24; i++) g16[i] = (uint16_t)(i * 2731 + 1);
    fill_pattern(rgb, sizeof rgb, 5);
    for (i = 0; i < 2; i++) {
        if (!has_codec(reg, exact[i])) {
            printf("skipping %s round trip: codec not built in yet\n", exact[i]);
            continue;
        }
        v.data = g16; v.stride = 0; v.width = 6; v.height = 4; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U16;
        CHECK_OK(pxc_encode(reg, &v, exact[i], NULL, &out, &rep));
        CHECK(rep.exact);
        CHECK_OK(pxc_decode(reg, out.data, out.len, NULL, &img));
        if (img) {
            CHECK(pxc_image_sample(img) == PXC_SAMPLE_U16 && memcmp(pxc_image_data(img), g16, sizeof g16) == 0);
            pxc_image_free(img);
            img = NULL;
        }
        pxc_bytes_free(&out);
    }
    if (has_codec(reg, "jpeg-turbo")) {
        pxc_encode_options *o = pxc_encode_options_new();
        pxc_info info;
        v.data = rgb; v.stride = 0; v.width = 6; v.height = 4; v.layout = PXC_LAYOUT_RGB; v.sample = PXC_SAMPLE_U8;
        CHECK_OK(pxc_encode_options_set_quality(o, 90));
        CHECK_OK(pxc_encode_options_set_subsampling(o, "444"));
        CHECK_OK(pxc_encode(reg, &v, "jpeg", o, &out, &rep));
        CHECK(!rep.exact && strcmp(rep.codec, "jpeg-turbo") == 0 && rep.lossy_reason[0] != '\0');
        CHECK_OK(pxc_probe(reg, out.data, out.len, NULL, &info));
        CHECK(info.lossy_source && info.layout == PXC_LAYOUT_RGB && info.sample == PXC_SAMPLE_U8);
        pxc_bytes_free(&out);
        CHECK_OK(pxc_encode_options_set_require_exact(o, true));
        CHECK_STATUS(pxc_encode(reg, &v, "jpeg", o, &out, &rep), PXC_STATUS_NOT_EXACT);
        CHECK_OK(pxc_encode_options_set_require_exact(o, false));
        CHECK_OK(pxc_encode_options_set(o, "quality", "101"));
        CHECK_STATUS(pxc_encode(reg, &v, "jpeg", o, &out, &rep), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_MSG_CONTAINS("quality");
        /* 16-bit cannot go to JPEG: refused with a way out */
        v.data = g16; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U16;
        CHECK_STATUS(pxc_encode(reg, &v, "jpeg", NULL, &out, &rep), PXC_STATUS_NOT_EXACT);
        CHECK_MSG_CONTAINS("Gray U16");
        pxc_encode_options_free(o);
    } else {
        printf("skipping jpeg round trip: codec not built in yet\n");
    }
    if (has_codec(reg, "tiff")) {
        pxc_image_view pages[3];
        pxc_image_list *l = NULL;
        for (i = 0; i < 3; i++) {
            pages[i].data = g16; pages[i].stride = 0; pages[i].width = 6; pages[i].height = 4;
            pages[i].layout = PXC_LAYOUT_GRAY; pages[i].sample = PXC_SAMPLE_U16;
        }
        CHECK_OK(pxc_encode_pages(reg, pages, 3, "tiff", NULL, &out, &rep));
        CHECK(rep.pages == 3 && rep.exact);
        CHECK_OK(pxc_decode_pages(reg, out.data, out.len, NULL, &l));
        CHECK(pxc_image_list_len(l) == 3);
        for (i = 0; i < 3; i++) CHECK(memcmp(pxc_image_data(pxc_image_list_get(l, (size_t)i)), g16, sizeof g16) == 0);
        pxc_image_list_free(l);
        pxc_bytes_free(&out);
    }
    /* truncated/corrupt built-in input */
    if (has_codec(reg, "png")) {
        v.data = rgb; v.stride = 0; v.width = 6; v.height = 4; v.layout = PXC_LAYOUT_RGB; v.sample = PXC_SAMPLE_U8;
        CHECK_OK(pxc_encode(reg, &v, "png", NULL, &out, NULL));
        CHECK_STATUS(pxc_decode(reg, out.data, out.len / 2, NULL, &img), PXC_STATUS_DECODE);
        out.data[out.len / 2] ^= 0xFF;
        CHECK(pxc_decode(reg, out.data, out.len, NULL, &img) != PXC_STATUS_OK);
        pxc_bytes_free(&out);
    }
    pxc_registry_free(reg);
}

static void test_codec_lifecycle(void) {
    rawc_state st = {0}, st2 = {0};
    pxc_registry *reg = pxc_registry_new(false);
    pxc_codec_vtable vt = rawc_vtable(&st);
    size_t n = 99;
    CHECK_OK(pxc_registry_codec_count(reg, &n));
    CHECK(n == 0);
    /* wrong struct_size / abi_version / missing fields / bad capability: refused, no destroy */
    vt.struct_size = 8;
    CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("struct_size");
    vt = rawc_vtable(&st);
    vt.abi_version = 2;
    CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("abi_version");
    vt = rawc_vtable(&st);
    vt.probe = NULL;
    CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("vtable->probe");
    vt = rawc_vtable(&st);
    vt.name = NULL;
    CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_NULL_ARGUMENT);
    {
        pxc_capability badcap = {PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, PXC_FIDELITY_NONE};
        vt = rawc_vtable(&st);
        vt.encode_capabilities = &badcap;
        vt.encode_capability_count = 1;
        CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_MSG_CONTAINS("encode_capabilities[0]");
    }
    vt = rawc_vtable(&st);
    CHECK_OK(pxc_registry_register_codec(reg, &vt));
    /* the same name twice: refused, the second user_data is not destroyed */
    vt = rawc_vtable(&st2);
    CHECK_STATUS(pxc_registry_register_codec(reg, &vt), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("already registered");
    CHECK(st.destroyed == 0 && st2.destroyed == 0);
    /* unregister calls destroy exactly once */
    CHECK_OK(pxc_registry_unregister(reg, "rawc"));
    CHECK(st.destroyed == 1);
    CHECK_STATUS(pxc_registry_unregister(reg, "rawc"), PXC_STATUS_UNKNOWN_FORMAT);
    /* freeing the registry destroys what it holds */
    vt = rawc_vtable(&st2);
    CHECK_OK(pxc_registry_register_codec(reg, &vt));
    CHECK(st2.destroyed == 0);
    pxc_registry_free(reg);
    CHECK(st.destroyed == 1 && st2.destroyed == 1);
    /* the default registry is borrowed: freeing it is a no-op */
    pxc_registry_free(pxc_registry_default());
    CHECK(pxc_registry_default() != NULL);
    CHECK(pxc_registry_default() == pxc_registry_default());
}

#ifdef PXC_TESTING
static void test_panic(void) {
    pxc_registry *reg = pxc_registry_new(false);
    pxc_image *img = NULL;
    pxc_bytes out = {0};
    uint8_t g[4] = {1, 2, 3, 4};
    pxc_image_view v;
    int i;
    CHECK_OK(pxc_testing_register_panicking_codec(reg));
    for (i = 0; i < 3; i++) { /* again and again: the process goes on */
        CHECK_STATUS(pxc_decode(reg, (const uint8_t *)"PXCPANIC....", 12, NULL, &img), PXC_STATUS_PANIC);
        CHECK_MSG_CONTAINS("deliberate panic");
        CHECK(img == NULL);
    }
    v.data = g; v.stride = 0; v.width = 2; v.height = 2; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U8;
    CHECK_STATUS(pxc_encode(reg, &v, "panic", NULL, &out, NULL), PXC_STATUS_PANIC);
    CHECK_MSG_CONTAINS("Encoder::encode");
    CHECK(out.data == NULL);
    pxc_registry_free(reg);
}
#endif

int main(void) {
    rawc_state st = {0};
    pxc_registry *reg = pxc_registry_new(true);
    pxc_codec_vtable vt = rawc_vtable(&st);
    pxc_codec_vtable lv = lossyc_vtable();
    snprintf(g_dir, sizeof g_dir, "/tmp/pxc-test-api-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    CHECK(reg != NULL);
    CHECK_OK(pxc_registry_register_codec(reg, &vt));
    CHECK_OK(pxc_registry_register_codec(reg, &lv));
    test_version();
    test_status_values();
    test_last_error_copy();
    test_registry_queries(reg);
    test_rawc_roundtrips(reg);
    test_decode_into(reg);
    test_bad_input(reg);
    test_exactness(reg);
    test_reusable_buffer(reg);
    test_streams(reg);
    test_files(reg);
    test_builtins();
    test_codec_lifecycle();
#ifdef PXC_TESTING
    test_panic();
#else
    printf("skipping panic test: built without PXC_TESTING\n");
#endif
    pxc_registry_free(reg);
    CHECK(st.destroyed == 1);
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        CHECK(system(cmd) == 0);
    }
    return finish("test_api");
}
