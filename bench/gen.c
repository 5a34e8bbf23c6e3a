/*
 * Writes a large, deterministic, realistic syslog file for `make bench`: a day of a busy web
 * host in the three shapes real systems write (rsyslog ISO 8601 mostly, some RFC 3164 and
 * RFC 5424), many programs, messages of varied length, a few tab continuations.
 *   gen MEGABYTES > file          (syslog)
 *   gen MEGABYTES nginx > file    (nginx combined access log)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(void)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 16);
}

static const char *const hosts[] = {"web-01", "web-02", "db-01", "lb-01"};
static const char *const progs[] = {"nginx", "php-fpm", "sshd", "CRON", "systemd", "kernel",
                                    "postfix/smtpd", "puppet-agent", "haproxy", "mysqld"};
static const char *const msgs[] = {
    "Started Session %u of user www-data.",
    "pam_unix(sshd:session): session opened for user deploy(uid=%u) by (uid=0)",
    "Accepted publickey for deploy from 10.0.%u.17 port 52144 ssh2: ED25519 SHA256:Zm9vYmFy",
    "[pool www] child %u exited with code 0 after 3600.012345 seconds from start",
    "connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.%u",
    "(root) CMD (/usr/lib/php/sessionclean)  # run %u",
    "Applied catalog in %u.42 seconds",
    "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=198.51.100.%u DST=10.0.0.5 LEN=60 PROTO=TCP",
    "disconnect from unknown[192.0.2.%u] ehlo=1 auth=0/1 quit=1 commands=2/3",
    "Server health check %u/3 failed: Layer4 connection problem, info: \"Connection refused\"",
    "InnoDB: page_cleaner: 1000ms intended loop took %u ms. The settings might not be optimal.",
    "Out of memory: Killed process %u (php-fpm8.2) total-vm:812344kB, anon-rss:402112kB",
};

/* nginx combined access lines: a busy shop, ~1 request per ms. */
static int nginx(uint64_t want)
{
    static const char *const paths[] = {"/", "/login", "/static/app.js", "/api/cart",
                                        "/product/1042?ref=home&utm_source=mail", "/favicon.ico"};
    static const char *const agents[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15",
        "curl/7.88.1"};
    static const int status[] = {200, 200, 200, 200, 200, 200, 304, 404, 502};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    uint64_t written = 0;
    int64_t t_us = 1772942400LL * 1000000;
    char line[1024];
    while (written < want) {
        t_us += rnd() % 2000;
        int64_t local = t_us / 1000000 + 3 * 3600;
        int sod = (int)(local % 86400), day = (int)(local / 86400 - 20520) + 8;
        int n = snprintf(line, sizeof(line),
                         "203.0.%u.%u - - [%02d/%s/2026:%02d:%02d:%02d +0300] \"GET %s HTTP/1.1\" "
                         "%d %u \"-\" \"%s\"\n",
                         rnd() % 256, rnd() % 256, day, mon[2], sod / 3600, sod / 60 % 60, sod % 60,
                         paths[rnd() % 6], status[rnd() % 9], rnd() % 50000,
                         agents[rnd() % 3]);
        fwrite(line, 1, (size_t)n, stdout);
        written += (uint64_t)n;
    }
    return fflush(stdout) != 0;
}

int main(int argc, char **argv)
{
    uint64_t want = (argc > 1 ? strtoull(argv[1], NULL, 10) : 600) << 20;
    if (argc > 2 && strcmp(argv[2], "nginx") == 0) {
        return nginx(want);
    }
    uint64_t written = 0;
    int64_t t_us = 1772942400LL * 1000000; /* 2026-03-08T04:00:00Z */
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char line[1024];
    setvbuf(stdout, NULL, _IOFBF, 1 << 20);
    while (written < want) {
        t_us += rnd() % 2000; /* ~1000 lines per second of log */
        int64_t sec = t_us / 1000000;
        int us = (int)(t_us % 1000000);
        int64_t local = sec + 3 * 3600; /* the host writes +03:00 */
        int64_t days = local / 86400;
        int sod = (int)(local % 86400);
        /* civil from days (2026-03-08 + a few days: March only, keeps it simple) */
        int day = (int)(days - 20520) + 8;
        const char *host = hosts[rnd() % 4];
        const char *prog = progs[rnd() % 10];
        char msg[400];
        snprintf(msg, sizeof(msg), msgs[rnd() % 12], rnd() % 250);
        int n;
        uint32_t shape = rnd() % 100;
        if (shape < 70) {
            n = snprintf(line, sizeof(line), "2026-03-%02dT%02d:%02d:%02d.%06d+03:00 %s %s[%u]: %s\n",
                         day, sod / 3600, sod / 60 % 60, sod % 60, us, host, prog, rnd() % 30000 + 100,
                         msg);
        } else if (shape < 90) {
            /* zone-less RFC 3164: this writer logs in UTC, which is what it is read as */
            int usod = (sod + 86400 - 3 * 3600) % 86400, uday = day - (sod < 3 * 3600);
            n = snprintf(line, sizeof(line), "%s %2d %02d:%02d:%02d %s %s[%u]: %s\n", mon[2], uday,
                         usod / 3600, usod / 60 % 60, usod % 60, host, prog, rnd() % 30000 + 100, msg);
        } else {
            n = snprintf(line, sizeof(line),
                         "<%u>1 2026-03-%02dT%02d:%02d:%02d.%06d+03:00 %s %s %u - - %s\n",
                         rnd() % 192, day, sod / 3600, sod / 60 % 60, sod % 60, us, host, prog,
                         rnd() % 30000 + 100, msg);
        }
        fwrite(line, 1, (size_t)n, stdout);
        written += (uint64_t)n;
        if (rnd() % 500 == 0) {
            n = snprintf(line, sizeof(line), "\tcontinued: stack frame #%u in worker\n", rnd() % 9);
            fwrite(line, 1, (size_t)n, stdout);
            written += (uint64_t)n;
        }
    }
    return fflush(stdout) != 0;
}
