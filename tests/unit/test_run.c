/* The whole pipeline in-process: merging, errors, directories, accounting of every line. */
#include "testutil.h"

#include "pmt/parser.h"
#include "pmt/run.h"

struct result {
    int rc;
    char *out;
    char *err;
};

static struct result run(struct pmt_opts *o)
{
    struct result r;
    char path[512];
    snprintf(path, sizeof(path), "%s/stdout.txt", tu_tmpdir());
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(fd >= 0);
    size_t elen;
    FILE *err = open_memstream(&r.err, &elen);
    if (!o->spool_chunk) {
        o->spool_chunk = 4096; /* small chunks: the spill path runs in every test */
    }
    r.rc = pmt_run(o, fd, err);
    fclose(err);
    close(fd);
    r.out = tu_slurp(path, NULL);
    return r;
}

static void free_result(struct result *r)
{
    free(r->out);
    free(r->err);
}

static void two_inputs_merge_in_time_order(void **state)
{
    (void)state;
    static const char a[] = "2023-02-08T03:00:01Z h a: one\n2023-02-08T03:00:03Z h a: three\n";
    static const char b[] = "2023-02-08T06:00:02+03:00 g b: two\n<11>1 2023-02-08T03:00:04Z g b - - - four\n";
    char *pa = tu_write("a.log", a, sizeof(a) - 1);
    char *pb = tu_write("b.log", b, sizeof(b) - 1);
    const char *paths[] = {pa, pb};
    struct pmt_opts o = {.paths = paths, .npaths = 2, .all = 1, .quiet = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    const char *one = strstr(r.out, "one"), *two = strstr(r.out, "two");
    const char *three = strstr(r.out, "three"), *four = strstr(r.out, "four");
    assert_non_null(one);
    assert_non_null(two);
    assert_non_null(three);
    assert_non_null(four);
    assert_true(one < two && two < three && three < four);
    assert_non_null(strstr(r.out, "- 2023-02-08 03:00:02 UTC \xE2\x80\x94 g b: two\n"));
    assert_string_equal(r.err, "");
    free_result(&r);
    free(pa);
    free(pb);
}

static void unreadable_input_does_not_stop_the_others(void **state)
{
    (void)state;
    static const char a[] = "2023-02-08T03:00:01Z h a: survived\n";
    char *pa = tu_write("ok.log", a, sizeof(a) - 1);
    const char *paths[] = {"/nonexistent/missing.log", pa};
    struct pmt_opts o = {.paths = paths, .npaths = 2, .all = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, PMT_EXIT_INPUT);
    assert_non_null(strstr(r.out, "survived"));
    assert_non_null(strstr(r.err, "/nonexistent/missing.log: cannot open"));
    free_result(&r);
    free(pa);
}

static void every_line_is_accounted_for(void **state)
{
    (void)state;
    static const char a[] =
        "garbage before anything\n"
        "Feb  8 03:00:01 h p: first\n"
        "\tcontinued\n"
        "\n"
        "Feb 30 03:00:01 h p: impossible date\n"
        "more garbage \x1b[31m\n"
        "Feb  8 03:00:02 h p: second\n";
    char *pa = tu_write("mixed.log", a, sizeof(a) - 1);
    char up[512];
    snprintf(up, sizeof(up), "%s/unparsed.txt", tu_tmpdir());
    const char *paths[] = {pa};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1, .year = 2023, .unparsed_path = up};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    /* 7 lines: 2 events (+1 continuation), 1 blank, 3 unparsed */
    assert_non_null(strstr(r.err, "7 lines, 2 events (+1 continuation lines), 1 skipped (blank, header), 3 unparsed "
                                  "(first at line 1: 'garbage before anything')"));
    assert_non_null(strstr(r.err, "mixed.log:5: impossible date"));
    assert_null(strchr(r.err, '\x1b')); /* samples never carry raw escapes to the terminal */
    char *u = tu_slurp(up, NULL);
    char want[1024];
    snprintf(want, sizeof(want),
             "%s:1:garbage before anything\n%s:5:Feb 30 03:00:01 h p: impossible date\n"
             "%s:6:more garbage \x1b[31m\n",
             pa, pa, pa);
    assert_string_equal(u, want);
    free(u);
    free_result(&r);
    free(pa);
}

static void forced_format_and_unrecognised_input(void **state)
{
    (void)state;
    static const char a[] = "this is not a log at all\nnor is this\n";
    char *pa = tu_write("notes.txt", a, sizeof(a) - 1);
    const char *paths[] = {pa};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "format not recognised"));
    assert_non_null(strstr(r.err, "2 lines, 0 events, 2 unparsed"));
    free_result(&r);

    struct pmt_format_rule rule = {.glob = "*.txt", .parser = pmt_parser_find("syslog")};
    o.formats = &rule;
    o.nformats = 1;
    r = run(&o);
    assert_null(strstr(r.err, "format not recognised"));
    assert_non_null(strstr(r.err, "(syslog): 2 lines, 0 events, 2 unparsed"));
    free_result(&r);
    free(pa);
}

static void directory_walk_skips_binaries_and_orders_rotations(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/logs", tu_tmpdir());
    assert_int_equal(mkdir(dir, 0700), 0);
    static const char l1[] = "2023-02-08T03:00:01Z h a: from syslog.1\n";
    static const char l0[] = "2023-02-08T03:00:01Z h a: from syslog\n";
    free(tu_write("logs/syslog.1", l1, sizeof(l1) - 1));
    free(tu_write("logs/syslog", l0, sizeof(l0) - 1));
    unsigned char bin[256];
    for (int i = 0; i < 256; i++) {
        bin[i] = (unsigned char)i;
    }
    free(tu_write("logs/core.dump", bin, sizeof(bin)));
    const char *paths[] = {dir};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "core.dump: skipped: looks binary"));
    /* same instant: the rotated (older) file is input 0, so its line comes first */
    const char *a = strstr(r.out, "from syslog.1"), *b = strstr(r.out, "from syslog\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    free_result(&r);
}

static void rotation_order(void **state)
{
    (void)state;
    assert_true(pmt_rotation_cmp("syslog.2.gz", "syslog.1") < 0);
    assert_true(pmt_rotation_cmp("syslog.1", "syslog") < 0);
    assert_true(pmt_rotation_cmp("syslog.10.gz", "syslog.9.gz") < 0);
    assert_true(pmt_rotation_cmp("auth.log", "syslog.3") < 0);
    assert_true(pmt_rotation_cmp("a.log", "a.log.1") > 0);
    assert_true(pmt_rotation_cmp("x", "x") == 0);
}

static void bad_tz_is_a_usage_error(void **state)
{
    (void)state;
    struct pmt_opts o = {.tz = "Mars/Olympus", .all = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, PMT_EXIT_USAGE);
    assert_non_null(strstr(r.err, "unknown time zone 'Mars/Olympus'"));
    free_result(&r);
}

static void json_output_and_offset_zone(void **state)
{
    (void)state;
    static const char a[] = "<11>Feb  8 03:00:01 web1 nginx[12]: \"quoted\" \x1b[0m\n";
    char *pa = tu_write("j.log", a, sizeof(a) - 1);
    const char *paths[] = {pa};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1, .output = PMT_OUT_JSON,
                         .tz = "+03:00", .year = 2023, .quiet = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    char want[1024];
    snprintf(want, sizeof(want),
             "{\"time\":\"2023-02-08T03:00:01+03:00\",\"epoch_ns\":1675814401000000000,"
             "\"source\":\"%s\",\"line\":1,\"format\":\"syslog\",\"host\":\"web1\","
             "\"program\":\"nginx\",\"pid\":\"12\",\"severity\":\"err\","
             "\"assumed\":[\"year\",\"zone\"],\"message\":\"\\\"quoted\\\" \\u001b[0m\"}\n",
             pa);
    /* zone-less stamps are read in the output zone, and said to be assumed */
    assert_string_equal(r.out, want);
    free_result(&r);

    /* --source-tz names the zone: the instant moves and nothing is flagged as assumed */
    struct pmt_zone_rule zr = {.glob = "j.*", .zone = "UTC"};
    o.source_tz = &zr;
    o.nsource_tz = 1;
    r = run(&o);
    assert_non_null(strstr(r.out, "\"time\":\"2023-02-08T06:00:01+03:00\""));
    assert_non_null(strstr(r.out, "\"assumed\":[\"year\"]"));
    free_result(&r);
    free(pa);
}

/* ../shared/corpus (or $PMT_CORPUS): real logs we may test on but not ship. */
static const char *corpus_file(const char *rel)
{
    static char path[1024];
    const char *root = getenv("PMT_CORPUS");
    snprintf(path, sizeof(path), "%s/%s", root && *root ? root : "../shared/corpus", rel);
    return access(path, R_OK) == 0 ? path : NULL;
}

/*
 * lnav's logfile_dst.0: a real macOS log across the 2019 US fall-back, 01:01 .. 01:59, then
 * 01:24 again .. 02:25. Read in New York time, every line must keep its place, and the
 * repeated hour must be the second one.
 */
static void dst_fall_back_from_the_corpus(void **state)
{
    (void)state;
    const char *path = corpus_file("lnav/logfile_dst.0");
    if (!path) {
        skip(); /* the corpus is not in this checkout */
    }
    const char *paths[] = {path};
    struct pmt_zone_rule zr = {.glob = NULL, .zone = "America/New_York"};
    struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1, .output = PMT_OUT_JSON,
                         .tz = "UTC", .year = 2019, .quiet = 1, .source_tz = &zr,
                         .nsource_tz = 1};
    struct result r = run(&o);
    assert_int_equal(r.rc, 0);
    const char *p = r.out;
    long long prev = 0;
    for (int line = 1; line <= 10; line++) {
        char want[32];
        snprintf(want, sizeof(want), "\"line\":%d,", line);
        const char *q = strstr(p, want);
        if (!q) {
            fail_msg("line %d is not next in the output", line);
        }
        const char *e = strstr(p, "\"epoch_ns\":");
        long long t = strtoll(e + 11, NULL, 10);
        assert_true(t > prev);
        prev = t;
        p = strchr(q, '\n');
    }
    /* 01:24:56 after 01:59:14 is the second 01:24:56: 06:24:56Z */
    assert_non_null(strstr(r.out, "\"time\":\"2019-11-03T06:24:56Z\""));
    assert_non_null(strstr(r.out, "\"dst\":\"repeated-second\""));
    free_result(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_inputs_merge_in_time_order),
        cmocka_unit_test(unreadable_input_does_not_stop_the_others),
        cmocka_unit_test(every_line_is_accounted_for),
        cmocka_unit_test(forced_format_and_unrecognised_input),
        cmocka_unit_test(directory_walk_skips_binaries_and_orders_rotations),
        cmocka_unit_test(rotation_order),
        cmocka_unit_test(bad_tz_is_a_usage_error),
        cmocka_unit_test(json_output_and_offset_zone),
        cmocka_unit_test(dst_fall_back_from_the_corpus),
    };
    int failed = cmocka_run_group_tests_name("run", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
