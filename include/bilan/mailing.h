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

/* The body's figures are read from the report's own model (bilan/model.h),
 * the one the attached PDF is drawn from: they cannot disagree. */
typedef struct bl_mail_summary {
    char partner_name[256];
    bl_mail_period period, previous;
    bool provisional; /* the period is not over: « provisoire » */
    /* Consultations of the period, as the PDF's first card: has_data false
     * when no listed resource has any data (no data is not 0); partial when
     * some resource's data is missing for some month. */
    bool has_data, partial;
    int64_t consultations;
    /* The change against the previous period, as the PDF's second card (the
     * same resources on both sides, "à périmètre égal"): comparable false
     * when no resource has data for both; has_change false when the base is
     * 0 (then "non calculable"). previous_consultations is that base. */
    bool has_previous, comparable, has_change, excluded;
    int64_t previous_consultations;
    int64_t change_tenths;  /* tenths of a percent */
    char top_resource[256]; /* "" when nothing was consulted */
    int64_t top_consultations;
    /* One French sentence per forfait in watch or exhausted at the end of the
     * period (empty when the forfait module is not built in). */
    size_t n_forfait_lines;
    char forfait_lines[BL_MAIL_MAX_FORFAIT_LINES][640];
} bl_mail_summary;

struct bl_model;
/* Fills *out from a partner report's model (bl_model_build_partners): the
 * same computation as the PDF's. m must have a partner. */
void bl_mail_summary_from_model(const struct bl_model *m, bl_mail_summary *out);

#endif
