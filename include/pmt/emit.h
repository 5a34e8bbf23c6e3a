/*
 * Writing results. Every emitter is given the same context and the events in order; the display
 * zone is applied only here.
 *
 * Log text is untrusted: the escaping helpers make sure no control character or terminal escape
 * reaches the output raw, invalid UTF-8 becomes U+FFFD, and Markdown or JSON syntax inside a
 * message stays text.
 */
#ifndef PMT_EMIT_H
#define PMT_EMIT_H

#include "pmt/event.h"
#include "pmt/tz.h"

/* A buffered writer on a file descriptor; a failed write is remembered, not ignored. */
struct pmt_out {
    int fd;
    int err; /* errno of the first failed write, or 0 */
    char *buf;
    size_t len, cap;
};

void pmt_out_init(struct pmt_out *o, int fd);
void pmt_out_flush_buf(struct pmt_out *o);
/* Flushes and frees; returns 0, or the errno of the first failed write. */
int pmt_out_close(struct pmt_out *o);

static inline void pmt_out_put(struct pmt_out *o, const void *p, size_t n)
{
    if (PMT_UNLIKELY(o->len + n > o->cap)) {
        pmt_out_flush_buf(o);
        if (n > o->cap) {
            /* larger than the buffer: write it straight through */
            struct pmt_out tmp = *o;
            tmp.buf = (char *)p;
            tmp.len = n;
            pmt_out_flush_buf(&tmp);
            o->err = tmp.err;
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static inline void pmt_out_ch(struct pmt_out *o, char c)
{
    if (PMT_UNLIKELY(o->len + 1 > o->cap)) {
        pmt_out_flush_buf(o);
    }
    o->buf[o->len++] = c;
}

static inline void pmt_out_s(struct pmt_out *o, const char *s)
{
    pmt_out_put(o, s, strlen(s));
}

/*
 * Room for n bytes at the end of the buffer, flushing first if needed: write through the
 * returned pointer, then pmt_out_commit. NULL when n is larger than the whole buffer.
 */
static inline char *pmt_out_reserve(struct pmt_out *o, size_t n)
{
    if (PMT_UNLIKELY(o->len + n > o->cap)) {
        pmt_out_flush_buf(o);
        if (n > o->cap) {
            return NULL;
        }
    }
    return o->buf + o->len;
}

static inline void pmt_out_commit(struct pmt_out *o, char *end)
{
    o->len = (size_t)(end - o->buf);
}

/* Raw writers behind pmt_out_reserve; each returns the new end. The room they may use:
 * JSON 6 bytes per input byte, Markdown 4 (plus 16 spare bytes for the 16-byte scan). */
char *pmt_json_esc(char *w, const char *p, size_t n);
char *pmt_md_esc(char *w, const char *p, size_t n);
/* Plain text for a terminal or a text file: controls as their pictures, bad UTF-8 as U+FFFD,
 * nothing else changed (room: 4 per byte). */
char *pmt_text_esc(char *w, const char *p, size_t n);
void pmt_out_text(struct pmt_out *o, const char *p, size_t n);
/*
 * --redact: IPv4 and IPv6 addresses become x.x.x.x / x:x:x:x, e-mail addresses keep only their
 * domain (…@example.com). Writes at most cap - 1 bytes and a NUL; returns the length.
 */
size_t pmt_redact(const char *p, size_t n, char *out, size_t cap);

/* One CSV field, always quoted (RFC 4180, written by libcsv); controls shown as pictures. */
void pmt_out_csv_field(struct pmt_out *o, const char *p, size_t n);
#define PMT_ESC_SLACK 16

/* Decimal digits of v at w (at most 20); returns the end. */
char *pmt_put_u64(char *w, uint64_t v);
void pmt_out_u64(struct pmt_out *o, uint64_t v);
void pmt_out_i64(struct pmt_out *o, int64_t v);

/* Escaped text. JSON: the inside of a string. Markdown: inline text, safe in a list or table. */
void pmt_out_json_str(struct pmt_out *o, const char *p, size_t n);
void pmt_out_md_text(struct pmt_out *o, const char *p, size_t n);

enum pmt_output_format { PMT_OUT_MD, PMT_OUT_JSON, PMT_OUT_TABLE, PMT_OUT_TEXT, PMT_OUT_CSV };

struct pmt_emit_ctx {
    const struct pmt_zone *zone;
    const char *const *source_names; /* by event src */
    const char *const *source_json;  /* the same, already JSON-escaped and quoted */
    const size_t *source_json_len;
    int64_t span_t0, span_t1; /* first and last instant shown, seconds (for headings) */
    const char *const *notes;  /* what was assumed, one plain-text line each, for the reader */
    size_t nnotes;
    /* formatted-time cache: one instant's second, its offset and its text */
    int64_t cache_sec;
    int32_t cache_off;
    int cache_valid;
    char cache_date[32];
    char cache_label[8]; /* "UTC" or "+03:00" for Markdown stamps */
    size_t cache_label_len;
    char cache_epoch[24]; /* decimal seconds since the epoch, for epoch_ns */
    size_t cache_epoch_len;
    int64_t zone_lo, zone_hi; /* instants between which cache_off and cache_label hold */
    char *scratch; /* CSV's field buffer, grown as needed; pmt_emit_ctx_release frees it */
    size_t scratch_cap;
};

void pmt_emit_ctx_release(struct pmt_emit_ctx *c);

/*
 * An output format for events. format writes one event at w, which has max_size(event) bytes
 * of room, and returns the end: it can write into the output buffer or into the spool alike.
 * begin and end write what comes before and after all events (a header, closing brackets).
 */
struct pmt_emitter {
    const char *name;
    void (*begin)(struct pmt_emit_ctx *c, struct pmt_out *out);
    size_t (*max_size)(const struct pmt_emit_ctx *c, const struct pmt_event *ev);
    char *(*format)(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w);
    void (*end)(struct pmt_emit_ctx *c, struct pmt_out *out);
};

extern const struct pmt_emitter pmt_emit_md_all;
extern const struct pmt_emitter pmt_emit_text_all;
extern const struct pmt_emitter pmt_emit_csv_all;
extern const struct pmt_emitter pmt_emit_json_all;

#endif
