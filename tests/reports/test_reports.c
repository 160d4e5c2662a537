/* Issue 15 through the real binary on fixtures/libraries/ (see its README
 * for the hand-computed figures): each library of a three-library partner
 * in its mensuel, semestriel and annual reports; the annual report per
 * partner; the network's name (network.csv) and logo in every kind; no
 * word broken in a heading; network.csv's errors; partner names with their
 * article. Text read with Ghostscript's txtwrite (exact characters) and
 * pdftotext -raw (line ends, for broken words). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bilan/render.h"
#include "testutil.h"

#define NN "\xE2\x80\xAF" /* U+202F, thousands */
#define NB "\xC2\xA0"     /* U+00A0, before € and % */
/* "Today": 2026-07-01, when May 2026, the first semester and 2025 are over. */
static const char *const today_env[] = {"SOURCE_DATE_EPOCH=1782864000", NULL};

typedef struct fx {
    char *dir;
    char db[512], out[512], net[512];
} fx;

/* A copy of the fixture network (so that a test may change it), imported
 * with its feeds. */
static fx setup(void)
{
    fx f;
    f.dir = tu_mkdtemp("reports");
    snprintf(f.db, sizeof f.db, "%s/t.db", f.dir);
    snprintf(f.out, sizeof f.out, "%s/out", f.dir);
    snprintf(f.net, sizeof f.net, "%s/network", f.dir);
    tu_run r = tu_sh("cp -r '%s/fixtures/libraries/network' '%s' && "
                     "'%s' --db '%s' network import '%s' >/dev/null && "
                     "'%s' --db '%s' ingest '%s'/fixtures/libraries/feeds/*.csv >/dev/null",
                     tu_srcdir(), f.net, tu_bilan(), f.db, f.net, tu_bilan(), f.db, tu_srcdir());
    cr_assert_eq(r.status, 0, "setup failed: %s", r.err);
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

/* The text with its exact characters, runs of spaces collapsed. */
static char *gs_text(const char *path)
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
    return gs_text(path);
}

#define HAS(t, s) cr_expect(strstr((t), (s)) != NULL, "missing «%s» in:\n%s", (s), (t))

/* A library's row of the table by library: its name, then its figures. */
static void has_row(const char *t, const char *row)
{
    cr_expect(strstr(t, row) != NULL, "missing row «%s» in:\n%s", row, t);
}

Test(reports, libraries_in_mensuel)
{
    fx f = setup();
    char *t = render_text(&f, "mensuel", "2026-05", "ca-trois", "2026-05/ca-trois-mensuel.pdf");
    HAS(t, "Par bibliothèque");
    /* May 2026 against April 2026 (fixtures/libraries/README.md). */
    has_row(t, "Bibliothèque Bêta 70 70 0,0" NB "% 28,1" NB "%");
    has_row(t, "Médiathèque Alpha 163 158 +3,2" NB "% 65,5" NB "%");
    has_row(t, "Point lecture Gamma 16 15 +6,7" NB "% 6,4" NB "%");
    has_row(t, "Total 249 243 +2,5" NB "% 100,0" NB "%");
    /* Library × resource: presse, PNB, total. */
    has_row(t, "Bibliothèque Bêta 20 50 70");
    has_row(t, "Médiathèque Alpha 33 130 163");
    has_row(t, "Point lecture Gamma 4 12 16");
    HAS(t, "Consultations par bibliothèque, mai 2026");
    HAS(t, "par rapport à avril 2026");
    /* No library line beyond the three: the partner has nothing else. */
    cr_expect(!strstr(t, "Non rattaché"), "%s", t);
    free(t);
    /* A partner with one library has no such section. */
    t = render_text(&f, "mensuel", "2026-05", "montclar", "2026-05/montclar-mensuel.pdf");
    cr_expect(!strstr(t, "Par bibliothèque"), "%s", t);
    free(t);
    teardown(&f);
}

Test(reports, libraries_in_semestriel)
{
    fx f = setup();
    char *t =
        render_text(&f, "semestriel", "2026-S1", "ca-trois", "2026-S1/ca-trois-semestriel.pdf");
    has_row(t, "Bibliothèque Bêta 420 360 +16,7" NB "%");
    has_row(t, "Médiathèque Alpha 933 780 +19,6" NB "%");
    has_row(t, "Point lecture Gamma 87 60 +45,0" NB "%");
    has_row(t, "Total 1" NN "440 1" NN "200 +20,0" NB "%");
    has_row(t, "Médiathèque Alpha 198 735 933");
    HAS(t, "par rapport au 2e semestre 2025");
    free(t);
    teardown(&f);
}

Test(reports, annual_per_partner)
{
    fx f = setup();
    char *t = render_text(&f, "annuel", "2025", "ca-trois", "2025/ca-trois-annuel.pdf");
    HAS(t, "BILAN ANNUEL DES RESSOURCES NUMÉRIQUES");
    HAS(t, "Communauté");
    /* 2 400 consultations, 40,0 per 1 000 of 60 000 inhabitants. */
    HAS(t, "2" NN "400");
    HAS(t, "40,0");
    HAS(t, "9" NN "000,00" NB "€");
    /* 18 000 € × 9 000,00 / 10 315,35 = 15 704,75 €, ÷ 2 400 = 6,54 €. */
    HAS(t, "Répartition indicative du coût");
    HAS(t, "15" NN "704,75" NB "€");
    HAS(t, "6,54" NB "€");
    HAS(t, "Ce n'est pas un montant dû");
    /* Twelve months by resource: PNB 150 a month, 1 800 in the year. */
    has_row(t, "Kiosque presse 50 50 50 50 50 50 50 50 50 50 50 50 600");
    /* By library, and the year against 2024 (no data: —). */
    has_row(t, "Médiathèque Alpha 1" NN "560 — — 65,0" NB "%");
    has_row(t, "Bibliothèque Bêta 720 — — 30,0" NB "%");
    has_row(t, "Point lecture Gamma 120 — — 5,0" NB "%");
    HAS(t, "Consultations par bibliothèque et par mois");
    has_row(t, "Médiathèque Alpha 130 130 130 130 130 130 130 130 130 130 130 130 1" NN "560");
    HAS(t, "par rapport à l'année 2024");
    free(t);
    /* Without --partner: the network summary and every partner's. */
    tu_run r = report(&f, "annuel", "2025", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    static const char *const files[] = {"reseau-annuel.pdf", "ca-trois-annuel.pdf",
                                        "lurs-annuel.pdf", "montclar-annuel.pdf"};
    for (size_t i = 0; i < 4; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/2025/%s", f.out, files[i]);
        cr_expect(strstr(r.out, p), "%s not in %s", p, r.out);
    }
    tu_run_free(&r);
    /* --partner stays refused with reseau, which is the network's only. */
    r = report(&f, "reseau", "2025", "lurs");
    cr_expect_eq(r.status, 64, "%s", r.err);
    tu_run_free(&r);
    teardown(&f);
}

/* The network's name in every kind, and its logo drawn on page 1. */
Test(reports, network_identity_in_every_kind)
{
    fx f = setup();
    static const char *const runs[][4] = {
        {"mensuel", "2026-05", "lurs", "2026-05/lurs-mensuel.pdf"},
        {"semestriel", "2026-S1", "lurs", "2026-S1/lurs-semestriel.pdf"},
        {"annuel", "2025", "lurs", "2025/lurs-annuel.pdf"},
        {"annuel", "2025", NULL, "2025/reseau-annuel.pdf"},
        {"reseau", "2026-05", NULL, "2026-05/reseau-reseau.pdf"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *t = render_text(&f, runs[i][0], runs[i][1], runs[i][2], runs[i][3]);
        HAS(t, "Réseau des Trois-Vallées");
        /* Its contact address and website, under its name. */
        HAS(t, "Réseau des Trois-Vallées\nlecture@trois-vallees.example · "
               "https://trois-vallees.example\n");
        cr_expect(!strstr(t, "Réseau départemental"), "%s: %s", runs[i][3], t);
        free(t);
        tu_run r =
            tu_sh("pdfimages -f 1 -l 1 -list '%s/%s' | tail -n +3 | wc -l", f.out, runs[i][3]);
        cr_expect_eq(atoi(r.out), 1, "%s: one image (the logo) on page 1: %s", runs[i][3], r.out);
        tu_run_free(&r);
    }
    /* The network reports' footers name the network. */
    tu_run r = tu_sh("pdftotext '%s/2026-05/reseau-reseau.pdf' - | grep -c 'Revue du réseau · "
                     "Réseau des Trois-Vallées'",
                     f.out);
    cr_expect(atoi(r.out) >= 1, "%s", r.out);
    tu_run_free(&r);
    /* Without network.csv, the generic name, no logo. */
    r = tu_sh("rm '%s/network.csv' && '%s' --db '%s' network import '%s' >/dev/null", f.net,
              tu_bilan(), f.db, f.net);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *t = render_text(&f, "reseau", "2026-05", NULL, "2026-05/reseau-reseau.pdf");
    HAS(t, "Réseau départemental");
    cr_expect(!strstr(t, "Trois-Vallées") && !strstr(t, "lecture@"), "%s", t);
    free(t);
    /* A website alone (no address) is shown alone. */
    r = tu_sh("printf 'name,website\\nRéseau W,https://w.example\\n' > '%s/network.csv' && "
              "'%s' --db '%s' network import '%s' >/dev/null",
              f.net, tu_bilan(), f.db, f.net);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    t = render_text(&f, "mensuel", "2026-05", "lurs", "2026-05/lurs-mensuel.pdf");
    HAS(t, "Réseau W\nhttps://w.example\n");
    cr_expect(!strstr(t, " · https"), "%s", t);
    free(t);
    teardown(&f);
}

/* The mail to a partner ends with the network's contact line under its
 * signature, in the text part and in the HTML part (the message decoded
 * by Python's email package from bilan's --dry-run preview). */
Test(reports, network_contact_under_the_mail_signature)
{
    fx f = setup();
    tu_run r = report(&f, "mensuel", "2026-05", "lurs");
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char outbox[600];
    snprintf(outbox, sizeof outbox, "%s/outbox", f.dir);
    const char *argv[] = {tu_bilan(),  "--db",    f.db,
                          "mail",      "2026-05", "--reports",
                          f.out,       "--from",  "Service lecture <sl@cd.example>",
                          "--partner", "lurs",    "--dry-run",
                          "--outbox",  outbox,    NULL};
    r = tu_runv(argv, today_env);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sh(
        "/usr/bin/python3 -c \"\n"
        "import email, email.policy, sys\n"
        "m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n"
        "print(m.get_body(('plain',)).get_content())\n"
        "print(m.get_body(('html',)).get_content())\n"
        "\" '%s/2026-05/lurs-mensuel.eml'",
        outbox);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "Bien cordialement,\nService lecture\nRéseau des Trois-Vallées\n"
               "lecture@trois-vallees.example · https://trois-vallees.example\n");
    /* In HTML the signature's lines keep their breaks. */
    HAS(r.out, "Bien cordialement,<br>\nService lecture<br>\nRéseau des Trois-Vallées<br>\n"
               "lecture@trois-vallees.example · https://trois-vallees.example</p>");
    tu_run_free(&r);
    teardown(&f);
}

/* Every word of a PDF that ends with a hyphen (a line broken after it) is
 * in the text it comes from: a word is never cut with a hyphen of Pango's
 * (« Consultatio-ns »). Read with Ghostscript: pdftotext joins the pieces
 * of a hyphenated word. */
static void no_invented_hyphen(const char *pdf, const char *sources)
{
    char *t = gs_text(pdf);
    for (char *w = strtok(t, " \n"); w; w = strtok(NULL, " \n")) {
        size_t n = strlen(w);
        /* Pango's own hyphen is U+2010, which no source text holds. */
        cr_expect(!strstr(w, "\xE2\x80\x90"), "%s: « %s » is a word cut by Pango", pdf, w);
        if (n < 2 || w[n - 1] != '-' || w[n - 2] == '-')
            continue;
        /* The piece as the source writes it, from its first letter. */
        const char *s = w;
        while (*s && (*s == '(' || *s == '\'' || *s == '"'))
            s++;
        cr_expect(strstr(sources, s) != NULL,
                  "%s: « %s » is cut by a hyphen that is not in the source text", pdf, s);
    }
    free(t);
}

Test(reports, no_word_broken_in_headings)
{
    fx f = setup();
    tu_run r = tu_sh("cat '%s'/fixtures/libraries/network/*.csv '%s/render/wording.h' "
                     "'%s/render/wording.c'",
                     tu_srcdir(), tu_srcdir(), tu_srcdir());
    char *sources = r.out;
    free(r.err);
    static const char *const runs[][4] = {
        {"mensuel", "2026-05", "ca-trois", "2026-05/ca-trois-mensuel.pdf"},
        {"semestriel", "2026-S1", "ca-trois", "2026-S1/ca-trois-semestriel.pdf"},
        {"annuel", "2025", NULL, "2025/ca-trois-annuel.pdf"},
        {"reseau", "2026-05", NULL, "2026-05/reseau-reseau.pdf"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        tu_run x = report(&f, runs[i][0], runs[i][1], runs[i][2]);
        cr_assert_eq(x.status, 0, "%s", x.err);
        tu_run_free(&x);
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", f.out, runs[i][3]);
        no_invented_hyphen(p, sources);
        if (i == 2) {
            snprintf(p, sizeof p, "%s/2025/reseau-annuel.pdf", f.out);
            no_invented_hyphen(p, sources);
        }
    }
    free(sources);
    teardown(&f);
}

/* The whole euros written just before `euro` ("99 600 €", groups of three
 * after one space); -1 for an amount with cents ("6,90 €") or none. */
static long long euros_before(const char *line, const char *euro)
{
    const char *p = euro;
    while (p > line && p[-1] == ' ')
        p--;
    const char *end = p;
    while (p > line && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == ',' ||
                        (p[-1] == ' ' && p - 1 > line && p[-2] >= '0' && p[-2] <= '9')))
        p--;
    long long v = 0;
    bool any = false;
    for (; p < end; p++) {
        if (*p == ',')
            return -1;
        if (*p >= '0' && *p <= '9')
            v = v * 10 + (*p - '0'), any = true;
    }
    return any ? v : -1;
}

/* In the annual review's table by resource, the annual costs of the rows
 * add up to the Total row's. */
static void costs_add_up(const char *pdf)
{
    tu_run r = tu_sh("pdftotext -layout '%s' -", pdf);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *from = strstr(r.out, "Par ressource\n");
    const char *to = from ? strstr(from, "Par type de ressource") : NULL;
    cr_assert(from && to, "%s", r.out);
    long long sum = 0, total = -1;
    int rows = 0;
    for (const char *l = from; l < to;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), l);
        long long cost = -1;
        for (const char *e = strstr(line, "€"); e && cost < 0; e = strstr(e + 1, "€"))
            cost = euros_before(line, e);
        if (cost >= 0 && strncmp(line, "Total", 5) == 0)
            total = cost;
        else if (cost >= 0)
            sum += cost, rows++;
        l += len + (nl ? 1 : 0);
    }
    cr_assert_gt(rows, 0, "%.*s", (int)(to - from), from);
    cr_expect_eq(sum, total,
                 "the rows' annual costs add up to %lld €, the total says %lld €:\n%.*s", sum,
                 total, (int)(to - from), from);
    tu_run_free(&r);
}

/* Reports of a period the store has no data for are written (« — »
 * throughout) but not silently (until 3 December 2026 nothing was said);
 * a period with data says nothing. */
Test(reports, period_without_data_is_said)
{
    fx f = setup();
    tu_run r = report(&f, "mensuel", "2020-01", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.err, "warning: no usage data for 2020-01 in the store");
    tu_run_free(&r);
    r = report(&f, "mensuel", "2026-05", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect_null(strstr(r.err, "no usage data"), "%s", r.err);
    tu_run_free(&r);
    teardown(&f);
}

/* The demo network (fixtures/demo): its seven-resource heat table used to
 * cut « Autoformation » and « numériques » inside the word. */
Test(reports, demo_headings_not_cut, .timeout = 120)
{
    char *dir = tu_mkdtemp("demo15");
    const char *a[] = {tu_bilan(), "demo", "--out", dir, NULL};
    tu_run r = tu_runv(a, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sh("cat '%s'/fixtures/demo/network/*.csv '%s/render/wording.h' '%s/render/wording.c'",
              tu_srcdir(), tu_srcdir(), tu_srcdir());
    char *sources = r.out;
    free(r.err);
    static const char *const pdfs[] = {
        "2026-10/reseau-reseau.pdf", "2025/reseau-annuel.pdf", "2026-10/ca-durance-mensuel.pdf",
        "2026-S1/ca-durance-semestriel.pdf", "2025/ca-durance-annuel.pdf"};
    for (size_t i = 0; i < sizeof pdfs / sizeof pdfs[0]; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, pdfs[i]);
        no_invented_hyphen(p, sources);
        char *t = gs_text(p);
        HAS(t, "Réseau des médiathèques des Hautes-Collines");
        /* Nothing cut short: a long heading or chart label is set smaller or
         * on two lines (until 3 December 2026 « Soutien scolaire en ligne
         * (sessi… » and « Autoformation (langues, code de la ro… »). */
        cr_expect_null(strstr(t, "…"), "%s: a text cut short:\n%s", pdfs[i], t);
        free(t);
    }
    /* The three libraries of Durance-Provence in its monthly report. */
    char p[1200];
    snprintf(p, sizeof p, "%s/2026-10/ca-durance-mensuel.pdf", dir);
    char *t = gs_text(p);
    HAS(t, "Médiathèque Jean-Giono");
    HAS(t, "Médiathèque de Villeneuve-la-Rivière");
    HAS(t, "Bibliothèque de Pierrelongue");
    free(t);
    /* A total is never alone on a page: in the annual report the table by
     * library breaks after two rows, and its last row goes with the total
     * under « (suite) ». */
    r = tu_sh("pdftotext -raw '%s/2025/ca-durance-annuel.pdf' -", dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *cont = strstr(r.out, "Consultations par bibliothèque (suite)");
    cr_assert(cont, "the table by library no longer breaks: adjust this test\n%s", r.out);
    const char *total = strstr(cont, "\nTotal ");
    const char *row = strstr(cont, "Médiathèque de Villeneuve-la-Rivière");
    cr_expect(total && row && row < total, "a total alone under « (suite) »:\n%.400s", cont);
    tu_run_free(&r);
    /* Three of the demo's resources have no data in 2025 but are paid for:
     * they have their row, and the costs add up (until 3 December 2026 the
     * total, 99 600 €, counted them and the rows, 84 300 €, did not). */
    snprintf(p, sizeof p, "%s/2025/reseau-annuel.pdf", dir);
    costs_add_up(p);
    t = gs_text(p);
    HAS(t, "Jeux vidéo en ligne");
    free(t);
    /* The demo has no data in 2024: both annual reports say so alike, and
     * the note on 2025's partial total names 2025's missing months only
     * (until 3 December 2026: « janvier 2024 à avril 2025 » in one, « données
     * incomplètes » in the other). */
    /* The semester's chart marks a month without data « ? »: the notes say
     * what it means (until 3 December 2026 nothing did). */
    r = tu_sh("pdftotext '%s/2026-S1/ca-durance-semestriel.pdf' - | tr '\\n' ' '", dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "« ? » sur un graphique");
    tu_run_free(&r);
    /* The département itself has no population of its own: 0 takes the
     * singular in French (until 3 December 2026 « 0 habitants »). */
    r = tu_sh("pdftotext '%s/2026-10/departement-mensuel.pdf' - | tr '\\n' ' '", dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "0 habitant (population 2023)");
    HAS(r.out, "0 habitant ×");
    cr_expect_null(strstr(r.out, " 0 habitants ("), "%s", r.out);
    cr_expect_null(strstr(r.out, " 0 habitants ×"), "%s", r.out);
    tu_run_free(&r);
    static const char *const annual[] = {"reseau-annuel.pdf", "ca-durance-annuel.pdf"};
    for (size_t i = 0; i < 2; i++) {
        r = tu_sh("pdftotext '%s/2025/%s' - | tr '\\n' ' '", dir, annual[i]);
        cr_assert_eq(r.status, 0, "%s", r.err);
        HAS(r.out, "année 2024 : pas de données");
        HAS(r.out, "(janvier à avril 2025)");
        cr_expect_null(strstr(r.out, "janvier 2024"), "%s: %s", annual[i], r.out);
        tu_run_free(&r);
    }
    /* A partner's cost per consultation is the same in its own report and
     * in the network's: its share of the cost of the months the network
     * has data (Lurs gets no Autoformation, which has data in 2026: until 4
     * December 2026 its report left that cost out, 1,38 € against 1,49 €). */
    r = tu_sh("SOURCE_DATE_EPOCH=1800000000 '%s' --db '%s/bilan-demo.db' report annuel 2026 "
              "--out '%s/y' >/dev/null && pdftotext -raw '%s/y/2026/lurs-annuel.pdf' - | "
              "tr '\n' ' ' && echo && pdftotext -raw '%s/y/2026/reseau-annuel.pdf' - | tr '\n' ' '",
              tu_bilan(), dir, dir, dir, dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "consultations, sur l'année Coût par consultation 1,49 €");
    HAS(r.out, "Commune de Lurs-la-Vieille 2 317 347,55 € 563 † 243,0 1 027 € 1,49 €");
    tu_run_free(&r);
    /* Another library's November of Autoformation changes Lurs's cost per
     * consultation (1,50 €), and its PDF's fingerprint with it (until 4
     * December 2026 two different PDFs carried one fingerprint). */
    r = tu_sh(
        "cd '%s' && pdfinfo y/2026/lurs-annuel.pdf | grep Keywords > fp1 && printf '"
        "Report_Name,Database Search and Item Usage\nReport_ID,DR_D1\nRelease,5\n"
        "Institution_Name,Médiathèque Jean-Giono (Durance-Provence)\n"
        "Institution_ID,Proprietary:savoirplus:DP-GIONO\nMetric_Types,Total_Item_Requests\n"
        "Report_Filters,Access_Method=Regular\nReport_Attributes,\nExceptions,\n"
        "Reporting_Period,Begin_Date=2026-11-01; End_Date=2026-11-30\n"
        "Created,2026-12-02T07:30:00Z\nCreated_By,SavoirPlus\n\n"
        "Database,Publisher,Publisher_ID,Platform,Proprietary_ID,Metric_Type,"
        "Reporting_Period_Total,Nov-2026\nLangues et code de la route,SavoirPlus,,"
        "SavoirPlus,,Total_Item_Requests,10,10\n' > nov.csv && "
        "'%s' --db bilan-demo.db ingest nov.csv >/dev/null 2>&1 && SOURCE_DATE_EPOCH=1800000000 "
        "'%s' --db bilan-demo.db report annuel 2026 --partner lurs --out z >/dev/null && "
        "pdfinfo z/2026/lurs-annuel.pdf | grep Keywords > fp2 && "
        "pdftotext -raw z/2026/lurs-annuel.pdf - | tr '\\n' ' ' && cmp -s fp1 fp2 && "
        "echo SAME || echo DIFFERENT",
        dir, tu_bilan(), tu_bilan());
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "Coût par consultation 1,50 €");
    HAS(r.out, "DIFFERENT");
    tu_run_free(&r);
    free(sources);
    tu_rmtree(dir);
    free(dir);
}

/* network.csv's errors name file, line, column and reason; the store is
 * left as it was. */
static void import_fails(fx *f, const char *csv, const char *expect)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/network.csv", f->net);
    cr_assert(tu_write_file(path, csv, strlen(csv)));
    tu_run r = tu_sh("'%s' --db '%s' network import '%s'", tu_bilan(), f->db, f->net);
    cr_expect_eq(r.status, 65, "%s", r.err);
    cr_expect(strstr(r.err, expect), "expected «%s» in: %s", expect, r.err);
    tu_run_free(&r);
}

Test(reports, network_csv_errors)
{
    fx f = setup();
    import_fails(&f, "name,short_name,logo\n,x,\n",
                 "network.csv:2:1: name: empty cell: the column is required");
    import_fails(&f, "name,short_name,logo\nR,x,../logo.png\n",
                 "network.csv:2:3: logo: '../logo.png' is not a PNG file's path");
    import_fails(&f, "name,short_name,logo\nR,x,partners.csv.png\n",
                 "network.csv:2:3: logo: cannot read 'partners.csv.png'");
    tu_run c = tu_sh("cp '%s/partners.csv' '%s/fake.png'", f.net, f.net);
    tu_run_free(&c);
    import_fails(&f, "name,short_name,logo\nR,x,fake.png\n",
                 "network.csv:2:3: logo: 'fake.png' is not a PNG image");
    import_fails(&f, "name,website\nR,ftp://x\n", "network.csv:2:2: website: 'ftp://x'");
    import_fails(&f, "name,contact_email\nR,nobody\n",
                 "network.csv:2:2: contact_email: 'nobody' is not an email address");
    char big[700];
    snprintf(big, sizeof big, "name,contact_email\nR,%0250d@x.example\n", 0);
    import_fails(&f, big, "network.csv:2:2: contact_email: '");
    import_fails(&f, big, "' is longer than 254 bytes");
    snprintf(big, sizeof big, "name,website\nR,https://x.example/%0290d\n", 0);
    import_fails(&f, big, "' is longer than 300 bytes");
    import_fails(&f, "name\nR\nS\n", "network.csv:3: one row only");
    import_fails(&f, "name\n", "network.csv:2: one row expected");
    import_fails(&f, "short_name\nR\n", "network.csv:1: missing column 'name'");
    /* Nothing changed: the reports still carry the imported name. */
    char *t = render_text(&f, "reseau", "2026-05", NULL, "2026-05/reseau-reseau.pdf");
    HAS(t, "Réseau des Trois-Vallées");
    free(t);
    /* partners.csv's article is checked too. */
    tu_run r = tu_sh("cp -r '%s' '%s/net2' && cd '%s/net2' && rm network.csv && "
                     "sed -i 's/,-$/,du/' partners.csv && '%s' --db '%s' network import .",
                     f.net, f.dir, f.dir, tu_bilan(), f.db);
    cr_expect_eq(r.status, 65, "%s", r.err);
    cr_expect(strstr(r.err, "partners.csv:4:8: article: 'du' is not an article"), "%s", r.err);
    tu_run_free(&r);
    teardown(&f);
}

Test(reports, partner_names_take_their_article)
{
    char b[256];
    cr_expect_str_eq(
        bl_render_partner_of(b, sizeof b, "Commune de Montclar-sur-Asse", "commune", NULL),
        "de la Commune de Montclar-sur-Asse");
    cr_expect_str_eq(
        bl_render_partner_of(b, sizeof b, "Communauté d'agglomération Durance-Provence", "ca", ""),
        "de la Communauté d'agglomération Durance-Provence");
    cr_expect_str_eq(
        bl_render_partner_of(b, sizeof b, "Département des Hautes-Collines", "departement", NULL),
        "du Département des Hautes-Collines");
    cr_expect_str_eq(bl_render_partner_of(b, sizeof b, "Communes du Haut-Verdon", "other", NULL),
                     "des Communes du Haut-Verdon");
    cr_expect_str_eq(
        bl_render_partner_of(b, sizeof b, "Alpes-de-Haute-Provence", "departement", "les"),
        "des Alpes-de-Haute-Provence");
    cr_expect_str_eq(bl_render_partner_of(b, sizeof b, "Lurs-la-Vieille", "commune", "-"),
                     "de Lurs-la-Vieille");
    cr_expect_str_eq(bl_render_partner_of(b, sizeof b, "Apt", "commune", NULL), "d'Apt");
    cr_expect_str_eq(bl_render_partner_of(b, sizeof b, "Eurométropole de Metz", "other", "l'"),
                     "de l'Eurométropole de Metz");
    cr_expect_str_eq(bl_render_network_name(NULL), "Réseau départemental");
    cr_expect_str_eq(bl_render_network_name("Réseau X"), "Réseau X");
}

/* What the partner counts beyond its libraries (its share of a provider's
 * network-level total, docs/profiles.md) is its own line, never dropped:
 * 100 views in May 2026 shared by population (60 000, 6 452, 2 317 of
 * 68 769) give ca-trois 87 (largest remainder: 87, 10, 3). */
Test(reports, usage_no_library_took_is_its_own_line)
{
    fx f = setup();
    tu_run r =
        tu_sh("cd '%s' && mkdir profiles && "
              "printf 'vod,Cinéma à la demande,CinéLib,video,\"0,00\",,,,Total_Item_Requests\\n' "
              ">> resources.csv && "
              "printf '[profile]\\nresource = vod\\nmatch = Mois; Visionnages\\nmonth = Mois\\n"
              "allocate = population\\n\\n[metrics]\\nVisionnages = Total_Item_Requests\\n' "
              "> profiles/vod.ini && printf 'Mois,Visionnages\\n2026-05,100\\n' > ../vod.csv && "
              "'%s' --db '%s' network import . >/dev/null && '%s' --db '%s' ingest ../vod.csv",
              f.net, tu_bilan(), f.db, tu_bilan(), f.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *t = render_text(&f, "mensuel", "2026-05", "ca-trois", "2026-05/ca-trois-mensuel.pdf");
    /* The libraries keep their figures; the lines add up to the total. */
    has_row(t, "Médiathèque Alpha 163 158");
    has_row(t, "Non rattaché à une bibliothèque ‡ 87");
    has_row(t, "Total 336 243");
    HAS(t, "dans celui d'aucune bibliothèque");
    free(t);
    teardown(&f);
}

/* Active users per library where logs give them: 7 and 5 distinct users
 * are printed, 2 are « moins de 5 » (BL_USERS_SHOWN_MIN, docs/privacy.md). */
Test(reports, active_users_per_library)
{
    fx f = setup();
    tu_run r = tu_sh("cd '%s' && sed -i -e 's|^alpha,\\(.*\\),$|alpha,\\1,192.0.2.0/26|' "
                     "-e 's|^beta,\\(.*\\),$|beta,\\1,192.0.2.64/27|' "
                     "-e 's|^gamma,\\(.*\\),$|gamma,\\1,192.0.2.96/28|' "
                     "-e 's|^lurs,\\(.*\\),$|lurs,\\1,198.51.100.0/28|' libraries.csv && "
                     "sed -i 's|,PNB,,,|,PNB,/livres/(?<item>[0-9]+),,|' resources.csv && "
                     "'%s' --db '%s' network import . >/dev/null",
                     f.net, tu_bilan(), f.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    /* A fixed pseudonym key (docs/privacy.md: STORE.key, owner-only):
     * distinct users are HyperLogLog estimates, and with a random key two of
     * these 14 patrons share a register for about 2 % of keys; with this one
     * none do, so the figures are exact and the same on every run. */
    r = tu_sh("umask 077 && rm -f '%s.key' && printf 'pseudonym "
              "000102030405060708090a0b0c0d0e0f\n' > '%s.key'",
              f.db, f.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char log[1024];
    snprintf(log, sizeof log, "%s/access.log", f.dir);
    FILE *fp = fopen(log, "w");
    cr_assert(fp);
    static const struct {
        int base, n;
    } libs[] = {{1, 7}, {65, 5}, {97, 2}}; /* alpha, beta, gamma */
    for (int l = 0; l < 3; l++)
        for (int u = 0; u < libs[l].n; u++)
            fprintf(fp,
                    "192.0.2.%d - - [12/May/2026:10:%02d:00 +0200] \"GET /livres/%d HTTP/1.1\" "
                    "200 512 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0\"\n",
                    libs[l].base + u, u, 100 + u);
    fclose(fp);
    r = tu_sh("'%s' --db '%s' ingest --format combined '%s'", tu_bilan(), f.db, log);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    char *t = render_text(&f, "mensuel", "2026-05", "ca-trois", "2026-05/ca-trois-mensuel.pdf");
    HAS(t, "Utilisateurs actifs");
    /* Gamma's 2 is not printed, and Bêta's 5 is hidden beside it: with
     * the total and Alpha's 7 printed, Gamma's figure would be 14 - 5 - 7
     * (until the night of 3 December 2026 Bêta's 5 was printed; found by an audit). */
    has_row(t, "Bibliothèque Bêta 70 70 0,0" NB "% masqué 28,1" NB "%");
    has_row(t, "Médiathèque Alpha 163 158 +3,2" NB "% 7 65,5" NB "%");
    has_row(t, "Point lecture Gamma 16 15 +6,7" NB "% moins de 5 6,4" NB "%");
    has_row(t, "Total 249 243 +2,5" NB "% 14 100,0" NB "%");
    HAS(t, "« masqué » : utilisateurs actifs non publiés pour cette bibliothèque");
    free(t);
    /* June: 6 of Alpha's patrons again, 3 of Lurs. The workbook beside
     * Lurs's PDF, attached to its mail, says « moins de 5 » as the PDF does
     * (until the night of 3 December 2026 it printed 3; found by an audit). */
    snprintf(log, sizeof log, "%s/june.log", f.dir);
    fp = fopen(log, "w");
    cr_assert(fp);
    for (int u = 0; u < 9; u++)
        fprintf(fp,
                "%s.%d - - [12/Jun/2026:10:%02d:00 +0200] \"GET /livres/%d HTTP/1.1\" "
                "200 512 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0\"\n",
                u < 6 ? "192.0.2" : "198.51.100", u < 6 ? 1 + u : u - 5, u, 100 + u);
    fclose(fp);
    r = tu_sh("'%s' --db '%s' ingest --format combined '%s' && SOURCE_DATE_EPOCH=1782864000 '%s' "
              "--db '%s' report mensuel 2026-06 --partner lurs --xlsx --out '%s' >/dev/null && "
              "/usr/bin/python3 -c \"\n"
              "import openpyxl, sys\n"
              "wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n"
              "for r in wb['Chiffres clés'].iter_rows(values_only=True):\n"
              "    print('%%s|%%r' %% (r[0], r[1]))\n"
              "\" '%s/2026-06/lurs-mensuel.xlsx'",
              tu_bilan(), f.db, log, tu_bilan(), f.db, f.out, f.out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "Utilisateurs actifs (estimation)|'moins de 5'\n");
    tu_run_free(&r);
    /* The year's network figure (17) less Trois-Rivières's printed one
     * (14) would tell Lurs's 3: it is « masqué », with why (until 4
     * December 2026 printed; found by a review). */
    r = tu_sh("SOURCE_DATE_EPOCH=1800000000 '%s' --db '%s' report annuel 2026 --out '%s/y' "
              ">/dev/null && pdftotext '%s/y/2026/reseau-annuel.pdf' - | tr '\\n' ' ' && echo && "
              "pdftotext '%s/y/2026/ca-trois-annuel.pdf' - | tr '\\n' ' '",
              tu_bilan(), f.db, f.dir, f.dir, f.dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "non publié : moins les chiffres des partenaires, il donnerait celui d'un "
               "partenaire de moins de 5  10 315,35 €  18 000,00 €  masqué ");
    HAS(r.out, "15 704,75 €  14  Consultations par ressource"); /* Trois-Rivières's */
    tu_run_free(&r);
    teardown(&f);
}

/* The workbook beside the PDF (--xlsx) has the PDF's section by library as
 * its own sheet, numbers as numbers: each library's total and its
 * resources' figures equal the PDF's (read with openpyxl, not bilan). */
Test(reports, libraries_sheet_in_the_workbook)
{
    fx f = setup();
    const char *argv[] = {tu_bilan(), "--db", f.db,        "report",   "mensuel", "2026-05",
                          "--out",    f.out,  "--partner", "ca-trois", "--xlsx",  NULL};
    tu_run r = tu_runv(argv, today_env);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sh("/usr/bin/python3 -c \"\n"
              "import openpyxl, sys\n"
              "wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n"
              "ws = wb['Par bibliothèque']\n"
              "rows = [list(r) for r in ws.iter_rows(values_only=True)]\n"
              "col = rows[0].index('Total mai 2026')\n"
              "for r in rows[1:]:\n"
              "    print('%%s|%%s|%%r' %% (r[0], r[1] or '', r[col]))\n"
              "\" '%s/2026-05/ca-trois-mensuel.xlsx'",
              f.out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* fixtures/libraries/README.md: May 2026, presse and PNB per library. */
    HAS(r.out, "Total Médiathèque Alpha||163\n");
    HAS(r.out, "Total Bibliothèque Bêta||70\n");
    HAS(r.out, "Total Point lecture Gamma||16\n");
    HAS(r.out, "Médiathèque Alpha|Kiosque presse|33\n");
    HAS(r.out, "Médiathèque Alpha|Livres numériques (PNB)|130\n");
    cr_expect(!strstr(r.out, "Non rattaché"), "%s", r.out);
    tu_run_free(&r);
    teardown(&f);
}

/* Reports are drawn in worker processes (cli/cmd_report.c): a worker that
 * dies (here made to abort by a preloaded library when it sets the title of
 * Lurs-la-Vieille's PDF, as Cairo 1.16's scaled-font race did in CI) loses
 * that report alone. It is named, with the signal; no file and no temporary
 * file of it is left; every other report is written; the exit status is 70.
 * With --jobs 1 the reports the dead worker had not taken yet are drawn by
 * bilan itself. Run again without the crash, the report is written. */
Test(reports, a_dead_worker_loses_only_its_report, .timeout = 120)
{
    fx f = setup();
    char preload[1024], asan[2048];
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", CRASH_ON_LIB);
    /* Under ASan, a preloaded library comes before its runtime. */
    const char *ao = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", ao ? ao : "",
             ao && *ao ? ":" : "");
    static const char *const jobs[] = {"2", "1"};
    static const char *const others[] = {"reseau-annuel.pdf", "ca-trois-annuel.pdf",
                                         "montclar-annuel.pdf"};
    for (size_t k = 0; k < 2; k++) {
        const char *env[] = {today_env[0], preload, asan, "BILAN_TEST_CRASH_ON=Lurs", NULL};
        const char *argv[] = {tu_bilan(), "--db", f.db,     "report", "annuel", "2025",
                              "--out",    f.out,  "--jobs", jobs[k],  NULL};
        tu_run r = tu_runv(argv, env);
        cr_expect_eq(r.status, 70, "--jobs %s: status %d: %s", jobs[k], r.status, r.err);
        char p[1024];
        snprintf(p, sizeof p, "'%s/2025/lurs-annuel.pdf': the drawing process stopped (signal 6, ",
                 f.out);
        cr_expect(strstr(r.err, p), "--jobs %s: not in stderr: %s\n%s", jobs[k], p, r.err);
        cr_expect(!strstr(r.out, "lurs-annuel.pdf"), "--jobs %s: %s", jobs[k], r.out);
        for (size_t i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s/2025/%s", f.out, others[i]);
            cr_expect(strstr(r.out, p), "--jobs %s: %s not in %s", jobs[k], p, r.out);
            char *t = tu_pdftotext(p);
            cr_expect(t && strstr(t, "2025"), "--jobs %s: %s unreadable", jobs[k], p);
            free(t);
        }
        tu_run_free(&r);
        r = tu_sh("ls -A '%s/2025'", f.out);
        cr_expect(!strstr(r.out, "lurs") && !strstr(r.out, ".tmp"), "--jobs %s: left behind: %s",
                  jobs[k], r.out);
        cr_expect(strstr(r.out, "montclar-annuel.pdf"), "%s", r.out);
        tu_run_free(&r);
        r = tu_sh("rm -rf '%s/2025'", f.out);
        tu_run_free(&r);
    }
    /* The same command without the crash: the report is there. */
    tu_run r = report(&f, "annuel", "2025", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    char p[1024];
    snprintf(p, sizeof p, "%s/2025/lurs-annuel.pdf", f.out);
    char *t = tu_pdftotext(p);
    cr_expect(t && strstr(t, "Lurs-la-Vieille"), "%s", t ? t : "(no file)");
    free(t);
    tu_run_free(&r);
    teardown(&f);
}

/* The † note under a table lists every resource with missing months, each
 * run of consecutive months as a span, resources missing the same months in
 * one item; nothing is left out however long the note (it was built in a
 * 2 KiB buffer that silently dropped the last resources). 20 resources with
 * 80-character names, each missing two months of 2025 of its own: no report
 * covers them (a report per run of months it has; an empty cell inside a
 * report's period is a month of 0, docs/trust.md). */
Test(reports, partial_note_lists_every_resource)
{
    fx f = setup();
    tu_run r = tu_sh(
        "cd '%s' && /usr/bin/python3 - <<'PY'\n"
        "import os\n"
        "M = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec']\n"
        "os.makedirs('feeds20', exist_ok=True)\n"
        "res = open('network/resources.csv', 'a')\n"
        "for k in range(20):\n"
        "    name = 'Ressource %%02d au nom très long pour remplir la note des totaux partiels' "
        "%% k\n"
        "    res.write('r%%02d,%%s,Éditeur,ebook,\"100,00\",Plat%%02d,,,Total_Item_Requests\\n' "
        "%% (k, name, k))\n"
        "    gone = {k %% 12, (k // 12 + k + 1) %% 12}\n"
        "    runs, cur = [], []\n"
        "    for i in range(12):\n"
        "        if i in gone:\n"
        "            if cur: runs.append(cur)\n"
        "            cur = []\n"
        "        else:\n"
        "            cur.append(i)\n"
        "    if cur: runs.append(cur)\n"
        "    for n, run in enumerate(runs):\n"
        "      with open('feeds20/r%%02d-%%d.csv' %% (k, n), 'w') as f:\n"
        "        f.write('Report_Name,Platform Master Report\\nReport_ID,PR\\nRelease,5\\n'\n"
        "                'Institution_Name,Réseau\\nInstitution_ID,Proprietary:tv:RESEAU\\n'\n"
        "                'Metric_Types,Total_Item_Requests\\nReport_Filters,\\n'\n"
        "                'Report_Attributes,\\nExceptions,\\n'\n"
        "                'Reporting_Period,Begin_Date=2025-%%02d-01; End_Date=2025-%%02d-28\\n'\n"
        "                'Created,2026-01-03T12:00:00Z\\nCreated_By,Plat%%02d\\n\\n' %% "
        "(run[0] + 1, run[-1] + 1, k))\n"
        "        f.write('Institution_Name,Institution_ID,Platform,Data_Type,Access_Method,'\n"
        "                'Metric_Type,Reporting_Period_Total,' + ','.join(M[i] + '-2025' for i "
        "in run) + '\\n')\n"
        "        f.write('Médiathèque Alpha,ALPHA,Plat%%02d,Book,Regular,Total_Item_Requests,%%d,' "
        "%% (k, 3 * len(run)) + ','.join('3' for i in run) + '\\n')\n"
        "res.close()\n"
        "PY\n"
        "'%s' --db '%s' network import network >/dev/null && "
        "'%s' --db '%s' ingest feeds20/*.csv >/dev/null",
        f.dir, tu_bilan(), f.db, tu_bilan(), f.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = report(&f, "annuel", "2025", "ca-trois");
    cr_assert_eq(r.status, 0, "%s", r.err);
    tu_run_free(&r);
    r = tu_sh("pdftotext '%s/2025/ca-trois-annuel.pdf' - | tr '\\n' ' '", f.out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *note = strstr(r.out, "total partiel : données manquantes pour");
    cr_assert(note, "no partial note in: %s", r.out);
    /* The note alone: it ends with the first ")." (the tables after it name
     * the resources too). */
    char *end = strstr(note, ").");
    cr_assert(end, "the note does not end: %s", note);
    end[2] = '\0';
    for (int k = 0; k < 20; k++) {
        char name[128];
        snprintf(name, sizeof name, "Ressource %02d au nom très long", k);
        cr_expect(strstr(note, name), "%s is not in the note: %s", name, note);
    }
    /* Resource 0 misses January and February 2025: one span; resource 12
     * January and March: two months. */
    HAS(note, "Ressource 00 au nom très long pour remplir la note des totaux partiels "
              "(janvier à février 2025) ;");
    HAS(note, "Ressource 12 au nom très long pour remplir la note des totaux partiels "
              "(janvier 2025, mars 2025) ;");
    HAS(note, "Ressource 19 au nom très long pour remplir la note des totaux partiels "
              "(août 2025, octobre 2025).");
    tu_run_free(&r);
    teardown(&f);
}
