/* Allocation wrappers: one message and exit 3 on failure (see pmt/common.h). */
#include <stdio.h>
#include <stdlib.h>

#include "pmt/common.h"

static void out_of_memory(size_t n)
{
    fprintf(stderr, "pmtimeline: error: out of memory (asked for %zu bytes)\n", n);
    exit(PMT_EXIT_FATAL);
}

void *pmt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        out_of_memory(n);
    }
    return p;
}

void *pmt_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        out_of_memory(n * size);
    }
    return p;
}

void *pmt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        out_of_memory(n);
    }
    return q;
}

char *pmt_xstrdup(const char *s)
{
    return pmt_xstrndup(s, strlen(s));
}

char *pmt_xstrndup(const char *s, size_t n)
{
    char *p = pmt_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
