/* User patterns: groups, time formats, the pattern file, and the errors that stop a run. */
#include "testutil.h"

#include "pmt/parser.h"

static const struct pmt_parser *P;
static struct pmt_zone *utc;

static enum pmt_parse_rc parse(const struct pmt_parser_opts *o, const char *line,
                               struct pmt_event *ev)
{
    static struct pmt_srctime t;
    static struct pmt_parse_ctx ctx;
    static void *st;
    if (st) {
        P->close(st);
    }
    t = (struct pmt_srctime){.zone = utc, .zone_given = 1, .ref_s = 1772950000};
    ctx = (struct pmt_parse_ctx){.time = &t, .source_name = "t", .opts = o};
    st = P->open(&ctx);
    pmt_event_clear(ev);
    return P->parse_line(st, &ctx, pmt_str_make(line, strlen(line)), ev);
}

static void expect(const char *what, struct pmt_str s, const char *want)
{
    size_t n = want ? strlen(want) : 0;
    if (s.len != n || (n && memcmp(s.p, want, n) != 0)) {
        fail_msg("%s is '%.*s', expected '%s'", what, (int)s.len, s.p ? s.p : "",
                 want ? want : "(none)");
    }
}

static void groups_and_time_formats(void **state)
{
    (void)state;
    struct pmt_parser_opts o = {
        .pattern = "^(?<time>\\S+ \\S+) (?<severity>\\w+) \\[(?<program>[\\w.]+)\\] "
                   "(?<message>.*)$",
        .time_format = "%Y-%m-%d %H:%M:%S,%f"};
    struct pmt_event ev;
    assert_int_equal(parse(&o, "2026-03-08 08:28:13,512 FATAL [payments.api] gone", &ev),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.t_ns, 1772958493512000000LL);
    assert_int_equal(ev.severity, PMT_SEV_CRIT); /* FATAL */
    expect("program", ev.f[PMT_F_PROGRAM], "payments.api");
    expect("message", ev.f[PMT_F_MESSAGE], "gone");
    assert_int_equal(parse(&o, "2026-03-08 08:28:13 FATAL [x] no fraction", &ev),
                     PMT_PARSE_MALFORMED);
    assert_int_equal(parse(&o, "something else", &ev), PMT_PARSE_NOT_MINE);

    static const struct {
        const char *fmt, *value;
        int64_t t_ns;
    } tf[] = {
        {"%d/%b/%Y:%H:%M:%S %z", "08/Mar/2026:11:28:13 +0300", 1772958493000000000LL},
        {"%b %e %H:%M:%S %Y", "Mar  8 08:28:13 2026", 1772958493000000000LL},
        {"%s", "1772958493", 1772958493000000000LL},
        {"%FT%T%z", "2026-03-08T08:28:13Z", 1772958493000000000LL},
        {NULL, "2026-03-08T11:28:13.5+03:00", 1772958493500000000LL},
        {NULL, "1772958493.25", 1772958493250000000LL},
        {NULL, "08/Mar/2026:08:28:13 +0000", 1772958493000000000LL},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(tf); i++) {
        struct pmt_parser_opts to = {.pattern = "^\\[(?<time>[^\\]]+)\\] (?<message>.*)$",
                                     .time_format = tf[i].fmt};
        char line[128];
        snprintf(line, sizeof(line), "[%s] m", tf[i].value);
        enum pmt_parse_rc rc = parse(&to, line, &ev);
        if (rc != PMT_PARSE_EVENT || ev.t_ns != tf[i].t_ns) {
            fail_msg("%s with %s: rc %d, t %lld", tf[i].value, tf[i].fmt ? tf[i].fmt : "(auto)",
                     rc, (long long)ev.t_ns);
        }
    }
}

static void http_groups(void **state)
{
    (void)state;
    struct pmt_parser_opts o = {
        .pattern = "^(?<client>[\\d.]+) (?<time>\\S+) (?<status>\\d{3}) (?<method>[A-Z]+) "
                   "(?<path>\\S+)$"};
    struct pmt_event ev;
    assert_int_equal(parse(&o, "203.0.113.7 2026-03-08T08:28:13Z 503 GET /login", &ev),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.n[PMT_N_STATUS], 503);
    assert_int_equal(ev.severity, PMT_SEV_ERR);
    expect("client", ev.f[PMT_F_CLIENT], "203.0.113.7");
    expect("path", ev.f[PMT_F_PATH], "/login");
    expect("message (the whole line)", ev.f[PMT_F_MESSAGE],
           "203.0.113.7 2026-03-08T08:28:13Z 503 GET /login");
}

static void pattern_file_and_errors(void **state)
{
    (void)state;
    char err[300];
    struct pmt_parser_opts o = {.patterns_file = "samples/patterns.conf"};
    if (access(o.patterns_file, R_OK) != 0) {
        skip();
    }
    assert_int_equal(P->check(&o, err, sizeof(err)), 0);
    struct pmt_event ev;
    assert_int_equal(parse(&o, "2026-03-08 08:28:13,512 - payments.worker - WARNING - retry",
                           &ev),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.severity, PMT_SEV_WARNING);
    expect("program", ev.f[PMT_F_PROGRAM], "payments.worker");
    assert_int_equal(parse(&o, "203.0.113.7:51234 [08/Mar/2026:08:28:13.512] fe be/web-01 "
                               "0/0/1/-1/2 503 212 - - SC-- 1/1/0/0/0 0/0 \"GET /login HTTP/1.1\"",
                           &ev),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.n[PMT_N_STATUS], 503);

    static const struct {
        struct pmt_parser_opts o;
        const char *says;
    } bad[] = {
        {{.pattern = "(unclosed"}, "missing closing parenthesis"},
        {{.pattern = "(?<message>.*)"}, "no (?<time>...) group"},
        {{.time_format = "%Y"}, "--time-format goes with --pattern"},
        {{.patterns_file = "/nonexistent.conf"}, "cannot read it"},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        if (P->check(&bad[i].o, err, sizeof(err)) != -1 || !strstr(err, bad[i].says)) {
            fail_msg("case %zu: '%s'", i, err);
        }
    }
    char *path = tu_write("bad.conf", "[x]\nregex = oops\n", 16);
    struct pmt_parser_opts f = {.patterns_file = path};
    assert_int_equal(P->check(&f, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown key 'regex'"));
    free(path);
}

static int setup(void **state)
{
    (void)state;
    P = pmt_parsers[pmt_parser_find("pattern")];
    utc = pmt_zone_utc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct pmt_event ev;
    struct pmt_parser_opts none = {0};
    parse(&none, "", &ev); /* closes the last state */
    pmt_zone_free(utc);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(groups_and_time_formats),
        cmocka_unit_test(http_groups),
        cmocka_unit_test(pattern_file_and_errors),
    };
    int failed = cmocka_run_group_tests_name("pattern", tests, setup, teardown);
    tu_cleanup();
    return failed;
}
