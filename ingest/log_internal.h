/* Internal interfaces of the access-log readers: the line parsers (the
 * hand-written scanner for the built-in formats, the PCRE2 matcher for
 * custom formats) and the timestamp arithmetic they share. */
#ifndef BILAN_LOG_INTERNAL_H
#define BILAN_LOG_INTERNAL_H

#include "ingest_internal.h"

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest line a log reader accepts; a longer one is a row diagnostic. */
#define BL_LOG_MAX_LINE (64 * 1024)

/* A view written with one 16-byte store. The reader copies the fields of a
 * line (16 bytes each) right after the scanner wrote them; a copy that
 * reads what two 8-byte stores wrote cannot take it from the store buffer
 * and waits for them to reach the cache (a failed store-to-load
 * forwarding), which was a fifth of the reading thread's time. */
static inline __attribute__((always_inline)) void bl__sv_set(bl_sv *o, const char *p, size_t n)
{
#if defined(__SSE2__) && UINTPTR_MAX == UINT64_MAX
    _Static_assert(sizeof(bl_sv) == 16, "a view is a pointer and a length");
    _mm_storeu_si128((__m128i *)(void *)o, _mm_set_epi64x((long long)n, (long long)(uintptr_t)p));
#else
    *o = (bl_sv){p, n};
#endif
}

/* The fields of one parsed line, as string views into the line. */
typedef struct bl_log_fields {
    bl_sv client, logname, user, time, request, method, target, status, agent, vhost;
    bl_sv session, library;
} bl_log_fields;

/* Parses a line of a built-in format (common, combined, ezproxy). Returns
 * NULL on success, else a reason (static text, never the line's content:
 * a rejected line may hold an IP address or a login); the fields are then
 * unspecified. Never reads outside p[0..n). */
const char *bl__log_scan(bl_format fmt, const char *p, size_t n, bl_log_fields *f);

/* Tests: true makes the scanner use its portable byte loops instead of its
 * SIMD searches (same answers); not thread-safe, call before reading. */
void bl__log_scan_portable(bool on);

/* Tests: who parses a log's lines. AUTO (the default): the reading thread,
 * except chunks it hands over unparsed when the consumer has nothing
 * queued; NEVER: always the reading thread; ALWAYS: the consumer, whenever
 * the chunk allows it. The same records either way. Not thread-safe: call
 * before reading. */
enum { BL_LOG_SHARE_AUTO, BL_LOG_SHARE_NEVER, BL_LOG_SHARE_ALWAYS };
void bl__log_share(int mode);

/* Parses a CLF timestamp "10/Oct/2000:13:55:36 -0700" (with or without the
 * brackets) as the local time it is written in: seconds since 1970-01-01 of
 * that wall-clock time, and its month index. False when malformed. */
bool bl__log_time(bl_sv s, int64_t *t, int *month);

/* Splits a request line "GET /path?q HTTP/1.1" into method and target, and
 * an absolute target "http://host:port/path" into host (port dropped) and
 * path. False when the request line is not one. */
bool bl__log_request(bl_sv req, bl_sv *method, bl_sv *target, bl_sv *host);

/* A custom format compiled to a PCRE2 pattern. */
typedef struct bl_logfmt bl_logfmt;

/* Compiles an Apache LogFormat string. NULL with *errmsg (caller frees)
 * naming the offending specifier when it cannot. */
bl_logfmt *bl__logfmt_compile(const char *fmt, char **errmsg);
/* Matches a line; NULL on success, else a static reason. The views in f are
 * valid until the next call. */
const char *bl__logfmt_match(bl_logfmt *lf, const char *p, size_t n, bl_log_fields *f);
void bl__logfmt_free(bl_logfmt *lf);

#endif
