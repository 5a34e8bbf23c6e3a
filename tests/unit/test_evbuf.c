/* Packed events: round trip, continuations, limits, moving the open event. */
#include "testutil.h"

#include "pmt/evbuf.h"

static struct pmt_event mk(int64_t t, uint64_t line, const char *host, const char *msg)
{
    struct pmt_event ev;
    pmt_event_clear(&ev);
    ev.t_ns = t;
    ev.line = line;
    ev.src = 3;
    ev.off_s = 10800;
    ev.severity = PMT_SEV_ERR;
    ev.flags = PMT_EV_YEAR_ASSUMED;
    ev.f[PMT_F_HOST] = pmt_str_make(host, strlen(host));
    ev.f[PMT_F_MESSAGE] = pmt_str_make(msg, strlen(msg));
    return ev;
}

static void round_trip(void **state)
{
    (void)state;
    struct pmt_evbuf b;
    pmt_evbuf_init(&b, 0);
    struct pmt_event e = mk(42, 7, "web-01", "hello");
    e.f[PMT_F_SD] = pmt_str_make("[a b=\"c\"]", 9);
    assert_int_equal(pmt_evbuf_add(&b, &e), 0);
    size_t pos = 0;
    struct pmt_event got;
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 1);
    assert_int_equal(got.t_ns, 42);
    assert_int_equal(got.line, 7);
    assert_int_equal(got.src, 3);
    assert_int_equal(got.off_s, 10800);
    assert_int_equal(got.severity, PMT_SEV_ERR);
    assert_int_equal(got.flags, PMT_EV_YEAR_ASSUMED);
    assert_int_equal(got.f[PMT_F_HOST].len, 6);
    assert_memory_equal(got.f[PMT_F_HOST].p, "web-01", 6);
    assert_int_equal(got.f[PMT_F_SD].len, 9);
    assert_int_equal(got.f[PMT_F_PROGRAM].len, 0);
    assert_memory_equal(got.f[PMT_F_MESSAGE].p, "hello", 5);
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 0);
    pmt_evbuf_free(&b);
}

static void http_fields_and_numbers_round_trip(void **state)
{
    (void)state;
    struct pmt_evbuf b;
    pmt_evbuf_init(&b, 0);
    struct pmt_event e = mk(5, 9, "", "GET /login HTTP/1.1");
    e.f[PMT_F_CLIENT] = pmt_str_make("203.0.113.7", 11);
    e.f[PMT_F_PATH] = pmt_str_make("/login", 6);
    e.f[PMT_F_USER_AGENT] = pmt_str_make("curl/7.88.1", 11);
    pmt_event_set_num(&e, PMT_N_STATUS, 502);
    pmt_event_set_num(&e, PMT_N_REQUEST_US, 4000);
    assert_int_equal(pmt_evbuf_add(&b, &e), 0);
    assert_int_equal(pmt_evbuf_continue(&b, pmt_str_make("more", 4)), 0);
    size_t pos = 0;
    struct pmt_event got;
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 1);
    assert_int_equal(got.nmask, (1u << PMT_N_STATUS) | (1u << PMT_N_REQUEST_US));
    assert_int_equal(got.n[PMT_N_STATUS], 502);
    assert_int_equal(got.n[PMT_N_REQUEST_US], 4000);
    assert_int_equal(got.n[PMT_N_BYTES], 0);
    assert_int_equal(got.f[PMT_F_HOST].len, 0);
    assert_memory_equal(got.f[PMT_F_CLIENT].p, "203.0.113.7", 11);
    assert_memory_equal(got.f[PMT_F_PATH].p, "/login", 6);
    assert_memory_equal(got.f[PMT_F_USER_AGENT].p, "curl/7.88.1", 11);
    assert_int_equal(got.f[PMT_F_MESSAGE].len, strlen("GET /login HTTP/1.1\nmore"));
    assert_memory_equal(got.f[PMT_F_MESSAGE].p, "GET /login HTTP/1.1\nmore", got.f[PMT_F_MESSAGE].len);
    pmt_evbuf_free(&b);
}

static void continuation_moves_with_its_event(void **state)
{
    (void)state;
    struct pmt_evbuf a, b;
    pmt_evbuf_init(&a, 0);
    pmt_evbuf_init(&b, 0);
    struct pmt_event e = mk(1, 1, "h", "first");
    assert_int_equal(pmt_evbuf_add(&a, &e), 0);
    e = mk(2, 2, "h", "head");
    assert_int_equal(pmt_evbuf_add(&a, &e), 0);
    assert_int_equal(pmt_evbuf_continue(&a, pmt_str_make("\tmore", 5)), 0);
    pmt_evbuf_move_last(&a, &b); /* as the pipe does when a is full mid-event */
    assert_int_equal(pmt_evbuf_continue(&b, pmt_str_make("\tlast", 5)), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    size_t pos = 0;
    struct pmt_event got;
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 1);
    assert_int_equal(got.f[PMT_F_MESSAGE].len, strlen("head\n\tmore\n\tlast"));
    assert_memory_equal(got.f[PMT_F_MESSAGE].p, "head\n\tmore\n\tlast", got.f[PMT_F_MESSAGE].len);
    assert_int_equal(got.f[PMT_F_HOST].len, 1);
    pos = 0;
    assert_int_equal(pmt_evbuf_next(&a, &pos, &got), 1);
    assert_memory_equal(got.f[PMT_F_MESSAGE].p, "first", 5);
    assert_int_equal(pmt_evbuf_next(&a, &pos, &got), 0);
    /* once closed, a continuation attaches to nothing */
    pmt_evbuf_close_last(&b);
    assert_int_equal(pmt_evbuf_continue(&b, pmt_str_make("x", 1)), 0);
    pos = 0;
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 1);
    assert_int_equal(got.f[PMT_F_MESSAGE].len, strlen("head\n\tmore\n\tlast"));
    pmt_evbuf_free(&a);
    pmt_evbuf_free(&b);
}

static void text_is_cut_at_the_limit(void **state)
{
    (void)state;
    struct pmt_evbuf b;
    pmt_evbuf_init(&b, 0);
    size_t big = PMT_EVENT_MAX_TEXT + 5000;
    char *text = malloc(big + 1);
    memset(text, 'y', big);
    text[big] = '\0';
    struct pmt_event e = mk(1, 1, "h", text);
    assert_int_equal(pmt_evbuf_add(&b, &e), 0);
    for (int i = 0; i < 3; i++) { /* continuations past the limit add nothing */
        assert_int_equal(pmt_evbuf_continue(&b, pmt_str_make("more", 4)), 0);
    }
    size_t pos = 0;
    struct pmt_event got;
    assert_int_equal(pmt_evbuf_next(&b, &pos, &got), 1);
    assert_true(got.flags & PMT_EV_CUT);
    assert_int_equal(got.f[PMT_F_HOST].len + got.f[PMT_F_MESSAGE].len, PMT_EVENT_MAX_TEXT);
    free(text);
    pmt_evbuf_free(&b);
}

static void full_buffer_refuses_and_stays_intact(void **state)
{
    (void)state;
    struct pmt_evbuf b;
    pmt_evbuf_init(&b, 0);
    char msg[1000];
    memset(msg, 'm', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    size_t added = 0;
    for (;;) {
        struct pmt_event e = mk((int64_t)added, added + 1, "h", msg);
        if (pmt_evbuf_add(&b, &e) < 0) {
            break;
        }
        added++;
    }
    assert_true(added > 900); /* about 1 MiB of 1 KB events */
    assert_int_equal(b.n, added);
    size_t pos = 0, n = 0;
    struct pmt_event got;
    while (pmt_evbuf_next(&b, &pos, &got)) {
        assert_int_equal(got.line, n + 1);
        n++;
    }
    assert_int_equal(n, added);
    pmt_evbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(http_fields_and_numbers_round_trip),
        cmocka_unit_test(continuation_moves_with_its_event),
        cmocka_unit_test(text_is_cut_at_the_limit),
        cmocka_unit_test(full_buffer_refuses_and_stays_intact),
    };
    return cmocka_run_group_tests_name("evbuf", tests, NULL, NULL);
}
