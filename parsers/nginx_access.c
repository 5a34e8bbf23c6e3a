/*
 * nginx access logs, in any log_format, and Apache's common and combined logs (they are the
 * same shapes).
 *
 *   127.0.0.1 - - [08/Feb/2023:03:00:01 +0000] "GET / HTTP/1.1" 200 38 "-" "curl/7.88.1"
 *
 * A log_format is compiled once into a list of literals and variables. Matching walks the
 * line: a literal must be there; a variable's value runs to the next literal (memchr/memmem),
 * or has a fixed width ($time_local, $time_iso8601), so no regex runs per line. Formats come
 * from nginx's built-ins (combined, main, common), --nginx-log-format, or the log_format
 * lines of an nginx.conf (--nginx-conf, all of them or the one --nginx-log-name names).
 * Each input tries the format that matched its last line first, then the others, so a file
 * that switches format midway is still read.
 *
 * Values are kept as nginx wrote them: "\x22" stays "\x22" (nginx escapes '"' that way).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmt/parser.h"

enum var {
    V_OTHER, /* matched, not kept */
    V_REMOTE_ADDR,
    V_REMOTE_USER,
    V_TIME_LOCAL,
    V_TIME_ISO8601,
    V_MSEC,
    V_REQUEST,
    V_REQUEST_METHOD,
    V_REQUEST_URI,
    V_SERVER_PROTOCOL,
    V_STATUS,
    V_BODY_BYTES_SENT,
    V_BYTES_SENT,
    V_HTTP_REFERER,
    V_HTTP_USER_AGENT,
    V_HTTP_X_FORWARDED_FOR,
    V_REQUEST_TIME,
    V_UPSTREAM_ADDR,
    V_UPSTREAM_STATUS,
    V_UPSTREAM_RESPONSE_TIME,
    V_HOST,
};

static const struct {
    const char *name;
    enum var v;
} var_names[] = {
    {"remote_addr", V_REMOTE_ADDR},
    {"binary_remote_addr", V_OTHER},
    {"realip_remote_addr", V_REMOTE_ADDR},
    {"remote_user", V_REMOTE_USER},
    {"time_local", V_TIME_LOCAL},
    {"time_iso8601", V_TIME_ISO8601},
    {"msec", V_MSEC},
    {"request", V_REQUEST},
    {"request_method", V_REQUEST_METHOD},
    {"request_uri", V_REQUEST_URI},
    {"uri", V_REQUEST_URI},
    {"server_protocol", V_SERVER_PROTOCOL},
    {"status", V_STATUS},
    {"body_bytes_sent", V_BODY_BYTES_SENT},
    {"bytes_sent", V_BYTES_SENT},
    {"http_referer", V_HTTP_REFERER},
    {"http_user_agent", V_HTTP_USER_AGENT},
    {"http_x_forwarded_for", V_HTTP_X_FORWARDED_FOR},
    {"request_time", V_REQUEST_TIME},
    {"upstream_addr", V_UPSTREAM_ADDR},
    {"upstream_status", V_UPSTREAM_STATUS},
    {"upstream_response_time", V_UPSTREAM_RESPONSE_TIME},
    {"host", V_HOST},
    {"server_name", V_HOST},
};

#define MAX_ITEMS 96

struct item {
    int is_var;
    enum var v;
    const char *lit; /* literal text (owned by the format) */
    size_t len;
};

struct format {
    char name[64];
    int json_escape; /* escape=json: values may hold \" */
    size_t n;
    struct item items[MAX_ITEMS];
    char *text; /* the literals' storage */
};

/* ---- compiling a log_format ---- */

static enum var lookup(const char *p, size_t n)
{
    for (size_t i = 0; i < PMT_ARRAY_LEN(var_names); i++) {
        if (strlen(var_names[i].name) == n && memcmp(var_names[i].name, p, n) == 0) {
            return var_names[i].v;
        }
    }
    return V_OTHER;
}

/* Compiles spec into f. Returns 0, or -1 with a reason. */
static int compile(struct format *f, const char *name, const char *spec, int json_escape,
                   const char **why)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->json_escape = json_escape;
    size_t sl = strlen(spec);
    f->text = pmt_xmalloc(sl + 1);
    char *t = f->text;
    int has_time = 0;
    const char *p = spec;
    while (*p) {
        if (f->n == MAX_ITEMS) {
            *why = "log_format has too many parts";
            return -1;
        }
        struct item *it = &f->items[f->n];
        if (*p == '$' && (isalnum((unsigned char)p[1]) || p[1] == '_' || p[1] == '{')) {
            const char *s = p + 1, *e;
            if (*s == '{') {
                s++;
                e = strchr(s, '}');
                if (!e) {
                    *why = "unterminated ${...} in log_format";
                    return -1;
                }
                p = e + 1;
            } else {
                e = s;
                while (isalnum((unsigned char)*e) || *e == '_') {
                    e++;
                }
                p = e;
            }
            if (f->n > 0 && f->items[f->n - 1].is_var) {
                *why = "two variables with nothing between them cannot be told apart";
                return -1;
            }
            it->is_var = 1;
            it->v = lookup(s, (size_t)(e - s));
            has_time |= it->v == V_TIME_LOCAL || it->v == V_TIME_ISO8601 || it->v == V_MSEC;
            f->n++;
            continue;
        }
        /* a literal run */
        it->lit = t;
        while (*p && !(*p == '$' && (isalnum((unsigned char)p[1]) || p[1] == '_' || p[1] == '{'))) {
            *t++ = *p++;
        }
        it->len = (size_t)(t - it->lit);
        f->n++;
    }
    if (!has_time) {
        *why = "log_format has no time ($time_local, $time_iso8601 or $msec)";
        return -1;
    }
    return 0;
}

static void format_free(struct format *f)
{
    free(f->text);
    f->text = NULL;
}

/* nginx's own formats, and the ones every distribution's nginx.conf ships. */
static const struct {
    const char *name, *spec;
} builtins[] = {
    {"main", "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
             "\"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\""},
    {"combined", "$remote_addr - $remote_user [$time_local] \"$request\" $status "
                 "$body_bytes_sent \"$http_referer\" \"$http_user_agent\""},
    {"common", "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"},
    {"vhost_combined", "$host:$server_port $remote_addr - $remote_user [$time_local] "
                       "\"$request\" $status $body_bytes_sent \"$http_referer\" "
                       "\"$http_user_agent\""},
};

/* ---- reading log_format from nginx.conf ---- */

/* Reads the next token of an nginx.conf: a word, or a quoted string (unquoted). */
static const char *conf_token(const char *p, char *out, size_t n, int *is_semicolon)
{
    *is_semicolon = 0;
    for (;;) {
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (*p == '#') {
            while (*p && *p != '\n') {
                p++;
            }
            continue;
        }
        break;
    }
    if (!*p) {
        return NULL;
    }
    size_t k = 0;
    if (*p == ';' || *p == '{' || *p == '}') {
        *is_semicolon = *p == ';';
        out[0] = *p;
        out[1] = '\0';
        return p + 1;
    }
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        while (*p && *p != q) {
            if (*p == '\\' && p[1]) {
                p++;
            }
            if (k + 1 < n) {
                out[k++] = *p;
            }
            p++;
        }
        if (*p == q) {
            p++;
        }
    } else {
        while (*p && !isspace((unsigned char)*p) && *p != ';' && *p != '{' && *p != '}') {
            if (k + 1 < n) {
                out[k++] = *p;
            }
            p++;
        }
    }
    out[k] = '\0';
    return p;
}

/*
 * Calls fn for each `log_format NAME [escape=...] 'part' 'part' ...;` of the file, with the
 * parts joined. Returns 0, or -1 if the file cannot be read.
 */
static int conf_formats(const char *path,
                        void (*fn)(void *arg, const char *name, const char *spec, int json),
                        void *arg)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = pmt_xmalloc(cap);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
        len += r;
        if (len + 1 == cap) {
            cap *= 2;
            buf = pmt_xrealloc(buf, cap);
        }
    }
    fclose(fp);
    buf[len] = '\0';
    char *tok = pmt_xmalloc(len + 2);
    char *spec = pmt_xmalloc(len + 2);
    const char *p = buf;
    int semi, at_statement = 1;
    while ((p = conf_token(p, tok, len + 1, &semi)) != NULL) {
        if (semi || strcmp(tok, "{") == 0 || strcmp(tok, "}") == 0) {
            at_statement = 1;
            continue;
        }
        if (!at_statement || strcmp(tok, "log_format") != 0) {
            at_statement = 0;
            continue;
        }
        char name[64];
        if (!(p = conf_token(p, tok, len + 1, &semi)) || semi) {
            break;
        }
        snprintf(name, sizeof(name), "%s", tok);
        int json = 0;
        spec[0] = '\0';
        size_t sl = 0;
        while ((p = conf_token(p, tok, len + 1, &semi)) != NULL && !semi) {
            if (sl == 0 && strncmp(tok, "escape=", 7) == 0) {
                json = strcmp(tok + 7, "json") == 0;
                continue;
            }
            size_t tl = strlen(tok);
            memcpy(spec + sl, tok, tl);
            sl += tl;
            spec[sl] = '\0';
        }
        fn(arg, name, spec, json);
        at_statement = 1;
        if (!p) {
            break;
        }
    }
    free(tok);
    free(spec);
    free(buf);
    return 0;
}

/* ---- state ---- */

struct state {
    struct format *fmts;
    size_t n, cap;
    size_t last; /* the format that matched the previous line */
    /* $time_local cache: "08/Feb/2023:03:00:01 +0000" (26 bytes) */
    char tkey[32];
    int64_t t_ns;
    int32_t t_off;
    uint16_t t_flags;
    int t_valid;
    const char *err; /* set while loading */
};

struct load_arg {
    struct state *st;
    const char *only; /* --nginx-log-name, or NULL for every format in the file */
    int found;
};

static void add_format(struct state *st, const char *name, const char *spec, int json)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        st->fmts = pmt_xrealloc(st->fmts, st->cap * sizeof(*st->fmts));
    }
    const char *why = NULL;
    if (compile(&st->fmts[st->n], name, spec, json, &why) == 0) {
        st->n++;
    } else {
        format_free(&st->fmts[st->n]);
        if (!st->err) {
            st->err = why;
        }
    }
}

static void load_cb(void *arg, const char *name, const char *spec, int json)
{
    struct load_arg *a = arg;
    if (a->only && strcmp(a->only, name) != 0) {
        return;
    }
    a->found = 1;
    add_format(a->st, name, spec, json);
}

/* User formats first (they are what the user says this is), then the built-ins. */
static struct state *load(const struct pmt_parser_opts *o, char *err, size_t errlen)
{
    struct state *st = pmt_xcalloc(1, sizeof(*st));
    if (o && o->nginx_log_format) {
        add_format(st, "--nginx-log-format", o->nginx_log_format, 0);
        if (st->err) {
            snprintf(err, errlen, "--nginx-log-format: %s", st->err);
            goto fail;
        }
    }
    if (o && o->nginx_conf) {
        struct load_arg a = {st, o->nginx_log_name, 0};
        if (conf_formats(o->nginx_conf, load_cb, &a) < 0) {
            snprintf(err, errlen, "--nginx-conf %s: cannot read it", o->nginx_conf);
            goto fail;
        }
        if (o->nginx_log_name && !a.found) {
            snprintf(err, errlen, "--nginx-conf %s: no log_format named '%s' in it",
                     o->nginx_conf, o->nginx_log_name);
            goto fail;
        }
        if (st->err && o->nginx_log_name) {
            snprintf(err, errlen, "log_format %s in %s: %s", o->nginx_log_name, o->nginx_conf,
                     st->err);
            goto fail;
        }
    } else if (o && o->nginx_log_name) {
        snprintf(err, errlen, "--nginx-log-name needs --nginx-conf FILE");
        goto fail;
    }
    for (size_t i = 0; i < PMT_ARRAY_LEN(builtins); i++) {
        add_format(st, builtins[i].name, builtins[i].spec, 0);
    }
    return st;
fail:
    for (size_t i = 0; i < st->n; i++) {
        format_free(&st->fmts[i]);
    }
    free(st->fmts);
    free(st);
    return NULL;
}

/* ---- matching ---- */

/* Length of a $time_local value at p: "08/Feb/2023:03:00:01 +0000" is 26 bytes; Apache
 * can put a fraction after the seconds ("...:36.129337 +0530"). 0 if it is neither. */
static size_t time_local_len(const char *p, const char *end)
{
    if (end - p < 26) {
        return 0;
    }
    if (p[20] != '.') {
        return 26;
    }
    const char *q = p + 21;
    while (q < end && pmt_is_digit(*q) && q - p < 31) {
        q++;
    }
    return end - q >= 6 && *q == ' ' ? (size_t)(q + 6 - p) : 0;
}

/* "08/Feb/2023:03:00:01[.ffffff] +0000" -> the instant, through a per-second cache. */
static int time_local(struct state *st, struct pmt_parse_ctx *ctx, const char *p, size_t n,
                      struct pmt_event *ev)
{
    int32_t frac = 0;
    if (n > 26) { /* the fraction: keep it, and read the rest as if it were not there */
        int digits = 0;
        for (size_t i = 21; i < n - 6 && digits < 9; i++, digits++) {
            frac = frac * 10 + (p[i] - '0');
        }
        while (digits++ < 9) {
            frac *= 10;
        }
        char tmp[26];
        memcpy(tmp, p, 20);
        memcpy(tmp + 20, p + n - 6, 6);
        int rc = time_local(st, ctx, tmp, 26, ev);
        ev->t_ns += frac;
        return rc;
    }
    if (st->t_valid && memcmp(st->tkey, p, 26) == 0) {
        ev->t_ns = st->t_ns;
        ev->off_s = st->t_off;
        ev->flags |= st->t_flags;
        return 0;
    }
    static const unsigned char digits[] = {0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25};
    for (size_t i = 0; i < sizeof(digits); i++) {
        if (!pmt_is_digit(p[digits[i]])) {
            return -1;
        }
    }
    struct pmt_civil c = {0};
    c.day = (p[0] - '0') * 10 + (p[1] - '0');
    c.mon = pmt_month_abbr(p + 3);
    c.year = (p[7] - '0') * 1000 + (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
    c.hour = (p[12] - '0') * 10 + (p[13] - '0');
    c.min = (p[15] - '0') * 10 + (p[16] - '0');
    c.sec = (p[18] - '0') * 10 + (p[19] - '0');
    if (p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' ||
        p[20] != ' ' || (p[21] != '+' && p[21] != '-') || !c.mon) {
        return -1;
    }
    int zh = (p[22] - '0') * 10 + (p[23] - '0'), zm = (p[24] - '0') * 10 + (p[25] - '0');
    c.off_s = (p[21] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
    c.has_year = 1;
    c.has_off = 1;
    if (!ctx->time) {
        return pmt_civil_valid(&c) ? 0 : -1;
    }
    int64_t t;
    int32_t off;
    uint16_t fl;
    if (pmt_srctime_resolve(ctx->time, &c, &t, &off, &fl) < 0) {
        return -1;
    }
    memcpy(st->tkey, p, 26);
    st->t_ns = t;
    st->t_off = off;
    st->t_flags = fl;
    st->t_valid = 1;
    ev->t_ns = t;
    ev->off_s = off;
    ev->flags |= fl;
    return 0;
}

/* "2023-02-08T03:00:01+00:00" (25 bytes). */
static int time_iso(struct pmt_parse_ctx *ctx, const char *p, struct pmt_event *ev)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd+dd:dd";
    for (int i = 0; i < 25; i++) {
        int ok = shape[i] == 'd' ? pmt_is_digit(p[i])
                 : i == 19        ? (p[i] == '+' || p[i] == '-')
                                  : p[i] == shape[i];
        if (!ok) {
            return -1;
        }
    }
    struct pmt_civil c = {0};
    c.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    c.mon = (p[5] - '0') * 10 + (p[6] - '0');
    c.day = (p[8] - '0') * 10 + (p[9] - '0');
    c.hour = (p[11] - '0') * 10 + (p[12] - '0');
    c.min = (p[14] - '0') * 10 + (p[15] - '0');
    c.sec = (p[17] - '0') * 10 + (p[18] - '0');
    int zh = (p[20] - '0') * 10 + (p[21] - '0'), zm = (p[23] - '0') * 10 + (p[24] - '0');
    c.off_s = (p[19] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
    c.has_year = c.has_off = 1;
    return pmt_parse_stamp(ctx, &c, ev);
}

/* "1675825201.123": seconds since the epoch, exact, so no zone is involved. */
static int time_msec(const char *p, size_t n, struct pmt_event *ev)
{
    int64_t s = 0;
    size_t i = 0;
    while (i < n && pmt_is_digit(p[i]) && i < 12) {
        s = s * 10 + (p[i++] - '0');
    }
    if (i == 0 || s > INT64_MAX / PMT_NS_PER_S - 1) {
        return -1; /* past what int64 nanoseconds hold (year 2262) */
    }
    int64_t ns = 0, scale = 100000000;
    if (i < n && p[i] == '.') {
        for (i++; i < n && pmt_is_digit(p[i]); i++) {
            ns += (p[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i != n) {
        return -1;
    }
    ev->t_ns = s * PMT_NS_PER_S + ns;
    ev->off_s = 0;
    return 0;
}

/* "0.004" -> 4000 (microseconds); "-" or junk -> -1. For a list ("0.001, 0.002"), the last. */
static int64_t seconds_us(const char *p, size_t n)
{
    const char *comma = NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ',' || p[i] == ':') {
            comma = p + i;
        }
    }
    if (comma) {
        n -= (size_t)(comma + 1 - p);
        p = comma + 1;
        while (n && *p == ' ') {
            p++;
            n--;
        }
    }
    int64_t s = 0, us = 0, scale = 100000;
    size_t i = 0;
    while (i < n && pmt_is_digit(p[i]) && i < 9) {
        s = s * 10 + (p[i++] - '0');
    }
    if (i == 0) {
        return -1;
    }
    if (i < n && p[i] == '.') {
        for (i++; i < n && pmt_is_digit(p[i]); i++) {
            us += (p[i] - '0') * scale;
            scale /= 10;
        }
    }
    return i == n ? s * 1000000 + us : -1;
}

static int64_t integer(const char *p, size_t n)
{
    if (n == 0 || n > 15) {
        return -1;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pmt_is_digit(p[i])) {
            return -1;
        }
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static void set_str(struct pmt_event *ev, enum pmt_field f, const char *p, size_t n)
{
    if (n == 1 && p[0] == '-') {
        return; /* nginx writes "-" for "none" */
    }
    ev->f[f] = pmt_str_make(p, n);
}

/* "GET /login HTTP/1.1" -> method, path, protocol; the whole request is the message. */
static void split_request(struct pmt_event *ev, const char *p, size_t n)
{
    if (n == 1 && p[0] == '-') {
        return;
    }
    ev->f[PMT_F_MESSAGE] = pmt_str_make(p, n);
    const char *sp1 = memchr(p, ' ', n);
    if (!sp1) {
        return;
    }
    ev->f[PMT_F_METHOD] = pmt_str_make(p, (size_t)(sp1 - p));
    const char *rest = sp1 + 1, *end = p + n;
    const char *sp2 = memrchr(rest, ' ', (size_t)(end - rest));
    if (sp2 && end - sp2 > 5 && memcmp(sp2 + 1, "HTTP/", 5) == 0) {
        ev->f[PMT_F_PATH] = pmt_str_make(rest, (size_t)(sp2 - rest));
        ev->f[PMT_F_PROTOCOL] = pmt_str_make(sp2 + 1, (size_t)(end - sp2 - 1));
    } else {
        ev->f[PMT_F_PATH] = pmt_str_make(rest, (size_t)(end - rest));
    }
}

/* The first lit in [p, end): memchr for its first byte, then a compare. glibc's memmem is
 * built for long needles; nginx separators are 2-3 bytes (" [", "\" ", "\" \""). */
static const char *find_lit(const char *p, const char *end, const char *lit, size_t len)
{
    while (end - p >= (ptrdiff_t)len) {
        const char *q = memchr(p, lit[0], (size_t)(end - p) - len + 1);
        if (!q) {
            return NULL;
        }
        if (memcmp(q + 1, lit + 1, len - 1) == 0) {
            return q;
        }
        p = q + 1;
    }
    return NULL;
}

/* Where the value that starts at p ends: before the next literal, or a fixed width. */
static const char *value_end(const struct format *f, size_t i, const char *p, const char *end)
{
    enum var v = f->items[i].v;
    if (v == V_TIME_LOCAL) {
        size_t n = time_local_len(p, end);
        return n ? p + n : NULL;
    }
    if (v == V_TIME_ISO8601) {
        return end - p >= 25 ? p + 25 : NULL;
    }
    if (i + 1 == f->n) {
        return end;
    }
    const struct item *lit = &f->items[i + 1];
    if (f->json_escape && lit->lit[0] == '"') {
        for (const char *q = p; q < end; q++) {
            if (*q == '\\' && q + 1 < end) {
                q++;
            } else if (end - q >= (ptrdiff_t)lit->len && memcmp(q, lit->lit, lit->len) == 0) {
                return q;
            }
        }
        return NULL;
    }
    if (lit->len == 1) {
        return memchr(p, lit->lit[0], (size_t)(end - p));
    }
    return find_lit(p, end, lit->lit, lit->len);
}

static int match(struct state *st, const struct format *f, struct pmt_parse_ctx *ctx,
                 struct pmt_str line, struct pmt_event *ev)
{
    const char *p = line.p, *end = line.p + line.len;
    int has_time = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct item *it = &f->items[i];
        if (!it->is_var) {
            if ((size_t)(end - p) < it->len || memcmp(p, it->lit, it->len) != 0) {
                return -1;
            }
            p += it->len;
            continue;
        }
        const char *e = value_end(f, i, p, end);
        if (!e) {
            return -1;
        }
        size_t n = (size_t)(e - p);
        int64_t x;
        switch (it->v) {
        case V_REMOTE_ADDR: set_str(ev, PMT_F_CLIENT, p, n); break;
        case V_REMOTE_USER: set_str(ev, PMT_F_USER, p, n); break;
        case V_TIME_LOCAL:
            if (time_local(st, ctx, p, n, ev) < 0) {
                return -2;
            }
            has_time = 1;
            break;
        case V_TIME_ISO8601:
            if (time_iso(ctx, p, ev) < 0) {
                return -2;
            }
            has_time = 1;
            break;
        case V_MSEC:
            if (time_msec(p, n, ev) < 0) {
                return -2;
            }
            has_time = 1;
            break;
        case V_REQUEST: split_request(ev, p, n); break;
        case V_REQUEST_METHOD: set_str(ev, PMT_F_METHOD, p, n); break;
        case V_REQUEST_URI: set_str(ev, PMT_F_PATH, p, n); break;
        case V_SERVER_PROTOCOL: set_str(ev, PMT_F_PROTOCOL, p, n); break;
        case V_STATUS:
            if ((x = integer(p, n)) < 100 || x > 999) {
                return -1; /* a status is what tells an access line from others */
            }
            pmt_event_set_num(ev, PMT_N_STATUS, x);
            break;
        case V_BODY_BYTES_SENT:
        case V_BYTES_SENT:
            if ((x = integer(p, n)) >= 0 &&
                (it->v == V_BODY_BYTES_SENT || !(ev->nmask & (1u << PMT_N_BYTES)))) {
                pmt_event_set_num(ev, PMT_N_BYTES, x);
            }
            break;
        case V_HTTP_REFERER: set_str(ev, PMT_F_REFERER, p, n); break;
        case V_HTTP_USER_AGENT: set_str(ev, PMT_F_USER_AGENT, p, n); break;
        case V_HTTP_X_FORWARDED_FOR: set_str(ev, PMT_F_XFF, p, n); break;
        case V_REQUEST_TIME:
            if ((x = seconds_us(p, n)) >= 0) {
                pmt_event_set_num(ev, PMT_N_REQUEST_US, x);
            }
            break;
        case V_UPSTREAM_ADDR: set_str(ev, PMT_F_UPSTREAM, p, n); break;
        case V_UPSTREAM_STATUS: set_str(ev, PMT_F_UPSTREAM_STATUS, p, n); break;
        case V_UPSTREAM_RESPONSE_TIME:
            if ((x = seconds_us(p, n)) >= 0) {
                pmt_event_set_num(ev, PMT_N_UPSTREAM_US, x);
            }
            break;
        case V_HOST: set_str(ev, PMT_F_VHOST, p, n); break;
        case V_OTHER: break;
        }
        p = e;
    }
    if (p != end || !has_time) {
        return -1;
    }
    return 0;
}

static void clear_fields(struct pmt_event *ev)
{
    int8_t sev = ev->severity;
    pmt_event_clear(ev);
    ev->severity = sev;
}

static enum pmt_parse_rc parse_with(struct state *st, struct pmt_parse_ctx *ctx,
                                    struct pmt_str line, struct pmt_event *ev)
{
    if (line.len == 0) {
        return PMT_PARSE_SKIP;
    }
    int bad_time = 0;
    for (size_t k = 0; k < st->n; k++) {
        size_t i = (st->last + k) % st->n;
        int rc = match(st, &st->fmts[i], ctx, line, ev);
        if (rc == 0) {
            st->last = i;
            ev->f[PMT_F_PROGRAM] = pmt_str_make("nginx", 5);
            int64_t status = ev->n[PMT_N_STATUS];
            ev->severity = status >= 500   ? PMT_SEV_ERR
                           : status >= 400 ? PMT_SEV_WARNING
                                           : PMT_SEV_INFO;
            if (!(ev->nmask & (1u << PMT_N_STATUS))) {
                ev->severity = PMT_SEV_INFO;
            }
            return PMT_PARSE_EVENT;
        }
        bad_time |= rc == -2;
        clear_fields(ev);
    }
    if (bad_time) {
        ctx->why = "bad timestamp";
        return PMT_PARSE_MALFORMED;
    }
    return PMT_PARSE_NOT_MINE;
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    char err[300];
    struct state *st = load(ctx->opts, err, sizeof(err));
    if (!st) { /* options were checked before any input was opened: built-ins only */
        st = load(NULL, err, sizeof(err));
    }
    return st;
}

static void close_state(void *state)
{
    struct state *st = state;
    for (size_t i = 0; i < st->n; i++) {
        format_free(&st->fmts[i]);
    }
    free(st->fmts);
    free(st);
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    return parse_with(state, ctx, line, ev);
}

static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    char err[300];
    struct state *st = load(pctx ? pctx->opts : NULL, err, sizeof(err));
    if (!st) {
        st = load(NULL, err, sizeof(err));
    }
    struct pmt_parse_ctx ctx = {.opts = pctx ? pctx->opts : NULL}; /* no time: validate only */
    int score = pmt_probe_share(parse_line, st, &ctx, lines, n, 0);
    close_state(st);
    return score;
}

static int check(const struct pmt_parser_opts *o, char *err, size_t errlen)
{
    struct state *st = load(o, err, errlen);
    if (!st) {
        return -1;
    }
    close_state(st);
    return 0;
}

const struct pmt_parser pmt_parser_nginx_access = {
    .name = "nginx-access",
    .summary = "nginx access logs in any log_format (--nginx-log-format, --nginx-conf); "
               "Apache common/combined too",
    .example = "203.0.113.7 - - [08/Feb/2023:03:00:01 +0300] \"GET /login HTTP/1.1\" 502 157 "
               "\"-\" \"curl/7.88.1\"",
    .probe = probe,
    .check = check,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
};
