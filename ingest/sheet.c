/* Spreadsheets read row by row: xlsx and ods through libzip and expat
 * (docs/spreadsheets.md says why these two libraries).
 *
 * The pull interface (bl_sheet_next) over expat's push parser: the parser
 * is suspended (XML_StopParser, resumable) at the end of every row that has
 * a cell, and resumed on the next call, so a row is handed out while the
 * rest of the chunk waits in the parser. Memory: one 64 KiB chunk, the
 * current row (at most BL_SHEET_ROW_MAX bytes of text) and, for xlsx, the
 * shared strings (at most BL_SHEET_SST_MAX bytes) and the styles' date
 * flags.
 */
#include "sheet.h"

#include "bilan/i18n.h"

#include <errno.h>
#include <math.h> /* isfinite only: no libm */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#define CHUNK (64u * 1024u)
/* Shared strings: at most this many entries. */
#define SST_COUNT_MAX (8u * 1024u * 1024u)
/* Small members are never bombs: the ratio is checked above this size. */
#define RATIO_FLOOR (1u << 20)

typedef struct cell {
    size_t off, len;
    bl_cell_kind kind;
} cell;

struct bl_sheet {
    bl_sheet_type type;
    const char *path;
    zip_t *zip;
    char msg[512];
    bool failed;

    /* the streamed sheet */
    zip_file_t *zf;
    zip_uint64_t zf_size, zf_read;
    char zf_name[256];
    XML_Parser xp;
    char *chunk;
    bool zip_eof, done;

    /* xlsx: workbook, shared strings, styles */
    bool date1904;
    char *sst; /* the strings one after the other */
    size_t sst_len, sst_cap;
    size_t *sst_off; /* sst_n + 1 offsets */
    size_t sst_n, sst_alloc;
    unsigned char *xf_date; /* per cellXfs index: a date format */
    size_t nxf, xf_alloc;
    int *date_fmts; /* custom numFmtIds whose code is a date */
    size_t ndate_fmts, date_fmts_alloc;

    /* the row being built and the row handed out */
    bl_buf text;
    cell *cells;
    size_t ncells;
    unsigned long row, last_row;
    bool too_long;
    bool row_ready;
    unsigned long repeats; /* ods: more copies of the current row to hand out */
    bool again;            /* bl_sheet_unread: hand the current row out again */

    /* the cell being read */
    bool in_sheetdata, in_row, in_cell, in_value, in_rph;
    int depth_is;
    size_t col;
    char ctype[16];
    long style;
    bl_buf val;
    bool val_seen;

    /* ods */
    int table_depth;
    bool table_selected, table_done;
    const char *want_name;
    int annot_depth;
    int p_count;
    unsigned long rows_rep, cols_rep;
    char ods_type[16];
    bool ods_error;
    bl_buf ods_attr; /* office:value / date-value / boolean-value */

    /* the workbook's parse (xlsx open) */
    char *want_rid, *sheet_target, *sst_target, *styles_target;
    bool sheet_found;
    /* xlsx: the names of the sheets not selected, "'A', 'B'" (a few
     * hundred bytes at most), for the messages of a file refused. */
    char others[320];
    bool in_numfmts, in_cellxfs;
};

/* ---- messages ------------------------------------------------------------- */

/* The sheet's error (the first one); fmt is translated here. */
static bl_status failf(bl_sheet *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bl_status failf(bl_sheet *s, const char *fmt, ...)
{
    if (s->failed)
        return BL_DATA;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, _(fmt), ap);
    va_end(ap);
    s->failed = true;
    return BL_DATA;
}

/* Stops a parser from inside a handler after an error. */
static void abort_parse(bl_sheet *s, XML_Parser p)
{
    (void)s;
    XML_StopParser(p, XML_FALSE);
}

/* ---- numbers and dates ---------------------------------------------------- */

bool bl__sheet_number_text(const char *v, char *out, size_t n)
{
    /* Counts are whole numbers written as such: copied as they are. */
    size_t d = 0;
    while (v[d] >= '0' && v[d] <= '9')
        d++;
    if (d && !v[d] && d < 16 && d < n && (v[0] != '0' || d == 1)) {
        memcpy(out, v, d + 1);
        return true;
    }
    while (*v == ' ')
        v++;
    if (!*v || n < 32)
        return false;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    while (*end == ' ')
        end++;
    if (*end || end == v || !isfinite(x))
        return false;
    if (x == 0) {
        snprintf(out, n, "0");
        return true;
    }
    if (x > -1e15 && x < 1e15 && x == (double)(long long)x) {
        snprintf(out, n, "%.0f", x);
        return true;
    }
    char g[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(g, sizeof g, "%.*e", p - 1, x);
        if (strtod(g, NULL) == x)
            break;
    }
    /* g is "-d.ddde+XX": write it without the exponent when it is small. */
    const char *q = g;
    bool neg = *q == '-';
    if (neg)
        q++;
    char digits[24];
    size_t nd = 0;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9' && nd < sizeof digits - 1)
            digits[nd++] = *q;
    int exp = *q == 'e' ? atoi(q + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (exp < -30 || exp > 30) {
        snprintf(out, n, "%s", g);
        return true;
    }
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    int point = exp + 1; /* digits before the decimal point */
    if (point <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int k = 0; k < -point; k++)
            out[o++] = '0';
        for (size_t k = 0; k < nd; k++)
            out[o++] = digits[k];
    } else {
        for (int k = 0; k < point; k++)
            out[o++] = (size_t)k < nd ? digits[k] : '0';
        if ((size_t)point < nd) {
            out[o++] = '.';
            for (size_t k = (size_t)point; k < nd; k++)
                out[o++] = digits[k];
        }
    }
    out[o] = '\0';
    return true;
}

bool bl__sheet_serial_date(double serial, bool date1904, char out[11])
{
    if (!isfinite(serial) || serial < 0 || serial > 2958466)
        return false;
    int64_t d = (int64_t)serial; /* serial >= 0: truncation is floor */
    int64_t z;
    if (date1904) {
        z = bl_days_from_civil(1904, 1, 1) + d;
    } else {
        /* Excel's 1900 system counts a 29 February 1900 that never was
         * (serial 60): serials after it are one day ahead. */
        if (d < 1 || d == 60)
            return false;
        z = d < 60 ? bl_days_from_civil(1899, 12, 31) + d : bl_days_from_civil(1899, 12, 30) + d;
    }
    int y, m, dd;
    bl_civil_from_days(z, &y, &m, &dd);
    if (y < 1900 || y > 9999)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
    return true;
}

/* Is an xlsx number format code a date? Day, month or year tokens outside
 * quoted text, escapes and [..] sections ([Red], [$-40C], [h]); an 'm'
 * with hours or seconds and no day or year is minutes (a time). */
static bool format_is_date(const char *code)
{
    bool d = false, y = false, m = false, hs = false;
    for (const char *p = code; *p; p++) {
        char c = *p;
        if (c == '"') {
            const char *e = strchr(p + 1, '"');
            if (!e)
                break;
            p = e;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (!p[1])
                break;
            p++;
        } else if (c == '[') {
            const char *e = strchr(p + 1, ']');
            if (!e)
                break;
            p = e;
        } else if (c == ';') {
            break; /* the first section decides */
        } else {
            c = (char)(c | 0x20);
            d |= c == 'd';
            y |= c == 'y';
            m |= c == 'm';
            hs |= c == 'h' || c == 's';
        }
    }
    return d || y || (m && !hs);
}

static bool builtin_is_date(long id)
{
    return (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
}

/* ---- zip members ---------------------------------------------------------- */

/* Checks every member against the caps before anything is inflated. */
static bl_status check_members(bl_sheet *s)
{
    zip_int64_t n = zip_get_num_entries(s->zip, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(s->zip, (zip_uint64_t)i, 0, &st) != 0)
            return failf(s, "damaged zip archive: %s", zip_strerror(s->zip));
        if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
            continue;
        const char *name = (st.valid & ZIP_STAT_NAME) ? st.name : "?";
        if (st.size > BL_SHEET_MEMBER_MAX)
            return failf(s,
                         "zip member '%.100s' would be %llu bytes uncompressed, over the %llu "
                         "bytes accepted (a zip bomb?)",
                         name, (unsigned long long)st.size,
                         (unsigned long long)BL_SHEET_MEMBER_MAX);
        if (st.size > RATIO_FLOOR &&
            st.size / (st.comp_size ? st.comp_size : 1) > BL_SHEET_RATIO_MAX)
            return failf(s,
                         "zip member '%.100s' would inflate %llu times (%llu bytes from %llu), "
                         "over the ratio of %d accepted (a zip bomb?)",
                         name, (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
                         (unsigned long long)st.size, (unsigned long long)st.comp_size,
                         BL_SHEET_RATIO_MAX);
    }
    return BL_OK;
}

static bl_status open_member(bl_sheet *s, const char *name, zip_file_t **zf, zip_uint64_t *size)
{
    zip_stat_t st;
    if (zip_stat(s->zip, name, 0, &st) != 0)
        return failf(s, "the spreadsheet has no '%.200s'", name);
    *size = (st.valid & ZIP_STAT_SIZE) ? st.size : BL_SHEET_MEMBER_MAX;
    *zf = zip_fopen(s->zip, name, 0);
    if (!*zf)
        return failf(s, "cannot read '%.200s' in the zip archive: %s", name, zip_strerror(s->zip));
    return BL_OK;
}

/* Reads the next chunk of a member: *got 0 at its end. A damaged member
 * (bad CRC, truncated data) or one longer than it said is an error. */
static bl_status read_member(bl_sheet *s, zip_file_t *zf, const char *name, zip_uint64_t size,
                             zip_uint64_t *done, char *buf, size_t *got)
{
    zip_int64_t n = zip_fread(zf, buf, CHUNK);
    if (n < 0)
        return failf(s, "damaged zip member '%.200s': %s", name, zip_file_strerror(zf));
    *done += (zip_uint64_t)n;
    if (*done > size || *done > BL_SHEET_MEMBER_MAX)
        return failf(s, "zip member '%.200s' inflates to more than it says (a zip bomb?)", name);
    *got = (size_t)n;
    return BL_OK;
}

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    bl_sheet *s = ud;
    failf(s, "XML with a document type declaration (never in a spreadsheet)");
    abort_parse(s, s->xp);
}

/* xlsx is read by local names (a "x:" prefix dropped): expat's namespace
 * processing would cost a third of the parse. ods needs the namespaces
 * (office:value-type and calcext:value-type differ only by theirs). */
static XML_Parser new_parser(bl_sheet *s)
{
    XML_Parser p =
        s->type == BL_SHEET_ODS ? XML_ParserCreateNS("UTF-8", '|') : XML_ParserCreate("UTF-8");
    if (!p)
        return NULL;
    XML_SetUserData(p, s);
    XML_SetStartDoctypeDeclHandler(p, no_doctype);
    return p;
}

/* Parses a whole member through the handlers (streamed: one chunk at a
 * time). A missing member is BL_NOTFOUND when optional. */
static bl_status parse_member(bl_sheet *s, const char *name, bool optional,
                              XML_StartElementHandler start, XML_EndElementHandler end,
                              XML_CharacterDataHandler text)
{
    if (optional && zip_name_locate(s->zip, name, 0) < 0)
        return BL_NOTFOUND;
    zip_file_t *zf = NULL;
    zip_uint64_t size = 0, done = 0;
    bl_status st = open_member(s, name, &zf, &size);
    if (st != BL_OK)
        return st;
    XML_Parser p = new_parser(s);
    char *buf = malloc(CHUNK);
    if (!p || !buf) {
        if (p)
            XML_ParserFree(p);
        free(buf);
        zip_fclose(zf);
        return BL_NOMEM;
    }
    XML_Parser saved = s->xp;
    s->xp = p;
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, text);
    for (;;) {
        size_t got = 0;
        if ((st = read_member(s, zf, name, size, &done, buf, &got)) != BL_OK)
            break;
        if (XML_Parse(p, buf, (int)got, got == 0) != XML_STATUS_OK) {
            st = failf(s, "'%.200s' is not well-formed XML (line %lu: %s)", name,
                       (unsigned long)XML_GetCurrentLineNumber(p),
                       XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (s->failed) {
            st = BL_DATA;
            break;
        }
        if (got == 0)
            break;
    }
    s->xp = saved;
    XML_ParserFree(p);
    free(buf);
    zip_fclose(zf);
    return st;
}

/* ---- XML names and attributes --------------------------------------------- */

/* "uri|name" (ods) or "prefix:name" (xlsx) -> "name". */
static const char *local(const char *name)
{
    const char *sep = NULL;
    for (const char *p = name; *p; p++)
        if (*p == '|' || *p == ':')
            sep = p; /* the last one: a URI has colons before its '|' */
    return sep ? sep + 1 : name;
}

static bool ns_has(const char *name, const char *part)
{
    const char *bar = strrchr(name, '|');
    if (!bar)
        return false;
    size_t pl = strlen(part);
    for (const char *p = name; p + pl <= bar; p++)
        if (memcmp(p, part, pl) == 0)
            return true;
    return false;
}

static const char *attr(const char **atts, const char *lname)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), lname) == 0)
            return atts[i + 1];
    return NULL;
}

static const char *attr_ns(const char **atts, const char *ns, const char *lname)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), lname) == 0 && ns_has(atts[i], ns))
            return atts[i + 1];
    return NULL;
}

static char *dup_str(const char *v)
{
    return v ? bl_strdup_printf("%s", v) : NULL;
}

/* ---- xlsx: workbook, relationships, styles, shared strings ---------------- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904");
        s->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(l, "sheet") == 0) {
        const char *n = attr(atts, "name"), *id = attr(atts, "id");
        if (!s->sheet_found && id && (!s->want_name || (n && strcmp(n, s->want_name) == 0))) {
            s->sheet_found = true;
            s->want_rid = dup_str(id);
        } else if (n) {
            size_t used = strlen(s->others);
            char q[80];
            snprintf(q, sizeof q, _("'%s'"), n);
            int w =
                snprintf(s->others + used, sizeof s->others - used, "%s%s", used ? ", " : "", q);
            if (w < 0 || (size_t)w >= sizeof s->others - used)
                s->others[used] = '\0'; /* the names that fit */
        }
    }
}

static void XMLCALL ignore_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

static void XMLCALL ignore_text(void *ud, const XML_Char *t, int len)
{
    (void)ud, (void)t, (void)len;
}

/* A relationship's target, relative to xl/ unless absolute. */
static char *resolve_target(const char *t)
{
    if (t[0] == '/')
        return dup_str(t + 1);
    while (strncmp(t, "./", 2) == 0)
        t += 2;
    return bl_strdup_printf("xl/%s", t);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    bl_sheet *s = ud;
    if (strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (!target)
        return;
    if (id && s->want_rid && strcmp(id, s->want_rid) == 0 && !s->sheet_target)
        s->sheet_target = resolve_target(target);
    else if (type && ends_with(type, "/sharedStrings") && !s->sst_target)
        s->sst_target = resolve_target(target);
    else if (type && ends_with(type, "/styles") && !s->styles_target)
        s->styles_target = resolve_target(target);
}

static bool push_flag(bl_sheet *s, unsigned char v)
{
    if (s->nxf == s->xf_alloc) {
        size_t na = s->xf_alloc ? 2 * s->xf_alloc : 64;
        if (na > 1u << 20)
            return false;
        unsigned char *p = realloc(s->xf_date, na);
        if (!p)
            return false;
        s->xf_date = p;
        s->xf_alloc = na;
    }
    s->xf_date[s->nxf++] = v;
    return true;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "numFmts") == 0) {
        s->in_numfmts = true;
    } else if (strcmp(l, "cellXfs") == 0) {
        s->in_cellxfs = true;
    } else if (s->in_numfmts && strcmp(l, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code && format_is_date(code)) {
            if (s->ndate_fmts == s->date_fmts_alloc) {
                size_t na = s->date_fmts_alloc ? 2 * s->date_fmts_alloc : 16;
                int *p = na <= 65536 ? realloc(s->date_fmts, na * sizeof *p) : NULL;
                if (!p) {
                    failf(s, "too many number formats in the styles");
                    abort_parse(s, s->xp);
                    return;
                }
                s->date_fmts = p;
                s->date_fmts_alloc = na;
            }
            s->date_fmts[s->ndate_fmts++] = atoi(id);
        }
    } else if (s->in_cellxfs && strcmp(l, "xf") == 0) {
        const char *id = attr(atts, "numFmtId");
        long f = id ? atol(id) : 0;
        bool date = builtin_is_date(f);
        for (size_t i = 0; !date && i < s->ndate_fmts; i++)
            date = s->date_fmts[i] == f;
        if (!push_flag(s, date)) {
            failf(s, "too many cell styles");
            abort_parse(s, s->xp);
        }
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "numFmts") == 0)
        s->in_numfmts = false;
    else if (strcmp(l, "cellXfs") == 0)
        s->in_cellxfs = false;
}

/* Shared strings: the text of <t> inside <si>, runs joined, phonetic
 * readings (<rPh>) left out. */
static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    bl_sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "si") == 0) {
        s->in_cell = true;
        bl_buf_clear(&s->val);
        s->too_long = false;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = true;
    } else if (strcmp(l, "t") == 0 && s->in_cell && !s->in_rph) {
        s->in_value = true;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "t") == 0) {
        s->in_value = false;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = false;
    } else if (strcmp(l, "si") == 0 && s->in_cell) {
        s->in_cell = false;
        size_t n = s->val.len;
        if (s->sst_n + 1 >= SST_COUNT_MAX || s->sst_len + n > BL_SHEET_SST_MAX) {
            failf(s, "shared strings over the %u MiB or %u strings accepted",
                  BL_SHEET_SST_MAX >> 20, SST_COUNT_MAX);
            abort_parse(s, s->xp);
            return;
        }
        if (s->sst_n + 2 > s->sst_alloc) {
            size_t na = s->sst_alloc ? 2 * s->sst_alloc : 1024;
            size_t *p = realloc(s->sst_off, na * sizeof *p);
            if (!p) {
                failf(s, "out of memory for the shared strings");
                abort_parse(s, s->xp);
                return;
            }
            s->sst_off = p;
            s->sst_alloc = na;
        }
        if (n && s->sst_len + n > s->sst_cap) {
            size_t na = s->sst_cap ? 2 * s->sst_cap : 64 * 1024;
            while (na < s->sst_len + n)
                na *= 2;
            if (na > BL_SHEET_SST_MAX)
                na = BL_SHEET_SST_MAX;
            char *p = realloc(s->sst, na);
            if (!p) {
                failf(s, "out of memory for the shared strings");
                abort_parse(s, s->xp);
                return;
            }
            s->sst = p;
            s->sst_cap = na;
        }
        if (n)
            memcpy(s->sst + s->sst_len, s->val.data, n);
        if (s->sst_n == 0)
            s->sst_off[0] = 0;
        s->sst_len += n;
        s->sst_off[++s->sst_n] = s->sst_len;
    }
}

static void XMLCALL val_text(void *ud, const XML_Char *t, int len)
{
    bl_sheet *s = ud;
    if (!s->in_value || len <= 0)
        return;
    if (bl_buf_append(&s->val, t, (size_t)len) != BL_OK)
        s->too_long = true;
}

/* ---- the row being built -------------------------------------------------- */

static void row_begin(bl_sheet *s, unsigned long number)
{
    for (size_t i = 0; i < s->ncells; i++)
        s->cells[i] = (cell){0, 0, BL_CELL_EMPTY};
    s->ncells = 0;
    bl_buf_clear(&s->text);
    s->too_long = false;
    s->row = number;
    s->col = 0;
}

/* Puts text in column col (kind given); empty text leaves the cell empty. */
static void put_cell(bl_sheet *s, size_t col, bl_cell_kind kind, const char *p, size_t n)
{
    if (col >= BL_SHEET_COLS_MAX || n == 0)
        return;
    size_t off = s->text.len;
    if (bl_buf_append(&s->text, p, n) != BL_OK) {
        s->too_long = true;
        return;
    }
    s->cells[col] = (cell){off, n, kind};
    if (col + 1 > s->ncells)
        s->ncells = col + 1;
}

/* The row is complete: hand it out (suspend the parser) unless empty. */
static void row_end(bl_sheet *s)
{
    if (s->ncells == 0 && !s->too_long)
        return;
    s->row_ready = true;
    XML_StopParser(s->xp, XML_TRUE);
}

/* ---- xlsx: the sheet ------------------------------------------------------ */

/* "BC12" -> column 54 (0-based); false when there are no letters. */
static bool col_of_ref(const char *r, size_t *col)
{
    size_t c = 0;
    int n = 0;
    for (; *r >= 'A' && *r <= 'Z'; r++, n++) {
        if (n == 3)
            return false;
        c = c * 26 + (size_t)(*r - 'A' + 1);
    }
    if (n == 0)
        return false;
    *col = c - 1;
    return true;
}

static void XMLCALL xlsx_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (!s->in_sheetdata) {
        if (strcmp(l, "sheetData") == 0)
            s->in_sheetdata = true;
        return;
    }
    if (strcmp(l, "row") == 0) {
        const char *r = attr(atts, "r");
        unsigned long n = s->last_row + 1;
        if (r) {
            char *e;
            errno = 0;
            n = strtoul(r, &e, 10);
            if (*e || errno || n == 0)
                n = s->last_row + 1;
        }
        if (n > BL_SHEET_ROWS_MAX) {
            failf(s, "row number %lu beyond the %lu rows of a sheet", n, BL_SHEET_ROWS_MAX);
            abort_parse(s, s->xp);
            return;
        }
        s->last_row = n;
        row_begin(s, n);
        s->in_row = true;
    } else if (s->in_row && l[0] == 'c' && l[1] == '\0') {
        /* The hot path: one pass over the cell's attributes (r, t, s). */
        const char *r = NULL, *t = "n", *st = NULL;
        for (size_t i = 0; atts[i]; i += 2) {
            const char *a = local(atts[i]);
            if (a[0] && !a[1]) {
                if (a[0] == 'r')
                    r = atts[i + 1];
                else if (a[0] == 't')
                    t = atts[i + 1];
                else if (a[0] == 's')
                    st = atts[i + 1];
            }
        }
        size_t col;
        if (r && col_of_ref(r, &col))
            s->col = col;
        size_t tl = strlen(t);
        if (tl >= sizeof s->ctype)
            tl = sizeof s->ctype - 1;
        memcpy(s->ctype, t, tl);
        s->ctype[tl] = '\0';
        s->style = st ? atol(st) : 0;
        s->in_cell = true;
        s->depth_is = 0;
        s->in_rph = false;
        bl_buf_clear(&s->val);
        s->val_seen = false;
    } else if (s->in_cell) {
        if (strcmp(l, "v") == 0) {
            s->in_value = true;
            s->val_seen = true;
        } else if (strcmp(l, "is") == 0) {
            s->depth_is++;
            s->val_seen = true;
        } else if (strcmp(l, "rPh") == 0) {
            s->in_rph = true;
        } else if (strcmp(l, "t") == 0 && s->depth_is && !s->in_rph) {
            s->in_value = true;
        }
    }
}

static void finish_xlsx_cell(bl_sheet *s)
{
    const char *v = s->val.data ? s->val.data : "";
    size_t n = s->val.len;
    const char *t = s->ctype;
    char num[64];
    if (strcmp(t, "s") == 0) {
        char *e;
        errno = 0;
        unsigned long i = strtoul(v, &e, 10);
        if (n == 0 || *e || errno || i >= s->sst_n) {
            static const char bad[] = "#REF! (no such shared string)";
            put_cell(s, s->col, BL_CELL_ERROR, bad, sizeof bad - 1);
            return;
        }
        put_cell(s, s->col, BL_CELL_TEXT, s->sst + s->sst_off[i],
                 s->sst_off[i + 1] - s->sst_off[i]);
    } else if (strcmp(t, "str") == 0 || strcmp(t, "inlineStr") == 0) {
        put_cell(s, s->col, BL_CELL_TEXT, v, n);
    } else if (strcmp(t, "b") == 0) {
        bool on = n && v[0] == '1';
        put_cell(s, s->col, BL_CELL_BOOL, on ? "TRUE" : "FALSE", on ? 4 : 5);
    } else if (strcmp(t, "e") == 0) {
        put_cell(s, s->col, BL_CELL_ERROR, v, n);
    } else if (strcmp(t, "d") == 0) {
        put_cell(s, s->col, n >= 10 ? BL_CELL_DATE : BL_CELL_TEXT, v, n >= 10 ? 10 : n);
    } else if (n) {
        bool date = s->style >= 0 && (size_t)s->style < s->nxf && s->xf_date[s->style];
        char iso[11];
        if (date) {
            char *e;
            double x = strtod(v, &e);
            if (!*e && bl__sheet_serial_date(x, s->date1904, iso)) {
                put_cell(s, s->col, BL_CELL_DATE, iso, 10);
                return;
            }
        }
        if (bl__sheet_number_text(v, num, sizeof num))
            put_cell(s, s->col, BL_CELL_NUMBER, num, strlen(num));
        else
            put_cell(s, s->col, BL_CELL_TEXT, v, n);
    }
}

static void XMLCALL xlsx_end(void *ud, const XML_Char *name)
{
    bl_sheet *s = ud;
    if (!s->in_sheetdata)
        return;
    const char *l = local(name);
    if (l[0] == 'c' && !l[1]) {
        if (!s->in_cell)
            return;
        s->in_cell = false;
        s->in_value = false;
        if (s->val_seen)
            finish_xlsx_cell(s);
        if (s->col < BL_SHEET_COLS_MAX)
            s->col++;
    } else if ((l[0] == 'v' || l[0] == 't') && !l[1]) {
        s->in_value = false;
    } else if (strcmp(l, "row") == 0) {
        if (s->in_row) {
            s->in_row = false;
            row_end(s);
        }
    } else if (strcmp(l, "sheetData") == 0) {
        s->in_sheetdata = false;
        s->done = true;
    } else if (strcmp(l, "is") == 0 && s->depth_is) {
        s->depth_is--;
    } else if (strcmp(l, "rPh") == 0) {
        s->in_rph = false;
    }
}

/* ---- ods: content.xml ----------------------------------------------------- */

#define NS_TABLE "opendocument:xmlns:table:"
#define NS_OFFICE "opendocument:xmlns:office:"
#define NS_TEXT "opendocument:xmlns:text:"

static unsigned long repeat_attr(const char **atts, const char *lname)
{
    const char *v = attr_ns(atts, NS_TABLE, lname);
    if (!v)
        return 1;
    char *e;
    errno = 0;
    unsigned long n = strtoul(v, &e, 10);
    if (*e || errno || n == 0)
        return 1;
    return n;
}

static void ods_val_char(bl_sheet *s, const char *p, size_t n)
{
    if (bl_buf_append(&s->val, p, n) != BL_OK)
        s->too_long = true;
}

static void XMLCALL ods_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (ns_has(name, NS_TABLE) && strcmp(l, "table") == 0) {
        s->table_depth++;
        if (s->table_depth == 1 && !s->table_selected && !s->table_done) {
            const char *n = attr_ns(atts, NS_TABLE, "name");
            if (!s->want_name || (n && strcmp(n, s->want_name) == 0)) {
                s->table_selected = true;
                s->sheet_found = true;
            }
        }
        return;
    }
    if (!s->table_selected || s->table_depth != 1)
        return;
    if (ns_has(name, NS_TABLE) && strcmp(l, "table-row") == 0) {
        if (s->last_row >= BL_SHEET_ROWS_MAX) {
            /* The sheet's last row has been handed out: nothing beyond. */
            s->done = true;
            XML_StopParser(s->xp, XML_TRUE);
            return;
        }
        s->rows_rep = repeat_attr(atts, "number-rows-repeated");
        row_begin(s, s->last_row + 1);
        s->in_row = true;
    } else if (s->in_row && ns_has(name, NS_TABLE) &&
               (strcmp(l, "table-cell") == 0 || strcmp(l, "covered-table-cell") == 0)) {
        s->cols_rep = repeat_attr(atts, "number-columns-repeated");
        const char *vt = attr_ns(atts, NS_OFFICE, "value-type");
        const char *cx = attr_ns(atts, "calcext", "value-type");
        snprintf(s->ods_type, sizeof s->ods_type, "%s", vt ? vt : "");
        s->ods_error = cx && strcmp(cx, "error") == 0;
        bl_buf_clear(&s->ods_attr);
        const char *v = NULL;
        if (vt && (strcmp(vt, "float") == 0 || strcmp(vt, "percentage") == 0 ||
                   strcmp(vt, "currency") == 0))
            v = attr_ns(atts, NS_OFFICE, "value");
        else if (vt && strcmp(vt, "date") == 0)
            v = attr_ns(atts, NS_OFFICE, "date-value");
        else if (vt && strcmp(vt, "boolean") == 0)
            v = attr_ns(atts, NS_OFFICE, "boolean-value");
        else if (vt && strcmp(vt, "string") == 0)
            v = attr_ns(atts, NS_OFFICE, "string-value");
        if (v && bl_buf_puts(&s->ods_attr, v) != BL_OK)
            s->too_long = true;
        s->in_cell = true;
        s->p_count = 0;
        bl_buf_clear(&s->val);
    } else if (s->in_cell) {
        if (ns_has(name, NS_OFFICE) && strcmp(l, "annotation") == 0) {
            s->annot_depth++;
        } else if (s->annot_depth) {
            return;
        } else if (ns_has(name, NS_TEXT) && strcmp(l, "p") == 0) {
            if (s->p_count++)
                ods_val_char(s, "\n", 1);
            s->in_value = true;
        } else if (ns_has(name, NS_TEXT) && strcmp(l, "s") == 0 && s->in_value) {
            const char *c = attr_ns(atts, NS_TEXT, "c");
            long k = c ? atol(c) : 1;
            for (long i = 0; i < k && i < 1024; i++)
                ods_val_char(s, " ", 1);
        } else if (ns_has(name, NS_TEXT) && strcmp(l, "tab") == 0 && s->in_value) {
            ods_val_char(s, "\t", 1);
        } else if (ns_has(name, NS_TEXT) && strcmp(l, "line-break") == 0 && s->in_value) {
            ods_val_char(s, "\n", 1);
        }
    }
}

static void finish_ods_cell(bl_sheet *s)
{
    const char *t = s->ods_type;
    const char *a = s->ods_attr.data ? s->ods_attr.data : "";
    const char *v = s->val.data ? s->val.data : "";
    bl_cell_kind kind = BL_CELL_TEXT;
    char num[64];
    const char *p = v;
    size_t n = s->val.len;
    if (s->ods_error) {
        kind = BL_CELL_ERROR;
    } else if ((strcmp(t, "float") == 0 || strcmp(t, "percentage") == 0 ||
                strcmp(t, "currency") == 0) &&
               bl__sheet_number_text(a, num, sizeof num)) {
        kind = BL_CELL_NUMBER;
        p = num;
        n = strlen(num);
    } else if (strcmp(t, "date") == 0 && s->ods_attr.len >= 10) {
        kind = BL_CELL_DATE;
        p = a;
        n = 10;
    } else if (strcmp(t, "boolean") == 0 && s->ods_attr.len) {
        kind = BL_CELL_BOOL;
        bool on = strcmp(a, "true") == 0 || strcmp(a, "1") == 0;
        p = on ? "TRUE" : "FALSE";
        n = strlen(p);
    } else if (strcmp(t, "string") == 0 && s->ods_attr.len) {
        p = a;
        n = s->ods_attr.len;
    }
    if (n == 0)
        return;
    for (unsigned long k = 0; k < s->cols_rep && s->col + k < BL_SHEET_COLS_MAX; k++)
        put_cell(s, s->col + k, kind, p, n);
}

static void XMLCALL ods_end(void *ud, const XML_Char *name)
{
    bl_sheet *s = ud;
    const char *l = local(name);
    if (ns_has(name, NS_TABLE) && strcmp(l, "table") == 0) {
        if (s->table_depth == 1 && s->table_selected) {
            s->table_selected = false;
            s->table_done = true;
            s->done = true;
        }
        s->table_depth--;
        return;
    }
    if (!s->table_selected || s->table_depth != 1)
        return;
    if (ns_has(name, NS_TABLE) && strcmp(l, "table-row") == 0 && s->in_row) {
        s->in_row = false;
        unsigned long rep = s->rows_rep;
        unsigned long first = s->last_row + 1;
        s->last_row = first + rep - 1 < first || first + rep - 1 > BL_SHEET_ROWS_MAX
                          ? BL_SHEET_ROWS_MAX
                          : first + rep - 1;
        if (s->ncells || s->too_long) {
            unsigned long more = s->last_row - first;
            s->repeats = more;
            row_end(s);
        }
        if (s->last_row >= BL_SHEET_ROWS_MAX && !s->row_ready) {
            s->done = true;
            XML_StopParser(s->xp, XML_TRUE);
        }
    } else if (s->in_row && ns_has(name, NS_TABLE) &&
               (strcmp(l, "table-cell") == 0 || strcmp(l, "covered-table-cell") == 0)) {
        if (s->in_cell)
            finish_ods_cell(s);
        s->in_cell = false;
        s->in_value = false;
        s->annot_depth = 0;
        size_t step = s->cols_rep > BL_SHEET_COLS_MAX ? BL_SHEET_COLS_MAX : s->cols_rep;
        s->col = s->col + step > BL_SHEET_COLS_MAX ? BL_SHEET_COLS_MAX : s->col + step;
    } else if (s->in_cell && ns_has(name, NS_OFFICE) && strcmp(l, "annotation") == 0) {
        if (s->annot_depth)
            s->annot_depth--;
    } else if (s->in_cell && !s->annot_depth && ns_has(name, NS_TEXT) && strcmp(l, "p") == 0) {
        s->in_value = false;
    }
}

static void XMLCALL ods_text(void *ud, const XML_Char *t, int len)
{
    bl_sheet *s = ud;
    if (s->in_value && !s->annot_depth && len > 0)
        ods_val_char(s, t, (size_t)len);
}

/* ---- opening -------------------------------------------------------------- */

bl_sheet_type bl__sheet_sniff(const char *head, size_t n)
{
    if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
        return BL_SHEET_XLSX; /* a zip: its members say which (bl_sheet_open) */
    if (n >= 8 && memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return BL_SHEET_XLS;
    return BL_SHEET_NONE;
}

static const char *zip_reason(int ze)
{
    switch (ze) {
    case ZIP_ER_NOZIP:
        return _("not a zip archive (no central directory: truncated?)");
    case ZIP_ER_INCONS:
        return _("damaged zip archive (inconsistent: truncated or corrupt)");
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
        return _("damaged zip archive (cannot be read to its end: truncated?)");
    case ZIP_ER_MEMORY:
        return _("out of memory");
    case ZIP_ER_CRC:
        return _("damaged zip archive (bad CRC)");
    case ZIP_ER_COMPNOTSUPP:
        return _("zip archive compressed with an unsupported method");
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
        return _("encrypted zip archive (password-protected spreadsheets are not read)");
    default:
        return _("damaged zip archive");
    }
}

/* Reads the small `mimetype` member of an OpenDocument file. */
static bool is_ods(bl_sheet *s)
{
    zip_stat_t st;
    if (zip_stat(s->zip, "mimetype", 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > 200)
        return false;
    zip_file_t *zf = zip_fopen(s->zip, "mimetype", 0);
    if (!zf)
        return false;
    char buf[256];
    zip_int64_t n = zip_fread(zf, buf, sizeof buf - 1);
    zip_fclose(zf);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return strcmp(buf, "application/vnd.oasis.opendocument.spreadsheet") == 0 ||
           strcmp(buf, "application/vnd.oasis.opendocument.spreadsheet-template") == 0;
}

static bl_status start_stream(bl_sheet *s, const char *member)
{
    snprintf(s->zf_name, sizeof s->zf_name, "%s", member);
    bl_status st = open_member(s, s->zf_name, &s->zf, &s->zf_size);
    if (st != BL_OK)
        return st;
    s->xp = new_parser(s);
    if (!s->xp)
        return BL_NOMEM;
    if (s->type == BL_SHEET_XLSX) {
        XML_SetElementHandler(s->xp, xlsx_start, xlsx_end);
        XML_SetCharacterDataHandler(s->xp, val_text);
    } else {
        XML_SetElementHandler(s->xp, ods_start, ods_end);
        XML_SetCharacterDataHandler(s->xp, ods_text);
    }
    return BL_OK;
}

static bl_status open_xlsx(bl_sheet *s)
{
    bl_status st = parse_member(s, "xl/workbook.xml", false, wb_start, ignore_end, ignore_text);
    if (st != BL_OK)
        return st;
    if (!s->sheet_found)
        return s->want_name ? failf(s, "no sheet named '%.100s' (its sheets: %s)", s->want_name,
                                    s->others[0] ? s->others : _("none"))
                            : failf(s, "the workbook has no sheet");
    st = parse_member(s, "xl/_rels/workbook.xml.rels", true, rels_start, ignore_end, ignore_text);
    if (st != BL_OK && st != BL_NOTFOUND)
        return st;
    if (!s->sheet_target)
        s->sheet_target = dup_str("xl/worksheets/sheet1.xml");
    const char *styles = s->styles_target ? s->styles_target : "xl/styles.xml";
    st = parse_member(s, styles, true, styles_start, styles_end, ignore_text);
    if (st != BL_OK && st != BL_NOTFOUND)
        return st;
    const char *sst = s->sst_target ? s->sst_target : "xl/sharedStrings.xml";
    s->in_cell = s->in_value = s->in_rph = false;
    st = parse_member(s, sst, true, sst_start, sst_end, val_text);
    s->in_cell = s->in_value = s->in_rph = false;
    s->too_long = false;
    if (st != BL_OK && st != BL_NOTFOUND)
        return st;
    if (!s->sheet_target)
        return BL_NOMEM;
    return start_stream(s, s->sheet_target);
}

bl_status bl_sheet_open(const char *path, const char *name, bl_sheet **out, char **errmsg)
{
    *out = NULL;
    bl_sheet *s = calloc(1, sizeof *s);
    if (!s)
        return BL_NOMEM;
    s->path = path;
    s->want_name = name;
    s->text = BL_BUF_INIT(BL_SHEET_ROW_MAX);
    s->val = BL_BUF_INIT(BL_SHEET_ROW_MAX);
    s->ods_attr = BL_BUF_INIT(4096);
    s->cells = calloc(BL_SHEET_COLS_MAX, sizeof *s->cells);
    s->chunk = malloc(CHUNK);
    if (!s->cells || !s->chunk) {
        bl_sheet_close(s);
        return BL_NOMEM;
    }
    int ze = 0;
    s->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    bl_status st = BL_OK;
    if (!s->zip) {
        if (ze == ZIP_ER_OPEN || ze == ZIP_ER_NOENT) {
            *errmsg = bl_strdup_printf(_("cannot open '%s': %s"), path, strerror(errno));
            bl_sheet_close(s);
            return BL_NOINPUT;
        }
        st = failf(s, "%s", zip_reason(ze));
    }
    if (st == BL_OK)
        st = check_members(s);
    if (st == BL_OK) {
        if (zip_name_locate(s->zip, "xl/workbook.xml", 0) >= 0)
            s->type = BL_SHEET_XLSX;
        else if (is_ods(s))
            s->type = BL_SHEET_ODS;
        else
            st = failf(s, "a zip archive but not a spreadsheet (no xl/workbook.xml of an xlsx, "
                          "no OpenDocument spreadsheet mimetype of an ods)");
    }
    if (st == BL_OK)
        st = s->type == BL_SHEET_XLSX ? open_xlsx(s) : start_stream(s, "content.xml");
    if (st != BL_OK) {
        if (st == BL_NOMEM)
            *errmsg = bl_strdup_printf(_("%s: out of memory"), path);
        else
            *errmsg = bl_strdup_printf("%s: %s", path, s->msg);
        bl_sheet_close(s);
        return st == BL_NOMEM ? BL_NOMEM : BL_DATA;
    }
    *out = s;
    return BL_OK;
}

bl_sheet_type bl_sheet_type_of(const bl_sheet *s)
{
    return s->type;
}

/* ---- reading rows --------------------------------------------------------- */

bl_status bl_sheet_next(bl_sheet *s, bool *eof)
{
    *eof = false;
    if (s->failed)
        return BL_DATA;
    if (s->again) {
        s->again = false;
        return BL_OK;
    }
    if (s->repeats) {
        /* ods: the same row again, one number further (the text is kept). */
        s->repeats--;
        s->row++;
        return BL_OK;
    }
    s->row_ready = false;
    for (;;) {
        XML_ParsingStatus ps;
        XML_GetParsingStatus(s->xp, &ps);
        enum XML_Status xs;
        if (ps.parsing == XML_FINISHED || (s->done && ps.parsing != XML_SUSPENDED)) {
            *eof = true;
            return BL_OK;
        }
        if (ps.parsing == XML_SUSPENDED) {
            if (s->done && !s->row_ready) {
                /* ods: the sheet is over (a later table or the row cap). */
                *eof = true;
                return BL_OK;
            }
            xs = XML_ResumeParser(s->xp);
        } else {
            size_t got = 0;
            bl_status st =
                read_member(s, s->zf, s->zf_name, s->zf_size, &s->zf_read, s->chunk, &got);
            if (st != BL_OK)
                return st;
            xs = XML_Parse(s->xp, s->chunk, (int)got, got == 0);
            if (got == 0)
                s->zip_eof = true;
        }
        if (xs == XML_STATUS_ERROR) {
            if (s->failed)
                return BL_DATA;
            return failf(s, "'%.200s' is not well-formed XML (line %lu: %s)", s->zf_name,
                         (unsigned long)XML_GetCurrentLineNumber(s->xp),
                         XML_ErrorString(XML_GetErrorCode(s->xp)));
        }
        if (s->failed)
            return BL_DATA;
        if (s->row_ready)
            return BL_OK;
        if (s->done) {
            *eof = true;
            return BL_OK;
        }
        if (s->zip_eof) {
            XML_GetParsingStatus(s->xp, &ps);
            if (ps.parsing != XML_SUSPENDED) {
                if (s->type == BL_SHEET_ODS && !s->sheet_found)
                    return s->want_name ? failf(s, "no sheet named '%.100s'", s->want_name)
                                        : failf(s, "the spreadsheet has no sheet");
                *eof = true;
                return BL_OK;
            }
        }
    }
}

void bl_sheet_unread(bl_sheet *s)
{
    s->again = true;
}

unsigned long bl_sheet_row(const bl_sheet *s)
{
    return s->row;
}

size_t bl_sheet_ncells(const bl_sheet *s)
{
    return s->ncells;
}

bl_sv bl_sheet_cell(const bl_sheet *s, size_t i, bl_cell_kind *kind)
{
    if (i >= s->ncells || s->cells[i].kind == BL_CELL_EMPTY) {
        if (kind)
            *kind = BL_CELL_EMPTY;
        return (bl_sv){"", 0};
    }
    if (kind)
        *kind = s->cells[i].kind;
    return (bl_sv){s->text.data + s->cells[i].off, s->cells[i].len};
}

size_t bl__sheet_row_bytes(const bl_sheet *s)
{
    return s->text.len;
}

bool bl_sheet_row_too_long(const bl_sheet *s)
{
    return s->too_long;
}

const char *bl_sheet_errmsg(const bl_sheet *s)
{
    return s->msg;
}

const char *bl_sheet_others_hint(const bl_sheet *s, const char *fmt, char *out, size_t n)
{
    const char *others = s ? s->others : "";
    if (others && *others)
        snprintf(out, n, fmt, others);
    else if (n)
        *out = '\0';
    return out;
}

void bl_sheet_close(bl_sheet *s)
{
    if (!s)
        return;
    if (s->xp)
        XML_ParserFree(s->xp);
    if (s->zf)
        zip_fclose(s->zf);
    if (s->zip)
        zip_discard(s->zip);
    free(s->chunk);
    free(s->cells);
    free(s->sst);
    free(s->sst_off);
    free(s->xf_date);
    free(s->date_fmts);
    free(s->want_rid);
    free(s->sheet_target);
    free(s->sst_target);
    free(s->styles_target);
    bl_buf_release(&s->text);
    bl_buf_release(&s->val);
    bl_buf_release(&s->ods_attr);
    free(s);
}
