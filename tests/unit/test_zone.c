/*
 * Zones against an independent implementation: glibc's localtime_r under TZ (set here, in the
 * test only; pmtimeline itself never reads TZ for conversions). 50 zones, 1970-2040, every
 * transition found to the second.
 */
#include "testutil.h"

#include <time.h>

#include "pmt/event.h"
#include "pmt/tz.h"

static const char *const zones[] = {
    "UTC", "Africa/Nairobi", "Africa/Lagos", "Africa/Johannesburg", "Africa/Casablanca",
    "Africa/Cairo", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "America/Halifax", "America/St_Johns",
    "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Mexico_City",
    "America/Havana", "America/Santiago", "America/Caracas", "America/Nuuk", "Europe/London",
    "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Moscow", "Europe/Istanbul",
    "Europe/Lisbon", "Europe/Helsinki", "Atlantic/Azores", "Asia/Kolkata", "Asia/Kathmandu",
    "Asia/Tehran", "Asia/Jerusalem", "Asia/Shanghai", "Asia/Tokyo", "Asia/Dhaka",
    "Asia/Karachi", "Asia/Singapore", "Asia/Pyongyang", "Australia/Sydney",
    "Australia/Adelaide", "Australia/Lord_Howe", "Australia/Perth", "Australia/Eucla",
    "Pacific/Auckland", "Pacific/Chatham", "Pacific/Apia", "Pacific/Kiritimati",
    "Antarctica/Troll",
};

static long glibc_off(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

static void check_instant(const char *name, const struct pmt_zone *z, int64_t t, size_t *checked)
{
    long want = glibc_off((time_t)t);
    int32_t got = pmt_zone_offset_at(z, t);
    if (got != want) {
        fail_msg("%s at %lld: offset %d, glibc says %ld", name, (long long)t, got, want);
    }
    /* and back: the local time this instant shows must resolve to it */
    int64_t early, late;
    enum pmt_local_kind k = pmt_zone_local(z, t + got, &early, &late);
    if (k == PMT_LOCAL_GAP || (early != t && late != t)) {
        fail_msg("%s at %lld: local %lld resolves to %lld/%lld (kind %d)", name, (long long)t,
                 (long long)(t + got), (long long)early, (long long)late, k);
    }
    (*checked)++;
}

static void matches_glibc_in_50_zones(void **state)
{
    (void)state;
    const int64_t from = 0, to = 2208988800LL; /* 1970 .. 2040 */
    size_t checked = 0, transitions = 0;
    char err[300];
    for (size_t i = 0; i < PMT_ARRAY_LEN(zones); i++) {
        struct pmt_zone *z = pmt_zone_parse(zones[i], err, sizeof(err));
        if (!z) {
            fail_msg("%s: %s", zones[i], err);
        }
        setenv("TZ", zones[i], 1);
        tzset();
        int64_t step = 3 * 86400 + 3607; /* not a whole day: samples drift through the clock */
        long prev = glibc_off((time_t)from);
        for (int64_t t = from; t < to; t += step) {
            long cur = glibc_off((time_t)t);
            if (cur != prev) {
                /* a transition in (t - step, t]: find its exact second */
                int64_t lo = t - step, hi = t;
                while (hi - lo > 1) {
                    int64_t mid = lo + (hi - lo) / 2;
                    if (glibc_off((time_t)mid) == prev) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                check_instant(zones[i], z, hi - 1, &checked);
                check_instant(zones[i], z, hi, &checked);
                check_instant(zones[i], z, hi + 1, &checked);
                transitions++;
                prev = cur;
            }
            check_instant(zones[i], z, t, &checked);
        }
        pmt_zone_free(z);
    }
    unsetenv("TZ");
    tzset();
    print_message("checked %zu instants, %zu transitions\n", checked, transitions);
    assert_true(transitions > 3000);
}

/* Resolves a sequence of zone-less local stamps like one input would. */
static void dst_overlap_follows_the_log(void **state)
{
    (void)state;
    char err[200];
    struct pmt_zone *ny = pmt_zone_parse("America/New_York", err, sizeof(err));
    assert_non_null(ny);
    struct pmt_srctime st = {.zone = ny, .zone_given = 1, .ref_s = 1735689600};
    /* 2024-11-03: clocks fall back from 02:00 EDT to 01:00 EST */
    static const struct {
        int h, m;
        int64_t want;
        uint16_t flag;
    } seq[] = {
        {0, 59, 1730609940, 0},                  /* 04:59Z, EDT */
        {1, 30, 1730611800, PMT_EV_DST_EARLIER}, /* 05:30Z, first 01:30 */
        {1, 59, 1730613540, PMT_EV_DST_EARLIER}, /* 05:59Z */
        {1, 0, 1730613600, PMT_EV_DST_LATER},    /* 06:00Z: the second 01:00 */
        {1, 30, 1730615400, PMT_EV_DST_LATER},   /* 06:30Z */
        {2, 0, 1730617200, 0},                   /* 07:00Z, EST */
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(seq); i++) {
        struct pmt_civil c = {.year = 2024, .mon = 11, .day = 3, .hour = seq[i].h,
                              .min = seq[i].m, .has_year = 1};
        int64_t t;
        int32_t off;
        uint16_t fl;
        assert_int_equal(pmt_srctime_resolve(&st, &c, &t, &off, &fl), 0);
        if (t / 1000000000LL != seq[i].want ||
            (fl & (PMT_EV_DST_EARLIER | PMT_EV_DST_LATER)) != seq[i].flag) {
            fail_msg("step %zu (%02d:%02d): got %lld flags %u, want %lld flags %u", i, seq[i].h,
                     seq[i].m, (long long)(t / 1000000000LL), fl, (long long)seq[i].want,
                     seq[i].flag);
        }
    }
    /* 2024-03-10: 02:30 does not exist; it reads as 03:30 EDT, flagged */
    struct pmt_civil gap = {.year = 2024, .mon = 3, .day = 10, .hour = 2, .min = 30,
                            .has_year = 1};
    int64_t t;
    int32_t off;
    uint16_t fl;
    assert_int_equal(pmt_srctime_resolve(&st, &gap, &t, &off, &fl), 0);
    assert_int_equal(t / 1000000000LL, 1710055800); /* 07:30Z */
    assert_true(fl & PMT_EV_DST_GAP);
    assert_false(fl & PMT_EV_ZONE_ASSUMED); /* the zone was given */
    pmt_zone_free(ny);
}

static void names_abbreviations_and_refusals(void **state)
{
    (void)state;
    char err[400];
    static const struct {
        const char *spec, *name;
        int64_t t;
        const char *label;
    } ok[] = {
        {"EAT", "Africa/Nairobi", 1772947270, "EAT"},
        {"pst", "America/Los_Angeles", 1772947270, "PST"},
        {"PDT", "America/Los_Angeles", 1783000000, "PDT"},
        {"CET", "Europe/Paris", 1772947270, "CET"},
        {"Asia/Kathmandu", "Asia/Kathmandu", 1772947270, "+05:45"},
        {"Europe/Dublin", "Europe/Dublin", 1783000000, "IST"},
        {"+03:00", "UTC+03:00", 0, "+03:00"},
        {"UTC", "UTC", 0, "UTC"},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(ok); i++) {
        struct pmt_zone *z = pmt_zone_parse(ok[i].spec, err, sizeof(err));
        if (!z) {
            fail_msg("%s: %s", ok[i].spec, err);
        }
        char lab[16];
        lab[pmt_zone_stamp_label(z, ok[i].t, lab)] = '\0';
        if (strcmp(pmt_zone_name(z), ok[i].name) != 0 || strcmp(lab, ok[i].label) != 0) {
            fail_msg("%s: name %s label %s", ok[i].spec, pmt_zone_name(z), lab);
        }
        pmt_zone_free(z);
    }
    assert_null(pmt_zone_parse("IST", err, sizeof(err)));
    assert_non_null(strstr(err, "Asia/Kolkata"));
    assert_non_null(strstr(err, "Europe/Dublin"));
    assert_null(pmt_zone_parse("CST", err, sizeof(err)));
    assert_non_null(strstr(err, "Asia/Shanghai"));
    assert_null(pmt_zone_parse("Europe/Londn", err, sizeof(err)));
    assert_non_null(strstr(err, "did you mean: Europe/London"));
    assert_null(pmt_zone_parse("nairobi", err, sizeof(err)));
    assert_non_null(strstr(err, "Africa/Nairobi"));
    assert_null(pmt_zone_parse("../../etc/passwd", err, sizeof(err)));
    assert_non_null(strstr(err, "unknown time zone"));
}

static void heading_names_the_zone_over_the_span(void **state)
{
    (void)state;
    char err[200], d[160];
    struct pmt_zone *la = pmt_zone_parse("America/Los_Angeles", err, sizeof(err));
    pmt_zone_describe(la, 1772947270, 1772950870, d, sizeof(d));
    assert_string_equal(d, "PST (UTC-08:00, America/Los_Angeles)");
    /* across the 2026-03-08 spring-forward */
    pmt_zone_describe(la, 1772947270, 1773100000, d, sizeof(d));
    assert_string_equal(d, "PST/PDT (America/Los_Angeles)");
    pmt_zone_free(la);
    struct pmt_zone *kt = pmt_zone_parse("Asia/Kathmandu", err, sizeof(err));
    pmt_zone_describe(kt, 0, 10, d, sizeof(d));
    assert_string_equal(d, "UTC+05:30 (Asia/Kathmandu)"); /* 1970: +05:30, before 1986 */
    pmt_zone_free(kt);
}

static void default_zone_follows_tz(void **state)
{
    (void)state;
    char err[200] = "";
    setenv("TZ", "Asia/Tokyo", 1);
    struct pmt_zone *z = pmt_zone_default(err, sizeof(err));
    assert_string_equal(pmt_zone_name(z), "Asia/Tokyo");
    pmt_zone_free(z);
    setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1); /* a POSIX TZ string, not a file */
    z = pmt_zone_default(err, sizeof(err));
    assert_int_equal(pmt_zone_offset_at(z, 1783000000), -4 * 3600);
    assert_int_equal(pmt_zone_offset_at(z, 1772947270), -5 * 3600);
    pmt_zone_free(z);
    setenv("TZ", "Nowhere/Special", 1);
    z = pmt_zone_default(err, sizeof(err));
    assert_string_equal(pmt_zone_name(z), "UTC");
    assert_non_null(strstr(err, "Nowhere/Special"));
    pmt_zone_free(z);
    unsetenv("TZ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_glibc_in_50_zones),
        cmocka_unit_test(dst_overlap_follows_the_log),
        cmocka_unit_test(names_abbreviations_and_refusals),
        cmocka_unit_test(heading_names_the_zone_over_the_span),
        cmocka_unit_test(default_zone_follows_tz),
    };
    return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
