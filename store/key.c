/* Rotation of the store's pseudonymisation secret (`bilan key rotate`),
 * kept in the key file beside the store (store/keyfile.c).
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
    bl_status rc = bl__key_set(st, "pseudonym", key);
    memset(key, 0, sizeof key);
    return rc;
}
