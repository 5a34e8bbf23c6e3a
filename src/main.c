/* argv -> struct pmt_opts -> pmt_run. Nothing else lives here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmt/parser.h"
#include "pmt/run.h"

#ifndef PMT_VERSION
#define PMT_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "Usage: pmtimeline [OPTIONS] [PATH ...]\n"
    "Turn an incident's logs into the draft Timeline and Duration of its postmortem, or\n"
    "(--all) one merged timeline of every event, in one time zone.\n"
    "\n"
    "PATH is a log file (plain or gzip, recognised by content), a directory (walked\n"
    "recursively in name order; rotated sets such as x.log.2.gz x.log.1 x.log read oldest\n"
    "first), or - for standard input, which is also read when no PATH is given.\n"
    "\n"
    "Output (default: the draft, a postmortem's Timeline and Duration sections):\n"
    "  -a, --all              every event instead, in time order\n"
    "  -o, --output FORMAT    md (Markdown, default), table (the timeline as a Markdown\n"
    "                         table), text, csv, or json (the draft as one document;\n"
    "                         with --all, one object per line; table is md there)\n"
    "      --max-lines N      the draft's timeline keeps the N most significant lines (25)\n"
    "      --template         a whole postmortem skeleton around the draft\n"
    "      --redact           mask client addresses and e-mail addresses (public postmortems)\n"
    "      --clock 12h|24h    10:00 AM or 10:00 (default)\n"
    "      --window START..END  the outage, when you know better (2026-03-08T08:25..\n"
    "                         2026-03-08T09:21; zone-less times are in --tz)\n"
    "      --error-share PCT  a minute is failing at this share of 5xx responses (10)\n"
    "      --min-requests N   ... with at least N requests (3)\n"
    "      --gap N            good minutes tolerated inside an outage (2)\n"
    "      --tz ZONE          show times in ZONE (default: this machine's, from TZ or\n"
    "                         /etc/localtime): an IANA name (Africa/Nairobi), UTC, an offset\n"
    "                         as people write it (+03:00, +0530, UTC+3, GMT+1, UTC-07:00;\n"
    "                         GMT+1 is one hour AHEAD of UTC, not the reversed POSIX TZ=GMT+1\n"
    "                         meaning) or an abbreviation (EAT, PST, CET, JST, AEST...;\n"
    "                         ambiguous ones such as IST and CST are refused)\n"
    "      --source-tz [GLOB=]ZONE  zone of timestamps that carry none (RFC 3164 syslog), for\n"
    "                         inputs whose path or file name matches GLOB, or all; without it\n"
    "                         they are read in the --tz zone and marked as assumed. Local\n"
    "                         times skipped or repeated by DST are resolved by the lines\n"
    "                         around them and marked in JSON (\"dst\")\n"
    "\n"
    "Input:\n"
    "  -f, --format [GLOB=]NAME  read inputs as format NAME instead of detecting it; with\n"
    "                         GLOB=, only inputs whose path or file name matches GLOB (may be\n"
    "                         repeated; the last match wins), e.g. --format '*.log=syslog'\n"
    "      --list-formats     list the formats with an example line each\n"
    "      --nginx-log-format 'FORMAT'  an nginx log_format, as written in nginx.conf, for\n"
    "                         access logs (tried before the built-in combined and main)\n"
    "      --nginx-conf FILE  read the log_format lines of this nginx.conf (all of them, or\n"
    "                         the one --nginx-log-name NAME names)\n"
    "      --csv-time COL, --csv-message COL  the CSV columns (a header name or a 1-based\n"
    "                         number) holding the time and the message, when the header does\n"
    "                         not say (time, timestamp, date, @timestamp...; message, msg...)\n"
    "      --pattern REGEX    your own line format: a PCRE2 regex with named groups time\n"
    "                         (required), message, host, program, pid, severity, status,\n"
    "                         client, method, path\n"
    "      --time-format FMT  how --pattern's time reads: %Y %m %d %e %H %M %S %f %b %z %s\n"
    "                         %T %F (default: ISO 8601, epoch, syslog and nginx shapes)\n"
    "      --patterns FILE    named patterns, one [section] each with pattern = and\n"
    "                         time-format = lines (see samples/patterns.conf)\n"
    "      --year YYYY        year for timestamps that have none (RFC 3164 syslog); default:\n"
    "                         inferred from when the file was last written (its mtime, or the\n"
    "                         gzip header's), so New Year is crossed right (stdin: today)\n"
    "\n"
    ;

/* (two strings: C99 promises string literals of 4095 bytes, no more) */
static const char usage_text2[] =
    "Diagnostics:\n"
    "  -q, --quiet            no per-input summary or notes on stderr (errors still show)\n"
    "      --unparsed FILE    write every line that could not be parsed to FILE, as\n"
    "                         PATH:LINE:TEXT\n"
    "  -h, --help             this help\n"
    "  -V, --version          the version\n"
    "\n"
    "Exit status:\n"
    "  0  success (lines that could not be parsed are reported, not failures)\n"
    "  1  some input was unreadable, corrupt or truncated; everything else was processed\n"
    "  2  usage error: bad option or value\n"
    "  3  fatal: the output or the temporary spool could not be written, or out of memory\n"
    "\n"
    "Temporary files go to $TMPDIR (default /tmp); sorting large unsorted inputs needs about\n"
    "as much room there as the uncompressed input.\n";

static void list_formats(void)
{
    for (size_t i = 0; i < pmt_parser_count; i++) {
        const struct pmt_parser *p = pmt_parsers[i];
        printf("%-14s %s\n%-14s e.g. %s\n", p->name, p->summary, "", p->example);
    }
}

static int usage_error(const char *what, const char *arg, const char *hint)
{
    fprintf(stderr, "pmtimeline: %s '%s' %s\nTry 'pmtimeline --help'.\n", what, arg, hint);
    return PMT_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    enum {
        OPT_TZ = 256,
        OPT_SOURCE_TZ,
        OPT_LIST,
        OPT_YEAR,
        OPT_UNPARSED,
        OPT_CHUNK,
        OPT_NGINX_FORMAT,
        OPT_NGINX_CONF,
        OPT_NGINX_NAME,
        OPT_CSV_TIME,
        OPT_CSV_MESSAGE,
        OPT_PATTERN,
        OPT_TIME_FORMAT,
        OPT_PATTERNS,
        OPT_MAX_LINES,
        OPT_TEMPLATE,
        OPT_REDACT,
        OPT_CLOCK,
        OPT_WINDOW,
        OPT_ERROR_SHARE,
        OPT_MIN_REQUESTS,
        OPT_GAP
    };
    static const struct option longopts[] = {
        {"all", no_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"tz", required_argument, NULL, OPT_TZ},
        {"source-tz", required_argument, NULL, OPT_SOURCE_TZ},
        {"format", required_argument, NULL, 'f'},
        {"list-formats", no_argument, NULL, OPT_LIST},
        {"nginx-log-format", required_argument, NULL, OPT_NGINX_FORMAT},
        {"nginx-conf", required_argument, NULL, OPT_NGINX_CONF},
        {"nginx-log-name", required_argument, NULL, OPT_NGINX_NAME},
        {"csv-time", required_argument, NULL, OPT_CSV_TIME},
        {"csv-message", required_argument, NULL, OPT_CSV_MESSAGE},
        {"pattern", required_argument, NULL, OPT_PATTERN},
        {"time-format", required_argument, NULL, OPT_TIME_FORMAT},
        {"patterns", required_argument, NULL, OPT_PATTERNS},
        {"max-lines", required_argument, NULL, OPT_MAX_LINES},
        {"template", no_argument, NULL, OPT_TEMPLATE},
        {"redact", no_argument, NULL, OPT_REDACT},
        {"clock", required_argument, NULL, OPT_CLOCK},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"error-share", required_argument, NULL, OPT_ERROR_SHARE},
        {"min-requests", required_argument, NULL, OPT_MIN_REQUESTS},
        {"gap", required_argument, NULL, OPT_GAP},
        {"year", required_argument, NULL, OPT_YEAR},
        {"quiet", no_argument, NULL, 'q'},
        {"unparsed", required_argument, NULL, OPT_UNPARSED},
        {"spool-chunk", required_argument, NULL, OPT_CHUNK}, /* undocumented: tests */
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct pmt_opts o = {.all = 0, .output = PMT_OUT_MD};
    pmt_draft_opts_default(&o.draft);
    struct pmt_format_rule *rules = NULL;
    size_t nrules = 0;
    struct pmt_zone_rule *zrules = NULL;
    size_t nzrules = 0;
    const char *window_spec = NULL;
    int c;
    argv[0] = (char *)"pmtimeline"; /* getopt's messages name the program, not its path */
    while ((c = getopt_long(argc, argv, "ao:f:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            o.all = 1;
            break;
        case 'o':
            if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0) {
                o.output = PMT_OUT_MD;
            } else if (strcmp(optarg, "json") == 0) {
                o.output = PMT_OUT_JSON;
            } else if (strcmp(optarg, "table") == 0) {
                o.output = PMT_OUT_TABLE;
            } else if (strcmp(optarg, "text") == 0) {
                o.output = PMT_OUT_TEXT;
            } else if (strcmp(optarg, "csv") == 0) {
                o.output = PMT_OUT_CSV;
            } else {
                free(rules);
                return usage_error("--output: unknown format", optarg,
                                   "(md, table, text, csv or json)");
            }
            break;
        case OPT_TZ:
            o.tz = optarg;
            break;
        case OPT_SOURCE_TZ: {
            /* GLOB=ZONE; a zone never contains '=', so the last '=' splits them */
            char *eq = strrchr(optarg, '=');
            zrules = pmt_xrealloc(zrules, (nzrules + 1) * sizeof(*zrules));
            if (eq) {
                *eq = '\0';
            }
            zrules[nzrules].glob = eq ? optarg : NULL;
            zrules[nzrules].zone = eq ? eq + 1 : optarg;
            nzrules++;
            break;
        }
        case 'f': {
            char *eq = strrchr(optarg, '=');
            const char *name = eq ? eq + 1 : optarg;
            int idx = pmt_parser_find(name);
            if (idx < 0) {
                free(rules);
                return usage_error("--format: unknown format", name, "(see --list-formats)");
            }
            rules = pmt_xrealloc(rules, (nrules + 1) * sizeof(*rules));
            if (eq) {
                *eq = '\0';
            }
            rules[nrules].glob = eq ? optarg : NULL;
            rules[nrules].parser = idx;
            nrules++;
            break;
        }
        case OPT_NGINX_FORMAT:
            o.parser.nginx_log_format = optarg;
            break;
        case OPT_NGINX_CONF:
            o.parser.nginx_conf = optarg;
            break;
        case OPT_NGINX_NAME:
            o.parser.nginx_log_name = optarg;
            break;
        case OPT_CSV_TIME:
            o.parser.csv_time = optarg;
            break;
        case OPT_CSV_MESSAGE:
            o.parser.csv_message = optarg;
            break;
        case OPT_PATTERN:
            o.parser.pattern = optarg;
            break;
        case OPT_TIME_FORMAT:
            o.parser.time_format = optarg;
            break;
        case OPT_PATTERNS:
            o.parser.patterns_file = optarg;
            break;
        case OPT_MAX_LINES: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 10000) {
                free(rules);
                free(zrules);
                return usage_error("--max-lines:", optarg, "is not a number of lines (1-10000)");
            }
            o.draft.max_lines = (int)n;
            break;
        }
        case OPT_TEMPLATE:
            o.template_mode = 1;
            break;
        case OPT_REDACT:
            o.redact = 1;
            break;
        case OPT_CLOCK:
            if (strcmp(optarg, "12h") == 0 || strcmp(optarg, "24h") == 0) {
                o.clock12 = optarg[0] == '1';
            } else {
                free(rules);
                free(zrules);
                return usage_error("--clock:", optarg, "is not 12h or 24h");
            }
            break;
        case OPT_WINDOW:
            window_spec = optarg;
            break;
        case OPT_ERROR_SHARE: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end == '%') {
                end++;
            }
            if (*end || v <= 0 || v > 100) {
                free(rules);
                free(zrules);
                return usage_error("--error-share:", optarg, "is not a percentage (0-100]");
            }
            o.draft.error_share = v / 100.0;
            break;
        }
        case OPT_MIN_REQUESTS:
        case OPT_GAP: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < (c == OPT_GAP ? 0 : 1) || v > 100000) {
                free(rules);
                free(zrules);
                return usage_error(c == OPT_GAP ? "--gap:" : "--min-requests:", optarg,
                                   "is not a whole number in range");
            }
            if (c == OPT_GAP) {
                o.draft.gap_minutes = (int)v;
            } else {
                o.draft.min_requests = (int)v;
            }
            break;
        }
        case OPT_LIST:
            list_formats();
            free(rules);
            return PMT_EXIT_OK;
        case OPT_YEAR: {
            char *end;
            long y = strtol(optarg, &end, 10);
            if (*end || y < 1970 || y > 9999) {
                free(rules);
                return usage_error("--year:", optarg, "is not a year (1970-9999)");
            }
            o.year = (int)y;
            break;
        }
        case 'q':
            o.quiet = 1;
            break;
        case OPT_UNPARSED:
            o.unparsed_path = optarg;
            break;
        case OPT_CHUNK:
            o.spool_chunk = strtoul(optarg, NULL, 10);
            break;
        case 'h':
            fputs(usage_text, stdout);
            fputs(usage_text2, stdout);
            free(rules);
            return PMT_EXIT_OK;
        case 'V':
            printf("pmtimeline %s\n", PMT_VERSION);
            free(rules);
            return PMT_EXIT_OK;
        default:
            free(rules);
            fprintf(stderr, "Try 'pmtimeline --help'.\n");
            return PMT_EXIT_USAGE;
        }
    }
    o.paths = (const char *const *)(argv + optind);
    o.npaths = (size_t)(argc - optind);
    o.formats = rules;
    o.nformats = nrules;
    o.source_tz = zrules;
    o.nsource_tz = nzrules;
    o.window = window_spec;
    int rc = pmt_run(&o, 1, stderr);
    free(rules);
    free(zrules);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        rc = PMT_EXIT_FATAL;
    }
    return rc;
}
