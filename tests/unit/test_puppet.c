/* Puppet: reports in YAML and JSON say the same thing; log files; resources named shortly. */
#include "testutil.h"

#include "pmt/evbuf.h"
#include "pmt/parser.h"

static const struct pmt_parser *P;
static struct pmt_zone *utc;

struct got {
    size_t n;
    char text[16][512];
    int sev[16];
    int64_t t[16];
};

static int collect(void *arg, struct pmt_event *ev)
{
    struct got *g = arg;
    if (g->n < 16) {
        snprintf(g->text[g->n], sizeof(g->text[0]), "%.*s|%.*s|%.*s",
                 (int)ev->f[PMT_F_HOST].len, ev->f[PMT_F_HOST].p ? ev->f[PMT_F_HOST].p : "",
                 (int)ev->f[PMT_F_PROGRAM].len,
                 ev->f[PMT_F_PROGRAM].p ? ev->f[PMT_F_PROGRAM].p : "",
                 (int)ev->f[PMT_F_MESSAGE].len,
                 ev->f[PMT_F_MESSAGE].p ? ev->f[PMT_F_MESSAGE].p : "");
        g->sev[g->n] = ev->severity;
        g->t[g->n] = ev->t_ns;
    }
    g->n++;
    return 0;
}

static int doc(const char *text, struct got *g)
{
    struct pmt_srctime t = {.zone = utc, .ref_s = 1700000000};
    struct pmt_parse_ctx ctx = {.time = &t, .source_name = "t"};
    void *st = P->open(&ctx);
    memset(g, 0, sizeof(*g));
    int rc = P->parse_doc(st, &ctx, text, strlen(text), collect, g);
    P->close(st);
    return rc;
}

static const char yaml_report[] =
    "--- !ruby/object:Puppet::Transaction::Report\n"
    "host: web-01\n"
    "time: '2026-03-08T08:25:00.123456789+03:00'\n"
    "configuration_version: 1772947500\n"
    "status: failed\n"
    "logs:\n"
    "- level: info\n  message: Applying configuration version '1772947500'\n"
    "  source: Puppet\n  time: '2026-03-08T08:25:00.2+03:00'\n"
    "- level: notice\n  message: content changed '{sha256}3f1c0a' to '{sha256}9be2d4'\n"
    "  source: \"/Stage[main]/Php::Fpm/File[/etc/php/8.2/fpm/pool.d/www.conf]/content\"\n"
    "  time: '2026-03-08T08:25:01+03:00'\n"
    "- level: :err\n  message: \"'/usr/sbin/php-fpm8.2 -t' returned 78 instead of one of [0]\"\n"
    "  source: /Stage[main]/Php::Fpm/Exec[reload-php-fpm]/returns\n"
    "  time: '2026-03-08T08:25:03+03:00'\n"
    "metrics:\n"
    "  resources:\n    name: resources\n    values:\n"
    "    - - changed\n      - Changed\n      - 3\n"
    "    - - failed\n      - Failed\n      - 1\n"
    "  time:\n    values:\n    - - total\n      - Total\n      - 4.21\n"
    "resource_statuses:\n"
    "  File[/etc/php/8.2/fpm/pool.d/www.conf]:\n    failed: false\n    changed: true\n"
    "  Exec[reload-php-fpm]:\n    failed: true\n    changed: false\n";

static const char json_report[] =
    "{\"host\":\"web-01\",\"time\":\"2026-03-08T08:25:00.123456789+03:00\","
    "\"configuration_version\":1772947500,\"status\":\"failed\","
    "\"logs\":[{\"level\":\"info\",\"message\":\"Applying configuration version\","
    "\"source\":\"Puppet\",\"time\":\"2026-03-08T08:25:00.2+03:00\"},"
    "{\"level\":\"notice\",\"message\":\"content changed '{sha256}3f1c0a' to '{sha256}9be2d4'\","
    "\"source\":\"/Stage[main]/Php::Fpm/File[/etc/php/8.2/fpm/pool.d/www.conf]/content\","
    "\"time\":\"2026-03-08T08:25:01+03:00\"},"
    "{\"level\":\"err\",\"message\":\"'/usr/sbin/php-fpm8.2 -t' returned 78 instead of one of [0]\","
    "\"source\":\"/Stage[main]/Php::Fpm/Exec[reload-php-fpm]/returns\","
    "\"time\":\"2026-03-08T08:25:03+03:00\"}],"
    "\"metrics\":{\"resources\":{\"values\":[[\"changed\",\"Changed\",3],[\"failed\",\"Failed\",1]]},"
    "\"time\":{\"values\":[[\"total\",\"Total\",4.21]]}},"
    "\"resource_statuses\":{\"File[/etc/php/8.2/fpm/pool.d/www.conf]\":{\"failed\":false},"
    "\"Exec[reload-php-fpm]\":{\"failed\":true}}}";

static void yaml_and_json_reports_agree(void **state)
{
    (void)state;
    struct got y, j;
    assert_int_equal(doc(yaml_report, &y), 3);
    assert_int_equal(doc(json_report, &j), 3);
    static const char *const want[] = {
        "web-01|puppet|puppet run failed: 3 changed, 1 failed (Exec[reload-php-fpm]) in 4.21 s, "
        "configuration 1772947500",
        "web-01|File[/etc/php/8.2/fpm/pool.d/www.conf]|content changed '{sha256}3f1c0a' to "
        "'{sha256}9be2d4'",
        "web-01|Exec[reload-php-fpm]|'/usr/sbin/php-fpm8.2 -t' returned 78 instead of one of [0]",
    };
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(y.text[i], want[i]) != 0) {
            fail_msg("yaml event %zu: '%s'", i, y.text[i]);
        }
        if (strcmp(j.text[i], want[i]) != 0) {
            fail_msg("json event %zu: '%s'", i, j.text[i]);
        }
        assert_int_equal(y.t[i], j.t[i]);
        assert_int_equal(y.sev[i], j.sev[i]);
    }
    assert_int_equal(y.t[0], 1772947500123456789LL); /* nanoseconds kept */
    assert_int_equal(y.sev[0], PMT_SEV_ERR);
    assert_int_equal(y.sev[1], PMT_SEV_NOTICE);
    assert_int_equal(y.sev[2], PMT_SEV_ERR); /* ":err", the Ruby symbol spelling */
}

static void broken_documents_are_reported(void **state)
{
    (void)state;
    struct got g;
    assert_int_equal(doc("--- !ruby/object:Puppet::Transaction::Report\nhost: [unclosed\n", &g), -1);
    assert_int_equal(doc("{\"host\": \"x\", \"time\": ", &g), -1);
    assert_int_equal(doc("{\"host\": \"x\"}", &g), -1); /* no time: nothing to place */
}

static void log_file_lines(void **state)
{
    (void)state;
    struct pmt_srctime t = {.zone = utc, .ref_s = 1700000000};
    struct pmt_parse_ctx ctx = {.time = &t, .source_name = "t"};
    void *st = P->open(&ctx);
    static const struct {
        const char *line;
        enum pmt_parse_rc rc;
        int sev;
        const char *program;
    } rows[] = {
        {"2026-11-20 23:18:43 -0500 Facter (err): Permission denied", PMT_PARSE_EVENT,
         PMT_SEV_ERR, "Facter"},
        {"2026-11-20 23:18:44 -0500 /Stage[main]/Main/Exec[check-backend]/returns (notice): x",
         PMT_PARSE_EVENT, PMT_SEV_NOTICE, "Exec[check-backend]"},
        {"{\"level\":\"warning\",\"message\":\"m\",\"source\":\"Puppet\","
         "\"time\":\"2026-11-20T23:18:43.888784946-05:00\"}",
         PMT_PARSE_EVENT, PMT_SEV_WARNING, "Puppet"},
        {"[", PMT_PARSE_SKIP, 0, NULL},
        {",", PMT_PARSE_SKIP, 0, NULL},
        {"Feb  8 03:00:01 web1 nginx[12]: not puppet", PMT_PARSE_NOT_MINE, 0, NULL},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(rows); i++) {
        struct pmt_event ev;
        pmt_event_clear(&ev);
        enum pmt_parse_rc rc =
            P->parse_line(st, &ctx, pmt_str_make(rows[i].line, strlen(rows[i].line)), &ev);
        if (rc != rows[i].rc) {
            fail_msg("row %zu: rc %d", i, rc);
        }
        if (rc == PMT_PARSE_EVENT) {
            assert_int_equal(ev.severity, rows[i].sev);
            struct pmt_str pr = ev.f[PMT_F_PROGRAM];
            if (pr.len != strlen(rows[i].program) || memcmp(pr.p, rows[i].program, pr.len)) {
                fail_msg("row %zu: program '%.*s'", i, (int)pr.len, pr.p);
            }
        }
    }
    P->close(st);
}

static int setup(void **state)
{
    (void)state;
    P = pmt_parsers[pmt_parser_find("puppet")];
    utc = pmt_zone_utc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pmt_zone_free(utc);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_and_json_reports_agree),
        cmocka_unit_test(broken_documents_are_reported),
        cmocka_unit_test(log_file_lines),
    };
    return cmocka_run_group_tests_name("puppet", tests, setup, teardown);
}
