/* Internal interfaces between the ingest layer's modules. */
#ifndef BILAN_INGEST_INTERNAL_H
#define BILAN_INGEST_INTERNAL_H

#include "bilan/ingest.h"

/* Content sniffers used by bl_format_detect: each returns the format it
 * recognises in the first bytes of a file, or BL_FMT_AUTO when it does not. */
bl_format bl__counter_sniff(const char *head, size_t n);
bl_format bl__log_sniff(const char *head, size_t n);

#endif
