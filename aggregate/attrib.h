/* Attribution of usage to libraries and resources: institution names and
 * IDs through aliases, platform and database names through counter_names,
 * IP addresses through CIDR ranges. */
#ifndef BILAN_ATTRIB_H
#define BILAN_ATTRIB_H

#include "agg_internal.h"
#include "strmap.h"

/* True when name is a COUNTER R5 metric bilan knows. */
bool bl__metric_known(const char *name);

/* Name lookups loaded from the store. Keys are folded (ASCII lower case,
 * trimmed); values are malloc'd ids. */
typedef struct bl_names {
    bl_strmap alias;    /* institution alias -> library id */
    bl_strmap resource; /* counter name -> resource id */
} bl_names;

bl_status bl__names_load(bl_store *st, bl_names *n);
void bl__names_free(bl_names *n);
/* Library of an institution as a provider wrote it: tries every
 * ';'-separated ID, each also without its "namespace:" prefix, then the name. */
const char *bl__names_library(const bl_names *n, bl_sv institution_id, bl_sv institution_name);
/* Resource of a COUNTER row: the database name first, then the platform. */
const char *bl__names_resource(const bl_names *n, bl_sv database, bl_sv platform);

#endif
