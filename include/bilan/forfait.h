/* bilan — forfaits (prepaid consultation units, DESIGN §3 and §7): for each
 * package and a given day, what has been consumed, by whom, month by month,
 * how fast, and when it will run out. The report renderer draws its gauges
 * and projection sentences from these plain structs; `bilan forfait status`
 * prints them. See docs/forfaits.md for the rules (which months count, the
 * burn-rate window, the projection convention).
 *
 * This header is the pure half: the types and the arithmetic on them
 * (aggregate/forfait_calc.c), the French sentence (aggregate/forfait_text.c).
 * Reading the store is bl_forfait_status_all (bilan/pipeline.h).
 *
 * Ownership: every pointer inside a bl_forfait_status belongs to the array
 * returned by bl_forfait_status_all (or to the caller's status given to
 * bl_forfait_begin) and is released by bl_forfait_status_free.
 * Units are whole numbers; dates are whole days since 1970-01-01 (convert
 * with bl_civil_from_days), never times in a time zone.
 */
#ifndef BILAN_FORFAIT_H
#define BILAN_FORFAIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "bilan/common.h"

/* The status a project lead acts on (DESIGN §7). */
typedef enum bl_forfait_state {
    BL_FORFAIT_OK = 0,   /* nothing to do */
    BL_FORFAIT_WATCH,    /* percent used >= alert_percent, or projected to run out before the end */
    BL_FORFAIT_EXHAUSTED /* remaining <= 0: the provider suspends the resource */
} bl_forfait_state;

/* What can be said about the future of a package at the date asked. */
typedef enum bl_forfait_outlook {
    BL_OUTLOOK_NO_DATA = 0, /* no usage data in the burn window: no projection */
    BL_OUTLOOK_COVERS,      /* at the burn rate, the units last until the end */
    BL_OUTLOOK_BEFORE_END,  /* at the burn rate, the units run out before the end */
    BL_OUTLOOK_EXHAUSTED,   /* already used up (exhaustion_day is when, estimated) */
    BL_OUTLOOK_NOT_STARTED, /* the date is before the contract's start */
    BL_OUTLOOK_ENDED,       /* the date is after the contract's end */
    /* At the burn rate the units ran out before the date asked: the data
     * stop earlier (the months from the anchor's to the date's have not
     * arrived), and the package has probably run out already. The status
     * is watch: the data do not show it exhausted. */
    BL_OUTLOOK_PROBABLY_EXHAUSTED
} bl_forfait_outlook;

/* One month of the contract period (months are indexes, see bl_month_index). */
typedef struct bl_forfait_month {
    int month;
    bool has_data; /* a network report says the month has data (a report covers it,
                    * months of 0 included, or a row: bl_model_months_with_data) */
    int64_t units; /* units consumed (the forfait's metric, Regular access, all libraries) */
    bool over_cap; /* monthly_cap set and units > monthly_cap */
    /* From the access logs (table quota_excess), summed over the month's log
     * files; all 0 when no log reported an excess. */
    int64_t quota;              /* the quota the logs were checked against, 0 if none */
    int64_t patrons_over_quota; /* pseudonymous patrons above it (a count, no identity) */
    int64_t extra_units;        /* units their uses beyond the quota cost */
} bl_forfait_month;

/* One partner's part of the units used. */
typedef struct bl_forfait_share {
    char *partner_id;   /* NULL for unattributed usage (no library matched) */
    char *partner_name; /* NULL for unattributed usage */
    int64_t units;
    /* Share of `used` in tenths of a percent, rounded half up (0 if used is 0). */
    int64_t percent_tenths;
} bl_forfait_share;

typedef struct bl_forfait_status {
    /* The package as imported from forfaits.csv. */
    char *id, *resource_id, *resource_name, *metric;
    int64_t units;
    int64_t start_day, end_day; /* first and last day of the contract, inclusive */
    char start[11], end[11];    /* the same as YYYY-MM-DD */
    int64_t monthly_cap;        /* -1 when none */
    int64_t quota;              /* per_patron_monthly_quota, -1 when none */
    int alert_percent;

    int64_t at_day; /* the date asked */
    /* Consumption: months of the contract up to the date's month. */
    int64_t used, remaining;  /* remaining = units - used, negative when overrun */
    int64_t percent_tenths;   /* used / units in tenths of a percent, rounded half up */
    bl_forfait_share *shares; /* by units descending, then partner id; unattributed last */
    size_t nshares;
    bl_forfait_month *months; /* contract months from the start's month to min(end, date) */
    size_t nmonths;
    size_t months_over_cap;
    int64_t patrons_over_quota; /* summed over the months (a patron may count in several) */
    int64_t extra_units;

    /* Burn rate: units per day over the complete months of the window (the
     * three calendar months before the date's month, within the contract,
     * those with data). burn_days is 0 when there is no such month. */
    int burn_months;
    int64_t burn_units, burn_days;
    int64_t burn_rate_milli;  /* units per day × 1000, rounded half up; display only */
    int64_t burn_rate_tenths; /* units per day × 10, rounded half up; display only */

    /* Projection (see docs/forfaits.md): from anchor_day, the day after the
     * last day the data covers, remaining units consumed at burn_units /
     * burn_days a day. exhaustion_day is the day the units reach 0: projected
     * (BEFORE_END; PROBABLY_EXHAUSTED when that day is before the date;
     * COVERS when it falls after the end) or, when exhausted, estimated
     * within the month the total crossed `units`. -1 when unknown (or
     * beyond year 9999). Every figure here is computed with saturating
     * arithmetic: whatever the store holds, nothing overflows. */
    bl_forfait_outlook outlook;
    int64_t anchor_day;
    int64_t exhaustion_day;
    char exhaustion[11];      /* YYYY-MM-DD, "" when exhaustion_day is -1 */
    int64_t days_before_end;  /* end_day - exhaustion_day when BEFORE_END or
                                 PROBABLY_EXHAUSTED, else 0 */
    int64_t remaining_at_end; /* COVERS: units projected to be left at the end */

    bl_forfait_state state;
} bl_forfait_status;

/* Prepares f for reading its usage: with the contract (start_day, end_day)
 * and the date asked (at_day) set, writes start and end as YYYY-MM-DD and
 * allocates f->months, the contract's months from the start's month to the
 * end's or the date's, whichever comes first (none when the date is before
 * the start's month), each with its month index only. BL_NOMEM. */
bl_status bl_forfait_begin(bl_forfait_status *f);
/* The slot of month index mi among f->months, or NULL when mi is not one of
 * them. */
bl_forfait_month *bl_forfait_month_at(bl_forfait_status *f, int mi);
/* Appends a partner's units to f->shares (partner_id and partner_name NULL
 * for usage no library matched; both copied). BL_NOMEM. */
bl_status bl_forfait_add_share(bl_forfait_status *f, const char *partner_id,
                               const char *partner_name, int64_t units);
/* Everything derived from the months and the shares' units: consumption,
 * shares' percentages and order, months over the cap, quota excess, burn
 * rate, projection, state (docs/forfaits.md). Call once, after the usage is
 * read. Saturating arithmetic: nothing overflows whatever the figures. */
void bl_forfait_compute(bl_forfait_status *f);

/* Releases an array of n statuses (from bl_forfait_status_all, or a
 * malloc'd array of statuses given to bl_forfait_begin); accepts NULL. */
void bl_forfait_status_free(bl_forfait_status *f, size_t n);

/* "ok", "watch", "exhausted" (the CSV and text spellings, a contract). */
const char *bl_forfait_state_name(bl_forfait_state s);

/* The French projection sentence for reports, written into out (UTF-8,
 * NUL-terminated, truncated safely; 512 bytes are always enough). E.g.
 * "Au rythme actuel, le forfait sera épuisé vers le 14 octobre 2026, 78 jours
 * avant la fin du contrat."; a projection already past is said as such:
 * "Le forfait est probablement épuisé depuis le 21 novembre 2026 : les
 * données de novembre ne sont pas encore arrivées." Returns out. */
char *bl_forfait_sentence(const bl_forfait_status *f, char *out, size_t n);

#endif
