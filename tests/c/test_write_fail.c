/* Failure modes of writes through the C ABI: a write callback that fails after N bytes,
 * a destination below a regular file, an encode refused over an existing file, and a
 * read-only folder (when not running as root). Each must return a non-OK status with a
 * message, leave any existing destination byte-identical and leave no temporary file. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "testutil.h"

typedef struct {
    size_t limit;   /* fail once more than this many bytes would have been written */
    size_t written;
} failing_sink;

static int failing_write(void *user_data, const uint8_t *data, size_t len) {
    failing_sink *s = (failing_sink *)user_data;
    (void)data;
    if (s->written + len > s->limit) return 1;
    s->written += len;
    return 0;
}

static int counting_write(void *user_data, const uint8_t *data, size_t len) {
    (void)data;
    *(size_t *)user_data += len;
    return 0;
}

static void write_text(const char *path, const char *content) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(content, f);
    fclose(f);
}

static void test_failing_callback(const char *target, uint32_t layout, uint32_t sample) {
    enum { W = 23, H = 11 };
    static uint8_t px[W * H * 4 * 2];
    pxc_image_view v;
    size_t total = 0, n, step;
    pxc_encode_report rep;
    fill_pattern(px, sizeof px, 7);
    v.data = px;
    v.stride = 0;
    v.width = W;
    v.height = H;
    v.layout = layout;
    v.sample = sample;
    CHECK_OK(pxc_encode_to_callback(NULL, &v, target, NULL, counting_write, &total, &rep));
    CHECK(total > 0 && rep.bytes_written == total);
    step = total / 40 + 1;
    for (n = 0; n < total; n += step) {
        failing_sink s;
        pxc_status st;
        s.limit = n;
        s.written = 0;
        st = pxc_encode_to_callback(NULL, &v, target, NULL, failing_write, &s, &rep);
        if (st == PXC_STATUS_OK) {
            fprintf(stderr, "%s: encode reported success although the sink failed after %zu of %zu bytes\n",
                    target, n, total);
            g_failures++;
        } else {
            CHECK(st == PXC_STATUS_IO);
            CHECK(strlen(last_error()) > 0);
        }
    }
}

static void test_file_failures(const char *dir) {
    char blocker[512], below[600], keep[512];
    uint8_t rgb[4 * 4 * 3];
    float gray[4 * 4];
    pxc_image_view v, fv;
    size_t before;
    memset(rgb, 9, sizeof rgb);
    memset(gray, 0, sizeof gray);
    v.data = rgb;
    v.stride = 0;
    v.width = 4;
    v.height = 4;
    v.layout = PXC_LAYOUT_RGB;
    v.sample = PXC_SAMPLE_U8;
    fv = v;
    fv.data = gray;
    fv.layout = PXC_LAYOUT_GRAY;
    fv.sample = PXC_SAMPLE_F32;

    /* A destination below a regular file cannot be created. */
    snprintf(blocker, sizeof blocker, "%s/blocker.txt", dir);
    write_text(blocker, "plain file");
    snprintf(below, sizeof below, "%s/out.png", blocker);
    before = count_entries(dir);
    CHECK(pxc_encode_to_file(NULL, &v, below, NULL, NULL, NULL) == PXC_STATUS_IO);
    CHECK(strlen(last_error()) > 0);
    CHECK(file_equals(blocker, "plain file"));
    CHECK(count_entries(dir) == before);

    /* A refused encode over an existing file leaves it byte-identical, no temp file. */
    snprintf(keep, sizeof keep, "%s/keep.png", dir);
    write_text(keep, "precious bytes");
    before = count_entries(dir);
    CHECK_STATUS(pxc_encode_to_file(NULL, &fv, keep, NULL, NULL, NULL), PXC_STATUS_NOT_EXACT);
    CHECK_MSG_CONTAINS("Gray F32");
    CHECK(file_equals(keep, "precious bytes"));
    CHECK(count_entries(dir) == before);

    /* A read-only folder (permissions are not enforced for root: then skipped). */
    if (geteuid() != 0) {
        char ro[512], dst[600];
        snprintf(ro, sizeof ro, "%s/readonly", dir);
        CHECK(mkdir(ro, 0755) == 0);
        snprintf(dst, sizeof dst, "%s/out.png", ro);
        CHECK(chmod(ro, 0555) == 0);
        CHECK(pxc_encode_to_file(NULL, &v, dst, NULL, NULL, NULL) == PXC_STATUS_IO);
        CHECK(count_entries(ro) == 0);
        CHECK(chmod(ro, 0755) == 0);
        rmdir(ro);
    } else {
        printf("read-only folder case skipped: running as root, permissions are not enforced\n");
    }
    unlink(blocker);
    unlink(keep);
}

int main(void) {
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/pxc-write-fail-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_failing_callback("png", PXC_LAYOUT_RGBA, PXC_SAMPLE_U16);
    test_failing_callback("jpeg", PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    test_failing_callback("tiff", PXC_LAYOUT_GRAY_ALPHA, PXC_SAMPLE_F32);
    test_failing_callback("npy", PXC_LAYOUT_RGB, PXC_SAMPLE_I16);
    test_file_failures(dir);
    rmdir(dir);
    return finish("test_write_fail");
}
