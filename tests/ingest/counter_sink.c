/* The recording sink used by the COUNTER reader tests. */
#include "counter_sink.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bl_status on_begin(void *ctx, const bl_file_info *info)
{
    ts_sink *t = ctx;
    t->begins++;
    t->format = dup_or_null(info->format);
    t->report_id = dup_or_null(info->report_id);
    t->created_by = dup_or_null(info->created_by);
    t->inst_id = dup_or_null(info->institution_id);
    t->inst_name = dup_or_null(info->institution_name);
    t->created = dup_or_null(info->created);
    t->family = info->family;
    t->release = info->release;
    t->period_begin = info->period_begin;
    t->period_end = info->period_end;
    return BL_OK;
}

static bl_status on_count(void *ctx, const bl_count_rec *rec)
{
    ts_sink *t = ctx;
    if (t->ncounts == t->acounts) {
        t->acounts = t->acounts ? 2 * t->acounts : 64;
        t->counts = realloc(t->counts, t->acounts * sizeof *t->counts);
    }
    ts_count *c = &t->counts[t->ncounts++];
    c->line = rec->line;
    c->inst_id = bl_sv_dup(rec->institution_id);
    c->inst_name = bl_sv_dup(rec->institution_name);
    c->platform = bl_sv_dup(rec->platform);
    c->database = bl_sv_dup(rec->database);
    c->title = bl_sv_dup(rec->title);
    c->access_method = bl_sv_dup(rec->access_method);
    c->metric = bl_sv_dup(rec->metric);
    c->month = rec->month;
    c->value = rec->value;
    return BL_OK;
}

static void on_diag(void *ctx, const bl_diag *d)
{
    ts_sink *t = ctx;
    if (t->ndiags == t->adiags) {
        t->adiags = t->adiags ? 2 * t->adiags : 16;
        t->diags = realloc(t->diags, t->adiags * sizeof *t->diags);
    }
    ts_diag *x = &t->diags[t->ndiags++];
    memset(x, 0, sizeof *x);
    x->level = d->level;
    x->line = d->line;
    x->field = dup_or_null(d->field);
    x->reason = dup_or_null(d->reason);
    x->has_row = d->row != NULL;
    if (d->row) {
        /* Views must be readable (ASan checks) and never NULL with a length. */
        x->row_inst_id = bl_sv_dup(d->row->institution_id);
        x->row_inst_name = bl_sv_dup(d->row->institution_name);
        x->row_platform = bl_sv_dup(d->row->platform);
        x->row_database = bl_sv_dup(d->row->database);
        x->row_metric = bl_sv_dup(d->row->metric);
        x->row_month_first = d->row->month_first;
        x->row_month_last = d->row->month_last;
    }
}

void ts_run_path(ts_sink *t, int reader, const char *path, bool strict)
{
    memset(t, 0, sizeof *t);
    bl_sink sink = {t, on_begin, on_count, NULL, on_diag, NULL, NULL};
    bl_ingest_opts opts = {.format = BL_FMT_AUTO, .strict = strict};
    if (reader == 0) {
        t->result = bl_ingest_file(path, &opts, &sink, &t->errmsg);
        return;
    }
    bl_source *src = NULL;
    t->result = bl_source_open(path, &src, &t->errmsg);
    if (t->result != BL_OK)
        return;
    t->result = reader == 5 ? bl_counter5_read(src, path, &opts, &sink, &t->errmsg)
                            : bl_counter4_read(src, path, &opts, &sink, &t->errmsg);
    bl_source_close(src);
}

void ts_run(ts_sink *t, int reader, const char *fixture, bool strict)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fixtures/%s", tu_srcdir(), fixture);
    ts_run_path(t, reader, path, strict);
}

void ts_free(ts_sink *t)
{
    free(t->format);
    free(t->report_id);
    free(t->created_by);
    free(t->inst_id);
    free(t->inst_name);
    free(t->created);
    for (size_t i = 0; i < t->ncounts; i++) {
        ts_count *c = &t->counts[i];
        free(c->inst_id);
        free(c->inst_name);
        free(c->platform);
        free(c->database);
        free(c->title);
        free(c->access_method);
        free(c->metric);
    }
    free(t->counts);
    for (size_t i = 0; i < t->ndiags; i++) {
        free(t->diags[i].field);
        free(t->diags[i].reason);
        free(t->diags[i].row_inst_id);
        free(t->diags[i].row_inst_name);
        free(t->diags[i].row_platform);
        free(t->diags[i].row_database);
        free(t->diags[i].row_metric);
    }
    free(t->diags);
    free(t->errmsg);
    memset(t, 0, sizeof *t);
}

int64_t ts_sum(const ts_sink *t, const char *metric, const char *access_method)
{
    int64_t s = 0;
    for (size_t i = 0; i < t->ncounts; i++) {
        const ts_count *c = &t->counts[i];
        if (metric && strcmp(c->metric, metric) != 0)
            continue;
        if (access_method && strcmp(c->access_method, access_method) != 0)
            continue;
        s += c->value;
    }
    return s;
}

int64_t ts_sum_month(const ts_sink *t, const char *metric, const char *month)
{
    int mi = 0;
    if (!bl_month_parse(month, &mi))
        return -1;
    int64_t s = 0;
    for (size_t i = 0; i < t->ncounts; i++)
        if (t->counts[i].month == mi && (!metric || strcmp(t->counts[i].metric, metric) == 0))
            s += t->counts[i].value;
    return s;
}

size_t ts_ndiag(const ts_sink *t, bl_diag_level level)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ndiags; i++)
        if (t->diags[i].level == level)
            n++;
    return n;
}

const ts_diag *ts_diag_at(const ts_sink *t, bl_diag_level level, unsigned long line)
{
    for (size_t i = 0; i < t->ndiags; i++)
        if (t->diags[i].level == level && t->diags[i].line == line)
            return &t->diags[i];
    return NULL;
}
