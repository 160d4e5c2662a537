/* The hand-written scanner for the built-in access-log formats (Apache
 * common and combined, EZproxy's default), CLF timestamps and request
 * lines, and the sniffer that recognises them on a file's first lines.
 * A regex per line would cost more than decompressing it: these formats are
 * fixed, so a single pass over the bytes does. */
#include "log_internal.h"

#include "bilan/i18n.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Finding a byte. Fields are found by looking for their delimiter 16 bytes
 * at a time (SSE2, the x86-64 baseline), in place of a byte loop or a memchr
 * call per field: a line is a handful of fields, and the call and its set-up
 * cost more than the search on most of them. The portable path (any other
 * CPU, or turned off by the tests) is the byte loop; both give the same
 * answer on every line (tests/logs/test_log_scan.c). Loads never leave the
 * line: [lo, end) is the whole line, p the search's start. */
static bool scan_simd = true;

void bl__log_scan_portable(bool on)
{
    scan_simd = !on;
}

static inline __attribute__((always_inline)) const char *find1(const char *lo, const char *p,
                                                               const char *end, char c)
{
#if defined(__SSE2__)
    if (scan_simd) {
        const __m128i v = _mm_set1_epi8(c);
        while (end - p >= 16) {
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), v));
            if (m)
                return p + __builtin_ctz(m);
            p += 16;
        }
        if (p < end && end - lo >= 16) {
            /* The last bytes: the line's last 16, those before p shifted out. */
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(end - 16)), v));
            m >>= 16 - (unsigned)(end - p);
            return m ? p + __builtin_ctz(m) : end;
        }
    }
#else
    (void)lo;
#endif
    while (p < end && *p != c)
        p++;
    return p;
}

/* Skips one space-delimited token; returns its view, advances *pp. */
static inline __attribute__((always_inline)) bool token(const char *lo, const char **pp,
                                                        const char *end, bl_sv *out)
{
    const char *s = *pp;
    /* "-" (no ident, no user, no referer...) is the most common token. */
    if (end - s >= 2 && s[0] == '-' && s[1] == ' ') {
        bl__sv_set(out, s, 1);
        *pp = s + 1;
        return true;
    }
    const char *p = find1(lo, s, end, ' ');
    if (p == s)
        return false;
    bl__sv_set(out, s, (size_t)(p - s));
    *pp = p;
    return true;
}

/* One or more spaces (one, nearly always). */
static inline __attribute__((always_inline)) bool space(const char **pp, const char *end)
{
    const char *p = *pp;
    if (p >= end || *p != ' ')
        return false;
    p++;
    if (p < end && *p == ' ')
        while (p < end && *p == ' ')
            p++;
    *pp = p;
    return true;
}

/* A double-quoted field; Apache escapes '"' as \" and '\' as \\. */
static inline __attribute__((always_inline)) bool quoted(const char *lo, const char **pp,
                                                         const char *end, bl_sv *out)
{
    const char *p = *pp;
    if (p >= end || *p != '"')
        return false;
    const char *s = ++p;
    /* "-", as an empty referer is written. */
    if (end - s >= 2 && s[0] == '-' && s[1] == '"') {
        bl__sv_set(out, s, 1);
        *pp = s + 2;
        return true;
    }
    for (;;) {
        const char *q = find1(lo, p, end, '"');
        if (q == end)
            return false;
        if (q == s || q[-1] != '\\') {
            bl__sv_set(out, s, (size_t)(q - s));
            *pp = q + 1;
            return true;
        }
        size_t bs = 0;
        for (const char *b = q; b > s && b[-1] == '\\'; b--)
            bs++;
        if (bs % 2 == 0) {
            bl__sv_set(out, s, (size_t)(q - s));
            *pp = q + 1;
            return true;
        }
        p = q + 1;
    }
}

static int month_of(const char *m)
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

static int digits(const char *p, int n)
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

bool bl__log_time(bl_sv s, int64_t *t, int *month)
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
    /* Consecutive lines share a minute: the last valid "dd/Mon/yyyy:HH:MM"
     * seen, byte for byte, with its seconds since 1970 and month index;
     * then only the seconds are read. */
    static _Thread_local char cmin[17];
    static _Thread_local int64_t cmin_t = -1;
    static _Thread_local int cmin_month;
    if (cmin_t >= 0 && memcmp(p, cmin, sizeof cmin) == 0) {
        int ss = digits(p + 18, 2);
        if (ss < 0 || ss > 60)
            return false;
        *t = cmin_t + ss;
        *month = cmin_month;
        return true;
    }
    /* Else the last valid "dd/Mon/yyyy", with its day number and month
     * index. */
    static _Thread_local char cdate[11];
    static _Thread_local int64_t cdays = -1;
    static _Thread_local int cmonth;
    if (cdays < 0 || memcmp(p, cdate, sizeof cdate) != 0) {
        if (p[2] != '/' || p[6] != '/')
            return false;
        int d = digits(p, 2), m = month_of(p + 3), y = digits(p + 7, 4);
        if (d < 1 || m == 0 || y < 1970 || d > bl_days_in_month(y, m))
            return false;
        cdays = bl_days_from_civil(y, m, d);
        cmonth = bl_month_index(y, m);
        memcpy(cdate, p, sizeof cdate);
    }
    int hh = digits(p + 12, 2), mm = digits(p + 15, 2), ss = digits(p + 18, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
        return false;
    memcpy(cmin, p, sizeof cmin);
    cmin_t = cdays * 86400 + hh * 3600 + mm * 60;
    cmin_month = cmonth;
    if (ss < 0 || ss > 60)
        return false;
    *t = cmin_t + ss;
    *month = cmonth;
    return true;
}

bool bl__log_request(bl_sv req, bl_sv *method, bl_sv *target, bl_sv *host)
{
    const char *lo = req.ptr, *p = req.ptr, *end = req.ptr + req.len;
    bl__sv_set(host, "", 0);
    if (!token(lo, &p, end, method) || !space(&p, end) || !token(lo, &p, end, target))
        return false;
    /* The protocol is optional (HTTP/0.9) and anything after it ignored. */
    const char *t = target->ptr;
    size_t tn = target->len;
    size_t skip = 0;
    if (tn > 7 && (t[0] == 'h' || t[0] == 'H')) {
        if (memcmp(t, "http://", 7) == 0 || memcmp(t, "HTTP://", 7) == 0)
            skip = 7;
        else if (tn > 8 && (memcmp(t, "https://", 8) == 0 || memcmp(t, "HTTPS://", 8) == 0))
            skip = 8;
    }
    if (skip) {
        /* One pass over the authority: where it ends ('/' or '?'), its
         * first ':' and '@', and the first ':' after that '@'. */
        const char *h = t + skip, *te = t + tn;
        const char *slash = h, *colon = NULL, *at = NULL, *colon_at = NULL;
        for (; slash < te && *slash != '/' && *slash != '?'; slash++) {
            if (*slash == ':') {
                if (!colon)
                    colon = slash;
                if (at && !colon_at)
                    colon_at = slash;
            } else if (*slash == '@' && !at) {
                at = slash;
            }
        }
        /* userinfo@ never belongs in a hit's host (and may be a login). */
        if (at) {
            h = at + 1;
            colon = colon_at;
        }
        bl__sv_set(host, h, (size_t)((colon ? colon : slash) - h));
        if (slash < te)
            bl__sv_set(target, slash, (size_t)(te - slash));
        else
            bl__sv_set(target, "/", 1);
    }
    return true;
}

const char *bl__log_scan(bl_format fmt, const char *p, size_t n, bl_log_fields *f)
{
    const char *lo = p, *end = p + n;
    /* Every field written (no memset of the whole): those the built-in
     * formats never have first. */
    bl__sv_set(&f->method, NULL, 0);
    bl__sv_set(&f->target, NULL, 0);
    bl__sv_set(&f->vhost, NULL, 0);
    bl__sv_set(&f->session, NULL, 0);
    bl__sv_set(&f->library, NULL, 0);
    bl__sv_set(&f->agent, NULL, 0);
    if (!token(lo, &p, end, &f->client) || !space(&p, end))
        return N_("no client address");
    if (!token(lo, &p, end, &f->logname) || !space(&p, end) || !token(lo, &p, end, &f->user) ||
        !space(&p, end))
        return N_("missing ident or user field");
    if (p >= end || *p != '[')
        return N_("no [timestamp]");
    const char *close = find1(lo, p, end, ']');
    if (close == end)
        return N_("no [timestamp]");
    bl__sv_set(&f->time, p + 1, (size_t)(close - p - 1));
    p = close + 1;
    if (!space(&p, end) || !quoted(lo, &p, end, &f->request))
        return N_("no quoted request line");
    if (!space(&p, end) || !token(lo, &p, end, &f->status))
        return N_("no status");
    if (p < end) {
        bl_sv bytes;
        if (!space(&p, end) || !token(lo, &p, end, &bytes))
            return N_("malformed byte count");
    }
    if (fmt == BL_FMT_COMBINED) {
        bl_sv ref;
        if (!space(&p, end) || !quoted(lo, &p, end, &ref) || !space(&p, end) ||
            !quoted(lo, &p, end, &f->agent))
            return N_("no quoted referer and user agent (not a combined log line)");
        if (!f->agent.len)
            bl__sv_set(&f->agent, "", 0);
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

/* Does a line look like the given built-in format? */
static bool line_is(bl_format fmt, const char *p, size_t n, bool *absolute)
{
    bl_log_fields f;
    if (bl__log_scan(fmt, p, n, &f))
        return false;
    int64_t t;
    int m;
    bl_sv meth, target, host;
    if (!bl__log_time(f.time, &t, &m) || f.status.len != 3)
        return false;
    if (bl__log_request(f.request, &meth, &target, &host) && host.len)
        *absolute = true;
    return true;
}

bl_format bl__log_sniff(const char *head, size_t n)
{
    /* Look at up to 8 complete lines: every non-blank one must fit. */
    int lines = 0, combined = 0, common = 0;
    bool absolute = false;
    const char *p = head, *end = head + n;
    while (p < end && lines < 8) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* an incomplete last line says nothing */
        size_t len = (size_t)(nl - p);
        if (len && p[len - 1] == '\r')
            len--;
        if (len) {
            lines++;
            if (line_is(BL_FMT_COMBINED, p, len, &absolute))
                combined++;
            else if (line_is(BL_FMT_COMMON, p, len, &absolute))
                common++;
        }
        p = nl + 1;
    }
    if (lines == 0)
        return BL_FMT_AUTO;
    if (combined == lines)
        return BL_FMT_COMBINED;
    if (common == lines)
        /* EZproxy's default LogFormat is common's, with the proxied sites'
         * absolute URLs in the request line. */
        return absolute ? BL_FMT_EZPROXY : BL_FMT_COMMON;
    return BL_FMT_AUTO;
}
