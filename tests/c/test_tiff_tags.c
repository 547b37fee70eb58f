/* TIFF tags carried as stored over the C ABI (pxc_metadata_tiff_tag*): a GeoTIFF-like set
 * (33550 ModelPixelScale DOUBLE x3, 33922 ModelTiepoint DOUBLE x6, 34737 GeoAsciiParams ASCII)
 * built in C is counted, read back by index byte for byte, replaced in place by tag number and
 * kept in ascending tag order; bad lengths, pointer/unknown field types, NULLs and indexes out
 * of range give their statuses and messages and leave the list as it was; the TIFF_TAGS item
 * works with pxc_metadata_has/_remove. Encoded to TIFF (in memory under STRICT, and to a
 * file) the tags come back from pxc_probe_metadata* byte for byte with nothing dropped; encoded to PNG each is listed as "tiff tag N", and STRICT refuses. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define W 8
#define H 6

static uint8_t g_pixels[W * H * 3];

/* The tags of this test: values in the machine's byte order, as the ABI takes them. */
static uint8_t g_scale[3 * 8];    /* 33550 ModelPixelScale: 0.5, 0.5, 0.0 */
static uint8_t g_scale2[3 * 8];   /* the replacement: 30.0, 30.0, 0.0 */
static uint8_t g_tiepoint[6 * 8]; /* 33922 ModelTiepoint: 0, 0, 0, 440720, 3751320, 0 */
static const char g_ascii[] = "WGS 84|"; /* 34737 GeoAsciiParams, NUL included (8 bytes) */

static void put_doubles(uint8_t *out, const double *v, size_t n) {
    memcpy(out, v, n * sizeof(double));
}

static void make_values(void) {
    const double scale[3] = {0.5, 0.5, 0.0};
    const double scale2[3] = {30.0, 30.0, 0.0};
    const double tie[6] = {0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0};
    put_doubles(g_scale, scale, 3);
    put_doubles(g_scale2, scale2, 3);
    put_doubles(g_tiepoint, tie, 6);
}

static pxc_image_view rgb_view(void) {
    pxc_image_view v;
    v.data = g_pixels;
    v.stride = 0;
    v.width = W;
    v.height = H;
    v.layout = PXC_LAYOUT_RGB;
    v.sample = PXC_SAMPLE_U8;
    return v;
}

static size_t tag_count(const pxc_metadata *m) {
    size_t n = 99;
    CHECK_OK(pxc_metadata_tiff_tag_count(m, &n));
    return n;
}

/* Checks tag `index` of `m` against the expected number, type, count and bytes. */
static void check_tag(const pxc_metadata *m, size_t index, uint16_t tag, uint16_t type, uint64_t count,
                      const void *value, size_t len, const char *where) {
    uint16_t t = 0, ft = 0;
    uint64_t c = 0;
    const uint8_t *p = NULL;
    size_t l = 99;
    pxc_status st = pxc_metadata_tiff_tag(m, index, &t, &ft, &c, &p, &l);
    if (st != PXC_STATUS_OK) {
        fprintf(stderr, "%s: tiff tag %zu: status %d: %s\n", where, index, (int)st, last_error());
        g_failures++;
        return;
    }
    if (t != tag || ft != type || c != count || l != len || p == NULL || (len && memcmp(p, value, len) != 0)) {
        fprintf(stderr, "%s: tiff tag %zu is %u type %u count %llu (%zu bytes), expected %u type %u count %llu (%zu bytes)%s\n",
                where, index, (unsigned)t, (unsigned)ft, (unsigned long long)c, l, (unsigned)tag, (unsigned)type,
                (unsigned long long)count, len, (p && l == len && len && memcmp(p, value, len) != 0) ? " with other bytes" : "");
        g_failures++;
    }
}

/* The three GeoTIFF-like tags, added out of order (34737 before 33922). */
static pxc_metadata *build(void) {
    pxc_metadata *m = pxc_metadata_new();
    CHECK(m != NULL);
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 33550, 12, 3, g_scale, sizeof g_scale));
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 34737, 2, sizeof g_ascii, (const uint8_t *)g_ascii, sizeof g_ascii));
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 33922, 12, 6, g_tiepoint, sizeof g_tiepoint));
    return m;
}

static void check_all(const pxc_metadata *m, const char *where) {
    size_t n = tag_count(m);
    if (n != 3) {
        fprintf(stderr, "%s: %zu tiff tags, expected 3\n", where, n);
        g_failures++;
        return;
    }
    check_tag(m, 0, 33550, 12, 3, g_scale, sizeof g_scale, where);
    check_tag(m, 1, 33922, 12, 6, g_tiepoint, sizeof g_tiepoint, where);
    check_tag(m, 2, 34737, 2, sizeof g_ascii, g_ascii, sizeof g_ascii, where);
}

static void test_edits_and_errors(void) {
    pxc_metadata *m = pxc_metadata_new();
    bool has = true;
    uint16_t t = 0, ft = 0;
    uint64_t c = 0;
    const uint8_t *p = NULL;
    size_t l = 0;
    CHECK(tag_count(m) == 0);
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_TIFF_TAGS, &has));
    CHECK(!has);
    CHECK_STATUS(pxc_metadata_tiff_tag(m, 0, &t, &ft, &c, &p, &l), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("tiff tag 0 does not exist (0 tags)");
    pxc_metadata_free(m);

    m = build();
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_TIFF_TAGS, &has));
    CHECK(has);
    check_all(m, "built");
    /* Same number: replaced in place, not appended. */
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 33550, 12, 3, g_scale2, sizeof g_scale2));
    CHECK(tag_count(m) == 3);
    check_tag(m, 0, 33550, 12, 3, g_scale2, sizeof g_scale2, "replaced");
    check_tag(m, 1, 33922, 12, 6, g_tiepoint, sizeof g_tiepoint, "replaced");
    /* A smaller number goes first; an empty UNDEFINED value (NULL, 0) is a value. */
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 700 + 32000, 7, 0, NULL, 0));
    CHECK(tag_count(m) == 4);
    check_tag(m, 0, 32700, 7, 0, NULL, 0, "empty");
    check_tag(m, 1, 33550, 12, 3, g_scale2, sizeof g_scale2, "after insert");
    check_tag(m, 3, 34737, 2, sizeof g_ascii, g_ascii, sizeof g_ascii, "after insert");

    /* Refusals leave the list as it was. */
    CHECK_STATUS(pxc_metadata_add_tiff_tag(m, 33550, 12, 3, g_scale, 23), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("tiff tag 33550: 23 bytes are not 3 values of type 12 (8 bytes each)");
    CHECK_STATUS(pxc_metadata_add_tiff_tag(m, 34735, 13, 1, g_scale, 4), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("tiff tag 34735: field type 13 is not a value type pixcodec carries");
    CHECK_STATUS(pxc_metadata_add_tiff_tag(m, 34735, 0, 1, g_scale, 1), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_add_tiff_tag(m, 34735, 3, UINT64_MAX, g_scale, 2), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_add_tiff_tag(m, 34735, 3, 4, NULL, 8), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_add_tiff_tag(NULL, 34735, 3, 0, NULL, 0), PXC_STATUS_NULL_ARGUMENT);
    CHECK(tag_count(m) == 4);
    check_tag(m, 1, 33550, 12, 3, g_scale2, sizeof g_scale2, "after refusals");

    CHECK_STATUS(pxc_metadata_tiff_tag(m, 4, &t, &ft, &c, &p, &l), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("tiff tag 4 does not exist (4 tags)");
    CHECK_STATUS(pxc_metadata_tiff_tag(m, 0, &t, &ft, &c, NULL, &l), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_tiff_tag(m, 0, NULL, &ft, &c, &p, &l), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_tiff_tag(NULL, 0, &t, &ft, &c, &p, &l), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_tiff_tag_count(m, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_tiff_tag_count(NULL, &l), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_clear_tiff_tags(NULL), PXC_STATUS_NULL_ARGUMENT);

    /* The item: removed through pxc_metadata_remove, cleared by its own call. */
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_TIFF_TAGS));
    CHECK(tag_count(m) == 0);
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_TIFF_TAGS, &has));
    CHECK(!has);
    CHECK_OK(pxc_metadata_add_tiff_tag(m, 33550, 12, 3, g_scale, sizeof g_scale));
    CHECK(tag_count(m) == 1);
    CHECK_OK(pxc_metadata_clear_tiff_tags(m));
    CHECK_OK(pxc_metadata_clear_tiff_tags(m));
    CHECK(tag_count(m) == 0);
    pxc_metadata_free(m);
}

static pxc_bytes encode_with(const char *target, const pxc_metadata *m, uint32_t policy, pxc_status expected) {
    pxc_bytes out;
    pxc_image_view v = rgb_view();
    pxc_encode_options *o = pxc_encode_options_new();
    memset(&out, 0, sizeof out);
    CHECK_OK(pxc_encode_options_set_metadata(o, m));
    CHECK_OK(pxc_encode_options_set_metadata_policy(o, policy));
    CHECK_STATUS(pxc_encode(NULL, &v, target, o, &out, NULL), expected);
    pxc_encode_options_free(o);
    return out;
}

static size_t dropped_count(void) {
    size_t n = 99;
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    return n;
}

static void test_tiff_round_trip(void) {
    pxc_metadata *m = build();
    pxc_metadata *back = NULL;
    pxc_bytes tif = encode_with("tiff", m, PXC_METADATA_POLICY_STRICT, PXC_STATUS_OK);
    CHECK(tif.len > 8);
    CHECK(dropped_count() == 0);
    if (tif.len) {
        CHECK_OK(pxc_probe_metadata(NULL, tif.data, tif.len, NULL, &back));
        if (back) {
            check_all(back, "tiff from memory");
            pxc_metadata_free(back);
            back = NULL;
        }
    }
    pxc_bytes_free(&tif);

    /* Through a file: written by pxc_encode_to_file, read by pxc_probe_metadata_file. */
    {
        char dir[64], path[128];
        pxc_encode_options *o = pxc_encode_options_new();
        pxc_image_view v = rgb_view();
        snprintf(dir, sizeof dir, "/tmp/pxc-tiff-tags-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            g_failures++;
        } else {
            snprintf(path, sizeof path, "%s/geo.tif", dir);
            CHECK_OK(pxc_encode_options_set_metadata(o, m));
            CHECK_OK(pxc_encode_to_file(NULL, &v, path, NULL, o, NULL));
            CHECK_OK(pxc_probe_metadata_file(NULL, path, NULL, &back));
            if (back) {
                check_all(back, "tiff file");
                pxc_metadata_free(back);
            }
            unlink(path);
            rmdir(dir);
        }
        pxc_encode_options_free(o);
    }
    pxc_metadata_free(m);
}

static void test_png_drops(void) {
    static const char *const want[] = {"tiff tag 33550", "tiff tag 33922", "tiff tag 34737"};
    pxc_metadata *m = build();
    pxc_metadata *back = NULL;
    char buf[256];
    size_t i, n;
    pxc_bytes png = encode_with("png", m, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    n = dropped_count();
    CHECK(n == 3);
    for (i = 0; i < n && i < 3; i++) {
        CHECK_OK(pxc_last_encode_dropped_item(i, buf, sizeof buf, NULL));
        if (strcmp(buf, want[i]) != 0) {
            fprintf(stderr, "dropped item %zu is \"%s\", expected \"%s\"\n", i, buf, want[i]);
            g_failures++;
        }
        CHECK_OK(pxc_last_encode_dropped_reason(i, buf, sizeof buf, NULL));
        if (!strstr(buf, "TIFF tags")) {
            fprintf(stderr, "dropped reason %zu \"%s\" does not name TIFF tags\n", i, buf);
            g_failures++;
        }
    }
    if (png.len) {
        CHECK_OK(pxc_probe_metadata(NULL, png.data, png.len, NULL, &back));
        if (back) {
            CHECK(tag_count(back) == 0);
            pxc_metadata_free(back);
        }
    }
    pxc_bytes_free(&png);

    /* STRICT refuses before writing; the message names the tag. */
    png = encode_with("png", m, PXC_METADATA_POLICY_STRICT, PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("tiff tag 33550");
    CHECK(png.len == 0);
    pxc_bytes_free(&png);
    pxc_metadata_free(m);
}

int main(void) {
    fill_pattern(g_pixels, sizeof g_pixels, 16);
    make_values();
    test_edits_and_errors();
    test_tiff_round_trip();
    test_png_drops();
    return finish("test_tiff_tags");
}
