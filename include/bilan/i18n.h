/* Messages in the user's language (docs/i18n.md).
 *
 * English is the source language. A message shown to a user is written
 * _("...") where it is used, or N_("...") where it is only stored to be
 * translated later with _(var); ngettext-style plurals use bl_trn. The
 * functions that format a message for the user (cli_error, cli_warn,
 * bl_store_fail, ...) translate their format themselves, and the extraction
 * (scripts/update-po) knows them, so their callers write a plain literal.
 *
 * French is chosen when BILAN_LANG starts with "fr", else when the first
 * non-empty of LC_ALL, LC_MESSAGES, LANG does, whether or not that locale
 * is generated on the machine; the catalog (po/fr.po) is read through
 * glibc's gettext with LC_MESSAGES set to C.UTF-8, so only the message
 * language changes: numbers are still parsed and printed in the C locale. */
#ifndef BILAN_I18N_H
#define BILAN_I18N_H

#include <stdbool.h>

/* For French, opens the catalog bilan.mo under localedir
 * (LOCALEDIR/fr/LC_MESSAGES); the command line reads the choice from the
 * environment (above). Call once, before any message; without it every
 * message is English. */
void bl_i18n_init(const char *localedir, bool french);

/* Whether messages are French (after bl_i18n_init). */
bool bl_i18n_french(void);

/* The translation of msgid, or msgid itself. */
const char *bl_tr(const char *msgid) __attribute__((format_arg(1)));

/* The translation of the singular or plural form for n. */
const char *bl_trn(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));

/* A whole number as a message writes it: French typography (digits grouped
 * by three with U+202F NARROW NO-BREAK SPACE, "12 345", U+2212 for minus)
 * when messages are French, plain digits ("12345") in English, so that
 * English output and the scripts reading it never change. Writes into out
 * (BL_NUM_SIZE bytes) and returns it; BL_NUM(v) gives a buffer of its own to
 * each use, for a message with several counts:
 *     printf(_("%s accepted, %s rejected"), BL_NUM(a), BL_NUM(r));
 * Only for messages: machine-readable output (CSV, tab-separated) keeps
 * plain digits whatever the language. */
#define BL_NUM_SIZE 32
char *bl_num(char *out, long long v);
#define BL_NUM(v) bl_num((char[BL_NUM_SIZE]){0}, (long long)(v))

#define _(s) bl_tr(s)
#define N_(s) (s)

#endif
