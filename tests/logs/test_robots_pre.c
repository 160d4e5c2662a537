/* The robots list's literal prefilter (aggregate/robots_pre.c) gives the
 * regex's verdict: whenever it says "cannot match", the COUNTER robots
 * alternation, compiled as the log rules compile it, finds no match (and
 * reaches no limit). Run on every user agent of both bench generators'
 * logs, on agents made from the list's own patterns (their text, mutated,
 * embedded in browser agents, in other cases), on short, long and
 * non-ASCII agents, and, pattern by pattern, on random strings for
 * patterns written to trip a careless literal extraction. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <arpa/inet.h>

#include "bilan/ingest.h"
#include "hits_internal.h"
#include "testutil.h"

typedef struct oracle {
    pcre2_code *re;
    pcre2_match_data *md;
    bl_pcre_limits lim;
    bl_robots_pre *pre;
    long agents, robots, skipped;
} oracle;

/* The patterns as bl__log_load_robots combines them (each validated alone). */
static void oracle_open(oracle *o, const char *const *pats, size_t n)
{
    memset(o, 0, sizeof *o);
    bl_buf all = BL_BUF_INIT(1 << 20);
    const char **kept = calloc(n + 1, sizeof *kept);
    size_t nk = 0;
    cr_assert(kept);
    for (size_t i = 0; i < n; i++) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *one = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                        &err, &off, NULL);
        if (!one)
            continue;
        pcre2_code_free(one);
        kept[nk++] = pats[i];
        cr_assert_eq(bl_buf_printf(&all, "%s(?:%s)", all.len ? "|" : "", pats[i]), BL_OK);
    }
    int err;
    PCRE2_SIZE off;
    o->re = pcre2_compile((PCRE2_SPTR)(all.len ? bl_buf_cstr(&all) : "(*FAIL)"),
                          PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err, &off, NULL);
    cr_assert(o->re);
    pcre2_jit_compile(o->re, PCRE2_JIT_COMPLETE);
    o->md = pcre2_match_data_create(1, NULL);
    cr_assert(bl_pcre_limits_init(&o->lim));
    cr_assert_eq(bl__robots_pre_build(kept, nk, &o->pre), BL_OK);
    free(kept);
    bl_buf_release(&all);
}

static void oracle_close(oracle *o)
{
    pcre2_code_free(o->re);
    pcre2_match_data_free(o->md);
    bl_pcre_limits_free(&o->lim);
    bl__robots_pre_free(o->pre);
}

static void check(oracle *o, const char *a, size_t n, const char *what)
{
    int r = bl_pcre_match(&o->lim, o->re, a, n, o->md);
    bool maybe = bl__robots_pre_maybe(o->pre, a, n);
    o->agents++;
    o->robots += r >= 0;
    if (!maybe) {
        o->skipped++;
        if (r != PCRE2_ERROR_NOMATCH)
            cr_assert(false, "%s: the prefilter says no, the regex says %d, agent '%.*s'", what, r,
                      (int)(n > 300 ? 300 : n), a);
    }
}

static void check_s(oracle *o, const char *a, const char *what)
{
    check(o, a, strlen(a), what);
}

static char **list(size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/counter-robots/COUNTER_Robots_list.txt", tu_srcdir());
    char **pats = NULL;
    cr_assert_eq(bl_robots_read(path, &pats, n), BL_OK);
    cr_assert_gt(*n, 300);
    return pats;
}

/* The user agents of a generated log (its last quoted field), each once. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t log_agents(const char *gen, const char *dir, const char *lines, char ***out)
{
    char gz[1024];
    snprintf(gz, sizeof gz, "%s/%s.log.gz", dir, strrchr(gen, '/') + 1);
    tu_run r = tu_sh("'%s' '%s' '%s' %s 7 > /dev/null", gen, gz, dir, lines);
    cr_assert_eq(r.status, 0, "%s failed", gen);
    tu_run_free(&r);
    gzFile f = gzopen(gz, "rb");
    cr_assert(f);
    static char line[70000];
    char **v = NULL;
    size_t n = 0, cap = 0;
    while (gzgets(f, line, sizeof line)) {
        size_t len = strcspn(line, "\n");
        line[len] = '\0';
        if (len < 2 || line[len - 1] != '"')
            continue;
        line[len - 1] = '\0';
        char *q = strrchr(line, '"');
        if (!q)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            v = realloc(v, cap * sizeof *v);
            cr_assert(v);
        }
        v[n++] = strdup(q + 1);
    }
    gzclose(f);
    qsort(v, n, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u && strcmp(v[u - 1], v[i]) == 0)
            free(v[i]);
        else
            v[u++] = v[i];
    }
    *out = v;
    return u;
}

Test(robots_pre, generated_agents)
{
    size_t np;
    char **pats = list(&np);
    oracle o;
    oracle_open(&o, (const char *const *)pats, np);
    char *dir = tu_mkdtemp("robots_pre");
    struct {
        const char *gen, *lines;
        size_t min;
    } gens[] = {{GEN_LOG, "20000", 10}, {GEN_LOG2, "400000", 1500}};
    for (size_t g = 0; g < 2; g++) {
        char **v;
        size_t n = log_agents(gens[g].gen, dir, gens[g].lines, &v);
        cr_assert_geq(n, gens[g].min, "%s: %zu distinct agents", gens[g].gen, n);
        long before = o.skipped, robots = o.robots;
        for (size_t i = 0; i < n; i++) {
            check_s(&o, v[i], gens[g].gen);
            free(v[i]);
        }
        free(v);
        cr_log_info("%s: %zu agents, %ld robots, %ld skipped the regex", gens[g].gen, n,
                    o.robots - robots, o.skipped - before);
        /* Both generators have robots, and most humans skip the regex. */
        cr_assert_gt(o.robots, robots);
        cr_assert_gt(o.skipped - before, (long)n / 2, "%s: %ld of %zu agents skipped the regex",
                     gens[g].gen, o.skipped - before, n);
    }
    tu_rmtree(dir);
    free(dir);
    oracle_close(&o);
    for (size_t i = 0; i < np; i++)
        free(pats[i]);
    free(pats);
}

/* A pattern's text as a string it might match: escapes dropped, groups and
 * classes kept as written (often not a match: the regex decides). */
static void unescape(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    for (; *p && n + 1 < cap; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            if (*p == 's' || *p == 'd') {
                out[n++] = *p == 's' ? ' ' : '7';
                continue;
            }
        } else if (*p == '^' || *p == '$') {
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

Test(robots_pre, agents_from_the_list)
{
    size_t np;
    char **pats = list(&np);
    oracle o;
    oracle_open(&o, (const char *const *)pats, np);
    static const char *const wraps[][2] = {
        {"", ""},
        {"Mozilla/5.0 (compatible; ", "/2.1; +http://example.org/)"},
        {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ",
         " Safari/537.36"},
        {"x", ""},
        {"", "\n"},
    };
    char base[512], a[2048];
    for (size_t i = 0; i < np; i++) {
        unescape(pats[i], base, sizeof base);
        size_t bl = strlen(base);
        for (size_t w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
            /* as written, upper case, lower case, each character dropped,
             * each character replaced */
            for (int v = -3; v < (int)bl * 2; v++) {
                char t[512];
                memcpy(t, base, bl + 1);
                if (v == -2 || v == -1)
                    for (size_t k = 0; k < bl; k++)
                        t[k] = (char)(v == -2 ? toupper((unsigned char)t[k])
                                              : tolower((unsigned char)t[k]));
                else if (v >= 0 && v < (int)bl)
                    memmove(t + v, t + v + 1, bl - (size_t)v);
                else if (v >= (int)bl)
                    t[v - (int)bl] = (char)(t[v - (int)bl] == 'q' ? '#' : 'q');
                snprintf(a, sizeof a, "%s%s%s", wraps[w][0], t, wraps[w][1]);
                check_s(&o, a, pats[i]);
            }
        }
    }
    /* Short agents (the ^...$ patterns), every one- and two-byte agent among
     * a few bytes, non-ASCII bytes, long agents (the 64 KiB line limit). */
    const char bytes[] = {'a', 'I', '-', ' ', '\n', '\0', (char)0xC3, (char)0x9D, 'z'};
    check(&o, "", 0, "empty");
    for (size_t i = 0; i < sizeof bytes; i++) {
        check(&o, &bytes[i], 1, "one byte");
        for (size_t j = 0; j < sizeof bytes; j++) {
            char t[2] = {bytes[i], bytes[j]};
            check(&o, t, 2, "two bytes");
        }
    }
    static const char *const exact[] = {
        "IDA",
        "ida\n",
        "ruby",
        "RUBY\n",
        "Mozilla",
        "Mozilla/4.0",
        "mozilla 4.0",
        "Mozilla/5.0",
        "Mozilla/4.0+(compatible;)",
        "Mozilla/5.0+like+Gecko",
        "Mozilla/5.0+like+Gecko\n",
        "Mozilla/5.0 Gecko/20100115 Firefox/3.6",
        "%default%",
        "default",
        "firefox",
        "user agent",
        "User-Agent",
        "unknown",
        "undefined",
        "Array",
        "oaDOI",
        "Opera/4",
        "voltron",
        "Filter",
        "FileDown",
        "Traackr.com",
        "\xc3\x86\xc3\x86",
        "java/11.0",
        "Java/1.8.0_151",
        "Buck/2.2",
        "@ozilla/5",
        "integrity/4",
        "LinkParser/",
        "MSIE 6.0",
        "FOCA",
        "NetAnts/1",
        "Ning/1",
        "Pattern/2",
        "Postgenomic v2",
        "scrutiny/9",
        "FreshpingBot/1.0 (+https://freshping.io/)",
        "Mozilla/5.0 (compatible; VelenPublicWebCrawler/1.0; +https://velen.io)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.4 Mobile/15E148 Safari/604.1"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        check_s(&o, exact[i], "exact");
    size_t big = 65536;
    char *l = malloc(big);
    cr_assert(l);
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < big; i++)
            l[i] = k == 0   ? (char)('a' + i % 26)
                   : k == 1 ? "Mozilla/5.0 (X11) "[i % 18]
                   : k == 2 ? (char)(0x80 + i % 128)
                            : (char)(' ' + (i * 7919) % 95);
        check(&o, l, big, "long");
        check(&o, l, 300, "long");
    }
    free(l);
    cr_log_info("list: %ld agents, %ld robots, %ld skipped the regex", o.agents, o.robots,
                o.skipped);
    cr_assert_gt(o.agents, 10000);
    cr_assert_gt(o.skipped, 1000);
    cr_assert_gt(o.robots, 1000);
    oracle_close(&o);
    for (size_t i = 0; i < np; i++)
        free(pats[i]);
    free(pats);
}

/* Patterns where a careless extraction would require what a match need not
 * hold, each alone against random strings over its own characters. */
Test(robots_pre, tricky_patterns)
{
    static const char *const tricky[] = {
        "ab?c",      "ab*c",      "ab+c",      "a{2}b",         "a{0}bc",
        "a{0,}bc",   "xa{1,3}bc", "(foo)?bar", "(?:fo|ba)obar", "ba(r|z)q",
        "q\\.r",     "q.r",       "[^a]fish",  "[]a]bc",        "[\\]]bc",
        "^abc$",     "^ab?$",     "^a.c",      "^.?$",          "^\\%?ab\\%?$",
        "ab\\sc",    "a\\bbc",    "abc\\B",    "a|bc",          "(?i)abc",
        "\\Qa.b\\E", "\\x41bc",   "a\\/b",     "ab$c",          "^(ab)$",
        "^a{2,3}$",  "ab{,2}c",   "ab{x}c",    "ab++c",         "ab??c",
        "ab*+c",     "c(?=ab)ab", "(?#x)abc",  "ab(*SKIP)c",    "a[[:alpha:]]c",
        "\\d\\d",    "b\\-c",     "AbC",       "a\xc3\x86",     "",
        "^",         "$",         "a{2}",
    };
    const char alphabet[] = "abcABC.-/%fishqrz \n\xc3\x86";
    uint64_t s = 42;
    for (size_t t = 0; t < sizeof tricky / sizeof tricky[0]; t++) {
        const char *one[1] = {tricky[t]};
        oracle o;
        oracle_open(&o, one, 1);
        char buf[16];
        for (int k = 0; k < 20000; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            size_t n = (size_t)(s >> 60) % 12;
            for (size_t i = 0; i < n; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                buf[i] = alphabet[(s >> 33) % (sizeof alphabet - 1)];
            }
            check(&o, buf, n, tricky[t]);
        }
        cr_log_info("'%s': %ld matches, %ld skipped the regex", tricky[t], o.robots, o.skipped);
        oracle_close(&o);
    }
}

/* The rules' dotted-quad reader against glibc's inet_pton: the same verdict
 * and the same address on tricky strings and on 300 000 random ones made of
 * digits and dots (the shape it must not get wrong). */
static void quad_agrees(const char *txt, size_t n)
{
    char z[32];
    memcpy(z, txt, n);
    z[n] = '\0';
    uint8_t want[16] = {0}, got[16];
    bool ok = inet_pton(AF_INET, z, want) == 1;
    bool mine = bl__dotted_quad((bl_sv){txt, n}, got);
    cr_assert_eq(mine, ok, "'%s': %d, inet_pton %d", z, mine, ok);
    if (ok)
        cr_assert_eq(memcmp(got, want, 4), 0, "'%s'", z);
}

Test(rules, dotted_quad_as_inet_pton)
{
    static const char *const T[] = {
        "0.0.0.0",      "255.255.255.255", "256.1.1.1",      "1.2.3.4",  "01.2.3.4",
        "1.2.3.04",     "1.2.3.",          ".1.2.3",         "1..2.3",   "1.2.3.4.",
        "1.2.3.4.5",    "1234.1.1.1",      "1.2.3.2555",     "10.0.0.1", "100.200.0.9",
        "192.0.2.17",   "1.2.3.4 ",        " 1.2.3.4",       "1.2.3.a",  "1.2.3",
        "9.99.199.255", "0.00.0.0",        "300.300.300.300"};
    for (size_t i = 0; i < sizeof T / sizeof *T; i++)
        quad_agrees(T[i], strlen(T[i]));
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    char buf[20];
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = 5 + (size_t)(x % 13);
        uint64_t y = x;
        for (size_t k = 0; k < n; k++) {
            y = y * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned c = (unsigned)(y >> 59) % 14;
            buf[k] = c < 10 ? (char)('0' + c) : c < 13 ? '.' : 'x';
        }
        quad_agrees(buf, n);
    }
}
