/* The aggregator: the sink that readers feed. It attributes each record to
 * a library and a resource, rolls counts up in memory by cell, and writes
 * the whole file in one transaction, restated months replacing earlier
 * ones. Memory is bounded by the number of distinct cells, not file size. */
#include "agg_internal.h"
#include "attrib.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEP '\x1f'
#define MAX_STORED_REJECTIONS 10000

typedef struct rejection {
    unsigned long line;
    char *field, *reason;
} rejection;

struct bl_agg {
    bl_store *st;
    const bl_ingest_opts *opts;
    bl_names names;
    bl_strmap cells; /* key -> int64_t * */
    bl_diag_fn diag;
    void *diag_ctx;
    bl_ingest_result *res;
    bool begun;
    bl_file_info info;
    char *format, *report_id, *created_by, *inst_id, *inst_name;
    int rank;
    bl_hits *hits;
    rejection *rej;
    size_t nrej, rej_alloc;
    int min_month, max_month;
    bl_buf key;
};

static int report_rank(const bl_file_info *info)
{
    /* Master reports (PR, DR, TR, IR) before their standard views (TR_B1...):
     * a view is a subset of its master, so both would count twice. Views of
     * one master are summed (TR_B1 books + TR_J1 journals). R4's JR1a and
     * JR1 GOA are likewise subsets of JR1. */
    const char *id = info->report_id;
    bool view = id && (strchr(id, '_') != NULL || strcmp(id, "JR1a") == 0 ||
                       strcmp(id, "JR1 GOA") == 0 || strcmp(id, "JR1_GOA") == 0);
    return (int)info->family * 100 + (view ? 1 : 0);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bl_status on_begin(void *ctx, const bl_file_info *info)
{
    bl_agg *a = ctx;
    if (a->begun)
        return BL_OK;
    a->begun = true;
    a->info = *info;
    a->format = dup_or_null(info->format);
    a->report_id = dup_or_null(info->report_id);
    a->created_by = dup_or_null(info->created_by);
    a->inst_id = dup_or_null(info->institution_id);
    a->inst_name = dup_or_null(info->institution_name);
    a->info.format = a->format;
    a->info.report_id = a->report_id;
    a->info.created_by = a->created_by;
    a->info.institution_id = a->inst_id;
    a->info.institution_name = a->inst_name;
    a->rank = report_rank(info);
    if (info->family == BL_FAM_LOG)
        return bl__hits_open(a->st, a->opts, a, &a->hits);
    return BL_OK;
}

static bl_status key_part(bl_buf *b, bl_sv s, bool last)
{
    bl_status rc = bl_buf_append(b, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
    if (rc == BL_OK && !last)
        rc = bl_buf_putc(b, SEP);
    return rc;
}

bl_status bl__agg_add(bl_agg *a, const bl_cell *c, int64_t value)
{
    bl_buf *k = &a->key;
    bl_buf_clear(k);
    char month[8];
    bl_month_format(c->month, month);
    bl_sv access = bl_sv_trim(c->access_method);
    if (access.len == 0)
        access = bl_sv_from("Regular");
    bl_status rc = BL_OK;
    /* Fields are trimmed; a SEP inside provider text would split wrongly, so
     * it is checked by the readers' callers (control characters rejected). */
    if ((rc = key_part(k, bl_sv_from(c->library_id ? c->library_id : ""), false)) ||
        (rc = key_part(k, bl_sv_from(c->resource_id ? c->resource_id : ""), false)) ||
        (rc = key_part(k, bl_sv_trim(c->institution_id), false)) ||
        (rc = key_part(k, bl_sv_trim(c->institution), false)) ||
        (rc = key_part(k, bl_sv_trim(c->platform), false)) ||
        (rc = key_part(k, bl_sv_trim(c->database), false)) ||
        (rc = key_part(k, bl_sv_from(month), false)) ||
        (rc = key_part(k, bl_sv_from(c->metric), false)) || (rc = key_part(k, access, true)))
        return rc;
    bl_strmap_entry *e;
    rc = bl__strmap_upsert(&a->cells, k->data, k->len, &e);
    if (rc != BL_OK)
        return rc;
    if (!e->value) {
        e->value = calloc(1, sizeof(int64_t));
        if (!e->value)
            return BL_NOMEM;
    }
    *(int64_t *)e->value += value;
    if (a->min_month < 0 || c->month < a->min_month)
        a->min_month = c->month;
    if (c->month > a->max_month)
        a->max_month = c->month;
    return BL_OK;
}

static bool has_control(bl_sv s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 && s.ptr[i] != '\t')
            return true;
    return false;
}

static void reject(bl_agg *a, unsigned long line, const char *field, const char *reason);

static bl_status on_count(void *ctx, const bl_count_rec *r)
{
    bl_agg *a = ctx;
    bl_sv inst_id = r->institution_id, inst_name = r->institution_name;
    if (inst_id.len == 0 && inst_name.len == 0) {
        inst_id = bl_sv_from(a->inst_id ? a->inst_id : "");
        inst_name = bl_sv_from(a->inst_name ? a->inst_name : "");
    }
    if (has_control(inst_id) || has_control(inst_name) || has_control(r->platform) ||
        has_control(r->database) || has_control(r->metric)) {
        reject(a, r->line, "Platform", "control characters in a name");
        return BL_OK;
    }
    if (r->value < 0) {
        reject(a, r->line, bl_sv_eq_cstr(r->metric, "") ? NULL : "value", "negative count");
        return BL_OK;
    }
    char metric[64];
    if (r->metric.len == 0 || r->metric.len >= sizeof metric) {
        reject(a, r->line, "Metric_Type", "missing or over-long metric name");
        return BL_OK;
    }
    memcpy(metric, r->metric.ptr, r->metric.len);
    metric[r->metric.len] = '\0';
    bl_cell c = {
        .library_id = bl__names_library(&a->names, inst_id, inst_name),
        .resource_id = bl__names_resource(&a->names, r->database, r->platform),
        .institution_id = inst_id,
        .institution = inst_name,
        .platform = r->platform,
        .database = r->database,
        .month = r->month,
        .metric = metric,
        .access_method = r->access_method,
    };
    bl_status rc = bl__agg_add(a, &c, r->value);
    if (rc != BL_OK)
        return rc;
    a->res->rows_accepted++;
    if (!c.library_id || !c.resource_id)
        a->res->rows_unattributed++;
    return BL_OK;
}

static bl_status on_hit(void *ctx, const bl_hit_rec *r)
{
    bl_agg *a = ctx;
    if (!a->hits)
        return BL_INTERNAL;
    a->res->rows_accepted++;
    return bl__hits_add(a->hits, r);
}

static void reject(bl_agg *a, unsigned long line, const char *field, const char *reason)
{
    a->res->rows_rejected++;
    if (a->diag) {
        bl_diag d = {BL_DIAG_ROW, a->info.path, line, field, reason};
        a->diag(a->diag_ctx, &d);
    }
    if (a->nrej >= MAX_STORED_REJECTIONS)
        return;
    if (a->nrej == a->rej_alloc) {
        size_t na = a->rej_alloc ? a->rej_alloc * 2 : 32;
        rejection *nr = realloc(a->rej, na * sizeof *nr);
        if (!nr)
            return;
        a->rej = nr;
        a->rej_alloc = na;
    }
    a->rej[a->nrej++] = (rejection){line, field ? strdup(field) : NULL, strdup(reason)};
}

static void on_diag(void *ctx, const bl_diag *d)
{
    bl_agg *a = ctx;
    if (d->level == BL_DIAG_ROW) {
        reject(a, d->line, d->field, d->reason);
        return;
    }
    if (d->level == BL_DIAG_NOTE && d->line)
        a->res->lines_skipped++;
    if (a->diag)
        a->diag(a->diag_ctx, d);
}

/* ---- writing ----------------------------------------------------------------- */

static bl_status prepare(bl_store *st, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    return BL_OK;
}

static bl_status step(bl_store *st, sqlite3_stmt *q)
{
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return bl__store_fail(st, (r & 0xff) == SQLITE_BUSY ? BL_TEMPFAIL : BL_IO, "%s: %s",
                              st->path, sqlite3_errmsg(st->db));
    return BL_OK;
}

/* Splits a roll-up key into its 9 parts. */
static void split_key(const char *key, size_t klen, bl_sv parts[9])
{
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= klen && k < 9; i++) {
        if (i == klen || key[i] == SEP) {
            parts[k++] = (bl_sv){key + start, i - start};
            start = i + 1;
        }
    }
}

static void bind_sv(sqlite3_stmt *q, int i, bl_sv s)
{
    sqlite3_bind_text(q, i, s.ptr, (int)s.len, SQLITE_TRANSIENT);
}

static void bind_sv_or_null(sqlite3_stmt *q, int i, bl_sv s)
{
    if (s.len)
        bind_sv(q, i, s);
    else
        sqlite3_bind_null(q, i);
}

static bl_status write_all(bl_agg *a, const char *path, const char *hash, const char *provider)
{
    bl_store *st = a->st;
    bl_ingest_result *res = a->res;
    sqlite3_stmt *qs = NULL, *qu = NULL, *qr = NULL, *qdel = NULL, *qrep = NULL, *qfin = NULL;
    bl_status rc;
    char pb[8] = "", pe[8] = "", now[32];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    int begin = a->info.period_begin >= 0 && a->begun ? a->info.period_begin : a->min_month;
    int end = a->info.period_end >= 0 && a->begun ? a->info.period_end : a->max_month;
    if (begin >= 0)
        bl_month_format(begin, pb);
    if (end >= 0)
        bl_month_format(end, pe);
    res->period_begin = begin;
    res->period_end = end;

    if ((rc = prepare(st,
                      "INSERT INTO source(path, hash, format, report_id, family, provider,"
                      " period_begin, period_end, ingested_at) VALUES (?,?,?,?,?,?,?,?,?)",
                      &qs)) != BL_OK)
        goto out;
    sqlite3_bind_text(qs, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 2, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 3, a->format ? a->format : "unknown", -1, SQLITE_TRANSIENT);
    if (a->report_id)
        sqlite3_bind_text(qs, 4, a->report_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(qs, 5, (int)a->info.family);
    sqlite3_bind_text(qs, 6, provider ? provider : "", -1, SQLITE_TRANSIENT);
    if (*pb)
        sqlite3_bind_text(qs, 7, pb, -1, SQLITE_TRANSIENT);
    if (*pe)
        sqlite3_bind_text(qs, 8, pe, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 9, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(qs) != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT) {
            /* Another bilan ingested the same content meanwhile. */
            res->duplicate = true;
            rc = BL_DUPLICATE;
        } else {
            rc = bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
        }
        goto out;
    }
    long long sid = sqlite3_last_insert_rowid(st->db);
    res->source_id = sid;

    /* Restatement: rows of this report type from earlier sources, for the
     * same institution, platform and month as a cell of this file, are
     * replaced (COUNTER lets providers correct data). Logs add up instead. */
    if (a->info.family != BL_FAM_LOG) {
        if ((rc = prepare(st,
                          "DELETE FROM usage WHERE source_id IN (SELECT id FROM source WHERE "
                          "id <> ?1 AND report_id IS ?2) AND institution_id = ?3 AND "
                          "institution = ?4 AND platform = ?5 AND month = ?6 "
                          "RETURNING source_id",
                          &qdel)) != BL_OK ||
            (rc = prepare(st, "UPDATE source SET replaced_by = ?1 WHERE id = ?2", &qrep)) != BL_OK)
            goto out;
    }
    if ((rc = prepare(st,
                      "INSERT INTO usage(source_id, library_id, resource_id, institution_id,"
                      " institution, platform, database_name, month, metric, access_method,"
                      " report_rank, value) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                      &qu)) != BL_OK)
        goto out;
    /* Restatements are keyed by (institution, platform, month): do each once. */
    bl_strmap done = {0};
    for (size_t i = 0; i < a->cells.cap; i++) {
        bl_strmap_entry *e = &a->cells.slots[i];
        if (!e->key)
            continue;
        bl_sv p[9];
        split_key(e->key, e->klen, p);
        if (qdel) {
            /* key of (inst_id, inst, platform, month): parts 2..4 and 6 */
            char dk[1024];
            int dl =
                snprintf(dk, sizeof dk, "%.*s\x1f%.*s\x1f%.*s\x1f%.*s", (int)p[2].len, p[2].ptr,
                         (int)p[3].len, p[3].ptr, (int)p[4].len, p[4].ptr, (int)p[6].len, p[6].ptr);
            bl_strmap_entry *de;
            if (dl > 0 && (size_t)dl < sizeof dk &&
                (rc = bl__strmap_upsert(&done, dk, (size_t)dl, &de)) == BL_OK && !de->value) {
                de->value = &done; /* any non-NULL marker */
                sqlite3_bind_int64(qdel, 1, sid);
                if (a->report_id)
                    sqlite3_bind_text(qdel, 2, a->report_id, -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_null(qdel, 2);
                bind_sv(qdel, 3, p[2]);
                bind_sv(qdel, 4, p[3]);
                bind_sv(qdel, 5, p[4]);
                bind_sv(qdel, 6, p[6]);
                int r;
                while ((r = sqlite3_step(qdel)) == SQLITE_ROW) {
                    res->replaced_rows++;
                    sqlite3_bind_int64(qrep, 1, sid);
                    sqlite3_bind_int64(qrep, 2, sqlite3_column_int64(qdel, 0));
                    sqlite3_step(qrep);
                    sqlite3_reset(qrep);
                }
                sqlite3_reset(qdel);
                if (r != SQLITE_DONE) {
                    rc = bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
                }
            }
            if (rc != BL_OK) {
                bl__strmap_free(&done, NULL);
                goto out;
            }
        }
        sqlite3_bind_int64(qu, 1, sid);
        bind_sv_or_null(qu, 2, p[0]);
        bind_sv_or_null(qu, 3, p[1]);
        for (int k = 2; k < 9; k++)
            bind_sv(qu, k + 2, p[k]);
        sqlite3_bind_int(qu, 11, a->rank);
        sqlite3_bind_int64(qu, 12, *(int64_t *)e->value);
        if ((rc = step(st, qu)) != BL_OK) {
            bl__strmap_free(&done, NULL);
            goto out;
        }
    }
    bl__strmap_free(&done, NULL);

    if ((rc = prepare(st, "INSERT INTO rejection(source_id, line, field, reason) VALUES (?,?,?,?)",
                      &qr)) != BL_OK)
        goto out;
    for (size_t i = 0; i < a->nrej; i++) {
        sqlite3_bind_int64(qr, 1, sid);
        sqlite3_bind_int64(qr, 2, (sqlite3_int64)a->rej[i].line);
        if (a->rej[i].field)
            sqlite3_bind_text(qr, 3, a->rej[i].field, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(qr, 3);
        sqlite3_bind_text(qr, 4, a->rej[i].reason ? a->rej[i].reason : "?", -1, SQLITE_TRANSIENT);
        if ((rc = step(st, qr)) != BL_OK)
            goto out;
        sqlite3_clear_bindings(qr);
    }

    if ((rc = prepare(st,
                      "UPDATE source SET rows_accepted = ?2, rows_rejected = ?3,"
                      " rows_unattributed = ?4, lines_skipped = ?5 WHERE id = ?1",
                      &qfin)) != BL_OK)
        goto out;
    sqlite3_bind_int64(qfin, 1, sid);
    sqlite3_bind_int64(qfin, 2, res->rows_accepted);
    sqlite3_bind_int64(qfin, 3, res->rows_rejected);
    sqlite3_bind_int64(qfin, 4, res->rows_unattributed);
    sqlite3_bind_int64(qfin, 5, res->lines_skipped);
    rc = step(st, qfin);
    if (rc == BL_OK) {
        sqlite3_stmt *qc = NULL;
        if (prepare(st, "SELECT count(*) FROM source WHERE replaced_by = ?", &qc) == BL_OK) {
            sqlite3_bind_int64(qc, 1, sid);
            if (sqlite3_step(qc) == SQLITE_ROW)
                res->replaced_sources = sqlite3_column_int64(qc, 0);
        }
        sqlite3_finalize(qc);
    }
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qu);
    sqlite3_finalize(qr);
    sqlite3_finalize(qdel);
    sqlite3_finalize(qrep);
    sqlite3_finalize(qfin);
    return rc;
}

static bool already_ingested(bl_store *st, const char *hash)
{
    sqlite3_stmt *q = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM source WHERE hash = ?", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, hash, -1, SQLITE_TRANSIENT);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

static void free_cell(void *v)
{
    free(v);
}

bl_status bl_store_ingest(bl_store *st, const char *path, const char *provider,
                          const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                          bl_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    char hash[65];
    char *err = NULL;
    bl_status rc = bl_sha256_file(path, hash, &err);
    if (rc != BL_OK) {
        bl__store_fail(st, rc, "%s", err ? err : "cannot read file");
        free(err);
        return rc;
    }
    if (already_ingested(st, hash)) {
        res->duplicate = true;
        return BL_OK;
    }
    bl_agg a = {.st = st,
                .opts = opts,
                .diag = diag,
                .diag_ctx = diag_ctx,
                .res = res,
                .min_month = -1,
                .max_month = -1,
                .key = BL_BUF_INIT(8192)};
    a.info.period_begin = a.info.period_end = -1;
    a.info.path = path;
    rc = bl__names_load(st, &a.names);
    if (rc != BL_OK)
        goto out;
    bl_sink sink = {&a, on_begin, on_count, on_hit, on_diag};
    rc = bl_ingest_file(path, opts, &sink, &err);
    a.info.path = path;
    if (rc != BL_OK) {
        bl__store_fail(st, rc == BL_NOMEM ? BL_NOMEM : rc, "%s", err ? err : bl_status_str(rc));
        goto out;
    }
    if (opts->strict && res->rows_rejected > 0) {
        rc = bl__store_fail(st, BL_DATA, "%s: %ld row(s) rejected and --strict given: file refused",
                            path, res->rows_rejected);
        goto out;
    }
    snprintf(res->format, sizeof res->format, "%s", a.format ? a.format : "unknown");
    snprintf(res->report_id, sizeof res->report_id, "%s", a.report_id ? a.report_id : "");
    if (!provider)
        provider = a.created_by;
    if (a.hits && (rc = bl__hits_flush(a.hits)) != BL_OK)
        goto out;
    rc = bl__begin(st);
    if (rc != BL_OK)
        goto out;
    rc = write_all(&a, path, hash, provider);
    if (rc == BL_OK && a.hits)
        rc = bl__hits_finish(a.hits, res->source_id, &res->out_of_order);
    if (rc == BL_OK)
        rc = bl__commit(st);
    if (rc != BL_OK) {
        bl__rollback(st);
        if (rc == BL_DUPLICATE)
            rc = BL_OK;
    }
out:
    free(err);
    bl__hits_free(a.hits);
    bl__names_free(&a.names);
    bl__strmap_free(&a.cells, free_cell);
    for (size_t i = 0; i < a.nrej; i++) {
        free(a.rej[i].field);
        free(a.rej[i].reason);
    }
    free(a.rej);
    free(a.format);
    free(a.report_id);
    free(a.created_by);
    free(a.inst_id);
    free(a.inst_name);
    bl_buf_release(&a.key);
    return rc;
}
