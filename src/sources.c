/* Turning paths into inputs: files, stdin, and directories walked in name order. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "pmt/run.h"

void pmt_diag(FILE *err, const char *level, const char *fmt, ...)
{
    va_list ap;
    fprintf(err, "pmtimeline: %s: ", level);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputc('\n', err);
}

void pmt_diag_sample(FILE *err, const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; i < n && i < max; i++) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
            fputc((int)c, err);
        } else if (c == '\\' || c == '\'') {
            fprintf(err, "\\%c", c);
        } else {
            fprintf(err, "\\x%02x", c); /* never raw: a log line may hold terminal escapes */
        }
    }
    if (n > max) {
        fputs("...", err);
    }
}

static void push(struct pmt_sources *s, char *path, int from_dir)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->v = pmt_xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n].path = path;
    s->v[s->n].from_dir = from_dir;
    s->n++;
}

/*
 * Splits "name.N" and "name.N.gz" into the family name's length and N (+1); other names have
 * rank 0, the live file, which comes last in its family.
 */
static size_t family(const char *s, unsigned long *rank)
{
    size_t n = strlen(s);
    size_t end = n;
    if (end > 3 && strcmp(s + end - 3, ".gz") == 0) {
        end -= 3;
    }
    size_t d = end;
    while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9') {
        d--;
    }
    if (d < end && d > 1 && s[d - 1] == '.' && end - d <= 6) {
        *rank = strtoul(s + d, NULL, 10) + 1;
        return d - 1;
    }
    *rank = 0;
    return n;
}

void pmt_family_key(const char *path, char *buf, size_t n)
{
    unsigned long rank;
    size_t len = family(path, &rank);
    snprintf(buf, n, "%.*s", (int)len, path);
}

int pmt_rotation_cmp(const char *a, const char *b)
{
    unsigned long ra, rb;
    size_t la = family(a, &ra), lb = family(b, &rb);
    size_t l = PMT_MIN(la, lb);
    int c = memcmp(a, b, l);
    if (c != 0) {
        return c;
    }
    if (la != lb) {
        return la < lb ? -1 : 1;
    }
    if (ra != rb) {
        /* same family: higher rotation number is older, and the live file (0) is newest */
        if (ra == 0) {
            return 1;
        }
        if (rb == 0) {
            return -1;
        }
        return ra > rb ? -1 : 1;
    }
    return strcmp(a, b);
}

static int name_cmp(const void *a, const void *b)
{
    return pmt_rotation_cmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct pmt_sources *s, const char *dir, FILE *err, int depth)
{
    if (depth > 64) {
        pmt_diag(err, "error", "%s: directories nested too deep; skipped", dir);
        return 1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        pmt_diag(err, "error", "%s: cannot read directory: %s", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = pmt_xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = pmt_xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_cmp);
    int errors = 0;
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        size_t len = dl + strlen(names[i]) + 2;
        char *path = pmt_xmalloc(len);
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        free(names[i]);
        struct stat sb, lsb;
        if (stat(path, &sb) < 0) {
            pmt_diag(err, "error", "%s: cannot read: %s", path, strerror(errno));
            errors++;
            free(path);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            /* A symlink to a directory is not followed: it could loop. */
            if (lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
                free(path);
                continue;
            }
            errors += walk(s, path, err, depth + 1);
            free(path);
        } else if (S_ISREG(sb.st_mode)) {
            push(s, path, 1);
        } else {
            free(path); /* sockets, fifos and devices inside a tree are not logs */
        }
    }
    free(names);
    return errors;
}

int pmt_sources_add(struct pmt_sources *s, const char *path, FILE *err)
{
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        return walk(s, path, err, 0);
    }
    /* Files (and unreadable paths) are opened later, in order, so errors come in order too. */
    push(s, pmt_xstrdup(path), 0);
    return 0;
}

void pmt_sources_free(struct pmt_sources *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].path);
    }
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
