/* Writing one ingested file (the pipeline's last step, inside its
 * transaction): the source row, the roll-up's cells, the shields of
 * rejected rows, the restatement decision and the rejections. Also the
 * lookups that tell a re-delivered file before it is written. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bl_status prepare(bl_store *st, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    return BL_OK;
}

static bl_status step(bl_store *st, sqlite3_stmt *q)
{
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return bl_store_fail(st, (r & 0xff) == SQLITE_BUSY ? BL_TEMPFAIL : BL_IO, "%s: %s",
                             st->path, sqlite3_errmsg(st->db));
    return BL_OK;
}

bool bl_store_size_seen(bl_store *st, long long size)
{
    sqlite3_stmt *q = NULL;
    bool found = true; /* when in doubt, hash first */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM source WHERE (size = ? OR size IS NULL)"
                           " AND removed_at IS NULL LIMIT 1",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, size);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

long long bl_store_source_with(bl_store *st, bl_source_hash kind, const char *hash)
{
    sqlite3_stmt *q = NULL;
    long long id = 0;
    const char *sql = kind == BL_HASH_CONTENT
                          ? "SELECT id FROM source WHERE content_hash = ? AND removed_at IS NULL"
                          : "SELECT id FROM source WHERE hash = ? AND removed_at IS NULL";
    if (hash && *hash && sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, hash, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return id;
}

/* A source's usage rows go to SQLite CELL_BATCH at a time, in one INSERT
 * of that many rows: a statement's fixed cost (its cursors opened, the
 * table's end and the indexes' pages found again) is then paid once per
 * batch, a fifth of SQLite's work a row (docs/bench.md). The rest, fewer
 * than CELL_BATCH, one at a time. */
#define CELL_BATCH 32
#define CELL_COLS 12
#define CELL_VALUES "(?,?,?,?,?,?,?,?,?,?,?,?)"
#define CELL_INSERT                                                                                \
    "INSERT INTO usage(source_id, library_id, resource_id, institution_id, institution, platform," \
    " database_name, month, metric, access_method, report_rank, value) VALUES "

typedef struct wctx {
    bl_store *st;
    sqlite3_stmt *q;
    sqlite3_stmt *batch; /* CELL_BATCH rows */
    long long sid;
    int rank;
    size_t n; /* cells waiting in cells[] */
    bl_rollup_cell cells[CELL_BATCH];
    char months[CELL_BATCH][8];
} wctx;

static bl_status put_shield(void *ctx, const char *inst_id, const char *inst, const char *platform,
                            const char *metric, int m)
{
    wctx *w = ctx;
    char month[8];
    bl_month_format(m, month);
    sqlite3_bind_int64(w->q, 1, w->sid);
    sqlite3_bind_text(w->q, 2, inst_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(w->q, 3, inst, -1, SQLITE_STATIC);
    sqlite3_bind_text(w->q, 4, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(w->q, 5, month, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(w->q, 6, metric, -1, SQLITE_STATIC);
    return step(w->st, w->q);
}

/* Binds cell c (its month as text) to the 12 parameters from the
 * (at + 1)th on. Without a copy (SQLITE_STATIC): the roll-up's strings and
 * the months outlive the step, and every parameter is bound again before
 * the next one. */
static void bind_cell(const wctx *w, sqlite3_stmt *q, int at, const bl_rollup_cell *c,
                      const char *month)
{
    sqlite3_bind_int64(q, at + 1, w->sid);
    if (c->library_id)
        sqlite3_bind_text(q, at + 2, c->library_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, at + 2);
    if (c->resource_id)
        sqlite3_bind_text(q, at + 3, c->resource_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, at + 3);
    sqlite3_bind_text(q, at + 4, c->institution_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 5, c->institution, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 6, c->platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 7, c->database, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 8, month, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 9, c->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 10, c->access_method, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, at + 11, w->rank);
    sqlite3_bind_int64(q, at + 12, c->value);
}

static bl_status put_cell(void *ctx, const bl_rollup_cell *c)
{
    wctx *w = ctx;
    w->cells[w->n] = *c;
    bl_month_format(c->month, w->months[w->n]);
    if (++w->n < CELL_BATCH)
        return BL_OK;
    for (size_t i = 0; i < CELL_BATCH; i++)
        bind_cell(w, w->batch, (int)i * CELL_COLS, &w->cells[i], w->months[i]);
    w->n = 0;
    return step(w->st, w->batch);
}

/* The cells left over (fewer than a batch), one row at a time. */
static bl_status put_cells_left(wctx *w)
{
    bl_status rc = BL_OK;
    for (size_t i = 0; i < w->n && rc == BL_OK; i++) {
        bind_cell(w, w->q, 0, &w->cells[i], w->months[i]);
        rc = step(w->st, w->q);
    }
    w->n = 0;
    return rc;
}

static bl_status put_rejection(void *ctx, const char *file, unsigned long line, const char *field,
                               const char *reason)
{
    wctx *w = ctx;
    sqlite3_bind_int64(w->q, 1, w->sid);
    if (file)
        sqlite3_bind_text(w->q, 5, file, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(w->q, 5);
    sqlite3_bind_int64(w->q, 2, (sqlite3_int64)line);
    if (field)
        sqlite3_bind_text(w->q, 3, field, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(w->q, 3);
    sqlite3_bind_text(w->q, 4, reason, -1, SQLITE_TRANSIENT);
    bl_status rc = step(w->st, w->q);
    sqlite3_clear_bindings(w->q);
    return rc;
}

static bl_status insert_source(bl_store *st, const bl_rollup_file *f, const bl_new_source *s,
                               long long *sid)
{
    sqlite3_stmt *qs = NULL;
    bl_status rc;
    char pb[8] = "", pe[8] = "";
    if (f->period_begin >= 0)
        bl_month_format(f->period_begin, pb);
    if (f->period_end >= 0)
        bl_month_format(f->period_end, pe);
    if ((rc = prepare(st,
                      "INSERT INTO source(path, hash, format, report_id, family, provider,"
                      " period_begin, period_end, ingested_at, size, order_time, created,"
                      " created_plausible, complete, content_hash, one_institution)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &qs)) != BL_OK)
        return rc;
    sqlite3_bind_text(qs, 1, s->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 2, s->hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 3, f->format ? f->format : "unknown", -1, SQLITE_TRANSIENT);
    if (f->report_id)
        sqlite3_bind_text(qs, 4, f->report_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(qs, 5, (int)f->family);
    sqlite3_bind_text(qs, 6, s->provider ? s->provider : "", -1, SQLITE_TRANSIENT);
    if (*pb)
        sqlite3_bind_text(qs, 7, pb, -1, SQLITE_TRANSIENT);
    if (*pe)
        sqlite3_bind_text(qs, 8, pe, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(qs, 9, s->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(qs, 10, s->size);
    sqlite3_bind_text(qs, 11, s->plausible ? f->created : s->now, -1, SQLITE_TRANSIENT);
    if (f->created)
        sqlite3_bind_text(qs, 12, f->created, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(qs, 13, s->plausible);
    sqlite3_bind_int(qs, 14, f->complete);
    if (f->content_hash && f->content_hash[0])
        sqlite3_bind_text(qs, 15, f->content_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(qs, 16, f->one_institution);
    if (sqlite3_step(qs) != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
            rc = BL_DUPLICATE; /* another bilan ingested the same content meanwhile */
        else
            rc = bl_store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    } else {
        *sid = sqlite3_last_insert_rowid(st->db);
    }
    sqlite3_finalize(qs);
    qs = NULL;
    if (rc == BL_OK && s->nfiles &&
        (rc = prepare(st, "INSERT INTO source_file(source_id, seq, path, size) VALUES (?,?,?,?)",
                      &qs)) == BL_OK) {
        for (size_t i = 0; i < s->nfiles && rc == BL_OK; i++) {
            sqlite3_bind_int64(qs, 1, *sid);
            sqlite3_bind_int64(qs, 2, (sqlite3_int64)i + 1);
            sqlite3_bind_text(qs, 3, s->files[i], -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(qs, 4, s->sizes ? s->sizes[i] : 0);
            rc = step(st, qs);
        }
        sqlite3_finalize(qs);
    }
    return rc;
}

bl_status bl_store_write_file(bl_store *st, const bl_rollup *r, const bl_new_source *s,
                              long long *sid, bl_restate_counts *rs)
{
    bl_rollup_file f;
    bl_rollup_file_of(r, &f);
    bl_status rc = insert_source(st, &f, s, sid);
    if (rc != BL_OK)
        return rc;
    wctx w = {.st = st, .sid = *sid, .rank = f.rank};
    /* Every source keeps its rows; which one counts for a restatement key is
     * decided afterwards (bl__restate), so that an older report ingested
     * late, or a source removed, gives the same store as any other order. */
    if ((rc = prepare(st, CELL_INSERT CELL_VALUES, &w.q)) != BL_OK)
        return rc;
    if ((rc = bl__prepare_rows(st, CELL_INSERT, CELL_VALUES, CELL_BATCH, &w.batch)) == BL_OK &&
        (rc = bl_rollup_each_cell(r, put_cell, &w)) == BL_OK)
        rc = put_cells_left(&w);
    sqlite3_finalize(w.q);
    sqlite3_finalize(w.batch);
    w.q = w.batch = NULL;
    if (rc == BL_OK &&
        (rc = prepare(st,
                      "INSERT INTO shield(source_id, institution_id, institution, platform,"
                      " month, metric) VALUES (?,?,?,?,?,?)",
                      &w.q)) == BL_OK) {
        rc = bl_rollup_each_shield(r, put_shield, &w);
        sqlite3_finalize(w.q);
        w.q = NULL;
    }
    if (rc == BL_OK && f.family != BL_FAM_LOG)
        rc = bl__restate(st, *sid, rs);
    if (rc == BL_OK && (rc = prepare(st,
                                     "INSERT INTO rejection(source_id, line, field, reason, file)"
                                     " VALUES (?,?,?,?,?)",
                                     &w.q)) == BL_OK) {
        rc = bl_rollup_each_rejection(r, put_rejection, &w);
        sqlite3_finalize(w.q);
        w.q = NULL;
    }
    if (rc == BL_OK)
        rc = bl_store_source_counts(st, *sid, bl_rollup_counts_of(r));
    return rc;
}

bl_status bl_store_source_counts(bl_store *st, long long sid, const bl_rollup_counts *c)
{
    sqlite3_stmt *q = NULL;
    bl_status rc;
    if ((rc = prepare(st,
                      "UPDATE source SET rows_accepted = ?2, rows_rejected = ?3,"
                      " rows_unattributed = ?4, lines_skipped = ?5 WHERE id = ?1",
                      &q)) != BL_OK)
        return rc;
    sqlite3_bind_int64(q, 1, sid);
    sqlite3_bind_int64(q, 2, c->accepted);
    sqlite3_bind_int64(q, 3, c->rejected);
    sqlite3_bind_int64(q, 4, c->unattributed);
    sqlite3_bind_int64(q, 5, c->skipped);
    rc = step(st, q);
    sqlite3_finalize(q);
    return rc;
}
