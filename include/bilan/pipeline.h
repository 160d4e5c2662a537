/* bilan — pipeline layer: the use cases that wire the layers together:
 * importing the network (ingest -> store), ingesting a file (ingest -> aggregate -> store), and on
 * the read side the report models (bilan/model.h) and forfait statuses (bilan/forfait.h) built from
 * the store's read queries (bilan/store_queries.h) and the pure rules of the aggregate layer. The
 * environment is read by cli/ and passed down; nothing here prints.
 *
 * Ownership: arguments are borrowed; what a function returns through an
 * out-parameter is the caller's, released with the function named.
 * Failures leave their detail in bl_store_errmsg.
 */
#ifndef BILAN_PIPELINE_H
#define BILAN_PIPELINE_H

#include "bilan/aggregate.h"
#include "bilan/common.h"
#include "bilan/forfait.h"
#include "bilan/ingest.h"
#include "bilan/model.h"
#include "bilan/period.h"
#include "bilan/store.h"
#include "bilan/store_queries.h"

/* ---- network reference data (DESIGN §3) ------------------------------------ */

typedef struct bl_import_counts {
    int partners, libraries, resources, forfaits, sushi;
    int profiles; /* profiles/ *.ini (docs/profiles.md) */
    char *notes;  /* columns not read, a line each, or NULL: the caller frees it */
} bl_import_counts;

/* Imports partners.csv, libraries.csv, resources.csv (and forfaits.csv when
 * present) from dir, replacing the network in one transaction, and
 * re-attributes the COUNTER usage already stored. On failure the store is
 * unchanged and err holds the reason (1024 bytes hold what bilan prints):
 * BL_DATA with "FILE:LINE:COLUMN: reason" on the first bad cell (see
 * bl_network_read), BL_NOINPUT when a required file is missing, or the
 * store's status and message. */
bl_status bl_network_import(bl_store *st, const char *dir, bl_import_counts *counts, char *err,
                            size_t errlen);

/* ---- seeing the network (pipeline/network_show.c) ------------------------------------ */

/* The columns of bl_network_show's rows: the store's (bl_store_network_columns;
 * for profiles without their text, plus "layout" and "match": the header
 * cells the profile recognises, joined by " | ") and "problems". NULL for an
 * unknown list. */
const char *const *bl_network_show_columns(bl_net_list which);
/* Every item of a list, sorted by id, with the months it has usage in and
 * its problems ("" when none; several joined by "; "): a partner without
 * library, a library without alias nor IP range or whose range overlaps
 * another library's, a resource without COUNTER name nor URL pattern, a
 * SUSHI endpoint whose last harvest was refused for its credentials or
 * settings, a profile that no longer reads. *nproblems (may be NULL) is increased by the items with
 * a problem. */
bl_status bl_network_show(bl_store *st, bl_net_list which, bl_net_row_fn fn, void *ctx,
                          long *nproblems);

/* ---- ingesting a file (pipeline/ingest.c) -------------------------------------- */

typedef struct bl_ingest_result {
    bool duplicate; /* same content already ingested: nothing done */
    long long source_id;
    char format[32];
    char report_id[32];
    long rows_accepted; /* records (cells) stored */
    long rows_zero;     /* of them: rows without a positive count, stored as one 0 each */
    long rows_rejected;
    long rows_unattributed; /* records with no library or no resource */
    long lines_skipped;     /* trailer/total rows and such, noted */
    long replaced_sources;  /* earlier sources whose cells this one restated */
    long replaced_rows;     /* their usage rows no longer counted */
    long superseded_rows;   /* rows of this file not counted: a later report holds them */
    long kept_rows;         /* earlier rows kept because this file's rows were rejected */
    long out_of_order;      /* logs: lines outside the reordering window */
    bl_log_stats log;       /* logs only */
    long long duplicate_of; /* with duplicate: the source already holding this content */
    /* with duplicate: the file of the same command with the same bytes,
     * given before (the same file twice, or a copy), or NULL */
    const char *repeat_of;
    int period_begin, period_end;
    size_t files; /* the files read as this source: 1, or a --one-source set's */
    /* Libraries this file counts twice with another file because the two
     * write their names differently (bl_store_double_counts; vendor
     * exports only): borrowed, valid during the done callback of
     * bl_pipeline_ingest_files only (bl_pipeline_ingest gives none). */
    const bl_double_count *doubles;
    size_t ndoubles;
} bl_ingest_result;

/* Ingests one file into the store, in one transaction: all of it or nothing.
 * The ingest layer reads it (format detected from its bytes), the aggregate
 * layer attributes and counts it in memory, the store writes it. provider
 * may be NULL (taken from the file). BL_DATA when the file is refused whole
 * (message in bl_store_errmsg, store unchanged). */
bl_status bl_pipeline_ingest(bl_store *st, const char *path, const char *provider,
                             const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                             bl_ingest_result *res);

/* What became of one file of bl_pipeline_ingest_files: index is its place
 * in paths; rc as bl_pipeline_ingest returns (the message, when not BL_OK,
 * in bl_store_errmsg until the next call on the store). */
typedef void (*bl_ingest_done_fn)(void *ctx, size_t index, const char *path, bl_status rc,
                                  const bl_ingest_result *res);

/* Ingests several files, each in its own transaction, as bl_pipeline_ingest
 * does one. Access logs are taken in time order (by their first line; other
 * files keep their places) and the COUNTER rules' state goes on from one
 * log to the next, so that logs that follow each other in time count as
 * their concatenation (docs/logs.md, "Several files in one command"); a log
 * is stored once the next one can no longer change its counts, so done may
 * come for a log after the next file was read. diag_ctx[i] (diag_ctx may
 * be NULL) is the diag context of paths[i]. Returns the first failing
 * file's status, or BL_OK; done is called once per file, in the order the
 * files are stored. */
bl_status bl_pipeline_ingest_files(bl_store *st, const char *const *paths, size_t n,
                                   const char *provider, const bl_ingest_opts *opts,
                                   bl_diag_fn diag, void *const *diag_ctx, bl_ingest_done_fn done,
                                   void *done_ctx);

/* `bilan ingest --one-source`: the access logs paths[0..n), of one format,
 * read in time order (by their first line) as one stream and stored as one
 * source, in one transaction (docs/logs.md, "One source for a month's
 * files"): the same counts as their concatenation. A line rejected is said
 * with its own file and line. The set is refused whole, before anything is
 * read, when a file is missing (BL_NOINPUT), given twice (BL_USAGE) or not a
 * log of the first file's format (BL_DATA); and as a file would be once
 * read. done is called once, with index 0 and the first file in time
 * order, which is the source's path (res->files = n). */
bl_status bl_pipeline_ingest_set(bl_store *st, const char *const *paths, size_t n,
                                 const char *provider, const bl_ingest_opts *opts, bl_diag_fn diag,
                                 void *diag_ctx, bl_ingest_done_fn done, void *done_ctx);

/* ---- report models (pipeline/model.c) ------------------------------------------------ */

/* Builds the models of a partner report (mensuel or semestriel): one per
 * partner, sorted by partner id, or only partner_id's when not NULL (the
 * store is read in one pass, which matters for 300 partners). BL_NOTFOUND
 * when partner_id does not exist (message in bl_store_errmsg).
 * generated_days: the generation date, "today" (days since 1970): the
 * models are marked provisional when the period is not over then. Free the
 * list with bl_model_list_free. */
bl_status bl_model_build_partners(bl_store *st, bl_report_kind kind, const bl_period *p,
                                  const char *partner_id, int64_t generated_days, bl_model ***out,
                                  size_t *n);
/* Builds the model of a network report (annuel or reseau). Free it with
 * bl_model_free. */
bl_status bl_model_build_network(bl_store *st, bl_report_kind kind, const bl_period *p,
                                 int64_t generated_days, bl_model **out);

/* out[i]: whether a network report says resource_id has data for month
 * first + i (a report covering it, months of 0 included, or a row:
 * docs/trust.md, "Whose data is missing"); the forfaits' months with data. */
bl_status bl_model_months_with_data(bl_store *st, const char *resource_id, int first, int last,
                                    bool *out);

typedef bl_status (*bl_gap_fn)(void *ctx, const char *resource_id, const char *resource_name,
                               int month);
/* For each resource fed by reports (bl_store_report_resources), the months
 * of [first, last] a network report says have no data (the rule of
 * bl_model_library_gaps: docs/trust.md, "Whose data is missing"). By
 * resource id, then month. */
bl_status bl_model_gaps(bl_store *st, int first, int last, bl_gap_fn fn, void *ctx);

/* Why a month is partial (bl_model_library_gaps). */
typedef enum bl_gap_why {
    BL_GAP_WHY_MISSING,     /* the library's own report is missing */
    BL_GAP_WHY_EARLY,       /* a report made before the month was over (a part of it) */
    BL_GAP_WHY_REJECTED,    /* a rejected row held the library's figure */
    BL_GAP_WHY_UNATTRIBUTED /* every row about every library names none of the network's */
} bl_gap_why;
typedef bl_status (*bl_library_gap_fn)(void *ctx, const char *resource_id,
                                       const char *resource_name, int month, const char *library_id,
                                       const char *library_name, bl_gap_why why);
/* The months of [first, last] that reports mark partial (docs/trust.md,
 * "Whose data is missing"), each with why and whose: a library that sends
 * its own reports of a resource lacks that month's while other libraries'
 * are in (MISSING); a report made before the month was over, once it is
 * (EARLY: the library whose own report it is, else "" for a report about
 * every library); a rejected row's figure (REJECTED, its library); usage
 * no library was found for (UNATTRIBUTED, library ""). Each month is judged
 * in the 24-month window ending with it, or with the last month of its
 * stretch of 24, as a report of that month would; this_month (the month of
 * "today") and later are not over. By month, then resource. */
bl_status bl_model_library_gaps(bl_store *st, int first, int last, int this_month,
                                bl_library_gap_fn fn, void *ctx);

/* ---- forfaits (pipeline/forfait.c) ---------------------------------------------------- */

/* Computes the status of every forfait in the store at the date y-m-d,
 * sorted by forfait id. *out is a malloc'd array of *n entries (NULL and 0
 * when there are no forfaits); free it with bl_forfait_status_free.
 * BL_USAGE when the date is not a real date; BL_IO / BL_INTERNAL on a store
 * error (detail in bl_store_errmsg); BL_NOMEM. Nothing is returned on failure. */
bl_status bl_forfait_status_all(bl_store *st, int y, int m, int d, bl_forfait_status **out,
                                size_t *n);

/* ---- SUSHI harvest (pipeline/harvest.c, docs/sushi.md) ---------------------------------- */

/* What one GET got (the cli wires deliver/'s HTTP client in). body is
 * borrowed until the next call. st: BL_OK when a response arrived,
 * BL_TEMPFAIL when the connection failed or was dropped, BL_DATA when the
 * body was over the size cap, BL_USAGE for a refused URL. */
typedef struct bl_fetch_result {
    bl_status st;
    long status, retry_after;
    const char *body;
    size_t len;
    const char *error; /* why no response; never holds the URL */
} bl_fetch_result;
typedef void (*bl_fetch_fn)(void *ctx, const char *url, bl_fetch_result *out);
/* Resolves a secret's reference ("env:NAME", "file:/PATH") into out; false
 * with the reason in why (which never holds the secret). */
typedef bool (*bl_secret_fn)(void *ctx, const char *ref, char *out, size_t n, char *why,
                             size_t whyn);
/* Told after each request of a month (row as recorded) and for messages
 * about an endpoint (row NULL). */
typedef void (*bl_harvest_event_fn)(void *ctx, const bl_harvest_row *row, const char *msg);

typedef struct bl_harvest_opts {
    int from, to;                  /* month indexes; -1, -1: the default window */
    const char *endpoint, *report; /* only these when not NULL */
    int today_month;               /* the current month: the last complete one is before it */
    const char *raw_dir;           /* where raw responses are kept (created) */
    long pause_ms;                 /* between two requests to one server */
    long backoff_ms;               /* first wait on 1011 / 1010 / 1000, doubled each time */
    long max_wait_ms;              /* a longer wait is left to the next run */
    int max_tries;                 /* requests of one month in one run */
    size_t max_bytes;              /* response size cap */
    bl_fetch_fn fetch;
    void *fetch_ctx;
    bl_secret_fn secret;
    void *secret_ctx;
    bl_harvest_event_fn event;
    void *event_ctx;
    bl_diag_fn diag; /* the ingest's diagnostics (rows rejected) */
    void *diag_ctx;
} bl_harvest_opts;

typedef struct bl_harvest_summary {
    int requests, months, ok, no_usage, retry_later, credentials, config;
} bl_harvest_summary;

/* Harvests every endpoint of sushi.csv (or opts->endpoint), report by
 * report and month by month, one request at a time; each response is kept
 * compressed under raw_dir and ingested as a file (bl_pipeline_ingest), and
 * the harvest table says what each month got. BL_OK even when months
 * failed (the summary counts them); another status only when the store
 * fails (message in bl_store_errmsg) or an endpoint/report filter names
 * nothing (BL_NOTFOUND). */
bl_status bl_harvest(bl_store *st, const bl_harvest_opts *o, bl_harvest_summary *sum);

#endif
