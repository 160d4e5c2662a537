/* Fuzz target: the COUNTER readers. Every input goes through format
 * detection and dispatch (bl_ingest_file, as `bilan ingest` does), then
 * through the R5 and the R4 reader directly, since either may be forced
 * with --format whatever the file holds. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <unistd.h>

#include "bilan/ingest.h"

typedef bl_status (*reader_fn)(bl_source *, const char *, const bl_ingest_opts *, const bl_sink *,
                               char **);

static void with_reader(const char *path, reader_fn fn, bool strict)
{
    bl_source *src = NULL;
    char *err = NULL;
    if (bl_source_open(path, &src, &err) != BL_OK) {
        free(err);
        return;
    }
    bl_ingest_opts o = {.format = BL_FMT_AUTO, .strict = strict};
    fn(src, path, &o, &fz_sink, &err);
    free(err);
    bl_source_close(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    bl_ingest_opts o = {.format = BL_FMT_AUTO};
    char *err = NULL;
    bl_ingest_file(path, &o, &fz_sink, &err);
    free(err);
    /* Strict mode takes another path out of every row rejection. */
    with_reader(path, bl_counter5_read, size % 2 == 1);
    with_reader(path, bl_counter4_read, size % 2 == 1);
    close(fd);
    return 0;
}
