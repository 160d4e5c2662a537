/* Helpers for the trust tests: a fresh store per test, running the real
 * bilan on it, reading figures back from the store with SQLite. */
#ifndef BILAN_TRUST_UTIL_H
#define BILAN_TRUST_UTIL_H

#include "testutil.h"

typedef struct tr_env {
    char *dir; /* a fresh temporary directory */
    char *db;  /* dir/t.db */
} tr_env;

/* A fresh directory and store path (the store is not created). */
tr_env tr_setup(const char *tag);
void tr_teardown(tr_env *e);
/* fixtures/trust/<rel>; a static buffer, eight in rotation. */
const char *tr_fx(const char *rel);
/* Runs bilan --db e->db with the NULL-terminated arguments. */
tu_run tr_bilan(const tr_env *e, ...) __attribute__((sentinel));
/* Runs bilan --db e->db with the arguments and extra environment. */
tu_run tr_bilan_env(const tr_env *e, const char *const *env, const char *const *args);
/* The first column of the first row of sql on the store, as a malloc'd
 * string ("" when no row, NULL when the query fails). */
char *tr_sql(const tr_env *e, const char *sql);
/* The same, as an integer (-1 when no row or on failure). */
long long tr_sql_int(const tr_env *e, const char *sql);
/* `bilan export usage` (all months), stdout; asserts exit 0. */
char *tr_export(const tr_env *e);

#endif
