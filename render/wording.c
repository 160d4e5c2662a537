/* The French word lists and grammar of the reports and emails; the
 * sentences themselves are in render/wording.h. */
#include "wording.h"
#include "bilan/render.h"

#include <stdio.h>
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

const char *bl__format_fr(const char *format)
{
    static const struct {
        const char *id, *fr;
    } f[] = {{"counter5", "COUNTER R5"},
             {"counter4", "COUNTER R4"},
             {"counter5-json", "COUNTER R5 (JSON)"},
             {"profile", "export du fournisseur"},
             {"combined", "journal d'accès"},
             {"common", "journal d'accès"},
             {"ezproxy", "journal d'accès"},
             {"custom", "journal d'accès"}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(format, f[i].id) == 0 || (strncmp(format, "custom:", 7) == 0 && i == 7))
            return f[i].fr;
    return format;
}

/* In the order of bl_extra_metrics (common: "Loans", "Plays", "Sessions",
 * "Downloads", "Minutes", "Units_Consumed"). */
static const char *const METRICS_FR[] = {"prêts",           "visionnages", "sessions",
                                         "téléchargements", "minutes",     "unités consommées"};
_Static_assert(sizeof METRICS_FR / sizeof METRICS_FR[0] == BL_EXTRA_METRIC_COUNT,
               "one French name per metric of bilan's own");

static const char *const METRICS_FR_ONE[] = {"prêt",           "visionnage", "session",
                                             "téléchargement", "minute",     "unité consommée"};
_Static_assert(sizeof METRICS_FR_ONE / sizeof METRICS_FR_ONE[0] == BL_EXTRA_METRIC_COUNT,
               "one French singular per metric of bilan's own");

const char *bl__w_inhabitants(int64_t n)
{
    return n > 1 ? "habitants" : "habitant";
}

const char *bl__metric_fr(const char *metric, const char *kind)
{
    return bl__metric_fr_n(metric, 2, kind);
}

const char *bl__metric_fr_n(const char *metric, int64_t n, const char *kind)
{
    /* (« Musique en ligne (visionnages) » until 3 December 2026) */
    if (metric && kind && strcmp(metric, "Plays") == 0 && strcmp(kind, "music") == 0)
        return n > 1 ? "écoutes" : "écoute";
    for (size_t i = 0; metric && i < BL_EXTRA_METRIC_COUNT; i++)
        if (strcmp(metric, bl_extra_metrics[i]) == 0)
            return n > 1 ? METRICS_FR[i] : METRICS_FR_ONE[i];
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

/* "pour avril 2026", "pour le 1er semestre 2026", "pour l'année 2025". */
const char *bl__w_for_period(int months)
{
    return months == 1 ? "pour " : months == 6 ? "pour le " : "pour l'";
}

/* "à avril 2026", "au 2e semestre 2025", "à l'année 2025". */
const char *bl__w_versus_period(int months)
{
    return months == 1 ? "à " : months == 6 ? "au " : "à l'";
}

/* ---- names in sentences (issue 15) */

const char *bl_render_network_name(const char *name)
{
    return name && *name ? name : BL_W_NETWORK_NAME;
}

char *bl_render_network_contact(char *out, size_t n, const char *email, const char *website)
{
    bool e = email && *email, w = website && *website;
    snprintf(out, n, "%s%s%s", e ? email : "", e && w ? BL_W_CONTACT_SEP : "", w ? website : "");
    return out;
}

/* Does s start with word w followed by a space, a hyphen or its end? */
static bool starts_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    return strncmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '-' || s[n] == '\0');
}

static bool starts_vowel(const char *s)
{
    static const char *const v[] = {"A", "E", "I", "O", "U", "Y", "a", "e", "i", "o", "u",
                                    "y", "É", "È", "Ê", "À", "Â", "Î", "Ô", "é", "H", "h"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (strncmp(s, v[i], strlen(v[i])) == 0)
            return true;
    return false;
}

/* The article a name takes: "le", "la", "l'", "les" or "" (none). */
static const char *infer_article(const char *name, const char *kind)
{
    static const char *const la[] = {"Commune",      "Communauté",   "Métropole", "Ville",
                                     "Médiathèque",  "Bibliothèque", "Mairie",    "Région",
                                     "Collectivité", "Maison"};
    static const char *const le[] = {"Département", "Conseil", "Syndicat",   "Pays",
                                     "Réseau",      "Centre",  "Groupement", "Service"};
    static const char *const les[] = {"Communes", "Bibliothèques", "Médiathèques"};
    for (size_t i = 0; i < sizeof les / sizeof les[0]; i++)
        if (starts_word(name, les[i]))
            return "les";
    bool fem = false, masc = false;
    for (size_t i = 0; i < sizeof la / sizeof la[0]; i++)
        fem = fem || starts_word(name, la[i]);
    for (size_t i = 0; i < sizeof le / sizeof le[0]; i++)
        masc = masc || starts_word(name, le[i]);
    (void)kind; /* the kinds' nouns are the words above (commune, communauté, département) */
    if ((fem || masc) && starts_vowel(name))
        return "l'";
    return fem ? "la" : masc ? "le" : "";
}

char *bl_render_partner_of(char *out, size_t n, const char *name, const char *kind,
                           const char *article)
{
    const char *a = article && *article ? article : infer_article(name, kind ? kind : "");
    if (strcmp(a, "-") == 0)
        a = "";
    if (strcmp(a, "le") == 0)
        snprintf(out, n, "du %s", name);
    else if (strcmp(a, "la") == 0)
        snprintf(out, n, "de la %s", name);
    else if (strcmp(a, "l'") == 0)
        snprintf(out, n, "de l'%s", name);
    else if (strcmp(a, "les") == 0)
        snprintf(out, n, "des %s", name);
    else
        snprintf(out, n, starts_vowel(name) ? "d'%s" : "de %s", name);
    return out;
}
