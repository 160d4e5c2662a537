/* bilan — pipeline layer: the use cases that wire the store's read queries
 * (bilan/store_queries.h) to the pure rules of the aggregate layer. Read
 * side: the report models (bilan/model.h) and the forfait statuses
 * (bilan/forfait.h).
 *
 * Ownership: arguments are borrowed; what a function returns through an
 * out-parameter is the caller's, released with the function named.
 * Failures leave their detail in bl_store_errmsg.
 */
#ifndef BILAN_PIPELINE_H
#define BILAN_PIPELINE_H

#include "bilan/common.h"
#include "bilan/forfait.h"
#include "bilan/model.h"
#include "bilan/period.h"
#include "bilan/store.h"

/* ---- report models (pipeline/model.c) ------------------------------------------------ */

/* Builds the models of a partner report (mensuel or semestriel): one per
 * partner, sorted by partner id, or only partner_id's when not NULL (the
 * store is read in one pass, which matters for 300 partners). BL_NOTFOUND
 * when partner_id does not exist (message in bl_store_errmsg).
 * generated_days: the generation date, "today" (days since 1970): the
 * models are marked provisional when the period is not over then. Free the
 * list with bl_model_list_free. */
bl_status bl_model_build_partners(bl_store *st, bl_report_kind kind, const bl_period *p,
                                  const char *partner_id, int64_t generated_days, bl_model ***out,
                                  size_t *n);
/* Builds the model of a network report (annuel or reseau). Free it with
 * bl_model_free. */
bl_status bl_model_build_network(bl_store *st, bl_report_kind kind, const bl_period *p,
                                 int64_t generated_days, bl_model **out);

/* ---- forfaits (pipeline/forfait.c) ---------------------------------------------------- */

/* Computes the status of every forfait in the store at the date y-m-d,
 * sorted by forfait id. *out is a malloc'd array of *n entries (NULL and 0
 * when there are no forfaits); free it with bl_forfait_status_free.
 * BL_USAGE when the date is not a real date; BL_IO / BL_INTERNAL on a store
 * error (detail in bl_store_errmsg); BL_NOMEM. Nothing is returned on failure. */
bl_status bl_forfait_status_all(bl_store *st, int y, int m, int d, bl_forfait_status **out,
                                size_t *n);

#endif
