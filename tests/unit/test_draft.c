/* The draft: outage window, impact, trigger, detection, folding, limits, and quiet logs. */
#include "testutil.h"

#include "pmt/draft.h"

#define S 1000000000LL
#define T0 1772947500LL /* 2026-03-08T05:25:00Z */

static struct pmt_event http(int64_t t, int status, const char *client)
{
    struct pmt_event ev;
    pmt_event_clear(&ev);
    ev.t_ns = t;
    ev.f[PMT_F_CLIENT] = pmt_str_make(client, strlen(client));
    ev.f[PMT_F_METHOD] = pmt_str_make("GET", 3);
    ev.f[PMT_F_PATH] = pmt_str_make("/login", 6);
    ev.f[PMT_F_MESSAGE] = pmt_str_make("GET /login HTTP/1.1", 19);
    pmt_event_set_num(&ev, PMT_N_STATUS, status);
    return ev;
}

static struct pmt_event line(int64_t t, int sev, const char *prog, const char *msg, uint16_t flags)
{
    struct pmt_event ev;
    pmt_event_clear(&ev);
    ev.t_ns = t;
    ev.severity = (int8_t)sev;
    ev.flags = flags;
    ev.f[PMT_F_PROGRAM] = pmt_str_make(prog, strlen(prog));
    ev.f[PMT_F_MESSAGE] = pmt_str_make(msg, strlen(msg));
    return ev;
}

static const struct pmt_moment *find(const struct pmt_draft_result *r, enum pmt_kind k,
                                     const char *text_part)
{
    for (size_t i = 0; i < r->nmoments; i++) {
        if (r->moments[i].kind == k && (!text_part || strstr(r->moments[i].text, text_part))) {
            return &r->moments[i];
        }
    }
    return NULL;
}

static void http_outage(void **state)
{
    (void)state;
    struct pmt_draft_opts o;
    pmt_draft_opts_default(&o);
    struct pmt_draft *d = pmt_draft_new(&o);
    char c[32];
    /* 10 minutes of traffic, 10 requests a minute from 20 clients; minutes 3..6 fail (502),
     * minute 5 only half; then fine again */
    for (int m = 0; m < 10; m++) {
        for (int k = 0; k < 10; k++) {
            int bad = (m >= 3 && m <= 6) && !(m == 5 && k % 2);
            snprintf(c, sizeof(c), "10.0.0.%d", (m * 10 + k) % 20);
            struct pmt_event e = http((T0 + m * 60 + k * 5) * S, bad ? 502 : 200, c);
            pmt_draft_add(d, &e, "access.log");
        }
    }
    struct pmt_event change = line((T0 + 3 * 60 - 90) * S, PMT_SEV_NOTICE, "puppet",
                                   "puppet run changed: 3 changed, 0 failed", PMT_EV_CONFIG_RUN);
    struct pmt_event alert = line((T0 + 4 * 60 + 30) * S, PMT_SEV_NONE, "alertmanager",
                                  "[FIRING:1] SiteDown web-01", 0);
    struct pmt_event err1 = line((T0 + 3 * 60 + 1) * S, PMT_SEV_ERR, "nginx",
                                 "*12 connect() failed (111) while connecting, client: 10.0.0.1", 0);
    struct pmt_event err2 = line((T0 + 6 * 60 + 2) * S, PMT_SEV_ERR, "nginx",
                                 "*98 connect() failed (111) while connecting, client: 10.0.0.7", 0);
    struct pmt_event resolved = line((T0 + 9 * 60) * S, PMT_SEV_NONE, "alertmanager",
                                     "[RESOLVED] SiteDown web-01", 0);
    pmt_draft_add(d, &resolved, "syslog");
    pmt_draft_add(d, &change, "puppet");
    pmt_draft_add(d, &alert, "syslog");
    pmt_draft_add(d, &err2, "error.log"); /* order does not matter */
    pmt_draft_add(d, &err1, "error.log");
    const struct pmt_draft_result *r = pmt_draft_finish(d);
    assert_true(r->has_window);
    assert_true(r->window_from_http);
    assert_int_equal(r->start_ns, (T0 + 180) * S);     /* the first 502 */
    assert_int_equal(r->end_ns, (T0 + 6 * 60 + 45) * S); /* the last 502 */
    assert_true(r->has_impact);
    assert_int_equal(r->requests, 40);
    assert_int_equal(r->failed, 35);
    assert_int_equal(r->clients, 20);
    assert_true(r->has_trigger);
    assert_int_equal(r->trigger_ns, (T0 + 90) * S);
    assert_non_null(strstr(r->trigger, "puppet run changed"));
    assert_true(r->has_detected);
    assert_int_equal(r->detected_ns, (T0 + 270) * S);
    assert_true(r->share_after > 99.9);
    /* the per-minute series: 10 minutes before the start to 10 after the end */
    assert_int_equal(r->ntraffic, 10 + 4 + 10);
    assert_int_equal(r->traffic[0].minute_ns, (T0 - 7 * 60) * S);
    assert_int_equal(r->traffic[10].requests, 10); /* minute 3: all failing */
    assert_int_equal(r->traffic[10].e5xx, 10);
    assert_int_equal(r->traffic[10].clients, 10);  /* 10 distinct clients a minute */
    assert_int_equal(r->traffic[12].e5xx, 5);      /* minute 5: half */
    assert_int_equal(r->traffic[0].requests, 0);   /* before the logs */
    assert_true(r->has_resolved);
    assert_int_equal(r->resolved_ns, (T0 + 540) * S);
    /* the timeline marks the trigger and the detecting alert, saying how they relate */
    const struct pmt_moment *tr = find(r, PMT_K_TRIGGER, "puppet run changed");
    assert_non_null(tr);
    assert_non_null(strstr(tr->text, "possible trigger, 90 seconds before the start"));
    const struct pmt_moment *de = find(r, PMT_K_DETECTED, "SiteDown");
    assert_non_null(de);
    assert_non_null(strstr(de->text, "detected, 90 seconds after the start"));
    /* the two connect() lines fold into one, with a count and a range */
    const struct pmt_moment *f = find(r, PMT_K_ERROR, "connect() failed");
    assert_non_null(f);
    assert_int_equal(f->count, 2);
    assert_int_equal(f->end_ns, (T0 + 362) * S);
    assert_null(strstr(f->text, "client:")); /* nginx's per-request trailer is left out */
    assert_non_null(find(r, PMT_K_OUTAGE_START, "first 502 GET /login"));
    assert_non_null(find(r, PMT_K_OUTAGE_END, NULL));
    for (size_t i = 1; i < r->nmoments; i++) { /* time order, by the minute */
        assert_true(r->moments[i - 1].t_ns / (60 * S) <= r->moments[i].t_ns / (60 * S));
    }
    pmt_draft_free(d);
}

static void quiet_logs_have_no_outage(void **state)
{
    (void)state;
    struct pmt_draft_opts o;
    pmt_draft_opts_default(&o);
    struct pmt_draft *d = pmt_draft_new(&o);
    for (int k = 0; k < 100; k++) {
        struct pmt_event e = http((T0 + k) * S, k == 50 ? 500 : 200, "10.0.0.1");
        pmt_draft_add(d, &e, "a");
        struct pmt_event l = line((T0 + k) * S, PMT_SEV_INFO, "cron", "job 42 done", 0);
        pmt_draft_add(d, &l, "b");
    }
    const struct pmt_draft_result *r = pmt_draft_finish(d);
    assert_false(r->has_window); /* one 500 in a minute of 60 is below the 10% share */
    assert_false(r->has_impact);
    assert_false(r->has_trigger);
    assert_int_equal(r->nmoments, 0); /* info lines are no moments */
    pmt_draft_free(d);
}

static void max_lines_keeps_the_most_significant(void **state)
{
    (void)state;
    struct pmt_draft_opts o;
    pmt_draft_opts_default(&o);
    o.max_lines = 3;
    struct pmt_draft *d = pmt_draft_new(&o);
    char msg[64];
    for (int k = 0; k < 10; k++) {
        snprintf(msg, sizeof(msg), "Started unit-%c.service", 'a' + k); /* distinct templates */
        struct pmt_event e = line((T0 + k * 60) * S, PMT_SEV_INFO, "systemd", msg, 0);
        pmt_draft_add(d, &e, "s");
    }
    struct pmt_event oom = line((T0 + 5 * 60 + 1) * S, PMT_SEV_ERR, "kernel",
                                "Out of memory: Killed process 4242 (postgres)", 0);
    pmt_draft_add(d, &oom, "k");
    const struct pmt_draft_result *r = pmt_draft_finish(d);
    assert_int_equal(r->nmoments, 3);
    assert_non_null(find(r, PMT_K_STATE, "Out of memory"));
    pmt_draft_free(d);
}

/* What folds into one template: numbers, addresses, hex ids and pointers that start a word;
 * what stays apart: words that contain digits ("sha256", "sha512"), and different programs. */
static void templates_fold_what_varies(void **state)
{
    (void)state;
    struct pmt_draft_opts o;
    pmt_draft_opts_default(&o);
    struct pmt_draft *d = pmt_draft_new(&o);
    char msg[200];
    for (int k = 0; k < 40; k++) { /* one template: 40 x */
        snprintf(msg, sizeof(msg),
                 "*%d connect() to 10.0.%d.%d:%d failed, request id %x-%04x, took %d.%03d s at %p",
                 700 + k, k % 7, k, 9000 + k, 0xdead00 + k, k * 37, k, k * 13,
                 (void *)(uintptr_t)(0x7f3a00001000u + 4096u * (unsigned)k));
        struct pmt_event e = line((T0 + k) * S, PMT_SEV_ERR, "nginx", msg, 0);
        pmt_draft_add(d, &e, "e");
    }
    const char *apart[] = {"ipv6 sha256 failed", "ipv6 sha512 failed", "abc-123 x", "ghi-123 x"};
    for (size_t k = 0; k < 4; k++) { /* four more templates, one each */
        struct pmt_event e = line((T0 + 100 + (int64_t)k) * S, PMT_SEV_ERR, "app", apart[k], 0);
        pmt_draft_add(d, &e, "e");
    }
    struct pmt_event other = line((T0 + 200) * S, PMT_SEV_ERR, "haproxy", "*1 connect() to "
                                  "10.0.0.1:9000 failed, request id dead01-0001, took 1.000 s", 0);
    pmt_draft_add(d, &other, "e"); /* same shape, another program: apart */
    const struct pmt_draft_result *r = pmt_draft_finish(d);
    size_t errors = 0;
    for (size_t i = 0; i < r->nmoments; i++) {
        errors += r->moments[i].kind == PMT_K_ERROR;
    }
    assert_int_equal(errors, 6);
    const struct pmt_moment *m = find(r, PMT_K_ERROR, "request id dead00");
    assert_non_null(m);
    assert_int_equal(m->count, 40);
    assert_int_equal(m->end_ns - m->t_ns, 39 * S);
    assert_non_null(find(r, PMT_K_ERROR, "ipv6 sha256"));
    assert_non_null(find(r, PMT_K_ERROR, "ipv6 sha512"));
    pmt_draft_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_outage),
        cmocka_unit_test(quiet_logs_have_no_outage),
        cmocka_unit_test(max_lines_keeps_the_most_significant),
        cmocka_unit_test(templates_fold_what_varies),
    };
    return cmocka_run_group_tests_name("draft", tests, NULL, NULL);
}
