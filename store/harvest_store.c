/* The SUSHI harvest's tables (bilan/store.h, docs/sushi.md): the endpoints
 * of sushi.csv as imported, and what the last request of each endpoint,
 * report and month got. No secret is ever written here: only the
 * references (env:NAME, file:PATH) the network's lists hold. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *dst, size_t n, sqlite3_stmt *q, int c)
{
    snprintf(dst, n, "%s", bl__col_text(q, c));
}

bl_status bl_store_sushi_endpoints(bl_store *st, bl_sushi_endpoint **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, url, release, customer_id, requestor_ref, api_key_ref,"
                           " platform, reports, COALESCE(library_id, ''), date_format"
                           " FROM sushi_endpoint ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    bl_status rc = BL_OK;
    size_t alloc = 0;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == alloc) {
            size_t na = alloc ? 2 * alloc : 8;
            bl_sushi_endpoint *e = realloc(*out, na * sizeof *e);
            if (!e) {
                rc = BL_NOMEM;
                break;
            }
            *out = e;
            alloc = na;
        }
        bl_sushi_endpoint *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        copy(e->id, sizeof e->id, q, 0);
        copy(e->url, sizeof e->url, q, 1);
        e->release = sqlite3_column_int(q, 2);
        copy(e->customer_id, sizeof e->customer_id, q, 3);
        copy(e->requestor_ref, sizeof e->requestor_ref, q, 4);
        copy(e->api_key_ref, sizeof e->api_key_ref, q, 5);
        copy(e->platform, sizeof e->platform, q, 6);
        copy(e->reports, sizeof e->reports, q, 7);
        copy(e->library_id, sizeof e->library_id, q, 8);
        e->month_dates = strcmp(bl__col_text(q, 9), "yyyy-mm") == 0;
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    sqlite3_finalize(q);
    if (rc != BL_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

#define ROW_COLUMNS                                                                            \
    "endpoint_id, report_id, month, state, COALESCE(code, 0), COALESCE(message, ''),"          \
    " attempts, COALESCE(last_attempt, ''), COALESCE(next_retry, ''), COALESCE(source_id, 0)," \
    " COALESCE(raw_path, ''), COALESCE(raw_sha256, '')"

static void read_row(sqlite3_stmt *q, bl_harvest_row *row)
{
    memset(row, 0, sizeof *row);
    copy(row->endpoint_id, sizeof row->endpoint_id, q, 0);
    copy(row->report_id, sizeof row->report_id, q, 1);
    bl_month_parse(bl__col_text(q, 2), &row->month);
    copy(row->state, sizeof row->state, q, 3);
    row->code = (long)sqlite3_column_int64(q, 4);
    copy(row->message, sizeof row->message, q, 5);
    row->attempts = sqlite3_column_int(q, 6);
    copy(row->last_attempt, sizeof row->last_attempt, q, 7);
    copy(row->next_retry, sizeof row->next_retry, q, 8);
    row->source_id = sqlite3_column_int64(q, 9);
    copy(row->raw_path, sizeof row->raw_path, q, 10);
    copy(row->raw_sha256, sizeof row->raw_sha256, q, 11);
}

bl_status bl_store_harvest_get(bl_store *st, const char *endpoint_id, const char *report_id,
                               int month, bl_harvest_row *row, bool *found)
{
    sqlite3_stmt *q = NULL;
    *found = false;
    char m[8];
    bl_month_format(month, m);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " ROW_COLUMNS " FROM harvest"
                           " WHERE endpoint_id = ? AND report_id = ? AND month = ?",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    sqlite3_bind_text(q, 1, endpoint_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, report_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, m, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    bl_status rc = BL_OK;
    if (r == SQLITE_ROW) {
        read_row(q, row);
        *found = true;
    } else if (r == SQLITE_DONE) {
        memset(row, 0, sizeof *row);
        snprintf(row->endpoint_id, sizeof row->endpoint_id, "%s", endpoint_id);
        snprintf(row->report_id, sizeof row->report_id, "%s", report_id);
        row->month = month;
    } else {
        rc = bl__sql_fail(st, true);
    }
    sqlite3_finalize(q);
    return rc;
}

static void bind_opt(sqlite3_stmt *q, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

bl_status bl_store_harvest_put(bl_store *st, const bl_harvest_row *row)
{
    sqlite3_stmt *q = NULL;
    char m[8];
    bl_month_format(row->month, m);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO harvest(endpoint_id, report_id, month, state,"
                           " code, message, attempts, last_attempt, next_retry, source_id,"
                           " raw_path, raw_sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    sqlite3_bind_text(q, 1, row->endpoint_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, row->report_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, m, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, row->state, -1, SQLITE_STATIC);
    if (row->code)
        sqlite3_bind_int64(q, 5, row->code);
    bind_opt(q, 6, row->message);
    sqlite3_bind_int(q, 7, row->attempts);
    bind_opt(q, 8, row->last_attempt);
    bind_opt(q, 9, row->next_retry);
    if (row->source_id)
        sqlite3_bind_int64(q, 10, row->source_id);
    bind_opt(q, 11, row->raw_path);
    bind_opt(q, 12, row->raw_sha256);
    bl_status rc = BL_OK;
    int r = sqlite3_step(q);
    if (r != SQLITE_DONE)
        rc = (r & 0xff) == SQLITE_BUSY
                 ? bl_store_fail(st, BL_TEMPFAIL, "%s: %s", st->path, sqlite3_errmsg(st->db))
                 : bl__sql_fail(st, true);
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_store_harvest_each(bl_store *st, const char *endpoint_id, bl_harvest_row_fn fn,
                                void *ctx)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " ROW_COLUMNS " FROM harvest"
                           " WHERE ?1 IS NULL OR endpoint_id = ?1"
                           " ORDER BY endpoint_id, report_id, month",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    if (endpoint_id)
        sqlite3_bind_text(q, 1, endpoint_id, -1, SQLITE_STATIC);
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_harvest_row row;
        read_row(q, &row);
        rc = fn(ctx, &row);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    sqlite3_finalize(q);
    return rc;
}
