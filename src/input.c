/* Line reading over plain and gzip streams. See pmt/input.h. */
#include "pmt/input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (256u << 10)

struct pmt_inflater {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *blk[PMT_INFLATE_BLOCKS];
    size_t len[PMT_INFLATE_BLOCKS];
    size_t head, count; /* full blocks: count of them from head */
    size_t taken;       /* bytes of the head block already copied out */
    int done;           /* the inflater has produced everything it will */
    int stop;           /* the reader is closing early */
};
#define ZIN_CHUNK (128u << 10)

static void init_common(struct pmt_input *in, int fd, const char *name)
{
    memset(in, 0, sizeof(*in));
    in->fd = fd;
    in->name = name;
    in->max_line = PMT_INPUT_DEFAULT_MAX_LINE;
    in->cap = READ_CHUNK * 2;
    in->buf = pmt_xmalloc(in->cap);
}

void pmt_input_open_fd(struct pmt_input *in, int fd, const char *name)
{
    init_common(in, fd, name);
}

int pmt_input_open(struct pmt_input *in, const char *path, const char *name, char *err,
                   size_t errlen)
{
    if (!path || strcmp(path, "-") == 0) {
        pmt_input_open_fd(in, 0, name ? name : "-");
        return 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        snprintf(err, errlen, "is a directory");
        return -1;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    init_common(in, fd, name ? name : path);
    in->own_fd = 1;
    return 0;
}

/* Records what went wrong (the first problem counts) and ends the raw stream. */
static void set_problem(struct pmt_input *in, enum pmt_input_status st, const char *what)
{
    if (in->status == PMT_IN_OK) {
        in->status = st;
        snprintf(in->problem, sizeof(in->problem), "%s", what);
    }
    in->zeof = 1;
}

/* read(2) with EINTR handled; -1 sets the input's problem. */
static ssize_t read_some(struct pmt_input *in, void *dst, size_t n)
{
    for (;;) {
        ssize_t r = read(in->fd, dst, n);
        if (r >= 0) {
            in->raw_bytes += (uint64_t)r;
            return r;
        }
        if (errno != EINTR) {
            char msg[160];
            snprintf(msg, sizeof(msg), "read error after %llu bytes: %s",
                     (unsigned long long)in->raw_bytes, strerror(errno));
            set_problem(in, PMT_IN_READ_ERROR, msg);
            return -1;
        }
    }
}

/* Makes sure at least `want` compressed bytes are buffered, if the stream has them. */
static size_t zin_fill(struct pmt_input *in, size_t want)
{
    if (in->zs.avail_in >= want) {
        return in->zs.avail_in;
    }
    if (in->zs.avail_in > 0 && in->zs.next_in != in->zin) {
        memmove(in->zin, in->zs.next_in, in->zs.avail_in);
    }
    in->zs.next_in = in->zin;
    while (in->zs.avail_in < want) {
        ssize_t r = read_some(in, in->zin + in->zs.avail_in, in->zin_cap - in->zs.avail_in);
        if (r <= 0) {
            break;
        }
        in->zs.avail_in += (uInt)r;
    }
    return in->zs.avail_in;
}

static int gz_start_member(struct pmt_input *in)
{
    int rc = in->zs_live ? inflateReset(&in->zs) : inflateInit2(&in->zs, 16 + MAX_WBITS);
    if (rc != Z_OK) {
        set_problem(in, PMT_IN_CORRUPT, "zlib could not start (out of memory?)");
        return -1;
    }
    in->zs_live = 1;
    if (in->members == 0) {
        memset(&in->gzh, 0, sizeof(in->gzh));
        inflateGetHeader(&in->zs, &in->gzh);
    }
    in->at_member_end = 0;
    return 0;
}

/*
 * Inflates into dst[0..cap). Returns bytes produced, 0 at the end of the data (in->zeof).
 * Touches only the compressed side of the input, so it can run on the inflater thread.
 */
static size_t gz_produce(struct pmt_input *in, char *dst, size_t cap)
{
    size_t produced = 0;
    while (produced < cap && !in->zeof) {
        if (in->at_member_end) {
            size_t have = zin_fill(in, 2);
            if (have == 0) {
                in->zeof = 1; /* clean end after the last member */
                break;
            }
            if (have >= 2 && in->zs.next_in[0] == 0x1f && in->zs.next_in[1] == 0x8b) {
                if (gz_start_member(in) < 0) {
                    break;
                }
            } else {
                char msg[160];
                snprintf(msg, sizeof(msg),
                         "data after gzip member %u is not gzip (at compressed byte %llu); "
                         "it was ignored",
                         in->members,
                         (unsigned long long)(in->raw_bytes - in->zs.avail_in));
                set_problem(in, PMT_IN_CORRUPT, msg);
                break;
            }
        }
        if (in->zs.avail_in == 0 && zin_fill(in, 1) == 0) {
            if (in->status == PMT_IN_OK) {
                char msg[160];
                snprintf(msg, sizeof(msg),
                         "truncated gzip stream: it ends after %llu compressed bytes "
                         "(%llu bytes decompressed); lines up to there were read",
                         (unsigned long long)in->raw_bytes,
                         (unsigned long long)(in->inflated + produced));
                set_problem(in, PMT_IN_TRUNCATED, msg);
            }
            in->zeof = 1;
            break;
        }
        in->zs.next_out = (Bytef *)dst + produced;
        in->zs.avail_out = (uInt)(cap - produced);
        int rc = inflate(&in->zs, Z_NO_FLUSH);
        produced = cap - in->zs.avail_out;
        if (in->members == 0 && in->gzh.done == 1 && in->gz_mtime == 0) {
            in->gz_mtime = (int64_t)in->gzh.time;
        }
        if (rc == Z_STREAM_END) {
            in->members++;
            in->at_member_end = 1;
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR ||
                   rc == Z_STREAM_ERROR) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "corrupt gzip data near compressed byte %llu (%s); lines before it were read",
                     (unsigned long long)(in->raw_bytes - in->zs.avail_in),
                     in->zs.msg ? in->zs.msg : "zlib error");
            set_problem(in, PMT_IN_CORRUPT, msg);
        }
    }
    in->inflated += produced;
    return produced;
}

/*
 * The inflater thread: decompresses gzip ahead of the parser into a ring of blocks, so a
 * gzip input costs the parsing thread a memcpy, not the inflate (which is slower than
 * parsing and would otherwise set the pace on its own).
 */
static void *inflater(void *arg)
{
    struct pmt_input *in = arg;
    struct pmt_inflater *z = in->z;
    for (;;) {
        pthread_mutex_lock(&z->mu);
        while (z->count == PMT_INFLATE_BLOCKS && !z->stop) {
            pthread_cond_wait(&z->cv, &z->mu);
        }
        if (z->stop) {
            pthread_mutex_unlock(&z->mu);
            break;
        }
        size_t slot = (z->head + z->count) % PMT_INFLATE_BLOCKS;
        pthread_mutex_unlock(&z->mu);
        size_t n = gz_produce(in, z->blk[slot], PMT_INFLATE_BLOCK);
        pthread_mutex_lock(&z->mu);
        z->len[slot] = n;
        if (n > 0) {
            z->count++;
        }
        if (in->zeof) {
            z->done = 1;
        }
        pthread_cond_broadcast(&z->cv);
        int done = z->done;
        pthread_mutex_unlock(&z->mu);
        if (done) {
            break;
        }
    }
    return NULL;
}

static void inflater_start(struct pmt_input *in)
{
    struct pmt_inflater *z = pmt_xcalloc(1, sizeof(*z));
    for (size_t i = 0; i < PMT_INFLATE_BLOCKS; i++) {
        z->blk[i] = pmt_xmalloc(PMT_INFLATE_BLOCK);
    }
    pthread_mutex_init(&z->mu, NULL);
    pthread_cond_init(&z->cv, NULL);
    in->z = z;
    if (pthread_create(&z->th, NULL, inflater, in) != 0) {
        fprintf(stderr, "pmtimeline: error: cannot start a thread\n");
        exit(PMT_EXIT_FATAL);
    }
}

static void inflater_stop(struct pmt_input *in)
{
    struct pmt_inflater *z = in->z;
    if (!z) {
        return;
    }
    pthread_mutex_lock(&z->mu);
    z->stop = 1;
    pthread_cond_broadcast(&z->cv);
    pthread_mutex_unlock(&z->mu);
    pthread_join(z->th, NULL);
    for (size_t i = 0; i < PMT_INFLATE_BLOCKS; i++) {
        free(z->blk[i]);
    }
    pthread_mutex_destroy(&z->mu);
    pthread_cond_destroy(&z->cv);
    free(z);
    in->z = NULL;
}

/* Copies inflated data from the ring into buf[end..cap). Returns bytes added; 0 at the end. */
static size_t gz_take(struct pmt_input *in)
{
    struct pmt_inflater *z = in->z;
    size_t added = 0;
    pthread_mutex_lock(&z->mu);
    while (z->count == 0 && !z->done) {
        pthread_cond_wait(&z->cv, &z->mu);
    }
    if (z->count == 0) {
        pthread_mutex_unlock(&z->mu);
        in->eof = 1; /* the thread is done: its status and problem are final */
        return 0;
    }
    size_t slot = z->head;
    pthread_mutex_unlock(&z->mu);
    size_t n = PMT_MIN(z->len[slot] - z->taken, in->cap - in->end);
    memcpy(in->buf + in->end, z->blk[slot] + z->taken, n);
    in->end += n;
    added += n;
    z->taken += n;
    if (z->taken == z->len[slot]) {
        pthread_mutex_lock(&z->mu);
        z->taken = 0;
        z->head = (z->head + 1) % PMT_INFLATE_BLOCKS;
        z->count--;
        pthread_cond_broadcast(&z->cv);
        pthread_mutex_unlock(&z->mu);
    }
    in->data_bytes += added;
    return added;
}

static void detect_gzip(struct pmt_input *in)
{
    /* Called once, before any data: peek at the magic through the compressed buffer. */
    in->zin_cap = ZIN_CHUNK;
    in->zin = pmt_xmalloc(in->zin_cap);
    in->zs.next_in = in->zin;
    in->zs.avail_in = 0;
    zin_fill(in, 2);
    if (in->zs.avail_in >= 2 && in->zin[0] == 0x1f && in->zin[1] == 0x8b) {
        in->gz = 1;
        gz_start_member(in);
        inflater_start(in);
        return;
    }
    /* Plain: hand over what was read. */
    size_t n = in->zs.avail_in;
    memcpy(in->buf, in->zin, n);
    in->end = n;
    in->data_bytes = n;
    free(in->zin);
    in->zin = NULL;
    in->zin_cap = 0;
    in->zs.avail_in = 0;
    if (in->zeof) {
        in->eof = 1; /* empty, or a read error before any data */
    }
}

/* Appends more data to buf[end..]. Returns bytes added; 0 at the end. */
static size_t fill(struct pmt_input *in)
{
    if (in->eof) {
        return 0;
    }
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->end -= in->pos;
        in->pos = 0;
    }
    size_t limit = in->max_line + READ_CHUNK;
    if (in->cap - in->end < READ_CHUNK / 4 && in->cap < limit) {
        in->cap = PMT_MIN(in->cap * 2, limit);
        in->buf = pmt_xrealloc(in->buf, in->cap);
    }
    if (in->end == in->cap) {
        return 0; /* cannot happen: a full buffer always holds a whole or cut line */
    }
    if (in->gz) {
        return gz_take(in);
    }
    ssize_t r = read_some(in, in->buf + in->end, in->cap - in->end);
    if (r <= 0) {
        in->eof = 1;
        return 0;
    }
    in->end += (size_t)r;
    in->data_bytes += (uint64_t)r;
    return (size_t)r;
}

static int started(struct pmt_input *in)
{
    if (!in->zin && !in->gz && in->data_bytes == 0 && !in->eof) {
        detect_gzip(in);
    }
    return 1;
}

int pmt_input_next(struct pmt_input *in, struct pmt_str *line, int *cut)
{
    started(in);
    *cut = 0;
    for (;;) {
        char *p = in->buf + in->pos;
        size_t avail = in->end - in->pos;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;
        if (nl) {
            in->pos += (size_t)(nl - p) + 1;
            if (in->skipping) {
                in->skipping = 0; /* the end of a cut line: already counted */
                continue;
            }
            size_t len = (size_t)(nl - p);
            if (len > 0 && p[len - 1] == '\r') {
                len--;
            }
            *line = pmt_str_make(p, len);
            in->lineno++;
            return 1;
        }
        if (in->skipping) {
            in->pos = in->end;
        } else if (avail >= in->max_line) {
            *line = pmt_str_make(p, in->max_line);
            in->pos += in->max_line;
            in->skipping = 1;
            in->cut_lines++;
            in->lineno++;
            *cut = 1;
            return 1;
        }
        if (fill(in) == 0 && in->eof) {
            avail = in->end - in->pos;
            if (avail == 0 || in->skipping) {
                in->pos = in->end;
                return 0;
            }
            p = in->buf + in->pos;
            if (memchr(p, '\n', avail)) {
                continue; /* the last fill brought a newline after all */
            }
            in->pos = in->end;
            *line = pmt_str_make(p, avail);
            in->lineno++;
            return 1;
        }
    }
}

size_t pmt_input_sample(struct pmt_input *in, struct pmt_str *lines, size_t max)
{
    started(in);
    /* Detection looks at the first 64 KiB at most. */
    while (in->end - in->pos < (64u << 10) && !in->eof) {
        if (fill(in) == 0) {
            break;
        }
    }
    size_t n = 0;
    const char *p = in->buf + in->pos, *end = in->buf + in->end;
    while (n < max && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            if (!in->eof) {
                break; /* an incomplete line is not a fair sample */
            }
            nl = end;
        }
        size_t len = (size_t)(nl - p);
        if (len > 0 && p[len - 1] == '\r') {
            len--;
        }
        lines[n++] = pmt_str_make(p, len);
        p = nl + 1;
    }
    return n;
}

int pmt_input_looks_binary(struct pmt_input *in)
{
    started(in);
    if (in->end == in->pos && !in->eof) {
        fill(in);
    }
    size_t n = PMT_MIN(in->end - in->pos, (size_t)4096);
    const unsigned char *p = (const unsigned char *)in->buf + in->pos;
    size_t ctl = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0) {
            return 1;
        }
        if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != 0x1b &&
            p[i] != '\f') {
            ctl++;
        }
    }
    return n > 0 && ctl * 10 > n;
}

void pmt_input_close(struct pmt_input *in)
{
    inflater_stop(in);
    if (in->zs_live) {
        inflateEnd(&in->zs);
    }
    if (in->own_fd && in->fd >= 0) {
        close(in->fd);
    }
    free(in->zin);
    free(in->buf);
    in->buf = NULL;
    in->zin = NULL;
    in->zs_live = 0;
    in->own_fd = 0;
}
