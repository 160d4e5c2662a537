/* Internal interfaces of the aggregate layer (not installed, not public). */
#ifndef BILAN_AGG_INTERNAL_H
#define BILAN_AGG_INTERNAL_H

#include "store_internal.h"

/* ---- the roll-up (aggregate/agg.c) ---------------------------------------- */

typedef struct bl_agg bl_agg;

/* A roll-up cell. library_id / resource_id are NULL when unattributed;
 * institution_id, institution, platform and database are what the provider
 * (or the log reader) wrote, kept for unattributed usage and restatements;
 * an empty access_method means Regular. */
typedef struct bl_cell {
    const char *library_id, *resource_id;
    bl_sv institution_id, institution, platform, database;
    int month;
    const char *metric;
    bl_sv access_method;
} bl_cell;

/* Adds value to a roll-up cell (summing). */
bl_status bl__agg_add(bl_agg *a, const bl_cell *cell, int64_t value);

/* ---- access-log hits (aggregate/hits*.c) ---------------------------------- */

typedef struct bl_hits bl_hits;

/* Prepares hit processing for one log file: loads IP ranges and URL
 * patterns from the store, the robots list, the secret key. */
bl_status bl__hits_open(bl_store *st, const bl_ingest_opts *opts, bl_agg *agg, bl_hits **out);
/* One hit, in file order. Returns BL_OK or a fatal status. */
bl_status bl__hits_add(bl_hits *h, const bl_hit_rec *r);
/* End of the file's records: pushes the hits' counts into the roll-up
 * (bl__agg_add). Called before the roll-up is written. */
bl_status bl__hits_flush(bl_hits *h);
/* Before the file's transaction: BL_DATA when the log's time span overlaps
 * an earlier log (not removed) that fed one of the same resources, with the
 * reason (naming that source) in `why`. The caller skips it with --force. */
bl_status bl__hits_check_overlap(bl_hits *h, char *why, size_t n);
/* End of the file: flushes pending sessions into the roll-up (bl__agg_add),
 * writes user sketches, per-patron quota use, the log ledger (source
 * columns log_*, time_first/last, unattributed_range rows) for source_id
 * (inside the caller's transaction), and reports how many lines fell
 * outside the reordering window and the line statistics. */
bl_status bl__hits_finish(bl_hits *h, long long source_id, long *out_of_order, bl_log_stats *stats);
/* Recomputes quota_excess from quota_use over the sources not removed
 * (after a log source is removed), inside the caller's transaction. */
bl_status bl__quota_refresh(bl_store *st);
void bl__hits_free(bl_hits *h);

/* SQL functions the store needs (e.g. merging user sketches), registered on
 * every connection. */
bl_status bl__register_sql_functions(sqlite3 *db);

#endif
