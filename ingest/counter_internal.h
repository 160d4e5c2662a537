/* Internal interface shared by the COUNTER readers (counter5.c, counter4.c):
 * a streaming record reader over a bl_source (BOM, CRLF/CR/LF, quoted cells,
 * Windows-1252 fallback, bounded line length), the cell splitter, heading
 * normalisation, month-heading parsing, metric names, trailer detection and
 * the diagnostics plumbing (row rejections, file refusals, notes).
 */
#ifndef BILAN_COUNTER_INTERNAL_H
#define BILAN_COUNTER_INTERNAL_H

#include "ingest_internal.h"

struct bl_sheet; /* sheet.h: a spreadsheet read row by row */

/* A record (one CSV/TSV row) may not exceed this many bytes: a longer one is
 * a row diagnostic (or a file refusal in the header), never an allocation. */
#define BL_CTR_LINE_CAP (256u * 1024u)
/* Cells per row beyond this are ignored (an IR has ~40 columns). */
#define BL_CTR_MAX_FIELDS 1024
/* A quoted cell may span at most this many physical lines. */
#define BL_CTR_MAX_RECORD_LINES 8
/* Month columns per report (20 years). */
#define BL_CTR_MAX_MONTHS 240
/* Longest header value kept (Institution_Name, Created_By...). */
#define BL_CTR_VALUE_MAX 256

typedef struct bl__ctr_reader {
    bl_source *src;
    const char *path;
    const bl_sink *sink;
    bool strict;

    char *chunk; /* read buffer */
    size_t chunk_len, chunk_pos;
    bool eof;
    bool started;    /* BOM checked */
    bool pending_cr; /* last record ended on CR: a following LF belongs to it */

    bl_buf rec;       /* raw bytes of the current record */
    bl_buf conv;      /* its UTF-8 conversion when it was Windows-1252 */
    const char *view; /* the current record in chunk when read whole, else NULL */
    size_t view_len;
    const char *text; /* the record split: view's, rec's or conv's bytes */
    size_t text_len;
    char *cells; /* unquoted cell text; fields point here */
    size_t cells_alloc;
    bl_sv *fields;
    size_t nfields;

    unsigned long next_line; /* physical line the next record starts on */
    unsigned long line;      /* physical line the current record started on */
    char delim;              /* 0 until seen: '\t', ';' or ',' */
    bool too_long;           /* current record exceeded BL_CTR_LINE_CAP */
    bool bad_quote;          /* a quoted cell ran over BL_CTR_MAX_RECORD_LINES */
    bool cp1252;             /* current record was converted from Windows-1252 */
    bool any_cp1252;

    unsigned long rows_rejected;
    /* The names of the row being read, set by the row callback once known:
     * every BL_DIAG_ROW carries it (NULL: the row could not be read). */
    const bl_row_ctx *row;
    char *errmsg; /* set by bl__ctr_refuse */
    int now_mi;   /* the current month (UTC): later ones are in the future */
    /* A French export (vendor profiles): a comma is a decimal mark, so
     * "1,500" is one and a half, not a count (COUNTER reports, in English,
     * may write 1,500 for a thousand and a half). */
    bool french_numbers;

    /* Records read from a spreadsheet instead of src (bl__ctr_reader_init_sheet):
     * a row is a record, line its row number. Borrowed. */
    struct bl_sheet *sheet;
    /* --library: the institution of a report that names none, as
     * BL_LIBRARY_INSTITUTION "ID" ("" when not given). */
    char library[96];
    unsigned long sheet_prev; /* number of the last row handed out */
    bool sheet_held;          /* a row is held back behind a blank one */
    bool row_errored;         /* the current row was rejected for a formula error */

    /* The month columns of the data rows (bl__ctr_set_plan), or NULL: the
     * reading thread then reads their counts ahead (bl__ctr_pre_counts). */
    const struct bl__ctr_plan *plan;
    const uint64_t *pre; /* the current record's counts read ahead, or NULL */
    size_t npre;
    bool padded; /* the cells are in a batch (eight bytes readable after each) */
    uint64_t pre_own[BL_CTR_MAX_MONTHS]; /* counts read by this thread */
} bl__ctr_reader;

/* The month columns of a report's data rows, as bl__ctr_month_values takes
 * them (the arrays are borrowed and must not change while rows are read). */
typedef struct bl__ctr_plan {
    const size_t *cols;
    const int *months;
    size_t n;
    size_t total_col; /* BL__CTR_NO_COL: none */
} bl__ctr_plan;

/* Tests: what the reading thread of a big CSV/TSV does with a batch's
 * records after the first two. AUTO (the default): it splits them only
 * while the consumer holds every other batch; COPY: never; SPLIT: always;
 * PREP: always, reading their counts ahead too. The same records, counts
 * and rejections either way. Not thread-safe: call before reading. */
enum { BL_CTR_WORK_AUTO, BL_CTR_WORK_COPY, BL_CTR_WORK_SPLIT, BL_CTR_WORK_PREP };
void bl__ctr_work(int mode);

bl_status bl__ctr_reader_init(bl__ctr_reader *r, bl_source *src, const char *path,
                              const bl_ingest_opts *opts, const bl_sink *sink);
/* The same reader over a spreadsheet's rows (ingest/sheet.h): bl__ctr_next,
 * bl__ctr_cell, r->fields / r->nfields and r->line work as for CSV/TSV, line
 * being the spreadsheet's row number; rows the sheet leaves out read as one
 * blank row (a header block's separator). The sheet is borrowed: the caller
 * closes it after bl__ctr_reader_release. */
bl_status bl__ctr_reader_init_sheet(bl__ctr_reader *r, struct bl_sheet *sheet, const char *path,
                                    const bl_ingest_opts *opts, const bl_sink *sink);
void bl__ctr_reader_release(bl__ctr_reader *r);
/* The COUNTER R5 and R4 readers over a spreadsheet's rows (the sheet is
 * borrowed; same results and diagnostics as bl_counter5_read / 4_read). */
bl_status bl__counter5_read_sheet(struct bl_sheet *sheet, const char *path,
                                  const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg);
bl_status bl__counter4_read_sheet(struct bl_sheet *sheet, const char *path,
                                  const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg);
/* The institution a report that names none is given (--library), or NULL. */
const char *bl__ctr_library(const bl__ctr_reader *r);
/* The COUNTER R5 report id ("PR", "DR", "TR", "IR") a heading row's columns
 * say (Item, Title, Database, Platform, with Metric_Type), for a table
 * without its header block; NULL when they say none. */
const char *bl__ctr_headerless_r5(const bl_sv *cells, size_t n);
/* The COUNTER R4 report id a heading row's columns say, for a table without
 * its seven header rows: Journal -> JR1 (JR2 with an access-denied
 * category), Database with User Activity -> DB1 (DB2 with a denial
 * category), Platform with User Activity -> PR1, Collection -> MR1; with a
 * Reporting Period Total or month columns, and no Metric_Type. Book
 * reports are not told apart (BR1 counts titles, BR2 sections): false. */
bool bl__ctr_headerless_r4(const bl_sv *cells, size_t n, char id[16]);
/* True when cell i of the current record is a spreadsheet's formula error
 * (#DIV/0!, #REF!...); never for CSV/TSV. */
bool bl__ctr_cell_error(const bl__ctr_reader *r, size_t i);
/* Reads and splits the next record. BL_OK with *eof false: r->fields holds
 * the cells (unless r->too_long or r->bad_quote: then nfields is 0).
 * BL_OK with *eof true at the end. BL_DATA/BL_IO when the source fails (the
 * caller refuses the file with bl_source_errmsg). */
bl_status bl__ctr_next(bl__ctr_reader *r, bool *eof);
/* True when every cell of the current record is empty. */
bool bl__ctr_blank(const bl__ctr_reader *r);

/* Reads the current row's month cells (cols[k], headed labels[k], for month
 * index months[k]) into vals, an empty cell being 0, and checks them: a cell
 * that is not a whole count, a count above BL_COUNT_MAX, or a positive count
 * for a month that has not begun (today, UTC) rejects the row. When
 * total_col is not (size_t)-1 and its cell (headed total_label) is not
 * empty, it must be a count equal to the sum of the months. *ok is false
 * when the row was rejected; the status is the rejection's (BL_DATA only in
 * strict mode). */
bl_status bl__ctr_month_values(bl__ctr_reader *r, const size_t *cols, const int *months,
                               char (*labels)[24], size_t n, size_t total_col,
                               const char *total_label, int64_t *vals, bool *ok);

/* Sends a validated row to the sink: one count per month with a positive
 * value (an empty or zero month is no usage), rec's other fields as given. */
bl_status bl__ctr_emit(bl__ctr_reader *r, bl_count_rec *rec, const int *months, const int64_t *vals,
                       size_t n);

/* Set before bl__ctr_each_row: the reading thread reads the month cells of
 * every record as plain counts while it splits it (what the other thread
 * would otherwise read from the cells it wrote). */
void bl__ctr_set_plan(bl__ctr_reader *r, const bl__ctr_plan *plan);
/* True when the current record's month cells (and total) were read as
 * plain counts (ahead by the reading thread, else here when the record is
 * in a batch) and need no check: every month cell empty or at most nine digits, no
 * positive count in a month that has not begun, the total cell empty or
 * nine digits equal to their sum: exactly the rows bl__ctr_month_values
 * accepts on its plain path. Then *pre holds the positive counts in column
 * order, each (k << 32) | value, k the month's index in the plan; else the
 * row goes through bl__ctr_month_values (and its diagnostics). */
bool bl__ctr_pre_counts(bl__ctr_reader *r, const uint64_t **pre, size_t *n);
/* A row without a positive count (of its n months): one count of 0 for its
 * first month, that the store may know the row's 0s (nothing when n is 0).
 * bl__ctr_emit does it for such a row. */
bl_status bl__ctr_emit_zero(bl__ctr_reader *r, bl_count_rec *rec, const int *months, size_t n);
/* bl__ctr_emit for counts read ahead (n > 0). */
bl_status bl__ctr_emit_pre(bl__ctr_reader *r, bl_count_rec *rec, const int *months,
                           const uint64_t *pre, size_t n);

/* Turns a failed read of the source into a refusal naming the file (BL_IO
 * and BL_NOMEM stay what they are). */
bl_status bl__ctr_source_failed(bl__ctr_reader *r, bl_status st);

/* Reads the data rows to the end of the file: over-long lines and runaway
 * quotes are rejected rows, blank rows are skipped, every other row goes to
 * row(ctx), which reads it from r (r->fields, r->nfields, r->line and the
 * diagnostics functions only: from a CSV/TSV the records are read and split
 * by a second thread that owns the rest of r until this returns). */
bl_status bl__ctr_each_row(bl__ctr_reader *r, bl_status (*row)(void *ctx), void *ctx);
/* Cell i of the current record, or an empty view past the end. */
bl_sv bl__ctr_cell(const bl__ctr_reader *r, size_t i);

/* Refuses the file: BL_DIAG_FILE to the sink, r->errmsg = "PATH: [line N: ]
 * [FIELD: ]REASON". Returns BL_DATA. line 0: not about a line.
 * These three take an English format literal and translate it themselves
 * (bilan/i18n.h; scripts/update-po lists them): a reason is in the user's
 * language when it is produced, and so it is stored (rejects table). */
bl_status bl__ctr_refuse(bl__ctr_reader *r, unsigned long line, const char *field, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));
/* Rejects the current row: BL_DIAG_ROW. Returns BL_OK to go on, or BL_DATA
 * after a file refusal when the reader is strict. */
bl_status bl__ctr_reject(bl__ctr_reader *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An informative note about the current row (BL_DIAG_NOTE). */
void bl__ctr_note(bl__ctr_reader *r, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hands the reader's errmsg to the caller (NULL-safe). */
void bl__ctr_take_errmsg(bl__ctr_reader *r, char **errmsg);
/* Splits the current record again with another delimiter, which the
 * following records keep (the delimiter is guessed from the first record
 * that has one, which may be a title line: "Export Kiosque, 2026" above a
 * header row separated by ';'). False for a spreadsheet or the same
 * delimiter. */
bool bl__ctr_resplit(bl__ctr_reader *r, char delim);
/* Rejects the row for a count in a month not begun yet, naming the month
 * (in a profile's long layout the column is the indicator's, not the
 * month's). */
bl_status bl__ctr_future(bl__ctr_reader *r, const char *field, int month);

/* Lowercase ASCII letters and digits of s, everything else dropped, into out
 * (NUL-terminated, truncated): "Reporting_ Period_Total" -> "reportingperiodtotal". */
void bl__ctr_norm(bl_sv s, char *out, size_t n);
bool bl__ctr_norm_eq(bl_sv s, const char *normalised);
/* As bl__ctr_norm, accented Latin letters folded to their base letter
 * first ("Bibliothèque" -> "bibliotheque", "Nb. prêts" -> "nbprets", "œ"
 * -> "oe"): how profiles compare column names. */
void bl__ctr_fold_norm(bl_sv s, char *out, size_t n);
/* Copies s into out (NUL-terminated, truncated at a UTF-8 boundary). */
void bl__ctr_copy(bl_sv s, char *out, size_t n);
/* A short printable quote of a cell for messages (at most ~40 bytes). */
void bl__ctr_quote(bl_sv s, char out[64]);

/* Parses a month heading: "Jan-2022", "Jan 2022", "January 2022", "Jan-22",
 * "22-Jan", "2022-01", "2022-01-01", "01/2022", "1/1/2022", "janv.-22".
 * False when s is not a month. */
bool bl__ctr_month(bl_sv s, int *mi);
/* The month of a date of any day, French order for slashes ("15/10/2026",
 * "2026-10-15", "2026-10-15 08:00", "oct. 2026" too): for `date` columns
 * summed into months. False when s is not a date. */
bool bl__ctr_date_month(bl_sv s, int *mi);
/* Finds the first two dates (YYYY-MM-DD or YYYY-MM) in s: the period
 * "Begin_Date=2022-01-01; End_Date=2022-12-31" or "2022-01-01 to 2022-12-31".
 * Returns how many were found (0..2); months as indexes, day of the first. */
int bl__ctr_dates(bl_sv s, int *mi1, int *mi2);
/* The family of an R5 report id: "PR", "DR", "TR", "IR" or one of their
 * views ("TR_J1"). False for anything else. */
bool bl__ctr_family(const char *id, bl_report_family *fam);
/* "5", "5.0", "5.0.2", "R5" -> 5; "5.1", "5.1.0" -> 51; else 0. */
int bl__ctr_release(const char *s);
/* The canonical R5 metric name for s (case, spaces and underscores
 * ignored), or NULL when s is not a standard R5 metric. */
const char *bl__ctr_metric(bl_sv s);
/* As bl__ctr_metric, and bilan's own metrics (bl_extra_metrics: Loans,
 * Plays...): what a resource's headline, a forfait or a profile may count. */
const char *bl__ctr_usage_metric(bl_sv s);
/* True for a trailer/total row's label: "Total", "All Platforms", "Total for
 * all journals", "Total searches"... but not a title such as "Total Quality". */
bool bl__ctr_is_trailer(bl_sv s);

/* Size of a normalised Created date, "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define BL_CTR_CREATED_SIZE 21
/* Normalises a Created / Date run value ("2025-04-03", "2025-04-03T08:00:00Z",
 * "2025-04-03 08:00", "2025-04-03T10:00:00+02:00", fractions of a second
 * dropped) to UTC "YYYY-MM-DDTHH:MM:SSZ", midnight when only a date is
 * given. False when s is not such a date. */
bool bl__ctr_created(bl_sv s, char out[BL_CTR_CREATED_SIZE]);
/* A spreadsheet column name for a 0-based index: 0 -> "A", 27 -> "AB". */
void bl__ctr_col_name(size_t i, char out[16]);
/* A column not found in the heading row. */
#define BL__CTR_NO_COL ((size_t)-1)

/* Refuses the file because heading cell i of the current (heading) row lies
 * among the month columns but is not a month: names the heading, its column
 * letter and number. Returns BL_DATA. */
bl_status bl__ctr_refuse_heading(bl__ctr_reader *r, size_t i);
/* The month area of the heading row runs from right after `anchor` (the
 * last fixed column before the months, BL__CTR_NO_COL when none) or from the first
 * month read (first_month), whichever comes first, to the end of the row:
 * a heading there that is neither empty, a month, nor a known fixed column
 * (is_fixed on its normalised form, headings up to fixed_max bytes) refuses
 * the file (bl__ctr_refuse_heading), rather than its counts being dropped
 * unseen. BL_OK otherwise. */
bl_status bl__ctr_check_month_area(bl__ctr_reader *r, size_t first_month, size_t anchor,
                                   bool (*is_fixed)(const char *k), size_t fixed_max);
/* A note (line 0) when the period the header states (what, hb..he, month
 * indexes, -1 when unknown) is not the span of the month columns (cb..ce):
 * the month columns decide, the header never refuses the file. */
void bl__ctr_period_note(bl__ctr_reader *r, const char *what, int hb, int he, int cb, int ce);

/* The current month (UTC) as a month index: usage cannot be counted for a
 * month that has not begun. */
int bl__ctr_current_month(void);

/* Splits the first line of head into cells (for sniffing); returns the
 * number of cells found, at most max. buf receives the cell text. */
size_t bl__ctr_split_line(const char *head, size_t n, char *buf, size_t bufn, bl_sv *cells,
                          size_t max, size_t *consumed);
/* Parses an R4 report name from cell A1 ("Journal Report 1 (R4)") into a
 * report id ("JR1", "JR1a", "JR1_GOA", "BR2", "DB1", "PR1", "MR1"...).
 * False when A1 is not an R4 report name. */
bool bl__ctr_r4_report_id(bl_sv a1, char id[16]);

#endif
