/* A spreadsheet file to its reader: what its first row says it is (COUNTER
 * R5 or R4), then the same COUNTER readers as for CSV/TSV over the sheet's
 * rows (bl__ctr_reader_init_sheet). The content identity of a spreadsheet is
 * the hash of the file's bytes (docs/spreadsheets.md says why). */
#include "counter_internal.h"
#include "profile_internal.h"
#include "sheet.h"

#include "bilan/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuses the spreadsheet (BL_DIAG_FILE and "PATH: reason"); fmt is
 * translated here. */
static bl_status sheet_refuse(const char *path, const bl_sink *sink, char **errmsg, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));
static bl_status sheet_refuse(const char *path, const bl_sink *sink, char **errmsg, const char *fmt,
                              ...)
{
    char reason[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    if (sink->diag) {
        bl_diag d = {BL_DIAG_FILE, path, 0, NULL, reason, NULL};
        sink->diag(sink->ctx, &d);
    }
    free(*errmsg);
    *errmsg = bl_strdup_printf("%s: %s", path, reason);
    return BL_DATA;
}

/* What the sheet's first row says it is: BL_FMT_AUTO when nothing known. */
static bl_format first_row_format(bl_sheet *sh)
{
    bl_sv a1 = bl_sv_trim(bl_sheet_cell(sh, 0, NULL));
    char id[16];
    if (bl__ctr_r4_report_id(a1, id))
        return BL_FMT_COUNTER4;
    if (bl__ctr_norm_eq(a1, "reportname"))
        return BL_FMT_COUNTER5;
    /* A table without its header block: its column row. */
    bl_sv cells[64];
    size_t n = bl_sheet_ncells(sh) < 64 ? bl_sheet_ncells(sh) : 64;
    for (size_t i = 0; i < n; i++)
        cells[i] = bl_sv_trim(bl_sheet_cell(sh, i, NULL));
    if (bl__ctr_headerless_r5(cells, n))
        return BL_FMT_COUNTER5;
    if (bl__ctr_headerless_r4(cells, n, id))
        return BL_FMT_COUNTER4;
    return BL_FMT_AUTO;
}

/* The one place where a sheet's kind is decided from its first row. */
static bl_status bl__sheet_dispatch(bl_sheet *sh, const char *path, const bl_ingest_opts *opts,
                                    const bl_sink *sink, char **errmsg)
{
    bl_format f = opts->format;
    if (f == BL_FMT_AUTO) {
        bool eof = false;
        bl_status st = bl_sheet_next(sh, &eof);
        if (st != BL_OK)
            return sheet_refuse(path, sink, errmsg, "%s", bl_sheet_errmsg(sh));
        if (eof)
            return sheet_refuse(path, sink, errmsg,
                                "empty spreadsheet (no cell in its first sheet)");
        f = first_row_format(sh);
        /* Vendor profiles are matched here, on the same first rows, when
         * the sheet is not a COUNTER report. */
        /* ---- profile */
        if (f == BL_FMT_AUTO && opts->nprofiles) {
            const bl_profile *p = NULL;
            char *amb = NULL;
            bl_status ms = bl__profile_match_sheet(path, opts, &p, &amb);
            if (ms == BL_DATA && amb)
                ms = sheet_refuse(path, sink, errmsg, "%s", bl_after_path(amb, path));
            free(amb);
            if (ms != BL_OK || p)
                return ms != BL_OK ? ms : bl__profile_read_sheet(path, p, opts, sink, errmsg);
        }
        /* ---- end profile */
        if (f == BL_FMT_AUTO) {
            char q[64];
            bl__ctr_quote(bl_sv_trim(bl_sheet_cell(sh, 0, NULL)), q);
            char hint[512];
            bl_sheet_others_hint(sh,
                                 _("; the workbook has other sheets (%s): bilan reads the first, "
                                   "a vendor profile another with sheet = NAME (docs/profiles.md)"),
                                 hint, sizeof hint);
            return sheet_refuse(
                path, sink, errmsg,
                "spreadsheet that is not a COUNTER report: its first row (row %lu) "
                "starts with '%s', expected Report_Name (COUNTER R5), a report name "
                "such as 'Journal Report 1 (R4)' (COUNTER R4), or COUNTER R5 column "
                "headings (Platform, Database, Title or Item, and Metric_Type)%s",
                bl_sheet_row(sh), q, hint);
        }
        bl_sheet_unread(sh);
    }
    switch (f) {
    case BL_FMT_COUNTER5:
        return bl__counter5_read_sheet(sh, path, opts, sink, errmsg);
    case BL_FMT_COUNTER4:
        return bl__counter4_read_sheet(sh, path, opts, sink, errmsg);
    default:
        return sheet_refuse(
            path, sink, errmsg,
            "a spreadsheet cannot be read as --format %s (only as a COUNTER report)",
            bl_format_name(f));
    }
}

/* The identity of a spreadsheet: its bytes, hashed as any file is (the
 * source's XXH3-128), and its last row number as its line count. */
static bl_status file_end(const char *path, unsigned long rows, const bl_sink *sink, char **errmsg)
{
    bl_source *src = NULL;
    bl_status st = bl_source_open(path, &src, errmsg);
    if (st != BL_OK)
        return st;
    bl_file_end e;
    st = bl__source_drain(src);
    if (st != BL_OK) {
        st = sheet_refuse(path, sink, errmsg, "%s", bl_source_errmsg(src));
    } else if (bl__source_end(src, &e) && sink->end) {
        e.lines = rows;
        st = sink->end(sink->ctx, &e);
    }
    bl_source_close(src);
    return st;
}

bl_status bl__sheet_ingest(const char *path, const bl_ingest_opts *opts, const bl_sink *sink,
                           char **errmsg)
{
    char head[8];
    size_t got = 0;
    bl_status st = bl_source_peek(path, head, sizeof head, &got, errmsg);
    if (st != BL_OK)
        return st;
    if (bl__sheet_sniff(head, got) == BL_SHEET_XLS)
        return sheet_refuse(
            path, sink, errmsg,
            "legacy Excel workbook (.xls) is not read: open it and save it as .xlsx "
            "or .ods (docs/spreadsheets.md)");
    /* ---- profile: forced (--profile), or asked for (--format profile) */
    if (opts->profile || opts->format == BL_FMT_PROFILE) {
        const bl_profile *p = opts->profile;
        char *amb = NULL;
        if (!p && (st = bl__profile_match_sheet(path, opts, &p, &amb)) != BL_OK) {
            if (st == BL_DATA && amb)
                st = sheet_refuse(path, sink, errmsg, "%s", bl_after_path(amb, path));
            free(amb);
            return st;
        }
        if (!p)
            return sheet_refuse(
                path, sink, errmsg,
                "no profile of the network matches this spreadsheet (%zu tried; see "
                "docs/profiles.md)",
                opts->nprofiles);
        st = bl__profile_read_sheet(path, p, opts, sink, errmsg);
        return st == BL_OK ? file_end(path, 0, sink, errmsg) : st;
    }
    /* ---- end profile */
    bl_sheet *sh = NULL;
    st = bl_sheet_open(path, NULL, &sh, errmsg);
    if (st == BL_DATA && sink->diag) {
        const char *reason = *errmsg ? bl_after_path(*errmsg, path) : _("unreadable spreadsheet");
        bl_diag d = {BL_DIAG_FILE, path, 0, NULL, reason, NULL};
        sink->diag(sink->ctx, &d);
    }
    if (st != BL_OK)
        return st;
    st = bl__sheet_dispatch(sh, path, opts, sink, errmsg);
    unsigned long rows = bl_sheet_row(sh);
    bl_sheet_close(sh);
    if (st == BL_OK)
        st = file_end(path, rows, sink, errmsg);
    return st;
}
