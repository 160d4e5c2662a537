/* The floor of the reports case (bench/run reports): the usage rows a
 * report's window holds (the 24 months ending at MONTH, BL_WINDOW), read
 * once by SQLite through the month index, summed and counted; nothing
 * else. A report reads those rows several times (one query per figure)
 * and groups them per cell to count each once across report types, so it
 * is slower: the ratio shows how many such reads it costs, and would drop
 * if a query read the whole table again (docs/store.md, schema 10).
 *   report_floor STORE          prints the store's first month
 *   report_floor STORE MONTH    prints the rows of MONTH's window */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: report_floor STORE [YYYY-MM]\n");
        return 64;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "report_floor: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 66;
    }
    int y = 0, m = 0;
    if (argc == 3 && (sscanf(argv[2], "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)) {
        fprintf(stderr, "report_floor: not a month: %s\n", argv[2]);
        return 64;
    }
    int first = y * 12 + (m - 1) - 23;
    char lo[16];
    snprintf(lo, sizeof lo, "%04d-%02d", first / 12, first % 12 + 1);
    const char *sql = argc == 2 ? "SELECT MIN(month) FROM usage"
                                : "SELECT count(*), SUM(value) FROM usage"
                                  " WHERE month BETWEEN ?1 AND ?2";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "report_floor: %s\n", sqlite3_errmsg(db));
        return 65;
    }
    if (argc == 3) {
        sqlite3_bind_text(q, 1, lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, argv[2], -1, SQLITE_STATIC);
    }
    int rc = 0;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
        printf("%s\n", (const char *)sqlite3_column_text(q, 0));
    else
        rc = 65;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}
