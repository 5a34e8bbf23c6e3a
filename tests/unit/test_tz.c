/* Calendar arithmetic against glibc's timegm, zone spellings, and the text forms. */
#include "testutil.h"

#include <time.h>

#include "pmt/event.h"
#include "pmt/tz.h"

static void days_match_timegm(void **state)
{
    (void)state;
    /* Every day from 1900 to 2100 both ways, against an independent implementation. */
    for (int64_t days = -25567; days < 47482; days++) {
        int64_t y;
        int m, d;
        pmt_civil_from_days(days, &y, &m, &d);
        struct tm tm = {.tm_year = (int)y - 1900, .tm_mon = m - 1, .tm_mday = d};
        time_t t = timegm(&tm);
        if ((int64_t)t != days * 86400) {
            fail_msg("day %lld: %04lld-%02d-%02d is %lld by timegm", (long long)days,
                     (long long)y, m, d, (long long)t);
        }
        assert_int_equal(pmt_days_from_civil(y, m, d), days);
    }
}

static void zone_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        int32_t off;
        const char *name;
    } ok[] = {
        {"UTC", 0, "UTC"},          {"Z", 0, "UTC"},           {"GMT", 0, "UTC"},
        {"+03:00", 10800, "UTC+03:00"}, {"+0530", 19800, "UTC+05:30"}, {"UTC+3", 10800, "UTC+03:00"},
        {"GMT+1", 3600, "UTC+01:00"}, {"UTC-07:00", -25200, "UTC-07:00"}, {"-7", -25200, "UTC-07:00"},
        {"+05:45", 20700, "UTC+05:45"}, {"UTC+0", 0, "UTC"},
    };
    char err[200];
    for (size_t i = 0; i < PMT_ARRAY_LEN(ok); i++) {
        struct pmt_zone *z = pmt_zone_parse(ok[i].spec, err, sizeof(err));
        if (!z) {
            fail_msg("%s: refused: %s", ok[i].spec, err);
        }
        if (pmt_zone_offset_at(z, 0) != ok[i].off || strcmp(pmt_zone_name(z), ok[i].name) != 0) {
            fail_msg("%s: offset %d name %s", ok[i].spec, pmt_zone_offset_at(z, 0),
                     pmt_zone_name(z));
        }
        pmt_zone_free(z);
    }
    static const char *const bad[] = {"", "+", "UTC+", "+3:7", "+123", "+25:00", "Mars/Base", "3"};
    for (size_t i = 0; i < PMT_ARRAY_LEN(bad); i++) {
        struct pmt_zone *z = pmt_zone_parse(bad[i], err, sizeof(err));
        if (z) {
            fail_msg("'%s' accepted", bad[i]);
        }
        assert_non_null(strstr(err, "unknown time zone"));
    }
}

static void text_forms(void **state)
{
    (void)state;
    char b[40];
    assert_int_equal(pmt_fmt_datetime(b, 1675825201, 'T'), 19);
    assert_memory_equal(b, "2023-02-08T03:00:01", 19);
    assert_int_equal(pmt_fmt_datetime(b, -1, ' '), 19);
    assert_memory_equal(b, "1969-12-31 23:59:59", 19);
    assert_int_equal(pmt_fmt_offset(b, 0, 1), 1);
    assert_memory_equal(b, "Z", 1);
    assert_int_equal(pmt_fmt_offset(b, -(5 * 3600 + 1800), 0), 6);
    assert_memory_equal(b, "-05:30", 6);
    assert_int_equal(pmt_fmt_fraction(b, 0), 0);
    assert_int_equal(pmt_fmt_fraction(b, 120000000), 4);
    assert_memory_equal(b, ".120", 4);
    assert_int_equal(pmt_fmt_fraction(b, 123456000), 7);
    assert_memory_equal(b, ".123456", 7);
    assert_int_equal(pmt_fmt_fraction(b, 5), 10);
    assert_memory_equal(b, ".000000005", 10);
}

static void year_inference(void **state)
{
    (void)state;
    struct pmt_zone *utc = pmt_zone_utc();
    /* reference: 2024-01-10T00:00:00Z; a file written across New Year */
    struct pmt_srctime st = {.zone = utc, .ref_s = 1704844800};
    struct pmt_civil dec = {.mon = 12, .day = 31, .hour = 23, .min = 59, .sec = 59};
    struct pmt_civil jan = {.mon = 1, .day = 1, .hour = 0, .min = 0, .sec = 1};
    struct pmt_civil feb29 = {.mon = 2, .day = 29, .hour = 12};
    int64_t t;
    int32_t off;
    uint16_t fl;
    assert_int_equal(pmt_srctime_resolve(&st, &dec, &t, &off, &fl), 0);
    assert_int_equal(t, 1704067199LL * 1000000000LL); /* 2023-12-31T23:59:59Z */
    assert_true(fl & PMT_EV_YEAR_ASSUMED);
    assert_true(fl & PMT_EV_ZONE_ASSUMED);
    assert_int_equal(pmt_srctime_resolve(&st, &jan, &t, &off, &fl), 0);
    assert_int_equal(t, 1704067201LL * 1000000000LL); /* 2024-01-01T00:00:01Z */
    /* Feb 29 with a 2023-ish reference must land in a leap year, never on Mar 1 */
    st.ref_s = 1686830400; /* 2023-06-15 */
    assert_int_equal(pmt_srctime_resolve(&st, &feb29, &t, &off, &fl), 0);
    assert_int_equal(t, 1582977600LL * 1000000000LL); /* 2020-02-29T12:00:00Z */
    struct pmt_civil bad = {.mon = 4, .day = 31};
    assert_int_equal(pmt_srctime_resolve(&st, &bad, &t, &off, &fl), -1);
    pmt_zone_free(utc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_match_timegm),
        cmocka_unit_test(zone_spellings),
        cmocka_unit_test(text_forms),
        cmocka_unit_test(year_inference),
    };
    return cmocka_run_group_tests_name("tz", tests, NULL, NULL);
}
