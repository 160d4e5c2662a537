/* bilan — pipeline layer: the use cases that wire the layers together
 * (ingest a file, import a network, build a report model, mail). The
 * environment is read by cli/ and passed down; nothing here prints.
 */
#ifndef BILAN_PIPELINE_H
#define BILAN_PIPELINE_H

#include "bilan/aggregate.h"
#include "bilan/common.h"
#include "bilan/ingest.h"
#include "bilan/store.h"

/* ---- ingesting a file (pipeline/ingest.c) -------------------------------------- */

typedef struct bl_ingest_result {
    bool duplicate; /* same content already ingested: nothing done */
    long long source_id;
    char format[32];
    char report_id[32];
    long rows_accepted; /* records (cells) stored */
    long rows_rejected;
    long rows_unattributed; /* records with no library or no resource */
    long lines_skipped;     /* trailer/total rows and such, noted */
    long replaced_sources;  /* earlier sources whose cells this one restated */
    long replaced_rows;     /* their usage rows no longer counted */
    long superseded_rows;   /* rows of this file not counted: a later report holds them */
    long kept_rows;         /* earlier rows kept because this file's rows were rejected */
    long out_of_order;      /* logs: lines outside the reordering window */
    bl_log_stats log;       /* logs only */
    long long duplicate_of; /* with duplicate: the source already holding this content */
    int period_begin, period_end;
} bl_ingest_result;

/* Ingests one file into the store, in one transaction: all of it or nothing.
 * The ingest layer reads it (format detected from its bytes), the aggregate
 * layer attributes and counts it in memory, the store writes it. provider
 * may be NULL (taken from the file). BL_DATA when the file is refused whole
 * (message in bl_store_errmsg, store unchanged). */
bl_status bl_pipeline_ingest(bl_store *st, const char *path, const char *provider,
                             const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                             bl_ingest_result *res);

#endif
