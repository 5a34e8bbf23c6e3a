/* The spool: total order (instant, input, line), spills, runs, the reorder window. */
#include "testutil.h"

#include "pmt/spool.h"

/* Adds a record whose payload is msg. */
static int add(struct pmt_spool *sp, int64_t t, uint32_t src, uint64_t line, const char *msg)
{
    size_t n = strlen(msg);
    char *w = pmt_spool_reserve(sp, n);
    if (!w) {
        return -1;
    }
    memcpy(w, msg, n);
    pmt_spool_commit(sp, t, src, line, n);
    return 0;
}

static void expect_text(const struct pmt_spool_item *it, const char *want, size_t pos)
{
    if (it->len != strlen(want) || memcmp(it->text, want, it->len) != 0) {
        fail_msg("position %zu: expected %s, got %.*s", pos, want, (int)it->len, it->text);
    }
}

static void ties_order_by_input_then_line(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(0, NULL);
    /* Added: input 1 first, then input 0, all at the same instant. */
    assert_int_equal(add(sp, 100, 1, 1, "b1"), 0);
    assert_int_equal(add(sp, 100, 1, 2, "b2"), 0);
    assert_int_equal(add(sp, 100, 0, 7, "a7"), 0);
    assert_int_equal(add(sp, 50, 1, 3, "b3"), 0);
    assert_int_equal(pmt_spool_finish(sp), 0);
    const char *want[] = {"b3", "a7", "b1", "b2"};
    struct pmt_spool_item it;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pmt_spool_next(sp, &it), 1);
        expect_text(&it, want[i], i);
    }
    assert_int_equal(pmt_spool_next(sp, &it), 0);
    assert_int_equal(pmt_spool_spilled(sp), 0); /* small: never touched the disk */
    pmt_spool_free(sp);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* 20,000 records in random order through 4 KiB chunks: many runs, one correct order. */
static void out_of_order_input_spills_and_merges(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    uint64_t seed = 42;
    size_t n = 20000;
    char msg[32];
    for (size_t i = 0; i < n; i++) {
        /* many ties, and jumps far wider than the reorder window */
        int64_t t = (int64_t)(lcg(&seed) % 5000) * 100000000000LL;
        snprintf(msg, sizeof(msg), "m%zu", i);
        assert_int_equal(add(sp, t, (uint32_t)(i % 3), i + 1, msg), 0);
    }
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_true(pmt_spool_runs(sp) > 10);
    struct pmt_spool_item it;
    int64_t pt = -1;
    uint32_t ps = 0;
    uint64_t pl = 0;
    size_t got = 0;
    while (pmt_spool_next(sp, &it) == 1) {
        if (got > 0) {
            int ordered = pt < it.t_ns || (pt == it.t_ns && (ps < it.src || (ps == it.src && pl < it.line)));
            if (!ordered) {
                fail_msg("record %zu out of order: (%lld,%u,%llu) after (%lld,%u,%llu)", got,
                         (long long)it.t_ns, it.src, (unsigned long long)it.line, (long long)pt,
                         ps, (unsigned long long)pl);
            }
        }
        /* the payload travelled with its key */
        snprintf(msg, sizeof(msg), "m%llu", (unsigned long long)(it.line - 1));
        expect_text(&it, msg, got);
        pt = it.t_ns;
        ps = it.src;
        pl = it.line;
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
        assert_int_equal(add(sp, (int64_t)i / 3, 0, i + 1, "sorted line of text"), 0);
    }
    /* a second sorted input, overlapping in time */
    for (size_t i = 0; i < 10000; i++) {
        assert_int_equal(add(sp, (int64_t)i / 3, 1, i + 1, "other input"), 0);
    }
    assert_int_equal(pmt_spool_finish(sp), 0);
    /* input 0 is one run; the chunk where input 1 begins mixes both, then input 1 runs on */
    assert_true(pmt_spool_runs(sp) <= 3);
    assert_true(pmt_spool_spilled(sp) > 100000);
    struct pmt_spool_item it;
    size_t n = 0;
    int64_t pt = -1;
    uint32_t ps = 0;
    while (pmt_spool_next(sp, &it) == 1) {
        assert_true(it.t_ns >= pt);
        if (it.t_ns == pt) {
            assert_true(it.src >= ps); /* ties: input 0 before input 1 */
        }
        pt = it.t_ns;
        ps = it.src;
        n++;
    }
    assert_int_equal(n, 20000);
    pmt_spool_free(sp);
}

/*
 * Jitter inside the reorder window keeps one run: here a coarser writer mixed in steps up to
 * 10 records back, within the 32 a 16 KiB chunk holds back (a real 6 MiB chunk holds ~12,000).
 */
static void jitter_within_the_window_keeps_one_run(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(16384, tu_tmpdir());
    for (size_t i = 0; i < 20000; i++) {
        int64_t t = (int64_t)i * 1000000; /* 1 ms apart */
        if (i % 5 == 0) {
            t -= t % 10000000; /* whole 10 ms: up to 10 records back */
        }
        assert_int_equal(add(sp, t, 0, i + 1, "jittered"), 0);
    }
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_int_equal(pmt_spool_runs(sp), 1);
    struct pmt_spool_item it;
    int64_t pt = INT64_MIN;
    size_t n = 0;
    while (pmt_spool_next(sp, &it) == 1) {
        assert_true(it.t_ns >= pt);
        pt = it.t_ns;
        n++;
    }
    assert_int_equal(n, 20000);
    pmt_spool_free(sp);
}

static void record_larger_than_a_chunk(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, tu_tmpdir());
    size_t big = 100000;
    char *text = malloc(big + 1);
    memset(text, 'y', big);
    text[big] = '\0';
    assert_int_equal(add(sp, 2, 0, 2, "small"), 0);
    assert_int_equal(add(sp, 1, 0, 1, text), 0);
    assert_int_equal(add(sp, 3, 0, 3, "after"), 0);
    assert_int_equal(pmt_spool_finish(sp), 0);
    struct pmt_spool_item it;
    assert_int_equal(pmt_spool_next(sp, &it), 1);
    assert_int_equal(it.len, big);
    assert_int_equal(pmt_spool_next(sp, &it), 1);
    expect_text(&it, "small", 1);
    assert_int_equal(pmt_spool_next(sp, &it), 1);
    expect_text(&it, "after", 2);
    assert_int_equal(pmt_spool_next(sp, &it), 0);
    pmt_spool_free(sp);
    free(text);
}

static void empty_spool(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(0, NULL);
    struct pmt_spool_item it;
    assert_int_equal(pmt_spool_finish(sp), 0);
    assert_int_equal(pmt_spool_next(sp, &it), 0);
    pmt_spool_free(sp);
}

static void unwritable_tmpdir_is_reported(void **state)
{
    (void)state;
    struct pmt_spool *sp = pmt_spool_new(4096, "/nonexistent-pmt-dir");
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        rc = add(sp, i, 0, (uint64_t)i + 1, "some text to fill the chunk");
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
        cmocka_unit_test(jitter_within_the_window_keeps_one_run),
        cmocka_unit_test(record_larger_than_a_chunk),
        cmocka_unit_test(empty_spool),
        cmocka_unit_test(unwritable_tmpdir_is_reported),
    };
    int failed = cmocka_run_group_tests_name("spool", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
