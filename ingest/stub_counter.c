/* TEMPORARY placeholder until the COUNTER readers land; delete then. */
#include "ingest_internal.h"
bl_format bl__counter_sniff(const char *head, size_t n)
{
    (void)head, (void)n;
    return BL_FMT_AUTO;
}
bl_status bl_counter5_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg)
{
    (void)src, (void)opts, (void)sink;
    *errmsg = bl_strdup_printf("%s: COUNTER R5 reader not built yet", path);
    return BL_INTERNAL;
}
bl_status bl_counter4_read(bl_source *src, const char *path, const bl_ingest_opts *opts,
                           const bl_sink *sink, char **errmsg)
{
    (void)src, (void)opts, (void)sink;
    *errmsg = bl_strdup_printf("%s: COUNTER R4 reader not built yet", path);
    return BL_INTERNAL;
}
