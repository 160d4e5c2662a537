/* What the COUNTER R5 and R4 readers share: a streaming record reader that
 * copes with what spreadsheets do to CSV (BOM, CRLF or bare CR, quoted cells,
 * Windows-1252 text, over-long lines), heading and month-label parsing, the
 * R5 metric names, trailer detection, diagnostics, and the format sniffer.
 *
 * Memory is bounded: one read chunk, one record of at most BL_CTR_LINE_CAP
 * bytes and its cells, whatever the size of the file.
 */
#include "counter_internal.h"
#include "sheet.h"

#include "bilan/i18n.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CHUNK_SIZE (64u * 1024u)
#define SPLIT_SLACK 64 /* bytes split_cells_padded may read past a line */

/* ---- the record reader ------------------------------------------------- */

static void set_library(bl__ctr_reader *r, const bl_ingest_opts *opts)
{
    if (opts && opts->library && opts->library[0])
        snprintf(r->library, sizeof r->library, "%s%s", BL_LIBRARY_INSTITUTION, opts->library);
}

const char *bl__ctr_library(const bl__ctr_reader *r)
{
    return r->library[0] ? r->library : NULL;
}

const char *bl__ctr_headerless_r5(const bl_sv *cells, size_t n)
{
    bool metric = false, platform = false, database = false, title = false, item = false;
    for (size_t i = 0; i < n; i++) {
        char k[24];
        if (cells[i].len == 0 || cells[i].len > 20)
            continue;
        bl__ctr_norm(cells[i], k, sizeof k);
        metric |= strcmp(k, "metrictype") == 0;
        platform |= strcmp(k, "platform") == 0;
        database |= strcmp(k, "database") == 0;
        title |= strcmp(k, "title") == 0;
        item |= strcmp(k, "item") == 0;
    }
    if (!metric)
        return NULL;
    return item ? "IR" : title ? "TR" : database ? "DR" : platform ? "PR" : NULL;
}

bool bl__ctr_headerless_r4(const bl_sv *cells, size_t n, char id[16])
{
    bool total = false, activity = false, denied = false;
    int months = 0;
    for (size_t i = 0; i < n; i++) {
        char k[40];
        int mi;
        if (cells[i].len == 0 || cells[i].len > 36) {
            continue;
        }
        bl__ctr_norm(cells[i], k, sizeof k);
        if (strcmp(k, "metrictype") == 0)
            return false; /* R5 */
        total |= strcmp(k, "reportingperiodtotal") == 0;
        activity |= strcmp(k, "useractivity") == 0;
        denied |= strncmp(k, "accessdenied", 12) == 0 || strcmp(k, "category") == 0;
        if (bl__ctr_month(cells[i], &mi))
            months++;
    }
    if (n == 0 || (!total && months < 2))
        return false;
    const char *r = NULL;
    if (bl__ctr_norm_eq(cells[0], "journal"))
        r = denied ? "JR2" : "JR1";
    else if (bl__ctr_norm_eq(cells[0], "database"))
        r = activity ? "DB1" : denied ? "DB2" : NULL;
    else if (bl__ctr_norm_eq(cells[0], "platform"))
        r = activity ? "PR1" : NULL;
    else if (bl__ctr_norm_eq(cells[0], "collection"))
        r = "MR1";
    if (!r)
        return false;
    snprintf(id, 16, "%s", r);
    return true;
}

bl_status bl__ctr_reader_init(bl__ctr_reader *r, bl_source *src, const char *path,
                              const bl_ingest_opts *opts, const bl_sink *sink)
{
    memset(r, 0, sizeof *r);
    r->src = src;
    r->path = path;
    r->sink = sink;
    r->strict = opts && opts->strict;
    set_library(r, opts);
    r->rec = BL_BUF_INIT(BL_CTR_LINE_CAP);
    /* Windows-1252 expands to at most 3 bytes of UTF-8 per byte. */
    r->conv = BL_BUF_INIT(3 * BL_CTR_LINE_CAP + 16);
    r->next_line = 1;
    r->now_mi = bl__ctr_current_month();
    r->chunk = malloc(CHUNK_SIZE + SPLIT_SLACK); /* split_cells_padded reads past a line */
    r->fields = malloc(BL_CTR_MAX_FIELDS * sizeof *r->fields);
    if (!r->chunk || !r->fields) {
        bl__ctr_reader_release(r);
        return BL_NOMEM;
    }
    return BL_OK;
}

bl_status bl__ctr_reader_init_sheet(bl__ctr_reader *r, bl_sheet *sheet, const char *path,
                                    const bl_ingest_opts *opts, const bl_sink *sink)
{
    memset(r, 0, sizeof *r);
    r->sheet = sheet;
    r->path = path;
    r->sink = sink;
    r->strict = opts && opts->strict;
    set_library(r, opts);
    r->next_line = 1;
    r->now_mi = bl__ctr_current_month();
    r->fields = malloc(BL_CTR_MAX_FIELDS * sizeof *r->fields);
    if (!r->fields)
        return BL_NOMEM;
    return BL_OK;
}

/* The sheet's current row as the record. */
static void sheet_load(bl__ctr_reader *r)
{
    unsigned long row = bl_sheet_row(r->sheet);
    r->line = row;
    r->next_line = row + 1;
    r->sheet_prev = row;
    if (bl_sheet_row_too_long(r->sheet)) {
        r->too_long = true;
        return;
    }
    size_t n = bl_sheet_ncells(r->sheet);
    if (n > BL_CTR_MAX_FIELDS)
        n = BL_CTR_MAX_FIELDS;
    for (size_t i = 0; i < n; i++)
        r->fields[i] = bl_sv_trim(bl_sheet_cell(r->sheet, i, NULL));
    r->nfields = n;
}

static bl_status sheet_next(bl__ctr_reader *r, bool *eof)
{
    r->nfields = 0;
    r->too_long = r->bad_quote = r->cp1252 = false;
    *eof = false;
    if (r->sheet_held) {
        r->sheet_held = false;
        sheet_load(r);
        return BL_OK;
    }
    bl_status st = bl_sheet_next(r->sheet, eof);
    if (st != BL_OK || *eof)
        return st;
    if (bl_sheet_row(r->sheet) > r->sheet_prev + 1) {
        /* Rows left out of the file are blank: one blank record stands for
         * them (it separates an R5 header from its column headings). */
        r->line = r->sheet_prev + 1;
        r->next_line = r->line + 1;
        r->sheet_prev = r->line;
        r->sheet_held = true;
        return BL_OK;
    }
    sheet_load(r);
    return BL_OK;
}

bool bl__ctr_cell_error(const bl__ctr_reader *r, size_t i)
{
    if (!r->sheet || r->sheet_held || i >= r->nfields)
        return false;
    bl_cell_kind k;
    bl_sheet_cell(r->sheet, i, &k);
    return k == BL_CELL_ERROR;
}

void bl__ctr_reader_release(bl__ctr_reader *r)
{
    free(r->chunk);
    free(r->fields);
    free(r->cells);
    free(r->errmsg);
    bl_buf_release(&r->rec);
    bl_buf_release(&r->conv);
    r->chunk = NULL;
    r->fields = NULL;
    r->cells = NULL;
    r->errmsg = NULL;
}

static bool is_delim_char(char c, char delim)
{
    if (delim)
        return c == delim;
    return c == '\t' || c == ';' || c == ',';
}

/* The first c in p[i..n), or n: sixteen bytes at a time (cells are short:
 * a call to memchr for each costs more than the search). */
static inline size_t find_byte(const char *p, size_t i, size_t n, char c)
{
#ifdef __SSE2__
    const __m128i v = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), v));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && p[i] != c)
        i++;
    return i;
}

/* bl_sv_trim, without the call when there is nothing to trim (a space
 * or other control byte, or an NBSP, at either end). */
static inline bl_sv cell_trim(bl_sv s)
{
    if (s.len == 0)
        return s;
    unsigned char a = (unsigned char)s.ptr[0], z = (unsigned char)s.ptr[s.len - 1];
    if (a > ' ' && a != 0xC2 && z > ' ' && z != 0xA0)
        return s;
    return bl_sv_trim(s);
}

/* A quoted cell whose opening quote is p[j] (delimited CSV): its text
 * copied into out + *o without the quotes ("" is one quote), then any text
 * after the closing quote up to the delimiter. Returns the delimiter's
 * position (n: the line's end). */
static size_t quoted_cell(const char *p, size_t n, size_t j, char delim, char *out, size_t *o,
                          bl_sv *cell)
{
    size_t start = *o, i = j + 1;
    for (;;) {
        size_t e = find_byte(p, i, n, '"');
        memcpy(out + *o, p + i, e - i);
        *o += e - i;
        if (e == n) {
            i = n;
            break;
        }
        if (e + 1 < n && p[e + 1] == '"') {
            out[(*o)++] = '"';
            i = e + 2;
            continue;
        }
        i = e + 1;
        break;
    }
    size_t end = find_byte(p, i, n, delim);
    memcpy(out + *o, p + i, end - i); /* text after the closing quote */
    *o += end - i;
    *cell = cell_trim((bl_sv){out + start, *o - start});
    return end;
}

/* Splits p[0..n) into cells. Quotes open only at the start of a cell (after
 * optional spaces), so a stray inch mark inside a title is kept as text;
 * "" inside quotes is one quote; text after a closing quote is kept. */
static size_t split_cells(const char *p, size_t n, char delim, char *out, bl_sv *cells, size_t max)
{
    size_t nf = 0, i = 0, o = 0;
    if (delim) {
        /* Jump from delimiter to delimiter: an unquoted cell is a slice of
         * the line; a quoted one is copied into out without its quotes.
         * Same rules as below. */
        for (;;) {
            size_t j = i;
            while (j < n && p[j] == ' ')
                j++;
            if (j < n && p[j] == '"') {
                bl_sv cell;
                size_t end = quoted_cell(p, n, j, delim, out, &o, &cell);
                if (nf < max)
                    cells[nf++] = cell;
                if (end == n)
                    return nf;
                i = end + 1;
                continue;
            }
            size_t end = find_byte(p, i, n, delim);
            if (nf < max)
                cells[nf++] = cell_trim((bl_sv){p + i, end - i});
            if (end == n)
                return nf;
            i = end + 1;
        }
    }
    for (;;) {
        size_t start = o;
        size_t j = i;
        while (j < n && p[j] == ' ')
            j++;
        if (j < n && p[j] == '"') {
            i = j + 1;
            while (i < n) {
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                out[o++] = p[i++];
            }
        }
        while (i < n && !is_delim_char(p[i], delim))
            out[o++] = p[i++];
        if (nf < max)
            cells[nf++] = bl_sv_trim((bl_sv){out + start, o - start});
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return nf;
}

#ifdef __SSE2__
/* The positions of c in p[0..64), as bits. */
static inline uint64_t mask64(const char *p, __m128i c)
{
    uint64_t m = 0;
    for (int k = 0; k < 4; k++)
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(
                 _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k)), c))
             << (16 * k);
    return m;
}
#endif

enum { Q_NOT, Q_TAKEN, Q_LINE_END };

/* The cell at *i when it is spaces then a '"': read as a quoted cell (into
 * out, as split_cells) and stored; *i past it and its delimiter. Q_NOT when
 * it is not quoted (nothing done), Q_LINE_END when it ended the line. */
static inline int quoted_at(const char *p, size_t n, size_t *i, char delim, char *out, size_t *o,
                            bl_sv *cells, size_t *nf, size_t max)
{
    size_t j = *i;
    while (j < n && p[j] == ' ')
        j++;
    if (j >= n || p[j] != '"')
        return Q_NOT;
    bl_sv q;
    size_t end = quoted_cell(p, n, j, delim, out, o, &q);
    if (*nf < max)
        cells[(*nf)++] = q;
    if (end >= n)
        return Q_LINE_END;
    *i = end + 1;
    return Q_TAKEN;
}

/* split_cells for a delimited line read from p, where SPLIT_SLACK bytes may
 * be read past p + n, into cells that point into dst, a copy of p[0..n)
 * (quoted cells into out, as split_cells): the delimiters of each 64 bytes
 * found at once, as bits, and the cells taken from them without a branch on
 * their length (count cells are short and of random length: a search per
 * cell mispredicts). The same cells as split_cells(dst, ...). */
static size_t split_cells_padded(const char *p, size_t n, char delim, char *out, bl_sv *cells,
                                 size_t max, const char *dst)
{
#ifdef __SSE2__
    const __m128i dv = _mm_set1_epi8(delim);
    size_t nf = 0, i = 0, o = 0; /* i: where the current cell starts */
    for (;;) {
        /* the delimiters from i on, 64 bytes at a time (none past n) */
        size_t blk = i & ~(size_t)63;
        uint64_t m = mask64(p + blk, dv) & (~(uint64_t)0 << (i - blk));
        for (;;) {
            if (n - blk < 64)
                m &= ((uint64_t)1 << (n - blk)) - 1;
            while (m) {
                size_t e = blk + (size_t)__builtin_ctzll(m);
                m &= m - 1;
                unsigned char a = (unsigned char)p[i];
                int q = a == ' ' || a == '"' ? quoted_at(p, n, &i, delim, out, &o, cells, &nf, max)
                                             : Q_NOT;
                if (q == Q_LINE_END)
                    return nf;
                if (q == Q_TAKEN)
                    goto restart; /* past delimiters inside the quotes */
                if (nf < max) {
                    /* the cell [i, e), trimmed only when an end needs it
                     * (what cell_trim does, without a branch on an empty
                     * cell); stored as two words (a bl_sv built on the stack
                     * and copied whole stalls on store forwarding) */
                    size_t len = e - i;
                    unsigned char z = (unsigned char)p[e - (len != 0)];
                    bool trim = (len != 0) & ((a <= ' ') | (a == 0xC2) | (z <= ' ') | (z == 0xA0));
                    if (trim) {
                        cells[nf++] = bl_sv_trim((bl_sv){dst + i, len});
                    } else {
                        cells[nf].ptr = dst + i;
                        cells[nf].len = len;
                        nf++;
                    }
                }
                i = e + 1;
            }
            blk += 64;
            if (blk >= n)
                break;
            m = mask64(p + blk, dv);
        }
        /* the last cell, [i, n) */
        unsigned char a = (unsigned char)p[i];
        int q = a == ' ' || a == '"' ? quoted_at(p, n, &i, delim, out, &o, cells, &nf, max) : Q_NOT;
        if (q == Q_LINE_END)
            return nf;
        if (q == Q_TAKEN)
            continue;
        if (nf < max)
            cells[nf++] = cell_trim((bl_sv){dst + i, n - i});
        return nf;
    restart:;
    }
#else
    (void)p;
    return split_cells(dst, n, delim, out, cells, max);
#endif
}

/* The delimiter is the first tab, semicolon or comma outside quotes in the
 * first line that has one: after "Report_Name" or after R4's cell A1. */
static char find_delim(const char *p, size_t n)
{
    bool q = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '"')
            q = !q;
        else if (!q && (c == '\t' || c == ';' || c == ','))
            return c;
    }
    return 0;
}

static bl_status fill(bl__ctr_reader *r)
{
    size_t got = 0;
    bl_status st = bl_source_read(r->src, r->chunk, CHUNK_SIZE, &got);
    if (st != BL_OK)
        return st;
    r->chunk_len = got;
    r->chunk_pos = 0;
    if (got == 0)
        r->eof = true;
    return BL_OK;
}

static bl_status append(bl__ctr_reader *r, const char *p, size_t n)
{
    if (r->too_long || n == 0)
        return BL_OK;
    bl_status st = bl_buf_append(&r->rec, p, n);
    if (st == BL_DATA) {
        /* Over the cap: keep reading to the end of the line, then report. */
        r->too_long = true;
        bl_buf_clear(&r->rec);
        return BL_OK;
    }
    return st;
}

/* True when every quoted cell opened on this line (n bytes, no line break)
 * also closes on it, by the rules of the byte loop in read_record: a quote
 * opens a cell only at its start (after spaces) or right after a closing
 * quote (""); inside a quoted cell the next quote closes it. */
static bool quotes_close(const char *p, size_t n, char delim)
{
    bool in_quote = false;
    size_t i = 0, closed_at = (size_t)-1;
    size_t j;
    while (i < n && (j = find_byte(p, i, n, '"')) < n) {
        if (in_quote) {
            in_quote = false;
            closed_at = j;
        } else if (closed_at != (size_t)-1 && j == closed_at + 1) {
            in_quote = true; /* the second quote of "" */
        } else {
            size_t k = j;
            while (k > 0 && p[k - 1] == ' ')
                k--;
            if (k == 0 || is_delim_char(p[k - 1], delim))
                in_quote = true;
        }
        i = j + 1;
    }
    return !in_quote;
}

/* Reads one logical record into r->rec. *eof when nothing was left. */
static bl_status read_record(bl__ctr_reader *r, bool *eof)
{
    bl_buf_clear(&r->rec);
    r->view = NULL;
    r->too_long = r->bad_quote = false;
    r->line = r->next_line;
    bool in_quote = false, at_cell_start = true, just_closed = false, any = false;
    unsigned lines = 1;
    *eof = false;
    for (;;) {
        if (r->chunk_pos >= r->chunk_len) {
            if (r->eof) {
                *eof = !any;
                return BL_OK;
            }
            bl_status st = fill(r);
            if (st != BL_OK)
                return st;
            if (r->eof) {
                *eof = !any;
                return BL_OK;
            }
            if (!r->started) {
                r->started = true;
                if (r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0)
                    r->chunk_pos = 3;
            }
        }
        const char *p = r->chunk + r->chunk_pos;
        size_t n = r->chunk_len - r->chunk_pos, i = 0;
        if (r->pending_cr) {
            r->pending_cr = false;
            if (p[0] == '\n') {
                r->chunk_pos++;
                continue;
            }
        }
        any = true;
        /* A whole line in the chunk with no quote and no stray CR (the usual
         * case): take it at once instead of byte by byte. */
        if (!in_quote && r->rec.len == 0 && !r->too_long) {
            const char *nl = memchr(p, '\n', n);
            if (nl) {
                size_t len = (size_t)(nl - p), body = len;
                if (body && p[body - 1] == '\r')
                    body--;
                if (!memchr(p, '\r', body) && quotes_close(p, body, r->delim)) {
                    /* read in place: the chunk stays until the next record */
                    r->view = p, r->view_len = body;
                    r->chunk_pos += len + 1;
                    r->next_line++;
                    return BL_OK;
                }
            }
        }
        for (; i < n; i++) {
            char c = p[i];
            if (c == '"') {
                if (in_quote) {
                    in_quote = false;
                    just_closed = true;
                } else if (at_cell_start || just_closed) {
                    in_quote = true; /* opening quote, or the second of "" */
                    just_closed = false;
                }
                at_cell_start = false;
                continue;
            }
            just_closed = false;
            if (c == '\n' || c == '\r') {
                if (in_quote && lines < BL_CTR_MAX_RECORD_LINES) {
                    /* A line break inside a quoted cell: CRLF counts once. */
                    if (c == '\n') {
                        lines++;
                        r->next_line++;
                    }
                    continue;
                }
                if (in_quote)
                    r->bad_quote = true;
                bl_status st = append(r, p, i);
                if (st != BL_OK)
                    return st;
                r->chunk_pos += i + 1;
                r->next_line++;
                if (c == '\r') {
                    if (i + 1 < n) {
                        if (p[i + 1] == '\n')
                            r->chunk_pos++;
                    } else {
                        r->pending_cr = true;
                    }
                }
                return BL_OK;
            }
            if (is_delim_char(c, r->delim))
                at_cell_start = true;
            else if (c != ' ')
                at_cell_start = false;
        }
        bl_status st = append(r, p, i);
        if (st != BL_OK)
            return st;
        r->chunk_pos += i;
    }
}

/* Reads the next record into r->text (UTF-8, converted from Windows-1252
 * when it was not), without splitting it. */
static bl_status next_text(bl__ctr_reader *r, bool *eof)
{
    bl_status st = read_record(r, eof);
    r->nfields = 0;
    r->cp1252 = false;
    r->text = "", r->text_len = 0;
    if (st != BL_OK || *eof || r->too_long || r->bad_quote)
        return st;
    const char *p = r->view ? r->view : r->rec.data ? r->rec.data : "";
    size_t n = r->view ? r->view_len : r->rec.len;
    if (n && !bl_utf8_valid(p, n)) {
        /* Not UTF-8: spreadsheets on French Windows save Windows-1252. */
        bl_buf_clear(&r->conv);
        st = bl_cp1252_to_utf8(&r->conv, p, n);
        if (st != BL_OK)
            return st;
        p = r->conv.data;
        n = r->conv.len;
        r->cp1252 = r->any_cp1252 = true;
    }
    if (!r->delim)
        r->delim = find_delim(p, n);
    r->text = p, r->text_len = n;
    return BL_OK;
}

bl_status bl__ctr_next(bl__ctr_reader *r, bool *eof)
{
    if (r->sheet)
        return sheet_next(r, eof);
    bl_status st = next_text(r, eof);
    if (st != BL_OK || *eof || r->too_long || r->bad_quote)
        return st;
    size_t n = r->text_len;
    if (r->cells_alloc < n + 1) {
        size_t want = n + 1 < 4096 ? 4096 : n + 1;
        char *c = realloc(r->cells, want);
        if (!c)
            return BL_NOMEM;
        r->cells = c;
        r->cells_alloc = want;
    }
    r->nfields = split_cells(r->text, n, r->delim, r->cells, r->fields, BL_CTR_MAX_FIELDS);
    return BL_OK;
}

bool bl__ctr_resplit(bl__ctr_reader *r, char delim)
{
    if (r->sheet || delim == r->delim || !r->text_len || r->too_long || r->bad_quote)
        return false;
    r->delim = delim;
    r->nfields =
        split_cells(r->text, r->text_len, r->delim, r->cells, r->fields, BL_CTR_MAX_FIELDS);
    return true;
}

_Static_assert(BL_COUNT_MAX >= 999999999, "nine digits are a count");

/* What a count cell holds. */
typedef enum cell_kind { CELL_COUNT, CELL_NOT_COUNT, CELL_OVER } cell_kind;

/* Reads a count cell: a whole count up to BL_COUNT_MAX. A number too big
 * for 64 bits is over the bound too (not "not a count"): a cell that only
 * differs from a count by its size is a count too large, whatever its size. */
static cell_kind cell_count(bl_sv v, int64_t *out)
{
    if (v.len && v.len <= 18) {
        /* Digits only (the usual cell): what bl_parse_count reads. */
        int64_t x = 0;
        size_t i = 0;
        while (i < v.len && (unsigned char)(v.ptr[i] - '0') <= 9)
            x = x * 10 + (v.ptr[i++] - '0');
        if (i == v.len) {
            *out = x;
            return x > BL_COUNT_MAX ? CELL_OVER : CELL_COUNT;
        }
    }
    if (bl_parse_count(v, out))
        return *out > BL_COUNT_MAX ? CELL_OVER : CELL_COUNT;
    /* A spreadsheet's "1234,0" or "1 234.00": a whole count with a zero
     * fraction. "12,5" stays a decimal, which is not a count. */
    v = bl_sv_trim(v);
    size_t k = v.len;
    while (k > 0 && v.ptr[k - 1] == '0')
        k--;
    if (k > 1 && k < v.len && (v.ptr[k - 1] == ',' || v.ptr[k - 1] == '.') &&
        bl_parse_count((bl_sv){v.ptr, k - 1}, out))
        return *out > BL_COUNT_MAX ? CELL_OVER : CELL_COUNT;
    char zeroed[256];
    if (v.len >= sizeof zeroed)
        return CELL_NOT_COUNT;
    for (size_t i = 0; i < v.len; i++)
        zeroed[i] = v.ptr[i] >= '1' && v.ptr[i] <= '9' ? '0' : v.ptr[i];
    int64_t z;
    return bl_parse_count((bl_sv){zeroed, v.len}, &z) ? CELL_OVER : CELL_NOT_COUNT;
}

/* "1,500": 1 to 3 digits, one comma, 3 digits (thousands in English, a
 * decimal in French). */
static bool comma_thousands(bl_sv v)
{
    v = bl_sv_trim(v);
    const char *c = memchr(v.ptr, ',', v.len);
    if (!c || c == v.ptr || c - v.ptr > 3 || v.len - (size_t)(c - v.ptr) != 4)
        return false;
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr + i != c && (unsigned char)(v.ptr[i] - '0') > 9)
            return false;
    return true;
}

/* Rejects the row for a cell that is not an acceptable count. */
static bl_status reject_cell(bl__ctr_reader *r, const char *field, bl_sv v, cell_kind kind)
{
    char q[64];
    bl__ctr_quote(v, q);
    if (kind == CELL_OVER)
        return bl__ctr_reject(r, field, "'%s' is above %s, the largest count accepted in one cell",
                              q, BL_NUM(BL_COUNT_MAX));
    bl_sv t = bl_sv_trim(v);
    int64_t x;
    if (t.len > 1 && t.ptr[0] == '-' && cell_count((bl_sv){t.ptr + 1, t.len - 1}, &x) == CELL_COUNT)
        return bl__ctr_reject(r, field, "'%s' is negative: a count cannot be below 0", q);
    return bl__ctr_reject(r, field, "'%s' is not a count", q);
}

bl_status bl__ctr_future(bl__ctr_reader *r, const char *field, int month)
{
    char m[8];
    bl_month_format(month, m);
    return bl__ctr_reject(r, field, "count for %s, a month not begun yet", m);
}

bl_status bl__ctr_month_values(bl__ctr_reader *r, const size_t *cols, const int *months,
                               char (*labels)[24], size_t n, size_t total_col,
                               const char *total_label, int64_t *vals, bool *ok)
{
    *ok = false;
    int64_t sum = 0;
    for (size_t k = 0; k < n; k++) {
        bl_sv v = cols[k] < r->nfields ? r->fields[cols[k]] : (bl_sv){"", 0};
        vals[k] = 0;
        if (v.len == 0)
            continue;
        if (v.len <= 9) {
            /* up to nine digits (the usual cell): a count, at most BL_COUNT_MAX */
            int64_t x = 0;
            size_t i = 0;
            while (i < v.len && (unsigned char)(v.ptr[i] - '0') <= 9)
                x = x * 10 + (v.ptr[i++] - '0');
            if (i == v.len) {
                vals[k] = x;
                if (x > 0 && months[k] > r->now_mi)
                    return bl__ctr_future(r, labels[k], months[k]);
                sum += x;
                continue;
            }
        }
        if (r->french_numbers && comma_thousands(v)) {
            char q[64];
            bl__ctr_quote(v, q);
            return bl__ctr_reject(r, labels[k],
                                  "'%s' reads as a decimal number in French (comma), not a "
                                  "count; if it means thousands, write it without the comma",
                                  q);
        }
        cell_kind kind = cell_count(v, &vals[k]);
        if (kind != CELL_COUNT)
            return reject_cell(r, labels[k], v, kind);
        if (vals[k] > 0 && months[k] > r->now_mi)
            return bl__ctr_future(r, labels[k], months[k]);
        sum += vals[k]; /* at most BL_CTR_MAX_MONTHS * BL_COUNT_MAX: no overflow */
    }
    if (total_col != (size_t)-1) {
        bl_sv v = bl__ctr_cell(r, total_col);
        int64_t total = 0;
        if (v.len) {
            cell_kind kind = cell_count(v, &total);
            if (kind != CELL_COUNT)
                return reject_cell(r, total_label, v, kind);
            if (total != sum)
                return bl__ctr_reject(r, total_label, "months add up to %lld, %s says %lld",
                                      (long long)sum, total_label, (long long)total);
        }
    }
    *ok = true;
    return BL_OK;
}

/* A row without a positive count: one count of 0, its first month's, so
 * that the store knows the row (its institution, platform and metric) and
 * its report's 0 in every month it covers restates another report's figure
 * (docs/trust.md, "Restatement"; until 3 December 2026 such a row stored
 * nothing and a correction down to 0 everywhere was ignored). */
bl_status bl__ctr_emit_zero(bl__ctr_reader *r, bl_count_rec *rec, const int *months, size_t n)
{
    if (n == 0)
        return BL_OK;
    int month = months[0];
    rec->month = month;
    rec->value = 0;
    if (r->sink->count_run) {
        int m[1] = {month};
        int64_t v[1] = {0};
        return r->sink->count_run(r->sink->ctx, rec, m, v, 1);
    }
    return r->sink->count ? r->sink->count(r->sink->ctx, rec) : BL_OK;
}

bl_status bl__ctr_emit(bl__ctr_reader *r, bl_count_rec *rec, const int *months, const int64_t *vals,
                       size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n && !any; i++)
        any = vals[i] > 0;
    if (!any)
        return bl__ctr_emit_zero(r, rec, months, n);
    if (r->sink->count_run) {
        /* the positive counts, in runs handed over whole */
        int m[64];
        int64_t v[64];
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (vals[i] <= 0)
                continue;
            m[k] = months[i], v[k] = vals[i];
            if (++k == sizeof m / sizeof m[0] || i + 1 == n) {
                bl_status st = r->sink->count_run(r->sink->ctx, rec, m, v, k);
                if (st != BL_OK)
                    return st;
                k = 0;
            }
        }
        return k ? r->sink->count_run(r->sink->ctx, rec, m, v, k) : BL_OK;
    }
    for (size_t k = 0; k < n; k++) {
        if (vals[k] <= 0)
            continue;
        rec->month = months[k];
        rec->value = vals[k];
        bl_status st = r->sink->count ? r->sink->count(r->sink->ctx, rec) : BL_OK;
        if (st != BL_OK)
            return st;
    }
    return BL_OK;
}

void bl__ctr_set_plan(bl__ctr_reader *r, const bl__ctr_plan *plan)
{
    r->plan = plan;
}

static bool pre_counts(const bl__ctr_plan *pl, const bl_sv *f, size_t nf, int now_mi, uint64_t *out,
                       size_t *nout);

bool bl__ctr_pre_counts(bl__ctr_reader *r, const uint64_t **pre, size_t *n)
{
    if (!r->pre) {
        /* not read ahead: read here the same way (no branch on the cells),
         * when their bytes allow it */
        if (!r->plan || !r->padded ||
            !pre_counts(r->plan, r->fields, r->nfields, r->now_mi, r->pre_own, n))
            return false;
        *pre = r->pre_own;
        return true;
    }
    *pre = r->pre, *n = r->npre;
    return true;
}

bl_status bl__ctr_emit_pre(bl__ctr_reader *r, bl_count_rec *rec, const int *months,
                           const uint64_t *pre, size_t n)
{
    /* the same counts in the same runs as bl__ctr_emit */
    int m[64];
    int64_t v[64];
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 64 && i < n; k++, i++)
            m[k] = months[pre[i] >> 32], v[k] = (int64_t)(uint32_t)pre[i];
        if (r->sink->count_run) {
            bl_status st = r->sink->count_run(r->sink->ctx, rec, m, v, k);
            if (st != BL_OK)
                return st;
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            rec->month = m[j];
            rec->value = v[j];
            bl_status st = r->sink->count ? r->sink->count(r->sink->ctx, rec) : BL_OK;
            if (st != BL_OK)
                return st;
        }
    }
    return BL_OK;
}

bl_status bl__ctr_source_failed(bl__ctr_reader *r, bl_status st)
{
    if (st == BL_NOMEM)
        return st;
    bl_status ret = bl__ctr_refuse(r, 0, NULL, "%s",
                                   r->sheet ? bl_sheet_errmsg(r->sheet) : bl_source_errmsg(r->src));
    return st == BL_IO ? BL_IO : ret;
}

/* A spreadsheet row with a formula error in any cell is rejected whole,
 * naming the cell: its counts cannot be trusted. */
static bl_status sheet_errors(bl__ctr_reader *r)
{
    r->row_errored = false;
    for (size_t i = 0; r->sheet && i < r->nfields; i++) {
        if (!bl__ctr_cell_error(r, i))
            continue;
        char q[64], letter[16], field[32];
        bl__ctr_quote(r->fields[i], q);
        bl__ctr_col_name(i, letter);
        snprintf(field, sizeof field, _("column %s"), letter);
        r->row_errored = true;
        return bl__ctr_reject(r, field, "cell %s%lu holds the formula error %s", letter, r->line,
                              q);
    }
    return BL_OK;
}

/* One record read (by bl__ctr_next): a rejected row, a blank one skipped,
 * or the row callback's. */
static bl_status one_record(bl__ctr_reader *r, bl_status (*row)(void *ctx), void *ctx)
{
    bl_status st = BL_OK;
    if (r->too_long)
        st = bl__ctr_reject(r, NULL, "line longer than %s bytes", BL_NUM(BL_CTR_LINE_CAP));
    else if (r->bad_quote)
        st = bl__ctr_reject(r, NULL,
                            "quoted cell not closed within %d lines (lines %lu to %lu skipped)",
                            BL_CTR_MAX_RECORD_LINES, r->line, r->next_line - 1);
    else if (!bl__ctr_blank(r) && (st = sheet_errors(r)) == BL_OK && !r->row_errored)
        st = row(ctx);
    r->row = NULL; /* pointed into the row callback's frame */
    return st;
}

static bl_status each_row_serial(bl__ctr_reader *r, bl_status (*row)(void *ctx), void *ctx)
{
    bool eof = false;
    for (;;) {
        bl_status st = bl__ctr_next(r, &eof);
        if (st != BL_OK)
            return bl__ctr_source_failed(r, st);
        if (eof)
            return BL_OK;
        if ((st = one_record(r, row, ctx)) != BL_OK)
            return st;
    }
}

/* ---- reading in a thread of its own ------------------------------------- */

/* A byte stream's data rows are read and split by a second thread (the
 * reading half of the work: the source, line ends, quotes, UTF-8, cells)
 * while this one validates them and feeds the sink, in the same order: the
 * records go over in batches, split there. The reading thread calls
 * nothing but next_text and split_cells (the source's progress callback is thread-safe),
 * so diagnostics and the sink stay on this thread. */
#define BATCHES 4
#define BATCH_RECS 1024            /* a hand-over (and maybe a context switch) per batch */
#define BATCH_BYTES (512u * 1024u) /* to begin with: grown for a record that needs more */
#define BATCH_FIELDS 32768
#define BATCH_PRE (BATCH_RECS * 16) /* counts read ahead, 16 a record on average */
#define SPLIT_READY 3 /* batches the consumer holds (the one it reads among them): split here */
#define BATCH_SLACK \
    SPLIT_SLACK /* readable bytes after a batch's text (swar_digits, split_cells_padded) */

typedef struct batch_rec {
    unsigned long line, next_line;
    size_t field0, nfields;
    size_t text0, text_len; /* in bytes: the record's text and quoted cells */
    size_t pre0, npre;      /* the counts read ahead (pre_ok) */
    bool too_long, bad_quote, pre_ok;
    bool split; /* false: the consumer splits the text (field0 and nfields unused) */
    char delim; /* the reading thread's when it read the record */
} batch_rec;

/* What the reading thread does with a batch's records, by how far the
 * consumer is behind (the work moves to the thread that waits). */
/* text only; and cells; and counts (the test hook's modes, bl__ctr_work) */
enum { WORK_COPY = BL_CTR_WORK_COPY, WORK_SPLIT = BL_CTR_WORK_SPLIT, WORK_PREP = BL_CTR_WORK_PREP };

typedef struct batch {
    char *bytes;
    size_t nbytes, bytes_cap;
    bl_sv *fields;
    size_t nfields, fields_cap;
    uint64_t *pre; /* counts read ahead (pre_counts) */
    size_t npre, pre_cap;
    batch_rec recs[BATCH_RECS];
    size_t nrecs;
    int work;     /* WORK_*, set when the batch is begun */
    bool end;     /* the last batch: end of the file, or st */
    bl_status st; /* BL_OK, or how reading failed after these records */
} batch;

typedef struct rows_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[BATCHES];
    size_t head, ready; /* next to fill is (head + ready) % BATCHES */
    bool stop;          /* the consumer gave up */
    size_t acquired;    /* batches the reading thread began */
    bl__ctr_reader rd;  /* the reading thread's reader */
} rows_pipe;

static int work_mode; /* BL_CTR_WORK_* */

void bl__ctr_work(int mode)
{
    work_mode = mode;
}

static batch *pipe_acquire(rows_pipe *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->ready == BATCHES && !q->stop)
        pthread_cond_wait(&q->cv, &q->mu);
    batch *b = q->stop ? NULL : &q->b[(q->head + q->ready) % BATCHES];
    /* Splitting the records here moves work from the consumer to this
     * thread: worth it only while the consumer is the slower one, i.e. every
     * other batch waits for it (ready counts the batch it reads too; the
     * result is the same either way). Reading their counts ahead too
     * (WORK_PREP) never paid on two cores: this thread is the busier one,
     * and the consumer reads counts from cells in its own cache. The first
     * batch is read ahead whole and the second left to the consumer, so
     * that every path is taken by small files (the tests, the fuzzer). */
    size_t k = q->acquired++;
    int work = k == 0                          ? WORK_PREP
               : k == 1                        ? WORK_COPY
               : work_mode != BL_CTR_WORK_AUTO ? work_mode
               : q->ready >= SPLIT_READY       ? WORK_SPLIT
                                               : WORK_COPY;
    pthread_mutex_unlock(&q->mu);
    if (b)
        b->nbytes = b->nfields = b->nrecs = b->npre = 0, b->end = false, b->st = BL_OK,
        b->work = work;
    return b;
}

static void pipe_publish(rows_pipe *q)
{
    pthread_mutex_lock(&q->mu);
    q->ready++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* A cell of at most eight bytes read as digits, without a branch on its
 * length or its bytes (the lengths of count cells are random: branching on
 * them mispredicts about twice a cell): *bad set when a byte is not a digit.
 * The eight bytes at s.ptr must be readable (batches keep BATCH_SLACK bytes
 * after their text). An empty cell reads as 0. */
static inline uint32_t swar_digits(bl_sv s, uint64_t *bad)
{
    uint64_t v;
    memcpy(&v, s.ptr, 8);
    /* the cell's bytes to the top (little-endian: the last digit is the
     * most significant byte), '0' in the bytes below */
    unsigned sh = 8u * (8u - (unsigned)s.len); /* 0..64 */
    uint64_t keep = sh < 64 ? v << (sh & 63) : 0;
    uint64_t low = sh < 64 ? ((uint64_t)1 << (sh & 63)) - 1 : ~(uint64_t)0;
    v = keep | (0x3030303030303030u & low);
    *bad |= ((v & 0xF0F0F0F0F0F0F0F0u) | (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) ^
            0x3333333333333333u;
    v -= 0x3030303030303030u;
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFu) * (100 + (1000000ull << 32))) +
         (((v >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32)))) >>
        32;
    return (uint32_t)v;
}

/* swar_digits for a cell of at most four bytes (the usual count): half the
 * work. */
static inline uint32_t swar_digits4(bl_sv s, uint64_t *bad)
{
    uint32_t v;
    memcpy(&v, s.ptr, 4);
    unsigned sh = 8u * (4u - (unsigned)s.len);     /* 0..32 */
    uint32_t keep = (uint32_t)((uint64_t)v << sh); /* in 64 bits: no branch for sh 32 */
    uint32_t low = (uint32_t)(((uint64_t)1 << sh) - 1);
    v = keep | (0x30303030u & low);
    *bad |= ((v & 0xF0F0F0F0u) | (((v + 0x06060606u) & 0xF0F0F0F0u) >> 4)) ^ 0x33333333u;
    v -= 0x30303030u;
    v = v * 10 + (v >> 8); /* bytes 0 and 2: the two pairs of digits */
    return (v & 0xFFu) * 100 + ((v >> 16) & 0xFFu);
}

static inline uint32_t cell_digits(bl_sv s, uint64_t *bad)
{
    return s.len <= 4 ? swar_digits4(s, bad) : swar_digits(s, bad);
}

/* The month cells of a record as plain counts (see bl__ctr_pre_counts):
 * the positive ones into out, (k << 32) | value. False when any cell needs
 * bl__ctr_month_values (its checks and diagnostics), or has nine digits
 * (a count too, read there). */
static bool pre_counts(const bl__ctr_plan *pl, const bl_sv *f, size_t nf, int now_mi, uint64_t *out,
                       size_t *nout)
{
    uint64_t bad = 0, sum = 0;
    size_t o = 0;
    for (size_t k = 0; k < pl->n; k++) {
        size_t c = pl->cols[k];
        if (c >= nf)
            continue; /* an empty cell */
        bl_sv v = f[c];
        if (v.len > 8)
            return false;
        uint64_t x = cell_digits(v, &bad);
        bad |= (uint64_t)((x != 0) & (pl->months[k] > now_mi));
        out[o] = (uint64_t)k << 32 | x;
        o += x != 0;
        sum += x;
    }
    if (pl->total_col != BL__CTR_NO_COL && pl->total_col < nf) {
        bl_sv v = f[pl->total_col];
        if (v.len > 8)
            return false;
        uint64_t x = cell_digits(v, &bad);
        bad |= (uint64_t)(v.len && x != sum);
    }
    *nout = o;
    return bad == 0;
}

/* Splits the current record of rd (read by next_text) into b: its text,
 * then its quoted cells (at most as long), then the cells pointing there;
 * with a plan, its counts read ahead. False when it does not fit; an empty
 * batch grows to fit (*nomem when it cannot). */
static bool batch_add(batch *b, const bl__ctr_reader *rd, bool *nomem)
{
    size_t n = rd->text_len, maxf = n + 1 < BL_CTR_MAX_FIELDS ? n + 1 : BL_CTR_MAX_FIELDS;
    bool cells = !rd->too_long && !rd->bad_quote;
    size_t need = cells ? 2 * n + 1 : 0;
    if (b->nrecs == BATCH_RECS)
        return false;
    if (b->nfields + maxf > b->fields_cap || b->nbytes + need > b->bytes_cap) {
        if (b->nrecs)
            return false;
        if (maxf > b->fields_cap) {
            bl_sv *f = realloc(b->fields, maxf * sizeof *f);
            if (!f)
                return !(*nomem = true);
            b->fields = f, b->fields_cap = maxf;
        }
        if (need > b->bytes_cap) {
            char *t = realloc(b->bytes, need + BATCH_SLACK);
            if (!t)
                return !(*nomem = true);
            b->bytes = t, b->bytes_cap = need;
        }
    }
    char *t = b->bytes + b->nbytes;
    size_t nf = 0, npre = 0;
    bool pre_ok = false, split = cells && b->work != WORK_COPY;
    if (cells)
        memcpy(t, rd->text, n);
    if (split) {
        /* Split from the read chunk when the record is still there (the
         * chunk has SPLIT_SLACK bytes after it): loads from the copy just
         * written wait for its stores. The cells point into the copy. */
        const char *src = rd->view && rd->text == rd->view ? rd->text : t;
        nf = rd->delim
                 ? split_cells_padded(src, n, rd->delim, t + n, b->fields + b->nfields,
                                      BL_CTR_MAX_FIELDS, t)
                 : split_cells(t, n, rd->delim, t + n, b->fields + b->nfields, BL_CTR_MAX_FIELDS);
        b->nbytes += need;
        /* Counts that do not fit in the batch's pool are read by the other
         * thread (bl__ctr_month_values), as without a plan. */
        size_t room = b->pre_cap - b->npre;
        if (b->work != WORK_PREP) {
            /* the consumer reads them */
        } else if (rd->plan && room >= rd->plan->n) {
            pre_ok = pre_counts(rd->plan, b->fields + b->nfields, nf, rd->now_mi, b->pre + b->npre,
                                &npre);
        } else if (rd->plan) {
            uint64_t tmp[BL_CTR_MAX_MONTHS]; /* fits if the positive counts do */
            pre_ok = pre_counts(rd->plan, b->fields + b->nfields, nf, rd->now_mi, tmp, &npre) &&
                     npre <= room;
            if (pre_ok)
                memcpy(b->pre + b->npre, tmp, npre * sizeof *tmp);
        }
    } else if (cells) {
        b->nbytes += need; /* the consumer splits it there */
    }
    b->recs[b->nrecs++] = (batch_rec){
        rd->line,         rd->next_line,   b->nfields,        nf,           (size_t)(t - b->bytes),
        cells ? need : 0, b->npre,         pre_ok ? npre : 0, rd->too_long, rd->bad_quote,
        pre_ok,           split || !cells, rd->delim};
    b->nfields += nf;
    if (pre_ok)
        b->npre += npre;
    return true;
}

static void *produce(void *p)
{
    rows_pipe *q = p;
    batch *b = pipe_acquire(q);
    while (b) {
        bool eof = false, nomem = false;
        bl_status st = next_text(&q->rd, &eof);
        if (st == BL_OK && !eof && !batch_add(b, &q->rd, &nomem) && !nomem) {
            pipe_publish(q);
            if ((b = pipe_acquire(q)) == NULL)
                return NULL;
            batch_add(b, &q->rd, &nomem); /* an empty batch takes any record */
        }
        if (nomem)
            st = BL_NOMEM;
        if (st != BL_OK || eof) {
            b->st = st, b->end = true;
            pipe_publish(q);
            return NULL;
        }
    }
    return NULL;
}

static void pipe_free(rows_pipe *q)
{
    for (size_t i = 0; i < BATCHES; i++) {
        free(q->b[i].bytes);
        free(q->b[i].fields);
        free(q->b[i].pre);
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
}

static bl_status each_row_threaded(bl__ctr_reader *r, bl_status (*row)(void *ctx), void *ctx,
                                   bool *started)
{
    *started = false;
    rows_pipe *q = calloc(1, sizeof *q);
    if (!q)
        return BL_OK;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    for (size_t i = 0; i < BATCHES; i++) {
        batch *b = &q->b[i];
        if (!(b->bytes = malloc(BATCH_BYTES + BATCH_SLACK)) ||
            !(b->fields = malloc(BATCH_FIELDS * sizeof *b->fields)) ||
            !(b->pre = malloc(BATCH_PRE * sizeof *b->pre))) {
            pipe_free(q);
            return BL_OK;
        }
        b->bytes_cap = BATCH_BYTES, b->fields_cap = BATCH_FIELDS, b->pre_cap = BATCH_PRE;
    }
    q->rd = *r; /* the reading state moves to the thread, and back at the end */
    pthread_t th;
    if (pthread_create(&th, NULL, produce, q) != 0) {
        pipe_free(q);
        return BL_OK;
    }
    *started = true;
    bl_status st = BL_OK, read_st = BL_OK;
    bool end = false;
    /* The cells of records left to this thread to split (the reading thread
     * does not use its reader's cells). */
    bl_sv *own = r->fields;
    while (!end && st == BL_OK) {
        pthread_mutex_lock(&q->mu);
        while (q->ready == 0)
            pthread_cond_wait(&q->cv, &q->mu);
        batch *b = &q->b[q->head];
        pthread_mutex_unlock(&q->mu);
        for (size_t k = 0; k < b->nrecs && st == BL_OK; k++) {
            const batch_rec *m = &b->recs[k];
            if (k + 16 < b->nrecs) {
                const char *a = (const char *)&b->recs[k + 16];
                __builtin_prefetch(a);
                __builtin_prefetch(a + sizeof *m - 1);
            }
            if (k + 4 < b->nrecs) {
                /* The lines the other thread wrote, asked for ahead: a record
                 * four on is read soon. */
                const batch_rec *a = &b->recs[k + 4];
                const char *f = (const char *)(b->fields + a->field0), *t = b->bytes + a->text0;
                for (size_t o = 0; o < a->nfields * sizeof *b->fields; o += 64)
                    __builtin_prefetch(f + o);
                for (size_t o = 0; o < a->text_len; o += 64)
                    __builtin_prefetch(t + o);
                if (a->pre_ok)
                    __builtin_prefetch(b->pre + a->pre0);
            }
            r->line = m->line, r->next_line = m->next_line;
            r->too_long = m->too_long, r->bad_quote = m->bad_quote;
            if (m->split) {
                r->fields = b->fields + m->field0, r->nfields = m->nfields;
            } else {
                /* split here, as the reading thread would have (the batch's
                 * bytes after the text are this record's quoted cells, and
                 * SPLIT_SLACK bytes follow the batch) */
                char *t = b->bytes + m->text0;
                size_t n = (m->text_len - 1) / 2;
                r->fields = own;
                r->nfields =
                    m->delim ? split_cells_padded(t, n, m->delim, t + n, own, BL_CTR_MAX_FIELDS, t)
                             : split_cells(t, n, m->delim, t + n, own, BL_CTR_MAX_FIELDS);
            }
            r->pre = m->pre_ok ? b->pre + m->pre0 : NULL, r->npre = m->npre;
            r->padded = !m->too_long && !m->bad_quote;
            st = one_record(r, row, ctx);
        }
        end = b->end, read_st = b->st;
        pthread_mutex_lock(&q->mu);
        q->head = (q->head + 1) % BATCHES;
        q->ready--;
        if (st != BL_OK)
            q->stop = true;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
    }
    pthread_join(th, NULL);
    /* The reading state back; what this thread changed kept. */
    unsigned long rejected = r->rows_rejected;
    char *errmsg = r->errmsg;
    *r = q->rd;
    r->rows_rejected = rejected, r->errmsg = errmsg, r->row = NULL, r->nfields = 0;
    r->pre = NULL, r->padded = false;
    pipe_free(q);
    if (st == BL_OK && read_st != BL_OK)
        st = bl__ctr_source_failed(r, read_st);
    return st;
}

bl_status bl__ctr_each_row(bl__ctr_reader *r, bl_status (*row)(void *ctx), void *ctx)
{
    bl_status st = BL_OK;
    bool threaded = false;
    if (!r->sheet)
        st = each_row_threaded(r, row, ctx, &threaded);
    if (!threaded)
        st = each_row_serial(r, row, ctx);
    if (st != BL_OK)
        return st;
    if (r->any_cp1252)
        bl__ctr_note(r, 0, "text read as Windows-1252 (not valid UTF-8)");
    return BL_OK;
}

bool bl__ctr_blank(const bl__ctr_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].len)
            return false;
    return true;
}

bl_sv bl__ctr_cell(const bl__ctr_reader *r, size_t i)
{
    return i < r->nfields ? r->fields[i] : (bl_sv){"", 0};
}

/* ---- diagnostics ------------------------------------------------------- */

static void diag(bl__ctr_reader *r, bl_diag_level lvl, unsigned long line, const char *field,
                 const char *reason)
{
    if (!r->sink->diag)
        return;
    bl_diag d = {lvl, r->path, line, field, reason, lvl == BL_DIAG_ROW ? r->row : NULL};
    r->sink->diag(r->sink->ctx, &d);
}

bl_status bl__ctr_refuse(bl__ctr_reader *r, unsigned long line, const char *field, const char *fmt,
                         ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    diag(r, BL_DIAG_FILE, line, field, reason);
    free(r->errmsg);
    if (line && field)
        r->errmsg = bl_strdup_printf(_("%s: line %lu: %s: %s"), r->path, line, field, reason);
    else if (line)
        r->errmsg = bl_strdup_printf(_("%s: line %lu: %s"), r->path, line, reason);
    else if (field)
        r->errmsg = bl_strdup_printf(_("%s: %s: %s"), r->path, field, reason);
    else
        r->errmsg = bl_strdup_printf(_("%s: %s"), r->path, reason);
    return BL_DATA;
}

bl_status bl__ctr_reject(bl__ctr_reader *r, const char *field, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    diag(r, BL_DIAG_ROW, r->line, field, reason);
    r->rows_rejected++;
    if (r->strict)
        return bl__ctr_refuse(r, r->line, field, "%s (strict mode refuses a file with a bad row)",
                              reason);
    return BL_OK;
}

void bl__ctr_note(bl__ctr_reader *r, unsigned long line, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    diag(r, BL_DIAG_NOTE, line, NULL, reason);
}

void bl__ctr_take_errmsg(bl__ctr_reader *r, char **errmsg)
{
    if (errmsg) {
        *errmsg = r->errmsg;
        r->errmsg = NULL;
    }
}

/* ---- text helpers ------------------------------------------------------ */

void bl__ctr_norm(bl_sv s, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < s.len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= 'A' && c <= 'Z')
            out[o++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
    }
    if (n)
        out[o] = '\0';
}

bool bl__ctr_norm_eq(bl_sv s, const char *normalised)
{
    char buf[64];
    if (s.len > 200)
        return false;
    bl__ctr_norm(s, buf, sizeof buf);
    return strcmp(buf, normalised) == 0;
}

void bl__ctr_copy(bl_sv s, char *out, size_t n)
{
    size_t k = s.len < n - 1 ? s.len : n - 1;
    /* Do not cut a UTF-8 sequence in half. */
    while (k > 0 && k < s.len && ((unsigned char)s.ptr[k] & 0xC0) == 0x80)
        k--;
    memcpy(out, s.ptr, k);
    out[k] = '\0';
}

void bl__ctr_quote(bl_sv s, char out[64])
{
    if (s.len > 40) {
        bl__ctr_copy(s, out, 41);
        strcat(out, "...");
    } else {
        bl__ctr_copy(s, out, 64);
    }
}

/* ---- month headings ---------------------------------------------------- */

/* Month names in the languages vendors write them in: English, French,
 * German, Spanish, Italian and Dutch, full and abbreviated, compared after
 * folding case and accents ("Mär", "déc", "AOÛT") with any dot dropped by
 * the tokenizer. No name means two months: "mar" is March in English,
 * French, Spanish and Italian; "mai" (French, German) and "mei" (Dutch) are
 * May; "set" is September (Italian, Spanish). */
static const char *const month_names[12][12] = {
    {"jan", "january", "janv", "janvier", "januar", "janner", "ene", "enero", "gen", "gennaio",
     "januari", NULL},
    {"feb", "february", "fev", "fevr", "fevrier", "februar", "febr", "febrero", "febbraio",
     "februari", NULL},
    {"mar", "march", "mars", "marz", "mrz", "marzo", "maart", "mrt", NULL},
    {"apr", "april", "avr", "avril", "abr", "abril", "aprile", NULL},
    {"may", "mai", "mayo", "mag", "maggio", "mei", NULL},
    {"jun", "june", "juin", "juni", "junio", "giu", "giugno", NULL},
    {"jul", "july", "juil", "juillet", "juli", "julio", "lug", "luglio", NULL},
    {"aug", "august", "aou", "aout", "ago", "agosto", "augustus", NULL},
    {"sep", "sept", "september", "septembre", "septiembre", "setiembre", "set", "sett", "settembre",
     NULL},
    {"oct", "october", "octobre", "okt", "oktober", "octubre", "ott", "ottobre", NULL},
    {"nov", "november", "novembre", "noviembre", NULL},
    {"dec", "december", "decembre", "dez", "dezember", "dic", "diciembre", "dicembre", NULL},
};

/* Lower-cases p[0..n) and folds accented Latin letters to their base letter
 * (bl_fold_letter) into out; false when it holds anything but letters of
 * ASCII or U+00C0..U+00FF folding to one letter, or does not fit. */
static bool fold_name(const char *p, size_t n, char *out, size_t outn)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char f[2];
        size_t fn = 0, k = bl_fold_letter(p + i, n - i, f, &fn);
        if (!k || fn != 1 || (k == 2 && (unsigned char)p[i] != 0xC3))
            return false; /* no month name holds Æ, Œ or Ÿ */
        if (o + 1 >= outn)
            return false;
        out[o++] = f[0];
        i += k;
    }
    out[o] = '\0';
    return o > 0;
}

void bl__ctr_fold_norm(bl_sv s, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < s.len && o + 2 < n;) {
        unsigned char c = (unsigned char)s.ptr[i];
        char f[2];
        size_t fn = 0, k = bl_fold_letter(s.ptr + i, s.len - i, f, &fn);
        /* Ÿ (U+0178) has always been dropped from headers, as other
         * non-alphanumerics: kept so, not to change what profiles match. */
        if (k == 2 && c == 0xC5 && (unsigned char)s.ptr[i + 1] == 0xB8)
            k = 0;
        if (k) {
            memcpy(out + o, f, fn);
            o += fn;
            i += k;
            continue;
        }
        if (c >= '0' && c <= '9')
            out[o++] = (char)c;
        i++;
    }
    if (n)
        out[o] = '\0';
}

static int month_from_name(const char *p, size_t n)
{
    char low[16];
    if (n == 0 || n >= 2 * sizeof low || !fold_name(p, n, low, sizeof low))
        return 0;
    for (int m = 0; m < 12; m++)
        for (int k = 0; k < 12 && month_names[m][k]; k++)
            if (strcmp(low, month_names[m][k]) == 0)
                return m + 1;
    return 0;
}

typedef struct tok {
    bool digits;
    const char *p;
    size_t n;
} tok;

static bool is_sep(char c)
{
    return c == '-' || c == '/' || c == ' ' || c == '.' || c == '_' || c == '\'';
}

static int tok_num(const tok *t)
{
    int v = 0;
    for (size_t i = 0; i < t->n; i++)
        v = v * 10 + (t->p[i] - '0');
    return v;
}

static int year_of(const tok *t)
{
    /* Only 2- or 4-digit years exist; a longer run would overflow tok_num. */
    if (!t->digits || (t->n != 2 && t->n != 4))
        return -1;
    int v = tok_num(t);
    if (t->n == 2)
        return 2000 + v;
    if (t->n == 4 && v >= 1990 && v <= 2100)
        return v;
    return -1;
}

/* A month heading (any_day false: a month dated the first, either order)
 * or a date of any day (any_day true: French order d/m/y). */
static bool month_parse(bl_sv s, bool any_day, int *mi);

bool bl__ctr_month(bl_sv s, int *mi)
{
    return month_parse(s, false, mi);
}

bool bl__ctr_date_month(bl_sv s, int *mi)
{
    s = bl_sv_trim(s);
    /* A time after the date ("2026-10-15 08:00", "15/10/2026 08:00:00",
     * "2026-10-15T08:00:00Z") says nothing of the month. */
    for (size_t i = 8; i < s.len; i++)
        if (s.ptr[i] == ' ' || s.ptr[i] == 'T') {
            s.len = i;
            break;
        }
    return month_parse(s, true, mi);
}

static bool month_parse(bl_sv s, bool any_day, int *mi)
{
    s = bl_sv_trim(s);
    if (s.len == 0 || s.len > 32)
        return false;
    tok t[4];
    int nt = 0;
    size_t i = 0;
    while (i < s.len) {
        if (is_sep(s.ptr[i])) {
            i++;
            continue;
        }
        if (nt == 4)
            return false;
        bool d = s.ptr[i] >= '0' && s.ptr[i] <= '9';
        size_t j = i;
        while (j < s.len && !is_sep(s.ptr[j]) && ((s.ptr[j] >= '0' && s.ptr[j] <= '9') == d))
            j++;
        t[nt++] = (tok){d, s.ptr + i, j - i};
        i = j;
    }
    int y = -1, m = 0, day = -1; /* day: a date's day (-1: none), checked against its month */
    if (nt == 2 && !t[0].digits && t[1].digits) { /* Jan-2022, Jan-22 */
        m = month_from_name(t[0].p, t[0].n);
        y = year_of(&t[1]);
    } else if (nt == 2 && t[0].digits && !t[1].digits) { /* 22-Jan (Excel's yy-mmm) */
        m = month_from_name(t[1].p, t[1].n);
        y = year_of(&t[0]);
    } else if (nt == 3 && t[0].digits && !t[1].digits && t[2].digits && t[0].n <= 2) {
        m = month_from_name(t[1].p, t[1].n); /* 1-Jan-22 */
        y = year_of(&t[2]);
    } else if (nt >= 2 && nt <= 3 && t[0].digits && t[1].digits && t[0].n == 4 && t[1].n <= 2 &&
               (nt == 2 || (t[2].digits && t[2].n <= 2))) { /* 2022-01, 2022-01-01 */
        y = year_of(&t[0]);
        m = tok_num(&t[1]);
        day = nt == 3 ? tok_num(&t[2]) : -1;
    } else if (nt == 2 && t[0].digits && t[1].digits && t[0].n <= 2 && t[1].n == 4) {
        m = tok_num(&t[0]); /* 01/2022 */
        y = year_of(&t[1]);
    } else if (nt == 3 && t[0].digits && t[1].digits && t[2].digits && t[0].n <= 2 && t[1].n <= 2 &&
               t[2].n == 4) {
        /* 1/1/2022 or 01/03/2022: a month column is dated the first, so
         * whichever of day/month is 1 tells the order (d/m or m/d). */
        int a = tok_num(&t[0]), b = tok_num(&t[1]);
        y = year_of(&t[2]);
        if (any_day)
            m = b, day = a; /* a date: 15/10/2026 */
        else if (a == 1)
            m = b;
        else if (b == 1)
            m = a;
    }
    if (y < 0 || m < 1 || m > 12)
        return false;
    /* 31/04/2026 is no day (read as April until 3 December 2026). */
    if (any_day && day >= 0 && (day < 1 || day > bl_days_in_month(y, m)))
        return false;
    *mi = bl_month_index(y, m);
    return true;
}

int bl__ctr_dates(bl_sv s, int *mi1, int *mi2)
{
    int found = 0;
    size_t i = 0;
    while (i + 7 <= s.len && found < 2) {
        const char *p = s.ptr + i;
        bool ok = true;
        for (int k = 0; k < 4; k++)
            ok = ok && p[k] >= '0' && p[k] <= '9';
        ok = ok && (p[4] == '-' || p[4] == '/') && p[5] >= '0' && p[5] <= '9' && p[6] >= '0' &&
             p[6] <= '9' && (i == 0 || !(p[-1] >= '0' && p[-1] <= '9'));
        if (ok) {
            int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
            int m = (p[5] - '0') * 10 + (p[6] - '0');
            if (m >= 1 && m <= 12) {
                int mi = bl_month_index(y, m);
                if (found == 0)
                    *mi1 = mi;
                else
                    *mi2 = mi;
                found++;
                i += 7;
                /* skip the day */
                while (i < s.len &&
                       (s.ptr[i] == '-' || s.ptr[i] == '/' || (s.ptr[i] >= '0' && s.ptr[i] <= '9')))
                    i++;
                continue;
            }
        }
        i++;
    }
    return found;
}

/* ---- report ids and releases -------------------------------------------- */

bool bl__ctr_family(const char *id, bl_report_family *fam)
{
    static const struct {
        const char *prefix;
        bl_report_family fam;
    } fams[] = {{"PR", BL_FAM_PR}, {"DR", BL_FAM_DR}, {"TR", BL_FAM_TR}, {"IR", BL_FAM_IR}};
    for (size_t i = 0; i < 4; i++) {
        if (strncmp(id, fams[i].prefix, 2) == 0 && (id[2] == '\0' || id[2] == '_')) {
            *fam = fams[i].fam;
            return true;
        }
    }
    return false;
}

/* "5", "5.0", "5.0.2", "R5" -> 5; "5.1", "5.1.0" -> 51; else 0. */
int bl__ctr_release(const char *s)
{
    while (*s == 'R' || *s == 'r' || *s == ' ')
        s++;
    if (s[0] != '5')
        return 0;
    if (s[1] == '\0')
        return 5;
    if (s[1] != '.')
        return 0;
    if (s[2] == '0' && (s[3] == '\0' || s[3] == '.'))
        return 5;
    if (s[2] == '1' && (s[3] == '\0' || s[3] == '.'))
        return 51;
    return 0;
}

/* ---- metrics and trailers ---------------------------------------------- */

static const char *const r5_metrics[] = {
    "Total_Item_Investigations",
    "Unique_Item_Investigations",
    "Unique_Title_Investigations",
    "Total_Item_Requests",
    "Unique_Item_Requests",
    "Unique_Title_Requests",
    "No_License",
    "Limit_Exceeded",
    "Searches_Regular",
    "Searches_Automated",
    "Searches_Federated",
    "Searches_Platform",
};

const char *bl__ctr_metric(bl_sv s)
{
    char a[64], b[64];
    if (s.len > 60)
        return NULL;
    for (size_t i = 0; i < sizeof r5_metrics / sizeof r5_metrics[0]; i++)
        if (bl_sv_eq_cstr(s, r5_metrics[i]))
            return r5_metrics[i]; /* spelt right: the usual case */
    bl__ctr_norm(s, a, sizeof a);
    for (size_t i = 0; i < sizeof r5_metrics / sizeof r5_metrics[0]; i++) {
        bl__ctr_norm(bl_sv_from(r5_metrics[i]), b, sizeof b);
        if (strcmp(a, b) == 0)
            return r5_metrics[i];
    }
    return NULL;
}

const char *bl__ctr_usage_metric(bl_sv s)
{
    const char *m = bl__ctr_metric(s);
    if (m || s.len > 60)
        return m;
    char a[64], b[64];
    bl__ctr_norm(s, a, sizeof a);
    for (size_t i = 0; bl_extra_metrics[i]; i++) {
        bl__ctr_norm(bl_sv_from(bl_extra_metrics[i]), b, sizeof b);
        if (strcmp(a, b) == 0)
            return bl_extra_metrics[i];
    }
    return NULL;
}

bool bl__ctr_is_trailer(bl_sv s)
{
    static const char *const exact[] = {
        "total",          "totals",        "grandtotal",    "sum",        "allplatforms",
        "alldatabases",   "alltitles",     "alljournals",   "allbooks",   "allitems",
        "allcollections", "totalsearches", "totalrequests", "totalusage", "totalgeneral",
        "totaux",         "soustotal",     "soustotaux",
    };
    char n[64];
    if (s.len == 0 || s.len > 120)
        return false;
    /* Every trailer label's first letter or digit (what bl__ctr_norm keeps)
     * is t, s, g or a. */
    size_t k = 0;
    while (k < s.len &&
           !((s.ptr[k] >= 'a' && s.ptr[k] <= 'z') || (s.ptr[k] >= 'A' && s.ptr[k] <= 'Z') ||
             (s.ptr[k] >= '0' && s.ptr[k] <= '9')))
        k++;
    char c0 = k < s.len ? (char)(s.ptr[k] | 0x20) : 0;
    if (c0 != 't' && c0 != 's' && c0 != 'g' && c0 != 'a')
        return false;
    /* Accents folded: « Total général » is "totalgeneral" (dropping the
     * é's, as bl__ctr_norm does, made it "totalgnral": a row rejected for
     * its empty month until 3 December 2026); « Sous-total » is one too. */
    bl__ctr_fold_norm(s, n, sizeof n);
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(n, exact[i]) == 0)
            return true;
    return strncmp(n, "totalforall", 11) == 0;
}

/* ---- sniffing ---------------------------------------------------------- */

size_t bl__ctr_split_line(const char *head, size_t n, char *buf, size_t bufn, bl_sv *cells,
                          size_t max, size_t *consumed)
{
    size_t len = 0;
    while (len < n && head[len] != '\n' && head[len] != '\r')
        len++;
    size_t end = len;
    if (end < n && head[end] == '\r')
        end++;
    if (end < n && head[end] == '\n')
        end++;
    *consumed = end;
    if (len > bufn)
        len = bufn;
    return split_cells(head, len, find_delim(head, len), buf, cells, max);
}

bool bl__ctr_r4_report_id(bl_sv a1, char id[16])
{
    static const struct {
        const char *prefix, *code;
    } kinds[] = {{"journalreport", "JR"},  {"bookreport", "BR"},       {"databasereport", "DB"},
                 {"platformreport", "PR"}, {"multimediareport", "MR"}, {"titlereport", "TR"}};
    char n[96];
    if (a1.len == 0 || a1.len > 90)
        return false;
    bl__ctr_norm(a1, n, sizeof n);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t pl = strlen(kinds[k].prefix);
        if (strncmp(n, kinds[k].prefix, pl) != 0)
            continue;
        const char *p = n + pl;
        if (!(*p >= '1' && *p <= '9'))
            return false;
        char num = *p++;
        const char *suffix = "";
        if (strncmp(p, "goa", 3) == 0) {
            suffix = "_GOA";
            p += 3;
        } else if (*p == 'a' && (p[1] == '\0' || p[1] == 'r')) {
            suffix = "a";
            p += 1;
        }
        /* What may follow: nothing or the release "(R4)"; another release
         * (R3) is a different layout. */
        if (*p != '\0' && strcmp(p, "r4") != 0)
            return false;
        snprintf(id, 16, "%s%c%s", kinds[k].code, num, suffix);
        return true;
    }
    return false;
}

bl_format bl__counter_sniff(const char *head, size_t n)
{
    char buf[1024];
    bl_sv cells[4];
    size_t used = 0;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        head += 3, n -= 3;
    size_t nc = bl__ctr_split_line(head, n, buf, sizeof buf, cells, 4, &used);
    if (nc == 0)
        return BL_FMT_AUTO;
    char id[16];
    if (bl__ctr_r4_report_id(cells[0], id))
        return BL_FMT_COUNTER4;
    if (!bl__ctr_norm_eq(cells[0], "reportname")) {
        /* A table without its header block: its column row. */
        bl_sv all[64];
        size_t na = bl__ctr_split_line(head, n, buf, sizeof buf, all, 64, &used);
        if (bl__ctr_headerless_r5(all, na))
            return BL_FMT_COUNTER5;
        return bl__ctr_headerless_r4(all, na, id) ? BL_FMT_COUNTER4 : BL_FMT_AUTO;
    }
    /* An R5 header: a Release (or Report_ID) row among the next lines. */
    for (int line = 0; line < 20 && used < n; line++) {
        head += used;
        n -= used;
        nc = bl__ctr_split_line(head, n, buf, sizeof buf, cells, 4, &used);
        if (nc && (bl__ctr_norm_eq(cells[0], "release") || bl__ctr_norm_eq(cells[0], "reportid")))
            return BL_FMT_COUNTER5;
        if (used == 0)
            break;
    }
    return BL_FMT_AUTO;
}

int bl__ctr_current_month(void)
{
    int y, m, d;
    bl_civil_from_days((int64_t)(time(NULL) / 86400), &y, &m, &d);
    return bl_month_index(y, m);
}

/* ---- Created, column names, the month area, Reporting_Period ------------ */

/* Reads n digits at p[*i] into *v. */
static bool digits(bl_sv s, size_t *i, int n, int *v)
{
    *v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= s.len || s.ptr[*i] < '0' || s.ptr[*i] > '9')
            return false;
        *v = *v * 10 + (s.ptr[*i] - '0');
    }
    return true;
}

bool bl__ctr_created(bl_sv s, char out[BL_CTR_CREATED_SIZE])
{
    s = bl_sv_trim(s);
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    if (!digits(s, &i, 4, &y) || i >= s.len || (s.ptr[i] != '-' && s.ptr[i] != '/'))
        return false;
    char dsep = s.ptr[i++];
    if (!digits(s, &i, 2, &mo) || i >= s.len || s.ptr[i++] != dsep || !digits(s, &i, 2, &d))
        return false;
    char ymd[11];
    snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", y, mo, d);
    if (!bl_date_parse(ymd, &y, &mo, &d))
        return false;
    if (i < s.len && (s.ptr[i] == 'T' || s.ptr[i] == ' ')) {
        i++;
        if (!digits(s, &i, 2, &h) || i >= s.len || s.ptr[i++] != ':' || !digits(s, &i, 2, &mi))
            return false;
        if (i < s.len && s.ptr[i] == ':') {
            i++;
            if (!digits(s, &i, 2, &sec))
                return false;
            if (i < s.len && (s.ptr[i] == '.' || s.ptr[i] == ','))
                for (i++; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++)
                    ; /* fractions of a second: dropped */
        }
        if (h > 23 || mi > 59 || sec > 60)
            return false;
        if (sec == 60)
            sec = 59; /* a leap second: keep it in its minute */
        if (i < s.len && s.ptr[i] == ' ')
            i++;
        if (i < s.len && (s.ptr[i] == 'Z' || s.ptr[i] == 'z')) {
            i++;
        } else if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-')) {
            int sign = s.ptr[i++] == '-' ? -1 : 1, oh, om;
            if (!digits(s, &i, 2, &oh))
                return false;
            if (i < s.len && s.ptr[i] == ':')
                i++;
            if (!digits(s, &i, 2, &om) || oh > 14 || om > 59)
                return false;
            off = sign * (oh * 60 + om);
        }
    }
    if (i != s.len)
        return false;
    /* To UTC: local time minus its offset. */
    int64_t t = (bl_days_from_civil(y, mo, d) * 24 + h) * 60 + mi - off;
    int64_t days = t >= 0 ? t / 1440 : -((-t + 1439) / 1440);
    int64_t rest = t - days * 1440;
    bl_civil_from_days(days, &y, &mo, &d);
    if (y < 1000 || y > 9999)
        return false;
    snprintf(out, BL_CTR_CREATED_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(rest / 60),
             (int)(rest % 60), sec);
    return true;
}

void bl__ctr_col_name(size_t i, char out[16])
{
    char letters[8];
    size_t n = 0, v = i + 1;
    while (v > 0 && n < sizeof letters) {
        letters[n++] = (char)('A' + (v - 1) % 26);
        v = (v - 1) / 26;
    }
    size_t o = 0;
    while (n > 0)
        out[o++] = letters[--n];
    out[o] = '\0';
}

bl_status bl__ctr_refuse_heading(bl__ctr_reader *r, size_t i)
{
    char q[64], letter[16];
    bl__ctr_quote(bl__ctr_cell(r, i), q);
    bl__ctr_col_name(i, letter);
    return bl__ctr_refuse(r, r->line, q,
                          "heading of column %s (number %zu), among the month columns, cannot be "
                          "read as a month (expected e.g. Jan-2025; month names are read in "
                          "English, French, German, Spanish, Italian and Dutch)",
                          letter, i + 1);
}

bl_status bl__ctr_check_month_area(bl__ctr_reader *r, size_t first_month, size_t anchor,
                                   bool (*is_fixed)(const char *k), size_t fixed_max)
{
    size_t start = first_month;
    if (anchor != BL__CTR_NO_COL && (start == BL__CTR_NO_COL || anchor + 1 < start))
        start = anchor + 1;
    for (size_t i = start; start != BL__CTR_NO_COL && i < r->nfields; i++) {
        char k[64];
        int mi;
        if (r->fields[i].len == 0 || bl__ctr_month(r->fields[i], &mi))
            continue;
        bl__ctr_norm(r->fields[i], k, sizeof k);
        if (r->fields[i].len <= fixed_max && is_fixed(k))
            continue;
        return bl__ctr_refuse_heading(r, i);
    }
    return BL_OK;
}

void bl__ctr_period_note(bl__ctr_reader *r, const char *what, int hb, int he, int cb, int ce)
{
    if (hb < 0 || he < 0 || (hb == cb && he == ce))
        return;
    char b1[8], e1[8], b2[8], e2[8];
    bl_month_format(hb, b1);
    bl_month_format(he, e1);
    bl_month_format(cb, b2);
    bl_month_format(ce, e2);
    bl__ctr_note(r, 0,
                 "%s says %s to %s but the month columns run from %s to %s: the month columns "
                 "are read",
                 what, b1, e1, b2, e2);
}
