/* File helpers shared by the C tests that check what writes leave on disk (include after
 * defining _POSIX_C_SOURCE and including <dirent.h>, <stdio.h> and <string.h>). */
#ifndef PXC_FILEUTIL_H
#define PXC_FILEUTIL_H

/* Entries in `dir` other than "." and "..", or (size_t)-1 when it cannot be opened. */
static size_t count_entries(const char *dir) {
    size_t n = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    if (!d) return (size_t)-1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    }
    closedir(d);
    return n;
}

/* True when the file at `path` holds exactly `content` (up to 256 bytes). */
static int file_equals(const char *path, const char *content) {
    char buf[256];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == strlen(content) && memcmp(buf, content, n) == 0;
}

#endif
