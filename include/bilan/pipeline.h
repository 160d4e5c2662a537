/* bilan — pipeline layer, public side: the use cases that wire ingest,
 * aggregate and store (pipeline/README.md).
 */
#ifndef BILAN_PIPELINE_H
#define BILAN_PIPELINE_H

#include "bilan/common.h"
#include "bilan/store.h"

/* ---- network reference data (DESIGN §3) ------------------------------------ */

typedef struct bl_import_counts {
    int partners, libraries, resources, forfaits;
} bl_import_counts;

/* Imports partners.csv, libraries.csv, resources.csv (and forfaits.csv when
 * present) from dir, replacing the network in one transaction, and
 * re-attributes the COUNTER usage already stored. On failure the store is
 * unchanged and err holds the reason (1024 bytes hold what bilan prints):
 * BL_DATA with "FILE:LINE:COLUMN: reason" on the first bad cell (see
 * bl_network_read), BL_NOINPUT when a required file is missing, or the
 * store's status and message. */
bl_status bl_network_import(bl_store *st, const char *dir, bl_import_counts *counts, char *err,
                            size_t errlen);

#endif
