/* The network as stored, for `bilan network show` (include/bilan/
 * store_queries.h): each list with the months its items have usage in
 * (effective usage, any metric), as rows of text cells. */
#include "store_internal.h"
#include "bilan/store_queries.h"

#include <stdio.h>

/* The months an item has effective usage in, for every item at once (one
 * pass over the usage: a network of thousands of libraries is listed in
 * time linear in its size, not a subquery per item). */
#define MONTHS_BY(KEY, FROM)                                                                    \
    "SELECT " KEY " AS k, MIN(u.month) AS first, MAX(u.month) AS last FROM " FROM " WHERE " KEY \
    " IS NOT NULL AND u.value > 0 GROUP BY " KEY
/* A list column of an item: its values joined by ';', in ORDER. */
#define JOINED(TABLE, KEY, VALUE, ORDER)                                                  \
    "SELECT " KEY " AS k, group_concat(" VALUE ", ';') AS v FROM (SELECT " KEY ", " VALUE \
    " FROM " TABLE " ORDER BY " KEY ", " ORDER ") GROUP BY " KEY

/* One query per list; its columns are the row's cells, in this order. */
static const struct {
    const char *const cols[BL_NET_MAX_COLS + 1];
    const char *sql;
} LISTS[] = {
    [BL_NET_PARTNERS] =
        {{"id", "name", "kind", "population", "population_year", "rate_per_inhabitant", "emails",
          "article", "libraries", "first_month", "last_month", NULL},
         "WITH n AS (SELECT partner_id AS k, COUNT(*) AS libs FROM library GROUP BY partner_id),"
         " m AS (" MONTHS_BY("l.partner_id", "usage_effective u JOIN library l ON l.id = "
                                             "u.library_id") ")"
                                                             " SELECT p.id, p.name, p.kind, "
                                                             "p.population, "
                                                             "COALESCE(p.population_year, ''),"
                                                             " rtrim(rtrim(printf('%d,%04d', "
                                                             "p.rate_e4 / 10000, p.rate_e4 % "
                                                             "10000), '0'), ','),"
                                                             " p.emails, COALESCE(p.article, ''),"
                                                             " COALESCE(n.libs, 0), "
                                                             "COALESCE(m.first, ''), "
                                                             "COALESCE(m.last, '')"
                                                             " FROM partner p LEFT JOIN n ON n.k = "
                                                             "p.id LEFT JOIN m ON m.k = p.id ORDER "
                                                             "BY p.id"},
    [BL_NET_LIBRARIES] =
        {{"id", "partner_id", "name", "aliases", "ip_ranges", "member_from", "member_until",
          "first_month", "last_month", NULL},
         "WITH a AS (" JOINED(
             "library_alias", "library_id", "alias",
             "alias") "),"
                      " r AS (" JOINED(
                          "library_ip_range", "library_id", "cidr",
                          "rowid") "),"
                                   " m AS (" MONTHS_BY(
                                       "u.library_id",
                                       "usage_effective u") ")"
                                                            " SELECT l.id, l.partner_id, l.name, "
                                                            "COALESCE(a.v, ''), COALESCE(r.v, ''),"
                                                            " COALESCE(l.member_from, ''),"
                                                            " COALESCE(l.member_until, ''),"
                                                            " COALESCE(m.first, ''), "
                                                            "COALESCE(m.last, '')"
                                                            " FROM library l LEFT JOIN a ON a.k = "
                                                            "l.id LEFT JOIN r ON r.k = l.id"
                                                            " LEFT JOIN m ON m.k = l.id ORDER BY "
                                                            "l.id"},
    [BL_NET_RESOURCES] =
        {{"id", "name", "provider", "kind", "annual_cost", "counter_names", "url_pattern",
          "request_pattern", "headline_metric", "first_month", "last_month", NULL},
         "WITH c AS (" JOINED(
             "resource_name", "resource_id", "name",
             "name") "),"
                     " m AS (" MONTHS_BY(
                         "u.resource_id",
                         "usage_effective u") ")"
                                              " SELECT r.id, r.name, r.provider, r.kind, "
                                              "CASE WHEN r.annual_cost_cents = 0 THEN '' ELSE "
                                              "printf('%d,%02d', r.annual_cost_cents / 100, "
                                              "r.annual_cost_cents % 100) END, "
                                              "COALESCE(c.v, ''), r.url_pattern, r.request_pattern,"
                                              " r.headline_metric, COALESCE(m.first, ''), "
                                              "COALESCE(m.last, '')"
                                              " FROM resource r LEFT JOIN c ON c.k = r.id LEFT "
                                              "JOIN m ON m.k = r.id ORDER BY r.id"},
    [BL_NET_FORFAITS] =
        {{"id", "resource_id", "units", "start", "end", "metric", "monthly_cap",
          "per_patron_monthly_quota", "alert_percent", NULL},
         "SELECT id, resource_id, units, start, end, metric, COALESCE(monthly_cap, ''),"
         " COALESCE(per_patron_monthly_quota, ''), alert_percent FROM forfait ORDER BY id"},
    /* The latest request of each endpoint is its harvest row with the
     * latest attempt (ties within the second: the row written last, as
     * INSERT OR REPLACE gives a replaced row a new rowid). */
    [BL_NET_SUSHI] =
        {{"id",        "url",          "release",      "customer_id",  "requestor_id",
          "api_key",   "platform",     "reports",      "library_id",   "date_format",
          "harvested", "to_retry",     "last_attempt", "last_request", "last_state",
          "last_code", "last_message", "first_month",  "last_month",   NULL},
         "WITH h AS (SELECT endpoint_id AS k,"
         " SUM(state IN ('ok', 'no_usage')) AS done,"
         " SUM(state NOT IN ('ok', 'no_usage')) AS retry,"
         " MIN(CASE WHEN state = 'ok' THEN month END) AS first,"
         " MAX(CASE WHEN state = 'ok' THEN month END) AS last"
         " FROM harvest GROUP BY endpoint_id),"
         " l AS (SELECT endpoint_id AS k, last_attempt, report_id || ' ' || month AS req,"
         " state, code, message, ROW_NUMBER() OVER (PARTITION BY endpoint_id"
         " ORDER BY last_attempt DESC, rowid DESC) AS n FROM harvest"
         " WHERE last_attempt IS NOT NULL AND last_attempt <> '')"
         " SELECT e.id, e.url, CASE e.release WHEN 51 THEN '5.1' ELSE e.release END,"
         " e.customer_id, e.requestor_ref, e.api_key_ref, e.platform, e.reports,"
         " COALESCE(e.library_id, ''), e.date_format, COALESCE(h.done, 0),"
         " COALESCE(h.retry, 0), COALESCE(l.last_attempt, ''), COALESCE(l.req, ''),"
         " COALESCE(l.state, ''), COALESCE(NULLIF(l.code, 0), ''),"
         " COALESCE(l.message, ''), COALESCE(h.first, ''), COALESCE(h.last, '')"
         " FROM sushi_endpoint e LEFT JOIN h ON h.k = e.id"
         " LEFT JOIN l ON l.k = e.id AND l.n = 1 ORDER BY e.id"},
    /* A profile's usage: its files' rows still counted (family 15, the
     * source's report_id is the profile's id). */
    [BL_NET_PROFILES] = {{"id", "resource_id", "provider", "level", "allocate", "file",
                          "first_month", "last_month", "text", NULL},
                         "WITH m AS (SELECT s.report_id AS k, MIN(u.month) AS first,"
                         " MAX(u.month) AS last FROM usage u JOIN source s ON s.id = u.source_id"
                         " WHERE s.family = 15 AND u.live = 1 AND u.value > 0"
                         " GROUP BY s.report_id)"
                         " SELECT p.id, p.resource_id, COALESCE(r.provider, ''),"
                         " CASE WHEN p.network_level THEN 'network' ELSE 'library' END,"
                         " p.allocate, p.file, COALESCE(m.first, ''), COALESCE(m.last, ''), p.text"
                         " FROM profile p LEFT JOIN resource r ON r.id = p.resource_id"
                         " LEFT JOIN m ON m.k = p.id ORDER BY p.id"},
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
        return bl_store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *cells[BL_NET_MAX_COLS];
        for (size_t i = 0; i < n; i++)
            cells[i] = bl__col_text(q, (int)i);
        rc = fn(ctx, cells, n);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl_store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}
