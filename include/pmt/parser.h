/*
 * The parser seam. Each file in parsers/ exports one `const struct pmt_parser`; everything else
 * in it is static. parsers/registry.c holds the only list.
 *
 * A parser turns one line into an event. It never allocates per line: text fields of the
 * event are views into the line, and times go through pmt_srctime_resolve (parsers never call
 * mktime, localtime or strptime, nor read TZ).
 */
#ifndef PMT_PARSER_H
#define PMT_PARSER_H

#include "pmt/common.h"
#include "pmt/event.h"
#include "pmt/tz.h"

enum pmt_parse_rc {
    PMT_PARSE_EVENT,     /* ev was filled */
    PMT_PARSE_CONTINUE,  /* the line continues the previous event; ev->f[PMT_F_MESSAGE] is its text */
    PMT_PARSE_PENDING,   /* the line is part of a record still open (a CSV field with a newline) */
    PMT_PARSE_SKIP,      /* nothing to keep and nothing wrong (a blank line) */
    PMT_PARSE_NOT_MINE,  /* not this format */
    PMT_PARSE_MALFORMED, /* this format, but broken; ctx->why says how */
};

/* Options some parsers take from the command line. */
struct pmt_parser_opts {
    const char *nginx_log_format; /* --nginx-log-format 'STRING', as in nginx.conf */
    const char *nginx_conf;       /* --nginx-conf FILE: its log_format lines */
    const char *nginx_log_name;   /* --nginx-log-name NAME: only that one */
    const char *csv_time;         /* --csv-time COLUMN: name or 1-based number */
    const char *csv_message;      /* --csv-message COLUMN */
    const char *pattern;          /* --pattern REGEX, with named groups */
    const char *time_format;      /* --time-format FMT, for --pattern */
    const char *patterns_file;    /* --patterns FILE */
};

/* What a parser is given about its input. Owned by the caller, valid until close. */
struct pmt_parse_ctx {
    struct pmt_srctime *time; /* resolution state: repeated DST hours depend on the lines before */
    const char *source_name;
    const char *why; /* set by parse_line on PMT_PARSE_MALFORMED: a short reason */
    const struct pmt_parser_opts *opts;
    uint64_t lineno; /* of the line being parsed; a parser may set ev->line to a record's first */
};

/* A stamp read from a line, into ev: its instant and offset, and its PMT_EV_* flags added to
 * ev's. While probing (ctx->time NULL) only the fields' ranges are checked. -1: an impossible
 * date. The one way parsers turn civil time into an event's time. */
int pmt_parse_stamp(struct pmt_parse_ctx *ctx, const struct pmt_civil *c, struct pmt_event *ev);

struct pmt_parser {
    const char *name;    /* --format NAME; stable, scripts rely on it */
    const char *summary; /* one line for --list-formats */
    const char *example; /* one example line */
    /* Scores sample lines 0..100: how sure it is that they are its format. ctx->time is NULL:
     * probing checks stamps, it does not resolve them. */
    int (*probe)(const struct pmt_parse_ctx *ctx, const struct pmt_str *lines, size_t n);
    /* Not offered the lines other formats cannot read (CSV would take one for a header). */
    int no_fallback;
    /* Optional: checks the parser's options once, before any input; -1 with a message. */
    int (*check)(const struct pmt_parser_opts *o, char *err, size_t errlen);
    /* Per-input state; may return NULL when the parser needs none. */
    void *(*open)(struct pmt_parse_ctx *ctx);
    enum pmt_parse_rc (*parse_line)(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev);
    void (*close)(void *state);
    /*
     * Optional, for formats that are whole documents (Puppet reports): is_doc says from the
     * sample lines whether this input is one; parse_doc then gets all of it (capped) instead
     * of its lines, and hands each event to emit. Returns the events, or -1 (ctx->why says
     * why) when the document cannot be read.
     */
    int (*is_doc)(const struct pmt_str *lines, size_t n);
    /* Optional: at the end of the input, a record still open (PENDING lines): EVENT to
     * emit it, MALFORMED (its lines become unparsed), or SKIP. */
    enum pmt_parse_rc (*finish)(void *state, struct pmt_parse_ctx *ctx, struct pmt_event *ev);
    int (*parse_doc)(void *state, struct pmt_parse_ctx *ctx, const char *data, size_t len,
                     int (*emit)(void *arg, struct pmt_event *ev), void *arg);
};

extern const struct pmt_parser *const pmt_parsers[];
extern const size_t pmt_parser_count;

/* Index of the parser called name, or -1. */
int pmt_parser_find(const char *name);

/*
 * The usual probe: the share (0..100) of sample lines that parse as events, blank lines left
 * out. parse is the parser's own line function, with its state. With cont_neutral,
 * continuation lines are left out too (macOS syslog has more of them than events); without,
 * they count as misses (a format whose continuations are rare should not win a file of
 * another format's lines by calling them continuations).
 */
int pmt_probe_share(enum pmt_parse_rc (*parse)(void *state, struct pmt_parse_ctx *ctx,
                                               struct pmt_str line, struct pmt_event *ev),
                    void *state, struct pmt_parse_ctx *ctx, const struct pmt_str *lines,
                    size_t n, int cont_neutral);

/* Index of the parser that scores the sample highest, or -1 when none scores above 0. */
int pmt_parser_detect(const struct pmt_parse_ctx *ctx, const struct pmt_str *lines, size_t n,
                      int *score_out);

#endif
