/* The buffered writer and the escaping of untrusted text. See pmt/emit.h. */
#include <csv.h>
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

char *pmt_put_u64(char *w, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(w, tmp + i, sizeof(tmp) - i);
    return w + sizeof(tmp) - i;
}

void pmt_out_u64(struct pmt_out *o, uint64_t v)
{
    char tmp[24];
    pmt_out_put(o, tmp, (size_t)(pmt_put_u64(tmp, v) - tmp));
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

/* Copies the UTF-8 sequence at *pp, or writes U+FFFD for a malformed one or a C1 control (which
 * terminals obey); advances *pp past what it read. */
static char *copy_utf8(char *w, const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    size_t len = utf8_seq(p, (size_t)(end - p));
    if (len == 0 || is_c1(p, len)) {
        memcpy(w, replacement, 3);
        *pp = p + (len ? len : 1);
        return w + 3;
    }
    memcpy(w, p, len);
    *pp = p + len;
    return w + len;
}

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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char hexd[] = "0123456789abcdef";

/* Bytes up to the first one JSON needs to look at (control, '"', '\\', DEL, non-ASCII). */
static inline size_t json_plain_run(const unsigned char *p, size_t n, char *w)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
                  del = _mm_set1_epi8(0x7f);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        _mm_storeu_si128((__m128i *)(w + i), v);
        /* signed: bytes >= 0x80 are negative, so "< 0x20" catches them with the controls */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, q)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, del)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) {
            return i + (size_t)__builtin_ctz(mask);
        }
        i += 16;
    }
#endif
    while (i < n && !json_class[p[i]]) {
        w[i] = (char)p[i];
        i++;
    }
    return i;
}

char *pmt_json_esc(char *w, const char *s, size_t n)
{
    init_classes();
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        size_t k = json_plain_run(p, (size_t)(end - p), w);
        p += k;
        w += k;
        if (p >= end) {
            break;
        }
        unsigned c = *p;
        if (c < 0x80) {
            *w++ = '\\';
            switch (c) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '\n': *w++ = 'n'; break;
            case '\t': *w++ = 't'; break;
            case '\r': *w++ = 'r'; break;
            default:
                memcpy(w, "u00", 3);
                w[3] = hexd[c >> 4];
                w[4] = hexd[c & 15];
                w += 5;
                break;
            }
            p++;
            continue;
        }
        size_t len = utf8_seq(p, (size_t)(end - p));
        if (len == 0) {
            memcpy(w, replacement, 3);
            w += 3;
            p++;
        } else if (is_c1(p, len)) {
            memcpy(w, "\\u00", 4);
            w[4] = hexd[p[1] >> 4];
            w[5] = hexd[p[1] & 15];
            w += 6;
            p += len;
        } else {
            memcpy(w, p, len);
            w += len;
            p += len;
        }
    }
    return w;
}

void pmt_out_json_str(struct pmt_out *o, const char *s, size_t n)
{
    char *w = pmt_out_reserve(o, n * 6 + PMT_ESC_SLACK);
    if (w) {
        pmt_out_commit(o, pmt_json_esc(w, s, n));
        return;
    }
    /* larger than the whole buffer: a piece at a time, cut between UTF-8 sequences */
    size_t piece = (o->cap - PMT_ESC_SLACK) / 6;
    while (n > 0) {
        size_t k = PMT_MIN(n, piece);
        while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) {
            k--;
        }
        if (k == 0) {
            k = PMT_MIN(n, piece);
        }
        w = pmt_out_reserve(o, k * 6 + PMT_ESC_SLACK);
        pmt_out_commit(o, pmt_json_esc(w, s, k));
        s += k;
        n -= k;
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

static inline size_t md_plain_run(const unsigned char *p, size_t n, char *w)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
    const __m128i c1 = _mm_set1_epi8('\\'), c2 = _mm_set1_epi8('`'), c3 = _mm_set1_epi8('*'),
                  c4 = _mm_set1_epi8('_'), c5 = _mm_set1_epi8('['), c6 = _mm_set1_epi8('<'),
                  c7 = _mm_set1_epi8('|'), c8 = _mm_set1_epi8('~'), c9 = _mm_set1_epi8('&');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        _mm_storeu_si128((__m128i *)(w + i), v);
        __m128i m = _mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, del));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, c1), _mm_cmpeq_epi8(v, c2)));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, c3), _mm_cmpeq_epi8(v, c4)));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, c5), _mm_cmpeq_epi8(v, c6)));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, c7), _mm_cmpeq_epi8(v, c8)));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, c9));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) {
            return i + (size_t)__builtin_ctz(mask);
        }
        i += 16;
    }
#endif
    while (i < n && !md_class[p[i]]) {
        w[i] = (char)p[i];
        i++;
    }
    return i;
}

char *pmt_md_esc(char *w, const char *s, size_t n)
{
    init_classes();
    const unsigned char *start = (const unsigned char *)s;
    const unsigned char *p = start, *end = p + n;
    while (p < end) {
        size_t k = md_plain_run(p, (size_t)(end - p), w);
        p += k;
        w += k;
        if (p >= end) {
            break;
        }
        unsigned c = *p;
        if (c == '\n') {
            /* A continuation line: a hard line break inside the same list item or cell. */
            memcpy(w, "\\\n  ", 4);
            w += 4;
            p++;
            while (p < end && (*p == ' ' || *p == '\t')) {
                p++;
            }
            continue;
        }
        if (c == '\t') {
            *w++ = ' ';
            p++;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            /* A control character shows as its Unicode control picture: ESC as U+241B. */
            w[0] = '\xE2';
            w[1] = '\x90';
            w[2] = (char)(c == 0x7F ? 0xA1 : 0x80 + c);
            w += 3;
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
                *w++ = '\\';
            }
            *w++ = (char)c;
            p++;
            continue;
        }
        w = copy_utf8(w, &p, end);
    }
    return w;
}

/* Writes s through an escaper that needs at most 4 bytes per input byte, in pieces that fit the
 * buffer and end on a character boundary, so text of any length goes out. */
static void out_escaped(struct pmt_out *o, const char *s, size_t n,
                        char *(*esc)(char *, const char *, size_t))
{
    size_t piece = (o->cap - PMT_ESC_SLACK) / 4;
    while (n > 0) {
        size_t k = PMT_MIN(n, piece);
        while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) {
            k--;
        }
        if (k == 0) {
            k = PMT_MIN(n, piece);
        }
        char *w = pmt_out_reserve(o, k * 4 + PMT_ESC_SLACK);
        pmt_out_commit(o, esc(w, s, k));
        s += k;
        n -= k;
    }
}

void pmt_out_md_text(struct pmt_out *o, const char *s, size_t n)
{
    out_escaped(o, s, n, pmt_md_esc);
}

char *pmt_text_esc(char *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        if (c >= 0x20 && c < 0x7F) {
            *w++ = (char)c;
            p++;
        } else if (c == '\n' || c == '\t') {
            *w++ = c == '\n' ? '\n' : ' ';
            p++;
        } else if (c < 0x80) {
            w[0] = '\xE2';
            w[1] = '\x90';
            w[2] = (char)(c == 0x7F ? 0xA1 : 0x80 + c);
            w += 3;
            p++;
        } else {
            w = copy_utf8(w, &p, end);
        }
    }
    return w;
}

void pmt_out_text(struct pmt_out *o, const char *s, size_t n)
{
    out_escaped(o, s, n, pmt_text_esc);
}

void pmt_out_csv_field(struct pmt_out *o, const char *s, size_t n)
{
    /* control characters made visible first; then libcsv quotes the field (RFC 4180: in
     * quotes, a quote inside doubled) */
    char *clean = pmt_xmalloc(n * 4 + PMT_ESC_SLACK);
    size_t cn = (size_t)(pmt_text_esc(clean, s, n) - clean);
    size_t need = csv_write(NULL, 0, clean, cn);
    char *w = pmt_out_reserve(o, need);
    if (w) {
        csv_write(w, need, clean, cn);
        pmt_out_commit(o, w + need);
    } else { /* longer than the output buffer */
        char *big = pmt_xmalloc(need);
        csv_write(big, need, clean, cn);
        pmt_out_put(o, big, need);
        free(big);
    }
    free(clean);
}

static int is_dig(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_hexc(unsigned char c)
{
    return is_dig(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int is_word(unsigned char c)
{
    return is_dig(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '.' || c == '_' ||
           c == '-' || c == '+' || c == '%';
}

/* IPv4 at p: "1.2.3.4" with each part 0-255, not inside a longer dotted number. */
static size_t ipv4_at(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *q = p;
    for (int part = 0; part < 4; part++) {
        int v = 0, d = 0;
        while (q < end && is_dig(*q) && d < 3) {
            v = v * 10 + (*q++ - '0');
            d++;
        }
        if (d == 0 || v > 255) {
            return 0;
        }
        if (part < 3) {
            if (q >= end || *q != '.') {
                return 0;
            }
            q++;
        }
    }
    if (q < end && (is_dig(*q) || (*q == '.' && q + 1 < end && is_dig(q[1])))) {
        return 0;
    }
    return (size_t)(q - p);
}

/* IPv6 at p: hex groups and colons, with "::" or five colons or more (a clock time such as
 * 08:25:01 has two). */
static size_t ipv6_at(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *q = p;
    int colons = 0, hex = 0, dbl = 0;
    while (q < end && (is_hexc(*q) || *q == ':') && q - p < 45) {
        colons += *q == ':';
        dbl |= q > p && *q == ':' && q[-1] == ':';
        hex += *q != ':';
        q++;
    }
    return (dbl || colons >= 5) && hex >= 1 ? (size_t)(q - p) : 0;
}

size_t pmt_redact(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t w = 0;
    while (p < end && w + 1 < cap) {
        int boundary = p == (const unsigned char *)s || !is_word(p[-1]);
        size_t k;
        if (boundary && is_dig(*p) && (k = ipv4_at(p, end)) > 0) {
            const char *mask = "x.x.x.x";
            for (size_t i = 0; mask[i] && w + 1 < cap; i++) {
                out[w++] = mask[i];
            }
            p += k;
            continue;
        }
        if (boundary && (is_hexc(*p) || *p == ':') && (k = ipv6_at(p, end)) > 0) {
            const char *mask = "x:x:x:x";
            for (size_t i = 0; mask[i] && w + 1 < cap; i++) {
                out[w++] = mask[i];
            }
            p += k;
            continue;
        }
        if (*p == '@' && w > 0 && p + 1 < end && is_word(p[1])) {
            /* an e-mail address: drop the local part written so far */
            size_t back = w;
            while (back > 0 && is_word((unsigned char)out[back - 1])) {
                back--;
            }
            if (back < w) {
                w = back;
                const char *mask = "\xE2\x80\xA6"; /* … */
                for (size_t i = 0; mask[i] && w + 1 < cap; i++) {
                    out[w++] = mask[i];
                }
            }
        }
        out[w++] = (char)*p++;
    }
    out[w] = '\0';
    return w;
}
