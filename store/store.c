/* The SQLite store: opening, migrations, transactions, the secret key. */
#include "store_internal.h"

#include "bilan/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bl_status bl__prepare_rows(bl_store *st, const char *insert, const char *values, int n,
                           sqlite3_stmt **q)
{
    size_t li = strlen(insert), lv = strlen(values);
    char *sql = malloc(li + (size_t)n * (lv + 1) + 1);
    if (!sql)
        return bl_store_fail(st, BL_NOMEM, "%s", _("out of memory"));
    char *p = sql;
    memcpy(p, insert, li);
    p += li;
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, values, lv);
        p += lv;
    }
    *p = '\0';
    int r = sqlite3_prepare_v2(st->db, sql, (int)(p - sql), q, NULL);
    free(sql);
    return r == SQLITE_OK ? BL_OK : bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
}

bl_status bl__exec(bl_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_extended_errcode(st->db);
        bl_store_fail(st, BL_IO, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
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

bl_status bl__sql_fail(bl_store *st, bool with_path)
{
    if (with_path)
        return bl_store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
}

bl_status bl_store_begin(bl_store *st)
{
    return bl__begin(st);
}

bl_status bl_store_commit(bl_store *st)
{
    return bl__commit(st);
}

void bl_store_rollback(bl_store *st)
{
    bl__rollback(st);
}

bl_status bl_store_fail(bl_store *st, bl_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, _(fmt), ap);
    va_end(ap);
    return code;
}

int bl_store_schema_version(void)
{
    return bl__migration_count;
}

const char *bl_store_path(const bl_store *st)
{
    return st->path;
}

const char *bl_store_errmsg(const bl_store *st)
{
    return st ? st->err : _("no store");
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
        return bl_store_fail(st, BL_DATA,
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

/* The folder part of path, for messages ("." when none). */
static void folder_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
}

/* A store in a folder we cannot write, fully checkpointed (no -wal file):
 * nobody can be writing it, so it is read as immutable (no WAL index
 * needed). Percent-encodes the path into a URI. */
static bool reopen_immutable(bl_store *st, const char *path, int *version)
{
    char uri[4200];
    size_t n = 0;
    n += (size_t)snprintf(uri, sizeof uri, "file:");
    for (const char *p = path; *p && n + 8 < sizeof uri; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("/-._~", c))
            uri[n++] = (char)c;
        else
            n += (size_t)snprintf(uri + n, sizeof uri - n, "%%%02X", c);
    }
    if (n + 16 >= sizeof uri)
        return false;
    snprintf(uri + n, sizeof uri - n, "?immutable=1");
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    sqlite3_stmt *q = NULL;
    bool ok = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
              sqlite3_step(q) == SQLITE_ROW;
    if (ok)
        *version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (!ok) {
        sqlite3_close(db);
        return false;
    }
    sqlite3_close(st->db);
    st->db = db;
    sqlite3_extended_result_codes(st->db, 1);
    return true;
}

/* SQLite counts its allocations under a global mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS); bilan never asks for the counts. Before any
 * other SQLite call of the process, hence once, at the first open. */
static pthread_once_t sqlite_setup_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* A statement that writes several rows (a batch of usage rows, in
     * ingest_write.c) keeps a journal to undo itself alone: in memory, not
     * in a temporary file written page by page (SQLite's default spills at
     * 64 KiB: 6.5 times the writes on daily logs). Without a limit: SQLite
     * allocates an in-memory journal in chunks of the limit's size (1 KiB
     * without one), so a limit of 4 MiB cost a 4 MiB allocation for every
     * batch: the reliability tests under ASan took 563 s instead of 366 s
     * (docs/bench.md, 2 December). A journal holds the old contents of the
     * pages its one statement changes, no more. Either way the rows are the
     * same; only the cost differs. */
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
}

static bl_status open_store(const char *path, bool readonly, bl_store **out, char **errmsg)
{
    pthread_once(&sqlite_setup_once, sqlite_setup);
    *out = NULL;
    *errmsg = NULL;
    bl_store *st = calloc(1, sizeof *st);
    if (!st)
        return BL_NOMEM;
    st->path = strdup(path);
    st->readonly = readonly;
    if (!st->path) {
        free(st);
        return BL_NOMEM;
    }
    bl_status rc = BL_OK;
    char folder[4096];
    folder_of(path, folder, sizeof folder);
    /* Said in words (SQLite said « unable to open database file » and
     * « disk I/O error », in English). */
    struct stat pb;
    if (stat(path, &pb) == 0 && S_ISDIR(pb.st_mode)) {
        rc = bl_store_fail(st, BL_USAGE,
                           "'%s' is a folder: the store is a file (for example %s/bilan.db)", path,
                           path);
        goto fail;
    }
    if (!readonly && strlen(path) < sizeof folder && stat(folder, &pb) != 0 && errno == ENOENT) {
        rc = bl_store_fail(st, BL_CANTCREAT,
                           "cannot create the store '%s': the folder '%s' does not exist "
                           "(create it first, or give another --db)",
                           path, folder);
        goto fail;
    }
    if (!readonly && strlen(path) < sizeof folder && stat(folder, &pb) == 0 &&
        !S_ISDIR(pb.st_mode)) {
        rc = bl_store_fail(st, BL_CANTCREAT, "cannot create the store '%s': '%s' is a file", path,
                           folder);
        goto fail;
    }
    if (readonly) {
        /* A read command never creates a store: a typo in BILAN_DB must not
         * give an empty store and a silent success. */
        struct stat sb;
        if (stat(path, &sb) != 0) {
            rc = bl_store_fail(st, errno == ENOENT || errno == ENOTDIR ? BL_NOINPUT : BL_IO,
                               "no store at '%s': %s (create one with 'bilan network import')",
                               path, strerror(errno));
            goto fail;
        }
    }
    if (!readonly) {
        /* The store holds the pseudonymisation key (docs/logs.md): created
         * owner-only (SQLite gives its -wal and -shm the same mode), and a
         * store others may write is refused (issue 19). */
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
        struct stat sb;
        if (stat(path, &sb) == 0 && (sb.st_mode & (S_IWGRP | S_IWOTH))) {
            rc = bl_store_fail(st, BL_CANTCREAT,
                               "store '%s' is writable by others (mode %03o): refused; "
                               "run 'chmod 600 %s'",
                               path, (unsigned)(sb.st_mode & 0777), path);
            goto fail;
        }
    }
    /* One thread at a time uses a store (the reading threads never touch
     * it): no per-call locking (SQLITE_OPEN_NOMUTEX). */
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        rc = bl_store_fail(st, readonly ? BL_NOINPUT : BL_CANTCREAT, "cannot open store '%s': %s",
                           path, st->db ? sqlite3_errmsg(st->db) : _("out of memory"));
        goto fail;
    }
    /* Another bilan may be ingesting: wait for it rather than fail. */
    sqlite3_busy_timeout(st->db, 60000);
    sqlite3_extended_result_codes(st->db, 1);
    if (readonly) {
        /* Reading needs the WAL index (<store>-shm): say which folder when it
         * cannot be made rather than SQLite's bare "unable to open". */
        sqlite3_stmt *q = NULL;
        int r = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL);
        int version = 0;
        if (r == SQLITE_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
            version = sqlite3_column_int(q, 0), r = SQLITE_OK;
        sqlite3_finalize(q);
        if (r != SQLITE_OK) {
            int code = sqlite3_extended_errcode(st->db) & 0xff;
            char wal[1100];
            snprintf(wal, sizeof wal, "%s-wal", path);
            if ((code == SQLITE_CANTOPEN || code == SQLITE_READONLY) && access(wal, F_OK) != 0 &&
                reopen_immutable(st, path, &version)) {
                r = SQLITE_OK; /* a read-only folder and nothing pending in a WAL */
            } else if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY) {
                rc = bl_store_fail(st, BL_IO,
                                   "cannot read store '%s': its folder '%s' must be writable "
                                   "for the WAL index, or '%s-shm' must exist",
                                   path, folder, path);
                goto fail;
            } else if (code == SQLITE_NOTADB) {
                rc = bl_store_fail(st, BL_DATA, "'%s' is not a bilan store", path);
                goto fail;
            } else {
                rc = bl_store_fail(st, BL_IO, "cannot read store '%s': %s", path,
                                   sqlite3_errmsg(st->db));
                goto fail;
            }
        }
        if (version != bl__migration_count) {
            rc = bl_store_fail(st, BL_DATA,
                               version > bl__migration_count
                                   ? N_("%s: store schema version %d is newer than this bilan (%d)")
                                   : N_("%s: store schema version %d is older than this bilan "
                                        "(%d): run any writing command (e.g. 'bilan network "
                                        "import') to upgrade it"),
                               path, version, bl__migration_count);
            goto fail;
        }
        rc = bl__exec(st, "PRAGMA foreign_keys=ON");
    } else {
        /* Foreign keys stay off while migrating: a migration may rebuild a
         * table that others reference, which SQLite only allows that way. */
        /* secure_delete: a deleted row (a removed source, a month's per-patron
         * rows) is overwritten, not left in a free page (docs/privacy.md). */
        rc = bl__exec(st, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF; "
                          "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;");
        if (rc != BL_OK) {
            int code = sqlite3_extended_errcode(st->db) & 0xff;
            if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
                rc = bl_store_fail(st, BL_CANTCREAT,
                                   "cannot use store '%s': %s (is its folder '%s' writable?)", path,
                                   sqlite3_errmsg(st->db), folder);
            else
                rc = bl_store_fail(st, BL_CANTCREAT, "cannot use store '%s': %s", path,
                                   sqlite3_errmsg(st->db));
            goto fail;
        }
    }
    if (rc != BL_OK)
        goto fail;
    rc = bl__register_sql_functions(st->db);
    if (rc != BL_OK) {
        bl_store_fail(st, rc, "cannot register SQL functions");
        goto fail;
    }
    if (!readonly) {
        rc = migrate(st);
        if (rc == BL_OK)
            rc = bl__exec(st, "PRAGMA foreign_keys=ON");
        if (rc != BL_OK)
            goto fail;
    }
    *out = st;
    return BL_OK;
fail:
    *errmsg = strdup(st->err);
    bl_store_close(st);
    return rc;
}

bl_status bl__store_open_rw(const char *path, bl_store **out, char **errmsg)
{
    return open_store(path, false, out, errmsg);
}

bl_status bl_store_open_readonly(const char *path, bl_store **out, char **errmsg)
{
    return open_store(path, true, out, errmsg);
}

/* A read-only connection cannot delete the WAL and its index when it closes
 * last, so a read command left '<store>-wal' (empty) and '<store>-shm' beside
 * the store: a user copying the store saw three files. The last connection
 * that may write deletes them on close, so one is opened, made to read, and
 * closed; when another command still uses the store (it is not the last),
 * the store cannot be written (permissions), or no WAL is there (a store
 * read as immutable), nothing happens. */
static void tidy_wal(const char *path)
{
    char wal[4200];
    if (!path || (size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal ||
        access(wal, F_OK) != 0 || access(path, W_OK) != 0)
        return;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
        sqlite3_exec(db, "PRAGMA user_version", NULL, NULL, NULL);
    sqlite3_close(db);
}

void bl_store_close(bl_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    if (st->readonly)
        tidy_wal(st->path);
    free(st->path);
    free(st);
}

long long bl_participation_cents(long long population, long long rate_e4)
{
    /* population × rate_e4 is in 1/10 000 €; cents are 1/100 €. Import
     * bounds both (≤ 1 000 000 000 inhabitants, ≤ 1 000 € each); a store
     * written before the bounds may hold anything: checked, -1 when the
     * product does not fit (shown as unknown, never as a wrapped sum). */
    long long p;
    if (population < 0 || rate_e4 < 0 || __builtin_mul_overflow(population, rate_e4, &p) ||
        __builtin_add_overflow(p, 50, &p))
        return -1;
    return p / 100;
}

bl_status bl_store_partners(bl_store *st, bl_partner_info **out, size_t *n)
{
    sqlite3_stmt *q = NULL;
    bl_partner_info *v = NULL;
    size_t cnt = 0, alloc = 0;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, name, kind, emails, population, population_year, rate_e4, "
                           "article FROM partner ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
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
        if (sqlite3_column_type(q, 7) != SQLITE_NULL &&
            !(p->article = strdup((const char *)sqlite3_column_text(q, 7))))
            goto nomem;
    }
    sqlite3_finalize(q);
    if (r != SQLITE_DONE) {
        bl_partner_list_free(v, cnt);
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
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
        free(p[i].article);
    }
    free(p);
}
