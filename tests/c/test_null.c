/* NULL for every pointer argument of every function: a status (or a documented
 * default / no-op), never a crash. Arguments documented as optional are exercised as
 * NULL too. */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define NULLARG(expr, argname)                                                          \
    do {                                                                                \
        CHECK_STATUS(expr, PXC_STATUS_NULL_ARGUMENT);                                   \
        CHECK_MSG_CONTAINS("'" argname "'");                                            \
    } while (0)

static int rd(void *u, uint8_t *b, size_t c, size_t *n) { (void)u; (void)b; (void)c; *n = 0; return 0; }
static int wr(void *u, const uint8_t *d, size_t n) { (void)u; (void)d; (void)n; return 0; }

int main(void) {
    pxc_registry *reg = pxc_registry_new(false);
    rawc_state st = {0};
    pxc_codec_vtable vt = rawc_vtable(&st);
    uint8_t px[4] = {1, 2, 3, 4};
    uint8_t data[32];
    pxc_image_view v;
    pxc_info info;
    pxc_image *img = NULL;
    pxc_image_list *list = NULL;
    pxc_bytes bytes = {0};
    pxc_encode_report rep;
    pxc_capability cap;
    char name[PXC_NAME_MAX];
    size_t n = 0, data_len = 0;
    uint32_t fid = 0;
    pxc_encode_options *opts = pxc_encode_options_new();
    pxc_limits *lim = pxc_limits_new();
    pxc_buffer *buf = pxc_buffer_new(16);
    const char *path = "/tmp/pxc-test-null.rawc";

    v.data = px; v.stride = 0; v.width = 2; v.height = 2; v.layout = PXC_LAYOUT_GRAY; v.sample = PXC_SAMPLE_U8;
    CHECK_OK(pxc_registry_register_codec(reg, &vt));
    CHECK_OK(pxc_encode(reg, &v, "rawc", NULL, &bytes, NULL));
    memcpy(data, bytes.data, bytes.len < sizeof data ? bytes.len : sizeof data);
    data_len = bytes.len;

    /* free functions: NULL is a no-op */
    pxc_registry_free(NULL);
    pxc_limits_free(NULL);
    pxc_image_free(NULL);
    pxc_image_list_free(NULL);
    pxc_encode_options_free(NULL);
    pxc_bytes_free(NULL);
    pxc_buffer_free(NULL);
    pxc_codec_set_error(NULL);
    pxc_load_options_free(NULL);
    pxc_dataset_options_free(NULL);
    pxc_dataset_free(NULL);

    /* errors and version */
    CHECK(pxc_status_str(PXC_STATUS_NULL_ARGUMENT) != NULL);
    NULLARG(pxc_last_error_message(NULL, 10, &n), "buf");
    CHECK_OK(pxc_last_error_message(NULL, 0, NULL));

    /* registry */
    NULLARG(pxc_registry_register_codec(reg, NULL), "vtable");
    NULLARG(pxc_registry_codec_count(reg, NULL), "out_count");
    CHECK_OK(pxc_registry_codec_count(NULL, &n)); /* NULL reg: default registry */
    NULLARG(pxc_registry_codec_info(reg, 0, NULL), "out_info");
    NULLARG(pxc_registry_codec_capability(reg, NULL, true, 0, &cap), "codec_name");
    NULLARG(pxc_registry_codec_capability(reg, "rawc", true, 0, NULL), "out_capability");
    NULLARG(pxc_registry_can_encode(reg, NULL, 0, 0, &fid), "codec_name");
    NULLARG(pxc_registry_can_encode(reg, "rawc", 0, 0, NULL), "out_fidelity");
    NULLARG(pxc_registry_can_decode(reg, NULL, 0, 0, &fid), "codec_name");
    NULLARG(pxc_registry_can_decode(reg, "rawc", 0, 0, NULL), "out_fidelity");
    NULLARG(pxc_registry_find_by_name(reg, NULL, name, sizeof name), "name");
    NULLARG(pxc_registry_find_by_name(reg, "rawc", NULL, sizeof name), "out_name");
    NULLARG(pxc_registry_find_by_extension(reg, NULL, name, sizeof name), "extension");
    NULLARG(pxc_registry_find_by_extension(reg, "rawc", NULL, sizeof name), "out_name");
    NULLARG(pxc_registry_find_by_mime(reg, NULL, name, sizeof name), "mime");
    NULLARG(pxc_registry_find_by_mime(reg, "image/x-rawc", NULL, sizeof name), "out_name");
    NULLARG(pxc_registry_find_by_content(reg, NULL, 4, name, sizeof name), "data");
    NULLARG(pxc_registry_find_by_content(reg, data, 4, NULL, sizeof name), "out_name");
    NULLARG(pxc_registry_unregister(reg, NULL), "name");
#ifdef PXC_TESTING
    {
        pxc_registry *r2 = pxc_registry_new(false);
        CHECK_OK(pxc_testing_register_panicking_codec(r2));
        pxc_registry_free(r2);
    }
#endif

    /* vtable fields */
    vt = rawc_vtable(&st); vt.name = NULL;
    NULLARG(pxc_registry_register_codec(reg, &vt), "vtable->name");
    vt = rawc_vtable(&st); vt.format = NULL;
    NULLARG(pxc_registry_register_codec(reg, &vt), "vtable->format");
    vt = rawc_vtable(&st); vt.decode = NULL;
    NULLARG(pxc_registry_register_codec(reg, &vt), "vtable->decode");
    vt = rawc_vtable(&st); vt.decode_capabilities = NULL;
    NULLARG(pxc_registry_register_codec(reg, &vt), "vtable->decode_capabilities");
    vt = rawc_vtable(&st); vt.signature = NULL; vt.signature_len = 3;
    NULLARG(pxc_registry_register_codec(reg, &vt), "vtable->signature");

    /* limits */
    NULLARG(pxc_limits_set_max_width(NULL, 1), "limits");
    NULLARG(pxc_limits_set_max_height(NULL, 1), "limits");
    NULLARG(pxc_limits_set_max_pixels(NULL, 1), "limits");
    NULLARG(pxc_limits_set_max_alloc_bytes(NULL, 1), "limits");
    NULLARG(pxc_limits_set_max_pages(NULL, 1), "limits");

    /* image accessors: 0 / NULL and a NULL_ARGUMENT last error */
    CHECK(pxc_image_width(NULL) == 0); CHECK_MSG_CONTAINS("'image'");
    CHECK(pxc_image_height(NULL) == 0);
    CHECK(pxc_image_layout(NULL) == 0);
    CHECK(pxc_image_sample(NULL) == 0);
    CHECK(pxc_image_stride(NULL) == 0);
    CHECK(pxc_image_size(NULL) == 0);
    CHECK(pxc_image_data(NULL) == NULL);
    NULLARG(pxc_image_view_of(NULL, &v), "image");
    CHECK(pxc_image_list_len(NULL) == 0); CHECK_MSG_CONTAINS("'list'");
    CHECK(pxc_image_list_get(NULL, 0) == NULL); CHECK_MSG_CONTAINS("'list'");
    CHECK_OK(pxc_decode(reg, bytes.data, bytes.len, NULL, &img));
    NULLARG(pxc_image_view_of(img, NULL), "out_view");

    /* decode */
    NULLARG(pxc_probe(reg, NULL, 4, NULL, &info), "data");
    NULLARG(pxc_probe(reg, data, bytes.len, NULL, NULL), "out_info");
    NULLARG(pxc_probe_file(reg, NULL, NULL, &info), "path");
    NULLARG(pxc_probe_file(reg, path, NULL, NULL), "out_info");
    NULLARG(pxc_decode(reg, NULL, 4, lim, &img), "data");
    NULLARG(pxc_decode(reg, data, bytes.len, lim, NULL), "out_image");
    NULLARG(pxc_decode_file(reg, NULL, NULL, &img), "path");
    NULLARG(pxc_decode_file(reg, path, NULL, NULL), "out_image");
    NULLARG(pxc_decode_pages(reg, NULL, 4, NULL, &list), "data");
    NULLARG(pxc_decode_pages(reg, data, bytes.len, NULL, NULL), "out_list");
    NULLARG(pxc_decode_pages_file(reg, NULL, NULL, &list), "path");
    NULLARG(pxc_decode_pages_file(reg, path, NULL, NULL), "out_list");
    NULLARG(pxc_decode_callbacks(reg, NULL, NULL, NULL, NULL, &img), "read");
    NULLARG(pxc_decode_callbacks(reg, rd, NULL, NULL, NULL, NULL), "out_image");
    NULLARG(pxc_decode_pages_callbacks(reg, NULL, NULL, NULL, NULL, &list), "read");
    NULLARG(pxc_decode_pages_callbacks(reg, rd, NULL, NULL, NULL, NULL), "out_list");
    NULLARG(pxc_required_size(1, 1, 0, 0, 0, NULL), "out_size");
    NULLARG(pxc_decode_into(reg, NULL, 4, NULL, px, 4, 0, NULL, NULL), "data");
    /* optional pointers: reg, limits, out_info, out_needed */
    {
        uint8_t out[4];
        CHECK_OK(pxc_decode_into(reg, data, bytes.len, NULL, out, sizeof out, 0, NULL, NULL));
        CHECK(memcmp(out, px, 4) == 0);
    }

    /* encode options */
    NULLARG(pxc_encode_options_set_codec(NULL, "rawc"), "opts");
    CHECK_OK(pxc_encode_options_set_codec(opts, NULL)); /* NULL codec: automatic */
    NULLARG(pxc_encode_options_set_require_exact(NULL, true), "opts");
    NULLARG(pxc_encode_options_set_verify(NULL, true), "opts");
    NULLARG(pxc_encode_options_set_quality(NULL, 90), "opts");
    NULLARG(pxc_encode_options_set_level(NULL, 6), "opts");
    NULLARG(pxc_encode_options_set_subsampling(NULL, "420"), "opts");
    NULLARG(pxc_encode_options_set_subsampling(opts, NULL), "value");
    NULLARG(pxc_encode_options_set_compression(NULL, "lzw"), "opts");
    NULLARG(pxc_encode_options_set_compression(opts, NULL), "value");
    NULLARG(pxc_encode_options_set_predictor(NULL, true), "opts");
    NULLARG(pxc_encode_options_set_progressive(NULL, true), "opts");
    NULLARG(pxc_encode_options_set(NULL, "k", "v"), "opts");
    NULLARG(pxc_encode_options_set(opts, NULL, "v"), "key");
    NULLARG(pxc_encode_options_set(opts, "k", NULL), "value");

    /* buffers */
    CHECK(pxc_buffer_data(NULL) == NULL); CHECK_MSG_CONTAINS("'buf'");
    CHECK(pxc_buffer_len(NULL) == 0);
    CHECK(pxc_buffer_capacity(NULL) == 0);

    /* encode */
    pxc_bytes_free(&bytes);
    NULLARG(pxc_encode(reg, NULL, "rawc", NULL, &bytes, &rep), "image");
    NULLARG(pxc_encode(reg, &v, "rawc", NULL, NULL, &rep), "out_bytes");
    NULLARG(pxc_encode(reg, &v, NULL, NULL, &bytes, &rep), "target");
    v.data = NULL;
    NULLARG(pxc_encode(reg, &v, "rawc", NULL, &bytes, &rep), "image->data");
    v.data = px;
    NULLARG(pxc_encode_pages(reg, NULL, 1, "rawc", NULL, &bytes, &rep), "pages");
    NULLARG(pxc_encode_pages(reg, &v, 1, "rawc", NULL, NULL, &rep), "out_bytes");
    NULLARG(pxc_encode_to_buffer(reg, NULL, "rawc", NULL, buf, &rep), "image");
    NULLARG(pxc_encode_to_buffer(reg, &v, "rawc", NULL, NULL, &rep), "buf");
    NULLARG(pxc_encode_to_file(reg, NULL, path, NULL, NULL, NULL), "image");
    NULLARG(pxc_encode_to_file(reg, &v, NULL, NULL, NULL, NULL), "path");
    NULLARG(pxc_encode_pages_to_file(reg, NULL, 1, path, NULL, NULL, NULL), "pages");
    NULLARG(pxc_encode_pages_to_file(reg, &v, 1, NULL, NULL, NULL, NULL), "path");
    NULLARG(pxc_encode_to_callback(reg, NULL, "rawc", NULL, wr, NULL, NULL), "image");
    NULLARG(pxc_encode_to_callback(reg, &v, "rawc", NULL, NULL, NULL, NULL), "write");
    /* optional pointers: opts, out_report, user_data */
    CHECK_OK(pxc_encode_to_callback(reg, &v, "rawc", NULL, wr, NULL, NULL));
    CHECK_OK(pxc_encode_to_buffer(reg, &v, "rawc", NULL, buf, NULL));
    CHECK(bytes.data == NULL);


    /* ML: load options, load into, dataset options, datasets */
    {
        pxc_load_options *lo = pxc_load_options_new();
        pxc_dataset_options *dso = pxc_dataset_options_new();
        pxc_dataset *ds = NULL, *ds2 = NULL;
        const char *names[1] = {NULL};
        char tmpl[] = "/tmp/pxc-test-null-ml-XXXXXX";
        char dir[64], sub[80], file[96], bad[96], txt[96];
        uint8_t out[16];
        size_t len = 0;
        uint32_t s32 = 0;
        int32_t lab = 0;
        float fout[16];
        CHECK(lo != NULL && dso != NULL);
        NULLARG(pxc_load_options_set_color_mode(NULL, 0), "opts");
        NULLARG(pxc_load_options_set_target_size(NULL, 1, 1), "opts");
        NULLARG(pxc_load_options_set_interpolation(NULL, 0), "opts");
        NULLARG(pxc_load_options_set_fit(NULL, 0), "opts");
        NULLARG(pxc_load_options_set_antialias(NULL, true), "opts");
        NULLARG(pxc_load_options_set_shrink_on_load(NULL, true), "opts");
        NULLARG(pxc_load_options_set_shrink_min_psnr(NULL, 40.0), "opts");
        NULLARG(pxc_load_options_set_dct_method(NULL, PXC_DCT_METHOD_FAST), "opts");
        NULLARG(pxc_load_options_set_limits(NULL, lim), "opts");
        CHECK_OK(pxc_load_options_set_limits(lo, NULL)); /* NULL limits: defaults */
        NULLARG(pxc_load_into(reg, NULL, 4, lo, out, sizeof out, 0, PXC_SAMPLE_U8, &info, &n), "data");
        NULLARG(pxc_load_file_into(reg, NULL, lo, out, sizeof out, 0, PXC_SAMPLE_U8, &info, &n), "path");
        /* buf NULL with a large buf_len: NULL_ARGUMENT after the size check */
        CHECK_OK(pxc_load_options_set_color_mode(lo, PXC_COLOR_MODE_GRAY));
        NULLARG(pxc_load_into(reg, data, data_len, lo, NULL, 64, 0, PXC_SAMPLE_U8, &info, &n), "buf");
        /* optional pointers: reg, opts, out_info, out_needed */
        CHECK_OK(pxc_load_into(reg, data, data_len, lo, out, sizeof out, 0, PXC_SAMPLE_U8, NULL, NULL));
        CHECK(memcmp(out, px, 4) == 0);
        CHECK_OK(pxc_load_into(reg, data, data_len, NULL, fout, sizeof fout, 0, PXC_SAMPLE_F32, NULL, NULL));
        CHECK(fout[0] == 1.0f && fout[3] == 2.0f); /* RGB by default: gray replicated */

        NULLARG(pxc_dataset_options_set_image_size(NULL, 1, 1), "opts");
        NULLARG(pxc_dataset_options_set_batch_size(NULL, 1), "opts");
        NULLARG(pxc_dataset_options_set_color_mode(NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_shuffle(NULL, false), "opts");
        NULLARG(pxc_dataset_options_set_seed(NULL, 1), "opts");
        NULLARG(pxc_dataset_options_set_validation_split(NULL, 0.5, 0), "opts");
        NULLARG(pxc_dataset_options_set_label_mode(NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_class_names(NULL, NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_class_names(dso, NULL, 1), "names");
        NULLARG(pxc_dataset_options_set_class_names(dso, names, 1), "names[0]");
        CHECK_OK(pxc_dataset_options_set_class_names(dso, NULL, 0)); /* NULL with count 0: all folders */
        NULLARG(pxc_dataset_options_set_extensions(NULL, NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_extensions(dso, NULL, 1), "extensions");
        NULLARG(pxc_dataset_options_set_extensions(dso, names, 1), "extensions[0]");
        NULLARG(pxc_dataset_options_set_interpolation(NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_fit(NULL, 0), "opts");
        NULLARG(pxc_dataset_options_set_antialias(NULL, true), "opts");
        NULLARG(pxc_dataset_options_set_follow_links(NULL, true), "opts");
        NULLARG(pxc_dataset_options_set_dtype(NULL, PXC_SAMPLE_U8), "opts");
        NULLARG(pxc_dataset_options_set_skip_errors(NULL, true), "opts");
        NULLARG(pxc_dataset_options_set_shrink_on_load(NULL, true), "opts");
        NULLARG(pxc_dataset_options_set_shrink_min_psnr(NULL, 40.0), "opts");
        NULLARG(pxc_dataset_options_set_dct_method(NULL, PXC_DCT_METHOD_FAST), "opts");
        NULLARG(pxc_dataset_options_set_limits(NULL, lim), "opts");
        CHECK_OK(pxc_dataset_options_set_limits(dso, NULL));

        /* a one-class dataset of one 2x2 PNG, when the png codec is built in */
        CHECK(mkdtemp(tmpl) != NULL);
        snprintf(dir, sizeof dir, "%s", tmpl);
        snprintf(sub, sizeof sub, "%s/k", dir);
        snprintf(file, sizeof file, "%s/k/one.png", dir);
        snprintf(bad, sizeof bad, "%s/k/bad.png", dir);
        NULLARG(pxc_dataset_open(NULL, dso, &ds), "dir");
        NULLARG(pxc_dataset_open(dir, dso, NULL), "out_dataset");
        NULLARG(pxc_dataset_open_both(NULL, dso, &ds, &ds2), "dir");
        NULLARG(pxc_dataset_open_both(dir, dso, NULL, &ds2), "out_training");
        NULLARG(pxc_dataset_open_both(dir, dso, &ds, NULL), "out_validation");
        NULLARG(pxc_dataset_len(NULL, &len), "ds");
        NULLARG(pxc_dataset_num_batches(NULL, &len), "ds");
        NULLARG(pxc_dataset_class_count(NULL, &len), "ds");
        NULLARG(pxc_dataset_class_name(NULL, 0, txt, sizeof txt, &len), "ds");
        NULLARG(pxc_dataset_file_path(NULL, 0, txt, sizeof txt, &len), "ds");
        NULLARG(pxc_dataset_file_label(NULL, 0, &lab), "ds");
        NULLARG(pxc_dataset_image_shape(NULL, &len, &len, &len, &s32), "ds");
        NULLARG(pxc_dataset_label_shape(NULL, &len, &s32), "ds");
        NULLARG(pxc_dataset_summary(NULL, txt, sizeof txt, &len), "ds");
        NULLARG(pxc_dataset_fill_batch(NULL, 0, fout, sizeof fout, out, sizeof out, &len, NULL, NULL), "ds");
        NULLARG(pxc_dataset_skipped_count(NULL, &len), "ds");
        NULLARG(pxc_dataset_skipped_path(NULL, 0, txt, sizeof txt, &len), "ds");
        NULLARG(pxc_dataset_skipped_reason(NULL, 0, txt, sizeof txt, &len), "ds");
        if (has_codec(NULL, "png")) {
            pxc_image_view g = v;
            CHECK(mkdir(sub, 0700) == 0);
            CHECK_OK(pxc_encode_to_file(NULL, &g, file, NULL, NULL, NULL));
            CHECK_OK(pxc_dataset_options_set_image_size(dso, 2, 2));
            CHECK_OK(pxc_dataset_options_set_color_mode(dso, PXC_COLOR_MODE_GRAY));
            CHECK_OK(pxc_dataset_open(dir, dso, &ds));
            NULLARG(pxc_dataset_len(ds, NULL), "out_len");
            NULLARG(pxc_dataset_num_batches(ds, NULL), "out_count");
            NULLARG(pxc_dataset_class_count(ds, NULL), "out_count");
            NULLARG(pxc_dataset_class_name(ds, 0, NULL, 8, &len), "buf");
            NULLARG(pxc_dataset_file_path(ds, 0, NULL, 64, &len), "buf");
            NULLARG(pxc_dataset_file_label(ds, 0, NULL), "out_label");
            NULLARG(pxc_dataset_image_shape(ds, NULL, &len, &len, &s32), "out_height");
            NULLARG(pxc_dataset_image_shape(ds, &len, NULL, &len, &s32), "out_width");
            NULLARG(pxc_dataset_image_shape(ds, &len, &len, NULL, &s32), "out_channels");
            NULLARG(pxc_dataset_image_shape(ds, &len, &len, &len, NULL), "out_sample");
            NULLARG(pxc_dataset_label_shape(ds, NULL, &s32), "out_per_image");
            NULLARG(pxc_dataset_label_shape(ds, &len, NULL), "out_sample");
            NULLARG(pxc_dataset_summary(ds, NULL, 64, &len), "buf");
            NULLARG(pxc_dataset_fill_batch(ds, 0, fout, sizeof fout, out, sizeof out, NULL, NULL, NULL),
                    "out_count");
            NULLARG(pxc_dataset_fill_batch(ds, 0, NULL, sizeof fout, out, sizeof out, &len, NULL, NULL),
                    "images_buf");
            NULLARG(pxc_dataset_fill_batch(ds, 0, fout, sizeof fout, NULL, sizeof out, &len, NULL, NULL),
                    "labels_buf");
            NULLARG(pxc_dataset_skipped_count(ds, NULL), "out_count");
            /* optional pointers: out_needed of the text copies and of fill_batch */
            CHECK_OK(pxc_dataset_class_name(ds, 0, txt, sizeof txt, NULL));
            CHECK(strcmp(txt, "k") == 0);
            CHECK_OK(pxc_dataset_fill_batch(ds, 0, fout, sizeof fout, &lab, sizeof lab, &len, NULL, NULL));
            CHECK(len == 1 && lab == 0 && fout[0] == 1.0f && fout[3] == 4.0f);
            CHECK_OK(pxc_dataset_skipped_count(ds, &len));
            CHECK(len == 0);
            pxc_dataset_free(ds);
            /* a skipped file, for the NULL buffers of the skipped-file copies */
            {
                FILE *f = fopen(bad, "wb");
                CHECK(f != NULL);
                if (f) {
                    fputs("junk", f);
                    fclose(f);
                }
            }
            CHECK_OK(pxc_dataset_options_set_skip_errors(dso, true));
            CHECK_OK(pxc_dataset_open(dir, dso, &ds));
            CHECK_OK(pxc_dataset_fill_batch(ds, 0, fout, sizeof fout, out, sizeof out, &len, NULL, NULL));
            CHECK(len == 1);
            CHECK_OK(pxc_dataset_skipped_count(ds, &len));
            CHECK(len == 1);
            NULLARG(pxc_dataset_skipped_path(ds, 0, NULL, 64, &len), "buf");
            NULLARG(pxc_dataset_skipped_reason(ds, 0, NULL, 600, &len), "buf");
            CHECK_OK(pxc_dataset_skipped_path(ds, 0, txt, sizeof txt, NULL));
            CHECK(strcmp(txt, bad) == 0);
            pxc_dataset_free(ds);
            CHECK(unlink(bad) == 0);
            CHECK_OK(pxc_dataset_open(dir, NULL, &ds)); /* NULL options: Keras' defaults */
            pxc_dataset_free(ds);
            CHECK(unlink(file) == 0);
            CHECK(rmdir(sub) == 0);
        }
        CHECK(rmdir(dir) == 0);
        pxc_dataset_options_free(dso);
        pxc_load_options_free(lo);
    }

    pxc_image_free(img);
    pxc_buffer_free(buf);
    pxc_limits_free(lim);
    pxc_encode_options_free(opts);
    pxc_registry_free(reg);
    CHECK(st.destroyed == 1);
    return finish("test_null");
}
