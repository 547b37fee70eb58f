/* Convert an image file to another format, keeping the samples exactly:
 *   convert_file IN OUT        e.g. convert_file scan.png scan.tif
 * With no arguments it makes a sample PNG in a temporary folder and converts it to TIFF. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pixcodec.h"

static int fail(const char *what, pxc_status st) {
    char msg[512];
    pxc_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "%s failed: %s: %s\n", what, pxc_status_str((int)st), msg);
    return 1;
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/pxc-convert-XXXXXX", in[256], out[256];
    pxc_image *img = NULL, *back = NULL;
    pxc_image_view v;
    pxc_encode_options *opts;
    pxc_encode_report rep;
    pxc_status st;
    int same, made = 0;
    if (argc == 3) {
        snprintf(in, sizeof in, "%s", argv[1]);
        snprintf(out, sizeof out, "%s", argv[2]);
    } else {
        uint8_t px[20 * 10 * 4];
        size_t i;
        if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
        made = 1;
        for (i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 7);
        v.data = px; v.stride = 0; v.width = 20; v.height = 10; v.layout = PXC_LAYOUT_RGBA; v.sample = PXC_SAMPLE_U8;
        snprintf(in, sizeof in, "%s/sample.png", dir);
        snprintf(out, sizeof out, "%s/sample.tif", dir);
        if ((st = pxc_encode_to_file(NULL, &v, in, NULL, NULL, NULL)) != PXC_STATUS_OK) return fail("writing sample", st);
    }
    if ((st = pxc_decode_file(NULL, in, NULL, &img)) != PXC_STATUS_OK) return fail("reading input", st);
    if ((st = pxc_image_view_of(img, &v)) != PXC_STATUS_OK) return fail("view", st);
    opts = pxc_encode_options_new();
    pxc_encode_options_set_require_exact(opts, true); /* refuse to lose anything */
    st = pxc_encode_to_file(NULL, &v, out, NULL, opts, &rep); /* format from the extension, atomic write */
    pxc_encode_options_free(opts);
    if (st != PXC_STATUS_OK) { pxc_image_free(img); return fail("writing output", st); }
    if ((st = pxc_decode_file(NULL, out, NULL, &back)) != PXC_STATUS_OK) return fail("reading output", st);
    same = pxc_image_size(back) == pxc_image_size(img) &&
           memcmp(pxc_image_data(back), pxc_image_data(img), pxc_image_size(img)) == 0;
    printf("%s -> %s (%s, %llu bytes, %s): pixels %s\n", in, out, rep.codec, (unsigned long long)rep.bytes_written,
           rep.exact ? "exact" : "lossy", same ? "identical" : "DIFFERENT");
    pxc_image_free(img);
    pxc_image_free(back);
    if (made) { unlink(in); unlink(out); rmdir(dir); }
    return same ? 0 : 1;
}
