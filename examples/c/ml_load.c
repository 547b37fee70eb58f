/* Keras-style loading from C: one file into a float buffer sized by a first call
 * (pxc_load_file_into), then a directory dataset whose batches and labels go into buffers
 * allocated once (pxc_dataset_fill_batch). Makes its own images in a temporary folder. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pixcodec.h"

static int fail(const char *what) {
    char msg[512];
    pxc_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "%s: %s\n", what, msg);
    return 1;
}

int main(void) {
    static const char *const classes[2] = {"cats", "dogs"};
    char dir[64] = "/tmp/pxc-ml-example-XXXXXX", path[128], summary[256], cmd[96];
    unsigned char px[48 * 32 * 3];
    pxc_image_view v = {px, 0, 48, 32, PXC_LAYOUT_RGB, PXC_SAMPLE_U8};
    pxc_load_options *lo;
    pxc_dataset_options *dso;
    pxc_dataset *ds = NULL;
    pxc_info info;
    size_t needed = 0, nb = 0, b, ni = 0, nl = 0, count = 0;
    float *pixels, *images;
    int32_t *labels;
    int c, k, rc = 0;

    if (!mkdtemp(dir)) return 1;
    for (c = 0; c < 2; c++) {
        snprintf(path, sizeof path, "%s/%s", dir, classes[c]);
        mkdir(path, 0700);
        for (k = 0; k < 5; k++) {
            memset(px, 40 * c + 10 * k, sizeof px);
            snprintf(path, sizeof path, "%s/%s/%d.png", dir, classes[c], k);
            if (pxc_encode_to_file(NULL, &v, path, NULL, NULL, NULL) != PXC_STATUS_OK) return fail("encode");
        }
    }

    /* load_img(path, target_size=(24, 24), interpolation="bilinear") + img_to_array */
    lo = pxc_load_options_new();
    pxc_load_options_set_target_size(lo, 24, 24);
    pxc_load_options_set_interpolation(lo, PXC_INTERPOLATION_BILINEAR);
    snprintf(path, sizeof path, "%s/dogs/3.png", dir);
    if (pxc_load_file_into(NULL, path, lo, NULL, 0, 0, PXC_SAMPLE_F32, &info, &needed) !=
        PXC_STATUS_BUFFER_TOO_SMALL)
        return fail("size query");
    pixels = malloc(needed);
    if (pxc_load_file_into(NULL, path, lo, pixels, needed, 0, PXC_SAMPLE_F32, &info, NULL) != PXC_STATUS_OK)
        return fail("load");
    printf("loaded %s: %ux%u, %zu bytes of float, first value %.1f\n", info.format, info.width, info.height,
           needed, pixels[0]);
    free(pixels);
    pxc_load_options_free(lo);

    /* image_dataset_from_directory(dir, image_size=(16, 16), batch_size=4, seed=1337) */
    dso = pxc_dataset_options_new();
    pxc_dataset_options_set_image_size(dso, 16, 16);
    pxc_dataset_options_set_batch_size(dso, 4);
    pxc_dataset_options_set_seed(dso, 1337);
    if (pxc_dataset_open(dir, dso, &ds) != PXC_STATUS_OK) return fail("dataset");
    pxc_dataset_summary(ds, summary, sizeof summary, NULL);
    printf("%s\n", summary);
    /* batch 0 is a full batch: its sizes fit every batch */
    pxc_dataset_fill_batch(ds, 0, NULL, 0, NULL, 0, &count, &ni, &nl);
    images = malloc(ni);
    labels = malloc(nl);
    pxc_dataset_num_batches(ds, &nb);
    for (b = 0; b < nb && rc == 0; b++) {
        if (pxc_dataset_fill_batch(ds, b, images, ni, labels, nl, &count, NULL, NULL) != PXC_STATUS_OK) {
            rc = fail("batch");
            break;
        }
        printf("batch %zu: %zu images, first label %d, first value %.1f\n", b, count, labels[0], images[0]);
    }
    free(images);
    free(labels);
    pxc_dataset_free(ds);
    pxc_dataset_options_free(dso);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
