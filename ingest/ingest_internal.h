/* Internal interfaces between the ingest layer's modules. */
#ifndef BILAN_INGEST_INTERNAL_H
#define BILAN_INGEST_INTERNAL_H

#include "bilan/ingest.h"

/* Content sniffers used by bl_format_detect: each returns the format it
 * recognises in the first bytes of a file, or BL_FMT_AUTO when it does not. */
bl_format bl__counter_sniff(const char *head, size_t n);
bl_format bl__log_sniff(const char *head, size_t n);
bl_format bl__json_sniff(const char *head, size_t n);

/* Once the source has been read to its clean end: fills e with the
 * content's identity and line count (bilan/record.h) and returns true;
 * false when the end was not reached or an error stopped the reading. */
bool bl__source_end(bl_source *s, bl_file_end *e);
/* Reads (and discards) whatever the reader left, so that the content
 * identity covers the whole file and a problem after the last line (bytes
 * after the gzip data, a bad CRC) is seen. The read's status. */
bl_status bl__source_drain(bl_source *s);

#endif
