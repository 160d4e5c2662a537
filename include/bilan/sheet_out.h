/* bilan — render layer: writing spreadsheets (Office Open XML .xlsx and
 * OpenDocument .ods) as a stream: sheets of rows, numbers as numbers, text
 * as inline strings, a bold heading row that can stay frozen on screen.
 * Memory is bounded whatever the number of rows: each sheet's XML is
 * deflated into the zip archive as it is written (entries carry a data
 * descriptor, so the output need not be seekable). Written by
 * render/sheet_out.c with zlib; see docs/exports.md.
 *
 * Usage: open, then for each sheet bl_sheet_out_sheet, then for each row
 * bl_sheet_out_row followed by its cells, then bl_sheet_out_finish (which
 * frees the handle whatever happens) or bl_sheet_out_abort.
 *
 * Errors are sticky: after a failure every call returns the same status and
 * bl_sheet_out_errmsg says why; the caller may check only at finish.
 *
 * Ownership: arguments are borrowed; the handle copies what it keeps.
 */
#ifndef BILAN_SHEET_OUT_H
#define BILAN_SHEET_OUT_H

#include "bilan/common.h"

typedef enum bl_sheet_format { BL_SHEET_XLSX, BL_SHEET_ODS } bl_sheet_format;

typedef struct bl_sheet_out bl_sheet_out;

/* Where the archive's bytes go when not to a file: BL_OK or a status that
 * stops the writer (BL_IO for a write error). */
typedef bl_status (*bl_sheet_write_fn)(void *ctx, const void *p, size_t n);

/* A writer whose bytes go to fn. BL_NOMEM. */
bl_status bl_sheet_out_open(bl_sheet_out **out, bl_sheet_format f, bl_sheet_write_fn fn, void *ctx);
/* A writer into a new file at path, written under a temporary name and
 * renamed at finish (bl_outfile_*): a reader never sees half a file.
 * BL_CANTCREAT with the reason in err. */
bl_status bl_sheet_out_open_file(bl_sheet_out **out, bl_sheet_format f, const char *path, char *err,
                                 size_t errlen);

/* Starts a new sheet named name (UTF-8; characters a spreadsheet refuses in
 * a sheet name, []:*?/\, become '-', and it is cut to 31 characters; the
 * caller keeps names unique). freeze_first_row: the first row stays on
 * screen when scrolling. */
bl_status bl_sheet_out_sheet(bl_sheet_out *w, const char *name, bool freeze_first_row);
/* Starts a new row of the current sheet; bold: every cell of the row is
 * bold (a heading). */
bl_status bl_sheet_out_row(bl_sheet_out *w, bool bold);
/* Cells, left to right. Text is UTF-8 (invalid bytes become U+FFFD,
 * control characters are dropped); it is never read as a formula. */
bl_status bl_sheet_out_text(bl_sheet_out *w, const char *s);
bl_status bl_sheet_out_int(bl_sheet_out *w, int64_t v);
/* v / 10^decimals as a number shown with that many decimals (money in
 * cents: decimals 2), written exactly, without floating point. decimals
 * 0 to 6. */
bl_status bl_sheet_out_fixed(bl_sheet_out *w, int64_t v, int decimals);
/* An empty cell. */
bl_status bl_sheet_out_empty(bl_sheet_out *w);

/* The first failure's status (BL_OK when none) and its reason ("" when
 * none; borrowed). */
bl_status bl_sheet_out_status(const bl_sheet_out *w);
const char *bl_sheet_out_errmsg(const bl_sheet_out *w);

/* Writes what remains (the workbook, the central directory), then, for a
 * file, flushes and renames it into place (replace: over an existing file;
 * else an existing name is BL_CANTCREAT). Frees w. On failure the file is
 * not left behind and err says why. */
bl_status bl_sheet_out_finish(bl_sheet_out *w, bool replace, char *err, size_t errlen);
/* Frees w, removing the temporary file; accepts NULL. */
void bl_sheet_out_abort(bl_sheet_out *w);

/* "xlsx" / "ods": parses a format name, case-insensitively. */
bool bl_sheet_format_parse(const char *s, bl_sheet_format *f);

/* ---- a report's figures as a workbook (render/model_sheet.c) ---------------------------- */

struct bl_model;
/* Writes the figures of report model m into w, one sheet per table of its
 * PDF, in French like the PDF, with the months as columns: for a partner
 * report « Chiffres clés », « Par ressource » (each resource's months, the
 * period's and the previous period's totals) and « Forfaits » when it has
 * gauges; for a network report « Par ressource » and « Par partenaire ».
 * The figures are the model's, through the same functions as the PDF
 * (bl_model_sum, bl_model_total_of, bl_model_compare): no data is an empty
 * cell, never 0. Returns the writer's status. */
bl_status bl_render_sheet(const struct bl_model *m, bl_sheet_out *w);

#endif
