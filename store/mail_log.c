/* The mail_log (include/bilan/store_queries.h): what `bilan mail` sent to
 * whom, when, with which Message-ID and what the server answered, so that
 * re-running the same command sends nothing twice and a retry sends only
 * what failed. See docs/mail.md. */
#include "store_internal.h"
#include "bilan/store_queries.h"

#include <stdio.h>
#include <string.h>

bl_status bl_mail_log_record(bl_store *st, const bl_mail_log_entry *e)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO mail_log(partner_id, period, kind, recipient, message_id,"
                           " status, reply, code, sent_at) VALUES (?,?,?,?,?,?,?,?,"
                           " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    sqlite3_bind_text(q, 1, e->partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, e->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, e->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, e->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6,
                      e->sent      ? "sent"
                      : e->refused ? "refused"
                                   : "failed",
                      -1, SQLITE_STATIC);
    if (e->reply)
        sqlite3_bind_text(q, 7, e->reply, -1, SQLITE_STATIC);
    if (e->code > 0)
        sqlite3_bind_int(q, 8, e->code);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = bl__sql_fail(st, false);
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
        return bl__sql_fail(st, false);
    sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, recipient, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r == SQLITE_ROW)
        *sent = true;
    else if (r != SQLITE_DONE)
        return bl__sql_fail(st, false);
    return BL_OK;
}

bl_status bl_mail_log_was_refused(bl_store *st, const char *partner_id, const char *period,
                                  const char *kind, const char *recipient, bool *refused,
                                  char *reply, size_t n)
{
    sqlite3_stmt *q = NULL;
    *refused = false;
    if (reply && n)
        reply[0] = '\0';
    /* The last attempt (ids grow with time), and no attempt accepted. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT status, COALESCE(reply, ''),"
                           " EXISTS(SELECT 1 FROM mail_log s WHERE s.partner_id = l.partner_id"
                           "  AND s.period = l.period AND s.kind = l.kind"
                           "  AND s.recipient = l.recipient COLLATE NOCASE AND s.status = 'sent')"
                           " FROM mail_log l WHERE partner_id = ? AND period = ? AND kind = ?"
                           " AND recipient = ? COLLATE NOCASE ORDER BY id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    sqlite3_bind_text(q, 1, partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, recipient, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(q, 0);
        *refused = status && strcmp(status, "refused") == 0 && sqlite3_column_int(q, 2) == 0;
        if (*refused && reply && n)
            snprintf(reply, n, "%s", (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    return r == SQLITE_ROW || r == SQLITE_DONE ? BL_OK : bl__sql_fail(st, false);
}

bl_status bl_mail_log_each(bl_store *st, const char *period, const char *kind, bl_mail_log_fn fn,
                           void *ctx)
{
    sqlite3_stmt *q = NULL;
    /* Per recipient: the accepted attempt if any (the last one), else the
     * last attempt. */
    if (sqlite3_prepare_v2(
            st->db,
            "WITH k AS (SELECT partner_id, kind, lower(recipient) AS r, COUNT(*) AS n,"
            "  COALESCE(MAX(CASE WHEN status = 'sent' THEN id END), MAX(id)) AS pick"
            "  FROM mail_log WHERE period = ?1 AND (?2 IS NULL OR kind = ?2)"
            "  GROUP BY partner_id, kind, lower(recipient))"
            " SELECT l.partner_id, l.kind, l.recipient, l.status, COALESCE(l.code, 0),"
            "  COALESCE(l.reply, ''), l.sent_at, k.n"
            " FROM k JOIN mail_log l ON l.id = k.pick ORDER BY l.partner_id, l.kind, k.r",
            -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    sqlite3_bind_text(q, 1, period, -1, SQLITE_STATIC);
    if (kind)
        sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
    bl_status rc = BL_OK;
    int r;
    while (rc == BL_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        bl_mail_log_state s = {(const char *)sqlite3_column_text(q, 0),
                               (const char *)sqlite3_column_text(q, 1),
                               (const char *)sqlite3_column_text(q, 2),
                               (const char *)sqlite3_column_text(q, 3),
                               sqlite3_column_int(q, 4),
                               (const char *)sqlite3_column_text(q, 5),
                               (const char *)sqlite3_column_text(q, 6),
                               sqlite3_column_int64(q, 7)};
        rc = fn(ctx, &s);
    }
    if (rc == BL_OK && r != SQLITE_DONE)
        rc = bl__sql_fail(st, false);
    sqlite3_finalize(q);
    return rc;
}
