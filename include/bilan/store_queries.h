/* bilan — store layer, the read side of reports, forfaits and mail: queries
 * that hand plain rows to a callback, for pipeline/ to build report models
 * and forfait statuses from (bilan/pipeline.h), and the mail_log. The SQL
 * definition of each figure is written once, in store/figures_sql.h (a
 * consultation is Regular usage from usage_effective in the resource's
 * headline metric).
 *
 * Ownership: arguments are borrowed; a row's strings are borrowed for the
 * callback's call only. A callback returning anything but BL_OK stops the
 * query, which returns that status (the handle's message untouched). Store
 * failures are BL_INTERNAL (a statement cannot be prepared) or BL_IO, with
 * the detail in bl_store_errmsg. Months are month indexes (bl_month_index);
 * a month stored in a bad form is passed as -1.
 */
#ifndef BILAN_STORE_QUERIES_H
#define BILAN_STORE_QUERIES_H

#include "bilan/common.h"
#include "bilan/store.h"

/* ---- the network as stored (store/network_read.c) -------------------------------- */

typedef enum bl_net_list {
    BL_NET_PARTNERS,
    BL_NET_LIBRARIES,
    BL_NET_RESOURCES,
    BL_NET_FORFAITS,
    BL_NET_SUSHI,   /* sushi.csv: secrets as their reference only, and the harvests */
    BL_NET_PROFILES /* profiles/ *.ini: resource, provider, level, allocation */
} bl_net_list;
#define BL_NET_LISTS 6
#define BL_NET_MAX_COLS 20
/* The columns of a list's rows (NULL-terminated, at most BL_NET_MAX_COLS,
 * the names of the network folder's columns, plus the months with effective
 * usage: first_month, last_month, "" when none), or NULL for an unknown
 * list. SUSHI endpoints: requestor_id and api_key are the references
 * written in sushi.csv (env:NAME, file:PATH), never a secret's value (the
 * store holds no other); harvested and to_retry count the (report, month)
 * pairs whose last harvest got usage or none / got nothing yet; last_attempt,
 * last_request ("PR 2026-10"), last_state, last_code and last_message tell
 * the latest request; first_month, last_month the months harvested with
 * usage. Profiles: id, resource_id, the resource's provider, level
 * ("library" or "network": a network-level total), allocate, file, the
 * months of usage ingested through the profile, and text (the file as
 * stored, for the pipeline to read its match cells and layout). */
const char *const *bl_store_network_columns(bl_net_list which);
typedef bl_status (*bl_net_row_fn)(void *ctx, const char *const *cells, size_t n);
/* Every item of a list, sorted by id, as text cells. */
bl_status bl_store_network_list(bl_store *st, bl_net_list which, bl_net_row_fn fn, void *ctx);

/* ---- report models (store/report_queries.c) --------------------------------------- */

typedef struct bl_resource_row {
    const char *id, *name, *provider, *kind, *headline_metric; /* "" when NULL */
    long long annual_cost_cents;
} bl_resource_row;
typedef bl_status (*bl_resource_fn)(void *ctx, const bl_resource_row *r);
/* Every resource of the network, sorted by name, then id. */
bl_status bl_store_resources(bl_store *st, bl_resource_fn fn, void *ctx);

typedef bl_status (*bl_resource_month_fn)(void *ctx, const char *resource_id, int month,
                                          const char *library_id, bool early, bool unattributed);
/* The (resource, month, library) triples of months [first, last] for which
 * the store holds any live usage row (any metric, any access method): the
 * resource *has data* that month. library_id is NULL when the row comes
 * from a source about every library (a log, an export with a library
 * column, a consortium's report, unattributed usage); it is the library
 * when the row comes from that library's own report (source
 * one_institution, docs/trust.md "Whose data is missing"). A provider that
 * sent only zeros or only text-mining rows delivered: its Regular usage is
 * a real 0. early: every such row comes from a report (not a log) made
 * before the month was over (its Created date, else its ingest, in that
 * month or before): a part of the month, not the month. unattributed:
 * every such row has no library (names no alias or address of the
 * network knows). Unsorted. */
bl_status bl_store_resource_months(bl_store *st, int first, int last, bl_resource_month_fn fn,
                                   void *ctx);
typedef bl_status (*bl_own_cover_fn)(void *ctx, const char *resource_id, const char *library_id,
                                     int first, int last);
/* The months reports cover, zeros included (a report stores no row for a
 * month of 0): for each source not removed that is not a log, each
 * resource it has rows for (live or not), the report's period up to the
 * last month over when it was made (its Created date, else its ingest:
 * the months to come a report prints empty are not months of 0), with the
 * library as in bl_store_resource_months (NULL: a source about every
 * library; the library: its own report); and the months a SUSHI endpoint
 * got "no usage" (exception 3030), for the resources its other months'
 * reports have rows for, with the endpoint's library (NULL: none). Ranges
 * meeting [first, last]; unsorted. */
bl_status bl_store_own_coverage(bl_store *st, int first, int last, bl_own_cover_fn fn, void *ctx);
typedef bl_status (*bl_named_cover_fn)(void *ctx, const char *resource_id, const char *library_id,
                                       int first, int last, int early);
/* The months a report about every library (a consortium's report, an
 * export with a library column; not a log) covers for a library it names:
 * for each such source not removed, each resource and library (not the
 * network level) it has rows for, its period [first, last]; the months from
 * early on (the month it was made, when within the period; else last + 1)
 * were not over when it was made, so it holds a part of them, unless
 * another report restated its figure of the month it was made in (the
 * library's own report, made after: then last is that month - 1). Ranges
 * meeting [first, last]; unsorted. */
bl_status bl_store_named_coverage(bl_store *st, int first, int last, bl_named_cover_fn fn,
                                  void *ctx);
typedef bl_status (*bl_rejected_cell_fn)(void *ctx, const char *institution_id,
                                         const char *institution, const char *platform, int month,
                                         const char *metric, bool some);
/* The cells of months [first, last] whose figure a rejected row of a
 * report held (its shields: names as written, metric "" when the row's
 * could not be read) and that no other source's live row gives: figures
 * missing from the store, though the report covers their months. some:
 * another row of the same report gives part of it (the same names and
 * metric). Unsorted. */
bl_status bl_store_rejected_cells(bl_store *st, int first, int last, bl_rejected_cell_fn fn,
                                  void *ctx);

typedef bl_status (*bl_consultation_fn)(void *ctx, const char *partner_id, const char *resource_id,
                                        int month, long long value);
/* Consultations per partner, resource and month over months [first, last],
 * summed over each partner's libraries (usage with a library and a known
 * resource only), sorted by partner, resource, month; only partner_id's
 * when not NULL. */
bl_status bl_store_consultations(bl_store *st, int first, int last, const char *partner_id,
                                 bl_consultation_fn fn, void *ctx);

/* ---- profile: network-level totals (docs/profiles.md) */
typedef bl_status (*bl_network_total_fn)(void *ctx, const char *resource_id, int month,
                                         long long value, const char *allocate);
/* Network-level totals (library BL_NETWORK_LEVEL: a vendor profile without
 * a library column) per resource and month over [first, last], counted as
 * consultations (figures_sql.h), with the allocation rule of the
 * resource's network-level profile ("none", "population", "logs"; "none"
 * when no stored profile says), sorted by resource, month. */
bl_status bl_store_network_totals(bl_store *st, int first, int last, bl_network_total_fn fn,
                                  void *ctx);
/* Log-counted requests (Total_Item_Requests of access logs, Regular, live)
 * per partner, resource and month over [first, last]: what `allocate =
 * logs` shares by. */
bl_status bl_store_log_requests(bl_store *st, int first, int last, bl_consultation_fn fn,
                                void *ctx);
/* ---- end profile */

typedef bl_status (*bl_partner_count_fn)(void *ctx, const char *partner_id, long long n);
/* Distinct users per partner over months [first, last], merged from the
 * access logs' sketches (an estimate). Partners with no sketch are not
 * called. */
bl_status bl_store_partner_users(bl_store *st, int first, int last, bl_partner_count_fn fn,
                                 void *ctx);
/* Distinct users of every attributed library over months [first, last];
 * *has false (and *users 0) when no log gave any sketch. */
bl_status bl_store_network_users(bl_store *st, int first, int last, bool *has, long long *users);
typedef bl_status (*bl_lost_users_fn)(void *ctx, const char *partner_id, const char *library_id);
/* The libraries (with their partners; "" for unattributed usage or a
 * library no longer in the network) whose distinct users of a month of
 * [first, last] are lost: a closed month's merged sketch went with a log
 * removed (docs/privacy.md), and no figure of that library and month is
 * right until each of its logs is removed and ingested again. */
bl_status bl_store_users_lost(bl_store *st, int first, int last, bl_lost_users_fn fn, void *ctx);
/* How many libraries each partner has (partners with none are not called). */
bl_status bl_store_library_counts(bl_store *st, bl_partner_count_fn fn, void *ctx);

/* ---- per library (issue 15) */
typedef bl_status (*bl_library_fn)(void *ctx, const char *partner_id, const char *library_id,
                                   const char *name, int member_from, int member_until);
/* Every library, sorted by partner, then name, then id; only partner_id's
 * when not NULL. member_from, member_until: the months it is a member of
 * the network, both included (month indexes, -1: open). */
bl_status bl_store_libraries_of(bl_store *st, const char *partner_id, bl_library_fn fn, void *ctx);
typedef bl_status (*bl_library_usage_fn)(void *ctx, const char *partner_id, const char *library_id,
                                         const char *resource_id, int month, long long value);
/* Consultations per library, resource and month over months [first, last]
 * (the same definition as bl_store_consultations, one row per library),
 * sorted by partner, library, resource, month; only partner_id's when not
 * NULL. */
bl_status bl_store_library_consultations(bl_store *st, int first, int last, const char *partner_id,
                                         bl_library_usage_fn fn, void *ctx);
typedef bl_status (*bl_library_count_fn)(void *ctx, const char *partner_id, const char *library_id,
                                         long long n);
/* Distinct users per library over months [first, last], merged from the
 * access logs' sketches (an estimate); libraries with no sketch are not
 * called. */
bl_status bl_store_library_users(bl_store *st, int first, int last, bl_library_count_fn fn,
                                 void *ctx);
/* The network's identity as imported from network.csv (docs/network.md):
 * every string NULL when no network.csv was imported, else the text ("" for
 * an optional column left empty); logo the PNG's bytes (NULL, logo_len 0
 * when none). The caller releases it with bl_network_identity_release. */
typedef struct bl_network_identity {
    char *name, *short_name, *contact_email, *website;
    unsigned char *logo;
    size_t logo_len;
} bl_network_identity;
bl_status bl_store_network_identity(bl_store *st, bl_network_identity *id);
void bl_network_identity_release(bl_network_identity *id);
/* ---- end per library */

typedef bl_status (*bl_unattributed_fn)(void *ctx, const char *institution, const char *platform,
                                        long long value);
/* Consultations no library or no resource matched over months [first,
 * last], per institution and platform as the provider wrote them
 * ("Institution_Name (Institution_ID)", "platform / database"; a matched
 * library or resource by its name), most consulted first. */
bl_status bl_store_unattributed(bl_store *st, int first, int last, bl_unattributed_fn fn,
                                void *ctx);

typedef struct bl_rejects_row {
    const char *path, *provider, *format;
    long long rejected, accepted;
} bl_rejects_row;
typedef bl_status (*bl_rejects_fn)(void *ctx, const bl_rejects_row *r);
/* The files still in force whose months meet [first, last] and that had
 * rows rejected, sorted by path. */
bl_status bl_store_files_with_rejects(bl_store *st, int first, int last, bl_rejects_fn fn,
                                      void *ctx);

typedef bl_status (*bl_range_fn)(void *ctx, const char *range, long long events);
/* The address ranges (IPv4 /24, IPv6 /48) unattributed log events came
 * from, summed per range over the sources in force whose months meet
 * [first, last], most events first, at most limit of them. A stored count
 * beyond BL_COUNT_MAX is ignored, as usage_effective ignores such usage. */
bl_status bl_store_unattributed_ranges(bl_store *st, int first, int last, int limit, bl_range_fn fn,
                                       void *ctx);

/* ---- forfaits (store/forfait_queries.c) --------------------------------------------- */

typedef struct bl_forfait_row {
    const char *id, *resource_id, *metric; /* NULL when the column is NULL */
    const char *resource_name;             /* NULL when the resource is not in the network */
    const char *start, *end;               /* YYYY-MM-DD as stored, NULL when NULL */
    long long units;
    bool has_cap, has_quota; /* monthly_cap, per_patron_monthly_quota are set */
    long long monthly_cap, quota;
    int alert_percent;
} bl_forfait_row;
typedef bl_status (*bl_forfait_fn)(void *ctx, const bl_forfait_row *f);
/* Every forfait, sorted by id. */
bl_status bl_store_forfaits(bl_store *st, bl_forfait_fn fn, void *ctx);

/* What bl_store_forfait_usage reports, in this order. */
typedef struct bl_forfait_usage_fns {
    /* Units used per month: counted usage of the resource in the forfait's
     * metric, every library and the unattributed alike (the provider
     * consumes units whoever used them). */
    bl_status (*units)(void *ctx, int month, long long units);
    /* Per month, from the access logs' quota checks: the quota, the patrons
     * above it, the units their uses beyond it cost. */
    bl_status (*quota)(void *ctx, int month, long long quota, long long patrons,
                       long long extra_units);
    /* Units per partner (partner_id and partner_name NULL for usage no
     * library matched), unsorted. */
    bl_status (*share)(void *ctx, const char *partner_id, const char *partner_name,
                       long long units);
} bl_forfait_usage_fns;
/* The usage of a forfait's resource (in its metric) over months [first,
 * last]. Figures beyond BL_COUNT_MAX are not read: no sum overflows. */
bl_status bl_store_forfait_usage(bl_store *st, const char *resource_id, const char *metric,
                                 int first, int last, const bl_forfait_usage_fns *fns, void *ctx);

/* ---- mail_log (store/mail_log.c) ---------------------------------------------------- */

typedef struct bl_mail_log_entry {
    const char *partner_id, *period, *kind; /* kind: "mensuel", "semestriel" */
    const char *recipient;                  /* one address */
    const char *message_id;                 /* without brackets */
    bool sent;                              /* accepted by the server; false: failed */
    const char *reply;                      /* the server's reply or the failure, may be NULL */
    bool refused; /* not sent, and refused for good (a 5xx to this recipient) */
    int code;     /* the SMTP reply code, 0 when none (no connection) */
} bl_mail_log_entry;

/* Appends one row (sent_at is now, UTC). BL_IO with bl_store_errmsg on failure. */
bl_status bl_mail_log_record(bl_store *st, const bl_mail_log_entry *e);

/* Sets *sent when the server accepted this partner's report of this period
 * and kind for this recipient at least once. */
bl_status bl_mail_log_was_sent(bl_store *st, const char *partner_id, const char *period,
                               const char *kind, const char *recipient, bool *sent);

/* Sets *refused when the last attempt for this recipient was refused for
 * good (status 'refused') and none was ever accepted; *reply (may be NULL)
 * receives the server's answer, truncated to n bytes. */
bl_status bl_mail_log_was_refused(bl_store *st, const char *partner_id, const char *period,
                                  const char *kind, const char *recipient, bool *refused,
                                  char *reply, size_t n);

/* The outcome of a recipient's mail for a period and kind: the last
 * attempt's, unless one attempt was accepted (then 'sent', with that
 * attempt's time and reply). */
typedef struct bl_mail_log_state {
    const char *partner_id, *kind, *recipient;
    const char *status; /* "sent", "failed", "refused" */
    int code;           /* 0 when none */
    const char *reply;  /* "" when none */
    const char *at;     /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
    long long attempts;
} bl_mail_log_state;
typedef bl_status (*bl_mail_log_fn)(void *ctx, const bl_mail_log_state *s);
/* Every recipient logged for period (and kind, NULL: any), sorted by
 * partner, kind, recipient. */
bl_status bl_mail_log_each(bl_store *st, const char *period, const char *kind, bl_mail_log_fn fn,
                           void *ctx);

#endif
