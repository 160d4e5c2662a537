/* bilan network import: the network's lists read and validated (ingest,
 * bilan/network.h), written in one transaction with the usage already
 * stored re-attributed (store). */
#include "bilan/i18n.h"
#include "bilan/network.h"
#include "bilan/pipeline.h"
#include "bilan/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The profiles of dir/profiles, checked against the network's resources. */
static bl_status read_profiles(const char *dir, const bl_network *net, bl_profile **ps, size_t *n,
                               char *err, size_t errlen)
{
    const char **ids = malloc((net->nresources + 1) * sizeof *ids);
    if (!ids)
        return BL_NOMEM;
    for (size_t i = 0; i < net->nresources; i++)
        ids[i] = net->resources[i].id;
    bl_status rc = bl_profiles_read(dir, ids, net->nresources, ps, n, err, errlen);
    free(ids);
    return rc;
}

/* A library whose stored values go to no library since this import: a
 * note, so that a typo in its aliases (or a library taken out by mistake)
 * is seen the day it is made, not in a partner's report as a 0. */
static bl_status on_lost(void *ctx, const char *library_id, long long values)
{
    bl_network *net = ctx;
    const char *name = NULL;
    for (size_t i = 0; i < net->nlibraries && !name; i++)
        if (strcmp(net->libraries[i].id, library_id) == 0)
            name = net->libraries[i].name;
    char line[1024];
    if (name)
        snprintf(line, sizeof line,
                 bl_trn("%s value already stored of library %s (%s) now goes to no library: its "
                        "names in the reports match none of the library's aliases in "
                        "libraries.csv (a typo?)",
                        "%s values already stored of library %s (%s) now go to no library: their "
                        "names in the reports match none of the library's aliases in "
                        "libraries.csv (a typo?)",
                        (unsigned long)values),
                 BL_NUM(values), library_id, name);
    else
        snprintf(line, sizeof line,
                 bl_trn("%s value already stored of library %s now goes to no library: the "
                        "library is no longer in libraries.csv (to keep its figures, put its row "
                        "back with member_until, the last month it was a member)",
                        "%s values already stored of library %s now go to no library: the "
                        "library is no longer in libraries.csv (to keep its figures, put its row "
                        "back with member_until, the last month it was a member)",
                        (unsigned long)values),
                 BL_NUM(values), library_id);
    return bl_network_note(net, line);
}

bl_status bl_network_import(bl_store *st, const char *dir, bl_import_counts *counts, char *err,
                            size_t errlen)
{
    bl_network net = {0};
    bl_profile *profiles = NULL;
    size_t nprofiles = 0;
    /* The transaction opens before the files are read, as it always has: a
     * busy or read-only store is what is reported then, whatever the files
     * hold. */
    bl_status rc = bl_store_network_begin(st);
    bool store_failed = rc != BL_OK;
    if (rc == BL_OK)
        rc = bl_network_read(dir, &net, err, errlen);
    if (rc == BL_OK)
        rc = read_profiles(dir, &net, &profiles, &nprofiles, err, errlen);
    if (rc == BL_OK)
        store_failed = (rc = bl_store_network_write(st, &net)) != BL_OK ||
                       (rc = bl_store_profiles_write(st, profiles, nprofiles)) != BL_OK ||
                       (rc = bl_store_reattribute(st, on_lost, &net)) != BL_OK ||
                       (rc = bl_store_network_commit(st)) != BL_OK;
    if (rc != BL_OK) {
        if (store_failed)
            snprintf(err, errlen, "%s", bl_store_errmsg(st));
        bl_store_network_rollback(st);
    } else if (counts) {
        *counts = (bl_import_counts){(int)net.npartners, (int)net.nlibraries, (int)net.nresources,
                                     (int)net.nforfaits, (int)net.nsushi,     (int)nprofiles,
                                     net.notes};
        net.notes = NULL;
    }
    bl_profiles_free(profiles, nprofiles);
    bl_network_release(&net);
    return rc;
}
