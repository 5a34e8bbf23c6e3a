/* The syslog parser: each shape, refusals, continuations, the time cache. */
#include "testutil.h"

#include "pmt/parser.h"

static const struct pmt_parser *P;

struct fixture {
    struct pmt_zone *utc;
    struct pmt_srctime t;
    struct pmt_parse_ctx ctx;
    void *st;
};

static struct fixture fx;

static int setup(void **state)
{
    (void)state;
    int idx = pmt_parser_find("syslog");
    assert_true(idx >= 0);
    P = pmt_parsers[idx];
    fx.utc = pmt_zone_utc();
    /* reference: 2023-06-15T12:00:00Z */
    fx.t = (struct pmt_srctime){.zone = fx.utc, .ref_s = 1686830400};
    fx.ctx = (struct pmt_parse_ctx){.time = &fx.t, .source_name = "t"};
    fx.st = P->open(&fx.ctx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    P->close(fx.st);
    pmt_zone_free(fx.utc);
    return 0;
}

static enum pmt_parse_rc parse(const char *line, struct pmt_event *ev)
{
    pmt_event_clear(ev);
    return P->parse_line(fx.st, &fx.ctx, pmt_str_make(line, strlen(line)), ev);
}

static void check_field(const char *row, const char *what, struct pmt_str got, const char *want)
{
    if (!want) {
        if (got.len != 0) {
            fail_msg("%s: %s: expected none, got '%.*s'", row, what, (int)got.len, got.p);
        }
        return;
    }
    if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0) {
        fail_msg("%s: %s: expected '%s', got '%.*s'", row, what, want, (int)got.len,
                 got.p ? got.p : "");
    }
}

struct row {
    const char *name;
    const char *line;
    int64_t t_ns;
    int32_t off;
    int sev;
    uint16_t flags;
    const char *host, *program, *pid, *msgid, *sd, *message;
};

/* 2023-02-08T03:00:01Z = 1675825201 */
#define T0 1675825201LL

static const struct row rows[] = {
    {"3164 padded day", "Feb  8 03:00:01 web1 nginx[12]: upstream timed out", T0 * 1000000000LL,
     0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "web1", "nginx", "12", NULL,
     NULL, "upstream timed out"},
    {"3164 with PRI", "<11>Feb  8 03:00:01 web1 app: boom", T0 * 1000000000LL, 0, PMT_SEV_ERR,
     PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "web1", "app", NULL, NULL, NULL, "boom"},
    {"3164 unpadded day, fraction", "Feb 8 03:00:01.250 h kernel: [ 1.0] x",
     T0 * 1000000000LL + 250000000, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED,
     "h", "kernel", NULL, NULL, NULL, "[ 1.0] x"},
    {"3164 no host", "Feb  8 03:00:01 sshd[7]: Accepted", T0 * 1000000000LL, 0, PMT_SEV_NONE,
     PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, NULL, "sshd", "7", NULL, NULL, "Accepted"},
    {"3164 tag without colon, as rsyslog writes it", "Feb  8 03:00:01 hostname log_tag this is debug",
     T0 * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "hostname",
     "log_tag", NULL, NULL, NULL, "this is debug"},
    {"3164 tag with pid, no colon", "Feb  8 03:00:01 web-01 systemd[1] Started nginx.service",
     T0 * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "web-01",
     "systemd", "1", NULL, NULL, "Started nginx.service"},
    {"3164 repeated-message line has no tag", "Feb  8 03:00:01 h --- last message repeated 5 times ---",
     T0 * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "h", NULL,
     NULL, NULL, NULL, "--- last message repeated 5 times ---"},
    {"3164 IP host, paren tag", "Feb  8 03:00:01 192.168.4.2 sshd(pam_unix)[99]: session opened",
     T0 * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "192.168.4.2",
     "sshd(pam_unix)", "99", NULL, NULL, "session opened"},
    {"3164 year-less in the future goes back a year", "Dec 31 23:59:59 h p: m",
     1672531199LL * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_YEAR_ASSUMED | PMT_EV_ZONE_ASSUMED, "h",
     "p", NULL, NULL, NULL, "m"},
    {"rsyslog ISO", "2023-02-08T03:00:01.123456+03:00 web1 app[12]: msg",
     (T0 - 3 * 3600) * 1000000000LL + 123456000, 3 * 3600, PMT_SEV_NONE, 0, "web1", "app", "12",
     NULL, NULL, "msg"},
    {"rsyslog ISO Z, 9 digits", "2023-02-08T03:00:01.123456789Z h p: m",
     T0 * 1000000000LL + 123456789, 0, PMT_SEV_NONE, 0, "h", "p", NULL, NULL, NULL, "m"},
    {"ISO without zone", "2023-02-08T03:00:01 localhost sudo: pam_unix(sudo-i:session): opened",
     T0 * 1000000000LL, 0, PMT_SEV_NONE, PMT_EV_ZONE_ASSUMED, "localhost", "sudo", NULL, NULL,
     NULL, "pam_unix(sudo-i:session): opened"},
    {"ISO compact offset", "1986-04-26T01:23:45.101+0400 rmbk shutdown[2649]: halt",
     (514862625LL - 4 * 3600) * 1000000000LL + 101000000, 4 * 3600, PMT_SEV_NONE, 0, "rmbk",
     "shutdown", "2649", NULL, NULL, "halt"},
    {"ChromeOS severity in host slot", "2016-10-25T12:37:23.297265-07:00 INFO sched[13707]: done",
     1477424243297265000LL, -7 * 3600, PMT_SEV_INFO, 0, NULL, "sched", "13707", NULL, NULL,
     "done"},
    {"RFC 5424 full", "<34>1 2023-02-08T03:00:01.123+03:00 web1 app 123 ID47 [ex@1 a=\"x\\]y\"] msg",
     (T0 - 3 * 3600) * 1000000000LL + 123000000, 3 * 3600, PMT_SEV_CRIT, 0, "web1", "app", "123",
     "ID47", "[ex@1 a=\"x\\]y\"]", "msg"},
    {"RFC 5424 nil values, two spaces", "<15>1 2021-03-06T04:07:38.251122+00:00 hostname log_tag - 123 -  this is debug",
     1615003658251122000LL, 0, PMT_SEV_DEBUG, 0, "hostname", "log_tag", NULL, "123", NULL,
     "this is debug"},
    {"RFC 5424 BOM", "<13>1 2023-02-08T03:00:01Z - - - - - \xEF\xBB\xBFhi", T0 * 1000000000LL, 0,
     PMT_SEV_NOTICE, 0, NULL, NULL, NULL, NULL, NULL, "hi"},
    {"RFC 5424 without PRI, SD", "2022-08-27T14:22:01.613Z space01 NSX 3106 - [abc@6876 comp=\"e\"] keep-alive",
     1661610121613000000LL, 0, PMT_SEV_NONE, 0, "space01", "NSX", "3106", NULL,
     "[abc@6876 comp=\"e\"]", "keep-alive"},
    {"RFC 5424 without PRI, nil SD", "2022-08-27T17:22:01.694554+03:00 space01 CRON 20856 - -  (root) CMD",
     1661610121694554000LL, 3 * 3600, PMT_SEV_NONE, 0, "space01", "CRON", "20856", NULL, NULL,
     "(root) CMD"},
    {"rsyslog message repeated", "2020-05-31T00:00:45.698463+00:00 localhost rsyslogd:  message repeated 76 times: [-- MARK --]",
     1590883245698463000LL, 0, PMT_SEV_NONE, 0, "localhost", "rsyslogd", NULL, NULL, NULL,
     "message repeated 76 times: [-- MARK --]"},
};

static void shapes(void **state)
{
    (void)state;
    for (size_t i = 0; i < PMT_ARRAY_LEN(rows); i++) {
        const struct row *r = &rows[i];
        struct pmt_event ev;
        enum pmt_parse_rc rc = parse(r->line, &ev);
        if (rc != PMT_PARSE_EVENT) {
            fail_msg("%s: rc %d (%s)", r->name, rc, fx.ctx.why ? fx.ctx.why : "");
        }
        if (ev.t_ns != r->t_ns) {
            fail_msg("%s: t_ns %lld, expected %lld", r->name, (long long)ev.t_ns,
                     (long long)r->t_ns);
        }
        if (ev.off_s != r->off) {
            fail_msg("%s: offset %d, expected %d", r->name, ev.off_s, r->off);
        }
        if (ev.severity != r->sev) {
            fail_msg("%s: severity %d, expected %d", r->name, ev.severity, r->sev);
        }
        if (ev.flags != r->flags) {
            fail_msg("%s: flags %u, expected %u", r->name, ev.flags, r->flags);
        }
        check_field(r->name, "host", ev.f[PMT_F_HOST], r->host);
        check_field(r->name, "program", ev.f[PMT_F_PROGRAM], r->program);
        check_field(r->name, "pid", ev.f[PMT_F_PID], r->pid);
        check_field(r->name, "msgid", ev.f[PMT_F_MSGID], r->msgid);
        check_field(r->name, "sd", ev.f[PMT_F_SD], r->sd);
        check_field(r->name, "message", ev.f[PMT_F_MESSAGE], r->message);
    }
}

static const struct {
    const char *name;
    const char *line;
    enum pmt_parse_rc rc;
} refusals[] = {
    {"nginx access line", "127.0.0.1 - - [08/Feb/2023:03:00:01 +0000] \"GET / HTTP/1.1\" 200 5",
     PMT_PARSE_NOT_MINE},
    {"nginx error line", "2023/02/08 03:00:01 [error] 12#12: *1 connect() failed",
     PMT_PARSE_NOT_MINE},
    {"bad month", "MMM 22 23:01:18 h p: m", PMT_PARSE_NOT_MINE},
    {"impossible date", "Feb 30 03:00:01 h p: m", PMT_PARSE_MALFORMED},
    {"hour 25", "2023-02-08T25:00:01Z h p: m", PMT_PARSE_MALFORMED},
    {"year past int64 nanoseconds", "9999-02-08T03:00:01Z h p: m", PMT_PARSE_MALFORMED},
    {"year before them", "1066-10-14T09:00:00Z h p: m", PMT_PARSE_MALFORMED},
    {"PRI then junk", "<13>hello world", PMT_PARSE_MALFORMED},
    {"PRI too large", "<999>1 2023-02-08T03:00:01Z h a - - - m", PMT_PARSE_NOT_MINE},
    {"5424 nil timestamp", "<13>1 - h a - - - m", PMT_PARSE_MALFORMED},
    {"5424 unterminated SD", "<13>1 2023-02-08T03:00:01Z h a - - [x a=\"1\" m",
     PMT_PARSE_MALFORMED},
    {"binary junk", "\x01\x02\x7f\xfe\xff", PMT_PARSE_NOT_MINE},
    {"stamp glued to text", "Feb  8 03:00:01x h p: m", PMT_PARSE_NOT_MINE},
    {"empty", "", PMT_PARSE_SKIP},
    {"only spaces", "   \t ", PMT_PARSE_SKIP},
    {"tab continuation", "\tASL Module claims messages", PMT_PARSE_CONTINUE},
    {"rsyslog embedded newline", "with another line", PMT_PARSE_CONTINUE},
    {"broken stamp is not a continuation", "Mar 23 Wrong line that should not get through",
     PMT_PARSE_NOT_MINE},
    {"control bytes are not a continuation", "junk \x01\x02 here", PMT_PARSE_NOT_MINE},
};

static void refuses_what_is_not_syslog(void **state)
{
    (void)state;
    for (size_t i = 0; i < PMT_ARRAY_LEN(refusals); i++) {
        struct pmt_event ev;
        enum pmt_parse_rc rc = parse(refusals[i].line, &ev);
        if (rc != refusals[i].rc) {
            fail_msg("%s: rc %d, expected %d", refusals[i].name, rc, refusals[i].rc);
        }
    }
}

static void puppet_runs_in_syslog(void **state)
{
    (void)state;
    struct pmt_event ev;
    pmt_event_clear(&ev);
    const char *a = "Feb  8 03:00:01 web-01 puppet-agent[4780]: Applied catalog in 19.16 seconds";
    assert_int_equal(P->parse_line(fx.st, &fx.ctx, pmt_str_make(a, strlen(a)), &ev),
                     PMT_PARSE_EVENT);
    assert_true(ev.flags & PMT_EV_CONFIG_RUN);
    pmt_event_clear(&ev);
    const char *b = "Feb  8 03:00:02 web-01 puppet-agent[4780]: Caching catalog for web-01";
    assert_int_equal(P->parse_line(fx.st, &fx.ctx, pmt_str_make(b, strlen(b)), &ev),
                     PMT_PARSE_EVENT);
    assert_false(ev.flags & PMT_EV_CONFIG_RUN);
}

static void nul_inside_message(void **state)
{
    (void)state;
    static const char line[] = "Feb  8 03:00:01 h p: a\0b";
    struct pmt_event ev;
    pmt_event_clear(&ev);
    assert_int_equal(P->parse_line(fx.st, &fx.ctx, pmt_str_make(line, sizeof(line) - 1), &ev),
                     PMT_PARSE_EVENT);
    assert_int_equal(ev.f[PMT_F_MESSAGE].len, 3);
}

/* The per-second cache must key on the whole stamp minus its fraction, zone included. */
static void cache_keys_on_zone_and_fraction(void **state)
{
    (void)state;
    struct pmt_event a, b, c;
    assert_int_equal(parse("2023-02-08T03:00:01.100+03:00 h p: m", &a), PMT_PARSE_EVENT);
    assert_int_equal(parse("2023-02-08T03:00:01.200+03:00 h p: m", &b), PMT_PARSE_EVENT);
    assert_int_equal(parse("2023-02-08T03:00:01.200Z h p: m", &c), PMT_PARSE_EVENT);
    assert_int_equal(b.t_ns - a.t_ns, 100000000);
    assert_int_equal(c.t_ns - b.t_ns, 3LL * 3600 * 1000000000LL);
    assert_int_equal(c.off_s, 0);
}

static void forced_year(void **state)
{
    (void)state;
    struct pmt_event ev;
    fx.t.forced_year = 2019;
    void *st = P->open(&fx.ctx); /* a fresh cache: the stamp was seen with the inferred year */
    pmt_event_clear(&ev);
    const char *line = "Feb  8 03:00:01 h p: m";
    assert_int_equal(P->parse_line(st, &fx.ctx, pmt_str_make(line, strlen(line)), &ev),
                     PMT_PARSE_EVENT);
    P->close(st);
    fx.t.forced_year = 0;
    assert_int_equal(ev.t_ns, 1549594801LL * 1000000000LL); /* 2019-02-08T03:00:01Z */
}

static void probe_scores(void **state)
{
    (void)state;
    struct pmt_str good[] = {
        pmt_str_make("Feb  8 03:00:01 h p: m", 22),
        pmt_str_make("\tcontinued", 10),
        pmt_str_make("<13>1 2023-02-08T03:00:01Z h a - - - m", 39),
    };
    struct pmt_str bad[] = {
        pmt_str_make("hello", 5),
        pmt_str_make("127.0.0.1 - - [08/Feb/2023:03:00:01 +0000] \"GET /\" 200 5", 56),
    };
    assert_int_equal(P->probe(NULL, good, 3), 100);
    assert_int_equal(P->probe(NULL, bad, 2), 0);
    assert_int_equal(P->probe(NULL, good, 0), 0);
    int score;
    assert_int_equal(pmt_parser_detect(NULL, good, 3, &score), pmt_parser_find("syslog"));
    /* the access line is nginx-access's, the other nobody's */
    assert_int_equal(pmt_parser_detect(NULL, bad, 2, &score), pmt_parser_find("nginx-access"));
    assert_int_equal(pmt_parser_detect(NULL, bad, 1, &score), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapes),
        cmocka_unit_test(refuses_what_is_not_syslog),
        cmocka_unit_test(puppet_runs_in_syslog),
        cmocka_unit_test(nul_inside_message),
        cmocka_unit_test(cache_keys_on_zone_and_fraction),
        cmocka_unit_test(forced_year),
        cmocka_unit_test(probe_scores),
    };
    return cmocka_run_group_tests_name("syslog", tests, setup, teardown);
}
