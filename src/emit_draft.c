/*
 * The draft, written: Timeline and Duration as Markdown (what a postmortem pastes), or one
 * JSON document. Times are shown in the display zone, HH:MM, with dates when the span crosses
 * midnight. All text from logs goes through the escapers: a message cannot make markup.
 */
#include <stdio.h>

#include "pmt/draft.h"
#include "pmt/emit.h"

struct dctx {
    struct pmt_out *o;
    const struct pmt_zone *z;
    int dates; /* the span crosses local midnight */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* "08:25", or "2026-03-08 08:25" when dates matter. */
static void hm(struct dctx *c, int64_t t_ns, int with_date)
{
    int64_t s = floor_div(t_ns, PMT_NS_PER_S);
    char b[24];
    pmt_fmt_datetime(b, s + pmt_zone_offset_at(c->z, s), ' ');
    if (with_date || c->dates) {
        pmt_out_put(c->o, b, 16);
    } else {
        pmt_out_put(c->o, b + 11, 5);
    }
}

static void label(struct dctx *c, int64_t t_ns)
{
    char lab[16];
    size_t n = pmt_zone_stamp_label(c->z, floor_div(t_ns, PMT_NS_PER_S), lab);
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

static void md_text(struct pmt_out *o, const char *s)
{
    pmt_out_md_text(o, s, strlen(s));
}

void pmt_emit_draft_md(struct pmt_out *o, const struct pmt_zone *z, const struct pmt_draft_result *r)
{
    struct dctx c = {o, z, 0};
    int64_t a = floor_div(r->span_start_ns, PMT_NS_PER_S), b = floor_div(r->span_end_ns, PMT_NS_PER_S);
    c.dates = floor_div(a + pmt_zone_offset_at(z, a), 86400) != floor_div(b + pmt_zone_offset_at(z, b), 86400);
    char d[160];
    pmt_zone_describe(z, a, b, d, sizeof(d));
    pmt_out_s(o, "## Timeline \xE2\x80\x94 all times ");
    pmt_out_s(o, d);
    pmt_out_s(o, "\n\n");
    if (r->nmoments == 0) {
        pmt_out_s(o, "- No notable events: no errors, alerts, changes or restarts in these logs.\n");
    }
    for (size_t i = 0; i < r->nmoments; i++) {
        const struct pmt_moment *m = &r->moments[i];
        pmt_out_s(o, "- ");
        hm(&c, m->t_ns, 0);
        if (m->end_ns && floor_div(m->end_ns, 60 * PMT_NS_PER_S) != floor_div(m->t_ns, 60 * PMT_NS_PER_S)) {
            pmt_out_s(o, "\xE2\x80\x93"); /* en dash */
            hm(&c, m->end_ns, 0);
        }
        pmt_out_s(o, " \xE2\x80\x94 ");
        if (m->source[0]) {
            md_text(o, m->source);
            pmt_out_s(o, ": ");
        }
        md_text(o, m->text);
        pmt_out_ch(o, '\n');
    }
    pmt_out_s(o, "\n## Duration\n\n");
    if (!r->has_window) {
        pmt_out_s(o, "- No outage found in these logs: no sustained share of 5xx responses "
                     "and no burst of errors. (Set one with --window START..END.)\n");
        return;
    }
    pmt_out_s(o, "- Start: ");
    hm(&c, r->start_ns, 1);
    label(&c, r->start_ns);
    pmt_out_s(o, " \xC2\xB7 End: ");
    hm(&c, r->end_ns, c.dates);
    label(&c, r->end_ns);
    pmt_out_s(o, " \xC2\xB7 Length: ");
    length(o, r->end_ns - r->start_ns);
    pmt_out_s(o, r->window_from_http ? " (from the share of 5xx responses)\n"
                                     : " (from a burst of error-level events)\n");
    if (r->has_detected) {
        pmt_out_s(o, "- Detected: ");
        hm(&c, r->detected_ns, 0);
        label(&c, r->detected_ns);
        int64_t dt = r->detected_ns - r->start_ns;
        pmt_out_s(o, ", ");
        if (dt >= 0) {
            length(o, dt);
            pmt_out_s(o, " after the start, by ");
        } else {
            length(o, -dt);
            pmt_out_s(o, " before the start (an earlier alert), by ");
        }
        md_text(o, r->detected_by);
        pmt_out_ch(o, '\n');
    } else {
        pmt_out_s(o, "- Detected: no alert found in these logs.\n");
    }
    if (r->has_impact) {
        pmt_out_s(o, "- Impact: ");
        thousands(o, r->failed);
        pmt_out_s(o, " of ");
        thousands(o, r->requests);
        char p[48];
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
        pmt_out_s(o, "- Possible trigger: ");
        md_text(o, r->trigger);
        pmt_out_s(o, ", at ");
        hm(&c, r->trigger_ns, 0);
        label(&c, r->trigger_ns);
        if (r->start_ns - r->trigger_ns >= PMT_NS_PER_S) {
            pmt_out_s(o, ", ");
            length(o, r->start_ns - r->trigger_ns);
            pmt_out_s(o, " before the start\n");
        } else {
            pmt_out_s(o, ", as the outage began\n");
        }
    }
}

/* RFC 3339 in the display zone, to the second. */
static void rfc3339(struct pmt_out *o, const struct pmt_zone *z, int64_t t_ns)
{
    int64_t s = floor_div(t_ns, PMT_NS_PER_S);
    int32_t off = pmt_zone_offset_at(z, s);
    char b[40];
    pmt_fmt_datetime(b, s + off, 'T');
    size_t n = 19 + pmt_fmt_offset(b + 19, off, pmt_zone_is_utc(z));
    pmt_out_ch(o, '"');
    pmt_out_put(o, b, n);
    pmt_out_ch(o, '"');
}

static void jstr(struct pmt_out *o, const char *s)
{
    pmt_out_ch(o, '"');
    pmt_out_json_str(o, s, strlen(s));
    pmt_out_ch(o, '"');
}

void pmt_emit_draft_json(struct pmt_out *o, const struct pmt_zone *z, const struct pmt_draft_result *r)
{
    pmt_out_s(o, "{\"zone\":");
    jstr(o, pmt_zone_name(z));
    pmt_out_s(o, ",\"window\":");
    if (r->has_window) {
        pmt_out_s(o, "{\"start\":");
        rfc3339(o, z, r->start_ns);
        pmt_out_s(o, ",\"end\":");
        rfc3339(o, z, r->end_ns);
        pmt_out_s(o, ",\"length_s\":");
        pmt_out_i64(o, (r->end_ns - r->start_ns) / PMT_NS_PER_S);
        pmt_out_s(o, r->window_from_http ? ",\"from\":\"http\"}" : ",\"from\":\"errors\"}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"detected\":");
    if (r->has_detected) {
        rfc3339(o, z, r->detected_ns);
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"impact\":");
    if (r->has_impact) {
        pmt_out_s(o, "{\"requests\":");
        pmt_out_u64(o, r->requests);
        pmt_out_s(o, ",\"failed\":");
        pmt_out_u64(o, r->failed);
        pmt_out_s(o, ",\"clients\":");
        pmt_out_u64(o, r->clients);
        pmt_out_s(o, ",\"clients_failed\":");
        pmt_out_u64(o, r->clients_failed);
        pmt_out_s(o, "}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"trigger\":");
    if (r->has_trigger) {
        pmt_out_s(o, "{\"time\":");
        rfc3339(o, z, r->trigger_ns);
        pmt_out_s(o, ",\"text\":");
        jstr(o, r->trigger);
        pmt_out_s(o, "}");
    } else {
        pmt_out_s(o, "null");
    }
    pmt_out_s(o, ",\"timeline\":[");
    for (size_t i = 0; i < r->nmoments; i++) {
        const struct pmt_moment *m = &r->moments[i];
        pmt_out_s(o, i ? ",{\"time\":" : "{\"time\":");
        rfc3339(o, z, m->t_ns);
        pmt_out_s(o, ",\"end\":");
        if (m->end_ns) {
            rfc3339(o, z, m->end_ns);
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
