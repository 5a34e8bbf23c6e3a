/*
 * Apache httpd error logs, both shapes in the wild:
 *
 *   [Sat Nov 21 09:49:20.205801 2026] [core:info] [pid 1:tid 2] [client 1.2.3.4:5] AH00128: ...
 *   [Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] File does not exist: /var/www/x
 *
 * (2.4 with module, pid/tid, microseconds; 2.2 and older with a bare level). The stamp has no
 * zone. The level becomes the severity (trace1..8 are debug), the module the program.
 */
#include <stdlib.h>

#include "pmt/parser.h"

static int level(const char *p, size_t n)
{
    if (n >= 5 && memcmp(p, "trace", 5) == 0) {
        return PMT_SEV_DEBUG;
    }
    int s = pmt_severity_parse(p, n);
    return s == PMT_SEV_NONE ? -2 : s;
}

/* "[Www Mmm dd hh:mm:ss[.ffffff] yyyy]" at p; returns the end (after ']') or NULL. */
static const char *stamp(const char *p, const char *end, struct pmt_civil *c)
{
    if (end - p < 26 || p[0] != '[' || p[4] != ' ' || p[8] != ' ' || p[11] != ' ' ||
        p[14] != ':' || p[17] != ':') {
        return NULL;
    }
    c->mon = pmt_month_abbr(p + 5);
    if (!c->mon || !pmt_is_digit(p[10]) || !pmt_is_digit(p[12]) || !pmt_is_digit(p[13]) ||
        !pmt_is_digit(p[15]) || !pmt_is_digit(p[16]) || !pmt_is_digit(p[18]) || !pmt_is_digit(p[19])) {
        return NULL;
    }
    c->day = (p[9] == ' ' ? 0 : (p[9] - '0') * 10) + (p[10] - '0');
    c->hour = (p[12] - '0') * 10 + (p[13] - '0');
    c->min = (p[15] - '0') * 10 + (p[16] - '0');
    c->sec = (p[18] - '0') * 10 + (p[19] - '0');
    const char *q = p + 20;
    c->nsec = 0;
    if (*q == '.') {
        int digits = 0;
        for (q++; q < end && pmt_is_digit(*q); q++) {
            if (digits < 9) {
                c->nsec = c->nsec * 10 + (*q - '0');
                digits++;
            }
        }
        while (digits++ < 9) {
            c->nsec *= 10;
        }
    }
    if (end - q < 6 || q[0] != ' ' || !pmt_is_digit(q[1]) || !pmt_is_digit(q[2]) || !pmt_is_digit(q[3]) ||
        !pmt_is_digit(q[4]) || q[5] != ']') {
        return NULL;
    }
    c->year = (q[1] - '0') * 1000 + (q[2] - '0') * 100 + (q[3] - '0') * 10 + (q[4] - '0');
    c->has_year = 1;
    c->has_off = 0;
    return q + 6;
}

/* The next "[...]" group after spaces: its inside, and the text after it. */
static const char *group(const char *p, const char *end, struct pmt_str *in)
{
    while (p < end && *p == ' ') {
        p++;
    }
    if (p >= end || *p != '[') {
        return NULL;
    }
    const char *e = memchr(p, ']', (size_t)(end - p));
    if (!e) {
        return NULL;
    }
    *in = pmt_str_make(p + 1, (size_t)(e - p - 1));
    return e + 1;
}

static enum pmt_parse_rc parse(struct pmt_parse_ctx *ctx, struct pmt_str line,
                               struct pmt_event *ev)
{
    const char *p = line.p, *end = line.p + line.len;
    if (line.len == 0) {
        return PMT_PARSE_SKIP;
    }
    struct pmt_civil c;
    const char *q = stamp(p, end, &c);
    if (!q) {
        return PMT_PARSE_NOT_MINE;
    }
    struct pmt_str g;
    const char *r = group(q, end, &g);
    if (!r) {
        return PMT_PARSE_NOT_MINE;
    }
    const char *colon = memchr(g.p, ':', g.len);
    int sev = colon ? level(colon + 1, (size_t)(g.p + g.len - colon - 1)) : level(g.p, g.len);
    if (sev == -2) {
        return PMT_PARSE_NOT_MINE;
    }
    ev->severity = (int8_t)sev;
    ev->f[PMT_F_PROGRAM] = colon ? pmt_str_make(g.p, (size_t)(colon - g.p))
                                 : pmt_str_make("apache", 6);
    if (pmt_parse_stamp(ctx, &c, ev) < 0) {
        ctx->why = "impossible date";
        return PMT_PARSE_MALFORMED;
    }
    /* optional [pid N[:tid M]] [client a[:port]] [remote ...] */
    for (;;) {
        const char *s = group(r, end, &g);
        if (!s) {
            break;
        }
        if (g.len > 4 && memcmp(g.p, "pid ", 4) == 0) {
            const char *e = g.p + 4;
            while (e < g.p + g.len && pmt_is_digit(*e)) {
                e++;
            }
            ev->f[PMT_F_PID] = pmt_str_make(g.p + 4, (size_t)(e - g.p - 4));
        } else if (g.len > 7 && memcmp(g.p, "client ", 7) == 0) {
            ev->f[PMT_F_CLIENT] = pmt_str_make(g.p + 7, g.len - 7);
        } else if (!(g.len > 7 && memcmp(g.p, "remote ", 7) == 0)) {
            break; /* a bracket that belongs to the message */
        }
        r = s;
    }
    while (r < end && *r == ' ') {
        r++;
    }
    ev->f[PMT_F_MESSAGE] = pmt_str_make(r, (size_t)(end - r));
    return PMT_PARSE_EVENT;
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    (void)ctx;
    return NULL;
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    (void)state;
    return parse(ctx, line, ev);
}

static void close_state(void *state)
{
    (void)state;
}

static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    (void)pctx;
    struct pmt_parse_ctx ctx = {0}; /* no time: validate stamps only */
    return pmt_probe_share(parse_line, NULL, &ctx, lines, n, 0);
}

const struct pmt_parser pmt_parser_apache_error = {
    .name = "apache-error",
    .summary = "Apache httpd error logs, 2.4 and older (no zone in them: see --source-tz)",
    .example = "[Sat Nov 21 09:49:20.205801 2026] [core:info] [pid 1:tid 2] [client "
               "1.2.3.4:5] AH00128: File does not exist: /var/www/x",
    .probe = probe,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
};
