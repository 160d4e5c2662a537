/* Fuzz target: the spreadsheet reader (ingest/sheet.c; xlsx and ods through
 * libzip and expat). Every input goes through detection and dispatch
 * (bl_ingest_file, as `bilan ingest` does: the COUNTER readers over sheet
 * rows), then through the row reader directly, every cell of every row
 * touched, then as a network list (bl__csv_table_read). */
#include "fuzz_common.h"

#include <stdlib.h>
#include <unistd.h>

#include "bilan/ingest.h"
#include "csv_table.h"
#include "sheet.h"

static void rows(const char *path)
{
    bl_sheet *s = NULL;
    char *err = NULL;
    if (bl_sheet_open(path, NULL, &s, &err) != BL_OK) {
        free(err);
        return;
    }
    bool eof = false;
    unsigned long prev = 0;
    while (bl_sheet_next(s, &eof) == BL_OK && !eof) {
        unsigned long row = bl_sheet_row(s);
        if (row == 0 || row > BL_SHEET_ROWS_MAX)
            abort(); /* row numbers are the sheet's, 1 to 1 048 576 */
        if (bl_sheet_type_of(s) == BL_SHEET_ODS && row <= prev)
            abort(); /* ods rows are numbered in order */
        prev = row;
        size_t n = bl_sheet_ncells(s);
        if (n > BL_SHEET_COLS_MAX)
            abort();
        for (size_t i = 0; i <= n; i++) {
            bl_cell_kind k;
            bl_sv v = bl_sheet_cell(s, i, &k);
            fz_touch(v.ptr, v.len);
            if (k == BL_CELL_DATE && v.len != 10)
                abort(); /* dates are YYYY-MM-DD */
        }
    }
    fz_touch(bl_sheet_errmsg(s), 1);
    bl_sheet_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    bl_ingest_opts o = {.format = BL_FMT_AUTO, .strict = size % 2 == 1};
    char *err = NULL;
    bl_ingest_file(path, &o, &fz_sink, &err);
    free(err);
    rows(path);
    bl_csv_table t;
    char msg[512];
    if (bl__csv_table_read(path, &t, msg, sizeof msg) == BL_OK)
        bl__csv_table_free(&t);
    close(fd);
    return 0;
}
