/* Messages in the user's language: the choice of language and the catalog
 * lookup (include/bilan/i18n.h, docs/i18n.md). */
#include "bilan/i18n.h"

#include "bilan/common.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BL_TEXT_DOMAIN "bilan"

static bool french;

void bl_i18n_init(const char *localedir, bool want_french)
{
    french = false;
    if (!want_french || !localedir)
        return;
    /* glibc ignores LANGUAGE when LC_MESSAGES is "C"; C.UTF-8 is part of
     * every Debian and is not "C". Only LC_MESSAGES changes: LC_NUMERIC
     * and LC_CTYPE stay "C", so no parse or printf depends on the user. */
    if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8"))
        return;
    if (setenv("LANGUAGE", "fr", 1) != 0)
        return;
    if (!bindtextdomain(BL_TEXT_DOMAIN, localedir) ||
        !bind_textdomain_codeset(BL_TEXT_DOMAIN, "UTF-8"))
        return;
    french = true;
}

bool bl_i18n_french(void)
{
    return french;
}

const char *bl_tr(const char *msgid)
{
    if (!french || !msgid || !*msgid)
        return msgid;
    return dgettext(BL_TEXT_DOMAIN, msgid);
}

const char *bl_trn(const char *singular, const char *plural, unsigned long n)
{
    if (!french)
        return n == 1 ? singular : plural;
    return dngettext(BL_TEXT_DOMAIN, singular, plural, n);
}

char *bl_num(char *out, long long v)
{
    if (french)
        return bl_fr_int(out, BL_NUM_SIZE, v); /* the reports' grouping (common/french.c) */
    snprintf(out, BL_NUM_SIZE, "%lld", v);
    return out;
}
