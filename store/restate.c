/* Restatements and removal (docs/trust.md). Every source keeps its rows in
 * `usage`; for each restatement key (report id, institution as written,
 * platform, month, metric) exactly one source's rows are live: the one
 * that carries the key with certainty (no rejected row of its own in that
 * key) and was created last (its plausible Created date, else when it was
 * ingested), ties by ingest order. The winner is a function of the set of
 * sources, never of the order they came in, so an archive ingested late
 * and a source removed both leave the store as if the history had been
 * the natural one. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Two rows of one restatement key. u, a row of usage, is a report's
 * (rank < 2000): only reports are restated, and the term lets SQLite use
 * the partial index usage_by_key. */
#define KEY_EQ(u, k)                                                                             \
    u.platform = k.platform AND u.month = k.month AND u.metric = k.metric AND u.institution_id = \
        k.institution_id AND u.institution = k.institution AND u.report_rank < 2000

static bl_status exec1(bl_store *st, const char *sql, long long id)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s: %s [%s]", st->path, sqlite3_errmsg(st->db), sql);
    if (id >= 0 && sqlite3_bind_parameter_count(q) >= 1)
        sqlite3_bind_int64(q, 1, id);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return bl_store_fail(st, (r & 0xff) == SQLITE_BUSY ? BL_TEMPFAIL : BL_IO, "%s: %s",
                             st->path, sqlite3_errmsg(st->db));
    return BL_OK;
}

static long long query1(bl_store *st, const char *sql, long long id)
{
    sqlite3_stmt *q = NULL;
    long long v = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(q) >= 1)
            sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

/* Whether any other source (not removed) of the same report id covers a
 * month of source id: when none does, there is nothing to restate, which
 * is the common case of a new month arriving. */
static bool has_rivals(bl_store *st, long long id)
{
    return query1(
               st,
               "SELECT EXISTS (SELECT 1 FROM source s, source me WHERE me.id = ?1"
               " AND s.id <> me.id AND s.removed_at IS NULL AND s.family <> 20"
               " AND " BL__STR(BL__SAME_SCOPE(s, me)) " AND COALESCE(s.period_begin, '0000-00') <= "
                                                      "COALESCE(me.period_end, '9999-99')"
                                                      " AND COALESCE(s.period_end, '9999-99') >= "
                                                      "COALESCE(me.period_begin, '0000-00'))",
               id) != 0;
}

/* Source ?1's zeros (collect_keys): the months of its period it covers
 * (mo), for each of its rows (g), where it has no value and another report
 * of its scope has one. */
/* clang-format off */
static const char ZEROS_SQL[] =
    "WITH RECURSIVE me AS (SELECT * FROM source WHERE id = ?1 AND family <> 20"
    "  AND period_begin IS NOT NULL AND period_end IS NOT NULL),"
    " mo(m) AS (SELECT period_begin FROM me UNION ALL"
    "  SELECT printf('%04d-%02d', CAST(substr(m, 1, 4) AS INTEGER)"
    "   + (substr(m, 6, 2) = '12'), CAST(substr(m, 6, 2) AS INTEGER) % 12 + 1)"
    "  FROM mo, me WHERE m < me.period_end),"
    " g AS (SELECT DISTINCT institution_id, institution, platform, metric"
    "  FROM usage WHERE source_id = ?1 AND report_rank < 2000)"
    " INSERT INTO temp.rkey SELECT DISTINCT g.institution_id, g.institution,"
    "  g.platform, mo.m, g.metric FROM me, mo, g"
    " WHERE " BL__STR(BL__COVERS(me, mo.m))
    " AND EXISTS (SELECT 1 FROM usage u JOIN source z ON z.id = u.source_id"
    "  AND " BL__STR(BL__SAME_SCOPE(z, me))
    "  WHERE u.platform = g.platform AND u.month = mo.m AND u.metric = g.metric"
    "  AND u.institution_id = g.institution_id AND u.institution = g.institution"
    "  AND u.report_rank < 2000 AND u.source_id <> ?1)"
    " AND NOT EXISTS (SELECT 1 FROM usage u"
    "  WHERE u.platform = g.platform AND u.month = mo.m AND u.metric = g.metric"
    "  AND u.institution_id = g.institution_id AND u.institution = g.institution"
    "  AND u.report_rank < 2000 AND u.source_id = ?1)";
/* clang-format on */

/* The keys of source id into temp.rkey: those of its rows, and its zeros.
 * A report stores no row for a 0, but a row of it (an institution,
 * platform and metric) speaks for every month it covers: a key of that row
 * that it has no value for is a 0 it gives, and restates another report's
 * figure as any other value would (a correction down to 0). */
static bl_status collect_keys(bl_store *st, long long id)
{
    bl_status rc;
    if ((rc = bl__exec(st, "CREATE TEMP TABLE IF NOT EXISTS rkey(institution_id, institution,"
                           " platform, month, metric);"
                           "CREATE TEMP TABLE IF NOT EXISTS rcand(id INTEGER PRIMARY KEY, r, kid,"
                           " sid, cert, ord, was_live, kind, zero);"
                           "CREATE INDEX IF NOT EXISTS temp.rcand_kid ON rcand(kid, sid);"
                           "CREATE TEMP TABLE IF NOT EXISTS rgrp(sid, institution_id, institution,"
                           " platform, metric);"
                           "CREATE INDEX IF NOT EXISTS temp.rgrp_key ON rgrp(platform, metric,"
                           " institution_id, institution, sid);"
                           "DELETE FROM temp.rkey; DELETE FROM temp.rcand;"
                           "DELETE FROM temp.rgrp;")) != BL_OK)
        return rc;
    /* The rows (institution, platform, metric) of the sources that may
     * give a key a zero: source id's and those of its scope whose period
     * meets its own (read before a removal deletes its rows). */
    if ((rc = exec1(st,
                    "INSERT INTO temp.rgrp SELECT DISTINCT u.source_id, u.institution_id,"
                    " u.institution, u.platform, u.metric"
                    " FROM source me JOIN source s ON s.family <> 20 AND s.removed_at IS NULL"
                    "  AND " BL__STR(BL__SAME_SCOPE(
                        s, me)) " AND s.period_begin <= me.period_end"
                                "  AND s.period_end >= me.period_begin"
                                " JOIN usage u ON u.source_id = s.id AND u.report_rank < 2000"
                                " WHERE me.id = ?1",
                    id)) != BL_OK)
        return rc;
    if ((rc = exec1(st,
                    "INSERT INTO temp.rkey SELECT DISTINCT institution_id, institution,"
                    " platform, month, metric FROM usage WHERE source_id = ?1",
                    id)) != BL_OK)
        return rc;
    /* Its zeros: each of its rows' months it covers, without a value of
     * its own there, where another report of its scope has one. */
    if ((rc = exec1(st, ZEROS_SQL, id)) != BL_OK)
        return rc;
    /* Only keys another source also carries, as a value or a zero, are
     * contested: the others need no decision (a report of many
     * institutions, mostly new, stays cheap). */
    return exec1(
        st,
        "DELETE FROM temp.rkey WHERE NOT EXISTS (SELECT 1 FROM usage u"
        " WHERE " BL__STR(KEY_EQ(
            u, rkey)) " AND u.source_id <> ?1)"
                      " AND NOT EXISTS (SELECT 1 FROM temp.rgrp g JOIN source s ON s.id = g.sid"
                      "  WHERE g.platform = rkey.platform AND g.metric = rkey.metric"
                      "  AND g.institution_id = rkey.institution_id"
                      "  AND g.institution = rkey.institution AND g.sid <> ?1"
                      "  AND " BL__STR(BL__COVERS(s, rkey.month)) ")",
        id);
}

/* Recomputes which source is live for every key in temp.rkey, among the
 * sources of the same report id as source id: the candidates' rows go to
 * temp.rcand with whether they were live, and so do the zeros of the
 * sources that cover a key's month without a value there (r NULL: a zero
 * that wins leaves no row of the key live); then one window picks each
 * key's winner. */
static bl_status recompute(bl_store *st, long long id)
{
    bl_status rc;
    if ((rc = exec1(st,
                    "INSERT INTO temp.rcand(r, kid, sid, cert, ord, was_live, kind, zero)"
                    " SELECT NULL, k.rowid, s.id,"
                    "  s.complete AND NOT EXISTS (SELECT 1 FROM shield h"
                    "   WHERE h.source_id = s.id AND h.platform = k.platform AND h.month = k.month"
                    "   AND h.institution_id = k.institution_id AND h.institution = k.institution"
                    "   AND h.metric IN ('', k.metric)),"
                    "  s.order_time, 0, s.one_institution, 1"
                    " FROM temp.rkey k JOIN temp.rgrp g ON g.platform = k.platform"
                    "  AND g.metric = k.metric AND g.institution_id = k.institution_id"
                    "  AND g.institution = k.institution"
                    " JOIN source s ON s.id = g.sid AND s.removed_at IS NULL"
                    " WHERE " BL__STR(BL__COVERS(
                        s, k.month)) " AND NOT EXISTS (SELECT 1 FROM usage u"
                                     "  WHERE " BL__STR(KEY_EQ(u, k)) " AND u.source_id = s.id)",
                    id)) != BL_OK)
        return rc;
    if ((rc = exec1(st,
                    "INSERT INTO temp.rcand(r, kid, sid, cert, ord, was_live, kind, zero)"
                    " SELECT u.rowid, k.rowid, u.source_id,"
                    "  s.complete AND NOT EXISTS (SELECT 1 FROM shield h"
                    "   WHERE h.source_id = s.id AND h.platform = u.platform AND h.month = u.month"
                    "   AND h.institution_id = u.institution_id AND h.institution = u.institution"
                    "   AND h.metric IN ('', u.metric)),"
                    "  s.order_time, u.live, s.one_institution, u.value = 0"
                    " FROM temp.rkey k JOIN usage u ON " BL__STR(
                        KEY_EQ(u, k)) " JOIN source s ON s.id = u.source_id"
                                      " JOIN source me ON me.id = ?1"
                                      " WHERE s.family <> 20 AND s.removed_at IS NULL"
                                      " AND " BL__STR(BL__SAME_SCOPE(s, me)),
                    id)) != BL_OK)
        return rc;
    if ((rc = bl__exec(
             st, "UPDATE usage SET live = 0 WHERE rowid IN (SELECT r FROM temp.rcand)")) != BL_OK)
        return rc;
    /* Each key's winner, kept: a zero that wins has no row to be live,
     * and the note of a file that lost names the winner. The newest
     * candidate wins, but a zero (a month without a value, or a row's 0)
     * only against a value of its own kind (one_institution: a library's
     * own report, or a report about every library): when the newest older
     * value is of the other kind, the zero does not speak against it (a
     * consortium report's months without a library's value are not that
     * library's own account's figures, and the other way round). */
    if ((rc = bl__exec(st, "CREATE TEMP TABLE IF NOT EXISTS rwin(kid INTEGER PRIMARY KEY, sid);"
                           "DELETE FROM temp.rwin;"
                           "INSERT INTO temp.rwin SELECT kid, sid FROM (SELECT c.kid, c.sid,"
                           " row_number() OVER (PARTITION BY c.kid ORDER BY c.cert DESC,"
                           " c.ord DESC, c.sid DESC) AS rn FROM temp.rcand c"
                           " WHERE NOT c.zero OR COALESCE((SELECT v.kind FROM temp.rcand v"
                           "  WHERE v.kid = c.kid AND NOT v.zero"
                           "  AND (v.cert, v.ord, v.sid) < (c.cert, c.ord, c.sid)"
                           "  ORDER BY v.cert DESC, v.ord DESC, v.sid DESC LIMIT 1), c.kind)"
                           "  = c.kind) WHERE rn = 1")) != BL_OK)
        return rc;
    return bl__exec(st, "UPDATE usage SET live = 1 WHERE rowid IN (SELECT c.r FROM temp.rcand c"
                        " JOIN temp.rwin b ON b.kid = c.kid AND b.sid = c.sid)");
}

/* Rows of other sources of the same report id that stay counted in cells
 * source sid would have restated but for its rejected rows (its shields,
 * or every key it carries when a rejected row could not be named). */
static long long kept_by_rejection(bl_store *st, long long sid)
{
    return query1(
        st,
        "SELECT count(*) FROM (SELECT u.rowid FROM shield h"
        "  JOIN usage u ON u.platform = h.platform AND u.month = h.month"
        "  AND u.institution_id = h.institution_id AND u.institution = h.institution"
        "  AND u.report_rank < 2000"
        "  AND h.metric IN ('', u.metric) AND u.live = 1 AND u.source_id <> h.source_id"
        "  JOIN source me ON me.id = ?1"
        "  JOIN source s ON s.id = u.source_id AND s.family <> 20"
        "  AND " BL__STR(BL__SAME_SCOPE(
            s, me)) "  WHERE h.source_id = ?1"
                    " UNION SELECT u.rowid FROM usage x JOIN source me ON me.id = x.source_id"
                    "  AND NOT me.complete JOIN usage u ON " BL__STR(
                        KEY_EQ(u, x)) " AND u.live = 1"
                                      "  AND u.source_id <> x.source_id"
                                      "  JOIN source s ON s.id = u.source_id AND " BL__STR(
                                          BL__SAME_SCOPE(s, me)) "  WHERE x.source_id = ?1)",
        sid);
}

bl_status bl__restate(bl_store *st, long long sid, bl_restate_counts *c)
{
    memset(c, 0, sizeof *c);
    bl_status rc;
    if (!has_rivals(st, sid))
        return BL_OK;
    if ((rc = collect_keys(st, sid)) != BL_OK || (rc = recompute(st, sid)) != BL_OK)
        return rc;
    c->lost_rows = query1(st,
                          "SELECT count(*) FROM temp.rcand c JOIN usage u ON u.rowid = c.r"
                          " WHERE c.was_live AND c.sid <> ?1 AND u.live = 0",
                          sid);
    c->lost_sources = query1(st,
                             "SELECT count(DISTINCT c.sid) FROM temp.rcand c JOIN usage u"
                             " ON u.rowid = c.r WHERE c.was_live AND c.sid <> ?1 AND u.live = 0",
                             sid);
    c->self_superseded = query1(st,
                                "SELECT count(*) FROM temp.rcand c JOIN usage u ON u.rowid = c.r"
                                " WHERE c.sid = ?1 AND c.cert AND u.live = 0",
                                sid);
    c->winner_over_self = query1(st,
                                 /* the winner of a key it lost (a value or a zero) */
                                 "SELECT max(w.sid) FROM temp.rcand me JOIN temp.rwin w"
                                 " ON w.kid = me.kid AND w.sid <> me.sid"
                                 " WHERE me.sid = ?1 AND me.r IS NOT NULL",
                                 sid);
    c->kept_by_rejection = kept_by_rejection(st, sid);
    return BL_OK;
}

/* One group of bl_store_double_counts being read: its strings and months
 * (the statement's own text changes at each step). */
typedef struct dbl_group {
    long long other;
    char *path, *library, *name, *other_name;
    int *months;
    size_t n, alloc;
} dbl_group;

static void dbl_clear(dbl_group *g)
{
    free(g->path), free(g->library), free(g->name), free(g->other_name);
    g->path = g->library = g->name = g->other_name = NULL;
    g->n = 0;
}

static bl_status dbl_emit(dbl_group *g, bl_double_count_fn fn, void *ctx)
{
    if (!g->n)
        return BL_OK;
    bl_double_count d = {g->other, g->path, g->library, g->name, g->other_name, g->months, g->n};
    bl_status rc = fn(ctx, &d);
    dbl_clear(g);
    return rc;
}

/* The rows of source ?1 counted beside another source's for the same
 * library, platform, month and metric: same scope, both reports (not logs:
 * family ?2 is theirs), the same institution id ('' for both in profile
 * exports, family ?3; a COUNTER report's must be one: R4 customers without
 * an id under two names are two accounts) and another name, both live. Profile exports since issue
 * 13; COUNTER reports since 3 December 2026 (a library's own report and a consortium row writing
 * its name otherwise, same id, were added without a word). The other source's rows are found
 * through usage_by_key (platform, month, metric, institution_id), which the term report_rank < 2000
 * lets SQLite use. */
#define DOUBLE_SCOPE BL__STR(BL__SAME_SCOPE(s, me))
static const char DOUBLE_SQL[] =
    "SELECT o.source_id, s.path, u.library_id, u.institution, o.institution, u.month"
    " FROM usage u JOIN source me ON me.id = u.source_id AND me.family <> ?2"
    " JOIN usage o ON o.platform = u.platform AND o.month = u.month AND o.metric = u.metric"
    "  AND o.institution_id = u.institution_id AND o.report_rank < 2000"
    "  AND o.institution <> u.institution AND o.library_id = u.library_id"
    "  AND o.live = 1 AND o.source_id <> u.source_id AND o.value > 0"
    " JOIN source s ON s.id = o.source_id AND s.removed_at IS NULL AND s.family <> ?2"
    "  AND " DOUBLE_SCOPE " WHERE u.source_id = ?1 AND u.live = 1 AND u.value > 0"
    " AND u.library_id IS NOT NULL AND u.library_id <> '" BL_NETWORK_LEVEL "'"
    " AND (me.family = ?3 OR u.institution_id <> '')"
    " GROUP BY o.source_id, u.library_id, u.institution, o.institution, u.month"
    " ORDER BY o.source_id, u.library_id, u.institution, o.institution, u.month";

bl_status bl_store_double_counts(bl_store *st, long long sid, bl_double_count_fn fn, void *ctx)
{
    if (!has_rivals(st, sid))
        return BL_OK;
    sqlite3_stmt *q = NULL;
    dbl_group g = {0};
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db, DOUBLE_SQL, -1, &q, NULL) != SQLITE_OK) {
        rc = bl__sql_fail(st, true);
        goto out;
    }
    sqlite3_bind_int64(q, 1, sid);
    sqlite3_bind_int(q, 2, BL_FAM_LOG);
    sqlite3_bind_int(q, 3, BL_FAM_PROFILE);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        long long other = sqlite3_column_int64(q, 0);
        const char *lib = bl__col_text(q, 2), *name = bl__col_text(q, 3),
                   *oname = bl__col_text(q, 4);
        int mi;
        if (!bl_month_parse(bl__col_text(q, 5), &mi))
            continue; /* the store's months are YYYY-MM: never */
        if (g.n &&
            (g.other != other || strcmp(g.library, lib) != 0 || strcmp(g.name, name) != 0 ||
             strcmp(g.other_name, oname) != 0) &&
            (rc = dbl_emit(&g, fn, ctx)) != BL_OK)
            goto out;
        if (!g.n) {
            g.other = other;
            g.path = strdup(bl__col_text(q, 1));
            g.library = strdup(lib);
            g.name = strdup(name);
            g.other_name = strdup(oname);
            if (!g.path || !g.library || !g.name || !g.other_name) {
                rc = BL_NOMEM;
                goto out;
            }
        }
        if (g.n == g.alloc) {
            size_t na = g.alloc ? 2 * g.alloc : 16;
            int *nm = realloc(g.months, na * sizeof *nm);
            if (!nm) {
                rc = BL_NOMEM;
                goto out;
            }
            g.months = nm, g.alloc = na;
        }
        g.months[g.n++] = mi;
    }
    if (r != SQLITE_DONE)
        rc = bl__sql_fail(st, true);
    else
        rc = dbl_emit(&g, fn, ctx);
out:
    sqlite3_finalize(q);
    dbl_clear(&g);
    free(g.months);
    return rc;
}

bl_status bl_store_remove_sources(bl_store *st, const long long *ids, size_t n,
                                  bl_remove_result *out)
{
    memset(out, 0, sizeof *out);
    bl_status rc = bl__begin(st);
    if (rc != BL_OK)
        return rc;
    char now[32];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    bool any_log = false;
    for (size_t i = 0; i < n; i++) {
        long long id = ids[i];
        sqlite3_stmt *q = NULL;
        int exists = 0, family = 0;
        char removed[32] = "";
        if (sqlite3_prepare_v2(st->db, "SELECT family, removed_at FROM source WHERE id = ?", -1, &q,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, id);
            if (sqlite3_step(q) == SQLITE_ROW) {
                exists = 1;
                family = sqlite3_column_int(q, 0);
                const unsigned char *r = sqlite3_column_text(q, 1);
                if (r)
                    snprintf(removed, sizeof removed, "%s", (const char *)r);
            }
        }
        sqlite3_finalize(q);
        if (!exists) {
            rc = bl_store_fail(st, BL_NOTFOUND, "no source #%lld (see 'bilan sources')", id);
            goto fail;
        }
        if (*removed) {
            rc = bl_store_fail(st, BL_NOTFOUND, "source #%lld was already removed (%s)", id,
                               removed);
            goto fail;
        }
        bool is_log = family == BL_FAM_LOG;
        any_log |= is_log;
        /* (a figure dropped now: one still there, not one an earlier
         * removal took) */
        out->users_dropped +=
            query1(st,
                   "SELECT count(*) FROM user_sketch_merged m WHERE m.source_id = ?1 AND EXISTS"
                   " (SELECT 1 FROM user_sketch s WHERE s.month = m.month"
                   " AND COALESCE(s.library_id, '') = m.library_id)",
                   id);
        out->rows_removed +=
            query1(st, "SELECT count(*) FROM usage WHERE source_id = ?1 AND live = 1", id);
        bool rivals = !is_log && has_rivals(st, id);
        if (rivals && (rc = collect_keys(st, id)) != BL_OK)
            goto fail;
        static const char *const purge[] = {
            "DELETE FROM usage WHERE source_id = ?1",
            "DELETE FROM shield WHERE source_id = ?1",
            "DELETE FROM rejection WHERE source_id = ?1",
            /* a merged sketch (closed month) this source fed cannot lose
             * just its users: the merged figure goes; the other files'
             * rows stay, saying that the figure of that library and month
             * is lost until each of them is removed too (a later log of it
             * joins them: docs/privacy.md; until the night of 3 December 2026 they went,
             * and a log ingested again gave that month its users alone) */
            "DELETE FROM user_sketch WHERE EXISTS (SELECT 1 FROM user_sketch_merged m"
            " WHERE m.source_id = ?1 AND m.library_id = COALESCE(user_sketch.library_id, '')"
            " AND m.month = user_sketch.month)",
            "DELETE FROM user_sketch_merged WHERE source_id = ?1",
            "DELETE FROM user_sketch WHERE source_id = ?1",
            "DELETE FROM quota_excess WHERE source_id = ?1",
            "DELETE FROM quota_use WHERE source_id = ?1",
            "DELETE FROM unattributed_range WHERE source_id = ?1",
        };
        for (size_t k = 0; k < sizeof purge / sizeof purge[0]; k++)
            if ((rc = exec1(st, purge[k], id)) != BL_OK)
                goto fail;
        sqlite3_stmt *qu = NULL;
        if (sqlite3_prepare_v2(st->db, "UPDATE source SET removed_at = ?2 WHERE id = ?1", -1, &qu,
                               NULL) != SQLITE_OK) {
            rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
            goto fail;
        }
        sqlite3_bind_int64(qu, 1, id);
        sqlite3_bind_text(qu, 2, now, -1, SQLITE_TRANSIENT);
        int r = sqlite3_step(qu);
        sqlite3_finalize(qu);
        if (r != SQLITE_DONE) {
            rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
            goto fail;
        }
        if (rivals) {
            if ((rc = recompute(st, id)) != BL_OK)
                goto fail;
            out->rows_restored += query1(st,
                                         "SELECT count(*) FROM temp.rcand c JOIN usage u"
                                         " ON u.rowid = c.r WHERE u.live = 1 AND NOT c.was_live",
                                         id);
        }
        out->sources++;
    }
    if (any_log && (rc = bl__quota_refresh(st)) != BL_OK)
        goto fail;
    if ((rc = bl__commit(st)) != BL_OK)
        goto fail;
    return BL_OK;
fail:
    bl__rollback(st);
    return rc;
}
