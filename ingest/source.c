/* Byte sources: a plain file or a gzip stream (one or several members),
 * the magic number, not the file name, saying which. Errors are sticky.
 *
 * gzip is inflated with ISA-L's igzip when bilan is built with it (two to
 * three times faster than zlib, docs/bench.md), else with zlib's inflate,
 * which stays the reference (tests compare the two; BL_INFLATE_ZLIB forces
 * it). Both are driven directly rather than through gzread, which silently
 * ignores bytes after the end of a member that are not a further member (a
 * botched concatenation, garbage appended): here they are an error, like
 * truncation and a bad CRC.
 *
 * While the bytes are read, the source hashes the content they stand for
 * (XXH3-128 of the lines with CRLF and lone CR turned into LF and a final LF
 * supplied) and counts its lines: the identity that recognises a file
 * re-delivered gzip'd or with other line ends (docs/logs.md says why XXH3). */
#include "ingest_internal.h"

#include "bilan/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>
#include <zlib.h>
#ifdef BILAN_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define BL_X86_DISPATCH 1
#endif

#define INBUF (128 * 1024)

struct bl_source {
    int fd;
    bool gzip;
    bool eof;         /* the stream has ended cleanly */
    bool in_member;   /* gzip: inside a member (its end not yet seen) */
    bool member_done; /* gzip: at least one member ended */
    bool file_eof;    /* no more bytes in the file */
    z_stream zs;
    bool zs_live; /* zs was initialised (zlib inflater) */
#ifdef BILAN_HAVE_ISAL
    struct inflate_state *isal; /* the ISA-L inflater, NULL with zlib */
#endif
    unsigned char *in;     /* gzip: compressed input */
    size_t in_pos, in_len; /* gzip: unread compressed bytes in[in_pos..in_len) */
    bl_status err;
    char msg[256];
    /* Content identity of what was read so far. */
    XXH3_state_t *xx;
    bool pending_cr; /* the last byte read was a CR: LF or not decides */
    bool any;        /* at least one byte hashed */
    char last;       /* the last byte hashed */
    unsigned long lines;
    int64_t gz_in, gz_out; /* gzip: compressed bytes read, bytes inflated */
    int64_t plain_in;      /* plain: bytes read */
    bl_read_progress_fn progress;
    void *progress_ctx;
    bl_inflater inflater;
    /* A list of files read one after the other as one stream
     * (bl_source_open_list; NULL for one file): the current one, and where
     * each begins in lines. A file whose last line has no line feed gets
     * one, so that its last line is not joined to the next file's first. */
    const char *const *paths;
    size_t npaths, cur;
    unsigned long *starts;
    unsigned long lone_cr; /* lone CRs hashed as LF: lines the reader does not split */
};

static void hash_bytes(bl_source *s, const char *p, size_t n);

bl_status bl_source_open(const char *path, bl_source **out, char **errmsg)
{
    return bl__source_open_with(path, BL_INFLATE_FASTEST, out, errmsg);
}

bool bl__source_have_isal(void)
{
#ifdef BILAN_HAVE_ISAL
    return true;
#else
    return false;
#endif
}

/* Opens path as the source's current file: its descriptor and, for a gzip
 * file, the inflater s->inflater names. */
static bl_status member_open(bl_source *s, const char *path, char **errmsg)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        *errmsg = bl_strdup_printf(_("cannot open '%s': %s"), path, strerror(errno));
        return BL_NOINPUT;
    }
    /* A folder opens, then fails to read ("Is a directory", exit 74): said
     * at once, with what was meant. */
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        *errmsg = bl_strdup_printf(_("'%s' is a folder, not a file: give the files in it "
                                     "('%s/*')"),
                                   path, path);
        return BL_NOINPUT;
    }
    unsigned char magic[2] = {0, 0};
    ssize_t n = pread(fd, magic, 2, 0);
    s->fd = fd;
    s->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    s->eof = s->in_member = s->member_done = s->file_eof = false;
    s->in_pos = s->in_len = 0;
    if (!s->gzip)
        return BL_OK;
    bool ok = (s->in = malloc(INBUF)) != NULL;
#ifdef BILAN_HAVE_ISAL
    if (ok && s->inflater == BL_INFLATE_FASTEST) {
        /* ISAL_GZIP: the gzip header parsed, the trailer's CRC-32 checked */
        if ((ok = (s->isal = malloc(sizeof *s->isal)) != NULL)) {
            isal_inflate_init(s->isal);
            s->isal->crc_flag = ISAL_GZIP;
        }
    } else
#endif
        /* 15 + 16: a gzip wrapper only, whose trailer (CRC-32, length) inflate checks. */
        if (ok)
            ok = s->zs_live = inflateInit2(&s->zs, 15 + 16) == Z_OK;
    if (!ok) {
        *errmsg = bl_strdup_printf(_("cannot open '%s': out of memory"), path);
        return BL_NOMEM;
    }
    s->in_member = true;
    return BL_OK;
}

/* Closes the current file (the content's identity goes on). */
static void member_close(bl_source *s)
{
    if (s->zs_live)
        inflateEnd(&s->zs);
    s->zs_live = false;
    s->zs = (z_stream){0};
#ifdef BILAN_HAVE_ISAL
    free(s->isal);
    s->isal = NULL;
#endif
    free(s->in);
    s->in = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static bl_status source_new(const char *const *paths, size_t npaths, unsigned long *starts,
                            bl_inflater inflater, bl_source **out, char **errmsg)
{
    *out = NULL;
    bl_source *s = calloc(1, sizeof *s);
    if (!s || !(s->xx = XXH3_createState())) {
        free(s);
        *errmsg = bl_strdup_printf(_("cannot open '%s': out of memory"), paths[0]);
        return BL_NOMEM;
    }
    XXH3_128bits_reset(s->xx);
    s->fd = -1;
    s->inflater = inflater;
    s->paths = paths;
    s->npaths = npaths;
    s->starts = starts;
    bl_status st = member_open(s, paths[0], errmsg);
    if (st != BL_OK) {
        bl_source_close(s);
        return st;
    }
    if (starts)
        __atomic_store_n(&starts[0], 0UL, __ATOMIC_RELEASE);
    *out = s;
    return BL_OK;
}

bl_status bl__source_open_with(const char *path, bl_inflater inflater, bl_source **out,
                               char **errmsg)
{
    const char *one[1] = {path};
    bl_status st = source_new(one, 1, NULL, inflater, out, errmsg);
    if (*out)
        (*out)->paths = NULL; /* one[] is gone: a single file needs no list */
    return st;
}

bl_status bl_source_open_list(const char *const *paths, size_t n, unsigned long *starts,
                              bl_source **out, char **errmsg)
{
    for (size_t i = 0; starts && i < n; i++)
        starts[i] = ULONG_MAX;
    return source_new(paths, n, starts, BL_INFLATE_FASTEST, out, errmsg);
}

static bl_status fail(bl_source *s, bl_status code, const char *what, const char *detail)
{
    /* In a list, the file it is about. */
    const char *file = s->paths && s->npaths > 1 ? s->paths[s->cur] : NULL;
    char why[sizeof s->msg];
    if (detail)
        snprintf(why, sizeof why, _("%s: %s"), what, detail);
    else
        snprintf(why, sizeof why, "%s", what);
    if (file)
        snprintf(s->msg, sizeof s->msg, _("%s: %s"), file, why);
    else
        snprintf(s->msg, sizeof s->msg, "%s", why);
    s->err = code;
    return code;
}

/* read(2) that retries on EINTR; -1 on error. */
static ssize_t read_some(int fd, void *buf, size_t n)
{
    ssize_t r;
    do
        r = read(fd, buf, n);
    while (r < 0 && errno == EINTR);
    return r;
}

static bl_status read_plain(bl_source *s, void *buf, size_t n, size_t *got)
{
    ssize_t r = read_some(s->fd, buf, n);
    if (r < 0)
        return fail(s, BL_IO, _("read error"), strerror(errno));
    if (r == 0)
        s->eof = true;
    s->plain_in += r;
    *got = (size_t)r;
    return BL_OK;
}

/* More compressed bytes when none are left: false at the end of the file
 * (s->file_eof) or on an error (s->err set). */
static bool refill(bl_source *s)
{
    if (s->in_pos < s->in_len)
        return true;
    if (s->file_eof)
        return false;
    ssize_t r = read_some(s->fd, s->in, INBUF);
    if (r < 0) {
        fail(s, BL_IO, _("read error"), strerror(errno));
        return false;
    }
    if (r == 0)
        s->file_eof = true;
    s->gz_in += r;
    s->in_pos = 0;
    s->in_len = (size_t)r;
    return r > 0;
}

/* Between members: only a further member may follow. */
static bool next_member_ok(const bl_source *s)
{
    const unsigned char *p = s->in + s->in_pos;
    size_t left = s->in_len - s->in_pos;
    return p[0] == 0x1f && (left < 2 || p[1] == 0x8b);
}

/* One step of zlib's inflate into out[0..*avail): false with s->err set. */
static bool step_zlib(bl_source *s, unsigned char *out, size_t *avail)
{
    z_stream *z = &s->zs;
    if (!s->in_member) {
        if (inflateReset(z) != Z_OK) {
            fail(s, BL_DATA, _("corrupt gzip stream"), _("cannot restart inflate"));
            return false;
        }
        s->in_member = true;
    }
    z->next_in = s->in + s->in_pos;
    z->avail_in = (uInt)(s->in_len - s->in_pos);
    z->next_out = out;
    z->avail_out = (uInt)(*avail > UINT32_MAX ? UINT32_MAX : *avail);
    uInt before = z->avail_out;
    int r = inflate(z, Z_NO_FLUSH);
    s->in_pos = s->in_len - z->avail_in;
    *avail -= before - z->avail_out;
    if (r == Z_STREAM_END) {
        s->in_member = false;
        s->member_done = true;
    } else if (r == Z_BUF_ERROR && z->avail_in == 0) {
        /* needs more input */
    } else if (r != Z_OK) {
        if (r == Z_MEM_ERROR)
            fail(s, BL_NOMEM, _("out of memory"), NULL);
        else
            fail(s, BL_DATA,
                 s->member_done && r == Z_DATA_ERROR ? _("corrupt gzip stream after a member")
                                                     : _("corrupt gzip stream"),
                 z->msg ? z->msg : _("unknown error"));
        return false;
    }
    return true;
}

#ifdef BILAN_HAVE_ISAL
static const char *isal_reason(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return _("invalid block");
    case ISAL_INVALID_SYMBOL:
        return _("invalid code");
    case ISAL_INVALID_LOOKBACK:
        return _("invalid distance too far back");
    case ISAL_INVALID_WRAPPER:
        return _("incorrect header check");
    case ISAL_UNSUPPORTED_METHOD:
        return _("unknown compression method");
    case ISAL_INCORRECT_CHECKSUM:
        return _("incorrect data check");
    default:
        return _("unknown error");
    }
}

/* One step of ISA-L's inflate, as step_zlib. */
static bool step_isal(bl_source *s, unsigned char *out, size_t *avail)
{
    struct inflate_state *st = s->isal;
    if (!s->in_member) {
        isal_inflate_reset(st);
        st->crc_flag = ISAL_GZIP;
        s->in_member = true;
    }
    st->next_in = s->in + s->in_pos;
    st->avail_in = (uint32_t)(s->in_len - s->in_pos);
    st->next_out = out;
    st->avail_out = (uint32_t)(*avail > UINT32_MAX ? UINT32_MAX : *avail);
    uint32_t before = st->avail_out;
    int r = isal_inflate(st);
    s->in_pos = s->in_len - st->avail_in;
    *avail -= before - st->avail_out;
    if (r < 0) {
        fail(s, BL_DATA,
             s->member_done ? _("corrupt gzip stream after a member") : _("corrupt gzip stream"),
             isal_reason(r));
        return false;
    }
    if (st->block_state == ISAL_BLOCK_FINISH) {
        s->in_member = false;
        s->member_done = true;
    }
    return true;
}
#endif

static bl_status read_gzip(bl_source *s, void *buf, size_t n, size_t *got)
{
    size_t avail = n;
    while (avail > 0) {
        if (!refill(s)) {
            if (s->err != BL_OK)
                return s->err;
            if (s->in_member)
                return fail(s, BL_DATA, _("truncated gzip stream"), _("unexpected end of file"));
            s->eof = true;
            break;
        }
        if (!s->in_member && !next_member_ok(s))
            return fail(s, BL_DATA, _("corrupt gzip stream"),
                        _("bytes after the end of the gzip data that are not a further "
                          "gzip member"));
        unsigned char *out = (unsigned char *)buf + (n - avail);
#ifdef BILAN_HAVE_ISAL
        bool ok = s->isal ? step_isal(s, out, &avail) : step_zlib(s, out, &avail);
#else
        bool ok = step_zlib(s, out, &avail);
#endif
        if (!ok)
            return s->err;
    }
    *got = n - avail;
    /* A decompression bomb (a few MB that inflate to terabytes) is refused
     * once past its first GiB (docs/security.md, "Caps"). */
    s->gz_out += (int64_t)*got;
    if (s->gz_out > BL_CAP_INFLATE_FREE && s->gz_out / BL_CAP_INFLATE_RATIO > s->gz_in)
        return fail(s, BL_DATA, _("gzip stream refused"),
                    _("it expands more than 200 times (a decompression bomb?)"));
    return BL_OK;
}

/* The end of a list's file that is not the last: its last line ended
 * (*got = 1, a line feed in buf) if it has no line feed, else the next file
 * opened and its first line's number published. */
static bl_status next_file(bl_source *s, char *buf, size_t *got)
{
    if (s->pending_cr || (s->any && s->last != '\n')) {
        buf[0] = '\n';
        *got = 1;
        return BL_OK;
    }
    member_close(s);
    s->cur++;
    char *err = NULL;
    bl_status st = member_open(s, s->paths[s->cur], &err);
    if (st != BL_OK) {
        snprintf(s->msg, sizeof s->msg, "%s", err ? err : "");
        free(err);
        s->err = st;
        return st;
    }
    if (s->starts)
        __atomic_store_n(&s->starts[s->cur], s->lines - s->lone_cr, __ATOMIC_RELEASE);
    return BL_OK;
}

bl_status bl_source_read(bl_source *s, void *buf, size_t n, size_t *got)
{
    *got = 0;
    if (s->err != BL_OK)
        return s->err;
    if (n > (1u << 30))
        n = 1u << 30;
    bl_status st = BL_OK;
    for (;;) {
        if (!s->eof)
            st = s->gzip ? read_gzip(s, buf, n, got) : read_plain(s, buf, n, got);
        if (st != BL_OK) {
            *got = 0;
            return st;
        }
        if (*got || !s->eof || !s->paths || s->cur + 1 >= s->npaths || n == 0)
            break;
        if ((st = next_file(s, buf, got)) != BL_OK)
            return st;
        if (*got)
            break;
    }
    if (*got)
        hash_bytes(s, buf, *got);
    if (s->progress)
        s->progress(s->progress_ctx, s->gz_in + s->plain_in, s->lines);
    return BL_OK;
}

void bl_source_set_progress(bl_source *s, bl_read_progress_fn fn, void *ctx)
{
    s->progress = fn;
    s->progress_ctx = ctx;
}

/* ---- content identity ---------------------------------------------------------- */

/* Line feeds in p[0..n): SSE2 compares 16 bytes at a time (this runs on
 * every byte of every log, in the decompressing thread). */
static unsigned long count_lf_sse2(const char *p, size_t n)
{
    unsigned long c = 0;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (n - i >= 16) {
        /* Byte counters wrap at 256: fold every 255 blocks. */
        size_t blocks = (n - i) / 16;
        if (blocks > 255)
            blocks = 255;
        __m128i acc = zero;
        for (size_t b = 0; b < blocks; b++, i += 16)
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i)), lf));
        __m128i s = _mm_sad_epu8(acc, zero);
        c += (unsigned long)_mm_cvtsi128_si32(s) + (unsigned long)_mm_extract_epi16(s, 4);
    }
#endif
    for (; i < n; i++)
        c += p[i] == '\n';
    return c;
}

#ifdef BL_X86_DISPATCH
/* The same, 32 bytes at a time, on CPUs with AVX2 (chosen at run time:
 * x86-64's baseline is SSE2). */
__attribute__((target("avx2"))) static unsigned long count_lf_avx2(const char *p, size_t n)
{
    unsigned long c = 0;
    size_t i = 0;
    const __m256i lf = _mm256_set1_epi8('\n'), zero = _mm256_setzero_si256();
    while (n - i >= 32) {
        size_t blocks = (n - i) / 32;
        if (blocks > 255)
            blocks = 255;
        __m256i acc = zero;
        for (size_t b = 0; b < blocks; b++, i += 32)
            acc = _mm256_sub_epi8(acc,
                                  _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(p + i)), lf));
        __m256i s = _mm256_sad_epu8(acc, zero);
        c += (unsigned long)_mm256_extract_epi64(s, 0) + (unsigned long)_mm256_extract_epi64(s, 1) +
             (unsigned long)_mm256_extract_epi64(s, 2) + (unsigned long)_mm256_extract_epi64(s, 3);
    }
    return c + count_lf_sse2(p + i, n - i);
}

/* libxxhash built with its x86 dispatcher (Debian's is) also exports the
 * update with AVX2 or AVX-512 chosen at run time. XXH3's value does not
 * depend on the vector width (tests/logs/test_source.c checks it against
 * the one-shot XXH3_128bits); a library without it leaves the weak symbol
 * null and the portable update runs. */
extern XXH_errorcode XXH3_128bits_update_dispatch(XXH3_state_t *state, const void *input,
                                                  size_t len) __attribute__((weak));
#endif

/* Tests: true keeps to the baseline code (SSE2, the portable XXH3 update). */
static bool source_baseline;

void bl__source_baseline(bool on)
{
    source_baseline = on;
}

static unsigned long count_lf(const char *p, size_t n)
{
#ifdef BL_X86_DISPATCH
    if (!source_baseline && __builtin_cpu_supports("avx2"))
        return count_lf_avx2(p, n);
#endif
    return count_lf_sse2(p, n);
}

static void xxh_update(XXH3_state_t *st, const char *p, size_t n)
{
#ifdef BL_X86_DISPATCH
    if (!source_baseline && XXH3_128bits_update_dispatch) {
        XXH3_128bits_update_dispatch(st, p, n);
        return;
    }
#endif
    XXH3_128bits_update(st, p, n);
}

static void hash_run(bl_source *s, const char *p, size_t n)
{
    if (!n)
        return;
    xxh_update(s->xx, p, n);
    s->lines += count_lf(p, n);
    s->any = true;
    s->last = p[n - 1];
}

/* Feeds the normalised form of p[0..n): CRLF and lone CR become LF. A CR at
 * the end of a buffer waits for the next byte to say which it was. */
static void hash_bytes(bl_source *s, const char *p, size_t n)
{
    const char *end = p + n;
    if (s->pending_cr) {
        s->pending_cr = false;
        hash_run(s, "\n", 1);
        if (*p == '\n')
            p++;
        else
            s->lone_cr++;
    }
    while (p < end) {
        const char *cr = memchr(p, '\r', (size_t)(end - p));
        if (!cr) {
            hash_run(s, p, (size_t)(end - p));
            return;
        }
        hash_run(s, p, (size_t)(cr - p));
        p = cr + 1;
        if (p == end) {
            s->pending_cr = true;
            return;
        }
        hash_run(s, "\n", 1);
        if (*p == '\n')
            p++;
        else
            s->lone_cr++;
    }
}

bool bl__source_end(bl_source *s, bl_file_end *e)
{
    if (!s->eof || s->err != BL_OK)
        return false;
    if (s->pending_cr) {
        s->pending_cr = false;
        hash_run(s, "\n", 1);
    }
    if (s->any && s->last != '\n')
        hash_run(s, "\n", 1);
    XXH128_hash_t h = XXH3_128bits_digest(s->xx);
    snprintf(e->content_hash, sizeof e->content_hash, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
    e->lines = s->lines;
    return true;
}

bl_status bl__source_drain(bl_source *s)
{
    char sink[32 * 1024];
    size_t got;
    bl_status st;
    do
        st = bl_source_read(s, sink, sizeof sink, &got);
    while (st == BL_OK && got > 0);
    return st;
}

const char *bl_source_errmsg(const bl_source *s)
{
    return s->msg;
}

char *bl__source_error(const bl_source *s, const char *path)
{
    if (s->paths && s->npaths > 1) /* the message names the list's file */
        return bl_strdup_printf("%s", s->msg);
    return bl_strdup_printf("%s: %s", path, s->msg);
}

bool bl_source_is_gzip(const bl_source *s)
{
    return s->gzip;
}

void bl_source_close(bl_source *s)
{
    if (!s)
        return;
    member_close(s);
    XXH3_freeState(s->xx);
    free(s);
}

size_t bl_source_locate(const unsigned long *starts, size_t n, unsigned long line,
                        unsigned long *file_line)
{
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        unsigned long b = __atomic_load_n(&starts[i], __ATOMIC_ACQUIRE);
        if (b == ULONG_MAX || b >= line)
            break;
        k = i;
    }
    *file_line = line - __atomic_load_n(&starts[k], __ATOMIC_ACQUIRE);
    return k;
}

const char *bl__source_line_file(const bl_source *s, unsigned long *line)
{
    if (!s || !s->paths || s->npaths < 2 || !s->starts || !*line)
        return NULL;
    return s->paths[bl_source_locate(s->starts, s->npaths, *line, line)];
}

bl_status bl_source_peek(const char *path, char *buf, size_t n, size_t *got, char **errmsg)
{
    bl_source *s = NULL;
    bl_status st = bl_source_open(path, &s, errmsg);
    if (st != BL_OK)
        return st;
    size_t total = 0;
    while (total < n) {
        size_t g = 0;
        st = bl_source_read(s, buf + total, n - total, &g);
        if (st != BL_OK) {
            /* A truncated gzip still gives its first bytes; report the error
             * only when nothing at all could be read. */
            if (total == 0)
                *errmsg = bl_strdup_printf("%s: %s", path, bl_source_errmsg(s));
            else
                st = BL_OK;
            break;
        }
        if (g == 0)
            break;
        total += g;
    }
    *got = total;
    bl_source_close(s);
    return st;
}
