/* bilan command line: shared helpers and the command functions. Only cli/
 * prints and turns statuses into exit codes. */
#ifndef BILAN_CLI_H
#define BILAN_CLI_H

#include <stdio.h>

#include "bilan/common.h"
#include "bilan/i18n.h"
#include "bilan/pipeline.h"
#include "bilan/store.h"

typedef struct bl_cli {
    const char *db_path; /* --db, else $BILAN_DB, else "bilan.db" */
    bool tty;            /* stderr is a terminal: progress allowed */
    bool db_explicit;    /* --db or $BILAN_DB was given */
    /* $SOURCE_DATE_EPOCH as read once at start (NULL when unset): "today"
     * for reports and mail (cli_today). */
    const char *source_date_epoch;
    bool verbose; /* -v, --verbose: the notes on each file too */
} bl_cli;

/* Writes text that may hold provider data: control characters (C0 but tab
 * and line feed, DEL, C1) are shown as \xHH so that no file can drive the
 * terminal. cli_error and cli_warn escape the same way. */
void cli_write_safe(FILE *f, const char *s, size_t n);
void cli_printf_safe(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A log's counts as the ingest summary and `sources` say them, each with
 * the grammatical number of its count ("1 line read", "2 lines read"):
 * lines read, usage events counted (unattributed); ignored: robots,
 * status, not a resource, static. */
struct bl_log_stats;
void cli_log_counts(FILE *f, const struct bl_log_stats *l);
/* A report's rows as the ingest summary and `sources` say them, each count
 * with its own number: accepted, rejected, unattributed. */
void cli_row_counts(FILE *f, long long accepted, long long rejected, long long unattributed);
/* "bilan: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "usage: ..." and "Try 'bilan CMD --help'." to stderr; returns 64. */
int cli_usage(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A getopt failure (c: what getopt_long returned, ':' for a missing value
 * when the options string starts with ':'): "unknown option '--bogus'" or
 * "option '--format' needs a value", then the usage. Returns 64. */
int cli_bad_option(const char *cmd, const char *usage, char **argv, int c);
/* A source's format as the ingest summary and `sources` say it: a vendor
 * export's in the user's words (« profil »); COUNTER's and the logs' ids
 * (counter5, combined) are names, left as they are. */
const char *cli_format_text(const char *format);
/* "2026-01..2026-03", or "no period" when a month is not known (a log
 * without a counted line, a file without a dated row): never "?..?". */
const char *cli_period_text(char *out, size_t n, const char *first, const char *last);
/* Opens the store, printing why on failure; returns the exit code (0 ok). */
int cli_open_store(const bl_cli *cli, bl_store **st);
/* The same for commands that only read: a missing store is exit 66 and is
 * not created; a read-only store or folder works. */
int cli_open_store_readonly(const bl_cli *cli, bl_store **st);
/* Where the catalogs are: $BILAN_LOCALE_DIR, else DATADIR/../locale for an
 * installed bilan, else the build tree's locale folder. */
const char *cli_locale_dir(void);
/* Whether the user reads French: BILAN_LANG=fr|en, else the first non-empty
 * of LC_ALL, LC_MESSAGES, LANG starting with "fr" (even when that locale is
 * not generated on the machine). */
bool cli_french_env(void);
/* The exit code of a status. */
int cli_exit(bl_status st);
/* Where bilan's data files live (fonts.conf, robots list, demo fixtures):
 * $BILAN_DATA_DIR, else the source tree this binary was built from. */
const char *cli_data_dir(void);
/* "Today" for reports and mail, in seconds since 1970: SOURCE_DATE_EPOCH
 * when set and not empty (*pinned true: reproducible output), else the
 * clock. Prints why and returns false when it is not a number of seconds. */
bool cli_today(const bl_cli *cli, int64_t *now, bool *pinned);
/* The month of "today" (cli_today) as a month index (bl_month_index). */
bool cli_this_month(const bl_cli *cli, int *mi);
/* The ingest's diagnostics, held in the bl_buf ctx (cmd_ingest.c): write
 * them out with cli_write_safe once the file's fate is known. */
void cli_print_diag(void *ctx, const bl_diag *d);
/* bilan mail status PERIOD (cmd_mail_status.c); argv[0] is "status". */
int cli_mail_status(bl_cli *cli, int argc, char **argv);
/* Option values are case-insensitive (`--format CSV`, `report MENSUEL`):
 * the index of value among choices (NULL-terminated), ignoring ASCII case;
 * -1 when it is none of them. Every option value with a fixed set of
 * choices goes through here. */
int cli_choice(const char *value, const char *const *choices);
/* --format text|csv: index 0 text, 1 csv. */
extern const char *const CLI_TEXT_CSV[];
/* Parses YYYY-MM; prints a usage error naming opt on failure. */
bool cli_month(const char *s, int *mi);

/* ---- the progress line (cli/progress.c) ------------------------------------------ */
/* Long commands show on stderr, when it is a terminal (cli->tty, TERM not
 * "dumb"), one line redrawn in place at most four times a second: items
 * done of the total, megabytes and lines read, their rate, the time left
 * when it can be estimated, the current item's name; erased at the end.
 * Nothing at all when stderr is not a terminal. what: the command's name;
 * unit: the items' name, translated ("files"); items: how many (0:
 * unknown); bytes: their total size (0: unknown). */
void cli_progress_start(const bl_cli *cli, const char *what, const char *unit, long items,
                        int64_t bytes);
/* An item (a file, a report, a partner, a request) begins; size: its
 * bytes, 0 when not read as bytes. */
void cli_progress_item(const char *name, int64_t size);
void cli_progress_item_done(void);
/* A file of several read in one go is done (the bytes and lines are
 * followed through cli_progress_read alone). */
void cli_progress_file_done(void);
/* bl_ingest_opts.progress_file: the reading of the next file begins (the
 * one before counts as read). */
void cli_progress_next_file(void *ctx, const char *path);
/* A bl_read_progress_fn: the current item's bytes consumed and lines read
 * so far. Called from any thread (a log is read in a thread of its own). */
void cli_progress_read(void *ctx, int64_t bytes, unsigned long lines);
/* Erases the line before other output reaches the terminal; it is drawn
 * again at the next update. cli_write_safe (and so cli_error, cli_warn,
 * cli_printf_safe) does it; a plain printf between items must call this. */
void cli_progress_erase(void);
/* Erases the line and keeps it from being drawn while the caller writes
 * (another thread may be reading); true when a line may be drawn (the
 * caller then flushes what it had buffered). resume flushes f (may be NULL)
 * when a line may be drawn and lets it be drawn again. */
bool cli_progress_pause(void);
void cli_progress_resume(FILE *f);
/* Erases the line for good. */
void cli_progress_end(void);
/* -v, --verbose (read by cli_print_diag): the notes on lines too. */
extern bool cli_verbose;

#define BL_COMMANDS(X)                                                                      \
    X(init, N_("write a network folder of templates to start from"))                        \
    X(network, N_("import the network's reference lists (partners, libraries, resources)")) \
    X(ingest, N_("ingest usage files (COUNTER R4/R5 reports, access logs)"))                \
    X(export, N_("export usage (CSV, xlsx, ods)"))                                          \
    X(sources, N_("list ingested files (data-quality ledger)"))                             \
    X(rejects, N_("list the rows rejected from an ingested file"))                          \
    X(gaps, N_("list the months with no data per resource"))                                \
    X(harvest, N_("harvest COUNTER reports over SUSHI (R5, R5.1); harvest status"))         \
    X(forfait, N_("show prepaid packages: consumption, forecast, status"))                  \
    X(report, N_("render PDF reports (mensuel, semestriel, annuel, reseau)"))               \
    X(mail, N_("email each partner its report"))                                            \
    X(key, N_("manage the secret key that pseudonymises log identifiers"))                  \
    X(demo, N_("build a demo store from the bundled fixtures and render its reports"))

#define X(name, summary) int cmd_##name(bl_cli *cli, int argc, char **argv);
BL_COMMANDS(X)
#undef X

#endif
