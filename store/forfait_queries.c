/* The read queries of forfaits (include/bilan/store_queries.h): the
 * packages as imported, and per package its units used per month, the
 * months with data, the quota excess found in the logs and the partners'
 * shares. The arithmetic is aggregate/forfait_calc.c's, the wiring
 * pipeline/forfait.c's. */
#include "store_internal.h"
#include "figures_sql.h"
#include "bilan/store_queries.h"

#include <stddef.h>

/* Units per month: counted usage in the forfait's metric, every library and
 * the unattributed alike, since the provider consumes units whoever used
 * them. Each statement takes ?1 resource, ?2 metric, ?3 first month, ?4 last
 * month (YYYY-MM); one that does not use ?2 still accepts its binding. */
static const char SQL_MONTHLY[] = "SELECT u.month, SUM(u.value) FROM usage_effective u"
                                  " WHERE u.resource_id = ?1 AND u.metric = ?2 AND " BL__SQL_COUNTED
                                  " AND u.month BETWEEN ?3 AND ?4 GROUP BY u.month";
/* The same bound as usage_effective's: a figure beyond BL_COUNT_MAX is not
 * read, so SUM cannot overflow (SQLite fails the query when it does). */
static const char SQL_QUOTA[] =
    "SELECT month, MAX(quota), SUM(patrons), SUM(extra_units) FROM quota_excess"
    " WHERE resource_id = ?1 AND month BETWEEN ?3 AND ?4"
    " AND quota BETWEEN 0 AND 1000000000 AND patrons BETWEEN 0 AND 1000000000"
    " AND extra_units BETWEEN 0 AND 1000000000 GROUP BY month";
static const char SQL_SHARES[] =
    "SELECT l.partner_id, p.name, SUM(u.value) FROM usage_effective u"
    " LEFT JOIN library l ON l.id = u.library_id LEFT JOIN partner p ON p.id = l.partner_id"
    " WHERE u.resource_id = ?1 AND u.metric = ?2 AND " BL__SQL_COUNTED
    " AND u.month BETWEEN ?3 AND ?4 GROUP BY l.partner_id";

static sqlite3_stmt *prep(bl_store *st, const char *sql)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        bl_store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

bl_status bl_store_forfaits(bl_store *st, bl_forfait_fn fn, void *ctx)
{
    sqlite3_stmt *q = prep(st, "SELECT f.id, f.resource_id, r.name, f.metric, f.units, f.start,"
                               " f.end, f.monthly_cap, f.per_patron_monthly_quota, f.alert_percent"
                               " FROM forfait f LEFT JOIN resource r ON r.id = f.resource_id"
                               " ORDER BY f.id");
    if (!q)
        return BL_INTERNAL;
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_forfait_row f = {
            .id = bl__col_text_or_null(q, 0),
            .resource_id = bl__col_text_or_null(q, 1),
            .metric = bl__col_text_or_null(q, 3),
            .resource_name = bl__col_text_or_null(q, 2),
            .start = bl__col_text_or_null(q, 5),
            .end = bl__col_text_or_null(q, 6),
            .units = sqlite3_column_int64(q, 4),
            .has_cap = sqlite3_column_type(q, 7) != SQLITE_NULL,
            .has_quota = sqlite3_column_type(q, 8) != SQLITE_NULL,
            .monthly_cap = sqlite3_column_int64(q, 7),
            .quota = sqlite3_column_int64(q, 8),
            .alert_percent = sqlite3_column_int(q, 9),
        };
        rc = fn(ctx, &f);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    sqlite3_finalize(q);
    return rc;
}

static void bind4(sqlite3_stmt *q, const char *resource_id, const char *metric, const char *from,
                  const char *to)
{
    sqlite3_bind_text(q, 1, resource_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, metric, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, to, -1, SQLITE_TRANSIENT);
}

static int month_of(sqlite3_stmt *q)
{
    int mi;
    const char *s = (const char *)sqlite3_column_text(q, 0);
    return s && bl_month_parse(s, &mi) ? mi : -1;
}

bl_status bl_store_forfait_usage(bl_store *st, const char *resource_id, const char *metric,
                                 int first, int last, const bl_forfait_usage_fns *fns, void *ctx)
{
    enum { MONTHLY, QUOTA, SHARES, NQ };
    static const char *const sql[NQ] = {SQL_MONTHLY, SQL_QUOTA, SQL_SHARES};
    sqlite3_stmt *q[NQ] = {NULL};
    char from[8], to[8];
    bl_month_format(first, from);
    bl_month_format(last, to);
    bl_status rc = BL_OK;
    for (int i = 0; i < NQ && rc == BL_OK; i++)
        if (!(q[i] = prep(st, sql[i])))
            rc = BL_INTERNAL;
    for (int i = 0; i < NQ && rc == BL_OK; i++) {
        int r;
        bind4(q[i], resource_id, metric, from, to);
        while (rc == BL_OK && (r = sqlite3_step(q[i])) == SQLITE_ROW) {
            sqlite3_stmt *s = q[i];
            if (i == MONTHLY)
                rc = fns->units(ctx, month_of(s), sqlite3_column_int64(s, 1));
            else if (i == QUOTA)
                rc = fns->quota(ctx, month_of(s), sqlite3_column_int64(s, 1),
                                sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
            else
                rc = fns->share(ctx, bl__col_text_or_null(s, 0), bl__col_text_or_null(s, 1),
                                sqlite3_column_int64(s, 2));
        }
        if (rc == BL_OK && r != SQLITE_DONE)
            rc = bl__sql_fail(st, true);
    }
    for (int i = 0; i < NQ; i++)
        sqlite3_finalize(q[i]);
    return rc;
}
