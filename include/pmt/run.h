/*
 * The whole pipeline, callable in-process: main.c only turns argv into pmt_opts and calls
 * pmt_run, so tests drive everything without a subprocess.
 */
#ifndef PMT_RUN_H
#define PMT_RUN_H

#include <stdio.h>

#include "pmt/draft.h"
#include "pmt/emit.h"
#include "pmt/parser.h"

/* --format [GLOB=]NAME: inputs whose path (or file name) matches GLOB, or all, use parser NAME. */
struct pmt_format_rule {
    const char *glob; /* NULL: every input */
    int parser;       /* registry index */
};

/* --source-tz [GLOB=]ZONE: the zone of zone-less stamps in matching inputs. */
struct pmt_zone_rule {
    const char *glob; /* NULL: every input */
    const char *zone;
};

struct pmt_opts {
    const char *const *paths; /* none: read stdin */
    size_t npaths;
    int all;                        /* every event, instead of the draft */
    struct pmt_draft_opts draft;    /* max_lines 0: defaults */
    int clock12;                    /* --clock 12h */
    int template_mode;              /* --template */
    int redact;                     /* --redact */
    const char *window;             /* --window START..END, read in the display zone */
    enum pmt_output_format output;  /* md or json */
    const char *tz;                 /* display zone; NULL: UTC */
    const struct pmt_format_rule *formats;
    size_t nformats;
    const struct pmt_zone_rule *source_tz;
    size_t nsource_tz;
    int year;                  /* --year, or 0 */
    int quiet;                 /* no summary or notes on stderr */
    const char *unparsed_path; /* --unparsed FILE */
    size_t spool_chunk;        /* bytes per sort chunk; 0: default (tests make it small) */
    int64_t now_s;             /* "now" for stdin's year inference; 0: the clock */
    struct pmt_parser_opts parser; /* --nginx-log-format, --nginx-conf, --nginx-log-name */
};

/* Runs the pipeline; writes results to out_fd and messages to err. Returns a PMT_EXIT_* code. */
int pmt_run(const struct pmt_opts *o, int out_fd, FILE *err);

/* Directory walking: files below dir, in name order, rotated sets oldest first. */
struct pmt_source {
    char *path;   /* as opened; "-" for stdin */
    int from_dir; /* found by walking a directory: binary files are skipped, not parsed */
};

struct pmt_sources {
    struct pmt_source *v;
    size_t n, cap;
};

/* Adds path (a file, "-" or a directory walked recursively). Returns the number of errors. */
int pmt_sources_add(struct pmt_sources *s, const char *path, FILE *err);
void pmt_sources_free(struct pmt_sources *s);

/* "logs/syslog" for logs/syslog.2.gz, logs/syslog.1 and logs/syslog: what a rotated set shares. */
void pmt_family_key(const char *path, char *buf, size_t n);

/* Orders names so a rotated family reads oldest first: x.log.2.gz, x.log.1, x.log. */
int pmt_rotation_cmp(const char *a, const char *b);

/* Messages on stderr: "pmtimeline: warning: ...". */
void pmt_diag(FILE *err, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a short sample of untrusted bytes so that it is safe on a terminal. */
void pmt_diag_sample(FILE *err, const char *p, size_t n, size_t max);

#endif
