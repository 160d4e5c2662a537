/* bilan — ingest layer: byte sources (plain or gzip) and the readers that
 * turn providers' files into records for a sink. Knows file formats, nothing
 * about SQLite or partners.
 */
#ifndef BILAN_INGEST_H
#define BILAN_INGEST_H

#include "bilan/common.h"
#include "bilan/record.h"

/* ---- sources -------------------------------------------------------------- */

/* A readable stream of bytes: a plain file or a gzip stream (one or several
 * members), detected by magic number. */
typedef struct bl_source bl_source;

/* Opens path. BL_NOINPUT when it does not exist or cannot be opened
 * (message in *errmsg, caller frees). */
bl_status bl_source_open(const char *path, bl_source **out, char **errmsg);
/* Reads up to n bytes; *got = 0 at end of stream. BL_DATA on a corrupt or
 * truncated gzip stream, BL_IO on a read error; the error is sticky. */
bl_status bl_source_read(bl_source *s, void *buf, size_t n, size_t *got);
/* Text of the last error, borrowed. */
const char *bl_source_errmsg(const bl_source *s);
bool bl_source_is_gzip(const bl_source *s);
void bl_source_close(bl_source *s);

/* Told after each read of a source, from the thread that reads (a log is
 * read in a thread of its own): the file's bytes consumed so far
 * (compressed bytes for a gzip file, so that a fraction of the file's size
 * says how far it is) and the lines read so far. Reads are of tens of
 * kilobytes: it costs one call per read, nothing per line. */
typedef void (*bl_read_progress_fn)(void *ctx, int64_t file_bytes, unsigned long lines);
void bl_source_set_progress(bl_source *s, bl_read_progress_fn fn, void *ctx);

/* Opens the files paths[0..n) as one stream, read one after the other
 * (each plain or gzip'd; borrowed until closed): `bilan ingest
 * --one-source`. A file whose last line has no line feed gets one, so
 * that the next file begins a line. starts (n entries, or NULL) receives,
 * as the reading reaches file k, the number of the stream's lines before
 * it (ULONG_MAX until then); the reading thread writes it, any thread may
 * read it with bl_source_locate. Errors name the file they are about. */
bl_status bl_source_open_list(const char *const *paths, size_t n, unsigned long *starts,
                              bl_source **out, char **errmsg);
/* Which file of such a list holds the stream's line (1-based): its index,
 * with the line's number in that file in *file_line. */
size_t bl_source_locate(const unsigned long *starts, size_t n, unsigned long line,
                        unsigned long *file_line);

/* Reads the first up to n decompressed bytes of a file (for detection). */
bl_status bl_source_peek(const char *path, char *buf, size_t n, size_t *got, char **errmsg);

/* ---- formats ------------------------------------------------------------------ */

typedef enum bl_format {
    BL_FMT_AUTO = 0,
    BL_FMT_COUNTER5,
    BL_FMT_COUNTER4,
    BL_FMT_COUNTER5_JSON, /* COUNTER R5 / R5.1 JSON (the COUNTER_SUSHI form) */
    BL_FMT_COMBINED,
    BL_FMT_COMMON,
    BL_FMT_EZPROXY,
    BL_FMT_CUSTOM,
    BL_FMT_PROFILE /* a vendor export read with a profile (bilan/profile.h) */
} bl_format;

struct bl_profile;

typedef struct bl_ingest_opts {
    bl_format format;
    const char *custom_format; /* with BL_FMT_CUSTOM: Apache-style format string */
    const char *library_param; /* logs: query parameter naming the library */
    bool strict;               /* refuse the whole file at its first bad row */
    bool force;                /* logs: accept a log overlapping an earlier one in time */
    const char *robots_path;   /* logs: the COUNTER robots list (one pattern a line) */
    /* COUNTER: the library (network id) of a report that names no institution
     * (a table without its header block): its rows' institution is written
     * BL_LIBRARY_INSTITUTION "ID" (bilan/record.h). NULL: unattributed. */
    const char *library;
    /* COUNTER JSON: written before the header's Institution_ID ("sushi:ID;
     * ISNI:..."), so that a SUSHI endpoint's library_id attributes its
     * reports (docs/sushi.md); NULL: none. */
    const char *institution_tag;
    /* Vendor profiles (bilan/profile.h, borrowed): a file that is neither
     * COUNTER nor a log is read with the first whose header row it holds;
     * `profile`, when set, is used whatever the file holds (--profile). */
    const struct bl_profile *profiles;
    size_t nprofiles;
    const struct bl_profile *profile;
    const char *profile_id; /* --profile ID: the pipeline finds it among the stored ones */
    /* Told how far the file's reading is (NULL: nothing), for a progress
     * line; a spreadsheet, read whole, tells nothing. */
    bl_read_progress_fn progress;
    void *progress_ctx;
    /* Told when the reading of a file begins (NULL: nothing): with several
     * files read in time order, which one the progress is about. */
    void (*progress_file)(void *ctx, const char *path);
    /* The log read ahead for this file (bl_log_read_ahead), or NULL: its
     * reading goes on where it is. */
    struct bl_log_ahead *ahead;
    /* The command's next log (NULL: none): when this log's reading thread
     * reaches its end, it starts reading that one ahead, with next_opts,
     * into *next_out, while this one's last lines are still being counted
     * (unless *next_out is still NULL once this file is read: then nothing
     * was started). */
    const char *next_path;
    const struct bl_ingest_opts *next_opts;
    struct bl_log_ahead **next_out;
    /* --one-source (nset > 1): the access logs set[0..nset) read as one
     * stream (bl_source_open_list, whose starts set_starts is), the path
     * given to bl_ingest_file being set[0]. */
    const char *const *set;
    size_t nset;
    unsigned long *set_starts;
} bl_ingest_opts;

/* Parses "auto", "counter5", "counter4", "combined", "common", "ezproxy",
 * "custom:FMT" (custom_format then borrows from s), ignoring case (FMT keeps
 * its own). False when unknown. */
bool bl_format_parse(const char *s, bl_format *fmt, const char **custom_format);
const char *bl_format_name(bl_format fmt);
/* An access-log format (combined, common, ezproxy, custom): not auto, not
 * COUNTER, not a profile. */
bool bl_format_is_log(bl_format fmt);

/* Guesses the format of a file from its first bytes (decompressed).
 * BL_DATA with a message saying what was expected when nothing fits. */
bl_status bl_format_detect(const char *head, size_t n, bl_format *fmt, char **errmsg);

/* Reads a whole file and feeds its records to the sink. Returns BL_OK, or
 * BL_DATA when the file is refused whole (reason in *errmsg and through
 * sink->diag with BL_DIAG_FILE), BL_NOINPUT when it cannot be opened, or the
 * status a sink callback returned. Row-level problems go to sink->diag with
 * BL_DIAG_ROW and do not change the return value (unless opts->strict). */
bl_status bl_ingest_file(const char *path, const bl_ingest_opts *opts, const bl_sink *sink,
                         char **errmsg);

/* Reads the COUNTER robots list: one pattern a line, '#' comments and empty
 * lines skipped. *out is a malloc'd array of malloc'd strings (caller
 * frees). BL_NOINPUT when the file cannot be opened. */
bl_status bl_robots_read(const char *path, char ***out, size_t *n);

/* The individual readers, for tests and for bl_ingest_file. */
bl_status bl_counter5_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg);
bl_status bl_counter4_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg);
/* ---- COUNTER JSON (ingest/counter_json.c) ------------------------------------ */

/* An exception a COUNTER_SUSHI server sent (Report_Header.Exceptions, a
 * bare exception, an array of them). Texts are truncated. */
typedef struct bl_sushi_exception {
    long code;
    char message[200];
    char data[200];
} bl_sushi_exception;

#define BL_SUSHI_MAX_EXC 8
/* What a JSON document held besides its counts. */
typedef struct bl_json_report_info {
    bool has_report; /* a Report_Header was read */
    int nexc;        /* exceptions kept in exc (the first BL_SUSHI_MAX_EXC) */
    long exc_total;
    bl_sushi_exception exc[BL_SUSHI_MAX_EXC];
} bl_json_report_info;

/* Reads a COUNTER R5 / R5.1 JSON report as a stream into the sink (as
 * bl_counter5_read does a TSV). info (may be NULL) receives the exceptions.
 * A document without a Report_Header (only exceptions) is refused (BL_DATA)
 * naming the first exception. */
bl_status bl_counter_json_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                               const bl_sink *sink, bl_json_report_info *info, char **errmsg);
/* Reads a COUNTER_SUSHI response held in memory for its exceptions and
 * whether it holds a report; counts are checked but go nowhere. BL_DATA
 * (reason in *errmsg) when it is not valid JSON or holds no report. */
bl_status bl_counter_json_scan(const char *data, size_t n, bl_json_report_info *info,
                               char **errmsg);

/* Writes n bytes gzip-compressed to path (through path.part, renamed when
 * whole). BL_CANTCREAT / BL_IO with *errmsg. */
bl_status bl_raw_write_gz(const char *path, const void *data, size_t n, char **errmsg);

bl_status bl_log_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                      const bl_sink *sink, char **errmsg);
/* A log opened and being read (inflated and parsed, a few MiB ahead) in a
 * thread of its own, so that a command's next log is read while the one
 * before is stored; bl_ingest_file continues it when opts->ahead is given
 * with the same path. NULL when path is not a log (or anything fails: it
 * is then read as usual). */
typedef struct bl_log_ahead bl_log_ahead;
bl_log_ahead *bl_log_read_ahead(const char *path, const bl_ingest_opts *opts);
void bl_log_ahead_free(bl_log_ahead *a);
/* Frees the buffers the logs read so far left for the next log (a
 * command's files reuse them); for the end of a command. */
void bl_log_spare_free(void);
/* Whether path is an access log (opts->format, else detected) with a line
 * among its first ones that parses: *first is that line's time (as
 * bl_hit_rec.time). For putting the logs of one command in time order. */
bool bl_log_peek_time(const char *path, const bl_ingest_opts *opts, int64_t *first);
/* A vendor export read with profile p (bilan/profile.h). */
bl_status bl_profile_read(bl_source *src, const char *path, const struct bl_profile *p,
                          const bl_ingest_opts *opts, const bl_sink *sink, char **errmsg);

#endif
