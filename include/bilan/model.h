/* bilan — report models: plain structs of numbers and labels, built from the
 * store's read queries by the pipeline layer (bl_model_build_*, declared in
 * bilan/pipeline.h) and drawn by the render layer (render/), which never
 * runs SQL. One model is one PDF. The figures every report and mail share
 * are pure functions of a model (aggregate/figures.c); this header needs
 * no store.
 *
 * Every figure comes with the means to say honestly what it is: `has[]`
 * flags tell "no data delivered" apart from "zero use"; distinct users are
 * estimates; forfait gauges are a list that may be empty.
 *
 * Ownership: a model returned by bl_model_build_* belongs to the caller and
 * is freed with bl_model_free (which accepts NULL); a list, with
 * bl_model_list_free. Strings and arrays inside are owned by the model.
 */
#ifndef BILAN_MODEL_H
#define BILAN_MODEL_H

#include "bilan/common.h"
#include "bilan/period.h"

/* ---- report kinds (DESIGN §8, contract: kinds and file names) ---------------- */

/* Fewer distinct users than this are not printed (a count of two in a
 * small commune could point at two people; docs/privacy.md): render/'s
 * « moins de 5 », and the figures a subtraction would tell it from. */
#define BL_USERS_SHOWN_MIN 5

typedef enum bl_report_kind {
    BL_REPORT_MENSUEL,
    BL_REPORT_SEMESTRIEL,
    BL_REPORT_ANNUEL,
    BL_REPORT_RESEAU
} bl_report_kind;

/* "mensuel", "semestriel", "annuel", "reseau". */
static inline const char *bl_report_kind_name(bl_report_kind k)
{
    static const char *const names[] = {"mensuel", "semestriel", "annuel", "reseau"};
    return (unsigned)k < 4 ? names[k] : "?";
}
/* True for kinds drawn once for the whole network (annuel, reseau). The
 * annual report is also drawn per partner (issue 15): a model with a
 * partner is a partner's report whatever its kind. */
static inline bool bl_report_kind_network(bl_report_kind k)
{
    return k == BL_REPORT_ANNUEL || k == BL_REPORT_RESEAU;
}

/* ---- the model ------------------------------------------------------------- */

/* The window of months every series covers: the 24 months ending with the
 * period's last month, so that M-1, M-12, the year to date, the previous
 * semester and the previous year are all inside. */
#define BL_WINDOW 24

/* What a network-level total of a vendor profile is shared among the
 * partners by (docs/profiles.md, aggregate/allocate.c). */
typedef enum bl_alloc_basis {
    BL_BASIS_POPULATION = 1, /* the partners' populations */
    BL_BASIS_LOGS = 2        /* the month's log-counted usage of the resource per partner */
} bl_alloc_basis;

/* Per resource. `v` is the usage counted for the report's scope (the
 * partner's libraries, or all attributed libraries of the network) in its
 * headline metric; `has` says whether the store holds data for the scope
 * this resource and month: when it is false the provider's data is
 * missing, which is not the same as zero. A source about every library (a
 * log, an export with a library column) is data for every scope; a
 * library's own report (source one_institution) only for its library.
 * `part`: has, but a library of the scope that sends its own reports of
 * this resource (from the first month it did) lacks the month's: the
 * value is partial, and `gap` names those libraries ("Médiathèque
 * Jean-Giono et Bibliothèque de Pierrelongue"; NULL when not part).
 * docs/trust.md, "Whose data is missing". */
typedef struct bl_model_resource {
    char *id, *name, *provider, *kind, *metric;
    int64_t annual_cost_cents;
    int64_t v[BL_WINDOW];
    bool has[BL_WINDOW];
    bool part[BL_WINDOW];
    bool quiet[BL_WINDOW]; /* no data, none expected (a library's view): not missing */
    /* The network has data of it that month (has, in a network's model):
     * the months whose cost the consultations cover, in every report. */
    bool net_has[BL_WINDOW];
    char *gap[BL_WINDOW];
/* An entry of gap[k] that starts with it: the figures of a report made
 * before the month was over (a part of the month); alone, a report about
 * every library, else followed by the library whose own report it is. */
#define BL_GAP_EARLY "\x01"
/* An entry that starts with it: the library named after it, whose figure
 * a rejected row held (bilan rejects names the row). */
#define BL_GAP_REJECTED "\x02"
/* An entry that is it alone: usage no library of the network was found for
 * (bilan sources counts it unattributed). */
#define BL_GAP_UNATTRIBUTED "\x03"
    /* A partner's model: the window's data of this resource is only other
     * libraries' own reports (the partner's libraries send none and no
     * source is about every library): not a resource the partner gets, so
     * no note says its data is missing. */
    bool elsewhere;
    /* Network-level totals of vendor profiles (docs/profiles.md). `shared`:
     * the bl_alloc_basis (1 population, 2 logs) by which a provider's
     * total for the whole network was shared among the partners, 0 when
     * none: in a partner's model v then holds an estimated share; in a
     * network model the partners' cells do. `fallback`: logs fell back to
     * population for some month. `network_level`: a total the provider gave
     * for the whole network is kept unshared (allocate = none): in a network
     * model v holds it; in a partner's model v does not. */
    int shared;
    bool fallback, network_level;
} bl_model_resource;

/* Per partner, for the network reports. cells[r] is the period's total for
 * resource r, prev[r] the previous period's (same length). */
typedef struct bl_model_partner {
    char *id, *name, *kind;
    /* The article its name takes in a sentence, from partners.csv's
     * optional `article` column: "le", "la", "l'", "les", "-" for none;
     * NULL when not given (then inferred from the name and the kind,
     * bl_render_partner_of). */
    char *article;
    int64_t population;
    int population_year;
    int64_t rate_e4;
    int64_t participation_cents;
    int64_t *cells, *prev; /* n_resources each */
    /* Network reports: for each resource, the months of the period this
     * partner's cell has data for, and those over that lack it or are
     * partial (a library of the partner's own report missing), as
     * bl_model_sum and bl_model_missing count a resource's. */
    int *n_has, *n_missing;
    int64_t total, total_prev;
    bool estimated; /* network reports: the cells hold an allocated share */
} bl_model_partner;

/* One library of a partner report's partner (issue 15): its consultations
 * per resource and month, v[r * BL_WINDOW + k] for resource r of the
 * model and window slot k, in each resource's headline metric; distinct
 * users of the period when its logs gave any (an estimate). has[r *
 * BL_WINDOW + k]: whether the store holds data for this library (a source
 * about every library, or its own report). */
typedef struct bl_model_library {
    char *id, *name;
    int64_t *v;
    bool *has;
    /* quiet[r * BL_WINDOW + k]: no data, and none expected (before the
     * first month of its own reports, which no report about every library
     * covers): "—", but not a missing month of its sums. */
    bool *quiet;
    bool *part;                    /* part[r * BL_WINDOW + k]: has, but a part of the month (†) */
    int member_from, member_until; /* its months as a member, both included (-1: open) */
    bool has_users;
    bool users_lost; /* a log of a closed month removed took them (bl_store_users_lost) */
    int64_t users;
} bl_model_library;

/* Where unattributed log events came from: an address range (IPv4 /24,
 * IPv6 /48) and its events, summed over the sources in force. */
typedef struct bl_model_range {
    char *range;
    int64_t events;
} bl_model_range;

/* Usage no library (or no resource) matched, as the provider wrote it. */
typedef struct bl_model_unattributed {
    char *institution; /* "Institution_Name (Institution_ID)" or "" */
    char *platform;    /* platform / database, or the resource's name */
    int64_t value;     /* summed over the period, all metrics that are some resource's headline */
} bl_model_unattributed;

/* One ingested file that had rejected rows. */
typedef struct bl_model_rejects {
    char *path, *provider, *format;
    int64_t rejected, accepted;
} bl_model_rejects;

/* A forfait gauge (prepaid units), filled from the forfait module when it
 * exists; see docs/reports.md. */
typedef enum bl_gauge_status { BL_GAUGE_OK, BL_GAUGE_WATCH, BL_GAUGE_EXHAUSTED } bl_gauge_status;
typedef struct bl_model_gauge {
    char *label;         /* "Cinéma à la demande (forfait VOD-2026)" */
    char *forfait_id;    /* "vod-2026" */
    char *resource_name; /* "Cinéma à la demande" */
    int64_t units, used;
    int64_t percent_tenths; /* used / units, tenths of a percent */
    int alert_percent;
    bl_gauge_status status;
    char *sentence; /* French projection sentence, may be NULL */
} bl_model_gauge;

typedef struct bl_model {
    bl_report_kind kind;
    bl_period period;
    int window_first;       /* month index of v[0] / has[0] */
    char period_label[48];  /* "mai 2026", "1er semestre 2026", "année 2026" */
    char prev_label[48];    /* the previous period of the same length */
    int64_t generated_days; /* date of generation, days since 1970 */
    bool provisional;       /* the period is not over on that date: « provisoire » */
    /* A provisional period's first month not over on that date (month
     * index), else 0: every month of the model is over. A month not over
     * that has no data is not *missing* (its data cannot have come yet):
     * it makes no total partial, no † and no "?", and changes compare the
     * months over only (bl_model_missing, bl_model_compare). */
    int running_from;

    /* Partner reports (mensuel, semestriel, and annuel with a partner): the
     * partner; NULL in the network-wide reports. */
    bl_model_partner *partner;
    int n_libraries;
    /* Partner reports: the partner's libraries sorted by name (all of them,
     * with or without usage); the layouts show them when there are two or
     * more. What the partner counts beyond the sum of its libraries (a
     * share of a network-level total) belongs to none of them. */
    size_t n_libs;
    bl_model_library *libs;
    /* Partner reports: the participations of every partner of the network
     * (the base of the indicative distribution of the network's cost). */
    int64_t network_participation_cents;

    /* The network's identity (network.csv): its name, NULL when none was
     * imported (the wording's generic name is used), and its logo as the
     * bytes of a PNG file, NULL when none. */
    char *network_name;
    unsigned char *logo;
    size_t logo_len;
    /* Its contact address and website (network.csv), NULL when not given:
     * under its name in every report and under the mail's signature. */
    char *network_email, *network_website;

    size_t n_resources;
    bl_model_resource *resources;

    /* Distinct active users (estimates from log sketches) for the period, and
     * for the previous one; has_users false when no logs gave any. */
    bool has_users, has_users_prev;
    /* not known since a log of a closed month was removed
     * (bl_store_users_lost): has_users false */
    bool users_lost;
    /* a network model's users not printed (« masqué »): with the partners'
     * own reports' figures, a partner's under BL_USERS_SHOWN_MIN (not
     * printed) could be told by subtraction (docs/privacy.md) */
    bool users_masked;
    int64_t users, users_prev;

    /* Network reports (annuel, reseau). */
    size_t n_partners;
    bl_model_partner *partners;
    size_t n_unattributed;
    bl_model_unattributed *unattributed;
    int64_t unattributed_total;
    size_t n_rejects;
    bl_model_rejects *rejects;
    /* The address ranges unattributed log events came from, most events
     * first, at most BL_MODEL_MAX_RANGES (reseau only). */
    size_t n_ranges;
    bl_model_range *ranges;

    size_t n_gauges;
    bl_model_gauge *gauges;
} bl_model;

#define BL_MODEL_MAX_RANGES 10

/* Every sum of the model saturates at BL_MODEL_MAX (never overflows): a
 * store holding absurd values still gives a report, and the renderers may
 * multiply a figure by 10 000 without overflow. */
#define BL_MODEL_MAX INT64_C(100000000000000)

/* a + b for counts, clamped to [0, BL_MODEL_MAX]. */
static inline int64_t bl_model_add(int64_t a, int64_t b)
{
    int64_t s;
    if (a < 0)
        a = 0;
    if (b < 0)
        b = 0;
    if (__builtin_add_overflow(a, b, &s) || s > BL_MODEL_MAX)
        return BL_MODEL_MAX;
    return s;
}

/* Index of month mi in a model's window, or -1 when outside. */
static inline int bl_model_slot(const bl_model *m, int mi)
{
    int k = mi - m->window_first;
    return k >= 0 && k < BL_WINDOW ? k : -1;
}

/* Releases a model and everything it owns; accepts NULL. */
void bl_model_free(bl_model *m);
/* What a library's entry of a model owns (bl_model_free releases them all). */
void bl_model_library_release(bl_model_library *l);
/* Releases a list of models (and the list); accepts NULL. */
void bl_model_list_free(bl_model **v, size_t n);

/* Sum of r's values over months [first, last] inside the window
 * (saturating); *n_has counts the months that have data (may be NULL). */
static inline int64_t bl_model_sum(const bl_model *m, const bl_model_resource *r, int first,
                                   int last, int *n_has)
{
    int64_t s = 0;
    int h = 0;
    for (int mi = first; mi <= last; mi++) {
        int k = bl_model_slot(m, mi);
        if (k < 0)
            continue;
        s = bl_model_add(s, r->v[k]);
        h += r->has[k];
    }
    if (n_has)
        *n_has = h;
    return s;
}

/* The months of [first, last] inside the window in which the network has
 * data of r: those whose cost its consultations cover (docs/reports.md,
 * « Cost per consultation »), the same in a partner's report as in the
 * network's. */
static inline int bl_model_network_months(const bl_model *m, const bl_model_resource *r, int first,
                                          int last)
{
    int h = 0;
    for (int mi = first; mi <= last; mi++) {
        int k = bl_model_slot(m, mi);
        h += k >= 0 && r->net_has[k];
    }
    return h;
}

/* Is month mi over on the model's date (so that no data for it is missing
 * data)? */
static inline bool bl_model_over(const bl_model *m, int mi)
{
    return !m->running_from || mi < m->running_from;
}

/* Is the model's period running with none of its months over yet? */
static inline bool bl_model_none_over(const bl_model *m)
{
    return m->running_from && m->running_from <= m->period.first;
}

/* The last month a figure of [first, last] is compared over: last, or in
 * a provisional period the last month over (before first when none is).
 * A change, and the reference figure printed beside it, cover [first,
 * bl_model_compared_last] and the same months before. */
static inline int bl_model_compared_last(const bl_model *m, int last)
{
    return m->running_from && last >= m->running_from ? m->running_from - 1 : last;
}

/* The months of [first, last] inside the window that are over and for
 * which r has no data, or only part of it (a library's own report
 * missing): what makes a sum of r partial (†). */
static inline int bl_model_missing(const bl_model *m, const bl_model_resource *r, int first,
                                   int last)
{
    int n = 0;
    for (int mi = first; mi <= last; mi++) {
        int k = bl_model_slot(m, mi);
        n += k >= 0 && ((!r->has[k] && !r->quiet[k]) || r->part[k]) && bl_model_over(m, mi);
    }
    return n;
}

/* Whether month mi of r is partial (some library's own report missing)
 * and over: its figure is printed with †. */
static inline bool bl_model_part(const bl_model *m, const bl_model_resource *r, int mi)
{
    int k = bl_model_slot(m, mi);
    return k >= 0 && r->has[k] && r->part[k] && bl_model_over(m, mi);
}

/* ---- figures every report and mail share (docs/reports.md) -------------------- */
/* No data is not zero: a resource *has data* for a month when the store
 * holds any usage row for it that month (a provider that sent 0 sent data).
 * A figure summing months and resources says whether it has any data at
 * all (else it is printed "—") and whether it is partial (some listed
 * resource has no data for some of its months). */

/* A resource is listed when the store knows anything of it in the
 * model's window (a resource never delivered at all would only be noise). */
bool bl_model_listed(const bl_model_resource *r);

typedef struct bl_model_total {
    int64_t v;    /* over the listed resources and the months with data */
    bool has;     /* some listed resource has data for some month */
    bool partial; /* has, and some listed resource lacks some month that is over */
} bl_model_total;

/* Total of the listed resources over months [first, last]. */
bl_model_total bl_model_total_of(const bl_model *m, int first, int last);
/* The reference figure printed beside the change of [first, last]: the
 * total of the months compared (bl_model_compared_last), `shift` months
 * before. */
bl_model_total bl_model_base_total(const bl_model *m, int first, int last, int shift);
/* Does any of the n models have a single figure in its own period, or
 * usage no library could take (the network review lists it)? (None:
 * the period's files are not ingested, or the period is wrong; `report`
 * warns, `mail` sends nothing.) */
bool bl_model_list_has_data(bl_model *const *v, size_t n);

/* A change "à périmètre égal": [first, last] against the same months
 * `shift` months before, over the resources with data for every month of
 * both. In a provisional period only the months over are compared (the
 * year to date against the same months a year before): `last` is then
 * the last month compared, before the one asked. */
typedef struct bl_model_change {
    int first, last;   /* the months compared (first > last: none is over) */
    int shift;         /* the base: [first - shift, last - shift] */
    bool running;      /* months not over yet were left out (last is before the one asked) */
    int64_t now, base; /* over the comparable resources */
    bool comparable;   /* at least one resource is comparable */
    bool excluded;     /* some listed resource with data was left out */
    bool base_has;     /* some resource has data in the base period */
    /* The base period lacks nothing (its total has no †: when not
     * comparable, what is missing is this period's): base_all, its sum. */
    bool base_whole;
    int64_t base_all;
    bool has_change; /* comparable and base > 0: tenths is set */
    int64_t tenths;  /* tenths of a percent */
} bl_model_change;

bl_model_change bl_model_compare(const bl_model *m, int first, int last, int shift);

/* A partner model's cells[r] and prev[r] (the period's and the previous
 * period's sums per resource) and their totals, from the resources' series.
 * m must have a partner. */
void bl_model_fill_partner_totals(bl_model *m);

/* The fingerprint of everything a model's PDF shows (figures, names,
 * « provisoire », bilan's version; not the generation date), as 64 hex
 * digits: equal fingerprints, same report. BL_NOMEM on failure. */
bl_status bl_model_fingerprint(const bl_model *m, char hex[65]);

#endif
