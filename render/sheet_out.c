/* Streaming spreadsheet writer (include/bilan/sheet_out.h): a minimal zip
 * archive writer over zlib's raw deflate, and the two XML dialects on top
 * of it. Each part is deflated as its XML is produced, with a data
 * descriptor after it, so no part is ever held whole in memory and the
 * output need not be seekable. Dates in the archive are fixed (1980-01-01):
 * the same figures give the same bytes. */
#include "bilan/sheet_out.h"
#include "bilan/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define XML_FLUSH (64 * 1024) /* XML deflated once this much is pending */
#define MAX_SHEETS 256
#define ZIP_MAX 0xFFFFFFFFu /* no zip64: an archive stays under 4 GiB */

typedef struct entry {
    char name[64];
    uint32_t crc, csize, usize, offset;
    bool stored;
} entry;

struct bl_sheet_out {
    bl_sheet_format fmt;
    bl_status rc; /* sticky */
    char errmsg[512];
    /* Where the bytes go. */
    bl_sheet_write_fn fn;
    void *ctx;
    bl_outfile file;
    bool to_file;
    uint64_t written;
    /* The zip entries, the one being written last. */
    entry *entries;
    size_t n_entries, cap_entries;
    bool in_entry;
    z_stream z;
    bool z_live;
    unsigned char zbuf[32 * 1024];
    /* XML produced and not yet deflated. */
    bl_buf xml;
    /* Sheets. */
    char *names[MAX_SHEETS];
    bool frozen[MAX_SHEETS];
    size_t n_sheets;
    bool in_sheet, in_row, row_bold, in_content; /* in_content: ods content.xml is open */
    long row, col;
};

/* ---- failures ------------------------------------------------------------------ */

static bl_status fail(bl_sheet_out *w, bl_status rc, const char *why)
{
    if (w->rc == BL_OK) {
        w->rc = rc;
        snprintf(w->errmsg, sizeof w->errmsg, "%s", why);
    }
    return w->rc;
}

bl_status bl_sheet_out_status(const bl_sheet_out *w)
{
    return w->rc;
}

const char *bl_sheet_out_errmsg(const bl_sheet_out *w)
{
    return w->errmsg;
}

/* ---- the bytes out -------------------------------------------------------------- */

static bl_status emit(bl_sheet_out *w, const void *p, size_t n)
{
    if (w->rc != BL_OK || n == 0)
        return w->rc;
    if (w->written + n > ZIP_MAX)
        return fail(w, BL_DATA, _("the spreadsheet would exceed 4 GiB"));
    bl_status rc;
    if (w->to_file) {
        char err[512];
        rc = bl_outfile_write(&w->file, p, n, err, sizeof err);
        if (rc != BL_OK)
            return fail(w, rc, err);
    } else {
        rc = w->fn(w->ctx, p, n);
        if (rc != BL_OK)
            return fail(w, rc, _("write error"));
    }
    w->written += n;
    return BL_OK;
}

static void le16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)((v >> (8 * i)) & 0xFF);
}

#define DOS_DATE 0x21 /* 1980-01-01 */
#define FLAG_DESCRIPTOR 0x0008

/* ---- zip entries --------------------------------------------------------------------- */

static bl_status entry_begin(bl_sheet_out *w, const char *name, bool stored, const void *data,
                             size_t len)
{
    if (w->rc != BL_OK)
        return w->rc;
    if (w->n_entries == w->cap_entries) {
        size_t cap = w->cap_entries ? w->cap_entries * 2 : 16;
        entry *e = realloc(w->entries, cap * sizeof *e);
        if (!e)
            return fail(w, BL_NOMEM, _("out of memory"));
        w->entries = e;
        w->cap_entries = cap;
    }
    entry *e = &w->entries[w->n_entries++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->stored = stored;
    e->offset = (uint32_t)w->written;
    unsigned char h[30];
    size_t nl = strlen(e->name);
    le32(h, 0x04034b50);
    le16(h + 4, 20);
    le16(h + 6, stored ? 0 : FLAG_DESCRIPTOR);
    le16(h + 8, stored ? 0 : 8);
    le16(h + 10, 0);
    le16(h + 12, DOS_DATE);
    if (stored) {
        /* A stored entry is written whole with its sizes in the header: the
         * ODF "mimetype" must be found at a fixed offset. */
        e->crc = (uint32_t)crc32(0L, data, (uInt)len);
        e->csize = e->usize = (uint32_t)len;
    }
    le32(h + 14, e->crc);
    le32(h + 18, e->csize);
    le32(h + 22, e->usize);
    le16(h + 26, (unsigned)nl);
    le16(h + 28, 0);
    if (emit(w, h, sizeof h) != BL_OK || emit(w, e->name, nl) != BL_OK)
        return w->rc;
    if (stored)
        return emit(w, data, len);
    memset(&w->z, 0, sizeof w->z);
    if (deflateInit2(&w->z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail(w, BL_NOMEM, _("out of memory (zlib)"));
    w->z_live = true;
    w->in_entry = true;
    return BL_OK;
}

/* Deflates p[0..n) into the current entry (finish: and ends the stream). */
static bl_status entry_deflate(bl_sheet_out *w, const void *p, size_t n, bool finish)
{
    entry *e = &w->entries[w->n_entries - 1];
    e->crc = (uint32_t)crc32(e->crc, p, (uInt)n);
    if ((uint64_t)e->usize + n > ZIP_MAX)
        return fail(w, BL_DATA, _("a sheet would exceed 4 GiB"));
    e->usize += (uint32_t)n;
    w->z.next_in = (Bytef *)(uintptr_t)p;
    w->z.avail_in = (uInt)n;
    int zr;
    do {
        w->z.next_out = w->zbuf;
        w->z.avail_out = sizeof w->zbuf;
        zr = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (zr == Z_STREAM_ERROR)
            return fail(w, BL_INTERNAL, _("zlib failed"));
        size_t got = sizeof w->zbuf - w->z.avail_out;
        e->csize += (uint32_t)got;
        if (emit(w, w->zbuf, got) != BL_OK)
            return w->rc;
    } while (w->z.avail_out == 0 || (finish && zr != Z_STREAM_END));
    return BL_OK;
}

static bl_status xml_flush(bl_sheet_out *w, bool finish)
{
    if (w->rc != BL_OK)
        return w->rc;
    bl_status rc = entry_deflate(w, w->xml.data ? w->xml.data : "", w->xml.len, finish);
    bl_buf_clear(&w->xml);
    return rc;
}

static bl_status entry_end(bl_sheet_out *w)
{
    if (w->rc != BL_OK)
        return w->rc;
    xml_flush(w, true);
    deflateEnd(&w->z);
    w->z_live = false;
    w->in_entry = false;
    if (w->rc != BL_OK)
        return w->rc;
    entry *e = &w->entries[w->n_entries - 1];
    unsigned char d[16];
    le32(d, 0x08074b50);
    le32(d + 4, e->crc);
    le32(d + 8, e->csize);
    le32(d + 12, e->usize);
    return emit(w, d, sizeof d);
}

static bl_status xml(bl_sheet_out *w, const char *s)
{
    if (w->rc != BL_OK)
        return w->rc;
    bl_status rc = bl_buf_puts(&w->xml, s);
    if (rc != BL_OK)
        return fail(w, rc, _("out of memory"));
    return w->xml.len >= XML_FLUSH ? xml_flush(w, false) : BL_OK;
}

static bl_status xmlf(bl_sheet_out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bl_status xmlf(bl_sheet_out *w, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return fail(w, BL_INTERNAL, _("XML fragment too long"));
    return xml(w, tmp);
}

/* A whole small part, deflated. */
static bl_status part(bl_sheet_out *w, const char *name, const char *text)
{
    if (entry_begin(w, name, false, NULL, 0) == BL_OK)
        xml(w, text);
    return entry_end(w);
}

/* Text escaped for XML: & < > " escaped, control characters but tab and
 * line feed dropped, invalid UTF-8 as U+FFFD. */
static bl_status xml_text(bl_sheet_out *w, const char *s)
{
    if (w->rc != BL_OK)
        return w->rc;
    bl_buf *b = &w->xml;
    bl_status rc = BL_OK;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && rc == BL_OK) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '&')
                rc = bl_buf_puts(b, "&amp;");
            else if (c == '<')
                rc = bl_buf_puts(b, "&lt;");
            else if (c == '>')
                rc = bl_buf_puts(b, "&gt;");
            else if (c == '"')
                rc = bl_buf_puts(b, "&quot;");
            else if (c >= 0x20 || c == '\t' || c == '\n')
                rc = bl_buf_putc(b, (char)c);
            p++;
            continue;
        }
        /* One UTF-8 sequence, checked (no overlong form, no surrogate). */
        size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        bool ok = n > 0;
        for (size_t i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && n == 3)
            ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0) &&
                 !(c == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF));
        if (ok && n == 4)
            ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
        if (ok) {
            rc = bl_buf_append(b, p, n);
            p += n;
        } else {
            rc = bl_buf_puts(b, "\xEF\xBF\xBD");
            p++;
        }
    }
    if (rc != BL_OK)
        return fail(w, rc, _("out of memory"));
    return w->xml.len >= XML_FLUSH ? xml_flush(w, false) : BL_OK;
}

/* ---- opening --------------------------------------------------------------------------- */

static const char ODS_MIME[] = "application/vnd.oasis.opendocument.spreadsheet";

static bl_status start(bl_sheet_out *w)
{
    w->xml = BL_BUF_INIT(XML_FLUSH * 4);
    if (w->fmt == BL_SHEET_ODS) {
        entry_begin(w, "mimetype", true, ODS_MIME, strlen(ODS_MIME));
        /* content.xml stays open across the sheets: they are its tables. */
        entry_begin(w, "content.xml", false, NULL, 0);
        xml(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<office:document-content"
               " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
               " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
               " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
               " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
               " xmlns:number=\"urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0\""
               " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
               " office:version=\"1.2\">"
               "<office:automatic-styles>"
               "<number:number-style style:name=\"N2\"><number:number number:decimal-places=\"2\""
               " number:min-integer-digits=\"1\" number:grouping=\"true\"/></number:number-style>"
               "<style:style style:name=\"ce1\" style:family=\"table-cell\">"
               "<style:text-properties fo:font-weight=\"bold\"/></style:style>"
               "<style:style style:name=\"ce2\" style:family=\"table-cell\""
               " style:data-style-name=\"N2\"/>"
               "<style:style style:name=\"ce3\" style:family=\"table-cell\""
               " style:data-style-name=\"N2\">"
               "<style:text-properties fo:font-weight=\"bold\"/></style:style>"
               "</office:automatic-styles>"
               "<office:body><office:spreadsheet>");
        w->in_content = true;
    }
    return w->rc;
}

bl_status bl_sheet_out_open(bl_sheet_out **out, bl_sheet_format f, bl_sheet_write_fn fn, void *ctx)
{
    bl_sheet_out *w = calloc(1, sizeof *w);
    *out = w;
    if (!w)
        return BL_NOMEM;
    w->fmt = f;
    w->fn = fn;
    w->ctx = ctx;
    return start(w);
}

bl_status bl_sheet_out_open_file(bl_sheet_out **out, bl_sheet_format f, const char *path, char *err,
                                 size_t errlen)
{
    *out = NULL;
    bl_sheet_out *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, _("out of memory"));
        return BL_NOMEM;
    }
    w->fmt = f;
    bl_status rc = bl_outfile_open(&w->file, path, err, errlen);
    if (rc != BL_OK) {
        free(w);
        return rc;
    }
    w->to_file = true;
    *out = w;
    rc = start(w);
    if (rc != BL_OK)
        snprintf(err, errlen, "%s", w->errmsg);
    return rc;
}

/* ---- sheets, rows, cells ------------------------------------------------------------------- */

static void col_name(char *out, long col)
{
    char tmp[8];
    int n = 0;
    for (long c = col + 1; c > 0 && n < 7; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static bl_status row_end(bl_sheet_out *w)
{
    if (!w->in_row)
        return w->rc;
    w->in_row = false;
    return xml(w, w->fmt == BL_SHEET_XLSX ? "</row>" : "</table:table-row>");
}

static bl_status sheet_end(bl_sheet_out *w)
{
    if (!w->in_sheet)
        return w->rc;
    row_end(w);
    w->in_sheet = false;
    if (w->fmt == BL_SHEET_ODS) {
        if (w->row == 0) /* a table has at least one row */
            xml(w, "<table:table-row><table:table-cell/></table:table-row>");
        return xml(w, "</table:table>");
    }
    xml(w, "</sheetData></worksheet>");
    return entry_end(w);
}

/* The name a spreadsheet accepts: no []:*?/\, at most 31 characters. */
static char *sheet_name(const char *name)
{
    size_t len = strlen(name);
    char *s = malloc(len + 2);
    if (!s)
        return NULL;
    size_t o = 0, chars = 0;
    for (size_t i = 0; i < len && chars < 31; chars++) {
        unsigned char c = (unsigned char)name[i];
        size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (i + n > len)
            break;
        if (n == 1 && (c < 0x20 || strchr("[]:*?/\\", c)))
            s[o++] = '-';
        else
            memcpy(s + o, name + i, n), o += n;
        i += n;
    }
    if (o == 0)
        s[o++] = '-';
    s[o] = '\0';
    return s;
}

bl_status bl_sheet_out_sheet(bl_sheet_out *w, const char *name, bool freeze_first_row)
{
    if (sheet_end(w) != BL_OK)
        return w->rc;
    if (w->n_sheets == MAX_SHEETS)
        return fail(w, BL_DATA, "too many sheets");
    char *nm = sheet_name(name);
    if (!nm)
        return fail(w, BL_NOMEM, _("out of memory"));
    w->names[w->n_sheets] = nm;
    w->frozen[w->n_sheets] = freeze_first_row;
    w->n_sheets++;
    w->in_sheet = true;
    w->row = 0;
    if (w->fmt == BL_SHEET_ODS) {
        xml(w, "<table:table table:name=\"");
        xml_text(w, nm);
        return xml(w, "\"><table:table-column/>");
    }
    char part_name[64];
    snprintf(part_name, sizeof part_name, "xl/worksheets/sheet%zu.xml", w->n_sheets);
    entry_begin(w, part_name, false, NULL, 0);
    xml(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
    if (freeze_first_row)
        xml(w, "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\""
               " activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>");
    return xml(w, "<sheetData>");
}

bl_status bl_sheet_out_row(bl_sheet_out *w, bool bold)
{
    if (w->rc != BL_OK)
        return w->rc;
    if (!w->in_sheet)
        return fail(w, BL_INTERNAL, "a row outside any sheet");
    row_end(w);
    if (w->row >= 1048576)
        return fail(w, BL_DATA, "more than 1 048 576 rows in one sheet");
    w->row++;
    w->col = 0;
    w->in_row = true;
    w->row_bold = bold;
    if (w->fmt == BL_SHEET_ODS)
        return xml(w, "<table:table-row>");
    return xmlf(w, "<row r=\"%ld\">", w->row);
}

/* Opens a cell: style 0 plain, 1 bold, 2 two decimals (3 both, ods only). */
static bl_status cell_open(bl_sheet_out *w, const char *xlsx_type, const char *ods_type,
                           const char *ods_value, bool decimals)
{
    if (w->rc != BL_OK)
        return w->rc;
    if (!w->in_row)
        return fail(w, BL_INTERNAL, "a cell outside any row");
    if (w->col >= 16384)
        return fail(w, BL_DATA, "more than 16 384 columns");
    int style = w->row_bold ? 1 : 0;
    if (decimals)
        style = w->row_bold ? 3 : 2;
    if (w->fmt == BL_SHEET_XLSX) {
        char ref[16];
        col_name(ref, w->col++);
        return xmlf(w, "<c r=\"%s%ld\"%s%s%s%s>", ref, w->row, style ? " s=\"" : "",
                    style == 1   ? "1"
                    : style == 2 ? "2"
                    : style == 3 ? "3"
                                 : "",
                    style ? "\"" : "", xlsx_type);
    }
    w->col++;
    return xmlf(w, "<table:table-cell%s%s office:value-type=\"%s\"%s%s%s>",
                style ? " table:style-name=\"ce" : "",
                style == 1   ? "1\""
                : style == 2 ? "2\""
                : style == 3 ? "3\""
                             : "",
                ods_type, ods_value ? " office:value=\"" : "", ods_value ? ods_value : "",
                ods_value ? "\"" : "");
}

bl_status bl_sheet_out_text(bl_sheet_out *w, const char *s)
{
    if (cell_open(w, " t=\"inlineStr\"", "string", NULL, false) != BL_OK)
        return w->rc;
    if (w->fmt == BL_SHEET_XLSX) {
        xml(w, "<is><t xml:space=\"preserve\">");
        xml_text(w, s);
        return xml(w, "</t></is></c>");
    }
    xml(w, "<text:p>");
    xml_text(w, s);
    return xml(w, "</text:p></table:table-cell>");
}

static bl_status number(bl_sheet_out *w, const char *v, bool decimals)
{
    if (cell_open(w, "", "float", v, decimals) != BL_OK)
        return w->rc;
    if (w->fmt == BL_SHEET_XLSX)
        return xmlf(w, "<v>%s</v></c>", v);
    return xmlf(w, "<text:p>%s</text:p></table:table-cell>", v);
}

bl_status bl_sheet_out_int(bl_sheet_out *w, int64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)v);
    return number(w, s, false);
}

bl_status bl_sheet_out_fixed(bl_sheet_out *w, int64_t v, int decimals)
{
    if (decimals < 0 || decimals > 6)
        return fail(w, BL_INTERNAL, "bad number of decimals");
    if (decimals == 0)
        return bl_sheet_out_int(w, v);
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    /* |v| without overflow for INT64_MIN. */
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    char s[48];
    snprintf(s, sizeof s, "%s%llu.%0*llu", v < 0 ? "-" : "",
             (unsigned long long)(a / (uint64_t)scale), decimals,
             (unsigned long long)(a % (uint64_t)scale));
    return number(w, s, decimals == 2);
}

bl_status bl_sheet_out_empty(bl_sheet_out *w)
{
    if (w->rc != BL_OK)
        return w->rc;
    if (!w->in_row)
        return fail(w, BL_INTERNAL, "a cell outside any row");
    if (w->fmt == BL_SHEET_XLSX) {
        w->col++; /* cells carry their reference: a gap is enough */
        return BL_OK;
    }
    w->col++;
    return xml(w, "<table:table-cell/>");
}

/* ---- finishing ------------------------------------------------------------------------------ */

static const char XLSX_STYLES[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
    "borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"4\">"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
    "<xf numFmtId=\"4\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"4\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" "
    "applyNumberFormat=\"1\"/>"
    "</cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
    "</styleSheet>";

static bl_status finish_xlsx(bl_sheet_out *w)
{
    entry_begin(w, "[Content_Types].xml", false, NULL, 0);
    xml(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
           "<Default Extension=\"rels\" "
           "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
           "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
           "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
           "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
           "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/"
           "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
    for (size_t i = 1; i <= w->n_sheets; i++)
        xmlf(w,
             "<Override PartName=\"/xl/worksheets/sheet%zu.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
             i);
    xml(w, "</Types>");
    entry_end(w);
    part(w, "_rels/.rels",
         "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
         "relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
    entry_begin(w, "xl/workbook.xml", false, NULL, 0);
    xml(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
           " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
           "<sheets>");
    for (size_t i = 0; i < w->n_sheets; i++) {
        xml(w, "<sheet name=\"");
        xml_text(w, w->names[i]);
        xmlf(w, "\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", i + 1, i + 1);
    }
    xml(w, "</sheets></workbook>");
    entry_end(w);
    entry_begin(w, "xl/_rels/workbook.xml.rels", false, NULL, 0);
    xml(w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (size_t i = 1; i <= w->n_sheets; i++)
        xmlf(w,
             "<Relationship Id=\"rId%zu\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
             "2006/relationships/worksheet\" Target=\"worksheets/sheet%zu.xml\"/>",
             i, i);
    xmlf(w,
         "<Relationship Id=\"rId%zu\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
         "2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>",
         w->n_sheets + 1);
    entry_end(w);
    return part(w, "xl/styles.xml", XLSX_STYLES);
}

static bl_status finish_ods(bl_sheet_out *w)
{
    xml(w, "</office:spreadsheet></office:body></office:document-content>");
    entry_end(w);
    w->in_content = false;
    /* Frozen heading rows are view settings in ODF. */
    entry_begin(w, "settings.xml", false, NULL, 0);
    xml(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<office:document-settings"
           " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
           " xmlns:config=\"urn:oasis:names:tc:opendocument:xmlns:config:1.0\""
           " office:version=\"1.2\"><office:settings>"
           "<config:config-item-set config:name=\"ooo:view-settings\">"
           "<config:config-item-map-indexed config:name=\"Views\"><config:config-item-map-entry>"
           "<config:config-item config:name=\"ViewId\" config:type=\"string\">view1"
           "</config:config-item><config:config-item-map-named config:name=\"Tables\">");
    for (size_t i = 0; i < w->n_sheets; i++) {
        if (!w->frozen[i])
            continue;
        xml(w, "<config:config-item-map-entry config:name=\"");
        xml_text(w, w->names[i]);
        xml(w, "\">"
               "<config:config-item config:name=\"VerticalSplitMode\" "
               "config:type=\"short\">2</config:config-item>"
               "<config:config-item config:name=\"VerticalSplitPosition\" "
               "config:type=\"int\">1</config:config-item>"
               "<config:config-item config:name=\"ActiveSplitRange\" "
               "config:type=\"short\">2</config:config-item>"
               "<config:config-item config:name=\"PositionTop\" "
               "config:type=\"int\">0</config:config-item>"
               "<config:config-item config:name=\"PositionBottom\" "
               "config:type=\"int\">1</config:config-item>"
               "</config:config-item-map-entry>");
    }
    xml(w, "</config:config-item-map-named></config:config-item-map-entry>"
           "</config:config-item-map-indexed></config:config-item-set>"
           "</office:settings></office:document-settings>");
    entry_end(w);
    return part(w, "META-INF/manifest.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<manifest:manifest"
                " xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\""
                " manifest:version=\"1.2\">"
                "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\""
                " manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>"
                "<manifest:file-entry manifest:full-path=\"content.xml\""
                " manifest:media-type=\"text/xml\"/>"
                "<manifest:file-entry manifest:full-path=\"settings.xml\""
                " manifest:media-type=\"text/xml\"/>"
                "</manifest:manifest>");
}

static bl_status central_directory(bl_sheet_out *w)
{
    uint64_t start_cd = w->written;
    for (size_t i = 0; i < w->n_entries && w->rc == BL_OK; i++) {
        const entry *e = &w->entries[i];
        unsigned char h[46];
        size_t nl = strlen(e->name);
        le32(h, 0x02014b50);
        le16(h + 4, 20);
        le16(h + 6, 20);
        le16(h + 8, e->stored ? 0 : FLAG_DESCRIPTOR);
        le16(h + 10, e->stored ? 0 : 8);
        le16(h + 12, 0);
        le16(h + 14, DOS_DATE);
        le32(h + 16, e->crc);
        le32(h + 20, e->csize);
        le32(h + 24, e->usize);
        le16(h + 28, (unsigned)nl);
        le16(h + 30, 0);
        le16(h + 32, 0);
        le16(h + 34, 0);
        le16(h + 36, 0);
        le32(h + 38, 0);
        le32(h + 42, e->offset);
        emit(w, h, sizeof h);
        emit(w, e->name, nl);
    }
    unsigned char end[22];
    le32(end, 0x06054b50);
    le16(end + 4, 0);
    le16(end + 6, 0);
    le16(end + 8, (unsigned)w->n_entries);
    le16(end + 10, (unsigned)w->n_entries);
    le32(end + 12, (uint32_t)(w->written - start_cd));
    le32(end + 16, (uint32_t)start_cd);
    le16(end + 20, 0);
    return emit(w, end, sizeof end);
}

static void release(bl_sheet_out *w)
{
    if (w->z_live)
        deflateEnd(&w->z);
    for (size_t i = 0; i < w->n_sheets; i++)
        free(w->names[i]);
    free(w->entries);
    bl_buf_release(&w->xml);
    free(w);
}

bl_status bl_sheet_out_finish(bl_sheet_out *w, bool replace, char *err, size_t errlen)
{
    if (w->rc == BL_OK && w->n_sheets == 0)
        fail(w, BL_INTERNAL, "a spreadsheet without any sheet");
    sheet_end(w);
    if (w->fmt == BL_SHEET_XLSX)
        finish_xlsx(w);
    else
        finish_ods(w);
    central_directory(w);
    bl_status rc = w->rc;
    if (rc != BL_OK) {
        if (w->to_file)
            snprintf(err, errlen, _("cannot write '%s': %s"), w->file.path, w->errmsg);
        else
            snprintf(err, errlen, "%s", w->errmsg);
        if (w->to_file)
            bl_outfile_abort(&w->file);
    } else if (w->to_file) {
        rc = bl_outfile_commit(&w->file, replace, err, errlen);
    }
    release(w);
    return rc;
}

void bl_sheet_out_abort(bl_sheet_out *w)
{
    if (!w)
        return;
    if (w->to_file)
        bl_outfile_abort(&w->file);
    release(w);
}

bool bl_sheet_format_parse(const char *s, bl_sheet_format *f)
{
    if (strcasecmp(s, "xlsx") == 0)
        *f = BL_SHEET_XLSX;
    else if (strcasecmp(s, "ods") == 0)
        *f = BL_SHEET_ODS;
    else
        return false;
    return true;
}
