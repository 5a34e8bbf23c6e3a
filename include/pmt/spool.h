/*
 * The spool puts records in order, (instant, input, line), in bounded memory. A record is a
 * key and an opaque payload: for --all, the event's finished output text, formatted while
 * other events are still being parsed, so that reading the spool back is a plain copy.
 *
 * Why not merge the inputs as they stream? Because an input that is out of order can only be
 * known to be so once it is read: its last line may be its earliest. So records are copied
 * into a chunk of fixed size; a full chunk is sorted (a no-op when it already
 * is) and written to an unlinked temporary file as a sorted *run*. A chunk that continues the
 * previous run in order extends it, so a sorted input, however large, is one run, and several
 * sorted inputs are a handful. A reorder window holds the newest 30 s of a chunk back for the
 * next one, so the jitter of real logs (nginx stamps requests when they end) keeps runs whole.
 * Reading is a k-way heap merge over the runs, with a small buffer each. The last chunk never
 * touches the disk, so small inputs never do either.
 *
 * Memory: one chunk (chunk_bytes) plus its index, plus one read buffer per run.
 */
#ifndef PMT_SPOOL_H
#define PMT_SPOOL_H

#include "pmt/common.h"

struct pmt_spool;

#define PMT_SPOOL_DEFAULT_CHUNK (6u << 20)
/* How far back in time a nearly sorted input may jump and still extend its run. */
#define PMT_SPOOL_WINDOW_NS (30LL * 1000000000LL)

/* One record on the way out: its key and its payload (an event's output text). */
struct pmt_spool_item {
    int64_t t_ns;
    uint64_t line;
    uint32_t src;
    const char *text;
    size_t len;
};

/* tmpdir: where the run file goes (NULL: $TMPDIR, else /tmp). */
struct pmt_spool *pmt_spool_new(size_t chunk_bytes, const char *tmpdir);

/*
 * Room for a payload of up to max bytes: write it there, then pmt_spool_commit with its key and
 * real length. NULL when the run file cannot be written (see pmt_spool_error).
 */
char *pmt_spool_reserve(struct pmt_spool *sp, size_t max);
void pmt_spool_commit(struct pmt_spool *sp, int64_t t_ns, uint32_t src, uint64_t line,
                      size_t len);

/* Ends writing. Returns 0 or -1. */
int pmt_spool_finish(struct pmt_spool *sp);

/* Next record in (t_ns, src, line) order: 1 (text valid until the next call), 0 at the end,
 * -1 on a read error. */
int pmt_spool_next(struct pmt_spool *sp, struct pmt_spool_item *it);

/* A message for the last failure, naming the directory and what to do. */
const char *pmt_spool_error(const struct pmt_spool *sp);

/* The first and last instant added, in seconds; 0 when nothing was. */
int pmt_spool_span(const struct pmt_spool *sp, int64_t *t0_s, int64_t *t1_s);

/* Counters for tests: runs written to the file, bytes spilled. */
size_t pmt_spool_runs(const struct pmt_spool *sp);
uint64_t pmt_spool_spilled(const struct pmt_spool *sp);

void pmt_spool_free(struct pmt_spool *sp);

#endif
