/* File safety of pxc_encode_to_file (issue 18, item 1): an existing file the caller may not
 * write is refused with PXC_STATUS_IO and left byte-identical, as `cp` refuses it, unless
 * pxc_encode_options_set_overwrite_readonly; the replaced file keeps its mode. A symlink is
 * written through to its target (the link stays) unless
 * pxc_encode_options_set_replace_symlink. Errors name the caller's path, never the
 * temporary file.
 *
 * Root may write any file (and `cp` as root replaces a read-only one), so when run as root
 * the refusal is checked in a forked child that has switched to the unprivileged user
 * nobody (65534) before any pixcodec call; the parent then checks that root replaces the
 * file, as cp does. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "testutil.h"

#define NOBODY 65534

static uint8_t g_rgb[4 * 4 * 3];

static pxc_image_view view(void) {
    pxc_image_view v;
    memset(g_rgb, 77, sizeof g_rgb);
    v.data = g_rgb;
    v.stride = 0;
    v.width = 4;
    v.height = 4;
    v.layout = PXC_LAYOUT_RGB;
    v.sample = PXC_SAMPLE_U8;
    return v;
}

static int is_png(const char *path) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char buf[8];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == 8 && memcmp(buf, sig, 8) == 0;
}

static void write_text(const char *path, const char *content, mode_t mode) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(content, f);
    fclose(f);
    if (chmod(path, mode) != 0) {
        perror(path);
        exit(1);
    }
}

static mode_t mode_of(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return (mode_t)-1;
    return st.st_mode & 07777;
}

/* The checks of an unprivileged caller: refused, untouched, then replaced when asked. */
static void check_refusal(const char *dir, const char *ro) {
    pxc_image_view v = view();
    pxc_encode_options *opts;
    size_t before = count_entries(dir);
    CHECK_STATUS(pxc_encode_to_file(NULL, &v, ro, NULL, NULL, NULL), PXC_STATUS_IO);
    CHECK_MSG_CONTAINS(ro);
    CHECK_MSG_CONTAINS("mode 0444");
    CHECK_MSG_CONTAINS("pxc_encode_options_set_overwrite_readonly");
    CHECK(strstr(last_error(), ".pixcodec-") == NULL);
    CHECK(strstr(last_error(), "EncodeOptions") == NULL);
    CHECK(file_equals(ro, "precious bytes"));
    CHECK(count_entries(dir) == before);
    opts = pxc_encode_options_new();
    CHECK(opts != NULL);
    CHECK_OK(pxc_encode_options_set_overwrite_readonly(opts, false));
    CHECK_STATUS(pxc_encode_to_file(NULL, &v, ro, NULL, opts, NULL), PXC_STATUS_IO);
    CHECK(file_equals(ro, "precious bytes"));
    CHECK_OK(pxc_encode_options_set_overwrite_readonly(opts, true));
    CHECK_OK(pxc_encode_to_file(NULL, &v, ro, NULL, opts, NULL));
    CHECK(is_png(ro));
    CHECK(mode_of(ro) == 0444);
    CHECK(count_entries(dir) == before);
    pxc_encode_options_free(opts);
}

static void test_read_only(const char *dir) {
    char ro[512];
    snprintf(ro, sizeof ro, "%s/ro.png", dir);
    write_text(ro, "precious bytes", 0444);
    if (geteuid() != 0) {
        check_refusal(dir, ro);
        return;
    }
    /* Root: the refusal as nobody in a child, before this process made any pixcodec call. */
    if (chown(dir, NOBODY, NOBODY) != 0 || chown(ro, NOBODY, NOBODY) != 0) {
        perror("chown");
        g_failures++;
        return;
    }
    {
        int status = 0;
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            g_failures++;
            return;
        }
        if (pid == 0) {
            if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
                perror("cannot become nobody");
                _exit(77);
            }
            check_refusal(dir, ro);
            _exit(g_failures ? 1 : 0);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
            fprintf(stderr, "the unprivileged child did not exit normally\n");
            g_failures++;
        } else if (WEXITSTATUS(status) == 77) {
            printf("read-only refusal skipped: cannot switch to the unprivileged user nobody\n");
        } else if (WEXITSTATUS(status) != 0) {
            fprintf(stderr, "the unprivileged child's checks failed\n");
            g_failures++;
        }
    }
    /* Root replaces a read-only file (as `cp` does as root) and keeps its mode. */
    write_text(ro, "precious bytes", 0444);
    {
        pxc_image_view v = view();
        CHECK_OK(pxc_encode_to_file(NULL, &v, ro, NULL, NULL, NULL));
        CHECK(is_png(ro));
        CHECK(mode_of(ro) == 0444);
    }
}

static void test_symlinks_and_paths(const char *dir) {
    char target[512], link[512], dangling[512], missing[600];
    pxc_image_view v = view();
    pxc_encode_options *opts = pxc_encode_options_new();
    struct stat st;
    snprintf(target, sizeof target, "%s/real.png", dir);
    snprintf(link, sizeof link, "%s/link.png", dir);
    snprintf(dangling, sizeof dangling, "%s/dangling.png", dir);
    snprintf(missing, sizeof missing, "%s/nodir/out.png", dir);
    write_text(target, "old", 0640);
    CHECK(symlink("real.png", link) == 0);
    CHECK_OK(pxc_encode_to_file(NULL, &v, link, NULL, NULL, NULL));
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(is_png(target));
    CHECK(mode_of(target) == 0640);

    /* A dangling link is refused, naming the link and the C setter. */
    CHECK(symlink("nothere.png", dangling) == 0);
    CHECK_STATUS(pxc_encode_to_file(NULL, &v, dangling, NULL, NULL, NULL), PXC_STATUS_IO);
    CHECK_MSG_CONTAINS(dangling);
    CHECK_MSG_CONTAINS("pxc_encode_options_set_replace_symlink");

    /* Told to, the link itself becomes a file and its target is left alone. */
    write_text(target, "old", 0640);
    CHECK_OK(pxc_encode_options_set_replace_symlink(opts, true));
    CHECK_OK(pxc_encode_to_file(NULL, &v, link, NULL, opts, NULL));
    CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
    CHECK(is_png(link));
    CHECK(file_equals(target, "old"));

    /* A missing folder: the message names the caller's path, not the temporary file. */
    CHECK_STATUS(pxc_encode_to_file(NULL, &v, missing, NULL, NULL, NULL), PXC_STATUS_IO);
    CHECK_MSG_CONTAINS(missing);
    CHECK_MSG_CONTAINS("does not exist");
    CHECK(strstr(last_error(), ".pixcodec-") == NULL);

    CHECK_STATUS(pxc_encode_options_set_overwrite_readonly(NULL, true), PXC_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(pxc_encode_options_set_replace_symlink(NULL, true), PXC_STATUS_NULL_ARGUMENT);
    pxc_encode_options_free(opts);
    unlink(target);
    unlink(link);
    unlink(dangling);
}

int main(void) {
    char dir[64], ro[600];
    snprintf(dir, sizeof dir, "/tmp/pxc-write-safety-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_read_only(dir); /* first: it may fork before any pixcodec call */
    test_symlinks_and_paths(dir);
    snprintf(ro, sizeof ro, "%s/ro.png", dir);
    unlink(ro);
    rmdir(dir);
    return finish("test_write_safety");
}
