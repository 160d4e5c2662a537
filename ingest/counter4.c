/* COUNTER Release 4 reports (JR1, JR1a, JR1 GOA, JR2, BR1, BR2, BR3, DB1,
 * DB2, PR1, MR1), CSV or TSV: the seven-row header (A1 report name, A2
 * customer, A3 institutional identifier, period, date run), the heading row
 * (row 8 by the Code of Practice), "Total for all ..." rows skipped, and R4
 * measures mapped to R5 metric names as COUNTER's R4 -> R5 transition table
 * does (Code of Practice R5, appendix B.1), so R4 and R5 history line up.
 * A row whose months do not add up to its Reporting Period Total is
 * rejected; a "Period covered" that disagrees with the month columns is
 * only noted (the month columns decide).
 */
#include "counter_internal.h"

#include "bilan/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_COL BL__CTR_NO_COL
/* Rows searched for the heading row before the file is refused. */
#define R4_MAX_HEADER_ROWS 30

typedef enum measure_kind {
    M_FIXED,   /* one metric for every row */
    M_DENIAL,  /* the category column says Limit_Exceeded or No_License */
    M_ACTIVITY /* the User Activity column: searches, clicks, views */
} measure_kind;

static const struct r4_report {
    const char *id;
    bl_report_family family;
    measure_kind kind;
    const char *metric;     /* M_FIXED */
    const char *ident_name; /* what column A names, for messages */
} r4_reports[] = {
    {"JR1", BL_FAM_R4_TITLE, M_FIXED, "Total_Item_Requests", "Journal"},
    {"JR1a", BL_FAM_R4_TITLE, M_FIXED, "Total_Item_Requests", "Journal"},
    {"JR1_GOA", BL_FAM_R4_TITLE, M_FIXED, "Total_Item_Requests", "Journal"},
    {"JR2", BL_FAM_R4_TITLE, M_DENIAL, NULL, "Journal"},
    /* BR1 counts whole titles: COUNTER equates it with Unique_Title_Requests. */
    {"BR1", BL_FAM_R4_TITLE, M_FIXED, "Unique_Title_Requests", "Title"},
    {"BR2", BL_FAM_R4_TITLE, M_FIXED, "Total_Item_Requests", "Title"},
    {"BR3", BL_FAM_R4_TITLE, M_DENIAL, NULL, "Title"},
    {"DB1", BL_FAM_R4_DB, M_ACTIVITY, NULL, "Database"},
    {"DB2", BL_FAM_R4_DB, M_DENIAL, NULL, "Database"},
    {"PR1", BL_FAM_R4_PR, M_ACTIVITY, NULL, "Platform"},
    {"MR1", BL_FAM_R4_ITEM, M_FIXED, "Total_Item_Requests", "Collection"},
};

typedef struct r4_state {
    bl__ctr_reader r;
    const struct r4_report *rep;
    char report_id[16];
    char customer[BL_CTR_VALUE_MAX];
    char inst_id[BL_CTR_VALUE_MAX];
    char created[BL_CTR_CREATED_SIZE]; /* normalised run date, "" if unreadable */
    int period_begin, period_end;      /* "Period covered", -1 if unknown */
    int month_first, month_last;       /* span of the month columns */
    size_t platform, category, total;
    char total_label[24];
    size_t nmonths;
    size_t month_col[BL_CTR_MAX_MONTHS];
    int month_mi[BL_CTR_MAX_MONTHS];
    char month_label[BL_CTR_MAX_MONTHS][24];
    int64_t vals[BL_CTR_MAX_MONTHS];
} r4_state;

static bool contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* Maps a denial category ("Access denied: concurrent/simultaneous user
 * licence limit exceeded", "Access denied: content item not licenced"). */
static const char *denial_metric(bl_sv cat)
{
    char n[160];
    bl__ctr_norm(cat, n, sizeof n);
    if (contains(n, "limitexceeded") || contains(n, "concurrent") || contains(n, "simultaneous") ||
        contains(n, "turnaway"))
        return "Limit_Exceeded";
    if (contains(n, "notlicen") || contains(n, "nolicen"))
        return "No_License";
    return NULL;
}

/* Maps DB1/PR1 User Activity. R4 "Regular Searches" are Searches_Regular at
 * database level and Searches_Platform at platform level; the merged R4
 * "Searches-federated and automated" goes to Searches_Federated unless it
 * names automated searches alone. */
static const char *activity_metric(bl_sv act, bool platform_level)
{
    char n[160];
    bl__ctr_norm(act, n, sizeof n);
    if (contains(n, "regularsearch") || strcmp(n, "searches") == 0 ||
        strcmp(n, "searchesregular") == 0)
        return platform_level ? "Searches_Platform" : "Searches_Regular";
    if (contains(n, "federated"))
        return "Searches_Federated";
    if (contains(n, "automated"))
        return "Searches_Automated";
    if (contains(n, "resultclick") || contains(n, "recordview"))
        return "Total_Item_Investigations";
    return NULL;
}

static bool is_heading_row(const bl__ctr_reader *r)
{
    int months = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        int mi;
        if (bl__ctr_norm_eq(r->fields[i], "reportingperiodtotal"))
            return true;
        if (bl__ctr_month(r->fields[i], &mi))
            months++;
    }
    return months >= 2;
}

/* True for a normalised heading that may stand just before (or, in odd
 * layouts, among) the month columns: the category columns and the
 * "Reporting Period Total / HTML / PDF" columns. */
static bool is_category_heading(const char *k)
{
    return strcmp(k, "useractivity") == 0 || strncmp(k, "accessdenied", 12) == 0 ||
           strcmp(k, "category") == 0;
}

static bool is_fixed_before_months(const char *k)
{
    return strncmp(k, "reportingperiod", 15) == 0 || is_category_heading(k) ||
           strcmp(k, "platform") == 0;
}

static bl_status read_heading(r4_state *s)
{
    bl__ctr_reader *r = &s->r;
    s->platform = s->category = s->total = NO_COL;
    size_t first_month = NO_COL, anchor = NO_COL;
    for (size_t i = 0; i < r->nfields; i++) {
        bl_sv f = r->fields[i];
        char k[64];
        int mi;
        if (f.len == 0 || f.len > 60)
            continue;
        bl__ctr_norm(f, k, sizeof k);
        if (strncmp(k, "reportingperiod", 15) == 0 || is_category_heading(k))
            anchor = i; /* the month columns follow these */
        if (strcmp(k, "platform") == 0) {
            if (s->platform == NO_COL)
                s->platform = i;
        } else if (is_category_heading(k)) {
            if (s->category == NO_COL && i > 0)
                s->category = i;
        } else if (strcmp(k, "reportingperiodtotal") == 0) {
            if (s->total == NO_COL)
                s->total = i;
        } else if (bl__ctr_month(f, &mi)) {
            for (size_t k2 = 0; k2 < s->nmonths; k2++)
                if (s->month_mi[k2] == mi)
                    return bl__ctr_refuse(r, r->line, s->month_label[k2], "month heading repeated");
            if (s->nmonths == BL_CTR_MAX_MONTHS)
                return bl__ctr_refuse(r, r->line, NULL, "more than %d month columns",
                                      BL_CTR_MAX_MONTHS);
            if (first_month == NO_COL)
                first_month = i;
            s->month_col[s->nmonths] = i;
            s->month_mi[s->nmonths] = mi;
            bl__ctr_copy(f, s->month_label[s->nmonths], sizeof s->month_label[0]);
            s->nmonths++;
        }
    }
    /* The month area: from right after Reporting Period Total (or the last
     * of the "Reporting Period ..." and category columns), or from the first
     * month read, to the end of the row. A heading there that is not a month
     * refuses the file, rather than its counts being dropped unseen. */
    bl_status area = bl__ctr_check_month_area(r, first_month, anchor, is_fixed_before_months, 60);
    if (area != BL_OK)
        return area;
    if (s->total != NO_COL)
        bl__ctr_copy(bl__ctr_cell(r, s->total), s->total_label, sizeof s->total_label);
    if (s->nmonths == 0)
        return bl__ctr_refuse(r, r->line, NULL,
                              "no month columns in the heading row: bilan needs monthly counts");
    if (s->rep->kind != M_FIXED && s->category == NO_COL)
        return bl__ctr_refuse(r, r->line, NULL, "no %s column in the heading row of a %s report",
                              s->rep->kind == M_DENIAL ? "Access Denied Category" : "User Activity",
                              s->report_id);
    if (s->rep->family == BL_FAM_R4_PR)
        s->platform = 0;
    s->month_first = s->month_last = s->month_mi[0];
    for (size_t k = 1; k < s->nmonths; k++) {
        if (s->month_mi[k] < s->month_first)
            s->month_first = s->month_mi[k];
        if (s->month_mi[k] > s->month_last)
            s->month_last = s->month_mi[k];
    }
    bl__ctr_period_note(r, _("the period covered by the report"), s->period_begin, s->period_end,
                        s->month_first, s->month_last);
    return BL_OK;
}

static bl_sv col(const r4_state *s, size_t i)
{
    return i == NO_COL ? (bl_sv){"", 0} : bl__ctr_cell(&s->r, i);
}

static bl_status data_row(r4_state *s)
{
    bl__ctr_reader *r = &s->r;
    bl_sv ident = bl__ctr_cell(r, 0);
    bl_sv first = BL_SV_NULL;
    for (size_t i = 0; i < r->nfields && !first.len; i++)
        first = r->fields[i];
    if (bl__ctr_is_trailer(first)) {
        char q[64];
        bl__ctr_quote(first, q);
        bl__ctr_note(r, r->line, "total row skipped ('%s')", q);
        return BL_OK;
    }
    bl_report_family fam = s->rep->family;
    const char *metric = s->rep->metric;
    if (s->rep->kind != M_FIXED) {
        bl_sv cat = col(s, s->category);
        metric = s->rep->kind == M_DENIAL ? denial_metric(cat)
                                          : activity_metric(cat, s->rep->family == BL_FAM_R4_PR);
    }
    bl_row_ctx ctx = {
        .institution_id = bl_sv_from(""), /* R4 rows name none: the header's */
        .institution_name = bl_sv_from(""),
        .platform = col(s, s->platform),
        .database = (fam == BL_FAM_R4_DB || fam == BL_FAM_R4_ITEM) ? ident : bl_sv_from(""),
        .metric = bl_sv_from(metric ? metric : ""), /* empty: every metric of the row */
        .month_first = s->month_first,
        .month_last = s->month_last,
    };
    r->row = &ctx;
    if (ident.len == 0)
        return bl__ctr_reject(r, s->rep->ident_name, "empty cell");
    if (s->rep->kind != M_FIXED) {
        bl_sv cat = col(s, s->category);
        if (!metric) {
            char q[64];
            bl__ctr_quote(cat, q);
            if (s->rep->kind == M_DENIAL)
                return bl__ctr_reject(r, "Access Denied Category",
                                      "'%s' is not an R4 denial category this reader knows", q);
            return bl__ctr_reject(r, "User Activity",
                                  "'%s' is not an R4 user activity this reader knows", q);
        }
    }
    bool ok;
    bl_status vst = bl__ctr_month_values(r, s->month_col, s->month_mi, s->month_label, s->nmonths,
                                         s->total, s->total_label, s->vals, &ok);
    if (!ok)
        return vst;
    bl_count_rec rec = {
        .line = r->line,
        .platform = col(s, s->platform),
        .database = (fam == BL_FAM_R4_DB || fam == BL_FAM_R4_ITEM) ? ident : BL_SV_NULL,
        .title = fam == BL_FAM_R4_TITLE ? ident : BL_SV_NULL,
        .access_method = bl_sv_from("Regular"),
        .metric = bl_sv_from(metric),
    };
    return bl__ctr_emit(r, &rec, s->month_mi, s->vals, s->nmonths);
}

static bl_status source_failed(r4_state *s, bl_status st)
{
    return bl__ctr_source_failed(&s->r, st);
}

static bl_status data_row_cb(void *s)
{
    return data_row(s);
}

/* Reads the header rows up to and including the heading row. */
static bl_status read_header(r4_state *s)
{
    bl__ctr_reader *r = &s->r;
    bool eof = false, next_is_date_run = false;
    for (int row = 1;; row++) {
        bl_status st = bl__ctr_next(r, &eof);
        if (st != BL_OK)
            return source_failed(s, st);
        if (eof && row == 1)
            return bl__ctr_refuse(r, 0, NULL, "empty file");
        if (eof)
            return bl__ctr_refuse(r, 0, NULL, "no heading row (with month columns)");
        if (r->too_long)
            return bl__ctr_refuse(r, r->line, NULL, "line longer than %s bytes in the header",
                                  BL_NUM(BL_CTR_LINE_CAP));
        if (row > R4_MAX_HEADER_ROWS)
            return bl__ctr_refuse(r, 0, NULL, "no heading row in the first %d rows",
                                  R4_MAX_HEADER_ROWS);
        bl_sv a = bl__ctr_cell(r, 0);
        if (row == 1 && !bl__ctr_r4_report_id(a, s->report_id) &&
            bl__ctr_headerless_r4(r->fields, r->nfields, s->report_id)) {
            /* A table without its header rows: the report from its
             * columns, the institution from --library or none. */
            for (size_t i = 0; i < sizeof r4_reports / sizeof r4_reports[0]; i++)
                if (strcmp(r4_reports[i].id, s->report_id) == 0)
                    s->rep = &r4_reports[i];
            const char *lib = bl__ctr_library(r);
            if (lib)
                bl__ctr_note(r, 0,
                             "no header block: read as a COUNTER R4 %s from its columns, "
                             "institution %s",
                             s->report_id, lib + strlen(BL_LIBRARY_INSTITUTION));
            else
                bl__ctr_note(r, 0,
                             "no header block: read as a COUNTER R4 %s from its columns, "
                             "institution from the rows or none (--library ID names it)",
                             s->report_id);
            return read_heading(s);
        }
        if (row == 1) {
            char q[64];
            bl__ctr_quote(a, q);
            if (!bl__ctr_r4_report_id(a, s->report_id))
                return bl__ctr_refuse(r, r->line, NULL,
                                      "cell A1 '%s' is not a COUNTER R4 report name (such as "
                                      "'Journal Report 1 (R4)')",
                                      q);
            for (size_t i = 0; i < sizeof r4_reports / sizeof r4_reports[0]; i++)
                if (strcmp(r4_reports[i].id, s->report_id) == 0)
                    s->rep = &r4_reports[i];
            if (!s->rep)
                return bl__ctr_refuse(r, r->line, NULL,
                                      "R4 report %s ('%s') is not supported: bilan reads JR1, "
                                      "JR1a, JR1 GOA, JR2, BR1, BR2, BR3, DB1, DB2, PR1, MR1",
                                      s->report_id, q);
            continue;
        }
        if (row == 2)
            bl__ctr_copy(a, s->customer, sizeof s->customer);
        else if (row == 3)
            bl__ctr_copy(a, s->inst_id, sizeof s->inst_id);
        if (row >= 3 && is_heading_row(r))
            return read_heading(s);
        /* "Date run:" in A, the date below it (the Code of Practice) or,
         * in some files, beside it. */
        bl_sv run = BL_SV_NULL;
        if (next_is_date_run && a.len)
            run = a;
        next_is_date_run = bl__ctr_norm_eq(a, "daterun");
        if (next_is_date_run && bl__ctr_cell(r, 1).len) {
            run = bl__ctr_cell(r, 1);
            next_is_date_run = false;
        }
        if (run.len && !bl__ctr_created(run, s->created))
            s->created[0] = '\0';
        for (size_t i = 0; i < r->nfields && s->period_begin < 0; i++) {
            int b, e;
            if (r->fields[i].len < 60 && bl__ctr_dates(r->fields[i], &b, &e) == 2 && b <= e)
                s->period_begin = b, s->period_end = e;
        }
    }
}

/* The report read from a byte source or, when sheet is not NULL, from a
 * spreadsheet's rows: the same logic for both. */
static bl_status read_r4(bl_source *src, struct bl_sheet *sheet, const char *path,
                         const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    r4_state *s = calloc(1, sizeof *s);
    if (!s)
        return BL_NOMEM;
    bl__ctr_reader *r = &s->r;
    bl_status st = sheet ? bl__ctr_reader_init_sheet(r, sheet, path, opts, sink)
                         : bl__ctr_reader_init(r, src, path, opts, sink);
    if (st != BL_OK) {
        free(s);
        return st;
    }
    s->period_begin = s->period_end = -1;
    if ((st = read_header(s)) != BL_OK)
        goto out;
    bl_file_info info = {
        .path = path,
        .format = "counter4",
        .report_id = s->report_id,
        .family = s->rep->family,
        .release = 4,
        .created_by = NULL,
        .institution_id = s->inst_id[0]    ? s->inst_id
                          : s->customer[0] ? NULL
                                           : bl__ctr_library(r),
        .institution_name = s->customer[0] ? s->customer : NULL,
        .period_begin = s->month_first, /* the month columns decide */
        .period_end = s->month_last,
        .created = s->created[0] ? s->created : NULL,
    };
    if (sink->begin && (st = sink->begin(sink->ctx, &info)) != BL_OK)
        goto out;
    st = bl__ctr_each_row(r, data_row_cb, s);
out:
    if (st != BL_OK)
        bl__ctr_take_errmsg(r, errmsg);
    bl__ctr_reader_release(r);
    free(s);
    return st;
}

bl_status bl_counter4_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg)
{
    return read_r4(src, NULL, path, opts, sink, errmsg);
}

bl_status bl__counter4_read_sheet(struct bl_sheet *sheet, const char *path,
                                  const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    return read_r4(NULL, sheet, path, opts, sink, errmsg);
}
