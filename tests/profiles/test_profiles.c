/* Vendor profiles end to end (issue 13 parts 2-4, docs/profiles.md): the
 * real bilan on fixtures/profiles/ (whose README gives the expected figures,
 * checked by hand) and on small exports written here; figures read back with
 * `bilan export usage` and from the store. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_util.h"

static const char *fx(const char *rel)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/fixtures/profiles/%s", tu_srcdir(), rel);
    return buf[k];
}

/* A path in the test's directory. */
static const char *in(const tr_env *e, const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", e->dir, name);
    return buf[k];
}

static void write_file(const tr_env *e, const char *name, const char *text)
{
    cr_assert(tu_write_file(in(e, name), text, strlen(text)), "%s", name);
}

static void run_ok(tu_run r, const char *what)
{
    cr_assert_eq(r.status, 0, "%s: exit %d, stderr: %s", what, r.status, r.err);
    tu_run_free(&r);
}

/* A copy of the shipped network in e->dir/net, imported. */
static tr_env setup_network(const char *tag)
{
    tr_env e = tr_setup(tag);
    tu_run c = tu_sh("cp -r '%s' '%s'", fx("network"), in(&e, "net"));
    cr_assert_eq(c.status, 0, "%s", c.err);
    tu_run_free(&c);
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "network import");
    return e;
}

static void ingest_ok(const tr_env *e, const char *path)
{
    run_ok(tr_bilan(e, "ingest", path, NULL), path);
}

/* export usage without its header row. */
static char *usage(const tr_env *e)
{
    char *out = tr_export(e);
    char *nl = strchr(out, '\n');
    cr_assert_not_null(nl);
    memmove(out, nl + 1, strlen(nl + 1) + 1);
    return out;
}

/* ---- the shipped examples ---------------------------------------------------- */

Test(profiles, kiosque_long_csv_windows_1252_semicolons)
{
    tr_env e = setup_network("prof-kiosque");
    tu_run r = tr_bilan(&e, "ingest", fx("kiosque-2025.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(
        strstr(r.out, "profile kiosque 2025-01..2025-03: 11 values accepted, 0 rows rejected"),
        "%s", r.out);
    tu_run_free(&r);
    char *u = usage(&e);
    cr_assert_str_eq(u, "ville-a,bm-a,presse,2025-01,Loans,12\n"
                        "ville-a,bm-a,presse,2025-01,Total_Item_Requests,1234\n"
                        "ville-a,bm-a,presse,2025-02,Loans,7\n"
                        "ville-a,bm-a,presse,2025-02,Total_Item_Requests,1234\n"
                        "ville-a,bm-a,presse,2025-03,Loans,5\n"
                        "ville-a,bm-a,presse,2025-03,Total_Item_Requests,980\n"
                        "ville-b,bm-b,presse,2025-01,Loans,2\n"
                        "ville-b,bm-b,presse,2025-01,Total_Item_Requests,300\n"
                        "ville-b,bm-b,presse,2025-02,Total_Item_Requests,310\n"
                        "ville-c,bm-c,presse,2025-03,Loans,1\n"
                        "ville-c,bm-c,presse,2025-03,Total_Item_Requests,45\n");
    free(u);
    /* The Total row (4 103 and 27) is the sum of the rows: skipped, not counted. */
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE metric = "
                                "'Total_Item_Requests'"),
                 4103);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE metric = 'Loans'"), 27);
    cr_assert_eq(tr_sql_int(&e, "SELECT family FROM source"), 15);
    /* presse, vod and musique have no COUNTER name nor URL pattern, but a
     * profile reads each: network show sees no problem. */
    r = tr_bilan(&e, "network", "show", "resources", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "network: 4 resources; no problems"), "%s", r.out);
    tu_run_free(&r);
    /* network show profiles: resource, provider, layout, the header cells
     * matched, and the months ingested through each profile. */
    r = tr_bilan(&e, "network", "show", "profiles", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "id,resource_id,provider,level,allocate,file,first_month,last_month,"
                            "layout,match,problems\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "\nkiosque,presse,Kiosque,library,none,"), "%s", r.out);
    cr_assert(strstr(r.out, "/profiles/kiosque.ini,2025-01,2025-03,long,Bibliothèque | Mois | "
                            "Lectures,\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "\nvod,vod,VodFr,library,none,"), "%s", r.out);
    cr_assert(strstr(r.out, "/profiles/vod.ini,,,wide,"), "%s", r.out); /* nothing ingested */
    tu_run_free(&r);
    r = tr_bilan(&e, "network", "show", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\n== profiles\nkiosque\n    resource_id: presse\n"), "%s", r.out);
    cr_assert(strstr(r.out, ", 4 profiles; no problems\n"), "%s", r.out);
    cr_assert_null(strstr(r.out, "SUSHI"), "no endpoint: no SUSHI list: %s", r.out);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(profiles, vod_wide_xlsx_title_block)
{
    tr_env e = setup_network("prof-vod");
    ingest_ok(&e, fx("vod-2025.xlsx"));
    char *u = usage(&e);
    cr_assert_str_eq(u, "ville-a,bm-a,vod,2025-01,Plays,40\n"
                        "ville-a,bm-a,vod,2025-02,Plays,35\n"
                        "ville-a,bm-a,vod,2025-03,Plays,50\n"
                        "ville-b,bm-b,vod,2025-01,Plays,10\n"
                        "ville-b,bm-b,vod,2025-03,Plays,12\n"
                        "ville-c,bm-c,vod,2025-01,Plays,3\n"
                        "ville-c,bm-c,vod,2025-03,Plays,4\n");
    free(u);
    tr_teardown(&e);
}

Test(profiles, musique_ods_dates_summed_into_months)
{
    tr_env e = setup_network("prof-musique");
    ingest_ok(&e, fx("musique-2025.ods"));
    char *u = usage(&e);
    cr_assert_str_eq(u, "ville-a,bm-a,musique,2025-01,Minutes,105\n"
                        "ville-a,bm-a,musique,2025-01,Plays,35\n"
                        "ville-a,bm-a,musique,2025-02,Minutes,30\n"
                        "ville-a,bm-a,musique,2025-02,Plays,8\n"
                        "ville-c,bm-c,musique,2025-01,Minutes,11\n"
                        "ville-c,bm-c,musique,2025-01,Plays,4\n"
                        "ville-c,bm-c,musique,2025-02,Minutes,14\n"
                        "ville-c,bm-c,musique,2025-02,Plays,6\n");
    free(u);
    tr_teardown(&e);
}

Test(profiles, pnb_network_level_total_in_no_partner)
{
    tr_env e = setup_network("prof-pnb");
    ingest_ok(&e, fx("pnb-reseau-2025.csv"));
    char *u = usage(&e);
    /* Stored at network level (library '*', no partner); March's 0 is no usage. */
    cr_assert_str_eq(u, ",*,pnb,2025-01,Loans,100\n"
                        ",*,pnb,2025-02,Loans,7\n");
    free(u);
    cr_assert_eq(tr_sql_int(&e, "SELECT rows_unattributed FROM source"), 0);
    tr_teardown(&e);
}

/* ---- number forms, rejected rows ------------------------------------------------- */

Test(profiles, number_forms_and_rejected_rows)
{
    tr_env e = setup_network("prof-numbers");
    write_file(&e, "k.csv",
               "Bibliothèque;Mois;Lectures;Prêts\n"
               "Médiathèque A;2025-01;1 234;1\n" /* 2: space */
               "Médiathèque A;2025-02;1\xC2\xA0"
               "234;2\n" /* 3: U+00A0 */
               "Médiathèque A;2025-03;1\xE2\x80\xAF"
               "234;3\n"                            /* 4: U+202F */
               "Bibliothèque B;2025-01;1234,0;4\n"  /* 5: zero fraction */
               "Bibliothèque B;2025-02;12,5;5\n"    /* 6: a decimal */
               "Bibliothèque B;2025-03;-4;6\n"      /* 7: a negative */
               "Bibliothèque C;brumaire 2025;1;7\n" /* 8: not a month */
               ";2025-01;1;8\n"                     /* 9: no library */
               "Bibliothèque Z;2025-01;9;9\n");     /* 10: unknown library */
    tu_run r = tr_bilan(&e, "ingest", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want,
             "bilan: %s:6: Lectures: '12,5' is not a count\n"
             "bilan: %s:7: Lectures: '-4' is negative: a count cannot be below 0\n"
             "bilan: %s:8: Mois: 'brumaire 2025' is not a month\n"
             "bilan: %s:9: Bibliothèque: empty cell: no library named\n"
             /* (the unknown library named, since the night of 3 December 2026) */
             "bilan: %s: note: names that match no library of the network: Bibliothèque Z (if "
             "one is a library of the network, add that name to its aliases in libraries.csv, "
             "then run bilan network import)\n",
             in(&e, "k.csv"), in(&e, "k.csv"), in(&e, "k.csv"), in(&e, "k.csv"), in(&e, "k.csv"));
    cr_assert_str_eq(r.err, want);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM rejection"), 4);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE library_id = 'bm-a' AND "
                                "metric = 'Total_Item_Requests'"),
                 3 * 1234);
    cr_assert_eq(tr_sql_int(&e, "SELECT value FROM usage WHERE library_id = 'bm-b' AND metric = "
                                "'Total_Item_Requests'"),
                 1234);
    /* The unknown library's row is kept unattributed, as for COUNTER. */
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE library_id IS NULL"), 18);
    cr_assert_eq(tr_sql_int(&e, "SELECT rows_unattributed FROM source"), 2);
    tr_teardown(&e);
}

/* ---- layouts written here ------------------------------------------------------ */

Test(profiles, wide_csv_utf8_month_headings_of_every_form)
{
    tr_env e = setup_network("prof-wide");
    write_file(&e, "net/profiles/vodcsv.ini",
               "[profile]\nresource = vod\nmatch = Site\nlayout = wide\nlibrary = Site\n"
               "metric = plays\n");
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "import");
    write_file(&e, "w.csv",
               "Site,2025-01,02/2025,01/03/2025,avr. 2025,mai 2025,Jun-2025,jul-25,"
               "Total\n"
               "BM-A,1,2,3,4,5,6,7,28\n");
    ingest_ok(&e, in(&e, "w.csv"));
    for (int m = 1; m <= 7; m++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT value FROM usage WHERE month = '2025-%02d' AND metric = 'Plays' AND "
                 "library_id = 'bm-a' AND resource_id = 'vod'",
                 m);
        cr_assert_eq(tr_sql_int(&e, sql), m, "month %d", m);
    }
    tr_teardown(&e);
}

/* ---- restatement, removal, counting once --------------------------------------- */

Test(profiles, later_file_restates_and_removal_brings_back)
{
    tr_env e = setup_network("prof-restate");
    ingest_ok(&e, fx("kiosque-2025.csv"));
    /* The provider's corrected export of January for Médiathèque A. */
    write_file(&e, "k2.csv", "Bibliothèque;Mois;Lectures;Prêts\nMédiathèque A;2025-01;1300;12\n");
    ingest_ok(&e, in(&e, "k2.csv"));
    const char *jan = "SELECT SUM(u.value) FROM usage_effective u WHERE library_id = 'bm-a' AND "
                      "month = '2025-01' AND metric = 'Total_Item_Requests'";
    cr_assert_eq(tr_sql_int(&e, jan), 1300);
    /* Other months and libraries of the first file are untouched. */
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage_effective WHERE metric = "
                                "'Total_Item_Requests'"),
                 4103 - 1234 + 1300);
    run_ok(tr_bilan(&e, "sources", "remove", "2", NULL), "sources remove");
    cr_assert_eq(tr_sql_int(&e, jan), 1234);
    /* The same file again is a re-delivery: nothing counted twice. */
    tu_run r = tr_bilan(&e, "ingest", fx("kiosque-2025.csv"), NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 2);
    tu_run_free(&r);
    tr_teardown(&e);
}

/* ---- a correction that writes a library's name otherwise -------------------------- */

/* The shipped network with bm-a known as « Médiathèque Élise Deroche » and
 * « BM-A » (docs/trust.md, "A library written two ways"). */
static tr_env setup_two_names(const char *tag)
{
    tr_env e = setup_network(tag);
    write_file(&e, "net/libraries.csv",
               "id,partner_id,name,aliases,ip_ranges\n"
               "bm-a,ville-a,Médiathèque Élise Deroche,\"Médiathèque Élise Deroche;BM-A\","
               "192.0.2.0/26\n"
               "bm-b,ville-b,Bibliothèque B,Bibliothèque B,192.0.2.64/26\n"
               "bm-c,ville-c,Bibliothèque C,Bibliothèque C,192.0.2.128/26\n");
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "network import");
    return e;
}

#define KIOSQUE_HEAD "Bibliothèque;Mois;Lectures;Prêts\n"

/* What export usage says of a library, month and metric ("" when nothing). */
static char *figure(const tr_env *e, const char *lib, const char *month, const char *metric)
{
    char *out = usage(e), *v = NULL;
    char key[256];
    int n = snprintf(key, sizeof key, ",%s,presse,%s,%s,", lib, month, metric);
    for (char *line = out; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *at = strstr(line, key);
        if (at)
            v = strdup(at + n);
        line = nl ? nl + 1 : NULL;
    }
    free(out);
    return v ? v : strdup("");
}

static void figure_is(const tr_env *e, const char *lib, const char *month, const char *metric,
                      const char *want)
{
    char *v = figure(e, lib, month, metric);
    cr_assert_str_eq(v, want, "%s %s %s", lib, month, metric);
    free(v);
}

/* The warning bilan gives for `file` (#sid) counting bm-a twice with r3.csv
 * (#1), which writes it « Médiathèque Élise Deroche ». */
static void want_warning(char *out, size_t n, const tr_env *e, const char *file, int sid,
                         const char *months, const char *name)
{
    snprintf(out, n,
             "bilan: warning: %s: library 'bm-a' is counted twice for %s: this file (#%d) writes "
             "it '%s' and #1 (%s) writes it 'Médiathèque Élise Deroche', so neither replaces "
             "the other; if this file corrects #1, remove that one with 'bilan sources remove 1' "
             "(the other way round, 'bilan sources remove %d')\n",
             in(e, file), months, sid, name, in(e, "r3.csv"), sid);
}

/* The user review's case: the correction names the library by its other
 * alias. Both files stay counted (which to keep is the user's call), but
 * it is said, once, with both names and the other file's id; removing the
 * earlier file as told leaves the correction alone. */
Test(profiles, correction_under_another_name_is_said)
{
    tr_env e = setup_two_names("prof-two-names");
    write_file(&e, "r3.csv", KIOSQUE_HEAD "Médiathèque Élise Deroche;2026-10;100;5\n");
    write_file(&e, "r4.csv", KIOSQUE_HEAD "BM-A;2026-10;110;6\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "r3.csv"), in(&e, "r4.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[2048];
    want_warning(want, sizeof want, &e, "r4.csv", 2, "2026-10", "BM-A");
    cr_assert_str_eq(r.err, want);
    tu_run_free(&r);
    /* Counted twice, as before: the warning changes no figure. */
    figure_is(&e, "bm-a", "2026-10", "Total_Item_Requests", "210");
    figure_is(&e, "bm-a", "2026-10", "Loans", "11");
    run_ok(tr_bilan(&e, "sources", "remove", "1", NULL), "sources remove 1");
    figure_is(&e, "bm-a", "2026-10", "Total_Item_Requests", "110");
    figure_is(&e, "bm-a", "2026-10", "Loans", "6");
    tr_teardown(&e);
}

/* The same alias in another case is another name as written: said too;
 * the months are said as spans. */
Test(profiles, correction_in_another_case_is_said_with_its_months)
{
    tr_env e = setup_two_names("prof-case");
    write_file(&e, "r3.csv",
               KIOSQUE_HEAD "Médiathèque Élise Deroche;2026-01;100;5\n"
                            "Médiathèque Élise Deroche;2026-02;100;5\n"
                            "Médiathèque Élise Deroche;2026-03;100;5\n"
                            "Médiathèque Élise Deroche;2026-10;100;5\n");
    ingest_ok(&e, in(&e, "r3.csv"));
    write_file(&e, "r4.csv",
               KIOSQUE_HEAD "bm-a;2026-01;110;6\nbm-a;2026-02;110;6\nbm-a;2026-03;110;6\n"
                            "bm-a;2026-10;110;6\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "r4.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[2048];
    want_warning(want, sizeof want, &e, "r4.csv", 2, "2026-01..2026-03, 2026-10", "bm-a");
    cr_assert_str_eq(r.err, want);
    tu_run_free(&r);
    figure_is(&e, "bm-a", "2026-02", "Total_Item_Requests", "210");
    tr_teardown(&e);
}

/* A correction that writes the name as the first file did replaces it,
 * silently, as before. */
Test(profiles, correction_under_the_same_name_replaces_silently)
{
    tr_env e = setup_two_names("prof-same-name");
    write_file(&e, "r3.csv", KIOSQUE_HEAD "Médiathèque Élise Deroche;2026-10;100;5\n");
    write_file(&e, "r4.csv", KIOSQUE_HEAD "Médiathèque Élise Deroche;2026-10;110;6\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "r3.csv"), in(&e, "r4.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    cr_assert(strstr(r.out, "; restated 2 cells of 1 earlier file\n"), "%s", r.out);
    tu_run_free(&r);
    figure_is(&e, "bm-a", "2026-10", "Total_Item_Requests", "110");
    figure_is(&e, "bm-a", "2026-10", "Loans", "6");
    tr_teardown(&e);
}

/* Another library of the same files, written the same way in both, is
 * restated and not named: only bm-a is said. A file of that library alone
 * says nothing. */
Test(profiles, other_library_of_the_files_is_not_said)
{
    tr_env e = setup_two_names("prof-other-lib");
    write_file(&e, "r3.csv",
               KIOSQUE_HEAD
               "Médiathèque Élise Deroche;2026-10;100;5\nBibliothèque B;2026-10;7;1\n");
    write_file(&e, "r4.csv", KIOSQUE_HEAD "BM-A;2026-10;110;6\nBibliothèque B;2026-10;8;2\n");
    write_file(&e, "r5.csv", KIOSQUE_HEAD "Bibliothèque B;2026-10;9;3\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "r3.csv"), in(&e, "r4.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[2048];
    want_warning(want, sizeof want, &e, "r4.csv", 2, "2026-10", "BM-A");
    cr_assert_str_eq(r.err, want);
    cr_assert_null(strstr(r.err, "bm-b"));
    tu_run_free(&r);
    figure_is(&e, "bm-b", "2026-10", "Total_Item_Requests", "8");
    r = tr_bilan(&e, "ingest", in(&e, "r5.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    tu_run_free(&r);
    figure_is(&e, "bm-b", "2026-10", "Total_Item_Requests", "9");
    figure_is(&e, "bm-a", "2026-10", "Total_Item_Requests", "210");
    tr_teardown(&e);
}

/* ---- errors ------------------------------------------------------------------------ */

static void import_fails(const char *tag, const char *ini, const char *want)
{
    tr_env e = setup_network(tag);
    write_file(&e, "net/profiles/bad.ini", ini);
    tu_run r = tr_bilan(&e, "network", "import", in(&e, "net"), NULL);
    cr_assert_eq(r.status, 65, "%s: exit %d", tag, r.status);
    char full[600];
    snprintf(full, sizeof full, "%s/net/profiles/bad.ini:%s", e.dir, want);
    cr_assert(strstr(r.err, full), "%s: got %s, want %s", tag, r.err, full);
    tu_run_free(&r);
    /* The store is unchanged: the first import's profiles are still there. */
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM profile"), 4);
    tr_teardown(&e);
}

Test(profiles, import_refuses_bad_profiles_with_file_line)
{
    import_fails("prof-res",
                 "[profile]\nresource = cinema\nmatch = A\nmonth = A\n[metrics]\nB = Loans\n",
                 "2: unknown resource 'cinema' (not in resources.csv)");
    import_fails("prof-metric",
                 "[profile]\nresource = vod\nmatch = A\nmonth = A\n[metrics]\nB = Visionnages\n",
                 "6: 'Visionnages' is not a COUNTER R5 metric nor one of bilan's");
    import_fails("prof-key", "[profile]\nresource = vod\nmatch = A\nmonth = A\nfeuille = X\n",
                 "5: unknown key 'feuille'");
    import_fails("prof-layout", "[profile]\nresource = vod\nlayout = tall\n",
                 "3: layout: 'tall' is neither 'long' nor 'wide'");
}

Test(profiles, missing_column_refuses_the_file)
{
    tr_env e = setup_network("prof-missing");
    write_file(&e, "net/profiles/vodcsv.ini",
               "[profile]\nresource = vod\nmatch = Site; Mois\nlibrary = Site\nmonth = Mois\n"
               "[metrics]\nVisionnages = Plays\n");
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "import");
    write_file(&e, "v.csv", "Site,Mois,Vues\nBM-A,2025-01,3\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "v.csv"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    char want[600];
    snprintf(want, sizeof want,
             "line 1: metrics: no column 'Visionnages' in the header row (profile "
             "%s/net/profiles/vodcsv.ini:7)",
             e.dir);
    cr_assert(strstr(r.err, want), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    tr_teardown(&e);
}

/* Adds profiles/ID.ini to the test's network and imports it again. */
static void add_profile(const tr_env *e, const char *id, const char *ini)
{
    char name[128];
    snprintf(name, sizeof name, "net/profiles/%s.ini", id);
    write_file(e, name, ini);
    run_ok(tr_bilan(e, "network", "import", in(e, "net"), NULL), "import");
}

/* Ingests file (in the test's directory): refused whole (65), saying want. */
static void refused(const tr_env *e, const char *file, const char *want)
{
    tu_run r = tr_bilan(e, "ingest", in(e, file), NULL);
    cr_assert_eq(r.status, 65, "%s: exit %d: %s", file, r.status, r.err);
    cr_assert(strstr(r.err, want), "%s", r.err);
    tu_run_free(&r);
}

/* Found by a user review (3 December 2026): exports a profile would have
 * read wrongly without a word. */
Test(profiles, two_matching_profiles_refuse_the_file)
{
    tr_env e = setup_network("prof-ambiguous");
    /* Its cells are all among kiosque's: a kiosque export fits both. */
    add_profile(
        &e, "cafeyn",
        "[profile]\nresource = musique\nmatch = Bibliothèque; Mois\nlibrary = Bibliothèque\n"
        "month = Mois\n[metrics]\nLectures = Plays\n");
    write_file(&e, "k.csv", "Bibliothèque;Mois;Lectures;Prêts\nBM-A;2025-01;5;1\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "the header row fits two profiles, cafeyn and kiosque"), "%s", r.err);
    cr_assert(strstr(r.err, "say which with --profile ID"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    run_ok(tr_bilan(&e, "ingest", "--profile", "kiosque", in(&e, "k.csv"), NULL), "--profile");
    cr_assert_eq(tr_sql_int(&e, "SELECT value FROM usage WHERE resource_id = 'presse' AND metric "
                                "= 'Total_Item_Requests'"),
                 5);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM usage WHERE resource_id = 'musique'"), 0);
    tr_teardown(&e);
}

Test(profiles, wide_layout_days_odd_months_and_unread_columns)
{
    tr_env e = setup_network("prof-widecols");
    add_profile(&e, "vodcsv",
                "[profile]\nresource = vod\nmatch = Site; Total\nlayout = wide\nlibrary = Site\n"
                "metric = Plays\n");
    /* Days: the first read as March and the others dropped, until now. */
    write_file(&e, "d.csv", "Site;01/03/2025;02/03/2025;03/03/2025;Total\nBM-A;1;2;3;6\n");
    refused(&e, "d.csv", "column '02/03/2025' is a day, not a month");
    /* A month with a mark: March dropped, until now. */
    write_file(&e, "s.csv", "Site;janv. 2025;févr. 2025;mars 2025 (*);Total\nBM-A;10;20;30;60\n");
    refused(&e, "s.csv", "column 'mars 2025 (*)' names a month with something more");
    /* Months without their year: said so. */
    write_file(&e, "y.csv", "Site;Janvier;Février;Total\nBM-A;1;2;3\n");
    refused(&e, "y.csv", "'Janvier' is a month without its year");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    /* Another column is said, without -v, and the months are read. */
    write_file(&e, "v.csv", "Site;Ville;janv. 2025;févr. 2025;Total\nBM-A;Digne;4;5;9\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "v.csv"), NULL);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "header row (line 1): 1 column not read (neither a month nor the "
                            "library): 'Ville'"),
              "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE resource_id = 'vod'"), 9);
    tr_teardown(&e);
}

Test(profiles, a_column_named_twice_refuses_the_file)
{
    tr_env e = setup_network("prof-twice");
    /* The 99 of the second « Lectures » was dropped, until now. */
    write_file(&e, "k.csv", "Bibliothèque;Mois;Lectures;Prêts;Lectures\nBM-A;2025-01;10;1;99\n");
    refused(&e, "k.csv", "two columns 'Lectures' in the header row (columns 3 and 5)");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    tr_teardown(&e);
}

Test(profiles, a_comma_is_a_decimal_mark)
{
    tr_env e = setup_network("prof-comma");
    /* "1,500" was read as 1 500, until now; in French it is 1,5. */
    write_file(&e, "k.csv",
               "Bibliothèque;Mois;Lectures;Prêts\n"
               "BM-A;2025-01;1,500;1\n"       /* 2: ambiguous: rejected */
               "BM-A;2025-02;1 500,0;1\n"     /* 3: 1500 */
               "BM-A;2025-03;1.500;1\n"       /* 4: 1500, a dot groups thousands */
               "BM-A;2025-04;1,234,567;1\n"); /* 5: two commas: thousands */
    tu_run r = tr_bilan(&e, "ingest", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, ":2: Lectures: '1,500' reads as a decimal number in French (comma), "
                            "not a count"),
              "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE resource_id = 'presse' AND "
                                "metric = 'Total_Item_Requests'"),
                 1500 + 1500 + 1234567);
    tr_teardown(&e);
}

Test(profiles, us_dates_refuse_the_file)
{
    tr_env e = setup_network("prof-usdates");
    add_profile(
        &e, "autof",
        "[profile]\nresource = musique\nmatch = Date de connexion; Établissement; Sessions\n"
        "library = Établissement\ndate = Date de connexion\n[metrics]\nSessions = "
        "Plays\n");
    /* March 2026 written month first: 03/02 and 03/09 went to February
     * and September, 03/16 was rejected, until now. */
    write_file(&e, "u.csv",
               "Date de connexion;Établissement;Sessions\n03/02/2025;BM-A;1\n03/09/2025;BM-A;1\n"
               "03/16/2025;BM-A;1\n");
    refused(&e, "u.csv", "line 4: Date de connexion: '03/16/2025' is month/day/year (US order)");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    /* Day first, as bilan reads them: every day in March. */
    write_file(&e, "f.csv",
               "Date de connexion;Établissement;Sessions\n02/03/2025;BM-A;1\n16/03/2025;BM-A;2\n");
    ingest_ok(&e, in(&e, "f.csv"));
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE month = '2025-03'"), 3);
    tr_teardown(&e);
}

Test(profiles, a_title_line_with_a_comma_above_a_semicolon_header)
{
    tr_env e = setup_network("prof-title");
    /* The delimiter was taken from the title line: refused, until now. */
    write_file(&e, "k.csv",
               "Export Kiosque, 2025\nBibliothèque;Mois;Lectures;Prêts\nBM-A;2025-01;7;1\n");
    ingest_ok(&e, in(&e, "k.csv"));
    cr_assert_eq(tr_sql_int(&e, "SELECT value FROM usage WHERE resource_id = 'presse' AND metric "
                                "= 'Total_Item_Requests'"),
                 7);
    tr_teardown(&e);
}

Test(profiles, totals_impossible_days_and_what_is_not_used_are_said)
{
    tr_env e = setup_network("prof-said");
    /* « Total général » (accents) and « Sous-total » are totals, skipped:
     * until now the first was rejected for its empty month and the second
     * counted as an unknown library's usage. */
    write_file(&e, "k.csv",
               "Bibliothèque;Mois;Lectures;Prêts\nBM-A;2025-01;5;1\nSous-total;2025-01;5;1\n"
               "Total général;;5;1\nBM-A;2025-02;-4;1\nBM-A;2099-01;3;1\n");
    tu_run r = tr_bilan(&e, "ingest", "--library", "bm-b", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, ":5: Lectures: '-4' is negative: a count cannot be below 0"), "%s",
              r.err);
    cr_assert(strstr(r.err, ":6: Lectures: count for 2099-01, a month not begun yet"), "%s", r.err);
    cr_assert(strstr(r.err, "note: --library not used: profile kiosque takes each row's library "
                            "from its column 'Bibliothèque'"),
              "%s", r.err);
    cr_assert(!strstr(r.err, ":3:") && !strstr(r.err, ":4:"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM usage WHERE library_id IS NULL"), 0);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE metric = "
                                "'Total_Item_Requests'"),
                 5);
    /* 31 April is no day: the row is rejected (it was read as April). */
    add_profile(&e, "autof",
                "[profile]\nresource = musique\nmatch = Jour; Établissement; Sessions\n"
                "library = Établissement\ndate = Jour\n[metrics]\nSessions = Plays\n");
    write_file(&e, "a.csv", "Jour;Établissement;Sessions\n30/04/2025;BM-A;1\n31/04/2025;BM-A;9\n");
    r = tr_bilan(&e, "ingest", in(&e, "a.csv"), NULL);
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, ":3: Jour: '31/04/2025' is not a date"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE resource_id = 'musique'"), 1);
    /* Excel's « Texte Unicode »: said, with what to do. */
    cr_assert(tu_write_file(in(&e, "u.txt"),
                            "\xFF\xFE"
                            "B\0i\0",
                            6));
    r = tr_bilan(&e, "ingest", in(&e, "u.txt"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "UTF-16 text (Excel's \"Unicode Text\"): not read; save the file as "
                            "\"CSV UTF-8\""),
              "%s", r.err);
    tu_run_free(&r);
    /* An unknown --profile names the network's. */
    r = tr_bilan(&e, "ingest", "--profile", "kiosk", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 66, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "the network has 5 (autof, kiosque, musique, pnb, vod;"), "%s", r.err);
    tu_run_free(&r);
    tr_teardown(&e);
}

Test(profiles, forced_profile_and_unknown_profile)
{
    tr_env e = setup_network("prof-force");
    /* Kiosque's header row, read with --profile kiosque, and no match otherwise. */
    write_file(&e, "k.csv", "Intro\nBibliothèque;Mois;Lectures;Prêts\nBM-A;2025-01;5;\n");
    tu_run r = tr_bilan(&e, "ingest", "--profile", "nope", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 66, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "unknown profile 'nope'"), "%s", r.err);
    tu_run_free(&r);
    r = tr_bilan(&e, "ingest", "--profile", "vod", in(&e, "k.csv"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "not an export of profile vod"), "%s", r.err);
    tu_run_free(&r);
    ingest_ok(&e, in(&e, "k.csv"));
    cr_assert_eq(tr_sql_int(&e, "SELECT value FROM usage WHERE resource_id = 'presse'"), 5);
    tr_teardown(&e);
}

Test(profiles, file_matching_no_profile_is_refused)
{
    tr_env e = setup_network("prof-nomatch");
    write_file(&e, "x.csv", "Nom,Valeur\nA,1\n");
    refused(&e, "x.csv", "nor is it an export of any of the network's 4 profiles");
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    /* With one profile, it is named (until the night of 3 December 2026 « du profil du
     * réseau (1) »); with none, the refusal says that a provider's own
     * export is read through a profile (it spoke of --format alone). */
    run_ok(tr_bilan(&e, "network", "import", tr_fx("../demo/network"), NULL), "demo network");
    refused(&e, "x.csv", "nor is it an export of the network's profile 'scolanet'");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "x.csv"), NULL);
    cr_expect(!strstr(r.err, "A provider's own export"), "said once, without profiles: %s", r.err);
    tu_run_free(&r);
    run_ok(tr_bilan(&e, "network", "import", tr_fx("own-reports/network"), NULL), "no profile");
    refused(&e, "x.csv",
            "use --format to say which. A provider's own export (its own columns) "
            "is read through a profile of the network: profiles/ID.ini");
    tr_teardown(&e);
}

Test(profiles, spreadsheet_that_is_not_a_report)
{
    tr_env e = setup_network("prof-notreport");
    /* The vod workbook without the profile that reads it. */
    tu_run c = tu_sh("rm '%s'", in(&e, "net/profiles/vod.ini"));
    tu_run_free(&c);
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "import");
    tu_run r = tr_bilan(&e, "ingest", fx("vod-2025.xlsx"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "not a COUNTER report"), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    tr_teardown(&e);
}

/* ---- network-level totals in the reports (part 3) ------------------------------- */

/* The text of a report's PDF (pdftotext -layout), rendered into e->dir/out. */
static char *report_text(const tr_env *e, const char *kind, const char *period, const char *file)
{
    tu_run r = tr_bilan(e, "report", kind, period, "--out", in(e, "out"), NULL);
    cr_assert_eq(r.status, 0, "report %s %s: %s", kind, period, r.err);
    tu_run_free(&r);
    char path[1200];
    snprintf(path, sizeof path, "%s/out/%s/%s", e->dir, period, file);
    char *t = tu_pdftotext(path);
    cr_assert_not_null(t, "%s", path);
    return t;
}

/* The line of t that starts (after spaces) with `start`, squeezed: runs of
 * spaces as one (malloc'd; "" when none). */
static char *line_of(const char *t, const char *start)
{
    const char *p = t;
    while (p && *p) {
        const char *s = p;
        while (*s == ' ')
            s++;
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (strncmp(s, start, strlen(start)) == 0) {
            char *out = malloc(n + 1);
            size_t o = 0;
            for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' || (o && out[o - 1] != ' '))
                    out[o++] = s[i];
            while (o && out[o - 1] == ' ')
                o--;
            out[o] = '\0';
            return out;
        }
        p = nl ? nl + 1 : NULL;
    }
    return strdup("");
}

static void assert_line(const char *t, const char *start, const char *want)
{
    char *l = line_of(t, start);
    cr_assert_str_eq(l, want, "line '%s': got '%s', want '%s'", start, l, want);
    free(l);
}

/* pdftotext's text of a footnote, its line breaks as spaces. */
static bool has_words(const char *t, const char *words)
{
    char *flat = strdup(t);
    for (char *p = flat; *p; p++)
        if (*p == '\n')
            *p = ' ';
    bool ok = strstr(flat, words) != NULL;
    free(flat);
    return ok;
}

Test(profiles, population_shares_marked_as_estimates_in_every_report)
{
    tr_env e = setup_network("prof-alloc-pop");
    ingest_ok(&e, fx("pnb-reseau-2025.csv"));
    /* 100 in January by 3 : 2 : 1 (README): 50, 33, 17. */
    static const struct {
        const char *file, *row;
    } cases[] = {{"ville-a-mensuel.pdf", "Prêt numérique (prêts) ‡ livres 50 — — 50"},
                 {"ville-b-mensuel.pdf", "Prêt numérique (prêts) ‡ livres 33 — — 33"},
                 {"ville-c-mensuel.pdf", "Prêt numérique (prêts) ‡ livres 17 — — 17"}};
    for (size_t i = 0; i < 3; i++) {
        char *t = report_text(&e, "mensuel", "2025-01", cases[i].file);
        assert_line(t, "Prêt numérique", cases[i].row);
        cr_assert(has_words(t, "‡ Estimation pour Prêt numérique : le fournisseur ne donne "
                               "qu'un total pour tout le réseau ; la part de chaque partenaire "
                               "est calculée au prorata de sa population, par la méthode du "
                               "plus fort reste"),
                  "%s", t);
        free(t);
    }
    /* February: 7 → 4, 2, 1. */
    char *t = report_text(&e, "mensuel", "2025-02", "ville-a-mensuel.pdf");
    assert_line(t, "Prêt numérique", "Prêt numérique (prêts) ‡ livres 4 50 — 54");
    free(t);
    /* The network review: the shares in the partners' rows, marked; the
     * provider's total in the total row. */
    t = report_text(&e, "reseau", "2025-01", "reseau-reseau.pdf");
    assert_line(t, "Ville A", "Ville A ‡ 50 50");
    assert_line(t, "Ville C", "Ville C ‡ 17 17");
    assert_line(t, "Total", "Total 100 100");
    cr_assert(has_words(t, "‡ Estimation pour Prêt numérique"), "%s", t);
    free(t);
    t = report_text(&e, "semestriel", "2025-S1", "ville-a-semestriel.pdf");
    char *l = line_of(t, "Prêt numérique");
    cr_assert(strncmp(l, "Prêt numérique (prêts) ‡ 50 4 ", 35) == 0, "%s", l);
    free(l);
    cr_assert(has_words(t, "‡ Estimation pour Prêt numérique"), "%s", t);
    free(t);
    t = report_text(&e, "annuel", "2025", "reseau-annuel.pdf");
    cr_assert(strstr(t, "Ville B ‡"), "%s", t);
    cr_assert(has_words(t, "‡ Estimation pour Prêt numérique"), "%s", t);
    free(t);
    /* The email says so too. */
    tu_run r = tr_bilan(&e, "mail", "2025-01", "--partner", "ville-b", "--dry-run", "--outbox",
                        in(&e, "ob"), "--reports", in(&e, "out"), "--from", "a@b.example", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    tu_run g = tu_sh("grep -c 'dont des estimations pour Pr=C3=AAt num=C3=A9rique' "
                     "'%s'/2025-01/ville-b-mensuel.eml",
                     in(&e, "ob"));
    cr_assert_str_eq(g.out, "1\n", "%s", g.err);
    tu_run_free(&g);
    tr_teardown(&e);
}

Test(profiles, allocate_none_stays_at_network_level)
{
    tr_env e = setup_network("prof-alloc-none");
    tu_run c =
        tu_sh("sed -i 's/^allocate = .*/allocate = none/' '%s'", in(&e, "net/profiles/pnb.ini"));
    tu_run_free(&c);
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "import");
    ingest_ok(&e, fx("pnb-reseau-2025.csv"));
    char *t = report_text(&e, "mensuel", "2025-01", "ville-a-mensuel.pdf");
    assert_line(t, "Prêt numérique", "Prêt numérique (prêts) § livres 0 — — 0");
    cr_assert(has_words(t, "§ Prêt numérique : le fournisseur ne donne qu'un total pour tout le "
                           "réseau, qui n'est pas réparti entre les partenaires : il ne compte "
                           "pas dans vos chiffres."),
              "%s", t);
    cr_assert_null(strstr(t, "‡"));
    free(t);
    t = report_text(&e, "reseau", "2025-01", "reseau-reseau.pdf");
    assert_line(t, "Ville A", "Ville A 0 0");
    cr_assert(has_words(t, "§ Prêt numérique : total donné par le fournisseur pour tout le "
                           "réseau ; il compte dans les chiffres du réseau, dans ceux d'aucun "
                           "partenaire."),
              "%s", t);
    /* The key figure holds the network's total: its caption says so. */
    /* (the caption wraps: "attribuées à un partenaire ou" / "au réseau §") */
    cr_assert(strstr(t, "attribuées à un partenaire ou") && strstr(t, "au réseau §"), "%s", t);
    free(t);
    t = report_text(&e, "annuel", "2025", "reseau-annuel.pdf");
    /* The resource's total is the provider's: 100 + 7. */
    char *l = line_of(t, "Prêt numérique (prêts) §");
    cr_assert(strncmp(l, "Prêt numérique (prêts) § livres numériques 107 ", 52) == 0, "%s", l);
    free(l);
    free(t);
    tr_teardown(&e);
}

Test(profiles, logs_shares_and_fallback_to_population)
{
    tr_env e = setup_network("prof-alloc-logs");
    tu_run c =
        tu_sh("sed -i 's/^allocate = .*/allocate = logs/' '%s'", in(&e, "net/profiles/pnb.ini"));
    tu_run_free(&c);
    run_ok(tr_bilan(&e, "network", "import", in(&e, "net"), NULL), "import");
    /* January's PNB requests in the logs: 1 from bm-a, 3 from bm-c. */
    const char *ua = "\"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 "
                     "Firefox/124.0\"\n";
    char log[2048];
    snprintf(log, sizeof log,
             "192.0.2.10 - - [10/Jan/2025:10:00:00 +0100] \"GET /pnb/1 HTTP/1.1\" 200 512 %s"
             "192.0.2.130 - - [11/Jan/2025:10:00:00 +0100] \"GET /pnb/2 HTTP/1.1\" 200 512 %s"
             "192.0.2.130 - - [12/Jan/2025:11:00:00 +0100] \"GET /pnb/3 HTTP/1.1\" 200 512 %s"
             "192.0.2.131 - - [13/Jan/2025:12:00:00 +0100] \"GET /pnb/4 HTTP/1.1\" 200 512 %s",
             ua, ua, ua, ua);
    write_file(&e, "pnb.log", log);
    ingest_ok(&e, in(&e, "pnb.log"));
    ingest_ok(&e, fx("pnb-reseau-2025.csv"));
    /* January: 100 by 1 : 0 : 3 = 25, 0, 75. */
    char *t = report_text(&e, "reseau", "2025-01", "reseau-reseau.pdf");
    assert_line(t, "Ville A", "Ville A ‡ 25 25");
    assert_line(t, "Ville B", "Ville B ‡ 0 0");
    assert_line(t, "Ville C", "Ville C ‡ 75 75");
    cr_assert(has_words(t, "au prorata des consultations de la ressource que les journaux "
                           "d'accès ont comptées pour lui ce mois-là"),
              "%s", t);
    free(t);
    /* February: no log, so by population (7 → 4, 2, 1), with the note. */
    t = report_text(&e, "mensuel", "2025-02", "ville-a-mensuel.pdf");
    assert_line(t, "Prêt numérique", "Prêt numérique (prêts) ‡ livres 4 25 — 29");
    cr_assert(has_words(t, "Un mois sans journaux d'accès est réparti au prorata de la "
                           "population."),
              "%s", t);
    free(t);
    tr_teardown(&e);
}

/* A row that repeats a library and month of an earlier one (an export that
 * lists a row twice, whatever the case of its name) is added to it, as the
 * provider wrote it, and said once with both lines. */
Test(profiles, repeated_library_month_is_added_and_said)
{
    tr_env e = setup_network("prof-repeat");
    write_file(&e, "kiosque-dup.csv",
               "Bibliothèque;Mois;Lectures;Prêts\n"
               "Médiathèque A;janv. 2025;120;1\n"
               "Médiathèque A;févr. 2025;100;2\n"
               "MÉDIATHÈQUE A;janv. 2025;120;1\n"
               "Bibliothèque B;janv. 2025;30;0\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "kiosque-dup.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "kiosque-dup.csv: note: 1 row(s) repeat the library and month of an "
                            "earlier row (line 4 repeats line 2): their counts are added"),
              "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage WHERE month = '2025-01' AND "
                                "library_id = 'bm-a' AND metric = 'Total_Item_Requests'"),
                 240);
    /* The shipped example has no repeat: no such note. */
    r = tr_bilan(&e, "ingest", fx("kiosque-2025.csv"), NULL);
    cr_assert(!strstr(r.err, "repeat the library"), "%s", r.err);
    tu_run_free(&r);
    tr_teardown(&e);
}

/* A wide export whose month columns are not in order (février before
 * janvier): a rejected row's span is its months' lowest to highest, so the
 * earlier file's cells of that row are kept, and said (the span was
 * février..janvier, empty, until 3 December 2026: fuzz_profile found it). */
Test(profiles, wide_months_out_of_order_reject_keeps_earlier_cells)
{
    tr_env e = setup_network("prof-wide-order");
    write_file(&e, "vod-1.csv",
               "Bibliothèque;janv. 2025;févr. 2025;Total\nBM-A;40;35;75\nBibliothèque B;10;5;15\n");
    write_file(&e, "vod-2.csv",
               "Bibliothèque;févr. 2025;janv. 2025;Total\nBM-A;x;41;\nBibliothèque B;6;11;17\n");
    ingest_ok(&e, in(&e, "vod-1.csv"));
    tu_run r = tr_bilan(&e, "ingest", in(&e, "vod-2.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2 earlier cells kept (rejected rows)"), "%s", r.out);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage_effective WHERE library_id = 'bm-a'"),
                 75);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage_effective WHERE library_id = 'bm-b'"),
                 17);
    tr_teardown(&e);
}

/* A vendor export with a bad row, in the network review's table of files
 * with rejected rows: the provider its resource names (the source itself
 * names none), the format in words, values accepted. */
Test(profiles, rejects_table_names_provider_and_format)
{
    tr_env e = setup_network("prof-rejects");
    write_file(&e, "kiosque-bad.csv",
               "Bibliothèque;Mois;Lectures;Prêts\n"
               "Médiathèque A;janv. 2025;120;1\n"
               "Médiathèque A;févr. 2025;beaucoup;2\n"
               "Bibliothèque B;janv. 2025;30;0\n");
    tu_run r = tr_bilan(&e, "ingest", in(&e, "kiosque-bad.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "3 values accepted, 1 row rejected"), "%s", r.out);
    tu_run_free(&r);
    char *t = report_text(&e, "reseau", "2025-01", "reseau-reseau.pdf");
    assert_line(t, "kiosque-bad.csv", "kiosque-bad.csv Kiosque export du 3 1");
    cr_assert(strstr(t, "Valeurs"), "%s", t);
    free(t);
    tr_teardown(&e);
}

/* ---- spreadsheets: forced, another sheet, a sheet the profile names absent ------ */

Test(profiles, spreadsheet_forced_and_its_sheet)
{
    tr_env e = setup_network("prof-sheet");
    /* A profile whose sheet the workbook lacks: refused, naming the sheet. */
    tu_run r = tr_bilan(&e, "ingest", "--profile", "musique", fx("vod-2025.xlsx"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "Écoutes"), "%s", r.err);
    cr_assert(strstr(r.err, "(its sheets: 'Lisez-moi', 'Statistiques')"), "%s", r.err);
    tu_run_free(&r);
    /* A profile without sheet reads the first ('Lisez-moi'): the refusal
     * names the others, where the export is. */
    r = tr_bilan(&e, "ingest", "--profile", "kiosque", fx("vod-2025.xlsx"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "the workbook has other sheets ('Statistiques'): name the one to "
                            "read with sheet = NAME in the profile"),
              "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT COUNT(*) FROM source"), 0);
    /* Forced: the same figures as matched. */
    r = tr_bilan(&e, "ingest", "--profile", "vod", fx("vod-2025.xlsx"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "profile vod 2025-01..2025-03: 7 values accepted"), "%s", r.out);
    tu_run_free(&r);
    cr_assert_eq(tr_sql_int(&e, "SELECT SUM(value) FROM usage"), 154);
    tr_teardown(&e);

    /* Without the profile, the workbook is no COUNTER report either: the
     * refusal says its other sheets and how a profile reads one. */
    tr_env n = tr_setup("prof-sheet-none");
    r = tr_bilan(&n, "ingest", fx("vod-2025.xlsx"), NULL);
    cr_assert_eq(r.status, 65, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "; the workbook has other sheets ('Statistiques'): bilan reads the "
                            "first, a vendor profile another with sheet = NAME"),
              "%s", r.err);
    tu_run_free(&r);
    tr_teardown(&n);
}

/* A music resource counted in Plays says « écoutes », a video one
 * « visionnages » (until 3 December 2026 both said « visionnages »). */
Test(profiles, music_plays_are_ecoutes)
{
    tr_env e = setup_network("prof-ecoutes");
    ingest_ok(&e, fx("musique-2025.ods"));
    char *t = report_text(&e, "mensuel", "2025-01", "ville-a-mensuel.pdf");
    cr_assert(strstr(t, "Musique en ligne (écoutes)"), "%s", t);
    cr_assert(!strstr(t, "visionnages"), "%s", t);
    free(t);
    tr_teardown(&e);
}

/* A rejected row of a vendor export leaves its library's month partial in
 * the reports, named (its platform is the profile's resource id, not a
 * COUNTER name: the rule of trust_reports::a_rejected_row_leaves_its_
 * figure_missing_not_zero holds for exports too). */
Test(profiles, rejected_export_row_is_a_partial_month)
{
    tr_env e = setup_network("prof-rejected");
    char path[1024];
    snprintf(path, sizeof path, "%s/kiosque-rejet.csv", e.dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("Bibliothèque;Mois;Lectures;Prêts\nMédiathèque A;janv. 2025;12;1\n"
          "Médiathèque A;févr. 2025;1x3;1\nMédiathèque A;mars 2025;14;1\n",
          f);
    fclose(f);
    tu_run r = tr_bilan(&e, "ingest", "--profile", "kiosque", path, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *t = report_text(&e, "mensuel", "2025-02", "ville-a-mensuel.pdf");
    cr_assert(strstr(t, "Kiosque presse (février 2025 : Médiathèque A, ligne rejetée)"), "%s", t);
    free(t);
    tr_teardown(&e);
}
