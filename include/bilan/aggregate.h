/* bilan — aggregate layer: the counting rules, in memory only. Nothing here
 * opens a file or a database: the store loads what the rules need (name
 * maps, the network as the log rules see it) into the plain values below,
 * the rules count, and the store writes what they counted by walking it
 * with the iterators below. Rules emit cells through a callback
 * (bl_cell_fn), so nothing calls back up.
 *
 * Ownership: arguments are borrowed; objects made by bl_*_new / *_open
 * belong to the caller and are freed with their *_free (which accept NULL).
 * Strings passed to iterator callbacks are valid during the call only.
 */
#ifndef BILAN_AGGREGATE_H
#define BILAN_AGGREGATE_H

#include "bilan/common.h"
#include "bilan/model.h"
#include "bilan/record.h"

/* ---- cells ------------------------------------------------------------------- */

/* A roll-up cell. library_id / resource_id are NULL when unattributed;
 * institution_id, institution, platform and database are what the provider
 * (or the log reader) wrote, kept for unattributed usage and restatements;
 * an empty access_method means Regular. */
typedef struct bl_cell {
    const char *library_id, *resource_id;
    bl_sv institution_id, institution, platform, database;
    int month;
    const char *metric;
    bl_sv access_method;
} bl_cell;

/* Where rules send what they counted. */
typedef bl_status (*bl_cell_fn)(void *ctx, const bl_cell *cell, int64_t value);

/* ---- attribution: name maps (aggregate/attrib.c) ----------------------------- */

/* Institution aliases -> library ids and counter names -> resource ids,
 * keys folded by the one rule for names (bl_name_fold: case, accents and
 * spacing do not count). The first value given for a key wins. */
typedef struct bl_names bl_names;
bl_names *bl_names_new(void);
void bl_names_free(bl_names *n);
bl_status bl_names_add_alias(bl_names *n, const char *alias, const char *library_id);
bl_status bl_names_add_resource(bl_names *n, const char *name, const char *resource_id);
/* Library of an institution as a provider wrote it: tries every
 * ';'-separated ID, each also without its "namespace:" prefix, then the name. */
const char *bl_names_library(const bl_names *n, bl_sv institution_id, bl_sv institution_name);
/* Resource of a COUNTER row: the database name first, then the platform. */
const char *bl_names_resource(const bl_names *n, bl_sv database, bl_sv platform);

/* ---- the roll-up of one file (aggregate/rollup.c) ---------------------------- */

/* The sink side of ingestion: attributes each COUNTER record, keeps
 * rejected rows (and the cells they would have carried: "shields", see
 * docs/trust.md) and sums counts in memory by cell. Memory is bounded by
 * the number of distinct cells, not the file's size. */
typedef struct bl_rollup bl_rollup;

typedef struct bl_rollup_counts {
    long accepted;     /* records (cells) counted; for logs: hits seen */
    long zeros;        /* of accepted: a row's 0 (a row without a positive count) */
    long rejected;     /* rows rejected */
    long unattributed; /* records with no library or no resource */
    long skipped;      /* trailer/total rows and such, noted */
} bl_rollup_counts;

/* names is borrowed for the roll-up's life; diag receives rejected rows and
 * notes (may be NULL). */
bl_rollup *bl_rollup_new(const bl_names *names, const char *path, bl_diag_fn diag, void *ctx);
void bl_rollup_free(bl_rollup *r);
/* The bl_sink callbacks, for the pipeline's sink to forward to. begin
 * returns BL_OK; the file's family then says whether hits follow. */
bl_status bl_rollup_begin(bl_rollup *r, const bl_file_info *info);
bl_status bl_rollup_count(bl_rollup *r, const bl_count_rec *rec);
/* The same for n positive counts of one record (bl_sink.count_run): the
 * record's group is found once. */
bl_status bl_rollup_count_run(bl_rollup *r, bl_count_rec *rec, const int *months,
                              const int64_t *vals, size_t n);
void bl_rollup_diag(bl_rollup *r, const bl_diag *d);
bl_status bl_rollup_end(bl_rollup *r, const bl_file_end *e);
/* A hit was read (counts it as accepted). */
void bl_rollup_hit_seen(bl_rollup *r);
/* Adds value to a cell (summing): a bl_cell_fn, for the log rules. */
bl_status bl_rollup_add(void *rollup, const bl_cell *cell, int64_t value);
/* Sends a note (BL_DIAG_NOTE about the whole file) to the roll-up's diag. */
void bl_rollup_note(bl_rollup *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const bl_rollup_counts *bl_rollup_counts_of(const bl_rollup *r);
/* When a call returned BL_RANGE for a cap per file (BL_CAP_*), what was
 * exceeded, in words; NULL otherwise (a cell over BL_CELL_SUM_MAX). */
const char *bl_rollup_cap(const bl_rollup *r);
bl_rollup_counts *bl_rollup_counts_mut(bl_rollup *r);

/* What the file said about itself, once read. Strings are the roll-up's. */
typedef struct bl_rollup_file {
    const char *format, *report_id, *created_by; /* NULL when the reader gave none */
    const char *created;                         /* Created, normalised, or NULL */
    const char *content_hash;                    /* "" when the reader gave none */
    bl_report_family family;
    int rank;                     /* report rank, see bl_report_rank */
    int period_begin, period_end; /* month indexes, -1 when unknown */
    int max_month;                /* last month counted, -1 when none */
    bool complete;                /* false: a rejected row could not be named */
    /* Every cell is the institution the header names (or --library's): the
     * report of one institution, which says nothing of the others (a
     * library's own COUNTER report), unlike a file whose rows name theirs
     * or a log (docs/trust.md, "Whose data is missing"). */
    bool one_institution;
} bl_rollup_file;
void bl_rollup_file_of(const bl_rollup *r, bl_rollup_file *out);

typedef struct bl_rollup_cell {
    const char *library_id, *resource_id; /* NULL when unattributed */
    const char *institution_id, *institution, *platform, *database, *access_method;
    const char *metric;
    int month;
    int64_t value;
} bl_rollup_cell;
typedef bl_status (*bl_rollup_cell_fn)(void *ctx, const bl_rollup_cell *c);
/* Every cell, in the roll-up's (deterministic) order. */
bl_status bl_rollup_each_cell(const bl_rollup *r, bl_rollup_cell_fn fn, void *ctx);

/* file: NULL for the source's own file, else the file of a --one-source
 * set the line is in. */
typedef bl_status (*bl_rollup_reject_fn)(void *ctx, const char *file, unsigned long line,
                                         const char *field, const char *reason);
/* The rejected rows kept (the first 10 000), in file order. */
bl_status bl_rollup_each_rejection(const bl_rollup *r, bl_rollup_reject_fn fn, void *ctx);

/* A rejected row's cells, one call per month: metric "" means every metric. */
typedef bl_status (*bl_rollup_shield_fn)(void *ctx, const char *institution_id,
                                         const char *institution, const char *platform,
                                         const char *metric, int month);
bl_status bl_rollup_each_shield(const bl_rollup *r, bl_rollup_shield_fn fn, void *ctx);

/* ---- restatement order (aggregate/rollup.c, docs/trust.md) ------------------- */

/* rank = family × 100 + (standard view ? 1 : 0): views of one master are
 * summed, a master and its views count once. */
int bl_report_rank(const bl_file_info *info);
/* Whether a report's Created date can order its restatements: readable,
 * not after `soon` (ISO 8601 UTC), not before the last month it reports.
 * When not, *why says why. */
bool bl_created_plausible(const char *created, int max_month, const char *soon, const char **why);

/* ---- access-log rules (aggregate/hits*.c, docs/logs.md) ----------------------- */

/* What the log rules need to know of the network and the store, loaded by
 * the store (bl_store_log_network) and the ingest layer (the robots list). */
typedef struct bl_log_range {
    char *library_id, *cidr;
} bl_log_range;
typedef struct bl_log_resource {
    char *id, *url_pattern, *request_pattern; /* request_pattern may be "" */
} bl_log_resource;
typedef struct bl_log_quota {
    char *resource_id, *metric, *start, *end; /* start/end: YYYY-MM-DD */
    long long quota;                          /* per patron and month */
} bl_log_quota;
typedef struct bl_log_network {
    char **library_ids; /* sorted by id */
    size_t nlibraries;
    bl_log_range *ranges;
    size_t nranges;
    bl_log_resource *resources; /* those with a url_pattern, sorted by id */
    size_t nresources;
    bl_log_quota *quotas; /* forfaits with a per-patron quota, by forfait id */
    size_t nquotas;
    char **robots; /* the COUNTER robots list's patterns, file order */
    size_t nrobots;
    uint8_t key[16]; /* the store's secret: pseudonyms in memory only */
} bl_log_network;
/* Frees what a bl_log_network holds (not the struct) and wipes the key. */
void bl_log_network_release(bl_log_network *n);

/* What the COUNTER rules made of an access log's lines (docs/logs.md). */
typedef struct bl_log_stats {
    long long lines;                 /* lines read */
    long long events;                /* usage events counted (investigations and requests) */
    long long robot;                 /* lines ignored: user agent on the COUNTER robots list */
    long long status;                /* lines ignored: HTTP status other than 200/304 */
    long long not_resource;          /* lines ignored: no resource's URL pattern matches */
    long long static_;               /* lines ignored: static assets (images, scripts, styles) */
    long long unattributed;          /* events counted with no library */
    long long time_first, time_last; /* span of the hits, seconds (local time as written) */
} bl_log_stats;

typedef struct bl_hits bl_hits;

/* Prepares the rules for one log file. net and names are borrowed for the
 * handle's life. Counted cells go to emit (at bl_hits_flush). On BL_DATA,
 * err says which pattern does not compile. */
bl_status bl_hits_open(const bl_log_network *net, const bl_names *names, bl_cell_fn emit,
                       void *emit_ctx, bl_hits **out, char *err, size_t errlen);
void bl_hits_free(bl_hits *h);
/* One hit, in file order. Returns BL_OK or a fatal status. */
bl_status bl_hits_add(bl_hits *h, const bl_hit_rec *r);
/* True once after a line that a pattern could not decide within the
 * matching limits (bilan/pcre.h): the line was not counted and must be
 * rejected, reason in reason. */
bool bl_hits_limit(bl_hits *h, char *reason, size_t n);
/* The number of physical lines of the file. */
void bl_hits_lines(bl_hits *h, unsigned long lines);
/* When bl_hits_add returned BL_RANGE: the cap per file exceeded, in words. */
const char *bl_hits_cap(const bl_hits *h);
/* End of the file's records: sends the counts so far of the file in focus
 * to its emit. */
bl_status bl_hits_flush(bl_hits *h);

/* For the overlap check: the span of the hits and the resources fed. */
bool bl_hits_span(const bl_hits *h, int64_t *first, int64_t *last);
bool bl_hits_fed(const bl_hits *h, const char *resource_id);
/* Disorder tolerated between lines, seconds (also the overlap margin). */
#define BL_LOG_WINDOW 300

/* Several logs in one command (docs/logs.md, "Several files in one
 * command"): the rules' state (double clicks, sessions) goes on from one
 * file to the next, so that files that follow each other in time count as
 * their concatenation would, each file keeping its own counts, ledger and
 * sketches. A file stays pending while a later file's lines may still
 * change its counts (take back its last clicks); the functions below the
 * pending ones read the file in focus: the one being read, or the oldest
 * pending (bl_hits_focus).
 *
 * bl_hits_next_file: the file read so far stays pending; the following
 * hits are a new file's, whose counts go to emit. Its first hit decides:
 * if it is earlier than the latest time seen less the reordering window,
 * the file does not follow and the state starts afresh (bl_hits_reset). */
bl_status bl_hits_next_file(bl_hits *h, bl_cell_fn emit, void *emit_ctx);
/* Forgets every double click and session: the pending files can no longer
 * change (call at the end of the files, before storing the last ones). */
void bl_hits_reset(bl_hits *h);
/* The file being read is refused: the changes its lines made to earlier
 * pending files are undone, it is dropped, and the state starts afresh. A
 * new file needs bl_hits_next_file. False from bl_hits_abandon_exact when
 * memory ran out recording those changes (the undo was partial). */
void bl_hits_abandon(bl_hits *h);
bool bl_hits_abandon_exact(const bl_hits *h);
/* Files read and not yet stored (the one being read included). */
size_t bl_hits_pending(const bl_hits *h);
/* True when the oldest pending file is not the one being read and no live
 * state refers to it any more: its counts are final, it may be stored. */
bool bl_hits_oldest_final(const bl_hits *h);
/* Which file the functions below read: the oldest pending (true) or the
 * one being read (false, the default). */
void bl_hits_focus(bl_hits *h, bool oldest);
/* The oldest pending file was stored: forgets it (focus: the current). */
void bl_hits_pop(bl_hits *h);
/* The oldest pending file, final and already flushed, taken out of the
 * rules (as bl_hits_pop) into a handle of its own that the functions below
 * read (bl_hits_finish included) and bl_hits_free frees. It shares nothing
 * the rules change, so another thread may store it while the rules go on
 * with the next file. NULL when the oldest is the one being read, or out
 * of memory (then store it in focus and pop it). */
bl_hits *bl_hits_detach(bl_hits *h);
/* True when the hits of the file being read overlap by more than the
 * reordering window those of an earlier pending file (*index: its place
 * among the pending, oldest 0) on a resource both fed (its id in
 * resource): the same hits twice, unless forced. */
bool bl_hits_overlap_pending(const bl_hits *h, size_t *index, char *resource, size_t n);

/* End of the file in focus: folds the patrons of months closed at
 * now_month into the file's own quota excess (a file alone also forgets
 * its sessions). Then the iterators below tell what to store. */
bl_status bl_hits_finish(bl_hits *h, int now_month);
void bl_hits_stats(const bl_hits *h, bl_log_stats *out, long *out_of_order);
/* The unattributed ranges ("192.0.2.0/24", "2001:db8:1::/48", "other") with
 * their events: most events first, at most 1 000, the rest as "other". */
typedef bl_status (*bl_hits_range_fn)(void *ctx, const char *range, int64_t events);
bl_status bl_hits_each_unattributed(const bl_hits *h, bl_hits_range_fn fn, void *ctx);
/* Distinct-user sketches per library (NULL: unattributed) and month. */
typedef bl_status (*bl_hits_sketch_fn)(void *ctx, const char *library_id, int month,
                                       const uint8_t *blob, size_t len);
bl_status bl_hits_each_sketch(const bl_hits *h, bl_hits_sketch_fn fn, void *ctx);
/* One patron's uses of a quota'd resource in an open month, once per metric
 * a forfait limits; patron is keyed by the store's secret (to be re-keyed
 * by the month's own key before it is stored). */
typedef bl_status (*bl_hits_use_fn)(void *ctx, const char *resource_id, int month,
                                    const char *metric, uint64_t patron, int64_t uses);
bl_status bl_hits_each_quota_use(const bl_hits *h, int now_month, bl_hits_use_fn fn, void *ctx);
/* Quota excess this file alone establishes (closed months). */
typedef bl_status (*bl_hits_excess_fn)(void *ctx, const char *resource_id, int month,
                                       long long quota, int64_t patrons, int64_t extra);
bl_status bl_hits_each_excess(const bl_hits *h, bl_hits_excess_fn fn, void *ctx);
/* Whether any forfait has a per-patron quota on a log-counted resource. */
bool bl_hits_has_quotas(const bl_hits *h);

/* A month's per-patron figures are final once it ended more than two full
 * months before now (March is closed from the 1st of June). */
static inline int bl_quota_last_closed(int now_month)
{
    return now_month - 3;
}
static inline bool bl_quota_month_closed(int month, int now_month)
{
    return month <= bl_quota_last_closed(now_month);
}

/* ---- HyperLogLog (aggregate/hll.c) ------------------------------------------- */

#define BL_HLL_P 12
#define BL_HLL_M (1u << BL_HLL_P)
/* Serialized: "HL", version 1, p, then M one-byte registers. */
#define BL_HLL_BLOB (4 + BL_HLL_M)

void bl_hll_add(uint8_t reg[BL_HLL_M], uint64_t hash);
void bl_hll_serialize(const uint8_t reg[BL_HLL_M], uint8_t out[BL_HLL_BLOB]);
/* Merges a serialized sketch into reg (register-wise max); false when blob
 * is not a sketch this build writes. */
bool bl_hll_merge(uint8_t reg[BL_HLL_M], const uint8_t *blob, size_t len);
/* The estimated number of distinct hashes added (rounded). */
int64_t bl_hll_estimate(const uint8_t reg[BL_HLL_M]);

/* ---- network-level totals shared among partners (aggregate/allocate.c) ------- */

/* Shares total (>= 0) among n parties pro rata of weights (a weight <= 0
 * gets nothing) in whole units by the largest-remainder method: each gets
 * the floor of its quota total × w / W, and the units left go one each to
 * the largest remainders, ties to the lower index (callers order parties by
 * partner id). The shares add up to total exactly. False when total > 0
 * and every weight is <= 0 (shares all 0). No overflow for any int64 total
 * and weights. */
bool bl_allocate_shares(int64_t total, const int64_t *weights, size_t n, int64_t *shares);

/* bl_alloc_basis: bilan/model.h (the reports say which rule made a share). */

/* One month's total shared by basis; by logs, when no partner has any
 * log-counted usage that month, by population instead (*fell_back true).
 * False when nothing can carry a share (every weight 0). */
bool bl_allocate_month(int64_t total, bl_alloc_basis basis, const int64_t *population,
                       const int64_t *log_usage, size_t n, int64_t *shares, bool *fell_back);

#endif
