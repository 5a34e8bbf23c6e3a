/* Packed events. See pmt/evbuf.h. */
#include "pmt/evbuf.h"

#include <stdlib.h>

/* A record: this header, then each field's text in index order, then padding to 8. */
struct rec {
    int64_t t_ns;
    uint64_t line;
    uint32_t src;
    int32_t off_s;
    uint32_t size;
    uint16_t flags;
    int8_t severity;
    uint8_t parser;
    uint32_t len[PMT_F_COUNT];
};

_Static_assert(PMT_F_MESSAGE == PMT_F_COUNT - 1, "the message must be the last field");
_Static_assert(sizeof(struct rec) % 8 == 0, "records stay 8-aligned");

static inline size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

void pmt_evbuf_init(struct pmt_evbuf *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = PMT_MAX(cap, pad8(sizeof(struct rec) + PMT_EVENT_MAX_TEXT + 8));
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
    size_t size = pad8(sizeof(struct rec) + text);
    if (b->used + size > b->cap) {
        return -1;
    }
    struct rec *rc = (struct rec *)(b->buf + b->used);
    rc->t_ns = ev->t_ns;
    rc->line = ev->line;
    rc->src = ev->src;
    rc->off_s = ev->off_s;
    rc->size = (uint32_t)size;
    rc->flags = flags;
    rc->severity = ev->severity;
    rc->parser = ev->parser;
    char *p = (char *)(rc + 1);
    for (int i = 0; i < PMT_F_COUNT; i++) {
        rc->len[i] = len[i];
        if (len[i]) {
            memcpy(p, ev->f[i].p, len[i]);
            p += len[i];
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
    size_t total = 0;
    for (int i = 0; i < PMT_F_COUNT; i++) {
        total += rc->len[i];
    }
    size_t add = text.len + 1;
    if (total + add > PMT_EVENT_MAX_TEXT) {
        rc->flags |= PMT_EV_CUT;
        add = total < PMT_EVENT_MAX_TEXT ? PMT_EVENT_MAX_TEXT - total : 0;
        if (add == 0) {
            return 0;
        }
    }
    size_t new_size = pad8(sizeof(struct rec) + total + add);
    if (b->last + new_size > b->cap) {
        return -1;
    }
    char *end = (char *)(rc + 1) + total;
    end[0] = '\n';
    memcpy(end + 1, text.p, add - 1);
    memset(end + add, 0, new_size - sizeof(struct rec) - total - add);
    rc->len[PMT_F_MESSAGE] += (uint32_t)add;
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
    const char *p = (const char *)(rc + 1);
    for (int i = 0; i < PMT_F_COUNT; i++) {
        ev->f[i] = pmt_str_make(rc->len[i] ? p : NULL, rc->len[i]);
        p += rc->len[i];
    }
    *pos += rc->size;
    return 1;
}
