/* The French wording of the reports and of the partners' emails: every
 * label, heading, sentence, footnote and format the render layer writes,
 * in one place for a proofreader (and, one day, a gettext catalog).
 *
 * Sentences are macros of string literals, so that each printf-style
 * format is still checked against its arguments where it is used (-Wformat)
 * and the bytes written are exactly these. The word lists (months, kinds of
 * resource, report titles, gauge states) and the few grammar rules (« en »
 * or « au », elision) are functions of render/wording.c.
 *
 * Not here, because they are formatting rather than wording: numbers,
 * money, percentages, changes, full month names and dates
 * (bl_fr_* in common/french.c, bilan/common.h); the periods' labels
 * ("mai 2026", "1er semestre 2026", bl_period_label) and the texts a model
 * carries (a forfait gauge's label and projection sentence, the forfait
 * lines of a mail summary), written where those are built.
 *
 * Typography: U+202F (narrow no-break space) groups thousands, U+00A0
 * (BL_NBSP) comes before € and %; « : » and « ; » take a plain space here
 * as in the reports so far (no behaviour change). */
#ifndef BILAN_RENDER_WORDING_H
#define BILAN_RENDER_WORDING_H

#include "bilan/common.h"
#include "bilan/model.h"

/* ---- word lists and grammar (render/wording.c) ------------------------------------ */

/* "janv.", "févr."… for m in 1..12, else "?". */
const char *bl__month_abbr(int m);
/* The kinds of resource, in the order the reports list them ("ebook",
 * "press", …): bl__kind_count() of them, bl__kind_id(i) for i below. */
size_t bl__kind_count(void);
const char *bl__kind_id(size_t i);
/* French name of a resource kind: "livres numériques", "presse"… (an
 * unknown kind is written as it is). */
const char *bl__kind_fr(const char *kind);
/* A source's format as a reader says it: "counter5" → « COUNTER R5 »,
 * "profile" → « export du fournisseur », a log format → « journal
 * d'accès »; an unknown id as it is. */
const char *bl__format_fr(const char *format);
/* The French name of bilan's own metrics (bl_extra_metrics: "Loans" ->
 * "prêts", "Plays" -> "visionnages"...), NULL for any other metric (a
 * COUNTER metric is what reports call consultations). */
const char *bl__metric_fr(const char *metric, const char *kind);
/* "habitant" for 0 and 1 (French takes the singular), else "habitants". */
const char *bl__w_inhabitants(int64_t n);
/* The same for a count of n: "1 session", "2 sessions"; NULL as above. A
 * music resource's plays are « écoutes » (kind: the resource's, may be
 * NULL). */
const char *bl__metric_fr_n(const char *metric, int64_t n, const char *kind);
/* "Bilan mensuel", "Bilan semestriel", "Bilan annuel", "Revue du réseau". */
const char *bl__w_report_title(bl_report_kind k);
/* The adjective of a partner report in its email: "mensuel", "semestriel". */
const char *bl__w_report_adjective(bl_report_kind k);
/* A forfait gauge's state: "normal", "à surveiller", "épuisé". */
const char *bl__w_gauge_status(bl_gauge_status s);
/* The preposition before a period of `months` months, as in "consultations
 * en mai 2026" / "au 1er semestre 2026" / "en année 2026". */
const char *bl__w_in_period(int months);
/* "par rapport à avril 2026", "au 2e semestre 2025", "à l'année 2025": the
 * preposition with its trailing space, or elided ("à l'") without one. */
const char *bl__w_versus_period(int months);
/* "pour ", "pour le ", "pour l'" before a period of that many months. */
const char *bl__w_for_period(int months);

/* ---- symbols shared by every report ------------------------------------------------ */

/* The mark of a partial total, and its footnote's opening words. */
#define BL_PARTIAL_MARK "\xE2\x80\xA0" /* † */
#define BL_W_NONE "—"                  /* no data (which is not zero) */
#define BL_W_NOT_SIGNIFICANT "n.s."    /* a change against a base of 0 */
#define BL_W_EXCLUDED_MARK " *"        /* a change over fewer resources */
#define BL_W_LIST_SEP ", "
#define BL_W_LIST_LAST " et " /* before a list's last item */
#define BL_W_TOTAL "Total"
#define BL_W_PROVISIONAL_PAREN " (provisoire)"

/* Network-level totals of vendor profiles (docs/profiles.md): a partner's
 * share is an estimate, marked and explained in a footnote with its rule;
 * a total kept at network level is marked in the network reports. */
#define BL_ESTIMATE_MARK "\xE2\x80\xA1"  /* ‡ */
#define BL_NETWORK_LEVEL_MARK "\xC2\xA7" /* § */
#define BL_W_ESTIMATE_NOTE                                                                          \
    BL_ESTIMATE_MARK " Estimation pour %s : le fournisseur ne donne qu'un total pour tout le "      \
                     "réseau ; la part de chaque partenaire est calculée %s, par la méthode du " \
                     "plus fort reste (les parts font exactement le total).%s"
#define BL_W_ESTIMATE_BY_POPULATION "au prorata de sa population"
#define BL_W_ESTIMATE_BY_LOGS                                                               \
    "au prorata des consultations de la ressource que les journaux d'accès ont comptées " \
    "pour lui ce mois-là"
#define BL_W_ESTIMATE_FALLBACK \
    " Un mois sans journaux d'accès est réparti au prorata de la population."
#define BL_W_NETWORK_LEVEL_NOTE                                                              \
    BL_NETWORK_LEVEL_MARK " %s : total donné par le fournisseur pour tout le réseau ; il " \
                          "compte dans les chiffres du réseau, dans ceux d'aucun partenaire."
#define BL_W_NETWORK_LEVEL_NOTE_PARTNER                                                      \
    BL_NETWORK_LEVEL_MARK " %s : le fournisseur ne donne qu'un total pour tout le réseau, " \
                          "qui n'est pas réparti entre les partenaires : il ne compte pas " \
                          "dans vos chiffres."

/* ---- the document: metadata, footer, tables, charts -------------------------------- */

#define BL_W_NETWORK_NAME "Réseau départemental"
/* Footer: report title, who, period, and « PROVISOIRE » on every page. */
#define BL_W_FOOTER "%s · %s · %s%s"
#define BL_W_FOOTER_PROVISIONAL " · PROVISOIRE"
#define BL_W_PAGE_OF "Page %zu / %zu"
/* PDF metadata: title ("Bilan mensuel — Name — mai 2026 (provisoire)") and
 * subject. */
#define BL_W_PDF_TITLE "%s — %s — %s%s"
#define BL_W_PDF_SUBJECT "Usage des ressources numériques des bibliothèques, %s"
/* A table's title over its continuation on the next page. */
#define BL_W_TABLE_CONTINUED "%s (suite)"
#define BL_W_CHART_NOT_RECEIVED "données non reçues"
#define BL_W_CHART_MISSING "?"
#define BL_W_CHART_HOLLOW \
    "Point creux : mois où les données d'au moins une ressource manquent (total incomplet)."
/* "Label : 1 200 unités utilisées sur 2 000 (60,0 %) — à surveiller". */
#define BL_W_GAUGE_LINE "%s : %s unités utilisées sur %s (%s) — %s"
/* 0 and 1 take the singular in French. */
#define BL_W_GAUGE_LINE_ONE "%s : %s unité utilisée sur %s (%s) — %s"
#define BL_W_GAUGE_THRESHOLD "seuil d'alerte %d" BL_NBSP "%%"
/* Chart labels: "janv. 26" (first month, or a January). */
#define BL_W_MONTH_SHORT_YEAR "%s %02d"
#define BL_W_LAST_12_MONTHS "12 derniers mois"
#define BL_W_PREVIOUS_12_MONTHS "12 mois précédents"

/* ---- blocks shared by the layouts --------------------------------------------------- */

#define BL_W_EDITED "Édité le %s"
#define BL_W_EDITED_PROVISIONAL \
    "Édité le %s · PROVISOIRE : la période n'est pas terminée, ses chiffres changeront"
/* The base of a change under its card: "avril 2026 : 1 200 *", or why
 * there is none. */
#define BL_W_BASE_LINE "%s : %s%s"
#define BL_W_BASE_INCOMPLETE "données incomplètes"
#define BL_W_BASE_NONE "pas de données"
/* Under a change card when none of the period's months is over. */
#define BL_W_BASE_RUNNING "à calculer à la fin de la période"
/* Under the key figures of a period not over: the months not over, then
 * the months compared ("janvier à octobre 2026"). */
#define BL_W_RUNNING_NOTE                                                                   \
    "Période en cours : ses mois non terminés (%s) ne comptent pas comme des données "   \
    "manquantes ; les évolutions comparent ses mois terminés (%s) aux mêmes mois de la " \
    "période de référence."
#define BL_W_RUNNING_NOTE_NONE                                                                        \
    "Période en cours : aucun de ses mois n'est terminé ; les évolutions seront calculées à sa " \
    "fin."
/* "† total partiel : données manquantes pour Presse et Vidéo (janvier à
 * mars 2026) ; Musique (mai 2026)." */
#define BL_W_PARTIAL_NOTE BL_PARTIAL_MARK " total partiel : données manquantes pour "
#define BL_W_PARTIAL_NOTE_MONTHS " (%s)" /* after the resources: their months */
#define BL_W_PARTIAL_NOTE_SEP " ; "
/* After the months of a partial month: the libraries whose own reports
 * are missing (« octobre 2026 : Médiathèque Jean-Giono »). */
#define BL_W_GAP_LIBRARIES " : "
/* A part of a month (BL_GAP_EARLY): a report made before its end. */
#define BL_W_GAP_EARLY "rapport fait avant la fin du mois"
#define BL_W_GAP_REJECTED_OF "%.*s, ligne rejetée"
#define BL_W_GAP_UNATTRIBUTED "usage non attribué à une bibliothèque"
#define BL_W_GAP_EARLY_OF "%.*s, rapport fait avant la fin du mois"
#define BL_W_KEY_FIGURES "Chiffres clés"
#define BL_W_CONSULTATIONS "Consultations"
#define BL_W_PER_1000 "Pour 1 000 habitants"
#define BL_W_ACTIVE_USERS "Utilisateurs actifs (estimation)"
#define BL_W_USERS_ESTIMATED "estimation à partir des journaux d'accès"
/* Fewer distinct users than BL_USERS_SHOWN_MIN (bilan/model.h) are not
 * printed. */
#define BL_W_USERS_FEW "moins de 5"
/* A library's figure hidden beside one under BL_USERS_SHOWN_MIN, so that
 * it cannot be told from the total by subtraction (bl__users_hidden). */
#define BL_W_USERS_HIDDEN "masqué"
/* Under a network's « masqué »: why (bl_model.users_masked). */
#define BL_W_USERS_MASKED_NETWORK                                                           \
    "non publié : moins les chiffres des partenaires, il donnerait celui d'un partenaire " \
    "de moins de 5"
#define BL_W_NOTE_USERS_HIDDEN                                                                         \
    "« masqué » : utilisateurs actifs non publiés pour cette bibliothèque, afin qu'un nombre de " \
    "moins de 5 ne puisse pas se déduire du total par soustraction."
#define BL_W_COL_RESOURCE "Ressource"
#define BL_W_COL_KIND "Type"
#define BL_W_COL_PROVIDER "Fournisseur"
#define BL_W_COL_PARTNER "Partenaire"
#define BL_W_COL_ANNUAL_COST "Coût annuel"
#define BL_W_COST_PER_CONSULTATION "Coût par consultation"
#define BL_W_NO_DATA_MONTHS "Mois sans données"
#define BL_W_REJECTED_LINES "Lignes rejetées"
#define BL_W_EXCLUDED_NOTE_START                                                                    \
    "* Évolution calculée sur les seules ressources dont les données existent pour chaque mois " \
    "des deux "

/* ---- partner reports: mensuel, semestriel (render/report_partner.c) ---------------- */

#define BL_W_PARTNER_OVERLINE_MONTH "BILAN MENSUEL DES RESSOURCES NUMÉRIQUES"
#define BL_W_PARTNER_OVERLINE_SEMESTER "BILAN SEMESTRIEL DES RESSOURCES NUMÉRIQUES"
/* Subtitle: period, population (and its year when known). */
/* The second %s: bl__w_inhabitants(n) ("habitant" for 0 and 1). */
#define BL_W_PARTNER_SUBTITLE_YEAR "%s · %s %s (population %d)"
#define BL_W_PARTNER_SUBTITLE "%s · %s %s"
/* The same semester a year before, under the "Sur un an" card. */
#define BL_W_SEMESTER "%s semestre %d"
#define BL_W_SEMESTER_FIRST "1er"
#define BL_W_SEMESTER_SECOND "2e"
#define BL_W_CARD_CONSULTATIONS_SUB "consultations, %s"
#define BL_W_OVER_THE_MONTH "sur le mois"
#define BL_W_OVER_THE_SEMESTER "sur le semestre"
#define BL_W_CARD_MONTH "Sur un mois"
#define BL_W_CARD_SEMESTER "Sur un semestre"
#define BL_W_CARD_YEAR "Sur un an"
#define BL_W_PARTICIPATION_RATE "%s %s × %s" BL_NBSP "€"
#define BL_W_PARTICIPATION_YEAR "Participation %d"
#define BL_W_USERS_NONE_PERIOD "non mesuré : aucun journal d'accès pour la période"
#define BL_W_READING_POINTS "Points de lecture"
#define BL_W_LIBRARIES_OF_PARTNER "bibliothèques du partenaire"
#define BL_W_LIBRARY_OF_PARTNER "bibliothèque du partenaire"
#define BL_W_BY_RESOURCE "Consultations par ressource"
#define BL_W_BY_RESOURCE_AND_MONTH "Consultations par ressource et par mois"
#define BL_W_BY_RESOURCE_CHART "Consultations par ressource, %s"
/* The month table's year-to-date column: "Cumul 2026 (janv. à mai)". */
#define BL_W_YEAR_TO_JANUARY "Cumul %d (janv.)"
#define BL_W_YEAR_TO_DATE "Cumul %d (janv. à %s)"
#define BL_W_SEMESTER_TOTAL "Total du semestre"
#define BL_W_TREND_12_MONTHS "Évolution sur douze mois"
#define BL_W_MONTHS_VS_LAST_YEAR "Consultations par mois, comparées à l'année précédente"
#define BL_W_FORFAITS "Forfaits"
#define BL_W_NOTES "Notes sur les données"
/* A resource with months missing: name, provider, months. */
#define BL_W_NOTE_MISSING                                                                           \
    "• %s (%s) : aucune donnée reçue (%s). La ressource n'est pas comptée dans les totaux de " \
    "ces mois : ce n'est pas une absence d'usage."
/* A library that sends its own reports of a resource lacks a month's. */
#define BL_W_NOTE_PARTIAL                                                                  \
    "• %s (%s) : rapport de bibliothèque manquant (%s). Les chiffres de ces mois sont " \
    "partiels (" BL_PARTIAL_MARK ") : il y manque l'usage de cette bibliothèque."
/* Partial months for other reasons (each said in the list), with or
 * without missing reports (a library named alone). */
#define BL_W_NOTE_PARTIAL_WHY                                                            \
    "• %s (%s) : chiffres partiels (%s). Il y manque une part de l'usage de ces mois " \
    "(" BL_PARTIAL_MARK ")."
#define BL_W_NOTE_PARTIAL_MIXED                                                            \
    "• %s (%s) : chiffres partiels (%s ; une bibliothèque nommée seule : son rapport " \
    "manque). Il y manque une part de l'usage de ces mois (" BL_PARTIAL_MARK ")."
#define BL_W_NO_PROVIDER "fournisseur non renseigné"
#define BL_W_NOTE_CONSULTATIONS                                                                     \
    "• Consultations : pour chaque ressource, la mesure COUNTER qui dit le mieux qu'un usager "   \
    "l'a utilisée (en général Total_Item_Requests), accès réguliers seulement (la fouille de " \
    "textes est exclue)."
#define BL_W_NOTE_CHANGES                                                                             \
    "• * Les évolutions comparent les seules ressources dont les données existent pour les deux " \
    "périodes ; « n.s. » (non significatif) signale une évolution calculée sur une base nulle. " \
    "« — » : pas de données (ce n'est pas zéro), « ? » sur un graphique ; aucune évolution " \
    "n'est calculée sans données. " BL_PARTIAL_MARK                                                   \
    " : total partiel, des données manquent pour certaines ressources."
#define BL_W_NOTE_USERS                                                                               \
    "• Les utilisateurs actifs sont une estimation statistique tirée des journaux d'accès, sans " \
    "aucun identifiant conservé."

/* ---- a partner's annual report (render/report_partner.c, issue 15) ----------------- */

#define BL_W_PARTNER_OVERLINE_YEAR "BILAN ANNUEL DES RESSOURCES NUMÉRIQUES"
#define BL_W_CARD_PREV_YEAR "Sur un an"
#define BL_W_CARD_COST_SHARE "Répartition indicative du coût"
#define BL_W_CARD_COST_SHARE_SUB "part du coût du réseau, pas un montant dû"
#define BL_W_CARD_COST_PER_CONSULTATION "Coût par consultation"
#define BL_W_CARD_COST_PER_CONSULTATION_SUB \
    "indicatif : répartition indicative du coût ÷ consultations"
#define BL_W_OVER_THE_YEAR "sur l'année"
#define BL_W_BY_RESOURCE_AND_MONTH_YEAR "Consultations par ressource et par mois, %s"
#define BL_W_YEAR_VS_PREVIOUS "L'année et la précédente, par ressource"
#define BL_W_TREND_YEAR "Consultations mois par mois, comparées à l'année précédente"
/* Network cost, the partner's participation, all participations, its
 * indicative share. */
#define BL_W_PARTNER_COST_NOTE                                                                    \
    "Répartition indicative du coût : le coût annuel des ressources du réseau (%s) réparti " \
    "entre les partenaires au prorata de leur participation (la vôtre : %s sur %s), soit %s. "   \
    "Ce n'est pas un montant dû : votre participation reste celle de la convention. Coût par "  \
    "consultation : cette part, rapportée aux mois pour lesquels des données existent (coût "  \
    "annuel × mois avec données ÷ 12), divisée par vos consultations ; « — » sans "       \
    "consultation."

/* ---- a partner's libraries (render/report_library.c, issue 15) -------------------- */

#define BL_W_COL_LIBRARY "Bibliothèque"
#define BL_W_COL_SHARE_OF_PARTNER "Part du total"
#define BL_W_BY_LIBRARY "Par bibliothèque"
#define BL_W_BY_LIBRARY_TABLE "Consultations par bibliothèque"
#define BL_W_BY_LIBRARY_AND_RESOURCE "Consultations par bibliothèque et par ressource, %s"
#define BL_W_BY_LIBRARY_AND_MONTH "Consultations par bibliothèque et par mois"
#define BL_W_BY_LIBRARY_CHART "Consultations par bibliothèque, %s"
#define BL_W_LIB_REST "Non rattaché à une bibliothèque " BL_ESTIMATE_MARK
/* The preposition (bl__w_versus_period) and the comparison period's label. */
#define BL_W_LIB_CHANGE_NOTE                                                                            \
    "Évolution de chaque bibliothèque par rapport %s%s, à périmètre égal (les seules ressources " \
    "dont les données existent pour les deux périodes). Utilisateurs actifs : estimation tirée "     \
    "des journaux d'accès ; « moins de 5 » quand ils sont moins de cinq ; « — » sans journaux."
#define BL_W_LIB_REST_NOTE                                                                            \
    BL_ESTIMATE_MARK " Non rattaché à une bibliothèque : la part du partenaire dans un total que " \
                     "le fournisseur ne donne que pour tout le réseau ; elle compte dans le "        \
                     "total du partenaire, dans celui d'aucune bibliothèque."

/* ---- network reports: annuel, reseau (render/report_network.c) --------------------- */

#define BL_W_NETWORK_TITLE "Ressources numériques du réseau"
#define BL_W_ANNUEL_OVERLINE "BILAN ANNUEL — COMITÉ DE PILOTAGE"
#define BL_W_ANNUEL_SUBTITLE "%s · %s partenaire%s · %s %s"
#define BL_W_RESEAU_OVERLINE "REVUE DU RÉSEAU — CHEF DE PROJET"
#define BL_W_RESEAU_SUBTITLE "%s · %zu partenaire%s · %zu ressource%s"
#define BL_W_FORFAIT_ALERTS "Alertes sur les forfaits"
#define BL_W_FORFAIT_USE "Forfaits : consommation et prévision"
#define BL_W_NO_FORFAIT "Aucun forfait ne couvre cette période."
#define BL_W_NO_FORFAIT_TO_WATCH "Aucun forfait n'est à surveiller."
#define BL_W_NO_DATA_IN_PERIOD "aucune donnée sur la période"
#define BL_W_ALL_MONTHS_HAVE_DATA "Toutes les ressources ont des données pour chaque mois."
/* A period still running: its months not over are not looked at. */
#define BL_W_GAPS_ENDED_ONLY \
    "Période en cours : seuls les mois terminés (jusqu'à %s) sont examinés."
#define BL_W_GAPS_NONE_ENDED "Période en cours : aucun de ses mois n'est encore terminé."
#define BL_W_UNATTRIBUTED "Usage non attribué"
#define BL_W_ALL_ATTRIBUTED \
    "Tout l'usage de la période est attribué à une bibliothèque et à une ressource."
#define BL_W_UNATTRIBUTED_TEXT                                                                     \
    "%s consultations n'ont pu être rattachées à une bibliothèque ou à une ressource. Elles " \
    "figurent ci-dessous telles que les fournisseurs les ont écrites : ajouter l'identifiant "    \
    "aux alias (libraries.csv) ou aux noms COUNTER (resources.csv) les rattachera."
#define BL_W_COL_INSTITUTION_AS_WRITTEN "Établissement (tel qu'écrit)"
#define BL_W_COL_PLATFORM "Plateforme / base"
#define BL_W_NOT_GIVEN "(non renseigné)"
#define BL_W_MORE_LINES "… et %zu autres lignes"
#define BL_W_RANGES "Provenance de l'usage non attribué des journaux"
#define BL_W_RANGES_TEXT                                                                             \
    "Les journaux d'accès ont enregistré des accès aux ressources (consultations et recherches, " \
    "docs/logs.md) venant d'adresses qu'aucune bibliothèque ne déclare. Les plages les plus "      \
    "fréquentes :"
/* Events (every access counted: investigations, requests among them; not
 * consultations, until the night of 3 December 2026 so called beside a table of
 * consultations), plural mark, address range. */
#define BL_W_RANGE_ITEM                                                                           \
    "• %s accès non attribué%s venant de %s : ajoutez cette plage à libraries.csv si c'est " \
    "une bibliothèque."
#define BL_W_PLURAL "s"
#define BL_W_REJECTS "Lignes rejetées à l'import"
#define BL_W_NO_REJECTS "Aucun fichier de la période n'a eu de ligne rejetée."
#define BL_W_COL_FILE "Fichier"
#define BL_W_COL_FORMAT "Format"
/* a source's rows_accepted: values (a COUNTER row holds one a month) */
#define BL_W_COL_ACCEPTED_LINES "Valeurs acceptées"
#define BL_W_REJECTS_DETAIL "Le détail (ligne, champ, raison) : bilan rejects FICHIER."
#define BL_W_NETWORK_BY_MONTH "Consultations du réseau, mois par mois"
#define BL_W_ANNUEL_CHANGE "Évolution sur un an"
#define BL_W_CONSULTATIONS_OVER_YEAR "consultations sur l'année"
#define BL_W_COST_COVERED "coût des mois avec données ÷ consultations **"
#define BL_W_COST_ALL "coût des ressources ÷ consultations"
#define BL_W_PARTNERS_PARTICIPATION "participation des partenaires %d"
#define BL_W_PARTICIPATIONS "Participations"
#define BL_W_RESOURCES_COST "Coût des ressources"
#define BL_W_ANNUAL_SUBSCRIPTIONS "coûts annuels des abonnements"
#define BL_W_USERS_NONE "non mesuré : aucun journal d'accès"
/* The distinct users of a closed month went with a log removed
 * (bl_store_users_lost, docs/privacy.md). */
#define BL_W_USERS_LOST "non disponible : un journal d'un mois clos a été retiré"
#define BL_W_EXCLUDED_NOTE_YEARS BL_W_EXCLUDED_NOTE_START "années."
#define BL_W_EXCLUDED_NOTE_PERIODS BL_W_EXCLUDED_NOTE_START "périodes."
#define BL_W_COST_NOTE                                                                          \
    "** Des mois manquent pour certaines ressources (lignes en gris) : leur coût par "         \
    "consultation rapporte le coût des seuls mois pour lesquels des données existent (coût " \
    "annuel × mois avec données ÷ 12)."
/* The same when only months not over have no data (no grey row). */
#define BL_W_COST_NOTE_RUNNING                                                                \
    "** Période en cours : le coût par consultation rapporte le coût des seuls mois pour " \
    "lesquels "                                                                               \
    "des données existent (coût annuel × mois avec données ÷ 12)."
#define BL_W_BY_RESOURCE_SHORT "Par ressource"
#define BL_W_BY_KIND "Par type de ressource"
#define BL_W_COL_SHARE "Part"
#define BL_W_BY_PARTNER "Par partenaire"
#define BL_W_COL_POPULATION "Population"
#define BL_W_COL_PARTICIPATION "Participation"
/* Issue 15: a share of the cost is an indicative distribution, never an
 * amount due. */
#define BL_W_COL_COST_SHARE "Répartition indicative du coût"
#define BL_W_COST_SHARE_NOTE                                                                        \
    "Répartition indicative du coût : le coût annuel des ressources du réseau réparti entre "  \
    "partenaires au prorata de leur participation, pour rapporter l'usage au coût ; ce n'est "     \
    "pas un montant dû (les participations sont celles des conventions). Coût par "               \
    "consultation : cette part (rapportée aux mois avec données) divisée par les consultations " \
    "du partenaire."
#define BL_W_ANNEX_QUALITY "Annexe : qualité des données"
#define BL_W_BY_PARTNER_AND_RESOURCE "Consultations par partenaire et ressource"
#define BL_W_HEAT_NOTE                                                                                     \
    "Plus la case est foncée, plus l'usage est élevé (échelle commune à tout le tableau). « — » " \
    ": aucune donnée reçue pour la période ; " BL_PARTIAL_MARK " : total partiel, des mois "               \
    "manquent."
#define BL_W_SHARE_OF_USE "%s de l'usage"
#define BL_W_ATTRIBUTED_TO_PARTNER "attribuées à un partenaire"
/* The same card when a provider's total is kept for the whole network
 * (a profile with allocate = none): it is in the figure, on no partner. */
#define BL_W_ATTRIBUTED_OR_NETWORK "attribuées à un partenaire ou au réseau §"
#define BL_W_CHANGE "Évolution"
#define BL_W_UNATTRIBUTED_CARD "Non attribuées"
#define BL_W_FILES_OF_PERIOD "fichiers de la période"
#define BL_W_PARTNERS_AND_RESOURCES "Partenaires et ressources"
#define BL_W_DATA_QUALITY "Qualité des données"
#define BL_W_NO_DATA_MONTHS_12 "Mois sans données (12 mois jusqu'à %s)"
#define BL_W_NO_DATA_MONTHS_OF "Mois sans données (%s)"

/* ---- the email of a partner report (render/mail_text.c) ---------------------------- */

/* Subject: period, « (provisoire) » or "", partner. */
#define BL_W_MAIL_SUBJECT "Statistiques d'usage des ressources numériques — %s%s — %s"
/* The same with the network's name (network.csv) at the end. */
#define BL_W_MAIL_SUBJECT_NETWORK "Statistiques d'usage des ressources numériques — %s%s — %s — %s"
/* The network's name under the signature, when it is not the signature. */
#define BL_W_MAIL_NETWORK_LINE "%s\n"
/* Between the network's contact address and its website. */
#define BL_W_CONTACT_SEP " · "
/* Opening: report adjective, partner, « pour (le) », period. */
#define BL_W_MAIL_OPENING                                                                       \
    "Bonjour,\n\nVous trouverez ci-joint le rapport %s d'usage des ressources numériques\n%s " \
    "%s%s.\n\nEn bref :\n"
#define BL_W_MAIL_PROVISIONAL \
    "Chiffres provisoires : la période n'est pas terminée, ils changeront.\n\n"
/* Preposition, period, figure, partial note or "". */
#define BL_W_MAIL_CONSULTATIONS "- consultations %s %s : %s%s\n"
#define BL_W_MAIL_PARTIAL " (total partiel : données manquantes, voir le rapport)"
/* the PDF's † note's items: « Langues en ligne (juin 2026 : Médiathèque de Villeneuve) » */
#define BL_W_MAIL_PARTIAL_ITEMS " (total partiel : données manquantes pour %s)"
#define BL_W_MAIL_NO_DATA "- consultations %s %s : aucune donnée reçue pour vos bibliothèques\n"
/* Each change line opens with the preposition and the previous period. */
#define BL_W_MAIL_CHANGE "- évolution par rapport %s%s : %s (%s consultations%s)\n"
#define BL_W_MAIL_SAME_PERIMETER ", à périmètre égal"
/* A provisional period: its months over against the same months before. */
#define BL_W_MAIL_VERSUS_MONTH "au mois de "
#define BL_W_MAIL_VERSUS_MONTHS "aux mois de "
/* "(aucune consultation en mai 2025)", "(… de janvier à mai 2025)". */
#define BL_W_MAIL_IN_MONTH "en"
#define BL_W_MAIL_IN_MONTHS "de"
#define BL_W_MAIL_CHANGE_RUNNING "- évolution : à calculer à la fin de la période\n"
#define BL_W_MAIL_CHANGE_ZERO_BASE \
    "- évolution par rapport %s%s : non calculable (aucune consultation %s %s)\n"
#define BL_W_MAIL_CHANGE_INCOMPLETE \
    "- évolution par rapport %s%s : non calculable (données incomplètes)\n"
#define BL_W_MAIL_CHANGE_NO_DATA \
    "- évolution par rapport %s%s : pas de données pour cette période\n"
/* Resource, figure, plural mark. */
#define BL_W_MAIL_TOP_RESOURCE "- ressource la plus consultée : %s (%s consultation%s)\n"
/* A resource counted in one of bilan's own metrics: its unit ("sessions"). */
#define BL_W_MAIL_TOP_RESOURCE_UNIT "- ressource la plus consultée : %s (%s %s)\n"
#define BL_W_MAIL_ESTIMATED                                                              \
    "- dont des estimations pour %s : le fournisseur ne donne qu'un total pour tout le " \
    "réseau, réparti entre les partenaires (la règle est en note du rapport)\n"
#define BL_W_MAIL_FORFAIT_LINE "- %s\n"
/* Closing: signature (the sender's name, else its address). */
#define BL_W_MAIL_CLOSING                                                                          \
    "\nLes consultations comptent, pour chaque ressource, l'indicateur COUNTER qui dit\nle "       \
    "mieux qu'un usager l'a utilisée. Le détail par ressource et par mois est\ndans le rapport " \
    "joint.\n\nCe message a été envoyé automatiquement.\n\nBien cordialement,\n%s\n"

#endif
