/*
 * Time zones: UTC, fixed offsets, and IANA zones read from the system's tz database (TZif
 * files, RFC 8536): the version 2+ 64-bit data, and the POSIX TZ footer for instants past the
 * table. Nothing here reads TZ except pmt_zone_default, and nothing calls localtime or mktime.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pmt/tz.h"

enum zone_kind { ZONE_UTC, ZONE_FIXED, ZONE_TZIF };

/* A POSIX TZ rule date: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d, and a local time. */
struct rule_date {
    char kind; /* 'J', 'n' or 'M' */
    int m, w, d, n;
    int32_t time; /* seconds after local midnight; may be negative or past 24 h */
};

struct posix_rule {
    char std_abbr[16], dst_abbr[16];
    int32_t std_off, dst_off; /* east of UTC, seconds */
    int has_dst;
    struct rule_date start, end;
};

struct ttinfo {
    int32_t off;
    uint8_t isdst;
    uint8_t abbr; /* index into abbrs */
};

struct pmt_zone {
    enum zone_kind kind;
    int32_t off; /* ZONE_FIXED */
    char name[96];
    const char *note; /* said once on stderr when the zone is chosen, or NULL */
    /* ZONE_TZIF */
    int64_t *trans;
    uint8_t *idx;
    size_t ntrans;
    struct ttinfo *types;
    size_t ntypes;
    char *abbrs;
    size_t nabbrs;
    struct posix_rule rule;
    int has_rule;
};

/* ---- POSIX TZ strings ---- */

static const char *posix_abbr(const char *p, char *out, size_t n)
{
    size_t k = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') {
            if (k + 1 < n) {
                out[k++] = *p;
            }
            p++;
        }
        if (*p != '>') {
            return NULL;
        }
        p++;
    } else {
        while (isalpha((unsigned char)*p)) {
            if (k + 1 < n) {
                out[k++] = *p;
            }
            p++;
        }
        if (k < 3) {
            return NULL;
        }
    }
    out[k] = '\0';
    return p;
}

/* [+-]hh[:mm[:ss]] -> seconds; hours up to 167 (RFC 8536 extension). */
static const char *posix_time(const char *p, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        return NULL;
    }
    int32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*p != ':') {
                break;
            }
            p++;
        }
        if (!isdigit((unsigned char)*p)) {
            return NULL;
        }
        while (isdigit((unsigned char)*p)) {
            v[i] = v[i] * 10 + (*p++ - '0');
            if (v[i] > 1000) {
                return NULL;
            }
        }
    }
    if (v[0] > 167 || v[1] > 59 || v[2] > 59) {
        return NULL;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *posix_date(const char *p, struct rule_date *r)
{
    char *end;
    if (*p == 'J') {
        r->kind = 'J';
        r->n = (int)strtol(p + 1, &end, 10);
        if (end == p + 1 || r->n < 1 || r->n > 365) {
            return NULL;
        }
        p = end;
    } else if (*p == 'M') {
        r->kind = 'M';
        if (sscanf(p, "M%d.%d.%d", &r->m, &r->w, &r->d) != 3 || r->m < 1 || r->m > 12 ||
            r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6) {
            return NULL;
        }
        p++;
        while (isdigit((unsigned char)*p) || *p == '.') {
            p++;
        }
    } else if (isdigit((unsigned char)*p)) {
        r->kind = 'n';
        r->n = (int)strtol(p, &end, 10);
        if (r->n > 365) {
            return NULL;
        }
        p = end;
    } else {
        return NULL;
    }
    r->time = 7200;
    if (*p == '/') {
        p = posix_time(p + 1, &r->time);
    }
    return p;
}

/* "EAT-3", "PST8PDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0". */
static int posix_parse(const char *s, struct posix_rule *r)
{
    memset(r, 0, sizeof(*r));
    int32_t t;
    const char *p = posix_abbr(s, r->std_abbr, sizeof(r->std_abbr));
    if (!p || !(p = posix_time(p, &t))) {
        return -1;
    }
    r->std_off = -t; /* POSIX counts west of UTC as positive */
    if (*p == '\0') {
        return 0;
    }
    if (!(p = posix_abbr(p, r->dst_abbr, sizeof(r->dst_abbr)))) {
        return -1;
    }
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = posix_time(p, &t))) {
            return -1;
        }
        r->dst_off = -t;
    }
    if (*p != ',') {
        /* No rule: POSIX leaves it to the implementation; the US rules are the usual choice. */
        r->start = (struct rule_date){'M', 3, 2, 0, 0, 7200};
        r->end = (struct rule_date){'M', 11, 1, 0, 0, 7200};
        return *p == '\0' ? 0 : -1;
    }
    if (!(p = posix_date(p + 1, &r->start)) || *p != ',' || !(p = posix_date(p + 1, &r->end))) {
        return -1;
    }
    return *p == '\0' ? 0 : -1;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Seconds from the start of year y (local) to the rule date's moment. */
static int64_t rule_seconds(const struct rule_date *r, int64_t y)
{
    int64_t doy;
    if (r->kind == 'J') {
        doy = r->n - 1 + (is_leap(y) && r->n >= 60);
    } else if (r->kind == 'n') {
        doy = r->n;
    } else {
        int64_t first = pmt_days_from_civil(y, r->m, 1);
        int dow1 = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
        int day = 1 + (r->d - dow1 + 7) % 7 + (r->w - 1) * 7;
        int dim = pmt_days_in_month(y, r->m);
        while (day > dim) {
            day -= 7;
        }
        doy = pmt_days_from_civil(y, r->m, day) - pmt_days_from_civil(y, 1, 1);
    }
    return doy * 86400 + r->time;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The rule's DST start and end instants (UTC) for local year y. */
static void rule_transitions(const struct posix_rule *r, int64_t y, int64_t *start, int64_t *end)
{
    int64_t y0 = pmt_days_from_civil(y, 1, 1) * 86400;
    *start = y0 + rule_seconds(&r->start, y) - r->std_off; /* given in standard time */
    *end = y0 + rule_seconds(&r->end, y) - r->dst_off;     /* given in daylight time */
}

static int rule_isdst(const struct posix_rule *r, int64_t t)
{
    if (!r->has_dst) {
        return 0;
    }
    int64_t y;
    int m, d;
    pmt_civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
    int64_t start, end;
    rule_transitions(r, y, &start, &end);
    if (start < end) {
        return t >= start && t < end;
    }
    return !(t >= end && t < start); /* DST spans New Year (south), or "negative DST" (Dublin) */
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parses a TZif file's bytes into z. Returns 0, or -1 with why set. */
static int tzif_parse(struct pmt_zone *z, const unsigned char *p, size_t n, const char **why)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0) {
        *why = "not a TZif file";
        return -1;
    }
    int version = p[4] ? p[4] - '0' : 1;
    const unsigned char *h = p;
    size_t tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if ((size_t)(h - p) + 44 > n) {
            *why = "truncated TZif header";
            return -1;
        }
        uint32_t isutcnt = be32(h + 20), isstdcnt = be32(h + 24), leapcnt = be32(h + 28);
        uint32_t timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
        size_t body = timecnt * tsize + timecnt + typecnt * 6 + charcnt + leapcnt * (tsize + 4) +
                      isstdcnt + isutcnt;
        const unsigned char *d = h + 44;
        if ((size_t)(d - p) + body > n || typecnt == 0 || typecnt > 256 || timecnt > 100000) {
            *why = "inconsistent TZif counts";
            return -1;
        }
        if (pass == 0 && version >= 2) {
            h = d + body; /* skip the 32-bit data: the 64-bit block follows */
            tsize = 8;
            continue;
        }
        z->ntrans = timecnt;
        z->ntypes = typecnt;
        z->nabbrs = charcnt;
        z->trans = pmt_xcalloc(timecnt + 1, sizeof(*z->trans));
        z->idx = pmt_xcalloc(timecnt + 1, 1);
        z->types = pmt_xcalloc(typecnt, sizeof(*z->types));
        z->abbrs = pmt_xcalloc(charcnt + 1, 1);
        for (uint32_t i = 0; i < timecnt; i++) {
            z->trans[i] = tsize == 8 ? be64(d + 8 * i) : (int64_t)(int32_t)be32(d + 4 * i);
        }
        d += timecnt * tsize;
        for (uint32_t i = 0; i < timecnt; i++) {
            z->idx[i] = d[i];
            if (d[i] >= typecnt) {
                *why = "bad TZif type index";
                return -1;
            }
        }
        d += timecnt;
        for (uint32_t i = 0; i < typecnt; i++) {
            z->types[i].off = (int32_t)be32(d + 6 * i);
            z->types[i].isdst = d[6 * i + 4];
            z->types[i].abbr = d[6 * i + 5];
            if (z->types[i].abbr >= charcnt) {
                z->types[i].abbr = 0;
            }
        }
        d += typecnt * 6;
        memcpy(z->abbrs, d, charcnt);
        d += charcnt + leapcnt * (tsize + 4) + isstdcnt + isutcnt;
        /* Version 2+: a newline, a POSIX TZ string, a newline. */
        if (version >= 2 && (size_t)(d - p) < n && *d == '\n') {
            const unsigned char *e = memchr(d + 1, '\n', n - (size_t)(d + 1 - p));
            if (e && e > d + 1) {
                char tz[128];
                size_t len = PMT_MIN((size_t)(e - d - 1), sizeof(tz) - 1);
                memcpy(tz, d + 1, len);
                tz[len] = '\0';
                z->has_rule = posix_parse(tz, &z->rule) == 0;
            }
        }
        return 0;
    }
    *why = "unreachable";
    return -1;
}

static const char *zoneinfo_dir(void)
{
    const char *d = getenv("TZDIR");
    return d && *d ? d : "/usr/share/zoneinfo";
}

static struct pmt_zone *tzif_load(const char *path, const char *name, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = errno == ENOENT ? "no such zone" : strerror(errno);
        return NULL;
    }
    unsigned char *buf = pmt_xmalloc(1 << 20);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    struct pmt_zone *z = pmt_xcalloc(1, sizeof(*z));
    z->kind = ZONE_TZIF;
    snprintf(z->name, sizeof(z->name), "%s", name);
    if (tzif_parse(z, buf, n, why) < 0) {
        free(buf);
        pmt_zone_free(z);
        return NULL;
    }
    free(buf);
    return z;
}

/* A zone name as the tz database spells them: letters, digits, '/', '_', '-', '+'. */
static int plausible_name(const char *s)
{
    if (!*s || *s == '/' || strstr(s, "..")) {
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p)) {
            return 0;
        }
    }
    return 1;
}

static struct pmt_zone *load_named(const char *name, const char **why)
{
    if (!plausible_name(name)) {
        *why = "not a zone name";
        return NULL;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", zoneinfo_dir(), name);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        *why = stat(path, &sb) != 0 && access(zoneinfo_dir(), F_OK) != 0
                   ? "the tz database is not installed (Debian: apt-get install tzdata)"
                   : "no such zone";
        return NULL;
    }
    return tzif_load(path, name, why);
}

/* ---- lookups ---- */

static const struct ttinfo *tzif_type_at(const struct pmt_zone *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans[0]) {
        return &z->types[0];
    }
    size_t lo = 0, hi = z->ntrans; /* last transition <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return &z->types[z->idx[lo]];
}

static int past_table(const struct pmt_zone *z, int64_t t)
{
    return z->has_rule && (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]);
}

const char *pmt_zone_abbr_at(const struct pmt_zone *z, int64_t t, int32_t *off)
{
    switch (z->kind) {
    case ZONE_UTC:
        *off = 0;
        return "UTC";
    case ZONE_FIXED:
        *off = z->off;
        return NULL;
    case ZONE_TZIF:
        break;
    }
    if (past_table(z, t)) {
        int dst = rule_isdst(&z->rule, t);
        *off = dst ? z->rule.dst_off : z->rule.std_off;
        return dst ? z->rule.dst_abbr : z->rule.std_abbr;
    }
    const struct ttinfo *ti = tzif_type_at(z, t);
    *off = ti->off;
    return z->abbrs + ti->abbr;
}

int32_t pmt_zone_span_at(const struct pmt_zone *z, int64_t t, int64_t *lo, int64_t *hi,
                         const char **abbr)
{
    int32_t off;
    const char *a = pmt_zone_abbr_at(z, t, &off);
    if (abbr) {
        *abbr = a;
    }
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    if (z->kind != ZONE_TZIF) {
        return off;
    }
    if (past_table(z, t)) {
        if (z->ntrans > 0) {
            *lo = z->trans[z->ntrans - 1];
        }
        if (z->rule.has_dst) {
            /* the rule's changes nearest to t, from the years around it */
            int64_t y;
            int m, d;
            pmt_civil_from_days(floor_div(t + off, 86400), &y, &m, &d);
            for (int64_t k = y - 1; k <= y + 1; k++) {
                int64_t s, e;
                rule_transitions(&z->rule, k, &s, &e);
                if (s <= t && s > *lo) {
                    *lo = s;
                }
                if (e <= t && e > *lo) {
                    *lo = e;
                }
                if (s > t && s < *hi) {
                    *hi = s;
                }
                if (e > t && e < *hi) {
                    *hi = e;
                }
            }
        }
        return off;
    }
    if (z->ntrans == 0) {
        return off;
    }
    if (t < z->trans[0]) {
        *hi = z->trans[0];
        return off;
    }
    size_t a_ = 0, b_ = z->ntrans; /* last transition <= t */
    while (b_ - a_ > 1) {
        size_t mid = a_ + (b_ - a_) / 2;
        if (z->trans[mid] <= t) {
            a_ = mid;
        } else {
            b_ = mid;
        }
    }
    *lo = z->trans[a_];
    if (a_ + 1 < z->ntrans) {
        *hi = z->trans[a_ + 1]; /* (past the last one, past_table took the rule's case) */
    }
    return off;
}

int32_t pmt_zone_offset_at(const struct pmt_zone *z, int64_t t_s)
{
    int32_t off;
    pmt_zone_abbr_at(z, t_s, &off);
    return off;
}

/* Offsets that could be in force within a day of local time L. */
static size_t candidate_offsets(const struct pmt_zone *z, int64_t L, int32_t *out, size_t max)
{
    size_t n = 0;
#define ADD(o)                                                                                     \
    do {                                                                                           \
        int32_t o_ = (o);                                                                          \
        int seen_ = 0;                                                                             \
        for (size_t k_ = 0; k_ < n; k_++) {                                                        \
            seen_ |= out[k_] == o_;                                                                \
        }                                                                                          \
        if (!seen_ && n < max) {                                                                   \
            out[n++] = o_;                                                                         \
        }                                                                                          \
    } while (0)
    const int64_t span = 27 * 3600; /* offsets stay within +-26 h */
    ADD(pmt_zone_offset_at(z, L - span));
    ADD(pmt_zone_offset_at(z, L + span));
    if (z->kind == ZONE_TZIF) {
        size_t lo = 0, hi = z->ntrans; /* first transition > L - span */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (z->trans[mid] <= L - span) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (size_t i = lo; i < z->ntrans && z->trans[i] <= L + span; i++) {
            ADD(z->types[z->idx[i]].off);
        }
        if (past_table(z, L + span)) {
            ADD(z->rule.std_off);
            if (z->rule.has_dst) {
                ADD(z->rule.dst_off);
            }
        }
    }
#undef ADD
    return n;
}

enum pmt_local_kind pmt_zone_local(const struct pmt_zone *z, int64_t L, int64_t *early,
                                   int64_t *late)
{
    if (z->kind != ZONE_TZIF) {
        *early = *late = L - (z->kind == ZONE_FIXED ? z->off : 0);
        return PMT_LOCAL_UNIQUE;
    }
    int32_t offs[8];
    size_t n = candidate_offsets(z, L, offs, 8);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t t = L - offs[i];
        if (pmt_zone_offset_at(z, t) != offs[i]) {
            continue;
        }
        if (!found) {
            *early = *late = t;
            found = 1;
        } else {
            *early = PMT_MIN(*early, t);
            *late = PMT_MAX(*late, t);
        }
    }
    if (found) {
        return *early == *late ? PMT_LOCAL_UNIQUE : PMT_LOCAL_AMBIGUOUS;
    }
    /* A wall-clock time the clocks skipped: read it with the offset in force before the jump,
     * which lands as far after the jump as it was after its start (02:30 -> 03:30). */
    int32_t before = pmt_zone_offset_at(z, L - 27 * 3600);
    *early = *late = L - before;
    return PMT_LOCAL_GAP;
}

/* ---- names, abbreviations, defaults ---- */

/* Abbreviations people write in postmortems, and the zone each one means. */
static const struct {
    const char *abbr;
    const char *zone;
} abbrevs[] = {
    {"EAT", "Africa/Nairobi"},         {"WAT", "Africa/Lagos"},
    {"CAT", "Africa/Maputo"},          {"SAST", "Africa/Johannesburg"},
    {"PST", "America/Los_Angeles"},    {"PDT", "America/Los_Angeles"},
    {"PT", "America/Los_Angeles"},     {"MST", "America/Denver"},
    {"MDT", "America/Denver"},         {"EST", "America/New_York"},
    {"EDT", "America/New_York"},       {"ET", "America/New_York"},
    {"AKST", "America/Anchorage"},     {"AKDT", "America/Anchorage"},
    {"HST", "Pacific/Honolulu"},       {"CET", "Europe/Paris"},
    {"CEST", "Europe/Paris"},          {"EET", "Europe/Helsinki"},
    {"EEST", "Europe/Helsinki"},       {"WET", "Europe/Lisbon"},
    {"WEST", "Europe/Lisbon"},         {"BST", "Europe/London"},
    {"MSK", "Europe/Moscow"},          {"JST", "Asia/Tokyo"},
    {"KST", "Asia/Seoul"},             {"HKT", "Asia/Hong_Kong"},
    {"SGT", "Asia/Singapore"},         {"PKT", "Asia/Karachi"},
    {"NPT", "Asia/Kathmandu"},         {"WIB", "Asia/Jakarta"},
    {"AEST", "Australia/Sydney"},      {"AEDT", "Australia/Sydney"},
    {"ACST", "Australia/Adelaide"},    {"ACDT", "Australia/Adelaide"},
    {"AWST", "Australia/Perth"},       {"NZST", "Pacific/Auckland"},
    {"NZDT", "Pacific/Auckland"},      {"BRT", "America/Sao_Paulo"},
    {"ART", "America/Argentina/Buenos_Aires"},
};

/* Abbreviations that mean different zones to different readers: refused, with the choices. */
static const struct {
    const char *abbr;
    const char *choices;
} ambiguous[] = {
    {"IST", "Asia/Kolkata (India, +05:30), Asia/Jerusalem (Israel, +02:00), Europe/Dublin "
            "(Irish Standard Time, +01:00 in summer)"},
    {"CST", "America/Chicago (US Central, -06:00), Asia/Shanghai (China, +08:00), "
            "America/Havana (Cuba, -05:00)"},
    {"CDT", "America/Chicago (US Central, -05:00), America/Havana (Cuba, -04:00)"},
    {"AST", "America/Halifax (Atlantic, -04:00), Asia/Riyadh (Arabia, +03:00)"},
    {"ADT", "America/Halifax (Atlantic, -03:00)"},
    {"GST", "Asia/Dubai (Gulf, +04:00), Atlantic/South_Georgia (-02:00)"},
    {"ECT", "America/Guayaquil (Ecuador, -05:00), Europe/Paris (European Central)"},
    {"BT", "Asia/Baghdad (+03:00), Asia/Thimphu (Bhutan, +06:00)"},
};

struct pmt_zone *pmt_zone_utc(void)
{
    struct pmt_zone *z = pmt_xcalloc(1, sizeof(*z));
    z->kind = ZONE_UTC;
    snprintf(z->name, sizeof(z->name), "UTC");
    return z;
}

/* Parses "3", "03", "0530", "05:30", "5:30" after a sign; returns seconds or -1. */
static int32_t parse_offset_digits(const char *p)
{
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*p) && nd < 4) {
        h = h * 10 + (*p++ - '0');
        nd++;
    }
    if (nd == 0 || nd == 3) {
        return -1;
    }
    if (nd == 4) { /* hhmm */
        m = h % 100;
        h /= 100;
    } else if (*p == ':') {
        p++;
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1])) {
            return -1;
        }
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
    }
    if (*p != '\0' || h > 18 || m > 59) {
        return -1;
    }
    return h * 3600 + m * 60;
}

static struct pmt_zone *fixed_zone(int32_t off)
{
    if (off == 0) {
        return pmt_zone_utc();
    }
    struct pmt_zone *z = pmt_xcalloc(1, sizeof(*z));
    z->kind = ZONE_FIXED;
    z->off = off;
    char o[8];
    o[pmt_fmt_offset(o, off, 0)] = '\0';
    snprintf(z->name, sizeof(z->name), "UTC%s", o);
    return z;
}

/* ---- suggestions for unknown names ---- */

struct names {
    char **v;
    size_t n, cap;
};

static void collect(struct names *ns, const char *root, const char *rel, int depth)
{
    char path[600];
    snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d || depth > 4) {
        if (d) {
            closedir(d);
        }
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *e = de->d_name;
        if (e[0] == '.' || strcmp(e, "posix") == 0 || strcmp(e, "right") == 0 ||
            strchr(e, '.')) {
            continue;
        }
        char sub[400];
        snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e);
        char full[1100];
        snprintf(full, sizeof(full), "%s/%s", root, sub);
        struct stat sb;
        if (stat(full, &sb) != 0) {
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            collect(ns, root, sub, depth + 1);
        } else if (S_ISREG(sb.st_mode) && isupper((unsigned char)e[0])) {
            if (ns->n == ns->cap) {
                ns->cap = ns->cap ? ns->cap * 2 : 512;
                ns->v = pmt_xrealloc(ns->v, ns->cap * sizeof(*ns->v));
            }
            ns->v[ns->n++] = pmt_xstrdup(sub);
        }
    }
    closedir(d);
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) {
        return 99;
    }
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            row[j] = PMT_MIN(PMT_MIN(row[j] + 1, row[j - 1] + 1), prev + cost);
            prev = cur;
        }
    }
    return row[lb];
}

/* Up to five zone names close to spec, comma-separated into buf. */
static void suggest(const char *spec, char *buf, size_t n)
{
    struct names ns = {0};
    collect(&ns, zoneinfo_dir(), "", 0);
    const char *spec_last = strrchr(spec, '/');
    spec_last = spec_last ? spec_last + 1 : spec;
    size_t best[5];
    size_t score[5];
    size_t nb = 0;
    for (size_t i = 0; i < ns.n; i++) {
        const char *name = ns.v[i];
        const char *last = strrchr(name, '/');
        last = last ? last + 1 : name;
        size_t s;
        if (strcasecmp(name, spec) == 0) {
            s = 0;
        } else if (strcasecmp(last, spec_last) == 0) {
            s = 1;
        } else if (strcasestr(name, spec) && strlen(spec) >= 3) {
            s = 2;
        } else {
            size_t d = PMT_MIN(edit_distance(spec, name), edit_distance(spec, last));
            if (d > 3) {
                continue;
            }
            s = 3 + d;
        }
        size_t pos = nb;
        while (pos > 0 && score[pos - 1] > s) {
            pos--;
        }
        if (pos >= 5) {
            continue;
        }
        for (size_t k = PMT_MIN(nb, (size_t)4); k > pos; k--) {
            best[k] = best[k - 1];
            score[k] = score[k - 1];
        }
        best[pos] = i;
        score[pos] = s;
        nb = PMT_MIN(nb + 1, (size_t)5);
    }
    buf[0] = '\0';
    for (size_t k = 0; k < nb; k++) {
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", k ? ", " : "", ns.v[best[k]]);
    }
    for (size_t i = 0; i < ns.n; i++) {
        free(ns.v[i]);
    }
    free(ns.v);
}

struct pmt_zone *pmt_zone_parse(const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    if (strcasecmp(p, "UTC") == 0 || strcasecmp(p, "Z") == 0 || strcasecmp(p, "GMT") == 0 ||
        strcasecmp(p, "Etc/UTC") == 0 || strcasecmp(p, "UCT") == 0 || strcasecmp(p, "Zulu") == 0) {
        return pmt_zone_utc();
    }
    /* Optional "UTC"/"GMT" word before a signed offset: UTC+3, GMT+1 (ahead of UTC), UTC-07:00. */
    if (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0) {
        p += 3;
    }
    if (*p == '+' || *p == '-') {
        int32_t off = parse_offset_digits(p + 1);
        if (off >= 0) {
            return fixed_zone(*p == '-' ? -off : off);
        }
    }
    for (size_t i = 0; i < PMT_ARRAY_LEN(ambiguous); i++) {
        if (strcasecmp(spec, ambiguous[i].abbr) == 0) {
            snprintf(err, errlen, "'%s' is ambiguous; name the zone: %s", spec,
                     ambiguous[i].choices);
            return NULL;
        }
    }
    const char *why = "no such zone";
    for (size_t i = 0; i < PMT_ARRAY_LEN(abbrevs); i++) {
        if (strcasecmp(spec, abbrevs[i].abbr) == 0) {
            struct pmt_zone *z = load_named(abbrevs[i].zone, &why);
            if (!z) {
                snprintf(err, errlen, "'%s' means %s, which cannot be read: %s", spec,
                         abbrevs[i].zone, why);
                return NULL;
            }
            if (strcasecmp(spec, "BST") == 0) {
                z->note = "BST read as British Summer Time (Europe/London); for Bangladesh use "
                          "--tz Asia/Dhaka";
            } else if (strncasecmp(spec, "MST", 3) == 0 || strcasecmp(spec, "MDT") == 0) {
                z->note = "MST read as America/Denver (with DST); for Arizona use --tz "
                          "America/Phoenix";
            }
            return z;
        }
    }
    struct pmt_zone *z = load_named(spec, &why);
    if (z) {
        return z;
    }
    if (strcmp(why, "no such zone") != 0 && strcmp(why, "not a zone name") != 0) {
        snprintf(err, errlen, "time zone '%s': %s", spec, why);
        return NULL;
    }
    char close[400] = "";
    if (*spec) {
        suggest(spec, close, sizeof(close));
    }
    snprintf(err, errlen,
             "unknown time zone '%s'%s%s; use an IANA name (Africa/Nairobi), an offset (+03:00, "
             "UTC-7) or an abbreviation such as EAT, PST, CET",
             spec, close[0] ? "; did you mean: " : "", close);
    return NULL;
}

struct pmt_zone *pmt_zone_default(char *err, size_t errlen)
{
    const char *tz = getenv("TZ");
    const char *why;
    if (tz && *tz) {
        if (*tz == ':') {
            tz++;
        }
        struct pmt_zone *z = NULL;
        if (*tz == '/') {
            const char *dir = zoneinfo_dir();
            size_t dl = strlen(dir);
            const char *name = strncmp(tz, dir, dl) == 0 && tz[dl] == '/' ? tz + dl + 1 : tz;
            z = tzif_load(tz, name, &why);
        } else {
            z = pmt_zone_parse(tz, err, errlen);
            if (!z) {
                /* a POSIX TZ string such as EST5EDT,M3.2.0,M11.1.0 */
                struct posix_rule r;
                if (posix_parse(tz, &r) == 0) {
                    z = pmt_xcalloc(1, sizeof(*z));
                    z->kind = ZONE_TZIF;
                    z->types = pmt_xcalloc(1, sizeof(*z->types));
                    z->types[0].off = r.std_off;
                    z->ntypes = 1;
                    z->abbrs = pmt_xstrdup(r.std_abbr);
                    z->rule = r;
                    z->has_rule = 1;
                    snprintf(z->name, sizeof(z->name), "%s", tz);
                }
            }
        }
        if (z) {
            return z;
        }
        snprintf(err, errlen, "TZ='%s' is not a zone this program can read; using UTC", tz);
        return pmt_zone_utc();
    }
    char link[512];
    ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *name = strstr(link, "zoneinfo/");
        name = name ? name + 9 : link;
        struct pmt_zone *z = tzif_load("/etc/localtime", name, &why);
        if (z) {
            if (strcmp(name, "Etc/UTC") == 0 || strcmp(name, "UTC") == 0) {
                pmt_zone_free(z);
                return pmt_zone_utc();
            }
            return z;
        }
    }
    return pmt_zone_utc();
}

void pmt_zone_free(struct pmt_zone *z)
{
    if (!z) {
        return;
    }
    free(z->trans);
    free(z->idx);
    free(z->types);
    free(z->abbrs);
    free(z);
}

const char *pmt_zone_name(const struct pmt_zone *z)
{
    return z->name;
}

const char *pmt_zone_note(const struct pmt_zone *z)
{
    return z->note;
}

int pmt_zone_is_utc(const struct pmt_zone *z)
{
    return z->kind == ZONE_UTC;
}

/* "EAT" stays; a numeric abbreviation ("+0545", "-03") becomes "+05:45". */
static size_t label_for(const char *abbr, int32_t off, char *buf)
{
    if (abbr && isalpha((unsigned char)abbr[0])) {
        size_t n = PMT_MIN(strlen(abbr), (size_t)15);
        memcpy(buf, abbr, n);
        return n;
    }
    return pmt_fmt_offset(buf, off, 0);
}

size_t pmt_zone_stamp_label(const struct pmt_zone *z, int64_t t_s, char *buf)
{
    int32_t off;
    const char *abbr = pmt_zone_abbr_at(z, t_s, &off);
    return label_for(abbr, off, buf);
}

size_t pmt_zone_describe(const struct pmt_zone *z, int64_t t0, int64_t t1, char *buf, size_t n)
{
    if (z->kind != ZONE_TZIF) {
        return (size_t)snprintf(buf, n, "%s", z->name);
    }
    /* The labels in force over [t0, t1], sampled daily (at most 400 samples) and at t1:
     * DST changes are months apart, so no label is missed. */
    char seen[4][16];
    int32_t offs[4];
    size_t ns = 0;
    int64_t step = PMT_MAX((int64_t)86400, (t1 - t0) / 400 + 1);
    for (int64_t t = t0;; t += step) {
        if (t > t1) {
            t = t1;
        }
        int32_t off;
        const char *abbr = pmt_zone_abbr_at(z, t, &off);
        char lab[16];
        lab[label_for(abbr, off, lab)] = '\0';
        int dup = 0;
        for (size_t i = 0; i < ns; i++) {
            dup |= strcmp(seen[i], lab) == 0;
        }
        if (!dup && ns < 4) {
            snprintf(seen[ns], sizeof(seen[ns]), "%s", lab);
            offs[ns++] = off;
        }
        if (t >= t1) {
            break;
        }
    }
    size_t w = 0;
    if (ns == 1) {
        char o[8];
        o[pmt_fmt_offset(o, offs[0], 0)] = '\0';
        if (isalpha((unsigned char)seen[0][0])) {
            w = (size_t)snprintf(buf, n, "%s (UTC%s, %s)", seen[0], o, z->name);
        } else {
            w = (size_t)snprintf(buf, n, "UTC%s (%s)", o, z->name);
        }
        return w;
    }
    for (size_t i = 0; i < ns && w < n; i++) {
        w += (size_t)snprintf(buf + w, n - w, "%s%s", i ? "/" : "", seen[i]);
    }
    if (w < n) {
        w += (size_t)snprintf(buf + w, n - w, " (%s)", z->name);
    }
    return w;
}
