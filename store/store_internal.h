/* Internal interfaces of the store layer (not installed, not public). */
#ifndef BILAN_STORE_INTERNAL_H
#define BILAN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "bilan/store.h"

struct bl_store {
    sqlite3 *db;
    char *path;
    bool readonly;
    char err[1024];
};

extern const char *const bl__migrations[];
extern const int bl__migration_count;

/* BL_IO with SQLite's last message; with_path: "STORE: message". */
bl_status bl__sql_fail(bl_store *st, bool with_path);
/* A text column, "" when NULL. */
static inline const char *bl__col_text(sqlite3_stmt *q, int c)
{
    const unsigned char *t = sqlite3_column_text(q, c);
    return t ? (const char *)t : "";
}
/* A text column, NULL when NULL. */
static inline const char *bl__col_text_or_null(sqlite3_stmt *q, int c)
{
    return (const char *)sqlite3_column_text(q, c);
}

/* Runs SQL with no result; on error sets the handle's message. */
bl_status bl__exec(bl_store *st, const char *sql);
/* Prepares insert followed by n copies of values, comma-separated
 * ("INSERT INTO t(a, b) VALUES " and "(?,?)"): one statement for n rows,
 * SQLite's fixed cost of an execution (cursors opened, the table's end and
 * each index's page found again) paid once for them (docs/bench.md). */
bl_status bl__prepare_rows(bl_store *st, const char *insert, const char *values, int n,
                           sqlite3_stmt **q);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
bl_status bl__begin(bl_store *st);
bl_status bl__commit(bl_store *st);
void bl__rollback(bl_store *st);

/* The store's secret key for pseudonymising identifiers (created on first
 * use). Never leaves the process. */
bl_status bl__store_secret(bl_store *st, uint8_t key[16]);

/* ---- restatements (store/restate.c) ---------------------------------------- */

/* Decides, for every restatement key source sid carries, which source's
 * rows are live (inside the caller's transaction). */
bl_status bl__restate(bl_store *st, long long sid, bl_restate_counts *c);

/* Recomputes quota_excess from quota_use over the sources not removed, and
 * purges the months now closed (store/log_store.c; inside the caller's
 * transaction). */
bl_status bl__quota_refresh(bl_store *st);

/* SQL functions the store needs (merging user sketches), registered on
 * every connection (store/sqlfn.c). */
bl_status bl__register_sql_functions(sqlite3 *db);

/* Whose restatement a source can be: the same report id from the same
 * provider (the --provider given, else the report's Created_By; case and
 * outer spaces ignored). Another vendor's report for the same institution
 * and platform name never replaces the first one's figures (docs/trust.md);
 * `bilan sources` shows a platform claimed by two providers. */
#define BL__SAME_SCOPE(s, me) \
    s.report_id IS me.report_id AND lower(trim(s.provider)) = lower(trim(me.provider))

/* The provider a source is shown with (source aliased s): the one it
 * recorded (--provider, else the report's Created_By), else for a vendor
 * export, which names none, its profile's resource's provider. Shown only:
 * restatement keeps to the recorded one (BL__SAME_SCOPE). */
#define BL__SQL_SOURCE_PROVIDER                                                         \
    "CASE WHEN s.provider <> '' THEN s.provider ELSE COALESCE((SELECT r.provider FROM " \
    "profile p JOIN resource r ON r.id = p.resource_id WHERE p.id = s.report_id AND "   \
    "s.format = 'profile'), '') END"

/* A month m not over when source s was made (m in or after the month of
 * its Created date, else of its ingest): what it holds of m is a part. */
#define BL__NOT_OVER_WHEN_MADE(s, m) m >= substr(s.order_time, 1, 7)
/* The months a report s speaks for: its period, up to the month before
 * the one it was made in: a month of 0 inside it is a 0 it gives, a month
 * after it is not over. One rule for restatement (store/restate.c), the
 * rejected cells and the coverage (report_queries.c, whose own_cover_row
 * applies it to a period in C). */
#define BL__COVERS(s, m) \
    m BETWEEN s.period_begin AND s.period_end AND NOT(BL__NOT_OVER_WHEN_MADE(s, m))

#define BL__STR_(x) #x
/* A macro's SQL text as a string literal. */
#define BL__STR(x) BL__STR_(x)

/* store/keyfile.c: the secrets in STORE.key (owner-only), never in the
 * store. bl__key_get creates a missing key at random. */
bl_status bl__key_get(bl_store *st, const char *name, uint8_t key[16]);
bl_status bl__key_set(bl_store *st, const char *name, const uint8_t key[16]);
/* Destroys the keys "month:M" of every month M <= cut ("YYYY-MM"). */
bl_status bl__key_drop_months(bl_store *st, const char *cut);
/* store.c: bl_store_open without the key file's part (keyfile.c's
 * bl_store_open adds it). */
bl_status bl__store_open_rw(const char *path, bl_store **out, char **errmsg);
/* Moves keys an older store kept in meta to the key file. */
bl_status bl__keys_migrate(bl_store *st);
/* Merges the distinct-user sketches of the months up to cut (YYYY-MM) into
 * one row per library and month, recording their sources in
 * user_sketch_merged (docs/privacy.md). */
bl_status bl__sketches_merge_closed(bl_store *st, const char *cut);

#endif
