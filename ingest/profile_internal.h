/* Internal interface of the profile reader (ingest/profile_read.c): the
 * dispatch (ingest_file.c) and the spreadsheet reader use it over their own
 * bl__ctr_reader. */
#ifndef BILAN_PROFILE_INTERNAL_H
#define BILAN_PROFILE_INTERNAL_H

#include "bilan/profile.h"
#include "counter_internal.h"

/* Reads up to BL_PROF_HEADER_ROWS rows looking for p's header row: *found
 * true with the reader on it. A failed read of the source refuses. */
bl_status bl__profile_find_header(bl__ctr_reader *r, const bl_profile *p, bool *found);
/* Reads a whole export with p from a fresh reader: header row, columns,
 * rows to the sink. BL_DATA (r->errmsg) when the file is refused. */
bl_status bl__profile_read(bl__ctr_reader *r, const bl_profile *p);
/* The one of opts->profiles whose header row is among the file's first
 * rows (read as CSV/TSV), or *out NULL when none is. A file two profiles
 * match is refused (BL_DATA, *errmsg naming both): taking the first would
 * read one provider's export as another's resource. */
bl_status bl__profile_match(const char *path, const bl_ingest_opts *opts, const bl_profile **out,
                            char **errmsg);

/* The same over a spreadsheet (ingest/sheet.h): each profile looks in its
 * own `sheet` (a profile whose sheet the file lacks does not match), and
 * the export is read from that sheet. */
bl_status bl__profile_match_sheet(const char *path, const bl_ingest_opts *opts,
                                  const bl_profile **out, char **errmsg);
bl_status bl__profile_read_sheet(const char *path, const bl_profile *p, const bl_ingest_opts *opts,
                                 const bl_sink *sink, char **errmsg);

#endif
