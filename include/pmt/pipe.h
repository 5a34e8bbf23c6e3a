/*
 * Two threads over a bounded queue of event buffers: the caller's thread reads and parses and
 * fills buffers; a consumer thread takes each full buffer (for --all: formats its events into
 * the spool). Both cores work, and memory is nbufs buffers whatever the input size.
 */
#ifndef PMT_PIPE_H
#define PMT_PIPE_H

#include "pmt/evbuf.h"

struct pmt_pipe;

/* Called on the consumer thread for each full buffer; returns 0, or -1 to fail the pipe. */
typedef int (*pmt_pipe_consume_fn)(void *arg, const struct pmt_evbuf *b);

struct pmt_pipe *pmt_pipe_start(pmt_pipe_consume_fn fn, void *arg, size_t nbufs, size_t cap);

/* The buffer to fill now. */
struct pmt_evbuf *pmt_pipe_current(struct pmt_pipe *p);

/*
 * Hands the current buffer to the consumer and returns an empty one. With keep_open, the last
 * event (which a continuation line is extending) moves to the new buffer first. NULL when the
 * consumer has failed: stop producing.
 */
struct pmt_evbuf *pmt_pipe_send(struct pmt_pipe *p, int keep_open);

/* Sends what is left, waits for the consumer and frees the pipe; 0, or -1 if it failed. */
int pmt_pipe_finish(struct pmt_pipe *p);

#endif
