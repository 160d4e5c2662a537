/* The limits every PCRE2 match runs under, and the import-time check of a
 * pattern against them (include/bilan/pcre.h). */
#include "bilan/pcre.h"
#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool bl_pcre_limits_init(bl_pcre_limits *l)
{
    l->mctx = pcre2_match_context_create(NULL);
    l->jstack = pcre2_jit_stack_create(32 * 1024, BL_PCRE_JIT_STACK_MAX, NULL);
    if (!l->mctx || !l->jstack) {
        bl_pcre_limits_free(l);
        return false;
    }
    pcre2_set_match_limit(l->mctx, BL_PCRE_MATCH_LIMIT);
    pcre2_set_heap_limit(l->mctx, BL_PCRE_HEAP_LIMIT_KIB);
    pcre2_jit_stack_assign(l->mctx, NULL, l->jstack);
    return true;
}

void bl_pcre_limits_free(bl_pcre_limits *l)
{
    pcre2_match_context_free(l->mctx);
    pcre2_jit_stack_free(l->jstack);
    l->mctx = NULL;
    l->jstack = NULL;
}

#define SUBJECT_LEN 4000

/* The synthetic URLs: what makes a badly nested quantifier backtrack. */
static void subject(int kind, char *s)
{
    static const char *const heads[] = {"portail.example.org/", "/", "/a/", "/"};
    size_t k = strlen(heads[kind]);
    memcpy(s, heads[kind], k);
    for (size_t i = k; i < SUBJECT_LEN; i++) {
        switch (kind) {
        case 0:
            s[i] = 'a';
            break; /* one letter */
        case 1:
            s[i] = (char)('0' + i % 10);
            break; /* digits */
        case 2:
            s[i] = i % 8 == 7 ? '/' : 'x';
            break; /* many segments */
        default:
            s[i] = i < 1500 ? 'y' : (i % 2 ? '-' : 'z'); /* one long segment */
        }
    }
    s[SUBJECT_LEN - 1] = '!'; /* no pattern's end anchor matches there */
    s[SUBJECT_LEN] = '\0';
}

/* PCRE2's own message of a compile error, in the user's language for the
 * mistakes a hand-written pattern makes (PCRE2 has no catalog: until 3
 * December 2026 a French user read « missing closing parenthesis »). */
static const char *compile_error_text(int code, PCRE2_UCHAR *buf, size_t n)
{
    static const struct {
        int code;
        const char *text;
    } known[] = {
        {PCRE2_ERROR_END_BACKSLASH, N_("a \\ at the end of the pattern")},
        {PCRE2_ERROR_QUANTIFIER_OUT_OF_ORDER, N_("numbers out of order in a {} quantifier")},
        {PCRE2_ERROR_MISSING_SQUARE_BRACKET, N_("a [ without its closing ]")},
        {PCRE2_ERROR_CLASS_RANGE_ORDER, N_("a range out of order in [...] (z-a)")},
        {PCRE2_ERROR_QUANTIFIER_INVALID, N_("a quantifier (*, +, ?, {}) that follows nothing")},
        {PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS, N_("a ( without its closing )")},
        {PCRE2_ERROR_BAD_SUBPATTERN_REFERENCE, N_("a reference to a group that does not exist")},
        {PCRE2_ERROR_MISSING_COMMENT_CLOSING, N_("a (?# comment without its closing )")},
        {PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS, N_("a ) without its opening (")},
        {PCRE2_ERROR_DUPLICATE_SUBPATTERN_NAME, N_("two groups with the same name")},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].code == code)
            return _(known[i].text);
    pcre2_get_error_message(code, buf, n);
    return (const char *)buf;
}

bool bl_pcre_check(const char *pat, uint32_t flags, char *msg, size_t n)
{
    int errcode;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, flags, &errcode, &off, NULL);
    if (!re) {
        PCRE2_UCHAR buf[256];
        snprintf(msg, n, _("not a valid PCRE2 pattern: %s at offset %zu"),
                 compile_error_text(errcode, buf, sizeof buf), (size_t)off);
        return false;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    bl_pcre_limits l;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    bool ok = true;
    if (!md || !bl_pcre_limits_init(&l)) {
        snprintf(msg, n, "%s", _("out of memory"));
        ok = false;
    } else {
        char s[SUBJECT_LEN + 1];
        for (int kind = 0; kind < 4 && ok; kind++) {
            subject(kind, s);
            int r = bl_pcre_match(&l, re, s, SUBJECT_LEN, md);
            if (r < PCRE2_ERROR_NOMATCH) {
                PCRE2_UCHAR buf[256];
                pcre2_get_error_message(r, buf, sizeof buf);
                snprintf(msg, n,
                         _("the pattern needs more than bilan's matching limits on a "
                           "%d-character address (%s): it backtracks too much; "
                           "simplify it (avoid nested quantifiers such as (a+)+)"),
                         SUBJECT_LEN, (const char *)buf);
                ok = false;
            }
        }
        bl_pcre_limits_free(&l);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return ok;
}
