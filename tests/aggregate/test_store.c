/* Store, network import and export, through the real binary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

Test(store, opens_and_exports_header)
{
    char *dir = tu_mkdtemp("store");
    char db[512];
    snprintf(db, sizeof db, "%s/t.db", dir);
    char net[1024];
    snprintf(net, sizeof net, "%s/fixtures/ingest/network", tu_srcdir());
    const char *imp[] = {tu_bilan(), "--db", db, "network", "import", net, NULL};
    tu_run r = tu_runv(imp, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    const char *argv[] = {tu_bilan(), "--db", db, "export", "usage", NULL};
    r = tu_runv(argv, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "partner_id,library_id,resource_id,month,metric,value\n");
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}
