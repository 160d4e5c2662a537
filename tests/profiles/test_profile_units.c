/* Profiles, unit level: every month form a French back office writes, the
 * number forms of a count, and the INI checks, on the ingest layer's own
 * functions (the end-to-end cases are in test_profiles.c). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "bilan/aggregate.h"
#include "bilan/profile.h"
#include "counter_internal.h"

static int month_of(const char *s)
{
    int mi = -1;
    cr_assert(bl__ctr_month(bl_sv_from(s), &mi), "'%s' is a month", s);
    return mi;
}

Test(profile_units, month_forms)
{
    int oct = bl_month_index(2026, 10);
    const char *forms[] = {"2026-10",  "10/2026", "01/10/2026", "oct. 2026",    "octobre 2026",
                           "Oct-2026", "oct-26",  "2026-10-01", "OCTOBRE 2026", " oct 2026 "};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        cr_assert_eq(month_of(forms[i]), oct, "%s", forms[i]);
    cr_assert_eq(month_of("févr. 2026"), bl_month_index(2026, 2));
    cr_assert_eq(month_of("août 2026"), bl_month_index(2026, 8));
    cr_assert_eq(month_of("déc.-25"), bl_month_index(2025, 12));
    int mi;
    cr_assert_not(bl__ctr_month(bl_sv_from("15/10/2026"), &mi), "a day is not a month heading");
    cr_assert_not(bl__ctr_month(bl_sv_from("Total"), &mi));
    cr_assert_not(bl__ctr_month(bl_sv_from("13/2026"), &mi));
}

Test(profile_units, date_forms_summed_into_months)
{
    int oct = bl_month_index(2026, 10), mi = -1;
    const char *forms[] = {
        "15/10/2026",           "2026-10-15", "2026-10-15 08:30", "15/10/2026 08:30",
        "2026-10-15T08:30:00Z", "01/10/2026", "oct. 2026",        "2026-10"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        mi = -1;
        cr_assert(bl__ctr_date_month(bl_sv_from(forms[i]), &mi), "%s", forms[i]);
        cr_assert_eq(mi, oct, "%s", forms[i]);
    }
    /* French order: 10/03/2026 is the 10th of March. */
    cr_assert(bl__ctr_date_month(bl_sv_from("10/03/2026"), &mi));
    cr_assert_eq(mi, bl_month_index(2026, 3));
    cr_assert_not(bl__ctr_date_month(bl_sv_from("32/10/2026"), &mi));
    cr_assert_not(bl__ctr_date_month(bl_sv_from("hier"), &mi));
}

Test(profile_units, accents_case_spaces_ignored_in_names)
{
    char a[64], b[64];
    bl__ctr_fold_norm(bl_sv_from("Bibliothèque"), a, sizeof a);
    bl__ctr_fold_norm(bl_sv_from(" BIBLIOTHEQUE "), b, sizeof b);
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(a, "bibliotheque");
    bl__ctr_fold_norm(bl_sv_from("Nb. d'œuvres prêtées"), a, sizeof a);
    cr_assert_str_eq(a, "nbdoeuvrespretees");
}

Test(profile_units, extra_metrics)
{
    cr_assert_str_eq(bl__ctr_usage_metric(bl_sv_from("loans")), "Loans");
    cr_assert_str_eq(bl__ctr_usage_metric(bl_sv_from("Units Consumed")), "Units_Consumed");
    cr_assert_str_eq(bl__ctr_usage_metric(bl_sv_from("total_item_requests")),
                     "Total_Item_Requests");
    cr_assert_null(bl__ctr_usage_metric(bl_sv_from("Lectures")));
    /* COUNTER reports keep COUNTER's metrics only. */
    cr_assert_null(bl__ctr_metric(bl_sv_from("Loans")));
}

static bl_status parse(const char *text, bl_profile *p, char *err)
{
    return bl_profile_parse("kiosque", "profiles/kiosque.ini", text, strlen(text), p, err, 512);
}

Test(profile_units, ini_good)
{
    bl_profile p;
    char err[512] = "";
    const char *t = "\xEF\xBB\xBF; a comment\n"
                    "[profile]\r\n"
                    "resource = presse\n"
                    "match = Bibliothèque; Mois; Lectures   ; cells of the header row\n"
                    "library = Bibliothèque\n"
                    "month = Mois # inline\n"
                    "[metrics]\n"
                    "Lectures = total item requests\n"
                    "Prêts = Loans\n";
    cr_assert_eq(parse(t, &p, err), BL_OK, "%s", err);
    cr_assert_str_eq(p.resource, "presse");
    cr_assert_eq(p.nmatch, 3);
    cr_assert_str_eq(p.match[0], "Bibliothèque");
    cr_assert_str_eq(p.match[2], "Lectures");
    cr_assert_str_eq(p.month, "Mois");
    cr_assert_eq(p.layout, BL_PROF_LONG);
    cr_assert_eq(p.nmetrics, 2);
    cr_assert_str_eq(p.metrics[0].metric, "Total_Item_Requests");
    cr_assert_str_eq(p.metrics[1].column, "Prêts");
    cr_assert_eq(p.metrics[1].line, 9);
    cr_assert_eq(p.allocate, BL_ALLOC_NONE);
    bl_profile_release(&p);
}

Test(profile_units, ini_errors_name_file_and_line)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"[profile]\nresource = presse\nmatch = A\nmonth = A\nlayaut = long\n",
         "profiles/kiosque.ini:5: unknown key 'layaut'"},
        {"[profile]\nresource = presse\nmatch = A\nmonth = A\n[metrics]\nA = Lectures\n",
         "profiles/kiosque.ini:6: 'Lectures' is not a COUNTER R5 metric nor one of bilan's"},
        {"[profile]\nresource = presse\nmatch = A\nlayout = large\n",
         "profiles/kiosque.ini:4: layout: 'large' is neither 'long' nor 'wide'"},
        {"[profile]\nresource = presse\nmatch = A\nallocate = pro rata\n",
         "profiles/kiosque.ini:4: allocate: 'pro rata' is not one of none, population, logs"},
        {"resource = presse\n", "profiles/kiosque.ini:1: 'resource' before any section"},
        {"[profile]\nmatch = A\n", "profiles/kiosque.ini:1: [profile] has no 'resource'"},
        {"[profile]\nresource = presse\nmonth = A\n[metrics]\nA = Loans\n",
         "profiles/kiosque.ini:1: [profile] has no 'match'"},
        {"[profile]\nresource = presse\nmatch = A;;B\n",
         "profiles/kiosque.ini:3: match: an empty cell"},
        {"[profile]\nresource = presse\nmatch = A\n[metrics]\nA = Loans\n",
         "profiles/kiosque.ini:1: layout long needs 'month'"},
        {"[profile]\nresource = presse\nmatch = A\nlayout = wide\n",
         "profiles/kiosque.ini:1: layout wide needs 'metric'"},
        {"[profile]\nresource = presse\nmatch = A\nlibrary = B\nallocate = logs\nmonth = "
         "A\n[metrics]\nC = Loans\n",
         "profiles/kiosque.ini:1: allocate is for network-level totals"},
        {"[profile]\nresource = presse\nresource = vod\n",
         "profiles/kiosque.ini:3: 'resource' given twice (first on line 2)"},
        {"[profil]\n", "profiles/kiosque.ini:1: unknown section [profil]"},
        {"[profile]\nresource presse\n", "profiles/kiosque.ini:2: expected 'key = value'"},
        {"[profile]\nresource =\n", "profiles/kiosque.ini:2: 'resource' has no value"},
        {"[profile]\nresource = pr\xE9sse\n", "profiles/kiosque.ini:2: not UTF-8 text"},
        {"[profile]\nresource = presse\nmatch = A\nlibrary = --\n",
         "profiles/kiosque.ini:4: library: '--' is not a column name"},
        {"[profile]\nresource = presse\nmatch = A\nmonth = A\n[metrics]\n€ = Loans\n",
         "profiles/kiosque.ini:6: '€' is not a column name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bl_profile p;
        char err[512] = "";
        cr_assert_eq(parse(cases[i].text, &p, err), BL_DATA, "case %zu", i);
        cr_assert(strncmp(err, cases[i].err, strlen(cases[i].err)) == 0,
                  "case %zu: got '%s', want '%s...'", i, err, cases[i].err);
    }
    bl_profile p;
    char err[512] = "";
    cr_assert_eq(bl_profile_parse("Kiosque", "k.ini", "[profile]\n", 10, &p, err, sizeof err),
                 BL_DATA);
    cr_assert(strstr(err, "not a valid profile id"), "%s", err);
}

/* ---- allocation: largest remainder, ties by partner id ------------------------ */

static void shares_are(int64_t total, const int64_t *w, size_t n, const int64_t *want)
{
    int64_t got[8], sum = 0;
    cr_assert(bl_allocate_shares(total, w, n, got));
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(got[i], want[i], "total %lld, share %zu: %lld, want %lld", (long long)total, i,
                     (long long)got[i], (long long)want[i]);
        sum += got[i];
    }
    cr_assert_eq(sum, total);
}

Test(profile_units, largest_remainder_by_hand)
{
    /* 3 : 2 : 1 (the shipped network's populations). */
    const int64_t pop[] = {30000, 20000, 10000};
    shares_are(100, pop, 3, (int64_t[]){50, 33, 17}); /* 50 / 33.33 / 16.67 */
    shares_are(7, pop, 3, (int64_t[]){4, 2, 1});      /* 3.5 / 2.33 / 1.17 */
    shares_are(1, pop, 3, (int64_t[]){1, 0, 0});      /* .5 / .33 / .17 */
    shares_are(6, pop, 3, (int64_t[]){3, 2, 1});      /* exact */
    shares_are(0, pop, 3, (int64_t[]){0, 0, 0});
    /* Ties go to the lower index (partner id first): 1 unit among equals. */
    const int64_t eq[] = {5, 5, 5};
    shares_are(1, eq, 3, (int64_t[]){1, 0, 0});
    shares_are(2, eq, 3, (int64_t[]){1, 1, 0});
    shares_are(10, eq, 3, (int64_t[]){4, 3, 3});
    /* 10 by 1 : 1 : 1 : 3 -> 1.67 1.67 1.67 5: floors 1 1 1 5 = 8, two left
     * to the first two (.67 each, tie by order). */
    shares_are(10, (int64_t[]){1, 1, 1, 3}, 4, (int64_t[]){2, 2, 1, 5});
    /* A partner of weight 0 gets nothing, even a remainder. */
    shares_are(5, (int64_t[]){0, 1, 1}, 3, (int64_t[]){0, 3, 2});
    /* Remainders .9 .05 .05: the one unit left goes to the first. */
    shares_are(1, (int64_t[]){90, 5, 5}, 3, (int64_t[]){1, 0, 0});
    /* 101 by 1 : 1 → 50.5 / 50.5 → 51 / 50. */
    shares_are(101, (int64_t[]){1, 1}, 2, (int64_t[]){51, 50});
    /* No overflow at the bounds: 10^12 × 10^9. */
    shares_are(1000000000000LL, (int64_t[]){1000000000, 1000000000, 1000000000}, 3,
               (int64_t[]){333333333334LL, 333333333333LL, 333333333333LL});
    int64_t out[2];
    cr_assert_not(bl_allocate_shares(5, (int64_t[]){0, 0}, 2, out), "no weight, no share");
}

Test(profile_units, allocation_by_logs_falls_back_to_population)
{
    const int64_t pop[] = {30000, 20000, 10000};
    int64_t out[3];
    bool fell = true;
    /* Logs 1 : 0 : 3 → 10 shared 2.5 / 0 / 7.5: floors 2 + 0 + 7 = 9, the
     * one left to the first of the equal remainders (.5). */
    cr_assert(bl_allocate_month(10, BL_BASIS_LOGS, pop, (int64_t[]){1, 0, 3}, 3, out, &fell));
    cr_assert_not(fell);
    cr_assert_eq(out[0], 3);
    cr_assert_eq(out[1], 0);
    cr_assert_eq(out[2], 7);
    cr_assert(bl_allocate_month(10, BL_BASIS_LOGS, pop, (int64_t[]){0, 0, 0}, 3, out, &fell));
    cr_assert(fell, "no log usage that month: population, with a note");
    cr_assert_eq(out[0], 5);
    cr_assert_eq(out[1], 3);
    cr_assert_eq(out[2], 2); /* 5 / 3.33 / 1.67: the unit left to ville-c (.67) */
}
