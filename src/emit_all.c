/*
 * Every event, one per line (--all): a Markdown list or JSON lines.
 *
 *   - 2023-02-08 03:00:01 UTC — web1 nginx[12]: message
 *   {"time":"2023-02-08T03:00:01Z","epoch_ns":...,"source":"web1/syslog","line":1,...}
 *
 * This is the hottest code after the parsers: each event is written through a raw pointer into
 * room reserved for its worst case; the text of the current second (date, offset label, epoch
 * digits) is cached, since logs write many lines per second.
 */
#include <csv.h>
#include "pmt/emit.h"
#include "pmt/parser.h"

#define LIT(w, s) (memcpy((w), (s), sizeof(s) - 1), (w) + sizeof(s) - 1)

static const char dash[] = " \xE2\x80\x94 "; /* " — " */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int32_t nsec_of(int64_t t_ns)
{
    int64_t r = t_ns % PMT_NS_PER_S;
    return (int32_t)(r < 0 ? r + PMT_NS_PER_S : r);
}

/* Fills the per-second cache for the event's second, in the display zone. */
static void second(struct pmt_emit_ctx *c, int64_t t_ns, char sep)
{
    int64_t sec = floor_div(t_ns, PMT_NS_PER_S);
    if (c->cache_valid && c->cache_sec == sec) {
        return;
    }
    if (!c->cache_valid || sec < c->zone_lo || sec >= c->zone_hi) {
        /* a new stretch between the zone's transitions: offset and label, once */
        c->cache_off = pmt_zone_span_at(c->zone, sec, &c->zone_lo, &c->zone_hi, NULL);
        c->cache_label_len = pmt_zone_stamp_label(c->zone, sec, c->cache_label);
    }
    pmt_fmt_datetime(c->cache_date, sec + c->cache_off, sep);
    /* decimal seconds, for epoch_ns = seconds digits + 9 digits of nanoseconds (used only for
     * instants after 1970; before, epoch_ns is written whole) */
    c->cache_epoch_len =
        sec >= 0 ? (size_t)(pmt_put_u64(c->cache_epoch, (uint64_t)sec) - c->cache_epoch) : 0;
    c->cache_sec = sec;
    c->cache_valid = 1;
}

static size_t text_len(const struct pmt_event *ev)
{
    size_t n = 0;
    for (int i = 0; i < PMT_F_COUNT; i++) {
        n += ev->f[i].len;
    }
    return n;
}

static void no_frame(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    (void)c;
    (void)out;
}

/* "## Events — all times EAT (UTC+03:00, Africa/Nairobi)": the reader knows the zone. */
static void md_begin(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    char d[160];
    pmt_zone_describe(c->zone, c->span_t0, c->span_t1, d, sizeof(d));
    pmt_out_s(out, "## Events \xE2\x80\x94 all times ");
    pmt_out_s(out, d);
    pmt_out_s(out, "\n\n");
}

static size_t md_max(const struct pmt_emit_ctx *c, const struct pmt_event *ev)
{
    (void)c;
    return 160 + 4 * text_len(ev) + 6 * PMT_ESC_SLACK;
}

/* Microseconds as seconds: 4000 -> "0.004", 1500000 -> "1.500", 123 -> "0.000123". */
static char *put_seconds(char *w, int64_t us)
{
    if (us < 0) {
        us = 0;
    }
    w = pmt_put_u64(w, (uint64_t)(us / 1000000));
    int frac = (int)(us % 1000000);
    *w++ = '.';
    int digits = frac % 1000 == 0 ? 3 : 6;
    int div = digits == 3 ? 1000 : 1;
    int v = frac / div;
    for (int i = digits - 1; i >= 0; i--) {
        w[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return w + digits;
}

/* An HTTP request, the way an on-call engineer reads it:
 * 203.0.113.7 "GET /login HTTP/1.1" 502, 157 B, 0.004 s */
typedef char *escaper(char *w, const char *s, size_t n);

static inline __attribute__((always_inline)) char *list_http(char *w, const struct pmt_event *ev,
                                                              escaper *esc)
{
    const struct pmt_str *cl = &ev->f[PMT_F_CLIENT], *msg = &ev->f[PMT_F_MESSAGE];
    if (cl->len) {
        w = esc(w, cl->p, cl->len);
        *w++ = ' ';
    }
    *w++ = '"';
    w = esc(w, msg->p, msg->len);
    *w++ = '"';
    *w++ = ' ';
    w = pmt_put_u64(w, (uint64_t)ev->n[PMT_N_STATUS]);
    if (ev->nmask & (1u << PMT_N_BYTES)) {
        w = LIT(w, ", ");
        w = pmt_put_u64(w, (uint64_t)ev->n[PMT_N_BYTES]);
        w = LIT(w, " B");
    }
    if (ev->nmask & (1u << PMT_N_REQUEST_US)) {
        w = LIT(w, ", ");
        w = put_seconds(w, ev->n[PMT_N_REQUEST_US]);
        w = LIT(w, " s");
    }
    return w;
}

/* One event as a list line: "- 2026-03-08 08:25:01 EAT — web-01 nginx: ..." in Markdown, the
 * same without the bullet and Markdown escapes as text. Inlined into each, so esc is direct. */
static inline __attribute__((always_inline)) char *
list_line(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w, int text)
{
    escaper *esc = text ? pmt_text_esc : pmt_md_esc;
    second(c, ev->t_ns, ' ');
    const struct pmt_str *host = &ev->f[PMT_F_HOST], *prog = &ev->f[PMT_F_PROGRAM];
    const struct pmt_str *pid = &ev->f[PMT_F_PID], *msg = &ev->f[PMT_F_MESSAGE];
    if (!text) {
        w = LIT(w, "- ");
    }
    memcpy(w, c->cache_date, 19);
    w += 19;
    *w++ = ' ';
    memcpy(w, c->cache_label, c->cache_label_len);
    w += c->cache_label_len;
    w = text ? LIT(w, "  ") : LIT(w, dash);
    if (host->len) {
        w = esc(w, host->p, host->len);
        if (prog->len) {
            *w++ = ' ';
        } else {
            w = LIT(w, ": ");
        }
    }
    if (prog->len) {
        w = esc(w, prog->p, prog->len);
        if (pid->len) {
            *w++ = '[';
            w = esc(w, pid->p, pid->len);
            *w++ = ']';
        }
        w = LIT(w, ": ");
    }
    if (ev->nmask & (1u << PMT_N_STATUS)) {
        w = list_http(w, ev, esc);
    } else {
        w = esc(w, msg->p, msg->len);
    }
    *w++ = '\n';
    return w;
}

static char *md_format(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w)
{
    return list_line(c, ev, w, 0);
}

static char *text_format(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w)
{
    return list_line(c, ev, w, 1);
}

/* What the reader must know the times rest on: zones and years that were assumed. */
static void md_end(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    if (c->nnotes == 0) {
        return;
    }
    pmt_out_s(out, "\n**Notes**\n\n");
    for (size_t i = 0; i < c->nnotes; i++) {
        pmt_out_s(out, "- ");
        pmt_out_md_text(out, c->notes[i], strlen(c->notes[i]));
        pmt_out_ch(out, '\n');
    }
}

const struct pmt_emitter pmt_emit_md_all = {
    .name = "md",
    .begin = md_begin,
    .max_size = md_max,
    .format = md_format,
    .end = md_end,
};

/* "Events - all times EAT (UTC+03:00, Africa/Nairobi)" */
static void text_begin(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    char d[160];
    pmt_zone_describe(c->zone, c->span_t0, c->span_t1, d, sizeof(d));
    pmt_out_s(out, "Events - all times ");
    pmt_out_s(out, d);
    pmt_out_s(out, "\n\n");
}

static void text_end(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    if (c->nnotes == 0) {
        return;
    }
    pmt_out_s(out, "\nNotes\n\n");
    for (size_t i = 0; i < c->nnotes; i++) {
        pmt_out_s(out, "  ");
        pmt_out_text(out, c->notes[i], strlen(c->notes[i]));
        pmt_out_ch(out, '\n');
    }
}

/* Plain text, for tickets and terminals: no Markdown escapes; controls shown as symbols. */
const struct pmt_emitter pmt_emit_text_all = {
    .name = "text",
    .begin = text_begin,
    .max_size = md_max,
    .format = text_format,
    .end = text_end,
};

/* ,"key":"escaped" or ,"key":null */
static char *json_field(char *w, const char *key, size_t klen, const struct pmt_str *s)
{
    memcpy(w, key, klen);
    w += klen;
    if (s->len) {
        *w++ = '"';
        w = pmt_json_esc(w, s->p, s->len);
        *w++ = '"';
    } else {
        w = LIT(w, "null");
    }
    return w;
}

#define JSON_FIELD(w, key, s) json_field((w), (key), sizeof(key) - 1, (s))

static size_t json_max(const struct pmt_emit_ctx *c, const struct pmt_event *ev)
{
    return 1024 + c->source_json_len[ev->src] + 6 * text_len(ev) + 24 * PMT_ESC_SLACK;
}

static char *json_format(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w)
{
    second(c, ev->t_ns, 'T');
    int32_t ns = nsec_of(ev->t_ns);
    w = LIT(w, "{\"time\":\"");
    memcpy(w, c->cache_date, 19);
    w += 19;
    w += pmt_fmt_fraction(w, ns);
    w += pmt_fmt_offset(w, c->cache_off, pmt_zone_is_utc(c->zone)); /* Z only for UTC */
    w = LIT(w, "\",\"epoch_ns\":");
    if (c->cache_sec >= 0) {
        memcpy(w, c->cache_epoch, c->cache_epoch_len);
        w += c->cache_epoch_len;
        for (int i = 8; i >= 0; i--) { /* nine digits of nanoseconds */
            w[i] = (char)('0' + ns % 10);
            ns /= 10;
        }
        w += 9;
    } else {
        int64_t t = ev->t_ns;
        if (t < 0) {
            *w++ = '-';
        }
        w = pmt_put_u64(w, t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t);
    }
    w = LIT(w, ",\"source\":");
    memcpy(w, c->source_json[ev->src], c->source_json_len[ev->src]);
    w += c->source_json_len[ev->src];
    w = LIT(w, ",\"line\":");
    w = pmt_put_u64(w, ev->line);
    w = LIT(w, ",\"format\":\"");
    const char *fmt = pmt_parsers[ev->parser]->name;
    size_t fl = strlen(fmt);
    memcpy(w, fmt, fl);
    w += fl;
    *w++ = '"';
    w = JSON_FIELD(w, ",\"host\":", &ev->f[PMT_F_HOST]);
    w = JSON_FIELD(w, ",\"program\":", &ev->f[PMT_F_PROGRAM]);
    w = JSON_FIELD(w, ",\"pid\":", &ev->f[PMT_F_PID]);
    w = LIT(w, ",\"severity\":");
    const char *sev = pmt_severity_name(ev->severity);
    if (sev) {
        size_t sl = strlen(sev);
        *w++ = '"';
        memcpy(w, sev, sl);
        w += sl;
        *w++ = '"';
    } else {
        w = LIT(w, "null");
    }
    if (ev->f[PMT_F_MSGID].len) {
        w = JSON_FIELD(w, ",\"msgid\":", &ev->f[PMT_F_MSGID]);
    }
    /* HTTP fields, when the parser found them */
    static const struct {
        enum pmt_field f;
        const char *key;
    } http[] = {
        {PMT_F_CLIENT, ",\"client\":"},
        {PMT_F_USER, ",\"remote_user\":"},
        {PMT_F_VHOST, ",\"vhost\":"},
        {PMT_F_METHOD, ",\"method\":"},
        {PMT_F_PATH, ",\"path\":"},
        {PMT_F_PROTOCOL, ",\"protocol\":"},
        {PMT_F_REFERER, ",\"referer\":"},
        {PMT_F_USER_AGENT, ",\"user_agent\":"},
        {PMT_F_XFF, ",\"x_forwarded_for\":"},
        {PMT_F_UPSTREAM, ",\"upstream\":"},
        {PMT_F_UPSTREAM_STATUS, ",\"upstream_status\":"},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(http); i++) {
        if (ev->f[http[i].f].len) {
            w = json_field(w, http[i].key, strlen(http[i].key), &ev->f[http[i].f]);
        }
    }
    if (ev->nmask & (1u << PMT_N_STATUS)) {
        w = LIT(w, ",\"status\":");
        w = pmt_put_u64(w, (uint64_t)ev->n[PMT_N_STATUS]);
    }
    if (ev->nmask & (1u << PMT_N_BYTES)) {
        w = LIT(w, ",\"bytes\":");
        w = pmt_put_u64(w, (uint64_t)ev->n[PMT_N_BYTES]);
    }
    if (ev->nmask & (1u << PMT_N_REQUEST_US)) {
        w = LIT(w, ",\"request_time\":");
        w = put_seconds(w, ev->n[PMT_N_REQUEST_US]);
    }
    if (ev->nmask & (1u << PMT_N_UPSTREAM_US)) {
        w = LIT(w, ",\"upstream_response_time\":");
        w = put_seconds(w, ev->n[PMT_N_UPSTREAM_US]);
    }
    if (ev->f[PMT_F_SD].len) {
        w = JSON_FIELD(w, ",\"structured_data\":", &ev->f[PMT_F_SD]);
    }
    if (ev->flags & (PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED)) {
        static const char *const assumed[] = {
            "", ",\"assumed\":[\"year\"]", ",\"assumed\":[\"zone\"]",
            ",\"assumed\":[\"year\",\"zone\"]"};
        const char *a = assumed[ev->flags & (PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED)];
        size_t al = strlen(a);
        memcpy(w, a, al);
        w += al;
    }
    if (ev->flags & PMT_EV_DST_GAP) {
        w = LIT(w, ",\"dst\":\"gap\"");
    } else if (ev->flags & PMT_EV_DST_EARLIER) {
        w = LIT(w, ",\"dst\":\"repeated-first\"");
    } else if (ev->flags & PMT_EV_DST_LATER) {
        w = LIT(w, ",\"dst\":\"repeated-second\"");
    }
    if (ev->flags & PMT_EV_CONFIG_RUN) {
        w = LIT(w, ",\"kind\":\"config-run\"");
    }
    if (ev->flags & PMT_EV_CUT) {
        w = LIT(w, ",\"cut\":true");
    }
    w = LIT(w, ",\"message\":\"");
    w = pmt_json_esc(w, ev->f[PMT_F_MESSAGE].p, ev->f[PMT_F_MESSAGE].len);
    w = LIT(w, "\"}\n");
    return w;
}

const struct pmt_emitter pmt_emit_json_all = {
    .name = "json",
    .begin = no_frame,
    .max_size = json_max,
    .format = json_format,
    .end = no_frame,
};

/* ---- CSV (--all -o csv): one row per event, after a header ---- */

/* One field, quoted when it has to be, quotes doubled, controls shown as pictures. */
/* One CSV field: control characters made visible (into the context's scratch, grown only
 * when a longer field comes), then quoted by libcsv's csv_write: in quotes, a quote doubled.
 * At most 3n + 2 bytes. */
static char *csv_field(struct pmt_emit_ctx *c, char *w, const char *p, size_t n)
{
    size_t need = 3 * n + PMT_ESC_SLACK;
    if (c->scratch_cap < need) {
        c->scratch_cap = PMT_MAX(need, 2 * c->scratch_cap);
        free(c->scratch);
        c->scratch = pmt_xmalloc(c->scratch_cap);
    }
    size_t cn = (size_t)(pmt_text_esc(c->scratch, p, n) - c->scratch);
    return w + csv_write(w, 2 * cn + 2, c->scratch, cn);
}

void pmt_emit_ctx_release(struct pmt_emit_ctx *c)
{
    free(c->scratch);
    c->scratch = NULL;
    c->scratch_cap = 0;
}

static void csv_begin(struct pmt_emit_ctx *c, struct pmt_out *out)
{
    (void)c;
    pmt_out_s(out, "time,epoch_ns,source,line,format,host,program,pid,severity,status,client,"
                   "message\n");
}

static size_t csv_max(const struct pmt_emit_ctx *c, const struct pmt_event *ev)
{
    return 256 + 2 * c->source_json_len[ev->src] + 8 * text_len(ev) + 8 * PMT_ESC_SLACK;
}

static char *csv_format(struct pmt_emit_ctx *c, const struct pmt_event *ev, char *w)
{
    second(c, ev->t_ns, 'T');
    memcpy(w, c->cache_date, 19);
    w += 19;
    w += pmt_fmt_fraction(w, nsec_of(ev->t_ns));
    w += pmt_fmt_offset(w, c->cache_off, pmt_zone_is_utc(c->zone));
    *w++ = ',';
    int64_t t = ev->t_ns;
    if (t < 0) {
        *w++ = '-';
    }
    w = pmt_put_u64(w, t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t);
    *w++ = ',';
    const char *src = c->source_names[ev->src];
    w = csv_field(c, w, src, strlen(src));
    *w++ = ',';
    w = pmt_put_u64(w, ev->line);
    *w++ = ',';
    const char *fmt = pmt_parsers[ev->parser]->name;
    w = csv_field(c, w, fmt, strlen(fmt));
    static const enum pmt_field fs[] = {PMT_F_HOST, PMT_F_PROGRAM, PMT_F_PID};
    for (size_t i = 0; i < PMT_ARRAY_LEN(fs); i++) {
        *w++ = ',';
        w = csv_field(c, w, ev->f[fs[i]].p, ev->f[fs[i]].len);
    }
    *w++ = ',';
    const char *sev = pmt_severity_name(ev->severity);
    if (sev) {
        w = csv_field(c, w, sev, strlen(sev));
    }
    *w++ = ',';
    if (ev->nmask & (1u << PMT_N_STATUS)) {
        w = pmt_put_u64(w, (uint64_t)ev->n[PMT_N_STATUS]);
    }
    *w++ = ',';
    w = csv_field(c, w, ev->f[PMT_F_CLIENT].p, ev->f[PMT_F_CLIENT].len);
    *w++ = ',';
    w = csv_field(c, w, ev->f[PMT_F_MESSAGE].p, ev->f[PMT_F_MESSAGE].len);
    *w++ = '\n';
    return w;
}

const struct pmt_emitter pmt_emit_csv_all = {
    .name = "csv",
    .begin = csv_begin,
    .max_size = csv_max,
    .format = csv_format,
    .end = no_frame,
};
