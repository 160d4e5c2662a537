/* Spreadsheets read row by row (internal to ingest/): Office Open XML
 * (.xlsx, libzip + expat) and OpenDocument (.ods, libzip + expat), told
 * apart by their content, never by the file's name (docs/spreadsheets.md).
 *
 * The sheet's XML is streamed through expat from zip_fread chunks: memory is
 * one chunk, one row and (xlsx) the shared strings, capped, whatever the
 * size of the sheet. Every member of the zip is checked against caps on its
 * uncompressed size and on its compression ratio before a byte of it is
 * inflated (zip bombs); a truncated or corrupt zip is refused whole.
 *
 * Cells come out as UTF-8 text: strings as written; numbers in their
 * shortest exact decimal form ("1234", never "1234.0" or "1.234E3");
 * booleans as TRUE / FALSE; formula errors (#DIV/0!, #REF!...) as a kind
 * of their own; date-formatted numbers (xlsx: built-in formats 14-22 and
 * 45-47 and custom formats with day, month or year tokens, in the 1900 or
 * the 1904 date system; ods: office:date-value) as ISO "YYYY-MM-DD".
 * Row numbers are the spreadsheet's own (1-based), so messages name the
 * row the user sees.
 */
#ifndef BILAN_SHEET_H
#define BILAN_SHEET_H

#include "ingest_internal.h"

typedef struct bl_sheet bl_sheet;

typedef enum bl_sheet_type {
    BL_SHEET_NONE = 0, /* not a spreadsheet this reader knows */
    BL_SHEET_XLSX,
    BL_SHEET_ODS,
    BL_SHEET_XLS /* recognised (OLE2 compound file) but not read: see docs */
} bl_sheet_type;

typedef enum bl_cell_kind {
    BL_CELL_EMPTY = 0,
    BL_CELL_TEXT,
    BL_CELL_NUMBER,
    BL_CELL_BOOL,
    BL_CELL_DATE, /* text is "YYYY-MM-DD" */
    BL_CELL_ERROR /* text is the error as the spreadsheet shows it: "#DIV/0!" */
} bl_cell_kind;

/* Caps (docs/spreadsheets.md "Limites"). */
#define BL_SHEET_MEMBER_MAX (1024ull * 1024 * 1024) /* uncompressed bytes of one zip member */
#define BL_SHEET_RATIO_MAX 200                      /* uncompressed / compressed, for big members */
#define BL_SHEET_SST_MAX (64u * 1024 * 1024)        /* bytes of shared strings kept */
#define BL_SHEET_ROW_MAX (256u * 1024)              /* text bytes of one row */
#define BL_SHEET_COLS_MAX 1024                      /* columns read per row */
#define BL_SHEET_ROWS_MAX 1048576ul                 /* rows of a sheet (Excel's limit) */

/* The spreadsheet type the first bytes of a file say: a zip (then
 * bl_sheet_open looks at its members) or an OLE2 compound file (.xls).
 * BL_SHEET_NONE otherwise. Only the magic numbers are looked at. */
bl_sheet_type bl__sheet_sniff(const char *head, size_t n);

/* Opens a spreadsheet and selects the sheet named `name` (NULL: the first).
 * BL_DATA with *errmsg "PATH: reason" when the file is not a readable xlsx
 * or ods (corrupt or truncated zip, a member over the caps, no such sheet);
 * BL_NOINPUT when it cannot be opened; BL_NOMEM. */
bl_status bl_sheet_open(const char *path, const char *name, bl_sheet **out, char **errmsg);
bl_sheet_type bl_sheet_type_of(const bl_sheet *s);
/* A refusal's hint about an xlsx's sheets other than the one opened: fmt
 * (one %s: "'Lisez-moi', 'Données'", as many as fit a few hundred bytes)
 * into out, or "" when there are none (or an ods; s may be NULL).
 * Returns out. */
const char *bl_sheet_others_hint(const bl_sheet *s, const char *fmt, char *out, size_t n)
    __attribute__((format(printf, 2, 0)));

/* Reads the next row that holds at least one element in the file (a row
 * the file leaves out, or repeats empty, is skipped: compare row numbers).
 * BL_OK with *eof false: the row is current; BL_OK with *eof true at the
 * end; BL_DATA when the sheet's XML is damaged (bl_sheet_errmsg says where). */
bl_status bl_sheet_next(bl_sheet *s, bool *eof);
/* Makes the next bl_sheet_next hand out the current row again (a reader
 * that looked at the first row to decide what the sheet is). */
void bl_sheet_unread(bl_sheet *s);
/* The current row's number (1-based, as the spreadsheet shows it). */
unsigned long bl_sheet_row(const bl_sheet *s);
/* Number of cells of the current row (the last non-empty column + 1). */
size_t bl_sheet_ncells(const bl_sheet *s);
/* Cell i (0-based column) of the current row: text valid until the next
 * bl_sheet_next; an empty view and BL_CELL_EMPTY past the end. */
bl_sv bl_sheet_cell(const bl_sheet *s, size_t i, bl_cell_kind *kind);
/* Bytes of text of the current row (its cells one after the other). */
size_t bl__sheet_row_bytes(const bl_sheet *s);
/* True when the current row's text went over BL_SHEET_ROW_MAX (its cells
 * are then cut). */
bool bl_sheet_row_too_long(const bl_sheet *s);
/* The last error, borrowed ("" when none). */
const char *bl_sheet_errmsg(const bl_sheet *s);
void bl_sheet_close(bl_sheet *s);

/* Formats a number cell's value as written in the file ("1234.0",
 * "1.5E-3", "12") in its shortest exact decimal form ("1234", "0.0015").
 * False when v is not a number. */
bool bl__sheet_number_text(const char *v, char *out, size_t n);
/* An Excel date serial to "YYYY-MM-DD" (1900 system, with its phantom
 * 29 February 1900, or 1904 system). False when out of range. */
bool bl__sheet_serial_date(double serial, bool date1904, char out[11]);

/* Reads a spreadsheet file with the reader its first rows call for: COUNTER
 * R5 or R4 (with or without their header block), or a refusal naming what
 * was expected (ingest/sheet_ingest.c; vendor profiles are matched there
 * too). Same contract as bl_ingest_file, content identity included. */
bl_status bl__sheet_ingest(const char *path, const bl_ingest_opts *opts, const bl_sink *sink,
                           char **errmsg);

#endif
