/*
 * A buffer of events packed as compact records: how parsed events travel from the parsing
 * thread to the formatting one. Adding copies an event's text in (the line it points into is
 * about to be reused); reading gives events whose views point into the buffer.
 *
 * The message is packed last, so a continuation line extends the last event in place.
 */
#ifndef PMT_EVBUF_H
#define PMT_EVBUF_H

#include "pmt/event.h"

#define PMT_EVENT_MAX_TEXT (1u << 20) /* an event's text, continuations included */

struct pmt_evbuf {
    char *buf;
    size_t cap, used;
    size_t last; /* offset of the last record, while it may still be continued */
    int has_last;
    size_t n;    /* records */
};

/* cap must exceed PMT_EVENT_MAX_TEXT plus a header, so any event fits an empty buffer. */
void pmt_evbuf_init(struct pmt_evbuf *b, size_t cap);
void pmt_evbuf_free(struct pmt_evbuf *b);
void pmt_evbuf_reset(struct pmt_evbuf *b);

/* Packs ev (text over PMT_EVENT_MAX_TEXT is cut and flagged). -1: no room, b unchanged. */
int pmt_evbuf_add(struct pmt_evbuf *b, const struct pmt_event *ev);

/* Appends "\n" + text to the last event's message (cut at the limit). -1: no room. */
int pmt_evbuf_continue(struct pmt_evbuf *b, struct pmt_str text);

/* Moves the last event out of b into the empty buffer to. */
void pmt_evbuf_move_last(struct pmt_evbuf *b, struct pmt_evbuf *to);

/* No more continuations for the last event (its input ended, or another began). */
static inline void pmt_evbuf_close_last(struct pmt_evbuf *b)
{
    b->has_last = 0;
}

/* Reads the record at *pos into ev and advances; 0 at the end. */
int pmt_evbuf_next(const struct pmt_evbuf *b, size_t *pos, struct pmt_event *ev);

#endif
