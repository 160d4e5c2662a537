/* The bad-input corpus (fixtures/bad/, see its README) through the real
 * binary: each case gives a clear message naming the file and the reason,
 * the documented exit code (65 refused, 66 missing, 0 with rejected rows for
 * row-level problems), and a refused file leaves the store exactly as it was
 * (export and source list before = after, integrity_check ok). Exports a
 * spreadsheet will open never start a field with a formula character. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "rel_util.h"

static rel_env env;

static void setup(void)
{
    rel_setup(&env, "bad");
}

static void teardown(void)
{
    rel_teardown(&env);
}

#define HEADER "partner_id,library_id,resource_id,month,metric,value\n"

static void ingest_ok(const char *db, const char *path)
{
    tu_run r = rel_bilan(db, "ingest", path, NULL);
    cr_assert_eq(r.status, 0, "ingest %s: %s", path, r.err);
    tu_run_free(&r);
}

static void assert_sound(const char *db)
{
    char *ic = rel_integrity(db);
    cr_assert_str_eq(ic, "ok", "integrity_check of %s: %s", db, ic);
    free(ic);
}

/* A file refused whole: exit `code`, stderr names the file and the reason,
 * the store (holding a good file first) unchanged. */
static void check_refused(const char *path, const char *format, int code, const char *reason)
{
    ingest_ok(env.db, rel_fixture("ingest/pr-2025q1.csv"));
    char *before = rel_export(env.db), *src_before = rel_sources(env.db);
    tu_run r = format ? rel_bilan(env.db, "ingest", "--format", format, path, NULL)
                      : rel_bilan(env.db, "ingest", path, NULL);
    cr_assert_eq(r.status, code, "%s: exit %d, expected %d; stderr: %s", path, r.status, code,
                 r.err);
    cr_assert(strstr(r.err, path), "the message must name the file: %s", r.err);
    cr_assert(strstr(r.err, reason), "the message must say '%s': %s", reason, r.err);
    cr_assert(strncmp(r.err, "bilan: ", 7) == 0, "git-style message: %s", r.err);
    /* Said once (until 3 December 2026 a reader's refusal came twice, first
     * as "FILE:0: REASON", and the refusal line named the file twice). */
    const char *nl = strchr(r.err, '\n');
    cr_assert(nl && nl[1] == '\0', "one line on stderr: %s", r.err);
    cr_assert_null(strstr(strstr(r.err, path) + strlen(path), path), "the file named once: %s",
                   r.err);
    cr_assert_null(strstr(r.err, ":0:"), "no line 0: %s", r.err);
    cr_assert_eq(r.out_len, 0, "nothing on stdout for a refused file: %s", r.out);
    tu_run_free(&r);
    char *after = rel_export(env.db), *src_after = rel_sources(env.db);
    cr_assert_str_eq(after, before, "the store changed");
    cr_assert_str_eq(src_after, src_before, "the source list changed");
    assert_sound(env.db);
    free(before);
    free(after);
    free(src_before);
    free(src_after);
}

Test(bad_input, empty_file_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/empty.csv"), NULL, 65, "empty file");
}

Test(bad_input, binary_file_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/binary.csv"), NULL, 65, "binary data");
}

Test(bad_input, binary_file_refused_even_when_format_forced, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/binary.csv"), "counter5", 65, "binary.csv");
}

Test(bad_input, truncated_gzip_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/truncated.csv.gz"), NULL, 65, "truncated");
}

Test(bad_input, gzip_of_garbage_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/garbage.csv.gz"), NULL, 65, "corrupt gzip");
}

Test(bad_input, nul_bytes_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/nul-bytes.csv"), NULL, 65, "NUL");
}

Test(bad_input, wrong_delimiter_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/wrong-delimiter.csv"), NULL, 65, "unknown format");
}

Test(bad_input, missing_file_exit_66, .init = setup, .fini = teardown)
{
    check_refused(rel_path(&env, "no-such-file.csv"), NULL, 66, "No such file or directory");
}

/* A folder given for a file: said at once with what was meant, exit 66 as
 * for a missing file, the other files of the command ingested (until 3
 * December 2026: "read error: Is a directory", exit 74). */
Test(bad_input, folder_given_for_a_file, .init = setup, .fini = teardown)
{
    const char *d = rel_path(&env, "arrivees");
    cr_assert_eq(mkdir(d, 0700), 0);
    tu_run r = rel_bilan(env.db, "ingest", d, rel_fixture("ingest/pr-2025q1.csv"), NULL);
    cr_assert_eq(r.status, 66, "%s", r.err);
    cr_assert(strstr(r.err, "is a folder, not a file: give the files in it"), "%s", r.err);
    cr_assert(strstr(r.err, "/arrivees/*"), "%s", r.err);
    cr_assert(strstr(r.out, "pr-2025q1.csv: counter5 PR"), "%s", r.out);
    tu_run_free(&r);
}

/* One 2 MB line with no end: not a format, and no reader may buffer it whole. */
Test(bad_input, huge_line_without_newline_refused, .init = setup, .fini = teardown)
{
    const char *p = rel_path(&env, "huge-nonl.csv");
    size_t n = 2u << 20;
    char *b = malloc(n);
    memset(b, 'y', n);
    memcpy(b, "Report_Name,", 12);
    cr_assert(tu_write_file(p, b, n));
    free(b);
    check_refused(p, NULL, 65, "unknown format");
}

Test(bad_input, huge_header_line_refused_when_counter5_forced, .init = setup, .fini = teardown)
{
    const char *p = rel_path(&env, "huge-header.csv");
    size_t n = 2u << 20;
    char *b = malloc(n);
    memset(b, 'y', n);
    memcpy(b, "Report_Name,", 12);
    cr_assert(tu_write_file(p, b, n));
    free(b);
    check_refused(p, "counter5", 65, "huge-header.csv");
}

/* A 300 KB row inside a good report: that row is rejected alone (file and
 * line named), the rest is exactly what the file without it gives. */
Test(bad_input, huge_row_rejected_alone, .init = setup, .fini = teardown)
{
    size_t len = 0;
    char *src = tu_read_file(rel_fixture("ingest/pr-2025q1.csv"), &len);
    cr_assert(src);
    const char *victim = strstr(src, "Bibliothèque inconnue");
    cr_assert(victim);
    const char *eol = strchr(victim, '\n');
    size_t pre = (size_t)(victim - src);
    unsigned long line = 1;
    for (size_t i = 0; i < pre; i++)
        line += src[i] == '\n';
    /* with the row made huge */
    size_t big = 300000;
    char *huge = malloc(len + big);
    memcpy(huge, src, pre);
    memset(huge + pre, 'B', big);
    memcpy(huge + pre + big, victim, len - pre);
    cr_assert(tu_write_file(rel_path(&env, "huge-row.csv"), huge, len + big));
    /* and without the row at all */
    char *without = malloc(len);
    memcpy(without, src, pre);
    memcpy(without + pre, eol + 1, len - (size_t)(eol + 1 - src));
    cr_assert(tu_write_file(rel_path(&env, "without-row.csv"), without,
                            len - (size_t)(eol + 1 - victim)));

    tu_run r = rel_bilan(env.db, "ingest", rel_path(&env, "huge-row.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:%lu:", rel_path(&env, "huge-row.csv"), line);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    cr_assert(strstr(r.out, "1 row rejected"), "%s", r.out);
    cr_assert(r.err_len < 1000, "the message must not echo the row (%zu bytes)", r.err_len);
    tu_run_free(&r);

    char fresh[1024];
    rel_new_store(&env, "fresh.db", fresh);
    ingest_ok(fresh, rel_path(&env, "without-row.csv"));
    char *a = rel_export(env.db), *b = rel_export(fresh);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    free(src);
    free(huge);
    free(without);
}

Test(bad_input, huge_log_line_rejected_alone, .init = setup, .fini = teardown)
{
    const char *good = "192.0.2.10 - - [10/Oct/2025:13:55:36 +0200] \"GET /ebook/1 HTTP/1.1\" "
                       "200 2326 \"-\" \"Mozilla/5.0\"\n";
    const char *p = rel_path(&env, "huge.log");
    FILE *f = fopen(p, "w");
    cr_assert(f);
    for (int i = 0; i < 20; i++)
        fputs(good, f);
    fputs("192.0.2.11 - - [10/Oct/2025:13:55:37 +0200] \"GET /", f);
    for (int i = 0; i < 100000; i++)
        fputc('a', f);
    fputs(" HTTP/1.1\" 200 1 \"-\" \"x\"\n", f);
    for (int i = 0; i < 5; i++)
        fputs(good, f);
    fclose(f);
    tu_run r = rel_bilan(env.db, "ingest", p, NULL);
    if (rel_placeholder(&r))
        cr_skip("the log reader is not built yet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:21:", p);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    cr_assert(strstr(r.out, "26 lines read, 0 usage events counted"), "%s", r.out);
    cr_assert(strstr(r.out, "; 1 line rejected"), "%s", r.out);
    cr_assert(!strstr(r.err, "192.0.2"), "an IP address reached stderr: %s", r.err);
    tu_run_free(&r);
    assert_sound(env.db);
}

/* Windows-1252 bytes in a UTF-8-looking file: read as text, stored and
 * exported as valid UTF-8. */
Test(bad_input, invalid_utf8_read_and_stored_as_utf8, .init = setup, .fini = teardown)
{
    tu_run r = rel_bilan(env.db, "ingest", rel_fixture("bad/invalid-utf8.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "6 values accepted, 0 rows rejected, 3 unattributed"), "%s", r.out);
    tu_run_free(&r);
    char *e = rel_export(env.db), *s = rel_sources(env.db);
    cr_assert(rel_utf8(e, strlen(e)));
    cr_assert(rel_utf8(s, strlen(s)));
    cr_assert(strstr(e, "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"), "%s", e);
    free(e);
    free(s);
    char *names = rel_query(env.db, "SELECT institution || '|' || institution_id FROM usage");
    cr_assert(rel_utf8(names, strlen(names)), "stored names must be UTF-8: %s", names);
    cr_assert(strstr(names, "Médiathèque centrale|"), "Windows-1252 read as such: %s", names);
    free(names);
    assert_sound(env.db);
}

/* A report with its header and heading row but no data: accepted, nothing
 * stored, and above all nothing it "restates" is removed. */
Test(bad_input, header_only_changes_nothing, .init = setup, .fini = teardown)
{
    ingest_ok(env.db, rel_fixture("ingest/pr-2025q1.csv"));
    char *before = rel_export(env.db);
    tu_run r = rel_bilan(env.db, "ingest", rel_fixture("bad/header-only.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "header-only.csv"), "%s", r.out);
    cr_assert(strstr(r.out, "0 values accepted, 0 rows rejected"), "%s", r.out);
    /* ... and said: an export cut short looks the same. */
    cr_assert(strstr(r.err, "header-only.csv: note: no count above 0 in the file"), "%s", r.err);
    tu_run_free(&r);
    char *after = rel_export(env.db);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
}

Test(bad_input, negative_counts_rejected_with_file_and_line, .init = setup, .fini = teardown)
{
    const char *p = rel_fixture("bad/negative-counts.csv");
    tu_run r = rel_bilan(env.db, "ingest", p, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:16:", p);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    cr_assert(strstr(r.err, "-10"), "the reason names the value: %s", r.err);
    cr_assert(strstr(r.out, "1 row rejected"), "%s", r.out);
    tu_run_free(&r);
    char *e = rel_export(env.db);
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n");
    free(e);
    r = rel_bilan(env.db, "rejects", "negative-counts.csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, ":16:"), "%s", r.out);
    char *by_name = strdup(r.out);
    tu_run_free(&r);
    /* By its id, the same lines, named by the file as the ingest named
     * them (until 3 December 2026: « 1:16: »). */
    r = rel_bilan(env.db, "rejects", "1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, want, strlen(want)) == 0, "expected '%s' first in: %s", want, r.out);
    cr_assert_str_eq(r.out, by_name);
    free(by_name);
    tu_run_free(&r);
}

/* Months in the future (a provider's wrong year): rows rejected, file and
 * reason named; every row is, so the file is refused (docs/trust.md) and
 * the store holds none of them. */
Test(bad_input, months_in_the_future_rejected, .init = setup, .fini = teardown)
{
    const char *p = rel_fixture("bad/future-months.csv");
    tu_run r = rel_bilan(env.db, "ingest", p, NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "every row was rejected (4)\n"), "%s", r.err);
    /* The refusal is said once (until 3 December 2026 its reason ended in
     * a second "file refused, nothing stored"). */
    cr_assert_null(strstr(strstr(r.err, "refused") + 7, "refused"), "%s", r.err);
    char *e = rel_export(env.db);
    cr_assert_str_eq(e, HEADER);
    cr_assert(strstr(r.err, p), "the message must name the file: %s", r.err);
    cr_assert(strstr(r.err, "future"), "the message must say why: %s", r.err);
    free(e);
    tu_run_free(&r);
}

/* Found by fuzz_counter: a month heading with a long digit run overflowed
 * an int (UBSan). The heading is not a month, and it stands among the month
 * columns: the file is refused whole (issue 12), without a crash. */
Test(bad_input, month_heading_digit_overflow, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/month-overflow.csv"), NULL, 65,
                  "Mar-20251432143214321: heading of column J (number 10), among the month "
                  "columns, cannot be read as a month");
}

/* ---- issue 12: the numbers are checked ---------------------------------- */

/* A row rejected alone (exit 0): file and line named, the reason in the
 * message, the other row kept (the export as in negative_counts). */
static void check_row_rejected(const char *fixture, const char *reason)
{
    const char *p = rel_fixture(fixture);
    tu_run r = rel_bilan(env.db, "ingest", p, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:16: ", p);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    cr_assert(strstr(r.err, reason), "expected '%s' in: %s", reason, r.err);
    cr_assert(strstr(r.out, "1 row rejected"), "%s", r.out);
    tu_run_free(&r);
    char *e = rel_export(env.db);
    cr_assert_str_eq(e, HEADER "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"
                               "ca-test,bm-centre,presse,2025-02,Total_Item_Requests,200\n"
                               "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n");
    free(e);
    assert_sound(env.db);
}

Test(bad_input, count_over_bound_rejected, .init = setup, .fini = teardown)
{
    check_row_rejected("bad/count-over-bound.csv",
                       "Jan-2025: '9000000000000000000' is above 1000000000, the largest count "
                       "accepted in one cell");
}

Test(bad_input, total_mismatch_rejected, .init = setup, .fini = teardown)
{
    check_row_rejected("bad/total-mismatch.csv",
                       "Reporting_Period_Total: months add up to 60, Reporting_Period_Total "
                       "says 58");
}

Test(bad_input, unreadable_month_heading_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/month-unreadable.csv"), NULL, 65,
                  "Fbr-2025: heading of column I (number 9), among the month columns, cannot "
                  "be read as a month");
}

/* ---- CSV injection -------------------------------------------------------- */

static void assert_no_formula(const char *what, const char *csv)
{
    char bad[64];
    cr_assert(!rel_csv_has_formula(csv, bad, sizeof bad), "%s: a field starts a formula: %s\n%s",
              what, bad, csv);
}

Test(bad_input, csv_injection_in_a_report_is_neutralised, .init = setup, .fini = teardown)
{
    ingest_ok(env.db, rel_fixture("bad/csv-injection.csv"));
    /* A relative file name that is itself a formula. */
    tu_run c = tu_sh("cp '%s' '%s/=HYPERLINK(1+1).csv' && cd '%s' && sed -i "
                     "'s/2025/2024/g' "
                     "'=HYPERLINK(1+1).csv' && '%s' --db '%s' ingest '=HYPERLINK(1+1).csv'",
                     rel_fixture("ingest/pr-2025q1.csv"), env.dir, env.dir, tu_bilan(), env.db);
    cr_assert_eq(c.status, 0, "%s", c.err);
    tu_run_free(&c);
    tu_run r = rel_bilan(env.db, "sources", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "'=HYPERLINK("), "the provider is kept, neutralised: %s", r.out);
    assert_no_formula("sources --format csv", r.out);
    tu_run_free(&r);
    char *e = rel_export(env.db);
    assert_no_formula("export usage", e);
    free(e);
}

Test(bad_input, csv_injection_in_the_network_is_neutralised, .init = setup, .fini = teardown)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/hostile.db", env.dir);
    tu_run r = rel_bilan(db, "network", "import", rel_fixture("bad/network-hostile"), NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cr_assert(strstr(r.err, "partners.csv:2:1: id: "), "%s", r.err);
    tu_run_free(&r);
    cr_assert_eq(rel_count(db, "SELECT COUNT(*) FROM partner"), 0);
    /* With valid ids, formulas in names never reach an export cell unquoted. */
    r = rel_bilan(db, "network", "import", rel_fixture("bad/network-hostile-names"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok(db, rel_fixture("ingest/pr-2025q1.csv"));
    char *e = rel_export(db);
    assert_no_formula("export usage", e);
    cr_assert(strstr(e, "ca-test,bm-centre,presse,2025-01,Total_Item_Requests,100\n"), "%s", e);
    free(e);
    assert_sound(db);
}

/* ---- SQL metacharacters ------------------------------------------------------ */

Test(bad_input, sql_metacharacters_are_data, .init = setup, .fini = teardown)
{
    ingest_ok(env.db, rel_fixture("bad/sql-metachars.csv"));
    const char *odd = "x'; DROP TABLE usage; --.csv";
    tu_run c = tu_sh("cp '%s' \"%s/%s\" && sed -i 's/2025/2024/g' \"%s/%s\"",
                     rel_fixture("ingest/pr-2025q1.csv"), env.dir, odd, env.dir, odd);
    cr_assert_eq(c.status, 0, "%s", c.err);
    tu_run_free(&c);
    ingest_ok(env.db, rel_path(&env, odd));
    assert_sound(env.db);
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM library"), 3);
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM source"), 2);
    cr_assert_eq(rel_count(env.db, "SELECT COUNT(*) FROM usage WHERE platform = "
                                   "'Kiosque''; DROP TABLE usage; --' AND institution = "
                                   "'Robert''); DROP TABLE usage; --' AND institution_id = "
                                   "'x'' OR ''1''=''1'"),
                 3, "the names are stored verbatim");
    char *s = rel_sources(env.db);
    cr_assert(strstr(s, "PresseNum'; DROP TABLE source; --"), "%s", s);
    cr_assert(strstr(s, odd), "%s", s);
    free(s);
    char *e = rel_export(env.db);
    cr_assert(strstr(e, "ca-test,bm-centre,presse,2025-03,Total_Item_Requests,300\n"), "%s", e);
    cr_assert(strstr(e, "ca-test,bm-centre,presse,2024-03,Total_Item_Requests,300\n"), "%s", e);
    free(e);
    tu_run r = rel_bilan(env.db, "rejects", odd, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
}

Test(bad_input, sql_metacharacters_in_the_network_are_data, .init = setup, .fini = teardown)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/hostile.db", env.dir);
    tu_run r = rel_bilan(db, "network", "import", rel_fixture("bad/network-hostile-names"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    ingest_ok(db, rel_fixture("ingest/pr-2025q1.csv"));
    assert_sound(db);
    cr_assert_eq(rel_count(db, "SELECT COUNT(*) FROM partner WHERE name = "
                               "'Commune''; DROP TABLE partner; --'"),
                 1);
    cr_assert_eq(rel_count(db, "SELECT COUNT(*) FROM resource WHERE provider = "
                               "'PresseNum''); DELETE FROM usage; --'"),
                 1);
    cr_assert_gt(rel_count(db, "SELECT COUNT(*) FROM usage"), 0);
}

/* ---- spreadsheets (issue 13, docs/spreadsheets.md) ------------------------ */

/* A zip bomb (64 MiB of spaces in 64 KiB): refused before anything is
 * inflated, store unchanged. */
Test(bad_input, sheet_zip_bomb_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/sheet-zip-bomb.xlsx"), NULL, 65, "a zip bomb?");
}

Test(bad_input, sheet_truncated_xlsx_refused, .init = setup, .fini = teardown)
{
    check_refused(rel_fixture("bad/sheet-truncated.xlsx"), NULL, 65, "truncated");
}

/* A #REF! in a month cell: that row rejected naming file, row, column and
 * error; the other rows kept. */
Test(bad_input, sheet_formula_error_cell_rejects_its_row, .init = setup, .fini = teardown)
{
    const char *p = rel_fixture("bad/sheet-error-cell.xlsx");
    tu_run r = rel_bilan(env.db, "ingest", p, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[1200];
    snprintf(want, sizeof want, "%s:15: column H: cell H15 holds the formula error #REF!", p);
    cr_assert(strstr(r.err, want), "expected '%s' in: %s", want, r.err);
    cr_assert(strstr(r.out, "1 row rejected"), "%s", r.out);
    tu_run_free(&r);
    char *e = rel_export(env.db);
    cr_assert(!strstr(e, "bm-centre,presse,2025-01,Total_Item_Requests"), "%s", e);
    cr_assert(strstr(e, "ca-test,bm-centre,presse,2025-01,Unique_Item_Requests,10\n"), "%s", e);
    cr_assert(strstr(e, "vil-test,bm-village,presse,2025-03,Total_Item_Requests,10\n"), "%s", e);
    free(e);
}

/* The PR followed by empty styled rows up to row 1 048 576 (42 MB of XML,
 * generated here): read like the PR alone, in bounded memory. */
Test(bad_input, sheet_with_a_million_empty_rows, .init = setup, .fini = teardown, .timeout = 300)
{
    const char *p = rel_path(&env, "empty-rows.xlsx");
    tu_run g = tu_sh("/usr/bin/python3 '%s/fixtures/sheets/make_sheets.py' --empty-rows '%s'",
                     tu_srcdir(), p);
    cr_assert_eq(g.status, 0, "generator: %s", g.err);
    tu_run_free(&g);
    char fresh[1024];
    rel_new_store(&env, "csv.db", fresh);
    ingest_ok(fresh, rel_fixture("ingest/pr-2025q1.csv"));
    char *want = rel_export(fresh);
    const char *rss = rel_path(&env, "rss.txt");
    tu_run r = tu_sh("/usr/bin/time -f '%%M' -o '%s' '%s' --db '%s' ingest '%s'", rss, tu_bilan(),
                     env.db, p);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *got = rel_export(env.db);
    cr_assert_str_eq(got, want);
    char *kb = tu_read_file(rss, NULL);
    cr_assert(kb && atol(kb) > 0 && atol(kb) < 64 * 1024, "peak memory %s KB: over 64 MB", kb);
    free(kb);
    free(want);
    free(got);
}
