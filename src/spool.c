/* Sorted runs in a temporary file and their k-way merge. See pmt/spool.h. */
#include "pmt/spool.h"
#include "pmt/tz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A record: this header, then the payload (an event's output text), then padding to 8. */
struct rec {
    int64_t t_ns;
    uint64_t line;
    uint32_t src;
    uint32_t len;
};

_Static_assert(sizeof(struct rec) % 8 == 0, "records stay 8-aligned");

struct key {
    int64_t t;
    uint64_t line;
    uint32_t src;
    uint32_t off; /* of the record in the chunk */
};

struct run {
    uint64_t off, len; /* in the run file */
    struct key last;
};

struct reader {
    struct key head;
    const struct rec *cur;
    int is_mem;
    size_t mi;
    uint64_t fpos, fend;
    char *buf;
    size_t bcap, bpos, blen;
};

struct pmt_spool {
    char *chunk;
    size_t cap, used;
    struct key *idx;
    size_t nidx, idx_cap;
    size_t first_unsorted; /* first index whose key is below its predecessor's, or SIZE_MAX */
    int64_t max_t;         /* newest instant added so far */
    int64_t min_t;         /* oldest */
    char *spare;           /* a second chunk, for rebuilding one after an unsorted flush */
    struct key *aside;     /* keys out of order, while sorting */
    size_t spare_cap;

    int fd;
    char *tmpdir;
    uint64_t file_end;
    struct run *runs;
    size_t nruns, runs_cap;
    char *wbuf;
    size_t wlen;

    /* reading */
    int reading;
    struct reader *readers;
    size_t nreaders;
    struct reader **heap;
    size_t nheap;
    struct reader *returned;

    char error[300];
};

static inline int key_cmp(const struct key *a, const struct key *b)
{
    if (a->t != b->t) {
        return a->t < b->t ? -1 : 1;
    }
    if (a->src != b->src) {
        return a->src < b->src ? -1 : 1;
    }
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    return 0;
}

static int key_qcmp(const void *a, const void *b)
{
    return key_cmp(a, b);
}

static inline size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static inline size_t rec_size(const struct rec *rc)
{
    return pad8(sizeof(struct rec) + rc->len);
}

struct pmt_spool *pmt_spool_new(size_t chunk_bytes, const char *tmpdir)
{
    struct pmt_spool *sp = pmt_xcalloc(1, sizeof(*sp));
    sp->cap = PMT_MAX(chunk_bytes, (size_t)4096);
    sp->chunk = pmt_xmalloc(sp->cap);
    /* Records are at least a header long; a quarter of that bounds the index size. */
    sp->idx_cap = PMT_MAX(sp->cap / 64, (size_t)16);
    sp->idx = pmt_xmalloc(sp->idx_cap * sizeof(*sp->idx));
    sp->first_unsorted = SIZE_MAX;
    sp->max_t = INT64_MIN;
    sp->min_t = INT64_MAX;
    sp->fd = -1;
    const char *d = tmpdir ? tmpdir : getenv("TMPDIR");
    sp->tmpdir = pmt_xstrdup(d && *d ? d : "/tmp");
    return sp;
}

const char *pmt_spool_error(const struct pmt_spool *sp)
{
    return sp->error;
}

int pmt_spool_span(const struct pmt_spool *sp, int64_t *t0_s, int64_t *t1_s)
{
    if (sp->min_t > sp->max_t) {
        return 0;
    }
    *t0_s = sp->min_t >= 0 ? sp->min_t / PMT_NS_PER_S : -((-sp->min_t + PMT_NS_PER_S - 1) / PMT_NS_PER_S);
    *t1_s = sp->max_t >= 0 ? sp->max_t / PMT_NS_PER_S : -((-sp->max_t + PMT_NS_PER_S - 1) / PMT_NS_PER_S);
    return 1;
}

size_t pmt_spool_runs(const struct pmt_spool *sp)
{
    return sp->nruns;
}

uint64_t pmt_spool_spilled(const struct pmt_spool *sp)
{
    return sp->file_end;
}

static int fail(struct pmt_spool *sp, const char *what, int err)
{
    snprintf(sp->error, sizeof(sp->error),
             "%s the temporary spool in %s: %s (set TMPDIR to a directory with room; sorting "
             "needs about as much space as the uncompressed input)",
             what, sp->tmpdir, strerror(err));
    return -1;
}

static int open_file(struct pmt_spool *sp)
{
    size_t n = strlen(sp->tmpdir) + 32;
    char *path = pmt_xmalloc(n);
    snprintf(path, n, "%s/pmtimeline.XXXXXX", sp->tmpdir);
    sp->fd = mkstemp(path);
    int err = errno;
    if (sp->fd >= 0) {
        unlink(path); /* gone when we exit, however we exit */
    }
    free(path);
    if (sp->fd < 0) {
        return fail(sp, "cannot create", err);
    }
    sp->wbuf = pmt_xmalloc(1u << 20);
    return 0;
}

static int write_all(struct pmt_spool *sp, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(sp->fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(sp, "cannot write", errno);
        }
        p += w;
        n -= (size_t)w;
        sp->file_end += (uint64_t)w;
    }
    return 0;
}

static int wbuf_put(struct pmt_spool *sp, const void *p, size_t n)
{
    if (sp->wlen + n > (1u << 20)) {
        if (write_all(sp, sp->wbuf, sp->wlen) < 0) {
            return -1;
        }
        sp->wlen = 0;
        if (n > (1u << 20)) {
            return write_all(sp, p, n);
        }
    }
    memcpy(sp->wbuf + sp->wlen, p, n);
    sp->wlen += n;
    return 0;
}

/*
 * Sorts keys, fast for what logs are: sorted, or nearly. Keys that keep the order stay where
 * they are (compacted to the front); the ones that step back go aside, get sorted, and are
 * merged back from the end. O(n + b log b) for b keys out of place: a second-precision writer
 * mixed into a microsecond one, or requests stamped when they started, cost little.
 */
static void sort_keys(struct pmt_spool *sp, size_t n, size_t from)
{
    struct key *k = sp->idx;
    if (from == 0) {
        from = 1;
    }
    if (!sp->aside) {
        sp->aside = pmt_xmalloc(sp->idx_cap * sizeof(*sp->aside));
    }
    struct key *b = sp->aside;
    size_t a = from, nb = 0;
    for (size_t i = from; i < n; i++) {
        if (key_cmp(&k[a - 1], &k[i]) <= 0) {
            k[a++] = k[i];
        } else {
            b[nb++] = k[i];
        }
    }
    qsort(b, nb, sizeof(*b), key_qcmp);
    /* merge k[0..a) and b[0..nb) into k[0..n) from the back */
    size_t i = a, j = nb, o = n;
    while (j > 0) {
        if (i > 0 && key_cmp(&k[i - 1], &b[j - 1]) > 0) {
            k[--o] = k[--i];
        } else {
            k[--o] = b[--j];
        }
    }
}

/* Keys with t <= limit in a sorted array. */
static size_t count_upto(const struct key *k, size_t n, int64_t limit)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].t <= limit) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * Writes the older part of the chunk as (part of) a sorted run and keeps the rest.
 *
 * Logs are nearly sorted, not sorted: nginx stamps a request when it ends, Apache when it
 * starts, a second-precision writer interleaves with a microsecond one. Writing a whole chunk
 * would let the next chunk start before the run's end and open a new run each time. So only
 * records older than the newest one seen minus PMT_SPOOL_WINDOW_NS are written (always at
 * least seven eighths of the chunk, so it makes progress and copies little); the newer ones wait for the next chunk.
 */
static int flush(struct pmt_spool *sp)
{
    size_t n = sp->nidx;
    if (n == 0) {
        return 0;
    }
    if (sp->fd < 0 && open_file(sp) < 0) {
        return -1;
    }
    int in_order = sp->first_unsorted >= n;
    if (!in_order) {
        sort_keys(sp, n, sp->first_unsorted);
    }
    int64_t limit = sp->max_t < INT64_MIN + PMT_SPOOL_WINDOW_NS ? INT64_MIN
                                                               : sp->max_t - PMT_SPOOL_WINDOW_NS;
    size_t w = count_upto(sp->idx, n, limit);
    if (w < n - n / 8) {
        w = n - n / 8; /* keep at most an eighth back: the copy of what is kept stays cheap */
    }
    struct key last_written = sp->idx[w - 1];
    struct run *r = sp->nruns ? &sp->runs[sp->nruns - 1] : NULL;
    if (!r || key_cmp(&r->last, &sp->idx[0]) > 0) {
        if (sp->nruns == sp->runs_cap) {
            sp->runs_cap = sp->runs_cap ? sp->runs_cap * 2 : 16;
            sp->runs = pmt_xrealloc(sp->runs, sp->runs_cap * sizeof(*sp->runs));
        }
        r = &sp->runs[sp->nruns++];
        r->off = sp->file_end;
        r->len = 0;
    }
    uint64_t before = sp->file_end;
    if (in_order) {
        /* The common case: records lie in order in the chunk; write the prefix in one go,
         * slide the rest to the front. */
        size_t cut = w < sp->nidx ? sp->idx[w].off : sp->used;
        if (write_all(sp, sp->chunk, cut) < 0) {
            return -1;
        }
        memmove(sp->chunk, sp->chunk + cut, sp->used - cut);
        sp->used -= cut;
        for (size_t i = w; i < sp->nidx; i++) {
            sp->idx[i - w] = sp->idx[i];
            sp->idx[i - w].off -= (uint32_t)cut;
        }
    } else {
        for (size_t i = 0; i < w; i++) {
            const struct rec *rc = (const struct rec *)(sp->chunk + sp->idx[i].off);
            if (wbuf_put(sp, rc, rec_size(rc)) < 0) {
                return -1;
            }
        }
        if (write_all(sp, sp->wbuf, sp->wlen) < 0) {
            return -1;
        }
        sp->wlen = 0;
        /* Rebuild the chunk from the kept records, in order, in the spare buffer. */
        if (!sp->spare || sp->spare_cap < sp->cap) {
            free(sp->spare);
            sp->spare = pmt_xmalloc(sp->cap);
            sp->spare_cap = sp->cap;
        }
        size_t used = 0;
        for (size_t i = w; i < sp->nidx; i++) {
            const struct rec *rc = (const struct rec *)(sp->chunk + sp->idx[i].off);
            memcpy(sp->spare + used, rc, rec_size(rc));
            sp->idx[i - w] = sp->idx[i];
            sp->idx[i - w].off = (uint32_t)used;
            used += rec_size(rc);
        }
        char *t = sp->chunk;
        size_t tc = sp->cap;
        sp->chunk = sp->spare;
        sp->cap = sp->spare_cap;
        sp->spare = t;
        sp->spare_cap = tc;
        sp->used = used;
    }
    r->len += sp->file_end - before;
    r->last = last_written;
    sp->nidx -= w;
    sp->first_unsorted = SIZE_MAX; /* what is kept is sorted */
    return 0;
}

char *pmt_spool_reserve(struct pmt_spool *sp, size_t max)
{
    size_t need = pad8(sizeof(struct rec) + max);
    if (sp->used + need > sp->cap || sp->nidx >= sp->idx_cap) {
        if (flush(sp) < 0) {
            return NULL;
        }
        if (sp->used + need > sp->cap) { /* one record larger than a chunk */
            sp->cap = pad8(sp->used + need);
            sp->chunk = pmt_xrealloc(sp->chunk, sp->cap);
        }
    }
    return sp->chunk + sp->used + sizeof(struct rec);
}

void pmt_spool_commit(struct pmt_spool *sp, int64_t t_ns, uint32_t src, uint64_t line, size_t len)
{
    struct rec *rc = (struct rec *)(sp->chunk + sp->used);
    rc->t_ns = t_ns;
    rc->line = line;
    rc->src = src;
    rc->len = (uint32_t)len;
    size_t size = pad8(sizeof(struct rec) + len);
    memset((char *)(rc + 1) + len, 0, size - sizeof(struct rec) - len);
    struct key k = {t_ns, line, src, (uint32_t)sp->used};
    if (sp->nidx > 0 && sp->first_unsorted == SIZE_MAX &&
        key_cmp(&sp->idx[sp->nidx - 1], &k) > 0) {
        sp->first_unsorted = sp->nidx;
    }
    sp->idx[sp->nidx++] = k;
    sp->used += size;
    if (t_ns > sp->max_t) {
        sp->max_t = t_ns;
    }
    if (t_ns < sp->min_t) {
        sp->min_t = t_ns;
    }
}

/* ---- reading ---- */

static void load_head(struct reader *r, const struct rec *rc)
{
    r->cur = rc;
    r->head.t = rc->t_ns;
    r->head.src = rc->src;
    r->head.line = rc->line;
}

/* Moves r to its next record; returns 0 when it has none, -1 on a read error. */
static int reader_advance(struct pmt_spool *sp, struct reader *r)
{
    if (r->is_mem) {
        if (r->mi >= sp->nidx) {
            return 0;
        }
        load_head(r, (const struct rec *)(sp->chunk + sp->idx[r->mi++].off));
        return 1;
    }
    if (r->cur) {
        r->bpos += rec_size(r->cur);
        r->cur = NULL;
    }
    for (;;) {
        size_t have = r->blen - r->bpos;
        if (have >= sizeof(struct rec)) {
            const struct rec *rc = (const struct rec *)(r->buf + r->bpos);
            if (have >= rec_size(rc)) {
                load_head(r, rc);
                return 1;
            }
            if (rec_size(rc) > r->bcap) {
                memmove(r->buf, r->buf + r->bpos, have);
                r->bpos = 0;
                r->blen = have;
                r->bcap = rec_size(rc);
                r->buf = pmt_xrealloc(r->buf, r->bcap);
            }
        }
        if (r->fpos >= r->fend) {
            return 0;
        }
        memmove(r->buf, r->buf + r->bpos, have);
        r->bpos = 0;
        r->blen = have;
        size_t want = (size_t)PMT_MIN((uint64_t)(r->bcap - have), r->fend - r->fpos);
        ssize_t got = pread(sp->fd, r->buf + have, want, (off_t)r->fpos);
        if (got <= 0) {
            fail(sp, "cannot read back", got < 0 ? errno : EIO);
            return -1;
        }
        r->fpos += (uint64_t)got;
        r->blen += (size_t)got;
    }
}

static void sift_down(struct reader **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && key_cmp(&h[l]->head, &h[m]->head) < 0) {
            m = l;
        }
        if (l + 1 < n && key_cmp(&h[l + 1]->head, &h[m]->head) < 0) {
            m = l + 1;
        }
        if (m == i) {
            return;
        }
        struct reader *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

int pmt_spool_finish(struct pmt_spool *sp)
{
    /* The last chunk stays in memory as one more run. */
    if (sp->first_unsorted != SIZE_MAX) {
        sort_keys(sp, sp->nidx, sp->first_unsorted);
    }
    sp->nreaders = sp->nruns + 1;
    sp->readers = pmt_xcalloc(sp->nreaders, sizeof(*sp->readers));
    sp->heap = pmt_xcalloc(sp->nreaders, sizeof(*sp->heap));
    /* Read buffers shrink as runs multiply, so memory stays near 8 MiB in all. */
    size_t bcap = sp->nruns ? PMT_MAX((size_t)(8u << 20) / sp->nruns, (size_t)(16u << 10)) : 0;
    bcap = PMT_MIN(bcap, (size_t)(1u << 20));
    for (size_t i = 0; i < sp->nreaders; i++) {
        struct reader *r = &sp->readers[i];
        if (i < sp->nruns) {
            r->fpos = sp->runs[i].off;
            r->fend = sp->runs[i].off + sp->runs[i].len;
            r->bcap = bcap;
            r->buf = pmt_xmalloc(bcap);
        } else {
            r->is_mem = 1;
        }
        int rc = reader_advance(sp, r);
        if (rc < 0) {
            return -1;
        }
        if (rc > 0) {
            sp->heap[sp->nheap++] = r;
        }
    }
    for (size_t i = sp->nheap / 2; i-- > 0;) {
        sift_down(sp->heap, sp->nheap, i);
    }
    free(sp->wbuf);
    sp->wbuf = NULL;
    sp->reading = 1;
    return 0;
}

int pmt_spool_next(struct pmt_spool *sp, struct pmt_spool_item *it)
{
    if (sp->returned) {
        int rc = reader_advance(sp, sp->returned);
        if (rc < 0) {
            return -1;
        }
        if (rc == 0) {
            sp->heap[0] = sp->heap[--sp->nheap];
        }
        sift_down(sp->heap, sp->nheap, 0);
        sp->returned = NULL;
    }
    if (sp->nheap == 0) {
        return 0;
    }
    struct reader *r = sp->heap[0];
    const struct rec *rc = r->cur;
    it->t_ns = rc->t_ns;
    it->line = rc->line;
    it->src = rc->src;
    it->text = (const char *)(rc + 1);
    it->len = rc->len;
    sp->returned = r;
    return 1;
}

void pmt_spool_free(struct pmt_spool *sp)
{
    if (!sp) {
        return;
    }
    for (size_t i = 0; i < sp->nreaders; i++) {
        free(sp->readers[i].buf);
    }
    free(sp->readers);
    free(sp->heap);
    if (sp->fd >= 0) {
        close(sp->fd);
    }
    free(sp->runs);
    free(sp->wbuf);
    free(sp->chunk);
    free(sp->spare);
    free(sp->aside);
    free(sp->idx);
    free(sp->tmpdir);
    free(sp);
}
