/* The store's side of `bilan mail`: the mail_log (so that re-running the
 * same command sends nothing twice, and a retry sends only what failed) and
 * the three figures a partner's email leads with. */
#include "agg_internal.h"
#include "bilan/forfait.h"
#include "bilan/mailing.h"
#include "bilan/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- periods ------------------------------------------------------------------ */
/* The reports' periods (bl_period, model.c), with their id and French label
 * kept alongside for the message. */

static void from_period(const bl_period *q, bl_mail_period *p)
{
    memset(p, 0, sizeof *p);
    p->first = q->first;
    p->last = q->last;
    snprintf(p->id, sizeof p->id, "%s", q->id);
    bl_period_label(p->label, sizeof p->label, q);
}

bool bl_mail_period_parse(const char *s, bl_mail_period *p)
{
    bl_period q;
    if (!bl_period_parse(s, &q))
        return false;
    from_period(&q, p);
    return true;
}

bl_mail_period bl_mail_period_previous(const bl_mail_period *p)
{
    bl_period q;
    bl_mail_period out;
    if (!bl_period_parse(p->id, &q))
        return *p;
    bl_period prev = bl_period_previous(&q);
    from_period(&prev, &out);
    return out;
}

/* ---- mail_log ---------------------------------------------------------------- */

static bl_status sql_fail(bl_store *st)
{
    return bl__store_fail(st, BL_IO, "%s", sqlite3_errmsg(st->db));
}

bl_status bl_mail_log_record(bl_store *st, const bl_mail_log_entry *e)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO mail_log(partner_id, period, kind, recipient, message_id,"
                           " status, reply, sent_at) VALUES (?,?,?,?,?,?,?,"
                           " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st);
    sqlite3_bind_text(q, 1, e->partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, e->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, e->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, e->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, e->sent ? "sent" : "failed", -1, SQLITE_STATIC);
    if (e->reply)
        sqlite3_bind_text(q, 7, e->reply, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = sql_fail(st);
    sqlite3_finalize(q);
    return rc;
}

bl_status bl_mail_log_was_sent(bl_store *st, const char *partner_id, const char *period,
                               const char *kind, const char *recipient, bool *sent)
{
    sqlite3_stmt *q = NULL;
    *sent = false;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM mail_log WHERE partner_id = ? AND period = ? AND kind = ?"
                           " AND recipient = ? COLLATE NOCASE AND status = 'sent' LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st);
    sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, recipient, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r == SQLITE_ROW)
        *sent = true;
    else if (r != SQLITE_DONE)
        return sql_fail(st);
    return BL_OK;
}

/* ---- figures ------------------------------------------------------------------ */

/* Sums the partner's consultations over [first, last]; *has says whether any
 * row exists; the top resource is copied when top is not NULL. */
static bl_status consultations(bl_store *st, const char *partner_id, int first, int last, bool *has,
                               int64_t *total, char *top, size_t topn, int64_t *top_value)
{
    sqlite3_stmt *q = NULL;
    char from[8], to[8];
    bl_month_format(first, from);
    bl_month_format(last, to);
    *has = false;
    *total = 0;
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT r.name, SUM(u.value) FROM usage_effective u"
            " JOIN library l ON l.id = u.library_id"
            " JOIN resource r ON r.id = u.resource_id AND u.metric = r.headline_metric"
            " WHERE l.partner_id = ?1 AND u.access_method = 'Regular'"
            "   AND u.month BETWEEN ?2 AND ?3"
            " GROUP BY r.id ORDER BY 2 DESC, r.name, r.id",
            -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st);
    sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
    int r;
    bool first_row = true;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(q, 1);
        *has = true;
        *total += v;
        if (first_row && top && v > 0) {
            snprintf(top, topn, "%s", (const char *)sqlite3_column_text(q, 0));
            *top_value = v;
        }
        first_row = false;
    }
    sqlite3_finalize(q);
    return r == SQLITE_DONE ? BL_OK : sql_fail(st);
}

static bl_status forfait_lines(bl_store *st, const bl_mail_period *p, bl_mail_summary *out)
{
    int y = bl_month_year(p->last), m = bl_month_num(p->last);
    bl_forfait_status *f = NULL;
    size_t n = 0;
    bl_status rc = bl_forfait_status_all(st, y, m, bl_days_in_month(y, m), &f, &n);
    if (rc != BL_OK)
        return rc;
    for (size_t i = 0; i < n && out->n_forfait_lines < BL_MAIL_MAX_FORFAIT_LINES; i++) {
        if (f[i].state == BL_FORFAIT_OK)
            continue;
        char pct[32], sentence[512];
        bl_fr_percent(pct, sizeof pct, f[i].percent_tenths);
        bl_forfait_sentence(&f[i], sentence, sizeof sentence);
        snprintf(out->forfait_lines[out->n_forfait_lines++], sizeof out->forfait_lines[0],
                 "Forfait %s (%s) : %s, %s des unités utilisées.%s%s", f[i].resource_name, f[i].id,
                 f[i].state == BL_FORFAIT_EXHAUSTED ? "épuisé" : "en vigilance", pct,
                 sentence[0] ? " " : "", sentence);
    }
    bl_forfait_status_free(f, n);
    return BL_OK;
}

bl_status bl_mail_summary_build(bl_store *st, const char *partner_id, const bl_mail_period *p,
                                bl_mail_summary *out)
{
    memset(out, 0, sizeof *out);
    out->period = *p;
    out->previous = bl_mail_period_previous(p);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT name FROM partner WHERE id = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return sql_fail(st);
    sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        snprintf(out->partner_name, sizeof out->partner_name, "%s",
                 (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (r == SQLITE_DONE)
        return bl__store_fail(st, BL_NOTFOUND, "no partner '%s' in the store", partner_id);
    if (r != SQLITE_ROW)
        return sql_fail(st);
    bl_status rc =
        consultations(st, partner_id, p->first, p->last, &out->has_data, &out->consultations,
                      out->top_resource, sizeof out->top_resource, &out->top_consultations);
    if (rc == BL_OK)
        rc = consultations(st, partner_id, out->previous.first, out->previous.last,
                           &out->has_previous, &out->previous_consultations, NULL, 0, NULL);
    if (rc != BL_OK)
        return rc;
    out->has_change =
        out->has_data && out->has_previous &&
        bl_change_tenths(out->consultations, out->previous_consultations, &out->change_tenths);
    return forfait_lines(st, p, out);
}
