/*
 * The pipeline: inputs -> detect -> parse -> spool (order) -> emit, then the per-input summary.
 *
 * Every line read ends up in exactly one of: an event, a continuation joined to one, a blank
 * line, or unparsed (counted, sampled, and written to --unparsed FILE when asked).
 */
#include "pmt/run.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "pmt/input.h"
#include "pmt/parser.h"
#include "pmt/pipe.h"
#include "pmt/spool.h"

#define PIPE_BUFFERS 4
#define PIPE_BUFFER_BYTES ((1u << 20) + (64u << 10))

#define SAMPLE_LINES 32
#define MALFORMED_WARNINGS 3 /* per input; the rest are counted in the summary */
#define UNPARSED_SAMPLE 80

struct src_stats {
    uint64_t lines, events, cont, blank /* and headers */, unparsed, cut;
    uint64_t first_unparsed_line;
    char sample[UNPARSED_SAMPLE + 1];
    size_t sample_len;
    int parser;   /* -1: not recognised */
    int opened;
    int skipped;  /* binary file inside a directory */
    uint64_t other_format; /* events read by another format than the input's (mixed content) */
    uint16_t flags_seen; /* PMT_EV_* over all its events */
    int32_t seen_off;    /* an offset its stamps carried themselves */
    int has_seen_off;
    int64_t last_s;      /* its last stamp, for the zone's offset in notes */
    const char *year_ref; /* what year inference went by, for the note */
};

struct run {
    const struct pmt_opts *o;
    FILE *err;
    FILE *unparsed;
    struct pmt_sources srcs;
    struct src_stats *st;
    struct pmt_spool *spool;
    struct pmt_draft *draft; /* the default output; the spool is for --all */
    struct pmt_pipe *pipe;
    const struct pmt_emitter *em;
    struct pmt_emit_ctx ec;
    char **json_names;
    size_t *json_lens;
    const char **source_names;
    char fam_key[512]; /* the rotated family of the input read last, and its last instant */
    int64_t fam_prev_s;
    int fam_has_prev;
    struct pmt_zone *zone;         /* display zone */
    struct pmt_zone **source_zones; /* one per --source-tz rule */
    int status;
};

/* Does a --format/--source-tz GLOB (or none) select this input, by path or file name? */
static int glob_matches(const char *glob, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return !glob || fnmatch(glob, path, 0) == 0 || fnmatch(glob, base, 0) == 0;
}

static int pick_parser(const struct run *r, const char *path)
{
    int chosen = -1;
    for (size_t i = 0; i < r->o->nformats; i++) {
        if (glob_matches(r->o->formats[i].glob, path)) {
            chosen = r->o->formats[i].parser; /* the last match wins */
        }
    }
    return chosen;
}

/* The zone for zone-less stamps of this input: the last --source-tz that matches, else the
 * display zone (the reader's zone is the best guess for logs of the same place). */
static const struct pmt_zone *pick_zone(const struct run *r, const char *path, int *given)
{
    const struct pmt_zone *z = r->zone;
    *given = 0;
    for (size_t i = 0; i < r->o->nsource_tz; i++) {
        if (glob_matches(r->o->source_tz[i].glob, path)) {
            z = r->source_zones[i];
            *given = 1;
        }
    }
    return z;
}

static void note_unparsed(struct run *r, struct src_stats *s, const struct pmt_source *src,
                          uint64_t lineno, struct pmt_str line)
{
    s->unparsed++;
    if (s->unparsed == 1) {
        s->first_unparsed_line = lineno;
        s->sample_len = PMT_MIN(line.len, (size_t)UNPARSED_SAMPLE);
        memcpy(s->sample, line.p, s->sample_len);
    }
    if (r->unparsed) {
        fprintf(r->unparsed, "%s:%llu:", src->path, (unsigned long long)lineno);
        fwrite(line.p, 1, line.len, r->unparsed);
        fputc('\n', r->unparsed);
    }
}

/*
 * Mixed content (a pipe carrying syslog and nginx lines, a file with a stray line of another
 * format): a line the input's parser cannot read is offered to the other line formats, in
 * registry order, each with its own state, opened when first needed. Not when the format was
 * forced: --format means that format.
 */
struct fallback {
    void *state[32];
    int open[32];
};

static int try_others(struct fallback *fb, int skip, struct pmt_parse_ctx *ctx, struct pmt_str line,
                      struct pmt_event *ev)
{
    for (size_t j = 0; j < pmt_parser_count && j < 32; j++) {
        const struct pmt_parser *q = pmt_parsers[j];
        if ((int)j == skip || q->no_fallback) {
            continue;
        }
        if (!fb->open[j]) {
            fb->state[j] = q->open ? q->open(ctx) : NULL;
            fb->open[j] = 1;
        }
        pmt_event_clear(ev);
        if (q->parse_line(fb->state[j], ctx, line, ev) == PMT_PARSE_EVENT) {
            return (int)j;
        }
    }
    return -1;
}

static void fallback_close(struct fallback *fb)
{
    for (size_t j = 0; j < pmt_parser_count && j < 32; j++) {
        if (fb->open[j] && pmt_parsers[j]->close) {
            pmt_parsers[j]->close(fb->state[j]);
        }
    }
}

#define DOC_MAX (64u << 20)

struct doc_emit {
    struct run *r;
    uint32_t src;
    uint8_t parser;
    uint64_t n;
    struct pmt_evbuf **b;
    struct src_stats *s;
};

static int doc_emit(void *arg, struct pmt_event *ev)
{
    struct doc_emit *d = arg;
    ev->src = d->src;
    ev->line = ++d->n; /* in a document, an event's position in it */
    ev->parser = d->parser;
    d->s->flags_seen |= ev->flags;
    d->s->events++;
    if (pmt_evbuf_add(*d->b, ev) < 0) {
        pmt_evbuf_close_last(*d->b);
        *d->b = pmt_pipe_send(d->r->pipe, 0);
        if (!*d->b || pmt_evbuf_add(*d->b, ev) < 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * A whole-document input (a Puppet report): read it all, up to DOC_MAX, and let the parser
 * emit its events. Its lines are all accounted for by the document: parsed, or unparsed when
 * the document cannot be read. Returns -1 only when the consumer failed.
 */
static int read_document(struct run *r, uint32_t idx, struct pmt_input *in,
                         const struct pmt_parser *p, void *state, struct pmt_parse_ctx *ctx,
                         struct pmt_evbuf **b)
{
    const struct pmt_source *src = &r->srcs.v[idx];
    struct src_stats *s = &r->st[idx];
    size_t cap = 1 << 16, len = 0;
    char *data = pmt_xmalloc(cap);
    struct pmt_str line;
    int cut, too_big = 0;
    while (pmt_input_next(in, &line, &cut)) {
        s->lines++;
        if (len + line.len + 1 > DOC_MAX) {
            too_big = 1;
            continue;
        }
        while (len + line.len + 1 > cap) {
            cap *= 2;
            data = pmt_xrealloc(data, cap);
        }
        memcpy(data + len, line.p, line.len);
        len += line.len;
        data[len++] = '\n';
    }
    struct doc_emit d = {r, idx, (uint8_t)s->parser, 0, b, s};
    int rc = too_big ? -1 : p->parse_doc(state, ctx, data, len, doc_emit, &d);
    if (rc < 0 && !*b) {
        free(data);
        return -1;
    }
    if (rc < 0) {
        const char *why = too_big ? "larger than 64 MiB" : ctx->why ? ctx->why : "unreadable";
        pmt_diag(r->err, "warning", "%s: document not read: %s; its %llu lines are counted as "
                                    "unparsed",
                 src->path, why, (unsigned long long)s->lines);
        s->unparsed = s->lines;
        s->first_unparsed_line = 1;
        s->sample_len = 0;
        if (r->unparsed && len > 0) {
            fprintf(r->unparsed, "%s:1:", src->path);
            fwrite(data, 1, len, r->unparsed);
        }
    }
    free(data);
    return 0;
}

/* Reads one input into the pipe. Returns -1 only when the consumer failed (fatal). */
static int read_source(struct run *r, uint32_t idx)
{
    const struct pmt_source *src = &r->srcs.v[idx];
    struct src_stats *s = &r->st[idx];
    struct pmt_input in;
    char msg[256];
    s->parser = -1;
    if (pmt_input_open(&in, src->path, src->path, msg, sizeof(msg)) < 0) {
        pmt_diag(r->err, "error", "%s: %s; skipped (check the path and its permissions)",
                 src->path, msg);
        r->status = PMT_EXIT_INPUT;
        return 0;
    }
    s->opened = 1;
    if (src->from_dir && pmt_input_looks_binary(&in)) {
        s->skipped = 1;
        if (!r->o->quiet) {
            pmt_diag(r->err, "note", "%s: skipped: looks binary, not a log", src->path);
        }
        pmt_input_close(&in);
        return 0;
    }

    int pidx = pick_parser(r, src->path);
    struct pmt_str sample[SAMPLE_LINES];
    size_t nsample = pmt_input_sample(&in, sample, SAMPLE_LINES);
    if (pidx < 0) {
        size_t n = nsample;
        int score = 0;
        struct pmt_parse_ctx pctx = {.opts = &r->o->parser};
        pidx = pmt_parser_detect(&pctx, sample, n, &score);
        if (pidx < 0 && n > 0) {
            fprintf(r->err, "pmtimeline: warning: %s: format not recognised (first line '",
                    src->path);
            pmt_diag_sample(r->err, sample[0].p, sample[0].len, 60);
            fprintf(r->err, "'); each line is tried against every format, the rest counted "
                            "as unparsed. Name one with --format NAME (--list-formats lists "
                            "them)\n");
        }
    }
    s->parser = pidx;

    struct pmt_srctime tctx = {.forced_year = r->o->year};
    tctx.zone = pick_zone(r, src->path, &tctx.zone_given);
    /* Year inference's reference: when the input was last written. A gzip member records
     * the original file's mtime (logrotate compresses after the last line); a plain file has
     * its own; stdin has only now. */
    struct stat sb;
    pmt_input_looks_binary(&in); /* reads the first block, and with it any gzip header */
    if (in.gz && in.gz_mtime > 0) {
        tctx.ref_s = in.gz_mtime;
        s->year_ref = "the time in its gzip header";
    } else if (!(src->path[0] == '-' && src->path[1] == '\0') && fstat(in.fd, &sb) == 0 &&
               S_ISREG(sb.st_mode)) {
        tctx.ref_s = (int64_t)sb.st_mtime;
        s->year_ref = "the file's modification time";
    } else {
        tctx.ref_s = r->o->now_s ? r->o->now_s : (int64_t)time(NULL);
        s->year_ref = "today's date";
    }
    /* A rotated set (x.log.2.gz, x.log.1, x.log) is one sequence in time: a repeated DST hour
     * that starts in one file is resolved by the lines before it in the previous one. */
    char fam[512];
    pmt_family_key(src->path, fam, sizeof(fam));
    if (r->fam_has_prev && strcmp(fam, r->fam_key) == 0) {
        tctx.prev_s = r->fam_prev_s;
        tctx.has_prev = 1;
    }
    struct pmt_parse_ctx ctx = {.time = &tctx, .source_name = src->path, .opts = &r->o->parser};
    const struct pmt_parser *p = pidx >= 0 ? pmt_parsers[pidx] : NULL;
    void *state = p && p->open ? p->open(&ctx) : NULL;

    struct pmt_str line;
    int cut, have_last = 0, warned = 0, failed = 0;
    struct pmt_event ev;
    struct pmt_evbuf *b = pmt_pipe_current(r->pipe);
    if (p && p->is_doc && p->is_doc(sample, nsample)) {
        failed = read_document(r, idx, &in, p, state, &ctx, &b) < 0;
        goto done;
    }
    uint64_t pending = 0; /* lines of a record still open (PMT_PARSE_PENDING) */
    struct fallback fb = {0};
    int forced = pick_parser(r, src->path) >= 0;
    while (pmt_input_next(&in, &line, &cut)) {
        s->lines++;
        ctx.lineno = in.lineno;
        if (PMT_UNLIKELY(cut)) {
            if (s->cut++ == 0) {
                pmt_diag(r->err, "warning", "%s:%llu: line longer than %zu bytes; cut there",
                         src->path, (unsigned long long)in.lineno, in.max_line);
            }
        }
        pmt_event_clear(&ev);
        enum pmt_parse_rc rc = p ? p->parse_line(state, &ctx, line, &ev) : PMT_PARSE_NOT_MINE;
        int fmt = pidx;
        if (rc == PMT_PARSE_NOT_MINE && !forced) {
            int j = try_others(&fb, pidx, &ctx, line, &ev);
            if (j >= 0) {
                rc = PMT_PARSE_EVENT;
                fmt = j;
                s->other_format++;
            }
        }
        switch (rc) {
        case PMT_PARSE_PENDING:
            pending++;
            break;
        case PMT_PARSE_EVENT:
            s->cont += pending; /* the record's earlier lines */
            pending = 0;
            ev.src = idx;
            ev.line = ev.line ? ev.line : in.lineno;
            ev.parser = (uint8_t)fmt;
            if (cut) {
                ev.flags |= PMT_EV_CUT;
            }
            s->flags_seen |= ev.flags;
            s->events++;
            have_last = 1;
            if (PMT_UNLIKELY(pmt_evbuf_add(b, &ev) < 0)) {
                pmt_evbuf_close_last(b);
                b = pmt_pipe_send(r->pipe, 0);
                failed = !b || pmt_evbuf_add(b, &ev) < 0;
            }
            break;
        case PMT_PARSE_CONTINUE:
            if (have_last) {
                s->cont++;
                if (PMT_UNLIKELY(pmt_evbuf_continue(b, ev.f[PMT_F_MESSAGE]) < 0)) {
                    b = pmt_pipe_send(r->pipe, 1);
                    failed = !b || pmt_evbuf_continue(b, ev.f[PMT_F_MESSAGE]) < 0;
                }
            } else {
                note_unparsed(r, s, src, in.lineno, line);
            }
            break;
        case PMT_PARSE_SKIP:
            s->blank++;
            break;
        case PMT_PARSE_MALFORMED:
            if (warned++ < MALFORMED_WARNINGS && !r->o->quiet) {
                fprintf(r->err, "pmtimeline: warning: %s:%llu: %s: '", src->path,
                        (unsigned long long)in.lineno, ctx.why ? ctx.why : "malformed");
                pmt_diag_sample(r->err, line.p, line.len, 60);
                fputs("'\n", r->err);
            }
            /* fall through */
        case PMT_PARSE_NOT_MINE:
            note_unparsed(r, s, src, in.lineno, line);
            break;
        }
        if (PMT_UNLIKELY(failed)) {
            break;
        }
    }
    fallback_close(&fb);
    if (p && p->finish && !failed) {
        pmt_event_clear(&ev);
        enum pmt_parse_rc rc = p->finish(state, &ctx, &ev);
        if (rc == PMT_PARSE_EVENT && pending > 0) {
            s->cont += pending - 1;
            s->events++;
            ev.src = idx;
            ev.parser = (uint8_t)pidx;
            s->flags_seen |= ev.flags;
            if (pmt_evbuf_add(b, &ev) < 0) {
                b = pmt_pipe_send(r->pipe, 0);
                failed = !b || pmt_evbuf_add(b, &ev) < 0;
            }
        } else if (pending > 0) {
            s->unparsed += pending;
            if (s->unparsed == pending) {
                s->first_unparsed_line = in.lineno - pending + 1;
                memcpy(s->sample, "(an unterminated record)", 24);
                s->sample_len = 24;
            }
        }
    }
done:
    if (b) {
        pmt_evbuf_close_last(b); /* the next input's lines never continue this one's events */
    }
    if (in.status != PMT_IN_OK) {
        pmt_diag(r->err, "warning", "%s: %s", src->path, in.problem);
        r->status = PMT_EXIT_INPUT;
    }
    if (p && p->close) {
        p->close(state);
    }
    s->seen_off = tctx.seen_off;
    s->has_seen_off = tctx.has_seen_off;
    s->last_s = tctx.prev_s;
    snprintf(r->fam_key, sizeof(r->fam_key), "%s", fam);
    r->fam_prev_s = tctx.prev_s;
    r->fam_has_prev = tctx.has_prev;
    pmt_input_close(&in);
    return failed ? -1 : 0;
}

/* The consumer thread, for the draft: each event into the aggregation. */
static int draft_batch(void *arg, const struct pmt_evbuf *b)
{
    struct run *r = arg;
    size_t pos = 0;
    struct pmt_event ev;
    while (pmt_evbuf_next(b, &pos, &ev)) {
        pmt_draft_add(r->draft, &ev, r->srcs.v[ev.src].path);
    }
    return 0;
}

/* The consumer thread: each event of a buffer, formatted, into the spool. */
static int format_batch(void *arg, const struct pmt_evbuf *b)
{
    struct run *r = arg;
    size_t pos = 0;
    struct pmt_event ev;
    static char scratch[3][PMT_EVENT_MAX_TEXT / 4];
    while (pmt_evbuf_next(b, &pos, &ev)) {
        if (r->o->redact) { /* client addresses and e-mails masked, for public postmortems */
            static const enum pmt_field fs[3] = {PMT_F_MESSAGE, PMT_F_CLIENT, PMT_F_USER_AGENT};
            for (int k = 0; k < 3; k++) {
                size_t n = pmt_redact(ev.f[fs[k]].p ? ev.f[fs[k]].p : "", ev.f[fs[k]].len,
                                      scratch[k], sizeof(scratch[k]));
                ev.f[fs[k]] = pmt_str_make(scratch[k], n);
            }
        }
        char *w = pmt_spool_reserve(r->spool, r->em->max_size(&r->ec, &ev));
        if (!w) {
            return -1;
        }
        char *end = r->em->format(&r->ec, &ev, w);
        pmt_spool_commit(r->spool, ev.t_ns, ev.src, ev.line, (size_t)(end - w));
    }
    return 0;
}

/* Index of an input in the same directory whose stamps carried an offset, or -1. */
static long zoned_neighbour(const struct run *r, size_t i)
{
    const char *p = r->srcs.v[i].path;
    const char *slash = strrchr(p, '/');
    size_t dlen = slash ? (size_t)(slash - p) : 0;
    for (size_t j = 0; j < r->srcs.n; j++) {
        const char *q = r->srcs.v[j].path;
        const char *qs = strrchr(q, '/');
        size_t qlen = qs ? (size_t)(qs - q) : 0;
        if (j != i && r->st[j].has_seen_off && qlen == dlen && memcmp(p, q, dlen) == 0) {
            return (long)j;
        }
    }
    return -1;
}

/*
 * Says which zone a zone-less input was read in. When an input beside it (same directory:
 * nginx's error.log next to its access.log) carries offsets, the note names it and the
 * --source-tz that would apply its offset; it is not applied by itself, because two files in
 * one place can still come from writers set to different zones.
 */
static void zone_note(struct run *r, size_t i)
{
    const char *path = r->srcs.v[i].path;
    int given;
    const struct pmt_zone *z = pick_zone(r, path, &given);
    fprintf(r->err,
            "pmtimeline: note: %s: timestamps carry no zone; assumed %s, the output zone "
            "(marked \"assumed\" in JSON; set it with --source-tz)\n",
            path, pmt_zone_name(z));
    long j = zoned_neighbour(r, i);
    if (j < 0) {
        return;
    }
    char o[8];
    o[pmt_fmt_offset(o, r->st[j].seen_off, 0)] = '\0';
    if (pmt_zone_offset_at(z, r->st[i].last_s) == r->st[j].seen_off) {
        fprintf(r->err, "pmtimeline: note: %s: %s beside it writes %s, which agrees\n", path,
                r->srcs.v[j].path, o);
    } else {
        const char *base = strrchr(path, '/');
        fprintf(r->err,
                "pmtimeline: note: %s: %s beside it writes %s; if both were written in one "
                "zone, add --source-tz '%s=%s'\n",
                path, r->srcs.v[j].path, o, base ? base + 1 : path, o);
    }
}

/* The assumptions behind the times, as lines for the output itself (Markdown's Notes). */
static char **output_notes(struct run *r, const struct pmt_draft_result *dr, size_t *n)
{
    char **v = pmt_xcalloc(2 * r->srcs.n + 2, sizeof(*v));
    *n = 0;
    if (dr && dr->untracked) {
        char buf[200];
        snprintf(buf, sizeof(buf),
                 "%llu events are in no timeline line: their messages came after the draft "
                 "followed %u distinct ones (%u of info level or below); see them with --all",
                 (unsigned long long)dr->untracked, pmt_draft_template_cap() * 3 / 4,
                 pmt_draft_template_cap() / 2);
        v[(*n)++] = pmt_xstrdup(buf);
    }
    for (size_t i = 0; i < r->srcs.n; i++) {
        const struct src_stats *s = &r->st[i];
        const char *path = r->srcs.v[i].path;
        char buf[1200];
        if (s->flags_seen & PMT_EV_ZONE_ASSUMED) {
            int given;
            const struct pmt_zone *z = pick_zone(r, path, &given);
            snprintf(buf, sizeof(buf),
                     "%s: its timestamps carry no zone; they were read as %s (assumed)", path,
                     pmt_zone_name(z));
            v[(*n)++] = pmt_xstrdup(buf);
        }
        if ((s->flags_seen & PMT_EV_YEAR_ASSUMED) && !r->o->year) {
            snprintf(buf, sizeof(buf),
                     "%s: its timestamps carry no year; it was inferred from %s", path,
                     s->year_ref ? s->year_ref : "today's date");
            v[(*n)++] = pmt_xstrdup(buf);
        }
    }
    return v;
}

static void summary(struct run *r)
{
    for (size_t i = 0; i < r->srcs.n; i++) {
        const struct src_stats *s = &r->st[i];
        const char *path = r->srcs.v[i].path;
        if (!s->opened || s->skipped) {
            continue;
        }
        fprintf(r->err, "pmtimeline: %s (%s): %llu lines, %llu events", path,
                s->parser >= 0 ? pmt_parsers[s->parser]->name
                : s->lines == 0 ? "empty"
                                : "unrecognised",
                (unsigned long long)s->lines, (unsigned long long)s->events);
        if (s->cont) {
            fprintf(r->err, " (+%llu continuation lines)", (unsigned long long)s->cont);
        }
        if (s->other_format) {
            fprintf(r->err, " (%llu of them read as other formats)",
                    (unsigned long long)s->other_format);
        }
        if (s->blank) {
            fprintf(r->err, ", %llu skipped (blank, header)", (unsigned long long)s->blank);
        }
        fprintf(r->err, ", %llu unparsed", (unsigned long long)s->unparsed);
        if (s->unparsed) {
            fprintf(r->err, " (first at line %llu: '", (unsigned long long)s->first_unparsed_line);
            pmt_diag_sample(r->err, s->sample, s->sample_len, 60);
            fputs("')", r->err);
        }
        fputc('\n', r->err);
        if (s->flags_seen & PMT_EV_ZONE_ASSUMED) {
            zone_note(r, i);
        }
        if ((s->flags_seen & PMT_EV_YEAR_ASSUMED) && !r->o->year) {
            fprintf(r->err,
                    "pmtimeline: note: %s: timestamps carry no year; inferred from %s "
                    "(give --year YYYY to set it)\n",
                    path, s->year_ref);
        }
    }
}

static char *json_quoted(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *q = pmt_xmalloc(n * 6 + PMT_ESC_SLACK + 3);
    char *w = q;
    *w++ = '"';
    w = pmt_json_esc(w, s, n);
    *w++ = '"';
    *len = (size_t)(w - q);
    return q;
}

/* --window START..END: two times, ISO 8601; zone-less ones in the display zone; ":SS"
 * may be left out. */
static int parse_window(struct run *r, const char *spec, struct pmt_draft_opts *d)
{
    const char *dots = strstr(spec, "..");
    if (!dots) {
        pmt_diag(r->err, "error", "--window '%s': expected START..END", spec);
        return -1;
    }
    int64_t t[2];
    for (int i = 0; i < 2; i++) {
        const char *p = i ? dots + 2 : spec;
        size_t n = i ? strlen(p) : (size_t)(dots - spec);
        char buf[64];
        if (n >= sizeof(buf) - 4) {
            n = 0;
        }
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (n == 16) { /* YYYY-MM-DDTHH:MM */
            memcpy(buf + 16, ":00", 4);
            n = 19;
        }
        struct pmt_civil c;
        struct pmt_srctime st = {.zone = r->zone, .zone_given = 1};
        uint16_t fl;
        int32_t off;
        if (n < 19 || pmt_parse_iso(buf, n, &c) < 0 ||
            pmt_srctime_resolve(&st, &c, &t[i], &off, &fl) < 0) {
            pmt_diag(r->err, "error", "--window: '%.*s' is not a time (use 2026-03-08T08:25)",
                     (int)(i ? strlen(p) : (size_t)(dots - spec)), p);
            return -1;
        }
    }
    if (t[1] < t[0]) {
        pmt_diag(r->err, "error", "--window '%s': the end is before the start", spec);
        return -1;
    }
    d->has_window = 1;
    d->window_start_ns = t[0];
    d->window_end_ns = t[1];
    return 0;
}

/* Zones and files named by options; -1 (after a message) on a usage error. */
static int setup(struct run *r)
{
    const struct pmt_opts *o = r->o;
    char msg[256];
    msg[0] = '\0';
    r->zone = o->tz ? pmt_zone_parse(o->tz, msg, sizeof(msg)) : pmt_zone_default(msg, sizeof(msg));
    if (!r->zone) {
        pmt_diag(r->err, "error", "--tz: %s", msg);
        return -1;
    }
    if (!o->tz && msg[0]) {
        pmt_diag(r->err, "warning", "%s", msg);
    }
    if (pmt_zone_note(r->zone) && !o->quiet) {
        pmt_diag(r->err, "note", "%s", pmt_zone_note(r->zone));
    }
    r->source_zones = pmt_xcalloc(o->nsource_tz + 1, sizeof(*r->source_zones));
    for (size_t i = 0; i < o->nsource_tz; i++) {
        r->source_zones[i] = pmt_zone_parse(o->source_tz[i].zone, msg, sizeof(msg));
        if (!r->source_zones[i]) {
            pmt_diag(r->err, "error", "--source-tz: %s", msg);
            return -1;
        }
    }
    for (size_t i = 0; i < pmt_parser_count; i++) {
        if (pmt_parsers[i]->check && pmt_parsers[i]->check(&o->parser, msg, sizeof(msg)) < 0) {
            pmt_diag(r->err, "error", "%s", msg);
            return -1;
        }
    }
    if (o->unparsed_path) {
        r->unparsed = fopen(o->unparsed_path, "w");
        if (!r->unparsed) {
            pmt_diag(r->err, "error", "--unparsed %s: cannot create: %s", o->unparsed_path,
                     strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void teardown(struct run *r)
{
    pmt_spool_free(r->spool);
    pmt_draft_free(r->draft);
    for (size_t i = 0; r->json_names && i < r->srcs.n; i++) {
        free(r->json_names[i]);
    }
    free(r->json_names);
    free(r->json_lens);
    free(r->source_names);
    pmt_emit_ctx_release(&r->ec);
    pmt_sources_free(&r->srcs);
    free(r->st);
    if (r->zone) {
        pmt_zone_free(r->zone);
    }
    for (size_t i = 0; r->source_zones && i < r->o->nsource_tz; i++) {
        if (r->source_zones[i]) {
            pmt_zone_free(r->source_zones[i]);
        }
    }
    free(r->source_zones);
}

int pmt_run(const struct pmt_opts *o, int out_fd, FILE *err)
{
    struct run r = {.o = o, .err = err, .status = PMT_EXIT_OK};
    if (setup(&r) < 0) {
        teardown(&r);
        return PMT_EXIT_USAGE;
    }

    if (o->npaths == 0) {
        pmt_sources_add(&r.srcs, "-", err);
    }
    for (size_t i = 0; i < o->npaths; i++) {
        if (pmt_sources_add(&r.srcs, o->paths[i], err) > 0) {
            r.status = PMT_EXIT_INPUT;
        }
    }
    r.st = pmt_xcalloc(r.srcs.n ? r.srcs.n : 1, sizeof(*r.st));
    r.spool = pmt_spool_new(o->spool_chunk ? o->spool_chunk : PMT_SPOOL_DEFAULT_CHUNK, NULL);
    r.json_names = pmt_xcalloc(r.srcs.n + 1, sizeof(*r.json_names));
    r.json_lens = pmt_xcalloc(r.srcs.n + 1, sizeof(*r.json_lens));
    for (size_t i = 0; i < r.srcs.n; i++) {
        r.json_names[i] = json_quoted(r.srcs.v[i].path, &r.json_lens[i]);
    }
    r.em = o->output == PMT_OUT_JSON   ? &pmt_emit_json_all
           : o->output == PMT_OUT_CSV  ? &pmt_emit_csv_all
           : o->output == PMT_OUT_TEXT ? &pmt_emit_text_all
                                       : &pmt_emit_md_all; /* md, and table: a list */
    r.source_names = pmt_xcalloc(r.srcs.n + 1, sizeof(*r.source_names));
    for (size_t i = 0; i < r.srcs.n; i++) {
        r.source_names[i] = r.srcs.v[i].path;
    }
    r.ec = (struct pmt_emit_ctx){.zone = r.zone,
                                 .source_names = r.source_names,
                                 .source_json = (const char *const *)r.json_names,
                                 .source_json_len = r.json_lens};

    /* Phase 1: parse here; on the consumer thread, aggregate for the draft, or (--all)
     * format into the spool's sorted runs. */
    if (!o->all) {
        struct pmt_draft_opts dopts;
        pmt_draft_opts_default(&dopts);
        if (o->draft.max_lines > 0) {
            dopts = o->draft;
        }
        dopts.redact = o->redact;
        if (o->window && parse_window(&r, o->window, &dopts) < 0) {
            teardown(&r);
            return PMT_EXIT_USAGE;
        }
        r.draft = pmt_draft_new(&dopts);
    }
    r.pipe = pmt_pipe_start(o->all ? format_batch : draft_batch, &r, PIPE_BUFFERS,
                            PIPE_BUFFER_BYTES);
    int fatal = 0;
    for (size_t i = 0; i < r.srcs.n && !fatal; i++) {
        fatal = read_source(&r, (uint32_t)i) < 0;
    }
    fatal |= pmt_pipe_finish(r.pipe) < 0;

    /* Phase 2: the draft; or merge the runs, whose text is ready, so a copy. */
    struct pmt_out out;
    pmt_out_init(&out, out_fd);
    if (r.draft) {
        if (!fatal) {
            const struct pmt_draft_result *dr = pmt_draft_finish(r.draft);
            struct pmt_draft_view view = {.zone = r.zone, .format = (int)o->output,
                                          .clock12 = o->clock12, .template_mode = o->template_mode};
            pmt_emit_draft(&out, &view, dr);
            if (o->output == PMT_OUT_MD || o->output == PMT_OUT_TABLE || o->output == PMT_OUT_TEXT) {
                size_t nnotes;
                char **notes = output_notes(&r, dr, &nnotes);
                int text = o->output == PMT_OUT_TEXT;
                if (nnotes) {
                    pmt_out_s(&out, text ? "\nNotes\n\n" : "\n**Notes**\n\n");
                }
                for (size_t i = 0; i < nnotes; i++) {
                    pmt_out_s(&out, text ? "  " : "- ");
                    if (text) {
                        pmt_out_text(&out, notes[i], strlen(notes[i]));
                    } else {
                        pmt_out_md_text(&out, notes[i], strlen(notes[i]));
                    }
                    pmt_out_ch(&out, '\n');
                    free(notes[i]);
                }
                free(notes);
            }
        }
    } else if (!fatal && pmt_spool_finish(r.spool) == 0) {
        pmt_spool_span(r.spool, &r.ec.span_t0, &r.ec.span_t1);
        char **notes = output_notes(&r, NULL, &r.ec.nnotes);
        r.ec.notes = (const char *const *)notes;
        r.em->begin(&r.ec, &out);
        struct pmt_spool_item it;
        int rc;
        while ((rc = pmt_spool_next(r.spool, &it)) > 0 && !out.err) {
            pmt_out_put(&out, it.text, it.len);
        }
        fatal = rc < 0;
        r.em->end(&r.ec, &out);
        for (size_t i = 0; i < r.ec.nnotes; i++) {
            free(notes[i]);
        }
        free(notes);
    } else {
        fatal = 1;
    }
    if (fatal) {
        pmt_diag(err, "error", "%s", pmt_spool_error(r.spool));
        r.status = PMT_EXIT_FATAL;
    }
    int werr = pmt_out_close(&out);
    if (werr) {
        pmt_diag(err, "error", "cannot write the output: %s", strerror(werr));
        r.status = PMT_EXIT_FATAL;
    }
    if (r.unparsed && fclose(r.unparsed) != 0) {
        r.unparsed = NULL;
        pmt_diag(err, "error", "--unparsed %s: write failed: %s", o->unparsed_path,
                 strerror(errno));
        r.status = PMT_EXIT_FATAL;
    }
    if (!o->quiet) {
        summary(&r);
    }
    teardown(&r);
    return r.status;
}
