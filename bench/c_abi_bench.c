/* The C ABI rows of `make bench`: pxc_decode_into into a reused buffer and
 * pxc_encode_to_buffer into a reused pxc_buffer, timed with the rule of bench/rust/report.rs
 * (one warm-up, repeats until BENCH_BUDGET seconds, at least 3, at most 200; the median).
 *
 *   c_abi_bench decode FILE
 *   c_abi_bench encode INPUT.npy TARGET [key=value ...]
 * prints: <median seconds> <bytes>
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pixcodec.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *last_error(void) {
    static char msg[1024];
    msg[0] = 0;
    pxc_last_error_message(msg, sizeof msg, NULL);
    return msg;
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*len);
    if (fread(buf, 1, *len, f) != *len) { perror(path); exit(2); }
    fclose(f);
    return buf;
}

typedef int (*op_fn)(void *ctx);

static double timed(op_fn f, void *ctx) {
    double budget = getenv("BENCH_BUDGET") ? atof(getenv("BENCH_BUDGET")) : 1.0;
    double runs[200];
    int n = 0;
    if (f(ctx)) return -1;
    double start = now();
    while (n < 3 || (now() - start < budget && n < 200)) {
        double t = now();
        if (f(ctx)) return -1;
        runs[n++] = now() - t;
    }
    qsort(runs, (size_t)n, sizeof(double), cmp);
    return runs[n / 2];
}

struct dec { const unsigned char *data; size_t len; void *buf; size_t buf_len; };
static int do_decode(void *p) {
    struct dec *d = p;
    return pxc_decode_into(NULL, d->data, d->len, NULL, d->buf, d->buf_len, 0, NULL, NULL) != PXC_STATUS_OK;
}

struct enc { pxc_image_view view; const char *target; pxc_encode_options *opts; pxc_buffer *out; };
static int do_encode(void *p) {
    struct enc *e = p;
    return pxc_encode_to_buffer(NULL, &e->view, e->target, e->opts, e->out, NULL) != PXC_STATUS_OK;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "decode") == 0) {
        struct dec d;
        d.data = read_file(argv[2], &d.len);
        size_t needed = 0;
        pxc_decode_into(NULL, d.data, d.len, NULL, NULL, 0, 0, NULL, &needed);
        d.buf = malloc(needed);
        d.buf_len = needed;
        double s = timed(do_decode, &d);
        if (s < 0) { fprintf(stderr, "decode failed: %s\n", last_error()); return 1; }
        printf("%.9f 0\n", s);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "encode") == 0) {
        pxc_image *img = NULL;
        if (pxc_decode_file(NULL, argv[2], NULL, &img) != PXC_STATUS_OK) {
            fprintf(stderr, "cannot read %s: %s\n", argv[2], last_error());
            return 1;
        }
        struct enc e;
        pxc_image_view_of(img, &e.view);
        e.target = argv[3];
        e.opts = pxc_encode_options_new();
        for (int i = 4; i < argc; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) continue;
            *eq = 0;
            if (pxc_encode_options_set(e.opts, argv[i], eq + 1) != PXC_STATUS_OK) {
                fprintf(stderr, "option %s: %s\n", argv[i], last_error());
                return 1;
            }
        }
        e.out = pxc_buffer_new(0);
        double s = timed(do_encode, &e);
        if (s < 0) { fprintf(stderr, "encode failed: %s\n", last_error()); return 1; }
        printf("%.9f %zu\n", s, pxc_buffer_len(e.out));
        pxc_buffer_free(e.out);
        pxc_encode_options_free(e.opts);
        pxc_image_free(img);
        return 0;
    }
    fprintf(stderr, "usage: c_abi_bench decode FILE | encode INPUT TARGET [key=value ...]\n");
    return 2;
}
