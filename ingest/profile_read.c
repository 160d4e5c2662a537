/* Vendor exports read with a profile (bilan/profile.h, docs/profiles.md),
 * over the COUNTER readers' record reader (bl__ctr_reader): a CSV/TSV now,
 * any source the record reader reads (spreadsheets) the same way. The
 * header row is the first of the first BL_PROF_HEADER_ROWS rows holding
 * every `match` cell; then each row gives counts for one month (long
 * layout) or for every month column (wide layout), for the library of its
 * library cell or, without one, for the whole network. */
#include "bilan/i18n.h"
#include "bilan/profile.h"
#include "counter_internal.h"
#include "profile_internal.h"
#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORM_MAX 256

typedef struct prow {
    bl__ctr_reader *r;
    const bl_profile *p;
    size_t lib_col, time_col;
    size_t cols[BL_CTR_MAX_MONTHS]; /* long: a value column per metric; wide: month columns */
    int months[BL_CTR_MAX_MONTHS];  /* wide: each column's month */
    char labels[BL_CTR_MAX_MONTHS][24];
    size_t n;
    int64_t vals[BL_CTR_MAX_MONTHS];
    /* Rows seen, by library and month (by library in the wide layout):
     * 64-bit hashes of the folded name and month, open addressing, the
     * line of each; a row repeating one is added to it, and said once. */
    struct seen {
        uint64_t key; /* 0: empty */
        unsigned long line;
    } * seen;
    size_t seen_cap, seen_n;
    unsigned long dups, dup_line, dup_first;
} prow;

/* Records the current row's key; on a repeat, counts it (the first repeat
 * is remembered for the note). Day rows are not looked at: their months
 * repeat by design (a profile's `date`). */
static bl_status note_repeat(prow *s, bl_sv lib, int month)
{
    if (s->p->layout == BL_PROF_LONG && !s->p->month)
        return BL_OK;
    char folded[512];
    size_t n = bl_name_fold(lib, folded, sizeof folded);
    uint64_t key = bl_fhash(folded, n, (uint64_t)(month + 2) * 0x9e3779b97f4a7c15ull) | 1;
    if (2 * (s->seen_n + 1) > s->seen_cap) {
        size_t cap = s->seen_cap ? 2 * s->seen_cap : 256;
        struct seen *v = calloc(cap, sizeof *v);
        if (!v)
            return BL_NOMEM;
        for (size_t i = 0; i < s->seen_cap; i++)
            for (size_t j = s->seen[i].key & (cap - 1); s->seen[i].key; j = (j + 1) & (cap - 1))
                if (!v[j].key) {
                    v[j] = s->seen[i];
                    break;
                }
        free(s->seen);
        s->seen = v, s->seen_cap = cap;
    }
    for (size_t j = key & (s->seen_cap - 1);; j = (j + 1) & (s->seen_cap - 1)) {
        if (!s->seen[j].key) {
            s->seen[j] = (struct seen){key, s->r->line};
            s->seen_n++;
            return BL_OK;
        }
        if (s->seen[j].key == key) {
            if (!s->dups++)
                s->dup_line = s->r->line, s->dup_first = s->seen[j].line;
            return BL_OK;
        }
    }
}

/* The first column from `from` on of the current row named `name` (case,
 * accents, spaces and punctuation ignored), or BL__CTR_NO_COL. */
static size_t find_col(const bl__ctr_reader *r, const char *name, size_t from)
{
    char want[NORM_MAX], have[NORM_MAX];
    bl__ctr_fold_norm(bl_sv_from(name), want, sizeof want);
    for (size_t i = from; i < r->nfields; i++) {
        if (r->fields[i].len > 4 * NORM_MAX)
            continue;
        bl__ctr_fold_norm(r->fields[i], have, sizeof have);
        if (strcmp(want, have) == 0)
            return i;
    }
    return BL__CTR_NO_COL;
}

/* Whether the current row holds every `match` cell of p. */
static bool row_matches(const bl__ctr_reader *r, const bl_profile *p)
{
    for (size_t m = 0; m < p->nmatch; m++)
        if (find_col(r, p->match[m], 0) == BL__CTR_NO_COL)
            return false;
    return true;
}

/* Whether column i of the header row is one of p's `match` cells. */
static bool is_match_col(const bl__ctr_reader *r, const bl_profile *p, size_t i)
{
    for (size_t m = 0; m < p->nmatch; m++)
        if (find_col(r, p->match[m], i) == i)
            return true;
    return false;
}

bl_status bl__profile_find_header(bl__ctr_reader *r, const bl_profile *p, bool *found)
{
    *found = false;
    for (int k = 0; k < BL_PROF_HEADER_ROWS; k++) {
        bool eof = false;
        bl_status st = bl__ctr_next(r, &eof);
        if (st != BL_OK)
            return bl__ctr_source_failed(r, st);
        if (eof)
            return BL_OK;
        if (!r->too_long && !r->bad_quote && row_matches(r, p)) {
            *found = true;
            return BL_OK;
        }
        /* The header row may use another delimiter than the first line
         * that had one (a title line with a comma). */
        static const char delims[] = {';', ',', '\t'};
        char was = r->delim;
        for (size_t d = 0; d < sizeof delims && !r->too_long && !r->bad_quote; d++) {
            if (bl__ctr_resplit(r, delims[d]) && row_matches(r, p)) {
                *found = true;
                return BL_OK;
            }
        }
        bl__ctr_resplit(r, was);
    }
    return BL_OK;
}

static bl_status need_col(prow *s, const char *name, const char *key, unsigned long line,
                          size_t *out)
{
    *out = find_col(s->r, name, 0);
    char q[64];
    bl__ctr_quote(bl_sv_from(name), q);
    if (*out != BL__CTR_NO_COL) {
        /* A second column of that name (a header on two rows, groups
         * with the same titles): which one is meant cannot be told. */
        size_t again = find_col(s->r, name, *out + 1);
        if (again != BL__CTR_NO_COL)
            return bl__ctr_refuse(s->r, s->r->line, key,
                                  "two columns '%s' in the header row (columns %zu and %zu): "
                                  "which one to read cannot be told (profile %s:%lu)",
                                  q, *out + 1, again + 1, s->p->file, line);
        return BL_OK;
    }
    return bl__ctr_refuse(s->r, s->r->line, key,
                          "no column '%s' in the header row (profile %s:%lu)", q, s->p->file, line);
}

static void label_of(prow *s, size_t k, bl_sv name)
{
    bl__ctr_copy(name, s->labels[k], sizeof s->labels[k]);
}

/* Appends a quoted item to a list in a message: "'Ville', 'Code'"
 * (« Ville », « Code » in French); what does not fit is left out. */
static void list_add(char *list, size_t n, const char *item)
{
    char one[160];
    snprintf(one, sizeof one, _("'%s'"), item);
    size_t used = strlen(list);
    if (used + strlen(one) + 3 < n)
        snprintf(list + used, n - used, "%s%s", used ? ", " : "", one);
}

/* A date with its day ("02/03/2026", "2026-03-02"): three groups of
 * digits and nothing else but their separators. */
static bool is_day(bl_sv s)
{
    int groups = 0;
    bool in = false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c >= '0' && c <= '9') {
            groups += !in;
            in = true;
        } else if (c == '/' || c == '-' || c == '.') {
            in = false;
        } else {
            return false;
        }
    }
    return groups == 3;
}

/* The columns the profile names, from the header row. */
static bl_status resolve(prow *s)
{
    const bl_profile *p = s->p;
    bl__ctr_reader *r = s->r;
    bl_status st;
    s->lib_col = s->time_col = BL__CTR_NO_COL;
    if (p->library && (st = need_col(s, p->library, "library", p->library_line, &s->lib_col)))
        return st;
    if (p->layout == BL_PROF_LONG) {
        const char *tc = p->month ? p->month : p->date;
        if ((st = need_col(s, tc, p->month ? "month" : "date",
                           p->month ? p->month_line : p->date_line, &s->time_col)))
            return st;
        for (size_t k = 0; k < p->nmetrics; k++) {
            if ((st =
                     need_col(s, p->metrics[k].column, "metrics", p->metrics[k].line, &s->cols[k])))
                return st;
            label_of(s, k, bl_sv_from(p->metrics[k].column));
        }
        s->n = p->nmetrics;
        return BL_OK;
    }
    s->n = 0;
    /* A header cell that is neither the library, a month, a `match` cell
     * nor a total is not read: said in a remark, so that a month written
     * in a way bilan does not know ("mars 2026 (*)") is not lost without
     * a word; and days ("02/03/2026") refuse the file, whose months
     * would otherwise be read from the first day of each alone. */
    char ignored[512] = "";
    size_t nignored = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        int mi;
        bl_sv cell = bl_sv_trim(r->fields[i]);
        if (i == s->lib_col || !cell.len)
            continue;
        if (!bl__ctr_month(cell, &mi)) {
            char q[64];
            bl__ctr_quote(cell, q);
            bool dated = bl__ctr_date_month(cell, &mi);
            if (dated && is_day(cell))
                return bl__ctr_refuse(r, r->line, NULL,
                                      "column '%s' is a day, not a month: a profile of layout "
                                      "wide reads one column per month (for daily figures, "
                                      "layout long with `date` sums the days into their month; "
                                      "docs/profiles.md)",
                                      q);
            if (dated)
                return bl__ctr_refuse(r, r->line, NULL,
                                      "column '%s' names a month with something more: it would "
                                      "not be read; write it as the others are (for example "
                                      "'mars 2026') in the export",
                                      q);
            bool matched = bl__ctr_is_trailer(cell) || is_match_col(r, p, i);
            if (!matched)
                list_add(ignored, sizeof ignored, q);
            nignored += !matched;
            continue;
        }
        for (size_t k = 0; k < s->n; k++)
            if (s->months[k] == mi)
                return bl__ctr_refuse(r, r->line, NULL,
                                      "month '%s' has two columns in the header row", s->labels[k]);
        if (s->n == BL_CTR_MAX_MONTHS)
            return bl__ctr_refuse(r, r->line, NULL, "more than %d month columns",
                                  BL_CTR_MAX_MONTHS);
        s->cols[s->n] = i;
        s->months[s->n] = mi;
        label_of(s, s->n, r->fields[i]);
        s->n++;
    }
    if (s->n == 0) {
        /* "Janvier; Février": months without their year. */
        for (size_t i = 0; i < r->nfields; i++) {
            bl_sv cell = bl_sv_trim(r->fields[i]);
            char with_year[96], q[64];
            int mi;
            if (i == s->lib_col || !cell.len || cell.len > 40)
                continue;
            snprintf(with_year, sizeof with_year, "%.*s 2000", (int)cell.len, cell.ptr);
            if (bl__ctr_month(bl_sv_from(with_year), &mi)) {
                bl__ctr_quote(cell, q);
                return bl__ctr_refuse(r, r->line, NULL,
                                      "no month column in the header row (profile %s: layout "
                                      "wide): '%s' is a month without its year; the export must "
                                      "say the year ('%s 2026')",
                                      p->file, q, q);
            }
        }
        return bl__ctr_refuse(r, r->line, NULL,
                              "no month column in the header row (profile %s: layout wide)",
                              p->file);
    }
    /* A remark of the file (line 0: said without -v, and not a line
     * skipped). */
    if (nignored)
        bl__ctr_note(r, 0,
                     bl_trn("header row (line %lu): %zu column not read (neither a month nor the "
                            "library): %s",
                            "header row (line %lu): %zu columns not read (neither months nor the "
                            "library): %s",
                            (unsigned long)nignored),
                     r->line, nignored, ignored);
    return BL_OK;
}

static bl_status begin(prow *s)
{
    bl_file_info info = {
        .path = s->r->path,
        .format = "profile",
        .report_id = s->p->id,
        .family = BL_FAM_PROFILE,
        .period_begin = -1,
        .period_end = -1,
        .resource_id = s->p->resource,
        .network_level = s->p->library == NULL,
    };
    return s->r->sink->begin ? s->r->sink->begin(s->r->sink->ctx, &info) : BL_OK;
}

static bl_status count(prow *s, bl_count_rec *rec)
{
    return s->r->sink->count ? s->r->sink->count(s->r->sink->ctx, rec) : BL_OK;
}

/* "03/16/2026": two numbers and a year with slashes, the first a month
 * (1..12) and the second a day only a month-first order allows (13..31). */
static bool us_date(bl_sv s)
{
    unsigned a = 0, b = 0;
    int na = 0, nb = 0, ny = 0;
    size_t i = 0;
    for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && na < 3; i++, na++)
        a = a * 10 + (unsigned)(s.ptr[i] - '0');
    if (i >= s.len || s.ptr[i++] != '/')
        return false;
    for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && nb < 3; i++, nb++)
        b = b * 10 + (unsigned)(s.ptr[i] - '0');
    if (i >= s.len || s.ptr[i++] != '/')
        return false;
    for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && ny < 5; i++, ny++)
        ;
    return na && nb && ny == 4 && a >= 1 && a <= 12 && b >= 13 && b <= 31;
}

static bl_status data_row(void *ctx)
{
    prow *s = ctx;
    bl__ctr_reader *r = s->r;
    const bl_profile *p = s->p;
    bl_sv lib =
        s->lib_col != BL__CTR_NO_COL ? bl_sv_trim(bl__ctr_cell(r, s->lib_col)) : bl_sv_from("");
    bl_sv first = BL_SV_NULL;
    for (size_t i = 0; i < r->nfields && !first.len; i++)
        first = bl_sv_trim(r->fields[i]);
    if (bl__ctr_is_trailer(first) || bl__ctr_is_trailer(lib)) {
        char q[64];
        bl__ctr_quote(bl__ctr_is_trailer(lib) ? lib : first, q);
        bl__ctr_note(r, r->line, "total row skipped ('%s')", q);
        return BL_OK;
    }
    bl_row_ctx rc = {.institution_id = bl_sv_from(""),
                     .institution_name = lib,
                     .platform = bl_sv_from(p->resource),
                     .database = bl_sv_from(""),
                     .metric = bl_sv_from(""),
                     .month_first = -1,
                     .month_last = -1};
    int month = -1;
    if (p->layout == BL_PROF_LONG) {
        bl_sv t = bl_sv_trim(bl__ctr_cell(r, s->time_col));
        bool ok = p->month ? bl__ctr_month(t, &month) : bl__ctr_date_month(t, &month);
        if (ok)
            rc.month_first = rc.month_last = month;
        r->row = &rc;
        if (!ok && !p->month && us_date(t)) {
            /* 03/16/2026: month first. Its neighbours (03/02/2026) would be
             * read day first, in the wrong months: the file is refused. */
            char q[64];
            bl__ctr_quote(t, q);
            return bl__ctr_refuse(r, r->line, p->date,
                                  "'%s' is month/day/year (US order): bilan reads dates "
                                  "day/month/year, so this file's dates would go to the wrong "
                                  "months; export them as DD/MM/YYYY or YYYY-MM-DD",
                                  q);
        }
        if (!ok) {
            char q[64];
            bl__ctr_quote(t, q);
            const char *col = p->month ? p->month : p->date;
            if (!t.len)
                return bl__ctr_reject(r, col, "empty cell");
            return p->month ? bl__ctr_reject(r, col, "'%s' is not a month", q)
                            : bl__ctr_reject(r, col, "'%s' is not a date", q);
        }
    } else {
        /* The row's span: its columns' months need not be in order. */
        rc.month_first = rc.month_last = s->months[0];
        for (size_t k = 1; k < s->n; k++) {
            if (s->months[k] < rc.month_first)
                rc.month_first = s->months[k];
            if (s->months[k] > rc.month_last)
                rc.month_last = s->months[k];
        }
        r->row = &rc;
    }
    if (p->library && lib.len == 0)
        return bl__ctr_reject(r, p->library, "empty cell: no library named");
    int months[BL_CTR_MAX_MONTHS];
    for (size_t k = 0; k < s->n; k++)
        months[k] = p->layout == BL_PROF_LONG ? month : s->months[k];
    bool ok = false;
    bl_status st = bl__ctr_month_values(r, s->cols, months, s->labels, s->n, BL__CTR_NO_COL, NULL,
                                        s->vals, &ok);
    if (st != BL_OK || !ok)
        return st;
    if ((st = note_repeat(s, lib, p->layout == BL_PROF_LONG ? month : -1)) != BL_OK)
        return st;
    bl_count_rec rec = {.line = r->line,
                        .institution_id = bl_sv_from(""),
                        .institution_name = lib,
                        .platform = bl_sv_from(p->resource),
                        .database = bl_sv_from(""),
                        .title = bl_sv_from(""),
                        .access_method = bl_sv_from("Regular")};
    if (p->layout == BL_PROF_WIDE) {
        rec.metric = bl_sv_from(p->metric);
        return bl__ctr_emit(r, &rec, months, s->vals, s->n);
    }
    for (size_t k = 0; k < s->n && st == BL_OK; k++) {
        if (s->vals[k] <= 0)
            continue;
        rec.metric = bl_sv_from(p->metrics[k].metric);
        rec.month = month;
        rec.value = s->vals[k];
        st = count(s, &rec);
    }
    return st;
}

bl_status bl__profile_read(bl__ctr_reader *r, const bl_profile *p)
{
    prow *s = calloc(1, sizeof *s);
    if (!s)
        return BL_NOMEM;
    s->r = r;
    s->p = p;
    r->french_numbers = true;
    bool found = false;
    bl_status st = bl__profile_find_header(r, p, &found);
    if (st == BL_OK && !found) {
        char cells[256] = "";
        for (size_t i = 0; i < p->nmatch; i++)
            list_add(cells, sizeof cells, p->match[i]);
        /* A workbook whose other sheets may hold the export. */
        char hint[512];
        bl_sheet_others_hint(r->sheet,
                             _("; the workbook has other sheets (%s): name the one to read with "
                               "sheet = NAME in the profile"),
                             hint, sizeof hint);
        st = bl__ctr_refuse(r, 0, NULL,
                            "not an export of profile %s: none of the first %d rows holds the "
                            "cells %s (%s)%s",
                            p->id, BL_PROF_HEADER_ROWS, cells, p->file, hint);
    }
    if (st == BL_OK)
        st = resolve(s);
    if (st == BL_OK)
        st = begin(s);
    /* --library names the library of a COUNTER report without any: a
     * profile says where its libraries are (a column, or none). */
    if (st == BL_OK && r->library[0]) {
        char q[64];
        bl__ctr_quote(bl_sv_from(p->library ? p->library : ""), q);
        if (p->library)
            bl__ctr_note(r, 0,
                         "--library not used: profile %s takes each row's library from "
                         "its column '%s'",
                         p->id, q);
        else
            bl__ctr_note(r, 0,
                         "--library not used: profile %s gives one total for the whole "
                         "network (docs/profiles.md)",
                         p->id);
    }
    if (st == BL_OK)
        st = bl__ctr_each_row(r, data_row, s);
    if (st == BL_OK && s->dups)
        bl__ctr_note(r, 0,
                     "%lu row(s) repeat the library and month of an earlier row (line %lu "
                     "repeats line %lu): their counts are added; if the export lists a row "
                     "twice, correct it and ingest it again",
                     s->dups, s->dup_line, s->dup_first);
    free(s->seen);
    free(s);
    return st;
}

bl_status bl_profile_read(bl_source *src, const char *path, const bl_profile *p,
                          const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    bl__ctr_reader r;
    bl_status st = bl__ctr_reader_init(&r, src, path, opts, sink);
    if (st != BL_OK)
        return st;
    st = bl__profile_read(&r, p);
    bl__ctr_take_errmsg(&r, errmsg);
    bl__ctr_reader_release(&r);
    return st;
}

/* Two profiles match one file: refused, both named (docs/profiles.md). */
static bl_status ambiguous(const char *path, const bl_profile *a, const bl_profile *b,
                           char **errmsg)
{
    *errmsg = bl_strdup_printf(_("%s: the header row fits two profiles, %s and %s (%s, %s): say "
                                 "which with --profile ID, or give one of them a `match` cell "
                                 "the other's exports do not have"),
                               path, a->id, b->id, a->file, b->file);
    return *errmsg ? BL_DATA : BL_NOMEM;
}

bl_status bl__profile_match(const char *path, const bl_ingest_opts *opts, const bl_profile **out,
                            char **errmsg)
{
    *out = NULL;
    for (size_t i = 0; i < opts->nprofiles; i++) {
        bl_source *src = NULL;
        char *err = NULL;
        bl_status st = bl_source_open(path, &src, &err);
        free(err);
        if (st != BL_OK)
            return st;
        bl__ctr_reader r;
        st = bl__ctr_reader_init(&r, src, path, opts, NULL);
        bool found = false;
        if (st == BL_OK) {
            bl_sink quiet = {0};
            r.sink = &quiet;
            st = bl__profile_find_header(&r, &opts->profiles[i], &found);
            bl__ctr_reader_release(&r);
        }
        bl_source_close(src);
        if (st == BL_NOMEM)
            return st;
        if (found && *out)
            return ambiguous(path, *out, &opts->profiles[i], errmsg);
        if (found)
            *out = &opts->profiles[i];
    }
    return BL_OK;
}

bl_status bl__profile_match_sheet(const char *path, const bl_ingest_opts *opts,
                                  const bl_profile **out, char **errmsg)
{
    *out = NULL;
    for (size_t i = 0; i < opts->nprofiles; i++) {
        bl_sheet *sh = NULL;
        char *err = NULL;
        bl_status st = bl_sheet_open(path, opts->profiles[i].sheet, &sh, &err);
        free(err);
        if (st == BL_NOMEM)
            return st;
        if (st != BL_OK)
            continue; /* no such sheet, or unreadable: said when read */
        bl__ctr_reader r;
        bl_sink quiet = {0};
        bool found = false;
        st = bl__ctr_reader_init_sheet(&r, sh, path, opts, &quiet);
        if (st == BL_OK) {
            st = bl__profile_find_header(&r, &opts->profiles[i], &found);
            bl__ctr_reader_release(&r);
        }
        bl_sheet_close(sh);
        if (st == BL_NOMEM)
            return st;
        if (found && *out)
            return ambiguous(path, *out, &opts->profiles[i], errmsg);
        if (found)
            *out = &opts->profiles[i];
    }
    return BL_OK;
}

bl_status bl__profile_read_sheet(const char *path, const bl_profile *p, const bl_ingest_opts *opts,
                                 const bl_sink *sink, char **errmsg)
{
    bl_sheet *sh = NULL;
    bl_status st = bl_sheet_open(path, p->sheet, &sh, errmsg);
    if (st != BL_OK) {
        if (st == BL_DATA && sink->diag) {
            /* The diagnostic names the file already. */
            const char *reason =
                *errmsg ? bl_after_path(*errmsg, path) : _("unreadable spreadsheet");
            bl_diag d = {BL_DIAG_FILE, path, 0, NULL, reason, NULL};
            sink->diag(sink->ctx, &d);
        }
        return st;
    }
    bl__ctr_reader r;
    st = bl__ctr_reader_init_sheet(&r, sh, path, opts, sink);
    if (st == BL_OK) {
        st = bl__profile_read(&r, p);
        bl__ctr_take_errmsg(&r, errmsg);
        bl__ctr_reader_release(&r);
    }
    bl_sheet_close(sh);
    return st;
}
