/* The built-in access-log scanner (ingest/log_scan.c) against the scanner it
 * replaced (issue 18: one search per field, 16 bytes at a time), kept here
 * verbatim as the reference: on tricky lines (escaped quotes, backslashes
 * before a quote, missing fields, extra spaces, tabs, CR, NUL and 8-bit
 * bytes, a quote at the last byte, lines of the maximum length) and on
 * random ones, both of its paths (SIMD and portable) must give the same
 * reason, or the same fields, byte for byte, as the reference. Each line
 * sits in a buffer of exactly its length (ASan builds catch a read past it).
 * Also: the byte source's AVX2 line count and dispatched XXH3 give what the
 * baseline gives, an absolute URL without a path is one line, and a log's
 * lines give the same records whichever thread parses them. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "bilan/i18n.h"
#include "ingest_internal.h" /* bl__source_baseline */
#include "log_internal.h"
#include "testutil.h"

/* ---- the reference: ingest/log_scan.c at 10edf1e ---------------------------- */

#define token ref_token
#define space ref_space
#define quoted ref_quoted
#define bl__log_request ref_request
#define bl__log_scan ref_scan
/* Skips one space-delimited token; returns its view, advances *pp. */
static bool token(const char **pp, const char *end, bl_sv *out)
{
    const char *p = *pp;
    const char *s = p;
    /* Tokens are short (an address, "-", a status): a byte loop beats a
     * memchr call on them. */
    while (p < end && *p != ' ')
        p++;
    if (p == s)
        return false;
    *out = (bl_sv){s, (size_t)(p - s)};
    *pp = p;
    return true;
}

static bool space(const char **pp, const char *end)
{
    if (*pp >= end || **pp != ' ')
        return false;
    while (*pp < end && **pp == ' ')
        (*pp)++;
    return true;
}

/* A double-quoted field; Apache escapes '"' as \" and '\' as \\. */
static bool quoted(const char **pp, const char *end, bl_sv *out)
{
    const char *p = *pp;
    if (p >= end || *p != '"')
        return false;
    const char *s = ++p;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return false;
        size_t bs = 0;
        for (const char *b = q; b > s && b[-1] == '\\'; b--)
            bs++;
        if (bs % 2 == 0) {
            *out = (bl_sv){s, (size_t)(q - s)};
            *pp = q + 1;
            return true;
        }
        p = q + 1;
    }
}

static bool bl__log_request(bl_sv req, bl_sv *method, bl_sv *target, bl_sv *host)
{
    const char *p = req.ptr, *end = req.ptr + req.len;
    *host = (bl_sv){"", 0};
    if (!token(&p, end, method) || !space(&p, end) || !token(&p, end, target))
        return false;
    /* The protocol is optional (HTTP/0.9) and anything after it ignored. */
    const char *t = target->ptr;
    size_t tn = target->len;
    size_t skip = 0;
    if (tn > 7 && (memcmp(t, "http://", 7) == 0 || memcmp(t, "HTTP://", 7) == 0))
        skip = 7;
    else if (tn > 8 && (memcmp(t, "https://", 8) == 0 || memcmp(t, "HTTPS://", 8) == 0))
        skip = 8;
    if (skip) {
        const char *h = t + skip, *te = t + tn;
        const char *slash = h;
        while (slash < te && *slash != '/' && *slash != '?')
            slash++;
        const char *colon = memchr(h, ':', (size_t)(slash - h));
        /* userinfo@ never belongs in a hit's host (and may be a login). */
        const char *at = memchr(h, '@', (size_t)(slash - h));
        if (at) {
            h = at + 1;
            colon = memchr(h, ':', (size_t)(slash - h));
        }
        *host = (bl_sv){h, (size_t)((colon ? colon : slash) - h)};
        *target = slash < te ? (bl_sv){slash, (size_t)(te - slash)} : (bl_sv){"/", 1};
    }
    return true;
}

static const char *bl__log_scan(bl_format fmt, const char *p, size_t n, bl_log_fields *f)
{
    const char *end = p + n;
    memset(f, 0, sizeof *f);
    if (!token(&p, end, &f->client) || !space(&p, end))
        return N_("no client address");
    if (!token(&p, end, &f->logname) || !space(&p, end) || !token(&p, end, &f->user) ||
        !space(&p, end))
        return N_("missing ident or user field");
    if (p >= end || *p != '[')
        return N_("no [timestamp]");
    const char *close = memchr(p, ']', (size_t)(end - p));
    if (!close)
        return N_("no [timestamp]");
    f->time = (bl_sv){p + 1, (size_t)(close - p - 1)};
    p = close + 1;
    if (!space(&p, end) || !quoted(&p, end, &f->request))
        return N_("no quoted request line");
    if (!space(&p, end) || !token(&p, end, &f->status))
        return N_("no status");
    if (p < end) {
        bl_sv bytes;
        if (!space(&p, end) || !token(&p, end, &bytes))
            return N_("malformed byte count");
    }
    if (fmt == BL_FMT_COMBINED) {
        bl_sv ref;
        if (!space(&p, end) || !quoted(&p, end, &ref) || !space(&p, end) ||
            !quoted(&p, end, &f->agent))
            return N_("no quoted referer and user agent (not a combined log line)");
        if (!f->agent.len)
            f->agent = (bl_sv){"", 0};
        /* Trailing fields some servers append (%D, %v...) are ignored. */
    } else if (p != end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p != end)
            return N_("unexpected text after the byte count");
    }
    if (fmt == BL_FMT_EZPROXY && !(f->logname.len == 1 && f->logname.ptr[0] == '-'))
        f->session = f->logname; /* EZproxy sites log %{ezproxy-session}i there */
    return NULL;
}

static int ref_month_of(const char *m)
{
    /* Case-sensitive, as Apache writes them. */
    switch (m[0]) {
    case 'J':
        if (m[1] == 'a' && m[2] == 'n')
            return 1;
        if (m[1] == 'u' && m[2] == 'n')
            return 6;
        if (m[1] == 'u' && m[2] == 'l')
            return 7;
        return 0;
    case 'F':
        return m[1] == 'e' && m[2] == 'b' ? 2 : 0;
    case 'M':
        if (m[1] == 'a' && m[2] == 'r')
            return 3;
        if (m[1] == 'a' && m[2] == 'y')
            return 5;
        return 0;
    case 'A':
        if (m[1] == 'p' && m[2] == 'r')
            return 4;
        if (m[1] == 'u' && m[2] == 'g')
            return 8;
        return 0;
    case 'S':
        return m[1] == 'e' && m[2] == 'p' ? 9 : 0;
    case 'O':
        return m[1] == 'c' && m[2] == 't' ? 10 : 0;
    case 'N':
        return m[1] == 'o' && m[2] == 'v' ? 11 : 0;
    case 'D':
        return m[1] == 'e' && m[2] == 'c' ? 12 : 0;
    default:
        return 0;
    }
}

static int ref_digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return -1;
        v = v * 10 + (int)d;
    }
    return v;
}

static bool ref_time(bl_sv s, int64_t *t, int *month)
{
    const char *p = s.ptr;
    size_t n = s.len;
    if (n && p[0] == '[') {
        p++, n--;
        if (n && p[n - 1] == ']')
            n--;
    }
    /* dd/Mon/yyyy:HH:MM:SS, then optionally " +zzzz" which is ignored: the
     * hit's date and hour are those of the server's clock as written. */
    if (n < 20 || p[11] != ':' || p[14] != ':' || p[17] != ':')
        return false;
    /* Consecutive lines share a date: the last valid "dd/Mon/yyyy" seen,
     * byte for byte, with its day number and month index. */
    static _Thread_local char cdate[11];
    static _Thread_local int64_t cdays = -1;
    static _Thread_local int cmonth;
    if (cdays < 0 || memcmp(p, cdate, sizeof cdate) != 0) {
        if (p[2] != '/' || p[6] != '/')
            return false;
        int d = ref_digits(p, 2), m = ref_month_of(p + 3), y = ref_digits(p + 7, 4);
        if (d < 1 || m == 0 || y < 1970 || d > bl_days_in_month(y, m))
            return false;
        cdays = bl_days_from_civil(y, m, d);
        cmonth = bl_month_index(y, m);
        memcpy(cdate, p, sizeof cdate);
    }
    int hh = ref_digits(p + 12, 2), mm = ref_digits(p + 15, 2), ss = ref_digits(p + 18, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return false;
    *t = cdays * 86400 + hh * 3600 + mm * 60 + ss;
    *month = cmonth;
    return true;
}

#undef token
#undef space
#undef quoted
#undef bl__log_request
#undef bl__log_scan

/* ---- comparing ------------------------------------------------------------------ */

static const bl_format formats[] = {BL_FMT_COMMON, BL_FMT_COMBINED, BL_FMT_EZPROXY};

/* A view as offset and length in the line (-1 for a static or NULL one). */
static void same_view(const char *what, const char *line, bl_sv a, bl_sv b, const char *ctx)
{
    cr_assert_eq(a.len, b.len, "%s: %s length %zu, reference %zu", ctx, what, a.len, b.len);
    bool ain = a.ptr >= line && a.ptr <= line + BL_LOG_MAX_LINE + 1;
    bool bin = b.ptr >= line && b.ptr <= line + BL_LOG_MAX_LINE + 1;
    cr_assert_eq(ain, bin, "%s: %s in the line or not", ctx, what);
    if (ain)
        cr_assert_eq(a.ptr, b.ptr, "%s: %s at %td, reference %td", ctx, what, a.ptr - line,
                     b.ptr - line);
    else if (a.len)
        cr_assert(memcmp(a.ptr, b.ptr, a.len) == 0, "%s: %s bytes", ctx, what);
    else
        cr_assert_eq(a.ptr == NULL, b.ptr == NULL, "%s: %s NULL or not", ctx, what);
}

/* Scans line[0..n) (copied into a buffer of exactly n bytes) with both paths
 * and every built-in format; both must agree with the reference. */
static void check_line(const char *text, size_t n, const char *name)
{
    char *line = malloc(n ? n : 1);
    cr_assert(line);
    memcpy(line, text, n);
    for (int portable = 0; portable < 2; portable++) {
        bl__log_scan_portable(portable);
        for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
            char ctx[200];
            snprintf(ctx, sizeof ctx, "%s, format %d, %s path", name, (int)formats[k],
                     portable ? "portable" : "SIMD");
            bl_log_fields f, r;
            memset(&r, 0, sizeof r);
            const char *why = bl__log_scan(formats[k], line, n, &f);
            const char *rwhy = ref_scan(formats[k], line, n, &r);
            cr_assert_eq(why == NULL, rwhy == NULL, "%s: \"%s\", reference \"%s\"", ctx,
                         why ? why : "accepted", rwhy ? rwhy : "accepted");
            if (why) {
                cr_assert_str_eq(why, rwhy, "%s", ctx);
                continue;
            }
            same_view("client", line, f.client, r.client, ctx);
            same_view("logname", line, f.logname, r.logname, ctx);
            same_view("user", line, f.user, r.user, ctx);
            same_view("time", line, f.time, r.time, ctx);
            same_view("request", line, f.request, r.request, ctx);
            same_view("status", line, f.status, r.status, ctx);
            same_view("agent", line, f.agent, r.agent, ctx);
            same_view("session", line, f.session, r.session, ctx);
            same_view("method", line, f.method, r.method, ctx);
            same_view("target", line, f.target, r.target, ctx);
            same_view("vhost", line, f.vhost, r.vhost, ctx);
            same_view("library", line, f.library, r.library, ctx);
            /* The request line, split as parse_line does. */
            bl_sv m, t, h, rm, rt, rh;
            bool ok = bl__log_request(f.request, &m, &t, &h);
            bool rok = ref_request(r.request, &rm, &rt, &rh);
            cr_assert_eq(ok, rok, "%s: request split", ctx);
            if (ok) {
                same_view("method", line, m, rm, ctx);
                same_view("target", line, t, rt, ctx);
                same_view("host", line, h, rh, ctx);
            }
        }
    }
    bl__log_scan_portable(false);
    free(line);
}

static void check_str(const char *s)
{
    check_line(s, strlen(s), s);
}

#define GOOD_HEAD "192.0.2.7 - alice [10/Oct/2025:13:55:36 +0200] "

Test(log_scan, tricky_lines)
{
    static const char *const lines[] = {
        GOOD_HEAD "\"GET /a?b=1 HTTP/1.1\" 200 2326",
        GOOD_HEAD "\"GET /a HTTP/1.1\" 200 2326 \"-\" \"Mozilla/5.0 (X11; Linux)\"",
        GOOD_HEAD "\"GET /a HTTP/1.1\" 200 - \"http://x/\" \"\"",
        /* escaped quotes, backslashes before a quote */
        GOOD_HEAD "\"GET /a\\\"b HTTP/1.1\" 200 1 \"-\" \"x\\\"y\"",
        GOOD_HEAD "\"GET /a\\\\\" 200 1 \"-\" \"x\\\\\"",
        GOOD_HEAD "\"GET /a\\\\\\\" 200 1 \"-\" \"x\"",
        GOOD_HEAD "\"GET /a\\\\\\\\\" 200 1 \"\\\\\" \"\\\"\"",
        GOOD_HEAD "\"\\\"\" 200 1 \"-\" \"ua\"",
        GOOD_HEAD "\"GET /\" 200 1 \"-\" \"ua\\\"",
        /* missing fields */
        "",
        " ",
        "192.0.2.7",
        "192.0.2.7 ",
        "192.0.2.7 -",
        "192.0.2.7 - -",
        "192.0.2.7 - - ",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200]",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] ",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\"",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" ",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 ",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 5 \"-\"",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 5 \"-\" ",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"GET / HTTP/1.0\" 200 5 \"-\" \"",
        "192.0.2.7 - - [] \"GET / HTTP/1.0\" 200 5",
        "192.0.2.7 - - [a]b] \"GET / HTTP/1.0\" 200 5",
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0200] \"\" 200 5",
        /* extra spaces, tabs, CR */
        "192.0.2.7  -   -  [10/Oct/2025:13:55:36 +0200]  \"GET  /  HTTP/1.0\"  200  5  \"-\"  "
        "\"u\"",
        "192.0.2.7\t-\t-\t[10/Oct/2025:13:55:36 +0200]\t\"GET / HTTP/1.0\"\t200\t5",
        GOOD_HEAD "\"GET / HTTP/1.0\" 200 5 \t\r \r",
        GOOD_HEAD "\"GET / HTTP/1.0\" 200 5\r",
        GOOD_HEAD "\"GET / HTTP/1.0\" 200 5 x",
        GOOD_HEAD "\"GET / HTTP/1.0\" 200 5 \"-\" \"u\" 1234 vhost",
        GOOD_HEAD "\"GET\t/ HTTP/1.0\" 200 5",
        /* a quote at the last byte */
        GOOD_HEAD "\"GET / HTTP/1.0\" 200 5 \"-\" \"",
        GOOD_HEAD "\"",
        "\"",
        "-",
        "- ",
        "- - - [",
        "- - - [] \"\" - -",
        "- - - [] \"-\" - \"-\" \"-\"",
        /* absolute URLs, userinfo, ports */
        GOOD_HEAD "\"GET http://ex.org HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET http://ex.org/ HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET https://u:p@ex.org:443/a?b HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET HTTPS://a@b@c:1:2?x HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET http://:@/ HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET Http://ex.org/ HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET http:// HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET https:// HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET https://x HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET hxxp://x/y HTTP/1.1\" 200 1",
        GOOD_HEAD "\"GET\" 200 1",
        GOOD_HEAD "\"GET \" 200 1",
        GOOD_HEAD "\" GET /\" 200 1",
        /* 8-bit bytes */
        "\xc3\xa9\xff\x80 - - [10/Oct/2025:13:55:36 +0200] \"GET /\xe9t\xe9 HTTP/1.1\" 200 1 \"-\" "
        "\"\xff\xfe\"",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        check_str(lines[i]);
    /* NUL bytes (where a C string would stop) */
    static const char nul[] =
        "192.0.2.7 - -\0x [10/Oct/2025:13:55:36 +0200] \"GET /\0 HTTP/1.1\" 200 "
        "1 \"\0\" \"a\0b\"";
    check_line(nul, sizeof nul - 1, "NUL bytes");
    static const char nul2[] = "\0 - - [\0] \"\0\" \0 \0";
    check_line(nul2, sizeof nul2 - 1, "NUL bytes 2");
}

/* A line of exactly BL_LOG_MAX_LINE bytes (and one less, and one more), its
 * long field last: the user agent, or the request, or the byte count. */
Test(log_scan, lines_of_the_maximum_length)
{
    char *buf = malloc(BL_LOG_MAX_LINE + 2);
    cr_assert(buf);
    const char *head = GOOD_HEAD "\"GET / HTTP/1.0\" 200 5 \"-\" \"";
    for (size_t n = BL_LOG_MAX_LINE - 1; n <= BL_LOG_MAX_LINE + 1; n++)
        for (int variant = 0; variant < 4; variant++) {
            size_t hl = strlen(head);
            memcpy(buf, head, hl);
            memset(buf + hl, 'a', n - hl);
            if (variant == 0)
                buf[n - 1] = '"'; /* the agent's closing quote at the last byte */
            else if (variant == 1)
                buf[n - 2] = '\\', buf[n - 1] = '"'; /* escaped: no closing quote */
            else if (variant == 2)
                buf[hl - 1] = 'x', buf[n - 1] = ' '; /* a space at the last byte */
            else
                for (size_t i = hl; i < n; i += 17)
                    buf[i] = i % 2 ? '"' : ' ';
            char name[64];
            snprintf(name, sizeof name, "%zu bytes, variant %d", n, variant);
            check_line(buf, n, name);
        }
    free(buf);
}

/* Random lines: bytes drawn mostly from the format's delimiters, and
 * mutations of good lines (a byte replaced, inserted or removed), every
 * length from 0 to 300 and a few long ones. */
Test(log_scan, random_lines_agree_with_the_reference)
{
    static const char alphabet[] = "  \"\"\\\\[]--/:@?htps\t\r\n\0\xff\x80 aZ09.";
    static const char *const good[] = {
        GOOD_HEAD "\"GET /a?b=1 HTTP/1.1\" 200 2326 \"http://r/\" \"Mozilla/5.0 (X11)\"",
        "2001:db8::1 s1 - [01/Mar/2026:00:00:00 +0000] \"GET https://u@h:8/p HTTP/1.1\" 302 0",
        "10.0.0.1 - - [31/Dec/2025:23:59:59 -0500] \"POST /login HTTP/1.1\" 200 - \"-\" \"-\"",
    };
    uint64_t x = 88172645463325252u;
    char line[4096];
    for (int iter = 0; iter < 60000; iter++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n;
        if (iter % 2) {
            n = x % 301;
            if (iter % 97 == 1)
                n = 300 + x % 3000;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                line[i] = alphabet[x % (sizeof alphabet - 1)];
            }
        } else {
            const char *g = good[x % 3];
            n = strlen(g);
            memcpy(line, g, n);
            for (int k = 0; k < 1 + (int)(x >> 60) % 3; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                size_t at = n ? (x >> 8) % n : 0;
                char c = alphabet[(x >> 40) % (sizeof alphabet - 1)];
                if (x % 3 == 0 && n) /* replace */
                    line[at] = c;
                else if (x % 3 == 1 && n < sizeof line - 1) { /* insert */
                    memmove(line + at + 1, line + at, n - at);
                    line[at] = c, n++;
                } else if (n) { /* remove */
                    memmove(line + at, line + at + 1, n - at - 1);
                    n--;
                }
            }
        }
        char name[32];
        snprintf(name, sizeof name, "random line %d", iter);
        check_line(line, n, name);
    }
}

/* Timestamps: runs of lines in the same minute and the same day (the
 * scanner's memos), broken by bad ones, against the reference. */
Test(log_scan, timestamps_agree_with_the_reference)
{
    static const char *const stamps[] = {
        "[10/Oct/2025:13:55:36 +0200]",
        "10/Oct/2025:13:55:37 +0200",
        "[10/Oct/2025:13:55:60]",
        "[10/Oct/2025:13:55:61 +0200]",
        "[10/Oct/2025:13:55:3x +0200]",
        "[10/Oct/2025:13:56:00",
        "[10/Oct/2025:13:5:00 +0200]",
        "[10/Oct/2025:24:00:00 +0200]",
        "[10/Oct/2025:23:60:00 +0200]",
        "[10/Oct/2025:23:59:59 +0200]",
        "[11/Oct/2025:00:00:00 +0200]",
        "[31/Nov/2025:00:00:00 +0200]",
        "[29/Feb/2024:12:00:00 +0000]",
        "[29/Feb/2025:12:00:00 +0000]",
        "[10/oct/2025:13:55:36 +0200]",
        "[10-Oct-2025:13:55:36 +0200]",
        "[00/Oct/2025:13:55:36 +0200]",
        "[10/Oct/1969:13:55:36 +0200]",
        "[10/Oct/2025 13:55:36 +0200]",
        "[10/Oct/2025:13:55:36",
        "10/Oct/2025:13:55:3",
        "",
        "[",
        "[]",
        "[10/Oct/2025:13:55:-1 +0200]",
        "[10/Oct/2025:13:-5:00 +0200]",
        "[10/Oct/2025:1a:55:00 +0200]",
    };
    uint64_t x = 7;
    for (int iter = 0; iter < 20000; iter++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const char *st = stamps[x % (sizeof stamps / sizeof stamps[0])];
        char buf[64];
        size_t n = strlen(st);
        memcpy(buf, st, n);
        if (n > 20 && (x >> 32) % 2) /* another second in the same minute */
            buf[buf[0] == '[' ? 20 : 19] = (char)('0' + (x >> 40) % 10);
        int64_t t = 0, rt = 0;
        int m = 0, rm = 0;
        bool ok = bl__log_time((bl_sv){buf, n}, &t, &m);
        bool rok = ref_time((bl_sv){buf, n}, &rt, &rm);
        cr_assert_eq(ok, rok, "%.*s", (int)n, buf);
        if (ok) {
            cr_assert_eq(t, rt, "%.*s", (int)n, buf);
            cr_assert_eq(m, rm, "%.*s", (int)n, buf);
        }
    }
}

/* ---- the byte source: line count and content hash, baseline or not ---------- */

static void source_of(const char *path, size_t step, bool baseline, bl_file_end *e)
{
    bl__source_baseline(baseline);
    bl_source *s = NULL;
    char *err = NULL;
    cr_assert_eq(bl_source_open(path, &s, &err), BL_OK);
    char *buf = malloc(step);
    cr_assert(buf);
    size_t got;
    do
        cr_assert_eq(bl_source_read(s, buf, step, &got), BL_OK);
    while (got);
    cr_assert(bl__source_end(s, e));
    bl_source_close(s);
    free(buf);
    bl__source_baseline(false);
}

Test(log_scan, source_count_and_hash_same_on_every_path)
{
    char *dir = tu_mkdtemp("scan");
    char path[1024];
    snprintf(path, sizeof path, "%s/f", dir);
    /* 3 MiB of short and long lines, no CR: the hash is XXH3-128 of the
     * bytes themselves, so the one-shot function is the reference too. */
    size_t n = 3u << 20;
    char *text = malloc(n);
    cr_assert(text);
    uint64_t x = 2463534242u;
    unsigned long lf = 0;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        text[i] = x % 61 == 0 || i == n - 1 ? '\n' : (char)('a' + x % 26);
        if (x % 1009 == 0)
            text[i] = (char)(x >> 32); /* any byte but CR */
        if (text[i] == '\r')
            text[i] = 'r';
        lf += text[i] == '\n';
    }
    cr_assert(tu_write_file(path, text, n));
    XXH128_hash_t h = XXH3_128bits(text, n);
    char want[33];
    snprintf(want, sizeof want, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    static const size_t steps[] = {1000, 4096, 65536 + 7, 1u << 20, 4u << 20};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        for (int baseline = 0; baseline < 2; baseline++) {
            bl_file_end e;
            source_of(path, steps[i], baseline, &e);
            cr_assert_str_eq(e.content_hash, want, "step %zu, baseline %d", steps[i], baseline);
            cr_assert_eq(e.lines, lf, "step %zu, baseline %d", steps[i], baseline);
        }
    free(text);
    tu_rmtree(dir);
    free(dir);
}

/* ---- through the binary ------------------------------------------------------ */

/* "GET http://host HTTP/1.1" (an absolute URL without a path) used to make
 * the reader believe its arena full: the rest of the file was read as one
 * line. Each line is its own now: the bad line after it is rejected alone. */
Test(log_scan, absolute_url_without_path_is_one_line)
{
    char *dir = tu_mkdtemp("scan");
    char db[1024], log[1024];
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(log, sizeof log, "%s/a.log", dir);
    const char *text =
        "192.0.2.7 - - [10/Mar/2026:13:55:36 +0100] \"GET /a HTTP/1.1\" 200 1 \"-\" \"M\"\n"
        "192.0.2.7 - - [10/Mar/2026:13:55:37 +0100] \"GET http://ex.org HTTP/1.1\" 200 1 "
        "\"-\" \"M\"\n"
        "garbage\n"
        "192.0.2.7 - - [10/Mar/2026:13:55:38 +0100] \"GET /b HTTP/1.1\" 200 1 \"-\" \"M\"\n";
    cr_assert(tu_write_file(log, text, strlen(text)));
    const char *argv[] = {tu_bilan(), "--db", db, "ingest", "--format=combined", log, NULL};
    tu_run r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "a.log:3: no client address"), "%s", r.err);
    cr_assert(strstr(r.out, "4 lines read"), "%s", r.out);
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}

/* ---- who parses: the reading thread or the consumer ------------------------- */

/* Every record and diagnostic a read gives, written out as text. */
typedef struct rec_log {
    bl_buf text;
    unsigned long hits, diags;
    unsigned long diag_lines[64]; /* the first ones */
} rec_log;

/* The text: a few MiB for the test's log, 256 MiB at most. */
#define rl_put(l, ...) cr_assert_eq(bl_buf_printf(&(l)->text, __VA_ARGS__), BL_OK)

static void rl_sv(rec_log *l, const char *name, bl_sv v)
{
    if (!v.ptr)
        rl_put(l, " %s=NULL", name);
    else
        rl_put(l, " %s=[%.*s]", name, (int)v.len, v.ptr);
}

static bl_status rl_hit(void *ctx, const bl_hit_rec *h)
{
    rec_log *l = ctx;
    l->hits++;
    rl_put(l, "hit %lu t=%lld m=%d s=%d", h->line, (long long)h->time, h->month, h->status);
    rl_sv(l, "client", h->client);
    rl_sv(l, "user", h->user);
    rl_sv(l, "session", h->session);
    rl_sv(l, "lib", h->library_key);
    rl_sv(l, "host", h->host);
    rl_sv(l, "method", h->method);
    rl_sv(l, "target", h->target);
    rl_sv(l, "agent", h->user_agent);
    rl_put(l, " %016llx %016llx\n", (unsigned long long)h->agent_hash,
           (unsigned long long)h->client_hash);
    return BL_OK;
}

static void rl_diag(void *ctx, const bl_diag *d)
{
    rec_log *l = ctx;
    if (l->diags < sizeof l->diag_lines / sizeof l->diag_lines[0])
        l->diag_lines[l->diags] = d->line;
    l->diags++;
    rl_put(l, "diag %d %lu %s %s\n", (int)d->level, d->line, d->field ? d->field : "-", d->reason);
}

static rec_log read_shared(const char *path, int mode, const char *param)
{
    rec_log l = {.text = BL_BUF_INIT(256u << 20)};
    bl_sink sink = {.ctx = &l, .hit = rl_hit, .diag = rl_diag};
    bl__log_share(mode);
    bl_source *src = NULL;
    char *err = NULL;
    cr_assert_eq(bl_source_open(path, &src, &err), BL_OK);
    bl_ingest_opts o = {.format = BL_FMT_COMBINED, .library_param = param};
    bl_status st = bl_log_read(src, path, &o, &sink, &err);
    rl_put(&l, "status %d %s\n", (int)st, err ? err : "");
    free(err);
    bl_source_close(src);
    bl__log_share(BL_LOG_SHARE_AUTO);
    return l;
}

/* A log of several chunks (256 KiB each) with what makes the split hard:
 * lines too long (64 KiB and more) across chunk ends, runs of short bad
 * lines past a chunk's 4 096 records, blank lines, CRLF, a library in the
 * query; the line numbers of its bad lines are written to bad[]. */
static size_t make_log(const char *path, bool overlong_last, unsigned long *bad, size_t nbad_max,
                       size_t *nbad, unsigned long *good)
{
    size_t cap = 4u << 20, len = 0;
    char *t = malloc(cap);
    cr_assert(t);
    uint64_t x = 88172645463325252ull;
    unsigned long line = 0;
    *nbad = 0;
    *good = 0;
    while (len < 2500000) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned k = (unsigned)(x % 1000);
        line++;
        if (k < 3) { /* a line too long: rejected */
            size_t n = 65536 + (size_t)(x >> 20) % 9000;
            memset(t + len, 'x', n);
            len += n;
            t[len++] = '\n';
            if (*nbad < nbad_max)
                bad[*nbad] = line;
            ++*nbad;
        } else if (k < 5) { /* 6 000 short bad lines */
            for (int i = 0; i < 6000; i++, line++) {
                memcpy(t + len, "z\n", 2);
                len += 2;
                if (*nbad < nbad_max)
                    bad[*nbad] = line;
                ++*nbad;
            }
            line--;
        } else if (k < 40) { /* blank, or a lone CR */
            len += (size_t)sprintf(t + len, k < 20 ? "\n" : "\r\n");
        } else if (k < 60) {
            len += (size_t)sprintf(t + len, "bad line %u\n", k);
            if (*nbad < nbad_max)
                bad[*nbad] = line;
            ++*nbad;
        } else {
            len += (size_t)sprintf(
                t + len,
                "10.%u.%u.%u - %s [%02u/Mar/2026:%02u:%02u:%02u +0100] \"GET "
                "%s/doc/%u?bib=lib%u&x=%%41 HTTP/1.1\" %u 512 \"-\" \"Agent/%u (\\\"q\\\")\"%s",
                (unsigned)(x >> 8) % 4, (unsigned)(x >> 16) % 256, (unsigned)(x >> 24) % 256,
                k % 3 ? "-" : "jdupont", 1 + (unsigned)(x >> 32) % 28, (unsigned)(x >> 37) % 24,
                (unsigned)(x >> 42) % 60, (unsigned)(x >> 48) % 60,
                k % 7 ? "" : "https://www.example.org", (unsigned)(x >> 52) % 500,
                (unsigned)(x >> 56) % 5, k % 11 ? 200 : 404, (unsigned)(x >> 58) % 9,
                k % 13 ? "\n" : "\r\n");
            ++*good;
        }
        cr_assert(len < cap - 100000);
    }
    /* The last line, without its newline. */
    line++;
    if (overlong_last) {
        memset(t + len, 'y', 70000);
        len += 70000;
        if (*nbad < nbad_max)
            bad[*nbad] = line;
        ++*nbad;
    } else {
        len += (size_t)sprintf(t + len, "10.0.0.1 - - [28/Mar/2026:10:00:00 +0100] \"GET /last "
                                        "HTTP/1.1\" 200 1 \"-\" \"Agent/1\"");
        ++*good;
    }
    cr_assert(tu_write_file(path, t, len));
    free(t);
    return len;
}

/* The chunks a read hands over unparsed (ingest/log_read.c, "Who parses")
 * give the records and diagnostics, line numbers included, that the
 * reading thread gives: always parsed there, always by the consumer when a
 * chunk allows it, or as the two threads' pace decides. */
Test(log_scan, who_parses_gives_the_same_records)
{
    char *dir = tu_mkdtemp("scan");
    for (int last = 0; last < 2; last++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/share-%d.log", dir, last);
        unsigned long bad[64], good;
        size_t nbad;
        size_t bytes = make_log(path, last, bad, 64, &nbad, &good);
        cr_assert_gt(bytes, 8u << 18, "several chunks");
        for (int param = 0; param < 2; param++) {
            const char *lp = param ? "bib" : NULL;
            rec_log never = read_shared(path, BL_LOG_SHARE_NEVER, lp);
            /* What the file holds, counted as it was written. */
            cr_assert_eq(never.hits, good, "hits %lu, written %lu", never.hits, good);
            cr_assert_eq(never.diags, nbad, "diagnostics %lu, bad lines written %zu", never.diags,
                         nbad);
            for (size_t i = 0; i < 64 && i < nbad; i++)
                cr_assert_eq(never.diag_lines[i], bad[i], "bad line %zu: said %lu, written %lu", i,
                             never.diag_lines[i], bad[i]);
            cr_assert(strstr(bl_buf_cstr(&never.text), param ? "lib=[lib" : "lib=NULL"));
            for (int mode = 0; mode < 2; mode++) {
                rec_log other =
                    read_shared(path, mode ? BL_LOG_SHARE_ALWAYS : BL_LOG_SHARE_AUTO, lp);
                const bl_buf *a = &never.text, *b = &other.text;
                cr_assert_eq(b->len, a->len, "last %d, param %d, mode %d", last, param, mode);
                size_t d = 0;
                while (d < a->len && a->data[d] == b->data[d])
                    d++;
                cr_assert_eq(d, a->len, "last %d, param %d, mode %d: differs at \"%.80s\"", last,
                             param, mode, b->data + d);
                bl_buf_release(&other.text);
            }
            bl_buf_release(&never.text);
        }
    }
    tu_rmtree(dir);
    free(dir);
}
