/* bilan — common definitions shared by every layer: status codes, string
 * views, bounded buffers, calendar arithmetic, French formatting, hashing.
 *
 * Ownership, for every bilan header: arguments are borrowed unless the name
 * says _take; a returned `char *` belongs to the caller (free()); a returned
 * `const char *` is borrowed from the handle until its next call.
 */
#ifndef BILAN_COMMON_H
#define BILAN_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define BL_VERSION "0.1.0"

/* The largest count bilan accepts in one cell (one library or institution,
 * resource, month and metric): a billion uses in a month is beyond any
 * public-library network, so a larger figure is a misread file. With this
 * bound no sum over a store can overflow 64 bits (docs/trust.md). */
#define BL_COUNT_MAX INT64_C(1000000000)
/* The largest value one stored row may hold (a file's roll-up of many rows
 * into one cell); reads ignore anything larger, which only a store written
 * before these bounds could hold. */
#define BL_CELL_SUM_MAX INT64_C(1000000000000)

/* Caps per file (docs/security.md, "Caps"): a file that needs more is
 * refused whole (exit 65, store unchanged) rather than let one input take
 * the machine's memory or the store's disk. A real report or month of logs
 * stays far below each. */
#define BL_CAP_GROUPS 100000    /* distinct (library or institution, resource or platform, ...) */
#define BL_CAP_CELLS 2000000    /* distinct (group, month, metric) */
#define BL_CAP_LOG_CELLS 100000 /* log: distinct (library, resource, institution, host) */
#define BL_CAP_SKETCHES 100000  /* log: distinct-user sketches (library x month) */
/* A gzip stream may expand this many times once past its first GiB. */
#define BL_CAP_INFLATE_RATIO 200
#define BL_CAP_INFLATE_FREE (INT64_C(1) << 30)

/* One list of status codes, with the sysexits.h value each maps to and its
 * text (libuv's error map). Fallible functions return a bl_status. The
 * texts are marked N_ for the catalog (bilan/i18n.h, where this list is
 * expanded with its texts: common/status.c). */
#define BL_STATUS_MAP(X)                         \
    X(OK, 0, N_("success"))                      \
    X(USAGE, 64, N_("usage error"))              \
    X(DATA, 65, N_("bad input data"))            \
    X(NOINPUT, 66, N_("missing input"))          \
    X(INTERNAL, 70, N_("internal error"))        \
    X(CANTCREAT, 73, N_("cannot create output")) \
    X(IO, 74, N_("input/output error"))          \
    X(TEMPFAIL, 75, N_("temporary failure"))     \
    X(NOMEM, 70, N_("out of memory"))            \
    X(DUPLICATE, 0, N_("already ingested"))      \
    X(NOTFOUND, 66, N_("not found"))             \
    X(RANGE, 65, N_("count out of range"))

typedef enum bl_status {
#define BL__ST_ENUM(name, code, text) BL_##name,
    BL_STATUS_MAP(BL__ST_ENUM)
#undef BL__ST_ENUM
        BL__STATUS_COUNT
} bl_status;

/* The text of a status ("bad input data"); never NULL. */
const char *bl_status_str(bl_status st);
/* The sysexits.h exit code of a status. */
int bl_status_exit(bl_status st);

/* Exit codes (sysexits.h values, defined here so no platform header is needed). */
enum {
    BL_EX_OK = 0,
    BL_EX_USAGE = 64,
    BL_EX_DATAERR = 65,
    BL_EX_NOINPUT = 66,
    BL_EX_SOFTWARE = 70,
    BL_EX_CANTCREAT = 73,
    BL_EX_IOERR = 74,
    BL_EX_TEMPFAIL = 75
};

/* ---- string views ------------------------------------------------------ */

/* A borrowed, not NUL-terminated slice of text. */
typedef struct bl_sv {
    const char *ptr;
    size_t len;
} bl_sv;

#define BL_SV_NULL ((bl_sv){NULL, 0})
bl_sv bl_sv_from(const char *cstr);
bl_sv bl_sv_trim(bl_sv s);
bool bl_sv_eq(bl_sv a, bl_sv b);
bool bl_sv_eq_cstr(bl_sv a, const char *b);
/* ASCII case-insensitive comparison. */
bool bl_sv_ieq_cstr(bl_sv a, const char *b);
bool bl_sv_istarts(bl_sv a, const char *prefix);
/* A malloc'd NUL-terminated copy, or NULL on allocation failure. */
char *bl_sv_dup(bl_sv s);

/* ---- bounded growable buffer ------------------------------------------- */

/* A byte buffer that grows up to `cap` bytes; `data` is always NUL-terminated
 * when len > 0 or after bl_buf_cstr(). Zero-initialise with BL_BUF_INIT(cap). */
typedef struct bl_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
} bl_buf;

#define BL_BUF_INIT(capacity) ((bl_buf){NULL, 0, 0, (capacity)})
/* Appends; BL_NOMEM when allocation fails, BL_DATA when the cap would be
 * exceeded (the buffer is unchanged then). */
bl_status bl_buf_append(bl_buf *b, const void *p, size_t n);
bl_status bl_buf_puts(bl_buf *b, const char *s);
bl_status bl_buf_printf(bl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bl_status bl_buf_putc(bl_buf *b, char c);
const char *bl_buf_cstr(bl_buf *b);
void bl_buf_clear(bl_buf *b);
void bl_buf_release(bl_buf *b);

/* ---- calendar ------------------------------------------------------------ */

/* Months are carried as an index: year * 12 + (month - 1). */
static inline int bl_month_index(int year, int month)
{
    return year * 12 + month - 1;
}
static inline int bl_month_year(int mi)
{
    return mi / 12;
}
static inline int bl_month_num(int mi)
{
    return mi % 12 + 1;
}

/* Parses "YYYY-MM" (the store's format). Returns false when malformed. */
bool bl_month_parse(const char *s, int *mi);
/* Writes "YYYY-MM" into out (at least 8 bytes). */
void bl_month_format(int mi, char out[8]);
/* Parses "YYYY-MM-DD"; false when malformed or not a real date. */
bool bl_date_parse(const char *s, int *y, int *m, int *d);
/* The same, or the French spreadsheet form "DD/MM/YYYY" (31/01/2026): the
 * dates a user writes (forfaits.csv, --at). */
bool bl_date_parse_user(const char *s, int *y, int *m, int *d);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int64_t bl_days_from_civil(int y, int m, int d);
void bl_civil_from_days(int64_t z, int *y, int *m, int *d);
int bl_days_in_month(int y, int m);

/* ---- French formatting (no locale needed) ------------------------------- */
/* French typography: U+202F NARROW NO-BREAK SPACE groups thousands, U+00A0
 * NO-BREAK SPACE stands before "€" and "%". Every function writes a
 * NUL-terminated UTF-8 string into out (truncating safely) and returns out. */
#define BL_NNBSP "\xE2\x80\xAF"
#define BL_NBSP "\xC2\xA0"

char *bl_fr_int(char *out, size_t n, int64_t v);             /* 12 345 */
char *bl_fr_money(char *out, size_t n, int64_t cents);       /* 21 368,70 € */
char *bl_fr_money_euros(char *out, size_t n, int64_t cents); /* 21 369 € */
/* A signed change in tenths of a percent: +12,5 % / −3,0 % / 0,0 %. */
char *bl_fr_change(char *out, size_t n, int64_t tenths);
/* A percentage with one decimal, no sign: 80,0 %. */
char *bl_fr_percent(char *out, size_t n, int64_t tenths);
/* A decimal with `decimals` digits from a value scaled by 10^decimals. */
char *bl_fr_decimal(char *out, size_t n, int64_t scaled, int decimals);
/* "mai 2026" for a month index. */
char *bl_fr_month(char *out, size_t n, int mi);
/* "Mai 2026" (capitalised, for titles). */
char *bl_fr_month_cap(char *out, size_t n, int mi);
/* "1er octobre 2026", "14 octobre 2026". */
char *bl_fr_date(char *out, size_t n, int y, int m, int d);
/* French month names, 1..12, lower case. */
const char *bl_fr_month_name(int m);
/* The months first + i for which in[i] (0 <= i < n), appended to b in
 * French, in order, a run of consecutive months as a span: "mai 2026",
 * "janvier à avril 2025, juin 2025", "novembre 2024 à février 2025". */
bl_status bl_fr_months(bl_buf *b, const bool *in, int first, int n);
/* Months a..z as one span: "mai 2025", "janvier à juin 2025", "novembre
 * 2025 à avril 2026". */
char *bl_fr_span(char *out, size_t n, int a, int z);
/* Change in tenths of a percent from `base` to `now`, rounded half away from
 * zero; false when base is 0 (a change against nothing is not significant). */
bool bl_change_tenths(int64_t now, int64_t base, int64_t *tenths);

/* ---- numbers ------------------------------------------------------------- */

/* Parses a non-negative decimal amount written the French or English way
 * ("0,15", "0.15", "1 016,5", "21368.70") into units of 10^-scale, rounding
 * half up beyond `scale` digits. False when not a number. */
bool bl_parse_decimal(bl_sv s, int scale, int64_t *out);
/* Parses a whole count, accepting thousands separators (",", ".", space,
 * NBSP, NNBSP, apostrophe) when grouped by three. Empty is not accepted here. */
bool bl_parse_count(bl_sv s, int64_t *out);

/* ---- identifiers ---------------------------------------------------------- */

/* True when s is a valid id of a partner, library, resource, forfait,
 * endpoint or profile: [a-z0-9][a-z0-9._-]*, at most 64 bytes. Such an id
 * is safe as a file name: it cannot name a folder or leave one. */
bool bl_id_valid(const char *s);

/* The kinds of resource (resources.csv, column kind), in the order the
 * reports list them; NULL-terminated. Their French names are render's
 * (render/wording.c, checked at compile time to be as many). */
#define BL_RESOURCE_KIND_COUNT 8
extern const char *const bl_resource_kinds[BL_RESOURCE_KIND_COUNT + 1];

/* The metrics bilan counts beyond COUNTER's, for what vendor exports count
 * (docs/profiles.md): "Loans", "Plays", "Sessions", "Downloads", "Minutes",
 * "Units_Consumed"; NULL-terminated. Their French names are render's
 * (render/wording.c, checked at compile time to be as many). */
#define BL_EXTRA_METRIC_COUNT 6
extern const char *const bl_extra_metrics[BL_EXTRA_METRIC_COUNT + 1];
#define BL_EXTRA_METRICS_TEXT "Loans, Plays, Sessions, Downloads, Minutes, Units_Consumed"

/* ---- CSV output (common/csv_out.c) ----------------------------------------- */

/* Writes one CSV field into b, quoted when it holds sep, a quote or a line
 * break, and neutralised against formula injection (a leading = + - @ gets
 * a ' prefix; negative numbers are left alone). bl_csv_field: sep ','. */
bl_status bl_csv_field_sep(bl_buf *b, const char *s, char sep);
bl_status bl_csv_field(bl_buf *b, const char *s);

/* ---- output files (common/outfile.c) --------------------------------------- */

/* Creates path and its missing parents (mode 0777 less the umask).
 * 0, or an errno value. */
int bl_mkdirs(const char *path);

/* A file being created: written under a fresh random name in its folder
 * (O_CREAT|O_EXCL|O_NOFOLLOW, relative to the folder's descriptor), then
 * renamed in place, so that a symbolic link planted at any name is never
 * followed and a reader never sees half a file. A folder writable by every
 * user is refused. */
typedef struct bl_outfile {
    int dirfd, fd;
    char path[4096]; /* as given, for messages */
    char base[256];  /* final name in the folder */
    char tmp[40];    /* temporary name in the folder, "" once renamed */
} bl_outfile;

/* BL_CANTCREAT with "cannot create 'PATH': reason" in err. */
bl_status bl_outfile_open(bl_outfile *o, const char *path, char *err, size_t errlen);
bl_status bl_outfile_write(bl_outfile *o, const void *p, size_t n, char *err, size_t errlen);
/* Flushes to disk and gives the file its name: replacing what is there
 * (replace) or refusing an existing name (BL_CANTCREAT, nothing written). */
bl_status bl_outfile_commit(bl_outfile *o, bool replace, char *err, size_t errlen);
/* Removes the temporary file; safe after a failed open or write. */
void bl_outfile_abort(bl_outfile *o);
/* open + write + commit of a whole buffer. */
bl_status bl_outfile_put(const char *path, const void *p, size_t n, bool replace, char *err,
                         size_t errlen);

/* ---- IP addresses and ranges (common/net.c) ------------------------------ */

typedef struct bl_cidr {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* network address, IPv4 in the first 4 bytes */
    int prefix;
} bl_cidr;

/* Parses an address (IPv4 or IPv6) as written in a log; an IPv4-mapped IPv6
 * address is that IPv4 address. */
bool bl_ip_parse(bl_sv s, int *family, uint8_t addr[16]);
/* Parses "192.0.2.0/24", "2001:db8::/32" or a single address. */
bool bl_cidr_parse(const char *s, bl_cidr *out);
bool bl_cidr_contains(const bl_cidr *c, int family, const uint8_t addr[16]);
/* True when two ranges share an address (one holds the other). */
bool bl_cidr_overlap(const bl_cidr *a, const bl_cidr *b);
/* True for a plain-http URL to this machine only: http://127.0.0.1,
 * http://[::1], http://localhost (any port, any path). The one rule for
 * where bilan may talk without TLS (docs/sushi.md). */
bool bl_url_loopback_http(const char *u);

/* ---- text encodings ------------------------------------------------------ */

bool bl_utf8_valid(const char *p, size_t n);
/* Converts Windows-1252 bytes to UTF-8 into b (appending). */
bl_status bl_cp1252_to_utf8(bl_buf *b, const char *p, size_t n);

/* ---- names (common/name_fold.c) ------------------------------------------- */

/* The comparison key of a name (a library's alias, a resource's COUNTER
 * name, what a provider writes for them): white space trimmed and each inner
 * run of it (space, tab, line break, U+00A0, U+202F) one space; ASCII
 * letters lower-cased; the accented Latin letters of U+00C0..U+00FF and Ÿ
 * folded to their lower-case base letter (É -> e, Î -> i, Ç -> c, Ÿ ÿ -> y),
 * Æ æ -> ae, Œ œ -> oe; every other byte (digits, punctuation, other UTF-8,
 * invalid UTF-8) as it is. Two names are the same name when their keys are
 * equal (docs/network.md, "Names"). A key is never longer than its name.
 * Writes the key NUL-terminated into out (n > 0; cut before a folded letter
 * that would not fit) and returns its length. */
size_t bl_name_fold(bl_sv s, char *out, size_t n);
/* The letter step of bl_name_fold, shared with the profiles' header
 * matching: folds the letter at p[0..n) (A-Z, a-z, the letters of
 * U+00C0..U+00FF with a base letter, Æ æ Œ œ Ÿ) into out, its length (1 or 2)
 * in *outn, and returns the bytes of p it read; 0 when p does not start with
 * one of those letters (out and *outn untouched). */
size_t bl_fold_letter(const char *p, size_t n, char out[2], size_t *outn);

/* ---- hashing --------------------------------------------------------------- */

/* SHA-256 of a file's bytes as 64 lowercase hex digits. */
bl_status bl_sha256_file(const char *path, char hex[65], char **errmsg);
/* The SHA-256 of the files' bytes one after the other (what `cat` of them
 * would give): the identity of a --one-source set. */
bl_status bl_sha256_files(const char *const *paths, size_t n, char hex[65], char **errmsg);
void bl_sha256_hex(const void *p, size_t n, char hex[65]);
/* SipHash-2-4 with a 16-byte key: the keyed hash used to pseudonymise
 * identifiers in memory. */
uint64_t bl_siphash(const uint8_t key[16], const void *p, size_t n);
/* bl_siphash of the 9 bytes tag, a (as memcpy lays it out), or of the 17
 * bytes tag, a, *b: the same value, without the byte loops (the per-hit
 * pseudonyms of the access-log rules). */
uint64_t bl_siphash_tagged(const uint8_t key[16], char tag, uint64_t a, const uint64_t *b);
/* A fast 64-bit hash of bytes, not keyed: for in-memory caches and as the
 * pre-hash fed to the keyed SipHash; never stored. */
uint64_t bl_fhash(const void *p, size_t n, uint64_t seed);

/* ---- misc -------------------------------------------------------------------- */

/* malloc'd printf; NULL on allocation failure. */
char *bl_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg without its leading "PATH: " (or the French "PATH : ", with a plain
 * or no-break space), when it names path and says more; else msg. For a
 * message shown where the file is named already. */
const char *bl_after_path(const char *msg, const char *path);

#endif
