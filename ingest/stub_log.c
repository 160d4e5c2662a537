/* TEMPORARY placeholder until the log readers land; delete then. */
#include "ingest_internal.h"
bl_format bl__log_sniff(const char *head, size_t n)
{
    (void)head, (void)n;
    return BL_FMT_AUTO;
}
bl_status bl_log_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                      const bl_sink *sink, char **errmsg)
{
    (void)src, (void)opts, (void)sink;
    *errmsg = bl_strdup_printf("%s: log reader not built yet", path);
    return BL_INTERNAL;
}
