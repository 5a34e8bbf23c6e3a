/*
 * The spool puts every event in order, (instant, input, line), in bounded memory.
 *
 * Why not merge the inputs as they stream? Because an input that is out of order can only be
 * known to be so once it is read: its last line may be its earliest. So events are copied as
 * compact records into a chunk of fixed size; a full chunk is sorted (a no-op when it already
 * is) and written to an unlinked temporary file as a sorted *run*. A chunk that continues the
 * previous run in order extends it, so a sorted input, however large, is one run, and several
 * sorted inputs are a handful. A reorder window holds the newest 30 s of a chunk back for the
 * next one, so the jitter of real logs (nginx stamps requests when they end) keeps runs whole. Reading is a k-way heap merge over the runs, with a small
 * buffer each. The last chunk never touches the disk, so small inputs never do either.
 *
 * Memory: one chunk (chunk_bytes) plus its index, plus one read buffer per run.
 */
#ifndef PMT_SPOOL_H
#define PMT_SPOOL_H

#include "pmt/event.h"

struct pmt_spool;

#define PMT_SPOOL_DEFAULT_CHUNK (8u << 20)
#define PMT_SPOOL_MAX_TEXT (1u << 20) /* an event's text, continuations included */
/* How far back in time a nearly sorted input may jump and still extend its run. */
#define PMT_SPOOL_WINDOW_NS (30LL * 1000000000LL)

/* tmpdir: where the run file goes (NULL: $TMPDIR, else /tmp). */
struct pmt_spool *pmt_spool_new(size_t chunk_bytes, const char *tmpdir);

/* Copies ev into the spool. Returns 0, or -1 when the run file cannot be written (see error). */
int pmt_spool_add(struct pmt_spool *sp, const struct pmt_event *ev);

/* Appends "\n" + text to the message of the event added last (a continuation line). */
int pmt_spool_continue(struct pmt_spool *sp, struct pmt_str text);

/* Ends writing. Returns 0 or -1. */
int pmt_spool_finish(struct pmt_spool *sp);

/* Next event in order: 1 and ev (views valid until the next call), 0 at the end, -1 on error. */
int pmt_spool_next(struct pmt_spool *sp, struct pmt_event *ev);

/* A message for the last -1, naming the file and what to do. */
const char *pmt_spool_error(const struct pmt_spool *sp);

/* Counters for tests and --stats: runs written to the file, bytes spilled. */
size_t pmt_spool_runs(const struct pmt_spool *sp);
uint64_t pmt_spool_spilled(const struct pmt_spool *sp);

void pmt_spool_free(struct pmt_spool *sp);

#endif
