/*
 * Puppet: run reports, and Puppet's own log files.
 *
 * Reports are whole documents: YAML (last_run_report.yaml, a reportdir's files; report formats
 * from Puppet 2.6 to 8, !ruby/... tags and all) read with libyaml, and JSON (Puppet's own, and
 * PuppetDB's shape with certname/start_time/resources) read with jansson. Both go through one
 * small tree interface, so the extraction is written once. Each report gives:
 *   - one event for the run, at the report's time, naming its status word:
 *       "puppet run failed: 3 changed, 1 failed (Exec[reload-php-fpm]) in 4.21 s, config 1763"
 *   - one event per log entry at notice level and above, with its resource as the program
 *     ("/Stage[main]/Php/File[/etc/php.ini]/content" -> "File[/etc/php.ini]").
 *
 * Log files (puppet agent --logdest FILE) are lines:
 *   2026-11-20 23:18:43 -0500 Facter (err): Permission denied ...           (text)
 *   {"level":"err","message":"...","source":"Facter","time":"2026-..."}      (JSON, one a line)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "pmt/parser.h"

/* ---- one tree interface over libyaml documents and jansson values ---- */

struct tref {
    yaml_document_t *doc; /* YAML, or NULL for JSON */
    void *n;              /* yaml_node_t* or json_t*; NULL: absent */
};

static const struct tref NONE = {NULL, NULL};

static int t_ok(struct tref r)
{
    if (!r.n) {
        return 0;
    }
    if (!r.doc) {
        return !json_is_null((json_t *)r.n);
    }
    yaml_node_t *y = r.n;
    if (y->type == YAML_SCALAR_NODE) {
        const char *v = (const char *)y->data.scalar.value;
        size_t l = y->data.scalar.length;
        return !(l == 0 || (l == 1 && v[0] == '~') || (l == 4 && memcmp(v, "null", 4) == 0));
    }
    return 1;
}

static struct tref t_get(struct tref m, const char *key)
{
    if (!m.n) {
        return NONE;
    }
    if (!m.doc) {
        json_t *j = m.n;
        return (struct tref){NULL, json_is_object(j) ? json_object_get(j, key) : NULL};
    }
    yaml_node_t *y = m.n;
    if (y->type != YAML_MAPPING_NODE) {
        return NONE;
    }
    size_t kl = strlen(key);
    for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(m.doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == kl &&
            memcmp(k->data.scalar.value, key, kl) == 0) {
            return (struct tref){m.doc, yaml_document_get_node(m.doc, p->value)};
        }
    }
    return NONE;
}

/* A scalar's text (numbers and booleans of JSON as written into buf). */
static struct pmt_str t_str(struct tref r, char *buf, size_t n)
{
    if (!t_ok(r)) {
        return PMT_STR_NULL;
    }
    if (r.doc) {
        yaml_node_t *y = r.n;
        if (y->type != YAML_SCALAR_NODE) {
            return PMT_STR_NULL;
        }
        return pmt_str_make((const char *)y->data.scalar.value, y->data.scalar.length);
    }
    json_t *j = r.n;
    if (json_is_string(j)) {
        return pmt_str_make(json_string_value(j), json_string_length(j));
    }
    int w = 0;
    if (json_is_integer(j)) {
        w = snprintf(buf, n, "%lld", (long long)json_integer_value(j));
    } else if (json_is_real(j)) {
        w = snprintf(buf, n, "%.3f", json_real_value(j));
    } else if (json_is_boolean(j)) {
        w = snprintf(buf, n, "%s", json_is_true(j) ? "true" : "false");
    }
    return w > 0 ? pmt_str_make(buf, (size_t)w) : PMT_STR_NULL;
}

static double t_num(struct tref r, double dflt)
{
    char buf[64], tmp[64];
    struct pmt_str s = t_str(r, buf, sizeof(buf));
    if (!s.len || s.len >= sizeof(tmp)) {
        return dflt;
    }
    memcpy(tmp, s.p, s.len);
    tmp[s.len] = '\0';
    char *e;
    double v = strtod(tmp, &e);
    return e == tmp ? dflt : v;
}

static int t_true(struct tref r)
{
    char buf[16];
    struct pmt_str s = t_str(r, buf, sizeof(buf));
    return pmt_str_eq(s, "true");
}

static size_t t_len(struct tref r)
{
    if (!r.n) {
        return 0;
    }
    if (!r.doc) {
        json_t *j = r.n;
        return json_is_array(j) ? json_array_size(j) : json_is_object(j) ? json_object_size(j) : 0;
    }
    yaml_node_t *y = r.n;
    if (y->type == YAML_SEQUENCE_NODE) {
        return (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
    }
    if (y->type == YAML_MAPPING_NODE) {
        return (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
    }
    return 0;
}

/* Item i of a sequence; or, of a mapping, its i-th value (and key into *key). */
static struct tref t_at(struct tref r, size_t i, struct pmt_str *key)
{
    if (!r.n) {
        return NONE;
    }
    if (!r.doc) {
        json_t *j = r.n;
        if (json_is_array(j)) {
            return (struct tref){NULL, json_array_get(j, i)};
        }
        if (json_is_object(j)) {
            void *it = json_object_iter(j);
            for (size_t k = 0; it && k < i; k++) {
                it = json_object_iter_next(j, it);
            }
            if (!it) {
                return NONE;
            }
            if (key) {
                const char *kk = json_object_iter_key(it);
                *key = pmt_str_make(kk, strlen(kk));
            }
            return (struct tref){NULL, json_object_iter_value(it)};
        }
        return NONE;
    }
    yaml_node_t *y = r.n;
    if (y->type == YAML_SEQUENCE_NODE) {
        return (struct tref){r.doc, yaml_document_get_node(r.doc, y->data.sequence.items.start[i])};
    }
    if (y->type == YAML_MAPPING_NODE) {
        yaml_node_pair_t *p = y->data.mapping.pairs.start + i;
        if (key) {
            yaml_node_t *k = yaml_document_get_node(r.doc, p->key);
            *key = k && k->type == YAML_SCALAR_NODE
                       ? pmt_str_make((const char *)k->data.scalar.value, k->data.scalar.length)
                       : PMT_STR_NULL;
        }
        return (struct tref){r.doc, yaml_document_get_node(r.doc, p->value)};
    }
    return NONE;
}

/* ---- shared pieces ---- */

/* "notice", or ":notice" as Puppet 4's YAML writes a Ruby symbol. */
static int level_sev(struct pmt_str l)
{
    if (l.len > 1 && l.p[0] == ':') {
        l.p++;
        l.len--;
    }
    return pmt_severity_parse(l.p, l.len);
}

/* "/Stage[main]/Php::Fpm/File[/etc/php/8.2/fpm/pool.d/www.conf]/content" -> "File[...]":
 * the last Type[title] of a source path; other sources ("Puppet", "Facter") as they are. */
static struct pmt_str resource_of(struct pmt_str s)
{
    if (s.len > 2 && s.p[0] == '/' && s.p[1] == '/') { /* "//host/Puppet" (Foreman) */
        const char *slash = memchr(s.p + 2, '/', s.len - 2);
        if (slash && slash + 1 < s.p + s.len && slash[1] != '/' && !memchr(slash, '[', (size_t)(s.p + s.len - slash))) {
            return pmt_str_make(slash + 1, (size_t)(s.p + s.len - slash - 1));
        }
    }
    if (!s.len || s.p[0] != '/') {
        return s;
    }
    const char *end = s.p + s.len;
    /* find the last ']' that closes a segment, then its segment start */
    const char *close = NULL;
    int depth = 0;
    for (const char *q = s.p; q < end; q++) {
        if (*q == '[') {
            depth++;
        } else if (*q == ']' && depth > 0) {
            depth--;
            if (depth == 0 && (q + 1 == end || q[1] == '/')) {
                close = q;
            }
        }
    }
    if (!close) {
        return s;
    }
    depth = 0;
    const char *start = close;
    while (start > s.p) {
        if (*start == ']') {
            depth++;
        } else if (*start == '[') {
            depth--;
        } else if (*start == '/' && depth == 0) {
            start++;
            break;
        }
        start--;
    }
    return pmt_str_make(start, (size_t)(close + 1 - start));
}

static int stamp(struct pmt_parse_ctx *ctx, struct pmt_str s, struct pmt_event *ev)
{
    struct pmt_civil c;
    if (!s.len || pmt_parse_iso(s.p, s.len, &c) < 0) {
        return -1;
    }
    return pmt_parse_stamp(ctx, &c, ev);
}

/* ---- reports ---- */

struct state {
    char msg[2048];
};

/* Resources counts from metrics: Puppet's {resources: {values: [[name, label, n] ...]}} or
 * PuppetDB's [{category, name, value} ...]. */
static double metric(struct tref metrics, const char *category, const char *name)
{
    if (!t_ok(metrics)) {
        return -1;
    }
    if (!metrics.doc && json_is_array((json_t *)metrics.n)) {
        for (size_t i = 0; i < t_len(metrics); i++) {
            struct tref m = t_at(metrics, i, NULL);
            char b1[64], b2[64];
            if (pmt_str_eq(t_str(t_get(m, "category"), b1, sizeof(b1)), category) &&
                pmt_str_eq(t_str(t_get(m, "name"), b2, sizeof(b2)), name)) {
                return t_num(t_get(m, "value"), -1);
            }
        }
        return -1;
    }
    struct tref direct = t_get(t_get(metrics, category), name);
    if (t_ok(direct) && t_len(direct) == 0) {
        return t_num(direct, -1); /* Foreman: {resources: {changed: 1, ...}} */
    }
    struct tref values = t_get(t_get(metrics, category), "values");
    for (size_t i = 0; i < t_len(values); i++) {
        struct tref row = t_at(values, i, NULL);
        char b[64];
        if (t_len(row) >= 3 && pmt_str_eq(t_str(t_at(row, 0, NULL), b, sizeof(b)), name)) {
            return t_num(t_at(row, 2, NULL), -1);
        }
    }
    return -1;
}

/* Appends the names of up to three failed resources, "(A, B, C, +2 more)". */
static size_t failed_names(struct tref report, char *w, size_t n)
{
    size_t used = 0, count = 0;
    struct tref rs = t_get(report, "resource_statuses");
    for (size_t i = 0; i < t_len(rs); i++) {
        struct pmt_str key = PMT_STR_NULL;
        struct tref st = t_at(rs, i, &key);
        if (!t_true(t_get(st, "failed"))) {
            continue;
        }
        char b[256];
        struct pmt_str name = key.len ? key : t_str(t_get(st, "resource"), b, sizeof(b));
        if (count < 3 && used + name.len + 8 < n) {
            used += (size_t)snprintf(w + used, n - used, "%s%.*s", count ? ", " : " (",
                                     (int)name.len, name.p);
        }
        count++;
    }
    /* PuppetDB: resources[].events[].status == "failure" */
    struct tref res = t_get(report, "resources");
    for (size_t i = 0; i < t_len(res) && !t_ok(rs); i++) {
        struct tref r = t_at(res, i, NULL);
        struct tref evs = t_get(r, "events");
        int failed = 0;
        for (size_t k = 0; k < t_len(evs); k++) {
            char b[32];
            failed |= pmt_str_eq(t_str(t_get(t_at(evs, k, NULL), "status"), b, sizeof(b)),
                                 "failure");
        }
        if (!failed) {
            continue;
        }
        char b1[128], b2[256];
        struct pmt_str ty = t_str(t_get(r, "resource_type"), b1, sizeof(b1));
        struct pmt_str ti = t_str(t_get(r, "resource_title"), b2, sizeof(b2));
        if (count < 3 && used + ty.len + ti.len + 8 < n) {
            used += (size_t)snprintf(w + used, n - used, "%s%.*s[%.*s]", count ? ", " : " (",
                                     (int)ty.len, ty.p, (int)ti.len, ti.p);
        }
        count++;
    }
    if (count > 3 && used + 24 < n) {
        used += (size_t)snprintf(w + used, n - used, ", +%zu more", count - 3);
    }
    if (count > 0 && used + 2 < n) {
        w[used++] = ')';
        w[used] = '\0';
    }
    return used;
}

static int report(struct state *st, struct pmt_parse_ctx *ctx, struct tref r,
                  int (*emit)(void *, struct pmt_event *), void *arg)
{
    char hb[256], tb[128], sb[64], cb[128];
    struct pmt_str host = t_str(t_get(r, "host"), hb, sizeof(hb));
    if (!host.len) {
        host = t_str(t_get(r, "certname"), hb, sizeof(hb));
    }
    struct pmt_str time = t_str(t_get(r, "time"), tb, sizeof(tb));
    if (!time.len) {
        time = t_str(t_get(r, "start_time"), tb, sizeof(tb)); /* PuppetDB */
    }
    if (!time.len) {
        time = t_str(t_get(r, "reported_at"), tb, sizeof(tb)); /* Foreman */
    }
    struct pmt_event ev;
    pmt_event_clear(&ev);
    if (stamp(ctx, time, &ev) < 0) {
        ctx->why = "report without a readable time";
        return -1;
    }
    struct tref metrics = t_get(r, "metrics");
    double changed = metric(metrics, "resources", "changed");
    double failed = metric(metrics, "resources", "failed");
    double total_time = metric(metrics, "time", "total");
    if (total_time < 0) { /* PuppetDB: end_time - start_time */
        struct pmt_event e2;
        pmt_event_clear(&e2);
        char eb[128];
        if (stamp(ctx, t_str(t_get(r, "end_time"), eb, sizeof(eb)), &e2) == 0 && ctx->time) {
            total_time = (double)(e2.t_ns - ev.t_ns) / 1e9;
        }
    }
    struct pmt_str status = t_str(t_get(r, "status"), sb, sizeof(sb));
    const char *word;
    if (status.len) {
        word = pmt_str_eq(status, "failed")    ? "failed"
               : pmt_str_eq(status, "changed") ? "changed"
                                               : "unchanged";
    } else { /* report formats 0-1 and Foreman have no status word: what the counts say */
        struct tref counters = t_get(r, "status");
        if (failed < 0 && t_len(counters) > 0) {
            failed = t_num(t_get(counters, "failed"), 0);
        }
        if (changed < 0 && t_len(counters) > 0) {
            changed = t_num(t_get(counters, "applied"), 0);
        }
        word = failed > 0 ? "failed" : changed > 0 ? "changed" : "unchanged";
    }
    int n = snprintf(st->msg, sizeof(st->msg), "puppet run %s:", word);
    n += snprintf(st->msg + n, sizeof(st->msg) - (size_t)n, " %.0f changed, %.0f failed",
                  changed < 0 ? 0 : changed, failed < 0 ? 0 : failed);
    n += (int)failed_names(r, st->msg + n, sizeof(st->msg) - (size_t)n);
    if (total_time >= 0) {
        n += snprintf(st->msg + n, sizeof(st->msg) - (size_t)n, " in %.2f s", total_time);
    }
    struct pmt_str cv = t_str(t_get(r, "configuration_version"), cb, sizeof(cb));
    if (cv.len) {
        n += snprintf(st->msg + n, sizeof(st->msg) - (size_t)n, ", configuration %.*s",
                      (int)PMT_MIN(cv.len, (size_t)80), cv.p);
    }
    if (t_true(t_get(r, "noop"))) {
        n += snprintf(st->msg + n, sizeof(st->msg) - (size_t)n, " (noop)");
    }
    ev.f[PMT_F_HOST] = host;
    ev.f[PMT_F_PROGRAM] = pmt_str_make("puppet", 6);
    ev.f[PMT_F_MESSAGE] = pmt_str_make(st->msg, (size_t)PMT_MIN(n, (int)sizeof(st->msg) - 1));
    ev.severity = word[0] == 'f' ? PMT_SEV_ERR : word[0] == 'c' ? PMT_SEV_NOTICE : PMT_SEV_INFO;
    ev.flags |= PMT_EV_CONFIG_RUN;
    int events = 0;
    if (emit(arg, &ev) < 0) {
        return -1;
    }
    events++;
    /* the run's log entries at notice and above */
    struct tref logs = t_get(r, "logs");
    if (t_ok(t_get(logs, "data"))) {
        logs = t_get(logs, "data"); /* PuppetDB wraps them */
    }
    for (size_t i = 0; i < t_len(logs); i++) {
        struct tref l = t_at(logs, i, NULL);
        if (t_ok(t_get(l, "log"))) {
            l = t_get(l, "log"); /* Foreman: {log: {sources: {source}, messages: {message}}} */
        }
        char lb[32], mb[8], ob[8], tb2[128];
        int sev = level_sev(t_str(t_get(l, "level"), lb, sizeof(lb)));
        if (sev == PMT_SEV_NONE || sev > PMT_SEV_NOTICE) {
            continue;
        }
        struct pmt_event le;
        pmt_event_clear(&le);
        if (stamp(ctx, t_str(t_get(l, "time"), tb2, sizeof(tb2)), &le) < 0) {
            le.t_ns = ev.t_ns; /* a log entry without a time belongs to its run */
            le.off_s = ev.off_s;
        }
        le.severity = (int8_t)sev;
        le.f[PMT_F_HOST] = host;
        struct tref source = t_get(l, "source"), message = t_get(l, "message");
        if (!t_ok(source)) {
            source = t_get(t_get(l, "sources"), "source");
        }
        if (!t_ok(message)) {
            message = t_get(t_get(l, "messages"), "message");
        }
        le.f[PMT_F_PROGRAM] = resource_of(t_str(source, ob, sizeof(ob)));
        le.f[PMT_F_MESSAGE] = t_str(message, mb, sizeof(mb));
        if (emit(arg, &le) < 0) {
            return -1;
        }
        events++;
    }
    return events;
}

static int parse_doc(void *state, struct pmt_parse_ctx *ctx, const char *data, size_t len,
                     int (*emit)(void *, struct pmt_event *), void *arg)
{
    struct state *st = state;
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r')) {
        i++;
    }
    if (i < len && data[i] == '{') {
        json_error_t jerr;
        json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
        if (!root) {
            static char why[200];
            snprintf(why, sizeof(why), "not a readable JSON report (line %d: %s)", jerr.line,
                     jerr.text);
            ctx->why = why;
            return -1;
        }
        int rc = report(st, ctx, (struct tref){NULL, root}, emit, arg);
        json_decref(root);
        return rc;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ctx->why = "libyaml could not start";
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        static char why[200];
        snprintf(why, sizeof(why), "not a readable YAML report (line %zu: %s)",
                 parser.problem_mark.line + 1, parser.problem ? parser.problem : "?");
        ctx->why = why;
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = root ? report(st, ctx, (struct tref){&doc, root}, emit, arg) : 0;
    if (!root) {
        ctx->why = "empty YAML document";
        rc = -1;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- log files ---- */

/* "2026-11-20 23:18:43 -0500 Facter (err): msg" */
static enum pmt_parse_rc text_line(struct pmt_parse_ctx *ctx, struct pmt_str line,
                                   struct pmt_event *ev)
{
    const char *p = line.p, *end = p + line.len;
    if (line.len < 27 || p[4] != '-' || p[10] != ' ' || p[19] != ' ' ||
        (p[20] != '+' && p[20] != '-')) {
        return PMT_PARSE_NOT_MINE;
    }
    const char *src = p + 26;
    const char *lp = NULL, *rp = NULL;
    for (const char *q = src; q + 2 < end; q++) {
        if (q[0] == ' ' && q[1] == '(') {
            const char *c = memchr(q + 2, ')', (size_t)(end - q - 2));
            if (c && c + 1 < end && c[1] == ':') {
                lp = q;
                rp = c;
                break;
            }
        }
    }
    if (!lp) {
        return PMT_PARSE_NOT_MINE;
    }
    int sev = pmt_severity_parse(lp + 2, (size_t)(rp - lp - 2));
    if (sev == PMT_SEV_NONE) {
        return PMT_PARSE_NOT_MINE;
    }
    if (stamp(ctx, pmt_str_make(p, 25), ev) < 0) {
        ctx->why = "bad timestamp";
        return PMT_PARSE_MALFORMED;
    }
    ev->severity = (int8_t)sev;
    ev->f[PMT_F_PROGRAM] = resource_of(pmt_str_make(src, (size_t)(lp - src)));
    const char *m = rp + 2;
    while (m < end && *m == ' ') {
        m++;
    }
    ev->f[PMT_F_MESSAGE] = pmt_str_make(m, (size_t)(end - m));
    if (ev->f[PMT_F_MESSAGE].len > 16 && memcmp(m, "Applied catalog ", 16) == 0) {
        ev->flags |= PMT_EV_CONFIG_RUN; /* --logdest file: the run's end */
    }
    return PMT_PARSE_EVENT;
}

/* One JSON log object a line (--logdest FILE.json), between "[", "," and "]" lines. The
 * parsed object lives in the state until the next line, since the event's views point in it. */
struct lstate {
    struct state report;
    json_t *last;
};

static enum pmt_parse_rc json_line(struct lstate *ls, struct pmt_parse_ctx *ctx,
                                   struct pmt_str line, struct pmt_event *ev)
{
    if (ls->last) {
        json_decref(ls->last);
        ls->last = NULL;
    }
    json_t *o = json_loadb(line.p, line.len, 0, NULL);
    if (!o || !json_is_object(o) || !json_object_get(o, "level") || !json_object_get(o, "time")) {
        json_decref(o);
        return PMT_PARSE_NOT_MINE;
    }
    ls->last = o;
    struct tref r = {NULL, o};
    char b1[32], b2[8], b3[8], b4[128];
    int sev = level_sev(t_str(t_get(r, "level"), b1, sizeof(b1)));
    if (stamp(ctx, t_str(t_get(r, "time"), b4, sizeof(b4)), ev) < 0) {
        ctx->why = "bad timestamp";
        return PMT_PARSE_MALFORMED;
    }
    ev->severity = (int8_t)sev;
    ev->f[PMT_F_PROGRAM] = resource_of(t_str(t_get(r, "source"), b2, sizeof(b2)));
    ev->f[PMT_F_MESSAGE] = t_str(t_get(r, "message"), b3, sizeof(b3));
    return PMT_PARSE_EVENT;
}

static enum pmt_parse_rc parse_line(void *state, struct pmt_parse_ctx *ctx, struct pmt_str line,
                                    struct pmt_event *ev)
{
    size_t i = 0;
    while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t')) {
        i++;
    }
    if (i == line.len) {
        return PMT_PARSE_SKIP;
    }
    struct pmt_str t = pmt_str_make(line.p + i, line.len - i);
    if (t.len == 1 && (t.p[0] == '[' || t.p[0] == ']' || t.p[0] == ',')) {
        return PMT_PARSE_SKIP; /* the JSON log's array punctuation */
    }
    if (t.p[0] == '{') {
        return json_line(state, ctx, t, ev);
    }
    return text_line(ctx, line, ev);
}

static void *open_state(struct pmt_parse_ctx *ctx)
{
    (void)ctx;
    return pmt_xcalloc(1, sizeof(struct lstate));
}

static void close_state(void *state)
{
    struct lstate *ls = state;
    if (ls->last) {
        json_decref(ls->last);
    }
    free(ls);
}

/* ---- detection ---- */

static int sample_has(const struct pmt_str *lines, size_t n, const char *what)
{
    size_t wl = strlen(what);
    for (size_t i = 0; i < n; i++) {
        if (lines[i].len >= wl && memmem(lines[i].p, lines[i].len, what, wl)) {
            return 1;
        }
    }
    return 0;
}

static int is_doc(const struct pmt_str *lines, size_t n)
{
    size_t i = 0;
    while (i < n && lines[i].len == 0) {
        i++;
    }
    if (i == n) {
        return 0;
    }
    if (lines[i].len >= 3 && memcmp(lines[i].p, "---", 3) == 0) {
        return sample_has(lines, n, "Puppet::Transaction::Report") ||
               (sample_has(lines, n, "transaction_uuid") || sample_has(lines, n, "report_format"));
    }
    if (lines[i].p[0] == '{') {
        return sample_has(lines, n, "\"report_format\"") ||
               sample_has(lines, n, "\"transaction_uuid\"") ||
               sample_has(lines, n, "\"reported_at\"") ||
               (sample_has(lines, n, "\"certname\"") && sample_has(lines, n, "\"start_time\""));
    }
    return 0;
}

static int probe(const struct pmt_parse_ctx *pctx, const struct pmt_str *lines, size_t n)
{
    (void)pctx;
    if (is_doc(lines, n)) {
        return 100;
    }
    struct lstate ls = {0};
    struct pmt_parse_ctx ctx = {0}; /* no time: validate stamps only */
    int score = pmt_probe_share(parse_line, &ls, &ctx, lines, n, 0);
    if (ls.last) {
        json_decref(ls.last);
    }
    return score;
}

static int parse_doc_entry(void *state, struct pmt_parse_ctx *ctx, const char *data, size_t len,
                           int (*emit)(void *, struct pmt_event *), void *arg)
{
    return parse_doc(&((struct lstate *)state)->report, ctx, data, len, emit, arg);
}

const struct pmt_parser pmt_parser_puppet = {
    .name = "puppet",
    .summary = "Puppet run reports (YAML, JSON, PuppetDB) and Puppet's own log files",
    .example = "2026-03-08 08:25:04 +0300 Puppet (notice): Applied catalog in 4.21 seconds",
    .probe = probe,
    .open = open_state,
    .parse_line = parse_line,
    .close = close_state,
    .is_doc = is_doc,
    .parse_doc = parse_doc_entry,
};
