/* COUNTER Release 5 and 5.1 tabular reports (PR, DR, TR, IR and their
 * standard views), CSV or TSV, read as a stream: the header block until the
 * blank row, the heading row (columns found by name, months by their label),
 * then one count record per non-empty month cell. The months are the data:
 * Reporting_Period_Total only cross-checks them (a row whose months do not
 * add up to it is rejected), and a Reporting_Period that disagrees with the
 * month columns is only noted.
 */
#include "bilan/i18n.h"
#include "counter_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_COL BL__CTR_NO_COL

typedef struct r5_header {
    char report_name[BL_CTR_VALUE_MAX];
    char report_id[32];
    char release[32];
    char inst_name[BL_CTR_VALUE_MAX];
    char inst_id[BL_CTR_VALUE_MAX];
    char period[128];
    char created[64];
    char created_by[BL_CTR_VALUE_MAX];
    char attributes[BL_CTR_VALUE_MAX];
    bool has_release, has_period;
    unsigned long period_line;
    int keys;
} r5_header;

typedef struct r5_cols {
    size_t platform, database, title, item, metric, access_method, inst_name, inst_id, total;
    char total_label[24];
    int month_first, month_last; /* span of the month columns */
    size_t nmonths;
    size_t month_col[BL_CTR_MAX_MONTHS];
    int month_mi[BL_CTR_MAX_MONTHS];
    char month_label[BL_CTR_MAX_MONTHS][24];
} r5_cols;

typedef struct r5_state {
    bl__ctr_reader r;
    r5_header h;
    r5_cols c;
    bl_report_family family;
    size_t ident;                      /* the column that names what is counted */
    const char *ident_name;            /* its heading, for messages */
    char created[BL_CTR_CREATED_SIZE]; /* normalised Created, "" if unreadable */
    int64_t vals[BL_CTR_MAX_MONTHS];
    bl__ctr_plan plan; /* the month columns, for the reading thread */
    /* The last row's Metric_Type and Access_Method and what they read as
     * (rows repeat a few of them). */
    char memo_metric[64], memo_am[32];
    size_t memo_metric_len, memo_am_len; /* (size_t)-1: none */
    bool memo_total;
    const char *memo_canon;
    int memo_am_kind; /* 0: as written, 1: Regular, 2: TDM */
} r5_state;

/* Metric_Type: "Total" (a trailer row) and its canonical spelling. */
static bool metric_of(r5_state *s, bl_sv metric, const char **canon)
{
    if (metric.len == s->memo_metric_len && memcmp(metric.ptr, s->memo_metric, metric.len) == 0) {
        *canon = s->memo_canon;
        return s->memo_total;
    }
    bool total = bl__ctr_norm_eq(metric, "total");
    *canon = bl__ctr_metric(metric);
    if (metric.len <= sizeof s->memo_metric) {
        memcpy(s->memo_metric, metric.ptr, metric.len);
        s->memo_metric_len = metric.len, s->memo_total = total, s->memo_canon = *canon;
    }
    return total;
}

/* Access_Method as stored: empty and any spelling of regular are Regular,
 * tdm is TDM, anything else as written. */
static bl_sv access_of(r5_state *s, bl_sv am)
{
    int kind;
    if (am.len == s->memo_am_len && memcmp(am.ptr, s->memo_am, am.len) == 0) {
        kind = s->memo_am_kind;
    } else {
        kind = am.len == 0 || bl__ctr_norm_eq(am, "regular") ? 1
               : bl__ctr_norm_eq(am, "tdm")                  ? 2
                                                             : 0;
        if (am.len <= sizeof s->memo_am) {
            memcpy(s->memo_am, am.ptr, am.len);
            s->memo_am_len = am.len, s->memo_am_kind = kind;
        }
    }
    static const bl_sv regular = {"Regular", 7}, tdm = {"TDM", 3};
    return kind == 1 ? regular : kind == 2 ? tdm : am;
}

/* Header keys, normalised, and where their value goes. */
static char *header_slot(r5_header *h, bl_sv key, size_t *size)
{
    char k[48];
    if (key.len > 40)
        return NULL;
    bl__ctr_norm(key, k, sizeof k);
#define SLOT(name, field)        \
    if (strcmp(k, name) == 0) {  \
        *size = sizeof h->field; \
        return h->field;         \
    }
    SLOT("reportname", report_name)
    SLOT("reportid", report_id)
    SLOT("release", release)
    SLOT("institutionname", inst_name)
    SLOT("institutionid", inst_id)
    SLOT("reportingperiod", period)
    SLOT("created", created)
    SLOT("createdby", created_by)
    SLOT("reportattributes", attributes)
#undef SLOT
    return NULL;
}

static bool is_other_header_key(bl_sv key)
{
    static const char *const keys[] = {"metrictypes", "reportfilters", "exceptions",
                                       "registryrecord", "customerid"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (bl__ctr_norm_eq(key, keys[i]))
            return true;
    return false;
}

/* Report_ID from Report_Name, for providers who leave Report_ID out. */
static const char *id_from_name(const char *name)
{
    static const struct {
        const char *norm, *id;
    } names[] = {
        {"platformmasterreport", "PR"},
        {"platformreport", "PR"},
        {"platformusage", "PR_P1"},
        {"databasemasterreport", "DR"},
        {"databasereport", "DR"},
        {"databasesearchanditemusage", "DR_D1"},
        {"databaseaccessdenied", "DR_D2"},
        {"titlemasterreport", "TR"},
        {"titlereport", "TR"},
        {"bookrequests", "TR_B1"},
        {"bookaccessdenied", "TR_B2"},
        {"bookusagebyaccesstype", "TR_B3"},
        {"journalrequestsbyyop", "TR_J4"},
        {"journalrequests", "TR_J1"},
        {"journalaccessdenied", "TR_J2"},
        {"journalusagebyaccesstype", "TR_J3"},
        {"itemmasterreport", "IR"},
        {"itemreport", "IR"},
        {"journalarticlerequests", "IR_A1"},
        {"multimediaitemrequests", "IR_M1"},
    };
    char n[BL_CTR_VALUE_MAX];
    bl__ctr_norm(bl_sv_from(name), n, sizeof n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(n, names[i].norm, strlen(names[i].norm)) == 0)
            return names[i].id;
    return NULL;
}

/* True when the heading is written the COUNTER way, Mmm-yyyy. */
static bool canonical_month_label(bl_sv s)
{
    if (s.len != 8 || s.ptr[3] != '-')
        return false;
    for (int i = 4; i < 8; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

static bool row_has_metric_heading(const bl__ctr_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (bl__ctr_norm_eq(r->fields[i], "metrictype"))
            return true;
    return false;
}

/* True for a normalised heading that names one of the columns read (they may
 * sit among the months in odd layouts, e.g. Reporting_Period_Total last). */
static bool header_is_column(const char *k)
{
    static const char *const known[] = {
        "platform",     "database",        "title",         "item",       "metrictype",
        "accessmethod", "institutionname", "institutionid", "customerid", "reportingperiodtotal",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(k, known[i]) == 0)
            return true;
    return false;
}

/* Long on purpose (~130 lines): one pass over the column headings, where
 * each heading either names a known column, is a month, or is the anchor
 * of the layout; the checks that relate columns (months contiguous, the
 * required ones present) must see them all, so they stay together. */
static bl_status read_heading(r5_state *s)
{
    bl__ctr_reader *r = &s->r;
    r5_cols *c = &s->c;
    r5_header *h = &s->h;
    c->platform = c->database = c->title = c->item = c->metric = NO_COL;
    c->access_method = c->inst_name = c->inst_id = c->total = NO_COL;
    size_t customer_id = NO_COL, first_month = NO_COL, anchor = NO_COL;
    const char *odd_label = NULL;
    char odd[24] = "";
    for (size_t i = 0; i < r->nfields; i++) {
        bl_sv f = r->fields[i];
        char k[48];
        if (f.len == 0)
            continue;
        bl__ctr_norm(f, k, sizeof k);
        size_t *slot = NULL;
        if (strcmp(k, "platform") == 0)
            slot = &c->platform;
        else if (strcmp(k, "database") == 0)
            slot = &c->database;
        else if (strcmp(k, "title") == 0)
            slot = &c->title;
        else if (strcmp(k, "item") == 0)
            slot = &c->item;
        else if (strcmp(k, "metrictype") == 0)
            slot = &c->metric;
        else if (strcmp(k, "accessmethod") == 0)
            slot = &c->access_method;
        else if (strcmp(k, "institutionname") == 0)
            slot = &c->inst_name;
        else if (strcmp(k, "institutionid") == 0)
            slot = &c->inst_id;
        else if (strcmp(k, "customerid") == 0)
            slot = &customer_id;
        else if (strcmp(k, "reportingperiodtotal") == 0)
            slot = &c->total;
        if (slot) {
            if (*slot == NO_COL)
                *slot = i;
            if (slot == &c->metric || slot == &c->total)
                anchor = i; /* the month columns follow these */
            continue;
        }
        int mi;
        if (bl__ctr_month(f, &mi)) {
            char label[24];
            bl__ctr_copy(f, label, sizeof label);
            for (size_t k2 = 0; k2 < c->nmonths; k2++) {
                if (c->month_mi[k2] == mi)
                    return bl__ctr_refuse(r, r->line, label, "month heading repeated (also '%s')",
                                          c->month_label[k2]);
            }
            if (c->nmonths == BL_CTR_MAX_MONTHS)
                return bl__ctr_refuse(r, r->line, NULL, "more than %d month columns",
                                      BL_CTR_MAX_MONTHS);
            if (!canonical_month_label(f) && !odd_label) {
                bl__ctr_copy(f, odd, sizeof odd);
                odd_label = odd;
            }
            if (first_month == NO_COL)
                first_month = i;
            c->month_col[c->nmonths] = i;
            c->month_mi[c->nmonths] = mi;
            memcpy(c->month_label[c->nmonths], label, sizeof label);
            c->nmonths++;
        }
    }
    /* The month area runs from the month columns' first heading (right after
     * Metric_Type / Reporting_Period_Total, or the first month read) to the
     * end of the row: a heading there that is not a month refuses the file,
     * rather than its counts being dropped unseen. */
    bl_status area = bl__ctr_check_month_area(r, first_month, anchor, header_is_column, 40);
    if (area != BL_OK)
        return area;
    if (c->total != NO_COL)
        bl__ctr_copy(bl__ctr_cell(r, c->total), c->total_label, sizeof c->total_label);
    if (c->inst_id == NO_COL)
        c->inst_id = customer_id;
    if (c->metric == NO_COL) {
        char q[64];
        bl__ctr_quote(bl__ctr_cell(r, 0), q);
        return bl__ctr_refuse(r, r->line, NULL,
                              "no Metric_Type column in the heading row (first cell '%s')", q);
    }
    /* What each report type counts. */
    switch (s->family) {
    case BL_FAM_PR:
        s->ident = c->platform, s->ident_name = "Platform";
        break;
    case BL_FAM_DR:
        s->ident = c->database, s->ident_name = "Database";
        break;
    case BL_FAM_TR:
        s->ident = c->title, s->ident_name = "Title";
        break;
    default:
        if (c->item != NO_COL)
            s->ident = c->item, s->ident_name = "Item";
        else
            s->ident = c->title, s->ident_name = "Title";
        break;
    }
    if (s->ident == NO_COL)
        return bl__ctr_refuse(r, r->line, NULL, "no %s column in the heading row of a %s report",
                              s->ident_name, h->report_id);
    if (c->nmonths == 0) {
        if (strstr(h->attributes, "Exclude_Monthly_Details"))
            return bl__ctr_refuse(r, r->line, NULL,
                                  "no month columns (made with Exclude_Monthly_Details): bilan "
                                  "needs monthly counts; ask the provider for the report with "
                                  "monthly details");
        return bl__ctr_refuse(r, r->line, NULL,
                              "no month columns: bilan needs monthly counts; ask the provider "
                              "for the report with monthly details");
    }
    c->month_first = c->month_last = c->month_mi[0];
    for (size_t k = 1; k < c->nmonths; k++) {
        if (c->month_mi[k] < c->month_first)
            c->month_first = c->month_mi[k];
        if (c->month_mi[k] > c->month_last)
            c->month_last = c->month_mi[k];
    }
    int pb = -1, pe = -1;
    if (h->has_period && bl__ctr_dates(bl_sv_from(h->period), &pb, &pe) < 2)
        pb = pe = -1;
    bl__ctr_period_note(r, "Reporting_Period", pb, pe, c->month_first, c->month_last);
    if (odd_label) {
        char m[8];
        bl_month_format(c->month_mi[0], m);
        bl__ctr_note(r, r->line,
                     "month headings not in COUNTER's Mmm-yyyy form ('%s'...): first one read "
                     "as %s",
                     odd_label, m);
    }
    return BL_OK;
}

static bl_status begin(r5_state *s)
{
    r5_header *h = &s->h;
    r5_cols *c = &s->c;
    if (!bl__ctr_created(bl_sv_from(h->created), s->created))
        s->created[0] = '\0';
    bl_file_info info = {
        .path = s->r.path,
        .format = "counter5",
        .report_id = h->report_id,
        .family = s->family,
        .release = bl__ctr_release(h->release),
        .created_by = h->created_by[0] ? h->created_by : NULL,
        .institution_id = h->inst_id[0]     ? h->inst_id
                          : h->inst_name[0] ? NULL
                                            : bl__ctr_library(&s->r),
        .institution_name = h->inst_name[0] ? h->inst_name : NULL,
        .period_begin = c->month_first, /* the month columns decide */
        .period_end = c->month_last,
        .created = s->created[0] ? s->created : NULL,
    };
    if (!s->r.sink->begin)
        return BL_OK;
    return s->r.sink->begin(s->r.sink->ctx, &info);
}

/* Checks the header once the heading row is reached. */
static bl_status check_header(r5_state *s)
{
    r5_header *h = &s->h;
    bl__ctr_reader *r = &s->r;
    if (!h->report_id[0]) {
        const char *id = id_from_name(h->report_name);
        if (!id)
            return bl__ctr_refuse(r, 0, "Report_ID",
                                  "no Report_ID in the header and Report_Name '%.60s' is not "
                                  "a COUNTER report name",
                                  h->report_name);
        snprintf(h->report_id, sizeof h->report_id, "%s", id);
    }
    if (!bl__ctr_family(h->report_id, &s->family))
        return bl__ctr_refuse(r, 0, "Report_ID",
                              "'%s' is not a COUNTER R5 report (expected PR, DR, TR, IR or one "
                              "of their standard views)",
                              h->report_id);
    if (!h->has_release) {
        snprintf(h->release, sizeof h->release, "5");
        bl__ctr_note(r, 0, "no Release in the header: read as Release 5");
    } else if (!bl__ctr_release(h->release)) {
        return bl__ctr_refuse(r, 0, "Release",
                              "'%.20s' is not a release this reader knows (5 or 5.1)", h->release);
    }
    return BL_OK;
}

static bl_sv col(const r5_state *s, size_t i)
{
    return i == NO_COL ? (bl_sv){"", 0} : bl__ctr_cell(&s->r, i);
}

static bl_status data_row(r5_state *s)
{
    bl__ctr_reader *r = &s->r;
    r5_cols *c = &s->c;
    bl_sv ident = col(s, s->ident), metric = col(s, c->metric);
    bl_sv first = BL_SV_NULL;
    for (size_t i = 0; i < r->nfields && !first.len; i++)
        first = r->fields[i];
    const char *canon;
    bool metric_total = metric_of(s, metric, &canon);
    if (bl__ctr_is_trailer(first) || bl__ctr_is_trailer(ident) || metric_total) {
        char q[64];
        bl__ctr_quote(bl__ctr_is_trailer(first) || bl__ctr_is_trailer(ident) ? first : metric, q);
        bl__ctr_note(r, r->line, "total row skipped ('%s')", q);
        return BL_OK;
    }
    bl_sv metric_sv = canon ? bl_sv_from(canon) : metric;
    bl_row_ctx ctx = {
        .institution_id = col(s, c->inst_id),
        .institution_name = col(s, c->inst_name),
        .platform = col(s, c->platform),
        .database = s->family == BL_FAM_DR ? col(s, c->database) : bl_sv_from(""),
        .metric = metric_sv,
        .month_first = c->month_first,
        .month_last = c->month_last,
    };
    r->row = &ctx;
    if (ident.len == 0)
        return bl__ctr_reject(r, s->ident_name, "empty cell");
    if (metric.len == 0)
        return bl__ctr_reject(r, "Metric_Type", "empty cell");
    bl_sv am = access_of(s, col(s, c->access_method));
    /* Validate the whole row before emitting anything from it (the reading
     * thread did for plain counts). */
    const uint64_t *pre = NULL;
    size_t npre = 0;
    if (!bl__ctr_pre_counts(r, &pre, &npre)) {
        bool ok;
        bl_status vst = bl__ctr_month_values(r, c->month_col, c->month_mi, c->month_label,
                                             c->nmonths, c->total, c->total_label, s->vals, &ok);
        if (!ok)
            return vst;
    }
    bl_count_rec rec = {
        .line = r->line,
        .institution_id = col(s, c->inst_id),
        .institution_name = col(s, c->inst_name),
        .platform = col(s, c->platform),
        .database = s->family == BL_FAM_DR ? col(s, c->database) : BL_SV_NULL,
        .title = (s->family == BL_FAM_TR || s->family == BL_FAM_IR) ? ident : BL_SV_NULL,
        .access_method = am,
        .metric = metric_sv,
    };
    if (pre)
        return npre ? bl__ctr_emit_pre(r, &rec, c->month_mi, pre, npre)
                    : bl__ctr_emit_zero(r, &rec, c->month_mi, c->nmonths);
    return bl__ctr_emit(r, &rec, c->month_mi, s->vals, c->nmonths);
}

static bl_status source_failed(r5_state *s, bl_status st)
{
    return bl__ctr_source_failed(&s->r, st);
}

static bl_status data_row_cb(void *s)
{
    return data_row(s);
}

/* The report read from a byte source or, when sheet is not NULL, from a
 * spreadsheet's rows: the same logic for both. */
static bl_status read_r5(bl_source *src, struct bl_sheet *sheet, const char *path,
                         const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    r5_state *s = calloc(1, sizeof *s);
    if (!s)
        return BL_NOMEM;
    bl__ctr_reader *r = &s->r;
    bl_status st = sheet ? bl__ctr_reader_init_sheet(r, sheet, path, opts, sink)
                         : bl__ctr_reader_init(r, src, path, opts, sink);
    if (st != BL_OK) {
        free(s);
        return st;
    }
    bool eof = false, blank_seen = false;
    s->memo_metric_len = s->memo_am_len = (size_t)-1;

    /* The header block, until the blank row (or, when a provider left the
     * blank row out, until a row with a Metric_Type cell). */
    for (;;) {
        st = bl__ctr_next(r, &eof);
        if (st != BL_OK) {
            st = source_failed(s, st);
            goto out;
        }
        if (eof) {
            st = s->h.keys ? bl__ctr_refuse(r, 0, NULL, "no heading row after the header")
                           : bl__ctr_refuse(r, 0, NULL, "empty file");
            goto out;
        }
        if (r->too_long) {
            st = bl__ctr_refuse(r, r->line, NULL, "line longer than %s bytes in the header",
                                BL_NUM(BL_CTR_LINE_CAP));
            goto out;
        }
        if (r->bad_quote) {
            st = bl__ctr_refuse(r, r->line, NULL, "quoted cell not closed in the header");
            goto out;
        }
        if (bl__ctr_blank(r)) {
            if (s->h.keys)
                blank_seen = true;
            continue;
        }
        bl_sv key = r->fields[0];
        const char *headerless = s->h.keys == 0 && !bl__ctr_norm_eq(key, "reportname")
                                     ? bl__ctr_headerless_r5(r->fields, r->nfields)
                                     : NULL;
        if (headerless) {
            /* A table without its header block (copied out of a spreadsheet,
             * or so exported): the report type from its columns, the
             * institution from --library or none. */
            snprintf(s->h.report_id, sizeof s->h.report_id, "%s", headerless);
            snprintf(s->h.release, sizeof s->h.release, "5");
            s->h.has_release = true;
            if (bl__ctr_library(r))
                bl__ctr_note(r, 0,
                             "no header block: read as a COUNTER R5 %s from its columns, "
                             "institution %s",
                             headerless, bl__ctr_library(r) + strlen(BL_LIBRARY_INSTITUTION));
            else
                bl__ctr_note(r, 0,
                             "no header block: read as a COUNTER R5 %s from its columns, "
                             "institution from the rows or none (--library ID names it)",
                             headerless);
            break;
        }
        if (s->h.keys == 0 && !bl__ctr_norm_eq(key, "reportname")) {
            char q[64];
            bl__ctr_quote(key, q);
            st = bl__ctr_refuse(r, r->line, NULL,
                                "not a COUNTER R5 report: first cell is '%s', expected "
                                "Report_Name",
                                q);
            goto out;
        }
        /* A heading row without the blank row before it may start with
         * Institution_Name, a header key too: Metric_Type tells them apart. */
        if (s->h.keys && row_has_metric_heading(r))
            break;
        size_t size = 0;
        char *slot = blank_seen ? NULL : header_slot(&s->h, key, &size);
        if (slot) {
            /* Values are cell B; with a semicolon delimiter, "Begin_Date=...;
             * End_Date=..." arrives split over several cells: join them. */
            bl_buf v = BL_BUF_INIT(size - 1);
            for (size_t i = 1; i < r->nfields; i++) {
                if (r->fields[i].len == 0)
                    continue;
                if ((v.len && bl_buf_puts(&v, "; ") != BL_OK) ||
                    bl_buf_append(&v, r->fields[i].ptr, r->fields[i].len) != BL_OK)
                    break; /* over the slot's size: keep what fits */
            }
            bl__ctr_copy((bl_sv){v.data ? v.data : "", v.len}, slot, size);
            bl_buf_release(&v);
            s->h.keys++;
            if (bl__ctr_norm_eq(key, "release"))
                s->h.has_release = true;
            if (bl__ctr_norm_eq(key, "reportingperiod"))
                s->h.has_period = true, s->h.period_line = r->line;
            continue;
        }
        if (!blank_seen && is_other_header_key(key)) {
            s->h.keys++;
            continue;
        }
        if (!blank_seen) {
            char q[64];
            bl__ctr_quote(key, q);
            bl__ctr_note(r, r->line, "unknown header row '%s' ignored", q);
            continue;
        }
        break; /* the heading row */
    }
    if ((st = check_header(s)) != BL_OK)
        goto out;
    if ((st = read_heading(s)) != BL_OK)
        goto out;
    if ((st = begin(s)) != BL_OK)
        goto out;

    s->plan = (bl__ctr_plan){s->c.month_col, s->c.month_mi, s->c.nmonths, s->c.total};
    bl__ctr_set_plan(r, &s->plan);
    st = bl__ctr_each_row(r, data_row_cb, s);
out:
    if (st != BL_OK)
        bl__ctr_take_errmsg(r, errmsg);
    bl__ctr_reader_release(r);
    free(s);
    return st;
}

bl_status bl_counter5_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg)
{
    return read_r5(src, NULL, path, opts, sink, errmsg);
}

bl_status bl__counter5_read_sheet(struct bl_sheet *sheet, const char *path,
                                  const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg)
{
    return read_r5(NULL, sheet, path, opts, sink, errmsg);
}
