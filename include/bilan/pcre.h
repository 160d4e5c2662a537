/* bilan — the one set of limits every PCRE2 match runs under (resources'
 * URL and request patterns, the robots list, custom log formats), and the
 * check that refuses a pattern which would exceed them at import
 * (docs/security.md, "Patterns"). */
#ifndef BILAN_PCRE_H
#define BILAN_PCRE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/* Backtracking steps of one match (PCRE2's match limit; its default is
 * 10 000 000, ~40 ms of a catastrophic pattern a line). */
#define BL_PCRE_MATCH_LIMIT 1000000u
/* Heap for backtracking, in KiB (the default is 20 GiB). */
#define BL_PCRE_HEAP_LIMIT_KIB 65536u
/* The JIT stack grows up to this (the default 32 KiB drops a hit whose path
 * has a 1 500-character segment). */
#define BL_PCRE_JIT_STACK_MAX (8u * 1024u * 1024u)

typedef struct bl_pcre_limits {
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
} bl_pcre_limits;

/* False on allocation failure (nothing to free then). */
bool bl_pcre_limits_init(bl_pcre_limits *l);
void bl_pcre_limits_free(bl_pcre_limits *l);

/* One match under the limits, through the JIT when the pattern was
 * JIT-compiled. PCRE2's return: >= 0 a match, PCRE2_ERROR_NOMATCH, or an
 * error (a limit reached) that the caller must not read as "no match". */
static inline int bl_pcre_match(const bl_pcre_limits *l, const pcre2_code *re, const char *s,
                                size_t n, pcre2_match_data *md)
{
    int r = pcre2_jit_match(re, (PCRE2_SPTR)s, n, 0, 0, md, l->mctx);
    if (r == PCRE2_ERROR_JIT_BADOPTION) /* not JIT-compiled */
        r = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, l->mctx);
    return r;
}

/* Compiles pat (flags as the caller will use them, JIT as well) and runs it
 * on long synthetic URLs (a 4 000-character run of one letter, of digits,
 * of path segments, a 1 500-character segment): false, with the reason in
 * msg, when it does not compile or when a match exceeds the limits (a
 * pattern that backtracks catastrophically). */
bool bl_pcre_check(const char *pat, uint32_t flags, char *msg, size_t n);

#endif
