/* Internal interfaces of the store layer (not installed, not public). */
#ifndef BILAN_STORE_INTERNAL_H
#define BILAN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "bilan/store.h"

struct bl_store {
    sqlite3 *db;
    char *path;
    bool readonly;
    char err[1024];
};

extern const char *const bl__migrations[];
extern const int bl__migration_count;

/* Sets the handle's error text; returns st. */
bl_status bl__store_fail(bl_store *st, bl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Runs SQL with no result; on error sets the handle's message. */
bl_status bl__exec(bl_store *st, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
bl_status bl__begin(bl_store *st);
bl_status bl__commit(bl_store *st);
void bl__rollback(bl_store *st);

/* The store's secret key for pseudonymising identifiers (created on first
 * use). Never leaves the process. */
bl_status bl__store_secret(bl_store *st, uint8_t key[16]);

/* ---- restatements (store/restate.c) ------------------------------------ */

typedef struct bl_restate_counts {
    long long lost_rows, lost_sources; /* rows of earlier sources no longer counted */
    long long self_superseded;         /* rows of this source not counted */
    long long winner_over_self;        /* the source counted instead, or 0 */
    long long kept_by_rejection;       /* earlier rows kept: this source's row was rejected */
} bl_restate_counts;

/* Decides, for every restatement key source sid carries, which source's
 * rows are live (inside the caller's transaction). */
bl_status bl__restate(bl_store *st, long long sid, bl_restate_counts *c);

#endif
