/* The input layer: plain, gzip, multi-member, broken gzip, and awkward lines. */
#include "testutil.h"

#include "pmt/input.h"

/* Reads every line of path; returns them joined with '|' (cut lines marked with '~'). */
static char *read_all(const char *path, struct pmt_input *in, size_t max_line)
{
    char err[200];
    assert_int_equal(pmt_input_open(in, path, path, err, sizeof(err)), 0);
    if (max_line) {
        in->max_line = max_line;
    }
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    struct pmt_str line;
    int cut;
    while (pmt_input_next(in, &line, &cut)) {
        while (len + line.len + 3 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, line.p, line.len);
        len += line.len;
        if (cut) {
            out[len++] = '~';
        }
        out[len++] = '|';
    }
    out[len] = '\0';
    return out;
}

static void plain_lines(void **state)
{
    (void)state;
    static const char data[] = "one\ntwo\n\nfour\n";
    char *path = tu_write("plain.log", data, sizeof(data) - 1);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "one|two||four|");
    assert_int_equal(in.lineno, 4);
    assert_int_equal(in.status, PMT_IN_OK);
    assert_false(in.gz);
    pmt_input_close(&in);
    free(got);
    free(path);
}

static void crlf_and_no_final_newline(void **state)
{
    (void)state;
    static const char data[] = "a\r\nb\r\nlast";
    char *path = tu_write("crlf.log", data, sizeof(data) - 1);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "a|b|last|");
    assert_int_equal(in.lineno, 3);
    pmt_input_close(&in);
    free(got);
    free(path);
}

static void empty_input(void **state)
{
    (void)state;
    char *path = tu_write("empty.log", "", 0);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "");
    assert_int_equal(in.lineno, 0);
    assert_int_equal(in.status, PMT_IN_OK);
    pmt_input_close(&in);
    free(got);
    free(path);
}

static void nul_bytes_stay_in_line(void **state)
{
    (void)state;
    static const char data[] = "a\0b\nc\n";
    char *path = tu_write("nul.log", data, sizeof(data) - 1);
    struct pmt_input in;
    char err[100];
    assert_int_equal(pmt_input_open(&in, path, path, err, sizeof(err)), 0);
    struct pmt_str line;
    int cut;
    assert_int_equal(pmt_input_next(&in, &line, &cut), 1);
    assert_int_equal(line.len, 3);
    assert_memory_equal(line.p, "a\0b", 3);
    assert_int_equal(pmt_input_next(&in, &line, &cut), 1);
    assert_int_equal(line.len, 1);
    assert_int_equal(pmt_input_next(&in, &line, &cut), 0);
    pmt_input_close(&in);
    free(path);
}

static void long_line_is_cut_not_grown(void **state)
{
    (void)state;
    /* 3 MiB line between two short ones, read with a 64 KiB line limit. */
    size_t big = 3u << 20;
    char *data = malloc(big + 16);
    memcpy(data, "first\n", 6);
    memset(data + 6, 'x', big);
    memcpy(data + 6 + big, "\nlast\n", 6);
    char *path = tu_write("long.log", data, big + 12);
    struct pmt_input in;
    char *got = read_all(path, &in, 64u << 10);
    size_t n = strlen(got);
    /* first | 64 KiB of x, cut | last | */
    assert_int_equal(n, 6 + (64u << 10) + 2 + 5);
    assert_memory_equal(got, "first|", 6);
    assert_memory_equal(got + n - 8, "x~|last|", 8);
    assert_int_equal(in.lineno, 3);
    assert_int_equal(in.cut_lines, 1);
    assert_true(in.cap < (1u << 20)); /* the 3 MiB line did not make the buffer grow to it */
    pmt_input_close(&in);
    free(got);
    free(data);
    free(path);
}

static void gzip_one_member(void **state)
{
    (void)state;
    static const char data[] = "x 1\nx 2\nx 3\n";
    size_t gn;
    unsigned char *gz = tu_gzip(data, sizeof(data) - 1, &gn);
    char *path = tu_write("one.gz", gz, gn);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "x 1|x 2|x 3|");
    assert_true(in.gz);
    assert_int_equal(in.members, 1);
    assert_int_equal(in.status, PMT_IN_OK);
    pmt_input_close(&in);
    free(got);
    free(gz);
    free(path);
}

static void gzip_multi_member(void **state)
{
    (void)state;
    /* cat a.gz b.gz: the second member's first line completes nothing of the first. */
    size_t n1, n2;
    unsigned char *a = tu_gzip("a1\na2\n", 6, &n1);
    unsigned char *b = tu_gzip("b1\nb2", 5, &n2);
    unsigned char *both = malloc(n1 + n2);
    memcpy(both, a, n1);
    memcpy(both + n1, b, n2);
    char *path = tu_write("multi.gz", both, n1 + n2);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "a1|a2|b1|b2|");
    assert_int_equal(in.members, 2);
    assert_int_equal(in.status, PMT_IN_OK);
    pmt_input_close(&in);
    free(got);
    free(a);
    free(b);
    free(both);
    free(path);
}

static void gzip_truncated_keeps_what_came_before(void **state)
{
    (void)state;
    /* Enough lines that the cut lands well inside the deflate data. */
    size_t n = 200000;
    char *data = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        data[i] = (i % 20 == 19) ? '\n' : (char)('a' + (i * 7 + i / 20) % 26);
    }
    size_t gn;
    unsigned char *gz = tu_gzip(data, n, &gn);
    char *path = tu_write("trunc.gz", gz, gn / 2);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_int_equal(in.status, PMT_IN_TRUNCATED);
    assert_non_null(strstr(in.problem, "truncated gzip"));
    assert_true(in.lineno > 100);                 /* many lines came through */
    assert_true(in.lineno < n / 20);              /* but not all */
    assert_memory_equal(got, data, 19);           /* starting with the first line */
    pmt_input_close(&in);
    free(got);
    free(gz);
    free(data);
    free(path);
}

static void gzip_corrupt_and_trailing_garbage(void **state)
{
    (void)state;
    size_t gn;
    unsigned char *gz = tu_gzip("good line\n", 10, &gn);
    unsigned char *bad = malloc(gn + 8);
    memcpy(bad, gz, gn);
    memcpy(bad + gn, "GARBAGE!", 8);
    char *path = tu_write("garbage.gz", bad, gn + 8);
    struct pmt_input in;
    char *got = read_all(path, &in, 0);
    assert_string_equal(got, "good line|");
    assert_int_equal(in.status, PMT_IN_CORRUPT);
    assert_non_null(strstr(in.problem, "not gzip"));
    pmt_input_close(&in);
    free(got);

    /* Flip bytes in the middle of the deflate data. */
    memcpy(bad, gz, gn);
    for (size_t i = 12; i < gn - 8; i++) {
        bad[i] ^= 0x5a;
    }
    char *path2 = tu_write("corrupt.gz", bad, gn);
    got = read_all(path2, &in, 0);
    assert_int_not_equal(in.status, PMT_IN_OK);
    pmt_input_close(&in);
    free(got);
    free(gz);
    free(bad);
    free(path);
    free(path2);
}

static void gzip_on_a_pipe(void **state)
{
    (void)state;
    static const char data[] = "p1\np2\n";
    size_t gn;
    unsigned char *gz = tu_gzip(data, 6, &gn);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    /* Small enough to fit the pipe buffer: write, close, then read. */
    assert_int_equal(write(fds[1], gz, gn), (ssize_t)gn);
    assert_int_equal(write(fds[1], gz, gn), (ssize_t)gn);
    close(fds[1]);
    struct pmt_input in;
    pmt_input_open_fd(&in, fds[0], "-");
    struct pmt_str line;
    int cut, n = 0;
    while (pmt_input_next(&in, &line, &cut)) {
        n++;
    }
    assert_int_equal(n, 4);
    assert_int_equal(in.members, 2);
    pmt_input_close(&in);
    close(fds[0]);
    free(gz);
}

static void sample_does_not_consume(void **state)
{
    (void)state;
    static const char data[] = "l1\nl2\nl3\n";
    char *path = tu_write("sample.log", data, sizeof(data) - 1);
    struct pmt_input in;
    char err[100];
    assert_int_equal(pmt_input_open(&in, path, path, err, sizeof(err)), 0);
    struct pmt_str s[8];
    assert_int_equal(pmt_input_sample(&in, s, 2), 2);
    assert_int_equal(s[1].len, 2);
    assert_memory_equal(s[1].p, "l2", 2);
    struct pmt_str line;
    int cut;
    assert_int_equal(pmt_input_next(&in, &line, &cut), 1);
    assert_memory_equal(line.p, "l1", 2);
    pmt_input_close(&in);
    free(path);
}

static void binary_detection(void **state)
{
    (void)state;
    unsigned char bin[512];
    for (size_t i = 0; i < sizeof(bin); i++) {
        bin[i] = (unsigned char)(i * 37);
    }
    char *p1 = tu_write("bin.dat", bin, sizeof(bin));
    char *p2 = tu_write("text.log", "Feb  8 03:00:01 h p: m\n", 23);
    struct pmt_input in;
    char err[100];
    assert_int_equal(pmt_input_open(&in, p1, p1, err, sizeof(err)), 0);
    assert_true(pmt_input_looks_binary(&in));
    pmt_input_close(&in);
    assert_int_equal(pmt_input_open(&in, p2, p2, err, sizeof(err)), 0);
    assert_false(pmt_input_looks_binary(&in));
    pmt_input_close(&in);
    free(p1);
    free(p2);
}

static void open_errors_name_the_problem(void **state)
{
    (void)state;
    struct pmt_input in;
    char err[200];
    assert_int_equal(pmt_input_open(&in, "/nonexistent/x.log", NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(pmt_input_open(&in, tu_tmpdir(), NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_lines),
        cmocka_unit_test(crlf_and_no_final_newline),
        cmocka_unit_test(empty_input),
        cmocka_unit_test(nul_bytes_stay_in_line),
        cmocka_unit_test(long_line_is_cut_not_grown),
        cmocka_unit_test(gzip_one_member),
        cmocka_unit_test(gzip_multi_member),
        cmocka_unit_test(gzip_truncated_keeps_what_came_before),
        cmocka_unit_test(gzip_corrupt_and_trailing_garbage),
        cmocka_unit_test(gzip_on_a_pipe),
        cmocka_unit_test(sample_does_not_consume),
        cmocka_unit_test(binary_detection),
        cmocka_unit_test(open_errors_name_the_problem),
    };
    int failed = cmocka_run_group_tests_name("input", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
