/* 8 threads encoding and decoding at once through one registry (the C codec, and PNG
 * when built in), while the main thread registers and removes another codec. Each
 * thread checks exact round trips and its own thread-local last error. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "testutil.h"

#define THREADS 8
#define ROUNDS 200

static pxc_registry *g_reg;
static int g_has_png;

typedef struct job {
    int id;
    int failures;
} job;

static void *worker(void *arg) {
    job *j = (job *)arg;
    uint8_t px[33 * 17 * 3];
    pxc_image_view v;
    pxc_buffer *buf = pxc_buffer_new(0);
    int r;
    v.data = px; v.stride = 0; v.width = 33; v.height = 17; v.layout = PXC_LAYOUT_RGB; v.sample = PXC_SAMPLE_U8;
    for (r = 0; r < ROUNDS; r++) {
        const char *target = (g_has_png && (r % 2)) ? "png" : "rawc";
        pxc_image *img = NULL;
        char msg[256];
        fill_pattern(px, sizeof px, (uint32_t)(j->id * 1000 + r));
        if (pxc_encode_to_buffer(g_reg, &v, target, NULL, buf, NULL) != PXC_STATUS_OK) {
            j->failures++;
            continue;
        }
        if (pxc_decode(g_reg, pxc_buffer_data(buf), pxc_buffer_len(buf), NULL, &img) != PXC_STATUS_OK) {
            j->failures++;
            continue;
        }
        if (memcmp(pxc_image_data(img), px, sizeof px) != 0) j->failures++;
        pxc_image_free(img);
        /* a failure on this thread sets this thread's message only */
        if (pxc_decode(g_reg, px, 8, NULL, &img) != PXC_STATUS_UNKNOWN_FORMAT) j->failures++;
        pxc_last_error_message(msg, sizeof msg, NULL);
        if (strstr(msg, "no registered codec recognises") == NULL) j->failures++;
    }
    pxc_buffer_free(buf);
    return NULL;
}

int main(void) {
    rawc_state st = {0};
    pxc_codec_vtable vt = rawc_vtable(&st);
    pxc_codec_vtable lv = lossyc_vtable();
    pthread_t t[THREADS];
    job jobs[THREADS];
    int i, k;
    g_reg = pxc_registry_new(true);
    g_has_png = has_codec(g_reg, "png");
    if (!g_has_png) printf("png not built in yet: threads use the C codec only\n");
    CHECK_OK(pxc_registry_register_codec(g_reg, &vt));
    for (i = 0; i < THREADS; i++) {
        jobs[i].id = i;
        jobs[i].failures = 0;
        CHECK(pthread_create(&t[i], NULL, worker, &jobs[i]) == 0);
    }
    /* concurrent registration and removal while the workers run */
    for (k = 0; k < 50; k++) {
        CHECK_OK(pxc_registry_register_codec(g_reg, &lv));
        CHECK_OK(pxc_registry_unregister(g_reg, "lossyc"));
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(jobs[i].failures == 0);
    }
    pxc_registry_free(g_reg);
    CHECK(st.destroyed == 1);
    return finish("test_threads");
}
