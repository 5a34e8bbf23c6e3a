/*
 * Syslog as files hold it, in the three shapes real systems write:
 *
 *   RFC 3164 / traditional   Feb  8 03:00:01 web1 nginx[12]: msg         (optionally <PRI> first)
 *   RFC 5424                 <34>1 2023-02-08T03:00:01.123+03:00 web1 app 123 ID47 [sd] msg
 *                            (also without "<PRI>1 ", as some rsyslog templates write it)
 *   rsyslog ISO 8601         2023-02-08T03:00:01.123456+03:00 web1 app[12]: msg  (Debian 12 default)
 *
 * A line starting with a tab or space continues the previous event (macOS syslogd writes
 * multi-line messages that way).
 */
#include <stdlib.h>

#include "pmt/parser.h"

/* The last stamp resolved, minus its fraction: a stamp already seen (same second, same zone
 * text) is not parsed again. Logs write many lines per second, so this hits often. */
struct tcache {
    char key[48];
    size_t keylen;
    int64_t base_ns;
    int32_t off;
    uint16_t flags;
};

/* One cache per stamp shape (RFC 3164, ISO 8601), so a file that mixes them keeps both warm. */
enum { SHAPE_3164, SHAPE_ISO, SHAPES };

struct state {
    struct tcache cache[SHAPES];
};

static inline int d2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && *p == ' ') {
        p++;
    }
    return p;
}

static const char *token_end(const char *p, const char *end)
{
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    return sp ? sp : end;
}

/* ".123456" -> nanoseconds; digits past the ninth are dropped. Returns the end. */
static const char *parse_fraction(const char *p, const char *end, int32_t *nsec)
{
    int32_t v = 0;
    int n = 0;
    while (p < end && pmt_is_digit(*p)) {
        if (n < 9) {
            v = v * 10 + (*p - '0');
            n++;
        }
        p++;
    }
    while (n < 9) {
        v *= 10;
        n++;
    }
    *nsec = v;
    return p;
}

/*
 * "Mmm dd hh:mm:ss" with the day space-padded ("Feb  8") or not ("Feb 8"), and an optional
 * fraction ("Mar 23 23:01:18.123"). Returns the end, or NULL.
 */
static const char *lex_3164(const char *p, const char *end, struct pmt_civil *c,
                            const char **key_end)
{
    if (end - p < 14) {
        return NULL;
    }
    c->mon = pmt_month_abbr(p);
    if (!c->mon || p[3] != ' ') {
        return NULL;
    }
    p += 4;
    if (*p == ' ') {
        p++;
    }
    if (!pmt_is_digit(p[0])) {
        return NULL;
    }
    if (pmt_is_digit(p[1])) {
        c->day = d2(p);
        p += 2;
    } else {
        c->day = p[0] - '0';
        p++;
    }
    if (end - p < 9 || p[0] != ' ' || !pmt_is_digit(p[1]) || !pmt_is_digit(p[2]) || p[3] != ':' ||
        !pmt_is_digit(p[4]) || !pmt_is_digit(p[5]) || p[6] != ':' || !pmt_is_digit(p[7]) || !pmt_is_digit(p[8])) {
        return NULL;
    }
    c->hour = d2(p + 1);
    c->min = d2(p + 4);
    c->sec = d2(p + 7);
    p += 9;
    *key_end = p;
    c->nsec = 0;
    if (p < end && *p == '.' && p + 1 < end && pmt_is_digit(p[1])) {
        p = parse_fraction(p + 1, end, &c->nsec);
    }
    c->has_year = 0;
    c->has_off = 0;
    return p;
}

/*
 * "YYYY-MM-DDTHH:MM:SS[.f][Z|+hh:mm|+hhmm|+hh]". (Not with a space for the T: rsyslog and RFC
 * 5424 always write the T, while "2026-03-08 08:28:13,512 ERROR ..." is an application's
 * log, for --pattern, not syslog with a host named ERROR.) Returns the
 * end, or NULL. The cache key is the stamp minus its fraction: [p, key_end) + [zone, end).
 */
static const char *lex_iso(const char *p, const char *end, struct pmt_civil *c,
                           const char **key_end, const char **zone)
{
    if (end - p < 19 || !pmt_is_digit(p[0]) || !pmt_is_digit(p[1]) || !pmt_is_digit(p[2]) ||
        !pmt_is_digit(p[3]) || p[4] != '-' || !pmt_is_digit(p[5]) || !pmt_is_digit(p[6]) || p[7] != '-' ||
        !pmt_is_digit(p[8]) || !pmt_is_digit(p[9]) || p[10] != 'T' ||
        !pmt_is_digit(p[11]) || !pmt_is_digit(p[12]) || p[13] != ':' || !pmt_is_digit(p[14]) ||
        !pmt_is_digit(p[15]) || p[16] != ':' || !pmt_is_digit(p[17]) || !pmt_is_digit(p[18])) {
        return NULL;
    }
    c->year = d2(p) * 100 + d2(p + 2);
    c->mon = d2(p + 5);
    c->day = d2(p + 8);
    c->hour = d2(p + 11);
    c->min = d2(p + 14);
    c->sec = d2(p + 17);
    c->has_year = 1;
    c->nsec = 0;
    p += 19;
    *key_end = p;
    if (p < end && (*p == '.' || *p == ',') && p + 1 < end && pmt_is_digit(p[1])) {
        p = parse_fraction(p + 1, end, &c->nsec);
    }
    *zone = p;
    c->has_off = 0;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        c->has_off = 1;
        c->off_s = 0;
        p++;
    } else if (p < end && (*p == '+' || *p == '-') && end - p >= 3 && pmt_is_digit(p[1]) &&
               pmt_is_digit(p[2])) {
        int sign = *p == '-' ? -1 : 1;
        int h = d2(p + 1), m = 0;
        const char *q = p + 3;
        if (end - q >= 3 && *q == ':' && pmt_is_digit(q[1]) && pmt_is_digit(q[2])) {
            m = d2(q + 1);
            q += 3;
        } else if (end - q >= 2 && pmt_is_digit(q[0]) && pmt_is_digit(q[1])) {
            m = d2(q);
            q += 2;
        }
        c->has_off = 1;
        c->off_s = sign * (h * 3600 + m * 60);
        p = q;
    }
    return p;
}

/* Resolves the stamp through the per-second cache. Returns 0, or -1 for an invalid stamp. */
static int resolve(struct state *state, int shape, struct pmt_parse_ctx *ctx,
                   const struct pmt_civil *c, const char *k1, size_t n1, const char *k2,
                   size_t n2, struct pmt_event *ev)
{
    if (!ctx->time) { /* probing: only the ranges matter */
        return pmt_civil_valid(c) ? 0 : -1;
    }
    struct tcache *st = &state->cache[shape];
    if (n1 + n2 <= sizeof(st->key)) {
        if (st->keylen == n1 + n2 && memcmp(st->key, k1, n1) == 0 &&
            memcmp(st->key + n1, k2, n2) == 0) {
            ev->t_ns = st->base_ns + c->nsec;
            ev->off_s = st->off;
            ev->flags |= st->flags;
            return 0;
        }
    }
    struct pmt_civil whole = *c;
    whole.nsec = 0;
    int64_t t;
    int32_t off;
    uint16_t fl;
    if (pmt_srctime_resolve(ctx->time, &whole, &t, &off, &fl) < 0) {
        return -1;
    }
    if (n1 + n2 <= sizeof(st->key)) {
        memcpy(st->key, k1, n1);
        memcpy(st->key + n1, k2, n2);
        st->keylen = n1 + n2;
        st->base_ns = t;
        st->off = off;
        st->flags = fl;
    }
    ev->t_ns = t + c->nsec;
    ev->off_s = off;
    ev->flags |= fl;
    return 0;
}

/* Uppercase severity words that some writers put where the host goes (ChromeOS: "... INFO prog:"). */
static int severity_in_host_slot(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 'A' || p[i] > 'Z') {
            return PMT_SEV_NONE;
        }
    }
    return n >= 3 ? pmt_severity_parse(p, n) : PMT_SEV_NONE;
}

/*
 * A tag: "name:", "name[pid]:", "name[pid]" or a bare "name". rsyslog takes the first word
 * after the host as the TAG whatever it looks like, and writes it back without a colon when
 * the message came in as RFC 5424 ("web-01 systemd[1] Started ...", "mon-01 alertmanager
 * [FIRING:1] ..."). A bare word counts when it is made of tag characters and has a letter, so
 * "--- last message repeated 5 times ---" keeps its first word. Returns the end of the tag
 * (after a colon), or NULL.
 */
static const char *parse_tag(const char *p, const char *end, struct pmt_event *ev)
{
    const char *q = p;
    int letter = 0, odd = 0;
    while (q < end && *q != '[' && *q != ':' && *q != ' ') {
        unsigned char c = (unsigned char)*q;
        int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        letter |= alpha;
        odd |= !(alpha || pmt_is_digit((char)c) || c >= 0x80 || (c && strchr("-_./()@", c)));
        q++;
    }
    if (q == p || q - p > 64) {
        return NULL;
    }
    const char *name_end = q;
    const char *pid = NULL, *pid_end = NULL;
    if (q < end && *q == '[') {
        pid = q + 1;
        pid_end = memchr(pid, ']', (size_t)(end - pid));
        if (!pid_end || pid_end - pid > 32) {
            return NULL;
        }
        q = pid_end + 1;
        if (q < end && *q == ':') {
            q++;
        }
    } else if (q < end && *q == ':') {
        q++;
    } else if (!letter || odd) {
        return NULL; /* a bare word that is no name: it stays in the message */
    }
    if (q < end && *q != ' ') {
        return NULL;
    }
    ev->f[PMT_F_PROGRAM] = pmt_str_make(p, (size_t)(name_end - p));
    if (pid) {
        ev->f[PMT_F_PID] = pmt_str_make(pid, (size_t)(pid_end - pid));
    }
    return q;
}

static void set_message(struct pmt_event *ev, const char *p, const char *end)
{
    p = skip_spaces(p, end);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    ev->f[PMT_F_MESSAGE] = pmt_str_make(p, (size_t)(end - p));
}

/* "HOST TAG: MSG", "TAG: MSG" (no host) or "HOST MSG", after a 3164 or ISO stamp. */
static void parse_body(const char *p, const char *end, struct pmt_event *ev, int iso)
{
    p = skip_spaces(p, end);
    const char *t1e = token_end(p, end);
    const char *q = NULL;
    if (t1e > p && (t1e[-1] == ':' || t1e[-1] == ']')) {
        q = parse_tag(p, end, ev);
    }
    if (q) {
        /* The first word is already a tag ("sshd[7]:"): this writer left out the host. */
        set_message(ev, q, end);
        return;
    }
    const char *host = p;
    size_t hlen = (size_t)(t1e - p);
    p = skip_spaces(t1e, end);
    q = p < end ? parse_tag(p, end, ev) : NULL;
    int sev = iso && q ? severity_in_host_slot(host, hlen) : PMT_SEV_NONE;
    if (sev != PMT_SEV_NONE && ev->severity == PMT_SEV_NONE) {
        ev->severity = (int8_t)sev;
    } else if (hlen > 0) {
        ev->f[PMT_F_HOST] = pmt_str_make(host, hlen);
    }
    set_message(ev, q ? q : p, end);
}

/* RFC 5424 header fields after the stamp: HOSTNAME APP-NAME PROCID MSGID SD [MSG]. */
static int field_5424(const char **pp, const char *end, struct pmt_str *out, size_t max)
{
    const char *p = *pp;
    const char *e = token_end(p, end);
    if (e == p || (size_t)(e - p) > max) {
        return -1;
    }
    if (!(e - p == 1 && *p == '-')) {
        *out = pmt_str_make(p, (size_t)(e - p));
    }
    *pp = e < end ? e + 1 : e;
    return 0;
}

/* Structured data: "-" or one or more [id param="value" ...]; values may escape \" \\ \]. */
static const char *scan_sd(const char *p, const char *end)
{
    if (p < end && *p == '-' && (p + 1 == end || p[1] == ' ')) {
        return p + 1;
    }
    if (p >= end || *p != '[') {
        return NULL;
    }
    while (p < end && *p == '[') {
        int quoted = 0;
        p++;
        while (p < end) {
            if (quoted) {
                if (*p == '\\' && p + 1 < end) {
                    p += 2;
                    continue;
                }
                if (*p == '"') {
                    quoted = 0;
                }
            } else if (*p == '"') {
                quoted = 1;
            } else if (*p == ']') {
                break;
            }
            p++;
        }
        if (p >= end) {
            return NULL;
        }
        p++; /* past ']' */
    }
    return p;
}

static int parse_5424_rest(const char *p, const char *end, struct pmt_event *ev)
{
    struct pmt_str app = PMT_STR_NULL;
    if (field_5424(&p, end, &ev->f[PMT_F_HOST], 255) < 0 || field_5424(&p, end, &app, 48) < 0 ||
        field_5424(&p, end, &ev->f[PMT_F_PID], 128) < 0 ||
        field_5424(&p, end, &ev->f[PMT_F_MSGID], 32) < 0) {
        return -1;
    }
    ev->f[PMT_F_PROGRAM] = app;
    const char *sd_end = scan_sd(p, end);
    if (!sd_end || (sd_end < end && *sd_end != ' ')) {
        return -1;
    }
    if (*p == '[') {
        ev->f[PMT_F_SD] = pmt_str_make(p, (size_t)(sd_end - p));
    }
    p = sd_end;
    /* MSG may begin with a UTF-8 byte order mark, which says the text is UTF-8; drop it. */
    p = skip_spaces(p, end);
    if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF) {
        p += 3;
    }
    set_message(ev, p, end);
    return 0;
}

/* Does the text after an ISO stamp look like a PRI-less RFC 5424 header? */
static int looks_5424(const char *p, const char *end)
{
    for (int i = 0; i < 4; i++) { /* host, app, procid, msgid */
        const char *e = token_end(p, end);
        if (e == p || e == end) {
            return 0;
        }
        if (i == 1 && (e[-1] == ':' || memchr(p, '[', (size_t)(e - p)))) {
            return 0; /* "app[12]:" or "app:": the rsyslog file format */
        }
        p = e + 1;
    }
    return (*p == '-' && (p + 1 == end || p[1] == ' ')) || *p == '[';
}

/* "Mmm dd", "MMM 22", "2023-...", "<13>...": the shapes a record (or a broken one) starts with. */
static int looks_like_record_start(struct pmt_str line)
{
    const char *p = line.p;
    size_t n = line.len;
    if (n >= 2 && p[0] == '<' && pmt_is_digit(p[1])) {
        return 1;
    }
    if (n >= 5 && pmt_is_digit(p[0]) && pmt_is_digit(p[1]) && pmt_is_digit(p[2]) && pmt_is_digit(p[3]) &&
        p[4] == '-') {
        return 1;
    }
    if (n >= 6 && ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') &&
        ((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z') &&
        ((p[2] | 0x20) >= 'a' && (p[2] | 0x20) <= 'z') && p[3] == ' ' &&
        (pmt_is_digit(p[4]) || (p[4] == ' ' && pmt_is_digit(p[5])))) {
        return 1;
    }
    return 0;
}

static int is_plain_text(struct pmt_str line)
{
    for (size_t i = 0; i < line.len; i++) {
        unsigned char c = (unsigned char)line.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

static enum pmt_parse_rc parse(struct state *st, struct pmt_parse_ctx *ctx, struct pmt_str line,
                               struct pmt_event *ev)
{
    const char *p = line.p, *end = line.p + line.len;
    if (line.len == 0) {
        return PMT_PARSE_SKIP;
    }
    if (*p == '\t' || *p == ' ') {
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t')) {
            q++;
        }
        if (q == end) {
            return PMT_PARSE_SKIP;
        }
        ev->f[PMT_F_MESSAGE] = line;
        return PMT_PARSE_CONTINUE;
    }

    int pri = -1;
    if (*p == '<') {
        const char *q = p + 1;
        int v = 0, n = 0;
        while (q < end && pmt_is_digit(*q) && n < 3) {
            v = v * 10 + (*q++ - '0');
            n++;
        }
        if (n == 0 || q >= end || *q != '>' || v > 191) {
            return PMT_PARSE_NOT_MINE;
        }
        pri = v;
        p = q + 1;
        ev->severity = (int8_t)(pri & 7);
    }

    struct pmt_civil c;
    const char *key_end, *zone, *q;
    if (pri >= 0 && end - p >= 2 && p[0] == '1' && p[1] == ' ') {
        /* RFC 5424 with its header. */
        p += 2;
        if (p < end && *p == '-') {
            ctx->why = "RFC 5424 message without a timestamp (NILVALUE)";
            return PMT_PARSE_MALFORMED;
        }
        q = lex_iso(p, end, &c, &key_end, &zone);
        if (!q || (q < end && *q != ' ')) {
            ctx->why = "bad RFC 5424 timestamp";
            return PMT_PARSE_MALFORMED;
        }
        if (resolve(st, SHAPE_ISO, ctx, &c, p, (size_t)(key_end - p), zone, (size_t)(q - zone), ev) < 0) {
            ctx->why = "timestamp out of range";
            return PMT_PARSE_MALFORMED;
        }
        if (q >= end || parse_5424_rest(q + 1, end, ev) < 0) {
            ctx->why = "bad RFC 5424 header";
            return PMT_PARSE_MALFORMED;
        }
        return PMT_PARSE_EVENT;
    }

    if ((q = lex_iso(p, end, &c, &key_end, &zone)) != NULL) {
        if (q < end && *q != ' ') {
            return PMT_PARSE_NOT_MINE;
        }
        if (resolve(st, SHAPE_ISO, ctx, &c, p, (size_t)(key_end - p), zone, (size_t)(q - zone), ev) < 0) {
            ctx->why = "timestamp out of range";
            return PMT_PARSE_MALFORMED;
        }
        q = skip_spaces(q, end);
        if (looks_5424(q, end)) {
            if (parse_5424_rest(q, end, ev) == 0) {
                return PMT_PARSE_EVENT;
            }
            for (int i = 0; i < PMT_F_COUNT; i++) {
                ev->f[i] = PMT_STR_NULL;
            }
        }
        parse_body(q, end, ev, 1);
        return PMT_PARSE_EVENT;
    }

    if ((q = lex_3164(p, end, &c, &key_end)) != NULL) {
        if (q < end && *q != ' ') {
            return PMT_PARSE_NOT_MINE;
        }
        if (resolve(st, SHAPE_3164, ctx, &c, p, (size_t)(key_end - p), "", 0, ev) < 0) {
            ctx->why = "impossible date";
            return PMT_PARSE_MALFORMED;
        }
        parse_body(q, end, ev, 0);
        return PMT_PARSE_EVENT;
    }
    if (pri >= 0) {
        ctx->why = "<PRI> without a recognisable timestamp";
        return PMT_PARSE_MALFORMED;
    }
    /* rsyslog writes a message's embedded newline as is, so a record can go on on the next
     * line ("with another line"). Plain text that begins with a letter and does not look like
     * the start of a record continues the event before it; what looks like a broken stamp
     * ("MMM 22 07:54:32"), starts like another format's record (an address, '[', '{') or
     * holds control bytes stays unparsed, so damage is still reported. */
    if (line.len > 0 && ((line.p[0] | 0x20) >= 'a' && (line.p[0] | 0x20) <= 'z') &&
        !looks_like_record_start(line) && is_plain_text(line)) {
        ev->f[PMT_F_MESSAGE] = line;
        return PMT_PARSE_CONTINUE;
    }
    return PMT_PARSE_NOT_MINE;
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    (void)ctx;
    return pmt_xcalloc(1, sizeof(struct state));
}

/*
 * Puppet's agent logs its runs to syslog too ("puppet-agent[4780]: Applied catalog in 19.16
 * seconds", "puppet-user[...]: Finished catalog run"): those are configuration runs, the
 * changes a postmortem looks for first.
 */
static void mark_config_run(struct pmt_event *ev)
{
    struct pmt_str pr = ev->f[PMT_F_PROGRAM], m = ev->f[PMT_F_MESSAGE];
    if (pr.len < 6 || memcmp(pr.p, "puppet", 6) != 0) {
        return;
    }
    static const char *const runs[] = {"Applied catalog in ", "Finished catalog run in ",
                                       "Applied catalog (", "Finished catalog run"};
    for (size_t i = 0; i < PMT_ARRAY_LEN(runs); i++) {
        size_t n = strlen(runs[i]);
        if (m.len >= n && memcmp(m.p, runs[i], n) == 0) {
            ev->flags |= PMT_EV_CONFIG_RUN;
            return;
        }
    }
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    enum pmt_parse_rc rc = parse(state, ctx, line, ev);
    if (rc == PMT_PARSE_EVENT && ev->f[PMT_F_PROGRAM].len >= 6 && ev->f[PMT_F_PROGRAM].p[0] == 'p') {
        mark_config_run(ev);
    }
    return rc;
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
    return pmt_probe_share(parse_line, &st, &ctx, lines, n, 1);
}

const struct pmt_parser pmt_parser_syslog = {
    .name = "syslog",
    .summary = "syslog files: RFC 3164 (traditional), RFC 5424, rsyslog ISO 8601; <PRI> optional",
    .example = "Feb  8 03:00:01 web1 nginx[12]: upstream timed out",
    .probe = probe,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
};
