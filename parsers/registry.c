/* The one list of parsers. A new format is one file in parsers/ and one line here. */
#include <string.h>

#include "pmt/parser.h"

extern const struct pmt_parser pmt_parser_apache_error;
extern const struct pmt_parser pmt_parser_csv;
extern const struct pmt_parser pmt_parser_nginx_access;
extern const struct pmt_parser pmt_parser_nginx_error;
extern const struct pmt_parser pmt_parser_pattern;
extern const struct pmt_parser pmt_parser_puppet;
extern const struct pmt_parser pmt_parser_syslog;

/* More specific formats first: ties in detection go to the earlier entry. */
const struct pmt_parser *const pmt_parsers[] = {
    &pmt_parser_pattern, /* scores 0 unless the user defined one; then theirs wins ties */
    &pmt_parser_puppet, /* before syslog: its log files also read as loose ISO syslog */
    &pmt_parser_syslog,
    &pmt_parser_nginx_access,
    &pmt_parser_nginx_error,
    &pmt_parser_apache_error,
    &pmt_parser_csv,
};

const size_t pmt_parser_count = PMT_ARRAY_LEN(pmt_parsers);

int pmt_parser_find(const char *name)
{
    for (size_t i = 0; i < pmt_parser_count; i++) {
        if (strcmp(pmt_parsers[i]->name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int pmt_parse_stamp(struct pmt_parse_ctx *ctx, const struct pmt_civil *c, struct pmt_event *ev)
{
    if (!ctx->time) {
        return pmt_civil_valid(c) ? 0 : -1;
    }
    uint16_t fl;
    if (pmt_srctime_resolve(ctx->time, c, &ev->t_ns, &ev->off_s, &fl) < 0) {
        return -1;
    }
    ev->flags |= fl;
    return 0;
}

int pmt_probe_share(enum pmt_parse_rc (*parse)(void *state, struct pmt_parse_ctx *ctx,
                                               struct pmt_str line, struct pmt_event *ev),
                    void *state, struct pmt_parse_ctx *ctx, const struct pmt_str *lines, size_t n,
                    int cont_neutral)
{
    size_t tried = 0, ok = 0;
    for (size_t i = 0; i < n; i++) {
        struct pmt_event ev;
        pmt_event_clear(&ev);
        enum pmt_parse_rc rc = parse(state, ctx, lines[i], &ev);
        if (rc == PMT_PARSE_SKIP || (rc == PMT_PARSE_CONTINUE && cont_neutral)) {
            continue;
        }
        tried++;
        ok += rc == PMT_PARSE_EVENT;
    }
    return tried ? (int)(ok * 100 / tried) : 0;
}

int pmt_parser_detect(const struct pmt_parse_ctx *ctx, const struct pmt_str *lines, size_t n,
                      int *score_out)
{
    int best = -1, best_score = 0;
    for (size_t i = 0; i < pmt_parser_count; i++) {
        int s = pmt_parsers[i]->probe(ctx, lines, n);
        /* Ties go to the earlier entry: the registry lists the more specific formats first. */
        if (s > best_score) {
            best = (int)i;
            best_score = s;
        }
    }
    if (score_out) {
        *score_out = best_score;
    }
    return best;
}
