/* Forfaits (prepaid consultation units, DESIGN §7): consumption, partner
 * shares, monthly caps, per-patron quota excess, burn rate, projected
 * exhaustion and status of every package at a given day, read from the
 * store. Whole days and whole units throughout: dates are day numbers
 * (bl_days_from_civil), the projection is exact integer arithmetic on the
 * burn window's units and days, never a float. See docs/forfaits.md. */
#include "store_internal.h"
#include "bilan/forfait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many complete months before the date the burn rate looks at. */
#define BURN_WINDOW_MONTHS 3

const char *bl_forfait_state_name(bl_forfait_state s)
{
    switch (s) {
    case BL_FORFAIT_WATCH:
        return "watch";
    case BL_FORFAIT_EXHAUSTED:
        return "exhausted";
    default:
        return "ok";
    }
}

static void day_iso(int64_t day, char out[11])
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static int64_t month_first_day(int mi)
{
    return bl_days_from_civil(bl_month_year(mi), bl_month_num(mi), 1);
}

static int month_of_day(int64_t day)
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    return bl_month_index(y, m);
}

static int month_days(int mi)
{
    return bl_days_in_month(bl_month_year(mi), bl_month_num(mi));
}

/* Checked arithmetic: a figure read from the store may be anything a hand
 * or an old version wrote there, and a read never fails because of it, so
 * every sum and product saturates instead of overflowing. With imported
 * figures (at most BL_COUNT_MAX) nothing comes near the bounds. */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}

/* floor(a × b / c) for a >= 0, b >= 0, c > 0, exact whenever a × b fits,
 * else computed as (a / c) × b + (a % c) × b / c, saturating. */
static int64_t mul_div(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p / c;
    return sat_add(sat_mul(a / c, b), sat_mul(a % c, b) / c);
}

/* ceil(a × b / c) for a >= 0, b >= 0, c > 0, saturating. */
static int64_t mul_div_ceil(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p))
        return p / c + (p % c != 0);
    int64_t f = mul_div(a, b, c);
    return f == INT64_MAX ? f : f + 1; /* not exact: a × b beyond 64 bits */
}

/* a × b / c rounded half up, for a >= 0, b >= 0, c > 0, saturating. */
static int64_t mul_div_round(int64_t a, int64_t b, int64_t c)
{
    int64_t p;
    if (!__builtin_mul_overflow(a, b, &p) && !__builtin_add_overflow(p, c / 2, &p))
        return p / c;
    return mul_div(a, b, c); /* beyond 64 bits: the half unit is noise */
}

/* Tenths of a percent of part in whole, rounded half up (both >= 0). */
static int64_t tenths_of(int64_t part, int64_t whole)
{
    if (whole <= 0 || part <= 0)
        return 0;
    return mul_div_round(part, 1000, whole);
}

/* The last day a projection may name (dates are written YYYY-MM-DD). */
static int64_t last_day(void)
{
    return bl_days_from_civil(9999, 12, 31);
}

static char *dup_col(sqlite3_stmt *q, int col, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    if (!t)
        return NULL;
    char *s = strdup((const char *)t);
    if (!s)
        *oom = true;
    return s;
}

static sqlite3_stmt *prep(bl_store *st, const char *sql)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        bl__store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

static bl_status step_fail(bl_store *st)
{
    return bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
}

/* The prepared statements, made once for all forfaits. Each takes
 * ?1 resource, ?2 metric, ?3 first month, ?4 last month (YYYY-MM); a
 * statement that does not use ?2 still accepts its binding. */
typedef struct queries {
    sqlite3_stmt *monthly, *present, *shares, *quota;
} queries;

/* Units per month: effective usage (counted once across report types),
 * Regular access, every library and the unattributed alike, since the
 * provider consumes units whoever used them. */
static const char SQL_MONTHLY[] =
    "SELECT month, SUM(value) FROM usage_effective"
    " WHERE resource_id = ?1 AND metric = ?2 AND access_method = 'Regular'"
    " AND month BETWEEN ?3 AND ?4 GROUP BY month";
/* Months with any usage of the resource at all (whatever the metric): a
 * month the provider has not delivered yet is not a month of zero use.
 * Only the rows usage_effective reads: live ones (a superseded row is not
 * data any more) with a value within BL_COUNT_MAX. */
static const char SQL_PRESENT[] =
    "SELECT DISTINCT month FROM usage WHERE resource_id = ?1 AND month BETWEEN ?3 AND ?4"
    " AND live = 1 AND value BETWEEN 0 AND 1000000000";
static const char SQL_SHARES[] =
    "SELECT l.partner_id, p.name, SUM(u.value) FROM usage_effective u"
    " LEFT JOIN library l ON l.id = u.library_id LEFT JOIN partner p ON p.id = l.partner_id"
    " WHERE u.resource_id = ?1 AND u.metric = ?2 AND u.access_method = 'Regular'"
    " AND u.month BETWEEN ?3 AND ?4 GROUP BY l.partner_id";
/* The same bound as usage_effective's: a figure beyond BL_COUNT_MAX is not
 * read, so SUM cannot overflow (SQLite fails the query when it does). */
static const char SQL_QUOTA[] =
    "SELECT month, MAX(quota), SUM(patrons), SUM(extra_units) FROM quota_excess"
    " WHERE resource_id = ?1 AND month BETWEEN ?3 AND ?4"
    " AND quota BETWEEN 0 AND 1000000000 AND patrons BETWEEN 0 AND 1000000000"
    " AND extra_units BETWEEN 0 AND 1000000000 GROUP BY month";

static void queries_free(queries *qs)
{
    sqlite3_finalize(qs->monthly);
    sqlite3_finalize(qs->present);
    sqlite3_finalize(qs->shares);
    sqlite3_finalize(qs->quota);
}

static void bind4(sqlite3_stmt *q, const bl_forfait_status *f, const char *from, const char *to)
{
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, f->resource_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, f->metric, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, to, -1, SQLITE_TRANSIENT);
}

/* The month slot of a "YYYY-MM" from a query, or NULL when out of range. */
static bl_forfait_month *slot(bl_forfait_status *f, sqlite3_stmt *q)
{
    int mi;
    const char *s = (const char *)sqlite3_column_text(q, 0);
    if (!s || !bl_month_parse(s, &mi) || f->nmonths == 0 || mi < f->months[0].month)
        return NULL;
    size_t i = (size_t)(mi - f->months[0].month);
    return i < f->nmonths ? &f->months[i] : NULL;
}

static int share_cmp(const void *pa, const void *pb)
{
    const bl_forfait_share *a = pa, *b = pb;
    if (!a->partner_id != !b->partner_id)
        return a->partner_id ? -1 : 1; /* unattributed last */
    if (a->units != b->units)
        return a->units > b->units ? -1 : 1;
    if (!a->partner_id)
        return 0;
    return strcmp(a->partner_id, b->partner_id);
}

/* Reads the months, shares and quota excess of one forfait from the store. */
static bl_status load_usage(bl_store *st, queries *qs, bl_forfait_status *f)
{
    char from[8], to[8];
    bl_month_format(f->months[0].month, from);
    bl_month_format(f->months[f->nmonths - 1].month, to);
    int r;

    bind4(qs->monthly, f, from, to);
    while ((r = sqlite3_step(qs->monthly)) == SQLITE_ROW) {
        bl_forfait_month *fm = slot(f, qs->monthly);
        if (fm)
            fm->units = sat_add(fm->units, sqlite3_column_int64(qs->monthly, 1));
    }
    if (r != SQLITE_DONE)
        return step_fail(st);

    bind4(qs->present, f, from, to);
    while ((r = sqlite3_step(qs->present)) == SQLITE_ROW) {
        bl_forfait_month *fm = slot(f, qs->present);
        if (fm)
            fm->has_data = true;
    }
    if (r != SQLITE_DONE)
        return step_fail(st);

    bind4(qs->quota, f, from, to);
    while ((r = sqlite3_step(qs->quota)) == SQLITE_ROW) {
        bl_forfait_month *fm = slot(f, qs->quota);
        if (!fm)
            continue;
        fm->quota = sqlite3_column_int64(qs->quota, 1);
        fm->patrons_over_quota = sqlite3_column_int64(qs->quota, 2);
        fm->extra_units = sqlite3_column_int64(qs->quota, 3);
    }
    if (r != SQLITE_DONE)
        return step_fail(st);

    size_t cap = 0;
    bind4(qs->shares, f, from, to);
    while ((r = sqlite3_step(qs->shares)) == SQLITE_ROW) {
        if (f->nshares == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            bl_forfait_share *ns = realloc(f->shares, ncap * sizeof *ns);
            if (!ns)
                return BL_NOMEM;
            f->shares = ns;
            cap = ncap;
        }
        bool oom = false;
        bl_forfait_share *s = &f->shares[f->nshares++];
        memset(s, 0, sizeof *s);
        s->partner_id = dup_col(qs->shares, 0, &oom);
        s->partner_name = dup_col(qs->shares, 1, &oom);
        s->units = sqlite3_column_int64(qs->shares, 2);
        if (oom)
            return BL_NOMEM;
    }
    if (r != SQLITE_DONE)
        return step_fail(st);
    return BL_OK;
}

/* The day the cumulative use crossed `units`, assuming the crossing month's
 * use was spread evenly over the days it covers (the whole month, or up to
 * the date in the date's own month). */
static int64_t exhaustion_estimate(const bl_forfait_status *f)
{
    int64_t before = 0;
    int at_month = month_of_day(f->at_day);
    for (size_t i = 0; i < f->nmonths; i++) {
        const bl_forfait_month *fm = &f->months[i];
        if (sat_add(before, fm->units) >= f->units && fm->units > 0) {
            int64_t first = month_first_day(fm->month);
            int64_t covered = fm->month == at_month ? f->at_day - first + 1 : month_days(fm->month);
            /* units - before is in 0..fm->units: the day is within the month. */
            int64_t day = first + mul_div_ceil(f->units - before, covered, fm->units) - 1;
            return day < f->start_day ? f->start_day : day;
        }
        before = sat_add(before, fm->units);
    }
    return -1;
}

/* Everything derived from the months: totals, shares' percentages, caps,
 * burn rate, projection, state. */
static void compute(bl_forfait_status *f)
{
    int at_month = month_of_day(f->at_day);
    int last_with_data = -1;
    for (size_t i = 0; i < f->nmonths; i++) {
        bl_forfait_month *fm = &f->months[i];
        f->used = sat_add(f->used, fm->units);
        fm->over_cap = f->monthly_cap >= 0 && fm->units > f->monthly_cap;
        f->months_over_cap += fm->over_cap;
        f->patrons_over_quota = sat_add(f->patrons_over_quota, fm->patrons_over_quota);
        f->extra_units = sat_add(f->extra_units, fm->extra_units);
        if (fm->has_data)
            last_with_data = fm->month;
        /* Burn window: the complete months just before the date's month. */
        if (fm->has_data && fm->month < at_month && fm->month >= at_month - BURN_WINDOW_MONTHS) {
            f->burn_months++;
            f->burn_units = sat_add(f->burn_units, fm->units);
            f->burn_days += month_days(fm->month);
        }
    }
    f->remaining = sat_sub(f->units, f->used);
    f->percent_tenths = tenths_of(f->used, f->units);
    for (size_t i = 0; i < f->nshares; i++)
        f->shares[i].percent_tenths = tenths_of(f->shares[i].units, f->used);
    if (f->nshares > 1)
        qsort(f->shares, f->nshares, sizeof *f->shares, share_cmp);
    if (f->burn_days > 0)
        f->burn_rate_milli = mul_div_round(f->burn_units, 1000, f->burn_days);

    /* Consumption is known up to the end of the last month with data; in the
     * date's own month, up to the day before the date. */
    if (last_with_data < 0)
        f->anchor_day = f->at_day;
    else if (last_with_data < at_month)
        f->anchor_day = month_first_day(last_with_data + 1);
    else
        f->anchor_day = f->at_day;
    if (f->anchor_day < f->start_day)
        f->anchor_day = f->start_day;

    f->exhaustion_day = -1;
    f->state = BL_FORFAIT_OK;
    if (f->at_day < f->start_day) {
        f->outlook = BL_OUTLOOK_NOT_STARTED;
    } else if (f->remaining <= 0) {
        f->outlook = BL_OUTLOOK_EXHAUSTED;
        f->state = BL_FORFAIT_EXHAUSTED;
        f->exhaustion_day = exhaustion_estimate(f);
    } else if (f->at_day > f->end_day) {
        f->outlook = BL_OUTLOOK_ENDED;
    } else if (f->burn_days == 0) {
        f->outlook = BL_OUTLOOK_NO_DATA;
    } else if (f->burn_units == 0) {
        f->outlook = BL_OUTLOOK_COVERS;
        f->remaining_at_end = f->remaining;
    } else {
        /* Remaining units last k days at burn_units / burn_days a day: they
         * reach 0 during the k-th day counted from the anchor (day 1). */
        int64_t k = mul_div_ceil(f->remaining, f->burn_days, f->burn_units);
        /* Beyond year 9999 there is no date to name: it covers, no day. */
        f->exhaustion_day = k - 1 <= last_day() - f->anchor_day ? f->anchor_day + k - 1 : -1;
        if (f->exhaustion_day >= 0 && f->exhaustion_day < f->end_day) {
            f->outlook = BL_OUTLOOK_BEFORE_END;
            f->days_before_end = f->end_day - f->exhaustion_day;
            /* Projected to a day already past: the months since the data
             * stop have not arrived, and the package has probably run out. */
            if (f->exhaustion_day < f->at_day)
                f->outlook = BL_OUTLOOK_PROBABLY_EXHAUSTED;
        } else {
            f->outlook = BL_OUTLOOK_COVERS;
            int64_t days_left = f->end_day - f->anchor_day + 1;
            f->remaining_at_end =
                sat_sub(f->remaining, mul_div(f->burn_units, days_left, f->burn_days));
        }
    }
    if (f->exhaustion_day >= 0)
        day_iso(f->exhaustion_day, f->exhaustion);
    if (f->state == BL_FORFAIT_OK && f->outlook != BL_OUTLOOK_NOT_STARTED &&
        f->outlook != BL_OUTLOOK_ENDED &&
        (f->percent_tenths >= (int64_t)f->alert_percent * 10 ||
         f->outlook == BL_OUTLOOK_BEFORE_END || f->outlook == BL_OUTLOOK_PROBABLY_EXHAUSTED))
        f->state = BL_FORFAIT_WATCH;
}

static bool iso_day(const char *s, int64_t *day)
{
    int y, m, d;
    if (!s || !bl_date_parse(s, &y, &m, &d))
        return false;
    *day = bl_days_from_civil(y, m, d);
    return true;
}

static void status_release(bl_forfait_status *f)
{
    free(f->id);
    free(f->resource_id);
    free(f->resource_name);
    free(f->metric);
    for (size_t i = 0; i < f->nshares; i++) {
        free(f->shares[i].partner_id);
        free(f->shares[i].partner_name);
    }
    free(f->shares);
    free(f->months);
}

void bl_forfait_status_free(bl_forfait_status *f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++)
        status_release(&f[i]);
    free(f);
}

bl_status bl_forfait_status_all(bl_store *st, int y, int m, int d, bl_forfait_status **out,
                                size_t *n)
{
    *out = NULL;
    *n = 0;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > bl_days_in_month(y, m))
        return bl__store_fail(st, BL_USAGE, "%04d-%02d-%02d is not a date", y, m, d);
    int64_t at = bl_days_from_civil(y, m, d);
    int at_month = bl_month_index(y, m);
    bl_forfait_status *fs = NULL;
    size_t nf = 0, cap = 0;
    queries qs = {0};
    bl_status rc = BL_OK;
    int r;
    sqlite3_stmt *q = prep(st, "SELECT f.id, f.resource_id, r.name, f.metric, f.units, f.start,"
                               " f.end, f.monthly_cap, f.per_patron_monthly_quota, f.alert_percent"
                               " FROM forfait f LEFT JOIN resource r ON r.id = f.resource_id"
                               " ORDER BY f.id");
    if (!q || !(qs.monthly = prep(st, SQL_MONTHLY)) || !(qs.present = prep(st, SQL_PRESENT)) ||
        !(qs.shares = prep(st, SQL_SHARES)) || !(qs.quota = prep(st, SQL_QUOTA))) {
        rc = BL_INTERNAL;
        goto out;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (nf == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            bl_forfait_status *nfs = realloc(fs, ncap * sizeof *nfs);
            if (!nfs) {
                rc = BL_NOMEM;
                goto out;
            }
            fs = nfs;
            cap = ncap;
        }
        bl_forfait_status *f = &fs[nf++];
        memset(f, 0, sizeof *f);
        bool oom = false;
        f->id = dup_col(q, 0, &oom);
        f->resource_id = dup_col(q, 1, &oom);
        f->resource_name = dup_col(q, 2, &oom);
        f->metric = dup_col(q, 3, &oom);
        if (oom || !f->id || !f->resource_id || !f->metric) {
            rc = oom ? BL_NOMEM : bl__store_fail(st, BL_DATA, "forfait with an empty column");
            goto out;
        }
        if (!f->resource_name && !(f->resource_name = strdup(f->resource_id))) {
            rc = BL_NOMEM;
            goto out;
        }
        f->units = sqlite3_column_int64(q, 4);
        if (!iso_day((const char *)sqlite3_column_text(q, 5), &f->start_day) ||
            !iso_day((const char *)sqlite3_column_text(q, 6), &f->end_day) || f->units <= 0) {
            rc =
                bl__store_fail(st, BL_DATA, "forfait '%s': bad units or dates in the store", f->id);
            goto out;
        }
        day_iso(f->start_day, f->start);
        day_iso(f->end_day, f->end);
        f->monthly_cap = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 7);
        f->quota = sqlite3_column_type(q, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 8);
        f->alert_percent = sqlite3_column_int(q, 9);
        f->at_day = at;

        /* The contract's months, from the start's month to the end's or the
         * date's, whichever comes first. */
        int first = month_of_day(f->start_day), last = month_of_day(f->end_day);
        if (at_month < last)
            last = at_month;
        if (last >= first) {
            f->nmonths = (size_t)(last - first + 1);
            f->months = calloc(f->nmonths, sizeof *f->months);
            if (!f->months) {
                rc = BL_NOMEM;
                goto out;
            }
            for (size_t i = 0; i < f->nmonths; i++)
                f->months[i].month = first + (int)i;
            if ((rc = load_usage(st, &qs, f)) != BL_OK)
                goto out;
        }
        compute(f);
    }
    if (r != SQLITE_DONE)
        rc = step_fail(st);
out:
    sqlite3_finalize(q);
    queries_free(&qs);
    if (rc != BL_OK) {
        bl_forfait_status_free(fs, nf);
        return rc;
    }
    *out = fs;
    *n = nf;
    return BL_OK;
}

/* ---- the French sentence ------------------------------------------------------ */

static void fr_day(int64_t day, char *out, size_t n)
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    bl_fr_date(out, n, y, m, d);
}

/* "78 jours", "1 jour", "1 234 unités" (French: 0 and 1 take the singular). */
static void fr_count(int64_t v, const char *one, const char *many, char *out, size_t n)
{
    char num[48];
    bl_fr_int(num, sizeof num, v);
    snprintf(out, n, "%s %s", num, v >= -1 && v <= 1 ? one : many);
}

/* "de novembre", "d'octobre", "de décembre 2026" (with the year when asked). */
static void fr_of_month(int mi, bool year, char *out, size_t n)
{
    const char *name = bl_fr_month_name(bl_month_num(mi));
    bool vowel = name[0] == 'a' || name[0] == 'o'; /* avril, août, octobre */
    if (year)
        snprintf(out, n, "%s%s %d", vowel ? "d'" : "de ", name, bl_month_year(mi));
    else
        snprintf(out, n, "%s%s", vowel ? "d'" : "de ", name);
}

/* The months whose data is missing, from the anchor's month to the date's:
 * "de novembre", "d'octobre et de novembre", "de septembre à novembre",
 * with the years when they differ. */
static void fr_missing_months(const bl_forfait_status *f, char *out, size_t n)
{
    int first = month_of_day(f->anchor_day), last = month_of_day(f->at_day);
    if (last < first)
        last = first;
    bool years = bl_month_year(first) != bl_month_year(last);
    char a[48], b[48];
    fr_of_month(first, years, a, sizeof a);
    fr_of_month(last, years, b, sizeof b);
    if (first == last)
        snprintf(out, n, "%s", a);
    else if (last == first + 1)
        snprintf(out, n, "%s et %s", a, b);
    else /* "de septembre à novembre": the range's end takes no "de" */
        snprintf(out, n, "%s à %s", a, b + (b[1] == '\'' ? 2 : 3));
}

char *bl_forfait_sentence(const bl_forfait_status *f, char *out, size_t n)
{
    char d1[64], d2[64], c1[80], c2[80];
    switch (f->outlook) {
    case BL_OUTLOOK_NOT_STARTED:
        fr_day(f->start_day, d1, sizeof d1);
        snprintf(out, n, "Le forfait commence le %s.", d1);
        break;
    case BL_OUTLOOK_NO_DATA:
        snprintf(out, n,
                 "Aucune donnée de consommation sur les trois derniers mois complets" BL_NBSP
                 ": pas de projection possible.");
        break;
    case BL_OUTLOOK_COVERS:
        fr_day(f->end_day, d1, sizeof d1);
        if (f->burn_units == 0) {
            snprintf(out, n,
                     "Au rythme actuel, le forfait couvrira la période du contrat "
                     "(aucune consommation sur les trois derniers mois).");
        } else {
            fr_count(f->remaining_at_end, "unité", "unités", c1, sizeof c1);
            snprintf(out, n,
                     "Au rythme actuel, le forfait couvrira la période du contrat "
                     "(il resterait environ %s le %s).",
                     c1, d1);
        }
        break;
    case BL_OUTLOOK_BEFORE_END:
        fr_day(f->exhaustion_day, d1, sizeof d1);
        fr_count(f->days_before_end, "jour", "jours", c1, sizeof c1);
        snprintf(out, n,
                 "Au rythme actuel, le forfait sera épuisé vers le %s, %s avant la fin "
                 "du contrat.",
                 d1, c1);
        break;
    case BL_OUTLOOK_PROBABLY_EXHAUSTED: {
        char months[160];
        fr_day(f->exhaustion_day, d1, sizeof d1);
        fr_missing_months(f, months, sizeof months);
        snprintf(out, n,
                 "Le forfait est probablement épuisé depuis le %s" BL_NBSP
                 ": les données %s ne sont pas encore arrivées.",
                 d1, months);
        break;
    }
    case BL_OUTLOOK_EXHAUSTED:
        fr_day(f->exhaustion_day >= 0 ? f->exhaustion_day : f->at_day, d1, sizeof d1);
        fr_day(f->end_day, d2, sizeof d2);
        if (f->at_day <= f->end_day)
            snprintf(out, n,
                     "Forfait épuisé le %s" BL_NBSP ": la ressource est suspendue "
                     "jusqu'au %s.",
                     d1, d2);
        else
            snprintf(out, n,
                     "Forfait épuisé le %s" BL_NBSP ": la ressource a été suspendue "
                     "jusqu'à la fin du contrat, le %s.",
                     d1, d2);
        break;
    case BL_OUTLOOK_ENDED:
        fr_day(f->end_day, d1, sizeof d1);
        fr_count(f->used, "unité consommée", "unités consommées", c1, sizeof c1);
        bl_fr_int(c2, sizeof c2, f->units);
        snprintf(out, n, "Contrat terminé le %s" BL_NBSP ": %s sur %s.", d1, c1, c2);
        break;
    }
    return out;
}
