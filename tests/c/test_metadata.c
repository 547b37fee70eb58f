/* Metadata over the C ABI (issue 16 item 6): a pxc_metadata built in C and written into a PNG
 * comes back from pxc_probe_metadata byte for byte (ICC, EXIF, XMP), with its orientation,
 * resolution and text entries; converting PNG -> TIFF -> JPEG -> npy through the C API keeps
 * what each format holds and lists every other item in pxc_last_encode_dropped_*; the policy
 * (STRICT, STRIP) and the edits work; NULL, out-of-range indexes, too-small buffers and bad
 * values give their statuses; a corrupt EXIF block is an unreadable note. Animation timing
 * (frame delay and disposal, loop count): set, read, removed, refused when bad, dropped by
 * PNG, kept by GIF, and read from the GIF and WebP files of tests/data/animation. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* tests/data, absolute (ffi/ffi.mk passes it: the tests run from the build directory). */
#ifndef PXC_TEST_DATA_DIR
#define PXC_TEST_DATA_DIR "tests/data"
#endif

#define W 24
#define H 16
#define ICC_LEN 3000
#define EXIF_LEN 76

static uint8_t g_pixels[W * H * 3];
static uint8_t g_icc[ICC_LEN];
static uint8_t g_exif[EXIF_LEN];
static const char g_xmp[] =
    "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></x:xmpmeta><?xpacket end=\"w\"?>";

static int native_le(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static void put16(uint8_t *p, uint16_t v, int le) {
    if (le) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
    else { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
}

static void put32(uint8_t *p, uint32_t v, int le) {
    if (le) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
    else { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }
}

static void entry(uint8_t *p, uint16_t tag, uint16_t type, uint32_t count, int le) {
    put16(p, tag, le);
    put16(p + 2, type, le);
    put32(p + 4, count, le);
}

/* An EXIF block in the native byte order, shaped as TIFF stores one (IFD0 holds only the
 * orientation and the EXIF IFD pointer), so PNG, TIFF and JPEG all keep it byte for byte:
 * IFD0 at 8: Orientation 6, ExifIFD -> 38; EXIF IFD at 38: ExposureTime 1/250 (RATIONAL at 68),
 * ISOSpeedRatings 200 (SHORT, inline). */
static void make_exif(void) {
    int le = native_le();
    uint8_t *b = g_exif;
    memset(b, 0, EXIF_LEN);
    memcpy(b, le ? "II*\0" : "MM\0*", 4);
    put32(b + 4, 8, le);
    put16(b + 8, 2, le);
    entry(b + 10, 0x0112, 3, 1, le);
    put16(b + 18, 6, le);
    entry(b + 22, 0x8769, 4, 1, le);
    put32(b + 30, 38, le);
    put32(b + 34, 0, le);
    put16(b + 38, 2, le);
    entry(b + 40, 0x829A, 5, 1, le);
    put32(b + 48, 68, le);
    entry(b + 52, 0x8827, 3, 1, le);
    put16(b + 60, 200, le);
    put32(b + 64, 0, le);
    put32(b + 68, 1, le);
    put32(b + 72, 250, le);
}

static void make_icc(void) {
    size_t i;
    for (i = 0; i < ICC_LEN; i++) g_icc[i] = (uint8_t)(i * 7 % 251);
    g_icc[0] = 0; g_icc[1] = 0; g_icc[2] = (uint8_t)(ICC_LEN >> 8); g_icc[3] = (uint8_t)ICC_LEN;
    memcpy(g_icc + 36, "acsp", 4);
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

/* The full metadata of this test, built in C. */
static pxc_metadata *build(void) {
    pxc_metadata *m = pxc_metadata_new();
    CHECK(m != NULL);
    CHECK_OK(pxc_metadata_set_icc_profile(m, g_icc, ICC_LEN));
    CHECK_OK(pxc_metadata_set_exif(m, g_exif, EXIF_LEN));
    CHECK_OK(pxc_metadata_set_orientation(m, 6));
    CHECK_OK(pxc_metadata_set_xmp(m, (const uint8_t *)g_xmp, strlen(g_xmp)));
    CHECK_OK(pxc_metadata_set_resolution(m, 100.0, 50.0, PXC_RESOLUTION_UNIT_CENTIMETER));
    CHECK_OK(pxc_metadata_add_text(m, "Software", "pixcodec C test", NULL));
    CHECK_OK(pxc_metadata_add_text(m, "Title", "caf\xc3\xa9 \xe7\x8c\xab", "fr"));
    return m;
}

/* Checks one byte item against the expected bytes through the two-phase copy. */
static void check_bytes(pxc_status (*get)(const pxc_metadata *, uint8_t *, size_t, size_t *), const pxc_metadata *m,
                        const uint8_t *want, size_t want_len, const char *what) {
    size_t len = 12345;
    uint8_t *buf;
    CHECK_STATUS(get(m, NULL, 0, &len), want_len ? PXC_STATUS_BUFFER_TOO_SMALL : PXC_STATUS_OK);
    if (len != want_len) {
        fprintf(stderr, "%s: %zu bytes, expected %zu\n", what, len, want_len);
        g_failures++;
        return;
    }
    buf = malloc(len + 1);
    CHECK_OK(get(m, buf, len, &len));
    if (memcmp(buf, want, want_len) != 0) {
        fprintf(stderr, "%s: bytes differ\n", what);
        g_failures++;
    }
    free(buf);
}

/* Text entry `i`'s keyword, value and language into the caller's buffers (256 bytes each). */
static void text_at(const pxc_metadata *m, size_t i, char *kw, char *val, char *lang) {
    size_t needed = 0;
    CHECK_OK(pxc_metadata_text_keyword(m, i, kw, 256, &needed));
    CHECK(needed == strlen(kw) + 1);
    CHECK_OK(pxc_metadata_text_value(m, i, val, 256, NULL));
    CHECK_OK(pxc_metadata_text_language(m, i, lang, 256, NULL));
}

static void check_resolution(const pxc_metadata *m, double x, double y, uint32_t unit) {
    double gx = -1, gy = -1;
    uint32_t gu = 99;
    CHECK_OK(pxc_metadata_resolution(m, &gx, &gy, &gu));
    if (gx != x || gy != y || gu != unit) {
        fprintf(stderr, "resolution %g x %g unit %u, expected %g x %g unit %u\n", gx, gy, gu, x, y, unit);
        g_failures++;
    }
}

/* ICC, EXIF and XMP byte for byte and the orientation. */
static void check_byte_items(const pxc_metadata *m, const char *where) {
    uint16_t o = 0;
    (void)where;
    check_bytes(pxc_metadata_icc_profile, m, g_icc, ICC_LEN, "icc");
    check_bytes(pxc_metadata_exif, m, g_exif, EXIF_LEN, "exif");
    check_bytes(pxc_metadata_xmp, m, (const uint8_t *)g_xmp, strlen(g_xmp), "xmp");
    CHECK_OK(pxc_metadata_orientation(m, &o));
    CHECK(o == 6);
}

/* The dropped list of the last encode on this thread equals `items` (NULL-terminated); every
 * reason contains `reason` (when not NULL). */
static void check_dropped(const char *const *items, const char *reason) {
    size_t n = 99, want = 0, i;
    char buf[512];
    while (items[want]) want++;
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    if (n != want) {
        fprintf(stderr, "dropped %zu items, expected %zu\n", n, want);
        g_failures++;
    }
    for (i = 0; i < n && i < want; i++) {
        size_t needed = 0;
        CHECK_OK(pxc_last_encode_dropped_item(i, buf, sizeof buf, &needed));
        if (strcmp(buf, items[i]) != 0) {
            fprintf(stderr, "dropped item %zu is \"%s\", expected \"%s\"\n", i, buf, items[i]);
            g_failures++;
        }
        CHECK(needed == strlen(items[i]) + 1);
        CHECK_OK(pxc_last_encode_dropped_reason(i, buf, sizeof buf, NULL));
        if (reason && !strstr(buf, reason)) {
            fprintf(stderr, "dropped reason %zu \"%s\" lacks \"%s\"\n", i, buf, reason);
            g_failures++;
        }
    }
}

/* Encodes the test pixels with `m` (may be NULL) to `target`; returns the bytes. */
static pxc_bytes encode_with(const pxc_image_view *v, const char *target, const pxc_metadata *m, uint32_t policy,
                             pxc_status expected) {
    pxc_bytes out;
    pxc_encode_options *o = pxc_encode_options_new();
    memset(&out, 0, sizeof out);
    CHECK_OK(pxc_encode_options_set_metadata(o, m));
    CHECK_OK(pxc_encode_options_set_metadata_policy(o, policy));
    CHECK_STATUS(pxc_encode(NULL, v, target, o, &out, NULL), expected);
    pxc_encode_options_free(o);
    return out;
}

static pxc_metadata *probe(const pxc_bytes *b) {
    pxc_metadata *m = NULL;
    CHECK_OK(pxc_probe_metadata(NULL, b->data, b->len, NULL, &m));
    CHECK(m != NULL);
    return m;
}

static void test_png_round_trip_and_conversions(void) {
    static const char *const none[] = {NULL};
    static const char *const tiff_drops[] = {"text 'Title'", NULL};
    static const char *const jpeg_drops[] = {"text 'Software'", NULL};
    static const char *const npy_drops[] = {"icc_profile", "exif", "orientation", "xmp", "resolution", NULL};
    char kw[256], val[256], lang[256];
    size_t n = 0;
    bool has = false;
    pxc_image_view v = rgb_view();
    pxc_metadata *src = build(), *m, *mt, *mj, *mn;
    pxc_bytes png, tiff, jpeg, npy;
    pxc_image *img = NULL;

    png = encode_with(&v, "png", src, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(none, NULL);
    m = probe(&png);
    check_byte_items(m, "png");
    /* pHYs holds pixels per metre: 100 x 50 per cm is 10000 x 5000 per m. */
    check_resolution(m, 10000.0, 5000.0, PXC_RESOLUTION_UNIT_METER);
    CHECK_OK(pxc_metadata_text_count(m, &n));
    CHECK(n == 2);
    text_at(m, 0, kw, val, lang);
    CHECK(strcmp(kw, "Software") == 0 && strcmp(val, "pixcodec C test") == 0 && lang[0] == 0);
    text_at(m, 1, kw, val, lang);
    CHECK(strcmp(kw, "Title") == 0 && strcmp(val, "caf\xc3\xa9 \xe7\x8c\xab") == 0 && strcmp(lang, "fr") == 0);
    CHECK_OK(pxc_metadata_unreadable_count(m, &n));
    CHECK(n == 0);
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_TEXT, &has));
    CHECK(has);

    /* PNG -> TIFF: the decoded pixels with the probed metadata; TIFF has no tag for Title. */
    CHECK_OK(pxc_decode(NULL, png.data, png.len, NULL, &img));
    CHECK_OK(pxc_image_view_of(img, &v));
    tiff = encode_with(&v, "tiff", m, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(tiff_drops, "tiff has no tag for this keyword");
    mt = probe(&tiff);
    check_byte_items(mt, "tiff");
    check_resolution(mt, 100.0, 50.0, PXC_RESOLUTION_UNIT_CENTIMETER);
    CHECK_OK(pxc_metadata_text_count(mt, &n));
    CHECK(n == 1);
    text_at(mt, 0, kw, val, lang);
    CHECK(strcmp(kw, "Software") == 0 && strcmp(val, "pixcodec C test") == 0);
    pxc_image_free(img);

    /* TIFF -> JPEG: JPEG holds no text. */
    img = NULL;
    CHECK_OK(pxc_decode(NULL, tiff.data, tiff.len, NULL, &img));
    CHECK_OK(pxc_image_view_of(img, &v));
    jpeg = encode_with(&v, "jpeg", mt, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(jpeg_drops, NULL);
    mj = probe(&jpeg);
    check_byte_items(mj, "jpeg");
    check_resolution(mj, 100.0, 50.0, PXC_RESOLUTION_UNIT_CENTIMETER);
    CHECK_OK(pxc_metadata_has(mj, PXC_METADATA_ITEM_TEXT, &has));
    CHECK(!has);
    pxc_image_free(img);

    /* JPEG -> npy: every item is named. */
    img = NULL;
    CHECK_OK(pxc_decode(NULL, jpeg.data, jpeg.len, NULL, &img));
    CHECK_OK(pxc_image_view_of(img, &v));
    npy = encode_with(&v, "npy", mj, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(npy_drops, "npy cannot store metadata");
    mn = probe(&npy);
    CHECK_OK(pxc_metadata_has(mn, PXC_METADATA_ITEM_ICC_PROFILE, &has));
    CHECK(!has);

    /* STRICT refuses before writing, naming the items; the list is then empty. */
    {
        pxc_bytes none_out = encode_with(&v, "npy", mj, PXC_METADATA_POLICY_STRICT, PXC_STATUS_NOT_EXACT);
        CHECK(none_out.data == NULL);
        CHECK_MSG_CONTAINS("icc_profile: npy cannot store metadata");
        CHECK_MSG_CONTAINS("Use pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_KEEP) to write "
                           "what fits, or pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_STRIP)");
        CHECK(strstr(last_error(), "MetadataPolicy::") == NULL);
        CHECK_OK(pxc_last_encode_dropped_count(&n));
        CHECK(n == 0);
    }
    /* STRIP writes nothing and lists nothing. */
    {
        pxc_bytes stripped = encode_with(&v, "png", src, PXC_METADATA_POLICY_STRIP, PXC_STATUS_OK);
        pxc_metadata *ms = probe(&stripped);
        check_dropped(none, NULL);
        CHECK_OK(pxc_metadata_has(ms, PXC_METADATA_ITEM_ICC_PROFILE, &has));
        CHECK(!has);
        CHECK_OK(pxc_metadata_has(ms, PXC_METADATA_ITEM_EXIF, &has));
        CHECK(!has);
        pxc_metadata_free(ms);
        pxc_bytes_free(&stripped);
    }
    /* A later encode without metadata empties the list; so does one that fails. */
    pxc_bytes_free(&npy);
    npy = encode_with(&v, "npy", mj, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 5);
    CHECK_STATUS(pxc_encode(NULL, NULL, "npy", NULL, &png, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 0);

    pxc_image_free(img);
    pxc_metadata_free(src);
    pxc_metadata_free(m);
    pxc_metadata_free(mt);
    pxc_metadata_free(mj);
    pxc_metadata_free(mn);
    pxc_bytes_free(&png);
    pxc_bytes_free(&tiff);
    pxc_bytes_free(&jpeg);
    pxc_bytes_free(&npy);
}

static void test_file_probe_and_encode_paths(void) {
    char dir[64], path[128];
    pxc_image_view v = rgb_view();
    pxc_metadata *src = build(), *m = NULL;
    pxc_encode_options *o = pxc_encode_options_new();
    pxc_buffer *buf = pxc_buffer_new(0);
    size_t n = 0;
    snprintf(dir, sizeof dir, "/tmp/pxc-metadata-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        g_failures++;
        return;
    }
    snprintf(path, sizeof path, "%s/meta.tif", dir);
    CHECK_OK(pxc_encode_options_set_metadata(o, src));
    /* Later edits of the handle do not change the options' copy. */
    CHECK_OK(pxc_metadata_remove(src, PXC_METADATA_ITEM_ICC_PROFILE));
    CHECK_OK(pxc_encode_to_file(NULL, &v, path, NULL, o, NULL));
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 1); /* text 'Title' */
    CHECK_OK(pxc_probe_metadata_file(NULL, path, NULL, &m));
    if (m) {
        check_byte_items(m, "tiff file");
        pxc_metadata_free(m);
    }
    m = NULL;
    CHECK_STATUS(pxc_probe_metadata_file(NULL, "/nonexistent/x.png", NULL, &m), PXC_STATUS_IO);
    CHECK(m == NULL);
    /* The reusable buffer path records its list as well. */
    CHECK_OK(pxc_encode_to_buffer(NULL, &v, "jpeg", o, buf, NULL));
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 2); /* both text entries */
    /* NULL metadata clears it from the options. */
    CHECK_OK(pxc_encode_options_set_metadata(o, NULL));
    CHECK_OK(pxc_encode_to_buffer(NULL, &v, "npy", o, buf, NULL));
    CHECK_OK(pxc_last_encode_dropped_count(&n));
    CHECK(n == 0);
    remove(path);
    rmdir(dir);
    pxc_buffer_free(buf);
    pxc_encode_options_free(o);
    pxc_metadata_free(src);
}

static void test_edits_and_errors(void) {
    pxc_metadata *m = build();
    char small[4], buf[64];
    uint8_t bytes[8];
    size_t n = 0, needed = 0;
    bool has = true;
    uint16_t o = 9;
    static const uint8_t bad_exif[8] = {'I', 'I', 42, 0, 0xA0, 0x0F, 0, 0}; /* IFD0 at 4000 */

    /* Too small: the size is reported, nothing written. */
    memset(small, 'x', sizeof small);
    CHECK_STATUS(pxc_metadata_text_keyword(m, 0, small, sizeof small, &needed), PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == 9 && small[0] == 'x');
    CHECK_MSG_CONTAINS("the keyword (with its NUL) needs 9 bytes, the buffer has 4");
    CHECK_STATUS(pxc_metadata_icc_profile(m, bytes, sizeof bytes, &n), PXC_STATUS_BUFFER_TOO_SMALL);
    CHECK(n == ICC_LEN);
    CHECK_MSG_CONTAINS("the ICC profile needs 3000 bytes, the buffer has 8");
    CHECK_STATUS(pxc_metadata_icc_profile(m, NULL, ICC_LEN, &n), PXC_STATUS_NULL_ARGUMENT);
    /* Out of range. */
    CHECK_STATUS(pxc_metadata_text_value(m, 2, buf, sizeof buf, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("text entry 2 does not exist (2 entries)");
    CHECK_STATUS(pxc_metadata_unreadable(m, 0, buf, sizeof buf, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_remove_text(m, 5), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_last_encode_dropped_item(0, buf, sizeof buf, NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("dropped item 0 does not exist (0 listed)");
    CHECK_STATUS(pxc_last_encode_dropped_reason(3, buf, sizeof buf, NULL), PXC_STATUS_INVALID_ARGUMENT);
    /* NULL. */
    CHECK_STATUS(pxc_metadata_has(NULL, PXC_METADATA_ITEM_EXIF, &has), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("argument 'metadata' must not be NULL");
    CHECK_STATUS(pxc_metadata_has(m, PXC_METADATA_ITEM_EXIF, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_text_count(NULL, &n), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_set_icc_profile(m, NULL, 4), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_add_text(m, NULL, "v", NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_resolution(m, NULL, NULL, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_probe_metadata(NULL, NULL, 0, NULL, &m), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_encode_options_set_metadata(NULL, m), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_last_encode_dropped_count(NULL), PXC_STATUS_NULL_ARGUMENT);
    pxc_metadata_free(NULL);
    /* Bad values. */
    CHECK_STATUS(pxc_metadata_has(m, 10, &has), PXC_STATUS_INVALID_ARGUMENT); /* 9 is TIFF_TAGS */
    CHECK_MSG_CONTAINS("metadata item 10 is not a pxc_metadata_item value (0 = ICC_PROFILE .. 9 = TIFF_TAGS)");
    CHECK_STATUS(pxc_metadata_remove(m, 10), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_set_orientation(m, 9), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("orientation 9 is not an EXIF orientation (1..=8)");
    CHECK_STATUS(pxc_metadata_set_resolution(m, 0.0, 72.0, PXC_RESOLUTION_UNIT_INCH), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_set_resolution(m, 72.0, 72.0, 4), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_set_exif(m, bad_exif, sizeof bad_exif), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("the EXIF block is not valid: IFD0 offset 4000 is outside the 8-byte block");
    CHECK_STATUS(pxc_metadata_add_text(m, "", "v", NULL), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(pxc_metadata_add_text(m, "K", "\xff", NULL), PXC_STATUS_INVALID_ARGUMENT);
    {
        pxc_encode_options *opts = pxc_encode_options_new();
        CHECK_STATUS(pxc_encode_options_set_metadata_policy(opts, 3), PXC_STATUS_INVALID_ARGUMENT);
        CHECK_MSG_CONTAINS("metadata policy 3 is not a pxc_metadata_policy value");
        pxc_encode_options_free(opts);
    }
    /* The failed edits changed nothing. */
    check_byte_items(m, "after failed edits");
    CHECK_OK(pxc_metadata_text_count(m, &n));
    CHECK(n == 2);
    /* Single-item edits. */
    CHECK_OK(pxc_metadata_remove_text(m, 0));
    CHECK_OK(pxc_metadata_text_keyword(m, 0, buf, sizeof buf, NULL));
    CHECK(strcmp(buf, "Title") == 0);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_ORIENTATION));
    CHECK_OK(pxc_metadata_orientation(m, &o));
    CHECK(o == 0);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_RESOLUTION));
    check_resolution(m, 0.0, 0.0, PXC_RESOLUTION_UNIT_NONE);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_TEXT));
    CHECK_OK(pxc_metadata_text_count(m, &n));
    CHECK(n == 0);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_TEXT)); /* absent: fine */
    /* An empty item is present, 0 bytes long. */
    CHECK_OK(pxc_metadata_set_xmp(m, NULL, 0));
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_XMP, &has));
    CHECK(has);
    CHECK_OK(pxc_metadata_xmp(m, NULL, 0, &n));
    CHECK(n == 0);
    pxc_metadata_free(m);
}

/* A JPEG whose EXIF IFD0 offset points outside the block: the probe succeeds, the EXIF is an
 * unreadable note, the pixels still decode. */
static void test_unreadable(void) {
    pxc_image_view v = rgb_view();
    pxc_metadata *m = pxc_metadata_new(), *got = NULL;
    pxc_bytes j;
    pxc_image *img = NULL;
    size_t i, n = 0, needed = 0;
    char note[256];
    bool has = true;
    CHECK_OK(pxc_metadata_set_exif(m, g_exif, EXIF_LEN));
    j = encode_with(&v, "jpeg", m, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    for (i = 0; i + 6 <= j.len; i++) {
        if (memcmp(j.data + i, "Exif\0\0", 6) == 0) break;
    }
    CHECK(i + 6 + EXIF_LEN <= j.len);
    if (i + 6 + EXIF_LEN <= j.len) {
        put32(j.data + i + 6 + 4, 4000, native_le());
        CHECK_OK(pxc_probe_metadata(NULL, j.data, j.len, NULL, &got));
        CHECK_OK(pxc_metadata_has(got, PXC_METADATA_ITEM_EXIF, &has));
        CHECK(!has);
        CHECK_OK(pxc_metadata_unreadable_count(got, &n));
        CHECK(n == 1);
        CHECK_OK(pxc_metadata_unreadable(got, 0, note, sizeof note, &needed));
        CHECK(strcmp(note, "exif: IFD0 offset 4000 is outside the 76-byte block") == 0);
        CHECK(needed == strlen(note) + 1);
        CHECK_OK(pxc_decode(NULL, j.data, j.len, NULL, &img));
        CHECK(img && pxc_image_width(img) == W);
    }
    pxc_image_free(img);
    pxc_metadata_free(got);
    pxc_metadata_free(m);
    pxc_bytes_free(&j);
}

static void check_timing(const pxc_metadata *m, uint32_t delay_ms, uint32_t disposal) {
    uint32_t d = 99, disp = 99;
    CHECK_OK(pxc_metadata_frame_timing(m, &d, &disp));
    if (d != delay_ms || disp != disposal) {
        fprintf(stderr, "frame timing %u ms disposal %u, expected %u ms disposal %u\n", (unsigned)d, (unsigned)disp,
                (unsigned)delay_ms, (unsigned)disposal);
        g_failures++;
    }
}

static void check_loop_count(const pxc_metadata *m, bool present, uint32_t plays) {
    bool has = !present;
    uint32_t n = 99;
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_LOOP_COUNT, &has));
    CHECK(has == present);
    CHECK_OK(pxc_metadata_loop_count(m, &n));
    if (n != plays) {
        fprintf(stderr, "loop count %u, expected %u\n", (unsigned)n, (unsigned)plays);
        g_failures++;
    }
}

/* Frame timing and loop count: edits, statuses, PNG dropping them, GIF keeping them. */
static void test_timing_edits(void) {
    static const char *const png_drops[] = {"frame timing", "loop count", NULL};
    static const char *const none[] = {NULL};
    pxc_metadata *m = pxc_metadata_new(), *got = NULL;
    bool has = true;
    uint32_t u = 0;
    uint8_t rgba[8 * 4 * 4];
    pxc_image_view v;
    pxc_bytes out;
    /* Not present: OK with 0 ms / KEEP and 0 plays; pxc_metadata_has says none. */
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_FRAME_TIMING, &has));
    CHECK(!has);
    check_timing(m, 0, PXC_DISPOSAL_KEEP);
    check_loop_count(m, false, 0);
    /* Set and read back. */
    CHECK_OK(pxc_metadata_set_frame_timing(m, 250, PXC_DISPOSAL_BACKGROUND));
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_FRAME_TIMING, &has));
    CHECK(has);
    check_timing(m, 250, PXC_DISPOSAL_BACKGROUND);
    CHECK_OK(pxc_metadata_set_frame_timing(m, 0, PXC_DISPOSAL_PREVIOUS));
    check_timing(m, 0, PXC_DISPOSAL_PREVIOUS);
    CHECK_OK(pxc_metadata_set_frame_timing(m, UINT32_MAX, PXC_DISPOSAL_KEEP));
    check_timing(m, UINT32_MAX, PXC_DISPOSAL_KEEP);
    CHECK_OK(pxc_metadata_set_loop_count(m, 0)); /* forever: present, 0 */
    check_loop_count(m, true, 0);
    CHECK_OK(pxc_metadata_set_loop_count(m, 4));
    check_loop_count(m, true, 4);
    /* A bad disposal is refused and changes nothing. */
    CHECK_STATUS(pxc_metadata_set_frame_timing(m, 10, 3), PXC_STATUS_INVALID_ARGUMENT);
    CHECK_MSG_CONTAINS("disposal 3 is not a pxc_disposal value (0 = KEEP .. 2 = PREVIOUS)");
    CHECK_STATUS(pxc_metadata_set_frame_timing(m, 10, UINT32_MAX), PXC_STATUS_INVALID_ARGUMENT);
    check_timing(m, UINT32_MAX, PXC_DISPOSAL_KEEP);
    /* NULL. */
    CHECK_STATUS(pxc_metadata_frame_timing(NULL, &u, &u), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("argument 'metadata' must not be NULL");
    CHECK_STATUS(pxc_metadata_frame_timing(m, NULL, &u), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("argument 'out_delay_ms' must not be NULL");
    CHECK_STATUS(pxc_metadata_frame_timing(m, &u, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("argument 'out_disposal' must not be NULL");
    CHECK_STATUS(pxc_metadata_set_frame_timing(NULL, 10, PXC_DISPOSAL_KEEP), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_loop_count(NULL, &u), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_metadata_loop_count(m, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_MSG_CONTAINS("argument 'out_plays' must not be NULL");
    CHECK_STATUS(pxc_metadata_set_loop_count(NULL, 1), PXC_STATUS_NULL_ARGUMENT);

    /* PNG stores still images: both items are listed as dropped. */
    CHECK_OK(pxc_metadata_set_frame_timing(m, 100, PXC_DISPOSAL_PREVIOUS));
    fill_pattern(rgba, sizeof rgba, 5);
    memset(&v, 0, sizeof v);
    v.data = rgba;
    v.width = 8;
    v.height = 4;
    v.layout = PXC_LAYOUT_RGBA;
    v.sample = PXC_SAMPLE_U8;
    out = encode_with(&v, "png", m, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(png_drops, "png stores still images");
    pxc_bytes_free(&out);
    out = encode_with(&v, "png", m, PXC_METADATA_POLICY_STRICT, PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("frame timing");
    pxc_bytes_free(&out);
    /* GIF writes both (100 ms is whole hundredths; 4 plays is 3 NETSCAPE2.0 repeats). */
    out = encode_with(&v, "gif", m, PXC_METADATA_POLICY_KEEP, PXC_STATUS_OK);
    check_dropped(none, NULL);
    if (out.data) {
        got = probe(&out);
        if (got) {
            check_timing(got, 100, PXC_DISPOSAL_PREVIOUS);
            check_loop_count(got, true, 4);
            pxc_metadata_free(got);
        }
    }
    pxc_bytes_free(&out);

    /* Removing: absent again, and removing an absent item is no error. */
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_FRAME_TIMING));
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_FRAME_TIMING, &has));
    CHECK(!has);
    check_timing(m, 0, PXC_DISPOSAL_KEEP);
    check_loop_count(m, true, 4); /* the other item stays */
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_LOOP_COUNT));
    check_loop_count(m, false, 0);
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_LOOP_COUNT));
    CHECK_OK(pxc_metadata_remove(m, PXC_METADATA_ITEM_FRAME_TIMING));
    pxc_metadata_free(m);
}

/* The first page's timing and the loop count of real files (tests/data/animation/expected.json):
 * loop3.gif frame 0 100 ms keep, loop_count 4 (NETSCAPE2.0 repeats 3); once.gif frame 0 40 ms
 * background and no loop count; twice.webp frame 0 120 ms keep, loop_count 2. Their pages
 * decode too. */
static void test_timing_files(void) {
    static const struct {
        const char *file;
        size_t pages;
        uint32_t delay_ms, disposal;
        bool has_loop;
        uint32_t plays;
    } files[] = {
        {"loop3.gif", 3, 100, PXC_DISPOSAL_KEEP, true, 4},
        {"once.gif", 2, 40, PXC_DISPOSAL_BACKGROUND, false, 0},
        {"twice.webp", 3, 120, PXC_DISPOSAL_KEEP, true, 2},
    };
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        pxc_metadata *m = NULL;
        pxc_image_list *pages = NULL;
        bool has = false;
        snprintf(path, sizeof path, "%s/animation/%s", PXC_TEST_DATA_DIR, files[i].file);
        CHECK_OK(pxc_probe_metadata_file(NULL, path, NULL, &m));
        if (!m) {
            fprintf(stderr, "  (reading %s)\n", path);
            continue;
        }
        CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_FRAME_TIMING, &has));
        CHECK(has);
        check_timing(m, files[i].delay_ms, files[i].disposal);
        check_loop_count(m, files[i].has_loop, files[i].plays);
        pxc_metadata_free(m);
        CHECK_OK(pxc_decode_pages_file(NULL, path, NULL, &pages));
        if (pages) {
            CHECK(pxc_image_list_len(pages) == files[i].pages);
            pxc_image_list_free(pages);
        }
    }
}

int main(void) {
    fill_pattern(g_pixels, sizeof g_pixels, 16);
    make_icc();
    make_exif();
    test_png_round_trip_and_conversions();
    test_file_probe_and_encode_paths();
    test_edits_and_errors();
    test_unreadable();
    test_timing_edits();
    test_timing_files();
    return finish("test_metadata");
}
