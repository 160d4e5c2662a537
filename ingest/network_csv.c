/* The network's reference lists (DESIGN §3, docs/network.md): partners,
 * libraries, resources and forfaits from the spreadsheets users keep, read
 * with the CSV table reader and validated cell by cell into a bl_network,
 * with FILE:LINE:COLUMN errors. The checks run in the order the store's
 * import always ran them (file by file, row by row, cell by cell, then the
 * row's uniqueness, then its list cells), so the first problem reported is
 * the same. */
#include "bilan/i18n.h"
#include "bilan/network.h"
#include "counter_internal.h"
#include "csv_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bilan/pcre.h"

/* ---- the strings' arena ---------------------------------------------------------- */

/* Every string and list of a bl_network lives in a chain of blocks, freed
 * at once by bl_network_release. */
struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
};

struct bl_net_arena {
    struct arena_block *head;
};

#define BLOCK_MIN ((size_t)64 << 10)

static void *arena_alloc(struct bl_net_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_MIN ? n : BLOCK_MIN;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static const char *arena_strndup(struct bl_net_arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static const char *arena_strdup(struct bl_net_arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

/* ---- sets of strings (ids, aliases, counter names) -------------------------------- */

/* Open addressing over strings that outlive the set (the arena's), each
 * with a value (kept by pointer too; NULL in a set of ids). A nocase set
 * compares as the store's COLLATE NOCASE does: ASCII letters folded, every
 * other byte as is. */
typedef struct strset {
    const char **slot, **val;
    size_t cap, n;
    bool nocase;
} strset;

static unsigned char fold_byte(unsigned char c, bool nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static uint64_t str_hash(const char *s, bool nocase)
{
    uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ fold_byte((unsigned char)*s, nocase)) * UINT64_C(1099511628211);
    return h;
}

static bool str_same(const char *a, const char *b, bool nocase)
{
    for (; *a && *b; a++, b++)
        if (fold_byte((unsigned char)*a, nocase) != fold_byte((unsigned char)*b, nocase))
            return false;
    return *a == *b;
}

static size_t set_find(const strset *s, const char *key)
{
    size_t i = (size_t)str_hash(key, s->nocase) & (s->cap - 1);
    while (s->slot[i] && !str_same(s->slot[i], key, s->nocase))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static bool set_has(const strset *s, const char *key)
{
    return s->cap && s->slot[set_find(s, key)];
}

/* Adds key with its value (both kept by pointer); when an equal key was
 * there already, nothing changes, *dup is set and *had is its value. */
static bl_status set_put(strset *s, const char *key, const char *val, bool *dup, const char **had)
{
    *dup = false;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        const char **slot = calloc(cap, sizeof *slot), **vals = calloc(cap, sizeof *vals);
        if (!slot || !vals) {
            free(slot);
            free(vals);
            return BL_NOMEM;
        }
        strset grown = {slot, vals, cap, s->n, s->nocase};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t j = set_find(&grown, s->slot[i]);
                slot[j] = s->slot[i];
                vals[j] = s->val[i];
            }
        free(s->slot);
        free(s->val);
        *s = grown;
    }
    size_t i = set_find(s, key);
    if (s->slot[i]) {
        *dup = true;
        *had = s->val[i];
        return BL_OK;
    }
    s->slot[i] = key;
    s->val[i] = val;
    s->n++;
    return BL_OK;
}

/* Adds key (kept by pointer); *dup when an equal key was there already. */
static bl_status set_add(strset *s, const char *key, bool *dup)
{
    const char *had;
    return set_put(s, key, NULL, dup, &had);
}

static void set_release(strset *s)
{
    free(s->slot);
    free(s->val);
}

/* ---- reading one table ------------------------------------------------------------ */

typedef struct ctx {
    bl_network *net;
    const bl_csv_table *t;
    char *err;
    size_t errlen;
    strset partner_ids, library_ids, aliases, resource_ids, counter_names, forfait_ids, sushi_ids;
    strset alias_keys, counter_keys; /* names' keys (bl_name_fold) -> the library or resource */
    const char *dir;                 /* the network folder: network.csv's logo is relative to it */
} ctx;

static bl_status nomem(ctx *c)
{
    snprintf(c->err, c->errlen, "%s", bl_status_str(BL_NOMEM));
    return BL_NOMEM;
}

/* A cell error: "partners.csv:4:3: population: '14x' is not a whole number";
 * fmt is translated here. */
static bl_status cell_fail(ctx *c, const bl_csv_row *r, int col, const char *what, const char *fmt,
                           ...) __attribute__((format(printf, 5, 6)));
static bl_status cell_fail(ctx *c, const bl_csv_row *r, int col, const char *what, const char *fmt,
                           ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, _(fmt), ap);
    va_end(ap);
    /* The column as the file heads it (« Fin », not end), else its name. */
    if (col >= 0 && (size_t)col < c->t->ncols && c->t->heading[col] && *c->t->heading[col])
        what = c->t->heading[col];
    snprintf(c->err, c->errlen, _("%s:%lu:%d: %s: %s"), c->t->path, r->line, col + 1, what, reason);
    return BL_DATA;
}

/* A second row with the same id. The wording is SQLite's, which reported
 * it when the store's UNIQUE index did the check: docs/network.md quotes
 * it, and scripts may match it. */
static bl_status unique_fail(ctx *c, const bl_csv_row *r, const char *column)
{
    snprintf(c->err, c->errlen, "%s:%lu: UNIQUE constraint failed: %s", c->t->path, r->line,
             column);
    return BL_DATA;
}

/* Adds a row's id to its set: unique_fail when it is there already. */
static bl_status unique_id(ctx *c, const bl_csv_row *r, strset *ids, const char *id,
                           const char *column)
{
    bool dup;
    if (set_add(ids, id, &dup) != BL_OK)
        return nomem(c);
    return dup ? unique_fail(c, r, column) : BL_OK;
}

/* Ids of partners, libraries, resources and forfaits, and every reference
 * to one, follow bl_id_valid(): an id names report files and folders, so it
 * can never name a path that leaves them (docs/network.md). */
static bl_status check_id(ctx *c, const bl_csv_row *r, int col, const char *what, const char *id)
{
    if (!*id)
        return cell_fail(c, r, col, what, "empty identifier");
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
        if ((size_t)*cols >= r->ncells) {
            snprintf(c->err, c->errlen,
                     _("%s:%lu: %zu cells but the header has %zu: no cell for the required "
                       "column '%s'"),
                     c->t->path, r->line, r->ncells, c->t->ncols, c->t->header[*cols]);
            return BL_DATA;
        } else if (!*bl__csv_cell(r, *cols)) {
            /* (it said « population : «  » n'est pas un nombre entier ») */
            return cell_fail(c, r, *cols, c->t->header[*cols],
                             "empty cell: the column is required");
        }
    /* A line break or another control character in a name or an address
     * would end up in a mail header or on a terminal: refused at import. */
    for (size_t k = 0; k < r->ncells; k++) {
        const char *v = bl__csv_cell(r, (int)k);
        for (const char *p = v; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return cell_fail(c, r, (int)k, k < c->t->ncols ? c->t->header[k] : "?",
                                 "control character (line break, tab...) in the cell");
    }
    return BL_OK;
}

static int need_col(ctx *c, const char *const *names, bl_status *rc)
{
    int col = bl__csv_col(c->t, names);
    if (col < 0 && *rc == BL_OK) {
        /* Its other names too: a French heading is read (« debut »). */
        char also[256] = "";
        for (size_t i = 1; names[i]; i++)
            snprintf(also + strlen(also), sizeof also - strlen(also), "%s%s", i > 1 ? ", " : "",
                     names[i]);
        if (*also)
            snprintf(c->err, c->errlen, _("%s:1: missing column '%s' (or %s)"), c->t->path,
                     names[0], also);
        else
            snprintf(c->err, c->errlen, _("%s:1: missing column '%s'"), c->t->path, names[0]);
        *rc = BL_DATA;
    }
    return col;
}

/* A whole number in min..max (units, caps, quotas, populations): beyond
 * BL_COUNT_MAX a figure is a misread cell, and no sum or product of
 * imported figures can overflow. */
static bool count_in(const char *cell, int64_t min, int64_t max, int64_t *out)
{
    return bl_parse_count(bl_sv_from(cell), out) && *out >= min && *out <= max;
}

static bool one_of(const char *v, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0)
            return true;
    return false;
}

/* True when name is a COUNTER R5 metric or one of bilan's (Loans...),
 * spelt exactly. */
static bool metric_known(const char *name)
{
    const char *m = bl__ctr_usage_metric(bl_sv_from(name));
    return m && strcmp(m, name) == 0;
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

/* A string of the network: a copy in its arena (NULL when out of memory). */
static const char *keep(ctx *c, const char *s)
{
    return arena_strdup(c->net->mem, s);
}

/* ---- list cells ---------------------------------------------------------------------- */

/* Checks (and keeps, with a set) one item of a list cell. */
typedef bl_status (*item_fn)(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg);

/* Iterates over a semicolon-separated list cell, calling fn on each
 * trimmed, non-empty item in order, and returns the items in *out (in the
 * arena; NULL when there is none). */
static bl_status each_item(ctx *c, const bl_csv_row *r, int col, item_fn fn, void *arg,
                           const char *const **out, size_t *nout)
{
    const char *cell = bl__csv_cell(r, col);
    size_t max = 1;
    for (const char *s = cell; *s; s++)
        max += *s == ';';
    const char **items = NULL;
    size_t n = 0;
    for (const char *s = cell; *s;) {
        const char *e = strchr(s, ';');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        bl_sv it = bl_sv_trim((bl_sv){s, l});
        if (it.len) {
            const char *item = arena_strndup(c->net->mem, it.ptr, it.len);
            if (!item || (!items && !(items = arena_alloc(c->net->mem, max * sizeof *items))))
                return nomem(c);
            bl_status rc = fn(c, r, col, item, arg);
            if (rc != BL_OK)
                return rc;
            items[n++] = item;
        }
        s += l;
        if (*s == ';')
            s++;
    }
    if (out) {
        *out = items;
        *nout = n;
    }
    return BL_OK;
}

/* A list item that must be unique across the network (aliases, counter
 * names); reason says who holds it already. Two items are one name when
 * their keys (bl_name_fold) are equal, as attribution compares them
 * (aggregate/attrib.c): such a name may be written twice by the same
 * library or resource ("Médiathèque", "Mediatheque"), never by two. Spellings
 * equal but for ASCII case are one row of the store (COLLATE NOCASE), so
 * they are refused even then. */
struct unique_arg {
    strset *set, *keys;
    const char *what, *reason;
    const char *owner; /* the library or resource of the row read */
};

static bl_status unique_item(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    const struct unique_arg *u = arg;
    size_t len = strlen(item);
    char *key = arena_alloc(c->net->mem, len + 1); /* a key is never longer than its name */
    const char *had;
    bool dup;
    if (!key)
        return nomem(c);
    bl_name_fold((bl_sv){item, len}, key, len + 1);
    if (set_put(u->keys, key, u->owner, &dup, &had) != BL_OK)
        return nomem(c);
    if (dup && strcmp(had, u->owner) != 0)
        return cell_fail(c, r, col, u->what, u->reason, item);
    if (set_add(u->set, item, &dup) != BL_OK)
        return nomem(c);
    return dup ? cell_fail(c, r, col, u->what, u->reason, item) : BL_OK;
}

/* ---- partners ---------------------------------------------------------------- */

static const char *const P_ID[] = {"id", "partner_id", "identifiant", NULL};
static const char *const P_NAME[] = {"name", "nom", NULL};
static const char *const P_KIND[] = {"kind", "type", NULL};
static const char *const P_POP[] = {"population", NULL};
static const char *const P_POPY[] = {"population_year", "annee_population", NULL};
static const char *const P_RATE[] = {"rate_per_inhabitant", "rate", "tarif_par_habitant", NULL};
static const char *const P_MAIL[] = {"emails", "email", "courriels", NULL};
static const char *const P_ARTICLE[] = {"article", NULL};

/* partners.csv's optional article: "le", "la", "l'" (or l’), "les", "-"
 * for none; NULL when the cell is not one of them. */
static const char *article_of(const char *cell)
{
    static const char *const ok[] = {"", "le", "la", "l'", "les", "-"};
    char low[16];
    size_t n = strlen(cell);
    if (n >= sizeof low)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)(cell[i] >= 'A' && cell[i] <= 'Z' ? cell[i] + 32 : cell[i]);
    if (strcmp(low, "l\xE2\x80\x99") == 0) /* l’ */
        return "l'";
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(low, ok[i]) == 0)
            return ok[i];
    return NULL;
}
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

static bl_status read_partners(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, P_ID, &rc), cn = need_col(c, P_NAME, &rc), ck = need_col(c, P_KIND, &rc),
        cp = need_col(c, P_POP, &rc), cr = need_col(c, P_RATE, &rc);
    int cy = bl__csv_col(c->t, P_POPY), ce = bl__csv_col(c->t, P_MAIL),
        ca = bl__csv_col(c->t, P_ARTICLE);
    if (rc != BL_OK)
        return rc;
    if (!(c->net->partners = calloc(c->t->nrows ? c->t->nrows : 1, sizeof *c->net->partners)))
        return nomem(c);
    const int req[] = {ci, cn, ck, cp, cr, -1};
    for (size_t i = 0; i < c->t->nrows; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *name = bl__csv_cell(r, cn);
        char kind[32];
        fold_kind(bl__csv_cell(r, ck), kind, sizeof kind);
        int64_t pop, popy = 0, rate;
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK)
            return rc;
        if (!*name)
            return cell_fail(c, r, cn, "name", "empty name");
        if (!one_of(kind, KINDS))
            return cell_fail(c, r, ck, "kind",
                             "'%s' is not one of commune, cc, ca, cu, departement, other",
                             bl__csv_cell(r, ck));
        if (!count_in(bl__csv_cell(r, cp), 0, BL_COUNT_MAX, &pop))
            return cell_fail(c, r, cp, "population",
                             "'%s' is not a whole number (at most 1 000 000 000)",
                             bl__csv_cell(r, cp));
        if (cy >= 0 && *bl__csv_cell(r, cy) &&
            (!bl_parse_count(bl_sv_from(bl__csv_cell(r, cy)), &popy) || popy < 1900 || popy > 2200))
            return cell_fail(c, r, cy, "population_year", "'%s' is not a year",
                             bl__csv_cell(r, cy));
        if (!bl_parse_decimal(bl_sv_from(bl__csv_cell(r, cr)), 4, &rate) || rate > MAX_RATE_E4)
            return cell_fail(c, r, cr, "rate_per_inhabitant",
                             "'%s' is not an amount in euros (e.g. 0,15; at most 1 000)",
                             bl__csv_cell(r, cr));
        if (ce >= 0 && (rc = each_item(c, r, ce, check_email, NULL, NULL, NULL)) != BL_OK)
            return rc;
        const char *article = article_of(ca >= 0 ? bl__csv_cell(r, ca) : "");
        if (!article)
            return cell_fail(c, r, ca, "article",
                             _("'%s' is not an article: le, la, l', les, or - for none"),
                             bl__csv_cell(r, ca));
        bl_net_partner *p = &c->net->partners[c->net->npartners];
        *p = (bl_net_partner){.line = r->line,
                              .id = keep(c, id),
                              .name = keep(c, name),
                              .kind = keep(c, kind),
                              .population = pop,
                              .population_year = popy,
                              .rate_e4 = rate,
                              .emails = keep(c, ce >= 0 ? bl__csv_cell(r, ce) : ""),
                              .article = article};
        if (!p->id || !p->name || !p->kind || !p->emails)
            return nomem(c);
        if ((rc = unique_id(c, r, &c->partner_ids, p->id, "partner.id")) != BL_OK)
            return rc;
        c->net->npartners++;
    }
    return BL_OK;
}

/* ---- libraries ---------------------------------------------------------------- */

static const char *const L_ID[] = {"id", "library_id", "identifiant", NULL};
static const char *const L_PARTNER[] = {"partner_id", "partner", "partenaire", NULL};
static const char *const L_NAME[] = {"name", "nom", NULL};
static const char *const L_ALIASES[] = {"aliases", "alias", NULL};
static const char *const L_IPS[] = {"ip_ranges", "ip_range", "ips", NULL};
/* Headings as normalise_heading makes them: « Adhésion », « Fin
 * d'adhésion », « Membre jusqu'à ». */
static const char *const L_FROM[] = {"member_from",     "membre_depuis",    "adhesion",
                                     "debut_adhesion",  "debut_d_adhesion", "date_adhesion",
                                     "date_d_adhesion", "entree",           NULL};
static const char *const L_UNTIL[] = {"member_until",   "membre_jusqu_a", "membre_jusqu_au",
                                      "fin_adhesion",   "fin_d_adhesion", "sortie",
                                      "date_de_sortie", "depart",         NULL};

/* A month as a user writes it: 2026-03, 03/2026, or a day of it
 * (2026-03-15, 15/03/2026). */
static bool parse_month_cell(const char *s, int *mi)
{
    int y, m, d;
    if (bl_month_parse(s, mi))
        return true;
    if (strlen(s) == 7 && s[2] == '/') {
        const char iso[8] = {s[3], s[4], s[5], s[6], '-', s[0], s[1], 0};
        return bl_month_parse(iso, mi);
    }
    if (!bl_date_parse_user(s, &y, &m, &d))
        return false;
    *mi = bl_month_index(y, m);
    return true;
}

/* member_from and member_until of a library's row (-1 when empty). */
static bl_status membership(ctx *c, const bl_csv_row *r, int cf, int cu, bl_net_library *l)
{
    l->member_from = l->member_until = -1;
    const char *f = bl__csv_cell(r, cf), *u = bl__csv_cell(r, cu);
    if (*f && !parse_month_cell(f, &l->member_from))
        return cell_fail(c, r, cf, "member_from",
                         "'%s' is not a month (YYYY-MM or MM/YYYY) nor a date", f);
    if (*u && !parse_month_cell(u, &l->member_until))
        return cell_fail(c, r, cu, "member_until",
                         "'%s' is not a month (YYYY-MM or MM/YYYY) nor a date", u);
    if (l->member_from >= 0 && l->member_until >= 0 && l->member_until < l->member_from)
        return cell_fail(c, r, cu, "member_until", "'%s' is before member_from ('%s')", u, f);
    return BL_OK;
}

static bl_status check_range(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    (void)arg;
    bl_cidr cidr;
    if (!bl_cidr_parse(item, &cidr))
        return cell_fail(c, r, col, "ip_ranges",
                         "'%s' is not an IPv4 or IPv6 range in CIDR notation", item);
    return BL_OK;
}

static bl_status read_libraries(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, L_ID, &rc), cp = need_col(c, L_PARTNER, &rc),
        cn = need_col(c, L_NAME, &rc);
    int ca = bl__csv_col(c->t, L_ALIASES), cr = bl__csv_col(c->t, L_IPS);
    int cf = bl__csv_col(c->t, L_FROM), cu = bl__csv_col(c->t, L_UNTIL);
    if (rc != BL_OK)
        return rc;
    if (!(c->net->libraries = calloc(c->t->nrows ? c->t->nrows : 1, sizeof *c->net->libraries)))
        return nomem(c);
    struct unique_arg alias = {&c->aliases, &c->alias_keys, "aliases",
                               N_("alias '%s' already names another library"), NULL};
    const int req[] = {ci, cp, cn, -1};
    for (size_t i = 0; i < c->t->nrows; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *pid = bl__csv_cell(r, cp);
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK ||
            (rc = check_id(c, r, cp, "partner_id", pid)) != BL_OK)
            return rc;
        if (!*bl__csv_cell(r, cn))
            return cell_fail(c, r, cn, "name", "empty name");
        if (!set_has(&c->partner_ids, pid))
            return cell_fail(c, r, cp, "partner_id", "no partner '%s' in partners.csv", pid);
        bl_net_library *l = &c->net->libraries[c->net->nlibraries];
        *l = (bl_net_library){.line = r->line,
                              .id = keep(c, id),
                              .partner_id = keep(c, pid),
                              .name = keep(c, bl__csv_cell(r, cn))};
        if (!l->id || !l->partner_id || !l->name)
            return nomem(c);
        if ((rc = unique_id(c, r, &c->library_ids, l->id, "library.id")) != BL_OK ||
            (rc = membership(c, r, cf, cu, l)) != BL_OK)
            return rc;
        c->net->nlibraries++;
        alias.owner = l->id;
        if (ca >= 0 &&
            (rc = each_item(c, r, ca, unique_item, &alias, &l->aliases, &l->naliases)) != BL_OK)
            return rc;
        if (cr >= 0 &&
            (rc = each_item(c, r, cr, check_range, NULL, &l->ip_ranges, &l->nranges)) != BL_OK)
            return rc;
    }
    return BL_OK;
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

static bl_status read_resources(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, R_ID, &rc), cn = need_col(c, R_NAME, &rc), ck = need_col(c, R_KIND, &rc);
    int cp = bl__csv_col(c->t, R_PROV), cc = bl__csv_col(c->t, R_COST),
        cx = bl__csv_col(c->t, R_NAMES), cu = bl__csv_col(c->t, R_URL),
        cq = bl__csv_col(c->t, R_REQ), ch = bl__csv_col(c->t, R_HEAD);
    if (rc != BL_OK)
        return rc;
    if (!(c->net->resources = calloc(c->t->nrows ? c->t->nrows : 1, sizeof *c->net->resources)))
        return nomem(c);
    struct unique_arg names = {&c->counter_names, &c->counter_keys, "counter_names",
                               N_("'%s' already names another resource"), NULL};
    const int req[] = {ci, cn, ck, -1};
    for (size_t i = 0; i < c->t->nrows; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci);
        char kind[32], msg[400];
        fold_kind(bl__csv_cell(r, ck), kind, sizeof kind);
        int64_t cost = 0;
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK)
            return rc;
        if (!*bl__csv_cell(r, cn))
            return cell_fail(c, r, cn, "name", "empty name");
        if (!one_of(kind, bl_resource_kinds)) {
            char all[128] = "";
            for (size_t k = 0; bl_resource_kinds[k]; k++)
                snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", k ? ", " : "",
                         bl_resource_kinds[k]);
            return cell_fail(c, r, ck, "kind", "'%s' is not one of %s", bl__csv_cell(r, ck), all);
        }
        if (cc >= 0 && *bl__csv_cell(r, cc) &&
            (!bl_parse_decimal(bl_sv_from(bl__csv_cell(r, cc)), 2, &cost) || cost > MAX_COST_CENTS))
            return cell_fail(c, r, cc, "annual_cost",
                             "'%s' is not an amount in euros (at most 1 000 000 000)",
                             bl__csv_cell(r, cc));
        const int pats[2] = {cu, cq};
        for (int k = 0; k < 2; k++)
            if (pats[k] >= 0 && *bl__csv_cell(r, pats[k]) &&
                !bl_pcre_check(bl__csv_cell(r, pats[k]), 0, msg, sizeof msg))
                return cell_fail(c, r, pats[k], k ? "request_pattern" : "url_pattern", "%s", msg);
        const char *head =
            ch >= 0 && *bl__csv_cell(r, ch) ? bl__csv_cell(r, ch) : "Total_Item_Requests";
        if (!metric_known(head))
            return cell_fail(c, r, ch, "headline_metric",
                             "'%s' is not a COUNTER R5 metric nor one of bilan's (%s)", head,
                             BL_EXTRA_METRICS_TEXT);
        bl_net_resource *res = &c->net->resources[c->net->nresources];
        *res = (bl_net_resource){.line = r->line,
                                 .id = keep(c, id),
                                 .name = keep(c, bl__csv_cell(r, cn)),
                                 .provider = keep(c, cp >= 0 ? bl__csv_cell(r, cp) : ""),
                                 .kind = keep(c, kind),
                                 .annual_cost_cents = cost,
                                 .url_pattern = keep(c, cu >= 0 ? bl__csv_cell(r, cu) : ""),
                                 .request_pattern = keep(c, cq >= 0 ? bl__csv_cell(r, cq) : ""),
                                 .headline_metric = keep(c, head)};
        if (!res->id || !res->name || !res->provider || !res->kind || !res->url_pattern ||
            !res->request_pattern || !res->headline_metric)
            return nomem(c);
        if ((rc = unique_id(c, r, &c->resource_ids, res->id, "resource.id")) != BL_OK)
            return rc;
        c->net->nresources++;
        names.owner = res->id;
        if (cx >= 0 && (rc = each_item(c, r, cx, unique_item, &names, &res->counter_names,
                                       &res->ncounter_names)) != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* ---- forfaits -------------------------------------------------------------------- */

static const char *const F_ID[] = {"id", "forfait_id", "identifiant", NULL};
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
    if (!bl_date_parse_user(s, &y, &m, &d))
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return true;
}

/* The optional whole numbers of a forfait: monthly_cap and
 * per_patron_monthly_quota (-1 when empty), alert_percent (80 when empty). */
static bl_status forfait_limits(ctx *c, const bl_csv_row *r, const int cols[3], bl_net_forfait *f)
{
    const int cc = cols[0], cq = cols[1], ca = cols[2];
    f->monthly_cap = f->per_patron_monthly_quota = -1;
    f->alert_percent = 80;
    if (cc >= 0 && *bl__csv_cell(r, cc) &&
        !count_in(bl__csv_cell(r, cc), 1, BL_COUNT_MAX, &f->monthly_cap))
        return cell_fail(c, r, cc, "monthly_cap",
                         "'%s' is not a positive whole number (at most 1 000 000 000)",
                         bl__csv_cell(r, cc));
    if (cq >= 0 && *bl__csv_cell(r, cq) &&
        !count_in(bl__csv_cell(r, cq), 1, BL_COUNT_MAX, &f->per_patron_monthly_quota))
        return cell_fail(c, r, cq, "per_patron_monthly_quota",
                         "'%s' is not a positive whole number (at most 1 000 000 000)",
                         bl__csv_cell(r, cq));
    if (ca >= 0 && *bl__csv_cell(r, ca)) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%s", bl__csv_cell(r, ca));
        char *pc = strchr(tmp, '%');
        if (pc)
            *pc = '\0';
        if (!bl_parse_count(bl_sv_from(tmp), &f->alert_percent) || f->alert_percent < 1 ||
            f->alert_percent > 100)
            return cell_fail(c, r, ca, "alert_percent", "'%s' is not a percentage (1 to 100)",
                             bl__csv_cell(r, ca));
    }
    return BL_OK;
}

static bl_status read_forfaits(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, F_ID, &rc), cr = need_col(c, F_RES, &rc), cu = need_col(c, F_UNITS, &rc),
        cs = need_col(c, F_START, &rc), ce = need_col(c, F_END, &rc);
    int cm = bl__csv_col(c->t, F_METRIC);
    const int limits[3] = {bl__csv_col(c->t, F_CAP), bl__csv_col(c->t, F_QUOTA),
                           bl__csv_col(c->t, F_ALERT)};
    if (rc != BL_OK)
        return rc;
    if (!(c->net->forfaits = calloc(c->t->nrows ? c->t->nrows : 1, sizeof *c->net->forfaits)))
        return nomem(c);
    const int req[] = {ci, cr, cu, cs, ce, -1};
    for (size_t i = 0; i < c->t->nrows; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *res = bl__csv_cell(r, cr);
        bl_net_forfait *f = &c->net->forfaits[c->net->nforfaits];
        f->line = r->line;
        if ((rc = need_cells(c, r, req)) != BL_OK || (rc = check_id(c, r, ci, "id", id)) != BL_OK ||
            (rc = check_id(c, r, cr, "resource_id", res)) != BL_OK)
            return rc;
        if (!set_has(&c->resource_ids, res))
            return cell_fail(c, r, cr, "resource_id", "no resource '%s' in resources.csv", res);
        if (!count_in(bl__csv_cell(r, cu), 1, BL_COUNT_MAX, &f->units))
            return cell_fail(c, r, cu, "units",
                             "'%s' is not a positive whole number (at most 1 000 000 000)",
                             bl__csv_cell(r, cu));
        if (!parse_date_cell(bl__csv_cell(r, cs), f->start))
            return cell_fail(c, r, cs, "start", "'%s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                             bl__csv_cell(r, cs));
        if (!parse_date_cell(bl__csv_cell(r, ce), f->end))
            return cell_fail(c, r, ce, "end", "'%s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                             bl__csv_cell(r, ce));
        if (strcmp(f->end, f->start) < 0)
            return cell_fail(c, r, ce, "end", "'%s' is before the start (%s)", bl__csv_cell(r, ce),
                             bl__csv_cell(r, cs));
        const char *metric =
            cm >= 0 && *bl__csv_cell(r, cm) ? bl__csv_cell(r, cm) : "Total_Item_Requests";
        if (!metric_known(metric))
            return cell_fail(c, r, cm, "metric",
                             "'%s' is not a COUNTER R5 metric nor one of bilan's (%s)", metric,
                             BL_EXTRA_METRICS_TEXT);
        if ((rc = forfait_limits(c, r, limits, f)) != BL_OK)
            return rc;
        if (!(f->id = keep(c, id)) || !(f->resource_id = keep(c, res)) ||
            !(f->metric = keep(c, metric)))
            return nomem(c);
        if ((rc = unique_id(c, r, &c->forfait_ids, f->id, "forfait.id")) != BL_OK)
            return rc;
        c->net->nforfaits++;
    }
    return BL_OK;
}

/* ---- SUSHI endpoints (docs/sushi.md) ---------------------------------------------- */

static const char *const S_ID[] = {"id", "endpoint_id", "identifiant", NULL};
static const char *const S_URL[] = {"url", NULL};
static const char *const S_RELEASE[] = {"release", "version", NULL};
static const char *const S_CUSTOMER[] = {"customer_id", NULL};
static const char *const S_REQUESTOR[] = {"requestor_id", NULL};
static const char *const S_KEY[] = {"api_key", NULL};
static const char *const S_PLATFORM[] = {"platform", "plateforme", NULL};
static const char *const S_REPORTS[] = {"reports", "rapports", NULL};
static const char *const S_LIBRARY[] = {"library_id", "library", "bibliotheque", NULL};
static const char *const S_DATES[] = {"date_format", NULL};

/* The report ids a COUNTER_SUSHI server serves (R5.0 and R5.1). */
static const char *const SUSHI_REPORTS[] = {"PR",    "PR_P1", "DR",    "DR_D1", "DR_D2", "TR",
                                            "TR_B1", "TR_B2", "TR_B3", "TR_J1", "TR_J2", "TR_J3",
                                            "TR_J4", "IR",    "IR_A1", "IR_M1", NULL};

/* A secret's cell: empty, env:NAME or file:/PATH. Anything else is taken
 * for the secret itself and refused without being repeated. */
static bl_status check_secret_ref(ctx *c, const bl_csv_row *r, int col, const char *what)
{
    const char *v = col >= 0 ? bl__csv_cell(r, col) : "";
    if (!*v)
        return BL_OK;
    if (strncmp(v, "env:", 4) == 0) {
        const char *n = v + 4;
        bool ok = (*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_';
        for (const char *p = n; ok && *p; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 *p == '_';
        if (ok && strlen(n) <= 64)
            return BL_OK;
        return cell_fail(c, r, col, what,
                         "env:NAME needs an environment variable's name (letters, digits, '_')");
    }
    if (strncmp(v, "file:", 5) == 0) {
        if (v[5] == '/' && strlen(v) < 1024)
            return BL_OK;
        return cell_fail(c, r, col, what, "file:PATH needs an absolute path (file:/...)");
    }
    return cell_fail(c, r, col, what,
                     "a secret written in the file is refused (it would be copied into the "
                     "store): write env:NAME (an environment variable holding it) or file:/PATH "
                     "(a file only its owner can read)");
}

/* https://..., or http:// to this machine only (tests, a local proxy). */
static bool sushi_url_ok(const char *u)
{
    if (strchr(u, '?') || strchr(u, '#') || strchr(u, ' '))
        return false;
    if (strncmp(u, "https://", 8) == 0)
        return u[8] && u[8] != '/';
    return bl_url_loopback_http(u);
}

/* The report id of a reports item, any case ("tr_j1" -> "TR_J1"), or NULL. */
static const char *report_id_of(const char *item)
{
    for (size_t i = 0; SUSHI_REPORTS[i]; i++) {
        const char *k = SUSHI_REPORTS[i], *p = item;
        while (*k && *p && (*p == *k || (*p >= 'a' && *p <= 'z' && *p - 32 == *k)))
            k++, p++;
        if (!*k && !*p)
            return SUSHI_REPORTS[i];
    }
    return NULL;
}

static bl_status check_report(ctx *c, const bl_csv_row *r, int col, const char *item, void *arg)
{
    (void)arg;
    if (!report_id_of(item))
        return cell_fail(c, r, col, "reports",
                         "'%s' is not a COUNTER R5 report id (PR, PR_P1, DR, DR_D1, DR_D2, TR, "
                         "TR_B1..TR_B3, TR_J1..TR_J4, IR, IR_A1, IR_M1)",
                         item);
    return BL_OK;
}

static bl_status read_sushi(ctx *c)
{
    bl_status rc = BL_OK;
    int ci = need_col(c, S_ID, &rc), cu = need_col(c, S_URL, &rc), cv = need_col(c, S_RELEASE, &rc),
        cc = need_col(c, S_CUSTOMER, &rc);
    int cq = bl__csv_col(c->t, S_REQUESTOR), ck = bl__csv_col(c->t, S_KEY),
        cp = bl__csv_col(c->t, S_PLATFORM), crp = bl__csv_col(c->t, S_REPORTS),
        cl = bl__csv_col(c->t, S_LIBRARY), cd = bl__csv_col(c->t, S_DATES);
    if (rc != BL_OK)
        return rc;
    if (!(c->net->sushi = calloc(c->t->nrows ? c->t->nrows : 1, sizeof *c->net->sushi)))
        return nomem(c);
    const int req[] = {ci, cu, cv, cc, -1};
    for (size_t i = 0; i < c->t->nrows; i++) {
        const bl_csv_row *r = &c->t->rows[i];
        const char *id = bl__csv_cell(r, ci), *url = bl__csv_cell(r, cu);
        const char *rel = bl__csv_cell(r, cv), *cust = bl__csv_cell(r, cc);
        bl_net_sushi *e = &c->net->sushi[c->net->nsushi];
        e->line = r->line;
        /* the secrets first: nothing else is said about a row holding one */
        if ((rc = need_cells(c, r, req)) != BL_OK ||
            (rc = check_secret_ref(c, r, cq, "requestor_id")) != BL_OK ||
            (rc = check_secret_ref(c, r, ck, "api_key")) != BL_OK ||
            (rc = check_id(c, r, ci, "id", id)) != BL_OK)
            return rc;
        if (!sushi_url_ok(url))
            return cell_fail(c, r, cu, "url",
                             "'%s' is not a SUSHI base URL: https://host/path without '?' "
                             "(plain http only to 127.0.0.1, [::1] or localhost)",
                             url);
        if (strcmp(rel, "5") == 0 || strcmp(rel, "5.0") == 0)
            e->release = 5;
        else if (strcmp(rel, "5.1") == 0)
            e->release = 51;
        else
            return cell_fail(c, r, cv, "release", "'%s' is not a SUSHI release (5 or 5.1)", rel);
        if (!*cust)
            return cell_fail(c, r, cc, "customer_id", "empty customer_id");
        const char *lib = cl >= 0 ? bl__csv_cell(r, cl) : "";
        if (*lib && !set_has(&c->library_ids, lib))
            return cell_fail(c, r, cl, "library_id", "no library '%s' in libraries.csv", lib);
        const char *df = cd >= 0 ? bl__csv_cell(r, cd) : "";
        if (*df && strcmp(df, "yyyy-mm-dd") != 0 && strcmp(df, "yyyy-mm") != 0)
            return cell_fail(c, r, cd, "date_format", "'%s' is not yyyy-mm-dd or yyyy-mm", df);
        e->month_dates = strcmp(df, "yyyy-mm") == 0;
        /* the base URL without its trailing '/' */
        size_t ul = strlen(url);
        while (ul > 8 && url[ul - 1] == '/')
            ul--;
        if (!(e->id = keep(c, id)) || !(e->url = arena_strndup(c->net->mem, url, ul)) ||
            !(e->customer_id = keep(c, cust)) ||
            !(e->requestor_ref = keep(c, cq >= 0 ? bl__csv_cell(r, cq) : "")) ||
            !(e->api_key_ref = keep(c, ck >= 0 ? bl__csv_cell(r, ck) : "")) ||
            !(e->platform = keep(c, cp >= 0 ? bl__csv_cell(r, cp) : "")) ||
            !(e->library_id = keep(c, lib)))
            return nomem(c);
        const char *const *items = NULL;
        size_t n = 0;
        if (crp >= 0 && (rc = each_item(c, r, crp, check_report, NULL, &items, &n)) != BL_OK)
            return rc;
        const char **ids = n ? arena_alloc(c->net->mem, n * sizeof *ids) : NULL;
        if (n && !ids)
            return nomem(c);
        for (size_t k = 0; k < n; k++)
            ids[k] = report_id_of(items[k]);
        e->reports = ids;
        e->nreports = n;
        if (e->nreports == 0) {
            static const char *const pr[] = {"PR"};
            e->reports = pr;
            e->nreports = 1;
        }
        if ((rc = unique_id(c, r, &c->sushi_ids, e->id, "sushi_endpoint.id")) != BL_OK)
            return rc;
        c->net->nsushi++;
    }
    return BL_OK;
}

/* ---- the network's identity (network.csv, issue 15) ---------------------------- */

static const char *const N_NAME[] = {"name", "nom", NULL};
static const char *const N_SHORT[] = {"short_name", "nom_court", NULL};
static const char *const N_LOGO[] = {"logo", NULL};
static const char *const N_EMAIL[] = {"contact_email", "email", "courriel", NULL};
static const char *const N_WEB[] = {"website", "site_web", "site", NULL};

/* A PNG file: its signature, then an IHDR chunk of a sensible size. */
static bool png_ok(const unsigned char *b, size_t n)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 24 || memcmp(b, sig, 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return false;
    uint32_t w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    uint32_t h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    return w > 0 && h > 0 && w <= 10000 && h <= 10000;
}

/* Reads the logo named in column col (relative to the folder). */
static bl_status read_logo(ctx *c, const bl_csv_row *r, int col, bl_net_identity *id)
{
    const char *rel = bl__csv_cell(r, col);
    size_t n = strlen(rel);
    if (rel[0] == '/' || strstr(rel, "..") || n < 5 || strcasecmp(rel + n - 4, ".png") != 0)
        return cell_fail(c, r, col, "logo",
                         _("'%s' is not a PNG file's path relative to the network folder "
                           "(for example logo.png)"),
                         rel);
    char *path = bl_strdup_printf("%s/%s", c->dir, rel);
    if (!path)
        return nomem(c);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return cell_fail(c, r, col, "logo", _("cannot read '%s' in the network folder"), rel);
    unsigned char *buf = arena_alloc(c->net->mem, BL_LOGO_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return nomem(c);
    }
    size_t got = fread(buf, 1, BL_LOGO_MAX_BYTES + 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err)
        return cell_fail(c, r, col, "logo", _("cannot read '%s' in the network folder"), rel);
    if (got > BL_LOGO_MAX_BYTES)
        return cell_fail(c, r, col, "logo", _("'%s' is larger than 1 MiB"), rel);
    if (!png_ok(buf, got))
        return cell_fail(c, r, col, "logo", _("'%s' is not a PNG image"), rel);
    id->logo_png = buf;
    id->logo_len = got;
    return BL_OK;
}

static bl_status read_identity(ctx *c)
{
    bl_status rc = BL_OK;
    int cn = need_col(c, N_NAME, &rc);
    int cs = bl__csv_col(c->t, N_SHORT), cl = bl__csv_col(c->t, N_LOGO),
        ce = bl__csv_col(c->t, N_EMAIL), cw = bl__csv_col(c->t, N_WEB);
    if (rc != BL_OK)
        return rc;
    if (c->t->nrows != 1) {
        snprintf(c->err, c->errlen,
                 c->t->nrows == 0 ? _("%s:2: one row expected: the network's name, short_name, "
                                      "logo, contact_email and website")
                                  : _("%s:%lu: one row only: network.csv describes the network "
                                      "itself"),
                 c->t->path, c->t->nrows ? c->t->rows[1].line : 0UL);
        return BL_DATA;
    }
    const bl_csv_row *r = &c->t->rows[0];
    const int req[] = {cn, -1};
    if ((rc = need_cells(c, r, req)) != BL_OK)
        return rc;
    bl_net_identity *id = arena_alloc(c->net->mem, sizeof *id);
    if (!id)
        return nomem(c);
    memset(id, 0, sizeof *id);
    id->line = r->line;
    const char *name = bl__csv_cell(r, cn);
    if (!*name)
        return cell_fail(c, r, cn, "name", "empty name");
    if (strlen(name) > 120)
        return cell_fail(c, r, cn, "name", "'%s' is longer than 120 bytes", name);
    const char *email = ce >= 0 ? bl__csv_cell(r, ce) : "";
    const char *at = strchr(email, '@');
    if (*email && (!at || at == email || !strchr(at, '.') || strpbrk(email, " ,;<>\"")))
        return cell_fail(c, r, ce, "contact_email", _("'%s' is not an email address"), email);
    /* Shown in every report and mail: an address as SMTP allows it. */
    if (strlen(email) > 254)
        return cell_fail(c, r, ce, "contact_email", "'%s' is longer than 254 bytes", email);
    const char *web = cw >= 0 ? bl__csv_cell(r, cw) : "";
    if (strlen(web) > 300)
        return cell_fail(c, r, cw, "website", "'%s' is longer than 300 bytes", web);
    if (*web && strncmp(web, "https://", 8) != 0 && strncmp(web, "http://", 7) != 0)
        return cell_fail(c, r, cw, "website",
                         _("'%s' is not a web address (http:// or https://...)"), web);
    const char *logo = cl >= 0 ? bl__csv_cell(r, cl) : "";
    if (*logo && (rc = read_logo(c, r, cl, id)) != BL_OK)
        return rc;
    id->name = keep(c, name);
    id->short_name = keep(c, cs >= 0 ? bl__csv_cell(r, cs) : "");
    id->logo = keep(c, logo);
    id->contact_email = keep(c, email);
    id->website = keep(c, web);
    if (!id->name || !id->short_name || !id->logo || !id->contact_email || !id->website)
        return nomem(c);
    c->net->identity = id;
    return BL_OK;
}

/* ---- the whole network ----------------------------------------------------------- */

typedef bl_status (*read_fn)(ctx *c);

/* A list may be saved as CSV or as a spreadsheet: base.csv, base.xlsx or
 * base.ods (read by content all the same), exactly one of them. *path is
 * the one present, or base.csv when none is. */
static bl_status find_list(ctx *c, const char *dir, const char *base, char **path)
{
    static const char *const exts[] = {"csv", "xlsx", "ods"};
    char *found = NULL;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        char *p = bl_strdup_printf("%s/%s.%s", dir, base, exts[i]);
        if (!p) {
            free(found);
            return nomem(c);
        }
        if (access(p, F_OK) != 0) {
            free(p);
            continue;
        }
        if (found) {
            snprintf(c->err, c->errlen,
                     _("%s: both %s and %s are present: keep only one of %s.csv, %s.xlsx, "
                       "%s.ods"),
                     dir, strrchr(found, '/') + 1, strrchr(p, '/') + 1, base, base, base);
            free(found);
            free(p);
            return BL_DATA;
        }
        found = p;
    }
    *path = found ? found : bl_strdup_printf("%s/%s.csv", dir, base);
    return *path ? BL_OK : nomem(c);
}

static bl_status read_one(ctx *c, const char *dir, const char *base, bool required, read_fn fn)
{
    char *path = NULL;
    bl_status found = find_list(c, dir, base, &path);
    if (found != BL_OK)
        return found;
    const char *name = strrchr(path, '/') + 1;
    bl_csv_table t;
    char err[512] = "";
    bl_status rc = bl__csv_table_read(path, &t, err, sizeof err);
    if (rc == BL_NOINPUT && !required) {
        free(path);
        return BL_OK;
    }
    if (rc != BL_OK) {
        /* The table reader says nothing when it runs out of memory. */
        if (err[0])
            snprintf(c->err, c->errlen, "%s", err);
        else
            snprintf(c->err, c->errlen, "%s/%s: %s", dir, name, bl_status_str(rc));
        free(path);
        return rc;
    }
    c->t = &t;
    rc = fn(c);
    if (rc == BL_OK && t.clash[0]) {
        snprintf(c->err, c->errlen,
                 _("%s/%s:1: columns '%s' and '%s' (columns %zu and %zu) are two names of one "
                   "column: keep one"),
                 dir, name, t.heading[t.clash[0] - 1], t.heading[t.clash[1] - 1], t.clash[0],
                 t.clash[1]);
        rc = BL_DATA;
    }
    /* A column bilan does not read is said (a heading written otherwise
     * than its names would leave its values out without a word). */
    for (size_t i = 0; i < t.ncols && rc == BL_OK; i++) {
        if (t.used[i] || !*t.header[i])
            continue;
        char *n = bl_strdup_printf(_("%s/%s: column '%s' is not one bilan reads: ignored "
                                     "(docs/network.md lists the columns and their names)"),
                                   dir, name, t.heading[i]);
        rc = n ? bl_network_note(c->net, n) : BL_NOMEM;
        free(n);
        if (rc != BL_OK) {
            rc = nomem(c);
            break;
        }
    }
    c->t = NULL;
    bl__csv_table_free(&t);
    free(path);
    return rc;
}

bl_status bl_network_read(const char *dir, bl_network *net, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    ctx c = {.net = net, .err = err, .errlen = errlen, .dir = dir};
    c.aliases.nocase = c.counter_names.nocase = true;
    bl_status rc = BL_OK;
    if (!(net->mem = calloc(1, sizeof *net->mem)))
        rc = nomem(&c);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "partners", true, read_partners);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "libraries", true, read_libraries);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "resources", true, read_resources);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "forfaits", false, read_forfaits);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "sushi", false, read_sushi);
    if (rc == BL_OK)
        rc = read_one(&c, dir, "network", false, read_identity);
    strset *sets[] = {&c.partner_ids,  &c.library_ids,   &c.aliases,
                      &c.resource_ids, &c.counter_names, &c.forfait_ids,
                      &c.sushi_ids,    &c.alias_keys,    &c.counter_keys};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        set_release(sets[i]);
    if (rc != BL_OK)
        bl_network_release(net);
    return rc;
}

bl_status bl_network_note(bl_network *net, const char *line)
{
    size_t have = net->notes ? strlen(net->notes) : 0;
    char *v = realloc(net->notes, have + strlen(line) + 2);
    if (!v)
        return BL_NOMEM;
    net->notes = v;
    snprintf(v + have, strlen(line) + 2, "%s\n", line);
    return BL_OK;
}

void bl_network_release(bl_network *net)
{
    if (!net)
        return;
    free(net->partners);
    free(net->libraries);
    free(net->resources);
    free(net->forfaits);
    free(net->sushi);
    free(net->notes);
    if (net->mem) {
        struct arena_block *b = net->mem->head;
        while (b) {
            struct arena_block *next = b->next;
            free(b);
            b = next;
        }
        free(net->mem);
    }
    memset(net, 0, sizeof *net);
}
