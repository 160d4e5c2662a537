/* The roll-up (include/bilan/aggregate.h): the sink side that readers feed,
 * through the pipeline. It attributes each record to a library and a
 * resource, keeps rejected rows and their shields, and sums counts in
 * memory by cell; the store writes it afterwards (store/ingest_write.c).
 * Memory is bounded by the number of distinct cells, not file size. */
#include "bilan/aggregate.h"
#include "bilan/i18n.h"
#include "strmap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEP '\x1f'
#define MAX_STORED_REJECTIONS 10000

typedef struct rejection {
    unsigned long line;
    char *field, *reason;
    char *file; /* another file than the source's (a --one-source set's), or NULL */
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
    /* Past GROUP_SCAN cells, an open-addressing index of the cells by month
     * and metric (slot: cell index + 1, 0 empty; at most half full). */
    uint32_t *index;
    size_t index_cap;
} group;

#define GROUP_SCAN 8

#define MAX_METRICS 64

/* Recent rows' names, what they resolved to, and the group they last fed
 * (COUNTER rows repeat their names for every month, and an item report
 * alternates between a few platforms). */
#define NAME_MEMOS 4
typedef struct name_memo {
    bool valid;
    bl_buf inst_id, inst, platform, database;
    const char *library_id, *resource_id;
    /* the groups of these names with the last two access methods (an item
     * report alternates Regular and TDM) */
    group *group[2];
    char access[2][32];
    size_t access_len[2];
    int access_next; /* the slot replaced next */
} name_memo;

/* The current COUNTER row: its line, names, group and metric. The names are
 * compared too: the items of a compact JSON report all sit on line 1. */
typedef struct row_memo {
    unsigned long line;
    const name_memo *names; /* the row's names (compared, the entry may be reused) */
    group *group;           /* NULL: no row remembered */
    int metric_index;
    bool unattributed;
    char metric[64], access[32];
    size_t metric_len, access_len;
} row_memo;

/* The cells of recent runs (bl_rollup_count_run): a group and metric's cell
 * indexes by month, months base..base+RUN_MONTHS-1 (-1: not known yet).
 * Cells are only appended, so an index stays right. */
#define RUN_SETS 16
#define RUN_WAYS 4
#define RUN_MONTHS 64
typedef struct run_cells {
    const group *g; /* NULL: empty slot */
    int metric, base;
    int32_t cell[RUN_MONTHS];
} run_cells;

struct bl_rollup {
    const char *path; /* as given to bl_rollup_new (info.path is the reader's) */
    run_cells runs[RUN_SETS][RUN_WAYS];
    unsigned char runs_next[RUN_SETS]; /* the way replaced next */
    row_memo row;
    const bl_names *names;
    bl_strmap groups; /* key -> group * */
    group *last_group;
    char *metrics[MAX_METRICS];
    size_t metric_len[MAX_METRICS];
    int nmetrics;
    name_memo memo[NAME_MEMOS];
    int memo_next; /* the entry replaced next */
    unsigned long last_rejected_line;
    bl_diag_fn diag;
    void *diag_ctx;
    bl_rollup_counts counts;
    bool begun;
    bl_file_info info;
    char *format, *report_id, *created_by, *inst_id, *inst_name;
    bl_sv inst_id_sv, inst_name_sv; /* the header's institution ("" when none) */
    char *resource_id;              /* a profile's resource: every row counts for it */
    int rank;
    rejection *rej;
    size_t nrej, rej_alloc;
    int min_month, max_month;
    bl_buf key;
    char *created;   /* the report's Created date, normalised, or NULL */
    bool complete;   /* false: a rejected row could not be named */
    shield *shields; /* rejected rows' cells */
    size_t nshields, shields_alloc;
    char content_hash[33];  /* from sink->end; "" when the reader gave none */
    size_t ngroups, ncells; /* against BL_CAP_GROUPS, BL_CAP_CELLS */
    const char *cap;        /* the cap that refused the file, or NULL */
};

int bl_report_rank(const bl_file_info *info)
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

bl_status bl_rollup_begin(bl_rollup *a, const bl_file_info *info)
{
    if (a->begun)
        return BL_OK;
    a->begun = true;
    a->info = *info;
    a->format = dup_or_null(info->format);
    a->report_id = dup_or_null(info->report_id);
    a->created_by = dup_or_null(info->created_by);
    a->inst_id = dup_or_null(info->institution_id);
    a->inst_name = dup_or_null(info->institution_name);
    a->inst_id_sv = bl_sv_from(a->inst_id ? a->inst_id : "");
    a->inst_name_sv = bl_sv_from(a->inst_name ? a->inst_name : "");
    a->created = dup_or_null(info->created);
    a->resource_id = dup_or_null(info->resource_id);
    a->info.resource_id = a->resource_id;
    a->info.format = a->format;
    a->info.report_id = a->report_id;
    a->info.created_by = a->created_by;
    a->info.institution_id = a->inst_id;
    a->info.institution_name = a->inst_name;
    a->info.created = a->created;
    a->rank = bl_report_rank(info);
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
    free(g->index);
    free(g);
}

static bl_status key_part(bl_buf *b, bl_sv s, bool last)
{
    bl_status rc = bl_buf_append(b, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
    if (rc == BL_OK && !last)
        rc = bl_buf_putc(b, SEP);
    return rc;
}

static bl_status find_group(bl_rollup *a, const bl_cell *c, bl_sv access, group **out)
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
        if (++a->ngroups > BL_CAP_GROUPS) {
            a->cap =
                _("more than 100 000 distinct libraries, institutions, platforms or databases");
            return BL_RANGE;
        }
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

static int metric_index(bl_rollup *a, const char *metric)
{
    for (int i = 0; i < a->nmetrics; i++)
        if (strcmp(a->metrics[i], metric) == 0)
            return i;
    if (a->nmetrics == MAX_METRICS || !(a->metrics[a->nmetrics] = strdup(metric)))
        return -1;
    a->metric_len[a->nmetrics] = strlen(metric);
    return a->nmetrics++;
}

static size_t cell_slot(const group *g, int month, int metric)
{
    uint32_t h = ((uint32_t)month * 2654435761u) ^ ((uint32_t)metric * 40503u);
    return (h ^ (h >> 15)) & (g->index_cap - 1);
}

/* Builds the index anew at twice the cells' count (power of two, >= 32). */
static bool index_rebuild(group *g)
{
    size_t cap = 32;
    while (cap < 4 * g->n)
        cap *= 2;
    uint32_t *ix = calloc(cap, sizeof *ix);
    if (!ix)
        return false;
    free(g->index);
    g->index = ix, g->index_cap = cap;
    for (size_t i = 0; i < g->n; i++) {
        size_t h = cell_slot(g, g->cells[i].month, g->cells[i].metric);
        while (ix[h])
            h = (h + 1) & (cap - 1);
        ix[h] = (uint32_t)i + 1;
    }
    return true;
}

/* Adds value to a cell of month: each count is at most BL_COUNT_MAX; a cell
 * summing beyond BL_CELL_SUM_MAX refuses the file, so no stored sum can
 * overflow. */
static inline __attribute__((always_inline)) bl_status cell_sum(bl_rollup *a, cell_val *cell,
                                                                int month, int64_t value)
{
    if (__builtin_add_overflow(cell->value, value, &cell->value) || cell->value > BL_CELL_SUM_MAX)
        return BL_RANGE;
    if (a->min_month < 0 || month < a->min_month)
        a->min_month = month;
    if (month > a->max_month)
        a->max_month = month;
    return BL_OK;
}

static inline __attribute__((always_inline)) bl_status add_cell(bl_rollup *a, group *g, int month,
                                                                int metric, int64_t value)
{
    /* Cells of a group are few (months × metrics of one file); look from the
     * last one found, which is usually the next; past GROUP_SCAN cells,
     * through the index. */
    cell_val *cell = NULL;
    size_t slot = 0;
    if (g->n && g->cells[g->last].month == month && g->cells[g->last].metric == metric) {
        cell = &g->cells[g->last];
    } else if (g->last + 1 < g->n && g->cells[g->last + 1].month == month &&
               g->cells[g->last + 1].metric == metric) {
        cell = &g->cells[g->last + 1]; /* the cells of a run, in the order they were made */
    } else if (g->index) {
        for (slot = cell_slot(g, month, metric); g->index[slot];
             slot = (slot + 1) & (g->index_cap - 1)) {
            cell_val *v = &g->cells[g->index[slot] - 1];
            if (v->month == month && v->metric == metric) {
                cell = v;
                break;
            }
        }
    } else {
        for (size_t k = 0, i = g->last; k < g->n; k++, i = i + 1 == g->n ? 0 : i + 1) {
            cell_val *v = &g->cells[i];
            if (v->month == month && v->metric == metric) {
                cell = v;
                break;
            }
        }
    }
    if (!cell) {
        if (++a->ncells > BL_CAP_CELLS) {
            a->cap = _("more than 2 000 000 distinct cells (month and metric of a library or "
                       "platform)");
            return BL_RANGE;
        }
        if (g->n == g->alloc) {
            size_t na = g->alloc ? g->alloc * 2 : 16;
            cell_val *nv = realloc(g->cells, na * sizeof *nv);
            if (!nv)
                return BL_NOMEM;
            g->cells = nv, g->alloc = na;
        }
        cell = &g->cells[g->n++];
        *cell = (cell_val){month, metric, 0};
        if (g->index && 2 * g->n <= g->index_cap)
            g->index[slot] = (uint32_t)g->n; /* slot: the empty one the probe stopped at */
        else if (g->n > GROUP_SCAN && !index_rebuild(g))
            return BL_NOMEM;
    }
    g->last = (size_t)(cell - g->cells);
    return cell_sum(a, cell, month, value);
}

/* Adds to the cell, returning its group and metric index for reuse. */
static bl_status agg_add(bl_rollup *a, const bl_cell *c, int64_t value, group **gout, int *mout)
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

bl_status bl_rollup_add(void *rollup, const bl_cell *c, int64_t value)
{
    return agg_add(rollup, c, value, NULL, NULL);
}

static bool has_control(bl_sv s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 && s.ptr[i] != '\t')
            return true;
    return false;
}

static void reject(bl_rollup *a, const char *file, unsigned long line, const char *field,
                   const char *reason);

static inline bool buf_is(const bl_buf *b, bl_sv v)
{
    return b->len == v.len && (v.len == 0 || memcmp(b->data, v.ptr, v.len) == 0);
}

static bool memo_names_are(const name_memo *e, bl_sv inst_id, bl_sv inst_name,
                           const bl_count_rec *r)
{
    return e->valid && buf_is(&e->platform, r->platform) && buf_is(&e->database, r->database) &&
           buf_is(&e->inst_id, inst_id) && buf_is(&e->inst, inst_name);
}

/* The index of a metric already met (its name passed the checks below), or
 * -1. */
static int known_metric(const bl_rollup *a, bl_sv m)
{
    if (m.len >= sizeof a->row.metric)
        return -1;
    for (int i = 0; i < a->nmetrics; i++)
        if (a->metric_len[i] == m.len && m.len && memcmp(a->metrics[i], m.ptr, m.len) == 0)
            return i;
    return -1;
}

bl_status bl_rollup_count(bl_rollup *a, const bl_count_rec *r)
{
    bl_sv inst_id = r->institution_id, inst_name = r->institution_name;
    if (inst_id.len == 0 && inst_name.len == 0) {
        inst_id = a->inst_id_sv;
        inst_name = a->inst_name_sv;
    }
    /* Every cell of a COUNTER row shares the row's names, metric and access
     * method: its group is found on the first cell and reused for the rest,
     * and by the next rows with the same names, metric and access method
     * (the group and metric index follow from them alone: the line is not
     * compared). */
    row_memo *rm = &a->row;
    if (rm->group && r->value >= 0 && bl_sv_eq(r->metric, (bl_sv){rm->metric, rm->metric_len}) &&
        bl_sv_eq(r->access_method, (bl_sv){rm->access, rm->access_len}) &&
        memo_names_are(rm->names, inst_id, inst_name, r)) {
        bl_status rc = add_cell(a, rm->group, r->month, rm->metric_index, r->value);
        if (rc == BL_OK) {
            a->counts.accepted++;
            a->counts.zeros += r->value == 0;
            a->counts.unattributed += rm->unattributed && r->value != 0;
        }
        return rc;
    }
    rm->group = NULL;
    name_memo *m = NULL;
    for (int k = 0; k < NAME_MEMOS && !m; k++)
        if (memo_names_are(&a->memo[k], inst_id, inst_name, r))
            m = &a->memo[k];
    if (!m) {
        if (has_control(inst_id) || has_control(inst_name) || has_control(r->platform) ||
            has_control(r->database)) {
            if (r->line != a->last_rejected_line)
                reject(a, NULL, r->line, "Platform", _("control characters in a name"));
            a->last_rejected_line = r->line;
            return BL_OK;
        }
        m = &a->memo[a->memo_next];
        a->memo_next = (a->memo_next + 1) % NAME_MEMOS;
        m->valid = false;
        m->group[0] = m->group[1] = NULL;
        m->access_next = 0;
        bl_buf_clear(&m->inst_id);
        bl_buf_clear(&m->inst);
        bl_buf_clear(&m->platform);
        bl_buf_clear(&m->database);
        if (bl_buf_append(&m->inst_id, inst_id.ptr, inst_id.len) == BL_OK &&
            bl_buf_append(&m->inst, inst_name.ptr, inst_name.len) == BL_OK &&
            bl_buf_append(&m->platform, r->platform.ptr, r->platform.len) == BL_OK &&
            bl_buf_append(&m->database, r->database.ptr, r->database.len) == BL_OK)
            m->valid = true;
        m->library_id = a->info.network_level ? BL_NETWORK_LEVEL
                                              : bl_names_library(a->names, inst_id, inst_name);
        m->resource_id =
            a->resource_id ? a->resource_id : bl_names_resource(a->names, r->database, r->platform);
    }
    int known = known_metric(a, r->metric); /* its checks passed before */
    if (known < 0 && has_control(r->metric)) {
        if (r->line != a->last_rejected_line)
            reject(a, NULL, r->line, "Metric_Type", _("control characters in a name"));
        a->last_rejected_line = r->line;
        return BL_OK;
    }
    if (r->value < 0) {
        reject(a, NULL, r->line, bl_sv_eq_cstr(r->metric, "") ? NULL : "value",
               _("negative count"));
        return BL_OK;
    }
    char buf[64];
    const char *metric = buf;
    if (known >= 0) {
        metric = a->metrics[known];
    } else if (r->metric.len == 0 || r->metric.len >= sizeof buf) {
        reject(a, NULL, r->line, "Metric_Type", _("missing or over-long metric name"));
        return BL_OK;
    } else {
        memcpy(buf, r->metric.ptr, r->metric.len);
        buf[r->metric.len] = '\0';
    }
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
    int slot = 0;
    while (slot < 2 && !(m->group[slot] &&
                         bl_sv_eq(r->access_method, (bl_sv){m->access[slot], m->access_len[slot]})))
        slot++;
    if (slot < 2) {
        g = m->group[slot];
        if ((mi = known >= 0 ? known : metric_index(a, metric)) < 0)
            return BL_NOMEM;
        rc = add_cell(a, g, r->month, mi, r->value);
    } else {
        rc = agg_add(a, &c, r->value, &g, &mi);
        if (rc == BL_OK && m->valid && r->access_method.len < sizeof m->access[0]) {
            slot = m->access_next;
            m->access_next = 1 - slot;
            m->group[slot] = g;
            memcpy(m->access[slot], r->access_method.ptr, r->access_method.len);
            m->access_len[slot] = r->access_method.len;
        }
    }
    if (rc != BL_OK)
        return rc;
    a->counts.accepted++;
    a->counts.zeros += r->value == 0;
    /* (a row's 0 is nobody's usage: not unattributed usage) */
    if ((!c.library_id || !c.resource_id) && r->value != 0)
        a->counts.unattributed++;
    if (r->access_method.len < sizeof rm->access && m->valid) {
        rm->line = r->line;
        rm->names = m;
        rm->group = g;
        rm->metric_index = mi;
        rm->unattributed = !c.library_id || !c.resource_id;
        rm->metric_len = known >= 0 ? a->metric_len[known] : strlen(metric);
        memcpy(rm->metric, metric, rm->metric_len + 1);
        memcpy(rm->access, r->access_method.ptr, r->access_method.len);
        rm->access[r->access_method.len] = '\0';
        rm->access_len = r->access_method.len;
    }
    return BL_OK;
}

/* The table of a group and metric's cells by month (made, around month,
 * when not met recently). */
static run_cells *run_table(bl_rollup *a, const group *g, int metric, int month)
{
    uint64_t h =
        ((uint64_t)(uintptr_t)g + (uint64_t)metric * 0x9E3779B97F4A7C15u) * 0xBF58476D1CE4E5B9u;
    size_t set = (size_t)(h >> 32) % RUN_SETS;
    for (int w = 0; w < RUN_WAYS; w++)
        if (a->runs[set][w].g == g && a->runs[set][w].metric == metric)
            return &a->runs[set][w];
    run_cells *t = &a->runs[set][a->runs_next[set]];
    a->runs_next[set] = (unsigned char)((a->runs_next[set] + 1) % RUN_WAYS);
    t->g = g, t->metric = metric, t->base = month - RUN_MONTHS / 2;
    memset(t->cell, 0xff, sizeof t->cell);
    return t;
}

/* add_cell for the counts of a run: the cell found through the run's
 * table t when it was met before (the same sum, checks and bounds). */
static inline bl_status run_add(bl_rollup *a, run_cells *t, group *g, int metric, int month,
                                int64_t value)
{
    unsigned off = (unsigned)(month - t->base);
    if (off < RUN_MONTHS && t->cell[off] >= 0) {
        g->last = (size_t)t->cell[off];
        return cell_sum(a, &g->cells[t->cell[off]], month, value);
    }
    bl_status rc = add_cell(a, g, month, metric, value);
    if (rc == BL_OK && off < RUN_MONTHS)
        t->cell[off] = (int32_t)g->last;
    return rc;
}

bl_status bl_rollup_count_run(bl_rollup *a, bl_count_rec *r, const int *months, const int64_t *vals,
                              size_t n)
{
    if (n == 0)
        return BL_OK;
    r->month = months[0], r->value = vals[0];
    bl_status rc = bl_rollup_count(a, r);
    if (rc != BL_OK)
        return rc;
    /* The first count set the row's memo when it was accepted: the rest of
     * the run shares its group (bl_rollup_count's own fast path, without
     * comparing the names again). bl_rollup_count leaves a group in the memo
     * only for the record it accepted (matched, or set from it). */
    row_memo *rm = &a->row;
    bool memo = rm->group != NULL;
    run_cells *t = NULL; /* the memo's cell table, found once */
    for (size_t k = 1; k < n; k++) {
        if (!memo || vals[k] < 0) { /* (a negative count is rejected there) */
            r->month = months[k], r->value = vals[k];
            if ((rc = bl_rollup_count(a, r)) != BL_OK)
                return rc;
            memo = rm->group != NULL, t = NULL; /* (a rejection clears the memo) */
            continue;
        }
        if (!t)
            t = run_table(a, rm->group, rm->metric_index, months[k]);
        if ((rc = run_add(a, t, rm->group, rm->metric_index, months[k], vals[k])) != BL_OK)
            return rc;
        a->counts.accepted++;
        a->counts.unattributed += rm->unattributed;
    }
    return BL_OK;
}

bl_status bl_rollup_end(bl_rollup *a, const bl_file_end *e)
{
    memcpy(a->content_hash, e->content_hash, sizeof a->content_hash);
    a->content_hash[sizeof a->content_hash - 1] = '\0';
    return BL_OK;
}

void bl_rollup_hit_seen(bl_rollup *a)
{
    a->counts.accepted++;
}

static void reject(bl_rollup *a, const char *file, unsigned long line, const char *field,
                   const char *reason)
{
    a->counts.rejected++;
    if (file && a->info.path && strcmp(file, a->info.path) == 0)
        file = NULL;
    if (a->diag) {
        bl_diag d = {BL_DIAG_ROW, file ? file : a->info.path, line, field, reason, NULL};
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
    a->rej[a->nrej++] =
        (rejection){line, field ? strdup(field) : NULL, strdup(reason), file ? strdup(file) : NULL};
}

static char *sv_trim_dup(bl_sv v)
{
    return bl_sv_dup(v.ptr ? bl_sv_trim(v) : bl_sv_from(""));
}

/* Remembers the cells of a rejected row so that this file does not restate
 * them: the earlier values of those cells stay in place. */
static void add_shield(bl_rollup *a, const bl_row_ctx *row)
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

void bl_rollup_diag(bl_rollup *a, const bl_diag *d)
{
    if (d->level == BL_DIAG_ROW) {
        if (a->info.family != BL_FAM_LOG)
            add_shield(a, d->row);
        reject(a, d->path, d->line, d->field, d->reason);
        return;
    }
    if (d->level == BL_DIAG_NOTE && d->line)
        a->counts.skipped++;
    if (a->diag)
        a->diag(a->diag_ctx, d);
}

void bl_rollup_note(bl_rollup *a, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    if (a->diag) {
        bl_diag d = {BL_DIAG_NOTE, a->path, 0, NULL, reason, NULL};
        a->diag(a->diag_ctx, &d);
    }
}

bool bl_created_plausible(const char *created, int max_month, const char *soon, const char **why)
{
    int y, m, d;
    char day[11];
    if (!created) {
        *why = _("the report has no Created date");
        return false;
    }
    snprintf(day, sizeof day, "%.10s", created);
    if (!bl_date_parse(day, &y, &m, &d)) {
        *why = _("its Created date cannot be read");
        return false;
    }
    if (strcmp(created, soon) > 0) {
        *why = _("its Created date is in the future");
        return false;
    }
    if (max_month >= 0 && bl_month_index(y, m) < max_month) {
        *why = _("its Created date is before the months it reports");
        return false;
    }
    return true;
}

/* ---- life and accessors --------------------------------------------------------- */

bl_rollup *bl_rollup_new(const bl_names *names, const char *path, bl_diag_fn diag, void *ctx)
{
    bl_rollup *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->names = names;
    a->diag = diag;
    a->diag_ctx = ctx;
    a->min_month = a->max_month = -1;
    a->complete = true;
    a->inst_id_sv = a->inst_name_sv = bl_sv_from("");
    a->key = BL_BUF_INIT(1 << 16);
    for (int k = 0; k < NAME_MEMOS; k++) {
        name_memo *e = &a->memo[k];
        e->inst_id = e->inst = e->platform = e->database = BL_BUF_INIT(1 << 16);
    }
    a->info.period_begin = a->info.period_end = -1;
    a->info.path = a->path = path;
    return a;
}

void bl_rollup_free(bl_rollup *a)
{
    if (!a)
        return;
    bl__strmap_free(&a->groups, group_free);
    for (int i = 0; i < a->nmetrics; i++)
        free(a->metrics[i]);
    for (int k = 0; k < NAME_MEMOS; k++) {
        bl_buf_release(&a->memo[k].inst_id);
        bl_buf_release(&a->memo[k].inst);
        bl_buf_release(&a->memo[k].platform);
        bl_buf_release(&a->memo[k].database);
    }
    for (size_t i = 0; i < a->nrej; i++) {
        free(a->rej[i].field);
        free(a->rej[i].reason);
        free(a->rej[i].file);
    }
    free(a->rej);
    free(a->format);
    free(a->report_id);
    free(a->created_by);
    free(a->inst_id);
    free(a->inst_name);
    free(a->created);
    free(a->resource_id);
    for (size_t i = 0; i < a->nshields; i++) {
        free(a->shields[i].inst_id);
        free(a->shields[i].inst);
        free(a->shields[i].platform);
        free(a->shields[i].metric);
    }
    free(a->shields);
    bl_buf_release(&a->key);
    free(a);
}

const char *bl_rollup_cap(const bl_rollup *a)
{
    return a->cap;
}

const bl_rollup_counts *bl_rollup_counts_of(const bl_rollup *a)
{
    return &a->counts;
}

bl_rollup_counts *bl_rollup_counts_mut(bl_rollup *a)
{
    return &a->counts;
}

/* Whether every group is the header's institution (and it names one). */
static bool one_institution(const bl_rollup *a)
{
    if (!a->begun || (a->inst_id_sv.len == 0 && a->inst_name_sv.len == 0) || a->ngroups == 0)
        return false;
    for (size_t i = 0; i < a->groups.cap; i++) {
        const group *g = a->groups.slots[i].value;
        if (a->groups.slots[i].key && g &&
            (!sv_is(bl_sv_trim(a->inst_id_sv), g->inst_id) ||
             !sv_is(bl_sv_trim(a->inst_name_sv), g->inst)))
            return false;
    }
    return true;
}

void bl_rollup_file_of(const bl_rollup *a, bl_rollup_file *out)
{
    *out = (bl_rollup_file){
        .format = a->format,
        .report_id = a->report_id,
        .created_by = a->created_by,
        .created = a->created,
        .content_hash = a->content_hash,
        .family = a->info.family,
        .rank = a->rank,
        .period_begin = a->info.period_begin >= 0 && a->begun ? a->info.period_begin : a->min_month,
        .period_end = a->info.period_end >= 0 && a->begun ? a->info.period_end : a->max_month,
        .max_month = a->max_month,
        .complete = a->complete,
        .one_institution = one_institution(a),
    };
}

bl_status bl_rollup_each_cell(const bl_rollup *a, bl_rollup_cell_fn fn, void *ctx)
{
    bl_status rc = BL_OK;
    for (size_t i = 0; i < a->groups.cap && rc == BL_OK; i++) {
        const group *g = a->groups.slots[i].value;
        if (!a->groups.slots[i].key || !g)
            continue;
        for (size_t k = 0; k < g->n && rc == BL_OK; k++) {
            const cell_val *v = &g->cells[k];
            bl_rollup_cell c = {g->library_id, g->resource_id, g->inst_id, g->inst,
                                g->platform,   g->database,    g->access,  a->metrics[v->metric],
                                v->month,      v->value};
            rc = fn(ctx, &c);
        }
    }
    return rc;
}

bl_status bl_rollup_each_rejection(const bl_rollup *a, bl_rollup_reject_fn fn, void *ctx)
{
    bl_status rc = BL_OK;
    for (size_t i = 0; i < a->nrej && rc == BL_OK; i++)
        rc = fn(ctx, a->rej[i].file, a->rej[i].line, a->rej[i].field,
                a->rej[i].reason ? a->rej[i].reason : "?");
    return rc;
}

bl_status bl_rollup_each_shield(const bl_rollup *a, bl_rollup_shield_fn fn, void *ctx)
{
    bl_rollup_file f;
    bl_rollup_file_of(a, &f);
    bl_status rc = BL_OK;
    for (size_t i = 0; i < a->nshields && rc == BL_OK; i++) {
        const shield *sh = &a->shields[i];
        int m0 = sh->month_first >= 0 ? sh->month_first : f.period_begin;
        int m1 = sh->month_last >= 0 ? sh->month_last : f.period_end;
        for (int m = m0; m >= 0 && m <= m1 && rc == BL_OK; m++)
            rc = fn(ctx, sh->inst_id, sh->inst, sh->platform, sh->metric, m);
    }
    return rc;
}
