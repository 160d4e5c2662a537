/* The network as stored, for `bilan network show` (include/bilan/
 * store_queries.h): each list with the months its items have usage in
 * (effective usage, any metric), as rows of text cells. */
#include "store_internal.h"
#include "bilan/store_queries.h"

#include <stdio.h>

/* One query per list; its columns are the row's cells, in this order. */
static const struct {
    const char *const cols[12];
    const char *sql;
} LISTS[] = {
    [BL_NET_PARTNERS] =
        {{"id", "name", "kind", "population", "population_year", "rate_per_inhabitant", "emails",
          "libraries", "first_month", "last_month", NULL},
         "SELECT p.id, p.name, p.kind, p.population, COALESCE(p.population_year, ''),"
         " rtrim(rtrim(printf('%d,%04d', p.rate_e4 / 10000, p.rate_e4 % 10000), '0'), ','),"
         " p.emails,"
         " (SELECT COUNT(*) FROM library l WHERE l.partner_id = p.id),"
         " COALESCE(MIN(u.month), ''), COALESCE(MAX(u.month), '')"
         " FROM partner p LEFT JOIN library l2 ON l2.partner_id = p.id"
         " LEFT JOIN usage_effective u ON u.library_id = l2.id"
         " GROUP BY p.id ORDER BY p.id"},
    [BL_NET_LIBRARIES] =
        {{"id", "partner_id", "name", "aliases", "ip_ranges", "first_month", "last_month", NULL},
         "SELECT l.id, l.partner_id, l.name,"
         " COALESCE((SELECT group_concat(alias, ';') FROM (SELECT alias FROM library_alias a"
         "   WHERE a.library_id = l.id ORDER BY alias)), ''),"
         " COALESCE((SELECT group_concat(cidr, ';') FROM (SELECT cidr FROM library_ip_range r"
         "   WHERE r.library_id = l.id ORDER BY rowid)), ''),"
         " COALESCE((SELECT MIN(month) FROM usage_effective u WHERE u.library_id = l.id), ''),"
         " COALESCE((SELECT MAX(month) FROM usage_effective u WHERE u.library_id = l.id), '')"
         " FROM library l ORDER BY l.id"},
    [BL_NET_RESOURCES] =
        {{"id", "name", "provider", "kind", "counter_names", "url_pattern", "headline_metric",
          "first_month", "last_month", NULL},
         "SELECT r.id, r.name, r.provider, r.kind,"
         " COALESCE((SELECT group_concat(name, ';') FROM (SELECT name FROM resource_name n"
         "   WHERE n.resource_id = r.id ORDER BY name)), ''),"
         " r.url_pattern, r.headline_metric,"
         " COALESCE((SELECT MIN(month) FROM usage_effective u WHERE u.resource_id = r.id), ''),"
         " COALESCE((SELECT MAX(month) FROM usage_effective u WHERE u.resource_id = r.id), '')"
         " FROM resource r ORDER BY r.id"},
    [BL_NET_FORFAITS] =
        {{"id", "resource_id", "units", "start", "end", "metric", "monthly_cap",
          "per_patron_monthly_quota", "alert_percent", NULL},
         "SELECT id, resource_id, units, start, end, metric, COALESCE(monthly_cap, ''),"
         " COALESCE(per_patron_monthly_quota, ''), alert_percent FROM forfait ORDER BY id"},
};

const char *const *bl_store_network_columns(bl_net_list which)
{
    return (unsigned)which < sizeof LISTS / sizeof LISTS[0] ? LISTS[which].cols : NULL;
}

bl_status bl_store_network_list(bl_store *st, bl_net_list which, bl_net_row_fn fn, void *ctx)
{
    const char *const *cols = bl_store_network_columns(which);
    if (!cols)
        return BL_USAGE;
    size_t n = 0;
    while (cols[n])
        n++;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, LISTS[which].sql, -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *cells[12];
        for (size_t i = 0; i < n; i++)
            cells[i] = bl__col_text(q, (int)i);
        rc = fn(ctx, cells, n);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}
