/* `export usage`: the effective usage (counted once across report types) as
 * rows sorted by partner, library, resource, month, metric; plus distinct
 * users per library and month from the logs' sketches. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *access_clause(bl_access_filter f)
{
    switch (f) {
    case BL_ACCESS_TDM:
        return "access_method = 'TDM'";
    case BL_ACCESS_ALL:
        return "1";
    default:
        return "access_method = 'Regular'";
    }
}

bl_status bl_store_export_usage(bl_store *st, const bl_usage_filter *f, bl_usage_fn fn, void *ctx)
{
    char from[8] = "0000-00", to[8] = "9999-99";
    if (f->from >= 0)
        bl_month_format(f->from, from);
    if (f->to >= 0)
        bl_month_format(f->to, to);
    char *sql = bl_strdup_printf(
        "SELECT partner_id, library_id, resource_id, month, metric, SUM(value) FROM ("
        "  SELECT COALESCE(l.partner_id, '') AS partner_id, COALESCE(u.library_id, '') AS "
        "library_id,"
        "         COALESCE(u.resource_id, '') AS resource_id, u.month, u.metric, u.value"
        "  FROM usage_effective u LEFT JOIN library l ON l.id = u.library_id"
        "  WHERE u.month BETWEEN ?1 AND ?2 AND %s"
        "  UNION ALL"
        "  SELECT COALESCE(l.partner_id, ''), COALESCE(s.library_id, ''), '', s.month,"
        "         'Distinct_Users', bl_sketch_count(s.sketch)"
        "  FROM user_sketch s LEFT JOIN library l ON l.id = s.library_id"
        "  WHERE s.month BETWEEN ?1 AND ?2 GROUP BY s.library_id, s.month"
        ") WHERE (?3 IS NULL OR partner_id = ?3)"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
        access_clause(f->access));
    if (!sql)
        return BL_NOMEM;
    sqlite3_stmt *q = NULL;
    int r = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    free(sql);
    if (r != SQLITE_OK)
        return bl_store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_text(q, 1, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, to, -1, SQLITE_TRANSIENT);
    if (f->partner_id)
        sqlite3_bind_text(q, 3, f->partner_id, -1, SQLITE_TRANSIENT);
    bl_status rc = BL_OK;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_usage_row row = {
            (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
            (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
            (const char *)sqlite3_column_text(q, 4), sqlite3_column_int64(q, 5)};
        rc = fn(ctx, &row);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}
