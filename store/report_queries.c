/* The read queries report models are built from (include/bilan/
 * store_queries.h): resources, the months they have data, consultations per
 * partner, distinct users, libraries per partner, the unattributed usage,
 * files with rejected rows, the address ranges of unattributed log events.
 * Plain rows through callbacks; the model itself is pipeline/model.c's. */
#include "store_internal.h"
#include "figures_sql.h"
#include "bilan/store_queries.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bl_status prepare(bl_store *st, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    return BL_OK;
}

/* ?i and ?i+1 as "YYYY-MM". */
static void bind_months(sqlite3_stmt *q, int i, int first, int last)
{
    char a[8], b[8];
    bl_month_format(first, a);
    bl_month_format(last, b);
    sqlite3_bind_text(q, i, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, i + 1, b, -1, SQLITE_TRANSIENT);
}

static int month_of(sqlite3_stmt *q, int c)
{
    int mi = -1;
    const unsigned char *t = sqlite3_column_text(q, c);
    if (!t || !bl_month_parse((const char *)t, &mi))
        return -1;
    return mi;
}

/* The caller's callback, whatever its type (void (*)(void) converts to and
 * from any function pointer type), and its context. */
typedef struct cb {
    void (*fn)(void);
    void *ctx;
} cb;
#define CB(f, c) ((cb){(void (*)(void))(f), (c)})

/* Steps q to the end, calling row for each row while it returns BL_OK;
 * finalizes q. */
static bl_status each_row(bl_store *st, sqlite3_stmt *q, bl_status (*row)(sqlite3_stmt *q, cb c),
                          cb c)
{
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
        rc = row(q, c);
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    sqlite3_finalize(q);
    return rc;
}

static bl_status resource_row(sqlite3_stmt *q, cb c)
{
    bl_resource_row r = {bl__col_text(q, 0), bl__col_text(q, 1), bl__col_text(q, 2),
                         bl__col_text(q, 3), bl__col_text(q, 5), sqlite3_column_int64(q, 4)};
    return ((bl_resource_fn)c.fn)(c.ctx, &r);
}

bl_status bl_store_resources(bl_store *st, bl_resource_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT id, name, provider, kind, annual_cost_cents, headline_metric "
                           "FROM resource ORDER BY name, id",
                           &q);
    return rc == BL_OK ? each_row(st, q, resource_row, CB(fn, ctx)) : rc;
}

static bl_status resource_month_row(sqlite3_stmt *q, cb c)
{
    return ((bl_resource_month_fn)c.fn)(c.ctx, bl__col_text(q, 0), month_of(q, 1),
                                        bl__col_text_or_null(q, 2), sqlite3_column_int(q, 3) != 0,
                                        sqlite3_column_int(q, 4) != 0);
}

/* clang-format off */
static const char RESOURCE_MONTHS_SQL[] =
    "SELECT u.resource_id, u.month, " BL__SQL_OWN_LIBRARY ","
    " min(s.family <> 20 AND " BL__STR(BL__NOT_OVER_WHEN_MADE(s, u.month)) "),"
    /* (a row's 0 of a report tells no one's usage: not unattributed usage) */
    " min(CASE WHEN u.value > 0 THEN u.library_id IS NULL END)"
    " FROM usage u JOIN source s ON s.id = u.source_id"
    " WHERE u.live = 1 AND u.value BETWEEN 0 AND 1000000000000"
    " AND u.resource_id IS NOT NULL"
    " AND u.month BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3";
/* clang-format on */

bl_status bl_store_resource_months(bl_store *st, int first, int last, bl_resource_month_fn fn,
                                   void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st, RESOURCE_MONTHS_SQL, &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, resource_month_row, CB(fn, ctx));
}

static bl_status own_cover_row(sqlite3_stmt *q, cb c)
{
    /* BL__COVERS on a period: a report covers no month that was not over
     * when it was made: a provider that prints the whole year leaves the
     * months to come empty, and they are not months of 0 (column 4: the
     * month of its Created date, else of its ingest). */
    int a = month_of(q, 2), z = month_of(q, 3), made = month_of(q, 4);
    if (made >= 0 && z >= made)
        z = made - 1;
    if (a < 0 || z < a)
        return BL_OK;
    return ((bl_own_cover_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text_or_null(q, 1), a, z);
}

bl_status bl_store_own_coverage(bl_store *st, int first, int last, bl_own_cover_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(
        st,
        "SELECT DISTINCT u.resource_id, " BL__SQL_OWN_LIBRARY ", s.period_begin, s.period_end, "
        "substr(s.order_time, 1, 7) "
        /* sources first (CROSS JOIN keeps the order): a log's rows, most
         * of a store of daily logs, are never read */
        "FROM source s CROSS JOIN usage u ON u.source_id = s.id "
        "WHERE s.removed_at IS NULL AND s.family <> 20 AND u.resource_id IS NOT NULL "
        "AND s.period_begin <= ?2 AND s.period_end >= ?1 "
        "UNION "
        "SELECT DISTINCT u.resource_id, e.library_id, h.month, h.month, NULL "
        "FROM harvest h JOIN sushi_endpoint e ON e.id = h.endpoint_id "
        "JOIN harvest o ON o.endpoint_id = h.endpoint_id AND o.source_id IS NOT NULL "
        "JOIN usage u ON u.source_id = o.source_id "
        "WHERE h.state = 'no_usage' AND u.resource_id IS NOT NULL "
        "AND h.month BETWEEN ?1 AND ?2",
        &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, own_cover_row, CB(fn, ctx));
}

static bl_status named_cover_row(sqlite3_stmt *q, cb c)
{
    int a = month_of(q, 2), z = month_of(q, 3), made = month_of(q, 4);
    /* Its month not over when made was restated by another report (the
     * library's own, made after the month): that report has the month, and
     * this one covers only the months before (as an own report's cover). */
    if (made >= 0 && made <= z && sqlite3_column_int(q, 5))
        z = made - 1;
    if (a < 0 || z < a)
        return BL_OK;
    int early = made >= 0 && made <= z ? (made > a ? made : a) : z + 1;
    return ((bl_named_cover_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1), a, z, early);
}

/* clang-format off */
static const char NAMED_SQL[] =
    "SELECT n.resource_id, n.library_id, n.pb, n.pe, n.made,"
    /* restated: each account of the library it names (institution as
     * written) has a row in the month it was made in, when in its period,
     * and none of its rows of that month counts any more (another report
     * holds the figure). An account without a row that month (its 0)
     * proves nothing: the library's other account may be the one another
     * report gave (so it stays a part of the month). */
    " CASE WHEN n.made BETWEEN n.pb AND n.pe THEN"
    "  NOT EXISTS (SELECT 1 FROM usage a WHERE a.source_id = n.sid"
    "   AND a.library_id = n.library_id AND a.resource_id = n.resource_id"
    "   AND NOT EXISTS (SELECT 1 FROM usage v WHERE v.source_id = n.sid AND v.month = n.made"
    "    AND v.library_id = n.library_id AND v.resource_id = n.resource_id"
    "    AND v.institution_id = a.institution_id AND v.institution = a.institution))"
    "  AND NOT EXISTS (SELECT 1 FROM usage v WHERE v.source_id = n.sid AND v.live = 1"
    "   AND v.month = n.made AND v.library_id = n.library_id AND v.resource_id = n.resource_id)"
    " ELSE 0 END"
    " FROM (SELECT DISTINCT s.id AS sid, u.resource_id, u.library_id, s.period_begin AS pb,"
    "  s.period_end AS pe, substr(s.order_time, 1, 7) AS made"
    "  FROM source s CROSS JOIN usage u ON u.source_id = s.id"
    "  WHERE s.removed_at IS NULL AND s.family <> 20 AND s.one_institution = 0"
    "  AND u.resource_id IS NOT NULL AND u.library_id IS NOT NULL"
    "  AND u.library_id <> '" BL_NETWORK_LEVEL "'"
    "  AND s.period_begin <= ?2 AND s.period_end >= ?1) n";
/* clang-format on */

bl_status bl_store_named_coverage(bl_store *st, int first, int last, bl_named_cover_fn fn,
                                  void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st, NAMED_SQL, &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, named_cover_row, CB(fn, ctx));
}

static bl_status rejected_cell_row(sqlite3_stmt *q, cb c)
{
    return ((bl_rejected_cell_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1),
                                       bl__col_text(q, 2), month_of(q, 3), bl__col_text(q, 4),
                                       sqlite3_column_int(q, 5) != 0);
}

/* A shield's cell whose figure is still missing: no other source's live
 * row gives it, and no later report of its scope covers its month with a
 * row of the same names (a later correction decides the cell, with a value
 * or a zero); some: another row of its own report gives part of it. */
/* clang-format off */
static const char REJECTED_SQL[] =
    "SELECT h.institution_id, h.institution, h.platform, h.month, h.metric,"
    " max(EXISTS (SELECT 1 FROM usage u WHERE u.platform = h.platform AND u.month = h.month"
    "  AND u.institution_id = h.institution_id AND u.institution = h.institution"
    "  AND u.report_rank < 2000 AND u.live = 1 AND u.source_id = h.source_id"
    "  AND (h.metric = '' OR u.metric = h.metric)))"
    " FROM shield h JOIN source s ON s.id = h.source_id"
    " WHERE s.removed_at IS NULL AND h.month BETWEEN ?1 AND ?2"
    " AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.platform = h.platform AND u.month = h.month"
    "  AND u.institution_id = h.institution_id AND u.institution = h.institution"
    "  AND u.report_rank < 2000 AND u.live = 1 AND u.source_id <> h.source_id"
    "  AND (h.metric = '' OR u.metric = h.metric))"
    " AND NOT EXISTS (SELECT 1 FROM source z JOIN usage g ON g.source_id = z.id"
    "  WHERE z.id <> s.id AND z.removed_at IS NULL AND z.family <> 20"
    "  AND " BL__STR(BL__SAME_SCOPE(z, s)) " AND z.order_time > s.order_time"
    "  AND " BL__STR(BL__COVERS(z, h.month))
    "  AND g.platform = h.platform AND g.institution_id = h.institution_id"
    "  AND g.institution = h.institution AND g.report_rank < 2000"
    "  AND (h.metric = '' OR g.metric = h.metric))"
    " GROUP BY 1, 2, 3, 4, 5";
/* clang-format on */

bl_status bl_store_rejected_cells(bl_store *st, int first, int last, bl_rejected_cell_fn fn,
                                  void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st, REJECTED_SQL, &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, rejected_cell_row, CB(fn, ctx));
}

static bl_status consultation_row(sqlite3_stmt *q, cb c)
{
    return ((bl_consultation_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1), month_of(q, 2),
                                      sqlite3_column_int64(q, 3));
}

bl_status bl_store_consultations(bl_store *st, int first, int last, const char *partner_id,
                                 bl_consultation_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc =
        prepare(st,
                "SELECT l.partner_id, u.resource_id, u.month, SUM(u.value) "
                "FROM " BL__SQL_CONSULTATION_FROM " JOIN library l ON l.id = u.library_id "
                "WHERE r.id IS NOT NULL AND " BL__SQL_CONSULTATION " "
                "AND u.month BETWEEN ?1 AND ?2 AND (?3 IS NULL OR l.partner_id = ?3) "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    if (partner_id)
        sqlite3_bind_text(q, 3, partner_id, -1, SQLITE_TRANSIENT);
    return each_row(st, q, consultation_row, CB(fn, ctx));
}

/* ---- profile: network-level totals (docs/profiles.md) */

static bl_status network_total_row(sqlite3_stmt *q, cb c)
{
    return ((bl_network_total_fn)c.fn)(c.ctx, bl__col_text(q, 0), month_of(q, 1),
                                       sqlite3_column_int64(q, 2), bl__col_text(q, 3));
}

bl_status bl_store_network_totals(bl_store *st, int first, int last, bl_network_total_fn fn,
                                  void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(
        st,
        "SELECT u.resource_id, u.month, SUM(u.value),"
        " COALESCE((SELECT p.allocate FROM profile p WHERE p.resource_id = u.resource_id"
        "  AND p.network_level = 1 ORDER BY p.id LIMIT 1), 'none') "
        "FROM " BL__SQL_CONSULTATION_FROM " "
        "WHERE u.library_id = '" BL_NETWORK_LEVEL "' AND r.id IS NOT NULL AND " BL__SQL_CONSULTATION
        " AND u.month BETWEEN ?1 AND ?2 GROUP BY 1, 2 ORDER BY 1, 2",
        &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, network_total_row, CB(fn, ctx));
}

bl_status bl_store_log_requests(bl_store *st, int first, int last, bl_consultation_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT l.partner_id, u.resource_id, u.month, SUM(u.value) "
                           "FROM usage u JOIN library l ON l.id = u.library_id "
                           "WHERE u.report_rank = 2000 AND u.live = 1 AND u.resource_id IS NOT "
                           "NULL AND u.metric = 'Total_Item_Requests' AND u.access_method = "
                           "'Regular' AND u.value BETWEEN 0 AND 1000000000000 "
                           "AND u.month BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, consultation_row, CB(fn, ctx));
}

/* ---- end profile */

static bl_status partner_users_row(sqlite3_stmt *q, cb c)
{
    if (sqlite3_column_type(q, 1) == SQLITE_NULL)
        return BL_OK;
    return ((bl_partner_count_fn)c.fn)(c.ctx, bl__col_text(q, 0), sqlite3_column_int64(q, 1));
}

bl_status bl_store_partner_users(bl_store *st, int first, int last, bl_partner_count_fn fn,
                                 void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT l.partner_id, bl_sketch_count(s.sketch) "
                           "FROM user_sketch s JOIN library l ON l.id = s.library_id "
                           "WHERE s.month BETWEEN ?1 AND ?2 GROUP BY 1",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, partner_users_row, CB(fn, ctx));
}

static bl_status lost_row(sqlite3_stmt *q, cb c)
{
    return ((bl_lost_users_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1));
}

bl_status bl_store_users_lost(bl_store *st, int first, int last, bl_lost_users_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT DISTINCT COALESCE(l.partner_id, ''), t.library_id "
                           "FROM user_sketch_merged t LEFT JOIN library l ON l.id = t.library_id "
                           "WHERE t.month BETWEEN ?1 AND ?2 AND NOT EXISTS (SELECT 1 FROM "
                           "user_sketch x WHERE x.month = t.month "
                           "AND COALESCE(x.library_id, '') = t.library_id)",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, lost_row, CB(fn, ctx));
}

bl_status bl_store_network_users(bl_store *st, int first, int last, bool *has, long long *users)
{
    sqlite3_stmt *q = NULL;
    *has = false;
    *users = 0;
    bl_status rc = prepare(st,
                           "SELECT bl_sketch_count(sketch), COUNT(*) FROM user_sketch "
                           "WHERE library_id IS NOT NULL AND month BETWEEN ?1 AND ?2",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL &&
        sqlite3_column_int64(q, 1) > 0) {
        *has = true;
        *users = sqlite3_column_int64(q, 0);
    } else if (r != SQLITE_ROW && r != SQLITE_DONE) {
        rc = bl__sql_fail(st, true);
    }
    sqlite3_finalize(q);
    return rc;
}

static bl_status library_count_row(sqlite3_stmt *q, cb c)
{
    return ((bl_partner_count_fn)c.fn)(c.ctx, bl__col_text(q, 0), sqlite3_column_int(q, 1));
}

bl_status bl_store_library_counts(bl_store *st, bl_partner_count_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st, "SELECT partner_id, COUNT(*) FROM library GROUP BY 1", &q);
    return rc == BL_OK ? each_row(st, q, library_count_row, CB(fn, ctx)) : rc;
}

/* ---- per library (issue 15) */

static bl_status library_row(sqlite3_stmt *q, cb c)
{
    return ((bl_library_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1), bl__col_text(q, 2),
                                 month_of(q, 3), month_of(q, 4));
}

bl_status bl_store_libraries_of(bl_store *st, const char *partner_id, bl_library_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT partner_id, id, name, member_from, member_until FROM library "
                           "WHERE ?1 IS NULL OR partner_id = ?1 ORDER BY partner_id, name, id",
                           &q);
    if (rc != BL_OK)
        return rc;
    if (partner_id)
        sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_TRANSIENT);
    return each_row(st, q, library_row, CB(fn, ctx));
}

static bl_status library_usage_row(sqlite3_stmt *q, cb c)
{
    return ((bl_library_usage_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1),
                                       bl__col_text(q, 2), month_of(q, 3),
                                       sqlite3_column_int64(q, 4));
}

bl_status bl_store_library_consultations(bl_store *st, int first, int last, const char *partner_id,
                                         bl_library_usage_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc =
        prepare(st,
                "SELECT l.partner_id, u.library_id, u.resource_id, u.month, SUM(u.value) "
                "FROM " BL__SQL_CONSULTATION_FROM " JOIN library l ON l.id = u.library_id "
                "WHERE r.id IS NOT NULL AND " BL__SQL_CONSULTATION " "
                "AND u.month BETWEEN ?1 AND ?2 AND (?3 IS NULL OR l.partner_id = ?3) "
                "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
                &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    if (partner_id)
        sqlite3_bind_text(q, 3, partner_id, -1, SQLITE_TRANSIENT);
    return each_row(st, q, library_usage_row, CB(fn, ctx));
}

static bl_status library_users_row(sqlite3_stmt *q, cb c)
{
    if (sqlite3_column_type(q, 2) == SQLITE_NULL)
        return BL_OK;
    return ((bl_library_count_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1),
                                       sqlite3_column_int64(q, 2));
}

bl_status bl_store_library_users(bl_store *st, int first, int last, bl_library_count_fn fn,
                                 void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT l.partner_id, s.library_id, bl_sketch_count(s.sketch) "
                           "FROM user_sketch s JOIN library l ON l.id = s.library_id "
                           "WHERE s.month BETWEEN ?1 AND ?2 GROUP BY 1, 2 ORDER BY 1, 2",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, library_users_row, CB(fn, ctx));
}

static char *dup_col(sqlite3_stmt *q, int c)
{
    const unsigned char *t = sqlite3_column_text(q, c);
    return t ? bl_strdup_printf("%s", (const char *)t) : NULL;
}

bl_status bl_store_network_identity(bl_store *st, bl_network_identity *id)
{
    sqlite3_stmt *q = NULL;
    *id = (bl_network_identity){0};
    bl_status rc = prepare(st,
                           "SELECT name, short_name, logo, contact_email, website FROM network_info"
                           " WHERE id = 1",
                           &q);
    if (rc != BL_OK)
        return rc;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        id->name = dup_col(q, 0);
        id->short_name = dup_col(q, 1);
        id->contact_email = dup_col(q, 3);
        id->website = dup_col(q, 4);
        int n = sqlite3_column_bytes(q, 2);
        const void *b = sqlite3_column_blob(q, 2);
        if (b && n > 0 && (id->logo = malloc((size_t)n)) != NULL) {
            memcpy(id->logo, b, (size_t)n);
            id->logo_len = (size_t)n;
        }
        if (!id->name || !id->short_name || !id->contact_email || !id->website ||
            (b && n > 0 && !id->logo))
            rc = BL_NOMEM;
    } else if (r != SQLITE_DONE) {
        rc = bl__sql_fail(st, true);
    }
    sqlite3_finalize(q);
    if (rc != BL_OK)
        bl_network_identity_release(id);
    return rc;
}

void bl_network_identity_release(bl_network_identity *id)
{
    free(id->name), free(id->short_name), free(id->contact_email), free(id->website);
    free(id->logo);
    *id = (bl_network_identity){0};
}

/* ---- end per library */

static bl_status unattributed_row(sqlite3_stmt *q, cb c)
{
    return ((bl_unattributed_fn)c.fn)(c.ctx, bl__col_text(q, 0), bl__col_text(q, 1),
                                      sqlite3_column_int64(q, 2));
}

bl_status bl_store_unattributed(bl_store *st, int first, int last, bl_unattributed_fn fn, void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(
        st,
        "SELECT CASE WHEN u.library_id IS NOT NULL THEN COALESCE(l.name, u.library_id)"
        "            WHEN u.institution <> '' AND u.institution_id <> ''"
        "              THEN u.institution || ' (' || u.institution_id || ')'"
        "            ELSE u.institution || u.institution_id END,"
        "       CASE WHEN u.resource_id IS NOT NULL THEN COALESCE(r.name, u.resource_id)"
        "            WHEN u.platform <> '' AND u.database_name <> ''"
        "              THEN u.platform || ' / ' || u.database_name"
        "            ELSE u.platform || u.database_name END,"
        "       SUM(u.value) AS total "
        "FROM " BL__SQL_CONSULTATION_FROM " LEFT JOIN library l ON l.id = u.library_id "
        "WHERE (u.library_id IS NULL OR u.resource_id IS NULL) AND " BL__SQL_CONSULTATION " "
        "AND u.month BETWEEN ?1 AND ?2 "
        "GROUP BY 1, 2 HAVING total > 0 ORDER BY total DESC, 1, 2",
        &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, unattributed_row, CB(fn, ctx));
}

static bl_status rejects_row(sqlite3_stmt *q, cb c)
{
    bl_rejects_row r = {bl__col_text(q, 0), bl__col_text(q, 1), bl__col_text(q, 2),
                        sqlite3_column_int64(q, 3), sqlite3_column_int64(q, 4)};
    return ((bl_rejects_fn)c.fn)(c.ctx, &r);
}

bl_status bl_store_files_with_rejects(bl_store *st, int first, int last, bl_rejects_fn fn,
                                      void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT s.path, " BL__SQL_SOURCE_PROVIDER ", s.format, "
                           "s.rows_rejected, s.rows_accepted FROM source s "
                           "WHERE s.rows_rejected > 0 AND s.replaced_by IS NULL "
                           "AND COALESCE(s.period_begin, '0000-00') <= ?2 "
                           "AND COALESCE(s.period_end, '9999-99') >= ?1 ORDER BY s.path, s.id",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    return each_row(st, q, rejects_row, CB(fn, ctx));
}

static bl_status range_row(sqlite3_stmt *q, cb c)
{
    return ((bl_range_fn)c.fn)(c.ctx, bl__col_text(q, 0), sqlite3_column_int64(q, 1));
}

bl_status bl_store_unattributed_ranges(bl_store *st, int first, int last, int limit, bl_range_fn fn,
                                       void *ctx)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = prepare(st,
                           "SELECT ur.range, SUM(ur.events) AS n FROM unattributed_range ur "
                           "JOIN source s ON s.id = ur.source_id "
                           "WHERE s.removed_at IS NULL AND ur.events BETWEEN 1 AND 1000000000 "
                           "AND COALESCE(s.period_begin, '0000-00') <= ?2 "
                           "AND COALESCE(s.period_end, '9999-99') >= ?1 "
                           "GROUP BY ur.range ORDER BY n DESC, ur.range LIMIT ?3",
                           &q);
    if (rc != BL_OK)
        return rc;
    bind_months(q, 1, first, last);
    sqlite3_bind_int(q, 3, limit);
    return each_row(st, q, range_row, CB(fn, ctx));
}
