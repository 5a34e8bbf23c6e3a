/*
 * Time: civil fields -> instants, zones, and the text forms of instants.
 *
 * Instants are int64 nanoseconds since the Unix epoch, UTC. Nothing here reads TZ or calls
 * mktime/localtime: the calendar arithmetic is done by hand (days_from_civil, after Howard
 * Hinnant's public-domain algorithms) so results never depend on the process environment.
 */
#ifndef PMT_TZ_H
#define PMT_TZ_H

#include "pmt/common.h"

#define PMT_NS_PER_S 1000000000LL
#define PMT_YEAR_MIN 1678 /* int64 nanoseconds cover 1677-09-21 .. 2262-04-11 */
#define PMT_YEAR_MAX 2261

/* Civil time as a parser read it. */
struct pmt_civil {
    int year; /* valid when has_year */
    int mon;  /* 1..12 */
    int day;  /* 1..31 */
    int hour, min, sec;
    int32_t nsec;
    int32_t off_s;    /* valid when has_off */
    uint8_t has_year; /* 0 for RFC 3164 stamps */
    uint8_t has_off;  /* 0 for zone-less stamps */
};

/*
 * Reads an ISO 8601-like stamp as reports and CSVs write them: "2026-11-20T23:21:04.62393+03:00",
 * "2010-09-23 15:44:06.244173 -07:00", "2017-06-28 17:28:03.565743001 Z",
 * "2015-02-13T13:22:51.075Z", "2017-06-28 17:28:03 UTC", "2026-03-08 08:25:00" (zone-less).
 * The whole of [p, p+n) must be
 * the stamp (surrounding spaces allowed). Returns 0, or -1.
 */
int pmt_parse_iso(const char *p, size_t n, struct pmt_civil *c);

int64_t pmt_days_from_civil(int64_t y, int m, int d);
void pmt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int pmt_days_in_month(int64_t y, int m);

/* Checks ranges (year within PMT_YEAR_MIN..MAX, month, day of that month, hour, minute,
 * second <= 60, offset within 26 h). */
int pmt_civil_valid(const struct pmt_civil *c);

/* A zone: UTC, a fixed offset, or an IANA zone read from the tz database (src/zone.c). */
struct pmt_zone;

/*
 * Parses a zone as users write it: an IANA name ("Africa/Nairobi", read from TZif files under
 * $TZDIR or /usr/share/zoneinfo), "UTC", an offset ("+03:00", "+0530", "-7", "UTC+3", "GMT+1",
 * "UTC-07:00"; "GMT+1" means one hour ahead of UTC, as people mean it, the reverse of POSIX
 * TZ=GMT+1), or a common abbreviation ("EAT", "PST", "CET"; ambiguous ones such as IST and CST
 * are refused with the choices). Returns NULL and a message, with close names, on failure.
 */
struct pmt_zone *pmt_zone_parse(const char *spec, char *err, size_t errlen);
struct pmt_zone *pmt_zone_utc(void);
/* The machine's zone: TZ (a name, a path or a POSIX TZ string), then /etc/localtime, else UTC.
 * err is set when TZ was there but unreadable (UTC is returned then). */
struct pmt_zone *pmt_zone_default(char *err, size_t errlen);
void pmt_zone_free(struct pmt_zone *z);

/* UTC offset in seconds at instant t_s (seconds since the epoch). */
int32_t pmt_zone_offset_at(const struct pmt_zone *z, int64_t t_s);

/* The offset at t_s and the instants [lo, hi) around it between which it does not change
 * (INT64_MIN/MAX when unbounded); abbr, if given, gets the abbreviation. Lets callers cache
 * per zone transition instead of per second. */
int32_t pmt_zone_span_at(const struct pmt_zone *z, int64_t t_s, int64_t *lo, int64_t *hi,
                         const char **abbr);

/* The abbreviation in force at t_s ("EAT", "PDT", "+0545"), or NULL for a fixed offset. */
const char *pmt_zone_abbr_at(const struct pmt_zone *z, int64_t t_s, int32_t *off);

enum pmt_local_kind {
    PMT_LOCAL_UNIQUE,    /* one instant */
    PMT_LOCAL_GAP,       /* skipped by a spring-forward: read with the offset before it */
    PMT_LOCAL_AMBIGUOUS, /* repeated by a fall-back: early and late differ */
};

/* Local wall-clock seconds (as if UTC) -> the instant(s) that show that wall-clock time. */
enum pmt_local_kind pmt_zone_local(const struct pmt_zone *z, int64_t local_s, int64_t *early,
                                   int64_t *late);

/* "Africa/Nairobi", "UTC", "UTC+03:00". */
const char *pmt_zone_name(const struct pmt_zone *z);
int pmt_zone_is_utc(const struct pmt_zone *z);

/* A note to show when the zone is chosen ("BST read as British Summer Time ..."), or NULL. */
const char *pmt_zone_note(const struct pmt_zone *z);

/* Label for a stamp at t_s: "UTC", "EAT", "PDT", or "+05:45" where the zone has no letters. */
size_t pmt_zone_stamp_label(const struct pmt_zone *z, int64_t t_s, char *buf);

/* The zone over [t0, t1] for a heading: "EAT (UTC+03:00, Africa/Nairobi)", "PST/PDT
 * (America/Los_Angeles)" when the span crosses a change, "UTC", "UTC+03:00". */
size_t pmt_zone_describe(const struct pmt_zone *z, int64_t t0, int64_t t1, char *buf, size_t n);

/* Writes "YYYY-MM-DD?HH:MM:SS" (19 bytes, sep between date and time) for local seconds. */
size_t pmt_fmt_datetime(char *buf, int64_t local_s, char sep);

/* Writes "+hh:mm" (6 bytes) or "Z" when z_for_utc and off == 0. */
size_t pmt_fmt_offset(char *buf, int32_t off, int z_for_utc);

/* Writes ".123", ".123456" or ".123456789" (shortest of those that is exact), or nothing. */
size_t pmt_fmt_fraction(char *buf, int32_t nsec);

/*
 * How one input turns civil stamps into instants: the zone assumed for zone-less stamps and
 * the reference used to give year-less stamps a year.
 */
struct pmt_srctime {
    const struct pmt_zone *zone; /* for stamps without an offset */
    int zone_given;              /* the user named it (--source-tz): not flagged as assumed */
    int forced_year;             /* --year, or 0 */
    int64_t ref_s;               /* reference instant for year inference (file mtime, or now) */
    int64_t prev_s;              /* the previous stamp's instant: resolves repeated DST hours */
    int has_prev;
    int32_t seen_off; /* an offset the input's own stamps carried, for notes about neighbours */
    int has_seen_off;
    int ref_ready; /* ref_local and ref_year below are worked out */
    int64_t ref_local, ref_year;
    /* local times in [cache_lo, cache_hi) map to instants by one offset, with no DST doubt */
    int64_t cache_lo, cache_hi;
    int32_t cache_off;
};

/* An English month abbreviation at p ("Jan".."Dec", 3 bytes readable) -> 1..12, else 0. */
int pmt_month_abbr(const char *p);

/*
 * Resolves a civil stamp. Returns 0 and fills the instant, the offset the stamp had (seen or
 * assumed) and PMT_EV_* flags; -1 if the fields are out of range.
 *
 * A year-less stamp gets the latest year that does not put it more than a day after the
 * reference instant, so a file written across New Year and read later gets both years right.
 * A zone-less stamp in a DST gap is read with the offset before the jump (flagged); one in a
 * repeated hour takes the reading that keeps the input going forward (flagged).
 */
int pmt_srctime_resolve(struct pmt_srctime *st, const struct pmt_civil *c, int64_t *t_ns,
                        int32_t *off, uint16_t *flags);

#endif
