/* The one SQL definition of the usage every figure of reports, forfaits and
 * mail counts (docs/reports.md). The queries of store/report_queries.c and
 * store/forfait_queries.c are built on these fragments: change a definition
 * here and every report, mail and forfait follows. Internal to store/. */
#ifndef BILAN_FIGURES_SQL_H
#define BILAN_FIGURES_SQL_H

/* Counted usage: the effective usage (view usage_effective, aliased u: live
 * rows, each cell counted once across report types, values within
 * BL_CELL_SUM_MAX) in Regular access, what COUNTER's standard views count.
 * Forfaits count their units in it, in the forfait's metric. */
#define BL__SQL_COUNTED "u.access_method = 'Regular'"

/* A consultation: counted usage in its resource's headline metric. It needs
 * BL__SQL_CONSULTATION_FROM (the resource as r, LEFT JOINed: usage of a
 * resource the network does not list is counted in Total_Item_Requests,
 * COUNTER's default headline). */
#define BL__SQL_CONSULTATION_FROM "usage_effective u LEFT JOIN resource r ON r.id = u.resource_id"
#define BL__SQL_CONSULTATION \
    BL__SQL_COUNTED " AND u.metric = COALESCE(r.headline_metric, 'Total_Item_Requests')"

/* Whose data a usage row is (docs/trust.md, "Whose data is missing"): the
 * library, for a row of a library's own report (source s, one_institution);
 * '' for one of a library bilan does not know (unattributed: it covers no
 * library of the network, never all of them); else NULL (a source about
 * every library). Needs u (usage) and s. */
#define BL__SQL_OWN_LIBRARY                                                  \
    "CASE WHEN s.one_institution = 1 AND u.library_id IS NULL THEN '' "      \
    "WHEN s.one_institution = 1 AND u.library_id <> '" BL_NETWORK_LEVEL "' " \
    "THEN u.library_id END"

#endif
