/*
 * Every event, one per line (--all): a Markdown list or JSON lines.
 *
 *   - 2023-02-08 03:00:01 UTC — web1 nginx[12]: message
 *   {"time":"2023-02-08T03:00:01Z","epoch_ns":...,"source":"web1/syslog","line":1,...}
 */
#include "pmt/emit.h"
#include "pmt/parser.h"

static const char dash[] = " \xE2\x80\x94 "; /* " — " */

/* Local "YYYY-MM-DD?HH:MM:SS" for the event's second, in the display zone; cached per second. */
static const char *local_time(struct pmt_emit_ctx *c, int64_t t_ns, char sep, int32_t *off_out)
{
    int64_t sec = t_ns >= 0 ? t_ns / PMT_NS_PER_S : -((-t_ns + PMT_NS_PER_S - 1) / PMT_NS_PER_S);
    if (!c->cache_valid || c->cache_sec != sec) {
        c->cache_off = pmt_zone_offset_at(c->zone, sec);
        pmt_fmt_datetime(c->cache_date, sec + c->cache_off, sep);
        c->cache_sec = sec;
        c->cache_valid = 1;
    }
    *off_out = c->cache_off;
    return c->cache_date;
}

static int32_t nsec_of(int64_t t_ns)
{
    int64_t r = t_ns % PMT_NS_PER_S;
    return (int32_t)(r < 0 ? r + PMT_NS_PER_S : r);
}

static void md_begin(struct pmt_emit_ctx *c)
{
    (void)c;
}

static void md_event(struct pmt_emit_ctx *c, const struct pmt_event *ev)
{
    struct pmt_out *o = c->out;
    int32_t off;
    const char *d = local_time(c, ev->t_ns, ' ', &off);
    char label[8];
    size_t ll = pmt_zone_stamp_label(c->zone, off, label);
    pmt_out_put(o, "- ", 2);
    pmt_out_put(o, d, 19);
    pmt_out_ch(o, ' ');
    pmt_out_put(o, label, ll);
    pmt_out_put(o, dash, sizeof(dash) - 1);
    const struct pmt_str *host = &ev->f[PMT_F_HOST], *prog = &ev->f[PMT_F_PROGRAM];
    const struct pmt_str *pid = &ev->f[PMT_F_PID];
    if (host->len) {
        pmt_out_md_text(o, host->p, host->len);
        pmt_out_ch(o, prog->len ? ' ' : ':');
        if (!prog->len) {
            pmt_out_ch(o, ' ');
        }
    }
    if (prog->len) {
        pmt_out_md_text(o, prog->p, prog->len);
        if (pid->len) {
            pmt_out_ch(o, '[');
            pmt_out_md_text(o, pid->p, pid->len);
            pmt_out_ch(o, ']');
        }
        pmt_out_put(o, ": ", 2);
    }
    pmt_out_md_text(o, ev->f[PMT_F_MESSAGE].p, ev->f[PMT_F_MESSAGE].len);
    pmt_out_ch(o, '\n');
}

static void md_end(struct pmt_emit_ctx *c)
{
    (void)c;
}

const struct pmt_emitter pmt_emit_md_all = {
    .name = "md",
    .begin = md_begin,
    .event = md_event,
    .end = md_end,
};

static void json_field(struct pmt_out *o, const char *key, const struct pmt_str *s)
{
    pmt_out_s(o, key);
    if (s->len) {
        pmt_out_ch(o, '"');
        pmt_out_json_str(o, s->p, s->len);
        pmt_out_ch(o, '"');
    } else {
        pmt_out_put(o, "null", 4);
    }
}

static void json_event(struct pmt_emit_ctx *c, const struct pmt_event *ev)
{
    struct pmt_out *o = c->out;
    int32_t off;
    const char *d = local_time(c, ev->t_ns, 'T', &off);
    char tail[24];
    size_t tl = pmt_fmt_fraction(tail, nsec_of(ev->t_ns));
    tl += pmt_fmt_offset(tail + tl, off, 1);
    pmt_out_put(o, "{\"time\":\"", 9);
    pmt_out_put(o, d, 19);
    pmt_out_put(o, tail, tl);
    pmt_out_put(o, "\",\"epoch_ns\":", 13);
    pmt_out_i64(o, ev->t_ns);
    pmt_out_put(o, ",\"source\":", 10);
    pmt_out_s(o, c->source_json[ev->src]);
    pmt_out_put(o, ",\"line\":", 8);
    pmt_out_u64(o, ev->line);
    pmt_out_put(o, ",\"format\":\"", 11);
    pmt_out_s(o, pmt_parsers[ev->parser]->name);
    pmt_out_ch(o, '"');
    json_field(o, ",\"host\":", &ev->f[PMT_F_HOST]);
    json_field(o, ",\"program\":", &ev->f[PMT_F_PROGRAM]);
    json_field(o, ",\"pid\":", &ev->f[PMT_F_PID]);
    pmt_out_put(o, ",\"severity\":", 12);
    const char *sev = pmt_severity_name(ev->severity);
    if (sev) {
        pmt_out_ch(o, '"');
        pmt_out_s(o, sev);
        pmt_out_ch(o, '"');
    } else {
        pmt_out_put(o, "null", 4);
    }
    if (ev->f[PMT_F_MSGID].len) {
        json_field(o, ",\"msgid\":", &ev->f[PMT_F_MSGID]);
    }
    if (ev->f[PMT_F_SD].len) {
        json_field(o, ",\"structured_data\":", &ev->f[PMT_F_SD]);
    }
    if (ev->flags & (PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED)) {
        int both = (ev->flags & PMT_EV_YEAR_ASSUMED) && (ev->flags & PMT_EV_ZONE_ASSUMED);
        pmt_out_s(o, ",\"assumed\":[");
        if (ev->flags & PMT_EV_YEAR_ASSUMED) {
            pmt_out_s(o, "\"year\"");
        }
        if (both) {
            pmt_out_ch(o, ',');
        }
        if (ev->flags & PMT_EV_ZONE_ASSUMED) {
            pmt_out_s(o, "\"zone\"");
        }
        pmt_out_ch(o, ']');
    }
    if (ev->flags & PMT_EV_CUT) {
        pmt_out_s(o, ",\"cut\":true");
    }
    pmt_out_s(o, ",\"message\":\"");
    pmt_out_json_str(o, ev->f[PMT_F_MESSAGE].p, ev->f[PMT_F_MESSAGE].len);
    pmt_out_put(o, "\"}\n", 3);
}

const struct pmt_emitter pmt_emit_json_all = {
    .name = "json",
    .begin = md_begin,
    .event = json_event,
    .end = md_end,
};
