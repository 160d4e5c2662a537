/* The French projection sentence of a forfait (include/bilan/forfait.h),
 * from its computed status. It lives beside the arithmetic rather than in
 * render/ because it is part of the figures: the report model carries it
 * (and its fingerprint covers it), the mail quotes it, and `bilan forfait
 * status` prints it; pipeline/ and cli/ cannot call render/ for it. */
#include "bilan/forfait.h"

#include <stdio.h>

static int month_of_day(int64_t day)
{
    int y, m, d;
    bl_civil_from_days(day, &y, &m, &d);
    return bl_month_index(y, m);
}

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
        if (f->days_before_end == 0)
            snprintf(out, n,
                     "Au rythme actuel, le forfait sera épuisé vers le %s, le dernier jour du "
                     "contrat.",
                     d1);
        else
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
