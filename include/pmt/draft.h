/*
 * The draft: what an incident's logs say, condensed into a postmortem's Timeline and Duration.
 *
 * Events are aggregated as they stream (on the pipe's consumer thread, in any order): HTTP
 * requests per minute (requests, 4xx, 5xx, and each client's first/last request and error),
 * and every other event into a *template* (its message with numbers, addresses and ids masked)
 * with a count, first and last time, worst severity and one example. Memory is bounded by the
 * number of distinct minutes, clients and templates (each capped), not by lines. At the end:
 * the outage window is found, the key moments are chosen by rules kept as data (rules[] in
 * draft.c), and the Duration section is filled.
 */
#ifndef PMT_DRAFT_H
#define PMT_DRAFT_H

#include "pmt/event.h"
#include "pmt/tz.h"

enum pmt_kind {
    PMT_K_NOTE,
    PMT_K_TRAFFIC,
    PMT_K_ERROR,
    PMT_K_STATE,
    PMT_K_CHANGE,
    PMT_K_ALERT,
    PMT_K_TRIGGER,
    PMT_K_DETECTED,
    PMT_K_OUTAGE_START,
    PMT_K_OUTAGE_END,
};

const char *pmt_kind_name(enum pmt_kind k); /* "outage-start", "change", ... */

struct pmt_draft_opts {
    double error_share;  /* a minute is bad at this share of 5xx (default 0.10) */
    int min_requests;    /* ... with at least this many requests (default 3) */
    int gap_minutes;     /* good minutes tolerated inside an outage (default 2) */
    int error_burst;     /* without access logs: error events per minute for a bad one (3) */
    int max_lines;       /* timeline lines (default 25) */
    int has_window;      /* --window START..END */
    int64_t window_start_ns, window_end_ns;
    int redact;          /* --redact: client addresses and e-mail addresses masked */
};

void pmt_draft_opts_default(struct pmt_draft_opts *o);

/* One line of the Timeline. */
struct pmt_moment {
    int64_t t_ns;
    int64_t end_ns; /* a range (repeated events, traffic), or 0 */
    enum pmt_kind kind;
    int weight;
    uint32_t count;
    char source[64]; /* "nginx", "puppet", "mon-01 alertmanager" */
    char text[320];
};

/* One minute of HTTP traffic. */
struct pmt_traffic_minute {
    int64_t minute_ns;
    uint32_t requests, e4xx, e5xx, clients;
};

#define PMT_DRAFT_TRAFFIC_MAX 1440 /* a day of minutes at most in the series */

struct pmt_draft_result {
    int has_window;
    int64_t start_ns, end_ns;
    int window_from_http;   /* or from a burst of errors */
    int window_from_alerts; /* or from an alert's firing to its resolution */
    int from_window_option; /* --window said so */
    int still_going;        /* failing until the logs end */
    int has_detected;
    int64_t detected_ns;
    char detected_by[200];
    int has_resolved; /* an alert that says it is over, after the start */
    int64_t resolved_ns;
    char resolved_by[200];
    int has_impact;
    uint64_t requests, failed, clients, clients_failed;
    int clients_capped; /* more clients than counted exactly */
    double share_after;  /* success share in the minutes after the end, or -1 */
    int has_trigger;
    int64_t trigger_ns;
    char trigger[320];
    int64_t span_start_ns, span_end_ns; /* of all events seen */
    uint64_t events, http_events;
    uint64_t untracked; /* events of messages beyond the template cap: in no timeline line */
    struct pmt_moment *moments;
    size_t nmoments;
    struct pmt_traffic_minute *traffic; /* the outage's minutes and 10 either side, or NULL */
    size_t ntraffic;
    int traffic_cut; /* the outage was longer than PMT_DRAFT_TRAFFIC_MAX minutes */
};

struct pmt_draft;

struct pmt_draft *pmt_draft_new(const struct pmt_draft_opts *o);
/* Adds one event (its text is copied where kept). */
void pmt_draft_add(struct pmt_draft *d, const struct pmt_event *ev, const char *source_name);
/* Finds the window and the moments; the result lives as long as the draft. */
const struct pmt_draft_result *pmt_draft_finish(struct pmt_draft *d);
void pmt_draft_free(struct pmt_draft *d);
/* How many distinct messages (templates) a draft follows at most. */
unsigned pmt_draft_template_cap(void);

struct pmt_out;
struct pmt_zone;

/* How to write a draft. format: an enum pmt_output_format (emit.h). */
struct pmt_draft_view {
    const struct pmt_zone *zone;
    int format;
    int clock12;       /* --clock 12h */
    int template_mode; /* --template: a whole postmortem skeleton */
};

void pmt_emit_draft(struct pmt_out *o, const struct pmt_draft_view *v,
                    const struct pmt_draft_result *r);

#endif
