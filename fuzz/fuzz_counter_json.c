/* Fuzz target: the COUNTER JSON reader (ingest/counter_json.c), as a file
 * through detection and dispatch (`bilan ingest report.json`), forced with
 * the reader directly (strict or not), and as a SUSHI response in memory
 * (bl_counter_json_scan, what `bilan harvest` reads first). */
#include "fuzz_common.h"

#include <stdlib.h>
#include <unistd.h>

#include "bilan/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fz_memfd(data, size, path);
    bl_ingest_opts o = {.format = BL_FMT_AUTO};
    char *err = NULL;
    bl_ingest_file(path, &o, &fz_sink, &err);
    free(err);
    err = NULL;
    bl_source *src = NULL;
    if (bl_source_open(path, &src, &err) == BL_OK) {
        bl_ingest_opts so = {.format = BL_FMT_COUNTER5_JSON, .strict = size % 2 == 1};
        bl_json_report_info info;
        bl_counter_json_read(src, path, &so, &fz_sink, &info, &err);
        bl_source_close(src);
    }
    free(err);
    err = NULL;
    bl_json_report_info info;
    bl_counter_json_scan((const char *)data, size, &info, &err);
    free(err);
    close(fd);
    return 0;
}
