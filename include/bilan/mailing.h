/* bilan — aggregate layer, mail side: the mail_log table (what was sent to
 * whom, when, with which Message-ID, and what the server answered) and the
 * few figures the body of a partner's email gives. The message itself is
 * built and sent by the deliver layer (bilan/deliver.h). See docs/mail.md.
 *
 * Ownership: arguments are borrowed; results are copied into the caller's
 * structs.
 */
#ifndef BILAN_MAILING_H
#define BILAN_MAILING_H

#include "bilan/common.h"
#include "bilan/store.h"

/* ---- periods ------------------------------------------------------------------ */

/* A report period as mail sees it: "YYYY-MM", "YYYY-S1"/"YYYY-S2" or "YYYY"
 * (DESIGN §5), as a range of month indexes. */
typedef struct bl_mail_period {
    int first, last; /* month indexes, inclusive */
    char id[16];     /* as written: "2026-05" */
    char label[48];  /* French: "mai 2026", "1er semestre 2026", "année 2026" */
} bl_mail_period;

/* Parses a period; false when malformed. */
bool bl_mail_period_parse(const char *s, bl_mail_period *p);
/* The period of the same length just before p. */
bl_mail_period bl_mail_period_previous(const bl_mail_period *p);

/* ---- mail_log ---------------------------------------------------------------- */

typedef struct bl_mail_log_entry {
    const char *partner_id, *period, *kind; /* kind: "mensuel", "semestriel" */
    const char *recipient;                  /* one address */
    const char *message_id;                 /* without brackets */
    bool sent;                              /* accepted by the server; false: failed */
    const char *reply;                      /* the server's reply or the failure, may be NULL */
} bl_mail_log_entry;

/* Appends one row (sent_at is now, UTC). BL_IO with bl_store_errmsg on failure. */
bl_status bl_mail_log_record(bl_store *st, const bl_mail_log_entry *e);

/* Sets *sent when the server accepted this partner's report of this period
 * and kind for this recipient at least once. */
bl_status bl_mail_log_was_sent(bl_store *st, const char *partner_id, const char *period,
                               const char *kind, const char *recipient, bool *sent);

/* ---- the figures of the body ---------------------------------------------------------- */

#define BL_MAIL_MAX_FORFAIT_LINES 8

typedef struct bl_mail_summary {
    char partner_name[256];
    bl_mail_period period, previous;
    /* Consultations: for each resource its headline_metric, Regular access,
     * over the partner's libraries (DESIGN §3). has_* false: the store has
     * no usage row at all for the partner in that period (no data is not 0). */
    bool has_data, has_previous;
    int64_t consultations, previous_consultations;
    bool has_change;        /* both periods have data and the previous is not 0 */
    int64_t change_tenths;  /* tenths of a percent */
    char top_resource[256]; /* "" when nothing was consulted */
    int64_t top_consultations;
    /* One French sentence per forfait in watch or exhausted at the end of the
     * period (empty when the forfait module is not built in). */
    size_t n_forfait_lines;
    char forfait_lines[BL_MAIL_MAX_FORFAIT_LINES][640];
} bl_mail_summary;

/* Fills *out for partner_id and period. BL_NOTFOUND when there is no such
 * partner; BL_IO / BL_INTERNAL on a store error (bl_store_errmsg). */
bl_status bl_mail_summary_build(bl_store *st, const char *partner_id, const bl_mail_period *p,
                                bl_mail_summary *out);

#endif
