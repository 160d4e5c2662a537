/* A recording sink for the COUNTER reader tests: copies every record, the
 * file info and every diagnostic, so tests can assert exact outcomes. */
#ifndef BILAN_TEST_COUNTER_SINK_H
#define BILAN_TEST_COUNTER_SINK_H

#include "bilan/ingest.h"

typedef struct ts_count {
    unsigned long line;
    char *inst_id, *inst_name, *platform, *database, *title, *access_method, *metric;
    int month;
    int64_t value;
} ts_count;

typedef struct ts_diag {
    bl_diag_level level;
    unsigned long line;
    char *field;
    char *reason;
    /* The row context (bl_diag.row) copied: has_row false when it was NULL. */
    bool has_row;
    char *row_inst_id, *row_inst_name, *row_platform, *row_database, *row_metric;
    int row_month_first, row_month_last;
} ts_diag;

typedef struct ts_sink {
    int begins;
    char *format, *report_id, *created_by, *inst_id, *inst_name;
    char *created; /* bl_file_info.created, NULL when the reader gave none */
    bl_report_family family;
    int release, period_begin, period_end;
    ts_count *counts;
    size_t ncounts, acounts;
    ts_diag *diags;
    size_t ndiags, adiags;
    bl_status result;
    char *errmsg;
} ts_sink;

/* Reads a fixture (path relative to the source tree's fixtures/) with the
 * given reader: 5 for R5, 4 for R4, 0 for bl_ingest_file with detection. */
void ts_run(ts_sink *t, int reader, const char *fixture, bool strict);
/* Same for an absolute path. */
void ts_run_path(ts_sink *t, int reader, const char *path, bool strict);
void ts_free(ts_sink *t);

/* Sum of values for a metric (NULL: any), access method (NULL: any). */
int64_t ts_sum(const ts_sink *t, const char *metric, const char *access_method);
/* Sum for one month "YYYY-MM" and metric. */
int64_t ts_sum_month(const ts_sink *t, const char *metric, const char *month);
size_t ts_ndiag(const ts_sink *t, bl_diag_level level);
/* The diagnostic of that level on that line, or NULL. */
const ts_diag *ts_diag_at(const ts_sink *t, bl_diag_level level, unsigned long line);

#endif
