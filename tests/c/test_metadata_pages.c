/* Each page's own metadata from C: pxc_probe_metadata_page(_file) gives an animation frame's
 * delay and disposal for every frame of the files in tests/data/animation (expected.json:
 * loop3.gif 100/250/70 ms keep/background/previous, once.gif 40/1000 ms background/keep,
 * twice.webp 120/45/200 ms keep), page 0 equal to pxc_probe_metadata; a page past the end
 * is an invalid-argument error naming the page count; NULL arguments are refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The bytes of `path`, or NULL (reported). */
static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        g_failures++;
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = (uint8_t *)malloc((size_t)n);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "cannot read %s\n", path);
        g_failures++;
    }
    return buf;
}

static void check_frame(const pxc_metadata *m, const char *file, uint32_t page, uint32_t delay_ms,
                        uint32_t disposal) {
    uint32_t d = 99, disp = 99;
    bool has = false;
    CHECK_OK(pxc_metadata_has(m, PXC_METADATA_ITEM_FRAME_TIMING, &has));
    CHECK(has);
    CHECK_OK(pxc_metadata_frame_timing(m, &d, &disp));
    if (d != delay_ms || disp != disposal) {
        fprintf(stderr, "%s page %u: %u ms disposal %u, expected %u ms disposal %u\n", file, (unsigned)page,
                (unsigned)d, (unsigned)disp, (unsigned)delay_ms, (unsigned)disposal);
        g_failures++;
    }
}

static void test_every_frame(void) {
    static const struct {
        const char *file;
        uint32_t pages;
        uint32_t delay_ms[3], disposal[3];
    } files[] = {
        {"loop3.gif", 3, {100, 250, 70}, {PXC_DISPOSAL_KEEP, PXC_DISPOSAL_BACKGROUND, PXC_DISPOSAL_PREVIOUS}},
        {"once.gif", 2, {40, 1000, 0}, {PXC_DISPOSAL_BACKGROUND, PXC_DISPOSAL_KEEP, 0}},
        {"twice.webp", 3, {120, 45, 200}, {PXC_DISPOSAL_KEEP, PXC_DISPOSAL_KEEP, PXC_DISPOSAL_KEEP}},
    };
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        size_t len = 0;
        uint8_t *data;
        uint32_t p;
        pxc_metadata *m = NULL;
        snprintf(path, sizeof path, "%s/animation/%s", PXC_TEST_DATA_DIR, files[i].file);
        data = read_all(path, &len);
        if (!data) continue;
        for (p = 0; p < files[i].pages; p++) {
            m = NULL;
            CHECK_OK(pxc_probe_metadata_page(NULL, data, len, p, NULL, &m));
            if (m) check_frame(m, files[i].file, p, files[i].delay_ms[p], files[i].disposal[p]);
            pxc_metadata_free(m);
            m = NULL;
            CHECK_OK(pxc_probe_metadata_page_file(NULL, path, p, NULL, &m));
            if (m) check_frame(m, files[i].file, p, files[i].delay_ms[p], files[i].disposal[p]);
            pxc_metadata_free(m);
        }
        /* Page 0 is what pxc_probe_metadata reads. */
        m = NULL;
        CHECK_OK(pxc_probe_metadata(NULL, data, len, NULL, &m));
        if (m) check_frame(m, files[i].file, 0, files[i].delay_ms[0], files[i].disposal[0]);
        pxc_metadata_free(m);
        /* Past the last page: an error naming the count; nothing is written to *out. */
        m = NULL;
        CHECK_STATUS(pxc_probe_metadata_page(NULL, data, len, files[i].pages, NULL, &m),
                     PXC_STATUS_INVALID_ARGUMENT);
        CHECK(m == NULL);
        {
            char want[64];
            snprintf(want, sizeof want, "but the file has %u pages", (unsigned)files[i].pages);
            CHECK_MSG_CONTAINS(want);
        }
        free(data);
    }
}

static void test_null_arguments(void) {
    pxc_metadata *m = NULL;
    uint8_t byte = 0;
    CHECK_STATUS(pxc_probe_metadata_page(NULL, NULL, 0, 0, NULL, &m), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_probe_metadata_page(NULL, &byte, 1, 0, NULL, NULL), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_probe_metadata_page_file(NULL, NULL, 0, NULL, &m), PXC_STATUS_NULL_ARGUMENT);
    CHECK(m == NULL);
}

int main(void) {
    test_every_frame();
    test_null_arguments();
    return finish("test_metadata_pages");
}
