/* Untrusted text in the outputs: JSON stays valid, Markdown stays text, terminals stay safe. */
#include "testutil.h"

#include <signal.h>

#include "pmt/emit.h"

/* Escapes with f into a pipe-less buffer and returns it NUL-terminated (static). */
static const char *esc(void (*f)(struct pmt_out *, const char *, size_t), const char *s, size_t n)
{
    static char buf[4096];
    struct pmt_out o;
    pmt_out_init(&o, -1);
    f(&o, s, n);
    assert_true(o.len < sizeof(buf));
    memcpy(buf, o.buf, o.len);
    buf[o.len] = '\0';
    pmt_out_close(&o);
    return buf;
}

#define J(s) esc(pmt_out_json_str, s, sizeof(s) - 1)
#define M(s) esc(pmt_out_md_text, s, sizeof(s) - 1)

static void json_strings(void **state)
{
    (void)state;
    assert_string_equal(J("plain"), "plain");
    assert_string_equal(J("q\"b\\"), "q\\\"b\\\\");
    assert_string_equal(J("a\nb\tc\r"), "a\\nb\\tc\\r");
    assert_string_equal(J("\x1b[31mred"), "\\u001b[31mred");
    assert_string_equal(J("nul\0x"), "nul\\u0000x");
    assert_string_equal(J("del\x7f"), "del\\u007f");
    assert_string_equal(J("caf\xc3\xa9"), "caf\xc3\xa9");           /* valid UTF-8 kept */
    assert_string_equal(J("bad\xff\xfe!"), "bad\xef\xbf\xbd\xef\xbf\xbd!"); /* U+FFFD each */
    assert_string_equal(J("over\xc0\xaf"), "over\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
    assert_string_equal(J("surr\xed\xa0\x80"), "surr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(J("c1\xc2\x9b"), "c1\\u009b");               /* 8-bit CSI escaped */
    assert_string_equal(J("cut\xe2\x82"), "cut\xef\xbf\xbd\xef\xbf\xbd"); /* truncated seq */
    assert_string_equal(J("emoji\xf0\x9f\x94\xa5"), "emoji\xf0\x9f\x94\xa5");
}

static void markdown_text(void **state)
{
    (void)state;
    assert_string_equal(M("plain text, 200 OK"), "plain text, 200 OK");
    assert_string_equal(M("<script>alert(1)</script>"), "\\<script>alert(1)\\</script>");
    assert_string_equal(M("[x](javascript:alert(1))"), "\\[x](javascript:alert(1))");
    assert_string_equal(M("a | b"), "a \\| b");
    assert_string_equal(M("`code` *em* ~del~"), "\\`code\\` \\*em\\* \\~del\\~");
    assert_string_equal(M("pam_unix and _x_"), "pam_unix and \\_x\\_");
    assert_string_equal(M("2>&1 &amp; &#60;"), "2>&1 \\&amp; \\&#60;");
    assert_string_equal(M("back\\slash"), "back\\\\slash");
    assert_string_equal(M("\x1b[31mred\x07"), "\xe2\x90\x9b\\[31mred\xe2\x90\x87");
    assert_string_equal(M("nul\0del\x7f"), "nul\xe2\x90\x80" "del\xe2\x90\xa1");
    assert_string_equal(M("line1\n\tline2"), "line1\\\n  line2");
    assert_string_equal(M("tab\there"), "tab here");
    assert_string_equal(M("bad\xff"), "bad\xef\xbf\xbd");
    assert_string_equal(M("c1\xc2\x9b"), "c1\xef\xbf\xbd");
}

static void numbers(void **state)
{
    (void)state;
    struct pmt_out o;
    pmt_out_init(&o, -1);
    pmt_out_i64(&o, -1234567890123LL);
    pmt_out_ch(&o, ' ');
    pmt_out_u64(&o, 0);
    pmt_out_ch(&o, ' ');
    pmt_out_i64(&o, INT64_MIN);
    assert_int_equal(o.len, strlen("-1234567890123 0 -9223372036854775808"));
    assert_memory_equal(o.buf, "-1234567890123 0 -9223372036854775808", o.len);
    pmt_out_close(&o);
}

static void failed_write_is_remembered(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]); /* reader gone: writes fail with EPIPE (SIGPIPE ignored below) */
    signal(SIGPIPE, SIG_IGN);
    struct pmt_out o;
    pmt_out_init(&o, fds[1]);
    pmt_out_s(&o, "data");
    assert_int_not_equal(pmt_out_close(&o), 0);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_strings),
        cmocka_unit_test(markdown_text),
        cmocka_unit_test(numbers),
        cmocka_unit_test(failed_write_is_remembered),
    };
    return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
