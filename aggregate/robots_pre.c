/* A literal prefilter in front of the COUNTER robots regex (issue 18).
 *
 * The robots list is 327 case-insensitive, unanchored patterns matched as
 * one alternation; a user agent that none of them matches (most of them)
 * costs that alternation at every position of the agent. Nearly every
 * pattern requires a literal ("bot", "spider", "crawl"...): an agent that
 * holds none of the required literals cannot match, and is answered without
 * the regex. The answer must be the regex's own, so the analysis of a
 * pattern is conservative: it only takes as required a run of characters
 * that every match of the pattern contains, and gives up (the regex always
 * runs) on any construct it does not fully understand.
 *
 * What a pattern yields:
 * - its longest run of plain characters at the top level (outside groups and
 *   classes), none optional: every match contains it, ASCII case folded
 *   (the list is compiled caseless, without UTF: only ASCII letters fold);
 *   when the run starts the pattern right after "^", the agent must start
 *   with it;
 * - when written "^...$" with atoms of bounded width, the longest agent it
 *   can match ("$" also matches before a final newline: one more byte);
 * - nothing: the prefilter is off for the whole list (never for this list).
 * A top-level "|", "(?" other than "(?:", "(*", "\Q", "\E", an escape
 * other than a punctuation character or one of \s \S \d \D \w \W \h \H \v
 * \V \b \B, a brace that is not a quantifier, a POSIX class, a byte
 * outside ASCII in a run: the pattern is taken as "anything may match". */
#include "hits_internal.h"

#include <stdlib.h>

#define PRE_LIT_MAX 64
#define UNBOUNDED ((size_t)-1)

typedef struct pre_lit {
    char s[PRE_LIT_MAX]; /* folded */
    uint8_t len;
    int next; /* next literal with the same first-pair bucket, -1 */
} pre_lit;

struct bl_robots_pre {
    size_t short_max; /* agents this long or shorter: the regex decides */
    bool always;      /* some pattern not understood: the regex decides */
    pre_lit *lit;     /* required anywhere */
    size_t nlit;
    pre_lit *pfx; /* required at the start */
    size_t npfx;
    uint64_t pair[1024]; /* bit (c0 << 8 | c1): some literal starts with it */
    uint64_t one[4];     /* bit c: some one-character literal is c */
    int head[1024];      /* first literal of a bucket, -1 */
};

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
    return is_digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips a character class starting at p ('['); returns the byte after its
 * ']', or NULL when not understood. */
static const char *skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p && *p != ']') {
        if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
            return NULL; /* POSIX classes: not parsed */
        if (*p == '\\') {
            if (!p[1] || p[1] == 'Q' || p[1] == 'E')
                return NULL;
            p++;
        }
        p++;
    }
    return *p ? p + 1 : NULL;
}

/* Skips a group starting at p ('('), nested groups and classes included;
 * returns the byte after its ')', or NULL when not understood. */
static const char *skip_group(const char *p)
{
    int depth = 0;
    while (*p) {
        if (*p == '\\') {
            if (!p[1] || p[1] == 'Q' || p[1] == 'E')
                return NULL;
            p += 2;
        } else if (*p == '[') {
            if (!(p = skip_class(p)))
                return NULL;
        } else if (*p == '(') {
            if (p[1] == '*' || (p[1] == '?' && p[2] != ':'))
                return NULL; /* verbs, options, lookarounds, comments, names */
            depth++;
            p++;
        } else if (*p == ')') {
            p++;
            if (--depth == 0)
                return p;
        } else {
            p++;
        }
    }
    return NULL;
}

/* A quantifier at p, if any: its length (*qlen, 0 when none), whether the
 * atom before it may be absent (*optional) or repeated (*more), and its
 * maximum count (*max, UNBOUNDED). False when a brace is not understood. */
static bool quantifier(const char *p, size_t *qlen, bool *optional, bool *more, size_t *max)
{
    const char *q = p;
    *optional = *more = false;
    *max = 1;
    if (*q == '?') {
        *optional = true;
        q++;
    } else if (*q == '*') {
        *optional = *more = true;
        *max = UNBOUNDED;
        q++;
    } else if (*q == '+') {
        *more = true;
        *max = UNBOUNDED;
        q++;
    } else if (*q == '{') {
        q++;
        if (!is_digit(*q))
            return false;
        size_t lo = 0, hi;
        while (is_digit(*q) && lo < 100000)
            lo = lo * 10 + (size_t)(*q++ - '0');
        hi = lo;
        if (*q == ',') {
            q++;
            if (*q == '}') {
                hi = UNBOUNDED;
            } else {
                if (!is_digit(*q))
                    return false;
                hi = 0;
                while (is_digit(*q) && hi < 100000)
                    hi = hi * 10 + (size_t)(*q++ - '0');
            }
        }
        if (*q != '}')
            return false;
        q++;
        *optional = lo == 0;
        *more = hi != 1;
        *max = hi;
    } else {
        *qlen = 0;
        return true;
    }
    if (*q == '?' || *q == '+') /* lazy or possessive */
        q++;
    *qlen = (size_t)(q - p);
    return true;
}

typedef struct analysis {
    char best[PRE_LIT_MAX];
    size_t best_len;
    bool best_start;
    size_t maxlen; /* UNBOUNDED, or the longest match of a ^...$ pattern */
} analysis;

/* Analyses one pattern; false when it is not understood. */
static bool analyse(const char *pat, analysis *a)
{
    char run[PRE_LIT_MAX];
    size_t rlen = 0;
    bool run_start = false; /* the current run began right after a leading ^ */
    a->best_len = 0;
    a->best_start = false;
    size_t width = 0;
    bool bounded = true, anchored = pat[0] == '^', ends = false;
#define END_RUN()                                                               \
    do {                                                                        \
        if (rlen > a->best_len || (rlen == a->best_len && rlen && run_start)) { \
            memcpy(a->best, run, rlen);                                         \
            a->best_len = rlen;                                                 \
            a->best_start = run_start;                                          \
        }                                                                       \
        rlen = 0;                                                               \
        run_start = false;                                                      \
    } while (0)
    const char *p = pat;
    while (*p) {
        const char *atom = p;
        unsigned char c = (unsigned char)*p;
        const char *next;
        int lit = -1;       /* the plain character this atom is, or -1 */
        bool zero = false;  /* a zero-width assertion */
        bool group = false; /* a group: its width is not computed */
        ends = false;
        if (c == '\\') {
            unsigned char e = (unsigned char)p[1];
            if (!e || e >= 0x80)
                return false;
            if (!is_alnum(e))
                lit = e; /* an escaped punctuation character stands for itself */
            else if (strchr("bB", e))
                zero = true;
            else if (!strchr("sSdDwWhHvV", e))
                return false;
            next = p + 2;
        } else if (c == '[') {
            if (!(next = skip_class(p)))
                return false;
        } else if (c == '(') {
            if (!(next = skip_group(p)))
                return false;
            group = true;
        } else if (c == '^' || c == '$') {
            zero = true;
            ends = c == '$';
            next = p + 1;
        } else if (c == '.' || c >= 0x80) {
            next = p + 1; /* one byte, not a letter that folds */
        } else if (c == '|' || c == ')' || c == '?' || c == '*' || c == '+' || c == '{') {
            return false;
        } else {
            lit = c;
            next = p + 1;
        }
        size_t qlen, max;
        bool optional, more;
        if (!quantifier(next, &qlen, &optional, &more, &max))
            return false;
        if (qlen && zero)
            return false;
        if (qlen)
            ends = false;
        p = next + qlen;
        /* the longest match so far */
        if (group || max == UNBOUNDED)
            bounded = false;
        else if (!zero)
            width += max;
        /* the run of required characters */
        if (lit >= 0 && !optional) {
            if (rlen == 0)
                run_start = anchored && atom == pat + 1;
            if (rlen < PRE_LIT_MAX)
                run[rlen++] = (char)fold((unsigned char)lit);
            if (more) /* required, but what follows may be another copy */
                END_RUN();
        } else {
            END_RUN();
        }
    }
    END_RUN();
#undef END_RUN
    a->maxlen = anchored && ends && bounded ? width : UNBOUNDED;
    return true;
}

void bl__robots_pre_free(bl_robots_pre *p)
{
    if (!p)
        return;
    free(p->lit);
    free(p->pfx);
    free(p);
}

static unsigned bucket(unsigned pair)
{
    return ((pair * 0x9E37u) >> 6) & 1023u;
}

bl_status bl__robots_pre_build(const char *const *pats, size_t n, bl_robots_pre **out)
{
    *out = NULL;
    bl_robots_pre *p = calloc(1, sizeof *p);
    if (!p ||
        (n && (!(p->lit = calloc(n, sizeof *p->lit)) || !(p->pfx = calloc(n, sizeof *p->pfx))))) {
        bl__robots_pre_free(p);
        return BL_NOMEM;
    }
    for (size_t i = 0; i < 1024; i++)
        p->head[i] = -1;
    for (size_t i = 0; i < n && !p->always; i++) {
        analysis a;
        if (!analyse(pats[i], &a)) {
            p->always = true;
            break;
        }
        if (a.maxlen != UNBOUNDED) {
            /* "$" matches at the end or before a final newline. */
            if (a.maxlen + 1 > p->short_max)
                p->short_max = a.maxlen + 1;
            continue; /* longer agents cannot match it at all */
        }
        if (a.best_len == 0) {
            p->always = true;
            break;
        }
        pre_lit *l = a.best_start ? &p->pfx[p->npfx++] : &p->lit[p->nlit];
        memcpy(l->s, a.best, a.best_len);
        l->len = (uint8_t)a.best_len;
        if (a.best_start)
            continue;
        const unsigned char *s = (const unsigned char *)l->s;
        if (l->len == 1) {
            p->one[s[0] >> 6] |= 1ull << (s[0] & 63);
        } else {
            unsigned pair = (unsigned)s[0] << 8 | s[1];
            p->pair[pair >> 6] |= 1ull << (pair & 63);
            l->next = p->head[bucket(pair)];
            p->head[bucket(pair)] = (int)p->nlit;
        }
        p->nlit++;
    }
    *out = p;
    return BL_OK;
}

static bool same_folded(const unsigned char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold(s[i]) != (unsigned char)lit[i])
            return false;
    return true;
}

bool bl__robots_pre_maybe(const bl_robots_pre *p, const char *agent, size_t n)
{
    if (p->always || n <= p->short_max)
        return true;
    const unsigned char *s = (const unsigned char *)agent;
    for (size_t i = 0; i < p->npfx; i++)
        if (p->pfx[i].len <= n && same_folded(s, p->pfx[i].s, p->pfx[i].len))
            return true;
    unsigned c0 = fold(s[0]);
    for (size_t i = 0; i < n; i++) {
        if (p->one[c0 >> 6] >> (c0 & 63) & 1)
            return true;
        if (i + 1 == n)
            break;
        unsigned c1 = fold(s[i + 1]);
        unsigned pair = c0 << 8 | c1;
        if (p->pair[pair >> 6] >> (pair & 63) & 1) {
            for (int k = p->head[bucket(pair)]; k >= 0; k = p->lit[k].next) {
                const pre_lit *l = &p->lit[k];
                if (l->len <= n - i && (unsigned char)l->s[0] == c0 &&
                    (unsigned char)l->s[1] == c1 && same_folded(s + i + 2, l->s + 2, l->len - 2u))
                    return true;
            }
        }
        c0 = c1;
    }
    return false;
}
