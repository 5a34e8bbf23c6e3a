/*
 * One input stream, read as lines. gzip is recognised by its magic bytes (not the name), on
 * files and pipes alike, and multi-member streams (cat a.gz b.gz) are read through.
 *
 * Lines are views into one buffer that is reused: a view is valid until the next call of
 * pmt_input_next. A line has no '\n', and a '\r' before it is dropped. A line longer than
 * max_line is cut: the first max_line bytes come out as one line, flagged, and the rest of it
 * is skipped, so one megabyte-long line cannot make memory grow.
 */
#ifndef PMT_INPUT_H
#define PMT_INPUT_H

#include <zlib.h>

#include "pmt/common.h"

enum pmt_input_status {
    PMT_IN_OK,
    PMT_IN_TRUNCATED,  /* gzip stream ended early: what came before was read */
    PMT_IN_CORRUPT,    /* gzip data error or trailing garbage: what came before was read */
    PMT_IN_READ_ERROR, /* read(2) failed part way */
};

#define PMT_INPUT_DEFAULT_MAX_LINE (1u << 20)
#define PMT_INFLATE_BLOCKS 4
#define PMT_INFLATE_BLOCK (256u << 10)

/* The gzip inflater thread's ring of decompressed blocks (src/input.c). */
struct pmt_inflater;

struct pmt_input {
    const char *name; /* for messages; not owned */
    int fd;
    int own_fd;
    int gz;
    int eof;        /* no more data will come into buf */
    int zeof;       /* the raw (or compressed) stream has ended; owned by the inflater if any */
    int skipping;   /* inside the unread rest of a cut line */
    int at_member_end;
    z_stream zs;
    int zs_live;
    gz_header gzh;
    unsigned char *zin;
    size_t zin_cap;
    char *buf;
    size_t cap, pos, end;
    size_t max_line;
    uint64_t lineno;     /* number of the last line returned */
    uint64_t raw_bytes;  /* bytes read from the file */
    uint64_t data_bytes; /* bytes after decompression */
    uint64_t cut_lines;
    unsigned members;    /* gzip members completed */
    uint64_t inflated;   /* bytes produced by inflate (the inflater's count) */
    struct pmt_inflater *z;
    int64_t gz_mtime;    /* MTIME of the first gzip member, 0 if none */
    enum pmt_input_status status;
    char problem[200]; /* says what went wrong when status != OK */
};

/* Opens path (or stdin when path is NULL or "-"). Returns 0, or -1 with err filled. */
int pmt_input_open(struct pmt_input *in, const char *path, const char *name, char *err,
                   size_t errlen);

/* Reads from an fd the caller owns. */
void pmt_input_open_fd(struct pmt_input *in, int fd, const char *name);

/* Next line: 1 and the view, or 0 at the end. *cut is set when the line was cut at max_line. */
int pmt_input_next(struct pmt_input *in, struct pmt_str *line, int *cut);

/*
 * Views of up to max complete lines at the start of what is not yet read, without consuming
 * them (for format detection). Valid until the next pmt_input_next.
 */
size_t pmt_input_sample(struct pmt_input *in, struct pmt_str *lines, size_t max);

/* Whether the first bytes look like a binary file (NUL bytes, many control characters). */
int pmt_input_looks_binary(struct pmt_input *in);

void pmt_input_close(struct pmt_input *in);

#endif
