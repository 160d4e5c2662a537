/* Rotation of the store's pseudonymisation secret (`bilan key rotate`).
 * Identifiers are hashed with this key in memory only; replacing it makes
 * every later pseudonym unrelated to every earlier one. */
#include "store_internal.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

bl_status bl_store_key_rotate(bl_store *st)
{
    uint8_t key[16];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, key, sizeof key) != (ssize_t)sizeof key) {
        if (fd >= 0)
            close(fd);
        return bl_store_fail(st, BL_IO, "cannot read /dev/urandom");
    }
    close(fd);
    bl_status rc = bl__begin(st);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO meta(key, value) VALUES ('pseudonym_key', ?)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
        goto out;
    }
    sqlite3_bind_blob(q, 1, key, sizeof key, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = bl_store_fail(st, BL_IO, "cannot store the secret key: %s", sqlite3_errmsg(st->db));
out:
    sqlite3_finalize(q);
    memset(key, 0, sizeof key);
    if (rc == BL_OK)
        rc = bl__commit(st);
    if (rc != BL_OK)
        bl__rollback(st);
    return rc;
}
