/* The ML loading C API: pxc_load_into / pxc_load_file_into (decode + convert + resize into
 * caller memory, exact casts, two-phase sizes, bad enum values) and the directory dataset
 * (class names, sizes, labels = folder index, seeded shuffle, validation split, label
 * modes, corrupt files failing or skipped). Fixtures are PNGs written with the C API into
 * a mkdtemp directory. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char g_dir[256];

/* A w x h RGB U8 image whose values are all different-ish (pattern). */
static void pattern_rgb(uint8_t *px, uint32_t w, uint32_t h, uint32_t seed) {
    fill_pattern(px, (size_t)w * h * 3, seed);
}

static pxc_image_view view_of(const void *data, uint32_t w, uint32_t h, uint32_t layout, uint32_t sample) {
    pxc_image_view v;
    v.data = data;
    v.stride = 0;
    v.width = w;
    v.height = h;
    v.layout = layout;
    v.sample = sample;
    return v;
}

static void encode_png(const pxc_image_view *v, pxc_bytes *out) {
    CHECK_OK(pxc_encode(NULL, v, "png", NULL, out, NULL));
}

/* No resize to U8: byte-equal with the pixels encoded and with pxc_decode. */
static void test_load_exact_u8(void) {
    enum { W = 7, H = 5 };
    uint8_t px[W * H * 3];
    uint8_t out[W * H * 3];
    pxc_image_view v;
    pxc_bytes png = {0};
    pxc_image *img = NULL;
    pxc_info info;
    size_t needed = 0;
    pattern_rgb(px, W, H, 1);
    v = view_of(px, W, H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    encode_png(&v, &png);
    CHECK_OK(pxc_load_into(NULL, png.data, png.len, NULL, out, sizeof out, 0, PXC_SAMPLE_U8, &info, &needed));
    CHECK(needed == sizeof out);
    CHECK(info.width == W && info.height == H);
    CHECK(info.layout == PXC_LAYOUT_RGB && info.sample == PXC_SAMPLE_U8);
    CHECK(strcmp(info.format, "png") == 0 && !info.lossy_source);
    CHECK(memcmp(out, px, sizeof px) == 0);
    CHECK_OK(pxc_decode(NULL, png.data, png.len, NULL, &img));
    CHECK(pxc_image_size(img) == sizeof out);
    CHECK(memcmp(pxc_image_data(img), out, sizeof out) == 0);
    pxc_image_free(img);
    pxc_bytes_free(&png);
}

/* F32 into a padded buffer: values = the 8-bit samples (never rescaled), padding untouched;
 * gray and RGBA colour modes from an RGB file. */
static void test_load_padded_f32(void) {
    enum { W = 7, H = 5, STRIDE = 100 }; /* a row of 7 RGB F32 pixels is 84 bytes */
    uint8_t px[W * H * 3];
    unsigned char buf[STRIDE * H];
    pxc_image_view v;
    pxc_bytes png = {0};
    pxc_image *img = NULL;
    const uint8_t *dec;
    pxc_info info;
    size_t needed = 0;
    size_t x, y, c;
    int ok = 1, pad_ok = 1;
    pattern_rgb(px, W, H, 2);
    v = view_of(px, W, H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    encode_png(&v, &png);
    CHECK_OK(pxc_decode(NULL, png.data, png.len, NULL, &img));
    dec = pxc_image_data(img);
    memset(buf, 0xAB, sizeof buf);
    CHECK_OK(pxc_load_into(NULL, png.data, png.len, NULL, buf, sizeof buf, STRIDE, PXC_SAMPLE_F32, &info, &needed));
    CHECK(needed == (size_t)STRIDE * (H - 1) + W * 3 * 4);
    CHECK(info.sample == PXC_SAMPLE_F32 && info.width == W && info.height == H);
    for (y = 0; y < H; y++) {
        for (x = 0; x < W * 3; x++) {
            float f;
            memcpy(&f, buf + y * STRIDE + x * 4, 4);
            if (f != (float)dec[y * W * 3 + x] || f != (float)px[y * W * 3 + x]) ok = 0;
        }
        for (x = W * 3 * 4; x < STRIDE && y + 1 < H; x++) {
            if (buf[y * STRIDE + x] != 0xAB) pad_ok = 0;
        }
    }
    CHECK(ok);
    CHECK(pad_ok);
    {
        pxc_load_options *o = pxc_load_options_new();
        uint8_t g[W * H], rgba[W * H * 4];
        int gray_ok = 1, rgba_ok = 1;
        CHECK_OK(pxc_load_options_set_color_mode(o, PXC_COLOR_MODE_GRAY));
        CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, g, sizeof g, 0, PXC_SAMPLE_U8, &info, NULL));
        CHECK(info.layout == PXC_LAYOUT_GRAY);
        for (x = 0; x < (size_t)W * H; x++) {
            /* ITU-R BT.601 luma in Pillow's fixed point (convert("L")). */
            uint32_t l = ((uint32_t)px[3 * x] * 19595u + (uint32_t)px[3 * x + 1] * 38470u +
                          (uint32_t)px[3 * x + 2] * 7471u + 0x8000u) >> 16;
            if (g[x] != l) gray_ok = 0;
        }
        CHECK(gray_ok);
        CHECK_OK(pxc_load_options_set_color_mode(o, PXC_COLOR_MODE_RGBA));
        CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, rgba, sizeof rgba, 0, PXC_SAMPLE_U8, &info, NULL));
        CHECK(info.layout == PXC_LAYOUT_RGBA);
        for (x = 0; x < (size_t)W * H; x++) {
            for (c = 0; c < 3; c++) {
                if (rgba[4 * x + c] != px[3 * x + c]) rgba_ok = 0;
            }
            if (rgba[4 * x + 3] != 255) rgba_ok = 0;
        }
        CHECK(rgba_ok);
        pxc_load_options_free(o);
    }
    pxc_image_free(img);
    pxc_bytes_free(&png);
}

/* A constant image stays constant under every filter, fit and antialias setting; padding
 * (PAD_TO_ASPECT_RATIO) is zero. U8 exactly, F32 within float rounding. */
static void test_resize_constant(void) {
    enum { W = 40, H = 30, TH = 9, TW = 13 };
    static const uint8_t rgb[3] = {17, 200, 99};
    uint8_t px[W * H * 3];
    uint8_t out8[TW * TH * 3];
    float outf[TW * TH * 3];
    pxc_image_view v;
    pxc_bytes png = {0};
    pxc_load_options *o = pxc_load_options_new();
    uint32_t interp, fit;
    int aa;
    size_t i;
    for (i = 0; i < sizeof px; i++) px[i] = rgb[i % 3];
    v = view_of(px, W, H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    encode_png(&v, &png);
    CHECK_OK(pxc_load_options_set_target_size(o, TH, TW));
    for (interp = PXC_INTERPOLATION_NEAREST; interp <= PXC_INTERPOLATION_HAMMING; interp++) {
        for (fit = PXC_FIT_STRETCH; fit <= PXC_FIT_PAD_TO_ASPECT_RATIO; fit++) {
            for (aa = 0; aa < 2; aa++) {
                pxc_info info;
                int ok8 = 1, okf = 1;
                size_t content = 0;
                CHECK_OK(pxc_load_options_set_interpolation(o, interp));
                CHECK_OK(pxc_load_options_set_fit(o, fit));
                CHECK_OK(pxc_load_options_set_antialias(o, aa != 0));
                CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, out8, sizeof out8, 0, PXC_SAMPLE_U8, &info,
                                       NULL));
                CHECK(info.width == TW && info.height == TH);
                CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, outf, sizeof outf, 0, PXC_SAMPLE_F32, NULL,
                                       NULL));
                for (i = 0; i < (size_t)TW * TH; i++) {
                    int zero = out8[3 * i] == 0 && out8[3 * i + 1] == 0 && out8[3 * i + 2] == 0;
                    int is_const = out8[3 * i] == rgb[0] && out8[3 * i + 1] == rgb[1] && out8[3 * i + 2] == rgb[2];
                    int fzero = outf[3 * i] == 0.0f && outf[3 * i + 1] == 0.0f && outf[3 * i + 2] == 0.0f;
                    int fconst = fabsf(outf[3 * i] - rgb[0]) < 1e-3f && fabsf(outf[3 * i + 1] - rgb[1]) < 1e-3f &&
                                 fabsf(outf[3 * i + 2] - rgb[2]) < 1e-3f;
                    if (fit == PXC_FIT_PAD_TO_ASPECT_RATIO) {
                        if (!is_const && !zero) ok8 = 0;
                        if (!fconst && !fzero) okf = 0;
                        content += (size_t)is_const;
                    } else {
                        if (!is_const) ok8 = 0;
                        if (!fconst) okf = 0;
                    }
                }
                if (!ok8 || !okf) {
                    fprintf(stderr, "constant not kept: interpolation %u fit %u antialias %d\n", interp, fit, aa);
                }
                CHECK(ok8);
                CHECK(okf);
                if (fit == PXC_FIT_PAD_TO_ASPECT_RATIO) {
                    /* 40x30 into 13x9: scale min(13/40, 9/30) = 0.3 -> 12x9 content, 1 zero column. */
                    CHECK(content == 12 * 9);
                }
            }
        }
    }
    pxc_load_options_free(o);
    pxc_bytes_free(&png);
}

/* Two-phase sizes, exact casts from 16-bit data, files, limits, bad values. */
static void test_load_two_phase_and_errors(void) {
    enum { W = 6, H = 4 };
    uint16_t px[W * H];
    uint8_t small8[W * H];
    uint16_t out16[W * H];
    float outf[3 * 5 * 1];
    pxc_image_view v;
    pxc_bytes png = {0};
    pxc_load_options *o = pxc_load_options_new();
    pxc_limits *lim = pxc_limits_new();
    pxc_info info;
    size_t needed = 0, i;
    char path[300];
    int ok = 1;
    for (i = 0; i < W * H; i++) px[i] = (uint16_t)(1000 + 7 * i);
    v = view_of(px, W, H, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16);
    encode_png(&v, &png);
    CHECK_OK(pxc_load_options_set_color_mode(o, PXC_COLOR_MODE_GRAY));

    /* phase 1: no buffer; size and facts reported */
    memset(&info, 0, sizeof info);
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, NULL, 0, 0, PXC_SAMPLE_U16, &info, &needed),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == sizeof out16);
    CHECK(info.width == W && info.height == H && info.sample == PXC_SAMPLE_U16 && info.layout == PXC_LAYOUT_GRAY);
    needed = 0;
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, out16, sizeof out16 - 1, 0, PXC_SAMPLE_U16, NULL,
                               &needed),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == sizeof out16);
    CHECK_MSG_CONTAINS("needs 48 bytes");
    CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, out16, sizeof out16, 0, PXC_SAMPLE_U16, NULL, NULL));
    CHECK(memcmp(out16, px, sizeof px) == 0);

    /* narrowing is never implicit: 16-bit values into U8 fail naming the value */
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, small8, sizeof small8, 0, PXC_SAMPLE_U8, NULL, NULL),
                 PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("1000");

    /* resize to 3 rows x 5 columns in F32 with a known size */
    CHECK_OK(pxc_load_options_set_target_size(o, 3, 5));
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, NULL, 0, 0, PXC_SAMPLE_F32, &info, &needed),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == sizeof outf && info.width == 5 && info.height == 3);
    CHECK_OK(pxc_load_into(NULL, png.data, png.len, o, outf, sizeof outf, 0, PXC_SAMPLE_F32, NULL, NULL));
    for (i = 0; i < 15; i++) {
        if (!(outf[i] >= 1000.0f && outf[i] <= 1000.0f + 7 * (W * H - 1))) ok = 0;
    }
    CHECK(ok);

    /* bad enum values and sizes */
    CHECK_STATUS(pxc_load_options_set_color_mode(o, 3), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_color_mode");
    CHECK_STATUS(pxc_load_options_set_interpolation(o, 6), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_interpolation");
    CHECK_STATUS(pxc_load_options_set_fit(o, 4), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_fit");
    CHECK_STATUS(pxc_load_options_set_target_size(o, 0, 5), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, outf, sizeof outf, 0, 11, NULL, NULL),
                 PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_sample");
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, outf, sizeof outf, 3, PXC_SAMPLE_F32, NULL, NULL),
                 PXC_STATUS_INVALID_ARGUMENT); /* stride shorter than a row */
    CHECK_STATUS(pxc_load_into(NULL, (const uint8_t *)"junk", 4, o, outf, sizeof outf, 0, PXC_SAMPLE_F32, NULL,
                               NULL),
                 PXC_STATUS_UNKNOWN_FORMAT);

    /* limits */
    CHECK_OK(pxc_limits_set_max_width(lim, 5));
    CHECK_OK(pxc_load_options_set_limits(o, lim));
    CHECK_STATUS(pxc_load_into(NULL, png.data, png.len, o, outf, sizeof outf, 0, PXC_SAMPLE_F32, NULL, NULL),
                 PXC_STATUS_LIMITS);
    CHECK_OK(pxc_load_options_set_limits(o, NULL));

    /* files */
    snprintf(path, sizeof path, "%s/gray16.png", g_dir);
    CHECK_OK(pxc_encode_to_file(NULL, &v, path, NULL, NULL, NULL));
    CHECK_OK(pxc_load_options_set_target_size(o, 0, 0));
    CHECK_OK(pxc_load_file_into(NULL, path, o, out16, sizeof out16, 0, PXC_SAMPLE_U16, &info, &needed));
    CHECK(memcmp(out16, px, sizeof px) == 0 && needed == sizeof out16);
    CHECK_STATUS(pxc_load_file_into(NULL, path, o, small8, sizeof small8, 0, PXC_SAMPLE_U8, NULL, NULL),
                 PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("gray16.png");
    snprintf(path, sizeof path, "%s/missing.png", g_dir);
    CHECK_STATUS(pxc_load_file_into(NULL, path, o, out16, sizeof out16, 0, PXC_SAMPLE_U16, NULL, NULL),
                 PXC_STATUS_IO);
    CHECK_MSG_CONTAINS("missing.png");

    pxc_limits_free(lim);
    pxc_load_options_free(o);
    pxc_bytes_free(&png);
}

/* ---- datasets ---- */

#define DS_W 6
#define DS_H 4
static const char *const k_classes[3] = {"a", "b", "c"};
static const int k_files[3] = {3, 2, 4}; /* 9 files */

static uint8_t file_value(int cls, int k) { return (uint8_t)(50 * cls + 10 * k + 5); }

static void make_dataset(const char *root) {
    int cls, k;
    char path[400];
    uint8_t px[DS_W * DS_H * 3];
    pxc_image_view v = view_of(px, DS_W, DS_H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    CHECK(mkdir(root, 0700) == 0);
    for (cls = 0; cls < 3; cls++) {
        snprintf(path, sizeof path, "%s/%s", root, k_classes[cls]);
        CHECK(mkdir(path, 0700) == 0);
        for (k = 0; k < k_files[cls]; k++) {
            memset(px, file_value(cls, k), sizeof px);
            snprintf(path, sizeof path, "%s/%s/img%d.png", root, k_classes[cls], k);
            CHECK_OK(pxc_encode_to_file(NULL, &v, path, NULL, NULL, NULL));
        }
    }
    /* not an image extension: ignored */
    snprintf(path, sizeof path, "%s/a/notes.txt", root);
    {
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
            fputs("not an image", f);
            fclose(f);
        }
    }
}

/* Class index and file number from a path ".../<class>/img<k>.png"; -1 when unknown. */
static int parse_path(const char *p, int *k) {
    const char *slash = strrchr(p, '/');
    int cls;
    if (!slash || slash - p < 2 || slash[-2] != '/') return -1;
    cls = slash[-1] - 'a';
    if (cls < 0 || cls > 2 || strncmp(slash + 1, "img", 3) != 0) return -1;
    *k = slash[4] - '0';
    return cls;
}

static char *path_of(const pxc_dataset *ds, size_t i) {
    size_t needed = 0;
    char *s;
    CHECK_STATUS(pxc_dataset_file_path(ds, i, NULL, 0, &needed), PXC_STATUS_BUFFER_TOO_SMALL);
    s = malloc(needed);
    CHECK_OK(pxc_dataset_file_path(ds, i, s, needed, NULL));
    return s;
}

/* The file order of a dataset as (class * 10 + k) codes. */
static void file_codes(const pxc_dataset *ds, int *codes, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char *p = path_of(ds, i);
        int k = 0, cls = parse_path(p, &k);
        int32_t label = -1;
        CHECK(cls >= 0);
        if (pxc_dataset_file_label(ds, i, &label) == PXC_STATUS_OK) CHECK(label == cls);
        codes[i] = cls * 10 + k;
        free(p);
    }
}

/* Fills every batch and checks images (constant per file) and INT labels (= folder). */
static void check_batches(const pxc_dataset *ds, size_t batch_size, size_t expect_len) {
    size_t nb = 0, b, seen = 0;
    size_t h = 0, w = 0, c = 0, per = 0;
    uint32_t sample = 0, lsample = 0;
    float *images;
    int32_t *labels;
    CHECK_OK(pxc_dataset_num_batches(ds, &nb));
    CHECK(nb == (expect_len + batch_size - 1) / batch_size);
    CHECK_OK(pxc_dataset_image_shape(ds, &h, &w, &c, &sample));
    CHECK(h == 3 && w == 5 && c == 3 && sample == PXC_SAMPLE_F32);
    CHECK_OK(pxc_dataset_label_shape(ds, &per, &lsample));
    CHECK(per == 1 && lsample == PXC_SAMPLE_I32);
    images = malloc(batch_size * h * w * c * sizeof(float));
    labels = malloc(batch_size * sizeof(int32_t));
    for (b = 0; b < nb; b++) {
        size_t count = 0, ni = 0, nl = 0, i, j;
        CHECK_OK(pxc_dataset_fill_batch(ds, b, images, batch_size * h * w * c * sizeof(float), labels,
                                        batch_size * sizeof(int32_t), &count, &ni, &nl));
        CHECK(count == (b + 1 < nb ? batch_size : expect_len - b * batch_size));
        CHECK(ni == count * h * w * c * sizeof(float) && nl == count * sizeof(int32_t));
        for (i = 0; i < count; i++) {
            char *p = path_of(ds, seen + i);
            int k = 0, cls = parse_path(p, &k);
            int ok = 1;
            CHECK(labels[i] == cls);
            for (j = 0; j < h * w * c; j++) {
                if (images[i * h * w * c + j] != (float)file_value(cls, k)) ok = 0;
            }
            CHECK(ok);
            free(p);
        }
        seen += count;
    }
    CHECK(seen == expect_len);
    free(images);
    free(labels);
}

static pxc_dataset_options *base_options(void) {
    pxc_dataset_options *o = pxc_dataset_options_new();
    CHECK_OK(pxc_dataset_options_set_image_size(o, 3, 5));
    CHECK_OK(pxc_dataset_options_set_batch_size(o, 4));
    CHECK_OK(pxc_dataset_options_set_shuffle(o, false));
    return o;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void test_dataset(const char *root) {
    pxc_dataset_options *o = base_options();
    pxc_dataset *ds = NULL, *ds2 = NULL, *tr = NULL, *va = NULL;
    size_t n = 0, nc = 0, needed = 0, i, count = 0, ni = 0, nl = 0;
    char name[8], summary[128];
    int plain[9], shuffled[9], again[9], sorted_plain[9];
    float images[4 * 3 * 5 * 3];
    int32_t labels[4];

    CHECK_OK(pxc_dataset_open(root, o, &ds));
    CHECK_OK(pxc_dataset_len(ds, &n));
    CHECK(n == 9);
    CHECK_OK(pxc_dataset_class_count(ds, &nc));
    CHECK(nc == 3);
    for (i = 0; i < 3; i++) {
        CHECK_OK(pxc_dataset_class_name(ds, i, name, sizeof name, &needed));
        CHECK(strcmp(name, k_classes[i]) == 0 && needed == 2);
    }
    CHECK_STATUS(pxc_dataset_class_name(ds, 0, name, 1, &needed), PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == 2);
    CHECK_STATUS(pxc_dataset_class_name(ds, 3, name, sizeof name, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_OK(pxc_dataset_summary(ds, summary, sizeof summary, &needed));
    CHECK(strcmp(summary, "Found 9 files belonging to 3 classes.") == 0 && needed == strlen(summary) + 1);
    file_codes(ds, plain, 9);
    {
        /* shuffle off: classes in order, files sorted */
        static const int expect[9] = {0, 1, 2, 10, 11, 20, 21, 22, 23};
        CHECK(memcmp(plain, expect, sizeof expect) == 0);
    }
    check_batches(ds, 4, 9);

    /* two-phase fill, short label buffer, batch out of range */
    CHECK_STATUS(pxc_dataset_fill_batch(ds, 0, NULL, 0, NULL, 0, &count, &ni, &nl), PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(ni == sizeof images && nl == sizeof labels);
    CHECK_STATUS(pxc_dataset_fill_batch(ds, 2, NULL, 0, NULL, 0, &count, &ni, &nl), PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(ni == sizeof images / 4 && nl == sizeof labels / 4); /* the last batch holds 1 file */
    CHECK_STATUS(pxc_dataset_fill_batch(ds, 0, images, sizeof images, labels, 3, &count, NULL, NULL),
                 PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK_MSG_CONTAINS("16 bytes of labels");
    CHECK_STATUS(pxc_dataset_fill_batch(ds, 3, images, sizeof images, labels, sizeof labels, &count, NULL, NULL),
                 PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("3 batches");
    pxc_dataset_free(ds);
    ds = NULL;

    /* seeded shuffle: a permutation, reproducible, labels still = folder */
    CHECK_OK(pxc_dataset_options_set_shuffle(o, true));
    CHECK_OK(pxc_dataset_options_set_seed(o, 1337));
    CHECK_OK(pxc_dataset_open(root, o, &ds));
    CHECK_OK(pxc_dataset_open(root, o, &ds2));
    file_codes(ds, shuffled, 9);
    file_codes(ds2, again, 9);
    CHECK(memcmp(shuffled, again, sizeof again) == 0);
    CHECK(memcmp(shuffled, plain, sizeof plain) != 0);
    memcpy(sorted_plain, shuffled, sizeof shuffled);
    qsort(sorted_plain, 9, sizeof(int), cmp_int);
    CHECK(memcmp(sorted_plain, plain, sizeof plain) == 0);
    check_batches(ds, 4, 9);
    pxc_dataset_free(ds);
    pxc_dataset_free(ds2);
    ds = ds2 = NULL;

    /* validation split 0.34 of 9: int(3.06) = 3 for validation, after the shuffle */
    CHECK_OK(pxc_dataset_options_set_validation_split(o, 0.34, PXC_SUBSET_TRAINING));
    CHECK_OK(pxc_dataset_open(root, o, &tr));
    CHECK_OK(pxc_dataset_options_set_validation_split(o, 0.34, PXC_SUBSET_VALIDATION));
    CHECK_OK(pxc_dataset_open(root, o, &va));
    CHECK_OK(pxc_dataset_len(tr, &n));
    CHECK(n == 6);
    CHECK_OK(pxc_dataset_len(va, &n));
    CHECK(n == 3);
    file_codes(tr, plain, 6);
    file_codes(va, plain + 6, 3);
    CHECK(memcmp(plain, shuffled, sizeof plain) == 0); /* training = first 6, validation = last 3 */
    CHECK_OK(pxc_dataset_summary(tr, summary, sizeof summary, NULL));
    CHECK(strcmp(summary, "Found 9 files belonging to 3 classes.\nUsing 6 files for training.") == 0);
    check_batches(va, 4, 3);
    pxc_dataset_free(tr);
    pxc_dataset_free(va);
    tr = va = NULL;
    CHECK_STATUS(pxc_dataset_open(root, o, &ds), PXC_STATUS_OK);
    pxc_dataset_free(ds);
    ds = NULL;
    CHECK_OK(pxc_dataset_options_set_validation_split(o, 0.34, PXC_SUBSET_BOTH));
    CHECK_STATUS(pxc_dataset_open(root, o, &ds), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_dataset_open_both");
    CHECK(ds == NULL);
    CHECK_OK(pxc_dataset_open_both(root, o, &tr, &va));
    CHECK_OK(pxc_dataset_len(tr, &n));
    CHECK(n == 6);
    CHECK_OK(pxc_dataset_len(va, &n));
    CHECK(n == 3);
    CHECK_OK(pxc_dataset_summary(va, summary, sizeof summary, NULL));
    CHECK(strcmp(summary, "Using 3 files for validation.") == 0);
    pxc_dataset_free(tr);
    pxc_dataset_free(va);
    CHECK_STATUS(pxc_dataset_options_set_validation_split(o, 0.34, 3), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_OK(pxc_dataset_options_set_validation_split(o, 1.5, PXC_SUBSET_TRAINING));
    CHECK_STATUS(pxc_dataset_open(root, o, &ds), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("validation_split");
    CHECK_OK(pxc_dataset_options_set_validation_split(o, 0.0, 0)); /* removes the split */
    CHECK_OK(pxc_dataset_options_set_shuffle(o, false));

    /* categorical labels: one-hot rows of 3 floats */
    CHECK_OK(pxc_dataset_options_set_label_mode(o, PXC_LABEL_MODE_CATEGORICAL));
    CHECK_OK(pxc_dataset_open(root, o, &ds));
    {
        size_t per = 0;
        uint32_t ls = 0;
        float onehot[4 * 3];
        static const float expect[12] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0};
        CHECK_OK(pxc_dataset_label_shape(ds, &per, &ls));
        CHECK(per == 3 && ls == PXC_SAMPLE_F32);
        CHECK_OK(pxc_dataset_fill_batch(ds, 0, images, sizeof images, onehot, sizeof onehot, &count, NULL, &nl));
        CHECK(count == 4 && nl == sizeof onehot);
        CHECK(memcmp(onehot, expect, sizeof expect) == 0);
    }
    pxc_dataset_free(ds);
    ds = NULL;

    /* binary needs exactly two classes */
    CHECK_OK(pxc_dataset_options_set_label_mode(o, PXC_LABEL_MODE_BINARY));
    CHECK_STATUS(pxc_dataset_open(root, o, &ds), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("exactly 2");
    {
        const char *two[2] = {"c", "a"};
        float bin[4];
        static const float expect[4] = {0, 0, 0, 0}; /* c is class 0 */
        CHECK_OK(pxc_dataset_options_set_class_names(o, two, 2));
        CHECK_OK(pxc_dataset_open(root, o, &ds));
        CHECK_OK(pxc_dataset_len(ds, &n));
        CHECK(n == 7);
        CHECK_OK(pxc_dataset_class_name(ds, 0, name, sizeof name, NULL));
        CHECK(strcmp(name, "c") == 0);
        CHECK_OK(pxc_dataset_fill_batch(ds, 0, images, sizeof images, bin, sizeof bin, &count, NULL, NULL));
        CHECK(count == 4 && memcmp(bin, expect, sizeof expect) == 0);
        CHECK_OK(pxc_dataset_fill_batch(ds, 1, images, sizeof images, bin, sizeof bin, &count, NULL, NULL));
        CHECK(count == 3 && bin[0] == 1.0f && bin[1] == 1.0f && bin[2] == 1.0f);
        pxc_dataset_free(ds);
        ds = NULL;
        CHECK_OK(pxc_dataset_options_set_class_names(o, NULL, 0));
    }

    /* no labels: label buffer may be NULL; U8 batches hold the same values */
    CHECK_OK(pxc_dataset_options_set_label_mode(o, PXC_LABEL_MODE_NONE));
    CHECK_OK(pxc_dataset_options_set_dtype(o, PXC_SAMPLE_U8));
    CHECK_OK(pxc_dataset_options_set_color_mode(o, PXC_COLOR_MODE_GRAY));
    CHECK_OK(pxc_dataset_open(root, o, &ds));
    {
        size_t per = 9, h, w, c;
        uint32_t ls, s;
        uint8_t g[4 * 3 * 5];
        int ok = 1;
        int32_t lab;
        CHECK_OK(pxc_dataset_class_count(ds, &nc));
        CHECK(nc == 0);
        CHECK_OK(pxc_dataset_label_shape(ds, &per, &ls));
        CHECK(per == 0);
        CHECK_OK(pxc_dataset_image_shape(ds, &h, &w, &c, &s));
        CHECK(h == 3 && w == 5 && c == 1 && s == PXC_SAMPLE_U8);
        CHECK_STATUS(pxc_dataset_file_label(ds, 0, &lab), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_OK(pxc_dataset_fill_batch(ds, 1, g, sizeof g, NULL, 0, &count, &ni, &nl));
        CHECK(count == 4 && ni == sizeof g && nl == 0);
        /* batch 1 = b/img1, c/img0, c/img1, c/img2: gray of a gray-valued RGB is the value */
        for (i = 0; i < sizeof g; i++) {
            static const int cls[4] = {1, 2, 2, 2}, k[4] = {1, 0, 1, 2};
            if (g[i] != file_value(cls[i / 15], k[i / 15])) ok = 0;
        }
        CHECK(ok);
        CHECK_OK(pxc_dataset_summary(ds, summary, sizeof summary, NULL));
        /* labels were inferred (then not returned): Keras still counts the classes */
        CHECK(strcmp(summary, "Found 9 files belonging to 3 classes.") == 0);
    }
    pxc_dataset_free(ds);
    ds = NULL;

    /* bad enum values */
    CHECK_STATUS(pxc_dataset_options_set_label_mode(o, 4), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("pxc_label_mode");
    CHECK_STATUS(pxc_dataset_options_set_color_mode(o, 99), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_dataset_options_set_interpolation(o, 6), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_dataset_options_set_fit(o, 4), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_dataset_options_set_dtype(o, 11), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_OK(pxc_dataset_options_set_batch_size(o, 0));
    CHECK_STATUS(pxc_dataset_open(root, o, &ds), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("batch_size");
    CHECK(ds == NULL);
    {
        char missing[400];
        snprintf(missing, sizeof missing, "%s/nowhere", root);
        CHECK_STATUS(pxc_dataset_open(missing, NULL, &ds), PXC_STATUS_IO);
        CHECK_MSG_CONTAINS("nowhere");
    }
    pxc_dataset_options_free(o);
}

/* A corrupt file fails its batch naming it, or is skipped and listed with skip-errors. */
static void test_dataset_corrupt(const char *root) {
    pxc_dataset_options *o = base_options();
    pxc_dataset *ds = NULL;
    float images[4 * 3 * 5 * 3];
    int32_t labels[4];
    size_t count = 0, skipped = 9, needed = 0;
    char path[400], text[600];
    FILE *f;
    snprintf(path, sizeof path, "%s/b/img9.png", root);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("\x89PNG\r\n\x1a\n but truncated", f);
        fclose(f);
    }
    /* order: a0 a1 a2 b0 | b1 b9 c0 c1 | c2 c3 */
    CHECK_OK(pxc_dataset_open(root, o, &ds));
    CHECK_OK(pxc_dataset_fill_batch(ds, 0, images, sizeof images, labels, sizeof labels, &count, NULL, NULL));
    CHECK(count == 4);
    CHECK_STATUS(pxc_dataset_fill_batch(ds, 1, images, sizeof images, labels, sizeof labels, &count, NULL, NULL),
                 PXC_STATUS_DECODE);
    CHECK_MSG_CONTAINS("b/img9.png");
    pxc_dataset_free(ds);
    ds = NULL;

    CHECK_OK(pxc_dataset_options_set_skip_errors(o, true));
    CHECK_OK(pxc_dataset_open(root, o, &ds));
    CHECK_OK(pxc_dataset_skipped_count(ds, &skipped));
    CHECK(skipped == 0);
    CHECK_OK(pxc_dataset_fill_batch(ds, 1, images, sizeof images, labels, sizeof labels, &count, NULL, NULL));
    CHECK(count == 3);
    CHECK(labels[0] == 1 && labels[1] == 2 && labels[2] == 2);
    CHECK(images[0] == (float)file_value(1, 1) && images[45] == (float)file_value(2, 0) &&
          images[90] == (float)file_value(2, 1));
    CHECK_OK(pxc_dataset_skipped_count(ds, &skipped));
    CHECK(skipped == 1);
    CHECK_OK(pxc_dataset_skipped_path(ds, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, path) == 0 && needed == strlen(path) + 1);
    CHECK_OK(pxc_dataset_skipped_reason(ds, 0, text, sizeof text, NULL));
    CHECK(strstr(text, "b/img9.png") != NULL);
    CHECK_STATUS(pxc_dataset_skipped_path(ds, 1, text, sizeof text, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_OK(pxc_dataset_fill_batch(ds, 2, images, sizeof images, labels, sizeof labels, &count, NULL, NULL));
    CHECK(count == 2);
    CHECK_OK(pxc_dataset_skipped_count(ds, &skipped));
    CHECK(skipped == 0);
    pxc_dataset_free(ds);
    pxc_dataset_options_free(o);
}

/* The JPEG inverse DCT: pxc_load_options default ACCURATE (= pxc_decode), FAST differs; a
 * dataset of that one JPEG yields the FAST pixels by default (TensorFlow's) and the ACCURATE
 * ones when asked; a value outside pxc_dct_method is refused. */
static void test_dct_method(void) {
    enum { W = 48, H = 32, N = W * H * 3 };
    uint8_t px[N], accurate[N], fast[N];
    float batch[N];
    int32_t label = -1;
    char dir[300], path[400];
    pxc_image_view v = view_of(px, W, H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    pxc_encode_options *eo = pxc_encode_options_new();
    pxc_load_options *lo = pxc_load_options_new();
    pxc_dataset_options *dso = NULL;
    pxc_dataset *ds = NULL;
    pxc_image *img = NULL;
    pxc_bytes jpg = {0};
    size_t count = 0, i;
    int method, differ = 0;
    if (!has_codec(NULL, "jpeg-turbo")) return;
    pattern_rgb(px, W, H, 9);
    CHECK_OK(pxc_encode_options_set_quality(eo, 98));
    CHECK_OK(pxc_encode(NULL, &v, "jpeg", eo, &jpg, NULL));
    CHECK_OK(pxc_load_into(NULL, jpg.data, jpg.len, lo, accurate, N, 0, PXC_SAMPLE_U8, NULL, NULL));
    CHECK_OK(pxc_decode(NULL, jpg.data, jpg.len, NULL, &img));
    CHECK(memcmp(pxc_image_data(img), accurate, N) == 0);
    CHECK_OK(pxc_load_options_set_dct_method(lo, PXC_DCT_METHOD_FAST));
    CHECK_OK(pxc_load_options_set_limits(lo, NULL)); /* keeps the DCT method */
    CHECK_OK(pxc_load_into(NULL, jpg.data, jpg.len, lo, fast, N, 0, PXC_SAMPLE_U8, NULL, NULL));
    CHECK(memcmp(fast, accurate, N) != 0);
    CHECK_STATUS(pxc_load_options_set_dct_method(lo, 2), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("DCT method 2 is not a pxc_dct_method value");

    snprintf(dir, sizeof dir, "%s/dct", g_dir);
    CHECK(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof path, "%s/one", dir);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof path, "%s/one/x.jpg", dir);
    {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL && fwrite(jpg.data, 1, jpg.len, f) == jpg.len);
        if (f) fclose(f);
    }
    for (method = 0; method < 2; method++) {
        const uint8_t *want = method ? accurate : fast;
        dso = pxc_dataset_options_new();
        CHECK_OK(pxc_dataset_options_set_image_size(dso, H, W));
        if (method) CHECK_OK(pxc_dataset_options_set_dct_method(dso, PXC_DCT_METHOD_ACCURATE));
        CHECK_OK(pxc_dataset_open(dir, dso, &ds));
        CHECK_OK(pxc_dataset_fill_batch(ds, 0, batch, sizeof batch, &label, sizeof label, &count, NULL, NULL));
        CHECK(count == 1 && label == 0);
        for (i = 0; i < N; i++) differ += batch[i] != (float)want[i];
        pxc_dataset_free(ds);
        pxc_dataset_options_free(dso);
    }
    CHECK(differ == 0);
    pxc_image_free(img);
    pxc_bytes_free(&jpg);
    pxc_load_options_free(lo);
    pxc_encode_options_free(eo);
}

/* Shrink-on-load's tolerance: a 640x480 JPEG loaded to 80x60 with NEAREST (load_img's
 * default) is left alone at the default 40 dB (nearest never stayed within it), drafted with
 * tolerance 0 (so the pixels change); NaN is refused. */
static void test_shrink_min_psnr(void) {
    enum { W = 640, H = 480, TW = 80, TH = 60, N = TW * TH * 3 };
    static uint8_t px[W * H * 3];
    uint8_t full[N], dflt[N], drafted[N];
    pxc_image_view v = view_of(px, W, H, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    pxc_encode_options *eo = pxc_encode_options_new();
    pxc_load_options *lo = pxc_load_options_new();
    pxc_bytes jpg = {0};
    if (!has_codec(NULL, "jpeg-turbo")) return;
    pattern_rgb(px, W, H, 5);
    CHECK_OK(pxc_encode_options_set_quality(eo, 90));
    CHECK_OK(pxc_encode(NULL, &v, "jpeg", eo, &jpg, NULL));
    CHECK_OK(pxc_load_options_set_target_size(lo, TH, TW));
    CHECK_OK(pxc_load_into(NULL, jpg.data, jpg.len, lo, full, N, 0, PXC_SAMPLE_U8, NULL, NULL));
    CHECK_OK(pxc_load_options_set_shrink_on_load(lo, true));
    CHECK_OK(pxc_load_into(NULL, jpg.data, jpg.len, lo, dflt, N, 0, PXC_SAMPLE_U8, NULL, NULL));
    CHECK(memcmp(full, dflt, N) == 0);
    CHECK_OK(pxc_load_options_set_shrink_min_psnr(lo, 0.0));
    CHECK_OK(pxc_load_into(NULL, jpg.data, jpg.len, lo, drafted, N, 0, PXC_SAMPLE_U8, NULL, NULL));
    CHECK(memcmp(full, drafted, N) != 0);
    CHECK_STATUS(pxc_load_options_set_shrink_min_psnr(lo, NAN), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("tolerance is NaN");
    pxc_bytes_free(&jpg);
    pxc_load_options_free(lo);
    pxc_encode_options_free(eo);
}

int main(void) {
    char root[300];
    snprintf(g_dir, sizeof g_dir, "/tmp/pxc-test-ml-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    CHECK(has_codec(NULL, "png"));
    test_load_exact_u8();
    test_load_padded_f32();
    test_resize_constant();
    test_load_two_phase_and_errors();
    snprintf(root, sizeof root, "%s/ds", g_dir);
    make_dataset(root);
    test_dataset(root);
    test_dataset_corrupt(root);
    test_dct_method();
    test_shrink_min_psnr();
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        CHECK(system(cmd) == 0);
    }
    return finish("test_ml");
}
