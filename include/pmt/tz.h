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

int64_t pmt_days_from_civil(int64_t y, int m, int d);
void pmt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int pmt_days_in_month(int64_t y, int m);

/* Checks ranges (month, day of that month, hour, minute, second <= 60, offset within 26 h). */
int pmt_civil_valid(const struct pmt_civil *c);

/* A zone: UTC or a fixed offset for now; named IANA zones read from TZif come with the time work. */
struct pmt_zone;

/*
 * Parses a zone as users write it: "UTC", "Z", "GMT", "+03:00", "+0530", "-7", "UTC+3",
 * "GMT+1", "UTC-07:00". "GMT+1" means one hour ahead of UTC, as people mean it (the reverse of
 * POSIX TZ=GMT+1). Returns NULL and writes a message to err on failure.
 */
struct pmt_zone *pmt_zone_parse(const char *spec, char *err, size_t errlen);
struct pmt_zone *pmt_zone_utc(void);
void pmt_zone_free(struct pmt_zone *z);

/* UTC offset in seconds at instant t_s (seconds since the epoch). */
int32_t pmt_zone_offset_at(const struct pmt_zone *z, int64_t t_s);

/* Local wall-clock seconds (as if UTC) -> instant seconds, in zone z. */
int64_t pmt_zone_local_to_utc(const struct pmt_zone *z, int64_t local_s, int32_t *off_out);

/* "UTC" or "UTC+03:00"-style label naming the zone for headers. */
const char *pmt_zone_name(const struct pmt_zone *z);

/* Short label for an offset inside a time stamp: "UTC" for a UTC zone, else "+03:00". */
size_t pmt_zone_stamp_label(const struct pmt_zone *z, int32_t off, char *buf);

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
};

/*
 * Resolves a civil stamp. Returns 0 and fills the instant, the offset the stamp had (seen or
 * assumed) and PMT_EV_* flags; -1 if the fields are out of range.
 *
 * A year-less stamp gets the latest year that does not put it more than a day after the
 * reference instant, so a file written across New Year and read later gets both years right.
 */
int pmt_srctime_resolve(const struct pmt_srctime *st, const struct pmt_civil *c, int64_t *t_ns,
                        int32_t *off, uint16_t *flags);

#endif
