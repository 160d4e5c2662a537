/* The SQLite store: opening, migrations, transactions, the secret key. */
#include "agg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bl_status bl__store_fail(bl_store *st, bl_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return code;
}

bl_status bl__exec(bl_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_extended_errcode(st->db);
        bl__store_fail(st, BL_IO, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
            return BL_TEMPFAIL;
        return BL_IO;
    }
    return BL_OK;
}

bl_status bl__begin(bl_store *st)
{
    return bl__exec(st, "BEGIN IMMEDIATE");
}

bl_status bl__commit(bl_store *st)
{
    return bl__exec(st, "COMMIT");
}

void bl__rollback(bl_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int bl_store_schema_version(void)
{
    return bl__migration_count;
}

const char *bl_store_errmsg(const bl_store *st)
{
    return st ? st->err : "no store";
}

void *bl__store_db(bl_store *st)
{
    return st->db;
}

static bl_status migrate(bl_store *st)
{
    sqlite3_stmt *q = NULL;
    int version = 0;
    bl_status rc = bl__begin(st);
    if (rc != BL_OK)
        return rc;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (version > bl__migration_count) {
        bl__rollback(st);
        return bl__store_fail(st, BL_DATA,
                              "%s: store schema version %d is newer than this bilan (%d)", st->path,
                              version, bl__migration_count);
    }
    for (int v = version; v < bl__migration_count; v++) {
        rc = bl__exec(st, bl__migrations[v]);
        if (rc != BL_OK)
            goto fail;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        rc = bl__exec(st, pragma);
        if (rc != BL_OK)
            goto fail;
    }
    return bl__commit(st);
fail:
    bl__rollback(st);
    return rc;
}

bl_status bl_store_open(const char *path, bl_store **out, char **errmsg)
{
    *out = NULL;
    bl_store *st = calloc(1, sizeof *st);
    if (!st)
        return BL_NOMEM;
    st->path = strdup(path);
    if (!st->path) {
        free(st);
        return BL_NOMEM;
    }
    bl_status rc = BL_OK;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = bl__store_fail(st, BL_CANTCREAT, "cannot open store '%s': %s", path,
                            st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    /* Another bilan may be ingesting: wait for it rather than fail. */
    sqlite3_busy_timeout(st->db, 60000);
    sqlite3_extended_result_codes(st->db, 1);
    rc = bl__exec(st, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                      "PRAGMA synchronous=NORMAL;");
    if (rc != BL_OK) {
        rc = bl__store_fail(st, BL_CANTCREAT, "cannot use store '%s': %s", path,
                            sqlite3_errmsg(st->db));
        goto fail;
    }
    rc = bl__register_sql_functions(st->db);
    if (rc != BL_OK) {
        bl__store_fail(st, rc, "cannot register SQL functions");
        goto fail;
    }
    rc = migrate(st);
    if (rc != BL_OK)
        goto fail;
    *out = st;
    return BL_OK;
fail:
    *errmsg = strdup(st->err);
    bl_store_close(st);
    return rc;
}

void bl_store_close(bl_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

bl_status bl__store_secret(bl_store *st, uint8_t key[16])
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'pseudonym_key'", -1, &q,
                           NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16) {
        memcpy(key, sqlite3_column_blob(q, 0), 16);
        sqlite3_finalize(q);
        return BL_OK;
    }
    sqlite3_finalize(q);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, key, 16) != 16) {
        if (fd >= 0)
            close(fd);
        return bl__store_fail(st, BL_IO, "cannot read /dev/urandom");
    }
    close(fd);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO meta(key, value) VALUES ('pseudonym_key', ?)",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    sqlite3_bind_blob(q, 1, key, 16, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = bl__store_fail(st, BL_IO, "cannot store the secret key: %s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    return rc;
}

long long bl_participation_cents(long long population, long long rate_e4)
{
    /* population × rate_e4 is in 1/10 000 €; cents are 1/100 €. */
    return (population * rate_e4 + 50) / 100;
}

bl_status bl_store_partners(bl_store *st, bl_partner_info **out, size_t *n)
{
    sqlite3_stmt *q = NULL;
    bl_partner_info *v = NULL;
    size_t cnt = 0, alloc = 0;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, name, kind, emails, population, population_year, rate_e4 "
                           "FROM partner ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == alloc) {
            size_t na = alloc ? alloc * 2 : 16;
            bl_partner_info *nv = realloc(v, na * sizeof *nv);
            if (!nv)
                goto nomem;
            v = nv;
            alloc = na;
        }
        bl_partner_info *p = &v[cnt];
        memset(p, 0, sizeof *p);
        cnt++;
        p->id = strdup((const char *)sqlite3_column_text(q, 0));
        p->name = strdup((const char *)sqlite3_column_text(q, 1));
        p->kind = strdup((const char *)sqlite3_column_text(q, 2));
        p->emails = strdup((const char *)sqlite3_column_text(q, 3));
        if (!p->id || !p->name || !p->kind || !p->emails)
            goto nomem;
        p->population = sqlite3_column_int64(q, 4);
        p->population_year = sqlite3_column_int(q, 5);
        p->rate_e4 = sqlite3_column_int64(q, 6);
        p->participation_cents = bl_participation_cents(p->population, p->rate_e4);
    }
    sqlite3_finalize(q);
    if (r != SQLITE_DONE) {
        bl_partner_list_free(v, cnt);
        return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    }
    *out = v;
    *n = cnt;
    return BL_OK;
nomem:
    sqlite3_finalize(q);
    bl_partner_list_free(v, cnt);
    return BL_NOMEM;
}

void bl_partner_list_free(bl_partner_info *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].id);
        free(p[i].name);
        free(p[i].kind);
        free(p[i].emails);
    }
    free(p);
}
