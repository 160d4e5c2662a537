/* Files bilan creates (PDF reports, .eml previews, copied templates, raw
 * responses): never through a symbolic link, never half-written, never in a
 * folder that others may write to. See docs/security.md, "Output files". */
#include "bilan/common.h"
#include "bilan/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bl_mkdirs(const char *path)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf)
        return ENAMETOOLONG;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return errno;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? errno : 0;
}

static bl_status fail(bl_outfile *o, char *err, size_t errlen, int e, const char *what)
{
    snprintf(err, errlen, _("cannot create '%s': %s"), o->path, what ? what : strerror(e));
    bl_outfile_abort(o);
    return BL_CANTCREAT;
}

bl_status bl_outfile_open(bl_outfile *o, const char *path, char *err, size_t errlen)
{
    *o = (bl_outfile){.dirfd = -1, .fd = -1};
    snprintf(o->path, sizeof o->path, "%s", path);
    if (strlen(path) >= sizeof o->path)
        return fail(o, err, errlen, ENAMETOOLONG, NULL);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return fail(o, err, errlen, EISDIR, NULL);
    snprintf(o->base, sizeof o->base, "%s", base);
    char dir[sizeof o->path];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->dirfd < 0)
        return fail(o, err, errlen, errno, NULL);
    struct stat sb;
    if (fstat(o->dirfd, &sb) != 0)
        return fail(o, err, errlen, errno, NULL);
    /* Another local user could plant or swap files there. */
    if (sb.st_mode & S_IWOTH)
        return fail(o, err, errlen, 0,
                    _("its folder is writable by every user; "
                      "choose a folder of your own (chmod o-w)"));
    /* A fresh, unpredictable name, created only if it does not exist and
     * never through a link: nothing planted in advance can be written. */
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char rnd[6];
        int ufd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        ssize_t got = ufd >= 0 ? read(ufd, rnd, sizeof rnd) : -1;
        if (ufd >= 0)
            close(ufd);
        if (got != (ssize_t)sizeof rnd)
            return fail(o, err, errlen, EIO, _("no random source"));
        snprintf(o->tmp, sizeof o->tmp, ".bilan-%02x%02x%02x%02x%02x%02x.tmp", rnd[0], rnd[1],
                 rnd[2], rnd[3], rnd[4], rnd[5]);
        o->fd =
            openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd >= 0)
            return BL_OK;
        if (errno != EEXIST)
            return fail(o, err, errlen, errno, NULL);
    }
    return fail(o, err, errlen, EEXIST, NULL);
}

bl_status bl_outfile_write(bl_outfile *o, const void *p, size_t n, char *err, size_t errlen)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, _("cannot write '%s': %s"), o->path,
                     w < 0 ? strerror(errno) : _("short write"));
            return BL_CANTCREAT;
        }
        c += w;
        n -= (size_t)w;
    }
    return BL_OK;
}

bl_status bl_outfile_commit(bl_outfile *o, bool replace, char *err, size_t errlen)
{
    if (fsync(o->fd) != 0 || close(o->fd) != 0) {
        o->fd = -1;
        return fail(o, err, errlen, errno, NULL);
    }
    o->fd = -1;
    /* renameat replaces a link planted at the final name, never its target;
     * linkat refuses any existing name. */
    int rc = replace ? renameat(o->dirfd, o->tmp, o->dirfd, o->base)
                     : linkat(o->dirfd, o->tmp, o->dirfd, o->base, 0);
    if (rc != 0) {
        int e = errno;
        if (e == EEXIST) {
            snprintf(err, errlen, _("'%s' already exists: not overwritten"), o->path);
            bl_outfile_abort(o);
            return BL_CANTCREAT;
        }
        return fail(o, err, errlen, e, NULL);
    }
    if (!replace)
        unlinkat(o->dirfd, o->tmp, 0);
    o->tmp[0] = '\0';
    close(o->dirfd);
    o->dirfd = -1;
    return BL_OK;
}

void bl_outfile_abort(bl_outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->dirfd >= 0) {
        if (o->tmp[0])
            unlinkat(o->dirfd, o->tmp, 0);
        close(o->dirfd);
    }
    o->dirfd = -1;
    o->tmp[0] = '\0';
}

bl_status bl_outfile_put(const char *path, const void *p, size_t n, bool replace, char *err,
                         size_t errlen)
{
    bl_outfile o;
    bl_status rc = bl_outfile_open(&o, path, err, errlen);
    if (rc == BL_OK && (rc = bl_outfile_write(&o, p, n, err, errlen)) != BL_OK)
        bl_outfile_abort(&o);
    if (rc == BL_OK)
        rc = bl_outfile_commit(&o, replace, err, errlen);
    return rc;
}
