/* Helpers shared by the unit tests: temp files, gzip, running the pipeline in-process. */
#ifndef PMT_TESTUTIL_H
#define PMT_TESTUTIL_H

/* cmocka needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "pmt/common.h"

/* A fresh directory under $TMPDIR for one test binary; removed by tu_cleanup. */
static char tu_dir[256];

static inline const char *tu_tmpdir(void)
{
    if (!tu_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tu_dir, sizeof(tu_dir), "%s/pmt-unit.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tu_dir)) {
            fail_msg("mkdtemp failed");
        }
    }
    return tu_dir;
}

static inline void tu_cleanup(void)
{
    if (tu_dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", tu_dir);
        }
    }
}

/* Writes n bytes to tmpdir/name and returns the path (malloc'd). */
static inline char *tu_write(const char *name, const void *data, size_t n)
{
    size_t n_path = strlen(tu_tmpdir()) + strlen(name) + 2;
    char *path = malloc(n_path);
    snprintf(path, n_path, "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* gzip-compresses data into a malloc'd buffer (one member). */
static inline unsigned char *tu_gzip(const void *data, size_t n, size_t *out_n)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_n = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* Reads a whole file into a NUL-terminated malloc'd string. */
static inline char *tu_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (n) {
        *n = len;
    }
    return buf;
}

#endif
