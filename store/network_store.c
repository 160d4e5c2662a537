/* Writes a validated network (bilan/network.h) into the store's tables,
 * replacing the previous one inside the caller's transaction
 * (bl_store_network_begin .. bl_store_network_commit). */
#include "store_internal.h"
#include "bilan/network.h"

#include <stdio.h>
#include <string.h>

bl_status bl_store_network_begin(bl_store *st)
{
    bl_status rc = bl__begin(st);
    if (rc != BL_OK)
        return rc;
    return bl__exec(st,
                    "DELETE FROM forfait; DELETE FROM library_alias; DELETE FROM library_ip_range;"
                    "DELETE FROM resource_name; DELETE FROM library; DELETE FROM resource;"
                    "DELETE FROM partner; DELETE FROM sushi_endpoint; DELETE FROM network_info;");
}

bl_status bl_store_network_commit(bl_store *st)
{
    return bl__commit(st);
}

void bl_store_network_rollback(bl_store *st)
{
    bl__rollback(st);
}

/* One statement for one table's rows. */
typedef struct ins {
    bl_store *st;
    sqlite3_stmt *q;
    const char *file; /* for a constraint failure: bl_network_read checks every one */
    bool bare;        /* an I/O failure names no store path (list tables, as always) */
} ins;

static bl_status prep(ins *in, bl_store *st, const char *file, bool bare, const char *sql)
{
    *in = (ins){st, NULL, file, bare};
    if (sqlite3_prepare_v2(st->db, sql, -1, &in->q, NULL) != SQLITE_OK)
        return bl_store_fail(st, BL_INTERNAL, "%s", sqlite3_errmsg(st->db));
    return BL_OK;
}

static void text(ins *in, int i, const char *s)
{
    sqlite3_bind_text(in->q, i, s, -1, SQLITE_STATIC);
}

/* A month index as 'YYYY-MM', NULL when negative (none). */
static void month(ins *in, int i, int mi)
{
    char m[8];
    if (mi < 0)
        return;
    bl_month_format(mi, m);
    sqlite3_bind_text(in->q, i, m, -1, SQLITE_TRANSIENT);
}

static bl_status step(ins *in, unsigned long line)
{
    bl_store *st = in->st;
    int r = sqlite3_step(in->q);
    sqlite3_reset(in->q);
    sqlite3_clear_bindings(in->q);
    if ((r & 0xff) == SQLITE_CONSTRAINT)
        return bl_store_fail(st, BL_DATA, "%s:%lu: %s", in->file, line, sqlite3_errmsg(st->db));
    if (r != SQLITE_DONE && in->bare)
        return bl_store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
    if (r != SQLITE_DONE)
        return bl_store_fail(st, BL_IO, "%s: %s", st->path, sqlite3_errmsg(st->db));
    return BL_OK;
}

static bl_status write_partners(bl_store *st, const bl_network *net)
{
    ins q;
    bl_status rc = prep(&q, st, "partners.csv", false,
                        "INSERT INTO partner(id, name, kind, population, population_year,"
                        " rate_e4, emails, article) VALUES (?,?,?,?,?,?,?,?)");
    for (size_t i = 0; rc == BL_OK && i < net->npartners; i++) {
        const bl_net_partner *p = &net->partners[i];
        text(&q, 1, p->id);
        text(&q, 2, p->name);
        text(&q, 3, p->kind);
        sqlite3_bind_int64(q.q, 4, p->population);
        if (p->population_year)
            sqlite3_bind_int64(q.q, 5, p->population_year);
        sqlite3_bind_int64(q.q, 6, p->rate_e4);
        text(&q, 7, p->emails);
        if (p->article && *p->article)
            text(&q, 8, p->article);
        rc = step(&q, p->line);
    }
    sqlite3_finalize(q.q);
    return rc;
}

static bl_status write_libraries(bl_store *st, const bl_network *net)
{
    ins q, qa = {0}, qr = {0};
    bl_status rc = prep(&q, st, "libraries.csv", false,
                        "INSERT INTO library(id, partner_id, name, member_from, member_until)"
                        " VALUES (?,?,?,?,?)");
    if (rc == BL_OK)
        rc = prep(&qa, st, "libraries.csv", true,
                  "INSERT INTO library_alias(alias, library_id) VALUES (?,?)");
    if (rc == BL_OK)
        rc = prep(&qr, st, "libraries.csv", false,
                  "INSERT INTO library_ip_range(library_id, cidr) VALUES (?,?)");
    for (size_t i = 0; rc == BL_OK && i < net->nlibraries; i++) {
        const bl_net_library *l = &net->libraries[i];
        text(&q, 1, l->id);
        text(&q, 2, l->partner_id);
        text(&q, 3, l->name);
        month(&q, 4, l->member_from);
        month(&q, 5, l->member_until);
        rc = step(&q, l->line);
        for (size_t k = 0; rc == BL_OK && k < l->naliases; k++) {
            text(&qa, 1, l->aliases[k]);
            text(&qa, 2, l->id);
            rc = step(&qa, l->line);
        }
        for (size_t k = 0; rc == BL_OK && k < l->nranges; k++) {
            text(&qr, 1, l->id);
            text(&qr, 2, l->ip_ranges[k]);
            rc = step(&qr, l->line);
        }
    }
    sqlite3_finalize(q.q);
    sqlite3_finalize(qa.q);
    sqlite3_finalize(qr.q);
    return rc;
}

static bl_status write_resources(bl_store *st, const bl_network *net)
{
    ins q, qn = {0};
    bl_status rc = prep(&q, st, "resources.csv", false,
                        "INSERT INTO resource(id, name, provider, kind, annual_cost_cents,"
                        " url_pattern, request_pattern, headline_metric)"
                        " VALUES (?,?,?,?,?,?,?,?)");
    if (rc == BL_OK)
        rc = prep(&qn, st, "resources.csv", true,
                  "INSERT INTO resource_name(name, resource_id) VALUES (?,?)");
    for (size_t i = 0; rc == BL_OK && i < net->nresources; i++) {
        const bl_net_resource *r = &net->resources[i];
        text(&q, 1, r->id);
        text(&q, 2, r->name);
        text(&q, 3, r->provider);
        text(&q, 4, r->kind);
        sqlite3_bind_int64(q.q, 5, r->annual_cost_cents);
        text(&q, 6, r->url_pattern);
        text(&q, 7, r->request_pattern);
        text(&q, 8, r->headline_metric);
        rc = step(&q, r->line);
        for (size_t k = 0; rc == BL_OK && k < r->ncounter_names; k++) {
            text(&qn, 1, r->counter_names[k]);
            text(&qn, 2, r->id);
            rc = step(&qn, r->line);
        }
    }
    sqlite3_finalize(q.q);
    sqlite3_finalize(qn.q);
    return rc;
}

static bl_status write_forfaits(bl_store *st, const bl_network *net)
{
    ins q;
    bl_status rc = prep(&q, st, "forfaits.csv", false,
                        "INSERT INTO forfait(id, resource_id, units, start, end, metric,"
                        " monthly_cap, per_patron_monthly_quota, alert_percent)"
                        " VALUES (?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; rc == BL_OK && i < net->nforfaits; i++) {
        const bl_net_forfait *f = &net->forfaits[i];
        text(&q, 1, f->id);
        text(&q, 2, f->resource_id);
        sqlite3_bind_int64(q.q, 3, f->units);
        text(&q, 4, f->start);
        text(&q, 5, f->end);
        text(&q, 6, f->metric);
        if (f->monthly_cap >= 0)
            sqlite3_bind_int64(q.q, 7, f->monthly_cap);
        if (f->per_patron_monthly_quota >= 0)
            sqlite3_bind_int64(q.q, 8, f->per_patron_monthly_quota);
        sqlite3_bind_int64(q.q, 9, f->alert_percent);
        rc = step(&q, f->line);
    }
    sqlite3_finalize(q.q);
    return rc;
}

static bl_status write_sushi(bl_store *st, const bl_network *net)
{
    ins q;
    bl_status rc = prep(&q, st, "sushi.csv", false,
                        "INSERT INTO sushi_endpoint(id, url, release, customer_id, requestor_ref,"
                        " api_key_ref, platform, reports, library_id, date_format)"
                        " VALUES (?,?,?,?,?,?,?,?,NULLIF(?, ''),?)");
    for (size_t i = 0; rc == BL_OK && i < net->nsushi; i++) {
        const bl_net_sushi *e = &net->sushi[i];
        char reports[256] = "";
        for (size_t k = 0; k < e->nreports; k++) {
            size_t l = strlen(reports);
            snprintf(reports + l, sizeof reports - l, "%s%s", k ? ";" : "", e->reports[k]);
        }
        text(&q, 1, e->id);
        text(&q, 2, e->url);
        sqlite3_bind_int(q.q, 3, e->release);
        text(&q, 4, e->customer_id);
        text(&q, 5, e->requestor_ref);
        text(&q, 6, e->api_key_ref);
        text(&q, 7, e->platform);
        sqlite3_bind_text(q.q, 8, reports, -1, SQLITE_TRANSIENT);
        text(&q, 9, e->library_id);
        text(&q, 10, e->month_dates ? "yyyy-mm" : "yyyy-mm-dd");
        rc = step(&q, e->line);
    }
    sqlite3_finalize(q.q);
    return rc;
}

/* The network's identity (network.csv), when the folder has one. */
static bl_status write_identity(bl_store *st, const bl_network *net)
{
    const bl_net_identity *id = net->identity;
    if (!id)
        return BL_OK;
    ins q;
    bl_status rc = prep(&q, st, "network.csv", false,
                        "INSERT INTO network_info(id, name, short_name, logo, contact_email,"
                        " website) VALUES (1,?,?,?,?,?)");
    if (rc != BL_OK)
        return rc;
    text(&q, 1, id->name);
    text(&q, 2, id->short_name);
    if (id->logo_png)
        sqlite3_bind_blob(q.q, 3, id->logo_png, (int)id->logo_len, SQLITE_STATIC);
    text(&q, 4, id->contact_email);
    text(&q, 5, id->website);
    rc = step(&q, id->line);
    sqlite3_finalize(q.q);
    return rc;
}

bl_status bl_store_network_write(bl_store *st, const bl_network *net)
{
    bl_status rc = write_partners(st, net);
    if (rc == BL_OK)
        rc = write_libraries(st, net);
    if (rc == BL_OK)
        rc = write_resources(st, net);
    if (rc == BL_OK)
        rc = write_forfaits(st, net);
    if (rc == BL_OK)
        rc = write_sushi(st, net);
    if (rc == BL_OK)
        rc = write_identity(st, net);
    return rc;
}
