/* Format detection by content, never by file name. */
#include "ingest_internal.h"

#include <string.h>

bl_status bl_format_detect(const char *head, size_t n, bl_format *fmt, char **errmsg)
{
    if (n == 0) {
        *errmsg = bl_strdup_printf("empty file");
        return BL_DATA;
    }
    if (memchr(head, '\0', n)) {
        *errmsg = bl_strdup_printf("binary data (NUL bytes): expected a COUNTER report "
                                   "(CSV or TSV) or an access log, plain or gzip");
        return BL_DATA;
    }
    bl_format f = bl__counter_sniff(head, n);
    if (f == BL_FMT_AUTO)
        f = bl__log_sniff(head, n);
    if (f == BL_FMT_AUTO) {
        *errmsg = bl_strdup_printf(
            "unknown format: expected a COUNTER R5 report (header starting with "
            "Report_Name), a COUNTER R4 report (e.g. 'Journal Report 1' in cell A1), or an "
            "access log (Apache common/combined, EZproxy); use --format to say which");
        return BL_DATA;
    }
    *fmt = f;
    return BL_OK;
}
