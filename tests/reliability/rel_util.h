/* Helpers of the reliability tests (tests/reliability/): a store with the
 * test network, the real bilan binary run synchronously or in the
 * background, exports to compare states, SQLite's own integrity check,
 * and generators of large inputs (never committed). */
#ifndef BILAN_REL_UTIL_H
#define BILAN_REL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testutil.h"

/* A fresh temporary directory with a store `t.db` holding the network of
 * fixtures/ingest/network. */
typedef struct rel_env {
    char *dir;
    char db[1024];
} rel_env;

void rel_setup(rel_env *e, const char *tag);
/* A second store in the same directory (name like "fresh.db"), network imported. */
void rel_new_store(rel_env *e, const char *name, char out[1024]);
void rel_teardown(rel_env *e);

/* A path inside the environment's directory (static rotating buffers). */
const char *rel_path(const rel_env *e, const char *name);
/* A fixture path under fixtures/ (static rotating buffers). */
const char *rel_fixture(const char *rel);

/* bilan --db DB ARGS... (NULL-terminated), synchronously. */
tu_run rel_bilan(const char *db, ...);
/* `bilan export usage --access-method all` of db; asserts success. */
char *rel_export(const char *db);
/* `bilan sources --format csv` of db without the ingested_at column. */
char *rel_sources(const char *db);
/* PRAGMA integrity_check through the SQLite library ("ok" when sound). */
char *rel_integrity(const char *db);
/* Column 0 of every row of a query, one per line (malloc'd). */
char *rel_query(const char *db, const char *sql);
/* SELECT COUNT(*) of a query, -1 on error. */
long long rel_count(const char *db, const char *sql);

/* True when the command ran but is still a placeholder (exit 70,
 * "not implemented yet"). */
bool rel_placeholder(const tu_run *r);

/* Starts argv in the background, stdout and stderr to files; returns the pid. */
pid_t rel_spawn(const char *const *argv, const char *out_path, const char *err_path);
/* Waits for pid; exit status or 128 + signal. */
int rel_wait(pid_t pid);
/* Monotonic seconds. */
double rel_now(void);
void rel_sleep(double seconds);

/* Writes a COUNTER R5 PR (CSV) with n_inst institutions ("<prefix> 17",
 * Proprietary:<prefix>:17) × 3 months × 2 metrics, platform and provider
 * as given, plus the network's Médiathèque centrale with known values. */
void rel_gen_pr(const char *path, const char *prefix, const char *platform, const char *provider,
                long n_inst);

/* True when s is valid UTF-8 throughout. */
bool rel_utf8(const char *s, size_t n);
/* True when some CSV field of text (RFC 4180 quoting) starts with = + - @
 * (a spreadsheet would run it as a formula) and is not a plain number. */
bool rel_csv_has_formula(const char *text, char *bad, size_t badn);

#endif
