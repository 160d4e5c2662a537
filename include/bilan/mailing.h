/* bilan — the figures the body of a partner's email gives, read from the
 * report's own model (bilan/model.h) so that the body and the attached PDF
 * say the same thing. Pure: computed by aggregate/mail_figures.c. The
 * mail_log (what was sent to whom) is the store's (bilan/store_queries.h);
 * the message itself is built and sent by the deliver layer
 * (bilan/deliver.h). See docs/mail.md.
 *
 * Ownership: arguments are borrowed; results are copied into the caller's
 * structs.
 */
#ifndef BILAN_MAILING_H
#define BILAN_MAILING_H

#include "bilan/common.h"
#include "bilan/period.h"

#define BL_MAIL_MAX_FORFAIT_LINES 8

typedef struct bl_mail_summary {
    char partner_name[256];
    /* The partner's kind and its article (partners.csv, "" when not given),
     * for bl_render_partner_of: « de la Commune de … ». */
    char partner_kind[32], partner_article[8];
    /* The network's name (network.csv), "" when none was imported. */
    char network_name[256];
    /* Its contact address and website (network.csv), "" when not given. */
    char network_email[256], network_website[384];
    bl_period period, previous;
    /* Their French labels (bl_period_label): "mai 2026", "1er semestre 2026". */
    char period_label[48], previous_label[48];
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
    /* A provisional period compares its months over only (the PDF's
     * card): their number, -1 when none is over yet, 0 when the period is
     * over (previous_label then names the previous period, else the months
     * compared: "janvier à juin 2025"). */
    int running_months;
    int64_t change_tenths;  /* tenths of a percent */
    char top_resource[256]; /* "" when nothing was consulted */
    char top_metric[64];    /* its headline metric, "" for COUNTER's (consultations) */
    char top_kind[32];      /* its kind (music: plays are « écoutes ») */
    /* The resources whose figures are estimated shares of a provider's
     * network-level total (docs/profiles.md), joined by ", "; "" when none. */
    char estimated[256];
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
