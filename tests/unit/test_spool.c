/* The spool: total order (instant, input, line), spills, runs, continuations. */
#include "testutil.h"

#include "pmt/spool.h"

static struct pmt_event mk(int64_t t, uint32_t src, uint64_t line, const char *msg)
{
    struct pmt_event ev;
    pmt_event_clear(&ev);
    ev.t_ns = t;
    ev.src = src;
    ev.line = line;
    ev.f[PMT_F_MESSAGE] = pmt_str_make(msg, strlen(msg));
    ev.f[PMT_F_HOST] = pmt_str_make("h", 1);
    return ev;
}

static void ties_order_by_input_then_line(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(0, NULL);
    struct pmt_event e;
    /* Added: input 1 first, then input 0, all at the same instant. */
    e = mk(100, 1, 1, "b1");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    e = mk(100, 1, 2, "b2");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    e = mk(100, 0, 7, "a7");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    e = mk(50, 1, 3, "b3");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    assert_int_equal(pmt_spool_finish(sp), 0);
    const char *want[] = {"b3", "a7", "b1", "b2"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pmt_spool_next(sp, &e), 1);
        if (e.f[PMT_F_MESSAGE].len != 2 || memcmp(e.f[PMT_F_MESSAGE].p, want[i], 2) != 0) {
            fail_msg("position %zu: expected %s, got %.*s", i, want[i],
                     (int)e.f[PMT_F_MESSAGE].len, e.f[PMT_F_MESSAGE].p);
        }
        assert_int_equal(e.f[PMT_F_HOST].len, 1);
    }
    assert_int_equal(pmt_spool_next(sp, &e), 0);
    assert_int_equal(pmt_spool_spilled(sp), 0); /* small: never touched the disk */
    pmt_spool_free(sp);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* 20,000 events in random order through 4 KiB chunks: many runs, one correct order. */
static void out_of_order_input_spills_and_merges(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    uint64_t seed = 42;
    size_t n = 20000;
    char msg[32];
    for (size_t i = 0; i < n; i++) {
        int64_t t = (int64_t)(lcg(&seed) % 5000); /* many ties too */
        snprintf(msg, sizeof(msg), "m%zu", i);
        struct pmt_event e = mk(t, (uint32_t)(i % 3), i + 1, msg);
        assert_int_equal(pmt_spool_add(sp, &e), 0);
    }
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_true(pmt_spool_runs(sp) > 10);
    struct pmt_event e;
    int64_t pt = -1;
    uint32_t ps = 0;
    uint64_t pl = 0;
    size_t got = 0;
    while (pmt_spool_next(sp, &e) == 1) {
        if (got > 0) {
            int ordered = pt < e.t_ns || (pt == e.t_ns && (ps < e.src || (ps == e.src && pl < e.line)));
            if (!ordered) {
                fail_msg("event %zu out of order: (%lld,%u,%llu) after (%lld,%u,%llu)", got,
                         (long long)e.t_ns, e.src, (unsigned long long)e.line, (long long)pt, ps,
                         (unsigned long long)pl);
            }
        }
        /* the text travelled with its event */
        snprintf(msg, sizeof(msg), "m%llu", (unsigned long long)(e.line - 1));
        assert_int_equal(e.f[PMT_F_MESSAGE].len, strlen(msg));
        assert_memory_equal(e.f[PMT_F_MESSAGE].p, msg, strlen(msg));
        pt = e.t_ns;
        ps = e.src;
        pl = e.line;
        got++;
    }
    assert_int_equal(got, n);
    pmt_spool_free(sp);
}

/* A sorted input stays one run however many chunks it fills: memory does not grow with it. */
static void sorted_input_is_one_run(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    for (size_t i = 0; i < 10000; i++) {
        struct pmt_event e = mk((int64_t)i / 3, 0, i + 1, "sorted line of text");
        assert_int_equal(pmt_spool_add(sp, &e), 0);
    }
    /* a second sorted input, overlapping in time */
    for (size_t i = 0; i < 10000; i++) {
        struct pmt_event e = mk((int64_t)i / 3, 1, i + 1, "other input");
        assert_int_equal(pmt_spool_add(sp, &e), 0);
    }
    assert_int_equal(pmt_spool_finish(sp), 0);
    /* input 0 is one run; the chunk where input 1 begins mixes both, then input 1 runs on */
    assert_true(pmt_spool_runs(sp) <= 3);
    assert_true(pmt_spool_spilled(sp) > 100000);
    struct pmt_event e;
    size_t n = 0;
    int64_t pt = -1;
    uint32_t ps = 0;
    while (pmt_spool_next(sp, &e) == 1) {
        assert_true(e.t_ns >= pt);
        if (e.t_ns == pt) {
            assert_true(e.src >= ps); /* ties: input 0 before input 1 */
        }
        pt = e.t_ns;
        ps = e.src;
        n++;
    }
    assert_int_equal(n, 20000);
    pmt_spool_free(sp);
}

static void continuation_survives_a_flush(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    char filler[200];
    memset(filler, 'f', sizeof(filler));
    for (int i = 0; i < 15; i++) {
        struct pmt_event e = mk(i, 0, (uint64_t)i + 1, "x");
        assert_int_equal(pmt_spool_add(sp, &e), 0);
    }
    struct pmt_event e = mk(20, 0, 16, "head");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    /* 40 x 200 bytes: more than the 4 KiB chunk, so it flushes while keeping "head" */
    for (int i = 0; i < 40; i++) {
        assert_int_equal(pmt_spool_continue(sp, pmt_str_make(filler, sizeof(filler))), 0);
    }
    e = mk(21, 0, 57, "after");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    assert_int_equal(pmt_spool_finish(sp), 0);
    size_t n = 0;
    while (pmt_spool_next(sp, &e) == 1) {
        if (e.line == 16) {
            assert_int_equal(e.f[PMT_F_MESSAGE].len, 4 + 40 * 201);
            assert_memory_equal(e.f[PMT_F_MESSAGE].p, "head\nfff", 8);
            assert_int_equal(e.f[PMT_F_HOST].len, 1);
        }
        n++;
    }
    assert_int_equal(n, 17);
    pmt_spool_free(sp);
}

static void oversized_text_is_cut_and_flagged(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    size_t big = PMT_SPOOL_MAX_TEXT + 5000;
    char *text = malloc(big);
    memset(text, 'y', big);
    struct pmt_event e = mk(1, 0, 1, "");
    e.f[PMT_F_MESSAGE] = pmt_str_make(text, big);
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    e = mk(2, 0, 2, "small");
    assert_int_equal(pmt_spool_add(sp, &e), 0);
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_int_equal(pmt_spool_next(sp, &e), 1);
    assert_true(e.flags & PMT_EV_CUT);
    assert_true(e.f[PMT_F_MESSAGE].len + 1 <= PMT_SPOOL_MAX_TEXT);
    assert_int_equal(pmt_spool_next(sp, &e), 1);
    assert_false(e.flags & PMT_EV_CUT);
    assert_int_equal(pmt_spool_next(sp, &e), 0);
    pmt_spool_free(sp);
    free(text);
}

static void empty_spool(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(0, NULL);
    struct pmt_event e;
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_int_equal(pmt_spool_next(sp, &e), 0);
    pmt_spool_free(sp);
}

static void unwritable_tmpdir_is_reported(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, "/nonexistent-pmt-dir");
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        struct pmt_event e = mk(i, 0, (uint64_t)i + 1, "some text to fill the chunk");
        rc = pmt_spool_add(sp, &e);
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(pmt_spool_error(sp), "/nonexistent-pmt-dir"));
    assert_non_null(strstr(pmt_spool_error(sp), "TMPDIR"));
    pmt_spool_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ties_order_by_input_then_line),
        cmocka_unit_test(out_of_order_input_spills_and_merges),
        cmocka_unit_test(sorted_input_is_one_run),
        cmocka_unit_test(continuation_survives_a_flush),
        cmocka_unit_test(oversized_text_is_cut_and_flagged),
        cmocka_unit_test(empty_spool),
        cmocka_unit_test(unwritable_tmpdir_is_reported),
    };
    int failed = cmocka_run_group_tests_name("spool", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
