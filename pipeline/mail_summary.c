/* The store's side of `bilan mail`: the mail_log (so that re-running the
 * same command sends nothing twice, and a retry sends only what failed) and
 * the few figures a partner's email leads with, read from the report's own
 * model so that the body and the attached PDF say the same thing. */
#include "store_internal.h"
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

void bl_mail_summary_from_model(const bl_model *m, bl_mail_summary *out)
{
    memset(out, 0, sizeof *out);
    from_period(&m->period, &out->period);
    bl_period prev = bl_period_previous(&m->period);
    from_period(&prev, &out->previous);
    out->provisional = m->provisional;
    if (m->partner)
        snprintf(out->partner_name, sizeof out->partner_name, "%s", m->partner->name);
    int first = m->period.first, last = m->period.last, len = last - first + 1;
    bl_model_total now = bl_model_total_of(m, first, last);
    bl_model_total before = bl_model_total_of(m, prev.first, prev.last);
    out->has_data = now.has;
    out->partial = now.partial;
    out->consultations = now.v;
    out->has_previous = before.has;
    /* The PDF's "Sur un mois" / "Sur un semestre" card. */
    bl_model_change c = bl_model_compare(m, first, last, len);
    out->comparable = c.comparable;
    out->excluded = c.excluded;
    out->has_change = c.has_change;
    out->change_tenths = c.tenths;
    out->previous_consultations = c.base;
    /* The most consulted resource of the period (ties: the model's order,
     * by name). */
    for (size_t r = 0; r < m->n_resources; r++) {
        int nh;
        int64_t v = bl_model_sum(m, &m->resources[r], first, last, &nh);
        if (nh > 0 && v > 0 && v > out->top_consultations) {
            snprintf(out->top_resource, sizeof out->top_resource, "%s", m->resources[r].name);
            out->top_consultations = v;
        }
    }
    for (size_t i = 0; i < m->n_gauges && out->n_forfait_lines < BL_MAIL_MAX_FORFAIT_LINES; i++) {
        const bl_model_gauge *g = &m->gauges[i];
        if (g->status == BL_GAUGE_OK)
            continue;
        char pct[32];
        bl_fr_percent(pct, sizeof pct, g->percent_tenths);
        const char *sentence = g->sentence ? g->sentence : "";
        snprintf(out->forfait_lines[out->n_forfait_lines++], sizeof out->forfait_lines[0],
                 "Forfait %s (%s) : %s, %s des unités utilisées.%s%s", g->resource_name,
                 g->forfait_id, g->status == BL_GAUGE_EXHAUSTED ? "épuisé" : "en vigilance", pct,
                 sentence[0] ? " " : "", sentence);
    }
}
