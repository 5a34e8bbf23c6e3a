/* Packed events. See pmt/evbuf.h. */
#include "pmt/evbuf.h"

#include <stdlib.h>

/*
 * A record: this header; then a uint32 length for each text field present (fmask, in field
 * order; the message is always present, so its length is the last); then an int64 for each
 * number present (nmask); then the texts in field order, the message last; padding to 8.
 * Syslog events carry 4 or 5 fields, HTTP ones a dozen: only what is there takes room.
 */
struct rec {
    int64_t t_ns;
    uint64_t line;
    uint32_t src;
    int32_t off_s;
    uint32_t size;
    uint32_t fmask;
    uint16_t flags;
    int8_t severity;
    uint8_t parser;
    uint8_t nmask;
    uint8_t nf, nn; /* how many fields and numbers are present (popcounts, kept) */
    uint8_t pad_;
};

_Static_assert(PMT_F_MESSAGE == PMT_F_COUNT - 1, "the message must be the last field");
_Static_assert(PMT_F_COUNT <= 32 && PMT_N_COUNT <= 8, "field masks fit");
_Static_assert(sizeof(struct rec) % 8 == 0, "records stay 8-aligned");

#define MSG_BIT (1u << PMT_F_MESSAGE)

static inline size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static inline size_t text_offset(const struct rec *rc)
{
    return sizeof(struct rec) + 4 * (size_t)rc->nf + 8 * (size_t)rc->nn;
}

static size_t count_bits(uint32_t m)
{
    size_t n = 0;
    for (; m; m &= m - 1) {
        n++;
    }
    return n;
}

static inline uint32_t *lens(struct rec *rc)
{
    return (uint32_t *)(rc + 1);
}

void pmt_evbuf_init(struct pmt_evbuf *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = PMT_MAX(cap, pad8(sizeof(struct rec) + 4 * PMT_F_COUNT + 8 * PMT_N_COUNT +
                               PMT_EVENT_MAX_TEXT + 8));
    b->buf = pmt_xmalloc(b->cap);
}

void pmt_evbuf_free(struct pmt_evbuf *b)
{
    free(b->buf);
    b->buf = NULL;
}

void pmt_evbuf_reset(struct pmt_evbuf *b)
{
    b->used = 0;
    b->n = 0;
    b->has_last = 0;
}

int pmt_evbuf_add(struct pmt_evbuf *b, const struct pmt_event *ev)
{
    uint32_t len[PMT_F_COUNT];
    uint32_t fmask = MSG_BIT;
    uint16_t flags = ev->flags;
    size_t text = 0;
    for (int i = 0; i < PMT_F_COUNT; i++) {
        len[i] = (uint32_t)PMT_MIN(ev->f[i].len, (size_t)PMT_EVENT_MAX_TEXT);
        text += len[i];
    }
    if (text > PMT_EVENT_MAX_TEXT) {
        size_t over = text - PMT_EVENT_MAX_TEXT;
        for (int i = PMT_F_MESSAGE; i >= 0 && over > 0; i--) { /* the message gives first */
            size_t k = PMT_MIN(over, (size_t)len[i]);
            len[i] -= (uint32_t)k;
            over -= k;
            text -= k;
        }
        flags |= PMT_EV_CUT;
    }
    for (int i = 0; i < PMT_F_MESSAGE; i++) {
        if (len[i]) {
            fmask |= 1u << i;
        }
    }
    size_t nf = count_bits(fmask), nn = count_bits(ev->nmask);
    size_t size = pad8(sizeof(struct rec) + 4 * nf + 8 * nn + text);
    if (b->used + size > b->cap) {
        return -1;
    }
    struct rec *rc = (struct rec *)(b->buf + b->used);
    rc->t_ns = ev->t_ns;
    rc->line = ev->line;
    rc->src = ev->src;
    rc->off_s = ev->off_s;
    rc->size = (uint32_t)size;
    rc->fmask = fmask;
    rc->flags = flags;
    rc->severity = ev->severity;
    rc->parser = ev->parser;
    rc->nmask = ev->nmask;
    rc->nf = (uint8_t)nf;
    rc->nn = (uint8_t)nn;
    rc->pad_ = 0;
    uint32_t *l = lens(rc);
    char *p = (char *)(l + nf);
    for (int i = 0; i < PMT_N_COUNT; i++) {
        if (ev->nmask & (1u << i)) {
            memcpy(p, &ev->n[i], 8);
            p += 8;
        }
    }
    for (int i = 0; i < PMT_F_COUNT; i++) {
        if (fmask & (1u << i)) {
            *l++ = len[i];
            if (len[i]) {
                memcpy(p, ev->f[i].p, len[i]);
                p += len[i];
            }
        }
    }
    memset(p, 0, (size_t)((char *)rc + size - p));
    b->last = b->used;
    b->has_last = 1;
    b->used += size;
    b->n++;
    return 0;
}

int pmt_evbuf_continue(struct pmt_evbuf *b, struct pmt_str text)
{
    if (!b->has_last) {
        return 0;
    }
    struct rec *rc = (struct rec *)(b->buf + b->last);
    size_t nf = rc->nf;
    uint32_t *l = lens(rc);
    size_t total = 0;
    for (size_t i = 0; i < nf; i++) {
        total += l[i];
    }
    size_t add = text.len + 1;
    if (total + add > PMT_EVENT_MAX_TEXT) {
        rc->flags |= PMT_EV_CUT;
        add = total < PMT_EVENT_MAX_TEXT ? PMT_EVENT_MAX_TEXT - total : 0;
        if (add == 0) {
            return 0;
        }
    }
    size_t start = text_offset(rc);
    size_t new_size = pad8(start + total + add);
    if (b->last + new_size > b->cap) {
        return -1;
    }
    char *end = (char *)rc + start + total;
    end[0] = '\n';
    memcpy(end + 1, text.p, add - 1);
    memset(end + add, 0, new_size - start - total - add);
    l[nf - 1] += (uint32_t)add; /* the message's length is the last */
    rc->size = (uint32_t)new_size;
    b->used = b->last + new_size;
    return 0;
}

void pmt_evbuf_move_last(struct pmt_evbuf *b, struct pmt_evbuf *to)
{
    if (!b->has_last) {
        return;
    }
    const struct rec *rc = (const struct rec *)(b->buf + b->last);
    memcpy(to->buf + to->used, rc, rc->size);
    to->last = to->used;
    to->used += rc->size;
    to->has_last = 1;
    to->n++;
    b->used = b->last;
    b->has_last = 0;
    b->n--;
}

int pmt_evbuf_next(const struct pmt_evbuf *b, size_t *pos, struct pmt_event *ev)
{
    if (*pos >= b->used) {
        return 0;
    }
    const struct rec *rc = (const struct rec *)(b->buf + *pos);
    ev->t_ns = rc->t_ns;
    ev->line = rc->line;
    ev->src = rc->src;
    ev->off_s = rc->off_s;
    ev->flags = rc->flags;
    ev->severity = rc->severity;
    ev->parser = rc->parser;
    ev->nmask = rc->nmask;
    const uint32_t *l = (const uint32_t *)(rc + 1);
    const char *p = (const char *)(l + rc->nf);
    for (int i = 0; i < PMT_N_COUNT; i++) {
        if (rc->nmask & (1u << i)) {
            memcpy(&ev->n[i], p, 8);
            p += 8;
        } else {
            ev->n[i] = 0;
        }
    }
    for (int i = 0; i < PMT_F_COUNT; i++) {
        if (rc->fmask & (1u << i)) {
            uint32_t n = *l++;
            ev->f[i] = pmt_str_make(n ? p : NULL, n);
            p += n;
        } else {
            ev->f[i] = PMT_STR_NULL;
        }
    }
    *pos += rc->size;
    return 1;
}
