/*
 * Fuzz target: every parser, one input as a file of lines, through the real pipeline pieces
 * (input layer, each line parser in turn, the document parsers on the whole input, evbuf,
 * both emitters, checking that max_size never lies). Built two ways:
 *   - with libFuzzer (clang -fsanitize=fuzzer): LLVMFuzzerTestOneInput is the entry point;
 *   - by `make test` with gcc: main() below replays the seeds and a fixed number of
 *     deterministic mutations of them under ASan/UBSan, so the target can never rot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmt/draft.h"
#include "pmt/emit.h"
#include "pmt/evbuf.h"
#include "pmt/input.h"
#include "pmt/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pmt_zone *zone;
static struct pmt_evbuf evb; /* reused: a fresh 1 MiB buffer per input is all syscalls */

static int keep(void *arg, struct pmt_event *ev)
{
    (void)arg;
    if (pmt_evbuf_add(&evb, ev) < 0) {
        pmt_evbuf_reset(&evb);
        pmt_evbuf_add(&evb, ev);
    }
    return 0;
}

/* The draft of everything in evb, written in every form (to nowhere). */
static void draft_all(int redact)
{
    struct pmt_draft_opts o;
    pmt_draft_opts_default(&o);
    o.redact = redact;
    struct pmt_draft *d = pmt_draft_new(&o);
    size_t pos = 0;
    struct pmt_event ev;
    while (pmt_evbuf_next(&evb, &pos, &ev)) {
        pmt_draft_add(d, &ev, "fuzz");
    }
    const struct pmt_draft_result *r = pmt_draft_finish(d);
    struct pmt_out out;
    pmt_out_init(&out, -1);
    const int forms[] = {PMT_OUT_MD, PMT_OUT_JSON, PMT_OUT_TABLE, PMT_OUT_TEXT, PMT_OUT_CSV};
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        struct pmt_draft_view v = {.zone = zone, .format = forms[k], .clock12 = (int)(k & 1),
                                   .template_mode = k == 0};
        pmt_emit_draft(&out, &v, r);
    }
    pmt_out_close(&out);
    pmt_draft_free(d);
}

/* Formats everything in evb every way, checking the room each emitter asked for. */
static void emit_all(void)
{
    const char *names[] = {"\"fuzz\""};
    size_t lens[] = {6};
    const char *plain[] = {"fuzz"};
    struct pmt_emit_ctx ec = {
        .zone = zone, .source_names = plain, .source_json = names, .source_json_len = lens};
    const struct pmt_emitter *ems[] = {&pmt_emit_md_all, &pmt_emit_json_all, &pmt_emit_csv_all,
                                       &pmt_emit_text_all};
    size_t pos = 0;
    struct pmt_event ev;
    while (pmt_evbuf_next(&evb, &pos, &ev)) {
        for (int k = 0; k < 4; k++) {
            size_t max = ems[k]->max_size(&ec, &ev);
            char *w = malloc(max);
            char *end = ems[k]->format(&ec, &ev, w);
            if ((size_t)(end - w) > max) {
                abort(); /* max_size lied: the spool would overflow */
            }
            free(w);
        }
    }
    pmt_emit_ctx_release(&ec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200];
    if (!zone) {
        zone = pmt_zone_parse("America/New_York", err, sizeof(err));
        if (!zone) {
            zone = pmt_zone_utc();
        }
        pmt_evbuf_init(&evb, 0);
    }
    static const struct pmt_parser_opts opts = {
        .pattern = "^(?<time>\\S+ \\S+) (?<severity>\\w+) (?<message>.*)$",
        .nginx_log_format = "$remote_addr [$time_iso8601] \"$request\" $status rt=$request_time"};
    size_t n = size > 60000 ? 60000 : size;
    for (size_t pi = 0; pi < pmt_parser_count; pi++) {
        const struct pmt_parser *p = pmt_parsers[pi];
        int fds[2];
        if (pipe(fds) != 0) {
            return 0;
        }
        /* small inputs fit the pipe buffer: write, close, read */
        if (write(fds[1], data, n) != (ssize_t)n) {
            close(fds[0]);
            close(fds[1]);
            return 0;
        }
        close(fds[1]);
        struct pmt_input in;
        pmt_input_open_fd(&in, fds[0], "fuzz");
        in.max_line = 4096;
        struct pmt_srctime st = {.zone = zone, .ref_s = 1700000000};
        struct pmt_parse_ctx ctx = {.time = &st, .source_name = "fuzz", .opts = &opts};
        void *state = p->open ? p->open(&ctx) : NULL;
        pmt_evbuf_reset(&evb);
        struct pmt_str line;
        int cut;
        if (p->parse_doc) { /* the whole input as a document too */
            p->parse_doc(state, &ctx, (const char *)data, n, keep, NULL);
        }
        while (pmt_input_next(&in, &line, &cut)) {
            struct pmt_event ev;
            pmt_event_clear(&ev);
            ctx.lineno = in.lineno;
            enum pmt_parse_rc rc = p->parse_line(state, &ctx, line, &ev);
            if (rc == PMT_PARSE_EVENT) {
                ev.line = in.lineno;
                ev.parser = (uint8_t)pi;
                keep(NULL, &ev);
            } else if (rc == PMT_PARSE_CONTINUE) {
                pmt_evbuf_continue(&evb, ev.f[PMT_F_MESSAGE]);
            }
        }
        if (p->finish) {
            struct pmt_event ev;
            pmt_event_clear(&ev);
            if (p->finish(state, &ctx, &ev) == PMT_PARSE_EVENT) {
                keep(NULL, &ev);
            }
        }
        emit_all();
        draft_all(size & 1); /* odd sizes: redacted too */
        if (p->close) {
            p->close(state);
        }
        pmt_input_close(&in);
        close(fds[0]);
    }
    return 0;
}

#ifndef PMT_LIBFUZZER
static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Byte flips, inserted specials, cut and duplicated spans: what hostile logs look like. */
static size_t mutate(uint8_t *d, size_t n, size_t cap)
{
    static const char *const specials[] = {"\n", "\t", "\r\n", "<", ">", "1 ", "[", "]", "\"",
                                           "\\", "\x1b[31m", "\xff", "\xc2\x9b", "-", ":", " ",
                                           "\0", "Feb 29 ", "2024-11-03T01:30:00", "<191>1 ",
                                           "[08/Feb/2023:03:00:01 +0000] ", "\"", "2023/02/08 03:00:01 [error] 1#1: ",
                                           "--- !ruby/object:Puppet::Transaction::Report\n", "{\"time\":",
                                           ",,,\"", "time,message\n", "- level: :err\n"};
    int ops = 1 + (int)(next() % 8);
    for (int i = 0; i < ops && n > 0; i++) {
        size_t at = next() % n;
        switch (next() % 4) {
        case 0:
            d[at] ^= (uint8_t)(1u << (next() % 8));
            break;
        case 1: {
            const char *s = specials[next() % (sizeof(specials) / sizeof(specials[0]))];
            size_t l = s[0] ? strlen(s) : 1;
            if (n + l < cap) {
                memmove(d + at + l, d + at, n - at);
                memcpy(d + at, s, l);
                n += l;
            }
            break;
        }
        case 2:
            n = at + (n - at) / 2;
            break;
        default: {
            size_t l = next() % 64;
            if (at + l <= n && n + l < cap) {
                memmove(d + at + l, d + at, n - at);
                n += l;
            }
            break;
        }
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    static uint8_t seed[65536], buf[131072];
    size_t runs = 0;
    for (int f = 2; f < argc; f++) {
        FILE *fp = fopen(argv[f], "rb");
        if (!fp) {
            fprintf(stderr, "fuzz: cannot read seed %s\n", argv[f]);
            return 1;
        }
        size_t n = fread(seed, 1, sizeof(seed), fp);
        fclose(fp);
        LLVMFuzzerTestOneInput(seed, n);
        runs++;
        for (long i = 0; i < iterations / (argc - 2); i++) {
            memcpy(buf, seed, n);
            size_t m = mutate(buf, n, sizeof(buf));
            LLVMFuzzerTestOneInput(buf, m);
            runs++;
        }
    }
    printf("fuzz_parsers: %zu inputs, each through %zu parsers, no crash\n", runs, pmt_parser_count);
    return 0;
}
#endif
