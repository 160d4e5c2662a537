/* Fuzz target: the network's CSV table reader (partners.csv, libraries.csv,
 * resources.csv, forfaits.csv are kept in spreadsheets by users): encoding
 * and delimiter guessing, quoting, header normalisation, line numbers. */
#include "fuzz_common.h"

#include <string.h>
#include <unistd.h>

#include "csv_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    bl_csv_table t;
    memset(&t, 0, sizeof t);
    char err[512];
    if (bl__csv_table_read(path, &t, err, sizeof err) == BL_OK) {
        for (size_t c = 0; c < t.ncols; c++)
            fz_touch(t.header[c], strlen(t.header[c]) + 1);
        static const char *const names[] = {"id", "name", "aliases", "ip_ranges", NULL};
        int col = bl__csv_col(&t, names);
        for (size_t r = 0; r < t.nrows; r++) {
            const char *cell = bl__csv_cell(&t.rows[r], col < 0 ? 0 : col);
            fz_touch(cell, strlen(cell) + 1);
            /* Cells past a short row's end must read as "". */
            size_t past = t.rows[r].ncells > t.ncols ? t.rows[r].ncells : t.ncols;
            const char *far = bl__csv_cell(&t.rows[r], (int)past + 3);
            if (far[0] != '\0')
                __builtin_trap();
        }
    } else {
        err[sizeof err - 1] = '\0';
        fz_touch(err, strlen(err));
    }
    bl__csv_table_free(&t);
    close(fd);
    return 0;
}
