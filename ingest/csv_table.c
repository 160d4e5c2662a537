/* In-memory CSV tables for the network's reference files (libcsv). */
#include "csv_table.h"
#include "counter_internal.h" /* bl__ctr_col_name */
#include "sheet.h"

#include "bilan/i18n.h"

#include <stdint.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define MAX_TABLE_BYTES (64u << 20)

struct builder {
    bl_csv_table *t;
    unsigned long cur_line, row_line;
    char **cells;
    size_t ncells, alloc;
    bool nomem;
};

static void on_field(void *s, size_t len, void *data)
{
    struct builder *b = data;
    if (b->nomem)
        return;
    if (b->ncells == 0)
        b->row_line = b->cur_line;
    if (b->ncells == b->alloc) {
        size_t na = b->alloc ? b->alloc * 2 : 16;
        char **nc = realloc(b->cells, na * sizeof *nc);
        if (!nc) {
            b->nomem = true;
            return;
        }
        b->cells = nc;
        b->alloc = na;
    }
    bl_sv v = bl_sv_trim((bl_sv){s, len});
    char *c = bl_sv_dup(v);
    if (!c) {
        b->nomem = true;
        return;
    }
    b->cells[b->ncells++] = c;
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

static void on_row(int c, void *data)
{
    (void)c;
    struct builder *b = data;
    if (b->nomem)
        return;
    bool blank = true;
    for (size_t i = 0; i < b->ncells; i++)
        if (b->cells[i][0])
            blank = false;
    if (blank) { /* empty or delimiter-only rows are skipped */
        for (size_t i = 0; i < b->ncells; i++)
            free(b->cells[i]);
        b->ncells = 0;
        return;
    }
    bl_csv_table *t = b->t;
    bl_csv_row *nr = realloc(t->rows, (t->nrows + 1) * sizeof *nr);
    if (!nr) {
        b->nomem = true;
        return;
    }
    t->rows = nr;
    char **cells = malloc((b->ncells ? b->ncells : 1) * sizeof *cells);
    if (!cells) {
        b->nomem = true;
        return;
    }
    memcpy(cells, b->cells, b->ncells * sizeof *cells);
    t->rows[t->nrows++] = (bl_csv_row){b->row_line, b->ncells, cells};
    b->ncells = 0;
}

/* A heading as the columns' names are written: its name key (case,
 * accents and spacing ignored: « Coût annuel » is cout_annuel, « Année
 * population » annee_population), then spaces, '-' and apostrophes as '_'.
 * Until 3 December 2026 an accented heading matched nothing and its column
 * was ignored without a word. */
static char *normalise_heading(const char *s)
{
    size_t n = strlen(s);
    char *h = malloc(n + 1);
    if (!h)
        return NULL;
    n = bl_name_fold(bl_sv_from(s), h, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == ' ' || h[i] == '-' || h[i] == '\'')
            h[o++] = '_';
        else if ((unsigned char)h[i] == 0xE2 && i + 2 < n && (unsigned char)h[i + 1] == 0x80 &&
                 (unsigned char)h[i + 2] == 0x99) /* ’ */
            h[o++] = '_', i += 2;
        else
            h[o++] = h[i];
    }
    h[o] = '\0';
    return h;
}

static char guess_delim(const char *p, size_t n)
{
    size_t commas = 0, semis = 0, tabs = 0;
    bool q = false;
    for (size_t i = 0; i < n && p[i] != '\n'; i++) {
        if (p[i] == '"')
            q = !q;
        else if (!q && p[i] == ',')
            commas++;
        else if (!q && p[i] == ';')
            semis++;
        else if (!q && p[i] == '\t')
            tabs++;
    }
    if (tabs > commas && tabs > semis)
        return '\t';
    return semis > commas ? ';' : ',';
}

/* The first row is the header; no row may be wider than it. */
static bl_status finish_table(bl_csv_table *t, const char *path, char *err, size_t errlen)
{
    bl_status rc = BL_OK;
    if (t->nrows == 0) {
        snprintf(err, errlen, _("%s: empty file: expected a header row"), path);
        rc = BL_DATA;
        return rc;
    }
    /* The first row is the header. */
    bl_csv_row hdr = t->rows[0];
    t->ncols = hdr.ncells;
    t->header = calloc(hdr.ncells ? hdr.ncells : 1, sizeof *t->header);
    if (!t->header) {
        rc = BL_NOMEM;
        return rc;
    }
    for (size_t i = 0; i < hdr.ncells; i++)
        if (!(t->header[i] = normalise_heading(hdr.cells[i]))) {
            rc = BL_NOMEM;
            return rc;
        }
    t->heading = hdr.cells;
    memmove(t->rows, t->rows + 1, (t->nrows - 1) * sizeof *t->rows);
    t->nrows--;
    if (!(t->used = calloc(t->ncols ? t->ncols : 1, sizeof *t->used)) ||
        !(t->clash = calloc(2, sizeof *t->clash)))
        return BL_NOMEM;
    /* The same heading twice: which column is read would be a guess. */
    for (size_t i = 0; i < t->ncols; i++)
        for (size_t j = i + 1; j < t->ncols && *t->header[i]; j++)
            if (strcmp(t->header[i], t->header[j]) == 0) {
                snprintf(err, errlen,
                         _("%s:1: two columns have the heading '%s' (columns %zu and %zu): "
                           "keep one"),
                         path, t->heading[j], i + 1, j + 1);
                return BL_DATA;
            }
    /* A row wider than its header has its values shifted (an unquoted
     * delimiter inside a cell): every later cell would land in the wrong
     * column, silently. A narrower row is the caller's to judge (its
     * missing trailing cells read as empty). */
    for (size_t i = 0; i < t->nrows; i++) {
        const bl_csv_row *r = &t->rows[i];
        if (r->ncells > t->ncols) {
            if (!t->delim)
                snprintf(err, errlen,
                         _("%s:%lu: %zu cells but the header has %zu: every column needs a "
                           "heading in the first row"),
                         path, r->line, r->ncells, t->ncols);
            else if (t->delim == '\t')
                snprintf(err, errlen,
                         _("%s:%lu: %zu cells but the header has %zu: a tab inside a cell must "
                           "be quoted (\"...\")"),
                         path, r->line, r->ncells, t->ncols);
            else
                snprintf(err, errlen,
                         _("%s:%lu: %zu cells but the header has %zu: a '%c' inside a cell must "
                           "be quoted (\"...\")"),
                         path, r->line, r->ncells, t->ncols, t->delim == ';' ? ';' : ',');
            rc = BL_DATA;
            return rc;
        }
    }
    return rc;
}

/* A spreadsheet's first sheet as a table (xlsx, ods: by content): the
 * same rows as its CSV, line being the spreadsheet's row number. A formula
 * error in a cell refuses the table (its value is unknown). */
static bl_status sheet_table_read(const char *path, bl_csv_table *t, char *err, size_t errlen)
{
    bl_sheet *sh = NULL;
    char *msg = NULL;
    bl_status rc = bl_sheet_open(path, NULL, &sh, &msg);
    if (rc != BL_OK) {
        snprintf(err, errlen, "%s", msg ? msg : bl_status_str(rc));
        free(msg);
        return rc;
    }
    struct builder b = {.t = t};
    if (!(t->path = strdup(path)))
        b.nomem = true;
    bool eof = false;
    size_t bytes = 0; /* the table's size so far: capped as a CSV file is */
    while (!b.nomem) {
        if ((rc = bl_sheet_next(sh, &eof)) != BL_OK) {
            snprintf(err, errlen, "%s: %s", path, bl_sheet_errmsg(sh));
            break;
        }
        if (eof)
            break;
        b.cur_line = bl_sheet_row(sh);
        if (bl_sheet_row_too_long(sh)) {
            snprintf(err, errlen, _("%s:%lu: row longer than %u bytes"), path, b.cur_line,
                     BL_SHEET_ROW_MAX);
            rc = BL_DATA;
            break;
        }
        size_t n = bl_sheet_ncells(sh);
        if ((bytes += n * sizeof(char *) + bl__sheet_row_bytes(sh)) > MAX_TABLE_BYTES) {
            snprintf(err, errlen, _("%s:%lu: sheet too large for a reference table"), path,
                     b.cur_line);
            rc = BL_DATA;
            break;
        }
        for (size_t i = 0; i < n && !b.nomem; i++) {
            bl_cell_kind kind;
            bl_sv v = bl_sheet_cell(sh, i, &kind);
            if (kind == BL_CELL_ERROR) {
                char letter[16];
                bl__ctr_col_name(i, letter);
                snprintf(err, errlen, _("%s:%lu: column %s: the cell holds the formula error %.*s"),
                         path, b.cur_line, letter, (int)(v.len > 40 ? 40 : v.len), v.ptr);
                rc = BL_DATA;
                break;
            }
            /* libcsv's callback type: the cell is only read (copied). */
            on_field((void *)(uintptr_t)v.ptr, v.len, &b);
        }
        if (rc != BL_OK)
            break;
        on_row(0, &b);
    }
    free_cells(b.cells, b.ncells);
    bl_sheet_close(sh);
    if (rc == BL_OK && b.nomem)
        rc = BL_NOMEM;
    if (rc == BL_OK)
        rc = finish_table(t, path, err, errlen);
    if (rc != BL_OK)
        bl__csv_table_free(t);
    return rc;
}

bl_status bl__csv_table_read(const char *path, bl_csv_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    bl_status rc = BL_OK;
    /* A Windows-1252 byte is at most 3 bytes of UTF-8 (€ is E2 82 AC): the
     * conversion of a table under the cap always fits. */
    bl_buf raw = BL_BUF_INIT(MAX_TABLE_BYTES), conv = BL_BUF_INIT(MAX_TABLE_BYTES * 3);
    struct csv_parser p;
    bool parser_ready = false;
    struct builder b = {.t = t};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, _("cannot open '%s': %s"), path, strerror(errno));
        return errno == ENOENT ? BL_NOINPUT : BL_IO;
    }
    char chunk[65536];
    size_t got = fread(chunk, 1, 8, f);
    if (bl__sheet_sniff(chunk, got) == BL_SHEET_XLS) {
        fclose(f);
        snprintf(err, errlen,
                 _("%s: legacy Excel workbook (.xls) is not read: save it as .xlsx, .ods or .csv"),
                 path);
        return BL_DATA;
    }
    if (bl__sheet_sniff(chunk, got) != BL_SHEET_NONE) {
        fclose(f);
        return sheet_table_read(path, t, err, errlen);
    }
    rewind(f);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = bl_buf_append(&raw, chunk, got);
        if (rc != BL_OK) {
            snprintf(err, errlen, _("%s: file too large for a reference table"), path);
            goto out;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, _("cannot read '%s': %s"), path, strerror(errno));
        rc = BL_IO;
        goto out;
    }
    const char *data = raw.data ? raw.data : "";
    size_t len = raw.len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, len -= 3;
    if (len >= 2 && ((unsigned char)data[0] == 0xFF || (unsigned char)data[0] == 0xFE) &&
        (unsigned char)data[1] == ((unsigned char)data[0] ^ 1)) {
        snprintf(err, errlen,
                 _("%s: UTF-16 text (Excel's \"Unicode Text\"): not read; save the file as "
                   "\"CSV UTF-8\""),
                 path);
        rc = BL_DATA;
        goto out;
    }
    if (memchr(data, '\0', len)) {
        snprintf(err, errlen, _("%s: binary data (NUL byte), not a CSV table"), path);
        rc = BL_DATA;
        goto out;
    }
    if (!bl_utf8_valid(data, len)) {
        /* A file not UTF-8 as a whole that holds UTF-8 letters (a line
         * pasted from another file): read as Windows-1252 they would be
         * « Ã© », names printed wrong in every report. Refused, with the
         * line (until 3 December 2026 imported garbled). */
        unsigned long line = 1;
        for (size_t i = 0; i + 1 < len; i++) {
            line += data[i] == '\n';
            unsigned char a = (unsigned char)data[i], z = (unsigned char)data[i + 1];
            unsigned char y = i + 2 < len ? (unsigned char)data[i + 2] : 0;
            /* A UTF-8 letter or sign of Latin-1 (é, °, «) or a typographic
             * one (’ « € …: E2 80..82 xx): in Windows-1252 text these pairs
             * would be « Ã© », « Â° », « â€™ », never written. */
            bool pair = a >= 0xC2 && a <= 0xC5 && z >= 0x80 && z <= 0xBF;
            bool triple = a == 0xE2 && z >= 0x80 && z <= 0x82 && y >= 0x80 && y <= 0xBF;
            if (pair || triple) {
                snprintf(err, errlen,
                         _("%s:%lu: this line is UTF-8 where the file is not (it mixes two "
                           "encodings: its accented letters would read as \"Ã©\"): save the "
                           "whole file as \"CSV UTF-8\""),
                         path, line);
                rc = BL_DATA;
                goto out;
            }
        }
        /* Spreadsheets saved "CSV (séparateur : point-virgule)" by Excel
         * on Windows are Windows-1252. */
        rc = bl_cp1252_to_utf8(&conv, data, len);
        if (rc != BL_OK) {
            snprintf(err, errlen, _("%s: out of memory while converting from Windows-1252"), path);
            goto out;
        }
        data = conv.data, len = conv.len;
        t->cp1252 = true;
    }
    if (!(t->path = strdup(path))) {
        snprintf(err, errlen, _("%s: out of memory"), path);
        rc = BL_NOMEM;
        goto out;
    }
    t->delim = guess_delim(data, len);
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        rc = BL_NOMEM;
        goto out;
    }
    parser_ready = true;
    csv_set_delim(&p, (unsigned char)t->delim);
    /* Feed one physical line at a time so every row knows its line. */
    size_t pos = 0;
    b.cur_line = 1;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
        if (csv_parse(&p, data + pos, l, on_field, on_row, &b) != l) {
            snprintf(err, errlen, "%s:%lu: %s", path, b.cur_line, csv_strerror(csv_error(&p)));
            rc = BL_DATA;
            goto out;
        }
        pos += l;
        b.cur_line++;
    }
    b.cur_line--;
    csv_fini(&p, on_field, on_row, &b);
    if (b.nomem) {
        rc = BL_NOMEM;
        goto out;
    }
    rc = finish_table(t, path, err, errlen);
out:
    if (parser_ready)
        csv_free(&p);
    free_cells(b.cells, b.ncells);
    if (rc != BL_OK && rc != BL_NOINPUT)
        bl__csv_table_free(t);
    bl_buf_release(&raw);
    bl_buf_release(&conv);
    fclose(f);
    return rc;
}

void bl__csv_table_free(bl_csv_table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        free_cells(t->rows[i].cells, t->rows[i].ncells);
    free(t->rows);
    if (t->header)
        free_cells(t->header, t->ncols);
    if (t->heading)
        free_cells(t->heading, t->ncols);
    free(t->used);
    free(t->clash);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int bl__csv_col(const bl_csv_table *t, const char *const *names)
{
    for (; *names; names++)
        for (size_t i = 0; i < t->ncols; i++)
            if (strcmp(t->header[i], *names) == 0) {
                if (t->used)
                    t->used[i] = true;
                for (const char *const *o = names + 1; *o && t->clash && !t->clash[0]; o++)
                    for (size_t j = 0; j < t->ncols; j++)
                        if (j != i && strcmp(t->header[j], *o) == 0)
                            t->clash[0] = i + 1, t->clash[1] = j + 1;
                return (int)i;
            }
    return -1;
}

const char *bl__csv_cell(const bl_csv_row *r, int col)
{
    if (col < 0 || (size_t)col >= r->ncells)
        return "";
    return r->cells[col];
}
