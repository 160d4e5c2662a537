/* A small in-memory CSV table reader for the network's reference files:
 * UTF-8 (BOM or not) or Windows-1252, comma, semicolon or tab, a header row,
 * physical line numbers kept for every row. Not for big feeds. */
#ifndef BILAN_CSV_TABLE_H
#define BILAN_CSV_TABLE_H

#include "bilan/common.h"

typedef struct bl_csv_row {
    unsigned long line;
    size_t ncells;
    char **cells;
} bl_csv_row;

typedef struct bl_csv_table {
    char *path;
    char delim;
    bool cp1252; /* the file was Windows-1252, converted */
    size_t ncols;
    char *
        *header; /* normalised: bl_name_fold (case, accents, spacing), then ' ', '-', ''' as '_' */
    char **heading; /* as written, for messages */
    bool *used;     /* the columns bl__csv_col found: the others are not read */
    /* clash[0], clash[1]: two columns of one field under two of its names
     * ("name" and "nom"), the first pair bl__csv_col met, 1-based; 0 when
     * none. */
    size_t *clash;
    size_t nrows;
    bl_csv_row *rows;
} bl_csv_table;

/* Reads path. BL_NOINPUT when missing, BL_DATA when not a readable table
 * or when a row has more cells than the header (its values would be
 * shifted), with "PATH:LINE: reason" in err. Rows may have fewer cells
 * than the header: bl__csv_cell reads the missing ones as "". */
bl_status bl__csv_table_read(const char *path, bl_csv_table *t, char *err, size_t errlen);
void bl__csv_table_free(bl_csv_table *t);
/* Column index of the first of the NULL-terminated names present, or -1;
 * the column is marked used, and a second column under another of the
 * names is remembered (clash). */
int bl__csv_col(const bl_csv_table *t, const char *const *names);
/* The trimmed cell (never NULL; "" when the row is short). */
const char *bl__csv_cell(const bl_csv_row *r, int col);

#endif
