/* Small shared pieces: string views, allocation wrappers, branch hints. */
#ifndef PMT_COMMON_H
#define PMT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PMT_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PMT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline int pmt_is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}
#define PMT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PMT_MAX(a, b) ((a) > (b) ? (a) : (b))

/* A view of bytes that live elsewhere: no NUL terminator, may contain NUL bytes. */
struct pmt_str {
    const char *p;
    size_t len;
};

#define PMT_STR_NULL ((struct pmt_str){NULL, 0})

static inline struct pmt_str pmt_str_make(const char *p, size_t len)
{
    return (struct pmt_str){p, len};
}

static inline int pmt_str_eq(struct pmt_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

/*
 * Allocation that never returns NULL: on failure the process prints one line and exits 3
 * (see README, exit codes). Running out of memory is not something a log tool can recover
 * from sensibly, and every caller checking would hide the real logic.
 */
void *pmt_xmalloc(size_t n);
void *pmt_xcalloc(size_t n, size_t size);
void *pmt_xrealloc(void *p, size_t n);
char *pmt_xstrdup(const char *s);
char *pmt_xstrndup(const char *s, size_t n);

/* Exit codes, documented in --help and README. */
enum {
    PMT_EXIT_OK = 0,
    PMT_EXIT_INPUT = 1, /* some input was unreadable, corrupt or truncated; the rest was processed */
    PMT_EXIT_USAGE = 2, /* bad command line */
    PMT_EXIT_FATAL = 3  /* could not write output or the temporary spool, or out of memory */
};

#endif
