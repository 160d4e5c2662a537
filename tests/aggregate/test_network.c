/* bilan network import: encodings, delimiters, French decimals, validation
 * with file:line:column, the store unchanged on error, re-import in place. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "testutil.h"

static char *dir, *db;

static void setup(void)
{
    dir = tu_mkdtemp("network");
    cr_assert(dir);
    db = malloc(strlen(dir) + 16);
    sprintf(db, "%s/t.db", dir);
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/net", dir);
    tu_run r = tu_sh("mkdir -p '%s'", sub);
    tu_run_free(&r);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    free(db);
}

static void put(const char *name, const char *content)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/net/%s", dir, name);
    cr_assert(tu_write_file(p, content, strlen(content)));
}

static tu_run import(void)
{
    char net[1024];
    snprintf(net, sizeof net, "%s/net", dir);
    const char *argv[] = {tu_bilan(), "--db", db, "network", "import", net, NULL};
    return tu_runv(argv, NULL);
}

/* The first column of the first row of a query, as text ("" when none). */
static char *query(const char *sql)
{
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    char *out = strdup("");
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        free(out);
        out = strdup((const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    return out;
}

static void assert_query(const char *sql, const char *expected)
{
    char *v = query(sql);
    cr_assert_str_eq(v, expected, "%s", sql);
    free(v);
}

static const char LIBS[] = "id,partner_id,name,aliases,ip_ranges\n"
                           "bm-a,ca,Médiathèque A,\"Médiathèque A;PNB:BM-A\",192.0.2.0/24\n"
                           "bm-b,vil,Bibliothèque B,BM-B,2001:db8::/32;198.51.100.7\n";
static const char RES[] = "id;name;provider;kind;annual_cost;counter_names;url_pattern\n"
                          "pnb;Livres numériques;Dilicom;ebook;12 000,50;PNB;^pnb\\.example/\n";

Test(network, imports_excel_semicolon_bom_with_french_decimals, .init = setup, .fini = teardown)
{
    put("partners.csv",
        "\xEF\xBB\xBFid;name;kind;population;population_year;rate_per_inhabitant;emails\r\n"
        "ca;Communauté d'agglomération;ca;142 458;2023;0,15;\"a@x.example;b@x.example\"\r\n"
        "vil;Commune;commune;6452;2023;0.15;c@y.example\r\n"
        ";;;;;;\r\n");
    put("libraries.csv", LIBS);
    put("resources.csv", RES);
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "network: 2 partners, 2 libraries, 1 resource, 0 forfaits\n");
    tu_run_free(&r);
    /* participation = population × rate in integer cents */
    assert_query("SELECT (population * rate_e4 + 50) / 100 FROM partner WHERE id = 'ca'",
                 "2136870");
    assert_query("SELECT (population * rate_e4 + 50) / 100 FROM partner WHERE id = 'vil'", "96780");
    assert_query("SELECT name FROM partner WHERE id = 'ca'", "Communauté d'agglomération");
    assert_query("SELECT emails FROM partner WHERE id = 'ca'", "a@x.example;b@x.example");
    assert_query("SELECT library_id FROM library_alias WHERE alias = 'PNB:BM-A'", "bm-a");
    assert_query("SELECT count(*) FROM library_ip_range", "3");
    assert_query("SELECT annual_cost_cents FROM resource WHERE id = 'pnb'", "1200050");
    assert_query("SELECT headline_metric FROM resource WHERE id = 'pnb'", "Total_Item_Requests");
}

Test(network, reads_windows_1252, .init = setup, .fini = teardown)
{
    put("partners.csv", "id;name;kind;population;rate_per_inhabitant\r\n"
                        "ca;Communaut\xE9 d'agglom\xE9ration;ca;1000;0,15\r\n");
    put("libraries.csv", "id;partner_id;name\r\nbm-a;ca;M\xE9"
                         "diath\xE8que\r\n");
    put("resources.csv", "id;name;kind\r\npnb;Livres num\xE9riques;ebook\r\n");
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_query("SELECT name FROM partner", "Communauté d'agglomération");
    assert_query("SELECT name FROM library", "Médiathèque");
}

static void good_network(void)
{
    put("partners.csv", "id,name,kind,population,rate_per_inhabitant\nca,CA,ca,1000,\"0,15\"\n"
                        "vil,Commune,commune,500,\"0,15\"\n");
    put("libraries.csv", LIBS);
    put("resources.csv", RES);
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

static void assert_refused(const char *file, const char *content, const char *message)
{
    good_network();
    put(file, content);
    tu_run r = import();
    cr_assert_eq(r.status, 65, "status %d, stderr %s", r.status, r.err);
    cr_assert(strstr(r.err, message), "expected '%s' in: %s", message, r.err);
    tu_run_free(&r);
    /* The store is as before: the good network is still there, whole. */
    assert_query("SELECT group_concat(id) FROM (SELECT id FROM partner ORDER BY id)", "ca,vil");
    assert_query("SELECT count(*) FROM library", "2");
}

Test(network, bad_population_names_file_line_column, .init = setup, .fini = teardown)
{
    assert_refused(
        "partners.csv",
        "id,name,kind,population,rate_per_inhabitant\nca,CA,ca,1000,0.15\nvil,V,commune,5OO,0.15\n",
        "partners.csv:3:4: population: '5OO' is not a whole number");
}

/* A line break in a partner's name would reach a mail header (issue 19,
 * finding 9): refused at import with its cell, like any control character. */
Test(network, control_characters_refused_in_any_cell, .init = setup, .fini = teardown)
{
    assert_refused("partners.csv",
                   "id,name,kind,population,rate_per_inhabitant,emails\n"
                   "ca,\"CA\r\nBcc: x@evil.example\",ca,1,0.15,a@b.example\n",
                   "partners.csv:2:2: name: control character (line break, tab...) in the cell");
    assert_refused("partners.csv",
                   "id,name,kind,population,rate_per_inhabitant,emails\n"
                   "ca,CA,ca,1,0.15,\"a@b.example\x1b[2J\"\n",
                   "partners.csv:2:6: emails: control character (line break, tab...) in the cell");
}

Test(network, bad_kind, .init = setup, .fini = teardown)
{
    assert_refused(
        "partners.csv", "id,name,kind,population,rate_per_inhabitant\nca,CA,village,1,0.15\n",
        "partners.csv:2:3: kind: 'village' is not one of commune, cc, ca, cu, departement, other");
}

Test(network, bad_rate, .init = setup, .fini = teardown)
{
    assert_refused("partners.csv",
                   "id,name,kind,population,rate_per_inhabitant\nca,CA,ca,1,quinze\n",
                   "partners.csv:2:5: rate_per_inhabitant: 'quinze' is not an amount in euros");
}

Test(network, unknown_partner_and_bad_cidr, .init = setup, .fini = teardown)
{
    assert_refused("libraries.csv", "id,partner_id,name\nbm-x,nobody,X\n",
                   "libraries.csv:2:2: partner_id: no partner 'nobody' in partners.csv");
    assert_refused("libraries.csv", "id,partner_id,name,ip_ranges\nbm-x,ca,X,192.0.2.0/33\n",
                   "libraries.csv:2:4: ip_ranges: '192.0.2.0/33' is not an IPv4 or IPv6 range");
}

Test(network, duplicate_alias_and_bad_pattern, .init = setup, .fini = teardown)
{
    assert_refused("libraries.csv", "id,partner_id,name,aliases\na,ca,A,X1\nb,ca,B,x1\n",
                   "libraries.csv:3:4: aliases: alias 'x1' already names another library");
    assert_refused("resources.csv", "id,name,kind,url_pattern\nr,R,ebook,(unclosed\n",
                   "resources.csv:2:4: url_pattern: not a valid PCRE2 pattern");
}

Test(network, missing_column_and_missing_file, .init = setup, .fini = teardown)
{
    assert_refused("partners.csv", "id,name,kind,rate_per_inhabitant\nca,CA,ca,0.15\n",
                   "partners.csv:1: missing column 'population'");
    good_network();
    char p[1024];
    snprintf(p, sizeof p, "%s/net/resources.csv", dir);
    unlink(p);
    tu_run r = import();
    cr_assert_eq(r.status, 66, "%s", r.err);
    cr_assert(strstr(r.err, "resources.csv"), "%s", r.err);
    tu_run_free(&r);
}

Test(network, forfaits_with_french_dates, .init = setup, .fini = teardown)
{
    good_network();
    put("forfaits.csv",
        "id,resource_id,units,start,end,metric,monthly_cap,per_patron_monthly_quota,"
        "alert_percent\nf1,pnb,9 000,01/01/2026,31/12/2026,,900,4,75 %\n");
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_query("SELECT units || ' ' || start || ' ' || end || ' ' || metric || ' ' || monthly_cap"
                 " || ' ' || per_patron_monthly_quota || ' ' || alert_percent FROM forfait",
                 "9000 2026-01-01 2026-12-31 Total_Item_Requests 900 4 75");
    put("forfaits.csv", "id,resource_id,units,start,end\nf1,pnb,10,2026-12-31,2026-01-01\n");
    r = import();
    cr_assert_eq(r.status, 65);
    cr_assert(strstr(r.err, "forfaits.csv:2:5: end:"), "%s", r.err);
    tu_run_free(&r);
}

Test(network, reimport_updates_in_place, .init = setup, .fini = teardown)
{
    good_network();
    put("partners.csv",
        "id,name,kind,population,rate_per_inhabitant\nca,CA renommée,ca,2000,\"0,15\"\n"
        "vil,Commune,commune,500,\"0,15\"\n");
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_query("SELECT name || ' ' || population FROM partner WHERE id = 'ca'",
                 "CA renommée 2000");
    assert_query("SELECT count(*) FROM partner", "2");
}

/* Names are compared by one rule (bl_name_fold, docs/network.md "Names"):
 * case, accents and spacing do not count. Two libraries' aliases, or two
 * resources' COUNTER names, that differ by these alone are one name: the
 * import refuses them, as it refuses "X1" and "x1". One library may write
 * its name both ways; ASCII case alone is still one row of the store. */
Test(network, names_differing_by_accents_alone_are_one_name, .init = setup, .fini = teardown)
{
    assert_refused("libraries.csv",
                   "id,partner_id,name,aliases\na,ca,A,Médiathèque Élise Deroche\n"
                   "b,ca,B,MEDIATHEQUE  ELISE\xC2\xA0"
                   "DEROCHE\n",
                   "libraries.csv:3:4: aliases: alias 'MEDIATHEQUE  ELISE\xC2\xA0"
                   "DEROCHE' already names another library");
    assert_refused("libraries.csv",
                   "id,partner_id,name,aliases\na,ca,A,Bibliothèque des Îles\n"
                   "b,ca,B,BIBLIOTHÈQUE DES ÎLES\n",
                   "libraries.csv:3:4: aliases: alias 'BIBLIOTHÈQUE DES ÎLES' already names "
                   "another library");
    assert_refused("resources.csv",
                   "id,name,kind,counter_names\nr1,R1,press,Presse numérique\n"
                   "r2,R2,press,PRESSE NUMERIQUE\n",
                   "resources.csv:3:4: counter_names: 'PRESSE NUMERIQUE' already names another "
                   "resource");
    assert_refused("libraries.csv", "id,partner_id,name,aliases\na,ca,A,\"Deroche;DEROCHE\"\n",
                   "libraries.csv:2:4: aliases: alias 'DEROCHE' already names another library");
    /* The same library, with and without accents: accepted, both kept. */
    put("libraries.csv",
        "id,partner_id,name,aliases\n"
        "a,ca,A,\"Médiathèque Élise Deroche;Mediatheque Elise Deroche;Œuvres;œuvres\"\n");
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    assert_query("SELECT count(*) FROM library_alias WHERE library_id = 'a'", "4");
}

/* A provider writes a library's and a resource's names in capitals, without
 * accents, with stray spaces: the usage is still theirs (README: names are
 * matched case-insensitively). */
Test(network, accented_names_attributed_whatever_their_case, .init = setup, .fini = teardown)
{
    put("partners.csv", "id,name,kind,population,rate_per_inhabitant\nca,CA,ca,1000,\"0,15\"\n");
    put("libraries.csv", "id,partner_id,name,aliases\n"
                         "bm-ed,ca,Médiathèque Élise Deroche,Médiathèque Élise Deroche\n"
                         "bm-il,ca,Bibliothèque des Îles,Bibliothèque des Îles\n");
    put("resources.csv", "id,name,kind,counter_names\npresse,Presse,press,Presse numérique\n");
    tu_run r = import();
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    put("pr.csv",
        "Report_Name,Platform Master Report\nReport_ID,PR\nRelease,5\n"
        "Institution_Name,Réseau\nInstitution_ID,\n"
        "Metric_Types,Total_Item_Requests\nReport_Filters,\nReport_Attributes,\nExceptions,\n"
        "Reporting_Period,Begin_Date=2025-01-01; End_Date=2025-03-31\n"
        "Created,2025-04-05T10:00:00Z\nCreated_By,Presse\n\n"
        "Institution_Name,Institution_ID,Platform,Data_Type,Access_Method,Metric_Type,"
        "Reporting_Period_Total,Jan-2025,Feb-2025,Mar-2025\n"
        "MÉDIATHÈQUE ÉLISE DEROCHE,,PRESSE NUMÉRIQUE,Newspaper_or_Newsletter,Regular,"
        "Total_Item_Requests,100,100,,\n"
        "mediatheque elise deroche,,presse numerique,Newspaper_or_Newsletter,Regular,"
        "Total_Item_Requests,20,,20,\n"
        "\" MéDIATHèQUE\xC2\xA0éLISE  DEROCHE \",,Presse Numérique,Newspaper_or_Newsletter,"
        "Regular,Total_Item_Requests,3,,,3\n"
        "BIBLIOTHÈQUE DES ÎLES,,PRESSE NUMERIQUE,Newspaper_or_Newsletter,Regular,"
        "Total_Item_Requests,7,7,,\n");
    char pr[1024];
    snprintf(pr, sizeof pr, "%s/net/pr.csv", dir);
    const char *ingest[] = {tu_bilan(), "--db", db, "ingest", pr, NULL};
    r = tu_runv(ingest, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "4 values accepted, 0 rows rejected, 0 unattributed"), "%s", r.out);
    tu_run_free(&r);
    const char *exp[] = {tu_bilan(), "--db", db, "export", "usage", NULL};
    r = tu_runv(exp, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "partner_id,library_id,resource_id,month,metric,value\n"
                            "ca,bm-ed,presse,2025-01,Total_Item_Requests,100\n"
                            "ca,bm-ed,presse,2025-02,Total_Item_Requests,20\n"
                            "ca,bm-ed,presse,2025-03,Total_Item_Requests,3\n"
                            "ca,bm-il,presse,2025-01,Total_Item_Requests,7\n");
    tu_run_free(&r);
}
