/* Writing CSV cells: quoted when needed, and neutralised against formula
 * injection, for every CSV bilan writes (exports, ledgers, forfaits). */
#include "bilan/common.h"

#include <string.h>

bl_status bl_csv_field_sep(bl_buf *b, const char *s, char sep)
{
    /* A spreadsheet opening the export must not run a formula a provider
     * slipped into a name (OWASP "CSV injection"). */
    bool formula =
        s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    /* Numbers (possibly negative) are not formulas. */
    if (s[0] == '-' && s[1] >= '0' && s[1] <= '9' && strspn(s + 1, "0123456789") == strlen(s + 1))
        formula = false;
    bool quote = formula || strpbrk(s, "\"\r\n") != NULL || strchr(s, sep) != NULL;
    bl_status rc = BL_OK;
    if (quote)
        rc = bl_buf_putc(b, '"');
    if (rc == BL_OK && formula)
        rc = bl_buf_putc(b, '\'');
    for (const char *p = s; rc == BL_OK && *p; p++) {
        if (*p == '"')
            rc = bl_buf_putc(b, '"');
        if (rc == BL_OK)
            rc = bl_buf_putc(b, *p);
    }
    if (rc == BL_OK && quote)
        rc = bl_buf_putc(b, '"');
    return rc;
}

bl_status bl_csv_field(bl_buf *b, const char *s)
{
    return bl_csv_field_sep(b, s, ',');
}
