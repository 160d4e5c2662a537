/* The aggregator: the sink that readers feed. It attributes each record to
 * a library and a resource, rolls counts up in memory by cell, and writes
 * the whole file in one transaction, restated months replacing earlier
 * ones. Memory is bounded by the number of distinct cells, not file size. */
#include "agg_internal.h"
#include "attrib.h"
#include "hits_internal.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#define SEP '\x1f'
#define MAX_STORED_REJECTIONS 10000

typedef struct rejection {
    unsigned long line;
    char *field, *reason;
} rejection;

/* The cells a rejected row would have carried: the source does not restate
 * them (docs/trust.md, "restatement"). metric "" = every metric. */
typedef struct shield {
    char *inst_id, *inst, *platform, *metric;
    int month_first, month_last; /* -1: the file's whole period */
} shield;

/* The roll-up is two-level: a group per (library, resource, institution,
 * platform, database, access method) as written, and inside it one cell per
 * (month, metric). The twelve months of a COUNTER row, or the hits of one
 * library on one resource, fall in one group, found again without hashing
 * through a one-entry memo. */
typedef struct cell_val {
    int month, metric; /* metric: index in bl_agg.metrics */
    int64_t value;
} cell_val;

typedef struct group {
    char *library_id, *resource_id; /* NULL when unattributed */
    char *inst_id, *inst, *platform, *database, *access;
    cell_val *cells;
    size_t n, alloc, last; /* last: index of the cell found last */
} group;

#define MAX_METRICS 64

/* Recent rows' names, what they resolved to, and the group they last fed
 * (COUNTER rows repeat their names for every month, and an item report
 * alternates between a few platforms). */
#define NAME_MEMOS 4
typedef struct name_memo {
    bool valid;
    bl_buf inst_id, inst, platform, database;
    const char *library_id, *resource_id;
    group *group; /* the group of these names with this access method */
    char access[32];
    size_t access_len;
} name_memo;

/* The current COUNTER row: its line, group and metric. */
typedef struct row_memo {
    unsigned long line;
    group *group; /* NULL: no row remembered */
    int metric_index;
    bool unattributed;
    char metric[64], access[32];
    size_t metric_len, access_len;
} row_memo;

struct bl_agg {
    bl_store *st;
    row_memo row;
    const bl_ingest_opts *opts;
    bl_names names;
    bl_strmap groups; /* key -> group * */
    group *last_group;
    char *metrics[MAX_METRICS];
    int nmetrics;
    name_memo memo[NAME_MEMOS];
    int memo_next; /* the entry replaced next */
    unsigned long last_rejected_line;
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
    char *created;   /* the report's Created date, normalised, or NULL */
    bool complete;   /* false: a rejected row could not be named */
    shield *shields; /* rejected rows' cells */
    size_t nshields, shields_alloc;
    char content_hash[33]; /* from sink->end; "" when the reader gave none */
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
    a->created = dup_or_null(info->created);
    a->info.format = a->format;
    a->info.report_id = a->report_id;
    a->info.created_by = a->created_by;
    a->info.institution_id = a->inst_id;
    a->info.institution_name = a->inst_name;
    a->info.created = a->created;
    a->rank = report_rank(info);
    if (info->family == BL_FAM_LOG)
        return bl__hits_open(a->st, a->opts, a, &a->hits);
    return BL_OK;
}

static bool sv_is(bl_sv v, const char *s)
{
    if (!s)
        return v.len == 0;
    size_t n = strlen(s);
    return n == v.len && (n == 0 || memcmp(s, v.ptr, n) == 0);
}

static bool group_is(const group *g, const bl_cell *c, bl_sv access)
{
    bool lib = c->library_id ? (g->library_id && strcmp(g->library_id, c->library_id) == 0)
                             : g->library_id == NULL;
    bool res = c->resource_id ? (g->resource_id && strcmp(g->resource_id, c->resource_id) == 0)
                              : g->resource_id == NULL;
    return lib && res && sv_is(bl_sv_trim(c->institution_id), g->inst_id) &&
           sv_is(bl_sv_trim(c->institution), g->inst) &&
           sv_is(bl_sv_trim(c->platform), g->platform) &&
           sv_is(bl_sv_trim(c->database), g->database) && sv_is(access, g->access);
}

static void group_free(void *v)
{
    group *g = v;
    if (!g)
        return;
    free(g->library_id);
    free(g->resource_id);
    free(g->inst_id);
    free(g->inst);
    free(g->platform);
    free(g->database);
    free(g->access);
    free(g->cells);
    free(g);
}

static bl_status key_part(bl_buf *b, bl_sv s, bool last)
{
    bl_status rc = bl_buf_append(b, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
    if (rc == BL_OK && !last)
        rc = bl_buf_putc(b, SEP);
    return rc;
}

static bl_status find_group(bl_agg *a, const bl_cell *c, bl_sv access, group **out)
{
    if (a->last_group && group_is(a->last_group, c, access)) {
        *out = a->last_group;
        return BL_OK;
    }
    bl_buf *k = &a->key;
    bl_buf_clear(k);
    bl_status rc;
    /* Control characters (SEP among them) are rejected before this point,
     * so the key is unambiguous. */
    if ((rc = key_part(k, bl_sv_from(c->library_id ? c->library_id : "\x01"), false)) ||
        (rc = key_part(k, bl_sv_from(c->resource_id ? c->resource_id : "\x01"), false)) ||
        (rc = key_part(k, bl_sv_trim(c->institution_id), false)) ||
        (rc = key_part(k, bl_sv_trim(c->institution), false)) ||
        (rc = key_part(k, bl_sv_trim(c->platform), false)) ||
        (rc = key_part(k, bl_sv_trim(c->database), false)) || (rc = key_part(k, access, true)))
        return rc;
    bl_strmap_entry *e;
    if ((rc = bl__strmap_upsert(&a->groups, k->data, k->len, &e)) != BL_OK)
        return rc;
    if (!e->value) {
        group *g = calloc(1, sizeof *g);
        if (!g)
            return BL_NOMEM;
        e->value = g;
        g->library_id = c->library_id ? strdup(c->library_id) : NULL;
        g->resource_id = c->resource_id ? strdup(c->resource_id) : NULL;
        g->inst_id = bl_sv_dup(bl_sv_trim(c->institution_id));
        g->inst = bl_sv_dup(bl_sv_trim(c->institution));
        g->platform = bl_sv_dup(bl_sv_trim(c->platform));
        g->database = bl_sv_dup(bl_sv_trim(c->database));
        g->access = bl_sv_dup(access);
        if ((c->library_id && !g->library_id) || (c->resource_id && !g->resource_id) ||
            !g->inst_id || !g->inst || !g->platform || !g->database || !g->access)
            return BL_NOMEM; /* freed with the map */
    }
    *out = a->last_group = e->value;
    return BL_OK;
}

static int metric_index(bl_agg *a, const char *metric)
{
    for (int i = 0; i < a->nmetrics; i++)
        if (strcmp(a->metrics[i], metric) == 0)
            return i;
    if (a->nmetrics == MAX_METRICS || !(a->metrics[a->nmetrics] = strdup(metric)))
        return -1;
    return a->nmetrics++;
}

static bl_status add_cell(bl_agg *a, group *g, int month, int metric, int64_t value)
{
    /* Cells of a group are few (months × metrics of one file); look from the
     * last one found, which is usually the next. */
    cell_val *cell = NULL;
    for (size_t k = 0, i = g->last; k < g->n; k++, i = i + 1 == g->n ? 0 : i + 1) {
        cell_val *v = &g->cells[i];
        if (v->month == month && v->metric == metric) {
            cell = v;
            break;
        }
    }
    if (!cell) {
        if (g->n == g->alloc) {
            size_t na = g->alloc ? g->alloc * 2 : 16;
            cell_val *nv = realloc(g->cells, na * sizeof *nv);
            if (!nv)
                return BL_NOMEM;
            g->cells = nv, g->alloc = na;
        }
        cell = &g->cells[g->n++];
        *cell = (cell_val){month, metric, 0};
    }
    g->last = (size_t)(cell - g->cells);
    /* Each count is at most BL_COUNT_MAX; a cell summing beyond
     * BL_CELL_SUM_MAX refuses the file, so no stored sum can overflow. */
    if (__builtin_add_overflow(cell->value, value, &cell->value) || cell->value > BL_CELL_SUM_MAX)
        return BL_RANGE;
    if (a->min_month < 0 || month < a->min_month)
        a->min_month = month;
    if (month > a->max_month)
        a->max_month = month;
    return BL_OK;
}

/* Adds to the cell, returning its group and metric index for reuse. */
static bl_status agg_add(bl_agg *a, const bl_cell *c, int64_t value, group **gout, int *mout)
{
    bl_sv access = bl_sv_trim(c->access_method);
    if (access.len == 0)
        access = bl_sv_from("Regular");
    group *g;
    bl_status rc = find_group(a, c, access, &g);
    if (rc != BL_OK)
        return rc;
    int metric = metric_index(a, c->metric);
    if (metric < 0)
        return BL_NOMEM;
    if (gout)
        *gout = g, *mout = metric;
    return add_cell(a, g, c->month, metric, value);
}

bl_status bl__agg_add(bl_agg *a, const bl_cell *c, int64_t value)
{
    return agg_add(a, c, value, NULL, NULL);
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
    /* Every cell of a COUNTER row shares the row's names, metric and access
     * method: its group is found on the first cell and reused for the rest. */
    row_memo *rm = &a->row;
    if (rm->group && rm->line == r->line && r->value >= 0 &&
        bl_sv_eq(r->metric, (bl_sv){rm->metric, rm->metric_len}) &&
        bl_sv_eq(r->access_method, (bl_sv){rm->access, rm->access_len})) {
        bl_status rc = add_cell(a, rm->group, r->month, rm->metric_index, r->value);
        if (rc == BL_OK) {
            a->res->rows_accepted++;
            a->res->rows_unattributed += rm->unattributed;
        }
        return rc;
    }
    rm->group = NULL;
    bl_sv inst_id = r->institution_id, inst_name = r->institution_name;
    if (inst_id.len == 0 && inst_name.len == 0) {
        inst_id = bl_sv_from(a->inst_id ? a->inst_id : "");
        inst_name = bl_sv_from(a->inst_name ? a->inst_name : "");
    }
    name_memo *m = NULL;
    for (int k = 0; k < NAME_MEMOS && !m; k++) {
        name_memo *e = &a->memo[k];
        if (e->valid && bl_sv_eq((bl_sv){e->inst_id.data, e->inst_id.len}, inst_id) &&
            bl_sv_eq((bl_sv){e->inst.data, e->inst.len}, inst_name) &&
            bl_sv_eq((bl_sv){e->platform.data, e->platform.len}, r->platform) &&
            bl_sv_eq((bl_sv){e->database.data, e->database.len}, r->database))
            m = e;
    }
    if (!m) {
        if (has_control(inst_id) || has_control(inst_name) || has_control(r->platform) ||
            has_control(r->database)) {
            if (r->line != a->last_rejected_line)
                reject(a, r->line, "Platform", "control characters in a name");
            a->last_rejected_line = r->line;
            return BL_OK;
        }
        m = &a->memo[a->memo_next];
        a->memo_next = (a->memo_next + 1) % NAME_MEMOS;
        m->valid = false;
        m->group = NULL;
        bl_buf_clear(&m->inst_id);
        bl_buf_clear(&m->inst);
        bl_buf_clear(&m->platform);
        bl_buf_clear(&m->database);
        if (bl_buf_append(&m->inst_id, inst_id.ptr, inst_id.len) == BL_OK &&
            bl_buf_append(&m->inst, inst_name.ptr, inst_name.len) == BL_OK &&
            bl_buf_append(&m->platform, r->platform.ptr, r->platform.len) == BL_OK &&
            bl_buf_append(&m->database, r->database.ptr, r->database.len) == BL_OK)
            m->valid = true;
        m->library_id = bl__names_library(&a->names, inst_id, inst_name);
        m->resource_id = bl__names_resource(&a->names, r->database, r->platform);
    }
    if (has_control(r->metric)) {
        if (r->line != a->last_rejected_line)
            reject(a, r->line, "Metric_Type", "control characters in a name");
        a->last_rejected_line = r->line;
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
        .library_id = m->library_id,
        .resource_id = m->resource_id,
        .institution_id = inst_id,
        .institution = inst_name,
        .platform = r->platform,
        .database = r->database,
        .month = r->month,
        .metric = metric,
        .access_method = r->access_method,
    };
    group *g = NULL;
    int mi = 0;
    bl_status rc;
    if (m->group && bl_sv_eq(r->access_method, (bl_sv){m->access, m->access_len})) {
        g = m->group;
        if ((mi = metric_index(a, metric)) < 0)
            return BL_NOMEM;
        rc = add_cell(a, g, r->month, mi, r->value);
    } else {
        rc = agg_add(a, &c, r->value, &g, &mi);
        if (rc == BL_OK && m->valid && r->access_method.len < sizeof m->access) {
            m->group = g;
            memcpy(m->access, r->access_method.ptr, r->access_method.len);
            m->access_len = r->access_method.len;
        }
    }
    if (rc != BL_OK)
        return rc;
    a->res->rows_accepted++;
    if (!c.library_id || !c.resource_id)
        a->res->rows_unattributed++;
    if (r->access_method.len < sizeof rm->access) {
        rm->line = r->line;
        rm->group = g;
        rm->metric_index = mi;
        rm->unattributed = !c.library_id || !c.resource_id;
        rm->metric_len = strlen(metric);
        memcpy(rm->metric, metric, rm->metric_len + 1);
        memcpy(rm->access, r->access_method.ptr, r->access_method.len);
        rm->access[r->access_method.len] = '\0';
        rm->access_len = r->access_method.len;
    }
    return BL_OK;
}

static bl_status on_end(void *ctx, const bl_file_end *e)
{
    bl_agg *a = ctx;
    memcpy(a->content_hash, e->content_hash, sizeof a->content_hash);
    a->content_hash[sizeof a->content_hash - 1] = '\0';
    if (a->hits)
        bl__hits_lines(a->hits, e->lines);
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
        bl_diag d = {BL_DIAG_ROW, a->info.path, line, field, reason, NULL};
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

static char *sv_trim_dup(bl_sv v)
{
    return bl_sv_dup(v.ptr ? bl_sv_trim(v) : bl_sv_from(""));
}

/* Remembers the cells of a rejected row so that this file does not restate
 * them: the earlier values of those cells stay in place. */
static void add_shield(bl_agg *a, const bl_row_ctx *row)
{
    if (!row) {
        a->complete = false;
        return;
    }
    if (a->nshields == a->shields_alloc) {
        size_t na = a->shields_alloc ? a->shields_alloc * 2 : 16;
        shield *ns = realloc(a->shields, na * sizeof *ns);
        if (!ns) {
            a->complete = false;
            return;
        }
        a->shields = ns, a->shields_alloc = na;
    }
    bl_sv iid = row->institution_id, inm = row->institution_name;
    if (bl_sv_trim(iid).len == 0 && bl_sv_trim(inm).len == 0) {
        iid = bl_sv_from(a->inst_id ? a->inst_id : "");
        inm = bl_sv_from(a->inst_name ? a->inst_name : "");
    }
    shield sh = {sv_trim_dup(iid),         sv_trim_dup(inm), sv_trim_dup(row->platform),
                 sv_trim_dup(row->metric), row->month_first, row->month_last};
    if (!sh.inst_id || !sh.inst || !sh.platform || !sh.metric) {
        free(sh.inst_id), free(sh.inst), free(sh.platform), free(sh.metric);
        a->complete = false;
        return;
    }
    a->shields[a->nshields++] = sh;
}

static void on_diag(void *ctx, const bl_diag *d)
{
    bl_agg *a = ctx;
    if (d->level == BL_DIAG_ROW) {
        if (a->info.family != BL_FAM_LOG)
            add_shield(a, d->row);
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

/* Whether the report's Created date can order its restatements: it must be
 * readable, not in the future, and not before the last month it reports
 * (real vendor files carry a Created years before their months). */
static bool created_plausible(const char *created, int max_month, const char *now, const char **why)
{
    int y, m, d;
    char day[11];
    if (!created) {
        *why = "the report has no Created date";
        return false;
    }
    snprintf(day, sizeof day, "%.10s", created);
    if (!bl_date_parse(day, &y, &m, &d)) {
        *why = "its Created date cannot be read";
        return false;
    }
    if (strcmp(created, now) > 0) {
        *why = "its Created date is in the future";
        return false;
    }
    if (max_month >= 0 && bl_month_index(y, m) < max_month) {
        *why = "its Created date is before the months it reports";
        return false;
    }
    return true;
}

static void note(bl_agg *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(bl_agg *a, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (a->diag) {
        bl_diag d = {BL_DIAG_NOTE, a->info.path, 0, NULL, reason, NULL};
        a->diag(a->diag_ctx, &d);
    }
}

static bl_status write_shields(bl_agg *a, long long sid, int begin, int end)
{
    bl_store *st = a->st;
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (a->nshields == 0)
        return BL_OK;
    if ((rc = prepare(st,
                      "INSERT INTO shield(source_id, institution_id, institution, platform,"
                      " month, metric) VALUES (?,?,?,?,?,?)",
                      &q)) != BL_OK)
        return rc;
    for (size_t i = 0; i < a->nshields && rc == BL_OK; i++) {
        const shield *sh = &a->shields[i];
        int m0 = sh->month_first >= 0 ? sh->month_first : begin;
        int m1 = sh->month_last >= 0 ? sh->month_last : end;
        for (int m = m0; m >= 0 && m <= m1 && rc == BL_OK; m++) {
            char month[8];
            bl_month_format(m, month);
            sqlite3_bind_int64(q, 1, sid);
            sqlite3_bind_text(q, 2, sh->inst_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, sh->inst, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, sh->platform, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 5, month, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 6, sh->metric, -1, SQLITE_STATIC);
            rc = step(st, q);
        }
    }
    sqlite3_finalize(q);
    return rc;
}

static bl_status write_all(bl_agg *a, const char *path, const char *hash, long long size,
                           const char *provider)
{
    bl_store *st = a->st;
    bl_ingest_result *res = a->res;
    sqlite3_stmt *qs = NULL, *qu = NULL, *qr = NULL, *qfin = NULL;
    bl_status rc;
    char pb[8] = "", pe[8] = "", now[32], soon[32];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    t += 86400; /* a provider's clock a few hours ahead is not implausible */
    gmtime_r(&t, &tmv);
    strftime(soon, sizeof soon, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    int begin = a->info.period_begin >= 0 && a->begun ? a->info.period_begin : a->min_month;
    int end = a->info.period_end >= 0 && a->begun ? a->info.period_end : a->max_month;
    if (begin >= 0)
        bl_month_format(begin, pb);
    if (end >= 0)
        bl_month_format(end, pe);
    res->period_begin = begin;
    res->period_end = end;
    bool is_log = a->info.family == BL_FAM_LOG;
    const char *why = NULL;
    bool plausible = !is_log && created_plausible(a->created, a->max_month, soon, &why);
    if (!is_log && !plausible)
        note(a, "%s%s%s: the order of ingest decides its restatements", why, a->created ? " " : "",
             a->created ? a->created : "");

    if ((rc = prepare(st,
                      "INSERT INTO source(path, hash, format, report_id, family, provider,"
                      " period_begin, period_end, ingested_at, size, order_time, created,"
                      " created_plausible, complete, content_hash)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
    sqlite3_bind_int64(qs, 10, size);
    sqlite3_bind_text(qs, 11, plausible ? a->created : now, -1, SQLITE_TRANSIENT);
    if (a->created)
        sqlite3_bind_text(qs, 12, a->created, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(qs, 13, plausible);
    sqlite3_bind_int(qs, 14, a->complete);
    if (a->content_hash[0])
        sqlite3_bind_text(qs, 15, a->content_hash, -1, SQLITE_TRANSIENT);
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

    /* Every source keeps its rows; which one counts for a restatement key is
     * decided afterwards (bl__restate), so that an older report ingested
     * late, or a source removed, gives the same store as any other order. */
    if ((rc = prepare(st,
                      "INSERT INTO usage(source_id, library_id, resource_id, institution_id,"
                      " institution, platform, database_name, month, metric, access_method,"
                      " report_rank, value) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                      &qu)) != BL_OK)
        goto out;
    for (size_t i = 0; i < a->groups.cap && rc == BL_OK; i++) {
        const group *g = a->groups.slots[i].value;
        if (!a->groups.slots[i].key || !g)
            continue;
        for (size_t k = 0; k < g->n && rc == BL_OK; k++) {
            const cell_val *v = &g->cells[k];
            char month[8];
            bl_month_format(v->month, month);
            sqlite3_bind_int64(qu, 1, sid);
            if (g->library_id)
                sqlite3_bind_text(qu, 2, g->library_id, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(qu, 2);
            if (g->resource_id)
                sqlite3_bind_text(qu, 3, g->resource_id, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(qu, 3);
            sqlite3_bind_text(qu, 4, g->inst_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 5, g->inst, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 6, g->platform, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 7, g->database, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 8, month, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 9, a->metrics[v->metric], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(qu, 10, g->access, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(qu, 11, a->rank);
            sqlite3_bind_int64(qu, 12, v->value);
            rc = step(st, qu);
        }
    }
    if (rc != BL_OK)
        goto out;
    if ((rc = write_shields(a, sid, begin, end)) != BL_OK)
        goto out;
    if (!is_log) {
        bl_restate_counts rs;
        if ((rc = bl__restate(st, sid, &rs)) != BL_OK)
            goto out;
        res->replaced_rows = rs.lost_rows;
        res->replaced_sources = rs.lost_sources;
        res->superseded_rows = rs.self_superseded;
        res->kept_rows = rs.kept_by_rejection;
        if (rs.self_superseded)
            note(a,
                 "%lld cell(s) of this report are superseded by a report created later "
                 "(source #%lld): they are kept in the ledger, not counted",
                 rs.self_superseded, rs.winner_over_self);
        if (rs.kept_by_rejection)
            note(a,
                 "%lld earlier cell(s) kept: this file's rows for them were rejected, so it "
                 "does not restate them",
                 rs.kept_by_rejection);
    }

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
out:
    sqlite3_finalize(qs);
    sqlite3_finalize(qu);
    sqlite3_finalize(qr);
    sqlite3_finalize(qfin);
    return rc;
}

/* The file's SHA-256, computed in a thread of its own while the file is
 * read when no earlier source has the same size (so it cannot be a
 * duplicate that hashing first would have spared reading). */
typedef struct hasher {
    pthread_t thread;
    bool started;
    const char *path;
    char hex[65];
    char *err;
    bl_status rc;
} hasher;

static void *hash_thread(void *p)
{
    hasher *h = p;
    h->rc = bl_sha256_file(h->path, h->hex, &h->err);
    return NULL;
}

static bl_status hasher_join(hasher *h)
{
    if (h->started) {
        pthread_join(h->thread, NULL);
        h->started = false;
    }
    return h->rc;
}

static bool size_seen(bl_store *st, long long size)
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

/* The source (not removed) holding these bytes or this content, or 0. */
static long long already_ingested(bl_store *st, const char *column, const char *hash)
{
    sqlite3_stmt *q = NULL;
    long long id = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM source WHERE %s = ? AND removed_at IS NULL", column);
    if (hash && *hash && sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, hash, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return id;
}

bl_status bl_store_ingest(bl_store *st, const char *path, const char *provider,
                          const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                          bl_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    res->period_begin = res->period_end = -1;
    char *err = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return bl__store_fail(st, errno == ENOENT || errno == ENOTDIR ? BL_NOINPUT : BL_IO,
                              "cannot open '%s': %s", path, strerror(errno));
    hasher h = {.path = path, .rc = BL_OK};
    bl_status rc;
    if (size_seen(st, (long long)sb.st_size)) {
        rc = h.rc = bl_sha256_file(path, h.hex, &h.err);
        if (rc != BL_OK) {
            bl__store_fail(st, rc, "%s", h.err ? h.err : "cannot read file");
            free(h.err);
            return rc;
        }
        if ((res->duplicate_of = already_ingested(st, "hash", h.hex)) != 0) {
            res->duplicate = true;
            return BL_OK;
        }
    } else if (pthread_create(&h.thread, NULL, hash_thread, &h) == 0) {
        h.started = true;
    } else {
        hash_thread(&h);
    }
    bl_agg a = {.st = st,
                .opts = opts,
                .diag = diag,
                .diag_ctx = diag_ctx,
                .res = res,
                .min_month = -1,
                .max_month = -1,
                .complete = true,
                .key = BL_BUF_INIT(1 << 16)};
    for (int k = 0; k < NAME_MEMOS; k++) {
        name_memo *e = &a.memo[k];
        e->inst_id = e->inst = e->platform = e->database = BL_BUF_INIT(1 << 16);
    }
    a.info.period_begin = a.info.period_end = -1;
    a.info.path = path;
    rc = bl__names_load(st, &a.names);
    if (rc != BL_OK)
        goto out;
    bl_sink sink = {&a, on_begin, on_count, on_hit, on_diag, on_end};
    rc = bl_ingest_file(path, opts, &sink, &err);
    a.info.path = path;
    if (rc == BL_RANGE) {
        bl__store_fail(st, rc, "%s: a cell adds up to more than %lld: file refused", path,
                       (long long)BL_CELL_SUM_MAX);
        goto out;
    }
    if (rc != BL_OK) {
        bl__store_fail(st, rc == BL_NOMEM ? BL_NOMEM : rc, "%s", err ? err : bl_status_str(rc));
        goto out;
    }
    if (opts->strict && res->rows_rejected > 0) {
        rc = bl__store_fail(st, BL_DATA, "%s: %ld row(s) rejected and --strict given: file refused",
                            path, res->rows_rejected);
        goto out;
    }
    /* A file of which nothing could be read is refused, not recorded: it
     * can then be corrected and ingested again. */
    if (res->rows_accepted == 0 && res->rows_rejected > 0) {
        rc = bl__store_fail(st, BL_DATA,
                            "%s: every row was rejected (%ld): file refused, nothing stored", path,
                            res->rows_rejected);
        goto out;
    }
    snprintf(res->format, sizeof res->format, "%s", a.format ? a.format : "unknown");
    snprintf(res->report_id, sizeof res->report_id, "%s", a.report_id ? a.report_id : "");
    if (!provider)
        provider = a.created_by;
    /* The same content, maybe compressed or with other line ends. */
    if ((res->duplicate_of = already_ingested(st, "content_hash", a.content_hash)) != 0) {
        res->duplicate = true;
        goto out;
    }
    if (a.hits && (rc = bl__hits_flush(a.hits)) != BL_OK)
        goto out;
    if (a.hits && !opts->force) {
        char why[1024] = "";
        if ((rc = bl__hits_check_overlap(a.hits, why, sizeof why)) != BL_OK) {
            bl__store_fail(st, rc, "%s; nothing stored (use --force if it is not a repeat)", why);
            goto out;
        }
    }
    if ((rc = hasher_join(&h)) != BL_OK) {
        bl__store_fail(st, rc, "%s", h.err ? h.err : "cannot read file");
        goto out;
    }
    if ((res->duplicate_of = already_ingested(st, "hash", h.hex)) != 0 ||
        (res->duplicate_of = already_ingested(st, "content_hash", a.content_hash)) != 0) {
        res->duplicate = true; /* arrived meanwhile */
        goto out;
    }
    rc = bl__begin(st);
    if (rc != BL_OK)
        goto out;
    rc = write_all(&a, path, h.hex, (long long)sb.st_size, provider);
    if (rc == BL_OK && a.hits)
        rc = bl__hits_finish(a.hits, res->source_id, &res->out_of_order, &res->log);
    if (rc == BL_OK && a.hits) {
        /* A log's accepted / unattributed are usage events (docs/logs.md). */
        res->rows_accepted = (long)res->log.events;
        res->rows_unattributed = (long)res->log.unattributed;
    }
    if (rc == BL_OK && a.hits) {
        sqlite3_stmt *qh = NULL;
        if ((rc = prepare(st,
                          "UPDATE source SET rows_accepted = ?2, rows_unattributed = ?3"
                          " WHERE id = ?1",
                          &qh)) == BL_OK) {
            sqlite3_bind_int64(qh, 1, res->source_id);
            sqlite3_bind_int64(qh, 2, res->rows_accepted);
            sqlite3_bind_int64(qh, 3, res->rows_unattributed);
            rc = step(st, qh);
        }
        sqlite3_finalize(qh);
    }
    if (rc == BL_OK)
        rc = bl__commit(st);
    if (rc != BL_OK) {
        bl__rollback(st);
        if (rc == BL_DUPLICATE)
            rc = BL_OK;
    }
out:
    hasher_join(&h);
    free(h.err);
    free(err);
    bl__hits_free(a.hits);
    bl__names_free(&a.names);
    bl__strmap_free(&a.groups, group_free);
    for (int i = 0; i < a.nmetrics; i++)
        free(a.metrics[i]);
    for (int k = 0; k < NAME_MEMOS; k++) {
        bl_buf_release(&a.memo[k].inst_id);
        bl_buf_release(&a.memo[k].inst);
        bl_buf_release(&a.memo[k].platform);
        bl_buf_release(&a.memo[k].database);
    }
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
    free(a.created);
    for (size_t i = 0; i < a.nshields; i++) {
        free(a.shields[i].inst_id);
        free(a.shields[i].inst);
        free(a.shields[i].platform);
        free(a.shields[i].metric);
    }
    free(a.shields);
    bl_buf_release(&a.key);
    return rc;
}
