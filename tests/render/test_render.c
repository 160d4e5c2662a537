/* PDF reports through the real binary on the fixture network of
 * fixtures/reports/ (see its README for the hand-computed figures): text
 * via pdftotext with exact French formatting, qpdf --check, fonts, identical
 * bytes on a second run, a golden image per kind; plus unit tests of the
 * period parser and the axis steps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bilan/mailing.h"
#include "bilan/model.h"
#include "bilan/render.h"
#include "render_internal.h"
#include "testutil.h"

#define NN "\xE2\x80\xAF" /* U+202F, thousands */
/* "Today" for these tests: 2026-07-01, when May 2026, the first semester
 * and 2025 are over and 2026 is not (the test environment's own
 * SOURCE_DATE_EPOCH, 2026-01-01, is before the fixtures' months). */
#define TODAY "SOURCE_DATE_EPOCH=1782864000"
static const char *const today_env[] = {TODAY, NULL};
#define NB "\xC2\xA0" /* U+00A0, before € and % */

typedef struct fx {
    char *dir;
    char db[512];
    char out[512];
} fx;

static fx setup(void)
{
    fx f;
    f.dir = tu_mkdtemp("render");
    snprintf(f.db, sizeof f.db, "%s/t.db", f.dir);
    snprintf(f.out, sizeof f.out, "%s/out", f.dir);
    tu_run r = tu_sh("'%s' --db '%s' network import '%s/fixtures/reports/network' >/dev/null && "
                     "'%s' --db '%s' ingest '%s'/fixtures/reports/feeds/*.csv >/dev/null 2>&1",
                     tu_bilan(), f.db, tu_srcdir(), tu_bilan(), f.db, tu_srcdir());
    /* One row of the presse file is bad on purpose: ingest exits non-zero
     * only if a whole file is refused, which would break every figure. */
    cr_assert(r.status == 0 || r.status == 65, "setup failed: %s", r.err);
    tu_run_free(&r);
    return f;
}

static void teardown(fx *f)
{
    tu_rmtree(f->dir);
    free(f->dir);
}

static tu_run report(const fx *f, const char *kind, const char *period, const char *partner)
{
    const char *argv[12] = {tu_bilan(), "--db", f->db, "report", kind, period, "--out", f->out};
    int n = 8;
    if (partner) {
        argv[n++] = "--partner";
        argv[n++] = partner;
    }
    argv[n] = NULL;
    return tu_runv(argv, today_env);
}

/* The text of a PDF with its exact characters. pdftotext (poppler 22)
 * turns U+202F and U+00A0 into plain spaces, so the French typography is
 * checked through Ghostscript's txtwrite device, which keeps them; runs of
 * ASCII spaces (layout) are collapsed to one. pdftotext is checked too. */
static char *pdf_text(const char *path)
{
    tu_run r = tu_sh("gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=txtwrite -o - '%s'", path);
    cr_assert_eq(r.status, 0, "gs txtwrite %s: %s", path, r.err);
    char *w = r.out;
    for (const char *p = r.out; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == ' ' && w > r.out && (w[-1] == ' ' || w[-1] == '\n'))
            continue;
        *w++ = *p;
    }
    *w = '\0';
    free(r.err);
    char *plain = tu_pdftotext(path);
    cr_assert(plain, "pdftotext %s", path);
    /* Both extractors agree on the words (pdftotext without the spaces). */
    cr_expect(strstr(plain, "Page 1 /") != NULL, "pdftotext: %s", plain);
    free(plain);
    return r.out;
}

static char *render_text(const fx *f, const char *kind, const char *period, const char *partner,
                         const char *file)
{
    tu_run r = report(f, kind, period, partner);
    cr_assert_eq(r.status, 0, "report %s %s: %s", kind, period, r.err);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", f->out, file);
    cr_assert(strstr(r.out, path), "stdout names the file: %s", r.out);
    tu_run_free(&r);
    return pdf_text(path);
}

#define HAS(t, s) cr_expect(strstr((t), (s)) != NULL, "missing «%s»", (s))

static void check_pdf(const char *path)
{
    tu_run r = tu_sh("qpdf --check '%s'", path);
    cr_expect_eq(r.status, 0, "qpdf --check %s: %s", path, r.out);
    tu_run_free(&r);
    /* Every font line of pdffonts (after its two heading lines) is DejaVu. */
    r = tu_sh("pdffonts '%s' | tail -n +3", path);
    cr_expect_eq(r.status, 0);
    cr_expect(r.out_len > 0, "no font at all in %s", path);
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"))
        cr_expect(strstr(line, "DejaVu") != NULL, "not DejaVu: %s", line);
    tu_run_free(&r);
    /* The outline (bookmarks) lists the sections. */
    r = tu_sh("qpdf --json --json-key=outlines '%s'", path);
    cr_expect(strstr(r.out, "\"title\": \"Chiffres clés\"") != NULL, "outline: %s", r.out);
    tu_run_free(&r);
    r = tu_sh("pdfinfo '%s'", path);
    cr_expect(strstr(r.out, "Author:") && strstr(r.out, "bilan"), "%s", r.out);
    cr_expect(strstr(r.out, "Subject:         Usage des ressources"), "%s", r.out);
    cr_expect(strstr(r.out, "CreationDate:    Wed Jul  1 00:00:00 2026"), "%s", r.out);
    tu_run_free(&r);
}

/* Renders twice into two directories and compares the bytes. */
static void check_reproducible(const fx *f, const char *kind, const char *period, const char *file)
{
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/%s", f->out, file);
    snprintf(b, sizeof b, "%s/again", f->dir);
    const char *argv[] = {tu_bilan(), "--db", f->db, "report", kind, period, "--out", b, NULL};
    tu_run r = tu_runv(argv, today_env);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    snprintf(b, sizeof b, "%s/again/%s", f->dir, file);
    r = tu_sh("cmp '%s' '%s'", a, b);
    cr_expect_eq(r.status, 0, "two runs differ: %s", r.out);
    tu_run_free(&r);
}

/* Page 1 at 30 dpi against tests/render/golden/<name>.png. */
static void check_golden(const fx *f, const char *file, const char *name)
{
    tu_run r = tu_sh("pdftoppm -r 30 -png -f 1 -l 1 -singlefile '%s/%s' '%s/%s' && "
                     "compare -metric AE -fuzz 2%% '%s/%s.png' '%s/tests/render/golden/%s.png' "
                     "'%s/%s-diff.png' 2>&1",
                     f->out, file, f->dir, name, f->dir, name, tu_srcdir(), name, f->dir, name);
    /* compare prints the count of differing pixels (exit 1 when any). */
    long diff = strtol(r.out, NULL, 10);
    cr_expect(r.status == 0 || r.status == 1, "compare failed: %s", r.out);
    /* A page at 30 dpi is 248 × 351 pixels: allow a few hundred (anti-
     * aliasing differences between library versions), not a moved block. */
    cr_expect(diff <= 400, "%s differs from its golden image by %ld pixels (%s)", name, diff,
              r.out);
    tu_run_free(&r);
}

Test(render, mensuel_figures_and_pdf)
{
    fx f = setup();
    char *t = render_text(&f, "mensuel", "2026-05", "ca-durance", "2026-05/ca-durance-mensuel.pdf");
    HAS(t, "Communauté d'agglomération");
    HAS(t, "mai 2026");
    HAS(t, "avril 2026");
    HAS(t, "Édité le 1er juillet 2026");
    HAS(t, "1" NN "515");            /* consultations of May */
    HAS(t, "+1,3" NB "%");           /* vs April, same resources */
    HAS(t, "+21,2" NB "%");          /* vs May 2025 */
    HAS(t, "10,6");                  /* per 1 000 inhabitants */
    HAS(t, "21" NN "368,70" NB "€"); /* participation */
    HAS(t, "6" NN "385");            /* PNB, January to May */
    HAS(t, "Livres numériques (PNB)");
    HAS(t, "Kiosque presse");
    HAS(t, "Cinéma à la demande (CinéLib) : aucune donnée reçue (mai 2026)");
    HAS(t, "données non reçues");
    HAS(t, "Page 1 / 2");
    HAS(t, "Forfaits");
    HAS(t, "192 unités utilisées sur 400");
    free(t);
    check_pdf(strcat(strcpy((char[1024]){0}, f.out), "/2026-05/ca-durance-mensuel.pdf"));
    check_reproducible(&f, "mensuel", "2026-05", "2026-05/ca-durance-mensuel.pdf");
    check_golden(&f, "2026-05/ca-durance-mensuel.pdf", "mensuel");
    teardown(&f);
}

Test(render, mensuel_all_partners_and_ns)
{
    fx f = setup();
    tu_run r = report(&f, "mensuel", "2026-05", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect_eq(tu_count(r.out, "-mensuel.pdf\n"), 3, "%s", r.out);
    tu_run_free(&r);
    char path[1024];
    snprintf(path, sizeof path, "%s/2026-05/lurs-mensuel.pdf", f.out);
    char *t = pdf_text(path);
    HAS(t, "Commune de Lurs-la-Vieille");
    HAS(t, "n.s."); /* May 2025 had no use: a change against 0 */
    cr_expect(strstr(t, "∞") == NULL);
    HAS(t, "347,55" NB "€"); /* 2 317 × 0,15 € */
    free(t);
    snprintf(path, sizeof path, "%s/2026-05/montclar-mensuel.pdf", f.out);
    t = pdf_text(path);
    HAS(t, "967,80" NB "€");
    HAS(t, "+70,0" NB "%"); /* 17 against 10, same resources */
    free(t);
    teardown(&f);
}

Test(render, semestriel)
{
    fx f = setup();
    char *t =
        render_text(&f, "semestriel", "2026-S1", "ca-durance", "2026-S1/ca-durance-semestriel.pdf");
    HAS(t, "1er semestre 2026");
    HAS(t, "2e semestre 2025");
    HAS(t, "9" NN "120");
    HAS(t, "+19,5" NB "%");
    HAS(t, "64,0");
    HAS(t, "7" NN "700");
    HAS(t, "janv.");
    HAS(t, "juin");
    free(t);
    char path[1024];
    snprintf(path, sizeof path, "%s/2026-S1/ca-durance-semestriel.pdf", f.out);
    check_pdf(path);
    check_reproducible(&f, "semestriel", "2026-S1", "2026-S1/ca-durance-semestriel.pdf");
    check_golden(&f, "2026-S1/ca-durance-semestriel.pdf", "semestriel");
    teardown(&f);
}

Test(render, annuel)
{
    fx f = setup();
    char *t = render_text(&f, "annuel", "2025", NULL, "2025/reseau-annuel.pdf");
    HAS(t, "année 2025");
    HAS(t, "15" NN "552");
    HAS(t, "22" NN "684,05" NB "€");
    HAS(t, "74" NN "500,00" NB "€");
    HAS(t, "4,79" NB "€"); /* 74 500 € / 15 552 */
    HAS(t, "102,8");       /* 15 552 / 151 227 × 1 000 */
    /* 2024 has no data: no change is computed against missing data. */
    HAS(t, "année 2024 : pas de données");
    cr_expect(strstr(t, "n.s.") == NULL, "a change against missing data");
    HAS(t, "livres numériques");
    HAS(t, "81,8" NB "%"); /* 12 720 / 15 552 */
    HAS(t, "Commune de Montclar-sur-Asse");
    HAS(t, "Annexe : qualité des données");
    free(t);
    char path[1024];
    snprintf(path, sizeof path, "%s/2025/reseau-annuel.pdf", f.out);
    check_pdf(path);
    check_reproducible(&f, "annuel", "2025", "2025/reseau-annuel.pdf");
    check_golden(&f, "2025/reseau-annuel.pdf", "annuel");
    teardown(&f);
}

Test(render, reseau)
{
    fx f = setup();
    char *t = render_text(&f, "reseau", "2026-05", NULL, "2026-05/reseau-reseau.pdf");
    HAS(t, "Revue du réseau");
    HAS(t, "1" NN "536");                    /* attributed consultations */
    HAS(t, "Médiathèque du Lac (inconnue)"); /* unattributed, as written */
    HAS(t, "LAC-99");
    HAS(t, "presse-pr-2026.csv"); /* one rejected row */
    HAS(t, "Mois sans données");
    HAS(t, "Alertes sur les forfaits");
    free(t);
    char path[1024];
    snprintf(path, sizeof path, "%s/2026-05/reseau-reseau.pdf", f.out);
    check_pdf(path);
    check_reproducible(&f, "reseau", "2026-05", "2026-05/reseau-reseau.pdf");
    check_golden(&f, "2026-05/reseau-reseau.pdf", "reseau");
    /* Any period form. */
    t = render_text(&f, "reseau", "2026", NULL, "2026/reseau-reseau.pdf");
    HAS(t, "année 2026");
    /* Months without data, consecutive ones as a span (bl_fr_months), only
     * those over on 1 July 2026: a month still to come cannot be late. */
    HAS(t, "Cinéma à la demande CinéLib mai à juin 2026");
    HAS(t, "Période en cours : seuls les mois terminés (jusqu'à juin 2026) sont examinés.");
    cr_expect(!strstr(t, "PresseNum juillet"), "a month to come is listed: %s", t);
    free(t);
    t = render_text(&f, "reseau", "2026-S2", NULL, "2026-S2/reseau-reseau.pdf");
    HAS(t, "Période en cours : aucun de ses mois n'est encore terminé.");
    free(t);
    teardown(&f);
}

Test(render, usage_errors)
{
    fx f = setup();
    tu_run r = report(&f, "mensuel", "2026-S1", NULL);
    cr_expect_eq(r.status, 64);
    cr_expect(strstr(r.err, "is not a month"), "%s", r.err);
    tu_run_free(&r);
    /* Issue 15: the annual report exists per partner; reseau is the
     * network's only. */
    r = report(&f, "reseau", "2025", "lurs");
    cr_expect_eq(r.status, 64);
    tu_run_free(&r);
    r = report(&f, "mensuel", "2026-05", "nobody");
    cr_expect_eq(r.status, 66);
    cr_expect(strstr(r.err, "no partner 'nobody'"), "%s", r.err);
    tu_run_free(&r);
    r = report(&f, "trimestriel", "2026-05", NULL);
    cr_expect_eq(r.status, 64);
    tu_run_free(&r);
    teardown(&f);
}

Test(render, periods)
{
    bl_period p;
    cr_assert(bl_period_parse("2026-05", &p));
    cr_expect_eq(p.kind, BL_PERIOD_MONTH);
    cr_expect_eq(p.first, bl_month_index(2026, 5));
    cr_assert(bl_period_parse("2026-S2", &p));
    cr_expect_eq(p.first, bl_month_index(2026, 7));
    cr_expect_eq(p.last, bl_month_index(2026, 12));
    char lab[48];
    cr_expect_str_eq(bl_period_label(lab, sizeof lab, &p), "2e semestre 2026");
    bl_period q = bl_period_previous(&p);
    cr_expect_str_eq(q.id, "2026-S1");
    cr_expect_str_eq(bl_period_label(lab, sizeof lab, &q), "1er semestre 2026");
    cr_assert(bl_period_parse("2025", &p));
    cr_expect_eq(p.last - p.first, 11);
    cr_expect_str_eq(bl_period_previous(&p).id, "2024");
    cr_expect(!bl_period_parse("2026-13", &p));
    cr_expect(!bl_period_parse("2026-S3", &p));
    cr_expect(!bl_period_parse("26", &p));
}

Test(render, nice_steps)
{
    double top;
    cr_expect_eq(bl__nice_step(1305, 5, &top), 500);
    cr_expect_eq(top, 1500);
    cr_expect_eq(bl__nice_step(17, 4, &top), 5);
    cr_expect_eq(top, 20);
    cr_expect_eq(bl__nice_step(0, 4, &top), 1);
    cr_expect_eq(bl__nice_step(9120, 4, &top), 5000);
    cr_expect_eq(top, 10000);
    cr_expect_eq(bl__nice_step(160000, 5, &top), 50000);
}

/* A store may hold absurd counts (issue 12): the model's sums saturate at
 * BL_MODEL_MAX instead of overflowing, and what the renderers compute from
 * them (changes, rates) stays defined. */
Test(render, sums_saturate_instead_of_overflowing)
{
    cr_expect_eq(bl_model_add(INT64_MAX, INT64_MAX), BL_MODEL_MAX);
    cr_expect_eq(bl_model_add(BL_MODEL_MAX, 1), BL_MODEL_MAX);
    cr_expect_eq(bl_model_add(-5, 7), 7);
    cr_expect_eq(bl_model_add(2, 3), 5);
    bl_model m;
    memset(&m, 0, sizeof m);
    bl_period_parse("2026-05", &m.period);
    m.window_first = m.period.last - BL_WINDOW + 1;
    bl_model_resource r[2];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < BL_WINDOW; k++)
            r[i].v[k] = INT64_MAX / 2, r[i].has[k] = true;
    r[1].has[BL_WINDOW - 1] = false; /* May missing for the second */
    r[1].v[BL_WINDOW - 1] = 0;
    m.resources = r;
    m.n_resources = 2;
    bl_model_total t = bl_model_total_of(&m, m.period.first - 11, m.period.last);
    cr_expect_eq(t.v, BL_MODEL_MAX);
    cr_expect(t.has && t.partial);
    bl_model_change c = bl_model_compare(&m, m.period.first, m.period.last, 1);
    cr_expect(c.comparable && c.excluded && c.has_change);
    cr_expect_eq(c.tenths, 0);
    char out[64];
    cr_expect_str_eq(bl__per_1000(out, sizeof out, BL_MODEL_MAX, 1),
                     "100" NN "000" NN "000" NN "000" NN "000" NN "000,0");
    cr_expect_str_eq(bl__total_text(out, sizeof out, t),
                     "100" NN "000" NN "000" NN "000" NN "000" NB BL_PARTIAL_MARK);
    bl_model_total none = {0, false, false};
    cr_expect_str_eq(bl__total_text(out, sizeof out, none), "—");
    bl_model_change nothing;
    memset(&nothing, 0, sizeof nothing);
    cr_expect_str_eq(bl__change_text(out, sizeof out, &nothing), "—");
}

/* A period not over (docs/reports.md, "A month not over is not a month
 * missing"): a semester of 2026 seen in June, January to May over. One
 * resource has every month over, the other lacks March; the running month
 * has no data. */
Test(render, running_period_counts_only_months_over)
{
    bl_model m;
    memset(&m, 0, sizeof m);
    bl_period_parse("2026-S1", &m.period);
    m.window_first = m.period.last - BL_WINDOW + 1;
    m.provisional = true;
    m.running_from = bl_month_index(2026, 6);
    bl_model_resource r[2];
    memset(r, 0, sizeof r);
    char pnb[] = "PNB", presse[] = "Presse";
    r[0].name = pnb, r[1].name = presse;
    for (int i = 0; i < 2; i++)
        for (int mi = bl_month_index(2025, 7); mi <= bl_month_index(2026, 5); mi++) {
            int k = bl_model_slot(&m, mi);
            r[i].v[k] = i == 0 ? 10 : 0;
            r[i].has[k] = true;
        }
    r[1].has[bl_model_slot(&m, bl_month_index(2026, 3))] = false;
    m.resources = r;
    m.n_resources = 2;
    int first = m.period.first, last = m.period.last;
    cr_expect_eq(bl_model_missing(&m, &r[0], first, last), 0, "June is not missing");
    cr_expect_eq(bl_model_missing(&m, &r[1], first, last), 1, "March is");
    cr_expect(!bl_model_over(&m, last) && bl_model_over(&m, last - 1));
    bl_model_total t = bl_model_total_of(&m, first, last);
    cr_expect(t.has && t.partial && t.v == 50);
    /* January to May against July to November 2025: PNB alone (Presse
     * lacks March), 50 against 50. */
    bl_model_change c = bl_model_compare(&m, first, last, 6);
    cr_expect(c.running && c.comparable && c.excluded && c.has_change);
    cr_expect_eq(c.last, bl_month_index(2026, 5));
    cr_expect_eq(c.base, 50);
    char out[160];
    cr_expect_str_eq(bl__base_line(out, sizeof out, "2e semestre 2025", &c),
                     "juillet à novembre 2025 : 50 *");
    bl_model_total b = bl_model_base_total(&m, first, last, 6);
    cr_expect(b.has && b.partial == false && b.v == 50);
    /* The mail says the same: against a base of 0 (Presse alone, made
     * comparable by giving it March), "de juillet à novembre 2025". */
    r[1].has[bl_model_slot(&m, bl_month_index(2026, 3))] = true;
    r[0].has[bl_model_slot(&m, bl_month_index(2026, 1))] = false;
    bl_mail_summary s;
    bl_mail_summary_from_model(&m, &s);
    cr_expect_eq(s.running_months, 5);
    cr_expect_str_eq(s.previous_label, "juillet à novembre 2025");
    bl_buf body = BL_BUF_INIT(1 << 16);
    cr_assert_eq(bl_render_mail_body(&body, &s, &m, BL_REPORT_SEMESTRIEL, ""), BL_OK);
    cr_expect(strstr(bl_buf_cstr(&body), "- évolution par rapport aux mois de juillet à novembre "
                                         "2025 : non calculable (aucune consultation de juillet "
                                         "à novembre 2025)\n") != NULL,
              "%s", bl_buf_cstr(&body));
    bl_buf_release(&body);
    /* Without the model, a partial total points to the report. */
    s.has_data = s.partial = true;
    bl_buf body2 = BL_BUF_INIT(1 << 16);
    cr_assert_eq(bl_render_mail_body(&body2, &s, NULL, BL_REPORT_SEMESTRIEL, ""), BL_OK);
    cr_expect(
        strstr(bl_buf_cstr(&body2), "(total partiel : données manquantes, voir le rapport)\n"),
        "%s", bl_buf_cstr(&body2));
    bl_buf_release(&body2);
    /* The month just begun: nothing over, nothing compared. */
    m.running_from = m.period.first;
    c = bl_model_compare(&m, first, last, 6);
    cr_expect(c.running && !c.comparable && c.last < c.first);
    cr_expect_str_eq(bl__base_line(out, sizeof out, "2e semestre 2025", &c),
                     "à calculer à la fin de la période");
    cr_expect(bl_model_none_over(&m));
}

/* Which libraries' active users a partner's table hides (« masqué ») beside
 * one under 5: until the total less the figures still printed is 5 or
 * more, since a reader works that out (docs/privacy.md). */
static int hidden_of(int64_t total, const int64_t *users, size_t n, bool *hidden)
{
    bl_model_library libs[8];
    memset(libs, 0, sizeof libs);
    for (size_t i = 0; i < n; i++)
        libs[i].has_users = true, libs[i].users = users[i];
    bl_model m;
    memset(&m, 0, sizeof m);
    m.libs = libs, m.n_libs = n, m.has_users = true, m.users = total;
    int k = 0;
    if (bl__users_hidden(&m, hidden))
        for (size_t i = 0; i < n; i++)
            k += hidden[i];
    return k;
}

Test(render, users_hidden_so_that_none_under_5_is_told)
{
    bool h[8];
    /* 7, 5 and 2 of 14: Bêta's 5 goes with Gamma's 2 (14 - 7 = 7) */
    const int64_t a[] = {7, 5, 2};
    cr_expect_eq(hidden_of(14, a, 3, h), 1);
    cr_expect(h[1] && !h[0] && !h[2]);
    /* the same, Bêta's 5 patrons also Alpha's: the total is 9, and 9 - 7
     * = 2 would be Gamma's (a review's case: hiding until the hidden ones
     * added up to 5 left Alpha printed) */
    cr_expect_eq(hidden_of(9, a, 3, h), 2);
    cr_expect(h[0] && h[1] && !h[2]);
    /* none under 5, or a total under 5 itself: nothing hidden */
    const int64_t b[] = {7, 6};
    cr_expect_eq(hidden_of(12, b, 2, h), 0);
    const int64_t c[] = {3, 1};
    cr_expect_eq(hidden_of(4, c, 2, h), 0);
}
