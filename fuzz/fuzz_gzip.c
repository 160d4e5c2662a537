/* Fuzz target: the byte source (plain or gzip, one or several members,
 * truncated or corrupt streams). Reads the whole stream with odd buffer
 * sizes, then peeks as format detection does; errors must be sticky. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <unistd.h>

#include "bilan/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    bl_source *src = NULL;
    char *err = NULL;
    if (bl_source_open(path, &src, &err) == BL_OK) {
        static char buf[70000];
        static const size_t sizes[] = {1, 7, 4096, 65536, 3};
        size_t total = 0;
        for (unsigned k = 0;; k++) {
            size_t got = 0;
            bl_status st = bl_source_read(src, buf, sizes[k % 5], &got);
            if (st != BL_OK) {
                /* Sticky: the next read fails the same way. */
                size_t again = 1;
                if (bl_source_read(src, buf, 16, &again) != st || again != 0)
                    abort();
                fz_touch(bl_source_errmsg(src), 1);
                break;
            }
            if (got > sizes[k % 5])
                abort();
            fz_touch(buf, got);
            total += got;
            if (got == 0 || total > (64u << 20))
                break;
        }
        bl_source_close(src);
    }
    free(err);
    err = NULL;
    char head[16384];
    size_t got = 0;
    bl_source_peek(path, head, sizeof head, &got, &err);
    if (got > sizeof head)
        abort();
    free(err);
    close(fd);
    return 0;
}
