/* nginx-access: built-in and custom log_formats, nginx.conf, refusals. (The corpus: test_corpus.) */
#include "testutil.h"

#include "pmt/parser.h"

static const struct pmt_parser *P;
static struct pmt_zone *utc;

static int setup(void **state)
{
    (void)state;
    P = pmt_parsers[pmt_parser_find("nginx-access")];
    utc = pmt_zone_utc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pmt_zone_free(utc);
    return 0;
}

/* Parses one line with the given options; returns the rc and fills ev (views into line). */
static enum pmt_parse_rc parse(const struct pmt_parser_opts *o, const char *line,
                               struct pmt_event *ev, void **st_out)
{
    static struct pmt_srctime t;
    static struct pmt_parse_ctx ctx;
    t = (struct pmt_srctime){.zone = utc, .ref_s = 1700000000};
    ctx = (struct pmt_parse_ctx){.time = &t, .source_name = "t", .opts = o};
    void *st = P->open(&ctx);
    pmt_event_clear(ev);
    enum pmt_parse_rc rc = P->parse_line(st, &ctx, pmt_str_make(line, strlen(line)), ev);
    *st_out = st;
    return rc;
}

static void expect(const char *row, const char *what, struct pmt_str s, const char *want)
{
    size_t n = want ? strlen(want) : 0;
    if (s.len != n || (n && memcmp(s.p, want, n) != 0)) {
        fail_msg("%s: %s is '%.*s', expected '%s'", row, what, (int)s.len, s.p ? s.p : "",
                 want ? want : "(none)");
    }
}

struct row {
    const char *name, *format, *line;
    int64_t t_ns;
    const char *client, *method, *path, *agent;
    int64_t status, bytes, req_us;
};

static const struct row rows[] = {
    {"combined", NULL,
     "203.0.113.7 - - [08/Feb/2023:03:00:01 +0300] \"GET /login?a=1 HTTP/1.1\" 502 157 \"-\" "
     "\"curl/7.88.1\"",
     1675814401000000000LL, "203.0.113.7", "GET", "/login?a=1", "curl/7.88.1", 502, 157, -1},
    {"main (x-forwarded-for)", NULL,
     "10.0.0.1 - bob [08/Feb/2023:03:00:01 +0000] \"POST /api HTTP/2.0\" 201 0 \"https://a/\" "
     "\"Mozilla/5.0 (X11)\" \"198.51.100.9\"",
     1675825201000000000LL, "10.0.0.1", "POST", "/api", "Mozilla/5.0 (X11)", 201, 0, -1},
    {"common (Apache)", NULL,
     "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
     971211336000000000LL, "127.0.0.1", "GET", "/apache_pb.gif", NULL, 200, 2326, -1},
    {"request '-' (lnav)", NULL,
     "10.1.10.51 - - [23/Dec/2014:21:20:35 +0000] \"-\" 400 0 \"-\" \"-\"",
     1419369635000000000LL, "10.1.10.51", NULL, NULL, NULL, 400, 0, -1},
    {"bytes '-' on 304", NULL,
     "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 304 - \"-\" \"UA\"",
     1431857103000000000LL, "83.149.9.216", "GET", "/x", "UA", 304, -1, -1},
    {"custom: iso time, request_time, upstream",
     "$remote_addr [$time_iso8601] \"$request\" $status rt=$request_time ua=\"$upstream_addr\" "
     "us=$upstream_status urt=$upstream_response_time",
     "203.0.113.7 [2026-03-08T08:28:12+03:00] \"GET /login HTTP/1.1\" 502 rt=0.004 "
     "ua=\"unix:/run/php/php8.2-fpm.sock\" us=502 urt=0.001, 0.003",
     1772947692000000000LL, "203.0.113.7", "GET", "/login", NULL, 502, -1, 4000},
    {"custom: msec, unbracketed", "$msec $remote_addr $status \"$request\"",
     "1675825201.250 192.0.2.1 200 \"HEAD / HTTP/1.1\"", 1675825201250000000LL, "192.0.2.1",
     "HEAD", "/", NULL, 200, -1, -1},
    {"custom: time_local not bracketed", "$time_local $remote_addr $status",
     "08/Feb/2023:03:00:01 +0000 192.0.2.1 200", 1675825201000000000LL, "192.0.2.1", NULL, NULL,
     NULL, 200, -1, -1},
    {"Apache usec fraction", NULL,
     "127.0.0.1 - - [21/Nov/2026:09:48:36.129337 +0530] \"GET / HTTP/1.1\" 200 38",
     1795234716129337000LL, "127.0.0.1", "GET", "/", NULL, 200, 38, -1},
};

static void formats(void **state)
{
    (void)state;
    for (size_t i = 0; i < PMT_ARRAY_LEN(rows); i++) {
        const struct row *r = &rows[i];
        struct pmt_parser_opts o = {.nginx_log_format = r->format};
        struct pmt_event ev;
        void *st;
        enum pmt_parse_rc rc = parse(&o, r->line, &ev, &st);
        if (rc != PMT_PARSE_EVENT) {
            fail_msg("%s: rc %d", r->name, rc);
        }
        if (ev.t_ns != r->t_ns) {
            fail_msg("%s: t_ns %lld, expected %lld", r->name, (long long)ev.t_ns,
                     (long long)r->t_ns);
        }
        expect(r->name, "client", ev.f[PMT_F_CLIENT], r->client);
        expect(r->name, "method", ev.f[PMT_F_METHOD], r->method);
        expect(r->name, "path", ev.f[PMT_F_PATH], r->path);
        expect(r->name, "user agent", ev.f[PMT_F_USER_AGENT], r->agent);
        expect(r->name, "program", ev.f[PMT_F_PROGRAM], "nginx");
        int64_t got[3] = {-1, -1, -1};
        for (int k = 0; k < 3; k++) {
            static const enum pmt_num which[] = {PMT_N_STATUS, PMT_N_BYTES, PMT_N_REQUEST_US};
            if (ev.nmask & (1u << which[k])) {
                got[k] = ev.n[which[k]];
            }
        }
        if (got[0] != r->status || got[1] != r->bytes || got[2] != r->req_us) {
            fail_msg("%s: status %lld bytes %lld request %lld us", r->name, (long long)got[0],
                     (long long)got[1], (long long)got[2]);
        }
        P->close(st);
    }
}

static void severity_follows_status_and_upstream_list(void **state)
{
    (void)state;
    struct pmt_parser_opts o = {.nginx_log_format = "[$time_local] $status $upstream_response_time"};
    struct pmt_event ev;
    void *st;
    assert_int_equal(parse(&o, "[08/Feb/2023:03:00:01 +0000] 503 0.010, 0.250", &ev, &st),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.severity, PMT_SEV_ERR);
    assert_int_equal(ev.n[PMT_N_UPSTREAM_US], 250000); /* the last try's time */
    P->close(st);
    assert_int_equal(parse(NULL, "1.2.3.4 - - [08/Feb/2023:03:00:01 +0000] \"GET / HTTP/1.1\" 404 1",
                           &ev, &st),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.severity, PMT_SEV_WARNING);
    P->close(st);
}

static void refusals(void **state)
{
    (void)state;
    static const struct {
        const char *name, *line;
        enum pmt_parse_rc rc;
    } bad[] = {
        {"syslog line", "Feb  8 03:00:01 web1 nginx[12]: upstream timed out", PMT_PARSE_NOT_MINE},
        {"error log line", "2023/02/08 03:00:01 [error] 12#12: *1 connect() failed",
         PMT_PARSE_NOT_MINE},
        {"status not a number", "1.2.3.4 - - [08/Feb/2023:03:00:01 +0000] \"GET /\" abc 1",
         PMT_PARSE_NOT_MINE},
        {"impossible date", "1.2.3.4 - - [30/Feb/2023:03:00:01 +0000] \"GET / HTTP/1.1\" 200 1",
         PMT_PARSE_MALFORMED},
        {"month name", "1.2.3.4 - - [08/Foo/2023:03:00:01 +0000] \"GET / HTTP/1.1\" 200 1",
         PMT_PARSE_MALFORMED},
        {"missing field (crowdsec fixture)",
         "192.168.1.1 - [08/Jun/2020:08:04:43 +0000] \"GET /api/test HTTP/1.1\" 200 1 \"-\" \"UA\"",
         PMT_PARSE_NOT_MINE},
        {"blank", "", PMT_PARSE_SKIP},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(bad); i++) {
        struct pmt_event ev;
        void *st;
        enum pmt_parse_rc rc = parse(NULL, bad[i].line, &ev, &st);
        P->close(st);
        if (rc != bad[i].rc) {
            fail_msg("%s: rc %d, expected %d", bad[i].name, rc, bad[i].rc);
        }
    }
}

static void formats_from_nginx_conf(void **state)
{
    (void)state;
    static const char conf[] =
        "http {\n"
        "    # log_format commented 'not $this';\n"
        "    log_format timed '$remote_addr - $remote_user [$time_iso8601] \"$request\" '\n"
        "                     '$status $body_bytes_sent rt=$request_time';\n"
        "    log_format js escape=json '{\"t\":\"$time_iso8601\",\"ua\":\"$http_user_agent\",'\n"
        "                              '\"s\":$status}';\n"
        "    access_log /var/log/nginx/access.log timed;\n"
        "}\n";
    char *path = tu_write("nginx.conf", conf, sizeof(conf) - 1);
    struct pmt_parser_opts o = {.nginx_conf = path};
    char err[300];
    assert_int_equal(P->check(&o, err, sizeof(err)), 0);
    struct pmt_event ev;
    void *st;
    assert_int_equal(parse(&o, "1.2.3.4 - - [2026-03-08T08:28:12+03:00] \"GET / HTTP/1.1\" 502 9 "
                               "rt=1.500",
                           &ev, &st),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.n[PMT_N_REQUEST_US], 1500000);
    P->close(st);
    /* escape=json: an escaped quote inside a value does not end it */
    assert_int_equal(parse(&o, "{\"t\":\"2026-03-08T08:28:12+03:00\",\"ua\":\"a \\\"quoted\\\" b\","
                               "\"s\":200}",
                           &ev, &st),
                     PMT_PARSE_EVENT);
    expect("escape=json", "user agent", ev.f[PMT_F_USER_AGENT], "a \\\"quoted\\\" b");
    P->close(st);
    /* by name: only that one, and a missing name is an error */
    o.nginx_log_name = "nosuch";
    assert_int_equal(P->check(&o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no log_format named 'nosuch'"));
    struct pmt_parser_opts bad = {.nginx_log_format = "$remote_addr $status"};
    assert_int_equal(P->check(&bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no time"));
    struct pmt_parser_opts glued = {.nginx_log_format = "$time_local$status"};
    assert_int_equal(P->check(&glued, err, sizeof(err)), -1);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats),
        cmocka_unit_test(severity_follows_status_and_upstream_list),
        cmocka_unit_test(refusals),
        cmocka_unit_test(formats_from_nginx_conf),
    };
    int failed = cmocka_run_group_tests_name("nginx", tests, setup, teardown);
    tu_cleanup();
    return failed;
}
