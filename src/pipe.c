/* The producer/consumer pipe. See pmt/pipe.h. */
#include "pmt/pipe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct pmt_pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pmt_pipe_consume_fn fn;
    void *arg;
    struct pmt_evbuf *bufs;
    size_t nbufs;
    struct pmt_evbuf **full, **empty; /* FIFO of full buffers; stack of empty ones */
    size_t nfull, fhead, nempty;
    struct pmt_evbuf *cur;
    int done;   /* producer finished */
    int failed; /* consumer failed: it now only recycles buffers */
};

static void *consumer(void *arg)
{
    struct pmt_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->nfull == 0 && !p->done) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        if (p->nfull == 0) {
            break;
        }
        struct pmt_evbuf *b = p->full[p->fhead];
        p->fhead = (p->fhead + 1) % p->nbufs;
        p->nfull--;
        int failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        int rc = failed ? -1 : p->fn(p->arg, b);
        pmt_evbuf_reset(b);
        pthread_mutex_lock(&p->mu);
        if (rc < 0) {
            p->failed = 1;
        }
        p->empty[p->nempty++] = b;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct pmt_pipe *pmt_pipe_start(pmt_pipe_consume_fn fn, void *arg, size_t nbufs, size_t cap)
{
    struct pmt_pipe *p = pmt_xcalloc(1, sizeof(*p));
    nbufs = PMT_MAX(nbufs, (size_t)2);
    p->fn = fn;
    p->arg = arg;
    p->nbufs = nbufs;
    p->bufs = pmt_xcalloc(nbufs, sizeof(*p->bufs));
    p->full = pmt_xcalloc(nbufs, sizeof(*p->full));
    p->empty = pmt_xcalloc(nbufs, sizeof(*p->empty));
    for (size_t i = 0; i < nbufs; i++) {
        pmt_evbuf_init(&p->bufs[i], cap);
    }
    for (size_t i = 1; i < nbufs; i++) {
        p->empty[p->nempty++] = &p->bufs[i];
    }
    p->cur = &p->bufs[0];
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, consumer, p) != 0) {
        fprintf(stderr, "pmtimeline: error: cannot start a thread\n");
        exit(PMT_EXIT_FATAL);
    }
    return p;
}

struct pmt_evbuf *pmt_pipe_current(struct pmt_pipe *p)
{
    return p->cur;
}

struct pmt_evbuf *pmt_pipe_send(struct pmt_pipe *p, int keep_open)
{
    pthread_mutex_lock(&p->mu);
    while (p->nempty == 0) {
        pthread_cond_wait(&p->cv, &p->mu);
    }
    struct pmt_evbuf *next = p->empty[--p->nempty];
    if (keep_open) {
        pmt_evbuf_move_last(p->cur, next);
    }
    p->full[(p->fhead + p->nfull) % p->nbufs] = p->cur;
    p->nfull++;
    p->cur = next;
    int failed = p->failed;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return failed ? NULL : next;
}

int pmt_pipe_finish(struct pmt_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->cur->n > 0) {
        p->full[(p->fhead + p->nfull) % p->nbufs] = p->cur;
        p->nfull++;
    }
    p->cur = NULL;
    p->done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    int rc = p->failed ? -1 : 0;
    for (size_t i = 0; i < p->nbufs; i++) {
        pmt_evbuf_free(&p->bufs[i]);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->bufs);
    free(p->full);
    free(p->empty);
    free(p);
    return rc;
}
