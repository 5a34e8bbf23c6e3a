/*
 * nginx error logs:
 *
 *   2023/02/08 03:00:01 [error] 1201#1201: *1 connect() to unix:/run/php/php8.2-fpm.sock
 *   failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7,
 *   server: shop.example.com, request: "GET /login HTTP/1.1", upstream:
 *   "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "shop.example.com"
 *
 * (one line). The stamp has no zone: it is the server's local time (the time rules give it
 * one). The level becomes the severity; client, request (method, path, protocol), upstream,
 * host and server are pulled from the trailer nginx appends. Raw bytes, NUL included, can
 * appear in the message (nginx logs what clients send): everything is length-based.
 */
#include <stdlib.h>

#include "pmt/parser.h"

struct state {
    char key[19]; /* "2023/02/08 03:00:01": the last stamp, resolved */
    int valid;
    int64_t t_ns;
    int32_t off;
    uint16_t flags;
};

static int level(const char *p, size_t n)
{
    static const struct {
        const char *w;
        int sev;
    } levels[] = {
        {"debug", PMT_SEV_DEBUG}, {"info", PMT_SEV_INFO},   {"notice", PMT_SEV_NOTICE},
        {"warn", PMT_SEV_WARNING}, {"error", PMT_SEV_ERR},  {"crit", PMT_SEV_CRIT},
        {"alert", PMT_SEV_ALERT}, {"emerg", PMT_SEV_EMERG},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(levels); i++) {
        if (strlen(levels[i].w) == n && memcmp(levels[i].w, p, n) == 0) {
            return levels[i].sev;
        }
    }
    return -2;
}

/* ", key: value" or ", key: "value"" at p; returns the value and moves p past it. */
static const char *trailer_value(const char *p, const char *end, const char *key,
                                 struct pmt_str *out)
{
    size_t kl = strlen(key);
    const char *k = memmem(p, (size_t)(end - p), key, kl);
    if (!k) {
        return NULL;
    }
    const char *v = k + kl;
    const char *e;
    if (v < end && *v == '"') {
        v++;
        e = memchr(v, '"', (size_t)(end - v));
        if (!e) {
            return NULL;
        }
        *out = pmt_str_make(v, (size_t)(e - v));
        return e + 1;
    }
    e = memchr(v, ',', (size_t)(end - v));
    e = e ? e : end;
    *out = pmt_str_make(v, (size_t)(e - v));
    return e;
}

static void split_request(struct pmt_event *ev, struct pmt_str r)
{
    const char *sp1 = memchr(r.p, ' ', r.len);
    if (!sp1) {
        return;
    }
    ev->f[PMT_F_METHOD] = pmt_str_make(r.p, (size_t)(sp1 - r.p));
    const char *rest = sp1 + 1, *end = r.p + r.len;
    const char *sp2 = memrchr(rest, ' ', (size_t)(end - rest));
    if (sp2 && end - sp2 > 5 && memcmp(sp2 + 1, "HTTP/", 5) == 0) {
        ev->f[PMT_F_PATH] = pmt_str_make(rest, (size_t)(sp2 - rest));
        ev->f[PMT_F_PROTOCOL] = pmt_str_make(sp2 + 1, (size_t)(end - sp2 - 1));
    } else {
        ev->f[PMT_F_PATH] = pmt_str_make(rest, (size_t)(end - rest));
    }
}

static enum pmt_parse_rc parse(struct state *st, struct pmt_parse_ctx *ctx, struct pmt_str line,
                               struct pmt_event *ev)
{
    const char *p = line.p, *end = line.p + line.len;
    if (line.len == 0) {
        return PMT_PARSE_SKIP;
    }
    if (line.len < 24 || !pmt_is_digit(p[0]) || !pmt_is_digit(p[3]) || p[4] != '/' || p[7] != '/' ||
        p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ' || p[20] != '[') {
        /* nginx writes what upstreams send verbatim, newlines included ("FastCGI sent in
         * stderr: "PHP message: ...\nPHP message: ..."): a line without the stamp continues
         * the event before it. */
        ev->f[PMT_F_MESSAGE] = line;
        return PMT_PARSE_CONTINUE;
    }
    for (int i = 0; i < 19; i++) {
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !pmt_is_digit(p[i])) {
            return PMT_PARSE_NOT_MINE;
        }
    }
    const char *lv = p + 21, *rb = memchr(lv, ']', (size_t)(end - lv));
    int sev = rb ? level(lv, (size_t)(rb - lv)) : -2;
    if (sev == -2) {
        return PMT_PARSE_NOT_MINE;
    }
    ev->severity = (int8_t)sev;
    /* the stamp, through the per-second cache */
    if (ctx->time && st->valid && memcmp(st->key, p, 19) == 0) {
        ev->t_ns = st->t_ns;
        ev->off_s = st->off;
        ev->flags |= st->flags;
    } else {
        struct pmt_civil c = {.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
                                      (p[2] - '0') * 10 + (p[3] - '0'),
                              .mon = (p[5] - '0') * 10 + (p[6] - '0'),
                              .day = (p[8] - '0') * 10 + (p[9] - '0'),
                              .hour = (p[11] - '0') * 10 + (p[12] - '0'),
                              .min = (p[14] - '0') * 10 + (p[15] - '0'),
                              .sec = (p[17] - '0') * 10 + (p[18] - '0'),
                              .has_year = 1};
        if (pmt_parse_stamp(ctx, &c, ev) < 0) {
            ctx->why = "impossible date";
            return PMT_PARSE_MALFORMED;
        } else if (ctx->time) { /* remembered: the next line of the same second reuses it */
            memcpy(st->key, p, 19);
            st->t_ns = ev->t_ns;
            st->off = ev->off_s;
            st->flags = ev->flags;
            st->valid = 1;
        }
    }
    /* "1201#1201: " */
    const char *q = rb + 1;
    while (q < end && *q == ' ') {
        q++;
    }
    const char *hash = q;
    while (hash < end && pmt_is_digit(*hash)) {
        hash++;
    }
    if (hash > q && hash < end && *hash == '#') {
        ev->f[PMT_F_PID] = pmt_str_make(q, (size_t)(hash - q));
        const char *colon = memchr(hash, ':', (size_t)(end - hash));
        q = colon ? colon + 1 : hash;
        while (q < end && *q == ' ') {
            q++;
        }
    }
    ev->f[PMT_F_PROGRAM] = pmt_str_make("nginx", 5);
    ev->f[PMT_F_MESSAGE] = pmt_str_make(q, (size_t)(end - q));
    /* the trailer: ", client: X, server: X, request: "X", upstream: "X", host: "X"" */
    const char *t = memmem(q, (size_t)(end - q), ", client: ", 10);
    if (t) {
        struct pmt_str v;
        if (trailer_value(t, end, ", client: ", &v)) {
            ev->f[PMT_F_CLIENT] = v;
        }
        if (trailer_value(t, end, ", server: ", &v)) {
            ev->f[PMT_F_VHOST] = v;
        }
        if (trailer_value(t, end, ", request: ", &v)) {
            split_request(ev, v);
        }
        if (trailer_value(t, end, ", upstream: ", &v)) {
            ev->f[PMT_F_UPSTREAM] = v;
        }
        if (trailer_value(t, end, ", host: ", &v)) {
            ev->f[PMT_F_VHOST] = v;
        }
        if (trailer_value(t, end, ", referrer: ", &v)) {
            ev->f[PMT_F_REFERER] = v;
        }
    }
    return PMT_PARSE_EVENT;
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    (void)ctx;
    return pmt_xcalloc(1, sizeof(struct state));
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    return parse(state, ctx, line, ev);
}

static void close_state(void *state)
{
    free(state);
}

static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    (void)pctx;
    struct state st = {0};
    struct pmt_parse_ctx ctx = {0}; /* no time: validate stamps only */
    return pmt_probe_share(parse_line, &st, &ctx, lines, n, 0);
}

const struct pmt_parser pmt_parser_nginx_error = {
    .name = "nginx-error",
    .summary = "nginx error logs (no zone in them: see --source-tz)",
    .example = "2023/02/08 03:00:01 [error] 1201#1201: *1 connect() failed (111: Connection "
               "refused) while connecting to upstream, client: 203.0.113.7, ...",
    .probe = probe,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
};
