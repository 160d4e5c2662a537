/* bilan network import: the network's lists read and validated (ingest,
 * bilan/network.h), written in one transaction with the usage already
 * stored re-attributed (store). */
#include "bilan/network.h"
#include "bilan/pipeline.h"

#include <stdio.h>

bl_status bl_network_import(bl_store *st, const char *dir, bl_import_counts *counts, char *err,
                            size_t errlen)
{
    bl_network net = {0};
    /* The transaction opens before the files are read, as it always has: a
     * busy or read-only store is what is reported then, whatever the files
     * hold. */
    bl_status rc = bl_store_network_begin(st);
    bool store_failed = rc != BL_OK;
    if (rc == BL_OK)
        rc = bl_network_read(dir, &net, err, errlen);
    if (rc == BL_OK)
        store_failed = (rc = bl_store_network_write(st, &net)) != BL_OK ||
                       (rc = bl_store_reattribute(st)) != BL_OK ||
                       (rc = bl_store_network_commit(st)) != BL_OK;
    if (rc != BL_OK) {
        if (store_failed)
            snprintf(err, errlen, "%s", bl_store_errmsg(st));
        bl_store_network_rollback(st);
    } else if (counts) {
        *counts = (bl_import_counts){(int)net.npartners, (int)net.nlibraries, (int)net.nresources,
                                     (int)net.nforfaits, (int)net.nsushi};
    }
    bl_network_release(&net);
    return rc;
}
