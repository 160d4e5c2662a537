/* sushi.csv in the network folder (issue 14, part 1): imported with the
 * other lists, secrets only as references (env:NAME, file:/PATH); a
 * literal secret, a plain-http URL to another machine, an unknown report
 * or library refused with FILE:LINE:COLUMN and the reason, the store
 * unchanged, and the refused secret never repeated. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir, *db, *net;

static void setup(void)
{
    dir = tu_mkdtemp("sushi-csv");
    cr_assert(dir);
    db = malloc(strlen(dir) + 16);
    net = malloc(strlen(dir) + 16);
    sprintf(db, "%s/t.db", dir);
    sprintf(net, "%s/net", dir);
    tu_run r = tu_sh("cp -r '%s/fixtures/sushi/network' '%s'", tu_srcdir(), net);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    free(db);
    free(net);
}

static tu_run import(void)
{
    const char *argv[] = {tu_bilan(), "--db", db, "network", "import", net, NULL};
    return tu_runv(argv, NULL);
}

static char *endpoints(void)
{
    tu_run r = tu_sh("sqlite3 -separator '|' '%s' 'SELECT * FROM sushi_endpoint ORDER BY id'", db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *s = strdup(r.out);
    tu_run_free(&r);
    return s;
}

Test(sushi_csv, imported_with_references_only, .init = setup, .fini = teardown)
{
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, ", 2 SUSHI endpoints\n"), "%s", r.out);
    tu_run_free(&r);
    char *e = endpoints();
    cr_assert_str_eq(e, "ed50|http://127.0.0.1:1/sushi|5|cust-50|file:/nonexistent/requestor||"
                        "Platform 1|PR|bdp-sample|yyyy-mm\n"
                        "ed51|http://127.0.0.1:1/sushi|51|cust-51||env:BILAN_TEST_SUSHI_KEY||"
                        "PR;TR_J1||yyyy-mm-dd\n");
    free(e);
}

/* Replaces line 3 of sushi.csv, imports, checks the refusal. */
static void refused(const char *row, const char *want, const char *never)
{
    tu_run r = tu_sh("cp '%s/fixtures/sushi/network/sushi.csv' '%s/'", tu_srcdir(), net);
    tu_run_free(&r);
    r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *before = endpoints();
    char path[1024];
    snprintf(path, sizeof path, "%s/sushi.csv", net);
    char body[2048];
    snprintf(body, sizeof body,
             "id,url,release,customer_id,requestor_id,api_key,platform,reports,library_id,"
             "date_format\n"
             "ok1,https://sushi.example.org/r5,5,c1,,,,,,\n%s\n",
             row);
    cr_assert(tu_write_file(path, body, strlen(body)));
    r = import();
    cr_assert_eq(r.status, 65, "%d %s", r.status, r.err);
    cr_assert(strstr(r.err, want), "want '%s' in: %s", want, r.err);
    if (never)
        cr_assert(!strstr(r.err, never) && !strstr(r.out, never), "%s", r.err);
    tu_run_free(&r);
    char *after = endpoints();
    cr_assert_str_eq(after, before, "store unchanged");
    free(before);
    free(after);
}

Test(sushi_csv, literal_api_key_refused_unrepeated, .init = setup, .fini = teardown)
{
    refused("bad,https://sushi.example.org,5.1,c2,,Zk9v-literal-KEY,,,,",
            "sushi.csv:3:6: api_key: a secret written in the file is refused", "Zk9v-literal");
}

Test(sushi_csv, literal_requestor_refused, .init = setup, .fini = teardown)
{
    refused("bad,https://sushi.example.org,5.1,c2,REQ-4242,,,,,",
            "sushi.csv:3:5: requestor_id: a secret written in the file is refused", "REQ-4242");
}

Test(sushi_csv, relative_file_reference_refused, .init = setup, .fini = teardown)
{
    refused("bad,https://sushi.example.org,5.1,c2,,file:key.txt,,,,",
            "sushi.csv:3:6: api_key: file:PATH needs an absolute path", NULL);
}

Test(sushi_csv, plain_http_only_to_loopback, .init = setup, .fini = teardown)
{
    refused("bad,http://sushi.example.org/r5,5,c2,,,,,,",
            "sushi.csv:3:2: url: 'http://sushi.example.org/r5' is not a SUSHI base URL", NULL);
}

Test(sushi_csv, unknown_report_library_release_refused, .init = setup, .fini = teardown)
{
    refused("bad,https://s.example.org,5,c2,,,,PR;JR1,,", "sushi.csv:3:8: reports: 'JR1'", NULL);
    refused("bad,https://s.example.org,5,c2,,,,,nowhere,",
            "sushi.csv:3:9: library_id: no library 'nowhere'", NULL);
    refused("bad,https://s.example.org,4,c2,,,,,,", "sushi.csv:3:3: release: '4'", NULL);
    refused("bad,https://s.example.org,5,c2,,,,,,yyyy", "sushi.csv:3:10: date_format", NULL);
}
