/* nginx-error and apache-error: levels, trailers, both Apache shapes, raw bytes, refusals. */
#include "testutil.h"

#include "pmt/parser.h"

static struct pmt_zone *utc;

static int setup(void **state)
{
    (void)state;
    utc = pmt_zone_utc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pmt_zone_free(utc);
    return 0;
}

static enum pmt_parse_rc parse(const char *parser, const char *line, size_t len,
                               struct pmt_event *ev)
{
    static struct pmt_srctime t;
    static struct pmt_parse_ctx ctx;
    t = (struct pmt_srctime){.zone = utc, .zone_given = 1, .ref_s = 1700000000};
    ctx = (struct pmt_parse_ctx){.time = &t, .source_name = "t"};
    const struct pmt_parser *p = pmt_parsers[pmt_parser_find(parser)];
    void *st = p->open(&ctx);
    pmt_event_clear(ev);
    enum pmt_parse_rc rc = p->parse_line(st, &ctx, pmt_str_make(line, len), ev);
    p->close(st);
    return rc;
}

static void expect(const char *what, struct pmt_str s, const char *want)
{
    size_t n = want ? strlen(want) : 0;
    if (s.len != n || (n && memcmp(s.p, want, n) != 0)) {
        fail_msg("%s is '%.*s', expected '%s'", what, (int)s.len, s.p ? s.p : "",
                 want ? want : "(none)");
    }
}

static void nginx_error_fields(void **state)
{
    (void)state;
    static const char line[] =
        "2026/03/08 08:28:12 [error] 1201#1201: *1 connect() to unix:/run/php/php8.2-fpm.sock "
        "failed (2: No such file or directory) while connecting to upstream, client: "
        "203.0.113.7, server: shop.example.com, request: \"GET /login HTTP/1.1\", upstream: "
        "\"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop.example.com\"";
    struct pmt_event ev;
    assert_int_equal(parse("nginx-error", line, sizeof(line) - 1, &ev), PMT_PARSE_EVENT);
    assert_int_equal(ev.t_ns, 1772958492LL * 1000000000LL); /* zone given: UTC */
    assert_int_equal(ev.severity, PMT_SEV_ERR);
    expect("pid", ev.f[PMT_F_PID], "1201");
    expect("client", ev.f[PMT_F_CLIENT], "203.0.113.7");
    expect("method", ev.f[PMT_F_METHOD], "GET");
    expect("path", ev.f[PMT_F_PATH], "/login");
    expect("upstream", ev.f[PMT_F_UPSTREAM], "fastcgi://unix:/run/php/php8.2-fpm.sock:");
    expect("vhost", ev.f[PMT_F_VHOST], "shop.example.com");
    assert_int_equal(ev.f[PMT_F_MESSAGE].p[0], '*');
}

static void nginx_error_levels_and_raw_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *level;
        int sev;
    } lv[] = {{"debug", PMT_SEV_DEBUG}, {"info", PMT_SEV_INFO},   {"notice", PMT_SEV_NOTICE},
              {"warn", PMT_SEV_WARNING}, {"error", PMT_SEV_ERR},  {"crit", PMT_SEV_CRIT},
              {"alert", PMT_SEV_ALERT}, {"emerg", PMT_SEV_EMERG}};
    for (size_t i = 0; i < PMT_ARRAY_LEN(lv); i++) {
        char line[128];
        int n = snprintf(line, sizeof(line), "2026/03/08 08:28:12 [%s] 7#7: msg", lv[i].level);
        struct pmt_event ev;
        assert_int_equal(parse("nginx-error", line, (size_t)n, &ev), PMT_PARSE_EVENT);
        if (ev.severity != lv[i].sev) {
            fail_msg("[%s]: severity %d", lv[i].level, ev.severity);
        }
    }
    /* a client sent bytes nginx logged raw, NUL included */
    static const char raw[] = "2026/03/08 08:28:12 [info] 7#7: *3 client sent invalid header "
                              "line: \"X-\0\xff\x1b[2J\" while reading client request headers";
    struct pmt_event ev;
    assert_int_equal(parse("nginx-error", raw, sizeof(raw) - 1, &ev), PMT_PARSE_EVENT);
    assert_int_equal(ev.f[PMT_F_MESSAGE].len, sizeof(raw) - 1 - (size_t)(strchr(raw, '*') - raw));
    struct pmt_event c;
    assert_int_equal(parse("nginx-error", "PHP message: PHP Warning: x", 27, &c),
                     PMT_PARSE_CONTINUE);
    assert_int_equal(parse("nginx-error", "2026/03/08 08:28:12 [loud] 7#7: x", 33, &c),
                     PMT_PARSE_NOT_MINE);
    assert_int_equal(parse("nginx-error", "2026/02/30 08:28:12 [info] 7#7: x", 33, &c),
                     PMT_PARSE_MALFORMED);
}

static void apache_error_shapes(void **state)
{
    (void)state;
    struct pmt_event ev;
    static const char v24[] = "[Sat Nov 21 09:49:20.205801 2026] [core:info] [pid 15867:tid "
                              "15874] [client 127.0.0.1:39308] AH00128: File does not exist";
    assert_int_equal(parse("apache-error", v24, sizeof(v24) - 1, &ev), PMT_PARSE_EVENT);
    assert_int_equal(ev.t_ns, 1795254560205801000LL);
    assert_int_equal(ev.severity, PMT_SEV_INFO);
    expect("module", ev.f[PMT_F_PROGRAM], "core");
    expect("pid", ev.f[PMT_F_PID], "15867");
    expect("client", ev.f[PMT_F_CLIENT], "127.0.0.1:39308");
    expect("message", ev.f[PMT_F_MESSAGE], "AH00128: File does not exist");
    static const char v22[] = "[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] mod_jk child "
                              "workerEnv in error state 6";
    assert_int_equal(parse("apache-error", v22, sizeof(v22) - 1, &ev), PMT_PARSE_EVENT);
    assert_int_equal(ev.t_ns, 1133671664LL * 1000000000LL);
    assert_int_equal(ev.severity, PMT_SEV_ERR);
    expect("program", ev.f[PMT_F_PROGRAM], "apache");
    expect("client", ev.f[PMT_F_CLIENT], "1.2.3.4");
    static const char trace[] = "[Sun Dec 04 04:47:44 2005] [http:trace3] [pid 1] [x] y";
    assert_int_equal(parse("apache-error", trace, sizeof(trace) - 1, &ev), PMT_PARSE_EVENT);
    assert_int_equal(ev.severity, PMT_SEV_DEBUG);
    expect("message keeps its brackets", ev.f[PMT_F_MESSAGE], "[x] y");
    assert_int_equal(parse("apache-error", "[Sun Foo 04 04:47:44 2005] [error] x", 36, &ev),
                     PMT_PARSE_NOT_MINE);
    assert_int_equal(parse("apache-error", "[Sun Dec 04 04:47:44 2005] [shouting] x", 39, &ev),
                     PMT_PARSE_NOT_MINE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nginx_error_fields),
        cmocka_unit_test(nginx_error_levels_and_raw_bytes),
        cmocka_unit_test(apache_error_shapes),
    };
    return cmocka_run_group_tests_name("errlogs", tests, setup, teardown);
}
