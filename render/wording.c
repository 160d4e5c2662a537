/* The French word lists and grammar of the reports and emails; the
 * sentences themselves are in render/wording.h. */
#include "wording.h"

#include <string.h>

const char *bl__month_abbr(int m)
{
    static const char *const a[] = {"janv.", "févr.", "mars",  "avr.", "mai",  "juin",
                                    "juil.", "août",  "sept.", "oct.", "nov.", "déc."};
    return m >= 1 && m <= 12 ? a[m - 1] : "?";
}

/* The French names of the kinds of resource, in the order of
 * bl_resource_kinds (common: "ebook", "press", "video", "music",
 * "training", "games", "youth", "other"). */
static const char *const KINDS_FR[] = {"livres numériques", "presse", "vidéo",    "musique",
                                       "autoformation",     "jeux",   "jeunesse", "autre"};
_Static_assert(sizeof KINDS_FR / sizeof KINDS_FR[0] == BL_RESOURCE_KIND_COUNT,
               "one French name per kind of resource");

size_t bl__kind_count(void)
{
    return BL_RESOURCE_KIND_COUNT;
}

const char *bl__kind_id(size_t i)
{
    return i < bl__kind_count() ? bl_resource_kinds[i] : "";
}

const char *bl__kind_fr(const char *kind)
{
    for (size_t i = 0; i < bl__kind_count(); i++)
        if (strcmp(kind, bl_resource_kinds[i]) == 0)
            return KINDS_FR[i];
    return kind;
}

/* In the order of bl_extra_metrics (common: "Loans", "Plays", "Sessions",
 * "Downloads", "Minutes", "Units_Consumed"). */
static const char *const METRICS_FR[] = {"prêts",           "visionnages", "sessions",
                                         "téléchargements", "minutes",     "unités consommées"};
_Static_assert(sizeof METRICS_FR / sizeof METRICS_FR[0] == BL_EXTRA_METRIC_COUNT,
               "one French name per metric of bilan's own");

const char *bl__metric_fr(const char *metric)
{
    for (size_t i = 0; i < BL_EXTRA_METRIC_COUNT; i++)
        if (strcmp(metric, bl_extra_metrics[i]) == 0)
            return METRICS_FR[i];
    return NULL;
}

const char *bl__w_report_title(bl_report_kind k)
{
    static const char *const titles[] = {"Bilan mensuel", "Bilan semestriel", "Bilan annuel",
                                         "Revue du réseau"};
    return (unsigned)k < 4 ? titles[k] : "?";
}

const char *bl__w_report_adjective(bl_report_kind k)
{
    static const char *const adj[] = {"mensuel", "semestriel", "annuel", "du réseau"};
    return (unsigned)k < 4 ? adj[k] : "?";
}

const char *bl__w_gauge_status(bl_gauge_status s)
{
    static const char *const st[] = {"normal", "à surveiller", "épuisé"};
    return (unsigned)s < 3 ? st[s] : "?";
}

/* "en mai 2026", "au 1er semestre 2026", "en année 2026". */
const char *bl__w_in_period(int months)
{
    return months == 6 ? "au" : "en";
}

/* "à avril 2026", "au 2e semestre 2025", "à l'année 2025". */
const char *bl__w_versus_period(int months)
{
    return months == 1 ? "à " : months == 6 ? "au " : "à l'";
}
