/* The buffered writer and the escaping of untrusted text. See pmt/emit.h. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "pmt/emit.h"

#define OUT_CAP (256u << 10)

void pmt_out_init(struct pmt_out *o, int fd)
{
    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->cap = OUT_CAP;
    o->buf = pmt_xmalloc(o->cap);
}

void pmt_out_flush_buf(struct pmt_out *o)
{
    const char *p = o->buf;
    size_t n = o->len;
    while (n > 0 && !o->err) {
        ssize_t w = write(o->fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            o->err = errno;
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    o->len = 0;
}

int pmt_out_close(struct pmt_out *o)
{
    pmt_out_flush_buf(o);
    free(o->buf);
    o->buf = NULL;
    return o->err;
}

void pmt_out_u64(struct pmt_out *o, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    pmt_out_put(o, tmp + i, sizeof(tmp) - i);
}

void pmt_out_i64(struct pmt_out *o, int64_t v)
{
    if (v < 0) {
        pmt_out_ch(o, '-');
        pmt_out_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        pmt_out_u64(o, (uint64_t)v);
    }
}

/*
 * Length of the valid UTF-8 sequence at p (1..4), or 0 if the bytes there are not one.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) {
            return 0;
        }
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) {
            return 0;
        }
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) {
            return 0;
        }
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

/* C1 controls (U+0080..U+009F) are valid UTF-8 but some terminals obey them: never raw. */
static int is_c1(const unsigned char *p, size_t len)
{
    return len == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Byte classes: 0 copy as is, 1 needs a look. */
static unsigned char json_class[256];
static unsigned char md_class[256];

static void init_classes(void)
{
    static int done;
    if (done) {
        return;
    }
    for (int c = 0; c < 256; c++) {
        json_class[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x7F;
        md_class[c] = c < 0x20 || c >= 0x7F || strchr("\\`*_[<|~&", c) != NULL;
    }
    done = 1;
}

void pmt_out_json_str(struct pmt_out *o, const char *s, size_t n)
{
    init_classes();
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && !json_class[*p]) {
            p++;
        }
        if (p > run) {
            pmt_out_put(o, run, (size_t)(p - run));
        }
        if (p >= end) {
            break;
        }
        unsigned c = *p;
        if (c < 0x80) {
            static const char hex[] = "0123456789abcdef";
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            switch (c) {
            case '"': pmt_out_put(o, "\\\"", 2); break;
            case '\\': pmt_out_put(o, "\\\\", 2); break;
            case '\n': pmt_out_put(o, "\\n", 2); break;
            case '\t': pmt_out_put(o, "\\t", 2); break;
            case '\r': pmt_out_put(o, "\\r", 2); break;
            default: pmt_out_put(o, e, 6); break;
            }
            p++;
            continue;
        }
        size_t len = utf8_seq(p, (size_t)(end - p));
        if (len == 0) {
            pmt_out_put(o, replacement, 3);
            p++;
        } else if (is_c1(p, len)) {
            static const char hex[] = "0123456789abcdef";
            char e[6] = {'\\', 'u', '0', '0', hex[p[1] >> 4], hex[p[1] & 15]};
            pmt_out_put(o, e, 6);
            p += len;
        } else {
            pmt_out_put(o, p, len);
            p += len;
        }
    }
}

static int is_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* After '&': "name;", "#123;" or "#x1F;" would make an entity reference. */
static int looks_entity(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *q = p;
    if (q < end && *q == '#') {
        q++;
    }
    const unsigned char *start = q;
    while (q < end && q - p < 32 && is_alnum(*q)) {
        q++;
    }
    return q > start && q < end && *q == ';';
}

void pmt_out_md_text(struct pmt_out *o, const char *s, size_t n)
{
    init_classes();
    const unsigned char *start = (const unsigned char *)s;
    const unsigned char *p = start, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && !md_class[*p]) {
            p++;
        }
        if (p > run) {
            pmt_out_put(o, run, (size_t)(p - run));
        }
        if (p >= end) {
            break;
        }
        unsigned c = *p;
        if (c == '\n') {
            /* A continuation line: a hard line break inside the same list item or cell. */
            pmt_out_put(o, "\\\n  ", 4);
            p++;
            while (p < end && (*p == ' ' || *p == '\t')) {
                p++;
            }
            continue;
        }
        if (c == '\t') {
            pmt_out_ch(o, ' ');
            p++;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            /* A control character shows as its Unicode control picture: ESC as U+241B. */
            char pic[3] = {'\xE2', '\x90', (char)(c == 0x7F ? 0xA1 : 0x80 + c)};
            pmt_out_put(o, pic, 3);
            p++;
            continue;
        }
        if (c < 0x80) {
            int escape = 1;
            if (c == '_') {
                /* snake_case inside a word cannot start emphasis: leave it readable. */
                escape = !(p > start && is_alnum(p[-1]) && p + 1 < end && is_alnum(p[1]));
            } else if (c == '&') {
                escape = looks_entity(p + 1, end);
            }
            if (escape) {
                pmt_out_ch(o, '\\');
            }
            pmt_out_ch(o, (char)c);
            p++;
            continue;
        }
        size_t len = utf8_seq(p, (size_t)(end - p));
        if (len == 0 || is_c1(p, len)) {
            pmt_out_put(o, replacement, 3);
            p += len ? len : 1;
        } else {
            pmt_out_put(o, p, len);
            p += len;
        }
    }
}
