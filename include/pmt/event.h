/*
 * One log event, as every stage after the parser sees it.
 *
 * Text fields are views: while a parser fills an event they point into the input's line
 * buffer, after the spool they point into the spool's read buffer. Neither outlives the next
 * event, so a stage that keeps text must copy it.
 */
#ifndef PMT_EVENT_H
#define PMT_EVENT_H

#include "pmt/common.h"

/* Syslog severities; every parser maps its own levels onto these. */
enum pmt_severity {
    PMT_SEV_NONE = -1,
    PMT_SEV_EMERG = 0,
    PMT_SEV_ALERT,
    PMT_SEV_CRIT,
    PMT_SEV_ERR,
    PMT_SEV_WARNING,
    PMT_SEV_NOTICE,
    PMT_SEV_INFO,
    PMT_SEV_DEBUG
};

/* What the time stage had to assume for this event. */
enum {
    PMT_EV_YEAR_ASSUMED = 1u << 0, /* the stamp had no year */
    PMT_EV_ZONE_ASSUMED = 1u << 1, /* the stamp had no zone or offset */
    PMT_EV_CUT = 1u << 2,          /* text was cut at a size limit */
    PMT_EV_DST_GAP = 1u << 3,      /* local time skipped by a DST change: read as if before it */
    PMT_EV_DST_EARLIER = 1u << 4,  /* local time repeated by a DST change: the first reading */
    PMT_EV_DST_LATER = 1u << 5,    /* ... the second reading */
    PMT_EV_CONFIG_RUN = 1u << 6,   /* a configuration run (Puppet) ended: a change to the system */
};

/*
 * Text fields, by index. The message is always stored last in a spooled record so that
 * continuation lines can be appended to it in place.
 */
enum pmt_field {
    PMT_F_HOST,
    PMT_F_PROGRAM,
    PMT_F_PID,
    PMT_F_MSGID,
    PMT_F_SD,              /* RFC 5424 structured data, verbatim */
    PMT_F_CLIENT,          /* HTTP: the client address ($remote_addr) */
    PMT_F_METHOD,          /* HTTP: GET, POST ... */
    PMT_F_PATH,            /* HTTP: the request target */
    PMT_F_PROTOCOL,        /* HTTP: HTTP/1.1 ... */
    PMT_F_REFERER,         /* HTTP */
    PMT_F_USER_AGENT,      /* HTTP */
    PMT_F_UPSTREAM,        /* HTTP: upstream address(es) */
    PMT_F_UPSTREAM_STATUS, /* HTTP: "502" or a list "502, 504" */
    PMT_F_VHOST,           /* HTTP: the virtual host ($host, $server_name) */
    PMT_F_XFF,             /* HTTP: X-Forwarded-For */
    PMT_F_USER,            /* HTTP: $remote_user */
    PMT_F_MESSAGE,
    PMT_F_COUNT
};

/* Numeric fields, present when their bit is set in nmask. */
enum pmt_num {
    PMT_N_STATUS,      /* HTTP status */
    PMT_N_BYTES,       /* bytes sent */
    PMT_N_REQUEST_US,  /* request time, microseconds */
    PMT_N_UPSTREAM_US, /* upstream response time, microseconds (the last one of a list) */
    PMT_N_COUNT
};

struct pmt_event {
    int64_t t_ns;     /* the instant, nanoseconds since 1970-01-01T00:00:00Z */
    uint64_t line;    /* 1-based number of the event's first line in its input */
    uint32_t src;     /* index of the input it came from */
    int32_t off_s;    /* UTC offset the stamp had, seen or assumed, in seconds */
    uint16_t flags;   /* PMT_EV_* */
    int8_t severity;  /* enum pmt_severity */
    uint8_t parser;   /* index in the parser registry */
    uint8_t nmask;    /* which n[] are set: 1u << PMT_N_* */
    struct pmt_str f[PMT_F_COUNT];
    int64_t n[PMT_N_COUNT];
};

static inline void pmt_event_set_num(struct pmt_event *ev, enum pmt_num k, int64_t v)
{
    ev->n[k] = v;
    ev->nmask |= (uint8_t)(1u << k);
}

static inline void pmt_event_clear(struct pmt_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->severity = PMT_SEV_NONE;
}

/* "err", "warning", ...; NULL for PMT_SEV_NONE. */
const char *pmt_severity_name(int sev);

/* Maps a severity word people write (ERROR, WARN, FATAL, crit, ...) to a severity, or NONE. */
int pmt_severity_parse(const char *p, size_t len);

#endif
