/* The mail_log (include/bilan/store_queries.h): what `bilan mail` sent to
 * whom, when, with which Message-ID and what the server answered, so that
 * re-running the same command sends nothing twice and a retry sends only
 * what failed. See docs/mail.md. */
#include "store_internal.h"
#include "bilan/store_queries.h"

bl_status bl_mail_log_record(bl_store *st, const bl_mail_log_entry *e)
{
    sqlite3_stmt *q = NULL;
    bl_status rc = BL_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO mail_log(partner_id, period, kind, recipient, message_id,"
                           " status, reply, sent_at) VALUES (?,?,?,?,?,?,?,"
                           " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &q, NULL) != SQLITE_OK)
        return bl__sql_fail(st, false);
    sqlite3_bind_text(q, 1, e->partner_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, e->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, e->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, e->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, e->sent ? "sent" : "failed", -1, SQLITE_STATIC);
    if (e->reply)
        sqlite3_bind_text(q, 7, e->reply, -1, SQLITE_STATIC);
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
