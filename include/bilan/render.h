/* bilan — render layer: draws report models (bilan/model.h) as French A4
 * PDFs with Cairo and Pango, and writes the French text of the emails that
 * carry them. It never runs SQL. All its French wording is in
 * render/wording.h.
 *
 * Fonts: text is laid out by Pango through fontconfig; the caller points
 * FONTCONFIG_FILE at the project's data/fonts.conf (which maps every family
 * to DejaVu) before the first call, so that every machine gives the same
 * glyphs and the same bytes.
 *
 * Thread safety: each call uses its own Pango font map and Cairo surfaces,
 * so different models may be rendered from different threads at once.
 */
#ifndef BILAN_RENDER_H
#define BILAN_RENDER_H

#include "bilan/common.h"
#include "bilan/model.h"

/* Renders model m into a PDF file at path (written whole, then renamed into
 * place, so a reader never sees half a file). created_epoch: the PDF's
 * creation and modification date in seconds since 1970 (from
 * SOURCE_DATE_EPOCH, for byte-identical output), or -1 to leave Cairo's.
 * On failure, err (errlen bytes) says why; BL_CANTCREAT when the file cannot
 * be written, BL_INTERNAL when Cairo fails. */
bl_status bl_render_pdf(const bl_model *m, const char *path, int64_t created_epoch, char *err,
                        size_t errlen);

/* The file name of a report, relative to the output directory:
 * "<period>/<partner-id>-<kind>.pdf", or "<period>/reseau-<kind>.pdf" for
 * the network-wide kinds (DESIGN §8, a contract). NULL when the partner's
 * id is not a valid id (bl_id_valid: such an id could name a file outside
 * the folder) or the name does not fit in n bytes. */
char *bl_render_file_name(char *out, size_t n, const bl_model *m);
/* The one name every file of a report derives from (the PDF, the .eml
 * preview, the mail attachment): "<partner-id>-<kind>", "reseau-<kind>"
 * when partner_id is NULL. Ids are unique and [a-z0-9][a-z0-9._-]*
 * (bl_id_valid), so two partners can never share a file. NULL when the id
 * is not valid or the name does not fit in n bytes. */
char *bl_report_stem(char *out, size_t n, const char *partner_id, const char *kind);

/* Every PDF of bl_render_pdf carries in its metadata (Keywords) the
 * fingerprint of its model (bl_model_fingerprint). Reads it back from the
 * bytes of a PDF into hex; false when there is none (not drawn by bilan,
 * or by a version before fingerprints). */
bool bl_render_pdf_fingerprint(const char *pdf, size_t len, char hex[65]);

/* ---- names in sentences (issue 15, docs/reports.md) ------------------------------ */

/* The network's name as reports and emails write it: name (network.csv)
 * when not NULL nor empty, else the generic « Réseau départemental ».
 * Borrowed: name itself, or a literal. */
const char *bl_render_network_name(const char *name);
/* The network's contact line (network.csv): "address · website", either
 * alone, "" when neither is given. */
char *bl_render_network_contact(char *out, size_t n, const char *email, const char *website);

/* "of <partner>" in French, with the article the name takes: « de la
 * Commune de Montclar-sur-Asse », « du Département … », « de l'… »,
 * « des … », « de Foo » / « d'Apt » when it takes none. article: from
 * partners.csv ("le", "la", "l'", "les", "-" for none), NULL or "" to infer
 * it from the name's first word (Commune, Communauté, Métropole, Ville,
 * Médiathèque, Bibliothèque: la; Département, Conseil, Syndicat, Pays,
 * Réseau: le; a vowel: l'; Communes, Bibliothèques, Médiathèques: les),
 * else from kind (commune, cc, ca, cu: la when the name starts with
 * their noun; departement: le when it starts with « Département »), else
 * none. Into out (n bytes); returns out. */
char *bl_render_partner_of(char *out, size_t n, const char *name, const char *kind,
                           const char *article);

/* ---- the email of a partner report ------------------------------------------------ */

struct bl_mail_summary; /* bilan/mailing.h */

/* The subject of a partner's report email: "Statistiques d'usage des
 * ressources numériques — mai 2026 (provisoire) — <partner>", into out (n
 * bytes, truncated when longer). Returns out. */
char *bl_render_mail_subject(char *out, size_t n, const struct bl_mail_summary *s);

/* Appends to b the plain-text body of a partner's report email: greeting,
 * the period's figures from s (consultations, the change "à périmètre
 * égal", the most consulted resource, forfait lines), closing and
 * signature. m: the report's model, for what a partial total lacks (the
 * PDF's † note's items); NULL: "voir le rapport". kind: the report's kind
 * (mensuel or semestriel); signature: the line that signs it (the sender's
 * name, else its address). BL_OK, or the status of bl_buf_printf (the
 * buffer's cap) on failure. */
bl_status bl_render_mail_body(bl_buf *b, const struct bl_mail_summary *s, const bl_model *m,
                              bl_report_kind kind, const char *signature);

/* Appends to b the HTML alternative of that email (render/mail_html.c): a
 * whole UTF-8 document with inline styles only and no image, whose text is
 * text (the plain body from bl_render_mail_body, escaped, lists and
 * paragraphs kept) with, after its list of figures, the PDF's table
 * « Consultations par ressource » for model m (the same cells as the PDF;
 * none when m is NULL). title: the document's title (the subject). BL_OK,
 * or the status of the buffer's cap. */
bl_status bl_render_mail_html(bl_buf *b, const char *text, const bl_model *m, const char *title);

#endif
