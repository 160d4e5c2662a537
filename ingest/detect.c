/* Formats: their names, and their detection by content, never by file
 * name. */
#include "ingest_internal.h"

#include "bilan/i18n.h"

#include <string.h>
#include <strings.h>

static const struct {
    bl_format fmt;
    const char *name;
} names[] = {{BL_FMT_AUTO, "auto"},         {BL_FMT_COUNTER5, "counter5"},
             {BL_FMT_COUNTER4, "counter4"}, {BL_FMT_COUNTER5_JSON, "counter5-json"},
             {BL_FMT_COMBINED, "combined"}, {BL_FMT_COMMON, "common"},
             {BL_FMT_EZPROXY, "ezproxy"},   {BL_FMT_CUSTOM, "custom"},
             {BL_FMT_PROFILE, "profile"}};

bool bl_format_parse(const char *s, bl_format *fmt, const char **custom_format)
{
    if (strncasecmp(s, "custom:", 7) == 0 && s[7]) { /* the format after it keeps its case */
        *fmt = BL_FMT_CUSTOM;
        *custom_format = s + 7;
        return true;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].fmt != BL_FMT_CUSTOM && strcasecmp(s, names[i].name) == 0) {
            *fmt = names[i].fmt;
            return true;
        }
    }
    return false;
}

bool bl_format_is_log(bl_format fmt)
{
    return fmt == BL_FMT_COMBINED || fmt == BL_FMT_COMMON || fmt == BL_FMT_EZPROXY ||
           fmt == BL_FMT_CUSTOM;
}

const char *bl_format_name(bl_format fmt)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].fmt == fmt)
            return names[i].name;
    return "unknown";
}

bl_status bl_format_detect(const char *head, size_t n, bl_format *fmt, char **errmsg)
{
    bool unknown;
    return bl__format_detect(head, n, fmt, errmsg, &unknown);
}

bl_status bl__format_detect(const char *head, size_t n, bl_format *fmt, char **errmsg,
                            bool *unknown)
{
    *unknown = false;
    if (n == 0) {
        *errmsg = bl_strdup_printf("%s", _("empty file"));
        return BL_DATA;
    }
    /* UTF-16 text (Excel's "Unicode Text", a BOM then two bytes a
     * character): not read, but said as such, with what to do. */
    if (n >= 2 && (((unsigned char)head[0] == 0xFF && (unsigned char)head[1] == 0xFE) ||
                   ((unsigned char)head[0] == 0xFE && (unsigned char)head[1] == 0xFF))) {
        *errmsg = bl_strdup_printf("%s", _("UTF-16 text (Excel's \"Unicode Text\"): not read; "
                                           "save the file as \"CSV UTF-8\" and ingest that"));
        return BL_DATA;
    }
    if (memchr(head, '\0', n)) {
        *errmsg = bl_strdup_printf("%s", _("binary data (NUL bytes): expected a COUNTER report "
                                           "(CSV or TSV) or an access log, plain or gzip"));
        return BL_DATA;
    }
    bl_format f = bl__json_sniff(head, n);
    if (f == BL_FMT_AUTO)
        f = bl__counter_sniff(head, n);
    if (f == BL_FMT_AUTO)
        f = bl__log_sniff(head, n);
    if (f == BL_FMT_AUTO) {
        *errmsg = bl_strdup_printf(
            "%s",
            _("unknown format: expected a COUNTER R5 report (header starting with "
              "Report_Name, or its column headings with Metric_Type, or JSON with a "
              "Report_Header), a COUNTER R4 report (e.g. 'Journal Report 1' in cell A1), or an "
              "access log (Apache common/combined, EZproxy); use --format to say which"));
        *unknown = true;
        return BL_DATA;
    }
    *fmt = f;
    return BL_OK;
}
