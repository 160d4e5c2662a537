/* bilan — aggregate layer, public side: the SQLite store, the network
 * reference data, ingestion into the store (attribution, counting rules,
 * roll-up, one transaction per file) and exports.
 */
#ifndef BILAN_STORE_H
#define BILAN_STORE_H

#include "bilan/common.h"
#include "bilan/ingest.h"

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
bl_status bl_store_reattribute(bl_store *st);
bl_status bl_store_network_commit(bl_store *st);
void bl_store_network_rollback(bl_store *st);

/* ---- ingestion ----------------------------------------------------------------- */

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

typedef struct bl_ingest_result {
    bool duplicate; /* same content already ingested: nothing done */
    long long source_id;
    char format[32];
    char report_id[32];
    long rows_accepted; /* records (cells) stored */
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
    int period_begin, period_end;
} bl_ingest_result;

/* Called for every diagnostic while ingesting (rows rejected, notes). */
typedef void (*bl_diag_fn)(void *ctx, const bl_diag *d);

/* Ingests one file into the store, in one transaction: all of it or nothing.
 * provider may be NULL (taken from the file). BL_DATA when the file is
 * refused whole (message in bl_store_errmsg, store unchanged). */
bl_status bl_store_ingest(bl_store *st, const char *path, const char *provider,
                          const bl_ingest_opts *opts, bl_diag_fn diag, void *diag_ctx,
                          bl_ingest_result *res);

typedef struct bl_remove_result {
    long long sources;       /* sources removed */
    long long rows_removed;  /* their usage rows that were counted */
    long long rows_restored; /* earlier rows counted again (the removed ones had restated them) */
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

/* Writes one CSV field, quoted when needed and neutralised against formula
 * injection (a leading = + - @ gets a ' prefix), into b. */
bl_status bl_csv_field(bl_buf *b, const char *s);

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
} bl_source_row;

typedef bl_status (*bl_source_fn)(void *ctx, const bl_source_row *row);
/* Every ingested file, oldest first. */
bl_status bl_store_sources(bl_store *st, bl_source_fn fn, void *ctx);

typedef struct bl_reject_row {
    long long line;
    const char *field; /* "" when none */
    const char *reason;
} bl_reject_row;

typedef bl_status (*bl_reject_fn)(void *ctx, const bl_reject_row *row);
/* The rejected rows of one source, named by its id or by its path (the
 * latest source with that path, or whose path ends with "/" + source), and
 * how many there were in *count (may be NULL). BL_NOTFOUND when no source
 * matches. */
bl_status bl_store_rejects(bl_store *st, const char *source, bl_reject_fn fn, void *ctx,
                           long long *count);

typedef bl_status (*bl_gap_fn)(void *ctx, const char *resource_id, const char *resource_name,
                               const char *month);
/* For each resource fed by COUNTER reports, the months in [from, to] with no
 * usage at all (any library, any metric). Sorted by resource, month. */
bl_status bl_store_gaps(bl_store *st, int from, int to, bl_gap_fn fn, void *ctx);

/* ---- partners (for reports and mail) --------------------------------------------- */

typedef struct bl_partner_info {
    char *id, *name, *kind, *emails;
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

/* The raw SQLite handle, for other aggregate-layer modules only (declared
 * as void * so that sqlite3.h stays inside the layer). */
void *bl__store_db(bl_store *st);

#endif
