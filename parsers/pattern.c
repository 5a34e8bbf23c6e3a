/*
 * User-defined line formats: a regular expression with named groups (pcre2, JIT-compiled once)
 * and, when the time is not in a shape pmtimeline knows, a strftime-like time format.
 *
 *   --pattern '^(?<time>\S+ \S+) \[(?<severity>\w+)\] (?<program>[\w.-]+): (?<message>.*)$'
 *   --time-format '%Y-%m-%d %H:%M:%S,%f'
 *
 * Groups: time (required), message, host, program, pid, severity (ERROR, WARN, FATAL, ...),
 * status, client, method, path. A pattern file keeps a team's formats in one place:
 *
 *   # comment
 *   [payments-api]
 *   pattern = ^(?<time>\S+ \S+) (?<severity>\w+) (?<message>.*)$
 *   time-format = %Y-%m-%d %H:%M:%S
 *
 * Patterns are tried in order, the one that matched the last line first. Time formats: %Y %m
 * %d %e %H %M %S %f (fraction) %b (Jan..Dec) %z (+hhmm, +hh:mm, Z) %s (epoch seconds) %T %F
 * %%; without one, the time group may be ISO 8601, epoch, "Feb  8 03:00:01" or
 * "08/Feb/2023:03:00:01 +0000".
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmt/parser.h"

enum group { G_TIME, G_MESSAGE, G_HOST, G_PROGRAM, G_PID, G_SEVERITY, G_STATUS, G_CLIENT,
             G_METHOD, G_PATH, G_COUNT };

static const char *const group_names[G_COUNT] = {"time", "message", "host", "program", "pid",
                                                 "severity", "status", "client", "method", "path"};

struct pat {
    char name[64];
    pcre2_code *re;
    pcre2_match_data *md;
    int group[G_COUNT]; /* capture numbers, or -1 */
    char *time_format;  /* NULL: the shapes pmtimeline knows */
};

struct state {
    struct pat *v;
    size_t n, cap;
    size_t last;
};

/* ---- loading ---- */

static int add(struct state *st, const char *name, const char *re, const char *tf, char *err,
               size_t errlen)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
    if (!code) {
        char msg[200];
        pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
        snprintf(err, errlen, "pattern %s: %s at offset %zu", name, msg, (size_t)eo);
        return -1;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* when JIT is missing, matching still works */
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 4;
        st->v = pmt_xrealloc(st->v, st->cap * sizeof(*st->v));
    }
    struct pat *p = &st->v[st->n];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->re = code;
    p->md = pcre2_match_data_create_from_pattern(code, NULL);
    for (int g = 0; g < G_COUNT; g++) {
        int k = pcre2_substring_number_from_name(code, (PCRE2_SPTR)group_names[g]);
        p->group[g] = k > 0 ? k : -1;
    }
    p->time_format = tf ? pmt_xstrdup(tf) : NULL;
    st->n++;
    if (p->group[G_TIME] < 0) {
        snprintf(err, errlen, "pattern %s has no (?<time>...) group", name);
        return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) {
        *--e = '\0';
    }
    return s;
}

/* The pattern file: [name] sections with pattern = and time-format = lines. */
static int load_file(struct state *st, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--patterns %s: cannot read it", path);
        return -1;
    }
    char line[4096], name[64] = "", *re = NULL, *tf = NULL;
    int lineno = 0, rc = 0;
    for (;;) {
        char *got = fgets(line, sizeof(line), f);
        char *s = got ? trim(line) : NULL;
        if (got) {
            lineno++;
        }
        if (!got || (s[0] == '[' && s[strlen(s) - 1] == ']')) {
            if (re) {
                if (add(st, name[0] ? name : "pattern", re, tf, err, errlen) < 0) {
                    rc = -1;
                    break;
                }
            } else if (name[0]) {
                snprintf(err, errlen, "--patterns %s: section [%s] has no pattern =", path, name);
                rc = -1;
                break;
            }
            free(re);
            free(tf);
            re = tf = NULL;
            if (!got) {
                break;
            }
            snprintf(name, sizeof(name), "%.*s", (int)strlen(s) - 2, s + 1);
            continue;
        }
        if (!s[0] || s[0] == '#' || s[0] == ';') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "--patterns %s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (strcmp(key, "pattern") == 0) {
            free(re);
            re = pmt_xstrdup(val);
        } else if (strcmp(key, "time-format") == 0) {
            free(tf);
            tf = pmt_xstrdup(val);
        } else {
            snprintf(err, errlen, "--patterns %s:%d: unknown key '%s' (pattern, time-format)",
                     path, lineno, key);
            rc = -1;
            break;
        }
    }
    free(re);
    free(tf);
    fclose(f);
    return rc;
}

static void free_state(struct state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        pcre2_match_data_free(st->v[i].md);
        pcre2_code_free(st->v[i].re);
        free(st->v[i].time_format);
    }
    free(st->v);
    free(st);
}

static struct state *load(const struct pmt_parser_opts *o, char *err, size_t errlen)
{
    struct state *st = pmt_xcalloc(1, sizeof(*st));
    if (o && o->pattern && add(st, "--pattern", o->pattern, o->time_format, err, errlen) < 0) {
        free_state(st);
        return NULL;
    }
    if (o && o->patterns_file && load_file(st, o->patterns_file, err, errlen) < 0) {
        free_state(st);
        return NULL;
    }
    if (o && o->time_format && !o->pattern) {
        snprintf(err, errlen, "--time-format goes with --pattern");
        free_state(st);
        return NULL;
    }
    return st;
}

/* ---- times ---- */

static int num(const char **p, const char *end, int min_digits, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (*p < end && n < max_digits && isdigit((unsigned char)**p)) {
        v = v * 10 + (*(*p)++ - '0');
        n++;
    }
    *out = v;
    return n >= min_digits ? 0 : -1;
}

/* strftime-like reading of [p, end) by fmt. Returns 0, or -1. */
static int strptime_like(const char *fmt, const char *p, const char *end, struct pmt_civil *c,
                         int64_t *epoch_ns, int *is_epoch)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    memset(c, 0, sizeof(*c));
    *is_epoch = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            if (p >= end || *p != *f) {
                return -1;
            }
            p++;
            continue;
        }
        f++;
        switch (*f) {
        case 'Y': if (num(&p, end, 4, 4, &c->year) < 0) return -1; c->has_year = 1; break;
        case 'm': if (num(&p, end, 1, 2, &c->mon) < 0) return -1; break;
        case 'd': if (num(&p, end, 1, 2, &c->day) < 0) return -1; break;
        case 'e':
            while (p < end && *p == ' ') {
                p++;
            }
            if (num(&p, end, 1, 2, &c->day) < 0) return -1;
            break;
        case 'H': if (num(&p, end, 1, 2, &c->hour) < 0) return -1; break;
        case 'M': if (num(&p, end, 1, 2, &c->min) < 0) return -1; break;
        case 'S': if (num(&p, end, 1, 2, &c->sec) < 0) return -1; break;
        case 'T': {
            struct pmt_civil d; /* the recursion starts from zero: keep the date read so far */
            if (end - p < 8 || strptime_like("%H:%M:%S", p, p + 8, &d, epoch_ns, is_epoch) < 0) return -1;
            c->hour = d.hour, c->min = d.min, c->sec = d.sec;
            p += 8;
            break;
        }
        case 'F': {
            struct pmt_civil d;
            if (end - p < 10 || strptime_like("%Y-%m-%d", p, p + 10, &d, epoch_ns, is_epoch) < 0) return -1;
            c->year = d.year, c->mon = d.mon, c->day = d.day, c->has_year = 1;
            p += 10;
            break;
        }
        case 'f': {
            int digits = 0;
            c->nsec = 0;
            while (p < end && isdigit((unsigned char)*p)) {
                if (digits < 9) {
                    c->nsec = c->nsec * 10 + (*p - '0');
                    digits++;
                }
                p++;
            }
            if (digits == 0) return -1;
            while (digits++ < 9) {
                c->nsec *= 10;
            }
            break;
        }
        case 'b':
            if (end - p < 3) return -1;
            c->mon = 0;
            for (int i = 0; i < 12; i++) {
                if (strncasecmp(p, months + 3 * i, 3) == 0) {
                    c->mon = i + 1;
                }
            }
            if (!c->mon) return -1;
            p += 3;
            break;
        case 'z':
            if (p < end && (*p == 'Z' || *p == 'z')) {
                p++;
                c->has_off = 1;
                break;
            }
            if (p >= end || (*p != '+' && *p != '-')) return -1;
            {
                int sign = *p++ == '-' ? -1 : 1, h, m = 0;
                if (num(&p, end, 2, 2, &h) < 0) return -1;
                if (p < end && *p == ':') p++;
                if (p < end && isdigit((unsigned char)*p) && num(&p, end, 2, 2, &m) < 0) return -1;
                c->off_s = sign * (h * 3600 + m * 60);
                c->has_off = 1;
            }
            break;
        case 's': {
            int64_t s = 0;
            int n = 0;
            while (p < end && isdigit((unsigned char)*p) && n < 12) {
                s = s * 10 + (*p++ - '0');
                n++;
            }
            if (n == 0 || s > INT64_MAX / PMT_NS_PER_S - 1) return -1;
            *epoch_ns = s * PMT_NS_PER_S;
            *is_epoch = 1;
            break;
        }
        case '%': if (p >= end || *p++ != '%') return -1; break;
        default: return -1;
        }
    }
    return p == end ? 0 : -1;
}

static int when(const struct pat *pt, struct pmt_parse_ctx *ctx, struct pmt_str s,
                struct pmt_event *ev)
{
    struct pmt_civil c;
    int64_t ens = 0;
    int is_epoch = 0;
    const char *p = s.p, *end = s.p + s.len;
    int ok;
    if (pt->time_format) {
        ok = strptime_like(pt->time_format, p, end, &c, &ens, &is_epoch) == 0;
    } else {
        ok = pmt_parse_iso(p, s.len, &c) == 0 ||
             strptime_like("%b %e %H:%M:%S", p, end, &c, &ens, &is_epoch) == 0 ||
             strptime_like("%d/%b/%Y:%H:%M:%S %z", p, end, &c, &ens, &is_epoch) == 0 ||
             strptime_like("%s", p, end, &c, &ens, &is_epoch) == 0;
        if (!ok) { /* epoch with a fraction: "1675825201.123" */
            const char *dot = memchr(p, '.', s.len);
            ok = dot && strptime_like("%s", p, dot, &c, &ens, &is_epoch) == 0 &&
                 strptime_like("%f", dot + 1, end, &c, &ens, &is_epoch) == 0 &&
                 (is_epoch = 1);
            if (ok) {
                ens += c.nsec;
            }
        }
    }
    if (!ok) {
        return -1;
    }
    if (is_epoch) {
        ev->t_ns = ens;
        ev->off_s = 0;
        return 0;
    }
    return pmt_parse_stamp(ctx, &c, ev);
}

/* ---- matching ---- */

static struct pmt_str group(const struct pat *pt, struct pmt_str line, enum group g)
{
    if (pt->group[g] < 0) {
        return PMT_STR_NULL;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(pt->md);
    PCRE2_SIZE a = ov[2 * pt->group[g]], b = ov[2 * pt->group[g] + 1];
    if (a == PCRE2_UNSET || b < a) {
        return PMT_STR_NULL;
    }
    return pmt_str_make(line.p + a, b - a);
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    struct state *st = state;
    if (line.len == 0) {
        return PMT_PARSE_SKIP;
    }
    int bad_time = 0;
    for (size_t k = 0; k < st->n; k++) {
        size_t i = (st->last + k) % st->n;
        struct pat *pt = &st->v[i];
        if (pcre2_match(pt->re, (PCRE2_SPTR)line.p, line.len, 0, 0, pt->md, NULL) < 0) {
            continue;
        }
        if (when(pt, ctx, group(pt, line, G_TIME), ev) < 0) {
            bad_time = 1;
            continue;
        }
        st->last = i;
        ev->f[PMT_F_MESSAGE] = group(pt, line, G_MESSAGE);
        if (pt->group[G_MESSAGE] < 0) {
            ev->f[PMT_F_MESSAGE] = line; /* no message group: the whole line */
        }
        ev->f[PMT_F_HOST] = group(pt, line, G_HOST);
        ev->f[PMT_F_PROGRAM] = group(pt, line, G_PROGRAM);
        ev->f[PMT_F_PID] = group(pt, line, G_PID);
        ev->f[PMT_F_CLIENT] = group(pt, line, G_CLIENT);
        ev->f[PMT_F_METHOD] = group(pt, line, G_METHOD);
        ev->f[PMT_F_PATH] = group(pt, line, G_PATH);
        struct pmt_str sev = group(pt, line, G_SEVERITY);
        if (sev.len) {
            ev->severity = (int8_t)pmt_severity_parse(sev.p, sev.len);
        }
        struct pmt_str status = group(pt, line, G_STATUS);
        int64_t v = 0;
        size_t d = 0;
        while (d < status.len && d < 4 && isdigit((unsigned char)status.p[d])) {
            v = v * 10 + (status.p[d++] - '0');
        }
        if (d == status.len && d >= 3) {
            pmt_event_set_num(ev, PMT_N_STATUS, v);
            if (ev->severity == PMT_SEV_NONE) {
                ev->severity = v >= 500 ? PMT_SEV_ERR : v >= 400 ? PMT_SEV_WARNING : PMT_SEV_INFO;
            }
        }
        return PMT_PARSE_EVENT;
    }
    if (bad_time) {
        ctx->why = "the time group does not read as a time";
        return PMT_PARSE_MALFORMED;
    }
    return PMT_PARSE_NOT_MINE;
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    char err[300];
    struct state *st = load(ctx ? ctx->opts : NULL, err, sizeof(err));
    return st ? st : pmt_xcalloc(1, sizeof(struct state)); /* checked before: cannot happen */
}

static void close_state(void *state)
{
    free_state(state);
}

static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    if (!pctx || !pctx->opts || (!pctx->opts->pattern && !pctx->opts->patterns_file)) {
        return 0; /* only what the user defined */
    }
    struct pmt_parse_ctx ctx = {.opts = pctx->opts};
    struct state *st = open_state(&ctx);
    int score = pmt_probe_share(parse_line, st, &ctx, lines, n, 0);
    free_state(st);
    /* The user defined it for their logs: when it reads most of the sample, it wins. */
    return score >= 50 ? 100 : score;
}

static int check(const struct pmt_parser_opts *o, char *err, size_t errlen)
{
    struct state *st = load(o, err, errlen);
    if (!st) {
        return -1;
    }
    free_state(st);
    return 0;
}

const struct pmt_parser pmt_parser_pattern = {
    .name = "pattern",
    .summary = "your own formats: --pattern REGEX with named groups (and --time-format), or "
               "--patterns FILE",
    .example = "--pattern '^(?<time>\\S+ \\S+) (?<severity>\\w+) (?<message>.*)$'",
    .probe = probe,
    .check = check,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
};
