/* bilan — ingest layer, public side: vendor profiles (docs/profiles.md).
 * A profile is a small INI file of the network folder, profiles/<id>.ini,
 * that says how to read one provider's export (a CSV or spreadsheet that is
 * neither a COUNTER report nor a log): which header row, which columns hold
 * the library, the month and the values, and which resource they count for.
 *
 * Profiles are validated at `bilan network import` (FILE:LINE errors),
 * stored as written (their text), and parsed again from the store at ingest
 * (the ingest layer never reads the network folder).
 *
 * A bl_profile owns every string it points to; bl_profile_release frees
 * them all.
 */
#ifndef BILAN_PROFILE_H
#define BILAN_PROFILE_H

#include "bilan/common.h"

typedef enum bl_prof_layout {
    BL_PROF_LONG = 0, /* one row per month (and library): value columns named in [metrics] */
    BL_PROF_WIDE      /* one column per month: every value counts `metric` */
} bl_prof_layout;

/* What becomes of a network-level total (no `library` column). */
typedef enum bl_alloc_rule {
    BL_ALLOC_NONE = 0,   /* kept at network level: never in a partner's figures */
    BL_ALLOC_POPULATION, /* shared among the partners pro rata of their population */
    BL_ALLOC_LOGS        /* pro rata of the resource's log-counted usage that month */
} bl_alloc_rule;

/* One `Column = Metric` line of [metrics]. */
typedef struct bl_prof_metric {
    unsigned long line;
    char *column; /* as written in the export's header row */
    char *metric; /* canonical: a COUNTER R5 metric or one of bl_extra_metrics */
} bl_prof_metric;

#define BL_PROF_MAX_MATCH 16
#define BL_PROF_MAX_METRICS 32
/* The header row is looked for among a file's first rows. */
#define BL_PROF_HEADER_ROWS 30

typedef struct bl_profile {
    char *id;   /* the file's name without ".ini" (a bl_id_valid id) */
    char *file; /* the file as named in messages: "DIR/profiles/ID.ini" */
    char *text; /* the file's content as read (stored as is) */
    char *resource;
    unsigned long resource_line;
    char *match[BL_PROF_MAX_MATCH]; /* cells of the header row, as written */
    size_t nmatch;
    char *sheet; /* NULL: the first sheet */
    bl_prof_layout layout;
    char *library; /* NULL: network level */
    char *month;   /* long layout: the month column, or NULL when `date` */
    char *date;    /* long layout: a date column summed into months, or NULL */
    char *metric;  /* wide layout: the metric of every value (canonical) */
    bl_alloc_rule allocate;
    /* The line of each key (0 when absent), for messages at ingest. */
    unsigned long library_line, month_line, date_line, metric_line, header_line;
    bl_prof_metric metrics[BL_PROF_MAX_METRICS];
    size_t nmetrics;
} bl_profile;

/* Parses a profile's text (UTF-8, a BOM allowed). Checks everything that
 * needs no network: sections and keys known, values well formed, metrics
 * known, the keys the layout needs present. BL_OK with *out filled (release
 * it); otherwise BL_DATA and err holds "FILE:LINE: reason" (FILE is `file`).
 * id must be bl_id_valid (checked). */
bl_status bl_profile_parse(const char *id, const char *file, const char *text, size_t len,
                           bl_profile *out, char *err, size_t errlen);
void bl_profile_release(bl_profile *p);

/* The name of an allocation rule as a profile writes it ("none",
 * "population", "logs"); inline, so that the store may use it too. */
static inline const char *bl_alloc_rule_name(bl_alloc_rule r)
{
    return r == BL_ALLOC_NONE ? "none" : r == BL_ALLOC_POPULATION ? "population" : "logs";
}

/* Every DIR/profiles/ *.ini, sorted by name, parsed and checked against the
 * resource ids given (the network being imported): an unknown resource is
 * "FILE:LINE: unknown resource 'x'". No profiles folder: BL_OK, none.
 * *out is a malloc'd array (release with bl_profiles_free). */
bl_status bl_profiles_read(const char *dir, const char *const *resource_ids, size_t nresources,
                           bl_profile **out, size_t *n, char *err, size_t errlen);
void bl_profiles_free(bl_profile *p, size_t n);

#endif
