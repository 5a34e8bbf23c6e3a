/*
 * The draft, written: Timeline and Duration as Markdown (what a postmortem pastes), a
 * Markdown table, plain text, CSV, or one JSON document; --template wraps the Markdown in a
 * whole postmortem skeleton. Times are shown in the display zone, HH:MM (or 10:00 AM with
 * --clock 12h), with dates when the span crosses midnight. All text from logs goes through an
 * escaper for its format: a message cannot make markup or reach a terminal raw.
 */
#include <stdio.h>

#include "pmt/draft.h"
#include "pmt/emit.h"

struct dctx {
    struct pmt_out *o;
    const struct pmt_draft_view *v;
    int dates; /* the span crosses local midnight */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Log text in the format's escaping. */
static void esc(struct dctx *c, const char *s)
{
    if (c->v->format == PMT_OUT_TEXT) {
        pmt_out_text(c->o, s, strlen(s));
    } else {
        pmt_out_md_text(c->o, s, strlen(s));
    }
}

/* "08:25", "8:25 AM", or with the date when dates matter. */
static void hm(struct dctx *c, int64_t t_ns, int with_date)
{
    int64_t s = floor_div(t_ns, PMT_NS_PER_S);
    char b[24];
    pmt_fmt_datetime(b, s + pmt_zone_offset_at(c->v->zone, s), ' ');
    if (with_date || c->dates) {
        pmt_out_put(c->o, b, 11);
    }
    if (c->v->clock12) {
        int h = (b[11] - '0') * 10 + (b[12] - '0');
        char t[16];
        snprintf(t, sizeof(t), "%d:%c%c %s", h % 12 ? h % 12 : 12, b[14], b[15], h < 12 ? "AM" : "PM");
        pmt_out_s(c->o, t);
    } else {
        pmt_out_put(c->o, b + 11, 5);
    }
}

static void label(struct dctx *c, int64_t t_ns)
{
    char lab[16];
    size_t n = pmt_zone_stamp_label(c->v->zone, floor_div(t_ns, PMT_NS_PER_S), lab);
    pmt_out_ch(c->o, ' ');
    pmt_out_put(c->o, lab, n);
}

/* 1740 -> "1,740" */
static void thousands(struct pmt_out *o, uint64_t v)
{
    char d[32];
    int n = snprintf(d, sizeof(d), "%llu", (unsigned long long)v);
    for (int i = 0; i < n; i++) {
        pmt_out_ch(o, d[i]);
        if ((n - i - 1) % 3 == 0 && i + 1 < n) {
            pmt_out_ch(o, ',');
        }
    }
}

/* "2 minutes, 21 seconds", "1 hour, 20 minutes", "40 seconds" */
static void length(struct pmt_out *o, int64_t ns)
{
    int64_t s = ns / PMT_NS_PER_S;
    char b[64];
    if (s < 60) {
        snprintf(b, sizeof(b), "%lld second%s", (long long)s, s == 1 ? "" : "s");
    } else if (s < 3600) {
        int64_t m = s / 60, r = s % 60;
        if (r) {
            snprintf(b, sizeof(b), "%lld minute%s, %lld second%s", (long long)m, m == 1 ? "" : "s",
                     (long long)r, r == 1 ? "" : "s");
        } else {
            snprintf(b, sizeof(b), "%lld minute%s", (long long)m, m == 1 ? "" : "s");
        }
    } else {
        int64_t h = s / 3600, m = s % 3600 / 60;
        snprintf(b, sizeof(b), "%lld hour%s, %lld minute%s", (long long)h, h == 1 ? "" : "s",
                 (long long)m, m == 1 ? "" : "s");
    }
    pmt_out_s(o, b);
}

static void range(struct dctx *c, const struct pmt_moment *m)
{
    hm(c, m->t_ns, 0);
    if (m->end_ns && floor_div(m->end_ns, 60 * PMT_NS_PER_S) != floor_div(m->t_ns, 60 * PMT_NS_PER_S)) {
        pmt_out_s(c->o, c->v->format == PMT_OUT_TEXT ? "-" : "\xE2\x80\x93"); /* en dash */
        hm(c, m->end_ns, 0);
    }
}

static void timeline(struct dctx *c, const struct pmt_draft_result *r)
{
    struct pmt_out *o = c->o;
    int text = c->v->format == PMT_OUT_TEXT;
    if (r->nmoments == 0) {
        pmt_out_s(o, text ? "  " : "- ");
        pmt_out_s(o, "No notable events: no errors, alerts, changes or restarts in these logs.\n");
        return;
    }
    if (c->v->format == PMT_OUT_TABLE) {
        char lab[16];
        size_t n = pmt_zone_stamp_label(c->v->zone, floor_div(r->span_start_ns, PMT_NS_PER_S), lab);
        pmt_out_s(o, "| Time (");
        pmt_out_put(o, lab, n);
        pmt_out_s(o, ") | Source | Event |\n|---|---|---|\n");
    }
    for (size_t i = 0; i < r->nmoments; i++) {
        const struct pmt_moment *m = &r->moments[i];
        switch (c->v->format) {
        case PMT_OUT_TABLE:
            pmt_out_s(o, "| ");
            range(c, m);
            pmt_out_s(o, " | ");
            esc(c, m->source);
            pmt_out_s(o, " | ");
            esc(c, m->text);
            pmt_out_s(o, " |\n");
            break;
        default: /* a list: "  08:25  src: text" as text, "- 08:25 — src: text" in Markdown */
            pmt_out_s(o, text ? "  " : "- ");
            range(c, m);
            pmt_out_s(o, text ? "  " : " \xE2\x80\x94 ");
            if (m->source[0]) {
                esc(c, m->source);
                pmt_out_s(o, ": ");
            }
            esc(c, m->text);
            pmt_out_ch(o, '\n');
            break;
        }
    }
}

static void item(struct dctx *c, const char *name)
{
    pmt_out_s(c->o, c->v->format == PMT_OUT_TEXT ? "  " : "- ");
    pmt_out_s(c->o, name);
}

/* "- Detected: 08:26 EAT, " */
static void stamp_item(struct dctx *c, const char *name, int64_t t)
{
    item(c, name);
    hm(c, t, 0);
    label(c, t);
    pmt_out_s(c->o, ", ");
}

static void duration(struct dctx *c, const struct pmt_draft_result *r)
{
    struct pmt_out *o = c->o;
    if (!r->has_window) {
        item(c, "No outage found in these logs: no sustained share of 5xx responses, no "
                "burst of errors, no alert. (Set one with --window START..END.)\n");
        return;
    }
    item(c, "Start: ");
    hm(c, r->start_ns, 1);
    label(c, r->start_ns);
    pmt_out_s(o, c->v->format == PMT_OUT_TEXT ? " - End: " : " \xC2\xB7 End: ");
    hm(c, r->end_ns, c->dates);
    label(c, r->end_ns);
    pmt_out_s(o, c->v->format == PMT_OUT_TEXT ? " - Length: " : " \xC2\xB7 Length: ");
    length(o, r->end_ns - r->start_ns);
    if (r->from_window_option) {
        pmt_out_s(o, " (as given by --window)\n");
    } else {
        if (r->window_from_alerts) {
            pmt_out_s(o, r->still_going
                             ? " (from the alert's firing; it had not resolved when the logs end)\n"
                             : " (from the alert's firing to its resolution)\n");
        } else {
            pmt_out_s(o, r->window_from_http ? " (from the share of 5xx responses)"
                                             : " (from a burst of error-level events)");
            pmt_out_s(o, r->still_going ? "; still failing when the logs end\n" : "\n");
        }
    }
    if (r->has_detected) {
        stamp_item(c, "Detected: ", r->detected_ns);
        int64_t dt = r->detected_ns - r->start_ns;
        if (r->window_from_alerts && dt == 0) {
            pmt_out_s(o, "when the outage is timed to begin, by ");
        } else if (dt >= 0) {
            length(o, dt);
            pmt_out_s(o, " after the start, by ");
        } else {
            length(o, -dt);
            pmt_out_s(o, " before the start (an earlier alert), by ");
        }
        esc(c, r->detected_by);
        pmt_out_ch(o, '\n');
    } else {
        item(c, "Detected: no alert found in these logs.\n");
    }
    if (r->has_resolved) {
        stamp_item(c, "Alert resolved: ", r->resolved_ns);
        int64_t dt = r->resolved_ns - r->end_ns;
        if (dt >= PMT_NS_PER_S) {
            length(o, dt);
            pmt_out_s(o, " after the end, by ");
        } else {
            pmt_out_s(o, "by ");
        }
        esc(c, r->resolved_by);
        pmt_out_ch(o, '\n');
    }
    if (r->has_impact) {
        item(c, "Impact: ");
        thousands(o, r->failed);
        pmt_out_s(o, " of ");
        thousands(o, r->requests);
        char p[64];
        snprintf(p, sizeof(p), " requests failed (%.1f%%)",
                 r->requests ? 100.0 * (double)r->failed / (double)r->requests : 0.0);
        pmt_out_s(o, p);
        if (r->clients) {
            pmt_out_s(o, "; ");
            if (r->clients_capped) {
                pmt_out_s(o, "at least ");
            }
            thousands(o, r->clients_failed);
            pmt_out_s(o, " of ");
            thousands(o, r->clients);
            snprintf(p, sizeof(p), " clients (%.1f%%) saw an error",
                     100.0 * (double)r->clients_failed / (double)r->clients);
            pmt_out_s(o, p);
        }
        pmt_out_ch(o, '\n');
    }
    if (r->has_trigger) {
        item(c, "Possible trigger: ");
        esc(c, r->trigger);
        pmt_out_s(o, ", at ");
        hm(c, r->trigger_ns, 0);
        label(c, r->trigger_ns);
        if (r->start_ns - r->trigger_ns >= PMT_NS_PER_S) {
            pmt_out_s(o, ", ");
            length(o, r->start_ns - r->trigger_ns);
            pmt_out_s(o, " before the start\n");
        } else {
            pmt_out_s(o, ", as the outage began\n");
        }
    }
}

static void heading(struct dctx *c, const char *title, const struct pmt_draft_result *r, int level)
{
    char d[160] = "";
    if (r) { /* with the zone over the span shown */
        pmt_zone_describe(c->v->zone, floor_div(r->span_start_ns, PMT_NS_PER_S),
                          floor_div(r->span_end_ns, PMT_NS_PER_S), d, sizeof(d));
    }
    if (c->v->format == PMT_OUT_TEXT) {
        pmt_out_s(c->o, title);
        if (r) {
            pmt_out_s(c->o, " - all times ");
            pmt_out_s(c->o, d);
        }
        pmt_out_s(c->o, "\n\n");
        return;
    }
    pmt_out_s(c->o, level == 1 ? "# " : level == 3 ? "### " : "## ");
    pmt_out_s(c->o, title);
    if (r) {
        pmt_out_s(c->o, " \xE2\x80\x94 all times ");
        pmt_out_s(c->o, d);
    }
    pmt_out_s(c->o, "\n\n");
}

static void csv_draft(struct dctx *c, const struct pmt_draft_result *r)
{
    struct pmt_out *o = c->o;
    pmt_out_s(o, "time,end,source,text,count,kind\n");
    for (size_t i = 0; i < r->nmoments; i++) {
        const struct pmt_moment *m = &r->moments[i];
        char b[40];
        int64_t s = floor_div(m->t_ns, PMT_NS_PER_S);
        int32_t off = pmt_zone_offset_at(c->v->zone, s);
        size_t n = pmt_fmt_datetime(b, s + off, 'T');
        n += pmt_fmt_offset(b + n, off, pmt_zone_is_utc(c->v->zone));
        pmt_out_put(o, b, n);
        pmt_out_ch(o, ',');
        if (m->end_ns) {
            s = floor_div(m->end_ns, PMT_NS_PER_S);
            off = pmt_zone_offset_at(c->v->zone, s);
            n = pmt_fmt_datetime(b, s + off, 'T');
            n += pmt_fmt_offset(b + n, off, pmt_zone_is_utc(c->v->zone));
            pmt_out_put(o, b, n);
        }
        pmt_out_ch(o, ',');
        pmt_out_csv_field(o, m->source, strlen(m->source));
        pmt_out_ch(o, ',');
        pmt_out_csv_field(o, m->text, strlen(m->text));
        pmt_out_ch(o, ',');
        pmt_out_u64(o, m->count ? m->count : 1);
        pmt_out_ch(o, ',');
        pmt_out_s(o, pmt_kind_name(m->kind));
        pmt_out_ch(o, '\n');
    }
}

/* "key":number, the key given with its punctuation */
static void key_u64(struct pmt_out *o, const char *key, uint64_t v)
{
    pmt_out_s(o, key);
    pmt_out_u64(o, v);
}

static void json_draft(struct dctx *c, const struct pmt_draft_result *r);

void pmt_emit_draft(struct pmt_out *o, const struct pmt_draft_view *v,
                    const struct pmt_draft_result *r)
{
    struct dctx c = {o, v, 0};
    int64_t a = floor_div(r->span_start_ns, PMT_NS_PER_S), b = floor_div(r->span_end_ns, PMT_NS_PER_S);
    c.dates = floor_div(a + pmt_zone_offset_at(v->zone, a), 86400) !=
              floor_div(b + pmt_zone_offset_at(v->zone, b), 86400);
    if (v->format == PMT_OUT_JSON) {
        json_draft(&c, r);
        return;
    }
    if (v->format == PMT_OUT_CSV) {
        csv_draft(&c, r);
        return;
    }
    if (v->template_mode) {
        /* A whole postmortem to fill in: what the logs know is there, the rest headed. */
        pmt_out_s(o, "# Postmortem: _title_\n\n## Issue Summary\n\n");
        duration(&c, r);
        pmt_out_s(o, "- Root cause: _to be written_\n\n");
        heading(&c, "Timeline", r, 2);
        timeline(&c, r);
        pmt_out_s(o, "\n## Root Cause\n\n_What failed and why; how the trigger above led to it._\n"
                     "\n## Resolution and Recovery\n\n_What was done to end the outage, and "
                     "when._\n\n## Corrective and Preventive Measures\n\n- [ ] _to do_\n");
        return;
    }
    heading(&c, "Timeline", r, 2);
    timeline(&c, r);
    pmt_out_ch(o, '\n');
    heading(&c, "Duration", NULL, 2);
    duration(&c, r);
}

/* RFC 3339 in the display zone, to the second. */
static void rfc3339(struct dctx *c, int64_t t_ns)
{
    int64_t s = floor_div(t_ns, PMT_NS_PER_S);
    int32_t off = pmt_zone_offset_at(c->v->zone, s);
    char b[40];
    pmt_fmt_datetime(b, s + off, 'T');
    size_t n = 19 + pmt_fmt_offset(b + 19, off, pmt_zone_is_utc(c->v->zone));
    pmt_out_ch(c->o, '"');
    pmt_out_put(c->o, b, n);
    pmt_out_ch(c->o, '"');
}

static void jstr(struct pmt_out *o, const char *s)
{
    pmt_out_ch(o, '"');
    pmt_out_json_str(o, s, strlen(s));
    pmt_out_ch(o, '"');
}

static void json_draft(struct dctx *c, const struct pmt_draft_result *r)
{
    struct pmt_out *o = c->o;
    pmt_out_s(o, "{\"zone\":");
    jstr(o, pmt_zone_name(c->v->zone));
    pmt_out_s(o, ",\"window\":");
    if (r->has_window) {
        pmt_out_s(o, "{\"start\":");
        rfc3339(c, r->start_ns);
        pmt_out_s(o, ",\"end\":");
        rfc3339(c, r->end_ns);
        pmt_out_s(o, ",\"length_s\":");
        pmt_out_i64(o, (r->end_ns - r->start_ns) / PMT_NS_PER_S);
        pmt_out_s(o, r->from_window_option ? ",\"from\":\"option\""
                     : r->window_from_http   ? ",\"from\":\"http\""
                     : r->window_from_alerts ? ",\"from\":\"alerts\""
                                             : ",\"from\":\"errors\"");
        pmt_out_s(o, r->still_going ? ",\"still_going\":true}" : ",\"still_going\":false}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"detected\":");
    if (r->has_detected) {
        rfc3339(c, r->detected_ns);
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"resolved\":");
    if (r->has_resolved) {
        rfc3339(c, r->resolved_ns);
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"impact\":");
    if (r->has_impact) {
        key_u64(o, "{\"requests\":", r->requests);
        key_u64(o, ",\"failed\":", r->failed);
        key_u64(o, ",\"clients\":", r->clients);
        key_u64(o, ",\"clients_failed\":", r->clients_failed);
        pmt_out_s(o, "}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"traffic\":");
    if (r->traffic) {
        for (size_t i = 0; i < r->ntraffic; i++) {
            const struct pmt_traffic_minute *t = &r->traffic[i];
            pmt_out_s(o, i ? ",{\"minute\":" : "[{\"minute\":");
            rfc3339(c, t->minute_ns);
            key_u64(o, ",\"requests\":", t->requests);
            key_u64(o, ",\"4xx\":", t->e4xx);
            key_u64(o, ",\"5xx\":", t->e5xx);
            key_u64(o, ",\"clients\":", t->clients);
            pmt_out_ch(o, '}');
        }
        pmt_out_ch(o, ']');
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"trigger\":");
    if (r->has_trigger) {
        pmt_out_s(o, "{\"time\":");
        rfc3339(c, r->trigger_ns);
        pmt_out_s(o, ",\"text\":");
        jstr(o, r->trigger);
        pmt_out_s(o, "}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"untracked_events\":");
    pmt_out_i64(o, (int64_t)r->untracked);
    pmt_out_s(o, ",\"timeline\":[");
    for (size_t i = 0; i < r->nmoments; i++) {
        const struct pmt_moment *m = &r->moments[i];
        pmt_out_s(o, i ? ",{\"time\":" : "{\"time\":");
        rfc3339(c, m->t_ns);
        pmt_out_s(o, ",\"end\":");
        if (m->end_ns) {
            rfc3339(c, m->end_ns);
        } else {
            pmt_out_s(o, "null");
        }
        pmt_out_s(o, ",\"source\":");
        jstr(o, m->source);
        pmt_out_s(o, ",\"text\":");
        jstr(o, m->text);
        pmt_out_s(o, ",\"count\":");
        pmt_out_u64(o, m->count ? m->count : 1);
        pmt_out_s(o, ",\"kind\":");
        jstr(o, pmt_kind_name(m->kind));
        pmt_out_s(o, "}");
    }
    pmt_out_s(o, "]}\n");
}
