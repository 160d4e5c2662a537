/* bilan — store layer: the SQLite file. Opening and migrating it, writing
 * what the aggregate layer counted (one transaction per file, driven by the
 * pipeline), restatements and removal, the read queries behind exports,
 * the ledger and reports. The only layer that includes sqlite3.h.
 */
#ifndef BILAN_STORE_H
#define BILAN_STORE_H

#include "bilan/common.h"
#include "bilan/aggregate.h"

typedef struct bl_store bl_store;

/* Opens (creating and migrating if needed) the store at path. On failure
 * *errmsg says why (caller frees) and *out is NULL. */
bl_status bl_store_open(const char *path, bl_store **out, char **errmsg);
/* Opens an existing store for reading only: never creates, never migrates.
 * BL_NOINPUT when there is no file at path; BL_IO (naming the folder) when
 * the WAL index cannot be made; BL_DATA when the schema is not this
 * build's. */
bl_status bl_store_open_readonly(const char *path, bl_store **out, char **errmsg);
void bl_store_close(bl_store *st);
/* Detail of the last failure on this handle, borrowed. */
const char *bl_store_errmsg(const bl_store *st);
/* The path the store was opened with. */
const char *bl_store_path(const bl_store *st);
/* The schema version this build writes (PRAGMA user_version). */
int bl_store_schema_version(void);

/* ---- network reference data (DESIGN §3) ------------------------------------ */

typedef struct bl_network bl_network; /* bilan/network.h */

/* Replacing the network in one transaction, in this order (pipeline/network.c):
 * bl_store_network_begin opens the write transaction and empties the
 * network's tables; bl_store_network_write writes net, as bl_network_read
 * validated it; bl_store_reattribute re-resolves the COUNTER usage already
 * stored against the new network (logs' usage cannot be: their addresses
 * are not kept); bl_store_network_commit makes it all visible. After a
 * failure of any step, bl_store_network_rollback leaves the store as it
 * was. Each returns BL_OK or the failure, with bl_store_errmsg. */
bl_status bl_store_network_begin(bl_store *st);
bl_status bl_store_network_write(bl_store *st, const bl_network *net);
/* lost, when not NULL, is called after the re-resolution for each library
 * whose stored values now go to no library (names no alias matches any
 * more: a typo in libraries.csv, a library removed), with how many of its
 * values that count (live) were lost. */
typedef bl_status (*bl_lost_fn)(void *ctx, const char *library_id, long long values);
bl_status bl_store_reattribute(bl_store *st, bl_lost_fn lost, void *ctx);
bl_status bl_store_network_commit(bl_store *st);
/* The vendor profiles (bilan/profile.h), replacing the stored ones, inside
 * the network's transaction. */
struct bl_profile;
bl_status bl_store_profiles_write(bl_store *st, const struct bl_profile *p, size_t n);
/* Each stored profile as written, by id: its file name (for messages)
 * and text. */
typedef bl_status (*bl_stored_profile_fn)(void *ctx, const char *id, const char *file,
                                          const char *text, size_t len);
bl_status bl_store_profiles_each(bl_store *st, bl_stored_profile_fn fn, void *ctx);
void bl_store_network_rollback(bl_store *st);

/* ---- writing an ingested file (for the pipeline, pipeline/ingest.c) ------------ */

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on the store's connection. */
bl_status bl_store_begin(bl_store *st);
bl_status bl_store_commit(bl_store *st);
void bl_store_rollback(bl_store *st);
/* Sets the handle's message (bl_store_errmsg) and returns code: for the
 * pipeline, whose failures the store's callers read from the handle. */
bl_status bl_store_fail(bl_store *st, bl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The name maps (aliases, counter names) the roll-up attributes with. */
bl_status bl_store_names(bl_store *st, bl_names **out);
/* Whether a source (not removed) has this size, or an unknown one: then a
 * new file must be hashed before it is read. */
bool bl_store_size_seen(bl_store *st, long long size);
typedef enum bl_source_hash { BL_HASH_FILE, BL_HASH_CONTENT } bl_source_hash;
/* The source (not removed) with this SHA-256 of the file's bytes, or this
 * content hash; 0 when none. */
long long bl_store_source_with(bl_store *st, bl_source_hash kind, const char *hash);

/* What restating a source's keys changed (store/restate.c). */
typedef struct bl_restate_counts {
    long long lost_rows, lost_sources; /* rows of earlier sources no longer counted */
    long long self_superseded;         /* rows of this source not counted */
    long long winner_over_self;        /* the source counted instead, or 0 */
    long long kept_by_rejection;       /* earlier rows kept: this source's row was rejected */
} bl_restate_counts;

/* A library counted twice (docs/trust.md, "A library written two ways"):
 * rows of source sid and of another source of the same scope, both vendor
 * exports read with a profile, both counted, for the same library,
 * platform, month and metric, under names written differently. Restatement
 * keys a row by its name as written, so neither replaces the other. */
typedef struct bl_double_count {
    long long other_id;     /* the other source */
    const char *other_path; /* its file */
    const char *library_id; /* the library both are attributed to */
    const char *name;       /* the library as source sid writes it */
    const char *other_name; /* as the other source writes it */
    const int *months;      /* the months counted twice, ascending (bl_month_index) */
    size_t nmonths;
} bl_double_count;

typedef bl_status (*bl_double_count_fn)(void *ctx, const bl_double_count *d);
/* Calls fn once per other source, library and pair of names that source
 * sid counts twice with (see bl_double_count), ordered by the other
 * source's id; the strings and months are borrowed for the call. Reads
 * only; nothing is queried when no other source of sid's scope overlaps its
 * period. Sources other than vendor exports never call fn (two COUNTER
 * customer accounts of one library are two legitimate counts). */
bl_status bl_store_double_counts(bl_store *st, long long sid, bl_double_count_fn fn, void *ctx);

typedef bl_status (*bl_unmatched_fn)(void *ctx, bool library, const char *name, long long values);
/* The names of source sid's rows with a count above 0 that no library
 * (library true: "Institution_Name (Institution_ID)" as written) or no
 * resource ("Platform / Database") of the network matched, with how many
 * rows each; libraries first, then the most rows first. */
bl_status bl_store_source_unmatched(bl_store *st, long long sid, bl_unmatched_fn fn, void *ctx);

/* A file about to be recorded. */
typedef struct bl_new_source {
    const char *path, *hash, *provider; /* hash: SHA-256 hex; provider may be NULL */
    long long size;
    const char *now; /* ISO 8601 UTC: when it was ingested */
    bool plausible;  /* its Created date orders its restatements */
    /* --one-source: the files read as this source (path is files[0]), with
     * their sizes; nfiles 0 for a source of one file. */
    const char *const *files;
    const long long *sizes;
    size_t nfiles;
} bl_new_source;

/* Inside the caller's transaction: the source row, the roll-up's cells and
 * shields, the restatement decision (not for logs: rs untouched), the
 * rejections and the counts. BL_DUPLICATE when the same content was
 * recorded meanwhile by another process. */
bl_status bl_store_write_file(bl_store *st, const bl_rollup *r, const bl_new_source *s,
                              long long *sid, bl_restate_counts *rs);
/* Sets a source's accepted / rejected / unattributed / skipped counts. */
bl_status bl_store_source_counts(bl_store *st, long long sid, const bl_rollup_counts *c);

/* ---- access logs (store/log_store.c) --------------------------------------------- */

/* What the log rules need of the network (not the robots list) and the
 * store's secret key. Release with bl_log_network_release. */
bl_status bl_store_log_network(bl_store *st, bl_log_network *out);
/* BL_DATA when the log's time span overlaps an earlier log (not removed)
 * that fed one of the same resources, with the reason (naming that source)
 * in why and in the handle's message. */
bl_status bl_store_log_overlap(bl_store *st, const bl_hits *h, char *why, size_t n);
/* Inside the caller's transaction: the log ledger (source columns log_*,
 * time span, unattributed ranges), per-patron quota use under the month's
 * pseudonym, the distinct-user sketches and the quota excess of source sid;
 * then the quota figures are recomputed. */
bl_status bl_store_write_log(bl_store *st, const bl_hits *h, long long sid, int now_month);
/* Today's month index (UTC), for the quota months' closing. */
int bl_store_now_month(void);

typedef struct bl_remove_result {
    long long sources;       /* sources removed */
    long long rows_removed;  /* their usage rows that were counted */
    long long rows_restored; /* earlier rows counted again (the removed ones had restated them) */
    /* distinct-user figures of closed months dropped: merged sketches
     * (docs/privacy.md) a removed source had fed */
    long long users_dropped;
} bl_remove_result;

/* Removes sources and everything they contributed (usage, rejections,
 * sketches, quota use, ledger rows), in one transaction: afterwards the
 * store counts as if they had never been ingested, and a value a removed
 * report had restated comes back from the earlier one. The source rows stay
 * in the ledger, marked removed. BL_NOTFOUND (nothing changed) when an id
 * does not exist or was already removed. */
bl_status bl_store_remove_sources(bl_store *st, const long long *ids, size_t n,
                                  bl_remove_result *out);

/* Replaces the secret key that pseudonymises log identifiers (IP addresses,
 * logins, session ids) in memory. Later pseudonyms are unrelated to earlier
 * ones: a patron seen before and after counts as two distinct users. */
bl_status bl_store_key_rotate(bl_store *st);

/* ---- exports --------------------------------------------------------------------- */

typedef enum bl_access_filter {
    BL_ACCESS_REGULAR = 0, /* default: what COUNTER's standard views count */
    BL_ACCESS_TDM,
    BL_ACCESS_ALL
} bl_access_filter;

typedef struct bl_usage_filter {
    int from, to;           /* month indexes, -1 for open */
    const char *partner_id; /* NULL for all */
    bl_access_filter access;
} bl_usage_filter;

typedef struct bl_usage_row {
    const char *partner_id;  /* "" when unattributed */
    const char *library_id;  /* "" when unattributed */
    const char *resource_id; /* "" when unattributed or for Distinct_Users */
    const char *month;       /* YYYY-MM */
    const char *metric;
    long long value;
} bl_usage_row;

typedef bl_status (*bl_usage_fn)(void *ctx, const bl_usage_row *row);

/* Calls fn for every effective usage row (counting once across report
 * types), sorted by partner_id, library_id, resource_id, month, metric. */
bl_status bl_store_export_usage(bl_store *st, const bl_usage_filter *f, bl_usage_fn fn, void *ctx);

/* ---- data-quality ledger ------------------------------------------------------------ */

typedef struct bl_source_row {
    long long id;
    const char *path, *hash, *format, *report_id, *provider;
    const char *period_begin, *period_end; /* YYYY-MM or "" */
    long long accepted, rejected, unattributed, skipped;
    long long replaced_by; /* the source counted instead of this one's superseded cells, or 0 */
    const char *ingested_at;
    const char *created;    /* the report's Created date as normalised, or "" */
    bool created_plausible; /* false: the order of ingest decided its restatements */
    const char *removed_at; /* "" unless removed with 'bilan sources remove' */
    long long cells, live;  /* usage rows stored, and those counted */
    bool is_log;
    bl_log_stats log;         /* logs only */
    const char *content_hash; /* "" when unknown */
    const char *files;        /* a --one-source set's files, one a line, in the order read; or "" */
} bl_source_row;

typedef bl_status (*bl_source_fn)(void *ctx, const bl_source_row *row);
/* Every ingested file, oldest first. */
bl_status bl_store_sources(bl_store *st, bl_source_fn fn, void *ctx);
/* Every platform whose counted usage comes from reports of more than one
 * provider (case and outer spaces ignored): restatement never crosses
 * providers, so such a platform's figures add up side by side. providers:
 * their names as written, ", "-separated. */
typedef bl_status (*bl_shared_platform_fn)(void *ctx, const char *platform, const char *providers);
bl_status bl_store_shared_platforms(bl_store *st, bl_shared_platform_fn fn, void *ctx);

typedef struct bl_reject_row {
    long long line;
    const char *field; /* "" when none */
    const char *reason;
    const char *file; /* the file that holds the line: the source's path, or the set's file */
} bl_reject_row;

typedef bl_status (*bl_reject_fn)(void *ctx, const bl_reject_row *row);
/* The rejected rows of one source, named by its id or by its path (the
 * latest source with that path, or whose path ends with "/" + source; or
 * one of the files of a --one-source set), and
 * how many there were in *count (may be NULL), the source's path in *path
 * (may be NULL; the caller frees it). BL_NOTFOUND when no source matches. */
bl_status bl_store_rejects(bl_store *st, const char *source, bl_reject_fn fn, void *ctx,
                           long long *count, char **path);

typedef bl_status (*bl_report_resource_fn)(void *ctx, const char *resource_id);
/* The resources fed by reports (COUNTER or vendor exports: some usage row
 * not from a log), sorted by id; bl_model_gaps says which months they
 * lack. */
bl_status bl_store_report_resources(bl_store *st, bl_report_resource_fn fn, void *ctx);

/* ---- SUSHI harvest (store/harvest_store.c, docs/sushi.md) ------------------------ */

/* An endpoint of sushi.csv as stored: secrets only as references. */
typedef struct bl_sushi_endpoint {
    char id[65];
    char url[1024];
    int release; /* 5 or 51 */
    char customer_id[256];
    char requestor_ref[1100], api_key_ref[1100]; /* "", "env:NAME", "file:/PATH" */
    char platform[256];
    char reports[256]; /* "PR;TR_J1" */
    char library_id[65];
    bool month_dates; /* date_format yyyy-mm */
} bl_sushi_endpoint;

/* Every endpoint, sorted by id; *out is malloc'd (free it), NULL when none. */
bl_status bl_store_sushi_endpoints(bl_store *st, bl_sushi_endpoint **out, size_t *n);

/* What the last harvest of one endpoint, report and month got. state is
 * "ok", "no_usage", "queued", "not_ready", "partial", "failed",
 * "credentials" or "config". Times are ISO 8601 UTC, "" when none. */
typedef struct bl_harvest_row {
    char endpoint_id[65], report_id[8];
    int month;
    char state[16];
    long code; /* the COUNTER exception or HTTP status, 0 when none */
    char message[512];
    int attempts;
    char last_attempt[32], next_retry[32];
    long long source_id; /* 0 when nothing was ingested */
    char raw_path[1024];
    char raw_sha256[65];
} bl_harvest_row;

/* The row of (endpoint, report, month); *found false (and row zeroed but
 * for its keys) when never harvested. */
bl_status bl_store_harvest_get(bl_store *st, const char *endpoint_id, const char *report_id,
                               int month, bl_harvest_row *row, bool *found);
/* Inserts or replaces the row (its own statement: autocommit). */
bl_status bl_store_harvest_put(bl_store *st, const bl_harvest_row *row);
typedef bl_status (*bl_harvest_row_fn)(void *ctx, const bl_harvest_row *row);
/* Every row (of endpoint_id when not NULL), by endpoint, report, month. */
bl_status bl_store_harvest_each(bl_store *st, const char *endpoint_id, bl_harvest_row_fn fn,
                                void *ctx);

/* ---- partners (for reports and mail) --------------------------------------------- */

typedef struct bl_partner_info {
    char *id, *name, *kind, *emails;
    char *article; /* partners.csv's optional article, NULL when not given */
    long long population;
    int population_year;
    long long rate_e4; /* euros per inhabitant × 10 000 */
    long long participation_cents;
} bl_partner_info;

/* All partners sorted by id. Free with bl_partner_list_free. */
bl_status bl_store_partners(bl_store *st, bl_partner_info **out, size_t *n);
void bl_partner_list_free(bl_partner_info *p, size_t n);

/* Participation in cents: population × rate (rate in 1/10 000 €), rounded
 * half up. 142 458 × 0,15 € = 2 136 870 cents. */
long long bl_participation_cents(long long population, long long rate_e4);

/* The raw SQLite handle, for tests only (declared as void * so that
 * sqlite3.h stays inside the store layer). */
void *bl__store_db(bl_store *st);

#endif
