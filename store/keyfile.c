/* The store's secrets live beside it, in STORE.key (owner-only), never in
 * the store: a copy of the store alone (a backup, another user's read)
 * cannot recompute a pseudonym, so it cannot test whether an address or a
 * login was a user (docs/privacy.md). One line per key, "NAME HEX32":
 * "pseudonym" hashes identifiers in memory while a log is read;
 * "month:YYYY-MM" keys that month's per-patron quota rows and is destroyed
 * once the month is closed. The file is locked while read and rewritten. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_MAX 65536

typedef struct keyfile {
    int fd;
    char text[KEYFILE_MAX + 1];
    size_t len;
} keyfile;

static void key_path(const bl_store *st, char *out, size_t n)
{
    snprintf(out, n, "%s.key", st->path);
}

/* Opens (creating it owner-only) and locks the key file, and reads it. */
static bl_status kf_open(bl_store *st, keyfile *kf)
{
    char path[1100];
    key_path(st, path, sizeof path);
    kf->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (kf->fd < 0)
        return bl_store_fail(st, BL_CANTCREAT, "cannot open the key file '%s': %s", path,
                             strerror(errno));
    struct stat sb;
    if (fstat(kf->fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
        close(kf->fd);
        return bl_store_fail(st, BL_CANTCREAT,
                             "the key file '%s' may be read by others (mode %03o): refused; "
                             "run 'chmod 600 %s'",
                             path, (unsigned)(sb.st_mode & 0777), path);
    }
    if (flock(kf->fd, LOCK_EX) != 0) {
        close(kf->fd);
        return bl_store_fail(st, BL_IO, "cannot lock '%s': %s", path, strerror(errno));
    }
    ssize_t r = pread(kf->fd, kf->text, KEYFILE_MAX + 1, 0);
    if (r < 0 || r > KEYFILE_MAX) {
        close(kf->fd);
        return bl_store_fail(st, BL_DATA, "cannot read the key file '%s'", path);
    }
    kf->len = (size_t)r;
    kf->text[kf->len] = '\0';
    return BL_OK;
}

static void kf_close(keyfile *kf)
{
    memset(kf->text, 0, sizeof kf->text);
    close(kf->fd); /* releases the lock */
}

static bl_status kf_write(bl_store *st, keyfile *kf)
{
    if (pwrite(kf->fd, kf->text, kf->len, 0) != (ssize_t)kf->len ||
        ftruncate(kf->fd, (off_t)kf->len) != 0 || fsync(kf->fd) != 0) {
        char path[1100];
        key_path(st, path, sizeof path);
        return bl_store_fail(st, BL_IO, "cannot write the key file '%s': %s", path,
                             strerror(errno));
    }
    return BL_OK;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The line of name: its start, or NULL. */
static char *kf_find(keyfile *kf, const char *name)
{
    size_t nl = strlen(name);
    for (char *p = kf->text; *p;) {
        char *end = strchr(p, '\n');
        if (strncmp(p, name, nl) == 0 && p[nl] == ' ')
            return p;
        if (!end)
            break;
        p = end + 1;
    }
    return NULL;
}

static bool kf_parse(const char *line, size_t nl, uint8_t key[16])
{
    const char *h = line + nl + 1;
    for (int i = 0; i < 16; i++) {
        int a = hexval(h[2 * i]), b = a < 0 ? -1 : hexval(h[2 * i + 1]);
        if (b < 0)
            return false;
        key[i] = (uint8_t)(a * 16 + b);
    }
    return h[32] == '\n' || h[32] == '\0';
}

static bl_status kf_append(bl_store *st, keyfile *kf, const char *name, const uint8_t key[16])
{
    size_t need = strlen(name) + 1 + 32 + 1;
    if (kf->len + need > KEYFILE_MAX)
        return bl_store_fail(st, BL_DATA, "the key file is full");
    int w = snprintf(kf->text + kf->len, KEYFILE_MAX + 1 - kf->len, "%s ", name);
    kf->len += (size_t)w;
    for (int i = 0; i < 16; i++)
        kf->len += (size_t)snprintf(kf->text + kf->len, 3, "%02x", key[i]);
    kf->text[kf->len++] = '\n';
    kf->text[kf->len] = '\0';
    return BL_OK;
}

static bl_status random_key(bl_store *st, uint8_t key[16])
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && read(fd, key, 16) == 16;
    if (fd >= 0)
        close(fd);
    return ok ? BL_OK : bl_store_fail(st, BL_IO, "cannot read /dev/urandom");
}

/* Removes the lines for which drop(name) is true. */
static void kf_filter(keyfile *kf, bool (*drop)(const char *line, const void *arg), const void *arg)
{
    char *w = kf->text;
    for (char *p = kf->text; *p;) {
        char *end = strchr(p, '\n');
        size_t l = end ? (size_t)(end - p + 1) : strlen(p);
        if (!drop(p, arg)) {
            memmove(w, p, l);
            w += l;
        }
        p += l;
    }
    memset(w, 0, (size_t)(kf->text + kf->len - w));
    kf->len = (size_t)(w - kf->text);
}

bl_status bl__key_get(bl_store *st, const char *name, uint8_t key[16])
{
    keyfile kf;
    bl_status rc = kf_open(st, &kf);
    if (rc != BL_OK)
        return rc;
    char *line = kf_find(&kf, name);
    if (line && kf_parse(line, strlen(name), key)) {
        kf_close(&kf);
        return BL_OK;
    }
    if ((rc = random_key(st, key)) == BL_OK && (rc = kf_append(st, &kf, name, key)) == BL_OK)
        rc = kf_write(st, &kf);
    kf_close(&kf);
    return rc;
}

bl_status bl__key_set(bl_store *st, const char *name, const uint8_t key[16])
{
    keyfile kf;
    bl_status rc = kf_open(st, &kf);
    if (rc != BL_OK)
        return rc;
    char *line = kf_find(&kf, name);
    if (line) {
        size_t nl = strlen(name);
        for (int i = 0; i < 16; i++) {
            static const char hex[] = "0123456789abcdef";
            line[nl + 1 + 2 * i] = hex[key[i] >> 4];
            line[nl + 2 + 2 * i] = hex[key[i] & 15];
        }
    } else {
        rc = kf_append(st, &kf, name, key);
    }
    if (rc == BL_OK)
        rc = kf_write(st, &kf);
    kf_close(&kf);
    return rc;
}

static bool month_upto(const char *line, const void *arg)
{
    /* "month:YYYY-MM " */
    return strncmp(line, "month:", 6) == 0 && line[13] == ' ' &&
           strncmp(line + 6, (const char *)arg, 7) <= 0;
}

bl_status bl__key_drop_months(bl_store *st, const char *cut)
{
    keyfile kf;
    bl_status rc = kf_open(st, &kf);
    if (rc != BL_OK)
        return rc;
    size_t before = kf.len;
    kf_filter(&kf, month_upto, cut);
    if (kf.len != before)
        rc = kf_write(st, &kf);
    kf_close(&kf);
    return rc;
}

bl_status bl__keys_migrate(bl_store *st)
{
    /* Stores written before the key file held their keys in meta: move
     * them out, and let secure_delete wipe the pages they were on. */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT key, value FROM meta WHERE key = 'pseudonym_key'"
                           " OR key LIKE 'quota_key:%'",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, true);
    bl_status rc = BL_OK;
    bool any = false;
    while (rc == BL_OK && sqlite3_step(q) == SQLITE_ROW) {
        const char *k = bl__col_text(q, 0);
        if (sqlite3_column_bytes(q, 1) != 16)
            continue;
        char name[32];
        if (strcmp(k, "pseudonym_key") == 0)
            snprintf(name, sizeof name, "pseudonym");
        else
            snprintf(name, sizeof name, "month:%.7s", k + 10);
        rc = bl__key_set(st, name, sqlite3_column_blob(q, 1));
        any = true;
    }
    sqlite3_finalize(q);
    if (rc != BL_OK || !any)
        return rc;
    rc = bl__exec(st, "DELETE FROM meta WHERE key = 'pseudonym_key' OR key LIKE 'quota_key:%'");
    if (rc == BL_OK)
        sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    return rc;
}

bl_status bl__store_secret(bl_store *st, uint8_t key[16])
{
    return bl__key_get(st, "pseudonym", key);
}

bl_status bl_store_open(const char *path, bl_store **out, char **errmsg)
{
    bl_status rc = bl__store_open_rw(path, out, errmsg);
    if (rc != BL_OK)
        return rc;
    /* An older store's keys leave it at its first writing open. */
    if ((rc = bl__keys_migrate(*out)) != BL_OK) {
        *errmsg = strdup(bl_store_errmsg(*out));
        bl_store_close(*out);
        *out = NULL;
    }
    return rc;
}
