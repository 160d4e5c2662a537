/* Fuzz target: vendor profiles (docs/profiles.md). The input is a profile's
 * INI text, a form feed ('\f'), then an export: the INI goes through
 * bl_profile_parse (the strict INI reader and every check of the import);
 * when it parses, the export is read with it as `bilan ingest --profile`
 * does (forced) and, on odd-sized inputs, as a file matched against the
 * network's profiles (format detection first). */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bilan/ingest.h"
#include "bilan/profile.h"

static void str(const char *s)
{
    if (!s)
        abort();
    fz_touch(s, strlen(s) + 1);
}

/* What bl_profile_parse promises of a profile it returns. */
static void check(const bl_profile *p)
{
    str(p->id), str(p->file), str(p->text), str(p->resource);
    if (!p->nmatch || p->nmatch > BL_PROF_MAX_MATCH)
        abort();
    for (size_t i = 0; i < p->nmatch; i++)
        str(p->match[i]);
    if (p->layout == BL_PROF_LONG) {
        if (!(p->month || p->date) || (p->month && p->date) || !p->nmetrics || p->metric)
            abort();
    } else if (!p->metric || p->nmetrics || p->month || p->date) {
        abort();
    }
    if (p->library && p->allocate != BL_ALLOC_NONE)
        abort();
    for (size_t i = 0; i < p->nmetrics; i++)
        str(p->metrics[i].column), str(p->metrics[i].metric);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *ff = memchr(data, '\f', size);
    size_t ini = ff ? (size_t)(ff - data) : size;
    bl_profile p;
    char err[512];
    err[0] = '\0';
    bl_status rc =
        bl_profile_parse("fuzz", "profiles/fuzz.ini", (const char *)data, ini, &p, err, sizeof err);
    if (rc != BL_OK) {
        /* Every refusal names the file. */
        if (rc != BL_DATA || strncmp(err, "profiles/fuzz.ini", 17) != 0)
            abort();
        return 0;
    }
    check(&p);
    if (ff) {
        char path[32];
        int fd = fz_memfd(ff + 1, size - ini - 1, path);
        bl_ingest_opts o = {.profile = &p, .profiles = &p, .nprofiles = 1};
        char *msg = NULL;
        rc = bl_ingest_file(path, &o, &fz_sink, &msg);
        if (rc == BL_DATA && !msg)
            abort(); /* a refusal says why */
        free(msg);
        if (size % 2) {
            o.profile = NULL;
            msg = NULL;
            bl_ingest_file(path, &o, &fz_sink, &msg);
            free(msg);
        }
        close(fd);
    }
    bl_profile_release(&p);
    return 0;
}
