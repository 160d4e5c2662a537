/* bilan — the records that flow from ingest/ (readers) to aggregate/ (the
 * sink), and the sink interface itself. This is the only place the two
 * layers meet.
 *
 * Every bl_sv in a record points into the reader's buffers and is valid only
 * during the sink call: the sink copies what it keeps.
 */
#ifndef BILAN_RECORD_H
#define BILAN_RECORD_H

#include "bilan/common.h"

/* COUNTER report families, in the order that decides which report type a
 * metric is taken from ("counting once", DESIGN §4): PR before DR before TR
 * before IR, and every R5 family before every R4 report. */
typedef enum bl_report_family {
    BL_FAM_PR = 1,
    BL_FAM_DR = 2,
    BL_FAM_TR = 3,
    BL_FAM_IR = 4,
    BL_FAM_R4_PR = 11,    /* PR1 */
    BL_FAM_R4_DB = 12,    /* DB1, DB2 */
    BL_FAM_R4_TITLE = 13, /* JR1, JR1a, JR1 GOA, JR2, BR1, BR2, BR3 */
    BL_FAM_R4_ITEM = 14,  /* MR1 */
    /* A vendor export read with a profile (docs/profiles.md): after every
     * COUNTER report, whose rules are audited, and before bilan's own
     * counting of logs. */
    BL_FAM_PROFILE = 15,
    BL_FAM_LOG = 20 /* counted by bilan from access logs */
} bl_report_family;

/* The library id of usage a provider gave for the whole network (a
 * profile without `library`): no library has it (ids never hold '*'), so
 * it is in no partner's figures; the network review shows it and the
 * allocation rules share it (docs/profiles.md). */
#define BL_NETWORK_LEVEL "*"

/* What a reader learnt from a file as a whole, handed to sink->begin. */
typedef struct bl_file_info {
    const char *path;      /* as given on the command line */
    const char *format;    /* "counter5", "counter4", "combined", ... */
    const char *report_id; /* "TR_B1", "DR", "JR1", ... or NULL for logs */
    bl_report_family family;
    int release;            /* 5 (5.0), 51 (5.1), 4, or 0 for logs */
    const char *created_by; /* provider name from the header, or NULL */
    /* Institution named in the header (R5 Institution_ID / Institution_Name,
     * R4 cell A2), used when rows carry no institution of their own. */
    const char *institution_id;
    const char *institution_name;
    int period_begin, period_end; /* month indexes, -1 if unknown */
    /* When the provider made the report (R5 Created, R4 run date),
     * normalised to "YYYY-MM-DDTHH:MM:SSZ" (midnight when only a date is
     * given), or NULL when absent or unreadable. The sink judges whether it
     * is plausible; readers never reject rows because of it. */
    const char *created;
    /* Vendor profiles: every row counts for this resource id (NULL: the
     * rows' names decide), and, when network_level, for the network as a
     * whole (library BL_NETWORK_LEVEL) rather than a library. */
    const char *resource_id;
    bool network_level;
} bl_file_info;

/* A pre-aggregated count: one cell of a COUNTER report. */
typedef struct bl_count_rec {
    unsigned long line;   /* 1-based physical line in the file */
    bl_sv institution_id; /* from the row; empty: the header's */
    bl_sv institution_name;
    bl_sv platform;
    bl_sv database;      /* DR/DB reports; empty elsewhere */
    bl_sv title;         /* TR/IR/JR/BR; empty elsewhere */
    bl_sv access_method; /* "Regular" (also when empty) or "TDM" */
    bl_sv metric;        /* R5 metric name (R4 measures already mapped) */
    int month;           /* month index */
    int64_t value;       /* >= 0 */
} bl_count_rec;

/* One access-log hit. Identifying fields (client, user, session) must never
 * be stored: the sink hashes them with the store's secret key in memory. */
typedef struct bl_hit_rec {
    unsigned long line;
    int64_t time;      /* seconds since 1970-01-01 of the local time as written */
    int month;         /* month index of that local time */
    bl_sv client;      /* IP address as written */
    bl_sv user;        /* %u login, empty or "-" when none */
    bl_sv session;     /* session id when the format has one */
    bl_sv library_key; /* named field or query parameter carrying the library */
    bl_sv host;        /* virtual host, from the URL or a %v field */
    bl_sv method;
    bl_sv target; /* path + query as requested (or the full URL) */
    int status;   /* HTTP status */
    bl_sv user_agent;
    /* bl_fhash of the agent (as of an empty one without one) and of the
     * client, with the
     * seeds below: the reader hashes them on the core that read the line,
     * so the rules need not read those bytes again. */
    uint64_t agent_hash, client_hash;
} bl_hit_rec;

/* The bl_fhash seeds of a hit's agent and client (bl_hit_rec.*_hash). */
#define BL_HIT_SEED_AGENT 0x2c
#define BL_HIT_SEED_CLIENT 0x4e

typedef enum bl_diag_level {
    BL_DIAG_ROW,  /* one row rejected; the rest of the file goes on */
    BL_DIAG_FILE, /* the whole file is refused */
    BL_DIAG_NOTE  /* informative (skipped trailer, replaced months...) */
} bl_diag_level;

/* What a reader knows of a rejected COUNTER row, so that the sink can keep
 * the earlier values of the cells that row would have restated. Names are
 * as written in the row (empty institution: the header's). metric is the
 * R5 metric name (R4 measures already mapped), empty when unknown: every
 * metric of the row's names is then concerned. month_first/month_last span
 * the report's month columns the row covers, -1 when unknown (the file's
 * whole period is then concerned). */
typedef struct bl_row_ctx {
    bl_sv institution_id, institution_name, platform, database, metric;
    int month_first, month_last;
} bl_row_ctx;

typedef struct bl_diag {
    bl_diag_level level;
    const char *path;
    unsigned long line; /* 0 when not about a line */
    const char *field;  /* column name, or NULL */
    const char *reason; /* English, lower case, no trailing period */
    /* BL_DIAG_ROW from a COUNTER reader: the row's names, or NULL when the
     * row could not be read far enough to know them (the sink then treats
     * the whole file as carrying none of its cells with certainty). */
    const bl_row_ctx *row;
} bl_diag;

/* Receives diagnostics (rows rejected, notes). */
typedef void (*bl_diag_fn)(void *ctx, const bl_diag *d);

/* What is known once a file has been read to its end. */
/* The institution written for a COUNTER report that names none, ingested
 * with --library ID: BL_LIBRARY_INSTITUTION "ID". The name maps resolve it
 * to library ID (store/names.c), re-attribution included. */
#define BL_LIBRARY_INSTITUTION "bilan-library:"

typedef struct bl_file_end {
    /* Identity of the content: 128-bit hash (32 hex digits) of the
     * decompressed bytes with CRLF and lone CR turned into LF and a final
     * LF supplied when missing, so that a file re-delivered gzip'd or with
     * other line ends is recognised as the same. */
    char content_hash[33];
    unsigned long lines; /* physical lines read */
} bl_file_end;

/* The sink: the aggregator implements it; tests implement recording sinks.
 * Callbacks return BL_OK to go on; any other status stops the reader, which
 * returns that status. */
typedef struct bl_sink {
    void *ctx;
    bl_status (*begin)(void *ctx, const bl_file_info *info);
    bl_status (*count)(void *ctx, const bl_count_rec *rec);
    bl_status (*hit)(void *ctx, const bl_hit_rec *rec);
    void (*diag)(void *ctx, const bl_diag *d);
    /* Optional (may be NULL): called once after the last record, when the
     * whole file has been read without a file-level error. */
    bl_status (*end)(void *ctx, const bl_file_end *e);
    /* Optional (may be NULL): n counts that share everything but their
     * month and value, in one call (what count would get one by one, counts
     * of 0 or less already left out). Readers call it through bl__ctr_emit. */
    bl_status (*count_run)(void *ctx, bl_count_rec *rec, const int *months, const int64_t *vals,
                           size_t n);
} bl_sink;

#endif
