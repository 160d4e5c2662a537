/* The COUNTER robots list (data/counter-robots/COUNTER_Robots_list.txt):
 * one regular expression a line. The log rules compile it (aggregate/). */
#include "bilan/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bl_status bl_robots_read(const char *path, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return BL_NOINPUT;
    char line[4096];
    bl_status rc = BL_OK;
    /* Lines are read in 4 KiB pieces; a longer line (none in the list)
     * would be read as several patterns, each validated on its own. */
    while (rc == BL_OK && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char **v = realloc(*out, (*n + 1) * sizeof *v);
        if (!v || !(v[*n] = strdup(line))) {
            if (v)
                *out = v;
            rc = BL_NOMEM;
            break;
        }
        *out = v;
        (*n)++;
    }
    fclose(f);
    return rc;
}
