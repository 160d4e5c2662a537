/* Network reference data (DESIGN §3): partners, libraries, resources and
 * forfaits from the spreadsheets users keep, validated cell by cell with
 * file:line:column errors, stored in one transaction. */
#include "store_internal.h"
#include "csv_table.h"
#include "attrib.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef struct ctx {
    bl_store *st;
    const bl_csv_table *t;
    const char *file; /* base name for messages */
} ctx;

/* A cell error: "partners.csv:4:3: population: '14x' is not a whole number". */
static bl_status cell_fail(ctx *c, const bl_csv_row *r, int col, const char *what, const char *fmt,
                           const char *val)
{
    char reason[512];
    snprintf(reason, sizeof reason, fmt, val);
    return bl__store_fail(c->st, BL_DATA, "%s:%lu:%d: %s: %s", c->t->path, r->line, col + 1, what,
                          reason);
}

/* Ids of partners, libraries, resources and forfaits, and every reference
 * to one, follow bl_id_valid(): an id names report files and folders, so it
 * can never name a path that leaves them (docs/network.md). */
static bl_status check_id(ctx *c, const bl_csv_row *r, int col, const char *what, const char *id)
{
    if (!*id)
        return cell_fail(c, r, col, what, "%sempty identifier", "");
    if (!bl_id_valid(id))
        return cell_fail(c, r, col, what,
                         "'%s' is not an identifier: lower-case letters a-z, digits, '.', '_' "
                         "and '-', starting with a letter or a digit, at most 64 characters",
                         id);
    return BL_OK;
}

/* A row narrower than its header reads its missing trailing cells as empty:
 * fine for optional columns, an error when a required column has no cell
 * (a lost delimiter may have merged two cells). cols ends with -1. */
static bl_status need_cells(ctx *c, const bl_csv_row *r, const int *cols)
{
    for (; *cols >= 0; cols++)
        if ((size_t)*cols >= r->ncells)
            return bl__store_fail(c->st, BL_DATA,
                                  "%s:%lu: %zu cells but the header has %zu: no cell for the "
                                  "required column '%s'",
                                  c->t->path, r->line, r->ncells, c->t->ncols, c->t->header[*cols]);
    return BL_OK;
}

/* A whole number in 1..max (units, caps, quotas, populations): beyond
 * BL_COUNT_MAX a figure is a misread cell, and no sum or product of
 * imported figures can overflow. */
static bool count_in(const char *cell, int64_t min, int64_t max, int64_t *out)
{
    return bl_parse_count(bl_sv_from(cell), out) && *out >= min && *out <= max;
}

static int need_col(ctx *c, const char *const *names, bl_status *rc)
{
    int col = bl__csv_col(c->t, names);
    if (col < 0)
        *rc = bl__store_fail(c->st, BL_DATA, "%s:1: missing column '%s'", c->t->path, names[0]);
    return col;
}

static bl_status step_done(bl_store *st, sqlite3_stmt *q, const char *path, unsigned long line)
{
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if ((r & 0xff) == SQLITE_CONSTRAINT)
        return bl__store_fail(st, BL_DATA, "%s:%lu: %s", path, line, sqlite3_errmsg(st->db));
    if (r != SQLITE_DONE)
        return bl__store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    return BL_OK;
}

static bool one_of(const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0)
            return true;
    return false;
}

/* Lower-cases ASCII and folds "é" so that "Département" reads as "departement". */
static void fold_kind(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch == 0xC3 && (unsigned char)in[i + 1] >= 0x80) {
            unsigned char c2 = (unsigned char)in[++i];
            out[o++] = (c2 == 0xA9 || c2 == 0x89 || c2 == 0xA8 || c2 == 0x88) ? 'e' : '?';
        } else {
            out[o++] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
        }
    }
    out[o] = '\0';
}

static sqlite3_stmt *prep(bl_store *st, const char *sql)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        bl__store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
        return NULL;
    }
    return q;
}

/* Iterates over a semicolon-separated list cell, calling fn on each trimmed,
 * non-empty item. */
typedef bl_status (*item_fn)(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg);
static bl_status each_item(ctx *c, const bl_csv_row *r, int col, item_fn fn, void *arg)
{
    const char *s = bl__csv_cell(r, col);
    while (*s) {
        const char *e = strchr(s, ';');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        bl_sv it = bl_sv_trim((bl_sv){s, l});
        if (it.len) {
            char *item = bl_sv_dup(it);
            if (!item)
                return BL_NOMEM;
            bl_status rc = fn(c, r, col, item, arg);
            free(item);
            if (rc != BL_OK)
                return rc;
        }
        s += l;
        if (*s == ';')
            s++;
    }
    return BL_OK;
}

/* ---- partners ---------------------------------------------------------------- */

static const char *const P_ID[] = {"id", "partner_id", "identifiant", NULL};
static const char *const P_NAME[] = {"name", "nom", NULL};
static const char *const P_KIND[] = {"kind", "type", NULL};
static const char *const P_POP[] = {"population", NULL};
static const char *const P_POPY[] = {"population_year", "annee_population", NULL};
static const char *const P_RATE[] = {"rate_per_inhabitant", "rate", "tarif_par_habitant", NULL};
static const char *const P_MAIL[] = {"emails", "email", "courriels", NULL};
static const char *const KINDS[] = {"commune", "cc", "ca", "cu", "departement", "other", NULL};

/* Bounds that keep every product and sum of money in 64 bits: population
 * (<= BL_COUNT_MAX) x rate, and a network's annual costs. */
#define MAX_RATE_E4 INT64_C(10000000)        /* 1 000 euros per inhabitant */
#define MAX_COST_CENTS INT64_C(100000000000) /* 1 000 000 000 euros a year */

static bl_status check_email(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    (void)arg;
    const char *at = strchr(item, '@');
    if (!at || at == item || !strchr(at, '.') || strpbrk(item, " ,<>\""))
        return cell_fail(c, r, col, "emails", "'%s' is not an email address", item);
    return BL_OK;
}

static bl_status import_partners(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, P_ID, &rc), cn = need_col(c, P_NAME, &rc), ck = need_col(c, P_KIND, &rc),
        cp = need_col(c, P_POP, &rc), cr = need_col(c, P_RATE, &rc);
    int cy = bl__csv_col(c->t, P_POPY), ce = bl__csv_col(c->t, P_MAIL);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q = prep(c->st, "INSERT INTO partner(id, name, kind, population, population_year,"
                                  " rate_e4, emails) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        return BL_INTERNAL;
    const int req[] = {ci, cn, ck, cp, cr, -1};
    for (size_t i = 0; i < c->t->nrows && rc == BL_OK; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *name = bl__csv_cell(r, cn);
        char kind[32];
        fold_kind(bl__csv_cell(r, ck), kind, sizeof kind);
        int64_t pop, popy = 0, rate;
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK)
            break;
        if (!*name) {
            rc = cell_fail(c, r, cn, "name", "%sempty name", "");
            break;
        }
        if (!one_of(kind, KINDS)) {
            rc = cell_fail(c, r, ck, "kind",
                           "'%s' is not one of commune, cc, ca, cu, departement, other",
                           bl__csv_cell(r, ck));
            break;
        }
        if (!count_in(bl__csv_cell(r, cp), 0, BL_COUNT_MAX, &pop)) {
            rc = cell_fail(c, r, cp, "population",
                           "'%s' is not a whole number (at most 1 000 000 000)",
                           bl__csv_cell(r, cp));
            break;
        }
        if (cy >= 0 && *bl__csv_cell(r, cy) &&
            (!bl_parse_count(bl_sv_from(bl__csv_cell(r, cy)), &popy) || popy < 1900 ||
             popy > 2200)) {
            rc = cell_fail(c, r, cy, "population_year", "'%s' is not a year", bl__csv_cell(r, cy));
            break;
        }
        if (!bl_parse_decimal(bl_sv_from(bl__csv_cell(r, cr)), 4, &rate) || rate > MAX_RATE_E4) {
            rc = cell_fail(c, r, cr, "rate_per_inhabitant",
                           "'%s' is not an amount in euros (e.g. 0,15; at most 1 000)",
                           bl__csv_cell(r, cr));
            break;
        }
        if (ce >= 0 && (rc = each_item(c, r, ce, check_email, NULL)) != BL_OK)
            break;
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 4, pop);
        if (popy)
            sqlite3_bind_int64(q, 5, popy);
        sqlite3_bind_int64(q, 6, rate);
        sqlite3_bind_text(q, 7, ce >= 0 ? bl__csv_cell(r, ce) : "", -1, SQLITE_TRANSIENT);
        rc = step_done(c->st, q, c->t->path, r->line);
    }
    sqlite3_finalize(q);
    return rc;
}

/* ---- libraries ---------------------------------------------------------------- */

static const char *const L_ID[] = {"id", "library_id", "identifiant", NULL};
static const char *const L_PARTNER[] = {"partner_id", "partner", "partenaire", NULL};
static const char *const L_NAME[] = {"name", "nom", NULL};
static const char *const L_ALIASES[] = {"aliases", "alias", NULL};
static const char *const L_IPS[] = {"ip_ranges", "ip_range", "ips", NULL};

struct lib_arg {
    sqlite3_stmt *q;
    const char *library_id;
};

static bl_status add_alias(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    struct lib_arg *a = arg;
    sqlite3_bind_text(a->q, 1, item, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(a->q, 2, a->library_id, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(a->q);
    sqlite3_reset(a->q);
    if ((s & 0xff) == SQLITE_CONSTRAINT)
        return cell_fail(c, r, col, "aliases", "alias '%s' already names another library", item);
    if (s != SQLITE_DONE)
        return bl__store_fail(c->st, BL_IO, "%s", sqlite3_errmsg(c->st->db));
    return BL_OK;
}

static bl_status add_range(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    struct lib_arg *a = arg;
    bl_cidr cidr;
    if (!bl_cidr_parse(item, &cidr))
        return cell_fail(c, r, col, "ip_ranges",
                         "'%s' is not an IPv4 or IPv6 range in CIDR notation", item);
    sqlite3_bind_text(a->q, 1, a->library_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(a->q, 2, item, -1, SQLITE_TRANSIENT);
    return step_done(c->st, a->q, c->t->path, r->line);
}

static bl_status import_libraries(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, L_ID, &rc), cp = need_col(c, L_PARTNER, &rc),
        cn = need_col(c, L_NAME, &rc);
    int ca = bl__csv_col(c->t, L_ALIASES), cr = bl__csv_col(c->t, L_IPS);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q = prep(c->st, "INSERT INTO library(id, partner_id, name) VALUES (?,?,?)");
    sqlite3_stmt *qa = prep(c->st, "INSERT INTO library_alias(alias, library_id) VALUES (?,?)");
    sqlite3_stmt *qr = prep(c->st, "INSERT INTO library_ip_range(library_id, cidr) VALUES (?,?)");
    sqlite3_stmt *qp = prep(c->st, "SELECT 1 FROM partner WHERE id = ?");
    if (!q || !qa || !qr || !qp) {
        rc = BL_INTERNAL;
        goto out;
    }
    const int req[] = {ci, cp, cn, -1};
    for (size_t i = 0; i < c->t->nrows && rc == BL_OK; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *pid = bl__csv_cell(r, cp);
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK ||
            (rc = check_id(c, r, cp, "partner_id", pid)) != BL_OK)
            break;
        if (!*bl__csv_cell(r, cn)) {
            rc = cell_fail(c, r, cn, "name", "%sempty name", "");
            break;
        }
        sqlite3_bind_text(qp, 1, pid, -1, SQLITE_TRANSIENT);
        int found = sqlite3_step(qp) == SQLITE_ROW;
        sqlite3_reset(qp);
        if (!found) {
            rc = cell_fail(c, r, cp, "partner_id", "no partner '%s' in partners.csv", pid);
            break;
        }
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, pid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, bl__csv_cell(r, cn), -1, SQLITE_TRANSIENT);
        if ((rc = step_done(c->st, q, c->t->path, r->line)) != BL_OK)
            break;
        struct lib_arg aa = {qa, id}, ar = {qr, id};
        if (ca >= 0)
            rc = each_item(c, r, ca, add_alias, &aa);
        if (rc == BL_OK && cr >= 0)
            rc = each_item(c, r, cr, add_range, &ar);
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(qa);
    sqlite3_finalize(qr);
    sqlite3_finalize(qp);
    return rc;
}

/* ---- resources ------------------------------------------------------------------ */

static const char *const R_ID[] = {"id", "resource_id", "identifiant", NULL};
static const char *const R_NAME[] = {"name", "nom", NULL};
static const char *const R_PROV[] = {"provider", "fournisseur", NULL};
static const char *const R_KIND[] = {"kind", "type", NULL};
static const char *const R_COST[] = {"annual_cost", "cout_annuel", NULL};
static const char *const R_NAMES[] = {"counter_names", NULL};
static const char *const R_URL[] = {"url_pattern", NULL};
static const char *const R_REQ[] = {"request_pattern", NULL};
static const char *const R_HEAD[] = {"headline_metric", NULL};
static const char *const RKINDS[] = {"ebook", "press", "video", "music", "training",
                                     "games", "youth", "other", NULL};

static bool pcre_ok(const char *pat, char *msg, size_t n)
{
    int errcode;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &off, NULL);
    if (re) {
        pcre2_code_free(re);
        return true;
    }
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(errcode, buf, sizeof buf);
    snprintf(msg, n, "%s at offset %zu", (const char *)buf, (size_t)off);
    return false;
}

static bl_status add_name(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    struct lib_arg *a = arg;
    sqlite3_bind_text(a->q, 1, item, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(a->q, 2, a->library_id, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(a->q);
    sqlite3_reset(a->q);
    if ((s & 0xff) == SQLITE_CONSTRAINT)
        return cell_fail(c, r, col, "counter_names", "'%s' already names another resource", item);
    if (s != SQLITE_DONE)
        return bl__store_fail(c->st, BL_IO, "%s", sqlite3_errmsg(c->st->db));
    return BL_OK;
}

static bl_status import_resources(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, R_ID, &rc), cn = need_col(c, R_NAME, &rc), ck = need_col(c, R_KIND, &rc);
    int cp = bl__csv_col(c->t, R_PROV), cc = bl__csv_col(c->t, R_COST),
        cx = bl__csv_col(c->t, R_NAMES), cu = bl__csv_col(c->t, R_URL),
        cq = bl__csv_col(c->t, R_REQ), ch = bl__csv_col(c->t, R_HEAD);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q =
        prep(c->st, "INSERT INTO resource(id, name, provider, kind, annual_cost_cents,"
                    " url_pattern, request_pattern, headline_metric)"
                    " VALUES (?,?,?,?,?,?,?,?)");
    sqlite3_stmt *qn = prep(c->st, "INSERT INTO resource_name(name, resource_id) VALUES (?,?)");
    if (!q || !qn) {
        rc = BL_INTERNAL;
        goto out;
    }
    const int req[] = {ci, cn, ck, -1};
    for (size_t i = 0; i < c->t->nrows && rc == BL_OK; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci);
        char kind[32], msg[300];
        fold_kind(bl__csv_cell(r, ck), kind, sizeof kind);
        int64_t cost = 0;
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK)
            break;
        if (!*bl__csv_cell(r, cn)) {
            rc = cell_fail(c, r, cn, "name", "%sempty name", "");
            break;
        }
        if (!one_of(kind, RKINDS)) {
            rc = cell_fail(c, r, ck, "kind",
                           "'%s' is not one of ebook, press, video, music, training, games, "
                           "youth, other",
                           bl__csv_cell(r, ck));
            break;
        }
        if (cc >= 0 && *bl__csv_cell(r, cc) &&
            (!bl_parse_decimal(bl_sv_from(bl__csv_cell(r, cc)), 2, &cost) ||
             cost > MAX_COST_CENTS)) {
            rc = cell_fail(c, r, cc, "annual_cost",
                           "'%s' is not an amount in euros (at most 1 000 000 000)",
                           bl__csv_cell(r, cc));
            break;
        }
        const int pats[2] = {cu, cq};
        for (int k = 0; k < 2 && rc == BL_OK; k++)
            if (pats[k] >= 0 && *bl__csv_cell(r, pats[k]) &&
                !pcre_ok(bl__csv_cell(r, pats[k]), msg, sizeof msg))
                rc = cell_fail(c, r, pats[k], k ? "request_pattern" : "url_pattern",
                               "not a valid PCRE2 pattern: %s", msg);
        if (rc != BL_OK)
            break;
        const char *head =
            ch >= 0 && *bl__csv_cell(r, ch) ? bl__csv_cell(r, ch) : "Total_Item_Requests";
        if (!bl__metric_known(head)) {
            rc = cell_fail(c, r, ch, "headline_metric", "'%s' is not a COUNTER R5 metric", head);
            break;
        }
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, bl__csv_cell(r, cn), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, cp >= 0 ? bl__csv_cell(r, cp) : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 5, cost);
        sqlite3_bind_text(q, 6, cu >= 0 ? bl__csv_cell(r, cu) : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 7, cq >= 0 ? bl__csv_cell(r, cq) : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 8, head, -1, SQLITE_TRANSIENT);
        if ((rc = step_done(c->st, q, c->t->path, r->line)) != BL_OK)
            break;
        struct lib_arg an = {qn, id};
        if (cx >= 0)
            rc = each_item(c, r, cx, add_name, &an);
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(qn);
    return rc;
}

/* ---- forfaits -------------------------------------------------------------------- */

static const char *const F_ID[] = {"id", "forfait_id", NULL};
static const char *const F_RES[] = {"resource_id", "resource", "ressource", NULL};
static const char *const F_UNITS[] = {"units", "unites", NULL};
static const char *const F_START[] = {"start", "debut", NULL};
static const char *const F_END[] = {"end", "fin", NULL};
static const char *const F_METRIC[] = {"metric", NULL};
static const char *const F_CAP[] = {"monthly_cap", NULL};
static const char *const F_QUOTA[] = {"per_patron_monthly_quota", NULL};
static const char *const F_ALERT[] = {"alert_percent", NULL};

/* Accepts 2026-01-31 and the French spreadsheet form 31/01/2026. */
static bool parse_date_cell(const char *s, char out[11])
{
    int y, m, d;
    if (bl_date_parse(s, &y, &m, &d)) {
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return true;
    }
    if (strlen(s) == 10 && s[2] == '/' && s[5] == '/') {
        char iso[11] = {s[6], s[7], s[8], s[9], '-', s[3], s[4], '-', s[0], s[1], 0};
        if (bl_date_parse(iso, &y, &m, &d)) {
            memcpy(out, iso, 11);
            return true;
        }
    }
    return false;
}

static bl_status import_forfaits(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, F_ID, &rc), cr = need_col(c, F_RES, &rc), cu = need_col(c, F_UNITS, &rc),
        cs = need_col(c, F_START, &rc), ce = need_col(c, F_END, &rc);
    int cm = bl__csv_col(c->t, F_METRIC), cc = bl__csv_col(c->t, F_CAP),
        cq = bl__csv_col(c->t, F_QUOTA), ca = bl__csv_col(c->t, F_ALERT);
    if (rc != BL_OK)
        return rc;
    sqlite3_stmt *q = prep(c->st, "INSERT INTO forfait(id, resource_id, units, start, end, metric,"
                                  " monthly_cap, per_patron_monthly_quota, alert_percent)"
                                  " VALUES (?,?,?,?,?,?,?,?,?)");
    sqlite3_stmt *qr = prep(c->st, "SELECT 1 FROM resource WHERE id = ?");
    if (!q || !qr) {
        rc = BL_INTERNAL;
        goto out;
    }
    const int req[] = {ci, cr, cu, cs, ce, -1};
    for (size_t i = 0; i < c->t->nrows && rc == BL_OK; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *res = bl__csv_cell(r, cr);
        int64_t units, cap = -1, quota = -1, alert = 80;
        char start[11], end[11];
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK ||
            (rc = check_id(c, r, cr, "resource_id", res)) != BL_OK)
            break;
        sqlite3_bind_text(qr, 1, res, -1, SQLITE_TRANSIENT);
        int found = sqlite3_step(qr) == SQLITE_ROW;
        sqlite3_reset(qr);
        if (!found) {
            rc = cell_fail(c, r, cr, "resource_id", "no resource '%s' in resources.csv", res);
            break;
        }
        if (!count_in(bl__csv_cell(r, cu), 1, BL_COUNT_MAX, &units)) {
            rc = cell_fail(c, r, cu, "units",
                           "'%s' is not a positive whole number (at most 1 000 000 000)",
                           bl__csv_cell(r, cu));
            break;
        }
        if (!parse_date_cell(bl__csv_cell(r, cs), start)) {
            rc = cell_fail(c, r, cs, "start", "'%s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                           bl__csv_cell(r, cs));
            break;
        }
        if (!parse_date_cell(bl__csv_cell(r, ce), end) || strcmp(end, start) < 0) {
            rc = cell_fail(c, r, ce, "end",
                           "'%s' is not a date (YYYY-MM-DD or DD/MM/YYYY) after the start",
                           bl__csv_cell(r, ce));
            break;
        }
        const char *metric =
            cm >= 0 && *bl__csv_cell(r, cm) ? bl__csv_cell(r, cm) : "Total_Item_Requests";
        if (!bl__metric_known(metric)) {
            rc = cell_fail(c, r, cm, "metric", "'%s' is not a COUNTER R5 metric", metric);
            break;
        }
        if (cc >= 0 && *bl__csv_cell(r, cc) &&
            !count_in(bl__csv_cell(r, cc), 1, BL_COUNT_MAX, &cap)) {
            rc = cell_fail(c, r, cc, "monthly_cap",
                           "'%s' is not a positive whole number (at most 1 000 000 000)",
                           bl__csv_cell(r, cc));
            break;
        }
        if (cq >= 0 && *bl__csv_cell(r, cq) &&
            !count_in(bl__csv_cell(r, cq), 1, BL_COUNT_MAX, &quota)) {
            rc = cell_fail(c, r, cq, "per_patron_monthly_quota",
                           "'%s' is not a positive whole number (at most 1 000 000 000)",
                           bl__csv_cell(r, cq));
            break;
        }
        if (ca >= 0 && *bl__csv_cell(r, ca)) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%s", bl__csv_cell(r, ca));
            char *pc = strchr(tmp, '%');
            if (pc)
                *pc = '\0';
            if (!bl_parse_count(bl_sv_from(tmp), &alert) || alert < 1 || alert > 100) {
                rc = cell_fail(c, r, ca, "alert_percent", "'%s' is not a percentage (1 to 100)",
                               bl__csv_cell(r, ca));
                break;
            }
        }
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, res, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, units);
        sqlite3_bind_text(q, 4, start, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, end, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 6, metric, -1, SQLITE_TRANSIENT);
        if (cap >= 0)
            sqlite3_bind_int64(q, 7, cap);
        if (quota >= 0)
            sqlite3_bind_int64(q, 8, quota);
        sqlite3_bind_int64(q, 9, alert);
        rc = step_done(c->st, q, c->t->path, r->line);
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(qr);
    return rc;
}

/* ---- the whole network ----------------------------------------------------------- */

typedef bl_status (*import_fn)(ctx *c);

static bl_status import_one(bl_store *st, const char *dir, const char *name, bool required,
                            import_fn fn, int *count)
{
    char *path = bl_strdup_printf("%s/%s", dir, name);
    if (!path)
        return BL_NOMEM;
    bl_csv_table t;
    char err[512];
    bl_status rc = bl__csv_table_read(path, &t, err, sizeof err);
    if (rc == BL_NOINPUT && !required) {
        free(path);
        *count = 0;
        return BL_OK;
    }
    if (rc != BL_OK) {
        bl__store_fail(st, rc, "%s", err);
        free(path);
        return rc;
    }
    ctx c = {st, &t, name};
    rc = fn(&c);
    *count = (int)t.nrows;
    bl__csv_table_free(&t);
    free(path);
    return rc;
}

bl_status bl_network_import(bl_store *st, const char *dir, bl_import_counts *counts)
{
    bl_import_counts n = {0};
    bl_status rc = bl__begin(st);
    if (rc != BL_OK)
        return rc;
    rc =
        bl__exec(st, "DELETE FROM forfait; DELETE FROM library_alias; DELETE FROM library_ip_range;"
                     "DELETE FROM resource_name; DELETE FROM library; DELETE FROM resource;"
                     "DELETE FROM partner;");
    if (rc == BL_OK)
        rc = import_one(st, dir, "partners.csv", true, import_partners, &n.partners);
    if (rc == BL_OK)
        rc = import_one(st, dir, "libraries.csv", true, import_libraries, &n.libraries);
    if (rc == BL_OK)
        rc = import_one(st, dir, "resources.csv", true, import_resources, &n.resources);
    if (rc == BL_OK)
        rc = import_one(st, dir, "forfaits.csv", false, import_forfaits, &n.forfaits);
    /* Usage stored before a library or resource was known is attributed now. */
    if (rc == BL_OK)
        rc = bl__reattribute(st);
    if (rc == BL_OK)
        rc = bl__commit(st);
    if (rc != BL_OK) {
        bl__rollback(st);
        return rc;
    }
    if (counts)
        *counts = n;
    return BL_OK;
}
