/* The draft's aggregation and analysis. See pmt/draft.h. */
#include "pmt/draft.h"
#include "pmt/emit.h"

#include <stdarg.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#define MAX_MINUTES (1u << 20)   /* two years of minutes */
#define MAX_CLIENTS (1u << 18)   /* beyond: client counts are marked as at least */
#define MAX_TEMPLATES (1u << 14) /* beyond: new templates of info level and below are dropped */
#define EXAMPLE_MAX 240
#define TRIGGER_GRACE_NS (5LL * PMT_NS_PER_S)

const char *pmt_kind_name(enum pmt_kind k)
{
    static const char *const names[] = {"note",   "traffic", "error",    "state",        "change",
                                        "alert",  "trigger", "detected", "outage-start", "outage-end"};
    return names[k];
}

void pmt_draft_opts_default(struct pmt_draft_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->error_share = 0.10;
    o->min_requests = 3;
    o->gap_minutes = 2;
    o->error_burst = 3;
    o->max_lines = 25;
}

/*
 * What makes a moment, as data: a word in a template's message (or program) and the kind and
 * weight it gives. Matched once per template, not per line. Severity err and worse makes an
 * error moment on its own; configuration runs come marked by their parsers.
 */
static const struct rule {
    const char *needle;
    enum pmt_kind kind;
    int weight;
} rules[] = {
    {"FIRING", PMT_K_ALERT, 90},          {"[ALERT]", PMT_K_ALERT, 90},
    {"ALERT ", PMT_K_ALERT, 85},          {" is down", PMT_K_ALERT, 80},
    {"RESOLVED", PMT_K_ALERT, 75},        {"recovered", PMT_K_ALERT, 60},
    {"Out of memory", PMT_K_STATE, 90},   {"Killed process", PMT_K_STATE, 90},
    {"oom-kill", PMT_K_STATE, 90},        {"segfault", PMT_K_STATE, 85},
    {"panic", PMT_K_STATE, 80},           {"failover", PMT_K_STATE, 80},
    {"reboot", PMT_K_STATE, 70},          {"Stopped ", PMT_K_STATE, 55},
    {"Stopping ", PMT_K_STATE, 45},       {"Started ", PMT_K_STATE, 40},
    {"Restarting", PMT_K_STATE, 50},      {"restarted", PMT_K_STATE, 50},
    {"Failed with result", PMT_K_STATE, 70}, {"exited, code=", PMT_K_STATE, 60},
    {"deploy", PMT_K_CHANGE, 70},         {"Deploy", PMT_K_CHANGE, 70},
    {"released", PMT_K_CHANGE, 50},       {"rollback", PMT_K_CHANGE, 70},
};

static const char *const alert_programs[] = {"alertmanager", "nagios", "icinga", "zabbix",
                                             "prometheus", "monit", "pagerduty", "grafana"};

struct minute {
    int64_t minute; /* since the epoch; INT64_MIN: empty slot */
    uint32_t req, e4xx, e5xx, errs;
    uint32_t clients; /* distinct (exact for time-ordered input: a client counts once a minute) */
    int64_t first5xx, last5xx;
    int64_t first_err, last_err; /* error-level events (not requests) */
    char example[96]; /* the first 5xx: "502 GET /login" */
};

struct client {
    uint64_t hash; /* 0: empty */
    int64_t first, last, first_err, last_err;
    int64_t minute; /* the last minute it was counted in */
};

struct tmpl {
    uint64_t hash; /* 0: empty */
    uint32_t count;
    int64_t first, last;
    int8_t sev;
    enum pmt_kind kind;
    int weight;
    uint16_t flags;
    char *example;      /* the first occurrence's text: a slot of EXAMPLE_MAX + 1 in the arena */
    char *last_example; /* changes, alerts, state changes: the last one's too (a slot) */
    char source[64];
};

struct pmt_draft {
    struct pmt_draft_opts o;
    struct minute *min;
    size_t min_cap, min_n;
    struct client *cl;
    size_t cl_cap, cl_n;
    int cl_capped;
    struct tmpl *tp;
    size_t tp_cap, tp_n;
    char **arena;
    size_t narena;
    char *chunk;
    size_t chunk_left;
    struct pmt_draft_result r;
};

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* A 64-bit hash, 8 bytes a step (a byte-at-a-time FNV over every message was half the draft's
 * time); never 0, which marks an empty slot. Chained: hash(hash(h, a), b). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix(h, w);
    }
    uint64_t w = 0;
    if (n) {
        memcpy(&w, s, n);
    }
    h = mix(h, w ^ ((uint64_t)n << 59));
    return h ? h : 1;
}

/* Writes [p, p+n) (cut at EXAMPLE_MAX) into a template's text slot, taking one from the arena
 * the first time: a slot is overwritten in place, so memory stays with the template count. */
static void put_text(struct pmt_draft *d, char **slot, const char *p, size_t n);

static char *keep(struct pmt_draft *d, const char *p, size_t n)
{
    if (n + 1 > d->chunk_left) {
        size_t cap = 1u << 16;
        d->arena = pmt_xrealloc(d->arena, (d->narena + 1) * sizeof(*d->arena));
        d->chunk = d->arena[d->narena++] = pmt_xmalloc(cap);
        d->chunk_left = cap;
    }
    char *s = d->chunk;
    memcpy(s, p, n);
    s[n] = '\0';
    d->chunk += n + 1;
    d->chunk_left -= n + 1;
    return s;
}

static void put_text(struct pmt_draft *d, char **slot, const char *p, size_t n)
{
    n = PMT_MIN(n, (size_t)EXAMPLE_MAX);
    if (!*slot) {
        char blank[EXAMPLE_MAX + 1];
        memset(blank, 0, sizeof(blank));
        *slot = keep(d, blank, EXAMPLE_MAX);
    }
    if (n) {
        memcpy(*slot, p, n);
    }
    (*slot)[n] = '\0';
}

struct pmt_draft *pmt_draft_new(const struct pmt_draft_opts *o)
{
    struct pmt_draft *d = pmt_xcalloc(1, sizeof(*d));
    d->o = *o;
    d->min_cap = 1024;
    d->min = pmt_xmalloc(d->min_cap * sizeof(*d->min));
    for (size_t i = 0; i < d->min_cap; i++) {
        d->min[i].minute = INT64_MIN;
    }
    d->cl_cap = 1024;
    d->cl = pmt_xcalloc(d->cl_cap, sizeof(*d->cl));
    d->tp_cap = 1024;
    d->tp = pmt_xcalloc(d->tp_cap, sizeof(*d->tp));
    d->r.span_start_ns = INT64_MAX;
    d->r.span_end_ns = INT64_MIN;
    return d;
}

void pmt_draft_free(struct pmt_draft *d)
{
    if (!d) {
        return;
    }
    for (size_t i = 0; i < d->narena; i++) {
        free(d->arena[i]);
    }
    free(d->arena);
    free(d->min);
    free(d->cl);
    free(d->tp);
    free(d->r.moments);
    free(d->r.traffic);
    free(d);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* ---- minutes ---- */

static struct minute *minute_slot(struct pmt_draft *d, int64_t m)
{
    if (d->min_n * 2 >= d->min_cap) {
        if (d->min_cap >= MAX_MINUTES) {
            return NULL;
        }
        struct minute *old = d->min;
        size_t oc = d->min_cap;
        d->min_cap *= 2;
        d->min = pmt_xmalloc(d->min_cap * sizeof(*d->min));
        for (size_t i = 0; i < d->min_cap; i++) {
            d->min[i].minute = INT64_MIN;
        }
        d->min_n = 0;
        for (size_t i = 0; i < oc; i++) {
            if (old[i].minute != INT64_MIN) {
                struct minute *s = minute_slot(d, old[i].minute);
                *s = old[i];
            }
        }
        free(old);
    }
    size_t i = (size_t)(fnv(14695981039346656037ULL, &m, sizeof(m)) & (d->min_cap - 1));
    while (d->min[i].minute != INT64_MIN && d->min[i].minute != m) {
        i = (i + 1) & (d->min_cap - 1);
    }
    if (d->min[i].minute == INT64_MIN) {
        memset(&d->min[i], 0, sizeof(d->min[i]));
        d->min[i].minute = m;
        d->min_n++;
    }
    return &d->min[i];
}

static struct minute *minute_find(const struct pmt_draft *d, int64_t m)
{
    size_t i = (size_t)(fnv(14695981039346656037ULL, &m, sizeof(m)) & (d->min_cap - 1));
    while (d->min[i].minute != INT64_MIN) {
        if (d->min[i].minute == m) {
            return &d->min[i];
        }
        i = (i + 1) & (d->min_cap - 1);
    }
    return NULL;
}

/* ---- clients ---- */

static void client_seen(struct pmt_draft *d, struct pmt_str c, int64_t t, int error,
                        struct minute *mi)
{
    if (!c.len) {
        return;
    }
    if (d->cl_n * 2 >= d->cl_cap) {
        if (d->cl_cap >= MAX_CLIENTS) {
            d->cl_capped = 1;
        } else {
            struct client *old = d->cl;
            size_t oc = d->cl_cap;
            d->cl_cap *= 2;
            d->cl = pmt_xcalloc(d->cl_cap, sizeof(*d->cl));
            for (size_t i = 0; i < oc; i++) {
                if (old[i].hash) {
                    size_t j = (size_t)(old[i].hash & (d->cl_cap - 1));
                    while (d->cl[j].hash) {
                        j = (j + 1) & (d->cl_cap - 1);
                    }
                    d->cl[j] = old[i];
                }
            }
            free(old);
        }
    }
    uint64_t h = fnv(14695981039346656037ULL, c.p, c.len);
    size_t i = (size_t)(h & (d->cl_cap - 1));
    while (d->cl[i].hash && d->cl[i].hash != h) {
        i = (i + 1) & (d->cl_cap - 1);
    }
    struct client *cl = &d->cl[i];
    if (!cl->hash) {
        if (d->cl_n * 2 >= d->cl_cap) {
            return; /* full: counted as capped */
        }
        cl->hash = h;
        cl->first = cl->last = t;
        cl->first_err = INT64_MAX;
        cl->minute = INT64_MIN;
        cl->last_err = INT64_MIN;
        d->cl_n++;
    }
    cl->first = PMT_MIN(cl->first, t);
    cl->last = PMT_MAX(cl->last, t);
    if (mi && cl->minute != mi->minute) {
        mi->clients++;
        cl->minute = mi->minute;
    }
    if (error) {
        cl->first_err = PMT_MIN(cl->first_err, t);
        cl->last_err = PMT_MAX(cl->last_err, t);
    }
}

/* ---- templates ---- */

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_run(char c) /* what a masked run is made of */
{
    return is_hex(c) || c == '.' || c == ':' || c == '-';
}

/* The first ASCII digit in [p, p+n), or n: 16 bytes a step where SSE2 is there. */
static size_t next_digit(const char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(p + i)), zero);
        int bits = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, nine), x));
        if (bits) {
            return i + (size_t)__builtin_ctz((unsigned)bits);
        }
    }
#endif
    while (i < n && !(p[i] >= '0' && p[i] <= '9')) {
        i++;
    }
    return i;
}

/*
 * The message with what changes from one occurrence to the next masked: numbers, addresses,
 * hex ids and UUIDs become '#'. "*769 connect() failed ... client: 127.0.0.23" and "*771 ...
 * client: 127.0.0.18" are one template. A run of hex digits, '.', ':' and '-' holding a digit
 * is masked where it starts a word (inside one, as in "ipv6", "sha256", "eth0", it stays). A run
 * without a digit is never masked, so text up to the run around the next digit is copied
 * whole, and only those runs are looked at byte by byte. out holds at least n bytes.
 */
static size_t mask(const char *p, size_t n, char *out)
{
    size_t w = 0, i = 0;
    while (i < n) {
        size_t d = i + next_digit(p + i, n - i);
        size_t r0 = d, r1 = d;
        while (r0 > i && is_run(p[r0 - 1])) {
            r0--;
        }
        while (r1 < n && is_run(p[r1])) {
            r1++;
        }
        memcpy(out + w, p + i, r0 - i); /* no digit in reach: as it is */
        w += r0 - i;
        i = r0;
        int in_word = i > 0 && (p[i - 1] | 0x20) >= 'a' && (p[i - 1] | 0x20) <= 'z';
        while (i < r1) { /* the run [r0, r1) around the digit */
            char c = p[i];
            int digit = c >= '0' && c <= '9';
            if (!in_word && (digit || (is_hex(c) && i + 1 < n && is_hex(p[i + 1])))) {
                size_t j = i, digits = 0;
                if (c == '0' && i + 2 < n && (p[i + 1] | 0x20) == 'x' && is_hex(p[i + 2])) {
                    j = i + 2; /* 0x7f3a...: the whole address */
                    digits = 1;
                }
                while (j < n && is_run(p[j])) {
                    digits += p[j] >= '0' && p[j] <= '9';
                    j++;
                }
                if (digits > 0) {
                    out[w++] = '#';
                    i = j;
                    continue;
                }
            }
            /* a word goes on through letters and digits: "sha256", "eth0", "m12x" stay */
            in_word = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (in_word && digit);
            out[w++] = c;
            i++;
        }
    }
    return w;
}

static int has(struct pmt_str s, const char *needle)
{
    size_t n = strlen(needle);
    return s.len >= n && memmem(s.p, s.len, needle, n) != NULL;
}

static void classify(struct tmpl *t, const struct pmt_event *ev)
{
    t->kind = PMT_K_NOTE;
    t->weight = 0;
    struct pmt_str m = ev->f[PMT_F_MESSAGE], prog = ev->f[PMT_F_PROGRAM];
    for (size_t i = 0; i < PMT_ARRAY_LEN(rules); i++) {
        if (has(m, rules[i].needle) && rules[i].weight > t->weight) {
            t->kind = rules[i].kind;
            t->weight = rules[i].weight;
        }
    }
    for (size_t i = 0; i < PMT_ARRAY_LEN(alert_programs); i++) {
        if (has(prog, alert_programs[i]) && t->weight < 85) {
            t->kind = PMT_K_ALERT;
            t->weight = 85;
        }
    }
    if (ev->flags & PMT_EV_CONFIG_RUN) {
        t->kind = PMT_K_CHANGE;
        t->weight = has(m, "failed") ? 95 : has(m, "unchanged") ? 20 : 80;
    }
    if (ev->severity >= 0 && ev->severity <= PMT_SEV_ERR && t->weight < 60) {
        t->kind = PMT_K_ERROR;
        t->weight = 60 + (PMT_SEV_ERR - ev->severity) * 5;
    }
}

/*
 * The part of a message that says what happened: nginx's error lines start with a connection
 * id ("*769 ") and end with a trailer naming the request (", client: ..., request: ...");
 * both differ per request, so they are left out of the template and of the text shown.
 */
static struct pmt_str gist(struct pmt_str m)
{
    /* only nginx's error lines carry the trailer, and they start with "*id " */
    if (m.len < 3 || m.p[0] != '*') {
        return m;
    }
    size_t i = 1;
    while (i < m.len && m.p[i] >= '0' && m.p[i] <= '9') {
        i++;
    }
    if (i == 1 || i >= m.len || m.p[i] != ' ') {
        return m;
    }
    m.p += i + 1;
    m.len -= i + 1;
    const char *t = m.len > 10 ? memmem(m.p, m.len, ", client: ", 10) : NULL;
    if (t) {
        m.len = (size_t)(t - m.p);
    }
    return m;
}

static void add_template(struct pmt_draft *d, const struct pmt_event *ev)
{
    char key[512];
    struct pmt_str m = gist(ev->f[PMT_F_MESSAGE]), prog = ev->f[PMT_F_PROGRAM];
    size_t kn = mask(m.p, PMT_MIN(m.len, sizeof(key)), key);
    uint64_t h = fnv(fnv(14695981039346656037ULL, prog.p, prog.len), key, kn);
    h = fnv(h, &ev->severity, 1);
    if (d->tp_n * 2 >= d->tp_cap && d->tp_cap < MAX_TEMPLATES) {
        struct tmpl *old = d->tp;
        size_t oc = d->tp_cap;
        d->tp_cap *= 2;
        d->tp = pmt_xcalloc(d->tp_cap, sizeof(*d->tp));
        for (size_t i = 0; i < oc; i++) {
            if (old[i].hash) {
                size_t j = (size_t)(old[i].hash & (d->tp_cap - 1));
                while (d->tp[j].hash) {
                    j = (j + 1) & (d->tp_cap - 1);
                }
                d->tp[j] = old[i];
            }
        }
        free(old);
    }
    size_t i = (size_t)(h & (d->tp_cap - 1));
    while (d->tp[i].hash && d->tp[i].hash != h) {
        i = (i + 1) & (d->tp_cap - 1);
    }
    struct tmpl *t = &d->tp[i];
    if (!t->hash) {
        /* At the cap the table fills to three quarters, with warnings and worse only. */
        if (d->tp_n * 4 >= d->tp_cap * 3 ||
            (d->tp_n * 2 >= d->tp_cap && (ev->severity < 0 || ev->severity > PMT_SEV_WARNING))) {
            d->r.untracked++; /* said in the draft's notes */
            return;
        }
        t->hash = h;
        t->first = t->last = ev->t_ns;
        t->sev = ev->severity;
        t->flags = ev->flags;
        classify(t, ev);
        put_text(d, &t->example, m.p, m.len);
        const struct pmt_str *host = &ev->f[PMT_F_HOST];
        snprintf(t->source, sizeof(t->source), "%.*s%s%.*s", (int)PMT_MIN(host->len, (size_t)30),
                 host->p ? host->p : "", host->len && prog.len ? " " : "",
                 (int)PMT_MIN(prog.len, (size_t)30), prog.p ? prog.p : "");
        d->tp_n++;
    }
    t->count++;
    if (t->count > 1 && ev->t_ns >= t->last &&
        (t->kind == PMT_K_CHANGE || t->kind == PMT_K_ALERT || t->kind == PMT_K_STATE)) {
        put_text(d, &t->last_example, m.p, m.len);
    }
    if (ev->t_ns < t->first) { /* inputs come in any order: keep the first occurrence's text */
        t->first = ev->t_ns;
        put_text(d, &t->example, m.p, m.len);
    }
    t->last = PMT_MAX(t->last, ev->t_ns);
}

unsigned pmt_draft_template_cap(void)
{
    return MAX_TEMPLATES;
}

void pmt_draft_add(struct pmt_draft *d, const struct pmt_event *ev, const char *source_name)
{
    (void)source_name;
    d->r.events++;
    d->r.span_start_ns = PMT_MIN(d->r.span_start_ns, ev->t_ns);
    d->r.span_end_ns = PMT_MAX(d->r.span_end_ns, ev->t_ns);
    int64_t m = floor_div(ev->t_ns, 60 * PMT_NS_PER_S);
    if (ev->nmask & (1u << PMT_N_STATUS)) {
        d->r.http_events++;
        int64_t st = ev->n[PMT_N_STATUS];
        struct minute *mi = minute_slot(d, m);
        if (mi) {
            mi->req++;
            if (st >= 500) {
                if (mi->e5xx++ == 0 || ev->t_ns < mi->first5xx) {
                    mi->first5xx = ev->t_ns;
                    snprintf(mi->example, sizeof(mi->example), "%lld %.*s %.*s", (long long)st,
                             (int)PMT_MIN(ev->f[PMT_F_METHOD].len, (size_t)10),
                             ev->f[PMT_F_METHOD].p ? ev->f[PMT_F_METHOD].p : "",
                             (int)PMT_MIN(ev->f[PMT_F_PATH].len, (size_t)60),
                             ev->f[PMT_F_PATH].p ? ev->f[PMT_F_PATH].p : "");
                }
                mi->last5xx = PMT_MAX(mi->last5xx, ev->t_ns);
            } else if (st >= 400) {
                mi->e4xx++;
            }
        }
        client_seen(d, ev->f[PMT_F_CLIENT], ev->t_ns, st >= 500, mi);
        return; /* requests are counted, not listed */
    }
    if (ev->severity >= 0 && ev->severity <= PMT_SEV_ERR) {
        struct minute *mi = minute_slot(d, m);
        if (mi) {
            if (mi->errs++ == 0 || ev->t_ns < mi->first_err) {
                mi->first_err = ev->t_ns;
            }
            mi->last_err = PMT_MAX(mi->last_err, ev->t_ns);
        }
    }
    add_template(d, ev);
}

/* ---- analysis ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int bad_minute(const struct pmt_draft *d, const struct minute *mi, int http)
{
    if (http) {
        return mi->req >= (uint32_t)d->o.min_requests &&
               (double)mi->e5xx >= d->o.error_share * (double)mi->req;
    }
    return mi->errs >= (uint32_t)d->o.error_burst;
}

/* The outage: the run of bad minutes (short gaps tolerated) with the most failures. */
static void find_window(struct pmt_draft *d)
{
    struct pmt_draft_result *r = &d->r;
    if (d->o.has_window) {
        r->has_window = 1;
        r->from_window_option = 1;
        r->start_ns = d->o.window_start_ns;
        r->end_ns = d->o.window_end_ns;
        r->window_from_http = r->http_events > 0;
        return;
    }
    int http = r->http_events > 0;
    int64_t *ms = pmt_xmalloc((d->min_n + 1) * sizeof(*ms));
    size_t n = 0;
    for (size_t i = 0; i < d->min_cap; i++) {
        if (d->min[i].minute != INT64_MIN && bad_minute(d, &d->min[i], http)) {
            ms[n++] = d->min[i].minute;
        }
    }
    qsort(ms, n, sizeof(*ms), cmp_i64);
    int64_t best_a = 0, best_b = 0;
    uint64_t best_w = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint64_t w = 0;
        while (1) {
            const struct minute *mi = minute_find(d, ms[j]);
            w += http ? mi->e5xx : mi->errs;
            if (j + 1 < n && ms[j + 1] - ms[j] <= d->o.gap_minutes + 1) {
                j++;
            } else {
                break;
            }
        }
        if (w > best_w) {
            best_w = w;
            best_a = ms[i];
            best_b = ms[j];
        }
        i = j + 1;
    }
    free(ms);
    if (best_w == 0) {
        return;
    }
    r->has_window = 1;
    r->window_from_http = http;
    const struct minute *a = minute_find(d, best_a), *b = minute_find(d, best_b);
    r->start_ns = http ? a->first5xx : a->first_err;
    r->end_ns = http ? b->last5xx : b->last_err;
    /* failing until the logs end: the outage's last minute is the logs' last */
    r->still_going = best_b >= floor_div(r->span_end_ns, 60 * PMT_NS_PER_S);
}

static void add_moment(struct pmt_draft *d, int64_t t, int64_t end, enum pmt_kind k, int weight,
                       uint32_t count, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void add_moment(struct pmt_draft *d, int64_t t, int64_t end, enum pmt_kind k, int weight,
                       uint32_t count, const char *source, const char *fmt, ...)
{
    struct pmt_draft_result *r = &d->r;
    r->moments = pmt_xrealloc(r->moments, (r->nmoments + 1) * sizeof(*r->moments));
    struct pmt_moment *mo = &r->moments[r->nmoments++];
    memset(mo, 0, sizeof(*mo));
    mo->t_ns = t;
    mo->end_ns = end;
    mo->kind = k;
    mo->weight = weight;
    mo->count = count;
    snprintf(mo->source, sizeof(mo->source), "%s", source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mo->text, sizeof(mo->text), fmt, ap);
    va_end(ap);
}

/* A span in words, to the minute past two minutes: "45 seconds", "4 minutes", "2 hours, 5
 * minutes". */
static const char *span_words(char *b, size_t n, int64_t ns)
{
    int64_t s = ns / PMT_NS_PER_S;
    if (s < 120) {
        snprintf(b, n, "%lld second%s", (long long)s, s == 1 ? "" : "s");
    } else if (s < 7200) {
        snprintf(b, n, "%lld minutes", (long long)(s / 60));
    } else {
        int64_t m = s / 60 % 60;
        snprintf(b, n, "%lld hours%s%lld minute%s", (long long)(s / 3600), m ? ", " : "",
                 (long long)m, m == 1 ? "" : "s");
        if (!m) {
            b[strlen(b) - strlen("0 minutes")] = '\0';
        }
    }
    return b;
}

/* The timeline line of template t becomes the detecting alert or the possible trigger: kind
 * changed, kept whatever --max-lines says, and a note on how it relates to the start. */
static void mark_moment(struct pmt_draft *d, const struct tmpl *t, enum pmt_kind k,
                        const char *note)
{
    struct pmt_draft_result *r = &d->r;
    for (size_t i = 0; i < r->nmoments; i++) {
        struct pmt_moment *m = &r->moments[i];
        if (m->t_ns == t->first && m->kind == t->kind && strcmp(m->source, t->source) == 0 &&
            strncmp(m->text, t->example, sizeof(m->text) - 1) == 0) {
            m->kind = k;
            m->weight = 990;
            size_t len = strlen(m->text);
            snprintf(m->text + len, sizeof(m->text) - len, "; %s", note);
            return;
        }
    }
}

/* An alert that says the trouble is over: Alertmanager's [RESOLVED], Nagios' RECOVERY,
 * "... is up", "recovered". */
static int says_resolved(const char *text)
{
    static const char *const words[] = {"RESOLVED", "RECOVERY", "recovered", " is up", " is UP"};
    for (size_t i = 0; i < PMT_ARRAY_LEN(words); i++) {
        if (strstr(text, words[i])) {
            return 1;
        }
    }
    return 0;
}

/* 1740 -> "1,740" */
static const char *thousands(char *b, size_t n, uint64_t v)
{
    char d[32];
    int len = snprintf(d, sizeof(d), "%llu", (unsigned long long)v);
    size_t w = 0;
    for (int i = 0; i < len && w + 2 < n; i++) {
        b[w++] = d[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len) {
            b[w++] = ',';
        }
    }
    b[w] = '\0';
    return b;
}

static int cmp_weight(const void *a, const void *b)
{
    const struct pmt_moment *x = a, *y = b;
    return x->weight != y->weight ? (y->weight > x->weight ? 1 : -1)
                                  : (x->t_ns < y->t_ns ? -1 : x->t_ns > y->t_ns);
}

/* Time order; at one instant, causes before effects: a change, then the outage's start and its
 * traffic line, then the rest. */
static int rank(enum pmt_kind k)
{
    switch (k) {
    case PMT_K_CHANGE:
    case PMT_K_TRIGGER: return 0;
    case PMT_K_OUTAGE_START: return 1;
    case PMT_K_TRAFFIC: return 2;
    default: return 3;
    }
}

static int cmp_time(const void *a, const void *b)
{
    const struct pmt_moment *x = a, *y = b;
    int64_t mx = x->t_ns / (60 * PMT_NS_PER_S), my = y->t_ns / (60 * PMT_NS_PER_S);
    if (mx != my) { /* shown by the minute: within one, causes first */
        return mx < my ? -1 : 1;
    }
    if (rank(x->kind) != rank(y->kind)) {
        return rank(x->kind) < rank(y->kind) ? -1 : 1;
    }
    return x->t_ns < y->t_ns ? -1 : x->t_ns > y->t_ns;
}

static void impact(struct pmt_draft *d)
{
    struct pmt_draft_result *r = &d->r;
    if (!r->has_window || !r->http_events) {
        return;
    }
    r->has_impact = 1;
    int64_t m0 = floor_div(r->start_ns, 60 * PMT_NS_PER_S), m1 = floor_div(r->end_ns, 60 * PMT_NS_PER_S);
    for (size_t i = 0; i < d->min_cap; i++) {
        const struct minute *mi = &d->min[i];
        if (mi->minute != INT64_MIN && mi->minute >= m0 && mi->minute <= m1) {
            r->requests += mi->req;
            r->failed += mi->e5xx;
        }
    }
    for (size_t i = 0; i < d->cl_cap; i++) {
        const struct client *c = &d->cl[i];
        if (c->hash && c->first <= r->end_ns && c->last >= r->start_ns) {
            r->clients++;
            r->clients_failed += c->first_err <= r->end_ns && c->last_err >= r->start_ns;
        }
    }
    r->clients_capped = d->cl_capped;
    /* the success share in the minutes after the end */
    uint64_t req = 0, bad = 0;
    for (int k = 1; k <= 3; k++) {
        const struct minute *mi = minute_find(d, m1 + k);
        if (mi) {
            req += mi->req;
            bad += mi->e5xx;
        }
    }
    r->share_after = req ? 100.0 * (double)(req - bad) / (double)req : -1;
}

static void redact_in_place(char *s, size_t cap)
{
    char tmp[512];
    size_t n = pmt_redact(s, strlen(s), tmp, PMT_MIN(cap, sizeof(tmp)));
    memcpy(s, tmp, n + 1);
}

/* Without access logs or a burst of errors, an alert that fired and later resolved still
 * bounds the outage: from the first firing alert to the first resolution after it (or the
 * logs' end, still going). */
static void alert_window(struct pmt_draft *d)
{
    struct pmt_draft_result *r = &d->r;
    const struct tmpl *firing = NULL, *resolved = NULL;
    for (size_t i = 0; i < d->tp_cap; i++) {
        const struct tmpl *t = &d->tp[i];
        if (t->hash && t->kind == PMT_K_ALERT && t->weight >= 80 && !says_resolved(t->example) &&
            (!firing || t->first < firing->first)) {
            firing = t;
        }
    }
    if (!firing) {
        return;
    }
    for (size_t i = 0; i < d->tp_cap; i++) {
        const struct tmpl *t = &d->tp[i];
        if (t->hash && t->kind == PMT_K_ALERT && t->first > firing->first &&
            says_resolved(t->example) && (!resolved || t->first < resolved->first)) {
            resolved = t;
        }
    }
    r->has_window = 1;
    r->window_from_alerts = 1;
    r->start_ns = firing->first;
    r->end_ns = resolved ? resolved->first : r->span_end_ns;
    r->still_going = !resolved;
}

/* The per-minute HTTP counts around the outage (10 minutes either side), for a graph. */
static void traffic_series(struct pmt_draft *d)
{
    struct pmt_draft_result *r = &d->r;
    if (!r->has_window || !r->http_events) {
        return;
    }
    int64_t a = floor_div(r->start_ns, 60 * PMT_NS_PER_S) - 10;
    int64_t b = floor_div(r->end_ns, 60 * PMT_NS_PER_S) + 10;
    if (b - a + 1 > PMT_DRAFT_TRAFFIC_MAX) {
        b = a + PMT_DRAFT_TRAFFIC_MAX - 1;
        r->traffic_cut = 1;
    }
    r->traffic = pmt_xcalloc((size_t)(b - a + 1), sizeof(*r->traffic));
    for (int64_t m = a; m <= b; m++) {
        struct pmt_traffic_minute *t = &r->traffic[r->ntraffic++];
        t->minute_ns = m * 60 * PMT_NS_PER_S;
        const struct minute *mi = minute_find(d, m);
        if (mi) {
            t->requests = mi->req;
            t->e4xx = mi->e4xx;
            t->e5xx = mi->e5xx;
            t->clients = mi->clients;
        }
    }
}

const struct pmt_draft_result *pmt_draft_finish(struct pmt_draft *d)
{
    struct pmt_draft_result *r = &d->r;
    find_window(d);
    if (!r->has_window) {
        alert_window(d);
    }
    traffic_series(d);
    impact(d);
    /* the outage's own lines */
    if (r->has_window && r->from_window_option) {
        add_moment(d, r->start_ns, 0, PMT_K_OUTAGE_START, 1000, 0, "", "outage begins (--window)");
        if (r->http_events) {
            char f1[32], f2[32];
            add_moment(d, r->start_ns, r->end_ns, PMT_K_TRAFFIC, 900, (uint32_t)r->failed,
                       "nginx", "%s \xC3\x97 5xx, %.1f%% of %s requests",
                       thousands(f1, sizeof(f1), r->failed),
                       r->requests ? 100.0 * (double)r->failed / (double)r->requests : 0.0,
                       thousands(f2, sizeof(f2), r->requests));
        }
        add_moment(d, r->end_ns, 0, PMT_K_OUTAGE_END, 1000, 0, "", "outage ends (--window)");
    } else if (r->has_window && r->window_from_http) {
        int64_t m0 = floor_div(r->start_ns, 60 * PMT_NS_PER_S);
        const struct minute *a = minute_find(d, m0);
        add_moment(d, r->start_ns, 0, PMT_K_OUTAGE_START, 1000, 0, "nginx",
                   "outage begins: first %s", a && a->example[0] ? a->example : "5xx");
        char f1[32], f2[32];
        add_moment(d, r->start_ns, r->end_ns, PMT_K_TRAFFIC, 900, (uint32_t)r->failed, "nginx",
                   "%s \xC3\x97 5xx, %.1f%% of %s requests",
                   thousands(f1, sizeof(f1), r->failed),
                   r->requests ? 100.0 * (double)r->failed / (double)r->requests : 0.0,
                   thousands(f2, sizeof(f2), r->requests));
        if (r->share_after >= 0 && !r->still_going) {
            add_moment(d, r->end_ns, 0, PMT_K_OUTAGE_END, 1000, 0, "nginx",
                       "outage ends: last 5xx; %.1f%% of requests succeed after it",
                       r->share_after);
        } else {
            add_moment(d, r->end_ns, 0, PMT_K_OUTAGE_END, 1000, 0, "nginx",
                       "last 5xx in the logs (the outage may go on past them)");
        }
    } else if (r->has_window && r->window_from_alerts) {
        add_moment(d, r->start_ns, 0, PMT_K_OUTAGE_START, 1000, 0, "",
                   "outage begins (first alert; no access logs or error burst to time it by)");
        add_moment(d, r->end_ns, 0, PMT_K_OUTAGE_END, 1000, 0, "",
                   r->still_going ? "logs end; the alert was still firing"
                                  : "outage ends (the alert resolved)");
    } else if (r->has_window) {
        add_moment(d, r->start_ns, 0, PMT_K_OUTAGE_START, 1000, 0, "", "burst of errors begins");
        add_moment(d, r->end_ns, 0, PMT_K_OUTAGE_END, 1000, 0, "", "burst of errors ends");
    }
    /* templates: the first occurrence (with count and range when repeated) */
    int64_t last_change = INT64_MIN;
    const struct tmpl *trigger = NULL;
    const struct tmpl *first_alert = NULL, *resolved = NULL;
    for (size_t i = 0; i < d->tp_cap; i++) {
        const struct tmpl *t = &d->tp[i];
        if (!t->hash || t->kind == PMT_K_NOTE) {
            continue;
        }
        int w = t->weight;
        if (r->has_window) { /* what happens around the outage matters more */
            int64_t near = 30LL * 60 * PMT_NS_PER_S;
            if (t->first >= r->start_ns - near && t->first <= r->end_ns + near) {
                w += 30;
            }
        }
        if (t->count > 1 && t->kind == PMT_K_ERROR) {
            char f1[32];
            add_moment(d, t->first, t->last, t->kind, w, t->count, t->source, "%s \xC3\x97 %s",
                       thousands(f1, sizeof(f1), t->count), t->example);
        } else {
            add_moment(d, t->first, 0, t->kind, w, t->count, t->source, "%s", t->example);
            if (t->count > 1 && t->last_example) { /* a second Puppet run, a re-fired alert */
                add_moment(d, t->last, 0, t->kind, w, 1, t->source, "%s%s", t->last_example,
                           t->count > 2 ? " (and earlier ones)" : "");
            }
        }
        /* The last change before the start; a few seconds after it count too, since a
         * second-precision access log can stamp the first failure before the change that
         * caused it (Puppet's run time has nanoseconds, nginx's seconds). */
        if (r->has_window && t->kind == PMT_K_CHANGE && t->weight >= 50 &&
            t->first <= r->start_ns + TRIGGER_GRACE_NS && t->first > last_change &&
            r->start_ns - t->first <= 2LL * 3600 * PMT_NS_PER_S) {
            last_change = t->first;
            trigger = t;
        }
        if (r->has_window && t->kind == PMT_K_ALERT && t->first >= r->start_ns &&
            (!resolved || t->first < resolved->first) && says_resolved(t->example)) {
            resolved = t;
        }
        if (r->has_window && t->kind == PMT_K_ALERT && t->weight >= 80 &&
            t->first >= r->start_ns - 5LL * 60 * PMT_NS_PER_S &&
            (!first_alert || t->first < first_alert->first)) {
            first_alert = t;
        }
    }
    if (trigger) {
        char b[48], note[96] = "possible trigger, as the outage began";
        if (r->start_ns - trigger->first >= PMT_NS_PER_S) {
            snprintf(note, sizeof(note), "possible trigger, %s before the start",
                     span_words(b, sizeof(b), r->start_ns - trigger->first));
        }
        mark_moment(d, trigger, PMT_K_TRIGGER, note);
        r->has_trigger = 1;
        r->trigger_ns = trigger->first;
        snprintf(r->trigger, sizeof(r->trigger), "%s%s%s", trigger->source,
                 trigger->source[0] ? ": " : "", trigger->example);
    }
    if (first_alert) {
        char b[48], note[96];
        int64_t after = first_alert->first - r->start_ns;
        if (r->window_from_alerts && after == 0) {
            snprintf(note, sizeof(note), "detected; the outage is timed from this alert");
        } else {
            snprintf(note, sizeof(note), "detected, %s %s the start",
                     span_words(b, sizeof(b), after >= 0 ? after : -after),
                     after >= 0 ? "after" : "before");
        }
        mark_moment(d, first_alert, PMT_K_DETECTED, note);
        r->has_detected = 1;
        r->detected_ns = first_alert->first;
        snprintf(r->detected_by, sizeof(r->detected_by), "%s%s%.*s", first_alert->source,
                 first_alert->source[0] ? ": " : "", 120, first_alert->example);
    }
    if (resolved) {
        r->has_resolved = 1;
        r->resolved_ns = resolved->first;
        snprintf(r->resolved_by, sizeof(r->resolved_by), "%s%s%.*s", resolved->source,
                 resolved->source[0] ? ": " : "", 120, resolved->example);
    }
    /* keep the most significant, then time order (qsort wants a buffer even for none) */
    if (r->nmoments > 0) {
        qsort(r->moments, r->nmoments, sizeof(*r->moments), cmp_weight);
        if (r->nmoments > (size_t)d->o.max_lines) {
            r->nmoments = (size_t)d->o.max_lines;
        }
        qsort(r->moments, r->nmoments, sizeof(*r->moments), cmp_time);
    }
    if (d->o.redact) { /* for public postmortems: addresses and e-mails masked */
        for (size_t i = 0; i < r->nmoments; i++) {
            redact_in_place(r->moments[i].text, sizeof(r->moments[i].text));
            redact_in_place(r->moments[i].source, sizeof(r->moments[i].source));
        }
        redact_in_place(r->trigger, sizeof(r->trigger));
        redact_in_place(r->detected_by, sizeof(r->detected_by));
        redact_in_place(r->resolved_by, sizeof(r->resolved_by));
    }
    if (r->span_start_ns == INT64_MAX) {
        r->span_start_ns = r->span_end_ns = 0;
    }
    return r;
}
