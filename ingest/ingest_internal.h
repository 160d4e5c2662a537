/* Internal interfaces between the ingest layer's modules. */
#ifndef BILAN_INGEST_INTERNAL_H
#define BILAN_INGEST_INTERNAL_H

#include "bilan/ingest.h"

/* bl_format_detect, and *unknown: the content is of no format bilan knows
 * (not empty, not UTF-16 nor binary). */
bl_status bl__format_detect(const char *head, size_t n, bl_format *fmt, char **errmsg,
                            bool *unknown);
/* Content sniffers used by bl_format_detect: each returns the format it
 * recognises in the first bytes of a file, or BL_FMT_AUTO when it does not. */
bl_format bl__counter_sniff(const char *head, size_t n);
bl_format bl__log_sniff(const char *head, size_t n);
bl_format bl__json_sniff(const char *head, size_t n);

/* Once the source has been read to its clean end: fills e with the
 * content's identity and line count (bilan/record.h) and returns true;
 * false when the end was not reached or an error stopped the reading. */
bool bl__source_end(bl_source *s, bl_file_end *e);
/* The source's error for a message: "path: reason", or the reason alone
 * when it names a list's file already (bl_source_open_list). Caller frees. */
char *bl__source_error(const bl_source *s, const char *path);
/* A list's file that holds the stream's *line (which becomes its line in
 * that file); NULL, *line unchanged, for a source of one file. */
const char *bl__source_line_file(const bl_source *s, unsigned long *line);
/* Which inflater reads a gzip source: the fastest built in (ISA-L when
 * bilan has it), or zlib, the reference (tests compare the two). */
typedef enum bl_inflater { BL_INFLATE_FASTEST, BL_INFLATE_ZLIB } bl_inflater;
bl_status bl__source_open_with(const char *path, bl_inflater inflater, bl_source **out,
                               char **errmsg);
/* Tests: true makes the byte source keep to its baseline code (SSE2 line
 * count, the portable XXH3 update) instead of what the CPU allows (AVX2,
 * libxxhash's dispatcher); the same line count and hash either way. */
void bl__source_baseline(bool on);
/* Whether bilan was built with ISA-L. */
bool bl__source_have_isal(void);
/* Reads (and discards) whatever the reader left, so that the content
 * identity covers the whole file and a problem after the last line (bytes
 * after the gzip data, a bad CRC) is seen. The read's status. */
bl_status bl__source_drain(bl_source *s);
/* The source of a log read ahead, when it is path's in format fmt: its
 * ownership passes to the caller (NULL: open the file as usual). */
bl_source *bl__log_ahead_take(bl_log_ahead *a, const char *path, bl_format fmt);
/* bl_log_read, continuing the reading of ahead when src is its source. */
bl_status bl__log_read_with(bl_source *src, bl_log_ahead *ahead, const char *path,
                            const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg);

#endif
