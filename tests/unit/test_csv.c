/* CSV: header columns, delimiters, quoted newlines, time shapes, and what is refused. */
#include "testutil.h"

#include "pmt/run.h"

struct result {
    int rc;
    char *out, *err;
};

static struct result run_csv(const char *name, const char *text, const char *tcol)
{
    struct result r;
    char *path = tu_write(name, text, strlen(text));
    const char *paths[] = {path};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1, .output = PMT_OUT_JSON,
                         .tz = "+03:00"};
    o.parser.csv_time = tcol;
    char out[600];
    snprintf(out, sizeof(out), "%s/out.json", tu_tmpdir());
    int fd = open(out, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    size_t elen;
    FILE *ef = open_memstream(&r.err, &elen);
    r.rc = pmt_run(&o, fd, ef);
    fclose(ef);
    close(fd);
    r.out = tu_slurp(out, NULL);
    free(path);
    return r;
}

static void alerts_export(void **state)
{
    (void)state;
    struct result r = run_csv(
        "alerts.csv",
        "time,host,severity,message\n"
        "2026-03-08 08:32:40,web-01,critical,\"SiteDown: /login returns 502\"\n"
        "2026-03-08T08:40:00Z,web-01,warning,\"a note, with a comma\nand a second line\"\n"
        "1772948500,mon-01,info,epoch seconds\n"
        "1772948600123,mon-01,info,epoch milliseconds\n"
        "\n"
        "2026/03/08 09:21:05,mon-01,notice,RESOLVED\n"
        "not a time,x,info,bad row\n",
        NULL);
    assert_int_equal(r.rc, 0);
    /* zone-less stamps read in the output zone; offsets and epochs exact */
    assert_non_null(strstr(r.out, "\"time\":\"2026-03-08T08:32:40+03:00\",\"epoch_ns\":1772947960000000000,\"source\""));
    assert_non_null(strstr(r.out, "\"line\":2,\"format\":\"csv\",\"host\":\"web-01\""));
    assert_non_null(strstr(r.out, "\"severity\":\"crit\""));
    assert_non_null(strstr(r.out, "\"epoch_ns\":1772959200000000000,\"source\""));
    assert_non_null(strstr(r.out, "\"line\":3,")); /* the record that spans lines 3-4 */
    assert_non_null(strstr(r.out, "\"message\":\"a note, with a comma\\nand a second line\""));
    assert_non_null(strstr(r.out, "\"epoch_ns\":1772948500000000000,"));
    assert_non_null(strstr(r.out, "\"epoch_ns\":1772948600123000000,"));
    assert_non_null(strstr(r.out, "\"time\":\"2026-03-08T09:21:05+03:00\""));
    /* 9 lines: the header, 5 records (one on two lines), a blank line, a bad row */
    assert_non_null(strstr(r.err, "9 lines, 5 events (+1 continuation lines), 2 skipped "
                                  "(blank, header), 1 unparsed (first at line 9"));
    free(r.out);
    free(r.err);
}

static void semicolons_no_message_column_and_forced_time(void **state)
{
    (void)state;
    struct result r = run_csv("notes.csv",
                              "When it happened;Who;What\n2026-03-08 08:45:00;alice;restarted "
                              "php-fpm\n",
                              "When it happened");
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "\"message\":\"Who=alice What=restarted php-fpm\""));
    free(r.out);
    free(r.err);
    r = run_csv("n2.csv", "a,b,c\n2026-03-08 08:45:00,x,y\n", "1"); /* by column number */
    assert_non_null(strstr(r.out, "\"message\":\"b=x c=y\""));
    free(r.out);
    free(r.err);
}

static void refusals(void **state)
{
    (void)state;
    /* no time column, and none named: not read as CSV (detection) */
    struct result r = run_csv("plain.csv", "name,age\nalice,30\n", NULL);
    assert_non_null(strstr(r.err, "format not recognised"));
    free(r.out);
    free(r.err);
    /* a quote never closed: the record's lines are counted, not lost */
    r = run_csv("open.csv", "time,message\n2026-03-08 08:45:00,\"never closed\nstill open\n",
                NULL);
    assert_non_null(strstr(r.err, "3 lines, 1 events (+1 continuation lines), 1 skipped"));
    assert_non_null(strstr(r.out, "never closed\\nstill open"));
    free(r.out);
    free(r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alerts_export),
        cmocka_unit_test(semicolons_no_message_column_and_forced_time),
        cmocka_unit_test(refusals),
    };
    int failed = cmocka_run_group_tests_name("csv", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
