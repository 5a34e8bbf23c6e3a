/* Calendar arithmetic, instant formatting, and per-input resolution of stamps. See pmt/tz.h.
 * Zones themselves are in zone.c. */
#include "pmt/tz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "pmt/event.h"

int64_t pmt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void pmt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int pmt_days_in_month(int64_t y, int m)
{
    static const unsigned char dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int pmt_civil_valid(const struct pmt_civil *c)
{
    if (c->mon < 1 || c->mon > 12 || c->day < 1 || c->hour < 0 || c->hour > 23 || c->min < 0 ||
        c->min > 59 || c->sec < 0 || c->sec > 60 || c->nsec < 0 || c->nsec >= PMT_NS_PER_S) {
        return 0;
    }
    /* Without a year, Feb 29 is possible; the resolver checks it once the year is known. */
    int64_t y = c->has_year ? c->year : 2000;
    if (c->day > pmt_days_in_month(y, c->mon)) {
        return 0;
    }
    /* Instants are int64 nanoseconds: 1677-09-21 to 2262-04-11. Stay well inside. */
    if (c->has_year && (c->year < PMT_YEAR_MIN || c->year > PMT_YEAR_MAX)) {
        return 0;
    }
    if (c->has_off && (c->off_s < -26 * 3600 || c->off_s > 26 * 3600)) {
        return 0;
    }
    return 1;
}

static int64_t civil_local_seconds(int64_t y, const struct pmt_civil *c)
{
    /* A leap second (:60) is folded onto :59, which keeps ordering and never invents a minute. */
    int sec = c->sec == 60 ? 59 : c->sec;
    return pmt_days_from_civil(y, c->mon, c->day) * 86400 + c->hour * 3600 + c->min * 60 + sec;
}

/* ---- reading ---- */

static int dig2(const char *p)
{
    return (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9') ? (p[0] - '0') * 10 + (p[1] - '0')
                                                                      : -1;
}

int pmt_parse_iso(const char *p, size_t n, struct pmt_civil *c)
{
    const char *end = p + n;
    while (p < end && *p == ' ') {
        p++;
    }
    while (end > p && end[-1] == ' ') {
        end--;
    }
    memset(c, 0, sizeof(*c));
    if (end - p < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') ||
        p[13] != ':' || p[16] != ':') {
        return -1;
    }
    int y1 = dig2(p), y2 = dig2(p + 2);
    c->mon = dig2(p + 5);
    c->day = dig2(p + 8);
    c->hour = dig2(p + 11);
    c->min = dig2(p + 14);
    c->sec = dig2(p + 17);
    if (y1 < 0 || y2 < 0 || c->mon < 0 || c->day < 0 || c->hour < 0 || c->min < 0 || c->sec < 0) {
        return -1;
    }
    c->year = y1 * 100 + y2;
    c->has_year = 1;
    p += 19;
    if (p < end && (*p == '.' || *p == ',')) {
        int digits = 0;
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (digits < 9) {
                c->nsec = c->nsec * 10 + (*p - '0');
                digits++;
            }
        }
        while (digits++ < 9) {
            c->nsec *= 10;
        }
    }
    while (p < end && *p == ' ') {
        p++;
    }
    if (p == end) {
        return pmt_civil_valid(c) ? 0 : -1; /* no zone */
    }
    if (*p == 'Z' || *p == 'z') {
        c->has_off = 1;
        p++;
    } else if (end - p == 3 && (memcmp(p, "UTC", 3) == 0 || memcmp(p, "GMT", 3) == 0)) {
        c->has_off = 1; /* "2017-06-28 17:28:03 UTC" (Foreman) */
        p += 3;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int h = dig2(p + 1), m = 0;
        if (end - p < 3 || h < 0) {
            return -1;
        }
        p += 3;
        if (p < end && *p == ':') {
            p++;
        }
        if (end - p >= 2 && (m = dig2(p)) >= 0) {
            p += 2;
        } else {
            m = 0;
        }
        c->off_s = sign * (h * 3600 + m * 60);
        c->has_off = 1;
    }
    return p == end && pmt_civil_valid(c) ? 0 : -1;
}

/* ---- formatting ---- */

static inline void put2(char *b, unsigned v)
{
    b[0] = (char)('0' + v / 10);
    b[1] = (char)('0' + v % 10);
}

size_t pmt_fmt_datetime(char *buf, int64_t local_s, char sep)
{
    int64_t days = local_s >= 0 ? local_s / 86400 : -((-local_s + 86399) / 86400);
    int64_t sod = local_s - days * 86400;
    int64_t y;
    int m, d;
    pmt_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        y = y < 0 ? 0 : 9999; /* cannot happen for resolved stamps; keeps the width fixed */
    }
    put2(buf, (unsigned)(y / 100));
    put2(buf + 2, (unsigned)(y % 100));
    buf[4] = '-';
    put2(buf + 5, (unsigned)m);
    buf[7] = '-';
    put2(buf + 8, (unsigned)d);
    buf[10] = sep;
    put2(buf + 11, (unsigned)(sod / 3600));
    buf[13] = ':';
    put2(buf + 14, (unsigned)(sod / 60 % 60));
    buf[16] = ':';
    put2(buf + 17, (unsigned)(sod % 60));
    return 19;
}

size_t pmt_fmt_offset(char *buf, int32_t off, int z_for_utc)
{
    if (off == 0 && z_for_utc) {
        buf[0] = 'Z';
        return 1;
    }
    buf[0] = off < 0 ? '-' : '+';
    unsigned a = (unsigned)(off < 0 ? -off : off);
    put2(buf + 1, a / 3600);
    buf[3] = ':';
    put2(buf + 4, a / 60 % 60);
    return 6;
}

size_t pmt_fmt_fraction(char *buf, int32_t nsec)
{
    if (nsec <= 0) {
        return 0;
    }
    int digits = nsec % 1000000 == 0 ? 3 : nsec % 1000 == 0 ? 6 : 9;
    unsigned v = (unsigned)nsec;
    if (digits == 3) {
        v /= 1000000;
    } else if (digits == 6) {
        v /= 1000;
    }
    buf[0] = '.';
    for (int i = digits; i > 0; i--) {
        buf[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return (size_t)digits + 1;
}

/* ---- per-source resolution ---- */

/* The switch reads at most the 3 bytes it compares. */
int pmt_month_abbr(const char *p)
{
    switch (p[0]) {
    case 'J':
        if (p[1] == 'a' && p[2] == 'n') return 1;
        if (p[1] == 'u' && p[2] == 'n') return 6;
        if (p[1] == 'u' && p[2] == 'l') return 7;
        return 0;
    case 'F': return p[1] == 'e' && p[2] == 'b' ? 2 : 0;
    case 'M':
        if (p[1] == 'a' && p[2] == 'r') return 3;
        if (p[1] == 'a' && p[2] == 'y') return 5;
        return 0;
    case 'A':
        if (p[1] == 'p' && p[2] == 'r') return 4;
        if (p[1] == 'u' && p[2] == 'g') return 8;
        return 0;
    case 'S': return p[1] == 'e' && p[2] == 'p' ? 9 : 0;
    case 'O': return p[1] == 'c' && p[2] == 't' ? 10 : 0;
    case 'N': return p[1] == 'o' && p[2] == 'v' ? 11 : 0;
    case 'D': return p[1] == 'e' && p[2] == 'c' ? 12 : 0;
    default: return 0;
    }
}

/* How far back a log may step (jitter) before a repeated hour's later reading is chosen. */
#define DST_BACKSTEP_S 600

int pmt_srctime_resolve(struct pmt_srctime *st, const struct pmt_civil *c, int64_t *t_ns,
                        int32_t *off, uint16_t *flags)
{
    uint16_t fl = 0;
    int64_t y;
    if (!pmt_civil_valid(c)) {
        return -1;
    }
    if (c->has_year) {
        y = c->year;
    } else {
        fl |= PMT_EV_YEAR_ASSUMED;
        if (st->forced_year) {
            y = st->forced_year;
        } else {
            /* The reference's year in the source zone, or the one before when that would put
             * the stamp more than a day after the reference. (The reference's local time is
             * worked out once per input.) */
            if (!st->ref_ready) {
                st->ref_local = st->ref_s + pmt_zone_offset_at(st->zone, st->ref_s);
                int rm, rd;
                pmt_civil_from_days(st->ref_local >= 0 ? st->ref_local / 86400
                                                       : -((-st->ref_local + 86399) / 86400),
                                    &st->ref_year, &rm, &rd);
                st->ref_ready = 1;
            }
            int64_t rlocal = c->has_off ? st->ref_s + c->off_s : st->ref_local;
            y = st->ref_year;
            if (civil_local_seconds(y, c) > rlocal + 86400) {
                y--;
            }
        }
        if (c->mon == 2 && c->day == 29 && !is_leap(y)) {
            /* A year-less Feb 29 belongs to the nearest earlier leap year. */
            while (!is_leap(y)) {
                y--;
            }
        }
    }
    if (y < PMT_YEAR_MIN || y > PMT_YEAR_MAX) {
        return -1; /* an inferred or forced year outside what an instant can hold */
    }
    int64_t local = civil_local_seconds(y, c);
    int64_t utc;
    int32_t o;
    if (c->has_off) {
        o = c->off_s;
        utc = local - o;
        st->seen_off = o;
        st->has_seen_off = 1;
    } else {
        if (!st->zone_given) {
            fl |= PMT_EV_ZONE_ASSUMED;
        }
        int64_t early, late;
        enum pmt_local_kind kind;
        if (local >= st->cache_lo && local < st->cache_hi) {
            kind = PMT_LOCAL_UNIQUE;
            early = local - st->cache_off;
        } else {
            kind = pmt_zone_local(st->zone, local, &early, &late);
            if (kind == PMT_LOCAL_UNIQUE) {
                /* Cache the stretch of local time around it that maps by this offset alone:
                 * 27 h clear of the transitions on either side (offsets stay within 26 h). */
                int64_t lo, hi;
                int32_t o2 = pmt_zone_span_at(st->zone, early, &lo, &hi, NULL);
                st->cache_off = o2;
                st->cache_lo = lo == INT64_MIN ? INT64_MIN : lo + o2 + 27 * 3600;
                st->cache_hi = hi == INT64_MAX ? INT64_MAX : hi + o2 - 27 * 3600;
            }
        }
        switch (kind) {
        case PMT_LOCAL_UNIQUE:
            utc = early;
            break;
        case PMT_LOCAL_GAP:
            utc = early;
            fl |= PMT_EV_DST_GAP;
            break;
        case PMT_LOCAL_AMBIGUOUS:
        default:
            /* A repeated hour: the earlier reading, unless that would take the log back
             * more than a few minutes from its previous line ("01:59, then 01:00" is the
             * second 01:00). A rotated set carries this across its files. */
            if (st->has_prev && early < st->prev_s - DST_BACKSTEP_S) {
                utc = late;
                fl |= PMT_EV_DST_LATER;
            } else {
                utc = early;
                fl |= PMT_EV_DST_EARLIER;
            }
            break;
        }
        o = (int32_t)(local - utc);
    }
    st->prev_s = utc;
    st->has_prev = 1;
    *t_ns = utc * PMT_NS_PER_S + c->nsec;
    *off = o;
    *flags = fl;
    return 0;
}
