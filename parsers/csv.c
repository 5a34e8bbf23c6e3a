/*
 * CSV, as alert exports and hand-kept incident notes come (RFC 4180, read with libcsv):
 *
 *   time,host,severity,message
 *   2026-03-08 08:32:40,web-01,critical,"SiteDown: https://shop.example.com/login returns 502"
 *
 * A header row names the columns: the time is found among time, timestamp, date, @timestamp,
 * datetime, ts, created_at, ...; the message among message, msg, event, description, action,
 * summary, text, title, ...; host and severity likewise. --csv-time and --csv-message name a
 * column (or give its 1-based number) when the header uses other words. The delimiter (',',
 * ';', tab, '|') is taken from the header line. Times: ISO 8601 with or without a zone,
 * "YYYY-MM-DD HH:MM:SS" and "YYYY/MM/DD HH:MM:SS", and epoch seconds, milliseconds,
 * microseconds or nanoseconds (told apart by size). Quoted fields may hold delimiters and
 * newlines: such a record spans lines (PMT_PARSE_PENDING until it ends). Without a message
 * column, the other columns are joined as "name=value".
 */
#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "pmt/parser.h"

#define MAX_COLS 64
#define MAX_RECORD (1u << 20)

static const char *const time_names[] = {"time",      "timestamp", "date",       "@timestamp",
                                         "datetime",  "ts",        "created_at", "created",
                                         "time (utc)", "event_time", "occurred_at", "start",
                                         "started_at", "when"};
static const char *const message_names[] = {"message", "msg",   "event", "description",
                                            "action",  "summary", "text", "title",
                                            "details", "note",  "notes", "subject"};
static const char *const host_names[] = {"host", "hostname", "server", "node", "instance",
                                         "source_host", "machine"};
static const char *const severity_names[] = {"severity", "level", "priority", "loglevel",
                                             "log_level"};

struct state {
    struct csv_parser csv;
    char delim;
    int have_header;
    int ncols;
    char *names[MAX_COLS];
    int time_col, msg_col, host_col, sev_col;
    /* the record being read: its fields' text, back to back */
    char *buf;
    size_t len, cap;
    size_t off[MAX_COLS], flen[MAX_COLS];
    int nf;
    int too_long;
    int record_done;
    int pending; /* a record runs on from an earlier line */
    uint64_t first_line;
    char msg[4096];
    const struct pmt_parser_opts *opts;
    const char *err;
};

static void on_field(void *data, size_t n, void *arg)
{
    struct state *st = arg;
    if (st->nf >= MAX_COLS) {
        return;
    }
    if (st->len + n > MAX_RECORD) {
        n = st->len < MAX_RECORD ? MAX_RECORD - st->len : 0;
        st->too_long = 1;
    }
    if (st->len + n > st->cap) {
        st->cap = PMT_MAX(st->cap * 2, st->len + n);
        st->buf = pmt_xrealloc(st->buf, st->cap);
    }
    if (n) {
        memcpy(st->buf + st->len, data, n);
    }
    st->off[st->nf] = st->len;
    st->flen[st->nf] = n;
    st->len += n;
    st->nf++;
}

static void on_record(int c, void *arg)
{
    (void)c;
    ((struct state *)arg)->record_done = 1;
}

static struct pmt_str field(const struct state *st, int i)
{
    if (i < 0 || i >= st->nf) {
        return PMT_STR_NULL;
    }
    return pmt_str_make(st->buf + st->off[i], st->flen[i]);
}

static int name_in(struct pmt_str s, const char *const *names, size_t n)
{
    while (s.len && isspace((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.p[s.len - 1])) {
        s.len--;
    }
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) == s.len && strncasecmp(names[i], s.p, s.len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* --csv-time COL: a 1-based number, or a header name. -1 when it names nothing. */
static int column_by_option(const struct state *st, const char *opt)
{
    if (!opt) {
        return -1;
    }
    char *end;
    long k = strtol(opt, &end, 10);
    if (*end == '\0' && k >= 1 && k <= st->ncols) {
        return (int)k - 1;
    }
    for (int i = 0; i < st->ncols; i++) {
        if (strcasecmp(st->names[i], opt) == 0) {
            return i;
        }
    }
    return -2;
}

static int take_header(struct state *st)
{
    for (int i = 0; i < st->ncols; i++) { /* an earlier record that was no header */
        free(st->names[i]);
    }
    st->ncols = st->nf;
    st->time_col = st->msg_col = st->host_col = st->sev_col = -1;
    for (int i = 0; i < st->nf; i++) {
        struct pmt_str f = field(st, i);
        st->names[i] = pmt_xstrndup(f.p ? f.p : "", f.len);
        if (st->time_col < 0 && name_in(f, time_names, PMT_ARRAY_LEN(time_names))) {
            st->time_col = i;
        } else if (st->msg_col < 0 && name_in(f, message_names, PMT_ARRAY_LEN(message_names))) {
            st->msg_col = i;
        } else if (st->host_col < 0 && name_in(f, host_names, PMT_ARRAY_LEN(host_names))) {
            st->host_col = i;
        } else if (st->sev_col < 0 && name_in(f, severity_names, PMT_ARRAY_LEN(severity_names))) {
            st->sev_col = i;
        }
    }
    if (st->opts) {
        int t = column_by_option(st, st->opts->csv_time);
        int m = column_by_option(st, st->opts->csv_message);
        if (t == -2 || m == -2) {
            st->err = "--csv-time/--csv-message names no column of the header";
            return -1;
        }
        st->time_col = t >= 0 ? t : st->time_col;
        st->msg_col = m >= 0 ? m : st->msg_col;
    }
    if (st->time_col < 0) {
        st->err = "no time column in the header (name it with --csv-time)";
        return -1;
    }
    st->have_header = 1;
    return 0;
}

/* An epoch number: seconds, or ms/us/ns told apart by size; an optional fraction. */
static int epoch(struct pmt_str s, int64_t *t_ns)
{
    int64_t v = 0;
    size_t i = 0, digits = 0;
    while (i < s.len && isdigit((unsigned char)s.p[i])) {
        if (digits < 19) {
            v = v * 10 + (s.p[i] - '0');
        }
        digits++;
        i++;
    }
    if (digits == 0 || digits > 19) {
        return -1;
    }
    int64_t frac = 0, scale = 100000000;
    if (i < s.len && s.p[i] == '.') {
        for (i++; i < s.len && isdigit((unsigned char)s.p[i]); i++) {
            frac += (s.p[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i != s.len) {
        return -1;
    }
    /* seconds (10 digits), ms (13), us (16), ns (19); each must fit int64 nanoseconds */
    int64_t mult = digits <= 10 ? 1000000000 : digits <= 13 ? 1000000 : digits <= 16 ? 1000 : 1;
    if (v > INT64_MAX / mult || (mult == 1000000000 && v * mult > INT64_MAX - frac)) {
        return -1;
    }
    *t_ns = v * mult + (mult == 1000000000 ? frac : 0);
    return 0;
}

static int when(struct pmt_parse_ctx *ctx, struct pmt_str s, struct pmt_event *ev)
{
    while (s.len && isspace((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.p[s.len - 1])) {
        s.len--;
    }
    if (epoch(s, &ev->t_ns) == 0) {
        ev->off_s = 0;
        return 0;
    }
    char tmp[64];
    if (s.len >= sizeof(tmp) || s.len < 19) {
        return -1;
    }
    memcpy(tmp, s.p, s.len);
    if (tmp[4] == '/' && tmp[7] == '/') { /* 2026/03/08 08:25:00 */
        tmp[4] = tmp[7] = '-';
    }
    struct pmt_civil c;
    if (pmt_parse_iso(tmp, s.len, &c) < 0) {
        return -1;
    }
    return pmt_parse_stamp(ctx, &c, ev);
}

static enum pmt_parse_rc record(struct state *st, struct pmt_parse_ctx *ctx, struct pmt_event *ev)
{
    if (!st->have_header) {
        return take_header(st) == 0 ? PMT_PARSE_SKIP : PMT_PARSE_MALFORMED;
    }
    if (st->nf == 1 && st->flen[0] == 0) {
        return PMT_PARSE_SKIP; /* an empty line */
    }
    if (when(ctx, field(st, st->time_col), ev) < 0) {
        ctx->why = "no readable time in the time column";
        return PMT_PARSE_MALFORMED;
    }
    ev->f[PMT_F_HOST] = field(st, st->host_col);
    struct pmt_str sev = field(st, st->sev_col);
    if (sev.len) {
        ev->severity = (int8_t)pmt_severity_parse(sev.p, sev.len);
    }
    if (st->msg_col >= 0) {
        ev->f[PMT_F_MESSAGE] = field(st, st->msg_col);
    } else { /* no message column: the rest, as name=value */
        size_t w = 0;
        for (int i = 0; i < st->nf && w + 4 < sizeof(st->msg); i++) {
            if (i == st->time_col || i == st->host_col || i == st->sev_col) {
                continue;
            }
            struct pmt_str f = field(st, i);
            w += (size_t)snprintf(st->msg + w, sizeof(st->msg) - w, "%s%s=%.*s", w ? " " : "",
                                  i < st->ncols ? st->names[i] : "?", (int)f.len,
                                  f.p ? f.p : "");
        }
        ev->f[PMT_F_MESSAGE] = pmt_str_make(st->msg, PMT_MIN(w, sizeof(st->msg) - 1));
    }
    if (st->too_long) {
        ev->flags |= PMT_EV_CUT;
    }
    ev->line = st->first_line;
    return PMT_PARSE_EVENT;
}

static void begin_record(struct state *st, uint64_t lineno)
{
    st->len = 0;
    st->nf = 0;
    st->too_long = 0;
    st->record_done = 0;
    st->first_line = lineno;
}

static char sniff_delim(struct pmt_str line)
{
    static const char cands[] = {',', ';', '\t', '|'};
    char best = ',';
    size_t best_n = 0;
    for (size_t k = 0; k < sizeof(cands); k++) {
        size_t n = 0;
        int quoted = 0;
        for (size_t i = 0; i < line.len; i++) {
            if (line.p[i] == '"') {
                quoted = !quoted;
            } else if (!quoted && line.p[i] == cands[k]) {
                n++;
            }
        }
        if (n > best_n) {
            best = cands[k];
            best_n = n;
        }
    }
    return best;
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    struct state *st = state;
    if (!st->have_header && st->nf == 0 && st->len == 0) {
        if (line.len == 0) {
            return PMT_PARSE_SKIP;
        }
        st->delim = sniff_delim(line);
        csv_set_delim(&st->csv, (unsigned char)st->delim);
    }
    if (!st->pending) {
        if (line.len == 0) {
            return PMT_PARSE_SKIP; /* a blank line between records */
        }
        st->first_line = ctx->lineno;
    }
    st->record_done = 0;
    if (csv_parse(&st->csv, line.p, line.len, on_field, on_record, st) != line.len ||
        csv_parse(&st->csv, "\n", 1, on_field, on_record, st) != 1) {
        begin_record(st, ctx->lineno + 1);
        st->pending = 0;
        ctx->why = "CSV syntax error";
        return PMT_PARSE_MALFORMED;
    }
    if (!st->record_done) {
        st->pending = 1;
        return PMT_PARSE_PENDING; /* inside a quoted field that holds a newline */
    }
    st->pending = 0;
    enum pmt_parse_rc rc = record(st, ctx, ev);
    if (rc == PMT_PARSE_MALFORMED && !st->have_header) {
        ctx->why = st->err;
    }
    st->len = 0;
    st->nf = 0;
    return rc;
}

static enum pmt_parse_rc finish(void *state, struct pmt_parse_ctx *ctx, struct pmt_event *ev)
{
    struct state *st = state;
    if (st->len == 0 && st->nf == 0) {
        return PMT_PARSE_SKIP;
    }
    /* the input ended inside a quoted field: read what there is */
    st->record_done = 0;
    csv_fini(&st->csv, on_field, on_record, st);
    return st->record_done && st->have_header ? record(st, ctx, ev) : PMT_PARSE_MALFORMED;
}

static enum pmt_parse_rc finish(void *state, struct pmt_parse_ctx *ctx, struct pmt_event *ev);

static void *open_state(struct pmt_parse_ctx *ctx)
{
    struct state *st = pmt_xcalloc(1, sizeof(*st));
    csv_init(&st->csv, CSV_APPEND_NULL);
    st->opts = ctx ? ctx->opts : NULL;
    st->time_col = -1;
    return st;
}

static void close_state(void *state)
{
    struct state *st = state;
    csv_free(&st->csv);
    for (int i = 0; i < st->ncols; i++) {
        free(st->names[i]);
    }
    free(st->buf);
    free(st);
}

/* A header with a time column, and rows after it whose time reads. */
static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    struct pmt_parse_ctx ctx = {.opts = pctx ? pctx->opts : NULL};
    struct state *st = open_state(&ctx);
    size_t rows = 0, ok = 0;
    int header_ok = 0;
    for (size_t i = 0; i < n; i++) {
        struct pmt_event ev;
        pmt_event_clear(&ev);
        ctx.lineno = i + 1;
        enum pmt_parse_rc rc = parse_line(st, &ctx, lines[i], &ev);
        if (!header_ok) {
            header_ok = st->have_header && st->ncols >= 2;
            if (!header_ok && rc != PMT_PARSE_SKIP && rc != PMT_PARSE_PENDING) {
                break; /* the first record is no header with a time column */
            }
            continue;
        }
        if (rc == PMT_PARSE_EVENT || rc == PMT_PARSE_MALFORMED) {
            rows++;
            ok += rc == PMT_PARSE_EVENT;
        }
    }
    if (header_ok && rows == 0 && st->pending) { /* the sample ended inside its first row */
        struct pmt_event ev;
        pmt_event_clear(&ev);
        rows = 1;
        ok = finish(st, &ctx, &ev) == PMT_PARSE_EVENT;
    }
    close_state(st);
    /* a notch below the line formats: CSV-shaped text is easy to come by */
    return header_ok && rows ? (int)(ok * 95 / rows) : 0;
}

const struct pmt_parser pmt_parser_csv = {
    .name = "csv",
    .summary = "CSV with a header row: alert exports, incident notes (--csv-time, --csv-message)",
    .example = "2026-03-08 08:32:40,web-01,critical,\"SiteDown: /login returns 502\"",
    .probe = probe,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
    .finish = finish,
    .no_fallback = 1,
};
